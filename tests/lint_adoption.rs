//! Adopting lint without a big bang (issue 9, part 4): `check` lints only with a `[lint]` table; it reports only
//! lint findings the baseline does not already have, matched independently of line numbers; `lint` shows
//! everything, `lint --against REV` only what is new.

mod common;
use common::{commit_all, git, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// An undocumented record: DOC_REQUIRED fires on it.
const LEGACY: &str = r#"{"type": "record", "name": "Legacy", "namespace": "com.acme",
 "fields": [{"name": "id", "type": "string"}]}
"#;

/// LEGACY edited compatibly, with lines added above the record's name (the finding moves down).
const LEGACY_EDITED: &str = r#"{
  "type": "record",

  "name": "Legacy",
  "namespace": "com.acme",
  "fields": [{"name": "id", "type": "string"}, {"name": "note", "type": ["null", "string"], "default": null}]
}
"#;

const FRESH: &str = r#"{"type": "record", "name": "Fresh", "namespace": "com.acme",
 "fields": [{"name": "id", "type": "string"}]}
"#;

const CONFIG: &str =
    "[lint]\nuse = [\"DOC_REQUIRED\"]\n[lint.severity]\nDOC_REQUIRED = \"error\"\n";

fn repo(config: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "schemas/legacy.avsc", LEGACY);
    if let Some(c) = config {
        write(&dir, "schemaguard.toml", c);
    }
    commit_all(&dir, "legacy");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    write(&dir, "schemas/legacy.avsc", LEGACY_EDITED);
    write(&dir, "schemas/fresh.avsc", FRESH);
    commit_all(&dir, "feature");
    (tmp, dir)
}

fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .args(["--format", "json"])
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// (rule, file) of every finding.
fn found(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn check_without_a_lint_table_does_not_lint() {
    let (_tmp, dir) = repo(None);
    let (code, v) = run(&dir, &["check", "--against", "main"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(found(&v), Vec::<(String, String)>::new());
}

#[test]
fn check_reports_only_lint_findings_the_baseline_lacks() {
    let (_tmp, dir) = repo(Some(CONFIG));
    let (code, v) = run(&dir, &["check", "--against", "main"]);
    // The legacy record moved down two lines and gained a field: its old violation stays hidden.
    assert_eq!(
        found(&v),
        vec![("DOC_REQUIRED".to_string(), "schemas/fresh.avsc".to_string())]
    );
    assert_eq!(code, 1, "{v}");
}

#[test]
fn lint_shows_everything_and_against_only_what_is_new() {
    let (_tmp, dir) = repo(Some(CONFIG));
    let all = vec![
        ("DOC_REQUIRED".to_string(), "schemas/fresh.avsc".to_string()),
        (
            "DOC_REQUIRED".to_string(),
            "schemas/legacy.avsc".to_string(),
        ),
    ];
    let (code, v) = run(&dir, &["lint"]);
    assert_eq!((code, found(&v)), (1, all.clone()));
    let (_, v) = run(&dir, &["lint", "--against", "main"]);
    assert_eq!(
        found(&v),
        vec![("DOC_REQUIRED".to_string(), "schemas/fresh.avsc".to_string())]
    );
    let (_, v) = run(&dir, &["lint", "--against", "main", "--all"]);
    assert_eq!(found(&v), all);
}

#[test]
fn lint_rejects_an_unknown_rule_or_preset() {
    let (_tmp, dir) = repo(None);
    let out = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(&dir)
        .args(["lint", "--use", "NOPE"])
        .output()
        .expect("schemaguard runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`NOPE`"));
}

/// A Protobuf file breaking buf's naming rules: one message, one field, one enum value. buf's style rules name
/// the file itself as their subject, so a path-based match would resurface all three after a move.
const STYLE: &str = "syntax = \"proto3\";\npackage acme.v1;\n\nmessage order_placed {\n  string OrderId = 1;\n}\n\nenum Color {\n  RED = 0;\n}\n";

/// STYLE with one more badly named field (a new FIELD_LOWER_SNAKE_CASE violation), above the old one.
const STYLE_MORE: &str = "syntax = \"proto3\";\npackage acme.v1;\n\nmessage order_placed {\n  string CustomerId = 2;\n  string OrderId = 1;\n}\n\nenum Color {\n  RED = 0;\n}\n";

const MOVE_CONFIG: &str = "[lint]\nuse = [\"DOC_REQUIRED\", \"MESSAGE_PASCAL_CASE\", \"FIELD_LOWER_SNAKE_CASE\", \"ENUM_VALUE_PREFIX\"]\n[lint.options.DOC_REQUIRED]\nfields = false\n";

/// A repository whose `main` holds LEGACY and STYLE with their violations; `feature` moves both with `git mv`
/// (another folder) and writes `moved_proto` at the Protobuf file's new path.
fn moved_repo(moved_proto: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = common::git_repo();
    let dir = tmp.path().to_path_buf();
    write(&dir, "schemas/legacy.avsc", LEGACY);
    write(&dir, "schemas/acme/v1/order.proto", STYLE);
    write(&dir, "schemaguard.toml", MOVE_CONFIG);
    commit_all(&dir, "legacy");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::create_dir_all(dir.join("events/acme/v1")).expect("mkdir");
    git(&dir, &["mv", "schemas/legacy.avsc", "events/legacy.avsc"]);
    git(
        &dir,
        &[
            "mv",
            "schemas/acme/v1/order.proto",
            "events/acme/v1/order.proto",
        ],
    );
    write(&dir, "events/acme/v1/order.proto", moved_proto);
    commit_all(&dir, "move");
    (tmp, dir)
}

/// (rule, pointer) of every lint finding (the compatibility check's view of the move is not this test's
/// business: a Protobuf file's subject is its path).
fn pointers(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["category"] != "compatibility" && f["category"] != "breaking")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["pointer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn check_does_not_resurface_the_lint_findings_of_a_moved_file() {
    let (_tmp, dir) = moved_repo(STYLE);
    // The files do have findings: DOC_REQUIRED (record, message, enum), the message and enum value names.
    let (_, all) = run(&dir, &["lint"]);
    let rules: Vec<String> = pointers(&all).into_iter().map(|(r, _)| r).collect();
    assert_eq!(
        rules,
        [
            "DOC_REQUIRED",
            "DOC_REQUIRED",
            "DOC_REQUIRED",
            "ENUM_VALUE_PREFIX",
            "FIELD_LOWER_SNAKE_CASE",
            "MESSAGE_PASCAL_CASE"
        ],
        "{all}"
    );
    let (_, v) = run(&dir, &["check", "--against", "main"]);
    assert_eq!(pointers(&v), Vec::<(String, String)>::new(), "{v}");
    // `lint --against` subtracts the same way.
    let (_, v) = run(&dir, &["lint", "--against", "main"]);
    assert_eq!(pointers(&v), Vec::<(String, String)>::new(), "{v}");
}

#[test]
fn check_reports_a_new_violation_in_a_moved_file() {
    let (_tmp, dir) = moved_repo(STYLE_MORE);
    let (code, v) = run(&dir, &["check", "--against", "main"]);
    assert_eq!(
        pointers(&v),
        vec![(
            "FIELD_LOWER_SNAKE_CASE".to_string(),
            "acme.v1.order_placed.CustomerId".to_string()
        )],
        "{v}"
    );
    let lint = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "FIELD_LOWER_SNAKE_CASE");
    assert_eq!(
        lint.map(|f| &f["location"]["file"]),
        Some(&Value::from("events/acme/v1/order.proto"))
    );
    assert_eq!(code, 1, "{v}");
}

#[test]
fn a_copy_of_a_violating_file_reports_its_own_findings() {
    // The path breaks the tie: the original still matches its baseline finding, the copy has none left.
    let tmp = common::git_repo();
    let dir = tmp.path();
    write(dir, "a/legacy.avsc", LEGACY);
    write(dir, "schemaguard.toml", CONFIG);
    commit_all(dir, "legacy");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write(dir, "b/legacy.avsc", LEGACY);
    commit_all(dir, "copy");
    let (code, v) = run(dir, &["check", "--against", "main"]);
    let lint: Vec<(String, String)> = found(&v)
        .into_iter()
        .filter(|(r, _)| r == "DOC_REQUIRED")
        .collect();
    assert_eq!(
        lint,
        vec![("DOC_REQUIRED".to_string(), "b/legacy.avsc".to_string())],
        "{v}"
    );
    assert_eq!(code, 1, "{v}");
}
