//! The CI output formats (SARIF, GitHub workflow commands, JUnit, GitLab Code Quality, Markdown) on one shared
//! sample set of findings: a parse error, an unreadable file, a deletion (old span only), a change with both
//! spans, a warning on a non-ASCII path with a message full of Markdown metacharacters, and a note. Each
//! renderer is snapshotted; the SARIF log is validated against the official 2.1.0 schema (a copy in
//! `tests/data`, read offline) and the GitLab JSON and JUnit XML are parsed back and checked field by field.

use std::collections::HashSet;

use schemaguard::finding::{Category, Finding, Format, Location, Mode, Severity};
use schemaguard::report::{self, Checked, OutputFormat, Report, TextStyle};
use schemaguard::rules::{self, Rule};
use schemaguard::source::SourceFile;

// Two sample rules so the set has a change seen on both sides and a lint warning without depending on the
// rules of one format module; the core rules come from the registry.
static SAMPLE_TYPE_MISMATCH: Rule = Rule {
    id: "SAMPLE_TYPE_MISMATCH",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: &[Format::Avro],
    summary: "a field's type changed to one that cannot read the old data",
    doc: "---\nid: SAMPLE_TYPE_MISMATCH\ncategory: compatibility\n---\n# SAMPLE_TYPE_MISMATCH\n\n\
          ## What it flags\nA field whose type changed to one\nthat cannot read the old data.\n\n\
          ## How to fix\nKeep the `old` type | add a new field.\n",
};

static SAMPLE_DOC_MISSING: Rule = Rule {
    id: "SAMPLE_DOC_MISSING",
    category: Category::Richness,
    severity: Severity::Warning,
    formats: &[Format::Avro],
    summary: "a field has no documentation",
    doc: "---\nid: SAMPLE_DOC_MISSING\n---\n# SAMPLE_DOC_MISSING\n\n## What it flags\nA field without `doc`.\n",
};

static SAMPLE_FIELD_ADDED: Rule = Rule {
    id: "SAMPLE_FIELD_ADDED",
    category: Category::Compatibility,
    severity: Severity::Info,
    formats: &[Format::Avro],
    summary: "a field was added with a default",
    doc: "# SAMPLE_FIELD_ADDED\n\n## What it flags\nAn added field with a default.\n",
};

const ORDER_OLD: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "long"}
  ]
}
"#;

const ORDER_NEW: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "string"},
    {"name": "note", "type": "string", "default": ""}
  ]
}
"#;

const BROKEN: &str = r#"{
  "type": "record",
  "name": "Broken"
  "fields": []
}
"#;

const TICKET_OLD: &str = r#"{
  "type": "record",
  "name": "Ticket",
  "namespace": "com.acme",
  "fields": []
}
"#;

const UEBERWEISUNG: &str = r#"{
  "type": "record",
  "name": "Überweisung",
  "namespace": "de.bank",
  "fields": [{"name": "betrag_€", "type": "long"}]
}
"#;

fn span_of(text: &str, needle: &str, nth: usize) -> std::ops::Range<usize> {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` not in sample"));
    start..start + needle.len()
}

fn core(id: &str) -> &'static Rule {
    rules::all()
        .iter()
        .copied()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("core rule {id} not registered"))
}

fn sample() -> Report {
    let main = Some("origin/main".to_string());
    let order_old = SourceFile::new("schemas/order.avsc", main.clone(), ORDER_OLD);
    let order_new = SourceFile::new("schemas/order.avsc", None, ORDER_NEW);
    let broken = SourceFile::new("schemas/broken.avsc", None, BROKEN);
    let ticket_old = SourceFile::new("schemas/legacy/ticket.avsc", main, TICKET_OLD);
    let ueberweisung = SourceFile::new("schemas/zahlungen/überweisung.avsc", None, UEBERWEISUNG);
    let unreadable = SourceFile::new("schemas/bin.avsc", None, "");

    let findings = vec![
        Finding::new(
            core("PARSE_ERROR"),
            "schemas/broken.avsc",
            "expected `,` or `}` after the value of `name`, found `\"fields\"`",
        )
        .help("add a comma after `\"Broken\"`")
        .format(Format::Avro)
        .at_new(Location::new(&broken, span_of(BROKEN, "\"fields\"", 0))),
        Finding::new(
            core("READ_ERROR"),
            "schemas/bin.avsc",
            "`schemas/bin.avsc` is not valid UTF-8 (first invalid byte at offset 3)",
        )
        .help("make the file readable and save it as UTF-8")
        .at_new(Location::new(&unreadable, 0..0)),
        Finding::new(
            core("SUBJECT_DELETED"),
            "com.acme.Ticket",
            "avro schema `com.acme.Ticket` was deleted: no file defines it any more",
        )
        .help("restore the schema, or, if the deletion is intended, lower SUBJECT_DELETED's severity in schemaguard.toml")
        .format(Format::Avro)
        .mode(Mode::Backward)
        .at_old(Location::new(&ticket_old, 0..TICKET_OLD.len() - 1).with_pointer("")),
        Finding::new(
            &SAMPLE_TYPE_MISMATCH,
            "com.acme.Order",
            "field `amount` of record `com.acme.Order` changed type from `long` to `string`",
        )
        .help("keep `long`, or add a new field and deprecate `amount`")
        .mode(Mode::Backward)
        .at_new(
            Location::new(&order_new, span_of(ORDER_NEW, "\"string\"", 1)).with_pointer("/fields/1/type"),
        )
        .at_old(Location::new(&order_old, span_of(ORDER_OLD, "\"long\"", 0)).with_pointer("/fields/1/type")),
        Finding::new(
            &SAMPLE_FIELD_ADDED,
            "com.acme.Order",
            "field `note` of record `com.acme.Order` was added with a default",
        )
        .mode(Mode::Backward)
        .at_new(
            Location::new(&order_new, span_of(ORDER_NEW, r#"{"name": "note", "type": "string", "default": ""}"#, 0))
                .with_pointer("/fields/2"),
        ),
        Finding::new(
            &SAMPLE_DOC_MISSING,
            "de.bank.Überweisung",
            "field `betrag_€` of record `de.bank.Überweisung` has no doc: readers of `Map<String|Long>` \
             see *nothing* | 100% [sic] ` <br> & \\ #1",
        )
        .help("add `\"doc\": \"…\"` to field `betrag_€`")
        .mode(Mode::Backward)
        .at_new(
            Location::new(&ueberweisung, span_of(UEBERWEISUNG, "{\"name\": \"betrag_€\", \"type\": \"long\"}", 0))
                .with_pointer("/fields/0"),
        ),
    ];
    let mut report = Report {
        findings,
        ..Report::default()
    };
    report.summary.files = 4;
    report.summary.subjects_checked = 3;
    report.summary.mode = Some(Mode::Backward);
    report.summary.baseline = Some("origin/main".into());
    report.checked = ["com.acme.Order", "de.bank.Überweisung", "com.acme.Customer"]
        .into_iter()
        .map(|s| Checked::from((s.to_string(), Format::Avro, Mode::Backward)))
        .collect();
    report.finish();
    report
}

fn empty() -> Report {
    let mut report = Report::default();
    report.summary.files = 2;
    report.summary.subjects_checked = 1;
    report.summary.mode = Some(Mode::Backward);
    report.summary.baseline = Some("origin/main".into());
    report.checked = vec![Checked::from((
        "com.acme.Order".to_string(),
        Format::Avro,
        Mode::Backward,
    ))];
    report.finish();
    report
}

fn render(report: &Report, format: OutputFormat) -> String {
    let mut out = Vec::new();
    report::render(report, format, TextStyle::default(), &mut out)
        .expect("rendering to a Vec cannot fail");
    String::from_utf8(out).expect("renderers write UTF-8")
}

// ---------------------------------------------------------------------------------------------------- SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let text =
        std::fs::read_to_string(path).expect("tests/data/sarif-schema-2.1.0.json is committed");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    let mut schema: serde_json::Value = schema;
    // The official file's two `language` patterns (`run`, `toolComponent`), `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
    // have a stray `]` that is not valid ECMA-262, and the draft-07 meta-schema check (`format: regex`) rejects
    // the schema itself. The copy in tests/data stays byte-identical to the official one; the patterns are
    // fixed here, in memory, to what they mean (we never write `language`).
    for owner in ["run", "toolComponent"] {
        let pattern =
            schema.pointer_mut(&format!("/definitions/{owner}/properties/language/pattern"));
        *pattern.expect("the official schema has this pattern") =
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    // The schema declares draft-07, whose meta-schema jsonschema embeds, and its `$ref`s are all local
    // (`#/definitions/…`): nothing is fetched, and `offline` makes sure of it. Formats are checked
    // (`uri`, `uri-reference`).
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline")
}

fn assert_valid_sarif(doc: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_snapshot() {
    // The tool version is asserted in `sarif_structure`; the snapshot must not change with every release.
    let version = format!("\"{}\"", regex::escape(env!("CARGO_PKG_VERSION")));
    insta::with_settings!({filters => vec![(version.as_str(), "\"[VERSION]\"")]}, {
        insta::assert_snapshot!(render(&sample(), OutputFormat::Sarif));
    });
}

#[test]
fn sarif_is_valid_against_the_schema() {
    for report in [sample(), empty()] {
        let out = render(&report, OutputFormat::Sarif);
        let doc: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
        assert_valid_sarif(&doc);
    }
}

#[test]
fn sarif_validator_rejects_a_broken_log() {
    // The validation above is worth something only if a wrong document fails it.
    let out = render(&sample(), OutputFormat::Sarif);
    let mut doc: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&doc));
}

#[test]
fn sarif_structure() {
    let report = sample();
    let doc: serde_json::Value =
        serde_json::from_str(&render(&report, OutputFormat::Sarif)).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "schemaguard");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rule_ids: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let mut expected: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    expected.sort();
    expected.dedup();
    assert_eq!(rule_ids, expected, "one rule per id that occurs, sorted");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), report.findings.len());
    for (r, f) in results.iter().zip(&report.findings) {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(driver["rules"][idx]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], f.rule.id);
        assert_eq!(r["partialFingerprints"]["schemaguard/v1"], f.fingerprint());
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(r["level"], level);
        // Every result has a location, deletions included (code scanning drops results without one).
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some());
    }
    let by_rule = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("no result for {id}"))
    };
    let deleted = by_rule("SUBJECT_DELETED");
    assert_eq!(
        deleted["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "schemas/legacy/ticket.avsc"
    );
    assert!(deleted["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("no longer in the new version")));
    let changed = by_rule("SAMPLE_TYPE_MISMATCH");
    let region = &changed["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(7), Some(32))
    );
    assert_eq!(
        region["endColumn"].as_u64(),
        Some(40),
        "end column is exclusive"
    );
    let related = &changed["relatedLocations"][0];
    assert!(
        related["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("previous version: line 7 of")
                && t.ends_with("in the baseline revision origin/main, not in the current file")),
        "{}",
        related["message"]["text"]
    );
    assert_eq!(related["properties"]["baseline"], true);
    assert_eq!(
        related["physicalLocation"]["region"]["startLine"].as_u64(),
        Some(7)
    );
    let warned = by_rule("SAMPLE_DOC_MISSING");
    assert_eq!(
        warned["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "schemas/zahlungen/%C3%BCberweisung.avsc"
    );
    let mismatch_rule = &driver["rules"][changed["ruleIndex"].as_u64().expect("index") as usize];
    assert_eq!(
        mismatch_rule["fullDescription"]["text"],
        "A field whose type changed to one that cannot read the old data."
    );
    assert_eq!(mismatch_rule["defaultConfiguration"]["level"], "error");
    assert_eq!(mismatch_rule["properties"]["category"], "compatibility");
    assert!(mismatch_rule["helpUri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/SAMPLE_TYPE_MISMATCH.md")));
}

// --------------------------------------------------------------------------------------------------- GitHub

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(render(&sample(), OutputFormat::Github));
}

#[test]
fn github_commands() {
    let report = sample();
    let out = render(&report, OutputFormat::Github);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        report.findings.len(),
        "one command per finding, no raw newline"
    );
    for (line, f) in lines.iter().zip(&report.findings) {
        let cmd = match f.severity {
            Severity::Error => "::error ",
            Severity::Warning => "::warning ",
            Severity::Info => "::notice ",
        };
        assert!(line.starts_with(cmd), "{line}");
        assert!(line.contains(&format!("title={}::", f.rule.id)), "{line}");
    }
    let deleted = lines
        .iter()
        .find(|l| l.contains("title=SUBJECT_DELETED"))
        .expect("deletion annotated");
    // On the deleted file at its old line; the element spans lines, so no columns (the runner rejects them).
    assert!(
        deleted.starts_with("::error file=schemas/legacy/ticket.avsc,line=1,endLine=6,title="),
        "{deleted}"
    );
    assert!(
        deleted.contains("was at origin/main%3A") || deleted.contains("was at origin/main:"),
        "{deleted}"
    );
    let changed = lines
        .iter()
        .find(|l| l.contains("title=SAMPLE_TYPE_MISMATCH"))
        .expect("change annotated");
    assert!(
        changed.contains("file=schemas/order.avsc,line=7,col=32,endLine=7,endColumn=40,"),
        "{changed}"
    );
    assert!(changed.contains("%0Ahelp: keep `long`"), "{changed}");
    let warned = lines
        .iter()
        .find(|l| l.contains("title=SAMPLE_DOC_MISSING"))
        .expect("warning annotated");
    assert!(
        warned.contains("file=schemas/zahlungen/überweisung.avsc,"),
        "{warned}"
    );
    assert!(warned.contains("100%25 [sic]"), "data escaping: {warned}");
}

// ---------------------------------------------------------------------------------------------------- JUnit

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render(&sample(), OutputFormat::Junit));
}

#[test]
fn junit_parses_back() {
    use quick_junit::{NonSuccessKind, TestCaseStatus};
    let out = render(&sample(), OutputFormat::Junit);
    let doc = quick_junit::Report::deserialize_from_str(&out).expect("JUnit XML parses back");
    assert_eq!(doc.test_suites.len(), 1);
    let suite = &doc.test_suites[0];
    assert_eq!(suite.name.as_str(), "schemaguard");
    let status = |name: &str| {
        &suite
            .test_cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("no test case `{name}` in {out}"))
            .status
    };
    let kind = |name: &str| match status(name) {
        TestCaseStatus::Success { .. } => "passed",
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            ..
        } => "failure",
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            ..
        } => "error",
        TestCaseStatus::Skipped { .. } => "skipped",
    };
    assert_eq!(kind("com.acme.Order [BACKWARD]"), "failure");
    assert_eq!(kind("com.acme.Customer [BACKWARD]"), "passed");
    assert_eq!(
        kind("de.bank.Überweisung [BACKWARD]"),
        "passed",
        "warnings alone do not fail"
    );
    assert_eq!(kind("com.acme.Ticket [BACKWARD]"), "failure");
    assert_eq!(kind("schemas/broken.avsc"), "error");
    assert_eq!(kind("schemas/bin.avsc"), "error");
    assert_eq!(suite.test_cases.len(), 6);
    assert_eq!((suite.failures, suite.errors), (2, 2));
    match status("com.acme.Order [BACKWARD]") {
        TestCaseStatus::NonSuccess {
            message,
            ty,
            description,
            ..
        } => {
            assert_eq!(
                ty.as_ref().map(|t| t.as_str()),
                Some("SAMPLE_TYPE_MISMATCH")
            );
            let message = message.as_ref().map(|m| m.as_str()).unwrap_or("");
            assert!(
                message.contains("changed type from `long` to `string` at schemas/order.avsc:7:32"),
                "{message}"
            );
            let description = description.as_ref().map(|d| d.as_str()).unwrap_or("");
            assert!(
                description.contains("previously at origin/main:schemas/order.avsc:7:32"),
                "{description}"
            );
            assert!(
                description.contains("SAMPLE_FIELD_ADDED"),
                "notes are listed too: {description}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let warned = suite
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "de.bank.Überweisung [BACKWARD]")
        .expect("case");
    assert!(warned
        .system_out
        .as_ref()
        .is_some_and(|s| s.as_str().contains("warning SAMPLE_DOC_MISSING")));
}

// --------------------------------------------------------------------------------------------------- GitLab

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!(render(&sample(), OutputFormat::Gitlab));
}

#[test]
fn gitlab_structure() {
    let report = sample();
    let doc: serde_json::Value = serde_json::from_str(&render(&report, OutputFormat::Gitlab))
        .expect("GitLab report is JSON");
    let issues = doc.as_array().expect("a JSON array");
    assert_eq!(issues.len(), report.findings.len());
    let mut fingerprints = HashSet::new();
    for (i, f) in issues.iter().zip(&report.findings) {
        assert_eq!(i["check_name"], f.rule.id);
        assert!(i["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(f.rule.id)));
        let sev = i["severity"].as_str().expect("severity");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&sev));
        let want = match f.severity {
            Severity::Error => "critical",
            Severity::Warning => "minor",
            Severity::Info => "info",
        };
        assert_eq!(sev, want);
        assert!(i["location"]["path"]
            .as_str()
            .is_some_and(|p| !p.is_empty()));
        let begin = i["location"]["lines"]["begin"].as_u64().expect("begin");
        let end = i["location"]["lines"]["end"].as_u64().expect("end");
        assert!(begin >= 1 && end >= begin);
        assert!(fingerprints.insert(i["fingerprint"].as_str().expect("fingerprint").to_string()));
    }
    let deleted = issues
        .iter()
        .find(|i| i["check_name"] == "SUBJECT_DELETED")
        .expect("deletion");
    assert_eq!(deleted["location"]["path"], "schemas/legacy/ticket.avsc");
    assert_eq!(deleted["location"]["lines"]["begin"].as_u64(), Some(1));
}

#[test]
fn gitlab_fingerprints_are_unique_and_stable() {
    // The same finding twice (two messages about one element) must still give two distinct fingerprints.
    let mut report = sample();
    let mut twin = report.findings[0].clone();
    twin.message.push_str(" (again)");
    report.findings.push(twin);
    report.finish();
    let doc: serde_json::Value =
        serde_json::from_str(&render(&report, OutputFormat::Gitlab)).expect("JSON");
    let fps: Vec<&str> = doc
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    assert_eq!(fps.iter().collect::<HashSet<_>>().len(), fps.len());
    // Rewording a message does not change the fingerprint.
    let first = |r: &Report| {
        let d: serde_json::Value =
            serde_json::from_str(&render(r, OutputFormat::Gitlab)).expect("JSON");
        d[0]["fingerprint"].as_str().map(String::from)
    };
    let a = sample();
    let mut b = sample();
    b.findings[0].message = "reworded".into();
    assert_eq!(first(&a), first(&b));
}

// ------------------------------------------------------------------------------------------------- Markdown

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render(&sample(), OutputFormat::Markdown));
}

#[test]
fn markdown_empty_snapshot() {
    let out = render(&empty(), OutputFormat::Markdown);
    assert!(out.contains("No breaking changes"));
    insta::assert_snapshot!(out);
}

/// Splits a GFM table row on unescaped `|`.
fn cells(row: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in row
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .chars()
    {
        if c == '|' && !escaped {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

#[test]
fn markdown_table() {
    let report = sample();
    let out = render(&report, OutputFormat::Markdown);
    assert!(out.starts_with("## ❌ schemaguard: 4 errors\n"), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(
        rows.len(),
        report.findings.len() + 1,
        "header plus one row per finding"
    );
    for row in &rows {
        assert_eq!(cells(row).len(), 5, "a `|` split a cell: {row}");
    }
    assert!(out.contains("[schemas/order.avsc:7](schemas/order.avsc#L7)"));
    assert!(out.contains("(schemas/zahlungen/%C3%BCberweisung.avsc#L5)"));
    assert!(out.contains("`origin/main:schemas/legacy/ticket.avsc:1` (deleted)"));
    assert_eq!(out.matches("<details>").count(), report.findings.len());
    assert_eq!(out.matches("</details>").count(), report.findings.len());
}

// ------------------------------------------------------------------------------------------------ Edge cases

/// A finding with no location at all (should not happen, but must not break any format) and one on a path
/// with the characters workflow commands and URIs reserve.
fn odd() -> Report {
    let odd_path = SourceFile::new("odd dir/a,b:c%.avsc", None, "{}\n");
    let mut report = Report {
        findings: vec![
            Finding::new(core("SUBJECT_DELETED"), "x", "nowhere to point at"),
            Finding::new(core("PARSE_ERROR"), "odd dir/a,b:c%.avsc", "bad | file")
                .at_new(Location::new(&odd_path, 0..2)),
        ],
        ..Report::default()
    };
    report.finish();
    report
}

#[test]
fn odd_findings_render_everywhere() {
    let report = odd();
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&report, OutputFormat::Sarif)).expect("SARIF is JSON");
    assert_valid_sarif(&sarif);
    assert!(sarif.to_string().contains("odd%20dir/a%2Cb%3Ac%25.avsc"));
    let github = render(&report, OutputFormat::Github);
    assert!(
        github.contains("::error title=SUBJECT_DELETED::nowhere to point at"),
        "{github}"
    );
    assert!(
        github.contains("file=odd dir/a%2Cb%3Ac%25.avsc,line=1,col=1,"),
        "{github}"
    );
    let gitlab: serde_json::Value =
        serde_json::from_str(&render(&report, OutputFormat::Gitlab)).expect("GitLab JSON");
    assert!(gitlab
        .as_array()
        .expect("array")
        .iter()
        .all(|i| i["location"]["path"]
            .as_str()
            .is_some_and(|p| !p.is_empty())));
    let junit = render(&report, OutputFormat::Junit);
    quick_junit::Report::deserialize_from_str(&junit).expect("JUnit XML parses back");
    let md = render(&report, OutputFormat::Markdown);
    assert!(md.contains("(odd%20dir/a%2Cb%3Ac%25.avsc#L1)"), "{md}");
}

#[test]
fn markdown_cuts_long_reports() {
    let file = SourceFile::new("s.avsc", None, "{}\n");
    let mut report = Report {
        findings: (0..150)
            .map(|i| {
                Finding::new(
                    &SAMPLE_DOC_MISSING,
                    format!("s{i:03}"),
                    format!("finding {i}"),
                )
                .at_new(Location::new(&file, 0..1))
            })
            .collect(),
        ..Report::default()
    };
    report.finish();
    let md = render(&report, OutputFormat::Markdown);
    assert_eq!(md.lines().filter(|l| l.starts_with("| ⚠️")).count(), 100);
    assert!(md.contains("… and 50 more findings not shown"));
    assert_eq!(md.matches("<details>").count(), 30);
    assert!(
        md.len() < 65_536,
        "fits in a GitHub comment: {} bytes",
        md.len()
    );
}
