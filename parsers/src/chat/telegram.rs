//! Telegram: Telegram Desktop's JSON export (`result.json` of one chat,
//! `{"name", "type", "id", "messages": [...]}`, or of the whole account,
//! `{"chats": {"list": [chat, ...]}, "left_chats": {...}}`) and the Bot API's
//! `getUpdates` response (`{"ok": true, "result": [{"update_id", "message":
//! {...}}]}`).
//!
//! Desktop writes `date` as a naive local time of the exporting computer and,
//! since 2022, `date_unixtime` as epoch seconds: the latter is absolute and
//! preferred; without it the time stays local for the pipeline to resolve.
//! The Bot API writes `date` as an epoch-seconds integer; an
//! `edited_message` update is placed at its `edit_date`, the sending kept
//! as `original_at`.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element, LineIndex};
use crate::record::{Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::Parser;

/// Telegram Desktop JSON exports.
pub struct TelegramExport;

/// Telegram Bot API `getUpdates` responses.
pub struct TelegramBotApi;

const SYSTEM: &str = "Telegram";

impl Parser for TelegramExport {
    fn id(&self) -> &str {
        "telegram-export"
    }

    fn description(&self) -> &str {
        "Telegram Desktop JSON export (result.json of one chat or of the account)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static MESSAGES: OnceLock<Regex> = OnceLock::new();
        static SHAPE: OnceLock<Regex> = OnceLock::new();
        static UNIX: OnceLock<Regex> = OnceLock::new();
        static DATE: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&MESSAGES, r#""messages"\s*:\s*\["#).is_match(&text)
            || !chat::regex(&SHAPE, r#""from_id"\s*:|"type"\s*:\s*"service""#).is_match(&text)
        {
            return None;
        }
        let unix = chat::regex(&UNIX, r#""date_unixtime"\s*:\s*"(\d{1,12})""#);
        let date = chat::regex(&DATE, r#""date"\s*:\s*"(\d{4}-\d\d-\d\dT[^"]{5,20})""#);
        chat::first_time(unix, &text, seconds)
            .or_else(|| chat::first_time(date, &text, chat::iso_any))?;
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
        let lines = LineIndex::new(input);
        let mut found = false;
        if json::first_member(doc, "messages").is_some() {
            found = true;
            emit_chat(input, &lines, doc, "$", sink);
        }
        for group in ["chats", "left_chats"] {
            let Some(list) =
                json::first_member(doc, group).and_then(|g| json::first_member(g, "list"))
            else {
                continue;
            };
            let Ok(chats) = serde_json::from_str::<Vec<&RawValue>>(list.get()) else {
                continue;
            };
            found = true;
            for (i, c) in chats.into_iter().enumerate() {
                emit_chat(input, &lines, c, &format!("$.{group}.list[{i}]"), sink);
            }
        }
        if !found {
            sink.problem(chat::document_problem(
                "not a Telegram export: no \"messages\" array and no chat list",
            ));
        }
    }
}

impl Parser for TelegramBotApi {
    fn id(&self) -> &str {
        "telegram-bot-api"
    }

    fn description(&self) -> &str {
        "Telegram Bot API getUpdates JSON responses"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static RESULT: OnceLock<Regex> = OnceLock::new();
        static UPDATE: OnceLock<Regex> = OnceLock::new();
        static DATE: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&RESULT, r#""result"\s*:\s*\["#).is_match(&text)
            || !chat::regex(&UPDATE, r#""update_id"\s*:\s*\d"#).is_match(&text)
        {
            return None;
        }
        let date = chat::regex(&DATE, r#""date"\s*:\s*(\d{9,11})\b"#);
        chat::first_time(date, &text, seconds)?;
        Some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let Some((_, updates)) = chat::records_array(
            input,
            "result",
            Some(("ok", "description")),
            "Telegram getUpdates response",
            sink,
        ) else {
            return;
        };
        for update in &updates {
            match bot_update(input, update) {
                Ok(Some(record)) => sink.record(record),
                // Callback queries, polls and member updates are not messages.
                Ok(None) => {}
                Err(reason) => sink.problem(json::problem_at(update, reason)),
            }
        }
    }
}

fn seconds(text: &str) -> Option<Timestamp> {
    time::parse_epoch(text, Some(EpochUnit::Seconds))
}

/// The chat a list of messages belongs to.
struct ChatInfo {
    name: Option<String>,
    kind: Option<String>,
    id: Option<String>,
}

fn emit_chat(
    input: &[u8],
    lines: &LineIndex,
    chat_raw: &RawValue,
    locator: &str,
    sink: &mut dyn RecordSink,
) {
    let Some(members) = json::ordered_members(chat_raw) else {
        return;
    };
    let field = |key: &str| {
        members
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| serde_json::from_str::<Value>(v.get()).ok())
    };
    let info = ChatInfo {
        name: json::string_or_number(field("name").as_ref()),
        kind: json::string_or_number(field("type").as_ref()),
        id: json::string_or_number(field("id").as_ref()),
    };
    let Some(messages) = members
        .iter()
        .find(|(k, _)| k == "messages")
        .and_then(|(_, raw)| json::elements(input, lines, raw, &format!("{locator}.messages")))
    else {
        sink.problem(problem_at(
            input,
            lines,
            chat_raw,
            locator,
            "chat without a messages array",
        ));
        return;
    };
    for element in &messages {
        match export_message(input, element, &info) {
            Ok(record) => sink.record(record),
            Err(reason) => sink.problem(json::problem_at(element, reason)),
        }
    }
}

fn problem_at(
    input: &[u8],
    lines: &LineIndex,
    raw: &RawValue,
    locator: &str,
    reason: &str,
) -> crate::Problem {
    crate::Problem {
        line: Some(lines.line_at(json::span_of(input, raw).start)),
        locator: Some(locator.to_string()),
        reason: reason.to_string(),
    }
}

/// Text written as a string or as a list of plain strings and entities
/// (`{"type": "text_link", "text": "label", "href": "url"}`).
fn rich_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                Value::Object(_) => {
                    let text = item.get("text").and_then(Value::as_str).unwrap_or("");
                    match json::text(item, &["href"]) {
                        Some(href) if href != text => format!("{text} ({href})"),
                        _ => text.to_string(),
                    }
                }
                _ => String::new(),
            })
            .collect(),
        _ => String::new(),
    }
}

/// What a service message says happened.
fn service_text(v: &Value) -> String {
    let action = json::text(v, &["action"]).unwrap_or("service message");
    let mut facts: Vec<String> = Vec::new();
    if let Some(members) = v.get("members").and_then(Value::as_array) {
        let names: Vec<&str> = members.iter().filter_map(Value::as_str).collect();
        if !names.is_empty() {
            facts.push(names.join(", "));
        }
    }
    for key in ["title", "inviter", "game_title", "discard_reason"] {
        if let Some(t) = json::text(v, &[key]) {
            facts.push(t.to_string());
        }
    }
    if let Some(id) = v.get("message_id").and_then(Value::as_i64) {
        facts.push(format!("message {id}"));
    }
    chat::event_line(action.replace('_', " "), &facts)
}

/// `[photo]`, `[file: name]`… for media a message carries.
fn media_text(v: &Value) -> Option<String> {
    if v.get("photo").is_some() {
        return Some("[photo]".to_string());
    }
    if let Some(poll) = v.get("poll") {
        return Some(format!(
            "[poll: {}]",
            json::text(poll, &["question"]).unwrap_or("")
        ));
    }
    if v.get("location_information").is_some() {
        return Some("[location]".to_string());
    }
    let kind = json::text(v, &["media_type"]);
    let name = json::text(v, &["file_name"])
        .or_else(|| json::text(v, &["sticker_emoji"]))
        .or_else(|| json::text(v, &["file"]).filter(|f| !f.starts_with('(')));
    match (kind, name) {
        (Some(k), Some(n)) => Some(format!("[{}: {n}]", k.replace('_', " "))),
        (Some(k), None) => Some(format!("[{}]", k.replace('_', " "))),
        (None, Some(n)) if v.get("file").is_some() => Some(format!("[file: {n}]")),
        _ => None,
    }
}

fn export_time(v: &Value, unix_key: &str, date_key: &str) -> Option<Timestamp> {
    let unix = match v.get(unix_key) {
        Some(Value::String(s)) => seconds(s.trim()),
        Some(Value::Number(n)) => n.as_i64().and_then(|i| seconds(&i.to_string())),
        _ => None,
    };
    unix.or_else(|| json::text(v, &[date_key]).and_then(chat::iso_any))
}

fn export_message(input: &[u8], element: &Element, info: &ChatInfo) -> Result<Record, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a Telegram message object".to_string());
    }
    let time = export_time(v, "date_unixtime", "date").ok_or_else(|| match v.get("date") {
        Some(d) => format!("unreadable date {d}"),
        None => "Telegram message without a date".to_string(),
    })?;
    let service = json::text(v, &["type"]) == Some("service");
    let via_bot = json::text(v, &["via_bot"]);

    let mut parts: Vec<String> = Vec::new();
    let text = rich_text(v.get("text"));
    if service {
        parts.push(service_text(v));
    }
    if !text.trim().is_empty() {
        parts.push(text.trim().to_string());
    }
    if let Some(media) = media_text(v) {
        parts.push(media);
    }
    let message_text = parts.join("\n");
    let mut identifiers = Vec::new();
    if let Some(Value::Array(entities)) = v.get("text") {
        for e in entities {
            if let Some(href) = json::text(e, &["href"]) {
                crate::input::identifiers::push(&mut identifiers, href);
            }
        }
    }
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    // People and bots both post from user accounts: only a message sent
    // through an inline bot says which.
    record.human = if service || via_bot.is_some() {
        Some(false)
    } else {
        None
    };
    record.chatter = service || chat::says_nothing(&record.message);
    record.identifiers = identifiers;
    record.service.clone_from(&info.name);

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(id) = json::string_or_number(v.get("id")) {
        attrs.push(("message_id", id));
    }
    if let Some(name) = &info.name {
        attrs.push(("channel", name.clone()));
    }
    if let Some(id) = &info.id {
        attrs.push(("chat_id", id.clone()));
    }
    if let Some(kind) = &info.kind {
        attrs.push(("chat_type", kind.clone()));
    }
    if let Some(action) = json::text(v, &["action"]) {
        attrs.push(("action", action.to_string()));
    }
    if let Some(parent) = json::string_or_number(v.get("reply_to_message_id")) {
        attrs.push(("reply_to", parent));
    }
    if let Some(edited) = export_time(v, "edited_unixtime", "edited") {
        attrs.push(("edited_at", chat::attribute_time(&edited)));
    }
    if let Some(from) = json::text(v, &["forwarded_from"]) {
        attrs.push(("forwarded_from", from.to_string()));
    }
    if let Some(bot) = via_bot {
        attrs.push(("bot_name", bot.to_string()));
    }
    if let Some(list) = v.get("reactions").and_then(Value::as_array) {
        let items = list.iter().filter_map(|r| {
            let name = json::text(r, &["emoji"]).or_else(|| json::text(r, &["document_id"]))?;
            Some((
                name.to_string(),
                r.get("count").and_then(Value::as_u64).unwrap_or(1),
            ))
        });
        if let Some(r) = chat::reactions(items) {
            attrs.push(("reactions", r));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    let (name, id) = if service {
        (
            json::text(v, &["actor"]),
            json::string_or_number(v.get("actor_id")),
        )
    } else {
        (
            json::text(v, &["from"]),
            json::string_or_number(v.get("from_id")),
        )
    };
    Person {
        user_id: id,
        display_name: name.map(str::to_string),
        ..Person::default()
    }
    .apply(&mut record);
    Ok(record)
}

fn bot_update(input: &[u8], element: &Element) -> Result<Option<Record>, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a Telegram update object".to_string());
    }
    let Some((kind, m)) = [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
    ]
    .into_iter()
    .find_map(|k| v.get(k).filter(|m| m.is_object()).map(|m| (k, m))) else {
        return Ok(None);
    };
    let date = m.get("date").ok_or("message without a date")?;
    let sent = date
        .as_i64()
        .and_then(|d| seconds(&d.to_string()))
        .ok_or_else(|| format!("unreadable date {date}"))?;
    let edit = m
        .get("edit_date")
        .and_then(Value::as_i64)
        .and_then(|d| seconds(&d.to_string()));
    // An edit update is news at its edit: placed at the original date it
    // would sit before words that were not yet written then.
    let edited = kind.starts_with("edited_");
    let time = match (&edit, edited) {
        (Some(at), true) => at.clone(),
        _ => sent.clone(),
    };
    let mut parts: Vec<String> = Vec::new();
    for key in ["text", "caption"] {
        if let Some(t) = json::text(m, &[key]) {
            parts.push(t.to_string());
        }
    }
    if let Some(members) = m.get("new_chat_members").and_then(Value::as_array) {
        let names: Vec<String> = members.iter().filter_map(|u| user(u).name()).collect();
        parts.push(format!("joined: {}", names.join(", ")));
    }
    if let Some(left) = m.get("left_chat_member") {
        parts.push(format!("left: {}", user(left).name().unwrap_or_default()));
    }
    if let Some(title) = json::text(m, &["new_chat_title"]) {
        parts.push(format!("new title: {title}"));
    }
    if m.get("pinned_message").is_some() {
        parts.push("pinned a message".to_string());
    }
    let service = m.get("new_chat_members").is_some()
        || m.get("left_chat_member").is_some()
        || m.get("new_chat_title").is_some()
        || m.get("pinned_message").is_some();
    let message_text = parts.join("\n");
    let mut identifiers = Vec::new();
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    record.locator = Some(format!("{}.{kind}", element.locator));
    let from = m.get("from").map(user);
    let is_bot = m
        .get("from")
        .and_then(|f| f.get("is_bot"))
        .and_then(Value::as_bool);
    record.human = match (service, is_bot) {
        (true, _) => Some(false),
        (false, Some(bot)) => Some(!bot),
        (false, None) => None,
    };
    record.chatter = service || chat::says_nothing(&record.message);
    record.identifiers = identifiers;
    let chat_value = m.get("chat").cloned().unwrap_or(Value::Null);
    let chat_name = json::text(&chat_value, &["title"])
        .or_else(|| json::text(&chat_value, &["username"]))
        .map(str::to_string);
    record.service.clone_from(&chat_name);
    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(id) = json::string_or_number(m.get("message_id")) {
        attrs.push(("message_id", id));
    }
    if let Some(name) = chat_name {
        attrs.push(("channel", name));
    }
    if let Some(id) = json::string_or_number(chat_value.get("id")) {
        attrs.push(("chat_id", id));
    }
    if let Some(parent) = m
        .get("reply_to_message")
        .and_then(|r| json::string_or_number(r.get("message_id")))
    {
        attrs.push(("reply_to", parent));
    }
    if let Some(edit) = &edit {
        attrs.push(("edited_at", chat::attribute_time(edit)));
        if edited {
            attrs.push(("original_at", chat::attribute_time(&sent)));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    if let Some(person) = from {
        person.apply(&mut record);
    } else if let Some(title) = json::text(&chat_value, &["title"]) {
        // Channel posts are signed by the channel.
        record.actor = Some(title.to_string());
    }
    Ok(Some(record))
}

/// A Bot API `User`.
fn user(u: &Value) -> Person {
    let full = [
        json::text(u, &["first_name"]),
        json::text(u, &["last_name"]),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Person {
        user_id: json::string_or_number(u.get("id")),
        username: json::text(u, &["username"]).map(str::to_string),
        real_name: (!full.is_empty()).then_some(full),
        ..Person::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};
    use crate::time::TimeValue;

    const OWN: &[u8] = include_bytes!("../../../fixtures/telegram-export/own_result.json");
    const OWN_FULL: &[u8] =
        include_bytes!("../../../fixtures/telegram-export/own_full_export.json");
    const OWN_BOT: &[u8] =
        include_bytes!("../../../fixtures/telegram-bot-api/own_get_updates.json");

    #[test]
    fn desktop_export_prefers_unixtime_and_keeps_naive_dates_local() {
        let out = run(&TelegramExport, OWN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 5);
        let created = &out.records[0];
        assert!(created.chatter);
        assert_eq!(created.human, Some(false));
        assert_eq!(created.message, "invite members: Sam Okafor");
        assert_eq!(created.actor.as_deref(), Some("Dana Whitfield"));

        let alert = &out.records[1];
        // date says 23:02:11 local (Berlin); date_unixtime is the instant.
        assert_eq!(utc(alert), "2026-11-20T22:02:11.000000Z");
        assert_eq!(alert.time.text, "1795212131");
        assert_eq!(
            alert.message,
            "Triggered #4412: Checkout error rate above 5% (https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W)"
        );
        assert_eq!(alert.actor.as_deref(), Some("PD Alerts"));
        assert_eq!(alert.service.as_deref(), Some("Incident 4412"));
        assert!(alert
            .identifiers
            .contains(&"https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W".to_string()));

        let ack = &out.records[2];
        assert_eq!(utc(ack), "2026-11-20T22:04:30.000000Z");
        assert_eq!(
            ack.message,
            "ack, looking. @sokafor can you check the deploy?"
        );
        assert_eq!(attr(ack, "user_id"), Some("user100200301"));
        assert_eq!(attr(ack, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));
        assert_eq!(ack.human, None);

        let reply = &out.records[3];
        assert_eq!(attr(reply, "reply_to"), Some("3"));
        // An older export without date_unixtime: the local time as written.
        match reply.time.value {
            TimeValue::Local(t) => assert_eq!(t.to_string(), "2026-11-20 23:10:44"),
            other => panic!("{other:?}"),
        }
        assert_eq!(reply.message, "rolling back, tracking in OPS-1842\n[photo]");
        assert!(out.records[4].chatter);
        assert_eq!(attr(&out.records[4], "action"), Some("pin_message"));
    }

    #[test]
    fn full_account_export_walks_every_chat() {
        let out = run(&TelegramExport, OWN_FULL);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        assert_eq!(
            out.records[0].locator.as_deref(),
            Some("$.chats.list[0].messages[0]")
        );
        assert_eq!(
            out.records[2].locator.as_deref(),
            Some("$.left_chats.list[0].messages[0]")
        );
        assert_eq!(
            (out.records[2].line, out.records[2].line_end),
            (Some(60), Some(74))
        );
        assert_eq!(utc(&out.records[1]), "2026-11-20T22:20:00.000000Z");
        assert_eq!(out.records[2].service.as_deref(), Some("old-ops"));
    }

    #[test]
    fn bot_api_updates() {
        let out = run(&TelegramBotApi, OWN_BOT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-11-20T22:02:11.000000Z");
        assert_eq!(r.actor.as_deref(), Some("PD Alerts"));
        assert_eq!(r.human, Some(false));
        assert_eq!(r.locator.as_deref(), Some("$.result[0].message"));
        let r = &out.records[1];
        // An edited_message update: at its edit, the sending kept.
        assert_eq!(utc(r), "2026-11-20T22:05:01.000000Z");
        assert_eq!(r.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(r.human, Some(true));
        assert_eq!(attr(r, "username"), Some("dana_w"));
        assert_eq!(attr(r, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));
        assert_eq!(attr(r, "original_at"), Some("2026-11-20T22:04:30.000000Z"));
        assert!(out.records[2].chatter);
    }

    #[test]
    fn an_edit_is_placed_at_its_edit_date() {
        let out = run(
            &TelegramBotApi,
            br#"{"ok": true, "result": [
  {"update_id": 41, "message": {"message_id": 7, "chat": {"id": -5, "title": "ops", "type": "group"},
    "date": 1467370373, "from": {"first_name": "Lee", "id": 9}, "text": "db-1 is down"}},
  {"update_id": 42, "edited_message": {"message_id": 7, "chat": {"id": -5, "title": "ops", "type": "group"},
    "date": 1467370373, "edit_date": 1467370374, "from": {"first_name": "Lee", "id": 9}, "text": "db-2 is down"}},
  {"update_id": 43, "message": {"message_id": 8, "chat": {"id": -5, "title": "ops", "type": "group"},
    "date": 1467370380, "edit_date": 1467370390, "from": {"first_name": "Lee", "id": 9}, "text": "failing over"}}
]}"#,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [sent, edit, later] = &out.records[..] else {
            panic!("{:?}", out.records);
        };
        assert_eq!(utc(sent), "2016-07-01T10:52:53.000000Z");
        assert_eq!(attr(sent, "edited_at"), None);
        assert_eq!(utc(edit), "2016-07-01T10:52:54.000000Z");
        assert_eq!(edit.message, "db-2 is down");
        assert_eq!(edit.actor.as_deref(), Some("Lee"));
        assert_eq!(edit.locator.as_deref(), Some("$.result[1].edited_message"));
        assert_eq!(attr(edit, "edited_at"), Some("2016-07-01T10:52:54.000000Z"));
        assert_eq!(
            attr(edit, "original_at"),
            Some("2016-07-01T10:52:53.000000Z")
        );
        // A message fetched after its edit is still news when it was sent.
        assert_eq!(utc(later), "2016-07-01T10:53:00.000000Z");
        assert_eq!(
            attr(later, "edited_at"),
            Some("2016-07-01T10:53:10.000000Z")
        );
        assert_eq!(attr(later, "original_at"), None);
    }

    #[test]
    fn bad_messages_become_problems() {
        let out = run(&TelegramExport, br#"{"name": "x", "type": "private_group", "id": 1, "messages": [{"id": 1, "type": "message", "date": "yesterday", "from": "a", "from_id": "user1", "text": "x"}, 5, {"id": 2, "type": "message", "date": "2026-01-01T10:00:00", "date_unixtime": "1767261600", "from": "a", "from_id": "user1", "text": [{"type": "bold", "text": "hi"}, " there"]}]}"#);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].message, "hi there");
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.messages[0]"));
        assert_eq!(
            run(&TelegramExport, b"{\"about\": \"x\"}").problems.len(),
            1
        );
        let out = run(&TelegramBotApi, br#"{"ok": true, "result": [{"update_id": 1, "message": {"message_id": 1, "date": "soon"}}, {"update_id": 2, "callback_query": {}}]}"#);
        assert_eq!(out.records.len(), 0);
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_telegram_and_rejects_others() {
        assert_eq!(TelegramExport.sniff(OWN), Some(95));
        assert_eq!(TelegramExport.sniff(OWN_FULL), Some(95));
        assert_eq!(TelegramBotApi.sniff(OWN_BOT), Some(95));
        assert_eq!(TelegramExport.sniff(OWN_BOT), None);
        assert_eq!(TelegramBotApi.sniff(OWN), None);
        let others: &[&[u8]] = &[
            include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json")
                .as_slice(),
            include_bytes!("../../../fixtures/discord-export/own_incident_channel.json"),
            include_bytes!("../../../fixtures/rocketchat-api/own_channels_messages.json"),
            b"{\"level\":\"info\",\"date\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
        ];
        assert_rejects(&TelegramExport, others);
        assert_rejects(&TelegramBotApi, others);
    }

    never_panics!(TelegramExport, TelegramBotApi);
}
