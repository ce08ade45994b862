//! Event codecs: schema-driven conversion of one event between its encodings, for the contract test runner
//! (`schemaguard test`) and the `decode` / `encode` commands. Owns the mapping between text forms (Avro JSON
//! encoding, plain JSON, the Protobuf JSON mapping and text format) and binary forms (Avro binary datums and
//! object container files, Protobuf wire format), through `apache-avro` and `prost-reflect`. Every failure is a
//! [`CodecError`] that says where: a JSON Pointer into the JSON instance, a byte offset into binary input, the
//! path in the schema that rejected the value. It never reads files, never prints, and never panics on input.
//!
//! - [`avro`]: [`avro::AvroSchema`] (a parsed schema plus the named types it references),
//!   [`avro::AvroSchema::from_json`] / [`avro::AvroSchema::to_json`] (Avro JSON encoding with tagged unions, or
//!   plain JSON), [`avro::Encoder`] / [`avro::Decoder`] (binary datums, with schema resolution
//!   writer → reader), [`avro::read_container`] / [`avro::write_container`] (object container files), and
//!   [`avro::AvroSchema::logical`] (the decoded *logical* value, for comparing values across versions).
//! - [`protobuf`]: JSON mapping, text format and wire format of a `prost_reflect::DynamicMessage`, plus a
//!   by-field-number view ([`protobuf::wire_view`]) that shows data lost or reinterpreted by a new descriptor.
//! - [`position`]: maps a JSON Pointer back to the byte range of the value in the JSON text, so a caller can
//!   report `file:line:col` (only computed when there is an error to report: the fast path parses with serde).

pub mod avro;
pub mod position;
pub mod protobuf;

use std::fmt;

/// Why a value could not be converted, encoded or decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    /// JSON Pointer (RFC 6901) of the offending value in the JSON instance; `""` is the whole instance. Empty as
    /// well for errors in binary input.
    pub pointer: String,
    /// Where in the input, when known beyond the pointer: a byte offset into binary input, or the line and
    /// column the text parser gave.
    pub at: Option<At>,
    /// The path in the schema that rejected the value: `com.acme.Order.lines[].unitPrice`, `acme.v1.Order.total`.
    /// `[]` steps into array items, `{}` into map values, `<branch>` into a union branch.
    pub schema_path: String,
    /// The record field or message field the failure is in, when there is one.
    pub field: Option<String>,
    /// What is wrong, lowercase, no trailing period: "expected a string, found 12".
    pub message: String,
}

impl CodecError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        CodecError {
            pointer: String::new(),
            at: None,
            schema_path: String::new(),
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.pointer.is_empty() {
            write!(f, " (at `{}`", self.pointer)?;
            if !self.schema_path.is_empty() {
                write!(f, ", schema `{}`", self.schema_path)?;
            }
            f.write_str(")")?;
        } else if !self.schema_path.is_empty() {
            write!(f, " (schema `{}`)", self.schema_path)?;
        }
        if let Some(At::Byte(o)) = self.at {
            write!(f, " at byte {o}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CodecError {}

/// A position in the input a [`CodecError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Byte offset into binary input where decoding failed (at or after the offending byte).
    Byte(usize),
    /// 1-based line and column (in characters) in text input (JSON syntax, Protobuf JSON and text format).
    Text { line: usize, column: usize },
}

impl CodecError {
    /// The byte offset, for binary input.
    pub fn offset(&self) -> Option<usize> {
        match self.at {
            Some(At::Byte(o)) => Some(o),
            _ => None,
        }
    }

    /// Line and column, for text input located by its parser.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match self.at {
            Some(At::Text { line, column }) => Some((line, column)),
            _ => None,
        }
    }
}

/// How JSON text maps to Avro values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonEncoding {
    /// The Avro specification's JSON encoding: a non-null union value is an object with one key, the branch's
    /// type name (`{"string": "x"}`, `{"com.acme.Money": {...}}`); bytes and fixed are strings of code points
    /// 0–255; decimals are their two's-complement bytes in that form.
    AvroJson,
    /// Plain JSON as applications write it: a union value is untagged and takes the *first* branch (in schema
    /// order) it fits; a decimal is a JSON number or a decimal string (`"12.30"`); `date`, `time-*` and
    /// `timestamp-*` take either their number or an ISO-8601 string (`"2024-05-01"`, `"2024-05-01T12:00:00Z"`);
    /// bytes and fixed are strings of code points 0–255, as in the Avro JSON encoding.
    Plain,
    /// Avro JSON encoding if the value fits it, else plain JSON. When neither fits, the error of the reading that
    /// got deeper into the value is reported.
    Auto,
}
