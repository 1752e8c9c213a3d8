//! Log formats that no parser of their own reads, checked against the
//! parsers that should: HAProxy through syslog, Go zap's console encoder,
//! Laravel/Monolog, Spring Boot/Logback, daemontools' TAI64N labels and
//! lines prefixed with epoch milliseconds. The samples are BSD-2-Clause
//! files from lnav's test suite, copied to `fixtures/log-samples/`.
//!
//! Each file is detected from its first 64 KiB as the pipeline does, then
//! parsed whole; two records of each are checked with their exact times.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use factline_parsers::time::TimeValue;
use factline_parsers::{Collected, Level, Record};

use crate::util::{detected_id, read_as, utc};

fn sample(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../fixtures/log-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Detects and parses a sample; returns the detected id and the output.
fn run(name: &str) -> (String, Collected) {
    let bytes = sample(name);
    let id = detected_id(&bytes).unwrap_or_else(|| panic!("{name}: no parser accepts it"));
    let out = read_as(&bytes, &id, name);
    assert!(out.problems.is_empty(), "{name}: {:?}", out.problems);
    (id, out)
}

fn local(record: &Record) -> NaiveDateTime {
    match record.time.value {
        TimeValue::Local(t) => t,
        other => panic!("not naive: {other:?}"),
    }
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, milli: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_milli_opt(h, mi, s, milli))
        .expect("valid date")
}

#[test]
fn haproxy_through_syslog_has_no_year_and_no_zone() {
    let (id, out) = run("haproxy.log");
    assert_eq!(id, "syslog-rfc3164");
    assert_eq!(out.records.len(), 17);
    let no_year = |r: &Record| match r.time.value {
        TimeValue::NoYear { month, day, time } => (month, day, time),
        other => panic!("not a yearless time: {other:?}"),
    };
    let first = &out.records[0];
    assert_eq!(
        no_year(first),
        (2, 25, NaiveTime::from_hms_opt(16, 19, 38).expect("time"))
    );
    assert_eq!(first.host.as_deref(), Some("192.168.4.2"));
    assert_eq!(first.service.as_deref(), Some("haproxy"));
    assert_eq!(first.message, "Proxy prod_http_in started.");
    let request = &out.records[3];
    assert_eq!(request.line, Some(4));
    assert_eq!(
        no_year(request),
        (2, 25, NaiveTime::from_hms_opt(16, 19, 49).expect("time"))
    );
    assert!(request
        .message
        .starts_with("141.35.244.171:53332 [25/Feb/2019:16:19:48.143]"));
}

#[test]
fn go_zap_console_lines_are_utc_with_their_stack_trace() {
    let (id, out) = run("otelcol_zap_console_with_stack.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 3);
    assert_eq!(utc(&out.records[0]), "2025-04-24T22:09:20.854000Z");
    assert_eq!(out.records[0].level, Some(Level::Info));
    let failed = &out.records[1];
    assert_eq!(utc(failed), "2025-04-24T22:09:20.856000Z");
    assert_eq!(failed.level, Some(Level::Error));
    assert_eq!((failed.line, failed.line_end), (Some(2), Some(8)));
    assert!(failed.message.contains("Exporting failed. Dropping data."));
    assert!(failed.message.ends_with("exporterqueue/async_queue.go:47"));
}

#[test]
fn laravel_lines_are_naive_with_channel_and_level() {
    let (id, out) = run("laravel_stacktrace.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 4);
    let emergency = &out.records[0];
    assert_eq!(local(emergency), at(2025, 1, 2, 11, 19, 6, 0));
    assert_eq!(emergency.level, Some(Level::Critical));
    assert_eq!(emergency.service.as_deref(), Some("laravel"));
    assert_eq!((emergency.line, emergency.line_end), (Some(1), Some(31)));
    let info = &out.records[3];
    assert_eq!(local(info), at(2025, 1, 2, 11, 19, 6, 0));
    assert_eq!(info.line, Some(64));
    assert_eq!(info.level, Some(Level::Info));
    assert_eq!(info.service.as_deref(), Some("local"));
    assert!(info.message.starts_with("Request processed"));
}

#[test]
fn spring_boot_lines_are_naive_with_comma_milliseconds() {
    let (id, out) = run("spring_boot_app.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 20);
    let first = &out.records[0];
    assert_eq!(local(first), at(2025, 1, 24, 7, 0, 30, 139));
    assert_eq!(first.time.text, "2025-01-24T07:00:30,139");
    assert_eq!(first.level, Some(Level::Info));
    let started = &out.records[11];
    assert_eq!(started.line, Some(12));
    assert_eq!(local(started), at(2025, 1, 24, 7, 0, 42, 838));
    assert_eq!(started.service.as_deref(), Some("FarmApplication"));
    assert!(started
        .message
        .ends_with("Started FarmApplication in 13.531 seconds (process running for 16.066)"));
}

#[test]
fn tai64n_labels_are_utc() {
    let (id, out) = run("tai64n.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 10);
    // 0x4000000043322583 − (2^62 + 10) seconds, 0x3b6e1a8c nanoseconds.
    assert_eq!(utc(&out.records[0]), "2005-09-22T03:31:05.997071Z");
    assert_eq!(out.records[0].message, "tcpserver: status: 5/30");
    assert_eq!(utc(&out.records[2]), "2005-09-22T03:31:06.210090Z");
    assert_eq!(out.records[2].line, Some(3));
}

#[test]
fn epoch_millisecond_prefixes_are_utc() {
    let (id, out) = run("epoch_millis_prefix.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 2);
    assert_eq!(utc(&out.records[0]), "2015-04-10T02:58:07.123000Z");
    assert_eq!(out.records[0].message, "Hello, World!");
    assert_eq!(utc(&out.records[1]), "2015-04-10T02:58:07.456000Z");
    assert_eq!(out.records[1].message, "Goodbye, World!");
}

#[test]
fn an_unknown_zone_word_leaves_the_time_naive_and_marked() {
    let (id, out) = run("invalid_tz_suffix.log");
    assert_eq!(id, "text-log");
    assert_eq!(out.records.len(), 2);
    let first = &out.records[0];
    assert_eq!(
        local(first),
        at(2015, 4, 24, 21, 8, 10, 313) + chrono::Duration::microseconds(913)
    );
    assert!(first.time.unknown_zone);
    assert_eq!(first.level, Some(Level::Error));
    assert_eq!(
        local(&out.records[1]),
        at(2015, 4, 24, 21, 8, 58, 430) + chrono::Duration::microseconds(632)
    );
}
