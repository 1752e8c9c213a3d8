//! Jira REST API responses: issue searches and agile sprint/board issue
//! lists (`{"issues": [...]}`, ideally with `expand=changelog`), a single
//! issue, `/issue/{key}/comment` and `/issue/{key}/changelog` pages, the
//! audit log (`{"records": [...]}`) and webhook payloads.
//!
//! Jira writes every time with an offset (`2016-06-23T15:04:05.000+0200`),
//! so these times are absolute.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::input::json::{self, Element, LineIndex};
use crate::record::{Record, RecordSink};
use crate::tickets;
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::{Context, Parser};

/// Jira REST JSON.
pub struct JiraJson;

impl Parser for JiraJson {
    fn id(&self) -> &str {
        "jira-json"
    }

    fn description(&self) -> &str {
        "Jira REST JSON: issues with changelog and comments, comment and changelog pages, audit records, webhooks"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if json::first_byte(head) != Some(b'{') {
            return None;
        }
        let has = |k| json::has_key(head, k);
        let issues = has("fields")
            && has("key")
            && (has("issues") || has("changelog") || has("issuetype"))
            && json::head_time(head, &["created", "updated", "resolutiondate"], absolute);
        let comments = has("comments")
            && has("author")
            && (memchr::memmem::find(head, b"/rest/api/").is_some() || has("updateAuthor"))
            && json::head_time(head, &["created"], absolute);
        let audit = has("records")
            && (has("authorKey") || has("authorAccountId"))
            && json::head_time(head, &["created"], absolute);
        let changelog =
            has("values") && has("fromString") && json::head_time(head, &["created"], absolute);
        // An update webhook need not carry a time of the issue's own (an
        // assignment's issue without `created`); the `jira:` event, the
        // issue key and the epoch `timestamp` are Jira's enough.
        let webhook = has("webhookEvent")
            && has("timestamp")
            && (json::head_time(head, &["created", "updated"], absolute)
                || (json::string_values(head, "webhookEvent").any(|e| e.starts_with("jira:"))
                    && has("issue")
                    && has("key")
                    && json::Head::new(head).is_some_and(|h| {
                        h.time(&["timestamp"], |t| json::head_epoch(t, EpochUnit::Millis))
                            .is_some()
                    })));
        (issues || comments || audit || changelog || webhook).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        read(input, None, sink);
    }

    fn parse_in(&self, input: &[u8], context: &Context<'_>, sink: &mut dyn RecordSink) {
        // A comment or changelog page does not name its issue; the file
        // name often does (`OPS-1842-comments.json`).
        let name = context.path.rsplit('/').next().unwrap_or_default();
        read(input, issue_key_in(name), sink);
    }
}

fn absolute(text: &str) -> Option<Timestamp> {
    time::parse_field(text, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
}

/// A Jira issue key (`OPS-1842`) in a text.
fn issue_key_in(text: &str) -> Option<&str> {
    static KEY: OnceLock<Option<Regex>> = OnceLock::new();
    KEY.get_or_init(|| Regex::new(r"\b[A-Z][A-Z0-9_]{0,19}-[0-9]{1,9}\b").ok())
        .as_ref()?
        .find(text)
        .map(|m| m.as_str())
}

fn read(input: &[u8], path_key: Option<&str>, sink: &mut dyn RecordSink) {
    let doc = match json::document(input) {
        Ok(doc) => doc,
        Err(reason) => return tickets::report(sink, None, "$", reason),
    };
    let Some(top) = json::members_by_key(doc) else {
        return tickets::report(
            sink,
            Some(1),
            "$",
            "not a Jira REST response: not an object",
        );
    };
    let lines = LineIndex::new(input);
    let list = |key: &str| json::elements_below(input, &lines, doc, &[key], "$");
    if top.contains_key("issues") {
        match list("issues") {
            Some(issues) => {
                for it in &issues {
                    issue(input, &lines, it, sink);
                }
            }
            None => tickets::report(sink, Some(1), "$.issues", "issues is not an array"),
        }
    } else if top.contains_key("webhookEvent") {
        webhook(input, &lines, doc, sink);
    } else if top.contains_key("fields") && top.contains_key("key") {
        if let Some(it) = json::element(input, &lines, doc, "$".to_string()) {
            issue(input, &lines, &it, sink);
        }
    } else if top.contains_key("comments") {
        let fallback = path_key.map(Ticket::named);
        page(input, &lines, "comments", fallback, sink, |t, el, sink| {
            comment(input, t, el, sink)
        });
    } else if top.contains_key("records") {
        match json::array_at(input, &lines, &["records"]) {
            Some(records) => {
                for el in &records {
                    if let Some(r) = audit(input, el, sink) {
                        sink.record(r);
                    }
                }
            }
            None => tickets::report(sink, Some(1), "$.records", "records is not an array"),
        }
    } else if top.contains_key("values") {
        let fallback = Some(Ticket::named(path_key.unwrap_or("Jira issue")));
        page(input, &lines, "values", fallback, sink, |t, el, sink| {
            history(input, t, el, sink)
        });
    } else {
        tickets::report(
            sink,
            Some(1),
            "$",
            "not a Jira REST response this parser reads: no issues, comments, values, records or webhookEvent",
        );
    }
}

/// A page of comments or change histories of one issue.
fn page(
    input: &[u8],
    lines: &LineIndex,
    key: &str,
    fallback: Option<Ticket>,
    sink: &mut dyn RecordSink,
    read: impl Fn(&Ticket, &Element, &mut dyn RecordSink) -> Option<Record>,
) {
    let Some(elements) = json::array_at(input, lines, &[key]) else {
        return tickets::report(
            sink,
            Some(1),
            &format!("$.{key}"),
            format!("{key} is not an array"),
        );
    };
    let mut events = Vec::new();
    for el in &elements {
        let ticket = fallback
            .clone()
            .or_else(|| Ticket::from_self(&el.value))
            .unwrap_or_else(|| Ticket::named("Jira issue"));
        events.extend(read(&ticket, el, sink));
    }
    tickets::sort_if_absolute(&mut events);
    tickets::emit(sink, events);
}

/// What every event of one issue shares.
#[derive(Debug, Clone)]
struct Ticket {
    /// How messages name the issue: its key, else `issue 10016`.
    label: String,
    key: Option<String>,
    /// The issue's browse URL, which chat links and bots use.
    url: Option<String>,
    project: Option<String>,
}

impl Ticket {
    fn named(label: &str) -> Ticket {
        let key = issue_key_in(label)
            .filter(|k| *k == label)
            .map(str::to_string);
        Ticket {
            label: label.to_string(),
            key,
            url: None,
            project: None,
        }
    }

    fn from_issue(v: &Value) -> Option<Ticket> {
        let key = json::text(v, &["key"]).map(str::to_string);
        let label = match (&key, json::scalar_text(v, &["id"])) {
            (Some(k), _) => k.clone(),
            (None, Some(id)) => format!("issue {id}"),
            (None, None) => return None,
        };
        let url = match (json::text(v, &["self"]), &key) {
            (Some(api), Some(key)) => api
                .find("/rest/")
                .map(|at| format!("{}/browse/{key}", &api[..at])),
            _ => None,
        };
        let project = json::text(v, &["fields", "project", "name"])
            .or_else(|| json::text(v, &["fields", "project", "key"]))
            .map(str::to_string);
        Some(Ticket {
            label,
            key,
            url,
            project,
        })
    }

    /// The issue of a comment, from its API address
    /// (`…/rest/api/2/issue/10016/comment/10022`).
    fn from_self(v: &Value) -> Option<Ticket> {
        let api = json::text(v, &["self"])?;
        let (_, rest) = api.split_once("/issue/")?;
        let id = rest.split('/').next().filter(|s| !s.is_empty())?;
        Some(match issue_key_in(id).filter(|k| *k == id) {
            Some(key) => Ticket::named(key),
            None => Ticket::named(&format!("issue {id}")),
        })
    }

    fn stamp(&self, mut r: Record) -> Record {
        r.system = Some("Jira".into());
        r.service = self.project.clone();
        r.identifiers.extend(self.key.iter().cloned());
        r.identifiers.extend(self.url.iter().cloned());
        r
    }
}

fn issue(input: &[u8], lines: &LineIndex, it: &Element, sink: &mut dyn RecordSink) {
    let v = &it.value;
    let Some(ticket) = Ticket::from_issue(v) else {
        return tickets::report(
            sink,
            Some(it.line),
            &it.locator,
            "issue without a key or id",
        );
    };
    let at = |locator: &str, time: Timestamp, message: String| {
        tickets::item_record(input, it, locator, time, message)
    };
    let line = Some(it.line);
    let mut events = Vec::new();
    let fields = v.get("fields");
    let created = fields
        .and_then(|f| f.get("created"))
        .filter(|c| !c.is_null());
    if let Some(created) = created {
        match tickets::json_time(Some(created)) {
            Some(time) => events.push(creation(
                &ticket,
                fields,
                at(&it.locator, time, String::new()),
            )),
            None => tickets::report(
                sink,
                line,
                &it.locator,
                format!("{}: unreadable fields.created {created}", ticket.label),
            ),
        }
    }
    for el in json::nested(input, lines, it, &["changelog", "histories"]).unwrap_or_default() {
        events.extend(history(input, &ticket, &el, sink));
    }
    for el in json::nested(input, lines, it, &["fields", "comment", "comments"]).unwrap_or_default()
    {
        events.extend(comment(input, &ticket, &el, sink));
    }
    if let Some(resolved) = fields
        .and_then(|f| f.get("resolutiondate"))
        .filter(|r| !r.is_null())
    {
        let locator = format!("{}.fields.resolutiondate", it.locator);
        match tickets::json_time(Some(resolved)) {
            // The change history already says it when it recorded the
            // resolution at that instant.
            Some(time)
                if events
                    .iter()
                    .any(|e| e.time.value == time.value && e.attribute("resolution").is_some()) => {
            }
            Some(time) => {
                let resolution = fields.and_then(|f| tickets::person(f.get("resolution")));
                let message = match &resolution {
                    Some(r) => format!("{} resolved ({r})", ticket.label),
                    None => format!("{} resolved", ticket.label),
                };
                let mut r = at(&locator, time, message)
                    .with_attribute("event", "resolved")
                    .with_attribute("status_to", "Resolved");
                if let Some(res) = resolution {
                    r.attributes.push(("resolution".into(), res));
                }
                events.push(ticket.stamp(r));
            }
            None => tickets::report(
                sink,
                line,
                &locator,
                format!("{}: unreadable resolutiondate {resolved}", ticket.label),
            ),
        }
    }
    if events.is_empty() && created.is_none() {
        tickets::report(
            sink,
            line,
            &it.locator,
            format!(
                "{}: no created time, change history or comment to report",
                ticket.label
            ),
        );
    }
    tickets::sort_if_absolute(&mut events);
    tickets::emit(sink, events);
}

/// The creation event, from the issue's fields.
fn creation(ticket: &Ticket, fields: Option<&Value>, mut r: Record) -> Record {
    let field = |k: &str| fields.and_then(|f| tickets::person(f.get(k)));
    let mut message = format!("{} created", ticket.label);
    if let Some(summary) = fields.and_then(|f| json::text(f, &["summary"])) {
        message.push_str(": ");
        message.push_str(summary);
    }
    if let Some(p) = field("priority") {
        message.push_str(&format!(" (priority {p})"));
    }
    r.message = message;
    let actor = field("creator").or_else(|| field("reporter"));
    r.human = tickets::human_actor(actor.as_deref());
    r.actor = actor;
    r.attributes.push(("event".into(), "created".to_string()));
    let description = fields
        .and_then(|f| f.get("description"))
        .and_then(tickets::body_text);
    for (name, key) in [
        ("issue_type", "issuetype"),
        ("priority", "priority"),
        ("status", "status"),
        ("assignee", "assignee"),
        ("reporter", "reporter"),
    ] {
        if let Some(v) = field(key) {
            r.attributes.push((name.to_string().into(), v));
        }
    }
    let mut r = ticket.stamp(r);
    tickets::mention(&mut r, description.as_deref().unwrap_or_default());
    r
}

/// A text value of a changelog item (`fromString`, else `from`).
fn item_text(item: &Value, display: &str, raw: &str) -> String {
    json::scalar_text(item, &[display])
        .or_else(|| json::scalar_text(item, &[raw]))
        .unwrap_or_default()
}

/// Describes the items of one change (a changelog history or a webhook's
/// changelog): the wording parts and the attributes.
fn describe(items: &[Value]) -> (Vec<String>, Vec<(String, String)>) {
    let mut parts = Vec::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut fields = Vec::new();
    for item in items {
        let field = json::text(item, &["field"])
            .or_else(|| json::text(item, &["fieldId"]))
            .unwrap_or("field");
        let from = item_text(item, "fromString", "from");
        let to = item_text(item, "toString", "to");
        let mut set = |k: &str, v: &str| {
            if !v.is_empty() {
                attrs.push((k.to_string(), v.to_string()));
            }
        };
        let text = match field.to_ascii_lowercase().as_str() {
            "status" => {
                set("status_from", &from);
                set("status_to", &to);
                tickets::change_text("status", &from, &to)
            }
            "assignee" => {
                set("assignee", &to);
                tickets::assignment_text(&from, &to)
            }
            "priority" => {
                set("priority_from", &from);
                set("priority", &to);
                tickets::change_text("priority", &from, &to)
            }
            "resolution" => {
                set("resolution", &to);
                tickets::change_text("resolution", &from, &to)
            }
            "description" | "environment" => format!("{field} changed"),
            "rank" => "rank changed".to_string(),
            _ => tickets::change_text(field, &from, &to),
        };
        parts.push(text);
        fields.push(field.to_string());
        if items.len() == 1 {
            set("from", &from);
            set("to", &to);
        }
    }
    if !fields.is_empty() {
        attrs.insert(0, ("field".into(), fields.join(", ")));
    }
    (parts, attrs)
}

/// One changelog history: one event describing all its items.
fn history(
    input: &[u8],
    ticket: &Ticket,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Option<Record> {
    let h = &el.value;
    let Some(time) = tickets::json_time(h.get("created")) else {
        tickets::report(
            sink,
            Some(el.line),
            &el.locator,
            format!(
                "{}: change history without a readable created time",
                ticket.label
            ),
        );
        return None;
    };
    let items = h.get("items").and_then(Value::as_array)?;
    if items.is_empty() {
        return None;
    }
    let (parts, attrs) = describe(items);
    let mut r = tickets::element_record(
        input,
        el,
        time,
        format!("{} {}", ticket.label, parts.join("; ")),
    );
    r.attributes = attrs.into_iter().map(|(k, v)| (k.into(), v)).collect();
    r.actor = tickets::person(h.get("author"));
    r.human = tickets::human_actor(r.actor.as_deref());
    Some(ticket.stamp(r))
}

fn comment_record(
    ticket: &Ticket,
    c: &Value,
    time: Timestamp,
    mut r: Record,
    edited: bool,
) -> Record {
    let verb = if edited { "comment edited" } else { "comment" };
    r.time = time;
    r.message = match c.get("body").and_then(tickets::body_text) {
        Some(body) => format!("{} {verb}: {}", ticket.label, body.replace("\r\n", "\n")),
        None => format!("{} {verb}", ticket.label),
    };
    r.actor = tickets::person(c.get("author"));
    r.human = Some(
        r.actor
            .as_deref()
            .is_none_or(|a| !tickets::looks_automated(a)),
    );
    r.attributes.push(("comment".into(), "true".to_string()));
    if c.get("jsdPublic") == Some(&Value::Bool(false))
        || c.get("visibility").is_some_and(|v| !v.is_null())
    {
        r.attributes.push(("public".into(), "false".to_string()));
    }
    ticket.stamp(r)
}

fn comment(
    input: &[u8],
    ticket: &Ticket,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Option<Record> {
    let Some(time) = tickets::json_time(el.value.get("created")) else {
        tickets::report(
            sink,
            Some(el.line),
            &el.locator,
            format!("{}: comment without a readable created time", ticket.label),
        );
        return None;
    };
    let r = tickets::element_record(input, el, time.clone(), String::new());
    Some(comment_record(ticket, &el.value, time, r, false))
}

/// One audit log record (Jira Server and Cloud `auditing/record`).
fn audit(input: &[u8], el: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let v = &el.value;
    let Some(time) = tickets::json_time(v.get("created")) else {
        tickets::report(
            sink,
            Some(el.line),
            &el.locator,
            "audit record without a readable created time",
        );
        return None;
    };
    let summary = json::text(v, &["summary"]).unwrap_or("audit record");
    let mut message = format!("Jira audit: {summary}");
    if let Some(object) = json::text(v, &["objectItem", "name"]) {
        message.push_str(": ");
        message.push_str(object);
    }
    let changes: Vec<String> = v
        .get("changedValues")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| {
                    let field = json::text(c, &["fieldName"])?;
                    Some(tickets::change_text(
                        field,
                        &json::scalar_text(c, &["changedFrom"]).unwrap_or_default(),
                        &json::scalar_text(c, &["changedTo"]).unwrap_or_default(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if !changes.is_empty() {
        message.push_str(&format!(" ({})", changes.join("; ")));
    }
    let mut r = tickets::element_record(input, el, time, message);
    r.system = Some("Jira".into());
    let author = json::text(v, &["authorAccountId"]).or_else(|| json::text(v, &["authorKey"]));
    // `-1` is Jira's own account: start-up, upgrades, scheduled jobs.
    r.human = match (author, json::text(v, &["eventSource"])) {
        (None | Some("-1"), _) => Some(false),
        (_, Some("Browser")) => Some(true),
        _ => None,
    };
    r.actor = author.filter(|a| *a != "-1").map(str::to_string);
    for (name, path) in [
        ("category", &["category"][..]),
        ("event_source", &["eventSource"][..]),
        ("object_type", &["objectItem", "typeName"][..]),
    ] {
        if let Some(value) = json::text(v, path) {
            r.attributes
                .push((name.to_string().into(), value.to_string()));
        }
    }
    Some(r)
}

/// A webhook payload: its event at its `timestamp` (epoch milliseconds).
/// Jira Server tells of a comment as an issue update that carries it (of
/// type `issue_commented`, `issue_comment_edited`, or of no type in older
/// versions): that update is the comment, at the comment's own time, and
/// a change too only when its changelog has items.
fn webhook(input: &[u8], lines: &LineIndex, doc: &RawValue, sink: &mut dyn RecordSink) {
    let Some(root) = json::element(input, lines, doc, "$".to_string()) else {
        return;
    };
    let v = &root.value;
    let event = json::text(v, &["webhookEvent"]).unwrap_or("webhook");
    let stamp = json::epoch_field(v, "timestamp", EpochUnit::Millis)
        .ok()
        .flatten();
    let ticket = v
        .get("issue")
        .and_then(Ticket::from_issue)
        .unwrap_or_else(|| Ticket::named("Jira issue"));
    let fields = v.get("issue").and_then(|i| i.get("fields"));
    let record = |time: Timestamp| tickets::item_record(input, &root, "$", time, String::new());
    let comment_event = |c: &Value, edited: bool| {
        let key = if edited { "updated" } else { "created" };
        tickets::json_time(c.get(key))
            .or(stamp.clone())
            .map(|time| comment_record(&ticket, c, time.clone(), record(time), edited))
    };
    let update = Update {
        event,
        type_name: json::text(v, &["issue_event_type_name"]),
        fields,
        items: v
            .get("changelog")
            .and_then(|c| c.get("items"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default(),
        actor: tickets::person(v.get("user")),
    };
    let update_event = || {
        stamp
            .clone()
            .map(|time| update.record(&ticket, record(time)))
    };
    let comment = v.get("comment").filter(|c| c.is_object());
    let events = match (event, comment) {
        ("comment_created" | "comment_updated", _) => vec![comment_event(
            comment.unwrap_or(&Value::Null),
            event == "comment_updated",
        )],
        ("jira:issue_created", _) => {
            vec![tickets::json_time(fields.and_then(|f| f.get("created")))
                .or(stamp.clone())
                .map(|time| creation(&ticket, fields, record(time)))]
        }
        ("jira:issue_updated", Some(c)) => {
            let edited = update.type_name == Some("issue_comment_edited");
            let mut events = vec![comment_event(c, edited)];
            if !update.items.is_empty() {
                events.push(update_event());
            }
            events
        }
        _ => vec![update_event()],
    };
    let mut records = Vec::new();
    for r in events {
        match r {
            Some(r) => records.push(r.with_attribute("webhook_event", event)),
            None => tickets::report(
                sink,
                Some(1),
                "$",
                format!("{event} webhook without a readable timestamp"),
            ),
        }
    }
    tickets::sort_if_absolute(&mut records);
    tickets::emit(sink, records);
}

/// What a webhook tells of an issue update other than a comment.
struct Update<'v> {
    event: &'v str,
    /// `issue_event_type_name`: what happened, when the changelog is empty
    /// (assignments through the API, automation rules, bulk changes).
    type_name: Option<&'v str>,
    fields: Option<&'v Value>,
    items: &'v [Value],
    /// Who made it (`user`).
    actor: Option<String>,
}

impl Update<'_> {
    fn record(&self, ticket: &Ticket, mut r: Record) -> Record {
        let (parts, attrs) = describe(self.items);
        let (what, attrs) = match (self.event, self.type_name) {
            ("jira:issue_deleted", _) => ("deleted".to_string(), attrs),
            _ if !parts.is_empty() => (parts.join("; "), attrs),
            (_, Some("issue_assigned")) => {
                let to = self
                    .fields
                    .and_then(|f| tickets::person(f.get("assignee")))
                    .unwrap_or_default();
                let attrs = tickets::non_blank(&to)
                    .map(|to| vec![("assignee".to_string(), to.to_string())])
                    .unwrap_or_default();
                (tickets::assignment_text("", &to), attrs)
            }
            ("jira:issue_updated", None | Some("issue_generic" | "issue_updated")) => {
                ("updated".to_string(), attrs)
            }
            // `issue_resolved`, `issue_work_started`… read as they are named.
            (_, Some(name)) => (
                name.strip_prefix("issue_")
                    .unwrap_or(name)
                    .replace('_', " "),
                attrs,
            ),
            (other, None) => (other.to_string(), attrs),
        };
        r.message = format!("{} {what}", ticket.label);
        r.attributes = attrs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        r.human = tickets::human_actor(self.actor.as_deref());
        r.actor = self.actor.clone();
        ticket.stamp(r)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collected, Kind};
    use crate::testing::{
        assert_rejects, attr, never_panics, problem_places, run, utc, utc_messages,
    };

    const SEARCH: &[u8] =
        include_bytes!("../../../fixtures/jira-json/search_incident_with_changelog.json");
    const SPRINT: &[u8] =
        include_bytes!("../../../fixtures/jira-json/agile_sprint_issues_with_changelog.json");
    const AUDIT: &[u8] = include_bytes!("../../../fixtures/jira-json/audit_records.json");

    #[test]
    fn search_with_changelog_and_comments() {
        let out = run(&JiraJson, SEARCH);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                ("2026-10-24T23:52:00.000000Z".to_string(), "OPS-1842 created: Search API p99 latency above 2s (priority High)"),
                ("2026-10-24T23:58:00.000000Z".to_string(), "OPS-1842 comment: Acknowledged. Looking at search-api pods, GC pauses look high."),
                ("2026-10-24T23:58:10.000000Z".to_string(), "OPS-1842 assigned to Dana Whitfield; status Open → In Progress"),
                ("2026-10-25T00:40:00.000000Z".to_string(), "OPS-1842 priority Medium → High"),
                ("2026-10-25T01:12:00.000000Z".to_string(), "OPS-1842 comment: Relocation finished, p99 back under 400ms. Monitoring."),
                ("2026-10-25T02:47:00.000000Z".to_string(), "OPS-1842 resolution set to Done; status In Progress → Done"),
                ("2026-10-25T00:05:00.000000Z".to_string(), "OPS-1843 created: Status page: search degraded (priority High)"),
                ("2026-10-25T02:48:00.000000Z".to_string(), "OPS-1843 resolved (Done)"),
            ]
        );
        assert!(out.records.iter().all(|r| r.kind == Kind::Ticket
            && r.system.as_deref() == Some("Jira")
            && r.service.as_deref() == Some("Operations")));
        let created = &out.records[0];
        assert_eq!(created.actor.as_deref(), Some("Opsgenie Integration"));
        assert_eq!(created.human, Some(false));
        assert_eq!(created.locator.as_deref(), Some("$.issues[0]"));
        assert_eq!(created.line, Some(7));
        assert_eq!(
            created.identifiers,
            ["OPS-1842", "https://example.atlassian.net/browse/OPS-1842"]
        );
        let change = &out.records[2];
        assert_eq!(
            change.locator.as_deref(),
            Some("$.issues[0].changelog.histories[0]")
        );
        assert_eq!(change.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(change.human, Some(true));
        assert_eq!(attr(change, "field"), Some("assignee, status"));
        assert_eq!(attr(change, "status_from"), Some("Open"));
        assert_eq!(attr(change, "status_to"), Some("In Progress"));
        assert_eq!(attr(change, "assignee"), Some("Dana Whitfield"));
        assert!(SEARCH[change.span.clone()].starts_with(b"{\n            \"id\": \"50001\""));
        assert_eq!(change.line, Some(56));
        assert_eq!(change.line_end, Some(64));
        let bot = &out.records[3];
        assert_eq!(bot.human, Some(false));
        assert_eq!(
            (attr(bot, "from"), attr(bot, "to")),
            (Some("Medium"), Some("High"))
        );
        let internal = &out.records[4];
        assert_eq!(
            internal.locator.as_deref(),
            Some("$.issues[0].fields.comment.comments[1]")
        );
        assert_eq!(attr(internal, "public"), Some("false"));
        assert_eq!(attr(internal, "comment"), Some("true"));
        let resolved = &out.records[7];
        assert_eq!(
            resolved.locator.as_deref(),
            Some("$.issues[1].fields.resolutiondate")
        );
        assert_eq!(attr(resolved, "resolution"), Some("Done"));
    }

    #[test]
    fn agile_sprint_issues() {
        let out = run(&JiraJson, SPRINT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                ("2015-12-02T15:39:15.000000Z".to_string(), "AR-86 created (priority Major)"),
                ("2015-12-07T22:19:13.000000Z".to_string(), "AR-86 resolved (Done)"),
                ("2016-02-01T16:17:04.000000Z".to_string(), "AR-86 summary A task that needs to be done. → A task that doesn't need to be done."),
                ("2016-02-01T16:17:04.000000Z".to_string(), "AR-86 priority Major → Minor"),
            ]
        );
        assert_eq!(out.records[2].actor.as_deref(), Some("mister Morris"));
        // A history without an author does not say who changed it.
        assert_eq!(out.records[3].actor, None);
        assert_eq!(out.records[3].human, None);
        assert_eq!(
            out.records[3].locator.as_deref(),
            Some("$.issues[0].changelog.histories[1]")
        );
        assert_eq!(out.records[0].service.as_deref(), Some("Team Argon"));
        assert_eq!(
            out.records[0]
                .attributes
                .iter()
                .find(|(k, _)| k == "assignee")
                .map(|(_, v)| v.as_str()),
            Some("mister Morris")
        );
    }

    #[test]
    fn audit_records() {
        let out = run(&JiraJson, AUDIT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 228);
        let first = &out.records[0];
        assert_eq!(utc(first), "2021-03-27T08:11:08.587000Z");
        assert_eq!(first.message, "Jira audit: Audit Log search performed");
        assert_eq!(first.actor.as_deref(), Some("JIRAUSER10000"));
        assert_eq!(first.human, Some(true));
        assert_eq!(first.locator.as_deref(), Some("$.records[0]"));
        assert_eq!(first.line, Some(6));
        let component = out
            .records
            .iter()
            .find(|r| {
                r.message
                    .starts_with("Jira audit: Project component created")
            })
            .unwrap();
        assert_eq!(utc(component), "2021-03-27T07:28:45.884000Z");
        assert_eq!(
            component.message,
            "Jira audit: Project component created: as (Default Assignee set to Project Default; Name set to as)"
        );
        let system = out
            .records
            .iter()
            .find(|r| r.message.starts_with("Jira audit: User added to group"))
            .unwrap();
        assert_eq!(system.actor, None);
        assert_eq!(system.human, Some(false));
    }

    #[test]
    fn comment_pages_name_their_issue_from_the_file_or_the_address() {
        let page = br#"{"startAt":0,"maxResults":1,"total":1,"comments":[
            {"self":"https://x.atlassian.net/rest/api/3/issue/10016/comment/10022",
             "author":{"accountId":"5570:1","displayName":"Peter Monks"},
             "body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"rolled back to 2.13.4"}]}]},
             "created":"2018-05-24T23:35:30.742+0200"}]}"#;
        let out = run(&JiraJson, page);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2018-05-24T21:35:30.742000Z");
        assert_eq!(r.message, "issue 10016 comment: rolled back to 2.13.4");
        assert_eq!(r.locator.as_deref(), Some("$.comments[0]"));
        assert_eq!(r.line, Some(2));
        let mut out = Collected::default();
        let context = Context {
            path: "ops/OPS-1842-comments.json",
            companions: &[],
        };
        JiraJson.parse_in(page, &context, &mut out);
        assert_eq!(
            out.records[0].message,
            "OPS-1842 comment: rolled back to 2.13.4"
        );
        assert_eq!(out.records[0].identifiers, ["OPS-1842"]);
    }

    #[test]
    fn webhook_payloads() {
        let updated = br#"{"timestamp":1792890420000,"webhookEvent":"jira:issue_updated",
            "user":{"displayName":"Dana Whitfield"},
            "issue":{"id":"20931","self":"https://x.atlassian.net/rest/api/2/issue/20931","key":"OPS-1842",
                     "fields":{"summary":"s","created":"2026-10-25T01:52:00.000+0200"}},
            "changelog":{"items":[{"field":"status","fromString":"In Progress","toString":"Resolved"}]}}"#;
        assert_eq!(JiraJson.sniff(updated), Some(95));
        let out = run(&JiraJson, updated);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T01:07:00.000000Z");
        assert_eq!(r.message, "OPS-1842 status In Progress → Resolved");
        assert_eq!(r.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(r, "status_to"), Some("Resolved"));
        assert_eq!(attr(r, "webhook_event"), Some("jira:issue_updated"));
    }

    #[test]
    fn server_issue_updates_carrying_a_comment_are_the_comment() {
        let cases: [(&[u8], &str, &str, &str); 4] = [
            (
                include_bytes!("../../../fixtures/jira-json/webhook_server_issue_updated_commented_2.json"),
                "2019-06-28T21:32:16.057000Z",
                "PRJA-42 comment: This is a test comment. We should act on it right away.",
                "Test User",
            ),
            (
                include_bytes!("../../../fixtures/jira-json/webhook_issue_comment_created_indentation.json"),
                "2020-06-27T00:44:57.013000Z",
                "TEST-4 comment: [~Test] creating a test comment\n\na second line for the test comment",
                "User",
            ),
            // An edited comment is told at its edit.
            (
                include_bytes!("../../../fixtures/jira-json/webhook_server_issue_updated_comment_edited.json"),
                "2019-06-04T00:53:33.665000Z",
                "PRJX-14 comment edited: and higher eeven higher",
                "Lev Brouk",
            ),
            // Older Jira Server names no event type.
            (
                include_bytes!("../../../fixtures/jira-json/webhook_server_old_issue_updated_no_event_type_commented.json"),
                "2019-06-04T00:15:17.234000Z",
                "PRJX-14 comment: unik",
                "Lev Brouk",
            ),
        ];
        for (input, time, message, author) in cases {
            assert_eq!(
                JiraJson.sniff(&input[..input.len().min(64 * 1024)]),
                Some(95)
            );
            let out = run(&JiraJson, input);
            assert!(out.problems.is_empty(), "{:?}", out.problems);
            assert_eq!(utc_messages(&out), [(time.to_string(), message)]);
            let r = &out.records[0];
            assert_eq!(r.actor.as_deref(), Some(author));
            assert_eq!(r.human, Some(true));
            assert_eq!(attr(r, "comment"), Some("true"));
            assert_eq!(attr(r, "webhook_event"), Some("jira:issue_updated"));
            assert_eq!(r.locator.as_deref(), Some("$"));
        }
    }

    #[test]
    fn issue_update_with_a_comment_and_changes_is_both() {
        let input = br#"{"timestamp":1792890420000,"webhookEvent":"jira:issue_updated",
            "issue_event_type_name":"issue_commented","user":{"displayName":"Dana Whitfield"},
            "issue":{"key":"OPS-1842","fields":{"summary":"s"}},
            "changelog":{"items":[{"field":"status","fromString":"Open","toString":"In Progress"}]},
            "comment":{"body":"on it","author":{"displayName":"Dana Whitfield"},
                       "created":"2026-10-25T03:06:59.000+0200"}}"#;
        let out = run(&JiraJson, input);
        assert_eq!(
            utc_messages(&out),
            [
                (
                    "2026-10-25T01:06:59.000000Z".to_string(),
                    "OPS-1842 comment: on it"
                ),
                (
                    "2026-10-25T01:07:00.000000Z".to_string(),
                    "OPS-1842 status Open → In Progress"
                ),
            ]
        );
        assert_eq!(out.records[1].actor.as_deref(), Some("Dana Whitfield"));
    }

    #[test]
    fn update_with_an_empty_changelog_is_read_by_its_event_type() {
        let input: &[u8] = include_bytes!(
            "../../../fixtures/jira-json/webhook_issue_assigned_empty_changelog.json"
        );
        assert_eq!(JiraJson.sniff(input), Some(95));
        let out = run(&JiraJson, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            utc_messages(&out),
            [(
                "2024-08-20T18:47:42.935000Z".to_string(),
                "TEST-123 assigned to John Doe"
            )]
        );
        let r = &out.records[0];
        assert_eq!(r.actor.as_deref(), Some("Admin User"));
        assert_eq!(attr(r, "assignee"), Some("John Doe"));
        assert_eq!(r.service.as_deref(), Some("Test Project"));
        assert_eq!(
            r.identifiers,
            [
                "TEST-123",
                "https://test-instance.atlassian.net/browse/TEST-123"
            ]
        );
    }

    #[test]
    fn bad_records_are_problems() {
        let input = br#"{"issues":[
            {"key":"X-1","fields":{"created":"yesterday"}},
            {"key":"X-2","fields":{"created":"2026-01-01T10:00:00.000+0000"},
             "changelog":{"histories":[{"created":"soon","items":[{"field":"status"}]}]}},
            {"fields":{}}
        ]}"#;
        let out = run(&JiraJson, input);
        assert_eq!(out.records.len(), 1);
        let problems = problem_places(&out);
        assert_eq!(
            problems,
            [
                (Some(2), Some("$.issues[0]")),
                (Some(4), Some("$.issues[1].changelog.histories[0]")),
                (Some(5), Some("$.issues[2]")),
            ]
        );
        assert_eq!(run(&JiraJson, b"{\"issues\": [").problems.len(), 1);
        assert_eq!(run(&JiraJson, b"[1,2]").problems.len(), 1);
        assert_eq!(run(&JiraJson, b"{\"hello\": 1}").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_jira_and_rejects_other_formats() {
        for own in [SEARCH, SPRINT, AUDIT, &SEARCH[..800]] {
            assert_eq!(JiraJson.sniff(own), Some(95));
        }
        assert_rejects(
            &JiraJson,
            &[
            &b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\",\"status\":\"resolved\"}]}"[..],
            b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"key\":\"x\",\"fields\":1,\"issues\":2}\n",
            b"[{\"number\":1,\"created_at\":\"2022-07-19T04:39:16Z\",\"user\":{\"login\":\"a\"}}]",
            b"Summary,Issue key,Created\nA,X-1,20/Nov/26 10:07 AM\n",
            b"{\"issues\":[{\"key\":\"X-1\",\"fields\":{\"created\":\"2026-01-01 10:00\"}}]}",
            ],
        );
    }

    never_panics!(JiraJson);
}
