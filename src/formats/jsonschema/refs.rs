//! `$ref` resolution inside one snapshot: local JSON pointers (`#/definitions/x`, `#/$defs/x`), `$id` and
//! `$anchor` (draft 6/7 `"$id": "#name"` too), and relative references to other files of the same snapshot
//! (paths relative to the snapshot root, `/`-separated). Nothing is ever fetched: an `http(s)` reference that
//! no file of the snapshot declares as its `$id` stays unresolved and is reported.

use std::collections::{HashMap, HashSet};

use super::parse::{NodeId, Tree, Val};
use crate::formats::json;

/// Why a reference did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No checked file is the referenced document (a remote URI or a file outside the snapshot).
    Document,
    /// The document is here but the pointer or anchor names nothing in it.
    Fragment,
}

/// Where a reference landed: document, node, and the node's JSON pointer.
pub(crate) type Target = (u32, NodeId, String);

#[derive(Default)]
pub(crate) struct Index {
    /// Absolute URI (no fragment) → resource root.
    ids: HashMap<String, Target>,
    /// (absolute URI of the resource, anchor name) → node.
    anchors: HashMap<(String, String), Target>,
    /// (doc, node) of every object holding `$ref` → base URI in effect there.
    bases: HashMap<(u32, NodeId), String>,
    /// Snapshot path → doc.
    paths: HashMap<String, u32>,
}

pub(crate) fn file_uri(path: &str) -> String {
    format!("file:///{}", path.trim_start_matches('/'))
}

fn has_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    for c in chars {
        if c == ':' {
            return true;
        }
        if !(c.is_ascii_alphanumeric() || c == '+' || c == '.' || c == '-') {
            return false;
        }
    }
    false
}

fn strip_fragment(s: &str) -> &str {
    s.split('#').next().unwrap_or("")
}

/// `../a/./b` segments removed.
fn normalize_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/');
    for seg in path.split('/') {
        match seg {
            "." => {}
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
            }
            s => out.push(s),
        }
    }
    let mut s = out.join("/");
    if trailing && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// RFC 3986 reference resolution, reduced to what schemas use.
pub(crate) fn resolve_uri(base: &str, reference: &str) -> String {
    let base = strip_fragment(base);
    let reference = strip_fragment(reference);
    if reference.is_empty() {
        return base.to_string();
    }
    if has_scheme(reference) {
        return normalize_path(reference);
    }
    let (scheme, rest) = match base.find("://") {
        Some(i) => (&base[..i + 3], &base[i + 3..]),
        None => ("", base),
    };
    if let Some(r) = reference.strip_prefix("//") {
        return format!("{scheme}{r}");
    }
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if reference.starts_with('/') {
        return format!("{scheme}{authority}{}", normalize_path(reference));
    }
    let path = &rest[authority_end..];
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    format!(
        "{scheme}{authority}{}",
        normalize_path(&format!("{dir}{reference}"))
    )
}

fn pointer_tokens(fragment: &str) -> Option<Vec<String>> {
    let decoded = percent_decode(fragment);
    let rest = decoded.strip_prefix('/')?;
    Some(rest.split('/').map(json::unescape_token).collect())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

impl Index {
    /// Indexes `$id`, `$anchor` and the base URI of every `$ref` of every parsed document.
    pub fn build(docs: &[(String, Option<&Tree>)]) -> Index {
        let mut idx = Index::default();
        for (d, (path, tree)) in docs.iter().enumerate() {
            let d = d as u32;
            // The first document of a path wins (checked files come before reference documents).
            idx.paths.entry(path.clone()).or_insert(d);
            let Some(tree) = tree else { continue };
            let file_base = file_uri(path);
            idx.ids
                .insert(file_base.clone(), (d, tree.root, String::new()));
            // Iterative walk; YAML aliases make the tree a DAG, so each node is visited once.
            let mut seen: HashSet<NodeId> = HashSet::new();
            let mut stack: Vec<(NodeId, String, String)> =
                vec![(tree.root, file_base, String::new())];
            while let Some((node, base, ptr)) = stack.pop() {
                if !seen.insert(node) {
                    continue;
                }
                match &tree.node(node).val {
                    Val::Obj(members) => {
                        let mut base = base;
                        let declared = tree
                            .get(node, "$id")
                            .or_else(|| tree.get(node, "id"))
                            .and_then(|i| tree.str_of(i));
                        if let Some(id) = declared {
                            if let Some(anchor) = id.strip_prefix('#') {
                                idx.anchors.insert(
                                    (base.clone(), anchor.to_string()),
                                    (d, node, ptr.clone()),
                                );
                            } else {
                                base = resolve_uri(&base, id);
                                idx.ids
                                    .entry(base.clone())
                                    .or_insert((d, node, ptr.clone()));
                                if let Some((_, frag)) = id.split_once('#') {
                                    if !frag.is_empty() && !frag.starts_with('/') {
                                        idx.anchors.insert(
                                            (base.clone(), frag.to_string()),
                                            (d, node, ptr.clone()),
                                        );
                                    }
                                }
                            }
                        }
                        for kw in ["$anchor", "$dynamicAnchor"] {
                            if let Some(a) = tree.get(node, kw).and_then(|a| tree.str_of(a)) {
                                idx.anchors
                                    .insert((base.clone(), a.to_string()), (d, node, ptr.clone()));
                            }
                        }
                        if tree.get(node, "$ref").is_some() {
                            idx.bases.insert((d, node), base.clone());
                        }
                        for m in members {
                            // Values of these keywords are data, not schemas.
                            if matches!(&*m.key, "enum" | "const" | "default" | "examples") {
                                continue;
                            }
                            stack.push((
                                m.val,
                                base.clone(),
                                format!("{ptr}/{}", json::escape_token(&m.key)),
                            ));
                        }
                    }
                    Val::Arr(items) => {
                        for (i, it) in items.iter().enumerate() {
                            stack.push((*it, base.clone(), format!("{ptr}/{i}")));
                        }
                    }
                    _ => {}
                }
            }
        }
        idx
    }

    /// Resolves `reference`, written in the object `node` of `doc` (whose file is `path`).
    pub fn resolve(
        &self,
        trees: &[Option<Tree>],
        doc: u32,
        node: NodeId,
        path: &str,
        reference: &str,
    ) -> Result<Target, Miss> {
        let base = self
            .bases
            .get(&(doc, node))
            .cloned()
            .unwrap_or_else(|| file_uri(path));
        let (uri_part, fragment) = match reference.split_once('#') {
            Some((u, f)) => (u, f),
            None => (reference, ""),
        };
        let absolute = resolve_uri(&base, uri_part);
        let mut resource = if uri_part.is_empty() {
            // A same-document reference: the document itself, even when another file declares the same `$id`.
            trees[doc as usize]
                .as_ref()
                .map(|t| (doc, t.root, String::new()))
        } else {
            self.ids.get(&absolute).cloned()
        };
        if resource.is_none() && !has_scheme(uri_part) {
            // A relative reference under a web `$id`: also try it relative to the file itself.
            let by_path = resolve_uri(&file_uri(path), uri_part);
            resource = self.ids.get(&by_path).cloned();
        }
        if resource.is_none() {
            if let Some(p) = absolute.strip_prefix("file:///") {
                // A path, possibly without its extension (`/fragment/common/1.0.0`).
                resource = ["", ".json", ".yaml", ".yml"].iter().find_map(|ext| {
                    self.paths.get(&format!("{p}{ext}")).and_then(|&d| {
                        trees[d as usize]
                            .as_ref()
                            .map(|t| (d, t.root, String::new()))
                    })
                });
            }
        }
        let (rdoc, rnode, rptr) = resource.ok_or(Miss::Document)?;
        if fragment.is_empty() {
            return Ok((rdoc, rnode, rptr));
        }
        if let Some(tokens) = pointer_tokens(fragment) {
            let tree = trees[rdoc as usize].as_ref().ok_or(Miss::Document)?;
            let target = tree.walk(rnode, &tokens).ok_or(Miss::Fragment)?;
            let ptr = tokens
                .iter()
                .fold(rptr, |acc, t| format!("{acc}/{}", json::escape_token(t)));
            return Ok((rdoc, target, ptr));
        }
        let key_base = {
            // Anchors are keyed by the URI of their resource.
            let mut b = absolute.clone();
            if !self.ids.contains_key(&b) {
                b = file_uri(
                    &self
                        .paths
                        .iter()
                        .find(|(_, &d)| d == rdoc)
                        .map(|(p, _)| p.clone())
                        .unwrap_or_default(),
                );
            }
            b
        };
        self.anchors
            .get(&(key_base, percent_decode(fragment)))
            .cloned()
            .or_else(|| {
                self.anchors
                    .iter()
                    .find(|((_, name), (d, _, _))| *d == rdoc && name == fragment)
                    .map(|(_, t)| t.clone())
            })
            .ok_or(Miss::Fragment)
    }

    /// Whether a reference points outside the snapshot (a web URI nobody here declares).
    pub fn is_remote(reference: &str) -> bool {
        let lower = reference.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_resolution() {
        assert_eq!(
            resolve_uri("file:///a/b.json", "c.json"),
            "file:///a/c.json"
        );
        assert_eq!(
            resolve_uri("file:///a/b.json", "../c.json"),
            "file:///c.json"
        );
        assert_eq!(
            resolve_uri("https://x.org/s/a.json", "b.json#/x"),
            "https://x.org/s/b.json"
        );
        assert_eq!(
            resolve_uri("https://x.org/s/a.json", "/t.json"),
            "https://x.org/t.json"
        );
        assert_eq!(resolve_uri("https://x.org/s/a.json", "urn:y"), "urn:y");
    }

    #[test]
    fn pointers_unescape() {
        assert_eq!(
            pointer_tokens("/definitions/a~1b/x%20y").unwrap(),
            vec!["definitions", "a/b", "x y"]
        );
    }
}
