//! Runs one command: resolves its options, does the work, writes results to
//! stdout (or `--output`) and progress and warnings to stderr.

use std::io::Write;

use factline_parsers::Parser;
use factline_parsers::{declarative, registry};

use crate::audit;
use crate::cli::{Command, Common, EventsFormat, ReviewCommand, TextOrJson, TimelineFormat};
use crate::config::parse_cli_time;
use crate::error::{Error, Result};
use crate::ingest::{self, IngestConfig, Outcome};
use crate::model::Zone;
use crate::reconstruct::{self, TimelineConfig};
use crate::render;
use crate::review::{self, Refused, Request};
use crate::serve;
use crate::store::{EventFilter, Store};

/// Exit code: the command ran and found problems it was asked to fail on.
pub const EXIT_PROBLEMS: u8 = 1;

/// Runs a parsed command line and returns the exit code.
pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Draft {
            common,
            ingest,
            timeline,
            format,
        } => {
            let config = IngestConfig::new(&ingest, common.tz.as_deref())?;
            let timeline = TimelineConfig::new(&timeline, common.tz.as_deref())?;
            run_ingest(&common, &config)?;
            run_timeline(&common, &timeline, format)
        }
        Command::Ingest { common, ingest } => {
            let config = IngestConfig::new(&ingest, common.tz.as_deref())?;
            run_ingest(&common, &config)
        }
        Command::Timeline {
            common,
            timeline,
            format,
        } => {
            let timeline = TimelineConfig::new(&timeline, common.tz.as_deref())?;
            run_timeline(&common, &timeline, format)
        }
        Command::Events {
            common,
            format,
            from,
            to,
            source,
        } => run_events(&common, format, from, to, source),
        Command::Audit {
            common,
            format,
            strict,
            timeline,
        } => {
            let config = TimelineConfig::new(&timeline, common.tz.as_deref())?;
            let mut store = Store::open_existing(&common.db)?;
            let built = reconstruct::build(&store, &config)?;
            reconstruct::save(&mut store, &built, &config)?;
            let sources = store.sources()?;
            let checks = audit::verify(&sources);
            let gaps = match (built.window_start, built.window_end) {
                (Some(from), Some(to)) => audit::gaps(&store.times_by_source(from, to)?),
                _ => Vec::new(),
            };
            let report = audit::audit(&built, &sources, &checks, &gaps);
            let text = match format {
                TextOrJson::Json => pretty(&report.json),
                TextOrJson::Text => audit::audit_text(&report),
            };
            emit(&common, &text)?;
            Ok(if strict && report.strict_failure {
                EXIT_PROBLEMS
            } else {
                0
            })
        }
        Command::Verify { common } => {
            let store = Store::open_existing(&common.db)?;
            let checks = audit::verify(&store.sources()?);
            let mut out = String::new();
            for c in &checks {
                out.push_str(&format!("{} {}", c.status.as_str(), c.source));
                if let Some(d) = &c.detail {
                    out.push_str(&format!(": {d}"));
                }
                out.push('\n');
            }
            emit(&common, &out)?;
            let bad = checks
                .iter()
                .filter(|c| c.status != audit::Status::Ok)
                .count();
            if bad > 0 {
                eprintln!(
                    "factline: {bad} of {} sources changed or missing",
                    checks.len()
                );
                return Ok(EXIT_PROBLEMS);
            }
            Ok(0)
        }
        Command::Sources { common, format } => {
            let store = Store::open_existing(&common.db)?;
            let sources = store.sources()?;
            let text = match format {
                TextOrJson::Json => pretty(&render::sources_json(&sources)),
                TextOrJson::Text => render::sources_text(&sources),
            };
            emit(&common, &text)?;
            Ok(0)
        }
        Command::Serve {
            common,
            timeline,
            bind,
            token,
            reviewer,
        } => {
            let timeline = TimelineConfig::new(&timeline, common.tz.as_deref())?;
            let settings = serve::Settings::new(&bind, token, reviewer, common.db, timeline)?;
            serve::run(settings)?;
            Ok(0)
        }
        Command::Review {
            common,
            timeline,
            reviewer,
            action,
        } => {
            let config = TimelineConfig::new(&timeline, common.tz.as_deref())?;
            run_review(&common, &config, &reviewer, action)
        }
        Command::Formats {
            common,
            format,
            formats_dir,
        } => {
            let parsers = load_parsers(formats_dir.as_deref())?;
            let text = match format {
                TextOrJson::Json => {
                    let list: Vec<_> = parsers
                        .iter()
                        .map(|(p, origin)| {
                            serde_json::json!({"id": p.id(), "description": p.description(), "origin": origin})
                        })
                        .collect();
                    pretty(&serde_json::json!({ "formats": list }))
                }
                TextOrJson::Text => parsers
                    .iter()
                    .map(|(p, origin)| {
                        format!("{:<20} {:<9} {}\n", p.id(), origin, p.description())
                    })
                    .collect(),
            };
            emit(&common, &text)?;
            Ok(0)
        }
    }
}

/// The built-in parsers, then the user's format files from `--formats-dir`
/// (every `*.json`, in name order), each with where it came from. A user
/// format that fails its own sample checks, or reuses an id, stops the run.
fn load_parsers(formats_dir: Option<&std::path::Path>) -> Result<Vec<(Box<dyn Parser>, String)>> {
    let mut all: Vec<(Box<dyn Parser>, String)> = registry::builtin()
        .into_iter()
        .map(|p| (p, "built-in".to_string()))
        .collect();
    let Some(dir) = formats_dir else {
        return Ok(all);
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let name = file.display().to_string();
        let parser =
            declarative::load_format(&name, &text).map_err(|e| Error::Usage(e.to_string()))?;
        if all.iter().any(|(p, _)| p.id() == parser.id()) {
            return Err(Error::Usage(format!(
                "format file {name}: id {:?} is already taken; choose another",
                parser.id()
            )));
        }
        all.push((parser, "user".to_string()));
    }
    Ok(all)
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes a command's result to `--output` or stdout.
fn emit(common: &Common, text: &str) -> Result<()> {
    match &common.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Error::io(path, e)),
        None => write_stdout(text.as_bytes()),
    }
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) means the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::io("<stdout>", e)),
    }
}

fn run_ingest(common: &Common, config: &IngestConfig) -> Result<u8> {
    let parsers: Vec<Box<dyn Parser>> = load_parsers(config.formats_dir.as_deref())?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut store = Store::open(&common.db)?;
    let report = ingest::ingest(&mut store, config, &parsers)?;
    for outcome in &report.outcomes {
        match outcome {
            Outcome::Stored {
                path,
                parser,
                events,
                rejected,
                quality,
            } => {
                eprintln!("stored {path}: {events} events ({parser}), {rejected} lines rejected");
                let names = quality.names();
                if quality.contains(crate::model::Quality::ASSUMED_TZ) {
                    eprintln!("warning: {path}: times carry no zone; read as UTC (use --tz or --source-tz)");
                }
                if quality.contains(crate::model::Quality::UNKNOWN_ZONE) {
                    eprintln!("warning: {path}: some times carry a zone word no one defines; read in the source's zone");
                }
                if !names.is_empty() {
                    eprintln!("  time flags: {}", names.join(", "));
                }
            }
            Outcome::AlreadyStored { path, stored_as } => {
                eprintln!("skipped {path}: already stored (same SHA-256 as {stored_as})");
            }
            Outcome::Skipped(s) => eprintln!("skipped {}: {}", s.display, s.reason),
        }
    }
    for year in &report.years {
        eprintln!("year: {year}");
    }
    for clock in &report.clocks {
        eprintln!("clock: {clock}");
    }
    if !report.anything_usable() {
        return Err(Error::Input(
            "nothing was ingested: no evidence file could be read and recognized".into(),
        ));
    }
    Ok(0)
}

fn run_timeline(common: &Common, config: &TimelineConfig, format: TimelineFormat) -> Result<u8> {
    let mut store = Store::open_existing(&common.db)?;
    let built = reconstruct::build(&store, config)?;
    reconstruct::save(&mut store, &built, config)?;
    let reviewed = review::apply(&store, built, config.names)?;
    warn_orphaned(&reviewed.curation);
    let (t, c) = (&reviewed.timeline, &reviewed.curation);
    let text = match format {
        TimelineFormat::Md => render::timeline_markdown(t, c, config.local_zone.as_ref()),
        TimelineFormat::Json => pretty(&render::timeline_json(t, c)),
        TimelineFormat::Csv => render::timeline_csv(t, c),
        TimelineFormat::Html => render::timeline_html(t, c),
    };
    emit(common, &text)?;
    Ok(0)
}

/// Actions whose entry is gone are kept in the trail, and said so.
fn warn_orphaned(c: &crate::model::Curation) {
    for a in &c.orphaned {
        eprintln!(
            "warning: review action {} ({} by {}) applies to entry {}, which is no longer in the timeline",
            a.id,
            a.kind.as_str(),
            a.reviewer,
            a.key
        );
    }
}

fn run_review(
    common: &Common,
    config: &TimelineConfig,
    reviewer: &str,
    command: ReviewCommand,
) -> Result<u8> {
    let mut store = Store::open_existing(&common.db)?;
    let built = reconstruct::build(&store, config)?;
    let reviewed = review::apply(&store, built, config.names)?;
    let request = match command {
        ReviewCommand::List { format } => {
            let actions = store.review_actions()?;
            let text = match format {
                TextOrJson::Json => pretty(&review::trail_json(&actions, &reviewed.curation)),
                TextOrJson::Text => review_list_text(&reviewed, &actions),
            };
            emit(common, &text)?;
            return Ok(0);
        }
        ReviewCommand::Hide {
            key,
            reason,
            version,
        } => Request {
            action: "hide".into(),
            key: Some(key),
            reason: Some(reason),
            version,
            ..Request::default()
        },
        ReviewCommand::Restore { key, version } => Request {
            action: "restore".into(),
            key: Some(key),
            version,
            ..Request::default()
        },
        ReviewCommand::Edit {
            key,
            summary,
            phase,
            version,
        } => Request {
            action: "edit".into(),
            key: Some(key),
            summary,
            phase,
            version,
            ..Request::default()
        },
        ReviewCommand::Note { key, text, version } => Request {
            action: "note".into(),
            key: Some(key),
            text: Some(text),
            version,
            ..Request::default()
        },
        ReviewCommand::Pin { event, phase } => Request {
            action: "pin".into(),
            event: Some(event),
            phase,
            ..Request::default()
        },
        ReviewCommand::Add {
            time,
            zone,
            text,
            phase,
        } => Request {
            action: "add".into(),
            time: Some(time),
            zone: zone.or_else(|| common.tz.clone()),
            text: Some(text),
            phase,
            ..Request::default()
        },
    };
    let now = chrono::Utc::now().timestamp_micros();
    match review::act(&mut store, &reviewed, &request, reviewer, now)? {
        Ok(action) => {
            emit(common, &pretty(&review::action_json(&action)))?;
            Ok(0)
        }
        Err(Refused::Conflict { current }) => {
            eprintln!("factline: {}", Refused::Conflict { current }.message());
            Ok(EXIT_PROBLEMS)
        }
        Err(refused) => Err(Error::Usage(refused.message())),
    }
}

/// `review list`: each entry's key, marks and summary, the hidden ones,
/// then the trail.
fn review_list_text(r: &review::Reviewed, actions: &[crate::model::ReviewAction]) -> String {
    use factline_parsers::time::format_utc;
    let mut out = String::new();
    for (i, e) in r.timeline.entries.iter().enumerate() {
        let version = r.curation.reviews[i].as_ref().map_or(0, |v| v.version);
        out.push_str(&format!(
            "{} v{version} {} {:<10} {}\n",
            r.curation.keys[i],
            format_utc(e.time),
            e.phase.as_str(),
            e.summary
        ));
    }
    for h in &r.curation.hidden {
        out.push_str(&format!(
            "{} hidden by {}: {} ({})\n",
            h.key, h.reviewer, h.summary, h.reason
        ));
    }
    out.push_str(&format!("\n{} review actions\n", actions.len()));
    for a in actions {
        let orphan = if r.curation.orphaned.iter().any(|o| o.id == a.id) {
            " (orphaned: its entry is no longer in the timeline)"
        } else {
            ""
        };
        out.push_str(&format!(
            "#{} {} {} {} {}{orphan}\n",
            a.id,
            format_utc(a.at),
            a.reviewer,
            a.kind.as_str(),
            a.key
        ));
    }
    out
}

fn run_events(
    common: &Common,
    format: EventsFormat,
    from: Option<String>,
    to: Option<String>,
    source: Option<String>,
) -> Result<u8> {
    let zone = common.tz.as_deref().map(Zone::parse).transpose()?;
    let time = |t: Option<String>| t.map(|t| parse_cli_time(&t, zone.as_ref())).transpose();
    let filter = EventFilter {
        from: time(from)?,
        to: time(to)?,
        notable_only: false,
    };
    let source = source
        .map(|g| {
            globset::Glob::new(&g)
                .map(|g| g.compile_matcher())
                .map_err(|e| Error::Usage(format!("--source: bad glob {g:?}: {e}")))
        })
        .transpose()?;
    let store = Store::open_existing(&common.db)?;
    let out: Box<dyn Write> = match &common.output {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| Error::io(path, e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let io = |e: std::io::Error| Error::io("<output>", e);
    let mut out = match format {
        EventsFormat::Jsonl => EventSink::Jsonl(std::io::BufWriter::new(out)),
        EventsFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(render::EVENT_CSV_HEADER)
                .map_err(|e| io(e.into()))?;
            EventSink::Csv(Box::new(w))
        }
    };
    let result = store.each_event(&filter, |e| {
        if source.as_ref().is_some_and(|m| !m.is_match(&e.source)) {
            return Ok(());
        }
        match &mut out {
            EventSink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &render::event_json(&e))
                    .map_err(|e| io(e.into()))?;
                w.write_all(b"\n").map_err(io)
            }
            EventSink::Csv(w) => w
                .write_record(render::event_csv_row(&e))
                .map_err(|e| io(e.into())),
        }
    });
    let flushed = match &mut out {
        EventSink::Jsonl(w) => w.flush(),
        EventSink::Csv(w) => w.flush(),
    }
    .map_err(io);
    match result.and(flushed) {
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        other => other.map(|_| 0),
    }
}

enum EventSink {
    Jsonl(std::io::BufWriter<Box<dyn Write>>),
    Csv(Box<csv::Writer<Box<dyn Write>>>),
}
