//! Provenance under construction: the steps a value went through.
//!
//! A local's provenance is computed once and shared by every value that uses
//! it, never copied: `l1 = concat(local.l0, local.l0)` holds `l0`'s steps by
//! reference, twice, and reading it out lists them once. Twenty-four such
//! locals are twenty-four shared parts, not 2^24 copies. Read out, a trail
//! lists at most [`MAX_STEPS`] steps, and always its last one (where the value
//! was written), whatever lies between.

use std::collections::HashSet;
use std::sync::Arc;

use super::Via;

#[derive(Debug, Default)]
pub(crate) struct Trail {
    items: Vec<Item>,
    /// The last step, kept so that a long trail read out to [`MAX_STEPS`] still ends with it.
    last: Option<Via>,
}

/// The most steps a trail lists when read out (labels show three, `inspect` all of them).
pub(crate) const MAX_STEPS: usize = 256;

#[derive(Debug)]
enum Item {
    Step(Via),
    Shared(Arc<Trail>),
}

impl Trail {
    pub(crate) fn push(&mut self, via: Via) {
        self.last = Some(via.clone());
        self.items.push(Item::Step(via));
    }

    /// Adds another trail's steps by reference.
    pub(crate) fn share(&mut self, other: &Arc<Trail>) {
        if !other.items.is_empty() {
            self.last = other.last.clone();
            self.items.push(Item::Shared(Arc::clone(other)));
        }
    }

    /// Appends the steps, in order, each shared part the first time it appears,
    /// at most [`MAX_STEPS`] of them and then the last; walked without recursion.
    pub(crate) fn flatten_into(&self, out: &mut Vec<Via>) {
        let mut seen: HashSet<*const Trail> = HashSet::new();
        let mut stack = vec![self.items.iter()];
        let mut listed = 0;
        let mut truncated = false;
        while let Some(top) = stack.last_mut() {
            match top.next() {
                None => {
                    stack.pop();
                }
                Some(Item::Step(via)) => {
                    if listed == MAX_STEPS {
                        truncated = true;
                        break;
                    }
                    out.push(via.clone());
                    listed += 1;
                }
                Some(Item::Shared(t)) => {
                    if seen.insert(Arc::as_ptr(t)) {
                        stack.push(t.items.iter());
                    }
                }
            }
        }
        if truncated {
            out.extend(self.last.clone());
        }
    }
}

impl Drop for Trail {
    /// Without recursion: a chain of 10,000 locals, each sharing the one before,
    /// is a chain of 10,000 `Arc`s.
    fn drop(&mut self) {
        let mut work = std::mem::take(&mut self.items);
        while let Some(item) = work.pop() {
            if let Item::Shared(shared) = item
                && let Some(mut inner) = Arc::into_inner(shared)
            {
                work.append(&mut inner.items);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::ViaKind;
    use crate::source::SourceFile;

    fn via(what: &str) -> Via {
        Via {
            file: Arc::new(SourceFile::new("m.tf", "")),
            span: 0..0,
            what: what.to_owned(),
            kind: ViaKind::Local,
        }
    }

    #[test]
    fn shared_parts_are_listed_once_and_long_chains_drop() {
        let mut l0 = Trail::default();
        l0.push(via("l0"));
        let mut shared = Arc::new(l0);
        for i in 1..100_000 {
            let mut next = Trail::default();
            next.push(via(&format!("l{i}")));
            next.share(&shared);
            next.share(&shared);
            shared = Arc::new(next);
        }
        let mut top = Trail::default();
        top.share(&shared);
        let mut out = Vec::new();
        top.flatten_into(&mut out);
        assert_eq!(out.len(), MAX_STEPS + 1);
        assert_eq!(out[0].what, "l99999");
        assert_eq!(out[MAX_STEPS - 1].what, format!("l{}", 100_000 - MAX_STEPS));
        assert_eq!(out[MAX_STEPS].what, "l0", "the last step is always listed");
        let mut short = Trail::default();
        short.push(via("a"));
        let short = Arc::new(short);
        let mut both = Trail::default();
        both.push(via("b"));
        both.share(&short);
        both.share(&short);
        let mut out = Vec::new();
        both.flatten_into(&mut out);
        let whats: Vec<_> = out.iter().map(|v| v.what.as_str()).collect();
        assert_eq!(whats, ["b", "a"]);
        drop(shared);
        drop(top);
    }
}
