//! Contract tests in a git repository, end to end through the binary: `[[contracts.examples]]` globs, a consumer's
//! full reader schema under `contracts/<consumer>/`, and schema discovery leaving contract inputs out.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::write;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

const ORDER_V1: &str = r#"{"type": "record", "name": "Order", "namespace": "acme", "fields": [
  {"name": "id", "type": "long"},
  {"name": "total", "type": "double"}
]}
"#;

const ORDER_V2: &str = r#"{"type": "record", "name": "Order", "namespace": "acme", "fields": [
  {"name": "id", "type": "long"},
  {"name": "total", "type": "string"}
]}
"#;

fn repo(d: &Path) {
    common::git(d, &["init", "-q", "-b", "main"]);
    write(d, "schemas/order.avsc", ORDER_V1);
    write(
        d,
        "schemaguard.toml",
        "[[contracts.examples]]\npath = \"samples/orders/*.jsonl\"\nsubject = \"acme.Order\"\n",
    );
    write(
        d,
        "samples/orders/day1.jsonl",
        "{\"id\": 1, \"total\": 1.5}\n{\"id\": 2, \"total\": 2.5}\n",
    );
    // The consumer's own copy of the schema: the same full name as the subject, but not a second definition.
    write(d, "contracts/billing/acme.Order.avsc", ORDER_V1);
    common::commit_all(d, "v1");
}

#[test]
fn consumer_reader_schema_is_not_a_schema_of_the_repository() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    repo(d);
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["summary"]["files"], 1, "{v}");
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(o.status.code(), Some(0));
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    assert_eq!(json(&o)["findings"], serde_json::json!([]));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn test_runs_globbed_examples_and_reader_schema_contracts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    repo(d);
    write(d, "schemas/order.avsc", ORDER_V2);
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    let of = |rule: &str| -> Vec<serde_json::Value> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .cloned()
            .collect()
    };
    // Both recorded events write `total` as a number: invalid against the current schema, located at their line.
    let invalid = of("EXAMPLE_INVALID");
    assert_eq!(invalid.len(), 2, "{v}");
    assert_eq!(
        invalid[0]["location"]["file"], "samples/orders/day1.jsonl",
        "{v}"
    );
    let lines: Vec<_> = invalid
        .iter()
        .map(|f| f["location"]["line"].clone())
        .collect();
    assert_eq!(
        lines,
        vec![serde_json::json!(1), serde_json::json!(2)],
        "{v}"
    );
    // billing reads `total` as double with its reader schema.
    let broken = of("CONSUMER_CONTRACT_BROKEN");
    assert_eq!(broken.len(), 1, "{v}");
    let msg = broken[0]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("consumer `billing`") && msg.contains("`total`"),
        "{msg}"
    );
    assert_eq!(o.status.code(), Some(1));
}
