//! Hostile and huge JSON Schema inputs through the public library path (`compat_paths`): exponential `$ref`
//! fan-out stays linear thanks to pair memoization, deep nesting gives a clean PARSE_ERROR on a small stack,
//! and a large schema loads quickly.

use std::path::Path;
use std::time::{Duration, Instant};

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("temp dir is writable");
    p
}

/// 40 levels, each with two properties referring to the next level: 2^40 paths to the leaf.
fn fan_out(leaf: &str) -> String {
    let mut defs = Vec::new();
    for i in 0..40 {
        defs.push(format!(
            r##""d{i}": {{"type": "object", "properties": {{"a": {{"$ref": "#/definitions/d{n}"}}, "b": {{"$ref": "#/definitions/d{n}"}}}}}}"##,
            n = i + 1
        ));
    }
    defs.push(format!(r#""d40": {leaf}"#));
    format!(
        r##"{{"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/d0", "definitions": {{{}}}}}"##,
        defs.join(", ")
    )
}

#[test]
fn exponential_ref_fan_out_is_memoized() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = write(dir.path(), "old.json", &fan_out(r#"{"type": "string"}"#));
    let new = write(
        dir.path(),
        "new.json",
        &fan_out(r#"{"type": "string", "maxLength": 3}"#),
    );
    let start = Instant::now();
    let report = schemaguard::compat_paths(&[old], &new, Mode::Full, &CheckOptions::default())
        .expect("paths exist");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert_eq!(ids, vec!["MAX_LENGTH_ADDED"]);
}

#[test]
fn deep_nesting_is_a_clean_finding_on_a_small_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = write(dir.path(), "old.json", r#"{"type": "object"}"#);
    let dir_path = dir.path().to_path_buf();
    let deep = format!(
        r#"{{"type": "object", "properties": {}}}"#,
        r#"{"x": {"type": "object", "properties": "#.repeat(5_000) + "{}" + &"}}".repeat(5_000)
    );
    let new = write(dir.path(), "new.json", &deep);
    let block: String = (0..10_000)
        .map(|i| format!("{}- \n", " ".repeat(i)))
        .collect();
    let new_yaml = write(dir.path(), "new.yaml", &format!("{}\n", "[".repeat(10_000)));
    let new_block = write(dir.path(), "block.yaml", &block);
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let r1 = schemaguard::compat_paths(
                std::slice::from_ref(&old),
                &new,
                Mode::Backward,
                &CheckOptions::default(),
            )
            .expect("paths exist");
            let r2 = schemaguard::compat_paths(
                &[old],
                &new_yaml,
                Mode::Backward,
                &CheckOptions::default(),
            )
            .expect("paths exist");
            let r3 = schemaguard::compat_paths(
                &[dir_path.join("old.json")],
                &new_block,
                Mode::Backward,
                &CheckOptions::default(),
            )
            .expect("paths exist");
            (r1, r2, r3)
        })
        .expect("thread starts");
    let (r1, r2, r3) = handle.join().expect("no stack overflow");
    for r in [r1, r2, r3] {
        let ids: Vec<&str> = r.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, vec!["PARSE_ERROR"]);
        let m = &r.findings[0].message;
        assert!(m.contains("nesting") || m.contains("recursion"), "{m}");
    }
}

#[test]
fn large_schema_loads_quickly() {
    // About 4 MB here (40 MB in the release benchmark, see benches/jsonschema-corpus.sh's README notes).
    let dir = tempfile::tempdir().expect("temp dir");
    let props: Vec<String> = (0..40_000)
        .map(|i| format!(r#""p{i}": {{"type": "string", "maxLength": {i}, "description": "property number {i} of a big schema"}}"#))
        .collect();
    let text = format!(
        r#"{{"type": "object", "properties": {{{}}}}}"#,
        props.join(",\n")
    );
    let old = write(dir.path(), "old.json", &text);
    let new = write(
        dir.path(),
        "new.json",
        &text.replace(r#""maxLength": 7,"#, r#""maxLength": 6,"#),
    );
    let start = Instant::now();
    let report = schemaguard::compat_paths(&[old], &new, Mode::Backward, &CheckOptions::default())
        .expect("paths exist");
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert_eq!(ids, vec!["MAX_LENGTH_DECREASED"]);
}

/// A small alias bomb below the absolute bound (found by fuzzing `parse_jsonschema`: 318 bytes expanding to
/// about 530,000 nodes, 200 MB and seconds): the bound is per byte of the document, so it is refused at once.
#[test]
fn small_yaml_alias_bomb_is_refused_in_proportion_to_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from(
        "$schema: http://json-schema.org/draft-07/schema#\ntype: object\ndefault:\n  a: &a [\"lol\"]\n",
    );
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        let items = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("  {name}: &{name} [{items}]\n"));
    }
    assert!(text.len() < 400, "{}", text.len());
    let old = write(dir.path(), "old.yaml", &text);
    let new = write(dir.path(), "new.yaml", &format!("{text}\n"));
    let report = schemaguard::compat_paths(&[old], &new, Mode::Backward, &CheckOptions::default())
        .expect("runs");
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"PARSE_ERROR"), "{ids:?}");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("alias bomb")),
        "{:?}",
        report
            .findings
            .iter()
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
}
