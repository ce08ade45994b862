//! Contract sidecars — the one reader: `<schema file>.contract.yaml` (or `.contract.yml`, `.contract.json`) beside a
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
//! Each sidecar is parsed once, by the span-keeping JSON/YAML reader, into a [`Contract`] that keeps the tree (lint
//! points findings into the file), its `metadata` / `ruleSet` values (`registry apply` registers them, `registry
//! plan` diffs them) and the read error, located. `registry` reads with [`find`] (strict: a broken sidecar is an
//! error), lint with [`load_from`] (a broken sidecar is a `CONTRACT_METADATA_VALID` finding), the catalog with
//! [`find`] and skips what it cannot read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::finding::Location;
use crate::formats::jsonschema::parse::{parse_json, parse_yaml, NodeId, Tree, Val};
use crate::source::SourceFile;

/// The sidecar suffixes, in the order they are looked up.
pub const SUFFIXES: &[&str] = &[".contract.yaml", ".contract.yml", ".contract.json"];

/// Largest sidecar read (a bigger one is an error).
pub const MAX_BYTES: u64 = 1 << 20;

/// Most JSON nodes of `metadata` or `ruleSet` turned into values.
const MAX_NODES: usize = 100_000;

/// Why a sidecar cannot be used, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct SidecarError {
    /// The sidecar's path as found.
    pub path: String,
    /// 1-based line and column of the problem (1:1 when it has no place in the file).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for SidecarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "contract sidecar `{}:{}:{}`: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SidecarError {}

/// One sidecar, parsed.
pub struct Contract {
    pub file: Arc<SourceFile>,
    pub(crate) tree: Option<Tree>,
    /// Why the sidecar could not be read (syntax), with the span.
    pub error: Option<(String, Range<usize>)>,
    /// `metadata` and `ruleSet` when they are objects.
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("path", &self.file.path)
            .field("metadata", &self.metadata)
            .field("rule_set", &self.rule_set)
            .finish()
    }
}

/// Parses one sidecar file (YAML, or JSON when its name ends in `.json`). Never fails: a syntax error is kept in
/// [`Contract::error`].
pub fn read(file: Arc<SourceFile>) -> Contract {
    let parsed = if file.path.ends_with(".json") {
        parse_json(&file.text)
    } else {
        parse_yaml(&file.text)
    };
    let (tree, error) = match parsed {
        Ok(t) => (Some(t), None),
        Err(e) => (None, Some((e.message, e.span))),
    };
    let mut c = Contract {
        file,
        tree,
        error,
        metadata: None,
        rule_set: None,
    };
    let object = |key: &str| {
        let (tree, n) = c.at(&[key])?;
        matches!(tree.node(n).val, Val::Obj(_))
            .then(|| crate::formats::jsonschema::node_value(tree, n, MAX_NODES))
            .flatten()
    };
    let (metadata, rule_set) = (object("metadata"), object("ruleSet"));
    c.metadata = metadata;
    c.rule_set = rule_set;
    c
}

/// Parses a sidecar's text (see [`read`]) and checks it as the registry takes it ([`Contract::check`]).
pub fn parse(path: &str, text: &str) -> Result<Contract, SidecarError> {
    let c = read(SourceFile::new(path.to_string(), None, text.to_string()));
    c.check()?;
    Ok(c)
}

/// The sidecar of the schema at `schema_path` (repository-relative) below `root`, if there is one, checked.
pub fn find(root: &Path, schema_path: &str) -> Result<Option<Contract>, SidecarError> {
    if let Some(e) = two_sidecars_at(root, schema_path) {
        return Err(e);
    }
    for suffix in SUFFIXES {
        let rel = format!("{schema_path}{suffix}");
        let full = root.join(&rel);
        let Ok(meta) = std::fs::metadata(&full) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let fail = |message: String| SidecarError {
            path: rel.clone(),
            line: 1,
            column: 1,
            message,
        };
        if meta.len() > MAX_BYTES {
            return Err(fail(format!(
                "{} bytes, more than the {MAX_BYTES} a sidecar may have",
                meta.len()
            )));
        }
        let file = crate::source::read_file(&full, &rel).map_err(|e| fail(e.to_string()))?;
        let c = read(file);
        c.check()?;
        return Ok(Some(c));
    }
    Ok(None)
}

/// The error for a schema at `schema_path` with two sidecars below `root`: picking one by suffix order would
/// silently ignore the other (new user's trial).
pub fn two_sidecars_at(root: &Path, schema_path: &str) -> Option<SidecarError> {
    let present: Vec<String> = SUFFIXES
        .iter()
        .map(|suffix| format!("{schema_path}{suffix}"))
        .filter(|rel| std::fs::metadata(root.join(rel)).is_ok_and(|m| m.is_file()))
        .collect();
    match present.as_slice() {
        [first, second, ..] => Some(two_sidecars(schema_path, first, second)),
        _ => None,
    }
}

/// The error for a schema with two sidecars.
fn two_sidecars(schema: &str, first: &str, second: &str) -> SidecarError {
    SidecarError {
        path: first.to_string(),
        line: 1,
        column: 1,
        message: format!(
            "`{second}` is a sidecar of `{schema}` too: a schema has one contract sidecar, so keep one of the two"
        ),
    }
}

/// The first schema among `files` with two sidecars, as the error `find` gives (lint reads sidecars from files).
pub fn two_sidecars_among(files: &[Arc<SourceFile>]) -> Option<SidecarError> {
    let mut by_schema: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in files {
        if let Some(schema) = SUFFIXES.iter().find_map(|s| f.shown.strip_suffix(s)) {
            let list = by_schema.entry(schema).or_default();
            if !list.contains(&f.shown.as_str()) {
                list.push(&f.shown);
            }
        }
    }
    by_schema.into_iter().find_map(|(schema, mut list)| {
        list.sort_by_key(|p| SUFFIXES.iter().position(|s| p.ends_with(s)));
        match list.as_slice() {
            [first, second, ..] => Some(two_sidecars(schema, first, second)),
            _ => None,
        }
    })
}

/// Sidecars found among `files` (any file, claimed by a format or not), by schema path.
pub fn load_from(files: &[Arc<SourceFile>]) -> HashMap<String, Contract> {
    let mut out = HashMap::new();
    for f in files {
        let Some(schema) = SUFFIXES.iter().find_map(|s| f.shown.strip_suffix(s)) else {
            continue;
        };
        if out.contains_key(schema) {
            continue;
        }
        out.insert(schema.to_string(), read(Arc::clone(f)));
    }
    out
}

impl Contract {
    /// The sidecar as the registry takes it: it parses, it is a mapping holding only `metadata` and/or `ruleSet`,
    /// and both are mappings.
    pub fn check(&self) -> Result<(), SidecarError> {
        let fail = |span: Range<usize>, message: String| {
            let at = self.file.line_col(span.start);
            SidecarError {
                path: self.file.shown.clone(),
                line: at.line,
                column: at.column,
                message,
            }
        };
        if let Some((message, span)) = &self.error {
            let what = if self.file.path.ends_with(".json") {
                "JSON"
            } else {
                "YAML"
            };
            // The parsers' messages say `invalid YAML: …` already; others get the prefix.
            let message = if message.starts_with("invalid ") {
                message.clone()
            } else {
                format!("invalid {what}: {message}")
            };
            return Err(fail(span.clone(), message));
        }
        let Some((tree, root)) = self.at(&[]) else {
            return Ok(());
        };
        let root_node = tree.node(root);
        match &root_node.val {
            Val::Null => Ok(()),
            Val::Obj(members) => {
                for m in members {
                    let span = tree.node(m.val).span.clone();
                    match &*m.key {
                        "metadata" | "ruleSet" => match tree.node(m.val).val {
                            Val::Obj(_) | Val::Null => {}
                            _ => return Err(fail(span, format!("`{}` must be a mapping", m.key))),
                        },
                        other => {
                            return Err(fail(
                                span,
                                format!(
                                    "unknown key `{other}`; a contract sidecar holds `metadata` and `ruleSet`"
                                ),
                            ))
                        }
                    }
                }
                Ok(())
            }
            _ => Err(fail(
                root_node.span.clone(),
                "a contract sidecar is a mapping with `metadata` and/or `ruleSet`".into(),
            )),
        }
    }

    /// `metadata.properties` as strings (other values left out).
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
        self.tag_globs().into_iter().collect()
    }

    fn root(&self) -> Option<(&Tree, NodeId)> {
        self.tree.as_ref().map(|t| (t, t.root))
    }

    /// The node at `path` (object keys) from the root.
    pub(crate) fn at(&self, path: &[&str]) -> Option<(&Tree, NodeId)> {
        let (tree, mut cur) = self.root()?;
        for k in path {
            cur = tree.get(cur, k)?;
        }
        Some((tree, cur))
    }

    /// `metadata.properties.<key>` as a string.
    pub fn property(&self, key: &str) -> Option<String> {
        let (tree, n) = self.at(&["metadata", "properties", key])?;
        tree.str_of(n).map(str::to_string)
    }

    /// `metadata.tags`: path glob → tags.
    pub fn tag_globs(&self) -> Vec<(String, Vec<String>)> {
        let Some((tree, n)) = self.at(&["metadata", "tags"]) else {
            return Vec::new();
        };
        let Val::Obj(members) = &tree.node(n).val else {
            return Vec::new();
        };
        members
            .iter()
            .map(|m| {
                let tags = match &tree.node(m.val).val {
                    Val::Arr(items) => items
                        .iter()
                        .filter_map(|i| tree.str_of(*i).map(str::to_string))
                        .collect(),
                    Val::Str(s) => vec![s.to_string()],
                    _ => Vec::new(),
                };
                (m.key.to_string(), tags)
            })
            .collect()
    }

    /// Tags `metadata.tags` gives to the field at dotted `path` (`Order.customer.email`, matched by globs such as
    /// `**.email`).
    pub fn tags_for(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (glob, tags) in self.tag_globs() {
            let Ok(g) = globset::GlobBuilder::new(&glob.replace('.', "/"))
                .literal_separator(true)
                .build()
            else {
                continue;
            };
            let m = g.compile_matcher();
            let as_path = path.replace('.', "/");
            if m.is_match(&as_path) || m.is_match(format!("x/{as_path}")) {
                out.extend(tags);
            }
        }
        out
    }

    /// A location in the sidecar.
    pub fn location(&self, node: Option<NodeId>, pointer: &str) -> Location {
        let span = match (node, &self.tree) {
            (Some(n), Some(t)) => t.node(n).span.clone(),
            _ => 0..0,
        };
        Location::new(&self.file, span).with_pointer(pointer.to_string())
    }
}

/// A place where a readable sidecar's `metadata` or `ruleSet` is not what the registry takes: found once here,
/// reported by lint as `CONTRACT_METADATA_VALID` / `CONTRACT_RULESET_VALID` findings and by `registry plan|apply`
/// as errors ([`Contract::shape_errors`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The node the problem is at (the sidecar's root when `None`).
    pub node: Option<NodeId>,
    /// JSON pointer into the sidecar (`/metadata/properties/owner`).
    pub pointer: String,
    pub message: String,
    pub help: String,
    /// A governance rule of schemaguard's (§8.8 design notes: `sensitive` naming a missing property, a `DLQ`
    /// action without `dlq.topic`), which the registry itself accepts: lint reports it, `plan`/`apply` do not
    /// refuse it.
    pub governance: bool,
}

impl Problem {
    fn governance(mut self) -> Problem {
        self.governance = true;
        self
    }
}

fn problem(
    node: Option<NodeId>,
    pointer: impl Into<String>,
    message: String,
    help: &str,
) -> Problem {
    Problem {
        node,
        pointer: pointer.into(),
        message,
        help: help.to_string(),
        governance: false,
    }
}

fn valid_rule_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == '-')
}

impl Contract {
    /// Every located problem of `metadata` and `ruleSet` (a sidecar that parses), as `registry plan|apply` refuse
    /// them before any request. Rules selecting tags no field carries are lint's alone (they need the schema).
    pub fn shape_errors(&self) -> Vec<SidecarError> {
        self.metadata_problems()
            .into_iter()
            .chain(self.rule_set_problems(None))
            .filter(|p| !p.governance)
            .map(|p| {
                let span = match (p.node, &self.tree) {
                    (Some(n), Some(t)) => t.node(n).span.clone(),
                    _ => 0..0,
                };
                let at = self.file.line_col(span.start);
                SidecarError {
                    path: self.file.shown.clone(),
                    line: at.line,
                    column: at.column,
                    message: format!("{}: {} ({})", p.pointer, p.message, p.help),
                }
            })
            .collect()
    }

    /// Problems of `metadata` (Confluent's `Metadata`: `properties` a map of strings, `tags` a map of string
    /// lists, `sensitive` a list of property names, no other key), and a root that is not an object.
    pub fn metadata_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let Some((tree, root)) = self.at(&[]) else {
            return out;
        };
        if !matches!(tree.node(root).val, Val::Obj(_)) {
            out.push(problem(
                Some(root),
                "",
                format!("data contract `{}` is not an object", self.file.path),
                "write `metadata:` and `ruleSet:` keys at the top level",
            ));
            return out;
        }
        let Some((_, meta)) = self.at(&["metadata"]) else {
            return out;
        };
        let members = match &tree.node(meta).val {
            Val::Obj(members) => members,
            _ => {
                out.push(problem(
                    Some(meta),
                    "/metadata",
                    "`metadata` is not an object".into(),
                    "write `metadata: {properties: {…}, tags: {…}, sensitive: […]}`",
                ));
                return out;
            }
        };
        let mut keys: Vec<String> = Vec::new();
        for m in members {
            let p = format!("/metadata/{}", m.key);
            match &*m.key {
                "properties" => match &tree.node(m.val).val {
                    Val::Obj(props) => {
                        for pr in props {
                            keys.push(pr.key.to_string());
                            if !matches!(tree.node(pr.val).val, Val::Str(_)) {
                                out.push(problem(Some(pr.val), format!("{p}/{}", pr.key), format!("metadata property `{}` is not a string", pr.key), "quote the value: the registry stores properties as a map of strings (SortedMap<String, String>)"));
                            }
                        }
                    }
                    _ => out.push(problem(
                        Some(m.val),
                        p,
                        "`metadata.properties` is not an object".into(),
                        "write `properties: {owner: team-orders}`",
                    )),
                },
                "tags" => match &tree.node(m.val).val {
                    Val::Obj(tags) => {
                        for tg in tags {
                            let ok = match &tree.node(tg.val).val {
                                Val::Arr(items) => items.iter().all(|i| tree.str_of(*i).is_some()),
                                _ => false,
                            };
                            if !ok {
                                out.push(problem(Some(tg.val), format!("{p}/{}", tg.key), format!("metadata tags of `{}` are not a list of strings", tg.key), "write `tags: {\"**.email\": [PII]}`: a path glob mapped to a list of tag names"));
                            }
                        }
                    }
                    _ => out.push(problem(
                        Some(m.val),
                        p,
                        "`metadata.tags` is not an object".into(),
                        "write `tags: {\"**.email\": [PII]}`",
                    )),
                },
                "sensitive" => {}
                other => out.push(problem(
                    Some(m.val),
                    p,
                    format!("unknown metadata key `{other}`"),
                    "Confluent metadata has `properties`, `tags` and `sensitive` only",
                )),
            }
        }
        if let Some((_, s)) = self.at(&["metadata", "sensitive"]) {
            match &tree.node(s).val {
                Val::Arr(items) => {
                    for (i, it) in items.iter().enumerate() {
                        match tree.str_of(*it) {
                            Some(k) if keys.iter().any(|x| x == k) => {}
                            Some(k) => out.push(problem(
                                Some(*it),
                                format!("/metadata/sensitive/{i}"),
                                format!(
                                    "`sensitive` names `{k}`, which is not a metadata property"
                                ),
                                "list only keys of `metadata.properties` whose values are secrets",
                            )
                            .governance()),
                            None => out.push(problem(
                                Some(*it),
                                format!("/metadata/sensitive/{i}"),
                                "`sensitive` entry is not a string".into(),
                                "list property names",
                            )),
                        }
                    }
                }
                _ => out.push(problem(
                    Some(s),
                    "/metadata/sensitive",
                    "`metadata.sensitive` is not a list".into(),
                    "write `sensitive: [api_key]`",
                )),
            }
        }
        out
    }

    /// Problems of `ruleSet` that break the registry's `RuleSet.validate` (names unique, ≤ 256 characters, allowed
    /// characters; `type` present; kind and mode allowed; action pairs only for WRITEREAD / UPDOWN), a `DLQ` action
    /// without `dlq.topic`; with `known_tags` (the tags the schema's fields carry), also rules selecting other tags.
    pub fn rule_set_problems(&self, known_tags: Option<&BTreeSet<String>>) -> Vec<Problem> {
        let mut out = Vec::new();
        let Some((tree, rs)) = self.at(&["ruleSet"]) else {
            return out;
        };
        let mut names: Vec<String> = Vec::new();
        for (list, modes) in [
            ("migrationRules", &["UPGRADE", "DOWNGRADE", "UPDOWN"][..]),
            ("domainRules", &["WRITE", "READ", "WRITEREAD"][..]),
            ("encodingRules", &["WRITE", "READ", "WRITEREAD"][..]),
        ] {
            let Some(l) = tree.get(rs, list) else {
                continue;
            };
            let Val::Arr(rules) = &tree.node(l).val else {
                out.push(problem(
                    Some(l),
                    format!("/ruleSet/{list}"),
                    format!("`ruleSet.{list}` is not a list"),
                    "write a list of rules",
                ));
                continue;
            };
            for (i, r) in rules.iter().enumerate() {
                let p = format!("/ruleSet/{list}/{i}");
                let s = |k: &str| {
                    tree.get(*r, k)
                        .and_then(|n| tree.str_of(n))
                        .map(str::to_string)
                };
                let name = s("name").unwrap_or_default();
                let label = if name.is_empty() {
                    format!("rule #{i} of `{list}`")
                } else {
                    format!("rule `{name}`")
                };
                let name_node = tree.get(*r, "name").or(Some(*r));
                if name.is_empty() {
                    out.push(problem(
                        Some(*r),
                        p.clone(),
                        format!("{label} has no `name`"),
                        "every rule needs a name (a letter or `_`, then letters, digits, `_` or `-`)",
                    ));
                } else if name.chars().count() > 256 {
                    out.push(problem(
                        name_node,
                        format!("{p}/name"),
                        format!("{label}: the name is longer than 256 characters"),
                        "shorten the name (Rule.NAME_MAX_LENGTH is 256)",
                    ));
                } else if !valid_rule_name(&name) {
                    out.push(problem(
                        name_node,
                        format!("{p}/name"),
                        format!("{label}: the name has characters the registry refuses"),
                        "start with a letter or `_`, then use only letters, digits, `_` and `-`",
                    ));
                } else if names.contains(&name) {
                    out.push(problem(name_node, format!("{p}/name"), format!("{label} is defined twice in the rule set"), "rule names must be unique across migrationRules, domainRules and encodingRules"));
                }
                names.push(name.clone());
                if s("type").is_none_or(|t| t.trim().is_empty()) {
                    out.push(problem(Some(*r), p.clone(), format!("{label} has no `type`"), "name the executor: CEL, CEL_FIELD, JSONATA, ENCRYPT, ENCRYPT_PAYLOAD, REDACT, …"));
                }
                if let Some(k) = s("kind") {
                    if !matches!(k.as_str(), "CONDITION" | "TRANSFORM") {
                        out.push(problem(
                            tree.get(*r, "kind"),
                            format!("{p}/kind"),
                            format!("{label}: kind `{k}` is neither CONDITION nor TRANSFORM"),
                            "use CONDITION (a check) or TRANSFORM (a change)",
                        ));
                    }
                }
                let mode = s("mode");
                if let Some(m) = &mode {
                    if !modes.contains(&m.as_str()) {
                        out.push(problem(
                            tree.get(*r, "mode"),
                            format!("{p}/mode"),
                            format!("{label}: mode `{m}` is not allowed in `{list}`"),
                            &format!("`{list}` takes {}", modes.join(", ")),
                        ));
                    }
                }
                let pair_ok = matches!(mode.as_deref(), Some("WRITEREAD" | "UPDOWN"));
                let mut dlq = false;
                for key in ["onSuccess", "onFailure"] {
                    let Some(a) = s(key) else { continue };
                    if a.contains(',') && !pair_ok {
                        out.push(problem(tree.get(*r, key), format!("{p}/{key}"), format!("{label}: `{key}` is the pair `{a}` but the mode is not WRITEREAD or UPDOWN"), "give one action; a comma pair names the write and read (or up and down) actions of a two-way rule"));
                    }
                    if a.contains(',') && a.split(',').count() != 2 {
                        out.push(problem(
                            tree.get(*r, key),
                            format!("{p}/{key}"),
                            format!("{label}: `{key}` `{a}` has more than two actions"),
                            "write `ACTION` or `WRITE_ACTION,READ_ACTION`",
                        ));
                    }
                    dlq |= a.split(',').any(|x| x.trim() == "DLQ");
                }
                if dlq
                    && tree
                        .get(*r, "params")
                        .and_then(|p| tree.get(p, "dlq.topic"))
                        .is_none()
                {
                    out.push(
                        problem(
                            Some(*r),
                            p.clone(),
                            format!(
                                "{label} sends failures to the DLQ but sets no `dlq.topic` param"
                            ),
                            "add `params: {\"dlq.topic\": \"<topic>\"}`",
                        )
                        .governance(),
                    );
                }
                if let (Some(known), Some(tn)) = (known_tags, tree.get(*r, "tags")) {
                    if let Val::Arr(items) = &tree.node(tn).val {
                        for (j, it) in items.iter().enumerate() {
                            if let Some(tag) = tree.str_of(*it) {
                                if !known.contains(tag) {
                                    out.push(problem(Some(*it), format!("{p}/tags/{j}"), format!("{label} selects tag `{tag}`, which no field of the schema carries"), "tag the fields (`confluent:tags`, `(confluent.field_meta)` or `metadata.tags`) or fix the tag name: a rule whose tags match nothing silently does nothing"));
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_sidecar_gives_owner_tags_and_values() {
        let c = parse(
            "o.avsc.contract.yaml",
            "metadata:\n  properties:\n    owner: orders-team\n  tags:\n    \"**.ssn\": [PII]\nruleSet:\n  domainRules: []\n",
        )
        .expect("parses");
        assert_eq!(c.owner().as_deref(), Some("orders-team"));
        assert_eq!(c.property("owner").as_deref(), Some("orders-team"));
        assert_eq!(c.tags().get("**.ssn"), Some(&vec!["PII".to_string()]));
        assert_eq!(c.rule_set, Some(serde_json::json!({"domainRules": []})));
    }

    #[test]
    fn errors_say_where() {
        let e = parse("x.contract.json", "{\n  \"owner\": \"me\"\n}").expect_err("unknown key");
        assert_eq!((e.line, e.column), (2, 12), "{e}");
        assert!(e.to_string().contains("x.contract.json:2:12"), "{e}");
        assert!(e.message.contains("unknown key `owner`"), "{e}");
        let e = parse("x.contract.json", r#"{"metadata":[]}"#).expect_err("not a mapping");
        assert!(e.message.contains("`metadata` must be a mapping"), "{e}");
        let e = parse("x.contract.yaml", "metadata: {properties: [}\n").expect_err("syntax");
        assert!(e.message.starts_with("invalid YAML: "), "{e}");
        assert!(!e.message.contains("YAML: invalid YAML"), "said once: {e}");
        let e = parse("x.contract.json", "{\"metadata\": {").expect_err("syntax");
        assert!(e.message.starts_with("invalid JSON: "), "{e}");
        // Lint's reader keeps the same error instead of failing.
        let c = read(SourceFile::new("y.contract.yaml", None, "a: ["));
        assert!(c.error.is_some() && c.metadata.is_none());
    }
}
