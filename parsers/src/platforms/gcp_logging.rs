//! Google Cloud Logging `LogEntry` objects, as `gcloud logging read
//! --format=json` prints them (one JSON array) and as exports and sinks
//! write them (one per line): `timestamp` (else `receiveTimestamp`),
//! `severity`, `resource` (`type`, `labels`), `logName`, `insertId`, and
//! one payload: `textPayload` (the original line, read with the line
//! parser of its own format where one accepts it), `jsonPayload`
//! (`message`) or `protoPayload` (Cloud Audit Logs: method, resource,
//! caller).
//!
//! `insertId` is Cloud Logging's deduplication key: it is an identifier of
//! the record, so the same entry in two exports is one event.

use serde_json::Value;

use super::InnerLines;
use crate::input::json::{self, problem_at, Element, Head, IndexedInput};
use crate::record::{add_attribute, add_identifier, Kind, RecordSink};
use crate::Parser;

/// Cloud Logging entries.
pub struct GcpLogging;

/// Resource labels that name the service, best first.
const SERVICE_LABELS: &[&str] = &[
    "service_name",
    "container_name",
    "function_name",
    "module_id",
    "job_name",
    "configuration_name",
];

/// Resource labels that name the host, best first.
const HOST_LABELS: &[&str] = &["instance_id", "node_name", "pod_name", "cluster_name"];

impl Parser for GcpLogging {
    fn id(&self) -> &str {
        "gcp-logging"
    }

    fn description(&self) -> &str {
        "Google Cloud Logging LogEntry JSON (gcloud logging read --format=json, one per line)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let entry = h.has("insertId")
            && h.has("logName")
            && (h.has("resource") || h.has("receiveTimestamp"));
        if !entry {
            return None;
        }
        h.time(&["timestamp", "receiveTimestamp"], json::head_text_time)
            .map(|_| 95)
    }

    fn json_record_arrays(&self) -> &[&str] {
        // The top-level array of entries.
        &[""]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            let Some(root) = src.element(doc.raw, doc.root.clone()) else {
                return;
            };
            if root.value.is_array() {
                for entry in src.elements(doc.raw, &doc.root).unwrap_or_default() {
                    read_entry(src, &entry, &mut inner, sink);
                }
            } else {
                read_entry(src, &root, &mut inner, sink);
            }
        });
    }
}

fn read_entry(
    src: &IndexedInput<'_>,
    entry: &Element,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let v = &entry.value;
    let time = ["timestamp", "receiveTimestamp"]
        .iter()
        .map(|key| json::time_field(v, key))
        .find(|t| !matches!(t, Ok(None)));
    let time = match time {
        Some(Ok(Some(time))) => time,
        Some(Err(reason)) => {
            sink.problem(problem_at(entry, reason));
            return;
        }
        _ => {
            sink.problem(problem_at(entry, "a LogEntry without timestamp"));
            return;
        }
    };
    let text = json::str_at(v, &["textPayload"]);
    let message = text
        .map(|t| t.trim_end().to_string())
        .or_else(|| payload_message(v))
        .unwrap_or_default();
    let mut record = src.record_at(entry, Kind::Log, time, message);
    record.system = Some("Google Cloud Logging".into());
    record.level = json::text(v, &["severity"]).and_then(super::level);
    let resource_label = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| json::scalar_text(v, &["resource", "labels", n]))
    };
    record.service = resource_label(SERVICE_LABELS)
        .or_else(|| json::text(v, &["protoPayload", "serviceName"]).map(str::to_string))
        .or_else(|| json::text(v, &["resource", "type"]).map(str::to_string));
    let node = json::text(v, &["labels", "compute.googleapis.com/resource_name"]);
    record.host = match resource_label(HOST_LABELS) {
        // A numeric `instance_id` is the VM's number to the API; the name
        // beside it (the node's) is what its own logs and people call it.
        Some(id) if id.bytes().all(|b| b.is_ascii_digit()) && node.is_some() => {
            node.map(str::to_string)
        }
        found => found.or_else(|| node.map(str::to_string)),
    };
    record.actor = json::text(v, &["protoPayload", "authenticationInfo", "principalEmail"])
        .map(str::to_string);
    if let Some(id) = json::text(v, &["insertId"]) {
        add_identifier(&mut record, id);
        add_attribute(&mut record, "insert_id", Some(id));
    }
    add_attribute(&mut record, "log_name", json::text(v, &["logName"]));
    add_attribute(
        &mut record,
        "resource_type",
        json::text(v, &["resource", "type"]),
    );
    add_attribute(
        &mut record,
        "instance_id",
        json::scalar_text(v, &["resource", "labels", "instance_id"]),
    );
    add_attribute(&mut record, "trace", json::text(v, &["trace"]));
    if let Some(text) = text {
        inner.apply(&mut record, text);
    }
    sink.record(record);
}

/// The message of a structured or audit payload.
fn payload_message(v: &Value) -> Option<String> {
    if let Some(payload) = v.get("jsonPayload") {
        return ["message", "msg", "textPayload"]
            .iter()
            .find_map(|k| json::text(payload, &[k]).map(str::to_string))
            .or_else(|| Some(payload.to_string()));
    }
    let proto = v.get("protoPayload")?;
    let method = json::text(proto, &["methodName"]);
    let resource = json::text(proto, &["resourceName"]);
    let status = json::text(proto, &["status", "message"]);
    let parts: Vec<&str> = [method, resource, status].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, run, run_str, utc};
    use crate::Level;

    #[test]
    fn gcloud_array_with_text_and_json_payloads() {
        let text = r#"[
  {
    "insertId": "a1",
    "logName": "projects/p/logs/stdout",
    "resource": {"type": "k8s_container", "labels": {"container_name": "api", "pod_name": "api-7"}},
    "severity": "ERROR",
    "textPayload": "2025-11-20T10:00:03Z ERROR connection refused\n",
    "timestamp": "2025-11-20T10:00:00.123456789Z"
  },
  {
    "insertId": "a2",
    "jsonPayload": {"message": "retrying"},
    "logName": "projects/p/logs/app",
    "resource": {"type": "gce_instance", "labels": {"instance_id": "42"}},
    "receiveTimestamp": "2025-11-20T10:00:05Z"
  }
]"#;
        assert_eq!(GcpLogging.sniff(text.as_bytes()), Some(95));
        let out = run_str(&GcpLogging, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(utc(&r[0]), "2025-11-20T10:00:00.123456Z");
        assert_eq!(r[0].message, "connection refused");
        assert_eq!(r[0].service.as_deref(), Some("api"));
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].identifiers, ["a1"]);
        assert_eq!(r[0].locator.as_deref(), Some("$[0]"));
        assert_eq!(utc(&r[1]), "2025-11-20T10:00:05.000000Z");
        assert_eq!(r[1].message, "retrying");
        assert_eq!(r[1].host.as_deref(), Some("42"));
        assert_eq!(attr(&r[1], "insert_id"), Some("a2"));
    }

    #[test]
    fn sniff_rejects_other_formats() {
        assert_rejects_text(
            &GcpLogging,
            &[
                "{\"timestamp\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                "{\"eventTime\":\"2026-01-01T10:00:00Z\",\"eventName\":\"x\",\"eventSource\":\"y\"}\n",
            ],
        );
    }

    #[test]
    fn node_name_over_a_numeric_instance_id() {
        let input =
            include_bytes!("../../../fixtures/gcp-logging/gcloud_read_gke_legacy_container.json");
        assert_eq!(GcpLogging.sniff(input), Some(95));
        let out = run(&GcpLogging, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-03-12T10:45:07.551203Z");
        assert_eq!(
            r.message,
            "error: [orders] upstream inventory timed out after 5000ms"
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            r.host.as_deref(),
            Some("gke-shop-default-pool-7c1e2f90-q4mz")
        );
        assert_eq!(r.service.as_deref(), Some("orders-api"));
        assert_eq!(attr(r, "instance_id"), Some("4817265093318824617"));
    }

    never_panics!(GcpLogging);
}
