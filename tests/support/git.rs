//! git for the tests' temporary repositories: a fixed identity, and dates when asked.

#![allow(dead_code)] // each test binary uses some of these

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with commits dated `date` (RFC 3339); panics when git fails.
pub fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs git in `dir`, commits dated 2026-01-01.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, args, "2026-01-01T12:00:00Z")
}
