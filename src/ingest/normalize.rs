//! The normalizer: a parser's records become events with UTC times,
//! templates and notability, sent to the writer in batches.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use factline_parsers::{Kind, Problem, Record, RecordSink};

use super::budget::Outbox;
use super::clock::SourceClock;
use super::skew::{self, FactSample};
use super::{Message, BATCH, REJECTED_KEPT};
use crate::model::Zone;
use crate::notable;
use crate::store::blocks::{self, Line, BLOCK_LINES};
use crate::store::{NewEvent, Shift, SourceEnd};
use crate::template::{message_hash, Miner, Repeats};

/// Receives a parser's records, resolves their times and sends them to
/// the writer in batches.
pub(super) struct Normalizer<'a> {
    pub(super) clock: SourceClock,
    pub(super) tx: &'a Outbox<'a>,
    pub(super) batch: Vec<NewEvent>,
    /// Log lines waiting to fill a block (see `blocks.rs`): routine ones,
    /// then notable ones (indexed by `notable as usize`).
    pub(super) lines: [Vec<Line>; 2],
    /// Position of the next event in the source.
    pub(super) seq: u64,
    /// Time-of-day records seen before any dated one: they wait for the
    /// first date in the file (docs/time.md: the nearest dated record).
    pub(super) undated: Vec<(Record, Verbatim)>,
    pub(super) problems: Vec<Problem>,
    pub(super) rejected: u64,
    pub(super) shifts: BTreeMap<String, ShiftPart>,
    /// Templates of this source's messages (mined per source, so they do
    /// not depend on which other evidence was given or in what order).
    pub(super) miner: Miner,
    /// What each recent message's text says, with its cluster.
    pub(super) repeats: Repeats<MessageTraits>,
    /// Log lines per (cluster, minute), for rate changes.
    pub(super) minutes: MinuteCounts,
    /// A sample of the facts other sources may share, for clock skew.
    pub(super) facts: FactSample,
    /// Lines and bytes of the input before the piece being parsed.
    pub(super) line_base: u64,
    pub(super) byte_base: u64,
    /// The last record's attributes and their JSON: records of one stream
    /// (a Loki stream's labels, a pod's) often carry the same ones.
    pub(super) last_attributes: (Vec<(Cow<'static, str>, String)>, Arc<str>),
}

/// A record's attributes as a JSON object; a repeated key keeps its first
/// place and its last value. Written directly, as most log lines of some
/// formats carry a few attributes and a JSON map per line costs more.
pub(super) fn attributes_json(pairs: &[(Cow<'static, str>, String)]) -> String {
    let repeated = pairs
        .iter()
        .enumerate()
        .any(|(i, (key, _))| pairs[..i].iter().any(|(k, _)| k == key));
    if repeated {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        return serde_json::Value::Object(map).to_string();
    }
    let mut out = Vec::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 6).sum());
    out.push(b'{');
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, value);
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

fn is_time_only(record: &Record) -> bool {
    matches!(
        record.time.value,
        factline_parsers::time::TimeValue::TimeOnly(_)
    )
}

/// A parser's sink while it reads `bytes`: each record reaches the
/// normalizer with the bytes its span points into.
pub(super) struct PieceSink<'b, 'n, 'a> {
    pub(super) bytes: &'b [u8],
    pub(super) normalizer: &'n mut Normalizer<'a>,
}

impl RecordSink for PieceSink<'_, '_, '_> {
    fn record(&mut self, mut record: Record) {
        let verbatim = Verbatim::find(&record, self.bytes);
        self.normalizer.record(&mut record, verbatim);
    }

    fn problem(&mut self, problem: Problem) {
        self.normalizer.problem(problem);
    }
}

/// What a message's text alone says, read once per distinct message: most
/// log lines repeat an earlier one word for word.
#[derive(Debug, Clone, Copy)]
pub(super) struct MessageTraits {
    /// Its first line states a change ([`notable::message_states_change`]).
    states_change: bool,
    clues: skew::Clues,
}

impl MessageTraits {
    fn read(message: &str) -> MessageTraits {
        notable::with_lowercase(message, |lower| MessageTraits {
            states_change: notable::lowercase_states_change(lower),
            clues: skew::Clues::read(message, lower),
        })
    }
}

/// What of a record's text its own bytes hold as is, so that the database
/// need not hold a copy: the evidence is kept, hashed, and read back.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Verbatim {
    /// The message's range in the record's bytes.
    pub(super) message: Option<(u32, u32)>,
    /// Whether the time text is there as written.
    time_text: bool,
    /// The message's [`message_hash`], worked out where it was parsed.
    pub(super) message_hash: u64,
}

impl Verbatim {
    pub(super) fn find(record: &Record, bytes: &[u8]) -> Verbatim {
        let message_hash = message_hash(&record.message);
        let Some(own) = bytes.get(record.span.clone()) else {
            return Verbatim {
                message_hash,
                ..Verbatim::default()
            };
        };
        let message = record.message.as_bytes();
        // A log line's message is usually its tail, so that is tried
        // before a search.
        let tail = own.trim_ascii_end();
        let at = if tail.ends_with(message) {
            Some(tail.len() - message.len())
        } else {
            find_in_record(own, message)
        };
        let message = at.filter(|_| !record.lossy_utf8).and_then(|at| {
            Some((
                u32::try_from(at).ok()?,
                u32::try_from(at + message.len()).ok()?,
            ))
        });
        let time = record.time.text.as_bytes();
        Verbatim {
            message,
            time_text: !time.is_empty() && find_in_record(own, time).is_some(),
            message_hash,
        }
    }
}

/// Where `needle` first occurs in a record. Records are short and this
/// runs for every one, so candidates are found by the needle's first byte
/// rather than by building a substring searcher each time.
pub(super) fn find_in_record(record: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    memchr::memchr_iter(first, record).find(|&at| record[at..].starts_with(needle))
}

impl Normalizer<'_> {
    /// Takes what it keeps out of `record`.
    pub(super) fn record(&mut self, record: &mut Record, verbatim: Verbatim) {
        record.line = record.line.map(|l| l + self.line_base);
        record.line_end = record.line_end.map(|l| l + self.line_base);
        let base = self.byte_base as usize;
        record.span = record.span.start + base..record.span.end + base;
        let dated = SourceClock::date_of(&record.time.value);
        match dated {
            None if self.undated.len() < 100_000
                && !self.clock.has_date()
                && is_time_only(record) =>
            {
                self.undated.push((record.clone(), verbatim));
            }
            _ => {
                if let Some(date) = dated.filter(|_| !self.undated.is_empty()) {
                    self.clock.set_first_date(date);
                    for (mut r, v) in std::mem::take(&mut self.undated) {
                        self.convert(&mut r, v);
                    }
                }
                self.convert(record, verbatim);
            }
        }
    }

    /// Asks for the memory that normalizing a record of this message
    /// will read (see [`Repeats::prefetch`]).
    pub(super) fn prefetch(&self, verbatim: &Verbatim, near: bool) {
        self.repeats.prefetch(verbatim.message_hash, near);
    }

    pub(super) fn problem(&mut self, mut problem: Problem) {
        problem.line = problem.line.map(|l| l + self.line_base);
        self.rejected += 1;
        if self.problems.len() < REJECTED_KEPT {
            self.problems.push(problem);
        }
    }

    fn convert(&mut self, r: &mut Record, verbatim: Verbatim) {
        let attribute = |key: &str| factline_parsers::attribute(&r.attributes, key);
        let (time, quality) = match attribute("tz").map(Zone::parse) {
            Some(Ok(row_zone)) => self.clock.resolve_in_zone(&r.time, row_zone),
            Some(Err(e)) => {
                let reason = e.to_string();
                self.problem(Problem {
                    line: r.line,
                    locator: r.locator.clone(),
                    reason,
                });
                return;
            }
            None => self.clock.resolve(&r.time),
        };
        if r.kind == Kind::Shift {
            let person = attribute("person").or(r.actor.as_deref());
            if let (Some(id), Some(person), Some(role)) =
                (attribute("shift_id"), person, attribute("role"))
            {
                let part = self
                    .shifts
                    .entry(id.to_string())
                    .or_insert_with(|| ShiftPart {
                        person: person.to_string(),
                        email: attribute("email").map(str::to_string),
                        role: role.to_string(),
                        zone: attribute("person_tz").map(str::to_string),
                        times: Vec::new(),
                    });
                part.times.push(time);
            }
        }
        // Only a Kubernetes event's: a log line's own `created` field may
        // be any date it speaks of.
        let created = (r.system.as_deref() == Some("Kubernetes"))
            .then(|| attribute("created"))
            .flatten();
        let fact_time = skew::fact_time(created, time, r.time.precision);
        if let Some(id) = r.correlation.as_deref().filter(|_| r.kind == Kind::Log) {
            self.facts.add_request(id, fact_time);
        }
        let attributes = (!r.attributes.is_empty()).then(|| {
            if r.attributes != self.last_attributes.0 {
                // In place: where every record's attributes differ (a
                // request id each), the kept copy reuses its buffers.
                self.last_attributes.0.clone_from(&r.attributes);
                self.last_attributes.1 = Arc::from(attributes_json(&r.attributes));
            }
            self.last_attributes.1.clone()
        });
        let level = r.level.map(|l| l.as_str());
        let (cluster, traits) = self.repeats.add(
            &mut self.miner,
            &r.message,
            verbatim.message_hash,
            MessageTraits::read,
        );
        for fact in skew::facts(
            r.kind.as_str(),
            &r.message,
            traits.clues,
            &r.attributes,
            &r.identifiers,
        ) {
            self.facts.add(&fact, fact_time);
        }
        let notable =
            notable::may_be_notable(r.kind.as_str(), level, r.chatter, traits.states_change);
        let message_range = verbatim.message.filter(|_| !notable);
        if r.kind == Kind::Log && !r.chatter {
            self.minutes.add(cluster, time.div_euclid(60_000_000));
        }
        let seq = self.seq;
        self.seq += 1;
        // A log line that needs no column of its own goes into a block:
        // routine lines into one, notable ones (which reconstruction reads,
        // so their message is kept as text) into another. A block keeps a
        // locator, system and identifiers, and the time text where the
        // record does not hold it, so log-platform records are lines too.
        let plain = r.kind == Kind::Log
            && !r.chatter
            && !r.lossy_utf8
            && r.actor.is_none()
            && r.human.is_none();
        if let (true, Some(line)) = (plain, r.line) {
            let message = match message_range {
                Some((from, to)) => blocks::Message::Range(from, to),
                None => blocks::Message::Text(std::mem::take(&mut r.message)),
            };
            let lines = &mut self.lines[usize::from(notable)];
            lines.push(Line {
                seq,
                time,
                quality,
                precision: r.time.precision.as_str().into(),
                line,
                line_end: r.line_end.unwrap_or(line),
                bytes: (r.span.start as u64, r.span.end as u64),
                message,
                level: level.map(Into::into),
                host: r.host.take(),
                service: r.service.take(),
                attributes,
                cluster: cluster as u64,
                locator: r.locator.take(),
                system: r.system.take(),
                identifiers: std::mem::take(&mut r.identifiers),
                time_text: (!verbatim.time_text).then(|| std::mem::take(&mut r.time.text)),
            });
            if lines.len() >= BLOCK_LINES {
                self.send_lines(notable);
            }
            return;
        }
        self.batch.push(NewEvent {
            seq,
            time,
            time_text: (!verbatim.time_text).then(|| std::mem::take(&mut r.time.text)),
            precision: r.time.precision.as_str(),
            quality,
            line: r.line,
            line_end: r.line_end,
            // `line N` is implied by the line number; only other positions
            // are stored.
            locator: r.locator.take(),
            kind: r.kind.as_str(),
            level,
            actor: r.actor.take(),
            host: r.host.take(),
            service: r.service.take(),
            cluster,
            // What the draft may show is stored; a routine line's message
            // is read back from the evidence when listed.
            message: (notable || message_range.is_none()).then(|| std::mem::take(&mut r.message)),
            message_range,
            byte_range: (r.span.start as u64, r.span.end as u64),
            lossy_utf8: r.lossy_utf8,
            system: r.system.take(),
            human: r.human,
            chatter: r.chatter,
            notable,
            identifiers: (!r.identifiers.is_empty())
                .then(|| serde_json::to_string(&r.identifiers).unwrap_or_default()),
            attributes: attributes.map(|a| a.to_string()),
        });
        if self.batch.len() >= BATCH {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.tx.send(Message::Events(batch));
        }
    }

    fn send_lines(&mut self, notable: bool) {
        let lines = &mut self.lines[usize::from(notable)];
        let block = blocks::encode(lines, notable);
        lines.clear();
        self.tx.send(Message::Lines(block));
    }

    /// Sends the source's end; `read` is its hash and size when it was
    /// hashed while it was parsed.
    pub(super) fn finish(mut self, read: Option<Result<(String, u64), String>>) {
        for (mut r, v) in std::mem::take(&mut self.undated) {
            self.convert(&mut r, v);
        }
        for notable in [false, true] {
            if !self.lines[usize::from(notable)].is_empty() {
                self.send_lines(notable);
            }
        }
        if !self.batch.is_empty() {
            self.tx
                .send(Message::Events(std::mem::take(&mut self.batch)));
        }
        let rejected_lines: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|p| serde_json::json!({"line": p.line, "locator": p.locator, "reason": p.reason}))
            .collect();
        // A shift is the span between its start and end records; a shift
        // with one bound only is open-ended and maps no one to a role.
        let shifts = std::mem::take(&mut self.shifts)
            .into_values()
            .filter_map(|p| {
                let (start, end) = (*p.times.iter().min()?, *p.times.iter().max()?);
                (p.times.len() >= 2 && start < end).then_some(Shift {
                    person: p.person,
                    email: p.email,
                    role: p.role,
                    zone: p.zone,
                    start,
                    end,
                })
            })
            .collect();
        let templates = (0..self.miner.len())
            .map(|c| self.miner.template(c))
            .collect();
        let minutes = std::mem::take(&mut self.minutes).into_sorted();
        self.tx.send(Message::End(SourceEnd {
            rejected: self.rejected,
            rejected_lines: serde_json::Value::Array(rejected_lines).to_string(),
            shifts,
            templates,
            minutes,
            facts: std::mem::take(&mut self.facts).into_vec(),
            read,
        }));
    }
}

/// Log lines per (cluster, minute), counted without a hash lookup per
/// line: each cluster's current minute is counted in place, and a count is
/// set aside when its cluster moves on to another minute.
#[derive(Default)]
pub(super) struct MinuteCounts {
    /// By cluster: its current minute and the lines in it so far.
    current: Vec<Option<(i64, u64)>>,
    /// Finished (cluster, minute, lines); a minute may recur when times go
    /// back.
    pub(super) finished: Vec<(usize, i64, u64)>,
}

impl MinuteCounts {
    pub(super) fn add(&mut self, cluster: usize, minute: i64) {
        if cluster >= self.current.len() {
            self.current.resize(cluster + 1, None);
        }
        match &mut self.current[cluster] {
            Some((m, n)) if *m == minute => *n += 1,
            slot => {
                if let Some((m, n)) = slot.replace((minute, 1)) {
                    self.finished.push((cluster, m, n));
                }
            }
        }
    }

    /// Every (cluster, minute, lines) once, in order.
    pub(super) fn into_sorted(mut self) -> Vec<(usize, i64, u64)> {
        let current = self.current.into_iter().enumerate();
        self.finished
            .extend(current.filter_map(|(c, now)| now.map(|(m, n)| (c, m, n))));
        self.finished.sort_unstable();
        let mut merged: Vec<(usize, i64, u64)> = Vec::with_capacity(self.finished.len());
        for (c, m, n) in self.finished {
            match merged.last_mut() {
                Some(last) if (last.0, last.1) == (c, m) => last.2 += n,
                _ => merged.push((c, m, n)),
            }
        }
        merged
    }
}

pub(super) struct ShiftPart {
    person: String,
    email: Option<String>,
    role: String,
    zone: Option<String>,
    pub(super) times: Vec<i64>,
}
