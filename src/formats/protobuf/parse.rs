//! Loading a Protobuf snapshot: every `.proto` file is parsed once (syntax only, in parallel) to learn its
//! package and imports and to report syntax errors, unresolved imports, import cycles and `edition` files as
//! findings. Full compilation (name resolution, semantic checks) is lazy and selective: `compile` runs protox over
//! a chosen set of files with an in-memory `FileResolver` over the snapshot (no disk access, so git revisions
//! work without a checkout), lowers each compiled file to the compact model and drops the descriptors.
//! Must not print, must not panic on any input.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use miette::Diagnostic;
use protox::file::{File, FileResolver, GoogleFileResolver};
use rayon::prelude::*;

use super::lower;
use super::model::{PFile, Span};
use super::roots;
use crate::finding::{Finding, Location, Severity};
use crate::rules::PARSE_ERROR;
use crate::source::SourceFile;

/// Deeper nesting of `{`/`[`/`(` than this is refused before the recursive parser runs.
const MAX_DEPTH: usize = 100;

/// Target files per compiler (a directory is never split).
const BATCH: usize = 48;

/// What the syntax-only pass learnt about one file.
#[derive(Debug, Default, Clone)]
pub(crate) struct Summary {
    pub package: String,
    pub package_span: Option<Span>,
    pub imports: Vec<(String, Span)>,
    /// The file has a problem already reported as a finding (it is not compiled).
    pub broken: bool,
    /// Hashes of the full names of every message, enum and service the file declares (sorted).
    pub names: Vec<u64>,
    /// The file declares extensions (paired by extendee and number, which the syntax pass cannot resolve).
    pub has_extensions: bool,
    /// What importers can see of this file: syntax, package, public imports, kinds and full names of its
    /// messages and enums, enum values. A file whose text is unchanged compiles to the same model as long as the signatures of the files
    /// it imports are unchanged.
    pub signature: u64,
}

/// A stable hash of a full name, for cheap "could these files share an element" tests.
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn declared_names(fd: &prost_types::FileDescriptorProto) -> (Vec<u64>, bool, u64) {
    let pkg = fd.package.clone().unwrap_or_default();
    let join = |p: &str, n: &str| {
        if p.is_empty() {
            n.to_string()
        } else {
            format!("{p}.{n}")
        }
    };
    let mut out = Vec::new();
    // Package and public imports are part of what importers see: both take part in name resolution.
    let mut sig: Vec<String> = vec![
        format!("S {}", fd.syntax.clone().unwrap_or_default()),
        format!("P {pkg}"),
    ];
    for &i in &fd.public_dependency {
        let dep = usize::try_from(i).ok().and_then(|i| fd.dependency.get(i));
        sig.push(format!("I {}", dep.map(String::as_str).unwrap_or("")));
    }
    let enum_sig = |full: &str, e: &prost_types::EnumDescriptorProto| {
        let vals: Vec<String> = e
            .value
            .iter()
            .map(|v| format!("{}={}", v.name(), v.number()))
            .collect();
        format!("E {full} {}", vals.join(","))
    };
    let mut ext = !fd.extension.is_empty();
    let mut stack: Vec<(String, &prost_types::DescriptorProto)> =
        fd.message_type.iter().map(|m| (pkg.clone(), m)).collect();
    while let Some((prefix, m)) = stack.pop() {
        let full = join(&prefix, m.name());
        ext |= !m.extension.is_empty();
        for e in &m.enum_type {
            let en = join(&full, e.name());
            sig.push(enum_sig(&en, e));
            out.push(name_hash(&en));
        }
        sig.push(format!(
            "M {full} {}",
            m.options
                .as_ref()
                .and_then(|o| o.map_entry)
                .unwrap_or(false)
        ));
        for n in &m.nested_type {
            stack.push((full.clone(), n));
        }
        out.push(name_hash(&full));
    }
    for e in &fd.enum_type {
        let en = join(&pkg, e.name());
        sig.push(enum_sig(&en, e));
        out.push(name_hash(&en));
    }
    for s in &fd.service {
        out.push(name_hash(&join(&pkg, s.name())));
    }
    out.sort_unstable();
    out.dedup();
    sig.sort_unstable();
    (out, ext, name_hash(&sig.join("\n")))
}

pub(crate) struct ProtoSnap {
    pub files: Vec<Arc<SourceFile>>,
    /// Per file: it lies under an include directory of the repository (`[protobuf] include`, `--include`): used to
    /// resolve imports, never a subject, never linted, its buf breaking findings dropped.
    pub reference: Vec<bool>,
    /// Where imports no file of the snapshot provides are found.
    pub fallback: Fallback,
    pub index: HashMap<String, usize>,
    pub summaries: Vec<Summary>,
    pub findings: Vec<Finding>,
    /// Compiled files, by path (filled lazily by `compat`).
    cache: Mutex<HashMap<String, Arc<PFile>>>,
    /// Compile errors already met, by path.
    errors: Mutex<HashMap<String, Vec<Finding>>>,
    /// Snapshots (by address) this one was already precompiled against.
    precompiled: Mutex<HashSet<usize>>,
}

fn span_of(fd: &prost_types::FileDescriptorProto, text: &str, path: &[i32]) -> Option<Span> {
    let loc = fd
        .source_code_info
        .as_ref()?
        .location
        .iter()
        .find(|l| l.path == path)?;
    location_span(loc, text)
}

/// The span of the element at `path`, or of the innermost element around it that has a location (prost-reflect
/// names some elements by paths the source info lacks: an enum value's number as a field's number, tag 3).
fn span_around(fd: &prost_types::FileDescriptorProto, text: &str, path: &[i32]) -> Option<Span> {
    let loc = fd
        .source_code_info
        .as_ref()?
        .location
        .iter()
        .filter(|l| path.starts_with(&l.path))
        .max_by_key(|l| l.path.len())?;
    location_span(loc, text)
}

fn location_span(loc: &prost_types::source_code_info::Location, text: &str) -> Option<Span> {
    let line_start = |line: i32| -> usize {
        let n = usize::try_from(line).unwrap_or(0);
        if n == 0 {
            return 0;
        }
        text.match_indices('\n')
            .nth(n - 1)
            .map(|(i, _)| i + 1)
            .unwrap_or(text.len())
    };
    let s = &loc.span;
    let col = |c: i32| usize::try_from(c).unwrap_or(0);
    match s.len() {
        3 => {
            let ls = line_start(s[0]);
            Some((ls + col(s[1])).min(text.len())..(ls + col(s[2])).min(text.len()))
        }
        4 => Some(
            (line_start(s[0]) + col(s[1])).min(text.len())
                ..(line_start(s[2]) + col(s[3])).min(text.len()),
        ),
        _ => None,
    }
}

/// Offset of the first `{`/`[`/`(` nested deeper than `MAX_DEPTH`, skipping comments and strings.
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the outline (the catalog) must not parse this text: editions, or nesting deeper than loading allows.
pub(crate) fn too_deep_for_outline(text: &str) -> bool {
    edition_span(text).is_some() || too_deep(text).is_some()
}

/// Span of a leading `edition = "…";` statement, if the file uses editions.
fn edition_span(text: &str) -> Option<Span> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut rest = &text[bom..];
    let mut off = bom;
    loop {
        let trimmed = rest.trim_start();
        off += rest.len() - trimmed.len();
        rest = trimmed;
        if let Some(r) = rest.strip_prefix("//") {
            let n = r.find('\n').map(|i| i + 1).unwrap_or(r.len());
            off += 2 + n;
            rest = &r[n..];
        } else if let Some(r) = rest.strip_prefix("/*") {
            let n = r.find("*/").map(|i| i + 2).unwrap_or(r.len());
            off += 2 + n;
            rest = &r[n..];
        } else {
            break;
        }
    }
    if rest.starts_with("edition") && rest["edition".len()..].trim_start().starts_with('=') {
        let end = rest.find(';').map(|i| i + 1).unwrap_or(rest.len().min(40));
        Some(off..off + end)
    } else {
        None
    }
}

fn parse_error(src: &Arc<SourceFile>, span: Span, message: String, help: &str) -> Finding {
    Finding::new(&PARSE_ERROR, src.path.clone(), message)
        .help(help)
        .at_new(Location::new(src, span))
}

/// The last label of a protox diagnostic as a byte span (for duplicates: the second definition, the one to fix).
fn diag_span(err: &dyn Diagnostic) -> Option<Span> {
    let label = err.labels()?.last()?;
    Some(label.offset()..label.offset() + label.len())
}

fn is_wkt(name: &str) -> bool {
    static WKT: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    let set = WKT.get_or_init(|| {
        [
            "any",
            "api",
            "descriptor",
            "duration",
            "empty",
            "field_mask",
            "source_context",
            "struct",
            "timestamp",
            "type",
            "wrappers",
            "compiler/plugin",
            "cpp_features",
            "java_features",
            "go_features",
        ]
        .iter()
        .map(|n| format!("google/protobuf/{n}.proto"))
        .filter(|n| GoogleFileResolver::new().open_file(n).is_ok())
        .collect()
    });
    set.contains(name)
}

/// The import roots to use for every snapshot of one comparison: the `explicit` ones (in their order), then every
/// root detected in any of the snapshots (sorted). Loading each snapshot with the same roots gives a file the same
/// logical path on both sides, so subjects pair even when only one side has the import that reveals the root.
/// Only `.proto` files are looked at; their syntax pass is memoized, so loading afterwards does not parse again.
/// A detected root that is a candidate of an ambiguous import in some snapshot is used by none (an explicit root
/// still is): the returned list then carries a veto entry for it, which keeps loading from detecting it again.
pub fn shared_roots(snapshots: &[&[Arc<SourceFile>]], explicit: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in explicit.iter().filter_map(|r| roots::normalize(r)) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    // A root detected in one snapshot applies to all (a file moved under it on one side keeps its subject), but
    // only where it settles nothing ambiguous: an import that several files of a snapshot could be stays an
    // error of that snapshot, whatever another snapshot detected.
    let mut detected = std::collections::BTreeSet::new();
    let mut ambiguous = std::collections::BTreeSet::new();
    for files in snapshots {
        let mut protos: Vec<&Arc<SourceFile>> = files
            .iter()
            .filter(|f| f.path.ends_with(".proto"))
            .collect();
        if protos.is_empty() {
            continue;
        }
        protos.sort_by(|a, b| a.path.cmp(&b.path));
        protos.dedup_by(|a, b| a.path == b.path);
        let imports: Vec<Vec<String>> = protos
            .par_iter()
            .map(|f| {
                let (s, _) = summarize_cached(f);
                s.imports.into_iter().map(|(i, _)| i).collect()
            })
            .collect();
        let paths: Vec<&str> = protos.iter().map(|f| f.path.as_str()).collect();
        let layout = roots::layout(&paths, &imports, &out, &is_wkt);
        detected.extend(layout.roots.into_iter().filter(|r| !out.contains(r)));
        ambiguous.extend(layout.ambiguous);
    }
    let vetoed: Vec<String> = ambiguous
        .iter()
        .filter(|r| !out.contains(r))
        .map(|r| roots::veto(r))
        .collect();
    out.extend(detected.into_iter().filter(|r| !ambiguous.contains(r)));
    out.extend(vetoed);
    out
}

/// Indices of `roots` and everything they import among the files of `index`, transitively.
fn closure_of(
    summaries: &[Summary],
    index: &HashMap<String, usize>,
    roots: impl IntoIterator<Item = usize>,
) -> Vec<usize> {
    let mut seen = vec![false; summaries.len()];
    let mut stack: Vec<usize> = roots.into_iter().collect();
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        out.push(i);
        for (imp, _) in &summaries[i].imports {
            if let Some(&j) = index.get(imp) {
                stack.push(j);
            }
        }
    }
    out.sort_unstable();
    out
}

/// `path` equals the repository path `dir` or lies below it.
fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Where imports that no file of a snapshot provides are looked for, in this order: the include directories
/// outside the repository (read from disk when first imported, the same for every snapshot), the embedded
/// googleapis common protos (`embedded.rs`), the well-known types. A file of the snapshot wins over all of them.
#[derive(Clone, Default)]
pub(crate) struct Fallback {
    dirs: Arc<Vec<std::path::PathBuf>>,
    read: Arc<Mutex<HashMap<String, Option<Arc<str>>>>>,
}

impl Fallback {
    pub fn new(dirs: Vec<std::path::PathBuf>) -> Fallback {
        Fallback {
            dirs: Arc::new(dirs),
            read: Arc::default(),
        }
    }

    /// The text of the import `name` from an include directory or the embedded files (not the well-known types,
    /// which protox holds compiled).
    pub fn text(&self, name: &str) -> Option<Arc<str>> {
        // An import path is relative and stays inside the directory it is looked up in.
        let safe = !name.is_empty()
            && !name.starts_with('/')
            && !name.contains('\\')
            && name
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        if !safe {
            return None;
        }
        if !self.dirs.is_empty() {
            if let Some(t) = self.read.lock().ok().and_then(|m| m.get(name).cloned()) {
                return t;
            }
            let found = self.dirs.iter().find_map(|d| {
                let p = d.join(name);
                if p.is_file() {
                    std::fs::read_to_string(p).ok().map(Arc::<str>::from)
                } else {
                    None
                }
            });
            if let Ok(mut m) = self.read.lock() {
                m.insert(name.to_string(), found.clone());
            }
            if found.is_some() {
                return found;
            }
        }
        super::embedded::get(name).map(Arc::<str>::from)
    }

    /// Whether an import no file of the snapshot provides is found elsewhere.
    pub fn provides(&self, name: &str) -> bool {
        self.text(name).is_some() || is_wkt(name)
    }

    /// Parses an import found here, without source info (it is never lowered), or the well-known type.
    fn open(&self, name: &str) -> Result<File, protox::Error> {
        match self.text(name) {
            Some(text) => {
                let parsed = super::file_from_source(name, &text)?;
                let mut fd = parsed.file_descriptor_proto().clone();
                fd.source_code_info = None;
                Ok(File::from_file_descriptor_proto(fd))
            }
            None => GoogleFileResolver::new().open_file(name),
        }
    }
}

/// A resolver over the embedded files and the well-known types alone (tests).
#[cfg(test)]
pub(crate) fn test_resolver() -> impl FileResolver {
    struct R(Fallback);
    impl FileResolver for R {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            self.0.open(name)
        }
    }
    R(Fallback::default())
}

impl ProtoSnap {
    /// Loads one snapshot. Files under an import root (`roots`, the explicit ones, plus the detected ones) get
    /// the path relative to it as their logical path; reports keep showing the repository path.
    pub fn load(files: &[Arc<SourceFile>], roots: &[String]) -> ProtoSnap {
        Self::load_with(files, roots, &Fallback::default(), &[])
    }

    /// `load`, with the include directories: `fallback` finds imports outside the snapshot, and files whose
    /// path lies under one of `reference` (repository paths, also given as import roots) are reference files.
    pub fn load_with(
        files: &[Arc<SourceFile>],
        roots: &[String],
        fallback: &Fallback,
        reference: &[String],
    ) -> ProtoSnap {
        let mut files: Vec<Arc<SourceFile>> = files.to_vec();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        // The syntax pass runs on the files as given (memoized by path and content), the layout follows from it.
        let parsed: Vec<(Summary, Option<RawFinding>)> =
            files.par_iter().map(summarize_cached).collect();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let imports: Vec<Vec<String>> = parsed
            .iter()
            .map(|(s, _)| s.imports.iter().map(|(i, _)| i.clone()).collect())
            .collect();
        let layout = roots::layout(&paths, &imports, roots, &is_wkt);
        let mut entries: Vec<(Arc<SourceFile>, Summary, Option<RawFinding>, bool)> = files
            .iter()
            .zip(parsed)
            .zip(&layout.logical)
            .map(|((file, (s, f)), logical)| {
                let is_ref = reference.iter().any(|r| under(&file.path, r));
                let file = if *logical == file.path {
                    Arc::clone(file)
                } else {
                    SourceFile::with_shown(
                        logical.clone(),
                        file.shown.clone(),
                        file.revision.clone(),
                        Arc::clone(&file.text),
                    )
                };
                (file, s, f, is_ref)
            })
            .collect();
        entries.sort_by(|a, b| a.0.path.cmp(&b.0.path).then(a.3.cmp(&b.3)));
        entries.dedup_by(|a, b| a.0.path == b.0.path);
        let mut files = Vec::with_capacity(entries.len());
        let mut summaries = Vec::with_capacity(entries.len());
        let mut reference = Vec::with_capacity(entries.len());
        let mut findings = Vec::new();
        for (file, s, f, is_ref) in entries {
            if let Some((msg, span, help)) = f {
                findings.push(parse_error(&file, span, msg, &help));
            }
            files.push(file);
            summaries.push(s);
            reference.push(is_ref);
        }
        let index: HashMap<String, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        // Inline ignores naming no known rule: a warning, not silence.
        for f in &files {
            findings.extend(crate::ignore::check_comment_ids(
                f,
                crate::finding::Format::Protobuf,
                &comment_ignore_ids(&f.text),
            ));
        }
        // Unresolved imports.
        for (i, s) in summaries.iter_mut().enumerate() {
            let mut missing = Vec::new();
            for (imp, span) in &s.imports {
                if !index.contains_key(imp) && !fallback.provides(imp) {
                    missing.push((imp.clone(), span.clone()));
                }
            }
            for (imp, span) in missing {
                s.broken = true;
                // No file could be this import: a root would not help, the file is missing.
                let help = layout.hints.get(&imp).map(String::as_str).unwrap_or(
                    "add the imported file under the same import root, or fix the import path",
                );
                findings.push(
                    parse_error(
                        &files[i],
                        span,
                        format!("import `{imp}` not found among the files of this snapshot"),
                        help,
                    )
                    .unresolved(imp),
                );
            }
        }
        // Import cycles (iterative DFS; colours 0 new, 1 on stack, 2 done).
        let n = files.len();
        let mut colour = vec![0u8; n];
        for start in 0..n {
            if colour[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            colour[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let imports = &summaries[node].imports;
                if *next < imports.len() {
                    let (imp, span) = &imports[*next];
                    *next += 1;
                    if let Some(&j) = index.get(imp) {
                        if colour[j] == 1 {
                            let cycle: Vec<&str> = stack
                                .iter()
                                .skip_while(|(k, _)| *k != j)
                                .map(|(k, _)| files[*k].path.as_str())
                                .chain(std::iter::once(files[j].path.as_str()))
                                .collect();
                            findings.push(parse_error(
                                &files[node],
                                span.clone(),
                                format!("import cycle: {}", cycle.join(" -> ")),
                                "break the cycle: move the shared definitions to a file both can import",
                            ));
                            summaries[node].broken = true;
                        } else if colour[j] == 0 {
                            colour[j] = 1;
                            stack.push((j, 0));
                        }
                    }
                } else {
                    colour[node] = 2;
                    stack.pop();
                }
            }
        }
        // Problems of reference files matter only where a checked file imports them.
        if reference.iter().any(|&r| r) {
            let used = closure_of(
                &summaries,
                &index,
                (0..files.len()).filter(|&i| !reference[i]),
            );
            let keep: HashSet<&str> = used.iter().map(|&i| files[i].path.as_str()).collect();
            findings.retain(|f| {
                index
                    .get(&f.subject)
                    .is_none_or(|&i| !reference[i] || keep.contains(f.subject.as_str()))
            });
        }
        ProtoSnap {
            files,
            reference,
            fallback: fallback.clone(),
            index,
            summaries,
            findings,
            cache: Mutex::new(HashMap::new()),
            errors: Mutex::new(HashMap::new()),
            precompiled: Mutex::new(HashSet::new()),
        }
    }

    /// Indices of `roots` and everything they import, transitively.
    pub fn closure(&self, roots: impl IntoIterator<Item = usize>) -> Vec<usize> {
        closure_of(&self.summaries, &self.index, roots)
    }

    /// Whether the file or anything it imports is broken (then it is not compiled; the problem is reported).
    fn blocked(&self, i: usize) -> bool {
        self.closure([i]).iter().any(|&k| self.summaries[k].broken)
    }

    /// Compiles `targets` (indices) and returns their models by path, plus compile errors as findings.
    /// With `with_imports`, imported files of the snapshot are lowered and returned too.
    pub fn compile(
        &self,
        targets: &[usize],
        with_imports: bool,
    ) -> (BTreeMap<String, Arc<PFile>>, Vec<Finding>) {
        let wanted: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&i| !self.blocked(i))
            .collect();
        // Batches of whole directories (files of one API version import each other, so their import closures
        // overlap): each import is compiled about once, and only one batch's descriptors are alive per thread.
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut last_dir: Option<&str> = None;
        for &i in &wanted {
            let path = self.files[i].path.as_str();
            let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let same = last_dir == Some(dir);
            match batches.last_mut() {
                Some(b) if same || b.len() < BATCH => b.push(i),
                _ => batches.push(vec![i]),
            }
            last_dir = Some(dir);
        }
        let results: Vec<(Vec<Arc<PFile>>, Vec<Finding>)> = batches
            .par_iter()
            .map(|batch| self.compile_batch(batch, with_imports))
            .collect();
        let mut out = BTreeMap::new();
        let mut errs = Vec::new();
        for (files, e) in results {
            for f in files {
                out.insert(f.path.clone(), f);
            }
            errs.extend(e);
        }
        errs.sort_by(|a, b| a.message.cmp(&b.message));
        errs.dedup_by(|a, b| a.message == b.message && a.subject == b.subject);
        (out, errs)
    }

    fn compile_batch(
        &self,
        batch: &[usize],
        with_imports: bool,
    ) -> (Vec<Arc<PFile>>, Vec<Finding>) {
        // protox's resolver must be 'static: hand it an owned view of the texts it may need.
        let needed = self.closure(batch.iter().copied());
        let files: HashMap<String, Arc<SourceFile>> = needed
            .iter()
            .map(|&i| (self.files[i].path.clone(), Arc::clone(&self.files[i])))
            .collect();
        let infos = Arc::new(Mutex::new(HashMap::new()));
        let keep: HashSet<String> = if with_imports {
            files.keys().cloned().collect()
        } else {
            batch.iter().map(|&i| self.files[i].path.clone()).collect()
        };
        let owned = OwnedResolver {
            files: files.clone(),
            fallback: self.fallback.clone(),
            strip: true,
            keep,
            infos: Arc::clone(&infos),
        };
        let mut compiler = protox::Compiler::with_file_resolver(owned);
        compiler.include_imports(true).include_source_info(false);
        let mut errs = Vec::new();
        let mut ok = Vec::new();
        for &i in batch {
            let path = &self.files[i].path;
            let r = compiler.open_file(path);
            match r {
                Ok(_) => ok.push(i),
                Err(e) => {
                    let located = self
                        .locate_check_error(&compiler.descriptor_pool(), &e)
                        .or_else(|| self.locate_by_recompiling(&files, path, i));
                    if let Some((at, span, message)) = located {
                        errs.push(parse_error(
                            &self.files[at],
                            span,
                            message,
                            "fix the definition so that protoc would accept the file",
                        ));
                    }
                }
            }
        }
        let pool = compiler.descriptor_pool();
        let mut lowered = Vec::new();
        let list: Vec<usize> = if with_imports {
            self.closure(ok.iter().copied())
        } else {
            ok
        };
        let infos = infos
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default();
        for i in list {
            let src = &self.files[i];
            if let Some(fd) = pool.get_file_by_name(&src.path) {
                let info = infos.get(&src.path);
                lowered.push(Arc::new(lower::lower(
                    &pool,
                    fd.file_descriptor_proto(),
                    info,
                    src,
                )));
            }
        }
        (lowered, errs)
    }

    /// Locates a semantic error of the stripped compile: the failing file is checked once more against the imports
    /// already in `pool`, without SourceCodeInfo, and the first error's element path is looked up in the file's own
    /// source info. Giving protox the source instead made prost-reflect find each error's location with a scan
    /// of all locations and resolve it to an offset with a scan of the text from the start: quadratic in a file
    /// with thousands of errors (20,000 fields reusing number 1 took 26 s in a release build), though only the
    /// first error is reported. `None` when the error is not reproduced this way (not a check error, or in a file
    /// outside the snapshot).
    fn locate_check_error(
        &self,
        pool: &prost_reflect::DescriptorPool,
        e: &protox::Error,
    ) -> Option<(usize, Span, String)> {
        let name = e.file()?;
        let &at = self.index.get(name)?;
        let src = &self.files[at];
        let fd = super::file_from_source(name, &src.text)
            .ok()?
            .file_descriptor_proto()
            .clone();
        let mut stripped = fd.clone();
        stripped.source_code_info = None;
        let mut pool = pool.clone();
        let err = pool.add_file_descriptor_proto(stripped).err()?;
        let message = err.to_string();
        // The same error as the compiler's, or the location could be another error's.
        if message != e.to_string() || err.file() != Some(name) {
            return None;
        }
        let span = err
            .path()
            .and_then(|p| span_around(&fd, &src.text, p))
            .unwrap_or(0..0);
        Some((at, span, message))
    }

    /// Compiles the file again with its source attached, for an error with a span (errors other than semantic
    /// checks: there is one of them per file, so protox locating it is cheap).
    fn locate_by_recompiling(
        &self,
        files: &HashMap<String, Arc<SourceFile>>,
        path: &str,
        i: usize,
    ) -> Option<(usize, Span, String)> {
        let mut again = protox::Compiler::with_file_resolver(OwnedResolver {
            files: files.clone(),
            fallback: self.fallback.clone(),
            strip: false,
            keep: HashSet::new(),
            infos: Arc::new(Mutex::new(HashMap::new())),
        });
        let e = again.open_file(path).err()?;
        let at = e
            .file()
            .and_then(|f| self.index.get(f).copied())
            .unwrap_or(i);
        Some((at, diag_span(&e).unwrap_or(0..0), e.to_string()))
    }

    /// What compiling `targets` (indices) finds wrong, each problem once (a broken import is met by every file
    /// importing it), located in the file that has it. Files whose syntax is broken were reported while loading
    /// and are not compiled.
    pub fn compile_errors(&self, targets: &[usize]) -> Vec<Finding> {
        let (_, mut errs) = self.compile(targets, false);
        let mut seen = HashSet::new();
        errs.retain(|f| {
            seen.insert((
                f.message.clone(),
                f.new.as_ref().map(|l| (l.file.path.clone(), l.span.start)),
            ))
        });
        errs
    }

    /// The compiled model of one file and its imports (memoized), or the compile errors.
    pub fn compiled(&self, path: &str) -> Result<Arc<PFile>, Vec<Finding>> {
        if let Some(f) = self.cache.lock().ok().and_then(|c| c.get(path).cloned()) {
            return Ok(f);
        }
        if let Some(e) = self.errors.lock().ok().and_then(|c| c.get(path).cloned()) {
            return Err(e);
        }
        let Some(&i) = self.index.get(path) else {
            return Err(Vec::new());
        };
        let (files, errs) = self.compile(&[i], true);
        if let Ok(mut c) = self.cache.lock() {
            for (p, f) in &files {
                c.entry(p.clone()).or_insert_with(|| Arc::clone(f));
            }
        }
        match files.get(path) {
            Some(f) => Ok(Arc::clone(f)),
            None => {
                if let Ok(mut e) = self.errors.lock() {
                    e.insert(path.to_string(), errs.clone());
                }
                Err(errs)
            }
        }
    }

    /// Compiles `targets` with their imports in a few batches and caches the models, so that the per-subject
    /// calls of `compiled` that follow are cache hits (one compiler per batch instead of one per subject).
    /// Runs once per `other` snapshot (identified by address).
    pub fn precompile(&self, other: usize, targets: impl FnOnce() -> Vec<usize>) {
        if let Ok(mut done) = self.precompiled.lock() {
            if !done.insert(other) {
                return;
            }
        }
        let (files, _) = self.compile(&targets(), true);
        if let Ok(mut c) = self.cache.lock() {
            for (p, f) in files {
                c.entry(p).or_insert(f);
            }
        }
    }

    /// A compiled file already in the cache (after `compiled` of a file importing it).
    pub fn cached(&self, path: &str) -> Option<Arc<PFile>> {
        self.cache.lock().ok().and_then(|c| c.get(path).cloned())
    }
}

/// A syntax-pass finding without its file (message, span, help): built into a `Finding` once the file's logical
/// path is known.
type RawFinding = (String, Span, String);

/// A syntax-pass result without its file, so that it can be reused for a byte-identical file of another snapshot.
type CachedSummary = (Summary, Option<RawFinding>);

type SummaryCache = Mutex<HashMap<(String, u64), Arc<CachedSummary>>>;

/// Outlines (`outline.rs`) made by the syntax pass from the file it parses anyway, while `keep_outlines` is on:
/// the catalog outlines every current file, and parsing each one a second time was ~9 % of its run on googleapis.
/// Keyed by content (hash and length); each is taken once.
type OutlineMemo = Mutex<HashMap<(u64, usize), crate::formats::outline::Outline>>;

static OUTLINES_WANTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn outline_memo() -> &'static OutlineMemo {
    static MEMO: std::sync::OnceLock<OutlineMemo> = std::sync::OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

fn content_key(text: &str) -> (u64, usize) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    (h.finish(), text.len())
}

/// Whether the syntax pass keeps an outline of each file it parses (for `outline` to take). Turning it off drops
/// the outlines not taken.
pub(crate) fn keep_outlines(on: bool) {
    OUTLINES_WANTED.store(on, std::sync::atomic::Ordering::SeqCst);
    if !on {
        if let Ok(mut m) = outline_memo().lock() {
            m.clear();
        }
    }
}

/// The outline the syntax pass kept for this text, if any (removed from the memo).
pub(crate) fn take_outline(text: &str) -> Option<crate::formats::outline::Outline> {
    if !OUTLINES_WANTED.load(std::sync::atomic::Ordering::SeqCst) {
        return None;
    }
    outline_memo().lock().ok()?.remove(&content_key(text))
}

/// The syntax pass, memoized by path and content for the life of the process: comparing two revisions of a
/// repository parses each unchanged file once, not twice. Bounded: cleared when it grows past 100,000 entries.
fn summarize_cached(src: &Arc<SourceFile>) -> CachedSummary {
    use std::hash::{Hash, Hasher};
    static CACHE: std::sync::OnceLock<SummaryCache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    src.text.hash(&mut h);
    let key = (src.path.clone(), h.finish());
    if let Some(c) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return (*c).clone();
    }
    let (summary, finding) = summarize(src);
    let entry: CachedSummary = (
        summary,
        finding.map(|f| {
            (
                f.message.clone(),
                f.new.as_ref().map(|l| l.span.clone()).unwrap_or(0..0),
                f.help.clone().unwrap_or_default(),
            )
        }),
    );
    if let Ok(mut c) = cache.lock() {
        if c.len() > 100_000 {
            c.clear();
        }
        c.insert(key, Arc::new(entry.clone()));
    }
    entry
}

/// Syntax-only pass over one file.
fn summarize(src: &Arc<SourceFile>) -> (Summary, Option<Finding>) {
    let broken = |f: Finding| {
        (
            Summary {
                broken: true,
                ..Summary::default()
            },
            Some(f),
        )
    };
    if let Some(span) = edition_span(&src.text) {
        return broken(parse_error(
            src,
            span,
            format!("`{}` uses protobuf editions, which schemaguard does not support yet", src.path),
            "keep `syntax = \"proto3\"` (or proto2) for files schemaguard should check, or exclude this file",
        ));
    }
    if let Some(at) = too_deep(&src.text) {
        return broken(parse_error(
            src,
            at..at + 1,
            format!(
                "definitions in `{}` are nested more than {MAX_DEPTH} levels deep",
                src.path
            ),
            "flatten the nesting: define the inner messages at top level and reference them",
        ));
    }
    match super::file_from_source(&src.path, &src.text) {
        Ok(file) => {
            let fd = file.file_descriptor_proto();
            if OUTLINES_WANTED.load(std::sync::atomic::Ordering::SeqCst) {
                let o = super::outline::of_descriptor(fd);
                if let Ok(mut m) = outline_memo().lock() {
                    m.insert(content_key(&src.text), o);
                }
            }
            let imports = fd
                .dependency
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let span =
                        span_of(fd, &src.text, &[3, i32::try_from(i).unwrap_or(0)]).unwrap_or(0..0);
                    (d.clone(), span)
                })
                .collect();
            let (names, has_extensions, signature) = declared_names(fd);
            (
                Summary {
                    package: fd.package.clone().unwrap_or_default(),
                    package_span: span_of(fd, &src.text, &[2]),
                    imports,
                    broken: false,
                    names,
                    has_extensions,
                    signature,
                },
                None,
            )
        }
        Err(e) => {
            let span = diag_span(&e).unwrap_or(0..0);
            broken(parse_error(
                src,
                span,
                format!("`{}` is not valid protobuf: {e}", src.path),
                "fix the syntax error; `protoc` or `buf build` show the same problem",
            ))
        }
    }
}

/// Hands protox the snapshot's files. With `strip`, files are parsed here and given to the compiler without
/// SourceCodeInfo (which is kept aside for lowering): prost-reflect rewrites the source locations of every custom
/// option with a scan over all locations of the file, which is quadratic and takes seconds on large files such
/// as googleapis' compute.proto.
struct OwnedResolver {
    files: HashMap<String, Arc<SourceFile>>,
    fallback: Fallback,
    strip: bool,
    /// Files whose SourceCodeInfo is kept (the ones that will be lowered).
    keep: HashSet<String>,
    infos: Arc<Mutex<HashMap<String, prost_types::SourceCodeInfo>>>,
}

impl FileResolver for OwnedResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.files.get(name) {
            Some(f) if self.strip => {
                let parsed = super::file_from_source(name, &f.text)?;
                let mut fd = parsed.file_descriptor_proto().clone();
                let info = fd.source_code_info.take();
                if let (Some(info), true) = (info, self.keep.contains(name)) {
                    if let Ok(mut m) = self.infos.lock() {
                        m.insert(name.to_string(), info);
                    }
                }
                Ok(File::from_file_descriptor_proto(fd))
            }
            Some(f) => super::file_from_source(name, &f.text),
            None => self.fallback.open(name),
        }
    }
}

/// The rule ids of every `schemaguard:ignore ID[,ID…] reason` directive written in a comment of `text`, with their
/// spans and whether the directive gives a reason (text after the ids on its line, before a closing `*/`).
fn comment_ignore_ids(text: &str) -> Vec<(String, Span, bool)> {
    const DIRECTIVE: &str = "schemaguard:ignore";
    let mut out = Vec::new();
    for (at, _) in text.match_indices(DIRECTIVE) {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..at];
        let in_comment =
            before.contains("//") || before.contains("/*") || before.trim_start().starts_with('*');
        if !in_comment {
            continue;
        }
        let after = at + DIRECTIVE.len();
        let rest = &text[after..];
        let skip = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let start = after + skip;
        let token_len = text[start..]
            .find(|c: char| c.is_whitespace() || c == '*')
            .unwrap_or(text.len() - start);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let reason = text[start + token_len..line_end].trim();
        let has_reason = !reason.trim_end_matches("*/").trim().is_empty();
        let mut pos = start;
        for id in text[start..start + token_len].split(',') {
            if !id.is_empty() {
                out.push((id.to_string(), pos..pos + id.len(), has_reason));
            }
            pos += id.len() + 1;
        }
    }
    out
}

/// Severity and wording for a compile error met in the baseline snapshot.
pub(crate) fn as_baseline(mut f: Finding) -> Finding {
    f.severity = Severity::Warning;
    f.message = format!(
        "in the baseline: {}; schemas in this file were not compared",
        f.message
    );
    if f.old.is_none() {
        f.old = f.new.take();
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(files: &[(&str, &str)]) -> ProtoSnap {
        let files: Vec<Arc<SourceFile>> = files
            .iter()
            .map(|(p, t)| SourceFile::new(*p, None, *t))
            .collect();
        ProtoSnap::load(&files, &[])
    }

    #[test]
    fn syntax_error_has_a_span_and_other_files_load() {
        let s = snap(&[
            (
                "a.proto",
                "syntax = \"proto3\";\nmessage A { int32 x = 1 }\n",
            ),
            (
                "b.proto",
                "syntax = \"proto3\";\nmessage B { int32 x = 1; }\n",
            ),
        ]);
        assert_eq!(s.findings.len(), 1);
        let f = &s.findings[0];
        assert_eq!(f.rule.id, "PARSE_ERROR");
        assert!(f.new.as_ref().is_some_and(|l| l.span.start > 0));
        assert!(s.compiled("b.proto").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let mut t = String::from("syntax = \"proto3\";\n");
        for i in 0..1000 {
            t.push_str(&format!("message M{i} {{ "));
        }
        t.push_str(&"}".repeat(1000));
        let s = snap(&[("deep.proto", &t)]);
        assert_eq!(s.findings.len(), 1);
    }

    #[test]
    fn edition_files_are_reported() {
        let s = snap(&[("e.proto", "// c\nedition = \"2023\";\nmessage A {}\n")]);
        assert!(s.findings[0].message.contains("editions"));
    }

    #[test]
    fn missing_import_and_cycle() {
        let s = snap(&[
            ("a.proto", "syntax = \"proto3\";\nimport \"b.proto\";\n"),
            ("b.proto", "syntax = \"proto3\";\nimport \"a.proto\";\n"),
            ("c.proto", "syntax = \"proto3\";\nimport \"nope.proto\";\nimport \"google/protobuf/timestamp.proto\";\n"),
        ]);
        let msgs: Vec<&str> = s.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("cycle")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("nope.proto")), "{msgs:?}");
        assert_eq!(msgs.len(), 2, "{msgs:?}");
    }

    #[test]
    fn semantic_errors_come_from_compile() {
        let s = snap(&[(
            "d.proto",
            "syntax = \"proto3\";\nmessage A { int32 x = 1; int32 y = 1; }\n",
        )]);
        assert!(s.findings.is_empty());
        let e = s.compiled("d.proto").expect_err("duplicate numbers");
        assert_eq!(e.len(), 1);
        assert!(e[0].new.as_ref().is_some_and(|l| l.span.start > 0));
    }

    /// The first semantic error is located at the element to fix, in the file that has it (here an import).
    #[test]
    fn semantic_errors_point_at_the_element_to_fix() {
        let at = |files: &[(&str, &str)], target: &str| {
            let s = snap(files);
            let e = s.compiled(target).expect_err("does not compile");
            let l = e[0].new.clone().expect("located");
            (
                l.file.path.clone(),
                l.file.text[l.span.clone()].to_string(),
                l.span.start,
            )
        };
        let dup = "syntax = \"proto3\";\nmessage A { int32 x = 1; int32 y = 1; int32 z = 1; }\n";
        // The second use of the number.
        let second = dup.find("y = 1").map(|i| i + 4);
        let (file, text, start) = at(&[("d.proto", dup)], "d.proto");
        assert_eq!(
            (file.as_str(), text.as_str(), Some(start)),
            ("d.proto", "1", second)
        );
        let importer = "syntax = \"proto3\";\nimport \"d.proto\";\nmessage B { A a = 1; }\n";
        assert_eq!(
            at(&[("d.proto", dup), ("i.proto", importer)], "i.proto").0,
            "d.proto"
        );
        // The value, not the reserved range (prost-reflect's path for its number has no location).
        let reserved = "syntax = \"proto3\";\nenum E { E0 = 0; reserved 5; E5 = 5; }\n";
        assert_eq!(at(&[("e.proto", reserved)], "e.proto").1, "E5 = 5;");
        // The use of the name, not the definition.
        let kind = "syntax = \"proto3\";\nenum E { E0 = 0; }\nmessage M {}\nservice S { rpc F(E) returns (M); }\n";
        assert_eq!(at(&[("k.proto", kind)], "k.proto").1, "E");
    }

    #[test]
    fn spans_point_at_elements() {
        let text = "syntax = \"proto3\";\npackage p;\nmessage A {\n  // schemaguard:ignore FIELD_NO_DELETE ok\n  string name = 1;\n}\n";
        let s = snap(&[("a.proto", text)]);
        let f = s.compiled("a.proto").expect("compiles");
        let field = &f.messages[0].fields[0];
        assert_eq!(&text[field.span.clone()], "string name = 1;");
        assert_eq!(&*field.ignores, &["FIELD_NO_DELETE".to_string()]);
        assert_eq!(f.messages[0].full_name, "p.A");
    }
}
