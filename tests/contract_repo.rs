//! Contract tests in a git repository, end to end through the binary: `[[contracts.examples]]` globs, a consumer's
//! full reader schema under `contracts/<consumer>/`, and schema discovery leaving contract inputs out.

mod common;

use common::{schemaguard as run_in, stdout_json as json};

use std::path::Path;

use common::write;

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
    // The summary counts what ran: one example file and one consumer contract, no subject comparison.
    assert_eq!(v["summary"]["contract_tests"], 2, "{v}");
    assert_eq!(v["summary"]["subjects_checked"], 0, "{v}");
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(d, &["test", "--against", "HEAD"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("(2 contract tests run"), "{text}");
    // JUnit: the reader-schema contract's own case fails (its finding points at the changed schema, with the
    // contract as the previous location); it showed as passed, the failure filed under the subject.
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "junit"]);
    let xml = String::from_utf8_lossy(&o.stdout);
    let case = xml
        .split("<testcase ")
        .find(|c| c.starts_with("name=\"contracts/billing/acme.Order.avsc\""))
        .unwrap_or("");
    assert!(case.contains("<failure "), "{xml}");
    assert!(!xml.contains("<testcase name=\"acme.Order"), "{xml}");
}

fn rules_of(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn messages(v: &serde_json::Value, rule: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|f| f["rule"] == rule)
        .filter_map(|f| f["message"].as_str().map(str::to_string))
        .collect()
}

const MONEY: &str = r#"{"type": "record", "name": "Money", "namespace": "acme", "fields": [
  {"name": "amount", "type": "double"},
  {"name": "currency", "type": "string"}
]}
"#;

fn priced_order(id_type: &str) -> String {
    format!(
        r#"{{"type": "record", "name": "Order", "namespace": "acme", "fields": [
  {{"name": "id", "type": "{id_type}"}},
  {{"name": "price", "type": "acme.Money"}},
  {{"name": "note", "type": "string"}}
]}}
"#
    )
}

/// billing's reader schema reads `id` and `price`, whose type `acme.Money` it does not define: the name resolves to
/// the repository's `schemas/money.avsc`, as the repository's own schemas resolve it.
const BILLING_READS_ORDER: &str = r#"{"type": "record", "name": "Order", "namespace": "acme", "fields": [
  {"name": "id", "type": "long"},
  {"name": "price", "type": "acme.Money"}
]}
"#;

fn priced_repo(d: &Path) {
    common::git(d, &["init", "-q", "-b", "main"]);
    write(d, "schemas/money.avsc", MONEY);
    write(d, "schemas/order.avsc", &priced_order("long"));
    write(d, "contracts/billing/acme.Order.avsc", BILLING_READS_ORDER);
    common::commit_all(d, "v1");
}

#[test]
fn avro_reader_schema_resolves_named_types_from_other_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    priced_repo(d);
    // Unchanged: the reader schema (with its reference) reads the current schema.
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(rules_of(&v), vec![], "{v}");
    assert_eq!(o.status.code(), Some(0), "{v}");
    // `id` becomes a string: billing reads it as long.
    write(d, "schemas/order.avsc", &priced_order("string"));
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(
        rules_of(&v),
        vec![("CONSUMER_CONTRACT_BROKEN".into(), "error".into())],
        "{v}"
    );
    let msg = &messages(&v, "CONSUMER_CONTRACT_BROKEN")[0];
    assert!(
        msg.contains("consumer `billing`") && msg.contains("`id`"),
        "{msg}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn avro_reader_schema_prefers_the_consumers_own_copy_of_a_shared_type() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    priced_repo(d);
    // billing pins its own Money (amount as double) next to its Order reader schema.
    write(d, "contracts/billing/acme.Money.avsc", MONEY);
    common::commit_all(d, "billing pins Money");
    write(
        d,
        "schemas/money.avsc",
        &MONEY.replace("\"double\"", "\"string\""),
    );
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    let msgs = messages(&v, "CONSUMER_CONTRACT_BROKEN");
    // Once through Order's reader schema (its `price` is billing's Money), once through the Money contract.
    assert_eq!(msgs.len(), 2, "{v}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("contracts/billing/acme.Order.avsc") && m.contains("`amount`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("contracts/billing/acme.Money.avsc") && m.contains("`amount`")),
        "{msgs:?}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn protobuf_reader_schema_resolves_its_imports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    common::git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "proto/acme/money.proto",
        "syntax = \"proto3\";\npackage acme;\nmessage Money {\n  double amount = 1;\n  string currency = 2;\n}\n",
    );
    let order = |id: &str| {
        format!("syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Order {{\n  {id} id = 1;\n  Money price = 2;\n  string note = 3;\n}}\n")
    };
    write(d, "proto/acme/order.proto", &order("int64"));
    write(
        d,
        "contracts/billing/acme.Order.proto",
        "syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Order {\n  int64 id = 1;\n  Money price = 2;\n}\n",
    );
    common::commit_all(d, "v1");
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(rules_of(&v), vec![], "{v}");
    assert_eq!(o.status.code(), Some(0), "{v}");
    // `id` changes its wire type: billing's reader schema cannot read it.
    write(d, "proto/acme/order.proto", &order("string"));
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    let kinds: Vec<String> = rules_of(&v).into_iter().map(|(r, _)| r).collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|r| r == "CONSUMER_CONTRACT_BROKEN"),
        "{v}"
    );
    let msgs = messages(&v, "CONSUMER_CONTRACT_BROKEN");
    assert!(
        msgs.iter().all(|m| m.contains("consumer `billing`"))
            && msgs.iter().any(|m| m.contains("id")),
        "{msgs:?}"
    );
    assert_eq!(o.status.code(), Some(1));
}

/// With `--consumer-driven`, a breaking change to a field no reader schema has is a warning; a change to a field
/// a reader schema has stays an error.
#[test]
fn reader_schema_fields_count_as_read_for_consumer_driven() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    priced_repo(d);
    // `note` (no consumer reads it) changes type.
    write(
        d,
        "schemas/order.avsc",
        &priced_order("long").replace(
            r#"{"name": "note", "type": "string"}"#,
            r#"{"name": "note", "type": "int"}"#,
        ),
    );
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--consumer-driven",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    let got = rules_of(&v);
    assert!(!got.is_empty(), "{v}");
    assert!(
        got.iter().all(|(_, sev)| sev == "warning"),
        "downgraded: {v}"
    );
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("no consumer contract reads it"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(0), "{v}");
    // Without the policy the same change is an error.
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", json(&o));

    // `id` (billing's reader schema has it) changes type: stays an error, and breaks billing.
    write(d, "schemas/order.avsc", &priced_order("string"));
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--consumer-driven",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    let errors: Vec<(String, String)> = rules_of(&v)
        .into_iter()
        .filter(|(_, s)| s == "error")
        .collect();
    assert!(
        errors.iter().any(|(r, _)| r == "TYPE_MISMATCH"),
        "the static finding on `id` stays an error: {v}"
    );
    assert!(
        errors.iter().any(|(r, _)| r == "CONSUMER_CONTRACT_BROKEN"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(1));
}

/// From a new user's trial: `test PATH` refused an example or contract file ("not a schema file"), and a schema
/// PATH dropped its own subject's example findings (they are located in example files).
#[test]
fn test_paths_select_schemas_with_their_examples_and_contract_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    repo(d);
    write(
        d,
        "examples/acme.Order/one.json",
        "{\"id\": 3, \"total\": 4.5}\n",
    );
    write(
        d,
        "contracts/shipping/acme.Order.yaml",
        "reads:\n  - {path: total, type: double}\n",
    );
    common::commit_all(d, "examples");
    write(d, "schemas/order.avsc", ORDER_V2);
    let files = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["test", "--against", "HEAD", "--format", "json"];
        a.extend_from_slice(args);
        let o = run_in(d, &a);
        let mut v: Vec<String> = json(&o)["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["location"]["file"].as_str().unwrap_or("").to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let all = files(&[]);
    assert!(
        all.contains(&"examples/acme.Order/one.json".to_string()),
        "{all:?}"
    );
    assert_eq!(files(&["schemas/order.avsc"]), all);
    assert_eq!(
        files(&["examples/acme.Order/one.json"]),
        ["examples/acme.Order/one.json"]
    );
    assert_eq!(files(&["examples"]), ["examples/acme.Order/one.json"]);
    assert_eq!(
        files(&["contracts/shipping/acme.Order.yaml"]),
        ["contracts/shipping/acme.Order.yaml"]
    );
    let o = run_in(d, &["test", "--against", "HEAD", "nope/x.json"]);
    assert_eq!(o.status.code(), Some(2));
}
