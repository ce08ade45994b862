//! Protobuf `.proto` → neutral model, from a syntax-only parse (protox-parse, no import resolution: type names
//! stay as written, which is what lint rules read). Messages (nested ones included) and enums become `Type`s;
//! leading comments are docs; `(confluent.message_meta)` / `(confluent.field_meta)` options give tags and
//! params; messages named as RPC inputs or outputs by the file's services get `Role::RpcMessage`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto, UninterpretedOption};

use super::join;
use crate::finding::Format;
use crate::lint::model::{Field, Kind, Role, Schema, Symbol, Ty, Type};
use crate::source::SourceFile;

/// Deeper nesting of `{` than this is not parsed (the parser is recursive).
const MAX_DEPTH: usize = 100;

pub(super) fn lower(file: &Arc<SourceFile>) -> Option<Schema> {
    if too_deep(&file.text) {
        return None;
    }
    let parsed = crate::formats::protobuf::file_from_source(&file.path, &file.text).ok()?;
    let fd: &FileDescriptorProto = parsed.file_descriptor_proto();
    let spans = Spans::new(fd, &file.text);
    let package = fd.package.clone().filter(|p| !p.is_empty());
    let mut rpc: HashSet<String> = HashSet::new();
    for s in &fd.service {
        for m in &s.method {
            for t in [&m.input_type, &m.output_type].into_iter().flatten() {
                let t = t.trim_start_matches('.');
                rpc.insert(t.rsplit('.').next().unwrap_or(t).to_string());
            }
        }
    }
    let mut cx = Cx {
        spans: &spans,
        package: package.clone(),
        rpc,
        types: Vec::new(),
    };
    for (i, m) in fd.message_type.iter().enumerate() {
        cx.message(m, None, vec![4, i as i32], true);
    }
    for (i, e) in fd.enum_type.iter().enumerate() {
        cx.enumeration(e, None, vec![5, i as i32], true);
    }
    let package = package.map(|p| (p, spans.span(&[2]).unwrap_or(0..0)));
    Some(Schema {
        file: Arc::clone(file),
        format: Format::Protobuf,
        types: cx.types,
        json: None,
        package,
        ignores: spans.ignores(),
    })
}

fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                let q = c;
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        chars.next();
                    } else if c == q || c == '\n' {
                        break;
                    }
                }
            }
            '{' | '[' | '(' | '<' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            '}' | ']' | ')' | '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// SourceCodeInfo: path → (byte span, leading comment), plus the inline ignores its comments hold.
struct Spans {
    map: HashMap<Vec<i32>, (Range<usize>, Option<String>)>,
    /// (rule id, reason, span of the element) for each `schemaguard:ignore` in a leading or trailing comment; on
    /// `syntax` or `package` the whole file.
    ignores: Vec<(String, Option<String>, Range<usize>)>,
}

impl Spans {
    fn new(fd: &FileDescriptorProto, text: &str) -> Self {
        let mut line_starts = vec![0usize];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let off = |line: i32, col: i32| -> usize {
            let l = usize::try_from(line).unwrap_or(0);
            let c = usize::try_from(col).unwrap_or(0);
            line_starts
                .get(l)
                .map(|s| (s + c).min(text.len()))
                .unwrap_or(text.len())
        };
        let mut map = HashMap::new();
        let mut ignores = Vec::new();
        if let Some(sci) = &fd.source_code_info {
            for loc in &sci.location {
                let s = &loc.span;
                let span = match s.len() {
                    3 => off(s[0], s[1])..off(s[0], s[2]),
                    4 => off(s[0], s[1])..off(s[2], s[3]),
                    _ => continue,
                };
                let scope = if matches!(loc.path.as_slice(), [2] | [12]) {
                    0..text.len()
                } else {
                    span.clone()
                };
                for c in [&loc.leading_comments, &loc.trailing_comments]
                    .into_iter()
                    .flatten()
                {
                    for (id, reason) in crate::formats::protobuf::lower::parse_ignore_directives(c)
                    {
                        ignores.push((id, reason, scope.clone()));
                    }
                }
                map.entry(loc.path.clone())
                    .or_insert((span, loc.leading_comments.clone()));
            }
        }
        Spans { map, ignores }
    }

    fn ignores(&self) -> Vec<(String, Option<String>, Range<usize>)> {
        self.ignores.clone()
    }

    fn span(&self, path: &[i32]) -> Option<Range<usize>> {
        self.map.get(path).map(|(s, _)| s.clone())
    }

    /// The leading comment without its directive lines (`schemaguard:ignore …`, `buf:lint:ignore …`): an ignore
    /// is not documentation (buf's `validLeadingComment` skips `buf:lint:ignore` lines the same way).
    fn doc(&self, path: &[i32]) -> Option<String> {
        let c = self.map.get(path).and_then(|(_, c)| c.as_deref())?;
        let text = c
            .lines()
            .filter(|l| {
                let t = l.trim();
                !t.starts_with("schemaguard:ignore") && !t.starts_with("buf:lint:ignore")
            })
            .collect::<Vec<_>>()
            .join("\n");
        Some(text.trim().to_string()).filter(|c| !c.is_empty())
    }
}

/// Tags and `params` of a `(confluent.*_meta)` option, read from its aggregate text.
fn confluent_meta(
    opts: &[UninterpretedOption],
    which: &str,
) -> (Vec<String>, Vec<(String, String)>) {
    let mut tags = Vec::new();
    let mut params = Vec::new();
    for o in opts {
        let name: Vec<&str> = o.name.iter().map(|n| n.name_part.as_str()).collect();
        if name
            .first()
            .is_none_or(|n| n.trim_start_matches('.') != which)
        {
            continue;
        }
        if name.get(1) == Some(&"tags") {
            if let Some(v) = &o.string_value {
                tags.push(String::from_utf8_lossy(v).into_owned());
            }
            continue;
        }
        let Some(agg) = &o.aggregate_value else {
            continue;
        };
        if let Some(i) = agg.find("tags") {
            let rest = &agg[i + 4..];
            let end = rest
                .find(']')
                .map(|e| e + 1)
                .unwrap_or_else(|| rest.find(['\n', ',']).unwrap_or(rest.len()));
            tags.extend(quoted(&rest[..end]));
        }
        let mut rest = agg.as_str();
        while let Some(i) = rest.find("key") {
            rest = &rest[i + 3..];
            let q = quoted(rest);
            if let (Some(k), Some(v), true) = (q.first(), q.get(1), rest.contains("value")) {
                params.push((k.clone(), v.clone()));
            }
        }
    }
    (tags, params)
}

/// Quoted strings in `s`, in order (up to 64).
fn quoted(s: &str) -> Vec<String> {
    s.split('"')
        .skip(1)
        .step_by(2)
        .take(64)
        .map(str::to_string)
        .collect()
}

struct Cx<'a> {
    spans: &'a Spans,
    package: Option<String>,
    rpc: HashSet<String>,
    types: Vec<Type>,
}

impl Cx<'_> {
    fn message(&mut self, m: &DescriptorProto, parent: Option<&str>, path: Vec<i32>, top: bool) {
        let name = m.name.clone().unwrap_or_default();
        let nested = match parent {
            Some(p) => format!("{p}.{name}"),
            None => name.clone(),
        };
        let full = join(self.package.as_deref(), &nested);
        let opts = m
            .options
            .as_ref()
            .map(|o| o.uninterpreted_option.as_slice())
            .unwrap_or(&[]);
        let (tags, props) = confluent_meta(opts, "confluent.message_meta");
        let span = self.spans.span(&path).unwrap_or(0..0);
        let mut name_path = path.clone();
        name_path.push(1);
        let mut fields = Vec::new();
        for (i, f) in m.field.iter().enumerate() {
            let mut fpath = path.clone();
            fpath.extend([2, i as i32]);
            let fname = f.name.clone().unwrap_or_default();
            let (ty, written, logical) = field_ty(f, m);
            let fopts = f
                .options
                .as_ref()
                .map(|o| o.uninterpreted_option.as_slice())
                .unwrap_or(&[]);
            let (ftags, _) = confluent_meta(fopts, "confluent.field_meta");
            let mut fname_path = fpath.clone();
            fname_path.push(1);
            let fspan = self.spans.span(&fpath).unwrap_or(span.clone());
            fields.push(Field {
                name: fname.clone(),
                ty,
                written,
                logical,
                optional: f.proto3_optional == Some(true),
                default: f.default_value.clone(),
                doc: self.spans.doc(&fpath),
                aliases: Vec::new(),
                tags: ftags,
                union_branches: Vec::new(),
                name_span: self.spans.span(&fname_path).unwrap_or(fspan.clone()),
                span: fspan,
                pointer: format!("{full}.{fname}"),
            });
        }
        let role = if self.rpc.contains(&name) && parent.is_none() {
            Role::RpcMessage
        } else {
            Role::Plain
        };
        self.types.push(Type {
            kind: Kind::Record,
            name: name.clone(),
            full_name: full.clone(),
            namespace: self.package.clone(),
            doc: self.spans.doc(&path),
            aliases: Vec::new(),
            tags,
            props,
            fields,
            symbols: Vec::new(),
            enum_default: None,
            top_level: top,
            role,
            incomplete: false,
            name_span: self.spans.span(&name_path).unwrap_or(span.clone()),
            span,
            pointer: full.clone(),
        });
        for (i, n) in m.nested_type.iter().enumerate() {
            if n.options
                .as_ref()
                .is_some_and(|o| o.map_entry == Some(true))
            {
                continue;
            }
            let mut p = path.clone();
            p.extend([3, i as i32]);
            self.message(n, Some(&nested), p, false);
        }
        for (i, e) in m.enum_type.iter().enumerate() {
            let mut p = path.clone();
            p.extend([4, i as i32]);
            self.enumeration(e, Some(&nested), p, false);
        }
    }

    fn enumeration(
        &mut self,
        e: &EnumDescriptorProto,
        parent: Option<&str>,
        path: Vec<i32>,
        top: bool,
    ) {
        let name = e.name.clone().unwrap_or_default();
        let nested = match parent {
            Some(p) => format!("{p}.{name}"),
            None => name.clone(),
        };
        let full = join(self.package.as_deref(), &nested);
        let span = self.spans.span(&path).unwrap_or(0..0);
        let mut name_path = path.clone();
        name_path.push(1);
        let symbols = e
            .value
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut p = path.clone();
                p.extend([2, i as i32]);
                Symbol {
                    name: v.name.clone().unwrap_or_default(),
                    number: v.number.map(i64::from),
                    span: self.spans.span(&p).unwrap_or(span.clone()),
                }
            })
            .collect();
        self.types.push(Type {
            kind: Kind::Enum,
            name,
            full_name: full.clone(),
            namespace: self.package.clone(),
            doc: self.spans.doc(&path),
            aliases: Vec::new(),
            tags: Vec::new(),
            props: Vec::new(),
            fields: Vec::new(),
            symbols,
            enum_default: None,
            top_level: top,
            role: Role::Plain,
            incomplete: false,
            name_span: self.spans.span(&name_path).unwrap_or(span.clone()),
            span,
            pointer: full,
        });
    }
}

/// The neutral type of a field: scalars by their type, named types as written (well-known types recognised).
fn field_ty(
    f: &prost_types::FieldDescriptorProto,
    m: &DescriptorProto,
) -> (Ty, String, Option<String>) {
    use prost_types::field_descriptor_proto::Type as T;
    let repeated = f.label == Some(3);
    let written_name = f.type_name.clone().unwrap_or_default();
    let bare = written_name.trim_start_matches('.').to_string();
    let (base, written, logical) = match f.r#type.and_then(|t| T::try_from(t).ok()) {
        Some(T::Double | T::Float) => (Ty::Float, scalar(f), None),
        Some(
            T::Int64
            | T::Uint64
            | T::Int32
            | T::Fixed64
            | T::Fixed32
            | T::Uint32
            | T::Sfixed32
            | T::Sfixed64
            | T::Sint32
            | T::Sint64,
        ) => (Ty::Int, scalar(f), None),
        Some(T::Bool) => (Ty::Bool, scalar(f), None),
        Some(T::String) => (Ty::String, scalar(f), None),
        Some(T::Bytes) => (Ty::Bytes, scalar(f), None),
        Some(T::Enum) => (Ty::Enum(bare.clone()), bare.clone(), None),
        _ => {
            // A map field refers to its nested `XxxEntry` message.
            let short = bare.rsplit('.').next().unwrap_or(&bare);
            if let Some(entry) = m.nested_type.iter().find(|n| {
                n.name.as_deref() == Some(short)
                    && n.options
                        .as_ref()
                        .is_some_and(|o| o.map_entry == Some(true))
            }) {
                let value = entry
                    .field
                    .iter()
                    .find(|x| x.number == Some(2))
                    .map(|v| field_ty(v, entry).0)
                    .unwrap_or(Ty::Any);
                return (Ty::Map(Box::new(value)), "map".into(), None);
            }
            let (t, logical) = well_known(&bare);
            (t, bare.clone(), logical)
        }
    };
    if repeated {
        (
            Ty::Array(Box::new(base)),
            format!("repeated {written}"),
            logical,
        )
    } else {
        (base, written, logical)
    }
}

fn scalar(f: &prost_types::FieldDescriptorProto) -> String {
    f.r#type
        .and_then(|t| prost_types::field_descriptor_proto::Type::try_from(t).ok())
        .map(|t| {
            t.as_str_name()
                .trim_start_matches("TYPE_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn well_known(name: &str) -> (Ty, Option<String>) {
    let logical = Some(name.to_string());
    match name {
        "google.protobuf.Timestamp" => (Ty::Timestamp, logical),
        "google.protobuf.Duration" | "google.type.TimeOfDay" => (Ty::Time, logical),
        "google.type.Date" => (Ty::Date, logical),
        "google.type.Money" | "google.type.Decimal" => (Ty::Decimal, logical),
        "google.protobuf.Any" | "google.protobuf.Struct" | "google.protobuf.Value" => {
            (Ty::Any, logical)
        }
        "google.protobuf.StringValue" => (Ty::String, logical),
        "google.protobuf.BytesValue" => (Ty::Bytes, logical),
        "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => (Ty::Float, logical),
        "google.protobuf.Int64Value"
        | "google.protobuf.Int32Value"
        | "google.protobuf.UInt64Value"
        | "google.protobuf.UInt32Value" => (Ty::Int, logical),
        "google.protobuf.BoolValue" => (Ty::Bool, logical),
        _ => (Ty::Record(name.to_string()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_fields_docs_and_meta() {
        let f = SourceFile::new(
            "acme/v1/order.proto",
            None,
            "syntax = \"proto3\";\npackage acme.v1;\nimport \"google/protobuf/timestamp.proto\";\n\
             // An order was placed.\nmessage OrderPlaced {\n  option (confluent.message_meta) = { params: { key: \"owner\" value: \"orders\" } };\n\
               google.protobuf.Timestamp at = 1;\n  string email = 2 [(confluent.field_meta) = { tags: [\"PII\"] }];\n  map<string, string> attrs = 3;\n  repeated double prices = 4;\n}\n\
             service S { rpc Get(GetRequest) returns (OrderPlaced); }\nmessage GetRequest {}\n",
        );
        let s = lower(&f).expect("parses");
        let t = s.find("acme.v1.OrderPlaced").expect("message");
        assert_eq!(t.doc.as_deref(), Some("An order was placed."));
        assert_eq!(t.props, [("owner".to_string(), "orders".to_string())]);
        assert_eq!(t.fields[0].ty, Ty::Timestamp);
        assert_eq!(t.fields[1].tags, ["PII"]);
        assert_eq!(t.fields[2].ty, Ty::Map(Box::new(Ty::String)));
        assert_eq!(t.fields[3].ty, Ty::Array(Box::new(Ty::Float)));
        assert_eq!(t.role, Role::RpcMessage);
        assert_eq!(t.fields[1].pointer, "acme.v1.OrderPlaced.email");
        assert_eq!(s.package.as_ref().map(|p| p.0.as_str()), Some("acme.v1"));
    }

    #[test]
    fn an_ignore_directive_is_not_documentation() {
        let text = "syntax = \"proto3\";\npackage acme.v1;\n\
                    // schemaguard:ignore MESSAGE_PASCAL_CASE legacy name\nmessage order_placed {}\n\
                    // The order.\n// buf:lint:ignore FIELD_LOWER_SNAKE_CASE\nmessage Order {}\n";
        let f = SourceFile::new("acme/v1/order.proto", None, text);
        let s = lower(&f).expect("parses");
        let doc = |name: &str| {
            s.types
                .iter()
                .find(|t| t.full_name == name)
                .map(|t| t.doc.clone())
        };
        assert_eq!(doc("acme.v1.order_placed"), Some(None));
        assert_eq!(doc("acme.v1.Order"), Some(Some("The order.".to_string())));
    }

    #[test]
    fn inline_ignores_keep_their_reasons() {
        let text = "syntax = \"proto3\";\npackage acme.v1;\n\
                    // schemaguard:ignore MESSAGE_PASCAL_CASE generated code depends on it\nmessage order_placed {}\n\
                    // schemaguard:ignore DOC_REQUIRED\nmessage Other {}\n";
        let f = SourceFile::new("acme/v1/order.proto", None, text);
        let s = lower(&f).expect("parses");
        let got: Vec<(&str, Option<&str>, &str)> = s
            .ignores
            .iter()
            .map(|(id, reason, scope)| (id.as_str(), reason.as_deref(), &text[scope.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "MESSAGE_PASCAL_CASE",
                    Some("generated code depends on it"),
                    "message order_placed {}"
                ),
                ("DOC_REQUIRED", None, "message Other {}")
            ]
        );
    }
}
