//! The GitHub Action's logic (`.github/action/run.sh`, called by `action.yml`) run with a fake GITHUB_*
//! environment against a temporary repository: the baseline it picks for pull requests, pushes and new branches,
//! the annotations and job summary it writes, and the exit code it passes on.

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
    let event_path = tmp.join("event.json");
    std::fs::write(&event_path, event).expect("write event");
    let summary = tmp.join("summary.md");
    let _ = std::fs::remove_file(&summary);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/action/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(dir)
        .env("SCHEMAGUARD", env!("CARGO_BIN_EXE_schemaguard"))
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
