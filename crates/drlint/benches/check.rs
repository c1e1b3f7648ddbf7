//! Parse and whole-check throughput on a generated estate of 10,000 files
//! (1,250 namespaces of 8 files, shaped like the Cloud Platform corpus).
//! Run: `cargo bench -p drlint`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drlint::{Linter, Source};

const NAMESPACES: usize = 1_250;

fn namespace(i: usize) -> Vec<(String, String)> {
    let ns = format!(
        "team-{i}-{}",
        if i.is_multiple_of(4) { "prod" } else { "dev" }
    );
    let dir = format!("namespaces/{ns}/resources");
    let prod = i.is_multiple_of(4);
    let mut files = vec![
        (
            "variables.tf",
            format!(
                "variable \"namespace\" {{\n  default = \"{ns}\"\n}}\n\nvariable \"is_production\" {{\n  default = \"{prod}\"\n}}\n\nvariable \"team_name\" {{\n  default = \"team-{i}\"\n}}\n\nvariable \"deletion_protection\" {{\n  type    = bool\n  default = {}\n}}\n",
                !i.is_multiple_of(3)
            ),
        ),
        (
            "versions.tf",
            "terraform {\n  required_version = \">= 1.2.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}\n".to_owned(),
        ),
        (
            "main.tf",
            format!(
                "provider \"aws\" {{\n  region = \"eu-west-2\"\n  default_tags {{\n    tags = {{\n      namespace     = var.namespace\n      is-production = var.is_production\n      owner         = var.team_name\n    }}\n  }}\n}}\n\nlocals {{\n  identifier = \"${{var.namespace}}-db\"\n  retention  = var.is_production == \"true\" ? 35 : {}\n}}\n",
                i % 10
            ),
        ),
        (
            "rds.tf",
            format!(
                "module \"rds\" {{\n  source                     = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  db_engine                  = \"postgres\"\n  db_engine_version          = \"16\"\n  deletion_protection        = var.deletion_protection\n  db_backup_retention_period = local.retention\n  enable_rds_auto_start_stop = {}\n  namespace                  = var.namespace\n  is_production              = var.is_production\n}}\n\nresource \"kubernetes_secret\" \"rds\" {{\n  metadata {{\n    name      = \"rds-output\"\n    namespace = var.namespace\n  }}\n  data = {{\n    endpoint = module.rds.rds_instance_endpoint\n    password = module.rds.database_password\n  }}\n}}\n",
                i.is_multiple_of(7)
            ),
        ),
        (
            "s3.tf",
            format!(
                "module \"s3\" {{\n  source     = \"github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0\"\n  versioning = {}\n  namespace  = var.namespace\n}}\n",
                i.is_multiple_of(2)
            ),
        ),
        (
            "elasticache.tf",
            "module \"redis\" {\n  source                 = \"github.com/ministryofjustice/cloud-platform-terraform-elasticache-cluster?ref=8.2.0\"\n  number_cache_clusters  = \"2\"\n  node_type              = \"cache.t4g.small\"\n  engine_version         = \"7.0\"\n  namespace              = var.namespace\n}\n".to_owned(),
        ),
        (
            "serviceaccount.tf",
            format!(
                "module \"serviceaccount\" {{\n  source                = \"github.com/ministryofjustice/cloud-platform-terraform-serviceaccount?ref=1.1.0\"\n  namespace             = var.namespace\n  github_repositories   = [\"repo-{i}\"]\n  github_environments   = [for e in [\"dev\", \"prod\"] : e if e != \"\"]\n  serviceaccount_rules  = [{{ api_groups = [\"\"], resources = [\"pods\"], verbs = [\"get\", \"list\"] }}]\n}}\n"
            ),
        ),
        (
            "outputs.tf",
            "output \"rds_endpoint\" {\n  value = module.rds.rds_instance_endpoint\n}\n\noutput \"bucket\" {\n  value = module.s3.bucket_arn\n}\n".to_owned(),
        ),
    ];
    files
        .drain(..)
        .map(|(name, text)| (format!("{dir}/{name}"), text))
        .collect()
}

fn estate() -> Vec<(String, String)> {
    (0..NAMESPACES).flat_map(namespace).collect()
}

fn benches(c: &mut Criterion) {
    let files = estate();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let linter = Linter::builder()
        .no_config()
        .today("2026-12-01")
        .build()
        .unwrap();

    let mut group = c.benchmark_group("estate-10k-files");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    // the parser alone (drlint's own pass over the tree for repeated keys is in `check`)
    group.bench_function("parse", |b| {
        b.iter(|| {
            for (_, text) in &files {
                black_box(hcl_edit::parser::parse_body(text).unwrap());
            }
        })
    });
    group.bench_function("check", |b| {
        b.iter_batched(
            || {
                files
                    .iter()
                    .map(|(path, text)| Source::new(path.clone(), text.as_bytes()))
                    .collect::<Vec<_>>()
            },
            |sources| black_box(linter.check_sources(sources)),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(estate_benches, benches);
criterion_main!(estate_benches);
