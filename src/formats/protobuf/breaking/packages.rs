//! Package-level buf rules (category PACKAGE): PACKAGE_NO_DELETE, PACKAGE_MESSAGE_NO_DELETE,
//! PACKAGE_ENUM_NO_DELETE, PACKAGE_EXTENSION_NO_DELETE, PACKAGE_SERVICE_NO_DELETE. An element may move between
//! files of its package; only leaving the package is flagged.

use std::collections::{BTreeMap, BTreeSet};

use super::{deleted_anchor, loc, Cx, Out};
use crate::finding::Location;
use crate::formats::protobuf::model::*;
use crate::formats::protobuf::rules::*;

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    // Packages come from every file of each snapshot (the syntax pass), compiled or not.
    let packages = |s: &super::ProtoSnap| -> BTreeMap<String, Vec<usize>> {
        let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, sum) in s.summaries.iter().enumerate() {
            if !sum.broken {
                m.entry(sum.package.clone()).or_default().push(i);
            }
        }
        m
    };
    let (op, np) = (packages(cx.old_snap), packages(cx.new_snap));
    for (pkg, files) in &op {
        if np.contains_key(pkg) {
            continue;
        }
        let Some(&first) = files.first() else {
            continue;
        };
        let f = &cx.old_snap.files[first];
        let span = cx.old_snap.summaries[first]
            .package_span
            .clone()
            .unwrap_or(0..0);
        out.emit(
            &PACKAGE_NO_DELETE,
            &f.path,
            format!("package `{pkg}` was deleted"),
            "restore at least one file of the package, or keep the package until no client uses it",
            None,
            Some(Location::new(f, span).with_pointer(pkg.clone())),
            &[],
        );
    }
    // Element deletions from packages that still exist.
    let new_names = |pick: &dyn Fn(&PFile) -> Vec<String>| -> BTreeSet<(String, String)> {
        cx.new
            .files
            .values()
            .flat_map(|f| pick(f).into_iter().map(|n| (f.package.clone(), n)))
            .collect()
    };
    type Pick = fn(&PFile) -> Vec<String>;
    let kinds: [(&'static crate::rules::Rule, &str, Pick); 4] = [
        (&PACKAGE_MESSAGE_NO_DELETE, "message", |f| {
            f.messages.iter().map(|m| m.nested_name.clone()).collect()
        }),
        (&PACKAGE_ENUM_NO_DELETE, "enum", |f| {
            f.enums.iter().map(|e| e.nested_name.clone()).collect()
        }),
        (&PACKAGE_SERVICE_NO_DELETE, "service", |f| {
            f.services.iter().map(|s| s.name.clone()).collect()
        }),
        (&PACKAGE_EXTENSION_NO_DELETE, "extension", |f| {
            f.extensions
                .iter()
                .map(|x| {
                    x.full_name
                        .strip_prefix(&format!("{}.", f.package))
                        .unwrap_or(&x.full_name)
                        .to_string()
                })
                .collect()
        }),
    ];
    for (rule, what, pick) in kinds {
        if !out.on(rule) {
            continue;
        }
        let present = new_names(&pick);
        for of in cx.old.files.values() {
            if !np.contains_key(&of.package) {
                continue;
            }
            for name in pick(of) {
                if present.contains(&(of.package.clone(), name.clone())) {
                    continue;
                }
                let (span, ign) = element(of, what, &name);
                let new = cx.new.files.get(&of.path).map(|nf| {
                    if what == "service" {
                        loc(nf, &nf.head_span(), nf.path.clone())
                    } else {
                        deleted_anchor(nf, &name)
                    }
                });
                let full = if of.package.is_empty() {
                    name.clone()
                } else {
                    format!("{}.{name}", of.package)
                };
                out.emit(
                    rule,
                    &of.path,
                    format!("{what} `{name}` was deleted from package `{}`", of.package),
                    &format!("restore the {what} in any file of package `{}`", of.package),
                    new,
                    Some(loc(of, &span, full)),
                    &[&ign],
                );
            }
        }
    }
}

fn element(f: &PFile, what: &str, name: &str) -> (Span, Ignores) {
    let found = match what {
        "message" => f
            .messages
            .iter()
            .find(|m| m.nested_name == name)
            .map(|m| (m.span.clone(), m.ignores.clone())),
        "enum" => f
            .enums
            .iter()
            .find(|e| e.nested_name == name)
            .map(|e| (e.span.clone(), e.ignores.clone())),
        "service" => f
            .services
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.span.clone(), s.ignores.clone())),
        _ => f
            .extensions
            .iter()
            .find(|x| x.full_name.ends_with(name))
            .map(|x| (x.span.clone(), x.ignores.clone())),
    };
    found.unwrap_or_else(|| (f.head_span(), f.ignores.clone()))
}
