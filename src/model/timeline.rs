//! The reconstructed timeline as values: what reconstruction builds, the
//! store saves and the renderers print.

use super::Quality;

/// Post-mortem phases (docs/output.md#timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The change that set it off.
    Trigger,
    /// Impact begins or grows.
    Impact,
    /// Alert fires, first human notices.
    Detection,
    /// Page, acknowledge, hand-over, roles.
    Escalation,
    /// Findings.
    Diagnosis,
    /// Actions taken.
    Mitigation,
    /// Signals return to normal.
    Recovery,
    /// Incident resolved or closed.
    Resolution,
    /// Anything else kept.
    Context,
}

impl Phase {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Trigger => "trigger",
            Phase::Impact => "impact",
            Phase::Detection => "detection",
            Phase::Escalation => "escalation",
            Phase::Diagnosis => "diagnosis",
            Phase::Mitigation => "mitigation",
            Phase::Recovery => "recovery",
            Phase::Resolution => "resolution",
            Phase::Context => "context",
        }
    }
}

/// How well an entry is backed (docs/output.md#timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Two or more independent sources.
    Corroborated,
    /// One machine-recorded source.
    Verified,
    /// Only human statements.
    Reported,
    /// A human statement that machine records of the same object disagree
    /// with.
    Contradicted,
    /// No evidence, or evidence that changed.
    Unverified,
}

impl Verification {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Corroborated => "corroborated",
            Verification::Verified => "verified",
            Verification::Reported => "reported",
            Verification::Contradicted => "contradicted",
            Verification::Unverified => "unverified",
        }
    }
}

/// What machine records say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    /// A machine record of the same object agrees.
    Supported,
    /// Machine records of the same object disagree.
    Contradicted,
}

impl CheckResult {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckResult::Supported => "supported",
            CheckResult::Contradicted => "contradicted",
        }
    }
}

/// A claim in a human statement, checked against machine records: an
/// annotation, the statement's words stay as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The claim as the statement words it.
    pub claim: String,
    /// Supported or contradicted.
    pub result: CheckResult,
    /// The machine records the check rests on.
    pub evidence: Vec<Citation>,
    /// The difference in words ("logs show the last error at 10:09:40,
    /// 4m40s later").
    pub note: String,
}

/// One cited piece of evidence behind an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// Source path as shown.
    pub source: String,
    /// SHA-256 of the source as ingested.
    pub sha256: String,
    /// First line of the record.
    pub line: Option<i64>,
    /// Position text.
    pub locator: String,
    /// The record's first line, shortened.
    pub excerpt: String,
    /// The source's row id.
    pub source_id: i64,
    /// Position of the event in its source.
    pub seq: i64,
    /// Event row id; none for a log line kept in a block.
    pub event_id: Option<i64>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// 1-based, in timeline order.
    pub id: usize,
    /// First occurrence, UTC microseconds.
    pub time: i64,
    /// Last occurrence for collapsed entries.
    pub last_time: Option<i64>,
    /// Events collapsed into this entry.
    pub occurrences: u64,
    /// Phase.
    pub phase: Phase,
    /// Kind of the first event.
    pub kind: String,
    /// Level of the first event.
    pub level: Option<String>,
    /// What happened.
    pub summary: String,
    /// Who acted (a role or placeholder unless names were asked for).
    pub actor: Option<String>,
    /// How well it is backed.
    pub verification: Verification,
    /// Union of the events' time flags.
    pub time_quality: Quality,
    /// Hosts seen.
    pub hosts: Vec<String>,
    /// Services seen.
    pub services: Vec<String>,
    /// Cited evidence (first and last occurrence for bursts).
    pub evidence: Vec<Citation>,
    /// Claim checks of a human statement.
    pub checks: Vec<Check>,
}

/// The key times of an incident, each the time of a cited entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyTimes {
    /// Impact begins.
    pub impact_start: Option<KeyTime>,
    /// First detection.
    pub detected: Option<KeyTime>,
    /// First acknowledgement.
    pub acknowledged: Option<KeyTime>,
    /// Impact mitigated (signals recover).
    pub mitigated: Option<KeyTime>,
    /// Incident resolved.
    pub resolved: Option<KeyTime>,
    /// First customer-facing update (a status page).
    pub customer_notified: Option<KeyTime>,
}

impl KeyTimes {
    /// Every key time under its contract name, in the order outputs list
    /// them, with the label a reader sees and the name of its duration
    /// from impact start (none for impact start itself).
    pub fn named(&self) -> [KeyTimeSlot<'_>; 6] {
        let slot = |name, label, duration, time| KeyTimeSlot {
            name,
            label,
            duration,
            time,
        };
        [
            slot("impact_start", "Impact start", None, &self.impact_start),
            slot("detected", "Detected", Some("ttd"), &self.detected),
            slot(
                "acknowledged",
                "Acknowledged",
                Some("tta"),
                &self.acknowledged,
            ),
            slot("mitigated", "Mitigated", Some("ttm"), &self.mitigated),
            slot("resolved", "Resolved", Some("ttr"), &self.resolved),
            slot(
                "customer_notified",
                "Customer notified",
                Some("ttn"),
                &self.customer_notified,
            ),
        ]
    }
}

/// One key time with its names (see [`KeyTimes::named`]).
pub struct KeyTimeSlot<'a> {
    /// Contract name (`impact_start`).
    pub name: &'static str,
    /// What a reader sees (`Impact start`).
    pub label: &'static str,
    /// The duration measured to it from impact start (`ttd`).
    pub duration: Option<&'static str>,
    /// The key time, when found.
    pub time: &'a Option<KeyTime>,
}

/// A key time, the entry that justifies it and why.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTime {
    /// UTC microseconds.
    pub time: i64,
    /// The entry's id.
    pub entry: usize,
    /// Which rule chose it and on what, in a short phrase.
    pub basis: String,
}

/// The reconstructed timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Window start, UTC microseconds (None when there are no events).
    pub window_start: Option<i64>,
    /// Window end.
    pub window_end: Option<i64>,
    /// Whether the window came from `--from`/`--to`.
    pub window_given: bool,
    /// Entries in time order.
    pub entries: Vec<Entry>,
    /// Key times.
    pub key_times: KeyTimes,
    /// Events in the window.
    pub events_in_window: u64,
    /// Events in the window not behind any entry.
    pub left_out: u64,
    /// Clock offsets estimated from shared facts, one sentence each with
    /// its evidence: those applied to the stored times, and those of a
    /// second or more left alone (see [`crate::store::SourceRow::clock_note`]).
    pub clock_corrections: Vec<String>,
}

impl Phase {
    /// Every phase, in the order of an incident.
    pub const ALL: [Phase; 9] = [
        Phase::Trigger,
        Phase::Impact,
        Phase::Detection,
        Phase::Escalation,
        Phase::Diagnosis,
        Phase::Mitigation,
        Phase::Recovery,
        Phase::Resolution,
        Phase::Context,
    ];

    /// Reads a contract name back.
    pub fn parse(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == name)
    }
}
