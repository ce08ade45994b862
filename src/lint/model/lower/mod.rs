//! Lowering each format's files into the neutral model, one file per format. Lowering reads the text again
//! (spans are kept on every element) and never fails: a file that does not parse yields no `Schema` (the
//! format's loader already reported it as `PARSE_ERROR`).

mod avro;
mod jsonschema;
mod protobuf;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Kind, Schema, Ty};
use crate::finding::Format;
use crate::formats::jsonschema::parse::{NodeId, Tree, Val};
use crate::source::SourceFile;

/// Lowers every file (in parallel), then resolves named references across files: a field typed by a name that
/// is an enum anywhere in the snapshot is `Ty::Enum`.
pub fn lower_all(files: &[(Format, Arc<SourceFile>)]) -> Vec<Schema> {
    let mut schemas: Vec<Schema> = files
        .par_iter()
        .filter_map(|(format, file)| match format {
            Format::Avro => avro::lower(file),
            Format::JsonSchema => jsonschema::lower(file),
            Format::Protobuf => protobuf::lower(file),
        })
        .collect();
    let kinds: HashMap<String, Kind> = schemas
        .iter()
        .flat_map(|s| s.types.iter().map(|t| (t.full_name.clone(), t.kind)))
        .collect();
    for s in &mut schemas {
        for t in &mut s.types {
            for f in &mut t.fields {
                fix(&mut f.ty, &kinds);
            }
        }
    }
    schemas
}

fn fix(ty: &mut Ty, kinds: &HashMap<String, Kind>) {
    match ty {
        Ty::Record(n) if kinds.get(n.as_str()) == Some(&Kind::Enum) => *ty = Ty::Enum(n.clone()),
        Ty::Array(t) | Ty::Map(t) => fix(t, kinds),
        Ty::Union(ts) => ts.iter_mut().for_each(|t| fix(t, kinds)),
        _ => {}
    }
}

/// The string value of `key` on the JSON object `node` (Avro and JSON Schema lowering).
fn json_str(tree: &Tree, node: NodeId, key: &str) -> Option<String> {
    tree.get(node, key)
        .and_then(|n| tree.str_of(n))
        .map(str::to_string)
}

/// The strings of the array at `key` on the JSON object `node`: empty when absent or not an array.
fn json_strings(tree: &Tree, node: NodeId, key: &str) -> Vec<String> {
    match tree.get(node, key).map(|n| &tree.node(n).val) {
        Some(Val::Arr(items)) => items
            .iter()
            .filter_map(|i| tree.str_of(*i).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Joins a namespace and a name.
pub(crate) fn join(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}
