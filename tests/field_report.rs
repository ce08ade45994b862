//! Regression tests for issue 11 ("Field report"): what a first real use found. One test (or a few) per item,
//! named `regression_11_<item>_…`; each failed before its fix.

mod common;

use common::{schemaguard as run_in, stdout_json as json};

use std::path::Path;
use std::process::{Command, Output};

use common::write;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

const PROTO_OLD: &str = "syntax = \"proto3\";\npackage acme;\nmessage X {\n  int32 a = 1;\n}\n";
const PROTO_NEW: &str = "syntax = \"proto3\";\npackage acme;\nmessage X {\n  string a = 1;\n}\n";

/// Item 1: single `.proto` files given by absolute path or with `../` are compared like cwd-relative ones.
#[test]
fn regression_11_1_compat_proto_by_absolute_and_parent_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "old/x.proto", PROTO_OLD);
    write(d, "new/x.proto", PROTO_NEW);
    let abs_old = d.join("old/x.proto");
    let abs_new = d.join("new/x.proto");
    let cases: Vec<(std::path::PathBuf, Vec<String>)> = vec![
        (
            d.to_path_buf(),
            vec![abs_old.display().to_string(), abs_new.display().to_string()],
        ),
        (
            d.join("new"),
            vec!["../old/x.proto".into(), "x.proto".into()],
        ),
        (
            d.join("old"),
            vec!["x.proto".into(), "../new/x.proto".into()],
        ),
        (
            d.to_path_buf(),
            vec!["old/x.proto".into(), "new/x.proto".into()],
        ),
    ];
    for (cwd, paths) in cases {
        let mut args = vec!["compat", "--format", "json"];
        args.extend(paths.iter().map(String::as_str));
        let o = run_in(&cwd, &args);
        let v = json(&o);
        assert_eq!(
            rules_of(&v),
            vec!["FIELD_SCALAR_KIND_CHANGED"],
            "{paths:?}: {}",
            stdout(&o)
        );
        assert_eq!(o.status.code(), Some(1), "{paths:?}");
        // The user sees the paths as typed.
        let shown = &paths[1];
        assert_eq!(v["findings"][0]["location"]["file"], shown.as_str());
    }
}

const ORDER_V1: &str = r#"{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "string"},
  {"name": "amount", "type": "long"}
]}
"#;
const ORDER_V2: &str = r#"{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "string"},
  {"name": "amount", "type": "int"}
]}
"#;
const CUSTOMER_V1: &str = r#"{"type": "record", "name": "Customer", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "string"}
]}
"#;
const CUSTOMER_V2: &str = r#"{"type": "record", "name": "Customer", "namespace": "com.acme", "fields": [
  {"name": "id", "type": "int"}
]}
"#;

/// Item 8: `--except` takes every rule id of every format, without `--breaking`; a typo is refused with a hint.
#[test]
fn regression_11_8_except_takes_every_rule_id() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "old/order.avsc", ORDER_V1);
    write(d, "new/order.avsc", ORDER_V2);
    write(
        d,
        "old/x.proto",
        "syntax = \"proto3\";\npackage a;\nmessage X { int32 a = 1; }\n",
    );
    write(
        d,
        "new/x.proto",
        "syntax = \"proto3\";\npackage b;\nmessage X { int32 a = 1; }\n",
    );

    let o = run_in(d, &["compat", "old/order.avsc", "new/order.avsc"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "type_mismatch",
            "old/order.avsc",
            "new/order.avsc",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // A Confluent Protobuf id, without --breaking.
    let o = run_in(
        d,
        &["compat", "--format", "json", "old/x.proto", "new/x.proto"],
    );
    assert_eq!(rules_of(&json(&o)), vec!["PACKAGE_CHANGED"]);
    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "PACKAGE_CHANGED",
            "old/x.proto",
            "new/x.proto",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "TYPE_MISMATC",
            "old/order.avsc",
            "new/order.avsc",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `TYPE_MISMATCH`?"),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "PARSE_ERROR",
            "old/order.avsc",
            "new/order.avsc",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "input rules cannot be excepted");
}

/// Item 8: config `except` at the top level and per `[[subjects]]` entry (an entry may set `except` alone).
#[test]
fn regression_11_8_config_except_and_per_subject_except() {
    let tmp = common::git_repo();
    let d = tmp.path();
    write(d, "schemas/order.avsc", ORDER_V1);
    write(d, "schemas/customer.avsc", CUSTOMER_V1);
    common::commit_all(d, "v1");
    write(d, "schemas/order.avsc", ORDER_V2);
    write(d, "schemas/customer.avsc", CUSTOMER_V2);
    let subjects = |v: &serde_json::Value| -> Vec<String> {
        let mut s: Vec<String> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["subject"].as_str().unwrap_or("").to_string())
            .collect();
        s.sort();
        s
    };
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(
        subjects(&json(&o)),
        vec!["com.acme.Customer", "com.acme.Order"]
    );

    write(
        d,
        "schemaguard.toml",
        "[[subjects]]\nname = \"com.acme.Order\"\nexcept = [\"TYPE_MISMATCH\"]\n",
    );
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(
        subjects(&json(&o)),
        vec!["com.acme.Customer"],
        "{}",
        stderr(&o)
    );

    write(
        d,
        "schemaguard.toml",
        "[[subjects]]\npath = \"schemas/customer.*\"\nexcept = [\"TYPE_MISMATCH\"]\n",
    );
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(
        subjects(&json(&o)),
        vec!["com.acme.Order"],
        "{}",
        stderr(&o)
    );

    write(d, "schemaguard.toml", "except = [\"TYPE_MISMATCH\"]\n");
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(subjects(&json(&o)).is_empty());

    write(d, "schemaguard.toml", "except = [\"TYPE_MISMATC\"]\n");
    let o = run_in(d, &["check", "--against", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("schemaguard.toml:1:"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("did you mean `TYPE_MISMATCH`?"),
        "{}",
        stderr(&o)
    );

    // Without --breaking, on the command line.
    std::fs::remove_file(d.join("schemaguard.toml")).expect("rm");
    let o = run_in(
        d,
        &["check", "--against", "HEAD", "--except", "TYPE_MISMATCH"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// Item 8: an inline ignore in the old file covers what was deleted from it; one in an unrelated file does not.
#[test]
fn regression_11_8_inline_ignore_in_the_old_file_covers_a_deletion() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "old/s.schema.json",
        r#"{"type": "object", "additionalProperties": false,
  "properties": {
    "a": {"type": "string"},
    "b": {"type": "string", "x-schemaguard-ignore": {"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": "b was never written"}}
  }
}
"#,
    );
    write(
        d,
        "new/s.schema.json",
        r#"{"type": "object", "additionalProperties": false,
  "properties": {
    "a": {"type": "string"}
  }
}
"#,
    );
    let o = run_in(
        d,
        &[
            "compat",
            "--format",
            "json",
            "old/s.schema.json",
            "new/s.schema.json",
        ],
    );
    assert_eq!(rules_of(&json(&o)), Vec::<String>::new(), "{}", stdout(&o));
    // The same removal without the ignore is reported.
    let old = std::fs::read_to_string(d.join("old/s.schema.json")).expect("read");
    let start = old
        .find(", \"x-schemaguard-ignore\"")
        .expect("ignore present");
    let end = old[start..].find("}}").expect("end") + start + 1;
    write(
        d,
        "old/s.schema.json",
        &format!("{}{}", &old[..start], &old[end..]),
    );
    let o = run_in(
        d,
        &[
            "compat",
            "--format",
            "json",
            "old/s.schema.json",
            "new/s.schema.json",
        ],
    );
    assert_eq!(
        rules_of(&json(&o)),
        vec!["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"],
        "{}",
        stdout(&o)
    );
}

/// Item 4: `additionalProperties: true` → `false` points at the keyword on both sides and says what changed.
#[test]
fn regression_11_4_additional_properties_true_to_false() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jsonschema/additional_properties_removed__explicit_true");
    let o = run_in(
        &dir,
        &["compat", "--format", "json", "old.json", "new.json"],
    );
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "ADDITIONAL_PROPERTIES_REMOVED");
    assert_eq!(f["location"]["line"], 4);
    assert_eq!(
        f["previous"]["line"], 4,
        "old side at the keyword, not line 1"
    );
    assert_eq!(f["previous"]["pointer"], "/additionalProperties");
    let msg = f["message"].as_str().unwrap_or("");
    assert!(!msg.contains("not present"), "{msg}");
    assert!(msg.contains("was `true`, now `false`"), "{msg}");
    // Absent → `false`: Confluent's "is not present in the old schema" says why that is a removal (the rule id
    // reads as a contradiction of "`false` added" otherwise; found in a new user's trial).
    let dir = dir.with_file_name("additional_properties_removed");
    let v = json(&run_in(
        &dir,
        &["compat", "--format", "json", "old.json", "new.json"],
    ));
    let msg = v["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains(
            "is not present in the old schema, which does not restrict additional members by it"
        ),
        "{msg}"
    );
}

/// Item 5: a union that loses a branch says so, keeps TYPE_MISMATCH, the branch's pointer and Avro's message.
#[test]
fn regression_11_5_avro_union_to_plain_type() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "old.avsc",
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":["null","string"],"default":null}]}"#,
    );
    write(
        d,
        "new.avsc",
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":"string"}]}"#,
    );
    let o = run_in(d, &["compat", "--format", "json", "old.avsc", "new.avsc"]);
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "TYPE_MISMATCH");
    assert_eq!(f["location"]["pointer"], "/fields/0/type/0");
    let msg = f["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("the union lost its `null` branch (remaining: `string`)"),
        "{msg}"
    );
    assert!(!msg.contains("changed type from `null`"), "{msg}");
    assert!(
        msg.contains(
            "(reader type: STRING not compatible with writer type: NULL, at `/fields/0/type/0`)"
        ),
        "Avro's message stays: {msg}"
    );
    let help = f["help"].as_str().unwrap_or("");
    assert!(help.contains("keep the `null` branch"), "{help}");
    // Read forward (old reads new), the plain type becoming a union gains a branch the old schema cannot read.
    let o = run_in(
        d,
        &[
            "compat", "--mode", "FORWARD", "--format", "json", "new.avsc", "old.avsc",
        ],
    );
    let msg = json(&o)["findings"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("to union `[null, string]`"), "{msg}");
    // A type the union never had does not "remain": the union was replaced (found in a new user's trial).
    write(
        d,
        "int.avsc",
        r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}"#,
    );
    let v = json(&run_in(
        d,
        &["compat", "--format", "json", "old.avsc", "int.avsc"],
    ));
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(!msgs.is_empty(), "{v}");
    for m in &msgs {
        assert!(
            m.contains("changed type from union `[null, string]` to `int`, which is none of the union's branches"),
            "{m}"
        );
        assert!(!m.contains("remaining") && !m.contains("lost its"), "{m}");
    }
    // Branches the new type still reads by Avro's name rules or promotion are all named as remaining: a
    // namespace-only change, an alias, and every promoted number (found reviewing the change above).
    for (old, new, remaining) in [
        (
            r#"["null",{"type":"record","name":"A","namespace":"x","fields":[]}]"#,
            r#"{"type":"record","name":"A","namespace":"y","fields":[]}"#,
            "(remaining: `x.A`, read as `y.A`)",
        ),
        (
            r#"["null",{"type":"enum","name":"E","symbols":["X"]}]"#,
            r#"{"type":"enum","name":"E2","aliases":["E"],"symbols":["X"]}"#,
            "(remaining: `E`, read as `E2`)",
        ),
        (
            r#"["null","int","long"]"#,
            r#""double""#,
            "(remaining: `int`, read as `double`; `long`, read as `double`)",
        ),
    ] {
        write(
            d,
            "u_old.avsc",
            &format!(
                r#"{{"type":"record","name":"R","fields":[{{"name":"f","type":{old},"default":null}}]}}"#
            ),
        );
        write(
            d,
            "u_new.avsc",
            &format!(r#"{{"type":"record","name":"R","fields":[{{"name":"f","type":{new}}}]}}"#),
        );
        let v = json(&run_in(
            d,
            &["compat", "--format", "json", "u_old.avsc", "u_new.avsc"],
        ));
        let m = v["findings"][0]["message"].as_str().unwrap_or("");
        assert!(
            m.contains("the union lost its `null` branch") && m.contains(remaining),
            "{old} -> {new}: {v}"
        );
        assert_eq!(v["findings"].as_array().map(Vec::len), Some(1), "{v}");
    }
}

/// Item 6: per-subject mode overrides show in the summary (text and JSON), not only the default mode.
#[test]
fn regression_11_6_summary_shows_every_mode_in_use() {
    let tmp = common::git_repo();
    let d = tmp.path();
    write(d, "schemas/order.avsc", ORDER_V1);
    write(d, "schemas/customer.avsc", CUSTOMER_V1);
    write(
        d,
        "schemaguard.toml",
        "[[subjects]]\nname = \"com.acme.Order\"\nmode = \"FULL\"\n",
    );
    common::commit_all(d, "v1");
    write(d, "schemas/order.avsc", ORDER_V2);
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["summary"]["mode"], "BACKWARD", "the default stays");
    assert_eq!(
        v["summary"]["modes"],
        serde_json::json!(["BACKWARD", "FULL"])
    );
    assert_eq!(v["findings"][0]["mode"], "FULL");
    let o = run_in(d, &["check", "--against", "HEAD"]);
    assert!(
        stdout(&o).contains("(2 subjects checked, modes BACKWARD, FULL, against HEAD"),
        "{}",
        stdout(&o)
    );
}

/// A repository with one breaking change to `com.acme.Order` (v1 committed, v2 in the working tree).
fn breaking_repo() -> tempfile::TempDir {
    let tmp = common::git_repo();
    let d = tmp.path();
    write(d, "schemas/order.avsc", ORDER_V1);
    common::commit_all(d, "v1");
    write(d, "schemas/order.avsc", ORDER_V2);
    tmp
}

/// Item 9: Markdown links are absolute when the CI environment names the repository and commit.
#[test]
fn regression_11_9_markdown_links_are_absolute_in_ci() {
    let tmp = breaking_repo();
    let d = tmp.path();
    let o = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(d)
        .args(["check", "--against", "HEAD", "--format", "markdown"])
        .env("NO_COLOR", "1")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/events")
        .env("GITHUB_SHA", "0123456789abcdef")
        .env_remove("CI_PROJECT_URL")
        .output()
        .expect("runs");
    assert!(
        stdout(&o).contains(
            "(https://github.com/acme/events/blob/0123456789abcdef/schemas/order.avsc#L3)"
        ),
        "{}",
        stdout(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(d)
        .args(["check", "--against", "HEAD", "--format", "markdown"])
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env("CI_PROJECT_URL", "https://gitlab.example.com/acme/events")
        .env("CI_COMMIT_SHA", "fedcba")
        .output()
        .expect("runs");
    assert!(
        stdout(&o).contains(
            "(https://gitlab.example.com/acme/events/-/blob/fedcba/schemas/order.avsc#L3)"
        ),
        "{}",
        stdout(&o)
    );
    // Outside CI: relative, as before.
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "markdown"]);
    assert!(
        stdout(&o).contains("](schemas/order.avsc#L3)"),
        "{}",
        stdout(&o)
    );
}

/// Item 10: SARIF's previous location says it is the baseline revision's content.
#[test]
fn regression_11_10_sarif_previous_location_is_baseline_content() {
    let tmp = breaking_repo();
    let o = run_in(
        tmp.path(),
        &["check", "--against", "HEAD", "--format", "sarif"],
    );
    let v = json(&o);
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["locations"].as_array().map(|a| a.len()), Some(1));
    let related = &result["relatedLocations"][0];
    let text = related["message"]["text"].as_str().unwrap_or("");
    assert!(
        text.contains("in the baseline revision HEAD, not in the current file"),
        "{text}"
    );
    assert_eq!(related["properties"]["baseline"], true);
    assert_eq!(related["properties"]["revision"], "HEAD");
}

/// Items 13 and 15: usage errors and what flags and typos get.
#[test]
fn regression_11_13_15_usage_errors_and_flags() {
    let tmp = breaking_repo();
    let d = tmp.path();
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--format",
            "sarif=x.out",
            "--format",
            "json=x.out",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("same file `x.out`"), "{}", stderr(&o));

    let o = run_in(d, &["check", "--against", "HEAD", "--history", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--history 0"), "{}", stderr(&o));

    let o = run_in(d, &["explain", "TYPE_MISMATC"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `TYPE_MISMATCH`?"),
        "{}",
        stderr(&o)
    );

    // `--color always` wins over NO_COLOR (run_in sets NO_COLOR=1).
    let o = run_in(d, &["check", "--against", "HEAD", "--color", "always"]);
    assert!(stdout(&o).contains('\u{1b}'), "no colour: {}", stdout(&o));
    let o = run_in(d, &["check", "--against", "HEAD"]);
    assert!(!stdout(&o).contains('\u{1b}'));
}

/// Item 7: one change to a shared type is one finding naming every subject it affects, in every format.
#[test]
fn regression_11_7_shared_type_change_is_grouped_and_names_subjects() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let money = |t: &str| {
        format!(
            r#"{{"type": "record", "name": "Money", "namespace": "com.acme", "fields": [{{"name": "units", "type": "{t}"}}]}}
"#
        )
    };
    // The users reach Money at different places (Avro's message names the pointer inside each subject).
    let user = |name: &str, before: &str| {
        format!(
            r#"{{"type": "record", "name": "{name}", "namespace": "com.acme", "fields": [{before}{{"name": "total", "type": "com.acme.Money"}}]}}
"#
        )
    };
    for side in ["old", "new"] {
        write(d, &format!("{side}/order.avsc"), &user("Order", ""));
        write(
            d,
            &format!("{side}/refund.avsc"),
            &user("Refund", r#"{"name": "id", "type": "string"}, "#),
        );
    }
    write(d, "old/money.avsc", &money("long"));
    write(d, "new/money.avsc", &money("int"));
    let o = run_in(d, &["compat", "--format", "json", "old", "new"]);
    let v = json(&o);
    let mismatches: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "TYPE_MISMATCH")
        .collect();
    // One finding for Money and the two records that use it, wherever they use it: Money, whose pointer is the
    // type's own, leads.
    assert_eq!(mismatches.len(), 1, "{}", stdout(&o));
    let f = mismatches[0];
    assert_eq!(f["subject"], "com.acme.Money");
    assert_eq!(f["location"]["file"], "new/money.avsc");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("at `/fields/0/type`")),
        "{f}"
    );
    assert_eq!(
        f["subjects"],
        serde_json::json!(["com.acme.Money", "com.acme.Order", "com.acme.Refund"])
    );

    let o = run_in(d, &["compat", "--format", "github", "old", "new"]);
    let lines: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.contains("TYPE_MISMATCH"))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&o));
    let all = "affects `com.acme.Money`, `com.acme.Order`, `com.acme.Refund`";
    assert!(lines[0].contains(all), "{lines:?}");
    for format in ["gitlab", "sarif"] {
        let o = run_in(d, &["compat", "--format", format, "old", "new"]);
        assert!(stdout(&o).contains(all), "{format}: {}", stdout(&o));
    }
    // A `$ref`'d JSON Schema used under different property names: one finding, too.
    let money_json = |n: u32| {
        format!(
            r#"{{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {{"currency": {{"type": "string", "maxLength": {n}}}}}}}
"#
        )
    };
    let user_json = |prop: &str| {
        format!(
            r#"{{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {{"{prop}": {{"$ref": "money.schema.json"}}}}}}
"#
        )
    };
    for side in ["oldj", "newj"] {
        write(d, &format!("{side}/order.schema.json"), &user_json("total"));
        write(
            d,
            &format!("{side}/refund.schema.json"),
            &user_json("amount"),
        );
    }
    write(d, "oldj/money.schema.json", &money_json(3));
    write(d, "newj/money.schema.json", &money_json(2));
    let v = json(&run_in(d, &["compat", "--format", "json", "oldj", "newj"]));
    let found: Vec<&serde_json::Value> = v["findings"].as_array().into_iter().flatten().collect();
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(
        found[0]["subjects"],
        serde_json::json!([
            "money.schema.json",
            "order.schema.json",
            "refund.schema.json"
        ])
    );
    assert!(
        found[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`#/properties/currency/maxLength`")),
        "{v}"
    );
    // A single subject is named too.
    let o = run_in(
        d,
        &[
            "compat",
            "--format",
            "github",
            "old/money.avsc",
            "new/money.avsc",
        ],
    );
    assert!(
        stdout(&o).contains("subject `com.acme.Money`"),
        "{}",
        stdout(&o)
    );
}

/// Item 11: `compat` of single files whose references live in files beside them says to pass the directories, for
/// an Avro named type, a Protobuf import and a JSON Schema `$ref` to another file; a file alone in its folder
/// does not get the hint.
#[test]
fn regression_11_11_single_file_references_suggest_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    for side in ["old", "new"] {
        write(
            d,
            &format!("{side}/order.avsc"),
            r#"{"type": "record", "name": "Order", "namespace": "com.acme", "fields": [{"name": "total", "type": "com.acme.Money"}]}
"#,
        );
        write(
            d,
            &format!("{side}/money.avsc"),
            r#"{"type": "record", "name": "Money", "namespace": "com.acme", "fields": [{"name": "units", "type": "long"}]}
"#,
        );
        write(
            d,
            &format!("{side}/dep.proto"),
            "syntax = \"proto3\";\npackage acme;\nmessage Dep { int32 a = 1; }\n",
        );
        write(
            d,
            &format!("{side}/x.proto"),
            "syntax = \"proto3\";\npackage acme;\nimport \"dep.proto\";\nmessage X { Dep d = 1; }\n",
        );
        write(
            d,
            &format!("{side}/order.schema.json"),
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"m": {"$ref": "money.schema.json"}}}
"#,
        );
        write(
            d,
            &format!("{side}/money.schema.json"),
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"units": {"type": "integer"}}}
"#,
        );
    }
    for (file, rule) in [
        ("order.avsc", "PARSE_ERROR"),
        ("x.proto", "PARSE_ERROR"),
        ("order.schema.json", "UNRESOLVED_REFERENCE"),
    ] {
        let old = format!("old/{file}");
        let new = format!("new/{file}");
        let o = run_in(d, &["compat", "--format", "json", &old, &new]);
        let v = json(&o);
        let findings = v["findings"].as_array().cloned().unwrap_or_default();
        assert_eq!(findings.len(), 2, "{file}: {}", stdout(&o));
        for f in &findings {
            assert_eq!(f["rule"], rule, "{file}: {f}");
            let help = f["help"].as_str().unwrap_or("");
            assert!(
                help.starts_with("pass the directories (`compat old/ new/`) so references resolve"),
                "{file}: {help}"
            );
        }
        // Text output carries it in the help line.
        let o = run_in(d, &["compat", &old, &new]);
        assert!(
            stdout(&o).contains("help: pass the directories (`compat old/ new/`)"),
            "{}",
            stdout(&o)
        );
    }
    // Paths with `../`: the directories as the user would type them from here.
    let o = run_in(
        &d.join("new"),
        &["compat", "--format", "json", "../old/x.proto", "x.proto"],
    );
    let v = json(&o);
    assert!(
        v["findings"][0]["help"]
            .as_str()
            .unwrap_or("")
            .starts_with("pass the directories (`compat ../old/ ./`)"),
        "{}",
        stdout(&o)
    );
    // The directories do resolve them.
    let o = run_in(d, &["compat", "--format", "json", "old", "new"]);
    assert!(
        !stdout(&o).contains("PARSE_ERROR") && !stdout(&o).contains("UNRESOLVED_REFERENCE"),
        "{}",
        stdout(&o)
    );
    // A Protobuf import names the path below the import root: files in `pk/old/acme/` importing
    // `acme/money.proto` resolve from `pk/old/`, so that is what the hint names (it named `pk/old/acme/`, which
    // fails the same way; found in a new user's trial), and it works.
    for side in ["old", "new"] {
        write(
            d,
            &format!("pk/{side}/acme/money.proto"),
            "syntax = \"proto3\";\npackage acme;\nmessage Money { int64 units = 1; }\n",
        );
        write(
            d,
            &format!("pk/{side}/acme/order.proto"),
            "syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Order { Money total = 1; }\n",
        );
    }
    let v = json(&run_in(
        d,
        &[
            "compat",
            "--format",
            "json",
            "pk/old/acme/order.proto",
            "pk/new/acme/order.proto",
        ],
    ));
    let help = v["findings"][0]["help"].as_str().unwrap_or("").to_string();
    assert!(
        help.starts_with("pass the directories (`compat pk/old/ pk/new/`)"),
        "{help}"
    );
    let o = run_in(d, &["compat", "--format", "json", "pk/old/", "pk/new/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Typed from inside the package folder, the roots are named from there.
    let v = json(&run_in(
        &d.join("pk/new/acme"),
        &[
            "compat",
            "--format",
            "json",
            "../../old/acme/order.proto",
            "order.proto",
        ],
    ));
    let help = v["findings"][0]["help"].as_str().unwrap_or("").to_string();
    assert!(
        help.starts_with("pass the directories (`compat ../../old/ ../`)"),
        "{help}"
    );
    // A file alone in its folder: passing the folder would not help, so the hint is not given.
    write(
        d,
        "lone/old/order.avsc",
        r#"{"type": "record", "name": "Order", "fields": [{"name": "total", "type": "Money"}]}
"#,
    );
    write(
        d,
        "lone/new/order.avsc",
        r#"{"type": "record", "name": "Order", "fields": [{"name": "total", "type": "Money"}]}
"#,
    );
    let o = run_in(
        d,
        &[
            "compat",
            "--format",
            "json",
            "lone/old/order.avsc",
            "lone/new/order.avsc",
        ],
    );
    assert!(
        !stdout(&o).contains("pass the directories"),
        "{}",
        stdout(&o)
    );
}

/// Item 11: two versions side by side in one folder with nothing else: the type is missing, not beside them.
#[test]
fn regression_11_11_two_versions_in_one_folder_get_no_directory_hint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let order = r#"{"type": "record", "name": "Order", "fields": [{"name": "total", "type": "Money"}]}
"#;
    write(d, "v1.avsc", order);
    write(d, "v2.avsc", order);
    let o = run_in(d, &["compat", "--format", "json", "v1.avsc", "v2.avsc"]);
    assert!(stdout(&o).contains("unknown type"), "{}", stdout(&o));
    assert!(
        !stdout(&o).contains("pass the directories"),
        "{}",
        stdout(&o)
    );
    // With a third schema beside them, the reference may live there: one folder holds both versions, so each
    // version needs a folder of its own.
    write(
        d,
        "money.avsc",
        r#"{"type": "record", "name": "Money", "fields": []}"#,
    );
    let o = run_in(d, &["compat", "--format", "json", "v1.avsc", "v2.avsc"]);
    assert!(
        stdout(&o).contains("put each version's schemas in a folder of its own"),
        "{}",
        stdout(&o)
    );
}

const PROTO_X: &str = "syntax = \"proto3\";\npackage acme;\nmessage X {\n  int32 a = 1;\n}\n";
const JSON_Y: &str = r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"a": {"type": "string"}}}
"#;

/// Item 12: `--against-dir` one level too deep (or too shallow) pairs no subject: a warning on stderr says the
/// directory must mirror the repository root and names the one that does; a directory that mirrors it is quiet.
#[test]
fn regression_11_12_against_dir_must_mirror_the_repository_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let repo = d.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    common::git(&repo, &["init", "-q", "-b", "main"]);
    for root in ["repo", "base", "up/checkout"] {
        write(d, &format!("{root}/schemas/x.proto"), PROTO_X);
        write(d, &format!("{root}/schemas/y.schema.json"), JSON_Y);
    }
    common::commit_all(&repo, "v1");

    let o = run_in(&repo, &["check", "--against-dir", "../base/schemas"]);
    let err = stderr(&o);
    assert!(
        err.contains("warning: no schema of `--against-dir ../base/schemas` pairs with one of the working tree"),
        "{err}"
    );
    assert!(
        err.contains("the directory must mirror the repository root"),
        "{err}"
    );
    assert!(err.contains("try `--against-dir ../base`"), "{err}");
    // The report on stdout stays a report.
    let o = run_in(
        &repo,
        &[
            "check",
            "--against-dir",
            "../base/schemas",
            "--format",
            "json",
        ],
    );
    // Only `x.proto` is compared, as a renamed file (its first message `acme.X` is unique on both sides); the
    // JSON Schema has no `title` to pair it by. The warning still fires: nothing paired by its path.
    assert_eq!(json(&o)["summary"]["subjects_checked"], 1);
    assert!(
        stderr(&o).contains("must mirror the repository root"),
        "{}",
        stderr(&o)
    );

    let o = run_in(&repo, &["check", "--against-dir", "../up"]);
    assert!(
        stderr(&o).contains("try `--against-dir ../up/checkout`"),
        "{}",
        stderr(&o)
    );

    let o = run_in(&repo, &["check", "--against-dir", "../base"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// Item 13: a binary file named as PATH gets the READ_ERROR a full run gives, not "not a schema file"; `--history`
/// and `--since` without a transitive mode warn that they have no effect (on stderr; stdout stays JSON).
#[test]
fn regression_11_13_binary_path_and_history_without_transitive_mode() {
    let tmp = breaking_repo();
    let d = tmp.path();
    std::fs::write(d.join("schemas/blob.avsc"), b"\x00\x01\x02\xff\xfe").expect("write");
    let full = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    let one = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--format",
            "json",
            "schemas/blob.avsc",
        ],
    );
    assert_eq!(one.status.code(), Some(2), "{}", stderr(&one));
    let read_errors = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == "READ_ERROR")
            .cloned()
            .collect()
    };
    let (full, one) = (json(&full), json(&one));
    assert_eq!(read_errors(&one).len(), 1, "{one}");
    assert_eq!(read_errors(&full), read_errors(&one));
    assert_eq!(rules_of(&one), vec!["READ_ERROR"]);
    std::fs::remove_file(d.join("schemas/blob.avsc")).expect("rm");

    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--history",
            "5",
            "--since",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(rules_of(&json(&o)), vec!["TYPE_MISMATCH"]);
    assert!(
        stderr(&o).contains("warning: --history and --since have no effect: no subject's mode is transitive (mode BACKWARD)"),
        "{}",
        stderr(&o)
    );
    let o = run_in(d, &["check", "--against", "HEAD", "--since", "HEAD"]);
    assert!(
        stderr(&o).contains("warning: --since has no effect"),
        "{}",
        stderr(&o)
    );
    // A transitive mode uses them: no warning.
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD",
            "--mode",
            "BACKWARD_TRANSITIVE",
            "--history",
            "5",
        ],
    );
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    // Without the flags: no warning.
    let o = run_in(d, &["check", "--against", "HEAD"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// Item 14: a baseline that resolves to HEAD itself with no schema change compares nothing: warn, naming the ref
/// and the short sha, and say why (here: `origin/HEAD` names the cloned feature branch, HEAD detached on it).
#[test]
fn regression_11_14_baseline_is_head_itself() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let up = d.join("up");
    std::fs::create_dir_all(&up).expect("mkdir");
    common::git(&up, &["init", "-q", "-b", "main"]);
    write(&up, "schemas/order.avsc", ORDER_V1);
    common::commit_all(&up, "v1");
    common::git(&up, &["checkout", "-q", "-b", "feature"]);
    write(&up, "schemas/order.avsc", ORDER_V2);
    common::commit_all(&up, "v2");
    let head = common::git(&up, &["rev-parse", "HEAD"]);
    let short = &head[..10];

    common::git(
        d,
        &[
            "clone",
            "-q",
            "--branch",
            "feature",
            "--single-branch",
            "up",
            "ci",
        ],
    );
    let ci = d.join("ci");
    common::git(&ci, &["checkout", "-q", "--detach"]);
    common::git(
        &ci,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/feature",
        ],
    );
    let o = run_in(&ci, &["check", "--no-fetch", "--format", "json"]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: the baseline, the merge-base of HEAD and `origin/feature`, is HEAD itself ({short}) and no schema file changed since: nothing is being compared"
        )),
        "{err}"
    );
    assert!(
        err.contains("`origin/HEAD` points at `origin/feature`"),
        "{err}"
    );
    // stdout stays a report.
    assert_eq!(json(&o)["findings"], serde_json::json!([]));

    // A branch named explicitly that is HEAD.
    let o = run_in(&up, &["check", "--against", "feature"]);
    assert!(
        stderr(&o).contains(&format!(
            "warning: the baseline `feature` is HEAD itself ({short})"
        )),
        "{}",
        stderr(&o)
    );
    // With a schema change in the working tree there is something to compare; `--against HEAD` is deliberate.
    write(&up, "schemas/order.avsc", ORDER_V1);
    let o = run_in(&up, &["check", "--against", "feature"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    common::git(&up, &["checkout", "-q", "--", "."]);
    let o = run_in(&up, &["check", "--against", "HEAD"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// Item 15: the baseline label names a sha once, not `1a2b3c4 (1a2b3c4d5e)`, in the summary and in SARIF's
/// previous location.
#[test]
fn regression_11_15_baseline_label_does_not_repeat_the_sha() {
    let tmp = breaking_repo();
    let d = tmp.path();
    let head = common::git(d, &["rev-parse", "HEAD"]);
    let short = &head[..10];
    for rev in [&head[..7], head.as_str()] {
        let o = run_in(d, &["check", "--against", rev]);
        assert!(
            stdout(&o).contains(&format!("against {short})")),
            "{rev}: {}",
            stdout(&o)
        );
        let o = run_in(d, &["check", "--against", rev, "--format", "json"]);
        let v = json(&o);
        assert_eq!(v["summary"]["baseline"], short, "{v}");
        assert_eq!(v["findings"][0]["previous"]["revision"], short, "{v}");
    }
    let o = run_in(d, &["check", "--against", &head[..7], "--format", "sarif"]);
    let v = json(&o);
    let text = v["runs"][0]["results"][0]["relatedLocations"][0]["message"]["text"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(text.matches(short).count(), 1, "{text}");
}

/// Item 15: `rules` names what selects each rule — a lint rule's presets, a buf breaking rule's categories — in
/// text and JSON; `--help` says what the tool does beyond compatibility checks, on one line.
#[test]
fn regression_11_15_rules_show_buf_categories_and_presets() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = run_in(d.path(), &["rules"]);
    let text = stdout(&o);
    let line = |id: &str| -> String {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} missing"))
            .to_string()
    };
    // buf 1.75: FIELD_NO_DELETE is in FILE and PACKAGE; FIELD_WIRE_COMPATIBLE_TYPE in WIRE only;
    // PACKAGE_NO_DELETE in PACKAGE only.
    assert!(
        line("FIELD_NO_DELETE").ends_with("[FILE, PACKAGE, CSR]"),
        "{}",
        line("FIELD_NO_DELETE")
    );
    assert!(line("FIELD_WIRE_COMPATIBLE_TYPE").ends_with("[WIRE]"));
    assert!(line("PACKAGE_NO_DELETE").ends_with("[PACKAGE]"));
    // buf lint rules and our own lint rules keep their presets.
    assert!(line("FIELD_LOWER_SNAKE_CASE").ends_with("[BASIC, STANDARD, DEFAULT]"));
    // Compatibility rules are selected by a mode, not by a category: nothing in brackets.
    assert!(!line("TYPE_MISMATCH").contains('['));

    let o = run_in(d.path(), &["rules", "--format", "json"]);
    let v = json(&o);
    let rule = |id: &str| -> serde_json::Value {
        v.as_array()
            .into_iter()
            .flatten()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(
        rule("FIELD_NO_DELETE")["buf_categories"],
        serde_json::json!(["FILE", "PACKAGE", "CSR"])
    );
    assert_eq!(
        rule("FIELD_WIRE_JSON_COMPATIBLE_TYPE")["buf_categories"],
        serde_json::json!(["WIRE_JSON", "CSR"])
    );
    assert_eq!(
        rule("TYPE_MISMATCH")["buf_categories"],
        serde_json::json!([])
    );
    assert_eq!(
        rule("FIELD_LOWER_SNAKE_CASE")["presets"],
        serde_json::json!(["BASIC", "STANDARD", "DEFAULT"])
    );

    let o = run_in(d.path(), &["--help"]);
    // One sentence in the source; clap wraps it at the terminal width.
    let about = stdout(&o)
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ");
    for word in ["lint", "contract tests", "registry", "catalog"] {
        assert!(about.contains(word), "{word}: {about}");
    }
}

/// Item 15: every meta-schema violation of a JSON Schema file is reported, each at its own keyword.
#[test]
fn regression_11_15_every_meta_schema_violation_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "old/a.schema.json", JSON_Y);
    write(
        d,
        "new/a.schema.json",
        r#"{"$schema": "http://json-schema.org/draft-07/schema#",
 "type": "object",
 "properties": {
   "a": {"type": "strin"},
   "b": {"minLength": "x"},
   "c": {"required": 5}
 }}
"#,
    );
    let o = run_in(d, &["compat", "--format", "json", "old", "new"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    let at: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "PARSE_ERROR")
        .map(|f| {
            (
                f["location"]["pointer"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        at,
        vec![
            ("/properties/a/type".to_string(), 4, 18),
            ("/properties/b/minLength".to_string(), 5, 23),
            ("/properties/c/required".to_string(), 6, 22),
        ],
        "{}",
        stdout(&o)
    );
}

/// Item 15: a YAML syntax error in a consumer contract points at the offending column, not at line 1, column 1.
#[test]
fn regression_11_15_yaml_contract_error_points_at_its_column() {
    let tmp = common::git_repo();
    let d = tmp.path();
    write(
        d,
        "schemas/order.avsc",
        r#"{"type": "record", "name": "Order", "namespace": "acme", "fields": [{"name": "total", "type": "long"}]}
"#,
    );
    write(
        d,
        "contracts/billing/acme.Order.yaml",
        "reads:\n  - {path: total, type: long}\n  - path: id: x\n",
    );
    common::commit_all(d, "v1");
    let o = run_in(d, &["test", "--against", "HEAD", "--format", "json"]);
    let v = json(&o);
    let f = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "CONTRACT_INVALID")
        .cloned()
        .unwrap_or_else(|| panic!("no CONTRACT_INVALID: {}", stdout(&o)));
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("invalid YAML: mapping values are not allowed"),
        "{f}"
    );
    // `  - path: id: x`: the second `:` (column 13) is the error.
    assert_eq!(f["location"]["line"], 3, "{f}");
    assert_eq!(f["location"]["column"], 13, "{f}");
}

/// `compat` of directories that hold no schema (empty, mistyped, or JSON files no format claims below a directory)
/// is a usage error (exit 2) saying why, not "0 subjects checked" and exit 0: a wrong path in CI passed green.
/// Found in a new user's trial.
#[test]
fn compat_of_directories_without_schemas_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::create_dir_all(d.join("e1")).expect("mkdir");
    std::fs::create_dir_all(d.join("e2")).expect("mkdir");
    write(
        d,
        "d1/x.json",
        r#"{"type": "object", "properties": {"a": {"type": "string"}}}"#,
    );
    write(
        d,
        "d2/x.json",
        r#"{"type": "object", "properties": {"a": {"type": "integer"}}}"#,
    );
    for (old, new) in [("e1", "e2"), ("d1", "d2")] {
        let o = run_in(d, &["compat", old, new]);
        assert_eq!(o.status.code(), Some(2), "{old} {new}: {}", stdout(&o));
        assert!(
            stderr(&o).contains(&format!(
                "no schema found in `{old}` (OLD) or `{new}` (NEW)"
            )) && stderr(&o).contains("*.schema.json"),
            "{}",
            stderr(&o)
        );
    }
    // Named directly, the same files are compared.
    let o = run_in(d, &["compat", "d1/x.json", "d2/x.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// One side that holds no schema is a usage error naming that argument: `compat good.avsc e` (an empty
/// directory) reported the subject deleted (exit 1), `compat e good.avsc` passed with "0 subjects checked" (exit
/// 0), and an empty directory named `dir.avsc` did the same. A subject missing from a directory that holds other
/// schemas is still a deletion. Found by an adversarial tester.
#[test]
fn compat_with_one_side_without_schemas_names_that_side() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let a = r#"{"type": "record", "name": "A", "fields": []}"#;
    let b = r#"{"type": "record", "name": "B", "fields": []}"#;
    write(d, "good.avsc", a);
    write(d, "old/a.avsc", a);
    write(d, "old/b.avsc", b);
    write(d, "new/a.avsc", a);
    write(d, "notes/README.md", "no schema here\n");
    std::fs::create_dir_all(d.join("e")).expect("mkdir");
    std::fs::create_dir_all(d.join("dir.avsc")).expect("mkdir");
    for (args, named) in [
        (["good.avsc", "e"], "`e` (NEW)"),
        (["e", "good.avsc"], "`e` (OLD)"),
        (["good.avsc", "dir.avsc"], "`dir.avsc` (NEW)"),
        (["old", "notes"], "`notes` (NEW)"),
    ] {
        let o = run_in(d, &["compat", args[0], args[1]]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("no schema found in {named}:")),
            "{args:?}: {err}"
        );
    }
    // Transitive: the empty OLD among several is the one named.
    let o = run_in(
        d,
        &["compat", "--mode", "BACKWARD_TRANSITIVE", "e", "old", "new"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no schema found in `e` (OLD):"),
        "{}",
        stderr(&o)
    );
    // A subject missing from a directory that holds other schemas is deleted.
    let o = run_in(d, &["compat", "old", "new", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(rules_of(&json(&o)), ["SUBJECT_DELETED"]);
}

/// Item 8: `--except` of a buf breaking category without `--breaking` does nothing; like other flags without
/// effect it says so on stderr (it was silent; found in a new user's trial). With `--breaking` it is quiet.
#[test]
fn except_of_a_buf_category_without_breaking_warns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "old/x.proto",
        "syntax = \"proto3\";\nmessage X { int32 a = 1; }\n",
    );
    write(
        d,
        "new/x.proto",
        "syntax = \"proto3\";\nmessage X { string a = 1; }\n",
    );
    let o = run_in(d, &["compat", "--except", "WIRE", "old", "new"]);
    assert!(
        stderr(&o).contains("warning: --except WIRE has no effect"),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "WIRE",
            "--breaking",
            "FILE",
            "old",
            "new",
        ],
    );
    assert!(!stderr(&o).contains("no effect"), "{}", stderr(&o));
    // buf's own rule ids only run with --breaking too.
    let o = run_in(d, &["compat", "--except", "FIELD_SAME_TYPE", "old", "new"]);
    assert!(
        stderr(&o).contains("warning: --except FIELD_SAME_TYPE has no effect"),
        "{}",
        stderr(&o)
    );
    // Confluent's rule ids do act without it: no warning.
    let o = run_in(
        d,
        &[
            "compat",
            "--except",
            "FIELD_SCALAR_KIND_CHANGED",
            "old",
            "new",
        ],
    );
    assert!(!stderr(&o).contains("no effect"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

/// `COMBINED_TYPE_SUBSCHEMAS_CHANGED` names the subschema that found no compatible partner, on the side the
/// direction reads it (it only listed what was removed and added; found in a new user's trial).
#[test]
fn combined_subschemas_changed_names_the_unmatched_subschema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jsonschema/combined_type_subschemas_changed");
    let v = json(&run_in(
        &dir,
        &[
            "compat", "--mode", "FULL", "--format", "json", "old.json", "new.json",
        ],
    ));
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "COMBINED_TYPE_SUBSCHEMAS_CHANGED")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(msgs.len(), 2, "{v}");
    assert!(
        msgs.iter().any(|m| m.ends_with(
            "no subschema of the new `oneOf` is compatible with `{\"type\": \"string\"}` of the old `oneOf`"
        )),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.ends_with(
            "no subschema of the old `oneOf` is compatible with `{\"type\": \"boolean\"}` of the new `oneOf`"
        )),
        "{msgs:?}"
    );
}
