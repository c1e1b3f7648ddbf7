//! Arbitrary bytes as a variables file beside a fixed `main.tf` whose
//! variables feed a module call (so the values flow into the rules): as
//! `terraform.tfvars`, as `terraform.tfvars.json`, and as a `--var` value.
#![no_main]

use std::sync::Arc;

use drlint::eval::Budget;
use drlint::source::SourceFile;
use drlint::vars::{RawVar, bind_raw, read_tfvars};
use libfuzzer_sys::fuzz_target;

const MAIN_TF: &str = r#"variable "deletion_protection" {
  type    = bool
  default = true
}

variable "retention" {
  default = 7
}

variable "settings" {
  default = {}
}

module "rds" {
  source                     = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection        = var.deletion_protection
  db_backup_retention_period = var.retention
  snapshot_identifier        = lookup(var.settings, "snapshot", null)
  is_production              = var.settings.production
}
"#;

fuzz_target!(|data: &[u8]| {
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        drlint_fuzz::check(
            drlint_fuzz::checker(),
            vec![
                drlint_fuzz::input("main.tf", MAIN_TF.as_bytes()),
                drlint_fuzz::input(name, data),
            ],
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // the reader alone, and the text as a `--var NAME=VALUE` value
        let file = Arc::new(SourceFile::new("x.auto.tfvars.json", text));
        let _ = read_tfvars(&file, &mut Default::default(), Budget::default());
        let mut bindings = Default::default();
        bind_raw(
            &mut bindings,
            &RawVar {
                name: "settings".to_owned(),
                value: text.to_owned(),
                source: "`--var settings=...`".to_owned(),
            },
            Budget::default(),
        );
    }
});
