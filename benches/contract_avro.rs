//! Avro encode + decode round trip through old → new schema resolution (issue 10): 1,000,000 small records
//! encoded with the old schema and decoded with the new one as reader (apache-avro, through `codec::avro`), then
//! compared as logical values for a sample. Prints records/s on one core.
//! Run: `cargo bench --bench contract_avro [-- RECORDS]`.

use std::time::Instant;

use schemaguard::codec::{avro::AvroSchema, JsonEncoding};

const OLD: &str = r#"{"type": "record", "name": "Click", "namespace": "bench", "fields": [
  {"name": "id", "type": "long"}, {"name": "user", "type": "string"}, {"name": "count", "type": "int"},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["VIEW", "CLICK", "BUY"]}},
  {"name": "ref", "type": ["null", "string"], "default": null}]}"#;

const NEW: &str = r#"{"type": "record", "name": "Click", "namespace": "bench", "fields": [
  {"name": "id", "type": "long"}, {"name": "user", "type": "string"}, {"name": "count", "type": "long"},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["VIEW", "CLICK", "BUY", "SHARE"]}},
  {"name": "ref", "type": ["null", "string"], "default": null},
  {"name": "source", "type": "string", "default": "web"}]}"#;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let old = AvroSchema::parse(OLD).expect("bench schema parses");
    let new = AvroSchema::parse(NEW).expect("bench schema parses");
    let values: Vec<_> = (0..1000)
        .map(|i: i64| {
            let kind = ["VIEW", "CLICK", "BUY"][i as usize % 3];
            let j = serde_json::json!({"id": i, "user": format!("u{}", i % 97), "count": i % 50,
                "at": 1_700_000_000_000i64 + i, "kind": kind,
                "ref": if i % 2 == 0 { serde_json::Value::Null } else { serde_json::json!({"string": "r"}) }});
            old.from_json(&j, JsonEncoding::AvroJson).expect("bench value fits")
        })
        .collect();
    let enc = old.encoder().expect("encoder");
    let dec = old.decoder(Some(&new)).expect("decoder");
    let mut buf = Vec::with_capacity(64);
    let mut bytes = 0usize;
    let start = Instant::now();
    for i in 0..n {
        buf.clear();
        enc.encode_into(&values[i % values.len()], &mut buf)
            .expect("encodes");
        bytes += buf.len();
        let v = dec.decode(&buf).expect("decodes");
        if i % 100_000 == 0 {
            // The logical values survive the resolution (int → long, added field with its default).
            let a = old.logical(&values[i % values.len()]).expect("logical");
            let b = new.logical(&v).expect("logical");
            assert_eq!(a["count"], b["count"]);
            assert_eq!(b["source"], "web");
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "avro round trip old→new: {n} records in {secs:.2} s = {:.0} records/s on one core ({:.1} bytes/record)",
        n as f64 / secs,
        bytes as f64 / n as f64
    );
}
