//! The outline of a JSON Schema document for readers (the catalog): the root object's properties (nested objects
//! and array items as dotted paths), `$defs` / `definitions` as further types, descriptions, `confluent:tags`,
//! `required`, defaults, and the other files it `$ref`s. Reads the same tree loading builds (JSON or YAML);
//! never validates.

use super::parse::{self, NodeId, Tree, Val};
use crate::formats::outline::{clean_doc, FieldOutline, Outline, TypeOutline, TypeUse};

/// Nested objects deeper than this are not expanded into dotted fields.
const MAX_DEPTH: usize = 6;
/// At most this many fields per type (a generated schema can be huge; the catalog is for people).
const MAX_FIELDS: usize = 2_000;

pub(crate) fn outline(path: &str, text: &str) -> Option<Outline> {
    let lower = path.to_ascii_lowercase();
    let tree = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        parse::parse_yaml(text).ok()?
    } else {
        parse::parse_json(text).ok()?
    };
    let root = tree.root;
    let mut out = Outline {
        doc: desc(&tree, root),
        ..Outline::default()
    };
    out.defines.push(path.to_string());
    if let Some(id) = tree.get(root, "$id").and_then(|i| tree.str_of(i)) {
        out.defines.push(id.trim_end_matches('#').to_string());
    }
    let title = tree
        .get(root, "title")
        .and_then(|t| tree.str_of(t))
        .map(str::to_string)
        .unwrap_or_else(|| path.to_string());
    let mut w = Walker {
        tree: &tree,
        path,
        uses: Vec::new(),
    };
    let mut fields = Vec::new();
    w.properties(root, "", 0, &mut fields);
    out.types.push(TypeOutline {
        name: title,
        kind: kind_of(&tree, root),
        doc: desc(&tree, root),
        tags: tags(&tree, root),
        fields,
        symbols: enum_values(&tree, root),
    });
    for defs_key in ["$defs", "definitions"] {
        let Some(defs) = tree.get(root, defs_key) else {
            continue;
        };
        let Val::Obj(members) = &tree.node(defs).val else {
            continue;
        };
        for m in members {
            let mut fields = Vec::new();
            w.properties(m.val, "", 0, &mut fields);
            out.types.push(TypeOutline {
                name: format!("#/{defs_key}/{}", m.key),
                kind: kind_of(&tree, m.val),
                doc: desc(&tree, m.val),
                tags: tags(&tree, m.val),
                fields,
                symbols: enum_values(&tree, m.val),
            });
        }
    }
    // Walk refs that sit outside `properties` too (allOf, oneOf at the root…).
    w.collect_refs(root, 0);
    out.uses = w.uses;
    out.uses.sort();
    out.uses.dedup();
    Some(out)
}

/// A JSON or YAML document (by extension) as a `serde_json::Value`, through the same bounded parser as schemas
/// (depth-limited, YAML alias bombs refused); `None` when it does not parse or expands beyond `budget` nodes.
pub(crate) fn document_value(path: &str, text: &str, budget: usize) -> Option<serde_json::Value> {
    let lower = path.to_ascii_lowercase();
    let tree = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        parse::parse_yaml(text).ok()?
    } else {
        parse::parse_json(text).ok()?
    };
    let mut left = budget;
    to_value(&tree, tree.root, &mut left, 0)
}

/// The value of one node of a parsed tree, at most `budget` nodes (`None` beyond, or deeper than 128 levels).
pub(crate) fn node_value(t: &Tree, id: NodeId, budget: usize) -> Option<serde_json::Value> {
    let mut left = budget;
    to_value(t, id, &mut left, 0)
}

fn to_value(t: &Tree, id: NodeId, left: &mut usize, depth: usize) -> Option<serde_json::Value> {
    use serde_json::Value;
    *left = left.checked_sub(1)?;
    if depth > 128 {
        return None;
    }
    Some(match &t.node(id).val {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => serde_json::Number::from_f64(*n)
            .map(|n| {
                // Integers stay integers (`3`, not `3.0`).
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                {
                    Value::from(n.as_f64().unwrap_or_default() as i64)
                } else {
                    Value::Number(n)
                }
            })
            .unwrap_or(Value::Null),
        Val::Str(s) => Value::String(s.to_string()),
        Val::Arr(items) => Value::Array(
            items
                .iter()
                .map(|i| to_value(t, *i, left, depth + 1))
                .collect::<Option<Vec<_>>>()?,
        ),
        Val::Obj(members) => {
            let mut m = serde_json::Map::new();
            for mem in members {
                m.insert(mem.key.to_string(), to_value(t, mem.val, left, depth + 1)?);
            }
            Value::Object(m)
        }
    })
}

fn desc(t: &Tree, id: NodeId) -> Option<String> {
    t.get(id, "description")
        .and_then(|d| t.str_of(d))
        .and_then(clean_doc)
}

fn tags(t: &Tree, id: NodeId) -> Vec<String> {
    match t.get(id, "confluent:tags").map(|n| &t.node(n).val) {
        Some(Val::Arr(items)) => items
            .iter()
            .filter_map(|i| t.str_of(*i))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn enum_values(t: &Tree, id: NodeId) -> Vec<String> {
    match t.get(id, "enum").map(|n| &t.node(n).val) {
        Some(Val::Arr(items)) => items.iter().map(|i| scalar(t, *i)).collect(),
        _ => Vec::new(),
    }
}

fn scalar(t: &Tree, id: NodeId) -> String {
    match &t.node(id).val {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => n.to_string(),
        Val::Str(s) => format!("\"{s}\""),
        Val::Arr(_) => "[…]".into(),
        Val::Obj(_) => "{…}".into(),
    }
}

fn kind_of(t: &Tree, id: NodeId) -> String {
    match t.get(id, "type").map(|n| &t.node(n).val) {
        Some(Val::Str(s)) => s.to_string(),
        _ => "schema".into(),
    }
}

struct Walker<'a> {
    tree: &'a Tree,
    path: &'a str,
    uses: Vec<TypeUse>,
}

impl Walker<'_> {
    /// `a/b.json` + `../c.json#/x` → `c.json`; URLs stay as they are (without the fragment).
    fn resolve_ref(&self, r: &str) -> Option<String> {
        let target = r.split('#').next().unwrap_or("");
        if target.is_empty() {
            return None;
        }
        if target.contains("://") {
            return Some(target.to_string());
        }
        let mut parts: Vec<&str> = self.path.split('/').collect();
        parts.pop();
        for seg in target.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        Some(parts.join("/"))
    }

    fn ty(&mut self, id: NodeId) -> String {
        let t = self.tree;
        if let Some(r) = t.get(id, "$ref").and_then(|r| t.str_of(r)) {
            if let Some(target) = self.resolve_ref(r) {
                self.uses.push(TypeUse::absolute(target));
            }
            return format!("→ {r}");
        }
        let mut base = match t.get(id, "type").map(|n| &t.node(n).val) {
            Some(Val::Str(s)) => s.to_string(),
            Some(Val::Arr(items)) => items
                .iter()
                .filter_map(|i| t.str_of(*i))
                .collect::<Vec<_>>()
                .join(" | "),
            _ => {
                let mut alts = Vec::new();
                for k in ["oneOf", "anyOf"] {
                    if let Some(Val::Arr(items)) = t.get(id, k).map(|n| &t.node(n).val) {
                        alts.extend(items.iter().map(|i| self.ty(*i)));
                    }
                }
                if alts.is_empty() {
                    if t.get(id, "enum").is_some() {
                        "enum".into()
                    } else if t.get(id, "const").is_some() {
                        "const".into()
                    } else {
                        "any".into()
                    }
                } else {
                    alts.join(" | ")
                }
            }
        };
        if base == "array" {
            if let Some(items) = t.get(id, "items") {
                base = format!("array<{}>", self.ty(items));
            }
        }
        if let Some(f) = t.get(id, "format").and_then(|f| t.str_of(f)) {
            base = format!("{base} ({f})");
        }
        let values = enum_values(t, id);
        if !values.is_empty() {
            base = format!("{base}: {}", values.join(", "));
        }
        base
    }

    fn properties(&mut self, id: NodeId, prefix: &str, depth: usize, out: &mut Vec<FieldOutline>) {
        let t = self.tree;
        if depth > MAX_DEPTH || out.len() >= MAX_FIELDS {
            return;
        }
        let required: Vec<&str> = match t.get(id, "required").map(|n| &t.node(n).val) {
            Some(Val::Arr(items)) => items.iter().filter_map(|i| t.str_of(*i)).collect(),
            _ => Vec::new(),
        };
        let Some(props) = t.get(id, "properties") else {
            return;
        };
        let Val::Obj(members) = &t.node(props).val else {
            return;
        };
        for m in members {
            if out.len() >= MAX_FIELDS {
                return;
            }
            let name = format!("{prefix}{}", m.key);
            let default = t.get(m.val, "default").map(|d| scalar(t, d));
            out.push(FieldOutline {
                name: name.clone(),
                ty: self.ty(m.val),
                doc: desc(t, m.val),
                tags: tags(t, m.val),
                number: None,
                default,
                required: Some(required.contains(&&*m.key)),
            });
            self.properties(m.val, &format!("{name}."), depth + 1, out);
            if let Some(items) = t.get(m.val, "items") {
                self.properties(items, &format!("{name}[]."), depth + 1, out);
            }
        }
    }

    fn collect_refs(&mut self, id: NodeId, depth: usize) {
        if depth > 64 {
            return;
        }
        let t = self.tree;
        match &t.node(id).val {
            Val::Obj(members) => {
                for m in members {
                    if &*m.key == "$ref" {
                        if let Some(target) = t.str_of(m.val).and_then(|r| self.resolve_ref(r)) {
                            self.uses.push(TypeUse::absolute(target));
                        }
                    } else {
                        self.collect_refs(m.val, depth + 1);
                    }
                }
            }
            Val::Arr(items) => {
                for i in items {
                    self.collect_refs(*i, depth + 1);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_required_tags_refs() {
        let o = outline(
            "schemas/order.schema.json",
            r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Order",
               "description":"An order was placed.","type":"object","required":["id"],
               "properties":{
                 "id":{"type":"string","format":"uuid","description":"Order id"},
                 "email":{"type":"string","confluent:tags":["PII"]},
                 "address":{"$ref":"../common/address.json#/x"},
                 "lines":{"type":"array","items":{"type":"object","properties":{"sku":{"type":"string"}}}},
                 "status":{"enum":["NEW","PAID"]}
               }}"##,
        )
        .expect("valid");
        let f = &o.types[0].fields;
        assert_eq!(o.types[0].name, "Order");
        assert_eq!(f[0].ty, "string (uuid)");
        assert_eq!(f[0].required, Some(true));
        assert_eq!(f[1].tags, vec!["PII"]);
        assert_eq!(f[2].ty, "→ ../common/address.json#/x");
        assert_eq!(f[3].ty, "array<object>");
        assert_eq!(f[4].name, "lines[].sku");
        assert_eq!(f[5].ty, "enum: \"NEW\", \"PAID\"");
        assert_eq!(o.uses, vec![TypeUse::absolute("common/address.json")]);
    }
}
