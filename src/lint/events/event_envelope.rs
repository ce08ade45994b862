//! EVENT_ENVELOPE: an event lacks a required envelope field (event id, occurred-at, …), matched by name or
//! alias, directly or inside a `meta` / `metadata` / `header` / `envelope` record; occurred-at must be a
//! timestamp.

use super::{words, Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::{Field, Ty, Type};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static EVENT_ENVELOPE: LintRule = LintRule {
    rule: Rule {
        id: "EVENT_ENVELOPE",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "an event lacks a required envelope field (event id, occurred-at timestamp, …) or types it wrongly",
        doc: crate::rule_doc!("EVENT_ENVELOPE"),
    },
    groups: &[EVENTS, STRICT],
    options: &["required", "id", "occurred_at", "source", "schema_version", "type"],
    events_only: true,
};

/// Default names per envelope role (compared on snake_case words).
fn default_names(role: &str) -> &'static [&'static str] {
    match role {
        "id" => &["id", "event_id", "message_id", "uuid", "event_uuid"],
        "occurred_at" => &[
            "occurred_at",
            "occurred_on",
            "occurrence_time",
            "event_time",
            "event_timestamp",
            "event_ts",
            "timestamp",
            "ts",
            "dt",
            "time",
            "emitted_at",
            "created_at",
        ],
        "source" => &[
            "source", "producer", "origin", "service", "emitter", "domain",
        ],
        "schema_version" => &[
            "schema_version",
            "version",
            "schema",
            "schema_uri",
            "dataschema",
        ],
        "type" => &["type", "event_type", "kind", "event_name", "name"],
        _ => &[],
    }
}

const ENVELOPE_RECORDS: &[&str] = &[
    "meta", "metadata", "header", "headers", "envelope", "context",
];

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let required = cx.option_strings(&EVENT_ENVELOPE, "required", &["id", "occurred_at"]);
    for t in &ctx.events {
        // The event's own fields plus those of its envelope records.
        let mut fields: Vec<(&Field, Option<&str>)> = t.fields.iter().map(|f| (f, None)).collect();
        for f in &t.fields {
            if !ENVELOPE_RECORDS.contains(&f.name.to_ascii_lowercase().as_str()) {
                continue;
            }
            if let Ty::Record(n) = &f.ty {
                let inner: Option<&Type> = ctx
                    .schema
                    .find(n)
                    .or_else(|| ctx.types.get(n.as_str()).copied());
                if let Some(inner) = inner {
                    fields.extend(inner.fields.iter().map(|g| (g, Some(f.name.as_str()))));
                }
            }
        }
        for role in &required {
            let names = cx.option_strings(&EVENT_ENVELOPE, role, default_names(role));
            let found = fields.iter().find(|(f, _)| {
                let snake = words(&f.name).join("_");
                names.iter().any(|n| *n == snake || *n == f.name)
                    || f.aliases.iter().any(|a| names.contains(a))
            });
            match found {
                None if t.incomplete => {}
                None => out.push(
                    ctx.at_type(
                        &EVENT_ENVELOPE,
                        t,
                        format!(
                            "event `{}` has no `{role}` envelope field (looked for {})",
                            t.name,
                            names.iter().take(6).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .help(format!(
                        "add the `{role}` field every event of this repository carries (consumers deduplicate, order and trace by it), or name yours in `[lint.options.EVENT_ENVELOPE] {role} = [\"…\"]`"
                    )),
                ),
                Some((f, _)) if role == "occurred_at" && !matches!(f.ty, Ty::Timestamp) => out.push(
                    ctx.at_type(
                        &EVENT_ENVELOPE,
                        t,
                        format!(
                            "event `{}`: occurred-at field `{}` is `{}`, not a timestamp",
                            t.name, f.name, f.written
                        ),
                    )
                    .help("type it as a timestamp (Avro `long` with `logicalType: timestamp-millis`, `google.protobuf.Timestamp`, JSON `string` with `format: date-time`) so consumers need not guess the unit and zone"),
                ),
                Some(_) => {}
            }
        }
    }
}
