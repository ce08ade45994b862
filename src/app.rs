//! Runs one command: turns raw CLI values and the config into settings, gathers snapshots from their sources,
//! compares them, applies severity overrides, renders the report, and returns the exit code. Writes only to the
//! writers it is given.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{
    CatalogArgs, CatalogFormat, CheckArgs, Cli, ColorChoice, Command, CompatArgs, CompatOptionArgs,
    FailOn, LintArgs, OutputArgs, Policy,
};
use crate::config::Config;
use crate::finding::{Category, Mode, Severity};
use crate::formats::{self, CheckOptions, Subject};
use crate::git::Git;
use crate::report::{self, OutputFormat, Report, TextStyle};
use crate::snapshot::{self, CompareSpec, LoadedSnapshot};
use crate::source::SourceFile;
use crate::sources::{self, RawSnapshot, Source};
use crate::{rules, RunError};
use std::sync::Arc;

/// Runs a parsed command line. `stdout` gets the report, `stderr` run-level warnings and errors (so that a JSON or
/// SARIF report on stdout stays clean).
pub fn run(cli: Cli, cwd: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let mut warnings: Vec<String> = Vec::new();
    let result = match cli.command {
        Command::Check(args) => check(args, cwd, stdout, false, &mut warnings),
        Command::Test(args) => check(args, cwd, stdout, true, &mut warnings),
        Command::Registry(cmd) => registry_command(cmd, cwd, stdout, &mut warnings),
        Command::Compat(args) => compat(args, cwd, stdout, &mut warnings),
        Command::Lint(args) => lint(args, cwd, stdout),
        Command::Rules(args) => list_rules(&args.format, stdout),
        Command::Catalog(args) => catalog(args, cwd, stdout),
        Command::Decode(args) => events(EventCmd::Decode(args), cwd, stdout),
        Command::Encode(args) => events(EventCmd::Encode(args), cwd, stdout),
        Command::Explain { rule } => explain(&rule, stdout),
        Command::Completions { shell } => completions(shell, stdout),
        Command::Man { dir } => man(dir.as_deref(), cwd, stdout),
        Command::Config(args) => show_config(args, cwd, stdout),
    };
    for w in &warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }
    match result {
        Ok(code) => code,
        // `schemaguard rules | head`: a reader that stops early is not a failure.
        Err(AppError::Write { err, .. }) if err.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            2
        }
    }
}

/// Errors that stop a run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    Source(#[from] crate::sources::SourceError),
    #[error("unknown output format `{0}`; expected one of {1}")]
    BadFormat(String, String),
    #[error("unknown rule `{id}`{hint}; `schemaguard rules` lists them")]
    UnknownRule { id: String, hint: String },
    #[error(transparent)]
    Buf(#[from] crate::bufyaml::BufConfigError),
    #[error("cannot write `{path}`: {err}")]
    Write { path: String, err: std::io::Error },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Events(#[from] crate::events::EventError),
}

/// `--breaking` takes buf categories and rule ids, `--except` any rule id of any format or a buf category: a typo
/// must not silently check less.
/// `--except FILE` (a buf breaking category) or `--except FIELD_SAME_TYPE` (a buf rule) excepts buf's rules, which run
/// only with `--breaking`: without it the flag does nothing, and says so like the other flags without effect.
fn category_except_warning(except: &[String], opts: &CheckOptions) -> Option<String> {
    if !opts.breaking.is_empty() {
        return None;
    }
    // buf's categories, and buf's own rule ids (which only `--breaking` runs; Confluent's ids are others).
    let buf_only: Vec<String> = except
        .iter()
        .map(|n| n.trim().to_ascii_uppercase())
        .filter(|n| {
            (rules::find(n).is_none() && formats::protobuf::is_known_selector(n))
                || !formats::protobuf::breaking_categories_of(n).is_empty()
        })
        .collect();
    if buf_only.is_empty() {
        return None;
    }
    Some(format!(
        "--except {} has no effect: buf's breaking categories and rules run only with --breaking (without it, Protobuf files are checked with Confluent's rules; except those by their rule ids)",
        buf_only.join(",")
    ))
}

fn validate_selectors(args: &CompatOptionArgs) -> Result<(), AppError> {
    if let Some(bad) = args
        .breaking
        .iter()
        .find(|n| !formats::protobuf::is_known_selector(n))
    {
        return Err(RunError::Usage(format!(
            "--breaking: `{bad}` is neither a buf breaking category (FILE, PACKAGE, WIRE_JSON, WIRE, CSR) nor a buf rule id (see `schemaguard rules`){}",
            rules::did_you_mean(bad)
        ))
        .into());
    }
    for name in &args.except {
        crate::config::check_except(name).map_err(|m| RunError::Usage(format!("--except: {m}")))?;
    }
    Ok(())
}

/// The old side of `check`, resolved (revisions looked up, fetched if need be) but not read yet.
enum Baseline {
    Source(Box<dyn Source>),
    /// `--against-registry`: compared subject by subject after loading (each has its own versions and level).
    Registry(Box<crate::registry::Client>),
    Revision {
        baseline: crate::git::Baseline,
        /// Transitive modes: `(--since as given, its commit)`, if given.
        since: Option<(String, git2::Oid)>,
        transitive: bool,
    },
}

impl Baseline {
    /// The source to read: the chosen one, the baseline revision, or its first-parent history.
    fn into_source(self, git: &Git, history: usize) -> Result<Box<dyn Source + '_>, AppError> {
        Ok(match self {
            Baseline::Source(s) => s,
            Baseline::Registry(c) => Box::new(sources::Nothing {
                why: format!("registry {} is compared per subject", c.host()),
            }),
            Baseline::Revision {
                baseline,
                transitive: false,
                ..
            } => Box::new(sources::GitRevisions::single(git, baseline)),
            Baseline::Revision {
                baseline, since, ..
            } => {
                let since = since.as_ref().map(|(rev, c)| (rev.as_str(), *c));
                Box::new(sources::GitRevisions::history(
                    git, baseline, history, since,
                )?)
            }
        })
    }
}

/// Chooses the old side of `check`: a directory, nothing (the first commit), or a git revision — with its
/// first-parent history when some subject's mode is transitive.
fn choose_baseline(
    args: &CheckArgs,
    cfg: &Config,
    cwd: &Path,
    git: &mut Git,
    default_mode: Mode,
) -> Result<Baseline, AppError> {
    if args.against_registry {
        let client = crate::registry::client_from(
            cfg.registry.as_ref(),
            &git.root,
            args.registry_concurrency,
        )
        .map_err(|e| RunError::Usage(e.to_string()))?;
        return Ok(Baseline::Registry(Box::new(client)));
    }
    if let Some(dir) = &args.against_dir {
        return Ok(Baseline::Source(Box::new(sources::Directory {
            path: cwd.join(dir),
            label: dir.display().to_string(),
        })));
    }
    if args.staged && args.against.is_none() && cfg.against.is_none() && git.repo.head().is_err() {
        return Ok(Baseline::Source(Box::new(sources::Nothing {
            why: "no commit yet".to_string(),
        })));
    }
    let rev = args.against.clone().or_else(|| cfg.against.clone());
    let baseline = match rev.as_deref() {
        // pre-commit: what is staged against what is committed.
        None if args.staged => git.resolve("HEAD")?,
        None | Some("merge-base") => git.merge_base_baseline()?,
        Some(rev) => git.resolve(rev)?,
    };
    let transitive = default_mode.is_transitive()
        || cfg
            .subjects
            .iter()
            .any(|s| s.mode.is_some_and(|m| m.is_transitive()));
    let since = match &args.since {
        Some(r) if transitive => Some((r.clone(), git.resolve(r)?.commit)),
        _ => None,
    };
    Ok(Baseline::Revision {
        baseline,
        since,
        transitive,
    })
}

fn check_options(args: &CompatOptionArgs, cfg: &Config) -> CheckOptions {
    CheckOptions {
        lenient: match args.policy {
            Some(p) => p == Policy::Lenient,
            None => cfg.lenient.unwrap_or(false),
        },
        show_compatible: args.show_compatible,
        breaking: if args.breaking.is_empty() {
            cfg.breaking.clone()
        } else {
            args.breaking.clone()
        },
        except: if args.except.is_empty() {
            cfg.except.clone()
        } else {
            args.except.clone()
        },
        proto_roots: cfg.proto_roots.clone(),
        breaking_ignore: cfg.breaking_ignore.clone(),
        breaking_ignore_only: cfg.breaking_ignore_only.clone(),
        ignore_unstable_packages: cfg.ignore_unstable_packages,
        proto_include: formats::Includes::default(),
        json_include: formats::Includes::default(),
    }
}

/// Sets the include directories of both formats: the configuration's (absolute once loaded) and `--include`
/// (relative to `cwd`), split into directories inside the repository `root` (read with each snapshot) and outside
/// it (read from disk, the same for every snapshot). In-repository Protobuf include directories are import roots.
fn set_includes(
    opts: &mut CheckOptions,
    cfg: &Config,
    flags: &[PathBuf],
    cwd: &Path,
    root: Option<&Path>,
) -> Result<(), AppError> {
    let root_canon = root.map(|r| r.canonicalize().unwrap_or_else(|_| r.to_path_buf()));
    let split = |dirs: Vec<&PathBuf>| -> Result<formats::Includes, AppError> {
        let mut inc = formats::Includes::default();
        for d in dirs {
            let abs = cwd.join(d);
            let abs = abs.canonicalize().map_err(|_| {
                RunError::Usage(format!(
                    "include directory `{}` does not exist",
                    d.display()
                ))
            })?;
            if !abs.is_dir() {
                return Err(RunError::Usage(format!(
                    "include directory `{}` is not a directory",
                    d.display()
                ))
                .into());
            }
            let inside = root_canon
                .as_ref()
                .and_then(|r| abs.strip_prefix(r).ok())
                .map(crate::source::slash_path);
            match inside {
                // The repository root itself would make every file a reference file.
                Some(rel) if rel.is_empty() || rel == "." => {
                    return Err(RunError::Usage(format!(
                        "include directory `{}` is the repository root: name a directory below it",
                        d.display()
                    ))
                    .into())
                }
                Some(rel) => {
                    if !inc.in_repo.contains(&rel) {
                        inc.in_repo.push(rel);
                    }
                }
                None => {
                    if !inc.outside.contains(&abs) {
                        inc.outside.push(abs);
                    }
                }
            }
        }
        Ok(inc)
    };
    opts.proto_include = split(cfg.proto_include.iter().chain(flags).collect())?;
    for r in &opts.proto_include.in_repo {
        if !opts.proto_roots.contains(r) {
            opts.proto_roots.push(r.clone());
        }
    }
    let mut json = split(cfg.json_include.iter().chain(flags).collect())?;
    let engine: &dyn formats::Engine = &formats::jsonschema::ENGINE;
    let mut docs = Vec::new();
    for dir in &json.outside {
        for (fs_path, rel) in crate::source::walk(dir, &|p| engine.may_claim(p)) {
            let shown = crate::source::slash_path(&fs_path);
            // An unreadable reference document only leaves its `$ref`s unresolved (reported where they are used).
            if let Ok(f) = crate::source::read_file(&fs_path, &shown) {
                docs.push(SourceFile::with_shown(
                    rel,
                    shown,
                    None,
                    Arc::clone(&f.text),
                ));
            }
        }
    }
    json.outside_files = Arc::new(docs);
    opts.json_include = json;
    Ok(())
}

/// Whether a repository path lies in one of the in-repository include directories (such files resolve
/// references but are not linted).
/// PATH arguments (relative to `cwd`) as repository paths (`""` for the root itself), when every one of them
/// exists and lies inside the repository at `root`; `None` otherwise (then they are read as given).
fn repo_paths(cwd: &Path, root: &Path, paths: &[PathBuf]) -> Option<Vec<String>> {
    let root_canon = root.canonicalize().ok()?;
    paths
        .iter()
        .map(|p| {
            let abs = cwd.join(p).canonicalize().ok()?;
            let rel = abs.strip_prefix(&root_canon).ok()?;
            Some(crate::source::slash_path(rel))
        })
        .collect()
}

fn in_include(opts: &CheckOptions, path: &str) -> bool {
    opts.proto_include
        .in_repo
        .iter()
        .chain(&opts.json_include.in_repo)
        .any(|d| {
            path.strip_prefix(d.as_str())
                .is_some_and(|r| r.starts_with('/'))
        })
}

fn fail_on(args: &OutputArgs, cfg: &Config) -> Option<Severity> {
    match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => cfg.fail_on.unwrap_or(Some(Severity::Error)),
    }
}

/// Applies config severity overrides and drops rules turned off, then sorts and counts.
fn finish(report: &mut Report, cfg: &Config, show_compatible: bool) {
    report
        .findings
        .retain(|f| !cfg.disabled.contains(&f.rule.id));
    for f in &mut report.findings {
        if let Some(s) = cfg.severity.get(f.rule.id) {
            f.severity = *s;
        }
    }
    if !show_compatible {
        report.findings.retain(|f| {
            !(f.severity == Severity::Info
                && f.rule.category == Category::Compatibility
                && !cfg.severity.contains_key(f.rule.id))
        });
    }
    report.finish();
}

/// Where each requested report goes: (format, file or stdout).
fn outputs(args: &OutputArgs) -> Result<Vec<(OutputFormat, Option<PathBuf>)>, AppError> {
    let mut out = Vec::new();
    for spec in &args.format {
        let (name, file) = match spec.split_once('=') {
            Some((n, "")) => {
                return Err(RunError::Usage(format!(
                    "`--format {spec}` names no file: write `--format {n}=FILE`, or `--format {n}` for standard output"
                ))
                .into())
            }
            Some((n, f)) => (n, Some(PathBuf::from(f))),
            None => (spec.as_str(), None),
        };
        let format = OutputFormat::parse(name)
            .ok_or_else(|| AppError::BadFormat(name.to_string(), OutputFormat::NAMES.join(", ")))?;
        out.push((format, file));
    }
    // `--format text` is the default; `--format sarif=x` alone should not also print text.
    if args.format.len() > 1
        && args.format[0] == "text"
        && out.iter().skip(1).all(|(_, f)| f.is_some())
    {
        // keep the default text on stdout next to the files
    }
    let to_stdout = out.iter().filter(|(_, f)| f.is_none()).count();
    if to_stdout > 1 {
        return Err(RunError::Usage(
            "only one --format can go to standard output; give the others a file: --format sarif=out.sarif".into(),
        )
        .into());
    }
    if let Some(path) = &args.output {
        match out.iter_mut().find(|(_, f)| f.is_none()) {
            Some(slot) => slot.1 = Some(path.clone()),
            None => {
                return Err(RunError::Usage(
                    "--output names the file of the --format that has none".into(),
                )
                .into())
            }
        }
    }
    // Two reports into one file: the second would silently overwrite the first.
    let mut files: Vec<&PathBuf> = out.iter().filter_map(|(_, f)| f.as_ref()).collect();
    files.sort();
    if let Some(w) = files.windows(2).find(|w| w[0] == w[1]) {
        return Err(RunError::Usage(format!(
            "two --format reports name the same file `{}`; give each its own file",
            w[0].display()
        ))
        .into());
    }
    Ok(out)
}

fn emit(
    report: &Report,
    args: &OutputArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    for (format, file) in outputs(args)? {
        let color = match args.color {
            // A flag overrides the environment: `--color always` colours even with NO_COLOR set.
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                !no_color && file.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout())
            }
        };
        let style = TextStyle { color, width: None };
        match file {
            Some(path) => {
                let mut buf = Vec::new();
                let write_err = |err| AppError::Write {
                    path: path.display().to_string(),
                    err,
                };
                report::render(report, format, style, &mut buf).map_err(write_err)?;
                std::fs::write(cwd.join(&path), buf).map_err(write_err)?;
            }
            None => match report::render(report, format, style, stdout) {
                // A closed pipe (`| head`) is not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r.map_err(|err| AppError::Write {
                    path: "<stdout>".into(),
                    err,
                })?,
            },
        }
    }
    Ok(())
}

/// buf's git input syntax (`.git#branch=main,subdir=proto`, `ref=`, `tag=`, `commit=`; `depth` and
/// `recurse_submodules` are accepted and ignored) as a revision (`None`: the default baseline) and a
/// subdirectory. `None` when `s` is not in that syntax.
fn buf_against(s: &str) -> Option<(Option<String>, Option<String>)> {
    let (repo, opts) = s.split_once('#').unwrap_or((s, ""));
    let repo = repo.trim_end_matches('/');
    if !(repo == ".git" || repo.ends_with("/.git")) {
        return None;
    }
    let mut rev = None;
    let mut subdir = None;
    for kv in opts.split(',').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k.trim() {
            "branch" | "tag" | "ref" | "commit" => rev = Some(v.trim().to_string()),
            "subdir" => {
                let v = v.trim().trim_matches('/');
                if !v.is_empty() && v != "." {
                    subdir = Some(v.to_string());
                }
            }
            _ => {}
        }
    }
    Some((rev, subdir))
}

fn show_config(
    args: crate::cli::ConfigArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
) -> Result<u8, AppError> {
    let root = match Git::discover(cwd) {
        Ok(g) => g.root.clone(),
        Err(_) => cwd.to_path_buf(),
    };
    let cfg = load_config(args.config.as_ref(), cwd, &root)?;
    let rows = cfg.describe();
    let width = rows
        .iter()
        .map(|(k, v, _)| k.len() + v.len() + 3)
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v, origin) in rows {
        let line = format!("{k} = {v}");
        out.push_str(&format!("{line:<width$}  # {origin}\n"));
    }
    stdout
        .write_all(out.as_bytes())
        .map_err(|err| AppError::Write {
            path: "<stdout>".into(),
            err,
        })?;
    Ok(0)
}

fn compat(
    args: CompatArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
    warnings: &mut Vec<String>,
) -> Result<u8, AppError> {
    validate_selectors(&args.compat)?;
    let cfg = Config::default();
    let mut opts = check_options(&args.compat, &cfg);
    warnings.extend(category_except_warning(&args.compat.except, &opts));
    set_includes(&mut opts, &cfg, &args.compat.include, cwd, None)?;
    let mode = args.compat.mode.unwrap_or(Mode::Backward);
    // Paths are shown as the user typed them and read relative to `cwd`.
    let mut paths: Vec<PathBuf> = args.paths.clone();
    let new = paths
        .pop()
        .ok_or_else(|| RunError::Usage("compat needs OLD... NEW".into()))?;
    let mut report = crate::compat_paths_in(cwd, &paths, &new, mode, &opts)?;
    finish(&mut report, &cfg, opts.show_compatible);
    emit(&report, &args.output, cwd, stdout)?;
    Ok(crate::exit_code(&report, fail_on(&args.output, &cfg)))
}

/// `check`, or with `only_tests` the contract tests alone (`schemaguard test`: same baseline and output flags).
/// Run-level warnings (a flag without effect, a baseline that compares nothing) go to `warnings`, for stderr.
fn check(
    args: CheckArgs,
    cwd: &Path,
    stdout: &mut dyn Write,
    only_tests: bool,
    warnings: &mut Vec<String>,
) -> Result<u8, AppError> {
    validate_selectors(&args.compat)?;
    if args.history == Some(0) {
        return Err(RunError::Usage(
            "--history 0 would compare with nothing: give the number of first-parent commits (at least 1) to take previous versions from".into(),
        )
        .into());
    }
    let mut git = Git::discover(cwd)?;
    git.allow_fetch = !args.no_fetch;
    let mut cfg = load_config(args.config.as_ref(), cwd, &git.root)?;
    // buf's `--against '.git#branch=main,subdir=proto'` carries over from a buf CI line.
    let against = args.against.as_deref().and_then(buf_against);
    if let Some((_, Some(subdir))) = &against {
        if !cfg.proto_roots.contains(subdir) {
            cfg.proto_roots.push(subdir.clone());
        }
    }
    let args = CheckArgs {
        against: match against {
            Some((rev, _)) => rev,
            None => args.against,
        },
        ..args
    };
    let mut opts = check_options(&args.compat, &cfg);
    warnings.extend(category_except_warning(&args.compat.except, &opts));
    set_includes(&mut opts, &cfg, &args.compat.include, cwd, Some(&git.root))?;
    let default_mode = args.compat.mode.or(cfg.mode).unwrap_or(Mode::Backward);
    let engines = formats::engines();
    // Every schema file is loaded (references cross files: an excluded `third_party/` proto or a shared Avro type
    // must still resolve); `schemas` / `exclude` decide which subjects are checked and which files are reported.
    let keep = |path: &str| {
        engines.iter().any(|e| e.may_claim(path)) && !crate::contract::is_test_input(path)
    };

    // Choose sources → read → load → compare → report. Snapshots are read first and loaded once all are known,
    // so that every snapshot gets the same Protobuf import roots (subjects pair only if their logical paths agree).
    let baseline = choose_baseline(&args, &cfg, cwd, &mut git, default_mode)?;
    history_flags_warning(&args, &baseline, default_mode, warnings);
    warnings.extend(registry_concurrency_warning(&args));
    // The default baseline (or a branch) can be HEAD itself: see `self_comparison_warning`.
    let head_baseline = match &baseline {
        Baseline::Revision { baseline: b, .. }
            if !args.staged
                && args.against.as_deref() != Some("HEAD")
                && git.head_commit().is_ok_and(|h| h == b.commit) =>
        {
            Some(b.clone())
        }
        _ => None,
    };
    let registry = match &baseline {
        Baseline::Registry(c) => Some(c.as_ref().clone()),
        _ => None,
    };
    let git = &git;
    let old_source = baseline.into_source(git, args.history.unwrap_or(100))?;
    let new_source: Box<dyn Source + '_> = if args.staged {
        Box::new(sources::Index { git })
    } else {
        Box::new(sources::WorkingTree {
            root: git.root.clone(),
        })
    };
    let new = new_source.read(&keep)?.pop().unwrap_or_default();
    let previous: Vec<RawSnapshot> = old_source.read(&keep)?;
    if let Some(b) = &head_baseline {
        if same_files(&new, previous.last()) {
            warnings.push(self_comparison_warning(b, git));
        }
    }
    let baseline_description = match &registry {
        Some(c) => format!("schema registry {}", c.location()),
        None => old_source.describe(),
    };

    let sides: Vec<&[Arc<SourceFile>]> = std::iter::once(&new)
        .chain(&previous)
        .map(|s| s.files.as_slice())
        .collect();
    opts.proto_roots = formats::protobuf::shared_roots(&sides, &opts.proto_roots);
    // PATH arguments are relative to the current directory, like any shell path; findings are filtered by
    // repository path. A PATH that names no schema file of either side is a mistake, not a clean result.
    let root_canon = git.root.canonicalize().unwrap_or_else(|_| git.root.clone());
    let mut wanted: Vec<String> = Vec::new();
    for p in &args.paths {
        let abs = cwd.join(p);
        let abs = abs.canonicalize().unwrap_or(abs);
        let rel = abs
            .strip_prefix(&root_canon)
            .or_else(|_| abs.strip_prefix(&git.root))
            .map(crate::source::slash_path)
            .unwrap_or_else(|_| crate::source::slash_path(p));
        // A file that could not be read (binary, not UTF-8) is still a file of the snapshot: its READ_ERROR is
        // what the user asked about (issue 11, item 13).
        let known = std::iter::once(&new).chain(&previous).any(|s| {
            s.files.iter().any(|f| f.shown == rel)
                || s.errors
                    .iter()
                    .filter_map(|e| e.primary())
                    .any(|l| l.file.shown == rel)
        });
        // An example or consumer contract (or a folder of them): the contract tests located there.
        let test_input = git.root.join(&rel).exists()
            && (["examples", "contracts"].iter().any(|top| {
                rel.strip_prefix(top)
                    .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            }) || cfg.example_globs.iter().any(|g| g.matcher.is_match(&rel)));
        if !known && !test_input {
            return Err(RunError::Usage(format!(
                "`{}` is not a schema file of the working tree or the baseline (paths are relative to the current directory)",
                p.display()
            ))
            .into());
        }
        wanted.push(rel);
    }
    let was_schema = previous
        .last()
        .map(|s| snapshot::schema_paths(&s.files))
        .unwrap_or_default();
    let load = |s: RawSnapshot| snapshot::load(s.label, s.files, s.errors, false, &opts);
    // Lint reads the files again (data-contract sidecars included), so both sides keep their file lists.
    // `test` reports only the contract tests (and input problems): it does not lint.
    let check_lint = cfg
        .lint
        .as_ref()
        .filter(|_| !only_tests)
        .map(|_| cfg.lint_config());
    // Files of include directories resolve references; they are not linted.
    let linted = |files: &[Arc<SourceFile>]| -> Vec<Arc<SourceFile>> {
        files
            .iter()
            .filter(|f| !in_include(&opts, &f.shown))
            .cloned()
            .collect()
    };
    let lint_files = check_lint.as_ref().map(|_| {
        (
            linted(&new.files),
            previous
                .last()
                .map(|s| linted(&s.files))
                .unwrap_or_default(),
        )
    });
    // Contract tests read the schema files of both sides again, with apache-avro / prost-reflect / jsonschema.
    let contract_files = (only_tests || crate::contract::present(&git.root, &cfg.example_globs))
        .then(|| {
            (
                new.files.clone(),
                // Every version read (the baseline last; earlier ones only for transitive modes).
                previous
                    .iter()
                    .map(|s| (s.files.clone(), s.label.clone()))
                    .collect::<Vec<_>>(),
            )
        });
    let new = snapshot::load_claiming(new.label, new.files, new.errors, false, &was_schema, &opts);
    let previous: Vec<LoadedSnapshot> = previous.into_iter().map(load).collect();

    // `path` globs and PATHS arguments are repository paths: a Protobuf file under an import root is named
    // relative to the root (`file.path`) but shown, and matched, by its repository path (`file.shown`).
    // `--against-dir` of a `registry pull` copy: each subject at the level the registry has for it (kept in the
    // copy's manifest), unless the local side sets one (`--mode`, `[[subjects]]`, `mode =`), as `--against-registry`
    // decides it.
    let pulled = args
        .against_dir
        .as_ref()
        .and_then(|d| crate::registry::ids::PulledCopy::read(&cwd.join(d)))
        .unwrap_or_default();
    let pulled_levels = &pulled.levels;
    let mode_for = |s: &Subject| {
        if !cfg.selects(&s.file.shown) {
            return Mode::None;
        }
        // A `[[subjects]]` mode, then `--mode` or the config's `mode`, then the registry's level, then BACKWARD.
        let a = cfg.mode_for(&s.name, &s.file.shown, Mode::Backward);
        let b = cfg.mode_for(&s.name, &s.file.shown, Mode::Forward);
        (a == b)
            .then_some(a)
            .or(args.compat.mode)
            .or(cfg.mode)
            .or_else(|| pulled_levels.get(&s.file.shown).copied())
            .unwrap_or(default_mode)
    };
    let spec = CompareSpec {
        mode_for: &mode_for,
        opts: &opts,
        pair_single: false,
        report_deleted: true,
    };
    let mut cmp = snapshot::compare(&previous, &new, &spec);
    if let (Some(dir), Some(base)) = (&args.against_dir, previous.last()) {
        if let Some(w) = unpaired_dir_warning(dir, base, &new, &cmp) {
            warnings.push(w);
        }
    }
    let mut registry_findings = Vec::new();
    let mut registered: Vec<crate::registry::RegisteredVersions> = Vec::new();
    let mut registry_names: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    if let Some(client) = &registry {
        // The registry's level per subject, unless the local side sets one (`--mode`, `[[subjects]]`, `mode =`).
        let local_mode = |s: &Subject| -> Option<Mode> {
            let a = cfg.mode_for(&s.name, &s.file.shown, Mode::Backward);
            let b = cfg.mode_for(&s.name, &s.file.shown, Mode::Forward);
            args.compat
                .mode
                .or(if a == b { Some(a) } else { None })
                .or(cfg.mode)
        };
        warnings.extend(crate::registry::mapping_warnings(&new, &cfg));
        let outcome = crate::registry::compare_with_registry(
            &new,
            &crate::registry::RegistryCheck {
                client,
                cfg: &cfg,
                opts: &opts,
                local_mode: &local_mode,
                server_check: args.server_check,
                root: &git.root,
            },
        )
        .map_err(|e| RunError::Usage(e.to_string()))?;
        cmp = outcome.comparison;
        registry_findings = outcome.findings;
        registered = outcome.registered;
        registry_names = outcome.names;
    } else {
        // A `registry pull` copy names each file's registry subject in its manifest.
        for set in &new.sets {
            for s in &set.subjects {
                if let Some(subject) = pulled.subjects.get(&s.file.shown) {
                    registry_names.insert(s.name.clone(), subject.clone());
                }
            }
        }
    }
    // `except` of `[[subjects]]` entries: by the subject's name and the path of its file (new, else baseline).
    if cfg.subjects.iter().any(|s| !s.except.is_empty()) {
        let mut path_of: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for snap in previous.last().into_iter().chain(std::iter::once(&new)) {
            for set in &snap.sets {
                for s in &set.subjects {
                    path_of.insert(&s.name, &s.file.shown);
                }
            }
        }
        cmp.findings.retain(|f| {
            let path = path_of.get(f.subject.as_str()).copied().unwrap_or("");
            !cfg.excepts(&f.subject, path, f.rule.id)
        });
    }
    // Against a registry (or a pulled copy of one), findings and checked subjects carry the registry's subject
    // names (`orders-value`), after `[[subjects]]` entries matched the local ones.
    if !registry_names.is_empty() {
        for f in &mut cmp.findings {
            if let Some(s) = registry_names.get(&f.subject) {
                f.subject.clone_from(s);
            }
        }
        for c in &mut cmp.checked {
            if let Some(s) = registry_names.get(&c.0) {
                c.0.clone_from(s);
            }
        }
    }
    let mut inputs = previous
        .last()
        .map(snapshot::baseline_findings)
        .unwrap_or_default();
    inputs.extend(new.findings.iter().cloned());
    inputs.extend(registry_findings);
    // Input problems of files outside `schemas` / inside `exclude` are not this repository's to fix.
    inputs.retain(|f| f.primary().is_none_or(|l| cfg.selects(&l.file.shown)));
    let mut report = crate::assemble(
        inputs,
        cmp,
        new.file_count,
        default_mode,
        Some(baseline_description),
    );
    // Against a registry (or a pulled copy of one) without a local mode (`--mode`, `mode =`), each subject is
    // checked under its own registered level: the summary names those levels (`Report::finish` fills `modes`), not a default nobody set.
    if (registry.is_some() || !pulled_levels.is_empty())
        && args.compat.mode.is_none()
        && cfg.mode.is_none()
        && !report.checked.is_empty()
    {
        report.summary.mode = None;
    }
    // Repository-relative paths: in CI, Markdown links point at the checked commit on the forge.
    report.summary.link_base = report::link_base_from_env(&|k| std::env::var(k).ok());
    // Lint only with a `[lint]` table (an upgrade must not turn a green CI red), and only what the baseline does
    // not already have: a repository adopts rules without touching old files.
    if let (Some(lint_cfg), Some((new_files, old_files))) = (&check_lint, &lint_files) {
        let mut found = crate::lint::run(&new, new_files, false, lint_cfg);
        if let Some(base) = previous.last() {
            let known = crate::lint::run(base, old_files, false, lint_cfg);
            crate::lint::subtract_baseline(&mut found, &known);
        }
        found.retain(|f| f.primary().is_none_or(|l| cfg.selects(&l.file.shown)));
        report.findings.extend(found);
    }
    if let Some((new_files, versions)) = &contract_files {
        // Against a registry, a subject's examples replay under the level it was checked under.
        let mode_of = |name: &str, path: &str| {
            if !cfg.selects(path) {
                Mode::None
            } else if let Some(r) = registered.iter().find(|r| r.local_shown == path) {
                r.mode
            } else {
                cfg.mode_for(name, path, default_mode)
            }
        };
        let input = crate::contract::Input {
            root: &git.root,
            new_files,
            old: versions.last().map(|(f, l)| (f.as_slice(), l.clone())),
            history: versions
                .iter()
                .take(versions.len().saturating_sub(1))
                .map(|(f, l)| (f.as_slice(), l.clone()))
                .collect(),
            proto_roots: &opts.proto_roots,
            mode_for: &mode_of,
            static_findings: &report.findings,
            example_globs: &cfg.example_globs,
            own: registered
                .iter()
                .map(|r| crate::contract::OwnBaseline {
                    shown: &r.local_shown,
                    versions: r
                        .versions
                        .iter()
                        .map(|(label, files)| (files.as_slice(), label.clone()))
                        .collect(),
                })
                .collect(),
        };
        let outcome = crate::contract::run(&input);
        if args.consumer_driven {
            outcome.apply_consumer_driven(&mut report.findings);
        }
        if only_tests {
            // `test` reports the contract tests, and the input problems that keep them from running.
            report
                .findings
                .retain(|f| f.rule.category == Category::Input);
            report.checked.clear();
            report.summary.subjects_checked = 0;
        }
        report.findings.extend(outcome.findings);
        report.contract_tests = outcome.tests;
    }
    if !wanted.is_empty() {
        // A PATH selects what is located in it (a folder: below it), and a schema PATH also its subject's contract
        // tests, which are located in example and contract files.
        let selected = |shown: &str| {
            wanted.iter().any(|w| {
                w == shown
                    || w.is_empty()
                    || shown
                        .strip_prefix(w.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        };
        let subjects: std::collections::HashSet<&str> = new
            .sets
            .iter()
            .flat_map(|set| set.subjects.iter())
            .filter(|s| selected(&s.file.shown))
            .map(|s| s.name.as_str())
            .collect();
        report.findings.retain(|f| {
            [&f.new, &f.old]
                .into_iter()
                .flatten()
                .any(|l| selected(&l.file.shown))
                || (f.rule.category == Category::Contract && subjects.contains(f.subject.as_str()))
        });
    }
    finish(&mut report, &cfg, opts.show_compatible);
    emit(&report, &args.output, cwd, stdout)?;
    Ok(crate::exit_code(&report, fail_on(&args.output, &cfg)))
}

/// `--history` and `--since` choose which commits give previous versions for transitive modes; anywhere else they
/// do nothing, and the user should know that (issue 11, item 13).
fn history_flags_warning(
    args: &CheckArgs,
    baseline: &Baseline,
    default_mode: Mode,
    warnings: &mut Vec<String>,
) {
    let given: Vec<&str> = [
        args.history.map(|_| "--history"),
        args.since.as_ref().map(|_| "--since"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.is_empty() {
        return;
    }
    let flags = given.join(" and ");
    let (verb, they, read, choose) = if given.len() > 1 {
        ("have", "they", "read", "choose")
    } else {
        ("has", "it", "reads", "chooses")
    };
    let why = match baseline {
        Baseline::Revision {
            transitive: false, ..
        } => format!(
            "no subject's mode is transitive (mode {default_mode}), and {they} only {choose} the previous versions that BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE and FULL_TRANSITIVE check against"
        ),
        Baseline::Revision { .. } => return,
        Baseline::Registry(_) => {
            "the registry's versions are the history with --against-registry".to_string()
        }
        Baseline::Source(s) => format!("{they} {read} git history, and the baseline is {}", s.describe()),
    };
    warnings.push(format!("{flags} {verb} no effect: {why}"));
}

/// `--registry-concurrency` sets how many requests go to the registry at once; only `--against-registry` sends any,
/// so elsewhere the flag does nothing, and the user should know (new user's trial).
fn registry_concurrency_warning(args: &CheckArgs) -> Option<String> {
    (args.registry_concurrency.is_some() && !args.against_registry).then(|| {
        "--registry-concurrency has no effect: it sets the parallel requests to the schema registry, and only \
         --against-registry asks the registry"
            .to_string()
    })
}

/// Whether two snapshots hold the same schema files with the same text.
fn same_files(new: &RawSnapshot, old: Option<&RawSnapshot>) -> bool {
    let Some(old) = old else {
        return false;
    };
    let key = |s: &RawSnapshot| -> Vec<(String, Arc<str>)> {
        let mut v: Vec<(String, Arc<str>)> = s
            .files
            .iter()
            .map(|f| (f.path.clone(), Arc::clone(&f.text)))
            .collect();
        v.sort();
        v
    };
    key(new) == key(old)
}

/// The baseline resolved to HEAD and no schema changed since: nothing is compared, and a green run would mean
/// nothing (issue 11, item 14: in a CI clone `origin/HEAD` can point at the branch under test).
fn self_comparison_warning(b: &crate::git::Baseline, git: &Git) -> String {
    let short = git.short_id(b.commit);
    let (what, why) = match &b.merge_base_of {
        Some(branch) => (
            format!(
                "the baseline, the merge-base of HEAD and `{branch}`, is HEAD itself ({short})"
            ),
            if git.origin_head().as_deref() == Some(branch.as_str()) {
                format!(
                    "`origin/HEAD` points at `{branch}`, which already holds HEAD: in a CI clone of a branch (`git clone --branch`), `origin/HEAD` names the branch under test, not the default branch"
                )
            } else {
                format!("HEAD is already part of `{branch}` (a push to that branch, or HEAD checked out from it)")
            },
        ),
        None => (
            format!("the baseline `{}` is HEAD itself ({short})", b.label),
            format!("`{}` points at the commit that is checked out", b.label),
        ),
    };
    format!(
        "{what} and no schema file changed since: nothing is being compared. {why}; pass the baseline to compare with, e.g. `--against origin/main`, or `--against HEAD~1` to check the last commit"
    )
}

/// `--against-dir DIR` whose schemas pair with none of the working tree's: DIR does not mirror the repository root
/// (typically one level too deep or too shallow), so every subject would look deleted or new (issue 11, item 12).
/// Suggests the directory that would mirror it when one does.
fn unpaired_dir_warning(
    dir: &Path,
    base: &LoadedSnapshot,
    new: &LoadedSnapshot,
    cmp: &snapshot::Comparison,
) -> Option<String> {
    let old_subjects = base.sets.iter().map(|s| s.subjects.len()).sum::<usize>();
    let new_subjects = new.sets.iter().map(|s| s.subjects.len()).sum::<usize>();
    // Subjects paired only as renamed files (by record name) do not count: a directory one level off pairs that
    // way file by file.
    if cmp.checked.len() > cmp.renamed || old_subjects == 0 || new_subjects == 0 {
        return None;
    }
    let shown = crate::source::slash_path(dir);
    let old_paths: Vec<&str> = base
        .sets
        .iter()
        .flat_map(|s| &s.subjects)
        .map(|s| s.file.shown.as_str())
        .collect();
    let new_paths: Vec<&str> = new
        .sets
        .iter()
        .flat_map(|s| &s.subjects)
        .map(|s| s.file.shown.as_str())
        .collect();
    // Too deep: DIR holds `x.proto` where the repository has `schemas/x.proto`, so DIR is the old `schemas/`.
    // Too shallow: DIR holds `checkout/schemas/x.proto`, so `DIR/checkout` is the old repository root.
    // The shortest prefix wins, and for "too deep" one that DIR's own path ends with (DIR may lie inside the
    // working tree, whose copy of it then matches with a longer prefix).
    let prefixes =
        |longer: &[&str], shorter: &[&str]| -> std::collections::BTreeSet<(usize, String)> {
            let mut out = std::collections::BTreeSet::new();
            for l in longer {
                for s in shorter {
                    if let Some(p) = l.strip_suffix(s).filter(|p| p.ends_with('/')) {
                        let p = p.trim_end_matches('/');
                        out.insert((p.len(), p.to_string()));
                    }
                }
            }
            out
        };
    let trimmed = shown.trim_end_matches('/');
    let deep_all = prefixes(&new_paths, &old_paths);
    let deep = deep_all
        .iter()
        .find(|(_, p)| trimmed == p || trimmed.ends_with(&format!("/{p}")))
        .or_else(|| deep_all.first())
        .map(|(_, p)| p.clone());
    let shallow = prefixes(&old_paths, &new_paths)
        .into_iter()
        .next()
        .map(|(_, p)| p);
    let suggestion = match (deep, shallow) {
        (Some(prefix), _) => match trimmed.strip_suffix(prefix.as_str()) {
            Some(parent) if parent.is_empty() || parent.ends_with('/') => {
                let parent = if parent.is_empty() { "." } else { parent.trim_end_matches('/') };
                format!(
                    "; `{shown}` looks like the repository's `{prefix}/`: try `--against-dir {parent}`"
                )
            }
            _ => format!(
                "; `{shown}` looks like the repository's `{prefix}/`: pass the directory that holds the old `{prefix}/`"
            ),
        },
        (None, Some(prefix)) => format!(
            "; the repository root seems to be `{trimmed}/{prefix}`: try `--against-dir {trimmed}/{prefix}`"
        ),
        (None, None) => String::new(),
    };
    Some(format!(
        "no schema of `--against-dir {shown}` pairs with one of the working tree, so every subject looks deleted or new: the directory must mirror the repository root (the same paths below it as in the repository){suggestion}"
    ))
}

/// Loads the configuration named by `--config`, or `schemaguard.toml` at `root` when present.
/// `schemaguard.toml` (or the file given with `--config`), completed from buf's configuration at the repository
/// root (`buf.yaml`, `buf.work.yaml`) where schemaguard.toml says nothing.
fn load_config(explicit: Option<&PathBuf>, cwd: &Path, root: &Path) -> Result<Config, AppError> {
    let mut cfg = match explicit {
        Some(p) => Config::load(&cwd.join(p), &p.display().to_string())?,
        None => {
            let p = root.join("schemaguard.toml");
            if p.is_file() {
                Config::load(&p, "schemaguard.toml")?
            } else {
                Config::default()
            }
        }
    };
    if let Some(buf) = crate::bufyaml::discover(root)? {
        cfg.apply_buf(buf)?;
    }
    Ok(cfg)
}

fn lint(args: LintArgs, cwd: &Path, stdout: &mut dyn Write) -> Result<u8, AppError> {
    let git = Git::discover(cwd).ok();
    let root = git
        .as_ref()
        .map(|g| g.root.clone())
        .unwrap_or_else(|| cwd.to_path_buf());
    let cfg = load_config(args.config.as_ref(), cwd, &root)?;
    let mut lint_cfg = cfg.lint_config();
    for (flag, names) in [("--use", &args.use_), ("--except", &args.except)] {
        if let Some(bad) = names.iter().find(|n| {
            let up = n.trim().to_ascii_uppercase();
            crate::lint::find(&up).is_none() && !crate::lint::groups().contains(up.as_str())
        }) {
            return Err(RunError::Usage(format!(
                "{flag}: `{bad}` is neither a lint rule id nor a group (see `schemaguard rules`)"
            ))
            .into());
        }
    }
    if !args.use_.is_empty() {
        lint_cfg.use_ = args
            .use_
            .iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .collect();
    }
    lint_cfg
        .except
        .extend(args.except.iter().map(|s| s.trim().to_ascii_uppercase()));
    let mut opts = check_options(
        &CompatOptionArgs {
            mode: None,
            policy: None,
            breaking: Vec::new(),
            except: Vec::new(),
            show_compatible: false,
            include: Vec::new(),
        },
        &cfg,
    );
    set_includes(&mut opts, &cfg, &args.include, cwd, Some(&root))?;
    let engines = formats::engines();
    let keep = |path: &str| {
        engines.iter().any(|e| e.may_claim(path)) && !crate::contract::is_test_input(path)
    };
    // The working tree below the repository root (or the PATHs given), as `check` reads it.
    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    let mut errors: Vec<crate::finding::Finding> = Vec::new();
    let mut explicit = false;
    let mut sidecars = Vec::new();
    // Inside a repository, PATHs choose what is linted and reported, as in `check`: the rest of the working tree
    // is loaded too, so an Avro type, a proto import or a `$ref` defined in another file resolves (`lint
    // schemas/order.avsc` failed with "unknown type" for a type in `money.avsc`).
    let wanted: Option<Vec<String>> = match (&git, args.paths.is_empty()) {
        (Some(_), false) => repo_paths(cwd, &root, &args.paths),
        _ => None,
    };
    if args.paths.is_empty() || wanted.is_some() {
        for (fs_path, rel) in crate::source::walk_pruned(&root, &keep, crate::contract::is_test_dir)
        {
            match crate::source::read_file(&fs_path, &rel) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(snapshot::read_error_finding(&e, None)),
            }
        }
    }
    // A PATH covers itself, what lies below it, and a file's data-contract sidecars (read by the lint rules).
    let is_wanted = |shown: &str| {
        wanted.as_ref().is_none_or(|w| {
            w.iter().any(|p| {
                p.is_empty()
                    || shown.strip_prefix(p.as_str()).is_some_and(|r| {
                        r.is_empty()
                            || r.starts_with('/')
                            || crate::lint::events::contract::SUFFIXES.contains(&r)
                    })
            })
        })
    };
    if let Some(w) = &wanted {
        explicit = args.paths.iter().any(|p| cwd.join(p).is_file());
        // A file named on the command line that discovery passed over (ignored by git, an extension no format
        // claims by name) is still read, as without a repository.
        // So is a directory named on the command line that the repository walk skips (ignored by git,
        // `contracts/`, `examples/`): read as without a repository, named by repository path.
        for (p, rel) in args.paths.iter().zip(w) {
            let full = cwd.join(p);
            if full.is_file() && !files.iter().any(|f| &f.shown == rel) {
                match crate::source::read_file(&full, rel) {
                    Ok(f) => files.push(f),
                    Err(e) => errors.push(snapshot::read_error_finding(&e, None)),
                }
            } else if full.is_dir()
                && !files.iter().any(|f| {
                    rel.is_empty()
                        || f.shown
                            .strip_prefix(rel.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                })
            {
                let (found, errs, _) = crate::read_path_in(cwd, p, None)?;
                errors.extend(errs);
                for f in found {
                    let shown = format!("{rel}/{}", f.path);
                    files.push(SourceFile::with_shown(
                        shown.clone(),
                        shown,
                        None,
                        Arc::clone(&f.text),
                    ));
                }
            }
        }
        // A file named on the command line is claimed by its extension; the others only as discovery claims them.
        files.retain(|f| is_wanted(&f.shown) || snapshot::classify(f, false).is_some());
    } else if !args.paths.is_empty() {
        for p in &args.paths {
            let (f, e, ex) = crate::read_path_in(cwd, p, None)?;
            files.extend(f);
            errors.extend(e);
            explicit |= ex;
            sidecars.extend(crate::contract_sidecars(cwd, p));
        }
    }
    files.retain(|f| cfg.selects(&f.shown));
    // Schema files linted (data-contract sidecars are read by the rules, not counted).
    let file_count = files
        .iter()
        .filter(|f| {
            is_wanted(&f.shown)
                && !crate::sidecar::SUFFIXES
                    .iter()
                    .any(|s| f.shown.ends_with(s))
        })
        .count();
    if wanted.is_some() && file_count == 0 && errors.is_empty() {
        // As for `compat`: a PATH that holds nothing to lint is a mistake, not a clean result.
        let named: Vec<String> = args
            .paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        return Err(RunError::Usage(format!(
            "no schema found in {}: below a directory, `.json`/`.yaml` files are read as JSON Schema only when named `*.schema.json` or when their top-level `$schema` names a json-schema.org meta-schema; name the files to lint them anyway",
            named.join(" or ")
        ))
        .into());
    }
    let proto_roots = formats::protobuf::shared_roots(&[files.as_slice()], &opts.proto_roots);
    let opts = CheckOptions {
        proto_roots,
        ..opts
    };
    let snap = snapshot::load(None, files.clone(), errors, explicit, &opts);
    files.extend(sidecars);
    // Files of include directories resolve references; they are not linted. Nor are files outside the PATHs.
    files.retain(|f| !in_include(&opts, &f.shown) && is_wanted(&f.shown));
    if let Some(e) = crate::sidecar::two_sidecars_among(&files) {
        return Err(RunError::Usage(e.to_string()).into());
    }
    let mut findings = crate::lint::run(&snap, &files, explicit, &lint_cfg);
    let mut baseline = None;
    if let (Some(rev), false) = (&args.against, args.all) {
        let mut git =
            git.ok_or_else(|| RunError::Usage("--against needs a git repository".to_string()))?;
        let b = git.resolve(rev)?;
        let (old_files, _) =
            git.read_tree(b.commit, &b.label, &keep, crate::contract::is_test_dir)?;
        let old_files: Vec<Arc<SourceFile>> = old_files
            .into_iter()
            .filter(|f| cfg.selects(&f.shown))
            .collect();
        let old_snap = snapshot::load(
            Some(b.label.clone()),
            old_files.clone(),
            Vec::new(),
            false,
            &opts,
        );
        let old_files: Vec<Arc<SourceFile>> = old_files
            .into_iter()
            .filter(|f| !in_include(&opts, &f.shown))
            .collect();
        let known = crate::lint::run(&old_snap, &old_files, false, &lint_cfg);
        crate::lint::subtract_baseline(&mut findings, &known);
        baseline = Some(b.description);
    }
    findings.extend(snap.findings.iter().cloned());
    // What only compiling finds (a Protobuf name that is not defined), as for a new file in `check`; kept
    // wherever it is located, since a file that a linted one imports and that does not compile stops that one.
    let mut compile_errors = Vec::new();
    for set in &snap.sets {
        let subjects: Vec<&formats::Subject> = set
            .subjects
            .iter()
            .filter(|s| !in_include(&opts, &s.file.shown) && is_wanted(&s.file.shown))
            .collect();
        compile_errors.extend(set.engine.check_new(set.loaded.as_ref(), &subjects, &opts));
    }
    // Whole-snapshot rule sets and loading report on every file: keep what lies under the PATHs.
    findings.retain(|f| f.primary().is_none_or(|l| is_wanted(&l.file.shown)));
    findings.extend(compile_errors);
    let mut report = Report {
        findings,
        summary: report::Summary {
            files: file_count,
            baseline,
            ..report::Summary::default()
        },
        checked: Vec::new(),
        ..Report::default()
    };
    finish(&mut report, &cfg, false);
    emit(&report, &args.output, cwd, stdout)?;
    Ok(crate::exit_code(&report, fail_on(&args.output, &cfg)))
}

fn list_rules(format: &str, out: &mut dyn Write) -> Result<u8, AppError> {
    let write_err = |err| AppError::Write {
        path: "<stdout>".into(),
        err,
    };
    match format {
        "json" => {
            let list: Vec<serde_json::Value> = rules::all()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "category": r.category.as_str(),
                        "severity": r.severity.as_str(),
                        "formats": r.formats.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
                        "summary": r.summary,
                        "presets": crate::lint::find(r.id).map(|l| l.groups).unwrap_or(&[]),
                        // buf's breaking categories that select the rule (`--breaking FILE`, …).
                        "buf_categories": formats::protobuf::breaking_categories_of(r.id),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list).map_err(|e| write_err(e.into()))?;
            writeln!(out).map_err(write_err)?;
        }
        "text" => {
            let width = rules::all().iter().map(|r| r.id.len()).max().unwrap_or(10);
            for r in rules::all() {
                let formats: Vec<&str> = r.formats.iter().map(|f| f.as_str()).collect();
                // The last column names what selects the rule: a lint rule's presets, a buf breaking rule's
                // categories (`--breaking FILE`).
                let buf = formats::protobuf::breaking_categories_of(r.id);
                let presets = match crate::lint::find(r.id) {
                    Some(l) => format!(" [{}]", l.groups.join(", ")),
                    None if !buf.is_empty() => format!(" [{}]", buf.join(", ")),
                    None => String::new(),
                };
                writeln!(
                    out,
                    "{:width$}  {:13}  {:7}  {:28}  {}{presets}",
                    r.id,
                    r.category.as_str(),
                    r.severity.as_str(),
                    formats.join(","),
                    r.summary,
                )
                .map_err(write_err)?;
            }
        }
        other => return Err(AppError::BadFormat(other.to_string(), "text, json".into())),
    }
    Ok(0)
}

enum EventCmd {
    Decode(crate::cli::DecodeArgs),
    Encode(crate::cli::EncodeArgs),
}

fn events(cmd: EventCmd, cwd: &Path, stdout: &mut dyn Write) -> Result<u8, AppError> {
    use crate::cli::{BytesForm, FramingArg};
    use crate::events::{self, ByteText, EventError, EventOptions, Framing};
    let (inputs, s, confluent, confluent_id) = match &cmd {
        EventCmd::Decode(a) => (
            &a.inputs,
            &a.schema,
            a.confluent || a.registry_dir.is_some(),
            None,
        ),
        EventCmd::Encode(a) => (
            &a.inputs,
            &a.schema,
            a.confluent_id.is_some(),
            a.confluent_id,
        ),
    };
    // Where Confluent ids are looked up: `registry pull` manifest, or the registry of the configuration.
    let id_source = |registry_dir: &Option<PathBuf>,
                     confluent: bool,
                     config: &Option<PathBuf>|
     -> Result<Option<Box<dyn events::SchemaIds>>, AppError> {
        let setup = |e: crate::registry::RegistryError| EventError::Usage(e.to_string());
        if let Some(dir) = registry_dir {
            return Ok(Some(Box::new(
                crate::registry::ids::ManifestIds::load(&cwd.join(dir)).map_err(setup)?,
            )));
        }
        if !confluent {
            return Ok(None);
        }
        let root = Git::discover(cwd)
            .map(|g| g.root.clone())
            .unwrap_or_else(|_| cwd.to_path_buf());
        let cfg = match config {
            Some(p) => Config::load(&cwd.join(p), &p.display().to_string())?,
            None if root.join("schemaguard.toml").is_file() => {
                Config::load(&root.join("schemaguard.toml"), "schemaguard.toml")?
            }
            None => Config::default(),
        };
        let client =
            crate::registry::client_from(cfg.registry.as_ref(), &root, None).map_err(setup)?;
        Ok(Some(Box::new(crate::registry::ids::RegistryIds::new(
            client,
        ))))
    };
    // `encode --subject S --confluent|--registry-dir DIR`: the subject's latest registered version and its id.
    let mut registered: Option<(events::EventSchema, u32)> = None;
    if let EventCmd::Encode(a) = &cmd {
        if let Some(mut ids) = id_source(&a.registry_dir, a.confluent, &a.config)? {
            let Some(subject) = s.subject.as_deref() else {
                return Err(EventError::Usage(
                    "--confluent / --registry-dir encode with a registered subject: name it with --subject SUBJECT".into(),
                )
                .into());
            };
            if s.schema.is_some() {
                return Err(EventError::Usage(
                    "--schema names a local file: with --confluent / --registry-dir the schema is the registered one of --subject".into(),
                )
                .into());
            }
            registered = Some(events::subject_schema(
                ids.as_mut(),
                subject,
                s.message.as_deref(),
            )?);
        }
    }
    let confluent_id = confluent_id.or(registered.as_ref().map(|(_, id)| *id));
    let confluent = confluent || registered.is_some();
    // One record per line needs a text form: raw bytes hold newlines of their own.
    if matches!(s.framing, FramingArg::Lines) && matches!(s.bytes, BytesForm::Raw) {
        return Err(EventError::Usage(
            "--framing lines holds one hex or base64 record per line: add --bytes hex or --bytes base64 (raw bytes \
             contain newlines of their own; for raw records use --framing length)"
                .into(),
        )
        .into());
    }
    let opts = EventOptions {
        text: match s.bytes {
            BytesForm::Raw => ByteText::Raw,
            BytesForm::Hex => ByteText::Hex,
            BytesForm::Base64 => ByteText::Base64,
        },
        framing: match s.framing {
            FramingArg::None => Framing::None,
            FramingArg::Length => Framing::Length,
            FramingArg::Lines => Framing::Lines,
        },
        confluent,
        confluent_id,
        plain: s.plain,
        max_record: s.max_record_size,
    };
    let names: Vec<PathBuf> = if inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        inputs.clone()
    };
    let shown = |p: &Path| {
        if p.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            p.display().to_string()
        }
    };
    // Encode reads each input whole (JSON documents, bounded by --max-record-size each); decode streams them.
    let read_whole = |p: &PathBuf| -> Result<(String, Vec<u8>), EventError> {
        let mut b = Vec::new();
        if p.as_os_str() == "-" {
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
        } else {
            std::fs::File::open(cwd.join(p))
                .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut b))
        }
        .map_err(|err| EventError::Read {
            path: shown(p),
            err,
        })?;
        Ok((shown(p), b))
    };
    let open = |p: &PathBuf| -> Result<events::DecodeInput<'static>, EventError> {
        if p.as_os_str() == "-" {
            return Ok(events::DecodeInput {
                name: shown(p),
                reader: Box::new(std::io::stdin().lock()),
                live: !stdin_is_file(),
            });
        }
        let f = std::fs::File::open(cwd.join(p)).map_err(|err| EventError::Read {
            path: shown(p),
            err,
        })?;
        let live = !f.metadata().is_ok_and(|m| m.is_file());
        Ok(events::DecodeInput {
            name: shown(p),
            reader: Box::new(f),
            live,
        })
    };
    let named = s.schema.is_some() || s.subject.is_some() || s.message.is_some();
    let schema = if let Some((schema, _)) = registered {
        Some(schema)
    } else if named {
        Some(events::resolve_schema(
            cwd,
            &repository_root(cwd),
            s.schema.as_deref(),
            s.subject.as_deref(),
            s.message.as_deref(),
        )?)
    } else {
        None
    };
    // No schema named and Confluent-framed records: each record's schema id is looked up.
    let mut ids: Option<Box<dyn events::SchemaIds>> = None;
    if let (EventCmd::Decode(a), None) = (&cmd, &schema) {
        ids = id_source(&a.registry_dir, a.confluent, &a.config)?;
    }
    let mut buf = std::io::BufWriter::new(stdout);
    let result = match (&cmd, &schema) {
        (EventCmd::Decode(_), schema) => events::decode(
            schema.as_ref(),
            ids.as_deref_mut().map(|i| i as &mut dyn events::SchemaIds),
            names.iter().map(open),
            &opts,
            &mut buf,
        ),
        (EventCmd::Encode(_), Some(schema)) => names
            .iter()
            .map(read_whole)
            .collect::<Result<Vec<_>, _>>()
            .and_then(|data| events::encode(schema, &data, &opts, &mut buf)),
        (EventCmd::Encode(_), None) => Err(EventError::Usage(
            "encode needs a schema: --schema FILE.avsc, --subject NAME or --message NAME".into(),
        )),
    };
    let flushed = std::io::Write::flush(&mut buf);
    match (result, flushed) {
        (Err(EventError::Write(e)), _) | (Ok(_), Err(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(0)
        }
        (Err(e), _) => Err(e.into()),
        (Ok(_), Err(e)) => Err(EventError::Write(e).into()),
        (Ok(_), Ok(())) => Ok(0),
    }
}

/// The repository root `decode`/`encode --subject` search from: the git work tree's root, else the nearest folder
/// up from `cwd` holding a `schemaguard.toml`, else `cwd` (trial item 15: the search began at the current
/// directory, so a run from `examples/` found nothing).
fn repository_root(cwd: &Path) -> PathBuf {
    if let Ok(g) = Git::discover(cwd) {
        return g.root.clone();
    }
    cwd.ancestors()
        .find(|d| d.join("schemaguard.toml").is_file())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Whether standard input is a regular file (`< file`), not a pipe or terminal that may stay open.
#[cfg(unix)]
fn stdin_is_file() -> bool {
    use std::os::fd::AsFd;
    std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

#[cfg(not(unix))]
fn stdin_is_file() -> bool {
    false
}

fn catalog(args: CatalogArgs, cwd: &Path, stdout: &mut dyn Write) -> Result<u8, AppError> {
    let git = Git::discover(cwd)?;
    // The configuration and include directories as `check` reads them, so that the catalog resolves the same
    // imports and `$ref`s (files of an include directory are never subjects).
    let cfg = load_config(args.config.as_ref(), cwd, &git.root)?;
    let mut check = check_options(
        &CompatOptionArgs {
            mode: None,
            policy: None,
            breaking: Vec::new(),
            except: Vec::new(),
            show_compatible: false,
            include: Vec::new(),
        },
        &cfg,
    );
    set_includes(&mut check, &cfg, &args.include, cwd, Some(&git.root))?;
    let opts = crate::catalog::BuildOptions {
        config: cfg,
        check,
        history: args.history,
        title: args.title.clone(),
    };
    let catalog = crate::catalog::build(git, &opts)?;
    let format = match args.format {
        CatalogFormat::Html => crate::catalog::SiteFormat::Html,
        CatalogFormat::Markdown => crate::catalog::SiteFormat::Markdown,
    };
    let out = cwd.join(&args.out);
    let written = crate::catalog::write_site(&catalog, format, &out)?;
    let index = if format == crate::catalog::SiteFormat::Html {
        "index.html"
    } else {
        "index.md"
    };
    // The style sheet is not a page.
    let pages = written
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "css"))
        .count();
    writeln!(
        stdout,
        "catalog: {} subject{}, {} page{} in {} (open {})",
        catalog.subjects.len(),
        if catalog.subjects.len() == 1 { "" } else { "s" },
        pages,
        if pages == 1 { "" } else { "s" },
        args.out.display(),
        args.out.join(index).display()
    )
    .map_err(|err| AppError::Write {
        path: "<stdout>".into(),
        err,
    })?;
    Ok(0)
}

fn explain(id: &str, out: &mut dyn Write) -> Result<u8, AppError> {
    let rule = rules::find(id).ok_or_else(|| AppError::UnknownRule {
        id: id.to_string(),
        hint: rules::did_you_mean(id),
    })?;
    let write_err = |err| AppError::Write {
        path: "<stdout>".into(),
        err,
    };
    let formats: Vec<&str> = rule.formats.iter().map(|f| f.as_str()).collect();
    writeln!(
        out,
        "{}  ({}, default severity {}, formats: {})\n",
        rule.id,
        rule.category.as_str(),
        rule.severity.as_str(),
        formats.join(", ")
    )
    .map_err(write_err)?;
    if let Some(l) = crate::lint::find(rule.id) {
        writeln!(out, "Presets: {}\n", l.groups.join(", ")).map_err(write_err)?;
    }
    out.write_all(rule.body().as_bytes()).map_err(write_err)?;
    writeln!(out, "\nDocumentation: {}", rule.doc_url()).map_err(write_err)?;
    Ok(0)
}

/// `schemaguard completions SHELL`: the completion script, generated from the clap definitions.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8, AppError> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "schemaguard", &mut buf);
    out.write_all(&buf).map_err(|err| AppError::Write {
        path: "<stdout>".into(),
        err,
    })?;
    Ok(0)
}

/// `schemaguard man [--dir DIR]`: man pages generated from the clap definitions.
fn man(dir: Option<&Path>, cwd: &Path, out: &mut dyn Write) -> Result<u8, AppError> {
    let cmd = <Cli as clap::CommandFactory>::command();
    match dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .and_then(|()| out.write_all(&buf))
                .map_err(|err| AppError::Write {
                    path: "<stdout>".into(),
                    err,
                })?;
        }
        Some(dir) => {
            let dir = cwd.join(dir);
            std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(cmd, &dir))
                .map_err(|err| AppError::Write {
                    path: dir.display().to_string(),
                    err,
                })?;
        }
    }
    Ok(0)
}

/// `schemaguard registry pull | plan | apply`: the working tree's schemas, mapped to subjects, and the registry.
fn registry_command(
    cmd: crate::cli::RegistryCommand,
    cwd: &Path,
    stdout: &mut dyn Write,
    warnings: &mut Vec<String>,
) -> Result<u8, AppError> {
    use crate::cli::RegistryCommand;
    use crate::registry::commands;
    let common = match &cmd {
        RegistryCommand::Pull { common, .. }
        | RegistryCommand::Plan { common, .. }
        | RegistryCommand::Apply { common, .. } => common,
    };
    let git = Git::discover(cwd).ok();
    let root = git
        .as_ref()
        .map(|g| g.root.clone())
        .unwrap_or_else(|| cwd.to_path_buf());
    let cfg = match &common.config {
        Some(p) => Config::load(&cwd.join(p), &p.display().to_string())?,
        None => {
            let p = root.join("schemaguard.toml");
            if p.is_file() {
                Config::load(&p, "schemaguard.toml")?
            } else {
                Config::default()
            }
        }
    };
    let usage = |e: crate::registry::RegistryError| AppError::Run(RunError::Usage(e.to_string()));
    let client =
        crate::registry::client_from(cfg.registry.as_ref(), &root, common.registry_concurrency)
            .map_err(usage)?;
    let mut opts = check_options(
        &CompatOptionArgs {
            mode: common.mode,
            policy: None,
            breaking: Vec::new(),
            except: Vec::new(),
            show_compatible: false,
            include: Vec::new(),
        },
        &cfg,
    );
    set_includes(&mut opts, &cfg, &[], &root, Some(&root))?;
    let engines = formats::engines();
    let keep = |path: &str| {
        engines.iter().any(|e| e.may_claim(path)) && !crate::contract::is_test_input(path)
    };
    let raw = sources::WorkingTree { root: root.clone() }
        .read(&keep)?
        .pop()
        .unwrap_or_default();
    opts.proto_roots = formats::protobuf::shared_roots(&[raw.files.as_slice()], &opts.proto_roots);
    let new = snapshot::load(raw.label, raw.files, raw.errors, false, &opts);
    warnings.extend(crate::registry::mapping_warnings(&new, &cfg));
    let write = |out: &mut dyn Write, text: &str| {
        out.write_all(text.as_bytes())
            .map_err(|err| AppError::Write {
                path: "<stdout>".into(),
                err,
            })
    };
    let local_mode = |s: &Subject| -> Option<Mode> {
        let a = cfg.mode_for(&s.name, &s.file.shown, Mode::Backward);
        let b = cfg.mode_for(&s.name, &s.file.shown, Mode::Forward);
        common
            .mode
            .or(if a == b { Some(a) } else { None })
            .or(cfg.mode)
    };
    match &cmd {
        RegistryCommand::Pull {
            out, all_versions, ..
        } => {
            let (out, all_versions) = (out.clone(), *all_versions);
            let dir = cwd.join(&out);
            let manifest =
                commands::pull(&client, &new, &cfg, &dir, all_versions).map_err(usage)?;
            write(
                stdout,
                &format!(
                    "pulled {} schema version(s) from {} into {} (manifest: {})\n",
                    manifest.len(),
                    client.location(),
                    out.display(),
                    commands::MANIFEST
                ),
            )?;
            Ok(0)
        }
        RegistryCommand::Plan { format, .. } => {
            let plan = commands::plan(&client, &new, &cfg, &opts, &root, git.as_ref(), &local_mode)
                .map_err(usage)?;
            match format.as_str() {
                "json" => {
                    let text = serde_json::to_string_pretty(&plan.entries)
                        .map_err(|e| RunError::Usage(e.to_string()))?;
                    write(stdout, &(text + "\n"))?;
                    // The JSON stays a list of entries; the files left out are said on stderr, as in text.
                    for f in &plan.left_out {
                        warnings.push(format!(
                            "no subject for `{f}`: the [registry] strategy needs a topic and no \
                             [[registry.subjects]] entry gives one (left out)"
                        ));
                    }
                }
                "text" => write(stdout, &commands::render_plan(&plan))?,
                other => return Err(AppError::BadFormat(other.to_string(), "text, json".into())),
            }
            let incompatible = plan.entries.iter().any(|e| {
                matches!(
                    e.action,
                    commands::Action::NewVersion {
                        compatible: false,
                        ..
                    }
                )
            });
            Ok(u8::from(incompatible))
        }
        RegistryCommand::Apply { dry_run, .. } => {
            let plan = commands::plan(&client, &new, &cfg, &opts, &root, git.as_ref(), &local_mode)
                .map_err(usage)?;
            write(stdout, &commands::render_plan(&plan))?;
            if *dry_run {
                return Ok(0);
            }
            let (log, applied) = commands::apply(&client, &plan.entries);
            write(stdout, &log)?;
            // 1 only for the registry's verdict on a schema (409 incompatible); any other failure is 2.
            Ok(match applied {
                commands::Applied::Done => 0,
                commands::Applied::Rejected => 1,
                commands::Applied::Failed => 2,
            })
        }
    }
}
