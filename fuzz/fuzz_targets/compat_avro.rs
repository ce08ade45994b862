//! The Avro comparator on a pair derived from one input: a schema and a copy mutated in one place.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((ctl, text)) = common::split(data) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let new = common::mutate_json(&v, &mut common::Dice(ctl));
    common::compat("x.avsc", text, &new);
});
