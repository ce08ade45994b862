//! SCHEMA_DIALECT_REQUIRED: a JSON Schema does not declare its dialect with `$schema`.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static SCHEMA_DIALECT_REQUIRED: LintRule = LintRule {
    rule: Rule {
        id: "SCHEMA_DIALECT_REQUIRED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::JsonSchema],
        summary: "a JSON Schema does not declare its dialect with `$schema`",
        doc: crate::rule_doc!("SCHEMA_DIALECT_REQUIRED"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let (Some(j), Some(t)) = (&ctx.schema.json, ctx.schema.top()) else {
        return;
    };
    if j.dialect.is_none() {
        out.push(
            Finding::new(&SCHEMA_DIALECT_REQUIRED.rule, t.full_name.clone(), format!("schema `{}` declares no `$schema`", t.full_name))
                .help("add `\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"` (or the draft you write): keywords such as `items`, `dependencies` and `$ref` siblings mean different things in different drafts, and the registry and validators otherwise guess")
                .format(Format::JsonSchema)
                .at_new(ctx.schema.location(j.root_span.clone(), "")),
        );
    }
}
