//! NAMESPACE_REQUIRED: a schema has no namespace (Avro `namespace`, Protobuf `package`, JSON Schema `$id`).

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static NAMESPACE_REQUIRED: LintRule = LintRule {
    rule: Rule {
        id: "NAMESPACE_REQUIRED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary:
            "a schema has no namespace: Avro `namespace`, Protobuf `package` or JSON Schema `$id`",
        doc: crate::rule_doc!("NAMESPACE_REQUIRED"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let s = ctx.schema;
    match s.format {
        Format::Protobuf => {
            if s.package.is_none() {
                let f = Finding::new(
                    &NAMESPACE_REQUIRED.rule,
                    s.file.path.clone(),
                    format!("file `{}` declares no `package`", s.file.path),
                )
                .help("add `package <org>.<domain>.v1;`: without it every message lives in the global namespace and clashes with other files")
                .format(Format::Protobuf)
                .at_new(s.location(0..0, ""));
                out.push(f);
            }
        }
        Format::Avro => {
            if let Some(t) = s.top().filter(|t| t.namespace.is_none()) {
                out.push(
                    ctx.at_type(
                        &NAMESPACE_REQUIRED,
                        t,
                        format!("top-level type `{}` has no namespace", t.name),
                    )
                    .help("add `\"namespace\": \"com.acme.orders\"` (or a dotted `name`): the full name is the subject under RecordNameStrategy and the class name in generated code"),
                );
            }
        }
        Format::JsonSchema => {
            if let (Some(t), Some(j)) = (s.top(), &s.json) {
                if j.id.is_none() {
                    out.push(
                        Finding::new(
                            &NAMESPACE_REQUIRED.rule,
                            t.full_name.clone(),
                            format!("schema `{}` has no `$id`", t.full_name),
                        )
                        .help("add `\"$id\": \"https://schemas.acme.com/orders/order-placed.json\"`: it names the schema for `$ref`s and registries")
                        .format(Format::JsonSchema)
                        .at_new(s.location(j.root_span.clone(), "")),
                    );
                }
            }
        }
    }
}
