//! Findings about a file rather than a data store: a file skipped or not
//! decoded, a parse error, an evaluation cycle, a repeated object key.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use super::{
    Checker, DUPLICATE_OBJECT_KEY, EVALUATION_CYCLE, INPUT_SKIPPED, Input, PARSE_ERROR,
    UNSHOWABLE_NAME,
};
use crate::finding::{Finding, Related};
use crate::hcl::ParseError;
use crate::model::{ModuleDir, TfFile};
use crate::rules::Severity;
use crate::source::SourceFile;

impl Checker {
    /// The `input-skipped` finding of a file not read (its content is why), or of a
    /// path holding a backslash.
    pub(crate) fn skipped(&self, input: &Input) -> Finding {
        let why = match &input.content {
            _ if input.path.contains('\\') => UNSHOWABLE_NAME,
            Err(why) => why.as_str(),
            Ok(_) => "",
        };
        self.file_finding(
            INPUT_SKIPPED,
            Severity::Warning,
            Arc::new(SourceFile::new(input.path.clone(), "")),
            0..0,
            why,
            format!("{} was not read: {why}", input.path),
        )
    }

    /// A finding about a file as a whole or a place in it, of a `select: parser`
    /// rule (`default` is its severity when the rule is not loaded).
    pub(crate) fn file_finding(
        &self,
        id: &str,
        default: Severity,
        file: Arc<SourceFile>,
        span: Range<usize>,
        label: &str,
        message: String,
    ) -> Finding {
        let rule = self.rule(id);
        Finding {
            rule: id.to_owned(),
            severity: rule.map_or(default, |r| r.severity),
            help: rule.map(|r| r.help.clone()),
            docs: rule.and_then(|r| r.docs.clone()),
            label: Some(label.to_owned()),
            message,
            file,
            span,
            related: Vec::new(),
            identity: String::new(),
            fingerprint: String::new(),
            status: None,
            since: None,
            production: None,
            fix: None,
        }
    }

    /// The input as UTF-8 text, or the finding saying why not (`input-skipped` for
    /// a file not read, `parse-error` for one that is not UTF-8).
    pub(crate) fn decode(&self, input: &Input) -> Result<Arc<SourceFile>, Box<Finding>> {
        let bytes = match &input.content {
            Ok(bytes) if !input.path.contains('\\') => bytes,
            _ => return Err(Box::new(self.skipped(input))),
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Arc::new(SourceFile::new(input.path.clone(), text))),
            Err(e) => {
                let offset = e.valid_up_to();
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                let file = Arc::new(SourceFile::new(input.path.clone(), lossy));
                let span = file.char_span(offset);
                Err(Box::new(self.problem(
                    file,
                    span,
                    format!("file is not UTF-8 text (invalid byte at offset {offset})"),
                )))
            }
        }
    }

    pub(super) fn parse_error(&self, file: Arc<SourceFile>, e: ParseError) -> Finding {
        // an offset from a parser may fall inside a character (serde_json counts
        // bytes up to the one it stopped at): the finding points at its character
        let span = file.char_span(e.offset);
        self.problem(file, span, e.message)
    }

    pub(crate) fn problem(
        &self,
        file: Arc<SourceFile>,
        span: Range<usize>,
        message: String,
    ) -> Finding {
        let summary = format!("{} could not be read: {message}", file.path);
        self.file_finding(PARSE_ERROR, Severity::Error, file, span, &message, summary)
    }

    /// An `evaluation-cycle` finding (a rule of `select: parser`), when the rule is in force.
    pub(super) fn cycle_finding(
        &self,
        file: Arc<SourceFile>,
        span: Range<usize>,
        message: String,
        related: Vec<Related>,
    ) -> Option<Finding> {
        let rule = self.rule(EVALUATION_CYCLE)?;
        Some(Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            identity: message.clone(),
            label: Some("its value is unknown: drlint does not follow the cycle".to_owned()),
            message,
            help: Some(rule.help.clone()),
            docs: rule.docs.clone(),
            file,
            span,
            related,
            fingerprint: String::new(),
            status: None,
            since: None,
            production: None,
            fix: None,
        })
    }

    /// Locals that use their own result, once per folder however often it is instantiated.
    pub(super) fn local_cycle_findings(&self, dir: &ModuleDir) -> Vec<Finding> {
        if self.rule(EVALUATION_CYCLE).is_none() {
            return Vec::new();
        }
        crate::eval::local_cycles(dir)
            .into_iter()
            .filter_map(|cycle| {
                let names: Vec<&str> = cycle.iter().map(|(_, a)| a.name.as_str()).collect();
                let (file, first) = cycle[0];
                let related = cycle[1..]
                    .iter()
                    .map(|(f, a)| Related {
                        file: Arc::clone(&dir.files[*f].source),
                        span: a.span.clone(),
                        message: format!("`local.{}` is part of the cycle", a.name),
                    })
                    .collect();
                self.cycle_finding(
                    Arc::clone(&dir.files[file].source),
                    first.span.clone(),
                    crate::eval::cycle_message(&names),
                    related,
                )
            })
            .collect()
    }

    /// Module calls that contain themselves, once per call site.
    pub(super) fn module_cycle_findings(
        &self,
        cycles: Vec<crate::rules::ModuleCycle>,
    ) -> Vec<Finding> {
        let mut seen = BTreeSet::new();
        cycles
            .into_iter()
            .filter(|c| seen.insert((c.file.path.clone(), c.span.start, c.span.end)))
            .filter_map(|c| self.cycle_finding(c.file, c.span, c.message, Vec::new()))
            .collect()
    }

    pub(super) fn duplicate_key_findings(&self, tf: &TfFile) -> Vec<Finding> {
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
                status: None,
                since: None,
                production: None,
                fix: None,
            })
            .collect()
    }
}
