//! Where a planned change is in the code: the data store's block in the
//! checked folder (the resource, or the module call that holds it), else in
//! PR mode the block at the base, where a deleted block still is.

use std::collections::{BTreeMap, HashMap};

use crate::rules::Inspected;

/// A store found for a change, and whether it is the base's (its block is gone at the head).
#[derive(Clone, Copy)]
pub(crate) struct Located<'a> {
    pub store: &'a Inspected,
    pub at_base: bool,
}

/// The data stores of the plan's root module folder, at the head and the base.
pub(crate) struct Locator<'a> {
    head: HashMap<&'a str, &'a Inspected>,
    base: HashMap<&'a str, &'a Inspected>,
}

impl<'a> Locator<'a> {
    /// `wanted` lists, for each change, the addresses that may name its block
    /// (its own without instance keys, the module call holding it). The root
    /// folder is the one whose stores answer most of them; none when two tie.
    pub fn new(head: &'a [Inspected], base: &'a [Inspected], wanted: &[Vec<String>]) -> Self {
        let mut hits: BTreeMap<&str, usize> = BTreeMap::new();
        let mut roots_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for s in head.iter().chain(base) {
            roots_of
                .entry(s.address.as_str())
                .or_default()
                .push(s.root.as_str());
        }
        for addresses in wanted {
            let mut roots: Vec<&str> = addresses
                .iter()
                .filter_map(|a| roots_of.get(a.as_str()))
                .flatten()
                .copied()
                .collect();
            roots.sort_unstable();
            roots.dedup();
            for root in roots {
                *hits.entry(root).or_insert(0) += 1;
            }
        }
        let best = hits.values().copied().max().unwrap_or(0);
        let winners: Vec<&str> = hits
            .iter()
            .filter(|(_, n)| **n == best && best > 0)
            .map(|(r, _)| *r)
            .collect();
        let root = match winners.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let index = |stores: &'a [Inspected]| {
            stores
                .iter()
                .filter(|s| Some(s.root.as_str()) == root)
                .map(|s| (s.address.as_str(), s))
                .collect()
        };
        Locator {
            head: index(head),
            base: index(base),
        }
    }

    /// The first of `addresses` with a block at the head, else at the base.
    pub fn find(&self, addresses: &[String]) -> Option<Located<'a>> {
        let look = |map: &HashMap<&'a str, &'a Inspected>| {
            addresses.iter().find_map(|a| map.get(a.as_str()).copied())
        };
        if let Some(store) = look(&self.head) {
            return Some(Located {
                store,
                at_base: false,
            });
        }
        look(&self.base).map(|store| Located {
            store,
            at_base: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Value;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn store(root: &str, address: &str) -> Inspected {
        Inspected {
            file: Arc::new(SourceFile::new(format!("{root}/main.tf"), "")),
            span: 0..0,
            block: 0..0,
            root: root.to_owned(),
            address: address.to_owned(),
            kind: "rds_instance".to_owned(),
            profile: "resource aws_db_instance".to_owned(),
            in_production: Value::Unknown,
            fields: Default::default(),
            arguments: Default::default(),
            replacement_forcing: Vec::new(),
            input_defaults: Default::default(),
            module_call: false,
        }
    }

    #[test]
    fn the_root_that_holds_most_of_the_plan_is_the_plans() {
        let head = vec![
            store("a", "aws_db_instance.db"),
            store("b", "aws_db_instance.db"),
            store("b", "aws_s3_bucket.logs"),
        ];
        let wanted = vec![
            vec!["aws_db_instance.db".to_owned()],
            vec!["aws_s3_bucket.logs".to_owned()],
        ];
        let l = Locator::new(&head, &[], &wanted);
        let found = l.find(&wanted[0]).unwrap();
        assert_eq!(found.store.root, "b");
        assert!(!found.at_base);
    }

    #[test]
    fn two_roots_that_answer_alike_locate_nothing() {
        let head = vec![
            store("a", "aws_db_instance.db"),
            store("b", "aws_db_instance.db"),
        ];
        let wanted = vec![vec!["aws_db_instance.db".to_owned()]];
        assert!(Locator::new(&head, &[], &wanted).find(&wanted[0]).is_none());
    }

    #[test]
    fn a_block_gone_at_the_head_is_found_at_the_base() {
        let head = vec![store(".", "aws_db_instance.kept")];
        let base = vec![
            store(".", "aws_db_instance.kept"),
            store(".", "aws_db_instance.gone"),
        ];
        let wanted = vec![
            vec!["aws_db_instance.kept".to_owned()],
            vec!["aws_db_instance.gone".to_owned()],
        ];
        let l = Locator::new(&head, &base, &wanted);
        let gone = l.find(&wanted[1]).unwrap();
        assert!(gone.at_base);
    }
}
