//! The JSON Schema loader on any text, as JSON or as YAML (first byte chooses): no panic.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        let name = if first % 2 == 0 { "x.json" } else { "x.yaml" };
        common::compat(name, text, &format!("{text}\n"));
    }
});
