//! Reviewers' curation (docs/output.md#review): turning a request into a
//! stored action (`act`), and applying the stored actions to a freshly
//! built timeline (`apply`), which every output does. Actions attach to
//! stable entry keys ([`key`]), so they outlive rebuilt timelines.

pub mod key;

use std::collections::{BTreeMap, HashMap};

use factline_parsers::time::format_utc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::parse_cli_time;
use crate::error::Result;
use crate::model::{
    ActionKind, Curation, Entry, EntryReview, Hidden, Note, Phase, Quality, ReviewAction, Timeline,
    Verification, Zone,
};
use crate::reconstruct::{citation_of, people::People};
use crate::store::{EventFilter, EventRow, Store};

/// Longest text a reviewer may store in one field, in characters.
const MAX_TEXT: usize = 4000;

/// A review action as asked for (`POST /api/review`, `factline review`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// `hide`, `restore`, `edit`, `note`, `pin` or `add`.
    pub action: String,
    /// The entry acted on.
    pub key: Option<String>,
    /// The event to pin (an `id` from the events listing).
    pub event: Option<String>,
    /// New summary (`edit`).
    pub summary: Option<String>,
    /// New phase (`edit`, `add`, `pin`).
    pub phase: Option<String>,
    /// The added entry's time: RFC 3339, or naive in `zone`.
    pub time: Option<String>,
    /// Zone for a naive `time` (IANA name, UTC or an offset).
    pub zone: Option<String>,
    /// A note's text, or the added entry's.
    pub text: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// The entry's version the reviewer saw; a newer one refuses the action.
    pub version: Option<i64>,
}

/// Why an action was not stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The request is malformed or incomplete.
    Bad(String),
    /// No entry or event has that key or id.
    Unknown(String),
    /// The entry changed since the reviewer saw it.
    Conflict {
        /// The entry's version now.
        current: i64,
    },
}

impl Refused {
    /// What the reviewer is told.
    pub fn message(&self) -> String {
        match self {
            Refused::Bad(m) | Refused::Unknown(m) => m.clone(),
            Refused::Conflict { current } => format!(
                "the entry was changed by another reviewer (now at version {current}); reload it"
            ),
        }
    }
}

/// The timeline with the review applied, and the review beside it.
pub struct Reviewed {
    /// Entries after hiding, editing, pinning and adding.
    pub timeline: Timeline,
    /// Keys, reviews, hidden entries, orphaned actions.
    pub curation: Curation,
    /// Every key each entry (shown or hidden) answers to, by its own key
    /// (ordered, so a key two entries answer to always finds the same one).
    aliases: BTreeMap<String, Vec<String>>,
}

impl Reviewed {
    /// The shown entry that answers to `key`, with its position.
    pub fn entry(&self, key: &str) -> Option<(usize, &Entry)> {
        let (own, _) = self.resolve(key)?;
        let i = self.curation.keys.iter().position(|k| *k == own)?;
        Some((i, &self.timeline.entries[i]))
    }

    /// The entry's own key and every key it answers to.
    fn resolve(&self, key: &str) -> Option<(String, Vec<String>)> {
        if let Some(all) = self.aliases.get(key) {
            return Some((key.to_string(), all.clone()));
        }
        self.aliases
            .iter()
            .find(|(_, all)| all.iter().any(|k| k == key))
            .map(|(own, all)| (own.clone(), all.clone()))
    }
}

fn text_field(name: &str, value: Option<&str>) -> std::result::Result<String, Refused> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(Refused::Bad(format!("{name} is required")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(Refused::Bad(format!(
            "{name} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(text.to_string())
}

fn phase_field(value: Option<&str>) -> std::result::Result<Option<String>, Refused> {
    match value {
        None | Some("") => Ok(None),
        Some(p) => Phase::parse(p)
            .map(|p| Some(p.as_str().to_string()))
            .ok_or_else(|| Refused::Bad(format!("unknown phase {p:?}"))),
    }
}

/// An event's id in listings: where it is and when, so it can be found
/// again through the time index.
pub fn event_id(e: &EventRow) -> String {
    format!("{}:{}@{}", e.source_id, e.seq, e.time)
}

/// The stored event with that id.
pub fn find_event(store: &Store, id: &str) -> Result<Option<EventRow>> {
    let parsed = id.split_once('@').and_then(|(at, time)| {
        let (source, seq) = at.split_once(':')?;
        Some((
            source.parse::<i64>().ok()?,
            seq.parse::<i64>().ok()?,
            time.parse::<i64>().ok()?,
        ))
    });
    let Some((source_id, seq, time)) = parsed else {
        return Ok(None);
    };
    let filter = EventFilter {
        from: Some(time),
        to: Some(time),
        notable_only: false,
    };
    let mut found = None;
    store.each_event(&filter, |e| {
        if e.source_id == source_id && e.seq == seq {
            found = Some(e);
        }
        Ok(())
    })?;
    Ok(found)
}

fn people(store: &Store, names: bool) -> Result<People> {
    let mut people = People::new(names);
    for shift in store.shifts()? {
        people.add_shift(&shift);
    }
    Ok(people)
}

/// Checks a request against the reviewed timeline and stores it as
/// `reviewer` at `now` (UTC microseconds).
pub fn act(
    store: &mut Store,
    reviewed: &Reviewed,
    request: &Request,
    reviewer: &str,
    now: i64,
) -> Result<std::result::Result<ReviewAction, Refused>> {
    let prepared = match prepare(store, reviewed, request, reviewer, now)? {
        Ok(p) => p,
        Err(refused) => return Ok(Err(refused)),
    };
    let (action, keys) = prepared;
    Ok(store
        .append_review_action(action, &keys, request.version)?
        .map_err(|current| Refused::Conflict { current }))
}

type Prepared = (ReviewAction, Vec<String>);

fn prepare(
    store: &Store,
    reviewed: &Reviewed,
    r: &Request,
    reviewer: &str,
    now: i64,
) -> Result<std::result::Result<Prepared, Refused>> {
    let Some(kind) = ActionKind::parse(&r.action) else {
        return Ok(Err(Refused::Bad(format!(
            "unknown action {:?}: use hide, restore, edit, note, pin or add",
            r.action
        ))));
    };
    let mut action = ReviewAction {
        id: 0,
        at: now,
        reviewer: reviewer.to_string(),
        kind,
        key: String::new(),
        version: 0,
        summary: None,
        phase: None,
        time: None,
        text: None,
        reason: None,
        event: None,
        actor: None,
    };
    let optional =
        |name: &str, v: &Option<String>| -> std::result::Result<Option<String>, Refused> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(_) => text_field(name, v.as_deref()).map(Some),
            }
        };
    let built = (|| -> std::result::Result<Option<Vec<String>>, Refused> {
        action.reason = optional("reason", &r.reason)?;
        action.phase = phase_field(r.phase.as_deref())?;
        match kind {
            ActionKind::Add => {
                let text = text_field("text", r.text.as_deref().or(r.summary.as_deref()))?;
                let time = r
                    .time
                    .as_deref()
                    .ok_or_else(|| Refused::Bad("time is required".into()))?;
                let zone = r
                    .zone
                    .as_deref()
                    .filter(|z| !z.trim().is_empty())
                    .map(|z| Zone::parse(z.trim()))
                    .transpose()
                    .map_err(|e| Refused::Bad(e.to_string()))?;
                let time =
                    parse_cli_time(time, zone.as_ref()).map_err(|e| Refused::Bad(e.to_string()))?;
                action.key = key::manual_key(now, reviewer, &text);
                action.time = Some(time);
                action.summary = Some(text);
                return Ok(Some(vec![action.key.clone()]));
            }
            ActionKind::Pin => {
                let event = r
                    .event
                    .as_deref()
                    .ok_or_else(|| Refused::Bad("event is required".into()))?;
                action.event = Some(event.to_string());
                return Ok(None);
            }
            ActionKind::Hide => {
                action.reason = Some(text_field("reason", r.reason.as_deref())?);
            }
            ActionKind::Edit => {
                action.summary = optional("summary", &r.summary)?;
                if action.summary.is_none() && action.phase.is_none() {
                    return Err(Refused::Bad("edit needs a summary or a phase".into()));
                }
            }
            ActionKind::Note => action.text = Some(text_field("text", r.text.as_deref())?),
            ActionKind::Restore => {}
        }
        let key = r
            .key
            .as_deref()
            .ok_or_else(|| Refused::Bad("key is required".into()))?;
        let (own, all) = reviewed
            .resolve(key)
            .ok_or_else(|| Refused::Unknown(format!("no entry has key {key:?}")))?;
        action.key = own;
        Ok(Some(all))
    })();
    let keys = match built {
        Ok(Some(keys)) => keys,
        Ok(None) => {
            // A pin: the event must exist; its key is its citation's.
            let id = action.event.clone().unwrap_or_default();
            let Some(event) = find_event(store, &id)? else {
                return Ok(Err(Refused::Unknown(format!("no event has id {id:?}"))));
            };
            let mut people = people(store, true)?;
            action.key = key::citation_key(&citation_of(&event, &mut people));
            match reviewed.resolve(&action.key) {
                Some((own, all)) => {
                    action.key = own;
                    all
                }
                None => vec![action.key.clone()],
            }
        }
        Err(refused) => return Ok(Err(refused)),
    };
    if kind == ActionKind::Add {
        let people = people(store, true)?;
        let time = action.time.unwrap_or(now);
        action.actor = Some(
            people
                .role_of(reviewer, time)
                .unwrap_or("reviewer")
                .to_string(),
        );
    }
    Ok(Ok((action, keys)))
}

/// Applies every stored action to a freshly built timeline; `names` as
/// in `--names`, for the pinned events' text.
pub fn apply(store: &Store, timeline: Timeline, names: bool) -> Result<Reviewed> {
    let actions = store.review_actions()?;
    let mut people = people(store, names)?;
    let mut t = timeline;
    let mut entries: Vec<Slot> = t
        .entries
        .drain(..)
        .map(|entry| Slot {
            keys: key::entry_keys(&entry),
            entry,
            review: None,
            hidden: None,
        })
        .collect();
    let find =
        |entries: &[Slot], k: &str| entries.iter().position(|s| s.keys.iter().any(|x| x == k));
    let mut orphaned = Vec::new();
    for a in &actions {
        let at = match find(&entries, &a.key) {
            Some(i) => i,
            None => {
                let created = match a.kind {
                    ActionKind::Add => Some(Entry {
                        id: 0,
                        time: a.time.unwrap_or(a.at),
                        last_time: None,
                        occurrences: 1,
                        phase: a
                            .phase
                            .as_deref()
                            .and_then(Phase::parse)
                            .unwrap_or(Phase::Context),
                        kind: "manual".into(),
                        level: None,
                        summary: a.summary.clone().unwrap_or_default(),
                        actor: a.actor.clone(),
                        verification: Verification::Reported,
                        time_quality: Quality::default(),
                        hosts: Vec::new(),
                        services: Vec::new(),
                        evidence: Vec::new(),
                        checks: Vec::new(),
                    }),
                    ActionKind::Pin => match a.event.as_deref() {
                        Some(id) => {
                            find_event(store, id)?.map(|ev| pinned_entry(&ev, a, &mut people))
                        }
                        None => None,
                    },
                    _ => None,
                };
                let Some(entry) = created else {
                    orphaned.push(a.clone());
                    continue;
                };
                entries.push(Slot {
                    entry,
                    keys: vec![a.key.clone()],
                    review: None,
                    hidden: None,
                });
                entries.len() - 1
            }
        };
        let Slot {
            entry,
            review,
            hidden,
            ..
        } = &mut entries[at];
        let review = review.get_or_insert_with(EntryReview::default);
        review.version += 1;
        if !review.reviewers.contains(&a.reviewer) {
            review.reviewers.push(a.reviewer.clone());
        }
        match a.kind {
            ActionKind::Add => review.added = true,
            ActionKind::Pin => {
                review.pinned = true;
                if let Some(p) = a.phase.as_deref().and_then(Phase::parse) {
                    entry.phase = p;
                }
            }
            ActionKind::Hide => {
                *hidden = Some(Hidden {
                    key: String::new(),
                    summary: entry.summary.clone(),
                    reason: a.reason.clone().unwrap_or_default(),
                    reviewer: a.reviewer.clone(),
                    at: a.at,
                })
            }
            ActionKind::Restore => *hidden = None,
            ActionKind::Edit => {
                if review.original.is_none() && !review.added {
                    review.original = Some((entry.summary.clone(), entry.phase.as_str().into()));
                }
                if let Some(s) = &a.summary {
                    entry.summary = s.clone();
                }
                if let Some(p) = a.phase.as_deref().and_then(Phase::parse) {
                    entry.phase = p;
                }
            }
            ActionKind::Note => review.notes.push(Note {
                text: a.text.clone().unwrap_or_default(),
                reviewer: a.reviewer.clone(),
                at: a.at,
            }),
        }
    }
    // Time order, reconstructed entries before added ones at one instant;
    // numbers follow the new order and key times follow their entries.
    entries.sort_by_key(|s| (s.entry.time, s.entry.id == 0));
    let mut renumber = HashMap::new();
    let mut curation = Curation {
        orphaned,
        ..Curation::default()
    };
    let mut aliases = BTreeMap::new();
    for Slot {
        mut entry,
        keys,
        review,
        hidden,
    } in entries
    {
        let own = keys[0].clone();
        aliases.insert(own.clone(), keys);
        if let Some(mut h) = hidden {
            h.key = own;
            curation.hidden.push(h);
            continue;
        }
        let id = t.entries.len() + 1;
        if entry.id != 0 {
            renumber.insert(entry.id, id);
        }
        entry.id = id;
        t.entries.push(entry);
        curation.keys.push(own);
        curation.reviews.push(review);
    }
    let k = &mut t.key_times;
    for kt in [
        &mut k.impact_start,
        &mut k.detected,
        &mut k.acknowledged,
        &mut k.mitigated,
        &mut k.resolved,
    ]
    .into_iter()
    .flatten()
    {
        // A key time whose entry was hidden keeps its time (a fact of the
        // evidence) but no longer points at a shown row.
        kt.entry = renumber.get(&kt.entry).copied().unwrap_or(0);
    }
    Ok(Reviewed {
        timeline: t,
        curation,
        aliases,
    })
}

/// An entry while the review is applied.
struct Slot {
    entry: Entry,
    /// Every key it answers to, its own first.
    keys: Vec<String>,
    review: Option<EntryReview>,
    hidden: Option<Hidden>,
}

fn pinned_entry(ev: &EventRow, a: &ReviewAction, people: &mut People) -> Entry {
    let citation = citation_of(ev, people);
    Entry {
        id: 0,
        time: ev.time,
        last_time: None,
        occurrences: 1,
        phase: a
            .phase
            .as_deref()
            .and_then(Phase::parse)
            .unwrap_or(Phase::Context),
        kind: ev.kind.clone(),
        level: ev.level.clone(),
        summary: citation.excerpt.clone(),
        actor: people.actor(ev),
        verification: if ev.human == Some(true) {
            Verification::Reported
        } else {
            Verification::Verified
        },
        time_quality: ev.time_quality,
        hosts: ev.host.iter().cloned().collect(),
        services: ev.service.iter().cloned().collect(),
        evidence: vec![citation],
        checks: Vec::new(),
    }
}

/// An action as JSON (the trail, `POST /api/review`'s answer).
pub fn action_json(a: &ReviewAction) -> Value {
    json!({
        "id": a.id,
        "at": format_utc(a.at),
        "reviewer": a.reviewer,
        "action": a.kind.as_str(),
        "key": a.key,
        "version": a.version,
        "summary": a.summary,
        "phase": a.phase,
        "time": a.time.map(format_utc),
        "text": a.text,
        "reason": a.reason,
        "event": a.event,
        "actor": a.actor,
    })
}

/// The trail with the orphaned actions named (`GET /api/review`,
/// `factline review list --format json`).
pub fn trail_json(actions: &[ReviewAction], curation: &Curation) -> Value {
    json!({
        "actions": actions.iter().map(action_json).collect::<Vec<_>>(),
        "orphaned": curation.orphaned.iter().map(|a| a.id).collect::<Vec<_>>(),
    })
}
