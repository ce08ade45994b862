//! ANEMIC_EVENT: a delta-style event — identifiers plus almost no payload, or a generic "changed fields"
//! container — that makes every consumer call back for the state.

use super::{words, Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::{Field, Ty};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static ANEMIC_EVENT: LintRule = LintRule {
    rule: Rule {
        id: "ANEMIC_EVENT",
        category: Category::Richness,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "an event carries identifiers and a generic change map instead of the state consumers need",
        doc: crate::rule_doc!("ANEMIC_EVENT"),
    },
    groups: &[EVENTS, STRICT],
    options: &["min_payload_fields", "change_fields"],
    events_only: true,
};

const CHANGE_FIELDS: &[&str] = &[
    "changes",
    "changed",
    "changed_fields",
    "changed_attributes",
    "changed_values",
    "changeset",
    "diff",
    "delta",
    "patch",
    "updates",
    "updated_fields",
    "modified_fields",
    "dirty_fields",
];

fn is_identifier(f: &Field) -> bool {
    let w = words(&f.name);
    matches!(
        w.last().map(String::as_str),
        Some("id" | "ids" | "key" | "uuid" | "guid" | "urn" | "ref")
    )
}

/// Envelope fields (ids, times, versions, routing) are not payload.
fn is_envelope(f: &Field) -> bool {
    let n = words(&f.name).join("_");
    super::is_occurrence_field(f)
        || matches!(
            n.as_str(),
            "meta"
                | "metadata"
                | "header"
                | "headers"
                | "envelope"
                | "schema"
                | "schema_version"
                | "version"
                | "type"
                | "event_type"
                | "source"
                | "producer"
                | "correlation_id"
                | "causation_id"
                | "trace_id"
                | "tenant"
                | "tenant_id"
                | "stream"
                | "topic"
                | "partition"
                | "offset"
        )
        || matches!(f.ty, Ty::Timestamp) && (n.ends_with("_at") || n.ends_with("time"))
}

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let min = usize::try_from(cx.option_int(&ANEMIC_EVENT, "min_payload_fields", 1)).unwrap_or(1);
    let change_names = cx.option_strings(&ANEMIC_EVENT, "change_fields", CHANGE_FIELDS);
    for t in &ctx.events {
        let change = t.fields.iter().find(|f| {
            let n = words(&f.name).join("_");
            change_names.iter().any(|c| *c == n || *c == f.name)
                && match &f.ty {
                    Ty::Map(_) | Ty::Any | Ty::String | Ty::Bytes | Ty::Unknown(_) => true,
                    // A list of typed records (`changes: [TileChange]`) is state; a list of names is not.
                    Ty::Array(inner) => matches!(**inner, Ty::String | Ty::Any | Ty::Map(_)),
                    _ => false,
                }
        });
        if let Some(f) = change {
            out.push(
                ctx.at_field(
                    &ANEMIC_EVENT,
                    t,
                    f,
                    format!(
                        "event `{}` carries its content as a generic change container `{}` ({})",
                        t.name, f.name, f.written
                    ),
                )
                .help("carry the fact's state as typed fields (the new status, amount, address…): consumers then need no call back to the producer and no knowledge of its internal field names"),
            );
            continue;
        }
        if t.incomplete {
            continue;
        }
        let payload: Vec<&Field> = t
            .fields
            .iter()
            .filter(|f| !is_identifier(f) && !is_envelope(f))
            .collect();
        if payload.len() < min && !t.fields.is_empty() {
            let ids: Vec<&str> = t
                .fields
                .iter()
                .filter(|f| is_identifier(f))
                .map(|f| f.name.as_str())
                .collect();
            if ids.is_empty() {
                continue;
            }
            out.push(
                ctx.at_type(
                    &ANEMIC_EVENT,
                    t,
                    format!(
                        "event `{}` carries only identifiers ({}) and no state",
                        t.name,
                        ids.join(", ")
                    ),
                )
                .help("add the state a consumer needs to act on the fact (what changed to what, amounts, names): an id-only event forces every consumer to call the producer back, coupling them at run time"),
            );
        }
    }
}
