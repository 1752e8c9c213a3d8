//! Placing the happenings in the incident: where impact begins, which
//! change set it off and which ones mitigated it, and the key times, each
//! with the phrase that says what it rests on.
//!
//! Definitions (docs/output.md#key-times):
//! - impact start: the first signal of the impact that detection follows
//!   (impact signals chained back from the first detection, with gaps of
//!   at most `CHAIN_GAP`; background templates are not impact signals);
//! - detected: the first alert triggered, detection, or a ticket opened
//!   before any alert, at or after impact start; without any, the first
//!   chat message after it that speaks of trouble (`speaks_of_trouble`);
//! - mitigated: when the impact stopped after a mitigation action (its
//!   last signal, at most `EFFECT_WINDOW` after the action); else the
//!   first recovery signal; else the first recorded mitigation; else a
//!   person's statement of one;
//! - resolved: the first recorded resolution (a paging tool's, a
//!   ticket's) after detection, else the first statement of one;
//! - a change before impact start (within `TRIGGER_LEAD`) is a trigger
//!   candidate, the last one (preferring one of the impacted services or
//!   hosts) and those just before it are the trigger; a change after
//!   detection is a mitigation; any other change is context;
//! - a chat message with no word of its phase is diagnosis until the
//!   incident is resolved, context after.

use std::sync::LazyLock;

use factline_parsers::time::format_utc;
use regex::Regex;

use super::claims::ERROR_WORDS;
use super::durations::format_duration;
use super::phases::Nature;
use crate::model::{Entry, KeyTime, KeyTimes, Phase};

const MINUTE: i64 = 60_000_000;
/// Impact signals further apart than this are not one impact.
const CHAIN_GAP: i64 = 15 * MINUTE;
/// A change this long before impact start can still have set it off.
const TRIGGER_LEAD: i64 = 3 * 60 * MINUTE;
/// Changes within this span before the last one belong to it (a deploy's
/// start and finish).
const TRIGGER_SPAN: i64 = 5 * MINUTE;
/// The impact must end within this span after a mitigation action for the
/// action to count as what mitigated it.
const EFFECT_WINDOW: i64 = 15 * MINUTE;
/// Lines of the impact may still be written this long before an action
/// completes (requests in flight).
const EFFECT_GRACE: i64 = 2 * MINUTE;
/// Longest summary quoted in a basis phrase, in characters.
const QUOTE_CHARS: usize = 70;

/// Words in which people speak of trouble they see beyond naming errors
/// ([`ERROR_WORDS`]): "api is down", "latency spiking", "timed out".
static TROUBLE_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(erroring|[45]\d\ds?|time(d|s)? ?out|timing out|fail(s|ed)?|down|outage|degraded|latency|slow|spik(e|es|ing)|broken|unavailable|unreachable|not working|alerts?|paged|throwing|panicking)\b",
    )
    .expect("valid regex")
});

/// Whether a message speaks of trouble.
fn speaks_of_trouble(message: &str) -> bool {
    let lower = message.to_lowercase();
    ERROR_WORDS.is_match(&lower) || TROUBLE_TALK.is_match(&lower)
}

/// What reconstruction knows of an entry beyond what it shows.
pub(super) struct EntryFacts {
    pub(super) nature: Nature,
    /// The template of a collapsed log burst.
    pub(super) template: Option<String>,
    /// A rate change the entry marks (per minute before, after).
    pub(super) rate: Option<(u64, u64)>,
    /// Whether it rests only on what people said (chat, comments, notes,
    /// status updates), whatever a later check of the claim finds.
    pub(super) statement: bool,
    /// The zone of the person who wrote it, from their chat profile (a
    /// clock time they write without a zone is read in it).
    pub(super) writer_zone: Option<String>,
    /// Who wrote it, as the record names them: their zone may come from
    /// the shift sheet instead.
    pub(super) writer: Option<String>,
}

/// Sets the phases that depend on the incident's shape and finds the key
/// times. `facts` is aligned with `entries`.
pub(super) fn place(entries: &mut [Entry], facts: &[EntryFacts]) -> KeyTimes {
    let impact_signals: Vec<usize> = {
        let all: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].phase == Phase::Impact)
            .collect();
        let recorded: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| !facts[i].statement)
            .collect();
        if recorded.is_empty() {
            all
        } else {
            recorded
        }
    };
    let first_detection = (0..entries.len()).find(|&i| {
        is_detection(entries, facts, i)
            && impact_signals
                .iter()
                .any(|&s| entries[s].time <= entries[i].time)
    });
    let (impact_start, chain) = impact_start(entries, &impact_signals, first_detection);

    let first_alert = (0..entries.len())
        .find(|&i| facts[i].nature == Nature::AlertTriggered && after(entries, i, impact_start));
    // A ticket opened after impact began and before any alert: someone
    // (often a customer) reported it, which is how it was detected.
    for i in 0..entries.len() {
        if facts[i].nature == Nature::TicketOpened
            && impact_start.is_some()
            && after(entries, i, impact_start)
            && first_alert.is_none_or(|a| entries[i].time < entries[a].time)
        {
            entries[i].phase = Phase::Detection;
        }
    }
    let detected = match impact_start {
        Some(_) => (0..entries.len())
            .find(|&i| is_detection(entries, facts, i) && after(entries, i, impact_start))
            .or_else(|| {
                // No alert and no ticket: the first responder to speak of
                // the trouble noticed it.
                let noticed = (0..entries.len()).find(|&i| {
                    entries[i].kind == "chat"
                        && entries[i].phase == Phase::Diagnosis
                        && after(entries, i, impact_start)
                        && speaks_of_trouble(&entries[i].summary)
                })?;
                entries[noticed].phase = Phase::Detection;
                Some(noticed)
            }),
        None => (0..entries.len()).find(|&i| facts[i].nature == Nature::AlertTriggered),
    };
    // The incident's own record of its resolution (the paging tool's, the
    // ticket's) before what anyone said of it, a status page included.
    let resolved = detected.or(impact_start).and_then(|from| {
        let resolutions =
            || (from..entries.len()).filter(|&i| entries[i].phase == Phase::Resolution);
        resolutions()
            .find(|&i| !facts[i].statement)
            .or_else(|| resolutions().next())
    });

    place_changes(entries, facts, impact_start, detected, resolved, &chain);
    // Talk after the incident's resolution (thanks, "post-mortem to
    // follow") is no longer part of its diagnosis.
    if let Some(r) = resolved {
        let end = entries[r].time;
        for i in r + 1..entries.len() {
            if facts[i].nature == Nature::Talk && entries[i].time > end {
                entries[i].phase = Phase::Context;
            }
        }
    }

    let start_of_response = detected.or(impact_start);
    let acknowledged = start_of_response.and_then(|from| {
        (from..entries.len())
            .find(|&i| facts[i].nature == Nature::Acknowledged)
            .or_else(|| {
                (from..entries.len()).find(|&i| {
                    entries[i].phase == Phase::Escalation
                        && entries[i]
                            .summary
                            .to_ascii_lowercase()
                            .contains("acknowledg")
                })
            })
    });
    let mitigated = start_of_response.and_then(|from| {
        mitigated(
            entries,
            facts,
            from,
            resolved,
            impact_start,
            &impact_signals,
        )
    });
    let customer_notified = (0..entries.len())
        .find(|&i| facts[i].nature == Nature::StatusUpdate && after(entries, i, impact_start));

    let key = |i: usize, basis: String| KeyTime {
        time: entries[i].time,
        entry: entries[i].id,
        basis,
    };
    KeyTimes {
        impact_start: impact_start.map(|i| {
            key(
                i,
                impact_basis(&entries[i], &facts[i], first_detection.map(|d| &entries[d])),
            )
        }),
        detected: detected.map(|i| {
            let what = match facts[i].nature {
                Nature::AlertTriggered => "alert triggered",
                Nature::TicketOpened => "ticket opened before any alert",
                _ if entries[i].kind == "chat" => "noticed by a responder, no alert or ticket",
                _ => "first detection",
            };
            key(i, format!("{what}: {}", quote(&entries[i].summary)))
        }),
        acknowledged: acknowledged.map(|i| {
            key(
                i,
                format!("first acknowledgement: {}", quote(&entries[i].summary)),
            )
        }),
        mitigated: mitigated.map(|(i, time, basis)| KeyTime {
            time,
            entry: entries[i].id,
            basis,
        }),
        resolved: resolved.map(|i| {
            key(
                i,
                format!("first resolution: {}", quote(&entries[i].summary)),
            )
        }),
        customer_notified: customer_notified.map(|i| {
            key(
                i,
                format!("first status-page update: {}", quote(&entries[i].summary)),
            )
        }),
    }
}

fn is_detection(entries: &[Entry], facts: &[EntryFacts], i: usize) -> bool {
    facts[i].nature == Nature::AlertTriggered || entries[i].phase == Phase::Detection
}

/// Whether entry `i` is at or after the entry `since` (when there is one).
fn after(entries: &[Entry], i: usize, since: Option<usize>) -> bool {
    since.is_none_or(|s| entries[i].time >= entries[s].time)
}

fn end_of(e: &Entry) -> i64 {
    e.last_time.unwrap_or(e.time).max(e.time)
}

/// The first signal of the impact that the first detection follows, and
/// the signals chained to it.
fn impact_start(
    entries: &[Entry],
    signals: &[usize],
    detection: Option<usize>,
) -> (Option<usize>, Vec<usize>) {
    let Some(d) = detection else {
        let first = signals.first().copied();
        return (first, first.into_iter().collect());
    };
    let before: Vec<usize> = signals
        .iter()
        .copied()
        .filter(|&s| entries[s].time <= entries[d].time)
        .collect();
    let Some(&nearest) = before
        .iter()
        .max_by_key(|&&s| (end_of(&entries[s]), entries[s].time))
    else {
        return (None, Vec::new());
    };
    // Walk back from the signal nearest the detection while the signals
    // overlap or follow each other closely.
    let mut chain = vec![nearest];
    let mut start = entries[nearest].time;
    let mut by_end: Vec<usize> = before.into_iter().filter(|&s| s != nearest).collect();
    by_end.sort_by_key(|&s| std::cmp::Reverse(end_of(&entries[s])));
    for s in by_end {
        if end_of(&entries[s]) + CHAIN_GAP >= start {
            start = start.min(entries[s].time);
            chain.push(s);
        }
    }
    let first = chain.iter().copied().min_by_key(|&s| (entries[s].time, s));
    (first, chain)
}

fn place_changes(
    entries: &mut [Entry],
    facts: &[EntryFacts],
    impact_start: Option<usize>,
    detected: Option<usize>,
    resolved: Option<usize>,
    chain: &[usize],
) {
    let is_change = |i: usize, entries: &[Entry]| {
        matches!(facts[i].nature, Nature::Change(_)) || entries[i].phase == Phase::Trigger
    };
    let start = impact_start.map(|i| entries[i].time);
    let response = detected.or(impact_start).map(|i| entries[i].time);
    let end = resolved.map(|i| entries[i].time);
    let mut candidates = Vec::new();
    for i in 0..entries.len() {
        if !is_change(i, entries) {
            continue;
        }
        let t = entries[i].time;
        entries[i].phase = match (start, response) {
            (Some(s), _) if t <= s && s - t <= TRIGGER_LEAD => {
                candidates.push(i);
                Phase::Context
            }
            (_, Some(r)) if t >= r && end.is_none_or(|e| t <= e) => Phase::Mitigation,
            _ => Phase::Context,
        };
    }
    // The last change before impact, preferring one of the impacted
    // services or hosts, and the changes just before it.
    let touched = |i: usize| {
        chain.iter().any(|&c| {
            entries[c]
                .services
                .iter()
                .any(|s| entries[i].services.contains(s))
                || entries[c]
                    .hosts
                    .iter()
                    .any(|h| entries[i].hosts.contains(h))
        })
    };
    let chosen = candidates
        .iter()
        .rev()
        .find(|&&i| touched(i))
        .or(candidates.last())
        .copied();
    if let Some(last) = chosen {
        let t = entries[last].time;
        for &i in &candidates {
            let related = i == last || (entries[i].services == entries[last].services);
            if related && entries[i].time <= t && t - entries[i].time <= TRIGGER_SPAN {
                entries[i].phase = Phase::Trigger;
            }
        }
    }
}

/// The mitigation key time and its basis (see the module comment).
fn mitigated(
    entries: &[Entry],
    facts: &[EntryFacts],
    from: usize,
    resolved: Option<usize>,
    impact_start: Option<usize>,
    signals: &[usize],
) -> Option<(usize, i64, String)> {
    let upto = resolved.map_or(entries.len(), |r| r + 1);
    let actions: Vec<usize> = (from..upto)
        .filter(|&i| entries[i].phase == Phase::Mitigation)
        .collect();
    let machine = |i: &&usize| !facts[**i].statement;
    let impact_end = impact_start.and_then(|s| {
        signals
            .iter()
            .filter(|&&i| entries[i].time >= entries[s].time && i < upto)
            .map(|&i| (end_of(&entries[i]), i))
            .max()
    });
    if let Some((end, last_signal)) = impact_end {
        let effective = actions.iter().filter(machine).rev().find(|&&a| {
            let t = entries[a].time;
            t <= end + EFFECT_GRACE && end - t <= EFFECT_WINDOW
        });
        if let Some(&a) = effective {
            let gap = end - entries[a].time;
            let action = quote(&entries[a].summary);
            // The impact stopped with its last signal, which the action
            // preceded (a rollback takes effect, requests in flight end).
            if gap > 0 {
                let basis = format!(
                    "impact stopped: last {} at {}, {} after the mitigation {action}",
                    quote(&entries[last_signal].summary),
                    clock(end),
                    format_duration(gap),
                );
                return Some((last_signal, end, basis));
            }
            let basis = format!(
                "mitigation {action}; the impact signals had stopped {} before it",
                format_duration(-gap)
            );
            return Some((a, entries[a].time, basis));
        }
    }
    if let Some(r) = (from..upto).find(|&i| entries[i].phase == Phase::Recovery && machine(&&i)) {
        return Some((
            r,
            entries[r].time,
            format!("first recovery signal: {}", quote(&entries[r].summary)),
        ));
    }
    if let Some(&a) = actions.iter().find(machine) {
        let when = impact_end.map_or_else(
            || "no impact signal recorded".to_string(),
            |(end, _)| format!("the last impact signal was at {}", clock(end)),
        );
        return Some((
            a,
            entries[a].time,
            format!(
                "first mitigation action: {}; {when}",
                quote(&entries[a].summary)
            ),
        ));
    }
    let said = actions
        .first()
        .copied()
        .or_else(|| (from..upto).find(|&i| entries[i].phase == Phase::Recovery))?;
    Some((
        said,
        entries[said].time,
        format!("only a statement: {}", quote(&entries[said].summary)),
    ))
}

fn impact_basis(e: &Entry, facts: &EntryFacts, detection: Option<&Entry>) -> String {
    let mut basis = match (&facts.rate, &facts.template) {
        (Some((before, after)), Some(template)) => format!(
            "rate of {} {} from {before}/min to {after}/min",
            quote(template),
            if after < before { "fell" } else { "rose" }
        ),
        _ if e.occurrences > 1 => format!(
            "first of {} {} over {}",
            thousands(e.occurrences),
            quote(&e.summary),
            format_duration(end_of(e) - e.time)
        ),
        _ => format!("first impact signal: {}", quote(&e.summary)),
    };
    if let Some(d) = detection {
        basis.push_str(&format!(
            ", {} before detection",
            format_duration(d.time - e.time)
        ));
    }
    basis
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn quote(text: &str) -> String {
    let short: String = text.chars().take(QUOTE_CHARS).collect();
    if short.len() < text.len() {
        format!("'{}…'", short.trim_end())
    } else {
        format!("'{short}'")
    }
}

fn clock(t: i64) -> String {
    let utc = format_utc(t);
    // `2026-11-20T23:14:29.000000Z` → `23:14:29`
    utc.get(11..19).unwrap_or(&utc).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(1944), "1,944");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(quote("short"), "'short'");
        assert!(quote(&"x".repeat(100)).ends_with("…'"));
    }

    #[test]
    fn trouble_is_heard_in_the_words_responders_use() {
        for said in [
            "checkout throwing NPEs since the deploy",
            "login timeouts spiking on web",
            "seeing 502s from the edge",
            "lots of 404s on /cart",
            "checkout timed out for me",
            "api is down for me",
            "p99 latency through the roof",
        ] {
            assert!(speaks_of_trouble(said), "{said}");
        }
        for said in [
            "standup in 5",
            "lunch?",
            "search-api 2.4.1 is out, all good",
        ] {
            assert!(!speaks_of_trouble(said), "{said}");
        }
    }
}
