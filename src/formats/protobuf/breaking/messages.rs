//! Message-level buf rules, messages paired by full name across the snapshot: FIELD_NO_DELETE and its
//! `_UNLESS_NUMBER_RESERVED` / `_UNLESS_NAME_RESERVED` variants, ONEOF_NO_DELETE, EXTENSION_MESSAGE_NO_DELETE,
//! RESERVED_MESSAGE_NO_DELETE, MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR, MESSAGE_SAME_REQUIRED_FIELDS,
//! MESSAGE_SAME_JSON_FORMAT.

use super::{loc, sorted, Cx, Out};
use crate::finding::Location;
use crate::formats::protobuf::model::*;
use crate::formats::protobuf::rules::*;
use crate::rules::Rule;

pub(crate) const MESSAGE_MAX: i32 = 536_870_911;
pub(crate) const MESSAGE_SET_MAX: i32 = 2_147_483_646;
pub(crate) const ENUM_MAX: i32 = i32::MAX;

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    for name in sorted(&cx.old.messages) {
        let (of, om) = cx.old.messages[name];
        let Some(&(nf, nm)) = cx.new.messages.get(name) else {
            continue;
        };
        let new_loc = loc(nf, &nm.span, nm.full_name.clone());
        let old_loc = loc(of, &om.span, om.full_name.clone());
        // Deleted fields (new numbers and reserved names looked up in sets built once per message).
        let numbers: std::collections::HashSet<i32> = nm.fields.iter().map(|x| x.number).collect();
        let reserved_names: std::collections::HashSet<&str> =
            nm.reserved_names.iter().map(|(n, _)| n.as_str()).collect();
        for f in &om.fields {
            if numbers.contains(&f.number) {
                continue;
            }
            let base = format!(
                "field `{}` (#{}) of message `{}` was deleted",
                f.name, f.number, nm.full_name
            );
            let old_f = Some(loc(of, &f.span, format!("{}.{}", om.full_name, f.name)));
            let ign = [&f.ignores, &nm.ignores];
            out.emit(
                &FIELD_NO_DELETE,
                &nf.path,
                base.clone(),
                &format!("restore the field, or mark it `[deprecated = true]`; if it must go, reserve it: `reserved {}; reserved \"{}\";`", f.number, f.name),
                Some(new_loc.clone()),
                old_f.clone(),
                &ign,
            );
            let num_reserved = nm
                .reserved_ranges
                .iter()
                .any(|(s, e, _)| f.number >= *s && f.number < *e);
            if !num_reserved {
                out.emit(
                    &FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED,
                    &nf.path,
                    format!("{base} without reserving the number {}", f.number),
                    &format!(
                        "reserve the number so it is never reused: `reserved {};`",
                        f.number
                    ),
                    Some(new_loc.clone()),
                    old_f.clone(),
                    &ign,
                );
            }
            if !reserved_names.contains(f.name.as_str()) {
                out.emit(
                    &FIELD_NO_DELETE_UNLESS_NAME_RESERVED,
                    &nf.path,
                    format!("{base} without reserving the name `{}`", f.name),
                    &format!(
                        "reserve the name so JSON readers never see it reused: `reserved \"{}\";`",
                        f.name
                    ),
                    Some(new_loc.clone()),
                    old_f.clone(),
                    &ign,
                );
            }
        }
        // Deleted oneofs (synthetic ones of proto3 `optional` are left to the cardinality rules).
        for o in om.oneofs.iter().filter(|o| !o.synthetic) {
            if !nm.oneofs.iter().any(|x| x.name == o.name) {
                out.emit(
                    &ONEOF_NO_DELETE,
                    &nf.path,
                    format!(
                        "oneof `{}` of message `{}` was deleted",
                        o.name, nm.full_name
                    ),
                    "restore the oneof: generated code exposes it as an accessor",
                    Some(new_loc.clone()),
                    Some(loc(of, &o.span, format!("{}.{}", om.full_name, o.name))),
                    &[&nm.ignores, &om.ignores],
                );
            }
        }
        let max = if om.message_set_wire_format {
            MESSAGE_SET_MAX
        } else {
            MESSAGE_MAX
        };
        let incl = |v: &[(i32, i32, Span)]| -> Vec<(i32, i32)> {
            v.iter()
                .map(|(s, e, _)| (*s, e.saturating_sub(1)))
                .collect()
        };
        // The old ranges, each located at its own statement (the element that lost values).
        let old_incl = |v: &[(i32, i32, Span)]| -> Vec<(i32, i32, Location)> {
            v.iter()
                .map(|(s, e, span)| (*s, e.saturating_sub(1), loc(of, span, om.full_name.clone())))
                .collect()
        };
        tag_ranges(
            out,
            &EXTENSION_MESSAGE_NO_DELETE,
            "extension",
            "message",
            &nm.full_name,
            &nf.path,
            &old_incl(&om.extension_ranges),
            &incl(&nm.extension_ranges),
            max,
            &new_loc,
            &[&nm.ignores, &om.ignores],
        );
        tag_ranges(
            out,
            &RESERVED_MESSAGE_NO_DELETE,
            "reserved",
            "message",
            &nm.full_name,
            &nf.path,
            &old_incl(&om.reserved_ranges),
            &incl(&nm.reserved_ranges),
            max,
            &new_loc,
            &[&nm.ignores, &om.ignores],
        );
        for (n, span) in &om.reserved_names {
            if !reserved_names.contains(n.as_str()) {
                out.emit(
                    &RESERVED_MESSAGE_NO_DELETE,
                    &nf.path,
                    format!(
                        "reserved name `{n}` of message `{}` was deleted",
                        nm.full_name
                    ),
                    &format!("keep `reserved \"{n}\";` so the name is never reused"),
                    Some(new_loc.clone()),
                    Some(loc(of, span, om.full_name.clone())),
                    &[&nm.ignores, &om.ignores],
                );
            }
        }
        if !om.no_standard_descriptor_accessor && nm.no_standard_descriptor_accessor {
            out.emit(
                &MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR,
                &nf.path,
                format!(
                    "message option \"no_standard_descriptor_accessor\" of `{}` changed from \"false\" to \"true\"",
                    nm.full_name
                ),
                "remove the option: it deletes the generated `descriptor()` accessor that code may call",
                Some(nm.nsda_span.as_ref().map(|s| loc(nf, s, nm.full_name.clone())).unwrap_or(new_loc.clone())),
                Some(old_loc.clone()),
                &[&nm.ignores, &om.ignores],
            );
        }
        // Required fields added or deleted.
        for f in om.fields.iter().filter(|f| f.label == LABEL_REQUIRED) {
            if !nm
                .fields
                .iter()
                .any(|x| x.label == LABEL_REQUIRED && x.number == f.number)
            {
                out.emit(
                    &MESSAGE_SAME_REQUIRED_FIELDS,
                    &nf.path,
                    format!("message `{}` had required field `{}` (#{}) deleted", om.full_name, f.name, f.number),
                    "required fields must always be sent: keep the field required, or make both sides agree before removing it",
                    // The field itself when it is still there (no longer required), else its message.
                    Some(
                        nm.fields
                            .iter()
                            .find(|x| x.number == f.number)
                            .map_or(new_loc.clone(), |x| loc(nf, &x.span, format!("{}.{}", nm.full_name, x.name))),
                    ),
                    Some(loc(of, &f.span, format!("{}.{}", om.full_name, f.name))),
                    &[&f.ignores, &nm.ignores],
                );
            }
        }
        for f in nm.fields.iter().filter(|f| f.label == LABEL_REQUIRED) {
            if !om
                .fields
                .iter()
                .any(|x| x.label == LABEL_REQUIRED && x.number == f.number)
            {
                out.emit(
                    &MESSAGE_SAME_REQUIRED_FIELDS,
                    &nf.path,
                    format!("message `{}` had required field `{}` (#{}) added", nm.full_name, f.name, f.number),
                    "old writers never send this field, so new readers reject their data: make it optional",
                    Some(loc(nf, &f.span, format!("{}.{}", nm.full_name, f.name))),
                    // The field when it was there before (not required), else its message.
                    Some(
                        om.fields
                            .iter()
                            .find(|x| x.number == f.number)
                            .map_or(old_loc.clone(), |x| loc(of, &x.span, format!("{}.{}", om.full_name, x.name))),
                    ),
                    &[&f.ignores, &nm.ignores],
                );
            }
        }
        // JSON format: ALLOW for proto3, LEGACY_BEST_EFFORT for proto2.
        if om.proto3 && !nm.proto3 {
            out.emit(
                &MESSAGE_SAME_JSON_FORMAT,
                &nf.path,
                format!(
                    "message `{}` JSON format support changed from ALLOW to LEGACY_BEST_EFFORT",
                    nm.full_name
                ),
                "keep the file on proto3 syntax so the JSON mapping stays fully supported",
                Some(new_loc.clone()),
                Some(old_loc.clone()),
                &[&nm.ignores, &om.ignores],
            );
        }
    }
}

/// buf's `checkTagRanges`: each previous range must still be covered by the union of the new ranges.
#[allow(clippy::too_many_arguments)]
pub(crate) fn tag_ranges(
    out: &mut Out,
    rule: &'static Rule,
    range_kind: &str,
    element_kind: &str,
    element: &str,
    subject: &str,
    previous: &[(i32, i32, Location)],
    current: &[(i32, i32)],
    max: i32,
    new_loc: &Location,
    ignores: &[&Ignores],
) {
    if previous.is_empty() {
        return;
    }
    let mut cur: Vec<(i64, i64)> = current
        .iter()
        .map(|(s, e)| (i64::from(*s), i64::from(*e)))
        .collect();
    cur.sort();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (s, e) in cur {
        match merged.last_mut() {
            Some(last) if s <= last.1 + 1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    for (ps, pe, old_at) in previous {
        let (mut start, end) = (i64::from(*ps), i64::from(*pe));
        let mut missing = Vec::new();
        for (s, e) in &merged {
            if *e < start {
                continue;
            }
            if *s > end {
                break;
            }
            if start < *s {
                missing.push((start, s - 1));
            }
            start = e + 1;
            if start > end {
                break;
            }
        }
        if start <= end {
            missing.push((start, end));
        }
        if missing.is_empty() {
            continue;
        }
        let show = |s: i64, e: i64| {
            if s == e {
                format!("[{s}]")
            } else if e == i64::from(max) {
                format!("[{s},max]")
            } else {
                format!("[{s},{e}]")
            }
        };
        let prev = if ps == pe {
            format!("{ps}")
        } else {
            format!("{ps} to {pe}")
        };
        let removed: Vec<String> = missing.iter().map(|(s, e)| show(*s, *e)).collect();
        out.emit(
            rule,
            subject,
            format!(
                "previously present {range_kind} range \"{prev}\" of {element_kind} `{element}` is missing values: {} were removed",
                removed.join(", ")
            ),
            &format!("restore the {range_kind} range"),
            Some(new_loc.clone()),
            Some(old_at.clone()),
            ignores,
        );
    }
}
