//! Arbitrary bytes as a Helm values file: the whole check as `helm_deploy/app/values.yaml` under a fixed production
//! overlay, and as that overlay over a fixed base (the chart, generic-service,
//! is named by a fixed `Chart.yaml`).
#![no_main]

use libfuzzer_sys::fuzz_target;

const CHART: &str = "apiVersion: v2
name: app
version: 0.1.0
dependencies:
  - name: generic-service
    version: \"3.12.4\"
    repository: https://ministryofjustice.github.io/hmpps-helm-charts
";

const BASE: &str = "generic-service: &gs
  replicaCount: 2
  image:
    tag: latest
  ingress:
    enabled: true
    annotations: {}
  allowlist:
    office: 10.0.0.0/8
  env:
    DB_PASSWORD: hunter2
";

const OVERLAY: &str = "generic-service:
  replicaCount: 1
  autoscaling:
    enabled: on
  allowlist:
    vpn: 10.1.0.0/16
";

fuzz_target!(|data: &[u8]| {
    let chart = drlint_fuzz::input("helm_deploy/app/Chart.yaml", CHART.as_bytes());
    drlint_fuzz::check(
        drlint_fuzz::linter(),
        vec![
            chart.clone(),
            drlint_fuzz::input("helm_deploy/app/values.yaml", data),
            drlint_fuzz::input("helm_deploy/values-prod.yaml", OVERLAY.as_bytes()),
        ],
    );
    drlint_fuzz::check(
        drlint_fuzz::linter(),
        vec![
            chart,
            drlint_fuzz::input("helm_deploy/app/values.yaml", BASE.as_bytes()),
            drlint_fuzz::input("helm_deploy/values-prod.yaml", data),
        ],
    );
});
