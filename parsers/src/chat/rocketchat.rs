//! Rocket.Chat REST API message lists (`channels.messages`,
//! `channels.history`, `groups.history`, `im.history`,
//! `chat.getThreadMessages`): `{"messages": [{"_id", "rid", "msg", "ts",
//! "u": {"_id", "username", "name"}, "t", "tmid", ...}], "success": true}`.
//!
//! `ts` is ISO 8601 UTC, or `{"$date": epoch ms}` where the response went
//! through Meteor's EJSON. A message with `t` set is one the server wrote
//! (joins, leaves, topic changes, pins): chatter, worded as Rocket.Chat
//! shows it, since its `msg` holds only the subject (who joined, the new
//! topic) and read alone would look typed.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element};
use crate::record::{Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::Parser;

/// Rocket.Chat REST API message lists.
pub struct RocketChatApi;

const SYSTEM: &str = "Rocket.Chat";

impl Parser for RocketChatApi {
    fn id(&self) -> &str {
        "rocketchat-api"
    }

    fn description(&self) -> &str {
        "Rocket.Chat REST API message lists (channels.messages, channels.history, im.history)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static MESSAGES: OnceLock<Regex> = OnceLock::new();
        static ROOM: OnceLock<Regex> = OnceLock::new();
        static USER: OnceLock<Regex> = OnceLock::new();
        static TS: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&MESSAGES, r#""messages"\s*:\s*\["#).is_match(&text)
            || !chat::regex(&ROOM, r#""rid"\s*:\s*""#).is_match(&text)
            || !chat::regex(&USER, r#""u"\s*:\s*\{"#).is_match(&text)
            || !text.contains("\"msg\"")
        {
            return None;
        }
        let ts = chat::regex(
            &TS,
            r#""ts"\s*:\s*(?:"([^"]{10,40})"|\{\s*"\$date"\s*:\s*"?([0-9TZ:.+-]{10,40}))"#,
        );
        ts.captures_iter(&text).take(50).find_map(|c| {
            let m = c.get(1).or_else(|| c.get(2))?;
            read_time(m.as_str())
        })?;
        Some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let Some((_, elements)) = chat::records_array(
            input,
            "messages",
            Some(("success", "error")),
            "Rocket.Chat message list",
            sink,
        ) else {
            return;
        };
        for element in &elements {
            match message(input, element) {
                Ok(record) => sink.record(record),
                Err(reason) => sink.problem(json::problem_at(element, reason)),
            }
        }
    }
}

fn read_time(text: &str) -> Option<Timestamp> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        time::parse_epoch(text, Some(EpochUnit::Millis))
    } else {
        chat::iso(text)
    }
}

/// A Rocket.Chat date: an ISO string or EJSON `{"$date": ms | iso}`.
fn date(value: Option<&Value>) -> Option<Timestamp> {
    match value? {
        Value::String(s) => chat::iso(s),
        Value::Object(map) => match map.get("$date")? {
            Value::Number(n) => {
                time::parse_epoch(&n.as_i64()?.to_string(), Some(EpochUnit::Millis))
            }
            Value::String(s) => read_time(s),
            _ => None,
        },
        _ => None,
    }
}

fn message(input: &[u8], element: &Element) -> Result<Record, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a Rocket.Chat message object".to_string());
    }
    let time = match v.get("ts") {
        None => return Err("Rocket.Chat message without ts".to_string()),
        Some(ts) => date(Some(ts)).ok_or_else(|| format!("unreadable ts {ts}"))?,
    };
    let system_type = json::text(v, &["t"]);
    let is_bot = v.get("bot").is_some_and(|b| !b.is_null());
    // Rocket.Chat keeps an edited message's earlier versions as hidden
    // copies pointing at the current one: stored, not drafted twice.
    let old_version = chat::is_true(v, "_hidden") && json::text(v, &["parent"]).is_some();

    let user = v.get("u").cloned().unwrap_or(Value::Null);
    let person = Person {
        user_id: json::text(&user, &["_id"]).map(str::to_string),
        username: json::text(&user, &["username"]).map(str::to_string),
        real_name: json::text(&user, &["name"]).map(str::to_string),
        ..Person::default()
    };

    let mut identifiers = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    match system_type {
        Some(kind) => {
            let by = person.name().unwrap_or_else(|| "someone".to_string());
            parts.push(system_text(kind, v, &by));
        }
        None => {
            if let Some(text) = json::text(v, &["msg"]) {
                parts.push(text.to_string());
            }
        }
    }
    if let Some(attachments) = v.get("attachments").and_then(Value::as_array) {
        let render = |t: &str| t.to_string();
        for part in chat::attachments_text(attachments, &render, &mut identifiers) {
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    if let Some(file) = v.get("file").and_then(|f| json::text(f, &["name"])) {
        parts.push(format!("[file: {file}]"));
    }
    if let Some(urls) = v.get("urls").and_then(Value::as_array) {
        for u in urls {
            if let Some(url) = json::text(u, &["url"]) {
                crate::input::identifiers::push(&mut identifiers, url);
            }
        }
    }
    let message_text = parts.join("\n");
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    let chatter = system_type.is_some() || old_version;
    record.human = Some(!is_bot && system_type.is_none());
    record.chatter = chatter || chat::says_nothing(&record.message);
    record.identifiers = identifiers;

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(id) = json::text(v, &["_id"]) {
        attrs.push(("message_id", id.to_string()));
    }
    if let Some(room) = json::text(v, &["rid"]) {
        attrs.push(("channel_id", room.to_string()));
    }
    if let Some(t) = system_type {
        attrs.push(("type", t.to_string()));
    }
    if let Some(thread) = json::text(v, &["tmid"]) {
        attrs.push(("reply_to", thread.to_string()));
    }
    if let Some(edited) = date(v.get("editedAt")) {
        attrs.push(("edited_at", chat::attribute_time(&edited)));
    }
    if let Some(by) = v.get("editedBy").and_then(|e| json::text(e, &["username"])) {
        attrs.push(("edited_by", by.to_string()));
    }
    if old_version {
        attrs.push(("hidden", "true".to_string()));
        if let Some(parent) = json::text(v, &["parent"]) {
            attrs.push(("version_of", parent.to_string()));
        }
    }
    if let Some(map) = v.get("reactions").and_then(Value::as_object) {
        let mut items: Vec<(String, u64)> = map
            .iter()
            .map(|(name, r)| {
                let count = r
                    .get("usernames")
                    .and_then(Value::as_array)
                    .map_or(1, |u| u.len() as u64);
                (name.clone(), count)
            })
            .collect();
        // Object order depends on serde_json's features: sort for one answer.
        items.sort();
        if let Some(r) = chat::reactions(items) {
            attrs.push(("reactions", r));
        }
    }
    if chat::is_true(v, "pinned") {
        attrs.push(("pinned", "true".to_string()));
    }
    let alias = json::text(v, &["alias"]).map(str::to_string);
    if is_bot {
        if let Some(name) = &alias {
            attrs.push(("bot_name", name.clone()));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    // An integration's alias is the name it posts under.
    record.actor = alias;
    person.apply(&mut record);
    Ok(record)
}

/// What a system message of type `kind` says, from `by`, the user it is
/// from (who joined, or who added someone): Rocket.Chat's own wording of
/// its message types, with `msg` as the subject it fills in. A type not
/// known here keeps its `msg` after the type's name.
fn system_text(kind: &str, v: &Value, by: &str) -> String {
    let msg = json::text(v, &["msg"]).unwrap_or("");
    let set_to = if msg.is_empty() { "(none)" } else { msg };
    let role = json::text(v, &["role"]).unwrap_or("a role");
    match kind {
        "uj" => format!("{by} joined the channel"),
        "ujt" => format!("{by} joined the team"),
        "ut" => format!("{by} joined the conversation"),
        "ul" => format!("{by} left the channel"),
        "ult" => format!("{by} left the team"),
        "au" => format!("{msg} added by {by}"),
        "ru" => format!("{msg} removed by {by}"),
        "added-user-to-team" => format!("{msg} added to the team by {by}"),
        "removed-user-from-team" => format!("{msg} removed from the team by {by}"),
        "rm" => "message removed".to_string(),
        "r" => format!("room renamed to {msg} by {by}"),
        "room_changed_topic" => format!("topic changed to {set_to} by {by}"),
        "room_changed_description" => format!("description changed to {set_to} by {by}"),
        "room_changed_announcement" => format!("announcement changed to {set_to} by {by}"),
        "room_changed_privacy" => format!("room type changed to {msg} by {by}"),
        "room_changed_avatar" => format!("room avatar changed by {by}"),
        "room-archived" => format!("room archived by {by}"),
        "room-unarchived" => format!("room unarchived by {by}"),
        "room-set-read-only" => format!("room set read only by {by}"),
        "room-removed-read-only" => format!("read only removed by {by}"),
        "user-muted" => format!("{msg} muted by {by}"),
        "user-unmuted" => format!("{msg} unmuted by {by}"),
        "subscription-role-added" => format!("{msg} was set {role} by {by}"),
        "subscription-role-removed" => format!("{msg} is no longer {role} by {by}"),
        "message_pinned" => format!("{by} pinned a message"),
        _ => {
            let facts = if msg.trim().is_empty() {
                Vec::new()
            } else {
                vec![msg.to_string()]
            };
            chat::event_line(format!("system message {kind}"), &facts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const OWN: &[u8] =
        include_bytes!("../../../fixtures/rocketchat-api/own_channels_messages.json");

    #[test]
    fn own_messages_bots_threads_edits_and_system() {
        let out = run(&RocketChatApi, OWN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 5);
        let join = &out.records[0];
        assert_eq!(utc(join), "2026-11-20T21:58:03.000000Z");
        assert_eq!(join.message, "Dana Whitfield joined the channel");
        assert_eq!(join.actor.as_deref(), Some("Dana Whitfield"));
        assert!(join.chatter);
        assert_eq!(join.human, Some(false));
        assert_eq!(attr(join, "type"), Some("uj"));

        let alert = &out.records[1];
        assert_eq!(utc(alert), "2026-11-20T22:02:11.004000Z");
        assert_eq!(alert.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(alert.human, Some(false));
        assert_eq!(
            alert.message,
            "Triggered #4412: Checkout error rate above 5% (https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W)\nService: checkout-api; Urgency: high"
        );

        let ack = &out.records[2];
        // EJSON {"$date": ms}.
        assert_eq!(utc(ack), "2026-11-20T22:04:30.118000Z");
        assert_eq!(ack.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "username"), Some("dana"));
        assert_eq!(attr(ack, "reactions"), Some("+1:1,eyes:2"));
        assert_eq!(attr(ack, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));

        let reply = &out.records[3];
        assert_eq!(attr(reply, "reply_to"), Some("Xk2mN8pQr4sT6vW9y"));
        assert!(reply.identifiers.contains(&"OPS-1842".to_string()));
        assert!(!reply.chatter);

        let old = &out.records[4];
        assert!(old.chatter);
        assert_eq!(attr(old, "version_of"), Some("Xk2mN8pQr4sT6vW9y"));
    }

    #[test]
    fn system_messages_say_what_happened() {
        let out = run(
            &RocketChatApi,
            include_bytes!("../../../fixtures/rocketchat-api/own_system_messages.json"),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let dana = "Dana Whitfield";
        let expected = [
            (
                "2026-11-20T21:58:03.120000Z",
                "lee.ops joined the channel",
                "lee.ops",
            ),
            (
                "2026-11-20T21:59:40.000000Z",
                "sam.db added by Dana Whitfield",
                dana,
            ),
            (
                "2026-11-20T22:00:12.500000Z",
                "topic changed to INC-4412 checkout errors, IC: Dana by Dana Whitfield",
                dana,
            ),
            (
                "2026-11-20T22:00:30.000000Z",
                "lee.ops was set moderator by Dana Whitfield",
                dana,
            ),
            (
                "2026-11-20T22:06:02.000000Z",
                "rolling back checkout-api to v2.31.4",
                "lee.ops",
            ),
            ("2026-11-20T22:07:15.000000Z", "message removed", "lee.ops"),
            (
                "2026-11-20T22:09:00.000000Z",
                "status.bot muted by Dana Whitfield",
                dana,
            ),
            (
                "2026-11-20T22:15:44.000000Z",
                "system message discussion-created: db failover follow-up",
                "lee.ops",
            ),
            (
                "2026-11-20T23:40:00.000000Z",
                "lee.ops left the channel",
                "lee.ops",
            ),
            (
                "2026-11-21T09:00:00.000000Z",
                "room renamed to inc-4412-resolved by Dana Whitfield",
                dana,
            ),
        ];
        assert_eq!(out.records.len(), expected.len());
        for (r, (time, message, actor)) in out.records.iter().zip(expected) {
            assert_eq!((utc(r).as_str(), r.message.as_str()), (time, message));
            assert_eq!(r.actor.as_deref(), Some(actor), "{message}");
        }
        for (i, r) in out.records.iter().enumerate() {
            let typed = i == 4;
            assert_eq!(r.human, Some(typed), "{}", r.message);
            assert_eq!(r.chatter, !typed, "{}", r.message);
            assert_eq!(attr(r, "type").is_none(), typed, "{}", r.message);
        }
        assert_eq!(attr(&out.records[5], "type"), Some("rm"));
    }

    #[test]
    fn bad_messages_become_problems() {
        let out = run(&RocketChatApi, br#"{"messages": [{"_id": "a", "msg": "x", "ts": "2020-05-02 07:30:42"}, {"_id": "b", "msg": "y", "ts": {"$date": 1588404642993}, "u": {"username": "z"}}], "success": true}"#);
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2020-05-02T07:30:42.993000Z");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.messages[0]"));
        assert_eq!(
            run(
                &RocketChatApi,
                br#"{"success": false, "error": "unauthorized"}"#
            )
            .problems
            .len(),
            1
        );
        assert_eq!(run(&RocketChatApi, b"{\"messages\": [").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_rocketchat_and_rejects_others() {
        assert_eq!(RocketChatApi.sniff(OWN), Some(95));
        assert!(RocketChatApi.sniff(&OWN[..OWN.len() / 2]).is_some());
        assert_rejects(
            &RocketChatApi,
            &[
            include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json")
                .as_slice(),
            include_bytes!("../../../fixtures/discord-export/own_incident_channel.json"),
            br#"{"ok": true, "messages": [{"type": "message", "user": "U1", "text": "x", "ts": "1700000000.000100"}]}"#,
            b"{\"level\":\"info\",\"ts\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
            ],
        );
    }

    never_panics!(RocketChatApi);
}
