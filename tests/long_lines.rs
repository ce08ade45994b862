//! Text output of findings located far into very long lines (minified JSON, a registered schema stored as one
//! line): the snippet is cut to a window around the span, the title keeps the real line and column, and nothing
//! panics (miette's padding used to panic past column 65,535, exit 101).

use std::path::Path;
use std::process::{Command, Output};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("temp dir is writable");
}

fn compat_text(dir: &Path, old: &str, new: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(["compat", old, new, "--format", "text"])
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs")
}

/// Runs `compat` on two one-line files whose only change sits at the end of a `pad`-character line, and checks
/// the text report: exit 1, the rule, the real column in the title, a cut snippet with no overlong line.
fn check_long_line(
    ext: &str,
    make: impl Fn(&str, &str) -> String,
    old_ty: &str,
    new_ty: &str,
    rule: &str,
    pad: usize,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let filler = "x".repeat(pad);
    let old = make(&filler, old_ty);
    let new = make(&filler, new_ty);
    assert!(!old.contains('\n'));
    write(dir.path(), &format!("old.{ext}"), &old);
    write(dir.path(), &format!("new.{ext}"), &new);
    let o = compat_text(dir.path(), &format!("old.{ext}"), &format!("new.{ext}"));
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains(rule), "{out}");
    // The finding is at the end of the line: its column is past the filler.
    let column = new.find(new_ty).expect("type is in the text") + 1;
    assert!(column > pad);
    assert!(
        out.contains(&format!("new.{ext}:1:")),
        "title names the file and line 1: {out}"
    );
    assert!(out.contains('…'), "the long line is cut: {out}");
    assert!(
        out.contains(new_ty),
        "the window shows the changed type: {out}"
    );
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        longest < 400,
        "no line of the report is long ({longest} characters)"
    );
}

fn avro(filler: &str, ty: &str) -> String {
    format!(
        r#"{{"type":"record","name":"R","doc":"{filler}","fields":[{{"name":"a","type":"{ty}"}}]}}"#
    )
}

fn json_schema(filler: &str, ty: &str) -> String {
    format!(
        r#"{{"$schema":"http://json-schema.org/draft-07/schema#","description":"{filler}","type":"object","properties":{{"a":{{"type":"{ty}"}}}}}}"#
    )
}

#[test]
fn avro_finding_at_the_end_of_a_100_000_character_line() {
    check_long_line("avsc", avro, "int", "string", "TYPE_MISMATCH", 100_000);
}

#[test]
fn json_schema_finding_at_the_end_of_a_100_000_character_line() {
    check_long_line("json", json_schema, "string", "integer", "TYPE", 100_000);
}

#[test]
fn one_megabyte_lines() {
    check_long_line("avsc", avro, "int", "string", "TYPE_MISMATCH", 1_000_000);
    check_long_line("json", json_schema, "string", "integer", "TYPE", 1_000_000);
}

/// Multi-byte characters around the cut: the window never splits a character and the column counts characters.
#[test]
fn cut_respects_multi_byte_characters() {
    check_long_line(
        "avsc",
        |f, t| avro(&f.replace('x', "é"), t),
        "int",
        "string",
        "TYPE_MISMATCH",
        70_000,
    );
}

/// Many findings on one long line with multi-byte characters before them: each finding's column (JSON report)
/// is its position in characters, counted through the line index (it used to be counted from the line start
/// for every finding: quadratic on a 1 MB line with thousands of findings, see `benches/scaling.rs`).
#[test]
fn many_findings_on_one_long_line_have_their_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 300;
    let make = |ty: &str| {
        let props: Vec<String> = (0..n)
            .map(|i| format!(r#""é{i}_{}":{{"type":"{ty}"}}"#, "ü".repeat(40)))
            .collect();
        format!(
            r#"{{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{{{}}}}}"#,
            props.join(",")
        )
    };
    let new = make("integer");
    write(dir.path(), "old.json", &make("string"));
    write(dir.path(), "new.json", &new);
    let o = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir.path())
        .args(["compat", "old.json", "new.json", "--format", "json"])
        .output()
        .expect("schemaguard runs");
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), n);
    for i in 0..n {
        // The finding points at the property's `"type"` keyword, just after `"é{i}_üü…":{`.
        let key = format!(r#""é{i}_{}":{{"#, "ü".repeat(40));
        let at = new.find(&key).expect("key in text") + key.len();
        let column = new[..at].chars().count() + 1;
        let f = findings
            .iter()
            .find(|f| {
                f["location"]["pointer"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&format!("/é{i}_{}/type", "ü".repeat(40))))
            })
            .expect("a finding per property");
        assert_eq!(f["location"]["line"], 1, "{f}");
        assert_eq!(f["location"]["column"], column, "{f}");
    }
}
