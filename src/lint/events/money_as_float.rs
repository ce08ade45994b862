//! MONEY_AS_FLOAT: a money-like field (amount, price, cost, …) is a binary floating-point number.

use super::{words, Ctx, EVENTS, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::Ty;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static MONEY_AS_FLOAT: LintRule = LintRule {
    rule: Rule {
        id: "MONEY_AS_FLOAT",
        category: Category::Richness,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a money-like field (amount, price, cost, …) is a binary floating-point number",
        doc: crate::rule_doc!("MONEY_AS_FLOAT"),
    },
    groups: &[RECOMMENDED, EVENTS, STRICT],
    options: &["words"],
    events_only: false,
};

const MONEY: &[&str] = &[
    "amount", "price", "cost", "fee", "fees", "balance", "salary", "revenue", "tax", "subtotal",
    "payment", "money", "budget", "charge", "refund", "discount", "wage", "income", "spend",
    "invoice", "bill", "tip", "deposit", "payout", "prices", "costs", "amounts",
];

/// Words that make the number a ratio or a quantity, not money.
const NOT_MONEY: &[&str] = &[
    "ratio",
    "rate",
    "percent",
    "percentage",
    "pct",
    "fraction",
    "factor",
    "weight",
    "score",
    "count",
    "share",
    "probability",
    "confidence",
    "threshold",
    "multiplier",
    "utilization",
    "units",
];

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let money = cx.option_strings(&MONEY_AS_FLOAT, "words", MONEY);
    let fix = match ctx.schema.format {
        Format::Avro => "`{\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 18, \"scale\": 2}` plus a currency field",
        Format::Protobuf => "`google.type.Money` (units + nanos + currency code)",
        Format::JsonSchema => "an integer of minor units (`amount_cents`) or a decimal string, plus a currency field",
    };
    for t in &ctx.schema.types {
        for f in &t.fields {
            let is_float = match &f.ty {
                Ty::Float => true,
                Ty::Array(inner) => **inner == Ty::Float,
                _ => false,
            };
            if !is_float {
                continue;
            }
            let w = words(&f.name);
            if !w.iter().any(|x| money.contains(x))
                || w.iter().any(|x| NOT_MONEY.contains(&x.as_str()))
            {
                continue;
            }
            out.push(
                ctx.at_field(
                    &MONEY_AS_FLOAT,
                    t,
                    f,
                    format!("money-like field `{}` of `{}` is a floating-point `{}`", f.name, t.full_name, f.written),
                )
                .help(format!(
                    "use {fix}: binary floats cannot hold 0.10 exactly, so sums drift and two consumers round differently"
                )),
            );
        }
    }
}
