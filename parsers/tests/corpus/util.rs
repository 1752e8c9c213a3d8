//! What every corpus test does: pick a parser as ingest does, read a
//! record's time, attributes and the like.

use factline_parsers::registry::{builtin, detect};
use factline_parsers::time::{format_utc, TimeValue};
use factline_parsers::{Collected, Parser, Record};

/// Detection looks at this much of a file, as ingest does.
const HEAD: usize = 64 * 1024;

/// The built-in parser `id`.
pub fn parser(id: &str) -> Box<dyn Parser> {
    builtin()
        .into_iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("no parser {id}"))
}

/// The id of the parser detection picks from the first 64 KiB of `bytes`.
pub fn detected_id(bytes: &[u8]) -> Option<String> {
    detect(&builtin(), &bytes[..bytes.len().min(HEAD)]).map(|d| d.parser.id().to_string())
}

/// Checks that detection picks `id` for `bytes` (`what` names them in a
/// failure), and parses them with it.
pub fn read_as(bytes: &[u8], id: &str, what: &str) -> Collected {
    assert_eq!(detected_id(bytes).as_deref(), Some(id), "{what}");
    let mut out = Collected::default();
    parser(id).parse(bytes, &mut out);
    out
}

/// A record's time, which must be absolute.
pub fn utc(record: &Record) -> String {
    match record.time.value {
        TimeValue::Utc(m) => format_utc(m),
        other => panic!("not UTC: {other:?}"),
    }
}

/// Every record's time, in order.
pub fn times(out: &Collected) -> Vec<String> {
    out.records.iter().map(utc).collect()
}

/// A record's attribute.
pub fn attr<'r>(record: &'r Record, key: &str) -> Option<&'r str> {
    record
        .attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
