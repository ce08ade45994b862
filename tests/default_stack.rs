//! Inputs as deep as 20,000 levels compared on a thread with Rust's default 2 MiB stack (pool threads, tests and
//! embedders run the library on such threads; the comparators used to need 256 / 512 MiB threads of their own).
//! Each ends in a verdict or a located limit finding, never a stack overflow (SIGABRT).

mod common;

use std::sync::Arc;

use common::shapes::{self, Case};
use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;
use schemaguard::source::SourceFile;

/// Rule id, message (cut), new file path and line of a finding.
type Found = (String, String, Option<(String, usize)>);

/// (rule id, message, new file path and line) of each finding of `compat OLD NEW`, run on a 2 MiB thread.
fn compat_on_default_stack(case: Case) -> Vec<Found> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let file = |t: &str| vec![SourceFile::new(case.name, None, t.to_string())];
            let files: (Vec<Arc<SourceFile>>, Vec<Arc<SourceFile>>) =
                (file(&case.old), file(&case.new));
            let report = schemaguard::compat_files(
                files.0,
                files.1,
                Mode::Backward,
                &CheckOptions::default(),
            );
            report
                .findings
                .iter()
                .map(|f| {
                    let at = f.new.as_ref().map(|l| {
                        let line = l.file.text[..l.span.start].matches('\n').count() + 1;
                        (l.file.path.clone(), line)
                    });
                    let message: String = f.message.chars().take(160).collect();
                    (f.rule.id.to_string(), message, at)
                })
                .collect()
        })
        .expect("thread starts")
        .join()
        .expect("no panic, no stack overflow")
}

fn ids(found: &[Found]) -> Vec<&str> {
    found.iter().map(|f| f.0.as_str()).collect()
}

/// A chain of 19,000 `$ref`s with the leaf's type changed: walked to the end on a 2 MiB stack, the change found.
#[test]
fn jsonschema_ref_chain_of_19000_is_walked_to_the_end() {
    let found = compat_on_default_stack(shapes::json_ref_chain(19_000));
    assert_eq!(
        ids(&found),
        ["TYPE_CHANGED"],
        "{:?}",
        &found[..found.len().min(3)]
    );
}

/// 21,000 `$ref`s: past the walk's 20,000 levels, a located CHECK_LIMIT_EXCEEDED.
#[test]
fn jsonschema_ref_chain_of_21000_is_a_located_limit_finding() {
    let found = compat_on_default_stack(shapes::json_ref_chain(21_000));
    assert_eq!(
        ids(&found),
        ["CHECK_LIMIT_EXCEEDED"],
        "{:?}",
        &found[..found.len().min(3)]
    );
    let at = found[0].2.as_ref().expect("located");
    assert!(at.1 > 1, "{:?}", &found[..found.len().min(3)]);
}

/// A schema nested 20,000 levels in the document (`properties` in `properties`): refused by the reader's depth
/// limit with a located PARSE_ERROR.
#[test]
fn jsonschema_nested_20000_deep_is_a_parse_error() {
    let nest = |ty: &str| {
        let mut s = String::new();
        for _ in 0..20_000 {
            s.push_str(r#"{"type":"object","properties":{"a":"#);
        }
        s.push_str(&format!(r#"{{"type":"{ty}"}}"#));
        s.push_str(&"}}".repeat(20_000));
        s
    };
    let case = Case {
        name: "x.json",
        old: nest("string"),
        new: nest("integer"),
    };
    let found = compat_on_default_stack(case);
    assert!(!found.is_empty(), "{:?}", &found[..found.len().min(3)]);
    assert!(
        found.iter().all(|f| f.0 == "PARSE_ERROR" && f.2.is_some()),
        "{:?}",
        &found[..found.len().min(3)]
    );
}

/// The deepest document the reader accepts (250 levels) is compared on a 2 MiB stack: the change is found.
#[test]
fn jsonschema_nested_250_deep_is_compared() {
    let nest = |ty: &str| {
        let mut s = String::new();
        for _ in 0..125 {
            s.push_str(r#"{"type":"object","properties":{"a":"#);
        }
        s.push_str(&format!(r#"{{"type":"{ty}"}}"#));
        s.push_str(&"}}".repeat(125));
        s
    };
    let case = Case {
        name: "x.json",
        old: nest("string"),
        new: nest("integer"),
    };
    let found = compat_on_default_stack(case);
    assert_eq!(
        ids(&found),
        ["TYPE_CHANGED"],
        "{:?}",
        &found[..found.len().min(3)]
    );
}

/// A walk of 6,000 named Avro types (record, union and branch: 18,000 levels): checked in full on a 2 MiB
/// stack, compatible.
#[test]
fn avro_walk_of_18000_levels_is_checked() {
    let found = compat_on_default_stack(shapes::avro_deep_walk(6_000));
    assert!(found.is_empty(), "{:?}", &found[..found.len().min(3)]);
}

/// 12,000 named types (36,000 levels): a located CHECK_LIMIT_EXCEEDED in the new file.
#[test]
fn avro_walk_past_20000_levels_is_a_located_limit_finding() {
    let found = compat_on_default_stack(shapes::avro_deep_walk(12_000));
    assert_eq!(
        ids(&found),
        ["CHECK_LIMIT_EXCEEDED"],
        "{:?}",
        &found[..found.len().min(3)]
    );
    let at = found[0].2.as_ref().expect("located");
    assert_eq!(at.0, "x.avsc");
    assert!(at.1 >= 2, "{:?}", &found[..found.len().min(3)]);
}

/// An Avro record nested 20,000 levels inline: refused by the reader's depth limit, located.
#[test]
fn avro_record_nested_20000_deep_is_a_parse_error() {
    let nest = |leaf: &str| {
        let mut s = String::new();
        for i in 0..20_000 {
            s.push_str(&format!(
                r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":"#
            ));
        }
        s.push_str(&format!("\"{leaf}\""));
        s.push_str(&"}]}".repeat(20_000));
        s
    };
    let case = Case {
        name: "x.avsc",
        old: nest("int"),
        new: nest("string"),
    };
    let found = compat_on_default_stack(case);
    assert!(!found.is_empty(), "{:?}", &found[..found.len().min(3)]);
    assert!(
        found.iter().all(|f| f.0 == "PARSE_ERROR" && f.2.is_some()),
        "{:?}",
        &found[..found.len().min(3)]
    );
}

/// A chain of 20,000 messages with the leaf's field type changed, on a 2 MiB stack: one finding per message.
#[test]
fn protobuf_chain_of_20000_with_the_leaf_changed() {
    let found = compat_on_default_stack(shapes::proto_chain(20_000, true));
    assert!(!found.is_empty(), "{:?}", &found[..found.len().min(3)]);
    assert!(found.len() >= 20_000, "{}", found.len());
}

/// Messages nested 20,000 levels in one file: refused by the parser's depth limit, located.
#[test]
fn protobuf_messages_nested_20000_deep_are_a_parse_error() {
    let nest = |leaf: &str| {
        let mut s = String::from("syntax = \"proto3\";\npackage p;\n");
        for i in 0..20_000 {
            s.push_str(&format!("message M{i} {{\n"));
        }
        s.push_str(&format!("{leaf} v = 1;\n"));
        s.push_str(&"}\n".repeat(20_000));
        s
    };
    let case = Case {
        name: "x.proto",
        old: nest("int32"),
        new: nest("string"),
    };
    let found = compat_on_default_stack(case);
    assert!(!found.is_empty(), "{:?}", &found[..found.len().min(3)]);
    assert!(
        found.iter().all(|f| f.0 == "PARSE_ERROR" && f.2.is_some()),
        "{:?}",
        &found[..found.len().min(3)]
    );
}
