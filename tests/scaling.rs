//! Hostile shapes that used to crash, hang or take gigabytes although the files are small (issue 14), checked at
//! sizes a debug build runs in a moment: each asserts the verdict and the findings. How time and memory grow with
//! size is measured by `benches/scaling.rs`, not here.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::shapes::{self, Case};

fn compat(case: &Case, extra: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = shapes::write(case, dir.path());
    let out = run(dir.path(), &old, &new, extra);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, json)
}

fn run(dir: &Path, old: &str, new: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(["compat", old, new, "--format", "json"])
        .args(extra)
        .output()
        .expect("schemaguard runs")
}

/// Rule ids of the findings, with their counts.
fn rules(json: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for f in json["findings"].as_array().into_iter().flatten() {
        *m.entry(f["rule"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    m
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A chain of 3,000 messages differing only in a comment overflowed the stack (SIGABRT) from ~1,340 on: the walk
/// recursed natively through every referenced message.
#[test]
fn protobuf_long_chain_without_change() {
    let (out, json) = compat(&shapes::proto_chain(3_000, false), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
}

/// The same chain with the last field's type changed: one finding per message of the chain (each field refers
/// to a message that changed incompatibly) plus the change itself; used to hang in the inline-ignore filter.
#[test]
fn protobuf_chain_with_a_change_at_the_end() {
    let n = 1_000;
    let (out, json) = compat(&shapes::proto_chain(n, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("FIELD_SCALAR_KIND_CHANGED"), Some(&1), "{r:?}");
    assert_eq!(r.get("FIELD_NAMED_TYPE_CHANGED"), Some(&n), "{r:?}");
    assert_eq!(r.len(), 2, "{r:?}");
}

/// 40 levels of `Ci { Ci+1 a; Ci+1 b; }`: 2^40 paths to the changed leaf. Each message pair is compared once;
/// this used to clone findings at every level (16 levels: 417 MB, 20: aborted past 3.5 GB).
#[test]
fn protobuf_diamond_of_40_levels() {
    let n = 40;
    let (out, json) = compat(&shapes::proto_diamond(n, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("FIELD_SCALAR_KIND_CHANGED"), Some(&1), "{r:?}");
    assert_eq!(r.get("FIELD_NAMED_TYPE_CHANGED"), Some(&(2 * n)), "{r:?}");
    let (out, json) = compat(&shapes::proto_diamond(n, false), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
}

/// Nested declarations: checked when within the compiler's limits, a located parse error beyond (our own bound is 100 levels), a located parse error beyond.
#[test]
fn protobuf_deeply_nested_declarations() {
    let (out, json) = compat(&shapes::proto_nested(30, true), &[]);
    assert_exit(&out, 1);
    assert_eq!(rules(&json).get("FIELD_SCALAR_KIND_CHANGED"), Some(&1));
    let (out, json) = compat(&shapes::proto_nested(5_000, true), &[]);
    assert_exit(&out, 2);
    assert_eq!(rules(&json).get("PARSE_ERROR"), Some(&2), "{json}");
}

/// buf's rules on a message of 3,000 fields (new fields are looked up by number and reserved names in sets, not
/// by a search per old field): every deleted field, every deletion whose name is not reserved, every type change.
#[test]
fn protobuf_breaking_on_a_wide_message() {
    let (out, json) = compat(
        &shapes::proto_wide_message(3_000),
        &[
            "--breaking",
            "FIELD_NO_DELETE,FIELD_NO_DELETE_UNLESS_NAME_RESERVED,FIELD_SAME_TYPE",
        ],
    );
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("FIELD_NO_DELETE"), Some(&1_500), "{r:?}");
    assert_eq!(
        r.get("FIELD_NO_DELETE_UNLESS_NAME_RESERVED"),
        Some(&750),
        "{r:?}"
    );
    assert_eq!(r.get("FIELD_SAME_TYPE"), Some(&500), "{r:?}");
    assert_eq!(r.len(), 3, "{r:?}");
}

/// A file with 5,000 semantic errors (every field reuses number 1): locating the reported error made
/// prost-reflect locate every error with scans of the file (14.5 s in a debug build, now 0.3 s; 20,000 fields
/// took 26 s in a release build). Only the first is reported, located at the second use of the number.
#[test]
fn protobuf_file_with_thousands_of_errors() {
    let (out, json) = compat(&shapes::proto_many_errors(5_000), &[]);
    assert_exit(&out, 2);
    let r = rules(&json);
    assert_eq!(r.get("PARSE_ERROR"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
    let f = &json["findings"][0];
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("field number '1' is already used"), "{msg}");
    assert_eq!(f["location"]["file"], "new/x.proto", "{f}");
    assert_eq!(f["location"]["line"], 5, "{f}");
    assert_eq!(f["location"]["column"], 15, "{f}");
}

/// A top-level union of 5,000 chained records, old = new: ~cubic before (1,200 records took 19.7 s / 2.49 GB),
/// now each branch is matched by name and each record pair compared once.
#[test]
fn avro_union_chain_without_change() {
    let (out, json) = compat(&shapes::avro_union_chain(5_000, false), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
}

/// With the first record's field changed, no branch of the new union reads its old counterpart (each refers,
/// down the chain, to the changed record): one missing branch per record, as Avro reports.
#[test]
fn avro_union_chain_with_a_change() {
    let n = 1_000;
    let (out, json) = compat(&shapes::avro_union_chain(n, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("MISSING_UNION_BRANCH"), Some(&(n + 1)), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
}

/// A union forming a diamond of 60 levels (2^60 paths): depth 26 took 9.9 s / 4.0 GB, results being copied
/// along every path.
#[test]
fn avro_union_diamond_of_60_levels() {
    let n = 60;
    let (out, json) = compat(&shapes::avro_union_diamond(n, false), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
    let (out, json) = compat(&shapes::avro_union_diamond(n, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("MISSING_UNION_BRANCH"), Some(&(n + 1)), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
}

/// A walk of 200 named types (400 levels, past the native-stack part of the walk): checked in full, compatible.
#[test]
fn avro_deep_walk_under_the_limit_is_checked() {
    let (out, json) = compat(&shapes::avro_deep_walk(200), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
}

/// Past 20,000 levels (12,000 types, three levels each) the walk stops: a located CHECK_LIMIT_EXCEEDED at the
/// type where it stopped, never a silent pass (it used to be cut off and counted compatible).
#[test]
fn avro_walk_past_the_depth_limit_is_a_located_finding() {
    let (out, json) = compat(&shapes::avro_deep_walk(12_000), &[]);
    assert_exit(&out, 2);
    let r = rules(&json);
    assert_eq!(r.get("CHECK_LIMIT_EXCEEDED"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
    let f = &json["findings"][0];
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("20000 levels"), "{msg}");
    // Located in the new file at a type of the chain (line 2 onwards holds T0 … Tn, one per line).
    assert_eq!(f["location"]["file"], "new/x.avsc", "{f}");
    assert!(
        f["location"]["line"].as_u64().is_some_and(|l| l >= 2),
        "{f}"
    );
}

/// A `oneOf` of 1,600 branches, old = new: 139 KB took 12–16 s / 2.2 GB (pairwise matching). Unchanged
/// branches are matched one to one: nothing to report.
#[test]
fn jsonschema_one_of_1600_unchanged() {
    let (out, json) = compat(&shapes::json_one_of(1_600, false), &[]);
    assert_exit(&out, 0);
    assert!(rules(&json).is_empty(), "{json}");
}

/// The same with one branch changed (2.56 M pairs, past the limit when every pair was compared): the 1,599
/// unchanged branches match one to one and the changed one is compared with each new branch; it has no
/// compatible partner, so Confluent's verdict, at the keyword.
#[test]
fn jsonschema_one_of_1600_one_changed_is_matched() {
    let (out, json) = compat(&shapes::json_one_of(1_600, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("COMBINED_TYPE_SUBSCHEMAS_CHANGED"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
    let f = &json["findings"][0];
    assert_eq!(f["location"]["pointer"], "/oneOf", "{f}");
    assert_eq!(f["location"]["line"], 1, "{f}");
}

/// Every branch changed: the matching would compare 400 × 400 pairs, past the limit of 100,000: a located
/// CHECK_LIMIT_EXCEEDED at the keyword, never a silent pass.
#[test]
fn jsonschema_one_of_all_changed_is_a_located_limit_finding() {
    let (out, json) = compat(&shapes::json_one_of_all_changed(400), &[]);
    assert_exit(&out, 2);
    let r = rules(&json);
    assert_eq!(r.get("CHECK_LIMIT_EXCEEDED"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
    let f = &json["findings"][0];
    assert_eq!(f["location"]["pointer"], "/oneOf", "{f}");
}

/// Every branch changed but each still compatible with its counterpart (a `maxLength` removed, which widens):
/// each is matched with the branch at the same place first, so 1,600 branches cost 1,600 pair comparisons and
/// only the compatible differences remain.
#[test]
fn jsonschema_one_of_all_widened_in_place() {
    let (out, json) = compat(&shapes::json_one_of_widened(1_600), &["--show-compatible"]);
    assert_exit(&out, 0);
    let r = rules(&json);
    assert_eq!(r.get("MAX_LENGTH_REMOVED"), Some(&1_600), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
}

/// A chain of 300 `$ref`s with the last type changed: followed to the end, the change is found.
#[test]
fn jsonschema_ref_chain_is_followed() {
    let (out, json) = compat(&shapes::json_ref_chain(300), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert_eq!(r.get("TYPE_CHANGED"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
}

/// A chain of 21,000 `$ref`s (past the walk's 20,000 levels) with the last type changed: it used to be cut off
/// and counted compatible (exit 0, nothing reported); now a located CHECK_LIMIT_EXCEEDED where the walk stopped.
#[test]
fn jsonschema_ref_chain_past_the_depth_limit_is_a_located_finding() {
    let (out, json) = compat(&shapes::json_ref_chain(21_000), &[]);
    assert_exit(&out, 2);
    let r = rules(&json);
    assert_eq!(r.get("CHECK_LIMIT_EXCEEDED"), Some(&1), "{r:?}");
    assert_eq!(r.len(), 1, "{r:?}");
    let f = &json["findings"][0];
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("20000 levels deep"), "{msg}");
    assert_eq!(f["location"]["file"], "new/x.json", "{f}");
    assert!(f["location"]["line"].as_u64().is_some_and(|l| l > 1), "{f}");
}

/// Under the limit the branches are matched as Confluent does: the changed branch has no compatible partner.
#[test]
fn jsonschema_one_of_under_the_limit_is_matched_pairwise() {
    let (out, json) = compat(&shapes::json_one_of(60, true), &[]);
    assert_exit(&out, 1);
    let r = rules(&json);
    assert!(!r.contains_key("CHECK_LIMIT_EXCEEDED"), "{r:?}");
    assert_eq!(r.get("COMBINED_TYPE_SUBSCHEMAS_CHANGED"), Some(&1), "{r:?}");
}
