//! Parse `.tf` text with `hcl-edit`, keeping byte spans.
//!
//! Terraform accepts an object constructor that repeats a key and keeps the
//! last value. Upstream `hcl-edit` 0.10 rejects such an object; the vendored
//! copy (vendor/hcl-edit/PATCHES.md) reads it as HCL does, keeping the earlier
//! items aside in `Object::redefined`. After the one parse, every object
//! expression of the file is walked and its repeated keys reported, so that a
//! rule can warn about them: a key repeated exactly (`a`, `a`), and one written
//! bare and quoted (`a`, `"a"`), which Terraform reads as the same key too.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Object, ObjectKey};
use hcl_edit::structure::Body;
use hcl_edit::visit::{Visit, visit_object};

/// A file that could not be parsed: the byte offset of the problem and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// A key repeated inside one object constructor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// An earlier definition, which Terraform discards.
    pub first: Range<usize>,
    /// The last definition, whose value Terraform keeps.
    pub second: Range<usize>,
}

#[derive(Debug)]
pub struct ParsedHcl {
    pub body: Body,
    pub duplicate_keys: Vec<DuplicateKey>,
}

pub fn parse_hcl(text: &str) -> Result<ParsedHcl, ParseError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|err| ParseError {
        offset: err.location().offset(),
        message: describe(&err),
    })?;
    let mut walk = RepeatedKeys(Vec::new());
    walk.visit_body(&body);
    let mut duplicate_keys = walk.0;
    duplicate_keys.sort_by_key(|d| (d.first.start, d.second.start));
    Ok(ParsedHcl {
        body,
        duplicate_keys,
    })
}

fn describe(err: &hcl_edit::parser::Error) -> String {
    let message = err.message().trim();
    if message.is_empty() {
        "invalid HCL syntax".to_owned()
    } else if message.contains("nesting depth") || message.contains("chained binary operators") {
        // the parser's own bounds (64 levels, 128 operators, and the stack they may use)
        format!("nested too deeply to read (invalid HCL: {message})")
    } else {
        format!("invalid HCL: {message}")
    }
}

/// The key Terraform reads: an identifier, or a quoted string without
/// interpolation; `None` for a key computed from an expression.
pub(crate) fn key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str().to_owned()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
        ObjectKey::Expression(_) => None,
    }
}

pub(crate) fn key_span(key: &ObjectKey) -> Option<Range<usize>> {
    match key {
        ObjectKey::Ident(ident) => ident.span(),
        ObjectKey::Expression(expr) => expr.span(),
    }
}

/// Collects the repeated keys of every object expression.
struct RepeatedKeys(Vec<DuplicateKey>);

impl Visit for RepeatedKeys {
    fn visit_object(&mut self, node: &Object) {
        // hcl-edit keeps one item per key as written: two items of one name are a
        // bare key and a quoted one, so an object without both kinds (most) has none
        let (mut bare, mut quoted) = (false, false);
        for (key, _) in node.iter() {
            match key {
                ObjectKey::Ident(_) => bare = true,
                ObjectKey::Expression(Expression::String(_)) => quoted = true,
                ObjectKey::Expression(_) => {}
            }
        }
        if !(bare && quoted) && node.redefined().is_empty() {
            visit_object(self, node);
            return;
        }
        // the key that wins, by name: the last item with that name
        let mut last: HashMap<String, Range<usize>> = HashMap::new();
        let mut earlier: Vec<(String, Range<usize>)> = Vec::new();
        for (key, _) in node.iter() {
            let (Some(name), Some(span)) = (key_name(key), key_span(key)) else {
                continue;
            };
            if let Some(previous) = last.insert(name.clone(), span) {
                earlier.push((name, previous));
            }
        }
        // the items hcl-edit set aside for a key repeated exactly
        for (key, _) in node.redefined() {
            if let (Some(name), Some(span)) = (key_name(key), key_span(key)) {
                earlier.push((name, span));
            }
        }
        for (name, first) in earlier {
            if let Some(second) = last.get(&name) {
                self.0.push(DuplicateKey {
                    key: name,
                    first,
                    second: second.clone(),
                });
            }
        }
        visit_object(self, node);
        for (key, value) in node.redefined() {
            if let ObjectKey::Expression(expr) = key {
                self.visit_expr(expr);
            }
            self.visit_expr(value.expr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_object_key_is_read_as_terraform_does() {
        let src = "tags = {\n  source-code = \"a\"\n  owner = \"x\"\n  source-code = \"b\"\n}\n";
        let parsed = parse_hcl(src).expect("parses");
        assert_eq!(parsed.duplicate_keys.len(), 1);
        let dup = &parsed.duplicate_keys[0];
        assert_eq!(dup.key, "source-code");
        assert_eq!(&src[dup.first.clone()], "source-code");
        assert_eq!(dup.first.start, 11);
        assert_eq!(&src[dup.second.clone()], "source-code");
        assert!(dup.second.start > dup.first.start);
    }

    #[test]
    fn a_repeated_quoted_key_is_read_too() {
        let src = "x = { \"a\" = 1, \"a\" = 2 }\n";
        let parsed = parse_hcl(src).expect("parses");
        assert_eq!(parsed.duplicate_keys.len(), 1);
        assert_eq!(parsed.duplicate_keys[0].key, "a");
    }

    #[test]
    fn a_one_character_key_repeated_in_a_file_with_underscores_is_read() {
        let src = "my_tags = { a = 1, a = 2 }\n";
        let parsed = parse_hcl(src).expect("parses");
        assert_eq!(parsed.duplicate_keys.len(), 1);
        let dup = &parsed.duplicate_keys[0];
        assert_eq!(
            (dup.key.as_str(), dup.first.start, dup.second.start),
            ("a", 12, 19)
        );
    }

    #[test]
    fn a_repeated_key_is_not_confused_with_a_nested_key_of_the_same_name() {
        let src = "x = {\n  a = { x = 1 }\n  b = { a = true }\n  a = { x = 2 }\n}\n";
        let parsed = parse_hcl(src).expect("parses");
        let at = |n: usize| src.match_indices("a =").nth(n).unwrap().0;
        assert_eq!(
            parsed.duplicate_keys.len(),
            1,
            "{:?}",
            parsed.duplicate_keys
        );
        let dup = &parsed.duplicate_keys[0];
        assert_eq!(dup.first, at(0)..at(0) + 1);
        assert_eq!(dup.second, at(2)..at(2) + 1);
    }

    #[test]
    fn seventy_repeated_keys_are_all_read() {
        let src: String = (0..70)
            .map(|i| format!("k{i} = {{ a = 1, b = 2, a = 3 }}\n"))
            .collect();
        let parsed = parse_hcl(&src).expect("parses");
        assert_eq!(parsed.duplicate_keys.len(), 70);
        assert!(parsed.duplicate_keys.iter().all(|d| d.key == "a"));
    }

    #[test]
    fn a_key_written_bare_and_quoted_is_repeated_too() {
        // Terraform reads both as the key "a"
        let parsed = parse_hcl("x = { a = 1, \"a\" = 2, \"b\" = 3, b = 4 }\n").unwrap();
        let keys: Vec<_> = parsed
            .duplicate_keys
            .iter()
            .map(|d| d.key.as_str())
            .collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
        // on a thread with a 2 MiB stack (rayon's), in a debug build too
        let nests: [(&str, &str); 7] = [
            ("[for x in ", " : x]"),
            ("[", "]"),
            ("{ a = ", " }"),
            ("f(", ")"),
            ("(", ")"),
            ("\"${", "}\""),
            ("true ? 1 : ", ""),
        ];
        for (open, close) in nests {
            for n in [20, 63, 64, 10_000] {
                let src = format!("v = {}1{}\n", open.repeat(n), close.repeat(n));
                let result = std::thread::Builder::new()
                    .stack_size(2 << 20)
                    .spawn(move || parse_hcl(&src).map(|_| ()))
                    .unwrap()
                    .join()
                    .expect("parsing does not overflow the stack");
                if n <= 20 {
                    assert!(result.is_ok(), "{open} x{n}: {result:?}");
                }
                if let Err(e) = result {
                    assert!(
                        e.message.contains("nested too deeply"),
                        "{open} x{n}: {e:?}"
                    );
                } else {
                    assert!(n <= 64, "{open} x{n} parses");
                }
            }
        }
    }

    #[test]
    fn a_repeated_attribute_stays_an_error() {
        let err = parse_hcl("a = 1\na = 2\n").unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(
            err.message.contains("redefined attribute"),
            "{}",
            err.message
        );
    }

    #[test]
    fn syntax_error_reports_its_offset() {
        let err = parse_hcl("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(err.offset >= 20, "{err:?}");
    }
}
