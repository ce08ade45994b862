//! Lint: rules that judge one version of a schema on its own ("is this a good event contract?"), as opposed to
//! the compatibility checks that compare two versions. This module owns the framework: rule sets, rule
//! selection (`use` / `except` over presets and categories), per-rule options and severities, path ignores, and
//! hiding findings already present in a baseline. It detects nothing itself; each rule set does.
//!
//! # How a rule set plugs in
//!
//! A rule set is a module under `src/lint/` (the cross-format event rules are `lint::events`; buf's Protobuf
//! style rules are `lint::buf`). It does three things:
//!
//! 1. Declares each rule once as a `pub static X: LintRule` holding the registry `Rule` (id, category `Lint` or
//!    `Richness`, default severity, formats, summary, `rule_doc!`) plus its `groups` (presets such as
//!    `RECOMMENDED`, `EVENTS`, `STRICT`, or buf's `MINIMAL`, `BASIC`, `STANDARD`, `COMMENTS`, `UNARY_RPC`: any
//!    SCREAMING_SNAKE names; a group exists as soon as one rule names it) and the option keys it accepts under
//!    `[lint.options.RULE_ID]`.
//! 2. Implements `RuleSet`: `rules()` lists its declarations (sorted or not: the registry sorts), `knobs()`
//!    names extra top-level keys of the `[lint]` table it reads (buf's `enum_zero_value_suffix`, …), and
//!    `check()` reports findings for the enabled rules. `check` receives the loaded snapshot (downcast a format's
//!    `Loaded` to read its own model, e.g. the compiled Protobuf files), the raw files, and the neutral event
//!    model (`model::Schema`, lowered once for all sets). It asks `cx.enabled(&RULE)` before each rule, reads
//!    options with `cx.option(&RULE, "key")` / `cx.knob("key")`, and builds findings with
//!    `Finding::new(&RULE.rule, subject, message)` with a `Location` whose `pointer` is line-independent (a JSON
//!    pointer or a dotted Protobuf path): the baseline match uses it.
//! 3. Adds one registration line to `SETS` below.
//!
//! The framework then applies, to every set alike: `use` / `except`, `[lint.severity]`, `ignore` (paths),
//! `ignore_only` (rule → paths), and, in `check`, the baseline (findings the baseline already has, matched by
//! rule, subject and pointer, are not reported: see `subtract_baseline`). Rule sets must not filter by those
//! themselves.

pub mod config;
pub mod events;
pub mod model;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::finding::{Finding, Format};
use crate::rules::Rule;
use crate::snapshot::LoadedSnapshot;
use crate::source::SourceFile;

pub use config::LintConfig;

/// A lint rule: its registry declaration plus what lint selection needs.
#[derive(Debug)]
pub struct LintRule {
    pub rule: Rule,
    /// Presets / categories this rule belongs to (`RECOMMENDED`, `EVENTS`, `STRICT`, buf's `STANDARD`, …).
    pub groups: &'static [&'static str],
    /// Keys accepted in `[lint.options.<RULE_ID>]`.
    pub options: &'static [&'static str],
    /// Applies to event schemas only (see `events::is_event`).
    pub events_only: bool,
}

/// A family of lint rules with one check entry point. See the module docs.
pub trait RuleSet: Sync {
    fn rules(&self) -> &'static [&'static LintRule];
    /// Extra keys of the `[lint]` table this set reads (buf-style knobs).
    fn knobs(&self) -> &'static [&'static str] {
        &[]
    }
    fn check(&self, cx: &LintCx, input: &Input, out: &mut Vec<Finding>);
}

/// Every registered rule set. Registration line per set.
pub fn sets() -> Vec<&'static dyn RuleSet> {
    vec![&events::SET, &crate::formats::protobuf::lint::set::SET]
}

/// Every lint rule of every set.
pub fn all() -> impl Iterator<Item = &'static LintRule> {
    sets().into_iter().flat_map(|s| s.rules().iter().copied())
}

/// The lint declaration of a rule id.
pub fn find(id: &str) -> Option<&'static LintRule> {
    let id = id.trim().to_ascii_uppercase();
    all().find(|r| r.rule.id == id)
}

/// Every group name some rule belongs to, sorted.
pub fn groups() -> BTreeSet<&'static str> {
    all().flat_map(|r| r.groups.iter().copied()).collect()
}

/// What a rule set reads: one snapshot, loaded by the format engines, its files, and the neutral model.
pub struct Input<'a> {
    pub snapshot: &'a LoadedSnapshot,
    /// Every schema file of the snapshot with the format that claimed it.
    pub files: &'a [(Format, Arc<SourceFile>)],
    /// Every file read, schemas or not (data-contract sidecars, `buf.yaml`, …).
    pub all_files: &'a [Arc<SourceFile>],
    pub models: &'a [model::Schema],
}

/// The selection and options in force for one run.
pub struct LintCx<'a> {
    pub config: &'a LintConfig,
    enabled: HashSet<&'static str>,
}

impl<'a> LintCx<'a> {
    pub fn new(config: &'a LintConfig) -> Self {
        let enabled = config.selected().into_iter().collect();
        LintCx { config, enabled }
    }

    pub fn enabled(&self, rule: &LintRule) -> bool {
        self.enabled.contains(rule.rule.id)
    }

    /// `[lint.options.<RULE_ID>] key = …`.
    pub fn option(&self, rule: &LintRule, key: &str) -> Option<&'a toml::Value> {
        self.config
            .options
            .get(rule.rule.id)
            .and_then(|t| t.get(key))
    }

    /// A string-list option, or `default`.
    pub fn option_strings(&self, rule: &LintRule, key: &str, default: &[&str]) -> Vec<String> {
        match self.option(rule, key) {
            Some(toml::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(toml::Value::String(s)) => vec![s.clone()],
            _ => default.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn option_int(&self, rule: &LintRule, key: &str, default: i64) -> i64 {
        self.option(rule, key)
            .and_then(|v| v.as_integer())
            .unwrap_or(default)
    }

    pub fn option_bool(&self, rule: &LintRule, key: &str, default: bool) -> bool {
        self.option(rule, key)
            .and_then(|v| v.as_bool())
            .unwrap_or(default)
    }

    /// A top-level key of `[lint]` declared by a rule set's `knobs()`.
    pub fn knob(&self, key: &str) -> Option<&'a toml::Value> {
        self.config.knobs.get(key)
    }
}

/// Lints one loaded snapshot: lowers it to the neutral model, runs every set, then applies the selection,
/// severities and ignores of `config`. Findings are not sorted (the report does that).
/// `explicit`: the files were named by the user (a file's extension is then enough to claim it).
pub fn run(
    snapshot: &LoadedSnapshot,
    files: &[Arc<SourceFile>],
    explicit: bool,
    config: &LintConfig,
) -> Vec<Finding> {
    let classified: Vec<(Format, Arc<SourceFile>)> = files
        .iter()
        .filter(|f| !config.ignores_path(&f.shown))
        // Data-contract sidecars are read by the rules, never linted as schemas.
        .filter(|f| {
            !events::contract::SUFFIXES
                .iter()
                .any(|s| f.shown.ends_with(s))
        })
        .filter_map(|f| crate::snapshot::classify(f, explicit).map(|e| (e.format(), Arc::clone(f))))
        .collect();
    let models = model::lower_all(&classified);
    let cx = LintCx::new(config);
    let input = Input {
        snapshot,
        files: &classified,
        all_files: files,
        models: &models,
    };
    let mut out = Vec::new();
    for set in sets() {
        set.check(&cx, &input, &mut out);
    }
    out.retain(|f| {
        cx.enabled.contains(f.rule.id)
            && f.primary()
                .is_none_or(|l| !config.ignores(f.rule.id, &l.file.shown))
    });
    // Inline ignores: the one mechanism of `crate::ignore` (JSON formats' `x-schemaguard-ignore` from the loaded
    // snapshot, Protobuf `// schemaguard:ignore` comments from the lint model).
    let mut ignores = snapshot.ignores.clone();
    for m in &models {
        for (id, reason, scope) in &m.ignores {
            if let Some(rule) = crate::rules::find(id) {
                ignores.push(crate::ignore::Ignore {
                    rule,
                    reason: reason.clone(),
                    file: Arc::clone(&m.file),
                    scope: scope.clone(),
                });
            }
        }
    }
    ignores.retain(&mut out);
    for f in &mut out {
        if let Some(s) = config.severity.get(f.rule.id) {
            f.severity = *s;
        }
    }
    out
}

/// Drops the findings of `new` that `baseline` already has: a repository adopts a rule and only new violations
/// are reported. A finding matches by rule, subject, mode and element pointer (never a line number, never the
/// file path), so editing an old file above a violation, or moving the file (`git mv`), does not resurface it.
/// A subject that is the file's own path (buf's Protobuf style rules name the file) stands for "this file".
/// The path is only a tiebreak: baseline findings are counted, and a new finding first takes one at its own
/// path, then any left over under the same key. Two files that share a key (say, both lack a `package`) thus
/// hide one baseline finding each, and a copy of a violating file still reports its own.
pub fn subtract_baseline(new: &mut Vec<Finding>, baseline: &[Finding]) {
    /// Baseline findings of one path-independent key: how many are left, and how many per full fingerprint.
    #[derive(Default)]
    struct Known {
        left: usize,
        at_path: HashMap<String, usize>,
    }
    let mut known: HashMap<String, Known> = HashMap::new();
    for f in baseline {
        let k = known.entry(moved_key(f)).or_default();
        k.left += 1;
        *k.at_path.entry(f.fingerprint()).or_default() += 1;
    }
    let keys: Vec<String> = new.iter().map(moved_key).collect();
    let mut hidden = vec![false; new.len()];
    // Same path first, so that a finding which stayed put never borrows the match of a moved one.
    for (i, f) in new.iter().enumerate() {
        if let Some(k) = known.get_mut(&keys[i]) {
            if let Some(n) = k.at_path.get_mut(&f.fingerprint()).filter(|n| **n > 0) {
                *n -= 1;
                k.left -= 1;
                hidden[i] = true;
            }
        }
    }
    for (i, key) in keys.iter().enumerate() {
        if hidden[i] {
            continue;
        }
        if let Some(k) = known.get_mut(key).filter(|k| k.left > 0) {
            k.left -= 1;
            hidden[i] = true;
        }
    }
    let mut hidden = hidden.into_iter();
    new.retain(|_| !hidden.next().unwrap_or(false));
}

/// A finding's identity without its file path: rule, subject (a subject that is the path itself becomes
/// "this file"), mode, and the pointers of its locations. Unit separators keep the parts apart.
fn moved_key(f: &Finding) -> String {
    let own_path = f
        .primary()
        .is_some_and(|l| f.subject == l.file.path || f.subject == l.file.shown);
    let subject = if own_path { "" } else { f.subject.as_str() };
    let mut key = format!(
        "{}\u{1f}{}\u{1f}{}",
        f.rule.id,
        subject,
        f.mode.map(|m| m.as_str()).unwrap_or("")
    );
    for loc in [&f.new, &f.old] {
        key.push('\u{1f}');
        match loc {
            Some(l) => {
                key.push('@');
                key.push_str(l.pointer.as_deref().unwrap_or(""));
            }
            None => key.push('-'),
        }
    }
    key
}
