//! Mattermost: the bulk export (JSON lines, one `{"type": "version" | "team"
//! | "channel" | "user" | "post" | "direct_post" | ..., ...}` per line, as
//! `mmctl export` writes and `mattermost import bulk` reads) and API v4 post
//! lists (`GET /channels/{id}/posts`: `{"order": [...], "posts": {id: post}}`).
//!
//! Both write times as epoch milliseconds (`create_at`); in the API, an
//! `edit_at` or `delete_at` of 0 means "never".

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element, LineIndex};
use crate::input::lines;
use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::Parser;

/// Mattermost bulk export JSON lines.
pub struct MattermostBulk;

/// Mattermost API v4 post lists.
pub struct MattermostApi;

const SYSTEM: &str = "Mattermost";

impl Parser for MattermostBulk {
    fn id(&self) -> &str {
        "mattermost-bulk"
    }

    fn description(&self) -> &str {
        "Mattermost bulk export JSON lines (mmctl export: version, team, channel, user, post lines)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static POST: OnceLock<Regex> = OnceLock::new();
        static CREATE_AT: OnceLock<Regex> = OnceLock::new();
        // The importer requires the version line first.
        let first = lines::split(head).find(|l| !l.bytes.trim_ascii().is_empty())?;
        let first: Value = serde_json::from_slice(first.bytes).ok()?;
        if first.get("type").and_then(Value::as_str) != Some("version") {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&POST, r#""type"\s*:\s*"(post|direct_post)""#).is_match(&text) {
            return None;
        }
        let create_at = chat::regex(&CREATE_AT, r#""create_at"\s*:\s*(\d{10,16})\b"#);
        chat::first_time(create_at, &text, millis)?;
        Some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let users = bulk_users(input);
        let index = LineIndex::new(input);
        for line in lines::split(input) {
            if line.bytes.trim_ascii().is_empty() {
                continue;
            }
            let problem = |reason: String| Problem {
                line: Some(line.number),
                locator: None,
                reason,
            };
            if let Some(too_long) = lines::over_limit(&line) {
                sink.problem(too_long);
                continue;
            }
            let raw = match serde_json::from_slice::<&RawValue>(line.bytes) {
                Ok(raw) => raw,
                Err(e) => {
                    sink.problem(problem(format!("not a JSON line: {e}")));
                    continue;
                }
            };
            let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            let Some(kind) = value.get("type").and_then(Value::as_str) else {
                sink.problem(problem(
                    "not a Mattermost bulk export line: no \"type\"".to_string(),
                ));
                continue;
            };
            // Teams, channels, users, emoji and the like describe the
            // workspace; only posts are events.
            if kind != "post" && kind != "direct_post" {
                continue;
            }
            let Some(post) = value.get(kind).filter(|p| p.is_object()) else {
                sink.problem(problem(format!("{kind} line without a {kind} object")));
                continue;
            };
            let element = Element {
                value: post.clone(),
                span: line.start..line.start + line.bytes.len(),
                line: line.number,
                locator: String::new(),
            };
            // An unreadable post still lets its replies through.
            match bulk_post(input, &element, kind, &users, None) {
                Ok(record) => sink.record(record),
                Err(reason) => sink.problem(problem(reason)),
            }
            let replies = match json::first_member(raw, kind)
                .and_then(|p| json::first_member(p, "replies"))
                .filter(|r| r.get() != "null")
            {
                None => Vec::new(),
                Some(r) => match json::elements(input, &index, r, &format!("$.{kind}.replies")) {
                    Some(replies) => replies,
                    None => {
                        sink.problem(problem(format!(
                            "{kind} whose \"replies\" is not a list: its replies are not read"
                        )));
                        Vec::new()
                    }
                },
            };
            let root = create_at_text(post);
            for reply in &replies {
                match bulk_post(input, reply, kind, &users, Some((post, root.as_deref()))) {
                    Ok(record) => sink.record(record),
                    Err(reason) => sink.problem(json::problem_at(reply, reason)),
                }
            }
        }
    }
}

impl Parser for MattermostApi {
    fn id(&self) -> &str {
        "mattermost-api"
    }

    fn description(&self) -> &str {
        "Mattermost API v4 post lists (GET /channels/{id}/posts: order and posts)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static ORDER: OnceLock<Regex> = OnceLock::new();
        static POSTS: OnceLock<Regex> = OnceLock::new();
        static CHANNEL: OnceLock<Regex> = OnceLock::new();
        static CREATE_AT: OnceLock<Regex> = OnceLock::new();
        let text = chat::head_text(head);
        let shaped = match json::first_byte(head)? {
            b'{' => {
                chat::regex(&ORDER, r#""order"\s*:\s*\["#).is_match(&text)
                    && chat::regex(&POSTS, r#""posts"\s*:\s*\{"#).is_match(&text)
            }
            b'[' => true,
            _ => false,
        };
        if !shaped
            || !chat::regex(&CHANNEL, r#""channel_id"\s*:\s*""#).is_match(&text)
            || !text.contains("\"message\"")
        {
            return None;
        }
        let create_at = chat::regex(&CREATE_AT, r#""create_at"\s*:\s*(\d{10,16})\b"#);
        chat::first_time(create_at, &text, millis)?;
        Some(90)
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
        let elements = if doc.get().trim_start().starts_with('[') {
            json::elements(input, &lines, doc, "$")
        } else {
            json::first_member(doc, "posts").and_then(|posts| posts_elements(input, &lines, posts))
        };
        let Some(elements) = elements else {
            sink.problem(chat::document_problem(
                "not a Mattermost post list: no \"posts\" object",
            ));
            return;
        };
        for element in &elements {
            match api_post(input, element) {
                Ok(record) => sink.record(record),
                Err(reason) => sink.problem(json::problem_at(element, reason)),
            }
        }
    }
}

/// The posts of a post list, in document order, each with its position.
fn posts_elements(input: &[u8], lines: &LineIndex, posts: &RawValue) -> Option<Vec<Element>> {
    let members = json::ordered_members(posts)?;
    Some(
        members
            .into_iter()
            .map(|(id, raw)| {
                let span = json::span_of(input, raw);
                let plain =
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                let locator = if plain {
                    format!("$.posts.{id}")
                } else {
                    format!("$.posts[{}]", Value::String(id.to_string()))
                };
                Element {
                    value: serde_json::from_str(raw.get()).unwrap_or(Value::Null),
                    line: lines.line_at(span.start),
                    span,
                    locator,
                }
            })
            .collect(),
    )
}

fn millis(text: &str) -> Option<Timestamp> {
    time::parse_epoch(text, Some(EpochUnit::Millis))
}

/// An epoch-milliseconds field as its decimal text; 0 (Mattermost's
/// "never") and negative values are absent.
fn millis_text(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::Number(n) => n.as_i64().map(|i| i.to_string())?,
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    (text.parse::<i64>().ok()? > 0).then_some(text)
}

fn create_at_text(post: &Value) -> Option<String> {
    millis_text(post.get("create_at"))
}

fn post_time(post: &Value) -> Result<Timestamp, String> {
    match post.get("create_at") {
        None | Some(Value::Null) => Err("post without create_at".to_string()),
        Some(v) => millis_text(Some(v))
            .and_then(|t| millis(&t))
            .ok_or_else(|| format!("unreadable create_at {v}")),
    }
}

/// People of the export by username: `user` lines come before posts.
fn bulk_users(input: &[u8]) -> HashMap<String, Person> {
    let mut users = HashMap::new();
    for line in lines::split(input) {
        // Cheap filter: most lines of a big export are posts.
        if !line.bytes.windows(6).any(|w| w == b"\"user\"") {
            continue;
        }
        let Ok(value) = serde_json::from_slice::<Value>(line.bytes) else {
            continue;
        };
        if value.get("type").and_then(Value::as_str) != Some("user") {
            continue;
        }
        let Some(user) = value.get("user") else {
            continue;
        };
        let Some(username) = json::text(user, &["username"]) else {
            continue;
        };
        let full = [
            json::text(user, &["first_name"]),
            json::text(user, &["last_name"]),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        users.insert(
            username.to_string(),
            Person {
                user_id: None,
                username: Some(username.to_string()),
                display_name: json::text(user, &["nickname"]).map(str::to_string),
                real_name: (!full.is_empty()).then_some(full),
                email: json::text(user, &["email"]).map(str::to_string),
                zone: user.get("timezone").and_then(profile_zone),
            },
        );
    }
    users
}

/// The zone a user's `timezone` settings give, as Mattermost itself picks
/// it: the automatic one when `useAutomaticTimezone` is `"true"`, else
/// the one they set by hand.
fn profile_zone(timezone: &Value) -> Option<String> {
    let key = if chat::is_true(timezone, "useAutomaticTimezone") {
        "automaticTimezone"
    } else {
        "manualTimezone"
    };
    json::text(timezone, &[key]).map(str::to_string)
}

/// Posts the server wrote about a user ("harry joined the channel."): the
/// bulk export keeps their text but not always their `system_*` type.
fn is_membership_text(message: &str, user: Option<&str>) -> bool {
    static MEMBERSHIP: OnceLock<Regex> = OnceLock::new();
    let re = chat::regex(
        &MEMBERSHIP,
        r"^(\S+) (?:(?:joined|left) the (?:channel|team)|(?:added to|removed from) the (?:channel|team)(?: by \S+)?)\.?$",
    );
    re.captures(message.trim())
        .and_then(|c| c.get(1))
        .is_some_and(|who| user.is_none_or(|u| who.as_str() == u) || message.contains(" by "))
}

/// Fields both forms share: text with attachments and files, reactions,
/// pins, webhooks and system types.
struct Common {
    message: String,
    identifiers: Vec<String>,
    system_post: bool,
    webhook: bool,
    override_name: Option<String>,
    attrs: Vec<(String, String)>,
}

fn common(post: &Value, user: Option<&str>) -> Common {
    let mut identifiers = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let text = post
        .get("message")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if !text.is_empty() {
        parts.push(text.to_string());
    }
    let props = post.get("props").cloned().unwrap_or(Value::Null);
    if let Some(attachments) = props.get("attachments").and_then(Value::as_array) {
        let render = |t: &str| t.to_string();
        for part in chat::attachments_text(attachments, &render, &mut identifiers) {
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    // Bulk export: `attachments: [{"path": ...}]`; API: `metadata.files`.
    let files = post
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| json::text(a, &["path"]))
        .chain(
            post.get("metadata")
                .and_then(|m| m.get("files"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| json::text(f, &["name"])),
        )
        .map(|name| format!("[file: {name}]"))
        .collect::<Vec<_>>();
    parts.extend(files);
    let message = parts.join("\n");
    crate::input::identifiers::mentioned(&message, &mut identifiers, true);

    let post_type = json::text(post, &["type"]);
    let system_post = post_type.is_some_and(|t| t.starts_with("system_"))
        || (post_type.is_none() && is_membership_text(text, user));
    let webhook = chat::is_true(&props, "from_webhook") || chat::is_true(&props, "from_bot");
    let override_name = json::text(&props, &["override_username"]).map(str::to_string);

    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| attrs.push((k.to_string(), v));
    if let Some(t) = post_type {
        push("type", t.to_string());
    }
    let reactions = post
        .get("reactions")
        .or_else(|| post.get("metadata").and_then(|m| m.get("reactions")))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|r| Some((json::text(r, &["emoji_name"])?.to_string(), 1)))
                .collect::<Vec<_>>()
        })
        .and_then(chat::reactions);
    if let Some(r) = reactions {
        push("reactions", r);
    }
    if chat::is_true(post, "is_pinned") {
        push("pinned", "true".to_string());
    }
    if webhook {
        if let Some(name) = &override_name {
            push("bot_name", name.clone());
        }
    }
    Common {
        message,
        identifiers,
        system_post,
        webhook,
        override_name,
        attrs,
    }
}

fn finish(record: &mut Record, common: Common, person: &Person) {
    record.identifiers = common.identifiers;
    record.human = Some(!common.system_post && !common.webhook);
    record.chatter = common.system_post || chat::says_nothing(&record.message);
    record
        .attributes
        .extend(common.attrs.into_iter().map(|(k, v)| (k.into(), v)));
    if common.webhook {
        record.actor.clone_from(&common.override_name);
    }
    person.apply(record);
}

/// One bulk export post or reply (`root` set for replies: the post and
/// its `create_at`).
fn bulk_post(
    input: &[u8],
    element: &Element,
    kind: &str,
    users: &HashMap<String, Person>,
    root: Option<(&Value, Option<&str>)>,
) -> Result<Record, String> {
    let post = &element.value;
    if !post.is_object() {
        return Err("not a Mattermost post object".to_string());
    }
    let time = post_time(post)?;
    let user = json::text(post, &["user"]);
    let common = common(post, user);
    let mut record = Record::new(Kind::Chat, time, common.message.clone());
    record.line = Some(element.line);
    record.line_end = Some(json::last_line(input, element.line, element.span.clone()));
    record.span = element.span.clone();
    if root.is_some() {
        record.locator = Some(element.locator.clone());
    }
    record.system = Some(SYSTEM.into());
    // Replies inherit the place of their post.
    let place = root.map_or(post, |(p, _)| p);
    let channel = match kind {
        "direct_post" => place
            .get("channel_members")
            .and_then(Value::as_array)
            .map(|m| {
                let names: Vec<&str> = m.iter().filter_map(Value::as_str).collect();
                format!("direct: {}", names.join(", "))
            }),
        _ => json::text(place, &["channel"]).map(str::to_string),
    };
    record.service.clone_from(&channel);
    if let Some(channel) = channel {
        record.attributes.push(("channel".into(), channel));
    }
    if let Some(team) = json::text(place, &["team"]) {
        record.attributes.push(("team".into(), team.to_string()));
    }
    if let Some((_, Some(root_at))) = root {
        record
            .attributes
            .push(("root_create_at".into(), root_at.to_string()));
    }
    if let Some(edit) = millis_text(post.get("edit_at")).and_then(|t| millis(&t)) {
        record
            .attributes
            .push(("edited_at".into(), chat::attribute_time(&edit)));
    }
    let person = user
        .map(|u| {
            users.get(u).cloned().unwrap_or(Person {
                username: Some(u.to_string()),
                ..Person::default()
            })
        })
        .unwrap_or_default();
    finish(&mut record, common, &person);
    Ok(record)
}

fn api_post(input: &[u8], element: &Element) -> Result<Record, String> {
    let post = &element.value;
    if !post.is_object() {
        return Err("not a Mattermost post object".to_string());
    }
    let time = post_time(post)?;
    let user_id = json::text(post, &["user_id"]);
    let props = post.get("props").cloned().unwrap_or(Value::Null);
    let username = json::text(&props, &["username"])
        .filter(|_| json::text(post, &["type"]).is_some_and(|t| t.starts_with("system_")));
    let common = common(post, username);
    let mut record = chat::element_record(input, element, time, common.message.clone(), SYSTEM);
    let mut push = |k: &str, v: String| record.attributes.push((k.to_string().into(), v));
    if let Some(id) = json::text(post, &["id"]) {
        push("message_id", id.to_string());
    }
    if let Some(channel) = json::text(post, &["channel_id"]) {
        push("channel_id", channel.to_string());
    }
    if let Some(root) = json::text(post, &["root_id"]) {
        push("root_id", root.to_string());
    }
    if let Some(edit) = millis_text(post.get("edit_at")).and_then(|t| millis(&t)) {
        push("edited_at", chat::attribute_time(&edit));
    }
    if let Some(deleted) = millis_text(post.get("delete_at")).and_then(|t| millis(&t)) {
        push("deleted", "true".to_string());
        push("deleted_at", chat::attribute_time(&deleted));
    }
    let person = Person {
        user_id: user_id.map(str::to_string),
        username: username.map(str::to_string),
        ..Person::default()
    };
    finish(&mut record, common, &person);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const BULK: &[u8] = include_bytes!("../../../fixtures/mattermost-bulk/zulip_export.jsonl");
    const API: &[u8] = include_bytes!("../../../fixtures/mattermost-api/own_channel_posts.json");

    #[test]
    fn bulk_export_posts_replies_and_people() {
        let out = run(&MattermostBulk, BULK);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        // 20 posts, one with a reply.
        assert_eq!(out.records.len(), 21);
        let join = &out.records[0];
        assert_eq!(utc(join), "2019-03-21T11:10:57.086000Z");
        assert_eq!(join.line, Some(14));
        assert!(join.chatter);
        assert_eq!(join.human, Some(false));
        assert_eq!(join.actor.as_deref(), Some("Harry Potter"));
        assert_eq!(join.service.as_deref(), Some("dumbledores-army"));
        let reply = &out.records[1];
        assert_eq!(utc(reply), "2019-03-21T11:09:44.976000Z");
        assert_eq!(reply.message, "The weather is so hot!");
        assert_eq!(reply.actor.as_deref(), Some("Ron Weasley"));
        assert_eq!((reply.line, reply.line_end), (Some(14), Some(14)));
        assert_eq!(reply.locator.as_deref(), Some("$.post.replies[0]"));
        assert_eq!(attr(reply, "root_create_at"), Some("1553166657086"));
        assert_eq!(reply.service.as_deref(), Some("dumbledores-army"));
        assert!(!reply.chatter);
        assert_eq!(reply.human, Some(true));
        assert_eq!(attr(reply, "email"), Some("ron@zulip.com"));
        assert_eq!(attr(reply, "username"), Some("ron"));

        let hello = out
            .records
            .iter()
            .find(|r| r.message == "Hello world")
            .unwrap();
        assert_eq!(utc(hello), "2019-03-21T10:46:33.242000Z");
        assert_eq!(attr(hello, "reactions"), Some("tick:1,smile:1,world_map:1"));
        let added = out
            .records
            .iter()
            .find(|r| r.message == "ron added to the channel by harry.")
            .unwrap();
        assert!(added.chatter);
        // No user line for malfoy's names beyond the username.
        let malfoy = out
            .records
            .iter()
            .find(|r| r.message == "Hello folks")
            .unwrap();
        assert_eq!(malfoy.actor.as_deref(), Some("malfoy"));
        assert!(!malfoy.chatter);
    }

    #[test]
    fn a_users_timezone_setting_is_kept_on_their_posts() {
        let user = |name: &str, tz: &str| {
            format!(
                r#"{{"type":"user","user":{{"username":"{name}","email":"{name}@example.com","first_name":"","last_name":"","timezone":{tz}}}}}"#
            )
        };
        let post = |name: &str| {
            format!(
                r#"{{"type":"post","post":{{"team":"ops","channel":"inc","user":"{name}","message":"restarted db-1 at 10:05","create_at":1773137250000}}}}"#
            )
        };
        let input = [
            r#"{"type":"version","version":1}"#.to_string(),
            user(
                "auto",
                r#"{"useAutomaticTimezone":"true","automaticTimezone":"Europe/Berlin","manualTimezone":""}"#,
            ),
            user(
                "manual",
                r#"{"useAutomaticTimezone":"false","automaticTimezone":"Europe/Berlin","manualTimezone":"America/Chicago"}"#,
            ),
            user(
                "unset",
                r#"{"useAutomaticTimezone":"true","automaticTimezone":"","manualTimezone":""}"#,
            ),
            post("auto"),
            post("manual"),
            post("unset"),
        ]
        .join("\n");
        let out = run(&MattermostBulk, input.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let zones: Vec<Option<&str>> = out.records.iter().map(|r| attr(r, "tz")).collect();
        assert_eq!(
            zones,
            [Some("Europe/Berlin"), Some("America/Chicago"), None]
        );
    }

    #[test]
    fn api_posts_with_zero_meaning_never() {
        let out = run(&MattermostApi, API);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 6);
        let alert = &out.records[0];
        assert_eq!(
            alert.locator.as_deref(),
            Some("$.posts.kq3d8x1bwpdm5fe4aqg1z6y7hr")
        );
        assert_eq!(utc(alert), "2026-11-20T22:02:11.123000Z");
        assert_eq!(alert.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(alert.human, Some(false));
        assert_eq!(
            alert.message,
            "Triggered #4412: Checkout error rate above 5% (https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W)\nService: checkout-api; Urgency: high"
        );
        assert!(alert.identifiers.contains(&"#4412".to_string()));
        // edit_at 0 and delete_at 0: never edited, not deleted.
        assert_eq!(attr(alert, "edited_at"), None);
        assert_eq!(attr(alert, "deleted"), None);

        let ack = &out.records[1];
        assert_eq!(utc(ack), "2026-11-20T22:04:30.118000Z");
        assert_eq!(ack.actor.as_deref(), Some("8tbwn7uikpdy3gpse6fgiie5co"));
        assert_eq!(ack.human, Some(true));
        assert_eq!(attr(ack, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));
        assert_eq!(attr(ack, "reactions"), Some("eyes:2"));
        assert_eq!(attr(ack, "pinned"), Some("true"));
        assert_eq!(attr(ack, "channel_id"), Some("cf6axeehstft9eq4nq5uk5jqby"));

        let reply = &out.records[2];
        assert_eq!((reply.line, reply.line_end), (Some(66), Some(82)));
        assert_eq!(attr(reply, "root_id"), Some("xd1a7pn8ifgqzmtyx4rk7oy5eh"));
        assert!(reply.identifiers.contains(&"OPS-1842".to_string()));

        let deleted = &out.records[3];
        assert_eq!(attr(deleted, "deleted"), Some("true"));
        assert_eq!(
            attr(deleted, "deleted_at"),
            Some("2026-11-20T22:30:00.000000Z")
        );

        let join = &out.records[4];
        assert!(join.chatter);
        assert_eq!(join.human, Some(false));
        assert_eq!(attr(join, "username"), Some("sam"));
        assert_eq!(attr(join, "type"), Some("system_join_channel"));

        assert!(out.records[5]
            .message
            .ends_with("[file: grafana-checkout.png]"));
    }

    #[test]
    fn direct_posts_webhooks_and_edits() {
        let input = br#"{"type":"version","version":1}
{"type":"direct_post","direct_post":{"channel_members":["dana","sam"],"user":"sam","message":"can you take over?","create_at":1795212270118,"edit_at":1795212301000,"flagged_by":null,"replies":[{"user":"dana","message":"yes","create_at":1795212280000}]}}
{"type":"post","post":{"team":"acme","channel":"incident-4412","user":"pd-integration","message":"","props":{"from_webhook":"true","override_username":"PagerDuty","attachments":[{"fallback":"Triggered #4412"}]},"create_at":1795212131123,"edit_at":0}}
"#;
        let out = run(&MattermostBulk, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        let dm = &out.records[0];
        assert_eq!(utc(dm), "2026-11-20T22:04:30.118000Z");
        assert_eq!(dm.service.as_deref(), Some("direct: dana, sam"));
        assert_eq!(attr(dm, "edited_at"), Some("2026-11-20T22:05:01.000000Z"));
        assert_eq!(
            out.records[1].locator.as_deref(),
            Some("$.direct_post.replies[0]")
        );
        assert_eq!(out.records[1].service.as_deref(), Some("direct: dana, sam"));
        let hook = &out.records[2];
        assert_eq!(hook.message, "Triggered #4412");
        assert_eq!(hook.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(hook.human, Some(false));
        assert_eq!(attr(hook, "username"), Some("pd-integration"));
        // edit_at 0: never edited.
        assert_eq!(attr(hook, "edited_at"), None);
    }

    #[test]
    fn bad_posts_become_problems() {
        let input = b"{\"type\":\"version\",\"version\":1}\nnot json\n{\"type\":\"post\",\"post\":{\"user\":\"a\",\"message\":\"x\",\"create_at\":0}}\n{\"no\":\"type\"}\n{\"type\":\"post\",\"post\":{\"user\":\"a\",\"message\":\"x\",\"create_at\":1700000000000,\"replies\":[{\"message\":\"r\"}]}}\n{\"type\":\"post\",\"post\":{\"user\":\"a\",\"message\":\"y\",\"create_at\":1700000000000,\"replies\":{\"message\":\"r\"}}}\n";
        let out = run(&MattermostBulk, input);
        assert_eq!(out.records.len(), 2);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5), Some(6)]);
        assert!(out.problems[4].reason.contains("not a list"));
        assert_eq!(
            out.problems[3].locator.as_deref(),
            Some("$.post.replies[0]")
        );

        let out = run(&MattermostApi, br#"{"order":["a"],"posts":{"a":{"id":"a","create_at":"soon","message":"x"},"b":{"id":"b","create_at":1700000000000,"message":"y","channel_id":"c"}}}"#);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.posts.a"));
        let out = run(&MattermostApi, b"{\"order\": [");
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_mattermost_and_rejects_others() {
        assert_eq!(MattermostBulk.sniff(BULK), Some(95));
        assert_eq!(MattermostApi.sniff(BULK), None);
        assert_eq!(MattermostApi.sniff(API), Some(90));
        assert_eq!(MattermostBulk.sniff(API), None);
        assert!(MattermostApi.sniff(&API[..API.len() / 2]).is_some());
        let others: &[&[u8]] = &[
            b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\",\"create_at\":1700000000000}\n".as_slice(),
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
            include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json"),
            b"{\"type\":\"version\",\"version\":1}\n{\"type\":\"user\",\"user\":{\"username\":\"a\"}}\n",
        ];
        assert_rejects(&MattermostBulk, others);
        assert_rejects(&MattermostApi, others);
    }

    never_panics!(MattermostBulk, MattermostApi);
}
