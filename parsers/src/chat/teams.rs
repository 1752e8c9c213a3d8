//! Microsoft Teams channel and chat messages as Microsoft Graph returns them
//! (`GET /teams/{id}/channels/{id}/messages`, `.../replies`,
//! `/chats/{id}/messages`): `{"value": [chatMessage, ...]}`, or a bare array
//! of chatMessage objects as some export scripts save them. Thread replies
//! nested in a message (`$expand=replies`) are messages too; replies Graph
//! counted but did not expand are reported as a problem, and so is a list
//! that is one page of several (`@odata.nextLink`).
//!
//! Bodies are HTML: they become plain text with `<at>` mentions as `@Name`.
//! System event messages (`from` null, `eventDetail` set) are chatter.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element, IndexedInput};
use crate::record::{Record, RecordSink};
use crate::Parser;

/// Microsoft Graph chatMessage collections.
pub struct TeamsGraph;

const SYSTEM: &str = "Teams";

impl Parser for TeamsGraph {
    fn id(&self) -> &str {
        "teams-graph"
    }

    fn description(&self) -> &str {
        "Microsoft Teams messages from Microsoft Graph (channel, reply and chat message lists)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static VALUE: OnceLock<Regex> = OnceLock::new();
        static KIND: OnceLock<Regex> = OnceLock::new();
        static BODY: OnceLock<Regex> = OnceLock::new();
        static CREATED: OnceLock<Regex> = OnceLock::new();
        let text = chat::head_text(head);
        let shaped = match json::first_byte(head)? {
            b'{' => chat::regex(&VALUE, r#""value"\s*:\s*\["#).is_match(&text),
            b'[' => true,
            _ => false,
        };
        if !shaped
            || !chat::regex(&KIND, r#""messageType"\s*:\s*""#).is_match(&text)
            || !chat::regex(&BODY, r#""body"\s*:\s*\{"#).is_match(&text)
        {
            return None;
        }
        let created = chat::regex(&CREATED, r#""createdDateTime"\s*:\s*"([^"]{10,40})""#);
        chat::first_time(created, &text, chat::iso)?;
        Some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match json::document(input) {
            Ok(doc) => doc,
            Err(e) => {
                sink.problem(chat::document_problem(e));
                return;
            }
        };
        let indexed = IndexedInput::new(input);
        let elements = if doc.get().trim_start().starts_with('[') {
            indexed.elements(doc, "$")
        } else {
            json::first_member(doc, "value").and_then(|raw| indexed.elements(raw, "$.value"))
        };
        let Some(elements) = elements else {
            sink.problem(chat::document_problem(
                "not a Microsoft Graph message list: no \"value\" array",
            ));
            return;
        };
        for element in &elements {
            emit(input, element, sink);
            replies(&indexed, element, sink);
        }
        if json::member(doc, "@odata.nextLink").is_some() {
            sink.problem(chat::more_pages("@odata.nextLink"));
        }
    }
}

fn emit(input: &[u8], element: &Element, sink: &mut dyn RecordSink) {
    match message(input, element) {
        Ok(record) => sink.record(record),
        Err(reason) => sink.problem(json::problem_at(element, reason)),
    }
}

/// The thread replies Graph nests in a message (`$expand=replies`): each
/// is a message of its own. Graph expands at most a page of them; those it
/// only counts are not in the file, and are reported rather than lost.
fn replies(input: &IndexedInput<'_>, parent: &Element, sink: &mut dyn RecordSink) {
    let v = &parent.value;
    let nested = match v.get("replies") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(_)) => input.nested(parent, &["replies"]).unwrap_or_default(),
        Some(_) => {
            sink.problem(json::problem_at(
                parent,
                "\"replies\" is not a list of messages",
            ));
            return;
        }
    };
    for reply in &nested {
        emit(input.bytes, reply, sink);
    }
    let counted = v.get("replies@odata.count").and_then(Value::as_u64);
    let missing = counted.map_or(0, |n| n.saturating_sub(nested.len() as u64));
    if missing > 0 || v.get("replies@odata.nextLink").is_some() {
        let of = counted.map_or(String::new(), |n| format!(" of {n}"));
        let reason = if missing > 0 {
            format!("{missing} replies{of} not in this export (only a page was expanded)")
        } else {
            "more replies not in this export: the message has replies@odata.nextLink — fetch every page"
                .to_string()
        };
        sink.problem(json::problem_at(parent, reason));
    }
}

/// The person or application in an identity set (`from`, `initiator`).
fn identity(set: &Value) -> Option<(Person, bool)> {
    for (key, is_app) in [("user", false), ("application", true), ("device", true)] {
        if let Some(who) = set.get(key).filter(|w| w.is_object()) {
            let person = Person {
                user_id: json::text(who, &["id"]).map(str::to_string),
                display_name: json::text(who, &["displayName"]).map(str::to_string),
                ..Person::default()
            };
            return Some((person, is_app));
        }
    }
    None
}

/// `#microsoft.graph.teamDescriptionUpdatedEventMessageDetail` →
/// `team description updated`.
fn event_words(odata_type: &str) -> String {
    let name = odata_type.rsplit('.').next().unwrap_or(odata_type);
    let name = name.strip_suffix("EventMessageDetail").unwrap_or(name);
    let mut words = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    words
}

/// A readable line for a system event: what happened and to what.
fn event_text(detail: &Value) -> String {
    let what = json::text(detail, &["@odata.type"])
        .map(event_words)
        .unwrap_or_else(|| "system event".to_string());
    let mut facts: Vec<String> = Vec::new();
    for key in [
        "teamDisplayName",
        "teamDescription",
        "channelDisplayName",
        "channelDescription",
        "chatDisplayName",
        "callEventType",
    ] {
        if let Some(v) = json::text(detail, &[key]) {
            facts.push(v.to_string());
        }
    }
    if let Some(members) = detail.get("members").and_then(Value::as_array) {
        let names: Vec<&str> = members
            .iter()
            .filter_map(|m| json::text(m, &["displayName"]).or_else(|| json::text(m, &["id"])))
            .collect();
        if !names.is_empty() {
            facts.push(names.join(", "));
        }
    }
    chat::event_line(what, &facts)
}

/// Text of an Adaptive Card or connector card: the `text`, `title` and
/// fact strings bots put their alerts in, in document order (walked raw:
/// a parsed object's key order depends on serde_json's features), and the
/// URLs its actions open.
fn card_text(card: &RawValue, out: &mut Vec<String>, identifiers: &mut Vec<String>) {
    let text = card.get().trim_start();
    if text.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(card.get()) {
            items
                .into_iter()
                .for_each(|i| card_text(i, out, identifiers));
        }
        return;
    }
    if !text.starts_with('{') {
        return;
    }
    let Some(members) = json::ordered_members(card) else {
        return;
    };
    let string = |key: &str| {
        members
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok())
            .map(|s| chat::normalize_space(&s))
            .filter(|s| !s.is_empty())
    };
    if let (Some(t), Some(v)) = (string("title"), string("value")) {
        out.push(format!("{t}: {v}"));
        return;
    }
    if let Some(url) = string("url") {
        crate::input::identifiers::push(identifiers, &url);
    }
    for (key, child) in &members {
        let child_text = child.get().trim_start();
        if ["title", "subtitle", "text", "activityTitle", "activityText"].contains(&key.as_ref()) {
            if let Some(t) = string(key) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        } else if key == "actions" {
            // Buttons: only where they lead.
            let mut ignored = Vec::new();
            card_text(child, &mut ignored, identifiers);
        } else if child_text.starts_with('[') || child_text.starts_with('{') {
            card_text(child, out, identifiers);
        }
    }
}

fn message(input: &[u8], element: &Element) -> Result<Record, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a chatMessage object".to_string());
    }
    let created =
        json::text(v, &["createdDateTime"]).ok_or("chatMessage without createdDateTime")?;
    let time =
        chat::iso(created).ok_or_else(|| format!("unreadable createdDateTime {created:?}"))?;

    let body = v.get("body").cloned().unwrap_or(Value::Null);
    let content = json::text(&body, &["content"]).unwrap_or("");
    let is_html =
        json::text(&body, &["contentType"]).is_none_or(|t| t.eq_ignore_ascii_case("html"));
    let mut parts: Vec<String> = Vec::new();
    if let Some(subject) = json::text(v, &["subject"]) {
        parts.push(subject.to_string());
    }
    let text = if is_html {
        chat::html_to_text(content)
    } else {
        chat::normalize_space(content)
    };
    if !text.is_empty() {
        parts.push(text);
    }
    let mut identifiers = Vec::new();
    if let Some(attachments) = v.get("attachments").and_then(Value::as_array) {
        for a in attachments {
            let content_type = json::text(a, &["contentType"]).unwrap_or("");
            if let Some(url) = json::text(a, &["contentUrl"]) {
                crate::input::identifiers::push(&mut identifiers, url);
            }
            if content_type.starts_with("application/vnd.microsoft.card") {
                // Card content is a JSON document in a string.
                let card = match a.get("content") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                if let Ok(raw) = serde_json::from_str::<&RawValue>(&card) {
                    card_text(raw, &mut parts, &mut identifiers);
                }
            } else if let Some(name) = json::text(a, &["name"]) {
                parts.push(format!("[attachment: {name}]"));
            }
        }
    }
    let detail = v.get("eventDetail").filter(|d| d.is_object());
    let message_type = json::text(v, &["messageType"]).unwrap_or("message");
    let system = message_type == "systemEventMessage"
        || detail.is_some()
        || content.trim() == "<systemEventMessage/>";
    if system && parts.is_empty() {
        if let Some(detail) = detail {
            parts.push(event_text(detail));
        }
    }
    let message_text = parts.join("\n");
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    let from = v.get("from").filter(|f| f.is_object()).and_then(identity);
    let initiator = detail.and_then(|d| d.get("initiator")).and_then(identity);
    let (person, is_app) = from
        .clone()
        .or(initiator)
        .unwrap_or((Person::default(), true));
    let deleted = json::text(v, &["deletedDateTime"]);
    record.human = Some(from.is_some() && !is_app && !system);
    record.chatter = system || chat::says_nothing(&record.message);
    record.identifiers = identifiers;

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(id) = json::text(v, &["id"]) {
        attrs.push(("message_id", id.to_string()));
    }
    if message_type != "message" {
        attrs.push(("message_type", message_type.to_string()));
    }
    if let Some(parent) = json::text(v, &["replyToId"]) {
        attrs.push(("reply_to", parent.to_string()));
    }
    if let Some(channel) = v.get("channelIdentity") {
        if let Some(id) = json::text(channel, &["channelId"]) {
            attrs.push(("channel_id", id.to_string()));
        }
        if let Some(id) = json::text(channel, &["teamId"]) {
            attrs.push(("team_id", id.to_string()));
        }
    }
    if let Some(chat_id) = json::text(v, &["chatId"]) {
        attrs.push(("chat_id", chat_id.to_string()));
    }
    if let Some(edited) = json::text(v, &["lastEditedDateTime"]).and_then(chat::iso) {
        attrs.push(("edited_at", chat::attribute_time(&edited)));
    }
    if let Some(deleted) = deleted {
        attrs.push(("deleted", "true".to_string()));
        if let Some(at) = chat::iso(deleted) {
            attrs.push(("deleted_at", chat::attribute_time(&at)));
        }
    }
    if let Some(importance) = json::text(v, &["importance"]).filter(|i| *i != "normal") {
        attrs.push(("importance", importance.to_string()));
    }
    if let Some(list) = v.get("reactions").and_then(Value::as_array) {
        let items = list
            .iter()
            .filter_map(|r| Some((json::text(r, &["reactionType"])?.to_string(), 1)));
        if let Some(r) = chat::reactions(items) {
            attrs.push(("reactions", r));
        }
    }
    if let Some(mentions) = v.get("mentions").and_then(Value::as_array) {
        let names: Vec<&str> = mentions
            .iter()
            .filter_map(|m| json::text(m, &["mentionText"]))
            .collect();
        if !names.is_empty() {
            attrs.push(("mentions", names.join(", ")));
        }
        // Only users are people; apps, tags and channels are mentioned too.
        let people: Vec<&str> = mentions
            .iter()
            .filter_map(|m| m.get("mentioned")?.get("user"))
            .filter_map(|u| json::text(u, &["displayName"]))
            .collect();
        if !people.is_empty() {
            attrs.push(("mentioned_people", people.join(", ")));
        }
    }
    if is_app {
        if let Some(name) = person.name() {
            attrs.push(("bot_name", name));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    person.apply(&mut record);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, problem_reasons, run, utc};
    use proptest::prelude::*;

    const GRAPH: &[u8] =
        include_bytes!("../../../fixtures/teams-graph/graph_channel_messages_list.json");
    const OWN: &[u8] = include_bytes!("../../../fixtures/teams-graph/own_incident_channel.json");
    const REPLIES: &[u8] =
        include_bytes!("../../../fixtures/teams-graph/own_expanded_replies.json");

    #[test]
    fn graph_documentation_example() {
        let out = run(&TeamsGraph, GRAPH);
        // Graph's example is the first page of a longer list.
        assert_eq!(
            problem_reasons(&out),
            [(
                Some("$"),
                "more messages not in this export: the response has @odata.nextLink — fetch every page"
            )]
        );
        assert_eq!(out.records.len(), 3);
        let hello = &out.records[0];
        assert_eq!(utc(hello), "2021-03-28T21:11:12.395000Z");
        assert_eq!(hello.message, "Hello World @Jane Smith");
        assert_eq!(hello.actor.as_deref(), Some("Robin Kline"));
        assert_eq!(hello.human, Some(true));
        assert!(!hello.chatter);
        assert_eq!(
            attr(hello, "user_id"),
            Some("8ea0e38b-efb3-4757-924a-5f94061cf8c2")
        );
        assert_eq!(attr(hello, "display_name"), Some("Robin Kline"));
        assert_eq!(attr(hello, "mentions"), Some("Jane Smith"));
        assert_eq!(attr(hello, "mentioned_people"), Some("Jane Smith"));
        assert_eq!(hello.locator.as_deref(), Some("$.value[0]"));
        assert_eq!(hello.system.as_deref(), Some("Teams"));

        let images = &out.records[1];
        assert_eq!(utc(images), "2021-03-28T20:29:37.068000Z");
        assert_eq!(images.message, "[image]\n[image]");

        let event = &out.records[2];
        assert_eq!(utc(event), "2021-03-28T03:50:10.266000Z");
        assert!(event.chatter);
        assert_eq!(event.human, Some(false));
        assert_eq!(
            event.message,
            "team description updated: Team for Microsoft Teams members"
        );
        assert_eq!(
            attr(event, "user_id"),
            Some("1fb8890f-423e-4154-8fbf-db6809bc8756")
        );
    }

    #[test]
    fn own_channel_html_bots_edits_deletions_and_replies() {
        let out = run(&TeamsGraph, OWN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 5);
        let alert = &out.records[0];
        assert_eq!(utc(alert), "2026-11-20T22:02:11.004000Z");
        assert_eq!(alert.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(alert.human, Some(false));
        assert_eq!(
            alert.message,
            "Triggered #4412: Checkout error rate above 5%\nService: checkout-api\nUrgency: high"
        );
        assert_eq!(attr(alert, "importance"), Some("urgent"));
        assert!(alert
            .identifiers
            .contains(&"https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W".to_string()));
        assert!(alert.identifiers.contains(&"#4412".to_string()));

        let ack = &out.records[1];
        assert_eq!(utc(ack), "2026-11-20T22:04:30.118000Z");
        assert_eq!(
            ack.message,
            "ack, looking. @Sam Okafor can you check the deploy?\nRunbook: Checkout runbook (https://wiki.acme.test/runbooks/checkout?x=1&y=2) & OPS-1842"
        );
        assert_eq!(ack.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));
        assert_eq!(attr(ack, "reactions"), Some("like:2"));
        assert!(ack.identifiers.contains(&"OPS-1842".to_string()));

        let reply = &out.records[2];
        assert_eq!((reply.line, reply.line_end), (Some(132), Some(169)));
        assert_eq!(attr(reply, "reply_to"), Some("1795212270118"));
        assert_eq!(reply.message, "rolling back v2.31.0 → v2.30.4");

        let deleted = &out.records[3];
        assert_eq!(attr(deleted, "deleted"), Some("true"));
        assert_eq!(
            attr(deleted, "deleted_at"),
            Some("2026-11-20T22:31:00.000000Z")
        );
        assert_eq!(deleted.message, "");

        let added = &out.records[4];
        assert!(added.chatter);
        assert_eq!(added.human, Some(false));
        assert_eq!(added.message, "members added: Sam Okafor");
        assert_eq!(added.actor.as_deref(), Some("Dana Whitfield"));
    }

    #[test]
    fn expanded_replies_are_messages_and_unexpanded_ones_are_counted() {
        let out = run(&TeamsGraph, REPLIES);
        let texts: Vec<&str> = out.records.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(
            texts,
            [
                "TLS handshake failures on api-gateway since 09:00, looking (#4711)",
                "new cert deployed to gw-1 and gw-2, handshakes succeeding again",
                "👍",
                ":+1:",
            ]
        );
        let reply = &out.records[1];
        assert_eq!(utc(reply), "2026-06-09T09:08:30.000000Z");
        assert_eq!(reply.actor.as_deref(), Some("Will Mercer"));
        assert_eq!(attr(reply, "reply_to"), Some("1780995720000"));
        assert_eq!(reply.locator.as_deref(), Some("$.value[0].replies[0]"));
        assert!(!reply.chatter);
        // Reactions written as messages are kept, as chatter.
        assert!(out.records[2].chatter && out.records[3].chatter);
        // Three replies counted, two expanded: the third is not lost silently.
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.value[0]"));
        assert!(out.problems[0].reason.contains("1 replies of 3"));
        let bad = run(
            &TeamsGraph,
            br#"{"value": [{"id": "1", "createdDateTime": "2026-01-01T10:00:00Z", "body": {"content": "x"}, "replies": [{"id": "2"}, 7]}, {"id": "3", "createdDateTime": "2026-01-01T10:00:00Z", "body": {"content": "y"}, "replies": "none"}]}"#,
        );
        assert_eq!(bad.records.len(), 2);
        let where_: Vec<_> = bad.problems.iter().map(|p| p.locator.as_deref()).collect();
        assert_eq!(
            where_,
            [
                Some("$.value[0].replies[0]"),
                Some("$.value[0].replies[1]"),
                Some("$.value[1]")
            ]
        );
    }

    #[test]
    fn bad_messages_become_problems() {
        let out = run(&TeamsGraph, br#"{"value": [{"id": "1", "createdDateTime": "yesterday", "body": {"content": "x"}}, 3, {"id": "2", "createdDateTime": "2026-01-01T10:00:00Z", "from": null, "body": {"contentType": "text", "content": "a  b"}}]}"#);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].message, "a b");
        assert_eq!(out.records[0].human, Some(false));
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.value[0]"));
        assert_eq!(run(&TeamsGraph, b"{\"value\": ").problems.len(), 1);
        assert_eq!(run(&TeamsGraph, b"{\"x\": 1}").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_teams_and_rejects_others() {
        assert_eq!(TeamsGraph.sniff(GRAPH), Some(95));
        assert_eq!(TeamsGraph.sniff(OWN), Some(95));
        assert!(TeamsGraph.sniff(&GRAPH[..GRAPH.len() / 2]).is_some());
        assert_rejects(
            &TeamsGraph,
            &[
            include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json")
                .as_slice(),
            b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
            br#"{"value": [{"id": "a", "createdDateTime": "2026-01-01T10:00:00Z", "displayName": "group"}]}"#,
            ],
        );
    }

    never_panics!(TeamsGraph);

    proptest! {
        #[test]
        fn arbitrary_html_never_panics(html in "[<>a-z/=\"&;# é]{0,80}") {
            let _ = chat::html_to_text(&html);
        }
    }
}
