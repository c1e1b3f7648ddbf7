//! The evaluation budget: how much work one module instance may cost and how
//! large a value may grow. Past a limit the value is [`Value::Unknown`], and
//! the place is recorded as an [`Exceeded`] so that reports can count it.

use std::ops::Range;
use std::sync::Arc;

use super::Value;
use crate::source::SourceFile;

/// Limits on static evaluation, per module instance (see [`crate::LinterBuilder::budget`]).
///
/// The defaults are far above what real configuration needs (checking 1,466
/// real namespace folders, no module instance took more than 1,000 steps, and
/// none reached any limit), and low enough that a pathological input
/// (doubling locals, nested `for` loops, a wide tree of module calls) ends in
/// well under a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Evaluation steps: each expression evaluated, and each element (and 64
    /// bytes of text) of a value copied, counts one.
    pub steps: u64,
    /// Elements of one value: every list item, object entry and scalar inside it.
    pub value_elements: usize,
    /// Bytes of text in one value: its strings and object keys.
    pub value_bytes: usize,
    /// Nesting of expressions being evaluated (splats and conditionals inside
    /// one another, a variable's default), and of values (lists in lists).
    pub depth: u32,
    /// Module instances under one root, its own included: calls of calls.
    pub module_instances: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            steps: 1_000_000,
            value_elements: 100_000,
            value_bytes: 1 << 20,
            depth: 64,
            module_instances: 1_000,
        }
    }
}

/// Which limit of the [`Budget`] was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    Steps,
    ValueElements,
    ValueBytes,
    Depth,
}

/// A place whose value is unknown because a limit was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: Limit,
    /// The expression being evaluated when the limit was reached, when it has a place.
    pub place: Option<(Arc<SourceFile>, Range<usize>)>,
}

/// The size of a value, as the budget counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Size {
    pub elements: usize,
    pub bytes: usize,
    /// 0 for a scalar, one more than its deepest element for a collection.
    pub depth: u32,
}

impl Budget {
    /// Which limit `size` passes, if any.
    pub(super) fn check(&self, size: Size) -> Result<(), Limit> {
        if size.elements > self.value_elements {
            Err(Limit::ValueElements)
        } else if size.bytes > self.value_bytes {
            Err(Limit::ValueBytes)
        } else if size.depth > self.depth {
            Err(Limit::Depth)
        } else {
            Ok(())
        }
    }

    /// The size of `value`, walked without recursion and given up as soon as
    /// a limit is passed (so the cost is bounded by the budget, not the value).
    pub(super) fn measure(&self, value: &Value) -> Result<Size, Limit> {
        let mut size = Size::default();
        let mut stack: Vec<(&Value, u32)> = vec![(value, 0)];
        while let Some((v, depth)) = stack.pop() {
            size.elements += 1;
            size.depth = size.depth.max(depth);
            match v {
                Value::String(s) => size.bytes += s.len(),
                Value::List(items) => {
                    if depth >= self.depth && !items.is_empty() {
                        return Err(Limit::Depth);
                    }
                    stack.extend(items.iter().map(|i| (i, depth + 1)));
                }
                Value::Object(map) => {
                    if depth >= self.depth && !map.is_empty() {
                        return Err(Limit::Depth);
                    }
                    for (k, item) in map {
                        size.bytes += k.len();
                        stack.push((item, depth + 1));
                    }
                }
                _ => {}
            }
            self.check(size)?;
        }
        Ok(size)
    }
}

/// The size of a collection built item by item, checked as it grows.
pub(super) struct Growing<'b> {
    budget: &'b Budget,
    size: Size,
}

impl<'b> Growing<'b> {
    pub(super) fn new(budget: &'b Budget) -> Self {
        Growing {
            budget,
            size: Size {
                elements: 1,
                bytes: 0,
                depth: 1,
            },
        }
    }

    /// Adds an item (with its key's length, for an object).
    pub(super) fn add(&mut self, item: &Value, key_bytes: usize) -> Result<(), Limit> {
        let s = self.budget.measure(item)?;
        self.size.elements += s.elements;
        self.size.bytes += s.bytes + key_bytes;
        self.size.depth = self.size.depth.max(s.depth + 1);
        self.budget.check(self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measuring_stops_at_the_first_limit_passed() {
        let budget = Budget {
            value_elements: 10,
            value_bytes: 8,
            depth: 2,
            ..Budget::default()
        };
        let list = |items: Vec<Value>| Value::List(items);
        assert_eq!(
            budget.measure(&list(vec![Value::Null; 3])),
            Ok(Size {
                elements: 4,
                bytes: 0,
                depth: 1
            })
        );
        assert_eq!(
            budget.measure(&list(vec![Value::Null; 10])),
            Err(Limit::ValueElements)
        );
        assert_eq!(
            budget.measure(&Value::String("123456789".into())),
            Err(Limit::ValueBytes)
        );
        assert_eq!(
            budget.measure(&list(vec![list(vec![list(vec![Value::Null])])])),
            Err(Limit::Depth)
        );
    }
}
