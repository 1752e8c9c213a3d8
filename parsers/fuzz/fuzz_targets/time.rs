#![no_main]
//! The timestamp readers every parser shares. The first byte picks the epoch
//! unit `parse_field` is told, the rest is the text.

use factline_parsers::time::{self, EpochUnit};

const UNITS: [Option<EpochUnit>; 5] = [
    None,
    Some(EpochUnit::Seconds),
    Some(EpochUnit::Millis),
    Some(EpochUnit::Micros),
    Some(EpochUnit::Nanos),
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if let Some((_, used)) = time::parse_leading(&text) {
        // Line parsers slice the text after the timestamp at `used`.
        assert!(
            used > 0 && text.is_char_boundary(used),
            "consumed {used} of {text:?}"
        );
    }
    let _ = time::parse_field(&text, UNITS[usize::from(pick) % UNITS.len()]);
});
