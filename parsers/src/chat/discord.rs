//! Discord channel exports written by DiscordChatExporter (JSON format):
//! `{"guild", "channel", "dateRange", "exportedAt", "messages": [{"id",
//! "type", "timestamp", "timestampEdited", "author", "content", "mentions",
//! "attachments", "embeds", "reactions", ...}]}`.
//!
//! Timestamps carry the exporting machine's offset
//! (`2026-06-24T19:04:23.18+07:00`) with as many fraction digits as the
//! instant needs. Messages of a type other than `Default` or `Reply` (member
//! joins, pins, thread creation, calls) are written by Discord: chatter.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::chat::{self, Person};
use crate::input::json::{self, Element};
use crate::record::{Record, RecordSink};
use crate::Parser;

/// DiscordChatExporter JSON exports.
pub struct DiscordExport;

const SYSTEM: &str = "Discord";

impl Parser for DiscordExport {
    fn id(&self) -> &str {
        "discord-export"
    }

    fn description(&self) -> &str {
        "Discord channel exports from DiscordChatExporter (JSON)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        static GUILD: OnceLock<Regex> = OnceLock::new();
        static MESSAGES: OnceLock<Regex> = OnceLock::new();
        static AUTHOR: OnceLock<Regex> = OnceLock::new();
        static TIMESTAMP: OnceLock<Regex> = OnceLock::new();
        if json::first_byte(head)? != b'{' {
            return None;
        }
        let text = chat::head_text(head);
        if !chat::regex(&GUILD, r#""guild"\s*:\s*\{"#).is_match(&text)
            || !chat::regex(&MESSAGES, r#""messages"\s*:\s*\["#).is_match(&text)
            || !chat::regex(&AUTHOR, r#""author"\s*:\s*\{"#).is_match(&text)
        {
            return None;
        }
        let timestamp = chat::regex(&TIMESTAMP, r#""timestamp"\s*:\s*"([^"]{10,40})""#);
        chat::first_time(timestamp, &text, chat::iso)?;
        Some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let Some((top, elements)) =
            chat::records_array(input, "messages", None, "DiscordChatExporter export", sink)
        else {
            return;
        };
        let place = Place::of(&top);
        for element in &elements {
            match message(input, element, &place) {
                Ok(record) => sink.record(record),
                Err(reason) => sink.problem(json::problem_at(element, reason)),
            }
        }
    }
}

/// The guild and channel the export is of.
struct Place {
    channel: Option<String>,
    channel_id: Option<String>,
    category: Option<String>,
    guild: Option<String>,
}

impl Place {
    fn of(top: &Value) -> Place {
        let channel = top.get("channel").cloned().unwrap_or(Value::Null);
        Place {
            channel: json::text(&channel, &["name"]).map(str::to_string),
            channel_id: json::string_or_number(channel.get("id")),
            category: json::text(&channel, &["category"]).map(str::to_string),
            guild: top
                .get("guild")
                .and_then(|g| json::text(g, &["name"]))
                .map(str::to_string),
        }
    }
}

fn message(input: &[u8], element: &Element, place: &Place) -> Result<Record, String> {
    let v = &element.value;
    if !v.is_object() {
        return Err("not a Discord message object".to_string());
    }
    let stamp = json::text(v, &["timestamp"]).ok_or("Discord message without a timestamp")?;
    let time = chat::iso(stamp).ok_or_else(|| format!("unreadable timestamp {stamp:?}"))?;
    let kind = json::text(v, &["type"]).unwrap_or("Default");
    let system = !matches!(kind, "Default" | "Reply");
    let author = v.get("author").cloned().unwrap_or(Value::Null);
    let is_bot = author
        .get("isBot")
        .and_then(Value::as_bool)
        .unwrap_or(false);

    let mut identifiers = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let content = json::text(v, &["content"]).unwrap_or("");
    if !content.is_empty() {
        parts.push(content.to_string());
    }
    if let Some(embeds) = v.get("embeds").and_then(Value::as_array) {
        for embed in embeds {
            let url = json::text(embed, &["url"]);
            if let Some(url) = url {
                crate::input::identifiers::push(&mut identifiers, url);
            }
            // A link preview repeats a URL already in the message.
            if url.is_some_and(|u| content.contains(u)) {
                continue;
            }
            let mut own: Vec<String> = Vec::new();
            if let Some(author) = embed.get("author").and_then(|a| json::text(a, &["name"])) {
                own.push(author.to_string());
            }
            if let Some(title) = json::text(embed, &["title"]) {
                own.push(match url {
                    Some(u) => format!("{title} ({u})"),
                    None => title.to_string(),
                });
            }
            if let Some(d) = json::text(embed, &["description"]) {
                own.push(d.to_string());
            }
            if let Some(fields) = embed.get("fields").and_then(Value::as_array) {
                let fields: Vec<String> = fields
                    .iter()
                    .filter_map(
                        |f| match (json::text(f, &["name"]), json::text(f, &["value"])) {
                            (Some(n), Some(v)) => Some(format!("{n}: {v}")),
                            (None, Some(v)) => Some(v.to_string()),
                            (Some(n), None) => Some(n.to_string()),
                            (None, None) => None,
                        },
                    )
                    .collect();
                if !fields.is_empty() {
                    own.push(fields.join("; "));
                }
            }
            if let Some(footer) = embed.get("footer").and_then(|f| json::text(f, &["text"])) {
                if !own.is_empty() {
                    own.push(footer.to_string());
                }
            }
            parts.extend(own);
        }
    }
    if let Some(attachments) = v.get("attachments").and_then(Value::as_array) {
        for a in attachments {
            if let Some(url) = json::text(a, &["url"]).filter(|u| u.starts_with("http")) {
                crate::input::identifiers::push(&mut identifiers, url);
            }
            if let Some(name) = json::text(a, &["fileName"]) {
                parts.push(format!("[attachment: {name}]"));
            }
        }
    }
    if let Some(stickers) = v.get("stickers").and_then(Value::as_array) {
        for s in stickers {
            if let Some(name) = json::text(s, &["name"]) {
                parts.push(format!("[sticker: {name}]"));
            }
        }
    }
    let message_text = parts.join("\n");
    crate::input::identifiers::mentioned(&message_text, &mut identifiers, true);

    let mut record = chat::element_record(input, element, time, message_text, SYSTEM);
    record.human = Some(!is_bot && !system);
    record.chatter = system || chat::says_nothing(&record.message);
    record.identifiers = identifiers;
    record.service.clone_from(&place.channel);

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(id) = json::string_or_number(v.get("id")) {
        attrs.push(("message_id", id));
    }
    if kind != "Default" {
        attrs.push(("type", kind.to_string()));
    }
    for (key, value) in [
        ("channel", &place.channel),
        ("channel_id", &place.channel_id),
        ("category", &place.category),
        ("guild", &place.guild),
    ] {
        if let Some(value) = value {
            attrs.push((key, value.clone()));
        }
    }
    if let Some(parent) = v
        .get("reference")
        .and_then(|r| json::string_or_number(r.get("messageId")))
    {
        attrs.push(("reply_to", parent));
    }
    if let Some(edited) = json::text(v, &["timestampEdited"]).and_then(chat::iso) {
        attrs.push(("edited_at", chat::attribute_time(&edited)));
    }
    if chat::is_true(v, "isPinned") {
        attrs.push(("pinned", "true".to_string()));
    }
    if let Some(list) = v.get("reactions").and_then(Value::as_array) {
        let items = list.iter().filter_map(|r| {
            let emoji = r.get("emoji")?;
            let name = json::text(emoji, &["code"]).or_else(|| json::text(emoji, &["name"]))?;
            Some((
                name.to_string(),
                r.get("count").and_then(Value::as_u64).unwrap_or(1),
            ))
        });
        if let Some(r) = chat::reactions(items) {
            attrs.push(("reactions", r));
        }
    }
    if let Some(mentions) = v.get("mentions").and_then(Value::as_array) {
        let names: Vec<&str> = mentions
            .iter()
            .filter_map(|m| json::text(m, &["nickname"]).or_else(|| json::text(m, &["name"])))
            .collect();
        if !names.is_empty() {
            attrs.push(("mentions", names.join(", ")));
        }
        let people: Vec<&str> = mentions
            .iter()
            .filter(|m| !chat::is_true(m, "isBot"))
            .filter_map(|m| json::text(m, &["nickname"]).or_else(|| json::text(m, &["name"])))
            .collect();
        if !people.is_empty() {
            attrs.push(("mentioned_people", people.join(", ")));
        }
    }
    let username = json::text(&author, &["name"]).map(str::to_string);
    let nickname = json::text(&author, &["nickname"]).map(str::to_string);
    if is_bot {
        if let Some(name) = nickname.as_ref().or(username.as_ref()) {
            attrs.push(("bot_name", name.clone()));
        }
    }
    record.attributes = attrs
        .into_iter()
        .map(|(k, v)| (k.to_string().into(), v))
        .collect();
    // The server nickname is the name people know each other by there.
    record.actor = nickname.clone().or_else(|| username.clone());
    Person {
        user_id: json::string_or_number(author.get("id")),
        username,
        display_name: nickname,
        ..Person::default()
    }
    .apply(&mut record);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};
    use crate::time::Precision;

    const DCE: &[u8] =
        include_bytes!("../../../fixtures/discord-export/dce_guild_text_general.json");
    const OWN: &[u8] = include_bytes!("../../../fixtures/discord-export/own_incident_channel.json");

    #[test]
    fn zulip_fixture_export() {
        let out = run(&DiscordExport, DCE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 12);
        let join = &out.records[0];
        // +07:00 and two fraction digits.
        assert_eq!(utc(join), "2026-06-24T12:04:23.180000Z");
        assert_eq!(join.time.precision, Precision::Milli);
        assert!(join.chatter);
        assert_eq!(join.human, Some(false));
        assert_eq!(attr(join, "type"), Some("GuildMemberJoin"));
        assert_eq!(join.actor.as_deref(), Some("test-zulip-import"));

        let bold = &out.records[1];
        assert_eq!(utc(bold), "2026-06-24T12:06:04.627000Z");
        assert_eq!(bold.message, "**Bold** *italic* __underline__");
        assert_eq!(bold.actor.as_deref(), Some("pieter"));
        assert_eq!(bold.human, Some(true));
        assert_eq!(bold.service.as_deref(), Some("general"));
        assert_eq!(attr(bold, "guild"), Some("zulip-discord server"));
        assert_eq!(attr(bold, "user_id"), Some("1000000000000000001"));

        assert_eq!(attr(&out.records[2], "mentions"), Some("pieter"));
        assert_eq!(attr(&out.records[2], "mentioned_people"), Some("pieter"));
        let gif = &out.records[5];
        // The link preview adds nothing to the text already naming the URL.
        assert_eq!(
            gif.message,
            "https://tenor.com/view/cat-no-nonono-noooo-cat-no-gif-13597132752790194338"
        );
        let edited = out
            .records
            .iter()
            .find(|r| r.message.starts_with("Image files"))
            .unwrap();
        assert_eq!(
            edited.message,
            "Image files\n[attachment: Screenshot_2026-03-18_222549.png]"
        );
        assert_eq!(
            attr(edited, "edited_at"),
            Some("2026-06-24T13:56:15.671000Z")
        );
        let reactions = out
            .records
            .iter()
            .find(|r| r.message == "Reactions")
            .unwrap();
        assert_eq!(
            attr(reactions, "reactions"),
            Some("100:1,laughing:2,sparkling_heart:1,pray:1,heart:1")
        );
    }

    #[test]
    fn own_export_bot_embed_reply_and_pin() {
        let out = run(&DiscordExport, OWN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 4);
        let alert = &out.records[0];
        assert_eq!(utc(alert), "2026-11-20T22:02:11.004900Z");
        assert_eq!(alert.actor.as_deref(), Some("PagerDuty"));
        assert_eq!(alert.human, Some(false));
        assert_eq!(
            alert.message,
            "Triggered #4412: Checkout error rate above 5% (https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W)\nService: checkout-api; Urgency: high"
        );
        assert!(alert.identifiers.contains(&"#4412".to_string()));
        let ack = &out.records[1];
        assert_eq!(utc(ack), "2026-11-20T22:04:30.118300Z");
        assert_eq!(ack.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(ack, "username"), Some("dana.w"));
        let reply = &out.records[2];
        assert_eq!(attr(reply, "reply_to"), Some("1441000000000000002"));
        assert_eq!(attr(reply, "type"), Some("Reply"));
        assert!(!reply.chatter);
        let pin = &out.records[3];
        assert!(pin.chatter);
        assert_eq!(attr(pin, "type"), Some("ChannelPinnedMessage"));
    }

    #[test]
    fn bad_messages_become_problems() {
        let out = run(&DiscordExport, br#"{"guild": {}, "channel": {"name": "c"}, "messages": [{"id": "1", "timestamp": "2026-01-01T10:00:00", "author": {"name": "a"}}, {"id": "2", "timestamp": "2026-01-01T10:00:00+01:00", "author": {"name": "a"}, "content": "ok"}, "x"]}"#);
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2026-01-01T09:00:00.000000Z");
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[1].locator.as_deref(), Some("$.messages[2]"));
        assert_eq!(run(&DiscordExport, b"{\"guild\":").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_discord_and_rejects_others() {
        assert_eq!(DiscordExport.sniff(DCE), Some(95));
        assert_eq!(DiscordExport.sniff(OWN), Some(95));
        assert!(DiscordExport.sniff(&DCE[..2000]).is_some());
        assert_rejects(
            &DiscordExport,
            &[
            include_bytes!("../../../fixtures/slack-export/own/incident-4412/2026-11-20.json")
                .as_slice(),
            include_bytes!("../../../fixtures/teams-graph/own_incident_channel.json"),
            b"{\"level\":\"info\",\"timestamp\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            br#"{"event": {"event_type": "incident.triggered", "occurred_at": "2021-06-04T13:35:29.781Z", "data": {"number": 4412}}}"#,
            ],
        );
    }

    never_panics!(DiscordExport);
}
