//! `buf.yaml` read by `schemaguard check` (issue 12 part 4): a buf repository whose buf.yaml settings change
//! schemaguard's findings as they change `buf breaking`'s. The expected findings per buf.yaml were confirmed with
//! buf 1.75 (`buf breaking --against '.git#branch=main'` on the same repository; see `benches/bufyaml-buf.sh`).

mod common;
use common::{git, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ORDER_V1: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage Order {\n  string id = 1;\n  string note = 2;\n}\n";
const ORDER_V2: &str =
    "syntax = \"proto3\";\npackage acme.v1;\nmessage Order {\n  string id = 1;\n}\n";
const DRAFT_V1: &str = "syntax = \"proto3\";\npackage acme.v1beta1;\nmessage Draft {\n  string id = 1;\n  string x = 2;\n}\n";
const DRAFT_V2: &str =
    "syntax = \"proto3\";\npackage acme.v1beta1;\nmessage Draft {\n  string id = 1;\n}\n";

/// A buf repository with `buf_yaml` (none when empty) and `extra` files, the v1 files on `main`, a field deleted
/// in each file on `feature`.
fn repo(buf_yaml: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    if !buf_yaml.is_empty() {
        write(&dir, "buf.yaml", buf_yaml);
    }
    for (rel, text) in extra {
        write(&dir, rel, text);
    }
    write(&dir, "proto/acme/v1/order.proto", ORDER_V1);
    write(&dir, "proto/acme/v1beta1/draft.proto", DRAFT_V1);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    write(&dir, "proto/acme/v1/order.proto", ORDER_V2);
    write(&dir, "proto/acme/v1beta1/draft.proto", DRAFT_V2);
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

/// Rule id and file of every finding of `check --against main`.
fn findings(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["check", "--format", "json", "--against", "main"];
    args.extend_from_slice(extra);
    let out = schemaguard(dir, &args);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const MODULE: &str = "version: v2\nmodules:\n  - path: proto\n";
const ORDER: &str = "proto/acme/v1/order.proto";
const DRAFT: &str = "proto/acme/v1beta1/draft.proto";

#[test]
fn without_breaking_use_protobuf_keeps_confluent_semantics() {
    // buf.yaml without `breaking.use` (buf's default would be FILE): schemaguard keeps Confluent's semantics, where
    // deleting an optional field is compatible (hidden).
    let (_t, dir) = repo(MODULE, &[]);
    assert_eq!(findings(&dir, &[]), Vec::<(String, String)>::new());
}

#[test]
fn breaking_use_switches_to_buf_rules() {
    // buf 1.75: 2 findings, FIELD_NO_DELETE in both files.
    let (_t, dir) = repo(&format!("{MODULE}breaking:\n  use: [FILE]\n"), &[]);
    assert_eq!(
        findings(&dir, &[]),
        pairs(&[("FIELD_NO_DELETE", ORDER), ("FIELD_NO_DELETE", DRAFT)])
    );
}

#[test]
fn ignore_unstable_packages_drops_the_beta_package() {
    // buf 1.75: 1 finding (acme.v1 only).
    let (_t, dir) = repo(
        &format!("{MODULE}breaking:\n  use: [FILE]\n  ignore_unstable_packages: true\n"),
        &[],
    );
    assert_eq!(findings(&dir, &[]), pairs(&[("FIELD_NO_DELETE", ORDER)]));
}

#[test]
fn except_and_ignore_only_and_ignore() {
    // buf 1.75: no finding with `except: [FIELD_NO_DELETE]`.
    let (_t, dir) = repo(
        &format!("{MODULE}breaking:\n  use: [FILE]\n  except: [FIELD_NO_DELETE]\n"),
        &[],
    );
    assert_eq!(findings(&dir, &[]), Vec::<(String, String)>::new());
    // buf 1.75 (v2): paths are relative to buf.yaml; `ignore_only: {FIELD_NO_DELETE: [proto/acme/v1]}` leaves the
    // v1beta1 finding, while the module-relative `acme/v1` matches nothing.
    let (_t, dir) = repo(
        &format!("{MODULE}breaking:\n  use: [FILE]\n  ignore_only:\n    FIELD_NO_DELETE: [proto/acme/v1]\n"),
        &[],
    );
    assert_eq!(findings(&dir, &[]), pairs(&[("FIELD_NO_DELETE", DRAFT)]));
    let (_t, dir) = repo(
        &format!(
            "{MODULE}breaking:\n  use: [FILE]\n  ignore_only:\n    FIELD_NO_DELETE: [acme/v1]\n"
        ),
        &[],
    );
    assert_eq!(findings(&dir, &[]).len(), 2);
    // buf 1.75: `ignore: [proto/acme/v1beta1/draft.proto]` leaves the v1 finding.
    let (_t, dir) = repo(
        &format!("{MODULE}breaking:\n  use: [FILE]\n  ignore: [proto/acme/v1beta1/draft.proto]\n"),
        &[],
    );
    assert_eq!(findings(&dir, &[]), pairs(&[("FIELD_NO_DELETE", ORDER)]));
}

#[test]
fn schemaguard_toml_wins_and_config_says_where_settings_come_from() {
    let (_t, dir) = repo(
        &format!("{MODULE}breaking:\n  use: [FILE]\n  ignore_unstable_packages: true\n"),
        &[("schemaguard.toml", "[protobuf]\nbreaking = [\"WIRE\"]\n")],
    );
    // WIRE has no FIELD_NO_DELETE; its number-reserved variant fires instead (buf.yaml's ignore still applies).
    assert_eq!(
        findings(&dir, &[]),
        pairs(&[("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", ORDER)])
    );
    let out = schemaguard(&dir, &["config"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("no `{key}` in:\n{text}"))
            .to_string()
    };
    assert!(line("protobuf.breaking").contains("[\"WIRE\"]"), "{text}");
    assert!(
        line("protobuf.breaking").ends_with("# schemaguard.toml"),
        "{text}"
    );
    assert!(line("protobuf.roots").contains("[\"proto\"]"), "{text}");
    assert!(line("protobuf.roots").ends_with("# buf.yaml"), "{text}");
    assert!(
        line("protobuf.ignore_unstable_packages").contains("true"),
        "{text}"
    );
    assert!(line("mode").ends_with("# default"), "{text}");
}

#[test]
fn buf_against_syntax_and_v1_workspace() {
    let (_t, dir) = repo(
        "",
        &[
            ("buf.work.yaml", "version: v1\ndirectories:\n  - proto\n"),
            (
                "proto/buf.yaml",
                "version: v1\nbreaking:\n  use: [FILE]\n  ignore: [acme/v1beta1]\n",
            ),
        ],
    );
    // A v1 workspace: the module's paths are relative to the module (buf 1.75: one finding, in acme.v1).
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--against",
        ".git#branch=main,subdir=proto",
    ];
    args.truncate(5);
    let out = schemaguard(&dir, &args);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(got, vec!["FIELD_NO_DELETE"], "{v}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn malformed_buf_yaml_is_a_usage_error() {
    let (_t, dir) = repo("version: v2\nbreaking:\n  use: [NOT_A_RULE]\n", &[]);
    let out = schemaguard(&dir, &["check", "--against", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT_A_RULE"));
}
