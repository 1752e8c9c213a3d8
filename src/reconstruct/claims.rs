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
use super::place::EntryFacts;
use crate::error::Result;
use crate::model::{Check, CheckResult, Entry, Verification, Zone};
use crate::notable::{first_line, signal_of, SignalClass};
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
#[derive(Debug, Clone, PartialEq, Eq)]
enum Act {
    Rollback,
    Deploy,
    Restart,
    /// More replicas, nodes or capacity.
    Scale,
    /// An object holds a role now ("pg-b is leader"): the role word.
    Role(String),
    ErrorsStopped,
    /// An object is back to normal ("payfast recovered"): its errors
    /// stopped.
    Recovered,
    /// A feature flag set on (`true`) or off.
    Flag(bool),
    /// Any other act done to a named object ("renewed the certificate",
    /// "paused migration 0042"), known by its verb alone.
    Other,
}

impl Act {
    /// The change the state-change vocabulary names for this act.
    fn change(&self) -> Option<&'static str> {
        match self {
            Act::Rollback => Some("rollback"),
            Act::Deploy => Some("deploy"),
            Act::Restart => Some("restart"),
            Act::Scale => Some("scale"),
            Act::Role(_) => Some("failover"),
            Act::Flag(_) => Some("flag"),
            Act::ErrorsStopped | Act::Recovered | Act::Other => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Claim {
    /// The clause as written.
    text: String,
    act: Act,
    /// The stem of the verb as written ("renew" of "renewed"): a machine
    /// record using the same verb states the same act.
    stem: Option<String>,
    /// Named things (hosts, services, flags), lower case.
    objects: Vec<String>,
    version: Option<String>,
    /// The response status a claim about errors names ("429s stopped"):
    /// those responses, whatever their level, are the errors it means.
    status: Option<String>,
    /// The stated time, UTC microseconds.
    stated: Option<i64>,
    /// The stated clock time as written when it names no zone: it was read
    /// in the writer's, which the check's note names.
    unzoned: Option<String>,
}

/// A clock time a statement names, with the word that ties it to the act:
/// "at 23:14 UTC", "since ~00:42", "around 3:05pm PT", "at 11am CET".
static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:at|since|around|about|by|from|until|till|@)\s*~?\s*(?P<clock>(?P<h>2[0-3]|[01]?\d)(?::(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?)?(?:\s*(?P<ampm>[ap])\.?m\b\.?)?)(?:\s*(?P<zone>utc|gmt|z\b|[+-]\d\d:?\d\d|[A-Za-z]+/[A-Za-z_]+|(?-i:[A-Z]{2,5})\b))?",
    )
    .expect("valid regex")
});

/// The first clock time `text` states: minutes written, or a 12-hour
/// clock's am/pm ("at 3pm"); "at 3 replicas" is no time.
fn stated_in(text: &str) -> Option<regex::Captures<'_>> {
    STATED.captures_iter(text).find(|c| {
        let hour = c["h"].parse::<u32>().unwrap_or(99);
        match (c.name("m"), c.name("ampm")) {
            (_, Some(_)) => (1..=12).contains(&hour),
            (Some(_), None) => true,
            (None, None) => false,
        }
    })
}

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
/// Errors as people name them, in lower case (also how detection hears a
/// responder speak of trouble: `place.rs`).
pub(super) static ERROR_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(errors?|5xx|5\d\ds?|4xx|4\d\ds|failures?|failing|exceptions?|npes?|timeouts?|crash(es|ing)?|panics?|ooms?)\b",
    )
        .expect("valid regex")
});
/// A response status named as the errors: "429s", "the 503s".
static STATUS_NAMED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([45]\d\d)s?\b").expect("valid regex"));
static STOPPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(stopped|gone|cleared|back to normal|recovered|subsided|ended|no more|no longer)\b",
    )
    .expect("valid regex")
});
/// An object back to normal; the word before it names the object.
static RECOVERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(recovered|(is|are) back|back to normal|(healthy|available|up) again|(looks?|looking|is|are|been|stays?|stayed) (all )?(healthy|green|stable))\b")
        .expect("valid regex")
});
static DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(done|finished|complete|completed|succeeded)\b").expect("valid regex")
});
static OFF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(off|disabled|false)\b").expect("valid regex"));
static ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(on|enabled|true)\b").expect("valid regex"));
/// A flag set by name without the word "flag": "turned new_pricing off",
/// "new_pricing was switched on", "disabled new_checkout".
static SWITCHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:switch|switched|turn|turned|toggle|toggled|flip|flipped|set)\b(?:\s+[\w.-]+){0,2}?\s+(on|off|true|false)\b|\b(enabled|disabled|re-?enabled)\b",
    )
    .expect("valid regex")
});
/// A record's flag state as a value: `value=false`, `"enabled": true`.
static FLAG_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[=:]\s*"?(true|false|on|off|enabled|disabled)\b"#).expect("valid regex")
});
static REPLICA_SET_SCALED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bscaled (up|down) replica set\b").expect("valid regex"));
/// The size scaled to: "to 6 replicas", "replica set web-7d9f to 6".
static SCALED_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bto (\d+)(?: (?:replicas|pods|instances|nodes|workers))?\s*(?:$|[,.;)]|\s)")
        .expect("valid regex")
});
static SCALED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(scaled|upscaled)\b|\b(added|adding) (more )?(capacity|replicas|nodes|instances|pods|workers)\b|\bcapacity (was |were |has been |is )?(added|increased|doubled)\b",
    )
    .expect("valid regex")
});
/// "pg-b is leader now", "promoted pg-b to primary", "failed over to pg-b"
/// (not "lost the connection to primary").
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:is|as|became|now) (?:the )?(?:new )?(leader|primary|master)\b|\bpromoted [\w.-]+ to (?:the )?(leader|primary|master)\b|\bfailed over\b",
    )
    .expect("valid regex")
});
/// A failover named as a noun that happened: "failover happened at 10:12",
/// "the switchover completed".
static FAILOVER_DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:failover|fail-over|switchover)\b.*\b(?:happened|done|finished|complete|completed|succeeded|occurred|went through)\b")
        .expect("valid regex")
});
/// A clause whose subject comes first and is acted on ("nginx reloaded at
/// 10:50", "the cert was renewed"): the word and the verb in the past.
static UNDERWENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:the|a|an|our|all|both)\s+)?([\w.-]+)\s+(?:(?:was|were|got|has been|have been|is|are)\s+)?([a-z]{3,}ed)\b",
    )
    .expect("valid regex")
});
/// A clause that opens with a verb in the past ("renewed the cert",
/// "we paused migration 0042"): the verb and the word it acts on.
static DID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:i|we|they|just|have|has|already|also|then)\s+)*([a-z]{3,}ed)\s+(?:(?:the|a|an|our|all|both)\s+)?([\w.-]+)",
    )
    .expect("valid regex")
});
/// Sentences end at ". " (not inside a version), ";", "!" or a line break.
static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[.!;](\s|$)|\n").expect("valid regex"));
/// Within a sentence, a comma or "and" may start another claim
/// ("renewed the cert and reloaded nginx").
static PART_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r",\s|\s+and\s+").expect("valid regex"));
/// Who acted, not what was acted on: "we restarted" names no object.
const PRONOUNS: &[&str] = &[
    "i",
    "we",
    "they",
    "he",
    "she",
    "someone",
    "somebody",
    "everything",
    "this",
    "that",
];
/// Words that connect, not name: never an object.
const LINKING: &[&str] = &[
    "on", "at", "to", "in", "for", "from", "back", "off", "up", "down", "out", "it", "them", "is",
    "are", "was", "were", "has", "have", "now", "all", "the", "and", "too", "again", "by", "with",
    "of", "as", "into", "over", "via",
];

/// The stem of a verb in the past: "renew" of "renewed", "paus" of
/// "paused", which the present and the noun share ("renewing",
/// "pausing"). None for a verb too short to be told apart.
fn stem(verb: &str) -> Option<String> {
    let stem = verb.strip_suffix("ed")?;
    let stem = match stem.as_bytes() {
        // "stopped" → "stop".
        [.., a, b] if a == b && !matches!(a, b'l' | b's') => &stem[..stem.len() - 1],
        _ => stem,
    };
    (stem.len() >= 3).then(|| stem.to_string())
}

/// The act a clause (in lower case) claims, with the stem of its verb and
/// a word it names as the object beyond the hyphenated names.
fn act_of(clause: &str) -> Option<(Act, Option<String>, Option<String>)> {
    let has = |words: &[&str]| words.iter().any(|w| clause.contains(w));
    if INTENT.is_match(clause) {
        return None;
    }
    // "restarted nginx", else "nginx was restarted": the verb and the
    // word acted on.
    let did = DID
        .captures(clause)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .or_else(|| {
            UNDERWENT
                .captures(clause)
                .map(|c| (c[2].to_string(), c[1].to_string()))
        });
    let verb = did.as_ref().and_then(|(verb, _)| stem(verb));
    let acted_on = did
        .as_ref()
        .map(|(_, object)| object.trim_matches('.').to_string())
        .filter(|w| {
            w.chars().any(char::is_alphabetic)
                && !LINKING.contains(&w.as_str())
                && !PRONOUNS.contains(&w.as_str())
        });
    if has(&["rolled back", "reverted"]) || (clause.contains("rollback") && DONE.is_match(clause)) {
        return Some((Act::Rollback, None, None));
    }
    if has(&["deployed", "rolled out"]) || (clause.contains("deploy") && DONE.is_match(clause)) {
        return Some((Act::Deploy, verb.filter(|v| v == "deploy"), None));
    }
    if has(&["restarted", "bounced", "rebooted"]) {
        return Some((Act::Restart, verb, acted_on));
    }
    if ERROR_WORDS.is_match(clause) && STOPPED.is_match(clause) {
        return Some((Act::ErrorsStopped, None, None));
    }
    if clause.contains("flag") || SWITCHED.is_match(clause) {
        if OFF.is_match(clause) {
            return Some((Act::Flag(false), None, None));
        }
        if ON.is_match(clause) {
            return Some((Act::Flag(true), None, None));
        }
    }
    if SCALED.is_match(clause) {
        let verb = verb.filter(|v| v.starts_with("scal"));
        // "scaled web to 24": what was scaled; "added capacity" names none.
        let scaled = acted_on.filter(|_| verb.is_some());
        return Some((Act::Scale, verb, scaled));
    }
    if let Some(c) = ROLE.captures(clause) {
        let role = c.get(1).or(c.get(2)).map_or("primary", |m| m.as_str());
        return Some((Act::Role(role.to_string()), None, None));
    }
    if FAILOVER_DONE.is_match(clause) {
        return Some((Act::Role("primary".to_string()), None, None));
    }
    if let Some(m) = RECOVERED.find(clause) {
        // The object is the word before: "payfast recovered", "the
        // checkout pods are back".
        let subject = clause[..m.start()]
            .split_whitespace()
            .rev()
            .find(|w| !LINKING.contains(w))
            .map(str::to_string);
        return Some((Act::Recovered, None, subject));
    }
    let (Some(verb), Some(object)) = (verb, acted_on) else {
        return None;
    };
    Some((Act::Other, Some(verb), Some(object)))
}

/// Whether `text[at..at + len]` is a word of its own, not part of a
/// longer number or name ("429" in "HTTP 429", not in "14290").
fn word_at(text: &str, at: usize, len: usize) -> bool {
    let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    !joined(text[..at].chars().next_back()) && !joined(text[at + len..].chars().next())
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
        let sentence = raw.rsplit_once("comment:").map_or(raw, |(_, c)| c).trim();
        // A stated time holds for every part: "renewed the cert and
        // reloaded nginx at 01:03".
        let sentence_time = stated_in(sentence);
        let time_at = sentence_time
            .as_ref()
            .and_then(|c| c.get(0))
            .map_or(0, |m| m.start());
        let starts = std::iter::once(0).chain(PART_END.find_iter(sentence).map(|m| m.end()));
        let ends = PART_END
            .find_iter(sentence)
            .map(|m| m.start())
            .chain([sentence.len()]);
        for (from, to) in starts.zip(ends) {
            let part = &sentence[from..to];
            let before_time = from <= time_at;
            let clause = part.trim();
            let lower = clause.to_lowercase();
            let Some((act, stem, acted_on)) = act_of(&lower) else {
                continue;
            };
            let mut rest = clause.to_string();
            let (stated, unzoned) = match stated_in(clause) {
                Some(c) => {
                    rest = clause.replace(&c[0], " ");
                    read_stated(&c, written, zone)
                }
                // "A and B at 01:03": the time ends the list it belongs to.
                None if before_time => sentence_time
                    .as_ref()
                    .map_or((None, None), |c| read_stated(c, written, zone)),
                None => (None, None),
            };
            let version = target_version(&rest);
            let status = STATUS_NAMED
                .captures(&rest)
                .map(|c| c[1].to_string())
                .filter(|_| act == Act::ErrorsStopped);
            let mut objects: Vec<String> = rest
                .split(|ch: char| !(ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.' | '/')))
                .map(|w| w.trim_matches('.'))
                .filter(|w| {
                    w.chars().any(char::is_alphabetic)
                        && (w.contains('-') || w.contains('_'))
                        && !TICKET_KEY.is_match(w)
                })
                .map(str::to_lowercase)
                .collect();
            if let Some(word) = acted_on.filter(|w| !objects.contains(w)) {
                objects.push(word);
            }
            out.push(Claim {
                text: clause.to_string(),
                act,
                stem,
                objects,
                version,
                status,
                stated,
                unzoned,
            });
        }
    }
    out
}

/// The zone a stated time names: `UTC`, `+02:00`, `Europe/Berlin`, an
/// abbreviation with one offset (`CEST`), or the US zones people name
/// without saying summer or winter (`PT`, `ET`). An ambiguous one (`CST`,
/// `IST`) or a word that is none names no zone.
fn named_zone(c: &regex::Captures) -> Option<Zone> {
    let z = c.name("zone")?.as_str();
    if z.eq_ignore_ascii_case("gmt") || z.eq_ignore_ascii_case("z") {
        return Some(Zone::Utc);
    }
    let us = match z {
        "PT" => Some("America/Los_Angeles"),
        "MT" => Some("America/Denver"),
        "CT" => Some("America/Chicago"),
        "ET" => Some("America/New_York"),
        _ => None,
    };
    if let Some(name) = us {
        return Zone::parse(name).ok();
    }
    match factline_parsers::time::zone_abbreviation(z) {
        Some(offset) => offset
            .and_then(chrono::FixedOffset::east_opt)
            .map(Zone::Fixed),
        None => Zone::parse(z).ok(),
    }
}

/// A stated time as UTC, with its clock time as written when it names no
/// zone.
fn read_stated(c: &regex::Captures, written: i64, zone: &Zone) -> (Option<i64>, Option<String>) {
    let stated = stated_time(c, written, zone);
    let unzoned =
        (stated.is_some() && named_zone(c).is_none()).then(|| c["clock"].trim().to_string());
    (stated, unzoned)
}

/// A stated clock time as UTC: in the zone the writer named, else the
/// writer's zone, on the date (in that zone) that puts it nearest to when
/// the statement was written.
fn stated_time(c: &regex::Captures, written: i64, zone: &Zone) -> Option<i64> {
    let named = named_zone(c);
    let zone = named.as_ref().unwrap_or(zone);
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let hour = match c.name("ampm").map(|m| m.as_str().to_ascii_lowercase()) {
        Some(half) => num("h")? % 12 + if half == "p" { 12 } else { 0 },
        None => num("h")?,
    };
    let time = NaiveTime::from_hms_opt(hour, num("m").unwrap_or(0), num("s").unwrap_or(0))?;
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

/// Where `to` lies from `from`, the time a claim is judged `against`:
/// "4m40s after the stated time", "5s before the statement", "at the
/// stated time".
fn difference(from: i64, to: i64, against: &str) -> String {
    let d = to - from;
    if d.abs() < 1_000_000 {
        return match against.strip_prefix("the stated ") {
            Some(_) => format!("at {against}"),
            None => format!("at the time of {against}"),
        };
    }
    format!(
        "{} {} {against}",
        format_duration(d.abs()),
        if d > 0 { "after" } else { "before" }
    )
}

fn summary_of(event: &EventRow) -> String {
    super::candidate::shorten(&event.message)
}

/// Whether a machine record states the act a claim names: the
/// state-change vocabulary gives it that change, or it uses the claim's
/// own verb ("Renewing an existing certificate" for "renewed the cert")
/// and states no other change.
fn states(claim: &Claim, event: &EventRow) -> bool {
    let signal = signal_of(first_line(&event.message)).map(|s| &s.class);
    let change = match signal {
        Some(SignalClass::Change(c)) => Some(c.as_str()),
        _ => None,
    };
    if change.is_some() && change == claim.act.change() {
        return true;
    }
    let message = event.message.to_lowercase();
    // Kubernetes records a deployment scaled by hand as it records a
    // rollout's steps ("Scaled up replica set checkout-7d9f8 to 6"), which
    // the vocabulary names a deploy.
    if claim.act == Act::Scale && REPLICA_SET_SCALED.is_match(&message) {
        return true;
    }
    if let Act::Role(role) = &claim.act {
        // "promoted self to leader"; "lost leadership" is no new leader.
        return signal.is_none_or(|s| *s != SignalClass::Impact) && message.contains(role.as_str());
    }
    // A record of another named change is not this act ("rollback of
    // deploy 41" is no deploy), unless the claim's act has no name.
    let other_change = change.is_some() && claim.act.change().is_some();
    claim
        .stem
        .as_deref()
        .is_some_and(|stem| !other_change && message.contains(stem))
}

/// The state a flag record sets: its value (`value=false`) where it
/// writes one, else its words ("toggled off").
fn flag_state(message: &str) -> Option<bool> {
    let m = message.to_lowercase();
    if let Some(c) = FLAG_VALUE.captures(&m) {
        return Some(matches!(&c[1], "true" | "on" | "enabled"));
    }
    match (ON.is_match(&m), OFF.is_match(&m)) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// The size a text says something was scaled to.
fn scaled_to(text: &str) -> Option<u64> {
    SCALED_TO.captures(text)?[1].parse().ok()
}

/// Where a machine record of a claimed act may lie.
fn act_span(claim: &Claim, written: i64) -> (i64, i64) {
    match claim.stated {
        Some(t) => (t - STATED_TOLERANCE, t + STATED_TOLERANCE),
        None => (written - UNSTATED_BEFORE, written + UNSTATED_AFTER),
    }
}

/// The machine records (not statements) a filter selects.
fn machine_records(store: &Store, filter: &EventFilter) -> Result<Vec<EventRow>> {
    let mut machine = Vec::new();
    store.each_event(filter, |e| {
        if !is_statement(&e) {
            machine.push(e);
        }
        Ok(())
    })?;
    Ok(machine)
}

/// Judges one claim against the machine records around it.
fn judge(
    claim: &Claim,
    written: i64,
    machine: &[EventRow],
) -> Option<(CheckResult, Vec<usize>, String)> {
    let anchor = claim.stated.unwrap_or(written);
    let (lo, hi) = act_span(claim, written);
    let objects = known_objects(claim, machine);
    let of_object = |e: &EventRow| objects.iter().all(|o| mentions(e, o));
    let against = if claim.stated.is_some() {
        "the stated time"
    } else {
        "the statement"
    };
    if matches!(claim.act, Act::ErrorsStopped | Act::Recovered) {
        // Something back to normal must name what: "it recovered" says
        // nothing checkable.
        if claim.act == Act::Recovered && objects.is_empty() {
            return None;
        }
        // The responses named, as a client that retries them logs them
        // (a warning), else anything logged as an error.
        let is_error = |e: &EventRow| match &claim.status {
            Some(status) => {
                level_rank(e.level.as_deref()) >= 2
                    && e.message
                        .match_indices(status.as_str())
                        .any(|(at, _)| word_at(&e.message, at, status.len()))
            }
            None => level_rank(e.level.as_deref()) >= 3,
        };
        let errors: Vec<usize> = (0..machine.len())
            .filter(|&i| is_error(&machine[i]) && of_object(&machine[i]))
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
                "logs show the last error at {}, {}",
                hms(t),
                difference(anchor, t, against)
            );
            return Some((CheckResult::Contradicted, vec![i], note));
        }
        let before = errors.iter().copied().rfind(|&i| {
            machine[i].time <= anchor + STATED_TOLERANCE && machine[i].time >= anchor - LOOK_BEFORE
        })?;
        let t = machine[before].time;
        let note = format!(
            "logs show the last error at {}, {}",
            hms(t),
            difference(anchor, t, against)
        );
        return Some((CheckResult::Supported, vec![before], note));
    }
    // Acts that name no version need their object, or for a scale-up or
    // a role taken a stated time, to single out a record.
    let needs_object = match claim.act {
        // "failover happened at 10:12": there is one primary to fail over.
        Act::Role(_) | Act::Scale => claim.stated.is_none(),
        Act::Restart | Act::Flag(_) | Act::Other => true,
        _ => false,
    };
    if needs_object && objects.is_empty() {
        return None;
    }
    let is_act = |e: &EventRow| states(claim, e);
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
        Act::Flag(on) => flag_state(&e.message).map(|state| state == on),
        // The size scaled to, where both write one.
        Act::Scale => match (scaled_to(&claim.text), scaled_to(&e.message)) {
            (Some(claimed), Some(recorded)) => Some(claimed == recorded),
            _ => Some(true),
        },
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
    // A deploy or rollback said done is its finish, where the records
    // mark one within the tolerance, rather than its start.
    let best = |set: &[usize]| {
        let finishes: Vec<usize> = set
            .iter()
            .copied()
            .filter(|&i| {
                matches!(claim.act, Act::Deploy | Act::Rollback)
                    && DONE.is_match(&machine[i].message.to_lowercase())
            })
            .collect();
        closest(&finishes).or_else(|| closest(set))
    };
    if let Some(i) = best(&supporting) {
        let note = format!(
            "{} at {}, {}",
            summary_of(&machine[i]),
            hms(machine[i].time),
            difference(anchor, machine[i].time, against)
        );
        return Some((CheckResult::Supported, vec![i], note));
    }
    let disagreeing: Vec<usize> = acts
        .iter()
        .copied()
        .filter(|&i| agrees(&machine[i]) == Some(false))
        .collect();
    let i = best(&disagreeing)?;
    let claimed = match &claim.act {
        Act::Flag(on) => format!("not {} as stated", if *on { "on" } else { "off" }),
        Act::Scale => format!("not {} as stated", scaled_to(&claim.text).unwrap_or(0)),
        _ => format!("not {}", claim.version.as_deref().unwrap_or("")),
    };
    let note = format!(
        "machine records show {} at {}: {claimed}",
        summary_of(&machine[i]),
        hms(machine[i].time)
    );
    Some((CheckResult::Contradicted, vec![i], note))
}

/// Where the zone a stated time is read in comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ZoneFrom {
    Profile,
    ShiftSheet,
    Source,
}

impl ZoneFrom {
    fn reason(self) -> &'static str {
        match self {
            ZoneFrom::Profile => "the writer's zone from their chat profile",
            ZoneFrom::ShiftSheet => "the writer's zone from the shift sheet",
            ZoneFrom::Source => "the zone its source was read in",
        }
    }
}

/// The zone of the person who wrote a statement at `written`: their chat
/// profile's, else the one the shift sheet gives them (a profile is the
/// person's own setting; a sheet is kept by someone else).
fn writers_zone(facts: &EntryFacts, written: i64, people: &People) -> Option<(Zone, ZoneFrom)> {
    let parse = |z: &str| Zone::parse(z).ok();
    if let Some(zone) = facts.writer_zone.as_deref().and_then(parse) {
        return Some((zone, ZoneFrom::Profile));
    }
    let writer = facts.writer.as_deref()?;
    let zone = people.shift_zone(writer, written).and_then(parse)?;
    Some((zone, ZoneFrom::ShiftSheet))
}

/// A zone as a note names it: a bare offset reads as `UTC+02:00`.
fn zone_label(zone: &Zone) -> String {
    match zone {
        Zone::Fixed(_) => format!("UTC{}", zone.name()),
        _ => zone.name(),
    }
}

/// Checks the claims of every entry that rests only on statements; a
/// supported one becomes corroborated, a contradicted one contradicted.
/// `facts` is aligned with `entries`.
pub(super) fn check(
    store: &Store,
    entries: &mut [Entry],
    facts: &[EntryFacts],
    people: &mut People,
) -> Result<()> {
    let zones: HashMap<i64, Zone> = store
        .sources()?
        .into_iter()
        .filter_map(|s| Zone::parse(&s.tz).ok().map(|z| (s.id, z)))
        .collect();
    for (entry, facts) in entries
        .iter_mut()
        .zip(facts)
        .filter(|(e, _)| e.verification == Verification::Reported)
    {
        let Some(first) = entry.evidence.first() else {
            continue;
        };
        let (zone, why) = writers_zone(facts, entry.time, people)
            .or_else(|| {
                let source = zones.get(&first.source_id).cloned()?;
                Some((source, ZoneFrom::Source))
            })
            .unwrap_or((Zone::Utc, ZoneFrom::Source));
        for claim in claims(&entry.summary, entry.time, &zone) {
            let anchor = claim.stated.unwrap_or(entry.time);
            let filter = EventFilter {
                from: Some(anchor.min(entry.time) - LOOK_BEFORE),
                to: Some(anchor.max(entry.time) + LOOK_AFTER),
                notable_only: true,
            };
            let mut machine = machine_records(store, &filter)?;
            let mut verdict = judge(&claim, entry.time, &machine);
            if verdict.is_none() && !matches!(claim.act, Act::ErrorsStopped | Act::Recovered) {
                // An act is often written by a line not notable on its own
                // ("Renewing an existing certificate"): every record of the
                // span where the act may lie is read, that span only.
                let (lo, hi) = act_span(&claim, entry.time);
                let span = EventFilter {
                    from: Some(lo),
                    to: Some(hi),
                    notable_only: false,
                };
                machine = machine_records(store, &span)?;
                verdict = judge(&claim, entry.time, &machine);
            }
            if let Some((result, cited, mut note)) = verdict {
                // A reading in UTC for want of any zone goes without saying.
                let said = why != ZoneFrom::Source || zone != Zone::Utc;
                if let Some(clock) = claim.unzoned.as_deref().filter(|_| said) {
                    note.push_str(&format!(
                        "; {clock} read in {}, {}",
                        zone_label(&zone),
                        why.reason()
                    ));
                }
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
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].act, Act::Rollback);
        assert_eq!(
            (&found[1].act, &found[1].objects[..]),
            (&Act::Recovered, &["pool".to_string()][..])
        );
        assert_eq!(found[0].version.as_deref(), Some("2.13.4"));
        assert_eq!(found[0].stated, Some(utc("2026-11-20T23:14:00Z")));
        assert_eq!(found[0].unzoned, None);
        // Without a named zone, the writer's zone; the date that puts the
        // time nearest to the message (00:14 Berlin is the next day).
        let found = claims("errors stopped since ~00:14", written, &berlin);
        assert_eq!(found[0].act, Act::ErrorsStopped);
        assert_eq!(found[0].stated, Some(utc("2026-11-20T23:14:00Z")));
        assert_eq!(found[0].unzoned.as_deref(), Some("00:14"));
        // A time ending a list holds for its earlier parts, as written.
        let found = claims(
            "renewed the cert and reloaded nginx at 00:13:30",
            written,
            &berlin,
        );
        assert_eq!(found[0].unzoned.as_deref(), Some("00:13:30"));
        let found = claims("restarted api-3 around 23:10", written, &Zone::Utc);
        assert_eq!(found[0].objects, ["api-3"]);
        // Plans and questions claim nothing.
        assert!(claims("Plan: roll back 2.14.0.", written, &Zone::Utc).is_empty());
        assert!(claims("errors stopped?", written, &Zone::Utc).is_empty());
    }

    #[test]
    fn twelve_hour_clocks_and_zone_abbreviations_as_people_write_them() {
        let written = utc("2026-07-03T22:20:00Z");
        let stated = |text: &str| {
            let found = claims(text, written, &Zone::Utc);
            (found[0].stated, found[0].unzoned.clone())
        };
        // 3:05pm in Los Angeles in July is 22:05 UTC.
        assert_eq!(
            stated("restarted redis at 3:05pm PT"),
            (Some(utc("2026-07-03T22:05:00Z")), None)
        );
        assert_eq!(
            stated("rolled back checkout around 6:05 PM ET"),
            (Some(utc("2026-07-03T22:05:00Z")), None)
        );
        // An abbreviation with one offset, whatever the season.
        assert_eq!(
            stated("restarted redis at 00:05 CEST"),
            (Some(utc("2026-07-03T22:05:00Z")), None)
        );
        // An hour with am/pm needs no minutes; without either it is no
        // time ("at 3 replicas").
        assert_eq!(
            stated("reloaded nginx at 10pm"),
            (Some(utc("2026-07-03T22:00:00Z")), Some("10pm".to_string()))
        );
        assert_eq!(stated("scaled web at 3 replicas").0, None);
        // An ambiguous abbreviation names no zone: the writer's is used,
        // and the note says so.
        assert_eq!(
            stated("restarted redis at 22:05 IST"),
            (Some(utc("2026-07-03T22:05:00Z")), Some("22:05".to_string()))
        );
    }

    #[test]
    fn a_bare_offset_is_named_as_one_from_utc() {
        let label = |z: &str| zone_label(&Zone::parse(z).unwrap());
        assert_eq!(label("+02:00"), "UTC+02:00");
        assert_eq!(label("-0930"), "UTC-09:30");
        assert_eq!(label("UTC"), "UTC");
        assert_eq!(label("Europe/Berlin"), "Europe/Berlin");
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
    fn a_deploy_said_done_is_its_finish_not_its_start() {
        let written = utc("2026-08-14T10:43:00Z");
        let records = [
            machine(
                "2026-08-14T10:41:30Z",
                "info",
                "deploy started service=checkout-api version=2.14.1",
            ),
            machine(
                "2026-08-14T10:42:40Z",
                "info",
                "deploy finished service=checkout-api version=2.14.1",
            ),
        ];
        for (said, result) in [
            ("deployed 2.14.1 at 10:42", CheckResult::Supported),
            ("deployed 2.14.2 at 10:42", CheckResult::Contradicted),
        ] {
            let claim = &claims(said, written, &Zone::Utc)[0];
            let (got, cited, note) = judge(claim, written, &records).unwrap();
            assert_eq!((got, cited), (result, vec![1]), "{said}: {note}");
        }
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
        // Errors named by their kind are errors too.
        for said in ["NPEs stopped at 10:05", "checkout 503s gone since 10:05"] {
            let claim = &claims(said, written, &Zone::Utc)[0];
            assert_eq!(claim.act, Act::ErrorsStopped, "{said}");
        }
        // A status named is those responses, warnings as a client logs
        // them; other errors do not count against it.
        let mut retried = records.clone();
        retried.push(machine(
            "2026-11-20T10:07:10Z",
            "warn",
            "checkout-api: stripe returned 429, retrying",
        ));
        retried.push(machine(
            "2026-11-20T10:04:50Z",
            "warn",
            "stripe 429 for checkout",
        ));
        let claim = &claims("checkout 429s stopped at 10:05", written, &Zone::Utc)[0];
        let (result, _, note) = judge(claim, written, &retried).unwrap();
        assert_eq!(result, CheckResult::Contradicted);
        assert_eq!(
            note,
            "logs show the last error at 10:07:10, 2m10s after the stated time"
        );
        let claim = &claims("checkout 429s stopped at 10:08", written, &Zone::Utc)[0];
        let (result, _, _) = judge(claim, written, &retried).unwrap();
        assert_eq!(result, CheckResult::Supported);
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

    /// A record as the given host and service wrote it.
    fn record(time: &str, host: &str, service: &str, message: &str) -> EventRow {
        EventRow {
            host: Some(host.into()),
            service: Some(service.into()),
            ..machine(time, "info", message)
        }
    }

    fn verdict(text: &str, written: &str, records: &[EventRow]) -> Vec<Option<CheckResult>> {
        let written = utc(written);
        claims(text, written, &Zone::Utc)
            .iter()
            .map(|c| judge(c, written, records).map(|(r, _, _)| r))
            .collect()
    }

    #[test]
    fn a_flag_named_without_the_word_flag_is_judged_by_its_value() {
        // A JSON change record as the jsonl reader shows it.
        let records = [
            record(
                "2026-02-03T14:20:05Z",
                "cfg-1",
                "flags",
                "feature flag changed flag=fast_search value=true changed_by=ui",
            ),
            record(
                "2026-02-03T14:31:40Z",
                "cfg-1",
                "flags",
                "feature flag changed flag=fast_search value=false changed_by=ui",
            ),
        ];
        let at = "2026-02-03T14:33:00Z";
        let found = claims(
            "we turned fast_search off, latency dropping",
            utc(at),
            &Zone::Utc,
        );
        assert_eq!(found[0].act, Act::Flag(false));
        assert_eq!(found[0].objects, ["fast_search"]);
        assert_eq!(
            verdict("we turned fast_search off", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(
            verdict("fast_search was switched on at 14:20", at, &records),
            [Some(CheckResult::Supported)]
        );
        // The record there sets the other state.
        assert_eq!(
            verdict("fast_search was switched on at 14:31", at, &records),
            [Some(CheckResult::Contradicted)]
        );
        assert_eq!(
            verdict("set fast_search to false", at, &records),
            [Some(CheckResult::Supported)]
        );
        // Another flag is another object.
        assert_eq!(verdict("disabled dark_theme", at, &records), [None]);
    }

    #[test]
    fn acts_named_by_their_verb_are_found_in_lines_using_the_same_verb() {
        let records = [
            record(
                "2026-04-09T03:11:02Z",
                "lb-4",
                "certbot",
                "Renewing an existing certificate for shop.example.net",
            ),
            record(
                "2026-04-09T03:11:40Z",
                "lb-4",
                "systemd",
                "Reloaded haproxy.service - HAProxy Load Balancer.",
            ),
            record(
                "2026-04-09T03:12:10Z",
                "batch-1",
                "jobs",
                "job nightly_export suspended by operator",
            ),
        ];
        let at = "2026-04-09T03:14:00Z";
        let found = claims(
            "renewed the cert and reloaded haproxy on lb-4",
            utc(at),
            &Zone::Utc,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].stem.as_deref(), Some("renew"));
        assert_eq!(found[0].objects, ["cert"]);
        assert_eq!(found[1].objects, ["lb-4", "haproxy"]);
        assert_eq!(
            verdict(
                "renewed the cert and reloaded haproxy on lb-4",
                at,
                &records
            ),
            [Some(CheckResult::Supported), Some(CheckResult::Supported)]
        );
        // A time at the end holds for the whole list.
        let found = claims(
            "Renewed the certificate and reloaded haproxy at 03:11 UTC",
            utc(at),
            &Zone::Utc,
        );
        assert!(found
            .iter()
            .all(|c| c.stated == Some(utc("2026-04-09T03:11:00Z"))));
        // No record uses the verb: not checked, whatever the object.
        assert_eq!(verdict("paused nightly_export", at, &records), [None]);
        // No record of the object.
        assert_eq!(verdict("reloaded envoy", at, &records), [None]);
        // Words that merely follow a verb in the past are no object.
        assert!(claims("checked on it", utc(at), &Zone::Utc).is_empty());
    }

    #[test]
    fn scaling_leaders_and_recoveries_are_read_in_the_words_people_use() {
        let records = [
            record(
                "2026-07-21T19:02:31Z",
                "k8s",
                "kube-controller-manager",
                "SuccessfulRescale horizontalpodautoscaler/api: New size: 18; reason: cpu above target",
            ),
            record(
                "2026-07-21T19:04:10Z",
                "db-east-2",
                "patroni",
                "promoted self to leader by acquiring session lock",
            ),
            EventRow {
                host: Some("gw-1".into()),
                ..machine(
                    "2026-07-21T19:05:50Z",
                    "error",
                    "acquirer call failed: 502 (acquirer=cardco)",
                )
            },
        ];
        let at = "2026-07-21T19:08:00Z";
        // A status update names no object but a time.
        assert_eq!(
            verdict("More capacity was added at 19:02 UTC", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(verdict("capacity was added", at, &records), [None]);
        // Patroni's promotion is a failover in the vocabulary: the new
        // leader is the new primary, whichever word the person used.
        assert_eq!(
            verdict("db-east-2 is the new primary", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(
            verdict("db-east-2 is leader now", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(verdict("db-west-1 is leader now", at, &records), [None]);
        assert_eq!(
            verdict("promoted db-east-2 to leader", at, &records),
            [Some(CheckResult::Supported)]
        );
        // Words around a role that claim none.
        assert!(claims("db-east-2 lost its link to primary", utc(at), &Zone::Utc).is_empty());
        assert!(claims("acknowledged by db-east-2", utc(at), &Zone::Utc).is_empty());
        assert_eq!(
            verdict("cardco recovered at 19:06", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(
            verdict("cardco recovered at 19:02", at, &records),
            [Some(CheckResult::Contradicted)]
        );
        // Recovered without a name checks nothing.
        assert_eq!(verdict("it recovered at 19:06", at, &records), [None]);
        // Healthy, green, stable: the same state in other words.
        assert_eq!(
            verdict("cardco looks healthy since 19:06", at, &records),
            [Some(CheckResult::Supported)]
        );
        assert_eq!(
            verdict("cardco is stable since 19:03", at, &records),
            [Some(CheckResult::Contradicted)]
        );
    }

    #[test]
    fn another_named_change_does_not_stand_for_the_claimed_one() {
        let records = [machine(
            "2026-05-02T08:10:00Z",
            "info",
            "rollback of deploy 41 finished for checkout-api",
        )];
        assert_eq!(
            verdict("deployed checkout-api", "2026-05-02T08:12:00Z", &records),
            [None]
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

    /// A failover told as a noun with its time, and an act told with the
    /// thing acted on first ("nginx reloaded at 10:50", "pgbouncer was
    /// restarted"), are claims checked like the others.
    #[test]
    fn failovers_as_nouns_and_subjects_before_their_verb_are_claims() {
        let records = vec![
            record(
                "2026-03-10T10:12:20Z",
                "pg-b",
                "patroni",
                "promoted self to leader by acquiring session lock",
            ),
            record(
                "2026-03-10T10:15:10Z",
                "db-1",
                "pgbouncer",
                "pgbouncer restarted by operator",
            ),
            record(
                "2026-03-10T10:50:00Z",
                "web-1",
                "nginx",
                "nginx: configuration reloaded",
            ),
            record(
                "2026-03-10T10:55:00Z",
                "web-1",
                "certbot",
                "Certificate renewed for api.example.com",
            ),
        ];
        let supported = [Some(CheckResult::Supported)];
        for (text, written) in [
            ("failover happened at 10:12", "2026-03-10T10:14:00Z"),
            ("the switchover to pg-b completed", "2026-03-10T10:13:00Z"),
            (
                "pgbouncer was restarted around 10:15",
                "2026-03-10T10:16:00Z",
            ),
            ("nginx reloaded at 10:50", "2026-03-10T10:51:00Z"),
            ("the cert was renewed at 10:55 UTC", "2026-03-10T10:56:00Z"),
        ] {
            assert_eq!(verdict(text, written, &records), supported, "{text}");
        }
        // A failover at another time, a subject nothing recorded, and a
        // person as the subject are not supported.
        let none = |text: &str, written: &str| {
            verdict(text, written, &records)
                .iter()
                .all(|v| *v != Some(CheckResult::Supported))
        };
        assert!(none("failover happened at 09:30", "2026-03-10T10:14:00Z"));
        assert!(none("haproxy reloaded at 10:50", "2026-03-10T10:51:00Z"));
        let we = claims("we reloaded", utc("2026-03-10T10:51:00Z"), &Zone::Utc);
        assert!(
            we.iter()
                .all(|c| c.objects.is_empty() && c.act != Act::Other),
            "{we:?}"
        );
    }
}
