//! Gathers the catalog of one repository: the working tree's subjects (loaded as `check` loads them), their
//! outlines, sidecar metadata (`<schema>.contract.yaml`: owner, properties, tag globs), examples
//! (`examples/<subject>/…`), consumer contracts (`contracts/<consumer>/<subject or message>.yaml`), references
//! between subjects, and each subject's history (see `history`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::{history, slug_of, Catalog, CatalogError, Consumer, Entry, Example, MAX_EXAMPLE_CHARS};
use crate::config::Config;
use crate::finding::{Category, Mode};
use crate::formats::outline::{is_pii_tag, Outline};
use crate::formats::{self, CheckOptions, Subject};
use crate::git::Git;
use crate::snapshot;
use crate::source;

/// What `build` needs beyond the repository.
#[derive(Debug)]
pub struct BuildOptions {
    /// The repository's configuration (`schemaguard.toml`, `buf.yaml`), as `check` loads it.
    pub config: Config,
    /// Options of the comparisons, include directories set (as `check` sets them).
    pub check: CheckOptions,
    /// How many first-parent commits of HEAD the history covers.
    pub history: usize,
    /// Page title (default: the repository directory's name).
    pub title: Option<String>,
}

/// Largest sidecar, contract or example file read (bigger ones are listed, not parsed).
const MAX_SIDE_FILE: u64 = 1 << 20;
/// Examples shown per subject.
const MAX_EXAMPLES: usize = 20;

/// Builds the catalog of the repository `git`.
pub fn build(git: Git, opts: &BuildOptions) -> Result<Catalog, CatalogError> {
    // The history reads every schema blob of every version: libgit2 re-hashing each object it reads cost ~3.5 % of
    // the catalog of googleapis (three commits, 7,234 files). The objects are the repository's own, read by id.
    git2::opts::strict_hash_verification(false);
    let cfg = &opts.config;
    let default_mode = cfg.mode.unwrap_or(Mode::Backward);
    let engines = formats::engines();
    let keep = |path: &str| {
        engines.iter().any(|e| e.may_claim(path)) && !crate::contract::is_test_input(path)
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (fs_path, rel) in source::walk_pruned(&git.root, &keep, crate::contract::is_test_dir) {
        match source::read_file(&fs_path, &rel) {
            Ok(f) => files.push(f),
            Err(e) => errors.push(snapshot::read_error_finding(&e, None)),
        }
    }
    // The syntax pass of the load below keeps each `.proto` file's outline, taken by the outlines further down.
    formats::protobuf::keep_outlines(true);
    let check_opts = CheckOptions {
        proto_roots: formats::protobuf::shared_roots(&[files.as_slice()], &opts.check.proto_roots),
        ..opts.check.clone()
    };
    let texts = files.clone();
    let current = history::Step::new(
        snapshot::load(None, files, errors, false, &check_opts),
        &texts,
    );
    drop(texts);
    let mode_for = |s: &Subject| {
        if cfg.selects(&s.file.shown) {
            cfg.mode_for(&s.name, &s.file.shown, default_mode)
        } else {
            Mode::None
        }
    };

    // Subjects of the working tree, in name order; outlines in parallel (each file parsed once more, syntax only).
    let mut subjects: Vec<(Subject, crate::finding::Format)> = current
        .snap
        .sets
        .iter()
        .flat_map(|set| {
            set.subjects
                .iter()
                .map(|s| (s.clone(), set.engine.format()))
        })
        .filter(|(s, _)| cfg.selects(&s.file.shown))
        .collect();
    subjects.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let outlines: Vec<Option<Outline>> = subjects
        .par_iter()
        .map(|(s, f)| formats::engine_for(*f).and_then(|e| e.outline(&s.file.path, &s.file.text)))
        .collect();
    formats::protobuf::keep_outlines(false);

    // Problems of the current files, by path.
    let mut problems: HashMap<&str, Vec<String>> = HashMap::new();
    for f in &current.snap.findings {
        if f.rule.category != Category::Input {
            continue;
        }
        if let Some(l) = f.primary() {
            problems
                .entry(l.file.shown.as_str())
                .or_default()
                .push(format!("{}: {}", f.rule.id, f.message));
        }
    }

    // References: which subject defines each type name.
    let mut definer: HashMap<&str, usize> = HashMap::new();
    for (i, o) in outlines.iter().enumerate() {
        for d in o.iter().flat_map(|o| &o.defines) {
            definer.entry(d.as_str()).or_insert(i);
        }
        definer.entry(subjects[i].0.file.path.as_str()).or_insert(i);
    }
    let mut uses: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); subjects.len()];
    for (i, o) in outlines.iter().enumerate() {
        for u in o.iter().flat_map(|o| &o.uses) {
            if let Some(&j) = u.candidates().iter().find_map(|c| definer.get(c.as_str())) {
                if j != i {
                    uses[i].insert(j);
                }
            }
        }
    }
    let mut used_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); subjects.len()];
    for (i, us) in uses.iter().enumerate() {
        for &j in us {
            used_by[j].insert(i);
        }
    }

    // Examples and consumer contracts, keyed by subject name or by a type name the subject defines.
    let examples = examples_by_key(&git.root);
    let contracts = contracts_by_key(&git.root);

    let hist = history::collect(&git, &keep, &current, &check_opts, &mode_for, opts.history)?;

    let mut slugs: BTreeSet<String> = BTreeSet::new();
    let mut entries = Vec::with_capacity(subjects.len());
    for (i, ((subject, format), outline)) in subjects.iter().zip(outlines).enumerate() {
        let mut slug = slug_of(&subject.name);
        let mut n = 2;
        while !slugs.insert(slug.to_ascii_lowercase()) {
            slug = format!("{}-{n}", slug_of(&subject.name));
            n += 1;
        }
        if let Some(e) = crate::sidecar::two_sidecars_at(&git.root, &subject.file.shown) {
            return Err(CatalogError::Sidecar(e));
        }
        let sidecar = sidecar(&git.root, &subject.file.shown);
        let mut keys: Vec<&str> = vec![subject.name.as_str()];
        for d in outline.iter().flat_map(|o| &o.defines) {
            if !keys.contains(&d.as_str()) {
                keys.push(d);
            }
        }
        let mut ex: Vec<Example> = keys
            .iter()
            .filter_map(|k| examples.get(*k))
            .flatten()
            .cloned()
            .collect();
        ex.truncate(MAX_EXAMPLES);
        let consumers: Vec<Consumer> = keys
            .iter()
            .filter_map(|k| contracts.get(*k))
            .flatten()
            .cloned()
            .collect();
        let pii = pii_fields(outline.as_ref(), &sidecar.tag_globs);
        let tags: Vec<String> = sidecar
            .tag_globs
            .iter()
            .flat_map(|(_, tags)| tags.iter().cloned())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        entries.push(Entry {
            name: subject.name.clone(),
            slug,
            format: *format,
            file: subject.file.shown.clone(),
            mode: mode_for(subject),
            owner: sidecar.owner,
            properties: sidecar.properties,
            outline,
            pii,
            tags,
            examples: ex,
            consumers,
            uses: uses[i]
                .iter()
                .map(|&j| subjects[j].0.name.clone())
                .collect(),
            used_by: used_by[i]
                .iter()
                .map(|&j| subjects[j].0.name.clone())
                .collect(),
            history: hist.get(&subject.name).cloned().unwrap_or_default(),
            problems: problems
                .get(subject.file.shown.as_str())
                .cloned()
                .unwrap_or_default(),
        });
    }
    let head = git.head_commit().ok().and_then(|c| git.commit_info(c).ok());
    let title = opts.title.clone().unwrap_or_else(|| {
        git.root
            .file_name()
            .map(|n| format!("{} event catalog", n.to_string_lossy()))
            .unwrap_or_else(|| "Event catalog".into())
    });
    Ok(Catalog {
        title,
        head,
        subjects: entries,
    })
}

/// What a `<schema file>.contract.yaml` (or `.json`) sidecar says: Confluent's `metadata` object.
#[derive(Default)]
struct Sidecar {
    owner: Option<String>,
    properties: Vec<(String, String)>,
    /// `metadata.tags`: path glob → tags.
    tag_globs: Vec<(String, Vec<String>)>,
}

fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SIDE_FILE {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The sidecar as the catalog shows it, read by the one sidecar reader (`crate::sidecar`); one that cannot be read
/// shows nothing (check and lint report it). `owner` falls back to a `team` property.
fn sidecar(root: &Path, schema: &str) -> Sidecar {
    let mut out = Sidecar::default();
    let Some(c) = crate::sidecar::find(root, schema).ok().flatten() else {
        return out;
    };
    let meta = c.metadata.unwrap_or(Value::Null);
    if let Some(Value::Object(props)) = meta.get("properties") {
        for (k, val) in props {
            let s = match val {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if k == "owner" || k == "team" {
                if out.owner.is_none() || k == "owner" {
                    out.owner = Some(s.clone());
                }
                if k == "owner" {
                    continue;
                }
            }
            out.properties.push((k.clone(), s));
        }
    }
    if let Some(Value::Object(tags)) = meta.get("tags") {
        for (glob, list) in tags {
            let list: Vec<String> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            out.tag_globs.push((glob.clone(), list));
        }
    }
    out.properties.sort();
    out
}

/// Field paths marked as personal data: inline PII/SENSITIVE tags, or a sidecar `metadata.tags` glob
/// (`**.ssn`, dot-separated like Confluent's) with such a tag matching `Type.field` or `field`.
fn pii_fields(outline: Option<&Outline>, globs: &[(String, Vec<String>)]) -> Vec<String> {
    let Some(o) = outline else { return Vec::new() };
    let matchers: Vec<globset::GlobMatcher> = globs
        .iter()
        .filter(|(_, tags)| tags.iter().any(|t| is_pii_tag(t)))
        .filter_map(|(g, _)| {
            globset::GlobBuilder::new(&g.replace('.', "/"))
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        })
        .collect();
    let mut out = BTreeSet::new();
    for t in &o.types {
        let short = t.name.rsplit('.').next().unwrap_or(&t.name);
        for f in &t.fields {
            let path = format!("{short}.{}", f.name);
            let inline = f.tags.iter().any(|t| is_pii_tag(t));
            let slashed = path.replace('.', "/");
            let by_glob = matchers
                .iter()
                .any(|m| m.is_match(&slashed) || m.is_match(f.name.replace('.', "/")));
            if inline || by_glob {
                out.insert(path);
            }
        }
    }
    out.into_iter().collect()
}

/// Files below `dir`, sorted, as (repository path, file system path); at most `limit`.
fn files_below(root: &Path, dir: &Path, limit: usize) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for e in walker.flatten() {
        if out.len() >= limit {
            break;
        }
        if !e.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = e.path().strip_prefix(root).unwrap_or(e.path());
        out.push((source::slash_path(rel), e.path().to_path_buf()));
    }
    out
}

/// `examples/<key>/…` → the examples of `key` (a subject name or a Protobuf message's full name).
fn examples_by_key(root: &Path) -> BTreeMap<String, Vec<Example>> {
    let mut out: BTreeMap<String, Vec<Example>> = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(root.join("examples")) else {
        return out;
    };
    let mut dirs: Vec<_> = dirs.flatten().filter(|d| d.path().is_dir()).collect();
    dirs.sort_by_key(|d| d.file_name());
    for d in dirs {
        let key = d.file_name().to_string_lossy().into_owned();
        let mut list = Vec::new();
        for (rel, fs) in files_below(root, &d.path(), MAX_EXAMPLES) {
            list.push(example(&rel, &fs));
        }
        out.insert(key, list);
    }
    out
}

fn example(rel: &str, fs: &Path) -> Example {
    let lower = rel.to_ascii_lowercase();
    let text = match read_small(fs) {
        None => {
            let size = std::fs::metadata(fs).map(|m| m.len()).unwrap_or(0);
            format!("({size} bytes: binary or too large to show)")
        }
        Some(t) if lower.ends_with(".json") => serde_json::from_str::<Value>(&t)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(t),
        Some(t) => t,
    };
    let truncated = text.chars().count() > MAX_EXAMPLE_CHARS;
    let text = if truncated {
        text.chars().take(MAX_EXAMPLE_CHARS).collect()
    } else {
        text
    };
    Example {
        file: rel.to_string(),
        text,
        truncated,
    }
}

/// `contracts/<consumer>/<key>.yaml|yml|json` → the consumers of `key`.
fn contracts_by_key(root: &Path) -> BTreeMap<String, Vec<Consumer>> {
    let mut out: BTreeMap<String, Vec<Consumer>> = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(root.join("contracts")) else {
        return out;
    };
    let mut dirs: Vec<_> = dirs.flatten().filter(|d| d.path().is_dir()).collect();
    dirs.sort_by_key(|d| d.file_name());
    for d in dirs {
        let consumer = d.file_name().to_string_lossy().into_owned();
        for (rel, fs) in files_below(root, &d.path(), 10_000) {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            let Some(key) = [".yaml", ".yml", ".json"]
                .iter()
                .find_map(|ext| name.strip_suffix(ext))
            else {
                continue;
            };
            let reads = read_small(&fs)
                .and_then(|t| formats::jsonschema::document_value(&rel, &t, 100_000))
                .map(|v| reads_of(&v))
                .unwrap_or_default();
            out.entry(key.to_string()).or_default().push(Consumer {
                name: consumer.clone(),
                file: rel.clone(),
                reads,
            });
        }
    }
    out
}

fn reads_of(v: &Value) -> Vec<String> {
    let Some(items) = v.get("reads").and_then(Value::as_array) else {
        return if v.get("schema").is_some() || v.get("type").is_some() {
            vec!["(a full reader schema)".into()]
        } else {
            Vec::new()
        };
    };
    items
        .iter()
        .map(|r| match r {
            Value::String(s) => s.clone(),
            Value::Object(o) => {
                let path = o.get("path").and_then(Value::as_str).unwrap_or("?");
                let ty = o.get("type").and_then(Value::as_str);
                let req = o.get("required").and_then(Value::as_bool) == Some(true);
                let mut s = path.to_string();
                if let Some(t) = ty {
                    s.push_str(&format!(": {t}"));
                }
                if req {
                    s.push_str(" (required)");
                }
                s
            }
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_is_read_as_the_registry_takes_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write");
        };
        write(
            "a.avsc.contract.yaml",
            "metadata:\n  properties: {owner: orders, slo: gold}\n  tags: {\"**.ssn\": [PII]}\n",
        );
        let s = sidecar(dir.path(), "a.avsc");
        assert_eq!(s.owner.as_deref(), Some("orders"));
        assert_eq!(s.properties, vec![("slo".to_string(), "gold".to_string())]);
        assert_eq!(
            s.tag_globs,
            vec![("**.ssn".to_string(), vec!["PII".to_string()])]
        );
        // Properties at the top level are not a sidecar the registry takes (it holds `metadata` and `ruleSet`):
        // the catalog used to show them as if they were `metadata`; now it shows nothing, as lint and the
        // registry refuse the file.
        write("b.avsc.contract.yaml", "properties: {owner: orders}\n");
        let s = sidecar(dir.path(), "b.avsc");
        assert_eq!(s.owner, None);
        assert!(s.properties.is_empty());
    }
}
