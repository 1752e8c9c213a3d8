//! Opsgenie: outgoing webhook payloads (`{"action": "Create", "alert":
//! {...}, "source": {...}}`), one per file or one per line, and Alert API
//! v2 responses saved as files (`GET /v2/alerts` list, one alert, an
//! alert's logs and notes: `{"data": ...}`).
//!
//! Webhook times are epoch integers whose units Opsgenie defines per field:
//! `createdAt` in milliseconds, `updatedAt` in nanoseconds. The time of a
//! payload is the time of its action: `createdAt` for `Create`, `updatedAt`
//! (the action's change) for every other action. API responses write
//! ISO 8601 times with `Z`; an alert's `report` gives its acknowledgement
//! and close as durations after creation (see [`report_times`]).

use serde_json::Value;

use crate::input::json::{
    self, epoch_field, problem_at, scalar_text, text, time_field, Document, Element, Head,
    IndexedInput,
};
use crate::paging::{humanize, name_of};
use crate::record::{add_attribute, add_identifier, Kind, Level, Record, RecordSink};
use crate::time::{EpochUnit, Precision, TimeValue, Timestamp};
use crate::Parser;

/// Opsgenie webhooks and Alert API responses.
pub struct Opsgenie;

const SYSTEM: &str = "Opsgenie";

impl Parser for Opsgenie {
    fn id(&self) -> &str {
        "opsgenie"
    }

    fn description(&self) -> &str {
        "Opsgenie webhook payloads and Alert API responses (alerts, alert logs, alert notes)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if is_webhook(&h) {
            return h
                .time(&["createdAt"], |v| json::head_epoch(v, EpochUnit::Millis))
                .or_else(|| h.time(&["updatedAt"], |v| json::head_epoch(v, EpochUnit::Nanos)))
                .map(|_| 95);
        }
        let api_item = h.has("tinyId")
            || (h.has("offset") && (h.has("log") || h.has("note")) && h.has("owner"));
        if (h.has("data") || h.array) && api_item {
            return h.time(&["createdAt"], json::head_text_time).map(|_| 90);
        }
        None
    }

    /// Opsgenie sends some actions (Escalate, among others) with no time
    /// at all: such a payload is still Opsgenie's.
    fn untimed(&self, head: &[u8]) -> Option<String> {
        if !is_webhook(&Head::new(head)?) {
            return None;
        }
        let action = json::string_values(head, "action")
            .next()
            .unwrap_or("an action");
        let alert = json::string_values(head, "alertId")
            .next()
            .map_or(String::new(), |id| format!(" of alert {id}"));
        Some(format!(
            "{UNTIMED}: {action}{alert} carries neither createdAt nor updatedAt"
        ))
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| read_document(src, doc, sink));
    }
}

const UNTIMED: &str = "Opsgenie webhook without a time";

fn is_webhook(h: &Head) -> bool {
    h.has("action") && h.has("alert") && (h.has("alertId") || h.has("tinyId"))
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(el) = input.element(doc.raw, doc.root.clone()) else {
        return;
    };
    if el.value.is_array() {
        for item in input.elements(doc.raw, &doc.root).unwrap_or_default() {
            api_item(input, &item, sink);
        }
        return;
    }
    let v = &el.value;
    if v.get("action").is_some() && v.get("alert").is_some_and(Value::is_object) {
        if let Err(reason) = webhook(input, &el, sink) {
            sink.problem(problem_at(&el, reason));
        }
        return;
    }
    match v.get("data") {
        Some(Value::Array(_)) => {
            for item in input.nested(&el, &["data"]).unwrap_or_default() {
                api_item(input, &item, sink);
            }
        }
        Some(Value::Object(_)) => match input.field(&el, "data") {
            Some(item) => api_item(input, &item, sink),
            None => sink.problem(problem_at(&el, "unreadable data".to_string())),
        },
        _ => sink.problem(problem_at(
            &el,
            "not an Opsgenie webhook payload or Alert API response".to_string(),
        )),
    }
}

fn base(input: &IndexedInput<'_>, at: &Element, time: Timestamp, message: String) -> Record {
    let mut record = input.record_at(at, Kind::Alert, time, message);
    record.system = Some(SYSTEM.into());
    record
}

/// Opsgenie's priorities, P1 (critical) to P5 (informational), as levels.
fn priority_level(priority: &str) -> Option<Level> {
    match priority.trim().trim_start_matches(['P', 'p']) {
        "1" => Some(Level::Critical),
        "2" => Some(Level::Error),
        "3" => Some(Level::Warn),
        "4" => Some(Level::Notice),
        "5" => Some(Level::Info),
        _ => None,
    }
}

/// Who acted, from the webhook's `source`: a person acts through the web
/// UI, a phone or chat; the API, integrations and Opsgenie itself are not
/// people. Unknown channels say nothing.
fn human_source(source: Option<&Value>, user: Option<&str>) -> Option<bool> {
    if user.is_some_and(|u| u.eq_ignore_ascii_case("system")) {
        return Some(false);
    }
    let ty = source
        .and_then(|s| text(s, &["type"]))?
        .to_ascii_lowercase();
    match ty.as_str() {
        "web" | "mobile" | "ios" | "android" | "slack" | "msteams" | "teams" | "hipchat" => {
            Some(true)
        }
        "api" | "integration" | "system" | "heartbeat" | "rule" => Some(false),
        _ => None,
    }
}

fn webhook(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let action = text(v, &["action"]).ok_or("webhook without action")?;
    let alert = v.get("alert").ok_or("webhook without alert")?;
    let create = action.eq_ignore_ascii_case("create");
    let time = if create {
        match epoch_field(alert, "createdAt", EpochUnit::Millis)? {
            Some(t) => Some(t),
            None => epoch_field(alert, "updatedAt", EpochUnit::Nanos)?,
        }
    } else {
        epoch_field(alert, "updatedAt", EpochUnit::Nanos)?
    };
    let time = time.ok_or_else(|| {
        format!(
            "{UNTIMED}: {action} without {}",
            if create { "createdAt" } else { "updatedAt" }
        )
    })?;
    let title = text(alert, &["message"]).unwrap_or("alert").to_string();
    let user = text(alert, &["username"]).or_else(|| text(v, &["source", "name"]));
    let by = |verb: &str| match user {
        Some(u) => format!("{verb} by {u}"),
        None => verb.to_string(),
    };
    let mut statement = false;
    let alert_name = alert_name(alert);
    let message = match action.to_ascii_lowercase().as_str() {
        "create" => format!("{alert_name} created: {title}"),
        "acknowledge" => by(&format!("{alert_name} acknowledged")),
        "unacknowledge" => by("Unacknowledged"),
        "close" => by(&format!("{alert_name} closed")),
        "delete" => by("Deleted"),
        "addnote" => {
            statement = true;
            format!("Note: {}", text(alert, &["note"]).unwrap_or(""))
        }
        "assignownership" => match text(alert, &["owner"]) {
            Some(owner) => format!("Assigned to {owner}"),
            None => by("Assigned"),
        },
        "takeownership" => by("Ownership taken"),
        "escalate" | "escalatenext" | "escalatetonext" => {
            match text(alert, &["escalationName"]).or_else(|| text(v, &["escalation", "name"])) {
                Some(name) => format!("Escalated to {name}"),
                None => by("Escalated"),
            }
        }
        "addrecipient" => format!(
            "Recipient added: {}",
            text(alert, &["recipient"]).unwrap_or("")
        ),
        "addteam" => format!("Team added: {}", text(alert, &["team"]).unwrap_or("")),
        "addresponder" => format!(
            "Responder added: {}",
            name_of(alert.get("responder")).unwrap_or_default()
        ),
        "updatepriority" => match scalar_text(alert, &["priority"]) {
            Some(p) => format!("Priority changed to {p}"),
            None => by("Priority changed"),
        },
        "snooze" => match text(alert, &["snoozeEndDate"]) {
            Some(until) => format!("Snoozed until {until}"),
            None => by("Snoozed"),
        },
        "customaction" => match text(alert, &["actionName"]).or_else(|| text(v, &["actionName"])) {
            Some(name) => by(&format!("Action {name} run")),
            None => by("Custom action"),
        },
        _ => by(&humanize(&split_camel(action))),
    };
    let mut record = base(input, el, time, message);
    record.actor = user.map(str::to_string);
    record.human = human_source(v.get("source"), user);
    record.host = text(alert, &["entity"]).map(str::to_string);
    let priority = scalar_text(alert, &["priority"]);
    if create {
        record.level = priority.as_deref().and_then(priority_level);
    }
    add_alert_identifiers(&mut record, alert);
    add_attribute(&mut record, "action", Some(action_word(action)));
    add_attribute(&mut record, "title", Some(title));
    add_attribute(&mut record, "priority", priority);
    add_attribute(&mut record, "tiny_id", scalar_text(alert, &["tinyId"]));
    add_attribute(&mut record, "source", text(alert, &["source"]));
    add_attribute(&mut record, "integration", text(v, &["integrationName"]));
    add_attribute(&mut record, "channel", text(v, &["source", "type"]));
    if statement {
        add_attribute(&mut record, "statement", Some("true"));
    }
    sink.record(record);
    Ok(())
}

/// How responders name an alert in chat and notes: by its tiny id ("#42").
fn alert_name(alert: &Value) -> String {
    match scalar_text(alert, &["tinyId"]) {
        Some(tiny) => format!("Alert #{tiny}"),
        None => "Alert".to_string(),
    }
}

/// `AddNote` → `Add note`.
fn split_camel(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 4);
    for (i, c) in word.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The shared vocabulary of the `action` attribute across paging tools.
fn action_word(action: &str) -> String {
    match action.to_ascii_lowercase().as_str() {
        "create" => "trigger".to_string(),
        "acknowledge" => "acknowledge".to_string(),
        "unacknowledge" => "unacknowledge".to_string(),
        "close" => "resolve".to_string(),
        "addnote" => "annotate".to_string(),
        "escalate" | "escalatenext" | "escalatetonext" => "escalate".to_string(),
        "assignownership" => "assign".to_string(),
        _ => split_camel(action).replace(' ', "_"),
    }
}

fn add_alert_identifiers(record: &mut Record, alert: &Value) {
    for key in ["alertId", "id", "alias"] {
        if let Some(id) = text(alert, &[key]) {
            add_identifier(record, id);
        }
    }
}

/// One element of an Alert API response: an alert, a log line or a note.
fn api_item(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let result = if v.get("log").is_some() {
        alert_log(input, el, sink)
    } else if v.get("note").is_some() && v.get("tinyId").is_none() {
        alert_note(input, el, sink)
    } else if v.get("message").is_some() || v.get("tinyId").is_some() {
        api_alert(input, el, sink)
    } else {
        Err("not an Opsgenie alert, alert log or note".to_string())
    };
    if let Err(reason) = result {
        sink.problem(problem_at(el, reason));
    }
}

fn api_alert(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "createdAt")?.ok_or("alert without createdAt")?;
    let title = text(v, &["message"]).unwrap_or("alert").to_string();
    let alert_name = alert_name(v);
    let created = format!("{alert_name} created: {title}");
    let mut record = base(input, el, time, created);
    record.human = Some(false);
    record.host = text(v, &["entity"]).map(str::to_string);
    let priority = scalar_text(v, &["priority"]);
    record.level = priority.as_deref().and_then(priority_level);
    add_alert_identifiers(&mut record, v);
    add_attribute(&mut record, "action", Some("trigger"));
    add_attribute(&mut record, "title", Some(title.clone()));
    add_attribute(&mut record, "priority", priority);
    add_attribute(&mut record, "status", text(v, &["status"]));
    add_attribute(
        &mut record,
        "acknowledged",
        scalar_text(v, &["acknowledged"]),
    );
    add_attribute(&mut record, "tiny_id", scalar_text(v, &["tinyId"]));
    add_attribute(&mut record, "source", text(v, &["source"]));
    add_attribute(&mut record, "owner", text(v, &["owner"]));
    add_attribute(&mut record, "count", scalar_text(v, &["count"]));
    add_attribute(
        &mut record,
        "last_occurred_at",
        text(v, &["lastOccurredAt"]),
    );
    add_attribute(&mut record, "integration", name_of(v.get("integration")));
    add_attribute(
        &mut record,
        "acknowledged_by",
        text(v, &["report", "acknowledgedBy"]),
    );
    add_attribute(&mut record, "closed_by", text(v, &["report", "closedBy"]));
    add_attribute(
        &mut record,
        "report_ack_time",
        scalar_text(v, &["report", "ackTime"]),
    );
    add_attribute(
        &mut record,
        "report_close_time",
        scalar_text(v, &["report", "closeTime"]),
    );
    let created_at = record.time.clone();
    let lifecycle = report_times(v, &created_at)?;
    sink.record(record);
    for (action, after_ms, by) in lifecycle {
        let verb = if action == "acknowledge" {
            "acknowledged"
        } else {
            "closed"
        };
        let key = if action == "acknowledge" {
            "ackTime"
        } else {
            "closeTime"
        };
        let mut message = format!("{alert_name} {verb}");
        if let Some(by) = by {
            message.push_str(&format!(" by {by}"));
        }
        message.push_str(&format!(" ({key} {after_ms} ms after creation)"));
        let TimeValue::Utc(created) = created_at.value else {
            continue;
        };
        let time = Timestamp {
            value: TimeValue::Utc(created + after_ms * 1_000),
            precision: Precision::Milli,
            text: format!("{} + report.{key} {after_ms} ms", created_at.text),
            unknown_zone: false,
        };
        let mut derived = base(input, el, time, message);
        derived.actor = by.map(str::to_string);
        // Opsgenie users sign in with their e-mail; anything else that
        // acknowledges or closes ("System", "Alert API", an integration)
        // is not a person.
        derived.human = Some(by.is_some_and(|b| b.contains('@')));
        derived.host = text(v, &["entity"]).map(str::to_string);
        add_alert_identifiers(&mut derived, v);
        add_attribute(&mut derived, "action", Some(action));
        add_attribute(&mut derived, "title", Some(title.clone()));
        add_attribute(&mut derived, "tiny_id", scalar_text(v, &["tinyId"]));
        sink.record(derived);
    }
    Ok(())
}

/// When the alert was acknowledged and closed, from its `report`: the API
/// reference gives `ackTime` and `closeTime` without a unit. They are read
/// as milliseconds after `createdAt` only where the alert's own
/// `updatedAt` shows that reading is the possible one: every change,
/// closing included, moves `updatedAt`, so a time after it is impossible,
/// and when seconds would fit as well nothing is derived.
#[allow(clippy::type_complexity)]
fn report_times<'v>(
    v: &'v Value,
    created: &Timestamp,
) -> Result<Vec<(&'static str, i64, Option<&'v str>)>, String> {
    let (TimeValue::Utc(created), Some(TimeValue::Utc(updated))) =
        (created.value, time_field(v, "updatedAt")?.map(|t| t.value))
    else {
        return Ok(Vec::new());
    };
    let after = |key| {
        v.get("report")
            .and_then(|r| r.get(key))
            .and_then(Value::as_i64)
            .filter(|&d| d >= 0)
    };
    let (ack, close) = (after("ackTime"), after("closeTime"));
    let Some(longest) = ack.max(close) else {
        return Ok(Vec::new());
    };
    // A second of slack: updatedAt and the report are written apart.
    let fits = |micros: i64| {
        created
            .checked_add(micros)
            .is_some_and(|t| t <= updated + 1_000_000)
    };
    let millis_fit = fits(longest.saturating_mul(1_000));
    let seconds_fit = fits(longest.saturating_mul(1_000_000));
    if !millis_fit || seconds_fit || ack.zip(close).is_some_and(|(a, c)| a > c) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    if let Some(a) = ack.filter(|_| v.get("acknowledged") == Some(&Value::Bool(true))) {
        out.push(("acknowledge", a, text(v, &["report", "acknowledgedBy"])));
    }
    if let Some(c) = close.filter(|_| text(v, &["status"]) == Some("closed")) {
        out.push(("resolve", c, text(v, &["report", "closedBy"])));
    }
    Ok(out)
}

fn alert_log(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "createdAt")?.ok_or("alert log without createdAt")?;
    let log = text(v, &["log"]).ok_or("alert log without text")?;
    let owner = text(v, &["owner"]);
    let mut record = base(input, el, time, log.to_string());
    record.actor = owner.map(str::to_string);
    if owner.is_some_and(|o| o.eq_ignore_ascii_case("system")) {
        record.human = Some(false);
    }
    // Views are who looked at the alert, not what happened to it.
    record.chatter = log.starts_with("Viewed on");
    add_attribute(&mut record, "log_type", text(v, &["type"]));
    add_attribute(&mut record, "offset", text(v, &["offset"]));
    sink.record(record);
    Ok(())
}

fn alert_note(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "createdAt")?.ok_or("note without createdAt")?;
    let note = text(v, &["note"]).ok_or("note without text")?;
    let mut record = base(input, el, time, format!("Note: {note}"));
    record.actor = text(v, &["owner"]).map(str::to_string);
    record.human = Some(true);
    add_attribute(&mut record, "action", Some("annotate"));
    add_attribute(&mut record, "statement", Some("true"));
    add_attribute(&mut record, "offset", text(v, &["offset"]));
    sink.record(record);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const CREATE: &[u8] = include_bytes!("../../../fixtures/opsgenie/webhook_create.json");
    const ACK: &[u8] = include_bytes!("../../../fixtures/opsgenie/webhook_acknowledge.json");
    const CLOSE: &[u8] = include_bytes!("../../../fixtures/opsgenie/webhook_close.json");
    const LIST: &[u8] = include_bytes!("../../../fixtures/opsgenie/alerts_list.json");
    const LOGS: &[u8] = include_bytes!("../../../fixtures/opsgenie/alert_logs.json");
    const NOTES: &[u8] = include_bytes!("../../../fixtures/opsgenie/alert_notes.json");

    #[test]
    fn create_reads_created_at_in_milliseconds() {
        let out = run(&Opsgenie, CREATE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        // createdAt 1502709956288 (ms); updatedAt 1502709956288000110 (ns).
        assert_eq!(utc(r), "2017-08-14T11:25:56.288000Z");
        assert_eq!(r.time.precision, Precision::Milli);
        assert_eq!(r.time.text, "1502709956288");
        assert_eq!(r.message, "Alert #2 created: another alert");
        assert_eq!(r.kind, Kind::Alert);
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.actor.as_deref(), Some("test@example.com"));
        // Created through the API: not a person's action.
        assert_eq!(r.human, Some(false));
        assert_eq!(r.host.as_deref(), Some("Server"));
        assert_eq!(r.system.as_deref(), Some("Opsgenie"));
        assert_eq!(
            r.identifiers,
            ["ec03dad6-62c8-4c94-b38b-d88f398e900f", "alert-alias"]
        );
        assert_eq!(r.line, Some(1));
        assert_eq!(r.line_end, Some(39));
        assert_eq!(r.locator.as_deref(), Some("$"));
        assert_eq!(attr(r, "tiny_id"), Some("2"));
    }

    #[test]
    fn other_actions_read_updated_at_in_nanoseconds() {
        let r = &run(&Opsgenie, ACK).records[0];
        // updatedAt 1420452224764002246 ns; createdAt 1420452191104 ms is
        // the alert's creation, half a minute earlier.
        assert_eq!(utc(r), "2015-01-05T10:03:44.764002Z");
        assert_eq!(r.time.precision, Precision::Nano);
        assert_eq!(r.message, "Alert #23 acknowledged by fili@ifountain.com");
        assert_eq!(r.human, Some(true));
        assert_eq!(r.level, None);
        assert_eq!(attr(r, "action"), Some("acknowledge"));
        let r = &run(&Opsgenie, CLOSE).records[0];
        assert_eq!(utc(r), "2015-01-05T10:06:14.669001Z");
        assert_eq!(r.message, "Alert #23 closed by fili@ifountain.com");
        assert_eq!(attr(r, "action"), Some("resolve"));
        assert_eq!(r.identifiers[0], "052652ac-5d1c-464a-812a-7dd18bbfba8c");
    }

    #[test]
    fn webhooks_one_per_line_and_notes() {
        let capture = format!(
            "{}\n{}\n",
            r#"{"action":"AddNote","alert":{"alertId":"a-1","message":"m","username":"jane@example.com","note":"rolling back","createdAt":1792892462350,"updatedAt":1792894364907330001},"source":{"name":"","type":"web"}}"#,
            r#"{"action":"TakeOwnership","alert":{"alertId":"a-1","message":"m","username":"jane@example.com","createdAt":1792892462350,"updatedAt":1792894400000000000},"source":{"type":"mobile"}}"#
        );
        let out = run(&Opsgenie, capture.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records[0].message, "Note: rolling back");
        assert_eq!(utc(&out.records[0]), "2026-10-25T02:12:44.907330Z");
        assert_eq!(attr(&out.records[0], "statement"), Some("true"));
        assert_eq!(
            out.records[1].message,
            "Ownership taken by jane@example.com"
        );
        assert_eq!(out.records[1].line, Some(2));
        assert_eq!(out.records[1].locator.as_deref(), Some("document 2 $"));
    }

    #[test]
    fn report_durations_become_times_only_where_updated_at_allows_one_reading() {
        let alert = |updated: &str, ack: i64, close: i64| {
            format!(
                r#"{{"data":{{"id":"a","tinyId":"9","message":"m","status":"closed","acknowledged":true,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"{updated}","report":{{"ackTime":{ack},"closeTime":{close}}}}}}}"#
            )
        };
        let times = |input: String| {
            run(&Opsgenie, input.as_bytes())
                .records
                .iter()
                .map(utc)
                .collect::<Vec<_>>()
        };
        // Milliseconds fit before updatedAt, seconds would not.
        assert_eq!(
            times(alert("2026-01-01T00:10:00Z", 60_000, 600_000)),
            [
                "2026-01-01T00:00:00.000000Z",
                "2026-01-01T00:01:00.000000Z",
                "2026-01-01T00:10:00.000000Z"
            ]
        );
        // Seconds would fit too (updatedAt a month later): no reading.
        assert_eq!(times(alert("2026-02-01T00:00:00Z", 60, 600)).len(), 1);
        // Neither fits (an example whose updatedAt is its createdAt).
        assert_eq!(
            times(alert("2026-01-01T00:00:00Z", 15_702, 60_503_802)).len(),
            1
        );
        // Acknowledged after it was closed: not a report to trust.
        assert_eq!(
            times(alert("2026-01-01T00:10:00Z", 600_000, 60_000)).len(),
            1
        );
    }

    #[test]
    fn alert_api_list_logs_and_notes() {
        let out = run(&Opsgenie, LIST);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 4);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T01:41:02.350000Z");
        assert_eq!(
            r.message,
            "Alert #4471 created: [FIRING:1] HighErrorRate checkout-api"
        );
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.locator.as_deref(), Some("$.data[0]"));
        assert_eq!(r.line, Some(3));
        assert_eq!(attr(r, "acknowledged_by"), Some("sam.chen@example.net"));
        assert!(r
            .identifiers
            .contains(&"checkout-api-high-error-rate".to_string()));
        // ackTime 758000 and closeTime 3005000 after 01:41:02.350: the
        // alert log's acknowledgement says 01:53:40.350, and updatedAt
        // (02:31:07.902) rules out seconds.
        let ack = &out.records[1];
        assert_eq!(utc(ack), "2026-10-25T01:53:40.350000Z");
        assert_eq!(
            ack.message,
            "Alert #4471 acknowledged by sam.chen@example.net (ackTime 758000 ms after creation)"
        );
        assert_eq!(attr(ack, "action"), Some("acknowledge"));
        assert_eq!(
            ack.time.text,
            "2026-10-25T01:41:02.350Z + report.ackTime 758000 ms"
        );
        assert_eq!(ack.locator.as_deref(), Some("$.data[0]"));
        let close = &out.records[2];
        assert_eq!(utc(close), "2026-10-25T02:31:07.350000Z");
        assert_eq!(attr(close, "action"), Some("resolve"));
        assert_eq!(close.actor.as_deref(), Some("lee.okafor@example.net"));
        assert_eq!(close.human, Some(true));
        assert_eq!(out.records[3].level, Some(Level::Warn));

        let out = run(&Opsgenie, LOGS);
        assert_eq!(out.records.len(), 4);
        let ack = &out.records[1];
        assert_eq!(utc(ack), "2026-10-25T01:53:40.350000Z");
        assert_eq!(ack.message, "Alert acknowledged via iOS");
        assert_eq!(ack.actor.as_deref(), Some("sam.chen@example.net"));
        assert!(out.records[2].chatter);
        assert_eq!(out.records[3].human, Some(false));

        let out = run(&Opsgenie, NOTES);
        let note = &out.records[0];
        assert_eq!(utc(note), "2026-10-25T02:12:44.907000Z");
        assert_eq!(note.human, Some(true));
        assert_eq!(attr(note, "statement"), Some("true"));
    }

    #[test]
    fn unreadable_payloads_become_problems() {
        for (input, reason) in [
            // A fraction is not the integer the field defines.
            (
                &br#"{"action":"Close","alert":{"alertId":"x","updatedAt":1.4204523746690016e18}}"#
                    [..],
                "updatedAt",
            ),
            (
                br#"{"action":"Acknowledge","alert":{"alertId":"x","createdAt":1420452191104}}"#,
                "without updatedAt",
            ),
            (
                br#"{"data":[{"tinyId":"1","message":"m","createdAt":"later"}]}"#,
                "later",
            ),
            (br#"{"took":0.1}"#, "not an Opsgenie"),
        ] {
            let out = run(&Opsgenie, input);
            assert!(out.records.is_empty());
            assert_eq!(out.problems.len(), 1, "{}", String::from_utf8_lossy(input));
            assert!(
                out.problems[0].reason.contains(reason),
                "{:?}",
                out.problems[0]
            );
            assert_eq!(out.problems[0].line, Some(1));
        }
    }

    #[test]
    fn a_webhook_without_a_time_is_named_not_unrecognized() {
        // zulip/zulip: zerver/webhooks/opsgenie/fixtures/escalate.json
        // (Apache-2.0), pasted here since fixtures/opsgenie/ holds only
        // files detected as Opsgenie.
        let escalate: &[u8] = br#"{
    "escalationId":"51859f57-7fad-467b-ad79-59acbc69cb6a",
    "headers":{
        "foo":"bar"
    },
    "integrationName":"Webhook_Test",
    "escalationNotify":{
        "name":"test@ifountain.com",
        "id":"64818849-71d6-40ce-87c6-ed5e588702fd",
        "type":"default",
        "entity":"user"
    },
    "integrationId":"868be72a-8015-432e-8b23-c1f7f4374baa",
    "escalationName":"test_esc",
    "alert":{
        "alertId":"7ba97e3a-d328-4b5e-8f9a-39e945a3869a"
    },
    "escalationTime":0,
    "action":"Escalate",
    "repeatCount":0
}"#;
        assert_eq!(Opsgenie.sniff(escalate), None);
        assert_eq!(
            Opsgenie.untimed(escalate).as_deref(),
            Some(
                "Opsgenie webhook without a time: Escalate of alert \
                 7ba97e3a-d328-4b5e-8f9a-39e945a3869a carries neither createdAt nor updatedAt"
            )
        );
        let out = run(&Opsgenie, escalate);
        assert!(out.records.is_empty());
        assert_eq!(
            out.problems
                .iter()
                .map(|p| (p.line, p.reason.as_str()))
                .collect::<Vec<_>>(),
            [(
                Some(1),
                "Opsgenie webhook without a time: Escalate without updatedAt"
            )]
        );
        assert_eq!(Opsgenie.untimed(LIST), None);
        assert_eq!(Opsgenie.untimed(br#"{"action":"x","alert":"y"}"#), None);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        for input in [CREATE, ACK, CLOSE, LIST, LOGS, NOTES] {
            assert!(
                Opsgenie.sniff(input).is_some(),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        assert_rejects(
            &Opsgenie,
            &[
            &br#"{"time":"2026-10-25T01:41:02Z","level":"info","action":"Create","alert":"x","msg":"y"}"#[..],
            br#"[{"type":"message","user":"U024BE7LH","text":"Opsgenie alert #23","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/pagerduty/webhook_v3_incident_triggered.json"),
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            include_bytes!("../../../fixtures/pagerduty/analytics_raw_incidents.json"),
            ],
        );
    }

    never_panics!(Opsgenie);

    proptest! {
        #[test]
        fn arbitrary_epochs_never_panic(n in any::<i128>(), action in "(Create|Close)") {
            let input = format!(r#"{{"action":"{action}","alert":{{"alertId":"x","createdAt":{n},"updatedAt":{n}}}}}"#);
            let mut out = Collected::default();
            Opsgenie.parse(input.as_bytes(), &mut out);
            let _ = Opsgenie.sniff(input.as_bytes());
        }
    }
}
