//! Avro schema parsing with spans. Owns turning `.avsc` text (strict JSON, through `jsonc-parser`) into an arena
//! of schema nodes that keep a byte span for every element, resolving named-type references across all files of
//! one snapshot, and validating like the Confluent registry does for new schemas (Avro 1.12 parser with the
//! strict name validator and `validateDefaults=true`). Every problem becomes a `PARSE_ERROR` finding with a span;
//! it never compares schemas (see `compat.rs`) and never panics on user input.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use jsonc_parser::ast::{Array, Object, Value};
use jsonc_parser::CollectOptions;

use crate::finding::{Finding, Format, Location};
use crate::formats::json::{self, range as rng, value_range, Refusal};
use crate::rules::PARSE_ERROR;
use crate::source::SourceFile;

pub(crate) type NodeId = u32;
pub(crate) const NO_PARENT: NodeId = u32::MAX;

/// The eight Avro primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Prim {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Prim {
    pub(crate) fn from_name(s: &str) -> Option<Prim> {
        Some(match s {
            "null" => Prim::Null,
            "boolean" => Prim::Boolean,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            "bytes" => Prim::Bytes,
            "string" => Prim::String,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Prim::Null => "null",
            Prim::Boolean => "boolean",
            Prim::Int => "int",
            Prim::Long => "long",
            Prim::Float => "float",
            Prim::Double => "double",
            Prim::Bytes => "bytes",
            Prim::String => "string",
        }
    }
}

/// A full name split at its last dot; `span` is the `name` value in the file.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    pub full: String,
    /// Byte index in `full` where the unqualified name starts.
    pub short_at: usize,
    pub span: Range<usize>,
}

impl Name {
    pub(crate) fn short(&self) -> &str {
        &self.full[self.short_at..]
    }
    pub(crate) fn namespace(&self) -> Option<&str> {
        (self.short_at > 0).then(|| &self.full[..self.short_at - 1])
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub name_span: Range<usize>,
    pub aliases: Vec<String>,
    pub ty: NodeId,
    /// Span of the `default` value, when there is one (JSON `null` counts).
    pub default: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Symbol {
    pub name: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Prim(Prim),
    Record {
        name: Name,
        /// Full names (unqualified aliases resolved in the namespace of the aliased type).
        aliases: Vec<String>,
        fields: Vec<Field>,
        /// Field index by name, for records large enough that a scan per lookup would be quadratic.
        by_name: Option<HashMap<String, u32>>,
    },
    Enum {
        name: Name,
        aliases: Vec<String>,
        symbols: Vec<Symbol>,
        symbols_span: Range<usize>,
        default: Option<Symbol>,
    },
    Fixed {
        name: Name,
        aliases: Vec<String>,
        size: u64,
        size_span: Range<usize>,
    },
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
    /// A use of a named type by name: the full name in the enclosing namespace, and the bare name Avro 1.12
    /// falls back to (`ParseContext.find`).
    Ref {
        full: String,
        bare: String,
        target: Option<NodeId>,
    },
    /// Could not be built (already reported); compatible with anything.
    Invalid,
}

/// How a node hangs below its parent: the JSON-pointer tokens from the parent's pointer to this node's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tok {
    Root,
    Items,
    Values,
    FieldType(u32),
    Branch(u32),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub file: u32,
    pub span: Range<usize>,
    pub parent: NodeId,
    pub tok: Tok,
    pub kind: Kind,
}

/// Every file of one snapshot, parsed into one arena.
#[derive(Default)]
pub(crate) struct Arena {
    pub files: Vec<Arc<SourceFile>>,
    pub nodes: Vec<Node>,
    /// Root node of each file that parsed as JSON (by file index).
    pub roots: Vec<Option<NodeId>>,
    /// Whether each file is a valid schema (no finding of its own).
    pub valid: Vec<bool>,
    /// Named types by full name: the first definition in path order.
    pub named: HashMap<String, NodeId>,
    /// Named types by (file, full name): each file's own definitions, which its references use first.
    pub local: HashMap<(u32, String), NodeId>,
    /// Definitions in other files whose content differs from the first one of the same name.
    pub conflicts: HashMap<String, Vec<NodeId>>,
    pub findings: Vec<Finding>,
    /// Inline ignores (`x-schemaguard-ignore`) of every file, and the warnings about malformed ones.
    pub ignores: crate::ignore::Ignores,
    pub ignore_warnings: Vec<Finding>,
    /// Named types that are subjects besides the file roots: each type of a protocol (`.avpr`, `.avdl`) and of a
    /// schema-syntax `.avdl` without a main schema, with its file index.
    pub type_roots: Vec<(u32, NodeId)>,
    /// Canonical content of definitions whose span is not JSON (Avro IDL), for redefinition checks.
    canon: HashMap<NodeId, String>,
}

/// Records with more fields than this get a name index.
const BY_NAME_MIN: usize = 16;

/// The index of the field of a record named `name`; `hint` is the position to try first (fields rarely move).
pub(crate) fn field_index(
    fields: &[Field],
    by_name: Option<&HashMap<String, u32>>,
    name: &str,
    hint: usize,
) -> Option<usize> {
    if fields.get(hint).is_some_and(|f| f.name == name) {
        return Some(hint);
    }
    match by_name {
        Some(m) => m.get(name).map(|&i| i as usize),
        None => fields.iter().position(|f| f.name == name),
    }
}

impl Arena {
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// Follows a reference to the named type it names (itself when it is not a reference or is unresolved).
    pub(crate) fn deref(&self, id: NodeId) -> NodeId {
        match &self.node(id).kind {
            Kind::Ref {
                target: Some(t), ..
            } => *t,
            _ => id,
        }
    }

    pub(crate) fn file_of(&self, id: NodeId) -> &Arc<SourceFile> {
        &self.files[self.node(id).file as usize]
    }

    /// The node's JSON pointer inside its own file.
    pub(crate) fn pointer(&self, id: NodeId) -> String {
        let mut toks = Vec::new();
        let mut cur = id;
        while cur != NO_PARENT {
            let n = self.node(cur);
            match n.tok {
                Tok::Root => {}
                Tok::Items => toks.push("items".to_string()),
                Tok::Values => toks.push("values".to_string()),
                Tok::Branch(i) => toks.push(i.to_string()),
                Tok::FieldType(i) => {
                    toks.push("type".to_string());
                    toks.push(i.to_string());
                    toks.push("fields".to_string());
                }
            }
            cur = n.parent;
        }
        toks.reverse();
        if toks.is_empty() {
            String::new()
        } else {
            format!("/{}", toks.join("/"))
        }
    }

    pub(crate) fn location(&self, id: NodeId, span: Range<usize>, pointer: String) -> Location {
        Location::new(self.file_of(id), span).with_pointer(pointer)
    }

    fn error(&mut self, file: u32, span: Range<usize>, pointer: Option<String>, message: String) {
        let f = &self.files[file as usize];
        let mut loc = Location::new(f, span);
        loc.pointer = pointer;
        let help = help_for(&message);
        self.findings.push(
            Finding::new(&PARSE_ERROR, f.path.clone(), message)
                .help(help)
                .format(Format::Avro)
                .at_new(loc),
        );
        self.valid[file as usize] = false;
    }

    /// The name shown for a named node, or its type name.
    pub(crate) fn type_name(&self, id: NodeId) -> String {
        let id = self.deref(id);
        match &self.node(id).kind {
            Kind::Prim(p) => p.name().to_string(),
            Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
                name.full.clone()
            }
            Kind::Array(_) => "array".into(),
            Kind::Map(_) => "map".into(),
            Kind::Union(_) => "union".into(),
            Kind::Ref { full, .. } => full.clone(),
            Kind::Invalid => "invalid".into(),
        }
    }

    /// Avro's `Schema.Type` name, as Java prints it in messages (`STRING`, `RECORD`).
    pub(crate) fn java_type(&self, id: NodeId) -> &'static str {
        match &self.node(self.deref(id)).kind {
            Kind::Prim(p) => match p {
                Prim::Null => "NULL",
                Prim::Boolean => "BOOLEAN",
                Prim::Int => "INT",
                Prim::Long => "LONG",
                Prim::Float => "FLOAT",
                Prim::Double => "DOUBLE",
                Prim::Bytes => "BYTES",
                Prim::String => "STRING",
            },
            Kind::Record { .. } => "RECORD",
            Kind::Enum { .. } => "ENUM",
            Kind::Fixed { .. } => "FIXED",
            Kind::Array(_) => "ARRAY",
            Kind::Map(_) => "MAP",
            Kind::Union(_) => "UNION",
            Kind::Ref { .. } | Kind::Invalid => "UNKNOWN",
        }
    }

    /// Where a node sits, regardless of what it is.
    pub(crate) fn describe_position(&self, id: NodeId) -> String {
        let n = self.node(id);
        if n.parent == NO_PARENT {
            return "the top-level schema".into();
        }
        let parent = n.parent;
        match n.tok {
            Tok::Root => "the top-level schema".into(),
            Tok::Items => format!("the items of {}", self.describe_position(parent)),
            Tok::Values => format!("the values of {}", self.describe_position(parent)),
            Tok::Branch(i) => format!("branch {i} of {}", self.describe_position(parent)),
            Tok::FieldType(i) => match &self.node(parent).kind {
                Kind::Record { name, fields, .. } => {
                    let fname = fields
                        .get(i as usize)
                        .map(|f| f.name.as_str())
                        .unwrap_or("?");
                    format!("field `{fname}` of record `{}`", name.full)
                }
                _ => format!("field {i}"),
            },
        }
    }
}

fn help_for(message: &str) -> String {
    let m = message;
    let text = if m.starts_with("Avro IDL: import") {
        "import a file of the same snapshot (the path is relative to the importing file), or fix the path"
    } else if m.starts_with("Avro IDL") {
        "fix the IDL at this position (see the Avro IDL specification: https://avro.apache.org/docs/1.12.0/idl-language/)"
    } else if m.starts_with("invalid JSON") || m.starts_with("duplicate key") {
        "fix the JSON at this position; `.avsc` files must be strict JSON (no comments, no trailing commas, no repeated keys)"
    } else if m.starts_with("unknown type") {
        "define the named type (in this file or another `.avsc` of the same set), or fix the spelling; \
         unqualified names resolve in the enclosing namespace"
    } else if m.contains("defined again") {
        "give one of the types another name, or make both definitions identical"
    } else if m.starts_with("duplicate field") {
        "rename or remove one of the two fields; field names are unique within a record"
    } else if m.starts_with("duplicate symbol") {
        "remove the repeated symbol; enum symbols are unique"
    } else if m.starts_with("duplicate union branch") {
        "keep one branch per type (named types count by full name)"
    } else if m.starts_with("union directly inside") {
        "merge the inner union's branches into the outer union"
    } else if m.starts_with("default `") {
        "make the enum default one of its symbols"
    } else if m.contains("default") {
        "make the default a JSON value of the field's type (for a union: of one of its branches)"
    } else if m.contains("name") {
        "names and namespace parts must match `[A-Za-z_][A-Za-z0-9_]*`"
    } else {
        "fix the schema at this position (see the Avro specification, \"Schema Declaration\")"
    };
    text.to_string()
}

/// `[A-Za-z_][A-Za-z0-9_]*`: Avro's strict name validator.
pub(crate) fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An owned JSON value kept for default validation (which needs resolved types, so runs after all files load).
#[derive(Debug, Clone)]
enum JVal {
    Null,
    Bool,
    /// Number literal text.
    Num(String),
    Str(String),
    Arr(Vec<JVal>),
    Obj(Vec<(String, JVal)>),
}

fn to_jval(v: &Value) -> JVal {
    match v {
        Value::NullKeyword(_) => JVal::Null,
        Value::BooleanLit(_) => JVal::Bool,
        Value::NumberLit(n) => JVal::Num(n.value.to_string()),
        Value::StringLit(s) => JVal::Str(s.value.to_string()),
        Value::Array(a) => JVal::Arr(a.elements.iter().map(to_jval).collect()),
        Value::Object(o) => JVal::Obj(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), to_jval(&p.value)))
                .collect(),
        ),
    }
}

/// A default waiting for validation once names resolve.
struct PendingDefault {
    file: u32,
    record: NodeId,
    field_index: usize,
    value: JVal,
    span: Range<usize>,
}

/// Per-file parse state.
struct Builder<'a> {
    arena: &'a mut Arena,
    file: u32,
    pending: &'a mut Vec<PendingDefault>,
    /// Named types defined in this file before (for duplicate detection with different content).
    defs: &'a mut Vec<(String, NodeId)>,
}

impl Builder<'_> {
    fn err(&mut self, span: Range<usize>, msg: String) {
        self.arena.error(self.file, span, None, msg);
    }

    fn push(&mut self, span: Range<usize>, parent: NodeId, tok: Tok, kind: Kind) -> NodeId {
        let id = self.arena.nodes.len() as NodeId;
        self.arena.nodes.push(Node {
            file: self.file,
            span,
            parent,
            tok,
            kind,
        });
        id
    }

    fn invalid(&mut self, span: Range<usize>, parent: NodeId, tok: Tok) -> NodeId {
        self.push(span, parent, tok, Kind::Invalid)
    }

    fn reference(
        &mut self,
        name: &str,
        span: Range<usize>,
        ns: Option<&str>,
        parent: NodeId,
        tok: Tok,
    ) -> NodeId {
        if let Some(p) = Prim::from_name(name) {
            return self.push(span, parent, tok, Kind::Prim(p));
        }
        let full = match ns {
            Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
            _ => name.to_string(),
        };
        self.push(
            span,
            parent,
            tok,
            Kind::Ref {
                full,
                bare: name.to_string(),
                target: None,
            },
        )
    }

    fn schema(&mut self, v: &Value, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = value_range(v);
        match v {
            Value::StringLit(s) => self.reference(&s.value, span, ns, parent, tok),
            Value::Array(a) => self.union(a, ns, parent, tok),
            Value::Object(o) => self.object(o, ns, parent, tok),
            _ => {
                self.err(
                    span.clone(),
                    "invalid schema: expected a type name, an object or a union array".into(),
                );
                self.invalid(span, parent, tok)
            }
        }
    }

    fn union(&mut self, a: &Array, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = rng(a.range);
        let id = self.push(span, parent, tok, Kind::Union(Vec::new()));
        let mut branches = Vec::with_capacity(a.elements.len());
        for (i, el) in a.elements.iter().enumerate() {
            branches.push(self.schema(el, ns, id, Tok::Branch(i as u32)));
        }
        self.arena.nodes[id as usize].kind = Kind::Union(branches);
        id
    }

    fn get<'v>(&self, o: &'v Object<'v>, key: &str) -> Option<&'v Value<'v>> {
        o.properties
            .iter()
            .find(|p| p.name.as_str() == key)
            .map(|p| &p.value)
    }

    fn opt_str<'v>(
        &mut self,
        o: &'v Object<'v>,
        key: &str,
    ) -> Result<Option<(&'v str, Range<usize>)>, ()> {
        match self.get(o, key) {
            None => Ok(None),
            Some(Value::StringLit(s)) => Ok(Some((s.value.as_ref(), rng(s.range)))),
            Some(other) => {
                self.err(value_range(other), format!("`{key}` must be a string"));
                Err(())
            }
        }
    }

    /// Parses `name`/`namespace` of a named type and validates them.
    fn name(&mut self, o: &Object, ns: Option<&str>, what: &str) -> Option<Name> {
        let (name, span) = match self.opt_str(o, "name") {
            Ok(Some(x)) => x,
            Ok(None) => {
                self.err(rng(o.range), format!("{what} has no `name`"));
                return None;
            }
            Err(()) => return None,
        };
        let explicit_ns = match self.opt_str(o, "namespace") {
            Ok(x) => x,
            Err(()) => return None,
        };
        let (space, short) = match name.rfind('.') {
            Some(i) => (Some(name[..i].to_string()), &name[i + 1..]),
            None => (
                match explicit_ns {
                    Some((n, _)) => Some(n.to_string()),
                    None => ns.map(str::to_string),
                },
                name,
            ),
        };
        let space = space.filter(|s| !s.is_empty());
        if !valid_name(short) {
            self.err(span.clone(), format!("invalid {what} name `{name}`"));
            return None;
        }
        if let Some(sp) = &space {
            if !sp.split('.').all(valid_name) {
                let at = match (name.contains('.'), explicit_ns) {
                    (false, Some((_, r))) => r,
                    _ => span.clone(),
                };
                self.err(at, format!("invalid namespace `{sp}` of {what} `{short}`"));
                return None;
            }
        }
        if space.is_none() && Prim::from_name(short).is_some() {
            self.err(
                span,
                format!("{what} may not be named after the primitive type `{short}`"),
            );
            return None;
        }
        let full = match &space {
            Some(sp) => format!("{sp}.{short}"),
            None => short.to_string(),
        };
        let short_at = full.len() - short.len();
        Some(Name {
            full,
            short_at,
            span,
        })
    }

    /// Named-type aliases: unqualified ones resolve in the namespace of the aliased type (spec, Java `addAlias`).
    fn type_aliases(&mut self, o: &Object, name: &Name) -> Vec<String> {
        self.strings(o, "aliases")
            .into_iter()
            .map(|a| match name.namespace() {
                Some(ns) if !a.contains('.') => format!("{ns}.{a}"),
                _ => a,
            })
            .collect()
    }

    fn strings(&mut self, o: &Object, key: &str) -> Vec<String> {
        match self.get(o, key) {
            None => Vec::new(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for el in &a.elements {
                    match el {
                        Value::StringLit(s) => out.push(s.value.to_string()),
                        other => self.err(value_range(other), format!("`{key}` must hold strings")),
                    }
                }
                out
            }
            Some(other) => {
                self.err(
                    value_range(other),
                    format!("`{key}` must be an array of strings"),
                );
                Vec::new()
            }
        }
    }

    /// An `.avpr` protocol: each of its `types` is a subject, in the protocol's namespace.
    fn protocol(&mut self, v: &Value) {
        let Value::Object(o) = v else {
            self.err(
                value_range(v),
                "a protocol (`.avpr`) must be a JSON object".into(),
            );
            return;
        };
        if self.get(o, "protocol").is_none() {
            self.err(rng(o.range), "protocol has no `protocol` name".into());
            return;
        }
        let ns = match self.opt_str(o, "namespace") {
            Ok(ns) => ns.map(|(n, _)| n.to_string()).filter(|n| !n.is_empty()),
            Err(()) => return,
        };
        match self.get(o, "types") {
            None => {}
            Some(Value::Array(types)) => {
                for t in &types.elements {
                    let id = self.schema(t, ns.as_deref(), NO_PARENT, Tok::Root);
                    self.arena.type_roots.push((self.file, id));
                }
            }
            Some(other) => self.err(value_range(other), "`types` must be an array".into()),
        }
    }

    fn define(&mut self, name: &Name, id: NodeId) {
        self.defs.push((name.full.clone(), id));
    }

    fn object(&mut self, o: &Object, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = rng(o.range);
        let ty = match self.get(o, "type") {
            Some(Value::StringLit(s)) => s.value.to_string(),
            Some(other) => {
                self.err(
                    value_range(other),
                    "the `type` of a schema object must be a type name string (nest unions and complex types inside a field's `type` or `items`)".into(),
                );
                return self.invalid(span, parent, tok);
            }
            None => {
                self.err(span.clone(), "schema object has no `type`".into());
                return self.invalid(span, parent, tok);
            }
        };
        match ty.as_str() {
            "record" | "error" => self.record(o, ns, parent, tok),
            "enum" => self.enumeration(o, ns, parent, tok),
            "fixed" => self.fixed(o, ns, parent, tok),
            "array" => {
                let id = self.push(span.clone(), parent, tok, Kind::Invalid);
                match self.get(o, "items") {
                    Some(items) => {
                        let c = self.schema(items, ns, id, Tok::Items);
                        self.arena.nodes[id as usize].kind = Kind::Array(c);
                    }
                    None => self.err(span, "array has no `items`".into()),
                }
                id
            }
            "map" => {
                let id = self.push(span.clone(), parent, tok, Kind::Invalid);
                match self.get(o, "values") {
                    Some(values) => {
                        let c = self.schema(values, ns, id, Tok::Values);
                        self.arena.nodes[id as usize].kind = Kind::Map(c);
                    }
                    None => self.err(span, "map has no `values`".into()),
                }
                id
            }
            other => {
                let tspan = self.get(o, "type").map(value_range).unwrap_or(span);
                self.reference(other, tspan, ns, parent, tok)
            }
        }
    }

    fn record(&mut self, o: &Object, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = rng(o.range);
        let Some(name) = self.name(o, ns, "record") else {
            return self.invalid(span, parent, tok);
        };
        let aliases = self.type_aliases(o, &name);
        let id = self.push(span.clone(), parent, tok, Kind::Invalid);
        self.define(&name, id);
        let inner_ns = name.namespace().map(str::to_string);
        let Some(Value::Array(fa)) = self.get(o, "fields") else {
            self.err(
                self.get(o, "fields").map(value_range).unwrap_or(span),
                format!("record `{}` has no `fields` array", name.full),
            );
            return id;
        };
        let mut fields: Vec<Field> = Vec::with_capacity(fa.elements.len());
        let mut seen: HashSet<String> = HashSet::new();
        for (i, fv) in fa.elements.iter().enumerate() {
            let Value::Object(fo) = fv else {
                self.err(
                    value_range(fv),
                    format!("field {i} of record `{}` must be an object", name.full),
                );
                continue;
            };
            let (fname, fname_span) = match self.opt_str(fo, "name") {
                Ok(Some((n, r))) => (n.to_string(), r),
                Ok(None) => {
                    self.err(
                        rng(fo.range),
                        format!("field {i} of record `{}` has no `name`", name.full),
                    );
                    continue;
                }
                Err(()) => continue,
            };
            if !valid_name(&fname) {
                self.err(
                    fname_span.clone(),
                    format!("invalid field name `{fname}` in record `{}`", name.full),
                );
            }
            if !seen.insert(fname.clone()) {
                self.err(
                    fname_span.clone(),
                    format!("duplicate field `{fname}` in record `{}`", name.full),
                );
            }
            if let Some(order) = self.get(fo, "order") {
                let ok = matches!(order, Value::StringLit(s) if matches!(s.value.to_ascii_uppercase().as_str(), "ASCENDING" | "DESCENDING" | "IGNORE"));
                if !ok {
                    self.err(value_range(order), format!("`order` of field `{fname}` must be `ascending`, `descending` or `ignore`"));
                }
            }
            let aliases = self.strings(fo, "aliases");
            let index = fields.len() as u32;
            let ty = match self.get(fo, "type") {
                Some(t) => self.schema(t, inner_ns.as_deref(), id, Tok::FieldType(index)),
                None => {
                    self.err(
                        rng(fo.range),
                        format!("field `{fname}` of record `{}` has no `type`", name.full),
                    );
                    self.invalid(rng(fo.range), id, Tok::FieldType(index))
                }
            };
            let default = self.get(fo, "default").map(|d| {
                self.pending.push(PendingDefault {
                    file: self.file,
                    record: id,
                    field_index: index as usize,
                    value: to_jval(d),
                    span: value_range(d),
                });
                value_range(d)
            });
            fields.push(Field {
                name: fname,
                name_span: fname_span,
                aliases,
                ty,
                default,
            });
        }
        let by_name = (fields.len() > BY_NAME_MIN).then(|| {
            let mut m = HashMap::with_capacity(fields.len());
            for (i, f) in fields.iter().enumerate() {
                m.entry(f.name.clone()).or_insert(i as u32);
            }
            m
        });
        self.arena.nodes[id as usize].kind = Kind::Record {
            name,
            aliases,
            fields,
            by_name,
        };
        id
    }

    fn enumeration(&mut self, o: &Object, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = rng(o.range);
        let Some(name) = self.name(o, ns, "enum") else {
            return self.invalid(span, parent, tok);
        };
        let aliases = self.type_aliases(o, &name);
        let id = self.push(span.clone(), parent, tok, Kind::Invalid);
        self.define(&name, id);
        let Some(Value::Array(sa)) = self.get(o, "symbols") else {
            self.err(
                self.get(o, "symbols").map(value_range).unwrap_or(span),
                format!("enum `{}` has no `symbols` array", name.full),
            );
            return id;
        };
        let mut symbols = Vec::with_capacity(sa.elements.len());
        let mut seen = HashSet::new();
        for el in &sa.elements {
            let Value::StringLit(s) = el else {
                self.err(
                    value_range(el),
                    format!("symbols of enum `{}` must be strings", name.full),
                );
                continue;
            };
            let sym = s.value.to_string();
            if !valid_name(&sym) {
                self.err(
                    rng(s.range),
                    format!("invalid symbol `{sym}` in enum `{}`", name.full),
                );
            } else if !seen.insert(sym.clone()) {
                self.err(
                    rng(s.range),
                    format!("duplicate symbol `{sym}` in enum `{}`", name.full),
                );
            }
            symbols.push(Symbol {
                name: sym,
                span: rng(s.range),
            });
        }
        let default = match self.get(o, "default") {
            None => None,
            Some(Value::StringLit(s)) => {
                if !symbols.iter().any(|x| x.name == s.value.as_ref()) {
                    self.err(
                        rng(s.range),
                        format!(
                            "default `{}` of enum `{}` is not one of its symbols",
                            s.value, name.full
                        ),
                    );
                }
                Some(Symbol {
                    name: s.value.to_string(),
                    span: rng(s.range),
                })
            }
            Some(other) => {
                self.err(
                    value_range(other),
                    format!("default of enum `{}` must be a symbol string", name.full),
                );
                None
            }
        };
        self.arena.nodes[id as usize].kind = Kind::Enum {
            name,
            aliases,
            symbols,
            symbols_span: rng(sa.range),
            default,
        };
        id
    }

    fn fixed(&mut self, o: &Object, ns: Option<&str>, parent: NodeId, tok: Tok) -> NodeId {
        let span = rng(o.range);
        let Some(name) = self.name(o, ns, "fixed") else {
            return self.invalid(span, parent, tok);
        };
        let aliases = self.type_aliases(o, &name);
        let id = self.push(span.clone(), parent, tok, Kind::Invalid);
        self.define(&name, id);
        let size = match self.get(o, "size") {
            Some(Value::NumberLit(n)) => match n.value.parse::<i32>() {
                Ok(s) if s >= 0 => Some((s as u64, rng(n.range))),
                _ => {
                    self.err(
                        rng(n.range),
                        format!(
                            "`size` of fixed `{}` must be a non-negative 32-bit integer",
                            name.full
                        ),
                    );
                    None
                }
            },
            other => {
                let at = other.map(value_range).unwrap_or(span);
                self.err(at, format!("fixed `{}` needs an integer `size`", name.full));
                None
            }
        };
        if let Some((size, size_span)) = size {
            self.arena.nodes[id as usize].kind = Kind::Fixed {
                name,
                aliases,
                size,
                size_span,
            };
        }
        id
    }
}

/// Parses every file of one snapshot and resolves names across them.
pub(crate) fn load(files: &[Arc<SourceFile>]) -> Arena {
    let mut arena = Arena {
        files: files.to_vec(),
        roots: vec![None; files.len()],
        valid: vec![true; files.len()],
        ..Arena::default()
    };
    let mut pending = Vec::new();
    let mut defs: Vec<(String, NodeId)> = Vec::new();
    for (fi, file) in files.iter().enumerate() {
        let fi = fi as u32;
        let text: &str = &file.text;
        let lower = file.path.to_ascii_lowercase();
        if lower.ends_with(".avdl") {
            load_idl(&mut arena, files, fi, &mut pending, &mut defs);
            continue;
        }
        let value = match json::parse(text) {
            Ok(v) => v,
            Err(refusal) => {
                let span = match &refusal {
                    Refusal::TooDeep { at } => *at..at + 1,
                    Refusal::Syntax { range, .. } => range.start..range.end.max(range.start),
                    Refusal::Empty => 0..0,
                };
                arena.error(fi, span, None, refusal.message());
                continue;
            }
        };
        // jsonc-parser keeps both of two equal keys; Avro's Jackson would keep the last, which silently changes
        // meaning, so every repeat is an error.
        let dups = json::duplicate_keys(&value);
        if !dups.is_empty() {
            for (span, key) in dups {
                arena.error(
                    fi,
                    span,
                    None,
                    format!("duplicate key `{key}` in a JSON object"),
                );
            }
            continue;
        }
        json::ignores(
            file,
            crate::finding::Format::Avro,
            &value,
            &mut arena.ignores,
            &mut arena.ignore_warnings,
        );
        let mut b = Builder {
            arena: &mut arena,
            file: fi,
            pending: &mut pending,
            defs: &mut defs,
        };
        if lower.ends_with(".avpr") {
            b.protocol(&value);
            continue;
        }
        let root = b.schema(&value, None, NO_PARENT, Tok::Root);
        arena.roots[fi as usize] = Some(root);
    }
    register_names(&mut arena, &defs);
    resolve(&mut arena);
    check_unions(&mut arena);
    check_defaults(&mut arena, &pending);
    arena
}

/// An Avro IDL file: its declared types (and main schema) are built from the spanned JSON the IDL stands for, so
/// they join the snapshot like `.avsc` types and every finding points into the `.avdl`. Imports name other files
/// of the snapshot; their types resolve by name like any cross-file reference.
fn load_idl(
    arena: &mut Arena,
    files: &[Arc<SourceFile>],
    fi: u32,
    pending: &mut Vec<PendingDefault>,
    defs: &mut Vec<(String, NodeId)>,
) {
    let file = Arc::clone(&files[fi as usize]);
    let parsed = match super::idl::parse(&file.text) {
        Ok(p) => p,
        Err(e) => {
            arena.error(fi, e.span, None, e.message);
            return;
        }
    };
    for imp in &parsed.imports {
        if find_import(files, &file.path, &imp.path).is_none() {
            arena.error(
                fi,
                imp.span.clone(),
                None,
                format!(
                    "Avro IDL: import `{}` is not a schema file of this snapshot",
                    imp.path
                ),
            );
            if let Some(f) = arena.findings.last_mut() {
                f.unresolved = Some(imp.path.clone());
            }
        }
    }
    let ns = parsed.namespace.as_deref();
    let mut b = Builder {
        arena: &mut *arena,
        file: fi,
        pending,
        defs,
    };
    let mut roots = Vec::with_capacity(parsed.types.len());
    for t in &parsed.types {
        let value = t.to_ast();
        // `@x-schemaguard-ignore(…)` annotations are the same property as in an `.avsc`.
        json::ignores(
            &file,
            crate::finding::Format::Avro,
            &value,
            &mut b.arena.ignores,
            &mut b.arena.ignore_warnings,
        );
        let id = b.schema(&value, ns, NO_PARENT, Tok::Root);
        b.arena.canon.insert(id, canon_value(&value));
        roots.push(id);
    }
    if let Some(main) = &parsed.main {
        let value = main.to_ast();
        let id = b.schema(&value, ns, NO_PARENT, Tok::Root);
        arena.roots[fi as usize] = Some(id);
    } else {
        arena.type_roots.extend(roots.into_iter().map(|r| (fi, r)));
    }
}

/// The snapshot file an import names: relative to the importing file, else any file whose path ends with it
/// (Avro's Java tools also search the class path).
pub(crate) fn find_import(files: &[Arc<SourceFile>], from: &str, import: &str) -> Option<usize> {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in import.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    files.iter().position(|f| f.path == joined).or_else(|| {
        let tail = format!("/{}", import.trim_start_matches("./"));
        files
            .iter()
            .position(|f| f.path.ends_with(&tail) || f.path == import)
    })
}

/// Registers named types per file and for the whole snapshot. Within one file a redefinition with different
/// content is an error (Avro's parser refuses it). Across files it is an error only when it matters: when some
/// file uses the name without defining it, so the reference is ambiguous. Files that each inline their own copy
/// of a shared type are independent registry subjects, and each resolves names in itself first.
fn register_names(arena: &mut Arena, defs: &[(String, NodeId)]) {
    let mut first_canon: HashMap<NodeId, String> = HashMap::new();
    let canon_of = |arena: &Arena, id: NodeId, cache: &mut HashMap<NodeId, String>| -> String {
        cache
            .entry(id)
            .or_insert_with(|| canonical(arena, id))
            .clone()
    };
    for (full, id) in defs {
        let file = arena.node(*id).file;
        if let Some(&first) = arena.local.get(&(file, full.clone())) {
            if canon_of(arena, first, &mut first_canon) != canonical(arena, *id) {
                redefinition_error(arena, full, first, *id);
            }
            continue;
        }
        arena.local.insert((file, full.clone()), *id);
        match arena.named.get(full) {
            None => {
                arena.named.insert(full.clone(), *id);
            }
            Some(&first) => {
                if canon_of(arena, first, &mut first_canon) != canonical(arena, *id) {
                    arena.conflicts.entry(full.clone()).or_default().push(*id);
                }
            }
        }
    }
}

fn redefinition_error(arena: &mut Arena, full: &str, first: NodeId, second: NodeId) {
    let name_span = |n: &Node| match &n.kind {
        Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
            name.span.clone()
        }
        _ => n.span.clone(),
    };
    let sspan = name_span(arena.node(second));
    let fspan = name_span(arena.node(first));
    let ff = Arc::clone(arena.file_of(first));
    let lc = ff.line_col(fspan.start);
    let file = arena.node(second).file;
    let ptr = arena.pointer(second);
    arena.error(
        file,
        sspan,
        Some(ptr),
        format!(
            "`{full}` is defined again with different content (first defined in `{}` at {}:{})",
            ff.display_name(),
            lc.line,
            lc.column
        ),
    );
    let fptr = arena.pointer(first);
    if let Some(last) = arena.findings.last_mut() {
        last.old = Some(Location::new(&ff, fspan).with_pointer(fptr));
    }
}

/// Content of a named definition for redefinition checks: its JSON with keys sorted, whitespace and `doc`
/// dropped. Parsed again from the source only when two definitions share a name.
fn canonical(arena: &Arena, id: NodeId) -> String {
    if let Some(c) = arena.canon.get(&id) {
        return c.clone();
    }
    let n = arena.node(id);
    let text = &arena.files[n.file as usize].text;
    let Some(slice) = text.get(n.span.clone()) else {
        return String::new();
    };
    match jsonc_parser::parse_to_ast(slice, &CollectOptions::default(), &json::strict_options()) {
        Ok(p) => p.value.map(|v| canon_value(&v)).unwrap_or_default(),
        Err(_) => slice.to_string(),
    }
}

fn canon_value(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut props: Vec<(&str, String)> = o
                .properties
                .iter()
                .filter(|p| p.name.as_str() != "doc")
                .map(|p| (p.name.as_str(), canon_value(&p.value)))
                .collect();
            props.sort();
            let inner: Vec<String> = props
                .into_iter()
                .map(|(k, v)| format!("{k:?}:{v}"))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.elements
                .iter()
                .map(canon_value)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::StringLit(s) => format!("{:?}", s.value),
        Value::NumberLit(n) => n.value.to_string(),
        Value::BooleanLit(b) => b.value.to_string(),
        Value::NullKeyword(_) => "null".into(),
    }
}

/// Second pass: every `Ref` finds its named type: in its own file first, then among all files (full name, then
/// the bare name Avro 1.12 falls back to).
fn resolve(arena: &mut Arena) {
    let mut ambiguous: Vec<String> = Vec::new();
    for i in 0..arena.nodes.len() {
        let Kind::Ref { full, bare, .. } = &arena.nodes[i].kind else {
            continue;
        };
        let file = arena.nodes[i].file;
        let local = |name: &String| arena.local.get(&(file, name.clone())).copied();
        let global = |name: &String| arena.named.get(name).copied().map(|t| (t, name.clone()));
        let target = local(full)
            .map(|t| (t, None))
            .or_else(|| global(full).map(|(t, n)| (t, Some(n))))
            .or_else(|| local(bare).map(|t| (t, None)))
            .or_else(|| global(bare).map(|(t, n)| (t, Some(n))));
        match target {
            Some((t, via_global)) => {
                if let Some(n) = via_global {
                    if arena.conflicts.contains_key(&n) && !ambiguous.contains(&n) {
                        ambiguous.push(n);
                    }
                }
                if let Kind::Ref { target, .. } = &mut arena.nodes[i].kind {
                    *target = Some(t);
                }
            }
            None => {
                let full = full.clone();
                let n = &arena.nodes[i];
                let (file, span) = (n.file, n.span.clone());
                let ptr = arena.pointer(i as NodeId);
                arena.error(file, span, Some(ptr), format!("unknown type `{full}`"));
                if let Some(f) = arena.findings.last_mut() {
                    f.unresolved = Some(full);
                }
            }
        }
    }
    for name in ambiguous {
        let Some(&first) = arena.named.get(&name) else {
            continue;
        };
        for second in arena.conflicts.get(&name).cloned().unwrap_or_default() {
            redefinition_error(arena, &name, first, second);
        }
    }
}

/// Union rules: no union directly inside a union, no two branches of the same type (same full name for named).
fn check_unions(arena: &mut Arena) {
    let mut errors = Vec::new();
    for (i, n) in arena.nodes.iter().enumerate() {
        let Kind::Union(branches) = &n.kind else {
            continue;
        };
        let mut seen: HashMap<String, ()> = HashMap::new();
        for &b in branches {
            let d = arena.deref(b);
            let bn = arena.node(b);
            let key = match &arena.node(d).kind {
                Kind::Union(_) => {
                    errors.push((
                        bn.file,
                        bn.span.clone(),
                        arena.pointer(b),
                        "union directly inside a union".to_string(),
                    ));
                    continue;
                }
                Kind::Ref { .. } | Kind::Invalid => continue,
                Kind::Prim(_) | Kind::Array(_) | Kind::Map(_) => arena.type_name(d),
                Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
                    name.full.clone()
                }
            };
            if seen.insert(key.clone(), ()).is_some() {
                errors.push((
                    bn.file,
                    bn.span.clone(),
                    arena.pointer(b),
                    format!(
                        "duplicate union branch `{key}` in {}",
                        arena.describe_position(i as NodeId)
                    ),
                ));
            }
        }
    }
    for (file, span, ptr, msg) in errors {
        arena.error(file, span, Some(ptr), msg);
    }
}

fn check_defaults(arena: &mut Arena, pending: &[PendingDefault]) {
    for p in pending {
        let Kind::Record { fields, name, .. } = &arena.node(p.record).kind else {
            continue;
        };
        let Some(field) = fields.get(p.field_index) else {
            continue;
        };
        let ty = field.ty;
        let mut visiting = Vec::new();
        if !valid_default(arena, ty, &p.value, &mut visiting) {
            let msg = format!(
                "default of field `{}` of record `{}` does not match its type `{}`",
                field.name,
                name.full,
                arena.type_name(ty)
            );
            let ptr = format!(
                "{}/fields/{}/default",
                arena.pointer(p.record),
                p.field_index
            );
            arena.error(p.file, p.span.clone(), Some(ptr), msg);
        }
    }
}

/// Avro 1.12 `Schema.isValidDefault`: a union default may match any branch; enum and fixed defaults only need
/// to be strings; float and double accept a numeric string (the parser converts it first).
fn valid_default(arena: &Arena, ty: NodeId, v: &JVal, visiting: &mut Vec<NodeId>) -> bool {
    let id = arena.deref(ty);
    match &arena.node(id).kind {
        Kind::Ref { .. } | Kind::Invalid => true,
        Kind::Prim(p) => match (p, v) {
            (Prim::Null, JVal::Null) => true,
            (Prim::Boolean, JVal::Bool) => true,
            (Prim::Int, JVal::Num(n)) => is_integral(n) && n.parse::<i32>().is_ok(),
            (Prim::Long, JVal::Num(n)) => is_integral(n) && n.parse::<i64>().is_ok(),
            (Prim::Float | Prim::Double, JVal::Num(_)) => true,
            (Prim::Float | Prim::Double, JVal::Str(s)) => java_parse_double(s),
            (Prim::Bytes | Prim::String, JVal::Str(_)) => true,
            _ => false,
        },
        Kind::Enum { .. } | Kind::Fixed { .. } => matches!(v, JVal::Str(_)),
        Kind::Array(items) => match v {
            JVal::Arr(els) => els
                .iter()
                .all(|e| valid_default(arena, *items, e, visiting)),
            _ => false,
        },
        Kind::Map(values) => match v {
            JVal::Obj(props) => props
                .iter()
                .all(|(_, e)| valid_default(arena, *values, e, visiting)),
            _ => false,
        },
        Kind::Union(branches) => branches
            .iter()
            .any(|b| valid_default(arena, *b, v, visiting)),
        Kind::Record { fields, .. } => {
            let JVal::Obj(props) = v else { return false };
            if visiting.contains(&id) || visiting.len() > 64 {
                return true;
            }
            visiting.push(id);
            let ok = fields
                .iter()
                .all(|f| match props.iter().rev().find(|(k, _)| *k == f.name) {
                    Some((_, fv)) => valid_default(arena, f.ty, fv, visiting),
                    // A missing member takes the field's own default, which is validated on its own.
                    None => f.default.is_some(),
                });
            visiting.pop();
            ok
        }
    }
}

fn is_integral(n: &str) -> bool {
    !n.contains(['.', 'e', 'E'])
}

/// Whether Java's `Double.parseDouble` accepts the string (close enough: Rust's float grammar plus Java's
/// spellings of the special values and an optional type suffix).
fn java_parse_double(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    let u = t.trim_start_matches(['+', '-']);
    u == "NaN"
        || u == "Infinity"
        || (t.parse::<f64>().is_ok()
            && !u.eq_ignore_ascii_case("inf")
            && !u.eq_ignore_ascii_case("infinity")
            && !u.eq_ignore_ascii_case("nan"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_texts(texts: &[(&str, &str)]) -> Arena {
        let files: Vec<Arc<SourceFile>> = texts
            .iter()
            .map(|(p, t)| SourceFile::new(*p, None, *t))
            .collect();
        load(&files)
    }

    fn messages(a: &Arena) -> Vec<String> {
        a.findings.iter().map(|f| f.message.clone()).collect()
    }

    #[test]
    fn valid_record_has_spans_and_pointers() {
        let text = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[
            {"name":"id","type":"string"},
            {"name":"tags","type":{"type":"array","items":"string"}}]}"#;
        let a = load_texts(&[("o.avsc", text)]);
        assert!(a.findings.is_empty(), "{:?}", messages(&a));
        let root = a.roots[0].unwrap();
        let Kind::Record { name, fields, .. } = &a.node(root).kind else {
            panic!("not a record")
        };
        assert_eq!(name.full, "com.acme.Order");
        assert_eq!(&text[name.span.clone()], "\"Order\"");
        let Kind::Array(items) = a.node(fields[1].ty).kind else {
            panic!("not an array")
        };
        assert_eq!(a.pointer(items), "/fields/1/type/items");
    }

    #[test]
    fn invalid_json_reports_offset() {
        let a = load_texts(&[("a.avsc", "{\"type\": \"int\",}"), ("b.avsc", "\"int\"")]);
        assert_eq!(a.findings.len(), 1);
        assert!(a.findings[0].message.starts_with("invalid JSON"));
        assert!(a.roots[1].is_some());
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second_key() {
        let text = r#"{"type":"int","type":"long"}"#;
        let a = load_texts(&[("a.avsc", text)]);
        assert_eq!(messages(&a), vec!["duplicate key `type` in a JSON object"]);
        assert_eq!(a.findings[0].new.as_ref().unwrap().span.start, 14);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
                let a = load_texts(&[("deep.avsc", &text)]);
                a.findings.len()
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), 1);
    }

    #[test]
    fn unknown_type_and_cross_file_reference() {
        let a = load_texts(&[
            (
                "money.avsc",
                r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"c","type":"long"}]}"#,
            ),
            (
                "order.avsc",
                r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"m","type":"Money"},{"name":"x","type":"com.acme.Foo"}]}"#,
            ),
        ]);
        assert_eq!(messages(&a), vec!["unknown type `com.acme.Foo`"]);
    }

    #[test]
    fn validity_rules() {
        let cases = [
            (
                r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#,
                "duplicate field `a` in record `R`",
            ),
            (
                r#"{"type":"enum","name":"E","symbols":["A","A"]}"#,
                "duplicate symbol `A` in enum `E`",
            ),
            (
                r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
                "default `B` of enum `E` is not one of its symbols",
            ),
            (
                r#"["int","int"]"#,
                "duplicate union branch `int` in the top-level schema",
            ),
            (r#"["int",["null"]]"#, "union directly inside a union"),
            (
                r#"{"type":"fixed","name":"F","size":-1}"#,
                "`size` of fixed `F` must be a non-negative 32-bit integer",
            ),
            (
                r#"{"type":"record","name":"1R","fields":[]}"#,
                "invalid record name `1R`",
            ),
            (
                r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
                "default of field `a` of record `R` does not match its type `int`",
            ),
        ];
        for (text, want) in cases {
            let a = load_texts(&[("a.avsc", text)]);
            assert_eq!(messages(&a), vec![want.to_string()], "{text}");
        }
    }

    #[test]
    fn union_default_may_match_any_branch() {
        let text = r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"},{"name":"b","type":"double","default":"1.5"},{"name":"c","type":"long","default":5}]}"#;
        let a = load_texts(&[("a.avsc", text)]);
        assert!(a.findings.is_empty(), "{:?}", messages(&a));
    }

    #[test]
    fn redefinition_with_different_content_points_at_both() {
        let a = load_texts(&[
            ("a.avsc", r#"{"type":"fixed","name":"F","size":4}"#),
            ("b.avsc", r#"{"type":"fixed","name":"F","size":8}"#),
            (
                "c.avsc",
                r#"{"type":"fixed", "name":"F","size":4, "doc":"same"}"#,
            ),
            ("d.avsc", r#"{"type":"array","items":"F"}"#),
        ]);
        assert_eq!(a.findings.len(), 1, "{:?}", messages(&a));
        let f = &a.findings[0];
        assert_eq!(f.new.as_ref().unwrap().file.path, "b.avsc");
        assert_eq!(f.old.as_ref().unwrap().file.path, "a.avsc");
    }

    #[test]
    fn independent_files_may_inline_different_copies() {
        // Each file resolves its own definitions first; nobody references `F` from outside, so no ambiguity.
        let a = load_texts(&[
            (
                "a.avsc",
                r#"{"type":"record","name":"A","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":4}},{"name":"g","type":"F"}]}"#,
            ),
            (
                "b.avsc",
                r#"{"type":"record","name":"B","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":8}},{"name":"g","type":"F"}]}"#,
            ),
        ]);
        assert!(a.findings.is_empty(), "{:?}", messages(&a));
        let Kind::Record { fields, .. } = &a.node(a.roots[1].unwrap()).kind else {
            panic!()
        };
        let Kind::Fixed { size, .. } = a.node(a.deref(fields[1].ty)).kind else {
            panic!()
        };
        assert_eq!(size, 8);
    }

    #[test]
    fn same_file_redefinition_is_an_error() {
        let text = r#"["null",{"type":"fixed","name":"F","size":4},{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":8}}]}]"#;
        let a = load_texts(&[("a.avsc", text)]);
        assert_eq!(a.findings.len(), 1, "{:?}", messages(&a));
    }

    #[test]
    fn namespaces_inherit_and_empty_means_null() {
        let text = r#"{"type":"record","name":"Outer","namespace":"a.b","fields":[
            {"name":"x","type":{"type":"enum","name":"Inner","symbols":["A"]}},
            {"name":"y","type":{"type":"fixed","name":"Top","namespace":"","size":1}},
            {"name":"z","type":{"type":"record","name":"c.d.Dotted","namespace":"ignored","fields":[
                {"name":"w","type":{"type":"fixed","name":"Deep","size":2}}]}},
            {"name":"r1","type":"Inner"},{"name":"r2","type":"Top"},{"name":"r3","type":"c.d.Deep"}]}"#;
        let a = load_texts(&[("a.avsc", text)]);
        assert!(a.findings.is_empty(), "{:?}", messages(&a));
        let mut names: Vec<&str> = a.named.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            ["Top", "a.b.Inner", "a.b.Outer", "c.d.Deep", "c.d.Dotted"]
        );
    }

    #[test]
    fn self_recursive_record_is_valid() {
        let text = r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}"#;
        let a = load_texts(&[("a.avsc", text)]);
        assert!(a.findings.is_empty(), "{:?}", messages(&a));
    }

    #[test]
    fn aliases_resolve_in_the_namespace_of_the_aliased_type() {
        let text = r#"{"type":"record","name":"New","namespace":"a.b","aliases":["Old","x.Other"],"fields":[]}"#;
        let a = load_texts(&[("a.avsc", text)]);
        let Kind::Record { aliases, .. } = &a.node(a.roots[0].unwrap()).kind else {
            panic!()
        };
        assert_eq!(aliases, &vec!["a.b.Old".to_string(), "x.Other".to_string()]);
    }
}
