//! Scaling of the comparators on hostile shapes (issue 14): for each shape and size, generates old and new files
//! (`tests/common/shapes.rs`), runs the release binary's `compat … --format text` under `/usr/bin/time`, and
//! prints a Markdown table of wall time, CPU time (user + system: on a shared machine wall time also counts the
//! wait for a core), peak memory (maximum resident set) and the exit code, so growth with size is visible; rows
//! at a goal size say whether they meet it. Goals on a 2-core machine: ≤ 1 s and
//! ≤ 200 MB at proto chain 10,000, proto diamond 40, Avro union chain 5,000, Avro union diamond 60, JSON Schema
//! `oneOf` of 1,600 branches, 1 MB lines and a `.proto` file with 20,000 fields reusing one number. Run: `cargo bench --bench scaling` (add a shape name to run only
//! the shapes whose name contains it, e.g. `cargo bench --bench scaling -- avro`).

#[path = "../tests/common/shapes.rs"]
mod shapes;

use std::process::Command;
use std::time::Instant;

use shapes::Case;

type Gen = fn(usize) -> Case;

/// Goals: ≤ 1 s and ≤ 200 MB at these (shape, size) rows.
const GOAL_SECONDS: f64 = 1.0;
const GOAL_MB: f64 = 200.0;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    // (shape, generator, sizes); the last size of each shape is its goal size.
    let table: &[(&str, Gen, &[usize])] = &[
        (
            "proto chain (comment only)",
            |n| shapes::proto_chain(n, false),
            &[1_000, 2_500, 5_000, 10_000],
        ),
        (
            "proto chain (leaf changed)",
            |n| shapes::proto_chain(n, true),
            &[1_000, 2_500, 5_000, 10_000],
        ),
        (
            "proto diamond (leaf changed)",
            |n| shapes::proto_diamond(n, true),
            &[10, 20, 30, 40],
        ),
        (
            "avro union chain (old = new)",
            |n| shapes::avro_union_chain(n, false),
            &[600, 1_200, 2_500, 5_000],
        ),
        (
            "avro union chain (leaf changed)",
            |n| shapes::avro_union_chain(n, true),
            &[600, 1_200, 2_500, 5_000],
        ),
        (
            "avro union diamond (old = new)",
            |n| shapes::avro_union_diamond(n, false),
            &[15, 26, 40, 60],
        ),
        (
            "avro union diamond (leaf changed)",
            |n| shapes::avro_union_diamond(n, true),
            &[15, 26, 40, 60],
        ),
        (
            "jsonschema oneOf (old = new)",
            |n| shapes::json_one_of(n, false),
            &[200, 400, 800, 1_600],
        ),
        (
            "jsonschema oneOf (a branch changed)",
            |n| shapes::json_one_of(n, true),
            &[200, 400, 800, 1_600],
        ),
        (
            "proto nested declarations",
            |n| shapes::proto_nested(n, true),
            &[10, 30, 100, 5_000],
        ),
        (
            "avro long line (bytes)",
            shapes::avro_long_line,
            &[10_000, 100_000, 1_000_000],
        ),
        (
            "jsonschema long line (bytes)",
            shapes::json_long_line,
            &[10_000, 100_000, 1_000_000],
        ),
        (
            "jsonschema findings on one line (count)",
            shapes::json_many_on_one_line,
            &[2_500, 5_000, 10_000, 18_000],
        ),
        (
            "proto long line (bytes)",
            shapes::proto_long_line,
            &[10_000, 100_000, 1_000_000],
        ),
        (
            "proto semantic errors in one file (count)",
            shapes::proto_many_errors,
            &[2_500, 5_000, 10_000, 20_000],
        ),
    ];
    // Shapes measured without a goal size, with the extra arguments they run with.
    let no_goal: &[(&str, Gen, &[usize], &[&str])] = &[(
        "proto chain --breaking FILE (comment only)",
        |n| shapes::proto_chain(n, false),
        &[5_000, 10_000, 20_000],
        &["--breaking", "FILE"],
    )];
    let rows = table
        .iter()
        .map(|&(name, make, sizes)| (name, make, sizes, &[][..], true))
        .chain(
            no_goal
                .iter()
                .map(|&(name, make, sizes, extra)| (name, make, sizes, extra, false)),
        );
    let bin = env!("CARGO_BIN_EXE_schemaguard");
    println!("| shape | size | wall s | CPU s | peak MB | exit | goal (≤ {GOAL_SECONDS} s, ≤ {GOAL_MB} MB) |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (name, make, sizes, extra, has_goal) in rows {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        for &n in sizes {
            let dir = match tempfile::tempdir() {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("temp dir: {e}");
                    return;
                }
            };
            let (old, new) = shapes::write(&make(n), dir.path());
            let report = dir.path().join("report.txt");
            let time_out = dir.path().join("time.txt");
            let Ok(stdout) = std::fs::File::create(&report) else {
                eprintln!("cannot write in the temp dir");
                return;
            };
            let start = Instant::now();
            let status = Command::new("/usr/bin/time")
                .args(["-f", "%M %U %S", "-o"])
                .arg(&time_out)
                .arg(bin)
                .args(["compat", &old, &new, "--format", "text"])
                .args(extra)
                .current_dir(dir.path())
                .stdout(stdout)
                .stderr(std::process::Stdio::null())
                .status();
            let wall = start.elapsed().as_secs_f64();
            let figures: Vec<f64> = std::fs::read_to_string(&time_out)
                .ok()
                .and_then(|t| t.lines().last().map(str::to_string))
                .map(|l| {
                    l.split_whitespace()
                        .filter_map(|x| x.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            let (mb, cpu) = match figures[..] {
                [kb, user, sys] => (kb / 1024.0, user + sys),
                _ => (f64::NAN, f64::NAN),
            };
            let code = status
                .ok()
                .and_then(|s| s.code())
                .map_or("-".to_string(), |c| c.to_string());
            let goal = if has_goal && sizes.last() == Some(&n) {
                let ok_time = wall <= GOAL_SECONDS || cpu <= GOAL_SECONDS;
                match (ok_time, mb <= GOAL_MB) {
                    (true, true) if wall <= GOAL_SECONDS => "met",
                    (true, true) => "met in CPU time (wall time waited for a core)",
                    _ => "**MISSED**",
                }
            } else {
                ""
            };
            println!("| {name} | {n} | {wall:.3} | {cpu:.2} | {mb:.1} | {code} | {goal} |");
        }
    }
}
