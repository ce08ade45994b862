//! schemaguard: keeps event contracts safe. The library is the whole tool; `main.rs` only parses arguments and
//! maps the outcome to an exit code. Pipeline: sources → load (formats) → pair by subject → check → findings →
//! report. See DESIGN.md in the shared folder and the README's architecture section.

pub mod app;
pub mod bufyaml;
pub mod catalog;
pub mod cli;
pub mod codec;
pub mod config;
pub mod contract;
pub mod events;
pub mod finding;
pub mod formats;
pub mod git;
pub mod ignore;
pub mod lint;
pub mod registry;
pub mod report;
pub mod rules;
pub mod sidecar;
pub mod snapshot;
pub mod source;
pub mod sources;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use finding::{Category, Mode, Severity};
use formats::CheckOptions;
use report::Report;
use snapshot::{CompareSpec, LoadedSnapshot};

/// A failure that stops the run (exit 2). Problems with single files are findings instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error("`{0}` does not exist")]
    NoSuchPath(String),
    #[error("{0}")]
    Usage(String),
}

/// Files read from one path: the files, findings for those that could not be read, and whether the path was
/// a file the user named (so its format is taken from its extension).
pub type ReadFiles = (Vec<Arc<source::SourceFile>>, Vec<finding::Finding>, bool);

/// Reads a file or every schema file below a directory. Files under a directory are named relative to it (a
/// Protobuf import root); a file given directly keeps its name as given.
pub fn read_path(path: &Path, revision: Option<String>) -> Result<ReadFiles, RunError> {
    read_path_in(Path::new(""), path, revision)
}

/// `read_path` with `shown` relative to `base`; paths are shown to the user as given.
pub fn read_path_in(
    base: &Path,
    shown: &Path,
    revision: Option<String>,
) -> Result<ReadFiles, RunError> {
    let path = &base.join(shown);
    let meta =
        std::fs::metadata(path).map_err(|_| RunError::NoSuchPath(shown.display().to_string()))?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let explicit = !meta.is_dir();
    // (filesystem path, logical path, path shown to the user)
    let entries: Vec<(PathBuf, String, String)> = if meta.is_dir() {
        let engines = formats::engines();
        source::walk(path, &|rel| engines.iter().any(|e| e.may_claim(rel)))
            .into_iter()
            .map(|(fs, rel)| {
                let joined = source::slash_path(&shown.join(&rel));
                (fs, rel, joined)
            })
            .collect()
    } else {
        let p = source::slash_path(shown);
        vec![(path.to_path_buf(), single_file_name(shown), p)]
    };
    for (fs_path, logical, display) in entries {
        match source::read_file(&fs_path, &display) {
            Ok(f) => files.push(source::SourceFile::with_shown(
                logical,
                display,
                revision.clone(),
                Arc::clone(&f.text),
            )),
            Err(e) => errors.push(snapshot::read_error_finding(&e, revision.as_deref())),
        }
    }
    Ok((files, errors, explicit))
}

/// The logical name of a file given directly (not below a directory): its path as typed when that is a plain
/// relative path (`new/x.proto`, what protoc would call it with `-I .`), else its file name. An absolute path or
/// one that climbs out with `..` is no import path a compiler accepts (issue 11, item 1: `compat /abs/x.proto`
/// failed with "not in any include path"); the user still sees the path as typed.
fn single_file_name(shown: &Path) -> String {
    let plain = shown.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    match shown.file_name() {
        Some(name) if !plain => name.to_string_lossy().into_owned(),
        _ => source::slash_path(shown),
    }
}

/// `schemaguard compat OLD... NEW`: compares schema files or directories directly, no git. With several OLD
/// paths (oldest first) the transitive modes check against each, the others against the last.
pub fn compat_paths(
    olds: &[PathBuf],
    new: &Path,
    mode: Mode,
    opts: &CheckOptions,
) -> Result<Report, RunError> {
    compat_paths_in(Path::new("."), olds, new, mode, opts)
}

/// `compat_paths` with paths relative to `base`, shown to the user as given.
pub fn compat_paths_in(
    base: &Path,
    olds: &[PathBuf],
    new: &Path,
    mode: Mode,
    opts: &CheckOptions,
) -> Result<Report, RunError> {
    if olds.is_empty() {
        return Err(RunError::Usage(
            "compat needs at least one OLD and one NEW path".into(),
        ));
    }
    // Every snapshot is read before any is loaded, so that all get the same Protobuf import roots.
    let mut raw = olds
        .iter()
        .map(|p| read_path_in(base, p, None))
        .collect::<Result<Vec<_>, _>>()?;
    raw.push(read_path_in(base, new, None)?);
    let sides: Vec<&[Arc<source::SourceFile>]> = raw.iter().map(|(f, _, _)| f.as_slice()).collect();
    let opts = &CheckOptions {
        proto_roots: formats::protobuf::shared_roots(&sides, &opts.proto_roots),
        ..opts.clone()
    };
    let mut loaded: Vec<LoadedSnapshot> = raw
        .into_iter()
        .map(|(files, errors, explicit)| snapshot::load(None, files, errors, explicit, opts))
        .collect();
    // A side that holds no schema (an empty or mistyped directory, JSON files no format claims below a
    // directory) is a mistake to say, not a clean result: CI would pass on it, and against an empty NEW every
    // subject read as deleted. A deleted subject is one missing from a directory that holds other schemas.
    let nothing =
        |s: &LoadedSnapshot| s.findings.is_empty() && s.sets.iter().all(|x| x.subjects.is_empty());
    let args: Vec<String> = olds
        .iter()
        .map(|p| format!("`{}` (OLD)", p.display()))
        .chain(std::iter::once(format!("`{}` (NEW)", new.display())))
        .collect();
    let empty: Vec<&str> = args
        .iter()
        .zip(&loaded)
        .filter(|(_, s)| nothing(s))
        .map(|(a, _)| a.as_str())
        .collect();
    if !empty.is_empty() {
        return Err(RunError::Usage(format!(
            "no schema found in {}: below a directory, `.json`/`.yaml` files are read as JSON Schema only when named `*.schema.json` or when their top-level `$schema` names a json-schema.org meta-schema (`.avsc`, `.avdl`, `.avpr` and `.proto` always count); name the files to compare them anyway",
            empty.join(" or ")
        )));
    }
    let Some(new_snap) = loaded.pop() else {
        return Err(RunError::Usage("compat needs OLD... NEW".into()));
    };
    let previous = loaded;
    let all_files = olds
        .iter()
        .chain(std::iter::once(&new.to_path_buf()))
        // A file, or a pipe `<(git show main:x.json)` passes as /dev/fd/N: anything that is not a directory.
        .all(|p| std::fs::metadata(base.join(p)).is_ok_and(|m| !m.is_dir()));
    // Two files of different formats cannot be compared: say so instead of reporting a deletion.
    if all_files {
        let formats_of = |s: &LoadedSnapshot| -> Vec<finding::Format> {
            s.sets.iter().map(|x| x.engine.format()).collect()
        };
        let new_formats = formats_of(&new_snap);
        for (p, snap) in olds.iter().zip(&previous) {
            let old_formats = formats_of(snap);
            if let (Some(o), Some(n)) = (old_formats.first(), new_formats.first()) {
                if o != n {
                    return Err(RunError::Usage(format!(
                        "`{}` is {} and `{}` is {}: compat compares versions of one schema, in one format",
                        p.display(),
                        o.as_str(),
                        new.display(),
                        n.as_str()
                    )));
                }
            }
        }
    }
    let mode_for = |_: &formats::Subject| mode;
    let spec = CompareSpec {
        mode_for: &mode_for,
        opts,
        pair_single: all_files,
        report_deleted: true,
    };
    let cmp = snapshot::compare(&previous, &new_snap, &spec);
    // A file given alone is read alone: a reference to a file beside it cannot resolve (issue 11, item 11).
    // Per unresolved reference: a Protobuf import names the path below the import root, so the directories to
    // pass are the roots, not the files' own folders.
    let mut hints: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let alone: Vec<bool> = olds
        .iter()
        .chain(std::iter::once(&new.to_path_buf()))
        .map(|p| base.join(p).is_file())
        .collect();
    let mut inputs: Vec<finding::Finding> = Vec::new();
    for (p, alone) in previous.iter().chain(std::iter::once(&new_snap)).zip(alone) {
        for f in &p.findings {
            let mut f = f.clone();
            if let (true, Some(reference)) = (alone, &f.unresolved) {
                let hint = hints
                    .entry(reference.clone())
                    .or_insert_with(|| siblings_hint(base, olds, new, reference));
                if let Some(hint) = hint {
                    f.help = Some(match f.help.take() {
                        Some(h) => format!("{hint}; otherwise, {h}"),
                        None => hint.clone(),
                    });
                }
            }
            inputs.push(f);
        }
    }
    let baseline = olds.last().map(|p| p.display().to_string());
    let mut report = assemble(inputs, cmp, new_snap.file_count, mode, baseline);
    if !opts.show_compatible {
        report
            .findings
            .retain(|f| f.severity != Severity::Info || f.rule.category != Category::Compatibility);
    }
    report.finish();
    Ok(report)
}

/// The help for a reference that does not resolve when `compat` was given single files: pass the directories.
/// `None` when no file of the last OLD or of NEW has a schema file (or a folder) beside it, since then the
/// directories would not help.
fn siblings_hint(base: &Path, olds: &[PathBuf], new: &Path, reference: &str) -> Option<String> {
    let old = olds.last()?;
    let engines = formats::engines();
    // A Protobuf import (`acme/money.proto`) is a path below the import root: a file in `old/acme/` importing it
    // has its root at `old/`.
    let import_dir: Vec<&str> = if reference.ends_with(".proto") {
        let mut parts: Vec<&str> = reference.split('/').collect();
        parts.pop();
        parts
    } else {
        Vec::new()
    };
    let dir_of = |p: &Path| {
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        let comps: Vec<String> = dir
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if !import_dir.is_empty() && comps.len() >= import_dir.len() {
            let (head, tail) = comps.split_at(comps.len() - import_dir.len());
            if tail.iter().zip(&import_dir).all(|(a, b)| a == b) {
                return head.iter().collect::<PathBuf>();
            }
        }
        // Typed from inside the import root's subfolders (`o.proto` in `pk/new/acme/`): climb from the real folder.
        if !import_dir.is_empty() {
            if let (Ok(real), Ok(here)) = (
                base.join(&dir).canonicalize(),
                if base.as_os_str().is_empty() {
                    Path::new(".").canonicalize()
                } else {
                    base.canonicalize()
                },
            ) {
                let names: Vec<String> = real
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if names.len() >= import_dir.len()
                    && names[names.len() - import_dir.len()..]
                        .iter()
                        .zip(&import_dir)
                        .all(|(a, b)| a == b)
                {
                    let root: PathBuf = real
                        .ancestors()
                        .nth(import_dir.len())
                        .map(Path::to_path_buf)
                        .unwrap_or_default();
                    return relative_to(&root, &here);
                }
            }
        }
        dir
    };
    // The files given are not "beside" one another: two versions in one folder with nothing else is no hint.
    let given: Vec<PathBuf> = olds
        .iter()
        .map(PathBuf::as_path)
        .chain(std::iter::once(new))
        .filter_map(|p| base.join(p).canonicalize().ok())
        .collect();
    let has_siblings = |p: &Path| -> bool {
        let full = base.join(p);
        let Some(dir) = full.parent() else {
            return false;
        };
        let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) else {
            return false;
        };
        entries.flatten().any(|e| {
            let path = e.path();
            let is_given = path.canonicalize().is_ok_and(|c| given.contains(&c));
            !is_given
                && (path.is_dir()
                    || engines
                        .iter()
                        .any(|g| g.may_claim(&e.file_name().to_string_lossy())))
        })
    };
    let files: Vec<&Path> = [old.as_path(), new]
        .into_iter()
        .filter(|p| base.join(p).is_file())
        .collect();
    if !files.iter().any(|p| has_siblings(p)) {
        return None;
    }
    let shown = |d: PathBuf| -> String {
        let s = source::slash_path(&d);
        if s.is_empty() || s == "." {
            "./".to_string()
        } else if s.ends_with('/') {
            s
        } else {
            format!("{s}/")
        }
    };
    let (od, nd) = (dir_of(old), dir_of(new));
    Some(if od == nd {
        "compat reads only the files it is given, so references to files beside them do not resolve: put each version's schemas in a folder of its own and pass the directories (`compat old/ new/`) so references resolve".to_string()
    } else {
        format!(
            "pass the directories (`compat {} {}`) so references resolve: compat reads only the files it is given, not the files beside them",
            shown(od),
            shown(nd)
        )
    })
}

/// `path` as seen from `from` (both absolute): `../..` up to their common ancestor, then down.
fn relative_to(path: &Path, from: &Path) -> PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (path.components().collect(), from.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &a[common..] {
        out.push(c);
    }
    out
}

/// `compat` over files held in memory (fuzzing, embedding): each side is a set of files named by their paths, and
/// the new side is compared with the old one as `compat OLD/ NEW/` compares two directories (two single files are
/// paired whatever their names, as `compat OLD NEW` does). Findings are sorted and counted.
pub fn compat_files(
    old: Vec<Arc<source::SourceFile>>,
    new: Vec<Arc<source::SourceFile>>,
    mode: Mode,
    opts: &CheckOptions,
) -> Report {
    let single = old.len() == 1 && new.len() == 1;
    let sides: Vec<&[Arc<source::SourceFile>]> = vec![old.as_slice(), new.as_slice()];
    let opts = &CheckOptions {
        proto_roots: formats::protobuf::shared_roots(&sides, &opts.proto_roots),
        ..opts.clone()
    };
    let previous = vec![snapshot::load(None, old, Vec::new(), single, opts)];
    let new_snap = snapshot::load(None, new, Vec::new(), single, opts);
    let mode_for = |_: &formats::Subject| mode;
    let spec = CompareSpec {
        mode_for: &mode_for,
        opts,
        pair_single: single,
        report_deleted: true,
    };
    let cmp = snapshot::compare(&previous, &new_snap, &spec);
    let inputs: Vec<finding::Finding> = previous
        .iter()
        .chain(std::iter::once(&new_snap))
        .flat_map(|p| p.findings.iter().cloned())
        .collect();
    let mut report = assemble(inputs, cmp, new_snap.file_count, mode, None);
    report.finish();
    report
}

/// A report from the input findings of the snapshots and the comparison's results (not yet sorted or counted:
/// callers filter first, then call `Report::finish`).
pub(crate) fn assemble(
    inputs: Vec<finding::Finding>,
    cmp: snapshot::Comparison,
    files: usize,
    mode: Mode,
    baseline: Option<String>,
) -> Report {
    let mut findings = inputs;
    findings.extend(cmp.findings);
    Report {
        findings,
        summary: report::Summary {
            files,
            subjects_checked: cmp.checked.len(),
            mode: Some(mode),
            baseline,
            ..report::Summary::default()
        },
        checked: cmp.checked.into_iter().map(report::Checked::from).collect(),
        contract_tests: Vec::new(),
    }
}

/// Lints files or directories (paths relative to `base`) on their own, with `config`: what `schemaguard lint
/// PATH...` reports, parse errors included. Findings are sorted and counted.
pub fn lint_paths_in(
    base: &Path,
    paths: &[PathBuf],
    config: &lint::LintConfig,
) -> Result<Report, RunError> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut explicit = false;
    let mut sidecars = Vec::new();
    for p in paths {
        let (f, e, ex) = read_path_in(base, p, None)?;
        files.extend(f);
        errors.extend(e);
        explicit |= ex;
        sidecars.extend(contract_sidecars(base, p));
    }
    let opts = CheckOptions {
        proto_roots: formats::protobuf::shared_roots(&[files.as_slice()], &[]),
        ..CheckOptions::default()
    };
    let snap = snapshot::load(None, files.clone(), errors, explicit, &opts);
    let file_count = files.len();
    files.extend(sidecars);
    let mut findings = lint::run(&snap, &files, explicit, config);
    findings.extend(snap.findings.iter().cloned());
    let mut report = Report {
        findings,
        summary: report::Summary {
            files: file_count,
            ..report::Summary::default()
        },
        checked: Vec::new(),
        ..Report::default()
    };
    report.finish();
    Ok(report)
}

/// The data-contract sidecars (`<file>.contract.yaml|yml|json`) of a schema file named on the command line
/// (a directory's sidecars are found by the walk like any other file).
pub fn contract_sidecars(base: &Path, file: &Path) -> Vec<Arc<source::SourceFile>> {
    let full = base.join(file);
    if !full.is_file() {
        return Vec::new();
    }
    lint::events::contract::SUFFIXES
        .iter()
        .filter_map(|suffix| {
            let shown = format!("{}{suffix}", source::slash_path(file));
            let mut os = full.clone().into_os_string();
            os.push(suffix);
            source::read_file(Path::new(&os), &shown).ok()
        })
        .collect()
}

/// Exit code for a finished report: 2 when an input could not be checked, 1 when a finding is at or above
/// `fail_on`, else 0.
pub fn exit_code(report: &Report, fail_on: Option<Severity>) -> u8 {
    if report
        .findings
        .iter()
        .any(|f| f.rule.category == Category::Input && f.severity == Severity::Error)
    {
        return 2;
    }
    match fail_on {
        Some(level) if report.findings.iter().any(|f| f.severity <= level) => 1,
        _ => 0,
    }
}

/// Contract tests over plain directories (no git): schemas of `new` and of the earlier versions `olds` (oldest
/// first, the baseline last; transitive modes replay against every one), examples and consumer contracts below
/// `root` (`root/examples`, `root/contracts`, `example_globs`), replay in `mode`. Paths are relative to `root`.
pub fn test_dirs(
    root: &Path,
    olds: &[PathBuf],
    new: &Path,
    mode: Mode,
    example_globs: &[config::ExampleGlob],
) -> Result<Report, RunError> {
    let (new_files, mut inputs, _) = read_path_in(root, new, None)?;
    let mut versions = Vec::new();
    for o in olds {
        let (files, _, _) = read_path_in(root, o, Some(o.display().to_string()))?;
        versions.push((files, o.display().to_string()));
    }
    let static_findings = if olds.is_empty() {
        Vec::new()
    } else {
        compat_paths_in(root, olds, new, mode, &CheckOptions::default())?.findings
    };
    let proto_roots = formats::protobuf::shared_roots(&[new_files.as_slice()], &[]);
    let mode_for = |_: &str, _: &str| mode;
    let input = contract::Input {
        root,
        new_files: &new_files,
        old: versions
            .last()
            .map(|(f, label)| (f.as_slice(), Some(label.clone()))),
        history: versions
            .iter()
            .take(versions.len().saturating_sub(1))
            .map(|(f, label)| (f.as_slice(), Some(label.clone())))
            .collect(),
        proto_roots: &proto_roots,
        mode_for: &mode_for,
        static_findings: &static_findings,
        example_globs,
        own: Vec::new(),
    };
    let outcome = contract::run(&input);
    inputs.extend(outcome.findings);
    let mut report = Report {
        findings: inputs,
        summary: report::Summary {
            files: new_files.len(),
            mode: Some(mode),
            ..report::Summary::default()
        },
        checked: Vec::new(),
        contract_tests: outcome.tests,
    };
    report.finish();
    Ok(report)
}
