//! The stable, versioned JSON document (DESIGN §4): `{"version":1,"findings":[…],"summary":{…}}`. Field names
//! and meanings never change within a version; line and column are 1-based, columns count characters.

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Location};
use crate::report::{Report, Summary};

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
pub struct JsonLocation {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub pointer: Option<String>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    severity: &'static str,
    category: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    subject: &'a str,
    /// Every subject the finding affects, `subject` first; only when there are several (version 1 stays as it was).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<&'a str>,
    format: Option<&'static str>,
    mode: Option<&'static str>,
    location: Option<JsonLocation>,
    previous: Option<JsonLocation>,
    fingerprint: String,
}

pub fn location(l: &Location) -> JsonLocation {
    let (a, b) = l.file.span_line_cols(&l.span);
    JsonLocation {
        file: l.file.shown.clone(),
        revision: l.file.revision.clone(),
        line: a.line,
        column: a.column,
        end_line: b.line,
        end_column: b.column,
        pointer: l.pointer.clone(),
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule.id,
        severity: f.severity.as_str(),
        category: f.rule.category.as_str(),
        message: &f.message,
        help: f.help.as_deref(),
        subject: &f.subject,
        subjects: if f.also.is_empty() {
            Vec::new()
        } else {
            f.subjects().collect()
        },
        format: f.format.map(|x| x.as_str()),
        mode: f.mode.map(|m| m.as_str()),
        location: f.new.as_ref().map(location),
        previous: f.old.as_ref().map(location),
        fingerprint: f.fingerprint(),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Doc {
        version: 1,
        findings: report.findings.iter().map(finding).collect(),
        summary: &report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
