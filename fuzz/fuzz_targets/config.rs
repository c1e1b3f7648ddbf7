//! Arbitrary text as each of the YAML files a team writes for drlint:
//! `.drlint.yaml` (Config::parse, validate, resolve per folder), a rule file
//! (Rule::from_yaml), a module profile (Profile::from_yaml) and a chart profile
//! (ChartProfile::from_yaml). Whatever is accepted is then used as the CLI
//! would: a checker with it runs over a small fixed tree (Terraform and Helm),
//! and an accepted rule's documented examples are run.
#![no_main]

use drlint::config::{Config, Resolved};
use drlint::helm::profile::{ChartProfile, ChartProfiles};
use drlint::profile::{Profile, ProfileSet};
use drlint::{Checker, Input, Rule};
use drlint_fuzz::{check, input, profiles, rules, settings};
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

fn tree() -> Vec<Input> {
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

    // .drlint.yaml
    if let Ok(config) = Config::parse(text)
        && config.validate(text, rules()).is_ok()
    {
        let resolved = Resolved::new(&config);
        for folder in [".", "team-prod", "helm_deploy/app"] {
            let _ = resolved.for_folder(folder);
        }
        let mut settings = settings();
        if let Some(pattern) = &config.production.name_pattern {
            // the CLI refuses a pattern that does not compile
            match regex::Regex::new(pattern) {
                Ok(re) => settings.production_name = re,
                Err(_) => return,
            }
        }
        settings.helm.environments = config.helm.environments.clone();
        if let Some(prod) = &config.helm.production_environments {
            settings.helm.production_environments = prod.clone();
        }
        settings.helm.releases = config.helm.releases.clone();
        settings.known_rules = rules().iter().map(|r| r.id.clone()).collect();
        settings.config = Some((resolved, ".".to_owned()));
        let checker = Checker::with_settings(rules().to_vec(), profiles().clone(), settings);
        check(&checker, tree());
    }

    // a rule file: with the built-in rules (it replaces one of the same id)
    if let Ok(rule) = Rule::from_yaml("fuzz.yaml", text) {
        let mut all: Vec<Rule> = rules()
            .iter()
            .filter(|r| r.id != rule.id)
            .cloned()
            .collect();
        all.push(rule.clone());
        let checker = Checker::with_settings(all, profiles().clone(), settings());
        let _ = drlint::examples::example_failures(&rule, &checker);
        check(&checker, tree());
    }

    // a module profile: after the built-in ones (a team's own wins)
    if let Ok(profile) = Profile::from_yaml("fuzz.yaml", text) {
        let mut all: Vec<Profile> = profiles().iter().cloned().collect();
        all.push(profile);
        let checker = Checker::with_settings(rules().to_vec(), ProfileSet::new(all), settings());
        check(&checker, tree());
    }

    // a chart profile: after the built-in ones
    if let Ok(chart) = ChartProfile::from_yaml("fuzz.yaml", text) {
        let mut settings = settings();
        let mut all: Vec<ChartProfile> = settings.helm.profiles.iter().cloned().collect();
        all.push(chart);
        settings.helm.profiles = ChartProfiles::new(all);
        let checker = Checker::with_settings(rules().to_vec(), profiles().clone(), settings);
        check(&checker, tree());
    }
});
