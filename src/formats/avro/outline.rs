//! The outline of an `.avsc` file for readers (the catalog): every named type it defines, with fields, docs,
//! `confluent:tags`, defaults and logical types, and the named types it uses. Reads the JSON on its own (the
//! compat arena keeps no docs); never checks validity, which loading reports.

use serde_json::Value;

use crate::formats::outline::{clean_doc, FieldOutline, Outline, TypeOutline, TypeUse};

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Nesting deeper than this is not walked (serde_json refuses deeper documents anyway).
const MAX_DEPTH: usize = 64;

pub(crate) fn outline(text: &str) -> Option<Outline> {
    let v: Value = serde_json::from_str(text).ok()?;
    let mut out = Outline::default();
    let mut w = Walker { out: &mut out };
    w.ty(&v, "", 0);
    if let Some(main) = out.types.first() {
        out.doc = main.doc.clone();
        out.namespace = main.name.rsplit_once('.').map(|(ns, _)| ns.to_string());
    }
    out.uses.sort();
    out.uses.dedup();
    Some(out)
}

struct Walker<'a> {
    out: &'a mut Outline,
}

fn tags_of(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("confluent:tags") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn doc_of(o: &serde_json::Map<String, Value>) -> Option<String> {
    o.get("doc").and_then(Value::as_str).and_then(clean_doc)
}

fn full_name(name: &str, ns: &str) -> String {
    if name.contains('.') || ns.is_empty() {
        name.to_string()
    } else {
        format!("{ns}.{name}")
    }
}

fn short(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

impl Walker<'_> {
    /// Walks a type; returns how a reader would write it.
    fn ty(&mut self, v: &Value, ns: &str, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return "…".into();
        }
        match v {
            Value::String(s) => {
                if PRIMITIVES.contains(&s.as_str()) {
                    s.clone()
                } else {
                    let full = full_name(s, ns);
                    self.out.uses.push(TypeUse::absolute(full.clone()));
                    short(&full).to_string()
                }
            }
            Value::Array(branches) => branches
                .iter()
                .map(|b| self.ty(b, ns, depth + 1))
                .collect::<Vec<_>>()
                .join(" | "),
            Value::Object(o) => {
                let base = match o.get("type") {
                    Some(Value::String(t)) => t.as_str(),
                    // `{"type": {...}}`: a wrapped type.
                    Some(inner) => return self.ty(inner, ns, depth + 1),
                    None => return "?".into(),
                };
                let rendered = match base {
                    "record" | "error" | "enum" | "fixed" => self.named(o, base, ns, depth),
                    "array" => format!(
                        "array<{}>",
                        o.get("items")
                            .map(|i| self.ty(i, ns, depth + 1))
                            .unwrap_or_default()
                    ),
                    "map" => format!(
                        "map<{}>",
                        o.get("values")
                            .map(|i| self.ty(i, ns, depth + 1))
                            .unwrap_or_default()
                    ),
                    other => self.ty(&Value::String(other.to_string()), ns, depth + 1),
                };
                match o.get("logicalType").and_then(Value::as_str) {
                    Some("decimal") => {
                        let p = o.get("precision").and_then(Value::as_u64).unwrap_or(0);
                        let s = o.get("scale").and_then(Value::as_u64).unwrap_or(0);
                        format!("{rendered} (decimal({p},{s}))")
                    }
                    Some(l) => format!("{rendered} ({l})"),
                    None => rendered,
                }
            }
            _ => "?".into(),
        }
    }

    fn named(
        &mut self,
        o: &serde_json::Map<String, Value>,
        kind: &str,
        ns: &str,
        depth: usize,
    ) -> String {
        let name = o.get("name").and_then(Value::as_str).unwrap_or("?");
        let own_ns = o.get("namespace").and_then(Value::as_str).unwrap_or(ns);
        let full = full_name(name, own_ns);
        let inner_ns = full.rsplit_once('.').map(|(n, _)| n).unwrap_or("");
        let idx = self.out.types.len();
        self.out.defines.push(full.clone());
        self.out.types.push(TypeOutline {
            name: full.clone(),
            kind: if kind == "error" { "record" } else { kind }.to_string(),
            doc: doc_of(o),
            tags: tags_of(o),
            ..TypeOutline::default()
        });
        match kind {
            "enum" => {
                self.out.types[idx].symbols = o
                    .get("symbols")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "fixed" => {
                if let Some(size) = o.get("size").and_then(Value::as_u64) {
                    self.out.types[idx].symbols = vec![format!("{size} bytes")];
                }
            }
            _ => {
                let fields = o.get("fields").and_then(Value::as_array);
                let mut outs = Vec::new();
                for f in fields.into_iter().flatten() {
                    let Some(fo) = f.as_object() else { continue };
                    let ty = fo
                        .get("type")
                        .map(|t| self.ty(t, inner_ns, depth + 1))
                        .unwrap_or_default();
                    outs.push(FieldOutline {
                        name: fo
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        ty,
                        doc: doc_of(fo),
                        tags: tags_of(fo),
                        default: fo.get("default").map(|d| d.to_string()),
                        ..FieldOutline::default()
                    });
                }
                self.out.types[idx].fields = outs;
            }
        }
        short(&full).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fields_docs_tags_and_uses() {
        let o = outline(
            r#"{"type":"record","name":"Order","namespace":"acme","doc":"An order was placed.",
            "fields":[
              {"name":"id","type":"string","doc":"Order id"},
              {"name":"email","type":["null","string"],"default":null,"confluent:tags":["PII"]},
              {"name":"total","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"customer","type":"other.Customer"},
              {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
                  {"name":"sku","type":"string"}]}}},
              {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}}
            ]}"#,
        )
        .expect("valid json");
        assert_eq!(o.doc.as_deref(), Some("An order was placed."));
        assert_eq!(o.namespace.as_deref(), Some("acme"));
        assert_eq!(o.defines, vec!["acme.Order", "acme.Line", "acme.Status"]);
        let f = &o.types[0].fields;
        assert_eq!(f[1].ty, "null | string");
        assert_eq!(f[1].tags, vec!["PII"]);
        assert_eq!(f[1].default.as_deref(), Some("null"));
        assert_eq!(f[2].ty, "bytes (decimal(9,2))");
        assert_eq!(f[3].ty, "Customer");
        assert_eq!(f[4].ty, "array<Line>");
        assert_eq!(o.types[2].symbols, vec!["NEW", "PAID"]);
        assert_eq!(o.uses, vec![TypeUse::absolute("other.Customer")]);
    }

    #[test]
    fn not_json_has_no_outline() {
        assert!(outline("{").is_none());
    }
}
