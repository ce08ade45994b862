//! Snapshot sources: where the files of one side of a check come from. Every source — the working tree, the git
//! index, a directory, a git revision or a revision's first-parent history — answers the same two questions:
//! what it is (for the summary) and which labelled snapshots it holds (oldest first). `check` chooses its sources,
//! reads them, and hands the snapshots to `snapshot::load` / `snapshot::compare`; it never reads files itself.
//! Nothing here parses schemas.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::Oid;

use crate::finding::Finding;
use crate::git::{Baseline, Git, GitError};
use crate::snapshot;
use crate::source::{self, SourceFile};

/// One snapshot read but not loaded yet: its label (`None` for the working tree or the index), its files, and
/// findings for the files that could not be read.
#[derive(Debug, Default)]
pub struct RawSnapshot {
    pub label: Option<String>,
    pub files: Vec<Arc<SourceFile>>,
    pub errors: Vec<Finding>,
}

/// Which file paths a source should read (the formats' cheap name filter).
pub type Keep<'a> = &'a dyn Fn(&str) -> bool;

/// Errors that stop reading a source (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Run(#[from] crate::RunError),
}

/// A place snapshots come from.
pub trait Source {
    /// How the summary names it (`directory old/`, `merge-base of HEAD and origin/main (1a2b3c4d5e)`).
    fn describe(&self) -> String;
    /// Its snapshots, oldest first; the last one is the baseline. Empty when there is nothing to compare with.
    fn read(&self, keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError>;
}

/// The working tree below `root`, honouring `.gitignore`.
pub struct WorkingTree {
    pub root: PathBuf,
}

impl Source for WorkingTree {
    fn describe(&self) -> String {
        "the working tree".to_string()
    }

    fn read(&self, keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError> {
        let mut snap = RawSnapshot::default();
        for (fs_path, rel) in source::walk_pruned(&self.root, keep, crate::contract::is_test_dir) {
            match source::read_file(&fs_path, &rel) {
                Ok(f) => snap.files.push(f),
                Err(e) => snap.errors.push(snapshot::read_error_finding(&e, None)),
            }
        }
        Ok(vec![snap])
    }
}

/// The staged content (the git index): what `git commit` would record.
pub struct Index<'a> {
    pub git: &'a Git,
}

impl Source for Index<'_> {
    fn describe(&self) -> String {
        "the index (staged changes)".to_string()
    }

    fn read(&self, keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError> {
        let (files, errors) = self.git.read_index(keep)?;
        let errors = errors
            .iter()
            .map(|e| snapshot::read_error_finding(e, None))
            .collect();
        Ok(vec![RawSnapshot {
            label: None,
            files,
            errors,
        }])
    }
}

/// A plain directory holding previous versions (`--against-dir`), labelled as the user typed it.
pub struct Directory {
    /// Where it is on disk.
    pub path: PathBuf,
    /// The path as given, which labels its files.
    pub label: String,
}

impl Source for Directory {
    fn describe(&self) -> String {
        format!("directory {}", self.label)
    }

    fn read(&self, keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError> {
        if !self.path.is_dir() {
            return Err(crate::RunError::NoSuchPath(self.label.clone()).into());
        }
        let read_dir = |path: &Path, label: &str| {
            let mut snap = RawSnapshot {
                label: Some(label.to_string()),
                ..RawSnapshot::default()
            };
            for (fs_path, rel) in source::walk_pruned(path, keep, crate::contract::is_test_dir) {
                match source::read_file(&fs_path, &rel) {
                    Ok(f) => snap.files.push(SourceFile::new(
                        f.path.clone(),
                        Some(label.to_string()),
                        Arc::clone(&f.text),
                    )),
                    Err(e) => snap
                        .errors
                        .push(snapshot::read_error_finding(&e, Some(label))),
                }
            }
            snap
        };
        // A `registry pull --all-versions` copy: each older version is a snapshot of its own before the latest
        // (the last), so transitive levels check against every pulled version, as `--against-registry` does.
        let mut out: Vec<RawSnapshot> = crate::registry::ids::PulledCopy::read(&self.path)
            .map(|copy| copy.older)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, _, folder)| self.path.join(folder).is_dir())
            .map(|(subject, version, folder)| {
                read_dir(
                    &self.path.join(folder),
                    &format!("{} ({subject} v{version})", self.label),
                )
            })
            .collect();
        out.push(read_dir(&self.path, &self.label));
        Ok(out)
    }
}

/// Nothing to compare with (the first commit of a repository): no snapshot, so nothing can break.
pub struct Nothing {
    pub why: String,
}

impl Source for Nothing {
    fn describe(&self) -> String {
        format!("nothing ({})", self.why)
    }

    fn read(&self, _keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError> {
        Ok(Vec::new())
    }
}

/// A git revision, or (for transitive modes) the distinct schema versions along its first-parent history.
pub struct GitRevisions<'a> {
    pub git: &'a Git,
    pub baseline: Baseline,
    /// Commits to read, oldest first, the baseline last.
    pub commits: Vec<Oid>,
}

impl<'a> GitRevisions<'a> {
    /// The baseline commit alone.
    pub fn single(git: &'a Git, baseline: Baseline) -> Self {
        let commits = vec![baseline.commit];
        GitRevisions {
            git,
            baseline,
            commits,
        }
    }

    /// At most `limit` first-parent commits of the baseline, back to `since` (a revision the user gave, resolved
    /// by the caller as `(rev, commit)`), which must be among them.
    pub fn history(
        git: &'a Git,
        baseline: Baseline,
        limit: usize,
        since: Option<(&str, Oid)>,
    ) -> Result<Self, SourceError> {
        let limit = limit.max(1);
        let mut commits = git.first_parent_history(baseline.commit, limit, since.map(|(_, c)| c));
        if let Some((rev, since)) = since {
            if !commits.contains(&since) {
                return Err(crate::RunError::Usage(format!(
                    "--since `{rev}` is not among the first {limit} first-parent commits of the baseline ({}): pass an ancestor of the baseline, or a larger --history",
                    baseline.label
                ))
                .into());
            }
        }
        commits.reverse();
        Ok(GitRevisions {
            git,
            baseline,
            commits,
        })
    }
}

impl Source for GitRevisions<'_> {
    fn describe(&self) -> String {
        self.baseline.description.clone()
    }

    fn read(&self, keep: Keep<'_>) -> Result<Vec<RawSnapshot>, SourceError> {
        let git = self.git;
        let mut out: Vec<RawSnapshot> = Vec::new();
        let mut last_sig = None;
        let count = self.commits.len();
        for (i, &commit) in self.commits.iter().enumerate() {
            let is_baseline = i + 1 == count;
            let sig = git.tree_signature(commit, keep, crate::contract::is_test_dir)?;
            // Skip commits that changed no schema: each distinct version is compared once.
            if !is_baseline && last_sig.as_ref() == Some(&sig) {
                continue;
            }
            if is_baseline && last_sig.as_ref() == Some(&sig) {
                out.pop();
            }
            let label = if is_baseline {
                self.baseline.label.clone()
            } else {
                git.short_id(commit)
            };
            let (files, read_errors) =
                git.read_tree(commit, &label, keep, crate::contract::is_test_dir)?;
            let errors = read_errors
                .iter()
                .map(|e| snapshot::read_error_finding(e, Some(&label)))
                .collect();
            out.push(RawSnapshot {
                label: Some(label),
                files,
                errors,
            });
            last_sig = Some(sig);
        }
        Ok(out)
    }
}
