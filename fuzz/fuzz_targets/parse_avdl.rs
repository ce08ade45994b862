//! The Avro IDL (`.avdl`) parser on any text: no panic; the IDL → JSON conversion, the loader (spans inside the
//! file) and the self-comparison that follows.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Imports resolve to nothing: the parser and converter must cope with a missing import.
        let _ = schemaguard::formats::avro::idl_to_json(text, &mut |_, _| None);
        // A whitespace difference, so the pair is compared and not skipped as identical.
        let report = common::compat("x.avdl", text, &format!("{text} "));
        common::render_all(&report);
    }
});
