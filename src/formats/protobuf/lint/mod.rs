//! buf's lint (style) rules for Protobuf, with buf's ids, categories (`MINIMAL` ⊂ `BASIC` ⊂ `STANDARD`,
//! `COMMENTS`, `UNARY_RPC`) and knobs, selected like buf's `lint.use` / `except` and suppressed by
//! `// buf:lint:ignore RULE_ID` leading comments (on the element or an enclosing declaration) and by
//! `ignore` / `ignore_only` paths. Works on the syntax-level model of `model.rs` (no compilation): every file is
//! parsed once, in parallel, and names are resolved by `resolve.rs` the way buf's compiler resolves them.
//! Detection lives in `checks.rs`; findings are data, nothing here prints.

mod checks;
mod model;
pub(crate) mod naming;
mod resolve;
pub mod set;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use protox::file::{FileResolver, GoogleFileResolver};
use rayon::prelude::*;

use super::parse::ProtoSnap;
use crate::finding::{Finding, Location};
use crate::rules::Rule;
use crate::source::SourceFile;
use model::{IgnoreLines, LFile};

pub(crate) const MINIMAL: u8 = 1;
pub(crate) const BASIC: u8 = 2;
pub(crate) const STANDARD: u8 = 4;
pub(crate) const COMMENTS: u8 = 8;
pub(crate) const UNARY_RPC: u8 = 16;

const MIN: u8 = MINIMAL | BASIC | STANDARD;
const BAS: u8 = BASIC | STANDARD;

/// Every buf lint rule schemaguard implements, with its categories (buf 1.75, v2 config; `buf.md` §4.2).
/// `PROTOVALIDATE` and the deprecated `IMPORT_NO_WEAK` are not implemented.
pub(crate) static LINT_RULES: &[(&Rule, u8)] = &[
    (&set::DIRECTORY_SAME_PACKAGE.rule, MIN),
    (&set::PACKAGE_DEFINED.rule, MIN),
    (&set::PACKAGE_DIRECTORY_MATCH.rule, MIN),
    (&set::PACKAGE_NO_IMPORT_CYCLE.rule, MIN),
    (&set::PACKAGE_SAME_DIRECTORY.rule, MIN),
    (&set::ENUM_FIRST_VALUE_ZERO.rule, BAS),
    (&set::ENUM_NO_ALLOW_ALIAS.rule, BAS),
    (&set::ENUM_PASCAL_CASE.rule, BAS),
    (&set::ENUM_VALUE_UPPER_SNAKE_CASE.rule, BAS),
    (&set::FIELD_LOWER_SNAKE_CASE.rule, BAS),
    (&set::FIELD_NOT_REQUIRED.rule, BAS),
    (&set::IMPORT_NO_PUBLIC.rule, BAS),
    (&set::IMPORT_USED.rule, BAS),
    (&set::MESSAGE_PASCAL_CASE.rule, BAS),
    (&set::ONEOF_LOWER_SNAKE_CASE.rule, BAS),
    (&set::PACKAGE_LOWER_SNAKE_CASE.rule, BAS),
    (&set::PACKAGE_SAME_CSHARP_NAMESPACE.rule, BAS),
    (&set::PACKAGE_SAME_GO_PACKAGE.rule, BAS),
    (&set::PACKAGE_SAME_JAVA_MULTIPLE_FILES.rule, BAS),
    (&set::PACKAGE_SAME_JAVA_PACKAGE.rule, BAS),
    (&set::PACKAGE_SAME_PHP_NAMESPACE.rule, BAS),
    (&set::PACKAGE_SAME_RUBY_PACKAGE.rule, BAS),
    (&set::PACKAGE_SAME_SWIFT_PREFIX.rule, BAS),
    (&set::RPC_PASCAL_CASE.rule, BAS),
    (&set::SERVICE_PASCAL_CASE.rule, BAS),
    (&set::SYNTAX_SPECIFIED.rule, BAS),
    (&set::ENUM_VALUE_PREFIX.rule, STANDARD),
    (&set::ENUM_ZERO_VALUE_SUFFIX.rule, STANDARD),
    (&set::FILE_LOWER_SNAKE_CASE.rule, STANDARD),
    (&set::PACKAGE_VERSION_SUFFIX.rule, STANDARD),
    (&set::RPC_REQUEST_RESPONSE_UNIQUE.rule, STANDARD),
    (&set::RPC_REQUEST_STANDARD_NAME.rule, STANDARD),
    (&set::RPC_RESPONSE_STANDARD_NAME.rule, STANDARD),
    (&set::SERVICE_SUFFIX.rule, STANDARD),
    (&set::COMMENT_ENUM.rule, COMMENTS),
    (&set::COMMENT_ENUM_VALUE.rule, COMMENTS),
    (&set::COMMENT_FIELD.rule, COMMENTS),
    (&set::COMMENT_MESSAGE.rule, COMMENTS),
    (&set::COMMENT_ONEOF.rule, COMMENTS),
    (&set::COMMENT_RPC.rule, COMMENTS),
    (&set::COMMENT_SERVICE.rule, COMMENTS),
    (&set::RPC_NO_CLIENT_STREAMING.rule, UNARY_RPC),
    (&set::RPC_NO_SERVER_STREAMING.rule, UNARY_RPC),
    (&set::STABLE_PACKAGE_NO_IMPORT_UNSTABLE.rule, 0),
];

fn category_mask(name: &str) -> Option<u8> {
    match name {
        "MINIMAL" => Some(MINIMAL),
        "BASIC" => Some(BASIC),
        // `DEFAULT` is buf's deprecated alias of `STANDARD`.
        "STANDARD" | "DEFAULT" => Some(STANDARD),
        "COMMENTS" => Some(COMMENTS),
        "UNARY_RPC" => Some(UNARY_RPC),
        _ => None,
    }
}

/// Whether `name` is a buf lint category or a lint rule id schemaguard knows (for config validation).
pub fn is_known_lint_selector(name: &str) -> bool {
    let up = name.trim().to_ascii_uppercase();
    category_mask(&up).is_some() || LINT_RULES.iter().any(|(r, _)| r.id == up)
}

/// The buf lint categories a rule belongs to, for listings.
pub fn lint_categories(id: &str) -> Vec<&'static str> {
    let Some((_, mask)) = LINT_RULES.iter().find(|(r, _)| r.id == id) else {
        return Vec::new();
    };
    [
        ("MINIMAL", MINIMAL),
        ("BASIC", BASIC),
        ("STANDARD", STANDARD),
        ("COMMENTS", COMMENTS),
        ("UNARY_RPC", UNARY_RPC),
    ]
    .into_iter()
    .filter(|(_, m)| mask & m != 0)
    .map(|(n, _)| n)
    .collect()
}

/// The rules `use` minus `except` selects (buf: a union of rule ids and categories, then a difference); an
/// empty `use` means `STANDARD`. Unknown names are returned as the error.
pub fn select(use_: &[String], except: &[String]) -> Result<Vec<&'static Rule>, String> {
    let pick = |names: &[String]| -> Result<HashSet<&'static str>, String> {
        let mut out = HashSet::new();
        for n in names {
            let up = n.trim().to_ascii_uppercase();
            if let Some(mask) = category_mask(&up) {
                out.extend(
                    LINT_RULES
                        .iter()
                        .filter(|(_, m)| m & mask != 0)
                        .map(|(r, _)| r.id),
                );
            } else if let Some((r, _)) = LINT_RULES.iter().find(|(r, _)| r.id == up) {
                out.insert(r.id);
            } else {
                return Err(n.clone());
            }
        }
        Ok(out)
    };
    let used = if use_.is_empty() {
        pick(&["STANDARD".to_string()])?
    } else {
        pick(use_)?
    };
    let except = pick(except)?;
    let mut out: Vec<&'static Rule> = LINT_RULES
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| used.contains(r.id) && !except.contains(r.id))
        .collect();
    out.sort_by_key(|r| r.id);
    Ok(out)
}

/// buf's lint knobs and exemptions.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub rules: Vec<&'static Rule>,
    pub enum_zero_value_suffix: String,
    pub rpc_allow_same_request_response: bool,
    pub rpc_allow_google_protobuf_empty_requests: bool,
    pub rpc_allow_google_protobuf_empty_responses: bool,
    pub service_suffix: String,
    /// `// buf:lint:ignore` comments are honoured (buf v2's default; `disallow_comment_ignores` turns them off).
    pub comment_ignores: bool,
    /// Paths (files or directories, relative to the module root) no rule looks at.
    pub ignore: Vec<String>,
    /// Rule id or category → paths that rule does not look at.
    pub ignore_only: Vec<(String, Vec<String>)>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            rules: select(&[], &[]).unwrap_or_default(),
            enum_zero_value_suffix: "_UNSPECIFIED".into(),
            rpc_allow_same_request_response: false,
            rpc_allow_google_protobuf_empty_requests: false,
            rpc_allow_google_protobuf_empty_responses: false,
            service_suffix: "Service".into(),
            comment_ignores: true,
            ignore: Vec::new(),
            ignore_only: Vec::new(),
        }
    }
}

/// Where a finding points, with the ignore lines that apply there.
pub(crate) struct At<'a> {
    pub file: &'a LFile,
    pub span: Option<crate::formats::protobuf::model::Span>,
    /// A stable name for the element (full name, import path, option name), for fingerprints.
    pub pointer: String,
    pub ignores: Option<&'a IgnoreLines>,
}

/// Collects findings for one rule, applying comment ignores.
pub(crate) struct Out<'o> {
    pub rule: &'static Rule,
    pub comment_ignores: bool,
    pub findings: &'o mut Vec<Finding>,
}

impl Out<'_> {
    pub fn add(&mut self, at: At<'_>, message: String, help: &str) {
        if self.comment_ignores {
            if let Some(lines) = at.ignores {
                let want = format!("{} {}", model::IGNORE_PREFIX, self.rule.id);
                if lines.iter().any(|l| l.starts_with(&want)) {
                    return;
                }
            }
        }
        let loc = Location::new(&at.file.src, at.span.unwrap_or(0..0)).with_pointer(at.pointer);
        self.findings.push(
            Finding::new(self.rule, at.file.path.clone(), message)
                .help(help)
                .at_new(loc),
        );
    }
}

/// `path` equals `root` or lies below it (buf's `MapHasEqualOrContainingPath`).
fn under(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    let root = root.strip_prefix("./").unwrap_or(root);
    root.is_empty()
        || root == "."
        || path == root
        || (path.len() > root.len()
            && path.starts_with(root)
            && path.as_bytes()[root.len()] == b'/')
}

fn parse_model(src: &Arc<SourceFile>) -> Option<LFile> {
    let file = super::file_from_source(&src.path, &src.text).ok()?;
    Some(model::build(src, file.file_descriptor_proto()))
}

/// The files outside the snapshot the linted files import (include directories, embedded googleapis protos,
/// well-known types), transitively, as import-only models.
fn imported_outside(snap: &ProtoSnap, names: BTreeSet<String>) -> Vec<LFile> {
    let google = GoogleFileResolver::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = names.into_iter().collect();
    let mut out = Vec::new();
    while let Some(n) = stack.pop() {
        if snap.index.contains_key(&n) || !seen.insert(n.clone()) {
            continue;
        }
        let model = match snap.fallback.text(&n) {
            Some(text) => {
                let src = SourceFile::new(n.clone(), None, text);
                parse_model(&src)
            }
            None => google.open_file(&n).ok().map(|f| {
                let src = SourceFile::new(n.clone(), None, "");
                model::build(&src, f.file_descriptor_proto())
            }),
        };
        if let Some(m) = model {
            stack.extend(m.imports.iter().map(|i| i.path.clone()));
            out.push(m);
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Lints one snapshot of `.proto` files (already placed under their import roots by `ProtoSnap::load`). Files
/// with parse errors or unresolved imports (reported by loading) are not linted, nor reference files (under an
/// include directory), which only resolve imports.
pub(crate) fn run(snap: &ProtoSnap, opts: &LintOptions) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let model_of = |reference: bool| -> Vec<LFile> {
        snap.files
            .par_iter()
            .zip(&snap.summaries)
            .zip(&snap.reference)
            .filter(|((_, s), r)| !s.broken && **r == reference)
            .filter_map(|((f, _), _)| parse_model(f))
            .collect()
    };
    let models = model_of(false);
    let linted = models.len();
    let references = model_of(true);
    let wanted: BTreeSet<String> = models
        .iter()
        .chain(&references)
        .flat_map(|m| m.imports.iter().map(|i| i.path.clone()))
        .filter(|p| !snap.index.contains_key(p))
        .collect();
    let outside = imported_outside(snap, wanted);
    let universe = resolve::Universe::new(
        models
            .iter()
            .chain(references.iter())
            .chain(outside.iter())
            .collect(),
    );
    let resolved: Vec<(Vec<bool>, Vec<Option<String>>)> = (0..linted)
        .into_par_iter()
        .map(|i| resolve::resolve_file(&universe, i))
        .collect();
    let cx = checks::Cx {
        files: &models,
        universe: &universe,
        resolved: &resolved,
        opts,
    };
    let found: Vec<Vec<Finding>> = opts
        .rules
        .par_iter()
        .map(|rule| {
            let mut v = Vec::new();
            let mut o = Out {
                rule,
                comment_ignores: opts.comment_ignores,
                findings: &mut v,
            };
            checks::run(rule.id, &cx, &mut o);
            v
        })
        .collect();
    for (rule, v) in opts.rules.iter().zip(found) {
        let only: Vec<&String> = opts
            .ignore_only
            .iter()
            .filter(|(k, _)| {
                let up = k.trim().to_ascii_uppercase();
                up == rule.id
                    || category_mask(&up).is_some_and(|m| {
                        LINT_RULES
                            .iter()
                            .any(|(r, rm)| r.id == rule.id && rm & m != 0)
                    })
            })
            .flat_map(|(_, paths)| paths.iter())
            .collect();
        out.extend(v.into_iter().filter(|f| {
            let path = f.subject.as_str();
            !opts.ignore.iter().any(|r| under(path, r)) && !only.iter().any(|r| under(path, r))
        }));
    }
    out
}

#[cfg(test)]
mod tests;
