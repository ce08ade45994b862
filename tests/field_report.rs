//! Regression tests for issue 11 ("Field report"): what a first real use found. One test (or a few) per item,
//! named `regression_11_<item>_…`; each failed before its fix.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::write;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env_remove("CI_PROJECT_URL")
        .env_remove("CI_COMMIT_SHA")
        .output()
        .expect("schemaguard runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

const PROTO_OLD: &str = "syntax = \"proto3\";\npackage acme;\nmessage X {\n  int32 a = 1;\n}\n";
const PROTO_NEW: &str = "syntax = \"proto3\";\npackage acme;\nmessage X {\n  string a = 1;\n}\n";

/// Item 1: single `.proto` files given by absolute path or with `../` are compared like cwd-relative ones.
#[test]
fn regression_11_1_compat_proto_by_absolute_and_parent_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "old/x.proto", PROTO_OLD);
    write(d, "new/x.proto", PROTO_NEW);
    let abs_old = d.join("old/x.proto");
    let abs_new = d.join("new/x.proto");
    let cases: Vec<(std::path::PathBuf, Vec<String>)> = vec![
        (
            d.to_path_buf(),
            vec![abs_old.display().to_string(), abs_new.display().to_string()],
        ),
        (
            d.join("new"),
            vec!["../old/x.proto".into(), "x.proto".into()],
        ),
        (
            d.join("old"),
            vec!["x.proto".into(), "../new/x.proto".into()],
        ),
        (
            d.to_path_buf(),
            vec!["old/x.proto".into(), "new/x.proto".into()],
        ),
    ];
    for (cwd, paths) in cases {
        let mut args = vec!["compat", "--format", "json"];
        args.extend(paths.iter().map(String::as_str));
        let o = run_in(&cwd, &args);
        let v = json(&o);
        assert_eq!(
            rules_of(&v),
            vec!["FIELD_SCALAR_KIND_CHANGED"],
            "{paths:?}: {}",
            stdout(&o)
        );
        assert_eq!(o.status.code(), Some(1), "{paths:?}");
        // The user sees the paths as typed.
        let shown = &paths[1];
        assert_eq!(v["findings"][0]["location"]["file"], shown.as_str());
    }
}
