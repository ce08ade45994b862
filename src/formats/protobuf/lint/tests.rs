use super::*;

fn lint_texts(files: &[(&str, &str)], opts: &LintOptions) -> Vec<(String, String, usize)> {
    let files: Vec<Arc<SourceFile>> = files
        .iter()
        .map(|(p, t)| SourceFile::new(*p, None, *t))
        .collect();
    let mut out: Vec<(String, String, usize)> = crate::formats::protobuf::lint(&files, &[], opts)
        .into_iter()
        .map(|f| {
            let line = f
                .new
                .as_ref()
                .map(|l| l.file.text[..l.span.start].matches('\n').count() + 1)
                .unwrap_or(0);
            (f.rule.id.to_string(), f.subject.clone(), line)
        })
        .collect();
    out.sort();
    out
}

const BAD: &str = "syntax = \"proto3\";\n\npackage foo;\n\nimport \"google/protobuf/timestamp.proto\";\n\nmessage order_item {\n  string ItemId = 1;\n}\n\nenum Color {\n  RED = 0;\n  // buf:lint:ignore ENUM_VALUE_PREFIX\n  GREEN = 1;\n}\n\nservice Orders {\n  rpc Get(order_item) returns (order_item);\n}\n";

#[test]
fn buf_reference_sample() {
    // buf.md §7: `buf lint` on foo/bad_file.proto with STANDARD reports these 10 findings.
    let got = lint_texts(&[("foo/bad_file.proto", BAD)], &LintOptions::default());
    let want: Vec<(String, String, usize)> = [
        ("ENUM_VALUE_PREFIX", 12),
        ("ENUM_ZERO_VALUE_SUFFIX", 12),
        ("FIELD_LOWER_SNAKE_CASE", 8),
        ("IMPORT_USED", 5),
        ("MESSAGE_PASCAL_CASE", 7),
        ("PACKAGE_VERSION_SUFFIX", 3),
        ("RPC_REQUEST_RESPONSE_UNIQUE", 18),
        ("RPC_REQUEST_STANDARD_NAME", 18),
        ("RPC_RESPONSE_STANDARD_NAME", 18),
        ("SERVICE_SUFFIX", 17),
    ]
    .iter()
    .map(|(r, l)| (r.to_string(), "foo/bad_file.proto".to_string(), *l))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn selection_is_union_minus_except() {
    let ids = |u: &[&str], e: &[&str]| -> Vec<&'static str> {
        let u: Vec<String> = u.iter().map(|s| s.to_string()).collect();
        let e: Vec<String> = e.iter().map(|s| s.to_string()).collect();
        select(&u, &e)
            .expect("known")
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(&["MINIMAL"], &[]).len(), 5);
    assert_eq!(ids(&["BASIC"], &[]).len(), 26);
    assert_eq!(ids(&["STANDARD"], &[]).len(), 34);
    assert_eq!(ids(&["COMMENTS", "UNARY_RPC"], &[]).len(), 9);
    assert_eq!(ids(&["MINIMAL"], &["PACKAGE_DEFINED"]).len(), 4);
    assert!(select(&["NOPE".into()], &[]).is_err());
}

#[test]
fn ignores_by_comment_path_and_rule() {
    let text = "syntax = \"proto3\";\npackage acme.v1;\n// buf:lint:ignore FIELD_LOWER_SNAKE_CASE legacy\nmessage A {\n  string Bad = 1;\n}\nmessage B {\n  string Bad = 1;\n}\n";
    let mut opts = LintOptions {
        rules: select(&["FIELD_LOWER_SNAKE_CASE".into()], &[]).expect("known"),
        ..LintOptions::default()
    };
    let got = lint_texts(&[("acme/v1/a.proto", text)], &opts);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].2, 8);
    opts.comment_ignores = false;
    assert_eq!(lint_texts(&[("acme/v1/a.proto", text)], &opts).len(), 2);
    opts.ignore_only = vec![("BASIC".into(), vec!["acme/v1".into()])];
    assert!(lint_texts(&[("acme/v1/a.proto", text)], &opts).is_empty());
}

#[test]
fn import_used_through_options_and_public_imports() {
    let ann = "syntax = \"proto3\";\npackage g.api;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.MethodOptions { string http = 72295728; }\n";
    let pubf = "syntax = \"proto3\";\npackage acme.v1;\nimport public \"acme/v1/money.proto\";\n";
    let money = "syntax = \"proto3\";\npackage acme.v1;\nmessage Money { int64 units = 1; }\n";
    let user = "syntax = \"proto3\";\npackage acme.v1;\nimport \"g/api/ann.proto\";\nimport \"acme/v1/reexport.proto\";\nimport \"google/protobuf/empty.proto\";\nmessage GetRequest { Money m = 1; }\nmessage GetResponse {}\nservice S { rpc Get(GetRequest) returns (GetResponse) { option (g.api.http) = \"x\"; } }\n";
    let opts = LintOptions {
        rules: select(&["IMPORT_USED".into()], &[]).expect("known"),
        ..LintOptions::default()
    };
    let got = lint_texts(
        &[
            ("g/api/ann.proto", ann),
            ("acme/v1/reexport.proto", pubf),
            ("acme/v1/money.proto", money),
            ("acme/v1/user.proto", user),
        ],
        &opts,
    );
    assert_eq!(
        got,
        vec![(
            "IMPORT_USED".to_string(),
            "acme/v1/user.proto".to_string(),
            5
        )]
    );
}
