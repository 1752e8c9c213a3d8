//! AWS Systems Manager Incident Manager timelines as the CLI and API return
//! them: `list-timeline-events` (`{"eventSummaries": [...]}`) and
//! `get-timeline-event` (`{"event": {...}}`, whose `eventData` is itself
//! JSON text, often a quoted string like `"\"Incident Started\""`).
//!
//! Each timeline event is a record at its `eventTime` (when it happened;
//! `eventUpdatedTime` is when the entry was last edited, kept as a fact).
//!
//! Incident records themselves, `get-incident-record` (`{"incidentRecord":
//! {...}}`) and `list-incident-records` (`{"incidentRecordSummaries":
//! [...]}`), give the incident opened at its `creationTime` and, once
//! resolved, its `resolvedTime`.
//!
//! The CLI prints times as ISO 8601 text, or as the API sends them (epoch
//! seconds with a fraction) when its timestamp format is `none`.

use memchr::memmem;
use serde_json::Value;

use crate::input::json::{
    self, epoch_field, problem_at, scalar_text, text, time_field, Document, Element, Head,
    HeadValue, IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::Parser;

/// Incident Manager timeline events and incident records.
pub struct AwsIncidentManager;

impl Parser for AwsIncidentManager {
    fn id(&self) -> &str {
        "aws-incident-manager"
    }

    fn description(&self) -> &str {
        "AWS Incident Manager timeline events and incident records (list-timeline-events, get-timeline-event, list-incident-records, get-incident-record)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let timeline = (h.has("eventSummaries") || h.has("event"))
            && h.has("incidentRecordArn")
            && h.has("eventType");
        let records = (h.has("incidentRecordSummaries") || h.has("incidentRecord"))
            && h.has("arn")
            && h.has("impact");
        let key = match (timeline, records) {
            (true, _) => "eventTime",
            (false, true) => "creationTime",
            (false, false) => return None,
        };
        h.time(&[key], head_time)
            .or_else(|| head_fraction_epoch(head, key))
            .map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, read_document);
    }
}

/// A head's time as text or as whole epoch seconds.
fn head_time(value: &HeadValue) -> Option<Timestamp> {
    json::head_text_time(value).or_else(|| json::head_epoch(value, EpochUnit::Seconds))
}

/// Epoch seconds with a fraction after the first `"key":` of the head,
/// which [`Head`] does not read as a value (it only takes integers).
fn head_fraction_epoch(head: &[u8], key: &str) -> Option<Timestamp> {
    let quoted = format!("\"{key}\"");
    let after = memmem::find(head, quoted.as_bytes())? + quoted.len();
    let rest = String::from_utf8_lossy(head.get(after..head.len().min(after + 64))?);
    let number = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = number
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(number.len());
    time::parse_epoch(number.get(..end)?, Some(EpochUnit::Seconds))
}

/// The time in `value[key]`: ISO 8601 text, or epoch seconds as a number.
fn aws_time(value: &Value, key: &str) -> Result<Option<Timestamp>, String> {
    match value.get(key) {
        Some(Value::Number(_)) => epoch_field(value, key, EpochUnit::Seconds),
        _ => time_field(value, key),
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
    } else if let Some(incident) = input.field(&root, "incidentRecord") {
        read_incident(input, &incident, sink);
    } else if let Some(incidents) = input.nested(&root, &["incidentRecordSummaries"]) {
        for incident in &incidents {
            read_incident(input, incident, sink);
        }
    } else {
        sink.problem(problem_at(
            &root,
            "no event, eventSummaries, incidentRecord or incidentRecordSummaries: not Incident Manager output",
        ));
    }
}

/// Impact 1 (critical) to 5 (no impact), as Incident Manager defines it.
fn impact_level(impact: &str) -> Option<Level> {
    match impact {
        "1" => Some(Level::Critical),
        "2" => Some(Level::Error),
        "3" => Some(Level::Warn),
        "4" | "5" => Some(Level::Info),
        _ => None,
    }
}

/// The response plan an incident ARN names:
/// `incident-record/<response plan>/<id>`.
fn response_plan(record: &mut Record, arn: &str) {
    add_identifier(record, arn);
    record.service = arn.split('/').nth(1).map(str::to_string);
}

fn read_incident(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let title = text(v, &["title"]).unwrap_or("incident");
    let impact = scalar_text(v, &["impact"]);
    // `event` is the ticket moment reconstruction reads: opening an
    // incident record escalates, resolving it ends the incident.
    let moments = [("creationTime", "opened"), ("resolvedTime", "resolved")];
    for (key, event) in moments {
        let time = match aws_time(v, key) {
            Ok(Some(t)) => t,
            Ok(None) if key == "creationTime" => {
                sink.problem(problem_at(el, "incident record without creationTime"));
                continue;
            }
            Ok(None) => continue,
            Err(reason) => {
                sink.problem(problem_at(el, reason));
                continue;
            }
        };
        let message = match (event, &impact) {
            ("opened", Some(impact)) => format!("Incident opened: {title} (impact {impact})"),
            ("opened", None) => format!("Incident opened: {title}"),
            _ => format!("Incident resolved: {title}"),
        };
        let at = input.field(el, key).unwrap_or_else(|| el.clone());
        let mut record = input.record_at(&at, Kind::Ticket, time, message);
        record.system = Some("AWS Incident Manager".into());
        record.level = impact.as_deref().and_then(impact_level);
        let source = text(v, &["incidentRecordSource", "source"]);
        if event == "opened" {
            record.actor = text(v, &["incidentRecordSource", "createdBy"]).map(str::to_string);
            // A custom source is a responder declaring the incident; the
            // others are alarms and rules.
            record.human = (source != Some("aws.ssm-incidents.custom")).then_some(false);
        }
        if let Some(arn) = text(v, &["arn"]) {
            response_plan(&mut record, arn);
        }
        add_attribute(&mut record, "event", Some(event));
        add_attribute(&mut record, "title", Some(title));
        add_attribute(&mut record, "impact", impact.as_deref());
        add_attribute(&mut record, "status", text(v, &["status"]));
        add_attribute(&mut record, "source", source);
        sink.record(record);
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
    let time = match aws_time(v, "eventTime") {
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
        response_plan(&mut record, arn);
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
    fn incident_record_opened_at_its_creation() {
        let out = run(
            &AwsIncidentManager,
            include_bytes!(
                "../../../fixtures/aws-incident-manager/awscli_get_incident_record.json"
            ),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2021-05-21T18:16:57.579000Z");
        assert_eq!(r.message, "Incident opened: Example-Incident (impact 5)");
        assert_eq!(r.kind, Kind::Ticket);
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("Example-Response-Plan"));
        assert_eq!(
            r.actor.as_deref(),
            Some("arn:aws:iam::111122223333:user/draliatp")
        );
        assert_eq!(r.human, None);
        assert_eq!(attr(r, "event"), Some("opened"));
        assert_eq!(attr(r, "status"), Some("OPEN"));
        assert_eq!(r.locator.as_deref(), Some("$.incidentRecord.creationTime"));
    }

    #[test]
    fn listed_incident_records_are_read() {
        let out = run(
            &AwsIncidentManager,
            include_bytes!(
                "../../../fixtures/aws-incident-manager/awscli_list_incident_records.json"
            ),
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2021-05-21T18:16:57.579000Z");
        assert_eq!(
            out.records[0].locator.as_deref(),
            Some("$.incidentRecordSummaries[0].creationTime")
        );
    }

    #[test]
    fn resolved_incident_in_epoch_seconds() {
        let input = br#"{"incidentRecordSummaries": [{"arn":
            "arn:aws:ssm-incidents::1:incident-record/Plan/6e", "creationTime": 1621621017.579,
            "resolvedTime": 1621624617.25, "impact": 2, "status": "RESOLVED", "title": "Checkout down",
            "incidentRecordSource": {"createdBy": "arn:aws:iam::1:role/alarm", "source": "aws.cloudwatch"}}]}"#;
        assert_eq!(AwsIncidentManager.sniff(input), Some(95));
        let out = run(&AwsIncidentManager, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [opened, resolved] = &out.records[..] else {
            panic!("{:?}", out.records);
        };
        assert_eq!(utc(opened), "2021-05-21T18:16:57.579000Z");
        assert_eq!(opened.message, "Incident opened: Checkout down (impact 2)");
        assert_eq!(opened.level, Some(Level::Error));
        assert_eq!(opened.human, Some(false));
        assert_eq!(utc(resolved), "2021-05-21T19:16:57.250000Z");
        assert_eq!(resolved.message, "Incident resolved: Checkout down");
        assert_eq!(resolved.kind, Kind::Ticket);
        assert_eq!(attr(resolved, "event"), Some("resolved"));
        assert_eq!(resolved.service.as_deref(), Some("Plan"));
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
