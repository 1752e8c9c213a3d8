//! The ingest pipeline: discover → read and hash → detect → parse →
//! normalize → store. Files are parsed in parallel (rayon); one writer
//! thread stores them in discovery order, one transaction per source, so
//! the database is the same whatever the thread timing.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::sync::mpsc;

use factline_parsers::registry::{detect, Detection};
use factline_parsers::{Collected, Parser};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::{IngestConfig, Zone};
use crate::error::{Error, Result};
use crate::evidence::{self, LoadJob, Loaded, Skipped};
use crate::normalize::{Quality, SourceClock};
use crate::store::{NewEvent, NewSource, Store};
use crate::template::template;

/// Bytes of a file that detection looks at.
const SNIFF_BYTES: usize = 64 << 10;

/// Rejected lines kept per source (the count is always complete).
const REJECTED_KEPT: usize = 20;

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
        events: usize,
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

enum Parsed {
    Ready(Box<(NewSource, Vec<NewEvent>, Quality)>),
    Known { path: String, sha256: String },
    Skipped(Skipped),
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
    let progress = progress_bar(jobs.len() as u64);
    let (tx, rx) = mpsc::sync_channel::<(usize, Parsed)>(4);
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(|| {
            jobs.into_par_iter()
                .enumerate()
                .for_each_with(tx, |tx, (i, job)| {
                    // The writer only stops receiving on a database error,
                    // which it reports itself.
                    let _ = tx.send((i, prepare(job, config, parsers, &known)));
                });
        });
        // Results arrive in any order; writing them in discovery order
        // makes row ids and in-run duplicate handling deterministic.
        let mut waiting = BTreeMap::new();
        let mut next = 0usize;
        for (i, parsed) in rx {
            waiting.insert(i, parsed);
            while let Some(parsed) = waiting.remove(&next) {
                report.outcomes.push(write(store, parsed)?);
                progress.inc(1);
                next += 1;
            }
        }
        Ok(())
    })?;
    progress.finish_and_clear();
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

fn write(store: &mut Store, parsed: Parsed) -> Result<Outcome> {
    Ok(match parsed {
        Parsed::Skipped(s) => Outcome::Skipped(s),
        Parsed::Known { path, sha256 } => Outcome::AlreadyStored {
            stored_as: store.source_with_hash(&sha256)?.unwrap_or_default(),
            path,
        },
        Parsed::Ready(boxed) => {
            let (source, events, quality) = *boxed;
            // The same bytes twice in one run: the first in discovery order
            // is stored, the copy is reported.
            if let Some(stored_as) = store.source_with_hash(&source.sha256)? {
                return Ok(Outcome::AlreadyStored {
                    path: source.path,
                    stored_as,
                });
            }
            store.insert_source(&source, &events)?;
            Outcome::Stored {
                path: source.path,
                parser: source.parser,
                events: events.len(),
                rejected: source.rejected,
                quality,
            }
        }
    })
}

fn prepare(
    job: LoadJob,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
    known: &HashSet<String>,
) -> Parsed {
    let loaded = match job {
        LoadJob::Member(loaded) => loaded,
        LoadJob::File(unit) => match evidence::load(&unit) {
            Ok(l) => l,
            Err(reason) => {
                return Parsed::Skipped(Skipped {
                    display: unit.display,
                    reason,
                })
            }
        },
    };
    let skip = |reason: &str| {
        Parsed::Skipped(Skipped {
            display: loaded.unit.display.clone(),
            reason: reason.to_string(),
        })
    };
    if loaded.bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return skip("empty file; nothing to ingest");
    }
    let sha256 = hex::encode(Sha256::digest(&loaded.bytes));
    if known.contains(&sha256) {
        return Parsed::Known {
            path: loaded.unit.display.clone(),
            sha256,
        };
    }
    let names = loaded.unit.names();
    let head = &loaded.bytes[..loaded.bytes.len().min(SNIFF_BYTES)];
    let chosen = match config.parser_for(&names) {
        Some(id) => parsers.iter().find(|p| p.id() == id).map(|p| Detection {
            parser: p.as_ref(),
            confidence: 100,
        }),
        None => detect(parsers, head),
    };
    let Some(chosen) = chosen else {
        return skip(if head.contains(&0) {
            "binary file; no parser recognizes it"
        } else {
            "unrecognized format; no parser recognizes it (force one with --parser GLOB=ID)"
        });
    };
    let zone = config.zone_for(&names).cloned();
    let offset = config.offset_for(&names);
    Parsed::Ready(Box::new(normalize(
        &loaded,
        sha256,
        chosen,
        zone,
        config.year,
        offset,
    )))
}

fn normalize(
    loaded: &Loaded,
    sha256: String,
    chosen: Detection<'_>,
    zone: Option<Zone>,
    year: Option<i32>,
    offset: i64,
) -> (NewSource, Vec<NewEvent>, Quality) {
    let mut out = Collected::default();
    chosen.parser.parse(&loaded.bytes, &mut out);
    let first_date = out
        .records
        .iter()
        .find_map(|r| SourceClock::date_of(&r.time.value));
    let tz = zone.as_ref().map_or_else(|| "UTC".to_string(), Zone::name);
    let mut clock = SourceClock::new(zone, year, loaded.mtime, offset, first_date);
    let mut quality = Quality::default();
    let mut kinds = BTreeMap::<&'static str, usize>::new();
    let events: Vec<NewEvent> = out
        .records
        .into_iter()
        .map(|r| {
            let (time, q) = clock.resolve(&r.time);
            quality.insert(q);
            *kinds.entry(r.kind.as_str()).or_default() += 1;
            let raw_bytes = loaded.bytes.get(r.span.clone()).unwrap_or_default();
            NewEvent {
                time,
                time_text: r.time.text,
                precision: r.time.precision.as_str(),
                quality: q,
                line: r.line,
                line_end: r.line_end,
                locator: r
                    .locator
                    .or_else(|| r.line.map(|l| format!("line {l}")))
                    .unwrap_or_default(),
                kind: r.kind.as_str(),
                level: r.level.map(|l| l.as_str()),
                actor: r.actor,
                host: r.host,
                service: r.service,
                template: template(&r.message),
                message: r.message,
                byte_range: (r.span.start as u64, r.span.end as u64),
                raw: String::from_utf8_lossy(raw_bytes).into_owned(),
                lossy_utf8: r.lossy_utf8,
            }
        })
        .collect();
    let kind = kinds
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map_or("log", |(k, _)| *k);
    let rejected_lines: Vec<serde_json::Value> = out
        .problems
        .iter()
        .take(REJECTED_KEPT)
        .map(|p| serde_json::json!({"line": p.line, "locator": p.locator, "reason": p.reason}))
        .collect();
    let unit = &loaded.unit;
    let source = NewSource {
        path: unit.display.clone(),
        file: std::path::absolute(&unit.file)
            .unwrap_or_else(|_| unit.file.clone())
            .to_string_lossy()
            .into_owned(),
        member: unit.member.clone(),
        sha256,
        bytes: loaded.bytes.len() as u64,
        parser: chosen.parser.id().to_string(),
        confidence: chosen.confidence,
        kind,
        tz,
        rejected: out.problems.len() as u64,
        rejected_lines: serde_json::Value::Array(rejected_lines).to_string(),
        mtime: loaded.mtime,
    };
    (source, events, quality)
}
