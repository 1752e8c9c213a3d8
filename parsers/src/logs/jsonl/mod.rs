//! JSON lines (NDJSON): one JSON object per line, as written by structured
//! loggers (Bunyan, Pino, zap, ECS, Rust tracing, Serilog CLEF), MongoDB,
//! journald (`journalctl -o json`), Cloudflare Logpush and the OpenTelemetry
//! Collector's file exporter.
//!
//! Fields are found by the names these writers use, case-insensitively, as a
//! dotted key (`"log.level"`) or as nested objects (`{"log": {"level": ..}}`).

use std::borrow::Cow;
use std::cell::Cell;

use serde_json::{Map, Number, Value};

use crate::input::lines::{self, Fields, Line};
use crate::record::{Level, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

mod journald_pretty;
mod object;
pub(crate) use journald_pretty::JournaldPretty;
pub(crate) use object::View;
use object::{Found, Member, Object};

/// One JSON object per line.
pub struct JsonLines;

/// Time fields, best first: a writer that has several (journald, OTLP,
/// Cloudflare) lists the event's own time before the time it was recorded.
const TIME_KEYS: &[Candidate] = &candidates([
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "t",
    "t.$date",
    "@t",
    "datetime",
    "date",
    "_SOURCE_REALTIME_TIMESTAMP",
    "__REALTIME_TIMESTAMP",
    "timeUnixNano",
    "time_unix_nano",
    "observedTimeUnixNano",
    "observed_time_unix_nano",
    "timestamp_ms",
    "time_ms",
    "ts_ms",
    "timeMillis",
    "eventTime",
    "event_time",
    "EdgeStartTimestamp",
    "created_at",
    "createdAt",
    "create_at",
]);

const LEVEL_KEYS: &[Candidate] = &candidates([
    "level",
    "log.level",
    "severity",
    "lvl",
    "levelname",
    "level_name",
    "loglevel",
    "severityText",
    "severity_text",
    "severityNumber",
    "severity_number",
    "@l",
    "PRIORITY",
]);

const MESSAGE_KEYS: &[Candidate] = &candidates([
    "message",
    "msg",
    "@m",
    "fields.message",
    "body.stringValue",
    "body",
    "log",
    "text",
    "@mt",
]);

const HOST_KEYS: &[Candidate] = &candidates(["hostname", "host.name", "host", "_HOSTNAME"]);

/// Request and trace ids ([`Record::correlation`]).
const CORRELATION_KEYS: &[Candidate] = &candidates([
    "request_id",
    "requestId",
    "req_id",
    "x_request_id",
    "trace_id",
    "traceId",
    "trace.id",
    "correlation_id",
]);

const SERVICE_KEYS: &[Candidate] = &candidates([
    "service.name",
    "service",
    "app",
    "application",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "component",
    "logger",
    "log.logger",
    "logger_name",
    "name",
    "target",
]);

/// A key a field may be under, with the [`filter_bit`]s of it and of each
/// head it splits into at a dot: an object none of whose keys has one of
/// those bits cannot hold it, which rules out most candidates of a line
/// without comparing a single key.
#[derive(Clone, Copy)]
struct Candidate {
    path: &'static str,
    bits: u64,
}

const fn candidates<const N: usize>(paths: [&'static str; N]) -> [Candidate; N] {
    let mut out = [Candidate { path: "", bits: 0 }; N];
    let mut i = 0;
    while i < N {
        let path = paths[i];
        let bytes = path.as_bytes();
        let first = if bytes.is_empty() { 0 } else { bytes[0] };
        let mut bits = filter_bit(bytes.len(), first);
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] == b'.' {
                bits |= filter_bit(at, if at == 0 { 0 } else { first });
            }
            at += 1;
        }
        out[i] = Candidate { path, bits };
        i += 1;
    }
    out
}

/// One of 64 bits shared by every name of this length and (ASCII case
/// folded) first byte, 0 for the empty name: what a case-insensitive match
/// needs equal.
const fn filter_bit(len: usize, first: u8) -> u64 {
    1 << (len
        .wrapping_mul(31)
        .wrapping_add(first.to_ascii_lowercase() as usize)
        % 64)
}

fn name_bit(name: &str) -> u64 {
    filter_bit(name.len(), name.as_bytes().first().copied().unwrap_or(0))
}

/// The names under which OTLP/JSON nests its log records, in the protobuf
/// JSON mapping (camelCase) and as some exporters write them (snake_case).
const OTLP_RESOURCE_LOGS: &[&str] = &["resourceLogs", "resource_logs"];
const OTLP_SCOPE_LOGS: &[&str] = &["scopeLogs", "scope_logs", "instrumentationLibraryLogs"];
const OTLP_LOG_RECORDS: &[&str] = &["logRecords", "log_records"];

impl Parser for JsonLines {
    fn id(&self) -> &str {
        "jsonl"
    }

    fn description(&self) -> &str {
        "JSON lines: one JSON object per line (Bunyan, Pino, zap, ECS, journald, OTLP, Cloudflare)"
    }

    fn specificity(&self) -> u8 {
        60
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let seen = Cell::new(0u32);
        let objects = Cell::new(0u32);
        let timed = Cell::new(0u32);
        lines::sniff(head, false, |line| {
            seen.set(seen.get() + 1);
            match parse_object(line) {
                Ok(object) => {
                    objects.set(objects.get() + 1);
                    if has_time(&object) {
                        timed.set(timed.get() + 1);
                    }
                    true
                }
                Err(_) => false,
            }
        })?;
        let (seen, objects, timed) = (seen.get(), objects.get(), timed.get());
        // Every line of JSON lines is an object: a head with other lines is
        // pretty-printed JSON or text that quotes JSON, unless they are a
        // few records a writer broke (over two lines, or cut short) among
        // objects that all carry a time, which neither of those gives.
        let broken_records = objects * 2 > seen && timed == objects;
        if timed == 0 || (objects < seen && !broken_records) {
            return None;
        }
        Some((timed * 100 / seen.max(1)).max(1) as u8)
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line is its own object (or batch of records).
        Some(true)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        // Not `lines::drive`: one OTLP line carries a batch of records.
        for line in lines::split(input) {
            if let Some(too_long) = lines::over_limit(&line) {
                sink.problem(too_long);
                continue;
            }
            let (text, lossy) = lines::text(line.bytes);
            if text.trim().is_empty() {
                continue;
            }
            let object = match parse_object(&text) {
                Ok(object) => object,
                Err(reason) => {
                    sink.problem(line_problem(&line, None, reason));
                    continue;
                }
            };
            if let Some((key, batch)) = otlp_batch(&object) {
                let records = otlp_records(key, batch);
                if records.is_empty() {
                    sink.problem(line_problem(
                        &line,
                        None,
                        "OTLP batch without log records".to_string(),
                    ));
                }
                for (locator, fields) in records {
                    match fields {
                        Ok(fields) => sink.record(record(&line, lossy, fields, Some(locator))),
                        Err(reason) => sink.problem(line_problem(&line, Some(locator), reason)),
                    }
                }
                continue;
            }
            match fields(&object) {
                Ok(fields) => sink.record(record(&line, lossy, fields, None)),
                Err(reason) => sink.problem(line_problem(&line, None, reason)),
            }
        }
    }

    fn read_line(&self, line: &str) -> Option<Record> {
        if !lines::is_one_line(line) {
            return crate::record::one_record(self, line);
        }
        Document::parse(line)?.timed_record()
    }
}

fn record(line: &Line<'_>, lossy: bool, fields: Fields, locator: Option<String>) -> Record {
    Record {
        locator,
        ..fields.into_record(line, lossy)
    }
}

fn line_problem(line: &Line<'_>, locator: Option<String>, reason: String) -> Problem {
    Problem {
        line: Some(line.number),
        locator,
        reason,
    }
}

/// [`Object::find`] inside a nested object.
fn nested<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let get = |key: &str| {
        map.get(key).or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    };
    if let Some(value) = get(path) {
        return Some(value);
    }
    dots(path).find_map(|dot| match get(path.get(..dot)?)? {
        Value::Object(inner) => nested(inner, path.get(dot + 1..)?),
        _ => None,
    })
}

/// Where `path` may split into nested keys. Key paths are short, so a plain
/// byte scan beats a searcher.
fn dots(path: &str) -> impl Iterator<Item = usize> + '_ {
    path.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'.')
        .map(|(i, _)| i)
}

/// The first of `keys` present in `map`.
fn nested_any<'a>(map: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|key| nested(map, key))
}

fn parse_object(line: &str) -> Result<Object<'_>, String> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    serde_json::from_str::<Object>(line).map_err(|e| format!("not a JSON object: {e}"))
}

/// The first candidate key whose value `read` accepts.
fn first<'a, T>(
    object: &'a Object<'_>,
    keys: &[Candidate],
    read: impl Fn(&'static str, View<'a>) -> Option<T>,
) -> Option<(Found<'a>, T)> {
    keys.iter()
        .filter(|key| object.bits & key.bits != 0)
        .find_map(|key| {
            let found = object.find(key.path)?;
            let value = read(key.path, found.value)?;
            Some((found, value))
        })
}

fn has_time(object: &Object<'_>) -> bool {
    if let Some((key, batch)) = otlp_batch(object) {
        return otlp_records(key, batch)
            .iter()
            .any(|(_, fields)| fields.is_ok());
    }
    first(object, TIME_KEYS, read_time).is_some()
}

/// Reads every field of one event from a flat log object.
fn fields(object: &Object<'_>) -> Result<Fields, String> {
    let (time_found, time) = first(object, TIME_KEYS, read_time).ok_or_else(|| {
        "no readable time field (looked for @timestamp, timestamp, time, ts, …)".to_string()
    })?;
    Ok(fields_at(object, time, Some(time_found)))
}

/// The fields of a JSON log line that carries its own time, written inside
/// a line of another format (a container's line in `docker compose logs`).
pub(crate) fn timed_fields(line: &str) -> Option<Fields> {
    fields(&parse_object(line).ok()?).ok()
}

/// The fields of a JSON log line that carries no time of its own, read at
/// `time`: the line inside a log platform's record, which the platform
/// timed (a Loki stream of `{"level":"error","msg":…}` lines). `None`
/// when the line is not a JSON object or names neither a level nor a
/// message, so that any JSON value is not taken for a log line.
pub(crate) fn untimed_fields(line: &str, time: Timestamp) -> Option<Fields> {
    untimed_object_fields(&parse_object(line).ok()?, time)
}

fn untimed_object_fields(object: &Object<'_>, time: Timestamp) -> Option<Fields> {
    if has_time(object) || otlp_batch(object).is_some() {
        return None;
    }
    if first(object, LEVEL_KEYS, read_level).is_none()
        && first(object, MESSAGE_KEYS, read_message).is_none()
    {
        return None;
    }
    Some(fields_at(object, time, None))
}

/// A JSON document read once, for a log platform whose records are JSON
/// documents (an Elasticsearch hit's `_source`): its fields looked up by
/// name, and the document read as a line of JSON lines is, without
/// parsing its text again.
pub(crate) struct Document<'a>(Object<'a>);

impl<'a> Document<'a> {
    /// `text` as a JSON object.
    pub(crate) fn parse(text: &'a str) -> Option<Document<'a>> {
        parse_object(text).ok().map(Document)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    /// The value at `path`, one key or nested keys split at its dots
    /// (`log.level` written either way).
    pub(crate) fn field(&self, path: &str) -> Option<View<'_>> {
        self.0.find(path).map(|found| found.value)
    }

    /// Its top-level members holding text, in document order.
    pub(crate) fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .entries
            .iter()
            .filter_map(|(key, member)| match member {
                Member::Text(text) => Some((key.as_ref(), text.as_ref())),
                Member::Other(_) => None,
            })
    }

    /// The record the JSON-lines parser reads from the document as a line
    /// of its own: at its own time, or, when it names none but a level or
    /// a message, at `time`; `None` when it reads none (an OTLP batch of
    /// other than one record, a document naming neither).
    pub(crate) fn record(&self, time: &Timestamp) -> Option<Record> {
        self.timed_record().or_else(|| {
            untimed_object_fields(&self.0, time.clone()).map(Fields::into_unplaced_record)
        })
    }

    /// [`Document::record`] when the document carries its own time.
    fn timed_record(&self) -> Option<Record> {
        let object = &self.0;
        if let Some((key, batch)) = otlp_batch(object) {
            let mut records = otlp_records(key, batch).into_iter();
            return match (records.next(), records.next()) {
                (Some((_, Ok(fields))), None) => Some(fields.into_unplaced_record()),
                _ => None,
            };
        }
        fields(object).ok().map(Fields::into_unplaced_record)
    }
}

/// Every field but the time of one event from a flat log object; the
/// member the time was read from, if any, is not repeated in a message
/// made of the leftover members.
fn fields_at(object: &Object<'_>, time: Timestamp, time_found: Option<Found<'_>>) -> Fields {
    let level = first(object, LEVEL_KEYS, read_level);
    let host = first(object, HOST_KEYS, read_name);
    let service = first(object, SERVICE_KEYS, read_name);
    let message = match first(object, MESSAGE_KEYS, read_message) {
        Some((found, message)) if found.whole => with_changes(message, object),
        Some((_, message)) => message,
        None => {
            let used = [
                time_found.as_ref(),
                level.as_ref().map(|(found, _)| found),
                host.as_ref().map(|(found, _)| found),
                service.as_ref().map(|(found, _)| found),
            ]
            .map(|found| found.filter(|found| found.whole).map(|found| found.entry));
            leftover(object, &used)
        }
    };
    let mut fields = Fields::new(time, message);
    fields.level = level.map(|(_, level)| level);
    fields.host = host.map(|(_, host)| host);
    fields.service = service.map(|(_, service)| service);
    fields.correlation = first(object, CORRELATION_KEYS, read_name).map(|(_, id)| id);
    if let Some((level, component)) = mongodb_severity(object) {
        fields.level = Some(level);
        fields.service = component.or(fields.service);
    }
    fields
}

/// MongoDB 4.4+ logs (`{"t":{"$date":…},"s":"W","c":"NETWORK",…,"msg":…}`)
/// name the severity by a letter under `s` and the component under `c`,
/// keys too short to be read as level and service in any other document.
fn mongodb_severity(object: &Object<'_>) -> Option<(Level, Option<String>)> {
    object.find("t.$date")?;
    object.find("msg")?;
    let View::Text(severity) = object.find("s")?.value else {
        return None;
    };
    let level = match severity {
        "F" => Level::Critical,
        "E" => Level::Error,
        "W" => Level::Warn,
        "I" => Level::Info,
        "D" | "D1" | "D2" | "D3" | "D4" | "D5" => Level::Debug,
        _ => return None,
    };
    let component = object.find("c").and_then(|c| read_name("c", c.value));
    Some((level, component))
}

/// Top-level fields that say what changed: kept in the message, where a
/// reader of the timeline sees them ("feature flag changed flag=new_checkout
/// value=true"). Per-request identifiers (trace and request ids) are not:
/// they belong in the evidence the entry cites.
const CHANGE_KEYS: &[&str] = &[
    "flag",
    "feature",
    "value",
    "enabled",
    "state",
    "status",
    "status_code",
    "version",
    "from",
    "to",
    "from_version",
    "to_version",
    "old",
    "new",
    "old_value",
    "new_value",
    "previous",
    "replicas",
    "desired",
    "key",
    "reason",
    "change",
    "changed_by",
    "target",
    "image",
    "setting",
    "percentage",
    "rollout",
];
/// Longest text a message grows by, in bytes.
const MAX_CHANGE_TEXT: usize = 160;

/// `message` followed by the object's [`CHANGE_KEYS`] fields with scalar
/// values, as `key=value`, in the order the record writes them.
fn with_changes(mut message: String, object: &Object<'_>) -> String {
    let start = message.len();
    for (key, value) in &object.entries {
        if !CHANGE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            continue;
        }
        let value = match value {
            Member::Text(text) if !text.is_empty() && !text.contains('\n') => text.to_string(),
            Member::Other(v) if v.is_number() || v.is_boolean() => v.to_string(),
            _ => continue,
        };
        // Already said by the message itself ("rollout 2.14.0 finished").
        if message.contains(value.as_str()) && value.len() > 3 {
            continue;
        }
        let pair = format!(" {key}={value}");
        if message.len() - start + pair.len() > MAX_CHANGE_TEXT {
            break;
        }
        message.push_str(&pair);
    }
    message
}

/// The object without the fields already read, as compact JSON: with no
/// message field (Cloudflare Logpush) the rest of the line is the message.
fn leftover(object: &Object<'_>, used: &[Option<usize>]) -> String {
    // Written pair by pair: a `Map` would sort the keys.
    let rest: Vec<String> = object
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(&Some(*i)))
        .map(|(_, (k, v))| match v {
            Member::Text(s) => format!("{}:{}", Value::from(&**k), Value::from(&**s)),
            Member::Other(v) => format!("{}:{v}", Value::from(&**k)),
        })
        .collect();
    if rest.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", rest.join(","))
    }
}

/// The epoch unit a field's name declares.
///
/// Rule: journald's `__REALTIME_TIMESTAMP` is microseconds, OTLP's
/// `*UnixNano` and any `*_nano(s)`/`*_ns` nanoseconds, `*_us`/`*Micros`
/// microseconds and `*_ms`/`*Millis` milliseconds. Any other name leaves an
/// integer to [`EpochUnit::by_magnitude`] and makes a number with a decimal
/// fraction seconds (Caddy's `"ts":1646861401.5241024`).
fn unit_from_name(name: &str) -> Option<EpochUnit> {
    let ends = |suffixes: &[&str]| {
        suffixes.iter().any(|s| {
            name.len()
                .checked_sub(s.len())
                .and_then(|at| name.as_bytes().get(at..))
                .is_some_and(|end| end.eq_ignore_ascii_case(s.as_bytes()))
        })
    };
    if ends(&["realtime_timestamp"]) {
        Some(EpochUnit::Micros)
    } else if ends(&["nano", "nanos", "_ns"]) {
        Some(EpochUnit::Nanos)
    } else if ends(&["_us", "_usec", "micros"]) {
        Some(EpochUnit::Micros)
    } else if ends(&["_ms", "_msec", "millis"]) {
        Some(EpochUnit::Millis)
    } else {
        None
    }
}

fn read_time(key: &str, value: View<'_>) -> Option<Timestamp> {
    let unit = unit_from_name(key);
    let ts = match value {
        View::Text(s) => time::parse_field(s, unit).or_else(|| epoch_in_unit(s, unit))?,
        // Via the number's text, never f64: a 19-digit nanosecond integer
        // keeps every digit.
        View::Other(Value::Number(n)) => epoch_number(n, unit)?,
        _ => return None,
    };
    // Unset times serialise as 0 (OTLP, Go's zero epoch); no incident
    // evidence is from 1 January 1970.
    (ts.value != TimeValue::Utc(0)).then_some(ts)
}

fn epoch_number(n: &Number, unit: Option<EpochUnit>) -> Option<Timestamp> {
    epoch_in_unit(&n.to_string(), unit)
}

/// An epoch in a unit finer than seconds keeps only its integer part:
/// [`time::parse_epoch`] reads fractions on seconds only, and a fraction of
/// a millisecond is below what a timeline needs.
fn epoch_in_unit(text: &str, unit: Option<EpochUnit>) -> Option<Timestamp> {
    match unit {
        Some(u) if u != EpochUnit::Seconds => {
            let whole = text.trim().split('.').next()?;
            time::parse_epoch(whole, Some(u))
        }
        _ => time::parse_epoch(text, unit),
    }
}

fn read_level(key: &str, value: View<'_>) -> Option<Level> {
    let syslog = key.eq_ignore_ascii_case("PRIORITY");
    match value {
        // journald writes the syslog priority digit as a string.
        View::Text(s) if syslog => s
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 7)
            .map(Level::from_syslog_severity),
        View::Text(s) => Level::from_word(s),
        View::Other(Value::Number(n)) => {
            let v = n.as_u64()?;
            if syslog {
                u8::try_from(v)
                    .ok()
                    .filter(|p| *p <= 7)
                    .map(Level::from_syslog_severity)
            } else if key
                .get(..8)
                .is_some_and(|head| head.eq_ignore_ascii_case("severity"))
            {
                otlp_severity(v)
            } else {
                bunyan_level(v)
            }
        }
        _ => None,
    }
}

/// Bunyan and Pino levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error,
/// 60 fatal; custom levels in between round down. Numbers below 10 are not
/// Bunyan's and are too ambiguous (syslog? Python?) to read.
fn bunyan_level(v: u64) -> Option<Level> {
    Some(match v {
        10..=19 => Level::Trace,
        20..=29 => Level::Debug,
        30..=39 => Level::Info,
        40..=49 => Level::Warn,
        50..=59 => Level::Error,
        60.. => Level::Critical,
        _ => return None,
    })
}

/// OTLP `SeverityNumber`: four steps per level, 0 unspecified.
fn otlp_severity(v: u64) -> Option<Level> {
    Some(match v {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warn,
        17..=20 => Level::Error,
        21..=24 => Level::Critical,
        _ => return None,
    })
}

fn read_name(_key: &str, value: View<'_>) -> Option<String> {
    match value {
        View::Text(s) => {
            let name = s.trim();
            (!name.is_empty()).then(|| name.to_string())
        }
        View::Other(_) => None,
    }
}

fn read_message(_key: &str, value: View<'_>) -> Option<String> {
    let text = match value {
        View::Text(s) => Cow::Borrowed(s),
        // journald writes a message that is not valid UTF-8 as its bytes.
        View::Other(Value::Array(bytes)) => {
            let bytes: Option<Vec<u8>> = bytes
                .iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            Cow::Owned(String::from_utf8_lossy(&bytes?).into_owned())
        }
        _ => return None,
    };
    let text = text.trim_end_matches(['\n', '\r']);
    (!text.trim().is_empty()).then(|| text.to_string())
}

/// The `resourceLogs` array of an OTLP/JSON export line, with its key.
fn otlp_batch<'a>(object: &'a Object<'_>) -> Option<(&'static str, &'a Vec<Value>)> {
    OTLP_RESOURCE_LOGS
        .iter()
        .find_map(|&key| match object.find(key)?.value {
            View::Other(Value::Array(batch)) => Some((key, batch)),
            _ => None,
        })
}

/// Every log record of an OTLP batch, with its JSON path as locator. The
/// resource's `service.name` and `host.name` apply to all its records; the
/// instrumentation scope's name stands in for a missing service.
fn otlp_records(key: &str, batch: &[Value]) -> Vec<(String, Result<Fields, String>)> {
    let mut out = Vec::new();
    for (r, resource_logs) in batch.iter().enumerate() {
        let Value::Object(resource_logs) = resource_logs else {
            continue;
        };
        let attributes = nested(resource_logs, "resource.attributes");
        let service = otlp_attribute(attributes, "service.name");
        let host = otlp_attribute(attributes, "host.name");
        let Some((scope_key, Value::Array(scopes))) = OTLP_SCOPE_LOGS
            .iter()
            .find_map(|k| Some((*k, nested(resource_logs, k)?)))
        else {
            continue;
        };
        for (s, scope_logs) in scopes.iter().enumerate() {
            let Value::Object(scope_logs) = scope_logs else {
                continue;
            };
            let scope = nested_any(scope_logs, &["scope.name", "instrumentationLibrary.name"])
                .and_then(|v| read_name("", View::of(v)));
            let Some((records_key, Value::Array(records))) = OTLP_LOG_RECORDS
                .iter()
                .find_map(|k| Some((*k, nested(scope_logs, k)?)))
            else {
                continue;
            };
            for (l, log_record) in records.iter().enumerate() {
                let locator = format!("$.{key}[{r}].{scope_key}[{s}].{records_key}[{l}]");
                let fields = match log_record {
                    Value::Object(map) => {
                        let object = Object::new(
                            map.iter()
                                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Member::of(v)))
                                .collect(),
                        );
                        fields(&object).map(|mut fields| {
                            fields.host = fields.host.or_else(|| host.clone());
                            fields.service = fields
                                .service
                                .or_else(|| service.clone())
                                .or_else(|| scope.clone());
                            fields
                        })
                    }
                    _ => Err("OTLP log record is not an object".to_string()),
                };
                out.push((locator, fields));
            }
        }
    }
    out
}

/// A string attribute from an OTLP `[{"key": .., "value": {"stringValue": ..}}]` list.
fn otlp_attribute(attributes: Option<&Value>, name: &str) -> Option<String> {
    let Some(Value::Array(attributes)) = attributes else {
        return None;
    };
    attributes.iter().find_map(|attribute| {
        let Value::Object(attribute) = attribute else {
            return None;
        };
        if nested(attribute, "key")?.as_str()? != name {
            return None;
        }
        read_name("", View::of(nested(attribute, "value.stringValue")?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects_text, never_panics, run, run_str, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const BUNYAN: &str = r#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":20,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","msg":"Found gitlabci-include package files","time":"2023-03-24T14:26:16.243Z","v":0}
{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":30,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","baseBranch":"main","stats":{"managers":{"gitlabci":{"fileCount":1,"depCount":1},"gitlabci-include":{"fileCount":1,"depCount":1},"npm":{"fileCount":1,"depCount":15}},"total":{"fileCount":3,"depCount":17}},"msg":"Dependency extraction complete","time":"2023-03-24T14:26:16.243Z","v":0}
"#;

    #[test]
    fn a_change_record_keeps_what_changed_but_not_request_ids() {
        let out = run_str(
            &JsonLines,
            concat!(
                r#"{"ts":"2026-03-02T10:01:00Z","level":"info","service":"flags","msg":"feature flag changed","flag":"new_checkout","value":true,"changed_by":"flag-service","trace_id":"4bf92f3577b34da6"}"#,
                "\n",
                r#"{"ts":"2026-03-02T10:02:00Z","msg":"rollout 2.14.0 finished","version":"2.14.0","replicas":6,"request_id":"b1e9f4fd"}"#,
                "\n"
            ),
        );
        assert_eq!(
            out.records[0].message,
            "feature flag changed flag=new_checkout value=true changed_by=flag-service"
        );
        // The version is already in the words; the replica count is not.
        assert_eq!(out.records[1].message, "rollout 2.14.0 finished replicas=6");
    }

    #[test]
    fn bunyan_numeric_levels_hostname_and_name() {
        let out = run_str(&JsonLines, BUNYAN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let r = &out.records[0];
        assert_eq!(utc(r), "2023-03-24T14:26:16.243000Z");
        assert_eq!(r.level, Some(Level::Debug));
        assert_eq!(r.host.as_deref(), Some("renovate-gitlab-67c4bcb5-9ggbv"));
        assert_eq!(r.service.as_deref(), Some("renovate"));
        assert_eq!(r.message, "Found gitlabci-include package files");
        assert_eq!((r.line, r.line_end), (Some(1), Some(1)));
        assert_eq!(out.records[1].level, Some(Level::Info));
        assert_eq!(out.records[1].line, Some(2));
        assert_eq!(out.records[1].message, "Dependency extraction complete");
    }

    #[test]
    fn mongodb_severity_letters_and_components() {
        let out = run(
            &JsonLines,
            include_bytes!("../../../../fixtures/jsonl/lnav_mongodb_json.log"),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-03-10T20:58:09.401000Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("NETWORK"));
        assert_eq!(r.message, "Connection accepted");
        let r = &out.records[2];
        assert_eq!(utc(r), "2026-03-10T20:58:10.004000Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.service.as_deref(), Some("STORAGE"));
        assert_eq!(r.message, "Detected unclean shutdown");
        let debug =
            r#"{"t":{"$date":"2026-03-10T20:58:11.000+00:00"},"s":"D2","c":"REPL","msg":"x"}"#;
        assert_eq!(
            run_str(&JsonLines, debug).records[0].level,
            Some(Level::Debug)
        );
        // `s` and `c` mean nothing outside MongoDB's shape.
        let other = r#"{"time":"2026-03-10T20:58:11Z","s":"E","c":"x","msg":"y"}"#;
        let r = &run_str(&JsonLines, other).records[0];
        assert_eq!((r.level, r.service.as_deref()), (None, None));
    }

    #[test]
    fn caddy_float_seconds_keep_their_fraction() {
        let line = r#"{"level":"info","ts":1716723830.5081363,"logger":"http.log.access.log17","msg":"handled request","request":{"remote_ip":"10.5.1.1","remote_port":"38574","client_ip":"10.10.10.134","proto":"HTTP/2.0","method":"GET","host":"mirrors.tnonline.net:400","uri":"/gentoo/gentoo-portage/app-emulation/metadata.xml","headers":{"Accept":["*/*"]}},"bytes_read":0,"user_id":"","duration":0.000724332,"size":446,"status":200}"#;
        let out = run_str(&JsonLines, line);
        let r = &out.records[0];
        assert_eq!(utc(r), "2024-05-26T11:43:50.508136Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("http.log.access.log17"));
        // `request.host` is the HTTP host, not the machine's.
        assert_eq!(r.host, None);
        // The status says what the request came to (a 502 is not a 200).
        assert_eq!(r.message, "handled request status=200");
    }

    #[test]
    fn ecs_dotted_and_nested_keys() {
        let line = r#"{"@timestamp":"2025-01-13T09:58:13.633Z","log.level":"warning","message":"this is a warning message num=83","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":44,"name":"es_logger.py"},"function":"main"},"original":"this is a warning message num=83"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}}"#;
        let r = &run_str(&JsonLines, line).records[0];
        assert_eq!(utc(r), "2025-01-13T09:58:13.633000Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.service.as_deref(), Some("app"));
        assert_eq!(r.message, "this is a warning message num=83");
        let nested = r#"{"@timestamp":"2025-01-13T09:58:13.634Z","log":{"level":"critical","logger":"app"},"message":"x"}"#;
        assert_eq!(
            run_str(&JsonLines, nested).records[0].level,
            Some(Level::Critical)
        );
    }

    #[test]
    fn pino_epoch_millis_and_dotted_service() {
        let line = r#"{"level":"info","time":1745532517537,"pid":17,"hostname":"7d82d3f28bad","trace_id":"c759f29f5f1e2162be56f32dd1e77fce","span_id":"17c4a60ca4297cf1","trace_flags":"01","service.name":"payment","request":{"amount":{"currencyCode":"USD","units":{"low":513,"high":0,"unsigned":false},"nanos":999999996},"creditCard":{"creditCardNumber":"4929-6495-8333-3657","creditCardCvv":159,"creditCardExpirationYear":2039,"creditCardExpirationMonth":8}},"msg":"Charge request received."}"#;
        let r = &run_str(&JsonLines, line).records[0];
        assert_eq!(utc(r), "2025-04-24T22:08:37.537000Z");
        assert_eq!(r.time.precision, Precision::Milli);
        assert_eq!(r.host.as_deref(), Some("7d82d3f28bad"));
        assert_eq!(r.service.as_deref(), Some("payment"));
        assert_eq!(r.message, "Charge request received.");
    }

    #[test]
    fn rust_tracing_fields_message_and_target() {
        let line = r#"{"timestamp":"2025-10-28T19:15:10.821495Z","level":"TRACE","fields":{"message":"hello! I'm gonna shave a yak","excitement":"yay!"},"target":"fmt_json::yak_shave","spans":[{"yaks":3,"name":"shaving_yaks"},{"yak":1,"name":"shave"}],"threadName":"other","threadId":2}"#;
        let r = &run_str(&JsonLines, line).records[0];
        assert_eq!(utc(r), "2025-10-28T19:15:10.821495Z");
        assert_eq!(r.level, Some(Level::Trace));
        assert_eq!(r.service.as_deref(), Some("fmt_json::yak_shave"));
        assert_eq!(r.message, "hello! I'm gonna shave a yak");
    }

    #[test]
    fn journald_microsecond_strings_and_priority() {
        let line = r#"{ "__CURSOR" : "s=e991dd5775894620914f2f7126aae6c1;i=372a;b=0dc874d3fbd44bdbb6fbcfaa27481492;m=24ea327;t=573f280a663fd;x=9ceeb77ef4331563", "__REALTIME_TIMESTAMP" : "1534860261221373", "__MONOTONIC_TIMESTAMP" : "38708007", "_BOOT_ID" : "0dc874d3fbd44bdbb6fbcfaa27481492", "PRIORITY" : "1", "_MACHINE_ID" : "1234567890abcdef1234567890abcdef", "_HOSTNAME" : "imx6ul-medusa", "SYSLOG_FACILITY" : "3", "_UID" : "0", "_GID" : "0", "_SYSTEMD_SLICE" : "system.slice", "_CAP_EFFECTIVE" : "3fffffffff", "_TRANSPORT" : "stdout", "_STREAM_ID" : "d6422e98dfb24d128e274f917f04362f", "SYSLOG_IDENTIFIER" : "python", "_PID" : "184", "_COMM" : "python", "_EXE" : "/usr/bin/python2.7", "_CMDLINE" : "/usr/bin/python -u /usr/bin/medusa/GpsLocator/GpsLocator.py", "_SYSTEMD_CGROUP" : "/system.slice/medusa-GpsLocator.service", "_SYSTEMD_UNIT" : "medusa-GpsLocator.service", "_SYSTEMD_INVOCATION_ID" : "e8fb03c1b8bf47b8ac2fc82f9870fd57", "MESSAGE" : "GPS Reference longitude: 7.358143333" }"#;
        let r = &run_str(&JsonLines, line).records[0];
        assert_eq!(utc(r), "2018-08-21T14:04:21.221373Z");
        assert_eq!(r.time.precision, Precision::Micro);
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.host.as_deref(), Some("imx6ul-medusa"));
        assert_eq!(r.service.as_deref(), Some("python"));
        assert_eq!(r.message, "GPS Reference longitude: 7.358143333");
    }

    #[test]
    fn cloudflare_without_message_keeps_the_other_fields_in_order() {
        let line = r#"{"ClientIP":"87.226.160.250","ClientRequestHost":"www.ripe.net","ClientRequestMethod":"HEAD","ClientRequestURI":"/","EdgeEndTimestamp":"2022-10-30T00:00:02Z","EdgeResponseBytes":570,"EdgeResponseStatus":301,"EdgeStartTimestamp":"2022-10-30T00:00:02Z","RayID":"761fde4e984e5ab2"}"#;
        let r = &run_str(&JsonLines, line).records[0];
        assert_eq!(utc(r), "2022-10-30T00:00:02.000000Z");
        assert_eq!(r.level, None);
        assert_eq!(
            r.message,
            r#"{"ClientIP":"87.226.160.250","ClientRequestHost":"www.ripe.net","ClientRequestMethod":"HEAD","ClientRequestURI":"/","EdgeEndTimestamp":"2022-10-30T00:00:02Z","EdgeResponseBytes":570,"EdgeResponseStatus":301,"RayID":"761fde4e984e5ab2"}"#
        );
    }

    #[test]
    fn otlp_batches_become_one_record_per_log_record() {
        let input = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"order-service"}},{"key":"host.name","value":{"stringValue":"prod-02"}}]},"scopeLogs":[{"scope":{"name":"com.example.order"},"logRecords":[{"timeUnixNano":"1700000003000000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"Failed to update order status: database connection timeout"},"traceId":"6c9bb6b3e3d983f9432d048419e7ae03","spanId":"162692cf4dc66d24"},{"timeUnixNano":"1700000004000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"Retrying database connection"},"traceId":"6c9bb6b3e3d983f9432d048419e7ae03","spanId":"162692cf4dc66d25"}]}]}]}
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"minimal-test"}}]},"scopeLogs":[{"scope":{"name":"minimal"},"logRecords":[{"timeUnixNano":"1700000009000000000","body":{"stringValue":"Log with missing severity fields - should default to UNSPECIFIED"}}]}]}]}
{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"1700000008000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"Log with empty resource attributes and no scope name"}}]}]}]}
"#;
        let out = run_str(&JsonLines, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 4);
        let r = &out.records[0];
        assert_eq!(utc(r), "2023-11-14T22:13:23.000000Z");
        assert_eq!(r.time.precision, Precision::Nano);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("order-service"));
        assert_eq!(r.host.as_deref(), Some("prod-02"));
        assert_eq!(
            r.message,
            "Failed to update order status: database connection timeout"
        );
        assert_eq!(
            r.locator.as_deref(),
            Some("$.resourceLogs[0].scopeLogs[0].logRecords[0]")
        );
        assert_eq!(out.records[1].line, Some(1));
        assert_eq!(
            out.records[1].locator.as_deref(),
            Some("$.resourceLogs[0].scopeLogs[0].logRecords[1]")
        );
        assert_eq!(out.records[2].line, Some(2));
        assert_eq!(out.records[2].level, None);
        assert_eq!(out.records[2].service.as_deref(), Some("minimal-test"));
        assert_eq!(out.records[3].service, None);
        assert_eq!(out.records[3].host, None);
    }

    #[test]
    fn epochs_by_name_and_by_magnitude() {
        let out = run_str(
            &JsonLines,
            concat!(
                r#"{"time":1700000000123,"msg":"ms integer"}"#,
                "\n",
                r#"{"__REALTIME_TIMESTAMP":"1700000000123456","MESSAGE":"us string"}"#,
                "\n",
                r#"{"timeUnixNano":1700000000123456789,"body":"ns integer"}"#,
                "\n",
                r#"{"ts":1700000000.5,"msg":"float seconds"}"#,
                "\n",
                r#"{"ts_ms":"1700000000","msg":"unit from name beats magnitude"}"#,
                "\n",
                r#"{"t":{"$date":"2020-05-01T15:16:17.180+00:00"},"msg":"mongo"}"#,
            ),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let times: Vec<String> = out.records.iter().map(utc).collect();
        assert_eq!(
            times,
            [
                "2023-11-14T22:13:20.123000Z",
                "2023-11-14T22:13:20.123456Z",
                "2023-11-14T22:13:20.123456Z",
                "2023-11-14T22:13:20.500000Z",
                "1970-01-20T16:13:20.000000Z",
                "2020-05-01T15:16:17.180000Z",
            ]
        );
        assert_eq!(out.records[2].time.text, "1700000000123456789");
        assert_eq!(out.records[2].message, "ns integer");
    }

    #[test]
    fn bad_lines_are_problems_with_their_numbers() {
        let out = run_str(
            &JsonLines,
            concat!(
                "\u{feff}",
                r#"{"time":"2026-01-01T10:00:00Z","msg":"ok"}"#,
                "\nnot json\n[1,2]\n",
                r#"{"msg":"no time"}"#,
                "\n",
                r#"{"time":"yesterday","msg":"unreadable time"}"#,
                "\n\n",
                r#"{"time":"2026-01-01T10:00:01Z","msg":"ok again"}"#,
            ),
        );
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].message, "ok");
        assert_eq!(out.records[1].line, Some(7));
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5)]);
        assert!(out.problems[0].reason.starts_with("not a JSON object"));
    }

    #[test]
    fn a_record_broken_over_two_lines_leaves_the_file_json_lines() {
        let input = include_bytes!("../../../../fixtures/jsonl/fluentbit_windows_iis_docker.log");
        assert_eq!(JsonLines.sniff(input), Some(66));
        let out = run(&JsonLines, input);
        assert_eq!(out.records.len(), 5);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), Some(5)]);
        let r = &out.records[0];
        assert_eq!(utc(r), "2019-08-12T05:28:39.075296Z");
        assert_eq!(r.level, None);
        assert!(r
            .message
            .starts_with("2019-08-12 05:28:29 10.240.0.77 GET /bundles/MsAjaxJs "));
        let r = &out.records[4];
        assert_eq!(utc(r), "2019-08-12T05:31:37.941523Z");
        assert_eq!(r.line, Some(7));
        assert_eq!(
            r.message,
            "2019-08-12 05:30:57 10.240.0.77 GET / - 80 - 10.240.0.4 - - 200 0 64 769"
        );
        // Broken lines are tolerated only as a minority, among timed objects.
        let timed = r#"{"time":"2026-01-01T10:00:00Z","msg":"ok"}"#;
        let untimed = r#"{"msg":"no time"}"#;
        for head in [
            format!("{timed}\n{untimed}\n{timed}\n{{\"msg\":\"cut\n"),
            format!("{timed}\nnot json\n{{\"msg\":\"cut\n"),
        ] {
            assert_eq!(JsonLines.sniff(head.as_bytes()), None, "{head}");
        }
    }

    #[test]
    fn sniff_accepts_json_lines_and_rejects_other_formats() {
        assert_eq!(JsonLines.sniff(BUNYAN.as_bytes()), Some(100));
        let journald =
            "\u{feff}{\"__REALTIME_TIMESTAMP\" : \"1534860261221373\", \"MESSAGE\" : \"x\"}\n";
        assert_eq!(JsonLines.sniff(journald.as_bytes()), Some(100));
        assert_rejects_text(
            &JsonLines,
            &[
            "Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
            "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326\n",
            "time=\"2021-09-15T21:17:11.679036Z\" level=info msg=\"Pod deleted\" namespace=a pod=b\n",
            "{\n  \"time\": \"2026-01-01T10:00:00Z\"\n}\n",
            "[{\"time\": \"2026-01-01T10:00:00Z\"}]\n",
            "{\"type\":\"version\",\"version\":1}\n",
            ],
        );
    }

    /// Pins what odd lines give, record by record and problem by problem:
    /// escapes in keys and values, duplicate and case-folded keys, nested
    /// values, numeric times and levels, invalid JSON and invalid UTF-8.
    #[test]
    fn odd_lines_keep_their_readings() {
        let deep = format!(
            r#"{{"ts":"2026-03-01T00:00:20Z","x":{}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let mut input: Vec<u8> = Vec::new();
        for line in [
            r#"{"ts":"2026-03-01T00:00:00Z","msg":"quote \" newline\n tab\t e\u00e9 \ud83d\ude00\n","level":"WARN"}"#,
            r#"{"t\u0073":"2026-03-01T00:00:01Z","m\u0073g":"escaped keys","ser\u0076ice":"  svc  "}"#,
            r#"{"ts":"2026-03-01T00:00:02Z","msg":"first","msg":"second","MSG":"upper","Level":"error","level":"debug"}"#,
            r#"{"TS":"2026-03-01T00:00:03Z","MSG":"folded","HOST":"h1","Level":"error"}"#,
            r#"{"ts":"2026-03-01T00:00:04Z","level":"info","a":{"b":[1,2.5,"x",null,true,{"k":"v"}],"z":1,"z":2},"n":-3,"f":1.0e2,"big":18446744073709551616,"s":"e\u00e9\"\\/","e":{},"arr":[],"t":null,"b":false}"#,
            r#"{"log":{"level":"error","LOGGER":"nested-svc"},"@timestamp":"2026-03-01T00:00:05Z","fields":{"message":"nested msg\n"}}"#,
            r#"{"ts":1772323206,"msg":"secs"}"#,
            r#"{"time_ms":1772323207000,"msg":"ms"}"#,
            r#"{"ts":1772323208.25,"msg":"frac"}"#,
            r#"{"ts":0,"msg":"zero"}"#,
            r#"{"ts":-1,"msg":"negative"}"#,
            r#"{"ts":1e3,"msg":"exponent"}"#,
            r#"{"ts":true,"time":"2026-03-01T00:00:06Z","msg":"bool time, then a string"}"#,
            r#"{"ts":"2026-03-01T00:00:07Z","level":30,"msg":"bunyan"}"#,
            r#"{"ts":"2026-03-01T00:00:07Z","severity":17,"msg":"otlp number"}"#,
            r#"{"ts":"2026-03-01T00:00:07Z","PRIORITY":"3","msg":"journald"}"#,
            r#"{"ts":"2026-03-01T00:00:07Z","priority":2,"msg":"folded priority"}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","MESSAGE":[104,105,255]}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","MESSAGE":[104,300]}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","msg":"  ","text":"fallback"}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","hostname":" ","host":"h2","msg":"x"}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","service.name":"dotted","service":{"name":"nested"},"msg":"x"}"#,
            r#"{"ts":"2026-03-01T00:00:08Z","service":{"name":"nested"},"msg":"x"}"#,
            r#"{"ts":"2026-03-01T00:00:09Z","host":{"name":"hn"},"k":"v","level":"info"}"#,
            r#"{"ts":"2026-03-01T00:00:09Z","x":{"$serde_json::private::RawValue":"[1]"}}"#,
            r#"{"ts":"2026-03-01T00:00:10Z"}"#,
            r#"{}"#,
            "   ",
            r#"  {"ts" : "2026-03-01T00:00:11Z" , "msg" : "spaced" }  "#,
            "not json",
            "[1,2]",
            r#""str""#,
            "12",
            r#"{"a":1} trailing"#,
            r#"{"a":1"#,
            r#"{1:2}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud800x","ts":"2026-03-01T00:00:12Z"}"#,
            "{\"a\":\"tab\tinside\"}",
            r#"{"a":1e400}"#,
            r#"{"a":01}"#,
            r#"{"a":"\q"}"#,
            deep.as_str(),
        ] {
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
        }
        input.extend_from_slice(b"{\"ts\":\"2026-03-01T00:00:13Z\",\"msg\":\"caf\xe9\"}\n");
        input.extend_from_slice(b"{\"ts\":\"2026-03-01T00:00:14Z\",\"msg\":\"ok\"}\xff\n");
        input.extend_from_slice(
            b"{\"ts\":\"2026-03-01T00:00:15Z\",\"m\xc3\xa9\":\"non-ASCII key\"}\r\n",
        );
        let out = run(&JsonLines, &input);
        let records = out.records.iter().map(|r| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                r.line,
                r.span,
                r.time.text,
                r.time.value,
                r.level,
                r.host,
                r.service,
                r.message,
                r.lossy_utf8
            )
        });
        let problems = out
            .problems
            .iter()
            .map(|p| format!("{:?} {}", p.line, p.reason));
        let got: Vec<String> = records.chain(problems).collect();
        let expected = [
            r#"Some(1) 0..100 "2026-03-01T00:00:00Z" Utc(1772323200000000) Some(Warn) None None "quote \" newline\n tab\t eé 😀" false"#,
            r#"Some(2) 101..186 "2026-03-01T00:00:01Z" Utc(1772323201000000) None None Some("svc") "escaped keys" false"#,
            r#"Some(3) 187..291 "2026-03-01T00:00:02Z" Utc(1772323202000000) Some(Debug) None None "first" false"#,
            r#"Some(4) 292..364 "2026-03-01T00:00:03Z" Utc(1772323203000000) Some(Error) Some("h1") None "folded" false"#,
            r#"Some(5) 365..561 "2026-03-01T00:00:04Z" Utc(1772323204000000) Some(Info) None None "{\"a\":{\"b\":[1,2.5,\"x\",null,true,{\"k\":\"v\"}],\"z\":2},\"n\":-3,\"f\":100.0,\"big\":1.8446744073709552e+19,\"s\":\"eé\\\"\\\\/\",\"e\":{},\"arr\":[],\"t\":null,\"b\":false}" false"#,
            r#"Some(6) 562..681 "2026-03-01T00:00:05Z" Utc(1772323205000000) Some(Error) None Some("nested-svc") "nested msg" false"#,
            r#"Some(7) 682..712 "1772323206" Utc(1772323206000000) None None None "secs" false"#,
            r#"Some(8) 713..749 "1772323207000" Utc(1772323207000000) None None None "ms" false"#,
            r#"Some(9) 750..783 "1772323208.25" Utc(1772323208250000) None None None "frac" false"#,
            r#"Some(11) 806..832 "-1" Utc(-1000000) None None None "negative" false"#,
            r#"Some(12) 833..860 "1000.0" Utc(1000000000) None None None "exponent" false"#,
            r#"Some(13) 861..935 "2026-03-01T00:00:06Z" Utc(1772323206000000) None None None "bool time, then a string" false"#,
            r#"Some(14) 936..991 "2026-03-01T00:00:07Z" Utc(1772323207000000) Some(Info) None None "bunyan" false"#,
            r#"Some(15) 992..1055 "2026-03-01T00:00:07Z" Utc(1772323207000000) Some(Error) None None "otlp number" false"#,
            r#"Some(16) 1056..1117 "2026-03-01T00:00:07Z" Utc(1772323207000000) Some(Error) None None "journald" false"#,
            r#"Some(17) 1118..1184 "2026-03-01T00:00:07Z" Utc(1772323207000000) Some(Critical) None None "folded priority" false"#,
            r#"Some(18) 1185..1238 "2026-03-01T00:00:08Z" Utc(1772323208000000) None None None "hi�" false"#,
            r#"Some(19) 1239..1288 "2026-03-01T00:00:08Z" Utc(1772323208000000) None None None "{\"MESSAGE\":[104,300]}" false"#,
            r#"Some(20) 1289..1347 "2026-03-01T00:00:08Z" Utc(1772323208000000) None None None "fallback" false"#,
            r#"Some(21) 1348..1414 "2026-03-01T00:00:08Z" Utc(1772323208000000) None Some("h2") None "x" false"#,
            r#"Some(22) 1415..1506 "2026-03-01T00:00:08Z" Utc(1772323208000000) None None Some("dotted") "x" false"#,
            r#"Some(23) 1507..1574 "2026-03-01T00:00:08Z" Utc(1772323208000000) None None Some("nested") "x" false"#,
            r#"Some(24) 1575..1648 "2026-03-01T00:00:09Z" Utc(1772323209000000) Some(Info) Some("hn") None "{\"host\":{\"name\":\"hn\"},\"k\":\"v\"}" false"#,
            r#"Some(25) 1649..1723 "2026-03-01T00:00:09Z" Utc(1772323209000000) None None None "{\"x\":[1]}" false"#,
            r#"Some(26) 1724..1753 "2026-03-01T00:00:10Z" Utc(1772323210000000) None None None "" false"#,
            r#"Some(29) 1761..1816 "2026-03-01T00:00:11Z" Utc(1772323211000000) None None None "spaced" false"#,
            r#"Some(44) 2417..2459 "2026-03-01T00:00:13Z" Utc(1772323213000000) None None None "caf�" true"#,
            r#"Some(46) 2502..2553 "2026-03-01T00:00:15Z" Utc(1772323215000000) None None None "{\"mé\":\"non-ASCII key\"}" false"#,
            r#"Some(10) no readable time field (looked for @timestamp, timestamp, time, ts, …)"#,
            r#"Some(27) no readable time field (looked for @timestamp, timestamp, time, ts, …)"#,
            r#"Some(30) not a JSON object: expected ident at line 1 column 2"#,
            r#"Some(31) not a JSON object: invalid type: sequence, expected a JSON object at line 1 column 0"#,
            r#"Some(32) not a JSON object: invalid type: string "str", expected a JSON object at line 1 column 5"#,
            r#"Some(33) not a JSON object: invalid type: integer `12`, expected a JSON object at line 1 column 2"#,
            r#"Some(34) not a JSON object: trailing characters at line 1 column 9"#,
            r#"Some(35) not a JSON object: EOF while parsing an object at line 1 column 6"#,
            r#"Some(36) not a JSON object: key must be a string at line 1 column 2"#,
            r#"Some(37) not a JSON object: unexpected end of hex escape at line 1 column 13"#,
            r#"Some(38) not a JSON object: unexpected end of hex escape at line 1 column 13"#,
            r#"Some(39) not a JSON object: control character (\u0000-\u001F) found while parsing a string at line 1 column 10"#,
            r#"Some(40) not a JSON object: number out of range at line 1 column 10"#,
            r#"Some(41) not a JSON object: invalid number at line 1 column 7"#,
            r#"Some(42) not a JSON object: invalid escape at line 1 column 8"#,
            r#"Some(43) not a JSON object: recursion limit exceeded at line 1 column 160"#,
            r#"Some(45) not a JSON object: trailing characters at line 1 column 41"#,
        ];
        assert_eq!(got, expected);
    }

    never_panics!(JsonLines);

    proptest! {
        #[test]
        fn arbitrary_json_values_never_panic(
            key in "[a-zA-Z_.@$]{1,12}",
            value in "[-0-9.eE\"a-z{}:\\[\\],]{0,24}",
        ) {
            let line = format!("{{\"{key}\":{value},\"time\":{value}}}");
            let mut out = Collected::default();
            JsonLines.parse(line.as_bytes(), &mut out);
            let _ = JsonLines.sniff(line.as_bytes());
        }
    }
}
