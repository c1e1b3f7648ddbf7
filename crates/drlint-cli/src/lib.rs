//! `drlint`: the command-line interface, as a library so that other
//! binaries (the pre-commit hook's) run exactly the same program.

mod args;
mod discover;
mod explain;
mod git;
mod history;
mod inputs;
mod pr;
mod project;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use args::{
    BaselineCommand, CheckArgs, Cli, ColorChoice, Command, Format, FormatSpec, InputArgs,
    RuleSelection, Threshold,
};
use drlint::baseline::Baseline;
use drlint::profile::{Profile, ProfileSet};
use drlint::report::{
    Concise, GitHub, GitLab, Human, JUnit, Json, MARKDOWN_COMMENT_LIMIT,
    MARKDOWN_STEP_SUMMARY_LIMIT, Markdown, Render, Sarif, Statistics,
};
use drlint::vars::RawVar;
use drlint::{Checker, CliVar, Input, Rule, Settings, Severity};
use project::Project;

/// Exit codes: 0 clean, 1 findings at or above the threshold, 2 usage or configuration error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Runs `drlint` with the process's own arguments.
pub fn main() -> ExitCode {
    main_with(std::env::args_os())
}

/// Runs `drlint` with these arguments (the first is the program name).
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = Cli::command().get_matches_from(args);
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Terraform applies -var and -var-file in command-line order: record their positions.
    let check_args = match (&mut cli.command, matches.subcommand()) {
        (Command::Check(args), Some((_, sub))) => Some((&mut args.input, sub)),
        (Command::Inspect(args), Some((_, sub))) => Some((&mut args.input, sub)),
        (
            Command::Baseline {
                command: BaselineCommand::Create { args, .. },
            },
            Some((_, sub)),
        ) => sub
            .subcommand()
            .map(|(_, create)| (&mut args.input, create)),
        _ => None,
    };
    if let Some((args, sub)) = check_args {
        // `check --plan PLAN.json` without a PATH checks the plan alone (PR mode reads the repository)
        let plan_alone = matches!(sub.try_get_one::<PathBuf>("plan"), Ok(Some(_)))
            && sub.value_source("paths") == Some(clap::parser::ValueSource::DefaultValue)
            && !matches!(sub.try_get_one::<String>("base"), Ok(Some(_)))
            && !matches!(sub.try_get_one::<bool>("staged"), Ok(Some(true)));
        if plan_alone {
            args.paths.clear();
        }
        args.var_indices = sub
            .indices_of("vars")
            .map(Iterator::collect)
            .unwrap_or_default();
        args.var_file_indices = sub
            .indices_of("var_files")
            .map(Iterator::collect)
            .unwrap_or_default();
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            // names and values from the tree: never control characters raw
            eprintln!(
                "drlint: error: {}",
                drlint::report::escape_controls(&message)
            );
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Check(args) => check(args, Mode::Check),
        Command::Inspect(args) => check(
            check_args_for(args.input, RuleSelection::default()),
            Mode::Inspect,
        ),
        Command::Baseline {
            command: BaselineCommand::Create { args, output },
        } => check(
            CheckArgs {
                plan: args.plan,
                ..check_args_for(args.input, args.selection)
            },
            Mode::CreateBaseline(output),
        ),
        Command::Completions { shell } => {
            // generated into memory: clap_complete panics on a closed stdout
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "drlint", &mut script);
            write_stdout(|out| out.write_all(&script)).map(|()| 0)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| format!("rendering the manual page: {e}"))?;
            write_stdout(|out| out.write_all(&page)).map(|()| 0)
        }
        Command::Rules { check: None } => {
            let project = Project::load(&default_check_args().input)?;
            print!(
                "{}",
                drlint::report::escape_controls(&explain::rule_list(&project.rules))
            );
            Ok(0)
        }
        Command::Rules { check: Some(dir) } => check_rule_dir(&dir),
        Command::Explain { rule } => {
            let project = Project::load(&default_check_args().input)?;
            let rule = find_rule(&project.rules, &rule)?;
            print!(
                "{}",
                drlint::report::escape_controls(&explain::explain(rule, &project.profiles))
            );
            Ok(0)
        }
        Command::Init => {
            let path = Path::new(drlint::config::CONFIG_FILE);
            inputs::create_new_output(path)?
                .write_all(drlint::config::STARTER.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
            Ok(0)
        }
    }
}

/// The paths of a run as a message names them.
fn shown_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    shown.join(", ")
}

/// The arguments of a plain `drlint check`, for commands that need the project's rules.
fn default_check_args() -> CheckArgs {
    match Cli::parse_from(["drlint", "check"]).command {
        Command::Check(args) => args,
        _ => unreachable!("parsed `check`"),
    }
}

/// A `check` with these inputs and rules and every other option at its default,
/// for the commands (`inspect`, `baseline create`) that run the same pipeline.
fn check_args_for(input: InputArgs, selection: RuleSelection) -> CheckArgs {
    CheckArgs {
        input,
        selection,
        ..default_check_args()
    }
}

/// `drlint rules --check DIR`: validate a team's rule and profile files and run the rules' examples.
/// The rules see the project's profiles (built-in and the configuration's
/// `profile_dirs`) plus any in `DIR/profiles`.
fn check_rule_dir(dir: &Path) -> Result<u8, String> {
    let project = Project::load(&default_check_args().input)?;
    let builtin: Vec<String> = drlint::builtin::rules()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let own = project::load_rules(dir)?;
    let ids: Vec<String> = own.iter().map(|r| r.id.clone()).collect();
    // the configuration may already load this folder: its copies give way
    let mut rules: Vec<Rule> = project
        .rules
        .into_iter()
        .filter(|r| builtin.contains(&r.id) || !ids.contains(&r.id))
        .collect();
    project::add_rules(&mut rules, own, dir)?;
    let mut profiles: Vec<Profile> = project.profiles.iter().cloned().collect();
    let profile_dir = dir.join("profiles");
    let mut own_profiles = 0;
    if profile_dir.is_dir() {
        let extra = project::load_profiles(&profile_dir)?;
        own_profiles = extra.len();
        profiles.extend(extra);
    }
    let checker = Checker::new(rules.clone(), ProfileSet::new(profiles));
    let mut failed = false;
    for rule in rules.iter().filter(|r| ids.contains(&r.id)) {
        let failures = drlint::examples::example_failures(rule, &checker);
        if failures.is_empty() {
            println!(
                "ok    {} ({} failing, {} passing examples)",
                rule.id,
                rule.examples.fail.len(),
                rule.examples.pass.len()
            );
        } else {
            failed = true;
            for f in failures {
                println!("FAIL  {}", drlint::report::escape_controls(&f));
            }
        }
    }
    println!(
        "{} rule(s) and {own_profiles} profile(s) checked in {}",
        ids.len(),
        dir.display()
    );
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

fn find_rule<'r>(rules: &'r [Rule], id: &str) -> Result<&'r Rule, String> {
    rules.iter().find(|r| r.id == id).ok_or_else(|| {
        let mut message = format!("unknown rule `{id}`");
        if let Some(near) = drlint::config::did_you_mean(id, rules.iter().map(|r| r.id.as_str())) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        message.push_str("; `drlint rules` lists them");
        message
    })
}

/// Variables from the environment and the command line, production detection and the configuration.
fn settings(args: &InputArgs, project: &Project) -> Result<Settings, String> {
    let pattern = args
        .production_pattern
        .clone()
        .or_else(|| {
            project
                .config
                .as_ref()?
                .config
                .production
                .name_pattern
                .clone()
        })
        .unwrap_or_else(|| drlint::namespace::DEFAULT_PRODUCTION_PATTERN.to_owned());
    let production_name =
        regex::Regex::new(&pattern).map_err(|e| format!("production pattern `{pattern}`: {e}"))?;
    let env_vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("TF_VAR_")?.to_owned();
            Some(RawVar {
                source: format!("`{k}`"),
                name,
                value: v,
            })
        })
        .collect();
    let mut cli: Vec<(usize, CliVar)> = Vec::new();
    for (i, assignment) in args.vars.iter().enumerate() {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--var {assignment}: expected NAME=VALUE"))?;
        let index = args.var_indices.get(i).copied().unwrap_or(i);
        cli.push((
            index,
            CliVar::Assign(RawVar {
                name: name.trim().to_owned(),
                value: value.to_owned(),
                source: format!("`--var {name}=...`"),
            }),
        ));
    }
    for (i, path) in args.var_files.iter().enumerate() {
        let content = inputs::read_regular(path, max_file_size(args, project)).map_err(|e| {
            if e.missing {
                format!("--var-file {}: no such file", path.display())
            } else {
                format!("--var-file {}: {}", path.display(), e.reason)
            }
        })?;
        let index = args.var_file_indices.get(i).copied().unwrap_or(usize::MAX);
        cli.push((
            index,
            CliVar::File(Input {
                path: discover::display_path(path),
                content: Ok(content),
            }),
        ));
    }
    cli.sort_by_key(|(i, _)| *i);
    Ok(Settings {
        env_vars,
        cli_vars: cli.into_iter().map(|(_, v)| v).collect(),
        production_name,
        fetched_modules: Vec::new(),
        inspect: false,
        // for tests and reproducible runs: the day `until=` dates are compared with
        today: std::env::var("DRLINT_TODAY").ok().filter(|d| !d.is_empty()),
        known_rules: project.rules.iter().map(|r| r.id.clone()).collect(),
        config: project
            .config
            .as_ref()
            .map(|c| (drlint::config::Resolved::new(&c.config), c.root.clone())),
        helm: helm_settings(project),
        budget: drlint::eval::Budget::default(),
        plan: None,
    })
}

/// The largest input read: `--max-file-size`, else the configuration's, else 10 MiB.
fn max_file_size(args: &InputArgs, project: &Project) -> u64 {
    args.max_file_size
        .or_else(|| project.config.as_ref()?.config.max_file_size)
        .unwrap_or(inputs::DEFAULT_MAX_FILE_SIZE)
}

/// Helm: the chart profiles, and the configuration's environments and releases
/// (their values files as display paths, like the inputs').
fn helm_settings(project: &Project) -> drlint::helm::HelmSettings {
    let mut helm = drlint::helm::HelmSettings {
        profiles: project.chart_profiles.clone(),
        ..Default::default()
    };
    if let Some(c) = &project.config {
        let h = &c.config.helm;
        helm.environments = h.environments.clone();
        if let Some(prod) = &h.production_environments {
            helm.production_environments = prod.clone();
        }
        let join = |file: &str| {
            let joined = if c.root == "." {
                file.to_owned()
            } else {
                format!("{}/{file}", c.root.trim_end_matches('/'))
            };
            joined.trim_start_matches("./").to_owned()
        };
        helm.releases = h
            .releases
            .iter()
            .map(|r| drlint::helm::releases::ConfiguredRelease {
                values: r.values.iter().map(|v| join(v)).collect(),
                ..r.clone()
            })
            .collect();
    }
    helm
}

/// A rule's `max_age_days`: the configuration's value, else the rule's default.
fn max_age_days(project: &Project, rule_id: &str) -> Option<f64> {
    let option = drlint::history::MAX_AGE_OPTION;
    let configured = project
        .config
        .as_ref()
        .and_then(|c| c.config.rules.get(rule_id))
        .and_then(|s| s.options.get(option))
        .cloned();
    let default = project
        .rules
        .iter()
        .find(|r| r.id == rule_id)
        .and_then(|r| r.options.get(option))
        .map(|o| o.default.clone());
    match configured.or(default)? {
        drlint::profile::Scalar::Number(n) => Some(n),
        _ => None,
    }
}

/// `--plan FILE`: the plan read (a regular file within the size limit) and parsed.
fn read_plan(path: &Path, limit: u64) -> Result<drlint::plan::Plan, String> {
    let bytes = inputs::read_regular(path, limit).map_err(|e| {
        if e.missing {
            format!("--plan {}: no such file", path.display())
        } else {
            format!("--plan {}: {}", path.display(), e.reason)
        }
    })?;
    drlint::plan::Plan::parse(&discover::display_path(path), &bytes)
        .map_err(|e| format!("--plan {e}"))
}

/// Writes to stdout; a closed pipe (`drlint check | head`) is not an error.
fn write_stdout(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match render(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing the report: {e}")),
    }
}

/// The base of links to a line on GitHub, from the variables GitHub Actions sets:
/// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`; none unless all three are set.
/// Paths are relative to the current directory: run drlint at the repository's root.
fn github_link_base() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let server = var("GITHUB_SERVER_URL")?;
    let repository = var("GITHUB_REPOSITORY")?;
    let sha = var("GITHUB_SHA")?;
    Some(format!(
        "{}/{repository}/blob/{sha}/",
        server.trim_end_matches('/')
    ))
}

/// Whether `path` is the job's step summary file (`$GITHUB_STEP_SUMMARY`).
fn is_step_summary(path: &Path) -> bool {
    let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) else {
        return false;
    };
    let summary = Path::new(&summary);
    // the same file: by name (it may not exist yet), else through links
    let same_name = matches!(
        (std::path::absolute(summary), std::path::absolute(path)),
        (Ok(a), Ok(b)) if a == b
    );
    same_name
        || matches!(
            (summary.canonicalize(), path.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        )
}

/// Renders the report in one `--format`, to its file or stdout.
fn render_to(
    spec: &FormatSpec,
    args: &CheckArgs,
    rules: &[Rule],
    report: &drlint::CheckReport,
) -> Result<(), String> {
    let color = match (args.color, &spec.file) {
        (ColorChoice::Always, _) => true,
        (ColorChoice::Never, _) | (ColorChoice::Auto, Some(_)) => false,
        (ColorChoice::Auto, None) => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let sarif = Sarif {
        category: args.sarif_category.clone(),
        ..Sarif::new(rules)
    };
    let markdown = Markdown {
        link_base: github_link_base(),
        // a step summary takes 1 MiB; elsewhere (stdout, a file) assume a PR comment, 64 KiB
        limit: match &spec.file {
            Some(path) if is_step_summary(path) => MARKDOWN_STEP_SUMMARY_LIMIT,
            _ => MARKDOWN_COMMENT_LIMIT,
        },
    };
    let junit = JUnit { rules };
    let human = Human {
        color,
        width: 100,
        summary: !args.input.quiet,
    };
    let renderer: &dyn Render = match spec.format {
        Format::Human | Format::Concise if args.statistics && spec.file.is_none() => &Statistics,
        Format::Human => &human,
        Format::Concise => &Concise,
        Format::Json => &Json,
        Format::Sarif => &sarif,
        Format::Github => &GitHub::default(),
        Format::Markdown => &markdown,
        Format::Junit => &junit,
        Format::Gitlab => &GitLab,
    };
    match &spec.file {
        None => write_stdout(|out| renderer.render(report, out)),
        Some(path) => {
            let name = spec
                .format
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default();
            let file = inputs::create_output(path).map_err(|e| format!("--format {name}={e}"))?;
            let mut out = std::io::BufWriter::new(file);
            renderer
                .render(report, &mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("--format {name}={}: {e}", path.display()))
        }
    }
}

/// What `check` produces.
enum Mode {
    Check,
    Inspect,
    CreateBaseline(PathBuf),
}

/// `drlint check`, `drlint inspect` and `drlint baseline create`.
fn check(args: CheckArgs, mode: Mode) -> Result<u8, String> {
    let started = std::time::Instant::now();
    let mut phases: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut lap = started;
    let mut mark = |name: &'static str| {
        let now = std::time::Instant::now();
        phases.push((name, now - lap));
        lap = now;
    };
    let project = Project::load(&args.input)?;
    for id in args
        .selection
        .rules
        .iter()
        .chain(&args.selection.ignore_rules)
    {
        find_rule(&project.rules, id)?;
    }
    let rules: Vec<Rule> = project
        .rules
        .iter()
        .filter(|r| args.selection.rules.is_empty() || args.selection.rules.contains(&r.id))
        .filter(|r| !args.selection.ignore_rules.contains(&r.id))
        .cloned()
        .collect();
    // the rules of the run, for the formats that list them (SARIF, JUnit)
    let run_rules = rules.clone();
    let limit = max_file_size(&args.input, &project);
    let baseline = match &args.baseline {
        Some(path) => {
            let text = inputs::read_text(path, limit).map_err(|e| format!("--baseline {e}"))?;
            Some(
                Baseline::from_json(&text)
                    .map_err(|e| format!("--baseline {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let mut settings = settings(&args.input, &project)?;
    let plan = match &args.plan {
        Some(path) => {
            mark("setup");
            Some(read_plan(path, limit)?)
        }
        None => None,
    };
    // the marker files the rules of this run name, wherever the configuration sets them
    let markers = drlint::markers::MarkerNames::for_config(
        &rules,
        project.config.as_ref().map(|c| &c.config),
    );
    // the ages walk checks each folder's earlier versions with the same rules and settings
    let history_setup = (rules.clone(), settings.clone());
    mark(if plan.is_some() { "plan" } else { "setup" });

    // PR mode: the lines the change added or edited
    let mut changed_lines = None;
    let compare = match (&args.base, args.staged) {
        (Some(base), _) => Some(pr::Compare::Base(base)),
        (None, true) => Some(pr::Compare::Staged),
        (None, false) => None,
    };
    let mut report = if let Some(compare) = compare {
        let (mut base_inputs, mut head_inputs) =
            pr::inputs(compare, &args.input.paths, &markers, limit)?;
        if let Some(c) = &project.config {
            let (include, exclude) = (&c.config.include, &c.config.exclude);
            base_inputs = discover::filter_inputs(base_inputs, include, exclude, &c.root)?;
            head_inputs = discover::filter_inputs(head_inputs, include, exclude, &c.root)?;
        }
        if base_inputs.is_empty() && head_inputs.is_empty() && !args.input.quiet {
            eprintln!(
                "drlint: notice: {}",
                drlint::report::escape_controls(&format!(
                    "{} touches no input files in {}",
                    compare.describe(),
                    shown_paths(&args.input.paths)
                ))
            );
        }
        mark("git");
        settings.inspect = true;
        let checker =
            Checker::with_settings(rules.clone(), project.profiles.clone(), settings.clone());
        let base_report = checker.check(base_inputs);
        // the plan is the head's: a change whose block is gone is located at the base
        let head_report = match plan {
            Some(plan) => {
                settings.plan = Some(drlint::plan::PlanRun::with_base(plan, &base_report));
                Checker::with_settings(rules, project.profiles.clone(), settings).check(head_inputs)
            }
            None => checker.check(head_inputs),
        };
        let mut report = drlint::pr::compare(&checker, base_report, head_report);
        drlint::plan::supersede_inferred(&mut report, checker.rules());
        changed_lines = Some(pr::changed_lines(&compare)?);
        if args.only_new {
            report
                .findings
                .retain(|f| f.status == Some(drlint::finding::Status::New));
        }
        mark("check");
        report
    } else if args.input.paths.is_empty() {
        // `--plan PLAN.json` alone: no code to read
        settings.plan = plan.map(drlint::plan::PlanRun::new);
        let report =
            Checker::with_settings(rules, project.profiles.clone(), settings).check(Vec::new());
        mark("check");
        report
    } else {
        let found = discover::discover(&args.input.paths, &markers)?;
        let (mut files, mut skipped) = (found.files, found.skipped);
        if let Some(c) = &project.config {
            let (include, exclude) = (&c.config.include, &c.config.exclude);
            files = discover::filter_globs(files, include, exclude, &c.root)?;
            skipped = discover::filter_inputs(skipped, include, exclude, &c.root)?;
        }
        // inputs are read inside the checked paths' repositories (else the paths)
        let reader = inputs::Reader {
            roots: inputs::Roots::of_paths(&args.input.paths),
            limit,
        };
        // the values files of configured releases and `helm.values` globs, wherever they
        // are in the configuration's folder
        let config_reader = match &project.config {
            Some(c) => inputs::Reader {
                roots: reader.roots.with(&c.dir),
                limit,
            },
            None => reader.clone(),
        };
        let mut extra: Vec<PathBuf> = settings
            .helm
            .releases
            .iter()
            .flat_map(|r| r.values.iter().map(PathBuf::from))
            .collect();
        if let Some(c) = project
            .config
            .as_ref()
            .filter(|c| !c.config.helm.values.is_empty())
        {
            extra.extend(discover::matching_values(
                &args.input.paths,
                &c.config.helm.values,
                &c.root,
            )?);
        }
        let mut from_config = Vec::new();
        for path in extra {
            let shown = discover::display_path(&path);
            let exists = std::fs::symlink_metadata(&path).is_ok() && !path.is_dir();
            if exists && !files.iter().any(|f| discover::display_path(f) == shown) {
                files.push(path.clone());
                from_config.push(path);
            }
        }
        if files.is_empty() && skipped.is_empty() && !args.input.quiet {
            eprintln!(
                "drlint: notice: no input files found in {} (drlint reads .tf, .tfvars, .tfvars.json, 00-namespace.yaml, and Helm values in helm_deploy/, helm/, deploy/ and charts/ folders; .gitignore is honoured)",
                drlint::report::escape_controls(&shown_paths(&args.input.paths))
            );
        }
        let (fetched_files, fetched_modules, manifest_problems) =
            discover::fetched_modules(&files, &reader);
        files.extend(fetched_files);
        skipped.extend(manifest_problems);
        let files = discover::dedupe(files);
        mark("discover");
        let mut inputs = discover::read_all(&files, &reader, &config_reader, &from_config);
        inputs.extend(skipped);
        mark("read");
        settings.fetched_modules = fetched_modules;
        settings.inspect = matches!(mode, Mode::Inspect);
        settings.plan = plan.map(drlint::plan::PlanRun::new);
        let report =
            Checker::with_settings(rules, project.profiles.clone(), settings).check(inputs);
        mark("check");
        report
    };

    if matches!(mode, Mode::Check) {
        let ages = if args.no_history {
            Err("--no-history".to_owned())
        } else {
            let (rules, settings) = history_setup;
            let checker = Checker::with_settings(rules, project.profiles.clone(), settings);
            history::ages(&report, &project.rules, &checker, &markers, &args.input)
        };
        let (mut ages, reason) = match ages {
            Ok(ages) => (ages, String::new()),
            Err(reason) => (Default::default(), reason),
        };
        // a value the plan gives has no age in git
        drlint::plan::no_ages(&report, &project.rules, &mut ages);
        let today = std::env::var("DRLINT_TODAY")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(drlint::suppress::today);
        let max_age = |rule_id: &str| max_age_days(&project, rule_id);
        drlint::history::apply(&mut report, &ages, &project.rules, max_age, &today, &reason);
        mark("history");
    }
    if let Some(changed) = &changed_lines {
        // new findings are shown where the change is (GitHub shows an alert in a
        // pull request only on the lines it added or edited); after the ages,
        // which are looked up in the finding's own folder
        drlint::diff::place_on_changed_lines(&mut report, changed);
    }
    if let Mode::CreateBaseline(output) = &mode {
        if args.production_only {
            report.findings.retain(|f| f.production == Some(true));
        }
        let baseline = Baseline::from_report(&report);
        inputs::create_output(output)?
            .write_all(baseline.to_json().as_bytes())
            .map_err(|e| format!("{}: {e}", output.display()))?;
        if !args.input.quiet {
            eprintln!(
                "drlint: wrote {} findings to {}",
                baseline.findings.len(),
                output.display()
            );
        }
        return Ok(0);
    }
    if let Some(baseline) = &baseline {
        report.baseline = Some(baseline.apply(&mut report));
    }

    if args.production_only {
        report.findings.retain(|f| f.production == Some(true));
        report.fixed.retain(|f| f.production == Some(true));
    }

    if matches!(mode, Mode::Inspect) {
        write_stdout(|out| drlint::report::render_inspection(&report, out))?;
    } else {
        for spec in &args.format {
            render_to(spec, &args, &run_rules, &report)?;
        }
    }
    mark("render");
    if args.input.timings {
        let parts: Vec<String> = phases
            .iter()
            .map(|(name, d)| format!("{name} {:.0} ms", d.as_secs_f64() * 1000.0))
            .collect();
        eprintln!(
            "drlint: timings: {}; total {:.0} ms",
            parts.join(", "),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    if matches!(mode, Mode::Inspect) {
        return Ok(0);
    }
    let threshold = match args.severity_threshold {
        Some(Threshold::Note) => Severity::Note,
        Some(Threshold::Warning) => Severity::Warning,
        Some(Threshold::Error) => Severity::Error,
        None => project
            .config
            .as_ref()
            .and_then(|c| c.config.severity_threshold)
            .unwrap_or(Severity::Warning),
    };
    let failing = report.findings.iter().any(|f| f.severity >= threshold);
    Ok(if failing { EXIT_FINDINGS } else { 0 })
}
