//! DOC_REQUIRED: a named type (and, with `fields = true`, a field) has no documentation.

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static DOC_REQUIRED: LintRule = LintRule {
    rule: Rule {
        id: "DOC_REQUIRED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a record, message, object or enum has no documentation (Avro doc, Protobuf comment, JSON description)",
        doc: crate::rule_doc!("DOC_REQUIRED"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &["fields", "nested", "min_length"],
    events_only: false,
};

fn missing(doc: Option<&str>, min: usize) -> bool {
    doc.is_none_or(|d| d.trim().chars().count() < min.max(1))
}

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let fields = cx.option_bool(&DOC_REQUIRED, "fields", false);
    let nested = cx.option_bool(&DOC_REQUIRED, "nested", false);
    let min = usize::try_from(cx.option_int(&DOC_REQUIRED, "min_length", 1)).unwrap_or(1);
    let doc_word = match ctx.schema.format {
        Format::Avro => "a `doc`",
        Format::Protobuf => "a leading comment",
        Format::JsonSchema => "a `description`",
    };
    for t in &ctx.schema.types {
        let what = match t.kind {
            crate::lint::model::Kind::Enum => "enum",
            _ if ctx.schema.format == Format::Protobuf => "message",
            _ if ctx.schema.format == Format::JsonSchema => "object",
            _ => "record",
        };
        // A nested JSON object without a title is a property's shape: its property doc covers it.
        let anonymous = ctx.schema.format == Format::JsonSchema && !t.top_level;
        if !anonymous && (t.top_level || nested) && missing(t.doc.as_deref(), min) {
            out.push(
                ctx.at_type(
                    &DOC_REQUIRED,
                    t,
                    format!("{what} `{}` has no documentation", t.full_name),
                )
                .help(format!(
                    "add {doc_word} saying what the {what} is and when it is produced: consumers read it in the registry and in generated code"
                )),
            );
        }
        if fields {
            for f in &t.fields {
                if missing(f.doc.as_deref(), min) {
                    out.push(
                        ctx.at_field(
                            &DOC_REQUIRED,
                            t,
                            f,
                            format!(
                                "field `{}` of {what} `{}` has no documentation",
                                f.name, t.full_name
                            ),
                        )
                        .help(format!("add {doc_word}: meaning, unit, allowed values")),
                    );
                }
            }
        }
    }
}
