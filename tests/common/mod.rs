//! Helpers shared by the integration tests that build throwaway git repositories.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `git` in `dir` with a fixed identity; panics with git's message on failure. Returns trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Writes `text` to `dir/rel`, creating parent folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A fresh temporary directory holding an empty git repository on branch `main` (its root is the directory).
pub fn git_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    tmp
}

/// Stages everything and commits.
pub fn commit_all(dir: &Path, msg: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
}

/// Runs the schemaguard binary in `dir` with an environment that does not leak into reports: no colour, no CI
/// browse-URL variables (they make Markdown links absolute), no registry settings from the developer's shell.
pub fn schemaguard(dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemaguard"));
    c.current_dir(dir).args(args).env("NO_COLOR", "1");
    for v in [
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "CI_PROJECT_URL",
        "CI_COMMIT_SHA",
        "SCHEMA_REGISTRY_URL",
        "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO",
        "SCHEMA_REGISTRY_BEARER_TOKEN",
    ] {
        c.env_remove(v);
    }
    c.output().expect("schemaguard runs")
}

/// The report a run printed on stdout, as JSON; panics with both streams when it is not JSON.
pub fn stdout_json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

pub mod shapes;
