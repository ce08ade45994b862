//! PII_TAGGED: a field whose name looks personal (email, phone, address, birth date, …) carries no tag
//! (`confluent:tags`, `(confluent.field_meta)`, or `metadata.tags` of its data-contract sidecar).

use super::{words, Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::Ty;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static PII_TAGGED: LintRule = LintRule {
    rule: Rule {
        id: "PII_TAGGED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a field that looks like personal data (email, phone, address, birth date, …) carries no PII tag",
        doc: crate::rule_doc!("PII_TAGGED"),
    },
    groups: &[EVENTS, STRICT],
    options: &["words", "tags"],
    events_only: false,
};

/// Single words and word pairs (snake_case) that name personal data.
const PII: &[&str] = &[
    "email",
    "email_address",
    "phone",
    "phone_number",
    "mobile_number",
    "mobile_phone",
    "msisdn",
    "ssn",
    "social_security",
    "social_security_number",
    "passport",
    "passport_number",
    "iban",
    "credit_card",
    "card_number",
    "tax_id",
    "national_id",
    "birth_date",
    "birthdate",
    "date_of_birth",
    "dob",
    "birthday",
    "first_name",
    "last_name",
    "full_name",
    "given_name",
    "family_name",
    "surname",
    "maiden_name",
    "home_address",
    "street_address",
    "postal_address",
    "street",
    "ip_address",
    "ip",
    "gender",
    "religion",
    "ethnicity",
    "salary",
];

/// Words that make the field about personal data, not personal data itself.
const NOT_VALUE: &[&str] = &[
    "type",
    "kind",
    "count",
    "verified",
    "enabled",
    "format",
    "hash",
    "hashed",
    "status",
    "valid",
    "validated",
    "length",
    "domain",
    "template",
    "enabled",
    "visible",
    "required",
    "allowed",
    "policy",
    "country",
    "prefix",
];

const TAGS: &[&str] = &[
    "PII",
    "SENSITIVE",
    "PERSONAL",
    "CONFIDENTIAL",
    "GDPR",
    "PHI",
    "RESTRICTED",
];

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let pii = cx.option_strings(&PII_TAGGED, "words", PII);
    let tags = cx.option_strings(&PII_TAGGED, "tags", TAGS);
    let how = match ctx.schema.format {
        Format::Avro | Format::JsonSchema => "`\"confluent:tags\": [\"PII\"]` on the field",
        Format::Protobuf => "`[(confluent.field_meta) = { tags: [\"PII\"] }]` on the field",
    };
    for t in &ctx.schema.types {
        for f in &t.fields {
            if matches!(
                f.ty,
                Ty::Bool | Ty::Record(_) | Ty::Enum(_) | Ty::Array(_) | Ty::Map(_)
            ) {
                continue;
            }
            let w = words(&f.name);
            if w.iter().any(|x| NOT_VALUE.contains(&x.as_str())) {
                continue;
            }
            let pairs: Vec<String> = w.windows(2).map(|p| p.join("_")).collect();
            let joined = w.join("_");
            let hit = pii
                .iter()
                .any(|p| *p == joined || w.contains(p) || pairs.contains(p));
            if !hit {
                continue;
            }
            let tagged = |list: &[String]| {
                list.iter()
                    .any(|x| tags.iter().any(|t| t.eq_ignore_ascii_case(x)))
            };
            if tagged(&f.tags) || tagged(&t.tags) {
                continue;
            }
            if let Some(c) = ctx.contract {
                if tagged(&c.tags_for(&format!("{}.{}", t.name, f.name))) {
                    continue;
                }
            }
            out.push(
                ctx.at_field(
                    &PII_TAGGED,
                    t,
                    f,
                    format!("field `{}` of `{}` looks like personal data and carries no PII tag", f.name, t.full_name),
                )
                .help(format!(
                    "tag it: {how}, or `metadata: {{tags: {{\"**.{}\": [\"PII\"]}}}}` in the schema's `.contract.yaml`; encryption and redaction rules select fields by tag",
                    f.name
                )),
            );
        }
    }
}
