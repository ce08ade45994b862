//! buf's configuration files, read so that a buf user does not restate them in `schemaguard.toml`:
//! `buf.yaml` (v1beta1, v1, v2) and `buf.work.yaml` (v1 workspaces). Yields the module roots (used as import
//! roots), the `breaking` settings (`use`, `except`, `ignore`, `ignore_only`, `ignore_unstable_packages`) and the
//! `lint` settings (`use`, `except`, `ignore`, `ignore_only`, comment ignores, the knobs). Paths in the result are
//! relative to the repository root (v1 paths, relative to their module, are prefixed with the module's
//! directory). Reads files, never prints; a malformed file is an error naming it.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

/// One `breaking` or `lint` block. `None`: not written in the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BufCheck {
    pub use_: Option<Vec<String>>,
    pub except: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub ignore_only: Option<Vec<(String, Vec<String>)>>,
    /// breaking only.
    pub ignore_unstable_packages: Option<bool>,
    /// lint only: `enum_zero_value_suffix`, `service_suffix` (strings) and the `rpc_allow_*` booleans.
    pub knobs: Vec<(String, KnobValue)>,
    /// lint only: whether `buf:lint:ignore` comments are honoured (v1 `allow_comment_ignores`, v2 the negation of
    /// `disallow_comment_ignores`).
    pub comment_ignores: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KnobValue {
    Str(String),
    Bool(bool),
}

/// What schemaguard takes from buf's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BufConfig {
    /// The files read, relative to the repository root (`buf.yaml`, `buf.work.yaml`, `proto/buf.yaml`).
    pub files: Vec<String>,
    /// Module roots, relative to the repository root (`.` left out: the root is always an import root).
    pub roots: Vec<String>,
    pub breaking: BufCheck,
    pub lint: BufCheck,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct BufConfigError {
    pub path: String,
    pub message: String,
}

const LINT_KNOBS_STR: &[&str] = &["enum_zero_value_suffix", "service_suffix"];
const LINT_KNOBS_BOOL: &[&str] = &[
    "rpc_allow_same_request_response",
    "rpc_allow_google_protobuf_empty_requests",
    "rpc_allow_google_protobuf_empty_responses",
];

fn err(path: &str, message: impl Into<String>) -> BufConfigError {
    BufConfigError {
        path: path.to_string(),
        message: message.into(),
    }
}

fn load(path: &str, text: &str) -> Result<Yaml, BufConfigError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| err(path, e.to_string()))?;
    Ok(docs.into_iter().next().unwrap_or(Yaml::Null))
}

fn strings(path: &str, key: &str, v: &Yaml) -> Result<Option<Vec<String>>, BufConfigError> {
    match v {
        Yaml::BadValue | Yaml::Null => Ok(None),
        Yaml::Array(a) => a
            .iter()
            .map(|x| match x {
                Yaml::String(s) => Ok(s.clone()),
                _ => Err(err(path, format!("`{key}` must be a list of strings"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Err(err(path, format!("`{key}` must be a list of strings"))),
    }
}

/// `dir` joined with a path of the file (`.` and empty stay `dir`).
fn under(dir: &str, p: &str) -> String {
    let p = p.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        if p.is_empty() {
            ".".into()
        } else {
            p.to_string()
        }
    } else if p.is_empty() || p == "." {
        dir.to_string()
    } else {
        format!("{dir}/{p}")
    }
}

/// Reads one `lint` or `breaking` block; `base` prefixes its paths (v1: the module directory).
fn check_block(
    path: &str,
    key: &str,
    y: &Yaml,
    base: &str,
    v2: bool,
) -> Result<BufCheck, BufConfigError> {
    let mut c = BufCheck::default();
    let Yaml::Hash(h) = y else {
        if matches!(y, Yaml::BadValue | Yaml::Null) {
            return Ok(c);
        }
        return Err(err(path, format!("`{key}` must be a mapping")));
    };
    for (k, v) in h {
        let Some(k) = k.as_str() else {
            return Err(err(path, format!("`{key}` has a non-string key")));
        };
        let qk = format!("{key}.{k}");
        match k {
            "use" => c.use_ = strings(path, &qk, v)?,
            "except" => c.except = strings(path, &qk, v)?,
            "ignore" => {
                c.ignore =
                    strings(path, &qk, v)?.map(|l| l.iter().map(|p| under(base, p)).collect());
            }
            "ignore_only" => {
                let Yaml::Hash(m) = v else {
                    return Err(err(
                        path,
                        format!("`{qk}` must map rule ids to lists of paths"),
                    ));
                };
                let mut out = Vec::new();
                for (rk, rv) in m {
                    let Some(rule) = rk.as_str() else {
                        return Err(err(path, format!("`{qk}` has a non-string key")));
                    };
                    let paths = strings(path, &format!("{qk}.{rule}"), rv)?.unwrap_or_default();
                    out.push((
                        rule.to_string(),
                        paths.iter().map(|p| under(base, p)).collect(),
                    ));
                }
                c.ignore_only = Some(out);
            }
            "ignore_unstable_packages" if key == "breaking" => {
                c.ignore_unstable_packages = Some(
                    v.as_bool()
                        .ok_or_else(|| err(path, format!("`{qk}` must be true or false")))?,
                );
            }
            "allow_comment_ignores" if key == "lint" && !v2 => {
                c.comment_ignores = Some(
                    v.as_bool()
                        .ok_or_else(|| err(path, format!("`{qk}` must be true or false")))?,
                );
            }
            "disallow_comment_ignores" if key == "lint" && v2 => {
                let b = v
                    .as_bool()
                    .ok_or_else(|| err(path, format!("`{qk}` must be true or false")))?;
                c.comment_ignores = Some(!b);
            }
            k if key == "lint" && LINT_KNOBS_STR.contains(&k) => {
                let s = v
                    .as_str()
                    .ok_or_else(|| err(path, format!("`{qk}` must be a string")))?;
                c.knobs.push((k.to_string(), KnobValue::Str(s.to_string())));
            }
            k if key == "lint" && LINT_KNOBS_BOOL.contains(&k) => {
                let b = v
                    .as_bool()
                    .ok_or_else(|| err(path, format!("`{qk}` must be true or false")))?;
                c.knobs.push((k.to_string(), KnobValue::Bool(b)));
            }
            // buf keys schemaguard has no use for (plugins, policies, disable_builtin, …) are accepted.
            _ => {}
        }
    }
    Ok(c)
}

/// Fills what `into` does not say yet from `from` (the first module that says something wins).
fn merge(into: &mut BufCheck, from: BufCheck) {
    if into.use_.is_none() {
        into.use_ = from.use_;
    }
    if into.except.is_none() {
        into.except = from.except;
    }
    match (&mut into.ignore, from.ignore) {
        (Some(a), Some(b)) => a.extend(b),
        (a @ None, b) => *a = b,
        _ => {}
    }
    match (&mut into.ignore_only, from.ignore_only) {
        (Some(a), Some(b)) => a.extend(b),
        (a @ None, b) => *a = b,
        _ => {}
    }
    if into.ignore_unstable_packages.is_none() {
        into.ignore_unstable_packages = from.ignore_unstable_packages;
    }
    if into.comment_ignores.is_none() {
        into.comment_ignores = from.comment_ignores;
    }
    for (k, v) in from.knobs {
        if !into.knobs.iter().any(|(x, _)| *x == k) {
            into.knobs.push((k, v));
        }
    }
}

/// Reads a v1beta1 / v1 `buf.yaml` of the module in `dir` (relative to the repository root).
fn read_v1_module(
    cfg: &mut BufConfig,
    path: &str,
    text: &str,
    dir: &str,
) -> Result<(), BufConfigError> {
    let y = load(path, text)?;
    let version = y["version"].as_str().unwrap_or("v1beta1");
    if version == "v1beta1" {
        if let Some(roots) = strings(path, "build.roots", &y["build"]["roots"])? {
            for r in roots {
                let r = under(dir, &r);
                if r != "." && !cfg.roots.contains(&r) {
                    cfg.roots.push(r);
                }
            }
        }
    }
    if dir != "." && !cfg.roots.iter().any(|r| r == dir) && version != "v1beta1" {
        cfg.roots.push(dir.to_string());
    }
    let b = check_block(path, "breaking", &y["breaking"], dir, false)?;
    merge(&mut cfg.breaking, b);
    let mut l = check_block(path, "lint", &y["lint"], dir, false)?;
    // v1: comment ignores are off unless `allow_comment_ignores: true`.
    l.comment_ignores.get_or_insert(false);
    merge(&mut cfg.lint, l);
    Ok(())
}

/// Reads buf's configuration at the root of `root` (the repository): `buf.work.yaml` with the `buf.yaml` of
/// each of its directories, or `buf.yaml`. `Ok(None)` when there is neither.
pub fn discover(root: &Path) -> Result<Option<BufConfig>, BufConfigError> {
    let read = |rel: &str| -> Result<Option<String>, BufConfigError> {
        let p = root.join(rel);
        if !p.is_file() {
            return Ok(None);
        }
        std::fs::read_to_string(&p)
            .map(Some)
            .map_err(|e| err(rel, format!("cannot read: {e}")))
    };
    read_with(&read)
}

/// `discover` over any file reader (tests, git revisions).
pub fn read_with(
    read: &dyn Fn(&str) -> Result<Option<String>, BufConfigError>,
) -> Result<Option<BufConfig>, BufConfigError> {
    let mut cfg = BufConfig::default();
    if let Some(text) = read("buf.work.yaml")? {
        let y = load("buf.work.yaml", &text)?;
        cfg.files.push("buf.work.yaml".into());
        let dirs = strings("buf.work.yaml", "directories", &y["directories"])?.unwrap_or_default();
        for d in dirs {
            let d = under(".", &d);
            let p = format!("{d}/buf.yaml");
            match read(&p)? {
                Some(t) => {
                    cfg.files.push(p.clone());
                    read_v1_module(&mut cfg, &p, &t, &d)?;
                }
                None => {
                    if d != "." && !cfg.roots.contains(&d) {
                        cfg.roots.push(d);
                    }
                }
            }
        }
        return Ok(Some(cfg));
    }
    let Some(text) = read("buf.yaml")? else {
        return Ok(None);
    };
    cfg.files.push("buf.yaml".into());
    let y = load("buf.yaml", &text)?;
    let version = y["version"].as_str().unwrap_or("v1beta1").to_string();
    match version.as_str() {
        "v2" => {
            cfg.breaking = check_block("buf.yaml", "breaking", &y["breaking"], ".", true)?;
            cfg.lint = check_block("buf.yaml", "lint", &y["lint"], ".", true)?;
            if let Yaml::Array(mods) = &y["modules"] {
                for m in mods {
                    let p = under(".", m["path"].as_str().unwrap_or("."));
                    if p != "." && !cfg.roots.contains(&p) {
                        cfg.roots.push(p.clone());
                    }
                    // A module's own blocks replace the top-level ones for that module in buf; schemaguard has
                    // one setting per repository, so they fill in what the top level leaves open.
                    let b =
                        check_block("buf.yaml", "modules[].breaking", &m["breaking"], ".", true)?;
                    let l = check_block("buf.yaml", "modules[].lint", &m["lint"], ".", true)?;
                    merge(&mut cfg.breaking, b);
                    merge(&mut cfg.lint, l);
                }
            }
        }
        "v1" | "v1beta1" => read_v1_module(&mut cfg, "buf.yaml", &text, ".")?,
        other => {
            return Err(err(
                "buf.yaml",
                format!("unknown version `{other}`; expected v1beta1, v1 or v2"),
            ))
        }
    }
    Ok(Some(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(files: &[(&str, &str)]) -> Result<Option<BufConfig>, BufConfigError> {
        let m: HashMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        read_with(&move |p: &str| Ok(m.get(p).cloned()))
    }

    #[test]
    fn v2_modules_breaking_and_lint() {
        let c = read(&[(
            "buf.yaml",
            "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/x]\nbreaking:\n  use: [WIRE_JSON]\n  except: [FIELD_SAME_JSON_NAME]\n  ignore: [proto/legacy]\n  ignore_only:\n    FIELD_NO_DELETE: [proto/a.proto]\n  ignore_unstable_packages: true\nlint:\n  use: [STANDARD, COMMENTS]\n  enum_zero_value_suffix: _NONE\n  rpc_allow_same_request_response: true\n  disallow_comment_ignores: true\n",
        )])
        .expect("valid")
        .expect("found");
        assert_eq!(c.roots, vec!["proto".to_string()]);
        assert_eq!(c.breaking.use_, Some(vec!["WIRE_JSON".to_string()]));
        assert_eq!(c.breaking.ignore, Some(vec!["proto/legacy".to_string()]));
        assert_eq!(c.breaking.ignore_unstable_packages, Some(true));
        assert_eq!(
            c.breaking.ignore_only,
            Some(vec![(
                "FIELD_NO_DELETE".to_string(),
                vec!["proto/a.proto".to_string()]
            )])
        );
        assert_eq!(
            c.lint.use_,
            Some(vec!["STANDARD".to_string(), "COMMENTS".to_string()])
        );
        assert_eq!(c.lint.comment_ignores, Some(false));
        assert_eq!(c.lint.knobs.len(), 2);
    }

    #[test]
    fn v1_workspace_prefixes_module_paths() {
        let c = read(&[
            ("buf.work.yaml", "version: v1\ndirectories:\n  - proto\n  - vendor\n"),
            ("proto/buf.yaml", "version: v1\nbreaking:\n  use: [FILE]\n  ignore: [legacy]\nlint:\n  allow_comment_ignores: true\n"),
        ])
        .expect("valid")
        .expect("found");
        assert_eq!(c.roots, vec!["proto".to_string(), "vendor".to_string()]);
        assert_eq!(c.breaking.use_, Some(vec!["FILE".to_string()]));
        assert_eq!(c.breaking.ignore, Some(vec!["proto/legacy".to_string()]));
        assert_eq!(c.lint.comment_ignores, Some(true));
        assert_eq!(c.files.len(), 2);
    }

    #[test]
    fn absent_and_malformed() {
        assert!(read(&[]).expect("ok").is_none());
        assert!(read(&[("buf.yaml", "version: v9\n")]).is_err());
        assert!(read(&[("buf.yaml", "version: v2\nbreaking:\n  use: FILE\n")]).is_err());
        assert!(read(&[("buf.yaml", "version: [\n")]).is_err());
    }

    #[test]
    fn v1beta1_build_roots() {
        let c = read(&[(
            "buf.yaml",
            "version: v1beta1\nbuild:\n  roots: [proto, third_party]\n",
        )])
        .expect("valid")
        .expect("found");
        assert_eq!(
            c.roots,
            vec!["proto".to_string(), "third_party".to_string()]
        );
    }
}
