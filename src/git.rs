//! Git as a source of snapshots, through libgit2 and never by checking out: finds the repository, resolves the
//! baseline (an explicit revision, or the merge-base of HEAD with the default branch), and reads schema files
//! from a commit's tree. Knows nothing of schema formats beyond the path filter it is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::source::{self, ReadError, SourceFile};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    #[error("not inside a git repository ({path}): `schemaguard check` compares with a git baseline.\n  run it inside a repository, or compare files or directories directly: `schemaguard compat OLD NEW`")]
    NotARepo { path: String },
    #[error(
        "the repository has no work tree (bare repository): run `schemaguard check` in a checkout"
    )]
    Bare,
    #[error("cannot resolve `{rev}`: {message}\n  pass a branch, tag, commit or `HEAD~n` that exists: `schemaguard check --against REV`")]
    BadRevision { rev: String, message: String },
    #[error("no baseline found: none of {tried} exists in this repository.\n  pass one explicitly: `schemaguard check --against origin/main` (or any branch, tag or commit)")]
    NoDefaultBranch { tried: String },
    #[error("HEAD has no commit yet: there is nothing to compare with.\n  commit first, or pass `--against REV`")]
    NoHead,
    #[error("no merge-base between HEAD and `{base}`: the histories are unrelated.\n  pass the baseline explicitly: `schemaguard check --against {base}`")]
    NoMergeBase { base: String },
    #[error("no merge-base between HEAD and `{base}`: this is a shallow clone and the history that joins them was not fetched.\n  fetch full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or pass `--against {base}` to compare with its tip")]
    ShallowNoMergeBase { base: String },
    #[error("git: {0}")]
    Other(#[from] git2::Error),
}

/// A resolved baseline commit and how to name it to the user.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub commit: Oid,
    /// What the old snippets are titled with: the branch or revision the user recognises, or a short sha.
    pub label: String,
    /// How the summary names the baseline (`merge-base of HEAD and origin/main (1a2b3c4d5e)`).
    pub description: String,
}

pub struct Git {
    pub repo: Repository,
    pub root: PathBuf,
}

impl Git {
    pub fn discover(cwd: &Path) -> Result<Git, GitError> {
        let repo = Repository::discover(cwd).map_err(|_| GitError::NotARepo {
            path: cwd.display().to_string(),
        })?;
        let root = repo.workdir().ok_or(GitError::Bare)?.to_path_buf();
        Ok(Git { repo, root })
    }

    fn short(&self, oid: Oid) -> String {
        oid.to_string()[..10].to_string()
    }

    /// Resolves a user-given revision (branch, remote branch, tag, sha, `HEAD~n`) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<Baseline, GitError> {
        let obj = self
            .repo
            .revparse_single(rev)
            .map_err(|e| GitError::BadRevision {
                rev: rev.to_string(),
                message: e.message().to_string(),
            })?;
        let commit = obj.peel_to_commit().map_err(|e| GitError::BadRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
        Ok(Baseline {
            commit: commit.id(),
            label: rev.to_string(),
            description: format!("{rev} ({})", self.short(commit.id())),
        })
    }

    /// Candidate default branches, most specific first: the CI's target branch, `origin/HEAD`, then the usual names.
    fn default_branch_candidates(&self) -> Vec<String> {
        let mut c = Vec::new();
        for var in ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] {
            if let Ok(b) = std::env::var(var) {
                if !b.trim().is_empty() {
                    c.push(format!("origin/{}", b.trim()));
                    c.push(b.trim().to_string());
                }
            }
        }
        if let Ok(r) = self.repo.find_reference("refs/remotes/origin/HEAD") {
            if let Ok(Some(target)) = r.symbolic_target() {
                if let Some(name) = target.strip_prefix("refs/remotes/") {
                    c.push(name.to_string());
                }
            }
        }
        for n in ["origin/main", "origin/master", "main", "master"] {
            c.push(n.to_string());
        }
        c.dedup();
        c
    }

    /// The default baseline: merge-base of HEAD with the default branch.
    pub fn merge_base_baseline(&self) -> Result<Baseline, GitError> {
        let head = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .ok_or(GitError::NoHead)?;
        let candidates = self.default_branch_candidates();
        let found = candidates.iter().find_map(|name| {
            self.repo
                .revparse_single(name)
                .ok()
                .and_then(|o| o.peel_to_commit().ok())
                .map(|c| (name.clone(), c.id()))
        });
        let Some((name, tip)) = found else {
            return Err(GitError::NoDefaultBranch {
                tried: candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        match self.repo.merge_base(head.id(), tip) {
            Ok(base) => {
                let short = self.short(base);
                let label = if base == tip {
                    name.clone()
                } else {
                    short.clone()
                };
                Ok(Baseline {
                    commit: base,
                    label,
                    description: format!("merge-base of HEAD and {name} ({short})"),
                })
            }
            Err(_) if self.repo.is_shallow() => Err(GitError::ShallowNoMergeBase { base: name }),
            Err(_) => Err(GitError::NoMergeBase { base: name }),
        }
    }

    /// Reads every blob of `commit`'s tree whose repository-relative path passes `keep`.
    pub fn read_tree(
        &self,
        commit: Oid,
        label: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<Arc<SourceFile>>, Vec<ReadError>), GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut wanted: Vec<(String, Oid)> = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                if let Ok(name) = entry.name() {
                    let path = format!("{dir}{name}");
                    if keep(&path) {
                        wanted.push((path, entry.id()));
                    }
                }
            }
            TreeWalkResult::Ok
        })?;
        wanted.sort();
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for (path, oid) in wanted {
            match self.repo.find_blob(oid) {
                Ok(blob) => match source::decode(&path, blob.content().to_vec()) {
                    Ok(text) => files.push(SourceFile::new(path, Some(label.to_string()), text)),
                    Err(e) => errors.push(e),
                },
                Err(e) => errors.push(ReadError::Io {
                    path,
                    err: std::io::Error::other(e.message().to_string()),
                }),
            }
        }
        Ok((files, errors))
    }
}
