//! File-level buf rules: FILE_NO_DELETE, FILE_SAME_PACKAGE, FILE_SAME_SYNTAX, the FILE_SAME_<OPTION> family, and
//! the per-file deletion rules MESSAGE_NO_DELETE, ENUM_NO_DELETE, EXTENSION_NO_DELETE, SERVICE_NO_DELETE.

use super::{deleted_anchor, loc, text_ignores, Cx, Out};
use crate::finding::Location;
use crate::formats::protobuf::model::PFile;
use crate::formats::protobuf::rules::*;
use crate::rules::Rule;

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    // One file on each side (`compat old.proto new.proto`): the two are the same file under two names.
    if cx.old_snap.files.len() == 1 && cx.new_snap.files.len() == 1 {
        if let (Some(old), Some(new)) = (cx.old.files.values().next(), cx.new.files.values().next())
        {
            pair(out, old, new);
        }
        return;
    }
    // Deleted files: every old path missing from the new snapshot (compiled or not).
    if out.on(&FILE_NO_DELETE) {
        for (i, f) in cx.old_snap.files.iter().enumerate() {
            if cx.new_snap.index.contains_key(&f.path) || text_ignores(&f.text, &FILE_NO_DELETE) {
                continue;
            }
            let span = cx.old_snap.summaries[i]
                .package_span
                .clone()
                .unwrap_or(0..0);
            out.emit(
                &FILE_NO_DELETE,
                &f.path,
                format!("file `{}` was deleted", f.path),
                "restore the file; if its types moved, keep re-exporting them from this path (FILE category) or check with --breaking PACKAGE",
                None,
                Some(Location::new(f, span).with_pointer(f.path.clone())),
                &[],
            );
        }
    }
    for (path, old) in cx.old.files {
        let Some(new) = cx.new.files.get(path) else {
            continue;
        };
        pair(out, old, new);
    }
}

#[allow(clippy::too_many_arguments)]
fn same_value(
    out: &mut Out,
    rule: &'static Rule,
    what: &str,
    old: &PFile,
    new: &PFile,
    ov: String,
    nv: String,
    opt: Option<i32>,
) {
    if ov == nv {
        return;
    }
    let (ns, os) = match opt {
        Some(n) => (
            new.opt_span(n).unwrap_or_else(|| new.head_span()),
            old.opt_span(n).unwrap_or_else(|| old.head_span()),
        ),
        None if what == "syntax" => (
            new.syntax_span.clone().unwrap_or(0..0),
            old.syntax_span.clone().unwrap_or(0..0),
        ),
        None => (new.head_span(), old.head_span()),
    };
    out.emit(
        rule,
        &new.path,
        format!(
            "{what} of file `{}` changed from \"{ov}\" to \"{nv}\"",
            new.path
        ),
        &format!("restore the previous {what}: generated code and existing clients depend on it"),
        Some(loc(new, &ns, new.path.clone())),
        Some(loc(old, &os, old.path.clone())),
        &[&new.ignores, &old.ignores],
    );
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}
fn b(v: Option<bool>, default: bool) -> String {
    v.unwrap_or(default).to_string()
}

fn optimize(v: Option<i32>) -> String {
    match v.unwrap_or(1) {
        2 => "CODE_SIZE",
        3 => "LITE_RUNTIME",
        _ => "SPEED",
    }
    .to_string()
}

fn pair(out: &mut Out, old: &PFile, new: &PFile) {
    let (o, n) = (&old.opts, &new.opts);
    same_value(
        out,
        &FILE_SAME_PACKAGE,
        "package",
        old,
        new,
        old.package.clone(),
        new.package.clone(),
        None,
    );
    same_value(
        out,
        &FILE_SAME_SYNTAX,
        "syntax",
        old,
        new,
        old.syntax.clone(),
        new.syntax.clone(),
        None,
    );
    let list: [(&'static Rule, &str, String, String, i32); 16] = [
        (
            &FILE_SAME_JAVA_PACKAGE,
            "option \"java_package\"",
            s(&o.java_package),
            s(&n.java_package),
            1,
        ),
        (
            &FILE_SAME_JAVA_OUTER_CLASSNAME,
            "option \"java_outer_classname\"",
            s(&o.java_outer_classname),
            s(&n.java_outer_classname),
            8,
        ),
        (
            &FILE_SAME_OPTIMIZE_FOR,
            "option \"optimize_for\"",
            optimize(o.optimize_for),
            optimize(n.optimize_for),
            9,
        ),
        (
            &FILE_SAME_JAVA_MULTIPLE_FILES,
            "option \"java_multiple_files\"",
            b(o.java_multiple_files, false),
            b(n.java_multiple_files, false),
            10,
        ),
        (
            &FILE_SAME_GO_PACKAGE,
            "option \"go_package\"",
            s(&o.go_package),
            s(&n.go_package),
            11,
        ),
        (
            &FILE_SAME_CC_GENERIC_SERVICES,
            "option \"cc_generic_services\"",
            b(o.cc_generic_services, false),
            b(n.cc_generic_services, false),
            16,
        ),
        (
            &FILE_SAME_JAVA_GENERIC_SERVICES,
            "option \"java_generic_services\"",
            b(o.java_generic_services, false),
            b(n.java_generic_services, false),
            17,
        ),
        (
            &FILE_SAME_PY_GENERIC_SERVICES,
            "option \"py_generic_services\"",
            b(o.py_generic_services, false),
            b(n.py_generic_services, false),
            18,
        ),
        (
            &FILE_SAME_CC_ENABLE_ARENAS,
            "option \"cc_enable_arenas\"",
            b(o.cc_enable_arenas, true),
            b(n.cc_enable_arenas, true),
            31,
        ),
        (
            &FILE_SAME_OBJC_CLASS_PREFIX,
            "option \"objc_class_prefix\"",
            s(&o.objc_class_prefix),
            s(&n.objc_class_prefix),
            36,
        ),
        (
            &FILE_SAME_CSHARP_NAMESPACE,
            "option \"csharp_namespace\"",
            s(&o.csharp_namespace),
            s(&n.csharp_namespace),
            37,
        ),
        (
            &FILE_SAME_SWIFT_PREFIX,
            "option \"swift_prefix\"",
            s(&o.swift_prefix),
            s(&n.swift_prefix),
            39,
        ),
        (
            &FILE_SAME_PHP_CLASS_PREFIX,
            "option \"php_class_prefix\"",
            s(&o.php_class_prefix),
            s(&n.php_class_prefix),
            40,
        ),
        (
            &FILE_SAME_PHP_NAMESPACE,
            "option \"php_namespace\"",
            s(&o.php_namespace),
            s(&n.php_namespace),
            41,
        ),
        (
            &FILE_SAME_PHP_METADATA_NAMESPACE,
            "option \"php_metadata_namespace\"",
            s(&o.php_metadata_namespace),
            s(&n.php_metadata_namespace),
            44,
        ),
        (
            &FILE_SAME_RUBY_PACKAGE,
            "option \"ruby_package\"",
            s(&o.ruby_package),
            s(&n.ruby_package),
            45,
        ),
    ];
    for (rule, what, ov, nv, num) in list {
        same_value(out, rule, what, old, new, ov, nv, Some(num));
    }

    // Per-file deletions, by name inside the package (new names in sets built once).
    let new_messages: std::collections::HashSet<&str> = new
        .messages
        .iter()
        .map(|x| x.nested_name.as_str())
        .collect();
    let new_enums: std::collections::HashSet<&str> =
        new.enums.iter().map(|x| x.nested_name.as_str()).collect();
    let new_prefix = format!("{}.", new.package);
    let new_extensions: std::collections::HashSet<&str> = new
        .extensions
        .iter()
        .map(|y| {
            y.full_name
                .strip_prefix(&new_prefix)
                .unwrap_or(&y.full_name)
        })
        .collect();
    for m in &old.messages {
        if !new_messages.contains(m.nested_name.as_str()) {
            out.emit(
                &MESSAGE_NO_DELETE,
                &new.path,
                format!(
                    "message `{}` was deleted from file `{}`",
                    m.nested_name, new.path
                ),
                "restore the message, or mark it deprecated instead of deleting it",
                Some(deleted_anchor(new, &m.nested_name)),
                Some(loc(old, &m.span, m.full_name.clone())),
                &[&m.ignores],
            );
        }
    }
    for e in &old.enums {
        if !new_enums.contains(e.nested_name.as_str()) {
            out.emit(
                &ENUM_NO_DELETE,
                &new.path,
                format!(
                    "enum `{}` was deleted from file `{}`",
                    e.nested_name, new.path
                ),
                "restore the enum, or mark it deprecated instead of deleting it",
                Some(deleted_anchor(new, &e.nested_name)),
                Some(loc(old, &e.span, e.full_name.clone())),
                &[&e.ignores],
            );
        }
    }
    for x in &old.extensions {
        let nested = x
            .full_name
            .strip_prefix(&format!("{}.", old.package))
            .unwrap_or(&x.full_name);
        let gone = !new_extensions.contains(nested);
        if gone {
            out.emit(
                &EXTENSION_NO_DELETE,
                &new.path,
                format!("extension `{nested}` was deleted from file `{}`", new.path),
                "restore the extension, or mark it deprecated instead of deleting it",
                Some(deleted_anchor(new, nested)),
                Some(loc(old, &x.span, x.full_name.clone())),
                &[&x.ignores],
            );
        }
    }
    for sv in &old.services {
        if !new.services.iter().any(|x| x.name == sv.name) {
            out.emit(
                &SERVICE_NO_DELETE,
                &new.path,
                format!("service `{}` was deleted from file `{}`", sv.name, new.path),
                "restore the service, or mark it deprecated instead of deleting it",
                Some(loc(new, &new.head_span(), new.path.clone())),
                Some(loc(old, &sv.span, sv.full_name.clone())),
                &[&sv.ignores],
            );
        }
    }
}
