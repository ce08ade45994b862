//! Shared by the fuzz targets: run `compat` on texts held in memory, derive a mutated version of one input (so a
//! comparator sees a pair that differs in one place), and render a report in every output format.

#![allow(dead_code)]

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;
use schemaguard::report::{self, OutputFormat, Report, TextStyle};
use schemaguard::source::SourceFile;

/// `compat` of one file (same name on both sides) in both directions; the report must be well-formed.
pub fn compat(name: &str, old: &str, new: &str) -> Report {
    let files = |t: &str| vec![SourceFile::new(name, None, t.to_string())];
    let report =
        schemaguard::compat_files(files(old), files(new), Mode::Full, &CheckOptions::default());
    for f in &report.findings {
        for loc in [&f.old, &f.new].into_iter().flatten() {
            assert!(loc.span.start <= loc.span.end && loc.span.end <= loc.file.text.len());
        }
    }
    report
}

/// Renders the report in every output format into a sink; none may fail or panic.
pub fn render_all(report: &Report) {
    for name in OutputFormat::NAMES {
        let Some(format) = OutputFormat::parse(name) else {
            continue;
        };
        let mut out = Vec::new();
        let style = TextStyle {
            color: false,
            width: Some(80),
        };
        assert!(report::render(report, format, style, &mut out).is_ok());
    }
}

/// A small deterministic generator driven by the fuzzer's bytes.
pub struct Dice<'a>(pub &'a [u8]);

impl Dice<'_> {
    pub fn next(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        usize::from(b) % n
    }
}

const AVRO_TYPES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Mutates a parsed JSON document in one place: a value replaced (by another Avro type name, a number, `null`),
/// an array element or object member removed or duplicated, or a string changed. Returns the new text.
pub fn mutate_json(v: &serde_json::Value, dice: &mut Dice<'_>) -> String {
    let mut v = v.clone();
    let count = count_nodes(&v);
    let target = dice.next(count.max(1));
    let mut k = 0;
    mutate_at(&mut v, target, &mut k, dice);
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

fn count_nodes(v: &serde_json::Value) -> usize {
    1 + match v {
        serde_json::Value::Array(a) => a.iter().map(count_nodes).sum(),
        serde_json::Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn mutate_at(v: &mut serde_json::Value, target: usize, k: &mut usize, dice: &mut Dice<'_>) -> bool {
    if *k == target {
        match dice.next(6) {
            0 => *v = serde_json::Value::String(AVRO_TYPES[dice.next(AVRO_TYPES.len())].into()),
            1 => *v = serde_json::json!(dice.next(256)),
            2 => *v = serde_json::Value::Null,
            3 => match v {
                serde_json::Value::Array(a) if !a.is_empty() => {
                    let i = dice.next(a.len());
                    a.remove(i);
                }
                serde_json::Value::Object(o) if !o.is_empty() => {
                    let i = dice.next(o.len());
                    let key = o.keys().nth(i).cloned().unwrap_or_default();
                    o.shift_remove(&key);
                }
                _ => *v = serde_json::json!([]),
            },
            4 => match v {
                serde_json::Value::Array(a) if !a.is_empty() => {
                    let i = dice.next(a.len());
                    let x = a[i].clone();
                    a.push(x);
                }
                serde_json::Value::Object(o) => {
                    o.insert(format!("x{}", dice.next(8)), serde_json::json!("string"));
                }
                _ => *v = serde_json::json!(["null", v.clone()]),
            },
            _ => {
                if let serde_json::Value::String(s) = v {
                    s.push('x');
                } else {
                    *v = serde_json::Value::String("string".into());
                }
            }
        }
        return true;
    }
    *k += 1;
    match v {
        serde_json::Value::Array(a) => a.iter_mut().any(|x| mutate_at(x, target, k, dice)),
        serde_json::Value::Object(o) => o.values_mut().any(|x| mutate_at(x, target, k, dice)),
        _ => false,
    }
}

const PROTO_WORDS: &[&str] = &[
    "int32",
    "int64",
    "uint32",
    "sint64",
    "string",
    "bytes",
    "bool",
    "double",
    "repeated",
    "optional",
    "oneof",
    "map<string, int32>",
    "reserved",
    "= 1",
    "= 2",
    "= 3",
    "enum",
    "message",
];

/// Mutates `.proto` text in one place: a line removed, duplicated or swapped with the next, or a word replaced by a
/// protobuf keyword or type.
pub fn mutate_proto(text: &str, dice: &mut Dice<'_>) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return format!("{text}\n");
    }
    let i = dice.next(lines.len());
    match dice.next(4) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 if i + 1 < lines.len() => lines.swap(i, i + 1),
        _ => {
            let words: Vec<&str> = lines[i].split(' ').collect();
            let w = dice.next(words.len());
            let new: Vec<&str> = words
                .iter()
                .enumerate()
                .map(|(k, x)| {
                    if k == w {
                        PROTO_WORDS[dice.next(PROTO_WORDS.len())]
                    } else {
                        x
                    }
                })
                .collect();
            lines[i] = new.join(" ");
        }
    }
    lines.join("\n") + "\n"
}

/// Shared handle for a target's input split into control bytes and text.
pub fn split(data: &[u8]) -> Option<(&[u8], &str)> {
    if data.len() < 4 {
        return None;
    }
    let (ctl, rest) = data.split_at(4);
    std::str::from_utf8(rest).ok().map(|t| (ctl, t))
}
