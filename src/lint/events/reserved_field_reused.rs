//! RESERVED_FIELD_REUSED: a top-level field uses a name listed in the `confluent:reserved` metadata property.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static RESERVED_FIELD_REUSED: LintRule = LintRule {
    rule: Rule {
        id: "RESERVED_FIELD_REUSED",
        category: Category::Lint,
        severity: Severity::Error,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary:
            "a top-level field reuses a name reserved by the `confluent:reserved` metadata property",
        doc: crate::rule_doc!("RESERVED_FIELD_REUSED"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(c) = ctx.contract else { return };
    let Some(reserved) = c.property("confluent:reserved") else {
        return;
    };
    let names: Vec<&str> = reserved
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for t in ctx.schema.types.iter().filter(|t| t.top_level) {
        for f in &t.fields {
            if names.contains(&f.name.as_str()) {
                out.push(
                    ctx.at_field(
                        &RESERVED_FIELD_REUSED,
                        t,
                        f,
                        format!("field `{}` of `{}` reuses a reserved name (`confluent:reserved` in {})", f.name, t.full_name, c.file.path),
                    )
                    .help("rename the field: a reserved name belonged to a removed field, and old data or consumers still give it the old meaning; with `validateFields` the registry refuses this schema"),
                );
            }
        }
    }
}
