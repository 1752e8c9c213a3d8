//! Log-platform exports: what responders pull out of the system their logs
//! live in, as the product or its official CLI writes it (Elasticsearch and
//! OpenSearch, Grafana Loki, AWS CloudWatch Logs, Google Cloud Logging,
//! Azure Monitor, Datadog, Splunk).
//!
//! A platform record often carries the original log line (Splunk's `_raw`,
//! Loki's line, CloudWatch's `message`, `textPayload`). [`InnerLines`]
//! reads it with the line parser of its own format when one accepts it,
//! so an nginx line in a Loki stream becomes the same event as in the
//! file on the host, while the record keeps the platform's labels and its
//! place in the export. Which time wins is said in `docs/time.md`.

pub(crate) mod azure_monitor;
pub(crate) mod cloudwatch;
pub(crate) mod containers;
pub(crate) mod csv_log;
pub(crate) mod datadog;
pub(crate) mod elasticsearch;
pub(crate) mod gcp_logging;
pub(crate) mod loki;
pub(crate) mod splunk;

use std::sync::OnceLock;

use memchr::memmem;

use crate::input::csv_rows::CsvRow;
use crate::record::{add_identifier, Kind, Level, Record};
use crate::time::{format_utc, TimeValue, Timestamp};
use crate::Parser;

/// The line parsers an inner line may be written in.
fn line_parsers() -> &'static [Box<dyn Parser>] {
    static PARSERS: OnceLock<Vec<Box<dyn Parser>>> = OnceLock::new();
    PARSERS.get_or_init(|| {
        let mut all: Vec<Box<dyn Parser>> = vec![
            Box::new(crate::logs::access::AccessLog),
            Box::new(crate::logs::apache_error::ApacheError),
            Box::new(crate::logs::jsonl::JsonLines),
            Box::new(crate::logs::logfmt::Logfmt),
            Box::new(crate::logs::syslog::Rfc3164),
            Box::new(crate::logs::syslog::Rfc5424),
            Box::new(crate::logs::textlog::TextLog),
        ];
        all.extend(crate::declarative::builtin_formats());
        all
    })
}

/// Reads the original log lines that platform records carry.
#[derive(Default)]
pub(crate) struct InnerLines {
    /// The parser that read the previous line: the lines of one export are
    /// mostly of one format, so it is tried first and the ranking of every
    /// line parser is paid only when it declines.
    last: Option<usize>,
}

impl InnerLines {
    /// `line` read by the line parser of its format, with that parser's id.
    fn read(&mut self, line: &str) -> Option<(Record, &'static str)> {
        let parsers = line_parsers();
        // The last parser's sniff is not asked again: reading the line
        // without a problem is its answer.
        if let Some(parser) = self.last.and_then(|i| parsers.get(i)) {
            if let Some(record) = parser.read_line(line) {
                return Some((record, parser.id()));
            }
        }
        let (index, parser, _) =
            crate::ranking::best_sniff(parsers.iter().map(|p| p.as_ref()), line.as_bytes())?;
        let record = parser.read_line(line)?;
        self.last = Some(index);
        Some((record, parser.id()))
    }

    /// Reads `line`, the original log line `record` carries, into it: the
    /// line's message, level, actor, identifiers and attributes; its time
    /// when it carries a zone (else the platform's stays, and the line's is
    /// kept as `line_time`), except that of two times within a few seconds
    /// of each other the more finely written is kept (an access line's
    /// whole second against the platform's milliseconds); the platform's
    /// host and service when it names them. A line no parser reads leaves
    /// the record as it is; whether one did is returned, so that a caller
    /// works out the message it would keep only when it is kept.
    pub(crate) fn apply(&mut self, record: &mut Record, line: &str) -> bool {
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            return false;
        }
        let Some((inner, format)) = self.read(line).or_else(|| untimed(line, &record.time)) else {
            // A plain line still often opens with its level (`ERROR x`).
            if record.level.is_none() {
                record.level = Level::from_message_start(line);
            }
            return false;
        };
        merge(record, inner, format);
        true
    }

    /// [`InnerLines::apply`] for a record whose original line is a JSON
    /// document already read (an Elasticsearch hit's `_source`), read as
    /// the JSON-lines parser reads such a line, without reading its text
    /// again.
    pub(crate) fn apply_document(
        record: &mut Record,
        document: &crate::logs::jsonl::Document<'_>,
    ) -> bool {
        let Some(inner) = document.record(&record.time) else {
            return false;
        };
        merge(record, inner, "jsonl");
        true
    }
}

/// What `inner`, read by the line parser `format` from the line `record`
/// carries, adds to `record` (see [`InnerLines::apply`]).
fn merge(record: &mut Record, inner: Record, format: &str) {
    record
        .attributes
        .push(("line_format".into(), format.to_string()));
    match (inner.time.value, record.time.value) {
        (TimeValue::Utc(own), TimeValue::Utc(platform)) => {
            let delta = own - platform;
            if delta.abs() > crate::time::CLOCKS_DISAGREE_BEYOND {
                record
                    .attributes
                    .push(("platform_time".into(), format_utc(platform)));
                record.attributes.push((
                    "time_disagreement_s".into(),
                    format!("{:.3}", delta as f64 / 1e6),
                ));
                record.time = inner.time;
            } else if finest(own) <= finest(platform) {
                record.time = inner.time;
            }
        }
        (TimeValue::Utc(_), _) => record.time = inner.time,
        _ => record
            .attributes
            .push(("line_time".into(), inner.time.text.clone())),
    }
    record.kind = inner.kind;
    record.message = inner.message;
    record.level = inner.level.or(record.level);
    record.actor = inner.actor.or(record.actor.take());
    record.host = record.host.take().or(inner.host);
    record.service = record.service.take().or(inner.service);
    record.correlation = inner.correlation.or(record.correlation.take());
    record.lossy_utf8 |= inner.lossy_utf8;
    for identifier in inner.identifiers {
        add_identifier(record, identifier);
    }
    record.attributes.extend(inner.attributes);
}

/// `line` read as a structured line without a time of its own (JSON or
/// logfmt naming a level or a message), at the platform's `time`, with
/// the id of the format it is in. Line parsers decline such a line, since
/// a log line needs a time, but inside a platform record the platform's
/// time stands for it.
fn untimed(line: &str, time: &Timestamp) -> Option<(Record, &'static str)> {
    let (fields, format) = if line.trim_start().starts_with('{') {
        (
            crate::logs::jsonl::untimed_fields(line, time.clone())?,
            "jsonl",
        )
    } else {
        (
            crate::logs::logfmt::untimed_fields(line, time.clone())?,
            "logfmt",
        )
    };
    Some((fields.into_unplaced_record(), format))
}

/// The finest unit in which `micros` is not a whole number: what a time
/// really says, whatever its unit (Loki writes whole seconds in
/// nanoseconds). 1 for microseconds, up to 1,000,000 for whole seconds.
fn finest(micros: i64) -> i64 {
    [1_000_000, 1_000]
        .into_iter()
        .find(|unit| micros % unit == 0)
        .unwrap_or(1)
}

/// A log record for a CSV row of an export.
pub(crate) fn row_record(row: &CsvRow, time: Timestamp, message: String) -> Record {
    Record {
        line: Some(row.line),
        line_end: Some(row.line_end),
        locator: Some(row.locator()),
        span: row.span.clone(),
        lossy_utf8: row.lossy,
        ..Record::new(Kind::Log, time, message)
    }
}

/// The level words platforms use besides the usual ones: Datadog's `ok`
/// and `emergency`, Google's `DEFAULT`.
pub(crate) fn level(word: &str) -> Option<Level> {
    match word.trim().to_ascii_lowercase().as_str() {
        "ok" | "default" | "success" => Some(Level::Info),
        _ => Level::from_word(word),
    }
}

/// The index of the first cell of a CSV header named `name` (any case).
pub(crate) fn column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|cell| cell.trim().eq_ignore_ascii_case(name))
}

/// The escape-free JSON strings of `head` after its first `"key"`, in
/// order: the values of arrays (Loki's `values`, Azure's `rows`) that a
/// key scan cannot reach. A head may be cut anywhere, so a string cut off
/// by its end is not returned.
pub(crate) fn strings_after<'a>(head: &'a [u8], key: &str) -> impl Iterator<Item = &'a str> + 'a {
    let needle = format!("\"{key}\"");
    let mut at = memmem::find(head, needle.as_bytes()).map(|i| i + needle.len());
    std::iter::from_fn(move || {
        let from = at?;
        let rest = head.get(from..)?;
        let open = memchr::memchr(b'"', rest)?;
        let body = rest.get(open + 1..)?;
        let mut escaped = false;
        let close = body.iter().position(|&b| {
            let end = !escaped && b == b'"';
            escaped = !escaped && b == b'\\';
            end
        })?;
        at = Some(from + open + 1 + close + 1);
        let value = &body[..close];
        if value.contains(&b'\\') {
            return Some("");
        }
        Some(std::str::from_utf8(value).unwrap_or(""))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{attr, utc};
    use crate::time::parse_field;

    fn platform(time: &str, message: &str) -> Record {
        Record::new(Kind::Log, parse_field(time, None).unwrap(), message)
    }

    /// A record with its position cleared, for comparing what two ways of
    /// reading a line say of the event.
    fn unplaced(mut record: Record) -> Record {
        (record.line, record.line_end, record.span) = (None, None, 0..0);
        record.locator = None;
        record
    }

    proptest::proptest! {
        /// The line formats that read a line by itself read what parsing
        /// it as an input of its own reads.
        #[test]
        fn a_line_read_alone_reads_as_parsed(
            line in r#"(ts=2026-03-01T00:00:0[0-9]Z |level=(info|ERROR) |msg="[a-z =]{0,8}" |[a-z]{1,3}=[a-z0-9.]{0,4} |\{"time":"2026-03-01T00:00:01Z","msg":"x"\} |\{"resourceLogs":\[\{"scopeLogs":\[\{"logRecords":\[(\{"timeUnixNano":"1700000003000000000","body":\{"stringValue":"x"\}\},?){0,2}\]\}\]\}\]\} |\r|\n| )*"#
        ) {
            for parser in [&crate::logs::logfmt::Logfmt as &dyn Parser, &crate::logs::jsonl::JsonLines] {
                let alone = parser.read_line(&line).map(unplaced);
                let parsed = crate::record::one_record(parser, &line).map(unplaced);
                proptest::prop_assert_eq!(alone, parsed, "{}", parser.id());
            }
        }
    }

    #[test]
    fn a_zoned_line_time_wins_and_a_disagreement_is_flagged() {
        let mut inner = InnerLines::default();
        let mut record = platform("2022-04-11T16:29:40Z", "x");
        record.host = Some("web-1".to_string());
        inner.apply(
            &mut record,
            "169.254.0.1 - - [11/Apr/2022:16:29:47 +0000] \"GET / HTTP/1.1\" 200 117\n",
        );
        assert_eq!(utc(&record), "2022-04-11T16:29:47.000000Z");
        assert_eq!(attr(&record, "line_format"), Some("access-log"));
        assert_eq!(
            attr(&record, "platform_time"),
            Some("2022-04-11T16:29:40.000000Z")
        );
        assert_eq!(attr(&record, "time_disagreement_s"), Some("7.000"));
        assert_eq!(record.host.as_deref(), Some("web-1"));
        assert!(record.message.contains("GET /"));
    }

    #[test]
    fn a_line_without_zone_keeps_the_platform_time() {
        let mut inner = InnerLines::default();
        let mut record = platform("2026-11-20T10:00:01.250Z", "x");
        inner.apply(
            &mut record,
            "time=\"2026-11-20 10:00:01\" level=error msg=\"db down\"",
        );
        assert_eq!(utc(&record), "2026-11-20T10:00:01.250000Z");
        assert_eq!(record.level, Some(Level::Error));
        assert_eq!(record.message, "db down");
        assert_eq!(attr(&record, "line_time"), Some("2026-11-20 10:00:01"));
        assert_eq!(attr(&record, "platform_time"), None);
    }

    #[test]
    fn an_unreadable_line_leaves_the_record_alone() {
        let mut inner = InnerLines::default();
        let mut record = platform("2026-11-20T10:00:00Z", "just words");
        let before = record.clone();
        inner.apply(&mut record, "just words");
        assert_eq!(record, before);
    }

    #[test]
    fn structured_lines_without_a_time_are_read_at_the_platform_time() {
        let mut inner = InnerLines::default();
        let mut record = platform("2026-11-20T10:00:01.250Z", "x");
        assert!(inner.apply(
            &mut record,
            r#"level=error msg="db pool exhausted" request_id=r-77 pool=main"#,
        ));
        assert_eq!(utc(&record), "2026-11-20T10:00:01.250000Z");
        assert_eq!(record.level, Some(Level::Error));
        assert_eq!(
            record.message,
            "db pool exhausted request_id=r-77 pool=main"
        );
        assert_eq!(attr(&record, "line_format"), Some("logfmt"));

        let mut record = platform("2026-11-20T10:00:02Z", "x");
        assert!(inner.apply(
            &mut record,
            r#"{"severity":"WARNING","message":"retrying upstream","trace_id":"t-9"}"#,
        ));
        assert_eq!(utc(&record), "2026-11-20T10:00:02.000000Z");
        assert_eq!(record.level, Some(Level::Warn));
        assert_eq!(record.message, "retrying upstream");
        assert_eq!(record.correlation.as_deref(), Some("t-9"));
        assert_eq!(attr(&record, "line_format"), Some("jsonl"));
    }

    #[test]
    fn a_plain_line_gives_its_leading_level_and_nothing_else() {
        let mut inner = InnerLines::default();
        let mut record = platform("2026-11-20T10:00:00Z", "ERROR upstream timed out");
        assert!(!inner.apply(&mut record, "ERROR upstream timed out"));
        assert_eq!(record.level, Some(Level::Error));
        assert_eq!(attr(&record, "line_format"), None);
        // Neither prose with an `=` nor a JSON value that names no level
        // or message is taken for a structured line.
        for line in ["x=1 means the cache is cold", r#"{"count": 3}"#, "a=1 b=2"] {
            let mut record = platform("2026-11-20T10:00:00Z", line);
            let before = record.clone();
            assert!(!inner.apply(&mut record, line), "{line}");
            assert_eq!(record, before, "{line}");
        }
    }

    #[test]
    fn strings_after_a_key_stop_at_a_cut() {
        let head = br#"{"values":[["1667835811111000064","a \"q\""],["16678"#;
        let found: Vec<&str> = strings_after(head, "values").collect();
        assert_eq!(found, ["1667835811111000064", ""]);
    }
}
