//! `drlint`: the command-line interface.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod discover;
mod explain;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use rayon::prelude::*;

use args::{CheckArgs, Cli, ColorChoice, Command, Format, Threshold};
use drlint::profile::{Profile, ProfileSet};
use drlint::report::{Human, Json, Render};
use drlint::vars::RawVar;
use drlint::{Checker, CliVar, Input, Rule, Settings, Severity};

/// Exit codes: 0 clean, 1 findings at or above the threshold, 2 usage or configuration error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let (Command::Check(args) | Command::Inspect(args), Some((_, sub))) =
        (&mut cli.command, matches.subcommand())
    {
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
            eprintln!("drlint: error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    let rules = drlint::builtin::rules().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Check(args) => check(args, rules, false),
        Command::Inspect(args) => check(args, rules, true),
        Command::Rules => {
            print!("{}", explain::rule_list(&rules));
            Ok(0)
        }
        Command::Explain { rule } => {
            let found = find_rule(&rules, &rule)?;
            print!("{}", explain::explain(found));
            Ok(0)
        }
    }
}

fn find_rule<'r>(rules: &'r [Rule], id: &str) -> Result<&'r Rule, String> {
    rules.iter().find(|r| r.id == id).ok_or_else(|| {
        let mut message = format!("unknown rule `{id}`");
        if let Some(near) = explain::closest(id, rules.iter().map(|r| r.id.as_str())) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        message.push_str("; `drlint rules` lists them");
        message
    })
}

/// Variables from the environment and the command line, and production detection.
fn settings(args: &CheckArgs) -> Result<Settings, String> {
    let production_name = regex::Regex::new(&args.production_pattern)
        .map_err(|e| format!("--production-pattern: {e}"))?;
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
    // Terraform applies -var and -var-file in command-line order; clap gives
    // each list in order, and their relative order by index.
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
        if !path.is_file() {
            return Err(format!("--var-file {}: no such file", path.display()));
        }
        let index = args.var_file_indices.get(i).copied().unwrap_or(usize::MAX);
        cli.push((
            index,
            CliVar::File(Input {
                path: discover::display_path(path),
                content: std::fs::read(path).map_err(|e| e.to_string()),
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
        known_rules: Vec::new(),
    })
}

/// The built-in profiles, then the user's (which win on the same match).
fn load_profiles(dirs: &[std::path::PathBuf]) -> Result<ProfileSet, String> {
    let mut profiles: Vec<Profile> = drlint::builtin::profiles()
        .map_err(|e| e.to_string())?
        .iter()
        .cloned()
        .collect();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let profile = Profile::from_yaml(&file.display().to_string(), &text)
                .map_err(|e| e.to_string())?;
            profiles.push(profile);
        }
    }
    Ok(ProfileSet::new(profiles))
}

/// `drlint check`, or with `inspect` the data stores instead of findings.
fn check(args: CheckArgs, rules: Vec<Rule>, inspect: bool) -> Result<u8, String> {
    let known_rules: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    for id in args.rules.iter().chain(&args.ignore_rules) {
        find_rule(&rules, id)?;
    }
    let rules: Vec<Rule> = rules
        .into_iter()
        .filter(|r| args.rules.is_empty() || args.rules.contains(&r.id))
        .filter(|r| !args.ignore_rules.contains(&r.id))
        .collect();
    let profiles = load_profiles(&args.profile_dirs)?;
    let started = std::time::Instant::now();
    let mut phases: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut lap = started;
    let mut mark = |name: &'static str| {
        let now = std::time::Instant::now();
        phases.push((name, now - lap));
        lap = now;
    };
    let mut files = discover::discover(&args.paths)?;
    let (fetched_files, fetched_modules) = discover::fetched_modules(&files);
    files.extend(fetched_files);
    mark("discover");
    let inputs: Vec<Input> = files
        .par_iter()
        .map(|path| Input {
            path: discover::display_path(path),
            content: std::fs::read(path).map_err(|e| e.to_string()),
        })
        .collect();
    mark("read");
    let mut settings = settings(&args)?;
    settings.fetched_modules = fetched_modules;
    settings.inspect = inspect;
    settings.known_rules = known_rules;
    let report = Checker::with_settings(rules, profiles, settings).check(inputs);
    mark("check");

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if inspect {
        return match drlint::report::render_inspection(&report, &mut out).and_then(|()| out.flush())
        {
            Ok(()) => Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
            Err(e) => Err(format!("writing the report: {e}")),
        };
    }
    let rendered = match args.format {
        Format::Json => Json.render(&report, &mut out),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            Human { color, width: 100 }.render(&report, &mut out)
        }
    };
    match rendered.and_then(|()| out.flush()) {
        Ok(()) => {}
        // a closed pipe (`drlint check | head`) is not an error
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("writing the report: {e}")),
    }

    mark("render");
    if args.timings {
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
    let threshold = match args.severity_threshold {
        Threshold::Note => Severity::Note,
        Threshold::Warning => Severity::Warning,
        Threshold::Error => Severity::Error,
    };
    let failing = report.findings.iter().any(|f| f.severity >= threshold);
    Ok(if failing { EXIT_FINDINGS } else { 0 })
}
