//! Rendering: turns a `Report` (findings plus a summary) into one output format. Each format is one file;
//! every renderer writes only to the `Write` it is given and never decides an exit code.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Format, Location, Mode, Severity};

/// Everything a run produced, ready to render.
#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Every subject compared with at least one previous version, per mode (`snapshot::Comparison::checked`).
    /// The JUnit report turns each into one test case, so clean subjects show as passed tests.
    pub checked: Vec<Checked>,
    /// Contract tests that ran (example files and consumer contracts, by path): one JUnit test case each.
    pub contract_tests: Vec<String>,
}

/// One subject checked in one mode.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Checked {
    pub subject: String,
    pub format: Format,
    pub mode: Mode,
}

impl From<(String, Format, Mode)> for Checked {
    fn from((subject, format, mode): (String, Format, Mode)) -> Self {
        Checked {
            subject,
            format,
            mode,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Files read on the new side.
    pub files: usize,
    /// Subjects compared with at least one previous version.
    pub subjects_checked: usize,
    /// Contract tests that ran (example files and consumer contracts); filled by `Report::finish`.
    #[serde(skip_serializing_if = "is_zero")]
    pub contract_tests: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// The mode given on the command line or the config default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Every mode subjects were checked in, when they differ from `mode` (per-subject overrides); filled by
    /// `Report::finish` from `checked`. Absent when every subject was checked in `mode`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modes: Vec<Mode>,
    /// Label of the baseline compared against (`origin/main`, `abc1234`, a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Where repository files can be browsed at the checked commit (`https://github.com/o/r/blob/<sha>/`), from
    /// the CI environment (see `link_base_from_env`); Markdown links are absolute when it is set.
    #[serde(skip)]
    pub link_base: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The browse URL of the checked commit from a CI environment: GitHub (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`,
/// `GITHUB_SHA`) or GitLab (`CI_PROJECT_URL`, `CI_COMMIT_SHA`). `env` looks a variable up (`std::env::var`).
pub fn link_base_from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let get = |k: &str| {
        env(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let (Some(server), Some(repo), Some(sha)) = (
        get("GITHUB_SERVER_URL"),
        get("GITHUB_REPOSITORY"),
        get("GITHUB_SHA"),
    ) {
        return Some(format!(
            "{}/{repo}/blob/{sha}/",
            server.trim_end_matches('/')
        ));
    }
    if let (Some(project), Some(sha)) = (get("CI_PROJECT_URL"), get("CI_COMMIT_SHA")) {
        return Some(format!("{}/-/blob/{sha}/", project.trim_end_matches('/')));
    }
    None
}

impl Summary {
    /// `mode BACKWARD`, or `modes BACKWARD, FULL_TRANSITIVE` when subjects were checked in several modes (or in one
    /// other than the default); `None` when there is no mode to show.
    pub fn modes_label(&self) -> Option<String> {
        match self.modes.as_slice() {
            [] => self.mode.map(|m| format!("mode {m}")),
            [one] => Some(format!("mode {one}")),
            many => Some(format!(
                "modes {}",
                many.iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

impl Report {
    /// Sorts findings and fills the severity counts.
    pub fn finish(&mut self) {
        crate::finding::sort_findings(&mut self.findings);
        self.checked.sort();
        self.checked.dedup();
        let mut modes: Vec<Mode> = self.checked.iter().map(|c| c.mode).collect();
        modes.sort();
        modes.dedup();
        self.summary.modes =
            if modes.is_empty() || modes == self.summary.mode.into_iter().collect::<Vec<_>>() {
                Vec::new()
            } else {
                modes
            };
        self.summary.contract_tests = self.contract_tests.len();
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
    /// SARIF 2.1.0 (GitHub code scanning, IDEs).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// JUnit XML (test report widgets of CI systems).
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments.
    Markdown,
}

impl OutputFormat {
    pub const NAMES: &'static [&'static str] = &[
        "text", "json", "sarif", "github", "junit", "gitlab", "markdown",
    ];

    /// A name of `NAMES`, any case; also the names buf uses (`github-actions`, `gitlab-code-quality`) and `md`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Some(OutputFormat::Text),
            "json" => Some(OutputFormat::Json),
            "sarif" => Some(OutputFormat::Sarif),
            "github" | "github-actions" => Some(OutputFormat::Github),
            "junit" => Some(OutputFormat::Junit),
            "gitlab" | "gitlab-code-quality" => Some(OutputFormat::Gitlab),
            "markdown" | "md" => Some(OutputFormat::Markdown),
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
        OutputFormat::Sarif => sarif::render(report, out),
        OutputFormat::Github => github::render(report, out),
        OutputFormat::Junit => junit::render(report, out),
        OutputFormat::Gitlab => gitlab::render(report, out),
        OutputFormat::Markdown => markdown::render(report, out),
    }
}

/// 1-based start and end (end exclusive: the column after the last character) of a location.
pub(crate) struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub(crate) fn region(loc: &Location) -> Region {
    let (a, b) = loc.file.span_line_cols(&loc.span);
    Region {
        line: a.line,
        column: a.column,
        end_line: b.line,
        end_column: b.column,
    }
}

/// `origin/main:schemas/order.avsc:12:5`, the way the text output names a place.
pub(crate) fn place(loc: &Location) -> String {
    let r = region(loc);
    format!("{}:{}:{}", loc.file.display_name(), r.line, r.column)
}

/// Percent-encodes a `/`-separated relative path for use as a URI reference (SARIF `artifactLocation.uri`,
/// Markdown link targets): everything but RFC 3986 unreserved characters and `/` is encoded, UTF-8 byte-wise.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a 64 of a string, hex: a hash that never changes with the standard library (used for fingerprints).
pub(crate) fn fnv64_hex(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for n in OutputFormat::NAMES {
            assert!(OutputFormat::parse(n).is_some(), "{n}");
        }
        assert_eq!(
            OutputFormat::parse("GitHub-Actions"),
            Some(OutputFormat::Github)
        );
        assert_eq!(OutputFormat::parse("xml"), None);
    }

    #[test]
    fn uri_path_encodes_all_but_unreserved() {
        assert_eq!(uri_path("a/b c/ü.avsc"), "a/b%20c/%C3%BC.avsc");
        assert_eq!(uri_path("x#1?.proto"), "x%231%3F.proto");
    }
}
