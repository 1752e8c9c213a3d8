//! What every fuzz target does with its input, so each target is one line.
//!
//! Besides "does not panic", the checks assert the contracts the pipeline
//! relies on without re-checking: a sniff is a percentage, a record's byte
//! range lies inside the input it came from (provenance cites it), line
//! numbers are 1-based with a record ending no earlier than it starts.

use std::sync::OnceLock;

use factline_parsers::{registry, Collected, Context, Parser};

pub use libfuzzer_sys;

/// Where the evidence sits inside its folder: parsers that read their
/// input's path (a Slack channel folder, a Jira key in a file name) see one.
const PATH: &str = "incident-chan/OPS-1842-2026-11-20.json";

/// Declares the fuzz target of the built-in parser whose id is the target's
/// name (`fuzz_targets/slack-export.rs` fuzzes `slack-export`).
#[macro_export]
macro_rules! parser_target {
    () => {
        $crate::libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            $crate::exercise($crate::parser(env!("CARGO_BIN_NAME")), data);
        });
    };
}

/// Every built-in parser, built once: building them per input would cost
/// more than most parses.
pub fn builtin() -> &'static [Box<dyn Parser>] {
    static PARSERS: OnceLock<Vec<Box<dyn Parser>>> = OnceLock::new();
    PARSERS.get_or_init(registry::builtin)
}

/// The built-in parser with this id.
pub fn parser(id: &str) -> &'static dyn Parser {
    builtin()
        .iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("no built-in parser has the id {id:?}: rename the target"))
        .as_ref()
}

/// Sniffs and parses `data` as the pipeline would, then parses it again
/// with a context. A parser with companions gets the bytes after the first
/// NUL as every companion (the fuzzer varies both files from one input) and
/// the bytes before it as the file itself.
pub fn exercise(parser: &dyn Parser, data: &[u8]) {
    if let Some(confidence) = parser.sniff(data) {
        assert!(
            confidence <= 100,
            "{}: sniff gave {confidence}%",
            parser.id()
        );
    }
    let mut out = Collected::default();
    parser.parse(data, &mut out);
    check(parser, data, &out);

    let (input, companion) = match data.iter().position(|&b| b == 0) {
        Some(nul) if !parser.companions().is_empty() => (&data[..nul], &data[nul + 1..]),
        _ => (data, &[][..]),
    };
    let companions: Vec<(String, Vec<u8>)> = parser
        .companions()
        .iter()
        .map(|name| (name.to_string(), companion.to_vec()))
        .collect();
    let context = Context {
        path: PATH,
        companions: &companions,
    };
    let mut out = Collected::default();
    parser.parse_in(input, &context, &mut out);
    check(parser, input, &out);
}

fn check(parser: &dyn Parser, input: &[u8], out: &Collected) {
    let id = parser.id();
    for r in &out.records {
        assert!(
            r.span.start <= r.span.end && r.span.end <= input.len(),
            "{id}: span {:?} outside an input of {} bytes",
            r.span,
            input.len()
        );
        if let Some(line) = r.line {
            assert!(line >= 1, "{id}: line 0");
            if let Some(end) = r.line_end {
                assert!(end >= line, "{id}: lines {line}..{end}");
            }
        }
    }
    for p in &out.problems {
        assert_ne!(p.line, Some(0), "{id}: problem on line 0");
    }
}
