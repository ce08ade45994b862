//! GitLab Code Quality report: a JSON array of issues (`description`, `check_name`, `fingerprint`, `severity`,
//! `location.path`, `location.lines.begin`/`end`) that GitLab shows in the merge request widget and diff.
//! Severity mapping: error → `critical`, warning → `minor`, info → `info` (see `severity`). Nothing else
//! is printed.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::report::{fnv64_hex, place, region, Report};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// An error-severity finding fails the job, so it is `critical`: it sorts above the `major` and `minor` issues
/// of other linters sharing the widget. Warnings are `minor`, notes `info`; `blocker` and `major` are unused.
pub(crate) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// The identity of a finding for GitLab, which compares fingerprints of the base and head pipelines to tell
/// new issues from resolved ones: `Finding::fingerprint` (rule, subject, mode, paths and pointers — no
/// wording, no line numbers), plus the rule and the primary location's path and pointer (its line:column only
/// when it has no pointer). Duplicates left in one report get an occurrence number, so every value is unique.
fn identity(f: &Finding) -> String {
    let mut key = format!("{}\u{1f}{}", f.fingerprint(), f.rule.id);
    if let Some(loc) = f.primary() {
        key.push('\u{1f}');
        key.push_str(&loc.file.shown);
        key.push('\u{1f}');
        match &loc.pointer {
            Some(p) => key.push_str(p),
            None => {
                let r = region(loc);
                key.push_str(&format!("{}:{}", r.line, r.column));
            }
        }
    }
    key
}

fn issue(f: &Finding, fingerprint: String) -> Issue {
    let mut description = format!("{}: {} ({})", f.rule.id, f.message, f.subjects_phrase());
    let (path, lines) = match (&f.new, &f.old) {
        (Some(loc), _) => {
            let r = region(loc);
            (loc.file.shown.clone(), (r.line, r.end_line))
        }
        // A deletion: the issue sits on the deleted file's path at its old lines.
        (None, Some(old)) => {
            description.push_str(&format!(
                " (no longer in the new version; was at {})",
                place(old)
            ));
            let r = region(old);
            (old.file.shown.clone(), (r.line, r.end_line))
        }
        // GitLab requires a path; a finding without a location is reported against the repository root.
        (None, None) => (".".to_string(), (1, 1)),
    };
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        description.push_str(" — help: ");
        description.push_str(help);
    }
    Issue {
        description,
        check_name: f.rule.id,
        fingerprint,
        severity: severity(f.severity),
        location: IssueLocation {
            path,
            lines: Lines {
                begin: lines.0,
                end: lines.1,
            },
        },
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| {
            let key = identity(f);
            let n = seen.entry(key.clone()).or_insert(0);
            let keyed = if *n == 0 {
                key
            } else {
                format!("{key}\u{1f}#{n}")
            };
            *n += 1;
            issue(f, fnv64_hex(&keyed))
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
