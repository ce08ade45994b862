//! The Protobuf format: `.proto` files parsed and compiled with protox (proto2 and proto3, imports resolved
//! among the files of one snapshot, well-known types built in). Two semantics: Confluent Schema Registry's
//! protobuf diff per file (`compat.rs`, when no buf category is asked for) and buf's breaking rules over the
//! whole snapshot (`breaking/`, `CheckOptions.breaking`); buf's lint (style) rules over one snapshot (`lint/`). Loading parses every file once for syntax; compiling is
//! lazy and limited to files that differ between the snapshots, so the work grows with the change, not the tree.

pub(crate) mod breaking;
mod compat;
mod embedded;
pub(crate) mod lint;
pub(crate) mod lower;
mod model;
mod outline;
mod parse;
mod roots;
pub mod rules;

use std::any::Any;
use std::sync::Arc;

use crate::finding::{Direction, Finding, Format};
use crate::formats::{CheckOptions, Engine, Loaded, Subject};
use crate::source::SourceFile;
use parse::ProtoSnap;

pub use breaking::{categories_of as breaking_categories_of, is_known_selector};
pub use lint::{is_known_lint_selector, lint_categories, select as select_lint_rules, LintOptions};
pub use parse::shared_roots;

/// While on, loading keeps an outline of each `.proto` file it parses, so that `Engine::outline` of the same text
/// does not parse it again (the catalog outlines every current file right after loading them). Off drops them.
pub fn keep_outlines(on: bool) {
    parse::keep_outlines(on);
}
pub use rules::RULES;

/// protox's parser over the text of a `.proto` file, skipping a leading UTF-8 byte order mark as protoc does:
/// the mark is read as three spaces, so byte offsets and protox's byte columns stay those of the file as stored
/// (the spans of findings index `SourceFile::text`, which keeps the mark).
pub(crate) fn file_from_source(
    name: &str,
    text: &str,
) -> Result<protox::file::File, protox::Error> {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => protox::file::File::from_source(name, &format!("   {rest}")),
        None => protox::file::File::from_source(name, text),
    }
}

pub struct Protobuf;

pub static ENGINE: Protobuf = Protobuf;

struct ProtoLoaded(ProtoSnap);

/// Lints the `.proto` files of one snapshot with buf's style rules (`lint/`). `roots` are the explicit import
/// roots (module roots); more are detected as for the compatibility checks. Parse errors and unresolved imports
/// are returned as findings; files with them are not linted.
pub fn lint(files: &[Arc<SourceFile>], roots: &[String], opts: &LintOptions) -> Vec<Finding> {
    let protos: Vec<Arc<SourceFile>> = files
        .iter()
        .filter(|f| f.path.ends_with(".proto"))
        .cloned()
        .collect();
    let roots = shared_roots(&[&protos], roots);
    let snap = ProtoSnap::load(&protos, &roots);
    let mut out = snap.findings.clone();
    // What protoc would refuse (undefined names, duplicate numbers) though the syntax is fine, as buf lint does.
    let all: Vec<usize> = (0..snap.files.len())
        .filter(|&i| !snap.reference[i])
        .collect();
    out.extend(snap.compile_errors(&all));
    out.extend(lint::run(&snap, opts));
    out
}

/// Lints a snapshot this engine loaded (its load problems are reported by the loading, not here).
pub fn lint_loaded(loaded: &dyn Loaded, opts: &LintOptions) -> Vec<Finding> {
    match snap(loaded) {
        Some(s) => lint::run(s, opts),
        None => Vec::new(),
    }
}

impl Loaded for ProtoLoaded {
    fn subjects(&self) -> Vec<Subject> {
        self.0
            .files
            .iter()
            .zip(&self.0.summaries)
            .zip(&self.0.reference)
            .filter(|(_, &reference)| !reference)
            .map(|((f, s), _)| Subject {
                name: f.path.clone(),
                file: Arc::clone(f),
                span: s.package_span.clone().unwrap_or(0..0),
            })
            .collect()
    }

    fn findings(&self) -> Vec<Finding> {
        self.0.findings.clone()
    }

    fn references(&self) -> crate::formats::FileRefs {
        let snap = &self.0;
        let mut out = std::collections::BTreeMap::new();
        for (file, summary) in snap.files.iter().zip(&snap.summaries) {
            let mut refs: Vec<(String, Arc<SourceFile>)> = summary
                .imports
                .iter()
                .filter_map(|(imp, _)| {
                    let j = *snap.index.get(imp)?;
                    Some((imp.clone(), Arc::clone(snap.files.get(j)?)))
                })
                .collect();
            if !refs.is_empty() {
                refs.sort_by(|a, b| (&a.0, &a.1.path).cmp(&(&b.0, &b.1.path)));
                refs.dedup_by(|a, b| a.0 == b.0 && a.1.path == b.1.path);
                out.insert(file.path.clone(), refs);
            }
        }
        out
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Whether a text without a file extension reads as Protobuf: its first word, past comments, starts a `.proto`
/// file (`syntax`, `edition`, `package`, `import`, `option`, `message`, `enum`, `service`).
fn looks_like_proto(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(
        word.as_str(),
        "syntax" | "edition" | "package" | "import" | "option" | "message" | "enum" | "service"
    )
}

fn snap(l: &dyn Loaded) -> Option<&ProtoSnap> {
    l.as_any().downcast_ref::<ProtoLoaded>().map(|p| &p.0)
}

impl Engine for Protobuf {
    fn format(&self) -> Format {
        Format::Protobuf
    }

    fn outline(&self, path: &str, text: &str) -> Option<crate::formats::outline::Outline> {
        outline::outline(path, text)
    }

    fn claims(&self, path: &str, text: &str, explicit: bool) -> bool {
        path.ends_with(".proto")
            || (explicit && crate::formats::no_extension(path) && looks_like_proto(text))
    }

    fn may_claim(&self, path: &str) -> bool {
        path.ends_with(".proto")
    }

    fn load(&self, files: &[Arc<SourceFile>], opts: &CheckOptions) -> Box<dyn Loaded> {
        let fallback = parse::Fallback::new(opts.proto_include.outside.clone());
        Box::new(ProtoLoaded(ProtoSnap::load_with(
            files,
            &opts.proto_roots,
            &fallback,
            &opts.proto_include.in_repo,
        )))
    }

    fn compat(
        &self,
        old: &dyn Loaded,
        old_subject: &Subject,
        new: &dyn Loaded,
        new_subject: &Subject,
        dir: Direction,
        opts: &CheckOptions,
    ) -> Vec<Finding> {
        let (Some(o), Some(n)) = (snap(old), snap(new)) else {
            return Vec::new();
        };
        compat::check(o, &old_subject.name, n, &new_subject.name, dir, opts)
    }

    fn check_new(
        &self,
        new: &dyn Loaded,
        subjects: &[&Subject],
        _opts: &CheckOptions,
    ) -> Vec<Finding> {
        let Some(n) = snap(new) else {
            return Vec::new();
        };
        let targets: Vec<usize> = subjects
            .iter()
            .filter_map(|s| n.index.get(&s.name).copied())
            .collect();
        n.compile_errors(&targets)
    }

    fn breaking(
        &self,
        old: &dyn Loaded,
        new: &dyn Loaded,
        opts: &CheckOptions,
    ) -> Option<Vec<Finding>> {
        let (o, n) = (snap(old)?, snap(new)?);
        Some(breaking::run(o, n, opts))
    }
}
