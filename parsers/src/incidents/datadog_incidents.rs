//! Datadog Incident Management: the incident list and single incidents of
//! API v2 (`GET /api/v2/incidents`: `{"data": [{"type": "incidents",
//! "attributes": {...}}], "meta": {"pagination": ...}}`), and the search
//! page (`GET /api/v2/incidents/search`: `{"data": {"type":
//! "incidents_search_results", "attributes": {"incidents": [{"data":
//! {...}}]}}}`).
//!
//! An incident gives one record per moment it states: detected, declared
//! (or created, when not declared), customer impact start and end, and
//! resolved. Its `time_to_*` durations are Datadog's own sums, kept as
//! facts, not recomputed.

use serde_json::Value;

use crate::input::json::{
    self, problem_at, scalar_text, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::Parser;

/// Datadog Incident Management API v2 incidents.
pub struct DatadogIncidents;

impl Parser for DatadogIncidents {
    fn id(&self) -> &str {
        "datadog-incidents"
    }

    fn description(&self) -> &str {
        "Datadog Incident Management API v2 incidents (list, single or search page)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("data") && h.text_ends_with("type", "incidents") && h.has("public_id")) {
            return None;
        }
        h.time(&["created", "declared", "detected"], json::head_text_time)
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
    match root.value.get("data") {
        Some(Value::Array(_)) => {
            for incident in input.nested(&root, &["data"]).unwrap_or_default() {
                read_incident(input, &incident, sink);
            }
        }
        Some(Value::Object(_)) => {
            let Some(data) = input.field(&root, "data") else {
                return;
            };
            // A search page wraps each incident in a `data` of its own; its
            // `included` repeats them, so only the wrapped ones are read.
            match input.nested(&data, &["attributes", "incidents"]) {
                Some(found) => {
                    for item in found {
                        match input.field(&item, "data") {
                            Some(incident) => read_incident(input, &incident, sink),
                            None => sink.problem(problem_at(&item, "search result without data")),
                        }
                    }
                }
                None => read_incident(input, &data, sink),
            }
        }
        _ => sink.problem(problem_at(
            &root,
            "no data: not a Datadog incident response",
        )),
    }
}

/// `SEV-1` … `SEV-5` as Datadog defines them (1 critical, 5 minor).
fn severity_level(severity: &str) -> Option<Level> {
    match severity.trim().to_ascii_uppercase().as_str() {
        "SEV-1" => Some(Level::Critical),
        "SEV-2" => Some(Level::Error),
        "SEV-3" => Some(Level::Warn),
        "SEV-4" | "SEV-5" => Some(Level::Info),
        _ => None,
    }
}

/// The moments of an incident: attribute, what the record says.
const MOMENTS: &[(&str, &str)] = &[
    ("detected", "Incident detected"),
    ("declared", "Incident declared"),
    ("created", "Incident created"),
    ("customer_impact_start", "Customer impact started"),
    ("customer_impact_end", "Customer impact ended"),
    ("resolved", "Incident resolved"),
];

fn read_incident(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let Some(attrs) = input.field(el, "attributes") else {
        sink.problem(problem_at(el, "incident without attributes"));
        return;
    };
    let a = &attrs.value;
    let title = text(a, &["title"]).unwrap_or("incident");
    let slug = text(a, &["fields", "slug", "value"])
        .map(str::to_string)
        .or_else(|| scalar_text(a, &["public_id"]).map(|id| format!("IR-{id}")));
    let severity = text(a, &["severity"]);
    let mut any = false;
    for &(key, what) in MOMENTS {
        // Creating the record is declaring the incident unless Datadog
        // says when it was declared.
        if key == "created" && a.get("declared").is_some_and(|v| !v.is_null()) {
            continue;
        }
        let time = match time_field(a, key) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(reason) => {
                sink.problem(problem_at(&attrs, reason));
                continue;
            }
        };
        any = true;
        let at = input.field(&attrs, key).unwrap_or_else(|| attrs.clone());
        let message = match &slug {
            Some(slug) => format!("{what}: {slug} {title}"),
            None => format!("{what}: {title}"),
        };
        let mut record = input.record_at(&at, Kind::Ticket, time, message);
        record.system = Some("Datadog".into());
        record.level = severity.and_then(severity_level);
        if let Some(slug) = &slug {
            add_identifier(&mut record, slug.clone());
        }
        add_attribute(&mut record, "incident_id", text(&el.value, &["id"]));
        add_attribute(&mut record, "title", Some(title));
        add_attribute(&mut record, "severity", severity);
        add_attribute(&mut record, "state", text(a, &["state"]));
        add_attribute(&mut record, "moment", Some(key));
        for duration in ["time_to_detect", "time_to_repair", "time_to_resolve"] {
            add_attribute(&mut record, duration, scalar_text(a, &[duration]));
        }
        sink.record(record);
    }
    if !any {
        sink.problem(problem_at(el, "incident without any time"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    #[test]
    fn one_record_per_stated_moment() {
        let out = run(
            &DatadogIncidents,
            br#"{"data": {"type": "incidents", "id": "i1", "attributes": {"public_id": 7,
                "title": "Checkout down", "severity": "SEV-2", "state": "resolved",
                "created": "2026-11-20T23:01:00.000001+00:00",
                "detected": "2026-11-20T22:55:00+00:00", "declared": null,
                "customer_impact_start": "2026-11-20T22:50:00+00:00",
                "customer_impact_end": null, "resolved": "2026-11-21T00:10:00+01:00"}}}"#,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (utc(r), attr(r, "moment").unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-20T22:55:00.000000Z".to_string(), "detected"),
                ("2026-11-20T23:01:00.000001Z".to_string(), "created"),
                (
                    "2026-11-20T22:50:00.000000Z".to_string(),
                    "customer_impact_start"
                ),
                ("2026-11-20T23:10:00.000000Z".to_string(), "resolved"),
            ]
        );
        let r = &out.records[0];
        assert_eq!(r.message, "Incident detected: IR-7 Checkout down");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.locator.as_deref(), Some("$.data.attributes.detected"));
    }

    #[test]
    fn search_page_reads_each_incident_once() {
        let input = include_bytes!("../../../fixtures/datadog-incidents/incidents_v2_search.json");
        assert_eq!(DatadogIncidents.sniff(input), Some(95));
        let out = run(&DatadogIncidents, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        // Five incidents, each detected and declared.
        assert_eq!(out.records.len(), 10);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-02-16T09:47:35.000000Z");
        assert_eq!(
            r.message,
            "Incident detected: IR-336599 Example-Create_an_incident_returns_CREATED_response_1771235254"
        );
        assert_eq!(r.level, None);
        assert_eq!(
            attr(r, "incident_id"),
            Some("77afaefe-9585-5eba-9e1e-195149b3dc66")
        );
        assert_eq!(attr(r, "state"), Some("resolved"));
        assert_eq!(
            r.locator.as_deref(),
            Some("$.data.attributes.incidents[0].data.attributes.detected")
        );
        let last = &out.records[9];
        assert_eq!(utc(last), "2025-01-01T00:00:00.000000Z");
        assert_eq!(
            last.message,
            "Incident declared: IR-336084 Test-Import_an_incident_returns_CREATED_response-1771015099"
        );
        assert_eq!(last.level, Some(Level::Info));
    }

    #[test]
    fn rejects_other_json() {
        assert_rejects(
            &DatadogIncidents,
            &[
                include_bytes!("../../../fixtures/statuspage/incidents.json"),
                br#"{"data": [{"type": "log", "attributes": {"timestamp": "2026-01-01T00:00:00Z"}}]}"#,
            ],
        );
    }

    never_panics!(DatadogIncidents);
}
