//! Helpers shared by the parsers' unit tests.

use chrono::NaiveDateTime;

use crate::time::{format_utc, TimeValue};
use crate::{Collected, Parser, Record};

/// Runs `parser` over `input` and returns everything it pushed.
pub(crate) fn run(parser: &dyn Parser, input: &[u8]) -> Collected {
    let mut out = Collected::default();
    parser.parse(input, &mut out);
    out
}

/// [`run`] for text input.
pub(crate) fn run_str(parser: &dyn Parser, input: &str) -> Collected {
    run(parser, input.as_bytes())
}

/// The record's time as RFC 3339 UTC; panics unless it is absolute.
pub(crate) fn utc(record: &Record) -> String {
    match record.time.value {
        TimeValue::Utc(micros) => format_utc(micros),
        other => panic!("not UTC: {other:?}"),
    }
}

fn local_time(record: &Record) -> NaiveDateTime {
    match record.time.value {
        TimeValue::Local(t) => t,
        other => panic!("not naive: {other:?}"),
    }
}

/// The record's naive local time to the second; panics unless it is naive.
pub(crate) fn naive(record: &Record) -> String {
    local_time(record).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The record's naive local time to the microsecond; panics unless it is naive.
pub(crate) fn naive_micro(record: &Record) -> String {
    local_time(record)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// The value of the record's first attribute named `key`.
pub(crate) fn attr<'r>(record: &'r Record, key: &str) -> Option<&'r str> {
    record.attribute(key)
}

/// A proptest that `sniff` and `parse` of each given parser never panic on
/// arbitrary bytes.
macro_rules! never_panics {
    ($($parser:expr),+ $(,)?) => {
        ::proptest::proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(
                bytes in ::proptest::collection::vec(::proptest::prelude::any::<u8>(), 0..512)
            ) {
                for parser in [$(&$parser as &dyn $crate::Parser),+] {
                    let _ = parser.sniff(&bytes);
                    let mut out = $crate::Collected::default();
                    parser.parse(&bytes, &mut out);
                }
            }
        }
    };
}
pub(crate) use never_panics;

/// Asserts that `parser` sniffs none of `others`.
pub(crate) fn assert_rejects(parser: &dyn Parser, others: &[&[u8]]) {
    for other in others {
        assert_eq!(
            parser.sniff(other),
            None,
            "{}",
            String::from_utf8_lossy(other)
        );
    }
}

/// Each record's UTC time (see [`utc`]) and message.
pub(crate) fn utc_messages(out: &Collected) -> Vec<(String, &str)> {
    out.records
        .iter()
        .map(|r| (utc(r), r.message.as_str()))
        .collect()
}

/// Each problem's line and locator.
pub(crate) fn problem_places(out: &Collected) -> Vec<(Option<u64>, Option<&str>)> {
    out.problems
        .iter()
        .map(|p| (p.line, p.locator.as_deref()))
        .collect()
}

/// The text of `input` each record's span covers.
pub(crate) fn span_texts<'a>(out: &Collected, input: &'a str) -> Vec<&'a str> {
    out.records.iter().map(|r| &input[r.span.clone()]).collect()
}

/// Each problem's locator and reason.
pub(crate) fn problem_reasons(out: &Collected) -> Vec<(Option<&str>, &str)> {
    out.problems
        .iter()
        .map(|p| (p.locator.as_deref(), p.reason.as_str()))
        .collect()
}

/// [`assert_rejects`] for text.
pub(crate) fn assert_rejects_text(parser: &dyn Parser, others: &[&str]) {
    for other in others {
        assert_eq!(parser.sniff(other.as_bytes()), None, "{other}");
    }
}
