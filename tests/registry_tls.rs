//! HTTPS and mutual TLS to the registry, end to end: an in-process registry on 127.0.0.1 behind rustls, with a CA,
//! server and client certificates made here by rcgen. `[registry] ca_file` makes the server trusted, `client_cert` /
//! `client_key` answer a server that requires a client certificate; each failure is a clear error naming the host
//! (exit 2), and secrets stay out of every output format on these error paths too.

mod common;
#[path = "support/mock_registry.rs"]
mod mock_registry;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use mock_registry::MockRegistry;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const ORDER_V1: &str = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}"#;

/// A test CA, the server's certificate for 127.0.0.1 / localhost and a client certificate, all signed by the CA.
struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server: (CertificateDer<'static>, Vec<u8>),
    client_pem: String,
    client_key_pem: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "schemaguard test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = |names: Vec<String>, cn: &str| {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(names).expect("params");
        params.distinguished_name.push(DnType::CommonName, cn);
        let cert = params.signed_by(&key, &issuer).expect("sign");
        (cert, key)
    };
    let (server, server_key) = leaf(
        vec!["127.0.0.1".to_string(), "localhost".to_string()],
        "registry",
    );
    let (client, client_key) = leaf(Vec::new(), "schemaguard-ci");
    Pki {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        server: (server.der().clone(), server_key.serialize_der()),
        client_pem: client.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The registry's TLS configuration; with `require_client_cert`, only clients with a certificate of the test CA.
fn server_config(pki: &Pki, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions");
    let builder = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone()).expect("ca root");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .expect("client verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server.1.clone()));
    Arc::new(
        builder
            .with_single_cert(vec![pki.server.0.clone()], key)
            .expect("server cert"),
    )
}

/// A repository whose `schemas/order.avsc` adds a field without default to the registered version 1: the check
/// fails (exit 1) when, and only when, it reached the registry.
fn repo(pki: &Pki, url: &str, registry_extra: &str) -> tempfile::TempDir {
    let dir = common::git_repo();
    common::write(dir.path(), "certs/ca.pem", &pki.ca_pem);
    common::write(dir.path(), "certs/client.pem", &pki.client_pem);
    common::write(dir.path(), "certs/client.key", &pki.client_key_pem);
    common::write(
        dir.path(),
        "schemaguard.toml",
        &format!("[registry]\nurl = \"{url}\"\n{registry_extra}"),
    );
    common::write(dir.path(), "schemas/order.avsc", ORDER_V2);
    dir
}

fn sg(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemaguard"));
    c.args(args)
        .current_dir(dir)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("SCHEMA_REGISTRY_BEARER_TOKEN")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run schemaguard")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn host(reg: &MockRegistry) -> String {
    reg.url.trim_start_matches("https://").to_string()
}

#[test]
fn ca_file_makes_an_https_registry_trusted() {
    let pki = pki();
    let reg = MockRegistry::start_tls(server_config(&pki, false));
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let dir = repo(&pki, &reg.url, "ca_file = \"certs/ca.pem\"\n");
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{t}");
    assert!(t.contains("registry:com.acme.Order@1"), "{t}");
    // plan and apply over the same connection settings.
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    assert!(
        text(&o).contains("INCOMPATIBLE under BACKWARD"),
        "{}",
        text(&o)
    );

    // Without the CA the server's certificate is not trusted: exit 2, the host named, the reason, and the fix.
    let dir = repo(&pki, &reg.url, "");
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(&host(&reg)), "{t}");
    assert!(t.contains("certificate"), "{t}");
    assert!(t.contains("ca_file"), "{t}");
    let o = sg(dir.path(), &["registry", "plan"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(&host(&reg)) && t.contains("ca_file"), "{t}");
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let pki = pki();
    let reg = MockRegistry::start_tls(server_config(&pki, true));
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    let with_cert = "ca_file = \"certs/ca.pem\"\nclient_cert = \"certs/client.pem\"\nclient_key = \"certs/client.key\"\n";
    let dir = repo(&pki, &reg.url, with_cert);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{t}");

    // No client certificate: the server refuses the connection; exit 2, host named, client_cert suggested.
    let dir = repo(&pki, &reg.url, "ca_file = \"certs/ca.pem\"\n");
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(&host(&reg)), "{t}");
    assert!(t.contains("client_cert"), "{t}");

    // A client certificate of another CA: refused, said so.
    let other = self::pki();
    let dir = repo(&pki, &reg.url, with_cert);
    common::write(dir.path(), "certs/client.pem", &other.client_pem);
    common::write(dir.path(), "certs/client.key", &other.client_key_pem);
    let o = sg(dir.path(), &["check", "--against-registry"], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(&host(&reg)), "{t}");
    assert!(t.contains("client certificate (`client_cert`)"), "{t}");
}

#[test]
fn unreadable_or_wrong_key_material_is_a_config_error() {
    let pki = pki();
    let reg = MockRegistry::start_tls(server_config(&pki, true));
    let cases = [
        (
            "ca_file = \"certs/ca.pem\"\nclient_cert = \"certs/client.pem\"\nclient_key = \"certs/missing.key\"\n",
            "certs/missing.key",
        ),
        (
            // A certificate where the key should be.
            "ca_file = \"certs/ca.pem\"\nclient_cert = \"certs/client.pem\"\nclient_key = \"certs/client.pem\"\n",
            "holds no PEM private key",
        ),
        (
            // A key where the certificate should be.
            "ca_file = \"certs/ca.pem\"\nclient_cert = \"certs/client.key\"\nclient_key = \"certs/client.key\"\n",
            "client_cert `",
        ),
        ("ca_file = \"certs/nope.pem\"\n", "certs/nope.pem"),
        (
            "ca_file = \"certs/client.key\"\n",
            "holds no PEM certificate",
        ),
        (
            "client_cert = \"certs/client.pem\"\n",
            "client_cert and client_key go together",
        ),
    ];
    for (extra, expected) in cases {
        let dir = repo(&pki, &reg.url, extra);
        for args in [
            &["check", "--against-registry"][..],
            &["registry", "plan"][..],
        ] {
            let o = sg(dir.path(), args, &[]);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{extra}: {t}");
            assert!(t.contains(expected), "{extra}: {t}");
        }
    }
    // Nothing reached the server: configuration errors are found before any request.
    assert!(reg.log().is_empty(), "{:?}", reg.log());
}

#[test]
fn secrets_stay_out_of_every_format_on_tls_errors() {
    let pki = pki();
    let reg = MockRegistry::start_tls(server_config(&pki, false));
    reg.add("com.acme.Order", ORDER_V1, None, vec![]);
    // Untrusted server (no ca_file): every request fails in the handshake, with credentials configured three ways.
    let in_url = reg.url.replace("https://", "https://key:s3cr3t-in-url@");
    let setups: [(String, Vec<(&str, &str)>); 3] = [
        (in_url, vec![]),
        (
            reg.url.clone(),
            vec![("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "key:s3cr3t-basic")],
        ),
        (
            reg.url.clone(),
            vec![("SCHEMA_REGISTRY_BEARER_TOKEN", "s3cr3t-bearer")],
        ),
    ];
    for (url, env) in &setups {
        let dir = repo(&pki, url, "");
        for format in [
            "text", "json", "sarif", "github", "junit", "gitlab", "markdown",
        ] {
            let o = sg(
                dir.path(),
                &["check", "--against-registry", "--format", format],
                env,
            );
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{format}: {t}");
            assert!(t.contains(&host(&reg)), "{format}: {t}");
            assert!(!t.contains("s3cr3t"), "{format}: {t}");
        }
        for args in [
            &["registry", "plan"][..],
            &["registry", "plan", "--format", "json"][..],
            &["registry", "apply"][..],
            &["registry", "pull", "--out", "snap"][..],
        ] {
            let o = sg(dir.path(), args, env);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
            assert!(!t.contains("s3cr3t"), "{args:?}: {t}");
        }
    }
}
