//! The outline of a `.proto` file for readers (the catalog): its messages, enums and services with fields, numbers,
//! comments and `(confluent.field_meta)` / `(confluent.message_meta)` tags, and the type names it uses with the
//! scope protobuf resolves them in. Syntax-only (protox's parser, no imports needed), so a git revision's file
//! is outlined without compiling the snapshot.

use std::collections::HashMap;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto, UninterpretedOption};

use super::model::type_str;
use crate::formats::outline::{clean_doc, FieldOutline, Outline, TypeOutline, TypeUse};

pub(crate) fn outline(path: &str, text: &str) -> Option<Outline> {
    // Made by the syntax pass of loading, when the catalog asked for it (`parse::keep_outlines`): not parsed again.
    if let Some(o) = super::parse::take_outline(text) {
        return Some(o);
    }
    // Same guards as loading: editions and absurd nesting are not parsed.
    if super::parse::too_deep_for_outline(text) {
        return None;
    }
    let file = super::file_from_source(path, text).ok()?;
    Some(of_descriptor(file.file_descriptor_proto()))
}

/// The outline of a parsed file (with its source info, for the comments).
pub(super) fn of_descriptor(fd: &FileDescriptorProto) -> Outline {
    let docs = Docs::new(fd);
    let pkg = fd.package.clone().unwrap_or_default();
    let mut out = Outline {
        doc: docs.get(&[2]).or_else(|| docs.get(&[12])),
        namespace: (!pkg.is_empty()).then(|| pkg.clone()),
        ..Outline::default()
    };
    for (i, m) in fd.message_type.iter().enumerate() {
        message(&mut out, &docs, m, &pkg, vec![4, idx(i)]);
    }
    for (i, e) in fd.enum_type.iter().enumerate() {
        enumeration(&mut out, &docs, e, &pkg, vec![5, idx(i)]);
    }
    for (i, s) in fd.service.iter().enumerate() {
        let full = join(&pkg, s.name());
        let path = vec![6, idx(i)];
        let mut fields = Vec::new();
        for (j, m) in s.method.iter().enumerate() {
            let mut mp = path.clone();
            mp.extend([2, idx(j)]);
            let stream = |b: Option<bool>| if b == Some(true) { "stream " } else { "" };
            fields.push(FieldOutline {
                name: m.name().to_string(),
                ty: format!(
                    "({}{}) → ({}{})",
                    stream(m.client_streaming),
                    m.input_type(),
                    stream(m.server_streaming),
                    m.output_type()
                ),
                doc: docs.get(&mp),
                ..FieldOutline::default()
            });
            for t in [m.input_type(), m.output_type()] {
                out.uses.push(TypeUse {
                    scope: pkg.clone(),
                    name: t.to_string(),
                });
            }
        }
        out.defines.push(full.clone());
        out.types.push(TypeOutline {
            name: full,
            kind: "service".into(),
            doc: docs.get(&path),
            fields,
            ..TypeOutline::default()
        });
    }
    out.uses.sort();
    out.uses.dedup();
    out
}

fn idx(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Leading (else trailing) comments by SourceCodeInfo path.
struct Docs<'a> {
    map: HashMap<&'a [i32], &'a str>,
}

impl<'a> Docs<'a> {
    fn new(fd: &'a FileDescriptorProto) -> Self {
        let mut map = HashMap::new();
        for loc in fd.source_code_info.iter().flat_map(|s| &s.location) {
            let c = loc
                .leading_comments
                .as_deref()
                .or(loc.trailing_comments.as_deref());
            if let Some(c) = c {
                map.entry(loc.path.as_slice()).or_insert(c);
            }
        }
        Docs { map }
    }

    fn get(&self, path: &[i32]) -> Option<String> {
        self.map.get(path).and_then(|c| clean_doc(c))
    }
}

/// `tags` of a `(confluent.field_meta)` / `(confluent.message_meta)` option, read from its text-format value.
fn meta_tags(opts: &[UninterpretedOption], option: &str) -> Vec<String> {
    let mut tags = Vec::new();
    for o in opts {
        let name: Vec<&str> = o.name.iter().map(|n| n.name_part.as_str()).collect();
        if name.first().map(|n| n.trim_start_matches('.')) != Some(option) {
            continue;
        }
        // `option (confluent.field_meta).tags = "PII"`: the value is the string itself.
        if name.get(1) == Some(&"tags") {
            if let Some(v) = &o.string_value {
                tags.push(String::from_utf8_lossy(v).into_owned());
            }
            continue;
        }
        if let Some(agg) = &o.aggregate_value {
            tags.extend(tags_in_text_format(agg));
        }
    }
    tags
}

/// The strings after `tags:` in a text-format message (`tags: ["PII", "GDPR"]` or repeated `tags: "PII"`).
fn tags_in_text_format(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("tags") {
        rest = &rest[i + 4..];
        let after = rest.trim_start();
        let Some(after) = after.strip_prefix(':') else {
            continue;
        };
        let after = after.trim_start();
        let (list, tail) = match after.strip_prefix('[') {
            Some(l) => match l.find(']') {
                Some(end) => (&l[..end], &l[end..]),
                None => (l, ""),
            },
            None => {
                let end = after[1.min(after.len())..]
                    .find(['"', '\''])
                    .map(|e| e + 2)
                    .unwrap_or(after.len());
                (
                    &after[..end.min(after.len())],
                    &after[end.min(after.len())..],
                )
            }
        };
        for part in list.split(',') {
            let t = part.trim().trim_matches(['"', '\'']).trim();
            if !t.is_empty() {
                out.push(t.to_string());
            }
        }
        rest = tail;
    }
    out
}

fn message(out: &mut Outline, docs: &Docs, m: &DescriptorProto, scope: &str, path: Vec<i32>) {
    if m.options.as_ref().and_then(|o| o.map_entry) == Some(true) {
        return;
    }
    let full = join(scope, m.name());
    let entries: HashMap<&str, &DescriptorProto> = m
        .nested_type
        .iter()
        .filter(|n| n.options.as_ref().and_then(|o| o.map_entry) == Some(true))
        .map(|n| (n.name(), n))
        .collect();
    let mut fields = Vec::new();
    for (k, f) in m.field.iter().enumerate() {
        let mut fp = path.clone();
        fp.extend([2, idx(k)]);
        let written = |f: &prost_types::FieldDescriptorProto| -> String {
            if f.type_name.as_deref().is_some_and(|t| !t.is_empty()) {
                f.type_name().to_string()
            } else {
                type_str(f.r#type.unwrap_or(0)).to_string()
            }
        };
        let entry = f
            .type_name
            .as_deref()
            .and_then(|t| entries.get(t.rsplit('.').next().unwrap_or(t)));
        let ty = match entry {
            Some(e) if f.label == Some(3) => {
                let kv: Vec<String> = e.field.iter().map(written).collect();
                for v in e.field.iter().filter(|v| v.type_name.is_some()) {
                    out.uses.push(TypeUse {
                        scope: full.clone(),
                        name: v.type_name().to_string(),
                    });
                }
                format!("map<{}>", kv.join(", "))
            }
            _ => {
                if let Some(t) = f.type_name.as_deref().filter(|t| !t.is_empty()) {
                    out.uses.push(TypeUse {
                        scope: full.clone(),
                        name: t.to_string(),
                    });
                }
                let label = match f.label {
                    Some(3) => "repeated ",
                    Some(2) => "required ",
                    _ if f.proto3_optional == Some(true) => "optional ",
                    _ => "",
                };
                format!("{label}{}", written(f))
            }
        };
        let tags = f
            .options
            .as_ref()
            .map(|o| meta_tags(&o.uninterpreted_option, "confluent.field_meta"))
            .unwrap_or_default();
        fields.push(FieldOutline {
            name: f.name().to_string(),
            ty,
            doc: docs.get(&fp),
            tags,
            number: f.number,
            default: f.default_value.clone(),
            required: (f.label == Some(2)).then_some(true),
        });
    }
    out.defines.push(full.clone());
    out.types.push(TypeOutline {
        name: full.clone(),
        kind: "message".into(),
        doc: docs.get(&path),
        tags: m
            .options
            .as_ref()
            .map(|o| meta_tags(&o.uninterpreted_option, "confluent.message_meta"))
            .unwrap_or_default(),
        fields,
        symbols: Vec::new(),
    });
    for (j, n) in m.nested_type.iter().enumerate() {
        let mut np = path.clone();
        np.extend([3, idx(j)]);
        message(out, docs, n, &full, np);
    }
    for (j, e) in m.enum_type.iter().enumerate() {
        let mut ep = path.clone();
        ep.extend([4, idx(j)]);
        enumeration(out, docs, e, &full, ep);
    }
}

fn enumeration(
    out: &mut Outline,
    docs: &Docs,
    e: &EnumDescriptorProto,
    scope: &str,
    path: Vec<i32>,
) {
    let full = join(scope, e.name());
    out.defines.push(full.clone());
    out.types.push(TypeOutline {
        name: full,
        kind: "enum".into(),
        doc: docs.get(&path),
        symbols: e
            .value
            .iter()
            .map(|v| format!("{} = {}", v.name(), v.number()))
            .collect(),
        ..TypeOutline::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    const PROTO: &str = r#"syntax = "proto3";
// Orders of the shop.
package acme.v1;
import "money.proto";

// An order was placed.
message OrderPlaced {
  // Order id.
  string id = 1;
  string email = 2 [(confluent.field_meta) = { tags: ["PII", "GDPR"] }];
  repeated Line lines = 3;
  map<string, Money> totals = 4;
  message Line { string sku = 1; }
  enum Status { STATUS_UNSPECIFIED = 0; PAID = 1; }
  Status status = 5;
}
"#;

    /// The syntax pass of loading keeps the outline (while asked to), and `outline` takes it instead of parsing.
    #[test]
    fn loading_keeps_outlines_for_the_catalog() {
        // A text no other test loads (the memo is process-wide and keyed by content).
        let text = PROTO.replace("acme.v1", "acme.keep.v1");
        let file = SourceFile::new("orders_keep.proto", None, text.as_str());
        let expected = serde_json::to_value(outline("orders_keep.proto", &text)).expect("json");
        crate::formats::protobuf::keep_outlines(true);
        let _ = super::super::parse::ProtoSnap::load(&[Arc::clone(&file)], &[]);
        let kept = super::super::parse::take_outline(&text);
        assert!(kept.is_some(), "loading kept the outline");
        assert_eq!(serde_json::to_value(kept).expect("json"), expected);
        // Taken once; off drops the rest.
        assert!(super::super::parse::take_outline(&text).is_none());
        crate::formats::protobuf::keep_outlines(false);
    }

    #[test]
    fn messages_fields_comments_tags() {
        let o = outline("orders.proto", PROTO).expect("parses");
        assert_eq!(o.doc.as_deref(), Some("Orders of the shop."));
        assert_eq!(
            o.defines,
            vec![
                "acme.v1.OrderPlaced",
                "acme.v1.OrderPlaced.Line",
                "acme.v1.OrderPlaced.Status"
            ]
        );
        let m = &o.types[0];
        assert_eq!(m.doc.as_deref(), Some("An order was placed."));
        assert_eq!(m.fields[0].doc.as_deref(), Some("Order id."));
        assert_eq!(m.fields[1].tags, vec!["PII", "GDPR"]);
        assert_eq!(m.fields[2].ty, "repeated Line");
        assert_eq!(m.fields[3].ty, "map<string, Money>");
        assert_eq!(m.fields[3].number, Some(4));
        assert!(o.uses.contains(&TypeUse {
            scope: "acme.v1.OrderPlaced".into(),
            name: "Money".into()
        }));
        assert_eq!(
            o.types[2].symbols,
            vec!["STATUS_UNSPECIFIED = 0", "PAID = 1"]
        );
    }

    #[test]
    fn tags_in_text_format_forms() {
        assert_eq!(tags_in_text_format(r#"tags: "PII""#), vec!["PII"]);
        assert_eq!(
            tags_in_text_format(r#"doc: "x" tags: ["A", 'B'] params: {}"#),
            vec!["A", "B"]
        );
    }

    #[test]
    fn broken_files_have_no_outline() {
        assert!(outline("x.proto", "message {").is_none());
    }
}
