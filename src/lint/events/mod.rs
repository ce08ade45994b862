//! The cross-format rule set: events designed as products (fact names, rich payloads, envelope, ownership,
//! docs, real timestamps, exact money, readable payloads, tagged personal data) plus each format's hygiene rules
//! that need only one schema (Avro enum defaults and optional fields, JSON Schema `$schema` / `title` /
//! `additionalProperties`) and data-contract well-formedness (`.contract.yaml|json` sidecars). All rules read
//! the neutral model; the format-only ones check `schema.format` first. One file per rule.

mod additional_properties_explicit;
mod anemic_event;
pub mod contract;
mod contract_metadata_valid;
mod contract_ruleset_valid;
mod doc_required;
mod enum_default;
mod event_envelope;
mod event_name_fact;
mod money_as_float;
mod namespace_required;
mod nullable_default_null;
mod opaque_payload;
mod owner_required;
mod pii_tagged;
mod reserved_field_reused;
mod schema_dialect_required;
mod timestamp_logical_type;
mod title_required;

use std::collections::HashMap;

use super::model::{Field, Kind, Role, Schema, Ty, Type};
use super::{Input, LintCx, LintRule, RuleSet};
use crate::finding::Finding;

pub use additional_properties_explicit::ADDITIONAL_PROPERTIES_EXPLICIT;
pub use anemic_event::ANEMIC_EVENT;
pub use contract_metadata_valid::CONTRACT_METADATA_VALID;
pub use contract_ruleset_valid::CONTRACT_RULESET_VALID;
pub use doc_required::DOC_REQUIRED;
pub use enum_default::ENUM_DEFAULT;
pub use event_envelope::EVENT_ENVELOPE;
pub use event_name_fact::EVENT_NAME_FACT;
pub use money_as_float::MONEY_AS_FLOAT;
pub use namespace_required::NAMESPACE_REQUIRED;
pub use nullable_default_null::NULLABLE_DEFAULT_NULL;
pub use opaque_payload::OPAQUE_PAYLOAD;
pub use owner_required::OWNER_REQUIRED;
pub use pii_tagged::PII_TAGGED;
pub use reserved_field_reused::RESERVED_FIELD_REUSED;
pub use schema_dialect_required::SCHEMA_DIALECT_REQUIRED;
pub use timestamp_logical_type::TIMESTAMP_LOGICAL_TYPE;
pub use title_required::TITLE_REQUIRED;

/// Group names of this set.
pub const RECOMMENDED: &str = "RECOMMENDED";
pub const EVENTS: &str = "EVENTS";
pub const STRICT: &str = "STRICT";

pub struct EventRules;

pub static SET: EventRules = EventRules;

static RULES: &[&LintRule] = &[
    &ADDITIONAL_PROPERTIES_EXPLICIT,
    &ANEMIC_EVENT,
    &CONTRACT_METADATA_VALID,
    &CONTRACT_RULESET_VALID,
    &DOC_REQUIRED,
    &ENUM_DEFAULT,
    &EVENT_ENVELOPE,
    &EVENT_NAME_FACT,
    &MONEY_AS_FLOAT,
    &NAMESPACE_REQUIRED,
    &NULLABLE_DEFAULT_NULL,
    &OPAQUE_PAYLOAD,
    &OWNER_REQUIRED,
    &PII_TAGGED,
    &RESERVED_FIELD_REUSED,
    &SCHEMA_DIALECT_REQUIRED,
    &TIMESTAMP_LOGICAL_TYPE,
    &TITLE_REQUIRED,
];

/// A rule's check over one schema.
type Check = fn(&LintCx, &Ctx, &mut Vec<Finding>);

static CHECKS: &[(&LintRule, Check)] = &[
    (
        &ADDITIONAL_PROPERTIES_EXPLICIT,
        additional_properties_explicit::check,
    ),
    (&ANEMIC_EVENT, anemic_event::check),
    (&CONTRACT_METADATA_VALID, contract_metadata_valid::check),
    (&CONTRACT_RULESET_VALID, contract_ruleset_valid::check),
    (&DOC_REQUIRED, doc_required::check),
    (&ENUM_DEFAULT, enum_default::check),
    (&EVENT_ENVELOPE, event_envelope::check),
    (&EVENT_NAME_FACT, event_name_fact::check),
    (&MONEY_AS_FLOAT, money_as_float::check),
    (&NAMESPACE_REQUIRED, namespace_required::check),
    (&NULLABLE_DEFAULT_NULL, nullable_default_null::check),
    (&OPAQUE_PAYLOAD, opaque_payload::check),
    (&OWNER_REQUIRED, owner_required::check),
    (&PII_TAGGED, pii_tagged::check),
    (&RESERVED_FIELD_REUSED, reserved_field_reused::check),
    (&SCHEMA_DIALECT_REQUIRED, schema_dialect_required::check),
    (&TIMESTAMP_LOGICAL_TYPE, timestamp_logical_type::check),
    (&TITLE_REQUIRED, title_required::check),
];

/// What every check of one schema sees.
pub struct Ctx<'a> {
    pub schema: &'a Schema,
    /// The schema's data contract sidecar, when it has one.
    pub contract: Option<&'a contract::Contract>,
    /// Every type of the snapshot by full name (fields typed by a record defined in another file).
    pub types: &'a HashMap<&'a str, &'a Type>,
    /// The top-level types of this schema that are events.
    pub events: Vec<&'a Type>,
}

impl Ctx<'_> {
    pub fn subject(&self, t: &Type) -> String {
        t.full_name.clone()
    }

    /// A finding at a type's name.
    pub fn at_type(&self, rule: &'static LintRule, t: &Type, message: String) -> Finding {
        Finding::new(&rule.rule, self.subject(t), message)
            .format(self.schema.format)
            .at_new(self.schema.location(t.name_span.clone(), &t.pointer))
    }

    /// A finding at a field's name.
    pub fn at_field(
        &self,
        rule: &'static LintRule,
        t: &Type,
        f: &Field,
        message: String,
    ) -> Finding {
        Finding::new(&rule.rule, self.subject(t), message)
            .format(self.schema.format)
            .at_new(self.schema.location(f.name_span.clone(), &f.pointer))
    }

    /// Records reachable from `t` through its fields (itself first), each once.
    pub fn reachable<'b>(&'b self, t: &'b Type) -> Vec<&'b Type> {
        let mut out: Vec<&Type> = vec![t];
        let mut i = 0;
        while i < out.len() && out.len() < 500 {
            let cur = out[i];
            i += 1;
            for f in &cur.fields {
                let mut names = Vec::new();
                record_names(&f.ty, &mut names);
                for n in names {
                    if let Some(r) = self.schema.find(n).or_else(|| self.types.get(n).copied()) {
                        if r.kind == Kind::Record && !out.iter().any(|o| o.full_name == r.full_name)
                        {
                            out.push(r);
                        }
                    }
                }
            }
        }
        out
    }
}

fn record_names<'a>(ty: &'a Ty, out: &mut Vec<&'a str>) {
    match ty {
        Ty::Record(n) if !n.is_empty() => out.push(n),
        Ty::Array(t) | Ty::Map(t) => record_names(t, out),
        Ty::Union(ts) => ts.iter().for_each(|t| record_names(t, out)),
        _ => {}
    }
}

impl RuleSet for EventRules {
    fn rules(&self) -> &'static [&'static LintRule] {
        RULES
    }

    fn check(&self, cx: &LintCx, input: &Input, out: &mut Vec<Finding>) {
        let active: Vec<&(&LintRule, Check)> =
            CHECKS.iter().filter(|(r, _)| cx.enabled(r)).collect();
        if active.is_empty() {
            return;
        }
        let contracts = contract::load_from(input.all_files);
        let mut types: HashMap<&str, &Type> = HashMap::new();
        for s in input.models {
            for t in &s.types {
                types.entry(t.full_name.as_str()).or_insert(t);
            }
        }
        for schema in input.models {
            let contract = contracts.get(schema.file.shown.as_str());
            let events = schema
                .types
                .iter()
                .filter(|t| is_event(cx, schema, t))
                .collect();
            let ctx = Ctx {
                schema,
                contract,
                types: &types,
                events,
            };
            // A rule sees only the formats it declares (`ENUM_DEFAULT`: Avro), so no check repeats that guard.
            for (rule, check) in &active {
                if rule.rule.formats.contains(&schema.format) {
                    check(cx, &ctx, out);
                }
            }
        }
    }
}

/// Splits an identifier into lowercase words: `orderPlacedAt` / `order_placed_at` / `OrderPlacedAt` →
/// `[order, placed, at]`.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Names of time-of-occurrence fields that mark an event on their own.
const OCCURRED: &[&str] = &[
    "occurred_at",
    "occurred_on",
    "occurrence_time",
    "event_time",
    "event_timestamp",
    "event_ts",
    "event_date",
    "dt",
    "emitted_at",
    "published_at",
    "sent_at",
];

/// Generic time names: an event mark only inside an envelope record (`meta.timestamp`).
const OCCURRED_WEAK: &[&str] = &["timestamp", "ts", "time"];

fn snake(name: &str) -> String {
    words(name).join("_")
}

fn is_occurrence_field(f: &Field) -> bool {
    OCCURRED.contains(&snake(&f.name).as_str())
}

/// Directory names whose schemas are pieces included by others, not messages.
const FRAGMENT_DIRS: &[&str] = &[
    "fragment",
    "fragments",
    "common",
    "shared",
    "components",
    "definitions",
    "include",
    "includes",
];

/// Name endings that mark a type as something other than an event.
const NOT_EVENT_SUFFIXES: &[&str] = &[
    "request",
    "response",
    "reply",
    "config",
    "configuration",
    "options",
    "settings",
    "spec",
    "key",
    "id",
];

/// Whether a top-level record is an event: `[lint] events` globs decide when given; otherwise the heuristic
/// documented in README ("Which schemas are events"): never an RPC request/response or a type named like one
/// (`…Request`, `…Response`, `…Config`, `…Key`); an event when its name ends in `Event`; never a piece in a
/// `fragment(s)`/`common`/`shared`/`components`/`definitions`/`include(s)` directory; an event when its path or
/// namespace has an `event`/`events` segment, or when it carries an occurrence time (`occurred_at`,
/// `event_time`, `dt`, …) directly, or `timestamp`/`ts`/`time` inside a `meta`/`metadata`/`header` record.
pub fn is_event(cx: &LintCx, schema: &Schema, t: &Type) -> bool {
    if !t.top_level || t.kind != Kind::Record {
        return false;
    }
    if let Some(declared) = cx.config.declared_event(&schema.file.shown, &t.full_name) {
        return declared;
    }
    if t.role == Role::RpcMessage {
        return false;
    }
    let w = words(&t.name);
    if w.last()
        .is_some_and(|l| NOT_EVENT_SUFFIXES.contains(&l.as_str()))
    {
        return false;
    }
    if w.last().is_some_and(|l| l == "event") {
        return true;
    }
    let segment_event = |s: &str| {
        s.split(['/', '.', '#'])
            .any(|seg| matches!(seg.to_ascii_lowercase().as_str(), "event" | "events"))
    };
    if schema
        .file
        .shown
        .split('/')
        .any(|seg| FRAGMENT_DIRS.contains(&seg.to_ascii_lowercase().as_str()))
    {
        return false;
    }
    if segment_event(&schema.file.shown) || t.namespace.as_deref().is_some_and(segment_event) {
        return true;
    }
    let time_like = |f: &Field, weak_ok: bool| {
        let n = snake(&f.name);
        (OCCURRED.contains(&n.as_str()) || (weak_ok && OCCURRED_WEAK.contains(&n.as_str())))
            && matches!(f.ty, Ty::Timestamp | Ty::Int | Ty::String)
    };
    if t.fields.iter().any(|f| time_like(f, false)) {
        return true;
    }
    t.fields.iter().any(|f| {
        matches!(
            snake(&f.name).as_str(),
            "meta" | "metadata" | "header" | "headers" | "envelope"
        ) && match &f.ty {
            Ty::Record(n) => schema
                .find(n)
                .is_some_and(|r| r.fields.iter().any(|g| time_like(g, true))),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn words_split_every_case() {
        assert_eq!(words("orderPlacedAt"), ["order", "placed", "at"]);
        assert_eq!(words("order_placed_at"), ["order", "placed", "at"]);
        assert_eq!(words("HTTPRequestSent"), ["http", "request", "sent"]);
        assert_eq!(
            words("mediawiki/page/change"),
            ["mediawiki", "page", "change"]
        );
    }
}
