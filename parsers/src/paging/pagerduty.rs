//! PagerDuty: REST API v2 responses saved as files (incident log entries,
//! one log entry, incidents, one incident, incident notes, incident alerts,
//! analytics raw incidents) and webhook payloads (v3, and the `messages`
//! of the older v1 and v2), one document or one payload per line. On-call entries and schedules are shifts, read by
//! [`crate::paging::pagerduty_oncalls`].
//!
//! Every record is a paging happening (`alert`): triggers, notifications,
//! escalations, assignments, acknowledgements, notes and resolutions, each
//! with the incident's number, id and URL as identifiers so the pipeline can
//! merge what several systems saw of one incident. Lists come newest first;
//! records are emitted in document order and the pipeline sorts them.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::input::json::{
    self, problem_at, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::paging::{humanize, join_names, name_of};
use crate::record::{add_attribute, add_identifier, Kind, Record, RecordSink};
use crate::time::{Precision, TimeValue, Timestamp};
use crate::Parser;

/// PagerDuty incidents, log entries, notes, alerts and webhooks.
pub struct PagerDuty;

const SYSTEM: &str = "PagerDuty";

impl Parser for PagerDuty {
    fn id(&self) -> &str {
        "pagerduty"
    }

    fn description(&self) -> &str {
        "PagerDuty REST API v2 exports (incident log entries, incidents, notes, alerts, analytics raw incidents) and v1, v2 and v3 webhooks"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let created = || h.time(&["created_at"], json::head_text_time);
        if h.has("event") && h.has("event_type") && h.has("resource_type") {
            return h.time(&["occurred_at"], json::head_text_time).map(|_| 95);
        }
        let listed = |keys: &[&str]| h.array || keys.iter().any(|k| h.has(k));
        if listed(&["log_entries", "log_entry"]) && h.text_ends_with("type", "_log_entry") {
            return created().map(|_| 95);
        }
        // v1 webhooks write `created_on`, not `created_at`.
        if h.has("messages") && h.has("incident") && h.has("incident_number") {
            return h
                .time(&["created_at", "created_on"], json::head_text_time)
                .map(|_| 90);
        }
        if listed(&["incidents", "incident"]) && h.has("incident_number") && h.has("status") {
            return created().map(|_| 90);
        }
        if h.has("notes") && h.has("content") && (h.text_ends_with("type", "user_reference")) {
            return created().map(|_| 85);
        }
        if h.has("alerts") && h.has("alert_key") {
            return created().map(|_| 90);
        }
        if h.has("data")
            && h.has("incident_number")
            && (h.has("seconds_to_resolve") || h.has("seconds_to_first_ack"))
        {
            return created().map(|_| 90);
        }
        None
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| read_document(src, doc, sink));
    }
}

/// What one element of a PagerDuty response is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    LogEntry,
    Incident,
    Note,
    Alert,
    Analytics,
}

fn classify(value: &Value) -> Option<Shape> {
    let ty = value.get("type").and_then(Value::as_str).unwrap_or("");
    if ty.ends_with("_log_entry") {
        Some(Shape::LogEntry)
    } else if value.get("seconds_to_resolve").is_some()
        || value.get("seconds_to_first_ack").is_some()
    {
        Some(Shape::Analytics)
    } else if value.get("incident_number").is_some() {
        Some(Shape::Incident)
    } else if ty == "alert" || value.get("alert_key").is_some() {
        Some(Shape::Alert)
    } else if value.get("content").is_some() && value.get("user").is_some() {
        Some(Shape::Note)
    } else {
        None
    }
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let root = doc.root.as_str();
    let raw = doc.raw;
    if raw.get().trim_start().starts_with('[') {
        match input.elements(raw, root) {
            Some(items) => items
                .iter()
                .for_each(|el| read_element(input, el, None, &DocumentFacts::default(), sink)),
            None => sink.problem(document_problem(input, raw, root, "unreadable array")),
        }
        return;
    }
    let Some(members) = input.members(raw) else {
        sink.problem(document_problem(
            input,
            raw,
            root,
            "not a PagerDuty response: expected a JSON object or array",
        ));
        return;
    };
    let context = DocumentFacts {
        time_zone: members
            .iter()
            .find(|(k, _)| k == "time_zone")
            .and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok()),
    };
    let mut found = false;
    for (key, value) in &members {
        let hint = match key.as_str() {
            "log_entries" | "log_entry" => Some(Shape::LogEntry),
            "incidents" | "incident" => Some(Shape::Incident),
            "notes" | "note" => Some(Shape::Note),
            "alerts" | "alert" => Some(Shape::Alert),
            "data" => None,
            "event" => {
                found = true;
                match input.element(value, format!("{root}.event")) {
                    Some(el) => webhook(input, &el, sink),
                    None => sink.problem(document_problem(input, value, root, "unreadable event")),
                }
                continue;
            }
            "messages" => {
                found = true;
                match input.elements(value, &format!("{root}.messages")) {
                    Some(messages) => {
                        for el in &messages {
                            if let Err(reason) = webhook_message(input, el, sink) {
                                sink.problem(problem_at(el, reason));
                            }
                        }
                    }
                    None => sink.problem(document_problem(
                        input,
                        value,
                        root,
                        "messages is not an array",
                    )),
                }
                continue;
            }
            _ => continue,
        };
        let locator = format!("{root}.{key}");
        let body = value.get().trim_start();
        if body.starts_with('[') {
            let Some(items) = input.elements(value, &locator) else {
                continue;
            };
            if key == "data" && !items.iter().any(|el| classify(&el.value).is_some()) {
                continue;
            }
            found = true;
            for el in &items {
                read_element(input, el, hint, &context, sink);
            }
        } else if body.starts_with('{') && hint.is_some() {
            if let Some(el) = input.element(value, locator) {
                found = true;
                read_element(input, &el, hint, &context, sink);
            }
        }
    }
    if !found {
        sink.problem(document_problem(
            input,
            raw,
            root,
            "no PagerDuty log entries, incidents, notes, alerts or webhook event in this document",
        ));
    }
}

fn document_problem(
    input: &IndexedInput<'_>,
    raw: &serde_json::value::RawValue,
    locator: &str,
    reason: &str,
) -> crate::Problem {
    let span = input.span_of(raw);
    crate::Problem {
        line: Some(input.line_at(span.start)),
        locator: Some(locator.to_string()),
        reason: reason.to_string(),
    }
}

/// Facts of the whole document that its elements need.
#[derive(Debug, Default)]
struct DocumentFacts {
    /// The zone an analytics response states its naive times in.
    time_zone: Option<String>,
}

fn read_element(
    input: &IndexedInput<'_>,
    el: &Element,
    hint: Option<Shape>,
    context: &DocumentFacts,
    sink: &mut dyn RecordSink,
) {
    if !el.value.is_object() {
        sink.problem(problem_at(el, "not a JSON object".to_string()));
        return;
    }
    // The element's own shape wins over its array's name: a `data` array
    // holds analytics rows, a hand-assembled array may hold anything.
    let shape = classify(&el.value).or(hint);
    let result = match shape {
        Some(Shape::LogEntry) => log_entry(input, el, sink),
        Some(Shape::Incident) => incident(input, el, sink),
        Some(Shape::Note) => note(input, el, sink),
        Some(Shape::Alert) => alert(input, el, sink),
        Some(Shape::Analytics) => analytics(input, el, context, sink),
        None => Err("not a PagerDuty log entry, incident, note or alert".to_string()),
    };
    if let Err(reason) = result {
        sink.problem(problem_at(el, reason));
    }
}

fn base(input: &IndexedInput<'_>, at: &Element, time: Timestamp, message: String) -> Record {
    let mut record = input.record_at(at, Kind::Alert, time, message);
    record.system = Some(SYSTEM.into());
    record
}

/// Whether a PagerDuty reference names a person (`user_reference`), a
/// bot or a system (services, integrations, event rules, policies).
fn is_person(reference: Option<&Value>) -> Option<bool> {
    let ty = reference?.get("type")?.as_str()?;
    Some(matches!(ty, "user_reference" | "user"))
}

/// Whether an incident's title and its alert's description say the same
/// (one holds the other, once the title's `[#1234] ` is set aside).
fn says_alike(title: &str, alert: &str) -> bool {
    let core = match title.strip_prefix("[#") {
        Some(rest) => rest.split_once("] ").map_or(title, |(_, core)| core),
        None => title,
    };
    title.contains(alert) || alert.contains(core)
}

fn incident_number_in(summary: &str) -> Option<String> {
    let start = summary.find("[#")? + 2;
    let rest = summary.get(start..)?;
    let end = rest.find(']')?;
    let digits = rest.get(..end)?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
}

/// `[#1234] title`: how PagerDuty itself writes an incident's summary.
fn incident_title(incident: &Value) -> Option<String> {
    if let Some(summary) = text(incident, &["summary"]) {
        if incident_number_in(summary).is_some() {
            return Some(summary.to_string());
        }
    }
    let title = text(incident, &["title"])
        .or_else(|| text(incident, &["summary"]))
        .or_else(|| text(incident, &["description"]))
        // v1 webhooks name the incident by what triggered it.
        .or_else(|| text(incident, &["trigger_summary_data", "subject"]))
        .or_else(|| text(incident, &["trigger_summary_data", "description"]));
    let number = json::scalar_text(incident, &["incident_number"])
        .or_else(|| json::scalar_text(incident, &["number"]));
    match (number, title) {
        (Some(n), Some(t)) => Some(format!("[#{n}] {t}")),
        (None, Some(t)) => Some(t.to_string()),
        (Some(n), None) => Some(format!("#{n}")),
        (None, None) => None,
    }
}

/// The incident number (`#1234`), id and web address of an incident or
/// incident reference.
fn add_incident_identifiers(record: &mut Record, incident: &Value) {
    let number = json::scalar_text(incident, &["incident_number"])
        .or_else(|| json::scalar_text(incident, &["number"]))
        .or_else(|| text(incident, &["summary"]).and_then(incident_number_in));
    if let Some(n) = number {
        add_identifier(record, format!("#{n}"));
    }
    if let Some(id) = text(incident, &["id"]) {
        add_identifier(record, id);
    }
    if let Some(url) = text(incident, &["html_url"]) {
        add_identifier(record, url);
    }
}

fn by(verb: &str, who: Option<&str>) -> String {
    match who {
        Some(who) => format!("{verb} by {who}"),
        None => verb.to_string(),
    }
}

fn escalation_level_in(summary: &str) -> Option<u64> {
    static LEVEL: OnceLock<Regex> = OnceLock::new();
    let re = LEVEL.get_or_init(|| Regex::new(r"(?i)\blevel (\d{1,3})\b").expect("valid pattern"));
    re.captures(summary)?.get(1)?.as_str().parse().ok()
}

fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|v| name_of(Some(v))).collect())
        .unwrap_or_default()
}

fn log_entry(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let ty = text(v, &["type"]).unwrap_or("log_entry");
    let action = ty
        .trim_end_matches("_reference")
        .trim_end_matches("_log_entry");
    let time = time_field(v, "created_at")?.ok_or("log entry without created_at")?;
    let agent = v.get("agent").filter(|a| a.is_object());
    let agent_name = name_of(agent);
    let who = agent_name.as_deref();
    let summary = text(v, &["summary"]);
    let incident = v.get("incident").filter(|i| i.is_object());
    let title = incident.and_then(incident_title);
    let channel_type = text(v, &["channel", "type"]);
    let mut level = None;
    let mut statement = false;
    let assignees = names(v.get("assignees"));
    let message = match action {
        "trigger" => {
            let alert = text(v, &["event_details", "description"])
                .or_else(|| text(v, &["channel", "summary"]));
            match (title.as_deref(), alert) {
                // The incident's title and the alert that opened it, when
                // they differ: people name either ("#1209", "the
                // CrashLooping alert").
                (Some(title), Some(alert)) if !says_alike(title, alert) => {
                    format!("Triggered: {title} ({alert})")
                }
                (Some(title), _) => format!("Triggered: {title}"),
                (None, alert) => format!("Triggered: {}", alert.or(summary).unwrap_or("incident")),
            }
        }
        "acknowledge" => by("Acknowledged", who),
        "unacknowledge" => by("Unacknowledged", who),
        "resolve" => by("Resolved", who),
        "escalate" => {
            level = json::scalar_text(v, &["escalation_level"])
                .and_then(|l| l.parse().ok())
                .or_else(|| summary.and_then(escalation_level_in));
            match (level, assignees.is_empty()) {
                (Some(l), true) => format!("Escalated to level {l}"),
                (Some(l), false) => format!("Escalated to level {l} ({})", join_names(&assignees)),
                (None, false) => format!("Escalated to {}", join_names(&assignees)),
                (None, true) => summary.unwrap_or("Escalated").to_string(),
            }
        }
        "assign" | "reassign" | "delegate" if !assignees.is_empty() => {
            let verb = if action == "assign" {
                "Assigned"
            } else {
                "Reassigned"
            };
            let mut m = format!("{verb} to {}", join_names(&assignees));
            if is_person(agent) == Some(true) {
                if let Some(who) = who {
                    m.push_str(&format!(" by {who}"));
                }
            }
            m
        }
        // PagerDuty's own summary of a notification reads well ("Notified
        // Jane Doe by SMS"); built from parts only when it is missing.
        "notify" => match (summary, name_of(v.get("user"))) {
            (Some(summary), _) => summary.to_string(),
            (None, Some(user)) => match text(v, &["channel", "notification", "type"]) {
                Some(via) => format!(
                    "Notified {user} via {}",
                    via.trim_end_matches("_notification").replace('_', " ")
                ),
                None => format!("Notified {user}"),
            },
            (None, None) => "Notified".to_string(),
        },
        "annotate" => {
            statement = true;
            let note = text(v, &["note"])
                .or_else(|| {
                    text(v, &["channel", "summary"]).filter(|_| channel_type == Some("note"))
                })
                .or(summary)
                .unwrap_or("");
            format!("Note: {note}")
        }
        _ => summary
            .map(str::to_string)
            .unwrap_or_else(|| humanize(action)),
    };
    let mut record = base(input, el, time, message);
    record.actor = agent_name.clone();
    record.human = is_person(agent);
    record.service = name_of(v.get("service")).or_else(|| {
        agent
            .filter(|a| text(a, &["type"]) == Some("service_reference"))
            .and_then(|a| name_of(Some(a)))
    });
    if let Some(incident) = incident {
        add_incident_identifiers(&mut record, incident);
    }
    if let Some(id) = text(v, &["id"]) {
        add_identifier(&mut record, id);
    }
    add_attribute(&mut record, "action", Some(action));
    add_attribute(&mut record, "log_entry_type", Some(ty));
    add_attribute(&mut record, "channel", channel_type);
    add_attribute(&mut record, "title", title);
    add_attribute(&mut record, "summary", summary);
    add_attribute(
        &mut record,
        "description",
        text(v, &["event_details", "description"]),
    );
    add_attribute(
        &mut record,
        "escalation_level",
        level.map(|l| l.to_string()),
    );
    if !assignees.is_empty() {
        add_attribute(&mut record, "assignee", Some(join_names(&assignees)));
    }
    if statement {
        add_attribute(&mut record, "statement", Some("true"));
    }
    sink.record(record);
    Ok(())
}

/// The incident's own facts, shared by every record it yields.
fn incident_record(
    input: &IndexedInput<'_>,
    at: &Element,
    incident: &Value,
    time: Timestamp,
    message: String,
) -> Record {
    let mut record = base(input, at, time, message);
    record.service = name_of(incident.get("service"));
    add_incident_identifiers(&mut record, incident);
    if let Some(key) = text(incident, &["incident_key"]) {
        add_identifier(&mut record, key);
    }
    add_attribute(&mut record, "title", incident_title(incident));
    add_attribute(&mut record, "urgency", text(incident, &["urgency"]));
    add_attribute(&mut record, "priority", name_of(incident.get("priority")));
    add_attribute(
        &mut record,
        "escalation_policy",
        name_of(incident.get("escalation_policy")),
    );
    record
}

fn incident(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "created_at")?.ok_or("incident without created_at")?;
    let title = incident_title(v).unwrap_or_else(|| "incident".to_string());
    let mut created = incident_record(input, el, v, time, format!("Triggered: {title}"));
    add_attribute(&mut created, "action", Some("trigger"));
    add_attribute(&mut created, "status", text(v, &["status"]));
    add_attribute(&mut created, "assigned_via", text(v, &["assigned_via"]));
    if let Some(first) = v.get("first_trigger_log_entry") {
        if let Some(id) = text(first, &["id"]) {
            add_identifier(&mut created, id);
        }
    }
    sink.record(created);

    for (key, role, verb, action) in [
        ("assignments", "assignee", "Assigned to", "assign"),
        (
            "acknowledgements",
            "acknowledger",
            "Acknowledged by",
            "acknowledge",
        ),
    ] {
        for item in input.nested(el, &[key]).unwrap_or_default() {
            let at = match time_field(&item.value, "at") {
                Ok(Some(t)) => t,
                Ok(None) => {
                    sink.problem(problem_at(&item, format!("{key} entry without at")));
                    continue;
                }
                Err(reason) => {
                    sink.problem(problem_at(&item, reason));
                    continue;
                }
            };
            let person = item.value.get(role);
            let who = name_of(person);
            let message = match &who {
                Some(who) => format!("{verb} {who}"),
                None => humanize(action),
            };
            let mut record = incident_record(input, &item, v, at, message);
            if action == "acknowledge" {
                record.actor = who.clone();
                record.human = is_person(person);
            } else {
                add_attribute(&mut record, "assignee", who.clone());
            }
            add_attribute(&mut record, "action", Some(action));
            sink.record(record);
        }
    }

    for item in input
        .nested(el, &["incidents_responders"])
        .unwrap_or_default()
    {
        let Ok(Some(at)) = time_field(&item.value, "requested_at") else {
            continue;
        };
        let responder = name_of(item.value.get("user")).unwrap_or_else(|| "a responder".into());
        let requester = item.value.get("requester");
        let mut message = format!("Responder requested: {responder}");
        if let Some(who) = name_of(requester) {
            message.push_str(&format!(" by {who}"));
        }
        if let Some(said) = text(&item.value, &["message"]) {
            message.push_str(&format!(": {said}"));
        }
        let mut record = incident_record(input, &item, v, at, message);
        record.actor = name_of(requester);
        record.human = is_person(requester);
        add_attribute(&mut record, "action", Some("responder_request"));
        add_attribute(&mut record, "state", text(&item.value, &["state"]));
        sink.record(record);
    }

    if text(v, &["status"]) == Some("resolved") {
        // `resolved_at` is newer than `last_status_change_at`; both name the
        // resolution when the incident's last change was to resolve it.
        let field = ["resolved_at", "last_status_change_at"]
            .iter()
            .find_map(|k| match time_field(v, k) {
                Ok(Some(t)) => input.field(el, k).map(|at| (at, t)),
                _ => None,
            });
        match field {
            Some((at, time)) => {
                let resolver = v.get("last_status_change_by").filter(|r| r.is_object());
                let who = name_of(resolver);
                let mut record =
                    incident_record(input, &at, v, time, by("Resolved", who.as_deref()));
                record.actor = who;
                record.human = is_person(resolver);
                add_attribute(&mut record, "action", Some("resolve"));
                add_attribute(&mut record, "status", Some("resolved"));
                add_attribute(
                    &mut record,
                    "resolve_reason",
                    name_of(v.get("resolve_reason")),
                );
                sink.record(record);
            }
            None => sink.problem(problem_at(
                el,
                "resolved incident without resolved_at or last_status_change_at".to_string(),
            )),
        }
    }
    Ok(())
}

fn note(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "created_at")?.ok_or("note without created_at")?;
    let content = text(v, &["content"]).ok_or("note without content")?;
    let user = v.get("user").filter(|u| u.is_object());
    let mut record = base(input, el, time, format!("Note: {content}"));
    record.actor = name_of(user);
    // Notes are people's statements, unless a bot (event rule) wrote them.
    record.human = Some(is_person(user).unwrap_or(true));
    if let Some(incident) = v.get("incident").filter(|i| i.is_object()) {
        add_incident_identifiers(&mut record, incident);
    }
    add_attribute(&mut record, "action", Some("annotate"));
    add_attribute(&mut record, "statement", Some("true"));
    add_attribute(&mut record, "channel", name_of(v.get("channel")));
    add_attribute(&mut record, "note_id", text(v, &["id"]));
    sink.record(record);
    Ok(())
}

fn alert(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) -> Result<(), String> {
    let v = &el.value;
    let time = time_field(v, "created_at")?.ok_or("alert without created_at")?;
    let summary = text(v, &["summary"])
        .or_else(|| text(v, &["body", "details", "summary"]))
        .unwrap_or("alert")
        .to_string();
    let build = |at: &Element, time: Timestamp, message: String| {
        let mut record = base(input, at, time, message);
        record.service = name_of(v.get("service"));
        record.human = Some(false);
        if let Some(id) = text(v, &["id"]) {
            add_identifier(&mut record, id);
        }
        if let Some(key) = text(v, &["alert_key"]) {
            add_identifier(&mut record, key);
        }
        if let Some(url) = text(v, &["html_url"]) {
            add_identifier(&mut record, url);
        }
        if let Some(incident) = v.get("incident").filter(|i| i.is_object()) {
            add_incident_identifiers(&mut record, incident);
        }
        add_attribute(&mut record, "title", Some(summary.clone()));
        add_attribute(&mut record, "status", text(v, &["status"]));
        add_attribute(&mut record, "severity", text(v, &["severity"]));
        add_attribute(&mut record, "integration", name_of(v.get("integration")));
        record
    };
    let mut record = build(el, time, format!("Alert triggered: {summary}"));
    record.level = text(v, &["severity"]).and_then(crate::Level::from_word);
    add_attribute(&mut record, "action", Some("trigger"));
    add_attribute(
        &mut record,
        "suppressed",
        json::scalar_text(v, &["suppressed"]),
    );
    sink.record(record);
    if let Ok(Some(time)) = time_field(v, "resolved_at") {
        if let Some(at) = input.field(el, "resolved_at") {
            let mut record = build(&at, time, format!("Alert resolved: {summary}"));
            add_attribute(&mut record, "action", Some("resolve"));
            sink.record(record);
        }
    }
    Ok(())
}

/// Analytics rows state naive times in the zone the response names
/// (`time_zone`); the time stays naive and the zone goes into the `tz`
/// attribute for the pipeline to apply.
fn analytics(
    input: &IndexedInput<'_>,
    el: &Element,
    context: &DocumentFacts,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let v = &el.value;
    let created = time_field(v, "created_at")?.ok_or("incident without created_at")?;
    let title = incident_title(v).unwrap_or_else(|| "incident".to_string());
    let build = |at: &Element, time: Timestamp, message: String| {
        let mut record = base(input, at, time, message);
        record.service = text(v, &["service_name"]).map(str::to_string);
        add_incident_identifiers(&mut record, v);
        add_attribute(&mut record, "title", Some(title.clone()));
        add_attribute(&mut record, "urgency", text(v, &["urgency"]));
        add_attribute(&mut record, "priority", text(v, &["priority_name"]));
        add_attribute(
            &mut record,
            "escalation_policy",
            text(v, &["escalation_policy_name"]),
        );
        add_attribute(&mut record, "team", text(v, &["team_name"]));
        add_attribute(&mut record, "tz", context.time_zone.clone());
        record
    };
    let mut record = build(el, created.clone(), format!("Triggered: {title}"));
    add_attribute(&mut record, "action", Some("trigger"));
    add_attribute(&mut record, "status", text(v, &["status"]));
    add_attribute(&mut record, "major", json::scalar_text(v, &["major"]));
    sink.record(record);

    // The first acknowledgement has no time of its own: it is the creation
    // plus `seconds_to_first_ack`, a whole number of seconds by definition.
    let ack_seconds = v.get("seconds_to_first_ack").and_then(Value::as_i64);
    if let (Some(seconds), TimeValue::Local(start)) = (ack_seconds, created.value) {
        if let Some(at_time) = start.checked_add_signed(chrono::Duration::seconds(seconds)) {
            let at = input
                .field(el, "seconds_to_first_ack")
                .unwrap_or_else(|| el.clone());
            let who = names(v.get("acknowledged_user_names")).into_iter().next();
            let time = Timestamp {
                value: TimeValue::Local(at_time),
                precision: Precision::Second,
                text: format!("{} + {seconds} s", created.text),
                unknown_zone: false,
            };
            let mut record = build(&at, time, by("Acknowledged", who.as_deref()));
            record.actor = who;
            record.human = record.actor.as_ref().map(|_| true);
            add_attribute(&mut record, "action", Some("acknowledge"));
            add_attribute(
                &mut record,
                "derived",
                Some("created_at + seconds_to_first_ack"),
            );
            sink.record(record);
        }
    }

    match time_field(v, "resolved_at") {
        Ok(Some(time)) => {
            let at = input.field(el, "resolved_at").unwrap_or_else(|| el.clone());
            let who = text(v, &["resolved_by_user_name"]).map(str::to_string);
            let mut record = build(&at, time, by("Resolved", who.as_deref()));
            record.human = who.as_ref().map(|_| true);
            record.actor = who;
            add_attribute(&mut record, "action", Some("resolve"));
            add_attribute(&mut record, "status", Some("resolved"));
            add_attribute(
                &mut record,
                "auto_resolved",
                json::scalar_text(v, &["auto_resolved"]),
            );
            sink.record(record);
        }
        Ok(None) => {}
        Err(reason) => sink.problem(problem_at(el, reason)),
    }
    Ok(())
}

/// A v3 webhook: `{"event": {"event_type": "incident.triggered", ...}}`.
fn webhook(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let Some(event_type) = text(v, &["event_type"]) else {
        sink.problem(problem_at(
            el,
            "webhook event without event_type".to_string(),
        ));
        return;
    };
    let time = match time_field(v, "occurred_at") {
        Ok(Some(t)) => t,
        Ok(None) => {
            sink.problem(problem_at(
                el,
                "webhook event without occurred_at".to_string(),
            ));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let data = v.get("data").filter(|d| d.is_object());
    // Note events carry the incident as a reference inside `data`.
    let incident = data.and_then(|d| {
        if text(d, &["type"]) == Some("incident") {
            Some(d)
        } else {
            d.get("incident").filter(|i| i.is_object())
        }
    });
    let agent = v.get("agent").filter(|a| a.is_object());
    let agent_name = name_of(agent);
    let who = agent_name.as_deref();
    let title = incident.and_then(incident_title);
    let action = event_type.rsplit('.').next().unwrap_or(event_type);
    let assignees = names(data.and_then(|d| d.get("assignees")));
    let mut statement = false;
    let message = match event_type {
        "incident.triggered" => format!("Triggered: {}", title.as_deref().unwrap_or("incident")),
        "incident.acknowledged" => by("Acknowledged", who),
        "incident.unacknowledged" => by("Unacknowledged", who),
        "incident.resolved" => by("Resolved", who),
        "incident.reopened" => by("Reopened", who),
        "incident.escalated" | "incident.reassigned" | "incident.delegated" => {
            let verb = match action {
                "escalated" => "Escalated",
                "delegated" => "Delegated",
                _ => "Reassigned",
            };
            if assignees.is_empty() {
                by(verb, who)
            } else {
                format!("{verb} to {}", join_names(&assignees))
            }
        }
        "incident.annotated" => {
            statement = true;
            format!(
                "Note: {}",
                data.and_then(|d| text(d, &["content"])).unwrap_or("")
            )
        }
        "incident.priority_updated" => match data.and_then(|d| name_of(d.get("priority"))) {
            Some(p) => format!("Priority changed to {p}"),
            None => "Priority changed".to_string(),
        },
        "incident.status_update_published" => format!(
            "Status update: {}",
            data.and_then(|d| text(d, &["message"])).unwrap_or("")
        ),
        "incident.responder.added" => "Responder added".to_string(),
        _ => {
            let mut m = humanize(event_type);
            if let Some(title) = &title {
                m.push_str(&format!(": {title}"));
            }
            m
        }
    };
    let mut record = base(input, el, time, message);
    record.actor = agent_name.clone();
    record.human = is_person(agent);
    if let Some(incident) = incident {
        record.service = name_of(incident.get("service"));
        add_incident_identifiers(&mut record, incident);
        add_attribute(&mut record, "status", text(incident, &["status"]));
        add_attribute(&mut record, "urgency", text(incident, &["urgency"]));
        add_attribute(&mut record, "priority", name_of(incident.get("priority")));
        add_attribute(
            &mut record,
            "escalation_policy",
            name_of(incident.get("escalation_policy")),
        );
    }
    let action = match action {
        "triggered" => "trigger",
        "acknowledged" => "acknowledge",
        "unacknowledged" => "unacknowledge",
        "resolved" => "resolve",
        "escalated" => "escalate",
        "reassigned" => "reassign",
        "annotated" => "annotate",
        other => other,
    };
    add_attribute(&mut record, "action", Some(action));
    add_attribute(&mut record, "event_type", Some(event_type));
    add_attribute(&mut record, "title", title);
    add_attribute(&mut record, "event_id", text(v, &["id"]));
    if !assignees.is_empty() {
        add_attribute(&mut record, "assignee", Some(join_names(&assignees)));
    }
    if statement {
        add_attribute(&mut record, "statement", Some("true"));
    }
    sink.record(record);
}

/// A message of a v1 or v2 webhook (`{"messages": [...]}`). v2 carries
/// the log entries of what happened, read as the REST API's; v1, and v2
/// without them, tell their event at `created_on`, naming the incident.
fn webhook_message(
    input: &IndexedInput<'_>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Result<(), String> {
    let entries = input.nested(el, &["log_entries"]).unwrap_or_default();
    if !entries.is_empty() {
        for entry in &entries {
            read_element(
                input,
                entry,
                Some(Shape::LogEntry),
                &DocumentFacts::default(),
                sink,
            );
        }
        return Ok(());
    }
    let v = &el.value;
    // v2 names it `event`, v1 `type`: `incident.trigger`, `incident.resolve`…
    let event = text(v, &["event"])
        .or_else(|| text(v, &["type"]))
        .ok_or("webhook message without event or type")?;
    let time = time_field(v, "created_on")?.ok_or("webhook message without created_on")?;
    let incident = v
        .get("incident")
        .or_else(|| json::get(v, &["data", "incident"]))
        .filter(|i| i.is_object())
        .ok_or("webhook message without an incident")?;
    let action = event.strip_prefix("incident.").unwrap_or(event);
    let changer = incident
        .get("last_status_change_by")
        .filter(|c| c.is_object());
    let who = name_of(changer);
    let title = incident_title(incident).unwrap_or_else(|| "incident".to_string());
    let message = match action {
        "trigger" => format!("Triggered: {title}"),
        "acknowledge" => by("Acknowledged", who.as_deref()),
        "unacknowledge" => by("Unacknowledged", who.as_deref()),
        "resolve" => by("Resolved", who.as_deref()),
        _ => format!("{}: {title}", humanize(event)),
    };
    let mut record = incident_record(input, el, incident, time, message);
    if matches!(action, "acknowledge" | "unacknowledge" | "resolve") {
        record.actor = who;
        record.human = is_person(changer);
    }
    add_attribute(&mut record, "action", Some(action));
    add_attribute(&mut record, "event_type", Some(event));
    add_attribute(&mut record, "status", text(incident, &["status"]));
    add_attribute(&mut record, "event_id", text(v, &["id"]));
    sink.record(record);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{
        assert_rejects, attr, never_panics, problem_places, run, utc, utc_messages,
    };
    use proptest::prelude::*;

    const OWN_LOG: &[u8] =
        include_bytes!("../../../fixtures/pagerduty/log_entries_incident_4471.json");
    const LOG: &[u8] = include_bytes!("../../../fixtures/pagerduty/incident_log_entries.json");
    const LOG_LIST: &[u8] = include_bytes!("../../../fixtures/pagerduty/log_entries_list.json");
    const INCIDENT: &[u8] = include_bytes!("../../../fixtures/pagerduty/incident_get.json");
    const INCIDENTS: &[u8] = include_bytes!("../../../fixtures/pagerduty/incidents_list.json");
    const NOTES: &[u8] = include_bytes!("../../../fixtures/pagerduty/incident_notes.json");
    const ALERTS: &[u8] = include_bytes!("../../../fixtures/pagerduty/incident_alerts.json");
    const ANALYTICS: &[u8] =
        include_bytes!("../../../fixtures/pagerduty/analytics_raw_incidents.json");
    const TRIGGERED: &[u8] =
        include_bytes!("../../../fixtures/pagerduty/webhook_v3_incident_triggered.json");
    const RESOLVED: &[u8] =
        include_bytes!("../../../fixtures/pagerduty/webhook_v3_incident_resolved.json");
    const CAPTURE: &[u8] = include_bytes!("../../../fixtures/pagerduty/webhooks_v3_capture.ndjson");

    #[test]
    fn incident_log_entries_in_document_order() {
        let out = run(&PagerDuty, OWN_LOG);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let messages: Vec<&str> = out.records.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Resolved by Lee Okafor",
                "Note: Rolled back checkout-api to 2.14.1; error rate back under 1%",
                "Assigned to Lee Okafor by Sam Chen",
                "Acknowledged by Sam Chen",
                "Notified Sam Chen by SMS",
                "Escalated to level 2 (Sam Chen)",
                "Notified Lee Okafor by push notification",
                "Triggered: [#4471] [FIRING:1] HighErrorRate checkout-api",
            ]
        );
        let resolved = &out.records[0];
        assert_eq!(utc(resolved), "2026-10-25T02:31:07.000000Z");
        assert_eq!(resolved.kind, Kind::Alert);
        assert_eq!(resolved.actor.as_deref(), Some("Lee Okafor"));
        assert_eq!(resolved.human, Some(true));
        assert_eq!(resolved.system.as_deref(), Some("PagerDuty"));
        assert_eq!(resolved.service.as_deref(), Some("checkout-api"));
        assert_eq!(resolved.line, Some(3));
        assert_eq!(resolved.line_end, Some(36));
        assert_eq!(resolved.locator.as_deref(), Some("$.log_entries[0]"));
        assert_eq!(&OWN_LOG[resolved.span.start..resolved.span.start + 1], b"{");
        assert_eq!(attr(resolved, "action"), Some("resolve"));

        let note = &out.records[1];
        assert_eq!(attr(note, "statement"), Some("true"));
        assert_eq!(note.human, Some(true));

        let escalated = &out.records[5];
        assert_eq!(utc(escalated), "2026-10-25T01:51:05.000000Z");
        assert_eq!(escalated.human, Some(false));
        assert_eq!(escalated.actor.as_deref(), Some("Checkout escalation"));
        assert_eq!(attr(escalated, "escalation_level"), Some("2"));
        assert_eq!(escalated.locator.as_deref(), Some("$.log_entries[5]"));

        let trigger = &out.records[7];
        assert_eq!(utc(trigger), "2026-10-25T01:41:02.000000Z");
        assert_eq!(trigger.actor.as_deref(), Some("Alertmanager"));
        assert_eq!(trigger.human, Some(false));
        assert_eq!(
            trigger.identifiers,
            [
                "#4471",
                "Q2CHK4471",
                "https://example.pagerduty.com/incidents/Q2CHK4471",
                "R1TRIGGER"
            ]
        );
        assert_eq!(trigger.line, Some(285));
    }

    #[test]
    fn vendor_log_entry_examples() {
        for input in [LOG, LOG_LIST] {
            let out = run(&PagerDuty, input);
            assert!(out.problems.is_empty(), "{:?}", out.problems);
            assert_eq!(out.records.len(), 1);
            let r = &out.records[0];
            assert_eq!(utc(r), "2015-11-07T00:14:20.000000Z");
            assert_eq!(r.message, "Triggered: [#1234] The server is on fire. (Tasks::SFDCValidator - PD_Data__c - duplicates)");
            assert_eq!(r.actor.as_deref(), Some("My Mail Service"));
            assert_eq!(r.service.as_deref(), Some("My Mail Service"));
            assert_eq!(r.human, Some(false));
            assert_eq!(attr(r, "channel"), Some("api"));
            assert!(r.identifiers.contains(&"#1234".to_string()));
        }
    }

    #[test]
    fn single_incident_yields_creation_assignment_and_acknowledgement() {
        let out = run(&PagerDuty, INCIDENT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary = utc_messages(&out);
        assert_eq!(
            summary[0],
            (
                "2015-10-06T21:30:42.000000Z".into(),
                "Triggered: [#1234] The server is on fire."
            )
        );
        assert_eq!(
            summary[1],
            (
                "2015-11-10T00:31:52.000000Z".into(),
                "Assigned to Earline Greenholt"
            )
        );
        assert_eq!(
            summary[2],
            (
                "2015-11-10T00:32:52.000000Z".into(),
                "Acknowledged by Earline Greenholt"
            )
        );
        // Acknowledged, not resolved: no resolution record.
        assert!(out
            .records
            .iter()
            .all(|r| attr(r, "action") != Some("resolve")));
        let ack = &out.records[2];
        assert_eq!(
            ack.locator.as_deref(),
            Some("$.incident.acknowledgements[0]")
        );
        assert_eq!(ack.line, Some(79));
        assert_eq!(ack.human, Some(true));
        assert_eq!(attr(ack, "urgency"), Some("high"));
        assert_eq!(attr(ack, "priority"), Some("P2"));
        assert!(ack
            .identifiers
            .contains(&"baf7cf21b1da41b4b0221008339ff357".to_string()));
        // The creation shares the first trigger log entry's id with the log.
        assert!(out.records[0]
            .identifiers
            .contains(&"Q02JTSNZWHSEKV".to_string()));
    }

    #[test]
    fn resolved_incident_cites_its_resolved_at_field() {
        let out = run(&PagerDuty, INCIDENTS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let resolved = &out.records[1];
        assert_eq!(utc(resolved), "2015-10-06T21:38:23.000000Z");
        assert_eq!(resolved.message, "Resolved by Earline Greenholt");
        assert_eq!(
            resolved.locator.as_deref(),
            Some("$.incidents[0].resolved_at")
        );
        assert_eq!(resolved.line, Some(25));
        assert_eq!(attr(resolved, "status"), Some("resolved"));
    }

    #[test]
    fn notes_are_statements_by_people_or_bots() {
        let out = run(&PagerDuty, NOTES);
        assert_eq!(out.records.len(), 2);
        let person = &out.records[0];
        assert_eq!(utc(person), "2013-03-06T20:28:51.000000Z");
        assert_eq!(person.message, "Note: Firefighters are on the scene.");
        assert_eq!(person.human, Some(true));
        assert_eq!(attr(person, "statement"), Some("true"));
        let bot = &out.records[1];
        assert_eq!(utc(bot), "2013-03-06T20:28:42.000000Z");
        assert_eq!(bot.actor.as_deref(), Some("A Global Event Rule"));
        assert_eq!(bot.human, Some(false));
    }

    #[test]
    fn alerts_carry_severity_and_alert_key() {
        let out = run(&PagerDuty, ALERTS);
        let r = &out.records[0];
        assert_eq!(utc(r), "2015-10-06T21:30:42.000000Z");
        assert_eq!(r.message, "Alert triggered: The server is on fire.");
        assert_eq!(r.level, Some(crate::Level::Critical));
        assert!(r
            .identifiers
            .contains(&"baf7cf21b1da41b4b0221008339ff357".to_string()));
        assert!(r.identifiers.contains(&"PT4KHLK".to_string()));
    }

    #[test]
    fn analytics_times_stay_naive_with_the_stated_zone() {
        let out = run(&PagerDuty, ANALYTICS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let created = &out.records[0];
        assert_eq!(
            created.time.value,
            TimeValue::Local("2023-05-31T10:05:00".parse().unwrap())
        );
        assert_eq!(created.message, "Triggered: [#928] The server is on fire!");
        assert_eq!(attr(created, "tz"), Some("Etc/UTC"));
        let ack = &out.records[1];
        assert_eq!(
            ack.time.value,
            TimeValue::Local("2023-05-31T10:05:05".parse().unwrap())
        );
        assert_eq!(ack.message, "Acknowledged by John Smith");
        assert_eq!(
            ack.locator.as_deref(),
            Some("$.data[0].seconds_to_first_ack")
        );
        let resolved = &out.records[2];
        assert_eq!(resolved.message, "Resolved by John Smith");
        assert_eq!(resolved.line, Some(52));
    }

    #[test]
    fn webhooks_v3_single_and_one_per_line() {
        let r = &run(&PagerDuty, TRIGGERED).records[0];
        assert_eq!(utc(r), "2021-06-04T13:35:29.781000Z");
        assert_eq!(r.message, "Triggered: [#9] Test Incident 3");
        assert_eq!(r.locator.as_deref(), Some("$.event"));
        assert_eq!(r.identifiers[0], "#9");
        let r = &run(&PagerDuty, RESOLVED).records[0];
        assert_eq!(utc(r), "2021-06-04T13:16:53.816000Z");
        assert_eq!(r.message, "Resolved by PIG 208");
        assert_eq!(r.human, Some(true));

        let out = run(&PagerDuty, CAPTURE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let lines: Vec<Option<u64>> = out.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [Some(1), Some(2), Some(3)]);
        assert_eq!(
            out.records[1].locator.as_deref(),
            Some("document 2 $.event")
        );
        assert_eq!(out.records[1].message, "Acknowledged by Sam Chen");
        assert_eq!(utc(&out.records[1]), "2026-10-25T01:53:40.512000Z");
        assert_eq!(
            out.records[2].message,
            "Note: Rolled back checkout-api to 2.14.1; error rate back under 1%"
        );
        assert_eq!(attr(&out.records[2], "statement"), Some("true"));
    }

    #[test]
    fn webhooks_v2_read_their_log_entries() {
        let input: &[u8] = include_bytes!("../../../fixtures/pagerduty/webhook_v2_trigger.json");
        assert_eq!(PagerDuty.sniff(input), Some(95));
        let out = run(&PagerDuty, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            utc_messages(&out),
            [(
                "2017-09-26T15:14:36.000000Z".to_string(),
                "Triggered: [#33] My new incident"
            )]
        );
        let r = &out.records[0];
        assert_eq!(r.actor.as_deref(), Some("Laura Haley"));
        assert_eq!(r.human, Some(true));
        assert_eq!(r.service.as_deref(), Some("Production XDB Cluster"));
        assert_eq!(r.locator.as_deref(), Some("$.messages[0].log_entries[0]"));
        assert_eq!(r.line, Some(6));
        assert_eq!(&r.identifiers[..2], ["#33", "PRORDTY"]);
        assert_eq!(attr(r, "action"), Some("trigger"));
    }

    #[test]
    fn webhooks_v1_and_v2_without_log_entries_tell_their_event() {
        let input: &[u8] = include_bytes!("../../../fixtures/pagerduty/webhook_v1_trigger.json");
        assert_eq!(PagerDuty.sniff(input), Some(90));
        let out = run(&PagerDuty, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            utc_messages(&out),
            [(
                "2015-02-07T21:42:52.000000Z".to_string(),
                "Triggered: [#3] foo"
            )]
        );
        let r = &out.records[0];
        assert_eq!(r.actor, None);
        assert_eq!(r.service.as_deref(), Some("Test service"));
        assert_eq!(r.locator.as_deref(), Some("$.messages[0]"));
        assert_eq!(
            &r.identifiers[..3],
            [
                "#3",
                "P140S4Y",
                "https://zulip-test.pagerduty.com/incidents/P140S4Y"
            ]
        );
        assert_eq!(attr(r, "action"), Some("trigger"));
        assert_eq!(attr(r, "event_type"), Some("incident.trigger"));

        let resolved = br#"{"messages":[{"event":"incident.resolve","created_on":"2017-09-26T16:02:11Z",
            "incident":{"incident_number":33,"title":"My new incident","status":"resolved",
                        "last_status_change_by":{"type":"user_reference","summary":"Laura Haley"}}}]}"#;
        let out = run(&PagerDuty, resolved);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            utc_messages(&out),
            [(
                "2017-09-26T16:02:11.000000Z".to_string(),
                "Resolved by Laura Haley"
            )]
        );
        assert_eq!(out.records[0].actor.as_deref(), Some("Laura Haley"));
        assert_eq!(attr(&out.records[0], "action"), Some("resolve"));
        assert_eq!(
            attr(&out.records[0], "title"),
            Some("[#33] My new incident")
        );

        let out = run(&PagerDuty, br#"{"messages":[{"type":"incident.trigger"}]}"#);
        assert_eq!(problem_places(&out), [(Some(1), Some("$.messages[0]"))]);
    }

    #[test]
    fn unreadable_records_become_problems() {
        let input = br#"{"log_entries": [
  {"type": "acknowledge_log_entry", "agent": {"type": "user_reference", "summary": "A"}},
  {"type": "resolve_log_entry", "created_at": "yesterday"},
  {"something": "else"},
  {"type": "trigger_log_entry", "created_at": "2026-10-25T01:41:02Z"}
]}"#;
        let out = run(&PagerDuty, input);
        assert_eq!(out.records.len(), 1);
        let found = problem_places(&out);
        assert_eq!(
            found,
            [
                (Some(2), Some("$.log_entries[0]")),
                (Some(3), Some("$.log_entries[1]")),
                (Some(4), Some("$.log_entries[2]")),
            ]
        );
        assert!(out.problems[1].reason.contains("yesterday"));

        let out = run(
            &PagerDuty,
            b"{\"event\": {\"event_type\": \"incident.triggered\"}}\n{broken\n",
        );
        assert_eq!(out.records.len(), 0);
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[1].line, Some(2));

        let out = run(&PagerDuty, b"{\"limit\": 25}");
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_every_shape_and_a_cut_head() {
        for input in [
            OWN_LOG, LOG, LOG_LIST, INCIDENT, INCIDENTS, NOTES, ALERTS, ANALYTICS, TRIGGERED,
            RESOLVED, CAPTURE,
        ] {
            assert!(
                PagerDuty.sniff(input).is_some(),
                "{}",
                String::from_utf8_lossy(&input[..80])
            );
        }
        // A head cut mid-document still has its keys and a time.
        assert!(PagerDuty.sniff(&OWN_LOG[..700]).is_some());
    }

    #[test]
    fn sniff_rejects_other_formats() {
        assert_rejects(
            &PagerDuty,
            &[
            // A JSON-lines log line.
            &br#"{"time":"2026-10-25T01:41:02Z","level":"error","msg":"incident created","created_at":"2026-10-25T01:41:02Z","incident_number":4471}"#[..],
            // A Slack message array.
            br#"[{"type":"message","user":"U024BE7LH","text":"PagerDuty #4471 triggered","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/opsgenie/webhook_create.json"),
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            include_bytes!("../../../fixtures/pagerduty-oncalls/oncalls_list.json"),
            // The right keys but no readable time.
            br#"{"log_entries": [{"type": "trigger_log_entry", "created_at": "soon"}]}"#,
            b"2026-10-25 01:41:02 log_entries trigger_log_entry",
            ],
        );
    }

    never_panics!(PagerDuty);

    proptest! {
        #[test]
        fn cut_documents_never_panic(cut in 0usize..2000) {
            let input = &OWN_LOG[..cut.min(OWN_LOG.len())];
            let mut out = Collected::default();
            PagerDuty.parse(input, &mut out);
            let _ = PagerDuty.sniff(input);
        }
    }
}
