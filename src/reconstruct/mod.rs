//! Reconstruction: from stored events to the entries of a post-mortem
//! timeline. Events are streamed in UTC order; notable ones (warnings and
//! worse, state changes, anything that is not a plain log line) become
//! entries, repeated log lines of one template collapse into bursts
//! (first / ×N / last), and everything else is counted as left out.

mod baseline;
mod candidate;
mod claims;
mod durations;
mod merge;
pub mod people;
mod phases;
mod place;
mod rate;

pub use candidate::citation_of;
pub use durations::{durations, format_duration};
pub use phases::{load_rules, PhaseRule};

use std::collections::HashMap;

use crate::error::Result;
use crate::model::{Entry, Phase, Timeline, Zone};
use crate::store::{EventFilter, Store};
use baseline::Background;

use candidate::{level_rank, priority, Candidate, Copies, BURST_GAP_MICROS};
use merge::{merge, Group};
use people::People;
use phases::Nature;
use place::{place, EntryFacts};
use rate::{rate_drops, rate_jumps, source_fell};

/// A steady run is background only when it began at least this long
/// before the other impact signals: it was there before anything happened.
const BACKGROUND_LEAD: i64 = 10 * 60_000_000;

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
                if c.last.is_none() {
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
    people.link_first_names();
    done.extend(open.into_values());
    let minutes = store.template_minutes(&filter)?;
    for jump in rate_jumps(&minutes) {
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
    // A steady signal falling silent (successful requests that stop) is
    // impact whatever its lines say. It is cited by its first line in the
    // minute it fell, or by the first of the minute before when it fell
    // to nothing.
    let drops = rate_drops(&minutes);
    let totals = if drops.is_empty() {
        Vec::new()
    } else {
        store.source_minutes(&filter)?
    };
    for drop in drops {
        let minute = drop.minute * MINUTE;
        let event = match store.first_of_template(&drop.template, minute, minute + MINUTE)? {
            Some(e) => Some(e),
            None => store.first_of_template(&drop.template, minute - MINUTE, minute)?,
        };
        if let Some(event) = event.filter(|e| source_fell(&totals, e.source_id, drop.minute)) {
            let mut c = Candidate::new(event, 3, &config.rules);
            c.rate = Some((drop.before, drop.after));
            c.phase = Phase::Impact;
            c.nature = Nature::Impact;
            done.push(c);
        }
    }
    set_background(
        &mut done,
        &Background::new(&store.sources()?, filter.from, filter.to),
    );
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
    let (mut entries, facts): (Vec<Entry>, Vec<EntryFacts>) = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let facts = g.facts();
            (g.into_entry(i + 1, &mut people), facts)
        })
        .unzip();
    let key_times = place(&mut entries, &facts);
    claims::check(store, &mut entries, &facts, &mut people)?;
    Ok(Timeline {
        window_start: filter.from.or(span.map(|s| s.0)),
        window_end: filter.to.or(span.map(|s| s.1)),
        window_given: config.from.is_some() || config.to.is_some(),
        entries,
        key_times,
        events_in_window: in_window,
        left_out: in_window.saturating_sub(covered),
        clock_corrections: store
            .sources()?
            .into_iter()
            .filter_map(|s| s.clock_note())
            .collect(),
    })
}

/// Stores a timeline under the options that produced it (see
/// [`Store::save_timeline`]).
pub fn save(store: &mut Store, t: &Timeline, config: &TimelineConfig) -> Result<()> {
    let options = serde_json::json!({
        "from": config.from,
        "to": config.to,
        "names": config.names,
        "max_entries": config.max_entries,
    })
    .to_string();
    store.save_timeline(&options, t)
}

/// A warning logged again and again from a source's first minutes on was
/// there before the incident: background, not its onset. So are errors,
/// when something else shows the impact and they began well before it;
/// when nothing else does, a steady run of errors from a source's start
/// (an export of its failures only) is the evidence of the impact, not to
/// be explained away. A run that begins with the other signals is the
/// incident seen in a source that begins with it too (a crash-looping
/// container's log, an export cut a few minutes before): impact.
fn set_background(done: &mut [Candidate], background: &Background) {
    let steady: Vec<bool> = done
        .iter()
        .map(|c| {
            c.first.kind == "log"
                && c.phase == Phase::Impact
                && background.covers(&c.first.source, c.first.time, c.last_time(), c.count)
        })
        .collect();
    let onset_besides = done
        .iter()
        .zip(&steady)
        .filter(|(c, &steady)| !steady && c.phase == Phase::Impact && c.nature == Nature::Impact)
        .map(|(c, _)| c.first.time)
        .min();
    for (c, steady) in done.iter_mut().zip(steady) {
        let errors = level_rank(c.first.level.as_deref()) >= level_rank(Some("error"));
        let before_onset =
            onset_besides.is_some_and(|onset| c.first.time <= onset - BACKGROUND_LEAD);
        let background = match onset_besides {
            Some(_) => before_onset,
            None => !errors,
        };
        if steady && background {
            c.phase = Phase::Context;
            c.nature = Nature::Other;
            c.priority = 1;
        }
    }
}
