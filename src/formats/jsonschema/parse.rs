//! JSON and YAML documents as one span-preserving tree: every value and every object key keeps its byte range
//! in the source text, so a finding can point at the keyword that changed. Parsing is strict JSON (jsonc-parser
//! with every leniency off, duplicate keys refused) or YAML (yaml-rust2's event parser, read iteratively).
//! Nesting depth is bounded before any recursive code runs, and YAML alias expansion is bounded, so hostile
//! input gives a clean error instead of a stack overflow or a memory blow-up. This module knows nothing of
//! JSON Schema.

use std::collections::HashMap;
use std::ops::Range;

use crate::formats::json::{self, Refusal, MAX_DEPTH};

/// Most nodes a YAML document may expand to once aliases are followed ("billion laughs" guard): at most
/// `EXPANSION_PER_BYTE` nodes per byte of the document, at least `MIN_EXPANDED_NODES`, never more than
/// `MAX_EXPANDED_NODES`. A document without aliases has fewer nodes than bytes; the bound keeps the expanded
/// tree (and the JSON value meta-schema validation builds from it) proportional to the file: a 318-byte
/// mutation of the billion-laughs fixture found by fuzzing expanded to 2,000,000 nodes, 200 MB, before.
pub(crate) const MAX_EXPANDED_NODES: u64 = 2_000_000;
const MIN_EXPANDED_NODES: u64 = 100_000;
const EXPANSION_PER_BYTE: u64 = 8;

fn expansion_limit(text: &str) -> u64 {
    (text.len() as u64)
        .saturating_mul(EXPANSION_PER_BYTE)
        .clamp(MIN_EXPANDED_NODES, MAX_EXPANDED_NODES)
}

pub(crate) type NodeId = u32;

#[derive(Debug)]
pub(crate) struct Member {
    pub key: Box<str>,
    pub key_span: Range<usize>,
    pub val: NodeId,
}

#[derive(Debug)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(Box<str>),
    Arr(Vec<NodeId>),
    Obj(Vec<Member>),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub val: Val,
    pub span: Range<usize>,
}

/// A parsed document. YAML aliases share the anchored node, so the tree may be a DAG.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

/// Why a document could not be parsed, with the span to underline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseFailure {
    pub message: String,
    pub span: Range<usize>,
}

impl Tree {
    /// The inline ignores (`crate::ignore::PROPERTY`) on every object of the document, each scoped to its object;
    /// malformed ones become warnings in `warnings`.
    pub fn ignores(
        &self,
        file: &std::sync::Arc<crate::source::SourceFile>,
        out: &mut crate::ignore::Ignores,
        warnings: &mut Vec<crate::finding::Finding>,
    ) {
        use crate::ignore::{DirectiveValue, EntryValue, PROPERTY};
        if !file.text.contains(PROPERTY) {
            return;
        }
        for node in &self.nodes {
            let Val::Obj(members) = &node.val else {
                continue;
            };
            for m in members.iter().filter(|m| &*m.key == PROPERTY) {
                let v = self.node(m.val);
                let value = match &v.val {
                    Val::Obj(entries) => DirectiveValue::Object(
                        entries
                            .iter()
                            .map(|e| {
                                let ev = self.node(e.val);
                                let reason = match &ev.val {
                                    Val::Str(s) => EntryValue::Str(s),
                                    _ => EntryValue::Other,
                                };
                                (&*e.key, e.key_span.clone(), reason, ev.span.clone())
                            })
                            .collect(),
                    ),
                    _ => DirectiveValue::Other(v.span.clone()),
                };
                crate::ignore::from_json_object(
                    file,
                    crate::finding::Format::JsonSchema,
                    node.span.clone(),
                    value,
                    out,
                    warnings,
                );
            }
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The member `key` of object node `id`.
    pub fn member(&self, id: NodeId, key: &str) -> Option<&Member> {
        match &self.node(id).val {
            Val::Obj(m) => m.iter().find(|m| &*m.key == key),
            _ => None,
        }
    }

    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.member(id, key).map(|m| m.val)
    }

    pub fn str_of(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).val {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    fn push(&mut self, val: Val, span: Range<usize>) -> NodeId {
        self.nodes.push(Node { val, span });
        (self.nodes.len() - 1) as NodeId
    }

    /// Canonical text of a value: object keys sorted, numbers as f64, so equal JSON values compare equal.
    pub fn canonical(&self, id: NodeId, out: &mut String) {
        // Depth is bounded by MAX_DEPTH, so recursion is safe.
        match &self.node(id).val {
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Num(n) => out.push_str(&format!("{n:?}")),
            Val::Str(s) => {
                out.push_str(&serde_json::to_string(&**s).unwrap_or_default());
            }
            Val::Arr(items) => {
                out.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.canonical(*it, out);
                }
                out.push(']');
            }
            Val::Obj(members) => {
                let mut sorted: Vec<&Member> = members.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                out.push('{');
                for (i, m) in sorted.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&*m.key).unwrap_or_default());
                    out.push(':');
                    self.canonical(m.val, out);
                }
                out.push('}');
            }
        }
    }

    pub fn canonical_string(&self, id: NodeId) -> String {
        let mut s = String::new();
        self.canonical(id, &mut s);
        s
    }

    /// The value as `serde_json` (for meta-schema validation). Aliased YAML nodes are expanded; the
    /// expansion is bounded at parse time.
    pub fn to_json(&self, id: NodeId) -> serde_json::Value {
        use serde_json::Value;
        match &self.node(id).val {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    Value::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null)
                }
            }
            Val::Str(s) => Value::String(s.to_string()),
            Val::Arr(items) => Value::Array(items.iter().map(|i| self.to_json(*i)).collect()),
            Val::Obj(members) => Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.to_string(), self.to_json(m.val)))
                    .collect(),
            ),
        }
    }

    /// Follows a JSON pointer (`/a/b/0`, already unescaped tokens) from `from`.
    pub fn walk(&self, from: NodeId, tokens: &[String]) -> Option<NodeId> {
        let mut cur = from;
        for t in tokens {
            cur = match &self.node(cur).val {
                Val::Obj(_) => self.get(cur, t)?,
                Val::Arr(items) => *items.get(t.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

fn too_deep(at: usize) -> ParseFailure {
    ParseFailure {
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        span: at..at + 1,
    }
}

/// Parses strict JSON (no comments, no trailing commas, no duplicate keys; see `formats::json`).
pub(crate) fn parse_json(text: &str) -> Result<Tree, ParseFailure> {
    let value = json::parse(text).map_err(|refusal| match refusal {
        // The same words as YAML's depth limit.
        Refusal::TooDeep { at } => too_deep(at),
        Refusal::Syntax { ref range, .. } => ParseFailure {
            message: refusal.message(),
            span: range.start
                ..range
                    .end
                    .max(range.start + 1)
                    .min(text.len().max(range.start)),
        },
        Refusal::Empty => ParseFailure {
            message: refusal.message(),
            span: 0..0,
        },
    })?;
    if let Some((span, key)) = json::duplicate_keys(&value).into_iter().next() {
        return Err(ParseFailure {
            message: format!("invalid JSON: duplicate key `{key}`"),
            span,
        });
    }
    let mut tree = Tree::default();
    tree.root = convert_json(&mut tree, &value)?;
    Ok(tree)
}

fn convert_json(tree: &mut Tree, v: &jsonc_parser::ast::Value<'_>) -> Result<NodeId, ParseFailure> {
    use jsonc_parser::ast::Value as J;
    Ok(match v {
        J::NullKeyword(n) => tree.push(Val::Null, json::range(n.range)),
        J::BooleanLit(b) => tree.push(Val::Bool(b.value), json::range(b.range)),
        J::NumberLit(n) => {
            let f = n.value.parse::<f64>().map_err(|_| ParseFailure {
                message: format!("invalid JSON: bad number `{}`", n.value),
                span: json::range(n.range),
            })?;
            tree.push(Val::Num(f), json::range(n.range))
        }
        J::StringLit(s) => tree.push(Val::Str(s.value.as_ref().into()), json::range(s.range)),
        J::Array(a) => {
            let mut items = Vec::with_capacity(a.elements.len());
            for e in &a.elements {
                items.push(convert_json(tree, e)?);
            }
            tree.push(Val::Arr(items), json::range(a.range))
        }
        J::Object(o) => {
            let mut members = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let val = convert_json(tree, &p.value)?;
                members.push(Member {
                    key: p.name.as_str().into(),
                    key_span: json::key_range(&p.name),
                    val,
                });
            }
            tree.push(Val::Obj(members), json::range(o.range))
        }
    })
}

/// Maps yaml-rust2's char indices to byte offsets.
struct CharMap {
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharMap {
    fn new(text: &str) -> Self {
        let offsets = if text.is_ascii() {
            None
        } else {
            Some(text.char_indices().map(|(i, _)| i).collect())
        };
        CharMap {
            offsets,
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<NodeId>,
        size: u64,
    },
    Map {
        start: usize,
        anchor: usize,
        members: Vec<Member>,
        key: Option<(Box<str>, Range<usize>)>,
        size: u64,
    },
}

fn yaml_scalar(value: &str, style: yaml_rust2::scanner::TScalarStyle) -> Val {
    use yaml_rust2::scanner::TScalarStyle;
    if style != TScalarStyle::Plain {
        return Val::Str(value.into());
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => Val::Null,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        _ => {
            let looks_numeric = value
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
            match value.parse::<f64>() {
                Ok(f) if looks_numeric && f.is_finite() => Val::Num(f),
                _ => Val::Str(value.into()),
            }
        }
    }
}

/// Parses the first document of a YAML stream into a tree; anchors and aliases share nodes.
pub(crate) fn parse_yaml(text: &str) -> Result<Tree, ParseFailure> {
    use yaml_rust2::parser::{Event, Parser};
    let map = CharMap::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut tree = Tree::default();
    let mut sizes: Vec<u64> = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<NodeId> = None;
    let limit = expansion_limit(text);
    let fail = |message: String, at: usize| ParseFailure {
        message,
        span: at..(at + 1).min(text.len()).max(at),
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let at = map.byte(e.marker().index());
            fail(format!("invalid YAML: {}", e.info()), at)
        })?;
        let at = map.byte(mark.index());
        // A finished value: (node, expanded size, anchor).
        let done: Option<(NodeId, u64, usize)> = match event {
            Event::StreamEnd => break,
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                None
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart => None,
            Event::Scalar(value, style, anchor, _tag) => {
                let len = if style == yaml_rust2::scanner::TScalarStyle::Plain {
                    value.len()
                } else {
                    value.len() + 2
                };
                let end = (at + len).min(text.len());
                let is_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                if is_key {
                    if let Some(Frame::Map {
                        key,
                        start,
                        members,
                        ..
                    }) = stack.last_mut()
                    {
                        // A block mapping's start mark comes after its first key: start at the key.
                        if members.is_empty() && at < *start {
                            *start = at;
                        }
                        *key = Some((value.into(), at..end));
                    }
                    if anchor != 0 {
                        let id = tree.push(Val::Str(Box::from("")), at..end);
                        sizes.push(1);
                        anchors.insert(anchor, id);
                    }
                    None
                } else {
                    let id = tree.push(yaml_scalar(&value, style), at..end);
                    sizes.push(1);
                    Some((id, 1, anchor))
                }
            }
            Event::Alias(anchor) => {
                let Some(&id) = anchors.get(&anchor) else {
                    return Err(fail("invalid YAML: alias to an unknown anchor".into(), at));
                };
                if matches!(stack.last(), Some(Frame::Map { key: None, .. })) {
                    return Err(fail(
                        "unsupported YAML: alias used as a mapping key".into(),
                        at,
                    ));
                }
                Some((id, sizes[id as usize], 0))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let seq = matches!(event, Event::SequenceStart(..));
                if matches!(stack.last(), Some(Frame::Map { key: None, .. })) {
                    let what = if seq { "a sequence" } else { "a mapping" };
                    return Err(fail(
                        format!("unsupported YAML: {what} used as a mapping key"),
                        at,
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(at));
                }
                stack.push(if seq {
                    Frame::Seq {
                        start: at,
                        anchor,
                        items: Vec::new(),
                        size: 1,
                    }
                } else {
                    Frame::Map {
                        start: at,
                        anchor,
                        members: Vec::new(),
                        key: None,
                        size: 1,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = trim_end(text, at);
                match stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                        size,
                    }) => {
                        let id = tree.push(Val::Arr(items), start..end.max(start));
                        sizes.push(size);
                        Some((id, size, anchor))
                    }
                    Some(Frame::Map {
                        start,
                        anchor,
                        members,
                        size,
                        ..
                    }) => {
                        let id = tree.push(Val::Obj(members), start..end.max(start));
                        sizes.push(size);
                        Some((id, size, anchor))
                    }
                    None => None,
                }
            }
        };
        let Some((id, size, anchor)) = done else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, id);
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(id);
                }
            }
            Some(Frame::Seq { items, size: s, .. }) => {
                items.push(id);
                *s = s.saturating_add(size);
                if *s > limit {
                    return Err(alias_bomb(at, limit));
                }
            }
            Some(Frame::Map {
                members,
                key,
                size: s,
                ..
            }) => {
                let Some((k, key_span)) = key.take() else {
                    return Err(fail(
                        "unsupported YAML: a non-scalar mapping key".into(),
                        at,
                    ));
                };
                if members.iter().any(|m| m.key == k) {
                    return Err(ParseFailure {
                        message: format!("invalid YAML: duplicate key `{k}`"),
                        span: key_span,
                    });
                }
                members.push(Member {
                    key: k,
                    key_span,
                    val: id,
                });
                *s = s.saturating_add(size);
                if *s > limit {
                    return Err(alias_bomb(at, limit));
                }
            }
        }
    }
    match root {
        Some(r) => {
            tree.root = r;
            Ok(tree)
        }
        None => Err(ParseFailure {
            message: "invalid YAML: the file holds no document".into(),
            span: 0..0,
        }),
    }
}

fn alias_bomb(at: usize, limit: u64) -> ParseFailure {
    ParseFailure {
        message: format!(
            "YAML aliases expand to more than {limit} nodes (an alias bomb?): at most {EXPANSION_PER_BYTE} nodes per byte of the document (at least {MIN_EXPANDED_NODES}, at most {MAX_EXPANDED_NODES})"
        ),
        span: at..at + 1,
    }
}

fn trim_end(text: &str, mut end: usize) -> usize {
    let b = text.as_bytes();
    end = end.min(b.len());
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_spans_and_keys() {
        let t = parse_json(r#"{"a": [1, "x"], "b": null}"#).unwrap();
        let a = t.member(t.root, "a").unwrap();
        assert_eq!(a.key_span, 1..4);
        assert_eq!(t.node(a.val).span, 6..14);
    }

    #[test]
    fn json_is_strict() {
        assert!(parse_json("{\"a\": 1,}").is_err());
        assert!(parse_json("{\"a\": 1 // c\n}").is_err());
        let e = parse_json(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(e.message.contains("duplicate key"));
        assert_eq!(e.span, 9..12);
    }

    #[test]
    fn deep_json_refused_without_recursion() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse_json(&text).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert!(e.message.contains("nesting"));
    }

    #[test]
    fn yaml_tree_with_spans() {
        let text = "type: object\nproperties:\n  é: {type: string}\n";
        let t = parse_yaml(text).unwrap();
        let p = t.get(t.root, "properties").unwrap();
        let m = t.member(p, "é").unwrap();
        assert_eq!(&text[m.key_span.clone()], "é");
        let ty = t.get(m.val, "type").unwrap();
        assert_eq!(t.str_of(ty), Some("string"));
        assert_eq!(&text[t.node(ty).span.clone()], "string");
    }

    #[test]
    fn yaml_billion_laughs_refused() {
        let mut s = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            s.push_str(&format!(
                "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = n;
        }
        let e = parse_yaml(&s).unwrap_err();
        assert!(e.message.contains("aliases"), "{}", e.message);
    }

    #[test]
    fn yaml_collection_keys_refused() {
        let e = parse_yaml("? [a, b]\n: 1\n").unwrap_err();
        assert_eq!(
            e.message,
            "unsupported YAML: a sequence used as a mapping key"
        );
        assert_eq!(e.span.start, 2);
        let e = parse_yaml("? {a: b}\n: 1\n").unwrap_err();
        assert_eq!(
            e.message,
            "unsupported YAML: a mapping used as a mapping key"
        );
    }

    #[test]
    fn yaml_scalars_typed() {
        let t = parse_yaml("a: 1\nb: '1'\nc: true\nd: ~\n").unwrap();
        assert!(matches!(
            t.node(t.get(t.root, "a").unwrap()).val,
            Val::Num(_)
        ));
        assert!(matches!(
            t.node(t.get(t.root, "b").unwrap()).val,
            Val::Str(_)
        ));
        assert!(matches!(
            t.node(t.get(t.root, "c").unwrap()).val,
            Val::Bool(true)
        ));
        assert!(matches!(t.node(t.get(t.root, "d").unwrap()).val, Val::Null));
    }
}
