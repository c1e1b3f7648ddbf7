//! The pipeline: decode → parse (parallel) → group by module directory →
//! evaluate and run rules (parallel) → sort and fingerprint.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::{Finding, Related, finalize};
use crate::hcl::parse_hcl;
use crate::model::{ModuleDir, TfFile};
use crate::profile::{ProfileSet, Scalar};
use crate::rules::{Rule, Select, Severity, check_module_dir};
use crate::source::SourceFile;

pub const PARSE_ERROR: &str = "parse-error";
pub const DUPLICATE_OBJECT_KEY: &str = "duplicate-object-key";

/// One file handed to the checker: its display path (relative, `/`-separated)
/// and its bytes, or why it could not be read.
#[derive(Debug)]
pub struct Input {
    pub path: String,
    pub content: Result<Vec<u8>, String>,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    /// Rule × block pairs left undecided because a value was unknown.
    pub unknown: usize,
}

#[derive(Debug, Default)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl CheckReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Rules and profiles, ready to check inputs.
pub struct Checker {
    rules: Vec<Rule>,
    options: Vec<BTreeMap<String, Scalar>>,
    profiles: ProfileSet,
}

enum Parsed {
    Tf(TfFile),
    Failed(Finding),
}

impl Checker {
    pub fn new(rules: Vec<Rule>, profiles: ProfileSet) -> Self {
        let options = rules.iter().map(Rule::option_values).collect();
        Checker {
            rules,
            options,
            profiles,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn check(&self, inputs: Vec<Input>) -> CheckReport {
        let files = inputs.len();
        let parsed: Vec<Parsed> = inputs.into_par_iter().map(|i| self.parse(i)).collect();
        let mut findings = Vec::new();
        let mut dirs: BTreeMap<String, Vec<TfFile>> = BTreeMap::new();
        for p in parsed {
            match p {
                Parsed::Tf(tf) => {
                    findings.extend(self.duplicate_key_findings(&tf));
                    dirs.entry(dir_of(&tf.source.path).to_owned())
                        .or_default()
                        .push(tf);
                }
                Parsed::Failed(f) => findings.push(f),
            }
        }
        let active: Vec<_> = self
            .rules
            .iter()
            .zip(&self.options)
            .filter(|(r, _)| !matches!(r.select, Select::Parser))
            .map(|(r, o)| (r, o.clone()))
            .collect();
        let outcomes: Vec<_> = dirs
            .into_par_iter()
            .map(|(path, mut files)| {
                files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
                let dir = ModuleDir { path, files };
                check_module_dir(&dir, &self.profiles, &active)
            })
            .collect();
        let mut unknown = 0;
        for o in outcomes {
            findings.extend(o.findings);
            unknown += o.unknown;
        }
        finalize(&mut findings);
        CheckReport {
            findings,
            summary: Summary { files, unknown },
        }
    }

    fn parse(&self, input: Input) -> Parsed {
        let bytes = match input.content {
            Ok(bytes) => bytes,
            Err(why) => {
                let file = Arc::new(SourceFile::new(input.path, ""));
                return self.parse_error(file, 0..0, format!("cannot read file: {why}"));
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = Arc::new(SourceFile::new(input.path, lossy));
                let end = file.text[offset..]
                    .chars()
                    .next()
                    .map_or(offset, |c| offset + c.len_utf8());
                return self.parse_error(
                    file,
                    offset..end,
                    format!("file is not UTF-8 text (invalid byte at offset {offset})"),
                );
            }
        };
        let file = Arc::new(SourceFile::new(input.path, text));
        match parse_hcl(&file.text) {
            Ok(parsed) => Parsed::Tf(TfFile::from_body(file, parsed.body, parsed.duplicate_keys)),
            Err(e) => {
                let end = file.text[e.offset.min(file.text.len())..]
                    .chars()
                    .next()
                    .map_or(e.offset, |c| e.offset + c.len_utf8());
                self.parse_error(Arc::clone(&file), e.offset..end, e.message)
            }
        }
    }

    fn parse_error(
        &self,
        file: Arc<SourceFile>,
        span: std::ops::Range<usize>,
        message: String,
    ) -> Parsed {
        let rule = self.rule(PARSE_ERROR);
        Parsed::Failed(Finding {
            rule: PARSE_ERROR.to_owned(),
            severity: rule.map_or(Severity::Error, |r| r.severity),
            help: rule.map(|r| r.help.clone()),
            docs: rule.and_then(|r| r.docs.clone()),
            label: Some(message.clone()),
            message: format!("{} could not be read: {message}", file.path),
            file,
            span,
            related: Vec::new(),
            identity: String::new(),
            fingerprint: String::new(),
        })
    }

    fn duplicate_key_findings(&self, tf: &TfFile) -> Vec<Finding> {
        let Some(rule) = self.rule(DUPLICATE_OBJECT_KEY) else {
            return Vec::new();
        };
        tf.duplicate_keys
            .iter()
            .map(|d| Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                message: format!(
                    "object key `{}` is repeated: Terraform keeps only the last value",
                    d.key
                ),
                help: Some(rule.help.clone()),
                docs: rule.docs.clone(),
                file: Arc::clone(&tf.source),
                span: d.second.clone(),
                label: Some("this value wins".to_owned()),
                related: vec![Related {
                    file: Arc::clone(&tf.source),
                    span: d.first.clone(),
                    message: format!("first definition of `{}`, discarded", d.key),
                }],
                identity: d.key.clone(),
                fingerprint: String::new(),
            })
            .collect()
    }
}

/// The module directory of a display path: everything before the last `/`.
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}
