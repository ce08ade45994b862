//! EVENT_NAME_FACT: an event type is not named as a past-tense fact (`OrderPlaced`), but as a command
//! (`PlaceOrder`), a vague noun (`OrderEvent`) or a present-tense change (`OrderUpdate`).

use super::{words, Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static EVENT_NAME_FACT: LintRule = LintRule {
    rule: Rule {
        id: "EVENT_NAME_FACT",
        category: Category::Lint,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "an event is not named as a past-tense fact (`OrderPlaced`) but as a command, a vague noun or a present-tense change",
        doc: crate::rule_doc!("EVENT_NAME_FACT"),
    },
    groups: &[EVENTS, STRICT],
    options: &["allow", "suffixes"],
    events_only: true,
};

/// Words that make a name a container rather than a fact.
const VAGUE: &[&str] = &[
    "event",
    "events",
    "message",
    "msg",
    "record",
    "data",
    "payload",
    "info",
    "notification",
    "envelope",
];

/// Imperative verbs that start a command name.
const COMMANDS: &[&str] = &[
    "create", "update", "delete", "remove", "add", "set", "place", "cancel", "send", "process",
    "submit", "register", "start", "stop", "do", "make", "get", "put", "post", "patch", "change",
    "modify", "execute", "run", "request", "apply", "approve", "reject", "assign", "publish",
    "notify",
];

/// Irregular past participles (and the regular ones that do not end in -ed are rare: this list is enough for
/// names).
const IRREGULAR: &[&str] = &[
    "sent",
    "paid",
    "made",
    "done",
    "built",
    "lost",
    "won",
    "sold",
    "bought",
    "held",
    "given",
    "taken",
    "written",
    "begun",
    "run",
    "put",
    "read",
    "cut",
    "shut",
    "hit",
    "left",
    "found",
    "seen",
    "known",
    "shown",
    "drawn",
    "thrown",
    "grown",
    "chosen",
    "frozen",
    "broken",
    "spoken",
    "stolen",
    "withdrawn",
    "forgotten",
    "hidden",
    "bound",
    "kept",
    "met",
    "felt",
    "dealt",
    "meant",
    "spent",
    "lent",
    "rebuilt",
    "split",
    "quit",
    "reset",
    "upset",
    "bid",
    "forecast",
    "broadcast",
    "overridden",
    "undone",
    "rewritten",
    "arisen",
    "driven",
    "ridden",
    "eaten",
    "fallen",
    "forgiven",
    "shaken",
    "sworn",
    "torn",
    "worn",
    "woken",
    "sent",
    "slept",
    "swept",
    "wept",
    "taught",
    "caught",
    "thought",
    "brought",
    "sought",
    "fought",
    "led",
    "fed",
    "fled",
    "sped",
    "shed",
    "hung",
    "struck",
    "stuck",
    "dug",
    "spun",
    "won",
    "shot",
    "lit",
    "laid",
    "said",
    "told",
    "sold",
    "heard",
    "understood",
];

/// Nouns ending in -ed.
const ED_NOUNS: &[&str] = &[
    "feed", "seed", "speed", "need", "bed", "red", "shed", "embed", "bleed", "breed",
];

pub(super) fn is_past(w: &str) -> bool {
    (w.len() > 3 && w.ends_with("ed") && !ED_NOUNS.contains(&w)) || IRREGULAR.contains(&w)
}

fn past_of(verb: &str) -> String {
    if let Some(p) = IRREGULAR_OF.iter().find(|(v, _)| *v == verb) {
        return p.1.to_string();
    }
    if verb.ends_with('e') {
        format!("{verb}d")
    } else if verb.ends_with('y')
        && verb.len() > 1
        && !matches!(verb.as_bytes()[verb.len() - 2], b'a' | b'e' | b'o' | b'u')
    {
        format!("{}ied", &verb[..verb.len() - 1])
    } else {
        format!("{verb}ed")
    }
}

const IRREGULAR_OF: &[(&str, &str)] = &[
    ("send", "sent"),
    ("pay", "paid"),
    ("make", "made"),
    ("do", "done"),
    ("build", "built"),
    ("sell", "sold"),
    ("buy", "bought"),
    ("put", "put"),
    ("set", "set"),
    ("get", "received"),
    ("run", "run"),
    ("stop", "stopped"),
    ("ship", "shipped"),
    ("submit", "submitted"),
    ("cancel", "cancelled"),
    ("change", "changed"),
];

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let allow = cx.option_strings(&EVENT_NAME_FACT, "allow", &[]);
    let extra_vague = cx.option_strings(&EVENT_NAME_FACT, "suffixes", &[]);
    for t in &ctx.events {
        if allow.iter().any(|a| *a == t.name || *a == t.full_name) {
            continue;
        }
        let w = words(&t.name);
        let (Some(first), Some(last)) = (w.first(), w.last()) else {
            continue;
        };
        let vague = VAGUE.contains(&last.as_str())
            || extra_vague.iter().any(|s| s.eq_ignore_ascii_case(last));
        let (kind, suggestion) = if vague && w.len() > 1 {
            let rest = &w[..w.len() - 1];
            if rest.last().is_some_and(|l| is_past(l)) {
                // `OrderPlacedEvent`: already a fact plus a container word.
                let s: String = rest.iter().map(|x| cap(x)).collect();
                ("ends in the container word", s)
            } else {
                let s: String = rest.iter().map(|x| cap(x)).collect();
                ("is a vague noun", format!("{s}Created`, `{s}Cancelled"))
            }
        } else if vague {
            (
                "is a vague noun",
                "OrderPlaced`, `PaymentRefunded".to_string(),
            )
        } else if is_past(last) {
            continue;
        } else if COMMANDS.contains(&first.as_str()) && w.len() > 1 {
            let mut s: String = w[1..].iter().map(|x| cap(x)).collect();
            s.push_str(&cap(&past_of(first)));
            ("is a command", s)
        } else {
            let mut s: String = w[..w.len() - 1].iter().map(|x| cap(x)).collect();
            s.push_str(&cap(&past_of(last)));
            ("is not in the past tense", s)
        };
        out.push(
            ctx.at_type(
                &EVENT_NAME_FACT,
                t,
                format!("event `{}` {kind}: name events as the fact that happened", t.name),
            )
            .help(format!(
                "rename to a past-tense fact such as `{suggestion}` (keep the old name as an alias while consumers move); if this is not an event, list the events in `[lint] events` or allow the name with `[lint.options.EVENT_NAME_FACT] allow`"
            )),
        );
    }
}
