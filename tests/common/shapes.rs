//! Generators of hostile shapes for the scaling tests (`tests/scaling.rs`) and the benchmark
//! (`benches/scaling.rs`): chains and diamonds of types, wide unions, deep nesting and long lines, in all three
//! formats. Each returns the old and the new file of a `compat` run; the two always differ (identical files are
//! skipped before any comparison).

#![allow(dead_code)]

/// One `compat OLD NEW` case: file name (the same on both sides) and the two texts.
pub struct Case {
    pub name: &'static str,
    pub old: String,
    pub new: String,
}

fn proto(comment: &str, body: &str) -> String {
    format!("syntax = \"proto3\";\npackage p;\n// {comment}\n{body}")
}

/// `message C0 { C1 a = 1; } … message Cn { <leaf> v = 1; }`: a chain of `n` references. With `change`, the last
/// field's type changes (`int32` → `string`), else only a comment differs.
pub fn proto_chain(n: usize, change: bool) -> Case {
    let body = |leaf: &str| {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!("message C{i} {{ C{} a = 1; }}\n", i + 1));
        }
        s.push_str(&format!("message C{n} {{ {leaf} v = 1; }}\n"));
        s
    };
    Case {
        name: "x.proto",
        old: proto("old", &body("int32")),
        new: proto("new", &body(if change { "string" } else { "int32" })),
    }
}

/// `message Ci { Ci+1 a = 1; Ci+1 b = 2; }`: 2^n paths to the leaf, whose field type changes with `change`.
pub fn proto_diamond(n: usize, change: bool) -> Case {
    let body = |leaf: &str| {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!(
                "message C{i} {{ C{j} a = 1; C{j} b = 2; }}\n",
                j = i + 1
            ));
        }
        s.push_str(&format!("message C{n} {{ {leaf} v = 1; }}\n"));
        s
    };
    Case {
        name: "x.proto",
        old: proto("old", &body("int32")),
        new: proto("new", &body(if change { "string" } else { "int32" })),
    }
}

/// Messages declared inside each other, `n` deep; the innermost field's type changes with `change`.
pub fn proto_nested(n: usize, change: bool) -> Case {
    let body = |leaf: &str| {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!("message N{i} {{\n"));
        }
        s.push_str(&format!("{leaf} v = 1;\n"));
        for _ in 0..n {
            s.push_str("}\n");
        }
        s
    };
    Case {
        name: "x.proto",
        old: proto("old", &body("int32")),
        new: proto("new", &body(if change { "string" } else { "int32" })),
    }
}

/// One message of `n` fields `f1 … fn` (numbers 1…n). The new side deletes the even ones, reserves the names of
/// those divisible by 4, and changes the type of those ≡ 1 (mod 6) from `int32` to `string`.
pub fn proto_wide_message(n: usize) -> Case {
    let old: String = (1..=n).map(|i| format!("  int32 f{i} = {i};\n")).collect();
    let mut new = String::new();
    for i in (1..=n).filter(|i| i % 2 == 1) {
        let ty = if i % 6 == 1 { "string" } else { "int32" };
        new.push_str(&format!("  {ty} f{i} = {i};\n"));
    }
    let reserved: Vec<String> = (1..=n)
        .filter(|i| i % 4 == 0)
        .map(|i| format!("\"f{i}\""))
        .collect();
    if !reserved.is_empty() {
        new.push_str(&format!("  reserved {};\n", reserved.join(", ")));
    }
    Case {
        name: "x.proto",
        old: proto("old", &format!("message M {{\n{old}}}\n")),
        new: proto("new", &format!("message M {{\n{new}}}\n")),
    }
}

/// One message of `n` fields `f0 … fn-1` that all reuse number 1 (`n - 1` duplicate-number errors, of which
/// only the first, at `f1` on line 5, is reported); the old side holds `f0` alone.
pub fn proto_many_errors(n: usize) -> Case {
    let fields: String = (0..n).map(|i| format!("  string f{i} = 1;\n")).collect();
    Case {
        name: "x.proto",
        old: "syntax = \"proto3\";\npackage p;\nmessage M {\n  string f0 = 1;\n}\n".to_string(),
        new: format!("syntax = \"proto3\";\npackage p;\nmessage M {{\n{fields}}}\n"),
    }
}

/// A top-level Avro union of `n + 1` records, each referring to the previous one (`R0 { int v }`,
/// `Ri { Ri-1 f }`). With `change`, `R0.v` becomes a `string` (incompatible), else only whitespace differs.
pub fn avro_union_chain(n: usize, change: bool) -> Case {
    let text = |leaf: &str, sep: &str| {
        let mut branches = vec![format!(
            r#"{{"type":"record","name":"R0","fields":[{{"name":"v","type":"{leaf}"}}]}}"#
        )];
        for i in 1..=n {
            branches.push(format!(
                r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":"R{}"}}]}}"#,
                i - 1
            ));
        }
        format!("[{}]\n", branches.join(sep))
    };
    Case {
        name: "x.avsc",
        old: text("int", ","),
        new: text(if change { "string" } else { "int" }, ", "),
    }
}

/// A top-level Avro union of records forming a diamond: `Ri { Ri-1 a; Ri-1 b }`, 2^n paths to `R0`.
pub fn avro_union_diamond(n: usize, change: bool) -> Case {
    let text = |leaf: &str, sep: &str| {
        let mut branches = vec![format!(
            r#"{{"type":"record","name":"R0","fields":[{{"name":"v","type":"{leaf}"}}]}}"#
        )];
        for i in 1..=n {
            branches.push(format!(
                r#"{{"type":"record","name":"R{i}","fields":[{{"name":"a","type":"R{p}"}},{{"name":"b","type":"R{p}"}}]}}"#,
                p = i - 1
            ));
        }
        format!("[{}]\n", branches.join(sep))
    };
    Case {
        name: "x.avsc",
        old: text("int", ","),
        new: text(if change { "string" } else { "int" }, ", "),
    }
}

/// A record whose field is a record whose field is … `n` deep through named references (each record defined in
/// the previous one's field, then referred to by name from a second field), so the walk goes `n` levels deep.
pub fn avro_deep_chain(n: usize, change: bool) -> Case {
    // Written inside-out so nesting in the JSON stays shallow: a top-level union defines R0…Rn in order and a
    // last record refers to Rn; the reader/writer walk follows Rn → Rn-1 → … → R0.
    avro_union_chain(n, change)
}

/// A walk `n` named types deep although the JSON stays shallow: the new (reader) root defines `T0 … Tn` in a
/// defaulted field the old side lacks (so they are not walked there), each `Ti { f: [null, Ti-1] }` with alias
/// `W`, and reads its `main: Tn` against the old `main: W { f: [null, W] }`. Memoization cannot help (each
/// (Ti, W) pair is new), so the walk goes Tn → Tn-1 → … → T0, two levels per type.
pub fn avro_deep_walk(n: usize) -> Case {
    let mut defs = vec![
        r#"{"type":"record","name":"T0","aliases":["W"],"fields":[{"name":"f","type":["null","T0"]}]}"#
            .to_string(),
    ];
    for i in 1..=n {
        defs.push(format!(
            r#"{{"type":"record","name":"T{i}","aliases":["W"],"fields":[{{"name":"f","type":["null","T{p}"]}}]}}"#,
            p = i - 1
        ));
    }
    Case {
        name: "x.avsc",
        old: r#"{"type":"record","name":"Root","fields":[{"name":"main","type":{"type":"record","name":"W","fields":[{"name":"f","type":["null","W"]}]}}]}"#.to_string() + "\n",
        new: format!(
            "{{\"type\":\"record\",\"name\":\"Root\",\"fields\":[{{\"name\":\"defs\",\"default\":null,\"type\":[\"null\",\n{}]}},\n{{\"name\":\"main\",\"type\":\"T{n}\"}}]}}\n",
            defs.join(",\n")
        ),
    }
}

/// A JSON Schema `oneOf` of `n` object branches, each told apart by a `const` property. With `change`, the last
/// branch's `const` changes (a branch removed and another added), else only whitespace differs.
pub fn json_one_of(n: usize, change: bool) -> Case {
    let text = |last: usize, sep: &str| {
        let branches: Vec<String> = (0..n)
            .map(|i| {
                let k = if i + 1 == n { last } else { i };
                format!(
                    r#"{{"type":"object","properties":{{"kind":{{"const":{k}}},"v{k}":{{"type":"string"}}}},"required":["kind"]}}"#
                )
            })
            .collect();
        format!(
            "{{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"oneOf\":[{}]}}\n",
            branches.join(sep)
        )
    };
    Case {
        name: "x.json",
        old: text(n - 1, ","),
        new: text(if change { n + 1000 } else { n - 1 }, ", "),
    }
}

/// A `oneOf` of `n` object branches (as `json_one_of`) where every branch's `const` changes: no branch of the
/// old side has a compatible partner, so a matching would compare all n × n pairs.
pub fn json_one_of_all_changed(n: usize) -> Case {
    let text = |off: usize| {
        let branches: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"type":"object","properties":{{"kind":{{"const":{k}}}}},"required":["kind"]}}"#,
                    k = i + off
                )
            })
            .collect();
        format!(
            "{{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"oneOf\":[{}]}}\n",
            branches.join(",")
        )
    };
    Case {
        name: "x.json",
        old: text(0),
        new: text(1_000_000),
    }
}

/// A `oneOf` of `n` string branches with distinct patterns, each with a `maxLength` that the new side removes:
/// every branch changes but stays compatible with its counterpart (and with no other branch).
pub fn json_one_of_widened(n: usize) -> Case {
    let text = |bound: bool| {
        let branches: Vec<String> = (0..n)
            .map(|i| {
                let max = if bound { r#","maxLength":8"# } else { "" };
                format!(r#"{{"type":"string","pattern":"^b{i}$"{max}}}"#)
            })
            .collect();
        format!(
            "{{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"oneOf\":[{}]}}\n",
            branches.join(",")
        )
    };
    Case {
        name: "x.json",
        old: text(true),
        new: text(false),
    }
}

/// A chain of `n` definitions, each an object whose property `x` refers to the next (`$ref`), the last one's
/// type changed (`string` → `integer`): the walk follows `n` pairs of schemas one inside the other.
pub fn json_ref_chain(n: usize) -> Case {
    let t = |ty: &str| {
        let defs: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r##""d{i}":{{"type":"object","properties":{{"x":{{"$ref":"#/definitions/d{}"}}}}}}"##,
                    i + 1
                )
            })
            .collect();
        format!(
            "{{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$ref\":\"#/definitions/d0\",\"definitions\":{{\n{},\n\"d{n}\":{{\"type\":\"{ty}\"}}}}}}\n",
            defs.join(",\n")
        )
    };
    Case {
        name: "x.json",
        old: t("string"),
        new: t("integer"),
    }
}

/// One line of `pad` characters with the change at its end (see `tests/long_lines.rs`).
pub fn avro_long_line(pad: usize) -> Case {
    let t = |ty: &str| {
        format!(
            r#"{{"type":"record","name":"R","doc":"{}","fields":[{{"name":"a","type":"{ty}"}}]}}"#,
            "x".repeat(pad)
        )
    };
    Case {
        name: "x.avsc",
        old: t("int"),
        new: t("string"),
    }
}

pub fn json_long_line(pad: usize) -> Case {
    let t = |ty: &str| {
        format!(
            r#"{{"$schema":"http://json-schema.org/draft-07/schema#","description":"{}","type":"object","properties":{{"a":{{"type":"{ty}"}}}}}}"#,
            "x".repeat(pad)
        )
    };
    Case {
        name: "x.json",
        old: t("string"),
        new: t("integer"),
    }
}

/// `n` properties on one line (about 58 bytes each: 1 MB at 18,000), every one's type changed: `n` findings on
/// one long line, each needing a column far into it.
pub fn json_many_on_one_line(n: usize) -> Case {
    let t = |ty: &str| {
        let props: Vec<String> = (0..n)
            .map(|i| format!(r#""p{i}_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx":{{"type":"{ty}"}}"#))
            .collect();
        format!(
            r#"{{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{{{}}}}}"#,
            props.join(",")
        )
    };
    Case {
        name: "x.json",
        old: t("string"),
        new: t("integer"),
    }
}

pub fn proto_long_line(pad: usize) -> Case {
    let t = |ty: &str| {
        format!(
            "syntax = \"proto3\"; package p; /* {} */ message M {{ {ty} a = 1; }}",
            "x".repeat(pad)
        )
    };
    Case {
        name: "x.proto",
        old: t("int32"),
        new: t("string"),
    }
}

/// Writes the case under `dir/old/` and `dir/new/`; returns the two relative paths for `compat`.
pub fn write(case: &Case, dir: &std::path::Path) -> (String, String) {
    for (side, text) in [("old", &case.old), ("new", &case.new)] {
        let d = dir.join(side);
        std::fs::create_dir_all(&d).expect("temp dir is writable");
        std::fs::write(d.join(case.name), text).expect("temp dir is writable");
    }
    (format!("old/{}", case.name), format!("new/{}", case.name))
}
