//! JSON Schema (JSON or YAML) → neutral model: the root object and every nested object with `properties`
//! become `Type`s (named by `title`, else their path), `properties` become fields (optional unless `required`),
//! `format` and `type` lists become neutral types, local `$ref`s are followed (each target lowered once), `allOf`
//! members' properties are merged. External `$ref`s stay `Ty::Unknown`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::finding::Format;
use crate::formats::jsonschema::parse::{parse_json, parse_yaml, NodeId, Tree, Val};
use crate::lint::model::{Field, JsonFacts, Kind, Role, Schema, Ty, Type};
use crate::source::SourceFile;

/// Deeper nesting of object types than this is not lowered (hostile input stays cheap).
const MAX_DEPTH: usize = 40;

pub(super) fn lower(file: &Arc<SourceFile>) -> Option<Schema> {
    let lower_name = file.path.to_ascii_lowercase();
    let tree = if lower_name.ends_with(".yaml") || lower_name.ends_with(".yml") {
        parse_yaml(&file.text).ok()?
    } else {
        parse_json(&file.text).ok()?
    };
    let root = tree.root;
    if !matches!(tree.node(root).val, Val::Obj(_)) {
        return None;
    }
    let s = |k: &str| {
        tree.get(root, k)
            .and_then(|n| tree.str_of(n))
            .map(str::to_string)
    };
    let facts = JsonFacts {
        dialect: s("$schema"),
        title: s("title"),
        id: s("$id").or_else(|| s("id")),
        root_span: {
            let sp = tree.node(root).span.clone();
            sp.start..sp.start + 1
        },
        closed_or_open_stated: Vec::new(),
    };
    let stem = file
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&file.path)
        .split('.')
        .next()
        .unwrap_or("schema")
        .to_string();
    let root_name = facts
        .title
        .clone()
        .map(|t| pascal(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| pascal(&stem));
    let namespace = facts.id.clone();
    let mut cx = Cx {
        tree: &tree,
        types: Vec::new(),
        by_node: HashMap::new(),
        stated: Vec::new(),
        namespace,
    };
    cx.object(root, &root_name, String::new(), true, 0);
    let mut facts = facts;
    facts.closed_or_open_stated = cx.stated;
    Some(Schema {
        file: Arc::clone(file),
        format: Format::JsonSchema,
        types: cx.types,
        json: Some(facts),
        package: None,
        ignores: Vec::new(),
    })
}

struct Cx<'a> {
    tree: &'a Tree,
    types: Vec<Type>,
    /// Object nodes already lowered, by node: a `$ref` used twice names one type.
    by_node: HashMap<NodeId, String>,
    stated: Vec<String>,
    namespace: Option<String>,
}

/// `order-placed` / `order placed` → `OrderPlaced`.
fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

impl Cx<'_> {
    fn str(&self, node: NodeId, key: &str) -> Option<String> {
        super::json_str(self.tree, node, key)
    }

    fn strings(&self, node: NodeId, key: &str) -> Vec<String> {
        super::json_strings(self.tree, node, key)
    }

    /// Follows a local `$ref` (`#/definitions/X`, `#/$defs/X`); `None` for other references.
    fn deref(&self, node: NodeId) -> Option<NodeId> {
        let r = self.str(node, "$ref")?;
        let ptr = r.strip_prefix('#')?;
        let tokens: Vec<String> = ptr
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        self.tree.walk(self.tree.root, &tokens)
    }

    /// Properties of an object schema, `allOf` members included (first definition of a name wins).
    fn properties(
        &self,
        node: NodeId,
        depth: usize,
    ) -> Vec<(String, NodeId, std::ops::Range<usize>, bool)> {
        let mut out: Vec<(String, NodeId, std::ops::Range<usize>, bool)> = Vec::new();
        if depth > 8 {
            return out;
        }
        let required = self.strings(node, "required");
        if let Some(Val::Obj(members)) = self
            .tree
            .get(node, "properties")
            .map(|p| &self.tree.node(p).val)
        {
            for m in members {
                // `properties: {$ref: …}` is not a property named `$ref`.
                if m.key.starts_with('$') {
                    continue;
                }
                if !out.iter().any(|(n, ..)| n == &*m.key) {
                    out.push((
                        m.key.to_string(),
                        m.val,
                        m.key_span.clone(),
                        required.iter().any(|r| r == &*m.key),
                    ));
                }
            }
        }
        if let Some(Val::Arr(items)) = self.tree.get(node, "allOf").map(|p| &self.tree.node(p).val)
        {
            for i in items {
                if self.str(*i, "$ref").is_some() && self.deref(*i).is_none() {
                    continue;
                }
                let target = self.deref(*i).unwrap_or(*i);
                for p in self.properties(target, depth + 1) {
                    if !out.iter().any(|(n, ..)| *n == p.0) {
                        out.push(p);
                    }
                }
            }
        }
        // `required` listed beside allOf applies to merged properties too.
        for p in &mut out {
            if required.contains(&p.0) {
                p.3 = true;
            }
        }
        out
    }

    fn is_object(&self, node: NodeId) -> bool {
        let ty = self.str(node, "type");
        ty.as_deref() == Some("object")
            || self.tree.get(node, "properties").is_some()
            || (ty.is_none()
                && self.tree.get(node, "allOf").is_some()
                && !self.properties(node, 0).is_empty())
    }

    /// Lowers an object schema into a `Type` named `name`; returns its full name.
    fn object(
        &mut self,
        node: NodeId,
        name: &str,
        pointer: String,
        top: bool,
        depth: usize,
    ) -> String {
        if let Some(n) = self.by_node.get(&node) {
            return n.clone();
        }
        let full = match (&self.namespace, top) {
            (Some(ns), true) => format!("{ns}#{name}"),
            (Some(ns), false) => format!("{ns}#{name}"),
            (None, _) => name.to_string(),
        };
        self.by_node.insert(node, full.clone());
        if self.tree.get(node, "additionalProperties").is_some()
            || self.tree.get(node, "unevaluatedProperties").is_some()
        {
            self.stated.push(full.clone());
        }
        let span = self.tree.node(node).span.clone();
        let name_span = self
            .tree
            .member(node, "title")
            .map(|m| self.tree.node(m.val).span.clone())
            .unwrap_or(span.start..span.start + 1);
        let at = self.types.len();
        self.types.push(Type {
            kind: Kind::Record,
            name: name.to_string(),
            full_name: full.clone(),
            namespace: self.namespace.clone(),
            doc: self.str(node, "description"),
            aliases: Vec::new(),
            tags: self.strings(node, "confluent:tags"),
            props: self.props(node),
            fields: Vec::new(),
            symbols: Vec::new(),
            enum_default: None,
            top_level: top,
            role: Role::Plain,
            incomplete: false,
            span,
            name_span,
            pointer: pointer.clone(),
        });
        if depth > MAX_DEPTH {
            return full;
        }
        let mut fields = Vec::new();
        for (pname, pnode, key_span, required) in self.properties(node, 0) {
            let fp = format!(
                "{pointer}/properties/{}",
                pname.replace('~', "~0").replace('/', "~1")
            );
            let target = self.deref(pnode).unwrap_or(pnode);
            let (ty, written, logical, nullable) = self.ty(target, &pname, &full, &fp, depth + 1);
            let default = self
                .tree
                .get(target, "default")
                .map(|d| self.tree.canonical_string(d).chars().take(200).collect());
            fields.push(Field {
                name: pname,
                ty,
                written,
                logical,
                optional: !required || nullable,
                default,
                doc: self
                    .str(pnode, "description")
                    .or_else(|| self.str(target, "description")),
                aliases: Vec::new(),
                tags: {
                    let mut t = self.strings(pnode, "confluent:tags");
                    t.extend(self.strings(target, "confluent:tags"));
                    t
                },
                union_branches: Vec::new(),
                span: self.tree.node(pnode).span.clone(),
                name_span: key_span,
                pointer: fp,
            });
        }
        self.types[at].fields = fields;
        self.types[at].incomplete = self.external_all_of(node);
        full
    }

    /// Whether an `allOf` member of `node` is a reference this file cannot resolve.
    fn external_all_of(&self, node: NodeId) -> bool {
        match self.tree.get(node, "allOf").map(|p| &self.tree.node(p).val) {
            Some(Val::Arr(items)) => items
                .iter()
                .any(|i| self.str(*i, "$ref").is_some() && self.deref(*i).is_none()),
            _ => false,
        }
    }

    /// The neutral type of a property schema; `(type, written, format, nullable)`.
    fn ty(
        &mut self,
        node: NodeId,
        prop: &str,
        parent: &str,
        pointer: &str,
        depth: usize,
    ) -> (Ty, String, Option<String>, bool) {
        // `$ref` cycles through `oneOf` / `items` / `additionalProperties` end here.
        if depth > MAX_DEPTH {
            return (Ty::Unknown("…".into()), "schema".into(), None, false);
        }
        let format = self.str(node, "format");
        let types: Vec<String> = match self.tree.get(node, "type").map(|t| &self.tree.node(t).val) {
            Some(Val::Str(s)) => vec![s.to_string()],
            Some(Val::Arr(items)) => items
                .iter()
                .filter_map(|i| self.tree.str_of(*i).map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let nullable = types.iter().any(|t| t == "null");
        let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        if self.str(node, "$ref").is_some() && self.deref(node).is_none() {
            let r = self.str(node, "$ref").unwrap_or_default();
            return (Ty::Unknown(r.clone()), r, None, nullable);
        }
        let written = non_null
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("|");
        let ty = match non_null.as_slice() {
            [] if self.is_object(node) => self.object_ty(node, prop, parent, pointer, depth),
            [] => {
                let alts = ["oneOf", "anyOf"].iter().find_map(|k| {
                    match self.tree.get(node, k).map(|n| &self.tree.node(n).val) {
                        Some(Val::Arr(items)) => Some(items.clone()),
                        _ => None,
                    }
                });
                match alts {
                    Some(items) => {
                        let mut tys = Vec::new();
                        for (i, it) in items.iter().enumerate() {
                            let target = self.deref(*it).unwrap_or(*it);
                            let (t, ..) =
                                self.ty(target, prop, parent, &format!("{pointer}/{i}"), depth + 1);
                            if t != Ty::Null {
                                tys.push(t);
                            }
                        }
                        if tys.len() == 1 {
                            tys.remove(0)
                        } else {
                            Ty::Union(tys)
                        }
                    }
                    None if self.tree.get(node, "enum").is_some()
                        || self.tree.get(node, "const").is_some() =>
                    {
                        Ty::String
                    }
                    None => Ty::Any,
                }
            }
            [one] => self.named_ty(one, node, format.as_deref(), prop, parent, pointer, depth),
            many => Ty::Union(
                many.iter()
                    .map(|t| {
                        self.named_ty(t, node, format.as_deref(), prop, parent, pointer, depth)
                    })
                    .collect(),
            ),
        };
        (
            ty,
            if written.is_empty() {
                "schema".into()
            } else {
                written
            },
            format,
            nullable,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn named_ty(
        &mut self,
        t: &str,
        node: NodeId,
        format: Option<&str>,
        prop: &str,
        parent: &str,
        pointer: &str,
        depth: usize,
    ) -> Ty {
        match t {
            "string" => match format {
                Some("date-time") => Ty::Timestamp,
                Some("date") => Ty::Date,
                Some("time" | "duration") => Ty::Time,
                Some("uuid") => Ty::Uuid,
                Some("decimal" | "money") => Ty::Decimal,
                _ => Ty::String,
            },
            "integer" => Ty::Int,
            "number" => Ty::Float,
            "boolean" => Ty::Bool,
            "null" => Ty::Null,
            "array" => {
                let items = self.tree.get(node, "items");
                match items {
                    Some(i) if matches!(self.tree.node(i).val, Val::Obj(_)) => {
                        let target = self.deref(i).unwrap_or(i);
                        let (t, ..) =
                            self.ty(target, prop, parent, &format!("{pointer}/items"), depth + 1);
                        Ty::Array(Box::new(t))
                    }
                    _ => Ty::Array(Box::new(Ty::Any)),
                }
            }
            "object" => self.object_ty(node, prop, parent, pointer, depth),
            other => Ty::Unknown(other.to_string()),
        }
    }

    fn object_ty(
        &mut self,
        node: NodeId,
        prop: &str,
        parent: &str,
        pointer: &str,
        depth: usize,
    ) -> Ty {
        if !self.properties(node, 0).is_empty() {
            let name = self
                .str(node, "title")
                .map(|t| pascal(&t))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| {
                    let parent_short = parent.rsplit(['#', '.']).next().unwrap_or(parent);
                    format!("{parent_short}.{}", pascal(prop))
                });
            return Ty::Record(self.object(node, &name, pointer.to_string(), false, depth));
        }
        match self.tree.get(node, "additionalProperties") {
            Some(a) if matches!(self.tree.node(a).val, Val::Obj(_)) => {
                let target = self.deref(a).unwrap_or(a);
                let (t, ..) = self.ty(
                    target,
                    prop,
                    parent,
                    &format!("{pointer}/additionalProperties"),
                    depth + 1,
                );
                Ty::Map(Box::new(t))
            }
            Some(a) if matches!(self.tree.node(a).val, Val::Bool(false)) => {
                Ty::Record(String::new())
            }
            _ => Ty::Any,
        }
    }

    fn props(&self, node: NodeId) -> Vec<(String, String)> {
        match &self.tree.node(node).val {
            Val::Obj(members) => members
                .iter()
                .filter(|m| m.key.starts_with("x-") || m.key.starts_with("confluent:"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_properties_and_formats() {
        let f = SourceFile::new(
            "order.schema.json",
            None,
            r##"{"$schema":"http://json-schema.org/draft-07/schema#","title":"order placed","type":"object",
               "additionalProperties":false,"required":["id"],
               "definitions":{"Money":{"type":"object","properties":{"amount":{"type":"number"}}}},
               "properties":{"id":{"type":"string"},"at":{"type":"string","format":"date-time"},
                 "total":{"$ref":"#/definitions/Money"},"meta":{"type":"object","additionalProperties":{"type":"string"}},
                 "extra":{},"note":{"type":["string","null"]}}}"##,
        );
        let s = lower(&f).expect("parses");
        let top = s.top().expect("top");
        assert_eq!(top.name, "OrderPlaced");
        let ty = |n: &str| {
            top.fields
                .iter()
                .find(|f| f.name == n)
                .map(|f| f.ty.clone())
        };
        assert_eq!(ty("at"), Some(Ty::Timestamp));
        assert_eq!(ty("total"), Some(Ty::Record("OrderPlaced.Total".into())));
        assert_eq!(ty("meta"), Some(Ty::Map(Box::new(Ty::String))));
        assert_eq!(ty("extra"), Some(Ty::Any));
        assert!(!top.fields[0].optional);
        assert!(top
            .fields
            .iter()
            .find(|f| f.name == "note")
            .is_some_and(|f| f.optional));
        assert_eq!(
            s.json.as_ref().map(|j| j.closed_or_open_stated.len()),
            Some(1)
        );
        assert_eq!(top.fields[1].pointer, "/properties/at");
    }
}
