//! The history of every subject from git: walks the first-parent history of HEAD (oldest first), loads each commit
//! that changed a schema file, and compares it with the previous such commit through the same comparison `check`
//! runs (the subject's mode, the format's compat engine), limited to the subjects whose file changed. The working
//! tree is the last step, so uncommitted edits show as a version of their own. Two snapshots are held at a time.

use std::collections::{HashMap, HashSet};

use super::{CatalogError, FindingView, Verdict, Version};
use crate::finding::{Category, Finding, Mode, Severity};
use crate::formats::{CheckOptions, Subject};
use crate::git::{CommitInfo, Git};
use crate::snapshot::{self, CompareSpec, LoadedSnapshot};

/// Versions of each subject by name, newest first.
pub(super) type History = HashMap<String, Vec<Version>>;

pub(super) fn collect(
    git: &Git,
    keep: &dyn Fn(&str) -> bool,
    current: &LoadedSnapshot,
    opts: &CheckOptions,
    mode_for: &dyn Fn(&Subject) -> Mode,
    limit: usize,
) -> Result<History, CatalogError> {
    let mut out = History::new();
    let mut prev: Option<LoadedSnapshot> = None;
    if let Ok(head) = git.head_commit() {
        let mut commits = git.first_parent_history(head, limit.max(1), None);
        commits.reverse();
        let mut last_sig = None;
        for commit in commits {
            let sig = git.tree_signature(commit, keep)?;
            if last_sig.as_ref() == Some(&sig) {
                continue;
            }
            last_sig = Some(sig);
            let label = git.short_id(commit);
            let (files, read_errors) = git.read_tree(commit, &label, keep)?;
            let errors = read_errors
                .iter()
                .map(|e| snapshot::read_error_finding(e, Some(&label)))
                .collect();
            let snap = snapshot::load(Some(label), files, errors, false, opts);
            let info = git.commit_info(commit)?;
            step(&mut out, prev.as_ref(), &snap, Some(info), opts, mode_for);
            prev = Some(snap);
        }
    }
    step(&mut out, prev.as_ref(), current, None, opts, mode_for);
    for versions in out.values_mut() {
        versions.reverse();
    }
    Ok(out)
}

/// FNV-1a of a text: tells versions apart without keeping them.
fn text_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn subjects(snap: &LoadedSnapshot) -> impl Iterator<Item = &Subject> {
    snap.sets.iter().flat_map(|s| s.subjects.iter())
}

/// Records the versions `cur` introduces over `prev`: subjects that are new or whose file text changed.
fn step(
    out: &mut History,
    prev: Option<&LoadedSnapshot>,
    cur: &LoadedSnapshot,
    commit: Option<CommitInfo>,
    opts: &CheckOptions,
    mode_for: &dyn Fn(&Subject) -> Mode,
) {
    let before: HashMap<&str, u64> = prev
        .into_iter()
        .flat_map(subjects)
        .map(|s| (s.name.as_str(), text_hash(&s.file.text)))
        .collect();
    let mut added: HashSet<&str> = HashSet::new();
    let mut changed: HashSet<&str> = HashSet::new();
    for s in subjects(cur) {
        match before.get(s.name.as_str()) {
            None => {
                added.insert(s.name.as_str());
            }
            Some(h) if *h != text_hash(&s.file.text) => {
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
        let prev_slice = std::slice::from_ref(prev);
        let cmp = snapshot::compare(prev_slice, cur, &spec);
        for f in cmp.findings {
            by_subject.entry(f.subject.clone()).or_default().push(f);
        }
    }
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
