//! The spanned Terraform model: files, blocks and attributes of one module directory.

use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};

use crate::hcl::DuplicateKey;
use crate::source::SourceFile;

/// Index of a file inside its [`ModuleDir`].
pub type FileIdx = usize;

#[derive(Debug)]
pub struct Attribute {
    pub name: String,
    /// `name = value`, without surrounding comments.
    pub span: Range<usize>,
    pub value: Expression,
}

#[derive(Debug)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// The whole block, from its type keyword to the closing brace.
    pub span: Range<usize>,
    /// `type "label" ... {`: where a finding about an absent attribute points.
    pub header: Range<usize>,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

impl Block {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Follows a dotted path of nested blocks to an attribute:
    /// `point_in_time_recovery.enabled` is `enabled` inside the first `point_in_time_recovery` block.
    pub fn attribute_at(&self, path: &str) -> Option<&Attribute> {
        match path.split_once('.') {
            None => self.attribute(path),
            Some((head, rest)) => self
                .blocks
                .iter()
                .find(|b| b.ident == head)?
                .attribute_at(rest),
        }
    }

    /// The Terraform address of a top-level block: `module.rds`, `aws_db_instance.main`, `data.x.y`.
    pub fn address(&self) -> String {
        match (self.ident.as_str(), self.labels.as_slice()) {
            ("resource", [ty, name, ..]) => format!("{ty}.{name}"),
            ("data", [ty, name, ..]) => format!("data.{ty}.{name}"),
            (ident, []) => ident.to_owned(),
            (ident, labels) => format!("{ident}.{}", labels.join(".")),
        }
    }

    /// The resource type of a `resource` block.
    pub fn resource_type(&self) -> Option<&str> {
        (self.ident == "resource").then(|| self.labels.first().map(String::as_str))?
    }
}

/// One parsed `.tf` file.
#[derive(Debug)]
pub struct TfFile {
    pub source: Arc<SourceFile>,
    pub blocks: Vec<Block>,
    /// Top-level `name = value` lines: none in a valid `.tf` file, all of a `.tfvars` file.
    pub attributes: Vec<Attribute>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

impl TfFile {
    pub fn from_body(
        source: Arc<SourceFile>,
        body: Body,
        duplicate_keys: Vec<DuplicateKey>,
    ) -> Self {
        let (attributes, blocks) = convert_body(&source.text, body);
        TfFile {
            source,
            blocks,
            attributes,
            duplicate_keys,
        }
    }
}

fn convert_body(text: &str, body: Body) -> (Vec<Attribute>, Vec<Block>) {
    let mut attributes = Vec::new();
    let mut blocks = Vec::new();
    for structure in body.into_iter() {
        match structure {
            Structure::Attribute(attr) => attributes.push(Attribute {
                name: attr.key.as_str().to_owned(),
                span: attr.span().unwrap_or(0..0),
                value: attr.value,
            }),
            Structure::Block(block) => {
                let span = block.span().unwrap_or(0..0);
                let labels_end = block.labels.last().and_then(|l| l.span()).map_or_else(
                    || block.ident.span().map_or(span.start, |s| s.end),
                    |s| s.end,
                );
                let header_end = text
                    .get(labels_end..span.end.max(labels_end))
                    .and_then(|t| t.find('{'))
                    .map_or(labels_end, |i| labels_end + i + 1);
                let labels = block.labels.iter().map(|l| l.as_str().to_owned()).collect();
                let ident = block.ident.as_str().to_owned();
                let (attributes, nested) = convert_body(text, block.body);
                blocks.push(Block {
                    ident,
                    labels,
                    header: span.start..header_end,
                    span,
                    attributes,
                    blocks: nested,
                });
            }
        }
    }
    (attributes, blocks)
}

/// All `.tf` files of one folder: Terraform's unit of evaluation.
#[derive(Debug)]
pub struct ModuleDir {
    /// Display path of the folder (`.` for the current directory).
    pub path: String,
    pub files: Vec<TfFile>,
}

impl ModuleDir {
    /// Every top-level block with the file it lives in.
    pub fn blocks(&self) -> impl Iterator<Item = (FileIdx, &Block)> {
        self.files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.blocks.iter().map(move |b| (i, b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::parse_hcl;

    fn file(src: &str) -> TfFile {
        let parsed = parse_hcl(src).unwrap();
        TfFile::from_body(
            Arc::new(SourceFile::new("main.tf", src)),
            parsed.body,
            parsed.duplicate_keys,
        )
    }

    #[test]
    fn blocks_carry_address_header_and_attribute_spans() {
        let src = "# note\nresource \"aws_dynamodb_table\" \"t\" {\n  name = \"x\"\n  point_in_time_recovery {\n    enabled = true\n  }\n}\n";
        let f = file(src);
        let b = &f.blocks[0];
        assert_eq!(b.address(), "aws_dynamodb_table.t");
        assert_eq!(
            &src[b.header.clone()],
            "resource \"aws_dynamodb_table\" \"t\" {"
        );
        assert_eq!(
            &src[b.attribute("name").unwrap().span.clone()],
            "name = \"x\""
        );
        assert_eq!(
            &src[b
                .attribute_at("point_in_time_recovery.enabled")
                .unwrap()
                .span
                .clone()],
            "enabled = true"
        );
        assert_eq!(b.resource_type(), Some("aws_dynamodb_table"));
    }
}
