//! `schemaguard registry pull | plan | apply`: an offline copy of the registered schemas, what registering the
//! working tree would do, and doing it (references first, idempotent, stopping at the first rejection).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::{
    effective, fetch_closure, label, map_subjects, normalized, snapshot_files, subject_states,
    Client, Lookup, Mapped, Reference, RegistryError, SchemaRequest, SubjectState,
};
use crate::finding::{Format, Mode, Severity};
use crate::formats::CheckOptions;
use crate::snapshot::{self, CompareSpec, LoadedSnapshot};

/// Name of the manifest `pull` writes at the top of its output directory.
pub const MANIFEST: &str = "schemaguard-registry.json";

/// One pulled version, as listed in the manifest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ManifestEntry {
    pub subject: String,
    pub version: i64,
    pub id: i64,
    #[serde(rename = "schemaType")]
    pub schema_type: String,
    /// File written, relative to the output directory.
    pub path: String,
    pub references: Vec<Reference>,
    /// The subject's compatibility level on the registry (its own or the global one), on the latest version's
    /// entry: `check --against-dir` of the copy uses it as `--against-registry` would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<String>,
}

/// `registry pull`: writes each mapped subject's latest version (with `all_versions`, older ones too, under
/// `.versions/<subject>/<version>/`, which discovery skips) at the path of its local file, references at their
/// reference names, and the manifest. Returns the manifest.
pub fn pull(
    client: &Client,
    new: &LoadedSnapshot,
    cfg: &crate::config::Config,
    out_dir: &Path,
    all_versions: bool,
) -> Result<Vec<ManifestEntry>, RegistryError> {
    let mapped = map_subjects(new, cfg)?;
    let subjects: Vec<String> = mapped
        .iter()
        .map(|m| m.subject.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Levels too: the copy carries them, so `check --against-dir` judges each subject at its own level.
    let states = subject_states(client, &subjects, &|_| true);
    let mut by_subject: HashMap<String, SubjectState> = HashMap::new();
    for (s, st) in subjects.iter().zip(states) {
        by_subject.insert(s.clone(), st?);
    }
    let mut wanted = Vec::new();
    for (s, st) in &by_subject {
        let vs: Vec<i64> = if all_versions {
            st.versions.clone()
        } else {
            st.versions.last().copied().into_iter().collect()
        };
        wanted.extend(vs.into_iter().map(|v| (s.clone(), v)));
    }
    wanted.sort();
    let fetched = fetch_closure(client, wanted);
    if let Some((_, e)) = fetched.errors.iter().next() {
        return Err(e.clone());
    }
    let write = |rel: &str, text: &str| -> Result<(), RegistryError> {
        // Reference names come from the server: a name such as `../../x.proto` or `/etc/x.proto` must not make
        // `pull` write outside `--out`.
        if !super::ids::stays_inside(rel) {
            return Err(RegistryError::Setup(format!(
                "refusing to write `{rel}`: a reference name on the registry would place it outside `{}`",
                out_dir.display()
            )));
        }
        let full = out_dir.join(rel);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                RegistryError::Local(format!("cannot create `{}`: {e}", parent.display()))
            })?;
        }
        std::fs::write(&full, text)
            .map_err(|e| RegistryError::Local(format!("cannot write `{}`: {e}", full.display())))
    };
    let local_refs = super::LocalRefs::of(new);
    // Every file to write, by path: a subject's own version wins its path over a version of it that another
    // subject references (each path is written once, so the copy holds each schema once).
    let mut files_out: BTreeMap<String, (bool, std::sync::Arc<str>)> = BTreeMap::new();
    let mut manifest = Vec::new();
    let mut done: BTreeSet<(String, i64)> = BTreeSet::new();
    for m in &mapped {
        let place = reference_places(m, &local_refs);
        let Some(st) = by_subject.get(&m.subject) else {
            continue;
        };
        let latest = st.versions.last().copied();
        let versions: Vec<i64> = if all_versions {
            st.versions.clone()
        } else {
            latest.into_iter().collect()
        };
        for v in versions {
            if !done.insert((m.subject.clone(), v)) {
                continue;
            }
            let prefix = if Some(v) == latest {
                String::new()
            } else {
                format!(
                    ".versions/{}/{v}/",
                    super::client::encode_segment(&m.subject)
                )
            };
            let (files, missing) = snapshot_files(
                &fetched,
                &m.subject,
                v,
                &m.local.file.shown,
                &m.local.file.shown,
                &place,
            );
            if let Some(miss) = missing.first() {
                return Err(RegistryError::Setup(format!(
                    "`{}` references `{miss}`, which the registry does not have",
                    label(&m.subject, v)
                )));
            }
            for (i, f) in files.iter().enumerate() {
                let own = i == 0;
                let path = format!("{prefix}{}", f.path);
                match files_out.get(&path) {
                    Some((true, _)) => {}
                    Some((false, _)) if !own => {}
                    _ => {
                        files_out.insert(path, (own, std::sync::Arc::clone(&f.text)));
                    }
                }
            }
            if let Some(s) = fetched.schemas.get(&(m.subject.clone(), v)) {
                manifest.push(ManifestEntry {
                    subject: m.subject.clone(),
                    version: v,
                    id: s.id,
                    schema_type: super::client::schema_type(s.format).to_string(),
                    path: format!("{prefix}{}", m.local.file.shown),
                    references: s.references.clone().unwrap_or_default(),
                    compatibility: if Some(v) == latest {
                        st.config.level.clone()
                    } else {
                        None
                    },
                });
            }
        }
    }
    for (path, (_, text)) in &files_out {
        write(path, text)?;
    }
    manifest.sort_by(|a, b| (&a.subject, a.version).cmp(&(&b.subject, b.version)));
    let text = serde_json::to_string_pretty(
        &serde_json::json!({ "registry": client.url(), "schemas": manifest }),
    )
    .map_err(|e| RegistryError::Setup(e.to_string()))?;
    write(MANIFEST, &(text + "\n"))?;
    Ok(manifest)
}

/// Where `pull` writes what a mapped schema references: at the repository path of the local file each reference
/// name resolves to (for the schema and, transitively, what it references), so a Protobuf import `pl/a.proto` of
/// `proto/pl/b.proto` lands at `proto/pl/a.proto` — where the local file is, under its import root — and not a second
/// time at `pl/a.proto`. A name no local file answers to: for Protobuf, under the importing file's import root.
fn reference_places(m: &Mapped, refs: &super::LocalRefs) -> impl Fn(&str) -> Option<String> {
    let mut local: HashMap<String, String> = HashMap::new();
    for file in refs.closure(m.format, &m.local.file) {
        for (name, to) in refs.direct(m.format, &file) {
            local
                .entry(name.clone())
                .or_insert_with(|| to.shown.clone());
        }
    }
    let (path, shown) = (&m.local.file.path, &m.local.file.shown);
    let proto_root = (m.format == Format::Protobuf)
        .then(|| shown.strip_suffix(path.as_str()))
        .flatten()
        .filter(|r| r.ends_with('/'))
        .map(str::to_string);
    move |name: &str| {
        local
            .get(name)
            .cloned()
            .or_else(|| proto_root.as_ref().map(|r| format!("{r}{name}")))
    }
}

/// What `apply` would do for one subject.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Not registered yet.
    NewSubject,
    /// A new version; `compatible` under `level`, with the reasons when not.
    NewVersion {
        level: String,
        compatible: bool,
        reasons: Vec<String>,
    },
    /// Already registered as this version.
    Unchanged { version: i64 },
}

/// One line of the plan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanEntry {
    pub subject: String,
    pub file: String,
    #[serde(flatten)]
    pub action: Action,
    /// `(registry level, local level)` when the local config sets a different one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_change: Option<(String, String)>,
    /// The contract sidecar's metadata / ruleSet differ from the latest registered version's.
    pub contract_changed: bool,
    /// The registered latest version equals no version of the local file in git history nor the working tree:
    /// it was registered from somewhere else, and applying would replace it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// Subjects this one references (registered first).
    pub references: Vec<String>,
    #[serde(skip)]
    pub format: Format,
    /// (reference name, subject) of each local reference.
    #[serde(skip)]
    pub ref_pairs: Vec<(String, String)>,
    #[serde(skip)]
    pub request: SchemaRequest,
}

/// A registered latest version that matches no version of its file in git.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Drift {
    pub version: i64,
    pub id: i64,
}

/// The plan and whether drift against git history could be looked for.
#[derive(Debug, Clone)]
pub struct Plan {
    pub entries: Vec<PlanEntry>,
    pub drift: DriftCheck,
    /// Files left out: the `[registry]` strategy needs a topic and no `[[registry.subjects]]` entry gives one.
    pub left_out: Vec<String>,
}

/// Whether `plan` compared registered versions with the git history of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftCheck {
    Checked,
    /// Not inside a git repository.
    NoRepository,
    /// A shallow clone: older versions of the files are missing, so every registered older version would look
    /// like drift.
    Shallow,
}

/// Local references of a mapped schema, as its format resolved them (Avro named types defined in other files,
/// Protobuf imports, JSON Schema `$ref`s to other documents): (reference name, subject of the referenced file).
/// A referenced file that maps to no subject cannot be a registry reference (`plan` refuses it up front).
fn local_references(
    m: &Mapped,
    refs: &super::LocalRefs,
    subject_of: &HashMap<&str, &str>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = refs
        .direct(m.format, &m.local.file)
        .iter()
        .filter_map(|(name, file)| {
            let subject = subject_of.get(file.path.as_str())?;
            (*subject != m.subject).then(|| (name.clone(), (*subject).to_string()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `registry plan`: for every mapped local schema, what registering it would do, and its verdict.
pub fn plan(
    client: &Client,
    new: &LoadedSnapshot,
    cfg: &crate::config::Config,
    opts: &CheckOptions,
    root: &Path,
    git: Option<&crate::git::Git>,
    local_mode: &dyn Fn(&crate::formats::Subject) -> Option<Mode>,
) -> Result<Plan, RegistryError> {
    let (mut mapped, left_out) = super::map_subjects_noting(new, cfg)?;
    let local_refs = super::LocalRefs::of(new);
    super::add_include_references(&mut mapped, new, cfg, &local_refs)?;
    // Every contract sidecar is read and validated before any request: one that the registry would reject or
    // misread is refused with every problem located, as lint reports them.
    let mut contracts = Vec::with_capacity(mapped.len());
    let mut problems: Vec<String> = Vec::new();
    for m in &mapped {
        let contract = crate::sidecar::find(root, &m.local.file.shown)
            .map_err(|e| RegistryError::Local(e.to_string()))?;
        if let Some(c) = &contract {
            problems.extend(c.shape_errors().iter().map(ToString::to_string));
        }
        contracts.push(contract);
    }
    if !problems.is_empty() {
        return Err(RegistryError::Local(problems.join("\n")));
    }
    let subject_of: HashMap<&str, &str> = mapped
        .iter()
        .map(|m| (m.local.file.path.as_str(), m.subject.as_str()))
        .collect();
    // A registered schema resolves what it references only through references to registered subjects: a local
    // file it references that maps to no subject would be registered without that reference (refused, or stored
    // unresolvable). Said before any request, not halfway through apply.
    let mut unmapped: Vec<String> = Vec::new();
    for m in &mapped {
        for (name, file) in local_refs.direct(m.format, &m.local.file) {
            if !subject_of.contains_key(file.path.as_str()) {
                unmapped.push(format!(
                    "`{}` references `{name}` (`{}`), which maps to no subject",
                    m.local.file.shown, file.shown
                ));
            }
        }
    }
    if !unmapped.is_empty() {
        unmapped.sort();
        unmapped.dedup();
        return Err(RegistryError::Setup(format!(
            "{}: a schema can reference only registered subjects; map the referenced file in [[registry.subjects]] \
             (or give it a record name)",
            unmapped.join("; ")
        )));
    }
    let subjects: Vec<String> = mapped
        .iter()
        .map(|m| m.subject.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let states = subject_states(client, &subjects, &|_| true);
    let mut by_subject: HashMap<String, SubjectState> = HashMap::new();
    for (s, st) in subjects.iter().zip(states) {
        by_subject.insert(s.clone(), st?);
    }
    let mut entries = Vec::new();
    // (entry index, file path, registered latest version, its id, its normalized text) of every registered subject
    // whose latest is not the working tree's schema: drift candidates, decided after the loop in one history walk.
    let mut candidates: Vec<(usize, String, i64, i64, String)> = Vec::new();
    for (m, contract) in mapped.iter().zip(&contracts) {
        let st = by_subject.get(&m.subject).cloned().unwrap_or_default();
        let refs = local_references(m, &local_refs, &subject_of);
        // For the lookup, references at their latest registered versions (apply sets the versions it registers).
        let references = refs
            .iter()
            .filter_map(|(name, subject)| {
                let version = *by_subject.get(subject)?.versions.last()?;
                Some(Reference {
                    name: name.clone(),
                    subject: subject.clone(),
                    version,
                })
            })
            .collect();
        let request = SchemaRequest {
            format: Some(m.format),
            schema: m.local.file.text.to_string(),
            references,
            metadata: contract.as_ref().and_then(|c| c.metadata.clone()),
            rule_set: contract.as_ref().and_then(|c| c.rule_set.clone()),
        };
        let local = local_mode(&m.local);
        let registry_level = st.config.level.clone().unwrap_or_else(|| "BACKWARD".into());
        let level_change = local
            .filter(|l| !st.versions.is_empty() && l.as_str() != registry_level)
            .map(|l| (registry_level.clone(), l.as_str().to_string()));
        let mut entry = PlanEntry {
            subject: m.subject.clone(),
            file: m.local.file.shown.clone(),
            action: Action::NewSubject,
            level_change,
            contract_changed: false,
            drift: None,
            references: refs.iter().map(|(_, s)| s.clone()).collect(),
            format: m.format,
            ref_pairs: refs.clone(),
            request,
        };
        if st.versions.is_empty() {
            entry.contract_changed = contract.is_some();
            entries.push(entry);
            continue;
        }
        let mode = local
            .or_else(|| st.config.level.as_deref().and_then(Mode::parse))
            .unwrap_or(Mode::Backward);
        // Every version is fetched: "unchanged" may mean an older version (and transitive levels need them).
        let wanted: Vec<(String, i64)> = st
            .versions
            .iter()
            .map(|v| (m.subject.clone(), *v))
            .collect();
        let fetched = fetch_closure(client, wanted);
        if let Some(e) = fetched.errors.values().next() {
            return Err(e.clone());
        }
        let latest = st.versions.last().copied().unwrap_or(0);
        let mine = normalized(m.format, &m.local.file.text);
        if let Some(l) = fetched.schemas.get(&(m.subject.clone(), latest)) {
            // The sidecar against the *effective* registered contract (§8.4): what registering it now would store
            // (the latest version's values when the sidecar has none, merged with the subject's defaults and
            // overrides) against what the latest version has.
            let (metadata, rule_set) = effective::effective(
                &st.config,
                entry.request.metadata.as_ref(),
                entry.request.rule_set.as_ref(),
                Some(l),
            );
            entry.contract_changed =
                !effective::same_metadata(metadata.as_ref(), l.metadata.as_ref())
                    || !effective::same_rule_set(rule_set.as_ref(), l.rule_set.as_ref());
            let theirs = normalized(l.format, &l.schema);
            if theirs != mine {
                candidates.push((
                    entries.len(),
                    m.local.file.shown.clone(),
                    latest,
                    l.id,
                    theirs,
                ));
            }
        }
        let found = match client.lookup(&m.subject, &entry.request)? {
            Lookup::Found { version, .. } => Some(version),
            Lookup::NotFound => None,
            // The same text with other references is another schema to the registry (a new version when
            // registered): compare both. References a server does not give (None) cannot be compared.
            Lookup::Unsupported => st.versions.iter().rev().copied().find(|v| {
                fetched
                    .schemas
                    .get(&(m.subject.clone(), *v))
                    .is_some_and(|s| {
                        normalized(s.format, &s.schema) == mine
                            && s.references
                                .as_ref()
                                .is_none_or(|r| same_references(r, &entry.request.references))
                    })
            }),
        };
        if let Some(version) = found {
            if version == latest {
                // The server says the working tree's schema is the latest (its own canonical form may differ
                // from our normalization): not drift.
                candidates.retain(|c| c.0 != entries.len());
            }
            entry.action = Action::Unchanged { version };
            entries.push(entry);
            continue;
        }
        let versions: Vec<i64> = if mode.is_transitive() {
            st.versions.clone()
        } else {
            vec![latest]
        };
        let mut previous = Vec::new();
        for v in versions {
            let (files, _) = snapshot_files(
                &fetched,
                &m.subject,
                v,
                &m.local.file.path,
                &m.local.file.shown,
                &|_| None,
            );
            let mut o = opts.clone();
            o.proto_roots = Vec::new();
            previous.push(snapshot::load(
                Some(label(&m.subject, v)),
                files,
                Vec::new(),
                true,
                &o,
            ));
        }
        let target = (&m.local.name, &m.local.file.shown);
        let mode_for = |s: &crate::formats::Subject| {
            if (&s.name, &s.file.shown) == target {
                mode
            } else {
                Mode::None
            }
        };
        let cmp = snapshot::compare(
            &previous,
            new,
            &CompareSpec {
                mode_for: &mode_for,
                opts,
                pair_single: false,
                report_deleted: false,
            },
        );
        let reasons: Vec<String> = cmp
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.rule.id, f.message))
            .collect();
        entry.action = Action::NewVersion {
            level: mode.as_str().to_string(),
            compatible: reasons.is_empty(),
            reasons,
        };
        entries.push(entry);
    }
    let drift = match git {
        None => DriftCheck::NoRepository,
        Some(g) if g.is_shallow() => DriftCheck::Shallow,
        Some(g) => {
            mark_drift(g, &mut entries, &candidates);
            DriftCheck::Checked
        }
    };
    // References first: a subject after every subject it references.
    Ok(Plan {
        entries: dependency_order(entries),
        drift,
        left_out,
    })
}

/// Whether two reference lists name the same `(name, subject, version)`s, in any order.
fn same_references(a: &[Reference], b: &[Reference]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// Marks each candidate whose registered latest equals no version of its file in git history (normalized as the
/// unchanged-by-comparison path normalizes): one history walk for all files, each distinct blob read once.
fn mark_drift(
    git: &crate::git::Git,
    entries: &mut [PlanEntry],
    candidates: &[(usize, String, i64, i64, String)],
) {
    if candidates.is_empty() {
        return;
    }
    let mut paths: Vec<String> = candidates.iter().map(|c| c.1.clone()).collect();
    paths.sort();
    paths.dedup();
    let history = git.file_versions(&paths);
    let in_history =
        |history: &HashMap<String, Vec<git2::Oid>>, path: &str, format: Format, theirs: &str| {
            history.get(path).is_some_and(|blobs| {
                blobs.iter().any(|b| {
                    git.blob_text(*b)
                        .is_some_and(|text| normalized(format, &text) == theirs)
                })
            })
        };
    // Candidates not found under their path: their versions under earlier paths (renames) in one more walk.
    let earlier: HashMap<&str, Vec<String>> = candidates
        .iter()
        .filter(|(index, path, _, _, theirs)| {
            entries
                .get(*index)
                .is_some_and(|e| !in_history(&history, path, e.format, theirs))
        })
        .map(|c| (c.1.as_str(), git.earlier_paths(&c.1)))
        .collect();
    let mut old_paths: Vec<String> = earlier.values().flatten().cloned().collect();
    old_paths.sort();
    old_paths.dedup();
    let old_history = if old_paths.is_empty() {
        HashMap::new()
    } else {
        git.file_versions(&old_paths)
    };
    for (index, path, version, id, theirs) in candidates {
        let Some(entry) = entries.get_mut(*index) else {
            continue;
        };
        let in_git = in_history(&history, path, entry.format, theirs)
            || earlier.get(path.as_str()).is_some_and(|olds| {
                olds.iter()
                    .any(|p| in_history(&old_history, p, entry.format, theirs))
            });
        if !in_git {
            entry.drift = Some(Drift {
                version: *version,
                id: *id,
            });
        }
    }
}

fn dependency_order(entries: Vec<PlanEntry>) -> Vec<PlanEntry> {
    let mut remaining: BTreeMap<String, Vec<PlanEntry>> = BTreeMap::new();
    for e in entries {
        remaining.entry(e.subject.clone()).or_default().push(e);
    }
    let mut out = Vec::new();
    while !remaining.is_empty() {
        // Ready: every referenced subject is placed already or not part of the plan.
        let ready: Vec<String> = remaining
            .iter()
            .filter(|(s, es)| {
                es.iter().all(|e| {
                    e.references
                        .iter()
                        .all(|r| r == *s || !remaining.contains_key(r))
                })
            })
            .map(|(s, _)| s.clone())
            .collect();
        // A cycle: take the rest as they are (the registry will say what it refuses).
        let next: Vec<String> = if ready.is_empty() {
            remaining.keys().cloned().collect()
        } else {
            ready
        };
        for s in next {
            if let Some(es) = remaining.remove(&s) {
                out.extend(es);
            }
        }
    }
    out
}

/// The plan as text, one line per subject.
pub fn render_plan(plan: &Plan) -> String {
    let mut s = String::new();
    let (mut new_s, mut new_v, mut same, mut bad, mut drifted) = (0, 0, 0, 0, 0);
    // What apply acts on besides schemas: contracts it registers and levels it sets.
    let contracts = plan.entries.iter().filter(|e| e.contract_changed).count();
    let levels = plan
        .entries
        .iter()
        .filter(|e| e.level_change.is_some())
        .count();
    for e in &plan.entries {
        let what = match &e.action {
            Action::NewSubject => {
                new_s += 1;
                "new subject".to_string()
            }
            Action::NewVersion {
                level,
                compatible: true,
                ..
            } => {
                new_v += 1;
                format!("new version, compatible under {level}")
            }
            Action::NewVersion { level, reasons, .. } => {
                new_v += 1;
                bad += 1;
                format!(
                    "new version, INCOMPATIBLE under {level}: {}",
                    reasons.join("; ")
                )
            }
            Action::Unchanged { version } => {
                same += 1;
                format!("unchanged (version {version})")
            }
        };
        s.push_str(&format!("{}  ({})  {what}", e.subject, e.file));
        if let Some((from, to)) = &e.level_change {
            s.push_str(&format!("; level {from} -> {to}"));
        }
        if e.contract_changed {
            s.push_str("; contract metadata/ruleSet changed");
        }
        if let Some(d) = &e.drift {
            drifted += 1;
            s.push_str(&format!(
                "; DRIFT: registered version {} (id {}) is no version of {} in git",
                d.version, d.id, e.file
            ));
        }
        if !e.references.is_empty() {
            s.push_str(&format!("; references {}", e.references.join(", ")));
        }
        s.push('\n');
    }
    let drift = match plan.drift {
        DriftCheck::Checked => format!("{drifted} drifted from git"),
        DriftCheck::NoRepository => "drift not checked (not a git repository)".to_string(),
        DriftCheck::Shallow => {
            "drift not checked (shallow clone: fetch the full history, e.g. fetch-depth: 0)"
                .to_string()
        }
    };
    if let Some(first) = plan.left_out.first() {
        let more = match plan.left_out.len() - 1 {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        s.push_str(&format!(
            "note: no subject for `{first}`{more}: the [registry] strategy needs a topic and no \
             [[registry.subjects]] entry gives one (left out)\n"
        ));
    }
    s.push_str(&format!(
        "plan: {new_s} new subject(s), {new_v} new version(s) ({bad} incompatible), {same} unchanged, \
         {contracts} contract change(s), {levels} level change(s), {drift}\n"
    ));
    s
}

/// How `apply` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Everything registered (or unchanged).
    Done,
    /// The registry rejected a schema as incompatible (409): a finding about the schema (exit 1).
    Rejected,
    /// Any other failure (invalid schema 422, an unreachable or wrong server, 5xx): the tool could not do its job
    /// (exit 2).
    Failed,
}

/// `registry apply`: registers the plan's new subjects and versions in order, references first, and sets the
/// levels the local config changes. Stops at the first failure; returns the log and how it ended.
pub fn apply(client: &Client, plan: &[PlanEntry]) -> (String, Applied) {
    let mut log = String::new();
    let mut registered: Vec<String> = Vec::new();
    // The version each subject has after this run, for references.
    let mut version_of: HashMap<String, i64> = HashMap::new();
    for e in plan {
        if let Action::Unchanged { version } = e.action {
            version_of.insert(e.subject.clone(), version);
        }
    }
    for e in plan {
        if let Some((_, to)) = &e.level_change {
            if let Err(err) = client.set_level(&e.subject, to) {
                log.push_str(&format!(
                    "error: {}: cannot set level {to}: {err}\n",
                    e.subject
                ));
                return (stopped(log, &registered), Applied::Failed);
            }
            log.push_str(&format!("{}: level set to {to}\n", e.subject));
        }
        // The schema is registered already; a changed contract sidecar is still registered with it (Confluent
        // stores a new version carrying the new metadata/ruleSet; a server that keeps no contracts answers with
        // the existing version, which is said).
        // A subject this run registered a new version of, which this schema references: registering this schema
        // again with the new reference version is what a producer resolving "latest" now needs (and what the
        // next run would find otherwise), so one run converges.
        let moved: Vec<&str> = e
            .ref_pairs
            .iter()
            .map(|(_, subject)| subject.as_str())
            .filter(|subject| registered.iter().any(|r| r == subject))
            .collect();
        // For a schema registered already (sent again for its contract or its references): the subject's latest
        // version before sending, to tell a new version from the registry answering with the one it has.
        let again = match e.action {
            Action::Unchanged { .. } if !e.contract_changed && moved.is_empty() => {
                log.push_str(&format!("{}: unchanged\n", e.subject));
                continue;
            }
            Action::Unchanged { .. } => {
                if !e.contract_changed {
                    log.push_str(&format!(
                        "{}: registering again: referenced {} has a new version\n",
                        e.subject,
                        moved.join(", ")
                    ));
                }
                Some(
                    client
                        .versions(&e.subject)
                        .ok()
                        .and_then(|v| v.last().copied()),
                )
            }
            _ => None,
        };
        let contract_only = e.contract_changed && again.is_some();
        let mut req = e.request.clone();
        // The plan's references carry the versions registered when it was made; set them as of now.
        req.references.clear();
        for (name, subject) in local_ref_names(e, plan) {
            let version = match version_of.get(&subject) {
                Some(v) => *v,
                None => match client.versions(&subject) {
                    Ok(vs) => match vs.last() {
                        Some(v) => *v,
                        None => {
                            log.push_str(&format!(
                                "error: {}: referenced subject `{subject}` is not registered\n",
                                e.subject
                            ));
                            return (stopped(log, &registered), Applied::Failed);
                        }
                    },
                    Err(err) => {
                        log.push_str(&format!("error: {}: {err}\n", e.subject));
                        return (stopped(log, &registered), Applied::Failed);
                    }
                },
            };
            req.references.push(Reference {
                name,
                subject,
                version,
            });
        }
        match client.register(&e.subject, &req) {
            Ok(id) => {
                // The version number comes from the subject's list (old servers answer only the id).
                let version = client
                    .versions(&e.subject)
                    .ok()
                    .and_then(|v| v.last().copied());
                if let (Some(before), Action::Unchanged { version: kept }) = (again, &e.action) {
                    if before.is_some() && before == version {
                        // No new version: the schema stays the version the plan found (references keep it too),
                        // and it is not counted as registered.
                        let why = if contract_only {
                            "it stores no new version for a contract change of an unchanged schema"
                        } else {
                            "it takes the same text with other reference versions for the same schema"
                        };
                        let sent = if contract_only {
                            "contract metadata/ruleSet sent"
                        } else {
                            "sent again"
                        };
                        log.push_str(&format!(
                            "{}: {sent}, but the registry kept version {kept} (id {id}): {why}\n",
                            e.subject
                        ));
                        continue;
                    }
                }
                let what = if contract_only {
                    "contract registered"
                } else {
                    "registered"
                };
                match version {
                    Some(v) => {
                        version_of.insert(e.subject.clone(), v);
                        log.push_str(&format!("{}: {what} (id {id}, version {v})\n", e.subject));
                    }
                    None => log.push_str(&format!(
                        "{}: {what} (id {id}; its version could not be read back)\n",
                        e.subject
                    )),
                }
                registered.push(e.subject.clone());
            }
            Err(err) if err.status() == Some(409) => {
                log.push_str(&format!(
                    "error: {}: rejected as incompatible by the registry: {err}\n",
                    e.subject
                ));
                return (stopped(log, &registered), Applied::Rejected);
            }
            Err(err) => {
                log.push_str(&format!("error: {}: {err}\n", e.subject));
                return (stopped(log, &registered), Applied::Failed);
            }
        }
    }
    log.push_str(&format!("apply: {} registered\n", registered.len()));
    (log, Applied::Done)
}

fn stopped(mut log: String, registered: &[String]) -> String {
    if registered.is_empty() {
        log.push_str("apply stopped; nothing was registered\n");
    } else {
        log.push_str(&format!(
            "apply stopped; already registered: {}\n",
            registered.join(", ")
        ));
    }
    log
}

/// (reference name, subject) pairs of a plan entry.
fn local_ref_names(e: &PlanEntry, _plan: &[PlanEntry]) -> Vec<(String, String)> {
    e.ref_pairs.clone()
}
