//! The `.proto` parser and compiler on any text: no panic, spans inside the file.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        common::compat("x.proto", text, &format!("{text}\n// changed\n"));
    }
});
