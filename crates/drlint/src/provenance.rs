//! Where each effective value of a data store comes from: `drlint inspect` for one value, as an
//! editor's hover shows it (`deletion_protection = false ← default of variable `protect` at
//! variables.tf:2`).

use std::ops::Range;
use std::sync::Arc;

use crate::check::Report;
use crate::rules::{Field, Inspected, Origin};
use crate::source::SourceFile;

/// One effective attribute of a data store and the chain its value came through, from a report
/// of [`crate::Linter::inspect_sources`] or [`crate::Linter::inspect_paths`].
///
/// ```
/// use drlint::{Linter, Source};
///
/// let linter = Linter::builder().no_config().build()?;
/// let report = linter.inspect_sources([
///     Source::new("orders/variables.tf", "variable \"protect\" {\n  default = false\n}\n"),
///     Source::new(
///         "orders/rds.tf",
///         "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = var.protect\n}\n",
///     ),
/// ]);
/// let value = report
///     .provenance()
///     .into_iter()
///     .find(|p| p.attribute == "deletion_protection")
///     .unwrap();
/// assert_eq!(
///     value.chain(),
///     "deletion_protection = false ← default of variable `protect` at orders/variables.tf:2"
/// );
/// # Ok::<(), drlint::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The data store's address (`module.rds`).
    pub address: String,
    /// Its kind (`rds_instance`).
    pub kind: String,
    /// The canonical attribute (`deletion_protection`).
    pub attribute: String,
    /// The argument that sets it, as written in the block, when it is written.
    pub argument: Option<String>,
    /// The effective value, as HCL shows it (`false`, `"ACTIVE"`, `(unknown)`).
    pub value: String,
    /// The file of the place below.
    pub file: Arc<SourceFile>,
    /// Where the value is set: the argument (`name = value`) when it is written in the block,
    /// else the block's header.
    pub span: Range<usize>,
    /// The steps the value came through, nearest first: variables, locals, a profile's default
    /// ("module rds-instance 9.2.0 default").
    pub steps: Vec<String>,
}

impl Provenance {
    /// The value and its chain on one line: `attribute = value ← step ← step`.
    pub fn chain(&self) -> String {
        let mut out = format!("{} = {}", self.attribute, self.value);
        for step in &self.steps {
            out.push_str(" ← ");
            out.push_str(step);
        }
        out
    }
}

fn at(file: &SourceFile, offset: usize) -> String {
    format!("{}:{}", file.path, file.line_col(offset).line)
}

fn of_field(store: &Inspected, attribute: &str, field: &Field) -> Provenance {
    let mut steps = Vec::new();
    let (mut file, mut span, mut argument) = (Arc::clone(&store.file), store.span.clone(), None);
    match &field.origin {
        Origin::Set {
            name,
            file: f,
            span: s,
            vias,
        } => {
            (file, span, argument) = (Arc::clone(f), s.clone(), Some(name.clone()));
            if vias.is_empty() {
                steps.push(format!("written at {}", at(f, s.start)));
            }
            for via in vias {
                steps.push(format!("{} at {}", via.what, at(&via.file, via.span.start)));
            }
        }
        Origin::Default { profile, note, .. } => steps.push(match note {
            Some(note) => format!("{profile} default ({note})"),
            None => format!("{profile} default"),
        }),
        Origin::Fixed { profile, note } => steps.push(match note {
            Some(note) => format!("hard-coded by {profile} ({note})"),
            None => format!("hard-coded by {profile}"),
        }),
        Origin::Companion {
            file: f,
            span: s,
            address,
            vias,
        } => {
            steps.push(format!("set by {address} at {}", at(f, s.start)));
            for via in vias {
                steps.push(format!("{} at {}", via.what, at(&via.file, via.span.start)));
            }
        }
        Origin::Absent => steps.push("not set".to_owned()),
    }
    Provenance {
        address: store.address.clone(),
        kind: store.kind.clone(),
        attribute: attribute.to_owned(),
        argument,
        value: field.value.to_string(),
        file,
        span,
        steps,
    }
}

impl Report {
    /// Every effective attribute of every data store, with where its value comes from: empty
    /// unless the report comes from an inspecting run ([`crate::Linter::inspect_sources`],
    /// [`crate::Linter::inspect_paths`]).
    pub fn provenance(&self) -> Vec<Provenance> {
        self.inspected
            .iter()
            .flat_map(|store| {
                store
                    .fields
                    .iter()
                    .map(move |(name, field)| of_field(store, name, field))
            })
            .collect()
    }
}
