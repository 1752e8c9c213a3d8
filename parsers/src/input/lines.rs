//! The line-oriented driver shared by every line format: line numbering,
//! byte spans, lossy UTF-8, the line-length cap, continuation lines and the
//! sniff over the first lines of a file.

use std::borrow::Cow;
use std::ops::{Range, RangeInclusive};

use crate::record::{Kind, Level, Problem, Record, RecordSink};
use crate::time::Timestamp;

/// Lines longer than this are rejected rather than parsed: no real log line
/// is this long, and a 20 MB "line" is a binary or a broken file.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Continuation lines are appended to a record only up to this many bytes,
/// so one endless stack trace cannot grow a record without bound.
pub const MAX_RECORD_BYTES: usize = 4 << 20;

/// What a line format reads from one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// When.
    pub time: Timestamp,
    /// Severity.
    pub level: Option<Level>,
    /// Host.
    pub host: Option<String>,
    /// Service, program or component.
    pub service: Option<String>,
    /// Acting person or system.
    pub actor: Option<String>,
    /// The message.
    pub message: String,
    /// Kind of happening.
    pub kind: Kind,
    /// Request or trace id ([`Record::correlation`]).
    pub correlation: Option<String>,
    /// Further facts ([`Record::attributes`]).
    pub attributes: Vec<(Cow<'static, str>, String)>,
}

impl Fields {
    /// A log line with only a time and a message.
    pub fn new(time: Timestamp, message: impl Into<String>) -> Fields {
        Fields {
            time,
            level: None,
            host: None,
            service: None,
            actor: None,
            message: message.into(),
            kind: Kind::Log,
            correlation: None,
            attributes: Vec::new(),
        }
    }
}

impl Fields {
    /// The record of one whole line.
    pub fn into_record(self, line: &Line<'_>, lossy_utf8: bool) -> Record {
        let span = line.start..line.start + line.bytes.len();
        self.into_record_at(line.number..=line.number, span, lossy_utf8)
    }

    /// The record of a line read inside a log platform's record: what
    /// the line says of the event, not where it is (the platform's record
    /// says that).
    pub fn into_unplaced_record(self) -> Record {
        Record {
            level: self.level,
            actor: self.actor,
            host: self.host,
            service: self.service,
            correlation: self.correlation,
            attributes: self.attributes,
            ..Record::new(self.kind, self.time, self.message)
        }
    }

    /// The record of the lines `lines`, bytes `span`, of a format whose
    /// records span lines (a pretty-printed JSON object).
    pub fn into_record_at(
        self,
        lines: RangeInclusive<u64>,
        span: Range<usize>,
        lossy_utf8: bool,
    ) -> Record {
        Record {
            line: Some(*lines.start()),
            line_end: Some(*lines.end()),
            span,
            level: self.level,
            actor: self.actor,
            host: self.host,
            service: self.service,
            lossy_utf8,
            correlation: self.correlation,
            attributes: self.attributes,
            ..Record::new(self.kind, self.time, self.message)
        }
    }
}

/// How lines that do not start a record are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuation {
    /// Every line must be a record; others are rejected.
    Never,
    /// A line that is not a record joins the record above (stack traces,
    /// wrapped messages); only lines before the first record are rejected.
    JoinAbove,
    /// Only an indented line that is not a record joins the record above,
    /// as syslogd writes a message's further lines (macOS's `Configuration
    /// Notice:`); any other is rejected, since every line should be one.
    JoinIndented,
}

/// One physical line of the input.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the line's first byte.
    pub start: usize,
    /// The line without its `\n` or `\r\n`.
    pub bytes: &'a [u8],
}

/// The problem of a line longer than [`MAX_LINE_BYTES`], which is not
/// parsed; `None` for a line within the limit.
pub(crate) fn over_limit(line: &Line<'_>) -> Option<Problem> {
    (line.bytes.len() > MAX_LINE_BYTES).then(|| Problem {
        line: Some(line.number),
        locator: None,
        reason: format!(
            "line is {} bytes long, over the {MAX_LINE_BYTES} byte limit; not parsed",
            line.bytes.len()
        ),
    })
}

/// Iterates the lines of `input`; a final line without a newline is a line.
pub fn split(input: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0usize;
    let mut number = 0u64;
    std::iter::from_fn(move || {
        if start >= input.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
        let mut bytes = &input[start..end];
        if bytes.last() == Some(&b'\r') {
            bytes = &bytes[..bytes.len() - 1];
        }
        number += 1;
        let line = Line {
            number,
            start,
            bytes,
        };
        start = end + 1;
        Some(line)
    })
}

/// Whether [`split`] reads `text` as one line of exactly this text, within
/// [`MAX_LINE_BYTES`]: then a line parser may read it by itself
/// ([`crate::Parser::read_line`]).
pub(crate) fn is_one_line(text: &str) -> bool {
    text.len() <= MAX_LINE_BYTES
        && !text.ends_with('\r')
        && memchr::memchr(b'\n', text.as_bytes()).is_none()
}

/// Text of a line, replacing invalid UTF-8; the flag says whether it did.
pub fn text(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

/// Runs `parse_line` over every non-blank line, building records with their
/// line numbers and spans and reporting every line that is not used. A
/// line `parse_line` reads as `None` is structure of the format (a marker
/// closing a section): neither a record nor a problem.
pub fn drive<R: Into<Option<Fields>>>(
    input: &[u8],
    sink: &mut dyn RecordSink,
    continuation: Continuation,
    mut parse_line: impl FnMut(&str) -> Result<R, String>,
) {
    let mut pending: Option<Record> = None;
    for line in split(input) {
        if let Some(problem) = over_limit(&line) {
            sink.problem(problem);
            continue;
        }
        let (text, lossy) = text(line.bytes);
        if text.trim().is_empty() {
            continue;
        }
        let end = line.start + line.bytes.len();
        match parse_line(&text).map(Into::into) {
            Ok(None) => {}
            Ok(Some(fields)) => {
                if let Some(done) = pending.take() {
                    sink.record(done);
                }
                pending = Some(fields.into_record(&line, lossy));
            }
            Err(reason) => {
                let joins = match continuation {
                    Continuation::Never => false,
                    Continuation::JoinAbove => true,
                    Continuation::JoinIndented => text.starts_with([' ', '\t']),
                };
                let joined = joins
                    && pending
                        .as_mut()
                        .is_some_and(|record| join_above(record, &text, line.number, end, lossy));
                if !joined {
                    sink.problem(Problem {
                        line: Some(line.number),
                        locator: None,
                        reason,
                    });
                }
            }
        }
    }
    if let Some(done) = pending {
        sink.record(done);
    }
}

/// Sniffs the first complete lines of `head` with `accepts` and returns the
/// share of them (in percent) it accepts, or `None` if it accepts none or
/// fewer than half. Lines starting with whitespace are left out of the count
/// when `skip_indented` is set, as formats with continuation lines need.
pub fn sniff(
    head: &[u8],
    skip_indented: bool,
    mut accepts: impl FnMut(&str) -> bool,
) -> Option<u8> {
    sniff_judged(head, skip_indented, |line| Some(accepts(line)))
}

/// [`sniff`] where `judge` may leave a line out of the count (`None`): a
/// line a format would join to the record above says nothing for or
/// against it.
pub fn sniff_judged(
    head: &[u8],
    skip_indented: bool,
    mut judge: impl FnMut(&str) -> Option<bool>,
) -> Option<u8> {
    // The last line of a head cut mid-file may be partial: drop it unless it
    // is the only one.
    let complete = match memchr::memrchr(b'\n', head) {
        Some(i) if i + 1 < head.len() => &head[..=i],
        _ => head,
    };
    let mut seen = 0u32;
    let mut accepted = 0u32;
    for line in split(complete) {
        let (text, _) = text(line.bytes);
        if text.trim().is_empty() || (skip_indented && text.starts_with([' ', '\t'])) {
            continue;
        }
        let Some(accepts) = judge(&text) else {
            continue;
        };
        seen += 1;
        if accepts {
            accepted += 1;
        }
        if seen == 20 {
            break;
        }
    }
    if accepted == 0 || accepted * 2 < seen {
        return None;
    }
    Some((accepted * 100 / seen) as u8)
}

/// Appends a continuation line (`text`, line `number`, ending at byte
/// `end`) to the record above it, unless the record would reach
/// [`MAX_RECORD_BYTES`]; whether it was appended.
pub(crate) fn join_above(
    record: &mut Record,
    text: &str,
    number: u64,
    end: usize,
    lossy: bool,
) -> bool {
    if record.message.len() + text.len() >= MAX_RECORD_BYTES {
        return false;
    }
    record.message.push('\n');
    record.message.push_str(text);
    record.line_end = Some(number);
    record.span.end = end;
    record.lossy_utf8 |= lossy;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::time::parse_leading;

    fn leading(line: &str) -> Result<Fields, String> {
        let (time, used) = parse_leading(line).ok_or("no timestamp")?;
        Ok(Fields::new(time, line[used..].trim()))
    }

    #[test]
    fn continuation_lines_join_the_record_above_and_keep_its_first_line() {
        let input =
            b"junk\n2026-01-01 10:00:00 boom\n  at a.b(C.java:1)\r\n\n2026-01-01 10:00:01 ok";
        let mut out = Collected::default();
        drive(input, &mut out, Continuation::JoinAbove, leading);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, Some(1));
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].line, Some(2));
        assert_eq!(out.records[0].line_end, Some(3));
        assert_eq!(out.records[0].message, "boom\n  at a.b(C.java:1)");
        assert_eq!(
            &input[out.records[0].span.clone()],
            b"2026-01-01 10:00:00 boom\n  at a.b(C.java:1)"
        );
        assert_eq!(out.records[1].line, Some(5));
    }

    #[test]
    fn strict_formats_reject_every_unparsed_line_with_its_number() {
        let mut out = Collected::default();
        drive(
            b"2026-01-01 10:00:00 a\nnope\n",
            &mut out,
            Continuation::Never,
            leading,
        );
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.problems[0].line, Some(2));
    }

    #[test]
    fn overlong_lines_are_rejected_not_parsed() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 1];
        input.extend_from_slice(b"\n2026-01-01 10:00:00 a");
        let mut out = Collected::default();
        drive(&input, &mut out, Continuation::JoinAbove, leading);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.records.len(), 1);
    }

    #[test]
    fn invalid_utf8_is_kept_lossily_and_flagged() {
        let mut out = Collected::default();
        drive(
            b"2026-01-01 10:00:00 caf\xe9",
            &mut out,
            Continuation::Never,
            leading,
        );
        assert!(out.records[0].lossy_utf8);
        assert_eq!(out.records[0].message, "caf\u{fffd}");
    }
}
