//! End-to-end tests of `schemaguard check` on throwaway git repositories whose `.proto` files live under an
//! import root (`proto/acme/order.proto` imports `acme/common.proto`): the root is detected, or set with
//! `[protobuf] roots`; an ambiguous layout says which candidates exist. Fixture-free, like `tests/git.rs`.

mod common;
use common::{git, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const COMMON_V1: &str = "syntax = \"proto3\";\npackage acme;\nmessage Money {\n  int64 units = 1;\n  string currency = 2;\n}\n";

/// `units` from int64 to string: across Confluent's scalar groups, and a different type for buf.
const COMMON_V2: &str = "syntax = \"proto3\";\npackage acme;\nmessage Money {\n  string units = 1;\n  string currency = 2;\n}\n";

const ORDER: &str = "syntax = \"proto3\";\npackage acme;\nimport \"acme/common.proto\";\nmessage Order {\n  string id = 1;\n  Money total = 2;\n}\n";

/// A repository with `files` committed on `main` and a `feature` branch checked out.
fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    for (rel, text) in files {
        write(&dir, rel, text);
    }
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
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

fn json(dir: &Path, args: &[&str]) -> (i32, Vec<Value>) {
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
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), findings)
}

fn rules(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or(""))
        .collect()
}

fn with_rule<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule"] == rule).collect()
}

/// `proto/acme/{common,order}.proto` on main; the branch changes `Money.units`.
fn layout_repo() -> (tempfile::TempDir, PathBuf) {
    let (t, dir) = repo(&[
        ("proto/acme/common.proto", COMMON_V1),
        ("proto/acme/order.proto", ORDER),
    ]);
    write(&dir, "proto/acme/common.proto", COMMON_V2);
    (t, dir)
}

/// Asserts the Confluent verdict of the `Money.units` change (confluent.md §5.3): the scalar kind change in
/// common.proto, and, since message-typed fields are compared structurally, `Order.total` in order.proto.
fn assert_confluent_verdict(code: i32, findings: &[Value]) {
    assert_eq!(code, 1, "{findings:#?}");
    assert!(
        with_rule(findings, "PARSE_ERROR").is_empty(),
        "{findings:#?}"
    );
    let scalar = with_rule(findings, "FIELD_SCALAR_KIND_CHANGED");
    assert!(!scalar.is_empty(), "{:?}", rules(findings));
    let own = scalar
        .iter()
        .find(|f| f["subject"] == "acme/common.proto")
        .unwrap_or_else(|| panic!("common.proto's subject: {scalar:#?}"));
    assert_eq!(own["location"]["file"], "proto/acme/common.proto");
    assert_eq!(own["location"]["line"], 4);
    assert_eq!(own["previous"]["file"], "proto/acme/common.proto");
    assert_eq!(own["previous"]["line"], 4);
    let named = with_rule(findings, "FIELD_NAMED_TYPE_CHANGED");
    assert_eq!(named.len(), 1, "{findings:#?}");
    let total = named[0];
    assert_eq!(total["subject"], "acme/order.proto");
    assert_eq!(total["location"]["file"], "proto/acme/order.proto");
    assert_eq!(total["location"]["line"], 6);
    assert_eq!(total["previous"]["file"], "proto/acme/order.proto");
    let msg = total["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("`total`") && msg.contains("acme.Order"),
        "{msg}"
    );
    assert!(with_rule(findings, "SUBJECT_DELETED").is_empty());
}

#[test]
fn detected_root_resolves_imports_and_pairs_subjects() {
    let (_t, dir) = layout_repo();
    let (code, findings) = json(&dir, &[]);
    assert_confluent_verdict(code, &findings);
}

#[test]
fn buf_rules_see_the_logical_paths() {
    let (_t, dir) = layout_repo();
    let (code, findings) = json(&dir, &["--breaking", "FILE"]);
    assert_eq!(code, 1, "{findings:#?}");
    // buf compares message-typed fields by name (confluent.md §5.3, buf.md): only `Money.units` changed type.
    assert_eq!(rules(&findings), ["FIELD_SAME_TYPE"], "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["location"]["file"], "proto/acme/common.proto");
    assert_eq!(f["previous"]["file"], "proto/acme/common.proto");
    assert_eq!(f["location"]["line"], 4);
}

#[test]
fn unchanged_tree_under_a_root_is_clean() {
    let (_t, dir) = repo(&[
        ("proto/acme/common.proto", COMMON_V1),
        ("proto/acme/order.proto", ORDER),
    ]);
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn ambiguous_layout_names_the_candidates_and_the_config_key() {
    let (_t, dir) = repo(&[
        ("proto/acme/common.proto", COMMON_V1),
        ("proto/acme/order.proto", ORDER),
        ("vendor/acme/common.proto", COMMON_V1),
    ]);
    write(&dir, "proto/acme/common.proto", COMMON_V2);
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 2, "{findings:#?}");
    let errs: Vec<&Value> = with_rule(&findings, "PARSE_ERROR")
        .into_iter()
        .filter(|f| f["location"]["file"] == "proto/acme/order.proto")
        .collect();
    assert_eq!(errs.len(), 1, "{findings:#?}");
    let help = errs[0]["help"].as_str().unwrap_or("");
    assert!(
        help.contains("`proto/acme/common.proto` (root `proto`)"),
        "{help}"
    );
    assert!(
        help.contains("`vendor/acme/common.proto` (root `vendor`)"),
        "{help}"
    );
    assert!(help.contains("[protobuf] roots"), "{help}");
    assert_eq!(errs[0]["location"]["line"], 3);

    // The explicit root settles it.
    write(
        &dir,
        "schemaguard.toml",
        "[protobuf]\nroots = [\"proto\"]\n",
    );
    let (code, findings) = json(&dir, &[]);
    assert_confluent_verdict(code, &findings);
}

#[test]
fn a_root_detected_on_main_does_not_settle_an_ambiguity_of_the_branch() {
    // main reveals `proto` unambiguously; the branch adds a second `acme/common.proto` under `vendor/`.
    let (_t, dir) = layout_repo();
    write(&dir, "vendor/acme/common.proto", COMMON_V1);
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 2, "{findings:#?}");
    let errs: Vec<&Value> = with_rule(&findings, "PARSE_ERROR")
        .into_iter()
        .filter(|f| f["location"]["file"] == "proto/acme/order.proto")
        .collect();
    assert_eq!(errs.len(), 1, "{findings:#?}");
    assert_eq!(errs[0]["severity"], "error", "{findings:#?}");
    assert_eq!(errs[0]["location"]["line"], 3);
    let help = errs[0]["help"].as_str().unwrap_or("");
    assert!(
        help.contains("`proto/acme/common.proto` (root `proto`)")
            && help.contains("`vendor/acme/common.proto` (root `vendor`)"),
        "{help}"
    );
    // Neither snapshot uses the root, so subjects still pair (no SUBJECT_DELETED) and the baseline's import
    // is a baseline warning.
    assert!(
        with_rule(&findings, "SUBJECT_DELETED").is_empty(),
        "{findings:#?}"
    );
    let baseline: Vec<&Value> = with_rule(&findings, "PARSE_ERROR")
        .into_iter()
        .filter(|f| f["severity"] == "warning")
        .collect();
    assert_eq!(baseline.len(), 1, "{findings:#?}");
    assert_eq!(baseline[0]["previous"]["file"], "proto/acme/order.proto");
    // Explicit roots still win.
    write(
        &dir,
        "schemaguard.toml",
        "[protobuf]\nroots = [\"proto\"]\n",
    );
    let (code, findings) = json(&dir, &[]);
    assert_confluent_verdict(code, &findings);
}

#[test]
fn an_ignore_in_the_imported_file_covers_the_importing_subjects() {
    let (_t, dir) = layout_repo();
    write(
        &dir,
        "proto/acme/common.proto",
        &COMMON_V2.replace(
            "  string units",
            "  // schemaguard:ignore FIELD_SCALAR_KIND_CHANGED every reader parses decimal strings\n  string units",
        ),
    );
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn explicit_root_from_the_config() {
    let (_t, dir) = layout_repo();
    write(
        &dir,
        "schemaguard.toml",
        "[protobuf]\nroots = [\"proto\"]\n",
    );
    let (code, findings) = json(&dir, &[]);
    assert_confluent_verdict(code, &findings);
}

#[test]
fn root_revealed_by_one_side_only_applies_to_both() {
    // main has no importer yet, so nothing there reveals `proto/` as a root; the branch adds one.
    let (_t, dir) = repo(&[("proto/acme/common.proto", COMMON_V1)]);
    write(&dir, "proto/acme/common.proto", COMMON_V2);
    write(&dir, "proto/acme/order.proto", ORDER);
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 1, "{findings:#?}");
    assert_eq!(
        rules(&findings),
        ["FIELD_SCALAR_KIND_CHANGED"],
        "{findings:#?}"
    );
    assert_eq!(findings[0]["subject"], "acme/common.proto");
    assert_eq!(findings[0]["previous"]["file"], "proto/acme/common.proto");
}

#[test]
fn roots_must_be_a_list() {
    let (_t, dir) = layout_repo();
    write(&dir, "schemaguard.toml", "[protobuf]\nroots = \"proto\"\n");
    let out = schemaguard(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schemaguard.toml:2:"), "{err}");
}

#[test]
fn paths_and_path_globs_are_repository_paths() {
    let (_t, dir) = layout_repo();
    // PATHS arguments keep the findings located in that file.
    let (code, findings) = json(&dir, &["proto/acme/order.proto"]);
    assert_eq!(code, 1, "{findings:#?}");
    assert_eq!(
        rules(&findings),
        ["FIELD_NAMED_TYPE_CHANGED"],
        "{findings:#?}"
    );
    // A `path` override matches the repository path, a `name` override the logical one.
    write(
        &dir,
        "schemaguard.toml",
        "[[subjects]]\npath = \"proto/acme/order.proto\"\nmode = \"NONE\"\n[[subjects]]\nname = \"acme/common.proto\"\nmode = \"NONE\"\n",
    );
    let (code, findings) = json(&dir, &[]);
    assert_eq!(code, 0, "{findings:#?}");
    assert!(findings.is_empty(), "{findings:#?}");
}
