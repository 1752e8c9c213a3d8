use std::borrow::Cow;
use std::ops::Range;

use crate::time::Timestamp;
use crate::Parser;

/// Severity normalised across formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Finer than debug.
    Trace,
    /// Debug output.
    Debug,
    /// Normal operation.
    Info,
    /// Normal but significant (syslog notice).
    Notice,
    /// Warning.
    Warn,
    /// Error.
    Error,
    /// Critical, alert, emergency, fatal, panic.
    Critical,
}

impl Level {
    /// The contract name (`events` output).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Notice => "notice",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Critical => "critical",
        }
    }

    /// Reads the level words and abbreviations that real logs use,
    /// case-insensitively (`WARNING`, `warn`, `W`, `ERR`, `FATAL`, `crit`…).
    pub fn from_word(word: &str) -> Option<Level> {
        let w = word
            .trim()
            .trim_matches(|c| c == '[' || c == ']' || c == ':');
        // Upper-cased on the stack: formats read a level on every line, and
        // no level word is longer than the buffer.
        let mut buf = [0u8; 16];
        let upper = buf.get_mut(..w.len())?;
        upper.copy_from_slice(w.as_bytes());
        upper.make_ascii_uppercase();
        Some(match &*upper {
            b"TRACE" | b"TRC" | b"FINEST" | b"FINER" | b"VERBOSE" | b"V" => Level::Trace,
            b"DEBUG" | b"DBG" | b"FINE" | b"D" => Level::Debug,
            b"INFO" | b"INF" | b"INFORMATION" | b"INFORMATIONAL" | b"I" | b"CONFIG" => Level::Info,
            b"NOTICE" | b"NOTE" | b"N" => Level::Notice,
            b"WARN" | b"WARNING" | b"WRN" | b"W" => Level::Warn,
            b"ERROR" | b"ERR" | b"E" | b"SEVERE" | b"FAILURE" => Level::Error,
            b"CRITICAL" | b"CRIT" | b"FATAL" | b"FTL" | b"ALERT" | b"EMERG" | b"EMERGENCY"
            | b"PANIC" | b"F" | b"C" => Level::Critical,
            _ => return None,
        })
    }

    /// A level stated as the first word of a message (`FATAL:  too many
    /// clients`, `[error] x`, `WARNING: y`), as programs logging through
    /// syslog without a priority write it. Only full words count, so a
    /// message starting with "I" or "E" is not mistaken for a level.
    pub fn from_message_start(message: &str) -> Option<Level> {
        let word = message.split_whitespace().next()?;
        let core = word.trim_matches(|c| matches!(c, '[' | ']' | '<' | '>' | ':' | '(' | ')'));
        if core.len() < 4
            || !(core.bytes().all(|b| b.is_ascii_uppercase()) || word.len() > core.len())
        {
            return None;
        }
        Level::from_word(core)
    }

    /// Maps a syslog severity (0 emergency … 7 debug).
    pub fn from_syslog_severity(severity: u8) -> Level {
        match severity {
            0..=2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }
}

/// What kind of happening a record describes (the `kind` field of events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A machine log line.
    Log,
    /// An alert or page from a monitoring or paging tool.
    Alert,
    /// A chat message.
    Chat,
    /// A ticket creation, change or comment.
    Ticket,
    /// An on-call shift start, end or hand-over.
    Shift,
    /// A deployment or configuration change recorded by a tool.
    Deploy,
    /// A status-page update: what the customers were told, when.
    Status,
}

impl Kind {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Log => "log",
            Kind::Alert => "alert",
            Kind::Chat => "chat",
            Kind::Ticket => "ticket",
            Kind::Shift => "shift",
            Kind::Deploy => "deploy",
            Kind::Status => "status",
        }
    }
}

/// One event as read from the evidence, before its time is resolved to UTC.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based first line of the record, for line-based formats.
    pub line: Option<u64>,
    /// Last line of a multi-line record (equal to `line` for one line).
    pub line_end: Option<u64>,
    /// Position for formats that are not line-based (`$.log_entries[3]`).
    pub locator: Option<String>,
    /// Byte range of the record in the input: the raw evidence text.
    pub span: Range<usize>,
    /// When it happened, as written.
    pub time: Timestamp,
    /// What kind of happening this is.
    pub kind: Kind,
    /// Normalised severity, when the format has one.
    pub level: Option<Level>,
    /// The person or system that acted, when the format says.
    pub actor: Option<String>,
    /// Host name, when the format says.
    pub host: Option<String>,
    /// Service, program or component, when the format says.
    pub service: Option<String>,
    /// Message text; multi-line records keep their continuation lines.
    pub message: String,
    /// Some bytes were not valid UTF-8 and were replaced.
    pub lossy_utf8: bool,
    /// The product or tool that recorded it (`PagerDuty`, `Slack`, `Jira`),
    /// when the format says.
    pub system: Option<Cow<'static, str>>,
    /// Whether a person wrote it (`Some(true)`), a bot or system did
    /// (`Some(false)`), or the format does not say.
    pub human: Option<bool>,
    /// Stored but left out of the draft: channel joins, topic changes and
    /// similar chatter.
    pub chatter: bool,
    /// Identifiers the record carries (incident numbers like `#4412`, ticket
    /// keys like `OPS-1842`, alert ids, URLs), for merging what several
    /// systems saw of one happening.
    pub identifiers: Vec<String>,
    /// Further facts as key/value pairs (`role`, `status_from`, `status_to`,
    /// `thread_ts`, `edited_at`, `reactions`…), stored as JSON. Keys are
    /// mostly a parser's constant names, borrowed rather than copied into
    /// every record.
    pub attributes: Vec<(Cow<'static, str>, String)>,
    /// A request, trace or correlation id that another system's record of
    /// the same request carries too (a proxy's and an application's line):
    /// the pipeline pairs them to estimate clock offsets. Not stored, so a
    /// log line keeps fitting in a block.
    pub correlation: Option<String>,
}

impl Record {
    /// The value of its attribute `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        attribute(&self.attributes, key)
    }

    /// A record with only the required parts set; the rest empty.
    pub fn new(kind: Kind, time: Timestamp, message: impl Into<String>) -> Record {
        Record {
            line: None,
            line_end: None,
            locator: None,
            span: 0..0,
            time,
            kind,
            level: None,
            actor: None,
            host: None,
            service: None,
            message: message.into(),
            lossy_utf8: false,
            system: None,
            human: None,
            chatter: false,
            identifiers: Vec::new(),
            attributes: Vec::new(),
            correlation: None,
        }
    }

    /// A log record of one line.
    pub fn log(line: u64, span: Range<usize>, time: Timestamp, message: String) -> Record {
        Record {
            line: Some(line),
            line_end: Some(line),
            span,
            ..Record::new(Kind::Log, time, message)
        }
    }

    /// Adds a key/value fact.
    pub fn with_attribute(mut self, key: &'static str, value: impl Into<String>) -> Record {
        self.attributes.push((key.into(), value.into()));
        self
    }
}

/// A line or record the parser could not turn into an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when line-based.
    pub line: Option<u64>,
    /// Position for other formats.
    pub locator: Option<String>,
    /// Why it was rejected.
    pub reason: String,
}

/// Receives what a parser finds, in input order.
pub trait RecordSink {
    /// One parsed record.
    fn record(&mut self, record: Record);
    /// One rejected line or record.
    fn problem(&mut self, problem: Problem);
}

/// A sink that keeps everything in memory (tests, small inputs).
#[derive(Debug, Default)]
pub struct Collected {
    /// Records in input order.
    pub records: Vec<Record>,
    /// Problems in input order.
    pub problems: Vec<Problem>,
}

impl RecordSink for Collected {
    fn record(&mut self, record: Record) {
        self.records.push(record);
    }
    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

/// Pushes `identifier` once.
pub(crate) fn add_identifier(record: &mut Record, identifier: impl Into<String>) {
    let identifier = identifier.into();
    if !identifier.trim().is_empty() && !record.identifiers.contains(&identifier) {
        record.identifiers.push(identifier);
    }
}

/// The value of the attribute `key` among `attributes`.
pub fn attribute<'a>(attributes: &'a [(Cow<'static, str>, String)], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Adds a key/value fact when there is a value.
pub(crate) fn add_attribute(
    record: &mut Record,
    key: impl Into<Cow<'static, str>>,
    value: Option<impl Into<String>>,
) {
    if let Some(value) = value {
        let value = value.into();
        if !value.trim().is_empty() {
            record.attributes.push((key.into(), value));
        }
    }
}

/// The one record `parser` reads from `line` as an input of its own, if
/// it reads exactly one without a problem ([`Parser::read_line`]).
pub(crate) fn one_record<P: Parser + ?Sized>(parser: &P, line: &str) -> Option<Record> {
    let mut out = OneRecord::default();
    parser.parse(line.as_bytes(), &mut out);
    out.record.filter(|_| !out.more)
}

/// A sink for one line: its record, and whether anything else came (a
/// second record, a problem), without a list per line.
#[derive(Default)]
struct OneRecord {
    record: Option<Record>,
    more: bool,
}

impl RecordSink for OneRecord {
    fn record(&mut self, record: Record) {
        self.more |= self.record.is_some();
        self.record.get_or_insert(record);
    }

    fn problem(&mut self, _problem: Problem) {
        self.more = true;
    }
}

#[cfg(test)]
mod tests {
    use super::Level;

    #[test]
    fn levels_stated_at_the_start_of_a_message() {
        assert_eq!(
            Level::from_message_start("FATAL:  remaining connection slots"),
            Some(Level::Critical)
        );
        assert_eq!(Level::from_message_start("[error] x"), Some(Level::Error));
        assert_eq!(Level::from_message_start("WARNING: y"), Some(Level::Warn));
        assert_eq!(Level::from_message_start("Error opening file"), None);
        assert_eq!(Level::from_message_start("I did it"), None);
        assert_eq!(Level::from_message_start("INFO"), Some(Level::Info));
    }
}
