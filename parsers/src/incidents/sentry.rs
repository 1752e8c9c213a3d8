//! Sentry webhooks: integration-platform issue payloads (`{"action":
//! "created", "data": {"issue": {...}}}`) and event alerts (`{"action":
//! "triggered", "data": {"event": {...}, "triggered_rule": ...}}`).
//!
//! An exception Sentry saw is an impact signal, read like the log line of
//! an error: kind `log`, the event's level. An issue is dated at
//! `firstSeen` when created, else at `lastSeen`; an event at its
//! `datetime` (the epoch `timestamp` beside it says the same).

use serde_json::Value;

use crate::input::json::{
    self, problem_at, scalar_text, text, Document, Element, Head, IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::Parser;

use super::first_time;

/// Sentry issue and event-alert webhook payloads.
pub struct Sentry;

impl Parser for Sentry {
    fn id(&self) -> &str {
        "sentry"
    }

    fn description(&self) -> &str {
        "Sentry issue and event-alert webhook payloads: exceptions as impact signals"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let issue = h.has("issue") && h.has("shortId") && h.has("firstSeen");
        let event = h.has("event") && h.has("event_id") && h.has("datetime");
        if !(h.has("action") && h.has("data") && (issue || event)) {
            return None;
        }
        h.time(&["firstSeen", "datetime"], json::head_text_time)
            .map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, read_document);
    }
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(root) = input.element(doc.raw, doc.root.clone()) else {
        return;
    };
    let action = text(&root.value, &["action"]).unwrap_or("created");
    let Some(data) = input.field(&root, "data") else {
        sink.problem(problem_at(&root, "no data: not a Sentry webhook payload"));
        return;
    };
    if let Some(issue) = input.field(&data, "issue") {
        let keys: &[&str] = if action == "created" {
            &["firstSeen", "lastSeen"]
        } else {
            &["lastSeen", "firstSeen"]
        };
        read(input, &issue, action, keys, None, sink);
    } else if let Some(event) = input.field(&data, "event") {
        let rule = text(&data.value, &["triggered_rule"]);
        read(input, &event, action, &["datetime"], rule, sink);
    } else {
        sink.problem(problem_at(&data, "neither an issue nor an event"));
    }
}

fn read(
    input: &IndexedInput<'_>,
    el: &Element,
    action: &str,
    keys: &[&str],
    rule: Option<&str>,
    sink: &mut dyn RecordSink,
) {
    let v = &el.value;
    let time = match first_time(v, keys) {
        Ok(Some(t)) => t,
        Ok(None) => {
            sink.problem(problem_at(el, format!("no {}", keys[0])));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let title = text(v, &["title"]).unwrap_or("exception");
    let message = match text(v, &["culprit"]) {
        Some(culprit) => format!("{title} ({culprit})"),
        None => title.to_string(),
    };
    let mut record = input.record_at(el, Kind::Log, time, message);
    record.system = Some("Sentry".into());
    record.actor = Some("Sentry".to_string());
    record.human = Some(false);
    record.level = text(v, &["level"]).and_then(Level::from_word);
    record.service = text(v, &["project", "slug"])
        .map(str::to_string)
        .or_else(|| scalar_text(v, &["project"]));
    record.host = tag(v, "server_name").map(str::to_string);
    for key in ["shortId", "web_url", "permalink", "issue_url"] {
        if let Some(id) = text(v, &[key]) {
            add_identifier(&mut record, id);
        }
    }
    add_attribute(&mut record, "action", Some(action));
    add_attribute(
        &mut record,
        "issue_id",
        text(v, &["id"]).or(text(v, &["issue_id"])),
    );
    add_attribute(&mut record, "event_id", text(v, &["event_id"]));
    add_attribute(&mut record, "status", text(v, &["status"]));
    add_attribute(&mut record, "count", scalar_text(v, &["count"]));
    add_attribute(&mut record, "first_seen", text(v, &["firstSeen"]));
    add_attribute(&mut record, "last_seen", text(v, &["lastSeen"]));
    add_attribute(&mut record, "release", text(v, &["release"]));
    add_attribute(&mut record, "environment", tag(v, "environment"));
    add_attribute(&mut record, "triggered_rule", rule);
    sink.record(record);
}

/// The value of a `tags` entry; Sentry writes tags as `[key, value]` pairs.
fn tag<'v>(event: &'v Value, key: &str) -> Option<&'v str> {
    event.get("tags")?.as_array()?.iter().find_map(|pair| {
        let pair = pair.as_array()?;
        (pair.first()?.as_str()? == key).then(|| pair.get(1)?.as_str())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run};

    #[test]
    fn resolved_issue_is_dated_at_last_seen() {
        let out = run(
            &Sentry,
            br#"{"action": "resolved", "data": {"issue": {"title": "KeyError: 'sku'",
                "shortId": "SHOP-12", "firstSeen": "2026-11-20T22:51:00Z",
                "lastSeen": "2026-11-20T23:30:00.5Z", "level": "error"}}}"#,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(crate::testing::utc(r), "2026-11-20T23:30:00.500000Z");
        assert_eq!(r.kind, Kind::Log);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(attr(r, "action"), Some("resolved"));
        assert_eq!(r.identifiers, ["SHOP-12"]);
    }

    #[test]
    fn rejects_other_json() {
        assert_rejects(
            &Sentry,
            &[include_bytes!(
                "../../../fixtures/statuspage/incidents.json"
            )],
        );
    }

    never_panics!(Sentry);
}
