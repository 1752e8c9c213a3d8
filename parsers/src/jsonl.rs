//! JSON lines (NDJSON): one JSON object per line, as written by structured
//! loggers (Bunyan, Pino, zap, ECS, Rust tracing, Serilog CLEF), journald
//! (`journalctl -o json`), Cloudflare Logpush and the OpenTelemetry
//! Collector's file exporter.
//!
//! Fields are found by the names these writers use, case-insensitively, as a
//! dotted key (`"log.level"`) or as nested objects (`{"log": {"level": ..}}`).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::lines::{self, Fields, Line};
use crate::record::{Level, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

/// One JSON object per line.
pub struct JsonLines;

/// Time fields, best first: a writer that has several (journald, OTLP,
/// Cloudflare) lists the event's own time before the time it was recorded.
const TIME_KEYS: &[&str] = &[
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
];

const LEVEL_KEYS: &[&str] = &[
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
];

const MESSAGE_KEYS: &[&str] = &[
    "message",
    "msg",
    "@m",
    "fields.message",
    "body.stringValue",
    "body",
    "log",
    "text",
    "@mt",
];

const HOST_KEYS: &[&str] = &["hostname", "host.name", "host", "_HOSTNAME"];

const SERVICE_KEYS: &[&str] = &[
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
];

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
        let timed = Cell::new(0u32);
        let objects = lines::sniff(head, false, |line| {
            seen.set(seen.get() + 1);
            match parse_object(line) {
                Ok(object) => {
                    if has_time(&object) {
                        timed.set(timed.get() + 1);
                    }
                    true
                }
                Err(_) => false,
            }
        })?;
        // Every line of JSON lines is an object: a file whose head has other
        // lines is pretty-printed JSON or text that quotes JSON.
        if objects < 100 || timed.get() == 0 {
            return None;
        }
        Some((timed.get() * 100 / seen.get().max(1)).max(1) as u8)
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line is its own object (or batch of records).
        Some(true)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        // Not `lines::drive`: one OTLP line carries a batch of records.
        for line in lines::split(input) {
            if line.bytes.len() > lines::MAX_LINE_BYTES {
                sink.problem(line_problem(
                    &line,
                    None,
                    format!(
                        "line is {} bytes long, over the {} byte limit; not parsed",
                        line.bytes.len(),
                        lines::MAX_LINE_BYTES
                    ),
                ));
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

/// A JSON object with its top-level keys in file order, so a message
/// rebuilt from the leftover fields reads as the writer wrote it.
#[derive(Debug, Default)]
struct Object(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Object, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Object(entries))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Where a looked-up value sits in an [`Object`].
struct Found<'a> {
    /// Index of the top-level entry holding it.
    entry: usize,
    /// The value is that entry itself rather than nested inside it.
    whole: bool,
    value: &'a Value,
}

impl Object {
    /// Index of `key`, preferring an exact match over a case-insensitive one.
    fn index(&self, key: &str) -> Option<usize> {
        // One pass: every line looks up dozens of candidate keys.
        let mut folded = None;
        for (i, (k, _)) in self.0.iter().enumerate() {
            if k == key {
                return Some(i);
            }
            if folded.is_none() && k.eq_ignore_ascii_case(key) {
                folded = Some(i);
            }
        }
        folded
    }

    /// Finds `path` as one key or, split at any of its dots, as nested
    /// objects: ECS writes `"log.level"` and `{"log": {"level": ..}}` alike.
    fn find(&self, path: &str) -> Option<Found<'_>> {
        if let Some(entry) = self.index(path) {
            let value = &self.0.get(entry)?.1;
            return Some(Found {
                entry,
                whole: true,
                value,
            });
        }
        for dot in dots(path) {
            let (Some(head), Some(rest)) = (path.get(..dot), path.get(dot + 1..)) else {
                continue;
            };
            let Some(entry) = self.index(head) else {
                continue;
            };
            if let Some((_, Value::Object(inner))) = self.0.get(entry) {
                if let Some(value) = nested(inner, rest) {
                    return Some(Found {
                        entry,
                        whole: false,
                        value,
                    });
                }
            }
        }
        None
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

fn parse_object(line: &str) -> Result<Object, String> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    serde_json::from_str::<Object>(line).map_err(|e| format!("not a JSON object: {e}"))
}

/// The first candidate key whose value `read` accepts.
fn first<'a, T>(
    object: &'a Object,
    keys: &[&'static str],
    read: impl Fn(&'static str, &'a Value) -> Option<T>,
) -> Option<(Found<'a>, T)> {
    keys.iter().find_map(|&key| {
        let found = object.find(key)?;
        let value = read(key, found.value)?;
        Some((found, value))
    })
}

fn has_time(object: &Object) -> bool {
    if let Some((key, batch)) = otlp_batch(object) {
        return otlp_records(key, batch)
            .iter()
            .any(|(_, fields)| fields.is_ok());
    }
    first(object, TIME_KEYS, read_time).is_some()
}

/// Reads every field of one event from a flat log object.
fn fields(object: &Object) -> Result<Fields, String> {
    let mut used = Vec::new();
    let mut note = |found: &Found<'_>| {
        if found.whole {
            used.push(found.entry);
        }
    };
    let (found, time) = first(object, TIME_KEYS, read_time).ok_or_else(|| {
        "no readable time field (looked for @timestamp, timestamp, time, ts, …)".to_string()
    })?;
    note(&found);
    let level = first(object, LEVEL_KEYS, read_level).map(|(found, level)| {
        note(&found);
        level
    });
    let host = first(object, HOST_KEYS, read_name).map(|(found, host)| {
        note(&found);
        host
    });
    let service = first(object, SERVICE_KEYS, read_name).map(|(found, service)| {
        note(&found);
        service
    });
    let message = match first(object, MESSAGE_KEYS, read_message) {
        Some((_, message)) => message,
        None => leftover(object, &used),
    };
    let mut fields = Fields::new(time, message);
    fields.level = level;
    fields.host = host;
    fields.service = service;
    Ok(fields)
}

/// The object without the fields already read, as compact JSON: with no
/// message field (Cloudflare Logpush) the rest of the line is the message.
fn leftover(object: &Object, used: &[usize]) -> String {
    // Written pair by pair: a `Map` would sort the keys.
    let rest: Vec<String> = object
        .0
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, (k, v))| format!("{}:{v}", Value::from(k.as_str())))
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
    let n = name.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| n.ends_with(s));
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

fn read_time(key: &str, value: &Value) -> Option<Timestamp> {
    let unit = unit_from_name(key);
    let ts = match value {
        Value::String(s) => time::parse_field(s, unit).or_else(|| epoch_in_unit(s, unit))?,
        // Via the number's text, never f64: a 19-digit nanosecond integer
        // keeps every digit.
        Value::Number(n) => epoch_number(n, unit)?,
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

fn read_level(key: &str, value: &Value) -> Option<Level> {
    let syslog = key.eq_ignore_ascii_case("PRIORITY");
    match value {
        // journald writes the syslog priority digit as a string.
        Value::String(s) if syslog => s
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 7)
            .map(Level::from_syslog_severity),
        Value::String(s) => Level::from_word(s),
        Value::Number(n) => {
            let v = n.as_u64()?;
            if syslog {
                u8::try_from(v)
                    .ok()
                    .filter(|p| *p <= 7)
                    .map(Level::from_syslog_severity)
            } else if key.to_ascii_lowercase().starts_with("severity") {
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

fn read_name(_key: &str, value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn read_message(_key: &str, value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        // journald writes a message that is not valid UTF-8 as its bytes.
        Value::Array(bytes) => {
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
fn otlp_batch(object: &Object) -> Option<(&'static str, &Vec<Value>)> {
    OTLP_RESOURCE_LOGS
        .iter()
        .find_map(|&key| match object.find(key)?.value {
            Value::Array(batch) => Some((key, batch)),
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
                .and_then(|v| read_name("", v));
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
                        let object = Object(map.clone().into_iter().collect());
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
        read_name("", nested(attribute, "value.stringValue")?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects_text, never_panics, run_str, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const BUNYAN: &str = r#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":20,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","msg":"Found gitlabci-include package files","time":"2023-03-24T14:26:16.243Z","v":0}
{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":30,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","baseBranch":"main","stats":{"managers":{"gitlabci":{"fileCount":1,"depCount":1},"gitlabci-include":{"fileCount":1,"depCount":1},"npm":{"fileCount":1,"depCount":15}},"total":{"fileCount":3,"depCount":17}},"msg":"Dependency extraction complete","time":"2023-03-24T14:26:16.243Z","v":0}
"#;

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
    fn caddy_float_seconds_keep_their_fraction() {
        let line = r#"{"level":"info","ts":1716723830.5081363,"logger":"http.log.access.log17","msg":"handled request","request":{"remote_ip":"10.5.1.1","remote_port":"38574","client_ip":"10.10.10.134","proto":"HTTP/2.0","method":"GET","host":"mirrors.tnonline.net:400","uri":"/gentoo/gentoo-portage/app-emulation/metadata.xml","headers":{"Accept":["*/*"]}},"bytes_read":0,"user_id":"","duration":0.000724332,"size":446,"status":200}"#;
        let out = run_str(&JsonLines, line);
        let r = &out.records[0];
        assert_eq!(utc(r), "2024-05-26T11:43:50.508136Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("http.log.access.log17"));
        // `request.host` is the HTTP host, not the machine's.
        assert_eq!(r.host, None);
        assert_eq!(r.message, "handled request");
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
