//! A `.proto` file added by the change is compiled although no earlier version is compared with it: what protoc
//! refuses (an undefined type, a reused field number) is a located PARSE_ERROR and exit 2 in `check` (git and
//! `--staged`, the pre-commit hook), `compat` of directories and `lint`, as buf builds every file it is given.
//! Found in a new user's trial: such a file passed with exit 0 while the same error in a modified file was caught.

mod common;

use common::{commit_all, git, git_repo, schemaguard, stdout_json, write};

const REFUND: &str =
    "syntax = \"proto3\";\npackage acme.v1;\n// A refund.\nmessage Refund {\n  string id = 1;\n}\n";
const UNDEFINED: &str =
    "syntax = \"proto3\";\npackage acme.v1;\n// A chargeback.\nmessage Chargeback {\n  Nope reason = 1;\n}\n";

fn parse_errors(v: &serde_json::Value) -> Vec<(String, u64, u64)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "PARSE_ERROR")
                .map(|f| {
                    (
                        f["location"]["file"].as_str().unwrap_or("").to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                        f["location"]["column"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_new_file_that_does_not_compile_fails_check_and_the_hook() {
    let dir = git_repo();
    write(dir.path(), "proto/acme/v1/refund.proto", REFUND);
    commit_all(dir.path(), "v1");
    write(dir.path(), "proto/acme/v1/chargeback.proto", UNDEFINED);
    let want = vec![("proto/acme/v1/chargeback.proto".to_string(), 5, 3)];
    let o = schemaguard(
        dir.path(),
        &["check", "--against", "HEAD", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(parse_errors(&stdout_json(&o)), want);
    git(dir.path(), &["add", "-A"]);
    let o = schemaguard(dir.path(), &["check", "--staged", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(parse_errors(&stdout_json(&o)), want);
    // With buf's categories too.
    let o = schemaguard(
        dir.path(),
        &[
            "check",
            "--against",
            "HEAD",
            "--breaking",
            "FILE",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(parse_errors(&stdout_json(&o)), want);
}

#[test]
fn compat_of_directories_and_lint_compile_new_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "old/acme/v1/refund.proto", REFUND);
    write(dir.path(), "new/acme/v1/refund.proto", REFUND);
    write(dir.path(), "new/acme/v1/chargeback.proto", UNDEFINED);
    let o = schemaguard(dir.path(), &["compat", "--format", "json", "old", "new"]);
    assert_eq!(o.status.code(), Some(2));
    let errs = parse_errors(&stdout_json(&o));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].0.ends_with("new/acme/v1/chargeback.proto"),
        "{errs:?}"
    );
    assert_eq!((errs[0].1, errs[0].2), (5, 3));
    // lint of the file alone and of its directory.
    for target in ["new/acme/v1/chargeback.proto", "new"] {
        let o = schemaguard(dir.path(), &["lint", "--format", "json", target]);
        assert_eq!(o.status.code(), Some(2), "lint {target}");
        let errs = parse_errors(&stdout_json(&o));
        assert_eq!(errs.len(), 1, "lint {target}: {errs:?}");
        assert_eq!((errs[0].1, errs[0].2), (5, 3), "lint {target}");
    }
    // A good file lints clean of PARSE_ERROR.
    let o = schemaguard(
        dir.path(),
        &["lint", "--format", "json", "new/acme/v1/refund.proto"],
    );
    assert!(parse_errors(&stdout_json(&o)).is_empty());
}

#[test]
fn the_first_commit_is_compiled_and_a_shared_error_is_said_once() {
    // No commit yet: `check --staged` has nothing to compare with, and still compiles what is staged.
    let dir = git_repo();
    write(dir.path(), "proto/acme/v1/chargeback.proto", UNDEFINED);
    git(dir.path(), &["add", "-A"]);
    let o = schemaguard(dir.path(), &["check", "--staged", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        parse_errors(&stdout_json(&o)),
        vec![("proto/acme/v1/chargeback.proto".to_string(), 5, 3)]
    );
    // A new file importing a changed file that no longer compiles: the changed file's error, once.
    let dir = tempfile::tempdir().expect("tempdir");
    const MONEY: &str =
        "syntax = \"proto3\";\npackage acme.v1;\nmessage Money {\n  int64 units = 1;\n}\n";
    write(dir.path(), "old/acme/v1/money.proto", MONEY);
    write(
        dir.path(),
        "new/acme/v1/money.proto",
        &MONEY.replace("int64 units = 1;", "int64 units = 1;\n  Curr cur = 2;"),
    );
    write(
        dir.path(),
        "new/acme/v1/order.proto",
        "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/money.proto\";\nmessage Order {\n  Money total = 1;\n}\n",
    );
    let o = schemaguard(dir.path(), &["compat", "--format", "json", "old", "new"]);
    assert_eq!(o.status.code(), Some(2));
    let errs = parse_errors(&stdout_json(&o));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].0.ends_with("new/acme/v1/money.proto"), "{errs:?}");
}
