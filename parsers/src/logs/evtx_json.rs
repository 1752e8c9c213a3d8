//! Windows event logs as the JSON that `evtx_dump` (omerbenamram/evtx)
//! writes: one object per event, `{"Event": {"System": …, "EventData": …}}`.
//! XML attributes come either as `"#attributes": {…}` objects or, with
//! `--separate-json-attributes`, as sibling `"Name_attributes"` keys.
//!
//! Accepted layouts: a single object, an array of them, objects one after
//! another (JSON lines as `-o jsonl` writes, or pretty-printed objects as
//! `-o json` writes, with its `Record N` lines between them).
//! `System.TimeCreated@SystemTime` is UTC with a `Z`.
//!
//! PowerShell's `Get-WinEvent | ConvertTo-Json` writes the same events
//! flat, as an object or an array of them: `Id`, `ProviderName`,
//! `MachineName`, `TimeCreated` (`"\/Date(ms)\/"` from Windows PowerShell
//! 5.1, ISO 8601 with an offset from PowerShell 7) and the `Message` the
//! reading machine rendered.

use serde_json::value::RawValue;
use serde_json::Value;

use crate::input::json::{self, Head, HeadValue, LineIndex};
use crate::logs::{shorten, windows_level};
use crate::record::{add_attribute, Kind, Level, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

/// `evtx_dump` JSON output.
pub struct EvtxJson;

impl Parser for EvtxJson {
    fn id(&self) -> &str {
        "windows-evtx-json"
    }

    fn description(&self) -> &str {
        "Windows event logs as JSON from evtx_dump (object, array or JSON lines) or from PowerShell's Get-WinEvent | ConvertTo-Json"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let first = body.iter().copied().find(|b| !b.is_ascii_whitespace())?;
        if !matches!(first, b'{' | b'[') && !body.trim_ascii_start().starts_with(b"Record ") {
            return None;
        }
        // A head may cut an event short, so keys are checked without
        // parsing: an Event with a System section and a UTC SystemTime.
        let has = |k| json::has_key(head, k);
        if has("ProviderName") && has("TimeCreated") && has("MachineName") && !has("Event") {
            return get_winevent_sniff(head);
        }
        if !has("Event") || !has("System") {
            return None;
        }
        if !has("TimeCreated") && !has("TimeCreated_attributes") {
            return None;
        }
        json::head_time(head, &["SystemTime"], utc_time).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let lines = LineIndex::new(input);
        let start = input.len() - input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input).len();
        let mut at = start;
        let mut number = 0usize;
        let mut seen = false;
        loop {
            while input.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let Some(rest) = input.get(at..).filter(|r| !r.is_empty()) else {
                break;
            };
            seen = true;
            if rest.starts_with(b"Record ") {
                // `evtx_dump -o json` writes `Record N` before each event.
                at = next_line(input, at);
                continue;
            }
            let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<&RawValue>();
            match stream.next() {
                Some(Ok(raw)) => {
                    at += stream.byte_offset().max(1);
                    match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
                        Ok(items) if raw.get().starts_with('[') => {
                            let base = if number == 0 {
                                "$".to_string()
                            } else {
                                format!("value {}", number + 1)
                            };
                            for (i, item) in items.into_iter().enumerate() {
                                let locator = format!("{base}[{i}]");
                                event(input, &lines, item, locator, sink);
                            }
                            number += 1;
                        }
                        _ => {
                            number += 1;
                            event(input, &lines, raw, format!("event {number}"), sink);
                        }
                    }
                }
                Some(Err(e)) => {
                    number += 1;
                    sink.problem(Problem {
                        line: Some(lines.line_at(at)),
                        locator: Some(format!("event {number}")),
                        reason: format!("not a JSON value: {e}"),
                    });
                    at = next_line(input, at);
                }
                None => break,
            }
        }
        if !seen {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: "empty input".to_string(),
            });
        }
    }
}

/// `Get-WinEvent | ConvertTo-Json` output: its keys, and a time that reads
/// (written with escaped slashes, `"\/Date(…)\/"`, so read through the
/// head's unescaping).
fn get_winevent_sniff(head: &[u8]) -> Option<u8> {
    let h = Head::new(head)?;
    if !h.has("Id") {
        return None;
    }
    h.time(&["TimeCreated"], |v| match v {
        HeadValue::Text(t) => powershell_time(t),
        HeadValue::Integer(_) => None,
    })
    .map(|_| 90)
}

/// The offset just past the line break after `at` (or the end).
fn next_line(input: &[u8], at: usize) -> usize {
    let rest = input.get(at..).unwrap_or_default();
    memchr::memchr(b'\n', rest).map_or(input.len(), |i| at + i + 1)
}

fn utc_time(text: &str) -> Option<Timestamp> {
    time::parse_field(text, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
}

/// An XML attribute of a System child, in either attribute convention.
fn attribute<'v>(system: &'v Value, element: &str, name: &str) -> Option<&'v Value> {
    system
        .get(element)
        .and_then(|e| e.get("#attributes"))
        .and_then(|a| a.get(name))
        .or_else(|| {
            system
                .get(format!("{element}_attributes"))
                .and_then(|a| a.get(name))
        })
}

/// A scalar as text; an element with attributes keeps its text in `#text`.
fn text(value: Option<&Value>) -> Option<String> {
    let t = match value? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => return None,
        Value::Array(items) => items
            .iter()
            .filter_map(|i| text(Some(i)))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(map) => match map.get("#text") {
            Some(inner) => return text(Some(inner)),
            None => Value::Object(map.clone()).to_string(),
        },
    };
    (!t.is_empty()).then_some(t)
}

/// Data pairs shown in a message; the rest stay in the raw evidence.
const MESSAGE_PAIRS: usize = 6;
/// Characters of one value shown in a message.
const VALUE_CHARS: usize = 120;

/// The members of a JSON object in document order (`serde_json`'s map
/// sorts its keys, and the order of event data matters to a reader).
struct Ordered(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, Value>()? {
                    out.push(pair);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// `name=value` pairs of EventData (or of UserData's first element), in
/// document order, without attribute keys and empty or `-` values.
fn data_pairs(raw: &RawValue) -> Vec<(String, String)> {
    let data = json::raw_at(raw, &["Event", "EventData"])
        .and_then(|d| serde_json::from_str::<Ordered>(d.get()).ok())
        .or_else(|| {
            let user = json::raw_at(raw, &["Event", "UserData"])?;
            json::members_by_key(user)?
                .into_values()
                .find_map(|child| serde_json::from_str::<Ordered>(child.get()).ok())
        });
    let Some(Ordered(pairs)) = data else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with('#') && !k.ends_with("_attributes"))
        .filter_map(|(k, v)| text(Some(&v)).map(|v| (k, v)))
        .filter(|(_, v)| v != "-")
        .collect()
}

fn event(
    input: &[u8],
    lines: &LineIndex,
    raw: &RawValue,
    locator: String,
    sink: &mut dyn RecordSink,
) {
    let span = json::span_of(input, raw);
    let line = lines.line_at(span.start);
    let line_end = lines.line_at(span.end.saturating_sub(1)).max(line);
    let read = serde_json::from_str::<Value>(raw.get())
        .map_err(|e| format!("not a JSON value: {e}"))
        .and_then(|value| match value.get("Event") {
            Some(event) => evtx_event(event, raw),
            None if value.get("TimeCreated").is_some() => get_winevent(&value),
            None => Err("JSON value without an Event object".to_string()),
        });
    match read {
        Ok(mut record) => {
            record.line = Some(line);
            record.line_end = Some(line_end);
            record.locator = Some(locator);
            record.span = span;
            record.system = Some("Windows".into());
            record.human = Some(false);
            sink.record(record);
        }
        Err(reason) => sink.problem(Problem {
            line: Some(line),
            locator: Some(locator),
            reason,
        }),
    }
}

/// An event as `evtx_dump` writes it, `{"Event": {"System": …}}`.
fn evtx_event(event: &Value, raw: &RawValue) -> Result<Record, String> {
    let system = event.get("System").ok_or("Event without a System object")?;
    let stamp = text(attribute(system, "TimeCreated", "SystemTime"))
        .ok_or("Event without TimeCreated SystemTime")?;
    let time =
        utc_time(&stamp).ok_or_else(|| format!("unreadable TimeCreated SystemTime {stamp:?}"))?;

    let provider = text(attribute(system, "Provider", "Name"))
        .or_else(|| text(attribute(system, "Provider", "EventSourceName")));
    let event_id = text(system.get("EventID"));
    let record_id = text(system.get("EventRecordID"));
    let pairs = data_pairs(raw);

    let mut message = match (&event_id, &provider) {
        (Some(id), Some(p)) => format!("EventID {id} ({p})"),
        (Some(id), None) => format!("EventID {id}"),
        (None, Some(p)) => format!("Windows event ({p})"),
        (None, None) => "Windows event".to_string(),
    };
    if !pairs.is_empty() {
        let shown: Vec<String> = pairs
            .iter()
            .take(MESSAGE_PAIRS)
            .map(|(k, v)| format!("{k}={}", shorten(v, VALUE_CHARS)))
            .collect();
        message.push_str(": ");
        message.push_str(&shown.join(", "));
        if pairs.len() > MESSAGE_PAIRS {
            message.push_str(" …");
        }
    }

    let mut record = Record::new(Kind::Log, time, message);
    let level_number = text(system.get("Level"));
    record.level = level_number.as_deref().and_then(windows_level);
    record.host = text(system.get("Computer"));
    record.service = provider.clone();
    let named = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    record.actor = named("SubjectUserName").map(|user| match named("SubjectDomainName") {
        Some(domain) => format!("{domain}\\{user}"),
        None => user.clone(),
    });
    if let Some(id) = &record_id {
        record.identifiers.push(format!("EventRecordID {id}"));
    }
    let mut put = |key: &'static str, value: Option<String>| add_attribute(&mut record, key, value);
    put("event_id", event_id);
    put("provider", provider);
    put("channel", text(system.get("Channel")));
    put("record_id", record_id);
    put("level_number", level_number);
    put("task", text(system.get("Task")));
    put("opcode", text(system.get("Opcode")));
    put("keywords", text(system.get("Keywords")));
    put(
        "process_id",
        text(attribute(system, "Execution", "ProcessID")),
    );
    put(
        "thread_id",
        text(attribute(system, "Execution", "ThreadID")),
    );
    put("user_sid", text(attribute(system, "Security", "UserID")));
    Ok(record)
}

/// An event as PowerShell's `Get-WinEvent | ConvertTo-Json` writes it: the
/// members of an `EventLogRecord` (`Id`, `ProviderName`, `MachineName`,
/// `TimeCreated`, `Message`…), rendered by the machine that read the log.
fn get_winevent(value: &Value) -> Result<Record, String> {
    // Windows PowerShell 5.1 writes a DateTime as `/Date(ms)/`, or as
    // `{"value": "/Date(ms)/", "DateTime": …}` when it carries notes.
    let created = value.get("TimeCreated");
    let stamp = text(created.and_then(|t| t.get("value")).or(created))
        .ok_or("event without TimeCreated")?;
    let time =
        powershell_time(&stamp).ok_or_else(|| format!("unreadable TimeCreated {stamp:?}"))?;
    let event_id = text(value.get("Id"));
    let provider = text(value.get("ProviderName"));
    // The rendered message's first paragraph is its summary; the details
    // below it (`Subject:`, `Account Name:`…) stay in the evidence.
    let summary = text(value.get("Message")).map(|m| {
        m.lines()
            .map(str::trim)
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let message = match (summary, &event_id, &provider) {
        (Some(summary), _, _) => summary,
        (None, Some(id), Some(p)) => format!("EventID {id} ({p})"),
        (None, Some(id), None) => format!("EventID {id}"),
        (None, None, _) => "Windows event".to_string(),
    };
    let mut record = Record::new(Kind::Log, time, message);
    let level_number = text(value.get("Level"));
    // The number first: the display name is in the reader's language.
    record.level = level_number
        .as_deref()
        .and_then(windows_level)
        .or_else(|| text(value.get("LevelDisplayName")).and_then(|name| Level::from_word(&name)));
    record.host = text(value.get("MachineName"));
    record.service = provider.clone();
    let record_id = text(value.get("RecordId"));
    if let Some(id) = &record_id {
        record.identifiers.push(format!("EventRecordID {id}"));
    }
    let user = value.get("UserId");
    let mut put = |key: &'static str, value: Option<String>| add_attribute(&mut record, key, value);
    put("event_id", event_id);
    put("provider", provider);
    put("channel", text(value.get("LogName")));
    put("record_id", record_id);
    put("level_number", level_number);
    put("task", text(value.get("Task")));
    put("opcode", text(value.get("Opcode")));
    put("process_id", text(value.get("ProcessId")));
    put("thread_id", text(value.get("ThreadId")));
    put("user_sid", text(user.and_then(|u| u.get("Value")).or(user)));
    Ok(record)
}

/// `TimeCreated` as PowerShell writes it: `/Date(1595374458918)/`
/// (milliseconds since the epoch, UTC, maybe followed by the writer's
/// offset, which does not change the instant), or an ISO 8601 time with
/// its offset (PowerShell 7).
fn powershell_time(text: &str) -> Option<Timestamp> {
    let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    else {
        return utc_time(text);
    };
    let millis = match inner.get(1..).and_then(|t| t.find(['+', '-'])) {
        Some(sign) => &inner[..sign + 1],
        None => inner,
    };
    let mut time = time::parse_epoch(millis, Some(EpochUnit::Millis))?;
    time.text = text.to_string();
    Some(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{attr, never_panics, run_str, utc};

    const SECURITY: &str =
        include_str!("../../../fixtures/windows-evtx-json/evtx_rs_security_4688_event.json");
    const SEPARATE: &str = include_str!(
        "../../../fixtures/windows-evtx-json/evtx_rs_separate_json_attributes_event.json"
    );

    #[test]
    fn attributes_objects_sample() {
        let out = run_str(&EvtxJson, SECURITY);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [r] = out.records.as_slice() else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(r), "2018-07-28T07:24:45.754787Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.host.as_deref(), Some("WIN-LL0C19JS506"));
        assert_eq!(
            r.service.as_deref(),
            Some("Microsoft-Windows-Security-Auditing")
        );
        assert_eq!(
            r.message,
            "EventID 4688 (Microsoft-Windows-Security-Auditing): SubjectUserSid=S-1-5-18, \
             SubjectLogonId=0x3e7, NewProcessId=0x58, NewProcessName=Registry, \
             TokenElevationType=%%1936, ProcessId=0x4 …"
        );
        assert_eq!(r.identifiers, vec!["EventRecordID 1".to_string()]);
        assert_eq!(r.system.as_deref(), Some("Windows"));
        assert_eq!(r.line, Some(1));
        assert_eq!(r.span, 0..SECURITY.trim_end().len());
    }

    #[test]
    fn separate_attributes_sample() {
        let out = run_str(&EvtxJson, SEPARATE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [r] = out.records.as_slice() else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(r), "2010-11-10T18:18:51.000000Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.host.as_deref(), Some("37L4247D28-05"));
        assert_eq!(r.service.as_deref(), Some("Microsoft-Windows-EventSystem"));
        assert_eq!(
            r.message,
            "EventID 4625 (Microsoft-Windows-EventSystem): param1=86400, \
             param2=SuppressDuplicateDuration, param3=Software\\Microsoft\\EventSystem\\EventLog"
        );
    }

    fn line(record_id: u32, level: u8, time: &str) -> String {
        format!(
            "{{\"Event\":{{\"System\":{{\"Provider\":{{\"#attributes\":{{\"Name\":\"App\"}}}},\
             \"EventID\":{{\"#attributes\":{{\"Qualifiers\":0}},\"#text\":7036}},\"Level\":{level},\
             \"TimeCreated\":{{\"#attributes\":{{\"SystemTime\":\"{time}\"}}}},\
             \"EventRecordID\":{record_id},\"Computer\":\"host-{record_id}\"}},\
             \"EventData\":{{\"Data\":\"x\"}}}}}}"
        )
    }

    #[test]
    fn arrays_json_lines_and_record_headers() {
        let a = line(7, 2, "2026-11-20T10:07:33.1234567Z");
        let b = line(8, 3, "2026-11-20T10:08:00Z");
        for input in [
            format!("[{a},\n{b}]"),
            format!("{a}\n{b}\n"),
            format!("Record 7\n{a}\nRecord 8\n{b}\n"),
        ] {
            let out = run_str(&EvtxJson, &input);
            assert!(out.problems.is_empty(), "{input}: {:?}", out.problems);
            let times: Vec<String> = out.records.iter().map(utc).collect();
            assert_eq!(
                times,
                ["2026-11-20T10:07:33.123456Z", "2026-11-20T10:08:00.000000Z"],
                "{input}"
            );
            assert_eq!(out.records[0].level, Some(Level::Error));
            assert_eq!(out.records[1].level, Some(Level::Warn));
            assert_eq!(out.records[0].message, "EventID 7036 (App): Data=x");
            assert_eq!(out.records[1].host.as_deref(), Some("host-8"));
            assert!(EvtxJson.sniff(input.as_bytes()).is_some(), "{input}");
        }
    }

    #[test]
    fn bad_events_become_problems() {
        let good = line(1, 4, "2026-11-20T10:07:33Z");
        let input = format!(
            "{good}\n{{\"Event\": {{\"System\": {{}}}}}}\nnot json\n{{\"other\": 1}}\n\
             {}\n{good}\n",
            line(2, 4, "yesterday")
        );
        let out = run_str(&EvtxJson, &input);
        assert_eq!(out.records.len(), 2);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5)]);
        assert!(!run_str(&EvtxJson, "  \n").problems.is_empty());
    }

    #[test]
    fn sniff_accepts_samples_and_rejects_other_json() {
        assert_eq!(EvtxJson.sniff(SECURITY.as_bytes()), Some(95));
        assert_eq!(EvtxJson.sniff(SEPARATE.as_bytes()), Some(95));
        // A head cut inside the event still says what it is.
        assert_eq!(EvtxJson.sniff(&SECURITY.as_bytes()[..600]), Some(95));
        let app_log = "{\"time\":\"2026-11-20T10:07:33Z\",\"level\":\"info\",\"msg\":\"System started\",\"Event\":\"boot\"}\n\
                       {\"time\":\"2026-11-20T10:07:34Z\",\"level\":\"warn\",\"msg\":\"slow\"}\n";
        assert_eq!(EvtxJson.sniff(app_log.as_bytes()), None);
        let slack = "[{\"type\":\"message\",\"user\":\"U1\",\"text\":\"System down? Event at 10:07\",\"ts\":\"1700000000.000100\"}]";
        assert_eq!(EvtxJson.sniff(slack.as_bytes()), None);
        let xml =
            "<Event><System><TimeCreated SystemTime=\"2026-11-20T10:07:33Z\"/></System></Event>";
        assert_eq!(EvtxJson.sniff(xml.as_bytes()), None);
    }

    const GET_WINEVENT: &str =
        include_str!("../../../fixtures/windows-evtx-json/own_getwinevent_ps51.json");

    #[test]
    fn powershell_get_winevent_as_json() {
        assert_eq!(EvtxJson.sniff(GET_WINEVENT.as_bytes()), Some(90));
        let out = run_str(&EvtxJson, GET_WINEVENT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [crash, logon] = out.records.as_slice() else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(crash), "2026-11-20T22:41:05.412000Z");
        assert_eq!(crash.time.text, "/Date(1795214465412)/");
        assert_eq!(crash.level, Some(Level::Error));
        assert_eq!(crash.host.as_deref(), Some("WEB-02.corp.example"));
        assert_eq!(crash.service.as_deref(), Some("Service Control Manager"));
        assert_eq!(
            crash.message,
            "The Checkout Worker service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 60000 milliseconds: Restart the service."
        );
        assert_eq!(attr(crash, "event_id"), Some("7031"));
        assert_eq!(attr(crash, "channel"), Some("System"));
        assert_eq!(crash.identifiers, ["EventRecordID 48211"]);
        assert_eq!((crash.line, crash.line_end), (Some(2), Some(35)));
        assert_eq!(crash.locator.as_deref(), Some("$[0]"));
        // Level 0 ("log always") is information; only the first paragraph
        // of the rendered message is its summary.
        assert_eq!(utc(logon), "2026-11-20T22:41:17.090000Z");
        assert_eq!(logon.level, Some(Level::Info));
        assert_eq!(logon.message, "An account failed to log on.");
        assert_eq!(attr(logon, "event_id"), Some("4625"));
    }

    #[test]
    fn powershell_7_iso_times_and_display_levels() {
        let input = r#"{"Id": 129, "ProviderName": "Microsoft-Windows-Time-Service", "MachineName": "DB-1",
 "TimeCreated": "2026-11-20T23:41:05.4120000+01:00", "LevelDisplayName": "Warning",
 "Message": "NtpClient was unable to set a domain peer to use as a time source."}"#;
        let out = run_str(&EvtxJson, input);
        assert_eq!(EvtxJson.sniff(input.as_bytes()), Some(90));
        let [r] = out.records.as_slice() else {
            panic!("{:?} {:?}", out.records, out.problems)
        };
        assert_eq!(utc(r), "2026-11-20T22:41:05.412000Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.host.as_deref(), Some("DB-1"));
        let out = run_str(
            &EvtxJson,
            r#"{"Id": 1, "ProviderName": "p", "MachineName": "m", "TimeCreated": "/Date(soon)/"}"#,
        );
        assert_eq!(
            out.problems[0].reason,
            "unreadable TimeCreated \"/Date(soon)/\""
        );
        // The writer's offset after the milliseconds does not move the instant.
        assert_eq!(
            powershell_time("/Date(1795214465412+0100)/").map(|t| t.value),
            powershell_time("/Date(1795214465412)/").map(|t| t.value)
        );
    }

    never_panics!(EvtxJson);
}
