//! Scaling of the comparators on hostile shapes (issue 14): for each shape and size, generates old and new files
//! (`tests/common/shapes.rs`), runs the release binary's `compat` under `/usr/bin/time -f %M`, and prints wall
//! time, peak memory and the exit code, so growth with size is visible. Goals on a 2-core machine: ≤ 1 s and
//! ≤ 200 MB at proto chain 10,000, proto diamond 40, Avro union chain 5,000, Avro union diamond 60, JSON Schema
//! `oneOf` of 1,600 branches and 1 MB lines. Run: `cargo bench --bench scaling` (add a shape name to run only
//! the shapes whose name contains it, e.g. `cargo bench --bench scaling -- avro`).

#[path = "../tests/common/shapes.rs"]
mod shapes;

use std::process::Command;
use std::time::Instant;

use shapes::Case;

type Gen = fn(usize) -> Case;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
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
            "proto long line (bytes)",
            shapes::proto_long_line,
            &[10_000, 100_000, 1_000_000],
        ),
    ];
    let bin = env!("CARGO_BIN_EXE_schemaguard");
    println!(
        "{:<38} {:>10} {:>10} {:>10} {:>5}",
        "shape", "size", "seconds", "peak MB", "exit"
    );
    for (name, make, sizes) in table {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        for &n in *sizes {
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
            let start = Instant::now();
            let status = Command::new("/usr/bin/time")
                .args(["-f", "%M", "-o"])
                .arg(&time_out)
                .arg(bin)
                .args(["compat", &old, &new, "--format", "text"])
                .current_dir(dir.path())
                .stdout(std::fs::File::create(&report).expect("temp dir is writable"))
                .stderr(std::process::Stdio::null())
                .status();
            let secs = start.elapsed().as_secs_f64();
            let kb: f64 = std::fs::read_to_string(&time_out)
                .ok()
                .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
                .unwrap_or(f64::NAN);
            let code = status
                .ok()
                .and_then(|s| s.code())
                .map_or("-".to_string(), |c| c.to_string());
            println!(
                "{name:<38} {n:>10} {secs:>10.3} {:>10.1} {code:>5}",
                kb / 1024.0
            );
        }
    }
}
