//! Raw documents and their positions: a `SourceFile` is one file's text as read from one origin (the working
//! tree, a git revision, a plain directory), with a line index so any byte span maps to `line:column`.
//! This module owns reading bytes and mapping offsets; it knows nothing of schema formats.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file's text at one origin.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user: relative to the repository root or to the argument given, `/`-separated.
    pub path: String,
    /// The path as the user can open it: `path`, or, for a file below a directory given to `compat`, that
    /// directory joined with `path`. Reports show this one.
    pub shown: String,
    /// `None` for the working tree or a plain path; else the revision label (`origin/main`, `HEAD~1`, …).
    pub revision: Option<String>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// Characters before each [`CHAR_BLOCK`]-byte block of the text, built on the first column asked for, so
    /// a column costs at most two blocks of counting however long the line (a 1 MB line with thousands of
    /// findings stays linear).
    char_marks: std::sync::OnceLock<Vec<usize>>,
}

/// Bytes per entry of the character index (see [`SourceFile::line_col`]).
const CHAR_BLOCK: usize = 4096;

/// Characters in `bytes` of UTF-8 (bytes that do not continue a multi-byte character); any cut is fine.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// A 1-based line and column (column counted in Unicode scalar values, as editors and GitHub do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(
        path: impl Into<String>,
        revision: Option<String>,
        text: impl Into<Arc<str>>,
    ) -> Arc<Self> {
        let path = path.into();
        Self::with_shown(path.clone(), path, revision, text)
    }

    /// A file whose logical `path` (for imports, pairing) differs from the path the user sees.
    pub fn with_shown(
        path: impl Into<String>,
        shown: impl Into<String>,
        revision: Option<String>,
        text: impl Into<Arc<str>>,
    ) -> Arc<Self> {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Arc::new(SourceFile {
            path: path.into(),
            shown: shown.into(),
            revision,
            text,
            line_starts,
            char_marks: std::sync::OnceLock::new(),
        })
    }

    /// `origin/main:schemas/order.avsc` for a revision, the plain path otherwise.
    pub fn display_name(&self) -> String {
        match &self.revision {
            Some(rev) => format!("{rev}:{}", self.shown),
            None => self.shown.clone(),
        }
    }

    /// Characters before byte `offset` (a char boundary within the text): an index entry plus at most one
    /// block counted.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
            let mut n = 0;
            marks.push(0);
            for block in bytes.chunks(CHAR_BLOCK) {
                n += count_chars(block);
                marks.push(n);
            }
            marks
        });
        let b = offset / CHAR_BLOCK;
        marks.get(b).copied().unwrap_or(0) + count_chars(&bytes[b * CHAR_BLOCK..offset])
    }

    /// Maps a byte offset (clamped to the text, moved back to a char boundary) to line and column: a binary
    /// search of the line starts, and a column counted in at most two blocks of the character index.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let mut start = self.line_starts[line_idx];
        // A leading byte order mark is no column: editors and GitHub do not show it.
        if start == 0 && offset >= 3 && self.text.starts_with('\u{feff}') {
            start = 3;
        }
        let column = if offset - start <= CHAR_BLOCK {
            count_chars(&self.text.as_bytes()[start..offset]) + 1
        } else {
            self.chars_before(offset) - self.chars_before(start) + 1
        };
        LineCol {
            line: line_idx + 1,
            column,
        }
    }

    /// The 0-based index of the line holding `offset` (clamped to the text).
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset.min(self.text.len())) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Number of lines (a trailing newline starts one more, empty line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of line `idx` (0-based) without its line break (`\n` or `\r\n`); empty past the end.
    pub fn line_range(&self, idx: usize) -> Range<usize> {
        let Some(&start) = self.line_starts.get(idx) else {
            return self.text.len()..self.text.len();
        };
        let mut end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Line/column of both ends of a span; an empty span ends where it starts.
    pub fn span_line_cols(&self, span: &Range<usize>) -> (LineCol, LineCol) {
        (
            self.line_col(span.start),
            self.line_col(span.end.max(span.start)),
        )
    }
}

/// Why a file could not be read. Travels beside the files that could (see `load_paths`).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read `{path}`: {err}")]
    Io {
        path: String,
        #[source]
        err: std::io::Error,
    },
    #[error("`{path}` is not valid UTF-8 (first invalid byte at offset {offset})")]
    NotUtf8 { path: String, offset: usize },
}

impl ReadError {
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. } | ReadError::NotUtf8 { path, .. } => path,
        }
    }
}

/// Decodes bytes as UTF-8, naming the first bad offset.
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Reads one file of the working tree or a plain directory.
pub fn read_file(fs_path: &Path, display: &str) -> Result<Arc<SourceFile>, ReadError> {
    let bytes = std::fs::read(fs_path).map_err(|err| ReadError::Io {
        path: display.to_string(),
        err,
    })?;
    let text = decode(display, bytes)?;
    Ok(SourceFile::new(display, None, text))
}

/// `/`-separated display form of a relative path.
pub fn slash_path(p: &Path) -> String {
    // The common case, a plain relative path (`a/b.json`), as it is: no allocation per component.
    if !cfg!(windows) {
        if let Some(s) = p.to_str() {
            if is_plain_relative(s) {
                return s.to_string();
            }
        }
    }
    let s: Vec<String> = p
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    if s.is_empty() {
        p.to_string_lossy().into_owned()
    } else if p.has_root() {
        // An absolute path given on the command line stays absolute.
        format!("/{}", s.join("/"))
    } else {
        s.join("/")
    }
}

/// Walks `root` honouring `.gitignore` (also outside a git repository) and returns files accepted by `keep`,
/// sorted, as (filesystem path, path relative to `root`).
pub fn walk(root: &Path, keep: &dyn Fn(&str) -> bool) -> Vec<(PathBuf, String)> {
    walk_pruned(root, keep, |_| false)
}

/// A relative `/`-separated path without empty, `.` or `..` segments: what [`slash_path`] would make of it.
fn is_plain_relative(s: &str) -> bool {
    !s.is_empty()
        && s.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// `path` relative to `root`, `/`-separated; a byte-prefix fast path before `Path::strip_prefix`'s component walk.
fn relative(root: &Path, path: &Path) -> String {
    if !cfg!(windows) {
        if let (Some(r), Some(p)) = (root.to_str(), path.to_str()) {
            if let Some(rest) = p.strip_prefix(r).and_then(|x| x.strip_prefix('/')) {
                if is_plain_relative(rest) {
                    return rest.to_string();
                }
            }
        }
    }
    slash_path(path.strip_prefix(root).unwrap_or(path))
}

/// [`walk`], not descending into the directories `prune` names (by their `/`-separated path relative to
/// `root`): a schema walk skips `examples/<subject>/` without visiting each recorded event.
pub fn walk_pruned(
    root: &Path,
    keep: &dyn Fn(&str) -> bool,
    prune: fn(&str) -> bool,
) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let base = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .hidden(true)
        // No per-directory sort: the result is sorted by repository path below.
        // A nested repository (a submodule, a vendored clone) is not part of this one: its files are not in the
        // baseline's tree either.
        .filter_entry(move |e| {
            let dir = e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir());
            !(dir
                && (e
                    .path()
                    .strip_prefix(&base)
                    .is_ok_and(|rel| prune(&slash_path(rel)))
                    || e.path().join(".git").exists()))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = relative(root, entry.path());
        if keep(&rel) {
            out.push((entry.path().to_path_buf(), rel));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pruned directory is not entered: its files are not returned even when `keep` takes everything.
    #[test]
    fn slash_path_fast_path_agrees_with_components() {
        for p in ["a/b.json", "a", "./a/b", "a//b", "../x/y", "a/./b"] {
            let slow: Vec<String> = Path::new(p)
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    std::path::Component::ParentDir => Some("..".to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(slash_path(Path::new(p)), slow.join("/"), "{p}");
        }
        assert_eq!(
            relative(Path::new("/r"), Path::new("/r/a/b.json")),
            "a/b.json"
        );
        assert_eq!(relative(Path::new("/r"), Path::new("/rx/a")), "/rx/a");
    }

    #[test]
    fn walk_pruned_skips_named_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        for p in [
            "schemas/order.avsc",
            "examples/acme.Order/a.json",
            "examples/acme.Order/deep/b.json",
            "examples/readme.json",
        ] {
            let full = dir.path().join(p);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, "{}").expect("write");
        }
        let got: Vec<String> = walk_pruned(dir.path(), &|_| true, crate::contract::is_test_dir)
            .into_iter()
            .map(|(_, rel)| rel)
            .collect();
        assert_eq!(got, vec!["examples/readme.json", "schemas/order.avsc"]);
        assert_eq!(walk(dir.path(), &|_| true).len(), 4);
    }

    #[test]
    fn line_col_counts_chars_from_one() {
        let f = SourceFile::new("a", None, "ab\ncé d\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `d` is after a two-byte char: byte 7, column 4
        assert_eq!(f.line_col(7), LineCol { line: 2, column: 4 });
        // inside a multi-byte char: moved back
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(999).line, 3);
    }

    /// Columns far into a long line (through the character index) count characters, not bytes.
    #[test]
    fn line_col_on_a_long_line_with_multibyte_chars() {
        let mut text = String::from("x\n");
        let mut chars = 0;
        for i in 0..20_000 {
            text.push(if i % 3 == 0 { 'é' } else { 'a' });
            chars += 1;
        }
        text.push('Z');
        let z = text.len() - 1;
        text.push_str("\nlast");
        let f = SourceFile::new("a", None, text.as_str());
        assert_eq!(
            f.line_col(z),
            LineCol {
                line: 2,
                column: chars + 1
            }
        );
        // Every offset agrees with counting from the line start (offsets inside a char move back).
        for off in (2..z).step_by(997) {
            let mut b = off;
            while !text.is_char_boundary(b) {
                b -= 1;
            }
            assert_eq!(
                f.line_col(off).column,
                text[2..b].chars().count() + 1,
                "{off}"
            );
        }
        assert_eq!(f.line_col(z + 3), LineCol { line: 3, column: 2 });
    }

    #[test]
    fn slash_path_keeps_absolute_paths() {
        assert_eq!(slash_path(Path::new("/a/b.avsc")), "/a/b.avsc");
        assert_eq!(slash_path(Path::new("./a/../b.avsc")), "a/../b.avsc");
        assert_eq!(slash_path(Path::new("a/b.avsc")), "a/b.avsc");
    }

    #[test]
    fn display_name_has_revision() {
        let f = SourceFile::new("s/o.avsc", Some("origin/main".into()), "");
        assert_eq!(f.display_name(), "origin/main:s/o.avsc");
    }
}
