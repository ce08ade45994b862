//! ADDITIONAL_PROPERTIES_EXPLICIT: an object of a JSON Schema event does not state `additionalProperties`.

use super::{Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static ADDITIONAL_PROPERTIES_EXPLICIT: LintRule = LintRule {
    rule: Rule {
        id: "ADDITIONAL_PROPERTIES_EXPLICIT",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::JsonSchema],
        summary: "an object of a JSON Schema event leaves `additionalProperties` unstated (open or closed content model by accident)",
        doc: crate::rule_doc!("ADDITIONAL_PROPERTIES_EXPLICIT"),
    },
    groups: &[EVENTS, STRICT],
    options: &[],
    events_only: true,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(j) = &ctx.schema.json else {
        return;
    };
    for e in &ctx.events {
        for t in ctx.reachable(e) {
            if j.closed_or_open_stated.contains(&t.full_name)
                || ctx.schema.find(&t.full_name).is_none()
            {
                continue;
            }
            out.push(
                ctx.at_type(
                    &ADDITIONAL_PROPERTIES_EXPLICIT,
                    t,
                    format!("object `{}` of event `{}` does not state `additionalProperties`", t.name, e.name),
                )
                .help("write `\"additionalProperties\": false` (closed: adding a property is then a new version) or `true` (open: consumers must ignore unknown properties); Confluent's compatibility rules differ for the two, so say which you mean"),
            );
        }
    }
}
