//! TIMESTAMP_LOGICAL_TYPE: a time-like field (`created_at`, `timestamp`, `eventTime`, …) is a bare integer or
//! string instead of a timestamp type.

use super::{words, Ctx, EVENTS, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::Ty;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static TIMESTAMP_LOGICAL_TYPE: LintRule = LintRule {
    rule: Rule {
        id: "TIMESTAMP_LOGICAL_TYPE",
        category: Category::Richness,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a time-like field is a bare integer or string instead of a timestamp type",
        doc: crate::rule_doc!("TIMESTAMP_LOGICAL_TYPE"),
    },
    groups: &[RECOMMENDED, EVENTS, STRICT],
    options: &["allow"],
    events_only: false,
};

/// Last words that make a field name a point in time.
const TIME_WORDS: &[&str] = &[
    "at",
    "timestamp",
    "ts",
    "dt",
    "datetime",
    "time",
    "date",
    "on",
];

/// Words that make it a duration, a zone, a format or a count instead.
const NOT_INSTANT: &[&str] = &[
    "ms",
    "millis",
    "milliseconds",
    "us",
    "micros",
    "ns",
    "nanos",
    "seconds",
    "secs",
    "sec",
    "minutes",
    "hours",
    "days",
    "duration",
    "elapsed",
    "ttl",
    "timeout",
    "interval",
    "delay",
    "offset",
    "zone",
    "timezone",
    "tz",
    "format",
    "count",
    "spent",
    "taken",
    "response",
    "load",
    "wait",
    "cpu",
    "processing",
    "exec",
    "execution",
    "run",
    "up",
    "real",
    "total",
    "average",
    "avg",
    "max",
    "min",
    "first",
    "paint",
    "render",
    "fetch",
    "dom",
    "connect",
    "lookup",
    "request",
    "redirect",
    "unload",
    "interactive",
    "complete",
    "ready",
    "idle",
    "travel",
    "transit",
    "cycle",
    "step",
    "turn",
    "life",
    "mean",
    "p50",
    "p95",
    "p99",
    "sim",
    "simulation",
    "speed",
];

/// Words before `time` that make it an instant (`created_time`, `eventTime`); plain `start_time` / `load_time`
/// are as often durations or offsets (browser timings) and are left alone.
const INSTANT_BEFORE_TIME: &[&str] = &[
    "event",
    "occurrence",
    "occurred",
    "creation",
    "created",
    "create",
    "update",
    "updated",
    "modification",
    "modified",
    "delete",
    "deletion",
    "deleted",
    "publish",
    "published",
    "publication",
    "expiry",
    "expiration",
    "expire",
    "expires",
    "arrival",
    "departure",
    "send",
    "sent",
    "receive",
    "received",
    "submit",
    "submitted",
    "submission",
    "login",
    "logout",
    "registration",
    "registered",
    "issue",
    "issued",
    "effective",
    "commit",
    "emit",
    "emitted",
    "capture",
    "captured",
    "ingest",
    "ingestion",
    "log",
    "record",
    "recorded",
];

pub(super) fn is_instant_name(name: &str) -> bool {
    let w = words(name);
    let Some(last) = w.last() else { return false };
    if !TIME_WORDS.contains(&last.as_str()) {
        return false;
    }
    // `on` and `at` only as a suffix (`created_on`), never alone.
    if matches!(last.as_str(), "at" | "on") && w.len() < 2 {
        return false;
    }
    if last == "time" && w.len() > 1 && !INSTANT_BEFORE_TIME.contains(&w[w.len() - 2].as_str()) {
        return false;
    }
    !w.iter().any(|x| NOT_INSTANT.contains(&x.as_str()))
}

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let allow = cx.option_strings(&TIMESTAMP_LOGICAL_TYPE, "allow", &[]);
    let fix = match ctx.schema.format {
        Format::Avro => "`{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}`",
        Format::Protobuf => "`google.protobuf.Timestamp`",
        Format::JsonSchema => "`{\"type\": \"string\", \"format\": \"date-time\"}`",
    };
    for t in &ctx.schema.types {
        for f in &t.fields {
            if allow.contains(&f.name)
                || !matches!(f.ty, Ty::Int | Ty::String)
                || !is_instant_name(&f.name)
            {
                continue;
            }
            // A bare date is a date, not an instant: JSON `format: date` / Avro `date` already lower to Date.
            out.push(
                ctx.at_field(
                    &TIMESTAMP_LOGICAL_TYPE,
                    t,
                    f,
                    format!(
                        "time-like field `{}` of `{}` is a bare `{}`",
                        f.name, t.full_name, f.written
                    ),
                )
                .help(format!(
                    "use {fix}: consumers then read an instant, not a number or text whose unit, epoch and zone they must guess"
                )),
            );
        }
    }
}
