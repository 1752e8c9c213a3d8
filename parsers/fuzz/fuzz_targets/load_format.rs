#![no_main]
//! Declarative format files as `--formats-dir` loads them. Input up to the
//! first NUL is the format file; a file that loads is then fuzzed as a
//! parser on the bytes after it.

use factline_parsers::declarative;
use factline_parsers_fuzz::exercise;

const NAME: &str = "fuzz.json";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (format, log) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, &[][..]),
    };
    match declarative::load_format(NAME, &String::from_utf8_lossy(format)) {
        Ok(parser) => exercise(parser.as_ref(), log),
        Err(e) => assert!(
            e.to_string().starts_with(&format!("format file {NAME}: ")),
            "a refusal must name the file: {e}"
        ),
    }
});
