//! The neutral event model the cross-format lint rules read: each schema file becomes a `Schema` holding its
//! named types (records / messages / objects, enums), each field with a neutral type (logical types resolved:
//! an Avro `timestamp-millis` long, a JSON `format: date-time` string and a `google.protobuf.Timestamp` are all
//! `Ty::Timestamp`), optionality, default, doc, tags and a span plus a line-independent pointer on every
//! element. Lowering lives in `lower/` (one file per format) and never fails: what cannot be read is left out
//! (the format's own loader reports parse errors).

use std::ops::Range;
use std::sync::Arc;

use crate::finding::{Format, Location};
use crate::source::SourceFile;

pub mod lower;

pub use lower::lower_all;

/// A field's type, format-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Null,
    Bool,
    /// Any integer (int, long, int32, uint64, JSON `integer`).
    Int,
    /// Floating point (float, double, JSON `number`).
    Float,
    /// Exact decimal (Avro `decimal`, `google.type.Money` / `Decimal`, a string with a money/decimal format).
    Decimal,
    String,
    Bytes,
    Timestamp,
    Date,
    /// A time of day or a duration.
    Time,
    Uuid,
    Enum(String),
    /// A record / message / object type, by full name.
    Record(String),
    Array(Box<Ty>),
    Map(Box<Ty>),
    /// Several types (an Avro union other than null + one type, a JSON `type` list, a `oneOf`).
    Union(Vec<Ty>),
    /// Anything at all: Protobuf `Any` / `Struct` / `Value`, a JSON Schema `{}` or an object with no properties
    /// that allows any.
    Any,
    /// A type this model cannot see into (an unresolved reference, an external `$ref`).
    Unknown(String),
}

impl Ty {
    pub fn is_map_of_strings(&self) -> bool {
        matches!(self, Ty::Map(v) if matches!(**v, Ty::String | Ty::Any | Ty::Unknown(_)))
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    /// The type as written (`long`, `int64`, `string`), for messages.
    pub written: String,
    /// The logical type / format / well-known type name, when there is one.
    pub logical: Option<String>,
    /// May be absent or null.
    pub optional: bool,
    /// The default as JSON text, when declared (`null` included).
    pub default: Option<String>,
    pub doc: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    /// Avro: the union's branch list when the type is a union (`["null", "string"]`), in order.
    pub union_branches: Vec<String>,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Record,
    Enum,
}

/// How a Protobuf message is used by the file's services (events are never RPC requests or responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Plain,
    RpcMessage,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub number: Option<i64>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Type {
    pub kind: Kind,
    /// Unqualified name.
    pub name: String,
    /// Full name (namespace / package included).
    pub full_name: String,
    pub namespace: Option<String>,
    pub doc: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    /// String-valued custom properties (Avro `"owner": "…"`, JSON Schema `x-owner`, …).
    pub props: Vec<(String, String)>,
    pub fields: Vec<Field>,
    pub symbols: Vec<Symbol>,
    /// Enums: the declared default symbol (Avro `default`).
    pub enum_default: Option<String>,
    /// The schema's top-level type (the subject), not a nested or secondary one.
    pub top_level: bool,
    pub role: Role,
    /// Some of its fields come from a reference lowering could not follow (a JSON Schema `allOf` with an external
    /// `$ref`): rules that judge what is missing skip it.
    pub incomplete: bool,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub pointer: String,
}

/// One schema file, lowered.
#[derive(Debug, Clone)]
pub struct Schema {
    pub file: Arc<SourceFile>,
    pub format: Format,
    pub types: Vec<Type>,
    /// JSON Schema: the root's `$schema`, `title`, `$id`, and `additionalProperties` as written on each object.
    pub json: Option<JsonFacts>,
    /// Protobuf: the file's package and its span.
    pub package: Option<(String, Range<usize>)>,
    /// Protobuf: `// schemaguard:ignore RULE_ID reason` comments as (rule id, reason, span of the element they
    /// annotate). The JSON formats' `x-schemaguard-ignore` reach lint through the loaded snapshot instead.
    pub ignores: Vec<(String, Option<String>, Range<usize>)>,
}

#[derive(Debug, Clone, Default)]
pub struct JsonFacts {
    pub dialect: Option<String>,
    pub title: Option<String>,
    pub id: Option<String>,
    /// The span of the root object's start.
    pub root_span: Range<usize>,
    /// Object types (by full name) that state `additionalProperties` (or `unevaluatedProperties`).
    pub closed_or_open_stated: Vec<String>,
}

impl Schema {
    pub fn location(&self, span: Range<usize>, pointer: &str) -> Location {
        Location::new(&self.file, span).with_pointer(pointer.to_string())
    }

    /// The top-level type, if the schema has one.
    pub fn top(&self) -> Option<&Type> {
        self.types.iter().find(|t| t.top_level)
    }

    pub fn find(&self, full_name: &str) -> Option<&Type> {
        self.types.iter().find(|t| t.full_name == full_name)
    }
}
