//! Strict, span-preserving JSON for the JSON-based formats (Avro `.avsc`, JSON Schema). Owns the one way they read
//! JSON text: nesting depth bounded by a byte scan before jsonc-parser's recursive descent runs (so hostile input
//! cannot overflow a small stack), jsonc-parser with every leniency off (no comments, trailing commas, single
//! quotes, hexadecimal or non-finite numbers, ...), duplicate object keys found in document order, and the
//! escaping of JSON Pointer tokens (RFC 6901) for the pointers findings carry. It hands back jsonc-parser's AST,
//! whose values and keys keep their byte ranges, and says why a text was refused; the wording of findings, and
//! what a format makes of the AST, stay with each format.

use std::collections::HashSet;
use std::ops::Range;

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// Deepest nesting of arrays and objects accepted; deeper text is refused before the recursive parser runs
/// (jsonc-parser's own limit is 512, too deep for a 2 MiB thread stack in debug builds).
pub(crate) const MAX_DEPTH: usize = 256;

/// Why strict parsing refused a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    /// Nesting deeper than [`MAX_DEPTH`]; `at` is the byte offset of the first bracket beyond the limit.
    TooDeep { at: usize },
    /// jsonc-parser's error: the byte range it reports (which may be empty) and its description.
    Syntax { range: Range<usize>, kind: String },
    /// The text holds no value (empty, or only whitespace).
    Empty,
}

impl Refusal {
    /// The finding message, worded the same for every JSON-based format.
    pub(crate) fn message(&self) -> String {
        match self {
            Refusal::TooDeep { .. } => {
                format!("invalid JSON: nesting deeper than {MAX_DEPTH} levels")
            }
            Refusal::Syntax { kind, .. } => format!("invalid JSON: {kind}"),
            Refusal::Empty => "invalid JSON: the file holds no value".into(),
        }
    }
}

/// Parses `text` as strict JSON: depth checked first, then jsonc-parser with [`strict_options`]. Duplicate keys
/// are not refused here (jsonc-parser keeps both); see [`duplicate_keys`].
pub(crate) fn parse(text: &str) -> Result<Value<'_>, Refusal> {
    // Editors on Windows add a byte order mark; the parser would only say "unexpected token" at 1:1.
    if text.starts_with('\u{feff}') {
        return Err(Refusal::Syntax {
            range: 0..3,
            kind: "the file starts with a UTF-8 byte order mark (BOM), which JSON does not allow: save it without one"
                .to_string(),
        });
    }
    if let Some(at) = depth_exceeds(text, MAX_DEPTH) {
        return Err(Refusal::TooDeep { at });
    }
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict_options())
        .map_err(|e| Refusal::Syntax {
            range: range(e.range()),
            kind: e.kind().to_string(),
        })?;
    parsed.value.ok_or(Refusal::Empty)
}

/// The byte offset of the first `[` or `{` nested deeper than `limit`, if any. Counts brackets outside strings
/// without recursion, so it is safe on any input.
pub(crate) fn depth_exceeds(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escape = false;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if in_str {
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// jsonc-parser with every extension to JSON turned off.
pub(crate) fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Every key that repeats an earlier key of the same object, as (span of the repeat, key), in document order.
/// Walks with an explicit stack, so it is safe on any depth.
pub(crate) fn duplicate_keys<'a>(v: &'a Value<'a>) -> Vec<(Range<usize>, &'a str)> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if o.properties.len() > 1 {
                    let mut seen: HashSet<&str> = HashSet::with_capacity(o.properties.len());
                    for p in &o.properties {
                        let name = p.name.as_str();
                        if !seen.insert(name) {
                            out.push((key_range(&p.name), name));
                        }
                    }
                }
                stack.extend(o.properties.iter().map(|p| &p.value));
            }
            Value::Array(a) => stack.extend(a.elements.iter()),
            _ => {}
        }
    }
    out.sort_by_key(|d| d.0.start);
    out
}

/// The inline ignores (`crate::ignore::PROPERTY`) on every object of `v`, each scoped to its object. Walks with an
/// explicit stack, so it is safe on any depth.
pub(crate) fn ignores(
    file: &std::sync::Arc<crate::source::SourceFile>,
    format: crate::finding::Format,
    v: &Value,
    out: &mut crate::ignore::Ignores,
    warnings: &mut Vec<crate::finding::Finding>,
) {
    use crate::ignore::{DirectiveValue, EntryValue};
    // Cheap pre-filter: most files have none.
    if !file.text.contains(crate::ignore::PROPERTY) {
        return;
    }
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                for p in &o.properties {
                    if p.name.as_str() != crate::ignore::PROPERTY {
                        continue;
                    }
                    let value = match &p.value {
                        Value::Object(d) => DirectiveValue::Object(
                            d.properties
                                .iter()
                                .map(|e| {
                                    let reason = match &e.value {
                                        Value::StringLit(s) => EntryValue::Str(s.value.as_ref()),
                                        _ => EntryValue::Other,
                                    };
                                    (
                                        e.name.as_str(),
                                        key_range(&e.name),
                                        reason,
                                        value_range(&e.value),
                                    )
                                })
                                .collect(),
                        ),
                        other => DirectiveValue::Other(value_range(other)),
                    };
                    crate::ignore::from_json_object(
                        file,
                        format,
                        range(o.range),
                        value,
                        out,
                        warnings,
                    );
                }
                stack.extend(o.properties.iter().map(|p| &p.value));
            }
            Value::Array(a) => stack.extend(a.elements.iter()),
            _ => {}
        }
    }
}

/// A jsonc-parser range as a byte range.
pub(crate) fn range(r: jsonc_parser::common::Range) -> Range<usize> {
    r.start..r.end
}

/// The byte range of a value.
pub(crate) fn value_range(v: &Value) -> Range<usize> {
    range(v.range())
}

/// The byte range of an object key, quotes included.
pub(crate) fn key_range(n: &ObjectPropName) -> Range<usize> {
    match n {
        ObjectPropName::String(s) => range(s.range),
        ObjectPropName::Word(w) => range(w.range),
    }
}

/// The JSON Pointer reference token (RFC 6901) naming `key`: `~` becomes `~0`, `/` becomes `~1`.
pub(crate) fn escape_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The key a JSON Pointer reference token names: `~1` becomes `/`, then `~0` becomes `~`.
pub(crate) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_byte_order_mark_is_named() {
        match super::parse("\u{feff}{}") {
            Err(super::Refusal::Syntax { range, kind }) => {
                assert_eq!(range, 0..3);
                assert!(kind.contains("byte order mark"), "{kind}");
            }
            _ => panic!("a BOM is refused with its own message"),
        }
    }

    use super::*;

    #[test]
    fn depth_scan_ignores_brackets_in_strings_and_escapes() {
        assert_eq!(depth_exceeds("[[1]]", 2), None);
        assert_eq!(depth_exceeds("[[[1]]]", 2), Some(2));
        assert_eq!(depth_exceeds(r#"["[[[", "\"[[["]"#, 1), None);
        assert_eq!(depth_exceeds(r#"{"a\\": [[]]}"#, 2), Some(9));
    }

    #[test]
    fn deep_text_refused_without_recursion() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let refusal = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&text).map(|_| ()).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(refusal, Refusal::TooDeep { at: MAX_DEPTH });
    }

    #[test]
    fn strict_refuses_every_extension() {
        for text in [
            "{\"a\": 1,}",
            "{\"a\": 1 // c\n}",
            "{a: 1}",
            "['a']",
            "[0x1]",
            "[+1]",
            "[.5]",
            "[NaN]",
            "[1 2]",
        ] {
            assert!(
                matches!(parse(text), Err(Refusal::Syntax { .. })),
                "{text} was accepted"
            );
        }
        assert_eq!(parse(" \n").map(|_| ()), Err(Refusal::Empty));
    }

    #[test]
    fn syntax_error_keeps_the_parser_range() {
        let Err(Refusal::Syntax { range, kind }) = parse("{\"type\": \"int\",}") else {
            panic!("not a syntax error")
        };
        assert_eq!(range, 14..15);
        assert!(!kind.is_empty());
    }

    #[test]
    fn duplicate_keys_in_document_order_with_spans() {
        let text = r#"{"a": {"x": 1, "x": 2}, "a": [{"y": 0, "y": 1}]}"#;
        let v = parse(text).unwrap();
        let dups = duplicate_keys(&v);
        let found: Vec<(&str, &str)> = dups.iter().map(|(r, k)| (&text[r.clone()], *k)).collect();
        assert_eq!(found, vec![("\"x\"", "x"), ("\"a\"", "a"), ("\"y\"", "y")]);
        assert!(duplicate_keys(&parse(r#"{"a": {"a": 1}}"#).unwrap()).is_empty());
    }

    #[test]
    fn pointer_tokens_round_trip() {
        // `~01` is the key `~1`, not `/`: the order of the replacements matters.
        for (key, token) in [
            ("a/b~c", "a~1b~0c"),
            ("~1", "~01"),
            ("/~", "~1~0"),
            ("", ""),
        ] {
            assert_eq!(escape_token(key), token);
            assert_eq!(unescape_token(token), key);
        }
    }

    #[test]
    fn ranges_of_values_and_keys() {
        let text = r#"{"a": [1, "x"]}"#;
        let Value::Object(o) = parse(text).unwrap() else {
            panic!("not an object")
        };
        let p = &o.properties[0];
        assert_eq!(key_range(&p.name), 1..4);
        assert_eq!(value_range(&p.value), 6..14);
    }
}
