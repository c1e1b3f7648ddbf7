//! Parse `.tf` text with `hcl-edit`, keeping byte spans.
//!
//! Terraform accepts an object constructor that repeats a key and keeps the
//! last value; `hcl-edit` 0.10 rejects it. We read such files as Terraform
//! does: the earlier key is masked with a placeholder of the same byte length
//! (so every span stays true), the file is parsed again, and the masked key is
//! reported back so evaluation can drop it and a rule can warn about it.

use std::ops::Range;

use hcl_edit::structure::Body;

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
    /// The earlier definition, which Terraform discards.
    pub first: Range<usize>,
    /// The later definition, whose value Terraform keeps.
    pub second: Range<usize>,
}

#[derive(Debug)]
pub struct ParsedHcl {
    pub body: Body,
    pub duplicate_keys: Vec<DuplicateKey>,
}

const REDEFINED_OBJECT_KEY: &str = "redefined object key";
/// More repeated keys than this in one file is not a slip; report the parse error.
const MAX_DUPLICATE_KEYS: usize = 64;

pub fn parse_hcl(text: &str) -> Result<ParsedHcl, ParseError> {
    let mut masked: Option<String> = None;
    let mut duplicate_keys = Vec::new();
    loop {
        let current = masked.as_deref().unwrap_or(text);
        let err = match hcl_edit::parser::parse_body(current) {
            Ok(body) => {
                return Ok(ParsedHcl {
                    body,
                    duplicate_keys,
                });
            }
            Err(err) => err,
        };
        let error = ParseError {
            offset: err.location().offset(),
            message: describe(&err),
        };
        if !err.message().contains(REDEFINED_OBJECT_KEY)
            || duplicate_keys.len() >= MAX_DUPLICATE_KEYS
        {
            return Err(error);
        }
        let Some(dup) = locate_duplicate(current, error.offset) else {
            return Err(error);
        };
        let Some(placeholder) = placeholder_for(current, &dup.key, duplicate_keys.len()) else {
            return Err(error);
        };
        let mut next = current.to_owned();
        next.replace_range(dup.first.clone(), &placeholder);
        masked = Some(next);
        duplicate_keys.push(dup);
    }
}

fn describe(err: &hcl_edit::parser::Error) -> String {
    let message = err.message().trim();
    if message.is_empty() {
        "invalid HCL syntax".to_owned()
    } else {
        format!("invalid HCL: {message}")
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The key token (identifier or quoted string) starting at `at`.
fn key_token(text: &str, at: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    match *bytes.get(at)? {
        b'"' => {
            let mut i = at + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(at..i + 1),
                    b'\n' => return None,
                    _ => i += 1,
                }
            }
            None
        }
        b if is_ident_byte(b) => {
            let end = bytes[at..]
                .iter()
                .position(|b| !is_ident_byte(*b))
                .map_or(bytes.len(), |n| at + n);
            Some(at..end)
        }
        _ => None,
    }
}

/// Whether `range` holds a key token used as an object key: preceded by the
/// start of an item and followed by `=` or `:`.
fn is_key_occurrence(text: &str, range: &Range<usize>) -> bool {
    let bytes = text.as_bytes();
    let before = bytes[..range.start]
        .iter()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .copied();
    let starts_item = matches!(before, None | Some(b'\n' | b'{' | b',' | b'\r'));
    let after = bytes[range.end..]
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .copied();
    starts_item && matches!(after, Some(b'=' | b':'))
}

fn locate_duplicate(text: &str, at: usize) -> Option<DuplicateKey> {
    let second = key_token(text, at)?;
    let key = &text[second.clone()];
    let mut search_end = second.start;
    while let Some(pos) = text[..search_end].rfind(key) {
        let candidate = pos..pos + key.len();
        let bounded = pos == 0 || !is_ident_byte(text.as_bytes()[pos - 1]) || key.starts_with('"');
        if bounded && is_key_occurrence(text, &candidate) {
            return Some(DuplicateKey {
                key: key.trim_matches('"').to_owned(),
                first: candidate,
                second,
            });
        }
        search_end = pos;
    }
    None
}

/// A key of the same byte length that occurs nowhere in the file.
fn placeholder_for(text: &str, key: &str, seed: usize) -> Option<String> {
    let quoted = key.starts_with('"');
    let inner_len = if quoted { key.len() - 2 } else { key.len() };
    if inner_len == 0 {
        return None;
    }
    const ALPHABET: &[u8] = b"_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for n in seed..seed + 4096 {
        let mut inner = Vec::with_capacity(inner_len);
        let mut k = n;
        inner.push(b'_');
        while inner.len() < inner_len {
            inner.push(ALPHABET[k % ALPHABET.len()]);
            k /= ALPHABET.len();
        }
        let inner = String::from_utf8(inner).ok()?;
        if text.contains(&inner) {
            continue;
        }
        return Some(if quoted {
            format!("\"{inner}\"")
        } else {
            inner
        });
    }
    None
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
    fn repeated_quoted_key_is_masked_too() {
        let src = "x = { \"a\" = 1, \"a\" = 2 }\n";
        let parsed = parse_hcl(src).expect("parses");
        assert_eq!(parsed.duplicate_keys.len(), 1);
        assert_eq!(parsed.duplicate_keys[0].key, "a");
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
