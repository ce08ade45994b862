//! A blocking client for the Confluent Schema Registry REST API (confluent.md §6) and the servers that speak it
//! (Karapace, Apicurio's ccompat API, Redpanda, rivven-schema: registries.md). One `ureq` agent with keep-alive
//! is shared by a bounded pool of worker threads (`parallel`). Every request is retried on 408/429/5xx and on
//! transport failures, with full-jitter exponential backoff that honours `Retry-After`, a bounded number of times;
//! answers are size-bounded. Errors name the endpoint (`GET /subjects/orders-value/versions`) and the host, never
//! a credential: secrets travel only in the `Authorization` header, which no message prints.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::finding::Format;

/// The media type Confluent's API speaks (requests and answers).
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
const ACCEPT: &str =
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

/// How to authenticate. Secrets are kept here only; `Debug` prints none of them.
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    /// `user:secret` (Confluent Cloud: API key and secret).
    Basic(String),
    /// A bearer token, with Confluent Cloud's `target-sr-cluster` and `Confluent-Identity-Pool-Id` headers.
    Bearer {
        token: String,
        logical_cluster: Option<String>,
        identity_pool: Option<String>,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Basic(_) => f.write_str("Auth::Basic(<redacted>)"),
            Auth::Bearer { .. } => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

/// Parallel requests by default. A check fetches every version of every subject (7,000 requests for 1,000
/// subjects of 5 versions at a transitive level); with 10 ms per request, 8 workers cannot finish under 8.75 s,
/// 32 finish in about 2.2 s. The requests are small reads a registry serves concurrently; one keep-alive
/// connection per worker, never more.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// Everything needed to talk to one registry.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Base URL without credentials (`https://sr.example:8081`, `http://host/apis/ccompat/v7`).
    pub url: String,
    pub auth: Auth,
    /// PEM bundle of CA certificates to trust instead of the built-in roots.
    pub ca_file: Option<std::path::PathBuf>,
    /// PEM client certificate chain and key, for mTLS.
    pub client_cert: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Parallel requests.
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect, send, receive).
    pub request_timeout: Duration,
    /// Retries after the first attempt, on 408/429/5xx and transport failures.
    pub max_retries: u32,
    /// Base of the exponential backoff.
    pub backoff_base: Duration,
    /// Ceiling of one wait (also caps `Retry-After`).
    pub backoff_max: Duration,
    /// Largest answer accepted, in bytes.
    pub max_body: u64,
}

impl ClientSettings {
    pub fn new(url: &str) -> Self {
        ClientSettings {
            url: url.trim_end_matches('/').to_string(),
            auth: Auth::None,
            ca_file: None,
            client_cert: None,
            concurrency: DEFAULT_CONCURRENCY,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// Why a request failed. Messages name the endpoint and host; never a credential.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    #[error("cannot reach the schema registry at {host} ({endpoint}): {message}")]
    Transport {
        host: String,
        endpoint: String,
        message: String,
    },
    #[error("credentials rejected by {host} (HTTP {status} on {endpoint}): check the basic-auth user info or bearer token")]
    Credentials {
        host: String,
        endpoint: String,
        status: u16,
    },
    #[error("{endpoint} on {host}: HTTP {status}{}: {message}", code.map(|c| format!(" (error code {c})")).unwrap_or_default())]
    Http {
        host: String,
        endpoint: String,
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// A 404 without a registry's `error_code` (an HTML page, an empty body, `{"error_code":404}` for an unknown
    /// path): the URL points at something else, or its path is wrong. Never read as "subject not registered".
    #[error("{endpoint} on {url}: HTTP {status} {detail}: `{url}` does not look like a schema registry (a registry answers an unknown subject with error code 40401); check the host, port and path of the registry URL")]
    NotRegistry {
        /// The base URL without credentials.
        url: String,
        endpoint: String,
        status: u16,
        detail: String,
    },
    /// A 2xx answer that is an HTML page (a sign-in page or proxy in front of the registry): reported by its title,
    /// as error statuses are, not as "not JSON" at line 1 column 1.
    #[error("{endpoint} on {url}: the registry URL answered with {page} instead of JSON: `{url}` leads to something other than a schema registry (a sign-in page or proxy in front of it?); check the host, port and path of the registry URL, and its credentials")]
    HtmlPage {
        /// The base URL without credentials.
        url: String,
        endpoint: String,
        page: String,
    },
    #[error("{endpoint} on {host}: the answer is not what a schema registry sends ({message})")]
    Shape {
        host: String,
        endpoint: String,
        message: String,
    },
    #[error("{endpoint} on {host}: the answer is larger than {limit} bytes")]
    TooLarge {
        host: String,
        endpoint: String,
        limit: u64,
    },
    #[error("registry configuration: {0}")]
    Setup(String),
    /// A local file the command reads or writes (a contract sidecar, a pulled snapshot): the message names it.
    #[error("{0}")]
    Local(String),
}

impl RegistryError {
    /// Confluent's `error_code` of an HTTP error.
    pub fn code(&self) -> Option<i64> {
        match self {
            RegistryError::Http { code, .. } => *code,
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Http { status, .. }
            | RegistryError::Credentials { status, .. }
            | RegistryError::NotRegistry { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A reference from one registered schema to another (`name` is the import path, Avro full name, or `$ref` URL).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: i64,
}

/// One registered schema version (or a schema fetched by id, where `subject`/`version` may be unknown).
#[derive(Debug, Clone)]
pub struct RegisteredSchema {
    pub subject: String,
    pub version: i64,
    pub id: i64,
    pub format: Format,
    /// The schema text exactly as the registry stores it.
    pub schema: String,
    /// `None` when the answer had no `references` field (some servers omit it: registries.md).
    pub references: Option<Vec<Reference>>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

/// A subject's compatibility configuration (`GET /config/{s}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubjectConfig {
    /// `BACKWARD`, `FULL_TRANSITIVE`, … as the server says it.
    pub level: Option<String>,
    pub compatibility_group: Option<String>,
    /// `defaultMetadata` / `overrideMetadata` / `defaultRuleSet` / `overrideRuleSet` (confluent.md §8.4): what the
    /// registry merges into every version it registers (see `registry::effective`).
    pub default_metadata: Option<Value>,
    pub override_metadata: Option<Value>,
    pub default_rule_set: Option<Value>,
    pub override_rule_set: Option<Value>,
}

/// The answer of a lookup (`POST /subjects/{s}`).
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found {
        version: i64,
        id: i64,
    },
    NotFound,
    /// The server refuses lookups (405: rivven-schema); decide by comparing fetched versions.
    Unsupported,
}

/// What a client sends to register, check or look up a schema.
#[derive(Debug, Clone, Default)]
pub struct SchemaRequest {
    pub format: Option<Format>,
    pub schema: String,
    pub references: Vec<Reference>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

impl SchemaRequest {
    fn body(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("schema".into(), Value::String(self.schema.clone()));
        // Confluent omits schemaType for Avro; sending it is accepted by every server, except old ones.
        if let Some(f) = self.format {
            if f != Format::Avro {
                m.insert("schemaType".into(), Value::String(schema_type(f).into()));
            }
        }
        if !self.references.is_empty() {
            m.insert(
                "references".into(),
                serde_json::to_value(&self.references).unwrap_or(Value::Null),
            );
        }
        if let Some(md) = &self.metadata {
            m.insert("metadata".into(), md.clone());
        }
        if let Some(rs) = &self.rule_set {
            m.insert("ruleSet".into(), rs.clone());
        }
        Value::Object(m)
    }
}

/// The registry's name of a format.
pub fn schema_type(f: Format) -> &'static str {
    match f {
        Format::Avro => "AVRO",
        Format::Protobuf => "PROTOBUF",
        Format::JsonSchema => "JSON",
    }
}

pub(crate) fn parse_schema_type(s: Option<&str>) -> Option<Format> {
    match s.map(str::to_ascii_uppercase).as_deref() {
        None | Some("AVRO") | Some("") => Some(Format::Avro),
        Some("PROTOBUF") => Some(Format::Protobuf),
        Some("JSON") => Some(Format::JsonSchema),
        _ => None,
    }
}

/// Percent-encodes one path segment completely (Python's `quote(value, safe='')`): `:.ctx:orders-value` stays one
/// segment.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Splits `https://user:secret@host:8081/path` into the URL without user info and the user info (percent-decoded).
pub fn split_userinfo(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    match userinfo_end(rest) {
        Some(at) => (
            format!("{scheme}://{}", &rest[at + 1..]),
            Some(percent_decode(&rest[..at])),
        ),
        None => (url.to_string(), None),
    }
}

/// Where the user info of `rest` (a URL after `scheme://`) ends: its last `@` before any `?` or `#`. Not the
/// authority's first `/`: a secret typed unencoded may hold a `/` (`https://key:ab/cd@host`), and cutting there would
/// show the secret's tail in messages. A registry URL's path holds no `@`.
fn userinfo_end(rest: &str) -> Option<usize> {
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    rest[..end].rfind('@')
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL for messages: as given, without user info (which may hold a secret), with or without a scheme.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let after = userinfo_end(rest).map_or(rest, |at| &rest[at + 1..]);
    format!("{scheme}{after}")
}

/// Refuses a registry URL no request could go to, before any request: one configuration error quoting the URL as
/// given (without user info) rather than a transport error per subject.
fn check_url(url: &str) -> Result<(), RegistryError> {
    let shown = without_userinfo(url);
    let bad = |why: &str| {
        RegistryError::Setup(format!(
            "the registry URL `{shown}` is not valid: {why} (expected http://host[:port][/path] or https://…)"
        ))
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(bad("it must start with http:// or https://"));
    }
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e: ureq::http::uri::InvalidUri| bad(&e.to_string()))?;
    let Some(authority) = uri.authority() else {
        return Err(bad("it names no host"));
    };
    if authority
        .host()
        .trim_matches(|c| c == '[' || c == ']')
        .is_empty()
    {
        return Err(bad("it names no host"));
    }
    // A port that is given must be a number that fits (`http` does not check it).
    let port = authority
        .as_str()
        .strip_prefix(authority.host())
        .unwrap_or_default();
    match port.strip_prefix(':') {
        None if port.is_empty() => Ok(()),
        Some("") => Err(bad("the port is empty")),
        Some(p) if p.parse::<u16>().is_ok_and(|n| n > 0) => Ok(()),
        _ => Err(bad(&format!(
            "the port `{}` is not a number from 1 to 65535",
            port.trim_start_matches(':')
        ))),
    }
}

/// `host:port` of a URL, for messages.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// Whether `host` (no port) is matched by a `NO_PROXY` list (`*`, exact names, `.suffix` / `suffix`).
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    list.split(',').map(str::trim).any(|p| {
        let p = p.trim_start_matches("*.").trim_start_matches('.');
        p == "*" || (!p.is_empty() && (host == p || host.ends_with(&format!(".{p}"))))
    })
}

fn env_any(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .find(|v| !v.trim().is_empty())
}

/// The proxy for `url`: `HTTPS_PROXY` for https, `HTTP_PROXY` for http (then `ALL_PROXY`), unless `NO_PROXY`
/// names the host; loopback is never proxied.
fn proxy_for(url: &str) -> Result<Option<ureq::Proxy>, RegistryError> {
    let host_port = host_of(url);
    let host = match host_port.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => host_port.clone(),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if host == "localhost" || host == "::1" || host.starts_with("127.") {
        return Ok(None);
    }
    if let Some(list) = env_any(&["NO_PROXY", "no_proxy"]) {
        if no_proxy_matches(&list, &host) {
            return Ok(None);
        }
    }
    let var = if url.starts_with("https://") {
        env_any(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    } else {
        env_any(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
    };
    match var {
        None => Ok(None),
        Some(p) => ureq::Proxy::new(&p).map(Some).map_err(|_| {
            // The proxy URL may hold credentials: name only its host.
            let (clean, _) = split_userinfo(&p);
            RegistryError::Setup(format!(
                "the proxy `{}` is not a valid URL",
                host_of(&clean)
            ))
        }),
    }
}

/// A shared, thread-safe registry client.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    host: String,
    auth_header: Option<String>,
    extra_headers: Vec<(&'static str, String)>,
    settings: ClientSettings,
    /// Requests sent (attempts included), for benchmarks and tests.
    requests: std::sync::Arc<AtomicUsize>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

/// A raw answer: status, body, `Retry-After` seconds.
struct Answer {
    status: u16,
    body: String,
}

impl Client {
    pub fn new(mut settings: ClientSettings) -> Result<Client, RegistryError> {
        let (url, userinfo) = split_userinfo(&settings.url);
        check_url(&url)?;
        settings.url = url.trim_end_matches('/').to_string();
        if let (Some(info), Auth::None) = (userinfo, &settings.auth) {
            settings.auth = Auth::Basic(info);
        }
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = &settings.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                RegistryError::Setup(format!("cannot read ca_file `{}`: {e}", ca.display()))
            })?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|i| match i {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(RegistryError::Setup(format!(
                    "ca_file `{}` holds no PEM certificate",
                    ca.display()
                )));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        if let Some((cert, key)) = &settings.client_cert {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| {
                    RegistryError::Setup(format!("cannot read `{}`: {e}", p.display()))
                })
            };
            let chain: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&read(cert)?)
                .filter_map(|i| match i {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if chain.is_empty() {
                return Err(RegistryError::Setup(format!(
                    "client_cert `{}` holds no PEM certificate",
                    cert.display()
                )));
            }
            let key = ureq::tls::PrivateKey::from_pem(&read(key)?).map_err(|_| {
                RegistryError::Setup(format!(
                    "client_key `{}` holds no PEM private key",
                    key.display()
                ))
            })?;
            tls = tls.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, key)));
        }
        let proxy = proxy_for(&settings.url)?;
        let conc = settings.concurrency.max(1);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.request_timeout))
            .max_idle_connections(conc * 2)
            .max_idle_connections_per_host(conc * 2)
            .max_redirects(0)
            .proxy(proxy)
            .tls_config(tls.build())
            .user_agent(format!("schemaguard/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let auth_header = match &settings.auth {
            Auth::None => None,
            Auth::Basic(info) => Some(format!("Basic {}", base64(info.as_bytes()))),
            Auth::Bearer { token, .. } => Some(format!("Bearer {token}")),
        };
        let mut extra_headers = Vec::new();
        if let Auth::Bearer {
            logical_cluster,
            identity_pool,
            ..
        } = &settings.auth
        {
            if let Some(c) = logical_cluster {
                extra_headers.push(("target-sr-cluster", c.clone()));
            }
            if let Some(p) = identity_pool {
                extra_headers.push(("Confluent-Identity-Pool-Id", p.clone()));
            }
        }
        Ok(Client {
            agent,
            host: host_of(&settings.url),
            base: settings.url.clone(),
            auth_header,
            extra_headers,
            settings,
            requests: std::sync::Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The registry's `host:port`, for messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The base URL (without credentials).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `host:port/path` of the base URL (without scheme and credentials), for summaries: the path is kept, so a
    /// wrong one shows (`127.0.0.1:8081/typo`).
    pub fn location(&self) -> &str {
        self.base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, rest)| rest)
    }

    pub fn concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    /// HTTP requests sent so far (retries included).
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    fn once(&self, method: &str, path: &str, body: Option<&str>) -> Result<Answer, ureq::Error> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{}", self.base, path);
        macro_rules! common {
            ($rb:expr) => {{
                let mut rb = $rb.header("Accept", ACCEPT);
                if let Some(a) = &self.auth_header {
                    rb = rb.header("Authorization", a.as_str());
                }
                for (k, v) in &self.extra_headers {
                    rb = rb.header(*k, v.as_str());
                }
                rb
            }};
        }
        let mut resp = match method {
            "GET" => common!(self.agent.get(&url)).call()?,
            "DELETE" => common!(self.agent.delete(&url)).call()?,
            "PUT" => common!(self.agent.put(&url))
                .header("Content-Type", CONTENT_TYPE)
                .send(body.unwrap_or("").as_bytes())?,
            _ => common!(self.agent.post(&url))
                .header("Content-Type", CONTENT_TYPE)
                .send(body.unwrap_or("").as_bytes())?,
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        RETRY_AFTER.with(|r| r.set(retry_after));
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.settings.max_body)
            .read_to_string()?;
        Ok(Answer { status, body })
    }

    /// Sends one request with retries; `endpoint` names it in errors (`GET /subjects/{s}/versions`).
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, RegistryError> {
        let endpoint = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let body = body.map(Value::to_string);
        let mut attempt: u32 = 0;
        loop {
            RETRY_AFTER.with(|r| r.set(None));
            let result = self.once(method, path, body.as_deref());
            let retriable = match &result {
                Ok(a) => matches!(a.status, 408 | 429 | 500 | 502 | 503 | 504),
                Err(ureq::Error::BodyExceedsLimit(_)) => false,
                // A refused certificate stays refused: no retry.
                Err(e) => is_transient(e) && tls_advice(&e.to_string(), &self.settings).is_none(),
            };
            if retriable && attempt < self.settings.max_retries {
                let wait = match RETRY_AFTER.with(|r| r.get()) {
                    Some(s) => Duration::from_secs(s).min(self.settings.backoff_max),
                    None => backoff(
                        attempt,
                        self.settings.backoff_base,
                        self.settings.backoff_max,
                    ),
                };
                std::thread::sleep(wait);
                attempt += 1;
                continue;
            }
            return match result {
                Ok(a) if (200..300).contains(&a.status) => Ok(a),
                Ok(a) if a.status == 401 || a.status == 403 => Err(RegistryError::Credentials {
                    host: self.host.clone(),
                    endpoint,
                    status: a.status,
                }),
                Ok(a) => {
                    // Confluent: {"error_code":…,"message":…}; some servers answer plain text.
                    let (code, message) = match serde_json::from_str::<Value>(&a.body) {
                        Ok(v) => (
                            v.get("error_code").and_then(Value::as_i64),
                            v.get("message")
                                .and_then(Value::as_str)
                                .map(str::to_string)
                                .unwrap_or_else(|| summarize_body(&a.body)),
                        ),
                        Err(_) => (None, summarize_body(&a.body)),
                    };
                    // Every 404 a registry sends carries a 404xx error code (confluent.md §6); anything else is a
                    // wrong URL (a typo in its path, another HTTP service), not "subject not registered".
                    if a.status == 404 && !code.is_some_and(|c| (40400..40500).contains(&c)) {
                        let detail = match code {
                            Some(c) => format!("with error code {c} ({message})"),
                            None if a.body.trim().is_empty() => "with an empty body".to_string(),
                            None => format!("without a registry error code ({message})"),
                        };
                        return Err(RegistryError::NotRegistry {
                            url: self.base.clone(),
                            endpoint,
                            status: a.status,
                            detail,
                        });
                    }
                    Err(RegistryError::Http {
                        host: self.host.clone(),
                        endpoint,
                        status: a.status,
                        code,
                        message: if message.is_empty() {
                            "(empty body)".into()
                        } else {
                            message
                        },
                    })
                }
                Err(ureq::Error::BodyExceedsLimit(limit)) => Err(RegistryError::TooLarge {
                    host: self.host.clone(),
                    endpoint,
                    limit,
                }),
                Err(e) => {
                    let mut message = transport_message(&e);
                    if let Some(advice) = tls_advice(&message, &self.settings) {
                        message = format!("{message}; {advice}");
                    }
                    Err(RegistryError::Transport {
                        host: self.host.clone(),
                        endpoint,
                        message,
                    })
                }
            };
        }
    }

    fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, RegistryError> {
        let a = self.send(method, path, body)?;
        serde_json::from_str(&a.body).map_err(|e| match html_page(&a.body) {
            Some(page) => RegistryError::HtmlPage {
                url: self.base.clone(),
                endpoint: format!("{method} {}", path.split('?').next().unwrap_or(path)),
                page,
            },
            None => self.shape(method, path, format!("not JSON: {e}")),
        })
    }

    fn shape(&self, method: &str, path: &str, message: String) -> RegistryError {
        RegistryError::Shape {
            host: self.host.clone(),
            endpoint: format!("{method} {}", path.split('?').next().unwrap_or(path)),
            message,
        }
    }

    /// `GET /subjects`.
    pub fn subjects(&self) -> Result<Vec<String>, RegistryError> {
        let v = self.json("GET", "/subjects", None)?;
        let list = v
            .as_array()
            .ok_or_else(|| self.shape("GET", "/subjects", "expected a list of subjects".into()))?;
        list.iter()
            .map(|s| {
                s.as_str().map(str::to_string).ok_or_else(|| {
                    self.shape("GET", "/subjects", "a subject is not a string".into())
                })
            })
            .collect()
    }

    /// `GET /subjects/{s}/versions`: the non-deleted versions, ascending; empty when the subject is not registered
    /// (404 40401, or `[]` as some servers answer).
    pub fn versions(&self, subject: &str) -> Result<Vec<i64>, RegistryError> {
        let path = format!("/subjects/{}/versions", encode_segment(subject));
        match self.json("GET", &path, None) {
            Ok(v) => {
                let list = v.as_array().ok_or_else(|| {
                    self.shape("GET", &path, "expected a list of versions".into())
                })?;
                let mut out: Vec<i64> = list
                    .iter()
                    .map(|x| {
                        x.as_i64().ok_or_else(|| {
                            self.shape("GET", &path, "a version is not a number".into())
                        })
                    })
                    .collect::<Result<_, _>>()?;
                out.sort_unstable();
                Ok(out)
            }
            // Not registered: 40401, or `[]` above (rivven-schema). A 404 without a registry code is `NotRegistry`.
            Err(e) if e.code() == Some(40401) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// `GET /subjects/{s}/versions/{v}`; `None` if the subject or version does not exist (40401 / 40402).
    pub fn version(
        &self,
        subject: &str,
        version: &str,
    ) -> Result<Option<RegisteredSchema>, RegistryError> {
        let path = format!(
            "/subjects/{}/versions/{}",
            encode_segment(subject),
            encode_segment(version)
        );
        match self.json("GET", &path, None) {
            Ok(v) => self.schema_from(&v, "GET", &path, Some(subject)).map(Some),
            Err(e) if matches!(e.code(), Some(40401 | 40402)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /schemas/ids/{id}`: the schema with that global id (subject and version unknown: `""` / 0), or
    /// `None` (40403). This is how a Confluent wire-format record (magic byte 0, 4-byte big-endian id) is decoded.
    pub fn schema_by_id(&self, id: i64) -> Result<Option<RegisteredSchema>, RegistryError> {
        let path = format!("/schemas/ids/{id}");
        match self.json("GET", &path, None) {
            Ok(v) => {
                let mut s = self.schema_from(&v, "GET", &path, None)?;
                if s.id == 0 {
                    s.id = id;
                }
                Ok(Some(s))
            }
            Err(e) if e.code() == Some(40403) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn schema_from(
        &self,
        v: &Value,
        method: &str,
        path: &str,
        subject: Option<&str>,
    ) -> Result<RegisteredSchema, RegistryError> {
        let shape = |m: &str| self.shape(method, path, m.to_string());
        let schema = v
            .get("schema")
            .and_then(Value::as_str)
            .ok_or_else(|| shape("no `schema` string"))?
            .to_string();
        let format = parse_schema_type(v.get("schemaType").and_then(Value::as_str))
            .ok_or_else(|| shape("unknown `schemaType`"))?;
        let references = match v.get("references") {
            None | Some(Value::Null) => None,
            Some(r) => Some(
                serde_json::from_value::<Vec<Reference>>(r.clone())
                    .map_err(|e| shape(&format!("`references`: {e}")))?,
            ),
        };
        Ok(RegisteredSchema {
            subject: v
                .get("subject")
                .and_then(Value::as_str)
                .or(subject)
                .unwrap_or_default()
                .to_string(),
            version: v.get("version").and_then(Value::as_i64).unwrap_or(0),
            id: v.get("id").and_then(Value::as_i64).unwrap_or(0),
            format,
            schema,
            references,
            metadata: v.get("metadata").filter(|m| !m.is_null()).cloned(),
            rule_set: v.get("ruleSet").filter(|m| !m.is_null()).cloned(),
        })
    }

    /// The subject's effective configuration: `GET /config/{s}?defaultToGlobal=true`, falling back to `GET /config`
    /// on servers that answer 404 (40408, or 40401 before 5.5.6) or do not know `defaultToGlobal`.
    pub fn config(&self, subject: &str) -> Result<SubjectConfig, RegistryError> {
        let path = format!("/config/{}?defaultToGlobal=true", encode_segment(subject));
        let v = match self.json("GET", &path, None) {
            Ok(v) => v,
            Err(e) if e.status() == Some(404) => self.json("GET", "/config", None)?,
            Err(e) => return Err(e),
        };
        let obj = v
            .as_object()
            .ok_or_else(|| self.shape("GET", &path, "expected a config object".into()))?;
        let level = obj
            .get("compatibilityLevel")
            .or_else(|| obj.get("compatibility"))
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase);
        let object = |key: &str| obj.get(key).filter(|v| v.is_object()).cloned();
        Ok(SubjectConfig {
            level,
            compatibility_group: obj
                .get("compatibilityGroup")
                .and_then(Value::as_str)
                .map(str::to_string),
            default_metadata: object("defaultMetadata"),
            override_metadata: object("overrideMetadata"),
            default_rule_set: object("defaultRuleSet"),
            override_rule_set: object("overrideRuleSet"),
        })
    }

    /// `PUT /config/{s}` with `{"compatibility": level}`.
    pub fn set_level(&self, subject: &str, level: &str) -> Result<(), RegistryError> {
        let path = format!("/config/{}", encode_segment(subject));
        let body = serde_json::json!({ "compatibility": level });
        let v = self.json("PUT", &path, Some(&body))?;
        // Confluent echoes `compatibility`, rivven-schema `compatibilityLevel`.
        if v.get("compatibility")
            .or_else(|| v.get("compatibilityLevel"))
            .is_none()
        {
            return Err(self.shape("PUT", &path, "no `compatibility` in the answer".into()));
        }
        Ok(())
    }

    /// `POST /compatibility/subjects/{s}/versions[/{v}]?verbose=true`: the server's verdict and messages.
    pub fn check_compatibility(
        &self,
        subject: &str,
        version: Option<&str>,
        req: &SchemaRequest,
    ) -> Result<(bool, Vec<String>), RegistryError> {
        let mut path = format!(
            "/compatibility/subjects/{}/versions",
            encode_segment(subject)
        );
        if let Some(v) = version {
            path.push('/');
            path.push_str(&encode_segment(v));
        }
        path.push_str("?verbose=true");
        let v = self.json("POST", &path, Some(&req.body()))?;
        let ok = v
            .get("is_compatible")
            .and_then(Value::as_bool)
            .ok_or_else(|| self.shape("POST", &path, "no `is_compatible`".into()))?;
        let messages = v
            .get("messages")
            .and_then(Value::as_array)
            .map(|m| {
                m.iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok((ok, messages))
    }

    /// `POST /subjects/{s}`: is this schema registered under the subject?
    pub fn lookup(&self, subject: &str, req: &SchemaRequest) -> Result<Lookup, RegistryError> {
        let path = format!("/subjects/{}", encode_segment(subject));
        match self.json("POST", &path, Some(&req.body())) {
            Ok(v) => Ok(Lookup::Found {
                version: v.get("version").and_then(Value::as_i64).unwrap_or(0),
                id: v.get("id").and_then(Value::as_i64).unwrap_or(0),
            }),
            // 40401 (unknown subject) or 40403 (schema not found); a 404 without these is `NotRegistry`.
            Err(e) if matches!(e.code(), Some(40401 | 40403)) => Ok(Lookup::NotFound),
            Err(e) if e.status() == Some(405) || e.status() == Some(501) => Ok(Lookup::Unsupported),
            Err(e) => Err(e),
        }
    }

    /// `POST /subjects/{s}/versions`: registers and returns the id. 409 means incompatible (`Http` with status 409).
    pub fn register(&self, subject: &str, req: &SchemaRequest) -> Result<i64, RegistryError> {
        let path = format!("/subjects/{}/versions", encode_segment(subject));
        let v = self.json("POST", &path, Some(&req.body()))?;
        v.get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| self.shape("POST", &path, "no `id` in the answer".into()))
    }
}

thread_local! {
    static RETRY_AFTER: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

fn is_transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::Protocol(_)
    )
}

/// What a TLS failure means and how to fix it. rustls reaches us through ureq as its error text (a handshake
/// error, or an alert the server sent, surfaced as I/O), so this reads the text rustls writes.
fn tls_advice(message: &str, settings: &ClientSettings) -> Option<String> {
    let has_ca = settings.ca_file.is_some();
    let has_cert = settings.client_cert.is_some();
    if message.contains("invalid peer certificate") {
        return Some(if message.contains("NotValidForName") {
            "the registry's TLS certificate is not issued for this host name: use the name it was issued for in `url`"
                .to_string()
        } else if message.contains("Expired") {
            "the registry's TLS certificate has expired (or is not valid yet)".to_string()
        } else if has_ca {
            "the registry's TLS certificate is not signed by the CA in `ca_file`".to_string()
        } else {
            "the registry's TLS certificate is not signed by a public CA: set `ca_file` in [registry] to the CA \
             certificate (PEM) that signed it"
                .to_string()
        });
    }
    let alert = message.contains("received fatal alert");
    if alert && message.contains("CertificateRequired")
        || alert && !has_cert && message.contains("HandshakeFailure")
    {
        return Some(if has_cert {
            "the registry did not accept the client certificate (`client_cert`)".to_string()
        } else {
            "the registry requires a client certificate: set `client_cert` and `client_key` in [registry] (mutual \
             TLS)"
                .to_string()
        });
    }
    if alert
        && [
            "BadCertificate",
            "UnknownCA",
            "CertificateUnknown",
            "DecryptError",
            "AccessDenied",
        ]
        .iter()
        .any(|a| message.contains(a))
    {
        return Some(if has_cert {
            "the registry refused the client certificate (`client_cert`): is it signed by a CA the registry trusts, \
             and is `client_key` its key?"
                .to_string()
        } else {
            "the registry refused the TLS connection".to_string()
        });
    }
    None
}

fn transport_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::ConnectionFailed => "connection refused or failed".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// What an error body says, for a message: an HTML page by its title (never the whole page), any other text cut
/// to its first 300 characters, on one line.
fn summarize_body(body: &str) -> String {
    html_page(body).unwrap_or_else(|| clip(body.trim_start()))
}

/// `an HTML page titled `…``, or `an HTML page`, when `body` is one; else `None`.
fn html_page(body: &str) -> Option<String> {
    // Offsets into `lower` are offsets into `body` (trimmed the same; ASCII lowercasing keeps every byte's place).
    let body = body.trim_start();
    let lower = body.to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<body")
    {
        let title = lower
            .find("<title>")
            .and_then(|start| {
                let rest = body.get(start + "<title>".len()..)?;
                let end = rest.to_ascii_lowercase().find("</title>")?;
                rest.get(..end)
            })
            .map(clip)
            .filter(|t| !t.is_empty());
        return Some(match title {
            Some(t) => format!("an HTML page titled `{t}`"),
            None => "an HTML page".to_string(),
        });
    }
    None
}

/// First 300 characters of an error body, on one line.
fn clip(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 300 {
        format!("{}…", one.chars().take(300).collect::<String>())
    } else {
        one
    }
}

/// Full-jitter exponential backoff: a random wait in `[0, min(max, base·2^attempt)]`.
fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let cap = base.saturating_mul(1u32 << attempt.min(16)).min(max);
    let nanos = cap.as_nanos() as u64;
    if nanos == 0 {
        return cap;
    }
    Duration::from_nanos(jitter() % nanos)
}

fn jitter() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded per process and per instance: enough to spread retries.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// Runs `f` over `items` on at most `workers` threads, keeping the input order.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = workers.max(1).min(items.len().max(1));
    if workers == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_fully_encoded() {
        assert_eq!(
            encode_segment(":.ctx:orders-value"),
            "%3A.ctx%3Aorders-value"
        );
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn userinfo_is_split_off() {
        let (u, i) = split_userinfo("https://key:se%40cret@sr.example:8081/x");
        assert_eq!(u, "https://sr.example:8081/x");
        assert_eq!(i.as_deref(), Some("key:se@cret"));
        assert_eq!(split_userinfo("http://h:1").1, None);
        // An unencoded `/` in the secret: the whole of it is user info, none of it stays in the URL.
        let (u, i) = split_userinfo("http://KEY:ab/SECRET1@sr.example:8081/ctx?x=1");
        assert_eq!(u, "http://sr.example:8081/ctx?x=1");
        assert_eq!(i.as_deref(), Some("KEY:ab/SECRET1"));
        assert_eq!(
            without_userinfo("http://KEY:ab/SECRET1@sr.example/x"),
            "http://sr.example/x"
        );
        assert_eq!(without_userinfo("sr.example:8081/a"), "sr.example:8081/a");
    }

    #[test]
    fn an_html_title_is_read_whole_after_leading_whitespace() {
        let page = "\n\n   <!DOCTYPE html><html><head><TITLE>502 Bad Gateway</TITLE></head><body></body></html>";
        assert_eq!(
            summarize_body(page),
            "an HTML page titled `502 Bad Gateway`"
        );
        assert_eq!(summarize_body("<html><body>x"), "an HTML page");
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn no_proxy_lists() {
        assert!(no_proxy_matches("example.com, .corp", "sr.corp"));
        assert!(no_proxy_matches("example.com", "example.com"));
        assert!(no_proxy_matches("*", "x"));
        assert!(!no_proxy_matches("example.com", "badexample.com"));
    }

    #[test]
    fn malformed_urls_are_refused_quoted_without_user_info() {
        for (url, says) in [
            (
                "htp://127.0.0.1:8081",
                "`htp://127.0.0.1:8081` is not valid: it must start with http://",
            ),
            (
                "http://127.0.0.1:notaport",
                "`http://127.0.0.1:notaport` is not valid",
            ),
            ("http://[::1", "`http://[::1` is not valid"),
            (
                "http://127.0.0.1:99999",
                "`http://127.0.0.1:99999` is not valid",
            ),
            ("http://h:", "`http://h:` is not valid: the port is empty"),
            ("http:///registry", "`http:///registry` is not valid"),
            (
                "sr.example:8081",
                "`sr.example:8081` is not valid: it must start",
            ),
            (
                "bob:HUNTER2@sr.example:8081",
                "`sr.example:8081` is not valid",
            ),
            ("htp://bob:HUNTER2@h:1/x", "`htp://h:1/x` is not valid"),
        ] {
            let e = Client::new(ClientSettings::new(url))
                .expect_err(url)
                .to_string();
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("HUNTER2"), "{e}");
        }
        for ok in [
            "http://127.0.0.1:8081",
            "https://u:p@sr.example/apis/ccompat/v7",
            "http://[::1]:8081",
            "http://localhost",
        ] {
            assert!(Client::new(ClientSettings::new(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let a = Auth::Basic("k:s3cret".into());
        assert!(!format!("{a:?}").contains("s3cret"));
    }

    #[test]
    fn missing_schema_type_is_avro() {
        assert_eq!(parse_schema_type(None), Some(Format::Avro));
        assert_eq!(parse_schema_type(Some("JSON")), Some(Format::JsonSchema));
        assert_eq!(parse_schema_type(Some("XML")), None);
    }
}
