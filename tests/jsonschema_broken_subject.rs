//! A JSON Schema file that an edit broke stays a subject (discovery by directory, as `check` and
//! `compat DIR DIR` do): it gets one PARSE_ERROR, is not compared, and is not reported as deleted. See the
//! claiming rule in `src/formats/jsonschema/mod.rs`.

use std::path::Path;

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).expect("temp dir is writable");
    std::fs::write(dir.join(name), text).expect("temp dir is writable");
}

fn rule_ids(old: &str, new: &str) -> Vec<&'static str> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (o, n) = (tmp.path().join("old"), tmp.path().join("new"));
    write(&o, "order.json", old);
    write(&n, "order.json", new);
    let report = schemaguard::compat_paths(&[o], &n, Mode::Backward, &CheckOptions::default())
        .expect("paths exist");
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    ids.sort_unstable();
    ids
}

const ORDER: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"id": {"type": "string"}}
}"#;

#[test]
fn a_tagged_schema_broken_by_an_edit_is_a_parse_error_not_a_deletion() {
    // Broken after its `$schema`: still claimed, one PARSE_ERROR, no SUBJECT_DELETED.
    let broken = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"id": {"type": "string"},
}"#;
    assert_eq!(rule_ids(ORDER, broken), vec!["PARSE_ERROR"]);
    // Broken before it: the byte scan cannot place `$schema`, the broken-file rule still claims it.
    let broken_early = r#"[{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object"
}"#;
    assert_eq!(rule_ids(ORDER, broken_early), vec!["PARSE_ERROR"]);
}

#[test]
fn a_regex_error_stops_the_comparison_of_that_file() {
    let bad = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"id": {"type": "string", "pattern": "([a-z"}}
}"#;
    assert_eq!(rule_ids(ORDER, bad), vec!["PARSE_ERROR"]);
}
