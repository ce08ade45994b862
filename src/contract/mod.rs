//! The contract test runner (`schemaguard test`, also run by `check`): recorded example events checked against
//! the current schema and replayed across versions with real encodings (`examples.rs`), and consumer contracts
//! checked against every change (`consumers.rs`), plus the opt-in `consumer-driven` policy. Takes the schema
//! files of both sides as read by the caller; reads `examples/` and `contracts/` below the repository root;
//! returns findings and the names of the test cases that ran. Never prints.

mod consumers;
mod examples;
pub mod rules;
mod side;

use std::path::Path;
use std::sync::Arc;

use crate::finding::{Category, Direction, Finding, Mode, Severity};
use crate::source::SourceFile;

pub use consumers::TYPES;
pub use rules::RULES;
use side::{Side, SubjectRef};

/// What the runner needs to know from the static checks.
pub(crate) struct Verdicts<'a> {
    /// The compatibility mode of a subject (`NONE` skips replay).
    pub mode_for: &'a dyn Fn(&SubjectRef) -> Mode,
    /// Subjects (by name) for which the static rules reported an error.
    pub static_errors: std::collections::HashSet<String>,
}

impl Verdicts<'_> {
    /// `Some(true)` when the static (Avro 1.12 / Confluent) rules report no error for the subject.
    pub(crate) fn static_compatible(&self, s: &SubjectRef, _dir: Direction) -> Option<bool> {
        Some(!self.static_errors.contains(&s.name))
    }
}

/// The contract tests' results.
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// One test case per example file and per consumer contract (paths relative to the repository root).
    pub tests: Vec<String>,
    /// Byte spans of fields consumers read: (file path, span), on the new and the old side.
    read_spans: Vec<(String, std::ops::Range<usize>)>,
    /// Files of subjects that have at least one consumer contract.
    contracted_files: Vec<String>,
}

/// Input of one run.
pub struct Input<'a> {
    /// Repository root: `examples/` and `contracts/` live here.
    pub root: &'a Path,
    pub new_files: &'a [Arc<SourceFile>],
    /// The baseline's schema files and its label, when there is a baseline.
    pub old: Option<(&'a [Arc<SourceFile>], Option<String>)>,
    /// Earlier versions (oldest first, the baseline excluded), read for transitive modes: examples of a subject
    /// in a `*_TRANSITIVE` mode are replayed against each of them too.
    pub history: Vec<(&'a [Arc<SourceFile>], Option<String>)>,
    pub proto_roots: &'a [String],
    /// Compatibility mode of a subject, by subject name and schema file path.
    pub mode_for: &'a dyn Fn(&str, &str) -> Mode,
    /// Static compatibility findings already computed for this change.
    pub static_findings: &'a [Finding],
    /// `[[contracts.examples]]`: example files outside `examples/<subject>/`.
    pub example_globs: &'a [crate::config::ExampleGlob],
    /// Baselines of single subjects (`--against-registry`: each subject has its own registered versions), used
    /// instead of `old` / `history` for the subjects of their files.
    pub own: Vec<OwnBaseline<'a>>,
}

/// The previous versions of the subjects of one schema file, on their own (a registry subject's versions).
pub struct OwnBaseline<'a> {
    /// The schema file (repository path as shown) whose subjects these are versions of.
    pub shown: &'a str,
    /// `(files, label)` of each version, oldest first; the last is the baseline, earlier ones are replayed in
    /// transitive modes.
    pub versions: Vec<(&'a [Arc<SourceFile>], String)>,
}

/// Whether the repository has contract tests at all (an `examples/` or `contracts/` folder, or configured
/// example globs).
pub fn present(root: &Path, example_globs: &[crate::config::ExampleGlob]) -> bool {
    !example_globs.is_empty() || root.join("examples").is_dir() || root.join("contracts").is_dir()
}

/// Whether a repository path is a contract test input rather than a schema: an event below `examples/<subject>/`,
/// or a consumer contract `contracts/<consumer>/<file>` (a `reads` list or the consumer's own reader schema). Schema
/// discovery leaves these out: a recorded event is not a JSON Schema, and a consumer's reader schema is not a
/// second definition of the subject.
pub fn is_test_input(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(
        parts.as_slice(),
        ["examples", _, _, ..] | ["contracts", _, _]
    )
}

/// Whether everything below a directory (repository-relative, `/`-separated) is a contract test input: an
/// `examples/<subject>` folder. Schema walks do not descend into it (100,000 recorded events are not visited).
pub fn is_test_dir(path: &str) -> bool {
    let mut parts = path.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("examples"), Some(s), None) if !s.is_empty()
    )
}

/// Runs every example and every consumer contract.
pub fn run(input: &Input<'_>) -> Outcome {
    let new = Side::new(None, input.new_files, input.proto_roots);
    let baselines = Baselines::new(input);
    let mode_for = |s: &SubjectRef| {
        let file = new.file_of(s).or_else(|| {
            let (old, _) = baselines.of(s, &new);
            old.and_then(|o| o.file_of(s))
        });
        match file {
            Some(f) => (input.mode_for)(&s.name, &f.shown),
            None => Mode::Backward,
        }
    };
    let static_errors = input
        .static_findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.rule.category == Category::Compatibility)
        .map(|f| f.subject.clone())
        .collect();
    let verdicts = Verdicts {
        mode_for: &mode_for,
        static_errors,
    };
    let ex = examples::run(input.root, input.example_globs, &new, &baselines, &verdicts);
    let cs = consumers::run(input.root, &new, &baselines, input.proto_roots);
    let mut read_spans = consumers::read_spans(&cs.contracts, &new);
    let mut contracted_files: Vec<String> = cs
        .contracts
        .iter()
        .filter_map(|c| c.subject.as_ref())
        .filter_map(|s| new.file_of(s))
        .map(|f| f.path.clone())
        .collect();
    for c in &cs.contracts {
        let Some(s) = &c.subject else { continue };
        let (Some(o), _) = baselines.of(s, &new) else {
            continue;
        };
        read_spans.extend(consumers::read_spans(std::slice::from_ref(c), o));
        contracted_files.extend(o.file_of(s).map(|f| f.path.clone()));
    }
    let mut findings = ex.findings;
    findings.extend(cs.findings);
    let mut tests = ex.tests;
    tests.extend(cs.tests);
    Outcome {
        findings,
        tests,
        read_spans,
        contracted_files,
    }
}

/// The previous versions examples are replayed against and contracts compared with: one baseline for every
/// subject (a git revision, a directory) with its earlier versions, or per-subject baselines (a registry).
pub(crate) struct Baselines {
    old: Option<Side>,
    /// Earlier versions, oldest first (transitive modes).
    history: Vec<Side>,
    /// Per schema file (shown path): its versions, oldest first, the baseline last.
    own: Vec<(String, Vec<Side>)>,
}

impl Baselines {
    fn new(input: &Input<'_>) -> Baselines {
        let old = input.old.as_ref().map(|(files, label)| {
            Side::new(
                label.clone().or_else(|| Some("baseline".into())),
                files,
                input.proto_roots,
            )
        });
        let earlier = |files: &[Arc<SourceFile>], label: Option<String>, roots: &[String]| {
            let mut side = Side::new(label.or_else(|| Some("earlier".into())), files, roots);
            side.earlier = true;
            side
        };
        let history = input
            .history
            .iter()
            .map(|(files, label)| earlier(files, label.clone(), input.proto_roots))
            .collect();
        // A registered version holds the schema at its local path and its references at their reference names
        // (import paths as written): no import roots apply.
        let own = input
            .own
            .iter()
            .map(|b| {
                let n = b.versions.len();
                let sides = b
                    .versions
                    .iter()
                    .enumerate()
                    .map(|(i, (files, label))| {
                        if i + 1 == n {
                            Side::new(Some(label.clone()), files, &[])
                        } else {
                            earlier(files, Some(label.clone()), &[])
                        }
                    })
                    .collect();
                (b.shown.to_string(), sides)
            })
            .collect();
        Baselines { old, history, own }
    }

    /// The versions of one schema file, when it has baselines of its own.
    fn own_of(&self, shown: &str) -> Option<&[Side]> {
        self.own
            .iter()
            .find(|(p, _)| p == shown)
            .map(|(_, v)| v.as_slice())
    }

    /// The subject a name means on some previous version (the subject is gone from the current one).
    pub fn find(&self, name: &str) -> Option<SubjectRef> {
        self.old.as_ref().and_then(|o| o.find(name)).or_else(|| {
            self.own
                .iter()
                .filter_map(|(_, v)| v.last())
                .find_map(|o| o.find(name))
        })
    }

    /// The baseline of a subject and its earlier versions (oldest first): its own versions when its file (in the
    /// current version) has them, else the common baseline.
    pub fn of(&self, s: &SubjectRef, new: &Side) -> (Option<&Side>, Vec<&Side>) {
        let own = match new.file_of(s) {
            Some(f) => self.own_of(&f.shown),
            // Gone from the current version: the per-subject baseline that defines it at its own file.
            None => self.own.iter().find_map(|(p, v)| {
                v.last()
                    .and_then(|o| o.file_of(s))
                    .filter(|f| f.shown == *p)
                    .map(|_| v.as_slice())
            }),
        };
        match own {
            Some(versions) => match versions.split_last() {
                Some((last, earlier)) => (Some(last), earlier.iter().collect()),
                None => (None, Vec::new()),
            },
            None if !self.own.is_empty() && self.old.is_none() => (None, Vec::new()),
            None => (self.old.as_ref(), self.history.iter().collect()),
        }
    }
}

impl Outcome {
    /// The `consumer-driven` policy: a breaking or incompatible change (error) in a subject that has consumer
    /// contracts, touching no field any consumer reads, becomes a warning that says so.
    pub fn apply_consumer_driven(&self, findings: &mut [Finding]) {
        for f in findings.iter_mut() {
            if f.severity != Severity::Error
                || !matches!(
                    f.rule.category,
                    Category::Compatibility | Category::Breaking
                )
            {
                continue;
            }
            let locs: Vec<_> = [&f.new, &f.old].into_iter().flatten().collect();
            let contracted = locs
                .iter()
                .any(|l| self.contracted_files.iter().any(|p| *p == l.file.path));
            if !contracted {
                continue;
            }
            let touches = locs.iter().any(|l| {
                self.read_spans.iter().any(|(p, s)| {
                    *p == l.file.path
                        && ((l.span.start <= s.start && s.end <= l.span.end.max(l.span.start + 1))
                            || (s.start <= l.span.start && l.span.start < s.end.max(s.start + 1)))
                })
            });
            if !touches {
                f.severity = Severity::Warning;
                f.message.push_str(
                    " (no consumer contract reads it: downgraded by the consumer-driven policy)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_test_input;

    #[test]
    fn examples_and_consumer_contracts_are_not_schemas() {
        assert!(is_test_input("examples/acme.Order/a.json"));
        assert!(is_test_input("examples/acme.Order/deep/b.json"));
        assert!(is_test_input("contracts/billing/acme.Order.avsc"));
        assert!(is_test_input("contracts/billing/order.json"));
        // A schema folder that merely has one of the names stays a schema folder.
        assert!(!is_test_input("examples/order.schema.json"));
        assert!(!is_test_input("contracts/order.avsc"));
        assert!(!is_test_input("contracts/billing/v1/order.avsc"));
        assert!(!is_test_input("schemas/examples/a/b.json"));
    }

    #[test]
    fn only_subject_folders_below_examples_are_pruned() {
        use super::is_test_dir;
        assert!(is_test_dir("examples/acme.Order"));
        assert!(!is_test_dir("examples"));
        assert!(!is_test_dir("examples/acme.Order/deep"));
        assert!(!is_test_dir("contracts/billing"));
        assert!(!is_test_dir("schemas/examples/a"));
        // Every file below a pruned folder is a test input.
        assert!(is_test_input("examples/acme.Order/x.json"));
    }
}
