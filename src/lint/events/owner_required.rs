//! OWNER_REQUIRED: a schema names no owning team: no `owner` in its data-contract sidecar, in its own
//! properties (Avro `"owner"`, JSON `x-owner`, Protobuf `(confluent.message_meta)` params), nor by path in config.

use super::{Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static OWNER_REQUIRED: LintRule = LintRule {
    rule: Rule {
        id: "OWNER_REQUIRED",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a schema names no owning team (data-contract metadata, schema property or config by path)",
        doc: crate::rule_doc!("OWNER_REQUIRED"),
    },
    groups: &[EVENTS, STRICT],
    options: &["keys", "by_path"],
    events_only: false,
};

const KEYS: &[&str] = &[
    "owner",
    "team",
    "owner_team",
    "owning_team",
    "owner_email",
    "x-owner",
    "x-team",
    "confluent:owner",
];

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let keys = cx.option_strings(&OWNER_REQUIRED, "keys", KEYS);
    let path = &ctx.schema.file.shown;
    if let Some(toml::Value::Table(by_path)) = cx.option(&OWNER_REQUIRED, "by_path") {
        let covered = by_path.keys().any(|g| {
            globset::Glob::new(g).is_ok_and(|g| g.compile_matcher().is_match(path))
                || path.starts_with(g.trim_end_matches('/'))
        });
        if covered {
            return;
        }
    }
    if let Some(c) = ctx.contract {
        if keys
            .iter()
            .any(|k| c.property(k).is_some_and(|v| !v.trim().is_empty()))
        {
            return;
        }
    }
    let Some(t) = ctx
        .schema
        .top()
        .or_else(|| ctx.schema.types.iter().find(|t| t.top_level))
    else {
        return;
    };
    let owned = ctx.schema.types.iter().filter(|t| t.top_level).any(|t| {
        t.props.iter().any(|(k, v)| {
            keys.iter().any(|key| key.eq_ignore_ascii_case(k)) && !v.trim().is_empty()
        })
    });
    if owned {
        return;
    }
    let sidecar = format!("{path}.contract.yaml");
    out.push(
        ctx.at_type(
            &OWNER_REQUIRED,
            t,
            format!("schema `{}` names no owner", t.full_name),
        )
        .help(format!(
            "add `metadata: {{properties: {{owner: <team>}}}}` to `{sidecar}` (registered with the schema), or an `owner` property on the schema, or map paths to teams in `[lint.options.OWNER_REQUIRED] by_path`"
        )),
    );
}
