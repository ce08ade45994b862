//! CONTRACT_RULESET_VALID: a data-contract `ruleSet` breaks the registry's `RuleSet.validate` (names unique,
//! ≤ 256 characters, allowed characters; `type` present; mode allowed for its list; action pairs only for
//! WRITEREAD / UPDOWN), a `DLQ` action has no `dlq.topic`, or a rule selects tags no field carries.

use std::collections::BTreeSet;

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static CONTRACT_RULESET_VALID: LintRule = LintRule {
    rule: Rule {
        id: "CONTRACT_RULESET_VALID",
        category: Category::Lint,
        severity: Severity::Error,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a data-contract `ruleSet` would be rejected by the registry (42210) or selects tags no field has",
        doc: crate::rule_doc!("CONTRACT_RULESET_VALID"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(c) = ctx.contract else { return };
    if c.at(&["ruleSet"]).is_none() {
        return;
    }
    let subject = ctx
        .schema
        .top()
        .map(|t| t.full_name.clone())
        .unwrap_or_else(|| ctx.schema.file.path.clone());
    let mut report = |node, pointer: String, message: String, help: &str| {
        out.push(
            Finding::new(&CONTRACT_RULESET_VALID.rule, subject.clone(), message)
                .help(help.to_string())
                .format(ctx.schema.format)
                .at_new(c.location(node, &pointer)),
        );
    };
    // Tags present in the schema: inline on fields and types, and in metadata.tags.
    let mut known: BTreeSet<String> = BTreeSet::new();
    for t in &ctx.schema.types {
        known.extend(t.tags.iter().cloned());
        for f in &t.fields {
            known.extend(f.tags.iter().cloned());
        }
    }
    for (_, tags) in c.tag_globs() {
        known.extend(tags);
    }
    // The one validation, shared with `registry plan|apply` (crate::sidecar).
    for p in c.rule_set_problems(Some(&known)) {
        report(p.node, p.pointer, p.message, &p.help);
    }
}
