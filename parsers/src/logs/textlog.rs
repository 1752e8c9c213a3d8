//! Generic text logs: every line that starts with a timestamp starts a
//! record; every other line (Java and Go stack traces, Python tracebacks,
//! wrapped messages, property dumps) belongs to the record above.
//!
//! After the timestamp, the first few tokens are searched for a level
//! (`INFO`, `[WARN]`, `level=warn`, `<error>`) and, best effort, a logger
//! or component (`[org.jboss.as]`, `com.example.Foo:`, `Foo :`).

use std::cell::Cell;
use std::ops::Range;

use crate::input::lines::{self, Continuation, Fields};
use crate::record::{Level, RecordSink};
use crate::time::{self, EpochUnit, Precision, TimeValue, Timestamp};
use crate::Parser;

/// Lines that start with a timestamp.
pub struct TextLog;

impl Parser for TextLog {
    fn id(&self) -> &str {
        "text-log"
    }

    fn description(&self) -> &str {
        "Text log lines that start with a timestamp; stack traces join the line above"
    }

    fn specificity(&self) -> u8 {
        10
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        // Unindented stack-trace lines (`Caused by:`, Python's `File "…"`,
        // Go's frames) are continuations like indented ones: they count for
        // the format, but only beside at least one timestamped line. Other
        // lines after a timestamped one (a header dump, a wrapped message)
        // join its record, so they do not count against the format; but a
        // few dated lines in a document of prose are not a log.
        let stamped = Cell::new(0usize);
        let joined = Cell::new(0usize);
        let share = lines::sniff_judged(head, true, |line| {
            if parse_line(line).is_ok() {
                stamped.set(stamped.get() + 1);
                Some(true)
            } else if is_trace_line(line) {
                Some(true)
            } else if stamped.get() > 0 {
                joined.set(joined.get() + 1);
                None
            } else {
                Some(false)
            }
        })?;
        (stamped.get() > 0 && joined.get() <= MAX_JOINED_PER_STAMP * stamped.get()).then_some(share)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        lines::drive(input, sink, Continuation::JoinAbove, parse_line);
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        Some(parse_line(&lines::text(line).0).is_ok())
    }

    fn untimed(&self, head: &[u8]) -> Option<String> {
        // A stack trace saved on its own (a test report's, a crash dump's
        // `[ERROR]`-prefixed one): frames, indented or not, and the
        // exception lines, with no time anywhere.
        let frame = |line: &str| {
            let line = line
                .strip_prefix('[')
                .and_then(|rest| rest.split_once("] "))
                .filter(|(level, _)| Level::from_word(level).is_some())
                .map_or(line, |(_, rest)| rest)
                .trim_start();
            is_trace_line(line) || line.starts_with("at ")
        };
        let stamped = lines::sniff(head, false, |line| parse_line(line).is_ok()).is_some();
        // Indented lines (frames, quoted source) are left out of the count.
        let traced = lines::sniff(head, true, frame).is_some_and(|share| share >= 80);
        (traced && !stamped).then(|| {
            "a stack trace without timestamps (it belongs with the log line that reported it)"
                .to_string()
        })
    }
}

/// How many unindented lines that join records there may be in a head,
/// per timestamped line, for the head to be a log.
const MAX_JOINED_PER_STAMP: usize = 3;

/// How many tokens after the timestamp may hold the level and the logger:
/// `pid LEVEL [thread] (thread) logger:` at most; later words are message.
const HEADER_TOKENS: usize = 6;

/// A leading token before the timestamp (`nova-api.log.1 2017-05-16 …`,
/// `MainThread::INFO::2011-12-05 …`) is skipped only up to this length.
const MAX_PREFIX: usize = 80;

fn parse_line(line: &str) -> Result<Fields, String> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let lead = lead(line)?;
    let header = header(lead.rest);
    let level = header.level.or_else(|| prefix_level(lead.prefix));
    let message = match header.level_at {
        Some(at) => {
            let before = lead.rest.get(..at.start).unwrap_or_default();
            let after = lead.rest.get(at.end..).unwrap_or_default();
            let before = skip_separators(before).trim_end_matches(is_separator);
            // A process or thread id before the level (OpenStack's `25746
            // INFO`, MySQL's `0 [Note]`) says which process, not what.
            let before = if before.bytes().all(|b| b.is_ascii_digit()) {
                ""
            } else {
                before
            };
            let after = skip_separators(after);
            match (before.is_empty(), after.is_empty()) {
                (true, _) => after.to_string(),
                (false, true) => before.to_string(),
                (false, false) => format!("{before} {after}"),
            }
        }
        None => skip_separators(lead.rest).to_string(),
    };
    let mut fields = Fields::new(lead.time, message);
    fields.level = level;
    fields.service = header.service;
    Ok(fields)
}

/// The start of a record line, split around its timestamp.
struct Lead<'a> {
    /// What came before the timestamp (usually nothing).
    prefix: &'a str,
    time: Timestamp,
    /// Everything after the timestamp and its closing bracket.
    rest: &'a str,
}

fn lead(line: &str) -> Result<Lead<'_>, String> {
    if let Some(found) = stamp_at(line, 0, false)? {
        return Ok(found);
    }
    // A file name or thread may precede the timestamp, but only a full date
    // and time after it counts: a bare clock after a word is too easily a
    // line of a stack trace or a wrapped message.
    for at in prefix_ends(line) {
        if let Ok(Some(found)) = stamp_at(line, at, true) {
            return Ok(found);
        }
    }
    Err("no timestamp at the start of the line".to_string())
}

/// Where a timestamp may start after a skipped leading token: after one
/// space that follows a word (`nova-api.log.1.2017-05-16_13:53:08 `), or
/// after a `::` inside it (Python's `%(threadName)s::%(levelname)s::`).
fn prefix_ends(line: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    if !line.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return ends;
    }
    // File names, thread names and `::` separators; not CSV or `|` fields.
    let token_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':')))
        .unwrap_or(line.len());
    if token_end > MAX_PREFIX {
        return ends;
    }
    let Some(token) = line.get(..token_end) else {
        return ends;
    };
    ends.extend(token.match_indices("::").map(|(i, _)| i + 2));
    if token.ends_with(|c: char| c.is_ascii_alphanumeric())
        && line.get(token_end..).is_some_and(|r| r.starts_with(' '))
    {
        ends.push(token_end + 1);
    }
    ends
}

/// Reads a timestamp at byte `at`: `Ok(None)` when there is none, an error
/// when there is one that cannot be used.
fn stamp_at(line: &str, at: usize, full_only: bool) -> Result<Option<Lead<'_>>, String> {
    let (Some(prefix), Some(text)) = (line.get(..at), line.get(at..)) else {
        return Ok(None);
    };
    let (bracketed, body) = match text.strip_prefix('[') {
        Some(body) if !full_only => (true, body),
        _ => (false, text),
    };
    let read = if full_only {
        // After a skipped word only a year-first date and time counts: a
        // number there is a count or an id, not an epoch.
        if !body.bytes().take(4).all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        time::parse_leading(body)
            .filter(|(t, _)| matches!(t.value, TimeValue::Utc(_) | TimeValue::Local(_)))
    } else {
        read_time(body)
    };
    let Some((time, used)) = read else {
        return Ok(None);
    };
    let Some(mut rest) = body.get(used..) else {
        return Ok(None);
    };
    if bracketed {
        match rest.strip_prefix(']') {
            Some(after) => rest = after,
            None => return Ok(None),
        }
    } else if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let word: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        return Err(format!(
            "timestamp {:?} runs into {word:?}: an unreadable zone or not a timestamp",
            time.text
        ));
    }
    Ok(Some(Lead { prefix, time, rest }))
}

fn read_time(text: &str) -> Option<(Timestamp, usize)> {
    time::parse_leading(text)
        .or_else(|| leading_epoch(text))
        .or_else(|| tai64n(text))
}

/// Earliest and latest instants (2000–2100) a leading bare number may
/// denote: outside them it is a counter, a pid or an id.
const EPOCH_RANGE: Range<i64> = 946_684_800_000_000..4_102_444_800_000_000;

/// A line that starts with an epoch number: 10 digits (seconds, optionally
/// with a fraction), 13 (ms), 16 (µs) or 19 (ns), then a space.
fn leading_epoch(text: &str) -> Option<(Timestamp, usize)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut end = digits;
    if digits == 10 && text.as_bytes().get(digits) == Some(&b'.') {
        let fraction = text
            .bytes()
            .skip(digits + 1)
            .take_while(u8::is_ascii_digit)
            .count();
        if fraction > 0 {
            end = digits + 1 + fraction;
        }
    }
    if !matches!(digits, 10 | 13 | 16 | 19)
        || !text
            .get(end..)?
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || c == ']')
    {
        return None;
    }
    let ts = time::parse_epoch(text.get(..end)?, None)?;
    match ts.value {
        TimeValue::Utc(micros) if EPOCH_RANGE.contains(&micros) => Some((ts, end)),
        _ => None,
    }
}

/// TAI64N labels of daemontools' `multilog` and runit's `svlogd -t`:
/// `@` and 24 hex digits, seconds then nanoseconds.
fn tai64n(text: &str) -> Option<(Timestamp, usize)> {
    // daemontools stamps the system clock plus 2^62 + 10 (the TAI−UTC
    // difference of 1970) and ignores later leap seconds, so subtracting
    // the same constant gives back the UTC clock reading.
    const UNIX_LABEL: u64 = (1 << 62) + 10;
    let hex = text.strip_prefix('@')?.get(..24)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let seconds = u64::from_str_radix(hex.get(..16)?, 16).ok()?;
    let nanos = u64::from_str_radix(hex.get(16..)?, 16).ok()?;
    let unix = i128::from(seconds.checked_sub(UNIX_LABEL)?);
    if nanos >= 1_000_000_000 {
        return None;
    }
    let micros = time::epoch_to_micros(unix * 1_000_000_000 + i128::from(nanos), EpochUnit::Nanos)?;
    let ts = Timestamp {
        value: TimeValue::Utc(micros),
        precision: Precision::Nano,
        text: text.get(..25)?.to_string(),
        unknown_zone: false,
    };
    Some((ts, 25))
}

/// An unindented line of a Java, Python, Go or PHP stack trace.
fn is_trace_line(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "Caused by:",
        "Suppressed:",
        "Exception in thread ",
        "Traceback (most recent call last)",
        "File \"",
        "goroutine ",
        "panic: ",
        "[stacktrace]",
        "...",
    ];
    if STARTS.iter().any(|s| line.starts_with(s)) {
        return true;
    }
    // PHP: `#3 /var/www/…`.
    if let Some(rest) = line.strip_prefix('#') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest.get(digits..).is_some_and(|r| r.starts_with(' ')) {
            return true;
        }
    }
    // `java.net.ConnectException: …`, `ValueError: …`.
    let head = line
        .split(|c: char| c == ':' || c.is_whitespace())
        .next()
        .unwrap_or_default();
    let name = head.rsplit('.').next().unwrap_or_default();
    if ["Exception", "Error", "Throwable", "Warning", "Interrupt"]
        .iter()
        .any(|s| name.ends_with(s))
        && head.chars().all(|c| is_name_char(c) || c == '.')
    {
        return true;
    }
    // Go: `main.main()`, `go.opentelemetry.io/collector/….func3`.
    !line.contains(char::is_whitespace)
        && line.contains('.')
        && (line.contains('/') || line.ends_with(')'))
}

/// What the first tokens after the timestamp say.
#[derive(Debug, Default)]
struct Header {
    level: Option<Level>,
    /// Byte range of the level token in the text after the timestamp.
    level_at: Option<Range<usize>>,
    service: Option<String>,
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '|' | ',' | '-')
}

/// Skips whitespace and the punctuation logs put between header fields
/// (`:`, `|`, `,`, a lone `-`), but not a `-` that starts a word.
fn skip_separators(text: &str) -> &str {
    let mut rest = text;
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) if c.is_whitespace() || matches!(c, ':' | '|' | ',') => rest = chars.as_str(),
            Some('-')
                if chars
                    .as_str()
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace) =>
            {
                rest = chars.as_str()
            }
            _ => return rest,
        }
    }
}

fn header(rest: &str) -> Header {
    let mut header = Header::default();
    let mut pos = 0;
    // MySQL 8 names the subsystem in the bracket after the error code:
    // `[Note] [MY-012487] [InnoDB] DDL log recovery`.
    let mut after_error_code = false;
    for _ in 0..HEADER_TOKENS {
        let Some(tail) = rest.get(pos..) else { break };
        let skipped = skip_separators(tail);
        pos += tail.len() - skipped.len();
        let tail = skipped;
        let Some(open) = tail.chars().next() else {
            break;
        };
        if matches!(open, '[' | '(' | '<') {
            let Some(close) = closing(tail, open) else {
                break;
            };
            let inner = tail.get(1..close).unwrap_or_default().trim();
            let end = pos + close + 1;
            if header.level.is_none() && open != '(' {
                if let Some(level) = bracket_level(inner) {
                    header.level = Some(level);
                    header.level_at = Some(pos..end);
                    pos = end;
                    continue;
                }
            }
            match open {
                '<' => break,
                '[' if header.service.is_none()
                    && (is_logger(inner)
                        || (after_error_code
                            && !inner.is_empty()
                            && inner.chars().all(is_name_char))) =>
                {
                    header.service = Some(inner.to_string());
                    break;
                }
                '[' if is_mysql_error_code(inner) => {
                    after_error_code = true;
                    pos = end;
                }
                // A thread, a request id, a source position: skipped, and
                // kept in the message.
                _ => pos = end,
            }
            continue;
        }
        let word = tail.split(char::is_whitespace).next().unwrap_or_default();
        if header.level.is_none() {
            if let Some((level, len)) = word_level(tail, word) {
                header.level = Some(level);
                header.level_at = Some(pos..pos + len);
                pos += len;
                continue;
            }
            // Laravel/Monolog: `channel.LEVEL:`.
            if let Some((channel, level)) = channel_level(word) {
                header.level = Some(level);
                header.level_at = Some(pos..pos + word.len());
                header.service = Some(channel.to_string());
                break;
            }
            // A process id before the level (OpenStack: `25746 INFO`).
            if word.bytes().all(|b| b.is_ascii_digit()) {
                pos += word.len();
                continue;
            }
        }
        if header.service.is_none() {
            header.service = word_logger(tail, word, header.level.is_some());
        }
        break;
    }
    if header.level.is_none() {
        if let Some((level, at)) = postgres_level(rest) {
            header.level = Some(level);
            header.level_at = Some(at);
        }
    }
    header
}

/// PostgreSQL's severity (`SEVERITY:` and two spaces, as elog.c writes it)
/// after a `[pid]` or `[pid-line]` and whatever else `log_line_prefix`
/// adds: `[5407] postgres@users FATAL:  database "users" does not exist`.
fn postgres_level(rest: &str) -> Option<(Level, Range<usize>)> {
    let body = skip_separators(rest).strip_prefix('[')?;
    let (pid, _) = body.split_once(']')?;
    if !pid.starts_with(|c: char| c.is_ascii_digit())
        || !pid.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    let prefix_start = rest.len() - body.len() + pid.len() + 1;
    let prefix = rest.get(prefix_start..)?;
    let colon = prefix.find(":  ")?;
    let before = prefix.get(..colon)?;
    let word_start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    if before.split_whitespace().count() > HEADER_TOKENS {
        return None;
    }
    let level = match before.get(word_start..)? {
        "DEBUG1" | "DEBUG2" | "DEBUG3" | "DEBUG4" | "DEBUG5" => Level::Debug,
        "INFO" | "LOG" => Level::Info,
        "NOTICE" => Level::Notice,
        "WARNING" => Level::Warn,
        "ERROR" => Level::Error,
        "FATAL" | "PANIC" => Level::Critical,
        _ => return None,
    };
    Some((level, prefix_start + word_start..prefix_start + colon + 1))
}

/// Byte index of the bracket that closes the one `text` starts with,
/// counting nested pairs (`[QuorumPeer[myid=1]/…@774]`).
fn closing(text: &str, open: char) -> Option<usize> {
    let close = match open {
        '[' => ']',
        '(' => ')',
        _ => '>',
    };
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `[WARN]`, `<error>`, Apache's `[module:level]`, and MySQL's `[Note]`
/// and `[System]`, its names for information (not syslog's notice).
fn bracket_level(inner: &str) -> Option<Level> {
    if matches!(inner, "Note" | "System") {
        return Some(Level::Info);
    }
    level_word(inner).or_else(|| level_word(inner.rsplit_once(':')?.1))
}

/// MySQL 8's error code: `MY-` and digits.
fn is_mysql_error_code(inner: &str) -> bool {
    inner
        .strip_prefix("MY-")
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// A level word at the start of `tail`: its letters must end at a
/// delimiter (`INFO `, `DEBUG:`, `info\t`), or it is `level=warn`.
fn word_level(tail: &str, word: &str) -> Option<(Level, usize)> {
    for key in ["level=", "lvl=", "severity="] {
        if let Some(value) = word
            .get(..key.len())
            .filter(|k| k.eq_ignore_ascii_case(key))
            .and_then(|_| word.get(key.len()..))
        {
            return Some((Level::from_word(value.trim_matches('"'))?, word.len()));
        }
    }
    let letters = tail
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(tail.len());
    let delimited = tail
        .get(letters..)?
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || matches!(c, ':' | '|' | ','));
    if !delimited {
        return None;
    }
    Some((level_word(tail.get(..letters)?)?, letters))
}

/// Level words as they appear in a header. Upper case is always a level;
/// in other cases only the usual level names count, since `Note`, `Fine`
/// or `alert` also start ordinary sentences. One letter is never enough.
fn level_word(word: &str) -> Option<Level> {
    const USUAL: &[&str] = &[
        "trace", "debug", "info", "notice", "warn", "warning", "error", "err", "fatal", "crit",
        "critical", "dbg", "inf", "wrn", "trc", "ftl",
    ];
    if word.len() < 3 {
        return None;
    }
    let level = Level::from_word(word)?;
    let upper = word.bytes().all(|b| !b.is_ascii_lowercase());
    (upper || USUAL.iter().any(|u| u.eq_ignore_ascii_case(word))).then_some(level)
}

/// `laravel.EMERGENCY:` → (`laravel`, critical).
fn channel_level(word: &str) -> Option<(&str, Level)> {
    let (channel, level) = word.strip_suffix(':').unwrap_or(word).rsplit_once('.')?;
    if channel.is_empty() || !channel.chars().all(is_name_char) {
        return None;
    }
    if !level.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((channel, level_word(level)?))
}

/// A level among the words of a prefix (`MainThread::INFO::`).
fn prefix_level(prefix: &str) -> Option<Level> {
    prefix
        .split(|c: char| !c.is_ascii_alphabetic())
        .find_map(level_word)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$')
}

/// A dotted Java/Python logger or package name: `org.jboss.as.server`,
/// `nova.osapi_compute.wsgi.server`; not a version, address or path.
fn is_logger(name: &str) -> bool {
    let mut segments = name.split('.');
    let starts_with_letter = name.starts_with(|c: char| c.is_ascii_alphabetic());
    starts_with_letter
        && name.contains('.')
        && segments.all(|s| !s.is_empty() && s.chars().all(is_name_char))
}

/// A logger word after the level (`com.example.Foo:`, `Foo:`, Spring's
/// padded `FarmApplication   :`, a bare dotted name), or a `prog[pid]:`
/// anywhere. `None` when unsure: a plain word may start the message.
fn word_logger(tail: &str, word: &str, after_level: bool) -> Option<String> {
    if let Some((name, pid)) = word.strip_suffix("]:").and_then(|w| w.split_once('[')) {
        if !name.is_empty()
            && name
                .chars()
                .all(|c| is_name_char(c) || c == '.' || c == '/')
            && pid.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(name.to_string());
        }
    }
    if !after_level {
        return None;
    }
    let simple = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic())
            && w.chars().all(|c| is_name_char(c) || c == '.')
    };
    if let Some(name) = word.strip_suffix(':').filter(|w| simple(w)) {
        return Some(name.to_string());
    }
    let spaced_colon = tail
        .get(word.len()..)
        .map(str::trim_start)
        .is_some_and(|r| r.starts_with(": ") || r == ":");
    if simple(word) && (spaced_colon || is_logger(word)) {
        return Some(word.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use crate::testing::{assert_rejects_text, never_panics, run, run_str};
    use crate::time::format_utc;
    use chrono::{NaiveDate, NaiveTime};
    use proptest::prelude::*;

    fn local(record: &Record) -> String {
        match record.time.value {
            TimeValue::Local(t) => t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            TimeValue::Utc(micros) => format_utc(micros),
            TimeValue::TimeOnly(t) => t.format("%H:%M:%S%.6f").to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn spring_boot_logback_threads_and_loggers() {
        let input = "2025-01-24T07:00:30,139 INFO [background-preinit       ] Version                  : HV000001: Hibernate Validator 8.0.1.Final
2025-01-24T07:00:36,200 INFO [arm-thread-pool1-thread-1] ZookeeperConfig          : Connection state changed on client zoo-ts_one:2181 to state CONNECTED.
";
        let out = run_str(&TextLog, input);
        assert!(out.problems.is_empty());
        let r = &out.records[0];
        assert_eq!(local(r), "2025-01-24 07:00:30.139000");
        assert_eq!(r.time.precision, Precision::Milli);
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("Version"));
        assert_eq!(
            r.message,
            "[background-preinit       ] Version                  : HV000001: Hibernate Validator 8.0.1.Final"
        );
        assert_eq!(out.records[1].service.as_deref(), Some("ZookeeperConfig"));
        assert_eq!(out.records[1].line, Some(2));
    }

    #[test]
    fn jboss_stack_trace_joins_its_record() {
        let input = "15:11:48,619 INFO  [org.jboss.as.server] (management-handler-thread - 2) JBAS018559: Deployed \"operation-selector-test.jar\" (runtime-name : \"operation-selector-test.jar\")
15:11:49,051 ERROR [org.switchyard.component.http] (http-localhost/127.0.0.1:8080-1) SWITCHYARD036004: Unexpected Exception invoking SwitchYard service
\tat org.switchyard.internal.ServiceReferenceImpl.createExchange(ServiceReferenceImpl.java:118) [switchyard-runtime-1.1.1-p5-redhat-1.jar:1.1.1-p5-redhat-1]
\tat org.switchyard.component.http.InboundHandler.invoke(InboundHandler.java:106) [switchyard-component-http-1.1.1-p5-redhat-1.jar:1.1.1-p5-redhat-1]
Caused by: java.net.ConnectException: Connection refused
\t... 12 more
15:11:49,100 WARN  [org.jboss.as] (MSC service thread 1-7) next
";
        let out = run_str(&TextLog, input);
        assert!(out.problems.is_empty());
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(
            r.time.value,
            TimeValue::TimeOnly(NaiveTime::from_hms_milli_opt(15, 11, 48, 619).unwrap())
        );
        assert_eq!(r.service.as_deref(), Some("org.jboss.as.server"));
        let r = &out.records[1];
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("org.switchyard.component.http"));
        assert_eq!((r.line, r.line_end), (Some(2), Some(6)));
        assert!(r.message.starts_with("[org.switchyard.component.http] (http-localhost/127.0.0.1:8080-1) SWITCHYARD036004: Unexpected Exception invoking SwitchYard service\n\tat org.switchyard.internal."));
        assert!(r.message.ends_with(
            "\nCaused by: java.net.ConnectException: Connection refused\n\t... 12 more"
        ));
        assert_eq!(out.records[2].line, Some(7));
        assert_eq!(out.records[2].level, Some(Level::Warn));
    }

    #[test]
    fn python_traceback_after_a_thread_prefix() {
        let input = "MainThread::INFO::2011-12-05 07:04:56,101::vdsm::71::vds::(run) I am the actual vdsm 4.9-0
MainThread::ERROR::2011-12-05 07:04:56,300::vdsm::74::vds::(run) Traceback (most recent call last):
File \"/usr/share/vdsm/vdsm\", line 72, in run
    serve_clients(log)
libvirtError: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory
Thread-15::DEBUG::2011-12-07 11:44:17,737::clientIF::54::vds::(wrapper) [10.35.17.240]::call getVdsCapabilities with () {}
";
        let out = run_str(&TextLog, input);
        assert!(out.problems.is_empty());
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(local(r), "2011-12-05 07:04:56.101000");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "vdsm::71::vds::(run) I am the actual vdsm 4.9-0");
        let r = &out.records[1];
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!((r.line, r.line_end), (Some(2), Some(5)));
        assert!(r.message.ends_with("\nlibvirtError: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory"));
        assert_eq!(out.records[2].level, Some(Level::Debug));
    }

    #[test]
    fn zookeeper_dash_separated_header() {
        let r = &run_str(&TextLog, "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200").records[0];
        assert_eq!(local(r), "2015-07-29 17:41:44.747000");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service, None);
        assert_eq!(
            r.message,
            "[QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200"
        );
    }

    #[test]
    fn openstack_file_name_prefix_is_skipped() {
        let r = &run_str(&TextLog, "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 \"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829").records[0];
        assert_eq!(local(r), "2017-05-16 00:00:00.008000");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("nova.osapi_compute.wsgi.server"));
        assert!(r
            .message
            .starts_with("nova.osapi_compute.wsgi.server [req-38101a0b"));
    }

    #[test]
    fn edge_cases_colon_levels_nanos_and_indented_continuations() {
        let out = run_str(&TextLog, "2009-07-20 22:59:27,672:DEBUG:Hello, World!\n  How are you today?\n2009-07-20 22:59:30,221:ERROR:Goodbye, World!");
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].level, Some(Level::Debug));
        assert_eq!(
            out.records[0].message,
            "Hello, World!\n  How are you today?"
        );
        assert_eq!(out.records[0].line_end, Some(2));
        assert_eq!(out.records[1].message, "Goodbye, World!");
        let r = &run_str(&TextLog, "2025-01-01 01:00:00.987654321:WARN:nano second").records[0];
        assert_eq!(local(r), "2025-01-01 01:00:00.987654");
        assert_eq!(r.time.precision, Precision::Nano);
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "nano second");
    }

    #[test]
    fn epoch_and_tai64n_prefixes() {
        let r = &run_str(&TextLog, "1428634687123 Hello, World!").records[0];
        assert_eq!(local(r), "2015-04-10T02:58:07.123000Z");
        assert_eq!(r.message, "Hello, World!");
        let r = &run_str(
            &TextLog,
            "@40000000433225833b6e1a8c tcpserver: status: 5/30",
        )
        .records[0];
        assert_eq!(local(r), "2005-09-22T03:31:05.997071Z");
        assert_eq!(r.service.as_deref(), None);
        assert_eq!(r.message, "tcpserver: status: 5/30");
        // Pids and counters are not epochs.
        assert!(run_str(
            &TextLog,
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: x"
        )
        .records
        .is_empty());
    }

    #[test]
    fn bracketed_times_and_levels() {
        let r = &run_str(&TextLog, "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties").records[0];
        assert_eq!(
            r.time.value,
            TimeValue::Local(
                NaiveDate::from_ymd_opt(2005, 12, 4)
                    .unwrap()
                    .and_hms_opt(4, 47, 44)
                    .unwrap()
            )
        );
        assert_eq!(r.level, Some(Level::Notice));
        assert_eq!(
            r.message,
            "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
        );
        let r = &run_str(&TextLog, "[2025-01-02 11:19:06] laravel.EMERGENCY: Unable to create configured logger. Using emergency logger.").records[0];
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.service.as_deref(), Some("laravel"));
        assert_eq!(
            r.message,
            "Unable to create configured logger. Using emergency logger."
        );
        let r = &run_str(
            &TextLog,
            "2018-10-03T10:00:00+02:00 [main] INFO com.example.Foo - Started in 3 s",
        )
        .records[0];
        assert_eq!(local(r), "2018-10-03T08:00:00.000000Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("com.example.Foo"));
        assert_eq!(r.message, "[main] com.example.Foo - Started in 3 s");
        let r = &run_str(&TextLog, "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505").records[0];
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service, None);
        assert_eq!(r.message, "CBS    Loaded Servicing Stack v6.1.7601.23505");
    }

    #[test]
    fn go_zap_console_with_stack() {
        let input = "2025-04-24T22:09:20.856Z\terror\tinternal/queue_sender.go:128\tExporting failed. Dropping data.\t{\"otelcol.component.id\": \"otlphttp/prometheus\"}
go.opentelemetry.io/collector/exporter/exporterhelper/internal.NewQueueSender.func3
     go.opentelemetry.io/collector/exporter@v0.120.0/exporterhelper/internal/queue_sender.go:128
2025-04-24T22:09:21.256Z\tinfo\tMetrics\t{\"otelcol.component.id\": \"debug\"}
";
        let out = run_str(&TextLog, input);
        assert_eq!(out.records.len(), 2);
        let r = &out.records[0];
        assert_eq!(local(r), "2025-04-24T22:09:20.856000Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service, None);
        assert_eq!((r.line, r.line_end), (Some(1), Some(3)));
        assert!(r
            .message
            .starts_with("internal/queue_sender.go:128\tExporting failed."));
        assert_eq!(out.records[1].level, Some(Level::Info));
        assert_eq!(
            out.records[1].message,
            "Metrics\t{\"otelcol.component.id\": \"debug\"}"
        );
    }

    #[test]
    fn sentences_keep_their_first_words() {
        let r = &run_str(&TextLog, "2026-01-01 10:00:00 Note that the alert fired").records[0];
        assert_eq!(r.level, None);
        assert_eq!(r.message, "Note that the alert fired");
        let r = &run_str(&TextLog, "2026-01-01 10:00:00 I am here").records[0];
        assert_eq!(r.level, None);
        let r = &run_str(&TextLog, "2026-01-01 10:00:00 <error> boom").records[0];
        assert_eq!((r.level, r.message.as_str()), (Some(Level::Error), "boom"));
        let r = &run_str(&TextLog, "2026/01/01 10:00:00 [WARN] slow").records[0];
        assert_eq!((r.level, r.message.as_str()), (Some(Level::Warn), "slow"));
        let r = &run_str(&TextLog, "2026-01-01 10:00:00 level=warn disk almost full").records[0];
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "disk almost full");
    }

    #[test]
    fn a_zone_word_no_one_defines_is_kept_naive_and_marked() {
        // lnav's test/logfile_invalid_tz.0.
        let out = run_str(&TextLog, "2015-04-24T21:08:10.313913FOO err rbd  [22968]lotuscreds:ERROR:Could not retrieve lotus account information from db");
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(crate::testing::naive_micro(r), "2015-04-24 21:08:10.313913");
        assert!(r.time.unknown_zone);
        assert_eq!(r.time.text, "2015-04-24T21:08:10.313913FOO");
        assert_eq!(r.level, Some(Level::Error));
    }

    #[test]
    fn zone_abbreviations_name_their_offset_or_are_marked_ambiguous() {
        let out = run_str(&TextLog, "2026-11-20 10:12:01.234 CET [4711] LOG:  ready\n[2026-07-01 10:00:00 CEST] job started\n2026-03-01 09:59:59CST job queued\n2026-03-01 10:00:00 IST job started\n");
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(crate::testing::utc(&r[0]), "2026-11-20T09:12:01.234000Z");
        assert_eq!(r[0].time.text, "2026-11-20 10:12:01.234 CET");
        assert_eq!(r[0].message, "[4711] ready");
        assert_eq!(crate::testing::utc(&r[1]), "2026-07-01T08:00:00.000000Z");
        assert_eq!(r[1].message, "job started");
        // CST and IST name several zones: naive, and marked.
        for r in &r[2..] {
            assert!(r.time.unknown_zone, "{:?}", r.time);
            assert!(matches!(r.time.value, TimeValue::Local(_)));
        }
        assert_eq!(r[3].time.text, "2026-03-01 10:00:00 IST");
    }

    #[test]
    fn unreadable_zones_and_leading_junk_are_problems() {
        let out = run_str(
            &TextLog,
            "2026-03-01 09:59:59x1 job queued\nat the start\n2026-03-01 10:00:01 fine\n\tcontinued",
        );
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(2)]);
        assert!(
            out.problems[0].reason.contains("x1"),
            "{}",
            out.problems[0].reason
        );
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].line, Some(3));
        assert_eq!(out.records[0].line_end, Some(4));
    }

    #[test]
    fn sniff_accepts_timestamped_text_and_rejects_other_formats() {
        let jboss = "\n15:08:59,801 INFO  [org.jboss.modules] (main) JBoss Modules version 1.2.2.Final-redhat-1\n15:09:00,053 DEBUG [org.jboss.as.config] (MSC service thread 1-7) Configured system properties:\n\t[Standalone] = \n\tawt.toolkit = sun.awt.X11.XToolkit\n";
        assert_eq!(TextLog.sniff(jboss.as_bytes()), Some(100));
        // Unindented traceback lines count as continuations.
        let vdsm = "MainThread::ERROR::2011-12-05 07:04:56,300::vdsm::74::vds::(run) Traceback (most recent call last):
File \"/usr/share/vdsm/vdsm\", line 72, in run
    serve_clients(log)
File \"/usr/share/vdsm/vdsm\", line 40, in serve_clients
    cif = clientIF.clientIF(log)
libvirtError: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory
";
        assert_eq!(TextLog.sniff(vdsm.as_bytes()), Some(100));
        let syslog = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4\n";
        // The fallback reads syslog too; the syslog parsers rank above it.
        assert_eq!(TextLog.sniff(syslog.as_bytes()), Some(100));
        assert_rejects_text(
            &TextLog,
            &[
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326\n",
            "time=\"2021-09-15T21:17:11.679036Z\" level=info msg=\"Pod deleted\" namespace=a\n",
            "org.jboss.qa.bpms.rest.wb.RequestFailureException: java.net.ConnectException: Connection refused\n    at org.jboss.qa.bpms.rest.wb.RestWorkbenchClient.process(RestWorkbenchClient.java:73) ~[classes/:na]\n",
            "20171224-0:0:0:216|Step_StandStepDataManager|30002312|theDayChanged 1514044800216\n",
            "1,Sun Dec 04 04:47:44 2005,notice,workerEnv.init() ok /etc/httpd/conf/workers2.properties,E2,workerEnv.init() ok <*>\n",
            ],
        );
    }

    #[test]
    fn unindented_lines_a_record_wraps_onto_do_not_count_against_it() {
        let envoy: &[u8] = include_bytes!("../../../fixtures/text-log/own_envoy_debug_headers.log");
        assert_eq!(TextLog.sniff(envoy), Some(100));
        let out = run(&TextLog, envoy);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 5);
        let dump = &out.records[0];
        assert_eq!(local(dump), "2026-03-14 08:02:11.402000");
        assert_eq!(dump.level, Some(Level::Debug));
        assert_eq!((dump.line, dump.line_end), (Some(1), Some(6)));
        assert!(dump
            .message
            .ends_with("(end_stream=false):\n':status', '503'\n'content-length', '19'\n'content-type', 'text/plain'\n'date', 'Sat, 14 Mar 2026 08:02:11 GMT'\n'server', 'envoy'"));
        let warning = &out.records[3];
        assert_eq!(local(warning), "2026-03-14 08:02:11.404000");
        assert_eq!(warning.level, Some(Level::Warn));
        assert_eq!(warning.line, Some(10));
        // A dated line heading prose, or prose before any date, is no log.
        let prose = "2026-03-14 notes from the review\nwe looked at the dashboards\nthen at the alerts\nand agreed on actions\nthe first is to page earlier\n";
        assert_eq!(TextLog.sniff(prose.as_bytes()), None);
        let late = "we looked at the dashboards\nthen at the alerts\n2026-03-14 10:00:00 noted\n";
        assert_eq!(TextLog.sniff(late.as_bytes()), None);
    }

    #[test]
    fn a_stack_trace_without_times_is_named_not_unrecognized() {
        let java = "java.net.ConnectException: Connection refused\n\tat a.B.c(B.java:73)\n\tat a.B.d(B.java:53)\nCaused by: java.io.IOException: x\n\t... 3 more\n";
        let maven = "[ERROR] java.lang.IllegalStateException: no context\n[ERROR] at a.B.c(B.java:302)\n[ERROR] at a.B.d(B.java:234)\n";
        let python = "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n    f()\nValueError: bad\n";
        for trace in [java, maven, python] {
            assert_eq!(TextLog.sniff(trace.as_bytes()), None, "{trace}");
            assert!(TextLog.untimed(trace.as_bytes()).is_some(), "{trace}");
        }
        // A log with its traces is a log, and prose is neither.
        let log = format!("2026-01-01 10:00:00 ERROR boom\n{java}");
        assert_eq!(TextLog.untimed(log.as_bytes()), None);
        assert_eq!(TextLog.untimed(b"just some words\nand more words\n"), None);
    }

    #[test]
    fn mysql_8_error_log_priorities_and_subsystems() {
        let out = run(
            &TextLog,
            include_bytes!("../../../fixtures/text-log/lnav_mysql8_error.log"),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 4);
        assert_eq!(crate::testing::utc(&r[0]), "2020-08-06T14:25:02.835618Z");
        assert_eq!(r[0].level, Some(Level::Info));
        assert_eq!(r[0].service.as_deref(), Some("InnoDB"));
        assert_eq!(
            r[0].message,
            "[MY-012487] [InnoDB] DDL log recovery : begin"
        );
        assert_eq!(r[1].level, Some(Level::Warn));
        assert_eq!(r[1].service.as_deref(), Some("Server"));
        assert_eq!(
            r[1].message,
            "[MY-010068] [Server] CA certificate /var/mysql/sslinfo/cacert.pem is self signed."
        );
        assert_eq!(crate::testing::utc(&r[3]), "2020-08-06T14:25:03.109022Z");
        assert_eq!(r[3].level, Some(Level::Info));
        assert_eq!(
            r[3].message,
            "[MY-010051] [Server] Event Scheduler: scheduler thread started with id 5"
        );
    }

    #[test]
    fn postgresql_severities_after_the_line_prefix() {
        let out = run(
            &TextLog,
            include_bytes!("../../../fixtures/text-log/beats_postgresql_9.6_debian_slowlog.log"),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(crate::testing::utc(r), "2017-07-31T11:36:42.585000Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(
            r.message,
            "[4974] database system was shut down at 2017-06-17 16:58:04 CEST"
        );
        let r = &out.records[4];
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(
            r.message,
            "[4980] [unknown]@[unknown] incomplete startup packet"
        );
        let r = &out.records[8];
        assert_eq!(crate::testing::utc(r), "2017-07-31T11:39:16.249000Z");
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.service, None);
        assert_eq!(
            r.message,
            "[5407] postgres@users database \"users\" does not exist"
        );
        assert!(out.records.iter().all(|r| r.level.is_some()));

        let out = run(
            &TextLog,
            include_bytes!("../../../fixtures/text-log/lnav_postgres_pdt.log"),
        );
        let r = &out.records[0];
        assert_eq!(crate::testing::utc(r), "2025-08-13T08:45:01.123000Z");
        assert_eq!(r.level, Some(Level::Info));
        let error = &out.records[9];
        assert_eq!(error.level, Some(Level::Error));
        // Detail lines carry no severity of their own.
        assert_eq!(out.records[10].level, None);
        assert_eq!(
            out.records[10].message,
            "[12389] STATEMENT:  SELECT * FROM nonexistent_table;"
        );

        // Only PostgreSQL's words, and only as elog.c writes them.
        for line in [
            "2026-01-01 10:00:00 [12] see LOG: x",
            "2026-01-01 10:00:00 [12] Log:  x",
            "2026-01-01 10:00:00 12 LOG:  x",
        ] {
            assert_eq!(run_str(&TextLog, line).records[0].level, None, "{line}");
        }
    }

    never_panics!(TextLog);

    proptest! {
        #[test]
        fn arbitrary_headers_never_panic(rest in "[\\[\\]()<>:|, a-zA-Z0-9.=é\t-]{0,60}") {
            for line in [format!("2026-01-01 10:00:00{rest}"), format!("x {rest}"), format!("a::2026-01-01 10:00:00 {rest}")] {
                let _ = parse_line(&line);
            }
        }
    }
}
