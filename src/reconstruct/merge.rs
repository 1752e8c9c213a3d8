//! Merging: candidates that several systems recorded of one happening
//! become one entry citing all of them.

use std::collections::BTreeSet;

use super::candidate::{citation_of, shorten, verification, Candidate};
use super::people::People;
use super::phases::Nature;
use super::place::EntryFacts;
use crate::model::{Entry, Phase, Quality};
use crate::notable::first_line;

/// Happenings seen by several systems within this span can be one.
const MERGE_WINDOW_MICROS: i64 = 3 * 60 * 1_000_000;

/// Several candidates that are one happening, seen by several systems.
pub(super) struct Group {
    members: Vec<Candidate>,
}

impl Group {
    /// The member that speaks for the happening: machine records before
    /// statements, alerts and deploys before logs, then the earliest.
    pub(super) fn lead(&self) -> &Candidate {
        self.members
            .iter()
            .min_by_key(|c| (c.statements_only, kind_rank(&c.first.kind), c.order_key()))
            .unwrap_or(&self.members[0])
    }

    pub(super) fn priority(&self) -> u8 {
        self.members.iter().map(|c| c.priority).max().unwrap_or(0)
    }

    pub(super) fn events(&self) -> u64 {
        self.members.iter().map(|c| c.count + c.copy_count).sum()
    }

    pub(super) fn sources(&self) -> BTreeSet<&str> {
        self.members
            .iter()
            .flat_map(|c| c.sources.iter().map(String::as_str))
            .collect()
    }

    /// What reconstruction knows of the happening beyond its entry.
    pub(super) fn facts(&self) -> EntryFacts {
        let lead = self.lead();
        EntryFacts {
            nature: lead.nature.clone(),
            template: (lead.first.kind == "log").then(|| lead.first.template.clone()),
            rate: lead.rate,
            statement: self.members.iter().all(|c| c.statements_only),
            writer_zone: lead.first.attribute("tz").map(str::to_string),
            writer: lead.first.actor.clone(),
        }
    }

    pub(super) fn into_entry(self, id: usize, people: &mut People) -> Entry {
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
        // The lead's actor only: the row reads "actor: summary", and a
        // machine record's words are nobody's statement. A person who said
        // the same is cited among the evidence.
        let actor = people.actor(&lead.first);
        Entry {
            id,
            time: lead.first.time,
            last_time: lead.until(),
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
            checks: Vec::new(),
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

/// The first line and service of a happening in lower case, with the
/// spellings of a rollback made one: what its wording is compared on.
fn text(c: &Candidate) -> String {
    format!(
        "{} {}",
        first_line(&c.first.message),
        c.first.service.as_deref().unwrap_or("")
    )
    .to_lowercase()
    .replace("rolling back", "rollback")
    .replace("rolled back", "rollback")
    .replace("roll back", "rollback")
}

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|ch: char| !(ch.is_alphanumeric() || ch == '.'))
        .map(|w| w.trim_matches('.'))
}

/// Words of a happening for comparing wording across systems: lower case,
/// without stop words, with the spellings of a rollback made one.
pub(super) fn words(c: &Candidate) -> BTreeSet<String> {
    const STOP: [&str; 16] = [
        "a", "an", "the", "to", "of", "on", "in", "at", "is", "now", "for", "and", "by", "from",
        "with", "we",
    ];
    tokens(&text(c))
        .filter(|w| w.len() > 1 && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

/// Where in its life a record puts the thing it is about (an alert
/// triggered, acknowledged, resolved; a change started, finished): two
/// records at different stages are two happenings, whatever they share.
const STAGES: [(&str, &[&str]); 9] = [
    ("trigger", &["triggered", "trigger", "firing", "fired"]),
    (
        "acknowledge",
        &["acknowledged", "acknowledge", "ack", "acked"],
    ),
    ("escalate", &["escalated", "escalate"]),
    ("assign", &["assigned", "reassigned"]),
    ("notify", &["notified", "paged"]),
    ("open", &["opened", "created", "declared", "filed"]),
    ("start", &["started", "starting", "began"]),
    ("finish", &["finished", "completed", "succeeded"]),
    ("resolve", &["resolved", "resolve", "closed", "recovered"]),
];

/// What was done to a system.
const ACTIONS: [(&str, &[&str]); 6] = [
    ("rollback", &["rollback", "revert", "reverted", "reverting"]),
    ("restart", &["restart", "restarted", "restarting"]),
    ("failover", &["failover", "failed-over"]),
    ("scale", &["scale", "scaled", "scaling"]),
    ("disable", &["disable", "disabled"]),
    ("enable", &["enable", "enabled"]),
];

/// The stages and actions a happening's wording names.
fn acts(c: &Candidate) -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let text = text(c);
    let named = |table: &[(&'static str, &[&str])]| {
        tokens(&text)
            .filter_map(|w| {
                table
                    .iter()
                    .find(|(_, spellings)| spellings.contains(&w))
                    .map(|(act, _)| *act)
            })
            .collect::<BTreeSet<_>>()
    };
    (named(&STAGES), named(&ACTIONS))
}

/// Whether two happenings are the same kind of act (`Some(true)`), plainly
/// different acts (`Some(false)`), or their wording does not say.
fn same_act(a: &Candidate, b: &Candidate) -> Option<bool> {
    let ((sa, aa), (sb, ab)) = (acts(a), acts(b));
    let differ =
        |x: &BTreeSet<&str>, y: &BTreeSet<&str>| !x.is_empty() && !y.is_empty() && x.is_disjoint(y);
    if differ(&sa, &sb) || differ(&aa, &ab) {
        return Some(false);
    }
    let share = |x: &BTreeSet<&str>, y: &BTreeSet<&str>| !x.is_disjoint(y);
    (share(&sa, &sb) || share(&aa, &ab)).then_some(true)
}

/// Two chat messages by different people are two things said, however
/// alike ("hola valerio!" – "hola! soy valerio!"); one message delivered
/// twice (overlapping pages of an export) has one author.
fn different_speakers(a: &Candidate, b: &Candidate) -> bool {
    let said = |c: &Candidate| c.first.kind == "chat" && c.statements_only;
    said(a) && said(b) && a.first.actor != b.first.actor
}

/// How strongly two candidates from different systems look like one
/// happening (0 = not at all): close in time, same phase, not plainly
/// different acts, and either mostly the same words or a shared
/// identifier with the same kind of act. An identifier alone is not
/// enough: the paging incident number is in every record of the incident
/// (the ticket opened about it, the acknowledgement, the notes). Two
/// records of one source are never merged: a source that says something
/// twice means twice.
fn likeness(a: &Candidate, b: &Candidate) -> usize {
    if !a.sources.is_disjoint(&b.sources)
        || (a.first.time - b.first.time).abs() > MERGE_WINDOW_MICROS
        || !same_phase(a, b)
    {
        return 0;
    }
    let act = same_act(a, b);
    if act == Some(false) || different_speakers(a, b) {
        return 0;
    }
    let (wa, wb) = (words(a), words(b));
    let shared: Vec<&String> = wa.intersection(&wb).collect();
    let fewer = wa.len().min(wb.len());
    // Two programs' log lines share wording by accident ("connection
    // refused" from a replica and from its clients): they are one
    // happening when one line says nothing the other does not (the same
    // line shipped twice, through a file and a log platform), or when
    // they also share a particular, a word with a digit (the pid and size
    // of one killed process, seen by the kernel and the orchestrator).
    let both_logs = a.first.kind == "log" && b.first.kind == "log";
    let particular = || {
        shared
            .iter()
            .any(|w| w.len() >= 3 && w.bytes().any(|b| b.is_ascii_digit()))
    };
    let alike = shared.len() >= 2 && shared.len() * 2 >= fewer;
    let similar = alike && (!both_logs || shared.len() == fewer || particular());
    let shared = shared.len();
    if similar || (act == Some(true) && !a.identifiers.is_disjoint(&b.identifiers)) {
        1 + shared
    } else {
        0
    }
}

/// Whether two candidates can be one happening by phase. A change's phase
/// (trigger or mitigation) is only known once the impact is placed, so it
/// goes with what people or tools said of a trigger or a mitigation.
fn same_phase(a: &Candidate, b: &Candidate) -> bool {
    let is_change = |c: &Candidate| matches!(c.nature, Nature::Change(_));
    let acts = |c: &Candidate| matches!(c.phase, Phase::Trigger | Phase::Mitigation);
    match (is_change(a), is_change(b)) {
        (true, true) => true,
        (true, false) => acts(b),
        (false, true) => acts(a),
        (false, false) => a.phase == b.phase && a.phase != Phase::Context,
    }
}

/// Groups candidates (in time order) that are one happening: each joins
/// the recent group it most resembles, if any.
pub(super) fn merge(candidates: Vec<Candidate>) -> Vec<Group> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventRow;

    fn candidate(source: &str, kind: &str, second: i64, message: &str) -> Candidate {
        let event = EventRow {
            id: Some(1),
            source_id: 1,
            source: source.into(),
            sha256: String::new(),
            parser: String::new(),
            seq: 0,
            time: second * 1_000_000,
            time_quality: Default::default(),
            line: None,
            locator: String::new(),
            kind: kind.into(),
            level: None,
            actor: None,
            host: None,
            service: None,
            message: message.into(),
            template_id: 0,
            template: String::new(),
            system: None,
            human: None,
            chatter: false,
            identifiers: vec![],
            attributes: Default::default(),
        };
        let mut c = Candidate::new(event, 5, &[]);
        // The phase rules are not under test: all are one phase here.
        c.phase = Phase::Escalation;
        c.nature = Nature::Other;
        c
    }

    fn groups(candidates: Vec<Candidate>) -> Vec<usize> {
        merge(candidates).iter().map(|g| g.members.len()).collect()
    }

    #[test]
    fn a_shared_incident_number_with_a_different_act_is_two_happenings() {
        let ack = || candidate("pd.json", "alert", 0, "Acknowledged by Primary [#4711]");
        let issue = candidate(
            "gh.json",
            "ticket",
            55,
            "acme/gw#318 opened: TLS errors (PagerDuty #4711)",
        );
        assert_eq!(groups(vec![ack(), issue]), [1, 1]);
        // An identifier alone, with no act named, is not enough either.
        let note = candidate(
            "notes.json",
            "alert",
            30,
            "Note: gw-2 cert is the culprit (#4711)",
        );
        assert_eq!(groups(vec![ack(), note]), [1, 1]);
        // The same act in two systems is one happening.
        let chat_ack = candidate("chat.json", "chat", 20, "acked #4711");
        assert_eq!(groups(vec![ack(), chat_ack]), [2]);
    }

    #[test]
    fn two_people_saying_alike_things_are_two_statements() {
        let said = |source: &str, who: &str, text: &str| {
            let mut c = candidate(source, "chat", 0, text);
            c.first.actor = Some(who.into());
            c
        };
        let one = said("page1.json", "valerio", "hola! soy valerio!");
        let other = said("page2.json", "pieter", "hola valerio! soy pieter");
        assert_eq!(groups(vec![one, other]), [1, 1]);
        let page1 = said("page1.json", "valerio", "hola! soy valerio!");
        let page2 = said("page2.json", "valerio", "hola! soy valerio!");
        assert_eq!(groups(vec![page1, page2]), [2]);
    }

    #[test]
    fn two_programs_lines_alike_by_accident_are_two_happenings() {
        let replica = || {
            candidate(
                "redis-1.log",
                "log",
                0,
                "Error condition on socket for SYNC: Connection refused",
            )
        };
        let client = candidate("checkout.log", "log", 2, "redis: connection refused");
        assert_eq!(groups(vec![replica(), client]), [1, 1]);
        // The same line through another path, or one fact with its
        // particulars seen by two programs, is one happening.
        let shipped = candidate(
            "loki.json",
            "log",
            1,
            "Error condition on socket for SYNC: Connection refused",
        );
        assert_eq!(groups(vec![replica(), shipped]), [2]);
        let kernel = candidate(
            "journal.json",
            "log",
            0,
            "Out of memory: Killed process 4000 (java) total-vm:4194304kB, anon-rss:2097152kB",
        );
        let orchestrator = candidate("events.json", "log", 1, "Warning OOMKilling node/worker-1: Memory cgroup out of memory: Killed process 4000 (java) total-vm:4194304kB");
        assert_eq!(groups(vec![kernel, orchestrator]), [2]);
    }

    #[test]
    fn a_start_is_not_a_finish() {
        let finished = candidate("deploys.log", "log", 0, "rollback finished version=2.13.4");
        let started = candidate("chat.json", "chat", 10, "Rollback to 2.13.4 started");
        assert_eq!(groups(vec![finished, started]), [1, 1]);
        let finished = candidate("deploys.log", "log", 0, "rollback finished version=2.13.4");
        let done = candidate("chat.json", "chat", 10, "Rollback to 2.13.4 finished");
        assert_eq!(groups(vec![finished, done]), [2]);
    }
}
