//! SARIF 2.1.0 for GitHub code scanning and SARIF viewers: one run, the rules that occur in the results (with
//! their Markdown docs as help), one result per finding at its new location (the old location as a related
//! location), fingerprints from `Finding::fingerprint`. Hand-written serde types, only the parts we fill; the
//! tests validate the output against the official schema. This module must not print anything else.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Location, Severity};
use crate::report::{place, region, uri_path, Report};
use crate::rules::Rule;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/schemaguard/schemaguard";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Our columns count Unicode scalar values, not UTF-16 code units (SARIF's other choice).
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    category: &'static str,
    formats: Vec<&'static str>,
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
    /// On a previous location: which revision's content the line refers to (issue 11 item 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<BaselineProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// The element's path inside its schema (JSON pointer or Protobuf path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct ResultProperties {
    subject: String,
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
    /// Where the element was, for a result whose only location is in the previous version (a deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<String>,
}

pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `FIELD_NO_DELETE` → `FieldNoDelete`: SARIF's `name` is a readable identifier, the id stays the key.
fn pascal_name(id: &str) -> String {
    id.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The text of the doc's `## What it flags` section, one paragraph; the summary when there is none.
pub(crate) fn what_it_flags(rule: &Rule) -> String {
    let body = rule.body();
    let Some(start) = body.find("## What it flags") else {
        return rule.summary.to_string();
    };
    let rest = &body[start + "## What it flags".len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let text = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        rule.summary.to_string()
    } else {
        text
    }
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor<'static> {
    ReportingDescriptor {
        id: rule.id,
        name: pascal_name(rule.id),
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: what_it_flags(rule),
        },
        help: Help {
            text: rule.body(),
            markdown: rule.body(),
        },
        help_uri: rule.doc_url(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            category: rule.category.as_str(),
            formats: rule.formats.iter().map(|f| f.as_str()).collect(),
            tags: vec!["schemaguard", rule.category.as_str()],
        },
    }
}

fn physical(loc: &Location) -> PhysicalLocation {
    let r = region(loc);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(&loc.file.shown),
        },
        region: Region {
            start_line: r.line,
            start_column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
        },
    }
}

fn logical(loc: &Location) -> Vec<LogicalLocation> {
    loc.pointer
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| LogicalLocation {
            fully_qualified_name: p.clone(),
        })
        .collect()
}

/// A previous location's line is in the baseline revision's content, not in the file a viewer opens at that
/// path: the message says so, and the property bag names the revision.
fn previous_label(loc: &Location) -> String {
    let line = region(loc).line;
    match &loc.file.revision {
        Some(rev) => format!(
            "previous version: line {line} of {} in the baseline revision {rev}, not in the current file",
            loc.file.shown
        ),
        None => format!("previous version in {} (line {line})", loc.file.shown),
    }
}

#[derive(Serialize)]
struct BaselineProperties {
    /// Always true: the location is in the baseline's content.
    baseline: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<String>,
}

fn baseline_properties(loc: &Location) -> Option<BaselineProperties> {
    Some(BaselineProperties {
        baseline: true,
        revision: loc.file.revision.clone(),
    })
}

fn result(f: &Finding, rule_index: usize) -> SarifResult {
    let mut text = format!("{} ({})", f.message, f.subjects_phrase());
    let mut locations = Vec::new();
    let mut related = Vec::new();
    match (&f.new, &f.old) {
        (Some(new), old) => {
            locations.push(SarifLocation {
                id: None,
                physical_location: physical(new),
                logical_locations: logical(new),
                message: None,
                properties: None,
            });
            if let Some(old) = old {
                related.push(SarifLocation {
                    id: Some(1),
                    physical_location: physical(old),
                    logical_locations: logical(old),
                    message: Some(Text {
                        text: previous_label(old),
                    }),
                    properties: baseline_properties(old),
                });
            }
        }
        // A deletion: code scanning needs a location, so the result sits at the old path and line.
        (None, Some(old)) => {
            text.push_str(&format!(
                " (no longer in the new version; shown where it was: {})",
                place(old)
            ));
            locations.push(SarifLocation {
                id: None,
                physical_location: physical(old),
                logical_locations: logical(old),
                message: Some(Text {
                    text: previous_label(old),
                }),
                properties: baseline_properties(old),
            });
        }
        (None, None) => {}
    }
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("schemaguard/v1", f.fingerprint());
    SarifResult {
        rule_id: f.rule.id,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations,
        related_locations: related,
        partial_fingerprints: fingerprints,
        properties: ResultProperties {
            subject: f.subject.clone(),
            category: f.rule.category.as_str(),
            format: f.format.map(|x| x.as_str()),
            mode: f.mode.map(|m| m.as_str()),
            revision: match (&f.new, &f.old) {
                (None, Some(old)) => old.file.revision.clone(),
                _ => None,
            },
        },
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // The rules that occur, sorted by id; a result names its rule by index into this list.
    let mut rules: Vec<&'static Rule> = report.findings.iter().map(|f| f.rule).collect();
    rules.sort_by_key(|r| r.id);
    rules.dedup_by_key(|r| r.id);
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let results = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule.id).copied().unwrap_or(0)))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "schemaguard",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: rules.into_iter().map(descriptor).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_names() {
        assert_eq!(pascal_name("FIELD_NO_DELETE"), "FieldNoDelete");
        assert_eq!(pascal_name("PARSE_ERROR"), "ParseError");
    }
}
