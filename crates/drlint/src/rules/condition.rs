//! The condition language shared by every rule: comparisons over named fields,
//! evaluated in three-valued logic so that an unknown value never fires a rule.
//!
//! A field is whatever the subject names: a canonical attribute of a data
//! store (`deletion_protection`), a raw argument (`source`), and later a Helm
//! values path or a `base.`/`head.` pair in PR mode. Conditions only see the
//! [`Fields`] trait, so new subjects need no change here.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;

use crate::eval::{Value, Via};
use crate::profile::Scalar;
use crate::source::SourceFile;

/// True, false, or unknown (some value it depends on cannot be known statically).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Written in the block: the argument as written (`db_backup_retention_period`), its
    /// span, and the variables or locals its value went through (and, when a profile's
    /// `values` translate it, that translation, at the argument's own span).
    Set {
        name: String,
        file: Arc<SourceFile>,
        span: Range<usize>,
        vias: Vec<Via>,
    },
    /// Absent; the profile's default for the input `input` applies.
    Default {
        input: Option<String>,
        profile: String,
        note: Option<String>,
    },
    /// Hard-coded by the module; the caller cannot set it.
    Fixed {
        profile: String,
        note: Option<String>,
    },
    /// Set by a separate resource (`aws_s3_bucket_versioning` for a bucket).
    Companion {
        file: Arc<SourceFile>,
        span: Range<usize>,
        address: String,
        /// The variables or module arguments the companion's value went through.
        vias: Vec<Via>,
    },
    /// Absent, and nothing supplies a value.
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: Value,
    pub origin: Origin,
}

impl Field {
    pub fn absent() -> Field {
        Field {
            value: Value::Null,
            origin: Origin::Absent,
        }
    }

    /// Set explicitly (in the block or by a companion) to something other than
    /// a known null or empty string, which Terraform and the AWS provider treat
    /// as unset. An unknown value counts as set: `replicate_source_db =
    /// module.db.id` is a replica.
    pub fn is_present(&self) -> bool {
        let empty = match &self.value {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        matches!(self.origin, Origin::Set { .. } | Origin::Companion { .. }) && !empty
    }
}

/// What a condition can ask of a subject.
pub trait Fields {
    fn field(&self, name: &str) -> Field;
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The field's value, converted as Terraform would to the type of `value`, equals it.
    Equals(Compare),
    LessThan(Compare),
    GreaterThan(Compare),
    /// The field's value, as a string, matches a regular expression.
    Matches(Pattern),
    /// The field is set (to anything but null, including an unknown value).
    Present(String),
    Absent(String),
    /// The module hard-codes the field: the caller cannot change it (origin `fixed`).
    Fixed(String),
    /// The field is a list (a module input such as `lifecycle_rule = [{...}]`, or
    /// repeated nested blocks such as `rule { ... }`) or a map of objects (`secrets =
    /// { name = {...} }`, its values are the items), and the condition holds for at
    /// least one item. Inside, field names are paths into the item.
    AnyItem(ItemCondition),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    pub field: String,
    /// A literal to compare with...
    #[serde(default)]
    pub value: Option<Scalar>,
    /// ...or the name of one of the rule's options (`min_days`).
    #[serde(default)]
    pub option: Option<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemCondition {
    pub field: String,
    /// Evaluated for each item; its fields are dotted paths into the item
    /// (`expiration.days`). A list of objects on the path (a nested block, or
    /// the module's `[{ days = 30 }]`) is walked into its first object.
    pub when: Box<Condition>,
    /// The path in an item a finding points at, when the item is written in
    /// place (`expiration.days`); by default, the first field `when` reads.
    #[serde(default)]
    pub target: Option<String>,
}

/// The items of a list or map field for which an `any_item` condition holds.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedItems {
    /// The list or map field.
    pub field: String,
    /// The path in each item that a finding points at.
    pub target: Option<String>,
    /// The items that match, in the field's order (a map's keys sorted).
    pub items: Vec<ItemKey>,
}

/// One item of a list or map field.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKey {
    /// The item at this index of a list, with its `id` or `name` when it has one.
    Index(usize, Option<String>),
    /// The value at this key of a map.
    Key(String),
}

impl ItemKey {
    /// How a message names the item: its key, `id` or `name`, else its 1-based place.
    pub fn name(&self) -> String {
        match self {
            ItemKey::Key(k) | ItemKey::Index(_, Some(k)) => format!("`{k}`"),
            ItemKey::Index(i, None) => format!("#{}", i + 1),
        }
    }
}

impl MatchedItems {
    /// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and 3 more ``.
    pub fn names(&self) -> String {
        let names: Vec<String> = self.items.iter().map(ItemKey::name).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [a, b] => format!("{a} and {b}"),
            [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub field: String,
    #[serde(with = "serde_regex_str")]
    #[schemars(with = "String")]
    pub pattern: regex::Regex,
}

mod serde_regex_str {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<regex::Regex, D::Error> {
        let s = String::deserialize(d)?;
        regex::Regex::new(&s).map_err(serde::de::Error::custom)
    }
}

impl Condition {
    pub fn evaluate(&self, fields: &dyn Fields, options: &BTreeMap<String, Scalar>) -> Truth {
        match self {
            Condition::Equals(c) => c.evaluate(
                fields,
                options,
                |ord| ord == std::cmp::Ordering::Equal,
                true,
            ),
            Condition::LessThan(c) => c.evaluate(
                fields,
                options,
                |ord| ord == std::cmp::Ordering::Less,
                false,
            ),
            Condition::GreaterThan(c) => c.evaluate(
                fields,
                options,
                |ord| ord == std::cmp::Ordering::Greater,
                false,
            ),
            Condition::Matches(p) => {
                let field = fields.field(&p.field);
                match field.value.to_string_value() {
                    Some(Some(s)) => Truth::from_bool(p.pattern.is_match(&s)),
                    Some(None) => Truth::Unknown,
                    None => Truth::False,
                }
            }
            Condition::Present(name) => Truth::from_bool(fields.field(name).is_present()),
            Condition::Absent(name) => Truth::from_bool(!fields.field(name).is_present()),
            Condition::Fixed(name) => {
                Truth::from_bool(matches!(fields.field(name).origin, Origin::Fixed { .. }))
            }
            Condition::AnyItem(c) => {
                let list = fields.field(&c.field);
                let items: Vec<&Value> = match &list.value {
                    Value::Unknown => return Truth::Unknown,
                    Value::List(items) => items.iter().collect(),
                    Value::Object(map) => map.values().collect(),
                    _ => return Truth::False,
                };
                let mut out = Truth::False;
                for item in items {
                    let item = Item {
                        value: item,
                        origin: &list.origin,
                    };
                    match c.when.evaluate(&item, options) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            Condition::All(conds) => {
                let mut out = Truth::True;
                for c in conds {
                    match c.evaluate(fields, options) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                out
            }
            Condition::Any(conds) => {
                let mut out = Truth::False;
                for c in conds {
                    match c.evaluate(fields, options) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            Condition::Not(c) => c.evaluate(fields, options).not(),
        }
    }

    /// The items that make the first `any_item` condition that holds true
    /// hold (inside `all` and `any`, never under `not`).
    pub fn matched_items(
        &self,
        fields: &dyn Fields,
        options: &BTreeMap<String, Scalar>,
    ) -> Option<MatchedItems> {
        match self {
            Condition::AnyItem(c) => {
                let list = fields.field(&c.field);
                let items: Vec<(ItemKey, &Value)> = match &list.value {
                    Value::List(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let name = ["id", "name"].iter().find_map(|k| match walk(v, k) {
                                Some(Value::String(s)) if !s.is_empty() => Some(s),
                                _ => None,
                            });
                            (ItemKey::Index(i, name), v)
                        })
                        .collect(),
                    Value::Object(map) => map
                        .iter()
                        .map(|(k, v)| (ItemKey::Key(k.clone()), v))
                        .collect(),
                    _ => return None,
                };
                let matching: Vec<ItemKey> = items
                    .into_iter()
                    .filter(|(_, value)| {
                        let item = Item {
                            value,
                            origin: &list.origin,
                        };
                        c.when.evaluate(&item, options) == Truth::True
                    })
                    .map(|(key, _)| key)
                    .collect();
                if matching.is_empty() {
                    return None;
                }
                let target = c.target.clone().or_else(|| c.when.first_field());
                Some(MatchedItems {
                    field: c.field.clone(),
                    target,
                    items: matching,
                })
            }
            Condition::All(cs) | Condition::Any(cs) => cs
                .iter()
                .filter(|c| c.evaluate(fields, options) == Truth::True)
                .find_map(|c| c.matched_items(fields, options)),
            _ => None,
        }
    }

    /// The first field the condition reads.
    fn first_field(&self) -> Option<String> {
        match self {
            Condition::Equals(c) | Condition::LessThan(c) | Condition::GreaterThan(c) => {
                Some(c.field.clone())
            }
            Condition::Matches(p) => Some(p.field.clone()),
            Condition::Present(f) | Condition::Absent(f) | Condition::Fixed(f) => Some(f.clone()),
            Condition::AnyItem(c) => Some(c.field.clone()),
            Condition::All(cs) | Condition::Any(cs) => cs.iter().find_map(Condition::first_field),
            Condition::Not(c) => c.first_field(),
        }
    }

    /// Every option name the condition reads.
    pub fn options(&self, out: &mut Vec<String>) {
        match self {
            Condition::Equals(c) | Condition::LessThan(c) | Condition::GreaterThan(c) => {
                out.extend(c.option.clone())
            }
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.options(out)),
            Condition::Not(c) => c.options(out),
            Condition::AnyItem(c) => c.when.options(out),
            _ => {}
        }
    }
}

/// One item of a list field, as fields: paths into the item. A key that is
/// there counts as set where the list was set.
struct Item<'v> {
    value: &'v Value,
    origin: &'v Origin,
}

impl Fields for Item<'_> {
    fn field(&self, name: &str) -> Field {
        match walk(self.value, name) {
            Some(value) => Field {
                value,
                origin: self.origin.clone(),
            },
            None => Field::absent(),
        }
    }
}

/// The value at a dotted path inside `value`: object keys, and a list of
/// objects on the way is walked into its first item (Terraform allows one
/// `expiration` block in a lifecycle rule; the module takes `expiration =
/// [{ days = 30 }]`). `None` when a key is missing or the value is null;
/// unknown when an unknown value is on the way.
pub fn walk(value: &Value, path: &str) -> Option<Value> {
    let mut current = value;
    for key in path.split('.') {
        if let Value::List(items) = current {
            current = items.first()?;
        }
        current = match current {
            Value::Object(map) => map.get(key)?,
            Value::Unknown => return Some(Value::Unknown),
            _ => return None,
        };
    }
    match current {
        Value::Null => None,
        Value::List(items) if items.is_empty() => None,
        v => Some(v.clone()),
    }
}

impl Compare {
    fn expected(&self, options: &BTreeMap<String, Scalar>) -> Option<Scalar> {
        match (&self.value, &self.option) {
            (Some(v), _) => Some(v.clone()),
            (None, Some(name)) => options.get(name).cloned(),
            (None, None) => None,
        }
    }

    /// Converts the field to the expected value's type and orders the two.
    /// Equality of a value that cannot be converted is false (Terraform would
    /// reject the value); ordering applies to numbers only.
    fn evaluate(
        &self,
        fields: &dyn Fields,
        options: &BTreeMap<String, Scalar>,
        accept: impl Fn(std::cmp::Ordering) -> bool,
        equality: bool,
    ) -> Truth {
        let Some(expected) = self.expected(options) else {
            return Truth::Unknown;
        };
        let value = fields.field(&self.field).value;
        if value.is_unknown() {
            return Truth::Unknown;
        }
        let ordering = match &expected {
            Scalar::Bool(b) if equality => match value.to_bool() {
                Some(Some(v)) => Some(v.cmp(b)),
                Some(None) => return Truth::Unknown,
                None => None,
            },
            Scalar::Number(n) => match value.to_number() {
                Some(Some(v)) => v.partial_cmp(n),
                Some(None) => return Truth::Unknown,
                None => None,
            },
            Scalar::String(s) if equality => match value.to_string_value() {
                Some(Some(v)) => Some(v.as_str().cmp(s.as_str())),
                Some(None) => return Truth::Unknown,
                None => None,
            },
            Scalar::Null(()) if equality => Some(if value.is_null() {
                std::cmp::Ordering::Equal
            } else {
                std::cmp::Ordering::Greater
            }),
            _ => None,
        };
        Truth::from_bool(ordering.is_some_and(accept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map(BTreeMap<&'static str, Value>);

    impl Fields for Map {
        fn field(&self, name: &str) -> Field {
            match self.0.get(name) {
                Some(v) => Field {
                    value: v.clone(),
                    origin: Origin::Set {
                        name: name.to_owned(),
                        file: Arc::new(SourceFile::new("t.tf", "")),
                        span: 0..0,
                        vias: vec![],
                    },
                },
                None => Field::absent(),
            }
        }
    }

    fn cond(yaml: &str) -> Condition {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn eval(c: &str, fields: &[(&'static str, Value)]) -> Truth {
        let opts = BTreeMap::from([("min_days".to_owned(), Scalar::Number(7.0))]);
        cond(c).evaluate(&Map(fields.iter().cloned().collect()), &opts)
    }

    #[test]
    fn equality_converts_like_terraform() {
        let c = "equals: { field: dp, value: false }";
        assert_eq!(
            eval(c, &[("dp", Value::String("false".into()))]),
            Truth::True
        );
        assert_eq!(eval(c, &[("dp", Value::Bool(true))]), Truth::False);
        assert_eq!(eval(c, &[("dp", Value::Unknown)]), Truth::Unknown);
        assert_eq!(eval(c, &[]), Truth::False);
    }

    #[test]
    fn ordering_reads_options_and_numbers_in_strings() {
        let c = "less_than: { field: days, option: min_days }";
        assert_eq!(eval(c, &[("days", Value::String("0".into()))]), Truth::True);
        assert_eq!(eval(c, &[("days", Value::Number(7.0))]), Truth::False);
        assert_eq!(
            eval(c, &[("days", Value::String("seven".into()))]),
            Truth::False
        );
    }

    #[test]
    fn unknown_survives_negation_but_not_a_deciding_branch() {
        let fields = [("a", Value::Unknown), ("b", Value::Bool(true))];
        assert_eq!(
            eval("not: { equals: { field: a, value: true } }", &fields),
            Truth::Unknown
        );
        assert_eq!(
            eval(
                "any: [ { equals: { field: a, value: true } }, { equals: { field: b, value: true } } ]",
                &fields
            ),
            Truth::True
        );
        assert_eq!(
            eval(
                "all: [ { equals: { field: a, value: true } }, { equals: { field: b, value: false } } ]",
                &fields
            ),
            Truth::False
        );
    }

    #[test]
    fn an_unknown_value_is_present() {
        assert_eq!(eval("present: r", &[("r", Value::Unknown)]), Truth::True);
        assert_eq!(eval("present: r", &[("r", Value::Null)]), Truth::False);
        assert_eq!(eval("absent: r", &[]), Truth::True);
    }

    #[test]
    fn matches_uses_the_string_form() {
        let c = "matches: { field: s, pattern: '^snap-' }";
        assert_eq!(
            eval(c, &[("s", Value::String("snap-1".into()))]),
            Truth::True
        );
        assert_eq!(eval(c, &[]), Truth::False);
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    const EXPIRES: &str = "any_item: { field: rules, when: { all: [ { equals: { field: enabled, value: true } }, { present: expiration.days } ] } }";

    #[test]
    fn matched_items_name_every_item_that_holds() {
        let item = |id: Option<&str>, days: Option<f64>| {
            let mut pairs = vec![("enabled", Value::Bool(true))];
            if let Some(id) = id {
                pairs.push(("id", Value::String(id.into())));
            }
            if let Some(days) = days {
                pairs.push((
                    "expiration",
                    Value::List(vec![obj(&[("days", Value::Number(days))])]),
                ));
            }
            obj(&pairs)
        };
        let fields = Map(BTreeMap::from([(
            "rules",
            Value::List(vec![
                item(Some("keep"), None),
                item(Some("logs"), Some(30.0)),
                item(None, Some(90.0)),
            ]),
        )]));
        // inside `any` too, and the target defaults to the first field `when` reads
        let c = cond(&format!("any: [ {{ present: nothing }}, {{ {EXPIRES} }} ]"));
        let opts = BTreeMap::new();
        let found = c.matched_items(&fields, &opts).unwrap();
        assert_eq!(found.field, "rules");
        assert_eq!(found.target.as_deref(), Some("enabled"));
        assert_eq!(
            found.items,
            [
                ItemKey::Index(1, Some("logs".into())),
                ItemKey::Index(2, None)
            ]
        );
        assert_eq!(found.names(), "`logs` and #3");
        // a map's items are named by their keys; none hold: no items
        let secrets = Map(BTreeMap::from([(
            "secrets",
            obj(&[
                ("a", obj(&[("window", Value::Number(0.0))])),
                ("b", obj(&[("window", Value::Number(7.0))])),
                ("c", obj(&[("window", Value::Number(0.0))])),
                ("d", obj(&[("window", Value::Number(0.0))])),
            ]),
        )]));
        let c = cond(
            "any_item: { field: secrets, target: window, when: { equals: { field: window, value: 0 } } }",
        );
        let found = c.matched_items(&secrets, &opts).unwrap();
        assert_eq!(found.names(), "`a`, `c` and 1 more");
        assert_eq!(found.target.as_deref(), Some("window"));
        let c = cond(
            "not: { any_item: { field: secrets, when: { equals: { field: window, value: 0 } } } }",
        );
        assert_eq!(c.matched_items(&secrets, &opts), None);
    }

    #[test]
    fn any_item_holds_when_one_item_does() {
        let expiring = obj(&[
            ("enabled", Value::Bool(true)),
            (
                "expiration",
                Value::List(vec![obj(&[("days", Value::Number(30.0))])]),
            ),
        ]);
        let disabled = obj(&[
            ("enabled", Value::Bool(false)),
            (
                "expiration",
                Value::List(vec![obj(&[("days", Value::Number(30.0))])]),
            ),
        ]);
        let noncurrent_only = obj(&[
            ("enabled", Value::Bool(true)),
            ("expiration", Value::List(vec![])),
        ]);
        let list = |items: Vec<Value>| [("rules", Value::List(items))];
        assert_eq!(
            eval(EXPIRES, &list(vec![disabled.clone(), expiring])),
            Truth::True
        );
        assert_eq!(
            eval(EXPIRES, &list(vec![disabled, noncurrent_only])),
            Truth::False
        );
        assert_eq!(eval(EXPIRES, &list(vec![])), Truth::False);
        assert_eq!(eval(EXPIRES, &[]), Truth::False);
    }

    #[test]
    fn any_item_reads_the_values_of_a_map() {
        let c = "any_item: { field: secrets, when: { equals: { field: window, value: 0 } } }";
        let map = |w: f64| {
            Value::Object(BTreeMap::from([
                ("a".to_owned(), obj(&[("window", Value::Number(7.0))])),
                ("b".to_owned(), obj(&[("window", Value::Number(w))])),
            ]))
        };
        assert_eq!(eval(c, &[("secrets", map(0.0))]), Truth::True);
        assert_eq!(eval(c, &[("secrets", map(30.0))]), Truth::False);
    }

    #[test]
    fn any_item_is_unknown_when_the_list_or_an_undecided_item_is() {
        assert_eq!(eval(EXPIRES, &[("rules", Value::Unknown)]), Truth::Unknown);
        let unknown_days = obj(&[
            ("enabled", Value::Bool(true)),
            ("expiration", Value::Unknown),
        ]);
        assert_eq!(
            eval(EXPIRES, &[("rules", Value::List(vec![unknown_days]))]),
            Truth::True,
            "an unknown expiration is present: it is set to something"
        );
        let unknown_enabled = obj(&[
            ("enabled", Value::Unknown),
            (
                "expiration",
                Value::List(vec![obj(&[("days", Value::Number(7.0))])]),
            ),
        ]);
        assert_eq!(
            eval(EXPIRES, &[("rules", Value::List(vec![unknown_enabled]))]),
            Truth::Unknown
        );
        assert_eq!(
            eval(EXPIRES, &[("rules", Value::List(vec![Value::Unknown]))]),
            Truth::Unknown
        );
    }

    #[test]
    fn walk_follows_keys_and_single_item_lists() {
        let v = obj(&[(
            "expiration",
            Value::List(vec![obj(&[("days", Value::Number(30.0))])]),
        )]);
        assert_eq!(walk(&v, "expiration.days"), Some(Value::Number(30.0)));
        assert_eq!(walk(&v, "expiration.date"), None);
        assert_eq!(walk(&v, "transition"), None);
        assert_eq!(walk(&Value::Unknown, "a.b"), Some(Value::Unknown));
        assert_eq!(walk(&obj(&[("a", Value::Null)]), "a"), None);
        assert_eq!(walk(&obj(&[("a", Value::List(vec![]))]), "a"), None);
    }

    struct Fixed;

    impl Fields for Fixed {
        fn field(&self, name: &str) -> Field {
            match name {
                "hard_coded" => Field {
                    value: Value::Bool(false),
                    origin: Origin::Fixed {
                        profile: "module m".into(),
                        note: None,
                    },
                },
                _ => Field::absent(),
            }
        }
    }

    #[test]
    fn fixed_asks_whether_the_module_hard_codes_the_field() {
        let opts = BTreeMap::new();
        assert_eq!(
            cond("fixed: hard_coded").evaluate(&Fixed, &opts),
            Truth::True
        );
        assert_eq!(cond("fixed: other").evaluate(&Fixed, &opts), Truth::False);
        assert_eq!(
            eval("fixed: set", &[("set", Value::Bool(false))]),
            Truth::False
        );
    }
}
