//! Positions in event text: the byte range of the value a JSON Pointer names (through the strict,
//! span-preserving parser of `formats::json`), and line:column of a byte offset. Used only when an error must be
//! located, so the fast path never builds a span tree.

use std::ops::Range;

use jsonc_parser::ast::Value;

use crate::formats::json;

/// The byte range of the value `pointer` (RFC 6901) names in the JSON `text`; for a pointer that goes past the
/// document (a missing member), the range of the deepest value that exists. `None` when the text is not JSON.
pub fn pointer_span(text: &str, pointer: &str) -> Option<Range<usize>> {
    let root = json::parse(text).ok()?;
    let mut cur: &Value = &root;
    if pointer.is_empty() {
        return Some(json::value_range(cur));
    }
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = json::unescape_token(raw);
        let next = match cur {
            Value::Object(o) => o
                .properties
                .iter()
                .rev()
                .find(|p| p.name.as_str() == token)
                .map(|p| &p.value),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.elements.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => break,
        }
    }
    Some(json::value_range(cur))
}

/// Whether `pointer` names a value that exists in the JSON `text` (every token found, not only a prefix).
pub fn pointer_exists(text: &str, pointer: &str) -> bool {
    let Ok(root) = json::parse(text) else {
        return false;
    };
    let mut cur: &Value = &root;
    let Some(tokens) = pointer.strip_prefix('/') else {
        return pointer.is_empty();
    };
    for raw in tokens.split('/') {
        let token = json::unescape_token(raw);
        let next = match cur {
            Value::Object(o) => o
                .properties
                .iter()
                .rev()
                .find(|p| p.name.as_str() == token)
                .map(|p| &p.value),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.elements.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return false,
        }
    }
    true
}

/// The JSON pointer and byte range of the innermost member value or array item of `text` whose range holds
/// `offset`, its ends included (a parser's error column points at the bad token's first or last character, or
/// just past it); `None` when the text is not JSON or the offset is outside every member.
pub fn pointer_at(text: &str, offset: usize) -> Option<(String, Range<usize>)> {
    let root = json::parse(text).ok()?;
    let holds = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let mut cur: &Value = &root;
    let mut ptr = String::new();
    let mut found = None;
    loop {
        let next = match cur {
            Value::Object(o) => o
                .properties
                .iter()
                .find(|p| holds(&json::value_range(&p.value)))
                .map(|p| (escape_token(p.name.as_str()), &p.value)),
            Value::Array(a) => a
                .elements
                .iter()
                .enumerate()
                .find(|(_, v)| holds(&json::value_range(v)))
                .map(|(i, v)| (i.to_string(), v)),
            _ => None,
        };
        let Some((token, v)) = next else { break };
        ptr.push('/');
        ptr.push_str(&token);
        found = Some((ptr.clone(), json::value_range(v)));
        cur = v;
    }
    found
}

/// A JSON Pointer token (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn escape_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The byte range of the key of member `pointer` names (its last token), when it is an object member: an unknown
/// field is best shown at its key.
pub fn key_span(text: &str, pointer: &str) -> Option<Range<usize>> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let root = json::parse(text).ok()?;
    let span = pointer_span(text, parent)?;
    let token = json::unescape_token(last);
    let mut stack = vec![&root];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if json::value_range(v) == span {
                    return o
                        .properties
                        .iter()
                        .rev()
                        .find(|p| p.name.as_str() == token)
                        .map(|p| json::key_range(&p.name));
                }
                stack.extend(o.properties.iter().map(|p| &p.value));
            }
            Value::Array(a) => stack.extend(a.elements.iter()),
            _ => {}
        }
    }
    None
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`, clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    rest.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_map_to_value_ranges() {
        let text = "{\"a\": [1, {\"b/c\": true}], \"d\": null}";
        let s = pointer_span(text, "/a/1/b~1c").unwrap();
        assert_eq!(&text[s], "true");
        assert_eq!(&text[pointer_span(text, "/d").unwrap()], "null");
        // Past the document: the deepest existing value.
        assert_eq!(
            &text[pointer_span(text, "/a/7").unwrap()],
            "[1, {\"b/c\": true}]"
        );
        assert_eq!(&text[key_span(text, "/a/1/b~1c").unwrap()], "\"b/c\"");
        assert!(pointer_span("{", "").is_none());
    }

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncé\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(offset_of(text, 2, 3), 6);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
