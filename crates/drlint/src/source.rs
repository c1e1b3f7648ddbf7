//! Source files with a line index: byte spans in, line/column out.
//!
//! Everything upstream of rendering speaks byte offsets. Line and column are
//! computed here, only when a finding is rendered, through a line-start table
//! so that rendering N findings in one file costs O(N log lines), not
//! O(N × file size) as miette's default `SourceCode` for `str` does.

use std::ops::Range;
use std::sync::Arc;

/// One input file, as text, with its display path (relative, `/`-separated).
#[derive(Debug)]
pub struct SourceFile {
    /// The display path: relative, `/`-separated.
    pub path: String,
    /// The contents.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// Columns count characters: in a text that is not ASCII, the number of
    /// characters before every [`MARK`]-th byte (at a character boundary), so
    /// that a column on a very long line (a plan on one line) costs little.
    char_marks: Vec<(usize, usize)>,
    /// ASCII only: a column is a byte count.
    ascii: bool,
    /// Only printable ASCII, line feeds and tabs: nothing to escape when shown.
    plain: bool,
}

/// Bytes between two of [`SourceFile`]'s character counts.
const MARK: usize = 4096;

impl PartialEq for SourceFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.text == other.text
    }
}

impl Eq for SourceFile {}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl SourceFile {
    /// A file with this display path and text.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let line_starts = line_starts(text.as_bytes());
        let plain = text
            .bytes()
            .all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t'));
        let ascii = text.is_ascii();
        let mut char_marks = Vec::new();
        if !ascii {
            let (mut at, mut chars) = (0, 0);
            while at + MARK < text.len() {
                let next = floor_char_boundary(&text, at + MARK);
                chars += text[at..next].chars().count();
                char_marks.push((next, chars));
                at = next;
            }
        }
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            char_marks,
            ascii,
            plain,
        }
    }

    /// Whether the text holds only printable ASCII, line feeds and tabs.
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// The number of characters before a byte offset (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let k = self.char_marks.partition_point(|&(at, _)| at <= offset);
        let (at, chars) = if k == 0 {
            (0, 0)
        } else {
            self.char_marks[k - 1]
        };
        chars + self.text[at..offset].chars().count()
    }

    /// Line and column (1-based) of a byte offset. Offsets past the end are clamped.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        LineCol {
            line,
            column: self.chars_before(offset) - self.chars_before(start) + 1,
        }
    }

    /// Line and column just after the last character of `span` (its end for
    /// reports); a zero-width span ends where it starts.
    pub fn span_end(&self, span: &Range<usize>) -> LineCol {
        if span.end > span.start {
            let mut end = self.line_col(span.end - 1);
            end.column += 1;
            end
        } else {
            self.line_col(span.start)
        }
    }

    /// Line (1-based) and column (1-based) of a byte offset, the column counting
    /// UTF-16 code units, as SARIF's default `columnKind` does: `é` and `€` count
    /// one, an emoji outside the Basic Multilingual Plane two. Offsets past the end
    /// are clamped, and offsets inside a character floored to its start.
    pub fn line_col_utf16(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let units = if self.ascii {
            offset - start
        } else {
            self.text[start..offset].encode_utf16().count()
        };
        LineCol {
            line,
            column: units + 1,
        }
    }

    /// Where `span` ends in UTF-16 columns: the column just after its last
    /// character (SARIF's `endColumn` is exclusive), on the line of that character;
    /// a zero-width span ends where it starts. The counterpart of [`Self::span_end`].
    pub fn span_end_utf16(&self, span: &Range<usize>) -> LineCol {
        if span.end > span.start {
            let last = floor_char_boundary(
                &self.text,
                (span.end - 1).min(self.text.len().saturating_sub(1)),
            );
            let mut end = self.line_col_utf16(last);
            end.column += self.text[last..].chars().next().map_or(1, char::len_utf16);
            end
        } else {
            self.line_col_utf16(span.start)
        }
    }

    /// The byte range of the line that holds `offset`, without its line break.
    pub fn line_span(&self, offset: usize) -> Range<usize> {
        let line = self.line_col(offset).line;
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let text = &self.text[start..end];
        let trimmed = text.trim_end_matches(['\n', '\r']).len();
        start..start + trimmed
    }

    /// The span of the one character at `offset` (empty at the end of the text):
    /// where a finding about a single position points. An offset past the end is
    /// clamped, one inside a character floored to its start.
    pub fn char_span(&self, offset: usize) -> Range<usize> {
        let start = floor_char_boundary(&self.text, offset);
        let end = self.text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        start..end
    }

    /// How many lines the text has.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where a 1-based line starts (clamped to the lines there are).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.clamp(1, self.line_starts.len()) - 1]
    }
}

/// The largest character boundary of `text` at or before `offset` (clamped to
/// its length): the place to cut a text at a byte offset that may fall inside a
/// character.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

pub(crate) fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// A line longer than this (a plan as `terraform show -json` writes it, on one
/// line) is shown as a window around the span.
const LONG_LINE: usize = 1024;
/// How much of a long line is shown on each side of the span.
const CLIP: usize = 100;

impl SourceFile {
    /// A window of the long line `line` around a span on it, without context lines;
    /// `None` when the line is short or the span itself long.
    fn clipped(
        &self,
        offset: usize,
        span_len: usize,
        line: usize,
        context_lines_before: usize,
    ) -> Option<Box<dyn miette::SpanContents<'_> + '_>> {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let end = start + self.text[start..end].trim_end_matches(['\n', '\r']).len();
        if end - start <= LONG_LINE || span_len > LONG_LINE {
            return None;
        }
        // as miette does: without context lines, the contents start at the span
        let from = if context_lines_before == 0 {
            offset
        } else {
            floor_char_boundary(&self.text, offset.saturating_sub(CLIP).max(start))
        };
        let mut to = (offset + span_len + CLIP).min(end);
        while !self.text.is_char_boundary(to) {
            to += 1;
        }
        Some(Box::new(miette::MietteSpanContents::new_named(
            self.path.clone(),
            &self.text.as_bytes()[from..to],
            (from, to - from).into(),
            line - 1,
            from - start,
            line - 1,
        )))
    }
}

impl miette::SourceCode for SourceFile {
    /// miette's own algorithm, run on a window of whole lines around the span
    /// (found through the line index) instead of on the whole file; offsets,
    /// lines and line counts are then shifted back into the file.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let len = self.text.len();
        let (offset, span_len) = (span.offset(), span.len());
        if offset > len || offset + span_len > len {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first = self.line_col(offset).line;
        let last = self.line_col(offset + span_len.max(1) - 1).line;
        if first == last
            && let Some(clipped) = self.clipped(offset, span_len, first, context_lines_before)
        {
            return Ok(clipped);
        }
        let window_first = first.saturating_sub(context_lines_before + 1).max(1);
        let window_start = self.line_starts[window_first - 1];
        let window_end = self
            .line_starts
            .get(last + context_lines_after + 1)
            .copied()
            .unwrap_or(len);
        let window = &self.text.as_bytes()[window_start..window_end];
        let local: miette::SourceSpan = (offset - window_start, span_len).into();
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        let lines_before = window_first - 1;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.path.clone(),
            contents.data(),
            (
                contents.span().offset() + window_start,
                contents.span().len(),
            )
                .into(),
            contents.line() + lines_before,
            contents.column(),
            contents.line_count() + lines_before,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode;

    /// Our line-indexed source must give miette exactly what its own
    /// (linear-scan) implementation for `String` gives.
    #[test]
    fn read_span_matches_miettes_own_implementation() {
        let text = "a = 1\nblock \"x\" {\n  é = \"ü\"\n}\n\nlast = true";
        let ours = SourceFile::new("f.tf", text);
        let theirs = text.to_owned();
        for start in 0..text.len() {
            if !text.is_char_boundary(start) {
                continue;
            }
            for len in [0, 1, 3, 8] {
                if start + len > text.len() || !text.is_char_boundary(start + len) {
                    continue;
                }
                let span: miette::SourceSpan = (start, len).into();
                for (before, after) in [(0, 0), (1, 1), (2, 0)] {
                    let a = ours.read_span(&span, before, after).unwrap();
                    let b = theirs.read_span(&span, before, after).unwrap();
                    let ctx = format!("span {start}+{len} context {before}/{after}");
                    assert_eq!(
                        String::from_utf8_lossy(a.data()),
                        String::from_utf8_lossy(b.data()),
                        "{ctx}"
                    );
                    assert_eq!(a.span(), b.span(), "{ctx}");
                    assert_eq!(a.line(), b.line(), "{ctx}");
                    assert_eq!(a.line_count(), b.line_count(), "{ctx}");
                    assert_eq!(a.column(), b.column(), "{ctx}");
                }
            }
        }
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_span() {
        let long = format!(
            "{{\"a\": \"{}\", \"address\": \"x\", \"b\": \"{}\"}}",
            "é".repeat(2000),
            "y".repeat(5000)
        );
        let text = format!("first\n{long}\nlast");
        let f = SourceFile::new("plan.json", text.as_str());
        let at = text.find("\"address\"").unwrap();
        let span: miette::SourceSpan = (at, 14).into();
        let window = f.read_span(&span, 1, 1).unwrap();
        let shown = std::str::from_utf8(window.data()).unwrap();
        assert!(shown.contains("\"address\": \"x\""), "{shown}");
        assert!(shown.len() < 300, "{}", shown.len());
        assert_eq!(window.line(), 1);
        let header = f.read_span(&span, 0, 0).unwrap();
        assert_eq!(header.span().offset(), at);
        assert_eq!(header.column(), at - 6);
        // a short line: miette's own contents
        let short = SourceFile::new("a.tf", "a = 1\nb = 2\n");
        let s: miette::SourceSpan = (6, 5).into();
        assert_eq!(short.read_span(&s, 1, 1).unwrap().data(), b"a = 1\nb = 2\n");
    }

    #[test]
    fn columns_on_a_long_line_count_characters_through_the_marks() {
        let text = format!("x\n{}a{}b", "é".repeat(5000), "€".repeat(3000));
        let f = SourceFile::new("p.json", text.as_str());
        let a = text.find('a').unwrap();
        let b = text.find('b').unwrap();
        assert_eq!(
            f.line_col(a),
            LineCol {
                line: 2,
                column: 5001
            }
        );
        assert_eq!(
            f.line_col(b),
            LineCol {
                line: 2,
                column: 8002
            }
        );
        assert_eq!(f.line_col(2), LineCol { line: 2, column: 1 });
        assert!(!f.is_plain());
        assert!(SourceFile::new("a.tf", "a = 1\n\tb = 2\n").is_plain());
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let f = SourceFile::new("a.tf", "ab\néé = 1\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // "éé" is 4 bytes; the '=' after a space is the 4th character
        assert_eq!(f.line_col(8), LineCol { line: 2, column: 4 });
        assert_eq!(f.line_span(4), 3..11);
    }

    #[test]
    fn utf16_columns_count_code_units() {
        //                        é: 2 bytes, 1 unit; €: 3 bytes, 1 unit; 😀: 4 bytes, 2 units
        let text = "x\n é€😀 = 1\n";
        let f = SourceFile::new("a.tf", text);
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(f.line_col_utf16(at("é")), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col_utf16(at("€")), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col_utf16(at("😀")), LineCol { line: 2, column: 4 });
        // after the emoji: two units further, where characters count one
        assert_eq!(f.line_col_utf16(at("=")), LineCol { line: 2, column: 7 });
        assert_eq!(f.line_col(at("=")), LineCol { line: 2, column: 6 });
        // inside a character: floored to its start
        assert_eq!(
            f.line_col_utf16(at("😀") + 2),
            LineCol { line: 2, column: 4 }
        );
        // exclusive ends: after "😀" (2 units), after "= 1", and a zero-width span
        let emoji = at("😀")..at("😀") + 4;
        assert_eq!(f.span_end_utf16(&emoji), LineCol { line: 2, column: 6 });
        let assignment = at("=")..at("1") + 1;
        assert_eq!(
            f.span_end_utf16(&assignment),
            LineCol {
                line: 2,
                column: 10
            }
        );
        assert_eq!(f.span_end(&assignment), LineCol { line: 2, column: 9 });
        assert_eq!(f.span_end_utf16(&(1..1)), LineCol { line: 1, column: 2 });
        // past the end: clamped
        assert_eq!(f.line_col_utf16(1000), LineCol { line: 3, column: 1 });
    }
}
