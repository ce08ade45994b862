//! The binary as a user runs it, without git: `compat`, `rules`, `explain`, argument errors and exit codes, and
//! snapshots of what the user sees.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn rules_lists_every_rule_and_explain_prints_its_doc() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    for r in schemaguard::rules::all() {
        assert!(
            stdout(&o).lines().any(|l| l.starts_with(r.id)),
            "{} missing from `rules`",
            r.id
        );
    }
    let o = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v.as_array().map(|a| a.len()),
        Some(schemaguard::rules::all().len())
    );

    let o = run(&["explain", "subject_deleted"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## How to fix"));
    assert!(
        !stdout(&o).starts_with("---"),
        "front matter is not printed"
    );

    let o = run(&["explain", "NO_SUCH_RULE"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule `NO_SUCH_RULE`"));
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["compat", "--mode", "sideways", "a.avsc", "b.avsc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown mode `sideways`; expected one of NONE, BACKWARD"),
        "{}",
        stderr(&o)
    );

    let o = run(&["compat", "only-one.avsc"]);
    assert_eq!(o.status.code(), Some(2));

    let o = run(&["compat", "does/not/exist.avsc", "neither.avsc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`does/not/exist.avsc` does not exist"),
        "{}",
        stderr(&o)
    );

    let o = run(&["compat", "--format", "yaml", "Cargo.toml", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));

    let o = run(&["compat", "--breaking", "FILES", "Cargo.toml", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`FILES` is neither a buf breaking category"),
        "{}",
        stderr(&o)
    );

    let o = run(&["nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit codes"));
}

#[test]
fn modes_parse_case_insensitively() {
    for m in schemaguard::finding::Mode::ALL {
        let lower = m.as_str().to_lowercase();
        assert_eq!(schemaguard::finding::Mode::parse(&lower), Some(m));
    }
    assert_eq!(
        schemaguard::finding::Mode::parse("full-transitive"),
        Some(schemaguard::finding::Mode::FullTransitive)
    );
}

#[test]
fn a_file_that_is_not_utf8_is_a_read_error_and_the_rest_is_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.avsc");
    std::fs::write(&bad, b"{\"type\": \"string\xff\"}").expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(tmp.path())
        .args(["compat", "--format", "json", "bad.avsc", "bad.avsc"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["findings"][0]["rule"], "READ_ERROR");
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("offset 16"));
    assert!(Path::new(&bad).exists());
}

#[test]
fn avro_saved_as_json_and_mixed_formats() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::write(
        d.join("v1.json"),
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}"#,
    )
    .expect("write");
    std::fs::write(
        d.join("v2.json"),
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":"string"}]}"#,
    )
    .expect("write");
    std::fs::write(
        d.join("s.schema.json"),
        r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}"#,
    )
    .expect("write");
    let run_in = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_schemaguard"))
            .current_dir(d)
            .args(args)
            .output()
            .expect("runs")
    };
    let o = run_in(&["compat", "--format", "json", "v1.json", "v2.json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an Avro schema named on the command line may end in .json"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["findings"][0]["rule"], "TYPE_MISMATCH");
    let o = run_in(&["compat", "v1.json", "s.schema.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is avro and `s.schema.json` is jsonschema"),
        "{}",
        stderr(&o)
    );
}

/// `--format junit=` (an empty file name) said "cannot write ``: Is a directory"; it is a usage error that says what
/// to write (new user's trial).
#[test]
fn a_format_with_an_empty_file_name_is_a_usage_error() {
    let o = run(&[
        "compat",
        "fixtures/avro/type_mismatch/old.avsc",
        "fixtures/avro/type_mismatch/new.avsc",
        "--format",
        "junit=",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`--format junit=` names no file: write `--format junit=FILE`"),
        "{}",
        stderr(&o)
    );
}

/// `compat <(git show main:x.avsc) x.avsc`: the old side arrives as `/dev/fd/N`, a pipe without extension. Its
/// format is read from its content, and the two single "files" are paired (was "`63` is not a schema format").
#[test]
fn compat_reads_a_process_substitution_by_its_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let cases = [
        (
            "m.proto",
            "syntax = \"proto3\";\npackage p;\nmessage M { int32 a = 1; }\n",
            "syntax = \"proto3\";\npackage p;\nmessage M { string a = 1; }\n",
            "FIELD_SCALAR_KIND_CHANGED",
        ),
        (
            "r.avsc",
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#,
            "TYPE_MISMATCH",
        ),
        (
            "j.json",
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"a":{"type":"integer"}}}"#,
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"a":{"type":"string"}}}"#,
            "TYPE_CHANGED",
        ),
    ];
    for (name, old, new) in cases.iter().map(|(n, o, w, _)| (n, o, w)) {
        std::fs::write(d.join(format!("old-{name}")), old).expect("write");
        std::fs::write(d.join(name), new).expect("write");
    }
    for (name, _, _, rule) in cases {
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "\"$SG\" compat <(cat old-{name}) {name} --format json"
            ))
            .env("SG", env!("CARGO_BIN_EXE_schemaguard"))
            .current_dir(d)
            .output()
            .expect("bash runs");
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(v["findings"][0]["rule"], rule, "{name}: {v}");
    }
}
