//! The schema model the compatibility walk runs on: each JSON Schema value is classified the way the
//! everit-json-schema loader used by Confluent classifies it (a `type` array becomes `anyOf`, `integer` and
//! `number` are one number kind, `true`/`{}` are the empty schema, several kinds in one object become a synthetic
//! `allOf`, `$ref` hides its siblings). All documents of one snapshot share one arena, so a `$ref` can point into
//! another file. This module builds the model and resolves references (see `refs.rs`); it never compares.

use std::collections::HashMap;
use std::ops::Range;

use super::parse::{NodeId, Tree, Val};
use crate::formats::json;

pub(crate) type SchemaId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Criterion {
    All,
    Any,
    One,
}

impl Criterion {
    pub fn keyword(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }
}

/// `additionalProperties` / `additionalItems` as everit reads it: a boolean flag or a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Additional {
    /// Absent or `true`.
    Permit,
    Deny,
    Schema(SchemaId),
}

impl Additional {
    pub fn permits(self) -> bool {
        !matches!(self, Additional::Deny)
    }
    pub fn schema(self) -> Option<SchemaId> {
        match self {
            Additional::Schema(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct ObjectKind {
    pub props: Vec<(Box<str>, SchemaId)>,
    pub prop_index: HashMap<Box<str>, usize>,
    pub required: Vec<Box<str>>,
    pub pattern_props: Vec<(Option<fancy_regex::Regex>, SchemaId)>,
    pub additional: Additional,
    pub unevaluated: Option<SchemaId>,
    pub prop_deps: Vec<(Box<str>, Vec<Box<str>>)>,
    pub schema_deps: Vec<(Box<str>, SchemaId)>,
    pub max_props: Option<f64>,
    pub min_props: Option<f64>,
}

impl ObjectKind {
    pub fn prop(&self, name: &str) -> Option<SchemaId> {
        self.prop_index.get(name).map(|&i| self.props[i].1)
    }
    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| &**r == name)
    }
}

#[derive(Debug)]
pub(crate) struct ArrayKind {
    pub all_items: Option<SchemaId>,
    pub item_schemas: Vec<SchemaId>,
    pub additional: Additional,
    pub unevaluated: Option<SchemaId>,
    pub max_items: Option<f64>,
    pub min_items: Option<f64>,
    pub unique: bool,
    pub max_contains: Option<f64>,
    pub min_contains: Option<f64>,
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// `{}` or a schema without any typed keyword.
    Empty,
    True,
    False,
    Null,
    Boolean,
    String {
        min_len: Option<f64>,
        max_len: Option<f64>,
        pattern: Option<Box<str>>,
    },
    Number {
        integer: bool,
        min: Option<f64>,
        max: Option<f64>,
        excl_min: Option<f64>,
        excl_max: Option<f64>,
        multiple_of: Option<f64>,
    },
    /// Canonical texts of the allowed values.
    Enum(Vec<String>),
    Const(String),
    Combined {
        criterion: Criterion,
        subs: Vec<SchemaId>,
    },
    Not(SchemaId),
    /// `if`/`then`/`else` (everit's ConditionalSchema): a class of its own, not diffed inside (as Confluent).
    Conditional,
    Object(Box<ObjectKind>),
    Array(Box<ArrayKind>),
    /// A `$ref`; `target` is filled by resolution (`None`: unresolved, compared as the empty schema).
    Ref {
        reference: Box<str>,
        target: Option<SchemaId>,
    },
}

impl Kind {
    /// everit's Java class, for "same type" decisions.
    pub fn class(&self) -> u8 {
        match self {
            // An unresolved reference is compared as the empty schema (it was reported when loading).
            Kind::Empty | Kind::Ref { target: None, .. } => 0,
            Kind::True => 1,
            Kind::False => 2,
            Kind::Null => 3,
            Kind::Boolean => 4,
            Kind::String { .. } => 5,
            Kind::Number { .. } => 6,
            Kind::Enum(_) => 7,
            Kind::Const(_) => 8,
            Kind::Combined { .. } => 9,
            Kind::Not(_) => 10,
            Kind::Object(_) => 11,
            Kind::Array(_) => 12,
            Kind::Ref {
                target: Some(_), ..
            } => 13,
            Kind::Conditional => 14,
        }
    }
    /// `instanceof EmptySchema` (TrueSchema extends EmptySchema).
    pub fn is_empty_like(&self) -> bool {
        matches!(
            self,
            Kind::Empty | Kind::True | Kind::Ref { target: None, .. }
        )
    }
}

#[derive(Debug)]
pub(crate) struct Schema {
    pub doc: u32,
    /// The JSON value this schema was read from (a type-array branch shares its parent's node).
    pub node: NodeId,
    /// JSON pointer of `node` in its file.
    pub pointer: Box<str>,
    pub kind: Kind,
    pub id: Option<Box<str>>,
    pub title: Option<Box<str>>,
    pub description: Option<Box<str>>,
    /// Canonical text of `default`.
    pub default: Option<String>,
    pub connect_bytes: bool,
    /// Start of the property name when this schema is the value of a `properties` member, so a finding about
    /// the whole property underlines `"name": {…}`.
    pub key_start: Option<usize>,
    /// Tells apart the schemas everit derives from one JSON value (a type-array branch, a part of a synthetic
    /// `allOf`); with the value's canonical text it identifies duplicate subschemas of a combined schema.
    pub canon_suffix: Box<str>,
}

/// A keyword problem met while building the model (bad regex): (doc, span, message).
/// An input error found while building the model: document, span, JSON pointer of the offending value, message.
pub(crate) type ModelIssue = (u32, Range<usize>, String, String);

pub(crate) struct Builder<'a> {
    pub trees: &'a [Option<Tree>],
    pub schemas: Vec<Schema>,
    pub memo: HashMap<(u32, NodeId), SchemaId>,
    pub issues: Vec<ModelIssue>,
    /// Refs to resolve: schema ids of `Kind::Ref`.
    pub refs: Vec<SchemaId>,
}

const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "maxProperties",
    "minProperties",
    "propertyNames",
    "unevaluatedProperties",
];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "additionalItems",
    "prefixItems",
    "maxItems",
    "minItems",
    "uniqueItems",
    "contains",
    "maxContains",
    "minContains",
    "unevaluatedItems",
];
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];

impl<'a> Builder<'a> {
    pub fn new(trees: &'a [Option<Tree>]) -> Self {
        Builder {
            trees,
            schemas: Vec::new(),
            memo: HashMap::new(),
            issues: Vec::new(),
            refs: Vec::new(),
        }
    }

    fn tree(&self, doc: u32) -> &'a Tree {
        self.trees[doc as usize]
            .as_ref()
            .expect("schemas are only built for documents that parsed")
    }

    fn push(&mut self, s: Schema) -> SchemaId {
        self.schemas.push(s);
        (self.schemas.len() - 1) as SchemaId
    }

    fn bare(
        &self,
        doc: u32,
        node: NodeId,
        pointer: &str,
        kind: Kind,
        canon_suffix: String,
    ) -> Schema {
        Schema {
            doc,
            node,
            pointer: pointer.into(),
            kind,
            id: None,
            title: None,
            description: None,
            default: None,
            connect_bytes: false,
            key_start: None,
            canon_suffix: canon_suffix.into(),
        }
    }

    /// The schema of value `node` of document `doc` (memoized; tree depth is bounded so recursion is safe).
    pub fn build(&mut self, doc: u32, node: NodeId, pointer: &str) -> SchemaId {
        if let Some(&id) = self.memo.get(&(doc, node)) {
            return id;
        }
        let tree = self.tree(doc);
        let canon = String::new();
        let id = match &tree.node(node).val {
            Val::Bool(true) => self.push(self.bare(doc, node, pointer, Kind::True, canon)),
            Val::Bool(false) => self.push(self.bare(doc, node, pointer, Kind::False, canon)),
            Val::Obj(_) => self.build_object(doc, node, pointer, canon),
            // Not a schema: the meta-schema check reports it; compare it as the empty schema.
            _ => self.push(self.bare(doc, node, pointer, Kind::Empty, canon)),
        };
        self.memo.insert((doc, node), id);
        id
    }

    fn child(&mut self, doc: u32, node: NodeId, pointer: &str, kw: &str) -> Option<SchemaId> {
        let tree = self.tree(doc);
        let c = tree.get(node, kw)?;
        Some(self.build(doc, c, &format!("{pointer}/{}", json::escape_token(kw))))
    }

    fn num(&self, doc: u32, node: NodeId, kw: &str) -> Option<f64> {
        let tree = self.tree(doc);
        match tree.node(tree.get(node, kw)?).val {
            Val::Num(n) => Some(n),
            _ => None,
        }
    }

    fn string(&self, doc: u32, node: NodeId, kw: &str) -> Option<Box<str>> {
        let tree = self.tree(doc);
        tree.str_of(tree.get(node, kw)?).map(Into::into)
    }

    fn build_object(&mut self, doc: u32, node: NodeId, pointer: &str, canon: String) -> SchemaId {
        let _ = &canon;
        let tree = self.tree(doc);
        let has = |k: &str| tree.get(node, k).is_some();
        // Reserve the id first so that recursion through this node (a self-reference by pointer) terminates.
        let id = self.push(self.bare(doc, node, pointer, Kind::Empty, canon));
        self.memo.insert((doc, node), id);

        let kind = if let Some(r) = tree.get(node, "$ref").and_then(|r| tree.str_of(r)) {
            self.refs.push(id);
            Kind::Ref {
                reference: r.into(),
                target: None,
            }
        } else {
            let mut extracted: Vec<Kind> = Vec::new();
            if let Some(e) = tree.get(node, "enum") {
                let values = match &tree.node(e).val {
                    Val::Arr(items) => items.iter().map(|i| tree.canonical_string(*i)).collect(),
                    _ => Vec::new(),
                };
                extracted.push(Kind::Enum(values));
            }
            if let Some(c) = tree.get(node, "const") {
                extracted.push(Kind::Const(tree.canonical_string(c)));
            }
            if let Some(n) = self.child(doc, node, pointer, "not") {
                extracted.push(Kind::Not(n));
            }
            for crit in [Criterion::All, Criterion::Any, Criterion::One] {
                let kw = crit.keyword();
                if let Some(arr) = tree.get(node, kw) {
                    if let Val::Arr(items) = &tree.node(arr).val {
                        let items = items.clone();
                        let subs = items
                            .iter()
                            .enumerate()
                            .map(|(i, it)| self.build(doc, *it, &format!("{pointer}/{kw}/{i}")))
                            .collect();
                        extracted.push(Kind::Combined {
                            criterion: crit,
                            subs,
                        });
                    }
                }
            }
            if has("if") || has("then") || has("else") {
                for kw in ["if", "then", "else"] {
                    // Built so `$ref`s inside resolve and are checked; not compared.
                    let _ = self.child(doc, node, pointer, kw);
                }
                extracted.push(Kind::Conditional);
            }
            match tree.get(node, "type").map(|t| &tree.node(t).val) {
                Some(Val::Str(t)) => {
                    let t = t.to_string();
                    if let Some(k) = self.typed(doc, node, pointer, &t) {
                        extracted.push(k);
                    }
                }
                Some(Val::Arr(types)) => {
                    let names: Vec<String> = types
                        .iter()
                        .filter_map(|t| tree.str_of(*t).map(str::to_string))
                        .collect();
                    let mut subs = Vec::new();
                    for t in names {
                        if let Some(k) = self.typed(doc, node, pointer, &t) {
                            let c = format!("#type={t}");
                            subs.push(self.push(self.bare(doc, node, pointer, k, c)));
                        }
                    }
                    extracted.push(Kind::Combined {
                        criterion: Criterion::Any,
                        subs,
                    });
                }
                _ => {
                    if ARRAY_KEYWORDS.iter().any(|k| has(k)) {
                        extracted.push(self.array_kind(doc, node, pointer));
                    }
                    if OBJECT_KEYWORDS.iter().any(|k| has(k)) {
                        extracted.push(self.object_kind(doc, node, pointer));
                    }
                    if NUMBER_KEYWORDS.iter().any(|k| has(k)) {
                        extracted.push(self.number_kind(doc, node, false));
                    }
                    if STRING_KEYWORDS.iter().any(|k| has(k)) {
                        extracted.push(self.string_kind(doc, node, pointer));
                    }
                }
            }
            match extracted.len() {
                0 => Kind::Empty,
                1 => extracted.pop().unwrap_or(Kind::Empty),
                _ => {
                    let subs = extracted
                        .into_iter()
                        .enumerate()
                        .map(|(i, k)| {
                            let c = format!("#part={i}");
                            self.push(self.bare(doc, node, pointer, k, c))
                        })
                        .collect();
                    Kind::Combined {
                        criterion: Criterion::All,
                        subs,
                    }
                }
            }
        };
        let default = tree.get(node, "default").map(|d| tree.canonical_string(d));
        let id_kw = self
            .string(doc, node, "$id")
            .or_else(|| self.string(doc, node, "id"));
        let s = &mut self.schemas[id as usize];
        s.kind = kind;
        s.default = default;
        s.id = id_kw;
        s.title = tree
            .get(node, "title")
            .and_then(|t| tree.str_of(t))
            .map(Into::into);
        s.description = tree
            .get(node, "description")
            .and_then(|t| tree.str_of(t))
            .map(Into::into);
        s.connect_bytes =
            tree.get(node, "connect.type").and_then(|t| tree.str_of(t)) == Some("bytes");
        id
    }

    fn typed(&mut self, doc: u32, node: NodeId, pointer: &str, t: &str) -> Option<Kind> {
        Some(match t {
            "string" => self.string_kind(doc, node, pointer),
            "integer" => self.number_kind(doc, node, true),
            "number" => self.number_kind(doc, node, false),
            "object" => self.object_kind(doc, node, pointer),
            "array" => self.array_kind(doc, node, pointer),
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            _ => return None,
        })
    }

    fn string_kind(&mut self, doc: u32, node: NodeId, pointer: &str) -> Kind {
        let pattern = self.string(doc, node, "pattern");
        if let Some(p) = &pattern {
            if let Err(e) = fancy_regex::Regex::new(p) {
                let tree = self.tree(doc);
                let span = tree
                    .get(node, "pattern")
                    .map(|v| tree.node(v).span.clone())
                    .unwrap_or(0..0);
                self.issues.push((
                    doc,
                    span,
                    format!("{pointer}/pattern"),
                    format!(
                        "`pattern` `{p}` at `#{pointer}/pattern` is not a valid regular expression: {}",
                        lower_first(&e.to_string())
                    ),
                ));
            }
        }
        Kind::String {
            min_len: self.num(doc, node, "minLength"),
            max_len: self.num(doc, node, "maxLength"),
            pattern,
        }
    }

    fn number_kind(&mut self, doc: u32, node: NodeId, integer: bool) -> Kind {
        // Draft 4's boolean `exclusiveMaximum` modifies `maximum`; everit keeps no limit for it.
        Kind::Number {
            integer,
            min: self.num(doc, node, "minimum"),
            max: self.num(doc, node, "maximum"),
            excl_min: self.num(doc, node, "exclusiveMinimum"),
            excl_max: self.num(doc, node, "exclusiveMaximum"),
            multiple_of: self.num(doc, node, "multipleOf"),
        }
    }

    fn object_kind(&mut self, doc: u32, node: NodeId, pointer: &str) -> Kind {
        let tree = self.tree(doc);
        let mut props = Vec::new();
        let mut prop_index = HashMap::new();
        if let Some(p) = tree.get(node, "properties") {
            if let Val::Obj(members) = &tree.node(p).val {
                for m in members {
                    let ptr = format!("{pointer}/properties/{}", json::escape_token(&m.key));
                    let s = self.build(doc, m.val, &ptr);
                    let sch = &mut self.schemas[s as usize];
                    if sch.key_start.is_none() && sch.node == m.val {
                        sch.key_start = Some(m.key_span.start);
                    }
                    prop_index.insert(m.key.clone(), props.len());
                    props.push((m.key.clone(), s));
                }
            }
        }
        let required = match tree.get(node, "required").map(|r| &tree.node(r).val) {
            Some(Val::Arr(items)) => items
                .iter()
                .filter_map(|i| tree.str_of(*i).map(Into::into))
                .collect(),
            _ => Vec::new(),
        };
        let mut pattern_props = Vec::new();
        if let Some(p) = tree.get(node, "patternProperties") {
            if let Val::Obj(members) = &tree.node(p).val {
                for m in members {
                    let ptr = format!("{pointer}/patternProperties/{}", json::escape_token(&m.key));
                    let re = match fancy_regex::Regex::new(&m.key) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            self.issues.push((
                                doc,
                                m.key_span.clone(),
                                ptr.clone(),
                                format!(
                                    "`patternProperties` key `{}` at `#{pointer}/patternProperties` is not a valid regular expression: {}",
                                    m.key,
                                    lower_first(&e.to_string())
                                ),
                            ));
                            None
                        }
                    };
                    let s = self.build(doc, m.val, &ptr);
                    pattern_props.push((re, s));
                }
            }
        }
        let additional = self.additional(doc, node, pointer, "additionalProperties");
        let unevaluated = self.child(doc, node, pointer, "unevaluatedProperties");
        let mut prop_deps = Vec::new();
        let mut schema_deps = Vec::new();
        for kw in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(d) = tree.get(node, kw) {
                if let Val::Obj(members) = &tree.node(d).val {
                    for m in members {
                        match &tree.node(m.val).val {
                            Val::Arr(items) if kw != "dependentSchemas" => prop_deps.push((
                                m.key.clone(),
                                items
                                    .iter()
                                    .filter_map(|i| tree.str_of(*i).map(Into::into))
                                    .collect(),
                            )),
                            Val::Obj(_) | Val::Bool(_) if kw != "dependentRequired" => {
                                let ptr = format!("{pointer}/{kw}/{}", json::escape_token(&m.key));
                                schema_deps.push((m.key.clone(), self.build(doc, m.val, &ptr)));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Kind::Object(Box::new(ObjectKind {
            props,
            prop_index,
            required,
            pattern_props,
            additional,
            unevaluated,
            prop_deps,
            schema_deps,
            max_props: self.num(doc, node, "maxProperties"),
            min_props: self.num(doc, node, "minProperties"),
        }))
    }

    fn additional(&mut self, doc: u32, node: NodeId, pointer: &str, kw: &str) -> Additional {
        let tree = self.tree(doc);
        match tree.get(node, kw).map(|a| (a, &tree.node(a).val)) {
            None | Some((_, Val::Bool(true))) => Additional::Permit,
            Some((_, Val::Bool(false))) => Additional::Deny,
            Some((a, _)) => Additional::Schema(self.build(doc, a, &format!("{pointer}/{kw}"))),
        }
    }

    fn array_kind(&mut self, doc: u32, node: NodeId, pointer: &str) -> Kind {
        let tree = self.tree(doc);
        let mut all_items = None;
        let mut item_schemas = Vec::new();
        let mut additional;
        if let Some(prefix) = tree.get(node, "prefixItems") {
            // 2020-12: `prefixItems` is the tuple, `items` governs the rest.
            if let Val::Arr(items) = &tree.node(prefix).val {
                for (i, it) in items.iter().enumerate() {
                    item_schemas.push(self.build(doc, *it, &format!("{pointer}/prefixItems/{i}")));
                }
            }
            additional = self.additional(doc, node, pointer, "items");
        } else {
            additional = self.additional(doc, node, pointer, "additionalItems");
            if let Some(items) = tree.get(node, "items") {
                match &tree.node(items).val {
                    Val::Arr(list) => {
                        for (i, it) in list.iter().enumerate() {
                            item_schemas.push(self.build(
                                doc,
                                *it,
                                &format!("{pointer}/items/{i}"),
                            ));
                        }
                    }
                    _ => all_items = Some(self.build(doc, items, &format!("{pointer}/items"))),
                }
            } else if item_schemas.is_empty() {
                // everit ignores `additionalItems` without a tuple `items`.
                additional = match additional {
                    Additional::Deny => Additional::Deny,
                    a => a,
                };
            }
        }
        let unique = matches!(
            tree.get(node, "uniqueItems").map(|u| &tree.node(u).val),
            Some(Val::Bool(true))
        );
        Kind::Array(Box::new(ArrayKind {
            all_items,
            item_schemas,
            additional,
            unevaluated: self.child(doc, node, pointer, "unevaluatedItems"),
            max_items: self.num(doc, node, "maxItems"),
            min_items: self.num(doc, node, "minItems"),
            unique,
            max_contains: self.num(doc, node, "maxContains"),
            min_contains: self.num(doc, node, "minContains"),
        }))
    }
}

/// `text` with its first letter in lowercase (findings' messages are lowercase).
pub(crate) fn lower_first(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
