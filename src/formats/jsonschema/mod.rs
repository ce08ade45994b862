//! The JSON Schema format: which files are JSON Schema, loading a snapshot (parse JSON or YAML with spans,
//! check against the draft's meta-schema, build the everit-like model, resolve `$ref`s across the snapshot's
//! files), and comparing one subject with Confluent's rules (`compat.rs`). Subjects are named by the root `$id`
//! when there is one (so a moved file keeps its identity), else by the file path. Nothing here reads files or
//! prints.
//!
//! Which files are claimed during discovery (files the user names are always claimed, unless Avro):
//! `*.schema.json`; a `.json` whose top-level `$schema` names a json-schema.org meta-schema; a `.yaml`/`.yml`
//! with a top-level `$schema:` line naming one; and a `.json`/`.yaml`/`.yml` that does not parse at all but
//! whose first 2 KiB hold `$schema` followed by a json-schema.org URI. The last rule keeps a schema that an
//! edit broke claimed, so it is reported as a PARSE_ERROR instead of vanishing (SUBJECT_DELETED); requiring
//! the meta-schema URI keeps broken config files (`tsconfig.json` naming schemastore) unclaimed. A file whose
//! edit also removed its `$schema` cannot be told from any other broken `.json` and is not claimed (name it
//! `*.schema.json` to keep it claimed whatever its content). A claimed file with an input error keeps its
//! subject but is not compared.

mod compat;
mod describe;
mod outline;
pub(crate) use outline::{document_value, node_value};
pub(crate) mod parse;
mod refs;
pub mod rules;
mod schema;

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::finding::{Direction, Finding, Format, Location, Severity};
use crate::formats::{json, CheckOptions, Engine, Loaded, Subject};
use crate::rules::{Rule, PARSE_ERROR};
use crate::source::SourceFile;

use compat::{is_compatible, Item, Leaf, Res, SRef, Spot};
use parse::{ParseFailure, Tree, Val};
use schema::{Schema, SchemaId};

/// Every rule this format emits.
pub static RULES: &[&Rule] = &{
    let mut all: [&Rule; 133] = [&rules::UNRESOLVED_REFERENCE; 133];
    let mut i = 0;
    while i < 132 {
        all[i] = rules::DIFFERENCE_TYPES[i];
        i += 1;
    }
    all
};

pub struct JsonSchemaEngine;

pub static ENGINE: JsonSchemaEngine = JsonSchemaEngine;

fn ext(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some("json")
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some("yaml")
    } else {
        None
    }
}

/// The value of the top-level `$schema` of a JSON document (a byte scan, no parse).
fn json_top_level_schema(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let string_end = |mut j: usize| {
        while j < b.len() && b[j] != b'"' {
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        j
    };
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i = string_end(start);
                if depth == 1 && b.get(start..i) == Some(b"$schema") {
                    let mut j = i + 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) != Some(&b':') {
                        continue;
                    }
                    j += 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) != Some(&b'"') {
                        return Some("");
                    }
                    let end = string_end(j + 1);
                    return text.get(j + 1..end);
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The value of a top-level `$schema:` line of a YAML document.
fn yaml_top_level_schema(text: &str) -> Option<&str> {
    text.lines().find_map(|l| {
        let rest = l
            .strip_prefix("$schema:")
            .or_else(|| l.strip_prefix("\"$schema\":"))
            .or_else(|| l.strip_prefix("'$schema':"))?;
        Some(rest.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// A `$schema` naming a JSON Schema meta-schema. Config files such as `tsconfig.json` or `renovate.json`
/// also carry `$schema` (the URL of the schema they follow); they are instances, not schemas.
fn is_meta_schema_uri(v: &str) -> bool {
    v.to_ascii_lowercase().contains("json-schema.org/")
}

/// How far into a file a broken schema's `$schema` tag is looked for.
const TAG_WINDOW: usize = 2048;

/// The first [`TAG_WINDOW`] bytes of `text` hold `tag` and a JSON Schema meta-schema URI: a schema file
/// that may have been broken by an edit (the caller then checks that it really does not parse).
fn broken_but_tagged(text: &str, tag: &str) -> bool {
    let mut end = text.len().min(TAG_WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.find(tag)
        .is_some_and(|i| is_meta_schema_uri(&head[i..]))
}

/// An Avro schema in a `.json` file: `"type": "record" | "enum" | "fixed"` (never JSON Schema types), no
/// `$schema`.
fn looks_like_avro(text: &str) -> bool {
    use std::sync::OnceLock;
    static AVRO_TYPE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    !text.contains("\"$schema\"")
        && AVRO_TYPE
            .get_or_init(|| regex::Regex::new(r#""type"\s*:\s*"(record|enum|fixed)""#).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text))
}

impl Engine for JsonSchemaEngine {
    fn format(&self) -> Format {
        Format::JsonSchema
    }

    fn outline(&self, path: &str, text: &str) -> Option<crate::formats::outline::Outline> {
        outline::outline(path, text)
    }

    fn claims(&self, path: &str, text: &str, explicit: bool) -> bool {
        match ext(path) {
            Some("json") => {
                if path.to_ascii_lowercase().ends_with(".schema.json") {
                    return true;
                }
                if json_top_level_schema(text).is_some_and(is_meta_schema_uri) {
                    return true;
                }
                if explicit {
                    return !looks_like_avro(text);
                }
                broken_but_tagged(text, "\"$schema\"") && parse::parse_json(text).is_err()
            }
            Some(_) => {
                explicit
                    || yaml_top_level_schema(text).is_some_and(is_meta_schema_uri)
                    || (broken_but_tagged(text, "$schema") && parse::parse_yaml(text).is_err())
            }
            // A file named on the command line without an extension (`compat <(git show main:x.json) x.json`
            // passes `/dev/fd/63`): a JSON object that is not Avro.
            None => {
                explicit
                    && crate::formats::no_extension(path)
                    && text.trim_start().starts_with('{')
                    && !looks_like_avro(text)
            }
        }
    }

    fn may_claim(&self, path: &str) -> bool {
        ext(path).is_some()
    }

    fn load(&self, files: &[Arc<SourceFile>], opts: &CheckOptions) -> Box<dyn Loaded> {
        let (files, references) = split_references(files, &opts.json_include);
        Box::new(load_snapshot(files, references))
    }

    fn compat(
        &self,
        old: &dyn Loaded,
        old_subject: &Subject,
        new: &dyn Loaded,
        new_subject: &Subject,
        dir: Direction,
        opts: &CheckOptions,
    ) -> Vec<Finding> {
        let (Some(old), Some(new)) = (
            old.as_any().downcast_ref::<JsonLoaded>(),
            new.as_any().downcast_ref::<JsonLoaded>(),
        ) else {
            return Vec::new();
        };
        let (Some(old_root), Some(new_root)) = (old.root_of(old_subject), new.root_of(new_subject))
        else {
            return Vec::new();
        };
        let subject = new_subject.name.clone();
        let lenient = opts.lenient;
        {
            // BACKWARD: the new schema reads data written with the old one, so original = old, update = new.
            let (orig, orig_root, upd, upd_root, orig_is_new) = match dir {
                Direction::Backward => (old, old_root, new, new_root, false),
                Direction::Forward => (new, new_root, old, old_root, true),
            };
            let res = compat::compare_roots(
                (&orig.schemas, &orig.trees),
                orig_root,
                (&upd.schemas, &upd.trees),
                upd_root,
                lenient,
            );
            let sides = [orig, upd];
            let new_side: u8 = if orig_is_new { 0 } else { 1 };
            findings_of(&res, &sides, new_side, &subject, lenient)
        }
    }
}

struct Doc {
    file: Arc<SourceFile>,
    /// The root schema; `None` for a document that is not compared (it has an input error).
    root: Option<SchemaId>,
    subject: Option<(String, Range<usize>)>,
    /// The document has an input error (PARSE_ERROR): it keeps its subject but is not compared.
    broken: bool,
}

/// One loaded snapshot: its documents and one schema arena shared by all of them.
pub struct JsonLoaded {
    docs: Vec<Doc>,
    trees: Vec<Option<Tree>>,
    schemas: Vec<Schema>,
    findings: Vec<Finding>,
    by_path: HashMap<String, usize>,
    /// Inline ignores (`x-schemaguard-ignore`) of every document.
    ignores: crate::ignore::Ignores,
}

impl JsonLoaded {
    fn root_of(&self, s: &Subject) -> Option<SchemaId> {
        self.by_path
            .get(&s.file.path)
            .and_then(|&d| self.docs[d].root)
    }

    /// Location of a spot: the keyword (key through value) when named and present, else the whole schema.
    fn location(&self, spot: &Spot) -> Option<Location> {
        let s = self.schemas.get(spot.at.id as usize)?;
        let doc = self.docs.get(s.doc as usize)?;
        let tree = self.trees.get(s.doc as usize)?.as_ref()?;
        if let Some(kw) = &spot.kw {
            if let Some(m) = tree.member(s.node, kw) {
                let span = m.key_span.start..tree.node(m.val).span.end;
                let ptr = format!("{}/{}", s.pointer, json::escape_token(kw));
                return Some(Location::new(&doc.file, span).with_pointer(ptr));
            }
        }
        let node_span = tree.node(s.node).span.clone();
        let span = match s.key_start {
            Some(k) if k < node_span.start => k..node_span.end,
            _ => node_span,
        };
        let ptr = if s.pointer.is_empty() {
            String::new()
        } else {
            s.pointer.to_string()
        };
        Some(Location::new(&doc.file, span).with_pointer(ptr))
    }
}

impl Loaded for JsonLoaded {
    fn subjects(&self) -> Vec<Subject> {
        let mut out: Vec<Subject> = self
            .docs
            .iter()
            .filter_map(|d| {
                let (name, span) = d.subject.clone()?;
                Some(Subject {
                    name,
                    file: Arc::clone(&d.file),
                    span,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then_with(|| a.file.path.cmp(&b.file.path))
        });
        out
    }
    fn findings(&self) -> Vec<Finding> {
        self.findings.clone()
    }
    fn ignores(&self) -> crate::ignore::Ignores {
        self.ignores.clone()
    }
    fn references(&self) -> crate::formats::FileRefs {
        let mut out: crate::formats::FileRefs = Default::default();
        for s in &self.schemas {
            let schema::Kind::Ref {
                reference,
                target: Some(t),
            } = &s.kind
            else {
                continue;
            };
            let Some(to) = self.schemas.get(*t as usize).map(|x| x.doc) else {
                continue;
            };
            let name = reference.split('#').next().unwrap_or("");
            if to == s.doc || name.is_empty() {
                continue;
            }
            if let (Some(from), Some(to)) =
                (self.docs.get(s.doc as usize), self.docs.get(to as usize))
            {
                out.entry(from.file.path.clone())
                    .or_default()
                    .push((name.to_string(), Arc::clone(&to.file)));
            }
        }
        for v in out.values_mut() {
            v.sort_by(|a, b| (&a.0, &a.1.path).cmp(&(&b.0, &b.1.path)));
            v.dedup_by(|a, b| a.0 == b.0 && a.1.path == b.1.path);
        }
        out
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Draft {
    D4,
    D6,
    D7,
    D2019,
    D2020,
}

impl Draft {
    fn name(self) -> &'static str {
        match self {
            Draft::D4 => "draft-04",
            Draft::D6 => "draft-06",
            Draft::D7 => "draft-07",
            Draft::D2019 => "2019-09",
            Draft::D2020 => "2020-12",
        }
    }
    fn from_uri(uri: &str) -> Option<Draft> {
        let u = uri.trim().trim_end_matches('#').to_ascii_lowercase();
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(&u);
        Some(match u {
            "json-schema.org/draft-04/schema" => Draft::D4,
            "json-schema.org/draft-06/schema" => Draft::D6,
            "json-schema.org/draft-07/schema" => Draft::D7,
            "json-schema.org/draft/2019-09/schema" => Draft::D2019,
            "json-schema.org/draft/2020-12/schema" => Draft::D2020,
            _ => return None,
        })
    }
}

fn parse_finding(file: &Arc<SourceFile>, f: ParseFailure, help: &str) -> Finding {
    Finding::new(&PARSE_ERROR, file.path.clone(), f.message)
        .help(help)
        .format(Format::JsonSchema)
        .at_new(Location::new(file, f.span))
}

/// Span of the value at a JSON pointer (`/a/0/b`), or of the nearest existing parent.
fn span_at_pointer(tree: &Tree, pointer: &str) -> (Range<usize>, String) {
    let mut cur = tree.root;
    let mut walked = String::new();
    for tok in pointer.split('/').skip(1) {
        let t = json::unescape_token(tok);
        match tree.walk(cur, std::slice::from_ref(&t)) {
            Some(n) => {
                cur = n;
                walked.push('/');
                walked.push_str(tok);
            }
            None => break,
        }
    }
    (tree.node(cur).span.clone(), walked)
}

/// A validator for the draft's meta-schema with `format` checks off: `format` is an annotation (everit and
/// Confluent do not enforce `uri-reference` on `$ref`), only structural violations make a schema invalid.
/// Built once per draft from the meta-schemas bundled with `jsonschema` (no network).
fn meta_validator(draft: Draft) -> Option<&'static jsonschema::Validator> {
    use std::sync::OnceLock;
    static CACHE: [OnceLock<Option<jsonschema::Validator>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let (slot, d, uri) = match draft {
        Draft::D4 => (
            0,
            jsonschema::Draft::Draft4,
            "http://json-schema.org/draft-04/schema#",
        ),
        Draft::D6 => (
            1,
            jsonschema::Draft::Draft6,
            "http://json-schema.org/draft-06/schema#",
        ),
        Draft::D7 => (
            2,
            jsonschema::Draft::Draft7,
            "http://json-schema.org/draft-07/schema#",
        ),
        Draft::D2019 => (
            3,
            jsonschema::Draft::Draft201909,
            "https://json-schema.org/draft/2019-09/schema",
        ),
        Draft::D2020 => (
            4,
            jsonschema::Draft::Draft202012,
            "https://json-schema.org/draft/2020-12/schema",
        ),
    };
    CACHE[slot]
        .get_or_init(|| {
            jsonschema::options()
                .with_draft(d)
                .should_validate_formats(false)
                .build(&serde_json::json!({ "$ref": uri }))
                .ok()
        })
        .as_ref()
}

/// Every violation of the draft's meta-schema, as (instance pointer, message), in document order (issue 11, item
/// 15: the first alone made users fix a file one error per run).
fn meta_validate(tree: &Tree, draft: Draft) -> Vec<(String, String)> {
    let Some(validator) = meta_validator(draft) else {
        return Vec::new();
    };
    let value = tree.to_json(tree.root);
    let mut out: Vec<(String, String)> = validator
        .iter_errors(&value)
        .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
        .collect();
    out.dedup();
    out
}

/// The checked files and the reference documents (`[jsonschema] include`, `--include`): files of the snapshot
/// under an include directory of the repository, named by their path below it (shown by their repository path),
/// then the documents of the include directories outside the repository.
fn split_references(
    files: &[Arc<SourceFile>],
    include: &crate::formats::Includes,
) -> (Vec<Arc<SourceFile>>, Vec<Arc<SourceFile>>) {
    let mut checked = Vec::with_capacity(files.len());
    let mut references = Vec::new();
    for f in files {
        let below = include.in_repo.iter().find_map(|d| {
            f.path
                .strip_prefix(d.as_str())
                .and_then(|r| r.strip_prefix('/'))
        });
        match below {
            Some(rel) => references.push(SourceFile::with_shown(
                rel,
                f.shown.clone(),
                f.revision.clone(),
                Arc::clone(&f.text),
            )),
            None => checked.push(Arc::clone(f)),
        }
    }
    references.extend(include.outside_files.iter().cloned());
    (checked, references)
}

/// Loads one snapshot. `references` resolve `$ref`s (by `$id`, and by path below their include directory) after
/// the checked files (a checked file wins a clash), but have no subject and report nothing themselves.
fn load_snapshot(files: Vec<Arc<SourceFile>>, references: Vec<Arc<SourceFile>>) -> JsonLoaded {
    let checked = files.len();
    let files: Vec<Arc<SourceFile>> = files.into_iter().chain(references).collect();
    let mut findings = Vec::new();
    let mut trees: Vec<Option<Tree>> = Vec::with_capacity(files.len());
    let mut docs: Vec<Doc> = Vec::with_capacity(files.len());
    let mut by_path = HashMap::new();
    let mut path_subjects = Vec::new();
    for file in &files {
        by_path.entry(file.path.clone()).or_insert(docs.len());
        let parsed = match ext(&file.path) {
            Some("yaml") => parse::parse_yaml(&file.text),
            _ => parse::parse_json(&file.text),
        };
        let tree = match parsed {
            Ok(t) => Some(t),
            Err(e) => {
                findings.push(parse_finding(
                    file,
                    e,
                    "fix the syntax at the location shown; schemaguard reads strict JSON (no comments or trailing commas) and YAML without complex keys",
                ));
                None
            }
        };
        let mut subject = None;
        let errors_before = findings.len();
        if let Some(t) = &tree {
            let root_span = t.node(t.root).span.clone();
            let schema_shaped = matches!(t.node(t.root).val, Val::Obj(_) | Val::Bool(_));
            if !schema_shaped {
                findings.push(parse_finding(
                    file,
                    ParseFailure {
                        message: "a JSON Schema must be an object or a boolean".into(),
                        span: root_span.clone(),
                    },
                    "write the schema as a JSON object such as `{\"type\": \"object\"}`",
                ));
            }
            // Draft from `$schema`; draft-07 when absent. A document that is not even an object has had its
            // error; checking it against the meta-schema would only repeat it.
            let mut draft = if schema_shaped { Some(Draft::D7) } else { None };
            if let Some(m) = t.member(t.root, "$schema") {
                let v = t.str_of(m.val).unwrap_or("");
                draft = Draft::from_uri(v);
                if draft.is_none() {
                    findings.push(parse_finding(
                        file,
                        ParseFailure {
                            message: format!("unknown `$schema` `{v}`: not a JSON Schema draft schemaguard knows"),
                            span: t.node(m.val).span.clone(),
                        },
                        "use draft-04, draft-06, draft-07, 2019-09 or 2020-12 (for example `http://json-schema.org/draft-07/schema#`)",
                    ));
                }
            }
            if let Some(d) = draft {
                for (pointer, msg) in meta_validate(t, d) {
                    let (span, walked) = span_at_pointer(t, &pointer);
                    let at = if walked.is_empty() {
                        "/".to_string()
                    } else {
                        walked
                    };
                    findings.push(
                        Finding::new(
                            &PARSE_ERROR,
                            file.path.clone(),
                            format!(
                                "the schema is not valid against the {} meta-schema at `{at}`: {}",
                                d.name(),
                                msg.trim_end_matches('.')
                            ),
                        )
                        .help("correct the keyword at the location shown so the schema follows its draft")
                        .format(Format::JsonSchema)
                        .at_new(Location::new(file, span).with_pointer(at)),
                    );
                }
            }
            let id = t
                .member(t.root, "$id")
                .or_else(|| t.member(t.root, "id"))
                .and_then(|m| {
                    t.str_of(m.val)
                        .filter(|s| !s.is_empty() && !s.starts_with('#'))
                        .map(|s| (s.to_string(), t.node(m.val).span.clone()))
                });
            let path_subject = (
                file.path.clone(),
                root_span.start..(root_span.start + 1).min(root_span.end),
            );
            subject = Some(id.unwrap_or(path_subject.clone()));
            path_subjects.push(path_subject);
        }
        if subject.is_none() {
            // A file that does not parse keeps its subject, so it is not mistaken for a deletion; it is
            // simply not compared (its PARSE_ERROR says why).
            subject = Some((file.path.clone(), 0..0));
            path_subjects.push((file.path.clone(), 0..0));
        }
        trees.push(tree);
        docs.push(Doc {
            file: Arc::clone(file),
            root: None,
            subject,
            broken: findings.len() > errors_before,
        });
    }

    // Subjects are file paths. Naming them by `$id` pairs moved files but is unstable in practice: Wikimedia
    // keeps `current.yaml` beside one copy per version, all declaring one `$id`, so the `$id` of `1.0.0.yaml`
    // is shared in one revision and unique in the next. See the README (JSON Schema, subjects).
    for (d, path_subject) in docs.iter_mut().zip(path_subjects) {
        if d.subject.is_some() {
            d.subject = Some(path_subject);
        }
    }
    for d in docs.iter_mut().skip(checked) {
        d.subject = None;
    }

    let index = refs::Index::build(
        &files
            .iter()
            .zip(&trees)
            .map(|(f, t)| (f.path.clone(), t.as_ref()))
            .collect::<Vec<_>>(),
    );
    let mut b = schema::Builder::new(&trees);
    for (d, t) in trees.iter().enumerate() {
        if let Some(t) = t {
            docs[d].root = Some(b.build(d as u32, t.root, ""));
        }
    }
    let mut i = 0;
    while i < b.refs.len() {
        let sid = b.refs[i] as usize;
        i += 1;
        let (doc, node) = (b.schemas[sid].doc, b.schemas[sid].node);
        let schema::Kind::Ref { reference, .. } = &b.schemas[sid].kind else {
            continue;
        };
        let reference = reference.to_string();
        let path = &files[doc as usize].path;
        match index.resolve(&trees, doc, node, path, &reference) {
            Ok((d, n, ptr)) => {
                let target = b.build(d, n, &ptr);
                if let schema::Kind::Ref { target: t, .. } = &mut b.schemas[sid].kind {
                    *t = Some(target);
                }
            }
            Err(_) if is_meta_schema_ref(&reference) => {}
            Err(miss) => {
                let file = &files[doc as usize];
                let Some(tree) = trees[doc as usize].as_ref() else {
                    continue;
                };
                let span = tree
                    .member(node, "$ref")
                    .map(|m| tree.node(m.val).span.clone())
                    .unwrap_or_else(|| tree.node(node).span.clone());
                let remote = refs::Index::is_remote(&reference);
                let (msg, help, severity) = if remote {
                    (
                        format!("`$ref` `{reference}` points outside the checked files and was not fetched; the comparison treats it as accepting anything"),
                        "add the referenced schema to the checked files (with that `$id`), or accept that changes inside it are not checked",
                        Severity::Warning,
                    )
                } else if miss == refs::Miss::Document {
                    (
                        format!("`$ref` `{reference}` names a document that is not among the checked files; the comparison treats it as accepting anything"),
                        "add the referenced schema to the checked files (with that `$id`), or accept that changes inside it are not checked",
                        Severity::Warning,
                    )
                } else {
                    (
                        format!("`$ref` `{reference}` does not resolve to any schema"),
                        "point the reference at an existing definition (`#/definitions/…`, `#/$defs/…`) or at a file of the same folder",
                        Severity::Error,
                    )
                };
                let mut f = Finding::new(&rules::UNRESOLVED_REFERENCE, file.path.clone(), msg)
                    .help(help)
                    .format(Format::JsonSchema)
                    .at_new(
                        Location::new(file, span)
                            .with_pointer(format!("{}/$ref", b.schemas[sid].pointer)),
                    );
                f.severity = severity;
                if !remote && miss == refs::Miss::Document {
                    f.unresolved = Some(reference.clone());
                }
                findings.push(f);
            }
        }
    }
    for (doc, span, pointer, msg) in std::mem::take(&mut b.issues) {
        let file = &files[doc as usize];
        docs[doc as usize].broken = true;
        findings.push(
            Finding::new(&PARSE_ERROR, file.path.clone(), msg)
                .help("write a regular expression in ECMA-262 syntax, escaping special characters")
                .format(Format::JsonSchema)
                .at_new(Location::new(file, span).with_pointer(pointer)),
        );
    }
    // Like a file that does not parse, a file with an input error is not compared: its findings would
    // describe a schema the user did not write.
    for d in &mut docs {
        if d.broken {
            d.root = None;
        }
    }
    let schemas = std::mem::take(&mut b.schemas);
    drop(b);
    let mut ignores = crate::ignore::Ignores::default();
    for (file, tree) in files.iter().zip(&trees) {
        if let Some(t) = tree {
            t.ignores(file, &mut ignores, &mut findings);
        }
    }
    // Reference documents are not checked: their own problems are not reported.
    let reference: HashSet<*const SourceFile> = files[checked..].iter().map(Arc::as_ptr).collect();
    if !reference.is_empty() {
        findings.retain(|f| {
            f.primary()
                .is_none_or(|l| !reference.contains(&Arc::as_ptr(&l.file)))
        });
    }
    JsonLoaded {
        docs,
        trees,
        schemas,
        findings,
        by_path,
        ignores,
    }
}

/// Identity of a reported difference: type and where it is on each side.
type FindingKey = (
    &'static str,
    Option<(String, usize)>,
    Option<(String, usize)>,
);

/// A reference to a draft's own meta-schema (`http://json-schema.org/draft-07/schema#`): a schema that
/// accepts any schema. It is compared as the empty schema, without a finding.
fn is_meta_schema_ref(reference: &str) -> bool {
    Draft::from_uri(reference.split('#').next().unwrap_or("")).is_some()
}

/// Walks the result DAG once per shared result and turns every leaf into a finding.
fn findings_of(
    root: &Res,
    sides: &[&JsonLoaded; 2],
    new_side: u8,
    subject: &str,
    lenient: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen_res: HashSet<*const Res> = HashSet::new();
    let mut seen_finding: HashSet<FindingKey> = HashSet::new();
    // A result's path is its parent's path plus the prefix it was met at: kept as links to the parent (a chain
    // of `$ref`s nests results as deep as the input; copying each whole path would be quadratic), a leaf's full
    // path built once.
    let mut links: Vec<(usize, &[String])> = vec![(usize::MAX, &[])];
    let mut stack: Vec<(&Res, usize)> = vec![(root, 0)];
    let path_of = |links: &[(usize, &[String])], mut at: usize, leaf: &[String]| {
        let mut parts: Vec<&[String]> = vec![leaf];
        while at != usize::MAX {
            parts.push(links[at].1);
            at = links[at].0;
        }
        parts
            .iter()
            .rev()
            .flat_map(|p| p.iter().cloned())
            .collect::<Vec<String>>()
    };
    let (reader, writer) = if new_side == 1 {
        ("new", "old")
    } else {
        ("old", "new")
    };
    while let Some((res, link)) = stack.pop() {
        for item in &res.items {
            match item {
                Item::Sub { prefix: p, res } => {
                    if res.has_leaves && seen_res.insert(std::rc::Rc::as_ptr(res)) {
                        links.push((link, p.as_slice()));
                        stack.push((res, links.len() - 1));
                    }
                }
                Item::Leaf(leaf) => {
                    let path = path_of(&links, link, &leaf.path);
                    let f = finding_of(
                        leaf, &path, sides, new_side, subject, lenient, reader, writer,
                    );
                    let key = (
                        leaf.ty.id,
                        f.new.as_ref().map(|l| (l.file.path.clone(), l.span.start)),
                        f.old.as_ref().map(|l| (l.file.path.clone(), l.span.start)),
                    );
                    if seen_finding.insert(key) {
                        out.push(f);
                    }
                }
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn finding_of(
    leaf: &Leaf,
    path: &[String],
    sides: &[&JsonLoaded; 2],
    new_side: u8,
    subject: &str,
    lenient: bool,
    reader: &str,
    writer: &str,
) -> Finding {
    let path_s = format!("#/{}", path.join("/"));
    let ok = is_compatible(leaf.ty, lenient);
    let side_of = |want_new: bool| {
        [&leaf.orig, &leaf.upd]
            .into_iter()
            .flatten()
            .find(|s| (s.at.side == new_side) == want_new)
            .map(|s| describe::Side {
                loaded: sides[s.at.side as usize],
                spot: s,
            })
    };
    let (old_side, new_side_spot) = (side_of(false), side_of(true));
    let mut msg = message(leaf.ty, &path_s, reader, writer);
    // Confluent's template for a content model closed by its keyword says the keyword "is not present" in the
    // writer's schema; when the writer spells it out (`additionalProperties: true`), say what happened instead.
    let closer = match leaf.ty.id {
        "ADDITIONAL_PROPERTIES_REMOVED" => Some("additionalProperties"),
        "ADDITIONAL_ITEMS_REMOVED" => Some("additionalItems"),
        "UNEVALUATED_PROPERTIES_REMOVED" => Some("unevaluatedProperties"),
        "UNEVALUATED_ITEMS_REMOVED" => Some("unevaluatedItems"),
        _ => None,
    };
    if let Some(kw) = closer {
        let writer_spells_it = leaf
            .orig
            .as_ref()
            .and_then(|s| sides[s.at.side as usize].location(s))
            .and_then(|l| l.pointer)
            .is_some_and(|p| p.ends_with(&format!("/{kw}")));
        if writer_spells_it {
            msg = format!(
                "the keyword at path `{path_s}` in the {reader} schema forbids the additional members the {writer} schema allows"
            );
        } else {
            // Absent in the writer's schema means any member was allowed: the rule id says "removed" of that
            // freedom, which Confluent's "is not present" alone leaves the reader to work out.
            let what = if kw.ends_with("Items") {
                "items"
            } else {
                "members"
            };
            msg = format!("{msg}, which does not restrict additional {what} by it");
        }
    }
    if let Some(d) = describe::detail(leaf, path, old_side, new_side_spot, new_side == 0) {
        msg = format!("{msg}: {d}");
    }
    let mut f = Finding::new(leaf.ty, subject, msg).format(Format::JsonSchema);
    f.severity = if ok { Severity::Info } else { Severity::Error };
    if let Some(h) = help(leaf.ty, path, ok, lenient, new_side == 0) {
        f = f.help(h);
    }
    for spot in [&leaf.orig, &leaf.upd].into_iter().flatten() {
        let side = spot.at.side;
        let Some(loc) = sides[side as usize].location(spot) else {
            continue;
        };
        if side == new_side {
            f.new = Some(loc);
        } else {
            f.old = Some(loc);
        }
    }
    let _ = SRef { side: 0, id: 0 };
    f
}

fn prop_name(path: &[String]) -> Option<&str> {
    let n = path.len();
    (n >= 2 && matches!(path[n - 2].as_str(), "properties" | "required"))
        .then(|| path[n - 1].as_str())
}

/// Confluent's description templates (`Difference.error()`), with `%s` filled as reader then writer.
fn message(ty: &Rule, path: &str, reader: &str, writer: &str) -> String {
    let id = ty.id;
    if id == "CHECK_LIMIT_EXCEEDED" && path.ends_with("$ref") {
        return format!(
            "the schemas reached through `$ref` at path `{path}` are more than {} levels deep: not checked",
            compat::MAX_WALK_DEPTH
        );
    }
    if id == "CHECK_LIMIT_EXCEEDED" {
        return format!(
            "the combined schema at path `{path}` has too many changed branches to match them pairwise (more than {} pairs of changed {writer} and {reader} branches compared): not checked",
            compat::MAX_COMBINED_PAIRS
        );
    }
    let has = |list: &[&str]| list.contains(&id);
    if has(&[
        "MAXIMUM_ADDED",
        "MINIMUM_ADDED",
        "EXCLUSIVE_MAXIMUM_ADDED",
        "EXCLUSIVE_MINIMUM_ADDED",
        "MULTIPLE_OF_ADDED",
        "MAX_LENGTH_ADDED",
        "MIN_LENGTH_ADDED",
        "PATTERN_ADDED",
        "REQUIRED_ATTRIBUTE_ADDED",
        "MAX_PROPERTIES_ADDED",
        "MIN_PROPERTIES_ADDED",
        "DEPENDENCY_ARRAY_ADDED",
        "DEPENDENCY_SCHEMA_ADDED",
        "MAX_ITEMS_ADDED",
        "MIN_ITEMS_ADDED",
        "MAX_CONTAINS_ADDED",
        "MIN_CONTAINS_ADDED",
        "UNIQUE_ITEMS_ADDED",
        "ADDITIONAL_ITEMS_REMOVED",
        "ADDITIONAL_PROPERTIES_REMOVED",
        "UNEVALUATED_PROPERTIES_REMOVED",
        "UNEVALUATED_ITEMS_REMOVED",
    ]) {
        format!("the keyword at path `{path}` in the {reader} schema is not present in the {writer} schema")
    } else if has(&[
        "MIN_LENGTH_INCREASED",
        "MINIMUM_INCREASED",
        "EXCLUSIVE_MINIMUM_INCREASED",
        "MIN_PROPERTIES_INCREASED",
        "MULTIPLE_OF_EXPANDED",
        "MIN_ITEMS_INCREASED",
        "MIN_CONTAINS_INCREASED",
    ]) {
        format!("the value at path `{path}` in the {reader} schema is more than its value in the {writer} schema")
    } else if has(&[
        "MAX_LENGTH_DECREASED",
        "MAXIMUM_DECREASED",
        "MAX_ITEMS_DECREASED",
        "MAX_CONTAINS_DECREASED",
        "EXCLUSIVE_MAXIMUM_DECREASED",
        "MAX_PROPERTIES_DECREASED",
    ]) {
        format!("the value at path `{path}` in the {reader} schema is less than its value in the {writer} schema")
    } else if has(&[
        "PATTERN_CHANGED",
        "MULTIPLE_OF_CHANGED",
        "DEPENDENCY_ARRAY_CHANGED",
    ]) {
        format!("the value at path `{path}` is different between the {reader} and {writer} schema")
    } else if has(&[
        "ADDITIONAL_ITEMS_NARROWED",
        "ENUM_ARRAY_NARROWED",
        "SUM_TYPE_NARROWED",
        "ADDITIONAL_PROPERTIES_NARROWED",
        "UNEVALUATED_PROPERTIES_NARROWED",
        "UNEVALUATED_ITEMS_NARROWED",
    ]) {
        format!("an array or combined type at path `{path}` has fewer elements in the {reader} schema than the {writer} schema")
    } else if has(&[
        "DEPENDENCY_ARRAY_EXTENDED",
        "PRODUCT_TYPE_EXTENDED",
        "SUM_TYPE_EXTENDED",
        "NOT_TYPE_EXTENDED",
    ]) && !is_compatible(ty, false)
    {
        format!("an array or combined type at path `{path}` has more elements in the {reader} schema than the {writer} schema")
    } else if has(&[
        "TYPE_CHANGED",
        "TYPE_NARROWED",
        "COMBINED_TYPE_CHANGED",
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
        "ENUM_ARRAY_CHANGED",
    ]) {
        format!("a type at path `{path}` is different between the {reader} schema and the {writer} schema")
    } else if has(&[
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
    ]) {
        format!("the {writer} schema has an open content model and the {reader} schema has a property or item at path `{path}` which is missing in the {writer} schema")
    } else if id == "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL" {
        format!("the {reader} schema has a required property at path `{path}` which is missing in the {writer} schema, whose content model is not open")
    } else if has(&[
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ]) {
        format!("the {reader} schema has a closed content model and is missing a property or item present at path `{path}` in the {writer} schema")
    } else if has(&[
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ]) {
        format!("a property or item is missing in the {reader} schema but present at path `{path}` in the {writer} schema and is not covered by its partially open content model")
    } else if has(&[
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ]) {
        format!("the {reader} schema has a property or item at path `{path}` which is missing in the {writer} schema and is not covered by its partially open content model")
    } else {
        format!(
            "{} at path `{path}` ({reader} schema reads {writer})",
            ty.summary
        )
    }
}

/// How to fix an incompatible difference. Rule names speak of the update, which is the reader: under
/// BACKWARD the new schema reads data written with the old one; under FORWARD (`forward`) the old schema,
/// used by existing consumers, reads data written with the new one. The advice is about the schema the user
/// is changing (the new one) in both cases.
fn help(ty: &Rule, path: &[String], ok: bool, lenient: bool, forward: bool) -> Option<String> {
    if ok {
        return None;
    }
    if ty.id == "CHECK_LIMIT_EXCEEDED" && path.last().is_some_and(|p| p == "$ref") {
        return Some("shorten the chain of `$ref`s, or review the change by hand and except CHECK_LIMIT_EXCEEDED for this subject".into());
    }
    if ty.id == "CHECK_LIMIT_EXCEEDED" {
        return Some("split the combined schema (one subject per alternative), or review the change by hand and except CHECK_LIMIT_EXCEEDED for this subject".into());
    }
    let name = prop_name(path)
        .map(|n| format!("`{n}`"))
        .or_else(|| {
            let pos = path.last()?.strip_prefix("items/")?;
            Some(format!("tuple item {pos}"))
        })
        .unwrap_or_else(|| "it".into());
    let lenient_fixes = !lenient && is_compatible(ty, true);
    let or_lenient = if lenient_fixes {
        ", or check with `--policy lenient`"
    } else {
        ""
    };
    let id = ty.id;
    Some(match id {
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
        | "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
        | "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" => {
            if forward {
                let keep = if id == "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" {
                    ""
                } else {
                    "; old consumers also require it, so keep writing it"
                };
                format!(
                    "the new schema no longer declares {name} but leaves extra properties open, so new data may hold {name} with any type, which old consumers check against their definition; keep {name} in the new schema, or close the model with `additionalProperties: false`{or_lenient}{keep}"
                )
            } else {
                let tail = if lenient_fixes {
                    or_lenient.to_string()
                } else if id == "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" {
                    String::new()
                } else {
                    "; data written with the old schema may also lack it, so give it a `default` or keep it optional".to_string()
                };
                format!(
                    "the old schema leaves extra properties open, so data written with it may already hold {name} with another type; declare {name} with the empty schema `{{}}`, or first release a version that closes the model (`additionalProperties: false`) or governs unknown names (`patternProperties`, an `additionalProperties` schema){tail}"
                )
            }
        }
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL" => if forward {
            "the new schema drops this tuple position but leaves extra items open, so new data may hold any value here, which old consumers check against their item schema; keep the item, or close the tuple with `additionalItems: false`".to_string()
        } else {
            "the old schema leaves extra items open, so data written with it may hold another value at this position; declare the item with the empty schema `{}`, or first release a version that closes the tuple (`additionalItems: false`) or governs extra items with an `additionalItems` schema".to_string()
        },
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" | "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL" => if forward {
            format!(
                "old consumers' model is closed and does not declare {name}, so they reject new data that holds it; don't add it until consumers use a schema that declares it (open their model or declare it first){or_lenient}"
            )
        } else {
            format!(
                "the new schema's model is closed, so data written with the old schema that still holds {name} is rejected; keep it (declare it `false` once no data has it), open the model, or cover it with `patternProperties`/`additionalProperties`{or_lenient}"
            )
        },
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" | "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" => if forward {
            format!(
                "old consumers check {name} against their `patternProperties`/`additionalProperties` schema, which the new definition does not satisfy; make {name} in the new schema fit that schema, or give it another name{or_lenient}"
            )
        } else {
            format!(
                "data written with the old schema that holds {name} must now match the new schema's `patternProperties`/`additionalProperties` schema, and it does not; keep the property or widen that schema{or_lenient}"
            )
        },
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" | "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" => if forward {
            format!(
                "the new schema drops {name}, so new data may hold it under its `patternProperties`/`additionalProperties` schema, which old consumers' definition of {name} does not accept; keep {name}, or narrow that schema to fit it{or_lenient}"
            )
        } else {
            format!(
                "the old schema's partially open model already accepted {name} under its `patternProperties`/`additionalProperties` schema, so existing data may not match the new definition; make {name} in the new schema accept everything that schema does{or_lenient}"
            )
        },
        "REQUIRED_ATTRIBUTE_ADDED" => if forward {
            format!("old consumers require {name}; keep it required in the new schema so every new record has it")
        } else {
            format!("data written with the old schema may lack {name}; give the property a `default` or keep it optional")
        },
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL" => if forward {
            format!("old consumers require {name}; keep it (required) in the new schema and keep writing it")
        } else {
            format!("data written with the old schema lacks {name}; give the property a `default` or keep it optional")
        },
        "TYPE_CHANGED" | "TYPE_NARROWED" | "COMBINED_TYPE_CHANGED" => if forward {
            "old consumers accept only the old type; keep the new type within it (the same type, or a narrower one)".to_string()
        } else {
            "keep the old type, or widen with `anyOf` or a type array that still includes it".to_string()
        },
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED" => if forward {
            "every part of the new schema must still satisfy a part of the old one, which old consumers apply; undo the change the message names or make it narrower".to_string()
        } else {
            "every part of the old schema must still be accepted by a part of the new one; undo the change the message names or make it wider".to_string()
        },
        "ENUM_ARRAY_NARROWED" | "ENUM_ARRAY_CHANGED" | "SUM_TYPE_NARROWED" => if forward {
            "old consumers reject values and alternatives they do not know; add them only once every consumer uses a schema that accepts them, and keep the ones they know".to_string()
        } else {
            "keep every value or alternative the old schema allowed".to_string()
        },
        "SCHEMA_ADDED" => if forward {
            "the new schema dropped a subschema the old one applies, so new data may break the old constraint; keep it".to_string()
        } else {
            "a schema now constrains values that were unconstrained; remove it or make it `{}`".to_string()
        },
        _ if forward => format!(
            "old consumers accept less than the new schema allows; keep the new schema within the old constraint{}",
            if lenient_fixes { or_lenient.to_string() } else { ", or evolve under a new subject or major version".to_string() }
        ),
        _ => format!(
            "the new schema accepts less than the old one allowed, so data written with the old schema may be rejected; relax the constraint{}",
            if lenient_fixes { or_lenient.to_string() } else { ", or evolve under a new subject or major version".to_string() }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of 19,000 `$ref`s compared on a 2 MiB thread, as a pool thread calls it: the walk keeps at most
    /// `NATIVE_PAIRS` comparisons on the native stack (the recursive walk overflowed this stack) and finds the
    /// change at the end of the chain.
    #[test]
    fn ref_chain_of_19000_compares_on_a_2_mib_stack() {
        let text = |ty: &str| {
            let n = 19_000;
            let defs: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        r##""d{i}":{{"properties":{{"x":{{"$ref":"#/definitions/d{}"}}}}}}"##,
                        i + 1
                    )
                })
                .collect();
            format!(
                r##"{{"$ref":"#/definitions/d0","definitions":{{{},"d{n}":{{"type":"{ty}"}}}}}}"##,
                defs.join(",")
            )
        };
        let (old, new) = (text("string"), text("integer"));
        let rules = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let load =
                    |t: String| load_snapshot(vec![SourceFile::new("x.json", None, t)], Vec::new());
                let (o, u) = (load(old), load(new));
                let root = |l: &JsonLoaded| l.docs[0].root.expect("a root");
                let res = compat::compare_roots(
                    (&o.schemas, &o.trees),
                    root(&o),
                    (&u.schemas, &u.trees),
                    root(&u),
                    false,
                );
                findings_of(&res, &[&o, &u], 1, "x", false)
                    .iter()
                    .map(|f| f.rule.id)
                    .collect::<Vec<_>>()
            })
            .expect("thread starts")
            .join()
            .expect("no stack overflow");
        assert_eq!(rules, ["TYPE_CHANGED"]);
    }

    #[test]
    fn claims_by_name_and_content() {
        let e = &ENGINE;
        assert!(e.claims("a/order.schema.json", "{}", false));
        assert!(e.claims(
            "a/x.json",
            r#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#,
            false
        ));
        assert!(!e.claims("a/x.json", r#"{"a": {"$schema": 1}}"#, false));
        assert!(!e.claims("package.json", r#"{"name": "x"}"#, false));
        // An instance that names its schema is not a schema.
        assert!(!e.claims(
            "tsconfig.json",
            r#"{"$schema": "https://json.schemastore.org/tsconfig", "compilerOptions": {}}"#,
            false
        ));
        assert!(e.claims(
            "x.json",
            r#"{"$schema": "https://json.schemastore.org/tsconfig"}"#,
            true
        ));
        assert!(e.claims("x.json", r#"{"type": "object"}"#, true));
        assert!(e.claims(
            "e.yaml",
            "title: x\n$schema: https://json-schema.org/draft/2020-12/schema\n",
            false
        ));
        assert!(!e.claims("o.avsc", "{}", true));
        assert!(!e.claims(
            "o.json",
            r#"{"type": "record", "name": "O", "fields": []}"#,
            true
        ));
        assert!(e.may_claim("x.yml") && !e.may_claim("x.avsc"));
    }

    #[test]
    fn claims_a_tagged_schema_broken_by_an_edit() {
        let e = &ENGINE;
        // The byte scan cannot place `$schema` at the top level, but the file is a broken schema.
        let broken = "[ {\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": ";
        assert!(e.claims("order.json", broken, false));
        assert!(e.claims(
            "order.yaml",
            "- $schema: https://json-schema.org/draft/2020-12/schema\n  type: [\n",
            false
        ));
        // Broken files that are not JSON Schema stay unclaimed.
        assert!(!e.claims("order.json", "not json {", false));
        assert!(!e.claims(
            "tsconfig.json",
            "{\"$schema\": \"https://json.schemastore.org/tsconfig\", ",
            false
        ));
        // A file that parses is judged by its top-level `$schema` only.
        assert!(!e.claims(
            "data.json",
            r#"[{"$schema": "http://json-schema.org/draft-07/schema#"}]"#,
            false
        ));
    }

    #[test]
    fn help_fits_the_direction() {
        let path: Vec<String> = ["properties", "street"].map(String::from).to_vec();
        let rule = &rules::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL;
        let backward = help(rule, &path, false, false, false).unwrap_or_default();
        let forward = help(rule, &path, false, false, true).unwrap_or_default();
        assert!(backward.contains("data written with the old schema lacks `street`"));
        assert!(backward.contains("`default`"));
        assert!(forward.contains("old consumers require `street`"));
        assert!(!forward.contains("`default`"));
        let enum_forward = help(&rules::ENUM_ARRAY_NARROWED, &[], false, false, true);
        assert!(enum_forward.is_some_and(|h| h.starts_with("old consumers reject")));
        // Compatible differences have no help.
        assert_eq!(help(rule, &path, true, false, true), None);
    }

    #[test]
    fn drafts_known() {
        assert_eq!(
            Draft::from_uri("http://json-schema.org/draft-04/schema#"),
            Some(Draft::D4)
        );
        assert_eq!(
            Draft::from_uri("https://json-schema.org/draft/2020-12/schema"),
            Some(Draft::D2020)
        );
        assert_eq!(Draft::from_uri("http://example.com/my-schema"), None);
    }
}
