//! NULLABLE_DEFAULT_NULL: an optional Avro field (a union with `null`) does not list `null` first with
//! `"default": null`.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static NULLABLE_DEFAULT_NULL: LintRule = LintRule {
    rule: Rule {
        id: "NULLABLE_DEFAULT_NULL",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro],
        summary:
            "an optional Avro field does not put `null` first in its union with `\"default\": null`",
        doc: crate::rule_doc!("NULLABLE_DEFAULT_NULL"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    for t in &ctx.schema.types {
        for f in &t.fields {
            if !f.union_branches.iter().any(|b| b == "null") {
                continue;
            }
            let null_first = f.union_branches.first().is_some_and(|b| b == "null");
            let default_null = f.default.as_deref() == Some("null");
            let problem = match (null_first, f.default.as_deref()) {
                (true, None) => "has no default",
                (true, Some(_)) if !default_null => "has a non-null default",
                (false, _) => "does not list `null` first",
                _ => continue,
            };
            let branches = f.union_branches.join("\", \"");
            let others: Vec<&str> = f
                .union_branches
                .iter()
                .filter(|b| *b != "null")
                .map(String::as_str)
                .collect();
            out.push(
                ctx.at_field(
                    &NULLABLE_DEFAULT_NULL,
                    t,
                    f,
                    format!(
                        "optional field `{}` of record `{}` (union [\"{branches}\"]) {problem}",
                        f.name, t.full_name
                    ),
                )
                .help(format!(
                    "write `\"type\": [\"null\", \"{}\"], \"default\": null`: readers of older data then fill the field with null, and the field can be removed later without breaking anyone",
                    others.join("\", \"")
                )),
            );
        }
    }
}
