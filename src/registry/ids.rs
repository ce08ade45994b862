//! Schemas by Confluent id for `decode`: from the registry (`GET /schemas/ids/{id}`, references fetched
//! recursively as `check --against-registry` fetches them) or from a snapshot written by `registry pull` (its
//! manifest lists each pulled version's id). Either way the answer is the schema text and the texts of the schemas
//! it references, named as the references name them, so Protobuf imports and Avro named types resolve.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::client::parse_schema_type;
use super::commands::{ManifestEntry, MANIFEST};
use super::{fetch_closure, reference_path, snapshot_files, Client, RegistryError};
use crate::events::{RegisteredById, SchemaIds};
use crate::finding::Format;

/// The file name a schema fetched by id is compiled under (no reference name can look like it).
fn root_name(format: Format, id: u32) -> String {
    match format {
        Format::Avro => format!("schema-id-{id}.avsc"),
        Format::Protobuf => format!("schema-id-{id}.proto"),
        Format::JsonSchema => format!("schema-id-{id}.json"),
    }
}

/// Ids looked up in a registry.
pub struct RegistryIds {
    client: Client,
}

impl RegistryIds {
    pub fn new(client: Client) -> RegistryIds {
        RegistryIds { client }
    }
}

impl SchemaIds for RegistryIds {
    fn describe(&self) -> String {
        format!("the registry at {}", self.client.url())
    }

    fn latest_id(&mut self, subject: &str) -> Result<Option<u32>, String> {
        let Some(v) = self
            .client
            .version(subject, "latest")
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        u32::try_from(v.id)
            .map(Some)
            .map_err(|_| format!("the registry gave schema id {}, not a Confluent id", v.id))
    }

    fn by_id(&mut self, id: u32) -> Result<Option<RegisteredById>, String> {
        let Some(root) = self
            .client
            .schema_by_id(i64::from(id))
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let format = root.format;
        let wanted: Vec<(String, i64)> = root
            .references
            .iter()
            .flatten()
            .map(|r| (r.subject.clone(), r.version))
            .collect();
        let mut fetched = fetch_closure(&self.client, wanted);
        if let Some((subject, e)) = fetched.errors.iter().next() {
            return Err(format!("schema id {id} references `{subject}`: {e}"));
        }
        // The root goes in beside its references under a key no subject has, so `snapshot_files` names every
        // reference exactly as `check --against-registry` does.
        let key = format!("\0schema id {id}");
        fetched.schemas.insert((key.clone(), 0), root);
        let name = root_name(format, id);
        let (files, missing) = snapshot_files(&fetched, &key, 0, &name, &name, &|_| None);
        if let Some(m) = missing.first() {
            return Err(format!(
                "schema id {id} references `{m}`, which the registry does not have"
            ));
        }
        let mut files = files.into_iter();
        let schema = files.next().map(|f| f.text.to_string()).unwrap_or_default();
        Ok(Some(RegisteredById {
            format,
            root_name: name,
            schema,
            references: files
                .map(|f| (f.path.clone(), f.text.to_string()))
                .collect(),
        }))
    }
}

/// Ids looked up in the manifest of a `registry pull` directory.
pub struct ManifestIds {
    dir: PathBuf,
    entries: Vec<ManifestEntry>,
}

impl ManifestIds {
    /// Reads `DIR/schemaguard-registry.json`.
    pub fn load(dir: &Path) -> Result<ManifestIds, RegistryError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            RegistryError::Setup(format!(
                "cannot read `{}` (written by `schemaguard registry pull --out DIR`): {e}",
                path.display()
            ))
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            RegistryError::Setup(format!("`{}` is not a manifest: {e}", path.display()))
        })?;
        let entries: Vec<ManifestEntry> = v
            .get("schemas")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| RegistryError::Setup(format!("`{}`: `schemas`: {e}", path.display())))?
            .unwrap_or_default();
        Ok(ManifestIds {
            dir: dir.to_path_buf(),
            entries,
        })
    }

    fn read(&self, rel: &str) -> Result<String, String> {
        // Manifest paths are relative and never climb out of the directory.
        if !stays_inside(rel) {
            return Err(format!("manifest path `{rel}` leaves the directory"));
        }
        std::fs::read_to_string(self.dir.join(rel))
            .map_err(|e| format!("cannot read `{}`: {e}", self.dir.join(rel).display()))
    }
}

/// Whether `rel`, joined to a directory, stays inside it: relative, with no `..`, root or prefix component.
pub fn stays_inside(rel: &str) -> bool {
    use std::path::Component;
    !rel.is_empty()
        && !rel.contains('\\')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// What a `registry pull` copy says beyond its files, for `check --against-dir` of it: each subject's level by the
/// repository path of its file, and the folders of the older versions pulled with `--all-versions`.
#[derive(Debug, Default)]
pub struct PulledCopy {
    /// Repository path of a subject's file → the subject's level on the registry.
    pub levels: std::collections::HashMap<String, crate::finding::Mode>,
    /// (subject, version, folder relative to the copy: `.versions/<subject>/<version>/`), by subject then version.
    pub older: Vec<(String, i64, String)>,
    /// Repository path of a subject's file → the registry subject it was pulled from (findings name it).
    pub subjects: std::collections::HashMap<String, String>,
}

impl PulledCopy {
    /// `None` when `dir` holds no manifest (a plain directory) or one that cannot be read (then the copy is read
    /// as a plain directory; decode and `--registry-dir` report the manifest's problems).
    pub fn read(dir: &Path) -> Option<PulledCopy> {
        let m = ManifestIds::load(dir).ok()?;
        let mut out = PulledCopy::default();
        for e in &m.entries {
            let prefix = version_prefix(&e.path);
            if prefix.is_empty() {
                out.subjects.insert(e.path.clone(), e.subject.clone());
                if let Some(mode) = e
                    .compatibility
                    .as_deref()
                    .and_then(crate::finding::Mode::parse)
                {
                    out.levels.insert(e.path.clone(), mode);
                }
            } else if stays_inside(prefix) {
                out.older
                    .push((e.subject.clone(), e.version, prefix.to_string()));
            }
        }
        out.older.sort();
        out.older.dedup();
        Some(out)
    }
}

/// `.versions/<subject>/<version>/` for an older pulled version, else empty.
fn version_prefix(path: &str) -> &str {
    if !path.starts_with(".versions/") {
        return "";
    }
    let mut end = 0;
    for (n, (i, _)) in path.match_indices('/').enumerate() {
        end = i + 1;
        if n == 2 {
            break;
        }
    }
    &path[..end]
}

/// Names an Avro schema mentions that could be named types (`acme.Money`), to find their files.
fn avro_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return out;
    };
    let mut stack = vec![&v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s)
                if !s.is_empty()
                    && s.len() < 512
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
            {
                out.push(s.clone());
            }
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    out
}

/// The import paths of a `.proto` text (one `import` statement per line, as protoc's style guide and every
/// generator write them; commented-out lines are skipped).
fn proto_imports(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("import")?;
            if !rest.starts_with(char::is_whitespace) && !rest.starts_with('"') {
                return None;
            }
            let open = rest.find('"')?;
            let close = rest[open + 1..].find('"')?;
            Some(rest[open + 1..open + 1 + close].to_string())
        })
        .collect()
}

impl SchemaIds for ManifestIds {
    fn describe(&self) -> String {
        format!("the manifest {}", self.dir.join(MANIFEST).display())
    }

    fn latest_id(&mut self, subject: &str) -> Result<Option<u32>, String> {
        let Some(e) = self
            .entries
            .iter()
            .filter(|e| e.subject == subject)
            .max_by_key(|e| e.version)
        else {
            return Ok(None);
        };
        u32::try_from(e.id)
            .map(Some)
            .map_err(|_| format!("the manifest gives schema id {}, not a Confluent id", e.id))
    }

    fn by_id(&mut self, id: u32) -> Result<Option<RegisteredById>, String> {
        let Some(entry) = self.entries.iter().find(|e| e.id == i64::from(id)) else {
            return Ok(None);
        };
        let format = parse_schema_type(Some(&entry.schema_type))
            .ok_or_else(|| format!("unknown schemaType `{}`", entry.schema_type))?;
        let prefix = version_prefix(&entry.path);
        let root_rel = &entry.path[prefix.len()..];
        let schema = self.read(&entry.path)?;
        let mut references = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        seen.insert(root_rel.to_string());
        // The manifest names the direct references; those of references are the pulled entries' own, or, for
        // versions not listed, found by name: Protobuf imports and Avro named types (`<full name>.avsc`).
        let mut stack: Vec<String> = entry
            .references
            .iter()
            .map(|r| reference_path(format, root_rel, &r.name))
            .collect();
        let mut pending_texts = vec![schema.clone()];
        loop {
            for text in pending_texts.drain(..) {
                match format {
                    Format::Protobuf => {
                        stack.extend(proto_imports(&text).into_iter().filter(|p| {
                            !p.starts_with("google/protobuf/")
                                && self.dir.join(prefix).join(p).is_file()
                        }))
                    }
                    Format::Avro => stack.extend(avro_names(&text).into_iter().filter_map(|n| {
                        let p = format!("{n}.avsc");
                        self.dir.join(prefix).join(&p).is_file().then_some(p)
                    })),
                    Format::JsonSchema => {}
                }
            }
            let Some(rel) = stack.pop() else { break };
            if !seen.insert(rel.clone()) {
                continue;
            }
            let text = self.read(&format!("{prefix}{rel}"))?;
            pending_texts.push(text.clone());
            references.push((rel, text));
        }
        Ok(Some(RegisteredById {
            format,
            root_name: root_rel.to_string(),
            schema,
            references,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_versions_keep_their_prefix() {
        assert_eq!(version_prefix("schemas/a.avsc"), "");
        assert_eq!(
            version_prefix(".versions/orders-value/2/schemas/a.avsc"),
            ".versions/orders-value/2/"
        );
    }

    #[test]
    fn avro_names_are_candidate_type_names() {
        let names = avro_names(
            r#"{"type":"record","name":"A","fields":[{"name":"m","type":"acme.Money"}]}"#,
        );
        assert!(names.contains(&"acme.Money".to_string()));
        assert!(!names.iter().any(|n| n.contains(' ')));
    }

    #[test]
    fn proto_imports_are_found() {
        let t = "syntax = \"proto3\";\n// import \"no.proto\";\nimport public \"a/b.proto\";\nimport \"c.proto\";";
        assert_eq!(proto_imports(t), vec!["a/b.proto", "c.proto"]);
    }
}
