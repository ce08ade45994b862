//! `schemaguard catalog` end to end: a fixture repository built in a temp git repo (three commits, the last one
//! breaking), the generated HTML and Markdown checked for what a reader needs (owner, fields, PII, examples,
//! consumers, references both ways, the history with the breaking change), and the HTML opened in headless
//! Chromium from `file://` through chromedriver: screenshots, search filtering, every internal link resolving.
//! With `CI=true` a missing browser fails the test instead of skipping it.

mod common;
use common::{git, write};

use std::io::{Read, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CUSTOMER: &str = r#"{
  "type": "record",
  "name": "Customer",
  "namespace": "acme",
  "doc": "A person who buys from the shop.",
  "fields": [
    {"name": "id", "type": "string", "doc": "Customer id."},
    {"name": "email", "type": "string", "doc": "Where receipts go.", "confluent:tags": ["PII"]},
    {"name": "name", "type": "string"}
  ]
}
"#;

const ORDER_V1: &str = r#"{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "acme",
  "doc": "An order was placed by a customer.",
  "fields": [
    {"name": "id", "type": "string", "doc": "Order id."},
    {"name": "customer", "type": "acme.Customer"},
    {"name": "amount", "type": "double", "doc": "Total to pay."},
    {"name": "currency", "type": "string", "default": "EUR"}
  ]
}
"#;

/// v1 plus an optional coupon: compatible.
const ORDER_V2: &str = r#"{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "acme",
  "doc": "An order was placed by a customer.",
  "fields": [
    {"name": "id", "type": "string", "doc": "Order id."},
    {"name": "customer", "type": "acme.Customer"},
    {"name": "amount", "type": "double", "doc": "Total to pay."},
    {"name": "currency", "type": "string", "default": "EUR"},
    {"name": "coupon", "type": ["null", "string"], "default": null}
  ]
}
"#;

/// v2 with `amount` as a string: a double written before cannot be read as a string (BACKWARD breaks).
const ORDER_V3: &str = r#"{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "acme",
  "doc": "An order was placed by a customer.",
  "fields": [
    {"name": "id", "type": "string", "doc": "Order id."},
    {"name": "customer", "type": "acme.Customer"},
    {"name": "amount", "type": "string", "doc": "Total to pay, as a decimal string."},
    {"name": "currency", "type": "string", "default": "EUR"},
    {"name": "coupon", "type": ["null", "string"], "default": null}
  ]
}
"#;

const PAYMENT: &str = r#"syntax = "proto3";

// Payments of the shop.
package acme.payments.v1;

// A payment was captured.
message PaymentCaptured {
  // Payment id.
  string id = 1;
  // Card holder.
  string holder = 2 [(confluent.field_meta) = { tags: ["PII"] }];
  int64 amount_minor = 3;
}
"#;

const REFUND: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "RefundIssued",
  "description": "Money went back to a customer.",
  "type": "object",
  "required": ["id"],
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "reason": {"type": "string", "enum": ["damaged", "late"]}
  }
}
"#;

/// Commits with fixed dates, so pages are the same on every run.
fn commit_at(dir: &Path, msg: &str, date: &str) {
    git(dir, &["add", "-A"]);
    let out = Command::new("git")
        .current_dir(dir)
        .args(["commit", "-q", "-m", msg])
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fixture repository: Avro, Protobuf and JSON Schema subjects, a sidecar with owner and tag globs,
/// an example, two consumer contracts, and three commits of `acme.OrderPlaced` (added, compatible, breaking).
fn fixture_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "schemas/customer.avsc", CUSTOMER);
    write(
        dir,
        "schemas/customer.avsc.contract.yaml",
        "metadata:\n  properties:\n    owner: crm-team\n    email: crm@acme.example\n  tags:\n    \"**.name\": [PII, GDPR]\n",
    );
    write(dir, "schemas/order.avsc", ORDER_V1);
    write(
        dir,
        "schemas/order.avsc.contract.yaml",
        "metadata:\n  properties:\n    owner: orders-team\n    slo: 99.9%\n",
    );
    write(dir, "protos/acme/payments/v1/payment.proto", PAYMENT);
    write(dir, "schemas/refund.schema.json", REFUND);
    write(
        dir,
        "examples/acme.OrderPlaced/placed.json",
        r#"{"id": "o-1", "customer": {"id": "c-1", "email": "a@example.com", "name": "Ada"}, "amount": 12.5, "currency": "EUR"}"#,
    );
    write(
        dir,
        "contracts/billing/acme.OrderPlaced.yaml",
        "reads:\n  - {path: amount, type: double, required: true}\n  - {path: currency, type: string}\n",
    );
    write(
        dir,
        "contracts/ledger/acme.payments.v1.PaymentCaptured.yaml",
        "reads:\n  - {path: amount_minor, type: long, required: true}\n",
    );
    commit_at(dir, "Add the shop's events", "2026-01-10T09:00:00Z");
    write(dir, "schemas/order.avsc", ORDER_V2);
    commit_at(dir, "OrderPlaced: optional coupon", "2026-02-01T10:30:00Z");
    write(dir, "schemas/order.avsc", ORDER_V3);
    commit_at(
        dir,
        "OrderPlaced: amount as a decimal string",
        "2026-03-01T12:00:00Z",
    );
}

fn schemaguard(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("schemaguard runs")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| {
        let siblings: Vec<String> = p
            .parent()
            .and_then(|d| std::fs::read_dir(d).ok())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        panic!("{}: {e}; the folder holds {siblings:?}", p.display())
    })
}

#[test]
fn catalog_html_shows_owner_fields_examples_consumers_references_history() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    fixture_repo(repo);
    let out = schemaguard(repo, &["catalog", "--out", "site"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4 subjects, 5 pages"), "{stdout}");

    let index = read(&repo.join("site/index.html"));
    for name in [
        "acme.Customer",
        "acme.OrderPlaced",
        "protos/acme/payments/v1/payment.proto",
        "schemas/refund.schema.json",
    ] {
        assert!(index.contains(name), "index lists {name}");
    }
    assert!(!index.contains("http://") && !index.contains("https://") || !index.contains("<link"));
    assert!(
        index.contains("id=\"search-index\""),
        "search index is inline"
    );
    // The search matches field types and tags, inline or from the sidecar's `metadata.tags` globs (README:
    // "subject, field, type, owner, tag, consumer and file path"); found missing in a new user's trial.
    let json = index
        .split("<script id=\"search-index\" type=\"application/json\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .unwrap_or("");
    let entries: serde_json::Value = serde_json::from_str(json).expect("search index JSON");
    let text_of = |slug: &str| -> String {
        entries
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["slug"] == slug)
            .and_then(|e| e["text"].as_str())
            .unwrap_or("")
            .to_string()
    };
    let customer = text_of("acme.Customer");
    for word in ["crm-team", "pii", "gdpr", "string", "name"] {
        assert!(
            customer.split(' ').any(|w| w == word),
            "`{word}` in {customer}"
        );
    }
    assert!(text_of("acme.OrderPlaced").contains("null | string"));
    // One style sheet for the site, linked from every page (not inlined into each).
    let css = read(&repo.join("site/style.css"));
    assert!(css.contains("font-family"), "{css}");
    assert!(
        index.contains("<link rel=\"stylesheet\" href=\"style.css\">")
            && !index.contains("<style>")
    );

    let order = read(&repo.join("site/subjects/acme.OrderPlaced.html"));
    assert!(order.contains("orders-team"), "owner from the sidecar");
    assert!(order.contains("99.9%"), "sidecar properties");
    assert!(order.contains("An order was placed by a customer."));
    assert!(
        order.contains("Total to pay, as a decimal string."),
        "field doc"
    );
    assert!(order.contains("null | string"), "union type");
    assert!(order.contains("examples/acme.OrderPlaced/placed.json"));
    assert!(
        order.contains("&quot;o-1&quot;"),
        "example pretty-printed and escaped"
    );
    assert!(order.contains("billing") && order.contains("amount: double (required)"));
    assert!(
        order.contains("href=\"acme.Customer.html\""),
        "uses Customer"
    );
    // History: newest first, the breaking change with its finding, then compatible, then added.
    let breaking = order
        .find("badge verdict bad\">breaking")
        .expect("breaking version");
    let compatible = order
        .find("badge verdict ok\">compatible")
        .expect("compatible version");
    let added = order
        .find("badge verdict added\">added")
        .expect("added version");
    assert!(breaking < compatible && compatible < added);
    assert!(
        order.contains("TYPE_MISMATCH"),
        "the finding the change produced"
    );
    assert!(order.contains("OrderPlaced: amount as a decimal string"));
    assert!(order.contains("2026-03-01 12:00 UTC") && order.contains("Ada Lovelace"));

    let customer = read(&repo.join("site/subjects/acme.Customer.html"));
    assert!(
        customer.contains("<link rel=\"stylesheet\" href=\"../style.css\">")
            && !customer.contains("<style>")
    );
    assert!(customer.contains("crm-team"));
    assert!(
        customer.contains("href=\"acme.OrderPlaced.html\""),
        "used by OrderPlaced"
    );
    // PII: inline tag (email) and sidecar glob (name).
    assert!(customer.contains("<code>Customer.email</code>, <code>Customer.name</code>"));

    let payment = read(&repo.join("site/subjects/protos_acme_payments_v1_payment.proto.html"));
    assert!(payment.contains("A payment was captured."));
    assert!(payment.contains("Card holder."));
    assert!(
        payment.contains("PaymentCaptured.holder"),
        "PII from field_meta tags"
    );
    assert!(payment.contains("ledger"), "consumer by message name");

    let refund = read(&repo.join("site/subjects/schemas_refund.schema.json.html"));
    assert!(refund.contains("string (uuid)") && refund.contains("required"));
}

#[test]
fn catalog_markdown_and_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    fixture_repo(repo);
    let out = schemaguard(
        repo,
        &["catalog", "--out", "docs/events", "--format", "markdown"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = read(&repo.join("docs/events/index.md"));
    assert!(
        index.contains("| [acme.OrderPlaced](subjects/acme.OrderPlaced.md) | avro | orders-team |")
    );
    let order = read(&repo.join("docs/events/subjects/acme.OrderPlaced.md"));
    assert!(order.contains("- **breaking** `"));
    assert!(order.contains("`TYPE_MISMATCH` (error)"));
    assert!(order.contains("[acme.Customer](acme.Customer.md)"));

    // A broken schema is shown with its problem; the catalog is still written.
    write(repo, "schemas/order.avsc", "{ not json");
    let out = schemaguard(repo, &["catalog", "--out", "site"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Outside a repository: exit 2 with a message.
    let plain = tempfile::tempdir().expect("tempdir");
    let out = schemaguard(plain.path(), &["catalog"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

/// A change to a file that a subject references (an Avro named type in another file, a Protobuf import) is a
/// version of the subject that references it, compared under its mode: its effective schema changed.
#[test]
fn catalog_history_of_a_subject_shows_changes_of_what_it_references() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, "schemas/customer.avsc", CUSTOMER);
    write(repo, "schemas/order.avsc", ORDER_V1);
    write(
        repo,
        "protos/shop/v1/money.proto",
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Money { int64 units = 1; }\n",
    );
    write(
        repo,
        "protos/shop/v1/price.proto",
        "syntax = \"proto3\";\npackage shop.v1;\nimport \"protos/shop/v1/money.proto\";\nmessage Price { Money amount = 1; }\n",
    );
    commit_at(repo, "Orders and prices", "2026-01-10T09:00:00Z");
    // Customer gains a field without a default: data written before has no value for it, so a reader of the new
    // OrderPlaced (which embeds Customer) cannot read old orders (BACKWARD).
    write(
        repo,
        "schemas/customer.avsc",
        &CUSTOMER.replace(
            r#"{"name": "name", "type": "string"}"#,
            r#"{"name": "name", "type": "string"}, {"name": "phone", "type": "string"}"#,
        ),
    );
    write(
        repo,
        "protos/shop/v1/money.proto",
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Money { int64 units = 1; string currency = 2; }\n",
    );
    commit_at(
        repo,
        "Customer phone, Money currency",
        "2026-01-11T09:00:00Z",
    );
    let out = schemaguard(repo, &["catalog", "--out", "site", "--format", "markdown"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history = |page: &str| -> Vec<String> {
        let text = read(&repo.join("site/subjects").join(page));
        let at = text.find("## History").expect("history section");
        text[at..]
            .lines()
            .filter(|l| l.starts_with("- **"))
            .map(str::to_string)
            .collect()
    };
    let order = history("acme.OrderPlaced.md");
    assert_eq!(order.len(), 2, "{order:?}");
    assert!(
        order[0].starts_with("- **breaking**")
            && order[0].contains("Customer phone, Money currency"),
        "{order:?}"
    );
    assert!(order[1].starts_with("- **added**"), "{order:?}");
    let customer = history("acme.Customer.md");
    assert!(customer[0].starts_with("- **breaking**"), "{customer:?}");
    let price = history("protos_shop_v1_price.proto.md");
    assert_eq!(price.len(), 2, "{price:?}");
    assert!(
        price[0].starts_with("- **compatible**")
            && price[0].contains("Customer phone, Money currency"),
        "{price:?}"
    );
}

/// Include directories (`[protobuf] include`, `[jsonschema] include`, `--include`) resolve imports and `$ref`s in
/// the catalog as in `check`, at each revision of the history, and their files are never subjects.
#[test]
fn catalog_reads_include_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let ext = tmp.path().join("ext");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    write(
        &repo,
        "schemaguard.toml",
        "[protobuf]\ninclude = [\"third_party/protos\"]\n\n[jsonschema]\ninclude = [\"shared/json\"]\n",
    );
    write(
        &repo,
        "third_party/protos/vendor/money.proto",
        "syntax = \"proto3\";\npackage vendor;\nmessage Money { int64 units = 1; string currency = 2; }\n",
    );
    write(
        &ext,
        "units/weight.proto",
        "syntax = \"proto3\";\npackage units;\nmessage Weight { int64 grams = 1; }\n",
    );
    let price = |extra: &str| {
        format!(
            "syntax = \"proto3\";\npackage shop.v1;\nimport \"vendor/money.proto\";\nimport \"units/weight.proto\";\nmessage Price {{\n  vendor.Money amount = 1;\n  units.Weight weight = 2;\n{extra}}}\n"
        )
    };
    write(&repo, "protos/shop/v1/price.proto", &price(""));
    write(
        &repo,
        "shared/json/address.json",
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://acme.example/address.json", "type": "object", "properties": {"city": {"type": "string"}}}"#,
    );
    write(
        &repo,
        "schemas/shipment.schema.json",
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Shipment", "type": "object", "properties": {"to": {"$ref": "https://acme.example/address.json"}}}"#,
    );
    commit_at(&repo, "Prices and shipments", "2026-01-10T09:00:00Z");
    write(
        &repo,
        "protos/shop/v1/price.proto",
        &price("  string note = 3;\n"),
    );
    commit_at(&repo, "Price: a note", "2026-01-11T09:00:00Z");

    let out = schemaguard(
        &repo,
        &[
            "catalog",
            "--out",
            "site",
            "--format",
            "markdown",
            "--include",
            "../ext",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 subjects"),
        "only the two schemas outside include directories: {stdout}"
    );
    let index = read(&repo.join("site/index.md"));
    assert!(index.contains("protos/shop/v1/price.proto"), "{index}");
    assert!(index.contains("schemas/shipment.schema.json"), "{index}");
    assert!(
        !index.contains("money.proto") && !index.contains("address.json"),
        "{index}"
    );
    for page in [
        "site/subjects/protos_shop_v1_price.proto.md",
        "site/subjects/schemas_shipment.schema.json.md",
    ] {
        let text = read(&repo.join(page));
        for bad in ["parse_error", "unresolved", "not found", "does not load"] {
            assert!(
                !text.to_lowercase().contains(bad),
                "{page} says {bad}:\n{text}"
            );
        }
    }
    // The second commit is compared with the first (both resolve their imports): a compatible change.
    let price_page = read(&repo.join("site/subjects/protos_shop_v1_price.proto.md"));
    assert!(price_page.contains("**compatible**"), "{price_page}");

    // Without the outside directory, the import is unresolved: the page says so.
    let out = schemaguard(
        &repo,
        &["catalog", "--out", "site2", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(0));
    let price_page = read(&repo.join("site2/subjects/protos_shop_v1_price.proto.md"));
    assert!(price_page.contains("units/weight.proto"), "{price_page}");
    // An include directory that does not exist is a usage error, as for `check`.
    let out = schemaguard(&repo, &["catalog", "--include", "../nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("include directory `../nowhere` does not exist"));
}

// ---- headless Chromium through chromedriver (WebDriver over plain HTTP on 127.0.0.1) ----

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// chromedriver, stopped (by its own pid) when dropped.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to chromedriver; the JSON body of the answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    // chromedriver may keep the connection open: read the header, then exactly Content-Length bytes (or chunks).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).expect("read answer");
        assert!(
            n > 0,
            "{method} {path}: connection closed before the header ended"
        );
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    if let Some(len) = length {
        while payload.len() < len {
            let n = s.read(&mut buf).expect("read body");
            assert!(n > 0, "{method} {path}: body cut short");
            payload.extend_from_slice(&buf[..n]);
        }
        payload.truncate(len);
    } else if head.contains("transfer-encoding: chunked") {
        // Read until the terminating zero-size chunk, then decode.
        while !payload.ends_with(b"0\r\n\r\n") {
            let n = s.read(&mut buf).expect("read chunks");
            if n == 0 {
                break;
            }
            payload.extend_from_slice(&buf[..n]);
        }
        let mut out = Vec::new();
        let mut rest = payload.as_slice();
        loop {
            let nl = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("chunk size");
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16)
                .expect("hex size");
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[nl + 2 + size + 2..];
        }
        payload = out;
    } else {
        s.read_to_end(&mut payload).expect("read to the end");
    }
    serde_json::from_slice(&payload).unwrap_or_else(|e| {
        panic!(
            "{method} {path}: {e}: {}",
            String::from_utf8_lossy(&payload)
        )
    })
}

struct Session {
    port: u16,
    id: String,
}

impl Session {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        );
        if let Some(err) = v["value"].get("error") {
            panic!("{method} {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }
    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }
    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }
    fn screenshot(&self, to: &Path) {
        use base64::Engine as _;
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64 string"))
            .expect("valid base64");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(to, png).expect("write screenshot");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

fn start_browser() -> Option<(Driver, Session)> {
    let driver = which(&["chromedriver"]);
    let chrome = which(&["chromium", "chromium-browser", "google-chrome"]);
    let (Some(driver), Some(chrome)) = (driver, chrome) else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "CI=true: chromium and chromedriver must be installed (.ci/run installs them with apt-get)"
        );
        eprintln!("skipping the browser test: chromium or chromedriver not found");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(driver)
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver { child };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/status", None)["value"]["ready"] == json!(true)
        {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome.to_string_lossy(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--window-size=1280,1000", "--hide-scrollbars"]
        }
    }}});
    let v = http(port, "POST", "/session", Some(&caps));
    let id = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    Some((d, Session { port, id }))
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn catalog_in_headless_chromium() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    fixture_repo(repo);
    let out = schemaguard(
        repo,
        &["catalog", "--out", "site", "--title", "Acme shop events"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some((_driver, s)) = start_browser() else {
        return;
    };
    let site = repo.join("site").canonicalize().expect("site exists");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("catalog-screenshots");
    std::fs::create_dir_all(&shots).expect("mkdir");

    // The index opens from disk, lists every subject, and its screenshot is taken.
    s.goto(&file_url(&site.join("index.html")));
    assert_eq!(s.js("return document.title"), json!("Acme shop events"));
    let visible = "return Array.from(document.querySelectorAll('#subjects > li')).filter(li => !li.hidden).map(li => li.dataset.slug)";
    assert_eq!(s.js(visible).as_array().map(Vec::len), Some(4));
    assert_eq!(
        s.js("return document.getElementById('count').textContent"),
        json!("4 of 4")
    );
    // The shared style sheet is applied from disk (body margin 0, the page background #f7f8fa).
    assert_eq!(
        s.js("return getComputedStyle(document.documentElement).backgroundColor"),
        json!("rgb(247, 248, 250)")
    );
    s.screenshot(&shots.join("index.png"));

    // Typing in the search box filters the list (an owner, then a field name, then nothing).
    let search = s.cmd(
        "POST",
        "/element",
        Some(json!({"using": "css selector", "value": "#search"})),
    );
    let eid = search
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .expect("element id")
        .to_string();
    s.cmd(
        "POST",
        &format!("/element/{eid}/value"),
        Some(json!({"text": "crm-team"})),
    );
    assert_eq!(s.js(visible), json!(["acme.Customer"]));
    assert_eq!(
        s.js("return document.getElementById('count').textContent"),
        json!("1 of 4")
    );
    s.screenshot(&shots.join("search.png"));
    s.cmd("POST", &format!("/element/{eid}/clear"), Some(json!({})));
    s.cmd(
        "POST",
        &format!("/element/{eid}/value"),
        Some(json!({"text": "holder"})),
    );
    assert_eq!(
        s.js(visible),
        json!(["protos_acme_payments_v1_payment.proto"])
    );
    s.cmd(
        "POST",
        &format!("/element/{eid}/value"),
        Some(json!({"text": " zzz-nothing"})),
    );
    assert_eq!(s.js(visible), json!([]));
    assert_eq!(
        s.js("return document.getElementById('empty').hidden"),
        json!(false)
    );

    // Every internal link of every page resolves: the target is a catalog page, and its fragment an element.
    let mut pages = vec![site.join("index.html")];
    for e in std::fs::read_dir(site.join("subjects")).expect("subjects dir") {
        pages.push(e.expect("entry").path());
    }
    pages.sort();
    let mut checked = 0;
    for page in &pages {
        s.goto(&file_url(page));
        let links =
            s.js("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)");
        for link in links.as_array().expect("links") {
            let link = link.as_str().expect("href");
            assert!(
                link.starts_with("file://"),
                "{}: external link {link}",
                page.display()
            );
            let (target, frag) = match link.split_once('#') {
                Some((t, f)) => (t, Some(f)),
                None => (link, None),
            };
            let path = PathBuf::from(target.trim_start_matches("file://"));
            assert!(path.is_file(), "{}: broken link {link}", page.display());
            if let Some(frag) = frag {
                s.goto(link);
                let found = s.js(&format!(
                    "return document.getElementById({}) !== null",
                    json!(frag)
                ));
                assert_eq!(found, json!(true), "{}: no element #{frag}", page.display());
                s.goto(&file_url(page));
            } else {
                s.goto(link);
                let ok = s.js("return document.querySelector('meta[name=generator]') !== null");
                assert_eq!(
                    ok,
                    json!(true),
                    "{}: {link} is not a catalog page",
                    page.display()
                );
                s.goto(&file_url(page));
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links");

    // The subject page shows owner, consumers, and the breaking change in its history.
    s.goto(&file_url(&site.join("subjects/acme.OrderPlaced.html")));
    assert_eq!(
        s.js("return document.getElementById('subject-name').textContent"),
        json!("acme.OrderPlaced")
    );
    let facts = s.js("return document.querySelector('.facts').innerText");
    assert!(
        facts.as_str().is_some_and(|t| t.contains("orders-team")),
        "{facts}"
    );
    let consumers = s.js("return document.querySelector('.consumers').innerText");
    assert!(
        consumers.as_str().is_some_and(|t| t.contains("billing")),
        "{consumers}"
    );
    let bad = s.js("let v = document.querySelector('.timeline .version.is-bad'); return v ? v.innerText : null");
    let bad = bad.as_str().expect("a breaking version");
    assert!(
        bad.contains("breaking") && bad.contains("TYPE_MISMATCH"),
        "{bad}"
    );
    assert!(bad.contains("amount as a decimal string"), "{bad}");
    assert_eq!(
        s.js("return getComputedStyle(document.documentElement).backgroundColor"),
        json!("rgb(247, 248, 250)"),
        "subject pages use ../style.css"
    );
    s.screenshot(&shots.join("subject.png"));
    s.js("document.getElementById('history').scrollIntoView()");
    s.screenshot(&shots.join("history.png"));
}

/// The index describes a Protobuf subject by its first message's leading comment when the file has no package
/// comment (the subject page showed it, the index card and the Markdown index row were empty; found in a new
/// user's trial), and a long file path breaks after a `/`, not inside a name.
#[test]
fn catalog_index_describes_a_proto_subject_by_its_message_doc() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    common::git(repo, &["init", "-q", "-b", "main"]);
    common::write(
        repo,
        "protos/acme/chargebacks/v1/chargeback_opened.proto",
        "syntax = \"proto3\";\npackage acme.chargebacks.v1;\n\n// A chargeback was opened by the card issuer.\nmessage ChargebackOpened {\n  string id = 1;\n}\n",
    );
    common::commit_all(repo, "v1");
    let out = schemaguard(repo, &["catalog", "--out", "site"]);
    assert_eq!(out.status.code(), Some(0));
    let index = read(&repo.join("site/index.html"));
    assert!(
        index.contains("A chargeback was opened by the card issuer."),
        "{index}"
    );
    let page = std::fs::read_dir(repo.join("site/subjects"))
        .expect("subjects")
        .flatten()
        .map(|e| read(&e.path()))
        .next()
        .unwrap_or_default();
    assert!(
        page.contains("protos/<wbr>acme/<wbr>chargebacks/<wbr>v1/<wbr>chargeback_opened.proto"),
        "{page}"
    );
    let out = schemaguard(repo, &["catalog", "--out", "md", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = read(&repo.join("md/index.md"));
    assert!(
        md.contains("A chargeback was opened by the card issuer."),
        "{md}"
    );
}
