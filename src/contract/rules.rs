//! Declarations of the contract test rules (examples, replay, consumer contracts). Detection lives in
//! `examples.rs` and `consumers.rs`.

use crate::finding::{Category, Format, Severity};
use crate::rule_doc;
use crate::rules::Rule;

const ALL_FORMATS: &[Format] = &[Format::Avro, Format::Protobuf, Format::JsonSchema];

pub static EXAMPLE_INVALID: Rule = Rule {
    id: "EXAMPLE_INVALID",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "a recorded example event is not valid against the current schema of its subject",
    doc: rule_doc!("EXAMPLE_INVALID"),
};

pub static EXAMPLE_UNREADABLE: Rule = Rule {
    id: "EXAMPLE_UNREADABLE",
    category: Category::Input,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "an example file cannot be read as an event (not JSON, not UTF-8, a truncated .avro, an unknown extension)",
    doc: rule_doc!("EXAMPLE_UNREADABLE"),
};

pub static EXAMPLE_UNKNOWN_SUBJECT: Rule = Rule {
    id: "EXAMPLE_UNKNOWN_SUBJECT",
    category: Category::Input,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "an examples/<subject> folder names no schema of the repository",
    doc: rule_doc!("EXAMPLE_UNKNOWN_SUBJECT"),
};

pub static REPLAY_FAILED: Rule = Rule {
    id: "REPLAY_FAILED",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "an example written with one version of its schema cannot be read with the other",
    doc: rule_doc!("REPLAY_FAILED"),
};

pub static REPLAY_VALUE_CHANGED: Rule = Rule {
    id: "REPLAY_VALUE_CHANGED",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "an example read with the other version of its schema decodes to a different value, or loses data",
    doc: rule_doc!("REPLAY_VALUE_CHANGED"),
};

pub static REPLAY_SCHEMA_REJECTED: Rule = Rule {
    id: "REPLAY_SCHEMA_REJECTED",
    category: Category::Contract,
    severity: Severity::Error,
    formats: &[Format::Avro],
    summary: "the Avro runtime (apache-avro) rejects a version of a subject that has examples (a default that does not parse as its field's type), so no example can be encoded with it",
    doc: rule_doc!("REPLAY_SCHEMA_REJECTED"),
};

pub static REPLAY_VERDICT_DIFFERS: Rule = Rule {
    id: "REPLAY_VERDICT_DIFFERS",
    category: Category::Contract,
    severity: Severity::Warning,
    formats: &[Format::Avro],
    summary: "apache-avro's schema resolution fails on an example where the Avro 1.12 rules find the change compatible",
    doc: rule_doc!("REPLAY_VERDICT_DIFFERS"),
};

pub static CONSUMER_CONTRACT_BROKEN: Rule = Rule {
    id: "CONSUMER_CONTRACT_BROKEN",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "a change breaks what a consumer's contract says it reads",
    doc: rule_doc!("CONSUMER_CONTRACT_BROKEN"),
};

pub static CONTRACT_INVALID: Rule = Rule {
    id: "CONTRACT_INVALID",
    category: Category::Input,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "a consumer contract file cannot be read (syntax, unknown keys or type names)",
    doc: rule_doc!("CONTRACT_INVALID"),
};

pub static CONTRACT_UNKNOWN_SUBJECT: Rule = Rule {
    id: "CONTRACT_UNKNOWN_SUBJECT",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary: "a consumer contract names a subject or message that no schema defines",
    doc: rule_doc!("CONTRACT_UNKNOWN_SUBJECT"),
};

pub static CONTRACT_UNKNOWN_FIELD: Rule = Rule {
    id: "CONTRACT_UNKNOWN_FIELD",
    category: Category::Contract,
    severity: Severity::Error,
    formats: ALL_FORMATS,
    summary:
        "a consumer contract reads a field that neither the current nor the baseline schema has",
    doc: rule_doc!("CONTRACT_UNKNOWN_FIELD"),
};

/// Every contract test rule.
pub static RULES: &[&Rule] = &[
    &CONSUMER_CONTRACT_BROKEN,
    &CONTRACT_INVALID,
    &CONTRACT_UNKNOWN_FIELD,
    &CONTRACT_UNKNOWN_SUBJECT,
    &EXAMPLE_INVALID,
    &EXAMPLE_UNKNOWN_SUBJECT,
    &EXAMPLE_UNREADABLE,
    &REPLAY_FAILED,
    &REPLAY_SCHEMA_REJECTED,
    &REPLAY_VALUE_CHANGED,
    &REPLAY_VERDICT_DIFFERS,
];
