//! Data-contract sidecars: `<schema file>.contract.yaml` or `.contract.json` next to a schema holds the
//! Confluent `metadata` (`properties`, `tags`, `sensitive`) and `ruleSet` the schema is registered with
//! (confluent.md §8). This is the minimal loader lint needs (owner, tags, reserved fields, rule hygiene); it
//! keeps spans so findings point into the sidecar. A sidecar that does not parse is reported by
//! `CONTRACT_METADATA_VALID`. Issue 8 (registry) defines the sidecar; when its loader lands, this one goes.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::Location;
use crate::formats::jsonschema::parse::{parse_json, parse_yaml, NodeId, Tree, Val};
use crate::source::SourceFile;

pub struct Contract {
    pub file: Arc<SourceFile>,
    pub(crate) tree: Option<Tree>,
    /// Why the sidecar could not be read, with the span.
    pub error: Option<(String, Range<usize>)>,
}

/// The sidecar suffixes, in the order they are looked up.
pub const SUFFIXES: &[&str] = &[".contract.yaml", ".contract.yml", ".contract.json"];

/// Sidecars found among `files` (any file, claimed by a format or not), by schema path.
pub fn load_from(files: &[Arc<SourceFile>]) -> HashMap<String, Contract> {
    let mut out = HashMap::new();
    for f in files {
        let Some(schema) = SUFFIXES.iter().find_map(|s| f.shown.strip_suffix(s)) else {
            continue;
        };
        let parsed = if f.shown.ends_with(".json") {
            parse_json(&f.text)
        } else {
            parse_yaml(&f.text)
        };
        let (tree, error) = match parsed {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some((e.message, e.span))),
        };
        out.entry(schema.to_string()).or_insert(Contract {
            file: Arc::clone(f),
            tree,
            error,
        });
    }
    out
}

impl Contract {
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
