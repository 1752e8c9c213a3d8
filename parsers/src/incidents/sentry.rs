//! Sentry webhooks: integration-platform issue payloads (`{"action":
//! "created", "data": {"issue": {...}}}`), event alerts (`{"action":
//! "triggered", "data": {"event": {...}, "triggered_rule": ...}}`), error
//! payloads (`{"data": {"error": {...}}}`) and metric alerts (`{"action":
//! "critical", "data": {"metric_alert": {...}, "description_title"}}`).
//!
//! An exception Sentry saw is an impact signal, read like the log line of
//! an error: kind `log`, the event's level. An issue is dated at
//! `firstSeen` when created, else at `lastSeen`; an event or error at its
//! `datetime` (the epoch `timestamp` beside it says the same, and stands
//! in for it). A metric alert is an alert: firing since it was detected
//! (`date_detected`, else `date_started`), resolved at `date_closed`.

use serde_json::Value;

use crate::input::json::{
    self, epoch_field, problem_at, scalar_text, text, time_field, Document, Element, Head,
    IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::time::{EpochUnit, Timestamp};
use crate::Parser;

use super::first_time;

/// Sentry issue and event-alert webhook payloads.
pub struct Sentry;

impl Parser for Sentry {
    fn id(&self) -> &str {
        "sentry"
    }

    fn description(&self) -> &str {
        "Sentry issue, event-alert, error and metric-alert webhook payloads: exceptions as impact signals, metric alerts as alerts"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let issue = h.has("issue") && h.has("shortId") && h.has("firstSeen");
        let event = (h.has("event") || h.has("error")) && h.has("event_id") && h.has("datetime");
        let metric = h.has("metric_alert") && h.has("alert_rule");
        if !(h.has("action") && h.has("data") && (issue || event || metric)) {
            return None;
        }
        h.time(
            &["firstSeen", "datetime", "date_detected", "date_started"],
            json::head_text_time,
        )
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
    } else if let Some(error) = input.field(&data, "error") {
        read(input, &error, action, &["datetime"], None, sink);
    } else if let Some(alert) = input.field(&data, "metric_alert") {
        read_metric_alert(input, &data, &alert, action, sink);
    } else {
        sink.problem(problem_at(
            &data,
            "neither an issue, an event, an error nor a metric alert",
        ));
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
        Ok(None) => epoch_field(v, "timestamp", EpochUnit::Seconds),
        stated => stated,
    };
    let time = match time {
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

/// A metric alert webhook: the rule's threshold crossed (`critical`,
/// `warning`) or cleared (`resolved`). Each says when the alert fired; a
/// resolution is placed only at its `date_closed`, never guessed.
fn read_metric_alert(
    input: &IndexedInput<'_>,
    data: &Element,
    alert: &Element,
    action: &str,
    sink: &mut dyn RecordSink,
) {
    let v = &alert.value;
    let name = text(v, &["alert_rule", "name"])
        .or_else(|| text(v, &["title"]))
        .unwrap_or("metric alert");
    let projects = v.get("projects").and_then(Value::as_array);
    let project = match projects.map(Vec::as_slice) {
        Some([one]) => one.as_str(),
        _ => None,
    };
    let build = |key: &str, time: Timestamp, status: &str, level: Option<Level>| {
        let at = input.field(alert, key).unwrap_or_else(|| alert.clone());
        let message = format!("{}: {name}", super::status_word(status));
        let mut record = input.record_at(&at, Kind::Alert, time, message);
        record.system = Some("Sentry".into());
        record.actor = Some("Sentry".to_string());
        record.human = Some(false);
        record.level = level;
        record.service = project.map(str::to_string);
        if let Some(url) = text(&data.value, &["web_url"]) {
            add_identifier(&mut record, url);
        }
        add_attribute(&mut record, "action", Some(action));
        add_attribute(&mut record, "status", Some(status));
        add_attribute(&mut record, "alert_id", text(v, &["id"]));
        add_attribute(&mut record, "alert_rule", Some(name));
        add_attribute(
            &mut record,
            "title",
            text(&data.value, &["description_title"]),
        );
        add_attribute(
            &mut record,
            "description",
            text(&data.value, &["description_text"]),
        );
        record
    };
    let level = match action {
        "critical" => Some(Level::Critical),
        "warning" => Some(Level::Warn),
        _ => None,
    };
    let fired = ["date_detected", "date_started"]
        .into_iter()
        .find_map(|key| time_field(v, key).transpose().map(|time| (key, time)));
    match fired {
        Some((key, Ok(time))) => sink.record(build(key, time, "firing", level)),
        Some((_, Err(reason))) => sink.problem(problem_at(alert, reason)),
        None => sink.problem(problem_at(
            alert,
            "metric alert without date_detected or date_started",
        )),
    }
    if action != "resolved" {
        return;
    }
    match time_field(v, "date_closed") {
        Ok(Some(time)) => sink.record(build("date_closed", time, "resolved", None)),
        Ok(None) => sink.problem(problem_at(
            alert,
            "resolved metric alert without date_closed: the resolution has no time",
        )),
        Err(reason) => sink.problem(problem_at(alert, reason)),
    }
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
    use crate::testing::{assert_rejects, attr, never_panics, problem_places, run, utc};

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
        assert_eq!(utc(r), "2026-11-20T23:30:00.500000Z");
        assert_eq!(r.kind, Kind::Log);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(attr(r, "action"), Some("resolved"));
        assert_eq!(r.identifiers, ["SHOP-12"]);
    }

    #[test]
    fn error_webhook_is_an_impact_signal() {
        let input = include_bytes!("../../../fixtures/sentry/error_webhook_created.json");
        assert_eq!(Sentry.sniff(input), Some(95));
        let out = run(&Sentry, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-03-12T10:45:03.812000Z");
        assert_eq!(
            r.message,
            "TimeoutError: ledger did not answer within 5s (app.payments.capture in charge)"
        );
        assert_eq!(r.kind, Kind::Log);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.host.as_deref(), Some("pay-7"));
        assert_eq!(r.service.as_deref(), Some("42"));
        assert_eq!(attr(r, "issue_id"), Some("5512034"));
        assert_eq!(attr(r, "environment"), Some("production"));
        assert_eq!(r.locator.as_deref(), Some("$.data.error"));
    }

    #[test]
    fn error_without_datetime_is_dated_by_its_epoch() {
        let out = run(
            &Sentry,
            br#"{"action": "created", "data": {"error": {"title": "x", "timestamp": 1773312303.812}}}"#,
        );
        assert_eq!(utc(&out.records[0]), "2026-03-12T10:45:03.812000Z");
    }

    #[test]
    fn metric_alerts_fire_and_resolve_at_their_own_times() {
        let input = include_bytes!("../../../fixtures/sentry/metric_alert_webhooks.json");
        assert_eq!(Sentry.sniff(input), Some(95));
        let out = run(&Sentry, input);
        let got: Vec<(String, &str, Option<Level>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.level))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-03-12T10:45:00.000000Z".to_string(),
                    "Firing: Payment errors",
                    Some(Level::Critical)
                ),
                (
                    "2026-03-12T10:45:00.000000Z".to_string(),
                    "Firing: Payment errors",
                    None
                ),
                (
                    "2026-03-12T11:20:00.000000Z".to_string(),
                    "Resolved: Payment errors",
                    None
                ),
                (
                    "2026-03-12T10:50:00.000000Z".to_string(),
                    "Firing: Checkout latency",
                    None
                ),
            ]
        );
        let r = &out.records[2];
        assert_eq!(r.kind, Kind::Alert);
        assert_eq!(r.service.as_deref(), Some("payments"));
        assert_eq!(attr(r, "status"), Some("resolved"));
        assert_eq!(attr(r, "alert_id"), Some("88"));
        assert_eq!(attr(r, "title"), Some("Resolved: Payment errors"));
        assert_eq!(
            r.identifiers,
            ["https://sentry.io/organizations/acme/alerts/rules/details/31/"]
        );
        assert_eq!(
            r.locator.as_deref(),
            Some("document 2 $.data.metric_alert.date_closed")
        );
        // Resolved, but Sentry does not say when: no time is made up.
        assert_eq!(
            problem_places(&out),
            [(Some(3), Some("document 3 $.data.metric_alert"))]
        );
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
