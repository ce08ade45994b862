//! Real-data check of the Avro engine (not run by default): loads every `.avsc` of the corpora extracted under
//! `$AVRO_CORPUS` (default `/work/target-avro/corpus`, one directory per archive), prints every load finding
//! with its position, then compares the DRIVER+ old and new revisions under BACKWARD and FULL and prints the
//! counts. Run: `cargo test --release --test avro_corpus -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;
use schemaguard::snapshot;

fn corpus_root() -> PathBuf {
    std::env::var_os("AVRO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/target-avro/corpus"))
}

fn load_dir(dir: &Path) -> Option<snapshot::LoadedSnapshot> {
    let (files, errors, explicit) = schemaguard::read_path(dir, None).ok()?;
    Some(snapshot::load(
        None,
        files,
        errors,
        explicit,
        &CheckOptions::default(),
    ))
}

fn print_findings(label: &str, snap: &snapshot::LoadedSnapshot) {
    let subjects: usize = snap.sets.iter().map(|s| s.subjects.len()).sum();
    println!(
        "{label}: {} files, {subjects} subjects, {} load findings",
        snap.file_count,
        snap.findings.len()
    );
    for f in &snap.findings {
        let at = f
            .primary()
            .map(|l| {
                let lc = l.file.line_col(l.span.start);
                format!("{}:{}:{}", l.file.display_name(), lc.line, lc.column)
            })
            .unwrap_or_default();
        println!("  {} {at}: {}", f.rule.id, f.message);
    }
}

#[test]
#[ignore = "needs the corpora extracted under $AVRO_CORPUS"]
fn avro_corpus() {
    let root = corpus_root();
    for name in [
        "driver-eu-avro-old",
        "driver-eu-avro-new",
        "apache-avro-new",
    ] {
        let dir = root.join(name);
        if !dir.is_dir() {
            println!("{name}: missing, skipped");
            continue;
        }
        let t = Instant::now();
        if let Some(snap) = load_dir(&dir) {
            print_findings(&format!("{name} (one snapshot)"), &snap);
            println!("  loaded in {:?}", t.elapsed());
        }
        // Each file on its own, as the registry sees a schema without references.
        let (files, _, _) = schemaguard::read_path(&dir, None).expect("corpus dir readable");
        let mut failing = 0;
        for f in &files {
            let findings = schemaguard::formats::avro::load_findings(std::slice::from_ref(f));
            if !findings.is_empty() {
                failing += 1;
                for x in &findings {
                    let lc = x.primary().map(|l| l.file.line_col(l.span.start));
                    let (line, col) = lc.map(|l| (l.line, l.column)).unwrap_or((0, 0));
                    println!("    {}:{line}:{col}: {}", f.path, x.message);
                }
            }
        }
        println!(
            "{name} (file by file): {} files, {failing} with findings",
            files.len()
        );
    }
    let (old, new) = (
        root.join("driver-eu-avro-old"),
        root.join("driver-eu-avro-new"),
    );
    if old.is_dir() && new.is_dir() {
        for mode in [Mode::Backward, Mode::Full] {
            let t = Instant::now();
            let report = schemaguard::compat_paths(
                std::slice::from_ref(&old),
                &new,
                mode,
                &CheckOptions::default(),
            )
            .expect("compat runs");
            let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
            for f in &report.findings {
                *by_rule.entry(f.rule.id).or_default() += 1;
            }
            if mode == Mode::Backward {
                for f in report
                    .findings
                    .iter()
                    .filter(|f| f.rule.id != "SUBJECT_DELETED")
                {
                    println!("  {} [{}] {}", f.rule.id, f.subject, f.message);
                }
            }
            println!(
                "driver-eu old -> new, {mode}: {} subjects checked, findings {by_rule:?}, {:?}",
                report.summary.subjects_checked,
                t.elapsed()
            );
        }
    }
}
