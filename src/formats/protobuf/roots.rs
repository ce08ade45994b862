//! Import roots: the directories a `.proto` import path is relative to (protoc's `-I`, buf's module roots).
//! A repository keeps its protos under `proto/` or `api/` while imports say `acme/common.proto`; a file under a
//! root gets the logical path relative to that root (for imports, subject names and buf's file rules), the user
//! keeps seeing the repository path. Roots are explicit (`[protobuf] roots`) or detected: an import not found as
//! given, explained by exactly one file whose path ends with `/<import>`, makes that file's prefix a root.
//! Pure path logic: no parsing, no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where the files of one snapshot live once roots are applied.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Logical path of each input file (same order as the input).
    pub logical: Vec<String>,
    /// Roots in use (explicit ones first, then the detected ones, each sorted).
    pub roots: Vec<String>,
    /// For an import that stays unresolved but that some files could explain: the help line saying which.
    pub hints: HashMap<String, String>,
    /// Candidate roots of the imports that stay unresolved because several files could be them: a root another
    /// snapshot detected must not settle such an import silently.
    pub ambiguous: BTreeSet<String>,
}

/// Marks an entry of the root list given to [`layout`] as a root that must not be detected (it is ambiguous in
/// another snapshot of the comparison), so that both snapshots lay their files out alike. Never a path character.
const VETO: char = '\u{0}';

/// The entry of a root list that keeps `root` from being detected.
pub(crate) fn veto(root: &str) -> String {
    format!("{VETO}{root}")
}

/// `./proto/` → `proto`; the repository root itself (`.`, empty) is no root.
pub(crate) fn normalize(root: &str) -> Option<String> {
    let mut r = root.trim().replace('\\', "/");
    while let Some(rest) = r.strip_prefix("./") {
        r = rest.to_string();
    }
    let r = r.trim_matches('/').to_string();
    (!r.is_empty() && r != ".").then_some(r)
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The longest root `path` is under, and the path relative to it.
fn under<'a>(path: &'a str, roots: &[String]) -> Option<(usize, &'a str)> {
    roots
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let rest = path.strip_prefix(r.as_str())?.strip_prefix('/')?;
            (!rest.is_empty()).then_some((i, rest))
        })
        .max_by_key(|(i, _)| roots[*i].len())
}

/// Computes the layout of one snapshot. `imports[i]` are the import paths of `paths[i]`; `builtin` says which
/// imports need no file (the well-known types).
pub(crate) fn layout(
    paths: &[&str],
    imports: &[Vec<String>],
    explicit: &[String],
    builtin: &dyn Fn(&str) -> bool,
) -> Layout {
    let vetoed: BTreeSet<String> = explicit
        .iter()
        .filter_map(|r| r.strip_prefix(VETO))
        .map(str::to_string)
        .collect();
    let explicit: Vec<String> = {
        let mut seen = BTreeSet::new();
        explicit
            .iter()
            .filter(|r| !r.starts_with(VETO))
            .filter_map(|r| normalize(r))
            .filter(|r| seen.insert(r.clone()))
            .collect()
    };
    // Explicit roots first. Two files with one logical path: the root listed first wins (protoc's `-I` order),
    // the other keeps its repository path.
    let mut logical: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let mut pinned = vec![false; paths.len()];
    let mut by_root: Vec<(usize, usize, String)> = paths
        .iter()
        .enumerate()
        .filter_map(|(i, p)| under(p, &explicit).map(|(r, rest)| (r, i, rest.to_string())))
        .collect();
    by_root.sort();
    // Files under no explicit root keep their paths; a root file that would take one of them keeps its own path
    // too (no file is lost).
    let under_none: BTreeSet<usize> = (0..paths.len())
        .filter(|i| under(paths[*i], &explicit).is_none())
        .collect();
    let mut taken: BTreeSet<String> = under_none.iter().map(|&i| paths[i].to_string()).collect();
    for (_, i, rest) in by_root {
        if taken.insert(rest.clone()) {
            logical[i] = rest;
            pinned[i] = true;
        }
    }
    // Detection: unresolved imports and the prefixes that explain them.
    let present: BTreeSet<&str> = logical.iter().map(String::as_str).collect();
    // Files by base name: a candidate for an import shares its base name.
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in paths.iter().enumerate().filter(|(i, _)| !pinned[*i]) {
        by_name.entry(base_name(p)).or_default().push(i);
    }
    let mut candidates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for imp in imports.iter().flatten() {
        if present.contains(imp.as_str()) || builtin(imp) || candidates.contains_key(imp) {
            continue;
        }
        let suffix = format!("/{imp}");
        let found: BTreeSet<String> = by_name
            .get(base_name(imp))
            .into_iter()
            .flatten()
            .filter_map(|&i| paths[i].strip_suffix(suffix.as_str()).map(str::to_string))
            .collect();
        candidates.insert(imp.clone(), found);
    }
    let mut auto: BTreeSet<String> = candidates
        .values()
        .filter(|c| c.len() == 1)
        .flatten()
        .cloned()
        .collect();
    // A root that would give two files one logical path is ambiguous: dropped, and said why. So is a root that
    // is ambiguous in another snapshot of the comparison (see `veto`).
    let mut dropped: BTreeMap<String, String> = BTreeMap::new();
    for r in &vetoed {
        if auto.remove(r) {
            dropped.insert(
                r.clone(),
                "the other snapshot has several files this import could be".to_string(),
            );
        }
    }
    let assign = |auto: &BTreeSet<String>| -> Vec<(String, Option<String>)> {
        let roots: Vec<String> = auto.iter().cloned().collect();
        logical
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if pinned[i] {
                    return (l.clone(), None);
                }
                match under(paths[i], &roots) {
                    Some((r, rest)) => (rest.to_string(), Some(roots[r].clone())),
                    None => (l.clone(), None),
                }
            })
            .collect()
    };
    let mut assigned = assign(&auto);
    loop {
        let mut owners: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (l, _)) in assigned.iter().enumerate() {
            owners.entry(l.as_str()).or_default().push(i);
        }
        let mut bad: BTreeMap<String, String> = BTreeMap::new();
        for (l, files) in owners.iter().filter(|(_, f)| f.len() > 1) {
            let shown: Vec<String> = files.iter().map(|&i| format!("`{}`", paths[i])).collect();
            for &i in files {
                if let Some(root) = &assigned[i].1 {
                    bad.entry(root.clone())
                        .or_insert_with(|| format!("{} would all be `{l}`", shown.join(" and ")));
                }
            }
        }
        if bad.is_empty() {
            break;
        }
        for (root, why) in bad {
            auto.remove(&root);
            dropped.entry(root).or_insert(why);
        }
        assigned = assign(&auto);
    }
    let logical: Vec<String> = assigned.into_iter().map(|(l, _)| l).collect();
    // Hints for the imports that stay unresolved.
    let present: BTreeSet<&str> = logical.iter().map(String::as_str).collect();
    let mut hints = HashMap::new();
    let mut ambiguous = BTreeSet::new();
    for (imp, found) in &candidates {
        if present.contains(imp.as_str()) || found.is_empty() {
            continue;
        }
        if found.len() > 1 {
            ambiguous.extend(found.iter().cloned());
        }
        let options: Vec<String> = found
            .iter()
            .map(|r| format!("`{r}/{imp}` (root `{r}`)"))
            .collect();
        let mut help = if found.len() > 1 {
            format!(
                "several files could be this import: {}; list the right import root in `[protobuf] roots` of schemaguard.toml",
                options.join(", ")
            )
        } else {
            format!(
                "{} could be this import; list its import root in `[protobuf] roots` of schemaguard.toml",
                options.join(", ")
            )
        };
        for r in found {
            if let Some(why) = dropped.get(r) {
                help.push_str(&format!(" (root `{r}` is ambiguous: {why})"));
            }
        }
        hints.insert(imp.clone(), help);
    }
    let mut roots = explicit;
    roots.extend(auto);
    Layout {
        logical,
        roots,
        hints,
        ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &[&str])], explicit: &[&str]) -> Layout {
        let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        let imports: Vec<Vec<String>> = files
            .iter()
            .map(|(_, i)| i.iter().map(|s| s.to_string()).collect())
            .collect();
        let explicit: Vec<String> = explicit.iter().map(|s| s.to_string()).collect();
        layout(&paths, &imports, &explicit, &|i: &str| {
            i.starts_with("google/protobuf/")
        })
    }

    #[test]
    fn one_prefix_explains_the_import() {
        let l = run(
            &[
                ("proto/acme/common.proto", &[]),
                ("proto/acme/order.proto", &["acme/common.proto"]),
                ("tools/x.proto", &["google/protobuf/any.proto"]),
            ],
            &[],
        );
        assert_eq!(
            l.logical,
            ["acme/common.proto", "acme/order.proto", "tools/x.proto"]
        );
        assert_eq!(l.roots, ["proto"]);
        assert!(l.hints.is_empty());
    }

    #[test]
    fn paths_that_resolve_need_no_root() {
        let l = run(&[("a/b.proto", &[]), ("a/c.proto", &["a/b.proto"])], &[]);
        assert_eq!(l.logical, ["a/b.proto", "a/c.proto"]);
        assert!(l.roots.is_empty());
    }

    #[test]
    fn several_candidates_are_ambiguous() {
        let l = run(
            &[
                ("api/acme/common.proto", &[]),
                ("proto/acme/common.proto", &[]),
                ("proto/acme/order.proto", &["acme/common.proto"]),
            ],
            &[],
        );
        assert_eq!(l.logical[2], "proto/acme/order.proto");
        assert!(l.roots.is_empty());
        let h = &l.hints["acme/common.proto"];
        assert!(h.contains("`api/acme/common.proto` (root `api`)"), "{h}");
        assert!(
            h.contains("`proto/acme/common.proto` (root `proto`)"),
            "{h}"
        );
        assert!(h.contains("[protobuf] roots"), "{h}");
        // An explicit root settles it.
        let l = run(
            &[
                ("api/acme/common.proto", &[]),
                ("proto/acme/common.proto", &[]),
                ("proto/acme/order.proto", &["acme/common.proto"]),
            ],
            &["./proto/"],
        );
        assert_eq!(
            l.logical,
            [
                "api/acme/common.proto",
                "acme/common.proto",
                "acme/order.proto"
            ]
        );
        assert_eq!(l.roots, ["proto"]);
    }

    #[test]
    fn a_root_that_makes_files_collide_is_dropped() {
        let l = run(
            &[
                ("a.proto", &[]),
                ("proto/a.proto", &[]),
                ("proto/b.proto", &["c/d.proto"]),
                ("proto/c/d.proto", &[]),
            ],
            &[],
        );
        assert!(l.roots.is_empty(), "{:?}", l.roots);
        assert_eq!(l.logical[1], "proto/a.proto");
        let h = &l.hints["c/d.proto"];
        assert!(h.contains("root `proto` is ambiguous"), "{h}");
        assert!(h.contains("`a.proto` and `proto/a.proto`"), "{h}");
    }

    #[test]
    fn a_vetoed_root_is_not_detected() {
        let files: &[(&str, &[&str])] = &[
            ("proto/acme/common.proto", &[]),
            ("proto/acme/order.proto", &["acme/common.proto"]),
        ];
        let l = run(files, &[&veto("proto")]);
        assert!(l.roots.is_empty(), "{:?}", l.roots);
        assert_eq!(l.logical[1], "proto/acme/order.proto");
        let h = &l.hints["acme/common.proto"];
        assert!(
            h.contains("root `proto` is ambiguous: the other snapshot"),
            "{h}"
        );
    }

    #[test]
    fn explicit_roots_win_and_keep_their_order() {
        let l = run(
            &[
                ("a/x.proto", &[]),
                ("b/x.proto", &[]),
                ("b/y.proto", &["x.proto"]),
            ],
            &["b", "a", ""],
        );
        assert_eq!(l.logical, ["a/x.proto", "x.proto", "y.proto"]);
        assert_eq!(l.roots, ["b", "a"]);
    }

    #[test]
    fn an_explicit_root_never_hides_a_file() {
        let l = run(
            &[
                ("a.proto", &[]),
                ("proto/a.proto", &[]),
                ("proto/b.proto", &[]),
            ],
            &["proto"],
        );
        assert_eq!(l.logical, ["a.proto", "proto/a.proto", "b.proto"]);
    }

    #[test]
    fn nested_roots_use_the_longest() {
        let l = run(
            &[
                ("proto/acme/a.proto", &["vendor/v.proto"]),
                ("proto/third_party/vendor/v.proto", &["acme/a2.proto"]),
                ("proto/acme/a2.proto", &[]),
            ],
            &[],
        );
        assert_eq!(l.roots, ["proto", "proto/third_party"]);
        assert_eq!(
            l.logical,
            ["acme/a.proto", "vendor/v.proto", "acme/a2.proto"]
        );
    }
}
