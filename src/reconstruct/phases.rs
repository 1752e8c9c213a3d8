//! Phase rules: which wording puts a happening in which post-mortem phase.
//! The built-in rules are `phase_rules.json`; `--rules` adds the user's.

use std::sync::LazyLock;

use regex::Regex;

use super::candidate::level_rank;
use crate::model::Phase;
use crate::notable::first_line;
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

/// The user's rules first, then the built-in ones.
fn phase_rules(user: &[PhaseRule]) -> impl Iterator<Item = &PhaseRule> {
    user.iter().chain(BUILTIN_RULES.iter())
}

/// The phase of a happening from its wording, then its kind and level.
pub(super) fn phase_of(event: &EventRow, rules: &[PhaseRule]) -> Phase {
    if event.kind == "status" {
        if let Some(phase) = event.attribute("status").and_then(status_phase) {
            return phase;
        }
    }
    let text = first_line(&event.message);
    let applies = |r: &&PhaseRule| {
        r.kinds.as_ref().is_none_or(|k| k.contains(&event.kind)) && r.pattern.is_match(text)
    };
    if let Some(rule) = phase_rules(rules).find(applies) {
        return rule.phase;
    }
    match event.kind.as_str() {
        "alert" => Phase::Detection,
        "shift" => Phase::Escalation,
        "chat" => Phase::Diagnosis,
        _ if level_rank(event.level.as_deref()) >= 2 => Phase::Impact,
        _ => Phase::Context,
    }
}

/// The phase a status-page update announces: its status word is the
/// page's own account, so it decides over the wording of the body.
fn status_phase(status: &str) -> Option<Phase> {
    Some(match status {
        // The customers are told something is wrong.
        "investigating" => Phase::Detection,
        "identified" => Phase::Diagnosis,
        "monitoring" => Phase::Mitigation,
        "resolved" | "completed" => Phase::Resolution,
        "postmortem" => Phase::Context,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
