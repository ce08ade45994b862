//! The rule registry agrees with the catalog (`rules/*.md`) and the fixtures: ids unique, sorted and
//! SCREAMING_SNAKE; every rule has a doc whose front matter matches its declaration and whose headings are the
//! fixed ones; every doc has a rule; every rule is expected by at least one fixture case.

use std::collections::BTreeSet;
use std::path::Path;

use schemaguard::rules;

fn is_screaming_snake(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !id.starts_with('_')
        && !id.ends_with('_')
        && !id.contains("__")
}

#[test]
fn ids_are_unique_sorted_screaming_snake() {
    let ids: Vec<&str> = rules::all().iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rule ids must be unique and sorted");
    for id in ids {
        assert!(is_screaming_snake(id), "`{id}` is not SCREAMING_SNAKE");
        assert!(
            !id.starts_with("DISALLOW_"),
            "`{id}`: ids never start with DISALLOW_"
        );
    }
}

#[test]
fn every_rule_has_a_matching_doc() {
    for r in rules::all() {
        let fm = r.front_matter();
        let get = |k: &str| fm.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        assert_eq!(get("id"), Some(r.id), "{}: front matter id", r.id);
        assert_eq!(
            get("category"),
            Some(r.category.as_str()),
            "{}: front matter category",
            r.id
        );
        assert_eq!(
            get("severity"),
            Some(r.severity.as_str()),
            "{}: front matter severity",
            r.id
        );
        let formats: BTreeSet<&str> = get("formats")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let declared: BTreeSet<&str> = r.formats.iter().map(|f| f.as_str()).collect();
        assert_eq!(formats, declared, "{}: front matter formats", r.id);
        assert!(
            get("reference").is_some(),
            "{}: front matter needs `reference`",
            r.id
        );
        for heading in [
            "## What it flags",
            "## Why it breaks",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                r.body().contains(heading),
                "{}: doc lacks `{heading}`",
                r.id
            );
        }
        assert!(
            !r.summary.is_empty() && !r.summary.ends_with('.'),
            "{}: summary",
            r.id
        );
    }
}

#[test]
fn every_doc_has_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).expect("rules/ exists").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".md") else {
            continue;
        };
        assert!(
            rules::find(id).is_some(),
            "rules/{name} documents no declared rule"
        );
    }
}

#[test]
fn every_rule_fires_in_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for format in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for case in std::fs::read_dir(format.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(case.path().join("case.toml")) else {
                continue;
            };
            let Ok(table) = text.parse::<toml::Table>() else {
                continue;
            };
            if let Some(expect) = table.get("expect").and_then(|e| e.as_table()) {
                for ids in expect.values() {
                    for id in ids.as_array().into_iter().flatten() {
                        if let Some(s) = id.as_str() {
                            expected.insert(s.to_string());
                        }
                    }
                }
            }
        }
    }
    // Declared so the catalog lists every Confluent JSON Schema `Difference.Type`, but never emitted: Confluent's
    // own diff never produces the first, and the reserved ones need registry metadata (`confluent:reserved`).
    let covered_elsewhere = [
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
        "RESERVED_PROPERTY_REMOVED",
        // Need a schema registry: fired by tests/registry_client.rs against a loopback server.
        "REGISTRY_ERROR",
        "REGISTRY_SUBJECT_NEW",
        "REGISTRY_VERDICT_DIFFERS",
    ];
    let missing: Vec<&str> = rules::all()
        .iter()
        .map(|r| r.id)
        .filter(|id| !expected.contains(*id) && !covered_elsewhere.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules with no fixture that expects them: {missing:?}"
    );
}
