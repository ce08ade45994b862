//! One version of the repository's schemas, indexed for contract tests: Avro schemas by full name (parsed with
//! apache-avro, references resolved across files), Protobuf messages by full name (every `.proto` compiled into
//! one descriptor pool), JSON Schemas by file stem and `$id` (compiled with the `jsonschema` crate), and the
//! neutral model of every file (for consumer contracts). Built lazily per subject; never prints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prost_reflect::{DescriptorPool, MessageDescriptor};

use crate::codec::avro::AvroSchema;
use crate::finding::Format;
use crate::lint::model::{self, Schema as ModelSchema};
use crate::source::SourceFile;

/// What an examples folder or contract file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct SubjectRef {
    pub format: Format,
    /// Avro full name, Protobuf message full name, JSON Schema file path.
    pub name: String,
}

pub(crate) struct Side {
    pub label: Option<String>,
    /// A version before the baseline (transitive modes replay against every one).
    pub earlier: bool,
    files: Vec<(Format, Arc<SourceFile>)>,
    /// Avro full name → file.
    avro: HashMap<String, Arc<SourceFile>>,
    /// Unqualified Avro name → full names.
    avro_short: HashMap<String, Vec<String>>,
    /// JSON Schema: stem or `$id` → file.
    json: HashMap<String, Arc<SourceFile>>,
    pool: Option<DescriptorPool>,
    /// Proto import roots: logical path = shown path without the root.
    avro_cache: Mutex<HashMap<String, Result<Arc<AvroSchema>, String>>>,
    json_cache: Mutex<HashMap<String, Result<Arc<jsonschema::Validator>, String>>>,
    model: std::sync::OnceLock<Vec<ModelSchema>>,
    json_refs: std::sync::OnceLock<Arc<HashMap<String, Arc<SourceFile>>>>,
    /// [`Side::fingerprint`] of the JSON Schema and of the Protobuf files.
    fingerprints: [std::sync::OnceLock<u64>; 2],
}

impl Side {
    pub fn new(label: Option<String>, files: &[Arc<SourceFile>], proto_roots: &[String]) -> Side {
        let mut classified = Vec::new();
        let mut avro = HashMap::new();
        let mut avro_short: HashMap<String, Vec<String>> = HashMap::new();
        let mut json = HashMap::new();
        let mut protos: Vec<(String, Arc<SourceFile>)> = Vec::new();
        for f in files {
            let Some(engine) = crate::snapshot::classify(f, false) else {
                continue;
            };
            let format = engine.format();
            classified.push((format, Arc::clone(f)));
            match format {
                Format::Avro => {
                    if let Some(full) = avro_full_name(&f.text) {
                        let short = full.rsplit('.').next().unwrap_or(&full).to_string();
                        avro_short.entry(short).or_default().push(full.clone());
                        avro.insert(full, Arc::clone(f));
                    }
                }
                Format::Protobuf => {
                    let logical = proto_roots
                        .iter()
                        .filter(|r| !r.is_empty())
                        .filter_map(|r| {
                            f.path
                                .strip_prefix(&format!("{}/", r.trim_end_matches('/')))
                        })
                        .next()
                        .unwrap_or(&f.path)
                        .to_string();
                    protos.push((logical, Arc::clone(f)));
                }
                Format::JsonSchema => {
                    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
                    let stem = name.split('.').next().unwrap_or(name).to_string();
                    json.entry(stem).or_insert_with(|| Arc::clone(f));
                    if let Ok(serde_json::Value::Object(o)) =
                        serde_json::from_str::<serde_json::Value>(&f.text)
                    {
                        if let Some(id) = o.get("$id").and_then(|v| v.as_str()) {
                            json.insert(id.to_string(), Arc::clone(f));
                        }
                    }
                    json.insert(f.path.clone(), Arc::clone(f));
                }
            }
        }
        let pool = if protos.is_empty() {
            None
        } else {
            Some(compile_protos(&protos))
        };
        Side {
            label,
            earlier: false,
            files: classified,
            avro,
            avro_short,
            json,
            pool,
            avro_cache: Mutex::new(HashMap::new()),
            json_cache: Mutex::new(HashMap::new()),
            model: std::sync::OnceLock::new(),
            json_refs: std::sync::OnceLock::new(),
            fingerprints: [std::sync::OnceLock::new(), std::sync::OnceLock::new()],
        }
    }

    /// The subject a folder or contract file name means: an Avro full name (or an unambiguous unqualified name),
    /// a Protobuf message full name, a JSON Schema file stem, path or `$id`.
    pub fn find(&self, name: &str) -> Option<SubjectRef> {
        if self.avro.contains_key(name) {
            return Some(SubjectRef {
                format: Format::Avro,
                name: name.to_string(),
            });
        }
        if let Some(pool) = &self.pool {
            if pool.get_message_by_name(name).is_some() {
                return Some(SubjectRef {
                    format: Format::Protobuf,
                    name: name.to_string(),
                });
            }
        }
        if let Some(f) = self.json.get(name) {
            return Some(SubjectRef {
                format: Format::JsonSchema,
                name: f.path.clone(),
            });
        }
        if let Some([one]) = self.avro_short.get(name).map(Vec::as_slice) {
            return Some(SubjectRef {
                format: Format::Avro,
                name: one.clone(),
            });
        }
        None
    }

    /// Every subject name this side answers to (Avro full names, Protobuf messages, JSON Schema names), for
    /// did-you-mean suggestions.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.avro.keys().cloned().collect();
        if let Some(pool) = &self.pool {
            out.extend(pool.all_messages().map(|m| m.full_name().to_string()));
        }
        out.extend(self.json.keys().cloned());
        out.sort();
        out
    }

    /// Whether this side has the subject.
    pub fn has(&self, s: &SubjectRef) -> bool {
        match s.format {
            Format::Avro => self.avro.contains_key(&s.name),
            Format::Protobuf => self.message(&s.name).is_some(),
            Format::JsonSchema => self.json.contains_key(&s.name),
        }
    }

    /// The file that defines the subject.
    pub fn file_of(&self, s: &SubjectRef) -> Option<Arc<SourceFile>> {
        match s.format {
            Format::Avro => self.avro.get(&s.name).cloned(),
            Format::JsonSchema => self.json.get(&s.name).cloned(),
            Format::Protobuf => {
                let m = self.message(&s.name)?;
                let path = m.parent_file().name().to_string();
                self.files
                    .iter()
                    .find(|(f, file)| {
                        *f == Format::Protobuf
                            && (file.path == path || file.path.ends_with(&format!("/{path}")))
                    })
                    .map(|(_, f)| Arc::clone(f))
            }
        }
    }

    /// The schema files of one format.
    pub fn files_of(&self, format: Format) -> impl Iterator<Item = &Arc<SourceFile>> {
        self.files
            .iter()
            .filter(move |(f, _)| *f == format)
            .map(|(_, file)| file)
    }

    pub fn message(&self, name: &str) -> Option<MessageDescriptor> {
        self.pool.as_ref()?.get_message_by_name(name)
    }

    /// The Avro schema of `full_name`, references resolved against the other `.avsc` files.
    pub fn avro(&self, full_name: &str) -> Result<Arc<AvroSchema>, String> {
        if let Some(r) = self
            .avro_cache
            .lock()
            .ok()
            .and_then(|c| c.get(full_name).cloned())
        {
            return r;
        }
        let r = match self.avro.get(full_name) {
            None => Err(format!("no Avro schema `{full_name}`")),
            Some(f) => AvroSchema::parse(&f.text)
                .or_else(|first| {
                    let others: Vec<&str> = self
                        .avro
                        .iter()
                        .filter(|(n, _)| n.as_str() != full_name)
                        .map(|(_, o)| &*o.text)
                        .collect();
                    AvroSchema::parse_with(&f.text, &others).map_err(|_| first)
                })
                .map(Arc::new)
                .map_err(|e| e.message),
        };
        if let Ok(mut c) = self.avro_cache.lock() {
            c.insert(full_name.to_string(), r.clone());
        }
        r
    }

    /// The compiled JSON Schema at `path`.
    pub fn json_schema(&self, path: &str) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(r) = self
            .json_cache
            .lock()
            .ok()
            .and_then(|c| c.get(path).cloned())
        {
            return r;
        }
        let r = match self.json.get(path) {
            None => Err(format!("no JSON Schema `{path}`")),
            Some(f) => compile_json_schema(f, self.json_refs()),
        };
        if let Ok(mut c) = self.json_cache.lock() {
            c.insert(path.to_string(), r.clone());
        }
        r
    }

    /// Every JSON Schema file of this version by path and by `$id`, for resolving `$ref`s across files.
    fn json_refs(&self) -> Arc<HashMap<String, Arc<SourceFile>>> {
        Arc::clone(self.json_refs.get_or_init(|| Arc::new(self.json.clone())))
    }

    /// Whether `other` holds the same version of the subject as this side: replaying an example between two
    /// equal versions cannot find anything, so it is skipped (an unchanged subject costs one validation per
    /// example, not three). Avro: the same self-contained schema (defaults, logical types and docs included);
    /// JSON Schema and Protobuf: the same file text and the same set of files of that format (`$ref`s and imports
    /// may reach any of them).
    pub fn same_subject(&self, other: &Side, s: &SubjectRef) -> bool {
        if !self.has(s) || !other.has(s) {
            return false;
        }
        let same_text = match (self.file_of(s), other.file_of(s)) {
            (Some(a), Some(b)) => a.text == b.text,
            _ => false,
        };
        match s.format {
            Format::Avro => match (self.avro(&s.name), other.avro(&s.name)) {
                (Ok(a), Ok(b)) => match (a.self_contained(), b.self_contained()) {
                    (Ok(x), Ok(y)) => {
                        let (x, y) = (serde_json::to_string(&x), serde_json::to_string(&y));
                        matches!((x, y), (Ok(x), Ok(y)) if x == y)
                    }
                    _ => false,
                },
                (Err(_), Err(_)) => same_text,
                _ => false,
            },
            f => same_text && self.fingerprint(f) == other.fingerprint(f),
        }
    }

    /// A hash of every file of one format (path and text), computed once.
    fn fingerprint(&self, format: Format) -> u64 {
        use std::hash::{Hash, Hasher};
        let cell = match format {
            Format::JsonSchema => &self.fingerprints[0],
            _ => &self.fingerprints[1],
        };
        *cell.get_or_init(|| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            let mut files: Vec<&Arc<SourceFile>> = self
                .files
                .iter()
                .filter(|(f, _)| *f == format)
                .map(|(_, f)| f)
                .collect();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            for f in files {
                f.path.hash(&mut h);
                f.text.hash(&mut h);
            }
            h.finish()
        })
    }

    /// The neutral model of every schema file (lowered once).
    pub fn model(&self) -> &[ModelSchema] {
        self.model.get_or_init(|| model::lower_all(&self.files))
    }
}

/// The base URI a JSON Schema file gets from its repository path: a relative `$ref` (`address.schema.json`,
/// `../common/money.json#/$defs/Amount`) then names another file of the same version.
const REPO_BASE: &str = "file:///schemaguard-repository/";

/// Serves `$ref`s from the JSON Schema files of one version (the working tree or a baseline revision), by
/// repository path below [`REPO_BASE`] or by `$id`; nothing is read from disk or the network.
struct VersionRetriever {
    files: Arc<HashMap<String, Arc<SourceFile>>>,
}

impl jsonschema::Retrieve for VersionRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let full = uri.as_str();
        let full = full.split('#').next().unwrap_or(full);
        let file = self.files.get(full).or_else(|| {
            full.strip_prefix(REPO_BASE)
                .and_then(|p| self.files.get(&percent_decode(p)))
        });
        match file {
            Some(f) => json_value(f).map_err(Into::into),
            None => Err(format!("`{full}` is not a JSON Schema file of this version").into()),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A repository path as a URI path: bytes outside the unreserved set and `/` percent-encoded.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_value(f: &SourceFile) -> Result<serde_json::Value, String> {
    match serde_json::from_str(&f.text) {
        Ok(v) => Ok(v),
        Err(_) => {
            yaml_to_json(&f.text).ok_or_else(|| format!("`{}` is neither JSON nor YAML", f.path))
        }
    }
}

/// Compiles a JSON Schema (JSON or YAML text); `$ref`s to other files resolve to the files of the same version
/// (`refs`: by repository path, relative to the file's own path, or by `$id`).
pub(crate) fn compile_json_schema(
    f: &SourceFile,
    refs: Arc<HashMap<String, Arc<SourceFile>>>,
) -> Result<Arc<jsonschema::Validator>, String> {
    let value = json_value(f)?;
    jsonschema::options()
        .with_base_uri(format!("{REPO_BASE}{}", percent_encode(&f.path)))
        .with_retriever(VersionRetriever { files: refs })
        .build(&value)
        .map(Arc::new)
        .map_err(|e| format!("`{}` does not compile as a JSON Schema: {e}", f.path))
}

/// YAML text as JSON (for YAML-written JSON Schemas and consumer contracts).
pub(crate) fn yaml_to_json(text: &str) -> Option<serde_json::Value> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
    docs.first().map(yaml_value)
}

fn yaml_value(y: &yaml_rust2::Yaml) -> serde_json::Value {
    use serde_json::Value as J;
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(J::Null, J::Number),
        Yaml::Integer(i) => J::from(*i),
        Yaml::String(s) => J::String(s.clone()),
        Yaml::Boolean(b) => J::Bool(*b),
        Yaml::Array(a) => J::Array(a.iter().map(yaml_value).collect()),
        Yaml::Hash(h) => J::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        Yaml::Real(r) => r.clone(),
                        _ => String::new(),
                    };
                    (key, yaml_value(v))
                })
                .collect(),
        ),
        _ => J::Null,
    }
}

fn avro_full_name(text: &str) -> Option<String> {
    let serde_json::Value::Object(o) = serde_json::from_str::<serde_json::Value>(text).ok()? else {
        return None;
    };
    let name = o.get("name")?.as_str()?;
    if name.contains('.') {
        return Some(name.to_string());
    }
    match o.get("namespace").and_then(|n| n.as_str()) {
        Some(ns) if !ns.is_empty() => Some(format!("{ns}.{name}")),
        _ => Some(name.to_string()),
    }
}

/// Compiles every `.proto` file that compiles; one that does not is left out (the format's loader reports it).
fn compile_protos(files: &[(String, Arc<SourceFile>)]) -> DescriptorPool {
    struct Mem {
        files: HashMap<String, Arc<SourceFile>>,
        google: protox::file::GoogleFileResolver,
    }
    impl protox::file::FileResolver for Mem {
        fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
            match self.files.get(name) {
                Some(f) => crate::formats::protobuf::file_from_source(name, &f.text),
                None => self.google.open_file(name),
            }
        }
    }
    let mem = Mem {
        files: files
            .iter()
            .map(|(p, f)| (p.clone(), Arc::clone(f)))
            .collect(),
        google: protox::file::GoogleFileResolver::new(),
    };
    let mut compiler = protox::Compiler::with_file_resolver(mem);
    compiler.include_imports(true);
    for (p, _) in files {
        let _ = compiler.open_file(p);
    }
    compiler.descriptor_pool()
}
