//! Loading and comparing snapshots, format-neutral. A snapshot is the set of schema files of one origin (the
//! working tree, a git revision, a directory given to `compat`); loading hands each file to the format that claims
//! it, and comparing pairs subjects by name and runs each format's check in the directions the mode asks for.
//! Nothing here reads the disk or git (see `source`, `git`), and nothing prints.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use crate::finding::{Category, Finding, Format, Location, Mode, Severity};
use crate::formats::{self, CheckOptions, Engine, Loaded, Subject};
use crate::rules;
use crate::source::{ReadError, SourceFile};

/// One format's part of a loaded snapshot.
pub struct FormatSet {
    pub engine: &'static dyn Engine,
    pub loaded: Box<dyn Loaded>,
    pub subjects: Vec<Subject>,
}

/// A loaded snapshot: every format's parsed files, plus problems met while reading or parsing.
pub struct LoadedSnapshot {
    /// `None` for the working tree or plain paths, else the revision label.
    pub label: Option<String>,
    pub sets: Vec<FormatSet>,
    pub findings: Vec<Finding>,
    pub file_count: usize,
    /// Inline ignores written in this snapshot's files, every format's (see `crate::ignore`).
    pub ignores: crate::ignore::Ignores,
}

impl LoadedSnapshot {
    pub fn set(&self, format: Format) -> Option<&FormatSet> {
        self.sets.iter().find(|s| s.engine.format() == format)
    }
}

/// Which format claims `file`; `explicit` when the user named it.
pub fn classify(file: &SourceFile, explicit: bool) -> Option<&'static dyn Engine> {
    formats::engines()
        .into_iter()
        .find(|e| e.claims(&file.path, &file.text, explicit))
}

/// A finding for a file that could not be read.
pub fn read_error_finding(err: &ReadError, revision: Option<&str>) -> Finding {
    let file = SourceFile::new(err.path(), revision.map(str::to_string), "");
    let mut f = Finding::new(&rules::READ_ERROR, err.path(), err.to_string())
        .help("make the file readable and save it as UTF-8")
        .at_new(Location::new(&file, 0..0));
    // The file's format, as far as its name tells (its text could not be read).
    f.format = formats::engines()
        .into_iter()
        .find(|e| e.may_claim(err.path()))
        .map(|e| e.format());
    f
}

/// Loads files already read; each goes to the first format that claims it, unclaimed files are skipped
/// (or reported, when `explicit`).
pub fn load(
    label: Option<String>,
    files: Vec<Arc<SourceFile>>,
    read_errors: Vec<Finding>,
    explicit: bool,
    opts: &CheckOptions,
) -> LoadedSnapshot {
    load_claiming(label, files, read_errors, explicit, &BTreeSet::new(), opts)
}

/// Paths of the files of a snapshot that some format claims (found by discovery, not named by the user).
pub fn schema_paths(files: &[Arc<SourceFile>]) -> BTreeSet<String> {
    files
        .iter()
        .filter(|f| classify(f, false).is_some())
        .map(|f| f.shown.clone())
        .collect()
}

/// `load`, where the files at `was_schema` (paths that were schemas in the baseline) are claimed as if the user
/// had named them: a schema edited into something that no longer parses, or lost the keyword discovery looks
/// for, is a parse error of that schema, not a deleted subject.
pub fn load_claiming(
    label: Option<String>,
    files: Vec<Arc<SourceFile>>,
    read_errors: Vec<Finding>,
    explicit: bool,
    was_schema: &BTreeSet<String>,
    opts: &CheckOptions,
) -> LoadedSnapshot {
    let mut groups: BTreeMap<Format, (&'static dyn Engine, Vec<Arc<SourceFile>>)> = BTreeMap::new();
    let mut findings = read_errors;
    let file_count = files.len();
    for file in files {
        let claimed = classify(&file, explicit).or_else(|| {
            (!explicit && was_schema.contains(&file.shown))
                .then(|| classify(&file, true))
                .flatten()
        });
        match claimed {
            Some(engine) => groups
                .entry(engine.format())
                .or_insert_with(|| (engine, Vec::new()))
                .1
                .push(file),
            None if explicit => {
                let loc = Location::new(&file, 0..0);
                findings.push(
                    Finding::new(
                        &rules::PARSE_ERROR,
                        file.path.clone(),
                        format!("`{}` is not a schema format schemaguard knows", file.path),
                    )
                    .help("name `.avsc` (Avro), `.proto` (Protobuf) or JSON Schema (`.json`, `.yaml`) files")
                    .at_new(loc),
                );
            }
            None => {}
        }
    }
    let mut ignores = crate::ignore::Ignores::default();
    let sets: Vec<FormatSet> = groups
        .into_values()
        .map(|(engine, files)| {
            let loaded = engine.load(&files, opts);
            ignores.extend(&loaded.ignores());
            let mut subjects = loaded.subjects();
            subjects.sort_by(|a, b| {
                a.name
                    .cmp(&b.name)
                    .then_with(|| a.file.path.cmp(&b.file.path))
            });
            findings.extend(loaded.findings());
            FormatSet {
                engine,
                loaded,
                subjects,
            }
        })
        .collect();
    LoadedSnapshot {
        label,
        sets,
        findings,
        file_count,
        ignores,
    }
}

/// How the previous snapshots are compared with the new one.
pub struct CompareSpec<'a> {
    /// Mode of each subject (config overrides by subject name or file glob).
    pub mode_for: &'a dyn Fn(&Subject) -> Mode,
    pub opts: &'a CheckOptions,
    /// `compat` with one file on each side: pair the two schemas even if their subject names differ, so a
    /// rename is checked (and reported as `NAME_MISMATCH`) instead of being a delete plus an add.
    pub pair_single: bool,
    /// Report subjects of the latest previous snapshot that are gone from the new one.
    pub report_deleted: bool,
}

/// Result of a comparison: findings plus what was checked, for the summary.
#[derive(Default)]
pub struct Comparison {
    pub findings: Vec<Finding>,
    /// (subject, format, mode) of every subject that was compared with at least one previous version.
    pub checked: Vec<(String, Format, Mode)>,
    /// How many of them were paired only as renamed files (see `renamed_files`), not by their name.
    pub renamed: usize,
}

/// Compares `new` with `previous` (oldest first). Non-transitive modes look at the last previous snapshot only;
/// transitive ones at each previous snapshot that has the subject.
/// Where an input finding is: file and offset in the new schema.
fn input_place(f: &Finding) -> Option<(String, usize)> {
    f.new.as_ref().map(|l| (l.file.shown.clone(), l.span.start))
}

pub fn compare(
    previous: &[LoadedSnapshot],
    new: &LoadedSnapshot,
    spec: &CompareSpec<'_>,
) -> Comparison {
    let mut out = Comparison::default();
    let Some(latest) = previous.last() else {
        // Nothing to compare with (the first commit): every subject is new, and still has to compile.
        for set in &new.sets {
            let subjects: Vec<&Subject> = set
                .subjects
                .iter()
                .filter(|s| (spec.mode_for)(s) != Mode::None)
                .collect();
            if !subjects.is_empty() {
                out.findings.extend(set.engine.check_new(
                    set.loaded.as_ref(),
                    &subjects,
                    spec.opts,
                ));
            }
        }
        return out;
    };
    let mut formats: BTreeSet<Format> = new.sets.iter().map(|s| s.engine.format()).collect();
    formats.extend(latest.sets.iter().map(|s| s.engine.format()));
    for format in formats {
        let new_set = new.set(format);
        let Some(engine) = new_set
            .map(|s| s.engine)
            .or_else(|| latest.set(format).map(|s| s.engine))
        else {
            continue;
        };
        // Whole-snapshot rules (buf categories) replace per-subject compat when requested.
        if let (Some(n), Some(o)) = (new_set, latest.set(format)) {
            if !spec.opts.breaking.is_empty() {
                if let Some(found) =
                    engine.breaking(o.loaded.as_ref(), n.loaded.as_ref(), spec.opts)
                {
                    out.findings.extend(found);
                    for s in &n.subjects {
                        out.checked
                            .push((s.name.clone(), format, (spec.mode_for)(s)));
                    }
                    continue;
                }
            }
        }
        let new_subjects: &[Subject] = new_set.map(|s| s.subjects.as_slice()).unwrap_or(&[]);
        let single_pair = spec.pair_single
            && new_subjects.len() == 1
            && previous
                .iter()
                .all(|p| p.set(format).is_none_or(|s| s.subjects.len() <= 1));
        // Renamed files, per previous snapshot (index into `previous`): new subject name → old subject name.
        let renames: Vec<BTreeMap<String, String>> = previous
            .iter()
            .map(|p| {
                p.set(format)
                    .map(|o| renamed_files(format, &o.subjects, new_subjects))
                    .unwrap_or_default()
            })
            .collect();
        // New subjects no version was compared with: checked only for what loading could not see.
        let mut new_only: Vec<&Subject> = Vec::new();
        for ns in new_subjects {
            let mode = (spec.mode_for)(ns);
            if mode == Mode::None {
                continue;
            }
            let versions: Vec<(usize, &LoadedSnapshot)> = if mode.is_transitive() {
                previous.iter().enumerate().collect()
            } else {
                vec![(previous.len() - 1, latest)]
            };
            let mut compared = false;
            let mut by_name = false;
            let former = new_set
                .map(|n| n.loaded.former_names(ns))
                .unwrap_or_default();
            // Transitive modes: the same finding against several versions whose text is the same is said once.
            let mut seen: HashSet<SeenKey> = HashSet::new();
            // Each file's text hashed once, not once per finding (thousands of findings in one big file).
            let mut hashes: std::collections::HashMap<usize, u64> =
                std::collections::HashMap::new();
            for (i, snap) in versions {
                let Some(old_set) = snap.set(format) else {
                    continue;
                };
                let named = old_set
                    .subjects
                    .iter()
                    .find(|s| s.name == ns.name)
                    .or_else(|| old_set.subjects.iter().find(|s| former.contains(&s.name)));
                by_name |= named.is_some();
                let old_subject = named
                    .or_else(|| {
                        let was = renames[i].get(&ns.name)?;
                        old_set.subjects.iter().find(|s| &s.name == was)
                    })
                    .or_else(|| {
                        if single_pair {
                            old_set.subjects.first()
                        } else {
                            None
                        }
                    });
                let Some(os) = old_subject else {
                    continue;
                };
                compared = true;
                let Some(n) = new_set else { continue };
                for &dir in mode.directions() {
                    let found = engine.compat(
                        old_set.loaded.as_ref(),
                        os,
                        n.loaded.as_ref(),
                        ns,
                        dir,
                        spec.opts,
                    );
                    for mut f in found {
                        f.mode = Some(mode);
                        let key = (
                            f.rule.id,
                            f.message.clone(),
                            f.new.as_ref().map(|l| (l.span.start, l.span.end)),
                            f.old.as_ref().map(|l| {
                                let id = Arc::as_ptr(&l.file.text) as *const u8 as usize;
                                let h =
                                    *hashes.entry(id).or_insert_with(|| text_hash(&l.file.text));
                                (l.file.shown.clone(), l.span.start, h)
                            }),
                        );
                        if seen.insert(key) {
                            out.findings.push(f);
                        }
                    }
                }
            }
            if compared {
                out.checked.push((ns.name.clone(), format, mode));
                if !by_name {
                    out.renamed += 1;
                }
            } else {
                new_only.push(ns);
            }
        }
        if let (Some(n), false) = (new_set, new_only.is_empty()) {
            // A broken file that a new one imports was compared (and reported) as a changed file already: say it
            // once.
            let said: HashSet<(String, Option<(String, usize)>)> = out
                .findings
                .iter()
                .filter(|f| f.rule.category == Category::Input)
                .map(|f| (f.message.clone(), input_place(f)))
                .collect();
            out.findings.extend(
                engine
                    .check_new(n.loaded.as_ref(), &new_only, spec.opts)
                    .into_iter()
                    .filter(|f| !said.contains(&(f.message.clone(), input_place(f)))),
            );
        }
        if spec.report_deleted && !single_pair {
            if let Some(old_set) = latest.set(format) {
                let mut new_names: BTreeSet<String> =
                    new_subjects.iter().map(|s| s.name.clone()).collect();
                // A subject renamed with an alias (Avro) is not deleted: it was compared under its new name.
                if let Some(n) = new_set {
                    for s in new_subjects {
                        new_names.extend(n.loaded.former_names(s));
                    }
                }
                // Nor is a renamed file: it was compared with the file it was renamed from.
                if let Some(r) = renames.last() {
                    new_names.extend(r.values().cloned());
                }
                // A subject whose file is still there but broken is not deleted: its input finding says why.
                let broken: BTreeSet<&str> = new
                    .findings
                    .iter()
                    .filter(|f| {
                        f.rule.category == Category::Input && f.rule.id != rules::INVALID_IGNORE.id
                    })
                    .filter_map(|f| f.primary())
                    .map(|l| l.file.path.as_str())
                    .collect();
                for os in &old_set.subjects {
                    if new_names.contains(os.name.as_str())
                        || broken.contains(os.file.path.as_str())
                        || (spec.pair_single && !broken.is_empty())
                    {
                        continue;
                    }
                    let mode = (spec.mode_for)(os);
                    if mode == Mode::None {
                        continue;
                    }
                    out.findings.push(
                        Finding::new(
                            &rules::SUBJECT_DELETED,
                            os.name.clone(),
                            format!(
                                "{} schema `{}` was deleted: no file defines it any more",
                                format.as_str(),
                                os.name
                            ),
                        )
                        .help("restore the schema, or, if the deletion is intended, lower SUBJECT_DELETED's severity in schemaguard.toml")
                        .format(format)
                        .mode(mode)
                        .at_old(Location::new(&os.file, os.span.clone())),
                    );
                }
            }
        }
    }
    // Inline ignores of either side: an ignore in the old file covers a deleted element, one in the new file the
    // element as it is now.
    let mut ignores = new.ignores.clone();
    for p in previous {
        ignores.extend(&p.ignores);
    }
    ignores.retain(&mut out.findings);
    // `--except` / config `except`: any rule id of any format (buf categories are resolved by the Protobuf
    // engine, which also drops its excepted ids itself).
    if !spec.opts.except.is_empty() {
        out.findings.retain(|f| {
            !spec
                .opts
                .except
                .iter()
                .any(|e| e.trim().eq_ignore_ascii_case(f.rule.id))
        });
    }
    out
}

/// Files renamed between an old snapshot and the new one, as new subject name → old subject name. A Protobuf
/// subject is its file's path and a JSON Schema subject its file name, so renaming or moving the file would read
/// as a deletion plus an addition, and no change inside it would be compared. A new subject that has no old
/// namesake is paired with an old subject that has no new namesake when both give the same record name (the one
/// Confluent's RecordNameStrategy registers them under: the first message's full name, the JSON Schema `title`)
/// and that name belongs to exactly one such subject on each side. Avro subjects are full names already (renames
/// go through aliases, [`Loaded::former_names`]). Linear in the subjects; record names are read only for the
/// unpaired ones.
fn renamed_files(format: Format, old: &[Subject], new: &[Subject]) -> BTreeMap<String, String> {
    if format == Format::Avro {
        return BTreeMap::new();
    }
    let old_names: HashSet<&str> = old.iter().map(|s| s.name.as_str()).collect();
    let new_names: HashSet<&str> = new.iter().map(|s| s.name.as_str()).collect();
    let by_record = |subjects: &[Subject], other: &HashSet<&str>| {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in subjects.iter().filter(|s| !other.contains(s.name.as_str())) {
            if let Some(r) = crate::registry::record_name(format, s) {
                m.entry(r).or_default().push(s.name.clone());
            }
        }
        m
    };
    let gone = by_record(old, &new_names);
    if gone.is_empty() {
        return BTreeMap::new();
    }
    let added = by_record(new, &old_names);
    let mut out = BTreeMap::new();
    for (record, news) in added {
        if let (Some(olds), [n]) = (gone.get(&record), news.as_slice()) {
            if let [o] = olds.as_slice() {
                out.insert(n.clone(), o.clone());
            }
        }
    }
    out
}

/// Input findings of a baseline snapshot: the user cannot fix history, so they are warnings that say the
/// subject was not compared, not errors that fail the run.
pub fn baseline_findings(snap: &LoadedSnapshot) -> Vec<Finding> {
    snap.findings
        .iter()
        // A malformed ignore in history is not the user's to fix; the current file gets its own warning.
        .filter(|f| f.rule.id != rules::INVALID_IGNORE.id)
        .cloned()
        .map(|mut f| {
            if f.rule.category == Category::Input {
                f.severity = Severity::Warning;
                f.message = format!(
                    "in the baseline: {}; schemas in this file were not compared",
                    f.message
                );
                if f.old.is_none() {
                    f.old = f.new.take();
                }
            }
            f
        })
        .collect()
}

/// What makes a finding the same one again: rule, message, new span, and the old file (path, span, text hash).
type SeenKey = (
    &'static str,
    String,
    Option<(usize, usize)>,
    Option<(String, usize, u64)>,
);

/// A stable hash of a file's text (FNV-1a), to tell identical versions apart without keeping their text.
fn text_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}
