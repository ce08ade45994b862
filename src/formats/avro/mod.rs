//! The Avro format: claims `.avsc` files, parses a whole snapshot at once (named types resolve across files, the
//! way Confluent schema references do), names subjects by the full name of each file's top-level named type, and
//! compares subjects with the Apache Avro 1.12 reader/writer algorithm. Declares the six Avro incompatibility
//! rules, plus AMBIGUOUS_FIELD_ALIAS for the case where Avro's checker throws instead. Parsing lives in
//! `parse.rs`, the walk in `compat.rs`; this module only wires them to `Engine`.

mod compat;
pub(crate) mod idl;
mod outline;
mod parse;

use std::any::Any;
use std::sync::Arc;

use crate::finding::{Category, Direction, Finding, Format, Severity};
use crate::formats::{CheckOptions, Engine, Loaded, Subject};
use crate::rule_doc;
use crate::rules::Rule;
use crate::source::SourceFile;

use parse::{Arena, Kind, NodeId};

const AVRO: &[Format] = &[Format::Avro];

pub static NAME_MISMATCH: Rule = Rule {
    id: "NAME_MISMATCH",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary:
        "a record, enum or fixed was renamed without a reader alias for the writer's full name",
    doc: rule_doc!("NAME_MISMATCH"),
};

pub static FIXED_SIZE_MISMATCH: Rule = Rule {
    id: "FIXED_SIZE_MISMATCH",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary: "a fixed type changed its size",
    doc: rule_doc!("FIXED_SIZE_MISMATCH"),
};

pub static MISSING_ENUM_SYMBOLS: Rule = Rule {
    id: "MISSING_ENUM_SYMBOLS",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary: "the reader's enum lacks symbols the writer can write, and has no default",
    doc: rule_doc!("MISSING_ENUM_SYMBOLS"),
};

pub static READER_FIELD_MISSING_DEFAULT_VALUE: Rule = Rule {
    id: "READER_FIELD_MISSING_DEFAULT_VALUE",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary: "the reader has a field without a default that the writer does not write",
    doc: rule_doc!("READER_FIELD_MISSING_DEFAULT_VALUE"),
};

pub static TYPE_MISMATCH: Rule = Rule {
    id: "TYPE_MISMATCH",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary: "the reader's type cannot read the writer's type (no Avro promotion applies)",
    doc: rule_doc!("TYPE_MISMATCH"),
};

pub static MISSING_UNION_BRANCH: Rule = Rule {
    id: "MISSING_UNION_BRANCH",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary: "the reader's union has no branch that can read a type the writer writes",
    doc: rule_doc!("MISSING_UNION_BRANCH"),
};

pub static AMBIGUOUS_FIELD_ALIAS: Rule = Rule {
    id: "AMBIGUOUS_FIELD_ALIAS",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: AVRO,
    summary:
        "a reader field matches several writer fields through its aliases; Avro's check aborts",
    doc: rule_doc!("AMBIGUOUS_FIELD_ALIAS"),
};

/// The rules this format emits besides the core ones (`PARSE_ERROR`, `READ_ERROR`, `SUBJECT_DELETED`).
pub static RULES: &[&Rule] = &[
    &AMBIGUOUS_FIELD_ALIAS,
    &FIXED_SIZE_MISMATCH,
    &MISSING_ENUM_SYMBOLS,
    &MISSING_UNION_BRANCH,
    &NAME_MISMATCH,
    &READER_FIELD_MISSING_DEFAULT_VALUE,
    &TYPE_MISMATCH,
];

pub struct AvroEngine;

pub static ENGINE: AvroEngine = AvroEngine;

/// One snapshot's Avro files.
pub(crate) struct AvroLoaded {
    arena: Arena,
    subjects: Vec<(Subject, NodeId)>,
}

impl AvroLoaded {
    fn new(files: &[Arc<SourceFile>]) -> Self {
        let arena = parse::load(files);
        let mut subjects: Vec<(Subject, NodeId)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let roots = arena
            .roots
            .iter()
            .enumerate()
            .filter_map(|(fi, r)| r.map(|r| (fi, r)))
            .chain(arena.type_roots.iter().map(|&(fi, r)| (fi as usize, r)));
        for (fi, root) in roots {
            if !arena.valid[fi] {
                continue;
            }
            let file = &arena.files[fi];
            let (name, span) = match &arena.node(root).kind {
                Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
                    (name.full.clone(), name.span.clone())
                }
                _ => (file.path.clone(), arena.node(root).span.clone()),
            };
            // Two files with the same top-level name: the later ones (in path order) are named by their path.
            let name = if seen.insert(name.clone()) {
                name
            } else {
                file.path.clone()
            };
            subjects.push((
                Subject {
                    name,
                    file: Arc::clone(file),
                    span,
                },
                root,
            ));
        }
        AvroLoaded { arena, subjects }
    }

    fn root_of(&self, subject: &Subject) -> Option<NodeId> {
        self.subjects
            .iter()
            .find(|(s, _)| s.name == subject.name && s.file.path == subject.file.path)
            .map(|(_, r)| *r)
    }
}

impl Loaded for AvroLoaded {
    fn subjects(&self) -> Vec<Subject> {
        let mut v: Vec<Subject> = self.subjects.iter().map(|(s, _)| s.clone()).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    fn findings(&self) -> Vec<Finding> {
        let mut v = self.arena.findings.clone();
        v.extend(self.arena.ignore_warnings.iter().cloned());
        v
    }

    fn ignores(&self) -> crate::ignore::Ignores {
        self.arena.ignores.clone()
    }

    fn references(&self) -> crate::formats::FileRefs {
        let a = &self.arena;
        let mut out: crate::formats::FileRefs = Default::default();
        for node in &a.nodes {
            let Kind::Ref {
                full,
                target: Some(t),
                ..
            } = &node.kind
            else {
                continue;
            };
            let to = a.node(*t).file;
            if to == node.file {
                continue;
            }
            if let (Some(from), Some(to)) =
                (a.files.get(node.file as usize), a.files.get(to as usize))
            {
                out.entry(from.path.clone())
                    .or_default()
                    .push((full.clone(), Arc::clone(to)));
            }
        }
        for v in out.values_mut() {
            v.sort_by(|a, b| (&a.0, &a.1.path).cmp(&(&b.0, &b.1.path)));
            v.dedup_by(|a, b| a.0 == b.0 && a.1.path == b.1.path);
        }
        out
    }

    fn former_names(&self, subject: &Subject) -> Vec<String> {
        match self.root_of(subject).map(|r| &self.arena.node(r).kind) {
            Some(
                Kind::Record { aliases, .. }
                | Kind::Enum { aliases, .. }
                | Kind::Fixed { aliases, .. },
            ) => aliases.clone(),
            _ => Vec::new(),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An Avro schema saved as `.json` and named on the command line: a top-level record, enum or fixed, without the
/// `$schema` keyword that marks JSON Schema.
fn looks_like_avro(text: &str) -> bool {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    !top.contains_key("$schema")
        && top.contains_key("name")
        && matches!(
            top.get("type").and_then(|t| t.as_str()),
            Some("record" | "enum" | "fixed")
        )
}

/// `.avsc` schemas, `.avpr` protocols and `.avdl` IDL files.
fn is_avsc(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".avsc") || p.ends_with(".avpr") || p.ends_with(".avdl")
}

impl Engine for AvroEngine {
    fn format(&self) -> Format {
        Format::Avro
    }

    fn outline(&self, _path: &str, text: &str) -> Option<crate::formats::outline::Outline> {
        outline::outline(text)
    }

    fn claims(&self, path: &str, text: &str, explicit: bool) -> bool {
        is_avsc(path)
            || (explicit
                && (path.to_ascii_lowercase().ends_with(".json")
                    || crate::formats::no_extension(path))
                && looks_like_avro(text))
    }

    fn may_claim(&self, path: &str) -> bool {
        is_avsc(path)
    }

    fn load(&self, files: &[Arc<SourceFile>], _opts: &CheckOptions) -> Box<dyn Loaded> {
        Box::new(AvroLoaded::new(files))
    }

    fn compat(
        &self,
        old: &dyn Loaded,
        old_subject: &Subject,
        new: &dyn Loaded,
        new_subject: &Subject,
        dir: Direction,
        _opts: &CheckOptions,
    ) -> Vec<Finding> {
        let (Some(old), Some(new)) = (
            old.as_any().downcast_ref::<AvroLoaded>(),
            new.as_any().downcast_ref::<AvroLoaded>(),
        ) else {
            return Vec::new();
        };
        let (Some(old_root), Some(new_root)) = (old.root_of(old_subject), new.root_of(new_subject))
        else {
            return Vec::new();
        };
        match dir {
            Direction::Backward => compat::findings(
                &new.arena,
                new_root,
                &old.arena,
                old_root,
                dir,
                &new_subject.name,
            ),
            Direction::Forward => compat::findings(
                &old.arena,
                old_root,
                &new.arena,
                new_root,
                dir,
                &new_subject.name,
            ),
        }
    }
}

/// For benchmarks and corpus checks: parses each side as one file and returns the number of incompatibilities
/// of `reader` reading `writer` (`None` if either does not load cleanly).
#[doc(hidden)]
pub fn bench_parse(path: &str, text: &str) -> (usize, usize) {
    let f = SourceFile::new(path, None, text);
    let arena = parse::load(&[f]);
    (arena.nodes.len(), arena.findings.len())
}

/// Parses the files of one snapshot and returns every load finding (corpus checks).
#[doc(hidden)]
pub fn load_findings(files: &[Arc<SourceFile>]) -> Vec<Finding> {
    parse::load(files).findings
}

/// A pre-parsed pair for benchmarks: reader and writer snapshots plus their roots.
#[doc(hidden)]
pub struct BenchPair {
    reader: Arena,
    writer: Arena,
    r: NodeId,
    w: NodeId,
}

impl BenchPair {
    pub fn new(reader: &str, writer: &str) -> Option<BenchPair> {
        let r = parse::load(&[SourceFile::new("reader.avsc", None, reader)]);
        let w = parse::load(&[SourceFile::new("writer.avsc", None, writer)]);
        let (rr, wr) = (
            r.roots.first().copied().flatten()?,
            w.roots.first().copied().flatten()?,
        );
        if !r.findings.is_empty() || !w.findings.is_empty() {
            return None;
        }
        Some(BenchPair {
            reader: r,
            writer: w,
            r: rr,
            w: wr,
        })
    }

    /// Runs one full compatibility check (fresh memo) and returns the number of incompatibilities.
    pub fn check(&self) -> usize {
        compat::count(&self.reader, self.r, &self.writer, self.w)
    }
}

/// For the Avro IDL corpus test: the JSON Apache Avro's IDL tool writes for an `.avdl` text (a protocol, or
/// `{"namespace", "schema", "types"}` for the schema syntax). `import` turns an import (`idl`, `protocol` or
/// `schema`, and its path) into JSON. A syntax error comes back with its byte span.
#[doc(hidden)]
pub fn idl_to_json(
    text: &str,
    import: &mut dyn FnMut(&str, &str) -> Option<serde_json::Value>,
) -> Result<serde_json::Value, (std::ops::Range<usize>, String)> {
    let parsed = idl::parse(text).map_err(|e| (e.span, e.message))?;
    idl::to_json(&parsed, &mut |imp| {
        let kind = match imp.kind {
            idl::ImportKind::Idl => "idl",
            idl::ImportKind::Protocol => "protocol",
            idl::ImportKind::Schema => "schema",
        };
        import(kind, &imp.path)
    })
    .map_err(|m| (0..0, m))
}
