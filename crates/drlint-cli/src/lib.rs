//! `drlint`: the command-line interface, as a library so that other
//! binaries (the pre-commit hook's) run exactly the same program.

mod args;
mod fixing;
mod lsp;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use args::{
    BaselineCommand, CheckArgs, Cli, ColorChoice, Command, Format, FormatSpec, InputArgs,
    RuleSelection, Threshold,
};
use drlint::baseline::Baseline;
use drlint::output::{create_new_output, create_output};
use drlint::report::{
    Concise, GitHub, GitLab, Human, JUnit, Json, MARKDOWN_COMMENT_LIMIT,
    MARKDOWN_STEP_SUMMARY_LIMIT, Markdown, Render, Sarif, Statistics, escape_controls,
};
use drlint::{Change, Linter, NoticeKind, Report, Rule, Severity};

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
            eprintln!("drlint: error: {}", escape_controls(&message));
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
            let linter = linter(&default_check_args(), false)?;
            print!("{}", escape_controls(&linter.rule_list()));
            Ok(0)
        }
        Command::Rules { check: Some(dir) } => check_rule_dir(&dir),
        Command::Lsp => lsp::run(),
        Command::Explain { rule } => {
            let linter = linter(&default_check_args(), false)?;
            print!("{}", escape_controls(&linter.explain(&rule)?));
            Ok(0)
        }
        Command::Init => {
            let path = Path::new(drlint::CONFIG_FILE);
            create_new_output(path)?
                .write_all(drlint::CONFIG_STARTER.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
            Ok(0)
        }
    }
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
    let checked = builder(&default_check_args().input).check_rule_dir(dir)?;
    let mut failed = false;
    for rule in &checked.rules {
        if rule.failures.is_empty() {
            println!(
                "ok    {} ({} failing, {} passing examples)",
                rule.id, rule.fail, rule.pass
            );
        } else {
            failed = true;
            for f in &rule.failures {
                println!("FAIL  {}", escape_controls(f));
            }
        }
    }
    println!(
        "{} rule(s) and {} profile(s) checked in {}",
        checked.rules.len(),
        checked.profiles,
        dir.display()
    );
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// The linter's inputs and settings from the command line and the environment.
fn builder(args: &InputArgs) -> drlint::LinterBuilder {
    let mut builder = Linter::builder();
    builder = match &args.config {
        Some(path) => builder.config_file(path),
        None => builder.discover_config(args.paths.first().cloned().unwrap_or_else(|| ".".into())),
    };
    for dir in &args.profile_dirs {
        builder = builder.profile_dir(dir);
    }
    if let Some(pattern) = &args.production_pattern {
        builder = builder.production_pattern(pattern);
    }
    if let Some(bytes) = args.max_file_size {
        builder = builder.max_file_size(bytes);
    }
    // Terraform applies -var and -var-file in command-line order
    enum Var<'a> {
        Assign(&'a str),
        File(&'a Path),
    }
    let mut vars: Vec<(usize, Var)> = Vec::new();
    for (i, assignment) in args.vars.iter().enumerate() {
        let index = args.var_indices.get(i).copied().unwrap_or(i);
        vars.push((index, Var::Assign(assignment)));
    }
    for (i, path) in args.var_files.iter().enumerate() {
        let index = args.var_file_indices.get(i).copied().unwrap_or(usize::MAX);
        vars.push((index, Var::File(path)));
    }
    vars.sort_by_key(|(i, _)| *i);
    for (_, var) in vars {
        builder = match var {
            Var::Assign(assignment) => match assignment.split_once('=') {
                Some((name, value)) => builder.var(name, value),
                // reported by `linter`, which checks every assignment first
                None => builder,
            },
            Var::File(path) => builder.var_file(path),
        };
    }
    let env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    builder = builder.env_vars(env);
    // for tests and reproducible runs: the day `until=` dates are compared with
    if let Ok(today) = std::env::var("DRLINT_TODAY") {
        builder = builder.today(today);
    }
    builder
}

/// The linter of a `check`-like run.
fn linter(args: &CheckArgs, history: bool) -> Result<Linter, String> {
    if let Some(bad) = args.input.vars.iter().find(|v| !v.contains('=')) {
        return Err(format!("--var {bad}: expected NAME=VALUE"));
    }
    let mut builder = builder(&args.input)
        .only_rules(args.selection.rules.iter().cloned())
        .ignore_rules(args.selection.ignore_rules.iter().cloned())
        .history(history);
    if let Some(plan) = &args.plan {
        builder = builder.plan_file(plan);
    }
    Ok(builder.build()?)
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
    report: &Report,
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
            let file = create_output(path).map_err(|e| format!("--format {name}={e}"))?;
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
    let history = matches!(mode, Mode::Check) && !args.no_history;
    let linter = linter(&args, history)?;
    let baseline = match &args.baseline {
        Some(path) => Some(linter.read_baseline(path)?),
        None => None,
    };
    let setup = started.elapsed();
    let change = match (&args.base, args.staged) {
        (Some(base), _) => Some(Change::Base(base.clone())),
        (None, true) => Some(Change::Staged),
        (None, false) => None,
    };
    let mut report = match (&change, &mode) {
        (Some(change), _) => linter.check_change(change, &args.input.paths)?,
        (None, Mode::Inspect) => linter.inspect_paths(&args.input.paths)?,
        (None, _) => linter.check_paths(&args.input.paths)?,
    };
    if args.only_new && change.is_some() {
        report.retain(|f| f.status == Some(drlint::Status::New));
    }
    for notice in report.notices() {
        let kind = match notice.kind {
            NoticeKind::Notice => "notice: ",
            NoticeKind::Note => "note: ",
            NoticeKind::Timing => "",
        };
        let shown = match notice.kind {
            NoticeKind::Timing => args.input.timings,
            NoticeKind::Notice | NoticeKind::Note => !args.input.quiet,
        };
        if shown {
            eprintln!("drlint: {kind}{}", escape_controls(&notice.message));
        }
    }
    if let Mode::CreateBaseline(output) = &mode {
        if args.production_only {
            report.retain(|f| f.production == Some(true));
        }
        let baseline = Baseline::from_report(&report);
        create_output(output)?
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
    let keep = |report: &mut Report| {
        if let Some(baseline) = &baseline {
            report.apply_baseline(baseline);
        }
        if args.production_only {
            report.retain(|f| f.production == Some(true));
            report.retain_fixed(|f| f.production == Some(true));
        }
    };
    keep(&mut report);
    if (args.fix || args.unsafe_fixes) && fixing::apply(&report, &args) {
        // what is left after the fixes
        report = match &change {
            Some(change) => linter.check_change(change, &args.input.paths)?,
            None => linter.check_paths(&args.input.paths)?,
        };
        if args.only_new && change.is_some() {
            report.retain(|f| f.status == Some(drlint::Status::New));
        }
        keep(&mut report);
    }
    let rendering = std::time::Instant::now();
    if matches!(mode, Mode::Inspect) {
        write_stdout(|out| drlint::report::render_inspection(&report, out))?;
    } else {
        for spec in &args.format {
            render_to(spec, &args, linter.rules(), &report)?;
        }
    }
    if args.input.timings {
        let mut parts = vec![format!("setup {:.0} ms", setup.as_secs_f64() * 1000.0)];
        parts.extend(
            report
                .timings()
                .iter()
                .map(|(name, d)| format!("{name} {:.0} ms", d.as_secs_f64() * 1000.0)),
        );
        parts.push(format!(
            "render {:.0} ms",
            rendering.elapsed().as_secs_f64() * 1000.0
        ));
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
        None => linter.severity_threshold(),
    };
    let failing = report.findings().iter().any(|f| f.severity >= threshold);
    Ok(if failing { EXIT_FINDINGS } else { 0 })
}
