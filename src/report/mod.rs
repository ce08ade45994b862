//! Rendering: turns a `Report` (findings plus a summary) into one output format. Each format is one file;
//! every renderer writes only to the `Write` it is given and never decides an exit code.

pub mod json;
pub mod text;

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Mode, Severity};

/// Everything a run produced, ready to render.
#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Files read on the new side.
    pub files: usize,
    /// Subjects compared with at least one previous version.
    pub subjects_checked: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// The mode given on the command line or the config default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Label of the baseline compared against (`origin/main`, `abc1234`, a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

impl Report {
    /// Sorts findings and fills the severity counts.
    pub fn finish(&mut self) {
        crate::finding::sort_findings(&mut self.findings);
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

impl OutputFormat {
    pub const NAMES: &'static [&'static str] = &["text", "json"];

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Some(OutputFormat::Text),
            "json" => Some(OutputFormat::Json),
            _ => None,
        }
    }
}

/// How to render text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextStyle {
    pub color: bool,
    /// Terminal width; `None` for a fixed 100 columns (pipes, tests).
    pub width: Option<usize>,
}

pub fn render(
    report: &Report,
    format: OutputFormat,
    style: TextStyle,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Text => text::render(report, style, out),
        OutputFormat::Json => json::render(report, out),
    }
}
