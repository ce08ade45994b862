//! `schemaguard.schema.json` (the JSON Schema of `schemaguard.toml` for editors: taplo / Even Better TOML) is
//! generated from the config types (`schemaguard::config::json_schema`). This is its check mode: the committed file
//! must equal a fresh generation. Refresh it with `SCHEMAGUARD_BLESS=1 cargo test --test config_schema`.
//! And the schema says what the config parser says: the README's example and other configs the parser accepts
//! are valid; unknown keys and bad values the parser rejects are invalid.

use std::path::Path;

use schemaguard::config::{json_schema, Config};
use serde_json::Value;

fn committed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemaguard.schema.json")
}

#[test]
fn committed_schema_is_generated_from_the_config_types() {
    let generated = serde_json::to_string_pretty(&json_schema()).expect("serialize") + "\n";
    if std::env::var_os("SCHEMAGUARD_BLESS").is_some() {
        std::fs::write(committed_path(), &generated).expect("write schemaguard.schema.json");
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "schemaguard.schema.json is stale: run `SCHEMAGUARD_BLESS=1 cargo test --test config_schema` and commit it"
    );
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&json_schema()).expect("the generated schema compiles")
}

fn as_json(toml_text: &str) -> Value {
    let v: toml::Value = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_value(v).expect("TOML to JSON")
}

/// The ```toml block of the README's configuration section.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let section = readme
        .split("## Configuration: `schemaguard.toml`")
        .nth(1)
        .expect("configuration section");
    let block = section.split("```toml\n").nth(1).expect("a toml block");
    block
        .split("\n```")
        .next()
        .expect("closed block")
        .to_string()
}

#[test]
fn configs_the_parser_accepts_are_valid() {
    let v = validator();
    for (what, text) in [
        ("README example", readme_example()),
        ("empty", String::new()),
        (
            "lowercase values",
            "mode = \"full\"\npolicy = \"LENIENT\"\nfail_on = \"never\"\n[severity]\nSUBJECT_DELETED = \"off\"\n"
                .to_string(),
        ),
    ] {
        Config::parse(&text, "schemaguard.toml")
            .unwrap_or_else(|e| panic!("{what}: the parser accepts it: {e}"));
        let errors: Vec<String> = v.iter_errors(&as_json(&text)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{what}: {errors:?}");
    }
}

#[test]
fn configs_the_parser_rejects_are_invalid() {
    let v = validator();
    for text in [
        "modes = \"FULL\"\n",
        "mode = \"BACKWARDS\"\n",
        "fail_on = \"sometimes\"\n",
        "schemas = \"schemas/**\"\n",
        "[[subjects]]\nname = \"a.*\"\n",
        "[protobuf]\nroot = [\"proto\"]\n",
        "[severity]\nSUBJECT_DELETED = \"loud\"\n",
    ] {
        assert!(
            Config::parse(text, "schemaguard.toml").is_err(),
            "the parser rejects {text:?}"
        );
        assert!(!v.is_valid(&as_json(text)), "the schema rejects {text:?}");
    }
}
