//! Inline ignores: the one way a schema file says "this rule does not apply to this element, because …", shared
//! by every kind of rule (compatibility, breaking, lint). An ignore is `(file, scope, rule id, reason)`: a finding
//! of that rule whose new or old location lies inside the scope, in that file (same path, same text), is dropped.
//!
//! How an ignore is written is the format's business; what it means is decided here, once:
//! - Avro and JSON Schema: the property [`PROPERTY`] on the object it applies to, whose value maps rule ids to
//!   reasons: `"x-schemaguard-ignore": {"TYPE_MISMATCH": "every writer moved to int in v3"}`. Avro keeps unknown
//!   properties as custom properties and JSON Schema validators skip unknown keywords, so registries store it
//!   and readers ignore it. Its scope is that object (on the top-level object: the whole file).
//!   [`from_json_object`] turns one such property into ignores.
//! - Protobuf: `// schemaguard:ignore RULE_ID reason` comments, resolved to elements by the Protobuf compiler
//!   (`formats/protobuf`); [`check_comment_ids`] gives the same warnings for their ids.
//!
//! A format hands its ignores to the pipeline through `Loaded::ignores`; `snapshot::compare` drops the findings
//! they cover (`Ignores::retain`). Rules that run elsewhere (lint) filter their findings the same way. Problems
//! with an ignore itself (an unknown rule id, no reason, a malformed value) are `INVALID_IGNORE` warnings; the
//! valid entries still apply. Input rules (`PARSE_ERROR`, `READ_ERROR`) cannot be ignored. Nothing here parses
//! files or prints.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::{Category, Finding, Format, Location};
use crate::rules::{self, Rule, INVALID_IGNORE};
use crate::source::SourceFile;

/// The property that carries inline ignores in the JSON-based formats (Avro, JSON Schema).
pub const PROPERTY: &str = "x-schemaguard-ignore";

/// One inline ignore: findings of `rule` located inside `scope` of `file` are dropped.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub rule: &'static Rule,
    pub reason: Option<String>,
    pub file: Arc<SourceFile>,
    /// Byte span of the element the ignore is attached to; everything inside it is covered.
    pub scope: Range<usize>,
}

/// The inline ignores of one or more snapshots, by file.
#[derive(Debug, Clone, Default)]
pub struct Ignores {
    by_file: HashMap<String, Vec<Ignore>>,
}

impl Ignores {
    pub fn push(&mut self, ig: Ignore) {
        self.by_file
            .entry(ig.file.shown.clone())
            .or_default()
            .push(ig);
    }

    pub fn extend(&mut self, other: &Ignores) {
        for ig in other.by_file.values().flatten() {
            self.push(ig.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_file.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Ignore> {
        self.by_file.values().flatten()
    }

    /// Whether some ignore covers `f`: same rule, and the finding's new or old location ends inside the ignore's
    /// scope in the same file (same path and same text, so an ignore in one revision does not cover a different
    /// text at the same offsets). Input findings are never covered.
    pub fn suppresses(&self, f: &Finding) -> bool {
        if f.rule.category == Category::Input || self.by_file.is_empty() {
            return false;
        }
        [&f.new, &f.old]
            .into_iter()
            .flatten()
            .any(|l| self.covers(f.rule, l))
    }

    fn covers(&self, rule: &Rule, l: &Location) -> bool {
        let Some(list) = self.by_file.get(&l.file.shown) else {
            return false;
        };
        list.iter().any(|ig| {
            // The location ends inside the scope: an element located together with its key (`"amount": {…}`)
            // starts before the object that holds the ignore and is still that element.
            ig.rule.id == rule.id
                && ig.scope.start < l.span.end.max(l.span.start + 1)
                && l.span.end <= ig.scope.end
                && (Arc::ptr_eq(&ig.file.text, &l.file.text) || ig.file.text == l.file.text)
        })
    }

    /// Drops the findings some ignore covers.
    pub fn retain(&self, findings: &mut Vec<Finding>) {
        if !self.is_empty() {
            findings.retain(|f| !self.suppresses(f));
        }
    }
}

/// A scalar or other value of one ignore entry, as the format's parser saw it.
#[derive(Debug, Clone, Copy)]
pub enum EntryValue<'a> {
    Str(&'a str),
    /// Anything else (a number, an object, …): not a reason.
    Other,
}

/// The value of one [`PROPERTY`] as the format's parser saw it.
#[derive(Debug, Clone)]
pub enum DirectiveValue<'a> {
    /// An object: (rule id, span of the key, value, span of the value) per member.
    Object(Vec<(&'a str, Range<usize>, EntryValue<'a>, Range<usize>)>),
    /// Anything else, with its span.
    Other(Range<usize>),
}

/// Reads one [`PROPERTY`] found on the object spanning `scope` of `file`: known rule ids become ignores in `out`,
/// problems become `INVALID_IGNORE` warnings in `warnings`.
pub fn from_json_object(
    file: &Arc<SourceFile>,
    format: Format,
    scope: Range<usize>,
    value: DirectiveValue<'_>,
    out: &mut Ignores,
    warnings: &mut Vec<Finding>,
) {
    let entries = match value {
        DirectiveValue::Object(entries) => entries,
        DirectiveValue::Other(span) => {
            warnings.push(invalid(
                file,
                format,
                span,
                format!("`{PROPERTY}` must be an object mapping rule ids to reasons"),
                format!(
                    "write `\"{PROPERTY}\": {{\"RULE_ID\": \"why this finding does not apply\"}}`"
                ),
            ));
            return;
        }
    };
    if entries.is_empty() {
        warnings.push(invalid(
            file,
            format,
            scope.start..scope.start,
            format!("`{PROPERTY}` names no rule"),
            "name the rule ids to ignore, each with a reason, or remove the property".into(),
        ));
    }
    for (id, key_span, reason, value_span) in entries {
        let Some(rule) = known_rule(file, format, id, key_span.clone(), warnings) else {
            continue;
        };
        let reason = match reason {
            EntryValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => {
                warnings.push(invalid(
                    file,
                    format,
                    value_span,
                    format!("the ignore of `{}` gives no reason", rule.id),
                    format!(
                        "say why the finding does not apply: `\"{}\": \"consumers moved to v2 in #123\"`",
                        rule.id
                    ),
                ));
                None
            }
        };
        out.push(Ignore {
            rule,
            reason,
            file: Arc::clone(file),
            scope: scope.clone(),
        });
    }
}

/// Checks the rule ids of an ignore written elsewhere (a Protobuf comment): `ids` are (id, span, whether the
/// directive gives a reason). The same warnings as [`from_json_object`]: unknown or input rule ids, no reason.
pub fn check_comment_ids(
    file: &Arc<SourceFile>,
    format: Format,
    ids: &[(String, Range<usize>, bool)],
) -> Vec<Finding> {
    let mut warnings = Vec::new();
    for (id, span, has_reason) in ids {
        let Some(rule) = known_rule(file, format, id, span.clone(), &mut warnings) else {
            continue;
        };
        if !has_reason {
            warnings.push(invalid(
                file,
                format,
                span.clone(),
                format!("the ignore of `{}` gives no reason", rule.id),
                format!(
                    "say why the finding does not apply: `// schemaguard:ignore {} consumers moved to v2 in #123`",
                    rule.id
                ),
            ));
        }
    }
    warnings
}

/// The declared rule `id` names, or a warning saying why it cannot be ignored.
fn known_rule(
    file: &Arc<SourceFile>,
    format: Format,
    id: &str,
    span: Range<usize>,
    warnings: &mut Vec<Finding>,
) -> Option<&'static Rule> {
    match rules::find(id) {
        Some(rule) if rule.category == Category::Input => {
            warnings.push(invalid(
                file,
                format,
                span,
                format!(
                    "`{}` cannot be ignored: it reports a file that could not be checked",
                    rule.id
                ),
                "fix the file instead, or `exclude` it in schemaguard.toml".into(),
            ));
            None
        }
        Some(rule) => Some(rule),
        None => {
            warnings.push(invalid(
                file,
                format,
                span,
                format!(
                    "the ignore names the unknown rule id `{id}`{}, so it ignores nothing",
                    rules::did_you_mean(id)
                ),
                "use a rule id from `schemaguard rules`".into(),
            ));
            None
        }
    }
}

fn invalid(
    file: &Arc<SourceFile>,
    format: Format,
    span: Range<usize>,
    message: String,
    help: String,
) -> Finding {
    Finding::new(&INVALID_IGNORE, file.path.clone(), message)
        .help(help)
        .format(format)
        .at_new(Location::new(file, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Arc<SourceFile> {
        SourceFile::new("a.avsc", None, "0123456789abcdef")
    }

    #[test]
    fn covers_findings_inside_the_scope_only() {
        let f = file();
        let mut ig = Ignores::default();
        let mut warnings = Vec::new();
        from_json_object(
            &f,
            Format::Avro,
            2..10,
            DirectiveValue::Object(vec![
                ("TYPE_MISMATCH", 3..4, EntryValue::Str("moved"), 5..6),
                ("TYPE_MISMATC", 3..4, EntryValue::Str("typo"), 5..6),
                ("NAME_MISMATCH", 3..4, EntryValue::Other, 5..6),
                ("PARSE_ERROR", 3..4, EntryValue::Str("no"), 5..6),
            ]),
            &mut ig,
            &mut warnings,
        );
        let msgs: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(warnings.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("did you mean `TYPE_MISMATCH`"), "{msgs:?}");
        let finding =
            |rule, span: Range<usize>| Finding::new(rule, "s", "m").at_new(Location::new(&f, span));
        let tm = crate::rules::find("TYPE_MISMATCH").expect("declared");
        let nm = crate::rules::find("NAME_MISMATCH").expect("declared");
        assert!(ig.suppresses(&finding(tm, 4..6)));
        assert!(!ig.suppresses(&finding(tm, 9..11)), "outside the scope");
        assert!(
            ig.suppresses(&finding(nm, 4..6)),
            "no reason: warned, still applies"
        );
        let other_text = SourceFile::new("a.avsc", None, "something else entirely");
        let elsewhere = Finding::new(tm, "s", "m").at_new(Location::new(&other_text, 4..6));
        assert!(!ig.suppresses(&elsewhere), "another text of the same path");
    }
}
