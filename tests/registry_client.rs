//! `check --against-registry`, `registry pull|plan|apply` against an in-process registry on 127.0.0.1 that speaks
//! Confluent's shapes and codes, the differences of other servers (registries.md), and injected faults.

mod common;
#[path = "support/mock_registry.rs"]
mod mock_registry;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use mock_registry::{Fault, MockRegistry};
use serde_json::json;

const ORDER_V1: &str = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"}]}"#;

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git");
        assert!(ok.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "t@example.com"]);
    git(&["config", "user.name", "t"]);
    for (p, text) in files {
        write(dir.path(), p, text);
    }
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    dir
}

fn write(root: &Path, p: &str, text: &str) {
    let full = root.join(p);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

fn config(url: &str, extra: &str) -> String {
    format!("[registry]\nurl = \"{url}\"\n{extra}")
}

fn sg(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemaguard"));
    c.args(args)
        .current_dir(dir)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("SCHEMA_REGISTRY_BEARER_TOKEN")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run schemaguard")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn order_with(fields: &str) -> String {
    format!(
        r#"{{"type":"record","name":"Order","namespace":"com.acme","fields":[{{"name":"id","type":"string"}}{fields}]}}"#
    )
}

#[test]
fn a_field_without_default_breaks_the_registered_latest_version() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]); // no schemaType: Avro
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{t}");
    assert!(
        t.contains("registry:com.acme.Order@1"),
        "old location is the registered version: {t}"
    );
    // The registered one-line schema is shown pretty-printed: the old location is on a later line.
    assert!(
        t.contains("registry:com.acme.Order@1:schemas/order.avsc:"),
        "{t}"
    );
    // JSON output carries the same label.
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("registry:com.acme.Order@1"));
}

#[test]
fn transitive_levels_check_every_version_and_say_which() {
    let reg = MockRegistry::start();
    // v1 has b:int; v2 dropped it; the local schema brings b back as a string: fine against v2, not against v1.
    reg.add(
        "com.acme.Order",
        &order_with(r#",{"name":"b","type":"int"}"#),
        None,
        vec![],
    );
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let local = order_with(r#",{"name":"b","type":"string","default":"x"}"#);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    write(dir.path(), "schemas/order.avsc", &local);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "BACKWARD looks at the latest only: {}",
        text(&o)
    );
    reg.state
        .lock()
        .expect("lock")
        .levels
        .insert("com.acme.Order".into(), "BACKWARD_TRANSITIVE".into());
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("registry:com.acme.Order@1"), "{t}");
    assert!(
        !t.contains("registry:com.acme.Order@2"),
        "v2 is compatible: {t}"
    );
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    let t = text(&o);
    assert!(
        t.contains("\"BACKWARD_TRANSITIVE\""),
        "the subject's level: {t}"
    );
    // A local mode wins over the registry's level.
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--mode", "BACKWARD"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn an_unregistered_subject_is_new_not_a_finding() {
    for empty_list in [false, true] {
        let reg = MockRegistry::start();
        reg.state.lock().expect("lock").empty_list_for_unknown = empty_list;
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, "")),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        let o = sg(dir.path(), &["check", "--against-registry"], &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = sg(
            dir.path(),
            &["check", "--against-registry", "--show-compatible"],
            &[],
        );
        assert!(text(&o).contains("REGISTRY_SUBJECT_NEW"), "{}", text(&o));
    }
}

/// Trial defect 1: a 404 means "not registered" only with the registry's error code 40401 (or `[]`); a URL with a
/// wrong path, or one that points at another HTTP service, is an error (exit 2) and never a clean check.
#[test]
fn a_url_that_is_not_a_registry_is_an_error_not_an_empty_registry() {
    let incompatible = order_with(r#",{"name":"amount","type":"double"}"#);
    let html =
        "<!DOCTYPE HTML>\n<html><head><title>Error response</title></head><body><h1>404</h1>\
                <p>Nothing matches the given URI</p></body></html>\n";
    // (URL suffix, fault on every `/versions` request): a typo in the path (the registry's own 404 for an unknown
    // endpoint, `{"error_code":404}`), an HTML 404 page, an empty 404.
    let cases: [(&str, Option<&str>, &str); 3] = [
        ("/typo", None, "error code 404"),
        ("", Some(html), "an HTML page titled `Error response`"),
        ("", Some(""), "with an empty body"),
    ];
    for (suffix, body, says) in cases {
        let reg = MockRegistry::start();
        reg.add("com.acme.Order", ORDER_V1, None, vec![]);
        if let Some(body) = body {
            reg.fault(
                "/versions",
                Fault::Status {
                    status: 404,
                    body: body.to_string(),
                    retry_after: None,
                },
                1000,
            );
        }
        let url = format!("{}{suffix}", reg.url);
        let dir = repo(&[
            ("schemaguard.toml", &config(&url, "")),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        write(dir.path(), "schemas/order.avsc", &incompatible);
        let o = sg(dir.path(), &["check", "--against-registry"], &[]);
        // Messages as one line (the text report wraps them).
        let t = text(&o)
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(o.status.code(), Some(2), "{suffix} {body:?}: {t}");
        assert!(
            t.contains("does not look like a schema registry")
                && t.contains(says)
                && t.contains("/subjects/com.acme.Order/versions"),
            "{t}"
        );
        assert!(!t.contains("<h1>"), "no HTML page in messages: {t}");
        // The summary keeps the URL's path, so a wrong one shows.
        let host_path = url.trim_start_matches("http://");
        assert!(
            t.contains(&format!("against schema registry {host_path})")),
            "{t}"
        );
        for args in [
            &["registry", "plan"][..],
            &["registry", "apply"][..],
            &["registry", "pull", "--out", ".registry"][..],
        ] {
            let o = sg(dir.path(), args, &[]);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
            assert!(t.contains("does not look like a schema registry"), "{t}");
        }
        assert!(!dir.path().join(".registry").exists());
    }
}

#[test]
fn topic_strategy_and_context_subjects_are_url_encoded() {
    let reg = MockRegistry::start();
    reg.add(":.ctx:orders-value", ORDER_V1, Some("AVRO"), vec![]);
    let cfg = config(
        &reg.url,
        "[[registry.subjects]]\npath = \"schemas/*.avsc\"\nsubject = \":.ctx:orders-value\"\n",
    );
    let dir = repo(&[("schemaguard.toml", &cfg), ("schemas/order.avsc", ORDER_V1)]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        reg.log()
            .iter()
            .any(|l| l == "GET /subjects/%3A.ctx%3Aorders-value/versions"),
        "{:?}",
        reg.log()
    );

    let reg = MockRegistry::start();
    reg.add("orders-value", ORDER_V1, None, vec![]);
    let cfg = config(
        &reg.url,
        "[[registry.subjects]]\npath = \"schemas/*.avsc\"\ntopic = \"orders\"\n",
    );
    let dir = repo(&[("schemaguard.toml", &cfg), ("schemas/order.avsc", ORDER_V1)]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

const PERSON_JSON: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Person","type":"object","properties":{"name":{"type":"string"}}}"#;

/// Subjects `registry plan --format json` would act on, sorted.
fn planned_subjects(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = plan_json(dir)
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| format!("{} {}", e["subject"], e["file"]).replace('"', ""))
        .collect();
    v.sort();
    v
}

fn flat(o: &Output) -> String {
    text(o)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trial defect 4: the `[registry]` strategy applies to `[[registry.subjects]]` entries with `topic` (topic-record
/// names each file's subject `<topic>-<record name>`), and a mapping that cannot name a file's subject is a
/// configuration error (exit 2) rather than files silently left out.
#[test]
fn the_registry_strategy_applies_to_topic_entries_and_unusable_mappings_are_errors() {
    let reg = MockRegistry::start();
    let files = |cfg: &str| {
        repo(&[
            ("schemaguard.toml", &config(&reg.url, cfg)),
            ("schemas/order.avsc", ORDER_V1),
            ("schemas/person.json", PERSON_JSON),
        ])
    };
    let entry = "[[registry.subjects]]\npath = \"schemas/**\"\ntopic = \"events\"\n";
    let dir = files(&format!("strategy = \"topic-record\"\n{entry}"));
    assert_eq!(
        planned_subjects(dir.path()),
        [
            "events-Person schemas/person.json",
            "events-com.acme.Order schemas/order.avsc"
        ]
    );
    // Files no entry gives a topic, while entries map others, are left out, and the plan says so.
    let dir = files(
        "strategy = \"topic-record\"\n[[registry.subjects]]\npath = \"schemas/*.avsc\"\ntopic = \"events\"\n",
    );
    assert_eq!(
        planned_subjects(dir.path()),
        ["events-com.acme.Order schemas/order.avsc"]
    );
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains(
            "note: no subject for `schemas/person.json`: the [registry] strategy needs a topic"
        ),
        "{t}"
    );
    // JSON keeps stdout a list of entries and says it on stderr.
    let o = sg(dir.path(), &["registry", "plan", "--format", "json"], &[]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "warning: no subject for `schemas/person.json`: the [registry] strategy needs a topic"
        ),
        "{}",
        text(&o)
    );
    assert!(serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).is_ok());
    // Without a `[registry]` strategy, an entry with `topic` is the topic strategy; two files on one subject are
    // then an error (see below), so one file here.
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, entry)),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    assert_eq!(
        planned_subjects(dir.path()),
        ["events-value schemas/order.avsc"]
    );

    // Unusable: a topic strategy with files no entry gives a topic; an entry whose strategy needs a topic it does
    // not have; an entry whose topic its strategy would ignore; a file an entry maps that has no record name.
    let untitled = r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}"#;
    for (cfg, extra, says) in [
        (
            "strategy = \"topic\"\n".to_string(),
            None,
            "[registry] strategy = \"topic\" names a subject after a topic, but no [[registry.subjects]] entry with `topic` or `subject` maps any file, so `schemas/order.avsc` (and 1 more) has no subject",
        ),
        (
            "[[registry.subjects]]\npath = \"schemas/**\"\nstrategy = \"topic-record\"\n".to_string(),
            None,
            "path `schemas/**`: strategy topic-record needs `topic`",
        ),
        (
            format!("{entry}strategy = \"record\"\n"),
            None,
            "strategy record names the subject after the record alone and would ignore topic `events`",
        ),
        (
            "[[registry.subjects]]\npath = \"schemas/**\"\ntopic = \"events\"\nstrategy = \"topic-record\"\n".to_string(),
            Some(("schemas/untitled.json", untitled)),
            "`schemas/untitled.json` (matched by [[registry.subjects]] path `schemas/**`) has no `title`, so strategy topic-record cannot name its subject",
        ),
    ] {
        let dir = files(&cfg);
        if let Some((p, t)) = extra {
            write(dir.path(), p, t);
        }
        for args in [
            &["check", "--against-registry"][..],
            &["registry", "plan"][..],
            &["registry", "apply"][..],
            &["registry", "pull"][..],
        ] {
            let o = sg(dir.path(), args, &[]);
            let t = flat(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?} {cfg}: {t}");
            assert!(t.contains(says), "{args:?}: {t}");
        }
    }
}

/// Trial defect 5 (second part): a local file a mapped schema references but that maps to no subject (here a JSON
/// Schema without `title` under the record strategy) would be registered without its reference: plan and apply
/// refuse it up front (exit 2), naming both files, before any request.
#[test]
fn a_referenced_file_without_a_subject_is_an_error() {
    let reg = MockRegistry::start();
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        (
            "schemas/address.json",
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}}}"#,
        ),
        (
            "schemas/person.json",
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Person","type":"object","properties":{"home":{"$ref":"address.json"}}}"#,
        ),
    ]);
    for args in [&["registry", "plan"][..], &["registry", "apply"][..]] {
        let o = sg(dir.path(), args, &[]);
        let t = flat(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(
            t.contains("`schemas/person.json` references `address.json` (`schemas/address.json`), which maps to no subject"),
            "{t}"
        );
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
}

/// Trial defect 5: two local files mapped to one subject are a configuration error naming both (exit 2), before
/// any request, in check, plan, apply and pull — never two registrations on one subject.
#[test]
fn two_files_on_one_subject_are_an_error() {
    let reg = MockRegistry::start();
    let dir = repo(&[
        (
            "schemaguard.toml",
            &config(
                &reg.url,
                "[[registry.subjects]]\npath = \"schemas/*\"\ntopic = \"customers\"\n",
            ),
        ),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/person.json", PERSON_JSON),
    ]);
    for args in [
        &["check", "--against-registry"][..],
        &["registry", "plan"][..],
        &["registry", "apply"][..],
        &["registry", "pull"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let t = flat(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(
            t.contains("`schemas/order.avsc` and `schemas/person.json` both map to subject `customers-value`"),
            "{args:?}: {t}"
        );
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
}

const MONEY: &str = "syntax = \"proto3\";\npackage acme;\nmessage Money { string currency = 1; int64 units = 2; }\n";
const PAYMENT: &str = "syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Payment { acme.Money amount = 1; string id = 2; }\n";

#[test]
fn references_resolve_even_when_versions_omit_them() {
    let reg = MockRegistry::start();
    reg.state.lock().expect("lock").omit_references = true; // rivven-schema: only /schemas/ids has them
    reg.add("acme.Money", MONEY, Some("PROTOBUF"), vec![]);
    reg.add(
        "acme.Payment",
        PAYMENT,
        Some("PROTOBUF"),
        vec![json!({"name": "acme/money.proto", "subject": "acme.Money", "version": 1})],
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("acme/money.proto", MONEY),
        ("acme/payment.proto", PAYMENT),
    ]);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "unchanged schemas with references are clean: {t}"
    );
    assert!(
        !t.contains("PARSE_ERROR") && !t.contains("REGISTRY_ERROR"),
        "{t}"
    );
    assert!(
        reg.log().iter().any(|l| l.starts_with("GET /schemas/ids/")),
        "{:?}",
        reg.log()
    );
    // A field type changed in the referencing schema is found.
    write(
        dir.path(),
        "acme/payment.proto",
        &PAYMENT.replace("string id = 2", "int64 id = 2"),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn retries_on_500_and_429_with_retry_after() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.fault(
        "/versions",
        Fault::Status {
            status: 500,
            body: "{}".into(),
            retry_after: None,
        },
        1,
    );
    reg.fault(
        "/config",
        Fault::Status {
            status: 429,
            body: "{}".into(),
            retry_after: Some(1),
        },
        1,
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let started = std::time::Instant::now();
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let log = reg.log();
    assert!(
        log.iter().filter(|l| l.ends_with("/versions")).count() >= 2,
        "{log:?}"
    );
}

fn faulty(fault: Fault, extra: &str) -> (Output, MockRegistry) {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.fault("/subjects/com.acme.Order/versions", fault, 100);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, extra)),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    (sg(dir.path(), &["check", "--against-registry"], &[]), reg)
}

#[test]
fn faults_are_clear_located_errors_with_exit_2() {
    let (o, _) = faulty(
        Fault::Status {
            status: 503,
            body: "{\"error_code\":50003,\"message\":\"forwarding failed\"}".into(),
            retry_after: None,
        },
        "",
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("REGISTRY_ERROR")
            && t.contains("HTTP 503")
            && t.contains("GET /subjects/com.acme.Order/versions"),
        "{t}"
    );
    assert!(
        t.contains("schemas/order.avsc"),
        "located at the local file: {t}"
    );

    let (o, _) = faulty(Fault::NotJson, "");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("the registry URL answered with an HTML page instead of JSON")
            && t.contains("GET /subjects/com.acme.Order/versions"),
        "{t}"
    );
    let (o, _) = faulty(
        Fault::Status {
            status: 200,
            body: "{\"versions\": [1,".into(),
            retry_after: None,
        },
        "",
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("not JSON") && t.contains("GET /subjects/com.acme.Order/versions"),
        "{t}"
    );

    let (o, _) = faulty(Fault::Truncated, "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    let (o, _) = faulty(Fault::Huge(100 * 1024 * 1024), "");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("larger than"), "{t}");

    let (o, _) = faulty(Fault::Delay(Duration::from_secs(3)), "timeout_secs = 1\n");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("timed out"), "{t}");
}

/// A 200 that is an HTML page (a sign-in page in front of the registry) is named by its title, as error statuses
/// are, for check, pull and plan; it was only "not JSON: expected value at line 1 column 1".
#[test]
fn a_2xx_html_page_is_named_by_its_title() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>…</form></body></html>";
    reg.fault(
        "/subjects",
        Fault::Status {
            status: 200,
            body: page.into(),
            retry_after: None,
        },
        1000,
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    for args in [
        &["check", "--against-registry", "--format", "json"][..],
        &["registry", "pull", "--out", "pulled"][..],
        &["registry", "plan"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(
            t.contains(
                "the registry URL answered with an HTML page titled `Sign in` instead of JSON"
            ),
            "{args:?}: {t}"
        );
        assert!(
            !t.contains("<form>") && !t.contains("line 1 column 1"),
            "{args:?}: {t}"
        );
    }
}

/// A `[[registry.subjects]]` entry whose glob matches no file mapped nothing without a word: a warning names it, for
/// check --against-registry, pull, plan and apply.
#[test]
fn a_subjects_entry_matching_no_file_warns() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let extra = "[[registry.subjects]]\npath = \"schema/*.avsc\"\nsubject = \"orders-value\"\n";
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, extra)),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let out = tempfile::tempdir().expect("tempdir");
    let out = out.path().to_str().expect("utf-8 temp path");
    for args in [
        &["check", "--against-registry"][..],
        &["registry", "pull", "--out", out][..],
        &["registry", "plan"][..],
        &["registry", "apply", "--dry-run"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(
                "warning: [[registry.subjects]] path `schema/*.avsc` matches no schema file"
            ),
            "{args:?}: {}",
            text(&o)
        );
    }
    // A glob that matches says nothing.
    let extra = "[[registry.subjects]]\npath = \"schemas/*.avsc\"\nsubject = \"com.acme.Order\"\n";
    write(dir.path(), "schemaguard.toml", &config(&reg.url, extra));
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("matches no"), "{}", text(&o));
}

/// Schemas without a record name under the record strategy were left out silently, and the run passed with 0
/// subjects: a note per file says why and what to add.
#[test]
fn schemas_without_a_subject_are_named() {
    let reg = MockRegistry::start();
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        (
            "schemas/order.json",
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":"string"}}}"#,
        ),
        (
            "proto/status.proto",
            "syntax = \"proto3\";\npackage acme;\nenum Status { STATUS_UNSPECIFIED = 0; }\n",
        ),
    ]);
    let out = tempfile::tempdir().expect("tempdir");
    let out = out.path().to_str().expect("utf-8 temp path");
    for args in [
        &["check", "--against-registry"][..],
        &["registry", "pull", "--out", out][..],
        &["registry", "plan"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("no subject for `schemas/order.json`") && err.contains("add a `title`"),
            "{args:?}: {}",
            text(&o)
        );
        assert!(
            err.contains("no subject for `proto/status.proto`")
                && err.contains("add a top-level message")
                && err.contains("[[registry.subjects]] entry with `subject`"),
            "{args:?}: {}",
            text(&o)
        );
    }
}

/// Two sidecars for one schema (`.contract.yaml` and `.contract.json`): one was picked silently. The one reader
/// refuses it, naming both, in registry plan / apply, lint and the catalog alike (exit 2).
#[test]
fn two_sidecars_for_one_schema_are_an_error_naming_both() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        (
            "schemas/order.avsc.contract.yaml",
            "metadata:\n  properties: { owner: orders-team }\n",
        ),
        (
            "schemas/order.avsc.contract.json",
            r#"{"metadata":{"properties":{"owner":"billing-team"}}}"#,
        ),
    ]);
    let out = tempfile::tempdir().expect("tempdir");
    let out = out.path().to_str().expect("utf-8 temp path");
    for args in [
        &["registry", "plan"][..],
        &["registry", "apply"][..],
        &["lint"][..],
        &["catalog", "--out", out][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(
            t.contains("schemas/order.avsc.contract.yaml")
                && t.contains("schemas/order.avsc.contract.json")
                && t.contains("keep one"),
            "{args:?}: {t}"
        );
    }
    assert!(
        !reg.log().iter().any(|l| l.starts_with("POST")),
        "nothing registered: {:?}",
        reg.log()
    );
}

#[test]
fn one_failing_subject_does_not_stop_the_others() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let customer = r#"{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"id","type":"string"}]}"#;
    reg.add("com.acme.Customer", customer, None, vec![]);
    reg.fault(
        "/subjects/com.acme.Customer/",
        Fault::Status {
            status: 500,
            body: "boom".into(),
            retry_after: None,
        },
        100,
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/customer.avsc", customer),
    ]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("REGISTRY_ERROR") && t.contains("com.acme.Customer"),
        "{t}"
    );
    assert!(
        t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "the other subject was checked: {t}"
    );
}

#[test]
fn credentials_are_sent_and_never_shown() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    // base64("key:s3cr3t-value")
    reg.state.lock().expect("lock").require_auth = Some("Basic a2V5OnMzY3IzdC12YWx1ZQ==".into());
    let cfg = config(&reg.url, "basic_auth_env = \"SG_TEST_SR_AUTH\"\n");
    let dir = repo(&[("schemaguard.toml", &cfg), ("schemas/order.avsc", ORDER_V1)]);
    let o = sg(
        dir.path(),
        &["check", "--against-registry"],
        &[("SG_TEST_SR_AUTH", "key:s3cr3t-value")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = sg(
        dir.path(),
        &["check", "--against-registry"],
        &[("SG_TEST_SR_AUTH", "key:wrong-s3cr3t")],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("credentials rejected by 127.0.0.1:"), "{t}");
    assert!(!t.contains("wrong-s3cr3t"), "{t}");
    // User info in the URL is used as basic auth and never printed.
    let url = reg.url.replace("http://", "http://key:s3cr3t-value@");
    let dir = repo(&[
        ("schemaguard.toml", &config(&url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("s3cr3t"));
    reg.state.lock().expect("lock").require_auth = Some("Basic other".into());
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o).contains("s3cr3t"), "{}", text(&o));
    // A secret typed with an unencoded `/`: sent whole (base64("key:ab/s3cr3t")), shown nowhere, also when the
    // rest of the URL is invalid.
    reg.state.lock().expect("lock").require_auth = Some("Basic a2V5OmFiL3MzY3IzdA==".into());
    let url = reg.url.replace("http://", "http://key:ab/s3cr3t@");
    for (url, code) in [(url, 0), ("http://key:ab/s3cr3t@bad host:1".to_string(), 2)] {
        let dir = repo(&[
            ("schemaguard.toml", &config(&url, "")),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        for format in ["text", "json"] {
            let o = sg(
                dir.path(),
                &["check", "--against-registry", "--format", format],
                &[],
            );
            assert_eq!(o.status.code(), Some(code), "{url}: {}", text(&o));
            assert!(!text(&o).contains("s3cr3t"), "{}", text(&o));
        }
    }
}

/// A variable `basic_auth_env` / `bearer_token_env` names on purpose that is not set: a configuration error naming it
/// before any request (it sent no credentials, and only the server's 401 spoke). The default names being absent is
/// no auth, as before.
#[test]
fn a_named_credentials_variable_that_is_not_set_is_a_config_error() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    for (key, var) in [
        ("basic_auth_env", "SG_TEST_UNSET_AUTH"),
        ("bearer_token_env", "SG_TEST_UNSET_TOKEN"),
    ] {
        let cfg = config(&reg.url, &format!("{key} = \"{var}\"\n"));
        let dir = repo(&[("schemaguard.toml", &cfg), ("schemas/order.avsc", ORDER_V1)]);
        for args in [
            &["check", "--against-registry"][..],
            &["registry", "plan"][..],
        ] {
            let o = sg(dir.path(), args, &[]);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
            assert!(
                t.contains(&format!("{key} names {var}, which is not set")),
                "{args:?}: {t}"
            );
        }
        let o = sg(dir.path(), &["check", "--against-registry"], &[(var, "")]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(
            t.contains(&format!("{key} names {var}, which is empty")),
            "{t}"
        );
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
    // Default names absent: no auth, no complaint.
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Basic-auth user info without a `:` was sent as is (a user name without a secret: 401). It is a configuration
/// error asking for `key:secret`, before any request, and the value is never printed.
#[test]
fn basic_auth_user_info_without_a_colon_is_a_config_error() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    for (var, extra) in [
        ("SG_TEST_SR_AUTH", "basic_auth_env = \"SG_TEST_SR_AUTH\"\n"),
        ("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", ""),
    ] {
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, extra)),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        for format in ["text", "json"] {
            let o = sg(
                dir.path(),
                &["check", "--against-registry", "--format", format],
                &[(var, "nocolons3cr3t")],
            );
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{t}");
            assert!(t.contains(var) && t.contains("`key:secret`"), "{t}");
            assert!(!t.contains("s3cr3t"), "{t}");
        }
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
}

/// `--registry-concurrency 0` is refused as `[registry] concurrency = 0` is (it was taken as 1), and the flag on a
/// check that asks no registry warns that it does nothing, as `--history` does.
#[test]
fn registry_concurrency_zero_is_refused_and_without_registry_it_warns() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    for args in [
        &["check", "--against-registry", "--registry-concurrency", "0"][..],
        &["registry", "plan", "--registry-concurrency", "0"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(t.contains("--registry-concurrency"), "{args:?}: {t}");
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--registry-concurrency", "1"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("no effect"), "{}", text(&o));
    let o = sg(
        dir.path(),
        &["check", "--against", "HEAD", "--registry-concurrency", "4"],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        err.contains("warning: --registry-concurrency has no effect")
            && err.contains("--against-registry"),
        "{err}"
    );
}

#[test]
fn old_servers_and_other_implementations_are_tolerated() {
    let reg = MockRegistry::start();
    {
        let mut s = reg.state.lock().expect("lock");
        s.config_404_without_global = true; // falls back to GET /config
        s.plain_text_errors = true;
        s.global_level = "FORWARD".into();
    }
    reg.add(
        "com.acme.Order",
        &order_with(r#",{"name":"amount","type":"double"}"#),
        None,
        vec![],
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    // FORWARD: the old schema must read new data; dropping `amount` (no default in the old) breaks it.
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    let t = text(&o);
    assert!(t.contains("\"FORWARD\""), "the global level: {t}");
    assert!(
        reg.log().iter().any(|l| l == "GET /config"),
        "{:?}",
        reg.log()
    );
    // A plain-text error body is quoted with the endpoint.
    reg.fault(
        "/versions",
        Fault::Status {
            status: 400,
            body: "Bad things happened".into(),
            retry_after: None,
        },
        100,
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("HTTP 400") && t.contains("Bad things happened"),
        "{t}"
    );
}

#[test]
fn server_check_reports_a_disagreement() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.state.lock().expect("lock").compat_answer = Some(true);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--server-check"],
        &[],
    );
    let t = text(&o);
    assert!(t.contains("REGISTRY_VERDICT_DIFFERS"), "{t}");
    assert!(
        reg.log()
            .iter()
            .any(|l| l.starts_with("POST /compatibility/subjects/com.acme.Order/versions")),
        "{:?}",
        reg.log()
    );
}

#[test]
fn server_check_sends_the_local_references() {
    // Order uses com.acme.Money, defined in another file that maps to its own subject. The server can only
    // resolve `Money` if the request names it as a reference (name, subject, latest registered version).
    let money = r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"units","type":"long"}]}"#;
    let order = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"total","type":"com.acme.Money"}]}"#;
    let reg = MockRegistry::start();
    reg.add("com.acme.Money", money, None, vec![]);
    reg.add("com.acme.Money", money, None, vec![]);
    reg.add(
        "com.acme.Order",
        order,
        None,
        vec![json!({"name":"com.acme.Money","subject":"com.acme.Money","version":1})],
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/money.avsc", money),
        ("schemas/order.avsc", order),
    ]);
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--server-check"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let bodies = reg.state.lock().expect("lock").bodies.clone();
    let sent = |subject: &str| -> serde_json::Value {
        let (_, body) = bodies
            .iter()
            .find(|(l, _)| l.starts_with(&format!("POST /compatibility/subjects/{subject}/")))
            .unwrap_or_else(|| panic!("no compatibility request for {subject}: {bodies:?}"));
        serde_json::from_str(body).expect("json body")
    };
    assert_eq!(
        sent("com.acme.Order")["references"],
        json!([{"name":"com.acme.Money","subject":"com.acme.Money","version":2}])
    );
    assert!(sent("com.acme.Money").get("references").is_none());
}

#[test]
fn pull_then_against_dir_gives_the_same_findings() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["registry", "pull", "--out", ".registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".registry/schemaguard-registry.json"))
            .expect("manifest"),
    )
    .expect("json");
    assert_eq!(manifest["schemas"][0]["subject"], "com.acme.Order");
    assert_eq!(manifest["schemas"][0]["version"], 1);
    assert_eq!(manifest["schemas"][0]["id"], 1);
    let a = sg(
        dir.path(),
        &["check", "--against-dir", ".registry", "--format", "json"],
        &[],
    );
    let b = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    assert_eq!(a.status.code(), Some(1));
    assert_eq!(b.status.code(), Some(1));
    let rules = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {}", f["rule"], f["message"]))
            .collect();
        r.sort();
        r
    };
    assert!(!rules(&a).is_empty());
    assert_eq!(rules(&a), rules(&b));
}

/// `pull --all-versions` keeps each subject's level (manifest `compatibility`) and its older versions, so `check
/// --against-dir` of the copy judges like `--against-registry`: a subject at NONE is not flagged, and one at
/// BACKWARD_TRANSITIVE is checked against every version (found in a new user's trial: the copy lost both).
#[test]
fn pulled_copy_keeps_levels_and_older_versions_for_against_dir() {
    const MONEY: &str = r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"units","type":"long"}]}"#;
    let reg = MockRegistry::start();
    reg.add(
        "com.acme.Order",
        &order_with(r#",{"name":"qty","type":"int"}"#),
        None,
        vec![],
    );
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.add("com.acme.Money", MONEY, None, vec![]);
    {
        let mut st = reg.state.lock().expect("lock");
        st.levels
            .insert("com.acme.Order".into(), "BACKWARD_TRANSITIVE".into());
        st.levels.insert("com.acme.Money".into(), "NONE".into());
    }
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/money.avsc", MONEY),
    ]);
    // qty comes back as a string: fine against v2 (no qty), not against v1 (qty int). Money breaks, at NONE.
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"qty","type":"string","default":""}"#),
    );
    write(
        dir.path(),
        "schemas/money.avsc",
        &MONEY.replace("long", "string"),
    );
    let o = sg(
        dir.path(),
        &["registry", "pull", "--out", ".registry", "--all-versions"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rules = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {}", f["rule"], f["subject"]))
            .collect();
        r.sort();
        r
    };
    let b = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    let a = sg(
        dir.path(),
        &["check", "--against-dir", ".registry", "--format", "json"],
        &[],
    );
    assert_eq!(
        rules(&b),
        vec!["\"TYPE_MISMATCH\" \"com.acme.Order\"".to_string()],
        "{}",
        text(&b)
    );
    assert_eq!(rules(&a), rules(&b), "{}", text(&a));
    assert_eq!(a.status.code(), Some(1));
    // The summary names the levels used, as against the registry.
    let summary = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        (v["summary"]["mode"].clone(), v["summary"]["modes"].clone())
    };
    assert_eq!(summary(&a), summary(&b));
    assert!(summary(&a).0.is_null(), "{:?}", summary(&a));
    // `--mode` still wins over the copy's levels, as over the registry's.
    let a = sg(
        dir.path(),
        &[
            "check",
            "--against-dir",
            ".registry",
            "--mode",
            "BACKWARD",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        rules(&a),
        vec!["\"TYPE_MISMATCH\" \"com.acme.Money\"".to_string()],
        "{}",
        text(&a)
    );
}

/// Trial defect 2: with Protobuf files under an import root (`proto/pl/b.proto` imports `pl/a.proto`), `pull`
/// writes the referenced schema once, where the local file is (`proto/pl/a.proto`), not a second time at its import
/// name; a subject's own latest wins its path over an older version another subject references. Then `check
/// --against-dir` finds what `--against-registry` finds, and nothing on an unchanged tree.
#[test]
fn pull_writes_a_protobuf_reference_once_under_its_import_root() {
    const A1: &str = "syntax = \"proto3\";\npackage pl;\n\nmessage A {\n  string id = 1;\n}\n";
    let a2 = A1.replace("string id = 1;", "string id = 1;\n  string note = 2;");
    const B: &str = "syntax = \"proto3\";\npackage pl;\n\nimport \"pl/a.proto\";\n\nmessage B {\n  A a = 1;\n}\n";
    let reg = MockRegistry::start();
    reg.add("pl.A", A1, Some("PROTOBUF"), vec![]);
    reg.add(
        "pl.B",
        B,
        Some("PROTOBUF"),
        vec![json!({"name": "pl/a.proto", "subject": "pl.A", "version": 1})],
    );
    reg.add("pl.A", &a2, Some("PROTOBUF"), vec![]);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("proto/pl/a.proto", &a2),
        ("proto/pl/b.proto", B),
    ]);
    let o = sg(dir.path(), &["registry", "pull", "--out", ".registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = dir.path().join(".registry");
    assert!(!out.join("pl").exists(), "no copy at the import name");
    assert_eq!(
        std::fs::read_to_string(out.join("proto/pl/a.proto")).expect("a"),
        a2,
        "pl.A's own latest, not the version pl.B references"
    );
    let rules = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {}", f["rule"], f["message"]))
            .collect();
        r.sort();
        r
    };
    let both = |dir: &Path| {
        let a = sg(
            dir,
            &["check", "--against-dir", ".registry", "--format", "json"],
            &[],
        );
        let b = sg(
            dir,
            &["check", "--against-registry", "--format", "json"],
            &[],
        );
        assert_eq!(
            a.status.code(),
            b.status.code(),
            "{}\n{}",
            text(&a),
            text(&b)
        );
        assert_eq!(rules(&a), rules(&b));
        (a.status.code(), rules(&a))
    };
    assert_eq!(both(dir.path()), (Some(0), vec![]));
    write(
        dir.path(),
        "proto/pl/a.proto",
        &a2.replace("string id = 1;", "int32 id = 1;"),
    );
    let (code, found) = both(dir.path());
    assert_eq!(code, Some(1));
    assert!(
        !found.is_empty() && !found.iter().any(|f| f.contains("SUBJECT_DELETED")),
        "{found:?}"
    );
}

#[test]
fn plan_and_apply_register_references_first_and_are_idempotent() {
    for lookup_405 in [false, true] {
        let reg = MockRegistry::start();
        reg.state.lock().expect("lock").lookup_405 = lookup_405;
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, "")),
            ("acme/money.proto", MONEY),
            ("acme/payment.proto", PAYMENT),
        ]);
        let o = sg(dir.path(), &["registry", "plan"], &[]);
        let t = text(&o);
        assert!(t.contains("2 new subject(s)"), "{t}");
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        let log = reg.log();
        let money = log
            .iter()
            .position(|l| l == "POST /subjects/acme.Money/versions");
        let payment = log
            .iter()
            .position(|l| l == "POST /subjects/acme.Payment/versions");
        assert!(
            money.is_some() && money < payment,
            "references first: {log:?}"
        );
        {
            let s = reg.state.lock().expect("lock");
            let refs = &s.subjects["acme.Payment"][0].references;
            assert_eq!(
                refs,
                &vec![json!({"name": "acme/money.proto", "subject": "acme.Money", "version": 1})]
            );
        }
        let o = sg(dir.path(), &["registry", "plan"], &[]);
        let t = text(&o);
        assert!(
            t.contains("0 new subject(s), 0 new version(s)") && t.contains("2 unchanged"),
            "{t}"
        );
        // An incompatible change is stopped by the registry (409) and reported.
        write(
            dir.path(),
            "acme/payment.proto",
            &PAYMENT.replace("string id = 2", "int64 id = 2"),
        );
        let o = sg(dir.path(), &["registry", "plan"], &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(
            text(&o).contains("INCOMPATIBLE under BACKWARD"),
            "{}",
            text(&o)
        );
    }
}

/// Trial defect 10: the same text with other reference versions is another schema to the registry. Where lookups
/// are refused, plan compares references too (a new version, not "unchanged"); and apply registers again, in the
/// same run, a schema whose referenced subject it has just given a new version, so one run converges.
#[test]
fn moved_references_make_a_new_version_and_apply_converges_in_one_run() {
    const ADDRESS: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Address","type":"object","properties":{"city":{"type":"string"}}}"#;
    const PERSON: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Person","type":"object","properties":{"home":{"$ref":"address.json"}}}"#;
    let described = |n: u8| {
        ADDRESS.replace(
            r#""type":"object""#,
            &format!(r#""type":"object","description":"v{n}""#),
        )
    };
    for lookup_405 in [false, true] {
        let reg = MockRegistry::start();
        reg.state.lock().expect("lock").lookup_405 = lookup_405;
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, "")),
            ("schemas/address.json", ADDRESS),
            ("schemas/person.json", PERSON),
        ]);
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        write(dir.path(), "schemas/address.json", &described(2));
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        assert!(
            t.contains("Person: registering again: referenced Address has a new version"),
            "{t}"
        );
        {
            let st = reg.state.lock().expect("lock");
            let person = &st.subjects["Person"];
            assert_eq!(person.len(), 2, "lookup_405={lookup_405}");
            assert_eq!(
                person[1].references,
                vec![json!({"name": "address.json", "subject": "Address", "version": 2})]
            );
        }
        let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
        assert!(
            t.contains("0 new subject(s), 0 new version(s)") && t.contains("2 unchanged"),
            "converged in one run: {t}"
        );
        // Address v3 registered from elsewhere and pulled into the working tree: Person's registered versions
        // reference v2, so registering it now is a new version, with or without lookups.
        reg.add("Address", &described(3), Some("JSON"), vec![]);
        write(dir.path(), "schemas/address.json", &described(3));
        let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
        assert!(
            t.contains("Address  (schemas/address.json)  unchanged (version 3)"),
            "{t}"
        );
        assert!(
            t.contains("Person  (schemas/person.json)  new version, compatible"),
            "lookup_405={lookup_405}: {t}"
        );
    }
}

/// Trial defect 7: `apply` exits 1 only when the registry rejects a schema as incompatible (409); an invalid schema
/// (422), a server that does not implement the call (501, an HTML page) and other failures are exit 2, and an
/// HTML page is never printed whole.
#[test]
fn apply_exits_1_only_for_an_incompatible_schema() {
    let page = format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\"><head><title>Error response</title></head><body>\
         <h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method ('POST').</p>{}</body></html>",
        "<p>padding</p>".repeat(40)
    );
    let cases: [(u16, String, i32, &str); 3] = [
        (
            409,
            json!({"error_code": 409, "message": "Schema being registered is incompatible"})
                .to_string(),
            1,
            "rejected as incompatible",
        ),
        (
            422,
            json!({"error_code": 42201, "message": "Invalid schema"}).to_string(),
            2,
            "HTTP 422 (error code 42201): Invalid schema",
        ),
        (
            501,
            page,
            2,
            "HTTP 501: an HTML page titled `Error response`",
        ),
    ];
    for (status, body, code, says) in cases {
        let reg = MockRegistry::start();
        // Only the registration fails: the reads of the plan succeed.
        reg.state.lock().expect("lock").post_faults.push((
            "/subjects/com.acme.Order/versions".into(),
            Fault::Status {
                status,
                body,
                retry_after: None,
            },
            1000,
        ));
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, "")),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(code), "HTTP {status}: {t}");
        assert!(t.contains(says), "{t}");
        assert!(!t.contains("<h1>") && !t.contains("padding"), "{t}");
        assert!(t.contains("apply stopped; nothing was registered"), "{t}");
    }
}

#[test]
fn apply_takes_references_from_the_resolved_model_not_the_text() {
    // Order names Money by its short name (resolved through the namespace, in another file) and mentions
    // com.acme.Note only in a doc string: the reference is Money, under the full name Avro resolved, and not Note.
    let money = r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"units","type":"long"}]}"#;
    let note = r#"{"type":"record","name":"Note","namespace":"com.acme","fields":[{"name":"text","type":"string"}]}"#;
    let order = r#"{"type":"record","name":"Order","namespace":"com.acme","doc":"see \"com.acme.Note\"","fields":[{"name":"total","type":"Money"}]}"#;
    let reg = MockRegistry::start();
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/money.avsc", money),
        ("schemas/note.avsc", note),
        ("schemas/order.avsc", order),
    ]);
    let o = sg(dir.path(), &["registry", "apply"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = reg.state.lock().expect("lock");
    assert_eq!(
        s.subjects["com.acme.Order"][0].references,
        vec![json!({"name": "com.acme.Money", "subject": "com.acme.Money", "version": 1})]
    );
    assert!(s.subjects["com.acme.Money"][0].references.is_empty());
}

#[test]
fn summary_names_the_registered_levels_not_the_default() {
    // One subject registered at FULL, no local mode: the summary's mode is FULL, in text and JSON; BACKWARD (the
    // default when nothing is configured) was not used for anything.
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.state
        .lock()
        .expect("lock")
        .levels
        .insert("com.acme.Order".into(), "FULL".into());
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert!(t.contains("mode FULL,") && !t.contains("BACKWARD"), "{t}");
    let o = sg(
        dir.path(),
        &["check", "--against-registry", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["summary"]["mode"].is_null(), "{}", v["summary"]);
    assert_eq!(v["summary"]["modes"], json!(["FULL"]));
}

#[test]
fn bad_registry_setup_is_a_usage_error() {
    let dir = repo(&[("schemas/order.avsc", ORDER_V1)]);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("SCHEMA_REGISTRY_URL"), "{}", text(&o));
    // A port nothing listens on: a located transport error, exit 2.
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    drop(l);
    let dir = repo(&[
        ("schemaguard.toml", &config(&url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("cannot reach the schema registry"),
        "{}",
        text(&o)
    );
    // Trial defect 11: a malformed URL is one configuration error before any request, quoting the URL as given
    // without its user info.
    let dir = repo(&[
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/other.avsc", &ORDER_V1.replace("Order", "Other")),
    ]);
    for url in [
        "http://bob:HUNTER2@127.0.0.1:notaport",
        "htp://127.0.0.1:8081",
        "http://[::1",
    ] {
        for args in [
            &["check", "--against-registry"][..],
            &["registry", "plan"][..],
            &["registry", "pull"][..],
        ] {
            let o = sg(dir.path(), args, &[("SCHEMA_REGISTRY_URL", url)]);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{url} {args:?}: {t}");
            let shown = url.replace("bob:HUNTER2@", "");
            assert_eq!(
                t.matches(&format!("the registry URL `{shown}` is not valid"))
                    .count(),
                1,
                "{t}"
            );
            assert!(!t.contains("HUNTER2") && !t.contains("cannot reach"), "{t}");
        }
    }
}

/// Order v1 as it is committed: pretty-printed, keys in another order than the registry's copy.
const ORDER_V1_PRETTY: &str = "{\n  \"name\": \"Order\",\n  \"type\": \"record\",\n  \"namespace\": \"com.acme\",\n  \"fields\": [ {\"name\": \"id\", \"type\": \"string\"} ]\n}\n";

fn plan_json(dir: &Path) -> serde_json::Value {
    let o = sg(dir, &["registry", "plan", "--format", "json"], &[]);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("json: {}", text(&o)))
}

#[test]
fn plan_flags_drift_only_for_a_registered_latest_that_git_never_had() {
    let reg = MockRegistry::start();
    let dir = common::git_repo();
    common::write(dir.path(), "schemaguard.toml", &config(&reg.url, ""));
    common::write(dir.path(), "schemas/order.avsc", ORDER_V1_PRETTY);
    common::commit_all(dir.path(), "v1");
    let v2 = order_with(r#",{"name":"note","type":"string","default":""}"#);
    common::write(dir.path(), "schemas/order.avsc", &v2);
    common::commit_all(dir.path(), "v2");
    let v3 = order_with(
        r#",{"name":"note","type":"string","default":""},{"name":"qty","type":"int","default":0}"#,
    );
    common::write(dir.path(), "schemas/order.avsc", &v3);

    // The registry is behind: its latest is git's first version (other whitespace and key order). Not drift.
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(!t.contains("DRIFT"), "{t}");
    assert!(t.contains(", 0 drifted from git"), "{t}");
    assert!(plan_json(dir.path())[0].get("drift").is_none());

    // Someone registered a change that never was in git (a field `channel`): drift, in text, summary and JSON.
    let foreign = order_with(r#",{"name":"channel","type":"string","default":"web"}"#);
    reg.add("com.acme.Order", &foreign, None, vec![]);
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert!(
        t.contains("DRIFT: registered version 2 (id 2) is no version of schemas/order.avsc in git"),
        "{t}"
    );
    assert!(t.contains(", 1 drifted from git"), "{t}");
    assert_eq!(
        plan_json(dir.path())[0]["drift"],
        json!({"version": 2, "id": 2})
    );

    // The working tree's schema registered as latest is not drift even before it is committed.
    reg.add("com.acme.Order", &v3, None, vec![]);
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains("unchanged (version 3)") && !t.contains("DRIFT"),
        "{t}"
    );
}

/// Trial defect 3: a Protobuf file under an import root (`proto/`) is named `drift2/a.proto` by imports but lives at
/// `proto/drift2/a.proto` in git: its history is looked up under the repository path, so a registered version
/// that equals HEAD's is no drift, and a foreign one still is.
#[test]
fn drift_of_a_protobuf_file_under_an_import_root_reads_its_repository_path() {
    const A_V1: &str =
        "syntax = \"proto3\";\npackage drift2;\n\nmessage A {\n  string id = 1;\n}\n";
    for roots in ["[protobuf]\nroots = [\"proto\"]\n", ""] {
        let reg = MockRegistry::start();
        let dir = common::git_repo();
        common::write(
            dir.path(),
            "schemaguard.toml",
            &format!("{}{roots}", config(&reg.url, "")),
        );
        common::write(dir.path(), "proto/drift2/a.proto", A_V1);
        // Without a config, an import makes `proto/` the root.
        common::write(
            dir.path(),
            "proto/drift2/b.proto",
            "syntax = \"proto3\";\npackage drift2;\nimport \"drift2/a.proto\";\n\nmessage B {\n  A a = 1;\n}\n",
        );
        common::commit_all(dir.path(), "v1");
        reg.add("drift2.A", A_V1, Some("PROTOBUF"), vec![]);
        common::write(
            dir.path(),
            "proto/drift2/a.proto",
            &A_V1.replace("string id = 1;", "string id = 1;\n  string b = 2;"),
        );
        let o = sg(dir.path(), &["registry", "plan"], &[]);
        let t = text(&o);
        assert!(
            t.contains("drift2.A  (proto/drift2/a.proto)  new version, compatible"),
            "{t}"
        );
        assert!(!t.contains("DRIFT"), "{roots:?}: {t}");
        assert!(t.contains(", 0 drifted from git"), "{t}");
        reg.add(
            "drift2.A",
            &A_V1.replace("string id = 1;", "string id = 1;\n  int32 c = 3;"),
            Some("PROTOBUF"),
            vec![],
        );
        let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
        assert!(
            t.contains(
                "DRIFT: registered version 2 (id 2) is no version of proto/drift2/a.proto in git"
            ),
            "{t}"
        );
    }
}

#[test]
fn drift_looks_at_every_parent_not_only_the_first() {
    // The registered latest was committed on a side branch merged with `-s ours`: it is in the history reachable
    // from HEAD (second parent) though no first-parent commit has it.
    let reg = MockRegistry::start();
    let dir = common::git_repo();
    common::write(dir.path(), "schemaguard.toml", &config(&reg.url, ""));
    common::write(dir.path(), "schemas/order.avsc", ORDER_V1);
    common::commit_all(dir.path(), "v1");
    common::git(dir.path(), &["checkout", "-q", "-b", "side"]);
    let side = order_with(r#",{"name":"side","type":"string","default":""}"#);
    common::write(dir.path(), "schemas/order.avsc", &side);
    common::commit_all(dir.path(), "side");
    common::git(dir.path(), &["checkout", "-q", "main"]);
    common::git(
        dir.path(),
        &["merge", "-q", "-s", "ours", "side", "-m", "merge"],
    );
    reg.add("com.acme.Order", &side, None, vec![]);
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains(", 0 drifted from git") && !t.contains("DRIFT"),
        "{t}"
    );
    // A file never committed has no git version: whatever is registered that differs from it is drift.
    common::write(dir.path(), "schemas/item.avsc", ITEM_V1);
    reg.add(
        "com.acme.Item",
        &ITEM_V1.replace(
            r#""string"}"#,
            r#""string"},{"name":"x","type":"int","default":0}"#,
        ),
        None,
        vec![],
    );
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(t.contains("com.acme.Item  (schemas/item.avsc)"), "{t}");
    assert!(
        t.contains("is no version of schemas/item.avsc in git") && t.contains(", 1 drifted"),
        "{t}"
    );
}

#[test]
fn drift_follows_the_file_through_renames() {
    // v1 committed as schemas/orders.avsc, renamed (git mv) and changed in the same commit: the registry's latest is v1, so it is the
    // old path's version, not drift — committed rename, then a second rename not committed yet.
    let reg = MockRegistry::start();
    let dir = common::git_repo();
    common::write(dir.path(), "schemaguard.toml", &config(&reg.url, ""));
    common::write(dir.path(), "schemas/orders.avsc", ORDER_V1_PRETTY);
    common::commit_all(dir.path(), "v1");
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    common::git(
        dir.path(),
        &["mv", "schemas/orders.avsc", "schemas/order.avsc"],
    );
    let v2 = ORDER_V1_PRETTY.replace(
        "\"string\"} ]",
        "\"string\"},\n    {\"name\": \"note\", \"type\": \"string\", \"default\": \"\"} ]",
    );
    assert_ne!(v2, ORDER_V1_PRETTY);
    common::write(dir.path(), "schemas/order.avsc", &v2);
    common::commit_all(dir.path(), "rename and v2 in one commit");
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains(", 0 drifted from git") && !t.contains("DRIFT"),
        "{t}"
    );
    std::fs::create_dir_all(dir.path().join("events")).expect("mkdir");
    std::fs::rename(
        dir.path().join("schemas/order.avsc"),
        dir.path().join("events/order.avsc"),
    )
    .expect("rename");
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(t.contains("(events/order.avsc)"), "{t}");
    assert!(
        t.contains(", 0 drifted from git") && !t.contains("DRIFT"),
        "{t}"
    );
    // What git never had under any of the file's paths is still drift.
    let foreign = order_with(r#",{"name":"channel","type":"string","default":"web"}"#);
    reg.add("com.acme.Order", &foreign, None, vec![]);
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains("is no version of events/order.avsc in git") && t.contains(", 1 drifted"),
        "{t}"
    );
}

#[test]
fn a_broken_contract_sidecar_is_named_with_its_place_not_as_registry_configuration() {
    let reg = MockRegistry::start();
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        (
            "schemas/order.avsc.contract.yaml",
            "metadata:\n  properties:\n    owner: [oops\n",
        ),
    ]);
    for cmd in ["plan", "apply"] {
        let o = sg(dir.path(), &["registry", cmd], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {t}");
        assert!(
            t.contains(
                "error: contract sidecar `schemas/order.avsc.contract.yaml:4:1`: invalid YAML: "
            ),
            "{cmd}: {t}"
        );
        assert!(
            !t.contains("registry configuration") && !t.contains("not YAML"),
            "{cmd}: {t}"
        );
    }
    assert!(
        reg.state.lock().expect("lock").subjects.is_empty(),
        "apply registered nothing"
    );
}

const ITEM_V1: &str = r#"{"type":"record","name":"Item","namespace":"com.acme","fields":[{"name":"sku","type":"string"}]}"#;

#[test]
fn drift_is_not_guessed_without_the_history() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    // Not a repository: said so, nothing flagged.
    let plain = tempfile::tempdir().expect("tempdir");
    write(plain.path(), "schemaguard.toml", &config(&reg.url, ""));
    write(
        plain.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"n","type":"int","default":0}"#),
    );
    let t = text(&sg(plain.path(), &["registry", "plan"], &[]));
    assert!(
        t.contains("drift not checked (not a git repository)"),
        "{t}"
    );
    // A shallow clone lacks the older versions: said so instead of flagging every older registered version.
    let origin = common::git_repo();
    common::write(origin.path(), "schemaguard.toml", &config(&reg.url, ""));
    common::write(origin.path(), "schemas/order.avsc", ORDER_V1);
    common::commit_all(origin.path(), "v1");
    common::write(
        origin.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"n","type":"int","default":0}"#),
    );
    common::commit_all(origin.path(), "v2");
    let clones = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", origin.path().display());
    common::git(clones.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let t = text(&sg(&clones.path().join("c"), &["registry", "plan"], &[]));
    assert!(t.contains("drift not checked (shallow clone"), "{t}");
    assert!(!t.contains("DRIFT"), "{t}");
    // The full history has the registered version: no drift.
    let t = text(&sg(origin.path(), &["registry", "plan"], &[]));
    assert!(t.contains(", 0 drifted from git"), "{t}");
}

fn rule(name: &str, expr: &str) -> serde_json::Value {
    json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": expr})
}

/// Writes the contract sidecar of `schemas/order.avsc` (JSON is YAML).
fn sidecar(dir: &Path, contract: &serde_json::Value) {
    write(
        dir,
        "schemas/order.avsc.contract.yaml",
        &serde_json::to_string(contract).expect("json"),
    );
}

fn contract_changed(dir: &Path) -> serde_json::Value {
    plan_json(dir)[0]["contract_changed"].clone()
}

#[test]
fn plan_compares_the_sidecar_with_the_effective_registered_contract() {
    // The subject's config supplies defaults and overrides (§8.4); version 1 holds what the registry stored for a
    // sidecar {team: orders, rule s}: default ⊕ sidecar, then ⊕ override.
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.set_config(
        "com.acme.Order",
        json!({
            "defaultMetadata": {"properties": {"owner": "platform"}},
            "overrideMetadata": {"properties": {"slo": "gold"}},
            "defaultRuleSet": {"domainRules": [rule("d", "true")]},
        }),
    );
    reg.set_contract(
        "com.acme.Order",
        1,
        Some(json!({"properties": {"owner": "platform", "team": "orders", "slo": "gold"}})),
        Some(json!({"domainRules": [rule("d", "true"), rule("s", "message.id != ''")]})),
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let mine = |team: &str, slo: Option<&str>, expr: &str| {
        let mut props = json!({"team": team});
        if let Some(slo) = slo {
            props["slo"] = json!(slo);
        }
        json!({"metadata": {"properties": props}, "ruleSet": {"domainRules": [rule("s", expr)]}})
    };
    // The sidecar as it was registered: the server's defaults and overrides supply the rest. Not a change.
    sidecar(dir.path(), &mine("orders", None, "message.id != ''"));
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert!(t.contains("unchanged (version 1)"), "{t}");
    assert!(!t.contains("contract metadata/ruleSet changed"), "{t}");
    assert_eq!(contract_changed(dir.path()), json!(false));
    // A property the override sets anyway: what would be stored is the same.
    sidecar(
        dir.path(),
        &mine("orders", Some("silver"), "message.id != ''"),
    );
    assert_eq!(contract_changed(dir.path()), json!(false));
    // No sidecar: the request carries none, so the previous version's contract is inherited. Not a change.
    std::fs::remove_file(dir.path().join("schemas/order.avsc.contract.yaml")).expect("rm");
    assert_eq!(contract_changed(dir.path()), json!(false));
    // Real changes: a property, a rule's expression.
    sidecar(dir.path(), &mine("payments", None, "message.id != ''"));
    let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
    assert!(t.contains("; contract metadata/ruleSet changed"), "{t}");
    sidecar(dir.path(), &mine("orders", None, "size(message.id) > 0"));
    assert_eq!(contract_changed(dir.path()), json!(true));
    // The subject's override changed since version 1: registering now stores another contract.
    std::fs::remove_file(dir.path().join("schemas/order.avsc.contract.yaml")).expect("rm");
    reg.set_config(
        "com.acme.Order",
        json!({
            "defaultMetadata": {"properties": {"owner": "platform"}},
            "overrideMetadata": {"properties": {"slo": "platinum"}},
            "defaultRuleSet": {"domainRules": [rule("d", "true")]},
        }),
    );
    assert_eq!(contract_changed(dir.path()), json!(true));
}

#[test]
fn compatibility_group_is_read_from_the_effective_metadata() {
    // compatibilityGroup: only versions of the new version's group are compared. With no sidecar the new
    // version inherits the latest's metadata (group 1), so the breaking change is checked against it.
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    reg.set_contract(
        "com.acme.Order",
        1,
        Some(json!({"properties": {"application.major.version": "1"}})),
        None,
    );
    reg.set_config(
        "com.acme.Order",
        json!({"compatibilityGroup": "application.major.version"}),
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    write(
        dir.path(),
        "schemas/order.avsc",
        &order_with(r#",{"name":"amount","type":"double"}"#),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{t}");
    // A sidecar starting group 2: nothing of group 1 is compared.
    sidecar(
        dir.path(),
        &json!({"metadata": {"properties": {"application.major.version": "2"}}}),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The subject's overrideMetadata forces group 2 whatever the version says.
    std::fs::remove_file(dir.path().join("schemas/order.avsc.contract.yaml")).expect("rm");
    reg.set_config(
        "com.acme.Order",
        json!({"compatibilityGroup": "application.major.version",
               "overrideMetadata": {"properties": {"application.major.version": "2"}}}),
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_broken_sidecar_is_a_located_error_in_plan() {
    let reg = MockRegistry::start();
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/order.avsc.contract.yaml", "owner: orders-team\n"),
    ]);
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("contract sidecar `schemas/order.avsc.contract.yaml:1:8`: unknown key `owner`"),
        "{t}"
    );
}

/// Trial defect 6: a sidecar that parses but whose `metadata` / `ruleSet` the registry would reject or misread
/// (a property that is not a string, `sensitive` not a list, an unknown metadata key, a rule of kind `BOGUS`) is
/// refused by plan and apply before any request, with each problem located as lint locates it.
#[test]
fn a_badly_shaped_contract_is_refused_before_any_request() {
    let reg = MockRegistry::start();
    let sidecar = "metadata:\n  properties: {owner: [1, 2]}\n  sensitive: ssn\n  foo: 1\nruleSet:\n  domainRules:\n    - {name: r1, kind: BOGUS, type: CEL, expr: \"true\"}\n";
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/order.avsc.contract.yaml", sidecar),
    ]);
    let at = "contract sidecar `schemas/order.avsc.contract.yaml";
    for args in [
        &["registry", "plan"][..],
        &["registry", "apply"][..],
        &["registry", "apply", "--dry-run"][..],
    ] {
        let o = sg(dir.path(), args, &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        for says in [
            format!("{at}:2:23`: /metadata/properties/owner: metadata property `owner` is not a string"),
            format!("{at}:3:14`: /metadata/sensitive: `metadata.sensitive` is not a list"),
            format!("{at}:4:8`: /metadata/foo: unknown metadata key `foo`"),
            format!("{at}:7:24`: /ruleSet/domainRules/0/kind: rule `r1`: kind `BOGUS` is neither CONDITION nor TRANSFORM"),
        ] {
            assert!(t.contains(&says), "{says}\n{t}");
        }
    }
    assert!(reg.log().is_empty(), "no request: {:?}", reg.log());
    // Lint finds the same problems at the same places.
    let o = sg(
        dir.path(),
        &["lint", "schemas/order.avsc", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let mut places: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("CONTRACT_"))
        })
        .map(|f| format!("{}:{}", f["location"]["line"], f["location"]["column"]))
        .collect();
    places.sort();
    assert_eq!(places, ["2:23", "3:14", "4:8", "7:24"], "{}", text(&o));
}

/// Trial defect 13: `registry apply --help` says that `--mode` writes the level to the registry.
#[test]
fn apply_help_says_mode_writes_the_level() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = sg(dir.path(), &["registry", "apply", "--help"], &[]);
    let t = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        t.contains("apply WRITES it to the registry (PUT /config/{subject})")
            && t.contains("it is not a one-run override"),
        "{t}"
    );
}

/// Trial defect 12: the plan's summary counts the contract changes and level changes apply will act on, not only
/// schemas.
#[test]
fn plan_summary_counts_contract_and_level_changes() {
    let reg = MockRegistry::start();
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
    ]);
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert!(
        t.contains("1 unchanged, 0 contract change(s), 0 level change(s), 0 drifted from git"),
        "{t}"
    );
    write(
        dir.path(),
        "schemas/order.avsc.contract.yaml",
        "metadata:\n  properties: {owner: orders-team}\n",
    );
    let o = sg(dir.path(), &["registry", "plan", "--mode", "FULL"], &[]);
    let t = text(&o);
    assert!(
        t.contains("level BACKWARD -> FULL; contract metadata/ruleSet changed"),
        "{t}"
    );
    assert!(
        t.contains("1 unchanged, 1 contract change(s), 1 level change(s), "),
        "{t}"
    );
}

#[test]
fn apply_registers_a_changed_contract_of_an_unchanged_schema() {
    for ignore_contracts in [false, true] {
        let reg = MockRegistry::start();
        reg.state.lock().expect("lock").ignore_contracts = ignore_contracts;
        reg.add("com.acme.Order", ORDER_V1, None, vec![]);
        let dir = repo(&[
            ("schemaguard.toml", &config(&reg.url, "")),
            ("schemas/order.avsc", ORDER_V1),
        ]);
        sidecar(
            dir.path(),
            &json!({"metadata": {"properties": {"owner": "orders-team"}}}),
        );
        if ignore_contracts {
            // A later version registered from elsewhere: the message names the version the schema is, not it.
            reg.add(
                "com.acme.Order",
                &order_with(r#",{"name":"x","type":"int","default":0}"#),
                None,
                vec![],
            );
        }
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        let s = reg.state.lock().expect("lock");
        let versions = &s.subjects["com.acme.Order"];
        if ignore_contracts {
            assert_eq!(versions.len(), 2, "{t}");
            assert!(
                t.contains("com.acme.Order: contract metadata/ruleSet sent, but the registry kept version 1 (id 1)"),
                "{t}"
            );
        } else {
            assert_eq!(versions.len(), 2, "{t}");
            assert_eq!(
                versions[1].metadata,
                Some(json!({"properties": {"owner": "orders-team"}}))
            );
            assert!(
                t.contains("com.acme.Order: contract registered (id 2, version 2)"),
                "{t}"
            );
            drop(s);
            let t = text(&sg(dir.path(), &["registry", "plan"], &[]));
            assert!(!t.contains("contract metadata/ruleSet changed"), "{t}");
        }
    }
}

/// Reference names come from the server: `pull` never writes outside `--out` because of one (`../`, absolute).
#[test]
fn pull_refuses_reference_names_that_leave_the_output_directory() {
    const A: &str = "syntax = \"proto3\";\npackage pl;\n\nmessage A {\n  string id = 1;\n}\n";
    const B: &str = "syntax = \"proto3\";\npackage pl;\n\nimport \"pl/a.proto\";\n\nmessage B {\n  A a = 1;\n}\n";
    let outside = tempfile::tempdir().expect("tempdir");
    let abs = outside.path().join("escaped").display().to_string();
    for (name, fmt, escaped) in [
        ("../../escape.proto", "PROTOBUF", None),
        (abs.as_str(), "AVRO", Some(format!("{abs}.avsc"))),
    ] {
        let reg = MockRegistry::start();
        let dir = if fmt == "PROTOBUF" {
            reg.add("pl.A", A, Some("PROTOBUF"), vec![]);
            reg.add(
                "pl.B",
                B,
                Some("PROTOBUF"),
                vec![json!({"name": name, "subject": "pl.A", "version": 1})],
            );
            repo(&[
                ("schemaguard.toml", &config(&reg.url, "")),
                ("proto/pl/a.proto", A),
                ("proto/pl/b.proto", B),
            ])
        } else {
            reg.add(
                "com.acme.Money",
                r#"{"type":"fixed","name":"Money","namespace":"com.acme","size":8}"#,
                None,
                vec![],
            );
            reg.add(
                "com.acme.Order",
                ORDER_V1,
                None,
                vec![json!({"name": name, "subject": "com.acme.Money", "version": 1})],
            );
            repo(&[
                ("schemaguard.toml", &config(&reg.url, "")),
                ("order.avsc", ORDER_V1),
            ])
        };
        let o = sg(dir.path(), &["registry", "pull", "--out", ".registry"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("refusing to write"), "{name}: {t}");
        assert!(!dir.path().join("escape.proto").exists(), "{name}");
        if let Some(p) = escaped {
            assert!(!Path::new(&p).exists(), "{p} written");
        }
    }
}

/// A server that tells schemas apart by text only (rivven-schema) answers "registering again" with the version it
/// has: apply says the registry kept it and does not count it as registered.
#[test]
fn registering_again_on_a_server_that_ignores_references_is_not_counted() {
    const ADDRESS: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Address","type":"object","properties":{"city":{"type":"string"}}}"#;
    const PERSON: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Person","type":"object","properties":{"home":{"$ref":"address.json"}}}"#;
    let reg = MockRegistry::start();
    reg.state.lock().expect("lock").ignore_references = true;
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/address.json", ADDRESS),
        ("schemas/person.json", PERSON),
    ]);
    let o = sg(dir.path(), &["registry", "apply"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    write(
        dir.path(),
        "schemas/address.json",
        &ADDRESS.replace(
            r#""type":"object""#,
            r#""type":"object","description":"v2""#,
        ),
    );
    let o = sg(dir.path(), &["registry", "apply"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("Person: sent again, but the registry kept version 1 (id 2)"),
        "{t}"
    );
    assert!(t.contains("Address: registered (id 3, version 2)"), "{t}");
    assert!(t.contains("apply: 1 registered"), "{t}");
    assert_eq!(reg.state.lock().expect("lock").subjects["Person"].len(), 1);
}

/// What the registry accepts but governance asks for (`sensitive` naming a key that is not a property, `DLQ` without
/// `dlq.topic`, confluent.md §8.8 design notes) is lint's: `plan` does not refuse it, lint reports it.
#[test]
fn governance_problems_of_a_contract_are_lint_only() {
    let reg = MockRegistry::start();
    let sidecar = "metadata:\n  properties: {owner: orders-team}\n  sensitive: [api_key]\nruleSet:\n  domainRules:\n    - {name: r1, kind: CONDITION, mode: WRITE, type: CEL, expr: \"true\", onFailure: DLQ}\n";
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("schemas/order.avsc", ORDER_V1),
        ("schemas/order.avsc.contract.yaml", sidecar),
    ]);
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("1 new subject(s)"), "{t}");
    let o = sg(
        dir.path(),
        &["lint", "schemas/order.avsc", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let mut found: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("CONTRACT_"))
        })
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["location"]["line"]
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        ["CONTRACT_METADATA_VALID 3", "CONTRACT_RULESET_VALID 6"],
        "{}",
        text(&o)
    );
}

/// A file of a read-only include directory that a mapped schema imports is registered first, as its reference:
/// under the reference name by default (Confluent's DefaultReferenceSubjectNameStrategy), under an entry's
/// `subject` when one maps it. The well-known `google/protobuf/timestamp.proto` is the registry's own.
#[test]
fn include_files_a_schema_imports_are_registered_as_its_references() {
    const A: &str = "syntax = \"proto3\";\npackage acme;\nimport \"google/protobuf/timestamp.proto\";\nimport \"ext/tag.proto\";\nmessage A {\n  google.protobuf.Timestamp at = 1;\n  ext.Tag tag = 2;\n}\n";
    const TAG: &str = "syntax = \"proto3\";\npackage ext;\nmessage Tag { string v = 1; }\n";
    for (entry, subject) in [
        ("", "ext/tag.proto"),
        (
            "[[registry.subjects]]\npath = \"third_party/ext/tag.proto\"\nsubject = \"ext-tag\"\n",
            "ext-tag",
        ),
    ] {
        let reg = MockRegistry::start();
        let cfg = format!(
            "[registry]\nurl = \"{}\"\n{entry}[protobuf]\ninclude = [\"third_party\"]\n",
            reg.url
        );
        let dir = repo(&[
            ("schemaguard.toml", &cfg),
            ("proto/acme/a.proto", A),
            ("third_party/ext/tag.proto", TAG),
        ]);
        let o = sg(dir.path(), &["registry", "plan"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        assert!(t.contains("2 new subject(s)"), "{t}");
        let o = sg(dir.path(), &["registry", "apply"], &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        let st = reg.state.lock().expect("lock");
        assert_eq!(st.subjects[subject].len(), 1, "{t}");
        assert_eq!(
            st.subjects["acme.A"][0].references,
            vec![json!({"name": "ext/tag.proto", "subject": subject, "version": 1})],
            "{t}"
        );
        assert!(
            t.find(&format!("{subject}: registered")) < t.find("acme.A: registered"),
            "references first: {t}"
        );
    }
}

/// Findings against the registry (and against a pulled copy of it) name the registry's subject (`orders-value`
/// under the topic strategy), not the local name (`com.acme.Order`); a `[[subjects]]` entry still matches the
/// local name.
#[test]
fn findings_name_the_registry_subject() {
    let reg = MockRegistry::start();
    reg.add("orders-value", ORDER_V1, None, vec![]);
    let entry = "[[registry.subjects]]\npath = \"schemas/order.avsc\"\ntopic = \"orders\"\n";
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, entry)),
        (
            "schemas/order.avsc",
            &order_with(r#",{"name":"total","type":"double"}"#),
        ),
    ]);
    let subjects = |args: &[&str]| {
        let o = sg(dir.path(), args, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["subject"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        subjects(&["check", "--against-registry", "--format", "json"]),
        ["orders-value"]
    );
    let o = sg(dir.path(), &["registry", "pull", "--out", ".registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        subjects(&["check", "--against-dir", ".registry", "--format", "json"]),
        ["orders-value"]
    );
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert!(
        text(&o).contains("READER_FIELD_MISSING_DEFAULT_VALUE · orders-value"),
        "{}",
        text(&o)
    );
    // `[[subjects]]` entries match the local name.
    std::fs::write(
        dir.path().join("schemaguard.toml"),
        config(
            &reg.url,
            &format!("{entry}[[subjects]]\nname = \"com.acme.Order\"\nexcept = [\"READER_FIELD_MISSING_DEFAULT_VALUE\"]\n"),
        ),
    )
    .expect("write");
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A change in a JSON Schema document that is its own subject and is `$ref`'d by another subject is reported once
/// against the registry, as against a pulled copy of it (the referencing subject's copy named the path from its own
/// root, so it was not recognised as the same finding); from a new user's trial with rivven.
#[test]
fn a_refd_json_schema_change_is_reported_once_as_against_a_pulled_copy() {
    const ADDRESS: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Address","type":"object","properties":{"street":{"type":"string"}},"additionalProperties":false}"#;
    const CUSTOMER: &str = r#"{"$schema":"http://json-schema.org/draft-07/schema#","title":"Customer","type":"object","properties":{"name":{"type":"string"},"addr":{"$ref":"address.json"}},"additionalProperties":false}"#;
    let reg = MockRegistry::start();
    reg.add("Address", ADDRESS, Some("JSON"), vec![]);
    reg.add(
        "Customer",
        CUSTOMER,
        Some("JSON"),
        vec![json!({"name": "address.json", "subject": "Address", "version": 1})],
    );
    let dir = repo(&[
        ("schemaguard.toml", &config(&reg.url, "")),
        ("json/address.json", ADDRESS),
        ("json/customer.json", CUSTOMER),
    ]);
    let o = sg(dir.path(), &["registry", "pull", "--out", ".registry"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    write(
        dir.path(),
        "json/address.json",
        &ADDRESS.replace(
            r#""street":{"type":"string"}"#,
            r#""street":{"type":"integer"}"#,
        ),
    );
    write(
        dir.path(),
        "json/customer.json",
        &CUSTOMER.replace(
            r#""name":{"type":"string"}"#,
            r#""name":{"type":"integer"}"#,
        ),
    );
    let found = |args: &[&str]| {
        let o = sg(dir.path(), args, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["rule"], f["location"]["file"], f["location"]["line"]
                )
            })
            .collect();
        r.sort();
        r
    };
    let live = found(&["check", "--against-registry", "--format", "json"]);
    let pulled = found(&["check", "--against-dir", ".registry", "--format", "json"]);
    assert_eq!(live, pulled);
    assert_eq!(
        live.iter().filter(|f| f.contains("address.json")).count(),
        1,
        "{live:?}"
    );
}
