//! buf's breaking-change rules over two whole snapshots. Which rules run comes from `CheckOptions.breaking`
//! (categories `FILE`, `PACKAGE`, `WIRE_JSON`, `WIRE`, `CSR` and/or rule ids) minus `CheckOptions.except`.
//! Only files that differ between the snapshots (by their own text or anything they import) are compiled: an
//! element of an unchanged file is identical on both sides and cannot produce a finding, and an element can only
//! move between files that changed. One file per rule family: `files.rs`, `messages.rs`, `fields.rs`,
//! `enums.rs`, `services.rs`, `packages.rs`.
//!
//! Complexity: no walk through references (buf's rules compare each element with its namesake), so no depth or
//! path blow-up. Messages, enums, services and extensions are indexed by full name once (`Cx`); within a message,
//! fields are paired by number and deleted names checked against reserved names through sets built once per
//! message, and per-file deletions through sets of names built once per file. Total time is O(size of the changed
//! files on both sides) plus O(findings × log findings) to sort.

mod enums;
mod fields;
mod files;
mod messages;
mod packages;
mod services;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::model::*;
use super::parse::{as_baseline, ProtoSnap};
use super::rules::*;
use crate::finding::{Finding, Format, Location};
use crate::formats::CheckOptions;
use crate::rules::Rule;

pub(crate) const FILE: u8 = 1;
pub(crate) const PACKAGE: u8 = 2;
pub(crate) const WIRE_JSON: u8 = 4;
pub(crate) const WIRE: u8 = 8;
pub(crate) const CSR: u8 = 16;

const FP: u8 = FILE | PACKAGE;
const ALL4: u8 = FILE | PACKAGE | WIRE_JSON | WIRE | CSR;

/// Every buf breaking rule with its categories (buf 1.75, v2 config; `buf.md` §3.2).
pub(crate) static BUF_RULES: &[(&Rule, u8)] = &[
    (&EXTENSION_NO_DELETE, FILE),
    (&SERVICE_NO_DELETE, FILE),
    (&ENUM_NO_DELETE, FILE | CSR),
    (&FILE_NO_DELETE, FILE | CSR),
    (&MESSAGE_NO_DELETE, FILE | CSR),
    (&ENUM_SAME_TYPE, FP),
    (&FIELD_SAME_CARDINALITY, FP),
    (&FIELD_SAME_CPP_STRING_TYPE, FP),
    (&FIELD_SAME_JAVA_UTF8_VALIDATION, FP),
    (&FIELD_SAME_JSTYPE, FP),
    (&FIELD_SAME_UTF8_VALIDATION, FP),
    (&FILE_SAME_CC_ENABLE_ARENAS, FP),
    (&FILE_SAME_CC_GENERIC_SERVICES, FP),
    (&FILE_SAME_CSHARP_NAMESPACE, FP),
    (&FILE_SAME_GO_PACKAGE, FP),
    (&FILE_SAME_JAVA_GENERIC_SERVICES, FP),
    (&FILE_SAME_JAVA_MULTIPLE_FILES, FP),
    (&FILE_SAME_JAVA_OUTER_CLASSNAME, FP),
    (&FILE_SAME_JAVA_PACKAGE, FP),
    (&FILE_SAME_OBJC_CLASS_PREFIX, FP),
    (&FILE_SAME_OPTIMIZE_FOR, FP),
    (&FILE_SAME_PHP_CLASS_PREFIX, FP),
    (&FILE_SAME_PHP_METADATA_NAMESPACE, FP),
    (&FILE_SAME_PHP_NAMESPACE, FP),
    (&FILE_SAME_PY_GENERIC_SERVICES, FP),
    (&FILE_SAME_RUBY_PACKAGE, FP),
    (&FILE_SAME_SWIFT_PREFIX, FP),
    (&RPC_NO_DELETE, FP),
    (&ENUM_VALUE_NO_DELETE, FP | CSR),
    (&EXTENSION_MESSAGE_NO_DELETE, FP | CSR),
    (&FIELD_NO_DELETE, FP | CSR),
    (&FIELD_SAME_TYPE, FP | CSR),
    (&FILE_SAME_SYNTAX, FP | CSR),
    (&MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR, FP | CSR),
    (&ONEOF_NO_DELETE, FP | CSR),
    (&ENUM_SAME_JSON_FORMAT, FP | WIRE_JSON | CSR),
    (&ENUM_VALUE_SAME_NAME, FP | WIRE_JSON | CSR),
    (&FIELD_SAME_JSON_NAME, FP | WIRE_JSON | CSR),
    (&FIELD_SAME_NAME, FP | WIRE_JSON | CSR),
    (&MESSAGE_SAME_JSON_FORMAT, FP | WIRE_JSON | CSR),
    (&FIELD_SAME_DEFAULT, ALL4),
    (&FIELD_SAME_ONEOF, ALL4),
    (&FILE_SAME_PACKAGE, ALL4),
    (&MESSAGE_SAME_REQUIRED_FIELDS, ALL4),
    (&RESERVED_ENUM_NO_DELETE, ALL4),
    (&RESERVED_MESSAGE_NO_DELETE, ALL4),
    (&RPC_SAME_CLIENT_STREAMING, ALL4),
    (&RPC_SAME_IDEMPOTENCY_LEVEL, ALL4),
    (&RPC_SAME_REQUEST_TYPE, ALL4),
    (&RPC_SAME_RESPONSE_TYPE, ALL4),
    (&RPC_SAME_SERVER_STREAMING, ALL4),
    (&PACKAGE_ENUM_NO_DELETE, PACKAGE),
    (&PACKAGE_EXTENSION_NO_DELETE, PACKAGE),
    (&PACKAGE_MESSAGE_NO_DELETE, PACKAGE),
    (&PACKAGE_NO_DELETE, PACKAGE),
    (&PACKAGE_SERVICE_NO_DELETE, PACKAGE),
    (&ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED, WIRE_JSON | CSR),
    (&FIELD_NO_DELETE_UNLESS_NAME_RESERVED, WIRE_JSON | CSR),
    (&FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY, WIRE_JSON | CSR),
    (&FIELD_WIRE_JSON_COMPATIBLE_TYPE, WIRE_JSON | CSR),
    (
        &ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED,
        WIRE_JSON | WIRE | CSR,
    ),
    (
        &FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED,
        WIRE_JSON | WIRE | CSR,
    ),
    (&FIELD_WIRE_COMPATIBLE_CARDINALITY, WIRE),
    (&FIELD_WIRE_COMPATIBLE_TYPE, WIRE),
];

fn category_mask(name: &str) -> Option<u8> {
    match name {
        "FILE" => Some(FILE),
        "PACKAGE" => Some(PACKAGE),
        "WIRE_JSON" => Some(WIRE_JSON),
        "WIRE" => Some(WIRE),
        "CSR" => Some(CSR),
        _ => None,
    }
}

/// The buf breaking categories (`--breaking` names) that select a rule, in buf's order; empty for any other rule.
pub fn categories_of(id: &str) -> Vec<&'static str> {
    let Some((_, mask)) = BUF_RULES.iter().find(|(r, _)| r.id == id) else {
        return Vec::new();
    };
    [
        ("FILE", FILE),
        ("PACKAGE", PACKAGE),
        ("WIRE_JSON", WIRE_JSON),
        ("WIRE", WIRE),
        ("CSR", CSR),
    ]
    .into_iter()
    .filter(|(_, bit)| mask & bit != 0)
    .map(|(name, _)| name)
    .collect()
}

/// Whether `name` is a buf breaking category or rule id schemaguard knows (for config validation).
pub fn is_known_selector(name: &str) -> bool {
    let up = name.trim().to_ascii_uppercase();
    category_mask(&up).is_some() || BUF_RULES.iter().any(|(r, _)| r.id == up)
}

/// Rule ids selected by `breaking` minus `except` (buf's `use` / `except`: a union, then a difference).
pub(crate) fn selected(opts: &CheckOptions) -> HashSet<&'static str> {
    let pick = |names: &[String]| -> HashSet<&'static str> {
        let mut out = HashSet::new();
        for n in names {
            let up = n.trim().to_ascii_uppercase();
            if let Some(mask) = category_mask(&up) {
                out.extend(
                    BUF_RULES
                        .iter()
                        .filter(|(_, m)| m & mask != 0)
                        .map(|(r, _)| r.id),
                );
            } else if let Some((r, _)) = BUF_RULES.iter().find(|(r, _)| r.id == up) {
                out.insert(r.id);
            }
        }
        out
    };
    let used = pick(&opts.breaking);
    let except = pick(&opts.except);
    used.difference(&except).copied().collect()
}

/// Location of an element in one model file.
pub(crate) fn loc(file: &PFile, span: &Span, pointer: impl Into<String>) -> Location {
    Location::new(&file.src, span.clone()).with_pointer(pointer)
}

/// Collects findings, dropping rules not selected and elements that carry a matching inline ignore.
pub(crate) struct Out {
    enabled: HashSet<&'static str>,
    pub findings: Vec<Finding>,
}

impl Out {
    pub fn on(&self, rule: &Rule) -> bool {
        self.enabled.contains(rule.id)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        rule: &'static Rule,
        subject: &str,
        message: String,
        help: &str,
        new: Option<Location>,
        old: Option<Location>,
        ignores: &[&Ignores],
    ) {
        if !self.on(rule) || ignores.iter().any(|i| i.iter().any(|id| id == rule.id)) {
            return;
        }
        self.findings.push(
            Finding::new(rule, subject, message)
                .help(help)
                .format(Format::Protobuf)
                .maybe_new(new)
                .maybe_old(old),
        );
    }
}

/// One side's compiled files, indexed the way buf pairs elements.
pub(crate) struct Side<'a> {
    pub files: &'a BTreeMap<String, Arc<PFile>>,
    pub messages: HashMap<&'a str, (&'a PFile, &'a PMessage)>,
    pub enums: HashMap<&'a str, (&'a PFile, &'a PEnum)>,
    pub services: HashMap<&'a str, (&'a PFile, &'a PService)>,
    /// Extensions by (extendee, number).
    pub extensions: HashMap<(&'a str, i32), (&'a PFile, &'a PField)>,
}

impl<'a> Side<'a> {
    fn new(files: &'a BTreeMap<String, Arc<PFile>>) -> Self {
        let mut s = Side {
            files,
            messages: HashMap::new(),
            enums: HashMap::new(),
            services: HashMap::new(),
            extensions: HashMap::new(),
        };
        for f in files.values() {
            let f: &PFile = f;
            for m in &f.messages {
                s.messages.insert(m.full_name.as_str(), (f, m));
            }
            for e in &f.enums {
                s.enums.insert(e.full_name.as_str(), (f, e));
            }
            for sv in &f.services {
                s.services.insert(sv.full_name.as_str(), (f, sv));
            }
            for x in &f.extensions {
                if let Some(ext) = &x.extendee {
                    s.extensions.insert((ext.as_str(), x.number), (f, x));
                }
            }
        }
        s
    }
}

pub(crate) struct Cx<'a> {
    pub old_snap: &'a ProtoSnap,
    pub new_snap: &'a ProtoSnap,
    pub old: Side<'a>,
    pub new: Side<'a>,
}

/// Paths whose compiled form may differ between the snapshots: present on one side only, different text, or
/// importing (transitively, on either side) a file whose signature (the names and enum values importers can
/// see) differs or that is missing on the other side. Identical text resolved against identical signatures
/// compiles to an identical model, so every other file can be skipped.
pub(crate) fn changed(old: &ProtoSnap, new: &ProtoSnap) -> (Vec<usize>, Vec<usize>) {
    // (text differs or missing, signature differs or missing), per side.
    let diff = |a: &ProtoSnap, b: &ProtoSnap| -> Vec<(bool, bool)> {
        a.files
            .iter()
            .enumerate()
            .map(|(i, f)| match b.index.get(&f.path) {
                Some(&j) => (
                    b.files[j].text != f.text,
                    b.summaries[j].signature != a.summaries[i].signature
                        || b.summaries[j].broken != a.summaries[i].broken,
                ),
                None => (true, true),
            })
            .collect()
    };
    let (d_old, d_new) = (diff(old, new), diff(new, old));
    // Files that import (transitively) a file whose signature changed, on each side.
    let tainted = |snap: &ProtoSnap, d: &[(bool, bool)]| -> Vec<bool> {
        let rev = reverse_imports(snap);
        let mut t: Vec<bool> = d.iter().map(|x| x.1).collect();
        let mut stack: Vec<usize> = (0..t.len()).filter(|&i| t[i]).collect();
        while let Some(i) = stack.pop() {
            for &j in &rev[i] {
                if !t[j] {
                    t[j] = true;
                    stack.push(j);
                }
            }
        }
        t
    };
    let (t_old, t_new) = (tainted(old, &d_old), tainted(new, &d_new));
    let mut c_old: Vec<bool> = d_old.iter().zip(&t_old).map(|(d, t)| d.0 || *t).collect();
    let mut c_new: Vec<bool> = d_new.iter().zip(&t_new).map(|(d, t)| d.0 || *t).collect();
    for (i, f) in old.files.iter().enumerate() {
        if let Some(&j) = new.index.get(&f.path) {
            let c = c_old[i] || c_new[j];
            c_old[i] = c;
            c_new[j] = c;
        }
    }
    let pick = |d: &[bool]| (0..d.len()).filter(|&i| d[i]).collect();
    (pick(&c_old), pick(&c_new))
}

/// Drops files present on one side only (deleted or added) that share no element name with the other side's
/// changed files: for per-file and by-name rules such a file can only yield FILE_NO_DELETE, which needs no
/// compilation. Files declaring extensions are kept (extensions pair by extendee, unknown before compiling).
fn only_pairable(
    snap: &ProtoSnap,
    targets: &[usize],
    other: &ProtoSnap,
    other_t: &[usize],
) -> Vec<usize> {
    let mut names: HashSet<u64> = HashSet::new();
    for &j in other_t {
        names.extend(other.summaries[j].names.iter().copied());
    }
    targets
        .iter()
        .copied()
        .filter(|&i| {
            let s = &snap.summaries[i];
            other.index.contains_key(&snap.files[i].path)
                || s.has_extensions
                || s.names.iter().any(|h| names.contains(h))
        })
        .collect()
}

fn reverse_imports(snap: &ProtoSnap) -> Vec<Vec<usize>> {
    let mut rev = vec![Vec::new(); snap.files.len()];
    for (i, s) in snap.summaries.iter().enumerate() {
        for (imp, _) in &s.imports {
            if let Some(&j) = snap.index.get(imp) {
                rev[j].push(i);
            }
        }
    }
    rev
}

/// Runs the selected buf rules over two snapshots.
pub(crate) fn run(old: &ProtoSnap, new: &ProtoSnap, opts: &CheckOptions) -> Vec<Finding> {
    let enabled = selected(opts);
    let mut out = Out {
        enabled,
        findings: Vec::new(),
    };
    if out.enabled.is_empty() {
        return Vec::new();
    }
    let (old_t, new_t) = changed(old, new);
    let package_rules = BUF_RULES
        .iter()
        .any(|(r, m)| m & PACKAGE != 0 && m & FILE == 0 && out.enabled.contains(r.id));
    let all_new = new_t.clone();
    let (old_t, new_t) = if package_rules {
        (old_t, new_t)
    } else {
        (
            only_pairable(old, &old_t, new, &new_t),
            only_pairable(new, &new_t, old, &old_t),
        )
    };
    // Changed files no rule compares (added files, under file-level categories) must still compile, as buf
    // builds every file of the module before it compares.
    let unpaired: Vec<usize> = all_new
        .into_iter()
        .filter(|i| !new_t.contains(i) && !new.reference[*i])
        .collect();
    // One side after the other: each side's compilation holds its descriptor pool, source info and span index
    // while it lowers (about as much again as the model it yields), and compiling both at once doubled the peak
    // (302 MB for a 20,000-message file). Within a side, batches of files still compile in parallel.
    let (old_files, old_errs) = old.compile(&old_t, false);
    let (new_files, new_errs) = new.compile(&new_t, false);
    let mut findings: Vec<Finding> = old_errs.into_iter().map(as_baseline).collect();
    findings.extend(new_errs);
    if !unpaired.is_empty() {
        findings.extend(new.compile_errors(&unpaired));
    }
    let cx = Cx {
        old_snap: old,
        new_snap: new,
        old: Side::new(&old_files),
        new: Side::new(&new_files),
    };
    files::check(&cx, &mut out);
    messages::check(&cx, &mut out);
    fields::check(&cx, &mut out);
    enums::check(&cx, &mut out);
    services::check(&cx, &mut out);
    packages::check(&cx, &mut out);
    findings.extend(
        out.findings
            .into_iter()
            .filter(|f| !exempt(f, old, new, opts) && !on_reference(f, old, new)),
    );
    findings
}

/// Whether the finding is about a reference file (under an include directory) on either side: like buf's
/// dependencies, those are used, not checked.
fn on_reference(f: &Finding, old: &ProtoSnap, new: &ProtoSnap) -> bool {
    [(&f.new, new), (&f.old, old)]
        .into_iter()
        .any(|(loc, snap)| {
            loc.as_ref()
                .and_then(|l| snap.index.get(&l.file.path))
                .is_some_and(|&i| snap.reference[i])
        })
}

/// `path` equals `root` or lies below it (buf's `MapHasEqualOrContainingPath`).
fn under(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    let root = root.strip_prefix("./").unwrap_or(root);
    root.is_empty()
        || root == "."
        || path == root
        || (path.len() > root.len()
            && path.starts_with(root)
            && path.as_bytes()[root.len()] == b'/')
}

/// buf's exemptions (`breaking.ignore`, `ignore_only`, `ignore_unstable_packages`): a finding is dropped when
/// the file on either side is exempt. Paths are relative to the repository root (buf v2: to buf.yaml; v1 module
/// paths are prefixed with the module's directory when read), as buf 1.75 matches them.
fn exempt(f: &Finding, old: &ProtoSnap, new: &ProtoSnap, opts: &CheckOptions) -> bool {
    if opts.breaking_ignore.is_empty()
        && opts.breaking_ignore_only.is_empty()
        && !opts.ignore_unstable_packages
    {
        return false;
    }
    let masks: Vec<u8> = BUF_RULES
        .iter()
        .filter(|(r, _)| r.id == f.rule.id)
        .map(|(_, m)| *m)
        .collect();
    let only: Vec<&String> = opts
        .breaking_ignore_only
        .iter()
        .filter(|(k, _)| {
            let up = k.trim().to_ascii_uppercase();
            up == f.rule.id || category_mask(&up).is_some_and(|c| masks.iter().any(|m| m & c != 0))
        })
        .flat_map(|(_, p)| p.iter())
        .collect();
    [(&f.new, new), (&f.old, old)]
        .into_iter()
        .any(|(loc, snap)| {
            let Some(l) = loc else {
                return false;
            };
            let path = l.file.shown.as_str();
            if opts.breaking_ignore.iter().any(|r| under(path, r))
                || only.iter().any(|r| under(path, r))
            {
                return true;
            }
            opts.ignore_unstable_packages
                && snap
                    .index
                    .get(&l.file.path)
                    .map(|&i| snap.summaries[i].package.as_str())
                    .and_then(crate::formats::protobuf::lint::naming::package_version)
                    .is_some_and(|s| s != crate::formats::protobuf::lint::naming::Stability::Stable)
        })
}

/// The innermost message of `nested_name`'s parents that still exists in `file` (buf attaches deletions there),
/// as a location; the file's head when none does.
pub(crate) fn deleted_anchor(file: &PFile, nested_name: &str) -> Location {
    let mut name = nested_name;
    while let Some((parent, _)) = name.rsplit_once('.') {
        if let Some(m) = file.messages.iter().find(|m| m.nested_name == parent) {
            return loc(file, &m.span, m.full_name.clone());
        }
        name = parent;
    }
    loc(file, &file.head_span(), file.path.clone())
}

/// Ignores of a file that was not compiled (deleted): a directive anywhere in its text.
pub(crate) fn text_ignores(text: &str, rule: &Rule) -> bool {
    text.match_indices("schemaguard:ignore").any(|(i, _)| {
        super::lower::parse_ignores(&text[i..])
            .first()
            .map(String::as_str)
            == Some(rule.id)
    })
}

pub(crate) fn sorted<K: Ord + Clone, V>(m: &HashMap<K, V>) -> Vec<K> {
    let mut k: Vec<K> = m.keys().cloned().collect();
    k.sort();
    k
}
