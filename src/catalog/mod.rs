//! The event catalog (`schemaguard catalog`): every subject of a repository with its format, owner, doc, fields,
//! example events, consumers, references in both directions and its history from git, gathered into one value
//! (`Catalog`) that the renderers (`html`, `markdown`) turn into a static site. This module gathers; it reuses the
//! loading, the compat engines and the git source as `check` does, and never prints.

mod gather;
mod history;
mod html;
mod markdown;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::finding::{Format, Mode};
use crate::formats::outline::Outline;
use crate::git::CommitInfo;

pub use gather::{build, BuildOptions};

/// Errors that stop the catalog (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot write `{path}`: {err}")]
    Write { path: String, err: std::io::Error },
    /// A schema with two contract sidecars: which one the catalog shows would be a guess.
    #[error("{0}")]
    Sidecar(crate::sidecar::SidecarError),
}

/// Everything the catalog shows.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub title: String,
    /// The commit the catalog describes (HEAD), if the repository has one.
    pub head: Option<CommitInfo>,
    /// Sorted by subject name.
    pub subjects: Vec<Entry>,
}

/// One subject.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub name: String,
    /// File name of its page, without extension (unique, safe on every file system).
    pub slug: String,
    pub format: Format,
    /// Repository path of the schema file.
    pub file: String,
    pub mode: Mode,
    pub owner: Option<String>,
    /// Further `metadata.properties` of the sidecar (email, slo, …), sorted by key.
    pub properties: Vec<(String, String)>,
    pub outline: Option<Outline>,
    /// Field paths marked as personal data (a PII/SENSITIVE tag inline or by a sidecar `metadata.tags` glob).
    pub pii: Vec<String>,
    /// Tags the sidecar's `metadata.tags` globs give (sorted, distinct), for the search box.
    pub tags: Vec<String>,
    pub examples: Vec<Example>,
    pub consumers: Vec<Consumer>,
    /// Subjects whose types this one uses.
    pub uses: Vec<String>,
    /// Subjects that use a type of this one.
    pub used_by: Vec<String>,
    /// Newest first.
    pub history: Vec<Version>,
    /// Problems loading the current schema (parse errors), as one-line messages.
    pub problems: Vec<String>,
}

impl Entry {
    /// What the subject is, in a line or a paragraph: the file's own doc (Avro record / JSON Schema description,
    /// Protobuf package comment), else its main type's (the first Protobuf message's leading comment).
    pub fn summary_doc(&self) -> Option<&str> {
        let o = self.outline.as_ref()?;
        o.doc
            .as_deref()
            .or_else(|| o.types.first().and_then(|t| t.doc.as_deref()))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// Repository path.
    pub file: String,
    /// Pretty-printed JSON (or the text as it is, when it is not JSON), cut at `MAX_EXAMPLE_CHARS`.
    pub text: String,
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Consumer {
    pub name: String,
    /// Repository path of the contract.
    pub file: String,
    /// What it reads: `path: type (required)`, as declared.
    pub reads: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// First version of the subject.
    Added,
    Compatible,
    /// Compatible, with warnings.
    Warnings,
    /// At least one error-severity finding under the subject's mode.
    Breaking,
    /// Mode NONE: not checked.
    NotChecked,
    /// The version does not load (parse error).
    Broken,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Added => "added",
            Verdict::Compatible => "compatible",
            Verdict::Warnings => "compatible, with warnings",
            Verdict::Breaking => "breaking",
            Verdict::NotChecked => "not checked (mode NONE)",
            Verdict::Broken => "does not load",
        }
    }
}

/// One version of a subject: a commit that changed its file (or the uncommitted working tree).
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// `None` for uncommitted changes in the working tree.
    pub commit: Option<CommitInfo>,
    pub verdict: Verdict,
    pub findings: Vec<FindingView>,
}

/// A finding as the history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// `file:line` in the new version (or the old one for a deletion).
    pub at: Option<String>,
}

/// Output form of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteFormat {
    Html,
    Markdown,
}

/// Longest example text shown (the rest is cut, with a note).
pub const MAX_EXAMPLE_CHARS: usize = 4_000;

/// Writes the site into `out`: `index.html` (or `index.md`), one page per subject under `subjects/`, and for HTML
/// the style sheet `style.css`.
/// Returns the files written, relative to `out`.
pub fn write_site(
    catalog: &Catalog,
    format: SiteFormat,
    out: &Path,
) -> Result<Vec<PathBuf>, CatalogError> {
    let write_err = |p: &Path, err| CatalogError::Write {
        path: p.display().to_string(),
        err,
    };
    let subjects = out.join("subjects");
    std::fs::create_dir_all(&subjects).map_err(|e| write_err(&subjects, e))?;
    let write = |(rel, text): (PathBuf, String)| {
        let path = out.join(&rel);
        std::fs::write(&path, text).map_err(|e| write_err(&path, e))?;
        Ok(rel)
    };
    // Pages are independent: rendered and written in parallel, one in memory per thread (a large repository's
    // site is hundreds of MB, and creating thousands of files is mostly file-system time).
    let index = match format {
        SiteFormat::Html => html::index_page(catalog),
        SiteFormat::Markdown => markdown::index_page(catalog),
    };
    let mut written = vec![write(index)?];
    if format == SiteFormat::Html {
        written.push(write(html::style_sheet())?);
    }
    let pages: Result<Vec<PathBuf>, CatalogError> = catalog
        .subjects
        .par_iter()
        .map(|e| {
            write(match format {
                SiteFormat::Html => html::subject_page(catalog, e),
                SiteFormat::Markdown => markdown::subject_page(catalog, e),
            })
        })
        .collect();
    written.extend(pages?);
    Ok(written)
}

/// `2026-12-04 16:30 UTC` from seconds since the epoch (no time-zone database: the catalog is byte-stable).
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// A file name for a subject's page: letters, digits, `.`, `-`, `_` kept, anything else `_`.
fn slug_of(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "subject".into()
    } else if s.len() > 120 {
        s[..120].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_733_330_000), "2024-12-04 16:33 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug_of("google/api/http.proto"), "google_api_http.proto");
        assert_eq!(slug_of("acme.Order"), "acme.Order");
        assert_eq!(slug_of("../x"), "_x");
    }
}
