//! Merging: candidates that several systems recorded of one happening
//! become one entry citing all of them.

use std::collections::BTreeSet;

use super::candidate::{citation_of, shorten, verification, Candidate};
use super::people::People;
use super::phases::Nature;
use super::place::Facts;
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
    pub(super) fn facts(&self) -> Facts {
        let lead = self.lead();
        Facts {
            nature: lead.nature.clone(),
            template: (lead.first.kind == "log").then(|| lead.first.template.clone()),
            rate: lead.rate,
            statement: self.members.iter().all(|c| c.statements_only),
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

/// Words of a happening for comparing wording across systems: lower case,
/// without stop words, with the spellings of a rollback made one.
pub(super) fn words(c: &Candidate) -> BTreeSet<String> {
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
        || !same_phase(a, b)
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
