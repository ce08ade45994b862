//! CONTRACT_METADATA_VALID: the `metadata` of a schema's data-contract sidecar is not what the registry accepts
//! (an unreadable file, properties that are not strings, tags that are not lists of strings, `sensitive` naming
//! no property).

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
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
    // The one validation, shared with `registry plan|apply` (crate::sidecar).
    for p in c.metadata_problems() {
        report(p.node, &p.pointer, p.message, &p.help);
    }
}
