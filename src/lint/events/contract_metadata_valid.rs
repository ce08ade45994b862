//! CONTRACT_METADATA_VALID: the `metadata` of a schema's data-contract sidecar is not what the registry accepts
//! (an unreadable file, properties that are not strings, tags that are not lists of strings, `sensitive` naming
//! no property).

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::formats::jsonschema::parse::Val;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static CONTRACT_METADATA_VALID: LintRule = LintRule {
    rule: Rule {
        id: "CONTRACT_METADATA_VALID",
        category: Category::Lint,
        severity: Severity::Error,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a data-contract sidecar's `metadata` is malformed (the registry would reject or misread it)",
        doc: crate::rule_doc!("CONTRACT_METADATA_VALID"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(c) = ctx.contract else { return };
    let subject = ctx
        .schema
        .top()
        .map(|t| t.full_name.clone())
        .unwrap_or_else(|| ctx.schema.file.path.clone());
    let mut report = |node, pointer: &str, message: String, help: &str| {
        out.push(
            Finding::new(&CONTRACT_METADATA_VALID.rule, subject.clone(), message)
                .help(help.to_string())
                .format(ctx.schema.format)
                .at_new(c.location(node, pointer)),
        );
    };
    if let Some((msg, span)) = &c.error {
        out.push(
            Finding::new(
                &CONTRACT_METADATA_VALID.rule,
                subject.clone(),
                format!("data contract `{}` cannot be read: {msg}", c.file.path),
            )
            .help("fix the YAML/JSON syntax; the sidecar holds the `metadata` and `ruleSet` registered with the schema")
            .format(ctx.schema.format)
            .at_new(crate::finding::Location::new(&c.file, span.clone()).with_pointer("")),
        );
        return;
    }
    let Some((tree, root)) = c.at(&[]) else {
        return;
    };
    if !matches!(tree.node(root).val, Val::Obj(_)) {
        report(
            Some(root),
            "",
            format!("data contract `{}` is not an object", c.file.path),
            "write `metadata:` and `ruleSet:` keys at the top level",
        );
        return;
    }
    let Some((_, meta)) = c.at(&["metadata"]) else {
        return;
    };
    let Val::Obj(members) = &tree.node(meta).val else {
        report(
            Some(meta),
            "/metadata",
            "`metadata` is not an object".into(),
            "write `metadata: {properties: {…}, tags: {…}, sensitive: […]}`",
        );
        return;
    };
    let mut keys: Vec<String> = Vec::new();
    for m in members {
        let p = format!("/metadata/{}", m.key);
        match &*m.key {
            "properties" => match &tree.node(m.val).val {
                Val::Obj(props) => {
                    for pr in props {
                        keys.push(pr.key.to_string());
                        if !matches!(tree.node(pr.val).val, Val::Str(_)) {
                            report(Some(pr.val), &format!("{p}/{}", pr.key), format!("metadata property `{}` is not a string", pr.key), "quote the value: the registry stores properties as a map of strings (SortedMap<String, String>)");
                        }
                    }
                }
                _ => report(
                    Some(m.val),
                    &p,
                    "`metadata.properties` is not an object".into(),
                    "write `properties: {owner: team-orders}`",
                ),
            },
            "tags" => match &tree.node(m.val).val {
                Val::Obj(tags) => {
                    for tg in tags {
                        let ok = match &tree.node(tg.val).val {
                            Val::Arr(items) => items.iter().all(|i| tree.str_of(*i).is_some()),
                            _ => false,
                        };
                        if !ok {
                            report(Some(tg.val), &format!("{p}/{}", tg.key), format!("metadata tags of `{}` are not a list of strings", tg.key), "write `tags: {\"**.email\": [PII]}`: a path glob mapped to a list of tag names");
                        }
                    }
                }
                _ => report(
                    Some(m.val),
                    &p,
                    "`metadata.tags` is not an object".into(),
                    "write `tags: {\"**.email\": [PII]}`",
                ),
            },
            "sensitive" => {}
            other => report(
                Some(m.val),
                &p,
                format!("unknown metadata key `{other}`"),
                "Confluent metadata has `properties`, `tags` and `sensitive` only",
            ),
        }
    }
    if let Some((_, s)) = c.at(&["metadata", "sensitive"]) {
        match &tree.node(s).val {
            Val::Arr(items) => {
                for (i, it) in items.iter().enumerate() {
                    match tree.str_of(*it) {
                        Some(k) if keys.iter().any(|x| x == k) => {}
                        Some(k) => report(
                            Some(*it),
                            &format!("/metadata/sensitive/{i}"),
                            format!("`sensitive` names `{k}`, which is not a metadata property"),
                            "list only keys of `metadata.properties` whose values are secrets",
                        ),
                        None => report(
                            Some(*it),
                            &format!("/metadata/sensitive/{i}"),
                            "`sensitive` entry is not a string".into(),
                            "list property names",
                        ),
                    }
                }
            }
            _ => report(
                Some(s),
                "/metadata/sensitive",
                "`metadata.sensitive` is not a list".into(),
                "write `sensitive: [api_key]`",
            ),
        }
    }
}
