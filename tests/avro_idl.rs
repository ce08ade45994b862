//! Avro IDL against Apache Avro's own IDL test suite (`lang/java/idl/src/test/idl/` of the apache-avro corpus in
//! `shared/corpus/apache-avro-new.tar.gz`, extracted under the cargo target dir): every `input/*.avdl` must yield
//! the schemas of its expected `output/*.avpr` / `output/*.avsc`, compared as parsed JSON after both sides are
//! normalised the same way (every named type once, by full name, references written as full names), because
//! Java inlines each named type at its first use while the IDL declares them in order. `import.avdl` resolves
//! imports against `putOnClassPath/` too, as Java's test does. A malformed file gives a located error.
//! Also: the IDL fixtures of this repository load through the whole pipeline without findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// The corpus tarball: `shared/` beside the clone (CI), or the workspace's.
fn corpus_tarball() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("../shared/corpus/apache-avro-new.tar.gz"),
        manifest.join("../../shared/corpus/apache-avro-new.tar.gz"),
        PathBuf::from("/work/shared/corpus/apache-avro-new.tar.gz"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// `lang/java/idl/src/test/idl` of the extracted corpus.
fn idl_dir() -> Option<PathBuf> {
    let tarball = corpus_tarball()?;
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("apache-avro-new");
    let dir = out.join("lang/java/idl/src/test/idl");
    if !dir.is_dir() {
        std::fs::create_dir_all(&out).expect("mkdir");
        let st = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&out)
            .status()
            .expect("tar runs");
        assert!(st.success(), "extracting {}", tarball.display());
    }
    Some(dir)
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Converts an `.avdl` file, resolving imports relative to it, then in `search` (Java's class path).
fn convert(path: &Path, search: &[PathBuf]) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let dir = path.parent().expect("a file has a folder").to_path_buf();
    let mut import = |kind: &str, rel: &str| -> Option<Value> {
        let found = std::iter::once(dir.join(rel))
            .chain(search.iter().map(|s| s.join(rel)))
            .find(|p| p.is_file())?;
        match kind {
            "idl" => convert(&found, search).ok(),
            _ => read_json(&found),
        }
    };
    schemaguard::formats::avro::idl_to_json(&text, &mut import)
        .map_err(|(span, m)| format!("{}: {m} at {span:?}", path.display()))
}

// ---- normalisation (the same for both sides) ----

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

fn qualify(name: &str, ns: Option<&str>) -> String {
    if name.contains('.') || PRIMITIVES.contains(&name) {
        return name.to_string();
    }
    match ns {
        Some(ns) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// Walks a schema: named definitions go to `defs` (by full name, with references inside written as full
/// names); the returned value is the schema with every named type replaced by its full name.
fn norm(schema: &Value, ns: Option<&str>, defs: &mut BTreeMap<String, Value>) -> Value {
    match schema {
        Value::String(s) => Value::String(qualify(s, ns)),
        Value::Array(branches) => {
            Value::Array(branches.iter().map(|b| norm(b, ns, defs)).collect())
        }
        Value::Object(o) => {
            let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
            match ty {
                "record" | "error" | "enum" | "fixed" => {
                    let name = o.get("name").and_then(Value::as_str).unwrap_or("");
                    let own_ns = if name.contains('.') {
                        name.rsplit_once('.').map(|(n, _)| n.to_string())
                    } else {
                        o.get("namespace")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .or_else(|| ns.map(str::to_string))
                    };
                    let full = qualify(name, own_ns.as_deref());
                    let mut d = Map::new();
                    for (k, v) in o {
                        match k.as_str() {
                            "namespace" => {}
                            "name" => {
                                d.insert(k.clone(), Value::String(full.clone()));
                            }
                            "fields" => {
                                let fields = v
                                    .as_array()
                                    .map(|fs| {
                                        fs.iter()
                                            .map(|f| norm_field(f, own_ns.as_deref(), defs))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                d.insert(k.clone(), Value::Array(fields));
                            }
                            _ => {
                                d.insert(k.clone(), v.clone());
                            }
                        }
                    }
                    defs.insert(full.clone(), Value::Object(d));
                    Value::String(full)
                }
                "array" | "map" => {
                    let mut d = o.clone();
                    for key in ["items", "values"] {
                        if let Some(inner) = o.get(key) {
                            d.insert(key.into(), norm(inner, ns, defs));
                        }
                    }
                    Value::Object(d)
                }
                _ if o.len() == 1 => norm(&o["type"], ns, defs),
                _ => Value::Object(o.clone()),
            }
        }
        other => other.clone(),
    }
}

fn norm_field(f: &Value, ns: Option<&str>, defs: &mut BTreeMap<String, Value>) -> Value {
    let mut f = f.as_object().cloned().unwrap_or_default();
    if let Some(t) = f.get("type").cloned() {
        f.insert("type".into(), norm(&t, ns, defs));
    }
    Value::Object(f)
}

/// A protocol: its properties, every named type, and its messages, all normalised.
fn norm_protocol(p: &Value) -> Value {
    let ns = p.get("namespace").and_then(Value::as_str);
    let mut defs = BTreeMap::new();
    for t in p
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        norm(t, ns, &mut defs);
    }
    let mut messages = Map::new();
    for (name, m) in p
        .get("messages")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut m = m.as_object().cloned().unwrap_or_default();
        if let Some(req) = m.get("request").and_then(Value::as_array).cloned() {
            let req: Vec<Value> = req.iter().map(|f| norm_field(f, ns, &mut defs)).collect();
            m.insert("request".into(), Value::Array(req));
        }
        if let Some(r) = m.get("response").cloned() {
            m.insert("response".into(), norm(&r, ns, &mut defs));
        }
        if let Some(Value::Array(errs)) = m.get("errors").cloned() {
            let errs: Vec<Value> = errs.iter().map(|e| norm(e, ns, &mut defs)).collect();
            m.insert("errors".into(), Value::Array(errs));
        }
        messages.insert(name.clone(), Value::Object(m));
    }
    let mut out = p.as_object().cloned().unwrap_or_default();
    out.insert("types".into(), json!(defs));
    out.insert("messages".into(), Value::Object(messages));
    Value::Object(out)
}

/// A schema-syntax result: the main schema and the named types it reaches.
fn norm_schema(main: &Value, ns: Option<&str>, extra: &[Value]) -> Value {
    let mut defs = BTreeMap::new();
    let root = norm(main, ns, &mut defs);
    // Named types declared beside the main schema (the IDL side) are collected too, then only those the main
    // schema reaches are kept, as Java's output holds exactly those.
    for t in extra {
        norm(t, ns, &mut defs);
    }
    let mut reach = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                if let Some(d) = defs.get(&s) {
                    if !reach.contains(&s) {
                        reach.push(s.clone());
                        stack.push(d.clone());
                    }
                }
            }
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => {
                stack.extend(o.into_iter().filter(|(k, _)| k != "name").map(|(_, v)| v))
            }
            _ => {}
        }
    }
    let kept: BTreeMap<String, Value> = defs
        .into_iter()
        .filter(|(k, _)| reach.contains(k))
        .collect();
    json!({"schema": root, "types": kept})
}

fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &format!("{at}/{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{at}/{k}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn apache_avro_idl_test_suite() {
    let Some(dir) = idl_dir() else {
        eprintln!(
            "apache-avro-new.tar.gz not found beside the repository: Avro IDL corpus skipped"
        );
        return;
    };
    let search = vec![dir.join("putOnClassPath")];
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir.join("input"))
        .expect("input folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "avdl"))
        .collect();
    inputs.sort();
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut compared = 0;
    for input in &inputs {
        let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        // Schema-syntax inputs end with `_schema` (their output is `<name>.avsc`).
        let (expected_path, schema_syntax) = match stem.strip_suffix("_schema") {
            Some(base) => (dir.join("output").join(format!("{base}.avsc")), true),
            None => (dir.join("output").join(format!("{stem}.avpr")), false),
        };
        let Some(expected) = read_json(&expected_path) else {
            // An input without an expected output is imported by others (status_schema.avdl → status.avsc is
            // matched above; the rest must at least parse).
            match convert(input, &search) {
                Ok(_) => passed.push(stem.to_string()),
                Err(e) => failed.push(format!("{stem}: {e}")),
            }
            continue;
        };
        compared += 1;
        let got = match convert(input, &search) {
            Ok(v) => v,
            Err(e) => {
                failed.push(format!("{stem}: {e}"));
                continue;
            }
        };
        let (got_n, want_n) = if schema_syntax && got.get("schema").is_none() {
            // No `schema` declaration: the file's named types are its output.
            let ns = got.get("namespace").and_then(Value::as_str);
            let mut defs = BTreeMap::new();
            for t in got
                .get("types")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                norm(t, ns, &mut defs);
            }
            (
                json!({ "types": defs }),
                json!({ "types": norm_schema(&expected, None, &[])["types"] }),
            )
        } else if schema_syntax {
            let ns = got.get("namespace").and_then(Value::as_str);
            let extra = got
                .get("types")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            (
                norm_schema(&got["schema"], ns, &extra),
                norm_schema(&expected, None, &[]),
            )
        } else {
            (norm_protocol(&got), norm_protocol(&expected))
        };
        match first_difference(&got_n, &want_n, "") {
            None => passed.push(stem.to_string()),
            Some(d) => failed.push(format!("{stem}: {d}")),
        }
    }
    println!(
        "Avro IDL suite: {} of {} inputs pass ({compared} compared with an expected output)",
        passed.len(),
        inputs.len()
    );
    assert!(compared >= 18, "the suite has its expected outputs");
    assert!(failed.is_empty(), "failing inputs:\n{}", failed.join("\n"));
}

#[test]
fn malformed_idl_gives_a_located_error() {
    let text = "protocol P {\n  record R {\n    string name\n  }\n}\n";
    let err = schemaguard::formats::avro::idl_to_json(text, &mut |_, _| None)
        .expect_err("a missing `;` is an error");
    assert_eq!(&text[err.0.clone()], "}", "{}", err.1);
    assert!(err.1.contains("expected `;`"), "{}", err.1);
}
