//! The Avro JSON parser (and the self-comparison that follows) on any text: no panic, spans inside the file.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // A whitespace difference, so the pair is compared and not skipped as identical.
        common::compat("x.avsc", text, &format!("{text} "));
    }
});
