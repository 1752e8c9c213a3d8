//! AWS Systems Manager Incident Manager timelines as the CLI and API return
//! them: `list-timeline-events` (`{"eventSummaries": [...]}`) and
//! `get-timeline-event` (`{"event": {...}}`, whose `eventData` is itself
//! JSON text, often a quoted string like `"\"Incident Started\""`).
//!
//! Each timeline event is a record at its `eventTime` (when it happened;
//! `eventUpdatedTime` is when the entry was last edited, kept as a fact).

use serde_json::Value;

use crate::input::json::{self, problem_at, text, Document, Element, Head, IndexedInput};
use crate::record::{add_attribute, add_identifier, Kind, RecordSink};
use crate::Parser;

use super::first_time;

/// Incident Manager `list-timeline-events` and `get-timeline-event` output.
pub struct AwsIncidentManager;

impl Parser for AwsIncidentManager {
    fn id(&self) -> &str {
        "aws-incident-manager"
    }

    fn description(&self) -> &str {
        "AWS Incident Manager timeline events (list-timeline-events, get-timeline-event)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !((h.has("eventSummaries") || h.has("event"))
            && h.has("incidentRecordArn")
            && h.has("eventType"))
        {
            return None;
        }
        h.time(&["eventTime"], json::head_text_time).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, read_document);
    }
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(root) = input.element(doc.raw, doc.root.clone()) else {
        return;
    };
    if let Some(event) = input.field(&root, "event") {
        read_event(input, &event, sink);
    } else if let Some(events) = input.nested(&root, &["eventSummaries"]) {
        for event in &events {
            read_event(input, event, sink);
        }
    } else {
        sink.problem(problem_at(
            &root,
            "no event or eventSummaries: not an Incident Manager timeline",
        ));
    }
}

/// `eventData` decoded when it is JSON text; a JSON string becomes its
/// text, anything else stays as written.
fn event_data(event: &Value) -> Option<String> {
    let raw = text(event, &["eventData"])?;
    Some(match serde_json::from_str::<Value>(raw) {
        Ok(Value::String(s)) => s,
        _ => raw.to_string(),
    })
}

fn read_event(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let time = match first_time(v, &["eventTime"]) {
        Ok(Some(t)) => t,
        Ok(None) => {
            sink.problem(problem_at(el, "timeline event without eventTime"));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let kind_of = text(v, &["eventType"]).unwrap_or("Timeline event");
    let data = event_data(v);
    let message = match &data {
        Some(d) => format!("{kind_of}: {d}"),
        None => kind_of.to_string(),
    };
    let mut record = input.record_at(el, Kind::Ticket, time, message);
    record.system = Some("AWS Incident Manager".into());
    // Custom events are written by responders; the others by the service.
    record.human = (kind_of != "Custom Event").then_some(false);
    if let Some(arn) = text(v, &["incidentRecordArn"]) {
        add_identifier(&mut record, arn);
        // `incident-record/<response plan>/<id>`.
        record.service = arn.split('/').nth(1).map(str::to_string);
    }
    add_attribute(&mut record, "event_type", Some(kind_of));
    add_attribute(&mut record, "event_id", text(v, &["eventId"]));
    add_attribute(
        &mut record,
        "event_updated_at",
        text(v, &["eventUpdatedTime"]),
    );
    sink.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    #[test]
    fn single_event_with_encoded_data() {
        let out = run(
            &AwsIncidentManager,
            br#"{"event": {"eventData": "\"Incident Started\"", "eventId": "e1",
                "eventTime": "2021-05-21T18:16:57+00:00", "eventType": "Custom Event",
                "incidentRecordArn": "arn:aws:ssm-incidents::1:incident-record/Plan/6e"}}"#,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2021-05-21T18:16:57.000000Z");
        assert_eq!(r.message, "Custom Event: Incident Started");
        assert_eq!(r.service.as_deref(), Some("Plan"));
        assert_eq!(r.human, None);
        assert_eq!(attr(r, "event_id"), Some("e1"));
        assert_eq!(r.locator.as_deref(), Some("$.event"));
    }

    #[test]
    fn event_without_time_is_a_problem() {
        let out = run(
            &AwsIncidentManager,
            br#"{"eventSummaries": [{"eventType": "Custom Event", "incidentRecordArn": "a"}]}"#,
        );
        assert!(out.records.is_empty());
        assert_eq!(
            out.problems[0].locator.as_deref(),
            Some("$.eventSummaries[0]")
        );
    }

    #[test]
    fn rejects_other_json() {
        assert_rejects(
            &AwsIncidentManager,
            &[include_bytes!(
                "../../../fixtures/statuspage/incidents.json"
            )],
        );
    }

    never_panics!(AwsIncidentManager);
}
