//! `schemaguard test --against-registry`: examples replayed against the *registered* versions of their subject (the
//! in-process registry on 127.0.0.1 of `support/mock_registry.rs`), under the subject's registered level; a registry
//! that cannot be reached is an input error (exit 2) while the examples are still checked against the current
//! schema.

mod common;

use common::{git, schemaguard as sg, stdout_json as json, write};

#[path = "support/mock_registry.rs"]
mod mock_registry;

use mock_registry::MockRegistry;

/// `acme.Order` with a decimal `price` of the given scale (Avro 1.12's rules ignore logical types: a scale change
/// is statically compatible, but 12.34 written with scale 2 reads as 1.234 with scale 3).
fn order(scale: u32) -> String {
    format!(
        r#"{{"type":"record","name":"Order","namespace":"acme","fields":[
  {{"name":"id","type":"long"}},
  {{"name":"price","type":{{"type":"fixed","name":"Price","size":8,"logicalType":"decimal","precision":9,"scale":{scale}}}}}
]}}
"#
    )
}

/// A repository whose committed schema is the registered one (scale 2), with one example; the working tree then
/// changes the scale to 3.
fn repo(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["config", "user.name", "t"]);
    write(
        d,
        "schemaguard.toml",
        &format!("[registry]\nurl = \"{url}\"\n"),
    );
    write(d, "schemas/order.avsc", &order(2));
    write(
        d,
        "examples/acme.Order/paid.json",
        "{\"id\": 7, \"price\": \"12.34\"}\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "v1"]);
    write(d, "schemas/order.avsc", &order(3));
    dir
}

fn rules(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn examples_replay_against_the_registered_version() {
    let reg = MockRegistry::start();
    reg.add("acme.Order", &order(2), None, vec![]);
    let dir = repo(&reg.url);
    // The git baseline (HEAD) equals the registered version, but the registry is the baseline asked for: its
    // version must be the one the example is replayed against, labelled as such.
    let o = sg(dir.path(), &["test", "--against-registry"]);
    let t = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("REPLAY_VALUE_CHANGED"), "{t}");
    assert!(t.contains("examples/acme.Order/paid.json:1:20"), "{t}");
    assert!(t.contains("registry:acme.Order@1"), "{t}");

    let o = sg(
        dir.path(),
        &["test", "--against-registry", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(rules(&v), vec!["REPLAY_VALUE_CHANGED"], "{v}");
    assert_eq!(
        v["findings"][0]["location"]["file"], "examples/acme.Order/paid.json",
        "{v}"
    );
    assert_eq!(
        v["findings"][0]["message"],
        "example `examples/acme.Order/paid.json`: field `price` was \"12.34\" with the baseline (registry:acme.Order@1) schema, reads as \"1.234\" with the current schema (BACKWARD)",
        "{v}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn replay_follows_the_registered_level() {
    let reg = MockRegistry::start();
    reg.add("acme.Order", &order(2), None, vec![]);
    reg.state
        .lock()
        .expect("lock")
        .levels
        .insert("acme.Order".into(), "FORWARD".into());
    let dir = repo(&reg.url);
    let o = sg(
        dir.path(),
        &["test", "--against-registry", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(rules(&v), vec!["REPLAY_VALUE_CHANGED"], "{v}");
    // FORWARD only: written with the current schema (12.34 at scale 3, unscaled 12340), read with the registered
    // one (scale 2): 123.40.
    assert_eq!(
        v["findings"][0]["message"],
        "example `examples/acme.Order/paid.json`: field `price` was \"12.34\" with the current schema, reads as \"123.4\" with the baseline (registry:acme.Order@1) schema (FORWARD)",
        "{v}"
    );
}

#[test]
fn an_unchanged_subject_passes_against_the_registry() {
    let reg = MockRegistry::start();
    reg.add("acme.Order", &order(3), None, vec![]);
    let dir = repo(&reg.url);
    let o = sg(
        dir.path(),
        &["test", "--against-registry", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(rules(&v), Vec::<String>::new(), "{v}");
    assert_eq!(o.status.code(), Some(0), "{v}");
}

#[test]
fn an_unreachable_registry_is_exit_2_and_the_examples_still_run() {
    // A loopback port nobody listens on.
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let dir = repo(&url);
    // An example the current schema rejects: still reported without the registry.
    write(
        dir.path(),
        "examples/acme.Order/bad.json",
        "{\"id\": \"seven\", \"price\": \"1.00\"}\n",
    );
    let o = sg(
        dir.path(),
        &["test", "--against-registry", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(2), "{v}");
    let mut got = rules(&v);
    got.sort();
    assert_eq!(got, vec!["EXAMPLE_INVALID", "REGISTRY_ERROR"], "{v}");
    let err = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "REGISTRY_ERROR"))
        .cloned()
        .unwrap_or_default();
    let msg = err["message"].as_str().unwrap_or("");
    assert!(msg.contains("acme.Order"), "{err}");
    assert!(
        msg.contains(&url.replace("http://", "")) || msg.contains("127.0.0.1"),
        "names the registry: {err}"
    );
    assert_eq!(err["location"]["file"], "schemas/order.avsc", "{err}");
}
