#![no_main]
//! Whichever built-in parser the first byte picks, on the rest of the input,
//! and detection over every parser as the pipeline runs it: parsers added
//! later are fuzzed here before they get a target of their own.

use factline_parsers::registry;
use factline_parsers_fuzz::{builtin, exercise};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let parsers = builtin();
    exercise(parsers[usize::from(pick) % parsers.len()].as_ref(), rest);
    let _ = registry::detect(parsers, rest);
});
