//! Contract sidecars, as values: `<schema file>.contract.yaml` (or `.contract.yml`, `.contract.json`) beside a
//! schema holds Confluent's `metadata` and `ruleSet` objects exactly as the registry takes them (confluent.md §8):
//!
//! ```yaml
//! metadata:
//!   properties: { owner: orders-team, email: orders@acme.com }
//!   tags: { "**.ssn": [PII] }
//!   sensitive: [ssn]
//! ruleSet:
//!   domainRules:
//!     - { name: checkAmount, kind: CONDITION, mode: WRITE, type: CEL, expr: "message.amount >= 0" }
//! ```
//!
//! `registry apply` registers them with the schema, `registry plan` diffs them with the registered version, and
//! other readers (the catalog, governance rules) take owners and tags from here. Lint keeps its own span-keeping
//! reader (`lint::events::contract`) to point findings into the file.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The sidecar suffixes, in the order they are looked up.
pub const SUFFIXES: &[&str] = &[".contract.yaml", ".contract.yml", ".contract.json"];

/// One sidecar's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contract {
    /// The sidecar's path as found (repository-relative when looked up by `find`).
    pub path: String,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

impl Contract {
    /// `metadata.properties` as strings.
    pub fn properties(&self) -> BTreeMap<String, String> {
        self.metadata
            .as_ref()
            .and_then(|m| m.get("properties"))
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `metadata.properties.owner`.
    pub fn owner(&self) -> Option<String> {
        self.properties().get("owner").cloned()
    }

    /// `metadata.tags`: path glob → tags.
    pub fn tags(&self) -> BTreeMap<String, Vec<String>> {
        self.metadata
            .as_ref()
            .and_then(|m| m.get("tags"))
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let tags = v
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|t| t.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        (k.clone(), tags)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Parses a sidecar's text (YAML, or JSON when `path` ends in `.json`). Only `metadata` and `ruleSet` are allowed
/// at the top level, and both must be objects.
pub fn parse(path: &str, text: &str) -> Result<Contract, String> {
    let value = if path.ends_with(".json") {
        serde_json::from_str::<Value>(text).map_err(|e| format!("`{path}` is not JSON: {e}"))?
    } else {
        let docs = yaml_rust2::YamlLoader::load_from_str(text)
            .map_err(|e| format!("`{path}` is not YAML: {e}"))?;
        match docs.into_iter().next() {
            Some(d) => yaml_to_json(&d),
            None => Value::Object(serde_json::Map::new()),
        }
    };
    let obj = value.as_object().ok_or_else(|| {
        format!("`{path}`: a contract sidecar is a mapping with `metadata` and/or `ruleSet`")
    })?;
    for k in obj.keys() {
        if k != "metadata" && k != "ruleSet" {
            return Err(format!(
                "`{path}`: unknown key `{k}`; a contract sidecar holds `metadata` and `ruleSet`"
            ));
        }
    }
    let get = |k: &str| -> Result<Option<Value>, String> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
            Some(_) => Err(format!("`{path}`: `{k}` must be a mapping")),
        }
    };
    Ok(Contract {
        path: path.to_string(),
        metadata: get("metadata")?,
        rule_set: get("ruleSet")?,
    })
}

/// The sidecar of the schema at `schema_path` (repository-relative) below `root`, if there is one.
pub fn find(root: &Path, schema_path: &str) -> Result<Option<Contract>, String> {
    for suffix in SUFFIXES {
        let rel = format!("{schema_path}{suffix}");
        let full = root.join(&rel);
        if full.is_file() {
            let text =
                std::fs::read_to_string(&full).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
            return parse(&rel, &text).map(Some);
        }
    }
    Ok(None)
}

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.clone())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Real(r) => r.clone(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_sidecar_gives_owner_and_tags() {
        let c = parse(
            "o.avsc.contract.yaml",
            "metadata:\n  properties:\n    owner: orders-team\n  tags:\n    \"**.ssn\": [PII]\nruleSet:\n  domainRules: []\n",
        )
        .unwrap_or_default();
        assert_eq!(c.owner().as_deref(), Some("orders-team"));
        assert_eq!(c.tags().get("**.ssn"), Some(&vec!["PII".to_string()]));
        assert!(c.rule_set.is_some());
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(parse("x.contract.json", r#"{"owner":"me"}"#).is_err());
        assert!(parse("x.contract.json", r#"{"metadata":[]}"#).is_err());
    }
}
