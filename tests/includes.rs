//! Issue 11, item 16: references that live outside the repository. The googleapis common protos are built in
//! (a repository's own copy wins), `[protobuf] include` / `[jsonschema] include` / `--include` name read-only
//! reference directories whose files resolve imports and `$ref`s but are never subjects. Each test failed before.

mod common;

use common::{schemaguard as run_in, stdout_json as json};

use common::{commit_all, git, write};

/// (rule, subject, file) of every finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["subject"].as_str().unwrap_or("").to_string(),
                        f["location"]["file"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn rules(v: &serde_json::Value) -> Vec<String> {
    findings(v).into_iter().map(|(r, _, _)| r).collect()
}

fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    tmp
}

const PAY_OLD: &str = "syntax = \"proto3\";\npackage acme;\nimport \"google/api/annotations.proto\";\nimport \"google/type/money.proto\";\nimport \"google/rpc/status.proto\";\nimport \"google/longrunning/operations.proto\";\nmessage Pay {\n  google.type.Money amount = 1;\n  google.rpc.Status status = 2;\n}\nservice Payments {\n  rpc Send(Pay) returns (google.longrunning.Operation) {\n    option (google.api.http) = { post: \"/v1/pay\" body: \"*\" };\n  }\n}\n";

/// The googleapis common protos resolve with no configuration; a change to a field of such a type is compared.
#[test]
fn regression_11_16_googleapis_imports_resolve_with_zero_config() {
    let tmp = repo();
    let d = tmp.path();
    write(d, "proto/acme/pay.proto", PAY_OLD);
    commit_all(d, "one");
    write(
        d,
        "proto/acme/pay.proto",
        &PAY_OLD.replace("google.type.Money amount = 1;", "string amount = 1;"),
    );
    commit_all(d, "two");
    let o = run_in(d, &["check", "--against", "HEAD~1", "--format", "json"]);
    let v = json(&o);
    // Confluent: a message field that becomes a scalar changes its kind.
    assert_eq!(rules(&v), ["FIELD_KIND_CHANGED"], "{v}");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["summary"]["subjects_checked"], 1);

    // Unchanged: clean, and `lint` resolves the same imports (no PARSE_ERROR).
    let o = run_in(d, &["check", "--against", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", json(&o));
    let o = run_in(d, &["lint", "--use", "PACKAGE_DEFINED", "--format", "json"]);
    assert!(!rules(&json(&o)).contains(&"PARSE_ERROR".to_string()));
}

/// A repository's own `google/type/money.proto` wins over the embedded one: a message only it declares is found,
/// and it stays a subject of its own.
#[test]
fn regression_11_16_repository_copy_of_a_googleapis_file_wins() {
    let tmp = repo();
    let d = tmp.path();
    let own = "syntax = \"proto3\";\npackage google.type;\nmessage Money {\n  string currency_code = 1;\n}\nmessage Cents {\n  int64 value = 1;\n}\n";
    write(d, "google/type/money.proto", own);
    let user = "syntax = \"proto3\";\npackage acme;\nimport \"google/type/money.proto\";\nmessage Price {\n  google.type.Cents cents = 1;\n}\n";
    write(d, "acme/price.proto", user);
    commit_all(d, "one");
    // Only the repository's copy changes: the embedded file is not what is compared.
    write(
        d,
        "google/type/money.proto",
        &own.replace("int64 value = 1;", "string value = 1;"),
    );
    commit_all(d, "two");
    let o = run_in(d, &["check", "--against", "HEAD~1", "--format", "json"]);
    let v = json(&o);
    let f = findings(&v);
    assert!(
        f.iter().all(|(r, _, _)| r != "PARSE_ERROR"),
        "google.type.Cents resolves in the repository's copy: {v}"
    );
    // Confluent: int64 → string is a change of scalar kind; the importing subject sees it through its field
    // (the embedded file has no `Cents`: only the repository's copy can have been compared).
    assert_eq!(
        f,
        [
            (
                "FIELD_NAMED_TYPE_CHANGED".to_string(),
                "acme/price.proto".to_string(),
                "acme/price.proto".to_string()
            ),
            (
                "FIELD_SCALAR_KIND_CHANGED".to_string(),
                "acme/price.proto".to_string(),
                "google/type/money.proto".to_string()
            )
        ],
        "{v}"
    );
    assert_eq!(v["summary"]["subjects_checked"], 2, "{v}");
}

/// `--include DIR` outside the repository resolves an import (protoc's `-I`); the included file is no subject.
#[test]
fn regression_11_16_include_flag_for_proto_outside_the_repository() {
    let tmp = repo();
    let d = tmp.path();
    let vendor = tempfile::tempdir().expect("tempdir");
    write(
        vendor.path(),
        "acme/common/v1/ids.proto",
        "syntax = \"proto3\";\npackage acme.common.v1;\nmessage Id {\n  string value = 1;\n}\n",
    );
    let user = "syntax = \"proto3\";\npackage acme.orders.v1;\nimport \"acme/common/v1/ids.proto\";\nmessage Order {\n  acme.common.v1.Id id = 1;\n  int32 qty = 2;\n}\n";
    write(d, "orders.proto", user);
    commit_all(d, "one");
    write(
        d,
        "orders.proto",
        &user.replace("int32 qty = 2;", "string qty = 2;"),
    );
    commit_all(d, "two");
    let inc = vendor.path().to_string_lossy().to_string();
    // Without it, the import is missing.
    let o = run_in(d, &["check", "--against", "HEAD~1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(rules(&json(&o)).contains(&"PARSE_ERROR".to_string()));
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD~1",
            "--include",
            &inc,
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert_eq!(rules(&v), ["FIELD_SCALAR_KIND_CHANGED"], "{v}");
    assert_eq!(v["summary"]["subjects_checked"], 1, "{v}");
    // The same for `compat` on two files and for `lint`.
    let o = run_in(d, &["lint", "--include", &inc, "--format", "json"]);
    let v = json(&o);
    assert!(
        findings(&v)
            .iter()
            .all(|(r, _, file)| r != "PARSE_ERROR" && !file.contains("ids.proto")),
        "{v}"
    );
    // A missing include directory is a usage error.
    let o = run_in(d, &["check", "--include", "nope", "--against", "HEAD~1"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `[protobuf] include` inside the repository: an import root whose files are read at each revision but are
/// never subjects, never linted, never reported by buf's rules.
#[test]
fn regression_11_16_protobuf_include_inside_the_repository_is_not_a_subject() {
    let tmp = repo();
    let d = tmp.path();
    let shared = "syntax = \"proto3\";\npackage vendor.v1;\nmessage Shared {\n  int32 n = 1;\n}\n";
    write(d, "third_party/protos/vendor/v1/shared.proto", shared);
    write(
        d,
        "proto/app.proto",
        "syntax = \"proto3\";\npackage app;\nimport \"vendor/v1/shared.proto\";\nmessage App {\n  vendor.v1.Shared s = 1;\n}\n",
    );
    commit_all(d, "one");
    write(
        d,
        "third_party/protos/vendor/v1/shared.proto",
        &shared.replace("int32 n = 1;", "string n = 1;"),
    );
    commit_all(d, "two");
    // Before: the vendored file is a subject of its own.
    let o = run_in(d, &["check", "--against", "HEAD~1", "--format", "json"]);
    assert_eq!(json(&o)["summary"]["subjects_checked"], 2);
    write(
        d,
        "schemaguard.toml",
        "[protobuf]\ninclude = [\"third_party/protos\"]\n",
    );
    commit_all(d, "config");
    let o = run_in(d, &["check", "--against", "HEAD~2", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["summary"]["subjects_checked"], 1, "{v}");
    // Read at each revision: the change inside the included file is seen through the subject that uses it.
    assert_eq!(
        findings(&v),
        [
            (
                "FIELD_NAMED_TYPE_CHANGED".to_string(),
                "proto/app.proto".to_string(),
                "proto/app.proto".to_string()
            ),
            (
                "FIELD_SCALAR_KIND_CHANGED".to_string(),
                "proto/app.proto".to_string(),
                "third_party/protos/vendor/v1/shared.proto".to_string()
            )
        ],
        "{v}"
    );
    assert!(v["findings"].as_array().is_some_and(|a| a
        .iter()
        .all(|f| !f["subjects"].to_string().contains("shared.proto"))));
    let o = run_in(
        d,
        &[
            "check",
            "--against",
            "HEAD~2",
            "--breaking",
            "FILE",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert!(
        findings(&v)
            .iter()
            .all(|(_, _, file)| !file.contains("third_party")),
        "{v}"
    );
    let o = run_in(d, &["lint", "--format", "json"]);
    let v = json(&o);
    assert!(
        findings(&v)
            .iter()
            .all(|(_, _, file)| !file.contains("third_party")),
        "{v}"
    );
}

const FRAGMENT: &str = "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"$id\": \"/fragment/common/1.0.0\",\n  \"type\": \"object\",\n  \"properties\": {\n    \"dt\": { \"type\": \"string\" }\n  }\n}\n";
const ORDER: &str = "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"$id\": \"/acme/order/1.0.0\",\n  \"type\": \"object\",\n  \"allOf\": [ { \"$ref\": \"/fragment/common/1.0.0#\" } ],\n  \"properties\": {\n    \"id\": { \"type\": \"string\" }\n  }\n}\n";

/// `[jsonschema] include` outside the repository (relative to the configuration file): a root-relative `$ref`
/// resolves by the `$id` of a document there, so no UNRESOLVED_REFERENCE; the document is no subject.
#[test]
fn regression_11_16_jsonschema_include_resolves_root_relative_id_refs() {
    let top = tempfile::tempdir().expect("tempdir");
    let d = top.path().join("secondary");
    std::fs::create_dir_all(&d).expect("mkdir");
    git(&d, &["init", "-q", "-b", "main"]);
    write(
        top.path(),
        "primary/jsonschema/fragment/common/1.0.0.json",
        FRAGMENT,
    );
    write(&d, "jsonschema/acme/order/1.0.0.json", ORDER);
    commit_all(&d, "one");
    // A compatible change, so that the subject is compared.
    write(
        &d,
        "jsonschema/acme/order/1.0.0.json",
        &ORDER.replace(
            "\"id\": { \"type\": \"string\" }",
            "\"id\": { \"type\": \"string\", \"description\": \"d\" }",
        ),
    );
    commit_all(&d, "two");
    let o = run_in(&d, &["check", "--against", "HEAD~1", "--format", "json"]);
    let before = rules(&json(&o));
    assert!(
        !before.is_empty() && before.iter().all(|r| r == "UNRESOLVED_REFERENCE"),
        "before: the fragment is unknown: {before:?}"
    );
    write(
        &d,
        "schemaguard.toml",
        "[jsonschema]\ninclude = [\"../primary/jsonschema\"]\n",
    );
    commit_all(&d, "config");
    // Run from a subdirectory: the path is relative to the configuration file, not to the current directory.
    let o = run_in(
        &d.join("jsonschema"),
        &["check", "--against", "HEAD~2", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(rules(&v), Vec::<String>::new(), "{v}");
    assert_eq!(v["summary"]["subjects_checked"], 1, "{v}");
    assert_eq!(o.status.code(), Some(0));
    // `--include` does the same.
    std::fs::remove_file(d.join("schemaguard.toml")).expect("rm");
    let inc = top.path().join("primary/jsonschema");
    let o = run_in(
        &d,
        &[
            "check",
            "--against",
            "HEAD~2",
            "--include",
            &inc.to_string_lossy(),
            "--format",
            "json",
        ],
    );
    assert_eq!(rules(&json(&o)), Vec::<String>::new());
}

/// An include directory inside the repository is read at each revision: a breaking change inside a shared
/// fragment changes the effective schema of the subject that references it, and is reported for that subject.
#[test]
fn regression_11_16_breaking_change_in_an_included_fragment_is_reported_for_the_referencing_subject(
) {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        "schemaguard.toml",
        "[jsonschema]\ninclude = [\"shared\"]\n",
    );
    write(d, "shared/fragment/common/1.0.0.json", FRAGMENT);
    // The fragment is the schema of a property: its change is located inside the included file.
    let order = ORDER.replace(
        "\"allOf\": [ { \"$ref\": \"/fragment/common/1.0.0#\" } ],\n  \"properties\": {\n",
        "\"properties\": {\n    \"common\": { \"$ref\": \"/fragment/common/1.0.0#\" },\n",
    );
    assert_ne!(order, ORDER);
    write(d, "schemas/order.json", &order);
    commit_all(d, "one");
    write(
        d,
        "shared/fragment/common/1.0.0.json",
        &FRAGMENT.replace("\"type\": \"string\"", "\"type\": \"integer\""),
    );
    commit_all(d, "two");
    let o = run_in(d, &["check", "--against", "HEAD~1", "--format", "json"]);
    let v = json(&o);
    // Confluent: `string` → `integer` for a property is TYPE_CHANGED (incompatible in BACKWARD).
    assert_eq!(
        findings(&v),
        [(
            "TYPE_CHANGED".to_string(),
            "schemas/order.json".to_string(),
            "shared/fragment/common/1.0.0.json".to_string()
        )],
        "{v}"
    );
    assert_eq!(v["summary"]["subjects_checked"], 1, "{v}");
    assert_eq!(o.status.code(), Some(1));
}
