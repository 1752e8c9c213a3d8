//! `docker compose logs` output: each line is prefixed with the container's
//! name padded to a common width (`web-1    | `), often coloured with ANSI
//! escape sequences; with `-t` (`--timestamps`) the daemon's RFC 3339 UTC
//! timestamp with nanoseconds follows, then the container's own line.
//!
//! Without `-t` a line has no time but the one its container wrote: a
//! line whose own text starts with a timestamp starts a record, and one
//! that does not (a stack frame, a wrapped message) joins the record just
//! above when that is from the same container. With `-t` every line has
//! its time and is a record of its own. A container's JSON line is read
//! as JSON lines are, so its message and level are its fields'.

use std::cell::Cell;
use std::sync::OnceLock;

use regex::Regex;

use super::{jsonl, strip_ansi};
use crate::input::lines;
use crate::record::{Level, Problem, Record, RecordSink};
use crate::time::{self, TimeValue, Timestamp};
use crate::Parser;

/// `docker compose logs` (and `docker-compose logs`), with or without `-t`.
pub struct DockerCompose;

impl Parser for DockerCompose {
    fn id(&self) -> &str {
        "docker-compose"
    }

    fn description(&self) -> &str {
        "docker compose logs output (service-1 | line), with or without -t timestamps"
    }

    fn specificity(&self) -> u8 {
        80
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        // Continuation lines of a container count for the format, but only
        // beside at least one line with a time.
        let timed = Cell::new(false);
        let share = lines::sniff(head, false, |line| {
            let line = strip_ansi(line);
            let Some((name, _)) = prefix(&line) else {
                return false;
            };
            // `INFO  | …` and `2026-01-01 | …` are columns of other formats.
            if !name.bytes().any(|b| b.is_ascii_alphabetic()) || Level::from_word(name).is_some() {
                return false;
            }
            if let Ok(Some(parsed)) = parse_line(&line) {
                if !matches!(parsed.time.value, TimeValue::TimeOnly(_)) {
                    timed.set(true);
                }
            }
            true
        })?;
        timed.get().then_some(share)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut pending: Option<(Record, String)> = None;
        for line in lines::split(input) {
            if let Some(too_long) = lines::over_limit(&line) {
                sink.problem(too_long);
                continue;
            }
            let (raw, lossy) = lines::text(line.bytes);
            let text = strip_ansi(&raw);
            if text.trim().is_empty() {
                continue;
            }
            let end = line.start + line.bytes.len();
            match parse_line(&text) {
                Ok(Some(parsed)) => {
                    if let Some((done, _)) = pending.take() {
                        sink.record(done);
                    }
                    let mut record =
                        Record::log(line.number, line.start..end, parsed.time, parsed.message);
                    record.level = parsed.level;
                    record.service = Some(parsed.service.clone());
                    record.lossy_utf8 = lossy;
                    pending = Some((record, parsed.service));
                }
                // A blank line of a container's output.
                Ok(None) => {}
                Err(Untimed::Continuation {
                    service,
                    text: body,
                }) => {
                    let joined = pending.as_mut().is_some_and(|(record, owner)| {
                        *owner == service
                            && lines::join_above(record, &body, line.number, end, lossy)
                    });
                    if !joined {
                        sink.problem(Problem {
                            line: Some(line.number),
                            locator: None,
                            reason: format!(
                                "line of {service} has no timestamp and follows no record of {service}"
                            ),
                        });
                    }
                }
                Err(Untimed::NotCompose(reason)) => sink.problem(Problem {
                    line: Some(line.number),
                    locator: None,
                    reason,
                }),
            }
        }
        if let Some((done, _)) = pending {
            sink.record(done);
        }
    }
}

/// What one line says.
#[derive(Debug)]
struct Parsed {
    time: Timestamp,
    service: String,
    level: Option<Level>,
    message: String,
}

/// Why a line is not a record of its own.
#[derive(Debug)]
enum Untimed {
    /// A container's line without a time.
    Continuation { service: String, text: String },
    /// Not a `docker compose logs` line at all.
    NotCompose(String),
}

fn prefix_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // Compose pads every name to the longest one, then writes ` | `.
    PATTERN.get_or_init(|| {
        Regex::new(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,127}) +\| ?").expect("valid prefix pattern")
    })
}

/// The container name and the rest of the line.
fn prefix(line: &str) -> Option<(&str, &str)> {
    let caps = prefix_pattern().captures(line)?;
    let name = caps.get(1)?.as_str();
    let rest = line.get(caps.get(0)?.end()..)?;
    Some((name, rest))
}

fn parse_line(line: &str) -> Result<Option<Parsed>, Untimed> {
    let Some((service, rest)) = prefix(line) else {
        return Err(Untimed::NotCompose(
            "not a docker compose logs line (no `name | ` prefix)".to_string(),
        ));
    };
    // `-t`: the daemon's time, always absolute.
    let daemon = time::parse_leading(rest).filter(|(t, used)| {
        matches!(t.value, TimeValue::Utc(_))
            && rest
                .get(*used..)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
    });
    let (daemon_time, inner) = match daemon {
        Some((t, used)) => (Some(t), rest.get(used..).unwrap_or_default()),
        None => (None, rest),
    };
    let message = inner.trim();
    // A JSON line is read as JSON lines are: its level and message, and
    // its own time where the daemon wrote none (Caddy's epoch `ts`).
    if message.starts_with('{') {
        if let Some(fields) = jsonl::timed_fields(message) {
            return Ok(Some(Parsed {
                time: daemon_time.unwrap_or(fields.time),
                service: service.to_string(),
                level: fields.level,
                message: fields.message,
            }));
        }
    }
    let Some(time) = daemon_time.or_else(|| own_time(rest)) else {
        return Err(Untimed::Continuation {
            service: service.to_string(),
            text: rest.trim_end().to_string(),
        });
    };
    if message.is_empty() {
        return Ok(None);
    }
    Ok(Some(Parsed {
        time,
        service: service.to_string(),
        level: level_of(message),
        message: message.to_string(),
    }))
}

/// The timestamp a container's line starts with: bare, in brackets, or
/// as the first logfmt pair (`time="2026-…"`, as Go's logrus writes).
fn own_time(inner: &str) -> Option<Timestamp> {
    let text = inner.trim_start();
    for key in ["time=", "ts=", "timestamp="] {
        if let Some(value) = text.strip_prefix(key) {
            let value = value.strip_prefix('"').unwrap_or(value);
            return time::parse_leading(value).map(|(t, _)| t);
        }
    }
    let text = text.strip_prefix('[').unwrap_or(text);
    time::parse_leading(text).map(|(t, _)| t)
}

fn redis_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // `1:M 25 Apr 2024 05:32:35.019 # Warning: …`: Redis marks its levels
    // with one character after its own timestamp.
    PATTERN.get_or_init(|| {
        Regex::new(r"^\d+:[XCSM] \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} ([.*#-]) ")
            .expect("valid redis pattern")
    })
}

/// How many words of a container's line may hold its level: a timestamp,
/// a pid, a thread and the level; later words are message.
const LEVEL_WORDS: usize = 4;

/// The level a container's line states near its start (`WARNING: …`,
/// `[error]`, `level=warn`, `2024-… INFO …`, Redis's `#`).
fn level_of(message: &str) -> Option<Level> {
    if let Some(level) = Level::from_message_start(message) {
        return Some(level);
    }
    if let Some(mark) = redis_pattern()
        .captures(message)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
    {
        return match mark {
            "#" => Some(Level::Warn),
            "*" => Some(Level::Notice),
            _ => Some(Level::Debug),
        };
    }
    let rest = message
        .strip_prefix('[')
        .and_then(|r| time::parse_leading(r).and_then(|(_, used)| r.get(used..)))
        .map(|r| r.trim_start_matches(']'))
        .or_else(|| time::parse_leading(message).and_then(|(_, used)| message.get(used..)))
        .unwrap_or(message);
    rest.split_whitespace()
        .take(LEVEL_WORDS)
        .enumerate()
        .find_map(|(i, word)| word_level(word, i == 0))
}

fn word_level(word: &str, first: bool) -> Option<Level> {
    let lower = word.to_ascii_lowercase();
    for key in ["level=", "lvl=", "severity="] {
        if let Some(value) = lower.strip_prefix(key) {
            return Level::from_word(value.trim_matches('"'));
        }
    }
    let core =
        word.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '<' | '>' | ':' | ',' | '|'));
    let marked = core.len() < word.len() || first;
    let upper = core.bytes().all(|b| b.is_ascii_uppercase());
    // One- and two-letter abbreviations (`I`, `E`) are too often words.
    if core.len() >= 4 && (marked || upper) || core.len() == 3 && upper {
        return Level::from_word(core);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, never_panics, run, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const WITH_TS: &[u8] =
        include_bytes!("../../../fixtures/docker-compose/docker_compose_with_ts.log");
    const PLAIN: &[u8] = include_bytes!("../../../fixtures/docker-compose/own_compose_logs.log");

    #[test]
    fn timestamped_lines_with_ansi_colours() {
        let out = run(&DockerCompose, WITH_TS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 22);
        let r = &out.records[0];
        assert_eq!(utc(r), "2024-04-25T05:32:35.584725Z");
        assert_eq!(r.time.precision, Precision::Nano);
        assert_eq!(r.message, "* Serving Flask app 'app.py'");
        assert_eq!(r.service.as_deref(), Some("web-1"));
        assert_eq!((r.line, r.line_end), (Some(1), Some(1)));
        let warning = &out.records[2];
        assert_eq!(utc(warning), "2024-04-25T05:32:35.600215Z");
        assert_eq!(
            warning.message,
            "WARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead."
        );
        assert_eq!(warning.level, Some(Level::Warn));
        let redis = &out.records[12];
        assert_eq!(utc(redis), "2024-04-25T05:32:35.019607Z");
        assert_eq!(redis.service.as_deref(), Some("redis-1"));
        assert_eq!(redis.level, Some(Level::Warn));
        assert_eq!(redis.line, Some(13));
        assert!(redis
            .message
            .starts_with("1:C 25 Apr 2024 05:32:35.018 # Warning: no config file"));
        assert_eq!(out.records[15].level, Some(Level::Notice));
        assert_eq!(utc(&out.records[21]), "2024-04-25T05:54:43.948541Z");
        assert_eq!(out.records[0].level, None);
    }

    #[test]
    fn untimestamped_lines_use_the_containers_own_time() {
        let out = run(&DockerCompose, PLAIN);
        let summary: Vec<_> = out
            .records
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.line_end,
                    r.service.as_deref().unwrap_or(""),
                    r.level,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some(2), Some(2), "db-1", None),
                (Some(3), Some(3), "api-1", Some(Level::Info)),
                (Some(4), Some(7), "api-1", Some(Level::Error)),
                (Some(8), Some(8), "db-1", Some(Level::Critical)),
                (Some(10), Some(10), "worker-1", Some(Level::Warn)),
            ]
        );
        let db = &out.records[0];
        assert_eq!(utc(db), "2026-10-25T01:39:02.114000Z");
        let api = &out.records[1];
        // The container wrote no zone: naive, for the pipeline to resolve.
        assert_eq!(
            api.time.value,
            TimeValue::Local(
                chrono::NaiveDate::from_ymd_opt(2026, 10, 25)
                    .and_then(|d| d.and_hms_milli_opt(3, 39, 5, 231))
                    .expect("valid")
            )
        );
        assert_eq!(
            out.records[2].message,
            "2026-10-25 03:39:07,880 ERROR [http-nio-8080-exec-4] c.e.CheckoutController : payment call failed\njava.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)\n\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:966)"
        );
        let worker = &out.records[4];
        assert_eq!(utc(worker), "2026-10-25T01:39:12.000000Z");
        assert_eq!(
            worker.message,
            "time=\"2026-10-25T01:39:12Z\" level=warning msg=\"queue depth 1200\""
        );
        // `Attaching to …` has no prefix; the worker's untimed first line
        // follows a record of another container.
        let problems: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(problems, [Some(1), Some(9)]);
    }

    #[test]
    fn json_lines_without_daemon_time_use_their_own() {
        let out = run(
            &DockerCompose,
            include_bytes!("../../../fixtures/docker-compose/lnav_caddy_compose_json.log"),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 39);
        let first = &out.records[0];
        assert_eq!(utc(first), "2025-10-21T04:10:22.315275Z");
        assert_eq!(first.service.as_deref(), Some("caddy"));
        assert_eq!(first.level, Some(Level::Info));
        assert_eq!(
            first.message,
            "maxprocs: Leaving GOMAXPROCS=12: CPU quota undefined"
        );
        let warning = &out.records[4];
        assert_eq!(utc(warning), "2025-10-21T04:10:22.315754Z");
        assert_eq!(warning.level, Some(Level::Warn));
        assert_eq!(
            warning.message,
            "Caddyfile input is not formatted; run 'caddy fmt --overwrite' to fix inconsistencies"
        );
        assert_eq!(warning.line, Some(5));
    }

    #[test]
    fn daemon_time_wins_over_a_json_lines_own() {
        let out = run(
            &DockerCompose,
            b"web-1  | 2026-10-25T01:39:02.114000000Z {\"level\":\"error\",\"ts\":1,\"msg\":\"boom\"}\n",
        );
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T01:39:02.114000Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "boom");
    }

    #[test]
    fn escape_sequences_are_removed() {
        assert_eq!(
            strip_ansi("\u{1b}[2K\u{1b}[36mweb-1 \u{1b}[0m | x"),
            "web-1  | x"
        );
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{7}b\u{1b}(Bc"), "abc");
        assert_eq!(strip_ansi("\u{1b}"), "");
        assert_eq!(strip_ansi("é\u{1b}[1mé"), "éé");
    }

    #[test]
    fn levels_near_the_start_of_a_containers_line() {
        assert_eq!(level_of("[error] x"), Some(Level::Error));
        assert_eq!(level_of("2026-01-01 10:00:00 INFO x"), Some(Level::Info));
        assert_eq!(level_of("[2026-01-01 10:00:00] ERR x"), Some(Level::Error));
        assert_eq!(level_of("ts=1 level=warn msg=x"), Some(Level::Warn));
        assert_eq!(level_of("I did it"), None);
        assert_eq!(level_of("GET /health 200"), None);
        assert_eq!(level_of("a b c d error"), None);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        assert_eq!(DockerCompose.sniff(WITH_TS), Some(100));
        assert!(DockerCompose.sniff(PLAIN).is_some());
        assert!(DockerCompose.sniff(&WITH_TS[..700]).is_some());
        assert_rejects(
            &DockerCompose,
            &[
            &b"{\"time\":\"2026-10-25T01:41:02Z\",\"level\":\"warn\",\"msg\":\"web-1  | x\"}\n"[..],
            b"Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
            br#"[{"type":"message","user":"U024BE7LH","text":"web-1  | 2026-01-01T00:00:00Z x","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            b"2026-10-25 01:39:02.114 | INFO     | app:main:12 - started\n",
            b"INFO  | 2026-10-25T01:39:02Z started\n",
            b"web-1  | no time here\nweb-1  | nor here\n",
            ],
        );
    }

    never_panics!(DockerCompose);

    proptest! {
        #[test]
        fn prefixed_noise_never_panics(tail in "[ -~\u{1b}\u{e9}]{0,80}") {
            let line = format!("web-1  | {tail}\n");
            let mut out = Collected::default();
            DockerCompose.parse(line.as_bytes(), &mut out);
            let _ = DockerCompose.sniff(line.as_bytes());
        }
    }
}
