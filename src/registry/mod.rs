//! A schema registry as a snapshot source beside git: local schema files map to subjects (Confluent's name
//! strategies, or `[[registry.subjects]]`), each subject's registered versions are fetched once — references
//! included, recursively — and become snapshots whose files are named as the references name them, so Protobuf
//! imports, Avro named types and JSON Schema `$ref`s resolve exactly as they do for git. Then each local subject is
//! compared with its own registered versions under the subject's level (confluent.md §2). Also `pull`, `plan`
//! and `apply`. Nothing here prints; commands return text for `app` to write.

pub mod client;
pub mod config;
pub mod effective;
pub mod ids;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

pub use client::{
    Auth, Client, ClientSettings, Lookup, Reference, RegisteredSchema, RegistryError,
    SchemaRequest, SubjectConfig,
};
use config::{RegistryConfig, Strategy};

use crate::config::Config;
use crate::finding::{Finding, Format, Location, Mode, Severity};
use crate::formats::{CheckOptions, Subject};
use crate::rules;
use crate::snapshot::{self, CompareSpec, Comparison, LoadedSnapshot};
use crate::source::SourceFile;

/// Default environment variables (names only; their values are secrets).
pub const URL_ENV: &str = "SCHEMA_REGISTRY_URL";
pub const BASIC_AUTH_ENV: &str = "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO";
pub const BEARER_ENV: &str = "SCHEMA_REGISTRY_BEARER_TOKEN";

/// The client for the configured registry: URL from `[registry] url` or $SCHEMA_REGISTRY_URL; credentials from
/// the URL's user info, the basic-auth variable, or the bearer-token variable (named by the config).
pub fn client_from(
    cfg: Option<&RegistryConfig>,
    root: &Path,
    concurrency: Option<usize>,
) -> Result<Client, RegistryError> {
    let url = cfg
        .and_then(|c| c.url.clone())
        .or_else(|| std::env::var(URL_ENV).ok().filter(|s| !s.trim().is_empty()))
        .ok_or_else(|| {
            RegistryError::Setup(format!(
                "no registry URL: set {URL_ENV} or `url` in [registry] of schemaguard.toml"
            ))
        })?;
    let mut settings = ClientSettings::new(url.trim());
    let named_basic = cfg.and_then(|c| c.basic_auth_env.clone());
    let named_bearer = cfg.and_then(|c| c.bearer_token_env.clone());
    let basic_env = named_basic
        .clone()
        .unwrap_or_else(|| BASIC_AUTH_ENV.to_string());
    let bearer_env = named_bearer
        .clone()
        .unwrap_or_else(|| BEARER_ENV.to_string());
    let basic = std::env::var(&basic_env).ok().filter(|s| !s.is_empty());
    let bearer = std::env::var(&bearer_env).ok().filter(|s| !s.is_empty());
    // A variable the config names on purpose and that is not set would send no credentials, and the only word
    // would be the server's 401 (new user's trial): said before any request, unless other credentials are given
    // (the other variable, user info in the URL). The default names being absent simply means no auth.
    let url_userinfo = client::split_userinfo(url.trim()).1.is_some();
    if basic.is_none() && bearer.is_none() && !url_userinfo {
        for (key, name) in [
            ("basic_auth_env", &named_basic),
            ("bearer_token_env", &named_bearer),
        ] {
            if let Some(name) = name {
                let state = if std::env::var_os(name).is_some() {
                    "which is empty"
                } else {
                    "which is not set"
                };
                return Err(RegistryError::Setup(format!(
                    "[registry] {key} names {name}, {state}: export it, or remove {key} to use no credentials"
                )));
            }
        }
    }
    if let Some(info) = basic {
        // Without a `:` the registry would read the whole value as a user name with no secret, and answer 401.
        // The value is a secret: only the variable is named.
        if !info.contains(':') {
            return Err(RegistryError::Setup(format!(
                "the basic-auth user info in {basic_env} has no `:`: write it as `key:secret` (API key and secret)"
            )));
        }
        settings.auth = Auth::Basic(info);
    } else if let Some(token) = bearer {
        settings.auth = Auth::Bearer {
            token,
            logical_cluster: cfg.and_then(|c| c.logical_cluster.clone()),
            identity_pool: cfg.and_then(|c| c.identity_pool.clone()),
        };
    }
    if let Some(c) = cfg {
        settings.ca_file = c.ca_file.as_ref().map(|p| root.join(p));
        if let (Some(cert), Some(key)) = (&c.client_cert, &c.client_key) {
            settings.client_cert = Some((root.join(cert), root.join(key)));
        } else if c.client_cert.is_some() != c.client_key.is_some() {
            return Err(RegistryError::Setup(
                "[registry] client_cert and client_key go together".into(),
            ));
        }
        if let Some(n) = c.concurrency {
            settings.concurrency = n;
        }
        if let Some(t) = c.timeout_secs {
            settings.request_timeout = std::time::Duration::from_secs(t.max(1));
        }
    }
    if let Some(n) = concurrency {
        settings.concurrency = n.max(1);
    }
    Client::new(settings)
}

/// A local schema and the subject it is registered under.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub subject: String,
    pub local: Subject,
    pub format: Format,
}

/// Full name of the first top-level Protobuf message (`package` + name): RecordNameStrategy for Protobuf.
fn first_proto_message(text: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut package = None;
    let stripped = strip_proto_comments(text);
    let mut tokens = stripped
        .split(|c: char| c.is_whitespace() || c == ';' || c == '{' || c == '}')
        .peekable();
    // Walk braces by characters for depth; tokens for keywords.
    let _ = &mut tokens;
    let mut word = String::new();
    let mut prev = String::new();
    for c in stripped.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            if depth == 0 && prev == "package" && package.is_none() {
                package = Some(word.clone());
            }
            if depth == 0 && prev == "message" {
                return Some(match &package {
                    Some(p) => format!("{p}.{word}"),
                    None => word,
                });
            }
            prev = std::mem::take(&mut word);
        }
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn strip_proto_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = in_str {
            if c == q {
                in_str = None;
            }
            if c == '\\' {
                chars.next();
            }
            continue;
        }
        match c {
            '"' | '\'' => in_str = Some(c),
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The JSON Schema `title` (RecordNameStrategy for JSON Schema).
fn json_title(path: &str, text: &str) -> Option<String> {
    if path.ends_with(".yaml") || path.ends_with(".yml") {
        let docs = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
        return docs.first()?["title"].as_str().map(str::to_string);
    }
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("title")?.as_str().map(str::to_string)
}

/// The record name Confluent's RecordNameStrategy derives (confluent.md §7).
pub fn record_name(format: Format, s: &Subject) -> Option<String> {
    match format {
        Format::Avro => Some(s.name.clone()),
        Format::Protobuf => first_proto_message(&s.file.text),
        Format::JsonSchema => json_title(&s.file.path, &s.file.text),
    }
}

/// Maps every selected local subject to its registry subject (confluent.md §7). A `[[registry.subjects]]` entry
/// gives the subject, or a topic: `<topic>-value` / `-key`, or `<topic>-<record name>` when the entry's strategy,
/// else the `[registry]` strategy, is topic-record. Files no entry maps follow the `[registry]` strategy (record
/// by default); under record, a schema without a record name (a JSON Schema without `title`) is left out.
///
/// Errors (configuration, before any request): a file an entry maps that cannot be named; a `[registry]`
/// strategy that needs a topic while no entry maps any file; two files mapped to one subject (a subject holds one
/// schema, so `apply` would register each over the other).
pub fn map_subjects(new: &LoadedSnapshot, cfg: &Config) -> Result<Vec<Mapped>, RegistryError> {
    map_subjects_noting(new, cfg).map(|(mapped, _)| mapped)
}

/// `map_subjects`, and the files left out because the `[registry]` strategy needs a topic that no entry gives
/// them (`plan` lists them).
pub fn map_subjects_noting(
    new: &LoadedSnapshot,
    cfg: &Config,
) -> Result<(Vec<Mapped>, Vec<String>), RegistryError> {
    let rc = cfg.registry.as_ref();
    let global = rc.and_then(|r| r.strategy);
    let mut out = Vec::new();
    let mut topicless: Vec<&str> = Vec::new();
    for set in &new.sets {
        let format = set.engine.format();
        for s in &set.subjects {
            if !cfg.selects(&s.file.shown) {
                continue;
            }
            let entry = rc.and_then(|r| r.subjects.iter().find(|m| m.path.is_match(&s.file.shown)));
            let subject = match entry {
                Some(m) if m.subject.is_some() => m.subject.clone(),
                Some(m) => {
                    let strategy = m.strategy.unwrap_or(match (&m.topic, global) {
                        (Some(_), Some(Strategy::TopicRecord)) => Strategy::TopicRecord,
                        (Some(_), _) => Strategy::Topic,
                        (None, _) => Strategy::Record,
                    });
                    let named = derive(strategy, m.topic.as_deref(), m.key, format, s);
                    if named.is_none() {
                        return Err(RegistryError::Setup(format!(
                            "`{}` (matched by [[registry.subjects]] path `{}`) has no {}, so strategy {} cannot \
                             name its subject: set `subject` in that entry",
                            s.file.shown,
                            m.path.glob().glob(),
                            record_name_kind(format),
                            strategy.as_str(),
                        )));
                    }
                    named
                }
                None => match global.unwrap_or(Strategy::Record) {
                    Strategy::Record => derive(Strategy::Record, None, false, format, s),
                    _ => {
                        topicless.push(&s.file.shown);
                        None
                    }
                },
            };
            if let Some(subject) = subject {
                out.push(Mapped {
                    subject,
                    local: s.clone(),
                    format,
                });
            }
        }
    }
    // Files without a topic are not registry files when entries map others; when nothing is mapped at all, the
    // configuration cannot be what was meant (it would plan nothing and say nothing).
    if let (Some(first), Some(strategy), true) = (topicless.first(), global, out.is_empty()) {
        let more = match topicless.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        return Err(RegistryError::Setup(format!(
            "[registry] strategy = \"{}\" names a subject after a topic, but no [[registry.subjects]] entry with \
             `topic` or `subject` maps any file, so `{first}`{more} has no subject: add an entry, or use strategy \
             \"record\"",
            strategy.as_str()
        )));
    }
    let left_out: Vec<String> = topicless.iter().map(|s| s.to_string()).collect();
    out.sort_by(|a, b| {
        a.subject
            .cmp(&b.subject)
            .then(a.local.file.shown.cmp(&b.local.file.shown))
    });
    for pair in out.windows(2) {
        if let [a, b] = pair {
            if a.subject == b.subject && a.local.file.shown != b.local.file.shown {
                return Err(RegistryError::Setup(format!(
                    "`{}` and `{}` both map to subject `{}`: a subject holds one schema, so each would be \
                     registered over the other; give one of them its own subject in [[registry.subjects]] \
                     (`subject`, or strategy \"topic-record\")",
                    a.local.file.shown, b.local.file.shown, a.subject
                )));
            }
        }
    }
    Ok((out, left_out))
}

/// What the mapping leaves unsaid (new user's trial), for stderr before the registry is asked: a
/// `[[registry.subjects]]` entry whose `path` glob matches no file (a typo maps nothing, silently), and each selected
/// schema that gets no subject because it has no record name under the record strategy (a JSON Schema without
/// `title`, a `.proto` without a top-level message), so a run that checks 0 subjects says why.
pub fn mapping_warnings(new: &LoadedSnapshot, cfg: &Config) -> Vec<String> {
    let Some(rc) = cfg.registry.as_ref() else {
        return no_record_name_warnings(new, cfg, None);
    };
    let mut files: BTreeSet<String> = BTreeSet::new();
    for set in &new.sets {
        files.extend(set.subjects.iter().map(|s| s.file.shown.clone()));
        // Include files that schemas reference: entries may name their subjects.
        for refs in set.loaded.references().values() {
            files.extend(refs.iter().map(|(_, f)| f.shown.clone()));
        }
    }
    // A file that failed to parse is still a file the glob matches.
    for f in &new.findings {
        for l in [&f.new, &f.old].into_iter().flatten() {
            files.insert(l.file.shown.clone());
        }
    }
    let mut out: Vec<String> = rc
        .subjects
        .iter()
        .filter(|e| !files.iter().any(|f| e.path.is_match(f)))
        .map(|e| {
            format!(
                "[[registry.subjects]] path `{}` matches no schema file, so the entry maps nothing: check the glob \
                 (repository-relative, `*` stays within one directory, `**` crosses them)",
                e.path.glob().glob()
            )
        })
        .collect();
    out.extend(no_record_name_warnings(new, cfg, Some(rc)));
    out
}

fn no_record_name_warnings(
    new: &LoadedSnapshot,
    cfg: &Config,
    rc: Option<&RegistryConfig>,
) -> Vec<String> {
    if rc.and_then(|r| r.strategy).unwrap_or(Strategy::Record) != Strategy::Record {
        return Vec::new();
    }
    let mut out = Vec::new();
    for set in &new.sets {
        let format = set.engine.format();
        for s in &set.subjects {
            if !cfg.selects(&s.file.shown)
                || rc.is_some_and(|r| r.subjects.iter().any(|m| m.path.is_match(&s.file.shown)))
                || record_name(format, s).is_some()
            {
                continue;
            }
            let add = match format {
                Format::JsonSchema => "add a `title`",
                Format::Protobuf => "add a top-level message",
                Format::Avro => "name its type",
            };
            out.push(format!(
                "no subject for `{}`: the record strategy names a subject after its {}, and it has none (left \
                 out); {add}, or map it with a [[registry.subjects]] entry with `subject`",
                s.file.shown,
                record_name_kind(format)
            ));
        }
    }
    out
}

/// Adds to `mapped` the read-only include files (`[protobuf] include`, `[jsonschema] include`) that mapped schemas
/// reference, transitively: a registered schema resolves an import or `$ref` only through a reference to a
/// registered subject, so they are registered too — under the `subject` a `[[registry.subjects]]` entry matching
/// the file gives, else under the name the schema references them by (Confluent serializers'
/// `DefaultReferenceSubjectNameStrategy`: `ext/tag.proto`). Protobuf's well-known types are the registry's own and
/// are not files here. Referenced files that are subjects of the checked tree are left to the caller.
pub fn add_include_references(
    mapped: &mut Vec<Mapped>,
    new: &LoadedSnapshot,
    cfg: &Config,
    refs: &LocalRefs,
) -> Result<(), RegistryError> {
    let checked: std::collections::HashSet<&str> = new
        .sets
        .iter()
        .flat_map(|s| s.subjects.iter().map(|x| x.file.path.as_str()))
        .collect();
    let mut by_path: HashMap<String, usize> = mapped
        .iter()
        .enumerate()
        .map(|(i, m)| (m.local.file.path.clone(), i))
        .collect();
    let mut queue: Vec<usize> = (0..mapped.len()).rev().collect();
    while let Some(i) = queue.pop() {
        let (format, file) = (mapped[i].format, Arc::clone(&mapped[i].local.file));
        for (name, to) in refs.direct(format, &file) {
            if by_path.contains_key(&to.path) || checked.contains(to.path.as_str()) {
                continue;
            }
            let subject = cfg
                .registry
                .as_ref()
                .and_then(|r| {
                    r.subjects
                        .iter()
                        .find(|e| e.path.is_match(&to.shown))
                        .and_then(|e| e.subject.clone())
                })
                .unwrap_or_else(|| name.clone());
            if let Some(other) = mapped.iter().find(|m| m.subject == subject) {
                return Err(RegistryError::Setup(format!(
                    "`{}` (referenced as `{name}` by `{}`) and `{}` both map to subject `{subject}`: give the \
                     referenced file its own subject with a [[registry.subjects]] entry (`path`, `subject`)",
                    to.shown, file.shown, other.local.file.shown
                )));
            }
            mapped.push(Mapped {
                subject,
                local: Subject {
                    name: to.path.clone(),
                    file: Arc::clone(to),
                    span: 0..0,
                },
                format,
            });
            by_path.insert(to.path.clone(), mapped.len() - 1);
            queue.push(mapped.len() - 1);
        }
    }
    mapped.sort_by(|a, b| {
        a.subject
            .cmp(&b.subject)
            .then(a.local.file.shown.cmp(&b.local.file.shown))
    });
    Ok(())
}

/// What RecordNameStrategy names a subject after, per format (for messages).
fn record_name_kind(format: Format) -> &'static str {
    match format {
        Format::Avro => "named type",
        Format::Protobuf => "top-level message",
        Format::JsonSchema => "`title`",
    }
}

fn derive(
    strategy: Strategy,
    topic: Option<&str>,
    key: bool,
    format: Format,
    s: &Subject,
) -> Option<String> {
    match strategy {
        Strategy::Record => record_name(format, s),
        Strategy::Topic => topic.map(|t| format!("{t}-{}", if key { "key" } else { "value" })),
        Strategy::TopicRecord => Some(format!("{}-{}", topic?, record_name(format, s)?)),
    }
}

/// A registered schema shown to people: Avro and JSON Schema (one line of canonical JSON on the server) pretty
/// printed with two-space indents, keys in the registry's order, so snippets and `line:col` mean something.
pub fn pretty(format: Format, schema: &str) -> String {
    if format == Format::Protobuf {
        return schema.to_string();
    }
    match serde_json::from_str::<Value>(schema) {
        Ok(v) => serde_json::to_string_pretty(&v)
            .map(|s| s + "\n")
            .unwrap_or_else(|_| schema.to_string()),
        Err(_) => schema.to_string(),
    }
}

/// A form of a schema that ignores formatting (JSON whitespace and key order; Protobuf comments and whitespace),
/// to tell "already registered" where a server refuses lookups.
pub fn normalized(format: Format, schema: &str) -> String {
    match format {
        Format::Protobuf => strip_proto_comments(schema)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => match serde_json::from_str::<Value>(schema) {
            Ok(v) => sorted_json(&v).to_string(),
            Err(_) => schema.split_whitespace().collect::<Vec<_>>().join(" "),
        },
    }
}

fn sorted_json(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let sorted: BTreeMap<&String, Value> =
                o.iter().map(|(k, v)| (k, sorted_json(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted_json).collect()),
        other => other.clone(),
    }
}

/// Whether a registered schema may reference others (so that missing `references` must be asked for by id).
fn may_reference(format: Format, schema: &str) -> bool {
    match format {
        Format::Protobuf => strip_proto_comments(schema)
            .lines()
            .any(|l| l.trim_start().starts_with("import ")),
        Format::JsonSchema => schema.contains("\"$ref\"") && !all_refs_local(schema),
        Format::Avro => match serde_json::from_str::<Value>(schema) {
            Ok(v) => {
                let mut defined = BTreeSet::new();
                let mut used = BTreeSet::new();
                avro_names(&v, "", &mut defined, &mut used);
                used.iter().any(|u| {
                    !defined.contains(u)
                        && !defined
                            .iter()
                            .any(|d| d.rsplit('.').next() == Some(u.as_str()))
                })
            }
            Err(_) => false,
        },
    }
}

/// The full names of the named types an Avro schema text defines (records, enums, fixed, at any depth).
pub(crate) fn avro_defined_names(schema: &str) -> BTreeSet<String> {
    let mut defined = BTreeSet::new();
    let mut used = BTreeSet::new();
    if let Ok(v) = serde_json::from_str::<Value>(schema) {
        avro_names(&v, "", &mut defined, &mut used);
    }
    defined
}

fn all_refs_local(schema: &str) -> bool {
    fn walk(v: &Value) -> bool {
        match v {
            Value::Object(o) => o.iter().all(|(k, v)| {
                if k == "$ref" {
                    v.as_str().is_some_and(|s| s.starts_with('#'))
                } else {
                    walk(v)
                }
            }),
            Value::Array(a) => a.iter().all(walk),
            _ => true,
        }
    }
    serde_json::from_str::<Value>(schema)
        .map(|v| walk(&v))
        .unwrap_or(true)
}

const AVRO_PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum",
    "array", "map", "fixed",
];

fn avro_names(v: &Value, ns: &str, defined: &mut BTreeSet<String>, used: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if !AVRO_PRIMITIVES.contains(&s.as_str()) => {
            used.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| avro_names(x, ns, defined, used)),
        Value::Object(o) => {
            let ns = o
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or(ns)
                .to_string();
            if let Some(n) = o.get("name").and_then(Value::as_str) {
                if o.contains_key("type")
                    && matches!(
                        o.get("type").and_then(Value::as_str),
                        Some("record" | "enum" | "fixed" | "error")
                    )
                {
                    let full = if n.contains('.') || ns.is_empty() {
                        n.to_string()
                    } else {
                        format!("{ns}.{n}")
                    };
                    defined.insert(full);
                }
            }
            for key in ["type", "items", "values"] {
                if let Some(t) = o.get(key) {
                    avro_names(t, &ns, defined, used);
                }
            }
            if let Some(Value::Array(fields)) = o.get("fields") {
                for f in fields {
                    if let Some(t) = f.get("type") {
                        avro_names(t, &ns, defined, used);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Everything fetched for a set of subjects: registered versions by `(subject, version)`, each fetched once.
#[derive(Default)]
pub struct Fetched {
    pub schemas: HashMap<(String, i64), RegisteredSchema>,
    /// Failures by subject (the first one met).
    pub errors: BTreeMap<String, RegistryError>,
}

/// What the registry knows of one subject.
#[derive(Debug, Clone, Default)]
pub struct SubjectState {
    /// Non-deleted versions, ascending; empty when the subject is not registered.
    pub versions: Vec<i64>,
    pub config: SubjectConfig,
}

/// Reads the versions (and, unless `need_config` says no, the configuration) of each subject in parallel.
pub fn subject_states(
    client: &Client,
    subjects: &[String],
    need_config: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Result<SubjectState, RegistryError>> {
    client::parallel(subjects, client.concurrency(), |s| {
        let versions = client.versions(s)?;
        let config = if !versions.is_empty() && need_config(s) {
            client.config(s)?
        } else {
            SubjectConfig::default()
        };
        Ok(SubjectState { versions, config })
    })
}

/// Fetches `(subject, version)` pairs and, recursively, everything they reference; each pair once. A version
/// answer without `references` (rivven-schema) is completed from `/schemas/ids/{id}` when the text may refer to
/// other schemas.
pub fn fetch_closure(client: &Client, wanted: Vec<(String, i64)>) -> Fetched {
    let mut out = Fetched::default();
    let mut todo: Vec<(String, i64)> = wanted;
    let mut seen: BTreeSet<(String, i64)> = BTreeSet::new();
    while !todo.is_empty() {
        todo.retain(|k| seen.insert(k.clone()));
        if todo.is_empty() {
            break;
        }
        let results = client::parallel(&todo, client.concurrency(), |(s, v)| {
            let got = client.version(s, &v.to_string())?;
            let Some(mut got) = got else {
                return Ok(None);
            };
            if got.version == 0 {
                got.version = *v;
            }
            if got.references.is_none() && may_reference(got.format, &got.schema) && got.id > 0 {
                if let Some(by_id) = client.schema_by_id(got.id)? {
                    got.references = by_id.references;
                }
            }
            Ok::<_, RegistryError>(Some(got))
        });
        let mut next = Vec::new();
        for ((s, v), r) in todo.drain(..).zip(results) {
            match r {
                Ok(Some(schema)) => {
                    for reference in schema.references.iter().flatten() {
                        next.push((reference.subject.clone(), reference.version));
                    }
                    out.schemas.insert((s, v), schema);
                }
                Ok(None) => {
                    out.errors
                        .entry(s.clone())
                        .or_insert_with(|| RegistryError::Http {
                            host: client.host().to_string(),
                            endpoint: format!(
                                "GET /subjects/{}/versions/{v}",
                                client::encode_segment(&s)
                            ),
                            status: 404,
                            code: Some(40402),
                            message: format!("version {v} of `{s}` is listed but not found"),
                        });
                }
                Err(e) => {
                    out.errors.entry(s).or_insert(e);
                }
            }
        }
        todo = next;
    }
    out
}

/// The label of a registered version in findings: `registry:orders-value@3`.
pub fn label(subject: &str, version: i64) -> String {
    format!("registry:{subject}@{version}")
}

fn join_rel(dir: &str, name: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The file name a reference gets in a snapshot: Protobuf import paths as they are; Avro full names as
/// `<name>.avsc`; JSON Schema relative `$ref` targets relative to the root document, absolute URLs as a path
/// under `_refs/` (their text gains the URL as `$id`, so `$ref`s to the URL resolve).
pub fn reference_path(format: Format, root_path: &str, name: &str) -> String {
    match format {
        Format::Protobuf => name.to_string(),
        Format::Avro => format!("{name}.avsc"),
        Format::JsonSchema => {
            if name.contains("://") {
                let cleaned: String = name
                    .split("://")
                    .nth(1)
                    .unwrap_or(name)
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || matches!(c, '/' | '.' | '-' | '_') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let p = format!("_refs/{cleaned}");
                if p.ends_with(".json") {
                    p
                } else {
                    format!("{p}.json")
                }
            } else {
                let dir = root_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                join_rel(dir, name)
            }
        }
    }
}

/// The files of one registered version: the schema itself at `root_path` (shown as `shown`), and every schema it
/// references, transitively, at the path `place` gives its reference name, else at its reference name
/// (`reference_path`).
pub fn snapshot_files(
    fetched: &Fetched,
    subject: &str,
    version: i64,
    root_path: &str,
    shown: &str,
    place: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Arc<SourceFile>>, Vec<String>) {
    let lab = label(subject, version);
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let Some(root) = fetched.schemas.get(&(subject.to_string(), version)) else {
        missing.push(format!("{subject}@{version}"));
        return (files, missing);
    };
    files.push(SourceFile::with_shown(
        root_path,
        shown,
        Some(lab.clone()),
        pretty(root.format, &root.schema),
    ));
    let mut seen: BTreeSet<String> = BTreeSet::new();
    seen.insert(root_path.to_string());
    let mut stack: Vec<&Reference> = root.references.iter().flatten().collect();
    while let Some(r) = stack.pop() {
        let Some(s) = fetched.schemas.get(&(r.subject.clone(), r.version)) else {
            missing.push(format!("{}@{}", r.subject, r.version));
            continue;
        };
        let path = place(&r.name).unwrap_or_else(|| reference_path(s.format, root_path, &r.name));
        if !seen.insert(path.clone()) {
            continue;
        }
        let mut text = pretty(s.format, &s.schema);
        if s.format == Format::JsonSchema && r.name.contains("://") {
            if let Ok(Value::Object(mut o)) = serde_json::from_str::<Value>(&s.schema) {
                if !o.contains_key("$id") {
                    o.insert("$id".into(), Value::String(r.name.clone()));
                    text = serde_json::to_string_pretty(&Value::Object(o)).unwrap_or(text) + "\n";
                }
            }
        }
        files.push(SourceFile::with_shown(
            path.clone(),
            path,
            Some(lab.clone()),
            text,
        ));
        stack.extend(s.references.iter().flatten());
    }
    (files, missing)
}

/// A finding for a subject the registry could not answer for: located at the local file, exit 2.
pub fn error_finding(m: &Mapped, err: &dyn std::fmt::Display) -> Finding {
    Finding::new(
        &rules::REGISTRY_ERROR,
        m.subject.clone(),
        format!("registry subject `{}`: {err}", m.subject),
    )
    .help("fix the registry access (URL, credentials, network) and run again; every other subject was checked")
    .format(m.format)
    .at_new(Location::new(&m.local.file, m.local.span.clone()))
}

/// The local references of every file of a loaded snapshot, as each format resolved them (`Loaded::references`).
pub struct LocalRefs {
    by_format: HashMap<Format, crate::formats::FileRefs>,
}

impl LocalRefs {
    pub fn of(snap: &LoadedSnapshot) -> LocalRefs {
        LocalRefs {
            by_format: snap
                .sets
                .iter()
                .map(|s| (s.engine.format(), s.loaded.references()))
                .collect(),
        }
    }

    /// What `file` references directly: (name as written, file).
    pub fn direct(&self, format: Format, file: &SourceFile) -> &[(String, Arc<SourceFile>)] {
        self.by_format
            .get(&format)
            .and_then(|m| m.get(&file.path))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// `file` and every file it references, transitively (each once, `file` first).
    pub fn closure(&self, format: Format, file: &Arc<SourceFile>) -> Vec<Arc<SourceFile>> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        let mut stack = vec![Arc::clone(file)];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.path.clone()) {
                continue;
            }
            for (_, to) in self.direct(format, &f) {
                stack.push(Arc::clone(to));
            }
            out.push(f);
        }
        out
    }
}

/// Settings for `compare_with_registry`.
pub struct RegistryCheck<'a> {
    pub client: &'a Client,
    pub cfg: &'a Config,
    pub opts: &'a CheckOptions,
    /// The mode given locally (`--mode`, `mode =`, a `[[subjects]]` entry), which wins over the registry's level.
    pub local_mode: &'a dyn Fn(&Subject) -> Option<Mode>,
    /// Also ask the server's compatibility endpoint and report disagreements.
    pub server_check: bool,
    /// Repository root, for contract sidecars (compatibilityGroup).
    pub root: &'a Path,
}

/// What checking against the registry found.
#[derive(Default)]
pub struct RegistryOutcome {
    pub comparison: Comparison,
    /// Failures and notes (new subjects, server disagreements).
    pub findings: Vec<Finding>,
    /// Subjects checked, new, failed.
    pub checked: usize,
    pub new_subjects: Vec<String>,
    /// The registered versions each local subject was compared with, as files (for the contract tests' replay).
    pub registered: Vec<RegisteredVersions>,
    /// Local subject name (Avro full name, Protobuf file, …) → the registry subject it maps to (`orders-value`):
    /// findings name the registry's.
    pub names: HashMap<String, String>,
}

/// The registered versions one local subject was compared with: the files of each (the schema at its local path,
/// its references at their reference names), labelled `registry:<subject>@<version>`.
#[derive(Debug, Clone)]
pub struct RegisteredVersions {
    /// The local schema file (repository path, as shown) the subject maps to.
    pub local_shown: String,
    /// The level the subject was checked under (the local mode, else the registered level).
    pub mode: Mode,
    /// `(label, files)`, oldest first; the last is the latest registered version.
    pub versions: Vec<(String, Vec<Arc<SourceFile>>)>,
}

/// Compares every mapped local subject with its registered versions under its level.
pub fn compare_with_registry(
    new: &LoadedSnapshot,
    rc: &RegistryCheck<'_>,
) -> Result<RegistryOutcome, RegistryError> {
    let mut out = RegistryOutcome::default();
    let mapped = map_subjects(new, rc.cfg)?;
    let subjects: Vec<String> = mapped
        .iter()
        .map(|m| m.subject.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let local_modes: HashMap<&str, Option<Mode>> = mapped
        .iter()
        .map(|m| (m.subject.as_str(), (rc.local_mode)(&m.local)))
        .collect();
    // The config is read even when the local mode wins: it carries compatibilityGroup.
    let states = subject_states(rc.client, &subjects, &|_| true);
    let states: HashMap<String, Result<SubjectState, RegistryError>> =
        subjects.iter().cloned().zip(states).collect();

    // Which versions each subject needs: the latest, or all for transitive levels.
    let mut level_of: HashMap<String, Mode> = HashMap::new();
    let mut wanted: Vec<(String, i64)> = Vec::new();
    for m in &mapped {
        let Some(Ok(state)) = states.get(&m.subject) else {
            continue;
        };
        if state.versions.is_empty() {
            continue;
        }
        let mode = local_modes
            .get(m.subject.as_str())
            .copied()
            .flatten()
            .or_else(|| state.config.level.as_deref().and_then(Mode::parse))
            .unwrap_or(Mode::Backward);
        level_of.insert(m.subject.clone(), mode);
        let versions: Vec<i64> = if mode.is_transitive() {
            state.versions.clone()
        } else {
            state.versions.last().copied().into_iter().collect()
        };
        wanted.extend(versions.into_iter().map(|v| (m.subject.clone(), v)));
    }
    wanted.sort();
    wanted.dedup();
    let fetched = fetch_closure(rc.client, wanted);
    let local_refs = LocalRefs::of(new);

    // Each subject on its own (its own small local snapshot, its own registered versions): in parallel, one worker
    // per core for the comparisons, more when each also asks the server (`--server-check`).
    let subject_of: HashMap<&str, &str> = mapped
        .iter()
        .map(|m| (m.local.file.path.as_str(), m.subject.as_str()))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = if rc.server_check {
        rc.client.concurrency().max(cores)
    } else {
        cores
    };
    let ctx = SubjectCheck {
        states: &states,
        fetched: &fetched,
        level_of: &level_of,
        local_refs: &local_refs,
        subject_of: &subject_of,
        client: rc.client,
        opts: rc.opts,
        root: rc.root,
        server_check: rc.server_check,
    };
    let results = client::parallel(&mapped, workers, |m| check_subject(m, &ctx));
    // A change in a file that is a subject of its own is also seen by every subject whose registered versions
    // reference it (a Protobuf message used by another file's field): that copy differs only in its old location
    // (the referencing subject's registered version) and is left out where the file's own subject reports the same
    // finding under the same level — as one comparison of both files (git, --against-dir) reports it once.
    // The message stays out of the key: it may name the path from the referencing subject's root (a JSON Schema
    // `$ref`'d document reports `#/properties/addr/properties/street` there, `#/properties/street` on its own).
    type Key = (&'static str, Option<Mode>, String, (usize, usize));
    let key = |f: &Finding| -> Option<Key> {
        let l = f.new.as_ref()?;
        Some((
            f.rule.id,
            f.mode,
            l.file.shown.clone(),
            (l.span.start, l.span.end),
        ))
    };
    let mut own: std::collections::HashSet<Key> = std::collections::HashSet::new();
    for (m, one) in mapped.iter().zip(&results) {
        own.extend(
            one.comparison
                .findings
                .iter()
                .filter(|f| {
                    f.new
                        .as_ref()
                        .is_some_and(|l| l.file.shown == m.local.file.shown)
                })
                .filter_map(key),
        );
    }
    out.names = mapped
        .iter()
        .map(|m| (m.local.name.clone(), m.subject.clone()))
        .collect();
    for (m, one) in mapped.iter().zip(results) {
        out.findings.extend(one.findings);
        out.new_subjects.extend(one.new_subjects);
        out.checked += one.checked;
        out.comparison
            .findings
            .extend(one.comparison.findings.into_iter().filter(|f| {
                let elsewhere = f
                    .new
                    .as_ref()
                    .is_some_and(|l| l.file.shown != m.local.file.shown);
                !(elsewhere && key(f).is_some_and(|k| own.contains(&k)))
            }));
        out.comparison.checked.extend(one.comparison.checked);
        out.registered.extend(one.registered);
    }
    Ok(out)
}

/// What checking one subject needs, shared by the workers.
struct SubjectCheck<'a> {
    states: &'a HashMap<String, Result<SubjectState, RegistryError>>,
    fetched: &'a Fetched,
    level_of: &'a HashMap<String, Mode>,
    local_refs: &'a LocalRefs,
    /// The subject each mapped local file (by `path`) is registered under.
    subject_of: &'a HashMap<&'a str, &'a str>,
    client: &'a Client,
    opts: &'a CheckOptions,
    root: &'a Path,
    server_check: bool,
}

/// Compares one mapped local subject with its registered versions (and asks the server, with `--server-check`).
fn check_subject(m: &Mapped, rc: &SubjectCheck<'_>) -> RegistryOutcome {
    let mut out = RegistryOutcome::default();
    let (states, fetched, level_of, local_refs) =
        (rc.states, rc.fetched, rc.level_of, rc.local_refs);
    let state = match states.get(&m.subject) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            out.findings.push(error_finding(m, e));
            return out;
        }
        None => return out,
    };
    if state.versions.is_empty() {
        out.new_subjects.push(m.subject.clone());
        if rc.opts.show_compatible {
            out.findings.push(
                Finding::new(
                    &rules::REGISTRY_SUBJECT_NEW,
                    m.subject.clone(),
                    format!(
                        "subject `{}` is not registered yet: nothing to compare with",
                        m.subject
                    ),
                )
                .format(m.format)
                .at_new(Location::new(&m.local.file, m.local.span.clone())),
            );
        }
        return out;
    }
    if let Some(e) = fetched.errors.get(&m.subject) {
        out.findings.push(error_finding(m, e));
        return out;
    }
    let mode = level_of.get(&m.subject).copied().unwrap_or(Mode::Backward);
    let mut versions: Vec<i64> = if mode.is_transitive() {
        state.versions.clone()
    } else {
        state.versions.last().copied().into_iter().collect()
    };
    // compatibilityGroup: only versions whose metadata property equals the new version's are compared. The new
    // version's is its *effective* metadata (§8.4): the sidecar's, or the latest version's when there is no
    // sidecar, merged with the subject's default/override metadata — as the server computes it before checking.
    if let Some(group) = &state.config.compatibility_group {
        let sidecar = crate::sidecar::find(rc.root, &m.local.file.shown)
            .ok()
            .flatten();
        let latest = state
            .versions
            .last()
            .and_then(|v| fetched.schemas.get(&(m.subject.clone(), *v)));
        let (metadata, _) = effective::effective(
            &state.config,
            sidecar.as_ref().and_then(|c| c.metadata.as_ref()),
            None,
            latest,
        );
        let local = effective::property(metadata.as_ref(), group);
        versions.retain(|v| {
            let theirs = fetched
                .schemas
                .get(&(m.subject.clone(), *v))
                .and_then(|s| effective::property(s.metadata.as_ref(), group));
            theirs == local
        });
    }
    let mut previous: Vec<LoadedSnapshot> = Vec::new();
    let mut registered = RegisteredVersions {
        local_shown: m.local.file.shown.clone(),
        mode,
        versions: Vec::new(),
    };
    let mut broken = None;
    for v in &versions {
        let (files, missing) = snapshot_files(
            fetched,
            &m.subject,
            *v,
            &m.local.file.path,
            &m.local.file.shown,
            &|_| None,
        );
        if !missing.is_empty() {
            broken = Some(format!(
                "references not found in the registry: {}",
                missing.join(", ")
            ));
            break;
        }
        let mut opts = rc.opts.clone();
        opts.proto_roots = Vec::new();
        registered
            .versions
            .push((label(&m.subject, *v), files.clone()));
        previous.push(snapshot::load(
            Some(label(&m.subject, *v)),
            files,
            Vec::new(),
            true,
            &opts,
        ));
    }
    if let Some(why) = broken {
        out.findings.push(error_finding(m, &why));
        return out;
    }
    if previous.is_empty() {
        return out;
    }
    out.registered.push(registered);
    // Problems in registered schemas (the user cannot fix them here) are warnings, as for a git baseline.
    for p in &previous {
        out.findings.extend(snapshot::baseline_findings(p));
    }
    let target = (&m.local.name, &m.local.file.shown);
    let mode_for = |s: &Subject| {
        if (&s.name, &s.file.shown) == target {
            mode
        } else {
            Mode::None
        }
    };
    let spec = CompareSpec {
        mode_for: &mode_for,
        opts: rc.opts,
        pair_single: false,
        report_deleted: false,
    };
    // The local side of this subject alone: its file and what it references, so each comparison costs what
    // the subject costs, not what the whole repository does.
    let own = snapshot::load(
        None,
        local_refs.closure(m.format, &m.local.file),
        Vec::new(),
        false,
        rc.opts,
    );
    let cmp = snapshot::compare(&previous, &own, &spec);
    let ours_ok = !cmp.findings.iter().any(|f| f.severity == Severity::Error);
    out.checked += 1;
    if rc.server_check {
        // The server resolves references itself: each local reference goes as the subject that file maps to, at
        // its latest registered version (the one a producer would use now).
        let mut references = Vec::new();
        for (name, file) in local_refs.direct(m.format, &m.local.file) {
            let Some(subject) = rc.subject_of.get(file.path.as_str()) else {
                continue;
            };
            let latest = match states.get(*subject) {
                Some(Ok(st)) => st.versions.last().copied(),
                _ => None,
            };
            match latest {
                Some(version) => references.push(Reference {
                    name: name.clone(),
                    subject: (*subject).to_string(),
                    version,
                }),
                None => {
                    // Not a failure of the registry or of the schema: a warning that the server was not asked.
                    let mut f = error_finding(
                        m,
                        &format!(
                            "not asked with --server-check: the referenced subject `{subject}` (`{}`) is not registered yet, so the registry cannot resolve this schema",
                            file.shown
                        ),
                    )
                    .help("`registry apply` registers referenced subjects first; after that the registry can check this one");
                    f.severity = Severity::Warning;
                    out.findings.push(f);
                    out.comparison.findings.extend(cmp.findings);
                    out.comparison.checked.extend(cmp.checked);
                    return out;
                }
            }
        }
        let req = SchemaRequest {
            format: Some(m.format),
            schema: m.local.file.text.to_string(),
            references,
            metadata: None,
            rule_set: None,
        };
        let answer = rc
            .client
            .check_compatibility(&m.subject, None, &req)
            .or_else(|e| match e.status() {
                // Before CP 7.0 (and Karapace) there is no all-versions endpoint.
                Some(404 | 405) => rc
                    .client
                    .check_compatibility(&m.subject, Some("latest"), &req),
                _ => Err(e),
            });
        match answer {
            Ok((server_ok, messages)) if server_ok != ours_ok => {
                let mut text = format!(
                    "the registry says `{}` is {} under {}, schemaguard says {}",
                    m.subject,
                    if server_ok {
                        "compatible"
                    } else {
                        "incompatible"
                    },
                    mode.as_str(),
                    if ours_ok {
                        "compatible"
                    } else {
                        "incompatible"
                    },
                );
                if !messages.is_empty() {
                    text.push_str(&format!(
                        "; the registry's reasons: {}",
                        messages.join(" | ")
                    ));
                }
                out.findings.push(
                    Finding::new(&rules::REGISTRY_VERDICT_DIFFERS, m.subject.clone(), text)
                        .help("registering may behave differently from this check: compare the server's version and level with the reference semantics")
                        .format(m.format)
                        .mode(mode)
                        .at_new(Location::new(&m.local.file, m.local.span.clone())),
                );
            }
            Ok(_) => {}
            Err(e) => out.findings.push(error_finding(m, &e)),
        }
    }
    out.comparison.findings.extend(cmp.findings);
    out.comparison.checked.extend(cmp.checked);
    out
}

pub mod commands;
