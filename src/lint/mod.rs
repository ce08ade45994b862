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
//! `ignore_only` (rule → paths), and, in `check`, the baseline (findings whose fingerprint exists in the
//! baseline are not reported). Rule sets must not filter by those themselves.

pub mod config;
pub mod events;
pub mod model;

use std::collections::{BTreeSet, HashSet};
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
        for (id, scope) in &m.ignores {
            if let Some(rule) = crate::rules::find(id) {
                ignores.push(crate::ignore::Ignore {
                    rule,
                    reason: None,
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

/// Drops the findings of `new` whose fingerprint (rule, subject, file, pointer: never a line number) is among
/// those of `baseline`: a repository adopts a rule and only new violations are reported.
pub fn subtract_baseline(new: &mut Vec<Finding>, baseline: &[Finding]) {
    let known: HashSet<String> = baseline.iter().map(Finding::fingerprint).collect();
    new.retain(|f| !known.contains(&f.fingerprint()));
}
