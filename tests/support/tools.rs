//! The real clients some tests judge drlint with (pre-commit, check-jsonschema,
//! Microsoft's SARIF validator), installed by the tests themselves into
//! `target/test-tools/`, from PyPI and the npm registry, at pinned versions.
//! A machine without them still runs every test: the first run installs them.

#![allow(dead_code)] // each test binary uses some of these

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Serialises installs within one test binary; a lock file serialises them across binaries.
static INSTALL: Mutex<()> = Mutex::new(());

fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("test-tools");
    std::fs::create_dir_all(&dir).expect("create target/test-tools");
    dir
}

/// Holds an exclusive lock on `path` (created if absent) until dropped.
struct FileLock(PathBuf);

impl FileLock {
    fn take(path: PathBuf) -> FileLock {
        let started = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return FileLock(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // a lock left by a killed run is stale after ten minutes
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age.as_secs() > 600);
                    if stale {
                        let _ = std::fs::remove_file(&path);
                    }
                    assert!(
                        started.elapsed().as_secs() < 900,
                        "waited 15 minutes for {}",
                        path.display()
                    );
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(e) => panic!("lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The executable `exe` of the PyPI package `package==version`, in its own virtualenv.
pub fn python_tool(package: &str, version: &str, exe: &str) -> PathBuf {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools_dir();
    let venv = dir.join(format!("{package}-{version}"));
    let bin = venv.join("bin").join(exe);
    if bin.is_file() {
        return bin;
    }
    let _lock = FileLock::take(dir.join(format!("{package}-{version}.lock")));
    if !bin.is_file() {
        let _ = std::fs::remove_dir_all(&venv);
        let python = if Command::new("python3").arg("--version").output().is_ok() {
            "python3"
        } else {
            "python"
        };
        run(Command::new(python).args(["-m", "venv"]).arg(&venv));
        run(Command::new(venv.join("bin/python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("{package}=={version}"),
        ]));
    }
    assert!(bin.is_file(), "{} was not installed", bin.display());
    bin
}

/// The executable `bin` of the npm package `package@version`.
pub fn npm_tool(package: &str, version: &str, bin: &str) -> PathBuf {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools_dir();
    let prefix = dir.join(format!("{}-{version}", package.replace(['/', '@'], "_")));
    let exe = prefix.join("node_modules/.bin").join(bin);
    if exe.exists() {
        return exe;
    }
    let _lock = FileLock::take(prefix.with_extension("lock"));
    if !exe.exists() {
        std::fs::create_dir_all(&prefix).expect("create npm prefix");
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .arg(format!("{package}@{version}")));
    }
    assert!(exe.exists(), "{} was not installed", exe.display());
    exe
}
