//! Reconstruction: from stored events to the entries of a post-mortem
//! timeline. Events are streamed in UTC order; notable ones (warnings and
//! worse, state changes, anything that is not a plain log line) become
//! entries, repeated log lines of one template collapse into bursts
//! (first / ×N / last), and everything else is counted as left out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use rusqlite::{params, OptionalExtension};

pub mod people;

use crate::error::Result;
use crate::ingest::notable::{self, first_line};
use crate::model::Quality;
use crate::model::{Citation, Entry, KeyTime, KeyTimes, Phase, Timeline, Verification, Zone};
use crate::store::{EventFilter, EventRow, Store};
use people::People;

/// Resolved timeline settings.
#[derive(Debug, Clone)]
pub struct TimelineConfig {
    /// Window start, UTC microseconds.
    pub from: Option<i64>,
    /// Window end, UTC microseconds.
    pub to: Option<i64>,
    /// Show names instead of roles.
    pub names: bool,
    /// Extra local-time column.
    pub local_zone: Option<Zone>,
    /// Most entries to keep.
    pub max_entries: usize,
    /// The user's phase rules (`--rules`), tried before the built-in ones.
    pub rules: Vec<crate::reconstruct::PhaseRule>,
}

/// Repeats of one template further apart than this start a new burst.
const BURST_GAP_MICROS: i64 = 15 * 60 * 1_000_000;

/// Longest summary and excerpt shown, in characters.
const MAX_SUMMARY_CHARS: usize = 200;

struct Candidate {
    first: EventRow,
    last: Option<EventRow>,
    count: u64,
    statements_only: bool,
    quality: Quality,
    hosts: BTreeSet<String>,
    services: BTreeSet<String>,
    sources: BTreeSet<String>,
    identifiers: BTreeSet<String>,
    /// The same record found in other files.
    copies: Vec<EventRow>,
    /// A rate change this entry marks: events per minute before and after.
    rate: Option<(u64, u64)>,
    /// The copy of the burst's last event, and how many copies in all.
    last_copy: Option<EventRow>,
    copy_count: u64,
    phase: Phase,
    priority: u8,
}

impl Candidate {
    fn new(event: EventRow, priority: u8, rules: &[PhaseRule]) -> Candidate {
        let mut c = Candidate {
            quality: event.time_quality,
            hosts: BTreeSet::new(),
            services: BTreeSet::new(),
            sources: BTreeSet::new(),
            identifiers: BTreeSet::new(),
            copies: Vec::new(),
            rate: None,
            last_copy: None,
            copy_count: 0,
            phase: phase_of(&event, rules),
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
        // A burst's identifiers are those of its first event.
        if self.count == 1 {
            self.identifiers
                .extend(identifiers(&event.identifiers, &event.message));
        }
        if self.count > 1 {
            self.last = Some(event);
        }
    }

    fn last_time(&self) -> i64 {
        self.last.as_ref().map_or(self.first.time, |e| e.time)
    }

    /// Timeline order: time, then source, then position in the source.
    fn order_key(&self) -> (i64, &str, i64) {
        (self.first.time, &self.first.source, self.first.seq)
    }
}

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
    if notable::message_states_change(&event.message) {
        return 2;
    }
    level.min(1)
}

fn shorten(text: &str) -> String {
    let line = first_line(text).trim();
    if line.chars().count() <= MAX_SUMMARY_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_SUMMARY_CHARS - 1).collect();
    format!("{cut}…")
}

/// One wording rule for phases (see `phase_rules.json`).
#[derive(Debug, Clone)]
pub struct PhaseRule {
    phase: Phase,
    pattern: Regex,
    kinds: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct RuleFile {
    rules: Vec<RawRule>,
}

#[derive(serde::Deserialize)]
struct RawRule {
    phase: String,
    pattern: String,
    kinds: Option<Vec<String>>,
}

/// Reads a phase-rules file; `name` names it in errors.
pub fn load_rules(name: &str, text: &str) -> std::result::Result<Vec<PhaseRule>, String> {
    let file: RuleFile =
        serde_json::from_str(text).map_err(|e| format!("rules file {name}: {e}"))?;
    file.rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let phase = Phase::parse(&r.phase).ok_or_else(|| {
                format!("rules file {name}: rules[{i}]: unknown phase {:?}", r.phase)
            })?;
            let pattern = Regex::new(&r.pattern)
                .map_err(|e| format!("rules file {name}: rules[{i}]: bad pattern: {e}"))?;
            Ok(PhaseRule {
                phase,
                pattern,
                kinds: r.kinds,
            })
        })
        .collect()
}

static BUILTIN_RULES: LazyLock<Vec<PhaseRule>> = LazyLock::new(|| {
    // Embedded and loaded by a unit test: a failure is a build defect.
    load_rules("phase_rules.json", include_str!("phase_rules.json"))
        .unwrap_or_else(|e| panic!("{e}"))
});

/// The user's rules first, then the built-in ones.
fn phase_rules(user: &[PhaseRule]) -> impl Iterator<Item = &PhaseRule> {
    user.iter().chain(BUILTIN_RULES.iter())
}

/// The phase of a happening from its wording, then its kind and level.
fn phase_of(event: &EventRow, rules: &[PhaseRule]) -> Phase {
    let text = first_line(&event.message);
    let applies = |r: &&PhaseRule| {
        r.kinds.as_ref().is_none_or(|k| k.contains(&event.kind)) && r.pattern.is_match(text)
    };
    if let Some(rule) = phase_rules(rules).find(applies) {
        return rule.phase;
    }
    match event.kind.as_str() {
        "alert" => Phase::Detection,
        "shift" => Phase::Escalation,
        "chat" => Phase::Diagnosis,
        _ if level_rank(event.level.as_deref()) >= 2 => Phase::Impact,
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

fn citation_of(event: &EventRow, people: &mut People) -> Citation {
    Citation {
        source: event.source.clone(),
        sha256: event.sha256.clone(),
        line: event.line,
        locator: event.locator.clone(),
        excerpt: people.redact(&shorten(&event.message), event.time),
        source_id: event.source_id,
        seq: event.seq,
        event_id: event.id,
    }
}

/// The identifiers an event carries, plus those its text mentions: what
/// lets the reconstruction merge the paging tool's incident, the chat post
/// about it and the ticket. Read here rather than at ingest, because only
/// the few notable events need them.
fn identifiers(given: &[String], message: &str) -> Vec<String> {
    let mut all = given.to_vec();
    factline_parsers::identifiers::mentioned(message, &mut all, true);
    all.sort();
    all.dedup();
    all
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
            // Routine log lines are only counted: reading them as rows would
            // cost most of the time on a large incident.
            notable_only: true,
        };
    let (in_window, span) = store.window_counts(&filter)?;
    let mut people = People::new(config.names);
    for shift in store.shifts()? {
        people.add_shift(&shift);
    }
    // Bursts by template text: the same shape in two sources is one
    // burst, whichever source mined it.
    let mut open: HashMap<String, Candidate> = HashMap::new();
    let mut done: Vec<Candidate> = Vec::new();
    let mut copies = Copies::default();
    store.each_event(&filter, |event| {
        people.add_event(&event);
        let p = priority(&event);
        if p == 0 {
            return Ok(());
        }
        // The same record in two files (overlapping rotated logs, a log
        // collected twice) is one happening with two pieces of evidence.
        if let Some(key) = copies.original(&event) {
            if let Some(c) = open.get_mut(&key).filter(|c| c.last_time() == event.time) {
                c.sources.insert(event.source.clone());
                c.copy_count += 1;
                // Cite the copies of the first and of the last occurrence,
                // not of every repeat in between.
                if c.count == 1 {
                    c.copies.push(event);
                } else {
                    c.last_copy = Some(event);
                }
                return Ok(());
            }
        }
        // Only machine log lines collapse: two chat messages that look alike
        // are still two things people said.
        if event.kind != "log" {
            done.push(Candidate::new(event, p, &config.rules));
            return Ok(());
        }
        match open.get_mut(&event.template) {
            Some(c) if event.time - c.last_time() <= BURST_GAP_MICROS => c.absorb(event),
            _ => {
                if let Some(old) = open.insert(
                    event.template.clone(),
                    Candidate::new(event, p, &config.rules),
                ) {
                    done.push(old);
                }
            }
        }
        Ok(())
    })?;
    done.extend(open.into_values());
    for jump in rate_jumps(&store.template_minutes(&filter)?) {
        let minute = jump.minute * MINUTE;
        if let Some(event) = store.first_of_template(&jump.template, minute, minute + MINUTE)? {
            // Already an entry of its own when its lines are notable.
            if done
                .iter()
                .any(|c| c.first.template == jump.template && c.first.time == event.time)
            {
                continue;
            }
            let mut c = Candidate::new(event, 2, &config.rules);
            c.rate = Some((jump.before, jump.after));
            done.push(c);
        }
    }
    done.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    let mut groups = merge(done);

    // Over the limit, the least important happenings go first.
    groups.sort_by(|a, b| {
        b.priority()
            .cmp(&a.priority())
            .then_with(|| a.lead().order_key().cmp(&b.lead().order_key()))
    });
    groups.truncate(config.max_entries);
    groups.sort_by(|a, b| a.lead().order_key().cmp(&b.lead().order_key()));

    let covered: u64 = groups.iter().map(Group::events).sum();
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| g.into_entry(i + 1, &mut people))
        .collect();
    narrow_triggers(&mut entries);
    let key_times = key_times(&entries);
    Ok(Timeline {
        window_start: filter.from.or(span.map(|s| s.0)),
        window_end: filter.to.or(span.map(|s| s.1)),
        window_given: config.from.is_some() || config.to.is_some(),
        entries,
        key_times,
        events_in_window: in_window,
        left_out: in_window.saturating_sub(covered),
    })
}

/// Remembers recent log records by content to recognise the same record
/// arriving from another file.
#[derive(Default)]
struct Copies {
    recent: HashMap<(i64, String, Option<String>), (String, String)>,
    horizon: i64,
}

impl Copies {
    /// The template of the earlier record this one copies, if another
    /// source already gave the same time, message and host.
    fn original(&mut self, event: &EventRow) -> Option<String> {
        if event.kind != "log" {
            return None;
        }
        // Events arrive in time order: older entries can never match again.
        if event.time > self.horizon {
            self.recent.retain(|(t, _, _), _| *t == event.time);
            self.horizon = event.time;
        }
        let key = (event.time, event.message.clone(), event.host.clone());
        match self.recent.get(&key) {
            Some((source, template)) if *source != event.source => Some(template.clone()),
            Some(_) => None,
            None => {
                self.recent
                    .insert(key, (event.source.clone(), event.template.clone()));
                None
            }
        }
    }
}

/// A template's rate change: a minute whose count is far above the
/// template's usual rate in the window.
#[derive(Debug, Clone, PartialEq)]
struct RateJump {
    template: String,
    minute: i64,
    before: u64,
    after: u64,
}

/// A rate jump needs at least this many events in its minute…
const JUMP_MIN_COUNT: u64 = 20;
/// …and this many times the template's median rate over its active minutes
/// (a template idle before counts as zero per minute).
const JUMP_FACTOR: u64 = 5;

/// Finds, per template, the first minute where its rate jumps: counts per
/// minute (template, minute, count) sorted by template then minute.
fn rate_jumps(minutes: &[(String, i64, u64)]) -> Vec<RateJump> {
    let mut out = Vec::new();
    for group in minutes.chunk_by(|a, b| a.0 == b.0) {
        let (first, last) = (group[0].1, group[group.len() - 1].1);
        let span = (last - first + 1) as usize;
        if span < 10 {
            continue;
        }
        // Median over the whole span, idle minutes counting as zero.
        let mut counts = vec![0u64; span];
        for (_, minute, n) in group {
            counts[(minute - first) as usize] = *n;
        }
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        let usual = sorted[span / 2];
        let threshold = JUMP_MIN_COUNT.max(usual.max(1) * JUMP_FACTOR);
        if let Some(at) = counts.iter().position(|n| *n >= threshold) {
            out.push(RateJump {
                template: group[0].0.clone(),
                minute: first + at as i64,
                before: usual,
                after: counts[at],
            });
        }
    }
    out
}

/// Happenings seen by several systems within this span can be one.
const MERGE_WINDOW_MICROS: i64 = 3 * 60 * 1_000_000;

/// Several candidates that are one happening, seen by several systems.
struct Group {
    members: Vec<Candidate>,
}

impl Group {
    /// The member that speaks for the happening: machine records before
    /// statements, alerts and deploys before logs, then the earliest.
    fn lead(&self) -> &Candidate {
        self.members
            .iter()
            .min_by_key(|c| (c.statements_only, kind_rank(&c.first.kind), c.order_key()))
            .unwrap_or(&self.members[0])
    }

    fn priority(&self) -> u8 {
        self.members.iter().map(|c| c.priority).max().unwrap_or(0)
    }

    fn events(&self) -> u64 {
        self.members.iter().map(|c| c.count + c.copy_count).sum()
    }

    fn sources(&self) -> BTreeSet<&str> {
        self.members
            .iter()
            .flat_map(|c| c.sources.iter().map(String::as_str))
            .collect()
    }

    fn into_entry(self, id: usize, people: &mut People) -> Entry {
        let sources = self.sources().len();
        let statements_only = self.members.iter().all(|c| c.statements_only);
        let lead = self.lead();
        let mut evidence = Vec::new();
        let mut quality = Quality::default();
        let mut hosts = BTreeSet::new();
        let mut services = BTreeSet::new();
        // The lead's evidence first, then the others' in time order.
        let lead_key = lead.order_key();
        let mut members: Vec<&Candidate> = self.members.iter().collect();
        members.sort_by_key(|c| (c.order_key() != lead_key, c.order_key()));
        for c in &members {
            evidence.push(citation_of(&c.first, people));
            evidence.extend(c.copies.iter().map(|e| citation_of(e, people)));
            if let Some(last) = &c.last {
                evidence.push(citation_of(last, people));
                // Only a copy of this very last event is cited with it.
                let copy = c.last_copy.as_ref().filter(|e| e.time == last.time);
                evidence.extend(copy.map(|e| citation_of(e, people)));
            }
            quality.insert(c.quality);
            hosts.extend(c.hosts.iter().cloned());
            services.extend(c.services.iter().cloned());
        }
        let actor = people.actor(&lead.first).or_else(|| {
            members
                .iter()
                .filter(|c| crate::reconstruct::people::is_person(&c.first))
                .find_map(|c| people.actor(&c.first))
        });
        Entry {
            id,
            time: lead.first.time,
            last_time: lead.last.as_ref().map(|e| e.time),
            occurrences: lead.count,
            phase: lead.phase,
            kind: lead.first.kind.clone(),
            level: lead.first.level.clone(),
            summary: match lead.rate {
                Some((before, after)) => format!(
                    "rate of \"{}\" changed from {before}/min to {after}/min",
                    shorten(&lead.first.template)
                ),
                None => people.redact(&shorten(&lead.first.message), lead.first.time),
            },
            actor,
            verification: verification(statements_only, sources),
            time_quality: quality,
            hosts: hosts.into_iter().collect(),
            services: services.into_iter().collect(),
            evidence,
        }
    }
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "alert" => 0,
        "deploy" => 1,
        "log" => 2,
        "ticket" => 3,
        "shift" => 4,
        _ => 5,
    }
}

/// Words of a happening for comparing wording across systems: lower case,
/// without stop words, with the spellings of a rollback made one.
fn words(c: &Candidate) -> BTreeSet<String> {
    const STOP: [&str; 16] = [
        "a", "an", "the", "to", "of", "on", "in", "at", "is", "now", "for", "and", "by", "from",
        "with", "we",
    ];
    let text = format!(
        "{} {}",
        first_line(&c.first.message),
        c.first.service.as_deref().unwrap_or("")
    )
    .to_lowercase()
    .replace("rolling back", "rollback")
    .replace("rolled back", "rollback")
    .replace("roll back", "rollback");
    text.split(|ch: char| !(ch.is_alphanumeric() || ch == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| w.len() > 1 && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

/// How strongly two candidates from different systems look like one
/// happening (0 = not at all): close in time, same phase, and a shared
/// identifier or mostly the same words, the shared words making the
/// stronger match. Two records of one source are never merged: a source
/// that says something twice means twice.
fn likeness(a: &Candidate, b: &Candidate) -> usize {
    if !a.sources.is_disjoint(&b.sources)
        || (a.first.time - b.first.time).abs() > MERGE_WINDOW_MICROS
        || a.phase != b.phase
        || a.phase == Phase::Context
    {
        return 0;
    }
    let (wa, wb) = (words(a), words(b));
    let shared = wa.intersection(&wb).count();
    let similar = shared >= 2 && shared * 2 >= wa.len().min(wb.len());
    if similar || !a.identifiers.is_disjoint(&b.identifiers) {
        1 + shared
    } else {
        0
    }
}

/// Groups candidates (in time order) that are one happening: each joins
/// the recent group it most resembles, if any.
fn merge(candidates: Vec<Candidate>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for c in candidates {
        let best = groups
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, g)| {
                g.members
                    .iter()
                    .any(|m| c.first.time - m.first.time <= MERGE_WINDOW_MICROS)
            })
            .filter(|(_, g)| g.members.iter().all(|m| m.sources.is_disjoint(&c.sources)))
            .map(|(i, g)| {
                (
                    g.members.iter().map(|m| likeness(m, &c)).max().unwrap_or(0),
                    i,
                )
            })
            .filter(|(score, _)| *score > 0)
            .max();
        match best {
            Some((_, at)) => groups[at].members.push(c),
            None => groups.push(Group { members: vec![c] }),
        }
    }
    groups
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
            "INSERT INTO timeline_evidence (run_id, entry_id, ordinal, source_id, seq, event_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
                evidence.execute(params![
                    run,
                    e.id as i64,
                    i as i64,
                    ev.source_id,
                    ev.seq,
                    ev.event_id
                ])?;
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
    fn builtin_rules_load_and_bad_rules_are_refused() {
        assert!(BUILTIN_RULES.len() > 5);
        let err = load_rules(
            "x.json",
            r#"{"rules": [{"phase": "lunch", "pattern": "x"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("x.json") && err.contains("lunch"), "{err}");
        let err = load_rules(
            "y.json",
            r#"{"rules": [{"phase": "impact", "pattern": "("}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("bad pattern"), "{err}");
    }

    #[test]
    fn identifiers_from_text_and_record() {
        assert_eq!(
            identifiers(
                &["alert-77".into()],
                "Opened OPS-1842 for #4412, see https://x.example/i/4412. UTF-8 is fine"
            ),
            ["#4412", "OPS-1842", "alert-77", "https://x.example/i/4412"]
        );
    }

    #[test]
    fn a_template_whose_rate_jumps_is_found_once() {
        let t = |m: i64, n: u64| ("GET <*> -> 200".to_string(), m, n);
        let mut minutes: Vec<_> = (0..30).map(|m| t(m, 3)).collect();
        minutes[20].2 = 60;
        minutes[21].2 = 70;
        let jumps = rate_jumps(&minutes);
        assert_eq!(jumps.len(), 1);
        assert_eq!(
            (jumps[0].minute, jumps[0].before, jumps[0].after),
            (20, 3, 60)
        );
        // Steady traffic, or a short-lived template, has none.
        assert!(rate_jumps(&(0..30).map(|m| t(m, 40)).collect::<Vec<_>>()).is_empty());
        assert!(rate_jumps(&[t(0, 500), t(1, 500)]).is_empty());
    }

    #[test]
    fn durations_read_like_a_post_mortem() {
        assert_eq!(format_duration(45_000_000), "45s");
        assert_eq!(format_duration(210_000_000), "3m30s");
        assert_eq!(format_duration(3_720_000_000), "1h02m");
        assert_eq!(format_duration(-60_000_000), "-1m00s");
        assert_eq!(format_duration(97_200_000_000), "1d3h");
    }
}
