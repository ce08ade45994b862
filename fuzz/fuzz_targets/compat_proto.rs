//! The Protobuf comparators (Confluent's and buf's) on a pair derived from one input: a `.proto` file and a copy
//! mutated in one place.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((ctl, text)) = common::split(data) else {
        return;
    };
    let new = common::mutate_proto(text, &mut common::Dice(ctl));
    common::compat("x.proto", text, &new);
});
