//! `lint PATH…` inside a repository lints and reports only the PATHs, but loads the whole working tree, so a
//! type, import or `$ref` defined in another file resolves — as `check PATH…` does. Found in a new user's trial:
//! `lint schemas/order.avsc` failed with `unknown type com.acme.Money` (exit 2) for a type in `money.avsc`.

mod common;

use common::{commit_all, git_repo, schemaguard, stdout_json, write};

const MONEY: &str = r#"{"type": "record", "name": "Money", "namespace": "com.acme",
 "fields": [{"name": "units", "type": "long"}]}"#;
const ORDER: &str = r#"{"type": "record", "name": "OrderPlaced", "namespace": "com.acme",
 "doc": "An order was placed.",
 "fields": [{"name": "total", "type": "com.acme.Money", "doc": "what the buyer pays"}]}"#;
const PROTO_MONEY: &str =
    "syntax = \"proto3\";\npackage acme.common;\nmessage Money {\n  int64 units = 1;\n}\n";
const PROTO_ORDER: &str = "syntax = \"proto3\";\npackage acme.orders;\nimport \"acme/common/money.proto\";\n// An order was placed.\nmessage OrderPlaced {\n  // What the buyer pays.\n  acme.common.Money total = 1;\n}\n";
const JSON_ADDR: &str = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
 "properties": {"city": {"type": "string"}}}"#;
const JSON_CUSTOMER: &str = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "title": "CustomerRegistered", "description": "A customer registered.", "type": "object",
 "properties": {"address": {"$ref": "address.schema.json", "description": "where they live"}}}"#;

fn files_and_rules(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["location"]["file"].as_str().unwrap_or("").to_string(),
                        f["rule"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn lint_of_one_file_resolves_what_other_files_define_and_reports_only_that_file() {
    let dir = git_repo();
    write(dir.path(), "schemas/money.avsc", MONEY);
    write(dir.path(), "schemas/order.avsc", ORDER);
    write(dir.path(), "proto/acme/common/money.proto", PROTO_MONEY);
    write(dir.path(), "proto/acme/orders/order.proto", PROTO_ORDER);
    write(dir.path(), "json/address.schema.json", JSON_ADDR);
    write(dir.path(), "json/customer.schema.json", JSON_CUSTOMER);
    commit_all(dir.path(), "v1");
    // The whole tree has findings in the files that define the shared types (no docs)...
    let all = files_and_rules(&stdout_json(&schemaguard(
        dir.path(),
        &["lint", "--format", "json"],
    )));
    assert!(
        all.iter().any(|(f, _)| f == "schemas/money.avsc"),
        "{all:?}"
    );
    // ...and each file that uses them lints on its own without PARSE_ERROR and without the others' findings.
    for (path, cwd) in [
        ("schemas/order.avsc", ""),
        ("proto/acme/orders/order.proto", ""),
        ("json/customer.schema.json", ""),
        ("order.avsc", "schemas"),
        ("orders", "proto/acme"),
    ] {
        let o = schemaguard(&dir.path().join(cwd), &["lint", "--format", "json", path]);
        let found = files_and_rules(&stdout_json(&o));
        assert!(
            !found.iter().any(|(_, r)| r == "PARSE_ERROR"),
            "lint {path} in /{cwd}: {found:?}"
        );
        let want = if cwd.is_empty() {
            path.to_string()
        } else {
            format!("{cwd}/{path}")
        };
        assert!(
            found.iter().all(|(f, _)| f.starts_with(&want)),
            "lint {path} in /{cwd} reports other files: {found:?}"
        );
        assert_eq!(o.status.code(), Some(0), "lint {path} in /{cwd}: {found:?}");
    }
    // Two PATHs: both reported, nothing else.
    let o = schemaguard(
        dir.path(),
        &["lint", "--format", "json", "schemas/money.avsc", "json"],
    );
    let found = files_and_rules(&stdout_json(&o));
    assert!(
        found
            .iter()
            .all(|(f, _)| f == "schemas/money.avsc" || f.starts_with("json/")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(f, _)| f == "schemas/money.avsc"),
        "{found:?}"
    );
}

/// Found reviewing the change above: a named directory the repository walk skips (git-ignored, `contracts/`) is
/// still linted; a PATH with nothing to lint is exit 2, not "0 files linted"; a linted file whose import does not
/// compile is reported (the error is in the imported file, outside the PATH); sidecars are not counted as files.
#[test]
fn lint_paths_are_never_silently_empty() {
    let dir = git_repo();
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/order.avsc", ORDER);
    write(dir.path(), "generated/money.avsc", MONEY);
    write(
        dir.path(),
        "contracts/billing/com.acme.OrderPlaced.avsc",
        ORDER.replace("com.acme.Money", "long").as_str(),
    );
    write(dir.path(), "docs/readme.txt", "not a schema\n");
    write(dir.path(), "schemas/money.avsc", MONEY);
    write(
        dir.path(),
        "schemas/money.avsc.contract.yaml",
        "metadata:\n  properties:\n    owner: billing\n",
    );
    write(
        dir.path(),
        "proto/acme/common/money.proto",
        "syntax = \"proto3\";\npackage acme.common;\nmessage Money {\n  Nope units = 1;\n}\n",
    );
    write(dir.path(), "proto/acme/orders/order.proto", PROTO_ORDER);
    commit_all(dir.path(), "v1");
    let o = schemaguard(dir.path(), &["lint", "--format", "json", "generated"]);
    let found = files_and_rules(&stdout_json(&o));
    assert!(
        !found.is_empty() && found.iter().all(|(f, _)| f.starts_with("generated/")),
        "{found:?}"
    );
    let o = schemaguard(dir.path(), &["lint", "contracts"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("(1 file linted)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = schemaguard(dir.path(), &["lint", "docs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no schema found in `docs`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = schemaguard(
        dir.path(),
        &["lint", "--format", "json", "proto/acme/orders/order.proto"],
    );
    assert_eq!(o.status.code(), Some(2));
    let found = files_and_rules(&stdout_json(&o));
    assert!(
        found.contains(&(
            "proto/acme/common/money.proto".to_string(),
            "PARSE_ERROR".to_string()
        )),
        "{found:?}"
    );
    let o = schemaguard(dir.path(), &["lint", "schemas/money.avsc"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("(1 file linted)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
