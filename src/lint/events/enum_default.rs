//! ENUM_DEFAULT: an Avro enum without `default`.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::Kind;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static ENUM_DEFAULT: LintRule = LintRule {
    rule: Rule {
        id: "ENUM_DEFAULT",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro],
        summary:
            "an Avro enum has no `default` symbol, so adding a symbol later breaks old readers",
        doc: crate::rule_doc!("ENUM_DEFAULT"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    for t in ctx
        .schema
        .types
        .iter()
        .filter(|t| t.kind == Kind::Enum && t.enum_default.is_none())
    {
        let suggestion = t
            .symbols
            .iter()
            .find(|s| {
                matches!(
                    s.name.as_str(),
                    "UNKNOWN" | "UNSPECIFIED" | "OTHER" | "NONE"
                )
            })
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "UNKNOWN".to_string());
        out.push(
            ctx.at_type(&ENUM_DEFAULT, t, format!("enum `{}` has no default symbol", t.full_name))
                .help(format!(
                    "add `\"default\": \"{suggestion}\"` (adding that symbol if needed): a reader that meets a symbol it does not know then reads the default instead of failing"
                )),
        );
    }
}
