//! Avro events: JSON (the spec's Avro JSON encoding, or plain JSON) ↔ `apache_avro::types::Value` ↔ binary
//! datums and object container files, with writer → reader schema resolution. apache-avro has no
//! spec-conformant Avro JSON reader (its serde path knows nothing of tagged unions), so the JSON side is a
//! schema-driven walk written here. Binary encoding, decoding and resolution are apache-avro's own.
//!
//! ```
//! use schemaguard::codec::{avro::AvroSchema, JsonEncoding};
//! let schema = AvroSchema::parse(r#"{"type":"record","name":"E","fields":[
//!     {"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#).unwrap();
//! let v = schema.from_json_str(r#"{"id": 1, "note": {"string": "hi"}}"#, JsonEncoding::AvroJson).unwrap();
//! let bytes = schema.encoder().unwrap().encode(&v).unwrap();
//! let back = schema.decoder(None).unwrap().decode(&bytes).unwrap();
//! assert_eq!(schema.to_json(&back, JsonEncoding::Plain).unwrap(), serde_json::json!({"id": 1, "note": "hi"}));
//! ```

use std::collections::HashMap;
use std::io::Read;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::{DecimalSchema, InnerDecimalSchema, Name, UuidSchema};
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use num_bigint::{BigInt, Sign};
use serde_json::Value as J;

use super::{At, CodecError, JsonEncoding};

/// A parsed Avro schema and the named types its references resolve to (defined in it or in other schemas).
#[derive(Debug, Clone)]
pub struct AvroSchema {
    root: Schema,
    /// Other top-level schemas that define named types the root references.
    others: Vec<Schema>,
    /// Every named type, by full name.
    names: HashMap<String, Schema>,
}

/// JSON walk modes: which forms a value may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `JsonEncoding::AvroJson`.
    Tagged,
    /// `JsonEncoding::Plain`.
    Plain,
    /// `JsonEncoding::Auto`: tagged or untagged unions, logical values as numbers, text or bytes.
    Auto,
    /// A field default (spec: a union's default belongs to its first branch, untagged).
    Default,
}

impl Mode {
    fn of(e: JsonEncoding) -> Mode {
        match e {
            JsonEncoding::AvroJson => Mode::Tagged,
            JsonEncoding::Plain => Mode::Plain,
            JsonEncoding::Auto => Mode::Auto,
        }
    }
    fn logical_text(self) -> bool {
        matches!(self, Mode::Plain | Mode::Auto)
    }
}

/// Deepest nesting of values the JSON walk follows (recursive schemas could otherwise recurse without bound).
const MAX_DEPTH: usize = 200;

impl AvroSchema {
    /// Parses one self-contained schema (`.avsc` text).
    pub fn parse(text: &str) -> Result<Self, CodecError> {
        let root = Schema::parse_str(text).map_err(|e| avro_error("invalid Avro schema", &e))?;
        Ok(Self::from_schema(root, Vec::new()))
    }

    /// Parses `text`, whose references to named types resolve to definitions in `others` (other `.avsc` texts,
    /// each a named type; they may reference one another).
    pub fn parse_with(text: &str, others: &[&str]) -> Result<Self, CodecError> {
        if others.is_empty() {
            return Self::parse(text);
        }
        let (root, list) = Schema::parse_str_with_list(text, others)
            .map_err(|e| avro_error("invalid Avro schema", &e))?;
        Ok(Self::from_schema(root, list))
    }

    /// Wraps an already parsed schema; `others` define the named types it references.
    pub fn from_schema(root: Schema, others: Vec<Schema>) -> Self {
        let mut names = HashMap::new();
        collect_names(&root, &mut names);
        for o in &others {
            collect_names(o, &mut names);
        }
        AvroSchema {
            root,
            others,
            names,
        }
    }

    /// The root schema.
    pub fn schema(&self) -> &Schema {
        &self.root
    }

    /// The full name of the root type, if it is a named type.
    pub fn full_name(&self) -> Option<String> {
        self.root.name().map(|n| n.fullname(None))
    }

    /// The root schema with every reference replaced by its definition (what a container file header holds).
    pub fn self_contained(&self) -> Result<Schema, CodecError> {
        let mut s = self.root.clone();
        if !self.others.is_empty() {
            s.denormalize(&self.others)
                .map_err(|e| avro_error("cannot inline referenced types", &e))?;
        }
        Ok(s)
    }

    /// Every schema, referenced types first: apache-avro resolves references only to schemas earlier in its list.
    fn schemata(&self) -> Vec<&Schema> {
        self.others
            .iter()
            .chain(std::iter::once(&self.root))
            .collect()
    }

    /// Converts JSON text to a value of this schema; a syntax error carries line and column.
    pub fn from_json_str(&self, text: &str, enc: JsonEncoding) -> Result<Value, CodecError> {
        let json: J = serde_json::from_str(text).map_err(|e| json_syntax_error(&e))?;
        self.from_json(&json, enc)
    }

    /// Converts a JSON value to a value of this schema (see [`JsonEncoding`] for the forms accepted).
    pub fn from_json(&self, json: &J, enc: JsonEncoding) -> Result<Value, CodecError> {
        let mut w = Walk::new(self);
        w.read_json(&self.root, json, Mode::of(enc))
    }

    /// Renders a value of this schema as JSON: `AvroJson` (or `Auto`) gives the Avro JSON encoding, `Plain` plain
    /// JSON (untagged unions, decimals as strings, dates and timestamps as ISO-8601 strings).
    pub fn to_json(&self, v: &Value, enc: JsonEncoding) -> Result<J, CodecError> {
        let mut w = Walk::new(self);
        let style = match enc {
            JsonEncoding::AvroJson | JsonEncoding::Auto => Style::Tagged,
            JsonEncoding::Plain => Style::Plain,
        };
        w.write_json(&self.root, v, style)
    }

    /// The *logical* value, for comparing values decoded with different schemas: plain JSON where a decimal is
    /// its number with trailing zeros removed (`12.30` at scale 2 equals `12.3` at scale 1) and a timestamp is its
    /// instant with the shortest fraction (`timestamp-millis` 1500 equals `timestamp-micros` 1500000). Two
    /// values are the same data exactly when their logical values are equal.
    pub fn logical(&self, v: &Value) -> Result<J, CodecError> {
        let mut w = Walk::new(self);
        w.write_json(&self.root, v, Style::Logical)
    }

    /// The same schema with every `logicalType` removed: the underlying types only, which is all Avro schema
    /// resolution looks at per the specification.
    pub fn without_logical_types(&self) -> Result<AvroSchema, CodecError> {
        let full = self.self_contained()?;
        let mut json = serde_json::to_value(&full)
            .map_err(|e| CodecError::new(format!("cannot render the schema: {e}")))?;
        strip_logical(&mut json);
        let root = Schema::parse(&json).map_err(|e| avro_error("invalid Avro schema", &e))?;
        Ok(Self::from_schema(root, Vec::new()))
    }

    /// A binary encoder for this schema (validates each value first).
    pub fn encoder(&self) -> Result<Encoder<'_>, CodecError> {
        let w = GenericDatumWriter::builder(&self.root)
            .schemata(self.schemata())
            .map_err(|e| avro_error("invalid Avro schema", &e))?
            .build()
            .map_err(|e| avro_error("invalid Avro schema", &e))?;
        Ok(Encoder { inner: w })
    }

    /// A binary decoder for data written with this schema, resolved to `reader` when given (Avro schema
    /// resolution, apache-avro's implementation: the datum is decoded with the writer schema, checked against
    /// it, then resolved to the reader schema).
    pub fn decoder<'a>(
        &'a self,
        reader: Option<&'a AvroSchema>,
    ) -> Result<Decoder<'a>, CodecError> {
        let bad = |e: apache_avro::Error| avro_error("invalid Avro schema", &e);
        let inner = GenericDatumReader::builder(&self.root)
            .writer_schemata(self.schemata())
            .map_err(bad)?
            .build()
            .map_err(bad)?;
        Ok(Decoder {
            inner,
            writer: self,
            reader,
        })
    }
}

/// Reads a datum written with `writer` as a reader with `reader` would per the Avro specification, where schema
/// resolution ignores logical types (the Java runtime's behaviour): resolution runs on the underlying types, the
/// result is re-encoded with the reader's underlying schema and decoded with the reader schema, so its logical
/// types apply to the bytes as they are. apache-avro's own resolution ([`AvroSchema::decoder`]) refuses some
/// of these reads (a `timestamp-millis` read as `timestamp-micros`, a short `bytes` decimal).
pub fn resolve_per_spec(
    writer: &AvroSchema,
    reader: &AvroSchema,
    bytes: &[u8],
) -> Result<Value, CodecError> {
    let w0 = writer.without_logical_types()?;
    let r0 = reader.without_logical_types()?;
    let v = w0.decoder(Some(&r0))?.decode(bytes)?;
    let again = r0.encoder()?.encode(&v)?;
    reader.decoder(None)?.decode(&again)
}

/// Where a datum stops resolving from its writer schema to a reader schema (see [`locate_resolution_failure`]).
#[derive(Debug, PartialEq)]
pub struct ResolveFailure {
    /// JSON pointer of the value in the datum (`/lines/0/qty`); empty for the whole datum.
    pub pointer: String,
    /// The record field holding the value, when there is one.
    pub field: Option<String>,
    /// Why, in schema terms: "written as `int`, read as `string`…", or the runtime's reason for a value of the
    /// same type (a symbol the reader's enum lacks).
    pub message: String,
}

/// Finds the innermost value of `v` (a datum of `writer`) that does not resolve to `reader`: records field by field
/// (by name or alias; a reader field missing from the data without a default), arrays and maps item by item, a
/// union's written branch. apache-avro's resolution error names neither the field nor the value, and says what
/// it expected as a Rust type dump. `None` when the datum resolves.
pub fn locate_resolution_failure(
    writer: &AvroSchema,
    reader: &AvroSchema,
    v: &Value,
) -> Option<ResolveFailure> {
    let mut ptr = String::new();
    resolution_walk(
        writer,
        reader,
        &writer.root,
        &reader.root,
        v,
        &mut ptr,
        None,
        0,
    )
}

#[allow(clippy::too_many_arguments)]
fn resolution_walk(
    writer: &AvroSchema,
    reader: &AvroSchema,
    ws: &Schema,
    rs: &Schema,
    v: &Value,
    ptr: &mut String,
    field: Option<&str>,
    depth: usize,
) -> Option<ResolveFailure> {
    let err = v.clone().resolve_schemata(rs, reader.schemata()).err()?;
    let deref = |a: &AvroSchema, s: &Schema| -> Schema {
        match s {
            Schema::Ref { name } => a
                .names
                .get(&name.fullname(None))
                .cloned()
                .unwrap_or_else(|| s.clone()),
            other => other.clone(),
        }
    };
    let (wd, rd) = (deref(writer, ws), deref(reader, rs));
    let fail = |ptr: &str, field: Option<&str>, message: String| ResolveFailure {
        pointer: ptr.to_string(),
        field: field.map(str::to_string),
        message,
    };
    if depth < 128 {
        let len = ptr.len();
        match (v, &wd, &rd) {
            (Value::Record(values), Schema::Record(w), Schema::Record(r)) => {
                for rf in &r.fields {
                    let names = std::iter::once(&rf.name).chain(rf.aliases.iter());
                    let found = names.into_iter().find_map(|n| {
                        let wf = w.fields.iter().find(|f| &f.name == n)?;
                        let val = values.iter().find(|(k, _)| k == n).map(|(_, v)| v)?;
                        Some((wf, val))
                    });
                    match found {
                        Some((wf, val)) => {
                            ptr.push('/');
                            ptr.push_str(&escape_pointer(&wf.name));
                            let inner = resolution_walk(
                                writer,
                                reader,
                                &wf.schema,
                                &rf.schema,
                                val,
                                ptr,
                                Some(&rf.name),
                                depth + 1,
                            );
                            ptr.truncate(len);
                            if inner.is_some() {
                                return inner;
                            }
                        }
                        None if rf.default.is_none() => {
                            return Some(fail(
                                ptr,
                                Some(&rf.name),
                                format!("the reader's field `{}` is not in the written data and has no default", rf.name),
                            ));
                        }
                        None => {}
                    }
                }
            }
            (Value::Array(items), Schema::Array(w), Schema::Array(r)) => {
                for (i, item) in items.iter().enumerate() {
                    ptr.push_str(&format!("/{i}"));
                    let inner = resolution_walk(
                        writer,
                        reader,
                        &w.items,
                        &r.items,
                        item,
                        ptr,
                        field,
                        depth + 1,
                    );
                    ptr.truncate(len);
                    if inner.is_some() {
                        return inner;
                    }
                }
            }
            (Value::Map(entries), Schema::Map(w), Schema::Map(r)) => {
                let mut keys: Vec<&String> = entries.keys().collect();
                keys.sort();
                for k in keys {
                    ptr.push('/');
                    ptr.push_str(&escape_pointer(k));
                    let inner = entries.get(k).and_then(|item| {
                        resolution_walk(
                            writer,
                            reader,
                            &w.types,
                            &r.types,
                            item,
                            ptr,
                            field,
                            depth + 1,
                        )
                    });
                    ptr.truncate(len);
                    if inner.is_some() {
                        return inner;
                    }
                }
            }
            (Value::Union(i, inner), Schema::Union(w), _) => {
                if let Some(branch) = w.variants().get(*i as usize) {
                    let targets: Vec<&Schema> = match &rd {
                        Schema::Union(r) => r.variants().iter().collect(),
                        _ => vec![&rd],
                    };
                    // A reader union takes the first branch the written branch resolves to; when none does, the
                    // failure is the written branch against the reader's branch of the same kind, else here.
                    if targets.len() == 1
                        || targets
                            .iter()
                            .any(|t| branch_name(t) == branch_name(branch))
                    {
                        let target = targets
                            .iter()
                            .find(|t| branch_name(t) == branch_name(branch))
                            .unwrap_or(&targets[0]);
                        let found = resolution_walk(
                            writer,
                            reader,
                            branch,
                            target,
                            inner,
                            ptr,
                            field,
                            depth + 1,
                        );
                        if found.is_some() {
                            return found;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let (wn, rn) = (kind_name(&wd), kind_name(&rd));
    let message = if let (Value::Enum(_, symbol), Schema::Enum(r)) = (v, &rd) {
        format!(
            "the symbol `{symbol}` is not among the reader's symbols ({}) and the reader's enum `{}` has no default",
            r.symbols.join(", "),
            r.name.fullname(None)
        )
    } else if wn != rn {
        format!("written as `{wn}`, read as `{rn}`, which Avro schema resolution does not convert")
    } else {
        // apache-avro's own words, without its Rust type names.
        let m = err.to_string().replace("Value::", "");
        let mut c = m.trim_end_matches('.').chars();
        c.next()
            .map(|f| f.to_lowercase().chain(c).collect())
            .unwrap_or_default()
    };
    Some(fail(ptr, field, message))
}

/// A schema's kind as a reader of the Avro specification names it: `int`, `string`, `record acme.Line`.
fn kind_name(s: &Schema) -> String {
    match s {
        Schema::Record(r) => format!("record {}", r.name.fullname(None)),
        Schema::Enum(e) => format!("enum {}", e.name.fullname(None)),
        Schema::Fixed(f) => format!("fixed {}", f.name.fullname(None)),
        Schema::Array(_) => "array".into(),
        Schema::Map(_) => "map".into(),
        Schema::Union(_) => "union".into(),
        other => branch_name(other),
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn strip_logical(j: &mut J) {
    match j {
        J::Object(o) => {
            o.remove("logicalType");
            for v in o.values_mut() {
                strip_logical(v);
            }
        }
        J::Array(a) => a.iter_mut().for_each(strip_logical),
        _ => {}
    }
}

/// Encodes values of one schema to Avro binary datums.
pub struct Encoder<'a> {
    inner: GenericDatumWriter<'a>,
}

impl Encoder<'_> {
    /// The datum's bytes.
    pub fn encode(&self, v: &Value) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        self.encode_into(v, &mut out)?;
        Ok(out)
    }

    /// Appends the datum's bytes to `out`.
    pub fn encode_into(&self, v: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.inner
            .write_value_ref(out, v)
            .map(|_| ())
            .map_err(|e| avro_error("value does not match the schema", &e))
    }
}

/// Decodes Avro binary datums written with one schema, optionally resolved to a reader schema.
pub struct Decoder<'a> {
    inner: GenericDatumReader<'a>,
    writer: &'a AvroSchema,
    reader: Option<&'a AvroSchema>,
}

impl Decoder<'_> {
    /// Decodes exactly one datum filling `bytes`; bytes left over are an error.
    pub fn decode(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        let mut r = Counting {
            inner: bytes,
            read: 0,
        };
        let v = self.read(&mut r)?;
        if r.read < bytes.len() {
            let mut err = CodecError::new(format!(
                "{} bytes left over after the datum",
                bytes.len() - r.read
            ));
            err.at = Some(At::Byte(r.read));
            return Err(err);
        }
        self.resolve(v)
    }

    /// Decodes one datum from the front of `bytes`, advancing it.
    pub fn decode_next(&self, bytes: &mut &[u8]) -> Result<Value, CodecError> {
        let start = bytes.len();
        let mut r = Counting {
            inner: bytes,
            read: 0,
        };
        let v = self.read(&mut r);
        let read = r.read;
        *bytes = &bytes[read.min(start)..];
        self.resolve(v?)
    }

    fn read(&self, r: &mut Counting) -> Result<Value, CodecError> {
        let whole = r.inner;
        let v = self.inner.read_value(r).map_err(|e| {
            let mut err = avro_error("cannot decode", &e);
            // apache-avro's allocation limit names its Rust API; the limit is the record size here.
            if err.message.contains("max_allocation_bytes") {
                err.message =
                    "cannot decode: a length or block count asks for more bytes than a record may \
                               hold (--max-record-size)"
                        .into();
            }
            err.at = Some(At::Byte(r.read));
            // apache-avro's errors name neither the field nor where it began: find them by walking the bytes.
            if let Some(b) = self.writer.locate_bad_bytes(whole) {
                err.message = format!("cannot decode: {}", b.problem);
                err.at = Some(At::Byte(b.offset));
                err.schema_path = b.schema_path;
                err.field = b.field;
            }
            err
        })?;
        // apache-avro decodes a string cut short by the end of input as null: check the value against the writer
        // schema, so a truncated datum is an error.
        if !v.validate_schemata(&self.writer.schemata()) {
            let mut err = CodecError::new(
                "cannot decode: the datum is truncated or does not match the writer schema",
            );
            err.at = Some(At::Byte(r.read));
            return Err(err);
        }
        Ok(v)
    }

    fn resolve(&self, v: Value) -> Result<Value, CodecError> {
        match self.reader {
            Some(reader) => v
                .resolve_schemata(&reader.root, reader.schemata())
                .map_err(|e| avro_error("cannot resolve to the reader schema", &e)),
            None => Ok(v),
        }
    }
}

/// Where a datum's bytes stop making sense for its schema (see [`AvroSchema::locate_bad_bytes`]).
#[derive(Debug, PartialEq)]
pub struct BadBytes {
    /// Offset of the value that could not be read, from the start of the datum.
    pub offset: usize,
    /// `com.acme.Order.lines[].price`, as in [`CodecError::schema_path`].
    pub schema_path: String,
    /// The innermost record field around the value.
    pub field: Option<String>,
    pub problem: String,
}

/// One step of the byte walk: a value to read, or the next item or block of an array or map.
enum Step<'a> {
    Value {
        schema: &'a Schema,
        path: String,
        field: Option<&'a str>,
    },
    Items {
        items: &'a Schema,
        map: bool,
        path: String,
        field: Option<&'a str>,
        left: u64,
    },
}

impl AvroSchema {
    /// Walks a datum's bytes along the schema, as the Avro binary encoding lays them out, and says where they stop
    /// making sense: the input ends inside a value, a length or block count is negative or larger than what is
    /// left, a union branch or enum index is out of range, a varint is malformed. `None` when the bytes read
    /// as a whole datum. apache-avro reports such failures without the field; this names it, for the error.
    /// Iterative (an explicit stack: one entry per open record field, array or map), linear in the bytes.
    pub fn locate_bad_bytes(&self, bytes: &[u8]) -> Option<BadBytes> {
        let root = self.full_name().unwrap_or_else(|| branch_name(&self.root));
        let mut pos = 0usize;
        let mut stack = vec![Step::Value {
            schema: &self.root,
            path: root,
            field: None,
        }];
        let bad = |offset: usize, path: &str, field: Option<&str>, problem: String| BadBytes {
            offset,
            schema_path: path.to_string(),
            field: field.map(str::to_string),
            problem,
        };
        // Reads a zigzag varint (at most 10 bytes).
        let varint = |pos: &mut usize| -> Result<i64, String> {
            let mut u: u64 = 0;
            for i in 0..10 {
                let Some(&b) = bytes.get(*pos) else {
                    return Err("the input ends inside a number".into());
                };
                *pos += 1;
                u |= u64::from(b & 0x7f) << (7 * i);
                if b & 0x80 == 0 {
                    return Ok(((u >> 1) as i64) ^ -((u & 1) as i64));
                }
            }
            Err("a number is longer than 10 bytes".into())
        };
        // A length or block size: a varint that must not be negative.
        let length = |pos: &mut usize, what: &str| -> Result<u64, String> {
            match varint(pos)? {
                n if n < 0 => Err(format!("negative {what} {n}")),
                n => Ok(n as u64),
            }
        };
        let take = |pos: &mut usize, n: u64, what: &str| -> Result<(), String> {
            let left = (bytes.len() - *pos) as u64;
            if n > left {
                return Err(format!(
                    "the input ends inside {what}: {n} byte{} needed, {left} left",
                    if n == 1 { "" } else { "s" }
                ));
            }
            *pos += n as usize;
            Ok(())
        };
        while let Some(step) = stack.pop() {
            match step {
                Step::Value {
                    schema,
                    path,
                    field,
                } => {
                    let start = pos;
                    let fail = |p: String| Some(bad(start, &path, field, p));
                    let schema = match schema {
                        Schema::Ref { name } => self.names.get(&name.fullname(None))?,
                        s => s,
                    };
                    let r: Result<(), String> = match schema {
                        Schema::Null => Ok(()),
                        Schema::Boolean => take(&mut pos, 1, "a boolean"),
                        Schema::Int
                        | Schema::Long
                        | Schema::Date
                        | Schema::TimeMillis
                        | Schema::TimeMicros
                        | Schema::TimestampMillis
                        | Schema::TimestampMicros
                        | Schema::TimestampNanos
                        | Schema::LocalTimestampMillis
                        | Schema::LocalTimestampMicros
                        | Schema::LocalTimestampNanos => varint(&mut pos).map(|_| ()),
                        Schema::Float => take(&mut pos, 4, "a float"),
                        Schema::Double => take(&mut pos, 8, "a double"),
                        Schema::String | Schema::Uuid(UuidSchema::String) => {
                            length(&mut pos, "length").and_then(|n| {
                                take(&mut pos, n, "a string")?;
                                std::str::from_utf8(&bytes[pos - n as usize..pos])
                                    .map(|_| ())
                                    .map_err(|e| format!("a string that is not UTF-8 ({e})"))
                            })
                        }
                        Schema::Bytes
                        | Schema::BigDecimal
                        | Schema::Uuid(UuidSchema::Bytes)
                        | Schema::Decimal(DecimalSchema {
                            inner: InnerDecimalSchema::Bytes,
                            ..
                        }) => length(&mut pos, "length")
                            .and_then(|n| take(&mut pos, n, "a bytes value")),
                        Schema::Fixed(f)
                        | Schema::Duration(f)
                        | Schema::Uuid(UuidSchema::Fixed(f))
                        | Schema::Decimal(DecimalSchema {
                            inner: InnerDecimalSchema::Fixed(f),
                            ..
                        }) => take(&mut pos, f.size as u64, "a fixed value"),
                        Schema::Enum(e) => match varint(&mut pos) {
                            Ok(i) if i < 0 || i as u64 >= e.symbols.len() as u64 => Err(format!(
                                "enum index {i} is out of range: `{}` has {} symbols",
                                e.name.fullname(None),
                                e.symbols.len()
                            )),
                            Ok(_) => Ok(()),
                            Err(e) => Err(e),
                        },
                        Schema::Union(u) => match varint(&mut pos) {
                            Ok(i) => {
                                match usize::try_from(i).ok().and_then(|i| u.variants().get(i)) {
                                    Some(b) => {
                                        let path = format!("{path}<{}>", branch_name(b));
                                        stack.push(Step::Value {
                                            schema: b,
                                            path,
                                            field,
                                        });
                                        Ok(())
                                    }
                                    None => Err(format!(
                                    "union branch {i} is out of range: the union has {} branches",
                                    u.variants().len()
                                )),
                                }
                            }
                            Err(e) => Err(e),
                        },
                        Schema::Record(r) => {
                            for f in r.fields.iter().rev() {
                                stack.push(Step::Value {
                                    schema: &f.schema,
                                    path: format!("{path}.{}", f.name),
                                    field: Some(&f.name),
                                });
                            }
                            Ok(())
                        }
                        Schema::Array(_) | Schema::Map(_) => {
                            let (items, map, step) = match schema {
                                Schema::Map(m) => (&*m.types, true, "{}"),
                                Schema::Array(a) => (&*a.items, false, "[]"),
                                _ => return None,
                            };
                            stack.push(Step::Items {
                                items,
                                map,
                                path: format!("{path}{step}"),
                                field,
                                left: 0,
                            });
                            Ok(())
                        }
                        Schema::Ref { .. } => return None,
                    };
                    if let Err(p) = r {
                        return fail(p);
                    }
                }
                Step::Items {
                    items,
                    map,
                    path,
                    field,
                    left,
                } => {
                    let start = pos;
                    let mut left = left;
                    if left == 0 {
                        // The next block: a count (0 ends the array), negative when a byte size follows.
                        let count = match varint(&mut pos) {
                            Ok(c) => c,
                            Err(p) => return Some(bad(start, &path, field, p)),
                        };
                        if count == 0 {
                            continue;
                        }
                        if count < 0 {
                            if let Err(p) = length(&mut pos, "block size") {
                                return Some(bad(start, &path, field, p));
                            }
                        }
                        left = count.unsigned_abs();
                        // Each item takes at least its schema's smallest encoding (a map entry one more byte, its
                        // key's length): a count whose items cannot fit in the bytes left is the error. Only items
                        // that may take no byte at all (null, a record of nulls) can be that many.
                        let rest = (bytes.len() - pos) as u64;
                        let least = self.min_encoded_size(items) + u64::from(map);
                        let may_be_empty = least == 0;
                        if !may_be_empty && left > rest / least {
                            let each = if least > 1 {
                                format!(" (each item takes at least {least} bytes)")
                            } else {
                                String::new()
                            };
                            return Some(bad(
                                start,
                                &path,
                                field,
                                format!(
                                    "a block of {left} items, but only {rest} {} left{each}",
                                    if rest == 1 { "byte is" } else { "bytes are" }
                                ),
                            ));
                        }
                        if may_be_empty && left > rest.saturating_add(1 << 20) {
                            return None;
                        }
                        if matches!(items, Schema::Null) {
                            stack.push(Step::Items {
                                items,
                                map,
                                path,
                                field,
                                left: 0,
                            });
                            continue;
                        }
                    }
                    stack.push(Step::Items {
                        items,
                        map,
                        path: path.clone(),
                        field,
                        left: left - 1,
                    });
                    if map {
                        let key_at = pos;
                        if let Err(p) =
                            length(&mut pos, "length").and_then(|n| take(&mut pos, n, "a map key"))
                        {
                            return Some(bad(key_at, &path, field, p));
                        }
                    }
                    stack.push(Step::Value {
                        schema: items,
                        path,
                        field,
                    });
                }
            }
        }
        None
    }
}

impl AvroSchema {
    /// The fewest bytes a value of `schema` takes in the binary encoding: 0 for null, 1 for a number, boolean,
    /// enum, union branch, string, bytes, array or map (its length or end of blocks), a fixed's size, the sum of a
    /// record's fields. A record met again inside itself counts 0 (the recursion ends through a union or array).
    fn min_encoded_size(&self, schema: &Schema) -> u64 {
        fn walk<'s>(
            me: &'s AvroSchema,
            s: &'s Schema,
            open: &mut Vec<String>,
            depth: usize,
        ) -> u64 {
            if depth > 64 {
                return 0;
            }
            match s {
                Schema::Null => 0,
                Schema::Float => 4,
                Schema::Double => 8,
                Schema::Fixed(f) => f.size as u64,
                Schema::Duration(_) => 12,
                Schema::Decimal(d) => match &d.inner {
                    apache_avro::schema::InnerDecimalSchema::Fixed(f) => f.size as u64,
                    _ => 1,
                },
                Schema::Uuid(apache_avro::schema::UuidSchema::Fixed(f)) => f.size as u64,
                Schema::Record(r) => {
                    let name = r.name.fullname(None);
                    if open.contains(&name) {
                        return 0;
                    }
                    open.push(name);
                    let sum = r
                        .fields
                        .iter()
                        .map(|f| walk(me, &f.schema, open, depth + 1))
                        .fold(0u64, u64::saturating_add);
                    open.pop();
                    sum
                }
                Schema::Ref { name } => match me.names.get(&name.fullname(None)) {
                    Some(t) if !open.contains(&name.fullname(None)) => walk(me, t, open, depth + 1),
                    _ => 0,
                },
                _ => 1,
            }
        }
        walk(self, schema, &mut Vec::new(), 0)
    }
}

struct Counting<'a> {
    inner: &'a [u8],
    read: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

/// Reads an object container file: the writer schema from its header, then records one at a time (bounded
/// memory: one block at a time). Truncated or corrupt input ends the iteration with an error naming the record.
pub struct ContainerReader<R: Read> {
    inner: apache_avro::Reader<'static, Tracked<R>>,
    schema: AvroSchema,
    index: usize,
    done: bool,
    /// Bytes of the file read so far (where a truncated file ends).
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// A reader that counts the bytes read through it.
pub struct Tracked<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Whether apache-avro failed because the input ended (an `UnexpectedEof` somewhere in its error's sources).
fn ended_early(e: &apache_avro::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof)
        {
            return true;
        }
        src = s.source();
    }
    false
}

impl<R: Read> ContainerReader<R> {
    pub fn new(input: R) -> Result<Self, CodecError> {
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tracked = Tracked {
            inner: input,
            read: std::sync::Arc::clone(&read),
        };
        let inner = apache_avro::Reader::new(tracked).map_err(|e| {
            use apache_avro::error::Details;
            let n = read.load(std::sync::atomic::Ordering::Relaxed);
            // Past the magic bytes the file is a container file: a cut one is truncated, not something else
            // (trial defect 11).
            let mut err = match e.details() {
                Details::HeaderMagic | Details::ReadHeader(_) => {
                    avro_error("not an Avro object container file", &e)
                }
                _ if ended_early(&e) => CodecError::new(format!(
                    "the Avro object container file is truncated: it ends after {n} bytes, inside its header"
                )),
                _ => avro_error("the Avro object container file's header is invalid", &e),
            };
            if !matches!(e.details(), Details::HeaderMagic | Details::ReadHeader(_)) {
                err.at = Some(At::Byte(n));
            }
            err
        })?;
        let schema = AvroSchema::from_schema(inner.writer_schema().clone(), Vec::new());
        Ok(ContainerReader {
            inner,
            schema,
            index: 0,
            done: false,
            read,
        })
    }

    /// The writer schema from the file's header.
    pub fn schema(&self) -> &AvroSchema {
        &self.schema
    }
}

impl<R: Read> Iterator for ContainerReader<R> {
    /// The record's index (0-based) and its value.
    type Item = Result<(usize, Value), CodecError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let i = self.index;
        match self.inner.next() {
            None => {
                self.done = true;
                None
            }
            Some(Ok(v)) => {
                self.index += 1;
                Some(Ok((i, v)))
            }
            Some(Err(e)) => {
                self.done = true;
                let n = self.read.load(std::sync::atomic::Ordering::Relaxed);
                let mut err = if ended_early(&e) {
                    CodecError::new(format!(
                        "the Avro object container file is truncated: it ends after {n} bytes, inside the data \
                         block holding record {}",
                        i + 1
                    ))
                } else {
                    avro_error(&format!("record {} of the container file", i + 1), &e)
                };
                err.at = Some(At::Byte(n));
                Some(Err(err))
            }
        }
    }
}

/// Reads every record of an object container file held in memory.
pub fn read_container(bytes: &[u8]) -> Result<(AvroSchema, Vec<Value>), CodecError> {
    let mut r = ContainerReader::new(bytes)?;
    let mut values = Vec::new();
    for item in r.by_ref() {
        values.push(item?.1);
    }
    Ok((r.schema, values))
}

/// Writes an object container file (no compression) holding `values`; the header carries the self-contained
/// schema.
pub fn write_container(schema: &AvroSchema, values: &[Value]) -> Result<Vec<u8>, CodecError> {
    let full = schema.self_contained()?;
    let mut w = apache_avro::Writer::new(&full, Vec::new())
        .map_err(|e| avro_error("cannot write container", &e))?;
    for (i, v) in values.iter().enumerate() {
        w.append_value_ref(v)
            .map_err(|e| avro_error(&format!("record {}", i + 1), &e))?;
    }
    w.into_inner()
        .map_err(|e| avro_error("cannot write container", &e))
}

/// A JSON syntax error from serde_json, with its line and column.
pub(crate) fn json_syntax_error(e: &serde_json::Error) -> CodecError {
    let mut err = CodecError::new(format!("invalid JSON: {}", strip_position(&e.to_string())));
    if e.line() > 0 {
        err.at = Some(At::Text {
            line: e.line(),
            column: e.column().max(1),
        });
    }
    err
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn avro_error(context: &str, e: &apache_avro::Error) -> CodecError {
    // apache-avro's messages start with a capital and may span lines; findings are one lowercase line.
    let mut text = e.to_string().replace('\n', " ");
    if let Some(c) = text.get(..1) {
        if !text.starts_with("JSON") {
            text = c.to_lowercase() + &text[1..];
        }
    }
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let m = s.to_string();
        if !detail.contains(&m) {
            detail = m;
        }
        src = s.source();
    }
    let _ = detail;
    CodecError::new(format!("{context}: {text}"))
}

fn collect_names(s: &Schema, out: &mut HashMap<String, Schema>) {
    let mut stack = vec![s];
    while let Some(s) = stack.pop() {
        match s {
            Schema::Record(r) if out.insert(r.name.fullname(None), s.clone()).is_none() => {
                stack.extend(r.fields.iter().map(|f| &f.schema));
            }
            Schema::Enum(e) => {
                out.insert(e.name.fullname(None), s.clone());
            }
            Schema::Fixed(f) | Schema::Duration(f) => {
                out.insert(f.name.fullname(None), s.clone());
            }
            Schema::Decimal(DecimalSchema {
                inner: InnerDecimalSchema::Fixed(f),
                ..
            })
            | Schema::Uuid(UuidSchema::Fixed(f)) => {
                out.insert(f.name.fullname(None), s.clone());
            }
            Schema::Array(a) => stack.push(&a.items),
            Schema::Map(m) => stack.push(&m.types),
            Schema::Union(u) => stack.extend(u.variants()),
            _ => {}
        }
    }
}

/// The name a union branch is tagged with in the Avro JSON encoding: a named type's full name, else the
/// (underlying) type's name.
fn branch_name(s: &Schema) -> String {
    match s {
        Schema::Null => "null".into(),
        Schema::Boolean => "boolean".into(),
        Schema::Int | Schema::Date | Schema::TimeMillis => "int".into(),
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => "long".into(),
        Schema::Float => "float".into(),
        Schema::Double => "double".into(),
        Schema::Bytes | Schema::BigDecimal => "bytes".into(),
        Schema::String => "string".into(),
        Schema::Array(_) => "array".into(),
        Schema::Map(_) => "map".into(),
        Schema::Union(_) => "union".into(),
        Schema::Record(r) => r.name.fullname(None),
        Schema::Enum(e) => e.name.fullname(None),
        Schema::Fixed(f) | Schema::Duration(f) => f.name.fullname(None),
        Schema::Decimal(d) => match &d.inner {
            InnerDecimalSchema::Bytes => "bytes".into(),
            InnerDecimalSchema::Fixed(f) => f.name.fullname(None),
        },
        Schema::Uuid(u) => match u {
            UuidSchema::Bytes => "bytes".into(),
            UuidSchema::String => "string".into(),
            UuidSchema::Fixed(f) => f.name.fullname(None),
        },
        Schema::Ref { name } => name.fullname(None),
    }
}

/// How `to_json` renders values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Tagged,
    Plain,
    Logical,
}

struct Walk<'a> {
    schema: &'a AvroSchema,
    /// JSON Pointer tokens (escaped) of the value being converted.
    ptr: Vec<String>,
    /// Schema path steps.
    spath: Vec<String>,
    field: Option<String>,
    depth: usize,
}

fn escape(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}

fn describe(j: &J) -> String {
    let s = match j {
        J::Null => "null".to_string(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => format!("\"{s}\""),
        J::Array(_) => "an array".to_string(),
        J::Object(_) => "an object".to_string(),
    };
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}...")
    } else {
        s
    }
}

impl<'a> Walk<'a> {
    fn new(schema: &'a AvroSchema) -> Self {
        let root = schema
            .full_name()
            .unwrap_or_else(|| branch_name(&schema.root));
        Walk {
            schema,
            ptr: Vec::new(),
            spath: vec![root],
            field: None,
            depth: 0,
        }
    }

    fn err(&self, message: impl Into<String>) -> CodecError {
        let mut pointer = String::new();
        for t in &self.ptr {
            pointer.push('/');
            pointer.push_str(t);
        }
        CodecError {
            pointer,
            at: None,
            schema_path: self.spath.concat(),
            field: self.field.clone(),
            message: message.into(),
        }
    }

    fn resolve(&self, s: &'a Schema) -> Result<&'a Schema, CodecError> {
        match s {
            Schema::Ref { name } => self.lookup(name),
            _ => Ok(s),
        }
    }

    fn lookup(&self, name: &Name) -> Result<&'a Schema, CodecError> {
        let full = name.fullname(None);
        self.schema.names.get(&full).ok_or_else(|| {
            self.err(format!(
                "the schema references `{full}`, which is not defined"
            ))
        })
    }

    fn expected(&self, what: &str, j: &J) -> CodecError {
        self.err(format!("expected {what}, found {}", describe(j)))
    }

    // ---- JSON → Value ------------------------------------------------------------------------------------

    fn read_json(&mut self, s: &'a Schema, j: &J, mode: Mode) -> Result<Value, CodecError> {
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("value nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let r = self.read_json_inner(s, j, mode);
        self.depth -= 1;
        r
    }

    fn read_json_inner(&mut self, s: &'a Schema, j: &J, mode: Mode) -> Result<Value, CodecError> {
        let s = self.resolve(s)?;
        match s {
            Schema::Null => match j {
                J::Null => Ok(Value::Null),
                _ => Err(self.expected("null", j)),
            },
            Schema::Boolean => match j {
                J::Bool(b) => Ok(Value::Boolean(*b)),
                _ => Err(self.expected("a boolean", j)),
            },
            Schema::Int => self.int(j, "an int").map(Value::Int),
            Schema::Long => self.long(j, "a long").map(Value::Long),
            Schema::Float => self.double(j, "a float").map(|f| Value::Float(f as f32)),
            Schema::Double => self.double(j, "a double").map(Value::Double),
            Schema::Bytes => self.bytes(j).map(Value::Bytes),
            Schema::String => match j {
                J::String(x) => Ok(Value::String(x.clone())),
                _ => Err(self.expected("a string", j)),
            },
            Schema::Array(a) => {
                let J::Array(items) = j else {
                    return Err(self.expected("an array", j));
                };
                let mut out = Vec::with_capacity(items.len());
                self.spath.push("[]".into());
                for (i, item) in items.iter().enumerate() {
                    self.ptr.push(i.to_string());
                    let v = self.read_json(&a.items, item, mode);
                    self.ptr.pop();
                    out.push(v?);
                }
                self.spath.pop();
                Ok(Value::Array(out))
            }
            Schema::Map(m) => {
                let J::Object(o) = j else {
                    return Err(self.expected("an object (a map)", j));
                };
                let mut out = HashMap::with_capacity(o.len());
                self.spath.push("{}".into());
                for (k, item) in o {
                    self.ptr.push(escape(k));
                    let v = self.read_json(&m.types, item, mode);
                    self.ptr.pop();
                    out.insert(k.clone(), v?);
                }
                self.spath.pop();
                Ok(Value::Map(out))
            }
            Schema::Union(u) => self.union(u.variants(), j, mode),
            Schema::Record(r) => {
                let J::Object(o) = j else {
                    return Err(self.expected(
                        &format!("an object (record `{}`)", r.name.fullname(None)),
                        j,
                    ));
                };
                for k in o.keys() {
                    if !r.lookup.contains_key(k) {
                        self.ptr.push(escape(k));
                        let e = self.err(format!(
                            "unknown field `{k}`: record `{}` has no such field",
                            r.name.fullname(None)
                        ));
                        self.ptr.pop();
                        return Err(e);
                    }
                }
                let mut fields = Vec::with_capacity(r.fields.len());
                let outer_field = self.field.take();
                for f in &r.fields {
                    self.spath.push(format!(".{}", f.name));
                    self.field = Some(f.name.clone());
                    let v = match o.get(&f.name) {
                        Some(x) => {
                            self.ptr.push(escape(&f.name));
                            let v = self.read_json(&f.schema, x, mode);
                            self.ptr.pop();
                            v
                        }
                        None => match &f.default {
                            Some(d) => self.read_json(&f.schema, d, Mode::Default).map_err(|mut e| {
                                e.message = format!("the default of field `{}` does not fit its type: {}", f.name, e.message);
                                e
                            }),
                            None => Err(self.err(format!(
                                "missing field `{}`: it has no default, so every event must carry it",
                                f.name
                            ))),
                        },
                    };
                    self.spath.pop();
                    match v {
                        Ok(v) => fields.push((f.name.clone(), v)),
                        Err(e) => {
                            self.field = outer_field;
                            return Err(e);
                        }
                    }
                }
                self.field = outer_field;
                Ok(Value::Record(fields))
            }
            Schema::Enum(e) => {
                let J::String(x) = j else {
                    return Err(
                        self.expected(&format!("a symbol of enum `{}`", e.name.fullname(None)), j)
                    );
                };
                match e.symbols.iter().position(|s| s == x) {
                    Some(i) => Ok(Value::Enum(i as u32, x.clone())),
                    None => Err(self.err(format!(
                        "`{x}` is not a symbol of enum `{}` ({})",
                        e.name.fullname(None),
                        e.symbols.join(", ")
                    ))),
                }
            }
            Schema::Fixed(f) => {
                let b = self.bytes(j)?;
                if b.len() != f.size {
                    return Err(self.err(format!(
                        "fixed `{}` holds {} bytes, the value has {}",
                        f.name.fullname(None),
                        f.size,
                        b.len()
                    )));
                }
                Ok(Value::Fixed(f.size, b))
            }
            Schema::Decimal(d) => self.decimal(d, j, mode),
            Schema::BigDecimal => {
                let text = match j {
                    J::Number(n) => n.to_string(),
                    J::String(x) => x.clone(),
                    _ => return Err(self.expected("a decimal number", j)),
                };
                text.parse::<bigdecimal::BigDecimal>()
                    .map(Value::BigDecimal)
                    .map_err(|_| self.expected("a decimal number", j))
            }
            Schema::Uuid(u) => {
                if let J::String(x) = j {
                    if let Ok(id) = apache_avro::Uuid::parse_str(x) {
                        return Ok(Value::Uuid(id));
                    }
                    if let UuidSchema::Fixed(_) | UuidSchema::Bytes = u {
                        let b = self.bytes(j)?;
                        if let Ok(id) = apache_avro::Uuid::from_slice(&b) {
                            return Ok(Value::Uuid(id));
                        }
                    }
                }
                Err(self.expected("a UUID", j))
            }
            Schema::Date => {
                if mode.logical_text() {
                    if let J::String(x) = j {
                        return parse_date(x)
                            .map(Value::Date)
                            .ok_or_else(|| self.expected("a date (YYYY-MM-DD)", j));
                    }
                }
                self.int(j, "a date (days since 1970-01-01)")
                    .map(Value::Date)
            }
            Schema::TimeMillis => {
                if mode.logical_text() {
                    if let J::String(x) = j {
                        return parse_time(x, 3)
                            .and_then(|t| i32::try_from(t).ok())
                            .map(Value::TimeMillis)
                            .ok_or_else(|| self.expected("a time (HH:MM:SS.sss)", j));
                    }
                }
                self.int(j, "a time in milliseconds").map(Value::TimeMillis)
            }
            Schema::TimeMicros => {
                if mode.logical_text() {
                    if let J::String(x) = j {
                        return parse_time(x, 6)
                            .map(Value::TimeMicros)
                            .ok_or_else(|| self.expected("a time (HH:MM:SS.ssssss)", j));
                    }
                }
                self.long(j, "a time in microseconds")
                    .map(Value::TimeMicros)
            }
            Schema::TimestampMillis => self
                .timestamp(j, mode, 3, false)
                .map(Value::TimestampMillis),
            Schema::TimestampMicros => self
                .timestamp(j, mode, 6, false)
                .map(Value::TimestampMicros),
            Schema::TimestampNanos => self.timestamp(j, mode, 9, false).map(Value::TimestampNanos),
            Schema::LocalTimestampMillis => self
                .timestamp(j, mode, 3, true)
                .map(Value::LocalTimestampMillis),
            Schema::LocalTimestampMicros => self
                .timestamp(j, mode, 6, true)
                .map(Value::LocalTimestampMicros),
            Schema::LocalTimestampNanos => self
                .timestamp(j, mode, 9, true)
                .map(Value::LocalTimestampNanos),
            Schema::Duration(_) => {
                if let J::Object(o) = j {
                    if mode.logical_text() {
                        let part = |k: &str| {
                            o.get(k)
                                .and_then(J::as_u64)
                                .and_then(|n| u32::try_from(n).ok())
                        };
                        if let (Some(m), Some(d), Some(ms)) =
                            (part("months"), part("days"), part("millis"))
                        {
                            return Ok(Value::Duration(apache_avro::Duration::new(
                                apache_avro::Months::new(m),
                                apache_avro::Days::new(d),
                                apache_avro::Millis::new(ms),
                            )));
                        }
                    }
                }
                let b = self.bytes(j)?;
                let arr: [u8; 12] = b.as_slice().try_into().map_err(|_| {
                    self.err(format!("a duration is 12 bytes, the value has {}", b.len()))
                })?;
                Ok(Value::Duration(apache_avro::Duration::from(arr)))
            }
            Schema::Ref { name } => {
                let s = self.lookup(name)?;
                self.read_json(s, j, mode)
            }
        }
    }

    fn union(&mut self, branches: &'a [Schema], j: &J, mode: Mode) -> Result<Value, CodecError> {
        let names: Vec<String> = branches.iter().map(branch_name).collect();
        let list = || format!("[{}]", names.join(", "));
        if mode == Mode::Default {
            let Some(first) = branches.first() else {
                return Err(self.err("a union with no branches has no values"));
            };
            return self
                .read_json(first, j, Mode::Default)
                .map(|v| Value::Union(0, Box::new(v)));
        }
        if let J::Null = j {
            if let Some(i) = branches.iter().position(|b| matches!(b, Schema::Null)) {
                return Ok(Value::Union(i as u32, Box::new(Value::Null)));
            }
        }
        if matches!(mode, Mode::Tagged | Mode::Auto) {
            if let J::Object(o) = j {
                if o.len() == 1 {
                    if let Some((k, inner)) = o.iter().next() {
                        if let Some(i) = names.iter().position(|n| n == k) {
                            self.ptr.push(escape(k));
                            self.spath.push(format!("<{k}>"));
                            let v = self.read_json(&branches[i], inner, mode);
                            self.spath.pop();
                            self.ptr.pop();
                            match v {
                                Ok(v) => return Ok(Value::Union(i as u32, Box::new(v))),
                                Err(e) if mode == Mode::Tagged => return Err(e),
                                Err(_) => {}
                            }
                        } else if mode == Mode::Tagged {
                            return Err(self.err(format!(
                                "`{k}` is not a branch of the union {}: a union value is {{\"<branch type>\": value}} in the Avro JSON encoding",
                                list()
                            )));
                        }
                    }
                }
            }
            if mode == Mode::Tagged {
                return Err(self.err(format!(
                    "expected a union value of {}: null or {{\"<branch type>\": value}} (Avro JSON encoding), found {}",
                    list(),
                    describe(j)
                )));
            }
        }
        // Untagged: the first branch, in schema order, the value fits.
        let mut deepest: Option<CodecError> = None;
        for (i, b) in branches.iter().enumerate() {
            match self.read_json(b, j, mode) {
                Ok(v) => return Ok(Value::Union(i as u32, Box::new(v))),
                Err(e) => {
                    if deepest
                        .as_ref()
                        .is_none_or(|d| e.pointer.len() > d.pointer.len())
                    {
                        deepest = Some(e);
                    }
                }
            }
        }
        let base = self.err(format!(
            "{} fits no branch of the union {}",
            describe(j),
            list()
        ));
        match deepest {
            // An error inside a branch (a record's field) says more than "fits no branch".
            Some(d) if d.pointer.len() > base.pointer.len() => Err(d),
            _ => Err(base),
        }
    }

    fn int(&self, j: &J, what: &str) -> Result<i32, CodecError> {
        j.as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| self.expected(what, j))
    }

    fn long(&self, j: &J, what: &str) -> Result<i64, CodecError> {
        j.as_i64().ok_or_else(|| self.expected(what, j))
    }

    fn double(&self, j: &J, what: &str) -> Result<f64, CodecError> {
        match j {
            J::Number(n) => n.as_f64().ok_or_else(|| self.expected(what, j)),
            J::String(s) if s == "NaN" => Ok(f64::NAN),
            J::String(s) if s == "Infinity" => Ok(f64::INFINITY),
            J::String(s) if s == "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(self.expected(what, j)),
        }
    }

    /// Bytes in the Avro JSON encoding: a string whose code points are each 0–255.
    fn bytes(&self, j: &J) -> Result<Vec<u8>, CodecError> {
        let J::String(s) = j else {
            return Err(self.expected("bytes (a string of code points 0-255)", j));
        };
        s.chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| {
                self.err("bytes are a string of code points 0-255 (\\u0000-\\u00ff) in JSON")
            })
    }

    fn decimal(&self, d: &DecimalSchema, j: &J, mode: Mode) -> Result<Value, CodecError> {
        let size = match &d.inner {
            InnerDecimalSchema::Fixed(f) => Some(f.size),
            InnerDecimalSchema::Bytes => None,
        };
        let text = match j {
            J::Number(n) if mode.logical_text() || mode == Mode::Default => Some(n.to_string()),
            J::String(s) if mode.logical_text() && looks_decimal(s) => Some(s.clone()),
            _ => None,
        };
        let bytes = match text {
            Some(t) => {
                let unscaled = parse_decimal(&t, d.scale).map_err(|m| self.err(m))?;
                let digits = unscaled
                    .magnitude()
                    .to_string()
                    .trim_start_matches('0')
                    .len();
                if digits > d.precision {
                    return Err(self.err(format!(
                        "{t} has {digits} digits at scale {}; the schema's precision is {}",
                        d.scale, d.precision
                    )));
                }
                let mut b = unscaled.to_signed_bytes_be();
                if let Some(size) = size {
                    if b.len() > size {
                        return Err(self.err(format!("{t} does not fit in {size} bytes")));
                    }
                    let fill = if unscaled.sign() == Sign::Minus {
                        0xff
                    } else {
                        0
                    };
                    let mut padded = vec![fill; size - b.len()];
                    padded.extend_from_slice(&b);
                    b = padded;
                }
                b
            }
            None => {
                let b = self.bytes(j).map_err(|_| {
                    if mode.logical_text() {
                        self.expected("a decimal (a number or a decimal string)", j)
                    } else {
                        self.expected("a decimal (its two's-complement bytes as a string of code points 0-255)", j)
                    }
                })?;
                if let Some(size) = size {
                    if b.len() != size {
                        return Err(self.err(format!(
                            "a decimal on fixed({size}) holds {size} bytes, the value has {}",
                            b.len()
                        )));
                    }
                }
                b
            }
        };
        Ok(Value::Decimal(apache_avro::Decimal::from(bytes)))
    }

    fn timestamp(&self, j: &J, mode: Mode, digits: u32, local: bool) -> Result<i64, CodecError> {
        if mode.logical_text() {
            if let J::String(x) = j {
                return parse_timestamp(x, digits, local).ok_or_else(|| {
                    self.expected(
                        if local {
                            "a local timestamp (YYYY-MM-DDTHH:MM:SS[.f])"
                        } else {
                            "a timestamp (YYYY-MM-DDTHH:MM:SS[.f]Z)"
                        },
                        j,
                    )
                });
            }
        }
        self.long(j, "a timestamp (a long)")
    }

    // ---- Value → JSON ------------------------------------------------------------------------------------

    fn mismatch(&self, s: &Schema, v: &Value) -> CodecError {
        self.err(format!(
            "value {v:?} does not match the schema's {}",
            branch_name(s)
        ))
    }

    fn write_json(&mut self, s: &'a Schema, v: &Value, style: Style) -> Result<J, CodecError> {
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("value nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let r = self.write_json_inner(s, v, style);
        self.depth -= 1;
        r
    }

    fn write_json_inner(
        &mut self,
        s: &'a Schema,
        v: &Value,
        style: Style,
    ) -> Result<J, CodecError> {
        let s = self.resolve(s)?;
        let text_logical = style != Style::Tagged;
        Ok(match (s, v) {
            (Schema::Union(u), Value::Union(i, inner)) => {
                let Some(b) = u.variants().get(*i as usize) else {
                    return Err(self.err(format!("union branch {i} does not exist")));
                };
                let b = self.resolve(b)?;
                let inner = self.write_json(b, inner, style)?;
                if style == Style::Tagged && !matches!(b, Schema::Null) {
                    let mut m = serde_json::Map::new();
                    m.insert(branch_name(b), inner);
                    J::Object(m)
                } else {
                    inner
                }
            }
            (Schema::Union(u), other) => {
                // A value that was not wrapped (resolution may unwrap): find its branch.
                let Some((i, b)) = u.variants().iter().enumerate().find(|(_, b)| {
                    other.validate_schemata(&[&self.schema.root, b]) || other.validate(b)
                }) else {
                    return Err(self.mismatch(s, other));
                };
                return self
                    .write_json(s, &Value::Union(i as u32, Box::new(other.clone())), style)
                    .or_else(|_| self.write_json(b, other, style));
            }
            (_, Value::Null) => J::Null,
            (_, Value::Boolean(b)) => J::Bool(*b),
            (Schema::Date, Value::Date(d)) | (Schema::Date, Value::Int(d)) if text_logical => {
                J::String(format_date(i64::from(*d)))
            }
            (Schema::TimeMillis, Value::TimeMillis(t)) | (Schema::TimeMillis, Value::Int(t))
                if text_logical =>
            {
                J::String(format_time(i64::from(*t), 3, style == Style::Logical))
            }
            (Schema::TimeMicros, Value::TimeMicros(t)) | (Schema::TimeMicros, Value::Long(t))
                if text_logical =>
            {
                J::String(format_time(*t, 6, style == Style::Logical))
            }
            (_, Value::TimestampMillis(t)) | (_, Value::LocalTimestampMillis(t))
                if text_logical =>
            {
                J::String(format_timestamp(
                    *t,
                    3,
                    matches!(v, Value::TimestampMillis(_)),
                    style == Style::Logical,
                ))
            }
            (_, Value::TimestampMicros(t)) | (_, Value::LocalTimestampMicros(t))
                if text_logical =>
            {
                J::String(format_timestamp(
                    *t,
                    6,
                    matches!(v, Value::TimestampMicros(_)),
                    style == Style::Logical,
                ))
            }
            (_, Value::TimestampNanos(t)) | (_, Value::LocalTimestampNanos(t)) if text_logical => {
                J::String(format_timestamp(
                    *t,
                    9,
                    matches!(v, Value::TimestampNanos(_)),
                    style == Style::Logical,
                ))
            }
            (_, Value::Int(n)) | (_, Value::Date(n)) | (_, Value::TimeMillis(n)) => J::from(*n),
            (_, Value::Long(n))
            | (_, Value::TimeMicros(n))
            | (_, Value::TimestampMillis(n))
            | (_, Value::TimestampMicros(n))
            | (_, Value::TimestampNanos(n))
            | (_, Value::LocalTimestampMillis(n))
            | (_, Value::LocalTimestampMicros(n))
            | (_, Value::LocalTimestampNanos(n)) => J::from(*n),
            (_, Value::Float(f)) => float_json(f64::from(*f)),
            (_, Value::Double(f)) => float_json(*f),
            (_, Value::String(x)) => J::String(x.clone()),
            (_, Value::Bytes(b)) | (_, Value::Fixed(_, b)) => J::String(latin1(b)),
            (_, Value::Enum(_, sym)) => J::String(sym.clone()),
            (Schema::Decimal(d), Value::Decimal(dec)) => {
                let bytes: Vec<u8> =
                    Vec::<u8>::try_from(dec).map_err(|e| avro_error("decimal", &e))?;
                if style == Style::Tagged {
                    J::String(latin1(&bytes))
                } else {
                    let unscaled = BigInt::from_signed_bytes_be(&bytes);
                    J::String(format_decimal(&unscaled, d.scale, style == Style::Logical))
                }
            }
            (_, Value::BigDecimal(b)) => {
                if style == Style::Logical {
                    J::String(b.normalized().to_string())
                } else {
                    J::String(b.to_string())
                }
            }
            (_, Value::Uuid(u)) => J::String(u.to_string()),
            (_, Value::Duration(d)) => {
                if text_logical {
                    serde_json::json!({
                        "months": u32::from(d.months()),
                        "days": u32::from(d.days()),
                        "millis": u32::from(d.millis()),
                    })
                } else {
                    let b: [u8; 12] = d.into();
                    J::String(latin1(&b))
                }
            }
            (Schema::Array(a), Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                self.spath.push("[]".into());
                for (i, item) in items.iter().enumerate() {
                    self.ptr.push(i.to_string());
                    let r = self.write_json(&a.items, item, style);
                    self.ptr.pop();
                    out.push(r?);
                }
                self.spath.pop();
                J::Array(out)
            }
            (Schema::Map(m), Value::Map(items)) => {
                let mut keys: Vec<&String> = items.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                self.spath.push("{}".into());
                for k in keys {
                    self.ptr.push(escape(k));
                    let r = self.write_json(&m.types, &items[k], style);
                    self.ptr.pop();
                    out.insert(k.clone(), r?);
                }
                self.spath.pop();
                J::Object(out)
            }
            (Schema::Record(r), Value::Record(fields)) => {
                let mut out = serde_json::Map::new();
                for (name, fv) in fields {
                    let Some(f) = r.lookup.get(name).and_then(|i| r.fields.get(*i)) else {
                        return Err(self.err(format!(
                            "record `{}` has no field `{name}`",
                            r.name.fullname(None)
                        )));
                    };
                    self.ptr.push(escape(name));
                    self.spath.push(format!(".{name}"));
                    let x = self.write_json(&f.schema, fv, style);
                    self.spath.pop();
                    self.ptr.pop();
                    out.insert(name.clone(), x?);
                }
                J::Object(out)
            }
            _ => return Err(self.mismatch(s, v)),
        })
    }
}

fn float_json(f: f64) -> J {
    if f.is_nan() {
        J::String("NaN".into())
    } else if f.is_infinite() {
        J::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        serde_json::Number::from_f64(f)
            .map(J::Number)
            .unwrap_or(J::Null)
    }
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

fn looks_decimal(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')
}

/// Parses decimal text (`-12.30`, `1e3`, `0.5E-1`) as an unscaled integer at `scale`; more fraction digits
/// than the scale holds (other than trailing zeros) is an error, never a rounding.
pub(crate) fn parse_decimal(text: &str, scale: usize) -> Result<BigInt, String> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (
            &t[..i],
            t[i + 1..]
                .parse::<i64>()
                .map_err(|_| format!("`{text}` is not a decimal number"))?,
        ),
        None => (t, 0),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(format!("`{text}` is not a decimal number"));
    }
    let mut digits = format!("{int}{frac}");
    // value = digits × 10^(exp − frac.len()); wanted: unscaled = value × 10^scale.
    let shift = exp - frac.len() as i64 + scale as i64;
    if shift >= 0 {
        if shift > 10_000 {
            return Err(format!("`{text}` is too large"));
        }
        digits.push_str(&"0".repeat(shift as usize));
    } else {
        let cut = (-shift) as usize;
        let keep = digits.len().saturating_sub(cut);
        if digits[keep..].chars().any(|c| c != '0')
            || (cut > digits.len() && digits.chars().any(|c| c != '0'))
        {
            return Err(format!(
                "{text} has more fraction digits than the schema's scale ({scale}) holds"
            ));
        }
        digits.truncate(keep);
    }
    if digits.is_empty() {
        digits.push('0');
    }
    let mut n: BigInt = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a decimal number"))?;
    if neg {
        n = -n;
    }
    Ok(n)
}

/// An unscaled integer at `scale` as decimal text; `normalize` drops trailing fraction zeros.
pub(crate) fn format_decimal(unscaled: &BigInt, scale: usize, normalize: bool) -> String {
    let neg = unscaled.sign() == Sign::Minus;
    let mut digits = unscaled.magnitude().to_string();
    if scale > 0 {
        if digits.len() <= scale {
            digits = "0".repeat(scale - digits.len() + 1) + &digits;
        }
        let point = digits.len() - scale;
        let (a, b) = digits.split_at(point);
        let b = if normalize {
            b.trim_end_matches('0')
        } else {
            b
        };
        digits = if b.is_empty() {
            a.to_string()
        } else {
            format!("{a}.{b}")
        };
    }
    if neg && digits.chars().any(|c| c != '0' && c != '.') {
        format!("-{digits}")
    } else {
        digits
    }
}

// ---- dates and times (proleptic Gregorian, UTC) --------------------------------------------------------------

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `HH:MM:SS[.fraction]` as units of 10^-digits seconds.
fn parse_time(s: &str, digits: u32) -> Option<i64> {
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let sec: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 || hms.len() != 8 {
        return None;
    }
    let f = parse_fraction(frac, digits)?;
    Some(((h * 60 + m) * 60 + sec) * 10i64.pow(digits) + f)
}

fn parse_fraction(frac: &str, digits: u32) -> Option<i64> {
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let d = digits as usize;
    let (keep, rest) = frac.split_at(frac.len().min(d));
    // Finer than the unit: refuse rather than round.
    if rest.chars().any(|c| c != '0') {
        return None;
    }
    let padded = format!("{keep:0<d$}");
    if padded.is_empty() {
        return Some(0);
    }
    padded.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)` (local: no zone) as units of 10^-digits seconds since the epoch.
fn parse_timestamp(s: &str, digits: u32, local: bool) -> Option<i64> {
    if s.len() < 19 {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let days = i64::from(parse_date(date)?);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, offset_secs) = if local {
        (rest, 0)
    } else if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else {
        if rest.len() < 6 {
            return None;
        }
        let (t, off) = rest.split_at(rest.len() - 6);
        let sign = match off.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let oh: i64 = off.get(1..3)?.parse().ok()?;
        let om: i64 = off.get(4..6)?.parse().ok()?;
        if off.as_bytes()[3] != b':' {
            return None;
        }
        (t, sign * (oh * 3600 + om * 60))
    };
    let t = parse_time(time, digits)?;
    let unit = 10i64.pow(digits);
    days.checked_mul(86_400 * unit)?
        .checked_add(t)?
        .checked_sub(offset_secs.checked_mul(unit)?)
}

fn format_time(units: i64, digits: u32, minimal: bool) -> String {
    let unit = 10i64.pow(digits);
    let secs = units.div_euclid(unit);
    let frac = units.rem_euclid(unit);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}{}", fraction(frac, digits, minimal))
}

fn fraction(frac: i64, digits: u32, minimal: bool) -> String {
    let f = format!("{frac:0width$}", width = digits as usize);
    let f = if minimal {
        f.trim_end_matches('0').to_string()
    } else {
        f
    };
    if f.is_empty() {
        String::new()
    } else {
        format!(".{f}")
    }
}

fn format_timestamp(units: i64, digits: u32, utc: bool, minimal: bool) -> String {
    let unit = 10i64.pow(digits);
    let secs = units.div_euclid(unit);
    let frac = units.rem_euclid(unit);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}{}{}",
        format_date(days),
        sod / 3600,
        (sod / 60) % 60,
        sod % 60,
        fraction(frac, digits, minimal),
        if utc { "Z" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_bytes_are_located_at_the_value_and_field_they_break() {
        let s = AvroSchema::parse(
            r#"{"type":"record","name":"R","namespace":"a","fields":[
                {"name":"s","type":"string"},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
                {"name":"m","type":{"type":"map","values":{"type":"array","items":"int"}}},
                {"name":"f","type":{"type":"fixed","name":"F","size":4}}]}"#,
        )
        .expect("schema");
        // s = "ab", e = Y, m = {"k": [1, 2]}, f = 4 bytes.
        let good = [4, b'a', b'b', 2, 2, 2, b'k', 4, 2, 4, 0, 0, 1, 2, 3, 4];
        assert_eq!(s.locate_bad_bytes(&good), None);
        let at = |bytes: &[u8]| {
            let b = s.locate_bad_bytes(bytes).expect("located");
            (b.offset, b.schema_path, b.field, b.problem)
        };
        // Cut inside the fixed: the value begins at byte 12.
        let (off, path, field, problem) = at(&good[..14]);
        assert_eq!(
            (off, path.as_str(), field.as_deref()),
            (12, "a.R.f", Some("f"))
        );
        assert_eq!(
            problem,
            "the input ends inside a fixed value: 4 bytes needed, 2 left"
        );
        // Enum index 5.
        let mut b = good.to_vec();
        b[3] = 10;
        let (off, _, field, problem) = at(&b);
        assert_eq!((off, field.as_deref()), (3, Some("e")));
        assert!(
            problem.starts_with("enum index 5 is out of range"),
            "{problem}"
        );
        // The map's array cut off after its first item: the block of two items cannot fit.
        let (off, path, field, problem) = at(&good[..9]);
        assert_eq!(
            (off, path.as_str(), field.as_deref()),
            (7, "a.R.m{}[]", Some("m"))
        );
        assert_eq!(problem, "a block of 2 items, but only 1 byte is left");
        // Cut after the map key: the array's block count is missing.
        let (off, path, _, problem) = at(&good[..7]);
        assert_eq!((off, path.as_str()), (7, "a.R.m{}[]"));
        assert_eq!(problem, "the input ends inside a number");
        // A negative string length.
        let (off, _, field, problem) = at(&[3]);
        assert_eq!(
            (off, field.as_deref(), problem.as_str()),
            (0, Some("s"), "negative length -2")
        );
        // A block count larger than the input.
        let mut b = good[..7].to_vec();
        b.extend([0x80, 0x01]);
        let (_, path, _, problem) = at(&b);
        assert_eq!(path, "a.R.m{}[]");
        assert_eq!(problem, "a block of 64 items, but only 0 bytes are left");
        // A string that is not UTF-8.
        let (_, _, field, problem) = at(&[2, 0xff]);
        assert_eq!(field.as_deref(), Some("s"));
        assert!(
            problem.starts_with("a string that is not UTF-8"),
            "{problem}"
        );
    }

    /// Trial defect 12: a block count of records too many to fit is located at the array's field, with the
    /// least size of an item (a record's fields summed), instead of apache-avro's allocation-limit advice.
    #[test]
    fn a_block_of_records_that_cannot_fit_names_the_field() {
        let schema = AvroSchema::parse(
            r#"{"type":"record","name":"O","namespace":"a","fields":[
                {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
                    {"name":"sku","type":"string"},{"name":"n","type":"int"},{"name":"p","type":"double"},
                    {"name":"none","type":"null"}]}}}]}"#,
        )
        .expect("schema");
        // 2^40 items, then two bytes.
        let bytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x02, 0x61];
        let b = schema.locate_bad_bytes(&bytes).expect("refused");
        assert_eq!((b.offset, b.field.as_deref()), (0, Some("lines")));
        assert_eq!(
            b.problem,
            "a block of 1099511627776 items, but only 2 bytes are left (each item takes at least 10 bytes)"
        );
        // Items of nothing but nulls may be that many: not refused here.
        let empty = AvroSchema::parse(
            r#"{"type":"record","name":"O","fields":[{"name":"xs","type":{"type":"array","items":"null"}}]}"#,
        )
        .expect("schema");
        assert_eq!(empty.min_encoded_size(&Schema::Null), 0);
    }

    const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"acme","fields":[
        {"name":"id","type":"long"},
        {"name":"total","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
        {"name":"extra","type":["null",{"type":"map","values":"long"}],"default":null}
    ]}"#;

    fn order() -> AvroSchema {
        AvroSchema::parse(ORDER).unwrap()
    }

    #[test]
    fn avro_json_round_trips_through_binary() {
        let s = order();
        let text = r#"{"id": 7, "total": "\u0004\u00d2", "at": 1700000000000, "status": "PAID",
            "note": {"string": "hi"}, "tags": ["a"], "extra": {"map": {"k": 1}}}"#;
        let v = s.from_json_str(text, JsonEncoding::AvroJson).unwrap();
        let bytes = s.encoder().unwrap().encode(&v).unwrap();
        let back = s.decoder(None).unwrap().decode(&bytes).unwrap();
        let expected: J = serde_json::from_str(text).unwrap();
        assert_eq!(s.to_json(&back, JsonEncoding::AvroJson).unwrap(), expected);
        assert_eq!(
            s.to_json(&back, JsonEncoding::Plain).unwrap(),
            json!({"id": 7, "total": "12.34", "at": "2023-11-14T22:13:20.000Z", "status": "PAID",
                   "note": "hi", "tags": ["a"], "extra": {"k": 1}})
        );
    }

    #[test]
    fn plain_json_takes_the_first_branch_and_logical_text() {
        let s = order();
        let v = s
            .from_json(
                &json!({"id": 1, "total": "12.30", "at": "2023-11-14T22:13:20Z", "status": "NEW", "note": "x"}),
                JsonEncoding::Plain,
            )
            .unwrap();
        let logical = s.logical(&v).unwrap();
        assert_eq!(logical["total"], json!("12.3"));
        assert_eq!(logical["at"], json!("2023-11-14T22:13:20Z"));
        assert_eq!(logical["note"], json!("x"));
        assert_eq!(logical["tags"], json!([]));
    }

    #[test]
    fn tagged_mode_refuses_untagged_unions_with_a_pointer() {
        let s = order();
        let e = s
            .from_json(
                &json!({"id": 1, "total": "\u{0}", "at": 0, "status": "NEW", "note": "x"}),
                JsonEncoding::AvroJson,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "/note");
        assert_eq!(e.schema_path, "acme.Order.note");
        assert_eq!(e.field.as_deref(), Some("note"));
        assert!(e.message.contains("[null, string]"), "{}", e.message);
    }

    #[test]
    fn errors_name_pointer_and_schema_path() {
        let s = order();
        let e = s
            .from_json(
                &json!({"id": 1, "total": "1.234", "at": 0, "status": "LOST"}),
                JsonEncoding::Plain,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "/total");
        assert!(e.message.contains("scale (2)"), "{}", e.message);
        let e = s
            .from_json(
                &json!({"id": 1, "total": 1, "at": 0, "status": "LOST"}),
                JsonEncoding::Plain,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "/status");
        assert!(e.message.contains("not a symbol"), "{}", e.message);
        let e = s
            .from_json(
                &json!({"total": 1, "at": 0, "status": "NEW"}),
                JsonEncoding::Plain,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("missing field `id`"), "{}", e.message);
        let e = s
            .from_json(
                &json!({"id": 1, "total": 1, "at": 0, "status": "NEW", "tags": ["a", 2]}),
                JsonEncoding::Plain,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "/tags/1");
        assert_eq!(e.schema_path, "acme.Order.tags[]");
        let e = s
            .from_json(
                &json!({"id": 1.5, "total": 1, "at": 0, "status": "NEW", "bogus": 1}),
                JsonEncoding::Plain,
            )
            .unwrap_err();
        assert_eq!(e.pointer, "/bogus");
    }

    #[test]
    fn resolution_reads_old_bytes_with_the_new_schema() {
        let old = AvroSchema::parse(
            r#"{"type":"record","name":"P","fields":[{"name":"price","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":9,"scale":2}}]}"#,
        )
        .unwrap();
        let new = AvroSchema::parse(
            r#"{"type":"record","name":"P","fields":[{"name":"price","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":9,"scale":3}},
               {"name":"c","type":"string","default":"EUR"}]}"#,
        )
        .unwrap();
        let v = old
            .from_json(&json!({"price": "12.34"}), JsonEncoding::Plain)
            .unwrap();
        let bytes = old.encoder().unwrap().encode(&v).unwrap();
        let read = old.decoder(Some(&new)).unwrap().decode(&bytes).unwrap();
        assert_eq!(
            new.logical(&read).unwrap(),
            json!({"price": "1.234", "c": "EUR"})
        );
        assert_eq!(old.logical(&v).unwrap(), json!({"price": "12.34"}));
    }

    #[test]
    fn apache_avro_refuses_short_bytes_decimals_when_resolving() {
        // A known apache-avro 0.22 difference from Java: resolving a bytes decimal whose minimal encoding is
        // shorter than the precision needs fails, although the schemas are identical.
        let s = AvroSchema::parse(
            r#"{"type":"record","name":"P","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}"#,
        )
        .unwrap();
        let v = s
            .from_json(&json!({"price": "12.34"}), JsonEncoding::Plain)
            .unwrap();
        let bytes = s.encoder().unwrap().encode(&v).unwrap();
        assert!(s.decoder(None).unwrap().decode(&bytes).is_ok());
        let e = s.decoder(Some(&s)).unwrap().decode(&bytes).unwrap_err();
        assert!(e.message.contains("precision"), "{}", e.message);
    }

    #[test]
    fn truncated_and_trailing_bytes_have_offsets() {
        let s = AvroSchema::parse(
            r#"{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}"#,
        )
        .unwrap();
        let d = s.decoder(None).unwrap();
        let e = d.decode(&[0x0a, b'a']).unwrap_err();
        assert!(e.offset().is_some());
        let e = d.decode(&[0x02, b'a', 0]).unwrap_err();
        assert_eq!(e.offset(), Some(2));
        assert!(e.message.contains("left over"));
    }

    #[test]
    fn container_files_round_trip_and_truncation_is_an_error() {
        let s = order();
        let v = s
            .from_json(
                &json!({"id": 1, "total": 1, "at": 0, "status": "NEW"}),
                JsonEncoding::Plain,
            )
            .unwrap();
        let file = write_container(&s, &[v.clone(), v.clone()]).unwrap();
        let (schema, values) = read_container(&file).unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(schema.logical(&values[1]).unwrap(), s.logical(&v).unwrap());
        assert!(read_container(&file[..file.len() - 20]).is_err());
        assert!(read_container(b"not avro").is_err());
    }

    #[test]
    fn references_resolve_across_schemas() {
        let money = r#"{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"cents","type":"long"}]}"#;
        let s = AvroSchema::parse_with(
            r#"{"type":"record","name":"Pay","namespace":"acme","fields":[{"name":"amount","type":"acme.Money"},{"name":"alt","type":["null","acme.Money"],"default":null}]}"#,
            &[money],
        )
        .unwrap();
        let v = s
            .from_json(
                &json!({"amount": {"cents": 5}, "alt": {"acme.Money": {"cents": 6}}}),
                JsonEncoding::AvroJson,
            )
            .unwrap();
        let bytes = s.encoder().unwrap().encode(&v).unwrap();
        let back = s.decoder(None).unwrap().decode(&bytes).unwrap();
        assert_eq!(
            s.to_json(&back, JsonEncoding::Plain).unwrap(),
            json!({"amount": {"cents": 5}, "alt": {"cents": 6}})
        );
        let file = write_container(&s, &[back]).unwrap();
        assert_eq!(read_container(&file).unwrap().1.len(), 1);
    }

    #[test]
    fn decimal_text() {
        assert_eq!(parse_decimal("12.3", 2).unwrap(), BigInt::from(1230));
        assert_eq!(parse_decimal("-0.05", 2).unwrap(), BigInt::from(-5));
        assert_eq!(parse_decimal("1e2", 0).unwrap(), BigInt::from(100));
        assert_eq!(parse_decimal("12.300", 2).unwrap(), BigInt::from(1230));
        assert!(parse_decimal("12.345", 2).is_err());
        assert!(parse_decimal("x", 2).is_err());
        assert_eq!(format_decimal(&BigInt::from(-5), 2, false), "-0.05");
        assert_eq!(format_decimal(&BigInt::from(1230), 2, true), "12.3");
        assert_eq!(format_decimal(&BigInt::from(1200), 2, true), "12");
    }

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-02-29"), Some(19782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(format_date(19782), "2024-02-29");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:01.5Z", 3, false),
            Some(1500)
        );
        assert_eq!(
            parse_timestamp("1970-01-01T01:00:00+01:00", 3, false),
            Some(0)
        );
        assert_eq!(parse_timestamp("1970-01-01T00:00:00.0001Z", 3, false), None);
        assert_eq!(
            format_timestamp(1500, 3, true, true),
            "1970-01-01T00:00:01.5Z"
        );
        assert_eq!(
            format_timestamp(1_500_000, 6, true, true),
            "1970-01-01T00:00:01.5Z"
        );
        assert_eq!(
            format_timestamp(-1, 3, true, false),
            "1969-12-31T23:59:59.999Z"
        );
        assert_eq!(parse_time("12:00:00.25", 3), Some(43_200_250));
    }
}
