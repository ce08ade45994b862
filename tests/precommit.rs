//! The pre-commit hooks (`.pre-commit-hooks.yaml`): the declaration is what pre-commit needs (id, `language: rust`
//! and a `language: system` twin for a binary on PATH,
//! the schema file pattern, no file names passed), and its `entry` run in a repository blocks a staged breaking
//! change and lets a compatible one through, as pre-commit would run it.

mod common;
use common::git;

use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn hook() -> Yaml {
    hook_with_id("schemaguard")
}

fn hook_with_id(id: &str) -> Yaml {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("the hook file exists");
    let docs = YamlLoader::load_from_str(&text).expect("valid YAML");
    let hooks = docs[0].as_vec().expect("a list of hooks").clone();
    hooks
        .into_iter()
        .find(|h| h["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("a hook with id {id}"))
}

#[test]
fn hook_declaration() {
    let h = hook();
    assert_eq!(h["language"].as_str(), Some("rust"));
    assert_eq!(
        h["pass_filenames"].as_bool(),
        Some(false),
        "references cross files: the whole snapshot is checked"
    );
    let files =
        regex::Regex::new(h["files"].as_str().expect("files pattern")).expect("a valid regex");
    for name in [
        "a/b.avsc",
        "x.proto",
        "s/event.schema.json",
        "e.yaml",
        "e.yml",
    ] {
        assert!(files.is_match(name), "{name} triggers the hook");
    }
    assert!(!files.is_match("src/main.rs"));
    assert!(h["entry"]
        .as_str()
        .unwrap_or("")
        .starts_with("schemaguard check --staged"));
}

/// The `language: system` hook runs the binary on PATH with the same check as the `language: rust` one.
#[test]
fn system_hook_matches_the_rust_hook() {
    let rust = hook();
    let system = hook_with_id("schemaguard-system");
    assert_eq!(system["language"].as_str(), Some("system"));
    for key in [
        "entry",
        "files",
        "pass_filenames",
        "require_serial",
        "minimum_pre_commit_version",
    ] {
        assert_eq!(rust[key], system[key], "`{key}` is the same in both hooks");
    }
    let files = regex::Regex::new(system["files"].as_str().expect("files")).expect("regex");
    assert!(files.is_match("idl/orders.avdl") && files.is_match("p/orders.avpr"));
}

/// Runs the hook's entry the way pre-commit does: split on spaces, in the repository root.
fn run_entry(dir: &Path) -> i32 {
    let h = hook();
    let entry = h["entry"].as_str().expect("entry").to_string();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("schemaguard"));
    let out = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(words)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    out.status.code().unwrap_or(-1)
}

#[test]
fn entry_blocks_a_staged_breaking_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    let v1 = "{\"type\": \"record\", \"name\": \"E\", \"fields\": [{\"name\": \"a\", \"type\": \"int\"}]}\n";
    std::fs::write(dir.join("e.avsc"), v1).expect("write");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "v1"]);
    assert_eq!(run_entry(dir), 0, "nothing staged");

    let compatible = "{\"type\": \"record\", \"name\": \"E\", \"fields\": [{\"name\": \"a\", \"type\": \"long\"}]}\n";
    std::fs::write(dir.join("e.avsc"), compatible).expect("write");
    git(dir, &["add", "e.avsc"]);
    assert_eq!(run_entry(dir), 0, "int → long is a promotion");

    let breaking = "{\"type\": \"record\", \"name\": \"E\", \"fields\": [{\"name\": \"a\", \"type\": \"string\"}]}\n";
    std::fs::write(dir.join("e.avsc"), breaking).expect("write");
    git(dir, &["add", "e.avsc"]);
    assert_eq!(run_entry(dir), 1, "int → string breaks BACKWARD");

    // Unstaged edits do not count: only what would be committed.
    std::fs::write(dir.join("e.avsc"), v1).expect("write");
    assert_eq!(run_entry(dir), 1);
}
