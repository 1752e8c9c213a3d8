//! Prometheus Alertmanager: webhook payloads (`webhook_config`, version 4:
//! `{"status", "alerts": [...], "groupKey", "receiver", "externalURL"}`),
//! one per file or one per line, Grafana's webhook contact point (the same
//! shape plus `orgId` and `title`), and the alert list of the API
//! (`GET /api/v2/alerts`, a bare array).
//!
//! Each alert yields a record at `startsAt` ("Firing: ...") and, when its
//! status is `resolved`, one at `endsAt` ("Resolved: ..."). An `endsAt` of
//! Go's zero time (`0001-01-01T00:00:00Z`) means the alert has not ended;
//! the end of a firing alert is only an expiry estimate, never a record.

use serde_json::Value;

use crate::input::json::{
    self, problem_at, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// Alertmanager and Grafana alert webhooks, Alertmanager's alert list.
pub struct Alertmanager;

impl Parser for Alertmanager {
    fn id(&self) -> &str {
        "alertmanager"
    }

    fn description(&self) -> &str {
        "Prometheus Alertmanager webhook payloads (and Grafana's), Alertmanager API alert lists"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("startsAt") && h.has("labels")) {
            return None;
        }
        let webhook =
            h.has("alerts") && (h.has("groupKey") || h.has("receiver") || h.has("externalURL"));
        let api_list = h.array && h.has("fingerprint");
        if !(webhook || api_list) {
            return None;
        }
        h.time(&["startsAt"], json::head_text_time).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| read_document(src, doc, sink));
    }
}

/// Facts of the payload shared by its alerts.
#[derive(Debug, Default, Clone)]
struct Payload {
    system: &'static str,
    receiver: Option<String>,
    group_key: Option<String>,
    external_url: Option<String>,
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(el) = input.element(doc.raw, doc.root.clone()) else {
        return;
    };
    if el.value.is_array() {
        let payload = Payload {
            system: "Alertmanager",
            ..Payload::default()
        };
        for item in input.elements(doc.raw, &doc.root).unwrap_or_default() {
            // `/api/v2/alerts/groups` lists groups, each with its alerts.
            match input.nested(&item, &["alerts"]) {
                Some(alerts) if item.value.get("startsAt").is_none() => {
                    let payload = Payload {
                        receiver: text(&item.value, &["receiver", "name"]).map(str::to_string),
                        ..payload.clone()
                    };
                    for alert in &alerts {
                        read_alert(input, alert, &payload, sink);
                    }
                }
                _ => read_alert(input, &item, &payload, sink),
            }
        }
        return;
    }
    let v = &el.value;
    let Some(alerts) = input.nested(&el, &["alerts"]) else {
        sink.problem(problem_at(
            &el,
            "not an Alertmanager webhook payload: no alerts array".to_string(),
        ));
        return;
    };
    let payload = Payload {
        // Grafana's contact point adds its organisation to the payload.
        system: if v.get("orgId").is_some() {
            "Grafana"
        } else {
            "Alertmanager"
        },
        receiver: text(v, &["receiver"]).map(str::to_string),
        group_key: text(v, &["groupKey"]).map(str::to_string),
        external_url: text(v, &["externalURL"]).map(str::to_string),
    };
    for alert in &alerts {
        read_alert(input, alert, &payload, sink);
    }
}

const HOST_LABELS: &[&str] = &["host", "hostname", "instance", "node", "pod"];
const SERVICE_LABELS: &[&str] = &["service", "app", "job", "container"];

fn label<'v>(alert: &'v Value, names: &[&str]) -> Option<&'v str> {
    names.iter().find_map(|n| text(alert, &["labels", n]))
}

/// Severity label values as Prometheus rules write them.
fn severity_level(severity: &str) -> Option<Level> {
    match severity.trim().to_ascii_lowercase().as_str() {
        "page" | "p1" | "sev1" | "disaster" => Some(Level::Critical),
        "high" | "major" | "p2" | "sev2" => Some(Level::Error),
        "medium" | "minor" | "p3" | "sev3" | "average" => Some(Level::Warn),
        "low" | "none" | "p4" | "p5" | "sev4" | "informational" => Some(Level::Info),
        other => Level::from_word(other),
    }
}

/// The Go zero time that Alertmanager writes for "no end".
fn is_zero_time(time: &Timestamp) -> bool {
    match time.value {
        TimeValue::Utc(micros) => micros <= -62_135_596_800_000_000,
        TimeValue::Local(t) => chrono::Datelike::year(&t) <= 1,
        _ => false,
    }
}

fn read_alert(
    input: &IndexedInput<'_>,
    el: &Element,
    payload: &Payload,
    sink: &mut dyn RecordSink,
) {
    let v = &el.value;
    let starts = match time_field(v, "startsAt") {
        Ok(Some(t)) => t,
        Ok(None) => {
            sink.problem(problem_at(el, "alert without startsAt".to_string()));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let alertname = text(v, &["labels", "alertname"]).unwrap_or("alert");
    let host = label(v, HOST_LABELS);
    // What the alert is about, as the paging tools' titles name it
    // (`[FIRING:1] HighErrorRate checkout-api`).
    let title = match host.or_else(|| label(v, SERVICE_LABELS)) {
        Some(target) => format!("{alertname} {target}"),
        None => alertname.to_string(),
    };
    let summary = text(v, &["annotations", "summary"])
        .or_else(|| text(v, &["annotations", "description"]))
        .or_else(|| text(v, &["annotations", "message"]));
    // The API list nests the state (`{"state": "active"}`); webhooks write
    // `firing` or `resolved`.
    let status = text(v, &["status"]).or_else(|| text(v, &["status", "state"]));
    let severity = text(v, &["labels", "severity"]);
    let build = |at: &Element, time: Timestamp, message: String| {
        let mut record = input.record_at(at, Kind::Alert, time, message);
        record.system = Some(payload.system.into());
        record.actor = Some(payload.system.to_string());
        record.human = Some(false);
        record.host = host.map(str::to_string);
        record.service = label(v, SERVICE_LABELS).map(str::to_string);
        if let Some(fp) = text(v, &["fingerprint"]) {
            add_identifier(&mut record, fp);
        }
        if let Some(url) = text(v, &["generatorURL"]) {
            add_identifier(&mut record, url);
        }
        add_attribute(&mut record, "title", Some(title.clone()));
        add_attribute(&mut record, "alertname", Some(alertname));
        add_attribute(&mut record, "status", status);
        add_attribute(&mut record, "severity", severity);
        add_attribute(&mut record, "labels", labels_text(v));
        add_attribute(&mut record, "summary", text(v, &["annotations", "summary"]));
        add_attribute(
            &mut record,
            "description",
            text(v, &["annotations", "description"]),
        );
        add_attribute(
            &mut record,
            "runbook_url",
            text(v, &["annotations", "runbook_url"]),
        );
        add_attribute(&mut record, "receiver", payload.receiver.clone());
        add_attribute(&mut record, "group_key", payload.group_key.clone());
        add_attribute(&mut record, "external_url", payload.external_url.clone());
        record
    };
    let message = match summary {
        Some(s) => format!("Firing: {title}: {s}"),
        None => format!("Firing: {title}"),
    };
    let mut firing = build(el, starts, message);
    firing.level = severity.and_then(severity_level);
    add_attribute(&mut firing, "action", Some("trigger"));
    sink.record(firing);

    if status != Some("resolved") {
        return;
    }
    match time_field(v, "endsAt") {
        Ok(Some(ends)) if !is_zero_time(&ends) => {
            let at = input.field(el, "endsAt").unwrap_or_else(|| el.clone());
            let mut resolved = build(&at, ends, format!("Resolved: {title}"));
            add_attribute(&mut resolved, "action", Some("resolve"));
            sink.record(resolved);
        }
        Ok(_) => sink.problem(problem_at(
            el,
            "resolved alert without an endsAt time".to_string(),
        )),
        Err(reason) => sink.problem(problem_at(el, reason)),
    }
}

/// `alertname=X, host=Y`: the labels in the order the payload gives them.
fn labels_text(alert: &Value) -> Option<String> {
    let labels = alert.get("labels")?.as_object()?;
    let parts: Vec<String> = labels
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, problem_places, run, utc};
    use crate::time::Precision;

    const FIRING: &[u8] = include_bytes!("../../../fixtures/alertmanager/webhook_firing.json");
    const MIXED: &[u8] =
        include_bytes!("../../../fixtures/alertmanager/webhook_resolved_mixed.json");

    #[test]
    fn firing_alerts_that_have_not_ended() {
        let out = run(&Alertmanager, FIRING);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        // endsAt is Go's zero time on both: no "Resolved" record.
        assert_eq!(out.records.len(), 2);
        let r = &out.records[0];
        assert_eq!(utc(r), "2020-02-06T00:17:58.432911Z");
        assert_eq!(r.time.precision, Precision::Nano);
        assert_eq!(
            r.message,
            "Firing: High CPU Temperature andromeda: High CPU core temperature"
        );
        assert_eq!(r.kind, Kind::Alert);
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.host.as_deref(), Some("andromeda"));
        assert_eq!(r.actor.as_deref(), Some("Alertmanager"));
        assert_eq!(r.human, Some(false));
        assert_eq!(r.identifiers[0], "a1bc48475b20e73d");
        assert_eq!(r.line, Some(16));
        assert_eq!(r.line_end, Some(32));
        assert_eq!(r.locator.as_deref(), Some("$.alerts[0]"));
        assert_eq!(attr(r, "receiver"), Some("ops-zulip"));
        assert_eq!(
            attr(r, "description"),
            Some("CPU core temperature is 34.75C")
        );
        assert_eq!(out.records[1].identifiers[0], "c2ea85182f28cbd9");
        assert_eq!(out.records[1].locator.as_deref(), Some("$.alerts[1]"));
    }

    #[test]
    fn resolved_alerts_end_at_ends_at() {
        let out = run(&Alertmanager, MIXED);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, &str, Option<Level>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.level))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:40:32.118000Z".to_string(),
                    "Firing: HighErrorRate checkout-api: 5xx ratio above 5% for 5 minutes",
                    Some(Level::Critical)
                ),
                (
                    "2026-10-25T02:26:32.118000Z".to_string(),
                    "Resolved: HighErrorRate checkout-api",
                    None
                ),
                (
                    "2026-10-25T01:39:10.000000Z".to_string(),
                    "Firing: DBPoolSaturation checkout-db-1:9187: connection pool above 90%",
                    Some(Level::Warn)
                ),
            ]
        );
        let resolved = &out.records[1];
        assert_eq!(resolved.locator.as_deref(), Some("$.alerts[0].endsAt"));
        assert_eq!(resolved.line, Some(30));
        assert_eq!(resolved.service.as_deref(), Some("checkout-api"));
        assert_eq!(attr(resolved, "action"), Some("resolve"));
        assert_eq!(
            attr(resolved, "runbook_url"),
            Some("https://runbooks.example.net/checkout/high-error-rate")
        );
        assert_eq!(out.records[2].host.as_deref(), Some("checkout-db-1:9187"));
    }

    #[test]
    fn api_alert_list_and_grafana_payloads() {
        let api = br#"[{"annotations":{"summary":"disk full"},"endsAt":"2026-10-25T02:10:00.000Z","fingerprint":"f1","receivers":[{"name":"pd"}],"startsAt":"2026-10-25T01:40:00.000Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"2026-10-25T01:41:00.000+02:00","generatorURL":"http://prom/graph","labels":{"alertname":"DiskFull","instance":"db-1","severity":"critical"}}]"#;
        assert!(Alertmanager.sniff(api).is_some());
        let out = run(&Alertmanager, api);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        // Active: its endsAt is an expiry estimate, not an end.
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].message, "Firing: DiskFull db-1: disk full");
        assert_eq!(out.records[0].locator.as_deref(), Some("$[0]"));

        let grafana = br#"{"receiver":"pd","status":"resolved","orgId":1,"alerts":[{"status":"resolved","labels":{"alertname":"HighLatency"},"annotations":{},"startsAt":"2026-10-25T01:40:00+02:00","endsAt":"2026-10-25T02:00:00+02:00","fingerprint":"g1"}],"groupKey":"{}","externalURL":"https://grafana.example.net/","version":"1","title":"[RESOLVED] HighLatency"}"#;
        let out = run(&Alertmanager, grafana);
        assert_eq!(out.records.len(), 2);
        assert_eq!(utc(&out.records[0]), "2026-10-24T23:40:00.000000Z");
        assert_eq!(utc(&out.records[1]), "2026-10-25T00:00:00.000000Z");
        assert_eq!(out.records[1].system.as_deref(), Some("Grafana"));
    }

    #[test]
    fn api_alert_groups_give_their_alerts() {
        let groups = br#"[{"alerts":[{"annotations":{"summary":"smoke test failing"},"endsAt":"2026-10-25T02:10:00.000Z","fingerprint":"f1","receivers":[{"name":"slack"}],"startsAt":"2026-10-25T01:40:00.516Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"2026-10-25T01:41:00.000Z","labels":{"alertname":"SmokeTest","severity":"warning","instance":"web-1"}}],"labels":{"alertname":"SmokeTest"},"receiver":{"name":"slack"}},
 {"alerts":[{"annotations":{},"endsAt":"2026-10-25T02:10:00.000Z","fingerprint":"f2","receivers":[{"name":"slack"}],"startsAt":"2026-10-25T01:41:19.071Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"2026-10-25T01:42:00.000Z","labels":{"alertname":"SmokeTest","severity":"warning","instance":"web-2"}}],"labels":{"alertname":"SmokeTest"},"receiver":{"name":"slack"}}]"#;
        assert_eq!(Alertmanager.sniff(groups), Some(95));
        let out = run(&Alertmanager, groups);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, Option<&str>, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.host.as_deref(), r.locator.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-10-25T01:40:00.516000Z".to_string(),
                    Some("web-1"),
                    Some("$[0].alerts[0]")
                ),
                (
                    "2026-10-25T01:41:19.071000Z".to_string(),
                    Some("web-2"),
                    Some("$[1].alerts[0]")
                ),
            ]
        );
    }

    #[test]
    fn unreadable_alerts_become_problems() {
        let input = br#"{"receiver":"r","groupKey":"g","alerts":[
 {"status":"firing","labels":{"alertname":"A"},"startsAt":"nope"},
 {"status":"resolved","labels":{"alertname":"B"},"startsAt":"2026-10-25T01:00:00Z","endsAt":"0001-01-01T00:00:00Z"},
 {"status":"firing","labels":{"alertname":"C"}}
]}"#;
        let out = run(&Alertmanager, input);
        // B still fires; its resolution has no time.
        assert_eq!(out.records.len(), 1);
        let found = problem_places(&out);
        assert_eq!(
            found,
            [
                (Some(2), Some("$.alerts[0]")),
                (Some(3), Some("$.alerts[1]")),
                (Some(4), Some("$.alerts[2]")),
            ]
        );
        let out = run(&Alertmanager, br#"{"receiver":"r","status":"firing"}"#);
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        assert_eq!(Alertmanager.sniff(FIRING), Some(95));
        assert_eq!(Alertmanager.sniff(MIXED), Some(95));
        assert!(Alertmanager.sniff(&MIXED[..900]).is_some());
        assert_rejects(
            &Alertmanager,
            &[
            &br#"{"time":"2026-10-25T01:41:02Z","level":"warn","msg":"alert fired","startsAt":"2026-10-25T01:41:02Z","labels":"x"}"#[..],
            br#"[{"type":"message","user":"U024BE7LH","text":"[FIRING:1] HighErrorRate","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/pagerduty/incident_alerts.json"),
            include_bytes!("../../../fixtures/opsgenie/webhook_create.json"),
            br#"{"receiver":"r","groupKey":"g","alerts":[{"labels":{},"startsAt":"whenever"}]}"#,
            ],
        );
    }

    never_panics!(Alertmanager);
}
