//! The data-driven fixture test: every `fixtures/<format>/<case>/case.toml` names its inputs and, per mode, the
//! rule ids the reference system (Avro spec, Confluent, buf) says must be reported — written by hand before the
//! code ran. This test checks those verdicts, then snapshots what a user sees (text and JSON) for review.
//!
//! case.toml:
//! ```toml
//! description = "what the case shows"
//! reference = "which rule of which reference system it reproduces"
//! old = ["v1.avsc", "v2.avsc"]   # optional, oldest first; default: the entry named `old` or `old.*`
//! new = "v3.avsc"                # optional; default: the entry named `new` or `new.*`
//! [options]                      # optional: lenient, show_compatible, breaking, except
//! [expect]                       # mode = every rule id reported (any severity), in any order, once per subject it breaks
//! BACKWARD = ["READER_FIELD_MISSING_DEFAULT_VALUE"]
//! FORWARD = []
//! ```

use std::path::{Path, PathBuf};

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;
use schemaguard::report::{self, OutputFormat, TextStyle};

fn entry_named(dir: &Path, stem: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name == stem || name.starts_with(&format!("{stem}."))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn str_list(v: Option<&toml::Value>) -> Vec<String> {
    match v {
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn run_case(case_dir: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(case_dir.join("case.toml")).map_err(|e| e.to_string())?;
    let case: toml::Table = text.parse().map_err(|e| format!("case.toml: {e}"))?;
    for key in case.keys() {
        if ![
            "description",
            "reference",
            "old",
            "new",
            "options",
            "expect",
            "lint",
            "contracts",
        ]
        .contains(&key.as_str())
        {
            return Err(format!("case.toml: unknown key `{key}`"));
        }
    }
    if !case.contains_key("description") || !case.contains_key("reference") {
        return Err("case.toml needs `description` and `reference`".into());
    }
    // A lint case: `[expect] LINT = [...]`, a `new` input only, and the `[lint]` table of schemaguard.toml.
    if let Some(want) = case
        .get("expect")
        .and_then(|e| e.as_table())
        .and_then(|e| e.get("LINT"))
    {
        return run_lint_case(case_dir, &case, str_list(Some(want)));
    }
    // A contract test case: `[expect] TEST = [...]`, `new` (and `old`) schema folders, `examples/`, `contracts/`.
    if let Some(want) = case
        .get("expect")
        .and_then(|e| e.as_table())
        .and_then(|e| e.get("TEST"))
    {
        return run_test_case(case_dir, &case, str_list(Some(want)));
    }
    let olds: Vec<PathBuf> = match case.get("old") {
        Some(v) => str_list(Some(v)).iter().map(|s| case_dir.join(s)).collect(),
        None => entry_named(case_dir, "old").into_iter().collect(),
    };
    let new = match case.get("new").and_then(|v| v.as_str()) {
        Some(s) => case_dir.join(s),
        None => entry_named(case_dir, "new").ok_or("no `new` input")?,
    };
    if olds.is_empty() {
        return Err("no `old` input".into());
    }
    let o = case.get("options").and_then(|v| v.as_table());
    let opts = CheckOptions {
        lenient: o
            .and_then(|t| t.get("lenient"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        show_compatible: o
            .and_then(|t| t.get("show_compatible"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        breaking: str_list(o.and_then(|t| t.get("breaking"))),
        except: str_list(o.and_then(|t| t.get("except"))),
        proto_roots: str_list(o.and_then(|t| t.get("roots"))),
        ..CheckOptions::default()
    };
    let expect = case
        .get("expect")
        .and_then(|v| v.as_table())
        .ok_or("case.toml needs an [expect] table")?;
    let mut rendered = String::new();
    let mut failures = Vec::new();
    for (mode_name, ids) in expect {
        let mode = Mode::parse(mode_name).ok_or(format!("unknown mode `{mode_name}`"))?;
        let mut want = str_list(Some(ids));
        want.sort();
        let report =
            schemaguard::compat_paths(&olds, &new, mode, &opts).map_err(|e| e.to_string())?;
        // One id per subject a finding affects: the reference systems judge each subject on its own, and a change
        // to a shared type is one finding naming every subject it breaks.
        let mut got: Vec<String> = report
            .findings
            .iter()
            .flat_map(|f| f.subjects().map(|_| f.rule.id.to_string()))
            .collect();
        got.sort();
        if got != want {
            failures.push(format!("{mode_name}: expected {want:?}, got {got:?}"));
        }
        let mut text = Vec::new();
        report::render(&report, OutputFormat::Text, TextStyle::default(), &mut text)
            .map_err(|e| e.to_string())?;
        let mut json = Vec::new();
        report::render(&report, OutputFormat::Json, TextStyle::default(), &mut json)
            .map_err(|e| e.to_string())?;
        rendered.push_str(&format!(
            "==== {mode_name} (exit {}) ====\n{}\n---- json ----\n{}\n",
            schemaguard::exit_code(&report, Some(schemaguard::finding::Severity::Error)),
            String::from_utf8_lossy(&text),
            String::from_utf8_lossy(&json)
        ));
    }
    if failures.is_empty() {
        Ok(rendered)
    } else {
        Err(failures.join("\n"))
    }
}

fn run_lint_case(
    case_dir: &Path,
    case: &toml::Table,
    mut want: Vec<String>,
) -> Result<String, String> {
    let new = match case.get("new").and_then(|v| v.as_str()) {
        Some(s) => case_dir.join(s),
        None => entry_named(case_dir, "new").ok_or("no `new` input")?,
    };
    let mut table = toml::Table::new();
    table.insert(
        "lint".into(),
        case.get("lint")
            .cloned()
            .unwrap_or(toml::Value::Table(toml::Table::new())),
    );
    let cfg = schemaguard::config::Config::parse(&table.to_string(), "case.toml")
        .map_err(|e| e.to_string())?;
    let lint = cfg.lint.unwrap_or_default();
    let report =
        schemaguard::lint_paths_in(Path::new("."), &[new], &lint).map_err(|e| e.to_string())?;
    let mut got: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.rule.id.to_string())
        .collect();
    got.sort();
    want.sort();
    let mut text = Vec::new();
    report::render(&report, OutputFormat::Text, TextStyle::default(), &mut text)
        .map_err(|e| e.to_string())?;
    let mut json = Vec::new();
    report::render(&report, OutputFormat::Json, TextStyle::default(), &mut json)
        .map_err(|e| e.to_string())?;
    if got != want {
        return Err(format!("LINT: expected {want:?}, got {got:?}"));
    }
    Ok(format!(
        "==== LINT (exit {}) ====\n{}\n---- json ----\n{}\n",
        schemaguard::exit_code(&report, Some(schemaguard::finding::Severity::Error)),
        String::from_utf8_lossy(&text),
        String::from_utf8_lossy(&json)
    ))
}

fn run_test_case(
    case_dir: &Path,
    case: &toml::Table,
    mut want: Vec<String>,
) -> Result<String, String> {
    // `old = ["v1", "v2"]`: earlier versions, oldest first (transitive modes replay against every one).
    let olds: Vec<PathBuf> = match case.get("old") {
        Some(v) => str_list(Some(v)).into_iter().map(PathBuf::from).collect(),
        None => case_dir
            .join("old")
            .is_dir()
            .then(|| PathBuf::from("old"))
            .into_iter()
            .collect(),
    };
    let mode = case
        .get("options")
        .and_then(|o| o.get("mode"))
        .and_then(|m| m.as_str())
        .and_then(Mode::parse)
        .unwrap_or(Mode::Backward);
    // `[contracts]` of case.toml is the `[contracts]` table of the repository's schemaguard.toml.
    let mut table = toml::Table::new();
    if let Some(c) = case.get("contracts") {
        table.insert("contracts".into(), c.clone());
    }
    let cfg = schemaguard::config::Config::parse(&table.to_string(), "schemaguard.toml")
        .map_err(|e| e.to_string())?;
    let report =
        schemaguard::test_dirs(case_dir, &olds, Path::new("new"), mode, &cfg.example_globs)
            .map_err(|e| e.to_string())?;
    let mut got: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.rule.id.to_string())
        .collect();
    got.sort();
    want.sort();
    let mut text = Vec::new();
    report::render(&report, OutputFormat::Text, TextStyle::default(), &mut text)
        .map_err(|e| e.to_string())?;
    let mut junit = Vec::new();
    report::render(
        &report,
        OutputFormat::Junit,
        TextStyle::default(),
        &mut junit,
    )
    .map_err(|e| e.to_string())?;
    if got != want {
        return Err(format!(
            "TEST: expected {want:?}, got {got:?}\n{}",
            String::from_utf8_lossy(&text)
        ));
    }
    Ok(format!(
        "==== TEST (exit {}) ====\n{}\n---- junit ----\n{}\n",
        schemaguard::exit_code(&report, Some(schemaguard::finding::Severity::Error)),
        String::from_utf8_lossy(&text),
        String::from_utf8_lossy(&junit)
    ))
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases = Vec::new();
    for format in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for case in std::fs::read_dir(format.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if case.path().join("case.toml").is_file() {
                cases.push(case.path());
            }
        }
    }
    cases.sort();
    // Paths in the output are relative to the crate root, as a user in the repository would see them.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR"))
        .expect("the crate root exists while its tests run");
    let only = std::env::var("FIXTURE").ok();
    let mut failed = Vec::new();
    let mut ran = 0;
    for dir in &cases {
        let rel = dir
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(dir)
            .to_path_buf();
        let name = format!(
            "{}__{}",
            rel.parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or(""),
            rel.file_name().and_then(|n| n.to_str()).unwrap_or("")
        );
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        ran += 1;
        match run_case(&rel) {
            Ok(rendered) => {
                let mut settings = insta::Settings::clone_current();
                settings.set_snapshot_path("snapshots/fixtures");
                settings.set_prepend_module_to_snapshot(false);
                settings.set_omit_expression(true);
                settings.bind(|| insta::assert_snapshot!(name.clone(), rendered));
            }
            Err(e) => failed.push(format!("{}:\n  {}", rel.display(), e.replace('\n', "\n  "))),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {ran} fixture cases failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// apache-avro 0.22 refuses a short `bytes` decimal before it reaches a removed enum symbol; the replay failure must
/// still name the symbol (the reason a reader following the Avro specification fails), and keep apache-avro's own.
#[test]
fn replay_failure_names_the_reason_a_specification_reader_fails_on() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contract/replay_failed__decimal_hides_reason");
    let report = schemaguard::test_dirs(
        &case,
        &[PathBuf::from("old")],
        Path::new("new"),
        Mode::Backward,
        &[],
    )
    .expect("the fixture runs");
    let replay: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "REPLAY_FAILED")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(replay.len(), 1, "{replay:?}");
    assert!(replay[0].contains("VOID"), "{}", replay[0]);
    assert!(
        replay[0].contains("apache-avro stops earlier"),
        "{}",
        replay[0]
    );
}

/// Trial defect 8: JSONL findings sorted by column before line (line 2 before line 1), and each snippet showed the
/// lines before the event as blank. Findings come in (line, column) order and the snippet's context is the real
/// previous line.
#[test]
fn jsonl_findings_come_in_line_order_with_the_previous_line_as_context() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contract/example_invalid__jsonl_order");
    let report = schemaguard::test_dirs(&case, &[], Path::new("new"), Mode::Backward, &[])
        .expect("the fixture runs");
    let at: Vec<(usize, usize)> = report
        .findings
        .iter()
        .filter_map(|f| f.new.as_ref())
        .map(|l| {
            let lc = l.file.line_col(l.span.start);
            (lc.line, lc.column)
        })
        .collect();
    assert_eq!(at.len(), 3, "{at:?}");
    assert_eq!(
        at.iter().map(|a| a.0).collect::<Vec<_>>(),
        vec![1, 2, 4],
        "{at:?}"
    );
    let mut text = Vec::new();
    report::render(&report, OutputFormat::Text, TextStyle::default(), &mut text).expect("renders");
    let text = String::from_utf8_lossy(&text);
    // The line-2 finding shows line 1 as it is, the line-4 one line 3.
    assert!(text.contains(r#" 1 │ {"note": "a long line"#), "{text}");
    assert!(text.contains(r#" 3 │ {"id": 3, "total": 3}"#), "{text}");
}

/// Trial defect 9: an Avro replay failure was apache-avro's Rust dump ("expected Value::String, … got: Int(3)") at
/// 1:1. It names the field, the value's path and the types, and points at the value.
#[test]
fn avro_replay_failure_names_the_field_and_points_at_the_value() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contract/replay_failed__names_the_field");
    let report = schemaguard::test_dirs(
        &case,
        &[PathBuf::from("old")],
        Path::new("new"),
        Mode::Backward,
        &[],
    )
    .expect("the fixture runs");
    let f = report
        .findings
        .iter()
        .find(|f| f.rule.id == "REPLAY_FAILED")
        .expect("a replay failure");
    assert!(
        f.message
            .contains("field `qty` (`/lines/0/qty`): written as `int`, read as `string`"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("Value::"), "{}", f.message);
    let loc = f.new.as_ref().expect("located");
    let lc = loc.file.line_col(loc.span.start);
    assert_eq!((lc.line, lc.column), (4, 27), "{}", f.message);
}

/// Trial defects 9 and 10: Protobuf replay findings on JSON examples pointed at 1:1, and a JSON mapping error
/// ("invalid digit found in string") named only the message, at the end of the token. Each is located at its value
/// (JSON names or proto names), and the mapping error names the field path.
#[test]
fn protobuf_json_example_findings_are_located_at_their_field() {
    let at = |case: &str, olds: &[PathBuf]| -> Vec<(String, usize, usize, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/contract")
            .join(case);
        let report = schemaguard::test_dirs(&dir, olds, Path::new("new"), Mode::Backward, &[])
            .expect("the fixture runs");
        report
            .findings
            .iter()
            .map(|f| {
                let l = f.new.as_ref().expect("located");
                let lc = l.file.line_col(l.span.start);
                (f.rule.id.to_string(), lc.line, lc.column, f.message.clone())
            })
            .collect()
    };
    let old = [PathBuf::from("old")];
    let changed = at("replay_value_changed__protobuf_json", &old);
    let places: Vec<(usize, usize)> = changed.iter().map(|c| (c.1, c.2)).collect();
    assert_eq!(places, vec![(3, 17), (6, 31)], "{changed:?}");
    let failed = at("replay_failed__protobuf_json", &old);
    assert!(
        failed
            .iter()
            .any(|f| f.0 == "REPLAY_FAILED" && (f.1, f.2) == (3, 18)),
        "{failed:?}"
    );
    let invalid = at("example_invalid__protobuf_json_field", &[]);
    assert_eq!((invalid[0].1, invalid[0].2), (5, 31), "{invalid:?}");
    assert!(
        invalid[0]
            .3
            .contains("(schema path `acme.v1.Payment.lines[].line_total`)"),
        "{invalid:?}"
    );
}
