//! The ingest pipeline: discover → read and hash → detect → parse →
//! normalize → store.
//!
//! Workers on the rayon pool take sources in discovery order and parse
//! them in parallel, streaming normalized events in batches over a bounded
//! channel per source; the one writer (this thread) stores the sources in
//! discovery order, one transaction each. Memory stays bounded by the
//! sources in flight, and the database is the same whatever the timing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvError, Sender, SyncSender};
use std::sync::{Condvar, Mutex};

use factline_parsers::registry::{detect, Detection};
use factline_parsers::{Context, Kind, Parser, Problem, Record, RecordSink};
use sha2::{Digest, Sha256};

mod clock;
pub mod notable;
mod settings;

pub use settings::{ForGlob, IngestConfig};

use crate::error::{Error, Result};
use crate::evidence::{self, LoadJob, Skipped, Unit, MAX_MEMBER_BYTES};
use crate::model::{Quality, Zone};
use crate::store::blocks::{self, Block, Line, BLOCK_LINES};
use crate::store::{Incoming, NewEvent, NewSource, Shift, SourceEnd, Store};
use crate::template::{Miner, Repeats};
use clock::SourceClock;

/// Bytes of a file that detection looks at.
const SNIFF_BYTES: usize = 64 << 10;

/// Rejected lines kept per source (the count is always complete).
const REJECTED_KEPT: usize = 20;

/// Events per batch sent to the writer.
const BATCH: usize = 1024;

/// Parsed events (estimated bytes) that may wait for the writer: room for
/// the next sources' workers to run ahead while the writer is still on an
/// earlier one, so both cores stay busy, with memory bounded.
const AHEAD_BYTES: usize = 128 << 20;

/// What happened to one piece of evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Parsed and stored.
    Stored {
        /// Path as shown.
        path: String,
        /// Parser id.
        parser: String,
        /// Events stored.
        events: u64,
        /// Lines rejected.
        rejected: u64,
        /// Union of time flags.
        quality: Quality,
    },
    /// The same bytes are already stored.
    AlreadyStored {
        /// Path as shown.
        path: String,
        /// The stored source with the same SHA-256.
        stored_as: String,
    },
    /// Could not be used; the run went on.
    Skipped(Skipped),
}

/// The result of an ingest run, in discovery order.
#[derive(Debug, Default)]
pub struct Report {
    /// One outcome per piece of evidence found.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// Whether anything is in the database for this evidence (newly or
    /// from an earlier run): if not, the run failed.
    pub fn anything_usable(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| !matches!(o, Outcome::Skipped(_)))
    }
}

/// What a worker tells the writer about one source, in order.
enum Message {
    Skipped(Skipped),
    Known { path: String, sha256: String },
    Begin(Box<NewSource>),
    Events(Vec<NewEvent>),
    Lines(Block),
    End(SourceEnd),
}

/// Ingests the configured evidence into `store`.
pub fn ingest(
    store: &mut Store,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
) -> Result<Report> {
    for forced in &config.parsers {
        if !parsers.iter().any(|p| p.id() == forced.value) {
            return Err(Error::Usage(format!(
                "--parser {}={}: no parser has that id (see `factline formats`)",
                forced.glob, forced.value
            )));
        }
    }
    let found = evidence::discover(&config.evidence)?;
    let mut report = Report::default();
    report
        .outcomes
        .extend(found.skipped.into_iter().map(Outcome::Skipped));
    let known = store.known_hashes()?;
    let jobs: Vec<LoadJob> = found.loaded;
    let by_path: HashMap<&str, &LoadJob> = jobs
        .iter()
        .map(|j| (j.unit().display.as_str(), j))
        .collect();
    let companions = Companions { jobs: &by_path };
    let used_companions = Mutex::new(BTreeSet::new());
    let progress = progress_bar(jobs.len() as u64);
    store.begin_ingest(jobs.iter().map(LoadJob::size_hint).sum())?;

    let budget = Budget::new(AHEAD_BYTES);
    let (senders, receivers): (Vec<_>, Vec<_>) = jobs.iter().map(|_| channel()).unzip();
    let senders: Vec<Mutex<Option<Outbox<'_>>>> = senders
        .into_iter()
        .enumerate()
        .map(|(source, tx)| {
            Mutex::new(Some(Outbox {
                tx,
                budget: &budget,
                source,
            }))
        })
        .collect();
    let next_job = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().min(jobs.len()).max(1);
    let shared = Shared {
        config,
        parsers,
        known: &known,
        companions: &companions,
        used_companions: &used_companions,
    };
    rayon::in_place_scope(|scope| -> Result<()> {
        // Workers take sources in discovery order, so the source the writer
        // waits for is always being worked on or done.
        for _ in 0..workers {
            scope.spawn(|_| loop {
                let i = next_job.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                let sender = senders[i].lock().ok().and_then(|mut s| s.take());
                if let Some(tx) = sender {
                    shared.process(job, &tx);
                }
            });
        }
        for (i, rx) in receivers.into_iter().enumerate() {
            budget.writing(i);
            let inbox = Inbox {
                rx,
                budget: &budget,
            };
            report.outcomes.push(write(store, &inbox)?);
            progress.inc(1);
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    store.finish_ingest()?;
    let used = used_companions.into_inner().unwrap_or_default();
    for outcome in &mut report.outcomes {
        if let Outcome::Skipped(s) = outcome {
            if used.contains(&s.display) && s.reason.starts_with("unrecognized") {
                s.reason =
                    "no events of its own; read as a companion file of the export beside it".into();
            }
        }
    }
    Ok(report)
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("ingest {bar:30} {pos}/{len} sources {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Stores one source from its worker's messages.
/// Bounds the parsed events waiting for the writer in sources after the
/// one it is writing. The source being written never waits, so the writer
/// never waits on a worker that waits on it.
struct Budget {
    limit: usize,
    state: Mutex<Ahead>,
    changed: Condvar,
}

#[derive(Default)]
struct Ahead {
    bytes: usize,
    writing: usize,
}

impl Budget {
    fn new(limit: usize) -> Budget {
        Budget {
            limit,
            state: Mutex::default(),
            changed: Condvar::new(),
        }
    }

    fn reserve(&self, source: usize, bytes: usize) {
        let Ok(mut ahead) = self.state.lock() else {
            return;
        };
        while bytes > 0
            && source != ahead.writing
            && ahead.bytes > 0
            && ahead.bytes + bytes > self.limit
        {
            ahead = match self.changed.wait(ahead) {
                Ok(ahead) => ahead,
                Err(_) => return,
            };
        }
        ahead.bytes += bytes;
    }

    fn release(&self, bytes: usize) {
        if let Ok(mut ahead) = self.state.lock() {
            ahead.bytes = ahead.bytes.saturating_sub(bytes);
        }
        self.changed.notify_all();
    }

    fn writing(&self, source: usize) {
        if let Ok(mut ahead) = self.state.lock() {
            ahead.writing = source;
        }
        self.changed.notify_all();
    }
}

/// Roughly what a message holds in memory.
fn weight(message: &Message) -> usize {
    match message {
        Message::Events(batch) => batch.len() * 512,
        Message::Lines(block) => block.data.len() + 64,
        _ => 0,
    }
}

/// A worker's side of its source's channel to the writer.
struct Outbox<'b> {
    tx: Sender<Message>,
    budget: &'b Budget,
    source: usize,
}

impl Outbox<'_> {
    /// Sends, once there is room; a closed channel means the writer stopped
    /// on an error it reports itself, so that is ignored.
    fn send(&self, message: Message) {
        self.budget.reserve(self.source, weight(&message));
        let _ = self.tx.send(message);
    }
}

/// The writer's side of a source's channel.
struct Inbox<'b> {
    rx: Receiver<Message>,
    budget: &'b Budget,
}

impl Inbox<'_> {
    fn recv(&self) -> std::result::Result<Message, RecvError> {
        let message = self.rx.recv()?;
        self.budget.release(weight(&message));
        Ok(message)
    }
}

fn write(store: &mut Store, rx: &Inbox<'_>) -> Result<Outcome> {
    let lost = || Error::Input("a parsing worker stopped unexpectedly".into());
    let source = match rx.recv().map_err(|_| lost())? {
        Message::Skipped(s) => return Ok(Outcome::Skipped(s)),
        Message::Known { path, sha256 } => {
            return Ok(Outcome::AlreadyStored {
                stored_as: store.source_with_hash(&sha256)?.unwrap_or_default(),
                path,
            })
        }
        Message::Begin(source) => source,
        Message::Events(_) | Message::Lines(_) | Message::End(_) => return Err(lost()),
    };
    // The same bytes twice in one run: the first in discovery order is
    // stored, the copy is reported (its worker's messages are drained).
    if let Some(stored_as) = store.source_with_hash(&source.sha256)? {
        while let Ok(m) = rx.recv() {
            if matches!(m, Message::End(_)) {
                break;
            }
        }
        return Ok(Outcome::AlreadyStored {
            path: source.path,
            stored_as,
        });
    }
    let totals = store.write_source(&source, || match rx.recv() {
        Ok(Message::Events(batch)) => Some(Incoming::Events(batch)),
        Ok(Message::Lines(block)) => Some(Incoming::Lines(block)),
        Ok(Message::End(end)) => Some(Incoming::End(end)),
        _ => None,
    })?;
    Ok(Outcome::Stored {
        path: source.path,
        parser: source.parser,
        events: totals.events,
        rejected: totals.rejected,
        quality: totals.quality,
    })
}

/// What every worker reads.
struct Shared<'a> {
    config: &'a IngestConfig,
    parsers: &'a [Box<dyn Parser>],
    known: &'a HashSet<String>,
    companions: &'a Companions<'a>,
    used_companions: &'a Mutex<BTreeSet<String>>,
}

impl Shared<'_> {
    /// Reads, detects, parses and normalizes one source, streaming what it
    /// finds to the writer. A closed channel means the writer stopped on
    /// an error it reports itself, so send failures are ignored.
    fn process(&self, job: &LoadJob, tx: &Outbox<'_>) {
        let unit = job.unit();
        let skip = |reason: &str| {
            tx.send(Message::Skipped(Skipped {
                display: unit.display.clone(),
                reason: reason.to_string(),
            }));
        };
        // First pass: hash, size and head, streaming, so the bytes of a
        // source are never all in memory unless its format needs them.
        let (scan, mtime) = match job.with_reader(scan) {
            Ok(found) => found,
            Err(reason) => return skip(&reason),
        };
        if scan.blank {
            return skip("empty file; nothing to ingest");
        }
        if self.known.contains(&scan.sha256) {
            tx.send(Message::Known {
                path: unit.display.clone(),
                sha256: scan.sha256,
            });
            return;
        }
        let names = unit.names();
        let chosen = match self.config.parser_for(&names) {
            Some(id) => self
                .parsers
                .iter()
                .find(|p| p.id() == id)
                .map(|p| Detection {
                    parser: p.as_ref(),
                    confidence: 100,
                }),
            None => detect(self.parsers, &scan.head),
        };
        let Some(chosen) = chosen else {
            return skip(if scan.head.contains(&0) {
                "binary file; no parser recognizes it"
            } else {
                "unrecognized format; no parser recognizes it (force one with --parser GLOB=ID)"
            });
        };
        let parser = chosen.parser;
        let streamable = parser.starts_record(b"").is_some();
        if !streamable && scan.bytes > MAX_MEMBER_BYTES {
            return skip(&format!(
                "{} MiB is too large for a {} document, which is read whole (limit {} MiB)",
                scan.bytes >> 20,
                parser.id(),
                MAX_MEMBER_BYTES >> 20
            ));
        }
        let mut companions = Vec::new();
        for name in parser.companions() {
            if let Some((path, bytes)) = self.companions.find(unit, name) {
                if let Ok(mut used) = self.used_companions.lock() {
                    used.insert(path);
                }
                companions.push((name.to_string(), bytes));
            }
        }
        let inner_path = match &unit.member {
            Some(member) => member.rsplit('!').next().unwrap_or(member),
            None => unit.relative.as_str(),
        };
        let context = Context {
            path: inner_path,
            companions: &companions,
        };
        let zone = self.config.zone_for(&names).cloned();
        let source = NewSource {
            path: unit.display.clone(),
            file: std::path::absolute(&unit.file)
                .unwrap_or_else(|_| unit.file.clone())
                .to_string_lossy()
                .into_owned(),
            member: unit.member.clone(),
            sha256: scan.sha256,
            bytes: scan.bytes,
            parser: parser.id().to_string(),
            confidence: chosen.confidence,
            tz: zone.as_ref().map_or_else(|| "UTC".to_string(), Zone::name),
            mtime,
        };
        tx.send(Message::Begin(Box::new(source)));
        let offset = self.config.offset_for(&names);
        let mut sink = Normalizer {
            clock: SourceClock::new(zone, self.config.year, mtime, offset, None),
            tx,
            batch: Vec::with_capacity(BATCH),
            lines: [Vec::with_capacity(BLOCK_LINES), Vec::new()],
            seq: 0,
            undated: Vec::new(),
            problems: Vec::new(),
            rejected: 0,
            shifts: BTreeMap::new(),
            miner: Miner::new(),
            repeats: Repeats::default(),
            minutes: MinuteCounts::default(),
            line_base: 0,
            byte_base: 0,
        };
        // Second pass: parse, in pieces cut before a record for line
        // formats, whole for documents.
        let parsed = job.with_reader(|reader| {
            if streamable {
                parse_in_pieces(reader, parser, &context, &mut sink)
            } else {
                let mut bytes = Vec::with_capacity(scan.bytes as usize);
                reader.read_to_end(&mut bytes)?;
                let mut piece = PieceSink {
                    bytes: &bytes,
                    normalizer: &mut sink,
                };
                parser.parse_in(&bytes, &context, &mut piece);
                Ok(())
            }
        });
        if let Err(reason) = parsed {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: format!("reading stopped: {reason}"),
            });
        }
        sink.finish();
    }
}

/// What the first pass learns about a source.
struct Scan {
    sha256: String,
    bytes: u64,
    head: Vec<u8>,
    blank: bool,
}

fn scan(reader: &mut dyn Read) -> std::io::Result<Scan> {
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut bytes = 0u64;
    let mut blank = true;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        let room = SNIFF_BYTES - head.len();
        head.extend_from_slice(&chunk[..n.min(room)]);
        blank &= chunk.iter().all(u8::is_ascii_whitespace);
        bytes += n as u64;
    }
    Ok(Scan {
        sha256: hex::encode(hasher.finalize()),
        bytes,
        head,
        blank,
    })
}

/// Bytes parsed at a time when streaming a line format.
const PIECE: usize = 16 << 20;

/// What parsing hands to normalizing, in input order. Nearly every item is
/// a record, so records are not boxed (an allocation each).
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Record(Record, Verbatim),
    Problem(Problem),
    /// The end of a piece of so many lines and bytes.
    PieceEnd {
        lines: u64,
        bytes: u64,
    },
}

/// Records handed over at a time.
const HANDOVER: usize = 4096;

/// Pieces handed over but not yet normalized (bounds memory).
const HANDOVERS_IN_FLIGHT: usize = 4;

/// A parser's sink that hands records over to the normalizing thread.
struct Handover<'b, 't> {
    bytes: &'b [u8],
    items: Vec<Parsed>,
    channel: &'t HandoverChannel,
}

/// Both ways between parsing and normalizing: full vectors one way, the
/// used ones back, so their memory is reused rather than allocated (and
/// zeroed by the kernel) again for every few thousand records.
struct HandoverChannel {
    full: SyncSender<Vec<Parsed>>,
    used: Receiver<Vec<Parsed>>,
}

impl HandoverChannel {
    /// A vector to fill. What is left of the records in a returned one is
    /// dropped here: they were allocated on this thread, and the allocator
    /// frees memory fastest on the thread that allocated it.
    fn empty(&self) -> Vec<Parsed> {
        match self.used.try_recv() {
            Ok(mut used) => {
                used.clear();
                used
            }
            Err(_) => Vec::with_capacity(HANDOVER),
        }
    }
}

impl<'b, 't> Handover<'b, 't> {
    fn new(bytes: &'b [u8], channel: &'t HandoverChannel) -> Handover<'b, 't> {
        Handover {
            bytes,
            items: channel.empty(),
            channel,
        }
    }

    fn send(&mut self) {
        let items = std::mem::replace(&mut self.items, self.channel.empty());
        // A closed channel means normalizing stopped; the join reports it.
        let _ = self.channel.full.send(items);
    }

    /// Hands over the rest of a piece and its size.
    fn finish(mut self, lines: u64, bytes: u64) {
        self.items.push(Parsed::PieceEnd { lines, bytes });
        let _ = self.channel.full.send(std::mem::take(&mut self.items));
    }
}

impl RecordSink for Handover<'_, '_> {
    fn record(&mut self, record: Record) {
        let verbatim = Verbatim::find(&record, self.bytes);
        self.items.push(Parsed::Record(record, verbatim));
        if self.items.len() >= HANDOVER {
            self.send();
        }
    }

    fn problem(&mut self, problem: Problem) {
        self.items.push(Parsed::Problem(problem));
    }
}

/// Feeds a line format its input piece by piece, each piece ending just
/// before a line that begins a record, so no record is split. Parsing (on
/// this thread) and normalizing (template mining, times, blocks; on a
/// second one) overlap, so one large source keeps two cores busy; the
/// order of records is kept, and the normalizer shifts line numbers and
/// byte offsets to the whole input's.
fn parse_in_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    sink: &mut Normalizer<'_>,
) -> std::io::Result<()> {
    std::thread::scope(|scope| {
        let (full, rx) = sync_channel::<Vec<Parsed>>(HANDOVERS_IN_FLIGHT);
        let (back, used) = sync_channel::<Vec<Parsed>>(HANDOVERS_IN_FLIGHT + 2);
        let normalizing = scope.spawn(move || {
            for mut items in rx {
                // Records are used in place: moving each out costs a copy
                // of the whole struct, a visible share of the per-line cost.
                for item in &mut items {
                    match item {
                        Parsed::Record(record, verbatim) => sink.record(record, *verbatim),
                        Parsed::Problem(problem) => sink.problem(problem.clone()),
                        Parsed::PieceEnd { lines, bytes } => {
                            sink.line_base += *lines;
                            sink.byte_base += *bytes;
                        }
                    }
                }
                let _ = back.try_send(items);
            }
        });
        let channel = HandoverChannel { full, used };
        let read = read_pieces(reader, parser, context, &channel);
        drop(channel);
        if let Err(panic) = normalizing.join() {
            std::panic::resume_unwind(panic);
        }
        read
    })
}

fn read_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    channel: &HandoverChannel,
) -> std::io::Result<()> {
    let buf = &mut Vec::with_capacity(PIECE);
    let mut eof = fill(reader, buf, PIECE)?;
    loop {
        if buf.is_empty() {
            return Ok(());
        }
        let cut = if eof {
            buf.len()
        } else {
            match cut_before_record(buf, parser) {
                Some(cut) => cut,
                // No record starts in a piece this large: one endless line
                // or continuation; cut anyway, the line limit reports it.
                None if buf.len() >= 4 * PIECE => buf.len(),
                None => {
                    let more = buf.len() + PIECE;
                    eof = fill(reader, buf, more)?;
                    continue;
                }
            }
        };
        let mut handover = Handover::new(&buf[..cut], channel);
        parser.parse_in(&buf[..cut], context, &mut handover);
        handover.finish(
            memchr::memchr_iter(b'\n', &buf[..cut]).count() as u64,
            cut as u64,
        );
        buf.drain(..cut);
        eof = eof || fill(reader, buf, PIECE)?;
    }
}

/// Reads into `buf` until it holds `until` bytes or the input ends;
/// whether it ended.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, until: usize) -> std::io::Result<bool> {
    let Some(wanted) = until.checked_sub(buf.len()).filter(|&n| n > 0) else {
        return Ok(false);
    };
    // Into the spare capacity: readers that can (files) fill it without
    // zeroing it first.
    let got = reader.take(wanted as u64).read_to_end(buf)?;
    Ok(got < wanted)
}

/// The start of the last complete line in `buf` that begins a record
/// (never 0: a piece must make progress).
fn cut_before_record(buf: &[u8], parser: &dyn Parser) -> Option<usize> {
    let mut end = memchr::memrchr(b'\n', buf)?;
    for _ in 0..10_000 {
        let start = memchr::memrchr(b'\n', &buf[..end]).map(|i| i + 1)?;
        let line = &buf[start..end];
        if start > 0 && parser.starts_record(line.strip_suffix(b"\r").unwrap_or(line)) == Some(true)
        {
            return Some(start);
        }
        end = start - 1;
    }
    None
}

/// Receives a parser's records, resolves their times and sends them to
/// the writer in batches.
struct Normalizer<'a> {
    clock: SourceClock,
    tx: &'a Outbox<'a>,
    batch: Vec<NewEvent>,
    /// Log lines waiting to fill a block (see `blocks.rs`): routine ones,
    /// then notable ones (indexed by `notable as usize`).
    lines: [Vec<Line>; 2],
    /// Position of the next event in the source.
    seq: u64,
    /// Time-of-day records seen before any dated one: they wait for the
    /// first date in the file (docs/time.md: the nearest dated record).
    undated: Vec<(Record, Verbatim)>,
    problems: Vec<Problem>,
    rejected: u64,
    shifts: BTreeMap<String, ShiftPart>,
    /// Templates of this source's messages (mined per source, so they do
    /// not depend on which other evidence was given or in what order).
    miner: Miner,
    /// Whether each recent message states a change, with its cluster.
    repeats: Repeats<bool>,
    /// Log lines per (cluster, minute), for rate changes.
    minutes: MinuteCounts,
    /// Lines and bytes of the input before the piece being parsed.
    line_base: u64,
    byte_base: u64,
}

/// A record's attributes as a JSON object; a repeated key keeps its first
/// place and its last value. Written directly, as most log lines of some
/// formats carry a few attributes and a JSON map per line costs more.
fn attributes_json(pairs: &[(String, String)]) -> String {
    let repeated = pairs
        .iter()
        .enumerate()
        .any(|(i, (key, _))| pairs[..i].iter().any(|(k, _)| k == key));
    if repeated {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
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
struct PieceSink<'b, 'n, 'a> {
    bytes: &'b [u8],
    normalizer: &'n mut Normalizer<'a>,
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

/// What of a record's text its own bytes hold as is, so that the database
/// need not hold a copy: the evidence is kept, hashed, and read back.
#[derive(Debug, Clone, Copy, Default)]
struct Verbatim {
    /// The message's range in the record's bytes.
    message: Option<(u32, u32)>,
    /// Whether the time text is there as written.
    time_text: bool,
}

impl Verbatim {
    fn find(record: &Record, bytes: &[u8]) -> Verbatim {
        let Some(own) = bytes.get(record.span.clone()) else {
            return Verbatim::default();
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
        }
    }
}

/// Where `needle` first occurs in a record. Records are short and this
/// runs for every one, so candidates are found by the needle's first byte
/// rather than by building a substring searcher each time.
fn find_in_record(record: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    memchr::memchr_iter(first, record).find(|&at| record[at..].starts_with(needle))
}

impl Normalizer<'_> {
    /// Takes what it keeps out of `record`.
    fn record(&mut self, record: &mut Record, verbatim: Verbatim) {
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

    fn problem(&mut self, mut problem: Problem) {
        problem.line = problem.line.map(|l| l + self.line_base);
        self.rejected += 1;
        if self.problems.len() < REJECTED_KEPT {
            self.problems.push(problem);
        }
    }

    fn convert(&mut self, r: &mut Record, verbatim: Verbatim) {
        let attribute = |key: &str| {
            r.attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
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
                        times: Vec::new(),
                    });
                part.times.push(time);
            }
        }
        let attributes = (!r.attributes.is_empty()).then(|| attributes_json(&r.attributes));
        let level = r.level.map(|l| l.as_str());
        let (cluster, states_change) =
            self.repeats
                .add(&mut self.miner, &r.message, notable::message_states_change);
        let notable = notable::may_be_notable(r.kind.as_str(), level, r.chatter, states_change);
        let message_range = verbatim.message.filter(|_| !notable);
        if r.kind == Kind::Log && !r.chatter {
            self.minutes.add(cluster, time.div_euclid(60_000_000));
        }
        let seq = self.seq;
        self.seq += 1;
        // A log line that needs no column of its own goes into a block:
        // routine lines into one, notable ones (which reconstruction reads,
        // so their message is kept as text) into another.
        let plain = r.kind == Kind::Log
            && !r.chatter
            && !r.lossy_utf8
            && verbatim.time_text
            && r.locator.is_none()
            && r.actor.is_none()
            && r.system.is_none()
            && r.human.is_none()
            && r.identifiers.is_empty();
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
            attributes,
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

    fn finish(mut self) {
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
        }));
    }
}

/// Log lines per (cluster, minute), counted without a hash lookup per
/// line: each cluster's current minute is counted in place, and a count is
/// set aside when its cluster moves on to another minute.
#[derive(Default)]
struct MinuteCounts {
    /// By cluster: its current minute and the lines in it so far.
    current: Vec<Option<(i64, u64)>>,
    /// Finished (cluster, minute, lines); a minute may recur when times go
    /// back.
    finished: Vec<(usize, i64, u64)>,
}

impl MinuteCounts {
    fn add(&mut self, cluster: usize, minute: i64) {
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
    fn into_sorted(mut self) -> Vec<(usize, i64, u64)> {
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

struct ShiftPart {
    person: String,
    email: Option<String>,
    role: String,
    times: Vec<i64>,
}

/// Every discovered piece of evidence by its shown path, for finding the
/// companion files a parser asks for.
struct Companions<'a> {
    jobs: &'a HashMap<&'a str, &'a LoadJob>,
}

impl Companions<'_> {
    /// Looks for `name` beside the unit, then in each parent folder up to
    /// the evidence root (or the archive root for members).
    fn find(&self, unit: &Unit, name: &str) -> Option<(String, Vec<u8>)> {
        let root_len = unit.display.len() - unit.relative.len();
        let mut dir = unit.display.as_str();
        while let Some(cut) = dir.rfind(['/', '!']) {
            let sep = &unit.display[cut..cut + 1];
            dir = &dir[..cut];
            let candidate = format!("{dir}{sep}{name}");
            if let Some(job) = self.jobs.get(candidate.as_str()) {
                return Some((candidate, job.load().ok()?.bytes));
            }
            if dir.len() < root_len {
                break;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{attributes_json, find_in_record, Budget, MinuteCounts};

    /// Sources after the one being written wait for room; the one being
    /// written never does, so all of them get through.
    #[test]
    fn the_budget_holds_back_later_sources_without_deadlock() {
        let budget = Budget::new(10);
        let sent = std::sync::Mutex::new(Vec::new());
        let count = |source| {
            sent.lock()
                .unwrap()
                .iter()
                .filter(|(s, _)| *s == source)
                .count()
        };
        std::thread::scope(|scope| {
            for source in [1, 0] {
                let (budget, sent) = (&budget, &sent);
                scope.spawn(move || {
                    for n in 0..5 {
                        budget.reserve(source, 8);
                        sent.lock().unwrap().push((source, n));
                    }
                });
                // Source 1 starts first, so it finds the budget empty.
                while count(source) == 0 {
                    std::thread::yield_now();
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            // Source 1 got its first message in (the budget was empty), and
            // no more until the writer reaches it; source 0 got all five.
            let early: Vec<_> = sent.lock().unwrap().clone();
            assert_eq!(
                early.iter().filter(|(s, _)| *s == 1).count(),
                1,
                "{early:?}"
            );
            assert_eq!(
                early.iter().filter(|(s, _)| *s == 0).count(),
                5,
                "{early:?}"
            );
            budget.release(8 * 5);
            budget.writing(1);
        });
        assert_eq!(sent.into_inner().unwrap().len(), 10);
    }

    proptest::proptest! {
        /// Counting in place gives what a count per (cluster, minute) key
        /// gives, times going back included.
        #[test]
        fn minute_counts_are_counts_per_cluster_and_minute(
            lines in proptest::collection::vec((0..5usize, -3..4i64), 0..200)
        ) {
            let mut counts = MinuteCounts::default();
            let mut expected = std::collections::BTreeMap::new();
            for &(cluster, minute) in &lines {
                counts.add(cluster, minute);
                *expected.entry((cluster, minute)).or_insert(0u64) += 1;
            }
            let expected: Vec<_> = expected.into_iter().map(|((c, m), n)| (c, m, n)).collect();
            proptest::prop_assert_eq!(counts.into_sorted(), expected);
        }
    }

    #[test]
    fn finds_a_needle_where_a_substring_search_does() {
        let record = b"2026-01-01 10:00:00 INFO a b a bc";
        for needle in [
            &b""[..],
            b"2026",
            b"a bc",
            b"a b",
            b"c",
            b"INFO a",
            b"x",
            b"a bcd",
        ] {
            assert_eq!(
                find_in_record(record, needle),
                memchr::memmem::find(record, needle),
                "{needle:?}"
            );
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn attributes_are_a_json_object_in_record_order() {
        assert_eq!(
            attributes_json(&pairs(&[("pid", "9"), ("quote", "a \"b\"\n\\")])),
            r#"{"pid":"9","quote":"a \"b\"\n\\"}"#
        );
        // A repeated key keeps its first place and takes the last value.
        assert_eq!(
            attributes_json(&pairs(&[("a", "1"), ("b", "2"), ("a", "3")])),
            r#"{"a":"3","b":"2"}"#
        );
    }
}
