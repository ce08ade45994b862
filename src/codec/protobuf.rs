//! Protobuf events: the JSON mapping, the text format and the wire format of a `prost_reflect::DynamicMessage`,
//! plus [`compile`] (`.proto` texts held in memory → a `DescriptorPool`, well-known types built in) and
//! [`data_changes`], which compares a message decoded with an old descriptor with the same bytes decoded with a
//! new one, by field number, and lists the data the new descriptor lost (unknown fields, enum numbers it does
//! not know) or reads differently (`int32` → `sint32`, a changed scalar kind).
//!
//! ```
//! use schemaguard::codec::protobuf;
//! let pool = protobuf::compile(&[("o.proto", "syntax = \"proto3\"; package a; message O { int64 id = 1; }")]).unwrap();
//! let desc = protobuf::message(&pool, "a.O").unwrap();
//! let m = protobuf::from_json_str(&desc, r#"{"id": "5"}"#).unwrap();
//! let bytes = protobuf::encode(&m);
//! let back = protobuf::decode(&desc, &bytes).unwrap();
//! assert_eq!(protobuf::to_json(&back).unwrap(), serde_json::json!({"id": "5"}));
//! ```

use std::collections::HashMap;

use prost::Message;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MapKey,
    MessageDescriptor, ReflectMessage, SerializeOptions, Value,
};
use protox::file::{File, FileResolver, GoogleFileResolver};

use super::{At, CodecError};

/// `.proto` texts by import path, plus the well-known types.
struct MemResolver {
    files: HashMap<String, String>,
    google: GoogleFileResolver,
}

impl FileResolver for MemResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.files.get(name) {
            Some(text) => crate::formats::protobuf::file_from_source(name, text),
            None => self.google.open_file(name),
        }
    }
}

/// Compiles `.proto` files given as (import path, text); every file is compiled with its imports.
pub fn compile(files: &[(&str, &str)]) -> Result<DescriptorPool, CodecError> {
    let resolver = MemResolver {
        files: files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
        google: GoogleFileResolver::new(),
    };
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    for (path, _) in files {
        compiler
            .open_file(path)
            .map_err(|e| CodecError::new(format!("cannot compile `{path}`: {e}")))?;
    }
    Ok(compiler.descriptor_pool())
}

/// The message type `full_name` (`acme.v1.Order`) of `pool`.
pub fn message(pool: &DescriptorPool, full_name: &str) -> Result<MessageDescriptor, CodecError> {
    let name = full_name.trim_start_matches('.');
    pool.get_message_by_name(name).ok_or_else(|| {
        let mut err = CodecError::new(format!("no message `{name}` in the schema"));
        err.schema_path = name.to_string();
        err
    })
}

/// Parses the Protobuf JSON mapping (unknown fields refused); errors carry line and column.
pub fn from_json_str(desc: &MessageDescriptor, text: &str) -> Result<DynamicMessage, CodecError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let opts = DeserializeOptions::new().deny_unknown_fields(true);
    let located = |e: serde_json::Error| {
        let mut err = CodecError::new(strip_position(&e.to_string()));
        err.schema_path = desc.full_name().to_string();
        if e.line() > 0 {
            err.at = Some(At::Text {
                line: e.line(),
                column: e.column().max(1),
            });
            // The mapping's errors ("invalid digit found in string") name no field: find the value the error's
            // position is in, name its field and point at its start (trial defect 10).
            let offset = super::position::offset_of(text, e.line(), e.column().max(1));
            let found = super::position::pointer_at(text, offset);
            // An unknown member is shown at its key, in the object that holds it.
            let msg = e.to_string();
            if let Some(key) = msg
                .split("unrecognized field name '")
                .nth(1)
                .and_then(|r| r.split('\'').next())
            {
                let parent = found.map(|(p, _)| p).unwrap_or_default();
                let ptr = format!("{parent}/{}", super::position::escape_token(key));
                if let Some(span) = super::position::key_span(text, &ptr) {
                    let (line, column) = super::position::line_col(text, span.start);
                    err.at = Some(At::Text { line, column });
                    let (path, _) = field_path(desc, &parent);
                    if !path.is_empty() {
                        err.schema_path = format!("{}.{path}", desc.full_name());
                    }
                    err.pointer = ptr;
                }
                return err;
            }
            if let Some((ptr, range)) = found {
                let (path, field) = field_path(desc, &ptr);
                if let Some(field) = field {
                    let (line, column) = super::position::line_col(text, range.start);
                    err.at = Some(At::Text { line, column });
                    err.schema_path = format!("{}.{path}", desc.full_name());
                    err.field = Some(field);
                    err.pointer = ptr;
                }
            }
        }
        err
    };
    let msg =
        DynamicMessage::deserialize_with_options(desc.clone(), &mut de, &opts).map_err(located)?;
    de.end().map_err(located)?;
    Ok(msg)
}

/// The field path (`items[].quantity`, `attrs{}.x`) and the field a JSON pointer into a message's JSON mapping
/// names (members by JSON name or proto name); as far as the pointer names fields.
pub fn field_path(desc: &MessageDescriptor, pointer: &str) -> (String, Option<String>) {
    let mut path = String::new();
    let mut field = None;
    let mut msg = Some(desc.clone());
    let mut tokens = pointer
        .split('/')
        .skip(1)
        .map(crate::formats::json::unescape_token);
    while let Some(t) = tokens.next() {
        let Some(f) = msg
            .as_ref()
            .and_then(|m| m.fields().find(|f| f.json_name() == t || f.name() == t))
        else {
            break;
        };
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(f.name());
        field = Some(f.name().to_string());
        msg = if f.is_map() {
            path.push_str("{}");
            if tokens.next().is_none() {
                break;
            }
            match f.kind() {
                Kind::Message(entry) => match entry.map_entry_value_field().kind() {
                    Kind::Message(m) => Some(m),
                    _ => None,
                },
                _ => None,
            }
        } else {
            if f.is_list() {
                path.push_str("[]");
                if tokens.next().is_none() {
                    break;
                }
            }
            match f.kind() {
                Kind::Message(m) => Some(m),
                _ => None,
            }
        };
    }
    (path, field)
}

/// The JSON pointer, in an example's JSON `text`, of the value a dotted field path names (`lines[0].price` from
/// [`data_changes`], or `lines.price` from a schema path): each field by its JSON name or its proto name,
/// whichever the text uses (the mapping accepts both).
pub fn json_pointer(desc: &MessageDescriptor, dotted: &str, text: &str) -> String {
    let esc = super::position::escape_token;
    let mut ptr = String::new();
    let mut msg = Some(desc.clone());
    for seg in dotted.split('.') {
        let (name, mut rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        let field = msg.as_ref().and_then(|m| m.get_field_by_name(name));
        let names = match &field {
            Some(f) => vec![f.json_name().to_string(), f.name().to_string()],
            None => vec![name.to_string()],
        };
        let candidates: Vec<String> = names.iter().map(|n| format!("{ptr}/{}", esc(n))).collect();
        ptr = candidates
            .iter()
            .find(|p| super::position::pointer_exists(text, p))
            .unwrap_or(&candidates[0])
            .clone();
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            ptr.push('/');
            ptr.push_str(&esc(inner[..end].trim_matches('"')));
            rest = &inner[end + 1..];
        }
        msg = field.and_then(|f| match f.kind() {
            Kind::Message(m) if f.is_map() => match m.map_entry_value_field().kind() {
                Kind::Message(v) => Some(v),
                _ => None,
            },
            Kind::Message(m) => Some(m),
            _ => None,
        });
    }
    ptr
}

/// Converts a JSON value (already parsed) through the Protobuf JSON mapping.
pub fn from_json(
    desc: &MessageDescriptor,
    json: &serde_json::Value,
) -> Result<DynamicMessage, CodecError> {
    let opts = DeserializeOptions::new().deny_unknown_fields(true);
    DynamicMessage::deserialize_with_options(desc.clone(), json, &opts).map_err(|e| {
        let mut err = CodecError::new(e.to_string());
        err.schema_path = desc.full_name().to_string();
        err
    })
}

/// Parses the Protobuf text format; errors carry line and column.
pub fn from_text_format(
    desc: &MessageDescriptor,
    text: &str,
) -> Result<DynamicMessage, CodecError> {
    DynamicMessage::parse_text_format(desc.clone(), text).map_err(|e| {
        let mut err = CodecError::new(e.to_string());
        let at = miette::Diagnostic::labels(&e)
            .and_then(|mut l| l.next())
            .map(|l| l.offset());
        if let Some(at) = at {
            let (line, column) = super::position::line_col(text, at);
            err.at = Some(At::Text { line, column });
        }
        err.schema_path = desc.full_name().to_string();
        err
    })
}

/// Decodes wire-format bytes.
pub fn decode(desc: &MessageDescriptor, bytes: &[u8]) -> Result<DynamicMessage, CodecError> {
    DynamicMessage::decode(desc.clone(), bytes).map_err(|e| {
        let mut err = CodecError::new(format!("cannot decode: {e}"));
        err.schema_path = desc.full_name().to_string();
        // prost's errors name the message at best: find the field and the byte by walking the wire format.
        if let Some(b) = locate_bad_wire(desc, bytes) {
            err.message = format!("cannot decode: {}", b.problem);
            err.at = Some(At::Byte(b.offset));
            err.schema_path = b.schema_path;
            err.field = b.field;
        }
        err
    })
}

/// Where wire-format bytes stop making sense for a message (see [`locate_bad_wire`]).
#[derive(Debug, PartialEq)]
pub struct BadWire {
    /// Offset of the field's tag, from the start of the message.
    pub offset: usize,
    /// `acme.v1.Order.lines.price`.
    pub schema_path: String,
    /// The field whose bytes are broken (its name; `#N` for a number the message does not define).
    pub field: Option<String>,
    pub problem: String,
}

/// The wire type a field's values use (packed repeated scalars may also come length-delimited).
fn wire_type_of(f: &FieldDescriptor) -> u64 {
    match f.kind() {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => 1,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => 5,
        Kind::String | Kind::Bytes | Kind::Message(_) if !f.is_group() => 2,
        Kind::Message(_) => 3,
        _ => 0,
    }
}

/// Walks wire-format bytes along the message's descriptors and says where they stop making sense: the input
/// ends inside a tag, a varint, a fixed-size value or a length-delimited one; a nested message's length runs
/// past its parent; a field number 0; a wire type 6 or 7; a wire type the field's type never uses. `None` when
/// the bytes read as a whole message (or use groups, which this walk does not follow). Iterative: one stack
/// entry per open nested message; linear in the bytes.
pub fn locate_bad_wire(desc: &MessageDescriptor, bytes: &[u8]) -> Option<BadWire> {
    let mut stack: Vec<(MessageDescriptor, usize, String)> =
        vec![(desc.clone(), bytes.len(), desc.full_name().to_string())];
    let mut pos = 0usize;
    let varint = |pos: &mut usize, end: usize| -> Result<u64, &'static str> {
        let mut v: u64 = 0;
        for i in 0..10 {
            if *pos >= end {
                return Err("the input ends inside a varint");
            }
            let b = bytes[*pos];
            *pos += 1;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint is longer than 10 bytes")
    };
    while let Some((msg, end, path)) = stack.last().cloned() {
        if pos >= end {
            stack.pop();
            continue;
        }
        let at = pos;
        let bad = |field: Option<String>, fpath: String, problem: String| {
            Some(BadWire {
                offset: at,
                schema_path: fpath,
                field,
                problem,
            })
        };
        let tag = match varint(&mut pos, end) {
            Ok(t) => t,
            Err(p) => return bad(None, path, format!("{p} (a field tag)")),
        };
        let number = tag >> 3;
        let wire = tag & 7;
        let field = u32::try_from(number).ok().and_then(|n| msg.get_field(n));
        let name = field
            .as_ref()
            .map(|f| f.name().to_string())
            .unwrap_or_else(|| format!("#{number}"));
        let fpath = format!("{path}.{name}");
        if number == 0 {
            return bad(None, path, "field number 0 is not valid".into());
        }
        if let Some(f) = &field {
            let want = wire_type_of(f);
            let packed = wire == 2 && f.is_list() && want != 2;
            if wire != want && !packed && wire < 6 {
                return bad(
                    Some(name),
                    fpath,
                    format!(
                        "field #{number} `{}` has wire type {wire}; its type `{}` is written with wire type {want}",
                        f.name(),
                        kind_name(&f.kind())
                    ),
                );
            }
        }
        let left = end - pos;
        match wire {
            0 => {
                if let Err(p) = varint(&mut pos, end) {
                    return bad(Some(name), fpath, p.into());
                }
            }
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if left < n {
                    return bad(
                        Some(name),
                        fpath,
                        format!(
                            "the input ends inside {} {n}-byte value: {left} left",
                            if n == 8 { "an" } else { "a" }
                        ),
                    );
                }
                pos += n;
            }
            2 => {
                let len = match varint(&mut pos, end) {
                    Ok(l) => l,
                    Err(p) => return bad(Some(name), fpath, format!("{p} (a length)")),
                };
                let left = (end - pos) as u64;
                if len > left {
                    return bad(
                        Some(name),
                        fpath,
                        format!(
                            "a length of {len} bytes, but only {left} {} left",
                            if left == 1 { "is" } else { "are" }
                        ),
                    );
                }
                let sub_end = pos + len as usize;
                match field.as_ref().map(|f| f.kind()) {
                    Some(Kind::Message(m)) => stack.push((m, sub_end, fpath)),
                    _ => pos = sub_end,
                }
            }
            3 | 4 => return None,
            _ => {
                return bad(
                    Some(name),
                    fpath,
                    format!("wire type {wire} does not exist (field #{number})"),
                )
            }
        }
    }
    None
}

/// Encodes to the wire format.
pub fn encode(msg: &DynamicMessage) -> Vec<u8> {
    msg.encode_to_vec()
}

/// The canonical JSON mapping (proto field names in camelCase, 64-bit integers as strings, defaults omitted).
pub fn to_json(msg: &DynamicMessage) -> Result<serde_json::Value, CodecError> {
    msg.serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .map_err(|e| CodecError::new(format!("cannot render as JSON: {e}")))
}

/// The text format.
pub fn to_text_format(msg: &DynamicMessage) -> String {
    msg.to_text_format()
}

/// What a new descriptor did to one field's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// The field number is unknown to the new descriptor: the data survives only as unknown bytes.
    Unknown,
    /// The same bytes decode to a different value (`int32` → `sint32`, `string` → `int64`, ...).
    Reinterpreted,
    /// An enum number the new enum does not define.
    UnknownEnumValue,
}

/// One field whose data did not survive a change of descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChange {
    pub kind: ChangeKind,
    /// Dotted field path by old names, `[i]` for list items, `[key]` for map values: `lines[0].price`.
    pub path: String,
    /// The field's number.
    pub number: u32,
    /// The value as the old descriptor read it.
    pub old: String,
    /// The value as the new descriptor reads it (or what happened to it).
    pub new: String,
}

/// Compares `old` (bytes decoded with the old descriptor) with `new` (the same bytes decoded with the new one)
/// field number by field number.
pub fn data_changes(old: &DynamicMessage, new: &DynamicMessage) -> Vec<DataChange> {
    let mut out = Vec::new();
    compare_messages(old, new, "", &mut out, 0);
    out
}

fn compare_messages(
    old: &DynamicMessage,
    new: &DynamicMessage,
    prefix: &str,
    out: &mut Vec<DataChange>,
    depth: usize,
) {
    if depth > 100 {
        return;
    }
    let new_desc = new.descriptor();
    for (field, value) in old.fields() {
        let path = join(prefix, field.name());
        let Some(new_field) = new_desc.get_field(field.number()) else {
            out.push(DataChange {
                kind: ChangeKind::Unknown,
                path,
                number: field.number(),
                old: render(value),
                new: format!(
                    "unknown field #{} (no field has that number now)",
                    field.number()
                ),
            });
            continue;
        };
        let new_value = new.get_field(&new_field);
        compare_values(&field, value, &new_field, &new_value, &path, out, depth);
    }
    // Fields the old descriptor did not know either are not this change's doing.
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

#[allow(clippy::too_many_arguments)]
fn compare_values(
    old_f: &FieldDescriptor,
    old: &Value,
    new_f: &FieldDescriptor,
    new: &Value,
    path: &str,
    out: &mut Vec<DataChange>,
    depth: usize,
) {
    match (old, new) {
        (Value::List(a), Value::List(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare_scalar(old_f, x, new_f, y, &format!("{path}[{i}]"), out, depth);
            }
        }
        (Value::Map(a), Value::Map(b)) => {
            let (Kind::Message(ok), Kind::Message(nk)) = (old_f.kind(), new_f.kind()) else {
                return;
            };
            let (ov, nv) = (ok.map_entry_value_field(), nk.map_entry_value_field());
            let mut keys: Vec<&MapKey> = a.keys().collect();
            keys.sort_by_key(|k| format!("{k:?}"));
            for k in keys {
                let kp = format!("{path}[{}]", render_key(k));
                match b.get(k) {
                    Some(y) => compare_scalar(&ov, &a[k], &nv, y, &kp, out, depth),
                    None => out.push(DataChange {
                        kind: ChangeKind::Reinterpreted,
                        path: kp,
                        number: old_f.number(),
                        old: render(&a[k]),
                        new: "missing (the key reads differently)".into(),
                    }),
                }
            }
        }
        _ => compare_scalar(old_f, old, new_f, new, path, out, depth),
    }
}

#[allow(clippy::too_many_arguments)]
fn compare_scalar(
    old_f: &FieldDescriptor,
    old: &Value,
    new_f: &FieldDescriptor,
    new: &Value,
    path: &str,
    out: &mut Vec<DataChange>,
    depth: usize,
) {
    if let (Value::Message(a), Value::Message(b)) = (old, new) {
        compare_messages(a, b, path, out, depth + 1);
        return;
    }
    if let (Value::EnumNumber(n), Kind::Enum(e)) = (new, new_f.kind()) {
        if e.get_value(*n).is_none() {
            out.push(DataChange {
                kind: ChangeKind::UnknownEnumValue,
                path: path.to_string(),
                number: new_f.number(),
                old: render_with(old, &old_f.kind()),
                new: format!("{n}, which enum `{}` does not define", e.full_name()),
            });
            return;
        }
    }
    if wire_key(old) != wire_key(new) {
        out.push(DataChange {
            kind: ChangeKind::Reinterpreted,
            path: path.to_string(),
            number: new_f.number(),
            old: format!(
                "{} ({})",
                render_with(old, &old_f.kind()),
                kind_name(&old_f.kind())
            ),
            new: format!(
                "{} ({})",
                render_with(new, &new_f.kind()),
                kind_name(&new_f.kind())
            ),
        });
    }
}

/// What a scalar value *means*, independent of the declared type: integers (bools and enum numbers included) by
/// value, floats by value, strings and bytes by their bytes.
#[derive(Debug, PartialEq)]
enum Key {
    Int(i128),
    Float(u64),
    Bytes(Vec<u8>),
    Other(String),
}

fn wire_key(v: &Value) -> Key {
    match v {
        Value::Bool(b) => Key::Int(i128::from(*b)),
        Value::I32(n) | Value::EnumNumber(n) => Key::Int(i128::from(*n)),
        Value::I64(n) => Key::Int(i128::from(*n)),
        Value::U32(n) => Key::Int(i128::from(*n)),
        Value::U64(n) => Key::Int(i128::from(*n)),
        Value::F32(f) => Key::Float(f64::from(*f).to_bits()),
        Value::F64(f) => Key::Float(f.to_bits()),
        Value::String(s) => Key::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => Key::Bytes(b.to_vec()),
        other => Key::Other(format!("{other:?}")),
    }
}

fn kind_name(k: &Kind) -> String {
    match k {
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(e) => e.full_name().to_string(),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn render_key(k: &MapKey) -> String {
    match k {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

fn render_with(v: &Value, k: &Kind) -> String {
    if let (Value::EnumNumber(n), Kind::Enum(e)) = (v, k) {
        if let Some(ev) = e.get_value(*n) {
            return format!("{} ({n})", ev.name());
        }
    }
    render(v)
}

fn render(v: &Value) -> String {
    let s = match v {
        Value::Bool(b) => b.to_string(),
        Value::I32(n) | Value::EnumNumber(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::F32(f) => f.to_string(),
        Value::F64(f) => f.to_string(),
        Value::String(s) => format!("\"{s}\""),
        Value::Bytes(b) => format!("{} bytes", b.len()),
        Value::Message(m) => to_json(m)
            .map(|j| j.to_string())
            .unwrap_or_else(|_| "a message".into()),
        Value::List(l) => format!("{} items", l.len()),
        Value::Map(m) => format!("{} entries", m.len()),
    };
    if s.chars().count() > 60 {
        s.chars().take(57).collect::<String>() + "..."
    } else {
        s
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pool(body: &str) -> DescriptorPool {
        compile(&[(
            "o.proto",
            &format!("syntax = \"proto3\";\npackage a;\n{body}"),
        )])
        .unwrap()
    }

    #[test]
    fn bad_wire_bytes_are_located_at_the_field_they_break() {
        let p = pool("message In { int64 seconds = 1; }\nmessage O { string id = 1; In at = 2; repeated int32 n = 3; double d = 4; }");
        let d = message(&p, "a.O").unwrap();
        let at = |bytes: &[u8]| {
            let b = locate_bad_wire(&d, bytes).expect("located");
            (b.offset, b.schema_path, b.field, b.problem)
        };
        // A whole message (packed repeated field included) is fine.
        assert_eq!(
            locate_bad_wire(&d, &[0x0a, 1, b'x', 0x12, 2, 0x08, 5, 0x1a, 2, 1, 2]),
            None
        );
        // A nested message's varint cut off: located at the nested field's tag.
        let (off, path, field, problem) = at(&[0x0a, 1, b'x', 0x12, 2, 0x08, 0x96]);
        assert_eq!(
            (off, path.as_str(), field.as_deref()),
            (5, "a.O.at.seconds", Some("seconds"))
        );
        assert_eq!(problem, "the input ends inside a varint");
        // A length past the end.
        let (off, _, field, problem) = at(&[0x0a, 5, b'x']);
        assert_eq!((off, field.as_deref()), (0, Some("id")));
        assert_eq!(problem, "a length of 5 bytes, but only 1 is left");
        // A wire type the field never uses, and a double cut short.
        let (_, _, field, problem) = at(&[0x08, 1]);
        assert_eq!(field.as_deref(), Some("id"));
        assert!(problem.contains("has wire type 0"), "{problem}");
        let (off, _, field, problem) = at(&[0x21, 0, 0]);
        assert_eq!((off, field.as_deref()), (0, Some("d")));
        assert_eq!(problem, "the input ends inside an 8-byte value: 2 left");
        // Wire type 7 and field number 0.
        assert!(at(&[0x0f]).3.contains("wire type 7 does not exist"));
        assert_eq!(at(&[0x00]).3, "field number 0 is not valid");
    }

    #[test]
    fn json_text_and_binary_round_trip() {
        let p = pool("enum S { S_UNSPECIFIED = 0; S_PAID = 1; }\nmessage O { int64 id = 1; string note = 2; repeated int32 n = 3; S s = 4; map<string, int32> m = 5; }");
        let d = message(&p, "a.O").unwrap();
        let m = from_json_str(
            &d,
            r#"{"id": "5", "note": "x", "n": [1, 2], "s": "S_PAID", "m": {"k": 1}}"#,
        )
        .unwrap();
        let back = decode(&d, &encode(&m)).unwrap();
        assert_eq!(
            to_json(&back).unwrap(),
            json!({"id": "5", "note": "x", "n": [1, 2], "s": "S_PAID", "m": {"k": 1}})
        );
        let t = from_text_format(&d, &to_text_format(&back)).unwrap();
        assert_eq!(t, back);
    }

    #[test]
    fn errors_have_line_and_column() {
        let p = pool("message O { int64 id = 1; }");
        let d = message(&p, "a.O").unwrap();
        let e = from_json_str(&d, "{\n  \"idx\": 1\n}").unwrap_err();
        assert_eq!(e.line_col().map(|l| l.0), Some(2), "{e:?}");
        let e = from_json_str(&d, "{\"id\": \"x\"}").unwrap_err();
        assert!(e.line_col().is_some());
        let e = from_text_format(&d, "id: 1\nnope: 2").unwrap_err();
        assert_eq!(e.line_col().map(|l| l.0), Some(2), "{e:?}");
        assert!(message(&p, "a.Missing").is_err());
        assert!(decode(&d, &[0x08]).is_err());
    }

    #[test]
    fn data_changes_by_field_number() {
        let old = pool("enum S { S_UNSPECIFIED = 0; S_PAID = 1; S_GONE = 2; }\nmessage O { int32 amount = 1; string note = 2; S s = 3; int64 gone = 4; }");
        let new = pool("enum S { S_UNSPECIFIED = 0; S_PAID = 1; }\nmessage O { sint32 amount = 1; bytes note = 2; S s = 3; }");
        let od = message(&old, "a.O").unwrap();
        let nd = message(&new, "a.O").unwrap();
        let m = from_json_str(
            &od,
            r#"{"amount": 5, "note": "x", "s": "S_GONE", "gone": "9"}"#,
        )
        .unwrap();
        let bytes = encode(&m);
        let read = decode(&nd, &bytes).unwrap();
        let changes = data_changes(&m, &read);
        let kinds: Vec<(&str, &ChangeKind)> =
            changes.iter().map(|c| (c.path.as_str(), &c.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("amount", &ChangeKind::Reinterpreted),
                ("s", &ChangeKind::UnknownEnumValue),
                ("gone", &ChangeKind::Unknown),
            ]
        );
        assert_eq!(changes[0].old, "5 (int32)");
        assert_eq!(changes[0].new, "-3 (sint32)");
        // Unchanged data: nothing.
        assert!(data_changes(&m, &decode(&od, &bytes).unwrap()).is_empty());
    }
}
