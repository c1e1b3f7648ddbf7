//! A JSON reader that keeps byte spans, for `terraform show -json` output.
//!
//! RFC 8259, strictly: one value, no trailing commas, no comments, escapes
//! checked, control characters in strings refused. Bounded: nesting deeper
//! than [`MAX_DEPTH`] is an error (never a stack overflow), and the caller has
//! already bounded the text's size. Members the caller does not keep (by the
//! path of object keys that leads to them) are validated without being built,
//! so that a plan's `prior_state`, `planned_values` and the constant values of
//! its configuration (each as large as its changes) cost no memory.

use std::ops::Range;

/// Objects and arrays nested deeper than this are refused.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// From the value's first byte to just after its last.
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    /// Where the key's opening quote is: `"key": value` spans `start..value.span.end`.
    pub start: usize,
    pub value: Node,
}

impl Member {
    /// The whole member, `"key": value`.
    pub fn span(&self) -> Range<usize> {
        self.start..self.value.span.end
    }
}

impl Node {
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|m| m.key == key),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> &[Node] {
        match &self.kind {
            Kind::Array(items) => items,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// `true` only for the JSON value `true`.
    pub fn is_true(&self) -> bool {
        matches!(self.kind, Kind::Bool(true))
    }

    /// The members of an object, consumed.
    pub fn into_members(self) -> Vec<Member> {
        match self.kind {
            Kind::Object(members) => members,
            _ => Vec::new(),
        }
    }

    /// The items of an array, consumed.
    pub fn into_items(self) -> Vec<Node> {
        match self.kind {
            Kind::Array(items) => items,
            _ => Vec::new(),
        }
    }
}

/// Why the text is not JSON, and the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// Reads one JSON document. An object member is built when `keep` holds for the
/// keys from the top to it (array items add none); the others are checked and
/// become `null`, and so does all below them.
pub fn parse(text: &str, keep: impl Fn(&[String]) -> bool) -> Result<Node, JsonError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        path: Vec::new(),
        keep: &keep,
    };
    p.skip_whitespace();
    let node = p.value(0, true)?;
    p.skip_whitespace();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
    /// The keys of the objects being built, from the top.
    path: Vec<String>,
    keep: &'t dyn Fn(&[String]) -> bool,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.pos,
            message: message.to_owned(),
        }
    }

    /// "expected X, found Y" at the current position.
    fn expected(&self, what: &str) -> JsonError {
        let found = match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_owned(),
            Some(c) if c.is_control() => format!("U+{:04X}", u32::from(c)),
            Some(c) => format!("`{c}`"),
        };
        self.error(&format!("expected {what}, found {found}"))
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// A member's key (when `build`) and the colon after it.
    fn key(&mut self, build: bool) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.expected("a member name in double quotes"));
        }
        let key = self.string(build)?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.expected("`:` after the member name"));
        }
        self.pos += 1;
        Ok(key)
    }

    /// After an object member: `true` at the closing brace, `false` after a comma.
    fn after_member(&mut self) -> Result<bool, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.expected("`,` or `}` after an object member")),
        }
    }

    /// One value at nesting `depth`; built into a node only when `build`.
    fn value(&mut self, depth: usize, build: bool) -> Result<Node, JsonError> {
        self.skip_whitespace();
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth, build)?,
            Some(b'[') => self.array(depth, build)?,
            Some(b'"') => {
                let s = self.string(build)?;
                if build { Kind::String(s) } else { Kind::Null }
            }
            Some(b't') => self.word("true", Kind::Bool(true))?,
            Some(b'f') => self.word("false", Kind::Bool(false))?,
            Some(b'n') => self.word("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.expected("a JSON value")),
        };
        Ok(Node {
            span: start..self.pos,
            kind: if build { kind } else { Kind::Null },
        })
    }

    fn nest(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!(
                "nested deeper than {MAX_DEPTH} levels: drlint does not read further"
            )));
        }
        Ok(depth + 1)
    }

    fn object(&mut self, depth: usize, build: bool) -> Result<Kind, JsonError> {
        let inner = self.nest(depth)?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_start = self.pos;
            let key = self.key(build)?;
            if !build {
                self.value(inner, false)?;
            } else {
                self.path.push(key);
                let kept = (self.keep)(&self.path);
                let value = self.value(inner, kept)?;
                let key = self.path.pop().expect("pushed");
                members.push(Member {
                    key,
                    start: key_start,
                    value,
                });
            }
            if self.after_member()? {
                return Ok(Kind::Object(members));
            }
        }
    }

    fn array(&mut self, depth: usize, build: bool) -> Result<Kind, JsonError> {
        let inner = self.nest(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            let item = self.value(inner, build)?;
            if build {
                items.push(item);
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.expected("`,` or `]` after an array item")),
            }
        }
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Kind, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.expected("a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Kind, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.expected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.expected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.expected("a digit in the exponent"));
            }
        }
        let n: f64 = self.text[start..self.pos]
            .parse()
            .map_err(|_| self.error("not a number"))?;
        Ok(Kind::Number(n))
    }

    /// A string from its opening quote; the text only when `build`.
    fn string(&mut self, build: bool) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error("the string is not closed"));
            };
            match b {
                b'"' => {
                    if build {
                        out.push_str(&self.text[run..self.pos]);
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    if build {
                        out.push_str(&self.text[run..self.pos]);
                    }
                    self.pos += 1;
                    let c = self.escape()?;
                    if build {
                        out.push(c);
                    }
                    run = self.pos;
                }
                0..=0x1f => {
                    return Err(
                        self.error("a control character in a string (JSON writes it as an escape)")
                    );
                }
                _ => self.pos += 1,
            }
        }
    }

    /// The character an escape stands for; `pos` is just after the backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                if (0xD800..0xDC00).contains(&first) && self.bytes[self.pos..].starts_with(b"\\u") {
                    let back = self.pos;
                    self.pos += 2;
                    let second = self.hex4()?;
                    if (0xDC00..0xE000).contains(&second) {
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    self.pos = back;
                }
                // a lone surrogate cannot be text: the replacement character stands in
                return Ok(char::from_u32(first).unwrap_or('\u{fffd}'));
            }
            _ => return Err(self.expected("an escape (`\\\"`, `\\\\`, `\\n`, `\\u0041`, ...)")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.expected("four hexadecimal digits after `\\u`"))?;
        let text = std::str::from_utf8(digits).expect("ASCII digits");
        self.pos += 4;
        Ok(u32::from_str_radix(text, 16).expect("hexadecimal digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Node, JsonError> {
        parse(text, |_: &[String]| true)
    }

    fn top(keys: &'static [&'static str]) -> impl Fn(&[String]) -> bool {
        move |path: &[String]| keys.contains(&path[0].as_str())
    }

    #[test]
    fn values_keep_their_spans() {
        let text = r#"{ "a": [1, -2.5e1, "x\u00e9\ud83d\ude00\n"], "b": {"c": null, "d": true} }"#;
        let doc = all(text).unwrap();
        let a = doc.member("a").unwrap();
        assert_eq!(
            &text[a.span()],
            r#""a": [1, -2.5e1, "x\u00e9\ud83d\ude00\n"]"#
        );
        let items = a.value.as_array();
        assert_eq!(items[1].kind, Kind::Number(-25.0));
        assert_eq!(items[2].as_str(), Some("xé😀\n"));
        assert_eq!(&text[items[2].span.clone()], r#""x\u00e9\ud83d\ude00\n""#);
        let b = doc.get("b").unwrap();
        assert!(b.get("c").unwrap().is_null());
        assert!(b.get("d").unwrap().is_true());
    }

    #[test]
    fn members_not_kept_are_checked_but_not_built() {
        let text = r#"{"keep": {"x": 1}, "drop": {"y": [1, 2, {"z": "w"}]}}"#;
        let doc = parse(text, top(&["keep"])).unwrap();
        assert_eq!(
            doc.get("keep").unwrap().get("x").unwrap().kind,
            Kind::Number(1.0)
        );
        let dropped = doc.get("drop").unwrap();
        assert!(dropped.is_null());
        assert_eq!(&text[dropped.span.clone()], r#"{"y": [1, 2, {"z": "w"}]}"#);
        let bad = parse(r#"{"keep": 1, "drop": {"y": [1, 2,]}}"#, top(&["keep"])).unwrap_err();
        assert_eq!(bad.offset, 32);
        assert!(bad.message.contains("expected a JSON value"), "{bad:?}");
        // by path: arrays add no key
        let text = r#"{"a": [{"b": 1, "c": {"d": 2}}]}"#;
        let doc = parse(text, |p| p.len() < 3 && p.last().is_some_and(|k| k != "c")).unwrap();
        let item = &doc.get("a").unwrap().as_array()[0];
        assert_eq!(item.get("b").unwrap().kind, Kind::Number(1.0));
        assert!(item.get("c").unwrap().is_null());
    }

    #[test]
    fn malformed_json_says_what_and_where() {
        for (text, offset, says) in [
            ("", 0, "expected a JSON value, found the end of the file"),
            (
                "{\"a\": 1,}",
                8,
                "expected a member name in double quotes, found `}`",
            ),
            ("{\"a\" 1}", 5, "expected `:` after the member name"),
            ("[1 2]", 3, "expected `,` or `]` after an array item"),
            ("{\"a\": 1} x", 9, "unexpected text after the JSON value"),
            ("\"abc", 4, "the string is not closed"),
            ("\"a\u{1}\"", 2, "a control character in a string"),
            ("\"\\x\"", 2, "expected an escape"),
            ("\"\\u12g4\"", 3, "four hexadecimal digits"),
            ("01", 1, "unexpected text after the JSON value"),
            ("1.", 2, "a digit after the decimal point"),
            ("-", 1, "expected a digit"),
            ("tru", 0, "expected a JSON value"),
            ("[é]", 1, "found `é`"),
        ] {
            let e = all(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text:?}: {e:?}");
            assert!(e.message.contains(says), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let e = all(&deep).unwrap_err();
        assert_eq!(e.offset, MAX_DEPTH);
        assert!(e.message.contains("nested deeper than 256 levels"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(all(&ok).is_ok());
        // not built, still bounded
        let e = parse(&format!("{{\"x\": {deep}}}"), |_: &[String]| false).unwrap_err();
        assert!(e.message.contains("nested deeper"));
    }

    #[test]
    fn a_lone_surrogate_becomes_the_replacement_character() {
        assert_eq!(all(r#""\ud800x""#).unwrap().as_str(), Some("\u{fffd}x"));
        assert_eq!(
            all(r#""\ud800\u0041""#).unwrap().as_str(),
            Some("\u{fffd}A")
        );
    }
}
