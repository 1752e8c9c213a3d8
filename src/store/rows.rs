//! The rows the store takes and gives.

use super::blocks::Block;
use super::widest;
use crate::model::Quality;

/// One source as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Row id.
    pub id: i64,
    /// Path as shown.
    pub path: String,
    /// File on disk.
    pub file: String,
    /// Archive member path.
    pub member: Option<String>,
    /// SHA-256 of the bytes as ingested.
    pub sha256: String,
    /// Size as ingested.
    pub bytes: i64,
    /// Parser id.
    pub parser: String,
    /// Detection confidence in percent (100 when forced).
    pub confidence: i64,
    /// Event kind of most records.
    pub kind: String,
    /// Zone used for naive times.
    pub tz: String,
    /// Events stored.
    pub events: i64,
    /// Lines or records rejected.
    pub rejected: i64,
    /// JSON list of the first rejected lines: `[{"line", "locator", "reason"}]`.
    pub rejected_lines: String,
    /// First event time.
    pub first_time: Option<i64>,
    /// Last event time.
    pub last_time: Option<i64>,
    /// Union of the events' time-quality flags.
    pub time_quality: Quality,
    /// Its clock offset as estimated from facts other sources record.
    pub skew: Option<Skew>,
}

impl SourceRow {
    /// Its clock offset in words, where a reader should know of it: every
    /// correction applied, and every offset of a second or more left
    /// alone (a zone mistake, two clocks with nothing to tell which is
    /// right), with the facts it rests on.
    pub fn clock_note(&self) -> Option<String> {
        let k = self
            .skew
            .as_ref()
            .filter(|k| k.applied || k.seconds.abs() >= 1.0)?;
        Some(format!(
            "{}: clock {:+.3} s against {}, {}: {}",
            self.path,
            k.seconds,
            k.reference,
            if k.applied {
                "corrected"
            } else {
                "not corrected"
            },
            k.note
        ))
    }
}

/// A source's clock offset, estimated from facts that it and a reference
/// source both record (docs/time.md#clock-skew).
#[derive(Debug, Clone, PartialEq)]
pub struct Skew {
    /// How far the source's clock is ahead of the reference (negative:
    /// behind), in seconds: the median of the paired differences.
    pub seconds: f64,
    /// EntryFacts paired.
    pub pairs: i64,
    /// Interquartile range of the paired differences, in seconds.
    pub spread: f64,
    /// The source whose clock the estimate is relative to.
    pub reference: String,
    /// Whether the times were corrected by it.
    pub applied: bool,
    /// The evidence, and why it was or was not applied, in words.
    pub note: String,
}

/// One event as stored, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Row id in `events`; none for a log line kept in a block.
    pub id: Option<i64>,
    /// Source row id.
    pub source_id: i64,
    /// Source path as shown.
    pub source: String,
    /// Source SHA-256.
    pub sha256: String,
    /// Parser id.
    pub parser: String,
    /// Position in the source.
    pub seq: i64,
    /// UTC microseconds.
    pub time: i64,
    /// Time-quality flags.
    pub time_quality: Quality,
    /// First line.
    pub line: Option<i64>,
    /// Human-readable position.
    pub locator: String,
    /// Kind.
    pub kind: String,
    /// Level.
    pub level: Option<String>,
    /// Actor.
    pub actor: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Message.
    pub message: String,
    /// Template id.
    pub template_id: i64,
    /// Template text.
    pub template: String,
    /// Recording product or tool.
    pub system: Option<String>,
    /// Written by a person, a system, or unknown.
    pub human: Option<bool>,
    /// Left out of the draft.
    pub chatter: bool,
    /// Identifiers it carries.
    pub identifiers: Vec<String>,
    /// Further facts.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl EventRow {
    /// An attribute's text.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(|v| v.as_str())
    }
}

/// An event ready to be written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Position among the source's events (rows and block lines).
    pub seq: u64,
    /// UTC microseconds.
    pub time: i64,
    /// The time as written, when the record's bytes do not hold it verbatim.
    pub time_text: Option<String>,
    /// Precision name.
    pub precision: &'static str,
    /// Flags.
    pub quality: Quality,
    /// First line.
    pub line: Option<u64>,
    /// Last line.
    pub line_end: Option<u64>,
    /// Position text, when not simply `line N`.
    pub locator: Option<String>,
    /// Kind.
    pub kind: &'static str,
    /// Level.
    pub level: Option<&'static str>,
    /// Actor.
    pub actor: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Message, when it is not stored as `message_range`.
    pub message: Option<String>,
    /// Where the message lies in the record's bytes (from `byte_range.0`),
    /// when it is read back from the evidence instead of being stored.
    pub message_range: Option<(u32, u32)>,
    /// The event's template cluster in its source's miner.
    pub cluster: usize,
    /// Byte range in the source.
    pub byte_range: (u64, u64),
    /// Invalid UTF-8 replaced.
    pub lossy_utf8: bool,
    /// Recording product or tool.
    pub system: Option<std::borrow::Cow<'static, str>>,
    /// Written by a person (true), a system (false), unknown (None).
    pub human: Option<bool>,
    /// Stored, left out of the draft.
    pub chatter: bool,
    /// May be worth a timeline line.
    pub notable: bool,
    /// JSON array of identifiers, when there are any.
    pub identifiers: Option<String>,
    /// JSON object of attributes, when there are any.
    pub attributes: Option<String>,
}

/// An on-call shift: who held which role when.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// The person as the shift record names them.
    pub person: String,
    /// Their e-mail, when known.
    pub email: Option<String>,
    /// The role ("primary on-call").
    pub role: String,
    /// Start, UTC microseconds.
    pub start: i64,
    /// End, UTC microseconds.
    pub end: i64,
    /// The person's own zone as the shift record gives it (an IANA name
    /// or an offset such as `+02:00`), when it does.
    pub zone: Option<String>,
}

/// A source ready to be written (its row without the id and the counts that
/// the writer derives from its events).
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Path as shown.
    pub path: String,
    /// File on disk.
    pub file: String,
    /// Archive member path.
    pub member: Option<String>,
    /// SHA-256 and size, when known before parsing; else
    /// [`SourceEnd::read`] gives them.
    pub sha256: Option<String>,
    /// Size.
    pub bytes: u64,
    /// Parser id.
    pub parser: String,
    /// Confidence.
    pub confidence: u8,
    /// Zone name.
    pub tz: String,
    /// Modification time.
    pub mtime: Option<i64>,
}

/// What is known about a source only after all its records were read.
#[derive(Debug, Clone, Default)]
pub struct SourceEnd {
    /// Rejected count.
    pub rejected: u64,
    /// JSON list of the first rejected lines.
    pub rejected_lines: String,
    /// Shifts its records describe.
    pub shifts: Vec<Shift>,
    /// The final template of each cluster, by cluster id.
    pub templates: Vec<String>,
    /// Log lines per (cluster, minute since the epoch), for rate changes.
    pub minutes: Vec<(usize, i64, u64)>,
    /// EntryFacts other sources may also record (request ids, alert ids), each
    /// with the time of its first record: a sample, for clock skew.
    pub facts: Vec<(String, i64)>,
    /// For a source hashed while it was parsed: its SHA-256 and size, or
    /// why it could not be read to the end (then nothing of it is stored).
    pub read: Option<std::result::Result<(String, u64), String>>,
}

/// What the writer of a source receives.
#[derive(Debug)]
pub enum Incoming {
    /// More events, in source order.
    Events(Vec<NewEvent>),
    /// A block of plain log lines.
    Lines(Block),
    /// The source is complete.
    End(SourceEnd),
}

/// What became of a source given to the writer.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Stored, with these counts.
    Stored(SourceTotals),
    /// Its bytes, hashed while they were parsed, are those of the stored
    /// source at this path; nothing more was stored.
    Copy(String),
    /// It could not be read to the end, for this reason; nothing of it
    /// was stored.
    Unreadable(String),
}

/// Counts of a written source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceTotals {
    /// Events stored.
    pub events: u64,
    /// Lines or records rejected.
    pub rejected: u64,
    /// Union of time flags.
    pub quality: Quality,
    /// First event time.
    pub first: Option<i64>,
    /// Last event time.
    pub last: Option<i64>,
}

impl SourceTotals {
    /// Counts `events` more, with their flags and time span.
    pub(super) fn add(&mut self, events: u64, quality: Quality, (first, last): (i64, i64)) {
        self.events += events;
        self.quality.insert(quality);
        let span = widest(self.first.zip(self.last), Some((first, last)));
        self.first = span.map(|s| s.0);
        self.last = span.map(|s| s.1);
    }
}
