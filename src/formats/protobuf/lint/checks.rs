//! The detection of every buf lint rule over the lint model, one function per rule (grouped by the element the
//! rules look at), reproducing buf 1.75's `bufcheckserverhandle/lint.go`: same elements visited, same skips (map
//! entries, synthetic oneofs, group fields), same location (whole declaration, name, number, type, option or
//! import statement), same enclosing declarations consulted for `buf:lint:ignore` comments.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Decl, LEnum, LField, LFile, LImport, LMessage, LMethod, LService};
use super::naming::{
    package_version, to_lower_snake_case, to_pascal_case, to_upper_snake_case, Stability,
};
use super::resolve::Universe;
use super::{At, LintOptions, Out};

pub(crate) struct Cx<'a> {
    pub files: &'a [LFile],
    pub universe: &'a Universe<'a>,
    /// Per linted file: which imports are used, and the resolved full name of each reference.
    pub resolved: &'a [(Vec<bool>, Vec<Option<String>>)],
    pub opts: &'a LintOptions,
}

pub(crate) fn run(id: &str, cx: &Cx, out: &mut Out) {
    match id {
        "DIRECTORY_SAME_PACKAGE" => directory_same_package(cx, out),
        "PACKAGE_DEFINED" => package_defined(cx, out),
        "PACKAGE_DIRECTORY_MATCH" => package_directory_match(cx, out),
        "PACKAGE_NO_IMPORT_CYCLE" => package_no_import_cycle(cx, out),
        "PACKAGE_SAME_DIRECTORY" => package_same_directory(cx, out),
        "ENUM_FIRST_VALUE_ZERO" => enum_first_value_zero(cx, out),
        "ENUM_NO_ALLOW_ALIAS" => enum_no_allow_alias(cx, out),
        "ENUM_PASCAL_CASE" => name_case(cx, out, Element::Enum),
        "ENUM_VALUE_UPPER_SNAKE_CASE" => name_case(cx, out, Element::EnumValue),
        "FIELD_LOWER_SNAKE_CASE" => name_case(cx, out, Element::Field),
        "FIELD_NOT_REQUIRED" => field_not_required(cx, out),
        "IMPORT_NO_PUBLIC" => import_no_public(cx, out),
        "IMPORT_USED" => import_used(cx, out),
        "MESSAGE_PASCAL_CASE" => name_case(cx, out, Element::Message),
        "ONEOF_LOWER_SNAKE_CASE" => name_case(cx, out, Element::Oneof),
        "PACKAGE_LOWER_SNAKE_CASE" => package_lower_snake_case(cx, out),
        "PACKAGE_SAME_CSHARP_NAMESPACE" => package_same_option(cx, out, "csharp_namespace"),
        "PACKAGE_SAME_GO_PACKAGE" => package_same_option(cx, out, "go_package"),
        "PACKAGE_SAME_JAVA_MULTIPLE_FILES" => package_same_option(cx, out, "java_multiple_files"),
        "PACKAGE_SAME_JAVA_PACKAGE" => package_same_option(cx, out, "java_package"),
        "PACKAGE_SAME_PHP_NAMESPACE" => package_same_option(cx, out, "php_namespace"),
        "PACKAGE_SAME_RUBY_PACKAGE" => package_same_option(cx, out, "ruby_package"),
        "PACKAGE_SAME_SWIFT_PREFIX" => package_same_option(cx, out, "swift_prefix"),
        "RPC_PASCAL_CASE" => name_case(cx, out, Element::Rpc),
        "SERVICE_PASCAL_CASE" => name_case(cx, out, Element::Service),
        "SYNTAX_SPECIFIED" => syntax_specified(cx, out),
        "ENUM_VALUE_PREFIX" => enum_value_prefix(cx, out),
        "ENUM_ZERO_VALUE_SUFFIX" => enum_zero_value_suffix(cx, out),
        "FILE_LOWER_SNAKE_CASE" => file_lower_snake_case(cx, out),
        "PACKAGE_VERSION_SUFFIX" => package_version_suffix(cx, out),
        "RPC_REQUEST_RESPONSE_UNIQUE" => rpc_request_response_unique(cx, out),
        "RPC_REQUEST_STANDARD_NAME" => rpc_standard_name(cx, out, true),
        "RPC_RESPONSE_STANDARD_NAME" => rpc_standard_name(cx, out, false),
        "SERVICE_SUFFIX" => service_suffix(cx, out),
        "COMMENT_ENUM" => comment(cx, out, Element::Enum),
        "COMMENT_ENUM_VALUE" => comment(cx, out, Element::EnumValue),
        "COMMENT_FIELD" => comment_field(cx, out),
        "COMMENT_MESSAGE" => comment(cx, out, Element::Message),
        "COMMENT_ONEOF" => comment(cx, out, Element::Oneof),
        "COMMENT_RPC" => comment(cx, out, Element::Rpc),
        "COMMENT_SERVICE" => comment(cx, out, Element::Service),
        "RPC_NO_CLIENT_STREAMING" => rpc_streaming(cx, out, true),
        "RPC_NO_SERVER_STREAMING" => rpc_streaming(cx, out, false),
        "STABLE_PACKAGE_NO_IMPORT_UNSTABLE" => stable_package_no_import_unstable(cx, out),
        _ => {}
    }
}

// ---- helpers ----

fn at_decl<'a>(
    file: &'a LFile,
    d: &'a Decl,
    span: Option<crate::formats::protobuf::model::Span>,
    pointer: String,
) -> At<'a> {
    At {
        file,
        span,
        pointer,
        ignores: Some(&d.ignores),
    }
}

/// An import statement: its span, its path as the pointer, its own ignore comments.
fn at_import<'a>(file: &'a LFile, imp: &'a LImport) -> At<'a> {
    At {
        file,
        span: imp.span.clone(),
        pointer: imp.path.clone(),
        ignores: Some(&imp.ignores),
    }
}

fn at_file(file: &LFile) -> At<'_> {
    At {
        file,
        span: None,
        pointer: String::new(),
        ignores: None,
    }
}

fn at_package(file: &LFile) -> At<'_> {
    match &file.package_span {
        Some(s) => At {
            file,
            span: Some(s.clone()),
            pointer: "package".into(),
            ignores: Some(&file.package_ignores),
        },
        None => at_file(file),
    }
}

fn full(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// normalpath.Dir: `.` for a file at the root.
fn dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => ".",
    }
}

/// Every message with its full name, depth first.
fn messages(file: &LFile) -> Vec<(String, &LMessage)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &LMessage)> = file
        .messages
        .iter()
        .rev()
        .map(|m| (full(&file.package, &m.decl.name), m))
        .collect();
    while let Some((name, m)) = stack.pop() {
        for n in m.messages.iter().rev() {
            stack.push((full(&name, &n.decl.name), n));
        }
        out.push((name, m));
    }
    out
}

/// Every enum with its full name.
fn enums(file: &LFile) -> Vec<(String, &LEnum)> {
    let mut out: Vec<(String, &LEnum)> = file
        .enums
        .iter()
        .map(|e| (full(&file.package, &e.decl.name), e))
        .collect();
    for (mname, m) in messages(file) {
        out.extend(m.enums.iter().map(|e| (full(&mname, &e.decl.name), e)));
    }
    out
}

/// Every field buf's field rules visit: message fields (with whether the message is a map entry) and
/// extensions, top-level and nested.
fn fields(file: &LFile) -> Vec<(String, &LField, bool)> {
    let mut out = Vec::new();
    for (mname, m) in messages(file) {
        out.extend(
            m.fields
                .iter()
                .map(|f| (full(&mname, &f.decl.name), f, m.map_entry)),
        );
        out.extend(
            m.extensions
                .iter()
                .map(|f| (full(&mname, &f.decl.name), f, false)),
        );
    }
    out.extend(
        file.extensions
            .iter()
            .map(|f| (full(&file.package, &f.decl.name), f, false)),
    );
    out
}

fn methods(file: &LFile) -> Vec<(&LService, &LMethod)> {
    file.services
        .iter()
        .flat_map(|s| s.methods.iter().map(move |m| (s, m)))
        .collect()
}

/// The named elements that buf's case and comment rules visit one by one.
#[derive(Clone, Copy)]
enum Element {
    Message,
    Field,
    Oneof,
    Enum,
    EnumValue,
    Service,
    Rpc,
}

impl Element {
    /// How messages name the element.
    fn what(self) -> &'static str {
        match self {
            Element::Message => "message",
            Element::Field => "field",
            Element::Oneof => "oneof",
            Element::Enum => "enum",
            Element::EnumValue => "enum value",
            Element::Service => "service",
            Element::Rpc => "rpc",
        }
    }

    /// Every element of this kind in `file` with its pointer, as buf visits them: map entry messages, the fields
    /// of map entries and synthetic oneofs are left out.
    fn all(self, file: &LFile) -> Vec<(&Decl, String)> {
        match self {
            Element::Message => messages(file)
                .into_iter()
                .filter(|(_, m)| !m.map_entry)
                .map(|(name, m)| (&m.decl, name))
                .collect(),
            Element::Field => fields(file)
                .into_iter()
                .filter(|(_, _, in_map)| !in_map)
                .map(|(name, fl, _)| (&fl.decl, name))
                .collect(),
            Element::Oneof => messages(file)
                .into_iter()
                .flat_map(|(mname, m)| {
                    m.oneofs
                        .iter()
                        .filter(|o| !o.synthetic)
                        .map(move |o| (&o.decl, full(&mname, &o.decl.name)))
                })
                .collect(),
            Element::Enum => enums(file)
                .into_iter()
                .map(|(name, e)| (&e.decl, name))
                .collect(),
            Element::EnumValue => enums(file)
                .into_iter()
                .flat_map(|(name, e)| {
                    e.values
                        .iter()
                        .map(move |v| (&v.decl, full(&name, &v.decl.name)))
                })
                .collect(),
            Element::Service => file
                .services
                .iter()
                .map(|s| (&s.decl, s.full_name.clone()))
                .collect(),
            Element::Rpc => methods(file)
                .into_iter()
                .map(|(s, m)| (&m.decl, full(&s.full_name, &m.decl.name)))
                .collect(),
        }
    }
}

// ---- files and packages ----

fn directory_same_package(cx: &Cx, out: &mut Out) {
    let mut by_dir: BTreeMap<&str, Vec<&LFile>> = BTreeMap::new();
    for f in cx.files {
        by_dir.entry(dir(&f.path)).or_default().push(f);
    }
    for (d, files) in by_dir {
        let pkgs: BTreeSet<&str> = files.iter().map(|f| f.package.as_str()).collect();
        if pkgs.len() < 2 {
            continue;
        }
        let named: Vec<&str> = pkgs.iter().copied().filter(|p| !p.is_empty()).collect();
        let list = named
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let none = if pkgs.contains("") {
            " and a file with no package"
        } else {
            ""
        };
        for f in files {
            out.add(
                at_package(f),
                format!("directory `{d}` holds files of several packages: {list}{none}"),
                "keep one package per directory: move the file to the directory of its package, or change its package",
            );
        }
    }
}

fn package_defined(cx: &Cx, out: &mut Out) {
    for f in cx.files.iter().filter(|f| f.package.is_empty()) {
        out.add(
            at_file(f),
            format!("file `{}` declares no package", f.path),
            "add a `package` statement, e.g. `package acme.orders.v1;`",
        );
    }
}

fn package_directory_match(cx: &Cx, out: &mut Out) {
    for f in cx.files.iter().filter(|f| !f.package.is_empty()) {
        let expected = f.package.replace('.', "/");
        let d = dir(&f.path);
        if d != expected {
            out.add(
                at_package(f),
                format!(
                    "files with package `{}` must be in directory `{expected}` (relative to the module root), this one is in `{d}`",
                    f.package
                ),
                "move the file so that its directory matches its package (`a.b.v1` lives in `a/b/v1/`), or set the module root (`[protobuf] roots` or buf.yaml modules) to where the package path starts",
            );
        }
    }
}

/// package → directly imported package → the import statements (file, import index) that create the edge.
type PackageGraph<'g> = BTreeMap<&'g str, BTreeMap<&'g str, Vec<(usize, usize)>>>;

fn package_no_import_cycle(cx: &Cx, out: &mut Out) {
    // package → directly imported package → the import statements that create the edge
    let mut graph: PackageGraph = BTreeMap::new();
    for (fi, f) in cx.files.iter().enumerate() {
        for (ii, imp) in f.imports.iter().enumerate() {
            let Some(j) = cx.universe.index_of(&imp.path) else {
                continue;
            };
            let dep = cx.universe.files[j].package.as_str();
            if dep != f.package {
                graph
                    .entry(f.package.as_str())
                    .or_default()
                    .entry(dep)
                    .or_default()
                    .push((fi, ii));
            }
        }
    }
    fn path_back<'g>(
        from: &'g str,
        to: &str,
        graph: &PackageGraph<'g>,
        seen: &mut BTreeSet<&'g str>,
        trail: &mut Vec<&'g str>,
    ) -> bool {
        trail.push(from);
        if from == to {
            return true;
        }
        if seen.insert(from) {
            if let Some(next) = graph.get(from) {
                for n in next.keys().filter(|n| !n.is_empty()) {
                    if path_back(n, to, graph, seen, trail) {
                        return true;
                    }
                }
            }
        }
        trail.pop();
        false
    }
    for (pkg, deps) in &graph {
        if pkg.is_empty() {
            continue;
        }
        for (dep, edges) in deps {
            if dep.is_empty() {
                continue;
            }
            let mut seen = BTreeSet::new();
            let mut trail = vec![*pkg];
            if path_back(dep, pkg, &graph, &mut seen, &mut trail) {
                let cycle = trail
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" -> ");
                for &(fi, ii) in edges {
                    let f = &cx.files[fi];
                    let imp = &f.imports[ii];
                    out.add(
                        at_import(f, imp),
                        format!("package import cycle: {cycle}"),
                        "packages must not import each other in a cycle: move the shared definitions into a package both can import",
                    );
                }
            }
        }
    }
}

fn package_same_directory(cx: &Cx, out: &mut Out) {
    let mut by_pkg: BTreeMap<&str, Vec<&LFile>> = BTreeMap::new();
    for f in cx.files {
        by_pkg.entry(f.package.as_str()).or_default().push(f);
    }
    for (pkg, files) in by_pkg {
        let dirs: BTreeSet<&str> = files.iter().map(|f| dir(&f.path)).collect();
        if dirs.len() < 2 {
            continue;
        }
        let list = dirs
            .iter()
            .map(|d| format!("`{d}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for f in files {
            out.add(
                at_package(f),
                format!("files of package `{pkg}` are spread over several directories: {list}"),
                "keep all files of a package in one directory",
            );
        }
    }
}

fn package_same_option(cx: &Cx, out: &mut Out, option: &str) {
    let mut by_pkg: BTreeMap<&str, Vec<&LFile>> = BTreeMap::new();
    for f in cx.files {
        by_pkg.entry(f.package.as_str()).or_default().push(f);
    }
    for (pkg, files) in by_pkg {
        let values: BTreeSet<&str> = files
            .iter()
            .map(|f| f.option(option).map(|o| o.value.as_str()).unwrap_or(""))
            .collect();
        if values.len() < 2 {
            continue;
        }
        let list = values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let none = if values.contains("") {
            " and no value"
        } else {
            ""
        };
        for f in files {
            let at = match f.option(option) {
                Some(o) => At {
                    file: f,
                    span: o.span.clone(),
                    pointer: format!("option {option}"),
                    ignores: Some(&o.ignores),
                },
                None => at_file(f),
            };
            out.add(
                at,
                format!("files of package `{pkg}` have different values for option `{option}`: {list}{none}"),
                "give every file of the package the same value for this option",
            );
        }
    }
}

fn package_lower_snake_case(cx: &Cx, out: &mut Out) {
    for f in cx.files.iter().filter(|f| !f.package.is_empty()) {
        let expected: Vec<String> = f.package.split('.').map(to_lower_snake_case).collect();
        let expected = expected.join(".");
        if expected != f.package {
            out.add(
                at_package(f),
                format!(
                    "package name `{}` should be lower_snake.case, such as `{expected}`",
                    f.package
                ),
                "rename the package to lower_snake.case",
            );
        }
    }
}

fn package_version_suffix(cx: &Cx, out: &mut Out) {
    for f in cx.files.iter().filter(|f| !f.package.is_empty()) {
        if package_version(&f.package).is_none() {
            out.add(
                at_package(f),
                format!(
                    "package name `{}` should end with a version component, such as `{}.v1`",
                    f.package, f.package
                ),
                "end the package with a version (`v1`, `v1beta1`, `v2alpha`, `v1test`) so that breaking changes can go to a new version",
            );
        }
    }
}

fn syntax_specified(cx: &Cx, out: &mut Out) {
    for f in cx.files.iter().filter(|f| f.syntax_span.is_none()) {
        out.add(
            at_file(f),
            format!(
                "file `{}` does not specify a syntax, so it defaults to proto2",
                f.path
            ),
            "add `syntax = \"proto3\";` (or `syntax = \"proto2\";`) as the first statement",
        );
    }
}

fn file_lower_snake_case(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        let base = f.path.rsplit('/').next().unwrap_or(&f.path);
        let ext = match base.rfind('.') {
            Some(i) => &base[i..],
            None => "",
        };
        let stem = &base[..base.len() - ext.len()];
        let expected = to_lower_snake_case(stem);
        if expected != stem {
            out.add(
                at_file(f),
                format!(
                    "file name `{base}` should be lower_snake_case{ext}, such as `{expected}{ext}`"
                ),
                "rename the file (and update the imports that name it)",
            );
        }
    }
}

fn import_no_public(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for imp in f.imports.iter().filter(|i| i.public) {
            out.add(
                at_import(f, imp),
                format!("import `{}` must not be public", imp.path),
                "import the file directly where its definitions are used instead of re-exporting it",
            );
        }
    }
}

fn import_used(cx: &Cx, out: &mut Out) {
    for (fi, f) in cx.files.iter().enumerate() {
        let used = &cx.resolved[fi].0;
        for (ii, imp) in f.imports.iter().enumerate() {
            if imp.public || used.get(ii).copied().unwrap_or(true) {
                continue;
            }
            out.add(
                at_import(f, imp),
                format!("import `{}` is unused", imp.path),
                "remove the import: nothing in this file refers to a definition from it",
            );
        }
    }
}

fn stable_package_no_import_unstable(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        if package_version(&f.package) != Some(Stability::Stable) {
            continue;
        }
        for imp in &f.imports {
            let Some(j) = cx.universe.index_of(&imp.path) else {
                continue;
            };
            let dep = &cx.universe.files[j].package;
            match package_version(dep) {
                Some(Stability::Stable) | None => continue,
                Some(_) => {}
            }
            out.add(
                at_import(f, imp),
                format!(
                    "stable package `{}` depends on `{}` from unstable package `{dep}`",
                    f.package, imp.path
                ),
                "move the definitions you need into a stable package, or keep this package unstable",
            );
        }
    }
}

// ---- messages, fields, oneofs ----

/// The case rules (`MESSAGE_PASCAL_CASE`, `FIELD_LOWER_SNAKE_CASE`, `ENUM_VALUE_UPPER_SNAKE_CASE`, …): a name that
/// its case conversion changes is reported at the name, with the converted name as the suggestion.
fn name_case(cx: &Cx, out: &mut Out, element: Element) {
    let (case, convert, help): (&str, fn(&str) -> String, &str) = match element {
        Element::Message => ("PascalCase", to_pascal_case, "rename the message to PascalCase"),
        Element::Field => (
            "lower_snake_case",
            to_lower_snake_case,
            "rename the field to lower_snake_case (the wire format uses the number; JSON names change)",
        ),
        Element::Oneof => ("lower_snake_case", to_lower_snake_case, "rename the oneof to lower_snake_case"),
        Element::Enum => ("PascalCase", to_pascal_case, "rename the enum to PascalCase"),
        Element::EnumValue => ("UPPER_SNAKE_CASE", to_upper_snake_case, "rename the value to UPPER_SNAKE_CASE"),
        Element::Service => ("PascalCase", to_pascal_case, "rename the service to PascalCase"),
        Element::Rpc => ("PascalCase", to_pascal_case, "rename the rpc to PascalCase"),
    };
    for f in cx.files {
        for (d, pointer) in element.all(f) {
            let expected = convert(&d.name);
            if expected != d.name {
                out.add(
                    at_decl(f, d, d.name_span.clone(), pointer),
                    format!(
                        "{} name `{}` should be {case}, such as `{expected}`",
                        element.what(),
                        d.name
                    ),
                    help,
                );
            }
        }
    }
}

fn field_not_required(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for (name, fl, _) in fields(f) {
            if fl.required {
                out.add(
                    at_decl(f, &fl.decl, fl.decl.name_span.clone(), name),
                    format!("field `{}` should not be required", fl.decl.name),
                    "make the field optional: a required field can never be removed without breaking readers",
                );
            }
        }
    }
}

// ---- enums ----

fn enum_first_value_zero(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for (name, e) in enums(f) {
            if let Some(v) = e.values.first().filter(|v| v.number != 0) {
                out.add(
                    at_decl(f, &v.decl, v.number_span.clone(), full(&name, &v.decl.name)),
                    format!("first enum value `{}` should have the number 0", v.decl.name),
                    "start the enum with a value numbered 0, e.g. `<ENUM>_UNSPECIFIED = 0;` (proto3 requires it and uses it as the default)",
                );
            }
        }
    }
}

fn enum_no_allow_alias(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for (name, e) in enums(f) {
            if let Some(o) = &e.allow_alias {
                out.add(
                    At {
                        file: f,
                        span: o.span.clone(),
                        pointer: format!("{name} allow_alias"),
                        ignores: Some(&o.ignores),
                    },
                    format!("enum `{}` must not set option `allow_alias`", e.decl.name),
                    "remove `option allow_alias = true;` and give every value its own number",
                );
            }
        }
    }
}

fn enum_value_prefix(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for (name, e) in enums(f) {
            let prefix = format!("{}_", to_upper_snake_case(&e.decl.name));
            for v in e
                .values
                .iter()
                .filter(|v| !v.decl.name.starts_with(&prefix))
            {
                out.add(
                    at_decl(f, &v.decl, v.decl.name_span.clone(), full(&name, &v.decl.name)),
                    format!("enum value name `{}` should be prefixed with `{prefix}`", v.decl.name),
                    "prefix every value with the enum's name in UPPER_SNAKE_CASE: enum values share their package's namespace",
                );
            }
        }
    }
}

fn enum_zero_value_suffix(cx: &Cx, out: &mut Out) {
    let suffix = cx.opts.enum_zero_value_suffix.as_str();
    for f in cx.files {
        for (name, e) in enums(f) {
            for v in e
                .values
                .iter()
                .filter(|v| v.number == 0 && !v.decl.name.ends_with(suffix))
            {
                out.add(
                    at_decl(f, &v.decl, v.decl.name_span.clone(), full(&name, &v.decl.name)),
                    format!("enum zero value name `{}` should be suffixed with `{suffix}`", v.decl.name),
                    "name the zero value `<ENUM>_UNSPECIFIED` (or the configured `enum_zero_value_suffix`): it is what readers see when the field is unset",
                );
            }
        }
    }
}

// ---- services and rpcs ----

fn service_suffix(cx: &Cx, out: &mut Out) {
    let suffix = cx.opts.service_suffix.as_str();
    for f in cx.files {
        for s in f.services.iter().filter(|s| !s.decl.name.ends_with(suffix)) {
            out.add(
                at_decl(f, &s.decl, s.decl.name_span.clone(), s.full_name.clone()),
                format!(
                    "service name `{}` should be suffixed with `{suffix}`",
                    s.decl.name
                ),
                "rename the service (or configure `service_suffix`)",
            );
        }
    }
}

fn rpc_streaming(cx: &Cx, out: &mut Out, client: bool) {
    for f in cx.files {
        for (s, m) in methods(f) {
            let streaming = if client {
                m.client_streaming
            } else {
                m.server_streaming
            };
            if streaming {
                let side = if client { "client" } else { "server" };
                out.add(
                    at_decl(
                        f,
                        &m.decl,
                        m.decl.span.clone(),
                        full(&s.full_name, &m.decl.name),
                    ),
                    format!("rpc `{}` is {side} streaming", m.decl.name),
                    "use unary rpcs: streaming rpcs are not supported by every client and proxy",
                );
            }
        }
    }
}

/// The resolved full name of an rpc's request (or response) type, without a leading dot; the written name when
/// it could not be resolved.
fn rpc_type(cx: &Cx, fi: usize, m: &LMethod, input: bool) -> String {
    let (idx, written) = if input {
        (m.input_ref, &m.input)
    } else {
        (m.output_ref, &m.output)
    };
    cx.resolved[fi]
        .1
        .get(idx)
        .cloned()
        .flatten()
        .unwrap_or_else(|| written.trim_start_matches('.').to_string())
}

fn rpc_request_response_unique(cx: &Cx, out: &mut Out) {
    const EMPTY: &str = "google.protobuf.Empty";
    let o = cx.opts;
    // (file, service, method, input, output)
    let mut all = Vec::new();
    for (fi, f) in cx.files.iter().enumerate() {
        for (s, m) in methods(f) {
            all.push((
                fi,
                s,
                m,
                rpc_type(cx, fi, m, true),
                rpc_type(cx, fi, m, false),
            ));
        }
    }
    fn at<'a>(cx: &Cx<'a>, fi: usize, s: &LService, m: &'a LMethod) -> At<'a> {
        let f = &cx.files[fi];
        At {
            file: f,
            span: m.decl.span.clone(),
            pointer: full(&s.full_name, &m.decl.name),
            ignores: Some(&m.decl.ignores),
        }
    }
    let help = "give every rpc its own `<Rpc>Request` and `<Rpc>Response` messages, so each can evolve on its own";
    if !o.rpc_allow_same_request_response {
        for (fi, s, m, i, op) in &all {
            if i == op
                && !(i == EMPTY
                    && o.rpc_allow_google_protobuf_empty_requests
                    && o.rpc_allow_google_protobuf_empty_responses)
            {
                out.add(
                    at(cx, *fi, s, m),
                    format!(
                        "rpc `{}` has the same type `{i}` for the request and the response",
                        m.decl.name
                    ),
                    help,
                );
            }
        }
    }
    // type → methods using it (each method once per type)
    let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, (_, _, _, i, op)) in all.iter().enumerate() {
        by_type.entry(i.as_str()).or_default().push(k);
        if op != i {
            by_type.entry(op.as_str()).or_default().push(k);
        }
    }
    for (ty, users) in by_type {
        if users.len() < 2 {
            continue;
        }
        if ty == EMPTY
            && (o.rpc_allow_google_protobuf_empty_requests
                || o.rpc_allow_google_protobuf_empty_responses)
        {
            if o.rpc_allow_google_protobuf_empty_requests
                && o.rpc_allow_google_protobuf_empty_responses
            {
                continue;
            }
            let req: Vec<usize> = users
                .iter()
                .copied()
                .filter(|&k| all[k].3 == EMPTY)
                .collect();
            let resp: Vec<usize> = users
                .iter()
                .copied()
                .filter(|&k| all[k].4 == EMPTY)
                .collect();
            if !o.rpc_allow_google_protobuf_empty_requests && req.len() > 1 {
                for k in req {
                    let (fi, s, m, _, _) = &all[k];
                    out.add(
                        at(cx, *fi, s, m),
                        format!("`{ty}` is used as the request of several rpcs"),
                        help,
                    );
                }
            }
            if !o.rpc_allow_google_protobuf_empty_responses && resp.len() > 1 {
                for k in resp {
                    let (fi, s, m, _, _) = &all[k];
                    out.add(
                        at(cx, *fi, s, m),
                        format!("`{ty}` is used as the response of several rpcs"),
                        help,
                    );
                }
            }
        } else {
            for k in users {
                let (fi, s, m, _, _) = &all[k];
                out.add(
                    at(cx, *fi, s, m),
                    format!("`{ty}` is used as the request or response type of several rpcs"),
                    help,
                );
            }
        }
    }
}

fn rpc_standard_name(cx: &Cx, out: &mut Out, request: bool) {
    let o = cx.opts;
    let allow_empty = if request {
        o.rpc_allow_google_protobuf_empty_requests
    } else {
        o.rpc_allow_google_protobuf_empty_responses
    };
    let (kind, suffix) = if request {
        ("request", "Request")
    } else {
        ("response", "Response")
    };
    for (fi, f) in cx.files.iter().enumerate() {
        for (s, m) in methods(f) {
            let ty = rpc_type(cx, fi, m, request);
            if allow_empty && ty == "google.protobuf.Empty" {
                continue;
            }
            let name = ty.rsplit('.').next().unwrap_or(&ty);
            let e1 = format!("{}{suffix}", to_pascal_case(&m.decl.name));
            let e2 = format!("{}{e1}", to_pascal_case(&s.decl.name));
            if name != e1 && name != e2 {
                let span = if request {
                    m.input_span.clone()
                } else {
                    m.output_span.clone()
                };
                out.add(
                    at_decl(f, &m.decl, span, format!("{} {kind}", full(&s.full_name, &m.decl.name))),
                    format!("rpc {kind} type `{name}` should be named `{e1}` or `{e2}`"),
                    "give the rpc its own message named after it, so that it can evolve without touching other rpcs",
                );
            }
        }
    }
}

// ---- comments ----

/// buf's `validLeadingComment`: some line is non-empty and is not a `buf:lint:ignore` line.
fn documented(d: &Decl) -> bool {
    d.leading.as_deref().is_some_and(|c| {
        c.lines()
            .map(str::trim)
            .any(|l| !l.is_empty() && !l.starts_with(super::model::IGNORE_PREFIX))
    })
}

/// The comment rules (`COMMENT_MESSAGE`, `COMMENT_ENUM_VALUE`, …) but `COMMENT_FIELD`, which also skips groups.
fn comment(cx: &Cx, out: &mut Out, element: Element) {
    for f in cx.files {
        for (d, pointer) in element.all(f) {
            comment_missing(out, f, d, pointer, element.what());
        }
    }
}

fn comment_missing(out: &mut Out, f: &LFile, d: &Decl, pointer: String, what: &str) {
    if d.span.is_none() || documented(d) {
        return;
    }
    out.add(
        at_decl(f, d, d.span.clone(), pointer),
        format!(
            "{what} `{}` should have a non-empty comment for documentation",
            d.name
        ),
        "add a leading `//` comment that says what it means for the consumers of this contract",
    );
}

fn comment_field(cx: &Cx, out: &mut Out) {
    for f in cx.files {
        for (name, fl, in_map) in fields(f) {
            if in_map || fl.group {
                continue;
            }
            comment_missing(out, f, &fl.decl, name, "field");
        }
    }
}
