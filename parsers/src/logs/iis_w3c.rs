//! The W3C Extended Log File Format as Microsoft IIS writes it: directives
//! (`#Software`, `#Version`, `#Date`, `#Fields: date time s-ip cs-method
//! …`) and space-separated values, `-` for an empty value and `+` for the
//! spaces in a user agent. A new `#Fields` line (after a restart or a
//! configuration change) switches the columns for the lines below it.
//!
//! IIS writes its standard `date` and `time` fields in UTC, whatever the
//! server's zone, so those are absolute. IIS Advanced Logging adds
//! `date-local` and `time-local`, the server's wall clock without a zone:
//! those stay naive for the pipeline to resolve. Advanced Logging also
//! quotes values (`"Mozilla/5.0 (…)"`, `""` for a quote inside).

use chrono::NaiveDate;

use crate::input::lines;
use crate::record::{Level, Problem, Record, RecordSink};
use crate::time::{self, TimeValue, Timestamp};
use crate::Parser;

/// IIS (and other W3C extended format) access logs.
pub struct IisW3c;

impl Parser for IisW3c {
    fn id(&self) -> &str {
        "iis-w3c"
    }

    fn description(&self) -> &str {
        "Microsoft IIS W3C Extended log files (#Fields directive, UTC date/time or Advanced Logging local time)"
    }

    fn specificity(&self) -> u8 {
        80
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        // The last line of a cut head may be partial.
        let complete = match memchr::memrchr(b'\n', head) {
            Some(i) if i + 1 < head.len() => &head[..=i],
            _ => head,
        };
        let mut state = State::default();
        let mut fields_seen = false;
        let mut directive_time = false;
        let (mut data, mut read) = (0u32, 0u32);
        for line in lines::split(complete).take(60) {
            let (text, _) = lines::text(line.bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if text.trim().is_empty() {
                continue;
            }
            if text.starts_with('#') {
                let found = state.directive(text);
                fields_seen |= found == Directive::Fields;
                directive_time |= found == Directive::Date;
                continue;
            }
            data += 1;
            if state.entry(text).is_ok() {
                read += 1;
            }
        }
        if !fields_seen {
            return None;
        }
        if data == 0 {
            return directive_time.then_some(60);
        }
        if read == 0 || read * 2 < data {
            return None;
        }
        Some((read * 100 / data) as u8)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut state = State::default();
        for line in lines::split(input) {
            let problem = |reason: String| Problem {
                line: Some(line.number),
                locator: None,
                reason,
            };
            if let Some(too_long) = lines::over_limit(&line) {
                sink.problem(too_long);
                continue;
            }
            let (text, lossy) = lines::text(line.bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            // IIS pads a file it did not finish writing with NUL bytes.
            if text
                .trim_matches(|c: char| c.is_whitespace() || c == '\0')
                .is_empty()
            {
                continue;
            }
            if text.starts_with('#') {
                if state.directive(text) == Directive::BadDate {
                    sink.problem(problem(format!("unreadable date directive {text:?}")));
                }
                continue;
            }
            match state.entry(text) {
                Ok(entry) => {
                    let mut record = Record::log(
                        line.number,
                        line.start..line.start + line.bytes.len(),
                        entry.time,
                        entry.message,
                    );
                    record.level = entry.level;
                    record.host = entry.host;
                    record.service = entry.service;
                    record.actor = entry.actor;
                    record.lossy_utf8 = lossy;
                    record.attributes = entry
                        .attributes
                        .into_iter()
                        .map(|(k, v)| (k.into(), v))
                        .collect();
                    sink.record(record);
                }
                Err(reason) => sink.problem(problem(reason)),
            }
        }
    }
}

/// What a directive line was.
#[derive(Debug, PartialEq, Eq)]
enum Directive {
    Fields,
    Date,
    BadDate,
    Other,
}

/// The directives in force.
#[derive(Debug, Default)]
struct State {
    /// Field names of the last `#Fields` line, lower case.
    fields: Option<Vec<String>>,
    /// The date of the last `#Date` (or Advanced Logging `#Start-Date`),
    /// for files whose fields have a time but no date.
    date: Option<NaiveDate>,
}

impl State {
    fn directive(&mut self, line: &str) -> Directive {
        let body = line.trim_start_matches('#');
        let (name, value) = body.split_once(':').unwrap_or((body, ""));
        match name.trim() {
            "Fields" => {
                self.fields = Some(
                    value
                        .split_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
                Directive::Fields
            }
            "Date" | "Start-Date" => {
                match time::parse_leading(value.trim()).map(|(t, _)| t.value) {
                    Some(TimeValue::Local(t)) => {
                        self.date = Some(t.date());
                        Directive::Date
                    }
                    _ => Directive::BadDate,
                }
            }
            _ => Directive::Other,
        }
    }

    fn entry(&self, line: &str) -> Result<Entry, String> {
        let names = self
            .fields
            .as_ref()
            .ok_or("log line before any #Fields directive")?;
        let values = split_values(line)?;
        if values.len() != names.len() {
            return Err(format!(
                "{} values for the {} fields of the #Fields directive",
                values.len(),
                names.len()
            ));
        }
        let row = Row { names, values };
        let time = row.time(self.date)?;
        Ok(row.entry(time))
    }
}

/// One value of a line: its text, and whether it was quoted.
#[derive(Debug, PartialEq)]
struct Value {
    text: String,
    quoted: bool,
}

/// Splits a line into values: runs of spaces separate them, `"…"` quotes
/// one (with `""` for a quote inside), as IIS Advanced Logging writes.
fn split_values(line: &str) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    let mut rest = line.trim_start_matches([' ', '\t']);
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = body.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().map(|&(_, n)| n) == Some('"') {
                        chars.next();
                        text.push('"');
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                text.push(c);
            }
            let end = end.ok_or("unterminated quoted value")?;
            rest = body.get(end..).unwrap_or_default();
            if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
                return Err("quoted value runs into the next one".to_string());
            }
            values.push(Value { text, quoted: true });
        } else {
            let end = rest.find([' ', '\t']).unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            values.push(Value {
                text: word.to_string(),
                quoted: false,
            });
            rest = after;
        }
        rest = rest.trim_start_matches([' ', '\t']);
    }
    Ok(values)
}

/// A line's values by field name.
struct Row<'a> {
    names: &'a [String],
    values: Vec<Value>,
}

/// What a line says.
#[derive(Debug)]
struct Entry {
    time: Timestamp,
    level: Option<Level>,
    host: Option<String>,
    service: Option<String>,
    actor: Option<String>,
    message: String,
    attributes: Vec<(String, String)>,
}

/// Fields whose unquoted values write spaces as `+`.
const PLUS_SPACED: &[&str] = &["cs(user-agent)", "cs(cookie)"];

impl Row<'_> {
    /// The value of field `name`, `None` when absent or `-`.
    fn get(&self, name: &str) -> Option<String> {
        let i = self.names.iter().position(|n| n == name)?;
        let v = self.values.get(i)?;
        if !v.quoted && (v.text == "-" || v.text.is_empty()) {
            return None;
        }
        if !v.quoted && PLUS_SPACED.contains(&name) {
            return Some(v.text.replace('+', " "));
        }
        Some(v.text.clone())
    }

    fn time(&self, directive_date: Option<NaiveDate>) -> Result<Timestamp, String> {
        let (utc, date, clock) = match (self.get("date"), self.get("time")) {
            (Some(d), Some(t)) => (true, d, t),
            (None, Some(t)) if !self.names.iter().any(|n| n == "date") => {
                let d = directive_date.ok_or("a time field but no date field and no #Date")?;
                (true, d.format("%Y-%m-%d").to_string(), t)
            }
            _ => match (self.get("date-local"), self.get("time-local")) {
                (Some(d), Some(t)) => (false, d, t),
                _ => return Err("no date and time values".to_string()),
            },
        };
        let text = format!("{date} {clock}");
        let (read, _) = time::parse_leading(&text)
            .filter(|(_, used)| *used == text.len())
            .ok_or_else(|| format!("unreadable date and time {text:?}"))?;
        let TimeValue::Local(local) = read.value else {
            return Err(format!("unexpected zone in {text:?}"));
        };
        let value = if utc {
            TimeValue::Utc(local.and_utc().timestamp_micros())
        } else {
            TimeValue::Local(local)
        };
        Ok(Timestamp {
            value,
            precision: read.precision,
            text,
            unknown_zone: false,
        })
    }

    fn entry(&self, time: Timestamp) -> Entry {
        let method = self.get("cs-method");
        let stem = self.get("cs-uri-stem");
        let query = self.get("cs-uri-query");
        let status = self.get("sc-status");
        let substatus = self.get("sc-substatus");
        let client = self.get("c-ip");
        let code = status.as_deref().and_then(|s| s.parse::<u16>().ok());

        let message = if method.is_some() || stem.is_some() {
            let mut m = [method.as_deref(), stem.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(q) = &query {
                m.push('?');
                m.push_str(q);
            }
            if let Some(s) = &status {
                m.push_str(" -> ");
                m.push_str(s);
                // IIS's sub-status refines the status (404.7: extension
                // denied); 0 says nothing.
                if let Some(sub) = substatus
                    .as_deref()
                    .filter(|s| s.bytes().all(|b| b.is_ascii_digit()) && *s != "0")
                {
                    m.push('.');
                    m.push_str(sub);
                }
            }
            if let Some(c) = &client {
                m.push_str(&format!(" (client {c})"));
            }
            m
        } else {
            let pairs: Vec<String> = self
                .names
                .iter()
                .filter(|n| !n.starts_with("date") && !n.starts_with("time"))
                .filter_map(|n| self.get(n).map(|v| format!("{n}={v}")))
                .collect();
            if pairs.is_empty() {
                "W3C log entry".to_string()
            } else {
                pairs.join(" ")
            }
        };

        let mut attributes = Vec::new();
        for (key, field) in [
            ("client_ip", "c-ip"),
            ("status", "sc-status"),
            ("substatus", "sc-substatus"),
            ("win32_status", "sc-win32-status"),
            ("time_taken_ms", "time-taken"),
            ("time_taken_ms", "timetakenms"),
            ("user_agent", "cs(user-agent)"),
            ("referer", "cs(referer)"),
            ("host_header", "cs(host)"),
            ("server_ip", "s-ip"),
            ("server_port", "s-port"),
            ("bytes_sent", "sc-bytes"),
            ("bytes_received", "cs-bytes"),
            ("protocol", "cs-version"),
        ] {
            if let Some(v) = self.get(field) {
                attributes.push((key.to_string(), v));
            }
        }
        Entry {
            time,
            level: code.map(|c| match c {
                500..=599 => Level::Error,
                400..=499 => Level::Warn,
                _ => Level::Info,
            }),
            host: self.get("s-computername").or_else(|| self.get("s-ip")),
            service: self.get("s-sitename").or_else(|| self.get("cs(host)")),
            actor: self.get("cs-username"),
            message,
            attributes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, attr, naive_micro, never_panics, run, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const ADVANCED: &[u8] = include_bytes!("../../../fixtures/iis-w3c/w3c_extended.log");
    const STANDARD: &[u8] = include_bytes!("../../../fixtures/iis-w3c/own_u_ex261025.log");

    #[test]
    fn advanced_logging_local_times_stay_naive() {
        let out = run(&IisW3c, ADVANCED);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(naive_micro(r), "2012-08-15 17:00:00.363000");
        assert_eq!(r.time.precision, Precision::Milli);
        assert_eq!(r.time.text, "2012-08-15 17:00:00.363");
        assert_eq!(
            r.message,
            "GET /Products/theProduct -> 200 (client 70.95.0.0)"
        );
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!((r.line, r.line_end), (Some(8), Some(8)));
        assert_eq!(r.host.as_deref(), Some("1.2.3.4"));
        assert_eq!(r.service.as_deref(), Some("xzy.example.com"));
        assert_eq!(
            attr(r, "user_agent"),
            Some("Mozilla/5.0 (Linux; Android 4.4.4; SM-G900V Build/KTU84P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.59 Mobile Safari/537.36")
        );
        assert_eq!(attr(r, "time_taken_ms"), Some("109"));
        let moved = &out.records[1];
        assert_eq!(naive_micro(moved), "2012-08-15 17:00:00.660000");
        assert_eq!(moved.message, "GET /Topic/hw43061 -> 301");
        let missing = &out.records[2];
        assert_eq!(naive_micro(missing), "2012-08-15 17:00:00.675000");
        assert_eq!(missing.level, Some(Level::Warn));
        assert_eq!(
            missing.message,
            "GET /hello/world/6,681965 -> 404 (client 173.5.0.0)"
        );
        // The quoted sub-status with doubled quotes and spaces.
        assert_eq!(attr(missing, "substatus"), Some(" \"garbage\" w/ spaces "));
    }

    #[test]
    fn standard_iis_times_are_utc_and_fields_can_change() {
        let out = run(&IisW3c, STANDARD);
        let summary: Vec<(String, Option<u64>, Option<Level>, &str)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.line, r.level, r.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:39:58.000000Z".to_string(),
                    Some(5),
                    Some(Level::Info),
                    "GET /api/cart?id=8812 -> 200 (client 203.0.113.7)"
                ),
                (
                    "2026-10-25T01:40:03.000000Z".to_string(),
                    Some(6),
                    Some(Level::Error),
                    "POST /api/checkout -> 503 (client 203.0.113.7)"
                ),
                (
                    "2026-10-25T01:40:04.000000Z".to_string(),
                    Some(7),
                    Some(Level::Warn),
                    "GET /admin/web.config -> 404.7 (client 198.51.100.99)"
                ),
                (
                    "2026-10-25T02:02:11.000000Z".to_string(),
                    Some(13),
                    Some(Level::Error),
                    "POST /api/checkout -> 500.19 (client 203.0.113.8)"
                ),
            ]
        );
        let r = &out.records[1];
        assert_eq!(r.actor.as_deref(), Some("CONTOSO\\svc-shop"));
        assert_eq!(r.service.as_deref(), Some("W3SVC1"));
        assert_eq!(r.host.as_deref(), Some("WEB-01"));
        assert_eq!(
            attr(r, "user_agent"),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36")
        );
        assert_eq!(attr(&out.records[3], "bytes_sent"), Some("1245"));
        assert_eq!(out.records[3].host.as_deref(), Some("10.0.0.4"));
        // Line 8 has one value too few; the second block (a restart)
        // changes the fields from line 12 on.
        let problems: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(problems, [Some(8)]);
    }

    #[test]
    fn time_without_date_uses_the_date_directive() {
        let input = b"#Version: 1.0\n#Date: 2026-10-25 00:00:00\n#Fields: time c-ip cs-method cs-uri-stem sc-status\n01:40:03 203.0.113.7 GET / 200\n";
        let out = run(&IisW3c, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2026-10-25T01:40:03.000000Z");
        let out = run(&IisW3c, b"#Fields: time c-ip\n01:40:03 203.0.113.7\n");
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn bad_lines_become_problems() {
        let input = b"2026-10-25 01:40:03 GET /\n#Fields: date time cs-method cs-uri-stem\n2026-13-25 01:40:03 GET /\n2026-10-25 01:40:03 \"GET /\n2026-10-25 01:40:03 \"GET\"/ x\n#Date: yesterday\n";
        let out = run(&IisW3c, input);
        assert!(out.records.is_empty());
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(3), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn values_split_on_spaces_and_quotes() {
        let values = split_values("a  \"b \"\"c\"\"\" - \"\"").unwrap();
        let texts: Vec<(&str, bool)> = values.iter().map(|v| (v.text.as_str(), v.quoted)).collect();
        assert_eq!(
            texts,
            [("a", false), ("b \"c\"", true), ("-", false), ("", true)]
        );
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        assert_eq!(IisW3c.sniff(ADVANCED), Some(100));
        assert_eq!(IisW3c.sniff(STANDARD), Some(80));
        // Only directives in the head: the #Date is the time it can read.
        let first_entry = STANDARD
            .windows(21)
            .position(|w| w == b"\n2026-10-25 01:39:58 ")
            .expect("first entry");
        assert_eq!(IisW3c.sniff(&STANDARD[..=first_entry]), Some(60));
        assert_rejects(
            &IisW3c,
            &[
            &b"{\"time\":\"2026-10-25T01:41:02Z\",\"level\":\"warn\",\"msg\":\"#Fields: date time\"}\n"[..],
            b"Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
            br##"[{"type":"message","user":"U024BE7LH","text":"#Fields: date time","ts":"1792892462.000200"}]"##,
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            b"#separator \\x09\n#fields\tts\tuid\n1700000000.1\tC1\n",
            b"#Fields: date time c-ip\nnot a date at all\n",
            ],
        );
    }

    never_panics!(IisW3c);

    proptest! {
        #[test]
        fn arbitrary_lines_under_fields_never_panic(line in "[ -~\u{e9}\"]{0,80}") {
            let input = format!("#Fields: date time cs-method cs-uri-stem sc-status\n{line}\n");
            let mut out = Collected::default();
            IisW3c.parse(input.as_bytes(), &mut out);
            let _ = IisW3c.sniff(input.as_bytes());
        }
    }
}
