//! Every renderer on the findings of a derived pair (any format, chosen by the first byte): no panic on any
//! location, message or line length.
#![no_main]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((ctl, text)) = common::split(data) else {
        return;
    };
    let mut dice = common::Dice(ctl);
    let report = match dice.next(3) {
        0 => {
            let new = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => common::mutate_json(&v, &mut dice),
                Err(_) => format!("{text} "),
            };
            common::compat("x.avsc", text, &new)
        }
        1 => {
            let new = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => common::mutate_json(&v, &mut dice),
                Err(_) => format!("{text} "),
            };
            common::compat("x.json", text, &new)
        }
        _ => {
            let new = common::mutate_proto(text, &mut dice);
            common::compat("x.proto", text, &new)
        }
    };
    common::render_all(&report);
});
