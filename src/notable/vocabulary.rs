//! The state-change vocabulary (`vocabulary.json`): what machine records
//! say when something breaks, recovers or is changed, kept as data so it
//! can grow without code and is checked against real lines when loaded.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// What a signal says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalClass {
    /// Something broke or degraded (an OOM kill, a full disk).
    Impact,
    /// A signal returned to normal.
    Recovery,
    /// The system was changed; the name says what (`deploy`, `rollback`,
    /// `flag`, `restart`…). Whether it set the incident off or mitigated
    /// it depends on when it happened, which reconstruction decides.
    Change(String),
    /// Worth a row; its phase comes from wording.
    Note,
}

/// One entry of the vocabulary.
#[derive(Debug)]
pub struct Signal {
    /// Stable name (`oom-kill`).
    pub id: String,
    /// What it says happened.
    pub class: SignalClass,
    pattern: Regex,
}

#[derive(serde::Deserialize)]
struct File {
    signals: Vec<RawSignal>,
}

#[derive(serde::Deserialize)]
struct RawSignal {
    id: String,
    class: String,
    change: Option<String>,
    pattern: String,
    samples: Vec<String>,
    #[serde(default)]
    not: Vec<String>,
}

/// Reads a vocabulary file and checks it: every sample must be classified
/// as its own signal (so the order of signals is right) and no
/// counter-example may match its signal.
fn load(text: &str) -> Result<Vec<Signal>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("vocabulary: {e}"))?;
    let mut signals = Vec::new();
    let mut samples = Vec::new();
    for raw in file.signals {
        let class = match (raw.class.as_str(), raw.change) {
            ("impact", None) => SignalClass::Impact,
            ("recovery", None) => SignalClass::Recovery,
            ("note", None) => SignalClass::Note,
            ("change", Some(what)) => SignalClass::Change(what),
            (class, _) => return Err(format!("vocabulary: {}: bad class {class:?}", raw.id)),
        };
        let pattern = Regex::new(&format!("{ASCII}{}", raw.pattern))
            .map_err(|e| format!("vocabulary: {}: bad pattern: {e}", raw.id))?;
        if let Some(line) = raw
            .not
            .iter()
            .find(|l| pattern.is_match(l.to_lowercase().as_bytes()))
        {
            return Err(format!(
                "vocabulary: {} matches its counter-example {line:?}",
                raw.id
            ));
        }
        samples.extend(raw.samples.into_iter().map(|s| (raw.id.clone(), s)));
        signals.push(Signal {
            id: raw.id,
            class,
            pattern,
        });
    }
    for (id, sample) in samples {
        let found = classify(&signals, &sample).map(|s| s.id.as_str());
        if found != Some(id.as_str()) {
            return Err(format!(
                "vocabulary: sample {sample:?} of {id} reads as {found:?}"
            ));
        }
    }
    Ok(signals)
}

fn classify<'a>(signals: &'a [Signal], line: &str) -> Option<&'a Signal> {
    let lower = line.to_lowercase();
    signals
        .iter()
        .find(|s| s.pattern.is_match(lower.as_bytes()))
}

static VOCABULARY: LazyLock<Vec<Signal>> = LazyLock::new(|| {
    // Embedded and checked by a unit test: a failure is a build defect.
    load(include_str!("vocabulary.json")).unwrap_or_else(|e| panic!("{e}"))
});

/// The signal a record's first line states, if any.
pub fn signal_of(first_line: &str) -> Option<&'static Signal> {
    classify(&VOCABULARY, first_line)
}

/// Patterns are matched byte-wise over lower-cased text with ASCII classes
/// and word boundaries: the vocabulary's words are ASCII, and Unicode
/// classes made the per-line check several times slower to build and run
/// for no match they would add.
const ASCII: &str = "(?-u)";

/// Every pattern as one alternation, for the per-line notable check at
/// ingest, which only asks whether any signal matches.
pub(super) fn any_signal_pattern() -> String {
    let union = VOCABULARY
        .iter()
        .map(|s| format!("(?:{})", &s.pattern.as_str()[ASCII.len()..]))
        .collect::<Vec<_>>()
        .join("|");
    format!("{ASCII}{union}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_loads_and_its_samples_read_as_their_signals() {
        assert!(VOCABULARY.len() > 20);
        let class = |line| signal_of(line).map(|s| s.class.clone());
        assert_eq!(
            class("Jan 12 10:04:01 db-1 kernel: Out of memory: Killed process 811 (postgres)"),
            Some(SignalClass::Impact)
        );
        assert_eq!(
            class("pgbouncer.service: Main process exited, code=killed, status=15/TERM"),
            Some(SignalClass::Impact)
        );
        assert_eq!(
            class("Started pgbouncer.service - PgBouncer."),
            Some(SignalClass::Change("restart".into()))
        );
        assert_eq!(class("GET /api/checkout 200 in 12ms"), None);
    }

    #[test]
    fn a_broken_vocabulary_is_refused_naming_the_signal() {
        let wrong_order = r#"{"signals": [
            {"id": "any", "class": "impact", "pattern": "x", "samples": ["x"]},
            {"id": "more", "class": "recovery", "pattern": "xy", "samples": ["xy"]}]}"#;
        let err = load(wrong_order).unwrap_err();
        assert!(err.contains("of more reads as Some(\"any\")"), "{err}");
        let counter = r#"{"signals": [{"id": "a", "class": "change", "change": "deploy",
            "pattern": "deploy", "samples": ["deploy"], "not": ["redeploy"]}]}"#;
        assert!(load(counter).unwrap_err().contains("counter-example"));
        let class =
            r#"{"signals": [{"id": "a", "class": "change", "pattern": "x", "samples": []}]}"#;
        assert!(load(class).unwrap_err().contains("bad class"));
    }
}
