//! Static evaluation of Terraform expressions within one module directory.
//!
//! What a static reading can know is computed (literals, `var.*` from their
//! defaults, `local.*`, operators, conditionals, templates and a library of
//! Terraform functions); everything else is [`Value::Unknown`], which
//! propagates. Rules never fire on an unknown value.

mod budget;
mod functions;
mod graph;
mod trail;
mod value;

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Strip, Template};

use crate::model::{Attribute, Block, FileIdx, ModuleDir};
use crate::source::SourceFile;

pub use budget::{Budget, Exceeded, Limit};
pub use graph::{cycle_message, local_cycles};
pub use value::{Value, format_number};

use budget::Growing;
use graph::LocalsGraph;
pub(crate) use trail::Trail;

/// Where part of a value came from, for secondary labels: "default of variable `x`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    pub what: String,
    pub kind: ViaKind,
}

/// What kind of step a [`Via`] is, for reports that classify where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViaKind {
    /// A `locals` entry.
    Local,
    /// A variable's `default`.
    VariableDefault,
    /// A variable with no default and no value given: set outside this code.
    VariableWithoutDefault,
    /// A variable given a value: tfvars, `--var`, `TF_VAR_*`, a module call's argument.
    VariableValue,
    /// The profile's default, chosen because the argument is null.
    ProfileDefault,
    /// The written value, read through the profile's `values`.
    ProfileReading,
}

/// A value given to a variable from outside the module directory's defaults:
/// a `.tfvars` file, `--var`, `TF_VAR_*`, or the arguments of a module call.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub value: Value,
    /// Where it was set, when that is a place in a file.
    pub via: Option<Via>,
    /// What set it, when it is not a file: "`TF_VAR_x`", "`--var x=...`".
    pub source: String,
}

pub type Bindings = HashMap<String, Binding>;

/// Names bound inside an expression: the variables of enclosing `for` expressions.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub file: FileIdx,
    names: Vec<(String, Value)>,
}

impl Env {
    pub fn new(file: FileIdx) -> Env {
        Env {
            file,
            names: Vec::new(),
        }
    }

    fn with(&self, bound: impl IntoIterator<Item = (String, Value)>) -> Env {
        let mut env = self.clone();
        env.names.extend(bound);
        env
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

struct VarDecl<'a> {
    file: FileIdx,
    block: &'a Block,
    default: Option<&'a Attribute>,
    ty: Option<String>,
}

/// A local's value, computed once, with its provenance.
struct Cached {
    value: Arc<Value>,
    trail: Arc<Trail>,
}

/// The evaluation scope of one module directory: its variables (with the
/// values bound from outside) and locals, within a [`Budget`].
pub struct Scope<'a> {
    dir: &'a ModuleDir,
    variables: HashMap<&'a str, VarDecl<'a>>,
    locals: HashMap<&'a str, (FileIdx, &'a Attribute)>,
    bindings: Bindings,
    budget: Budget,
    graph: OnceCell<LocalsGraph>,
    local_cache: RefCell<HashMap<String, Cached>>,
    depth: Cell<u32>,
    steps: Cell<u64>,
    /// Evaluating a variable's default, where Terraform allows no references.
    constant: Cell<bool>,
    exceeded: RefCell<Vec<Exceeded>>,
}

impl<'a> Scope<'a> {
    pub fn new(dir: &'a ModuleDir, bindings: Bindings) -> Self {
        Scope::with_budget(dir, bindings, Budget::default())
    }

    pub fn with_budget(dir: &'a ModuleDir, bindings: Bindings, budget: Budget) -> Self {
        let mut variables = HashMap::new();
        for (file, block) in dir.blocks() {
            if let ("variable", [name]) = (block.ident.as_str(), block.labels.as_slice()) {
                let ty = block.attribute("type").and_then(|a| match &a.value {
                    Expression::Variable(v) => Some(v.as_str().to_owned()),
                    _ => None,
                });
                variables.insert(
                    name.as_str(),
                    VarDecl {
                        file,
                        block,
                        default: block.attribute("default"),
                        ty,
                    },
                );
            }
        }
        Scope {
            dir,
            variables,
            locals: graph::locals_of(dir),
            bindings,
            budget,
            graph: OnceCell::new(),
            local_cache: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            steps: Cell::new(0),
            constant: Cell::new(false),
            exceeded: RefCell::new(Vec::new()),
        }
    }

    pub fn dir(&self) -> &'a ModuleDir {
        self.dir
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// The places whose value is unknown because the budget was reached, each once.
    pub fn exceeded(&self) -> Vec<Exceeded> {
        self.exceeded.borrow().clone()
    }

    /// Whether the module directory declares `variable "name"`.
    pub fn declares(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }

    fn via(&self, file: FileIdx, span: Range<usize>, what: String, kind: ViaKind) -> Via {
        Via {
            file: Arc::clone(&self.dir.files[file].source),
            span,
            what,
            kind,
        }
    }

    /// Notes that `limit` made the value at `span` (of the file `env` reads) unknown.
    fn exceed(&self, limit: Limit, file: FileIdx, span: Option<Range<usize>>) -> Value {
        let place =
            span.and_then(|span| Some((Arc::clone(&self.dir.files.get(file)?.source), span)));
        let mut exceeded = self.exceeded.borrow_mut();
        // the step budget runs out once; every other limit once per place
        let known = exceeded.iter().any(|e| {
            e.limit == limit
                && (limit == Limit::Steps
                    || match (&e.place, &place) {
                        (Some((f1, s1)), Some((f2, s2))) => Arc::ptr_eq(f1, f2) && s1 == s2,
                        (None, None) => true,
                        _ => false,
                    })
        });
        if !known {
            exceeded.push(Exceeded { limit, place });
        }
        Value::Unknown
    }

    /// Counts `n` steps; false (and noted) once the budget is spent.
    fn charge(&self, n: u64, file: FileIdx, span: Option<Range<usize>>) -> bool {
        let steps = self.steps.get().saturating_add(n);
        self.steps.set(steps);
        if steps > self.budget.steps {
            self.exceed(Limit::Steps, file, span);
            return false;
        }
        true
    }

    /// `value` if it is within the budget's size limits, else unknown (and noted).
    fn bounded(&self, value: Value, file: FileIdx, span: Option<Range<usize>>) -> Value {
        match self.budget.measure(&value) {
            Ok(_) => value,
            Err(limit) => self.exceed(limit, file, span),
        }
    }

    /// A copy of a stored value, paid for by its size: a step per element and
    /// per 64 bytes of text.
    fn copy(&self, value: &Value, file: FileIdx, span: Option<Range<usize>>) -> Value {
        let cost = match self.budget.measure(value) {
            Ok(size) => size.elements + size.bytes / 64,
            Err(limit) => return self.exceed(limit, file, span),
        };
        if self.charge(cost as u64, file, span) {
            value.clone()
        } else {
            Value::Unknown
        }
    }

    /// Evaluates a top-level expression of file `file`.
    pub fn eval_in(&self, file: FileIdx, expr: &Expression, vias: &mut Vec<Via>) -> Value {
        let mut trail = Trail::default();
        let value = self.eval(&Env::new(file), expr, &mut trail);
        trail.flatten_into(vias);
        value
    }

    /// Evaluates an expression, recording where referenced values came from.
    pub(crate) fn eval(&self, env: &Env, expr: &Expression, trail: &mut Trail) -> Value {
        let depth = self.depth.get();
        if depth >= self.budget.depth {
            return self.exceed(Limit::Depth, env.file, expr.span());
        }
        if !self.charge(1, env.file, expr.span()) {
            return Value::Unknown;
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(env, expr, trail);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, env: &Env, expr: &Expression, trail: &mut Trail) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => n.value().as_f64().map_or(Value::Unknown, Value::Number),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                let mut size = Growing::new(&self.budget);
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let v = self.eval(env, item, trail);
                    if let Err(limit) = size.add(&v, 0) {
                        return self.exceed(limit, env.file, expr.span());
                    }
                    out.push(v);
                }
                Value::List(out)
            }
            Expression::Object(object) => {
                let mut size = Growing::new(&self.budget);
                let mut map = BTreeMap::new();
                // a key the object repeats is there once, with its last value (the
                // parser set the earlier ones aside); a key written bare and quoted
                // (`a`, `"a"`) is two items, and the later one wins here too
                for (key, value) in object.iter() {
                    let name = match key {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(e) => {
                            match self.eval(env, e, trail).to_string_value() {
                                Some(Some(s)) => s,
                                _ => return Value::Unknown,
                            }
                        }
                    };
                    let v = self.eval(env, value.expr(), trail);
                    if let Err(limit) = size.add(&v, name.len()) {
                        return self.exceed(limit, env.file, expr.span());
                    }
                    map.insert(name, v);
                }
                Value::Object(map)
            }
            Expression::StringTemplate(t) => self.eval_template(env, t, expr.span(), trail),
            // The parser strips a `<<-` heredoc's indentation from its top-level
            // text only: with directives inside, the result would be wrong, so unknown.
            Expression::HeredocTemplate(h)
                if h.indent().is_some()
                    && h.template
                        .iter()
                        .any(|e| matches!(e, Element::Directive(_))) =>
            {
                Value::Unknown
            }
            Expression::HeredocTemplate(h) => {
                self.eval_template(env, &h.template, expr.span(), trail)
            }
            Expression::Parenthesis(p) => self.eval(env, p.inner(), trail),
            Expression::Variable(v) => match env.lookup(v.as_str()) {
                Some(value) => self.copy(value, env.file, expr.span()),
                None => Value::Unknown,
            },
            Expression::Conditional(c) => {
                let (chosen, other) = match self.eval(env, &c.cond_expr, trail).to_bool() {
                    Some(Some(true)) => (&c.true_expr, &c.false_expr),
                    Some(Some(false)) => (&c.false_expr, &c.true_expr),
                    _ => return Value::Unknown,
                };
                let value = self.eval(env, chosen, trail);
                // Terraform gives both branches one type: a number or bool
                // against a string branch becomes a string.
                match (&value, self.eval(env, other, &mut Trail::default())) {
                    (Value::Number(_) | Value::Bool(_), Value::String(_)) => value
                        .to_string_value()
                        .flatten()
                        .map_or(Value::Unknown, Value::String),
                    (Value::Number(_) | Value::Bool(_) | Value::String(_), Value::Unknown) => {
                        Value::Unknown
                    }
                    _ => value,
                }
            }
            Expression::FuncCall(call) => {
                let value = functions::call(self, env, call, trail);
                self.bounded(value, env.file, expr.span())
            }
            Expression::Traversal(t) => self.eval_traversal(env, t, trail),
            Expression::UnaryOp(op) => {
                let v = self.eval(env, &op.expr, trail);
                match op.operator.value() {
                    UnaryOperator::Not => match v.to_bool() {
                        Some(Some(b)) => Value::Bool(!b),
                        _ => Value::Unknown,
                    },
                    UnaryOperator::Neg => match v.to_number() {
                        Some(Some(n)) => Value::Number(-n),
                        _ => Value::Unknown,
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(env, &op.lhs_expr, trail);
                let rhs = self.eval(env, &op.rhs_expr, trail);
                binary(*op.operator.value(), lhs, rhs)
            }
            Expression::ForExpr(f) => self.eval_for(env, f, expr.span(), trail),
        }
    }

    /// `var.x.y`, `local.m["k"]`, `[...][*].id`: the root, then its operators.
    /// A stored value (a local, a bound variable) is walked by reference as far
    /// as the first splat, so that `local.big["k"]` copies one entry, not the map.
    fn eval_traversal(&self, env: &Env, t: &Traversal, trail: &mut Trail) -> Value {
        let span = t.span();
        let ops = &t.operators[..];
        let (root, ops): (Stored<'_>, _) = match &t.expr {
            Expression::Variable(root) if env.lookup(root.as_str()).is_none() => {
                let Some(TraversalOperator::GetAttr(name)) = ops.first().map(|o| o.value()) else {
                    return Value::Unknown;
                };
                let name = name.as_str();
                let stored = match root.as_str() {
                    _ if self.constant.get() => return Value::Unknown,
                    "var" => self.variable_stored(name, trail),
                    "local" => self.local_stored(name, trail),
                    // module outputs, data sources, resources, each, count, path, terraform:
                    // not knowable by reading the configuration.
                    _ => return Value::Unknown,
                };
                (stored, &ops[1..])
            }
            root => (Stored::Owned(self.eval(env, root, trail)), ops),
        };
        let shared;
        let mut at: &Value = match root {
            Stored::Owned(value) => return self.traverse(env, value, ops, trail),
            Stored::Shared(value) => {
                shared = value;
                &shared
            }
            Stored::Bound(value) => value,
        };
        // walk by reference while the operators only select
        let mut used = 0;
        for op in ops {
            let next = match op.value() {
                TraversalOperator::GetAttr(name) => match at {
                    Value::Object(map) => map.get(name.as_str()),
                    _ => None,
                },
                TraversalOperator::Index(index) => {
                    let index = self.eval(env, index, trail);
                    index_ref(at, &index)
                }
                TraversalOperator::LegacyIndex(i) => {
                    index_ref(at, &Value::Number(*i.value() as f64))
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => break,
            };
            let Some(next) = next else {
                return Value::Unknown;
            };
            at = next;
            used += 1;
        }
        let value = self.copy(at, env.file, span);
        self.traverse(env, value, &ops[used..], trail)
    }

    fn traverse(
        &self,
        env: &Env,
        mut value: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        trail: &mut Trail,
    ) -> Value {
        for (i, op) in ops.iter().enumerate() {
            value = match op.value() {
                TraversalOperator::GetAttr(name) => get_attr(value, name.as_str()),
                TraversalOperator::Index(index) => {
                    let index = self.eval(env, index, trail);
                    get_index(value, &index)
                }
                TraversalOperator::LegacyIndex(i) => {
                    get_index(value, &Value::Number(*i.value() as f64))
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        Value::Unknown => return Value::Unknown,
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    // `.*` applies only the attribute accesses that follow it to
                    // each element; `[*]` applies everything that follows.
                    let per_element = match op.value() {
                        TraversalOperator::AttrSplat(_) => rest
                            .iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count(),
                        _ => rest.len(),
                    };
                    // each splat applies the rest one level deeper: a chain of
                    // them is bounded by the depth budget, as nested expressions are
                    let depth = self.depth.get();
                    if depth >= self.budget.depth {
                        return self.exceed(Limit::Depth, env.file, op.span());
                    }
                    self.depth.set(depth + 1);
                    let mut size = Growing::new(&self.budget);
                    let mut mapped = Vec::with_capacity(items.len());
                    for item in items {
                        let v = self.traverse(env, item, &rest[..per_element], trail);
                        if let Err(limit) = size.add(&v, 0) {
                            self.depth.set(depth);
                            return self.exceed(limit, env.file, op.span());
                        }
                        mapped.push(v);
                    }
                    self.depth.set(depth);
                    return self.traverse(env, Value::List(mapped), &rest[per_element..], trail);
                }
            };
        }
        value
    }

    /// `[for k, v in coll : expr if cond]` and `{for k, v in coll : key => value...}`.
    fn eval_for(
        &self,
        env: &Env,
        f: &ForExpr,
        span: Option<Range<usize>>,
        trail: &mut Trail,
    ) -> Value {
        let Some(pairs) = iteration(self.eval(env, &f.intro.collection_expr, trail)) else {
            return Value::Unknown;
        };
        let mut size = Growing::new(&self.budget);
        let mut list = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        for (key, value) in pairs {
            let mut bound = vec![(f.intro.value_var.as_str().to_owned(), value)];
            if let Some(k) = &f.intro.key_var {
                bound.insert(0, (k.as_str().to_owned(), key));
            }
            let inner = env.with(bound);
            if let Some(cond) = &f.cond {
                match self.eval(&inner, &cond.expr, trail).to_bool() {
                    Some(Some(true)) => {}
                    Some(Some(false)) => continue,
                    _ => return Value::Unknown,
                }
            }
            let item = self.eval(&inner, &f.value_expr, trail);
            match &f.key_expr {
                None => {
                    if let Err(limit) = size.add(&item, 0) {
                        return self.exceed(limit, env.file, span);
                    }
                    list.push(item);
                }
                Some(key_expr) => {
                    let Some(Some(k)) = self.eval(&inner, key_expr, trail).to_string_value() else {
                        return Value::Unknown;
                    };
                    if let Err(limit) = size.add(&item, k.len()) {
                        return self.exceed(limit, env.file, span);
                    }
                    if f.grouping {
                        match object.entry(k).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(group) => group.push(item),
                            _ => return Value::Unknown,
                        }
                    } else if object.insert(k, item).is_some() {
                        // Terraform rejects a repeated key without grouping.
                        return Value::Unknown;
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Value::Object(object)
        } else {
            Value::List(list)
        }
    }

    /// The value of `var.name`: bound from outside (tfvars, CLI, environment, a
    /// module call), else its default; converted to its type constraint.
    pub fn variable(&self, name: &str, vias: &mut Vec<Via>) -> Value {
        let mut trail = Trail::default();
        let value = self.stored_value(self.variable_stored(name, &mut trail));
        trail.flatten_into(vias);
        value
    }

    fn variable_stored(&self, name: &str, trail: &mut Trail) -> Stored<'_> {
        let Some(decl) = self.variables.get(name) else {
            return Stored::Owned(Value::Unknown);
        };
        let value = if let Some(binding) = self.bindings.get(name) {
            match &binding.via {
                Some(via) => trail.push(Via {
                    what: format!("{} (variable `{name}`)", via.what),
                    kind: ViaKind::VariableValue,
                    ..via.clone()
                }),
                None => trail.push(self.via(
                    decl.file,
                    decl.block.header.clone(),
                    format!("variable `{name}`, set by {}", binding.source),
                    ViaKind::VariableValue,
                )),
            }
            match &decl.ty {
                // a conversion makes a new scalar; anything else is read in place
                Some(ty) if matches!(ty.as_str(), "bool" | "number" | "string") => {
                    binding.value.clone().convert_to(ty)
                }
                _ => return Stored::Bound(&binding.value),
            }
        } else if let Some(default) = decl.default {
            trail.push(self.via(
                decl.file,
                default.span.clone(),
                format!("default of variable `{name}`"),
                ViaKind::VariableDefault,
            ));
            // Terraform allows no references in a default: none is followed
            let constant = self.constant.replace(true);
            let value = self.eval(&Env::new(decl.file), &default.value, &mut Trail::default());
            self.constant.set(constant);
            match &decl.ty {
                Some(ty) => value.convert_to(ty),
                None => value,
            }
        } else {
            trail.push(self.via(
                decl.file,
                decl.block.header.clone(),
                format!(
                    "variable `{name}`, which has no default: its value is set outside this code"
                ),
                ViaKind::VariableWithoutDefault,
            ));
            Value::Unknown
        };
        Stored::Owned(value)
    }

    pub fn local(&self, name: &str, vias: &mut Vec<Via>) -> Value {
        let mut trail = Trail::default();
        let value = self.stored_value(self.local_stored(name, &mut trail));
        trail.flatten_into(vias);
        value
    }

    fn stored_value(&self, stored: Stored<'_>) -> Value {
        match stored {
            Stored::Owned(v) => v,
            Stored::Shared(v) => self.copy(&v, 0, None),
            Stored::Bound(v) => self.copy(v, 0, None),
        }
    }

    fn graph(&self) -> &LocalsGraph {
        self.graph.get_or_init(|| LocalsGraph::new(&self.locals))
    }

    /// A local's value: computed once, after the locals it refers to (in
    /// dependency order, without recursion), so it is the same whichever
    /// reference reaches it first.
    fn local_stored(&self, name: &str, trail: &mut Trail) -> Stored<'_> {
        if !self.locals.contains_key(name) {
            return Stored::Owned(Value::Unknown);
        }
        if !self.local_cache.borrow().contains_key(name) {
            self.evaluate_locals_for(name);
        }
        let cache = self.local_cache.borrow();
        let cached = &cache[name];
        trail.share(&cached.trail);
        Stored::Shared(Arc::clone(&cached.value))
    }

    /// Evaluates `name` and every local it needs that is not yet known,
    /// dependencies first.
    fn evaluate_locals_for(&self, name: &str) {
        let graph = self.graph();
        let cached = |n: &str| self.local_cache.borrow().contains_key(n);
        let mut stack: Vec<(&str, bool)> = vec![(name, false)];
        while let Some((n, expanded)) = stack.pop() {
            if cached(n) {
                continue;
            }
            if expanded || graph.cyclic.contains(n) {
                self.evaluate_local(n, graph.cyclic.contains(n));
                continue;
            }
            stack.push((n, true));
            for dep in graph.deps.get(n).into_iter().flatten() {
                if !cached(dep) {
                    stack.push((dep.as_str(), false));
                }
            }
        }
    }

    /// Evaluates one local whose references are all known (or that is part of
    /// a cycle, and so unknown), at depth zero: its value does not depend on
    /// how deep the reference that needed it was.
    fn evaluate_local(&self, name: &str, cyclic: bool) {
        let (file, attr) = self.locals[name];
        let mut trail = Trail::default();
        trail.push(self.via(
            file,
            attr.span.clone(),
            format!("local `{name}`"),
            ViaKind::Local,
        ));
        let value = if cyclic {
            Value::Unknown
        } else {
            let depth = self.depth.replace(0);
            let constant = self.constant.replace(false);
            let value = self.eval(&Env::new(file), &attr.value, &mut trail);
            self.depth.set(depth);
            self.constant.set(constant);
            value
        };
        let value = self.bounded(value, file, Some(attr.span.clone()));
        self.local_cache.borrow_mut().insert(
            name.to_owned(),
            Cached {
                value: Arc::new(value),
                trail: Arc::new(trail),
            },
        );
    }

    fn eval_template(
        &self,
        env: &Env,
        template: &Template,
        span: Option<Range<usize>>,
        trail: &mut Trail,
    ) -> Value {
        // `"${x}"` is x itself, not its string form (HCL's template unwrapping)
        if let Some(Element::Interpolation(i)) = template.as_single_element()
            && i.strip == Strip::None
        {
            return self.eval(env, &i.expr, trail);
        }
        let mut out = String::new();
        match self.render_template(env, template, trail, &mut out) {
            Ok(true) => Value::String(out),
            Ok(false) => Value::Unknown,
            Err(limit) => self.exceed(limit, env.file, span),
        }
    }

    /// Appends the rendered template to `out`; false when a part is unknown.
    /// Whitespace-stripping markers (`~`) are not modelled: such a template is unknown.
    fn render_template(
        &self,
        env: &Env,
        template: &Template,
        trail: &mut Trail,
        out: &mut String,
    ) -> Result<bool, Limit> {
        for element in template.iter() {
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    if i.strip != Strip::None {
                        return Ok(false);
                    }
                    match self.eval(env, &i.expr, trail).to_string_value() {
                        Some(Some(s)) => out.push_str(&s),
                        _ => return Ok(false),
                    }
                }
                Element::Directive(directive) => match &**directive {
                    Directive::If(d) => {
                        let strips = [
                            Some(d.if_expr.strip),
                            d.else_expr.as_ref().map(|e| e.strip),
                            Some(d.endif_expr.strip),
                        ];
                        if strips.iter().flatten().any(|s| *s != Strip::None) {
                            return Ok(false);
                        }
                        match self.eval(env, &d.if_expr.cond_expr, trail).to_bool() {
                            Some(Some(true)) => {
                                if !self.render_template(env, &d.if_expr.template, trail, out)? {
                                    return Ok(false);
                                }
                            }
                            Some(Some(false)) => {
                                if let Some(e) = &d.else_expr
                                    && !self.render_template(env, &e.template, trail, out)?
                                {
                                    return Ok(false);
                                }
                            }
                            _ => return Ok(false),
                        }
                    }
                    Directive::For(d) => {
                        if d.for_expr.strip != Strip::None || d.endfor_expr.strip != Strip::None {
                            return Ok(false);
                        }
                        let Some(pairs) =
                            iteration(self.eval(env, &d.for_expr.collection_expr, trail))
                        else {
                            return Ok(false);
                        };
                        for (key, value) in pairs {
                            let mut bound = vec![(d.for_expr.value_var.as_str().to_owned(), value)];
                            if let Some(k) = &d.for_expr.key_var {
                                bound.insert(0, (k.as_str().to_owned(), key));
                            }
                            if !self.render_template(
                                &env.with(bound),
                                &d.for_expr.template,
                                trail,
                                out,
                            )? {
                                return Ok(false);
                            }
                        }
                    }
                },
            }
            if out.len() > self.budget.value_bytes {
                return Err(Limit::ValueBytes);
            }
        }
        Ok(true)
    }
}

/// A value as a traversal's root finds it: computed, or stored in the scope
/// (read by reference, copied only as far as the traversal needs).
enum Stored<'s> {
    Owned(Value),
    Shared(Arc<Value>),
    Bound(&'s Value),
}

/// The `(key, value)` pairs a `for` iterates: index and element of a list,
/// key and value of an object; `None` for anything else (or unknown).
fn iteration(collection: Value) -> Option<Vec<(Value, Value)>> {
    match collection {
        Value::List(items) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
        ),
        Value::Object(map) => Some(
            map.into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        ),
        _ => None,
    }
}

fn get_attr(value: Value, name: &str) -> Value {
    match value {
        Value::Object(mut map) => map.remove(name).unwrap_or(Value::Unknown),
        _ => Value::Unknown,
    }
}

fn get_index(value: Value, index: &Value) -> Value {
    match (value, index) {
        (Value::List(mut items), Value::Number(n)) if *n >= 0.0 && (*n as usize) < items.len() => {
            items.swap_remove(*n as usize)
        }
        (Value::Object(mut map), key) => match key.to_string_value() {
            Some(Some(k)) => map.remove(&k).unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        },
        _ => Value::Unknown,
    }
}

/// `value[index]` by reference, as [`get_index`] reads it.
fn index_ref<'v>(value: &'v Value, index: &Value) -> Option<&'v Value> {
    match (value, index) {
        (Value::List(items), Value::Number(n)) if *n >= 0.0 => items.get(*n as usize),
        (Value::Object(map), key) => map.get(&key.to_string_value()??),
        _ => None,
    }
}

/// Terraform equality: values of different types are not equal, except that
/// there is no implicit conversion at all (`"1" == 1` is false).
fn equal(lhs: &Value, rhs: &Value) -> Option<bool> {
    if lhs.contains_unknown() || rhs.contains_unknown() {
        return None;
    }
    Some(lhs == rhs)
}

fn binary(op: BinaryOperator, lhs: Value, rhs: Value) -> Value {
    use BinaryOperator as B;
    match op {
        B::Eq => equal(&lhs, &rhs).map_or(Value::Unknown, Value::Bool),
        B::NotEq => equal(&lhs, &rhs).map_or(Value::Unknown, |b| Value::Bool(!b)),
        B::And => match (lhs.to_bool(), rhs.to_bool()) {
            (Some(Some(false)), _) | (_, Some(Some(false))) => Value::Bool(false),
            (Some(Some(true)), Some(Some(true))) => Value::Bool(true),
            _ => Value::Unknown,
        },
        B::Or => match (lhs.to_bool(), rhs.to_bool()) {
            (Some(Some(true)), _) | (_, Some(Some(true))) => Value::Bool(true),
            (Some(Some(false)), Some(Some(false))) => Value::Bool(false),
            _ => Value::Unknown,
        },
        _ => {
            let (Some(Some(a)), Some(Some(b))) = (lhs.to_number(), rhs.to_number()) else {
                return Value::Unknown;
            };
            match op {
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div if b != 0.0 => Value::Number(a / b),
                B::Mod if b != 0.0 => Value::Number(a % b),
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                _ => Value::Unknown,
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// Evaluates `expr`, an expression written over `var.*` as a module writes it
/// (from a profile), with the given variable values; `Unknown` when it does
/// not parse or reads anything else.
pub fn eval_module_expression(expr: &str, vars: &BTreeMap<String, Value>) -> Value {
    let mut text = String::new();
    for name in vars.keys() {
        text.push_str(&format!("variable \"{name}\" {{}}\n"));
    }
    text.push_str(&format!("locals {{\n  value = {expr}\n}}\n"));
    let Ok(parsed) = crate::hcl::parse_hcl(&text) else {
        return Value::Unknown;
    };
    let source = Arc::new(SourceFile::new("<profile expression>", text.as_str()));
    let dir = ModuleDir {
        path: "<profile expression>".to_owned(),
        files: vec![crate::model::TfFile::from_body(
            source,
            parsed.body,
            Vec::new(),
        )],
    };
    let bindings = vars
        .iter()
        .map(|(name, value)| {
            let binding = Binding {
                value: value.clone(),
                via: None,
                source: "the module call".to_owned(),
            };
            (name.clone(), binding)
        })
        .collect();
    Scope::new(&dir, bindings).local("value", &mut Vec::new())
}
