//! The paging and alerting parsers (PagerDuty, Opsgenie, Alertmanager) and
//! the wording they share: names of people given as reference objects, and
//! event types made readable. Their JSON reading is `input::json`.

pub(crate) mod alertmanager;
pub(crate) mod opsgenie;
pub(crate) mod pagerduty;
pub(crate) mod pagerduty_oncalls;

use serde_json::Value;

use crate::input::json;

/// The name of a person or thing given as a reference object
/// (`{"summary": "Jane Doe"}`, `{"name": ..}`, `{"email": ..}`) or a string.
pub(crate) fn name_of(value: Option<&Value>) -> Option<String> {
    let value = value?;
    if let Some(s) = value.as_str() {
        let s = s.trim();
        return (!s.is_empty()).then(|| s.to_string());
    }
    ["summary", "name", "email"]
        .iter()
        .find_map(|k| json::text(value, &[k]))
        .map(str::to_string)
}

/// Joins names as a sentence part: `A`, `A and B`, `A, B and C`.
pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// First letter upper case, underscores as spaces (`unacknowledge` →
/// `Unacknowledge`, `priority_change` → `Priority change`).
pub(crate) fn humanize(word: &str) -> String {
    let spaced = word.replace(['_', '.'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
