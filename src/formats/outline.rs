//! What a schema says to a person reading it, format-neutral: its types, their fields (name, type as written,
//! doc, tags), enum symbols, and the type names it defines and uses (so a catalog can show references in both
//! directions). Each format fills it in from one file's text (`Engine::outline`); the catalog renders it.
//! Nothing here checks compatibility, and an outline is best effort: a file that does not parse has none.

use serde::Serialize;

/// One schema file, as a reader sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outline {
    /// Doc of the schema as a whole (Avro: the top-level type's `doc`; Protobuf: the comment on `package`;
    /// JSON Schema: `description` of the root).
    pub doc: Option<String>,
    /// Namespace or package, when the format has one.
    pub namespace: Option<String>,
    /// Types declared in the file, the main one first.
    pub types: Vec<TypeOutline>,
    /// Names of the types this file declares (full names; JSON Schema: its path and `$id`).
    pub defines: Vec<String>,
    /// Types this file refers to, as written, with the scope they are resolved in.
    pub uses: Vec<TypeUse>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TypeOutline {
    /// Full name (Avro, Protobuf) or a JSON pointer / title (JSON Schema).
    pub name: String,
    /// `record`, `enum`, `fixed`, `message`, `object`, `service`, …
    pub kind: String,
    pub doc: Option<String>,
    pub tags: Vec<String>,
    pub fields: Vec<FieldOutline>,
    /// Enum symbols (with their numbers for Protobuf).
    pub symbols: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FieldOutline {
    /// Name, dotted for fields of inline nested types (`address.street`).
    pub name: String,
    /// Type as a reader would write it (`null | string`, `array<Item>`, `repeated Money`, `long (timestamp-millis)`).
    pub ty: String,
    pub doc: Option<String>,
    pub tags: Vec<String>,
    /// Protobuf field number.
    pub number: Option<i32>,
    /// Default value as written (Avro `default`, JSON Schema `default`).
    pub default: Option<String>,
    /// JSON Schema `required`, Protobuf `required` label; `None` when the format has no such notion.
    pub required: Option<bool>,
}

/// A reference to a type by name. `scope` is the dotted scope the name is resolved in (Protobuf: the enclosing
/// message or package; empty when `name` is already absolute).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TypeUse {
    pub scope: String,
    pub name: String,
}

impl TypeUse {
    pub fn absolute(name: impl Into<String>) -> Self {
        TypeUse {
            scope: String::new(),
            name: name.into(),
        }
    }

    /// Candidates in protobuf's lookup order: innermost scope first, then each enclosing one, then the bare name.
    /// A leading dot makes the name absolute.
    pub fn candidates(&self) -> Vec<String> {
        if let Some(abs) = self.name.strip_prefix('.') {
            return vec![abs.to_string()];
        }
        let mut out = Vec::new();
        let mut scope = self.scope.as_str();
        while !scope.is_empty() {
            out.push(format!("{scope}.{}", self.name));
            scope = scope.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
        }
        out.push(self.name.clone());
        out
    }
}

/// Whether a tag marks personal or sensitive data (Confluent's conventional `PII` and `SENSITIVE` tags).
pub fn is_pii_tag(tag: &str) -> bool {
    let t = tag.trim().to_ascii_uppercase();
    t == "PII" || t == "SENSITIVE" || t == "GDPR" || t == "PERSONAL"
}

/// Trims a doc or comment: leading/trailing blank lines and the common one-space indent of `//` comments.
pub fn clean_doc(s: &str) -> Option<String> {
    let lines: Vec<&str> = s
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protobuf_lookup_order() {
        let u = TypeUse {
            scope: "acme.v1.Order".into(),
            name: "Money".into(),
        };
        assert_eq!(
            u.candidates(),
            vec![
                "acme.v1.Order.Money",
                "acme.v1.Money",
                "acme.Money",
                "Money"
            ]
        );
        assert_eq!(
            TypeUse::absolute(".a.B").candidates(),
            vec!["a.B".to_string()]
        );
    }

    #[test]
    fn docs_are_trimmed() {
        assert_eq!(clean_doc(" one\n two\n").as_deref(), Some("one\ntwo"));
        assert_eq!(clean_doc("  \n"), None);
    }
}
