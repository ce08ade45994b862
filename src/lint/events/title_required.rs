//! TITLE_REQUIRED: a JSON Schema has no top-level `title`.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static TITLE_REQUIRED: LintRule = LintRule {
    rule: Rule {
        id: "TITLE_REQUIRED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::JsonSchema],
        summary:
            "a JSON Schema has no top-level `title` (the record name under RecordNameStrategy)",
        doc: crate::rule_doc!("TITLE_REQUIRED"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let (Some(j), Some(t)) = (&ctx.schema.json, ctx.schema.top()) else {
        return;
    };
    if j.title.as_deref().is_none_or(|s| s.trim().is_empty()) {
        out.push(
            Finding::new(&TITLE_REQUIRED.rule, t.full_name.clone(), format!("schema `{}` has no `title`", ctx.schema.file.path))
                .help("add `\"title\": \"OrderPlaced\"`: Confluent's RecordNameStrategy and TopicRecordNameStrategy take the record name from the title, and generated classes are named after it")
                .format(Format::JsonSchema)
                .at_new(ctx.schema.location(j.root_span.clone(), "")),
        );
    }
}
