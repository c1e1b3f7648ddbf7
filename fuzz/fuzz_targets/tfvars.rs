//! Arbitrary bytes as a variables file beside a fixed `main.tf` whose
//! variables feed a module call (so the values flow into the rules): as
//! `terraform.tfvars`, as `terraform.tfvars.json`, as `x.auto.tfvars.json`, and as a `--var`
//! value.
#![no_main]

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
    for name in [
        "terraform.tfvars",
        "terraform.tfvars.json",
        "x.auto.tfvars.json",
    ] {
        drlint_fuzz::check(
            drlint_fuzz::linter(),
            vec![
                drlint_fuzz::input("main.tf", MAIN_TF.as_bytes()),
                drlint_fuzz::input(name, data),
            ],
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // the text as a `--var settings=VALUE` value
        if let Ok(linter) = drlint_fuzz::builder().var("settings", text).build() {
            drlint_fuzz::check(
                &linter,
                vec![drlint_fuzz::input("main.tf", MAIN_TF.as_bytes())],
            );
        }
    }
});
