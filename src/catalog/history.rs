//! The history of every subject from git: walks the first-parent history of HEAD (oldest first), loads each commit
//! that changed a schema file, and compares it with the previous such commit through the same comparison `check`
//! runs (the subject's mode, the format's compat engine), limited to the subjects that changed: their file, or a
//! file they reference (import, named type, `$ref`), transitively. The working tree is the last step, so
//! uncommitted edits show as a version of their own. Two snapshots are held at a time.
//!
//! Texts are shared, not read again: a blob whose id is the working tree file's git hash, or a blob an earlier
//! commit already had, is taken from there; so only what changed is read from git, and comparing two versions of
//! an unchanged file is a pointer comparison. Parsing is memoized by content in the formats (`protobuf::parse`),
//! and compiling is limited to the compared subjects.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use git2::{ObjectType, Oid};
use rayon::prelude::*;

use super::{CatalogError, FindingView, Verdict, Version};
use crate::finding::{Category, Finding, Mode, Severity};
use crate::formats::{CheckOptions, Subject};
use crate::git::{CommitInfo, Git};
use crate::snapshot::{self, CompareSpec, LoadedSnapshot};
use crate::source::SourceFile;

/// Versions of each subject by name, newest first.
pub(super) type History = HashMap<String, Vec<Version>>;

/// A loaded version of the repository and the text of each of its schema files, by repository path.
pub(super) struct Step {
    pub snap: LoadedSnapshot,
    pub texts: HashMap<String, Arc<str>>,
}

impl Step {
    pub fn new(snap: LoadedSnapshot, files: &[Arc<SourceFile>]) -> Step {
        let texts = files
            .iter()
            .map(|f| (f.shown.clone(), Arc::clone(&f.text)))
            .collect();
        Step { snap, texts }
    }
}

pub(super) fn collect(
    git: &Git,
    keep: &dyn Fn(&str) -> bool,
    current: &Step,
    opts: &CheckOptions,
    mode_for: &dyn Fn(&Subject) -> Mode,
    limit: usize,
) -> Result<History, CatalogError> {
    collect_with(git, keep, current, opts, mode_for, limit, true)
}

/// `collect`; without `share`, every blob of every version is read from git (the tests compare both).
fn collect_with(
    git: &Git,
    keep: &dyn Fn(&str) -> bool,
    current: &Step,
    opts: &CheckOptions,
    mode_for: &dyn Fn(&Subject) -> Mode,
    limit: usize,
    share: bool,
) -> Result<History, CatalogError> {
    let mut out = History::new();
    let mut prev: Option<Step> = None;
    if let Ok(head) = git.head_commit() {
        let mut commits = git.first_parent_history(head, limit.max(1), None);
        commits.reverse();
        // The working tree's texts by git blob id: a version whose file equals the working tree's shares its text.
        let mut known: HashMap<Oid, Arc<str>> = if share {
            current
                .texts
                .par_iter()
                .filter_map(|(_, t)| {
                    Oid::hash_object(ObjectType::Blob, t.as_bytes())
                        .ok()
                        .map(|o| (o, Arc::clone(t)))
                })
                .collect()
        } else {
            HashMap::new()
        };
        let mut last_sig = None;
        for commit in commits {
            let sig = git.tree_signature(commit, keep, crate::contract::is_test_dir)?;
            if last_sig.as_ref() == Some(&sig) {
                continue;
            }
            let label = git.short_id(commit);
            let (files, read_errors) = git.read_blobs(&sig, &label, &mut known);
            if !share {
                known.clear();
            }
            last_sig = Some(sig);
            let errors = read_errors
                .iter()
                .map(|e| snapshot::read_error_finding(e, Some(&label)))
                .collect();
            let texts = files
                .iter()
                .map(|f| (f.shown.clone(), Arc::clone(&f.text)))
                .collect();
            let snap = snapshot::load(Some(label), files, errors, false, opts);
            let cur = Step { snap, texts };
            let info = git.commit_info(commit)?;
            step(&mut out, prev.as_ref(), &cur, Some(info), opts, mode_for);
            prev = Some(cur);
        }
    }
    step(&mut out, prev.as_ref(), current, None, opts, mode_for);
    for versions in out.values_mut() {
        versions.reverse();
    }
    Ok(out)
}

fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

fn subjects(snap: &LoadedSnapshot) -> impl Iterator<Item = &Subject> {
    snap.sets.iter().flat_map(|s| s.subjects.iter())
}

/// Repository paths of the files that reference one of `changed` (directly or through other files), in either
/// version: an importer's effective schema changes with what it imports.
fn importers_of(changed: &HashSet<&str>, versions: &[&LoadedSnapshot]) -> HashSet<String> {
    // Reverse edges by repository path: referenced file → files referencing it.
    let mut users: HashMap<String, Vec<String>> = HashMap::new();
    for snap in versions {
        for set in &snap.sets {
            let refs = set.loaded.references();
            if refs.is_empty() {
                continue;
            }
            // Keys are logical paths (Protobuf: below the import root); reports and texts use repository paths.
            let mut shown: HashMap<&str, &str> = HashMap::new();
            for s in &set.subjects {
                shown.insert(s.file.path.as_str(), s.file.shown.as_str());
            }
            for list in refs.values() {
                for (_, f) in list {
                    shown.insert(f.path.as_str(), f.shown.as_str());
                }
            }
            for (from, list) in &refs {
                let Some(from) = shown.get(from.as_str()) else {
                    continue;
                };
                for (_, to) in list {
                    users
                        .entry(to.shown.clone())
                        .or_default()
                        .push((*from).to_string());
                }
            }
        }
    }
    let mut out: HashSet<String> = HashSet::new();
    let mut stack: Vec<&str> = changed.iter().copied().collect();
    while let Some(p) = stack.pop() {
        for u in users.get(p).into_iter().flatten() {
            if out.insert(u.clone()) {
                stack.push(u);
            }
        }
    }
    out
}

/// Records the versions `cur` introduces over `prev`: subjects that are new, whose file text changed, or that
/// reference a file that changed.
fn step(
    out: &mut History,
    prev: Option<&Step>,
    cur: &Step,
    commit: Option<CommitInfo>,
    opts: &CheckOptions,
    mode_for: &dyn Fn(&Subject) -> Mode,
) {
    // Schema files added, removed or edited (subjects or not: a shared type, an included file).
    let mut changed_files: HashSet<&str> = HashSet::new();
    if let Some(p) = prev {
        for (path, t) in &cur.texts {
            if p.texts.get(path).is_none_or(|o| !same_text(o, t)) {
                changed_files.insert(path);
            }
        }
        for path in p.texts.keys() {
            if !cur.texts.contains_key(path) {
                changed_files.insert(path);
            }
        }
    }
    let importers = match prev {
        Some(p) if !changed_files.is_empty() => importers_of(&changed_files, &[&p.snap, &cur.snap]),
        _ => HashSet::new(),
    };
    let before: HashMap<&str, &Arc<str>> = prev
        .into_iter()
        .flat_map(|p| subjects(&p.snap))
        .map(|s| (s.name.as_str(), &s.file.text))
        .collect();
    let mut added: HashSet<&str> = HashSet::new();
    let mut changed: HashSet<&str> = HashSet::new();
    for s in subjects(&cur.snap) {
        match before.get(s.name.as_str()) {
            None => {
                added.insert(s.name.as_str());
            }
            Some(t) if !same_text(t, &s.file.text) || importers.contains(&s.file.shown) => {
                changed.insert(s.name.as_str());
            }
            Some(_) => {}
        }
    }
    if added.is_empty() && changed.is_empty() {
        return;
    }
    // Only the changed subjects are compared: the others are under mode NONE for this step.
    let mut by_subject: HashMap<String, Vec<Finding>> = HashMap::new();
    if let (Some(prev), false) = (prev, changed.is_empty()) {
        let step_mode = |s: &Subject| {
            if changed.contains(s.name.as_str()) {
                mode_for(s)
            } else {
                Mode::None
            }
        };
        let spec = CompareSpec {
            mode_for: &step_mode,
            opts,
            pair_single: false,
            report_deleted: false,
        };
        let prev_slice = std::slice::from_ref(&prev.snap);
        let cmp = snapshot::compare(prev_slice, &cur.snap, &spec);
        for f in cmp.findings {
            by_subject.entry(f.subject.clone()).or_default().push(f);
        }
    }
    let cur = &cur.snap;
    // Files of this version that do not load.
    let broken: HashMap<&str, Vec<&Finding>> = {
        let mut m: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &cur.findings {
            if f.rule.category == Category::Input {
                if let Some(l) = f.primary() {
                    m.entry(l.file.path.as_str()).or_default().push(f);
                }
            }
        }
        m
    };
    for s in subjects(cur) {
        let name = s.name.as_str();
        let is_added = added.contains(name);
        if !is_added && !changed.contains(name) {
            continue;
        }
        let mut findings: Vec<Finding> = by_subject.remove(name).unwrap_or_default();
        crate::finding::sort_findings(&mut findings);
        let problems = broken.get(s.file.path.as_str());
        let verdict = if problems.is_some() {
            Verdict::Broken
        } else if is_added {
            Verdict::Added
        } else if mode_for(s) == Mode::None {
            Verdict::NotChecked
        } else if findings.iter().any(|f| f.severity == Severity::Error) {
            Verdict::Breaking
        } else if findings.iter().any(|f| f.severity == Severity::Warning) {
            Verdict::Warnings
        } else {
            Verdict::Compatible
        };
        let mut views: Vec<FindingView> = problems.into_iter().flatten().map(|f| view(f)).collect();
        views.extend(
            findings
                .iter()
                .filter(|f| {
                    !(f.severity == Severity::Info && f.rule.category == Category::Compatibility)
                })
                .map(view),
        );
        out.entry(s.name.clone()).or_default().push(Version {
            commit: commit.clone(),
            verdict,
            findings: views,
        });
    }
}

fn view(f: &Finding) -> FindingView {
    FindingView {
        rule: f.rule.id,
        severity: f.severity.as_str(),
        message: f.message.clone(),
        help: f.help.clone(),
        at: f.primary().map(|l| {
            let lc = l.file.line_col(l.span.start);
            format!("{}:{}", l.file.shown, lc.line)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn git_cmd(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn put(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    fn commit(dir: &Path, msg: &str) {
        git_cmd(dir, &["add", "-A"]);
        git_cmd(dir, &["commit", "-q", "-m", msg]);
    }

    const MONEY: &str =
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Money { int64 units = 1; }\n";
    const PRICE: &str = "syntax = \"proto3\";\npackage shop.v1;\nimport \"shop/v1/money.proto\";\nmessage Price { Money amount = 1; }\n";
    const ITEM: &str = r#"{"type": "record", "name": "Item", "namespace": "acme", "fields": [{"name": "sku", "type": "string"}]}"#;
    const CART: &str = r#"{"type": "record", "name": "Cart", "namespace": "acme", "fields": [{"name": "items", "type": {"type": "array", "items": "acme.Item"}}]}"#;

    /// A repository with imports (Protobuf) and named types across files (Avro): five commits, among them a
    /// breaking change of an imported file, a revert to an earlier text, a broken file, and an uncommitted edit.
    fn repo(dir: &Path) {
        git_cmd(dir, &["init", "-q", "-b", "main"]);
        put(dir, "shop/v1/money.proto", MONEY);
        put(dir, "shop/v1/price.proto", PRICE);
        put(dir, "avro/item.avsc", ITEM);
        put(dir, "avro/cart.avsc", CART);
        commit(dir, "one");
        put(
            dir,
            "shop/v1/money.proto",
            &MONEY.replace("int64 units", "string units"),
        );
        put(
            dir,
            "avro/item.avsc",
            &ITEM.replace(
                "\"string\"}]",
                "\"string\"}, {\"name\": \"qty\", \"type\": \"int\"}]",
            ),
        );
        commit(dir, "two: imported files change");
        put(dir, "shop/v1/money.proto", MONEY);
        put(
            dir,
            "shop/v1/price.proto",
            "syntax = \"proto3\";\nmessage {",
        );
        commit(dir, "three: money reverted, price broken");
        put(dir, "shop/v1/price.proto", PRICE);
        commit(dir, "four: price fixed");
        put(
            dir,
            "avro/cart.avsc",
            &CART.replace(r#""name": "items""#, r#""name": "lines""#),
        );
    }

    fn history(dir: &Path, share: bool) -> serde_json::Value {
        let git = Git::discover(dir).expect("repo");
        let engines = crate::formats::engines();
        let keep = |p: &str| engines.iter().any(|e| e.may_claim(p));
        let files: Vec<Arc<SourceFile>> = crate::source::walk(&git.root, &keep)
            .into_iter()
            .map(|(fs, rel)| crate::source::read_file(&fs, &rel).expect("readable"))
            .collect();
        let opts = CheckOptions::default();
        let current = Step::new(
            snapshot::load(None, files.clone(), Vec::new(), false, &opts),
            &files,
        );
        let mode_for = |_: &Subject| Mode::Backward;
        let h = collect_with(&git, &keep, &current, &opts, &mode_for, 100, share).expect("history");
        let sorted: std::collections::BTreeMap<String, Vec<Version>> = h.into_iter().collect();
        serde_json::to_value(sorted).expect("serializable")
    }

    #[test]
    fn shared_texts_give_the_history_of_reading_every_version() {
        let tmp = tempfile::tempdir().expect("tempdir");
        repo(tmp.path());
        let shared = history(tmp.path(), true);
        let full = history(tmp.path(), false);
        assert_eq!(shared, full);
        // What the history says, by hand: the importer of a changed file has a version of its own.
        let verdicts = |name: &str| -> Vec<String> {
            shared[name]
                .as_array()
                .expect("versions")
                .iter()
                .map(|v| v["verdict"].as_str().unwrap_or("?").to_string())
                .collect()
        };
        assert_eq!(
            verdicts("shop/v1/money.proto"),
            ["breaking", "breaking", "added"],
            "{shared:#}"
        );
        assert_eq!(
            verdicts("shop/v1/price.proto"),
            // Commit two: `Money.units` int64 → string is wire-incompatible, and Confluent compares a referenced
            // message structurally, across imports.
            ["compatible", "broken", "breaking", "added"],
            "{shared:#}"
        );
        assert_eq!(verdicts("acme.Item"), ["breaking", "added"], "{shared:#}");
        assert_eq!(
            verdicts("acme.Cart"),
            ["breaking", "breaking", "added"],
            "{shared:#}"
        );
    }
}
