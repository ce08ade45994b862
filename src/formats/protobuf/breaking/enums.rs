//! Enum-level buf rules, enums paired by full name: ENUM_VALUE_NO_DELETE and its `_UNLESS_NUMBER_RESERVED` /
//! `_UNLESS_NAME_RESERVED` variants, ENUM_VALUE_SAME_NAME, ENUM_SAME_TYPE, ENUM_SAME_JSON_FORMAT,
//! RESERVED_ENUM_NO_DELETE.

use std::collections::BTreeMap;

use super::messages::{tag_ranges, ENUM_MAX};
use super::{loc, sorted, Cx, Out};
use crate::finding::Location;
use crate::formats::protobuf::model::*;
use crate::formats::protobuf::rules::*;

fn by_num(e: &PEnum) -> BTreeMap<i32, Vec<&PEnumValue>> {
    let mut m: BTreeMap<i32, Vec<&PEnumValue>> = BTreeMap::new();
    for v in &e.values {
        m.entry(v.number).or_default().push(v);
    }
    m
}

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    for name in sorted(&cx.old.enums) {
        let (of, oe) = cx.old.enums[name];
        let Some(&(nf, ne)) = cx.new.enums.get(name) else {
            continue;
        };
        let new_loc = loc(nf, &ne.span, ne.full_name.clone());
        let old_loc = loc(of, &oe.span, oe.full_name.clone());
        let ign = [&ne.ignores, &oe.ignores];
        let (om, nm) = (by_num(oe), by_num(ne));
        let reserved_names: std::collections::HashSet<&str> =
            ne.reserved_names.iter().map(|(n, _)| n.as_str()).collect();
        for (num, ovals) in &om {
            let first = ovals[0];
            let vign = [&first.ignores, &ne.ignores];
            match nm.get(num) {
                None => {
                    let names: Vec<String> =
                        ovals.iter().map(|v| format!("`{}`", v.name)).collect();
                    let base = format!(
                        "enum value {} ({num}) of enum `{}` was deleted",
                        names.join(", "),
                        ne.full_name
                    );
                    let old_v = Some(loc(
                        of,
                        &first.span,
                        format!("{}.{}", oe.full_name, first.name),
                    ));
                    out.emit(
                        &ENUM_VALUE_NO_DELETE,
                        &nf.path,
                        base.clone(),
                        &format!("restore the value, or deprecate it; if it must go, reserve it: `reserved {num}; reserved \"{}\";`", first.name),
                        Some(new_loc.clone()),
                        old_v.clone(),
                        &vign,
                    );
                    if !ne
                        .reserved_ranges
                        .iter()
                        .any(|(s, e, _)| num >= s && num <= e)
                    {
                        out.emit(
                            &ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED,
                            &nf.path,
                            format!("{base} without reserving the number {num}"),
                            &format!("reserve the number so it is never reused: `reserved {num};`"),
                            Some(new_loc.clone()),
                            old_v.clone(),
                            &vign,
                        );
                    }
                    if !ovals
                        .iter()
                        .all(|v| reserved_names.contains(v.name.as_str()))
                    {
                        let quoted: Vec<String> =
                            ovals.iter().map(|v| format!("\"{}\"", v.name)).collect();
                        out.emit(
                            &ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED,
                            &nf.path,
                            format!("{base} without reserving the name{} {}", if ovals.len() > 1 { "s" } else { "" }, quoted.join(", ")),
                            &format!("reserve the name so JSON readers never see it reused: `reserved {};`", quoted.join(", ")),
                            Some(new_loc.clone()),
                            old_v,
                            &vign,
                        );
                    }
                }
                Some(nvals) => {
                    let mut onames: Vec<&str> = ovals.iter().map(|v| v.name.as_str()).collect();
                    let mut nnames: Vec<&str> = nvals.iter().map(|v| v.name.as_str()).collect();
                    onames.sort_unstable();
                    nnames.sort_unstable();
                    if !onames.iter().all(|n| nnames.contains(n)) {
                        let q = |v: &[&str]| {
                            v.iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        };
                        for nv in nvals {
                            let ov = ovals
                                .iter()
                                .find(|v| v.name == nv.name)
                                .copied()
                                .unwrap_or(first);
                            out.emit(
                                &ENUM_VALUE_SAME_NAME,
                                &nf.path,
                                format!(
                                    "enum value {num} of enum `{}` changed name from {} to {}",
                                    ne.full_name,
                                    q(&onames),
                                    q(&nnames)
                                ),
                                "restore the previous name: JSON and text formats use it; add an alias with `option allow_alias = true` if you need both",
                                Some(loc(nf, nv.number_span.as_ref().unwrap_or(&nv.span), format!("{}.{}", ne.full_name, nv.name))),
                                Some(loc(of, ov.number_span.as_ref().unwrap_or(&ov.span), format!("{}.{}", oe.full_name, ov.name))),
                                &[&nv.ignores, &ov.ignores, &ne.ignores],
                            );
                        }
                    }
                }
            }
        }
        if oe.closed != ne.closed {
            let (a, b) = if oe.closed {
                ("closed", "open")
            } else {
                ("open", "closed")
            };
            out.emit(
                &ENUM_SAME_TYPE,
                &nf.path,
                format!("enum `{}` changed from {a} to {b}", ne.full_name),
                "keep the file's syntax: proto2 enums are closed (unknown values become unknown fields), proto3 enums are open",
                Some(new_loc.clone()),
                Some(old_loc.clone()),
                &ign,
            );
        }
        if !oe.closed && ne.closed {
            out.emit(
                &ENUM_SAME_JSON_FORMAT,
                &nf.path,
                format!(
                    "enum `{}` JSON format support changed from ALLOW to LEGACY_BEST_EFFORT",
                    ne.full_name
                ),
                "keep the file on proto3 syntax so the JSON mapping stays fully supported",
                Some(new_loc.clone()),
                Some(old_loc.clone()),
                &ign,
            );
        }
        let r = |e: &PEnum| -> Vec<(i32, i32)> {
            e.reserved_ranges.iter().map(|(s, e, _)| (*s, *e)).collect()
        };
        let old_ranges: Vec<(i32, i32, Location)> = oe
            .reserved_ranges
            .iter()
            .map(|(s, e, span)| (*s, *e, loc(of, span, oe.full_name.clone())))
            .collect();
        tag_ranges(
            out,
            &RESERVED_ENUM_NO_DELETE,
            "reserved",
            "enum",
            &ne.full_name,
            &nf.path,
            &old_ranges,
            &r(ne),
            ENUM_MAX,
            &new_loc,
            &ign,
        );
        for (n, span) in &oe.reserved_names {
            if !reserved_names.contains(n.as_str()) {
                out.emit(
                    &RESERVED_ENUM_NO_DELETE,
                    &nf.path,
                    format!("reserved name `{n}` of enum `{}` was deleted", ne.full_name),
                    &format!("keep `reserved \"{n}\";` so the name is never reused"),
                    Some(new_loc.clone()),
                    Some(loc(of, span, oe.full_name.clone())),
                    &ign,
                );
            }
        }
    }
}
