//! Phase rules: which wording puts a happening in which post-mortem phase.
//! The built-in rules are `phase_rules.json`; `--rules` adds the user's.

use std::sync::LazyLock;

use regex::Regex;

use super::candidate::level_rank;
use crate::model::Phase;
use crate::notable::{self, first_line, SignalClass};
use crate::store::EventRow;

/// One wording rule for phases (see `phase_rules.json`).
#[derive(Debug, Clone)]
pub struct PhaseRule {
    phase: Phase,
    pattern: Regex,
    kinds: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct RuleFile {
    rules: Vec<RawRule>,
}

#[derive(serde::Deserialize)]
struct RawRule {
    phase: String,
    pattern: String,
    kinds: Option<Vec<String>>,
}

/// Reads a phase-rules file; `name` names it in errors.
pub fn load_rules(name: &str, text: &str) -> std::result::Result<Vec<PhaseRule>, String> {
    let file: RuleFile =
        serde_json::from_str(text).map_err(|e| format!("rules file {name}: {e}"))?;
    file.rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let phase = Phase::parse(&r.phase).ok_or_else(|| {
                format!("rules file {name}: rules[{i}]: unknown phase {:?}", r.phase)
            })?;
            let pattern = Regex::new(&r.pattern)
                .map_err(|e| format!("rules file {name}: rules[{i}]: bad pattern: {e}"))?;
            Ok(PhaseRule {
                phase,
                pattern,
                kinds: r.kinds,
            })
        })
        .collect()
}

static BUILTIN_RULES: LazyLock<Vec<PhaseRule>> = LazyLock::new(|| {
    // Embedded and loaded by a unit test: a failure is a build defect.
    load_rules("phase_rules.json", include_str!("phase_rules.json"))
        .unwrap_or_else(|e| panic!("{e}"))
});

/// What kind of happening an event records, as far as the record itself
/// says: the facts that key times and the phase of a change rest on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Nature {
    /// An alerting or paging tool opened an alert or incident.
    AlertTriggered,
    /// A responder acknowledged a page.
    Acknowledged,
    /// A ticket was opened (by a customer or a responder).
    TicketOpened,
    /// A customer-facing status update (a status page).
    StatusUpdate,
    /// The system was changed (the vocabulary's name: deploy, flag…).
    Change(String),
    /// A machine record of something breaking.
    Impact,
    /// A machine record of a signal back to normal.
    Recovery,
    /// A chat message with no word of its phase: the responders' talk,
    /// diagnosis while the incident is open, context once it is resolved
    /// (see `place`).
    Talk,
    /// Anything else; its phase comes from wording, kind and level.
    Other,
}

/// The phase of a happening and its nature. Records that say what they
/// are come first (a paging tool's lifecycle action, a ticket's state, a
/// status page's status), then the state-change vocabulary for machine
/// records, then wording (the user's rules before all of these, as they
/// know their systems best), then kind and level.
pub(super) fn classify(event: &EventRow, statement: bool, rules: &[PhaseRule]) -> (Phase, Nature) {
    let text = first_line(&event.message);
    let worded = |rules: &[PhaseRule]| {
        rules
            .iter()
            .find(|r| {
                r.kinds.as_ref().is_none_or(|k| k.contains(&event.kind)) && r.pattern.is_match(text)
            })
            .map(|r| r.phase)
    };
    if let Some(phase) = worded(rules) {
        return (phase, Nature::Other);
    }
    if let Some(typed) = typed(event, statement) {
        return typed;
    }
    if !statement && event.kind != "chat" {
        match notable::signal_of(text).map(|s| &s.class) {
            Some(SignalClass::Impact) => return (Phase::Impact, Nature::Impact),
            Some(SignalClass::Recovery) => return (Phase::Recovery, Nature::Recovery),
            // Trigger, mitigation or context: decided once the impact is
            // placed (see `place`).
            Some(SignalClass::Change(what)) => {
                return (Phase::Context, Nature::Change(what.clone()))
            }
            Some(SignalClass::Note) | None => {}
        }
    }
    let worded_phase = worded(&BUILTIN_RULES);
    if worded_phase.is_none() && event.kind == "chat" {
        return (Phase::Diagnosis, Nature::Talk);
    }
    let phase = worded_phase.unwrap_or(match event.kind.as_str() {
        "alert" => Phase::Detection,
        "shift" => Phase::Escalation,
        _ if level_rank(event.level.as_deref()) >= 2 => Phase::Impact,
        _ => Phase::Context,
    });
    let nature = if phase == Phase::Impact && !statement {
        Nature::Impact
    } else {
        Nature::Other
    };
    (phase, nature)
}

/// What a record's own fields say it is: a paging tool's lifecycle
/// `action`, a ticket's `event` or `status_to`, a status page's `status`.
fn typed(event: &EventRow, statement: bool) -> Option<(Phase, Nature)> {
    let lower = |k| event.attribute(k).map(str::to_ascii_lowercase);
    // What a company tells its customers is a statement, but its status
    // word is the page's own account of where the incident stands.
    if event.kind == "status" {
        let phase = lower("status")
            .as_deref()
            .and_then(status_phase)
            .unwrap_or(Phase::Escalation);
        return Some((phase, Nature::StatusUpdate));
    }
    if statement {
        return None;
    }
    if let Some(action) = lower("action") {
        return match action.as_str() {
            "trigger" => Some((Phase::Detection, Nature::AlertTriggered)),
            "acknowledge" => Some((Phase::Escalation, Nature::Acknowledged)),
            // An alerting system's "resolved" says its condition cleared
            // (a recovery); a paging or incident tool's closes the incident.
            "resolve" if matches!(event.system.as_deref(), Some("Alertmanager" | "Grafana")) => {
                Some((Phase::Recovery, Nature::Recovery))
            }
            "resolve" => Some((Phase::Resolution, Nature::Other)),
            "escalate" | "assign" | "notify" | "responder_request" | "unacknowledge" => {
                Some((Phase::Escalation, Nature::Other))
            }
            _ => None,
        };
    }
    if event.kind == "ticket" {
        let done = |s: &str| {
            matches!(
                s,
                "resolved" | "done" | "closed" | "fixed" | "verified" | "completed" | "canceled"
            )
        };
        if lower("status_to").as_deref().is_some_and(done)
            || matches!(lower("event").as_deref(), Some("resolved" | "closed"))
        {
            return Some((Phase::Resolution, Nature::Other));
        }
        if matches!(
            lower("event").as_deref(),
            Some("created" | "opened" | "filed")
        ) {
            return Some((Phase::Escalation, Nature::TicketOpened));
        }
    }
    None
}

/// The phase a status-page update announces. Telling customers is
/// communication, not detection (the company knew before it posted); a
/// "monitoring" update says a fix is in and signals are recovering.
fn status_phase(status: &str) -> Option<Phase> {
    Some(match status {
        "investigating" => Phase::Escalation,
        "identified" => Phase::Diagnosis,
        "monitoring" => Phase::Recovery,
        "resolved" | "completed" => Phase::Resolution,
        "postmortem" => Phase::Context,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_read_responders_wording() {
        let phase = |text: &str| {
            BUILTIN_RULES
                .iter()
                .find(|r| {
                    r.kinds
                        .as_ref()
                        .is_none_or(|k| k.iter().any(|k| k == "chat"))
                        && r.pattern.is_match(text)
                })
                .map(|r| r.phase)
        };
        assert_eq!(phase("turned ledger_v2 flag off"), Some(Phase::Mitigation));
        assert_eq!(
            phase("switched the checkout flow off"),
            Some(Phase::Mitigation)
        );
        assert_eq!(phase("errors stopped at 14:30"), Some(Phase::Recovery));
        assert_eq!(phase("timeouts are gone now"), Some(Phase::Recovery));
        assert_eq!(phase("looking at the errors"), None);
        assert_eq!(
            phase("api looks healthy since 09:32"),
            Some(Phase::Recovery)
        );
        assert_eq!(
            phase("all good, closing the incident"),
            Some(Phase::Resolution)
        );
        assert_eq!(
            phase("closing the alert, postmortem to follow"),
            Some(Phase::Resolution)
        );
        assert_eq!(
            phase("lowered our rate limit to 20 req/s at 14:19"),
            Some(Phase::Mitigation)
        );
    }

    #[test]
    fn builtin_rules_load_and_bad_rules_are_refused() {
        assert!(BUILTIN_RULES.len() > 5);
        let err = load_rules(
            "x.json",
            r#"{"rules": [{"phase": "lunch", "pattern": "x"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("x.json") && err.contains("lunch"), "{err}");
        let err = load_rules(
            "y.json",
            r#"{"rules": [{"phase": "impact", "pattern": "("}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("bad pattern"), "{err}");
    }
}
