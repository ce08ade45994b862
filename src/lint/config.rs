//! The `[lint]` table of `schemaguard.toml`, validated: which rules run (`use` / `except` over rule ids and
//! groups), per-rule severities and options, which schemas are events, and which paths are ignored (all rules,
//! or some rules). Unknown rule ids, groups, option keys and knobs are errors that point at their line.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;

/// The default selection when `use` is not given.
pub const DEFAULT_USE: &[&str] = &["RECOMMENDED"];

/// `[lint]`: which lint rules run and how.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct RawLint {
    /// Rule ids and presets (RECOMMENDED, EVENTS, STRICT, buf's categories) to run. Default: RECOMMENDED.
    #[serde(rename = "use")]
    #[schemars(with = "Option<Vec<String>>")]
    use_: Option<Vec<Spanned<String>>>,
    /// Rule ids and presets to leave out.
    #[schemars(with = "Option<Vec<String>>")]
    except: Option<Vec<Spanned<String>>>,
    /// Which schemas are events: globs over file paths or top-level type names. Default: a heuristic (README).
    #[schemars(with = "Option<Vec<String>>")]
    events: Option<Vec<Spanned<String>>>,
    /// Paths (directories, files or globs) no lint rule reports.
    #[schemars(with = "Option<Vec<String>>")]
    ignore: Option<Vec<Spanned<String>>>,
    /// Rule id → paths that rule does not report.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    ignore_only: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    /// Severity per lint rule id: error, warning, info or off.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Rule id → that rule's options (see `schemaguard explain RULE_ID`, section Configuration).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<String, serde_json::Value>>")]
    options: BTreeMap<Spanned<String>, Spanned<toml::Table>>,
    /// Everything else: knobs declared by rule sets (buf's `enum_zero_value_suffix`, …), validated below.
    #[serde(flatten)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    rest: BTreeMap<String, toml::Value>,
}

/// A path pattern: a glob, or a file or directory prefix as buf takes them (`legacy/` or `legacy`).
#[derive(Debug, Clone)]
pub struct PathPattern {
    raw: String,
    glob: GlobMatcher,
}

impl PathPattern {
    pub(crate) fn new(raw: &str) -> Result<Self, String> {
        let glob = GlobBuilder::new(raw)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("invalid glob `{raw}`: {}", e.kind()))?
            .compile_matcher();
        Ok(PathPattern {
            raw: raw.trim_end_matches('/').to_string(),
            glob,
        })
    }

    pub fn matches(&self, path: &str) -> bool {
        self.glob.is_match(path)
            || path == self.raw
            || (!self.raw.is_empty()
                && path.starts_with(&self.raw)
                && path.as_bytes().get(self.raw.len()) == Some(&b'/'))
    }
}

/// The validated `[lint]` table (or the defaults, for `schemaguard lint` without one).
#[derive(Debug, Clone)]
pub struct LintConfig {
    /// Rule ids and groups turned on (`RECOMMENDED` unless `use` says otherwise).
    pub use_: Vec<String>,
    pub except: Vec<String>,
    /// Which schemas are events: globs over file paths or type full names; `None` means the heuristic.
    pub events: Option<Vec<PathPattern>>,
    pub ignore: Vec<PathPattern>,
    pub ignore_only: BTreeMap<&'static str, Vec<PathPattern>>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub options: BTreeMap<&'static str, toml::Table>,
    pub knobs: BTreeMap<String, toml::Value>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            use_: DEFAULT_USE.iter().map(|s| s.to_string()).collect(),
            except: Vec::new(),
            events: None,
            ignore: Vec::new(),
            ignore_only: BTreeMap::new(),
            severity: BTreeMap::new(),
            options: BTreeMap::new(),
            knobs: BTreeMap::new(),
        }
    }
}

fn is_selector(name: &str) -> bool {
    let up = name.trim().to_ascii_uppercase();
    super::find(&up).is_some() || super::groups().contains(up.as_str())
}

impl LintConfig {
    /// Rule ids selected by `use` minus `except`, in registry order.
    pub fn selected(&self) -> Vec<&'static str> {
        let hit = |names: &[String], r: &super::LintRule| {
            names.iter().any(|n| {
                let n = n.to_ascii_uppercase();
                r.rule.id == n || r.groups.contains(&n.as_str())
            })
        };
        super::all()
            .filter(|r| hit(&self.use_, r) && !hit(&self.except, r))
            .map(|r| r.rule.id)
            .collect()
    }

    /// Whether `path` is ignored by every rule.
    pub fn ignores_path(&self, path: &str) -> bool {
        self.ignore.iter().any(|p| p.matches(path))
    }

    /// Whether findings of `rule` in `path` are ignored.
    pub fn ignores(&self, rule: &str, path: &str) -> bool {
        self.ignores_path(path)
            || self
                .ignore_only
                .get(rule)
                .is_some_and(|ps| ps.iter().any(|p| p.matches(path)))
    }

    /// Whether a schema at `path` whose top-level type is `full_name` is declared an event by `events`.
    pub fn declared_event(&self, path: &str, full_name: &str) -> Option<bool> {
        self.events.as_ref().map(|ps| {
            ps.iter()
                .any(|p| p.matches(path) || p.glob.is_match(full_name))
        })
    }

    /// Validates the raw table; `at` turns a span and a message into the config error.
    pub(crate) fn from_raw<E>(
        raw: RawLint,
        text: &str,
        at: &dyn Fn(std::ops::Range<usize>, String) -> E,
    ) -> Result<LintConfig, E> {
        let mut cfg = LintConfig::default();
        let selectors = |list: Option<Vec<Spanned<String>>>,
                         key: &str|
         -> Result<Option<Vec<String>>, E> {
            let Some(list) = list else { return Ok(None) };
            let mut out = Vec::new();
            for s in list {
                if !is_selector(s.get_ref()) {
                    let groups: Vec<&str> = super::groups().into_iter().collect();
                    return Err(at(
                        s.span(),
                        format!(
                            "[lint] {key}: `{}` is neither a lint rule id nor a group ({}); see `schemaguard rules`",
                            s.get_ref(),
                            groups.join(", ")
                        ),
                    ));
                }
                out.push(s.into_inner().trim().to_ascii_uppercase());
            }
            Ok(Some(out))
        };
        if let Some(u) = selectors(raw.use_, "use")? {
            cfg.use_ = u;
        }
        if let Some(e) = selectors(raw.except, "except")? {
            cfg.except = e;
        }
        let patterns = |list: Vec<Spanned<String>>| -> Result<Vec<PathPattern>, E> {
            list.iter()
                .map(|p| PathPattern::new(p.get_ref()).map_err(|m| at(p.span(), m)))
                .collect()
        };
        if let Some(ev) = raw.events {
            cfg.events = Some(patterns(ev)?);
        }
        cfg.ignore = patterns(raw.ignore.unwrap_or_default())?;
        let lint_rule = |id: &Spanned<String>, key: &str| -> Result<&'static super::LintRule, E> {
            super::find(id.get_ref()).ok_or_else(|| {
                at(
                    id.span(),
                    format!(
                        "[lint.{key}]: `{}` is not a lint rule id (see `schemaguard rules`)",
                        id.get_ref()
                    ),
                )
            })
        };
        for (id, paths) in raw.ignore_only {
            let r = lint_rule(&id, "ignore_only")?;
            cfg.ignore_only
                .entry(r.rule.id)
                .or_default()
                .extend(patterns(paths)?);
        }
        for (id, sev) in raw.severity {
            let r = lint_rule(&id, "severity")?;
            match sev.get_ref().to_ascii_lowercase().as_str() {
                "off" | "allow" | "ignore" => cfg.except.push(r.rule.id.to_string()),
                other => {
                    let s = Severity::parse(other).ok_or_else(|| {
                        at(
                            sev.span(),
                            format!("unknown severity `{other}`; expected `error`, `warning`, `info` or `off`"),
                        )
                    })?;
                    cfg.severity.insert(r.rule.id, s);
                }
            }
        }
        for (id, table) in raw.options {
            let r = lint_rule(&id, "options")?;
            let span = table.span();
            let table = table.into_inner();
            if let Some(bad) = table.keys().find(|k| !r.options.contains(&k.as_str())) {
                return Err(at(
                    span,
                    format!(
                        "[lint.options.{}]: unknown option `{bad}`; {} takes {}",
                        r.rule.id,
                        r.rule.id,
                        if r.options.is_empty() {
                            "no options".to_string()
                        } else {
                            r.options.join(", ")
                        }
                    ),
                ));
            }
            cfg.options.insert(r.rule.id, table);
        }
        let knobs: Vec<&str> = super::sets()
            .iter()
            .flat_map(|s| s.knobs().iter().copied())
            .collect();
        for (key, value) in raw.rest {
            if !knobs.contains(&key.as_str()) {
                // Flattened keys carry no span: point at the key's first line-start occurrence.
                let pos = text.find(&format!("\n{key}")).map(|p| p + 1).unwrap_or(0);
                return Err(at(
                    pos..pos + key.len(),
                    format!(
                        "[lint]: unknown key `{key}`; expected use, except, events, ignore, ignore_only, severity, options{}",
                        knobs.iter().map(|k| format!(", {k}")).collect::<String>()
                    ),
                ));
            }
            cfg.knobs.insert(key, value);
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn defaults_select_recommended() {
        let c = Config::parse("[lint]\n", "schemaguard.toml").expect("valid");
        let lint = c.lint.expect("a [lint] table");
        assert!(lint.selected().contains(&"DOC_REQUIRED"));
    }

    #[test]
    fn unknown_selector_points_at_it() {
        let e = Config::parse("[lint]\nuse = [\"STRICT\", \"NOPE\"]\n", "schemaguard.toml")
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 18));
        assert!(e.message.contains("`NOPE`"), "{}", e.message);
    }

    #[test]
    fn options_are_checked_per_rule() {
        let e = Config::parse(
            "[lint.options.DOC_REQUIRED]\nfields = true\ncolour = 1\n",
            "schemaguard.toml",
        )
        .unwrap_err();
        assert!(
            e.message.contains("unknown option `colour`"),
            "{}",
            e.message
        );
        let e = Config::parse("[lint]\nfoo = 1\n", "schemaguard.toml").unwrap_err();
        assert_eq!(e.line, 2, "{}", e.message);
    }

    #[test]
    fn except_severity_and_ignores() {
        let c = Config::parse(
            "[lint]\nuse = [\"STRICT\"]\nexcept = [\"doc_required\"]\nignore = [\"legacy\"]\n[lint.ignore_only]\nNULLABLE_DEFAULT_NULL = [\"vendor/**\"]\n[lint.severity]\nNAMESPACE_REQUIRED = \"error\"\n",
            "schemaguard.toml",
        )
        .expect("valid");
        let lint = c.lint.expect("a [lint] table");
        assert!(!lint.selected().contains(&"DOC_REQUIRED"));
        assert!(lint.selected().contains(&"NAMESPACE_REQUIRED"));
        assert!(lint.ignores("DOC_REQUIRED", "legacy/a.avsc"));
        assert!(!lint.ignores("DOC_REQUIRED", "legacyx/a.avsc"));
        assert!(lint.ignores("NULLABLE_DEFAULT_NULL", "vendor/x/a.avsc"));
        assert!(!lint.ignores("DOC_REQUIRED", "vendor/x/a.avsc"));
    }
}
