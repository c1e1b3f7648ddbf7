//! Which locals each local refers to, and the cycles among them.
//!
//! Terraform rejects a local that uses its own result, directly or through
//! others (`Cycle: local.a, local.b`). drlint reports such a cycle once per
//! folder (`evaluation-cycle`) and reads the locals in it as unknown; every
//! other local is evaluated after the locals it refers to, so that its value
//! never depends on the order in which references reached it, and no chain of
//! locals, however long, is followed by recursion.

use std::collections::{HashMap, HashSet};

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::visit::{Visit, visit_traversal};

use crate::model::{Attribute, FileIdx, ModuleDir};

/// The locals of a module directory, by name (the last definition of a name wins).
pub(crate) fn locals_of(dir: &ModuleDir) -> HashMap<&str, (FileIdx, &Attribute)> {
    let mut locals = HashMap::new();
    for (file, block) in dir.blocks() {
        if block.ident == "locals" && block.labels.is_empty() {
            for attr in &block.attributes {
                locals.insert(attr.name.as_str(), (file, attr));
            }
        }
    }
    locals
}

/// The names `local.<name>` refers to in an expression, in order of appearance.
pub(crate) fn local_references(expr: &Expression) -> Vec<String> {
    struct Refs(Vec<String>);
    impl Visit for Refs {
        fn visit_traversal(&mut self, node: &Traversal) {
            if let Expression::Variable(root) = &node.expr
                && root.as_str() == "local"
                && let Some(TraversalOperator::GetAttr(name)) =
                    node.operators.first().map(|o| o.value())
            {
                self.0.push(name.as_str().to_owned());
            }
            visit_traversal(self, node);
        }
    }
    let mut refs = Refs(Vec::new());
    refs.visit_expr(expr);
    refs.0
}

/// The dependency graph of a directory's locals.
#[derive(Debug, Default)]
pub(crate) struct LocalsGraph {
    /// The locals each one refers to (defined ones only, each once).
    pub deps: HashMap<String, Vec<String>>,
    /// Locals that are part of a cycle.
    pub cyclic: HashSet<String>,
    /// Each cycle: its locals, in the order of their definitions.
    pub cycles: Vec<Vec<String>>,
}

impl LocalsGraph {
    pub(crate) fn new(locals: &HashMap<&str, (FileIdx, &Attribute)>) -> Self {
        let mut deps = HashMap::new();
        for (name, (_, attr)) in locals {
            let mut seen = HashSet::new();
            let refs: Vec<String> = local_references(&attr.value)
                .into_iter()
                .filter(|r| locals.contains_key(r.as_str()) && seen.insert(r.clone()))
                .collect();
            deps.insert((*name).to_owned(), refs);
        }
        let mut cycles = strongly_connected(&deps);
        let order = |name: &String| {
            let (file, attr) = locals[name.as_str()];
            (file, attr.span.start)
        };
        for cycle in &mut cycles {
            cycle.sort_by_key(order);
        }
        cycles.sort_by_key(|c| order(&c[0]));
        let cyclic = cycles.iter().flatten().cloned().collect();
        LocalsGraph {
            deps,
            cyclic,
            cycles,
        }
    }
}

/// Tarjan's strongly connected components, without recursion; only the
/// components that are cycles (more than one local, or one that refers to itself).
fn strongly_connected(deps: &HashMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut names: Vec<&String> = deps.keys().collect();
    names.sort();
    let index_of: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| deps[*n].iter().map(|d| index_of[d.as_str()]).collect())
        .collect();
    let n = names.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || edges[v].contains(&v) {
                    out.push(component.into_iter().map(|i| names[i].clone()).collect());
                }
            }
        }
    }
    out
}

/// The cycles among a directory's locals, each as its attributes in order of
/// definition: what `evaluation-cycle` reports.
pub fn local_cycles(dir: &ModuleDir) -> Vec<Vec<(FileIdx, &Attribute)>> {
    let locals = locals_of(dir);
    LocalsGraph::new(&locals)
        .cycles
        .iter()
        .map(|c| c.iter().map(|name| locals[name.as_str()]).collect())
        .collect()
}

/// `Cycle: local.a, local.b`, as Terraform names a cycle.
pub fn cycle_message(names: &[&str]) -> String {
    let listed: Vec<String> = names.iter().map(|n| format!("local.{n}")).collect();
    if names.len() == 1 {
        format!(
            "Cycle: {}: a local value cannot use its own result",
            listed[0]
        )
    } else {
        format!(
            "Cycle: {}: these local values depend on each other",
            listed.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(pairs: &[(&str, &[&str])]) -> Vec<Vec<String>> {
        let deps = pairs
            .iter()
            .map(|(n, d)| ((*n).to_owned(), d.iter().map(|s| (*s).to_owned()).collect()))
            .collect();
        let mut cycles = strongly_connected(&deps);
        for c in &mut cycles {
            c.sort();
        }
        cycles.sort();
        cycles
    }

    #[test]
    fn cycles_are_the_strongly_connected_components() {
        assert_eq!(graph(&[("a", &["a"])]), [vec!["a"]]);
        assert_eq!(
            graph(&[("a", &["b"]), ("b", &["a"]), ("c", &["a"])]),
            [vec!["a", "b"]]
        );
        assert!(graph(&[("a", &["b"]), ("b", &[]), ("c", &["a", "b"])]).is_empty());
        // a long chain closed at its end, walked without recursion
        let names: Vec<String> = (0..100_000).map(|i| format!("l{i}")).collect();
        let deps = (0..100_000)
            .map(|i| (names[i].clone(), vec![names[(i + 1) % 100_000].clone()]))
            .collect();
        let cycles = strongly_connected(&deps);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 100_000);
    }
}
