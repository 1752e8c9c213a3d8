//! Atlassian Statuspage: the public `api/v2/incidents.json` and
//! `summary.json` (`{"page", "incidents": [...], "scheduled_maintenances"}`),
//! subscriber webhooks (`{"meta", "page", "incident": {...}}`, and
//! component webhooks: `{"meta", "page", "component_update", "component"}`)
//! and the management API's bare incident list.
//!
//! Each `incident_updates[]` entry is one record of kind `status`: what
//! the customers were told (investigating, identified, monitoring,
//! resolved, postmortem; scheduled … completed for maintenances), at
//! `display_at`, the time the page shows, which is when subscribers were
//! notified (`created_at` when it is missing). A published postmortem
//! (`postmortem_body`, `postmortem_published_at`) is one more, of status
//! `postmortem`. A component webhook is one status record, the component's
//! change at `component_update.created_at`. The component summary of a
//! `summary.json` is the page's state when fetched, not a happening, and
//! yields nothing.

use serde_json::Value;

use crate::input::json::{self, problem_at, text, Document, Element, Head, IndexedInput};
use crate::record::{add_attribute, add_identifier, Kind, Level, Record, RecordSink};
use crate::time::Timestamp;
use crate::Parser;

use super::{customer_facing, first_time, status_word};

/// Statuspage incident histories, summaries and webhooks.
pub struct Statuspage;

impl Parser for Statuspage {
    fn id(&self) -> &str {
        "statuspage"
    }

    fn description(&self) -> &str {
        "Atlassian Statuspage incidents.json, summary.json, incident and component webhooks: customer-facing updates"
    }

    fn specificity(&self) -> u8 {
        90
    }

    /// `incidents/unresolved.json` on a quiet day, or a page with no
    /// incidents yet: a Statuspage document telling of none.
    fn untimed(&self, head: &[u8]) -> Option<String> {
        let h = Head::new(head)?;
        let empty = [&b"\"incidents\":[]"[..], b"\"incidents\": []"]
            .iter()
            .any(|none| memchr::memmem::find(head, none).is_some());
        (h.has("page") && h.has("time_zone") && empty)
            .then(|| "a Statuspage document listing no incidents".to_string())
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        // A summary lists its components (with `position`) before the
        // incidents, which may lie beyond the head.
        let updates = h.has("incident_updates") && (h.has("display_at") || h.has("incident_id"));
        let summary = h.has("page") && h.has("components") && h.has("position");
        let component = h.has("component_update") && h.has("new_status");
        if !(h.has("page_id") && (updates || summary || component)) {
            return None;
        }
        h.time(
            &["display_at", "created_at", "updated_at"],
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
    if root.value.is_array() {
        for incident in input.elements(doc.raw, &doc.root).unwrap_or_default() {
            read_incident(input, &incident, None, false, sink);
        }
        return;
    }
    let page = text(&root.value, &["page", "name"]);
    if let Some(incident) = input.field(&root, "incident") {
        read_incident(input, &incident, page, false, sink);
    }
    if let Some(update) = input.field(&root, "component_update") {
        read_component_update(input, &root, &update, page, sink);
    }
    for (key, maintenance) in [("incidents", false), ("scheduled_maintenances", true)] {
        for incident in input.nested(&root, &[key]).unwrap_or_default() {
            read_incident(input, &incident, page, maintenance, sink);
        }
    }
}

/// The incident's impact as a severity.
fn impact_level(impact: &str) -> Option<Level> {
    match impact {
        "critical" => Some(Level::Critical),
        "major" => Some(Level::Error),
        "minor" => Some(Level::Warn),
        "none" | "maintenance" => Some(Level::Info),
        _ => None,
    }
}

fn read_incident(
    input: &IndexedInput<'_>,
    incident: &Element,
    page: Option<&str>,
    maintenance: bool,
    sink: &mut dyn RecordSink,
) {
    let facts = Facts {
        incident: &incident.value,
        name: text(&incident.value, &["name"]).unwrap_or("incident"),
        page,
        maintenance,
    };
    let updates = input
        .nested(incident, &["incident_updates"])
        .unwrap_or_default();
    if updates.is_empty() {
        sink.problem(problem_at(incident, "incident without incident_updates"));
    }
    for update in &updates {
        let u = &update.value;
        let time = match first_time(u, &["display_at", "created_at"]) {
            Ok(Some(t)) => t,
            Ok(None) => {
                sink.problem(problem_at(
                    update,
                    "incident update without display_at or created_at",
                ));
                continue;
            }
            Err(reason) => {
                sink.problem(problem_at(update, reason));
                continue;
            }
        };
        let status = text(u, &["status"]).unwrap_or("update");
        let mut record = facts.record(input, update, time, status, text(u, &["body"]));
        add_attribute(&mut record, "update_id", text(u, &["id"]));
        add_attribute(&mut record, "affected_components", components(u));
        sink.record(record);
    }
    read_postmortem(input, incident, &facts, sink);
}

/// What every record of one incident says about it.
struct Facts<'a> {
    incident: &'a Value,
    name: &'a str,
    page: Option<&'a str>,
    maintenance: bool,
}

impl Facts<'_> {
    /// The status record citing `at`: `Identified: <incident>: <body>`.
    fn record(
        &self,
        input: &IndexedInput<'_>,
        at: &Element,
        time: Timestamp,
        status: &str,
        body: Option<&str>,
    ) -> Record {
        let v = self.incident;
        let mut message = format!("{}: {}", status_word(status), self.name);
        if let Some(body) = body {
            message.push_str(": ");
            message.push_str(body);
        }
        let mut record = input.record_at(at, Kind::Status, time, message);
        record.level = text(v, &["impact"]).and_then(impact_level);
        customer_facing(&mut record, "Statuspage", self.page);
        if let Some(link) = text(v, &["shortlink"]) {
            add_identifier(&mut record, link);
        }
        add_attribute(&mut record, "status", Some(status));
        add_attribute(&mut record, "title", Some(self.name));
        add_attribute(&mut record, "incident_id", text(v, &["id"]));
        add_attribute(&mut record, "incident_status", text(v, &["status"]));
        add_attribute(&mut record, "impact", text(v, &["impact"]));
        if self.maintenance {
            add_attribute(&mut record, "maintenance", Some("true"));
        }
        record
    }
}

/// A published postmortem is no incident update but the page's last word
/// to its customers: a `postmortem` record at its publication.
fn read_postmortem(
    input: &IndexedInput<'_>,
    incident: &Element,
    facts: &Facts<'_>,
    sink: &mut dyn RecordSink,
) {
    let time = match first_time(facts.incident, &["postmortem_published_at"]) {
        Ok(Some(time)) => time,
        Ok(None) => return,
        Err(reason) => {
            sink.problem(problem_at(incident, reason));
            return;
        }
    };
    let at = input
        .field(incident, "postmortem_body")
        .filter(|body| body.value.is_string())
        .or_else(|| input.field(incident, "postmortem_published_at"))
        .unwrap_or_else(|| incident.clone());
    let body = text(facts.incident, &["postmortem_body"]);
    sink.record(facts.record(input, &at, time, "postmortem", body));
}

/// `API: operational → major_outage; Portal`: the components an update
/// names, with their status change when the update gives one.
fn components(update: &Value) -> Option<String> {
    let list = update.get("affected_components")?.as_array()?;
    let parts: Vec<String> = list
        .iter()
        .filter_map(|c| Some(component_change(text(c, &["name"])?, c)))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `API: operational → major_outage`: a component and the change of status
/// `change` gives it (`old_status`, `new_status`).
fn component_change(name: &str, change: &Value) -> String {
    match (text(change, &["old_status"]), text(change, &["new_status"])) {
        (Some(old), Some(new)) if old != new => format!("{name}: {old} → {new}"),
        (_, Some(new)) => format!("{name}: {new}"),
        _ => name.to_string(),
    }
}

/// A component status as a severity.
fn component_level(status: &str) -> Option<Level> {
    match status {
        "major_outage" => Some(Level::Error),
        "partial_outage" | "degraded_performance" => Some(Level::Warn),
        "operational" | "under_maintenance" => Some(Level::Info),
        _ => None,
    }
}

/// A component webhook: the page showing a component's new status.
fn read_component_update(
    input: &IndexedInput<'_>,
    root: &Element,
    update: &Element,
    page: Option<&str>,
    sink: &mut dyn RecordSink,
) {
    let u = &update.value;
    let time = match first_time(u, &["created_at"]) {
        Ok(Some(time)) => time,
        Ok(None) => {
            sink.problem(problem_at(update, "component update without created_at"));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(update, reason));
            return;
        }
    };
    let name = text(&root.value, &["component", "name"]);
    let subject = name.map_or_else(|| "Component".to_string(), |n| format!("{n} component"));
    let change = component_change(&subject, u);
    let at = input
        .field(update, "created_at")
        .unwrap_or_else(|| update.clone());
    let mut record = input.record_at(&at, Kind::Status, time, change);
    let new = text(u, &["new_status"]);
    record.level = new.and_then(component_level);
    customer_facing(&mut record, "Statuspage", page);
    add_attribute(&mut record, "status", new);
    add_attribute(&mut record, "component", name);
    add_attribute(&mut record, "component_id", text(u, &["component_id"]));
    add_attribute(&mut record, "update_id", text(u, &["id"]));
    add_attribute(
        &mut record,
        "affected_components",
        name.map(|name| component_change(name, u)),
    );
    sink.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const SEVERAL: &[u8] = include_bytes!("../../../fixtures/statuspage/incidents.json");

    #[test]
    fn every_update_of_every_incident_is_a_status_record() {
        let out = run(&Statuspage, SEVERAL);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let times: Vec<String> = out.records.iter().map(utc).collect();
        // Newest first in the file, as Statuspage lists them; the pipeline
        // sorts by time.
        assert_eq!(
            times,
            [
                "2026-11-20T23:41:07.120000Z",
                "2026-11-20T23:12:40.004000Z",
                "2026-11-20T22:58:13.500000Z",
                "2026-11-20T22:57:02.000000Z",
                "2026-11-18T09:30:00.000000Z",
                "2026-11-19T15:02:45.318000Z",
            ]
        );
        let first = &out.records[3];
        assert_eq!(first.kind, Kind::Status);
        assert_eq!(attr(first, "status"), Some("investigating"));
        assert_eq!(attr(first, "audience"), Some("customers"));
        assert_eq!(first.system.as_deref(), Some("Statuspage"));
        assert_eq!(first.human, Some(false));
        assert_eq!(first.level, Some(Level::Error));
        assert_eq!(
            attr(first, "affected_components"),
            Some("Checkout API: operational → partial_outage")
        );
        assert!(first
            .message
            .starts_with("Investigating: Elevated checkout errors: "));
        assert_eq!(
            first.locator.as_deref(),
            Some("$.incidents[0].incident_updates[3]")
        );
        assert_eq!(first.identifiers, ["https://stspg.io/x1y2z3"]);
        // created_at stands in when display_at is missing.
        assert_eq!(attr(&out.records[4], "status"), Some("resolved"));
        let postmortem = &out.records[5];
        assert_eq!(attr(postmortem, "status"), Some("postmortem"));
        assert_eq!(
            postmortem.locator.as_deref(),
            Some("$.incidents[1].postmortem_body")
        );
        assert!(postmortem
            .message
            .starts_with("Postmortem: Delayed order confirmation e-mails: A mail relay"));
    }

    #[test]
    fn component_webhook_is_one_status_change() {
        let input =
            include_bytes!("../../../fixtures/statuspage/webhook_component_status_update.json");
        assert_eq!(Statuspage.sniff(input), Some(95));
        let out = run(&Statuspage, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2017-12-26T07:59:09.379000Z");
        assert_eq!(
            r.message,
            "Database component component: operational → under_maintenance"
        );
        assert_eq!(r.kind, Kind::Status);
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.system.as_deref(), Some("Statuspage"));
        assert_eq!(attr(r, "audience"), Some("customers"));
        assert_eq!(attr(r, "component_id"), Some("sqm6pl84wzjc"));
        assert_eq!(
            attr(r, "affected_components"),
            Some("Database component: operational → under_maintenance")
        );
        assert_eq!(r.locator.as_deref(), Some("$.component_update.created_at"));
    }

    #[test]
    fn incident_without_updates_is_a_problem() {
        let out = run(
            &Statuspage,
            br#"{"incident": {"name": "x", "page_id": "p", "created_at": "2026-01-01T00:00:00Z"}}"#,
        );
        assert!(out.records.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.incident"));
    }

    #[test]
    fn sniffs_its_own_and_not_other_json() {
        assert_eq!(Statuspage.sniff(SEVERAL), Some(95));
        assert_rejects(
            &Statuspage,
            &[
                include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
                br#"{"created_at": "2026-01-01T00:00:00Z", "status": "resolved"}"#,
            ],
        );
    }

    #[test]
    fn a_page_without_incidents_is_named_as_one() {
        let quiet = br#"{"page":{"id":"srhpyqt94yxb","name":"Discord","url":"https://discordstatus.com","time_zone":"America/Tijuana","updated_at":"2022-02-15T13:34:08.436-08:00"},"incidents":[]}"#;
        assert_eq!(Statuspage.sniff(quiet), None);
        assert_eq!(
            Statuspage.untimed(quiet).as_deref(),
            Some("a Statuspage document listing no incidents")
        );
        assert_eq!(Statuspage.untimed(SEVERAL), None);
    }

    never_panics!(Statuspage);
}
