//! `schemaguard decode` / `encode` end to end: round trips (decode(encode(j)) == j as parsed JSON, and for Avro
//! encode(decode(b)) == b) over Avro and Protobuf fixtures, kcat `%R%s` streams with a tombstone, Confluent
//! framing, hex/base64 input, container files, and located errors for truncated or oversized input.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const ORDER: &str = r#"{"type":"record","name":"OrderPlaced","namespace":"acme","fields":[
  {"name":"id","type":"string"},
  {"name":"amount","type":"double"},
  {"name":"coupon","type":["null","string"],"default":null},
  {"name":"lines","type":{"type":"array","items":"long"}}]}"#;

const PROTO: &str = r#"syntax = "proto3";
package acme.v1;
message Other { string x = 1; }
message PaymentCaptured {
  string id = 1;
  int64 amount_minor = 2;
  repeated string tags = 3;
}
"#;

fn run(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("waits");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(t.path().join("schemas")).expect("mkdir");
    std::fs::write(t.path().join("schemas/order.avsc"), ORDER).expect("write");
    std::fs::create_dir_all(t.path().join("protos/acme/v1")).expect("mkdir");
    std::fs::write(t.path().join("protos/acme/v1/pay.proto"), PROTO).expect("write");
    t
}

fn lines(b: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(b)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn avro_round_trip_through_a_kcat_stream_with_a_tombstone() {
    let t = repo();
    let events = [
        json!({"id": "o-1", "amount": 12.5, "coupon": null, "lines": [1, 2]}),
        json!({"id": "o-2", "amount": 3.0, "coupon": {"string": "SAVE"}, "lines": []}),
    ];
    let jsonl: String = events.iter().map(|e| format!("{e}\n")).collect();
    let (code, stream, err) = run(
        t.path(),
        &[
            "encode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
        ],
        jsonl.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    // kcat writes a tombstone as length -1.
    let mut with_tomb = stream.clone();
    with_tomb.extend_from_slice(&(-1i32).to_be_bytes());
    let (code, out, err) = run(
        t.path(),
        &[
            "decode",
            "--schema",
            "schemas/order.avsc",
            "--framing",
            "length",
        ],
        &with_tomb,
    );
    assert_eq!(code, 0, "{err}");
    let got = lines(&out);
    assert_eq!(got[..2], events[..]);
    assert_eq!(got[2], Value::Null);
    // Plain JSON: the union is untagged.
    let (_, out, _) = run(
        t.path(),
        &[
            "decode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
            "--plain",
        ],
        &stream,
    );
    assert_eq!(lines(&out)[1]["coupon"], json!("SAVE"));

    // encode(decode(b)) == b, one record as hex.
    let first_len = u32::from_be_bytes([stream[0], stream[1], stream[2], stream[3]]) as usize;
    let bytes = &stream[4..4 + first_len];
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let (code, json_out, err) = run(
        t.path(),
        &["decode", "--subject", "acme.OrderPlaced", "--bytes", "hex"],
        hex.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, again, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        &json_out,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(again, bytes);
}

#[test]
fn avro_errors_name_the_offset_and_never_allocate_a_huge_prefix() {
    let t = repo();
    let (_, b, _) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        br#"{"id": "o-1", "amount": 1.0, "coupon": null, "lines": [5]}"#,
    );
    // Truncated datum.
    let (code, _, err) = run(
        t.path(),
        &["decode", "--subject", "acme.OrderPlaced"],
        &b[..b.len() - 3],
    );
    assert_eq!(code, 2);
    assert!(err.contains("record 1 (byte "), "{err}");
    // A 2 GB length prefix.
    let (code, _, err) = run(
        t.path(),
        &[
            "decode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
        ],
        &[0x7f, 0xff, 0xff, 0xff, 0],
    );
    assert_eq!(code, 2);
    assert!(err.contains("exceeds the maximum record size"), "{err}");
    // A string length inside the datum far beyond the record.
    let (code, _, err) = run(
        t.path(),
        &["decode", "--subject", "acme.OrderPlaced"],
        &[0xfe, 0xff, 0xff, 0xff, 0x0f],
    );
    assert_eq!(code, 2, "{err}");
    // Encoding a value that does not fit names where.
    let (code, _, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        br#"{"id": 5, "amount": 1.0, "coupon": null, "lines": []}"#,
    );
    assert_eq!(code, 2);
    assert!(err.contains("/id"), "{err}");
}

#[test]
fn avro_container_files_decode_without_a_schema() {
    let t = repo();
    let schema = schemaguard::codec::avro::AvroSchema::parse(ORDER).expect("schema");
    let v = schema
        .from_json(
            &json!({"id": "o-9", "amount": 1.5, "coupon": null, "lines": []}),
            schemaguard::codec::JsonEncoding::AvroJson,
        )
        .expect("value");
    let file =
        schemaguard::codec::avro::write_container(&schema, &[v.clone(), v]).expect("container");
    std::fs::write(t.path().join("orders.avro"), file).expect("write");
    let (code, out, err) = run(t.path(), &["decode", "orders.avro"], b"");
    assert_eq!(code, 0, "{err}");
    let got = lines(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["id"], json!("o-9"));
}

#[test]
fn protobuf_round_trip_with_confluent_framing() {
    let t = repo();
    let event = json!({"id": "p-1", "amountMinor": "1250", "tags": ["a", "b"]});
    let (code, framed, err) = run(
        t.path(),
        &[
            "encode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--confluent-id",
            "42",
            "--bytes",
            "base64",
        ],
        event.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(String::from_utf8_lossy(&framed).trim())
        .expect("base64");
    // magic 0, id 42, message indexes [1] (count 1 → 2, index 1 → 2), then the message.
    assert_eq!(&raw[..7], &[0, 0, 0, 0, 42, 2, 2]);
    let (code, out, err) = run(
        t.path(),
        &[
            "decode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--confluent",
            "--bytes",
            "base64",
        ],
        &framed,
    );
    assert_eq!(code, 0, "{err}");
    let got: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(got, event);
    // Wrong magic byte: a clear error.
    let (code, _, err) = run(
        t.path(),
        &[
            "decode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--confluent",
        ],
        &[1, 0, 0, 0, 42, 0],
    );
    assert_eq!(code, 2);
    assert!(err.contains("magic byte 1"), "{err}");
}
