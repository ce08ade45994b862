//! Field-level buf rules, fields paired by number inside messages paired by full name, and extensions by
//! (extendee, number): FIELD_SAME_NAME, FIELD_SAME_JSON_NAME, FIELD_SAME_TYPE, FIELD_WIRE_COMPATIBLE_TYPE,
//! FIELD_WIRE_JSON_COMPATIBLE_TYPE, FIELD_SAME_CARDINALITY, FIELD_WIRE_COMPATIBLE_CARDINALITY,
//! FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY, FIELD_SAME_ONEOF, FIELD_SAME_DEFAULT, FIELD_SAME_CPP_STRING_TYPE,
//! FIELD_SAME_JAVA_UTF8_VALIDATION, FIELD_SAME_JSTYPE, FIELD_SAME_UTF8_VALIDATION.

use super::{loc, sorted, Cx, Out};
use crate::finding::Location;
use crate::formats::protobuf::model::*;
use crate::formats::protobuf::rules::*;

struct Pair<'a> {
    of: &'a PFile,
    nf: &'a PFile,
    o: &'a PField,
    n: &'a PField,
    /// Message (or extendee) full name, for messages.
    owner: &'a str,
    map_entries: bool,
}

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    for name in sorted(&cx.old.messages) {
        let (of, om) = cx.old.messages[name];
        let Some(&(nf, nm)) = cx.new.messages.get(name) else {
            continue;
        };
        // New fields by number (the first one, as a search would find), built once per message.
        let mut by_number: std::collections::HashMap<i32, &PField> =
            std::collections::HashMap::with_capacity(nm.fields.len());
        for x in &nm.fields {
            by_number.entry(x.number).or_insert(x);
        }
        for o in &om.fields {
            if let Some(&n) = by_number.get(&o.number) {
                field_pair(
                    out,
                    &Pair {
                        of,
                        nf,
                        o,
                        n,
                        owner: &nm.full_name,
                        map_entries: om.map_entry && nm.map_entry,
                    },
                );
            }
        }
    }
    for key in sorted(&cx.old.extensions) {
        let (of, o) = cx.old.extensions[&key];
        if let Some(&(nf, n)) = cx.new.extensions.get(&key) {
            field_pair(
                out,
                &Pair {
                    of,
                    nf,
                    o,
                    n,
                    owner: key.0,
                    map_entries: false,
                },
            );
        }
    }
}

fn desc(f: &PField, owner: &str) -> String {
    if f.extendee.is_some() {
        format!(
            "extension `{}` (#{}) of message `{owner}`",
            f.full_name, f.number
        )
    } else {
        format!("field `{}` (#{}) of message `{owner}`", f.name, f.number)
    }
}

fn at(file: &PFile, span: Option<&Span>, f: &PField, owner: &str) -> Location {
    loc(file, span.unwrap_or(&f.span), format!("{owner}.{}", f.name))
}

/// buf's kind: group and message differ; everything else is the declared type.
fn kind(f: &PField) -> i32 {
    f.ty
}

fn pretty(f: &PField) -> String {
    match f.ty {
        TYPE_MESSAGE | TYPE_ENUM | TYPE_GROUP => f.type_name.clone(),
        t => type_str(t).to_string(),
    }
}

fn wire_group(t: i32) -> i32 {
    match t {
        5 | 3 | 13 | 4 | 8 => 1, // int32 int64 uint32 uint64 bool
        17 | 18 => 2,            // sint32 sint64
        9 => 3,                  // string
        12 => 4,                 // bytes
        7 | 15 => 5,             // fixed32 sfixed32
        6 | 16 => 6,             // fixed64 sfixed64
        1 => 7,                  // double
        2 => 8,                  // float
        10 => 9,                 // group
        11 => 10,                // message
        14 => 11,                // enum
        _ => 0,
    }
}

fn wire_json_group(t: i32) -> i32 {
    match t {
        5 | 13 => 1, // int32 uint32
        3 | 4 => 2,  // int64 uint64
        7 | 15 => 3, // fixed32 sfixed32
        6 | 16 => 4, // fixed64 sfixed64
        other => 100 + other,
    }
}

/// buf's cardinality names.
fn cardinality(f: &PField) -> &'static str {
    if f.label == LABEL_REPEATED {
        if f.is_map {
            "map"
        } else {
            "repeated"
        }
    } else if f.label == LABEL_REQUIRED {
        "required"
    } else if f.ty == TYPE_MESSAGE
        || f.ty == TYPE_GROUP
        || f.oneof.is_some()
        || f.extendee.is_some()
        || !f.proto3
        || f.proto3_optional
    {
        "optional with explicit presence"
    } else {
        "optional with implicit presence"
    }
}

fn card_wire(c: &str) -> u8 {
    match c {
        "required" => 2,
        "repeated" | "map" => 3,
        _ => 1,
    }
}

fn card_wire_json(c: &str) -> u8 {
    match c {
        "required" => 2,
        "repeated" => 3,
        "map" => 4,
        _ => 1,
    }
}

fn type_change(out: &mut Out, rule: &'static crate::rules::Rule, p: &Pair<'_>, extra: &str) {
    let named = |f: &PField| matches!(f.ty, TYPE_MESSAGE | TYPE_ENUM | TYPE_GROUP);
    let ns = if named(p.n) {
        p.n.type_name_span.as_ref()
    } else {
        p.n.type_span.as_ref()
    };
    let os = if named(p.o) {
        p.o.type_name_span.as_ref()
    } else {
        p.o.type_span.as_ref()
    };
    out.emit(
        rule,
        &p.nf.path,
        format!("{} changed type from \"{}\" to \"{}\"{extra}", desc(p.n, p.owner), pretty(p.o), pretty(p.n)),
        "restore the previous type; to change a type, add a new field with a new number and deprecate this one",
        Some(at(p.nf, ns.or(p.n.type_span.as_ref()), p.n, p.owner)),
        Some(at(p.of, os.or(p.o.type_span.as_ref()), p.o, p.owner)),
        &[&p.n.ignores, &p.o.ignores],
    );
}

fn named_type_change(out: &mut Out, rule: &'static crate::rules::Rule, p: &Pair<'_>) {
    out.emit(
        rule,
        &p.nf.path,
        format!("{} changed type from \"{}\" to \"{}\"", desc(p.n, p.owner), p.o.type_name, p.n.type_name),
        "restore the previous type; to change a type, add a new field with a new number and deprecate this one",
        Some(at(p.nf, p.n.type_name_span.as_ref(), p.n, p.owner)),
        Some(at(p.of, p.o.type_name_span.as_ref(), p.o, p.owner)),
        &[&p.n.ignores, &p.o.ignores],
    );
}

/// buf's enum check for wire rules: same short name and the old values a subset of the new ones.
fn enum_compatible(o: &PField, n: &PField) -> bool {
    o.enum_short == n.enum_short
        && o.enum_values
            .iter()
            .all(|v| n.enum_values.iter().any(|w| w == v))
}

fn field_pair(out: &mut Out, p: &Pair<'_>) {
    let (o, n) = (p.o, p.n);
    let ign = [&n.ignores, &o.ignores];
    // Names.
    let (on, nn) = if o.extendee.is_some() {
        (&o.full_name, &n.full_name)
    } else {
        (&o.name, &n.name)
    };
    if on != nn {
        out.emit(
            &FIELD_SAME_NAME,
            &p.nf.path,
            format!(
                "field #{} of message `{}` changed name from `{on}` to `{nn}`",
                n.number, p.owner
            ),
            &format!("restore the name `{on}`: JSON and generated code use it"),
            Some(at(p.nf, n.name_span.as_ref(), n, p.owner)),
            Some(at(p.of, o.name_span.as_ref(), o, p.owner)),
            &ign,
        );
    }
    if o.extendee.is_none() && o.json_name != n.json_name {
        out.emit(
            &FIELD_SAME_JSON_NAME,
            &p.nf.path,
            format!(
                "{} changed option \"json_name\" from \"{}\" to \"{}\"",
                desc(n, p.owner),
                o.json_name,
                n.json_name
            ),
            &format!(
                "restore `json_name = \"{}\"`: JSON readers look the field up by it",
                o.json_name
            ),
            Some(at(p.nf, n.json_name_span.as_ref(), n, p.owner)),
            Some(at(p.of, o.json_name_span.as_ref(), o, p.owner)),
            &ign,
        );
    }
    // Types.
    if kind(o) != kind(n) {
        type_change(out, &FIELD_SAME_TYPE, p, "");
    } else if matches!(n.ty, TYPE_MESSAGE | TYPE_ENUM | TYPE_GROUP) && o.type_name != n.type_name {
        named_type_change(out, &FIELD_SAME_TYPE, p);
    }
    let (ow, nw) = (wire_group(o.ty), wire_group(n.ty));
    if ow != nw {
        if !(o.ty == 9 && n.ty == 12) {
            let extra = if o.ty == 12 && n.ty == 9 {
                " (while string and bytes are compatible if the data is valid UTF-8, nothing enforces that a bytes field is UTF-8)"
            } else {
                ""
            };
            type_change(out, &FIELD_WIRE_COMPATIBLE_TYPE, p, extra);
        }
    } else if n.ty == TYPE_ENUM && o.type_name != n.type_name {
        if !enum_compatible(o, n) {
            named_type_change(out, &FIELD_WIRE_COMPATIBLE_TYPE, p);
        }
    } else if matches!(n.ty, TYPE_MESSAGE | TYPE_GROUP) && o.type_name != n.type_name {
        named_type_change(out, &FIELD_WIRE_COMPATIBLE_TYPE, p);
    }
    if wire_json_group(o.ty) != wire_json_group(n.ty) {
        type_change(out, &FIELD_WIRE_JSON_COMPATIBLE_TYPE, p, "");
    } else if n.ty == TYPE_ENUM && o.type_name != n.type_name {
        if !enum_compatible(o, n) {
            named_type_change(out, &FIELD_WIRE_JSON_COMPATIBLE_TYPE, p);
        }
    } else if matches!(n.ty, TYPE_MESSAGE | TYPE_GROUP) && o.type_name != n.type_name {
        named_type_change(out, &FIELD_WIRE_JSON_COMPATIBLE_TYPE, p);
    }
    // Cardinality (map entries are generated: skipped, as buf does).
    if !p.map_entries {
        let (oc, nc) = (cardinality(o), cardinality(n));
        let msg = format!(
            "{} changed cardinality from \"{oc}\" to \"{nc}\"",
            desc(n, p.owner)
        );
        let help =
            "restore the previous label; add a new field with a new number for the new cardinality";
        let here = Some(at(p.nf, None, n, p.owner));
        let there = Some(at(p.of, None, o, p.owner));
        if oc != nc {
            out.emit(
                &FIELD_SAME_CARDINALITY,
                &p.nf.path,
                msg.clone(),
                help,
                here.clone(),
                there.clone(),
                &ign,
            );
        }
        if card_wire(oc) != card_wire(nc) {
            out.emit(
                &FIELD_WIRE_COMPATIBLE_CARDINALITY,
                &p.nf.path,
                msg.clone(),
                help,
                here.clone(),
                there.clone(),
                &ign,
            );
        }
        if card_wire_json(oc) != card_wire_json(nc) {
            out.emit(
                &FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY,
                &p.nf.path,
                msg,
                help,
                here,
                there,
                &ign,
            );
        }
    }
    // Oneof membership (synthetic oneofs of proto3 `optional` do not count).
    if o.extendee.is_none() {
        let oo = o.oneof.as_deref().filter(|_| !o.oneof_synthetic);
        let no = n.oneof.as_deref().filter(|_| !n.oneof_synthetic);
        let msg = match (oo, no) {
            (Some(a), Some(b)) if a != b => Some(format!(
                "{} moved from oneof `{a}` to oneof `{b}`",
                desc(n, p.owner)
            )),
            (Some(_), None) => Some(format!(
                "{} moved from inside to outside a oneof",
                desc(n, p.owner)
            )),
            (None, Some(_)) => Some(format!(
                "{} moved from outside to inside a oneof",
                desc(n, p.owner)
            )),
            _ => None,
        };
        if let Some(msg) = msg {
            out.emit(
                &FIELD_SAME_ONEOF,
                &p.nf.path,
                msg,
                "restore the previous oneof membership: moving fields in or out of a oneof changes which values can be set together",
                Some(at(p.nf, None, n, p.owner)),
                Some(at(p.of, None, o, p.owner)),
                &ign,
            );
        }
    }
    // Defaults (proto2 scalars only).
    if can_have_default(o) && can_have_default(n) {
        let (od, nd) = (effective_default(o), effective_default(n));
        if (o.default.is_some() || n.default.is_some()) && od != nd {
            out.emit(
                &FIELD_SAME_DEFAULT,
                &p.nf.path,
                format!("{} changed default value from {} to {}", desc(n, p.owner), od.1, nd.1),
                "restore the previous default: readers fill it in for absent values, so old and new readers would disagree",
                Some(at(p.nf, n.default_span.as_ref(), n, p.owner)),
                Some(at(p.of, o.default_span.as_ref(), o, p.owner)),
                &ign,
            );
        }
    }
    // C++ string type (string/bytes, not in map entries): STRING 0, CORD 1, STRING_PIECE 2.
    let sb = |f: &PField| f.ty == 9 || f.ty == 12;
    if !p.map_entries && sb(o) && sb(n) {
        let (oc, nc) = (o.ctype.unwrap_or(0), n.ctype.unwrap_or(0));
        if oc != nc && !(oc == 2 && nc == 0) {
            let name = |c: i32| match c {
                1 => "CORD",
                2 => "STRING_PIECE",
                _ => "STRING",
            };
            out.emit(
                &FIELD_SAME_CPP_STRING_TYPE,
                &p.nf.path,
                format!(
                    "{} changed C++ string type from \"{}\" to \"{}\"",
                    desc(n, p.owner),
                    name(oc),
                    name(nc)
                ),
                "restore the previous `ctype`: generated C++ accessors change with it",
                Some(at(p.nf, n.ctype_span.as_ref(), n, p.owner)),
                Some(at(p.of, o.ctype_span.as_ref(), o, p.owner)),
                &ign,
            );
        }
    }
    if o.ty == 9 && n.ty == 9 {
        // proto3 strings are always validated (their utf8_validation feature is VERIFY); proto2 strings follow
        // the `java_string_check_utf8` file option.
        let java = |f: &PFile, fld: &PField| {
            if fld.proto3 || f.opts.java_string_check_utf8.unwrap_or(false) {
                "VERIFY"
            } else {
                "DEFAULT"
            }
        };
        let (oj, nj) = (java(p.of, o), java(p.nf, n));
        if oj != nj {
            out.emit(
                &FIELD_SAME_JAVA_UTF8_VALIDATION,
                &p.nf.path,
                format!(
                    "{} changed Java string UTF8 validation from \"{oj}\" to \"{nj}\"",
                    desc(n, p.owner)
                ),
                "restore the previous `java_string_check_utf8` file option",
                Some(at(p.nf, p.nf.opt_span(27).as_ref(), n, p.owner)),
                Some(at(p.of, p.of.opt_span(27).as_ref(), o, p.owner)),
                &ign,
            );
        }
        let utf8 = |f: &PField| if f.proto3 { "VERIFY" } else { "NONE" };
        if utf8(o) != utf8(n) {
            out.emit(
                &FIELD_SAME_UTF8_VALIDATION,
                &p.nf.path,
                format!("{} changed UTF8 validation from {} to {}", desc(n, p.owner), utf8(o), utf8(n)),
                "keep the file's syntax: proto3 parsers reject invalid UTF-8 in strings, proto2 parsers accept it",
                Some(at(p.nf, None, n, p.owner)),
                Some(at(p.of, None, o, p.owner)),
                &ign,
            );
        }
    }
    let is64 = |t: i32| matches!(t, 3 | 4 | 6 | 16 | 18);
    if is64(o.ty) && is64(n.ty) && o.jstype.unwrap_or(0) != n.jstype.unwrap_or(0) {
        let name = |j: i32| match j {
            1 => "JS_STRING",
            2 => "JS_NUMBER",
            _ => "JS_NORMAL",
        };
        out.emit(
            &FIELD_SAME_JSTYPE,
            &p.nf.path,
            format!(
                "{} changed option \"jstype\" from \"{}\" to \"{}\"",
                desc(n, p.owner),
                name(o.jstype.unwrap_or(0)),
                name(n.jstype.unwrap_or(0))
            ),
            "restore the previous `jstype`: generated JavaScript represents the value differently",
            Some(at(p.nf, n.jstype_span.as_ref(), n, p.owner)),
            Some(at(p.of, o.jstype_span.as_ref(), o, p.owner)),
            &ign,
        );
    }
}

fn can_have_default(f: &PField) -> bool {
    f.label != LABEL_REPEATED && !matches!(f.ty, TYPE_MESSAGE | TYPE_GROUP) && !f.proto3
}

/// A comparable form of the default (explicit or implied) and its printable form.
fn effective_default(f: &PField) -> (String, String) {
    let raw = match &f.default {
        Some(d) => d.clone(),
        None => match f.ty {
            9 | 12 => String::new(),
            8 => "false".into(),
            TYPE_ENUM => f
                .enum_values
                .first()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            _ => "0".into(),
        },
    };
    let key = match f.ty {
        1 | 2 => raw
            .parse::<f64>()
            .map(|v| format!("{v:?}"))
            .unwrap_or_else(|_| raw.clone()),
        3 | 4 | 5 | 6 | 7 | 13 | 15 | 16 | 17 | 18 => raw
            .parse::<i128>()
            .map(|v| v.to_string())
            .unwrap_or_else(|_| raw.clone()),
        _ => raw.clone(),
    };
    let printable = match f.ty {
        9 | 12 => format!("\"{raw}\""),
        _ => raw,
    };
    (format!("{}:{key}", f.ty == TYPE_ENUM), printable)
}
