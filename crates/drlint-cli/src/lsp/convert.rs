//! Between drlint's byte offsets and paths and the protocol's positions (UTF-16 code units,
//! 0-based, as LSP specifies by default) and URIs.

use std::path::{Path, PathBuf};

use drlint::{Finding, Severity, SourceFile};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Url,
};

/// The protocol position of a byte offset.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let at = file.line_col_utf16(offset);
    Position::new(
        u32::try_from(at.line - 1).unwrap_or(u32::MAX),
        u32::try_from(at.column - 1).unwrap_or(u32::MAX),
    )
}

/// The protocol range of a byte range.
pub fn range(file: &SourceFile, span: &std::ops::Range<usize>) -> Range {
    Range::new(position(file, span.start), position(file, span.end))
}

/// The byte offset of a protocol position (clamped to its line and to the text).
pub fn offset(file: &SourceFile, at: Position) -> usize {
    let line = at.line as usize + 1;
    if line > file.line_count() {
        return file.text.len();
    }
    let start = file.line_start(line);
    let mut units = 0u32;
    for (i, c) in file.text[start..].char_indices() {
        if units >= at.character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16() as u32;
    }
    file.text.len()
}

/// The file a URI names, when it is a local file.
pub fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

/// The documentation of a finding's rule.
pub fn docs_of(linter: &drlint::Linter, finding: &Finding) -> Option<String> {
    finding
        .docs
        .clone()
        .or_else(|| linter.rule(&finding.rule).ok()?.docs_url())
}

/// The URI of a finding's path (absolute, or relative to the workspace folder).
pub fn uri_of(root: &Path, path: &str) -> Option<Url> {
    let path = Path::new(path);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    Url::from_file_path(absolute).ok()
}

/// A path as hovers and messages show it: relative to the workspace folder when inside it.
pub fn shown(root: &Path, text: &str) -> String {
    let prefix = format!("{}/", root.display());
    text.replace(&prefix, "")
}

/// A finding as a diagnostic: the rule id as `code`, its documentation as `codeDescription`,
/// the secondary labels as related information.
pub fn diagnostic(root: &Path, finding: &Finding, docs: Option<&str>) -> Diagnostic {
    let severity = match finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    };
    let mut message = shown(root, &finding.message);
    if let Some(label) = &finding.label {
        message.push_str(&format!(" ({})", shown(root, label)));
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(root, &r.file.path)?, range(&r.file, &r.span)),
                message: shown(root, &r.message),
            })
        })
        .collect();
    Diagnostic {
        range: range(&finding.file, &finding.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule.clone())),
        code_description: docs
            .and_then(|d| Url::parse(d).ok())
            .map(|href| CodeDescription { href }),
        source: Some("drlint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::Value::String(finding.fingerprint.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_both_ways() {
        let file = SourceFile::new("a.tf", "x = \"é😀\" # z\nnext\n");
        // `#` is after `x = "` (5 units), é (1), 😀 (2), `" ` (2)
        let hash = file.text.find('#').unwrap();
        assert_eq!(position(&file, hash), Position::new(0, 10));
        assert_eq!(offset(&file, Position::new(0, 10)), hash);
        assert_eq!(
            offset(&file, Position::new(1, 2)),
            file.text.find("xt").unwrap()
        );
        // past the end of a line: the line's end; past the last line: the text's end
        assert_eq!(offset(&file, Position::new(1, 99)), file.text.len() - 1);
        assert_eq!(offset(&file, Position::new(9, 0)), file.text.len());
    }
}
