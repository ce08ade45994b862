//! The rule registry: every rule schemaguard can emit is declared once as a `Rule` (id, category, default
//! severity, formats, one-line summary, embedded Markdown doc). Checks report findings by naming a declared rule;
//! this module never detects anything itself. Format modules own the declarations of their rules and list them
//! in their `RULES`; `all()` is the one sorted list the CLI, the docs and the tests read.

use std::sync::OnceLock;

use crate::finding::{Category, Format, Severity};

/// Embeds `rules/<ID>.md`; a missing doc fails the build.
#[macro_export]
macro_rules! rule_doc {
    ($id:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md"))
    };
}

#[derive(Debug)]
pub struct Rule {
    /// SCREAMING_SNAKE, permanent; the reference system's own name where the semantics are theirs.
    pub id: &'static str,
    pub category: Category,
    /// Default severity; config may override it per rule.
    pub severity: Severity,
    pub formats: &'static [Format],
    /// One line, for `schemaguard rules` and SARIF's short description.
    pub summary: &'static str,
    /// The rule's Markdown document, front matter included.
    pub doc: &'static str,
}

impl Rule {
    /// The doc without its front matter.
    pub fn body(&self) -> &'static str {
        let doc = self.doc;
        if let Some(rest) = doc.strip_prefix("---\n") {
            if let Some(end) = rest.find("\n---\n") {
                return rest[end + 5..].trim_start_matches('\n');
            }
        }
        doc
    }

    /// `key: value` pairs of the front matter.
    pub fn front_matter(&self) -> Vec<(&'static str, &'static str)> {
        let Some(rest) = self.doc.strip_prefix("---\n") else {
            return Vec::new();
        };
        let Some(end) = rest.find("\n---\n") else {
            return Vec::new();
        };
        rest[..end]
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect()
    }

    /// Where the rule's document is published; also printed by `schemaguard explain`.
    pub fn doc_url(&self) -> String {
        format!("{DOCS_BASE}/{}.md", self.id)
    }
}

/// Base of the published rule documents (the `rules/` folder of the repository).
pub const DOCS_BASE: &str = "https://github.com/schemaguard/schemaguard/blob/main/rules";

pub static CHECK_LIMIT_EXCEEDED: Rule = Rule {
    id: "CHECK_LIMIT_EXCEEDED",
    category: Category::Input,
    severity: Severity::Error,
    formats: &[Format::Avro, Format::JsonSchema],
    summary:
        "a schema is too large or too deep to be compared within schemaguard's documented limits",
    doc: rule_doc!("CHECK_LIMIT_EXCEEDED"),
};

pub static PARSE_ERROR: Rule = Rule {
    id: "PARSE_ERROR",
    category: Category::Input,
    severity: Severity::Error,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "a schema file is not well-formed and cannot be checked",
    doc: rule_doc!("PARSE_ERROR"),
};

pub static READ_ERROR: Rule = Rule {
    id: "READ_ERROR",
    category: Category::Input,
    severity: Severity::Error,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "a schema file cannot be read (permissions, not UTF-8, missing at a revision)",
    doc: rule_doc!("READ_ERROR"),
};

pub static SUBJECT_DELETED: Rule = Rule {
    id: "SUBJECT_DELETED",
    category: Category::Compatibility,
    severity: Severity::Error,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "a schema present in the baseline no longer exists",
    doc: rule_doc!("SUBJECT_DELETED"),
};

pub static INVALID_IGNORE: Rule = Rule {
    id: "INVALID_IGNORE",
    category: Category::Input,
    severity: Severity::Warning,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "an inline ignore names an unknown rule id, has no reason, or is malformed",
    doc: rule_doc!("INVALID_IGNORE"),
};

pub static REGISTRY_ERROR: Rule = Rule {
    id: "REGISTRY_ERROR",
    category: Category::Input,
    severity: Severity::Error,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "the schema registry could not answer for a subject, so it was not checked against its registered versions",
    doc: rule_doc!("REGISTRY_ERROR"),
};

pub static REGISTRY_SUBJECT_NEW: Rule = Rule {
    id: "REGISTRY_SUBJECT_NEW",
    category: Category::Compatibility,
    severity: Severity::Info,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "a local schema's subject is not registered yet, so there is nothing to compare with",
    doc: rule_doc!("REGISTRY_SUBJECT_NEW"),
};

pub static REGISTRY_VERDICT_DIFFERS: Rule = Rule {
    id: "REGISTRY_VERDICT_DIFFERS",
    category: Category::Compatibility,
    severity: Severity::Warning,
    formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
    summary: "the registry's own compatibility endpoint disagrees with schemaguard's verdict (--server-check)",
    doc: rule_doc!("REGISTRY_VERDICT_DIFFERS"),
};

/// Rules owned by the pipeline itself, not by one format.
pub static CORE: &[&Rule] = &[
    &CHECK_LIMIT_EXCEEDED,
    &INVALID_IGNORE,
    &PARSE_ERROR,
    &READ_ERROR,
    &REGISTRY_ERROR,
    &REGISTRY_SUBJECT_NEW,
    &REGISTRY_VERDICT_DIFFERS,
    &SUBJECT_DELETED,
];

/// Every rule, sorted by id.
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static Rule> = CORE
            .iter()
            .chain(crate::formats::all_rules())
            .copied()
            .chain(crate::lint::all().map(|l| &l.rule))
            .chain(crate::contract::RULES.iter().copied())
            .collect();
        v.sort_by_key(|r| r.id);
        v
    })
}

pub fn find(id: &str) -> Option<&'static Rule> {
    let id = id.trim().to_ascii_uppercase();
    all().iter().copied().find(|r| r.id == id)
}

/// The declared rule whose id is closest to `id` (a typo: `TYPE_MISMATC`), if one is close enough to suggest.
pub fn suggest(id: &str) -> Option<&'static Rule> {
    let id = id.trim().to_ascii_uppercase();
    let limit = (id.chars().count() / 4).clamp(1, 3);
    all()
        .iter()
        .copied()
        .map(|r| (edit_distance(&id, r.id), r))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, r)| (*d, r.id))
        .map(|(_, r)| r)
}

/// " (did you mean `X`?)" for an unknown id, or nothing.
pub fn did_you_mean(id: &str) -> String {
    suggest(id)
        .map(|r| format!(" (did you mean `{}`?)", r.id))
        .unwrap_or_default()
}

/// The candidate a mistyped name most likely meant: one whose last dot-separated part is the name (`Order` for
/// `acme.Order`), else the closest by edit distance (case-insensitive, at most a quarter of the name's length,
/// 1–3). Ties go to the smallest name, so the suggestion is stable.
pub fn nearest_name<'a>(
    want: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let want_l = want.trim().trim_start_matches('.').to_ascii_lowercase();
    let limit = (want_l.chars().count() / 4).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let cl = c.to_ascii_lowercase();
        let d = if cl.rsplit('.').next() == Some(want_l.as_str())
            || cl.ends_with(&format!(".{want_l}"))
        {
            0
        } else {
            let whole = edit_distance(&want_l, &cl);
            let last = edit_distance(&want_l, cl.rsplit('.').next().unwrap_or(&cl));
            whole.min(last)
        };
        if d <= limit && best.is_none_or(|(bd, bn)| (d, c) < (bd, bn)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// " (did you mean `X`?)" for a mistyped name among `candidates`, or nothing.
pub fn did_you_mean_name<'a>(want: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest_name(want, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance over chars (ids are short: the quadratic table is tiny).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::nearest_name;

    #[test]
    fn suggests_the_nearest_name() {
        let names = ["acme.Order", "acme.OrderLine", "acme.v1.PaymentCaptured"];
        assert_eq!(nearest_name("Order", names), Some("acme.Order"));
        assert_eq!(
            nearest_name("PaymentCaptured", names),
            Some("acme.v1.PaymentCaptured")
        );
        assert_eq!(nearest_name("acme.Ordr", names), Some("acme.Order"));
        assert_eq!(nearest_name("ordr", names), Some("acme.Order"));
        assert_eq!(nearest_name("Shipment", names), None);
    }

    #[test]
    fn suggests_the_nearest_id() {
        assert_eq!(
            super::suggest("TYPE_MISMATC").map(|r| r.id),
            Some("TYPE_MISMATCH")
        );
        assert_eq!(
            super::suggest("type_mismatch").map(|r| r.id),
            Some("TYPE_MISMATCH")
        );
        assert!(super::suggest("SOMETHING_ELSE_ENTIRELY").is_none());
    }
}
