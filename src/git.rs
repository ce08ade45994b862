//! Git as a source of snapshots, through libgit2 and never by checking out: finds the repository, resolves the
//! baseline (an explicit revision, or the merge-base of HEAD with the default branch), and reads schema files
//! from a commit's tree. Knows nothing of schema formats beyond the path filter it is given.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::source::{self, ReadError, SourceFile};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    #[error("not inside a git repository ({path}): `schemaguard check` and `test` compare with a git baseline.\n  run it inside a repository, or compare files or directories directly: `schemaguard compat OLD NEW`")]
    NotARepo { path: String },
    #[error(
        "the repository has no work tree (bare repository): run `schemaguard check` in a checkout"
    )]
    Bare,
    #[error("cannot resolve `{rev}`: {message}\n  name a branch, tag, commit or `HEAD~n` that exists in this repository")]
    BadRevision { rev: String, message: String },
    #[error("no baseline found: none of {tried} exists in this repository.\n  pass one explicitly: `schemaguard check --against origin/main` (or any branch, tag or commit)")]
    NoDefaultBranch { tried: String },
    #[error("no baseline found: this shallow clone has only `{branch}`, not the default branch, and fetching is off (--no-fetch) or failed.\n  fetch it (`git fetch --depth=1 origin main`, or `fetch-depth: 0` in actions/checkout), drop --no-fetch, or pass `--against REV`")]
    ShallowNoDefaultBranch { branch: String },
    #[error("HEAD has no commit yet: there is nothing to compare with.\n  commit first, or pass `--against REV`")]
    NoHead,
    #[error("no merge-base between HEAD and `{base}`: the histories are unrelated.\n  pass the baseline explicitly: `schemaguard check --against {base}`")]
    NoMergeBase { base: String },
    #[error("no merge-base between HEAD and `{base}`: this is a shallow clone and the history that joins them was not fetched.\n  fetch full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or pass `--against {base}` to compare with its tip")]
    ShallowNoMergeBase { base: String },
    #[error("`{rev}` is not in this shallow clone and fetching is off (--no-fetch).\n  fetch the history it needs (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or drop --no-fetch so schemaguard fetches just what it needs")]
    ShallowMissing { rev: String },
    #[error("`{rev}` could not be fetched: {message}\n  check that the remote `origin` has it, or pass a baseline that exists locally with --against")]
    FetchFailed { rev: String, message: String },
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
    /// For the default baseline, the branch HEAD's merge-base was taken with (`origin/main`); `None` for a
    /// revision the user named.
    pub merge_base_of: Option<String>,
}

/// A commit as the catalog shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub short: String,
    pub author: String,
    /// Author time, seconds since the Unix epoch (UTC).
    pub time: i64,
    pub summary: String,
}

pub struct Git {
    pub repo: Repository,
    pub root: PathBuf,
    /// Whether missing history may be fetched from `origin` by running the user's `git`.
    pub allow_fetch: bool,
    /// What was fetched, for the user (`git fetch …` lines).
    pub fetched: Vec<String>,
}

/// How deep to go, round by round, when looking for a merge-base in a shallow clone; then `--unshallow`.
const DEEPEN_STEPS: [u32; 5] = [50, 100, 200, 400, 800];

impl Git {
    pub fn discover(cwd: &Path) -> Result<Git, GitError> {
        let repo = Repository::discover(cwd).map_err(|_| GitError::NotARepo {
            path: cwd.display().to_string(),
        })?;
        let root = repo.workdir().ok_or(GitError::Bare)?.to_path_buf();
        Ok(Git {
            repo,
            root,
            allow_fetch: true,
            fetched: Vec::new(),
        })
    }

    fn has_origin(&self) -> bool {
        self.repo.find_remote("origin").is_ok()
    }

    /// Runs the user's `git` (so CI's credentials and config apply), then reopens the repository so libgit2 sees
    /// the new objects and refs.
    fn git(&mut self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("git")
            .current_dir(&self.root)
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(err
                .trim()
                .lines()
                .last()
                .unwrap_or("git failed")
                .to_string());
        }
        if args.first() == Some(&"fetch") {
            self.fetched.push(format!("git {}", args.join(" ")));
            if let Ok(repo) = Repository::open(&self.root) {
                self.repo = repo;
            }
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Fetches branch `name` of origin into `refs/remotes/origin/<name>` at depth 1.
    fn fetch_branch(&mut self, name: &str) -> Result<(), String> {
        let spec = format!("+refs/heads/{name}:refs/remotes/origin/{name}");
        self.git(&["fetch", "--no-tags", "--depth=1", "origin", &spec])
            .map(|_| ())
    }

    /// The remote's default branch, asked from the remote itself (a single-branch clone has no `origin/HEAD`).
    fn remote_default_branch(&mut self) -> Option<String> {
        let out = self
            .git(&["ls-remote", "--symref", "origin", "HEAD"])
            .ok()?;
        out.lines().find_map(|l| {
            l.strip_prefix("ref: refs/heads/")
                .and_then(|r| r.split_whitespace().next())
                .map(str::to_string)
        })
    }

    /// The branch HEAD is on, if any.
    fn head_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            None
        }
    }

    fn short(&self, oid: Oid) -> String {
        oid.to_string()[..10].to_string()
    }

    /// Resolves a user-given revision (branch, remote branch, tag, sha, `HEAD~n`) to a commit, fetching it from
    /// `origin` first when it is missing (a shallow or single-branch clone) and fetching is allowed.
    pub fn resolve(&mut self, rev: &str) -> Result<Baseline, GitError> {
        if self.repo.revparse_single(rev).is_err() && self.has_origin() {
            if !self.allow_fetch {
                if self.repo.is_shallow() {
                    return Err(GitError::ShallowMissing {
                        rev: rev.to_string(),
                    });
                }
            } else {
                self.fetch_missing(rev)?;
            }
        }
        self.resolve_local(rev)
    }

    fn fetch_missing(&mut self, rev: &str) -> Result<(), GitError> {
        let fail = |message: String| GitError::FetchFailed {
            rev: rev.to_string(),
            message,
        };
        let is_sha = rev.len() >= 7 && rev.chars().all(|c| c.is_ascii_hexdigit());
        if is_sha {
            return self
                .git(&["fetch", "--no-tags", "--depth=1", "origin", rev])
                .map(|_| ())
                .map_err(fail);
        }
        // `HEAD~n`, `main~2`, `HEAD^`: deepen the history behind HEAD (or the branch).
        if let Some(i) = rev.find(['~', '^']) {
            let (base, suffix) = rev.split_at(i);
            let n: u32 = suffix.trim_start_matches(['~', '^']).parse().unwrap_or(1);
            let deepen = format!("--deepen={}", n + 1);
            let mut args = vec!["fetch", "--no-tags", deepen.as_str(), "origin"];
            let spec;
            let branch = if base == "HEAD" {
                self.head_branch()
            } else {
                Some(base.trim_start_matches("origin/").to_string())
            };
            if let Some(b) = branch {
                spec = format!("+refs/heads/{b}:refs/remotes/origin/{b}");
                args.push(spec.as_str());
            }
            return self.git(&args).map(|_| ()).map_err(fail);
        }
        let name = rev.strip_prefix("origin/").unwrap_or(rev);
        if self.fetch_branch(name).is_ok() {
            return Ok(());
        }
        let tag = format!("+refs/tags/{name}:refs/tags/{name}");
        self.git(&["fetch", "--no-tags", "--depth=1", "origin", &tag])
            .map(|_| ())
            .map_err(fail)
    }

    fn resolve_local(&self, rev: &str) -> Result<Baseline, GitError> {
        // A branch fetched as `origin/<name>` answers to its plain name too.
        let obj = match self.repo.revparse_single(rev) {
            Ok(o) => Ok(o),
            Err(e) => self
                .repo
                .revparse_single(&format!("origin/{rev}"))
                .map_err(|_| e),
        };
        let obj = obj.map_err(|e| GitError::BadRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
        let commit = obj.peel_to_commit().map_err(|e| GitError::BadRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
        // A sha is named once (`1a2b3c4d5e`), not as `1a2b3c4 (1a2b3c4d5e)` (issue 11, item 15).
        let short = self.short(commit.id());
        let is_sha = rev.len() >= 4
            && rev.chars().all(|c| c.is_ascii_hexdigit())
            && commit
                .id()
                .to_string()
                .starts_with(&rev.to_ascii_lowercase());
        let (label, description) = if is_sha {
            (short.clone(), short)
        } else {
            (rev.to_string(), format!("{rev} ({short})"))
        };
        Ok(Baseline {
            commit: commit.id(),
            label,
            description,
            merge_base_of: None,
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
                    // `git clone --branch feature` points origin/HEAD at the cloned branch itself: that is not
                    // the default branch.
                    let own = self.head_branch().map(|b| format!("origin/{b}"));
                    if own.as_deref() != Some(name) {
                        c.push(name.to_string());
                    }
                }
            }
        }
        for n in ["origin/main", "origin/master", "main", "master"] {
            c.push(n.to_string());
        }
        c.dedup();
        c
    }

    /// The default baseline: merge-base of HEAD with the default branch. In a shallow or single-branch clone the
    /// default branch is fetched and the history deepened, round by round, until the merge-base appears.
    pub fn merge_base_baseline(&mut self) -> Result<Baseline, GitError> {
        let head_id = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id())
            .ok_or(GitError::NoHead)?;
        let candidates = self.default_branch_candidates();
        let find = |git: &Git| {
            candidates.iter().find_map(|name| {
                git.repo
                    .revparse_single(name)
                    .ok()
                    .and_then(|o| o.peel_to_commit().ok())
                    .map(|c| (name.clone(), c.id()))
            })
        };
        let mut found = find(self);
        let env_base = ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|b| !b.trim().is_empty()));
        // The CI's target branch must be the one used, even when a local `main` exists.
        let want_remote = env_base.as_ref().map(|b| format!("origin/{}", b.trim()));
        let missing_wanted = want_remote
            .as_ref()
            .is_some_and(|w| found.as_ref().is_none_or(|(n, _)| n != w));
        if (found.is_none() || missing_wanted) && self.allow_fetch && self.has_origin() {
            let branch = match env_base {
                Some(b) => Some(b.trim().to_string()),
                None => self.remote_default_branch(),
            };
            if let Some(b) = branch {
                if self.fetch_branch(&b).is_ok() {
                    let name = format!("origin/{b}");
                    if let Ok(c) = self
                        .repo
                        .revparse_single(&name)
                        .and_then(|o| o.peel_to_commit())
                    {
                        found = Some((name, c.id()));
                    }
                }
            }
            if found.is_none() {
                found = find(self);
            }
        }
        let Some((name, tip)) = found else {
            if self.repo.is_shallow() {
                return Err(GitError::ShallowNoDefaultBranch {
                    branch: self.head_branch().unwrap_or_else(|| "HEAD".into()),
                });
            }
            return Err(GitError::NoDefaultBranch {
                tried: candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if self.repo.merge_base(head_id, tip).is_err() && self.repo.is_shallow() && self.allow_fetch
        {
            self.deepen_until_merge_base(head_id, tip, &name);
        }
        match self.repo.merge_base(head_id, tip) {
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
                    merge_base_of: Some(name),
                })
            }
            Err(_) if self.repo.is_shallow() => Err(GitError::ShallowNoMergeBase { base: name }),
            Err(_) => Err(GitError::NoMergeBase { base: name }),
        }
    }

    /// Deepens both histories (the base branch and HEAD's) until they meet, with a bound; `--unshallow` last.
    fn deepen_until_merge_base(&mut self, head: Oid, tip: Oid, base_name: &str) {
        let mut specs = Vec::new();
        if let Some(b) = base_name.strip_prefix("origin/") {
            specs.push(format!("+refs/heads/{b}:refs/remotes/origin/{b}"));
        }
        if let Some(h) = self.head_branch() {
            specs.push(format!("+refs/heads/{h}:refs/remotes/origin/{h}"));
        }
        for step in DEEPEN_STEPS {
            let deepen = format!("--deepen={step}");
            let mut args = vec!["fetch", "--no-tags", deepen.as_str(), "origin"];
            args.extend(specs.iter().map(String::as_str));
            if self.git(&args).is_err()
                || self.repo.merge_base(head, tip).is_ok()
                || !self.repo.is_shallow()
            {
                return;
            }
        }
        let mut args = vec!["fetch", "--no-tags", "--unshallow", "origin"];
        args.extend(specs.iter().map(String::as_str));
        let _ = self.git(&args);
    }

    /// First-parent history of `from`, newest first, `from` included: at most `limit` commits, stopping after
    /// `since` (included) when given. Stops quietly at a shallow boundary.
    pub fn first_parent_history(&self, from: Oid, limit: usize, since: Option<Oid>) -> Vec<Oid> {
        let mut out = Vec::new();
        let mut cur = self.repo.find_commit(from).ok();
        while let Some(c) = cur {
            out.push(c.id());
            if out.len() >= limit || Some(c.id()) == since {
                break;
            }
            cur = c.parent(0).ok();
        }
        out
    }

    /// (path, blob id) of every wanted file of a commit: a cheap signature to skip commits that changed no schema.
    /// Directories `prune` names (repository path without a trailing `/`) are not entered.
    pub fn tree_signature(
        &self,
        commit: Oid,
        keep: &dyn Fn(&str) -> bool,
        prune: fn(&str) -> bool,
    ) -> Result<Vec<(String, Oid)>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut wanted: Vec<(String, Oid)> = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Tree) {
                if let Ok(name) = entry.name() {
                    if prune(&format!("{dir}{name}")) {
                        return TreeWalkResult::Skip;
                    }
                }
            }
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
        Ok(wanted)
    }

    /// Every distinct blob each of `paths` (repository-relative, `/`-separated) had in the history reachable from
    /// HEAD — all parents, not only the first — in one walk: each commit's tree is descended only along the
    /// directories of the wanted paths, and a directory met before at the same place with the same id is skipped,
    /// so the cost follows what changed rather than commits × paths. A path never committed has no entry; no
    /// commit yet gives an empty map. Stops quietly where history ends (a shallow boundary): callers that need
    /// the whole history check [`Git::is_shallow`] first.
    pub fn file_versions(&self, paths: &[String]) -> HashMap<String, Vec<Oid>> {
        enum Child {
            File(usize),
            Dir(usize),
        }
        // Directories on the way to a wanted file, each with the children to look up in it.
        let mut dir_index: HashMap<&str, usize> = HashMap::from([("", 0)]);
        let mut children: Vec<Vec<(&str, Child)>> = vec![Vec::new()];
        for (i, path) in paths.iter().enumerate() {
            let mut child = Child::File(i);
            let mut rest = path.as_str();
            loop {
                let (dir, name) = rest.rsplit_once('/').unwrap_or(("", rest));
                let (d, known) = match dir_index.get(dir) {
                    Some(&d) => (d, true),
                    None => {
                        children.push(Vec::new());
                        dir_index.insert(dir, children.len() - 1);
                        (children.len() - 1, false)
                    }
                };
                children[d].push((name, child));
                if known || dir.is_empty() {
                    break;
                }
                child = Child::Dir(d);
                rest = dir;
            }
        }
        let mut found: Vec<Vec<Oid>> = vec![Vec::new(); paths.len()];
        let mut seen_blobs: HashSet<(usize, Oid)> = HashSet::new();
        let mut seen_trees: HashSet<(usize, Oid)> = HashSet::new();
        let mut walk = match self.head_commit().and_then(|head| {
            let mut w = self.repo.revwalk()?;
            w.push(head)?;
            Ok(w)
        }) {
            Ok(w) => w,
            Err(_) => return HashMap::new(),
        };
        let mut stack: Vec<(usize, Oid)> = Vec::new();
        for oid in walk.by_ref() {
            let Ok(oid) = oid else { break };
            let Ok(commit) = self.repo.find_commit(oid) else {
                break;
            };
            stack.push((0, commit.tree_id()));
            while let Some((d, tree_id)) = stack.pop() {
                if !seen_trees.insert((d, tree_id)) {
                    continue;
                }
                let Ok(tree) = self.repo.find_tree(tree_id) else {
                    continue;
                };
                for (name, child) in &children[d] {
                    let Some(entry) = tree.get_name(name) else {
                        continue;
                    };
                    match (child, entry.kind()) {
                        (Child::File(i), Some(ObjectType::Blob))
                            if seen_blobs.insert((*i, entry.id())) =>
                        {
                            found[*i].push(entry.id());
                        }
                        (Child::Dir(j), Some(ObjectType::Tree)) => stack.push((*j, entry.id())),
                        _ => {}
                    }
                }
            }
        }
        paths
            .iter()
            .zip(found)
            .filter(|(_, v)| !v.is_empty())
            .map(|(p, v)| (p.clone(), v))
            .collect()
    }

    /// The paths `path` had before it was renamed, newest first (`path` itself not included), as `git log
    /// --follow` finds them: a rename not committed yet (HEAD against the index and working tree, untracked files
    /// included), then along first-parent history from HEAD each commit that adds the current path, where git's
    /// rename detection (content similarity, 50 % by default) names the path it came from. Stops at a commit that
    /// adds the path without a rename, at the start of history or at a shallow boundary. Costs one tree lookup per
    /// commit and one tree diff per rename found.
    pub fn earlier_paths(&self, path: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let Ok(head) = self
            .head_commit()
            .and_then(|h| Ok(self.repo.find_commit(h)?))
        else {
            return out;
        };
        let mut cur = path.to_string();
        let has = |tree: &git2::Tree<'_>, p: &str| tree.get_path(Path::new(p)).is_ok();
        let renamed_from = |diff: &mut git2::Diff<'_>, to: &str| -> Option<String> {
            let mut find = git2::DiffFindOptions::new();
            find.renames(true).for_untracked(true);
            diff.find_similar(Some(&mut find)).ok()?;
            diff.deltas()
                .filter(|d| d.status() == git2::Delta::Renamed)
                .find(|d| d.new_file().path().and_then(Path::to_str) == Some(to))
                .and_then(|d| {
                    d.old_file()
                        .path()
                        .and_then(Path::to_str)
                        .map(str::to_string)
                })
        };
        if let Ok(tree) = head.tree() {
            if !has(&tree, &cur) {
                let mut opts = git2::DiffOptions::new();
                opts.include_untracked(true).recurse_untracked_dirs(true);
                let found = self
                    .repo
                    .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
                    .ok()
                    .and_then(|mut d| renamed_from(&mut d, &cur));
                match found {
                    Some(old) => {
                        out.push(old.clone());
                        cur = old;
                    }
                    None => return out,
                }
            }
        }
        let mut commit = head;
        // A path can be renamed back and forth; each earlier path is followed once.
        while out.len() < 1_000 {
            let Ok(parent) = commit.parent(0) else { break };
            let (Ok(tree), Ok(parent_tree)) = (commit.tree(), parent.tree()) else {
                break;
            };
            if has(&tree, &cur) && !has(&parent_tree, &cur) {
                let old = self
                    .repo
                    .diff_tree_to_tree(Some(&parent_tree), Some(&tree), None)
                    .ok()
                    .and_then(|mut d| renamed_from(&mut d, &cur));
                match old {
                    Some(old) if old != path && !out.contains(&old) => {
                        out.push(old.clone());
                        cur = old;
                    }
                    _ => break,
                }
            }
            commit = parent;
        }
        out
    }

    /// Whether this is a shallow clone (history before the boundary is missing).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The text of a blob, when it is UTF-8.
    pub fn blob_text(&self, oid: Oid) -> Option<String> {
        let blob = self.repo.find_blob(oid).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }

    /// Who made a commit, when, and its subject line (for the catalog's history).
    pub fn commit_info(&self, oid: Oid) -> Result<CommitInfo, GitError> {
        let c = self.repo.find_commit(oid)?;
        let author = c.author();
        Ok(CommitInfo {
            id: oid.to_string(),
            short: self.short(oid),
            author: author.name().unwrap_or("?").to_string(),
            time: author.when().seconds(),
            summary: c.summary().ok().flatten().unwrap_or("").to_string(),
        })
    }

    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Result<Oid, GitError> {
        let head = self.repo.head().map_err(|_| GitError::NoHead)?;
        head.peel_to_commit()
            .map(|c| c.id())
            .map_err(|_| GitError::NoHead)
    }

    /// The remote-tracking branch `origin/HEAD` points at (`origin/main`), if it is set.
    pub fn origin_head(&self) -> Option<String> {
        let r = self.repo.find_reference("refs/remotes/origin/HEAD").ok()?;
        let target = r.symbolic_target().ok().flatten()?;
        target.strip_prefix("refs/remotes/").map(str::to_string)
    }

    /// Short id of a commit, for labels.
    pub fn short_id(&self, oid: Oid) -> String {
        self.short(oid)
    }

    /// The staged content (the index) of every wanted file: what `git commit` would record.
    pub fn read_index(
        &self,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<Arc<SourceFile>>, Vec<ReadError>), GitError> {
        let index = self.repo.index()?;
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for entry in index.iter() {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            // Stage bits (conflicts) live in flags bits 12-13; only stage 0 is the staged content.
            if (entry.flags >> 12) & 0x3 != 0 || !keep(&path) {
                continue;
            }
            match self.repo.find_blob(entry.id) {
                Ok(blob) => match source::decode(&path, blob.content().to_vec()) {
                    Ok(text) => files.push(SourceFile::new(path, None, text)),
                    Err(e) => errors.push(e),
                },
                Err(e) => errors.push(ReadError::Io {
                    path,
                    err: std::io::Error::other(e.message().to_string()),
                }),
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, errors))
    }

    /// Reads the blobs `wanted` (from `tree_signature`) as files of revision `label`. A blob whose id is in
    /// `known` is not read again: its text is taken from there (the same content seen earlier in the history or
    /// in the working tree), shared, not copied; every blob read is added to `known`.
    pub fn read_blobs(
        &self,
        wanted: &[(String, Oid)],
        label: &str,
        known: &mut std::collections::HashMap<Oid, Arc<str>>,
    ) -> (Vec<Arc<SourceFile>>, Vec<ReadError>) {
        let mut files = Vec::with_capacity(wanted.len());
        let mut errors = Vec::new();
        for (path, oid) in wanted {
            if let Some(text) = known.get(oid) {
                files.push(SourceFile::new(
                    path.clone(),
                    Some(label.to_string()),
                    Arc::clone(text),
                ));
                continue;
            }
            match self.repo.find_blob(*oid) {
                Ok(blob) => match source::decode(path, blob.content().to_vec()) {
                    Ok(text) => {
                        let text: Arc<str> = text.into();
                        known.insert(*oid, Arc::clone(&text));
                        files.push(SourceFile::new(path.clone(), Some(label.to_string()), text));
                    }
                    Err(e) => errors.push(e),
                },
                Err(e) => errors.push(ReadError::Io {
                    path: path.clone(),
                    err: std::io::Error::other(e.message().to_string()),
                }),
            }
        }
        (files, errors)
    }

    /// Reads every blob of `commit`'s tree whose repository-relative path passes `keep`.
    pub fn read_tree(
        &self,
        commit: Oid,
        label: &str,
        keep: &dyn Fn(&str) -> bool,
        prune: fn(&str) -> bool,
    ) -> Result<(Vec<Arc<SourceFile>>, Vec<ReadError>), GitError> {
        let wanted = self.tree_signature(commit, keep, prune)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_blobs_are_shared_not_read() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(tmp.path()).expect("init");
        let a = repo.blob(b"syntax = \"proto3\";\n").expect("blob");
        let b = repo.blob(b"syntax = \"proto2\";\n").expect("blob");
        let git = Git::discover(tmp.path()).expect("discover");
        let text: Arc<str> = Arc::from("syntax = \"proto3\";\n");
        let mut known = std::collections::HashMap::from([(a, Arc::clone(&text))]);
        let wanted = vec![("a.proto".to_string(), a), ("b.proto".to_string(), b)];
        let (files, errors) = git.read_blobs(&wanted, "abc", &mut known);
        assert!(errors.is_empty());
        assert!(
            Arc::ptr_eq(&files[0].text, &text),
            "the known text is shared"
        );
        assert_eq!(files[0].revision.as_deref(), Some("abc"));
        assert_eq!(&*files[1].text, "syntax = \"proto2\";\n");
        assert!(
            Arc::ptr_eq(&known[&b], &files[1].text),
            "a blob read is known afterwards"
        );
    }
}
