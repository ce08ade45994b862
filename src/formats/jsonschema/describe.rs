//! The concrete part of a finding's message: what the element was and what it became, read from the two
//! documents (`maxLength` was 10, now 5; `enum` lost `deleted`; type was `string | null`, now `string`), always
//! from the old schema to the new one whatever the direction of the check. Confluent's
//! templates only name the path; this names the values. Values are shown as written (strings bare), long
//! ones shortened, and lists of added or removed values capped at [`MAX_VALUES`].

use std::collections::HashSet;

use super::compat::{Leaf, Spot};
use super::parse::{NodeId, Tree, Val};
use super::schema::{Kind, Schema};
use super::JsonLoaded;

/// Most values named in one list (the rest are counted).
const MAX_VALUES: usize = 4;
/// Longest value shown, in characters.
const MAX_TEXT: usize = 48;
/// Most changed keywords named for a whole-schema difference.
const MAX_KEYWORDS: usize = 3;

/// One side of a difference: the loaded snapshot and the spot.
#[derive(Clone, Copy)]
pub(super) struct Side<'a> {
    pub loaded: &'a JsonLoaded,
    pub spot: &'a Spot,
}

impl<'a> Side<'a> {
    fn schema(&self) -> Option<&'a Schema> {
        self.loaded.schemas.get(self.spot.at.id as usize)
    }
    fn tree(&self) -> Option<&'a Tree> {
        let s = self.schema()?;
        self.loaded.trees.get(s.doc as usize)?.as_ref()
    }
    /// The schema's own JSON value.
    fn node(&self) -> Option<(&'a Tree, NodeId)> {
        Some((self.tree()?, self.schema()?.node))
    }
    /// The value of keyword `kw` of the schema.
    fn kw(&self, kw: &str) -> Option<(&'a Tree, NodeId)> {
        let (t, n) = self.node()?;
        Some((t, t.get(n, kw)?))
    }
}

type Value<'a> = (&'a Tree, NodeId);

/// A value as shown in a message: strings bare, anything else as compact JSON as written (integral numbers
/// without `.0`), shortened.
fn show((t, n): Value) -> String {
    let text = match &t.node(n).val {
        Val::Str(s) => s.to_string(),
        _ => {
            let mut out = String::new();
            compact(t, n, &mut out);
            out
        }
    };
    shorten(&text)
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Compact JSON of a value, in written order; stops once long enough to be shortened (the recursion is
/// bounded by the document depth, itself bounded when parsing).
fn compact(t: &Tree, n: NodeId, out: &mut String) {
    if out.len() > MAX_TEXT {
        return;
    }
    match &t.node(n).val {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(x) => out.push_str(&number(*x)),
        Val::Str(s) => out.push_str(&serde_json::to_string(&**s).unwrap_or_default()),
        Val::Arr(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                compact(t, *it, out);
            }
            out.push(']');
        }
        Val::Obj(members) => {
            out.push('{');
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::to_string(&*m.key).unwrap_or_default());
                out.push_str(": ");
                compact(t, m.val, out);
            }
            out.push('}');
        }
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_TEXT - 1).collect();
    out.push('…');
    out
}

fn quoted(v: Value) -> String {
    format!("`{}`", show(v))
}

/// Up to [`MAX_VALUES`] values in backticks, then how many more.
fn list(values: &[String]) -> String {
    let mut text = values
        .iter()
        .take(MAX_VALUES)
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > MAX_VALUES {
        text.push_str(&format!(" and {} more", values.len() - MAX_VALUES));
    }
    text
}

/// The elements of an array value, by canonical text, with how each is shown.
fn elements((t, n): Value) -> Option<Vec<(String, String)>> {
    match &t.node(n).val {
        Val::Arr(items) => Some(
            items
                .iter()
                .map(|&i| (t.canonical_string(i), show((t, i))))
                .collect(),
        ),
        _ => None,
    }
}

/// `kw` was old, now new; for two arrays, the values lost and gained.
fn value_change(kw: &str, old: Option<Value>, new: Option<Value>) -> Option<String> {
    match (old, new) {
        (Some(a), Some(b)) => {
            if let (Some(ea), Some(eb)) = (elements(a), elements(b)) {
                let ka: HashSet<&str> = ea.iter().map(|(k, _)| k.as_str()).collect();
                let kb: HashSet<&str> = eb.iter().map(|(k, _)| k.as_str()).collect();
                let lost: Vec<String> = ea
                    .iter()
                    .filter(|(k, _)| !kb.contains(k.as_str()))
                    .map(|(_, s)| s.clone())
                    .collect();
                let gained: Vec<String> = eb
                    .iter()
                    .filter(|(k, _)| !ka.contains(k.as_str()))
                    .map(|(_, s)| s.clone())
                    .collect();
                let mut parts = Vec::new();
                if !lost.is_empty() {
                    parts.push(format!("lost {}", list(&lost)));
                }
                if !gained.is_empty() {
                    parts.push(format!("gained {}", list(&gained)));
                }
                if !parts.is_empty() {
                    return Some(format!("`{kw}` {}", parts.join(", ")));
                }
            }
            let (sa, sb) = (quoted(a), quoted(b));
            if sa == sb {
                Some(format!("`{kw}` changed"))
            } else {
                Some(format!("`{kw}` was {sa}, now {sb}"))
            }
        }
        (None, Some(b)) => Some(format!("`{kw}` {} added in the new schema", quoted(b))),
        (Some(a), None) => Some(format!("`{kw}` {} removed in the new schema", quoted(a))),
        (None, None) => None,
    }
}

/// What a schema accepts, in a word or two (values in backticks): its `type` array as written, else the
/// kind everit gives it.
fn type_of(side: &Side) -> Option<String> {
    let s = side.schema()?;
    let (t, n) = side.node()?;
    let written = t.get(n, "type").map(|v| match &t.node(v).val {
        Val::Arr(items) => items
            .iter()
            .map(|&i| show((t, i)))
            .collect::<Vec<_>>()
            .join(" | "),
        _ => show((t, v)),
    });
    Some(match &s.kind {
        // A type array is read as `anyOf` of one schema per type: show the array as written.
        Kind::Combined { criterion, subs } => {
            let explicit = t.get(n, criterion.keyword()).is_some();
            let type_array = t
                .get(n, "type")
                .is_some_and(|v| matches!(t.node(v).val, Val::Arr(_)));
            match written {
                Some(w) if !explicit && type_array => format!("`{w}`"),
                // `if`/`then`/`else` beside other keywords is read as `allOf` of both.
                Some(w) if !explicit && t.get(n, "if").is_some() => {
                    format!("`{w}` with `if`/`then`/`else`")
                }
                _ => format!("`{}` of {}", criterion.keyword(), plural(subs.len())),
            }
        }
        Kind::Empty | Kind::True | Kind::Ref { target: None, .. } => "any value".into(),
        Kind::False => "`false` (no value)".into(),
        Kind::Null => "`null`".into(),
        Kind::Boolean => "`boolean`".into(),
        Kind::String { .. } => "`string`".into(),
        Kind::Number { integer: true, .. } => "`integer`".into(),
        Kind::Number { .. } => "`number`".into(),
        Kind::Enum(_) => "an `enum`".into(),
        Kind::Const(_) => "a `const`".into(),
        Kind::Not(_) => "a `not`".into(),
        Kind::Object(_) => "`object`".into(),
        Kind::Array(_) => "`array`".into(),
        Kind::Conditional => "`if`/`then`/`else`".into(),
        Kind::Ref { reference, .. } => format!("`$ref` `{reference}`"),
    })
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 subschema".into()
    } else {
        format!("{n} subschemas")
    }
}

/// A combined schema as `anyOf` of 3 subschemas; any other schema by its type.
fn combination_of(side: &Side) -> Option<String> {
    match &side.schema()?.kind {
        Kind::Combined { criterion, subs } => Some(format!(
            "`{}` of {}",
            criterion.keyword(),
            plural(subs.len())
        )),
        _ => type_of(side),
    }
}

/// The keywords whose values differ between two schema objects, each described.
fn keyword_changes(old: &Side, new: &Side) -> Option<String> {
    let ((to, no), (tn, nn)) = (old.node()?, new.node()?);
    let (Val::Obj(mo), Val::Obj(mn)) = (&to.node(no).val, &tn.node(nn).val) else {
        return None;
    };
    let mut keys: Vec<&str> = mo.iter().map(|m| &*m.key).collect();
    keys.extend(
        mn.iter()
            .map(|m| &*m.key)
            .filter(|k| mo.iter().all(|m| &*m.key != *k)),
    );
    let changes: Vec<String> = keys
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (to.get(no, k), tn.get(nn, k));
            let same = match (a, b) {
                (Some(a), Some(b)) => to.canonical_string(a) == tn.canonical_string(b),
                _ => false,
            };
            if same {
                return None;
            }
            value_change(k, a.map(|a| (to, a)), b.map(|b| (tn, b)))
        })
        .collect();
    if changes.is_empty() {
        return None;
    }
    let mut text = changes
        .iter()
        .take(MAX_KEYWORDS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if changes.len() > MAX_KEYWORDS {
        text.push_str(&format!("; and {} more", changes.len() - MAX_KEYWORDS));
    }
    Some(text)
}

/// The concrete change behind `leaf`, or `None` when the path already says all (a property added). `path`
/// is the leaf's full path; `old` and `new` are its spots on the old and new schema.
pub(super) fn detail<'a>(
    leaf: &Leaf,
    path: &[String],
    old: Option<Side<'a>>,
    new: Option<Side<'a>>,
    forward: bool,
) -> Option<String> {
    let id = leaf.ty.id;
    // Rule names speak of the reader (the update): under FORWARD the old schema, so an "added" member is
    // one the new schema removed. Messages speak of old → new.
    let added = id.contains("ADDED") != forward;
    let verb = if added { "added" } else { "removed" };
    let last = path.last().map(String::as_str).unwrap_or("");
    let parent = path
        .len()
        .checked_sub(2)
        .map(|i| path[i].as_str())
        .unwrap_or("");
    match id {
        "TYPE_CHANGED" | "TYPE_EXTENDED" | "TYPE_NARROWED" => {
            let (o, n) = (type_of(&old?)?, type_of(&new?)?);
            Some(format!("type was {o}, now {n}"))
        }
        "COMBINED_TYPE_CHANGED"
        | "COMBINED_TYPE_EXTENDED"
        | "SUM_TYPE_EXTENDED"
        | "SUM_TYPE_NARROWED"
        | "PRODUCT_TYPE_EXTENDED"
        | "PRODUCT_TYPE_NARROWED" => {
            let (o, n) = (combination_of(&old?)?, combination_of(&new?)?);
            Some(format!("was {o}, now {n}"))
        }
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED" => {
            let (o, n) = (old?, new?);
            let changes = keyword_changes(&o, &n).or_else(|| {
                Some(format!(
                    "the subschemas of {} and {} cannot all be paired compatibly",
                    combination_of(&o)?,
                    combination_of(&n)?
                ))
            });
            // Which subschema found no partner: the original's side is the old schema unless read forward.
            let lonely = leaf.unmatched.as_ref().and_then(|spot| {
                let (mine, other, mine_word, other_word) = if spot.at.side == o.spot.at.side {
                    (o, n, "old", "new")
                } else {
                    (n, o, "new", "old")
                };
                let side = Side {
                    loaded: mine.loaded,
                    spot,
                };
                let (t, node) = side.node()?;
                let kw = |s: &Side| match &s.schema()?.kind {
                    Kind::Combined { criterion, .. } => Some(criterion.keyword()),
                    _ => None,
                };
                Some(format!(
                    "no subschema of the {other_word} `{}` is compatible with `{}` of the {mine_word} `{}`",
                    kw(&other)?,
                    show((t, node)),
                    kw(&mine)?
                ))
            });
            match (changes, lonely) {
                (Some(c), Some(l)) => Some(format!("{c}; {l}")),
                (c, l) => c.or(l),
            }
        }
        "REQUIRED_ATTRIBUTE_ADDED"
        | "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
        | "REQUIRED_ATTRIBUTE_REMOVED" => Some(if added {
            format!("property `{last}` is required in the new schema")
        } else {
            format!("property `{last}` is no longer required in the new schema")
        }),
        "DEPENDENCY_ARRAY_ADDED"
        | "DEPENDENCY_ARRAY_REMOVED"
        | "DEPENDENCY_ARRAY_EXTENDED"
        | "DEPENDENCY_ARRAY_NARROWED"
        | "DEPENDENCY_ARRAY_CHANGED" => {
            let at = |s: Option<Side<'a>>| -> Option<Value<'a>> {
                let s = s?;
                ["dependencies", "dependentRequired"].iter().find_map(|kw| {
                    let (t, d) = s.kw(kw)?;
                    Some((t, t.get(d, last)?))
                })
            };
            value_change(&format!("dependencies/{last}"), at(old), at(new))
        }
        "DEPENDENCY_SCHEMA_ADDED" | "DEPENDENCY_SCHEMA_REMOVED" => Some(format!(
            "the schema dependency on `{last}` was {verb} in the new schema"
        )),
        _ if parent == "properties" && id.contains("PROPERTY") => {
            Some(format!("property `{last}` {verb} in the new schema"))
        }
        _ if id.contains("ITEM_") && last.starts_with("items/") => {
            let pos = last.trim_start_matches("items/");
            Some(format!("tuple item {pos} {verb} in the new schema"))
        }
        "SCHEMA_ADDED" | "SCHEMA_REMOVED" => {
            // The side that has the subschema points at it; the other at the schema that lacks it.
            let holder = if added { new? } else { old? };
            Some(format!(
                "`{last}` {} {verb} in the new schema",
                quoted(holder.node()?)
            ))
        }
        _ => {
            // A keyword-level difference: the keyword is named by a spot, else ends the path.
            let kw = [&old, &new]
                .into_iter()
                .flatten()
                .find_map(|s| s.spot.kw.clone())
                .unwrap_or_else(|| last.to_string());
            let value = |s: Option<Side<'a>>| -> Option<Value<'a>> {
                let s = s?;
                s.kw(&kw)
                    .or_else(|| (kw == "$id").then(|| s.kw("id")).flatten())
            };
            value_change(&kw, value(old), value(new))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::jsonschema::parse::parse_json;

    fn val<'a>(tree: &'a Tree, kw: &str) -> Option<(&'a Tree, NodeId)> {
        Some((tree, tree.get(tree.root, kw)?))
    }

    #[test]
    fn values_lost_and_gained_are_named_and_capped() {
        let old = parse_json(r#"{"enum": ["a", "b", "c", "d", "e", "f", 1]}"#).expect("test input");
        let new = parse_json(r#"{"enum": ["a", "z", {"k": 2}]}"#).expect("test input");
        assert_eq!(
            value_change("enum", val(&old, "enum"), val(&new, "enum")).as_deref(),
            Some("`enum` lost `b`, `c`, `d`, `e` and 2 more, gained `z`, `{\"k\": 2}`")
        );
        let narrowed = parse_json(r#"{"enum": ["a"]}"#).expect("test input");
        assert_eq!(
            value_change("enum", val(&old, "enum"), val(&narrowed, "enum")).as_deref(),
            Some("`enum` lost `b`, `c`, `d`, `e` and 2 more")
        );
    }

    #[test]
    fn scalars_show_old_to_new_as_written() {
        let old = parse_json(r#"{"maxLength": 10, "pattern": "^a", "maximum": 2.5}"#)
            .expect("test input");
        let new = parse_json(r#"{"maxLength": 5}"#).expect("test input");
        assert_eq!(
            value_change("maxLength", val(&old, "maxLength"), val(&new, "maxLength")).as_deref(),
            Some("`maxLength` was `10`, now `5`")
        );
        assert_eq!(
            value_change("pattern", val(&old, "pattern"), None).as_deref(),
            Some("`pattern` `^a` removed in the new schema")
        );
        assert_eq!(
            value_change("maximum", None, val(&old, "maximum")).as_deref(),
            Some("`maximum` `2.5` added in the new schema")
        );
        assert_eq!(value_change("x", None, None), None);
    }

    #[test]
    fn long_values_are_shortened() {
        let long = format!(r#"{{"description": "{}"}}"#, "x".repeat(200));
        let t = parse_json(&long).expect("test input");
        let shown = show((&t, t.get(t.root, "description").expect("member")));
        assert_eq!(shown.chars().count(), MAX_TEXT);
        assert!(shown.ends_with('…'));
        let nested = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let t = parse_json(&nested).expect("test input");
        assert!(show((&t, t.root)).chars().count() <= MAX_TEXT);
    }
}
