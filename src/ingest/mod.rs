//! The ingest pipeline: discover → read and hash → detect → parse →
//! normalize → store.
//!
//! Workers on the rayon pool take sources in discovery order and parse
//! them in parallel, streaming normalized events in batches over a bounded
//! channel per source; the one writer (this thread) stores the sources in
//! discovery order, one transaction each. Memory stays bounded by the
//! sources in flight, and the database is the same whatever the timing.
//!
//! Here: the orchestration and the writer. Beside it: `budget` (how much
//! may wait for the writer), `pieces` (the first pass and parsing a large
//! source in pieces), `normalize` (records → events), `clock` (times →
//! UTC), `companions` (files a parser asks for) and `settings`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::Mutex;

use factline_parsers::registry::{detect, Detection};
use factline_parsers::{Context, Parser, Problem};

mod budget;
mod clock;
mod companions;
mod json_pieces;
mod normalize;
mod pieces;
mod settings;
mod skew;
mod years;

pub use settings::{ForGlob, IngestConfig, SkewMode};

use crate::error::{Error, Result};
use crate::evidence::{self, LoadJob, Skipped, MAX_MEMBER_BYTES};
use crate::model::{Quality, Zone};
use crate::store::blocks::{Block, BLOCK_LINES};
use crate::store::{Incoming, KnownSources, NewEvent, NewSource, SourceEnd, Store, Written};
use crate::template::{Miner, Repeats};
use budget::{Budget, Inbox, Outbox};
use clock::SourceClock;
use companions::Companions;
use normalize::{MinuteCounts, Normalizer, PieceSink};
use pieces::{parse_in_pieces, scan, scan_head, Hashing};
use skew::{FactSample, Redo};

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
    /// Clock offsets of a second or more found between sources, one
    /// sentence each.
    pub clocks: Vec<String>,
    /// Years read from the other evidence for sources that write none.
    pub years: Vec<String>,
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

/// Ingests the configured evidence into `store`, then estimates the
/// sources' clock offsets (`--skew`); a source whose offset is applied is
/// stored again with corrected times.
pub fn ingest(
    store: &mut Store,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
) -> Result<Report> {
    let mut report = ingest_pass(store, config, parsers, None)?;
    let mut years = years::estimate(&store.sources()?);
    report.years = std::mem::take(&mut years.findings);
    if !years.ids.is_empty() {
        store_again(store, config, parsers, &years, &mut report)?;
    }
    if config.skew == SkewMode::Off {
        return Ok(report);
    }
    let mut redo = skew::estimate(store, config)?;
    report.clocks = std::mem::take(&mut redo.findings);
    if redo.ids.is_empty() {
        return Ok(report);
    }
    // A source stored again with an offset keeps the year it was given.
    redo.start_years = std::mem::take(&mut years.start_years);
    store_again(store, config, parsers, &redo, &mut report)?;
    Ok(report)
}

/// Forgets the sources `redo` names and stores them again as it says,
/// their new outcomes in place of the first ones.
fn store_again(
    store: &mut Store,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
    redo: &Redo,
    report: &mut Report,
) -> Result<()> {
    store.forget_sources(&redo.ids)?;
    for again in ingest_pass(store, config, parsers, Some(redo))?.outcomes {
        if let Outcome::Stored { path, .. } = &again {
            let earlier = report
                .outcomes
                .iter_mut()
                .find(|o| matches!(o, Outcome::Stored { path: p, .. } if p == path));
            if let Some(slot) = earlier {
                *slot = again;
            }
        }
    }
    Ok(())
}

/// One pass over the evidence: every source not stored yet, or, with
/// `redo`, only the sources to store again with an estimated offset.
fn ingest_pass(
    store: &mut Store,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
    redo: Option<&Redo>,
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
    let known = store.known_sources()?;
    let jobs: Vec<LoadJob> = found.loaded;
    let by_path: HashMap<&str, &LoadJob> = jobs
        .iter()
        .map(|j| (j.unit().display.as_str(), j))
        .collect();
    let companions = Companions { jobs: &by_path };
    let jobs: Vec<&LoadJob> = jobs
        .iter()
        .filter(|j| redo.is_none_or(|r| r.paths.contains(&j.unit().display)))
        .collect();
    let used_companions = Mutex::new(BTreeSet::new());
    let progress = progress_bar(jobs.len() as u64);
    store.begin_ingest(jobs.iter().map(|j| j.size_hint()).sum())?;

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
    let shared = WorkerContext {
        config,
        parsers,
        known: &known,
        companions: &companions,
        used_companions: &used_companions,
        redo,
    };
    rayon::in_place_scope(|scope| -> Result<()> {
        // Workers take sources in discovery order, so the source the writer
        // waits for is always being worked on or done.
        for _ in 0..workers {
            scope.spawn(|_| loop {
                let i = next_job.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i).copied() else {
                    break;
                };
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
    // A source hashed while parsed is found to be a copy at its end.
    let copy_of = match &source.sha256 {
        Some(sha256) => store.source_with_hash(sha256)?,
        None => None,
    };
    if let Some(stored_as) = copy_of {
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
    let written = store.write_source(&source, || match rx.recv() {
        Ok(Message::Events(batch)) => Some(Incoming::Events(batch)),
        Ok(Message::Lines(block)) => Some(Incoming::Lines(block)),
        Ok(Message::End(end)) => Some(Incoming::End(end)),
        _ => None,
    })?;
    let totals = match written {
        Written::Stored(totals) => totals,
        Written::Copy(stored_as) => {
            return Ok(Outcome::AlreadyStored {
                path: source.path,
                stored_as,
            })
        }
        Written::Unreadable(reason) => {
            return Ok(Outcome::Skipped(Skipped {
                display: source.path,
                reason,
            }))
        }
    };
    Ok(Outcome::Stored {
        path: source.path,
        parser: source.parser,
        events: totals.events,
        rejected: totals.rejected,
        quality: totals.quality,
    })
}

/// What every worker reads.
struct WorkerContext<'a> {
    config: &'a IngestConfig,
    parsers: &'a [Box<dyn Parser>],
    known: &'a KnownSources,
    companions: &'a Companions<'a>,
    used_companions: &'a Mutex<BTreeSet<String>>,
    redo: Option<&'a Redo>,
}

impl WorkerContext<'_> {
    /// The companion files `parser` asks for, found beside `unit`, each
    /// marked as used (so that it is reported as a companion, not as a
    /// file no parser recognizes).
    fn mark_companions(
        &self,
        unit: &evidence::Unit,
        parser: &dyn Parser,
    ) -> Vec<(String, Vec<u8>)> {
        let mut companions = Vec::new();
        for name in parser.companions() {
            if let Some((path, bytes)) = self.companions.find(unit, name) {
                if let Ok(mut used) = self.used_companions.lock() {
                    used.insert(path);
                }
                companions.push((name.to_string(), bytes));
            }
        }
        companions
    }

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
        // source are never all in memory unless its format needs them. A
        // plain file of a size no stored source has is no copy of one, so
        // it is hashed while it is parsed, and read once: then both cores
        // parse while it is hashed. (An estimate stored again needs the
        // hash it is known by first.)
        let hash_while_parsing = self
            .redo
            .is_none()
            .then(|| job.plain_size())
            .flatten()
            .filter(|size| !self.known.sizes.contains(size));
        let first_pass = match hash_while_parsing {
            Some(size) => job.with_reader(|reader| scan_head(reader, size)),
            None => job.with_reader(scan),
        };
        let (scan, mtime) = match first_pass {
            Ok(found) => found,
            Err(reason) => return skip(&reason),
        };
        if scan.blank {
            return skip("empty file; nothing to ingest");
        }
        if let Some(sha256) = scan
            .sha256
            .clone()
            .filter(|h| self.known.hashes.contains(h))
        {
            // Stored by an earlier run or as a copy elsewhere: its
            // companions beside it are still its companions, not
            // unrecognized files.
            if let Some(known) = detect(self.parsers, &scan.head) {
                self.mark_companions(unit, known.parser);
            }
            tx.send(Message::Known {
                path: unit.display.clone(),
                sha256,
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
            if scan.head.contains(&0) {
                return skip("binary file; no parser recognizes it");
            }
            return match factline_parsers::registry::untimed(self.parsers, &scan.head) {
                Some((id, what)) => skip(&format!(
                    "{what} ({id}): no timed records, nothing to place on the timeline"
                )),
                None => skip(
                    "unrecognized format; no parser recognizes it (force one with --parser GLOB=ID)",
                ),
            };
        };
        let parser = chosen.parser;
        let streamable = parser.starts_record(b"").is_some();
        let json_pieces = !parser.json_record_arrays().is_empty();
        if !streamable && !json_pieces && scan.bytes > MAX_MEMBER_BYTES {
            return skip(&format!(
                "{} MiB is too large for a {} document, which is read whole (limit {} MiB)",
                scan.bytes >> 20,
                parser.id(),
                MAX_MEMBER_BYTES >> 20
            ));
        }
        let companions = self.mark_companions(unit, parser);
        let inner_path = match &unit.member {
            Some(member) => member.rsplit('!').next().unwrap_or(member),
            None => unit.relative.as_str(),
        };
        let context = Context {
            path: inner_path,
            companions: &companions,
        };
        let zone = self.config.zone_for(&names).cloned();
        let start_year = self
            .redo
            .and_then(|r| r.start_years.get(scan.sha256.as_ref()?))
            .copied();
        // The user's --offset wins over an estimated one.
        let estimated = self
            .redo
            .and_then(|r| r.offsets.get(scan.sha256.as_ref()?))
            .copied()
            .filter(|_| !self.config.has_offset(&names));
        let source = NewSource {
            path: unit.display.clone(),
            file: std::path::absolute(&unit.file)
                .unwrap_or_else(|_| unit.file.clone())
                .to_string_lossy()
                .into_owned(),
            member: unit.member.clone(),
            sha256: scan.sha256.clone(),
            bytes: scan.bytes,
            parser: parser.id().to_string(),
            confidence: chosen.confidence,
            tz: zone.as_ref().map_or_else(|| "UTC".to_string(), Zone::name),
            mtime,
        };
        tx.send(Message::Begin(Box::new(source)));
        let offset = estimated.unwrap_or_else(|| self.config.offset_for(&names));
        let mut clock = SourceClock::new(zone, self.config.year, mtime, offset, None);
        if estimated.is_some() {
            clock = clock.offset_estimated();
        }
        if let Some(year) = start_year {
            clock = clock.year_from_evidence(year);
        }
        let mut sink = Normalizer {
            clock,
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
            facts: FactSample::default(),
            line_base: 0,
            byte_base: 0,
            last_attributes: Default::default(),
        };
        // Second pass: parse, in pieces cut before a record for line
        // formats, whole for documents.
        let parse = |reader: &mut dyn Read, sink: &mut Normalizer<'_>| {
            if streamable {
                parse_in_pieces(reader, parser, &context, sink)
            } else if json_pieces {
                json_pieces::parse(reader, parser, &context, sink)
            } else {
                let mut bytes = Vec::with_capacity(scan.bytes as usize);
                reader.read_to_end(&mut bytes)?;
                let mut piece = PieceSink {
                    bytes: &bytes,
                    normalizer: sink,
                };
                parser.parse_in(&bytes, &context, &mut piece);
                Ok(())
            }
        };
        let stopped = |sink: &mut Normalizer<'_>, reason: String| {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: format!("reading stopped: {reason}"),
            });
        };
        let read = if scan.sha256.is_some() {
            if let Err(reason) = job.with_reader(|reader| parse(reader, &mut sink)) {
                stopped(&mut sink, reason);
            }
            None
        } else {
            let hashed = job.with_reader(|reader| {
                let mut hashing = Hashing::new(reader);
                if let Err(e) = parse(&mut hashing, &mut sink) {
                    stopped(&mut sink, e.to_string());
                }
                hashing.finish()
            });
            Some(hashed.map(|(hashed, _mtime)| hashed))
        };
        sink.finish(read);
    }
}

#[cfg(test)]
mod tests {
    use super::budget::Budget;
    use super::normalize::{attributes_json, find_in_record, MinuteCounts};

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

    fn pairs(list: &[(&'static str, &str)]) -> Vec<(std::borrow::Cow<'static, str>, String)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), v.to_string()))
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
