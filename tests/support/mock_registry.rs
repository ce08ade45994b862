//! An in-process Confluent-compatible schema registry on 127.0.0.1 (ephemeral port) for tests and benchmarks:
//! the documented shapes and error codes (confluent.md §6), the differences of other servers (registries.md) as
//! switches, and injectable faults. Thread per connection, keep-alive, std only.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub struct Version {
    pub version: i64,
    pub id: i64,
    pub schema: String,
    pub schema_type: Option<String>,
    pub references: Vec<Value>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

/// A fault for the next `times` requests whose path contains `path`.
#[derive(Clone, Debug)]
pub enum Fault {
    Status {
        status: u16,
        body: String,
        retry_after: Option<u64>,
    },
    Delay(Duration),
    Truncated,
    Huge(usize),
    NotJson,
}

#[derive(Default)]
pub struct State {
    pub subjects: BTreeMap<String, Vec<Version>>,
    pub levels: HashMap<String, String>,
    pub global_level: String,
    pub next_id: i64,
    pub faults: Vec<(String, Fault, usize)>,
    /// Faults like `faults`, for POST requests only (a registration failing after its reads succeeded).
    pub post_faults: Vec<(String, Fault, usize)>,
    /// Every request line seen ("GET /subjects/x/versions").
    pub log: Vec<String>,
    /// The body of every request that had one, with its request line.
    pub bodies: Vec<(String, String)>,
    /// Authorization header required, if set.
    pub require_auth: Option<String>,
    /// Server differences.
    pub empty_list_for_unknown: bool,
    pub omit_references: bool,
    pub lookup_405: bool,
    pub plain_text_errors: bool,
    pub config_404_without_global: bool,
    pub compat_answer: Option<bool>,
    pub latency: Duration,
    /// More fields of a subject's config (`""`: the global one), such as `defaultMetadata` or
    /// `compatibilityGroup`; with `defaultToGlobal=true` the subject's are laid over the global ones.
    pub config_extra: HashMap<String, Value>,
    /// A server that keeps no contracts: registering a known schema with another metadata/ruleSet answers the
    /// existing id.
    pub ignore_contracts: bool,
    /// A server that tells schemas apart by text only (rivven-schema): registering a known schema with other
    /// reference versions answers the existing id.
    pub ignore_references: bool,
}

pub struct MockRegistry {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl MockRegistry {
    pub fn start() -> MockRegistry {
        Self::start_with(None)
    }

    /// The same registry over HTTPS (`https://127.0.0.1:PORT`), with the given server TLS configuration (which
    /// may require client certificates). A failed handshake closes the connection.
    pub fn start_tls(tls: Arc<rustls::ServerConfig>) -> MockRegistry {
        Self::start_with(Some(tls))
    }

    fn start_with(tls: Option<Arc<rustls::ServerConfig>>) -> MockRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            global_level: "BACKWARD".into(),
            next_id: 1,
            ..State::default()
        }));
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = Arc::clone(&st);
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_nodelay(true);
                    match tls {
                        None => serve(stream, st),
                        Some(cfg) => {
                            if let Ok(conn) = rustls::ServerConnection::new(cfg) {
                                serve(rustls::StreamOwned::new(conn, stream), st);
                            }
                        }
                    }
                });
            }
        });
        MockRegistry { url, state }
    }

    /// Registers a schema directly (as the registry's API would), returning its id.
    pub fn add(
        &self,
        subject: &str,
        schema: &str,
        schema_type: Option<&str>,
        references: Vec<Value>,
    ) -> i64 {
        let mut st = self.state.lock().expect("lock");
        let id = st.next_id;
        st.next_id += 1;
        let versions = st.subjects.entry(subject.to_string()).or_default();
        let version = versions.len() as i64 + 1;
        versions.push(Version {
            version,
            id,
            schema: schema.to_string(),
            schema_type: schema_type.map(str::to_string),
            references,
            metadata: None,
            rule_set: None,
        });
        id
    }

    /// Sets the stored (effective) metadata and ruleSet of a registered version.
    pub fn set_contract(
        &self,
        subject: &str,
        version: i64,
        metadata: Option<Value>,
        rule_set: Option<Value>,
    ) {
        let mut st = self.state.lock().expect("lock");
        let v = st
            .subjects
            .get_mut(subject)
            .and_then(|vs| vs.iter_mut().find(|v| v.version == version))
            .expect("registered version");
        v.metadata = metadata;
        v.rule_set = rule_set;
    }

    /// Sets more fields of a subject's config (`""`: the global config).
    pub fn set_config(&self, subject: &str, fields: Value) {
        self.state
            .lock()
            .expect("lock")
            .config_extra
            .insert(subject.to_string(), fields);
    }

    pub fn fault(&self, path: &str, fault: Fault, times: usize) {
        self.state
            .lock()
            .expect("lock")
            .faults
            .push((path.to_string(), fault, times));
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().expect("lock").log.clone()
    }
}

struct Req {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body: String,
}

fn read_req(r: &mut impl BufRead) -> Option<Req> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Some(Req {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn write_resp(
    w: &mut impl Write,
    status: u16,
    ctype: &str,
    body: &str,
    extra: &str,
) -> std::io::Result<()> {
    write!(
        w,
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    )?;
    w.flush()
}

fn serve(stream: impl Read + Write, st: Arc<Mutex<State>>) {
    let mut r = BufReader::new(stream);
    while let Some(req) = read_req(&mut r) {
        let w = r.get_mut();
        let (fault, latency) = {
            let mut s = st.lock().expect("lock");
            s.log.push(format!("{} {}", req.method, req.path));
            if !req.body.is_empty() {
                s.bodies
                    .push((format!("{} {}", req.method, req.path), req.body.clone()));
            }
            let mut hit = None;
            let post = req.method == "POST";
            let st = &mut *s;
            for f in st
                .faults
                .iter_mut()
                .chain(st.post_faults.iter_mut().filter(|_| post))
            {
                if f.2 > 0 && req.path.contains(&f.0) {
                    f.2 -= 1;
                    hit = Some(f.1.clone());
                    break;
                }
            }
            (hit, s.latency)
        };
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        let ct = "application/vnd.schemaregistry.v1+json";
        match fault {
            Some(Fault::Status {
                status,
                body,
                retry_after,
            }) => {
                let extra = retry_after
                    .map(|s| format!("Retry-After: {s}\r\n"))
                    .unwrap_or_default();
                if write_resp(w, status, ct, &body, &extra).is_err() {
                    return;
                }
                continue;
            }
            Some(Fault::Delay(d)) => std::thread::sleep(d),
            Some(Fault::Truncated) => {
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: 500\r\n\r\n[\"abc"
                );
                let _ = w.flush();
                return;
            }
            Some(Fault::Huge(n)) => {
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {n}\r\n\r\n"
                );
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < n {
                    let k = chunk.len().min(n - sent);
                    if w.write_all(&chunk[..k]).is_err() {
                        return;
                    }
                    sent += k;
                }
                return;
            }
            Some(Fault::NotJson) => {
                if write_resp(w, 200, "text/html", "<html>proxy login</html>", "").is_err() {
                    return;
                }
                continue;
            }
            None => {}
        }
        let (status, body) = handle(&req, &st);
        let (status, body, ctype) = if status >= 400 && st.lock().expect("lock").plain_text_errors {
            let msg = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default();
            (status, msg, "text/plain")
        } else {
            (status, body, ct)
        };
        if write_resp(w, status, ctype, &body, "").is_err() {
            return;
        }
    }
}

fn err(status: u16, code: i64, msg: &str) -> (u16, String) {
    (
        status,
        json!({"error_code": code, "message": msg}).to_string(),
    )
}

fn version_json(subject: &str, v: &Version, omit_refs: bool) -> Value {
    let mut o = json!({"subject": subject, "version": v.version, "id": v.id, "schema": v.schema});
    if let Some(t) = &v.schema_type {
        o["schemaType"] = json!(t);
    }
    if !v.references.is_empty() && !omit_refs {
        o["references"] = json!(v.references);
    }
    if let Some(m) = &v.metadata {
        o["metadata"] = m.clone();
    }
    if let Some(r) = &v.rule_set {
        o["ruleSet"] = r.clone();
    }
    o
}

/// `base` with `more`'s fields laid over it.
fn overlay(base: &mut Value, more: Option<&Value>) {
    if let (Some(b), Some(Value::Object(m))) = (base.as_object_mut(), more) {
        for (k, v) in m {
            b.insert(k.clone(), v.clone());
        }
    }
}

fn canon(s: &str) -> String {
    serde_json::from_str::<Value>(s)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn handle(req: &Req, st: &Arc<Mutex<State>>) -> (u16, String) {
    let mut s = st.lock().expect("lock");
    if let Some(want) = &s.require_auth {
        if req.headers.get("authorization") != Some(want) {
            return err(401, 40101, "Unauthorized");
        }
    }
    let segs: Vec<String> = req
        .path
        .trim_start_matches('/')
        .split('/')
        .map(decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["subjects"]) => (
            200,
            json!(s.subjects.keys().collect::<Vec<_>>()).to_string(),
        ),
        ("GET", ["subjects", subj, "versions"]) => match s.subjects.get(*subj) {
            Some(vs) => (
                200,
                json!(vs.iter().map(|v| v.version).collect::<Vec<_>>()).to_string(),
            ),
            None if s.empty_list_for_unknown => (200, "[]".into()),
            None => err(404, 40401, &format!("Subject '{subj}' not found.")),
        },
        ("GET", ["subjects", subj, "versions", ver]) => {
            let Some(vs) = s.subjects.get(*subj) else {
                return err(404, 40401, &format!("Subject '{subj}' not found."));
            };
            let found = if *ver == "latest" || *ver == "-1" {
                vs.last()
            } else {
                vs.iter().find(|v| v.version.to_string() == *ver)
            };
            match found {
                Some(v) => (200, version_json(subj, v, s.omit_references).to_string()),
                None => err(404, 40402, &format!("Version {ver} not found.")),
            }
        }
        ("GET", ["schemas", "ids", id]) => {
            for vs in s.subjects.values() {
                if let Some(v) = vs.iter().find(|v| v.id.to_string() == *id) {
                    let mut o = json!({"schema": v.schema});
                    if let Some(t) = &v.schema_type {
                        o["schemaType"] = json!(t);
                    }
                    if !v.references.is_empty() {
                        o["references"] = json!(v.references);
                    }
                    return (200, o.to_string());
                }
            }
            err(404, 40403, "Schema not found")
        }
        ("GET", ["config"]) => {
            let mut o = json!({"compatibilityLevel": s.global_level});
            overlay(&mut o, s.config_extra.get(""));
            (200, o.to_string())
        }
        ("GET", ["config", subj]) => {
            let own = s.levels.contains_key(*subj) || s.config_extra.contains_key(*subj);
            let to_global = req.query.contains("defaultToGlobal=true");
            if !own && (s.config_404_without_global || !to_global) {
                return err(404, 40401, &format!("Subject '{subj}' not found."));
            }
            let mut o = json!({});
            if to_global {
                o = json!({"compatibilityLevel": s.global_level});
                overlay(&mut o, s.config_extra.get(""));
            }
            if let Some(l) = s.levels.get(*subj) {
                o["compatibilityLevel"] = json!(l);
            }
            overlay(&mut o, s.config_extra.get(*subj));
            (200, o.to_string())
        }
        ("PUT", ["config", subj]) => {
            let v: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            let level = v
                .get("compatibility")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            s.levels.insert(subj.to_string(), level.clone());
            (200, json!({"compatibility": level}).to_string())
        }
        ("POST", ["subjects", subj]) => {
            if s.lookup_405 {
                return (405, String::new());
            }
            let v: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            let schema = canon(v.get("schema").and_then(Value::as_str).unwrap_or(""));
            // Confluent: the same text with other references is another schema.
            let refs = v
                .get("references")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            match s.subjects.get(*subj) {
                Some(vs) => match vs
                    .iter()
                    .find(|x| canon(&x.schema) == schema && x.references == refs)
                {
                    Some(x) => (200, version_json(subj, x, false).to_string()),
                    None => err(404, 40403, "Schema not found"),
                },
                None => err(404, 40401, &format!("Subject '{subj}' not found.")),
            }
        }
        ("POST", ["subjects", subj, "versions"]) => {
            let v: Value = match serde_json::from_str(&req.body) {
                Ok(v) => v,
                Err(_) => return err(422, 42201, "Invalid schema"),
            };
            let schema = v
                .get("schema")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let metadata = v.get("metadata").cloned();
            let rule_set = v.get("ruleSet").cloned();
            let refs = v
                .get("references")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let ignore_contracts = s.ignore_contracts;
            let ignore_references = s.ignore_references;
            if let Some(vs) = s.subjects.get(*subj) {
                // Confluent: the same schema with other references, or another metadata/ruleSet, is a new version.
                if let Some(x) = vs.iter().find(|x| {
                    canon(&x.schema) == canon(&schema)
                        && (ignore_references || x.references == refs)
                        && (ignore_contracts
                            || (metadata.is_none() && rule_set.is_none())
                            || (x.metadata == metadata && x.rule_set == rule_set))
                }) {
                    return (200, json!({"id": x.id}).to_string());
                }
            }
            let id = s.next_id;
            s.next_id += 1;
            let vs = s.subjects.entry(subj.to_string()).or_default();
            let version = vs.len() as i64 + 1;
            vs.push(Version {
                version,
                id,
                schema,
                schema_type: v
                    .get("schemaType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                references: v
                    .get("references")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                metadata: v.get("metadata").cloned(),
                rule_set: v.get("ruleSet").cloned(),
            });
            (200, json!({"id": id}).to_string())
        }
        ("POST", ["compatibility", "subjects", _subj, "versions", ..]) => {
            let ok = s.compat_answer.unwrap_or(true);
            if ok {
                (200, json!({"is_compatible": true}).to_string())
            } else {
                (
                    200,
                    json!({"is_compatible": false, "messages": ["{errorType:'SERVER_SAYS_NO'}"]})
                        .to_string(),
                )
            }
        }
        _ => err(404, 404, "not found"),
    }
}
