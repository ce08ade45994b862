//! Lowers one compiled file (a `FileDescriptorProto` with `SourceCodeInfo`, plus the pool it was compiled in)
//! into the compact model of `model.rs`: byte spans from SourceCodeInfo line/column pairs, resolved type names,
//! map-entry and enum facts of referenced types, and inline `schemaguard:ignore` directives from comments.
//! Must not keep references into the descriptor pool: the pool is dropped after lowering.

use std::collections::HashMap;
use std::sync::Arc;

use prost_reflect::DescriptorPool;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto, SourceCodeInfo,
};

use super::model::*;
use crate::source::SourceFile;

/// SourceCodeInfo of one file: path → (byte span, comments).
struct Spans<'a> {
    map: HashMap<&'a [i32], (Span, Vec<&'a str>)>,
}

impl<'a> Spans<'a> {
    fn new(info: Option<&'a SourceCodeInfo>, text: &str) -> Self {
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
        if let Some(sci) = info {
            for loc in &sci.location {
                let s = &loc.span;
                let span = match s.len() {
                    3 => off(s[0], s[1])..off(s[0], s[2]),
                    4 => off(s[0], s[1])..off(s[2], s[3]),
                    _ => continue,
                };
                let mut comments: Vec<&str> = Vec::new();
                if let Some(c) = &loc.leading_comments {
                    comments.push(c);
                }
                if let Some(c) = &loc.trailing_comments {
                    comments.push(c);
                }
                for c in &loc.leading_detached_comments {
                    comments.push(c);
                }
                // The first location for a path wins (protoc's order: the declaration itself).
                map.entry(loc.path.as_slice()).or_insert((span, comments));
            }
        }
        Spans { map }
    }

    fn span(&self, path: &[i32]) -> Option<Span> {
        self.map.get(path).map(|(s, _)| s.clone())
    }

    fn ignores(&self, path: &[i32], parent: &Ignores) -> Ignores {
        let Some((_, comments)) = self.map.get(path) else {
            return Arc::clone(parent);
        };
        let mut own: Vec<String> = Vec::new();
        for c in comments {
            own.extend(parse_ignores(c));
        }
        if own.is_empty() {
            return Arc::clone(parent);
        }
        own.extend(parent.iter().cloned());
        own.into()
    }
}

/// Span of the statement `option <name> = …;` at file level (first match outside comments is good enough:
/// option names are keywords that rarely appear elsewhere).
fn file_option_span(text: &str, name: &str) -> Option<Span> {
    let mut from = 0;
    while let Some(i) = text[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before = text[..at].trim_end();
        if !before.ends_with("option") {
            continue;
        }
        let start = before.len() - "option".len();
        let line_start = text[..start].rfind('\n').map(|p| p + 1).unwrap_or(0);
        if !text[line_start..start].trim().is_empty() {
            continue;
        }
        let end = text[at..].find(';').map(|e| at + e + 1).unwrap_or(from);
        return Some(start..end);
    }
    None
}

/// From the start of a declaration to the end of its name (`message Order`).
fn head(block: &Span, name: Option<Span>) -> Span {
    match name {
        Some(n) if n.end >= block.start && n.end <= block.end => block.start..n.end,
        _ => block.clone(),
    }
}

/// Span of `word` inside `within` (an element's span), for option spans of fields and methods.
fn word_span(text: &str, within: &Span, word: &str) -> Option<Span> {
    let hay = text.get(within.clone())?;
    let i = hay.find(word)?;
    Some(within.start + i..within.start + i + word.len())
}

/// Rule ids named by `schemaguard:ignore ID[,ID…] [reason]` directives in one comment.
pub(crate) fn parse_ignores(comment: &str) -> Vec<String> {
    parse_ignore_directives(comment)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// Each rule id named by a `schemaguard:ignore ID[,ID…] [reason]` directive in one comment, with the reason: the
/// rest of the directive's line (a block comment's closing `*/` left out), `None` when empty.
pub(crate) fn parse_ignore_directives(comment: &str) -> Vec<(String, Option<String>)> {
    const DIRECTIVE: &str = "schemaguard:ignore";
    let mut out = Vec::new();
    let mut rest = comment;
    while let Some(i) = rest.find(DIRECTIVE) {
        rest = &rest[i + DIRECTIVE.len()..];
        let after = rest.trim_start();
        let token = after.split_whitespace().next().unwrap_or("");
        let line = after[token.len()..].split('\n').next().unwrap_or("");
        let line = line.split(DIRECTIVE).next().unwrap_or("");
        let reason = line.trim().trim_end_matches("*/").trim();
        let reason = (!reason.is_empty()).then(|| reason.to_string());
        for id in token.split(',') {
            let id = id.trim();
            // Rule ids are case-insensitive everywhere else (`--except`, `explain`): here too.
            if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push((id.to_ascii_uppercase(), reason.clone()));
            }
        }
    }
    out
}

fn with(path: &[i32], more: &[i32]) -> Vec<i32> {
    let mut p = path.to_vec();
    p.extend_from_slice(more);
    p
}

fn idx(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// `reserved` number ranges of a message or an enum (field `field` of the descriptor at `path`), each with its
/// span, or the owner's span when the source has none.
fn reserved_ranges(
    cx: &Cx<'_>,
    path: &[i32],
    field: i32,
    ranges: impl Iterator<Item = (Option<i32>, Option<i32>)>,
    owner: &Span,
) -> Vec<(i32, i32, Span)> {
    ranges
        .enumerate()
        .map(|(i, (start, end))| {
            let span = cx.spans.span(&with(path, &[field, idx(i)]));
            (
                start.unwrap_or(0),
                end.unwrap_or(0),
                span.unwrap_or(owner.clone()),
            )
        })
        .collect()
}

/// `reserved` names of a message or an enum, each with its span (see `reserved_ranges`).
fn reserved_names(
    cx: &Cx<'_>,
    path: &[i32],
    field: i32,
    names: &[String],
    owner: &Span,
) -> Vec<(String, Span)> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let span = cx.spans.span(&with(path, &[field, idx(i)]));
            (n.clone(), span.unwrap_or(owner.clone()))
        })
        .collect()
}

struct Cx<'a> {
    text: &'a str,
    pool: &'a DescriptorPool,
    spans: Spans<'a>,
    package: String,
    proto3: bool,
}

/// Lowers `fd` (compiled in `pool`, text in `src`). `info` is the SourceCodeInfo of the parse (element paths
/// are the same as in the compiled descriptor; options keep their uninterpreted paths, so option spans are
/// found in the text instead).
pub(crate) fn lower(
    pool: &DescriptorPool,
    fd: &FileDescriptorProto,
    info: Option<&SourceCodeInfo>,
    src: &Arc<SourceFile>,
) -> PFile {
    let proto3 = fd.syntax.as_deref() == Some("proto3");
    let cx = Cx {
        pool,
        spans: Spans::new(info, &src.text),
        text: &src.text,
        package: fd.package.clone().unwrap_or_default(),
        proto3,
    };
    let none: Ignores = Arc::from(Vec::<String>::new());
    // File-level ignores: comments on `syntax` or `package`.
    let file_ign = cx.spans.ignores(&[12], &none);
    let file_ign = cx.spans.ignores(&[2], &file_ign);
    let o = fd.options.clone().unwrap_or_default();
    let opts = FileOpts {
        java_package: o.java_package.clone(),
        java_outer_classname: o.java_outer_classname.clone(),
        java_multiple_files: o.java_multiple_files,
        java_generic_services: o.java_generic_services,
        java_string_check_utf8: o.java_string_check_utf8,
        go_package: o.go_package.clone(),
        cc_generic_services: o.cc_generic_services,
        py_generic_services: o.py_generic_services,
        cc_enable_arenas: o.cc_enable_arenas,
        objc_class_prefix: o.objc_class_prefix.clone(),
        csharp_namespace: o.csharp_namespace.clone(),
        swift_prefix: o.swift_prefix.clone(),
        php_class_prefix: o.php_class_prefix.clone(),
        php_namespace: o.php_namespace.clone(),
        php_metadata_namespace: o.php_metadata_namespace.clone(),
        ruby_package: o.ruby_package.clone(),
        optimize_for: o.optimize_for,
    };
    let opt_spans = [
        (1, "java_package"),
        (8, "java_outer_classname"),
        (9, "optimize_for"),
        (10, "java_multiple_files"),
        (11, "go_package"),
        (16, "cc_generic_services"),
        (17, "java_generic_services"),
        (18, "py_generic_services"),
        (27, "java_string_check_utf8"),
        (31, "cc_enable_arenas"),
        (36, "objc_class_prefix"),
        (37, "csharp_namespace"),
        (39, "swift_prefix"),
        (40, "php_class_prefix"),
        (41, "php_namespace"),
        (44, "php_metadata_namespace"),
        (45, "ruby_package"),
    ]
    .iter()
    .filter_map(|(n, name)| file_option_span(&src.text, name).map(|s| (*n, s)))
    .collect();
    let mut messages = Vec::new();
    let mut enums = Vec::new();
    let mut extensions = Vec::new();
    for (i, m) in fd.message_type.iter().enumerate() {
        lower_message(
            &cx,
            m,
            &[4, idx(i)],
            "",
            &file_ign,
            &mut messages,
            &mut enums,
            &mut extensions,
        );
    }
    for (i, e) in fd.enum_type.iter().enumerate() {
        enums.push(lower_enum(&cx, e, &[5, idx(i)], "", &file_ign));
    }
    for (i, f) in fd.extension.iter().enumerate() {
        extensions.push(lower_field(&cx, f, &[7, idx(i)], None, &file_ign));
    }
    let services = fd
        .service
        .iter()
        .enumerate()
        .map(|(i, s)| lower_service(&cx, s, &[6, idx(i)], &file_ign))
        .collect();
    PFile {
        src: Arc::clone(src),
        path: src.path.clone(),
        package: cx.package.clone(),
        syntax: if proto3 { "proto3" } else { "proto2" }.to_string(),
        syntax_span: cx.spans.span(&[12]),
        package_span: cx.spans.span(&[2]),
        opts,
        opt_spans,
        messages,
        enums,
        services,
        extensions,
        ignores: file_ign,
    }
}

fn full(package: &str, nested: &str) -> String {
    if package.is_empty() {
        nested.to_string()
    } else {
        format!("{package}.{nested}")
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_message(
    cx: &Cx<'_>,
    m: &DescriptorProto,
    path: &[i32],
    prefix: &str,
    parent_ign: &Ignores,
    messages: &mut Vec<PMessage>,
    enums: &mut Vec<PEnum>,
    extensions: &mut Vec<PField>,
) {
    let name = m.name.clone().unwrap_or_default();
    let nested_name = if prefix.is_empty() {
        name.clone()
    } else {
        format!("{prefix}.{name}")
    };
    let ign = cx.spans.ignores(path, parent_ign);
    let block = cx.spans.span(path).unwrap_or(0..0);
    // Findings point at `message Name`, not at the whole block (which can be hundreds of lines).
    let span = head(&block, cx.spans.span(&with(path, &[1])));
    let oneofs: Vec<POneof> = m
        .oneof_decl
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let name = o.name.clone().unwrap_or_default();
            let synthetic = m
                .field
                .iter()
                .any(|f| f.oneof_index == Some(idx(i)) && f.proto3_optional.unwrap_or(false));
            POneof {
                name,
                synthetic,
                span: cx
                    .spans
                    .span(&with(path, &[8, idx(i)]))
                    .unwrap_or(span.clone()),
            }
        })
        .collect();
    let fields = m
        .field
        .iter()
        .enumerate()
        .map(|(i, f)| lower_field(cx, f, &with(path, &[2, idx(i)]), Some(&oneofs), &ign))
        .collect();
    let opts = m.options.clone().unwrap_or_default();
    let msg = PMessage {
        full_name: full(&cx.package, &nested_name),
        nested_name: nested_name.clone(),
        name,
        span: span.clone(),
        fields,
        oneofs,
        reserved_ranges: reserved_ranges(
            cx,
            path,
            9,
            m.reserved_range.iter().map(|r| (r.start, r.end)),
            &span,
        ),
        reserved_names: reserved_names(cx, path, 10, &m.reserved_name, &span),
        extension_ranges: m
            .extension_range
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.start.unwrap_or(0),
                    r.end.unwrap_or(0),
                    cx.spans
                        .span(&with(path, &[5, idx(i)]))
                        .unwrap_or(span.clone()),
                )
            })
            .collect(),
        map_entry: opts.map_entry.unwrap_or(false),
        no_standard_descriptor_accessor: opts.no_standard_descriptor_accessor.unwrap_or(false),
        nsda_span: word_span(cx.text, &block, "no_standard_descriptor_accessor"),
        message_set_wire_format: opts.message_set_wire_format.unwrap_or(false),
        proto3: cx.proto3,
        ignores: Arc::clone(&ign),
    };
    let me = messages.len();
    messages.push(msg);
    for (i, n) in m.nested_type.iter().enumerate() {
        lower_message(
            cx,
            n,
            &with(path, &[3, idx(i)]),
            &nested_name,
            &ign,
            messages,
            enums,
            extensions,
        );
    }
    for (i, e) in m.enum_type.iter().enumerate() {
        enums.push(lower_enum(
            cx,
            e,
            &with(path, &[4, idx(i)]),
            &nested_name,
            &ign,
        ));
    }
    for (i, f) in m.extension.iter().enumerate() {
        extensions.push(lower_field(cx, f, &with(path, &[6, idx(i)]), None, &ign));
    }
    // A map's entry message and its key and value fields are synthetic (no source of their own): they are
    // located at the `map<…>` field, as buf does, and its inline ignores apply to them.
    let entries: Vec<(String, Span, Ignores)> = messages[me]
        .fields
        .iter()
        .filter(|f| f.is_map)
        .map(|f| (f.type_name.clone(), f.span.clone(), Arc::clone(&f.ignores)))
        .collect();
    for (ty, span, ignores) in entries {
        if let Some(e) = messages[me + 1..]
            .iter_mut()
            .find(|x| x.map_entry && x.full_name == ty)
        {
            e.span = span.clone();
            e.ignores = Arc::clone(&ignores);
            for f in &mut e.fields {
                f.span = span.clone();
                f.ignores = Arc::clone(&ignores);
                f.name_span = None;
                f.type_span = None;
                f.type_name_span = None;
                f.default_span = None;
                f.json_name_span = None;
                f.ctype_span = None;
                f.jstype_span = None;
            }
        }
    }
}

fn lower_field(
    cx: &Cx<'_>,
    f: &FieldDescriptorProto,
    path: &[i32],
    oneofs: Option<&[POneof]>,
    parent_ign: &Ignores,
) -> PField {
    let ty = f.r#type.unwrap_or(0);
    let type_name = f
        .type_name
        .as_deref()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_string();
    let mut is_map = false;
    let (mut enum_short, mut enum_values) = (None, Vec::new());
    if ty == TYPE_MESSAGE {
        if let Some(m) = cx.pool.get_message_by_name(&type_name) {
            if m.is_map_entry() {
                is_map = true;
            }
        }
    } else if ty == TYPE_ENUM {
        if let Some(e) = cx.pool.get_enum_by_name(&type_name) {
            enum_short = Some(e.name().to_string());
            enum_values = e
                .values()
                .map(|v| (v.number(), v.name().to_string()))
                .collect();
        }
    }
    let oneof_index = f.oneof_index.and_then(|i| usize::try_from(i).ok());
    let (oneof, oneof_synthetic) = match (oneof_index, oneofs) {
        (Some(i), Some(os)) => match os.get(i) {
            Some(o) => (Some(o.name.clone()), o.synthetic),
            None => (None, false),
        },
        _ => (None, false),
    };
    let span = cx.spans.span(path).unwrap_or(0..0);
    let label = f.label.unwrap_or(1);
    let proto3_optional = f.proto3_optional.unwrap_or(false);
    let explicit_label = cx.spans.span(&with(path, &[4])).is_some();
    let name = f.name.clone().unwrap_or_default();
    let extendee = f
        .extendee
        .as_deref()
        .map(|e| e.trim_start_matches('.').to_string());
    let full_name = if extendee.is_some() {
        full(&cx.package, &name)
    } else {
        name.clone()
    };
    let o = f.options.clone().unwrap_or_default();
    PField {
        json_name: f.json_name.clone().unwrap_or_else(|| json_name(&name)),
        name,
        full_name,
        number: f.number.unwrap_or(0),
        label,
        ty,
        type_name,
        default: f.default_value.clone(),
        oneof,
        oneof_synthetic,
        proto3_optional,
        is_map,
        enum_short,
        enum_values,
        extendee,
        ctype: o.ctype,
        jstype: o.jstype,
        proto3: cx.proto3,
        name_span: cx.spans.span(&with(path, &[1])),
        type_span: cx.spans.span(&with(path, &[5])),
        type_name_span: cx.spans.span(&with(path, &[6])),
        default_span: cx.spans.span(&with(path, &[7])),
        json_name_span: cx.spans.span(&with(path, &[10])),
        ctype_span: word_span(cx.text, &span, "ctype"),
        jstype_span: word_span(cx.text, &span, "jstype"),
        explicit_label,
        ignores: cx.spans.ignores(path, parent_ign),
        span,
    }
}

/// protoc's default JSON name: lowerCamelCase of the field name.
pub(crate) fn json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn lower_enum(
    cx: &Cx<'_>,
    e: &EnumDescriptorProto,
    path: &[i32],
    prefix: &str,
    parent_ign: &Ignores,
) -> PEnum {
    let name = e.name.clone().unwrap_or_default();
    let nested_name = if prefix.is_empty() {
        name.clone()
    } else {
        format!("{prefix}.{name}")
    };
    let ign = cx.spans.ignores(path, parent_ign);
    let block = cx.spans.span(path).unwrap_or(0..0);
    let span = head(&block, cx.spans.span(&with(path, &[1])));
    PEnum {
        full_name: full(&cx.package, &nested_name),
        nested_name,
        name,
        values: e
            .value
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let vp = with(path, &[2, idx(i)]);
                PEnumValue {
                    name: v.name.clone().unwrap_or_default(),
                    number: v.number.unwrap_or(0),
                    span: cx.spans.span(&vp).unwrap_or(span.clone()),
                    number_span: cx.spans.span(&with(&vp, &[2])),
                    ignores: cx.spans.ignores(&vp, &ign),
                }
            })
            .collect(),
        reserved_ranges: reserved_ranges(
            cx,
            path,
            4,
            e.reserved_range.iter().map(|r| (r.start, r.end)),
            &span,
        ),
        reserved_names: reserved_names(cx, path, 5, &e.reserved_name, &span),
        closed: !cx.proto3,
        ignores: ign,
        span,
    }
}

fn lower_service(
    cx: &Cx<'_>,
    s: &ServiceDescriptorProto,
    path: &[i32],
    parent_ign: &Ignores,
) -> PService {
    let name = s.name.clone().unwrap_or_default();
    let ign = cx.spans.ignores(path, parent_ign);
    let block = cx.spans.span(path).unwrap_or(0..0);
    let span = head(&block, cx.spans.span(&with(path, &[1])));
    PService {
        full_name: full(&cx.package, &name),
        name,
        methods: s
            .method
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mp = with(path, &[2, idx(i)]);
                PMethod {
                    name: m.name.clone().unwrap_or_default(),
                    input: m
                        .input_type
                        .as_deref()
                        .unwrap_or("")
                        .trim_start_matches('.')
                        .to_string(),
                    output: m
                        .output_type
                        .as_deref()
                        .unwrap_or("")
                        .trim_start_matches('.')
                        .to_string(),
                    client_streaming: m.client_streaming.unwrap_or(false),
                    server_streaming: m.server_streaming.unwrap_or(false),
                    idempotency: m
                        .options
                        .as_ref()
                        .and_then(|o| o.idempotency_level)
                        .unwrap_or(0),
                    span: cx.spans.span(&mp).unwrap_or(span.clone()),
                    input_span: cx.spans.span(&with(&mp, &[2])),
                    output_span: cx.spans.span(&with(&mp, &[3])),
                    idempotency_span: cx
                        .spans
                        .span(&mp)
                        .and_then(|s| word_span(cx.text, &s, "idempotency_level")),
                    ignores: cx.spans.ignores(&mp, &ign),
                }
            })
            .collect(),
        ignores: ign,
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_are_parsed_from_comments() {
        assert_eq!(
            parse_ignores(" schemaguard:ignore FIELD_NO_DELETE moved to v2\n"),
            vec!["FIELD_NO_DELETE".to_string()]
        );
        assert_eq!(
            parse_ignores("schemaguard:ignore A_B,C_D"),
            vec!["A_B".to_string(), "C_D".to_string()]
        );
        assert!(parse_ignores("nothing here").is_empty());
    }

    #[test]
    fn ignore_reasons_are_the_rest_of_the_directive_line() {
        assert_eq!(
            parse_ignore_directives(" schemaguard:ignore A_B,c_d moved to v2 (#12)\n more text\n"),
            vec![
                ("A_B".to_string(), Some("moved to v2 (#12)".to_string())),
                ("C_D".to_string(), Some("moved to v2 (#12)".to_string()))
            ]
        );
        assert_eq!(
            parse_ignore_directives(" schemaguard:ignore A_B \n reason on the next line"),
            vec![("A_B".to_string(), None)]
        );
        assert_eq!(
            parse_ignore_directives("schemaguard:ignore A_B */"),
            vec![("A_B".to_string(), None)]
        );
    }

    #[test]
    fn json_names_are_lower_camel() {
        assert_eq!(json_name("amount_cents"), "amountCents");
        assert_eq!(json_name("id"), "id");
    }
}
