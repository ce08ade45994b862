//! End-to-end tests of `schemaguard check` on throwaway git repositories built in a temp dir: the merge-base
//! default, `--against`, moved and deleted schemas, shallow clones (fetching what is missing), `--staged`,
//! transitive history, config errors, and the GitHub Action's script with a fake GITHUB_* environment.

mod common;
use common::{commit_all, git, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const V1: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"}
  ]
}
"#;

/// v1 plus an optional field: compatible both ways.
const V2: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "note", "type": "string", "default": ""}
  ]
}
"#;

/// v2 with the default removed: new readers cannot read v1 data (no `note`), but can read v2 data.
const V3: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "note", "type": "string"}
  ]
}
"#;

/// v1 plus a field with no default: breaks BACKWARD (READER_FIELD_MISSING_DEFAULT_VALUE).
const BREAKING: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "long"}
  ]
}
"#;

const CUSTOMER: &str = r#"{"type": "record", "name": "Customer", "namespace": "com.acme", "fields": [{"name": "id", "type": "string"}]}
"#;

/// A repository with `schemas/order.avsc` at v1 and `schemas/customer.avsc` on main, and a `feature` branch.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "schemas/order.avsc", V1);
    write(&dir, "schemas/customer.avsc", CUSTOMER);
    commit_all(&dir, "v1");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    (tmp, dir)
}

fn schemaguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs")
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = schemaguard(dir, &all);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn rules_of(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn merge_base_default_finds_a_breaking_change_with_both_locations() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_of(&v), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
    let f = &v["findings"][0];
    assert_eq!(f["location"]["file"], "schemas/order.avsc");
    assert_eq!(
        f["location"]["line"], 7,
        "the new field `amount` is on line 7: {f}"
    );
    assert_eq!(f["previous"]["file"], "schemas/order.avsc");
    assert_eq!(f["previous"]["revision"], "main");
    assert_eq!(f["mode"], "BACKWARD");
    assert_eq!(v["summary"]["subjects_checked"], 2);
}

#[test]
fn merge_base_is_used_when_main_moved_on() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", V2);
    commit_all(&dir, "feature: optional note");
    git(&dir, &["checkout", "-q", "main"]);
    // main moves on with a change the feature branch does not have.
    write(&dir, "schemas/order.avsc", BREAKING);
    commit_all(&dir, "main: amount");
    git(&dir, &["checkout", "-q", "feature"]);
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 0, "compared with the merge-base, not main's tip: {v}");
    assert!(v["summary"]["baseline"]
        .as_str()
        .unwrap_or("")
        .contains("merge-base of HEAD and main"));
    // With main's tip as the baseline, the feature lacks `amount` (fine for BACKWARD: writer extra fields are
    // skipped) — but FORWARD needs old readers to read new data: `amount` has no default.
    let (code, v) = json(&dir, &["--against", "main", "--mode", "FORWARD"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_of(&v), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
}

#[test]
fn against_accepts_head_tilde_tags_and_shas() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    commit_all(&dir, "breaking");
    git(&dir, &["tag", "v1.0.0", "HEAD~1"]);
    let sha = git(&dir, &["rev-parse", "HEAD~1"]);
    for rev in ["HEAD~1", "v1.0.0", sha.as_str(), "main"] {
        let (code, v) = json(&dir, &["--against", rev]);
        assert_eq!(code, 1, "--against {rev}: {v}");
        assert_eq!(
            rules_of(&v),
            ["READER_FIELD_MISSING_DEFAULT_VALUE"],
            "--against {rev}"
        );
    }
    let (code, v) = json(&dir, &["--against", "HEAD"]);
    assert_eq!(
        (code, rules_of(&v)),
        (0, vec![]),
        "HEAD has the same schema as the work tree"
    );
}

#[test]
fn a_moved_file_pairs_by_subject() {
    let (_t, dir) = repo();
    std::fs::create_dir_all(dir.join("events")).expect("mkdir");
    git(&dir, &["mv", "schemas/order.avsc", "events/order.avsc"]);
    write(&dir, "events/order.avsc", V2);
    let (code, v) = json(&dir, &[]);
    assert_eq!((code, rules_of(&v)), (0, vec![]), "{v}");
    write(&dir, "events/order.avsc", BREAKING);
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["location"]["file"], "events/order.avsc");
    assert_eq!(v["findings"][0]["previous"]["file"], "schemas/order.avsc");
}

#[test]
fn a_deleted_schema_points_at_the_old_file() {
    let (_t, dir) = repo();
    std::fs::remove_file(dir.join("schemas/customer.avsc")).expect("rm");
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_of(&v), ["SUBJECT_DELETED"]);
    let f = &v["findings"][0];
    assert_eq!(f["subject"], "com.acme.Customer");
    assert!(f["location"].is_null());
    assert_eq!(f["previous"]["file"], "schemas/customer.avsc");
    assert_eq!(f["previous"]["line"], 1);
}

#[test]
fn a_broken_file_is_reported_and_the_others_are_still_checked() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    write(
        &dir,
        "schemas/customer.avsc",
        "{\"type\": \"record\", \"name\": \"Customer\" \"fields\": []}\n",
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 2, "an unreadable input makes the run incomplete: {v}");
    let rules = rules_of(&v);
    assert!(rules.contains(&"PARSE_ERROR".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"READER_FIELD_MISSING_DEFAULT_VALUE".to_string()),
        "{rules:?}"
    );
    let parse = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "PARSE_ERROR");
    let parse = parse.expect("a parse error finding");
    assert_eq!(parse["location"]["file"], "schemas/customer.avsc");
    assert_eq!(parse["location"]["line"], 1);
}

#[test]
fn not_a_repository_and_no_baseline_are_exit_2_with_the_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = schemaguard(tmp.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not inside a git repository") && err.contains("schemaguard compat"),
        "{err}"
    );

    let dir = tmp.path().join("r");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "dev"]);
    write(&dir, "a.avsc", V1);
    commit_all(&dir, "one");
    let out = schemaguard(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no baseline found") && err.contains("--against"),
        "{err}"
    );

    let out = schemaguard(&dir, &["check", "--against", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot resolve `nope`"));
}

#[test]
fn shallow_single_branch_clone_works_with_zero_flags() {
    let (t, dir) = repo();
    // Several commits on main after the branch point, and on the feature branch, so depth 1 misses the base.
    git(&dir, &["checkout", "-q", "main"]);
    for i in 0..3 {
        write(&dir, "README", &format!("{i}"));
        commit_all(&dir, "main work");
    }
    git(&dir, &["checkout", "-q", "feature"]);
    for i in 0..3 {
        write(&dir, "NOTES", &format!("{i}"));
        commit_all(&dir, "feature work");
    }
    write(&dir, "schemas/order.avsc", BREAKING);
    commit_all(&dir, "breaking");
    // The remote's HEAD is its default branch, as on a hosting service.
    git(&dir, &["checkout", "-q", "main"]);
    let clone = t.path().join("clone");
    let url = format!("file://{}", dir.display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "feature", &url])
        .arg(&clone)
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = schemaguard(&clone, &["check", "--no-fetch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fetch-depth: 0"),
        "the error names the one-line fix: {err}"
    );

    let (code, v) = json(&clone, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_of(&v), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
    assert!(
        v["summary"]["baseline"]
            .as_str()
            .unwrap_or("")
            .contains("origin/main"),
        "{v}"
    );

    // A sha that is not in the shallow clone is fetched too.
    let sha = git(&dir, &["rev-parse", "main~2"]);
    let clone2 = t.path().join("clone2");
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "feature", &url])
        .arg(&clone2)
        .output()
        .expect("git clone");
    assert!(out.status.success());
    let (code, v) = json(&clone2, &["--against", &sha]);
    assert_eq!(code, 1, "{v}");
}

#[test]
fn staged_compares_the_index_with_head() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    git(&dir, &["add", "schemas/order.avsc"]);
    // The work tree goes back to v1, but the index holds the breaking change.
    write(&dir, "schemas/order.avsc", V1);
    let (code, v) = json(&dir, &["--staged"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_of(&v), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
    assert_eq!(v["findings"][0]["previous"]["revision"], "HEAD");
    let (code, _) = json(&dir, &[]);
    assert_eq!(code, 0, "the work tree itself is unchanged");
}

#[test]
fn transitive_modes_walk_the_baseline_history() {
    let (_t, dir) = repo();
    git(&dir, &["checkout", "-q", "main"]);
    write(&dir, "schemas/order.avsc", V2);
    commit_all(&dir, "v2");
    write(&dir, "UNRELATED", "x");
    commit_all(&dir, "no schema change");
    git(&dir, &["checkout", "-q", "feature"]);
    git(&dir, &["reset", "-q", "--hard", "main"]);
    write(&dir, "schemas/order.avsc", V3);
    let (code, v) = json(&dir, &["--mode", "BACKWARD"]);
    assert_eq!((code, rules_of(&v)), (0, vec![]), "v3 reads v2 data: {v}");
    let (code, v) = json(&dir, &["--mode", "BACKWARD_TRANSITIVE"]);
    assert_eq!(code, 1, "v3 cannot read v1 data: {v}");
    assert_eq!(rules_of(&v), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
    let v1_commit = git(&dir, &["rev-parse", "main~2"]);
    let rev = v["findings"][0]["previous"]["revision"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        !rev.is_empty() && v1_commit.starts_with(&rev),
        "previous version is v1's commit: {rev}"
    );
    // --history 1 keeps only the baseline itself.
    let (code, _) = json(&dir, &["--mode", "BACKWARD_TRANSITIVE", "--history", "1"]);
    assert_eq!(code, 0);
}

#[test]
fn config_modes_and_errors() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    write(
        &dir,
        "schemaguard.toml",
        "[[subjects]]\nname = \"com.acme.Order\"\nmode = \"NONE\"\n",
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!((code, rules_of(&v)), (0, vec![]), "{v}");
    write(
        &dir,
        "schemaguard.toml",
        "mode = \"BACKWARD\"\nagainst = 3\n",
    );
    let out = schemaguard(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schemaguard.toml:2:"), "{err}");
    write(
        &dir,
        "schemaguard.toml",
        "[severity]\nREADER_FIELD_MISSING_DEFAULT_VALUE = \"warning\"\n",
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["findings"][0]["severity"], "warning");
    let (code, _) = json(&dir, &["--fail-on", "warning"]);
    assert_eq!(code, 1);
}

#[test]
fn text_output_shows_both_snippets_and_several_reports_can_be_written() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    let out = schemaguard(
        &dir,
        &["check", "--format", "text", "--format", "json=report.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{text}"
    );
    assert!(
        text.contains("schemas/order.avsc:7:"),
        "new location: {text}"
    );
    assert!(
        text.contains("main:schemas/order.avsc"),
        "old snippet titled with its revision: {text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour with NO_COLOR or a pipe"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report.json")).expect("report written"),
    )
    .expect("json");
    assert_eq!(rules_of(&report), ["READER_FIELD_MISSING_DEFAULT_VALUE"]);
}

#[test]
fn json_schema_ref_across_files_in_git() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    let common = |max: u32| {
        format!(
            "{{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"definitions\": {{\n    \"name\": {{\"type\": \"string\", \"maxLength\": {max}}}\n  }}\n}}\n"
        )
    };
    write(&dir, "schemas/common.schema.json", &common(100));
    write(
        &dir,
        "schemas/event.schema.json",
        "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"type\": \"object\",\n  \"properties\": {\n    \"customer\": {\"$ref\": \"common.schema.json#/definitions/name\"}\n  },\n  \"additionalProperties\": false\n}\n",
    );
    commit_all(&dir, "v1");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    // Narrowing the referenced definition breaks readers of old data, in both subjects.
    write(&dir, "schemas/common.schema.json", &common(50));
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1, "{v}");
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.is_empty());
    for f in &findings {
        assert_eq!(f["rule"], "MAX_LENGTH_DECREASED", "{f}");
        assert_eq!(
            f["location"]["file"], "schemas/common.schema.json",
            "points into the referenced file: {f}"
        );
        assert_eq!(f["previous"]["revision"], "main");
    }
    assert!(
        findings
            .iter()
            .any(|f| f["subject"] == "schemas/event.schema.json"),
        "the referencing schema breaks too: {v}"
    );
}

#[test]
fn excluded_files_still_resolve_references() {
    let (_t, dir) = repo();
    git(&dir, &["checkout", "-q", "main"]);
    write(
        &dir,
        "vendor/money.avsc",
        r#"{"type": "record", "name": "Money", "namespace": "com.acme", "fields": [{"name": "units", "type": "long"}]}"#,
    );
    write(
        &dir,
        "schemas/refund.avsc",
        r#"{"type": "record", "name": "Refund", "namespace": "com.acme", "fields": [{"name": "amount", "type": "Money"}]}"#,
    );
    write(&dir, "schemaguard.toml", "exclude = [\"vendor/**\"]\n");
    commit_all(&dir, "money");
    git(&dir, &["checkout", "-q", "feature"]);
    git(&dir, &["reset", "-q", "--hard", "main"]);
    let (code, v) = json(&dir, &[]);
    assert_eq!(
        (code, rules_of(&v)),
        (0, vec![]),
        "the excluded type still resolves: {v}"
    );
    // A breaking change inside the excluded file is reported for the schema that uses it, not for its own subject.
    write(
        &dir,
        "vendor/money.avsc",
        r#"{"type": "record", "name": "Money", "namespace": "com.acme", "fields": [{"name": "units", "type": "string"}]}"#,
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1, "{v}");
    let subjects: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["com.acme.Refund"], "{v}");
}

#[test]
fn an_avro_rename_with_an_alias_pairs_with_the_old_subject() {
    let (_t, dir) = repo();
    write(
        &dir,
        "schemas/order.avsc",
        r#"{"type": "record", "name": "Purchase", "namespace": "com.acme", "aliases": ["Order"], "fields": [{"name": "id", "type": "string"}]}"#,
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!(
        (code, rules_of(&v)),
        (0, vec![]),
        "a reader alias makes the rename compatible: {v}"
    );
    write(
        &dir,
        "schemas/order.avsc",
        r#"{"type": "record", "name": "Purchase", "namespace": "com.acme", "aliases": ["Order"], "fields": [{"name": "id", "type": "long"}]}"#,
    );
    let (code, v) = json(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_of(&v),
        ["TYPE_MISMATCH"],
        "compared through the alias, not deleted: {v}"
    );
    // Without the alias it is a deletion of com.acme.Order (Avro would report NAME_MISMATCH for the pair).
    write(
        &dir,
        "schemas/order.avsc",
        r#"{"type": "record", "name": "Purchase", "namespace": "com.acme", "fields": [{"name": "id", "type": "string"}]}"#,
    );
    let (_, v) = json(&dir, &[]);
    assert_eq!(rules_of(&v), ["SUBJECT_DELETED"], "{v}");
}

#[test]
fn transitive_findings_are_not_repeated_for_identical_versions() {
    let (_t, dir) = repo();
    git(&dir, &["checkout", "-q", "main"]);
    write(&dir, "schemas/order.avsc", V2);
    commit_all(&dir, "v2");
    // Another schema changes: a distinct snapshot in which order.avsc is identical to v2.
    write(
        &dir,
        "schemas/customer.avsc",
        CUSTOMER.replace("\"id\"", "\"key\"").as_str(),
    );
    commit_all(&dir, "customer");
    git(&dir, &["checkout", "-q", "feature"]);
    git(&dir, &["reset", "-q", "--hard", "main"]);
    write(
        &dir,
        "schemas/order.avsc",
        r#"{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string", "default": ""}, {"name": "c", "type": "int"}]}"#,
    );
    let (code, v) = json(&dir, &["--mode", "BACKWARD_TRANSITIVE"]);
    assert_eq!(code, 1, "{v}");
    let revisions: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["subject"] == "com.acme.Order")
        .filter_map(|f| f["previous"]["revision"].as_str())
        .collect();
    // v1 and v2 differ (two findings); the `customer` commit repeats v2's text and adds none.
    assert_eq!(revisions.len(), 2, "{v}");
}

#[test]
fn staged_first_commit_has_nothing_to_break() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "a.avsc", V1);
    git(dir, &["add", "a.avsc"]);
    let (code, v) = json(dir, &["--staged"]);
    assert_eq!((code, rules_of(&v)), (0, vec![]), "{v}");
}

#[test]
fn since_must_be_in_the_history_and_paths_must_name_schemas() {
    let (_t, dir) = repo();
    write(&dir, "schemas/order.avsc", BREAKING);
    commit_all(&dir, "breaking");
    let out = schemaguard(
        &dir,
        &[
            "check",
            "--mode",
            "BACKWARD_TRANSITIVE",
            "--since",
            "feature",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since `feature` is not among"));

    let out = schemaguard(&dir, &["check", "nonexistent.avsc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a schema file"));
    // PATHs are relative to the current directory.
    let out = schemaguard(
        &dir.join("schemas"),
        &["check", "--format", "json", "order.avsc"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = schemaguard(
        &dir.join("schemas"),
        &["check", "--format", "json", "customer.avsc"],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_schema_edited_into_garbage_is_a_parse_error_not_a_deletion() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(
        dir,
        "events/order.json",
        "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}\n",
    );
    commit_all(dir, "v1");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    // Discovery alone would no longer see a JSON Schema here: no `$schema`, and not valid JSON.
    write(dir, "events/order.json", "not json {\n");
    let (code, v) = json(dir, &[]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(rules_of(&v), ["PARSE_ERROR"], "{v}");
    assert_eq!(v["findings"][0]["location"]["file"], "events/order.json");
}

#[test]
fn nested_repositories_are_not_scanned() {
    let (_t, dir) = repo();
    let nested = dir.join("vendor/other");
    std::fs::create_dir_all(&nested).expect("mkdir");
    git(&nested, &["init", "-q", "-b", "main"]);
    write(&nested, "broken.avsc", "{ not json");
    let (code, v) = json(&dir, &[]);
    assert_eq!((code, rules_of(&v)), (0, vec![]), "{v}");
}
