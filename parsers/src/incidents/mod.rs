//! Incident tools and status pages: Statuspage (what the customers were
//! told), AWS Incident Manager timelines, Datadog Incident Management and
//! Sentry alerts. What they share: status words made readable and the facts
//! that mark an update as customer-facing.

pub(crate) mod aws_incident_manager;
pub(crate) mod datadog_incidents;
pub(crate) mod sentry;
pub(crate) mod statuspage;

use serde_json::Value;

use crate::input::json::time_field;
use crate::record::{add_attribute, Record};
use crate::time::Timestamp;

/// First letter upper case, underscores as spaces (`in_progress` →
/// `In progress`).
pub(crate) fn status_word(word: &str) -> String {
    let spaced = word.trim().replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Marks a record as an update published to customers by `system` (on the
/// status page named `page`): not a person's chat line but the page's
/// account, which reconstruction reads as the customers' notification.
pub(crate) fn customer_facing(record: &mut Record, system: &'static str, page: Option<&str>) {
    record.system = Some(system.into());
    record.actor = Some(match page {
        Some(page) => format!("{page} status page"),
        None => "status page".to_string(),
    });
    record.human = Some(false);
    add_attribute(record, "audience", Some("customers"));
    add_attribute(record, "page", page);
    // What the page says is a statement about the incident, not a
    // measurement of it.
    add_attribute(record, "statement", Some("true"));
}

/// The first of `keys` that holds a time (`display_at`, else
/// `created_at`); an unreadable value is an error, not skipped.
pub(crate) fn first_time(value: &Value, keys: &[&str]) -> Result<Option<Timestamp>, String> {
    for key in keys {
        if let Some(time) = time_field(value, key)? {
            return Ok(Some(time));
        }
    }
    Ok(None)
}
