//! Reconstruction: from stored events to the entries of a post-mortem
//! timeline. Events are streamed in UTC order; notable ones (warnings and
//! worse, state changes, anything that is not a plain log line) become
//! entries, repeated log lines of one template collapse into bursts
//! (first / ×N / last), and everything else is counted as left out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use rusqlite::{params, OptionalExtension};

use crate::config::TimelineConfig;
use crate::error::Result;
use crate::normalize::Quality;
use crate::people::People;
use crate::store::{EventFilter, EventRow, Store};

/// Repeats of one template further apart than this start a new burst.
const BURST_GAP_MICROS: i64 = 15 * 60 * 1_000_000;

/// Longest summary and excerpt shown, in characters.
const MAX_SUMMARY_CHARS: usize = 200;

/// Post-mortem phases (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The change that set it off.
    Trigger,
    /// Impact begins or grows.
    Impact,
    /// Alert fires, first human notices.
    Detection,
    /// Page, acknowledge, hand-over, roles.
    Escalation,
    /// Findings.
    Diagnosis,
    /// Actions taken.
    Mitigation,
    /// Signals return to normal.
    Recovery,
    /// Incident resolved or closed.
    Resolution,
    /// Anything else kept.
    Context,
}

impl Phase {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Trigger => "trigger",
            Phase::Impact => "impact",
            Phase::Detection => "detection",
            Phase::Escalation => "escalation",
            Phase::Diagnosis => "diagnosis",
            Phase::Mitigation => "mitigation",
            Phase::Recovery => "recovery",
            Phase::Resolution => "resolution",
            Phase::Context => "context",
        }
    }
}

/// How well an entry is backed (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Two or more independent sources.
    Corroborated,
    /// One machine-recorded source.
    Verified,
    /// Only human statements.
    Reported,
    /// No evidence, or evidence that changed.
    Unverified,
}

impl Verification {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Corroborated => "corroborated",
            Verification::Verified => "verified",
            Verification::Reported => "reported",
            Verification::Unverified => "unverified",
        }
    }
}

/// One cited piece of evidence behind an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Source path as shown.
    pub source: String,
    /// SHA-256 of the source as ingested.
    pub sha256: String,
    /// First line of the record.
    pub line: Option<i64>,
    /// Position text.
    pub locator: String,
    /// The record's first line, shortened.
    pub excerpt: String,
    /// Event row id.
    pub event_id: i64,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// 1-based, in timeline order.
    pub id: usize,
    /// First occurrence, UTC microseconds.
    pub time: i64,
    /// Last occurrence for collapsed entries.
    pub last_time: Option<i64>,
    /// Events collapsed into this entry.
    pub occurrences: u64,
    /// Phase.
    pub phase: Phase,
    /// Kind of the first event.
    pub kind: String,
    /// Level of the first event.
    pub level: Option<String>,
    /// What happened.
    pub summary: String,
    /// Who acted (a role or placeholder unless names were asked for).
    pub actor: Option<String>,
    /// How well it is backed.
    pub verification: Verification,
    /// Union of the events' time flags.
    pub time_quality: Quality,
    /// Hosts seen.
    pub hosts: Vec<String>,
    /// Services seen.
    pub services: Vec<String>,
    /// Cited evidence (first and last occurrence for bursts).
    pub evidence: Vec<Evidence>,
}

/// The key times of an incident, each the time of a cited entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyTimes {
    /// Impact begins.
    pub impact_start: Option<KeyTime>,
    /// First detection.
    pub detected: Option<KeyTime>,
    /// First acknowledgement.
    pub acknowledged: Option<KeyTime>,
    /// Impact mitigated (signals recover).
    pub mitigated: Option<KeyTime>,
    /// Incident resolved.
    pub resolved: Option<KeyTime>,
}

/// A key time and the entry that justifies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyTime {
    /// UTC microseconds.
    pub time: i64,
    /// The entry's id.
    pub entry: usize,
}

/// The reconstructed timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Window start, UTC microseconds (None when there are no events).
    pub window_start: Option<i64>,
    /// Window end.
    pub window_end: Option<i64>,
    /// Whether the window came from `--from`/`--to`.
    pub window_given: bool,
    /// Entries in time order.
    pub entries: Vec<Entry>,
    /// Key times.
    pub key_times: KeyTimes,
    /// Events in the window.
    pub events_in_window: u64,
    /// Events in the window not behind any entry.
    pub left_out: u64,
}

struct Candidate {
    first: EventRow,
    last: Option<EventRow>,
    count: u64,
    statements_only: bool,
    quality: Quality,
    hosts: BTreeSet<String>,
    services: BTreeSet<String>,
    sources: BTreeSet<String>,
    priority: u8,
}

impl Candidate {
    fn new(event: EventRow, priority: u8) -> Candidate {
        let mut c = Candidate {
            quality: event.time_quality,
            hosts: BTreeSet::new(),
            services: BTreeSet::new(),
            sources: BTreeSet::new(),
            statements_only: true,
            first: event.clone(),
            last: None,
            count: 0,
            priority,
        };
        c.absorb(event);
        c
    }

    fn absorb(&mut self, event: EventRow) {
        self.count += 1;
        self.statements_only &= is_statement(&event);
        self.quality.insert(event.time_quality);
        if let Some(h) = &event.host {
            self.hosts.insert(h.clone());
        }
        if let Some(s) = &event.service {
            self.services.insert(s.clone());
        }
        self.sources.insert(event.source.clone());
        if self.count > 1 {
            self.last = Some(event);
        }
    }

    fn last_time(&self) -> i64 {
        self.last.as_ref().map_or(self.first.time, |e| e.time)
    }
}

static STATE_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(deploy(ed|ing|ment)?|release[ds]?|roll(ed|ing)?[ -]?back|rollback|revert(ed|ing)?|restart(ed|ing)?|reboot(ed|ing)?|fail(ed|ing)?[ -]?over|promot(ed|ing)|config(uration)?[ -](change[ds]?|reload(ed)?|updated?)|reload(ed|ing)|scal(ed|ing) (up|down|out|in)|shut(ting)?[ -]?down|stopp(ed|ing)|start(ed|ing) up|drain(ed|ing)|circuit[ -]breaker|feature[ -]flag|migrat(ed|ing|ion)|maintenance|recover(ed|ing|y)|restored|back to normal|healthy|resolved|acknowledged|paged|escalat(ed|ing))\b",
    )
    .expect("state-change pattern is valid")
});

fn level_rank(level: Option<&str>) -> u8 {
    match level {
        Some("critical") => 4,
        Some("error") => 3,
        Some("warn") => 2,
        _ => 0,
    }
}

/// Why an event is worth a line, as a priority (0 = chatter).
fn priority(event: &EventRow) -> u8 {
    if event.chatter {
        return 0;
    }
    if event.kind != "log" {
        return 5;
    }
    let level = level_rank(event.level.as_deref());
    if level >= 3 {
        return level;
    }
    if STATE_CHANGE.is_match(first_line(&event.message)) {
        return 2;
    }
    level.min(1)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn shorten(text: &str) -> String {
    let line = first_line(text).trim();
    if line.chars().count() <= MAX_SUMMARY_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_SUMMARY_CHARS - 1).collect();
    format!("{cut}…")
}

struct PhaseRule {
    phase: Phase,
    pattern: Regex,
}

static PHASE_RULES: LazyLock<Vec<PhaseRule>> = LazyLock::new(|| {
    let rule = |phase, pattern: &str| PhaseRule {
        phase,
        pattern: Regex::new(pattern).expect("phase pattern is valid"),
    };
    // First match wins: a rollback is mitigation even though it is also a
    // deploy, and a recovery message is recovery even if logged at warn.
    vec![
        rule(
            Phase::Resolution,
            r"(?i)\b(resolved|incident (is )?(closed|over)|all clear)\b",
        ),
        rule(
            Phase::Mitigation,
            r"(?i)\b(roll(ed|ing)?[ -]?back|rollback|revert(ed|ing)?|restart(ed|ing)?|reboot(ed|ing)?|fail(ed|ing)?[ -]?over|scal(ed|ing) (up|out)|drain(ed|ing)|mitigat(ed|ing|ion)|disabl(ed|ing) (the )?(feature|flag))\b",
        ),
        rule(
            Phase::Recovery,
            r"(?i)\b(recover(ed|ing|y)|restored|back to normal|(is|are|became|now) healthy|health ?check(s)? (passed|ok|green)|resumed)\b",
        ),
        rule(
            Phase::Impact,
            r"(?i)\b(degraded|unavailable|outage|timed? ?out|unreachable|health ?check(s)? fail(ed|ing)?)\b",
        ),
        rule(
            Phase::Escalation,
            r"(?i)\b(acknowledged|escalat(ed|ing)|paged|on-?call)\b",
        ),
        rule(Phase::Detection, r"(?i)\b(alert|firing|triggered)\b"),
        rule(
            Phase::Trigger,
            r"(?i)\b(deploy(ed|ing|ment)?|release[ds]?|config(uration)?[ -](change[ds]?|reload(ed)?|updated?)|migrat(ed|ing|ion)|feature[ -]flag)\b",
        ),
    ]
});

fn phase_of(entry: &Entry) -> Phase {
    if let Some(rule) = PHASE_RULES
        .iter()
        .find(|r| r.pattern.is_match(&entry.summary))
    {
        return rule.phase;
    }
    match entry.kind.as_str() {
        "alert" => Phase::Detection,
        "chat" => Phase::Diagnosis,
        _ if level_rank(entry.level.as_deref()) >= 2 => Phase::Impact,
        _ => Phase::Context,
    }
}

/// Whether an event only records what someone said (a chat message, a
/// ticket comment, a paging-tool note) rather than something a system
/// recorded happening.
fn is_statement(event: &EventRow) -> bool {
    let flagged = |k| event.attribute(k) == Some("true");
    (event.kind == "chat" && event.human != Some(false))
        || flagged("comment")
        || flagged("statement")
}

fn verification(statements_only: bool, sources: usize) -> Verification {
    if sources >= 2 {
        Verification::Corroborated
    } else if statements_only {
        Verification::Reported
    } else {
        Verification::Verified
    }
}

fn evidence(event: &EventRow, people: &mut People) -> Evidence {
    Evidence {
        source: event.source.clone(),
        sha256: event.sha256.clone(),
        line: event.line,
        locator: event.locator.clone(),
        excerpt: people.redact(&shorten(&event.message), event.time),
        event_id: event.id,
    }
}

/// Before the first sign of an incident there is usually its cause (a
/// deploy, a config change): the derived window starts this much earlier.
const WINDOW_LEAD_MICROS: i64 = 60 * 60 * 1_000_000;
/// And it ends this much after the last activity, to catch recovery.
const WINDOW_TAIL_MICROS: i64 = 30 * 60 * 1_000_000;

/// Builds the timeline from the stored events.
pub fn build(store: &Store, config: &TimelineConfig) -> Result<Timeline> {
    let derived = match (config.from, config.to) {
        (Some(_), Some(_)) => None,
        _ => store.activity_span()?,
    };
    // Derived bounds fall on whole minutes: a window is read by people.
    const MINUTE: i64 = 60_000_000;
    let filter =
        EventFilter {
            from: config
                .from
                .or(derived.map(|(a, _)| (a - WINDOW_LEAD_MICROS).div_euclid(MINUTE) * MINUTE)),
            to: config.to.or(derived
                .map(|(_, b)| (b + WINDOW_TAIL_MICROS + MINUTE - 1).div_euclid(MINUTE) * MINUTE)),
        };
    let mut people = People::new(config.names);
    for shift in store.shifts()? {
        people.add_shift(&shift);
    }
    let mut open: HashMap<i64, Candidate> = HashMap::new();
    let mut done: Vec<Candidate> = Vec::new();
    let mut in_window = 0u64;
    let mut span: Option<(i64, i64)> = None;
    store.each_event(&filter, |event| {
        in_window += 1;
        people.add_event(&event);
        span = Some(span.map_or((event.time, event.time), |(a, _)| (a, event.time)));
        let p = priority(&event);
        if p == 0 {
            return Ok(());
        }
        // Only machine log lines collapse: two chat messages that look alike
        // are still two things people said.
        if event.kind != "log" {
            done.push(Candidate::new(event, p));
            return Ok(());
        }
        match open.get_mut(&event.template_id) {
            Some(c) if event.time - c.last_time() <= BURST_GAP_MICROS => c.absorb(event),
            _ => {
                if let Some(old) = open.insert(event.template_id, Candidate::new(event, p)) {
                    done.push(old);
                }
            }
        }
        Ok(())
    })?;
    done.extend(open.into_values());

    // Over the limit, the least important candidates go first.
    done.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.first.time.cmp(&b.first.time))
            .then(a.first.source.cmp(&b.first.source))
            .then(a.first.seq.cmp(&b.first.seq))
    });
    done.truncate(config.max_entries);
    done.sort_by(|a, b| {
        (a.first.time, &a.first.source, a.first.seq).cmp(&(
            b.first.time,
            &b.first.source,
            b.first.seq,
        ))
    });

    let covered: u64 = done.iter().map(|c| c.count).sum();
    let entries: Vec<Entry> = done
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut ev = vec![evidence(&c.first, &mut people)];
            if let Some(last) = &c.last {
                ev.push(evidence(last, &mut people));
            }
            let mut entry = Entry {
                id: i + 1,
                time: c.first.time,
                last_time: c.last.as_ref().map(|e| e.time),
                occurrences: c.count,
                phase: Phase::Context,
                kind: c.first.kind.clone(),
                level: c.first.level.clone(),
                summary: people.redact(&shorten(&c.first.message), c.first.time),
                actor: people.actor(&c.first),
                verification: verification(c.statements_only, c.sources.len()),
                time_quality: c.quality,
                hosts: c.hosts.into_iter().collect(),
                services: c.services.into_iter().collect(),
                evidence: ev,
            };
            entry.phase = phase_of(&entry);
            entry
        })
        .collect();
    let mut entries = entries;
    narrow_triggers(&mut entries);
    let key_times = key_times(&entries);
    Ok(Timeline {
        window_start: filter.from.or(span.map(|s| s.0)),
        window_end: filter.to.or(span.map(|s| s.1)),
        window_given: config.from.is_some() || config.to.is_some(),
        entries,
        key_times,
        events_in_window: in_window,
        left_out: in_window - covered,
    })
}

/// Changes within this span of the last change before impact belong to it
/// (a deploy's start and finish).
const TRIGGER_SPAN_MICROS: i64 = 5 * 60 * 1_000_000;

/// Only the change closest before impact begins is the trigger; earlier and
/// later changes are context (a later deploy that is no rollback is not
/// what set the incident off).
fn narrow_triggers(entries: &mut [Entry]) {
    let impact = entries
        .iter()
        .find(|e| e.phase == Phase::Impact)
        .map(|e| e.time);
    let last_change = entries
        .iter()
        .filter(|e| e.phase == Phase::Trigger && impact.is_none_or(|i| e.time <= i))
        .map(|e| e.time)
        .max();
    for e in entries.iter_mut().filter(|e| e.phase == Phase::Trigger) {
        let belongs = last_change.is_some_and(|t| e.time <= t && t - e.time <= TRIGGER_SPAN_MICROS);
        if !belongs {
            e.phase = Phase::Context;
        }
    }
}

/// Stores a timeline (DESIGN §11) under the options that produced it,
/// replacing the rows an earlier build with the same options left, so
/// `timeline`, `audit` and users' SQL read the same facts.
pub fn save(store: &mut Store, t: &Timeline, config: &TimelineConfig) -> Result<()> {
    let options = serde_json::json!({
        "from": config.from,
        "to": config.to,
        "names": config.names,
        "max_entries": config.max_entries,
    })
    .to_string();
    store.in_transaction(|tx| {
        let old: Option<i64> = tx
            .query_row("SELECT id FROM timeline_runs WHERE options = ?1", [&options], |r| r.get(0))
            .optional()?;
        if let Some(run) = old {
            for table in ["timeline_evidence", "timeline_key_times", "timeline_entries"] {
                tx.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [run])?;
            }
            tx.execute("DELETE FROM timeline_runs WHERE id = ?1", [run])?;
        }
        tx.execute(
            "INSERT INTO timeline_runs (options, generator, window_start, window_end, events_in_window, left_out) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                options,
                format!("factline {}", env!("CARGO_PKG_VERSION")),
                t.window_start,
                t.window_end,
                t.events_in_window as i64,
                t.left_out as i64
            ],
        )?;
        let run = tx.last_insert_rowid();
        let mut entry = tx.prepare(
            "INSERT INTO timeline_entries (run_id, id, time, last_time, occurrences, phase, kind, level, summary, \
             actor, verification, time_quality) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut evidence = tx.prepare(
            "INSERT INTO timeline_evidence (run_id, entry_id, ordinal, event_id) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for e in &t.entries {
            entry.execute(params![
                run,
                e.id as i64,
                e.time,
                e.last_time,
                e.occurrences as i64,
                e.phase.as_str(),
                e.kind,
                e.level,
                e.summary,
                e.actor,
                e.verification.as_str(),
                e.time_quality.to_text(),
            ])?;
            for (i, ev) in e.evidence.iter().enumerate() {
                evidence.execute(params![run, e.id as i64, i as i64, ev.event_id])?;
            }
        }
        let k = &t.key_times;
        for (name, kt) in [
            ("impact_start", k.impact_start),
            ("detected", k.detected),
            ("acknowledged", k.acknowledged),
            ("mitigated", k.mitigated),
            ("resolved", k.resolved),
        ] {
            if let Some(kt) = kt {
                tx.execute(
                    "INSERT INTO timeline_key_times (run_id, name, time, entry_id) VALUES (?1, ?2, ?3, ?4)",
                    params![run, name, kt.time, kt.entry as i64],
                )?;
            }
        }
        Ok(())
    })
}

fn key_times(entries: &[Entry]) -> KeyTimes {
    let first = |pred: &dyn Fn(&Entry) -> bool| {
        entries.iter().find(|e| pred(e)).map(|e| KeyTime {
            time: e.time,
            entry: e.id,
        })
    };
    let impact_start = first(&|e| e.phase == Phase::Impact);
    let after_impact = |e: &Entry| impact_start.is_none_or(|k| e.time >= k.time);
    let acknowledged = first(&|e| {
        e.phase == Phase::Escalation && e.summary.to_ascii_lowercase().contains("acknowledg")
    });
    KeyTimes {
        detected: first(&|e| e.phase == Phase::Detection && after_impact(e)),
        acknowledged,
        mitigated: first(&|e| e.phase == Phase::Recovery && after_impact(e)),
        resolved: first(&|e| e.phase == Phase::Resolution && after_impact(e)),
        impact_start,
    }
}

/// A duration as post-mortems write it: `45s`, `3m30s`, `1h02m`, `2d3h`.
pub fn format_duration(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let s = micros.unsigned_abs() / 1_000_000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let body = if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{sec:02}s")
    } else {
        format!("{sec}s")
    };
    format!("{sign}{body}")
}

/// The durations of DESIGN §5, measured from impact start.
pub fn durations(k: &KeyTimes) -> BTreeMap<&'static str, Option<String>> {
    let since = |t: &Option<KeyTime>| match (k.impact_start, t) {
        (Some(start), Some(t)) => Some(format_duration(t.time - start.time)),
        _ => None,
    };
    BTreeMap::from([
        ("ttd", since(&k.detected)),
        ("tta", since(&k.acknowledged)),
        ("ttm", since(&k.mitigated)),
        ("ttr", since(&k.resolved)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_post_mortem() {
        assert_eq!(format_duration(45_000_000), "45s");
        assert_eq!(format_duration(210_000_000), "3m30s");
        assert_eq!(format_duration(3_720_000_000), "1h02m");
        assert_eq!(format_duration(-60_000_000), "-1m00s");
        assert_eq!(format_duration(97_200_000_000), "1d3h");
    }
}
