//! Arbitrary text as each of the YAML files a team writes for drlint, given to the linter
//! builder as an embedder would: `.drlint.yaml` (`config_text`: parsed, validated against the
//! rules, its production pattern compiled, resolved per folder during the check), a rule file
//! (`rule_yaml`, beside the built-in rules), a module profile (`profile_yaml`) and a chart
//! profile (`chart_profile_yaml`). Whatever builds checks a small fixed tree (Terraform and
//! Helm) that the configuration, rule or profile applies to.
#![no_main]

use drlint::Source;
use drlint_fuzz::{builder, check, input};
use libfuzzer_sys::fuzz_target;

const MAIN_TF: &str = r#"module "rds" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection = false
  is_production       = "true"
}

resource "aws_s3_bucket" "docs" {
  bucket = "docs"
}

resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
}
"#;

const NAMESPACE: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: team-prod
  labels:
    cloud-platform.justice.gov.uk/is-production: \"true\"
";

const CHART: &str = "apiVersion: v2
name: app
version: 0.1.0
dependencies:
  - name: generic-service
    version: \"3.12.4\"
    repository: https://ministryofjustice.github.io/hmpps-helm-charts
";

const VALUES: &str = "generic-service:
  replicaCount: 1
  image:
    tag: latest
  ingress:
    enabled: true
  autoscaling:
    enabled: yes
  env:
    DB_PASSWORD: hunter2
";

const OVERLAY: &str = "generic-service:
  replicaCount: 2
  allowlist:
    vpn: 10.1.0.0/16
";

fn tree() -> Vec<Source> {
    vec![
        input("team-prod/main.tf", MAIN_TF.as_bytes()),
        input("team-prod/00-namespace.yaml", NAMESPACE.as_bytes()),
        input("team-prod/APPLY_PIPELINE_SKIP_THIS_NAMESPACE", b""),
        input("helm_deploy/app/Chart.yaml", CHART.as_bytes()),
        input("helm_deploy/app/values.yaml", VALUES.as_bytes()),
        input("helm_deploy/values-prod.yaml", OVERLAY.as_bytes()),
    ]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let linters = [
        builder().config_text(text, "."),
        builder().rule_yaml("fuzz.yaml", text),
        builder().profile_yaml("fuzz.yaml", text),
        builder().chart_profile_yaml("fuzz.yaml", text),
    ];
    for linter in linters {
        if let Ok(linter) = linter.build() {
            check(&linter, tree());
        }
    }
});
