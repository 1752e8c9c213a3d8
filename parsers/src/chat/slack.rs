//! Slack: workspace export day files (`<channel>/<YYYY-MM-DD>.json`, a JSON
//! array of message objects per channel and day, beside `users.json` and
//! `channels.json`) and the Web API's `conversations.history` /
//! `conversations.replies` responses (`{"ok": true, "messages": [...]}`),
//! whose message objects have the same shape (a response with `has_more`
//! is one page of several, which is reported). The people behind user ids
//! come from the export's `users.json` or the API's saved `users.list` /
//! `users.info` responses.
//!
//! A message's `ts` is its identity and its time: a string of epoch seconds
//! with a six-digit fraction, read as decimal text. Thread replies carry the
//! parent's `thread_ts` and may sit in a later day file than the parent (or
//! even be stamped before it); they are recorded where they are, with
//! `thread_ts` as an attribute for the pipeline to join.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element, LineIndex};
use crate::record::{Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::{Context, Parser};

/// Slack workspace export day files.
pub struct SlackExport;

/// Slack Web API `conversations.history` responses.
pub struct SlackApi;

/// What a Slack export has beside the day files: people, channels,
/// private channels, group and direct messages, and the integration log
/// (which names the people who changed integrations).
const EXPORT_COMPANIONS: &[&str] = &[
    "users.json",
    "channels.json",
    "groups.json",
    "mpims.json",
    "dms.json",
    "integration_logs.json",
];

/// What is saved beside Web API histories: the export's lists, or the
/// API's own `users.list` (`{"members": [...]}`) and `users.info`
/// (`{"user": {...}}`) responses, under the method's name.
const API_COMPANIONS: &[&str] = &[
    "users.json",
    "channels.json",
    "users.list.json",
    "users_list.json",
    "users.info.json",
    "users_info.json",
];

/// The companions that list people, in the order they are trusted.
const USER_LISTS: &[&str] = &[
    "users.json",
    "users.list.json",
    "users_list.json",
    "users.info.json",
    "users_info.json",
];

const SYSTEM: &str = "Slack";

/// Subtypes Slack writes for something that happened to the channel rather
/// than something someone said: kept, but left out of the draft.
const CHATTER_SUBTYPES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "group_join",
    "group_leave",
    "channel_topic",
    "group_topic",
    "channel_purpose",
    "group_purpose",
    "channel_name",
    "group_name",
    "channel_archive",
    "group_archive",
    "channel_unarchive",
    "group_unarchive",
    "channel_convert_to_private",
    "channel_convert_to_public",
    "channel_posting_permissions",
    "channel_canvas_updated",
    "pinned_item",
    "unpinned_item",
    "bot_add",
    "bot_remove",
    "bot_enable",
    "bot_disable",
    "reminder_add",
    "joiner_notification",
    "tombstone",
    "message_changed",
    "message_deleted",
];

impl Parser for SlackExport {
    fn id(&self) -> &str {
        "slack-export"
    }

    fn description(&self) -> &str {
        "Slack workspace export day files (channel/YYYY-MM-DD.json with users.json, channels.json, groups/mpims/dms.json)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if json::first_byte(head)? != b'[' {
            return None;
        }
        sniff_messages(&chat::head_text(head))
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        self.parse_in(input, &Context::default(), sink);
    }

    fn companions(&self) -> &[&str] {
        EXPORT_COMPANIONS
    }

    fn parse_in(&self, input: &[u8], context: &Context<'_>, sink: &mut dyn RecordSink) {
        let elements = match json::array_at(input, &LineIndex::new(input), &[]) {
            Some(elements) => elements,
            None => {
                let reason = match json::document(input) {
                    Err(e) => e,
                    Ok(_) => {
                        "not a Slack export day file: expected a JSON array of messages".to_string()
                    }
                };
                sink.problem(chat::document_problem(reason));
                return;
            }
        };
        let folder = chat::parent_folder(context.path).map(str::to_string);
        emit(input, &elements, context, folder, sink);
    }
}

impl Parser for SlackApi {
    fn id(&self) -> &str {
        "slack-api"
    }

    fn description(&self) -> &str {
        "Slack Web API conversations.history / conversations.replies JSON responses (with users.list / users.info beside them)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static MESSAGES: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&MESSAGES, r#""messages"\s*:\s*\["#).is_match(&text) {
            return None;
        }
        sniff_messages(&text)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        self.parse_in(input, &Context::default(), sink);
    }

    fn companions(&self) -> &[&str] {
        API_COMPANIONS
    }

    fn untimed(&self, head: &[u8]) -> Option<String> {
        static MEMBERS: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        chat::regex(&MEMBERS, r#""members"\s*:\s*\[\s*"[UW][A-Z0-9]{6,}""#)
            .is_match(&text)
            .then(|| "a Slack conversations.members response (member ids, no messages)".to_string())
    }

    fn parse_in(&self, input: &[u8], context: &Context<'_>, sink: &mut dyn RecordSink) {
        if let Some((top, elements)) = chat::records_array(
            input,
            "messages",
            Some(("ok", "error")),
            "Slack API response",
            sink,
        ) {
            emit(input, &elements, context, None, sink);
            if chat::is_true(&top, "has_more") {
                sink.problem(chat::more_pages("has_more: true"));
            }
        }
    }
}

/// The cheap check shared by both forms: a message `ts` (epoch seconds as
/// a decimal string) that reads as a time, and message-shaped keys.
fn sniff_messages(text: &str) -> Option<u8> {
    static TS: OnceLock<Regex> = OnceLock::new();
    static TYPE: OnceLock<Regex> = OnceLock::new();
    static TEXT: OnceLock<Regex> = OnceLock::new();
    static AUTHOR: OnceLock<Regex> = OnceLock::new();
    let ts = chat::regex(&TS, r#""ts"\s*:\s*"(\d{9,11}\.\d{1,9})""#);
    chat::first_time(ts, text, |t| time::parse_epoch(t, Some(EpochUnit::Seconds)))?;
    if chat::regex(&TYPE, r#""type"\s*:\s*"message""#).is_match(text) {
        return Some(95);
    }
    let texts = chat::regex(&TEXT, r#""text"\s*:"#).is_match(text);
    let author = chat::regex(&AUTHOR, r#""(user|bot_id)"\s*:\s*""#).is_match(text);
    (texts && author).then_some(80)
}

/// One Slack user as `users.json` lists them; every field optional and
/// loosely typed so one odd entry does not cost the others their names.
#[derive(Deserialize)]
struct UserEntry {
    id: Option<Value>,
    name: Option<Value>,
    real_name: Option<Value>,
    is_bot: Option<Value>,
    profile: Option<Value>,
    tz: Option<Value>,
}

/// The users a companion lists: an export's array, a `users.list`
/// response's `members`, or a `users.info` response's one `user`.
fn user_entries(bytes: &[u8]) -> Vec<UserEntry> {
    let Ok(value) = serde_json::from_slice::<Value>(strip_bom(bytes)) else {
        return Vec::new();
    };
    let list = match value {
        Value::Array(list) => list,
        Value::Object(mut response) => {
            match (response.remove("members"), response.remove("user")) {
                (Some(Value::Array(members)), _) => members,
                (_, Some(user)) => vec![user],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|u| serde_json::from_value(u).ok())
        .collect()
}

#[derive(Deserialize)]
struct ChannelEntry {
    id: Option<Value>,
    name: Option<Value>,
}

#[derive(Debug, Clone, Default)]
struct User {
    person: Person,
    is_bot: bool,
}

/// People and channels known from the companions and the messages' own
/// `user_profile`s.
#[derive(Debug, Default)]
struct Directory {
    users: HashMap<String, User>,
    channels: HashMap<String, String>,
}

fn string(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The names a Slack profile object gives (`users.json` entries' `profile`,
/// messages' `user_profile`).
fn profile_person(profile: &Value) -> Person {
    Person {
        user_id: None,
        username: string(profile.get("name")),
        display_name: string(profile.get("display_name")),
        real_name: string(profile.get("real_name")),
        email: string(profile.get("email")),
        // The zone is the user's, beside the profile, not in it.
        zone: None,
    }
}

impl Directory {
    fn new(context: &Context<'_>, elements: &[Element]) -> Directory {
        let mut dir = Directory::default();
        for u in USER_LISTS
            .iter()
            .filter_map(|name| context.companion(name))
            .flat_map(user_entries)
        {
            let Some(id) = json::string_or_number(u.id.as_ref()) else {
                continue;
            };
            // The first list that names someone wins.
            if dir.users.contains_key(&id) {
                continue;
            }
            let profile = u.profile.as_ref().map(profile_person).unwrap_or_default();
            let mut person = Person {
                user_id: Some(id.clone()),
                username: string(u.name.as_ref()),
                display_name: profile.display_name.clone(),
                real_name: string(u.real_name.as_ref()),
                email: profile.email.clone(),
                zone: string(u.tz.as_ref()),
            };
            person.fill_from(&profile);
            let is_bot = u.is_bot.as_ref().and_then(Value::as_bool).unwrap_or(false);
            dir.users.insert(id, User { person, is_bot });
        }
        if let Some(logs) = context
            .companion("integration_logs.json")
            .and_then(|b| serde_json::from_slice::<Value>(strip_bom(b)).ok())
        {
            for entry in logs
                .get("logs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(id), Some(name)) = (
                    json::text(entry, &["user_id"]),
                    json::text(entry, &["user_name"]),
                ) else {
                    continue;
                };
                let known = Person {
                    user_id: Some(id.to_string()),
                    username: Some(name.to_string()),
                    ..Person::default()
                };
                dir.users
                    .entry(id.to_string())
                    .or_default()
                    .person
                    .fill_from(&known);
            }
        }
        // Group messages have names (`mpdm-a--b-1`); direct messages only
        // members, which name them.
        if let Some(dms) = context
            .companion("dms.json")
            .and_then(|b| serde_json::from_slice::<Vec<Value>>(strip_bom(b)).ok())
        {
            for dm in dms {
                let (Some(id), Some(members)) = (json::text(&dm, &["id"]), dm.get("members"))
                else {
                    continue;
                };
                let names: Vec<String> = members
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|m| dir.name_of(m).unwrap_or_else(|| m.to_string()))
                    .collect();
                dir.channels.insert(
                    id.to_string(),
                    format!("direct messages of {}", names.join(", ")),
                );
            }
        }
        for name in ["channels.json", "groups.json", "mpims.json"] {
            if let Some(channels) = context
                .companion(name)
                .and_then(|b| serde_json::from_slice::<Vec<ChannelEntry>>(strip_bom(b)).ok())
            {
                for c in channels {
                    if let (Some(id), Some(name)) = (
                        json::string_or_number(c.id.as_ref()),
                        string(c.name.as_ref()),
                    ) {
                        dir.channels.insert(id, name);
                    }
                }
            }
        }
        // Exports embed the author's profile in each message: it names people
        // when users.json is missing, and fills what it lacks.
        for element in elements {
            let v = &element.value;
            let (Some(id), Some(profile)) = (json::text(v, &["user"]), v.get("user_profile"))
            else {
                continue;
            };
            let embedded = Person {
                user_id: Some(id.to_string()),
                ..profile_person(profile)
            };
            dir.users
                .entry(id.to_string())
                .or_default()
                .person
                .fill_from(&embedded);
        }
        dir
    }

    fn person(&self, id: &str) -> Person {
        let mut person = self
            .users
            .get(id)
            .map(|u| u.person.clone())
            .unwrap_or_default();
        if person.user_id.is_none() {
            person.user_id = Some(id.to_string());
        }
        person
    }

    fn name_of(&self, id: &str) -> Option<String> {
        let person = self.users.get(id)?.person.clone();
        // The id alone is no name.
        person.real_name.or(person.display_name).or(person.username)
    }

    /// The people (not bots) a message's `<@U123>` mentions name, known
    /// from `users.json`: blameless text needs them even if they never
    /// write.
    fn mentioned_people(&self, text: &str) -> Option<String> {
        let mut names: Vec<String> = Vec::new();
        for rest in text.split("<@").skip(1) {
            let id = rest.split(['>', '|']).next().unwrap_or("");
            let person = self.users.get(id).filter(|u| !u.is_bot);
            if let Some(name) = person.and_then(|_| self.name_of(id)) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        (!names.is_empty()).then(|| names.join(", "))
    }

    /// Plain text of Slack's message markup: `<@U123>` → `@Name`,
    /// `<#C123|name>` → `#name`, `<!here>` → `@here`, `<url|label>` →
    /// `label (url)`, and `&lt; &gt; &amp;` unescaped.
    fn render(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            out.push_str(&chat::decode_entities(&rest[..open]));
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else {
                out.push_str(&chat::decode_entities(&rest[open..]));
                rest = "";
                break;
            };
            out.push_str(&self.token(&after[..close]));
            rest = &after[close + 1..];
        }
        out.push_str(&chat::decode_entities(rest));
        out
    }

    fn token(&self, token: &str) -> String {
        let (target, label) = match token.split_once('|') {
            Some((t, l)) => (
                t,
                Some(chat::decode_entities(l.trim())).filter(|l| !l.is_empty()),
            ),
            None => (token, None),
        };
        if let Some(id) = target.strip_prefix('@') {
            let name = self
                .name_of(id)
                .or_else(|| label.map(|l| l.trim_start_matches('@').to_string()))
                .unwrap_or_else(|| id.to_string());
            return format!("@{name}");
        }
        if let Some(id) = target.strip_prefix('#') {
            let name = label
                .or_else(|| self.channels.get(id).cloned())
                .unwrap_or_else(|| id.to_string());
            return format!("#{name}");
        }
        if let Some(special) = target.strip_prefix('!') {
            if let Some(label) = label {
                return label;
            }
            let word = special.split('^').next().unwrap_or(special);
            return format!("@{word}");
        }
        let url = chat::decode_entities(target);
        match label {
            Some(label) if label != url => {
                if url.starts_with("mailto:") {
                    label
                } else {
                    format!("{label} ({url})")
                }
            }
            _ => url.strip_prefix("mailto:").unwrap_or(&url).to_string(),
        }
    }

    /// Text of Block Kit blocks, for messages whose `text` is empty.
    fn blocks(&self, blocks: &[Value], out: &mut Vec<String>) {
        for block in blocks {
            let mut line = String::new();
            self.block_text(block, &mut line);
            let line = line.trim();
            if !line.is_empty() {
                out.push(line.to_string());
            }
        }
    }

    fn block_text(&self, node: &Value, out: &mut String) {
        match node {
            Value::Array(items) => items.iter().for_each(|i| self.block_text(i, out)),
            Value::Object(map) => {
                let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
                match kind {
                    "mrkdwn" | "plain_text" => {
                        if let Some(t) = map.get("text").and_then(Value::as_str) {
                            push_word(out, &self.render(t));
                        }
                    }
                    "text" => {
                        if let Some(t) = map.get("text").and_then(Value::as_str) {
                            out.push_str(t);
                        }
                    }
                    "link" => {
                        let url = map.get("url").and_then(Value::as_str).unwrap_or("");
                        match map.get("text").and_then(Value::as_str) {
                            Some(t) if !t.is_empty() && t != url => {
                                out.push_str(&format!("{t} ({url})"))
                            }
                            _ => out.push_str(url),
                        }
                    }
                    "user" => {
                        let id = map.get("user_id").and_then(Value::as_str).unwrap_or("");
                        let name = self.name_of(id).unwrap_or_else(|| id.to_string());
                        out.push_str(&format!("@{name}"));
                    }
                    "channel" => {
                        let id = map.get("channel_id").and_then(Value::as_str).unwrap_or("");
                        let name = self.channels.get(id).map_or(id, String::as_str);
                        out.push_str(&format!("#{name}"));
                    }
                    "broadcast" => {
                        let range = map.get("range").and_then(Value::as_str).unwrap_or("here");
                        out.push_str(&format!("@{range}"));
                    }
                    "emoji" => {
                        let name = map.get("name").and_then(Value::as_str).unwrap_or("");
                        out.push_str(&format!(":{name}:"));
                    }
                    "image" | "divider" | "actions" | "file" => {}
                    _ => {
                        for key in ["text", "fields", "elements"] {
                            if let Some(child) = map.get(key) {
                                self.block_text(child, out);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn push_word(out: &mut String, text: &str) {
    if !out.is_empty() && !out.ends_with(char::is_whitespace) {
        out.push(' ');
    }
    out.push_str(text);
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

fn emit(
    input: &[u8],
    elements: &[Element],
    context: &Context<'_>,
    folder: Option<String>,
    sink: &mut dyn RecordSink,
) {
    let dir = Directory::new(context, elements);
    for element in elements {
        match message(input, element, &dir, folder.as_deref()) {
            Ok(record) => sink.record(record),
            Err(reason) => sink.problem(json::problem_at(element, reason)),
        }
    }
}

/// A `ts`-style time: epoch seconds as decimal text (a number in some
/// third-party dumps; its shortest decimal form is what was written).
fn slack_time(value: Option<&Value>) -> Option<Timestamp> {
    let text = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    time::parse_epoch(&text, Some(EpochUnit::Seconds))
}

fn message(
    input: &[u8],
    element: &Element,
    dir: &Directory,
    folder: Option<&str>,
) -> Result<Record, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a Slack message object".to_string());
    }
    let time = match v.get("ts") {
        None => return Err("Slack message without a ts".to_string()),
        Some(ts) => slack_time(Some(ts)).ok_or_else(|| format!("unreadable Slack ts {ts}"))?,
    };
    let subtype = json::text(v, &["subtype"]);
    // An edit or deletion event carries the message it changed.
    let body = match (subtype, v.get("message")) {
        (Some("message_changed"), Some(inner)) if inner.is_object() => inner,
        _ => v,
    };
    let user_id = json::text(body, &["user"])
        .or_else(|| v.get("comment").and_then(|c| json::text(c, &["user"])));
    let bot_id = json::text(body, &["bot_id"]);
    let bot_name = json::text(body, &["username"])
        .or_else(|| {
            body.get("bot_profile")
                .and_then(|p| json::text(p, &["name"]))
        })
        .map(str::to_string);
    let user_is_bot = user_id
        .and_then(|id| dir.users.get(id))
        .is_some_and(|u| u.is_bot);
    let is_bot = subtype == Some("bot_message") || bot_id.is_some() || user_is_bot;
    let system =
        subtype.is_some_and(|s| CHATTER_SUBTYPES.contains(&s)) || chat::is_true(v, "hidden");

    let mut identifiers = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let text = body
        .get("text")
        .and_then(Value::as_str)
        .map(|t| dir.render(t).trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(text) = &text {
        parts.push(text.clone());
    }
    if text.is_none() {
        if let Some(blocks) = body.get("blocks").and_then(Value::as_array) {
            dir.blocks(blocks, &mut parts);
        }
    }
    if let Some(attachments) = body.get("attachments").and_then(Value::as_array) {
        let render = |t: &str| dir.render(t);
        for part in chat::attachments_text(attachments, &render, &mut identifiers) {
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    if let Some(files) = body.get("files").and_then(Value::as_array) {
        for file in files {
            if let Some(name) = json::text(file, &["title"]).or_else(|| json::text(file, &["name"]))
            {
                parts.push(format!("[file: {name}]"));
            }
        }
    }
    let message_text = parts.join("\n");
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    if is_bot {
        record.actor = bot_name
            .clone()
            .or_else(|| user_id.and_then(|id| dir.name_of(id)))
            .or_else(|| bot_id.map(str::to_string));
    }
    let channel = folder
        .map(str::to_string)
        .or_else(|| json::text(v, &["channel_name"]).map(str::to_string))
        .or_else(|| {
            json::text(v, &["channel"])
                .map(|c| dir.channels.get(c).cloned().unwrap_or(c.to_string()))
        });
    record.service.clone_from(&channel);
    record.human = Some(!is_bot && !system);
    record.chatter = system || chat::says_nothing(&record.message);
    record.identifiers = identifiers;

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(channel) = channel {
        attrs.push(("channel", channel));
    }
    if let Some(subtype) = subtype {
        attrs.push(("subtype", subtype.to_string()));
    }
    let ts_text = record.time.text.clone();
    if let Some(thread_ts) = json::text(body, &["thread_ts"]) {
        if thread_ts != ts_text {
            attrs.push(("thread_ts", thread_ts.to_string()));
        } else if let Some(n) = body.get("reply_count").and_then(Value::as_u64) {
            attrs.push(("reply_count", n.to_string()));
        }
    }
    if let Some(parent) = json::text(body, &["parent_user_id"]) {
        attrs.push(("parent_user_id", parent.to_string()));
    }
    if let Some(edited) = body.get("edited") {
        if let Some(at) = slack_time(edited.get("ts")) {
            attrs.push(("edited_at", chat::attribute_time(&at)));
        }
        if let Some(by) = json::text(edited, &["user"]) {
            attrs.push(("edited_by", by.to_string()));
        }
    }
    if subtype == Some("message_changed") {
        attrs.push(("edited_at", chat::attribute_time(&record.time)));
        if let Some(original) = json::text(body, &["ts"]) {
            attrs.push(("original_ts", original.to_string()));
        }
    }
    if subtype == Some("tombstone")
        || subtype == Some("message_deleted")
        || chat::is_true(v, "hidden")
    {
        attrs.push(("deleted", "true".to_string()));
    }
    if let Some(deleted_ts) = json::text(v, &["deleted_ts"]) {
        attrs.push(("deleted_ts", deleted_ts.to_string()));
    }
    if let Some(list) = body.get("reactions").and_then(Value::as_array) {
        let items = list.iter().filter_map(|r| {
            let name = json::text(r, &["name"])?.to_string();
            let count = r
                .get("count")
                .and_then(Value::as_u64)
                .or_else(|| {
                    r.get("users")
                        .and_then(Value::as_array)
                        .map(|u| u.len() as u64)
                })
                .unwrap_or(1);
            Some((name, count))
        });
        if let Some(reactions) = chat::reactions(items) {
            attrs.push(("reactions", reactions));
        }
    }
    if body
        .get("pinned_to")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty())
        || chat::is_true(body, "is_pinned")
    {
        attrs.push(("pinned", "true".to_string()));
    }
    if let Some(bot_id) = bot_id {
        attrs.push(("bot_id", bot_id.to_string()));
    }
    if let Some(people) = body
        .get("text")
        .and_then(Value::as_str)
        .and_then(|t| dir.mentioned_people(t))
    {
        attrs.push(("mentioned_people", people));
    }
    if is_bot {
        if let Some(name) = &bot_name {
            attrs.push(("bot_name", name.clone()));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    if let Some(id) = user_id {
        dir.person(id).apply(&mut record);
    }
    if record.actor.is_none() {
        // Integrations that post without a user still name themselves.
        record.actor = bot_name;
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, attr, never_panics, problem_reasons, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const OWN_USERS: &[u8] = include_bytes!("../../../fixtures/slack-export/own/users.json");
    const OWN_CHANNELS: &[u8] = include_bytes!("../../../fixtures/slack-export/own/channels.json");
    const OWN_DAY1: &[u8] =
        include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json");
    const OWN_DAY2: &[u8] =
        include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-21.json");
    const ZULIP_DAY: &[u8] = include_bytes!(
        "../../../fixtures/slack-export/zulip_fixture_export/random/2017-06-25.json"
    );
    const ZULIP_THREAD: &[u8] = include_bytes!(
        "../../../fixtures/slack-export/zulip_fixture_export/threads_normal_thread.json"
    );
    const ZULIP_CHANNELS: &[u8] =
        include_bytes!("../../../fixtures/slack-export/zulip_fixture_export/channels.json");

    fn companions() -> Vec<(String, Vec<u8>)> {
        vec![
            ("users.json".to_string(), OWN_USERS.to_vec()),
            ("channels.json".to_string(), OWN_CHANNELS.to_vec()),
        ]
    }

    fn parse_with(input: &[u8], path: &str, companions: &[(String, Vec<u8>)]) -> Collected {
        let mut out = Collected::default();
        let context = Context { path, companions };
        SlackExport.parse_in(input, &context, &mut out);
        out
    }

    #[test]
    fn own_export_day_one_with_companions() {
        let out = parse_with(OWN_DAY1, "incident-4412/2026-11-20.json", &companions());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 6);

        let join = &out.records[0];
        assert_eq!(utc(join), "2026-11-20T21:58:03.000200Z");
        assert!(join.chatter);
        assert_eq!(join.human, Some(false));
        assert_eq!(join.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(join.message, "@Dana Whitfield has joined the channel");
        assert_eq!(attr(join, "subtype"), Some("channel_join"));

        let bot = &out.records[1];
        assert_eq!(utc(bot), "2026-11-20T22:02:11.004900Z");
        assert_eq!(bot.time.precision, Precision::Micro);
        assert_eq!(bot.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(bot.human, Some(false));
        assert!(!bot.chatter);
        assert_eq!(
            bot.message,
            "Triggered #4412: Checkout error rate above 5% (https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W)\nService: checkout-api; Urgency: high; Assigned: @Dana Whitfield"
        );
        assert!(bot.identifiers.contains(&"#4412".to_string()));
        assert!(bot
            .identifiers
            .contains(&"https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W".to_string()));
        assert_eq!(attr(bot, "bot_id"), Some("B07PD4412"));
        assert_eq!(attr(bot, "bot_name"), Some("PagerDuty"));
        assert_eq!(bot.service.as_deref(), Some("incident-4412"));
        assert_eq!(bot.system.as_deref(), Some("Slack"));
        assert_eq!(bot.line, Some(10));
        assert_eq!(bot.line_end, Some(30));
        assert_eq!(bot.locator.as_deref(), Some("$[1]"));

        let ack = &out.records[2];
        assert_eq!(utc(ack), "2026-11-20T22:04:30.118300Z");
        assert_eq!(
            ack.message,
            "ack, looking. @Sam Okafor can you check #deploys? runbook: Checkout runbook (https://wiki.acme.test/runbooks/checkout?x=1&y=2) & OPS-1842"
        );
        assert_eq!(ack.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "mentioned_people"), Some("Sam Okafor"));
        assert_eq!(ack.human, Some(true));
        assert_eq!(attr(ack, "user_id"), Some("U0DANA"));
        assert_eq!(attr(ack, "username"), Some("dana"));
        assert_eq!(attr(ack, "display_name"), Some("dana.w"));
        assert_eq!(attr(ack, "real_name"), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "email"), Some("dana@acme.test"));
        assert_eq!(attr(ack, "reactions"), Some("eyes:2,+1:1"));
        assert!(ack.identifiers.contains(&"OPS-1842".to_string()));
        assert!(ack
            .identifiers
            .contains(&"https://wiki.acme.test/runbooks/checkout?x=1&y=2".to_string()));

        let blocks = &out.records[3];
        assert_eq!(utc(blocks), "2026-11-20T22:10:44.000000Z");
        assert_eq!(blocks.actor.as_deref(), Some("Deploy Bot"));
        assert_eq!(blocks.human, Some(false));
        assert_eq!(
            blocks.message,
            "Rollback started: checkout-api v2.31.0 → v2.30.4 by @Sam Okafor"
        );

        let edited = &out.records[4];
        // An edit keeps the posting time; the edit time is an attribute.
        assert_eq!(utc(edited), "2026-11-20T23:41:07.550001Z");
        assert_eq!(
            edited.message,
            "Mitigated: rollback done in #deploys, error rate back under 1%"
        );
        assert_eq!(
            attr(edited, "edited_at"),
            Some("2026-11-20T23:43:00.000000Z")
        );
        assert_eq!(attr(edited, "edited_by"), Some("U0DANA"));
        assert_eq!(attr(edited, "pinned"), Some("true"));
        assert_eq!(attr(edited, "reply_count"), Some("1"));
        assert_eq!(attr(edited, "thread_ts"), None);

        let tomb = &out.records[5];
        assert_eq!(attr(tomb, "deleted"), Some("true"));
        assert!(tomb.chatter);
    }

    #[test]
    fn thread_reply_in_next_day_file() {
        let out = parse_with(OWN_DAY2, "incident-4412/2026-11-21.json", &companions());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let reply = &out.records[0];
        assert_eq!(utc(reply), "2026-11-21T00:05:12.000100Z");
        assert_eq!(attr(reply, "thread_ts"), Some("1795218067.550001"));
        assert_eq!(attr(reply, "parent_user_id"), Some("U0DANA"));
        assert_eq!(reply.actor.as_deref(), Some("Sam Okafor"));
        let topic = &out.records[1];
        assert!(topic.chatter);
        assert_eq!(
            topic.message,
            "set the channel topic: SEV1 checkout errors #4412"
        );
    }

    #[test]
    fn web_api_history_names_people_from_users_list() {
        let history: &[u8] =
            include_bytes!("../../../fixtures/slack-api/conversations_history.json");
        let list = include_bytes!("../../../fixtures/slack-api/users_list.json").to_vec();
        let companions = [("users_list.json".to_string(), list)];
        let mut out = Collected::default();
        let context = Context {
            path: "conversations_history.json",
            companions: &companions,
        };
        SlackApi.parse_in(history, &context, &mut out);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records[0].actor.as_deref(), Some("Sam Okafor"));
        assert_eq!(out.records[1].actor.as_deref(), Some("Dana Whitfield"));
        assert!(out.records[1]
            .message
            .starts_with("@Sam Okafor checkout errors"));
    }

    #[test]
    fn export_names_dms_and_group_messages_from_their_companions() {
        let users = br#"[{"id": "U1", "name": "ana", "real_name": "Ana Lima"}]"#.to_vec();
        let dms = br#"[{"id": "D1", "created": 1700000000, "members": ["U1", "U2"]}]"#.to_vec();
        let mpims = br#"[{"id": "G1", "name": "mpdm-ana--bo-1", "members": ["U1"]}]"#.to_vec();
        let logs = br#"{"logs": [{"user_id": "U2", "user_name": "bo", "date": "1700000000",
            "change_type": "added", "service_type": "GitHub"}]}"#
            .to_vec();
        let companions = [
            ("users.json".to_string(), users),
            ("dms.json".to_string(), dms),
            ("mpims.json".to_string(), mpims),
            ("integration_logs.json".to_string(), logs),
        ];
        let day = br#"[{"type": "message", "user": "U2", "ts": "1700000100.000100",
            "text": "see <#D1> and <#G1>"}]"#;
        let out = parse_with(day, "D1/2023-11-14.json", &companions);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        // integration_logs.json named U2.
        assert_eq!(r.actor.as_deref(), Some("bo"));
        assert_eq!(
            r.message,
            "see #direct messages of Ana Lima, bo and #mpdm-ana--bo-1"
        );
    }

    #[test]
    fn mentions_without_users_json_use_embedded_profiles_or_ids() {
        let out = parse_with(OWN_DAY1, "incident-4412/2026-11-20.json", &[]);
        assert!(out.problems.is_empty());
        let ack = &out.records[2];
        // Sam posted nothing in this file, so only the id is known.
        assert!(ack
            .message
            .starts_with("ack, looking. @U0SAM can you check #deploys?"));
        // Dana's embedded user_profile still names her.
        assert_eq!(ack.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "email"), None);
        // No folder: the channel is unknown.
        let out = parse_with(OWN_DAY1, "", &[]);
        assert_eq!(out.records[2].service, None);
    }

    #[test]
    fn zulip_fixtures_channel_join_and_out_of_order_thread() {
        let context_companions = vec![("channels.json".to_string(), ZULIP_CHANNELS.to_vec())];
        let out = parse_with(ZULIP_DAY, "random/2017-06-25.json", &context_companions);
        assert_eq!(out.records.len(), 2);
        assert_eq!(utc(&out.records[0]), "2017-06-25T14:30:43.277604Z");
        assert!(out.records[0].chatter);
        assert_eq!(out.records[0].message, "@U6006P1CN has joined the channel");
        assert_eq!(utc(&out.records[1]), "2017-06-25T14:31:11.279035Z");
        assert_eq!(out.records[1].message, "edfadfa");
        assert_eq!(out.records[1].service.as_deref(), Some("random"));

        let out = parse_with(ZULIP_THREAD, "threads_normal_thread.json", &[]);
        assert_eq!(out.records.len(), 4);
        let reply = &out.records[3];
        // Stamped before its parent: recorded as written, joined by thread_ts.
        assert_eq!(utc(reply), "2015-12-11T21:11:34.000007Z");
        assert_eq!(attr(reply, "thread_ts"), Some("1539868294.000007"));
        assert_eq!(reply.service.as_deref(), Some("random"));
        assert_eq!(attr(&out.records[0], "thread_ts"), None);
    }

    #[test]
    fn api_response_uses_the_same_message_logic() {
        let input = br#"{"ok": true, "messages": [
  {"type": "message", "user": "U0SAM", "text": "<@U0DANA|dana> rolled back <!here>", "ts": "1795212731.000400"},
  {"type": "message", "subtype": "bot_message", "bot_id": "B1", "username": "Datadog", "text": "", "attachments": [{"fallback": "[Recovered] checkout error rate"}], "ts": "1795213200.123456"},
  {"type": "message", "text": "no time"}
], "has_more": false}"#;
        assert_eq!(SlackApi.sniff(input), Some(95));
        assert_eq!(SlackExport.sniff(input), None);
        let mut out = Collected::default();
        SlackApi.parse(input, &mut out);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].message, "@dana rolled back @here");
        assert_eq!(utc(&out.records[0]), "2026-11-20T22:12:11.000400Z");
        assert_eq!(out.records[1].message, "[Recovered] checkout error rate");
        assert_eq!(out.records[1].actor.as_deref(), Some("Datadog"));
        assert_eq!(utc(&out.records[1]), "2026-11-20T22:20:00.123456Z");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.messages[2]"));

        let mut out = Collected::default();
        let first_page = br#"{"ok": true, "messages": [
  {"type": "message", "user": "U0SAM", "text": "failover done", "ts": "1795212731.000400"}
], "has_more": true, "response_metadata": {"next_cursor": "bmV4dF90czoxNzk1MjEy"}}"#;
        SlackApi.parse(first_page, &mut out);
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2026-11-20T22:12:11.000400Z");
        assert_eq!(out.records[0].message, "failover done");
        assert_eq!(out.records[0].actor.as_deref(), Some("U0SAM"));
        assert_eq!(
            problem_reasons(&out),
            [(
                Some("$"),
                "more messages not in this export: the response has has_more: true — fetch every page"
            )]
        );

        let mut out = Collected::default();
        SlackApi.parse(br#"{"ok": false, "error": "not_in_channel"}"#, &mut out);
        assert!(out.problems[0].reason.contains("not_in_channel"));
    }

    #[test]
    fn bad_messages_become_problems() {
        let input = br#"[{"type":"message","text":"x","ts":"soon"}, 7, {"type":"message","text":"ok","ts":"1700000000.000001"}]"#;
        let out = parse_with(input, "c/2023-11-14.json", &[]);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[1].locator.as_deref(), Some("$[1]"));
        let out = parse_with(b"[{\"ts\": ", "c/x.json", &[]);
        assert_eq!(out.problems.len(), 1);
        let out = parse_with(b"{\"a\": 1}", "c/x.json", &[]);
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_slack_and_rejects_others() {
        for own in [OWN_DAY1, OWN_DAY2, ZULIP_DAY, ZULIP_THREAD] {
            assert!(SlackExport.sniff(own).is_some());
            assert_eq!(SlackApi.sniff(own), None);
        }
        // A head cut mid-document still sniffs.
        assert!(SlackExport.sniff(&OWN_DAY1[..OWN_DAY1.len() / 2]).is_some());
        let others: &[&[u8]] = &[
            OWN_USERS,
            OWN_CHANNELS,
            ZULIP_CHANNELS,
            b"{\"level\":\"info\",\"ts\":\"1700000000.5\",\"msg\":\"x\",\"user\":\"u\",\"text\":\"y\"}\n".as_slice(),
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
            br#"{"messages": [{"_id": "a", "rid": "r", "msg": "hi", "ts": "2020-05-02T07:30:42.993Z", "u": {"username": "x"}}]}"#,
            br#"{"guild": {"id": "1"}, "channel": {"name": "general"}, "messages": [{"id": "1", "type": "Default", "timestamp": "2021-01-01T10:00:00+01:00", "author": {"name": "a"}, "content": "x"}]}"#,
            b"[]",
        ];
        assert_rejects(&SlackExport, others);
        assert_rejects(&SlackApi, others);
    }

    #[test]
    fn a_members_list_is_named_not_unrecognized() {
        let members = br#"{"ok": true, "members": ["U96S1SN64", "W97MEF6M8"], "response_metadata": {"next_cursor": ""}}"#;
        assert_eq!(SlackApi.sniff(members), None);
        assert!(SlackApi.untimed(members).is_some());
        assert_eq!(SlackApi.untimed(br#"{"members": [{"id": 1}]}"#), None);
    }

    never_panics!(SlackExport, SlackApi);

    proptest! {
        #[test]
        fn arbitrary_markup_never_panics(text in "[<>|@#!&;a-zU0-9 é:/.^-]{0,60}") {
            let dir = Directory::default();
            let _ = dir.render(&text);
            let input = serde_json::json!([{"type": "message", "text": text, "ts": "1700000000.000001"}]);
            let mut out = Collected::default();
            SlackExport.parse(input.to_string().as_bytes(), &mut out);
            prop_assert_eq!(out.records.len(), 1);
        }
    }
}
