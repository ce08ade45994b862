//! JUnit XML through `quick-junit`: one test suite `schemaguard`, one test case per checked subject and mode
//! (`Report::checked`), so clean subjects show as passed tests. A case fails when one of its findings has error
//! severity; warnings and notes alone leave it passed and are listed in its `system-out`. Findings that belong
//! to no checked subject (a file that does not parse, a deleted subject, lint) get a case of their own; input
//! errors (category `input`: PARSE_ERROR, READ_ERROR, …) are `<error>` cases, since the subject could not be
//! tested at all. No timestamps, no durations: the output is byte-stable.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::finding::{Category, Finding, Severity};
use crate::report::{place, Report};

/// A test case: subject, mode, the checked format (if it was checked) and its findings in report order.
struct Case<'a> {
    format: Option<&'static str>,
    findings: Vec<&'a Finding>,
}

/// One line per finding, then indented help, previous location and documentation.
fn describe(f: &Finding) -> String {
    let mut s = format!("{} {}: {}", f.severity.as_str(), f.rule.id, f.message);
    match (&f.new, &f.old) {
        (Some(new), _) => s.push_str(&format!("\n  at {}", place(new))),
        (None, Some(old)) => s.push_str(&format!(
            "\n  at {} (no longer in the new version)",
            place(old)
        )),
        (None, None) => {}
    }
    if let (Some(_), Some(old)) = (&f.new, &f.old) {
        s.push_str(&format!("\n  previously at {}", place(old)));
    }
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        s.push_str(&format!("\n  help: {help}"));
    }
    s.push_str(&format!("\n  see {}", f.rule.doc_url()));
    s
}

fn short(f: &Finding) -> String {
    match f.primary() {
        Some(loc) => format!("{}: {} at {}", f.rule.id, f.message, place(loc)),
        None => format!("{}: {}", f.rule.id, f.message),
    }
}

fn is_input_error(f: &Finding) -> bool {
    f.rule.category == Category::Input && f.severity == Severity::Error
}

fn test_case(name: String, case: &Case<'_>) -> TestCase {
    let worst = case
        .findings
        .iter()
        .find(|f| is_input_error(f))
        .or_else(|| case.findings.iter().find(|f| f.severity == Severity::Error));
    let errors = case
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let status = match worst {
        Some(first) => {
            let kind = if is_input_error(first) {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut st = TestCaseStatus::non_success(kind);
            let mut message = short(first);
            if errors > 1 {
                message.push_str(&format!(" (and {} more)", errors - 1));
            }
            st.set_message(message).set_type(first.rule.id);
            let all: Vec<String> = case.findings.iter().map(|f| describe(f)).collect();
            st.set_description(all.join("\n"));
            st
        }
        None => TestCaseStatus::success(),
    };
    let mut tc = TestCase::new(name, status);
    let group = match case.format {
        Some(format) => format,
        None if case
            .findings
            .iter()
            .any(|f| f.rule.category == Category::Input) =>
        {
            "input"
        }
        None => case
            .findings
            .first()
            .and_then(|f| f.format)
            .map_or("findings", |x| x.as_str()),
    };
    tc.set_classname(format!("schemaguard.{group}"));
    // Where the first finding is: reporters such as action-junit-report annotate from these attributes.
    if let Some(loc) = case.findings.first().and_then(|f| f.primary()) {
        tc.extra
            .insert("file".into(), loc.file.shown.clone().into());
        tc.extra.insert(
            "line".into(),
            loc.file.line_col(loc.span.start).line.to_string().into(),
        );
    }
    if worst.is_none() && !case.findings.is_empty() {
        let all: Vec<String> = case.findings.iter().map(|f| describe(f)).collect();
        tc.set_system_out(all.join("\n"));
    }
    tc
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // Keyed by (subject, mode); checked subjects first get an empty case, findings then join theirs.
    let mut cases: BTreeMap<(String, Option<&'static str>), Case<'_>> = BTreeMap::new();
    for c in &report.checked {
        cases
            .entry((c.subject.clone(), Some(c.mode.as_str())))
            .or_insert(Case {
                format: Some(c.format.as_str()),
                findings: Vec::new(),
            });
    }
    // Contract tests: one case per example file and per consumer contract, holding the findings located there.
    let tests: std::collections::HashSet<&str> =
        report.contract_tests.iter().map(String::as_str).collect();
    for t in &report.contract_tests {
        cases.entry((t.clone(), None)).or_insert(Case {
            format: Some("contract"),
            findings: Vec::new(),
        });
    }
    for f in &report.findings {
        // A finding grouped over several subjects fails each subject's case.
        // A contract test's finding fails its case: located in the example or contract, or — a reader-schema
        // contract, whose finding points at the changed schema — with the contract as its previous location.
        let in_test = [f.primary(), f.old.as_ref()]
            .into_iter()
            .flatten()
            .map(|l| l.file.shown.as_str())
            .find(|file| f.rule.category == Category::Contract && tests.contains(file))
            .or_else(|| {
                f.primary()
                    .map(|l| l.file.shown.as_str())
                    .filter(|file| tests.contains(file))
            });
        let keys: Vec<(String, Option<&str>)> = match in_test {
            Some(file) => vec![(file.to_string(), None)],
            _ => f
                .subjects()
                .map(|s| (s.to_string(), f.mode.map(|m| m.as_str())))
                .collect(),
        };
        for key in keys {
            cases
                .entry(key)
                .or_insert(Case {
                    format: None,
                    findings: Vec::new(),
                })
                .findings
                .push(f);
        }
    }
    let mut suite = TestSuite::new("schemaguard");
    for ((subject, mode), case) in &cases {
        let name = match mode {
            Some(m) => format!("{subject} [{m}]"),
            None => subject.clone(),
        };
        suite.add_test_case(test_case(name, case));
    }
    let mut doc = quick_junit::Report::new("schemaguard");
    doc.add_test_suite(suite);
    doc.serialize(&mut *out).map_err(std::io::Error::other)?;
    writeln!(out)
}
