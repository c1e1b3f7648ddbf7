//! What a suppression finding tells the user to write.

use crate::{Checker, Input, Settings, builtin};

#[test]
fn a_reasonless_suppression_is_shown_a_future_until_date_and_its_own_rules() {
    let settings = Settings {
        today: Some("2026-12-01".to_owned()),
        ..Settings::default()
    };
    let checker = Checker::with_settings(
        builtin::rules().unwrap(),
        builtin::profiles().unwrap(),
        settings,
    );
    let text = "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = false # drlint:ignore deletion-protection-disabled\n}\n";
    let report = checker.check(vec![Input {
        path: "env/rds.tf".to_owned(),
        content: Ok(text.as_bytes().to_vec()),
    }]);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "suppression-without-reason")
        .expect("the suppression is reported");
    let help = finding.help.as_deref().unwrap();
    assert!(
        help.contains("# drlint:ignore deletion-protection-disabled until=2026-12-31 -- "),
        "{help}"
    );
}
