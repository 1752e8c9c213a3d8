//! The ingest pipeline: discover → read and hash → detect → parse →
//! normalize → store. Files are parsed in parallel (rayon); one writer
//! thread stores them in discovery order, one transaction per source, so
//! the database is the same whatever the thread timing.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::IsTerminal;
use std::sync::mpsc;

use std::collections::HashMap;
use std::sync::LazyLock;

use factline_parsers::registry::{detect, Detection};
use factline_parsers::{Collected, Context, Kind, Parser, Problem};
use rayon::prelude::*;
use regex::Regex;
use sha2::{Digest, Sha256};

use crate::config::{IngestConfig, Zone};
use crate::error::{Error, Result};
use crate::evidence::{self, LoadJob, Loaded, Skipped, Unit};
use crate::normalize::{Quality, SourceClock};
use crate::store::{NewEvent, NewSource, Shift, Store};
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
    let by_path: HashMap<&str, &LoadJob> = jobs
        .iter()
        .map(|j| (j.unit().display.as_str(), j))
        .collect();
    let evidence = Evidence { jobs: &by_path };
    let progress = progress_bar(jobs.len() as u64);
    let used_companions = std::sync::Mutex::new(BTreeSet::new());
    let (tx, rx) = mpsc::sync_channel::<(usize, Parsed)>(4);
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(|| {
            jobs.par_iter()
                .enumerate()
                .for_each_with(tx, |tx, (i, job)| {
                    let prepared =
                        prepare(job, config, parsers, &known, &evidence, &used_companions);
                    // The writer only stops receiving on a database error,
                    // which it reports itself.
                    let _ = tx.send((i, prepared));
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

/// Every discovered piece of evidence by its shown path, for finding the
/// companion files a parser asks for.
struct Evidence<'a> {
    jobs: &'a HashMap<&'a str, &'a LoadJob>,
}

impl Evidence<'_> {
    /// Looks for `name` beside the unit, then in each parent folder up to
    /// the evidence root (or the archive root for members).
    fn companion(&self, unit: &Unit, name: &str) -> Option<(String, Vec<u8>)> {
        let mut dir = unit.display.as_str();
        while let Some(cut) = dir.rfind(['/', '!']) {
            dir = &dir[..cut];
            let sep = if unit.display[cut..].starts_with('!') {
                "!"
            } else {
                "/"
            };
            let candidate = format!("{dir}{sep}{name}");
            if let Some(job) = self.jobs.get(candidate.as_str()) {
                let bytes = match job {
                    LoadJob::Member(loaded) => loaded.bytes.clone(),
                    LoadJob::File(unit) => evidence::load(unit).ok()?.bytes,
                };
                return Some((candidate, bytes));
            }
            if dir.len() < unit.display.len() - unit.relative.len() {
                break;
            }
        }
        None
    }
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
    job: &LoadJob,
    config: &IngestConfig,
    parsers: &[Box<dyn Parser>],
    known: &HashSet<String>,
    evidence: &Evidence<'_>,
    used_companions: &std::sync::Mutex<BTreeSet<String>>,
) -> Parsed {
    let file;
    let loaded = match job {
        LoadJob::Member(loaded) => loaded,
        LoadJob::File(unit) => match evidence::load(unit) {
            Ok(l) => {
                file = l;
                &file
            }
            Err(reason) => {
                return Parsed::Skipped(Skipped {
                    display: unit.display.clone(),
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
    let mut companions = Vec::new();
    for name in chosen.parser.companions() {
        if let Some((path, bytes)) = evidence.companion(&loaded.unit, name) {
            if let Ok(mut used) = used_companions.lock() {
                used.insert(path);
            }
            companions.push((name.to_string(), bytes));
        }
    }
    let inner_path = match &loaded.unit.member {
        Some(member) => member.rsplit('!').next().unwrap_or(member),
        None => loaded.unit.relative.as_str(),
    };
    let context = Context {
        path: inner_path,
        companions: &companions,
    };
    let zone = config.zone_for(&names).cloned();
    let offset = config.offset_for(&names);
    let mut out = Collected::default();
    chosen.parser.parse_in(&loaded.bytes, &context, &mut out);
    Parsed::Ready(Box::new(normalize(
        loaded,
        out,
        sha256,
        chosen,
        zone,
        config.year,
        offset,
    )))
}

fn normalize(
    loaded: &Loaded,
    mut out: Collected,
    sha256: String,
    chosen: Detection<'_>,
    zone: Option<Zone>,
    year: Option<i32>,
    offset: i64,
) -> (NewSource, Vec<NewEvent>, Quality) {
    let first_date = out
        .records
        .iter()
        .find_map(|r| SourceClock::date_of(&r.time.value));
    let tz = zone.as_ref().map_or_else(|| "UTC".to_string(), Zone::name);
    let mut clock = SourceClock::new(zone, year, loaded.mtime, offset, first_date);
    let mut quality = Quality::default();
    let mut kinds = BTreeMap::<&'static str, usize>::new();
    let mut shift_parts: BTreeMap<String, ShiftPart> = BTreeMap::new();
    let records = std::mem::take(&mut out.records);
    let events: Vec<NewEvent> = records
        .into_iter()
        .filter_map(|r| {
            let attribute = |key: &str| {
                r.attributes
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.as_str())
            };
            let (time, q) = match attribute("tz").map(Zone::parse) {
                Some(Ok(row_zone)) => clock.resolve_in_zone(&r.time, row_zone),
                Some(Err(e)) => {
                    out.problems.push(Problem {
                        line: r.line,
                        locator: r.locator.clone(),
                        reason: e.to_string(),
                    });
                    return None;
                }
                None => clock.resolve(&r.time),
            };
            if r.kind == Kind::Shift {
                if let (Some(id), Some(person), Some(role)) = (
                    attribute("shift_id"),
                    attribute("person").or(r.actor.as_deref()),
                    attribute("role"),
                ) {
                    let part = shift_parts
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
            quality.insert(q);
            *kinds.entry(r.kind.as_str()).or_default() += 1;
            let raw_bytes = loaded.bytes.get(r.span.clone()).unwrap_or_default();
            let identifiers = identifiers(&r.identifiers, &r.message);
            let attributes: serde_json::Map<String, serde_json::Value> = r
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            Some(NewEvent {
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
                system: r.system,
                human: r.human,
                chatter: r.chatter,
                identifiers: serde_json::to_string(&identifiers).unwrap_or_default(),
                attributes: serde_json::Value::Object(attributes).to_string(),
            })
        })
        .collect();
    // A shift is the span between its start and end records; a shift with
    // one bound only is open-ended and maps no one to a role.
    let shifts = shift_parts
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
        shifts,
    };
    (source, events, quality)
}

struct ShiftPart {
    person: String,
    email: Option<String>,
    role: String,
    times: Vec<i64>,
}

static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"https?://[^\s<>|)\]]+|\b[A-Z][A-Z0-9]{1,9}-\d{1,7}\b|#\d{2,}\b|\bINC\d{5,}\b")
        .expect("identifier pattern is valid")
});

/// Words shaped like ticket keys that are not (`UTF-8`, `SHA-256`).
const NOT_KEYS: [&str; 8] = ["UTF", "ISO", "SHA", "TLS", "HTTP", "RFC", "AES", "CVE"];

/// The identifiers a record carries, plus those its text mentions:
/// what lets the reconstruction merge the paging tool's incident, the
/// chat post about it and the ticket.
fn identifiers(given: &[String], message: &str) -> Vec<String> {
    let found = IDENTIFIER.find_iter(message).map(|m| {
        m.as_str()
            .trim_end_matches(['.', ',', ';', ':'])
            .to_string()
    });
    let mut all: Vec<String> = given
        .iter()
        .cloned()
        .chain(found.filter(|id| !NOT_KEYS.iter().any(|k| id.starts_with(&format!("{k}-")))))
        .collect();
    all.sort();
    all.dedup();
    all
}
