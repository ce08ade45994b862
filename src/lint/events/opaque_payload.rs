//! OPAQUE_PAYLOAD: an event carries content consumers cannot read from the schema: raw bytes, `Any` /
//! `Struct`, an empty JSON schema `{}`, or a free-form string named like a payload (`payload`, `data`, `json`).

use super::{words, Ctx, EVENTS, STRICT};
use crate::finding::{Category, Finding, Format, Severity};
use crate::lint::model::Ty;
use crate::lint::{LintCx, LintRule};
use crate::rules::Rule;

pub static OPAQUE_PAYLOAD: LintRule = LintRule {
    rule: Rule {
        id: "OPAQUE_PAYLOAD",
        category: Category::Richness,
        severity: Severity::Warning,
        formats: &[Format::Avro, Format::Protobuf, Format::JsonSchema],
        summary: "an event carries bytes, `Any`, `{}` or a free-form string payload that consumers cannot read from the schema",
        doc: crate::rule_doc!("OPAQUE_PAYLOAD"),
    },
    groups: &[EVENTS, STRICT],
    options: &["allow"],
    events_only: true,
};

/// Bytes fields with these words are binary by nature (hashes, keys, images), not hidden structure.
const BINARY_OK: &[&str] = &[
    "hash",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "checksum",
    "digest",
    "signature",
    "sig",
    "key",
    "id",
    "uuid",
    "nonce",
    "iv",
    "salt",
    "token",
    "fingerprint",
    "thumbnail",
    "image",
    "photo",
    "icon",
    "avatar",
    "png",
    "jpg",
    "jpeg",
    "picture",
    "certificate",
    "cert",
    "secret",
    "mac",
    "hmac",
    "bloom",
    "bitmap",
    "mask",
    "address",
    "ip",
];

/// String fields named like these hold serialized structure.
const PAYLOAD_WORDS: &[&str] = &[
    "payload",
    "data",
    "json",
    "blob",
    "raw",
    "serialized",
    "encoded",
    "xml",
];

pub(super) fn check(cx: &LintCx, ctx: &Ctx, out: &mut Vec<Finding>) {
    let allow = cx.option_strings(&OPAQUE_PAYLOAD, "allow", &[]);
    for e in &ctx.events {
        for t in ctx.reachable(e) {
            for f in &t.fields {
                if allow.contains(&f.name) {
                    continue;
                }
                let w = words(&f.name);
                let ty = match &f.ty {
                    Ty::Array(inner) => &**inner,
                    other => other,
                };
                let what = match ty {
                    Ty::Bytes if !w.iter().any(|x| BINARY_OK.contains(&x.as_str())) => "raw bytes",
                    Ty::Any => match ctx.schema.format {
                        Format::Protobuf => "an `Any` / `Struct` value",
                        _ => "a schema that allows anything",
                    },
                    Ty::String
                        if f.logical.is_none()
                            && w.last()
                                .is_some_and(|l| PAYLOAD_WORDS.contains(&l.as_str())) =>
                    {
                        "a free-form string"
                    }
                    _ => continue,
                };
                out.push(
                    ctx.at_field(
                        &OPAQUE_PAYLOAD,
                        t,
                        f,
                        format!(
                            "field `{}` of event `{}` is {what}: consumers cannot see its structure",
                            f.name, e.name
                        ),
                    )
                    .help("model the content as typed fields (a record/message/object with its own schema) so the registry can check its evolution and consumers can read it without a side channel"),
                );
            }
        }
    }
}
