//! Fact-checking human statements: a chat message, ticket comment or
//! paging note that says something happened ("rolled back to 2.13.4 at
//! 23:14 UTC", "checkout 5xx back to normal") is checked against the
//! machine records of the same object. The check is an annotation on the
//! entry; the statement's words are never changed.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use chrono::{Duration, NaiveTime};
use regex::Regex;

use super::candidate::{citation_of, is_statement, level_rank};
use super::durations::format_duration;
use super::people::People;
use crate::error::Result;
use crate::model::{Check, CheckResult, Entry, Verification, Zone};
use crate::store::{EventFilter, EventRow, Store};

const MINUTE: i64 = 60_000_000;
/// A stated time is supported by a machine record this close to it.
const STATED_TOLERANCE: i64 = 2 * MINUTE;
/// Without a stated time, the act happened within this span before the
/// statement (people write after doing) ...
const UNSTATED_BEFORE: i64 = 10 * MINUTE;
/// ... or just after it: message times are often whole minutes.
const UNSTATED_AFTER: i64 = MINUTE;
/// Errors closer together than this are one run that has not stopped.
const ERROR_RUN_GAP: i64 = 5 * MINUTE;
/// How far around a claim machine records are read.
const LOOK_BEFORE: i64 = 30 * MINUTE;
const LOOK_AFTER: i64 = 60 * MINUTE;

/// What a claim says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Rollback,
    Deploy,
    Restart,
    ErrorsStopped,
    /// A feature flag set on (`true`) or off.
    Flag(bool),
}

#[derive(Debug, Clone, PartialEq)]
struct Claim {
    /// The clause as written.
    text: String,
    act: Act,
    /// Named things (hosts, services, flags), lower case.
    objects: Vec<String>,
    version: Option<String>,
    /// The stated time, UTC microseconds.
    stated: Option<i64>,
}

static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:at|since|around|about|by|from|until|till|@)\s*~?\s*([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s*(utc|gmt|z\b|[+-]\d\d:?\d\d|[A-Za-z]+/[A-Za-z_]+))?",
    )
    .expect("valid regex")
});
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bv?(\d+\.\d+(?:\.\d+)*)\b").expect("valid regex"));
/// Ticket keys (`OPS-1842`) name where something was said, not its object.
static TICKET_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]+-\d+$").expect("valid regex"));
/// Intentions are not claims: "Plan: roll back 2.14.0".
static INTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(plan|will|going to|let's|lets|should|about to|shall|want to|try to|trying)\b|\?",
    )
    .expect("valid regex")
});
static ERROR_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(errors?|5xx|50[0-4]s?|failures?|failing|exceptions?|timeouts?)\b")
        .expect("valid regex")
});
static STOPPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(stopped|gone|cleared|back to normal|recovered|subsided|ended|no more|no longer)\b",
    )
    .expect("valid regex")
});
static DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(done|finished|complete|completed|succeeded)\b").expect("valid regex")
});
static OFF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(off|disabled|false)\b").expect("valid regex"));
static ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(on|enabled|true)\b").expect("valid regex"));
/// Sentences end at ". " (not inside a version), ";", "!" or a line break.
static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[.!;](\s|$)|\n").expect("valid regex"));

/// Words of an act as machine records write it.
fn act_words(act: Act) -> &'static [&'static str] {
    match act {
        Act::Rollback => &["rollback", "rolled back", "roll back", "revert"],
        Act::Deploy => &["deploy", "rolled out", "release"],
        Act::Restart => &["restart", "started", "starting", "reboot"],
        Act::ErrorsStopped => &[],
        Act::Flag(_) => &["flag", "feature"],
    }
}

fn act_of(clause: &str) -> Option<Act> {
    let has = |words: &[&str]| words.iter().any(|w| clause.contains(w));
    if INTENT.is_match(clause) {
        return None;
    }
    if has(&["rolled back", "reverted"]) || (clause.contains("rollback") && DONE.is_match(clause)) {
        return Some(Act::Rollback);
    }
    if has(&["deployed", "rolled out"]) || (clause.contains("deploy") && DONE.is_match(clause)) {
        return Some(Act::Deploy);
    }
    if has(&["restarted", "bounced", "rebooted"]) {
        return Some(Act::Restart);
    }
    if ERROR_WORDS.is_match(clause) && STOPPED.is_match(clause) {
        return Some(Act::ErrorsStopped);
    }
    if clause.contains("flag") {
        if OFF.is_match(clause) {
            return Some(Act::Flag(false));
        }
        if ON.is_match(clause) {
            return Some(Act::Flag(true));
        }
    }
    None
}

/// The version a clause names as the outcome: the one after "to" where
/// there are several ("from 2.14.0 to 2.13.4").
fn target_version(text: &str) -> Option<String> {
    let found: Vec<_> = VERSION.captures_iter(text).collect();
    found
        .iter()
        .find(|c| {
            let before = text[..c.get(0).map_or(0, |m| m.start())].trim_end();
            before.ends_with(" to") || before.ends_with("version=") || before.ends_with("to=")
        })
        .or(found.last())
        .map(|c| c[1].to_string())
}

/// Finds the checkable claims of a statement written at `written` by
/// someone whose zone is `zone`.
fn claims(text: &str, written: i64, zone: &Zone) -> Vec<Claim> {
    let mut out = Vec::new();
    for raw in SENTENCE_END.split(text) {
        // A ticket comment's summary starts with its ticket and "comment:".
        let clause = raw.rsplit_once("comment:").map_or(raw, |(_, c)| c).trim();
        let lower = clause.to_lowercase();
        let Some(act) = act_of(&lower) else { continue };
        let mut stated = None;
        let mut rest = clause.to_string();
        if let Some(c) = STATED.captures(clause) {
            stated = stated_time(&c, written, zone);
            rest = clause.replace(&c[0], " ");
        }
        let version = target_version(&rest);
        let objects = rest
            .split(|ch: char| !(ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.' | '/')))
            .map(|w| w.trim_matches('.'))
            .filter(|w| {
                w.chars().any(char::is_alphabetic)
                    && (w.contains('-') || w.contains('_'))
                    && !TICKET_KEY.is_match(w)
            })
            .map(str::to_lowercase)
            .collect();
        out.push(Claim {
            text: clause.to_string(),
            act,
            objects,
            version,
            stated,
        });
    }
    out
}

/// A stated clock time as UTC: in the zone the writer named, else the
/// writer's zone, on the date (in that zone) that puts it nearest to when
/// the statement was written.
fn stated_time(c: &regex::Captures, written: i64, zone: &Zone) -> Option<i64> {
    let named = c.get(4).and_then(|z| {
        let z = z.as_str();
        if z.eq_ignore_ascii_case("gmt") || z.eq_ignore_ascii_case("z") {
            Some(Zone::Utc)
        } else {
            Zone::parse(z).ok()
        }
    });
    let zone = named.as_ref().unwrap_or(zone);
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let time = NaiveTime::from_hms_opt(num(1)?, num(2)?, num(3).unwrap_or(0))?;
    let day = zone.utc_to_local(written)?.date();
    [day - Duration::days(1), day, day + Duration::days(1)]
        .into_iter()
        .filter_map(|d| zone.local_to_utc(&d.and_time(time)).earliest())
        .min_by_key(|t| (t - written).abs())
}

/// Whether a machine record names an object: its host, its service, or
/// its text.
fn mentions(event: &EventRow, object: &str) -> bool {
    let named = |v: &Option<String>| {
        v.as_deref().is_some_and(|v| {
            let v = v.to_lowercase();
            v == object || v.split(['-', '_', '.']).any(|part| part == object)
        })
    };
    named(&event.host) || named(&event.service) || event.message.to_lowercase().contains(object)
}

/// Words of a claim that name a known host or service ("checkout" for
/// `checkout-api`), besides the hyphenated names it already holds.
fn known_objects(claim: &Claim, machine: &[EventRow]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for e in machine {
        for v in [&e.host, &e.service].into_iter().flatten() {
            let v = v.to_lowercase();
            names.extend(
                v.split(['-', '_', '.'])
                    .filter(|p| p.len() >= 4)
                    .map(str::to_string),
            );
            names.insert(v);
        }
    }
    let lower = claim.text.to_lowercase();
    let mut objects = claim.objects.clone();
    for w in lower.split(|ch: char| !(ch.is_alphanumeric() || matches!(ch, '-' | '_'))) {
        if names.contains(w) && !objects.iter().any(|o| o == w) {
            objects.push(w.to_string());
        }
    }
    objects
}

fn hms(micros: i64) -> String {
    factline_parsers::time::format_utc(micros)
        .get(11..19)
        .unwrap_or_default()
        .to_string()
}

/// "4m40s later", "5s earlier", "at the stated time".
fn difference(from: i64, to: i64, after: &str, before: &str) -> String {
    let d = to - from;
    if d.abs() < 1_000_000 {
        return "at that time".to_string();
    }
    format!(
        "{} {}",
        format_duration(d.abs()),
        if d > 0 { after } else { before }
    )
}

fn summary_of(event: &EventRow) -> String {
    super::candidate::shorten(&event.message)
}

/// Judges one claim against the machine records around it.
fn judge(
    claim: &Claim,
    written: i64,
    machine: &[EventRow],
) -> Option<(CheckResult, Vec<usize>, String)> {
    let anchor = claim.stated.unwrap_or(written);
    let (lo, hi) = match claim.stated {
        Some(t) => (t - STATED_TOLERANCE, t + STATED_TOLERANCE),
        None => (written - UNSTATED_BEFORE, written + UNSTATED_AFTER),
    };
    let objects = known_objects(claim, machine);
    let of_object = |e: &EventRow| objects.iter().all(|o| mentions(e, o));
    let against = if claim.stated.is_some() {
        "the stated time"
    } else {
        "the statement"
    };
    if claim.act == Act::ErrorsStopped {
        let errors: Vec<usize> = (0..machine.len())
            .filter(|&i| level_rank(machine[i].level.as_deref()) >= 3 && of_object(&machine[i]))
            .collect();
        // The run of errors going on at the anchor, followed to its end.
        let mut last = None;
        let mut prev = anchor;
        for &i in errors.iter().filter(|&&i| machine[i].time > anchor) {
            if machine[i].time - prev > ERROR_RUN_GAP {
                break;
            }
            prev = machine[i].time;
            last = Some(i);
        }
        if let Some(i) = last.filter(|&i| machine[i].time > anchor + STATED_TOLERANCE) {
            let t = machine[i].time;
            let note = format!(
                "logs show the last error at {}, {} {against}",
                hms(t),
                difference(anchor, t, "after", "before")
            );
            return Some((CheckResult::Contradicted, vec![i], note));
        }
        let before = errors.iter().copied().rfind(|&i| {
            machine[i].time <= anchor + STATED_TOLERANCE && machine[i].time >= anchor - LOOK_BEFORE
        })?;
        let t = machine[before].time;
        let note = format!(
            "logs show the last error at {}, {} {against}",
            hms(t),
            difference(anchor, t, "after", "before")
        );
        return Some((CheckResult::Supported, vec![before], note));
    }
    if matches!(claim.act, Act::Restart | Act::Flag(_)) && objects.is_empty() {
        return None;
    }
    let words = act_words(claim.act);
    let is_act = |e: &EventRow| {
        let m = e.message.to_lowercase();
        let rollback = act_words(Act::Rollback).iter().any(|w| m.contains(w));
        words.iter().any(|w| m.contains(w)) && (claim.act != Act::Deploy || !rollback)
    };
    let acts: Vec<usize> = (0..machine.len())
        .filter(|&i| {
            (lo..=hi).contains(&machine[i].time) && is_act(&machine[i]) && of_object(&machine[i])
        })
        .collect();
    let closest = |set: &[usize]| {
        set.iter()
            .copied()
            .min_by_key(|&i| (machine[i].time - anchor).abs())
    };
    let agrees = |e: &EventRow| match claim.act {
        Act::Flag(on) => {
            let m = e.message.to_lowercase();
            match (ON.is_match(&m), OFF.is_match(&m)) {
                (true, false) => Some(on),
                (false, true) => Some(!on),
                _ => None,
            }
        }
        // The version the record ends at: "rollback started from=2.14.0
        // to=2.13.4" does not support "rolled back to 2.14.0".
        _ => match (&claim.version, target_version(&e.message)) {
            (Some(v), Some(t)) => Some(*v == t),
            (Some(_), None) => None,
            (None, _) => Some(true),
        },
    };
    let supporting: Vec<usize> = acts
        .iter()
        .copied()
        .filter(|&i| agrees(&machine[i]) == Some(true))
        .collect();
    if let Some(i) = closest(&supporting) {
        let note = format!(
            "{} at {}, {} {against}",
            summary_of(&machine[i]),
            hms(machine[i].time),
            difference(anchor, machine[i].time, "after", "before")
        );
        return Some((CheckResult::Supported, vec![i], note));
    }
    let disagreeing: Vec<usize> = acts
        .iter()
        .copied()
        .filter(|&i| agrees(&machine[i]) == Some(false))
        .collect();
    let i = closest(&disagreeing)?;
    let claimed = match claim.act {
        Act::Flag(on) => format!("not {} as stated", if on { "on" } else { "off" }),
        _ => format!("not {}", claim.version.as_deref().unwrap_or("")),
    };
    let note = format!(
        "machine records show {} at {}: {claimed}",
        summary_of(&machine[i]),
        hms(machine[i].time)
    );
    Some((CheckResult::Contradicted, vec![i], note))
}

/// Checks the claims of every entry that rests only on statements; a
/// supported one becomes corroborated, a contradicted one contradicted.
pub(super) fn check(store: &Store, entries: &mut [Entry], people: &mut People) -> Result<()> {
    let zones: HashMap<i64, Zone> = store
        .sources()?
        .into_iter()
        .filter_map(|s| Zone::parse(&s.tz).ok().map(|z| (s.id, z)))
        .collect();
    for entry in entries
        .iter_mut()
        .filter(|e| e.verification == Verification::Reported)
    {
        let Some(first) = entry.evidence.first() else {
            continue;
        };
        let zone = zones.get(&first.source_id).cloned().unwrap_or(Zone::Utc);
        for claim in claims(&entry.summary, entry.time, &zone) {
            let anchor = claim.stated.unwrap_or(entry.time);
            let filter = EventFilter {
                from: Some(anchor.min(entry.time) - LOOK_BEFORE),
                to: Some(anchor.max(entry.time) + LOOK_AFTER),
                notable_only: true,
            };
            let mut machine = Vec::new();
            store.each_event(&filter, |e| {
                if !is_statement(&e) {
                    machine.push(e);
                }
                Ok(())
            })?;
            if let Some((result, cited, note)) = judge(&claim, entry.time, &machine) {
                entry.checks.push(Check {
                    claim: claim.text,
                    result,
                    evidence: cited
                        .iter()
                        .map(|&i| citation_of(&machine[i], people))
                        .collect(),
                    note,
                });
            }
        }
        if entry
            .checks
            .iter()
            .any(|c| c.result == CheckResult::Contradicted)
        {
            entry.verification = Verification::Contradicted;
        } else if !entry.checks.is_empty() {
            entry.verification = Verification::Corroborated;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_micros())
            .unwrap_or_default()
    }

    #[test]
    fn claims_with_their_time_object_and_version() {
        let written = utc("2026-11-20T23:15:00Z");
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let found = claims(
            "OPS-1842 comment: Rolled back to 2.13.4 at 23:14 UTC; pool recovered.",
            written,
            &berlin,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].act, Act::Rollback);
        assert_eq!(found[0].version.as_deref(), Some("2.13.4"));
        assert_eq!(found[0].stated, Some(utc("2026-11-20T23:14:00Z")));
        // Without a named zone, the writer's zone; the date that puts the
        // time nearest to the message (00:14 Berlin is the next day).
        let found = claims("errors stopped since ~00:14", written, &berlin);
        assert_eq!(found[0].act, Act::ErrorsStopped);
        assert_eq!(found[0].stated, Some(utc("2026-11-20T23:14:00Z")));
        let found = claims("restarted api-3 around 23:10", written, &Zone::Utc);
        assert_eq!(found[0].objects, ["api-3"]);
        // Plans and questions claim nothing.
        assert!(claims("Plan: roll back 2.14.0.", written, &Zone::Utc).is_empty());
        assert!(claims("errors stopped?", written, &Zone::Utc).is_empty());
    }

    fn machine(time: &str, level: &str, message: &str) -> EventRow {
        EventRow {
            id: None,
            source_id: 1,
            source: "deploy.log".into(),
            sha256: String::new(),
            parser: "logfmt".into(),
            seq: 0,
            time: utc(time),
            time_quality: crate::model::Quality::default(),
            line: None,
            locator: String::new(),
            kind: "log".into(),
            level: Some(level.into()),
            actor: None,
            host: None,
            service: Some("checkout-api".into()),
            message: message.into(),
            template_id: 0,
            template: String::new(),
            system: None,
            human: None,
            chatter: false,
            identifiers: vec![],
            attributes: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_rollback_is_judged_by_the_version_it_ends_at() {
        let written = utc("2026-11-20T23:15:00Z");
        let records = [
            machine(
                "2026-11-20T23:12:40Z",
                "info",
                "rollback started from=2.14.0 to=2.13.4",
            ),
            machine(
                "2026-11-20T23:14:05Z",
                "info",
                "rollback finished version=2.13.4",
            ),
        ];
        let claim = &claims("rolled back to 2.14.0 at 23:14 UTC", written, &Zone::Utc)[0];
        let (result, cited, note) = judge(claim, written, &records).unwrap();
        assert_eq!(result, CheckResult::Contradicted);
        assert_eq!(cited, [1]);
        assert!(note.ends_with("at 23:14:05: not 2.14.0"), "{note}");
        let claim = &claims("rolled back to 2.13.4", written, &Zone::Utc)[0];
        assert_eq!(
            judge(claim, written, &records).unwrap().0,
            CheckResult::Supported
        );
    }

    #[test]
    fn errors_stopped_is_judged_by_the_run_of_errors_going_on() {
        let written = utc("2026-11-20T10:06:00Z");
        let mut records: Vec<EventRow> = (0..20)
            .map(|i| {
                machine(
                    &format!("2026-11-20T09:{:02}:00Z", 40 + i),
                    "error",
                    "checkout-api 502",
                )
            })
            .collect();
        records.push(machine("2026-11-20T10:02:00Z", "error", "checkout-api 502"));
        records.push(machine("2026-11-20T10:06:30Z", "error", "checkout-api 502"));
        records.push(machine("2026-11-20T10:09:40Z", "error", "checkout-api 502"));
        // A new burst much later is another story.
        records.push(machine("2026-11-20T10:40:00Z", "error", "checkout-api 502"));
        let claim = &claims("checkout errors stopped at 10:05", written, &Zone::Utc)[0];
        let (result, _, note) = judge(claim, written, &records).unwrap();
        assert_eq!(result, CheckResult::Contradicted);
        assert_eq!(
            note,
            "logs show the last error at 10:09:40, 4m40s after the stated time"
        );
        let claim = &claims("checkout errors stopped at 10:10", written, &Zone::Utc)[0];
        let (result, _, note) = judge(claim, written, &records).unwrap();
        assert_eq!(result, CheckResult::Supported);
        assert_eq!(
            note,
            "logs show the last error at 10:09:40, 20s before the stated time"
        );
    }

    proptest::proptest! {
        // Statements are whatever people typed: reading them never panics.
        #[test]
        fn any_statement_is_read_without_panic(
            text in "(rolled back|errors stopped|restarted|flag|off|at|since|~|UTC|Europe/Berlin|[0-9:. ;-]|é|[a-z]){0,24}",
            written in proptest::num::i64::ANY,
        ) {
            let _ = claims(&text, written, &Zone::Utc);
            let _ = claims(&text, written, &Zone::parse("Europe/Berlin").unwrap());
        }
    }

    #[test]
    fn target_version_is_the_one_rolled_back_to() {
        assert_eq!(
            target_version("from 2.14.0 to 2.13.4").as_deref(),
            Some("2.13.4")
        );
        assert_eq!(
            target_version("rollback from=2.14.0 to=2.13.4").as_deref(),
            Some("2.13.4")
        );
        assert_eq!(
            target_version("version=2.13.4 env=prod").as_deref(),
            Some("2.13.4")
        );
        assert_eq!(target_version("no version"), None);
    }
}
