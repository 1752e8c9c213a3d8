//! A candidate entry: one notable event, or a burst of one template,
//! with what the entry will cite and show.

use std::collections::{BTreeSet, HashMap};

use factline_parsers::time::TimeValue;

use super::people::People;
use super::phases::{classify, Nature, PhaseRule};
use crate::model::{Citation, Phase, Quality, Verification};
use crate::notable::{self, first_line};
use crate::store::EventRow;

/// Repeats of one template further apart than this start a new burst.
pub(super) const BURST_GAP_MICROS: i64 = 15 * 60 * 1_000_000;

/// Longest summary and excerpt shown, in characters.
const MAX_SUMMARY_CHARS: usize = 200;

pub(super) struct Candidate {
    pub(super) first: EventRow,
    pub(super) last: Option<EventRow>,
    pub(super) count: u64,
    /// The last repeat a record reports of itself (see [`repeats`]).
    pub(super) repeated_until: Option<i64>,
    pub(super) statements_only: bool,
    pub(super) quality: Quality,
    pub(super) hosts: BTreeSet<String>,
    pub(super) services: BTreeSet<String>,
    pub(super) sources: BTreeSet<String>,
    pub(super) identifiers: BTreeSet<String>,
    /// The same record found in other files.
    pub(super) copies: Vec<EventRow>,
    /// A rate change this entry marks: events per minute before and after.
    pub(super) rate: Option<(u64, u64)>,
    /// The copy of the burst's last event, and how many copies in all.
    pub(super) last_copy: Option<EventRow>,
    pub(super) copy_count: u64,
    pub(super) phase: Phase,
    /// What the lead record says it is (see [`Nature`]).
    pub(super) nature: Nature,
    pub(super) priority: u8,
}

impl Candidate {
    pub(super) fn new(event: EventRow, priority: u8, rules: &[PhaseRule]) -> Candidate {
        let (phase, nature) = classify(&event, is_statement(&event), rules);
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
            phase,
            nature,
            statements_only: true,
            first: event.clone(),
            last: None,
            count: 0,
            repeated_until: None,
            priority,
        };
        c.absorb(event);
        c
    }

    pub(super) fn absorb(&mut self, event: EventRow) {
        let (times, until) = repeats(&event);
        self.count += times;
        self.repeated_until = self.repeated_until.max(until);
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
        if self.last.is_none() && self.count == times {
            self.identifiers
                .extend(identifiers(&event.identifiers, &event.message));
        }
        if self.count > times {
            self.last = Some(event);
        }
    }

    pub(super) fn last_time(&self) -> i64 {
        let last = self.last.as_ref().map_or(self.first.time, |e| e.time);
        self.repeated_until.map_or(last, |until| until.max(last))
    }

    /// The last occurrence when there is more than one.
    pub(super) fn until(&self) -> Option<i64> {
        (self.last.is_some() || self.repeated_until.is_some()).then(|| self.last_time())
    }

    /// Timeline order: time, then source, then position in the source.
    pub(super) fn order_key(&self) -> (i64, &str, i64) {
        (self.first.time, &self.first.source, self.first.seq)
    }
}

/// How many occurrences a record stands for, and the last of them:
/// Kubernetes folds an event's repeats into one object (`count`, and the
/// `last_seen` time), which is that many back-offs, not one. A watch
/// stream's update of an object counts one more (its own record is the
/// latest), and a last repeat is a burst's end only when the repeats came
/// as often as a burst's lines do (three probe failures over four hours
/// are no burst). Other records are one occurrence: a log's own `count`
/// field counts something else.
fn repeats(event: &EventRow) -> (u64, Option<i64>) {
    if event.system.as_deref() != Some("Kubernetes") || event.attribute("watch_update").is_some() {
        return (1, None);
    }
    let count = event
        .attribute("count")
        .and_then(|c| c.parse::<u64>().ok())
        .filter(|&c| c > 1);
    let Some(count) = count else {
        return (1, None);
    };
    let until = event
        .attribute("last_seen")
        .and_then(|t| factline_parsers::time::parse_field(t, None))
        .and_then(|t| match t.value {
            TimeValue::Utc(at) => Some(at),
            _ => None,
        })
        .filter(|&at| {
            let gaps = i64::try_from(count - 1).unwrap_or(i64::MAX);
            at > event.time && (at - event.time) / gaps <= BURST_GAP_MICROS
        });
    (count, until)
}

pub(super) fn level_rank(level: Option<&str>) -> u8 {
    match level {
        Some("critical") => 4,
        Some("error") => 3,
        Some("warn") => 2,
        _ => 0,
    }
}

/// Why an event is worth a line, as a priority (0 = chatter).
pub(super) fn priority(event: &EventRow) -> u8 {
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

pub(super) fn shorten(text: &str) -> String {
    let line = first_line(text).trim();
    if line.chars().count() <= MAX_SUMMARY_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_SUMMARY_CHARS - 1).collect();
    format!("{cut}…")
}

/// Whether an event only records what someone said (a chat message, a
/// ticket comment, a paging-tool note) rather than something a system
/// recorded happening.
pub(super) fn is_statement(event: &EventRow) -> bool {
    let flagged = |k| event.attribute(k) == Some("true");
    (event.kind == "chat" && event.human != Some(false))
        || flagged("comment")
        || flagged("statement")
}

pub(super) fn verification(statements_only: bool, sources: usize) -> Verification {
    if sources >= 2 {
        Verification::Corroborated
    } else if statements_only {
        Verification::Reported
    } else {
        Verification::Verified
    }
}

/// How an entry cites one event: where it is and its (redacted) text.
pub fn citation_of(event: &EventRow, people: &mut People) -> Citation {
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
pub(super) fn identifiers(given: &[String], message: &str) -> Vec<String> {
    let mut all = given.to_vec();
    factline_parsers::identifiers::mentioned(message, &mut all, true);
    all.sort();
    all.dedup();
    all
}

/// Remembers recent log records by content to recognise the same record
/// arriving from another file.
#[derive(Default)]
pub(super) struct Copies {
    pub(super) recent: HashMap<(i64, String, Option<String>), (String, String)>,
    horizon: i64,
}

impl Copies {
    /// The template of the earlier record this one copies, if another
    /// source already gave the same time, message and host.
    pub(super) fn original(&mut self, event: &EventRow) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
