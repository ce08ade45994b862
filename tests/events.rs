//! `schemaguard decode` / `encode` end to end: round trips (decode(encode(j)) == j as parsed JSON, and for Avro
//! encode(decode(b)) == b) over Avro and Protobuf fixtures, kcat `%R%s` streams with a tombstone, Confluent
//! framing, hex/base64 input, container files, and located errors for truncated or oversized input.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

#[path = "support/mock_registry.rs"]
mod mock_registry;
use mock_registry::MockRegistry;

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
    run_env(dir, args, stdin, &[])
}

fn run_env(
    dir: &Path,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(dir)
        .args(args)
        .env_remove("SCHEMA_REGISTRY_URL")
        .env_remove("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO")
        .env_remove("SCHEMA_REGISTRY_BEARER_TOKEN")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // A run that fails before reading all of its input (a usage error) closes the pipe: not a test failure.
    if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
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

/// Trial defect 5: decode read its whole input before printing anything, so a tailing `kcat -C` (no `-e`) never
/// showed a record and a bad record lost every good one before it. Through a pipe that stays open: the first
/// record's JSON line arrives while the input is still open; then a truncated record ends the run with exit 2, after
/// the good records' lines.
#[test]
fn decode_streams_each_record_while_the_input_stays_open() {
    use std::io::BufRead as _;
    let t = repo();
    let event = json!({"id": "o-1", "amount": 1.5, "coupon": null, "lines": [5]});
    let (code, b, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        event.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    let mut framed = (b.len() as i32).to_be_bytes().to_vec();
    framed.extend_from_slice(&b);
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .current_dir(t.path())
        .args([
            "decode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    stdin.write_all(&framed).expect("write");
    stdin.flush().expect("flush");
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the first record is printed while the input is still open");
    assert_eq!(serde_json::from_str::<Value>(&first).expect("json"), event);
    // A second good record, then one cut short: both good ones are out before the error.
    stdin.write_all(&framed).expect("write");
    stdin.write_all(&framed[..framed.len() - 2]).expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("waits");
    reader.join().expect("reader");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&rest[0]).expect("json"),
        event
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "record 3 (byte {}): truncated record: the prefix says {} bytes, {} remain",
            2 * framed.len(),
            b.len(),
            b.len() - 2
        )),
        "{err}"
    );
}

/// Trial defect 3 and item 15: a consumer's reader schema under `contracts/<consumer>/` (a copy of the subject) made
/// `decode`/`encode --subject` fail ("two named schema defined for same fullname", no file named), although such
/// files are never schemas of the repository; and `--subject` searched from the current directory, so a run from
/// `examples/` found nothing. Both commands now read the repository's schemas from its root.
#[test]
fn subject_lookup_skips_consumer_reader_schemas_and_starts_at_the_repository_root() {
    let t = repo();
    std::fs::write(t.path().join("schemaguard.toml"), "").expect("write");
    std::fs::create_dir_all(t.path().join("contracts/billing")).expect("mkdir");
    std::fs::write(
        t.path().join("contracts/billing/acme.OrderPlaced.avsc"),
        ORDER,
    )
    .expect("write");
    let examples = t.path().join("examples/acme.OrderPlaced");
    std::fs::create_dir_all(&examples).expect("mkdir");
    let event = json!({"id": "o-2", "amount": 2.5, "coupon": {"string": "X"}, "lines": [1, 2]});
    for dir in [t.path(), examples.as_path()] {
        let (code, b, err) = run(
            dir,
            &["encode", "--subject", "acme.OrderPlaced"],
            event.to_string().as_bytes(),
        );
        assert_eq!(code, 0, "{}: {err}", dir.display());
        let (code, out, err) = run(dir, &["decode", "--subject", "acme.OrderPlaced"], &b);
        assert_eq!(code, 0, "{}: {err}", dir.display());
        assert_eq!(serde_json::from_slice::<Value>(&out).expect("json"), event);
    }
}

/// Trial defect 10 (encode): a JSON record's error said "(byte 0)" and, for Protobuf, named no field
/// ("invalid digit found in string"); an Avro record in the other JSON form did not say which flag reads it. Errors
/// are at the value's line and column in the input, name the field, and suggest `--plain` (or dropping it).
#[test]
fn encode_errors_are_at_line_and_column_name_the_field_and_suggest_the_json_form() {
    let t = repo();
    let input =
        "{\"id\": \"p-1\", \"amountMinor\": \"1\"}\n{\"id\": \"p-2\",\n \"amountMinor\": \"zz\"}\n";
    // Two lines are not one document: JSON lines, the second record broken on its own first line.
    let (code, _, err) = run(
        t.path(),
        &[
            "encode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--framing",
            "length",
        ],
        b"{\"id\": \"p-1\"}\n{\"id\": \"p-2\", \"amountMinor\": \"zz\"}\n",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("<stdin>:2:30: record 2: invalid digit found in string (field `amount_minor`) at `/amountMinor`"),
        "{err}"
    );
    // One document over two lines: the value's own line.
    let one = input.lines().skip(1).collect::<Vec<_>>().join("\n");
    let (code, _, err) = run(
        t.path(),
        &["encode", "--message", "acme.v1.PaymentCaptured"],
        one.as_bytes(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:2:17: record 1:"), "{err}");
    // A one-character value names its field; an unknown member is shown at its key.
    let (code, _, err) = run(
        t.path(),
        &["encode", "--message", "acme.v1.PaymentCaptured"],
        br#"{"tags": ["a"], "id": 1}"#,
    );
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:1:23: record 1: invalid type: integer `1`, expected a string (field `id`) at `/id`"), "{err}");
    let (code, _, err) = run(
        t.path(),
        &["encode", "--message", "acme.v1.PaymentCaptured"],
        br#"{"id": "p", "nope": 1}"#,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("<stdin>:1:13: record 1: unrecognized field name 'nope'"),
        "{err}"
    );
    assert!(err.contains("at `/nope`"), "{err}");
    // Without --plain, encode takes either Avro JSON form, as the contract tests' examples do; --plain refuses a
    // tagged union and says so.
    let plain = br#"{"id": "o-1", "amount": 1.5, "coupon": "C", "lines": []}"#;
    let (code, as_plain, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        plain,
    );
    assert_eq!(code, 0, "{err}");
    let tagged_in = br#"{"id": "o-1", "amount": 1.5, "coupon": {"string": "C"}, "lines": []}"#;
    let (code, as_tagged, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        tagged_in,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(as_plain, as_tagged);
    let tagged = br#"{"id": "o-1", "amount": 1.5, "coupon": {"string": "C"}, "lines": []}"#;
    let (code, _, err) = run(
        t.path(),
        &["encode", "--plain", "--subject", "acme.OrderPlaced"],
        tagged,
    );
    assert_eq!(code, 2);
    assert!(err.contains("drop --plain"), "{err}");
    let (code, _, err) = run(
        t.path(),
        &["encode", "--plain", "--subject", "acme.OrderPlaced"],
        plain,
    );
    assert_eq!(code, 0, "{err}");
}

/// Trial defects 11 and 12: a container file cut after its magic bytes was "not an Avro object container file",
/// and a huge array block count leaked apache-avro's `max_allocation_bytes` advice without the field. A cut file
/// says it is truncated and where; a block count whose items cannot fit names the field.
#[test]
fn truncated_container_files_and_huge_block_counts_say_what_they_are() {
    let t = repo();
    let schema = schemaguard::codec::avro::AvroSchema::parse(ORDER).expect("schema");
    let v = schema
        .from_json(
            &json!({"id": "o-9", "amount": 1.5, "coupon": null, "lines": [1, 2, 3]}),
            schemaguard::codec::JsonEncoding::AvroJson,
        )
        .expect("value");
    let file =
        schemaguard::codec::avro::write_container(&schema, &[v.clone(), v]).expect("container");
    // Cut inside the header (its schema), then inside the data block.
    for (cut, inside) in [
        (40, "inside its header"),
        (file.len() - 20, "inside the data block holding record 1"),
    ] {
        std::fs::write(t.path().join("cut.avro"), &file[..cut]).expect("write");
        let (code, out, err) = run(t.path(), &["decode", "cut.avro"], b"");
        assert_eq!(code, 2, "{}", String::from_utf8_lossy(&out));
        assert!(
            err.contains(&format!(
                "the Avro object container file is truncated: it ends after {cut} bytes, {inside}"
            )),
            "{err}"
        );
        assert!(!err.contains("not an Avro object container file"), "{err}");
    }
    // Not a container file at all: still said so.
    std::fs::write(t.path().join("no.avro"), b"Obj").expect("write");
    let (code, _, err) = run(
        t.path(),
        &["decode", "no.avro", "--subject", "acme.OrderPlaced"],
        b"",
    );
    assert_eq!(code, 2);
    assert!(!err.contains("truncated: it ends"), "{err}");
    // `lines` (longs, a byte each at least) with a block of 2^40 items.
    let mut b = vec![0x06, b'o', b'-', b'1'];
    b.extend_from_slice(&1.5f64.to_le_bytes());
    b.push(0x00);
    b.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x02]);
    let (code, _, err) = run(t.path(), &["decode", "--subject", "acme.OrderPlaced"], &b);
    assert_eq!(code, 2);
    assert!(
        err.contains("record 1 (byte 13): cannot decode: a block of 1099511627776 items, but only 1 byte is left (field `lines`)"),
        "{err}"
    );
    assert!(!err.contains("max_allocation_bytes"), "{err}");
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
    // The array `lines` begins after id (4 bytes), amount (8) and coupon's branch (1): its block count is cut off.
    assert!(err.contains("record 1 (byte 13)"), "{err}");
    assert!(
        err.contains("the input ends inside a number (field `lines`)"),
        "{err}"
    );
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
    assert!(err.contains("record 1 (byte 0)"), "{err}");
    assert!(err.contains("needed, 0 left (field `id`)"), "{err}");
    // A union branch that does not exist.
    let mut bad = b[..13].to_vec();
    bad[12] = 0x08;
    let (code, _, err) = run(t.path(), &["decode", "--subject", "acme.OrderPlaced"], &bad);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("record 1 (byte 12): cannot decode: union branch 4 is out of range: the union has 2 branches (field `coupon`)"),
        "{err}"
    );
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
    // Truncated: `id` = "p-1", then `amount_minor`'s varint cut off. The error names the field and its byte.
    let (code, _, err) = run(
        t.path(),
        &["decode", "--message", "acme.v1.PaymentCaptured"],
        &[0x0a, 3, b'p', b'-', b'1', 0x10, 0xe8],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("record 1 (byte 5): cannot decode: the input ends inside a varint (field `amount_minor`)"),
        "{err}"
    );
}

/// Trial defect 4: `--message X --confluent` on a record whose message-index list names another message of X's file
/// (here `[0]`, `acme.v1.Other`) printed that message's reading of the bytes with exit 0. X reads every record, so
/// the mismatch is an error naming the record, the byte of the index list and both messages; the right index
/// (`[1]`, and `[]`/`0` for a first message) still decodes.
#[test]
fn a_message_index_naming_another_message_is_an_error_not_a_silent_misread() {
    let t = repo();
    let event = json!({"id": "p-3", "amountMinor": "-7"});
    let (code, framed, err) = run(
        t.path(),
        &[
            "encode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--confluent-id",
            "42",
        ],
        event.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(&framed[..7], &[0, 0, 0, 0, 42, 2, 2]);
    // The same payload framed with the index list `[0]` (a single 0 byte): the file's first message, `Other`.
    let mut wrong = vec![0, 0, 0, 0, 42, 0];
    wrong.extend_from_slice(&framed[7..]);
    let decode = |bytes: &[u8]| {
        run(
            t.path(),
            &[
                "decode",
                "--message",
                "acme.v1.PaymentCaptured",
                "--confluent",
            ],
            bytes,
        )
    };
    let (code, out, err) = decode(&wrong);
    assert_eq!(code, 2, "{}", String::from_utf8_lossy(&out));
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    assert!(
        err.contains("record 1 (byte 5): the record's Confluent message-index list [0] names `acme.v1.Other`"),
        "{err}"
    );
    assert!(
        err.contains("not `acme.v1.PaymentCaptured` (its index is [1])"),
        "{err}"
    );
    // An index past the file's messages names none.
    let mut none = vec![0, 0, 0, 0, 42, 2, 18];
    none.extend_from_slice(&framed[7..]);
    let (code, _, err) = decode(&none);
    assert_eq!(code, 2);
    assert!(err.contains("[9] names no message"), "{err}");
    let (code, out, err) = decode(&framed);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_slice::<Value>(&out).expect("json"), event);
    // `Other` is the first message: the short form `0` (and an explicit `[0]`) both name it.
    let other = json!({"x": "y"});
    let (code, framed, err) = run(
        t.path(),
        &[
            "encode",
            "--message",
            "acme.v1.Other",
            "--confluent-id",
            "42",
        ],
        other.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        t.path(),
        &["decode", "--message", "acme.v1.Other", "--confluent"],
        &framed,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_slice::<Value>(&out).expect("json"), other);
    let mut explicit = vec![0, 0, 0, 0, 42, 2, 0];
    explicit.extend_from_slice(&framed[6..]);
    let (code, out, err) = run(
        t.path(),
        &["decode", "--message", "acme.v1.Other", "--confluent"],
        &explicit,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_slice::<Value>(&out).expect("json"), other);
}

const MONEY: &str = r#"syntax = "proto3";
package acme.v1;
message Money { int64 units = 1; string currency = 2; }
"#;

const PAY_WITH_MONEY: &str = r#"syntax = "proto3";
package acme.v1;
import "acme/v1/money.proto";
message Other { string x = 1; }
message PaymentCaptured {
  string id = 1;
  Money amount = 2;
}
"#;

const ORDER_V1: &str = r#"{"type":"record","name":"OrderPlaced","namespace":"acme","fields":[{"name":"id","type":"string"}]}"#;

/// A repository with the schemas the records are encoded with: an Avro order and a Protobuf payment whose
/// `Money` comes from an import.
fn framed_repo() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    for (p, text) in [
        ("schemas/order.avsc", ORDER),
        ("acme/v1/money.proto", MONEY),
        ("acme/v1/pay.proto", PAY_WITH_MONEY),
    ] {
        let full = t.path().join(p);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    t
}

/// `encode` of one JSON event into a `%R%s` record under a Confluent id.
fn framed(dir: &Path, schema: &[&str], id: i64, event: &Value) -> Vec<u8> {
    let id = id.to_string();
    let mut args = vec![
        "encode",
        "--confluent-id",
        id.as_str(),
        "--framing",
        "length",
    ];
    args.extend_from_slice(schema);
    let (code, out, err) = run(dir, &args, event.to_string().as_bytes());
    assert_eq!(code, 0, "{err}");
    out
}

fn registry_with_schemas(reg: &MockRegistry) -> (i64, i64, i64) {
    reg.add("acme.v1.Money", MONEY, Some("PROTOBUF"), vec![]);
    let pay = reg.add(
        "acme.v1.Other",
        PAY_WITH_MONEY,
        Some("PROTOBUF"),
        vec![json!({"name": "acme/v1/money.proto", "subject": "acme.v1.Money", "version": 1})],
    );
    let order_v1 = reg.add("acme.OrderPlaced", ORDER_V1, None, vec![]);
    let order = reg.add("acme.OrderPlaced", ORDER, None, vec![]);
    (pay, order_v1, order)
}

#[test]
fn confluent_records_decode_by_schema_id_from_the_registry() {
    let reg = MockRegistry::start();
    let (pay, _, order) = registry_with_schemas(&reg);
    let t = framed_repo();
    let order_event = json!({"id": "o-1", "amount": 2.5, "coupon": {"string": "X"}, "lines": [7]});
    let pay_event = json!({"id": "p-1", "amount": {"units": "12", "currency": "EUR"}});
    let a = framed(
        t.path(),
        &["--subject", "acme.OrderPlaced"],
        order,
        &order_event,
    );
    let b = framed(
        t.path(),
        &["--message", "acme.v1.PaymentCaptured"],
        pay,
        &pay_event,
    );
    // Protobuf: the second message of the file, message indexes [1].
    assert_eq!(&b[4..11], &[0, 0, 0, 0, pay as u8, 2, 2]);
    let mut stream = a.clone();
    stream.extend_from_slice(&(-1i32).to_be_bytes());
    stream.extend_from_slice(&b);
    stream.extend_from_slice(&a);

    // No schema named, and nothing local: every schema comes from the registry by id.
    let empty = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = run_env(
        empty.path(),
        &["decode", "--confluent", "--framing", "length"],
        &stream,
        &[("SCHEMA_REGISTRY_URL", &reg.url)],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        lines(&out),
        vec![order_event.clone(), Value::Null, pay_event, order_event]
    );
    // Each id once per run.
    let by_id = |id: i64| {
        reg.log()
            .iter()
            .filter(|l| l.contains(&format!("/schemas/ids/{id}")))
            .count()
    };
    assert_eq!(by_id(order), 1);
    assert_eq!(by_id(pay), 1);

    // An unknown id: the error names it, the record and the byte of the id; exit 2.
    let mut bad = a.clone();
    bad.extend_from_slice(&7i32.to_be_bytes());
    bad.extend_from_slice(&[0, 0, 0, 3, 231, 2, 0]);
    let (code, _, err) = run_env(
        empty.path(),
        &["decode", "--confluent", "--framing", "length"],
        &bad,
        &[("SCHEMA_REGISTRY_URL", &reg.url)],
    );
    assert_eq!(code, 2, "{err}");
    // Record 2 starts after record 1 (4 + its length) and its own 4-byte prefix; the id is 1 byte in.
    let second = a.len() + 4;
    assert!(
        err.contains(&format!(
            "<stdin>: record 2 (byte {}): schema id 999 is not in the registry at {}",
            second + 1,
            reg.url
        )),
        "{err}"
    );

    // Without a registry and without a schema: a usage error that says what to give.
    let (code, _, err) = run(
        empty.path(),
        &["decode", "--confluent", "--framing", "length"],
        &a,
    );
    assert_eq!(code, 2);
    assert!(err.contains("no registry URL"), "{err}");
}

/// `encode --subject S --confluent`: the subject's latest registered schema and its id, from the registry (or a
/// pulled snapshot with `--registry-dir`); decode(encode(j)) == j through the same registry.
#[test]
fn encode_by_registered_subject_round_trips() {
    let reg = MockRegistry::start();
    let (pay, order_v1, order) = registry_with_schemas(&reg);
    assert_ne!(order_v1, order);
    let empty = tempfile::tempdir().expect("tempdir");
    let env = [("SCHEMA_REGISTRY_URL", reg.url.as_str())];
    let encode = |args: &[&str], event: &Value| {
        let mut all = vec!["encode", "--framing", "length"];
        all.extend_from_slice(args);
        run_env(empty.path(), &all, event.to_string().as_bytes(), &env)
    };
    let decode = |stream: &[u8]| {
        run_env(
            empty.path(),
            &["decode", "--confluent", "--framing", "length"],
            stream,
            &env,
        )
    };

    // Avro: the latest version (not v1), with its id in the header.
    let order_event = json!({"id": "o-1", "amount": 2.5, "coupon": {"string": "X"}, "lines": [7]});
    let (code, a, err) = encode(
        &["--confluent", "--subject", "acme.OrderPlaced"],
        &order_event,
    );
    assert_eq!(code, 0, "{err}");
    let id = u32::try_from(order).expect("id");
    assert_eq!(
        &a[4..9],
        &[
            0,
            id.to_be_bytes()[0],
            id.to_be_bytes()[1],
            id.to_be_bytes()[2],
            id.to_be_bytes()[3]
        ]
    );
    // Protobuf: the message named (the file's second: indexes [1]); the import comes from the registry too.
    let pay_event = json!({"id": "p-1", "amount": {"units": "12", "currency": "EUR"}});
    let (code, b, err) = encode(
        &[
            "--confluent",
            "--subject",
            "acme.v1.Other",
            "--message",
            "acme.v1.PaymentCaptured",
        ],
        &pay_event,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(&b[4..11], &[0, 0, 0, 0, pay as u8, 2, 2]);
    // No --message: the file's first message (indexes [0], written as a single 0).
    let (code, c, err) = encode(
        &["--confluent", "--subject", "acme.v1.Other"],
        &json!({"x": "y"}),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(&c[4..10], &[0, 0, 0, 0, pay as u8, 0]);

    let (code, out, err) = decode(&[a.clone(), b, c].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        lines(&out),
        vec![order_event.clone(), pay_event, json!({"x": "y"})]
    );

    // A subject the registry does not have: exit 2, named.
    let (code, _, err) = encode(&["--confluent", "--subject", "nope-value"], &order_event);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "subject `nope-value` is not in the registry at {}",
            reg.url
        )),
        "{err}"
    );
    // --confluent needs the subject; --schema is a local file and cannot be mixed in.
    let (code, _, err) = encode(&["--confluent", "--message", "acme.v1.Other"], &order_event);
    assert_eq!(code, 2);
    assert!(err.contains("--subject SUBJECT"), "{err}");

    // From a pulled snapshot: the same bytes, and no request to the registry.
    let t = framed_repo();
    std::fs::write(
        t.path().join("schemaguard.toml"),
        format!("[registry]\nurl = \"{}\"\n", reg.url),
    )
    .expect("write");
    let (code, _, err) = run(
        t.path(),
        &["registry", "pull", "--out", ".registry", "--all-versions"],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let before = reg.log().len();
    let (code, offline, err) = run(
        t.path(),
        &[
            "encode",
            "--framing",
            "length",
            "--registry-dir",
            ".registry",
            "--subject",
            "acme.OrderPlaced",
        ],
        order_event.to_string().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(offline, a);
    assert_eq!(reg.log().len(), before);
}

#[test]
fn confluent_records_decode_by_schema_id_from_a_pulled_snapshot() {
    let reg = MockRegistry::start();
    let (pay, order_v1, order) = registry_with_schemas(&reg);
    let t = framed_repo();
    std::fs::write(
        t.path().join("schemaguard.toml"),
        format!("[registry]\nurl = \"{}\"\n", reg.url),
    )
    .expect("write");
    let (code, _, err) = run(
        t.path(),
        &["registry", "pull", "--out", ".registry", "--all-versions"],
        b"",
    );
    assert_eq!(code, 0, "{err}");

    let old_dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(old_dir.path().join("order.avsc"), ORDER_V1).expect("write");
    let old_event = json!({"id": "o-0"});
    let old = framed(
        old_dir.path(),
        &["--schema", "order.avsc"],
        order_v1,
        &old_event,
    );
    let order_event = json!({"id": "o-1", "amount": 2.5, "coupon": null, "lines": []});
    let new = framed(
        t.path(),
        &["--subject", "acme.OrderPlaced"],
        order,
        &order_event,
    );
    let pay_event = json!({"id": "p-1", "amount": {"units": "5", "currency": "CHF"}});
    let p = framed(
        t.path(),
        &["--message", "acme.v1.PaymentCaptured"],
        pay,
        &pay_event,
    );
    let stream = [old, new.clone(), p].concat();

    // Offline: the manifest names every id, the registry is not asked.
    let before = reg.log().len();
    let (code, out, err) = run(
        t.path(),
        &[
            "decode",
            "--registry-dir",
            ".registry",
            "--framing",
            "length",
        ],
        &stream,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines(&out), vec![old_event, order_event, pay_event]);
    assert_eq!(reg.log().len(), before);

    // An id the snapshot does not hold.
    let mut bad = new.clone();
    bad[8] = 99;
    let (code, _, err) = run(
        t.path(),
        &[
            "decode",
            "--registry-dir",
            ".registry",
            "--framing",
            "length",
        ],
        &bad,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("record 1 (byte 5): schema id 99 is not in the manifest"),
        "{err}"
    );
    // A directory without a manifest.
    let (code, _, err) = run(
        t.path(),
        &["decode", "--registry-dir", "schemas", "--framing", "length"],
        &new,
    );
    assert_eq!(code, 2);
    assert!(err.contains("registry pull"), "{err}");
}

/// From a new user's trial: several records with `--framing none` ran together into one byte string (a Protobuf
/// reader merged them into one message), `null` (decode's tombstone) could not be encoded back, empty input wrote
/// nothing with exit 0, and `--framing lines` with raw bytes failed later with a misleading decode error.
#[test]
fn encode_refuses_what_no_reader_could_split_and_writes_tombstones() {
    let t = repo();
    let two = b"{\"id\": \"a\"}\n{\"id\": \"b\"}\n";
    let (code, out, err) = run(
        t.path(),
        &["encode", "--message", "acme.v1.PaymentCaptured"],
        two,
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("2 records with --framing none"), "{err}");
    assert!(err.contains("--framing length"), "{err}");
    // Hex or base64 with no framing: one record per line, which a reader splits.
    let (code, _, err) = run(
        t.path(),
        &[
            "encode",
            "--message",
            "acme.v1.PaymentCaptured",
            "--bytes",
            "hex",
        ],
        two,
    );
    assert_eq!(code, 0, "{err}");
    // A tombstone round trip: decode prints `null`, encode writes the length -1 back.
    let stream_in = b"{\"id\": \"o\", \"amount\": 1.0, \"coupon\": null, \"lines\": []}\nnull\n";
    let (code, stream, err) = run(
        t.path(),
        &[
            "encode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
        ],
        stream_in,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(&stream[stream.len() - 4..], &(-1i32).to_be_bytes());
    let (code, out, err) = run(
        t.path(),
        &[
            "decode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "length",
        ],
        &stream,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines(&out)[1], Value::Null);
    let (code, _, err) = run(
        t.path(),
        &[
            "encode",
            "--subject",
            "acme.OrderPlaced",
            "--framing",
            "lines",
            "--bytes",
            "hex",
        ],
        b"null\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("only --framing length can write"), "{err}");
    // Empty input is an error, as for decode.
    let (code, out, err) = run(
        t.path(),
        &["encode", "--subject", "acme.OrderPlaced"],
        b"\n \n",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no JSON record to encode in <stdin>"), "{err}");
    // One record per line needs a text form.
    std::fs::write(t.path().join("in.txt"), "00\n").expect("write");
    for cmd in ["encode", "decode"] {
        let (code, _, err) = run(
            t.path(),
            &[
                cmd,
                "--subject",
                "acme.OrderPlaced",
                "--framing",
                "lines",
                "in.txt",
            ],
            b"",
        );
        assert_eq!(code, 2, "{cmd}");
        assert!(
            err.contains("add --bytes hex or --bytes base64"),
            "{cmd}: {err}"
        );
    }
}

/// A name given without its namespace or with a typo gets a suggestion (new user's trial).
#[test]
fn a_mistyped_subject_or_message_gets_a_suggestion() {
    let t = repo();
    let (code, _, err) = run(t.path(), &["encode", "--subject", "OrderPlaced"], b"{}");
    assert_eq!(code, 2);
    assert!(err.contains("(did you mean `acme.OrderPlaced`?)"), "{err}");
    let (code, _, err) = run(
        t.path(),
        &["encode", "--message", "acme.v1.PaymentCapturd"],
        b"{}",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("(did you mean `acme.v1.PaymentCaptured`?)"),
        "{err}"
    );
}
