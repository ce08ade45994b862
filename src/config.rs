//! `schemaguard.toml`: the optional repository configuration. Zero config works: every key has a default.
//! This module parses and validates (unknown keys and bad values are errors that point at their line), and
//! answers questions the pipeline asks (which files are schemas, which mode a subject has, a rule's severity).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::finding::{Mode, Severity};

/// A configuration problem, with the place in the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

// The raw file model. It also generates the JSON Schema editors use (`schemaguard.schema.json`, see
// `json_schema()`): every key derives `JsonSchema`, its doc comment becomes the key's description, and a `Spanned`
// value names its plain type with `#[schemars(with = …)]`. A new table or key added here must do the same;
// `tests/config_schema.rs` fails until the generated file is refreshed (SCHEMAGUARD_BLESS=1).

/// schemaguard configuration (`schemaguard.toml` at the repository root). Every key is optional: zero config
/// checks every Avro, Protobuf and JSON Schema file in mode BACKWARD against the merge-base with the default branch.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "schemaguard.toml")]
struct RawConfig {
    /// Globs (repository-relative) of the schemas that are checked and reported. Default: every .avsc, .proto and
    /// JSON Schema file. Files outside stay loaded so references to them resolve.
    #[schemars(with = "Option<Vec<String>>")]
    schemas: Option<Vec<Spanned<String>>>,
    /// Globs of files that are neither checked nor reported (still loaded for references).
    #[schemars(with = "Option<Vec<String>>")]
    exclude: Option<Vec<Spanned<String>>>,
    /// Compatibility mode (Confluent's names, case-insensitive). Default: BACKWARD.
    #[schemars(with = "Option<schema::ModeName>")]
    mode: Option<Spanned<String>>,
    /// Baseline git revision (branch, tag, commit). Default: the merge-base of HEAD with the default branch.
    against: Option<String>,
    /// JSON Schema compatibility policy (Confluent's compatibilityPolicy): strict or lenient.
    #[schemars(with = "Option<schema::PolicyName>")]
    policy: Option<Spanned<String>>,
    /// Lowest severity that makes the exit code 1: error, warning, info or never. Default: error.
    #[schemars(with = "Option<schema::FailOnName>")]
    fail_on: Option<Spanned<String>>,
    /// Per-subject overrides: mode (the first matching entry that sets one wins) and `except` (every matching
    /// entry counts), by `name` and/or `path`.
    #[serde(default)]
    subjects: Vec<RawSubject>,
    /// Severity per rule id (see `schemaguard rules`): error, warning, info or off. Rules that report a file that
    /// could not be checked (PARSE_ERROR, …) cannot be off.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, schema::SeverityLevel>")]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Rule ids (of any format) or buf categories whose findings are left out everywhere, like `--except`.
    #[schemars(with = "Option<Vec<String>>")]
    except: Option<Vec<Spanned<String>>>,
    /// Protobuf settings.
    protobuf: Option<RawProtobuf>,
    /// JSON Schema settings.
    jsonschema: Option<RawJsonSchema>,
    /// Lint rules (`schemaguard lint`; `check` lints only when this table is present).
    lint: Option<crate::lint::config::RawLint>,
    /// Schema registry (`check --against-registry`, `schemaguard registry pull|plan|apply`).
    registry: Option<crate::registry::config::RawRegistry>,
    /// Contract tests (`schemaguard test`).
    contracts: Option<RawContracts>,
}

/// `[contracts]`: where contract tests find their inputs besides `examples/<subject>/` and `contracts/`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawContracts {
    /// Example files outside `examples/<subject>/`: each entry maps a glob of files to the subject (Avro full
    /// name, Protobuf message full name, JSON Schema file name) whose events they hold.
    #[serde(default)]
    examples: Vec<RawExampleGlob>,
}

/// `[[contracts.examples]]`: a glob of example files and their subject.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawExampleGlob {
    /// Glob of example files, repository-relative (e.g. `samples/orders/*.jsonl`).
    #[schemars(with = "String")]
    path: Spanned<String>,
    /// The subject the files are events of: an Avro full name (`com.acme.Order`), a Protobuf message full name,
    /// or a JSON Schema file name without extension, path or `$id`.
    #[schemars(with = "String")]
    subject: Spanned<String>,
}

/// A per-subject override: a mode and/or rules left out.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["mode"]}, {"required": ["except"]}]))]
struct RawSubject {
    /// Subject glob (Avro: the full name of the top-level type, e.g. `com.acme.*`).
    #[schemars(with = "Option<String>")]
    name: Option<Spanned<String>>,
    /// File glob (repository-relative, e.g. `legacy/**`).
    #[schemars(with = "Option<String>")]
    path: Option<Spanned<String>>,
    /// Compatibility mode for the matching subjects.
    #[schemars(with = "Option<schema::ModeName>")]
    mode: Option<Spanned<String>>,
    /// Rule ids left out for the matching subjects (every matching entry counts).
    #[schemars(with = "Option<Vec<String>>")]
    except: Option<Vec<Spanned<String>>>,
}

/// `[protobuf]`: buf's breaking rules instead of Confluent's semantics, and import roots.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawProtobuf {
    /// Use buf's breaking rules of these categories (FILE, PACKAGE, WIRE_JSON, WIRE) or rule ids instead of
    /// Confluent's semantics.
    #[schemars(with = "Option<Vec<String>>")]
    breaking: Option<Vec<Spanned<String>>>,
    /// Rule ids (buf's or Confluent's) or buf categories left out.
    #[schemars(with = "Option<Vec<String>>")]
    except: Option<Vec<Spanned<String>>>,
    /// Import roots, relative to the repository root (e.g. `["proto", "third_party/googleapis"]`).
    #[schemars(with = "Option<Vec<String>>")]
    roots: Option<Vec<Spanned<String>>>,
    /// Read-only include directories, like protoc's `-I` (e.g. `["third_party/protos", "/opt/protos"]`): imports
    /// are resolved in them, their files are never checked, linted or reported as subjects. Relative paths are
    /// relative to the directory of this configuration file; a directory may lie outside the repository.
    #[schemars(with = "Option<Vec<String>>")]
    include: Option<Vec<Spanned<String>>>,
}

/// `[jsonschema]`: read-only reference directories.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawJsonSchema {
    /// Read-only include directories (e.g. `["../schemas-event-primary/jsonschema"]`): their documents resolve
    /// `$ref`s (by `$id` and by path below the directory), are never checked or reported as subjects. Relative
    /// paths are relative to the directory of this configuration file; a directory may lie outside the repository.
    #[schemars(with = "Option<Vec<String>>")]
    include: Option<Vec<Spanned<String>>>,
}

/// Value schemas for keys whose strings are parsed case-insensitively: editors complete the canonical spelling
/// and accept the lowercase one.
mod schema {
    use schemars::{json_schema, Schema, SchemaGenerator};

    fn one_of_words(words: &[&str], description: &str) -> Schema {
        let mut all: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        for w in words {
            let other = if w.chars().any(|c| c.is_ascii_uppercase()) {
                w.to_ascii_lowercase()
            } else {
                w.to_ascii_uppercase()
            };
            all.push(other);
        }
        json_schema!({ "type": "string", "enum": all, "description": description })
    }

    /// Implements `JsonSchema` for a schema-only type that names a set of words.
    macro_rules! words {
        ($ty:ident, $name:literal, $words:expr, $description:literal) => {
            pub(super) struct $ty;
            impl schemars::JsonSchema for $ty {
                fn schema_name() -> std::borrow::Cow<'static, str> {
                    $name.into()
                }
                fn json_schema(_: &mut SchemaGenerator) -> Schema {
                    one_of_words(&$words, $description)
                }
            }
        };
    }

    words!(
        ModeName,
        "Mode",
        crate::finding::Mode::ALL
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>(),
        "A compatibility mode (Confluent's names, case-insensitive)."
    );
    words!(
        PolicyName,
        "Policy",
        ["strict", "lenient"],
        "strict or lenient (case-insensitive)."
    );
    words!(
        FailOnName,
        "FailOn",
        ["error", "warning", "info", "never"],
        "A severity, or never (case-insensitive)."
    );

    /// A rule's severity; `off` (also `allow`, `ignore`) drops its findings.
    #[derive(schemars::JsonSchema)]
    #[schemars(rename_all = "lowercase")]
    #[allow(dead_code)] // Only its schema is used: the config reads the value as a spanned string.
    pub(super) enum SeverityLevel {
        Error,
        Warning,
        Info,
        Off,
        Allow,
        Ignore,
    }
}

/// TOML has no null: an absent key is the only "none", so the `null` that schemars adds for `Option` goes.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    let is_null_type = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    if let Value::Object(obj) = v {
        if let Some(Value::Array(types)) = obj.get_mut("type") {
            types.retain(|t| t.as_str() != Some("null"));
            if types.len() == 1 {
                let only = types.remove(0);
                obj.insert("type".into(), only);
            }
        }
        if obj.get("default").is_some_and(Value::is_null) {
            obj.remove("default");
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = obj.get_mut(key) {
                branches.retain(|b| !is_null_type(b));
                if branches.len() == 1 {
                    if let Some(Value::Object(only)) = branches.pop() {
                        obj.remove(key);
                        for (k, val) in only {
                            obj.entry(k).or_insert(val);
                        }
                    }
                }
            }
        }
        for child in obj.values_mut() {
            drop_null(child);
        }
    } else if let Value::Array(items) = v {
        for child in items {
            drop_null(child);
        }
    }
}

/// The JSON Schema of `schemaguard.toml` (draft-07, which taplo / Even Better TOML read), generated from the
/// types above; committed as `schemaguard.schema.json` and checked by `tests/config_schema.rs`.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<RawConfig>();
    let mut value = schema.to_value();
    drop_null(&mut value);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$comment".into(),
            "generated from src/config.rs by `SCHEMAGUARD_BLESS=1 cargo test --test config_schema`; do not edit"
                .into(),
        );
    }
    value
}

/// A per-subject override: by subject name (glob) or by file path (glob), a mode and/or rules left out.
#[derive(Debug)]
pub struct SubjectOverride {
    pub name: Option<globset::GlobMatcher>,
    pub path: Option<globset::GlobMatcher>,
    pub mode: Option<Mode>,
    /// Rule ids (or buf categories) whose findings are dropped for the matching subjects.
    pub except: Vec<String>,
}

/// The validated configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it came from (`None`: defaults only).
    pub source: Option<String>,
    pub schemas: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    pub mode: Option<Mode>,
    pub against: Option<String>,
    pub lenient: Option<bool>,
    pub fail_on: Option<Option<Severity>>,
    pub subjects: Vec<SubjectOverride>,
    pub severity: BTreeMap<&'static str, Severity>,
    /// Rules turned `off`: their findings are dropped.
    pub disabled: Vec<&'static str>,
    pub breaking: Vec<String>,
    pub except: Vec<String>,
    /// `[protobuf] roots`: import roots, relative to the repository root.
    pub proto_roots: Vec<String>,
    /// `[protobuf] include`: read-only include directories, as written (made absolute by `Config::load`).
    pub proto_include: Vec<PathBuf>,
    /// `[jsonschema] include`: read-only include directories, as written (made absolute by `Config::load`).
    pub json_include: Vec<PathBuf>,
    /// The `[lint]` table; `check` lints only when it is present (an upgrade must not turn a green CI red).
    pub lint: Option<crate::lint::LintConfig>,
    /// buf `breaking.ignore`: paths (files or directories) no breaking rule reports on.
    pub breaking_ignore: Vec<String>,
    /// buf `breaking.ignore_only`: rule id or category → paths.
    pub breaking_ignore_only: Vec<(String, Vec<String>)>,
    /// buf `breaking.ignore_unstable_packages`.
    pub ignore_unstable_packages: bool,
    /// buf's configuration, when the repository has one (`buf.yaml`, `buf.work.yaml`).
    pub buf: Option<crate::bufyaml::BufConfig>,
    /// Where each setting that is not a default came from (`schemaguard.toml`, `buf.yaml`, …), by key.
    pub origins: BTreeMap<&'static str, String>,
    /// `[registry]`.
    pub registry: Option<crate::registry::config::RegistryConfig>,
    /// `[[contracts.examples]]`: example file globs mapped to subjects.
    pub example_globs: Vec<ExampleGlob>,
}

/// Example files matched by a glob, and the subject they are events of.
#[derive(Debug, Clone)]
pub struct ExampleGlob {
    /// The glob as written (repository-relative).
    pub glob: String,
    pub matcher: globset::GlobMatcher,
    pub subject: String,
    /// The configuration file and the span of `subject` in it (findings about the entry point there).
    pub at: Option<(
        std::sync::Arc<crate::source::SourceFile>,
        std::ops::Range<usize>,
    )>,
}

impl ExampleGlob {
    /// The directory below which the glob can match: its leading components without glob syntax.
    pub fn base(&self) -> String {
        let mut parts = Vec::new();
        let comps: Vec<&str> = self.glob.split('/').collect();
        for (i, c) in comps.iter().enumerate() {
            if i + 1 == comps.len() || c.contains(['*', '?', '[', '{', '\\']) {
                break;
            }
            parts.push(*c);
        }
        parts.join("/")
    }
}

impl Config {
    /// Reads `path`; a missing default file is not an error (the caller decides).
    pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: display.to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read the configuration: {e}"),
        })?;
        let mut cfg = Config::parse(&text, display)?;
        // Include directories are relative to the configuration file, wherever it is run from.
        let dir = path.parent().unwrap_or(Path::new("."));
        for p in cfg
            .proto_include
            .iter_mut()
            .chain(cfg.json_include.iter_mut())
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        Ok(cfg)
    }

    pub fn parse(text: &str, display: &str) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let file = crate::source::SourceFile::new(display, None, text);
            let lc = file.line_col(span.start);
            ConfigError {
                path: display.to_string(),
                line: lc.line,
                column: lc.column,
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            at(span, e.message().trim().to_string())
        })?;
        let mode_of = |s: &Spanned<String>| {
            Mode::parse(s.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
                at(
                    s.span(),
                    format!(
                        "unknown mode `{}`; expected one of {}",
                        s.get_ref(),
                        names.join(", ")
                    ),
                )
            })
        };
        let glob_set = |globs: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(glob(g).map_err(|m| at(g.span(), m))?);
            }
            b.build().map_err(|e| at(0..0, e.to_string()))
        };
        let mut cfg = Config {
            source: Some(display.to_string()),
            against: raw.against,
            ..Config::default()
        };
        if let Some(g) = &raw.schemas {
            cfg.schemas = Some(glob_set(g)?);
        }
        if let Some(g) = &raw.exclude {
            cfg.exclude = Some(glob_set(g)?);
        }
        if let Some(m) = &raw.mode {
            cfg.mode = Some(mode_of(m)?);
        }
        if let Some(p) = &raw.policy {
            cfg.lenient = Some(match p.get_ref().to_ascii_lowercase().as_str() {
                "strict" => false,
                "lenient" => true,
                other => {
                    return Err(at(
                        p.span(),
                        format!("unknown policy `{other}`; expected `strict` or `lenient`"),
                    ))
                }
            });
        }
        if let Some(f) = &raw.fail_on {
            cfg.fail_on = Some(match f.get_ref().to_ascii_lowercase().as_str() {
                "never" => None,
                other => Some(Severity::parse(other).ok_or_else(|| {
                    at(
                        f.span(),
                        format!("unknown level `{other}`; expected `error`, `warning`, `info` or `never`"),
                    )
                })?),
            });
        }
        let except_list = |list: &Option<Vec<Spanned<String>>>, key: &str| {
            let mut out = Vec::new();
            for v in list.iter().flatten() {
                check_except(v.get_ref()).map_err(|m| at(v.span(), format!("{key}: {m}")))?;
                out.push(v.get_ref().clone());
            }
            Ok::<Vec<String>, ConfigError>(out)
        };
        cfg.except = except_list(&raw.except, "except")?;
        for s in &raw.subjects {
            let mode = s.mode.as_ref().map(mode_of).transpose()?;
            let except = except_list(&s.except, "[[subjects]] except")?;
            let matcher =
                |g: &Option<Spanned<String>>| -> Result<Option<globset::GlobMatcher>, ConfigError> {
                    match g {
                        Some(g) => Ok(Some(
                            glob(g).map_err(|m| at(g.span(), m))?.compile_matcher(),
                        )),
                        None => Ok(None),
                    }
                };
            let entry_span = s
                .mode
                .as_ref()
                .map(|m| m.span())
                .or_else(|| s.except.as_ref().and_then(|e| e.first()).map(|e| e.span()))
                .unwrap_or(0..0);
            if s.name.is_none() && s.path.is_none() {
                return Err(at(
                    entry_span,
                    "a [[subjects]] entry needs `name` (subject glob) or `path` (file glob)".into(),
                ));
            }
            if mode.is_none() && s.except.is_none() {
                let span = s
                    .name
                    .as_ref()
                    .or(s.path.as_ref())
                    .map(|g| g.span())
                    .unwrap_or(0..0);
                return Err(at(
                    span,
                    "a [[subjects]] entry needs `mode` and/or `except`".into(),
                ));
            }
            cfg.subjects.push(SubjectOverride {
                name: matcher(&s.name)?,
                path: matcher(&s.path)?,
                mode,
                except,
            });
        }
        // Rule ids are checked against the registry: a typo must not silently do nothing.
        for (id, sev) in &raw.severity {
            let Some(rule) = crate::rules::find(id.get_ref()) else {
                return Err(at(
                    id.span(),
                    format!(
                        "unknown rule id `{}`{} (see `schemaguard rules`)",
                        id.get_ref(),
                        crate::rules::did_you_mean(id.get_ref())
                    ),
                ));
            };
            let level = match sev.get_ref().to_ascii_lowercase().as_str() {
                // A file that cannot be read or parsed was not checked: hiding that would pass broken schemas.
                "off" | "allow" | "ignore" if rule.category == crate::finding::Category::Input => {
                    return Err(at(
                        sev.span(),
                        format!(
                            "`{}` reports a file that could not be checked and cannot be turned off (set it to \"warning\" to report it without failing, or `exclude` the file)",
                            rule.id
                        ),
                    ))
                }
                "off" | "allow" | "ignore" => None,
                other => Some(Severity::parse(other).ok_or_else(|| {
                    at(
                        sev.span(),
                        format!("unknown severity `{other}`; expected `error`, `warning`, `info` or `off`"),
                    )
                })?),
            };
            match level {
                Some(l) => {
                    cfg.severity.insert(rule.id, l);
                }
                None => {
                    cfg.severity.insert(rule.id, Severity::Info);
                    cfg.disabled.push(rule.id);
                }
            }
        }
        if let Some(p) = raw.protobuf {
            // buf categories and rule ids: a typo must not silently check less.
            for (key, list, out) in [
                (
                    "breaking",
                    p.breaking.unwrap_or_default(),
                    &mut cfg.breaking,
                ),
                ("except", p.except.unwrap_or_default(), &mut cfg.except),
            ] {
                for v in list {
                    if key == "except" {
                        check_except(v.get_ref())
                            .map_err(|m| at(v.span(), format!("[protobuf] except: {m}")))?;
                    } else if !crate::formats::protobuf::is_known_selector(v.get_ref()) {
                        return Err(at(
                            v.span(),
                            format!(
                                "[protobuf] {key}: `{}` is neither a buf breaking category (FILE, PACKAGE, WIRE_JSON, WIRE, CSR) nor a buf rule id",
                                v.get_ref()
                            ),
                        ));
                    }
                    out.push(v.into_inner());
                }
            }
            for (key, set) in [
                ("protobuf.breaking", !cfg.breaking.is_empty()),
                ("protobuf.except", !cfg.except.is_empty()),
            ] {
                if set {
                    cfg.origins.insert(key, display.to_string());
                }
            }
            for r in p.roots.unwrap_or_default() {
                let v = r.get_ref();
                if v.starts_with('/') || v.split(['/', '\\']).any(|c| c == "..") {
                    return Err(at(
                        r.span(),
                        format!("import root `{v}` must be a directory inside the repository (relative, without `..`)"),
                    ));
                }
                cfg.proto_roots.push(v.clone());
            }
            if !cfg.proto_roots.is_empty() {
                cfg.origins.insert("protobuf.roots", display.to_string());
            }
            cfg.proto_include = include_dirs(p.include, "protobuf", &at)?;
            if !cfg.proto_include.is_empty() {
                cfg.origins.insert("protobuf.include", display.to_string());
            }
        }
        if let Some(j) = raw.jsonschema {
            cfg.json_include = include_dirs(j.include, "jsonschema", &at)?;
            if !cfg.json_include.is_empty() {
                cfg.origins
                    .insert("jsonschema.include", display.to_string());
            }
        }
        for (key, set) in [
            ("mode", cfg.mode.is_some()),
            ("against", cfg.against.is_some()),
            ("policy", cfg.lenient.is_some()),
            ("fail_on", cfg.fail_on.is_some()),
            ("schemas", cfg.schemas.is_some()),
            ("exclude", cfg.exclude.is_some()),
        ] {
            if set {
                cfg.origins.insert(key, display.to_string());
            }
        }
        if let Some(l) = raw.lint {
            cfg.lint = Some(crate::lint::LintConfig::from_raw(l, text, &at)?);
        }
        if let Some(r) = raw.registry {
            cfg.registry = Some(crate::registry::config::RegistryConfig::from_raw(r, &at)?);
        }
        for e in raw.contracts.iter().flat_map(|c| &c.examples) {
            let g = e.path.get_ref();
            if g.starts_with('/') || g.split(['/', '\\']).any(|c| c == "..") {
                return Err(at(
                    e.path.span(),
                    format!("[[contracts.examples]] path `{g}` must be a glob inside the repository (relative, without `..`)"),
                ));
            }
            if e.subject.get_ref().trim().is_empty() {
                return Err(at(
                    e.subject.span(),
                    "[[contracts.examples]] subject is empty".into(),
                ));
            }
            cfg.example_globs.push(ExampleGlob {
                glob: g.clone(),
                matcher: glob(&e.path)
                    .map_err(|m| at(e.path.span(), m))?
                    .compile_matcher(),
                subject: e.subject.get_ref().trim().to_string(),
                at: Some((
                    crate::source::SourceFile::new(display, None, text),
                    e.subject.span(),
                )),
            });
        }
        Ok(cfg)
    }

    /// Takes what `schemaguard.toml` leaves open from buf's configuration: module roots as import roots, and
    /// buf's breaking rules, but only when `breaking.use` is written there (otherwise Protobuf keeps Confluent's
    /// semantics), with their `except`, `ignore`, `ignore_only` and `ignore_unstable_packages`. Unknown rule ids or
    /// categories in buf.yaml are errors, as they are for buf.
    pub fn apply_buf(&mut self, buf: crate::bufyaml::BufConfig) -> Result<(), ConfigError> {
        let origin = buf.files.join(", ");
        let bad = |what: &str, name: &str| ConfigError {
            path: buf
                .files
                .first()
                .cloned()
                .unwrap_or_else(|| "buf.yaml".into()),
            line: 1,
            column: 1,
            message: format!(
                "{what}: `{name}` is neither a buf breaking category nor a buf breaking rule id"
            ),
        };
        for (what, list) in [
            ("breaking.use", &buf.breaking.use_),
            ("breaking.except", &buf.breaking.except),
        ] {
            if let Some(n) = list
                .iter()
                .flatten()
                .find(|n| !crate::formats::protobuf::is_known_selector(n))
            {
                return Err(bad(what, n));
            }
        }
        if self.proto_roots.is_empty() && !buf.roots.is_empty() {
            self.proto_roots = buf.roots.clone();
            self.origins.insert("protobuf.roots", origin.clone());
        }
        let explicit_use = buf.breaking.use_.as_ref().is_some_and(|u| !u.is_empty());
        if self.breaking.is_empty() && explicit_use {
            self.breaking = buf.breaking.use_.clone().unwrap_or_default();
            self.origins.insert("protobuf.breaking", origin.clone());
            if self.except.is_empty() {
                if let Some(e) = &buf.breaking.except {
                    self.except = e.clone();
                    self.origins.insert("protobuf.except", origin.clone());
                }
            }
        }
        if explicit_use || !self.breaking.is_empty() {
            if let Some(i) = &buf.breaking.ignore {
                self.breaking_ignore = i.clone();
                self.origins.insert("protobuf.ignore", origin.clone());
            }
            if let Some(i) = &buf.breaking.ignore_only {
                self.breaking_ignore_only = i.clone();
                self.origins.insert("protobuf.ignore_only", origin.clone());
            }
            if let Some(u) = buf.breaking.ignore_unstable_packages {
                self.ignore_unstable_packages = u;
                self.origins
                    .insert("protobuf.ignore_unstable_packages", origin.clone());
            }
        }
        self.buf = Some(buf);
        Ok(())
    }

    /// The lint settings: the `[lint]` table (or its defaults), completed from buf.yaml's `lint` block where the
    /// table says nothing: buf's `use` (default `STANDARD`) joins the selection unless `[lint] use` is written,
    /// `except`, `ignore` and `ignore_only` add up, and buf's knobs fill the ones `[lint]` does not set.
    pub fn lint_config(&self) -> crate::lint::LintConfig {
        let mut l = self.lint.clone().unwrap_or_default();
        let Some(buf) = &self.buf else {
            return l;
        };
        let b = &buf.lint;
        let default_use: Vec<String> = crate::lint::config::DEFAULT_USE
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = |n: &String| {
            let up = n.trim().to_ascii_uppercase();
            crate::lint::find(&up).is_some() || crate::lint::groups().contains(up.as_str())
        };
        let upper = |v: &[String]| -> Vec<String> {
            v.iter()
                .filter(|n| known(n))
                .map(|n| n.trim().to_ascii_uppercase())
                .collect()
        };
        if l.use_ == default_use {
            match &b.use_ {
                Some(u) => l.use_.extend(upper(u)),
                None => l.use_.push("STANDARD".into()),
            }
        }
        if let Some(e) = &b.except {
            l.except.extend(upper(e));
        }
        for p in b.ignore.iter().flatten() {
            if let Ok(p) = crate::lint::config::PathPattern::new(p) {
                l.ignore.push(p);
            }
        }
        for (rule_or_group, paths) in b.ignore_only.iter().flatten() {
            let up = rule_or_group.trim().to_ascii_uppercase();
            let ids: Vec<&'static str> = crate::lint::all()
                .filter(|r| r.rule.id == up || r.groups.contains(&up.as_str()))
                .map(|r| r.rule.id)
                .collect();
            for id in ids {
                let entry = l.ignore_only.entry(id).or_default();
                for p in paths {
                    if let Ok(p) = crate::lint::config::PathPattern::new(p) {
                        entry.push(p);
                    }
                }
            }
        }
        for (k, v) in &b.knobs {
            let v = match v {
                crate::bufyaml::KnobValue::Str(s) => toml::Value::String(s.clone()),
                crate::bufyaml::KnobValue::Bool(b) => toml::Value::Boolean(*b),
            };
            l.knobs.entry(k.clone()).or_insert(v);
        }
        if let Some(c) = b.comment_ignores {
            l.knobs
                .entry("disallow_comment_ignores".into())
                .or_insert(toml::Value::Boolean(!c));
        }
        l
    }

    /// The effective settings as `key = value` lines, each with where it came from (`schemaguard config`).
    pub fn describe(&self) -> Vec<(String, String, String)> {
        let origin = |k: &str| {
            self.origins
                .get(k)
                .cloned()
                .unwrap_or_else(|| "default".to_string())
        };
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        let mut out = vec![
            (
                "mode".to_string(),
                self.mode.unwrap_or(Mode::Backward).as_str().to_string(),
                origin("mode"),
            ),
            (
                "against".to_string(),
                self.against.clone().unwrap_or_else(|| "merge-base".into()),
                origin("against"),
            ),
            (
                "policy".to_string(),
                if self.lenient == Some(true) {
                    "lenient"
                } else {
                    "strict"
                }
                .to_string(),
                origin("policy"),
            ),
            (
                "protobuf.semantics".to_string(),
                if self.breaking.is_empty() {
                    "confluent".to_string()
                } else {
                    "buf".to_string()
                },
                origin("protobuf.breaking"),
            ),
            (
                "protobuf.breaking".to_string(),
                list(&self.breaking),
                origin("protobuf.breaking"),
            ),
            (
                "protobuf.except".to_string(),
                list(&self.except),
                origin("protobuf.except"),
            ),
            (
                "protobuf.roots".to_string(),
                list(&self.proto_roots),
                origin("protobuf.roots"),
            ),
            (
                "protobuf.include".to_string(),
                list(&paths(&self.proto_include)),
                origin("protobuf.include"),
            ),
            (
                "jsonschema.include".to_string(),
                list(&paths(&self.json_include)),
                origin("jsonschema.include"),
            ),
        ];
        if !self.breaking.is_empty() {
            out.push((
                "protobuf.ignore".to_string(),
                list(&self.breaking_ignore),
                origin("protobuf.ignore"),
            ));
            let only: Vec<String> = self
                .breaking_ignore_only
                .iter()
                .map(|(r, p)| format!("{r} = {}", list(p)))
                .collect();
            out.push((
                "protobuf.ignore_only".to_string(),
                format!("{{{}}}", only.join(", ")),
                origin("protobuf.ignore_only"),
            ));
            out.push((
                "protobuf.ignore_unstable_packages".to_string(),
                self.ignore_unstable_packages.to_string(),
                origin("protobuf.ignore_unstable_packages"),
            ));
        }
        if let Some(b) = &self.buf {
            let origin = b.files.join(", ");
            if let Some(u) = &b.lint.use_ {
                out.push(("buf.lint.use".to_string(), list(u), origin.clone()));
            }
            if let Some(e) = &b.lint.except {
                out.push(("buf.lint.except".to_string(), list(e), origin.clone()));
            }
            if let Some(i) = &b.lint.ignore {
                out.push(("buf.lint.ignore".to_string(), list(i), origin.clone()));
            }
            for (k, v) in &b.lint.knobs {
                let v = match v {
                    crate::bufyaml::KnobValue::Str(s) => format!("{s:?}"),
                    crate::bufyaml::KnobValue::Bool(b) => b.to_string(),
                };
                out.push((format!("buf.lint.{k}"), v, origin.clone()));
            }
            if let Some(c) = b.lint.comment_ignores {
                out.push((
                    "buf.lint.comment_ignores".to_string(),
                    c.to_string(),
                    origin.clone(),
                ));
            }
        }
        out
    }

    /// Whether a repository-relative path is selected by `schemas` / `exclude`.
    pub fn selects(&self, path: &str) -> bool {
        if self.exclude.as_ref().is_some_and(|g| g.is_match(path)) {
            return false;
        }
        self.schemas.as_ref().is_none_or(|g| g.is_match(path))
    }

    /// The mode of a subject: the first matching `[[subjects]]` entry that sets one, else `default`.
    pub fn mode_for(&self, subject: &str, path: &str, default: Mode) -> Mode {
        self.matching(subject, path)
            .find_map(|o| o.mode)
            .unwrap_or(default)
    }

    /// Whether a `[[subjects]]` entry matching the subject leaves `rule` out (`except`); every matching entry
    /// counts.
    pub fn excepts(&self, subject: &str, path: &str, rule: &str) -> bool {
        self.matching(subject, path)
            .flat_map(|o| &o.except)
            .any(|e| e.trim().eq_ignore_ascii_case(rule))
    }

    fn matching<'a>(
        &'a self,
        subject: &'a str,
        path: &'a str,
    ) -> impl Iterator<Item = &'a SubjectOverride> + 'a {
        self.subjects.iter().filter(move |o| {
            o.name.as_ref().is_none_or(|m| m.is_match(subject))
                && o.path.as_ref().is_none_or(|m| m.is_match(path))
        })
    }
}

/// Whether `name` can be excepted: a rule id of any format, or a buf breaking category. Input rules cannot (a file
/// that could not be read was not checked).
/// The include directories of `[section] include`: non-empty paths, as written.
fn include_dirs(
    raw: Option<Vec<Spanned<String>>>,
    section: &str,
    at: &dyn Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Vec<PathBuf>, ConfigError> {
    let mut out = Vec::new();
    for d in raw.unwrap_or_default() {
        if d.get_ref().trim().is_empty() {
            return Err(at(
                d.span(),
                format!("[{section}] include: an include directory cannot be empty (use \".\" for the configuration file's directory)"),
            ));
        }
        out.push(PathBuf::from(d.into_inner()));
    }
    Ok(out)
}

/// Paths as `/`-separated strings, for `describe`.
fn paths(v: &[PathBuf]) -> Vec<String> {
    v.iter().map(|p| crate::source::slash_path(p)).collect()
}

pub fn check_except(name: &str) -> Result<(), String> {
    match crate::rules::find(name) {
        Some(r) if r.category == crate::finding::Category::Input => Err(format!(
            "`{}` reports a file that could not be checked and cannot be excepted (`exclude` the file instead)",
            r.id
        )),
        Some(_) => Ok(()),
        None if crate::formats::protobuf::is_known_selector(name) => Ok(()),
        None => Err(format!(
            "`{name}` is neither a rule id (see `schemaguard rules`) nor a buf breaking category (FILE, PACKAGE, WIRE_JSON, WIRE, CSR){}",
            crate::rules::did_you_mean(name)
        )),
    }
}

fn glob(g: &Spanned<String>) -> Result<Glob, String> {
    globset::GlobBuilder::new(g.get_ref())
        .literal_separator(false)
        .build()
        .map_err(|e| format!("invalid glob `{}`: {}", g.get_ref(), e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_defaults() {
        let c = Config::parse("", "schemaguard.toml").expect("empty config is valid");
        assert!(c.selects("a/b.avsc"));
        assert_eq!(c.mode_for("x", "y", Mode::Backward), Mode::Backward);
    }

    #[test]
    fn contract_example_globs() {
        let c = Config::parse(
            "[[contracts.examples]]\npath = \"samples/orders/*.jsonl\"\nsubject = \"com.acme.Order\"\n",
            "schemaguard.toml",
        )
        .expect("valid [[contracts.examples]]");
        assert_eq!(c.example_globs.len(), 1);
        let g = &c.example_globs[0];
        assert_eq!(g.subject, "com.acme.Order");
        assert_eq!(g.base(), "samples/orders");
        assert!(g.matcher.is_match("samples/orders/day1.jsonl"));
        assert!(!g.matcher.is_match("samples/other/day1.jsonl"));
        let e = Config::parse(
            "[[contracts.examples]]\npath = \"../x/*.json\"\nsubject = \"A\"\n",
            "schemaguard.toml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 8), "{}", e.message);
        let e = Config::parse(
            "[[contracts.examples]]\npath = \"x/*.json\"\n",
            "schemaguard.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("subject"), "{}", e.message);
    }

    #[test]
    fn unknown_key_points_at_line() {
        let e = Config::parse("mode = \"FULL\"\nmodes = 1\n", "schemaguard.toml").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unknown field `modes`"), "{}", e.message);
    }

    #[test]
    fn bad_mode_points_at_value() {
        let e = Config::parse("\nmode = \"BACKWARDS\"\n", "schemaguard.toml").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(e.message.contains("unknown mode `BACKWARDS`"));
    }

    #[test]
    fn subject_overrides_by_name_and_path() {
        let c = Config::parse(
            "mode = \"BACKWARD\"\n[[subjects]]\nname = \"com.acme.*\"\nmode = \"full\"\n[[subjects]]\npath = \"legacy/**\"\nmode = \"NONE\"\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert_eq!(
            c.mode_for("com.acme.Order", "a.avsc", Mode::Backward),
            Mode::Full
        );
        assert_eq!(
            c.mode_for("x.Y", "legacy/y.avsc", Mode::Backward),
            Mode::None
        );
        assert_eq!(c.mode_for("x.Y", "y.avsc", Mode::Backward), Mode::Backward);
    }

    #[test]
    fn globs_select_and_exclude() {
        let c = Config::parse(
            "schemas = [\"schemas/**\"]\nexclude = [\"schemas/tmp/**\"]\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert!(c.selects("schemas/a/b.avsc"));
        assert!(!c.selects("schemas/tmp/b.avsc"));
        assert!(!c.selects("other/b.avsc"));
    }

    #[test]
    fn protobuf_roots_are_a_list_of_relative_directories() {
        let c = Config::parse(
            "[protobuf]\nroots = [\"proto\", \"third_party/googleapis\"]\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert_eq!(c.proto_roots, ["proto", "third_party/googleapis"]);
        let e = Config::parse("[protobuf]\nroots = \"proto\"\n", "schemaguard.toml").unwrap_err();
        assert_eq!(e.line, 2, "{}", e.message);
        let e = Config::parse("[protobuf]\nroots = [\"../x\"]\n", "schemaguard.toml").unwrap_err();
        assert_eq!((e.line, e.column), (2, 10));
        assert!(e.message.contains("inside the repository"), "{}", e.message);
    }

    #[test]
    fn input_rules_cannot_be_turned_off() {
        let e =
            Config::parse("[severity]\nPARSE_ERROR = \"off\"\n", "schemaguard.toml").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("cannot be turned off"), "{}", e.message);
        let c = Config::parse(
            "[severity]\nPARSE_ERROR = \"warning\"\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert_eq!(c.severity.get("PARSE_ERROR"), Some(&Severity::Warning));
    }

    #[test]
    fn protobuf_selectors_are_checked() {
        let e = Config::parse(
            "[protobuf]\nbreaking = [\"FILE\", \"WIRES\"]\n",
            "schemaguard.toml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 21));
        assert!(e.message.contains("`WIRES`"), "{}", e.message);
        let c = Config::parse(
            "[protobuf]\nbreaking = [\"wire_json\"]\nexcept = [\"FIELD_SAME_JSON_NAME\"]\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert_eq!(c.breaking, ["wire_json"]);
        assert_eq!(c.except, ["FIELD_SAME_JSON_NAME"]);
    }

    #[test]
    fn unknown_rule_in_severity_is_an_error() {
        let e = Config::parse("[severity]\nNOT_A_RULE = \"warning\"\n", "schemaguard.toml")
            .unwrap_err();
        assert_eq!(e.line, 2);
        let c = Config::parse(
            "[severity]\nsubject_deleted = \"warning\"\n",
            "schemaguard.toml",
        )
        .expect("valid");
        assert_eq!(c.severity.get("SUBJECT_DELETED"), Some(&Severity::Warning));
    }
}
