//! Zendesk Support ticket audits (`/api/v2/tickets/{id}/audits`,
//! `/api/v2/ticket_audits`, or the `audit` of a ticket-create response):
//! each audit is one update of a ticket, whose events say what changed;
//! and a ticket's comments (`/api/v2/tickets/{id}/comments`).
//!
//! Events per audit: the creation (its `Create` events), each comment, and
//! one event for all its field `Change`s. Notifications, CCs and other
//! bookkeeping events are not timeline events and are left out. Times are
//! ISO 8601 UTC.

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::input::json::{self, Element, LineIndex};
use crate::record::{Record, RecordSink};
use crate::tickets;
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// Zendesk ticket audits and comments JSON.
pub struct Zendesk;

impl Parser for Zendesk {
    fn id(&self) -> &str {
        "zendesk-json"
    }

    fn description(&self) -> &str {
        "Zendesk ticket audits and ticket comments JSON: ticket creation, comments, field changes"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if json::first_byte(head) != Some(b'{') {
            return None;
        }
        let has = |k| json::has_key(head, k);
        let audits = (has("audits") || has("audit")) && has("ticket_id") && has("events");
        // A comment names the audit that added it.
        let comments = has("comments") && has("author_id") && has("audit_id");
        ((audits || comments)
            && json::head_time(head, &["created_at"], |t| {
                crate::time::parse_field(t, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
            }))
        .then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match json::document(input) {
            Ok(doc) => doc,
            Err(reason) => return tickets::report(sink, None, "$", reason),
        };
        let Some(top) = json::members_by_key(doc) else {
            return tickets::report(sink, Some(1), "$", "not a Zendesk API response");
        };
        // Side-loaded users (`?include=users`) turn author ids into names.
        let lines = LineIndex::new(input);
        let users: HashMap<String, String> = json::array_at(input, &lines, &["users"])
            .unwrap_or_default()
            .iter()
            .filter_map(|u| {
                Some((
                    json::scalar_text(&u.value, &["id"])?,
                    json::text(&u.value, &["name"])?.to_string(),
                ))
            })
            .collect();
        if top.contains_key("comments") && !top.contains_key("audits") {
            return comments(input, &lines, doc, &users, sink);
        }
        let audits = if top.contains_key("audits") {
            json::elements_below(input, &lines, doc, &["audits"], "$")
        } else {
            json::raw_at(doc, &["audit"]).and_then(|raw| {
                Some(vec![json::element(
                    input,
                    &lines,
                    raw,
                    "$.audit".to_string(),
                )?])
            })
        };
        let Some(audits) = audits else {
            return tickets::report(sink, Some(1), "$", "no audits array or audit object");
        };
        for it in &audits {
            let records = audit(input, &lines, it, &users, sink);
            tickets::emit(sink, records);
        }
    }
}

fn ticket_label(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("Zendesk #{id}"),
        None => "Zendesk ticket".to_string(),
    }
}

/// The ticket of a comments page, from its page addresses
/// (`…/api/v2/tickets/4312/comments.json?page[after]=…`): its comments do
/// not name it.
fn page_ticket(doc: &RawValue) -> Option<String> {
    [
        &["links", "next"][..],
        &["links", "prev"],
        &["next_page"],
        &["previous_page"],
    ]
    .iter()
    .filter_map(|path| json::string_text(json::raw_at(doc, path)?))
    .find_map(|url| {
        let (_, rest) = url.split_once("/tickets/")?;
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!id.is_empty() && rest[id.len()..].starts_with('/')).then_some(id)
    })
}

/// A user's name by id, from the side-loaded users (else the id itself);
/// `None` for -1, Zendesk itself (triggers, automations).
fn user_name(users: &HashMap<String, String>, id: Option<String>) -> Option<String> {
    let id = id?;
    if id == "-1" {
        return None;
    }
    Some(users.get(&id).cloned().unwrap_or(id))
}

/// What every record of one ticket carries.
fn stamp(mut r: Record, label: &str, channel: Option<&str>) -> Record {
    r.system = Some("Zendesk".into());
    r.identifiers.push(label.to_string());
    if let Some(c) = channel {
        r.attributes.push(("channel".into(), c.to_string()));
    }
    r
}

/// One comment, by `who`; `automated` when Zendesk's rules wrote it.
fn comment(
    input: &[u8],
    e: &Element,
    time: Timestamp,
    label: &str,
    who: Option<String>,
    automated: bool,
) -> Record {
    let c = &e.value;
    let body = json::text(c, &["body"])
        .or_else(|| json::text(c, &["plain_body"]))
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let public = c.get("public") != Some(&Value::Bool(false));
    let what = if public { "comment" } else { "internal note" };
    let mut r = tickets::element_record(input, e, time, format!("{label} {what}: {body}"))
        .with_attribute("comment", "true");
    if !public {
        r.attributes.push(("public".into(), "false".to_string()));
    }
    r.human = if automated {
        Some(false)
    } else {
        tickets::human_actor(who.as_deref()).or(Some(true))
    };
    r.actor = who;
    r
}

/// A page of one ticket's comments, each at its own `created_at`.
fn comments(
    input: &[u8],
    lines: &LineIndex,
    doc: &RawValue,
    users: &HashMap<String, String>,
    sink: &mut dyn RecordSink,
) {
    let Some(elements) = json::elements_below(input, lines, doc, &["comments"], "$") else {
        return tickets::report(sink, Some(1), "$.comments", "comments is not an array");
    };
    let label = ticket_label(page_ticket(doc).as_deref());
    for e in &elements {
        let c = &e.value;
        let Some(time) = tickets::json_time(c.get("created_at")) else {
            tickets::report(
                sink,
                Some(e.line),
                &e.locator,
                format!("{label}: comment without a readable created_at"),
            );
            continue;
        };
        let author = json::scalar_text(c, &["author_id"]);
        let channel = json::text(c, &["via", "channel"]);
        let automated =
            author.as_deref() == Some("-1") || matches!(channel, Some("rule" | "system"));
        let r = comment(input, e, time, &label, user_name(users, author), automated);
        sink.record(stamp(r, &label, channel));
    }
}

/// A value of a Create or Change event as text (tag lists joined).
fn value_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn audit(
    input: &[u8],
    lines: &LineIndex,
    it: &Element,
    users: &HashMap<String, String>,
    sink: &mut dyn RecordSink,
) -> Vec<Record> {
    let v = &it.value;
    let label = ticket_label(json::scalar_text(v, &["ticket_id"]).as_deref());
    let line = Some(it.line);
    let Some(time) = tickets::json_time(v.get("created_at")) else {
        tickets::report(
            sink,
            line,
            &it.locator,
            format!("{label}: audit without a readable created_at"),
        );
        return Vec::new();
    };
    let channel = json::text(v, &["via", "channel"]);
    let author_id = json::scalar_text(v, &["author_id"]);
    let automated =
        author_id.as_deref() == Some("-1") || matches!(channel, Some("rule" | "system"));
    let actor = user_name(users, author_id);
    let human = if automated {
        Some(false)
    } else if channel == Some("api") {
        None
    } else {
        tickets::human_actor(actor.as_deref())
    };
    let stamp = |mut r: Record, actor: Option<String>, human: Option<bool>| {
        r.actor = actor;
        r.human = human;
        stamp(r, &label, channel)
    };
    let events = json::nested(input, lines, it, &["events"]).unwrap_or_default();
    let of_type = |t: &'static str| {
        events
            .iter()
            .filter(move |e| json::text(&e.value, &["type"]) == Some(t))
    };
    let mut records = Vec::new();

    let created: Vec<&json::Element> = of_type("Create").collect();
    if !created.is_empty() {
        let field = |f: &str| {
            created
                .iter()
                .find(|e| json::text(&e.value, &["field_name"]) == Some(f))
                .map(|e| value_text(e.value.get("value")))
                .filter(|s| !s.is_empty())
        };
        let mut message = format!("{label} created");
        if let Some(subject) = field("subject") {
            message.push_str(": ");
            message.push_str(&subject);
        }
        if let Some(p) = field("priority") {
            message.push_str(&format!(" (priority {p})"));
        }
        let mut r = tickets::item_record(input, it, &it.locator, time.clone(), message)
            .with_attribute("event", "created");
        for key in ["status", "priority", "type", "tags"] {
            if let Some(value) = field(key) {
                r.attributes.push((key.to_string().into(), value));
            }
        }
        let mut r = stamp(r, actor.clone(), human);
        // The first comment is the ticket's description.
        for c in of_type("Comment") {
            tickets::mention(&mut r, json::text(&c.value, &["body"]).unwrap_or_default());
        }
        records.push(r);
    }

    for e in of_type("Comment").chain(of_type("VoiceComment")) {
        let author = json::scalar_text(&e.value, &["author_id"]);
        let by_system = author.as_deref() == Some("-1");
        let who = user_name(users, author).or_else(|| actor.clone());
        let mut r = comment(input, e, time.clone(), &label, who, by_system || automated);
        let (who, human) = (r.actor.take(), r.human);
        records.push(stamp(r, who, human));
    }

    let mut parts = Vec::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut fields = Vec::new();
    for e in of_type("Change") {
        let c = &e.value;
        let field = json::text(c, &["field_name"]).unwrap_or("field");
        let from = value_text(c.get("previous_value"));
        let to = value_text(c.get("value"));
        fields.push(field.to_string());
        let text = match field {
            "status" => {
                attrs.push(("status_from".into(), from.clone()));
                attrs.push(("status_to".into(), to.clone()));
                tickets::change_text("status", &from, &to)
            }
            "priority" => {
                attrs.push(("priority".into(), to.clone()));
                tickets::change_text("priority", &from, &to)
            }
            "assignee_id" => {
                let n = |id: &str| users.get(id).cloned().unwrap_or_else(|| id.to_string());
                let to = if to.is_empty() { to } else { n(&to) };
                let from = if from.is_empty() { from } else { n(&from) };
                attrs.push(("assignee".into(), to.clone()));
                tickets::assignment_text(&from, &to)
            }
            "tags" => {
                let (before, after) = (list(c.get("previous_value")), list(c.get("value")));
                let mut words: Vec<String> = after
                    .iter()
                    .filter(|t| !before.contains(t))
                    .map(|t| format!("+{t}"))
                    .collect();
                words.extend(
                    before
                        .iter()
                        .filter(|t| !after.contains(t))
                        .map(|t| format!("−{t}")),
                );
                format!("tags {}", words.join(" ")).trim_end().to_string()
            }
            "group_id" => tickets::change_text("group", &from, &to),
            other if other.bytes().all(|b| b.is_ascii_digit()) => {
                tickets::change_text(&format!("field {other}"), &from, &to)
            }
            other => tickets::change_text(&other.replace('_', " "), &from, &to),
        };
        parts.push(text);
    }
    if !parts.is_empty() {
        let mut r = tickets::item_record(
            input,
            it,
            &it.locator,
            time.clone(),
            format!("{label} {}", parts.join("; ")),
        );
        super::changed_fields(&mut r, &fields, attrs);
        records.push(stamp(r, actor.clone(), human));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collected, Kind};
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const AUDITS: &[u8] = include_bytes!("../../../fixtures/zendesk-json/ticket_audits.json");

    /// Each record's time, message, actor and whether a person wrote it.
    fn rows(out: &Collected) -> Vec<(String, &str, Option<&str>, Option<bool>)> {
        out.records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.actor.as_deref(), r.human))
            .collect()
    }

    #[test]
    fn audits_give_creation_comments_and_changes() {
        let out = run(&Zendesk, AUDITS);
        let got = rows(&out);
        assert_eq!(
            got,
            [
                ("2026-10-25T00:10:05.000000Z".to_string(), "Zendesk #4312 created: Search is timing out (priority high)", Some("Customer One"), Some(true)),
                ("2026-10-25T00:10:05.000000Z".to_string(), "Zendesk #4312 comment: Search on the shop has been very slow for 10 minutes, some searches time out.", Some("Customer One"), Some(true)),
                ("2026-10-25T00:10:06.000000Z".to_string(), "Zendesk #4312 group set to 360000042", None, Some(false)),
                ("2026-10-25T00:31:40.000000Z".to_string(), "Zendesk #4312 internal note: Linked to incident OPS-1842; engineers are on it.", Some("Sam Support"), Some(true)),
                ("2026-10-25T00:31:40.000000Z".to_string(), "Zendesk #4312 status new → open; assigned to Sam Support; tags +incident", Some("Sam Support"), Some(true)),
                ("2026-10-25T02:55:00.000000Z".to_string(), "Zendesk #4312 comment: Search is fast again. Closing this ticket.", Some("Sam Support"), Some(true)),
                ("2026-10-25T02:55:00.000000Z".to_string(), "Zendesk #4312 status open → solved", Some("Sam Support"), Some(true)),
            ]
        );
        assert!(out.records.iter().all(|r| r.kind == Kind::Ticket
            && r.system.as_deref() == Some("Zendesk")
            && r.identifiers == ["Zendesk #4312"]));
        let created = &out.records[0];
        assert_eq!(created.locator.as_deref(), Some("$.audits[0]"));
        assert_eq!(created.line, Some(3));
        assert_eq!(attr(created, "tags"), Some("search web"));
        let comment = &out.records[1];
        assert_eq!(comment.locator.as_deref(), Some("$.audits[0].events[0]"));
        assert_eq!(comment.line, Some(11));
        assert_eq!(attr(comment, "comment"), Some("true"));
        let change = &out.records[4];
        assert_eq!(attr(change, "status_to"), Some("open"));
        assert_eq!(attr(change, "assignee"), Some("Sam Support"));
        assert_eq!(attr(change, "field"), Some("status, assignee_id, tags"));
        assert_eq!(attr(&out.records[3], "public"), Some("false"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.audits[4]"));
    }

    #[test]
    fn single_audit_of_a_create_response() {
        let input = br#"{"audit": {"ticket_id": 7, "author_id": 12, "created_at": "2015-08-29T03:45:36Z", "via": {"channel": "api"},
            "events": [{"type": "Comment", "author_id": 12, "body": "hello", "public": true},
                       {"type": "Create", "field_name": "subject", "value": "OMG"}]},
            "ticket": {"id": 7}}"#;
        assert_eq!(Zendesk.sniff(input), Some(95));
        let out = run(&Zendesk, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].message, "Zendesk #7 created: OMG");
        assert_eq!(out.records[0].human, None);
        assert_eq!(out.records[0].locator.as_deref(), Some("$.audit"));
        assert_eq!(out.records[1].locator.as_deref(), Some("$.audit.events[0]"));
        assert_eq!(utc(&out.records[1]), "2015-08-29T03:45:36.000000Z");
    }

    #[test]
    fn comment_pages_give_each_comment_at_its_time() {
        let input: &[u8] =
            include_bytes!("../../../fixtures/zendesk-json/own_ticket_comments_4312.json");
        assert_eq!(Zendesk.sniff(input), Some(95));
        let out = run(&Zendesk, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = rows(&out);
        assert_eq!(
            got,
            [
                ("2026-10-25T00:10:05.000000Z".to_string(), "Zendesk #4312 comment: Search on the shop has been very slow for 10 minutes, some searches time out.", Some("Customer One"), Some(true)),
                ("2026-10-25T00:31:40.000000Z".to_string(), "Zendesk #4312 internal note: Linked to incident OPS-1842; engineers are on it.", Some("Sam Support"), Some(true)),
                ("2026-10-25T00:32:02.000000Z".to_string(), "Zendesk #4312 comment: We are aware of slow searches and are working on it.", None, Some(false)),
                ("2026-10-25T02:55:00.000000Z".to_string(), "Zendesk #4312 comment: Search is fast again.\nClosing this ticket.", Some("Sam Support"), Some(true)),
            ]
        );
        assert!(out.records.iter().all(|r| r.kind == Kind::Ticket
            && r.system.as_deref() == Some("Zendesk")
            && r.identifiers == ["Zendesk #4312"]
            && attr(r, "comment") == Some("true")));
        let note = &out.records[1];
        assert_eq!(note.locator.as_deref(), Some("$.comments[1]"));
        assert_eq!(note.line, Some(17));
        assert_eq!(attr(note, "public"), Some("false"));
        assert_eq!(attr(note, "channel"), Some("web"));
    }

    #[test]
    fn comment_pages_without_addresses_name_no_ticket() {
        let input = br#"{"comments":[{"id":1,"type":"Comment","author_id":12,"body":"hi","audit_id":2,"created_at":"2024-09-06T18:52:11Z"},
            {"id":3,"type":"Comment","author_id":12,"body":"x","audit_id":4,"created_at":"soon"}],
            "next_page":null,"previous_page":null,"count":2}"#;
        let out = run(&Zendesk, input);
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2024-09-06T18:52:11.000000Z");
        assert_eq!(out.records[0].message, "Zendesk ticket comment: hi");
        assert_eq!(out.records[0].actor.as_deref(), Some("12"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.comments[1]"));
    }

    #[test]
    fn broken_documents_are_problems() {
        assert_eq!(run(&Zendesk, b"{\"audits\": 3}").problems.len(), 1);
        assert_eq!(run(&Zendesk, b"[]").problems.len(), 1);
        assert_eq!(run(&Zendesk, b"{").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_audits_and_rejects_other_formats() {
        assert_eq!(Zendesk.sniff(AUDITS), Some(95));
        assert_eq!(Zendesk.sniff(&AUDITS[..400]), Some(95));
        assert_rejects(
            &Zendesk,
            &[
            &include_bytes!("../../../fixtures/github-json/issue_comments.json")[..],
            include_bytes!("../../../fixtures/jira-json/search_incident_with_changelog.json"),
            b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\"}]}",
            b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            b"{\"log_entries\":[{\"type\":\"trigger_log_entry\",\"created_at\":\"2015-11-07T00:14:20Z\",\"events\":[]}]}",
            ],
        );
    }

    never_panics!(Zendesk);
}
