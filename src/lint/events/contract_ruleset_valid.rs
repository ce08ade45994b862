//! CONTRACT_RULESET_VALID: a data-contract `ruleSet` breaks the registry's `RuleSet.validate` (names unique,
//! ≤ 256 characters, allowed characters; `type` present; mode allowed for its list; action pairs only for
//! WRITEREAD / UPDOWN), a `DLQ` action has no `dlq.topic`, or a rule selects tags no field carries.

use std::collections::BTreeSet;

use super::{Ctx, RECOMMENDED, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::formats::jsonschema::parse::Val;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static CONTRACT_RULESET_VALID: LintRule = LintRule {
    rule: Rule {
        id: "CONTRACT_RULESET_VALID",
        category: Category::Lint,
        severity: Severity::Error,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "a data-contract `ruleSet` would be rejected by the registry (42210) or selects tags no field has",
        doc: crate::rule_doc!("CONTRACT_RULESET_VALID"),
    },
    groups: &[RECOMMENDED, STRICT],
    options: &[],
    events_only: false,
};

fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == '-')
}

pub(super) fn check(_cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(c) = ctx.contract else { return };
    let Some((tree, rs)) = c.at(&["ruleSet"]) else {
        return;
    };
    let subject = ctx
        .schema
        .top()
        .map(|t| t.full_name.clone())
        .unwrap_or_else(|| ctx.schema.file.path.clone());
    let mut report = |node, pointer: String, message: String, help: &str| {
        out.push(
            Finding::new(&CONTRACT_RULESET_VALID.rule, subject.clone(), message)
                .help(help.to_string())
                .format(ctx.schema.format)
                .at_new(c.location(node, &pointer)),
        );
    };
    // Tags present in the schema: inline on fields and types, and in metadata.tags.
    let mut known: BTreeSet<String> = BTreeSet::new();
    for t in &ctx.schema.types {
        known.extend(t.tags.iter().cloned());
        for f in &t.fields {
            known.extend(f.tags.iter().cloned());
        }
    }
    for (_, tags) in c.tag_globs() {
        known.extend(tags);
    }
    let mut names: Vec<String> = Vec::new();
    for (list, modes) in [
        ("migrationRules", &["UPGRADE", "DOWNGRADE", "UPDOWN"][..]),
        ("domainRules", &["WRITE", "READ", "WRITEREAD"][..]),
        ("encodingRules", &["WRITE", "READ", "WRITEREAD"][..]),
    ] {
        let Some(l) = tree.get(rs, list) else {
            continue;
        };
        let Val::Arr(rules) = &tree.node(l).val else {
            report(
                Some(l),
                format!("/ruleSet/{list}"),
                format!("`ruleSet.{list}` is not a list"),
                "write a list of rules",
            );
            continue;
        };
        for (i, r) in rules.iter().enumerate() {
            let p = format!("/ruleSet/{list}/{i}");
            let s = |k: &str| {
                tree.get(*r, k)
                    .and_then(|n| tree.str_of(n))
                    .map(str::to_string)
            };
            let name = s("name").unwrap_or_default();
            let label = if name.is_empty() {
                format!("rule #{i} of `{list}`")
            } else {
                format!("rule `{name}`")
            };
            let name_node = tree.get(*r, "name").or(Some(*r));
            if name.is_empty() {
                report(
                    Some(*r),
                    p.clone(),
                    format!("{label} has no `name`"),
                    "every rule needs a name (a letter or `_`, then letters, digits, `_` or `-`)",
                );
            } else if name.chars().count() > 256 {
                report(
                    name_node,
                    format!("{p}/name"),
                    format!("{label}: the name is longer than 256 characters"),
                    "shorten the name (Rule.NAME_MAX_LENGTH is 256)",
                );
            } else if !valid_name(&name) {
                report(
                    name_node,
                    format!("{p}/name"),
                    format!("{label}: the name has characters the registry refuses"),
                    "start with a letter or `_`, then use only letters, digits, `_` and `-`",
                );
            } else if names.contains(&name) {
                report(name_node, format!("{p}/name"), format!("{label} is defined twice in the rule set"), "rule names must be unique across migrationRules, domainRules and encodingRules");
            }
            names.push(name.clone());
            if s("type").is_none_or(|t| t.trim().is_empty()) {
                report(Some(*r), p.clone(), format!("{label} has no `type`"), "name the executor: CEL, CEL_FIELD, JSONATA, ENCRYPT, ENCRYPT_PAYLOAD, REDACT, …");
            }
            if let Some(k) = s("kind") {
                if !matches!(k.as_str(), "CONDITION" | "TRANSFORM") {
                    report(
                        tree.get(*r, "kind"),
                        format!("{p}/kind"),
                        format!("{label}: kind `{k}` is neither CONDITION nor TRANSFORM"),
                        "use CONDITION (a check) or TRANSFORM (a change)",
                    );
                }
            }
            let mode = s("mode");
            if let Some(m) = &mode {
                if !modes.contains(&m.as_str()) {
                    report(
                        tree.get(*r, "mode"),
                        format!("{p}/mode"),
                        format!("{label}: mode `{m}` is not allowed in `{list}`"),
                        &format!("`{list}` takes {}", modes.join(", ")),
                    );
                }
            }
            let pair_ok = matches!(mode.as_deref(), Some("WRITEREAD" | "UPDOWN"));
            let mut dlq = false;
            for key in ["onSuccess", "onFailure"] {
                let Some(a) = s(key) else { continue };
                if a.contains(',') && !pair_ok {
                    report(tree.get(*r, key), format!("{p}/{key}"), format!("{label}: `{key}` is the pair `{a}` but the mode is not WRITEREAD or UPDOWN"), "give one action; a comma pair names the write and read (or up and down) actions of a two-way rule");
                }
                if a.contains(',') && a.split(',').count() != 2 {
                    report(
                        tree.get(*r, key),
                        format!("{p}/{key}"),
                        format!("{label}: `{key}` `{a}` has more than two actions"),
                        "write `ACTION` or `WRITE_ACTION,READ_ACTION`",
                    );
                }
                dlq |= a.split(',').any(|x| x.trim() == "DLQ");
            }
            if dlq
                && tree
                    .get(*r, "params")
                    .and_then(|p| tree.get(p, "dlq.topic"))
                    .is_none()
            {
                report(
                    Some(*r),
                    p.clone(),
                    format!("{label} sends failures to the DLQ but sets no `dlq.topic` param"),
                    "add `params: {\"dlq.topic\": \"<topic>\"}`",
                );
            }
            if let Some(tn) = tree.get(*r, "tags") {
                if let Val::Arr(items) = &tree.node(tn).val {
                    for (j, it) in items.iter().enumerate() {
                        if let Some(tag) = tree.str_of(*it) {
                            if !known.contains(tag) {
                                report(Some(*it), format!("{p}/tags/{j}"), format!("{label} selects tag `{tag}`, which no field of the schema carries"), "tag the fields (`confluent:tags`, `(confluent.field_meta)` or `metadata.tags`) or fix the tag name: a rule whose tags match nothing silently does nothing");
                            }
                        }
                    }
                }
            }
        }
    }
}
