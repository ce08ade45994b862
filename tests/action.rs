//! The GitHub Action's logic (`.github/action/run.sh`, called by `action.yml`) run with a fake GITHUB_*
//! environment against a temporary repository: the baseline it picks for pull requests, pushes and new branches,
//! the annotations and job summary it writes, and the exit code it passes on. And its installer
//! (`.github/action/install.sh`) against a fake release server on 127.0.0.1: a good archive is verified, cached
//! and runs to annotations; a wrong or missing checksum is refused; no matching release (404, a branch ref) falls
//! back to a cargo build.

mod common;
use common::git;

use std::path::Path;
use std::process::Command;

const V1: &str = "{\"type\": \"record\", \"name\": \"Order\", \"namespace\": \"com.acme\",\n \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}\n";
const BREAKING: &str = "{\"type\": \"record\", \"name\": \"Order\", \"namespace\": \"com.acme\",\n \"fields\": [{\"name\": \"id\", \"type\": \"string\"},\n {\"name\": \"amount\", \"type\": \"long\"}]}\n";

struct Run {
    code: i32,
    stdout: String,
    summary: String,
}

fn run_action(
    dir: &Path,
    tmp: &Path,
    event_name: &str,
    event: &str,
    inputs: &[(&str, &str)],
) -> Run {
    run_action_with(
        dir,
        tmp,
        event_name,
        event,
        inputs,
        env!("CARGO_BIN_EXE_schemaguard"),
    )
}

fn run_action_with(
    dir: &Path,
    tmp: &Path,
    event_name: &str,
    event: &str,
    inputs: &[(&str, &str)],
    bin: &str,
) -> Run {
    let event_path = tmp.join("event.json");
    std::fs::write(&event_path, event).expect("write event");
    let summary = tmp.join("summary.md");
    let _ = std::fs::remove_file(&summary);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/action/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(dir)
        .env("SCHEMAGUARD", bin)
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", tmp)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_OUTPUT");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(dir.join("schemas")).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("schemas/order.avsc"), V1).expect("write");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    let base = git(&dir, &["rev-parse", "HEAD"]);
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("schemas/order.avsc"), BREAKING).expect("write");
    git(&dir, &["commit", "-q", "-am", "breaking"]);
    (tmp, dir, base)
}

#[test]
fn pull_request_uses_the_base_sha_and_annotates() {
    let (tmp, dir, base) = setup();
    let event = format!("{{\"pull_request\": {{\"base\": {{\"sha\": \"{base}\"}}}}}}");
    let r = run_action(&dir, tmp.path(), "pull_request", &event, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("--against {base}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("::error file=schemas/order.avsc,line=3")
            && r.stdout
                .contains("title=READER_FIELD_MISSING_DEFAULT_VALUE"),
        "annotation with rule id and location: {}",
        r.stdout
    );
    assert!(
        r.summary.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "job summary: {}",
        r.summary
    );
}

#[test]
fn push_of_a_new_branch_falls_back_to_the_merge_base() {
    let (tmp, dir, _) = setup();
    let event = "{\"before\": \"0000000000000000000000000000000000000000\", \"created\": true}";
    let r = run_action(&dir, tmp.path(), "push", event, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        !r.stdout.contains("--against"),
        "no --against for an all-zero before: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("merge-base of HEAD and main"),
        "{}",
        r.stdout
    );
}

#[test]
fn push_uses_before_and_fail_on_never_passes() {
    let (tmp, dir, base) = setup();
    let event = format!("{{\"before\": \"{base}\"}}");
    let r = run_action(
        &dir,
        tmp.path(),
        "push",
        &event,
        &[("INPUT_FAIL_ON", "never"), ("INPUT_SUMMARY", "false")],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains(&format!("--against {base}")));
    assert!(r.summary.is_empty(), "summary off");
    let r = run_action(
        &dir,
        tmp.path(),
        "push",
        &event,
        &[("INPUT_FAIL_ON", "sometimes")],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn sarif_input_writes_a_report_and_args_pass_through() {
    let (tmp, dir, base) = setup();
    let event = format!("{{\"before\": \"{base}\"}}");
    let sarif = tmp.path().join("out.sarif");
    let sarif_s = sarif.display().to_string();
    let r = run_action(
        &dir,
        tmp.path(),
        "push",
        &event,
        &[
            ("INPUT_SARIF", sarif_s.as_str()),
            ("INPUT_ARGS", "--mode NONE"),
        ],
    );
    assert_eq!(r.code, 0, "mode NONE accepts everything: {}", r.stdout);
    let text = std::fs::read_to_string(&sarif).expect("sarif written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn action_yml_declares_the_documented_inputs() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("action.yml is valid YAML");
    let action = &docs[0];
    for input in [
        "version",
        "args",
        "against",
        "fetch-history",
        "sarif",
        "summary",
        "fail-on",
    ] {
        assert!(
            !action["inputs"][input]["description"].is_badvalue(),
            "input `{input}` is declared"
        );
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    assert!(steps.iter().any(|s| s["run"]
        .as_str()
        .unwrap_or("")
        .contains(".github/action/run.sh")));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .unwrap_or("")
        .starts_with("github/codeql-action/upload-sarif")));
}

#[test]
fn user_args_override_the_action_defaults() {
    let (tmp, dir, base) = setup();
    let event = format!("{{\"before\": \"{base}\"}}");
    let r = run_action(
        &dir,
        tmp.path(),
        "push",
        &event,
        &[("INPUT_ARGS", "--fail-on never")],
    );
    assert_eq!(
        r.code, 0,
        "the user's --fail-on wins over the input's default: {}",
        r.stdout
    );
    let r = run_action(
        &dir,
        tmp.path(),
        "push",
        &event,
        &[("INPUT_FAIL_ON", "info")],
    );
    assert_eq!(r.code, 1);
}

// ---- install.sh: the release binary, downloaded from a fake release server on 127.0.0.1 ----

/// A release server on 127.0.0.1: serves `files` (URL path → bytes), 404 for anything else, and records every
/// requested path.
struct FakeRelease {
    base: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn serve(files: Vec<(String, Vec<u8>)>) -> FakeRelease {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            seen.lock().expect("lock").push(path.clone());
            let body = files.iter().find(|(p, _)| *p == path).map(|(_, b)| b);
            let (status, body) = match body {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"Not Found".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    FakeRelease { base, requests }
}

const TARGET: &str = "x86_64-unknown-linux-musl";

/// A release archive laid out as cargo-dist packs it (`schemaguard-<target>/schemaguard` plus a README), and its
/// `.sha256` line as `sha256sum` writes it.
fn release_archive(tmp: &Path) -> (Vec<u8>, String) {
    let folder = format!("schemaguard-{TARGET}");
    let dir = tmp.join("pack").join(&folder);
    std::fs::create_dir_all(&dir).expect("mkdir");
    // A stand-in that runs the test binary: packing the 100+ MB debug binary would take the test most of its time
    // (benches/action-install.sh measures the real release archive).
    let exe = dir.join("schemaguard");
    std::fs::write(
        &exe,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_schemaguard")
        ),
    )
    .expect("write binary");
    let st = Command::new("chmod")
        .arg("+x")
        .arg(&exe)
        .status()
        .expect("chmod");
    assert!(st.success());
    std::fs::write(dir.join("README.md"), "schemaguard\n").expect("readme");
    let archive = tmp.join(format!("{folder}.tar.gz"));
    let st = Command::new("tar")
        .current_dir(tmp.join("pack"))
        .arg("-czf")
        .arg(&archive)
        .arg(&folder)
        .status()
        .expect("tar runs");
    assert!(st.success());
    let sum = Command::new("sha256sum")
        .arg(&archive)
        .output()
        .expect("sha256sum runs");
    let digest = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .expect("a digest")
        .to_string();
    let bytes = std::fs::read(&archive).expect("read archive");
    (bytes, format!("{digest}  {folder}.tar.gz\n"))
}

struct Install {
    code: i32,
    stdout: String,
    outputs: String,
    path: Option<String>,
}

/// Runs install.sh as action.yml does, on a Linux x64 runner, with `vars` on top.
fn install(tmp: &Path, vars: &[(&str, &str)]) -> Install {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/action/install.sh");
    let outputs = tmp.join("install-outputs");
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", tmp)
        .env("RUNNER_TOOL_CACHE", tmp.join("tool-cache"))
        .env("GITHUB_OUTPUT", &outputs)
        .env("ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        // No build unless a test provides its own cargo.
        .env("CARGO", tmp.join("no-cargo-here"))
        .env_remove("INPUT_VERSION")
        .env_remove("ACTION_REF")
        .env_remove("ACTION_REPOSITORY")
        .env_remove("GITHUB_PATH")
        .env_remove("SCHEMAGUARD_RELEASE_URL");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&outputs).unwrap_or_default();
    let path = outputs
        .lines()
        .find_map(|l| l.strip_prefix("path="))
        .map(str::to_string);
    Install {
        code: out.status.code().unwrap_or(-1),
        stdout: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        outputs,
        path,
    }
}

fn asset_path(version: &str) -> String {
    format!("/dl/v{version}/schemaguard-{TARGET}.tar.gz")
}

#[test]
fn release_binary_is_verified_cached_and_annotates() {
    let (tmp, dir, base) = setup();
    let (archive, sum) = release_archive(tmp.path());
    let server = serve(vec![
        (asset_path("9.8.7"), archive),
        (format!("{}.sha256", asset_path("9.8.7")), sum.into_bytes()),
    ]);
    let url = format!("{}/dl", server.base);
    let vars = [("ACTION_REF", "v9.8.7"), ("SCHEMAGUARD_RELEASE_URL", &url)];
    let r = install(tmp.path(), &vars);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.outputs.contains("source=release"), "{}", r.outputs);
    assert!(r.stdout.contains("verified"), "{}", r.stdout);
    let bin = r.path.expect("path output");
    assert!(
        bin.ends_with("tool-cache/schemaguard/9.8.7/x86_64/schemaguard"),
        "{bin}"
    );
    assert_eq!(server.requests.lock().expect("lock").len(), 2);

    // The installed binary drives the action's run step to its annotations.
    let event = format!("{{\"pull_request\": {{\"base\": {{\"sha\": \"{base}\"}}}}}}");
    let r = run_action_with(&dir, tmp.path(), "pull_request", &event, &[], &bin);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("::error file=schemas/order.avsc,line=3"),
        "{}",
        r.stdout
    );

    // A second job on the same runner takes it from the tool cache: no request.
    let r = install(tmp.path(), &vars);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.outputs.contains("source=cache"), "{}", r.outputs);
    assert_eq!(r.path.as_deref(), Some(bin.as_str()));
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
}

#[test]
fn wrong_checksum_is_refused_and_nothing_is_cached() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (archive, _) = release_archive(tmp.path());
    let wrong = format!("{}  schemaguard-{TARGET}.tar.gz\n", "ab".repeat(32));
    let server = serve(vec![
        (asset_path("1.0.0"), archive),
        (
            format!("{}.sha256", asset_path("1.0.0")),
            wrong.into_bytes(),
        ),
    ]);
    let url = format!("{}/dl", server.base);
    let r = install(
        tmp.path(),
        &[
            ("INPUT_VERSION", "1.0.0"),
            ("SCHEMAGUARD_RELEASE_URL", &url),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("::error title=schemaguard install::checksum mismatch"),
        "{}",
        r.stdout
    );
    assert!(r.path.is_none(), "no binary is handed on: {}", r.outputs);
    assert!(!tmp
        .path()
        .join("tool-cache/schemaguard/1.0.0/x86_64.complete")
        .exists());
    // A checksum file that is missing is refused the same way (never an unverified binary).
    let (archive, _) = release_archive(tmp.path());
    let server = serve(vec![(asset_path("1.0.0"), archive)]);
    let url = format!("{}/dl", server.base);
    let r = install(
        tmp.path(),
        &[
            ("INPUT_VERSION", "1.0.0"),
            ("SCHEMAGUARD_RELEASE_URL", &url),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("unverified"), "{}", r.stdout);
}

/// A stand-in for cargo: records its arguments and "installs" the test binary under `--root`.
fn fake_cargo(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let log = tmp.join("cargo-args");
    let script = tmp.join("fake-cargo");
    std::fs::write(
        &script,
        format!(
            "#!/usr/bin/env bash\necho \"$*\" >>'{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\nmkdir -p \"$root/bin\" && cp '{}' \"$root/bin/schemaguard\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_schemaguard")
        ),
    )
    .expect("write fake cargo");
    let st = Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .expect("chmod");
    assert!(st.success());
    (script, log)
}

#[test]
fn missing_release_falls_back_to_a_build() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (cargo, log) = fake_cargo(tmp.path());
    let cargo_s = cargo.display().to_string();
    let server = serve(vec![]);
    let url = format!("{}/dl", server.base);

    // The action's ref is a release tag but the release has no archive: 404 → build the action's source.
    let r = install(
        tmp.path(),
        &[
            ("ACTION_REF", "v1.2.3"),
            ("SCHEMAGUARD_RELEASE_URL", &url),
            ("CARGO", &cargo_s),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.outputs.contains("source=build"), "{}", r.outputs);
    assert!(r.stdout.contains("404"), "{}", r.stdout);
    let args = std::fs::read_to_string(&log).expect("cargo ran");
    assert!(
        args.contains("install --locked --root")
            && args.contains(&format!("--path {}", env!("CARGO_MANIFEST_DIR"))),
        "{args}"
    );
    assert_eq!(
        server.requests.lock().expect("lock").as_slice(),
        [asset_path("1.2.3")]
    );

    // A `version` input without a release → that version from crates.io.
    let r = install(
        tmp.path(),
        &[
            ("INPUT_VERSION", "v0.2.0"),
            ("SCHEMAGUARD_RELEASE_URL", &url),
            ("CARGO", &cargo_s),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let args = std::fs::read_to_string(&log).expect("cargo ran");
    assert!(args.contains("schemaguard --version 0.2.0"), "{args}");

    // A branch ref never asks the server: nothing can match it.
    let before = server.requests.lock().expect("lock").len();
    let r = install(
        tmp.path(),
        &[
            ("ACTION_REF", "main"),
            ("SCHEMAGUARD_RELEASE_URL", &url),
            ("CARGO", &cargo_s),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.outputs.contains("source=build"));
    assert_eq!(server.requests.lock().expect("lock").len(), before);

    // Without cargo, the fallback fails with the fix, not with a shell error.
    let r = install(tmp.path(), &[("ACTION_REF", "main")]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("pin the action to a release tag"),
        "{}",
        r.stdout
    );
    let r = install(tmp.path(), &[("INPUT_VERSION", "latest-ish")]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn ref_and_repository_come_from_the_action_path_when_the_context_is_empty() {
    // Composite actions may see empty github.action_ref / action_repository; the checkout path has both.
    let tmp = tempfile::tempdir().expect("tempdir");
    let (archive, sum) = release_archive(tmp.path());
    let at = format!("/acme/schemaguard-fork/releases/download/v3.1.4/schemaguard-{TARGET}.tar.gz");
    let server = serve(vec![
        (at.clone(), archive),
        (format!("{at}.sha256"), sum.into_bytes()),
    ]);
    let action_path = tmp
        .path()
        .join("work/_actions/acme/schemaguard-fork/v3.1.4");
    std::fs::create_dir_all(&action_path).expect("mkdir");
    let ap = action_path.display().to_string();
    let r = install(
        tmp.path(),
        &[("ACTION_PATH", &ap), ("GITHUB_SERVER_URL", &server.base)],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.outputs.contains("source=release"), "{}", r.outputs);
    assert_eq!(server.requests.lock().expect("lock")[0], at);
}
