//! Avro `.avsc` → neutral model: every named record and enum (nested ones included) becomes a `Type`, fields
//! keep doc, aliases, `confluent:tags`, default and union branches; logical types become neutral types.

use std::sync::Arc;

use super::join;
use crate::finding::Format;
use crate::formats::jsonschema::parse::{parse_json, NodeId, Tree, Val};
use crate::lint::model::{Field, Kind, Role, Schema, Symbol, Ty, Type};
use crate::source::SourceFile;

/// Keys of the Avro specification; every other string-valued key of a named type is a custom property.
const RESERVED: &[&str] = &[
    "type",
    "name",
    "namespace",
    "doc",
    "aliases",
    "fields",
    "symbols",
    "default",
    "items",
    "values",
    "size",
    "logicalType",
    "precision",
    "scale",
    "order",
];

pub(super) fn lower(file: &Arc<SourceFile>) -> Option<Schema> {
    let tree = parse_json(&file.text).ok()?;
    let mut cx = Cx {
        tree: &tree,
        types: Vec::new(),
    };
    cx.ty(tree.root, None, String::new(), true);
    Some(Schema {
        file: Arc::clone(file),
        format: Format::Avro,
        types: cx.types,
        json: None,
        package: None,
        ignores: Vec::new(),
    })
}

struct Cx<'a> {
    tree: &'a Tree,
    types: Vec<Type>,
}

/// What a type expression lowers to.
struct Lowered {
    ty: Ty,
    written: String,
    logical: Option<String>,
    branches: Vec<String>,
    optional: bool,
}

impl Cx<'_> {
    fn str(&self, node: NodeId, key: &str) -> Option<String> {
        super::json_str(self.tree, node, key)
    }

    fn strings(&self, node: NodeId, key: &str) -> Vec<String> {
        super::json_strings(self.tree, node, key)
    }

    fn ty(&mut self, node: NodeId, ns: Option<&str>, pointer: String, top: bool) -> Lowered {
        let plain = |ty: Ty, written: &str| Lowered {
            ty,
            written: written.to_string(),
            logical: None,
            branches: Vec::new(),
            optional: false,
        };
        // Depth is bounded by the JSON parser's nesting limit, so recursion is safe.
        match &self.tree.node(node).val {
            Val::Str(s) => {
                let s = s.to_string();
                match prim(&s) {
                    Some(t) => plain(t, &s),
                    None => {
                        let full = if s.contains('.') {
                            s.clone()
                        } else {
                            join(ns, &s)
                        };
                        plain(Ty::Record(full), &s)
                    }
                }
            }
            Val::Arr(items) => {
                let items = items.clone();
                let mut branches = Vec::new();
                let mut tys = Vec::new();
                let mut nullable = false;
                for (i, b) in items.iter().enumerate() {
                    let l = self.ty(*b, ns, format!("{pointer}/{i}"), false);
                    branches.push(l.written.clone());
                    if l.ty == Ty::Null {
                        nullable = true;
                    } else {
                        tys.push(l);
                    }
                }
                let mut out = if tys.len() == 1 {
                    tys.remove(0)
                } else {
                    Lowered {
                        ty: Ty::Union(tys.iter().map(|l| l.ty.clone()).collect()),
                        written: branches.join("|"),
                        logical: None,
                        branches: Vec::new(),
                        optional: false,
                    }
                };
                out.branches = branches;
                out.optional = nullable;
                out
            }
            Val::Obj(_) => self.complex(node, ns, pointer, top),
            _ => plain(Ty::Unknown("?".into()), "?"),
        }
    }

    fn complex(&mut self, node: NodeId, ns: Option<&str>, pointer: String, top: bool) -> Lowered {
        let logical = self.str(node, "logicalType");
        let Some(tnode) = self.tree.get(node, "type") else {
            return Lowered {
                ty: Ty::Unknown("?".into()),
                written: "?".into(),
                logical,
                branches: Vec::new(),
                optional: false,
            };
        };
        let Some(t) = self.tree.str_of(tnode).map(str::to_string) else {
            // `{"type": {...}}` or `{"type": [...]}`: the inner expression.
            return self.ty(tnode, ns, format!("{pointer}/type"), top);
        };
        let lowered = |ty: Ty, written: &str, logical: Option<String>| Lowered {
            ty,
            written: written.to_string(),
            logical,
            branches: Vec::new(),
            optional: false,
        };
        match t.as_str() {
            "record" | "error" | "enum" => {
                let Some(name) = self.str(node, "name") else {
                    return lowered(Ty::Unknown(t.clone()), &t, None);
                };
                let own_ns = if name.contains('.') {
                    name.rsplit_once('.').map(|(n, _)| n.to_string())
                } else {
                    self.str(node, "namespace")
                        .or_else(|| ns.map(str::to_string))
                        .filter(|n| !n.is_empty())
                };
                let short = name.rsplit('.').next().unwrap_or(&name).to_string();
                let full = join(own_ns.as_deref(), &short);
                let name_span = self
                    .tree
                    .get(node, "name")
                    .map(|n| self.tree.node(n).span.clone())
                    .unwrap_or_else(|| self.tree.node(node).span.clone());
                let mut ty = Type {
                    kind: if t == "enum" {
                        Kind::Enum
                    } else {
                        Kind::Record
                    },
                    name: short,
                    full_name: full.clone(),
                    namespace: own_ns.clone(),
                    doc: self.str(node, "doc"),
                    aliases: self.strings(node, "aliases"),
                    tags: self.strings(node, "confluent:tags"),
                    props: self.props(node),
                    fields: Vec::new(),
                    symbols: Vec::new(),
                    enum_default: self.str(node, "default"),
                    top_level: top,
                    role: Role::Plain,
                    incomplete: false,
                    span: self.tree.node(node).span.clone(),
                    name_span,
                    pointer: pointer.clone(),
                };
                if t == "enum" {
                    if let Some(Val::Arr(syms)) = self
                        .tree
                        .get(node, "symbols")
                        .map(|n| &self.tree.node(n).val)
                    {
                        ty.symbols = syms
                            .iter()
                            .filter_map(|s| {
                                self.tree.str_of(*s).map(|name| Symbol {
                                    name: name.to_string(),
                                    number: None,
                                    span: self.tree.node(*s).span.clone(),
                                })
                            })
                            .collect();
                    }
                    self.types.push(ty);
                    return lowered(Ty::Enum(full.clone()), &full, None);
                }
                let at = self.types.len();
                self.types.push(ty);
                let fields = match self
                    .tree
                    .get(node, "fields")
                    .map(|n| &self.tree.node(n).val)
                {
                    Some(Val::Arr(f)) => f.clone(),
                    _ => Vec::new(),
                };
                let mut out = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    let Some(fname) = self.str(*f, "name") else {
                        continue;
                    };
                    let fp = format!("{pointer}/fields/{i}");
                    let Some(tn) = self.tree.get(*f, "type") else {
                        continue;
                    };
                    let l = self.ty(tn, own_ns.as_deref(), format!("{fp}/type"), false);
                    let default = self
                        .tree
                        .get(*f, "default")
                        .map(|d| self.tree.canonical_string(d).chars().take(200).collect());
                    out.push(Field {
                        name: fname,
                        ty: l.ty,
                        written: l.written,
                        logical: l.logical,
                        optional: l.optional,
                        default,
                        doc: self.str(*f, "doc"),
                        aliases: self.strings(*f, "aliases"),
                        tags: self.strings(*f, "confluent:tags"),
                        union_branches: l.branches,
                        span: self.tree.node(*f).span.clone(),
                        name_span: self
                            .tree
                            .get(*f, "name")
                            .map(|n| self.tree.node(n).span.clone())
                            .unwrap_or_else(|| self.tree.node(*f).span.clone()),
                        pointer: fp,
                    });
                }
                self.types[at].fields = out;
                lowered(Ty::Record(full.clone()), &full, None)
            }
            "array" => {
                let inner = match self.tree.get(node, "items") {
                    Some(i) => self.ty(i, ns, format!("{pointer}/items"), false).ty,
                    None => Ty::Unknown("?".into()),
                };
                lowered(Ty::Array(Box::new(inner)), "array", None)
            }
            "map" => {
                let inner = match self.tree.get(node, "values") {
                    Some(i) => self.ty(i, ns, format!("{pointer}/values"), false).ty,
                    None => Ty::Unknown("?".into()),
                };
                lowered(Ty::Map(Box::new(inner)), "map", None)
            }
            "fixed" => {
                let ty = match logical.as_deref() {
                    Some("decimal") => Ty::Decimal,
                    Some("duration") => Ty::Time,
                    _ => Ty::Bytes,
                };
                lowered(ty, "fixed", logical)
            }
            other => match prim(other) {
                Some(base) => {
                    let ty = match (other, logical.as_deref()) {
                        (
                            "long",
                            Some(
                                "timestamp-millis"
                                | "timestamp-micros"
                                | "timestamp-nanos"
                                | "local-timestamp-millis"
                                | "local-timestamp-micros"
                                | "local-timestamp-nanos",
                            ),
                        ) => Ty::Timestamp,
                        ("int", Some("date")) => Ty::Date,
                        ("int", Some("time-millis")) | ("long", Some("time-micros")) => Ty::Time,
                        ("bytes", Some("decimal")) | ("string", Some("big-decimal")) => Ty::Decimal,
                        ("bytes", Some("big-decimal")) => Ty::Decimal,
                        ("string", Some("uuid")) | ("fixed", Some("uuid")) => Ty::Uuid,
                        _ => base,
                    };
                    lowered(ty, other, logical)
                }
                None => {
                    let full = if other.contains('.') {
                        other.to_string()
                    } else {
                        join(ns, other)
                    };
                    lowered(Ty::Record(full), other, None)
                }
            },
        }
    }

    fn props(&self, node: NodeId) -> Vec<(String, String)> {
        match &self.tree.node(node).val {
            Val::Obj(members) => members
                .iter()
                .filter(|m| !RESERVED.contains(&&*m.key))
                .filter_map(|m| {
                    self.tree
                        .str_of(m.val)
                        .map(|v| (m.key.to_string(), v.to_string()))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn prim(s: &str) -> Option<Ty> {
    Some(match s {
        "null" => Ty::Null,
        "boolean" => Ty::Bool,
        "int" | "long" => Ty::Int,
        "float" | "double" => Ty::Float,
        "bytes" => Ty::Bytes,
        "string" => Ty::String,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fields_and_logical_types() {
        let f = SourceFile::new(
            "o.avsc",
            None,
            r#"{"type":"record","name":"OrderPlaced","namespace":"acme","doc":"d","owner":"team-a","fields":[
              {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"note","type":["null","string"],"default":null,"confluent:tags":["PII"]},
              {"name":"status","type":{"type":"enum","name":"Status","symbols":["A","B"],"default":"A"}},
              {"name":"again","type":"Status"}]}"#,
        );
        let s = lower(&f).expect("parses");
        let top = s.top().expect("top");
        assert_eq!(top.full_name, "acme.OrderPlaced");
        assert_eq!(top.props, [("owner".to_string(), "team-a".to_string())]);
        assert_eq!(top.fields[0].ty, Ty::Timestamp);
        assert!(top.fields[1].optional);
        assert_eq!(top.fields[1].default.as_deref(), Some("null"));
        assert_eq!(top.fields[1].union_branches, ["null", "string"]);
        assert_eq!(top.fields[1].tags, ["PII"]);
        assert_eq!(top.fields[1].pointer, "/fields/1");
        assert_eq!(top.fields[2].ty, Ty::Enum("acme.Status".into()));
        let e = s.find("acme.Status").expect("enum");
        assert_eq!(e.enum_default.as_deref(), Some("A"));
        assert_eq!(e.pointer, "/fields/2/type");
    }
}
