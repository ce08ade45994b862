//! Protobuf bad-input behaviour through `compat_paths`: every broken file becomes a finding with a span, the
//! other files are still checked, and nothing panics or overflows the stack.

use std::path::Path;

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("a file path has a parent")).expect("create dirs");
    std::fs::write(p, bytes).expect("write fixture file");
}

const OK_OLD: &str =
    "syntax = \"proto3\";\npackage a;\nmessage Keep {\n  string id = 1;\n  string gone = 2;\n}\n";
const OK_NEW: &str = "syntax = \"proto3\";\npackage a;\nmessage Keep {\n  string id = 1;\n}\n";

/// Runs FILE-category breaking on old/new trees where `broken` replaces `a/broken.proto` in the new tree.
fn run(broken: &[u8]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    write(&old, "a/keep.proto", OK_OLD.as_bytes());
    write(
        &old,
        "a/broken.proto",
        b"syntax = \"proto3\";\npackage a;\nmessage B {}\n",
    );
    write(&new, "a/keep.proto", OK_NEW.as_bytes());
    write(&new, "a/broken.proto", broken);
    let opts = CheckOptions {
        breaking: vec!["FILE".into()],
        ..CheckOptions::default()
    };
    let report =
        schemaguard::compat_paths(&[old], &new, Mode::Backward, &opts).expect("paths exist");
    report
        .findings
        .iter()
        .map(|f| (f.rule.id.to_string(), f.message.clone()))
        .collect()
}

fn ids(found: &[(String, String)]) -> Vec<&str> {
    let mut v: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    v.sort_unstable();
    v
}

#[test]
fn non_utf8_file_is_a_read_error_and_others_are_checked() {
    let found = run(b"syntax = \"proto3\";\n\xff\xfe message B {}\n");
    // The unreadable file never reaches the engine, so buf's FILE_NO_DELETE sees it as gone (the engine
    // interface does not pass unreadable paths; see the report to the lead).
    assert_eq!(
        ids(&found),
        ["FIELD_NO_DELETE", "FILE_NO_DELETE", "READ_ERROR"],
        "{found:?}"
    );
}

#[test]
fn ten_thousand_deep_nesting_is_a_parse_error() {
    let mut t = String::from("syntax = \"proto3\";\npackage a;\n");
    for i in 0..10_000 {
        t.push_str(&format!("message M{i} {{ "));
    }
    t.push_str(&"}".repeat(10_000));
    let found = run(t.as_bytes());
    assert_eq!(ids(&found), ["FIELD_NO_DELETE", "PARSE_ERROR"], "{found:?}");
}

#[test]
fn deep_option_aggregate_is_a_parse_error() {
    let t = format!(
        "syntax = \"proto3\";\npackage a;\noption (x) = {}{};\n",
        "{ a: ".repeat(5_000),
        "}".repeat(5_000)
    );
    let found = run(t.as_bytes());
    assert_eq!(ids(&found), ["FIELD_NO_DELETE", "PARSE_ERROR"], "{found:?}");
}

fn big_file(megabytes: usize) {
    let mut t = String::from("syntax = \"proto3\";\npackage a;\n");
    let mut i = 0;
    while t.len() < megabytes * 1024 * 1024 {
        t.push_str(&format!("message Big{i} {{\n  string field_one = 1;\n  int64 field_two = 2;\n  repeated string field_three = 3;\n}}\n"));
        i += 1;
    }
    let found = run(t.as_bytes());
    // The big file is new content: its old version had only `B`, which is gone.
    assert_eq!(
        ids(&found),
        ["FIELD_NO_DELETE", "MESSAGE_NO_DELETE"],
        "{found:?}"
    );
}

#[test]
fn two_megabyte_file_loads() {
    big_file(2);
}

/// About 15 s and 2.5 GB in a release build (protox and prost-reflect hold the whole descriptor); slow in debug.
#[test]
#[ignore = "slow in debug builds; run with --ignored --release"]
fn twenty_megabyte_file_loads() {
    big_file(20);
}

#[test]
fn empty_and_garbage_files_do_not_panic() {
    // An empty file is proto2 with no package: buf reports the syntax and package changes and the lost message.
    assert_eq!(
        ids(&run(b"")),
        [
            "FIELD_NO_DELETE",
            "FILE_SAME_PACKAGE",
            "FILE_SAME_SYNTAX",
            "MESSAGE_NO_DELETE"
        ]
    );
    let found = run(b"}}}{{{ message ;;; \"unterminated");
    assert_eq!(ids(&found), ["FIELD_NO_DELETE", "PARSE_ERROR"], "{found:?}");
}

/// A UTF-8 byte order mark before `syntax` was "invalid token" at 1:1; protoc skips it. The file is checked, and
/// findings keep their places: columns on the first line are counted without the mark, as editors show it.
/// Found by an adversarial tester.
#[test]
fn leading_byte_order_mark_is_skipped() {
    let bom = "\u{feff}";
    let located = |old: &str, new: &str| -> Vec<(String, String, usize, usize)> {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "old/x.proto", old.as_bytes());
        write(dir.path(), "new/x.proto", new.as_bytes());
        let report = schemaguard::compat_paths(
            &[dir.path().join("old/x.proto")],
            &dir.path().join("new/x.proto"),
            Mode::Backward,
            &CheckOptions::default(),
        )
        .expect("paths exist");
        report
            .findings
            .iter()
            .map(|f| {
                let at = f
                    .new
                    .as_ref()
                    .map(|l| l.file.line_col(l.span.start))
                    .map_or((0, 0), |lc| (lc.line, lc.column));
                (f.rule.id.to_string(), f.message.clone(), at.0, at.1)
            })
            .collect()
    };
    let old = format!("{bom}syntax = \"proto3\";\npackage p;\nmessage M {{\n  int32 a = 1;\n}}\n");
    let new = format!("{bom}syntax = \"proto3\";\npackage p;\nmessage M {{\n  string a = 1;\n}}\n");
    let found = located(&old, &new);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].2, found[0].3),
        ("FIELD_SCALAR_KIND_CHANGED", 4, 3),
        "{found:?}"
    );
    // Errors on the first line and after it are located as in the file without the mark.
    let found = located(&old, &format!("{bom}syntax = \"proto4\";\npackage p;\n"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("unknown syntax"), "{found:?}");
    assert_eq!((found[0].2, found[0].3), (1, 10), "{found:?}");
    let found = located(
        &old,
        &format!("{bom}syntax = \"proto3\";\npackage p;\nmessage M {{\n  int32 a = 1\n}}\n"),
    );
    assert_eq!((found[0].2, found[0].3), (5, 1), "{found:?}");
    // An `edition` file is recognised behind the mark too.
    let found = located(&old, &format!("{bom}edition = \"2023\";\npackage p;\n"));
    assert!(found[0].1.contains("editions"), "{found:?}");
    assert_eq!((found[0].2, found[0].3), (1, 1), "{found:?}");
}
