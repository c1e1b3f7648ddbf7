//! A spanned YAML tree, read as Helm reads values files.
//!
//! Built from `granit_parser`'s events (re-exported by `serde-saphyr`):
//! every key and node keeps its byte span, comments are kept (for
//! suppressions), anchors and aliases are resolved, `<<` merge keys are
//! applied and every document of a stream is read.
//!
//! Scalars are resolved as YAML 1.1, as Helm's YAML library does: a plain
//! `yes`, `no`, `on`, `off`, `y` or `n` is a boolean, `0755` is octal, `~` is
//! null; a quoted scalar is always a string. Such plain words are recorded,
//! so that a rule can point at them (`yaml11-ambiguous-boolean`).
//!
//! The work is bounded: file size, nesting depth and the number of nodes
//! alias expansion may produce are limits, and passing one is a problem with
//! its offset, never a hang (a "billion laughs" file stops at the budget
//! before anything is copied). The tree is built with an explicit stack.

use std::collections::HashMap;
use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// Bounds on what reading one file may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Larger files are not parsed.
    pub max_bytes: usize,
    /// Deeper nesting of sequences and mappings stops the document.
    pub max_depth: usize,
    /// Nodes alias expansion may copy into one document (the file size bounds the rest).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 2 * 1024 * 1024,
            max_depth: 100,
            max_nodes: 200_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the node is written (for an alias, the anchored node's span).
    pub span: Range<usize>,
    /// When the node was reached through an alias: the `*name` token's span.
    pub alias: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as Helm sees it: a plain `on:` key is the boolean `true`, so `"true"`.
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
    /// Brought in by a `<<` merge key: the span of that `<<` entry.
    pub merged_from: Option<Range<usize>>,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|e| e.key == key)
                .map(|e| &e.value),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// A comment: its span (from `#` to the end of the line) and its text after `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Range<usize>,
    pub text: String,
}

/// A plain scalar that YAML 1.1 reads as a boolean while YAML 1.2 (and most
/// people) read it as a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbiguousWord {
    pub span: Range<usize>,
    pub word: String,
    pub is_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not YAML: the parser's message at this offset.
    Syntax {
        offset: usize,
        message: String,
    },
    TooLarge {
        size: usize,
        limit: usize,
    },
    TooDeep {
        offset: usize,
        limit: usize,
    },
    /// Alias expansion would pass the node budget (a "billion laughs" file).
    AliasBudget {
        offset: usize,
        limit: usize,
    },
    /// An alias to no anchor.
    UnknownAlias {
        offset: usize,
    },
    /// A key that is a sequence or mapping: Helm's values cannot hold one.
    ComplexKey {
        offset: usize,
    },
    /// A key repeated in one mapping; the last value is kept.
    DuplicateKey {
        key: String,
        first: Range<usize>,
        repeated: Range<usize>,
    },
}

impl Problem {
    /// Whether the file's values cannot be used (the document stopped).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Problem::DuplicateKey { .. })
    }

    pub fn offset(&self) -> usize {
        match self {
            Problem::Syntax { offset, .. }
            | Problem::TooDeep { offset, .. }
            | Problem::AliasBudget { offset, .. }
            | Problem::UnknownAlias { offset }
            | Problem::ComplexKey { offset } => *offset,
            Problem::TooLarge { .. } => 0,
            Problem::DuplicateKey { repeated, .. } => repeated.start,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Problem::Syntax { message, .. } => format!("invalid YAML: {message}"),
            Problem::TooLarge { size, limit } => format!(
                "the file is {:.1} MiB, over the {:.0} MiB limit for a values file: not read",
                *size as f64 / 1_048_576.0,
                *limit as f64 / 1_048_576.0
            ),
            Problem::TooDeep { limit, .. } => {
                format!("nesting deeper than {limit} levels: the document is not read")
            }
            Problem::AliasBudget { limit, .. } => format!(
                "expanding the aliases would copy more than {limit} nodes (an alias bomb?): the document is not read"
            ),
            Problem::UnknownAlias { .. } => "an alias to an anchor that is not defined".to_owned(),
            Problem::ComplexKey { .. } => {
                "a key that is a sequence or a mapping: Helm values cannot hold it".to_owned()
            }
            Problem::DuplicateKey { key, .. } => {
                format!("`{key}` is repeated in this mapping: the last value is kept")
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Yaml {
    /// Every document of the stream, in order (a document that stopped is left out).
    pub documents: Vec<Node>,
    pub comments: Vec<Comment>,
    pub ambiguous: Vec<AmbiguousWord>,
    pub problems: Vec<Problem>,
}

/// A collection being built.
enum Open {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
        size: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        /// Where each key is in `entries`.
        index: HashMap<String, usize>,
        /// A key read, waiting for its value.
        key: Option<(String, Range<usize>)>,
        /// `<<` values, applied when the mapping ends.
        merges: Vec<(Range<usize>, Node)>,
        size: usize,
    },
}

/// Reads a YAML stream with the default limits.
#[cfg(test)]
pub fn parse(text: &str) -> Yaml {
    parse_with(text, Limits::default())
}

pub fn parse_with(text: &str, limits: Limits) -> Yaml {
    let mut out = Yaml::default();
    if text.len() > limits.max_bytes {
        out.problems.push(Problem::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
        });
        return out;
    }
    let mut builder = Builder {
        limits,
        anchors: HashMap::new(),
        stack: Vec::new(),
        nodes: 0,
        out: &mut out,
        stopped: false,
        documents: Vec::new(),
    };
    for next in Parser::new_from_str(text) {
        let (event, span) = match next {
            Ok(next) => next,
            Err(e) => {
                let offset = e
                    .marker()
                    .byte_offset()
                    .unwrap_or_else(|| char_to_byte(text, e.marker().index()));
                builder.out.problems.push(Problem::Syntax {
                    offset: offset.min(text.len()),
                    message: e.info(),
                });
                builder.stopped = true;
                break;
            }
        };
        let range = byte_range(text, &span);
        builder.event(event, range);
    }
    let documents = std::mem::take(&mut builder.documents);
    out.documents = documents;
    out
}

fn byte_range(text: &str, span: &serde_saphyr::granit_parser::Span) -> Range<usize> {
    let start = span
        .start
        .byte_offset()
        .unwrap_or_else(|| char_to_byte(text, span.start.index()));
    let end = span
        .end
        .byte_offset()
        .unwrap_or_else(|| char_to_byte(text, span.end.index()));
    let start = start.min(text.len());
    start..end.clamp(start, text.len())
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(offset, _)| offset)
}

struct Builder<'o> {
    limits: Limits,
    /// Anchored nodes of the current document, with their node counts.
    anchors: HashMap<usize, (Node, usize)>,
    stack: Vec<Open>,
    /// Nodes copied by alias expansion into the current document.
    nodes: usize,
    out: &'o mut Yaml,
    /// The current document hit a limit: skip to its end.
    stopped: bool,
    documents: Vec<Node>,
}

impl Builder<'_> {
    fn stop(&mut self, problem: Problem) {
        self.out.problems.push(problem);
        self.stopped = true;
        self.stack.clear();
        self.anchors.clear();
    }

    fn event(&mut self, event: Event<'_>, span: Range<usize>) {
        match event {
            Event::Comment(text, _) => self.out.comments.push(Comment {
                span,
                text: text.into_owned(),
            }),
            Event::StreamStart | Event::StreamEnd | Event::Anchor(..) => {}
            Event::DocumentStart(..) => {
                self.stopped = false;
                self.nodes = 0;
                self.anchors.clear();
                self.stack.clear();
            }
            Event::DocumentEnd => {
                self.anchors.clear();
                self.stack.clear();
            }
            _ if self.stopped => {}
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix() == "str");
                let value = if plain && !is_str_tag {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.clone().into_owned())
                };
                if plain && !is_str_tag && is_yaml11_only_bool(&text) {
                    let is_key = matches!(self.stack.last(), Some(Open::Map { key: None, .. }));
                    self.out.ambiguous.push(AmbiguousWord {
                        span: span.clone(),
                        word: text.into_owned(),
                        is_key,
                    });
                }
                let node = Node {
                    value,
                    span,
                    alias: None,
                };
                self.finish(node, anchor, 1);
            }
            Event::Alias(id) => {
                let Some((target, size)) = self.anchors.get(&id) else {
                    self.stop(Problem::UnknownAlias { offset: span.start });
                    return;
                };
                let size = *size;
                if self.nodes + size > self.limits.max_nodes {
                    self.stop(Problem::AliasBudget {
                        offset: span.start,
                        limit: self.limits.max_nodes,
                    });
                    return;
                }
                let mut node = target.clone();
                node.alias = Some(span);
                self.finish(node, 0, size);
            }
            Event::UnresolvedAlias(_) => self.stop(Problem::UnknownAlias { offset: span.start }),
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if self.stack.len() >= self.limits.max_depth {
                    self.stop(Problem::TooDeep {
                        offset: span.start,
                        limit: self.limits.max_depth,
                    });
                    return;
                }
                let open = if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq {
                        start: span.start,
                        anchor,
                        items: Vec::new(),
                        size: 1,
                    }
                } else {
                    Open::Map {
                        start: span.start,
                        anchor,
                        entries: Vec::new(),
                        index: HashMap::new(),
                        key: None,
                        merges: Vec::new(),
                        size: 1,
                    }
                };
                self.stack.push(open);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return;
                };
                let (node, anchor, size) = match open {
                    Open::Seq {
                        start,
                        anchor,
                        items,
                        size,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            span: start..span.end.max(start),
                            alias: None,
                        },
                        anchor,
                        size,
                    ),
                    Open::Map {
                        start,
                        anchor,
                        mut entries,
                        mut index,
                        merges,
                        size,
                        ..
                    } => {
                        let extra = apply_merges(&mut entries, &mut index, merges);
                        (
                            Node {
                                value: Value::Map(entries),
                                span: start..span.end.max(start),
                                alias: None,
                            },
                            anchor,
                            size + extra,
                        )
                    }
                };
                self.finish(node, anchor, size);
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// A complete node: record its anchor, then give it to its parent (or end the document).
    fn finish(&mut self, node: Node, anchor: usize, size: usize) {
        if self.stopped {
            return;
        }
        if node.alias.is_some() {
            self.nodes += size;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Open::Seq {
                items, size: total, ..
            }) => {
                *total += size;
                items.push(node);
            }
            Some(Open::Map {
                entries,
                index,
                key,
                merges,
                size: total,
                ..
            }) => {
                *total += size;
                match key.take() {
                    None => {
                        let text = match &node.value {
                            Value::Str(s) => s.clone(),
                            Value::Null => "null".to_owned(),
                            Value::Bool(b) => b.to_string(),
                            Value::Int(i) => i.to_string(),
                            Value::Float(f) => f.to_string(),
                            Value::Seq(_) | Value::Map(_) => {
                                let offset = node.span.start;
                                self.stop(Problem::ComplexKey { offset });
                                return;
                            }
                        };
                        *key = Some((text, node.span));
                    }
                    Some((k, key_span)) if k == "<<" && node_is_plain_merge(&node) => {
                        merges.push((key_span, node));
                    }
                    Some((k, key_span)) => {
                        let entry = Entry {
                            key: k.clone(),
                            key_span: key_span.clone(),
                            value: node,
                            merged_from: None,
                        };
                        match index.get(&k) {
                            Some(&i) => {
                                let first = std::mem::replace(&mut entries[i], entry);
                                self.out.problems.push(Problem::DuplicateKey {
                                    key: k,
                                    first: first.key_span,
                                    repeated: key_span,
                                });
                            }
                            None => {
                                index.insert(k, entries.len());
                                entries.push(entry);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `<<: *a` or `<<: [*a, *b]`: adds the merged maps' keys that the mapping
/// does not set itself, earlier maps first; returns how many were added.
fn apply_merges(
    entries: &mut Vec<Entry>,
    index: &mut HashMap<String, usize>,
    merges: Vec<(Range<usize>, Node)>,
) -> usize {
    let mut added = 0;
    for (merge_span, value) in merges {
        let sources: Vec<Node> = match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) => items,
            _ => Vec::new(),
        };
        for source in sources {
            let Value::Map(source_entries) = source.value else {
                continue;
            };
            for e in source_entries {
                if index.contains_key(&e.key) {
                    continue;
                }
                added += 1;
                index.insert(e.key.clone(), entries.len());
                entries.push(Entry {
                    merged_from: Some(merge_span.clone()),
                    ..e
                });
            }
        }
    }
    added
}

/// A `<<` value that merges: a mapping or a sequence of mappings.
fn node_is_plain_merge(node: &Node) -> bool {
    match &node.value {
        Value::Map(_) => true,
        Value::Seq(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
        _ => false,
    }
}

/// The booleans YAML 1.1 has and YAML 1.2 does not.
fn is_yaml11_only_bool(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// A plain scalar as YAML 1.1 resolves it (the rules of Helm's YAML library).
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = resolve_int(text) {
        return Value::Int(i);
    }
    if is_float(text) {
        let cleaned: String = text.chars().filter(|c| *c != '_').collect();
        if let Ok(f) = cleaned.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_owned())
}

fn resolve_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() || body.starts_with('_') {
        return None;
    }
    let digits = |s: &str, radix: u32| -> Option<i64> {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        if cleaned.is_empty() {
            return None;
        }
        i64::from_str_radix(&cleaned, radix).ok()
    };
    let magnitude = if let Some(bin) = body.strip_prefix("0b") {
        digits(bin, 2)?
    } else if let Some(hex) = body.strip_prefix("0x") {
        digits(hex, 16)?
    } else if body.len() > 1 && body.starts_with('0') {
        // YAML 1.1 octal: 0755
        if !body.bytes().all(|b| matches!(b, b'0'..=b'7' | b'_')) {
            return None;
        }
        digits(&body[1..], 8)?
    } else if body.contains(':') {
        // sexagesimal: 190:20:30
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !first.bytes().all(|b| b.is_ascii_digit() || b == b'_') || first.starts_with('0') {
            return None;
        }
        let mut value = digits(first, 10)?;
        for part in parts {
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: i64 = part.parse().ok()?;
            if n > 59 {
                return None;
            }
            value = value.checked_mul(60)?.checked_add(n)?;
        }
        value
    } else {
        if !body.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        digits(body, 10)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && (b[i].is_ascii_digit() || (i > int_start && b[i] == b'_')) {
        i += 1;
    }
    let had_int = i > int_start;
    let mut had_frac = false;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        had_frac = i > frac_start;
        if !had_int && !had_frac {
            return false;
        }
        if !had_int && b[frac_start] == b'_' {
            return false;
        }
    } else if !had_int {
        return false;
    }
    let mut had_exp = false;
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'-' | b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
        had_exp = true;
    }
    // a plain integer is not a float
    i == b.len() && (had_frac || had_exp || text.contains('.'))
}

#[cfg(test)]
mod tests;
