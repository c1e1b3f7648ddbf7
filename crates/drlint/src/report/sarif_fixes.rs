//! SARIF `fixes` (§3.55): a rule's fix as replacements per file, in UTF-16 regions.

use serde::Serialize;

use super::sarif::{ArtifactLocation, Region, TextRef};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifFix<'a> {
    description: TextRef<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    safety: crate::fix::Safety,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: TextRef<'a>,
}

/// A fix as SARIF has it: the replacements grouped by file, regions in UTF-16 columns (an
/// insertion is an empty region).
pub(super) fn sarif_fix(fix: &crate::fix::Fix) -> SarifFix<'_> {
    let mut changes: Vec<ArtifactChange<'_>> = Vec::new();
    for e in &fix.edits {
        let uri = super::uri_path(&e.file.path);
        let (start, end) = (
            e.file.line_col_utf16(e.span.start),
            e.file.line_col_utf16(e.span.end),
        );
        let replacement = Replacement {
            deleted_region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            },
            inserted_content: TextRef {
                text: &e.replacement,
            },
        };
        match changes.iter_mut().find(|c| c.artifact_location.uri == uri) {
            Some(change) => change.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: ArtifactLocation { uri },
                replacements: vec![replacement],
            }),
        }
    }
    SarifFix {
        description: TextRef {
            text: &fix.description,
        },
        artifact_changes: changes,
        properties: FixProperties { safety: fix.safety },
    }
}
