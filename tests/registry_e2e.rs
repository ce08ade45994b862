//! End to end against an independently written Confluent-compatible server, rivven-schema (registries.md).
//! `.ci/run` installs and starts it on a free loopback port and exports its URL as SCHEMAGUARD_RIVVEN_URL. Without
//! that variable these tests skip locally, and fail under CI=true (the server must be there).

use std::path::Path;
use std::process::{Command, Output};

use schemaguard::registry::{Client, ClientSettings, SchemaRequest};

fn server() -> Option<String> {
    match std::env::var("SCHEMAGUARD_RIVVEN_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").ok().as_deref() != Some("true"),
                "CI=true but SCHEMAGUARD_RIVVEN_URL is not set: .ci/run must start rivven-schema"
            );
            eprintln!("SCHEMAGUARD_RIVVEN_URL not set: skipping the rivven-schema end-to-end test");
            None
        }
    }
}

fn sg(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .args(args)
        .current_dir(dir)
        .env("SCHEMA_REGISTRY_URL", url)
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("SCHEMA_REGISTRY_BEARER_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemaguard")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn check_apply_plan_against_rivven_schema() {
    let Some(url) = server() else { return };
    // A namespace of its own: the server is shared by every run of this test.
    let ns = format!(
        "e2e.n{}x{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let subject = format!("{ns}.Order");
    let v1 = format!(
        r#"{{"type":"record","name":"Order","namespace":"{ns}","fields":[{{"name":"id","type":"string"}}]}}"#
    );
    let client = Client::new(ClientSettings::new(&url)).expect("client");
    let id = client
        .register(
            &subject,
            &SchemaRequest {
                schema: v1.clone(),
                ..SchemaRequest::default()
            },
        )
        .expect("register v1 via the API");
    assert!(id > 0);

    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git")
            .status
            .success());
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "t@example.com"]);
    git(&["config", "user.name", "t"]);
    std::fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
    std::fs::write(dir.path().join("schemas/order.avsc"), &v1).expect("write");
    git(&["add", "-A"]);
    git(&["commit", "-qm", "v1"]);

    let o = sg(dir.path(), &url, &["check", "--against-registry"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // An incompatible change is found, located in the registered version.
    let bad = v1.replace(r#"}]}"#, r#"},{"name":"amount","type":"double"}]}"#);
    std::fs::write(dir.path().join("schemas/order.avsc"), &bad).expect("write");
    let o = sg(dir.path(), &url, &["check", "--against-registry"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{t}");
    assert!(t.contains(&format!("registry:{subject}@1")), "{t}");

    // A compatible change: apply registers it, then plan shows nothing to do.
    let good = v1.replace(
        r#"}]}"#,
        r#"},{"name":"amount","type":"double","default":0.0}]}"#,
    );
    std::fs::write(dir.path().join("schemas/order.avsc"), &good).expect("write");
    let o = sg(dir.path(), &url, &["registry", "apply"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains(&format!("{subject}: registered")), "{t}");
    assert_eq!(client.versions(&subject).expect("versions"), vec![1, 2]);
    let o = sg(dir.path(), &url, &["registry", "plan"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("0 new subject(s), 0 new version(s)") && t.contains("unchanged (version 2)"),
        "{t}"
    );
    assert!(
        !t.contains("; level ") && t.contains("0 level change(s)"),
        "no level change: {t}"
    );
    // Idempotent: a second apply registers nothing.
    let o = sg(dir.path(), &url, &["registry", "apply"]);
    assert!(text(&o).contains("apply: 0 registered"), "{}", text(&o));
}
