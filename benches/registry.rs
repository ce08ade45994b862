//! `check --against-registry` at scale: 1,000 subjects × 5 versions on an in-process loopback registry with 10 ms
//! added latency per request, level BACKWARD_TRANSITIVE (every version fetched), default concurrency. Prints wall
//! time, requests and (with /usr/bin/time) peak RSS. Target: ≤ 5 s wall, ≤ 200 MB. `SG_BENCH_SUBJECTS=N` runs
//! another number of subjects, `SG_BENCH_CONCURRENCY=N` passes `--registry-concurrency N`.
//! Run: `cargo bench --bench registry` (uses the release-profile binary cargo builds for benches).

#[path = "../tests/support/mock_registry.rs"]
mod mock_registry;

use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    // SG_BENCH_SUBJECTS / SG_BENCH_CONCURRENCY: a smaller or differently tuned run (for profiling).
    let subjects: usize = std::env::var("SG_BENCH_SUBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let versions = 5;
    let reg = mock_registry::MockRegistry::start();
    {
        let mut s = reg.state.lock().expect("lock");
        s.global_level = "BACKWARD_TRANSITIVE".into();
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("schemas")).expect("mkdir");
    for i in 0..subjects {
        let mut fields = String::from(r#"{"name":"id","type":"string"}"#);
        for v in 1..=versions {
            // Each version adds an optional field: every version is backward compatible with the earlier ones.
            if v > 1 {
                fields.push_str(&format!(
                    r#",{{"name":"f{v}","type":["null","string"],"default":null}}"#
                ));
            }
            let schema = format!(
                r#"{{"type":"record","name":"Event{i}","namespace":"bench","fields":[{fields}]}}"#
            );
            reg.add(&format!("bench.Event{i}"), &schema, None, vec![]);
            if v == versions {
                std::fs::write(root.join(format!("schemas/event{i}.avsc")), &schema)
                    .expect("write");
            }
        }
    }
    std::fs::write(
        root.join("schemaguard.toml"),
        format!("[registry]\nurl = \"{}\"\n", reg.url),
    )
    .expect("config");
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .expect("git")
            .status
            .success());
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "b@example.com"]);
    git(&["config", "user.name", "b"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "bench"]);
    reg.state.lock().expect("lock").latency = Duration::from_millis(10);

    let bin = env!("CARGO_BIN_EXE_schemaguard");
    let time = std::path::Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["check", "--against-registry"]);
    if let Ok(c) = std::env::var("SG_BENCH_CONCURRENCY") {
        cmd.args(["--registry-concurrency", &c]);
    }
    cmd.current_dir(root).env_remove("SCHEMA_REGISTRY_URL");
    let before = reg.log().len();
    let started = Instant::now();
    let out = cmd.output().expect("run");
    let wall = started.elapsed();
    let requests = reg.log().len() - before;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.rsplit(':').next())
        .map(|k| k.trim().to_string());
    println!("{}", stdout.lines().last().unwrap_or(""));
    println!(
        "registry bench: {subjects} subjects x {versions} versions, BACKWARD_TRANSITIVE, 10 ms latency: exit {:?}, wall {:.2} s, {requests} requests, peak RSS {}",
        out.status.code(),
        wall.as_secs_f64(),
        rss.map(|k| format!("{} MB", k.parse::<u64>().unwrap_or(0) / 1024)).unwrap_or_else(|| "n/a".into())
    );
}
