//! Consumer contracts: `contracts/<consumer>/<subject or message>.yaml|json` lists what a consumer reads
//! (`reads: [{path: "lines[].unitPrice", type: decimal, required: true}]`). Each read is resolved in the current
//! schema (and the baseline) through the neutral event model; a read that the current schema no longer serves
//! breaks the consumer. Also answers which fields consumers read, for the `consumer-driven` policy.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value as J;

use super::rules::*;
use super::side::{yaml_to_json, Side, SubjectRef};
use super::Baselines;
use crate::finding::{Finding, Format, Location};
use crate::lint::model::{Field, Schema as ModelSchema, Ty, Type};
use crate::source::SourceFile;

/// The documented type vocabulary of `reads[].type`.
pub const TYPES: &[&str] = &[
    "string",
    "int",
    "long",
    "float",
    "double",
    "boolean",
    "bytes",
    "enum",
    "record",
    "message",
    "array",
    "map",
    "timestamp",
    "date",
    "decimal",
    "uuid",
];

/// One parsed contract.
pub(crate) struct Contract {
    pub consumer: String,
    pub file: Arc<SourceFile>,
    pub subject: Option<SubjectRef>,
    pub subject_name: String,
    pub reads: Vec<Read>,
}

pub(crate) struct Read {
    pub path: String,
    pub ty: Option<String>,
    pub required: bool,
    pub span: Range<usize>,
}

pub(crate) struct Outcome {
    pub findings: Vec<Finding>,
    pub tests: Vec<String>,
    pub contracts: Vec<Contract>,
}

/// Reads every contract below `root/contracts` and checks it against `new` (and `old`).
pub(crate) fn run(
    root: &Path,
    new: &Side,
    baselines: &Baselines,
    proto_roots: &[String],
) -> Outcome {
    let mut findings = Vec::new();
    let mut tests = Vec::new();
    let mut contracts = Vec::new();
    let dir = root.join("contracts");
    if !dir.is_dir() {
        return Outcome {
            findings,
            tests,
            contracts,
        };
    }
    for (fs, rel) in crate::source::walk(&dir, &|p| {
        [".yaml", ".yml", ".json", ".avsc", ".proto"]
            .iter()
            .any(|e| p.ends_with(e))
    }) {
        let shown = format!("contracts/{rel}");
        tests.push(shown.clone());
        let Some((consumer, name)) = rel.split_once('/') else {
            let file = SourceFile::new(shown.clone(), None, "");
            findings.push(
                Finding::new(
                    &CONTRACT_INVALID,
                    rel.clone(),
                    format!("contract `{shown}` is not inside a consumer folder"),
                )
                .help("put contracts in contracts/<consumer>/<subject>.yaml")
                .at_new(Location::new(&file, 0..0)),
            );
            continue;
        };
        let subject_name = name
            .strip_suffix(".yaml")
            .or_else(|| name.strip_suffix(".yml"))
            .or_else(|| name.strip_suffix(".schema.json"))
            .or_else(|| name.strip_suffix(".json"))
            .or_else(|| name.strip_suffix(".avsc"))
            .or_else(|| name.strip_suffix(".proto"))
            .unwrap_or(name)
            .to_string();
        let text = match std::fs::read_to_string(&fs) {
            Ok(t) => t,
            Err(e) => {
                let file = SourceFile::new(shown.clone(), None, "");
                findings.push(
                    Finding::new(
                        &CONTRACT_INVALID,
                        subject_name,
                        format!("contract `{shown}` cannot be read: {e}"),
                    )
                    .at_new(Location::new(&file, 0..0)),
                );
                continue;
            }
        };
        let file = SourceFile::new(shown.clone(), None, text.as_str());
        if let Some(format) = reader_schema_format(&shown, &text) {
            let subject = new
                .find(&subject_name)
                .or_else(|| baselines.find(&subject_name));
            let reader = ReaderContract {
                consumer,
                file: &file,
                format,
                subject_name: &subject_name,
                subject: subject.as_ref(),
                folder: dir.join(consumer),
                proto_roots,
            };
            if let Some(c) = check_reader_schema(&reader, new, &mut findings) {
                contracts.push(c);
            }
            continue;
        }
        match parse(&file, consumer, &subject_name) {
            Err((msg, span)) => findings.push(
                Finding::new(&CONTRACT_INVALID, subject_name.clone(), format!("contract `{shown}`: {msg}"))
                    .help(format!("a contract is `reads:` followed by entries `{ENTRY_FORM}` (quote a path holding `[]` or `{{}}` inside `{{…}}`); T is one of {}", TYPES.join(", ")))
                    .at_new(Location::new(&file, span)),
            ),
            Ok(mut c) => {
                c.subject = new.find(&subject_name).or_else(|| baselines.find(&subject_name));
                let old = c.subject.as_ref().and_then(|s| baselines.of(s, new).0);
                check(&c, new, old, &mut findings);
                contracts.push(c);
            }
        }
    }
    Outcome {
        findings,
        tests,
        contracts,
    }
}

/// The format of a contract that is a full reader schema (`.avsc`, `.proto`, or a `.json` JSON Schema: a JSON
/// object without `reads`); `None` for a `reads` list.
fn reader_schema_format(shown: &str, text: &str) -> Option<Format> {
    if shown.ends_with(".avsc") {
        return Some(Format::Avro);
    }
    if shown.ends_with(".proto") {
        return Some(Format::Protobuf);
    }
    if shown.ends_with(".json") {
        if let Ok(J::Object(o)) = serde_json::from_str::<J>(text) {
            if !o.contains_key("reads") {
                return Some(Format::JsonSchema);
            }
        }
    }
    None
}

/// A consumer contract that is the consumer's own reader schema.
struct ReaderContract<'a> {
    consumer: &'a str,
    file: &'a Arc<SourceFile>,
    format: Format,
    subject_name: &'a str,
    subject: Option<&'a SubjectRef>,
    /// `contracts/<consumer>/` on disk: the consumer's other reader schemas.
    folder: std::path::PathBuf,
    proto_roots: &'a [String],
}

/// Most paths a reader schema is taken to read (a recursive type is cut off here).
const MAX_READER_PATHS: usize = 10_000;

/// The files a reader schema is compared as: the reader schema itself at the path of the subject's current file
/// (so that it pairs with it, and its Protobuf imports and relative `$ref`s resolve as that file's do), and what
/// its references resolve to. Avro named types it does not define resolve to the consumer's other reader schemas
/// (`contracts/<consumer>/*.avsc`: a shared type the consumer pins), then to the repository's current schemas;
/// Protobuf imports and JSON Schema `$ref`s to the repository's current files.
fn reader_files(
    c: &ReaderContract<'_>,
    writer: &Arc<SourceFile>,
    new: &Side,
) -> Vec<Arc<SourceFile>> {
    let reader = SourceFile::with_shown(
        writer.path.clone(),
        c.file.shown.clone(),
        None,
        Arc::clone(&c.file.text),
    );
    let mut files = vec![reader];
    let mut defined = std::collections::BTreeSet::new();
    if c.format == Format::Avro {
        defined = crate::registry::avro_defined_names(&c.file.text);
        let (dir, own_name) = c.file.shown.rsplit_once('/').unwrap_or(("", ""));
        let mut own: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(&c.folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
            .filter(|(name, _)| name.ends_with(".avsc") && name != own_name)
            .collect();
        own.sort();
        for (name, path) in own {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let names = crate::registry::avro_defined_names(&text);
            if names.is_empty() || names.iter().any(|n| defined.contains(n)) {
                continue;
            }
            defined.extend(names);
            files.push(SourceFile::new(format!("{dir}/{name}"), None, text));
        }
    }
    for f in new.files_of(c.format) {
        if f.path == writer.path {
            continue;
        }
        if c.format == Format::Avro {
            let names = crate::registry::avro_defined_names(&f.text);
            if names.iter().any(|n| defined.contains(n)) {
                continue;
            }
        }
        files.push(Arc::clone(f));
    }
    files
}

/// The dotted paths of every field a reader schema declares (`lines[].unitPrice`), through nested and
/// referenced types; a type already on the path is not entered again.
fn reader_paths(side: &Side, subject: &SubjectRef) -> Vec<String> {
    let mut out = Vec::new();
    let Some((_, root)) = root_type(side, subject) else {
        return out;
    };
    let mut stack: Vec<(String, &Type, Vec<String>)> =
        vec![(String::new(), root, vec![root.full_name.clone()])];
    while let Some((prefix, ty, on_path)) = stack.pop() {
        for f in &ty.fields {
            let mut p = if prefix.is_empty() {
                f.name.clone()
            } else {
                format!("{prefix}.{}", f.name)
            };
            let (mut t, _) = unwrap_optional(&f.ty);
            while let Ty::Array(inner) | Ty::Map(inner) = &t {
                p.push_str(if matches!(t, Ty::Array(_)) {
                    "[]"
                } else {
                    "{}"
                });
                t = unwrap_optional(inner).0;
            }
            out.push(p.clone());
            if out.len() >= MAX_READER_PATHS {
                return out;
            }
            if let Ty::Record(full) = &t {
                if let Some((_, next)) = field_type(side, subject.format, ty, full) {
                    if !on_path.contains(&next.full_name) {
                        let mut on = on_path.clone();
                        on.push(next.full_name.clone());
                        stack.push((p, next, on));
                    }
                }
            }
        }
    }
    out
}

/// Checks the current schema (the writer) against the consumer's reader schema with the static compatibility rules
/// (the consumer reads data written with the new schema: FORWARD with the consumer's schema as the old side).
fn check_reader_schema(
    c: &ReaderContract<'_>,
    new: &Side,
    out: &mut Vec<Finding>,
) -> Option<Contract> {
    let at_contract = Location::new(c.file, 0..0);
    let Some(subject) = c.subject else {
        out.push(
            Finding::new(
                &CONTRACT_UNKNOWN_SUBJECT,
                c.subject_name.to_string(),
                format!(
                    "reader schema of consumer `{}` names `{}`, which no schema defines{}",
                    c.consumer,
                    c.subject_name,
                    crate::rules::did_you_mean_name(c.subject_name, new.names().iter().map(String::as_str))
                ),
            )
            .format(c.format)
            .help("name the file after the subject: the Avro full name, the Protobuf message full name or the JSON Schema file name")
            .at_new(at_contract),
        );
        return None;
    };
    if subject.format != c.format {
        out.push(
            Finding::new(
                &CONTRACT_INVALID,
                subject.name.clone(),
                format!(
                    "reader schema `{}` of consumer `{}` is {}, but `{}` is a {} subject",
                    c.file.shown,
                    c.consumer,
                    c.format.as_str(),
                    subject.name,
                    subject.format.as_str()
                ),
            )
            .format(subject.format)
            .help("a reader schema contract is written in its subject's format: `.avsc` for Avro, `.proto` for Protobuf, a JSON Schema `.json`")
            .at_new(at_contract),
        );
        return None;
    }
    let Some(writer) = new.file_of(subject).filter(|_| new.has(subject)) else {
        out.push(
            Finding::new(
                &CONSUMER_CONTRACT_BROKEN,
                subject.name.clone(),
                format!(
                    "breaks consumer `{}`: it reads `{}` with its reader schema, and the subject no longer exists",
                    c.consumer, subject.name
                ),
            )
            .format(subject.format)
            .help(format!(
                "keep the subject consumer `{}` reads, or agree a new contract with its owners first",
                c.consumer
            ))
            .at_new(at_contract),
        );
        return None;
    };
    let old_files = reader_files(c, &writer, new);
    let opts = crate::formats::CheckOptions {
        proto_roots: c.proto_roots.to_vec(),
        ..crate::formats::CheckOptions::default()
    };
    let reader_side = Side::new(None, &old_files, c.proto_roots);
    let previous = vec![crate::snapshot::load(
        None,
        old_files,
        Vec::new(),
        false,
        &opts,
    )];
    let current = crate::snapshot::load(
        None,
        new.files_of(c.format).cloned().collect(),
        Vec::new(),
        false,
        &opts,
    );
    // Only the subject's own file is compared: the other files are there for its references.
    let mode_for = |s: &crate::formats::Subject| {
        if s.file.shown == writer.shown {
            crate::finding::Mode::Forward
        } else {
            crate::finding::Mode::None
        }
    };
    let spec = crate::snapshot::CompareSpec {
        mode_for: &mode_for,
        opts: &opts,
        pair_single: false,
        report_deleted: false,
    };
    let cmp = crate::snapshot::compare(&previous, &current, &spec);
    let reader_inputs = previous
        .iter()
        .flat_map(|p| p.findings.iter().cloned())
        .filter(|f| f.primary().is_some_and(|l| l.file.shown == c.file.shown));
    let found: Vec<Finding> = reader_inputs.chain(cmp.findings).collect();
    let mut broken = false;
    for f in found {
        if f.severity != crate::finding::Severity::Error {
            continue;
        }
        let from_contract = f.primary().is_some_and(|l| l.file.shown == c.file.shown);
        if f.rule.category == crate::finding::Category::Input {
            // The reader schema does not parse; the current schema's own input problems are `check`'s to report.
            if from_contract {
                broken = true;
                out.push(
                    Finding::new(
                        &CONTRACT_INVALID,
                        subject.name.clone(),
                        format!(
                            "reader schema `{}` of consumer `{}`: {}",
                            c.file.shown, c.consumer, f.message
                        ),
                    )
                    .format(subject.format)
                    .at_new(f.primary().cloned().unwrap_or_else(|| at_contract.clone())),
                );
            }
            continue;
        }
        out.push(
            Finding::new(
                &CONSUMER_CONTRACT_BROKEN,
                subject.name.clone(),
                format!(
                    "breaks consumer `{}`: its reader schema `{}` cannot read data written with the current schema: {} ({})",
                    c.consumer,
                    c.file.shown,
                    // The comparator's old side is the consumer's schema, its new side the current schema.
                    f.message
                        .replace("the old schema", "the consumer's schema")
                        .replace("the new schema", "the current schema"),
                    f.rule.id
                ),
            )
            .format(subject.format)
            .help(format!(
                "keep the change readable by consumer `{}`'s schema (the consumer reads data written with the current schema), or agree a new reader schema with its owners first",
                c.consumer
            ))
            // Located in the current schema and in the reader schema; a field only the reader has is located there.
            .at_new(f.new.clone().or_else(|| f.old.clone()).unwrap_or_else(|| at_contract.clone()))
            .maybe_old(f.new.as_ref().and(f.old.clone())),
        );
    }
    // A reader schema that does not load reads nothing we can name.
    if broken {
        return None;
    }
    let reads = reader_paths(&reader_side, subject)
        .into_iter()
        .map(|path| Read {
            path,
            ty: None,
            required: false,
            span: 0..0,
        })
        .collect();
    Some(Contract {
        consumer: c.consumer.to_string(),
        file: Arc::clone(c.file),
        subject: Some(subject.clone()),
        subject_name: c.subject_name.to_string(),
        reads,
    })
}

/// A `reads` entry as the help shows it; it must parse as YAML once `T` is a type (trial defect 6: the unquoted
/// `{path: a.b[].c, …}` the help showed is not YAML).
const ENTRY_FORM: &str = r#"{path: "a.b[].c", type: T, required: true}"#;

/// Reads a contract; an error comes with the span to underline (the offending position of a syntax error, else the
/// start of the file).
fn parse(
    file: &Arc<SourceFile>,
    consumer: &str,
    subject: &str,
) -> Result<Contract, (String, std::ops::Range<usize>)> {
    let doc: J = if file.path.ends_with(".json") {
        serde_json::from_str(&file.text).map_err(|e| {
            let line = e.line().saturating_sub(1);
            let at = if line < file.line_count() {
                (file.line_range(line).start + e.column().saturating_sub(1)).min(file.text.len())
            } else {
                0
            };
            (format!("invalid JSON: {e}"), at..at)
        })?
    } else {
        match yaml_to_json(&file.text) {
            Some(doc) => doc,
            // The located syntax error, from the span-keeping reader JSON Schema files use (issue 11, item 15:
            // a YAML error pointed at line 1, column 1).
            None => {
                return Err(
                    match crate::formats::jsonschema::parse::parse_yaml(&file.text) {
                        Err(f) => (f.message, f.span),
                        Ok(_) => ("invalid YAML".to_string(), 0..0),
                    },
                )
            }
        }
    };
    parse_doc(file, doc, consumer, subject).map_err(|(m, at)| {
        let span = at
            .and_then(|(i, key)| entry_span(file, i, key))
            .unwrap_or(0..0);
        (m, span)
    })
}

/// The span of `reads[i]` (or of its `key`'s value) in the contract's text: a content error is shown at its entry
/// (trial item 13: an unknown type pointed at 1:1).
fn entry_span(file: &SourceFile, i: usize, key: Option<&str>) -> Option<Range<usize>> {
    use crate::formats::jsonschema::parse::{parse_json, parse_yaml, Val};
    let tree = if file.path.ends_with(".json") {
        parse_json(&file.text)
    } else {
        parse_yaml(&file.text)
    }
    .ok()?;
    let reads = tree.get(tree.root, "reads")?;
    let Val::Arr(items) = &tree.node(reads).val else {
        return None;
    };
    let id = *items.get(i)?;
    let at = key.and_then(|k| tree.get(id, k)).unwrap_or(id);
    Some(tree.node(at).span.clone())
}

/// The span of each `reads` entry's path (the `path` value of a mapping entry, or the plain path string), from
/// the span-keeping JSON / YAML reader: a path that also appears earlier in the text (in `description`, as a
/// prefix of another path) is still located at its own entry.
fn entry_spans(file: &SourceFile) -> Vec<Option<Range<usize>>> {
    use crate::formats::jsonschema::parse::{parse_json, parse_yaml, Val};
    let tree = if file.path.ends_with(".json") {
        parse_json(&file.text)
    } else {
        parse_yaml(&file.text)
    };
    let Ok(tree) = tree else {
        return Vec::new();
    };
    let Some(reads) = tree.get(tree.root, "reads") else {
        return Vec::new();
    };
    let Val::Arr(items) = &tree.node(reads).val else {
        return Vec::new();
    };
    items
        .iter()
        .map(|&id| {
            let node = tree.node(id);
            match &node.val {
                Val::Str(_) => Some(node.span.clone()),
                Val::Obj(_) => Some(
                    tree.get(id, "path")
                        .map_or(node.span.clone(), |p| tree.node(p).span.clone()),
                ),
                _ => None,
            }
        })
        .collect()
}

/// An error in a contract's content: the message, and the `reads` entry (and its key) it is about.
type ContentError = (String, Option<(usize, Option<&'static str>)>);

fn parse_doc(
    file: &Arc<SourceFile>,
    doc: J,
    consumer: &str,
    subject: &str,
) -> Result<Contract, ContentError> {
    let J::Object(o) = doc else {
        return Err((
            "the contract is not a mapping with a `reads` list".into(),
            None,
        ));
    };
    if let Some(k) = o
        .keys()
        .find(|k| k.as_str() != "reads" && k.as_str() != "description")
    {
        return Err((
            format!("unknown key `{k}` (expected `reads`, `description`)"),
            None,
        ));
    }
    let Some(J::Array(list)) = o.get("reads") else {
        return Err(("no `reads` list".into(), None));
    };
    let spans = entry_spans(file);
    let mut reads = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let (path, ty, required) = match item {
            J::String(p) => (p.clone(), None, true),
            J::Object(r) => {
                if let Some(k) = r
                    .keys()
                    .find(|k| !["path", "type", "required"].contains(&k.as_str()))
                {
                    return Err((
                        format!("reads[{i}]: unknown key `{k}` (expected path, type, required)"),
                        Some((i, None)),
                    ));
                }
                let Some(p) = r.get("path").and_then(J::as_str) else {
                    return Err((format!("reads[{i}] has no `path`"), Some((i, None))));
                };
                let ty = match r.get("type") {
                    None => None,
                    Some(J::String(t)) if TYPES.contains(&t.to_ascii_lowercase().as_str()) => {
                        Some(t.to_ascii_lowercase())
                    }
                    Some(t) => {
                        return Err((
                            format!("reads[{i}]: unknown type {t} (one of {})", TYPES.join(", ")),
                            Some((i, Some("type"))),
                        ))
                    }
                };
                let required = match r.get("required") {
                    None => true,
                    Some(J::Bool(b)) => *b,
                    Some(_) => {
                        return Err((
                            format!("reads[{i}]: `required` is true or false"),
                            Some((i, Some("required"))),
                        ))
                    }
                };
                (p.to_string(), ty, required)
            }
            _ => {
                return Err((
                    format!("reads[{i}] is neither a path nor a mapping"),
                    Some((i, None)),
                ))
            }
        };
        let span = spans.get(i).cloned().flatten().unwrap_or(0..0);
        reads.push(Read {
            path,
            ty,
            required,
            span,
        });
    }
    Ok(Contract {
        consumer: consumer.to_string(),
        file: Arc::clone(file),
        subject: None,
        subject_name: subject.to_string(),
        reads,
    })
}

/// What a path resolves to in one side's model.
pub(crate) struct Resolved<'a> {
    pub field: &'a Field,
    pub schema: &'a ModelSchema,
    /// The field's type after `[]` / `{}` steps and optional unwrapping.
    pub ty: Ty,
    /// Any step of the path is optional.
    pub optional: bool,
}

fn find_type<'a>(side: &'a Side, full: &str) -> Option<(&'a ModelSchema, &'a Type)> {
    side.model()
        .iter()
        .find_map(|s| s.find(full).map(|t| (s, t)))
}

/// The record or message a field of `scope` names. Avro and JSON Schema lower full names; a Protobuf descriptor
/// keeps the name as written (`Item`, `Outer.Inner`, `.p.Item`), resolved here as protoc does: from the innermost
/// enclosing scope outwards (`p.Outer.Item`, then `p.Item`, then `Item`). Trial defect 2: nested Protobuf paths
/// (`one.sku`, `many[].sku`, `byKey{}.sku`) never resolved.
fn field_type<'a>(
    side: &'a Side,
    format: Format,
    scope: &Type,
    name: &str,
) -> Option<(&'a ModelSchema, &'a Type)> {
    if format != Format::Protobuf {
        return find_type(side, name);
    }
    if let Some(absolute) = name.strip_prefix('.') {
        return find_type(side, absolute);
    }
    let mut scope = scope.full_name.as_str();
    loop {
        if let Some(found) = find_type(side, &format!("{scope}.{name}")) {
            return Some(found);
        }
        match scope.rfind('.') {
            Some(i) => scope = &scope[..i],
            None => return find_type(side, name),
        }
    }
}

fn root_type<'a>(side: &'a Side, subject: &SubjectRef) -> Option<(&'a ModelSchema, &'a Type)> {
    match subject.format {
        Format::JsonSchema => side
            .model()
            .iter()
            .filter(|s| s.file.path == subject.name)
            .find_map(|s| s.top().map(|t| (s, t))),
        _ => find_type(side, &subject.name),
    }
}

fn unwrap_optional(ty: &Ty) -> (Ty, bool) {
    match ty {
        Ty::Union(v) => {
            let rest: Vec<&Ty> = v.iter().filter(|t| **t != Ty::Null).collect();
            match rest.as_slice() {
                [one] => ((*one).clone(), true),
                _ => (ty.clone(), v.contains(&Ty::Null)),
            }
        }
        other => (other.clone(), false),
    }
}

/// Resolves a dotted path (`lines[].unitPrice`, `attrs{}.x`) from the subject's root type.
pub(crate) fn resolve<'a>(
    side: &'a Side,
    subject: &SubjectRef,
    path: &str,
) -> Option<Resolved<'a>> {
    let (mut schema, mut ty) = root_type(side, subject)?;
    let mut optional = false;
    let steps: Vec<&str> = path.split('.').collect();
    for (i, step) in steps.iter().enumerate() {
        let name = step.trim_end_matches("[]").trim_end_matches("{}");
        let field = ty.fields.iter().find(|f| f.name == name)?;
        let (mut t, opt) = unwrap_optional(&field.ty);
        optional |= opt || field.optional;
        let mut rest = &step[name.len()..];
        while let Some(r) = rest.strip_prefix("[]").or_else(|| rest.strip_prefix("{}")) {
            t = match t {
                Ty::Array(inner) | Ty::Map(inner) => unwrap_optional(&inner).0,
                _ => return None,
            };
            rest = r;
        }
        if i + 1 == steps.len() {
            // A Protobuf type name is kept as written (no kind) until resolved: one naming an enum reads as `enum`.
            if let Ty::Record(full) = &t {
                if let Some((_, found)) = field_type(side, subject.format, ty, full) {
                    if found.kind == crate::lint::model::Kind::Enum {
                        t = Ty::Enum(found.full_name.clone());
                    }
                }
            }
            return Some(Resolved {
                field,
                schema,
                ty: t,
                optional,
            });
        }
        let Ty::Record(full) = &t else { return None };
        let (s, next) = field_type(side, subject.format, ty, full)?;
        schema = s;
        ty = next;
    }
    None
}

/// Whether data of `actual` can be read as the consumer's `wanted` type (Avro's promotions allowed).
fn reads_as(wanted: &str, actual: &Ty, field: &Field) -> bool {
    let written = field.written.to_ascii_lowercase();
    let is_long = |w: &str| {
        [
            "long", "int64", "sint64", "sfixed64", "uint64", "fixed64", "uint32", "fixed32",
        ]
        .contains(&w)
    };
    match (wanted, actual) {
        ("string", Ty::String) | ("bytes", Ty::Bytes) | ("boolean", Ty::Bool) => true,
        // JSON Schema has one integer type and one number type, without widths: `int` and `long` both read an
        // `integer`, `float` and `double` both read a `number` (trial defect 7: `int` on an `integer` was broken on
        // every run).
        ("int", Ty::Int) => !is_long(&written),
        ("long", Ty::Int) => true,
        ("float", Ty::Float) => written == "float" || written == "number",
        ("float", Ty::Int) => true,
        ("double", Ty::Float | Ty::Int) => true,
        ("enum", Ty::Enum(_)) => true,
        ("record" | "message", Ty::Record(_)) => true,
        ("array", Ty::Array(_)) | ("map", Ty::Map(_)) => true,
        ("timestamp", Ty::Timestamp) | ("date", Ty::Date) | ("decimal", Ty::Decimal) => true,
        ("uuid", Ty::Uuid | Ty::String) => true,
        (_, Ty::Any | Ty::Unknown(_)) => true,
        _ => false,
    }
}

fn ty_name(t: &Ty, f: &Field) -> String {
    match t {
        Ty::Int | Ty::Float if !f.written.is_empty() && !f.written.contains(['[', '{', '"']) => {
            f.written.clone()
        }
        Ty::Enum(n) => format!("enum {n}"),
        Ty::Record(n) => format!("record {n}"),
        Ty::Array(_) => "array".into(),
        Ty::Map(_) => "map".into(),
        Ty::Union(_) => "a union".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn place(schema: &ModelSchema, span: &Range<usize>) -> String {
    let lc = schema.file.line_col(span.start);
    format!("{} {}:{}", schema.file.shown, lc.line, lc.column)
}

fn check(c: &Contract, new: &Side, old: Option<&Side>, out: &mut Vec<Finding>) {
    let Some(subject) = &c.subject else {
        out.push(
            Finding::new(
                &CONTRACT_UNKNOWN_SUBJECT,
                c.subject_name.clone(),
                format!(
                    "contract of consumer `{}` names `{}`, which no schema defines{}",
                    c.consumer,
                    c.subject_name,
                    crate::rules::did_you_mean_name(&c.subject_name, new.names().iter().map(String::as_str))
                ),
            )
            .help("name the file after the subject: the Avro full name, the Protobuf message full name or the JSON Schema file name")
            .at_new(Location::new(&c.file, 0..0)),
        );
        return;
    };
    let removed = !new.has(subject);
    for r in &c.reads {
        let loc = Location::new(&c.file, r.span.clone());
        let now = if removed {
            None
        } else {
            resolve(new, subject, &r.path)
        };
        let before = old
            .filter(|o| o.has(subject))
            .and_then(|o| resolve(o, subject, &r.path));
        let broken = |msg: String, at_old: Option<Location>| {
            Finding::new(&CONSUMER_CONTRACT_BROKEN, subject.name.clone(), msg)
                .format(subject.format)
                .help(format!(
                    "keep what consumer `{}` reads, or agree a new contract with its owners first",
                    c.consumer
                ))
                .at_new(loc.clone())
                .maybe_old(at_old)
        };
        match (&now, &before) {
            (None, None) => out.push(
                Finding::new(
                    &CONTRACT_UNKNOWN_FIELD,
                    subject.name.clone(),
                    format!(
                        "consumer `{}` reads `{}`, which `{}` does not have",
                        c.consumer, r.path, subject.name
                    ),
                )
                .format(subject.format)
                .help("fix the path: dots between fields, `[]` after an array, `{}` after a map")
                .at_new(loc.clone()),
            ),
            (None, Some(b)) => out.push(broken(
                format!(
                    "breaks consumer `{}`: reads `{}`; the field no longer exists (was at {})",
                    c.consumer,
                    r.path,
                    place(b.schema, &b.field.span)
                ),
                Some(b.schema.location(b.field.span.clone(), &b.field.pointer)),
            )),
            (Some(n), _) => {
                let was = before
                    .as_ref()
                    .map(|b| b.schema.location(b.field.span.clone(), &b.field.pointer));
                if let Some(want) = &r.ty {
                    if !reads_as(want, &n.ty, n.field) {
                        let now = ty_name(&n.ty, n.field);
                        // The same type in the baseline: the contract never matched, the change did not break it.
                        let unchanged = before
                            .as_ref()
                            .is_some_and(|b| ty_name(&b.ty, b.field) == now);
                        let msg = if unchanged {
                            format!(
                                "consumer `{}` reads `{}` as {want}, which the field never was: it is {now}, unchanged by this change ({}); fix the contract's type",
                                c.consumer,
                                r.path,
                                place(n.schema, &n.field.span)
                            )
                        } else {
                            format!(
                                "breaks consumer `{}`: reads `{}` as {want}; now {now} ({})",
                                c.consumer,
                                r.path,
                                place(n.schema, &n.field.span)
                            )
                        };
                        let f = broken(msg, was.clone());
                        out.push(if unchanged {
                            f.help("the contract names a type the field has in neither version: use the vocabulary type that reads it (JSON Schema `integer`: int or long; `number`: float or double)")
                        } else {
                            f
                        });
                        continue;
                    }
                }
                if r.required && n.optional && before.as_ref().is_some_and(|b| !b.optional) {
                    out.push(broken(
                        format!(
                            "breaks consumer `{}`: requires `{}`; now optional ({})",
                            c.consumer,
                            r.path,
                            place(n.schema, &n.field.span)
                        ),
                        was,
                    ));
                }
            }
        }
    }
}

/// Byte spans (per file path) of every field some consumer reads, on one side: the `consumer-driven` policy
/// keeps findings that touch them.
pub(crate) fn read_spans(contracts: &[Contract], side: &Side) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    for c in contracts {
        let Some(s) = &c.subject else { continue };
        for r in &c.reads {
            // Every prefix of the path is read too (`lines[].price` reads `lines`).
            let mut prefix = String::new();
            for step in r.path.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(step);
                if let Some(res) = resolve(side, s, &prefix) {
                    out.push((res.schema.file.path.clone(), res.field.span.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `reads` example the docs give parses as a contract: the YAML blocks of README's "Contract tests"
    /// section, the help's entry form and the entries `CONTRACT_INVALID`'s doc recommends (trial defect 6: the
    /// README's `{path: lines[].unitPrice, type: decimal}` is not YAML).
    #[test]
    fn documented_contract_examples_parse() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("\n## Contract tests")
            .expect("the section exists");
        let section = &readme[start + 1..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        let mut blocks = Vec::new();
        let mut rest = section;
        while let Some(open) = rest.find("```yaml\n") {
            let body = &rest[open + 8..];
            let close = body.find("```").expect("the block closes");
            blocks.push(body[..close].to_string());
            rest = &body[close..];
        }
        let rule_doc = include_str!("../../rules/CONTRACT_INVALID.md");
        let entries = rule_doc
            .split('`')
            .filter(|s| s.starts_with("{path:"))
            .chain([ENTRY_FORM])
            .map(|e| format!("reads:\n  - {}\n", e.replace(" T,", " string,")));
        let contracts: Vec<String> = blocks
            .iter()
            .filter(|b| b.contains("reads:"))
            .cloned()
            .chain(entries)
            .collect();
        assert!(contracts.len() >= 3, "{contracts:?}");
        for text in &contracts {
            let file = SourceFile::new("contracts/billing/acme.Order.yaml", None, text.as_str());
            if let Err((msg, _)) = parse(&file, "billing", "acme.Order") {
                panic!("{text}: {msg}");
            }
        }
        for b in &blocks {
            assert!(yaml_rust2::YamlLoader::load_from_str(b).is_ok(), "{b}");
        }
    }

    /// Trial item 13: an unknown type, or another bad entry, is located at the entry, not at 1:1.
    #[test]
    fn content_errors_point_at_their_entry() {
        let text = "reads:\n  - {path: nothere, type: string}\n  - \"lines[].nope\"\n  - {path: total, type: money}\n  - {path: x, required: maybe}\n";
        let file = SourceFile::new("contracts/ghost/com.acme.Order.yaml", None, text);
        let Err((msg, span)) = parse(&file, "ghost", "com.acme.Order") else {
            panic!("an unknown type is an error");
        };
        assert!(msg.contains("reads[2]: unknown type"), "{msg}");
        let lc = file.line_col(span.start);
        assert_eq!((lc.line, lc.column), (4, 25), "{msg}");
        let text = "reads:\n  - total\n  - {path: x, required: maybe}\n";
        let file = SourceFile::new("contracts/ghost/com.acme.Order.yaml", None, text);
        let Err((msg, span)) = parse(&file, "ghost", "com.acme.Order") else {
            panic!("`required: maybe` is an error");
        };
        assert_eq!(file.line_col(span.start).line, 3, "{msg}");
        let json = "{\"reads\": [\n  \"total\",\n  {\"path\": \"x\", \"type\": \"money\"}\n]}";
        let file = SourceFile::new("contracts/ghost/com.acme.Order.json", None, json);
        let Err((msg, span)) = parse(&file, "ghost", "com.acme.Order") else {
            panic!("an unknown type is an error");
        };
        assert_eq!(file.line_col(span.start).line, 3, "{msg}");
    }

    #[test]
    fn entry_spans_locate_each_path_at_its_own_entry() {
        let text = "description: total of the order, and totalTax\nreads:\n  - totalTax\n  - {path: total, type: double}\n";
        let file = SourceFile::new("contracts/billing/acme.Order.yaml", None, text);
        let spans = entry_spans(&file);
        let second = text.find("path: total").map(|p| p + 6);
        assert_eq!(
            spans,
            vec![
                text.find("- totalTax").map(|p| p + 2..p + 10),
                second.map(|p| p..p + 5)
            ]
        );
        let json = r#"{"description": "total", "reads": ["total", {"path": "id"}]}"#;
        let file = SourceFile::new("contracts/billing/acme.Order.json", None, json);
        let at = json.find(r#"["total""#).map(|p| p + 1);
        let id = json.find(r#""id""#);
        assert_eq!(
            entry_spans(&file),
            vec![at.map(|p| p..p + 7), id.map(|p| p..p + 4)]
        );
    }
}
