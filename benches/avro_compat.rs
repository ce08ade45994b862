//! Avro compatibility throughput, without a bench framework. Generates a record of 50 fields (primitives,
//! a nested record of 10 fields, arrays, maps, unions, an enum, a fixed) as the writer, and a reader that adds a
//! defaulted field and promotes two types; measures full checks (fresh memo each time) per second on one core,
//! then parse time of a generated ~50 MB schema. Run: `cargo bench --bench avro_compat`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use schemaguard::formats::avro::{bench_parse, BenchPair};

fn field(i: usize, reader: bool) -> String {
    let ty = match i % 10 {
        0 => {
            if reader {
                "\"long\"".to_string()
            } else {
                "\"int\"".to_string()
            }
        }
        1 => "\"string\"".to_string(),
        2 => {
            if reader {
                "\"double\"".to_string()
            } else {
                "\"float\"".to_string()
            }
        }
        3 => r#"{"type": "array", "items": "string"}"#.to_string(),
        4 => r#"{"type": "map", "values": "long"}"#.to_string(),
        5 => r#"["null", "string", "long"]"#.to_string(),
        6 => format!(r#"{{"type": "enum", "name": "E{i}", "symbols": ["A", "B", "C", "D"]}}"#),
        7 => format!(r#"{{"type": "fixed", "name": "F{i}", "size": 16}}"#),
        8 => {
            let inner: Vec<String> = (0..10)
                .map(|j| {
                    format!(
                        r#"{{"name": "n{j}", "type": ["null", "int", "string"], "default": null}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"type": "record", "name": "Nested{i}", "fields": [{}]}}"#,
                inner.join(", ")
            )
        }
        _ => "\"boolean\"".to_string(),
    };
    format!(r#"{{"name": "f{i}", "type": {ty}}}"#)
}

fn schema(reader: bool) -> String {
    let mut fields: Vec<String> = (0..50).map(|i| field(i, reader)).collect();
    if reader {
        fields
            .push(r#"{"name": "added", "type": ["null", "string"], "default": null}"#.to_string());
    }
    format!(
        r#"{{"type": "record", "name": "Event", "namespace": "com.acme.bench", "fields": [{}]}}"#,
        fields.join(",\n")
    )
}

fn measure(label: &str, mut f: impl FnMut() -> usize) {
    // Warm up, then run for about two seconds.
    for _ in 0..100 {
        black_box(f());
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            black_box(f());
        }
        n += 100;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: {:.0} per second ({n} in {secs:.2} s)",
        n as f64 / secs
    );
}

fn main() {
    let (writer, reader) = (schema(false), schema(true));
    let pair = BenchPair::new(&reader, &writer).expect("generated schemas are valid");
    assert_eq!(pair.check(), 0, "the generated pair is compatible");
    measure(
        "compat pairs (50 fields, nested, compatible, pre-parsed)",
        || pair.check(),
    );
    let back = BenchPair::new(&writer, &reader).expect("generated schemas are valid");
    println!("reverse direction incompatibilities: {}", back.check());
    measure(
        "compat pairs (50 fields, nested, 10 incompatibilities, pre-parsed)",
        || back.check(),
    );
    measure("parse + compat pairs (both sides parsed each time)", || {
        BenchPair::new(&reader, &writer)
            .map(|p| p.check())
            .unwrap_or(0)
    });

    // Linear parsing of a large file: one record with many fields.
    let n = 400_000;
    let mut big = String::with_capacity(n * 120);
    big.push_str(r#"{"type": "record", "name": "Big", "namespace": "com.acme.bench", "fields": ["#);
    for i in 0..n {
        if i > 0 {
            big.push_str(",\n");
        }
        big.push_str(&format!(
            r#"  {{"name": "field_{i}", "type": ["null", "string", {{"type": "array", "items": "long"}}], "default": null}}"#
        ));
    }
    big.push_str("]}\n");
    let start = Instant::now();
    let (nodes, findings) = bench_parse("big.avsc", &big);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "parse {:.1} MB ({n} fields, {nodes} nodes, {findings} findings): {secs:.2} s ({:.0} MB/s)",
        big.len() as f64 / 1e6,
        big.len() as f64 / 1e6 / secs
    );
    if let Some(pair) = BenchPair::new(&big, &big) {
        let start = Instant::now();
        let n = pair.check();
        println!(
            "compat of the {:.1} MB schema with itself: {:.2} s ({n} incompatibilities)",
            big.len() as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
}
