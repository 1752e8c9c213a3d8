//! Clock skew, estimated after ingest from facts that two sources both
//! record: the same request or trace id in a proxy's and an app's lines,
//! the same alert id in two alerting tools, the same pod restart in a
//! node's kubelet log and in the cluster's Kubernetes events. For each
//! pair of sources the median of the paired time differences is their
//! relative offset, trusted from [`MIN_PAIRS`] pairs (or
//! [`MIN_ONE_OFF_PAIRS`] of one-off facts: a deploy's start, an alert, a
//! restart) whose spread stays within [`MAX_SPREAD`]. Offsets are
//! relative: SaaS timestamps (paging, chat, ticketing) and Kubernetes
//! events (paired at their API server's time) are the reference where
//! they take part, else the host that agrees with the most others. An
//! offset near a whole or half hour is a zone read wrongly, and is named
//! instead of applied (docs/time.md#clock-skew).
//!
//! The facts are sampled while normalizing ([`FactSample`], stored with
//! the source), so estimating reads a few thousand rows per source, not
//! the evidence again.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hasher;
use std::sync::LazyLock;

use chrono::{Offset, TimeZone};
use factline_parsers::time::{Precision, TimeValue, Timestamp};
use regex::Regex;

use super::{IngestConfig, SkewMode};
use crate::error::Result;
use crate::model::{Quality, Zone};
use crate::store::{Skew, SourceRow, Store};
use crate::template::WordHasher;

/// Fewer shared facts than this say nothing about a clock.
const MIN_PAIRS: usize = 5;
/// One-off facts (a rollout's start or finish, an alert) happen a few
/// times in an incident, each a moment both systems mark alike, unlike a
/// request whose two records lie its latency apart: this many of them,
/// agreeing within [`MAX_SPREAD`], are enough.
const MIN_ONE_OFF_PAIRS: usize = 2;
/// Paired differences whose interquartile range is wider than this do not
/// pin an offset down (requests that take seconds, ids reused).
const MAX_SPREAD: i64 = 2_000_000;
/// Below this an offset is request latency and log buffering, not a
/// clock: an upstream proxy logs a request before the app finishes it.
const MIN_APPLIED: i64 = 1_000_000;
/// A clock that is off moves every pair alike; differences that come
/// from how long requests take spread as widely as they lie off zero. An
/// offset is applied only when it is this many times its spread.
const SPREADS_PER_OFFSET: i64 = 3;
/// An offset within this of a whole or half hour is a zone mistake.
const ZONE_TOLERANCE: i64 = 120_000_000;
const HALF_HOUR: i64 = 1_800_000_000;
/// EntryFacts kept per source: enough pairs for any clock, memory bounded.
const SAMPLE: usize = 4096;

/// Zones named when an offset looks like a zone mistake, in the order
/// tried: the first whose offset at that time fits is named.
const ZONES: [&str; 16] = [
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
];

/// Request, trace and correlation ids as logs write them:
/// `request_id=7bb3a422`, `trace_id: 4bf9…`, `request b1e9f4fd failed`,
/// and the root of an AWS trace header (`Root=1-5da09932-2c34…`), which a
/// load balancer adds and the app behind it logs.
static REQUEST_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\broot=(1-[0-9a-f]{8}-[0-9a-f]{24})\b|\b(?:(?:x[_-])?(?:request|req|trace|correlation)[_-]?id|rid)\s*[=:]\s*"?([A-Za-z0-9][A-Za-z0-9._:-]{5,})|\b(?:request|req|trace)\s+([0-9a-f]{8,}(?:-[0-9a-f]{4,})*)\b"#,
    )
    .expect("valid regex")
});

/// A deploy or change id with the moment of its rollout a line records:
/// `deploy d-4411 started`, `rollout of rel-7 finished`. Only the start
/// and the finish are facts, each apart: a start is never paired with a
/// finish, which comes a rollout's length later.
static DEPLOY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:deploy(?:ment)?|rollout|release|change)\s+(?:of\s+)?([A-Za-z0-9][A-Za-z0-9._:-]*[0-9][A-Za-z0-9._:-]*)\s+(?:(started|starting|began|begins)|(finished|completed|succeeded|done))\b",
    )
    .expect("valid regex")
});

/// The words every [`REQUEST_ID`] or [`DEPLOY_ID`] match holds, in lower
/// case: looked for first, as literals, in one pass, because most lines
/// hold no id and the full patterns (case-folded, with captures) cost far
/// more per line. (Lowering the line and a vectorized search of the
/// literals is faster than an automaton that ignores case.)
static ID_WORDS: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new("req|trace|correlation|rid|root=|deploy|rollout|release|change")
        .expect("valid regex")
});

/// What a message's text alone says about the facts it may hold, read
/// once per distinct message (the normalizer remembers it with the
/// message's cluster), so that most lines skip the patterns.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Clues {
    /// It holds a word of [`ID_WORDS`]: it may hold a request or deploy id.
    ids: bool,
    /// It names a pod and a container: it may mark a restart.
    restart: bool,
}

impl Clues {
    /// The clues of `message`, given in lower case too.
    pub(super) fn read(message: &str, lower: &str) -> Clues {
        Clues {
            ids: ID_WORDS.is_match(lower.as_bytes()),
            restart: message.contains("pod") && lower.contains("container"),
        }
    }
}

/// Attribute keys whose values are request or trace ids.
const ID_KEYS: [&str; 10] = [
    "request_id",
    "requestid",
    "req_id",
    "trace_id",
    "traceid",
    "correlation_id",
    "x_request_id",
    "x-request-id",
    "x_amzn_trace_id",
    "x-amzn-trace-id",
];

/// Sources to store again: with an estimated offset ([`estimate`]), or
/// from another year ([`super::years::estimate`]).
#[derive(Debug, Default)]
pub(super) struct Redo {
    /// Their current row ids.
    pub(super) ids: Vec<i64>,
    /// Their paths as shown.
    pub(super) paths: HashSet<String>,
    /// The correction for each, by SHA-256, in microseconds.
    pub(super) offsets: HashMap<String, i64>,
    /// What a user should know: offsets of a second or more, applied or
    /// not; years read from the other evidence.
    pub(super) findings: Vec<String>,
    /// The year each source that writes none is read from, by SHA-256,
    /// where the other evidence decided it ([`super::years`]).
    pub(super) start_years: HashMap<String, i32>,
}

/// How a request or trace id is named as a fact.
const REQUEST: &str = "request ";

fn request_fact(id: &str) -> String {
    format!("{REQUEST}{}", request_id(id))
}

/// The id a request is known by: of an AWS trace header
/// (`Root=1-…;Parent=…;Sampled=1`), its root, which stays the same
/// wherever the request goes while the parent changes at every hop.
fn request_id(id: &str) -> &str {
    id.split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .unwrap_or(id)
}

/// Half the unit a time is written in: a time written to the second
/// stands for the whole second it names, so its facts are paired at the
/// middle of it. Else a clock written to the second (an access log's)
/// would seem half a second slow against one written to the millisecond.
pub(super) fn half_unit(precision: Precision) -> i64 {
    match precision {
        Precision::Minute => 30_000_000,
        Precision::Second => 500_000,
        Precision::Milli | Precision::Micro | Precision::Nano => 0,
    }
}

/// When a record's facts happened by the reference clock: the API
/// server's time of a Kubernetes event (`created`) where it has one, for
/// the kubelet stamps the event with its own node's clock, which is the
/// clock being checked; else the record's own time.
pub(super) fn fact_time(created: Option<&str>, time: i64, precision: Precision) -> i64 {
    match created.and_then(|text| factline_parsers::time::parse_field(text, None)) {
        Some(Timestamp {
            value: TimeValue::Utc(at),
            precision,
            ..
        }) => at + half_unit(precision),
        _ => time + half_unit(precision),
    }
}

/// A pod's container stopping or starting, as the kubelet's own log on
/// the node names it: `"Killing container with a grace period"
/// pod="shop/web-7d9f-x2kq"`, `Started container web in pod web-7d9f-x2kq`.
static POD_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bpod[=:]?\s*"?(?:[a-z0-9-]+/)?([a-z0-9][a-z0-9.-]*-[a-z0-9.-]*[a-z0-9])\b"#)
        .expect("valid regex")
});
/// The kubelet's words for a container stopping and starting, including
/// its pod lifecycle events (`"Type":"ContainerDied"`).
static CONTAINER_STOPPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(kill(ing|ed)?|stopp(ing|ed)|terminat(ing|ed))\b|ContainerDied")
        .expect("valid regex")
});
static CONTAINER_STARTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bstart(ed|ing)?\b|ContainerStarted").expect("valid regex"));

/// The restart a record marks: a pod's container stopped or started, by
/// a Kubernetes event's reason (`Killing`, `Started` about `pod/NAME`) or
/// by a node's log line naming the pod. The same restart seen by the
/// cluster and by the node.
fn restart_fact(
    message: &str,
    restart_clue: bool,
    attributes: &[(Cow<'static, str>, String)],
) -> Option<String> {
    let attribute = |key: &str| factline_parsers::attribute(attributes, key);
    if let (Some(reason), Some(object)) = (attribute("reason"), attribute("object")) {
        let pod = object.strip_prefix("pod/")?;
        let phase = match reason {
            "Killing" => "stop",
            "Started" => "start",
            _ => return None,
        };
        return Some(format!("pod {pod} {phase}"));
    }
    if !restart_clue {
        return None;
    }
    let pod = POD_NAMED.captures(message)?;
    let phase = match (
        CONTAINER_STOPPED.is_match(message),
        CONTAINER_STARTED.is_match(message),
    ) {
        (true, false) => "stop",
        (false, true) => "start",
        _ => return None,
    };
    Some(format!("pod {} {phase}", &pod[1]))
}

/// The facts a record shares with other sources' records.
pub(super) fn facts(
    kind: &str,
    message: &str,
    clues: Clues,
    attributes: &[(Cow<'static, str>, String)],
    identifiers: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    // Only machine records: a person quoting a request id later is no
    // second record of the request.
    if !matches!(kind, "log" | "alert" | "deploy") {
        return out;
    }
    if clues.ids {
        for c in REQUEST_ID.captures_iter(message) {
            if let Some(id) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) {
                if id.as_str().chars().any(|ch| ch.is_ascii_digit()) {
                    out.push(request_fact(id.as_str()));
                }
            }
        }
        for c in DEPLOY_ID.captures_iter(message) {
            // A bare number ("change 12 done") is a count as often as an
            // id; an id has a letter or is a version.
            if !c[1].bytes().any(|b| b.is_ascii_alphabetic() || b == b'.') {
                continue;
            }
            let phase = if c.get(2).is_some() {
                "started"
            } else {
                "finished"
            };
            out.push(format!("deploy {} {phase}", &c[1]));
        }
    }
    for (key, value) in attributes {
        if value.len() >= 6 && ID_KEYS.iter().any(|id| key.eq_ignore_ascii_case(id)) {
            out.push(request_fact(value));
        }
    }
    if kind == "alert" {
        out.extend(identifiers.iter().map(|id| format!("alert {id}")));
    }
    if kind == "log" {
        out.extend(restart_fact(message, clues.restart, attributes));
    }
    out.sort();
    out.dedup();
    out
}

/// The facts of one source kept for pairing: those with the
/// [`SAMPLE`] smallest hashes, each with the time of its first record.
/// Every source keeps by the same hash, so two sources' samples hold the
/// facts they share up to the smaller of their largest kept hashes:
/// memory per source is bounded and the pairs stay pairs.
#[derive(Default)]
pub(super) struct FactSample {
    kept: BTreeMap<u64, (String, i64)>,
    /// Where a request id's fact is spelled out: most are not kept, and a
    /// JSON log may carry one on every line.
    scratch: String,
}

impl FactSample {
    /// Adds the fact of a request or trace id ([`Record::correlation`]).
    ///
    /// [`Record::correlation`]: factline_parsers::Record::correlation
    pub(super) fn add_request(&mut self, id: &str, time: i64) {
        let mut fact = std::mem::take(&mut self.scratch);
        fact.clear();
        fact.push_str(REQUEST);
        fact.push_str(request_id(id));
        self.add(&fact, time);
        self.scratch = fact;
    }

    /// Adds a fact; it is copied only when kept.
    pub(super) fn add(&mut self, fact: &str, time: i64) {
        let mut h = WordHasher::default();
        h.write(fact.as_bytes());
        let key = h.finish();
        if self.kept.len() >= SAMPLE && self.kept.last_key_value().is_some_and(|(k, _)| key > *k) {
            return;
        }
        let slot = self
            .kept
            .entry(key)
            .or_insert_with(|| (fact.to_string(), time));
        slot.1 = slot.1.min(time);
        if self.kept.len() > SAMPLE {
            self.kept.pop_last();
        }
    }

    pub(super) fn into_vec(self) -> Vec<(String, i64)> {
        self.kept.into_values().collect()
    }
}

/// Two sources' paired differences (`a` minus `b`).
struct Edge {
    a: i64,
    b: i64,
    median: i64,
    spread: i64,
    pairs: usize,
    example: String,
}

fn edges(shared: &[(i64, i64, i64, String)]) -> Vec<Edge> {
    let mut diffs: BTreeMap<(i64, i64), (Vec<i64>, usize, &str)> = BTreeMap::new();
    for (a, b, d, fact) in shared {
        let slot = diffs
            .entry((*a, *b))
            .or_insert_with(|| (Vec::new(), 0, fact));
        slot.0.push(*d);
        slot.1 += usize::from(!fact.starts_with(REQUEST));
    }
    diffs
        .into_iter()
        .filter(|(_, (d, one_off, _))| d.len() >= MIN_PAIRS || *one_off >= MIN_ONE_OFF_PAIRS)
        .map(|((a, b), (mut d, _, example))| {
            d.sort_unstable();
            let n = d.len();
            let median = if n % 2 == 1 {
                d[n / 2]
            } else {
                (d[n / 2 - 1] + d[n / 2]) / 2
            };
            Edge {
                a,
                b,
                median,
                // Quartiles taken alike from both ends, so the spread
                // does not depend on which source is subtracted from which.
                spread: d[n - 1 - n / 4] - d[n / 4],
                pairs: n,
                example: example.to_string(),
            }
        })
        .collect()
}

/// The reference clocks: paging, chat and ticketing tools stamp times on
/// their servers, as AWS stamps its load balancers' and CloudTrail's
/// records; Kubernetes events are paired at their API server's time
/// ([`fact_time`]).
fn is_reference(s: &SourceRow) -> bool {
    matches!(s.kind.as_str(), "alert" | "chat" | "ticket" | "shift")
        || matches!(s.parser.as_str(), "k8s-events" | "aws-alb" | "cloudtrail")
}

fn seconds(micros: i64) -> f64 {
    micros as f64 / 1e6
}

/// The zone that explains an offset of whole or half hours, if one does:
/// a source written in local time `zone` but read in `read_as` appears
/// ahead by the difference of their offsets.
fn zone_mistake(skew: i64, s: &SourceRow) -> Option<String> {
    let steps = (skew as f64 / HALF_HOUR as f64).round() as i64;
    if steps == 0 || (skew - steps * HALF_HOUR).abs() > ZONE_TOLERANCE {
        return None;
    }
    let at = chrono::DateTime::from_timestamp_micros(s.first_time?)?.naive_utc();
    let read_as = Zone::parse(&s.tz).ok()?;
    let offset_of = |zone: &Zone| -> Option<i64> {
        let local = zone.utc_to_local(s.first_time?)?;
        (local - at).num_microseconds()
    };
    let wanted = steps * HALF_HOUR + offset_of(&read_as)?;
    let named = ZONES.iter().find(|name| {
        name.parse::<chrono_tz::Tz>().is_ok_and(|tz| {
            i64::from(tz.offset_from_utc_datetime(&at).fix().local_minus_utc()) * 1_000_000
                == wanted
        })
    });
    let hours = format!("{:+}h{:02}", steps / 2, (steps % 2).abs() * 30);
    // A zone given for naive times fixes them; times written with an
    // offset (local time with a `Z`) ignore it, and need the offset.
    let fix = if s.time_quality.contains(Quality::ASSUMED_TZ) || s.tz != "UTC" {
        format!("use --source-tz '{}={}'", s.path, named.unwrap_or(&"ZONE"))
    } else {
        format!(
            "its times carry an offset of their own, so correct them with --offset '{}={}s'",
            s.path,
            -steps * HALF_HOUR / 1_000_000
        )
    };
    Some(match named {
        Some(zone) => format!(
            "an offset of {hours} is a zone mistake, not a drifting clock: looks like {zone} local time read as {}: {fix}",
            read_as.name(),
        ),
        None => format!(
            "an offset of {hours} is a zone mistake, not a drifting clock: {fix}"
        ),
    })
}

/// Estimates every source's clock offset from the stored events, stores
/// the estimates, and says which sources to store again corrected.
pub(super) fn estimate(store: &mut Store, config: &IngestConfig) -> Result<Redo> {
    let sources = store.sources()?;
    let by_id: HashMap<i64, &SourceRow> = sources.iter().map(|s| (s.id, s)).collect();
    let all = edges(&store.shared_facts()?);
    let (good, loose): (Vec<&Edge>, Vec<&Edge>) = all.iter().partition(|e| e.spread <= MAX_SPREAD);

    // Components of sources linked by trusted edges, each with its
    // references: the SaaS sources in it, else the source that agrees
    // (within 1 s) with most others.
    let mut neighbours: BTreeMap<i64, Vec<&Edge>> = BTreeMap::new();
    for e in &good {
        neighbours.entry(e.a).or_default().push(e);
        neighbours.entry(e.b).or_default().push(e);
    }
    let path = |id: i64| by_id.get(&id).map_or("", |s| s.path.as_str());
    let mut estimates: BTreeMap<i64, (i64, &Edge, i64)> = BTreeMap::new();
    let mut placed: HashSet<i64> = HashSet::new();
    // Sources whose clocks disagree with no reference to tell which is right.
    let mut undecided: HashSet<i64> = HashSet::new();
    for &start in neighbours.keys() {
        if placed.contains(&start) {
            continue;
        }
        let mut component = vec![start];
        let mut i = 0;
        while let Some(&id) = component.get(i) {
            for e in &neighbours[&id] {
                let other = if e.a == id { e.b } else { e.a };
                if !component.contains(&other) {
                    component.push(other);
                }
            }
            i += 1;
        }
        component.sort_by_key(|&id| path(id));
        let mut refs: Vec<i64> = component
            .iter()
            .copied()
            .filter(|id| by_id.get(id).is_some_and(|s| is_reference(s)))
            .collect();
        if refs.is_empty() {
            let agreeing = |id: i64| {
                neighbours[&id]
                    .iter()
                    .filter(|e| e.median.abs() < MIN_APPLIED)
                    .count()
            };
            // Without a majority of agreeing clocks nothing tells which
            // of two disagreeing clocks is right.
            if let Some(&best) =
                component
                    .iter()
                    .filter(|&&id| agreeing(id) > 0)
                    .max_by_key(|&&id| {
                        (
                            agreeing(id),
                            neighbours[&id].iter().map(|e| e.pairs).sum::<usize>(),
                        )
                    })
            {
                refs.push(best);
            } else if let Some(&vouched) = component
                .iter()
                .find(|id| by_id.get(id).is_some_and(|s| s.tz != "UTC"))
            {
                // Else a source whose zone the user gave: they vouched for
                // its times, which tells a zone read wrongly on the other
                // side (a logger writing local time with a `Z`).
                refs.push(vouched);
            }
        }
        placed.extend(component.iter().copied());
        if refs.is_empty() {
            undecided.extend(component.iter().copied());
        }
        let mut skew: HashMap<i64, (i64, i64)> = refs.iter().map(|&r| (r, (0, r))).collect();
        // Each step takes the best-paired edge out of the placed sources.
        loop {
            let next = good
                .iter()
                .filter_map(|e| match (skew.get(&e.a), skew.get(&e.b)) {
                    (Some(&(s, root)), None) => Some((e, e.b, s - e.median, root)),
                    (None, Some(&(s, root))) => Some((e, e.a, s + e.median, root)),
                    _ => None,
                })
                .max_by_key(|(e, v, _, _)| (e.pairs, std::cmp::Reverse(path(*v))));
            let Some((e, v, s, root)) = next else { break };
            skew.insert(v, (s, root));
            estimates.insert(v, (s, e, root));
        }
    }

    let mut redo = Redo::default();
    for s in &sources {
        let earlier = s.skew.as_ref();
        // A correction applied by an earlier run stays: its times were
        // stored corrected, and now agree with the reference. (A run
        // stopped between dropping a source and storing it again leaves
        // it uncorrected: then it is estimated afresh.)
        let corrected = s.time_quality.contains(Quality::SKEW_ESTIMATED);
        if earlier.is_some_and(|k| k.applied) && corrected || is_reference(s) {
            continue;
        }
        let found = match estimates.get(&s.id) {
            Some(&(micros, edge, root)) => {
                let other = if edge.a == s.id { edge.b } else { edge.a };
                let evidence = format!(
                    "{} facts shared with {} ({}, e.g. {}), median difference {:+.3} s, spread {:.3} s",
                    edge.pairs,
                    path(other),
                    match edge.example.split(' ').next() {
                        Some("alert") => "alert ids",
                        Some("deploy") => "deploy ids",
                        Some("pod") => "pod restarts",
                        _ => "request ids",
                    },
                    edge.example,
                    seconds(if edge.a == s.id { edge.median } else { -edge.median }),
                    seconds(edge.spread)
                );
                let (applied, verdict) = if let Some(zone) = zone_mistake(micros, s) {
                    (false, zone)
                } else if micros.abs() < MIN_APPLIED {
                    (
                        false,
                        "within 1 s of the reference: left as it is".to_string(),
                    )
                } else if micros.abs() < SPREADS_PER_OFFSET * edge.spread {
                    (
                        false,
                        "no larger than the spread of its pairs: request time, not a clock; left as it is"
                            .to_string(),
                    )
                } else if s.time_quality.contains(Quality::SKEW_ADJUSTED) {
                    (
                        false,
                        "not applied: --offset given for this source".to_string(),
                    )
                } else if config.skew == SkewMode::Report {
                    (false, "not applied (--skew report)".to_string())
                } else {
                    (
                        true,
                        format!(
                            "times corrected by {:+.3} s (skew-estimated)",
                            -seconds(micros)
                        ),
                    )
                };
                Skew {
                    seconds: seconds(micros),
                    pairs: edge.pairs as i64,
                    spread: seconds(edge.spread),
                    reference: path(root).to_string(),
                    applied,
                    note: format!("{evidence}; {verdict}"),
                }
            }
            // Two clocks that disagree, nothing telling which is right.
            None if undecided.contains(&s.id) => {
                let Some(found) = unapplied(s, &good, &path, |e, other, micros| {
                    let verdict = zone_mistake(micros, s).unwrap_or_else(|| {
                        format!(
                            "nothing tells which of the two clocks is right (no SaaS source, \
                             no third clock agreeing with one, no --source-tz given): not \
                             applied; if this one is wrong, correct it with --offset '{}={:+.0}s'",
                            s.path,
                            -seconds(micros)
                        )
                    });
                    format!(
                        "{} facts shared with {other}, median difference {:+.3} s, spread {:.3} s; {verdict}",
                        e.pairs,
                        seconds(micros),
                        seconds(e.spread)
                    )
                }) else {
                    continue;
                };
                found
            }
            None => {
                let Some(found) = unapplied(s, &loose, &path, |e, other, _| {
                    format!(
                        "{} facts shared with {other}, but their differences spread over {:.3} s: no offset can be trusted",
                        e.pairs,
                        seconds(e.spread)
                    )
                }) else {
                    continue;
                };
                found
            }
        };
        if found.seconds.abs() >= seconds(MIN_APPLIED) {
            redo.findings.push(format!(
                "{}: {:+.3} s against {}: {}",
                s.path, found.seconds, found.reference, found.note
            ));
        }
        if found.applied {
            redo.ids.push(s.id);
            redo.paths.insert(s.path.clone());
            redo.offsets
                .insert(s.sha256.clone(), -(found.seconds * 1e6).round() as i64);
        }
        store.save_skew(&s.sha256, &found)?;
    }
    Ok(redo)
}

/// An estimate left unapplied for `s`, from its best-paired edge among
/// `edges`, with the note `note` writes from the edge, the other source's
/// path and the offset in microseconds.
fn unapplied<'p>(
    s: &SourceRow,
    edges: &[&Edge],
    path: &impl Fn(i64) -> &'p str,
    note: impl Fn(&Edge, &str, i64) -> String,
) -> Option<Skew> {
    let e = edges
        .iter()
        .filter(|e| e.a == s.id || e.b == s.id)
        .max_by_key(|e| e.pairs)?;
    let other = path(if e.a == s.id { e.b } else { e.a });
    let micros = if e.a == s.id { e.median } else { -e.median };
    Some(Skew {
        seconds: seconds(micros),
        pairs: e.pairs as i64,
        spread: seconds(e.spread),
        reference: other.to_string(),
        applied: false,
        note: note(e, other, micros),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(
        kind: &str,
        message: &str,
        attributes: &[(Cow<'static, str>, String)],
        identifiers: &[String],
    ) -> Vec<String> {
        let clues = Clues::read(message, &message.to_lowercase());
        facts(kind, message, clues, attributes, identifiers)
    }

    #[test]
    fn request_ids_as_logs_write_them() {
        let message = "GET /pay 200 request_id=7bb3a422-01 took 3ms; db pool exhausted, request b1e9f4fd failed";
        let attributes = [("trace_id".into(), "4bf92f3577b34da6".to_string())];
        assert_eq!(
            facts_of("log", message, &attributes, &[]),
            [
                "request 4bf92f3577b34da6",
                "request 7bb3a422-01",
                "request b1e9f4fd"
            ]
        );
        // People quoting an id are not a record of the request.
        assert!(facts_of("chat", message, &[], &[]).is_empty());
        assert_eq!(
            facts_of("alert", "fired", &[], &["alert-77".into()]),
            ["alert alert-77"]
        );
    }

    #[test]
    fn a_node_line_naming_a_pod_and_its_container_marks_a_restart() {
        let kill = r#""Killing container with a grace period" pod="shop/web-7d9f-x2kq""#;
        assert_eq!(facts_of("log", kill, &[], &[]), ["pod web-7d9f-x2kq stop"]);
        let start = "Started CONTAINER web in pod web-7d9f-x2kq";
        assert_eq!(
            facts_of("log", start, &[], &[]),
            ["pod web-7d9f-x2kq start"]
        );
        // No container named: a pod's name alone is no restart.
        assert!(facts_of("log", "Killing web in pod web-7d9f-x2kq", &[], &[]).is_empty());
    }

    #[test]
    fn aws_trace_headers_pair_by_their_root() {
        let root = "request 1-5da09932-2c342a443bfb96249aa50ed7";
        let header = "Root=1-5da09932-2c342a443bfb96249aa50ed7;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(
            facts_of("log", &format!("charge failed trace_id={header}"), &[], &[]),
            [root]
        );
        let attributes = [("x-amzn-trace-id".into(), header.to_string())];
        assert_eq!(facts_of("log", "charge failed", &attributes, &[]), [root]);
        // The load balancer's record carries the header as its correlation.
        assert_eq!(request_fact(header), root);
        assert_eq!(
            request_fact("Root=1-5da09932-2c342a443bfb96249aa50ed7"),
            root
        );
    }

    #[test]
    fn a_rollout_start_and_its_finish_are_two_facts() {
        assert_eq!(
            facts_of("log", "deploy d-4411 started by ci", &[], &[]),
            ["deploy d-4411 started"]
        );
        assert_eq!(
            facts_of("deploy", "Rollout of rel-7 completed", &[], &[]),
            ["deploy rel-7 finished"]
        );
        // No digit, no id: "deploy pipeline started" names no rollout;
        // nor does a bare number.
        assert!(facts_of("log", "deploy pipeline started", &[], &[]).is_empty());
        assert!(facts_of("log", "change 12 done", &[], &[]).is_empty());
        assert_eq!(
            facts_of("log", "release 2.14.0 finished", &[], &[]),
            ["deploy 2.14.0 finished"]
        );
    }

    #[test]
    fn every_source_samples_the_same_facts() {
        let mut big = FactSample::default();
        let mut small = FactSample::default();
        for i in 0..50_000 {
            big.add(&format!("request {i:08x}"), i);
            if i % 10 == 0 {
                small.add(&format!("request {i:08x}"), i + 5);
            }
        }
        let big = big.into_vec();
        let small = small.into_vec();
        assert_eq!(big.len(), SAMPLE);
        let shared = small
            .iter()
            .filter(|f| big.iter().any(|g| g.0 == f.0))
            .count();
        // About a tenth of the big sample is in the small one.
        assert!(shared > SAMPLE / 20, "{shared}");
    }

    #[test]
    fn whole_hours_name_a_zone() {
        let s = SourceRow {
            id: 1,
            path: "hosts/db-1.log".into(),
            file: String::new(),
            member: None,
            sha256: String::new(),
            bytes: 0,
            parser: "syslog".into(),
            confidence: 100,
            kind: "log".into(),
            tz: "UTC".into(),
            events: 1,
            rejected: 0,
            rejected_lines: "[]".into(),
            // 2026-01-10: Berlin is UTC+1 in winter.
            first_time: Some(1_768_003_200_000_000),
            last_time: None,
            time_quality: Quality::default(),
            skew: None,
        };
        // Its times were naive, read as UTC: a zone fixes them.
        let naive = SourceRow {
            time_quality: Quality::ASSUMED_TZ,
            ..s.clone()
        };
        let note = zone_mistake(3_600_000_000 + 3_000_000, &naive).unwrap();
        assert!(
            note.contains("looks like Europe/Berlin local time read as UTC"),
            "{note}"
        );
        assert!(
            note.contains("--source-tz 'hosts/db-1.log=Europe/Berlin'"),
            "{note}"
        );
        // Written with a `Z`: only an offset moves them.
        let note = zone_mistake(3_600_000_000 + 3_000_000, &s).unwrap();
        assert!(
            note.contains("looks like Europe/Berlin local time read as UTC"),
            "{note}"
        );
        assert!(note.contains("--offset 'hosts/db-1.log=-3600s'"), "{note}");
        assert!(zone_mistake(40_000_000, &s).is_none());
        assert!(zone_mistake(3_600_000_000 + 600_000_000, &s).is_none());
    }
}
