//! The *effective* `metadata` and `ruleSet` of a version (confluent.md §8.4): what the registry stores when a schema
//! is registered, computed the way Confluent's `maybeSetMetadataRuleSet` does — the request's values, or the previous
//! version's when the request has none, merged as `override ⊕ (specific ⊕ default)` with the subject's (or global)
//! `defaultMetadata` / `overrideMetadata` / `defaultRuleSet` / `overrideRuleSet`. `⊕` is `Metadata.mergeMetadata` /
//! `RuleSet.mergeRuleSets`: for metadata, `tags` and `properties` take the newer side's entries over the older's key
//! by key and `sensitive` is the union; for rule sets, each list (`migrationRules`, `domainRules`, `encodingRules`)
//! keeps the older rules whose names the newer list does not have, then appends the newer list; an empty side
//! yields the other. Comparison ([`same_metadata`], [`same_rule_set`]) is on the registry's model: sorted sets and
//! maps, omitted empties, Rule defaults (`kind` TRANSFORM, `mode` WRITEREAD, `disabled` false), scalars as strings,
//! and without the server-managed `confluent:version` property.
//!
//! Values only: no I/O, no findings.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::client::{RegisteredSchema, SubjectConfig};

/// The three rule lists of a rule set.
const RULE_LISTS: [&str; 3] = ["migrationRules", "domainRules", "encodingRules"];

/// The property the registry sets itself (optimistic concurrency, §8.1); never part of a contract diff.
const CONFLUENT_VERSION: &str = "confluent:version";

/// What registering with `metadata` / `rule_set` (the sidecar's; `None` when it has none) would store, after
/// `previous` (the subject's latest version, if any) under `config`.
pub fn effective(
    config: &SubjectConfig,
    metadata: Option<&Value>,
    rule_set: Option<&Value>,
    previous: Option<&RegisteredSchema>,
) -> (Option<Value>, Option<Value>) {
    let specific_md = metadata
        .cloned()
        .or_else(|| previous.and_then(|p| p.metadata.clone()));
    let specific_rs = rule_set
        .cloned()
        .or_else(|| previous.and_then(|p| p.rule_set.clone()));
    let md = merge_metadata(
        merge_metadata(config.default_metadata.clone(), specific_md),
        config.override_metadata.clone(),
    );
    let rs = merge_rule_set(
        merge_rule_set(config.default_rule_set.clone(), specific_rs),
        config.override_rule_set.clone(),
    );
    (md, rs)
}

/// `Metadata.mergeMetadata(old, new)`.
pub fn merge_metadata(old: Option<Value>, new: Option<Value>) -> Option<Value> {
    let (old, new) = match (old, new) {
        (None, new) => return new,
        (old, None) => return old,
        (Some(o), Some(n)) => (o, n),
    };
    let mut out = Map::new();
    for key in ["tags", "properties"] {
        let merged = merge_maps(old.get(key), new.get(key));
        if let Some(m) = merged {
            out.insert(key.to_string(), m);
        }
    }
    let sensitive: BTreeSet<String> = strings(old.get("sensitive"))
        .into_iter()
        .chain(strings(new.get("sensitive")))
        .collect();
    if !sensitive.is_empty() {
        out.insert(
            "sensitive".to_string(),
            Value::Array(sensitive.into_iter().map(Value::String).collect()),
        );
    }
    Some(Value::Object(out))
}

/// `merge(SortedMap old, SortedMap new)`: an empty side yields the other, else the newer entries over the older.
fn merge_maps(old: Option<&Value>, new: Option<&Value>) -> Option<Value> {
    let old = old.and_then(Value::as_object).filter(|o| !o.is_empty());
    let new = new.and_then(Value::as_object).filter(|o| !o.is_empty());
    match (old, new) {
        (None, None) => None,
        (Some(o), None) => Some(Value::Object(o.clone())),
        (None, Some(n)) => Some(Value::Object(n.clone())),
        (Some(o), Some(n)) => {
            let mut m = o.clone();
            for (k, v) in n {
                m.insert(k.clone(), v.clone());
            }
            Some(Value::Object(m))
        }
    }
}

/// `RuleSet.mergeRuleSets(old, new)`. Keys other than the three rule lists (`enableAt`) take the newer side's
/// value when it has one.
pub fn merge_rule_set(old: Option<Value>, new: Option<Value>) -> Option<Value> {
    let (old, new) = match (old, new) {
        (None, new) => return new,
        (old, None) => return old,
        (Some(o), Some(n)) => (o, n),
    };
    let mut out = Map::new();
    for side in [&old, &new] {
        if let Some(o) = side.as_object() {
            for (k, v) in o {
                if !RULE_LISTS.contains(&k.as_str()) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    for key in RULE_LISTS {
        let o = rules(old.get(key));
        let n = rules(new.get(key));
        let merged: Vec<Value> = if o.is_empty() {
            n
        } else if n.is_empty() {
            o
        } else {
            let names: BTreeSet<Option<&str>> = n.iter().map(rule_name).collect();
            let mut kept: Vec<Value> = o
                .iter()
                .filter(|r| !names.contains(&rule_name(r)))
                .cloned()
                .collect();
            kept.extend(n.iter().cloned());
            kept
        };
        if !merged.is_empty() {
            out.insert(key.to_string(), Value::Array(merged));
        }
    }
    Some(Value::Object(out))
}

fn rules(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_array).cloned().unwrap_or_default()
}

fn rule_name(r: &Value) -> Option<&str> {
    r.get("name").and_then(Value::as_str)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// A scalar as the registry's `String` fields read it (Jackson coerces numbers and booleans).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether two metadata objects are the same to the registry (`Metadata.equals` on what it would parse), ignoring
/// `confluent:version`.
pub fn same_metadata(a: Option<&Value>, b: Option<&Value>) -> bool {
    metadata_model(a) == metadata_model(b)
}

type MetadataModel = (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, String>,
    BTreeSet<String>,
);

fn metadata_model(v: Option<&Value>) -> MetadataModel {
    let Some(v) = v else {
        return Default::default();
    };
    let tags = v
        .get("tags")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, t)| (k.clone(), strings(Some(t)).into_iter().collect()))
                .collect()
        })
        .unwrap_or_default();
    let properties = v
        .get("properties")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != CONFLUENT_VERSION)
                .filter_map(|(k, p)| scalar(p).map(|s| (k.clone(), s)))
                .collect()
        })
        .unwrap_or_default();
    let sensitive = strings(v.get("sensitive")).into_iter().collect();
    (tags, properties, sensitive)
}

/// Whether two rule sets are the same to the registry (`RuleSet.equals`: each list in order, `Rule.equals` on
/// what it would parse); other keys compared as they are.
pub fn same_rule_set(a: Option<&Value>, b: Option<&Value>) -> bool {
    rule_set_model(a) == rule_set_model(b)
}

fn rule_set_model(v: Option<&Value>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(o) = v.and_then(Value::as_object) else {
        return out;
    };
    for (k, v) in o {
        if RULE_LISTS.contains(&k.as_str()) {
            let list: Vec<Value> = rules(Some(v)).iter().map(rule_model).collect();
            if !list.is_empty() {
                out.insert(k.clone(), Value::Array(list));
            }
        } else if !v.is_null() {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// A rule as `Rule`'s constructor reads it: defaults filled in, sets sorted, unknown keys dropped, empty strings
/// and collections omitted (as the registry writes it back).
fn rule_model(r: &Value) -> Value {
    let mut m = Map::new();
    let text = |k: &str| r.get(k).and_then(scalar).filter(|s| !s.is_empty());
    for key in ["name", "doc", "type", "expr", "onSuccess", "onFailure"] {
        if let Some(s) = text(key) {
            m.insert(key.to_string(), Value::String(s));
        }
    }
    m.insert(
        "kind".into(),
        Value::String(text("kind").unwrap_or_else(|| "TRANSFORM".into())),
    );
    m.insert(
        "mode".into(),
        Value::String(text("mode").unwrap_or_else(|| "WRITEREAD".into())),
    );
    let tags: BTreeSet<String> = strings(r.get("tags")).into_iter().collect();
    if !tags.is_empty() {
        m.insert(
            "tags".into(),
            Value::Array(tags.into_iter().map(Value::String).collect()),
        );
    }
    let params: BTreeMap<String, String> = r
        .get("params")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
                .collect()
        })
        .unwrap_or_default();
    if !params.is_empty() {
        m.insert(
            "params".into(),
            Value::Object(
                params
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
        );
    }
    if r.get("disabled").and_then(Value::as_bool) == Some(true) {
        m.insert("disabled".into(), Value::Bool(true));
    }
    Value::Object(m)
}

/// `metadata.properties[key]` of an effective metadata object.
pub fn property(metadata: Option<&Value>, key: &str) -> Option<String> {
    metadata
        .and_then(|m| m.get("properties"))
        .and_then(|p| p.get(key))
        .and_then(scalar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Format;
    use serde_json::json;

    fn previous(metadata: Option<Value>, rule_set: Option<Value>) -> RegisteredSchema {
        RegisteredSchema {
            subject: "s".into(),
            version: 1,
            id: 1,
            format: Format::Avro,
            schema: "\"string\"".into(),
            references: None,
            metadata,
            rule_set,
        }
    }

    fn config(
        dm: Option<Value>,
        om: Option<Value>,
        dr: Option<Value>,
        or: Option<Value>,
    ) -> SubjectConfig {
        SubjectConfig {
            default_metadata: dm,
            override_metadata: om,
            default_rule_set: dr,
            override_rule_set: or,
            ..SubjectConfig::default()
        }
    }

    fn rule(name: &str, expr: &str) -> Value {
        json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": expr})
    }

    #[test]
    fn a_request_without_metadata_or_rules_inherits_the_previous_versions() {
        let prev = previous(
            Some(json!({"properties": {"owner": "a"}})),
            Some(json!({"domainRules": [rule("r", "x")]})),
        );
        let (md, rs) = effective(&SubjectConfig::default(), None, None, Some(&prev));
        assert_eq!(md, Some(json!({"properties": {"owner": "a"}})));
        assert_eq!(rs, Some(json!({"domainRules": [rule("r", "x")]})));
        // A request's own metadata replaces the previous version's entirely (no merge with it).
        let (md, _) = effective(
            &SubjectConfig::default(),
            Some(&json!({"properties": {"team": "b"}})),
            None,
            Some(&prev),
        );
        assert_eq!(md, Some(json!({"properties": {"team": "b"}})));
        // Nothing anywhere: nothing.
        assert_eq!(
            effective(&SubjectConfig::default(), None, None, None),
            (None, None)
        );
    }

    #[test]
    fn default_metadata_fills_what_the_version_does_not_set() {
        let cfg = config(
            Some(json!({"properties": {"owner": "platform", "slo": "bronze"}, "sensitive": ["a"]})),
            None,
            None,
            None,
        );
        let (md, _) = effective(
            &cfg,
            Some(&json!({"properties": {"owner": "orders"}, "sensitive": ["b"]})),
            None,
            None,
        );
        assert_eq!(
            md,
            Some(
                json!({"properties": {"owner": "orders", "slo": "bronze"}, "sensitive": ["a", "b"]})
            )
        );
    }

    #[test]
    fn override_metadata_wins_over_the_version() {
        let cfg = config(
            Some(json!({"properties": {"slo": "bronze"}})),
            Some(json!({"properties": {"slo": "gold"}, "tags": {"**.ssn": ["PII"]}})),
            None,
            None,
        );
        let (md, _) = effective(
            &cfg,
            Some(
                &json!({"properties": {"slo": "silver"}, "tags": {"**.ssn": ["SECRET"], "**.x": ["Y"]}}),
            ),
            None,
            None,
        );
        // Tags merge key by key: the override's `**.ssn` replaces the version's set, `**.x` stays.
        assert_eq!(
            md,
            Some(
                json!({"properties": {"slo": "gold"}, "tags": {"**.ssn": ["PII"], "**.x": ["Y"]}})
            )
        );
    }

    #[test]
    fn rule_sets_merge_by_name_list_by_list() {
        let cfg = config(
            None,
            None,
            Some(json!({"domainRules": [rule("a", "1"), rule("b", "1")],
                        "migrationRules": [rule("m", "1")]})),
            Some(json!({"domainRules": [rule("z", "9")]})),
        );
        let (_, rs) = effective(
            &cfg,
            None,
            Some(&json!({"domainRules": [rule("b", "2"), rule("c", "2")]})),
            None,
        );
        // default ⊕ specific: `a` kept, `b` replaced by the version's (appended after the kept ones), `c` added;
        // then ⊕ override: `z` appended. An empty list on one side yields the other's (`migrationRules`).
        assert_eq!(
            rs,
            Some(json!({
                "migrationRules": [rule("m", "1")],
                "domainRules": [rule("a", "1"), rule("b", "2"), rule("c", "2"), rule("z", "9")],
            }))
        );
    }

    #[test]
    fn inheriting_from_the_previous_version_is_stable_under_the_same_config() {
        // prev was registered under this config; registering again without a contract gives prev back.
        let cfg = config(
            Some(json!({"properties": {"owner": "platform"}})),
            Some(json!({"properties": {"slo": "gold"}})),
            Some(json!({"domainRules": [rule("d", "1")]})),
            Some(json!({"domainRules": [rule("o", "1")]})),
        );
        let (md1, rs1) = effective(
            &cfg,
            Some(&json!({"properties": {"team": "x"}})),
            Some(&json!({"domainRules": [rule("s", "1")]})),
            None,
        );
        let prev = previous(md1.clone(), rs1.clone());
        let (md2, rs2) = effective(&cfg, None, None, Some(&prev));
        assert!(same_metadata(md1.as_ref(), md2.as_ref()));
        assert!(same_rule_set(rs1.as_ref(), rs2.as_ref()));
    }

    #[test]
    fn comparison_is_on_the_registrys_model() {
        assert!(same_metadata(
            Some(
                &json!({"properties": {"v": 1, "confluent:version": "3"}, "tags": {"p": ["B", "A"]}, "sensitive": []})
            ),
            Some(&json!({"tags": {"p": ["A", "B"]}, "properties": {"v": "1"}})),
        ));
        assert!(same_metadata(None, Some(&json!({}))));
        assert!(!same_metadata(
            Some(&json!({"properties": {"v": "1"}})),
            Some(&json!({"properties": {"v": "2"}})),
        ));
        assert!(same_rule_set(
            Some(
                &json!({"domainRules": [{"name": "r", "type": "CEL", "tags": ["b", "a"], "disabled": false, "doc": ""}]})
            ),
            Some(
                &json!({"domainRules": [{"name": "r", "type": "CEL", "kind": "TRANSFORM", "mode": "WRITEREAD", "tags": ["a", "b"]}], "migrationRules": []})
            ),
        ));
        // Order of rules matters (RuleSet.equals compares lists).
        assert!(!same_rule_set(
            Some(&json!({"domainRules": [rule("a", "1"), rule("b", "1")]})),
            Some(&json!({"domainRules": [rule("b", "1"), rule("a", "1")]})),
        ));
    }
}
