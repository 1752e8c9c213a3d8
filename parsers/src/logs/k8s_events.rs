//! Kubernetes events as `kubectl get events -o json` writes them: one
//! core/v1 `Event`, a list of them (`{"kind": "List"|"EventList", "items":
//! [...]}`, or a bare array as `jq '.items'` leaves it), events.k8s.io/v1
//! events (`eventTime`, `regarding`, `note`, `series`), and the stream of
//! `kubectl get events -w -o json` (one object after another, optionally
//! wrapped as `{"type": "ADDED", "object": {...}}` by
//! `--output-watch-events`).
//!
//! Kubernetes aggregates repeats into one object (`count`, or `series`), so
//! each object yields one record at its first occurrence, with the count
//! and the last occurrence as attributes. In a watch stream the same event
//! (same `metadata.uid`) comes again each time it recurs: those updates are
//! placed at their last occurrence, which is what they report.

use std::collections::HashSet;

use serde_json::Value;

use crate::input::json::{
    self, problem_at, scalar_text, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// `kubectl get events -o json` output and watch streams.
pub struct K8sEvents;

impl Parser for K8sEvents {
    fn id(&self) -> &str {
        "k8s-events"
    }

    fn description(&self) -> &str {
        "Kubernetes events (core/v1 and events.k8s.io/v1) as kubectl get events -o json writes them, lists and watch streams"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let about = h.has("involvedObject") || h.has("regarding");
        let event = h.text_ends_with("kind", "Event") || h.text_ends_with("kind", "EventList");
        // client-go marshals an event without its type (no `apiVersion` or
        // `kind`): then its note and its reporter say what it is.
        let untyped = (h.has("note") || h.has("message"))
            && [
                "reportingController",
                "reportingComponent",
                "source",
                "deprecatedSource",
            ]
            .iter()
            .any(|k| h.has(k));
        if !(about && h.has("reason") && (event || untyped)) {
            return None;
        }
        let confidence = if event { 95 } else { 90 };
        h.time(TIME_KEYS, json::head_text_time).map(|_| confidence)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut seen = HashSet::new();
        json::each_document(input, sink, |src, doc, sink| {
            read_document(src, doc, &mut seen, sink)
        });
    }
}

/// Where an event's first occurrence is written, in order of preference:
/// core/v1 `firstTimestamp`, the micro-time `eventTime` of events created
/// through events.k8s.io, its copy of the core field, then what is left
/// when a client filled in neither.
const TIME_KEYS: &[&str] = &[
    "firstTimestamp",
    "eventTime",
    "deprecatedFirstTimestamp",
    "lastTimestamp",
    "deprecatedLastTimestamp",
    "creationTimestamp",
];

fn read_document(
    src: &IndexedInput<'_>,
    doc: &Document<'_>,
    seen: &mut HashSet<String>,
    sink: &mut dyn RecordSink,
) {
    let Some(el) = src.element(doc.raw, doc.root.clone()) else {
        return;
    };
    if el.value.is_array() {
        for item in src.elements(doc.raw, &doc.root).unwrap_or_default() {
            read_object(src, &item, seen, sink);
        }
        return;
    }
    if !el.value.is_object() {
        sink.problem(problem_at(
            &el,
            "not a Kubernetes event: not a JSON object".to_string(),
        ));
        return;
    }
    if let Some(items) = src.nested(&el, &["items"]) {
        for item in &items {
            read_object(src, item, seen, sink);
        }
        return;
    }
    read_object(src, &el, seen, sink);
}

fn is_event(v: &Value) -> bool {
    v.get("involvedObject").is_some_and(Value::is_object)
        || v.get("regarding").is_some_and(Value::is_object)
}

fn read_object(
    src: &IndexedInput<'_>,
    el: &Element,
    seen: &mut HashSet<String>,
    sink: &mut dyn RecordSink,
) {
    // `--output-watch-events` wraps each object with the watch event type.
    if !is_event(&el.value) {
        if let Some(object) = src.field(el, "object").filter(|o| is_event(&o.value)) {
            let watch = text(&el.value, &["type"]).map(str::to_string);
            return read_event(src, &object, watch.as_deref(), seen, sink);
        }
        let kind = text(&el.value, &["kind"]).unwrap_or("no kind");
        sink.problem(problem_at(
            el,
            format!("not a Kubernetes event ({kind}): no involvedObject or regarding"),
        ));
        return;
    }
    read_event(src, el, None, seen, sink);
}

/// The first time of `keys` present on the event (or in its metadata).
fn first_time(v: &Value) -> Result<Option<(Timestamp, &'static str)>, String> {
    for key in TIME_KEYS {
        let holder = if *key == "creationTimestamp" {
            v.get("metadata").unwrap_or(&Value::Null)
        } else {
            v
        };
        if let Some(t) = time_field(holder, key)? {
            return Ok(Some((t, key)));
        }
    }
    Ok(None)
}

/// The last occurrence of an aggregated event: `series.lastObservedTime`,
/// `lastTimestamp` or events.k8s.io's copy of it.
fn last_seen(v: &Value) -> Result<Option<Timestamp>, String> {
    if let Some(series) = v.get("series").filter(|s| s.is_object()) {
        if let Some(t) = time_field(series, "lastObservedTime")? {
            return Ok(Some(t));
        }
    }
    for key in ["lastTimestamp", "deprecatedLastTimestamp"] {
        if let Some(t) = time_field(v, key)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

fn read_event(
    src: &IndexedInput<'_>,
    el: &Element,
    watch: Option<&str>,
    seen: &mut HashSet<String>,
    sink: &mut dyn RecordSink,
) {
    let v = &el.value;
    let first = match first_time(v) {
        Ok(Some(found)) => found,
        Ok(None) => {
            sink.problem(problem_at(
                el,
                "event without firstTimestamp, eventTime or lastTimestamp".to_string(),
            ));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let last = match last_seen(v) {
        Ok(last) => last,
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let uid = text(v, &["metadata", "uid"]);
    // A uid met before in this input is a watch update: it reports the
    // latest recurrence, not the first one already recorded.
    let update = uid.is_some_and(|u| !seen.insert(u.to_string()));
    let (time, time_from) = match (&last, update) {
        (Some(last), true) => (last.clone(), "last occurrence"),
        _ => (first.0.clone(), first.1),
    };

    let (object_key, core) = if v.get("regarding").is_some_and(Value::is_object) {
        ("regarding", false)
    } else {
        ("involvedObject", true)
    };
    let object_kind = text(v, &[object_key, "kind"]);
    let object_name = text(v, &[object_key, "name"]);
    let object = match (object_kind, object_name) {
        (Some(k), Some(n)) => Some(format!("{}/{n}", k.to_ascii_lowercase())),
        (None, Some(n)) => Some(n.to_string()),
        (Some(k), None) => Some(k.to_ascii_lowercase()),
        (None, None) => None,
    };
    // Only the object's own: events about cluster-wide objects (nodes) are
    // stored in `default`, which says nothing about the node.
    let namespace = text(v, &[object_key, "namespace"]);
    let event_type = text(v, &["type"]);
    let reason = text(v, &["reason"]);
    let note = if core {
        text(v, &["message"])
    } else {
        text(v, &["note"]).or_else(|| text(v, &["message"]))
    };

    let mut head: Vec<&str> = Vec::new();
    head.extend(event_type);
    head.extend(reason);
    let mut message = head.join(" ");
    if let Some(object) = &object {
        if !message.is_empty() {
            message.push(' ');
        }
        message.push_str(object);
    }
    if let Some(ns) = namespace {
        message.push_str(&format!(" (ns {ns})"));
    }
    if let Some(note) = note {
        if message.is_empty() {
            message = note.to_string();
        } else {
            message.push_str(": ");
            message.push_str(note);
        }
    }
    if message.is_empty() {
        message = "Kubernetes event".to_string();
    }

    let component = text(v, &["source", "component"])
        .or_else(|| text(v, &["deprecatedSource", "component"]))
        .or_else(|| text(v, &["reportingController"]))
        .or_else(|| text(v, &["reportingComponent"]));
    let host = text(v, &["source", "host"]).or_else(|| text(v, &["deprecatedSource", "host"]));
    let count = scalar_text(v, &["series", "count"])
        .or_else(|| scalar_text(v, &["count"]))
        .or_else(|| scalar_text(v, &["deprecatedCount"]));

    let mut record = src.record_at(el, Kind::Log, time, message);
    record.level = event_type.and_then(|t| match t {
        "Normal" => Some(Level::Info),
        "Warning" => Some(Level::Warn),
        other => Level::from_word(other),
    });
    record.host = host.map(str::to_string);
    record.service = object.clone();
    record.actor = component.map(str::to_string);
    record.system = Some("Kubernetes".into());
    record.human = Some(false);
    if let Some(uid) = uid {
        add_identifier(&mut record, uid);
    }
    add_attribute(&mut record, "type", event_type);
    add_attribute(&mut record, "reason", reason);
    add_attribute(&mut record, "object", object);
    add_attribute(&mut record, "namespace", namespace);
    add_attribute(
        &mut record,
        "field_path",
        text(v, &[object_key, "fieldPath"]),
    );
    add_attribute(&mut record, "object_uid", text(v, &[object_key, "uid"]));
    add_attribute(&mut record, "count", count);
    add_attribute(&mut record, "first_seen", Some(first.0.text.clone()));
    add_attribute(&mut record, "last_seen", last.map(|t| t.text));
    add_attribute(&mut record, "action", text(v, &["action"]));
    add_attribute(&mut record, "component", component);
    add_attribute(
        &mut record,
        "reporting_instance",
        text(v, &["reportingInstance"]),
    );
    add_attribute(&mut record, "event_name", text(v, &["metadata", "name"]));
    // Stamped by the API server when the event was first stored, not by
    // the component that reported it: the cluster's clock beside the
    // reporter's (a node's, for the kubelet).
    if !update {
        let created = text(v, &["metadata", "creationTimestamp"]);
        add_attribute(&mut record, "created", created);
        // The reporter sends an event as it happens: a first occurrence
        // seconds away from its storing is the reporter's clock (a node's)
        // running off, which the reviewer should see on the row.
        let stored = created.and_then(|t| crate::time::parse_field(t, None));
        if let (TimeValue::Utc(own), Some(TimeValue::Utc(at))) =
            (first.0.value, stored.map(|t| t.value))
        {
            if (own - at).abs() > crate::time::CLOCKS_DISAGREE_BEYOND {
                add_attribute(
                    &mut record,
                    "time_disagreement_s",
                    Some(&format!("{:.3}", (own - at) as f64 / 1e6)),
                );
            }
        }
    }
    add_attribute(&mut record, "watch_event", watch);
    if update {
        add_attribute(&mut record, "watch_update", Some("true"));
    }
    if time_from != "firstTimestamp" && time_from != "eventTime" {
        add_attribute(&mut record, "time_from", Some(time_from));
    }
    sink.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, problem_places, run, utc};
    use crate::time::Precision;

    const GKE: &[u8] = include_bytes!("../../../fixtures/k8s-events/k9s_core_v1_event_gke.json");
    const LIST: &[u8] = include_bytes!("../../../fixtures/k8s-events/own_event_list.json");
    const V1: &[u8] = include_bytes!("../../../fixtures/k8s-events/own_events_k8s_io_v1.json");
    const WATCH: &[u8] = include_bytes!("../../../fixtures/k8s-events/own_watch_stream.json");
    const CLIENT_GO: &[u8] =
        include_bytes!("../../../fixtures/k8s-events/own_events_v1_client_go.json");

    #[test]
    fn single_core_v1_event_from_gke() {
        let out = run(&K8sEvents, GKE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2019-08-30T20:43:05.000000Z");
        assert_eq!(r.time.precision, Precision::Second);
        assert_eq!(
            r.message,
            "Normal Pulled pod/hello-1567197780-mn4mv (ns default): Successfully pulled image \"blang/busybox-bash\""
        );
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(
            r.host.as_deref(),
            Some("gke-k9s-default-pool-0fa2fb89-qnkc")
        );
        assert_eq!(r.service.as_deref(), Some("pod/hello-1567197780-mn4mv"));
        assert_eq!(r.actor.as_deref(), Some("kubelet"));
        assert_eq!(r.system.as_deref(), Some("Kubernetes"));
        assert_eq!(r.human, Some(false));
        assert_eq!(r.kind, Kind::Log);
        assert_eq!(r.locator.as_deref(), Some("$"));
        assert_eq!((r.line, r.line_end), (Some(1), Some(34)));
        assert_eq!(r.identifiers, ["c443d4b3-cb66-11e9-990f-42010a800218"]);
        assert_eq!(attr(r, "count"), Some("1"));
        assert_eq!(attr(r, "last_seen"), Some("2019-08-30T20:43:05Z"));
        assert_eq!(attr(r, "field_path"), Some("spec.containers{c1}"));
        assert_eq!(attr(r, "time_from"), None);
    }

    #[test]
    fn kubectl_list_with_aggregated_warnings() {
        let out = run(&K8sEvents, LIST);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, &str, Option<Level>, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.level, r.locator.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:38:02.000000Z".to_string(),
                    "Normal Pulled pod/checkout-7d9f8-x2kqp (ns prod): Container image \"registry.example.net/checkout:4.18.0\" already present on machine",
                    Some(Level::Info),
                    Some("$.items[0]")
                ),
                (
                    "2026-10-25T01:39:44.000000Z".to_string(),
                    "Warning BackOff pod/checkout-7d9f8-x2kqp (ns prod): Back-off restarting failed container checkout in pod checkout-7d9f8-x2kqp_prod(5b0c1f0e-8e1c-4d43-9a57-3f7e0d2a6b11)",
                    Some(Level::Warn),
                    Some("$.items[1]")
                ),
                (
                    "2026-10-25T01:41:10.000000Z".to_string(),
                    "Normal NodeNotReady node/worker-3: Node worker-3 status is now: NodeNotReady",
                    Some(Level::Info),
                    Some("$.items[2]")
                ),
            ]
        );
        let backoff = &out.records[1];
        assert_eq!(attr(backoff, "count"), Some("23"));
        assert_eq!(attr(backoff, "last_seen"), Some("2026-10-25T02:12:51Z"));
        assert_eq!(backoff.line, Some(37));
        assert_eq!(backoff.host.as_deref(), Some("worker-3"));
        assert_eq!(out.records[2].service.as_deref(), Some("node/worker-3"));
        assert_eq!(out.records[2].actor.as_deref(), Some("node-controller"));
    }

    #[test]
    fn events_k8s_io_v1_with_series_and_micro_time() {
        let out = run(&K8sEvents, V1);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T01:39:12.481516Z");
        assert_eq!(r.time.precision, Precision::Micro);
        assert_eq!(
            r.message,
            "Warning Unhealthy pod/checkout-7d9f8-x2kqp (ns prod): Readiness probe failed: HTTP probe failed with statuscode: 503"
        );
        assert_eq!(r.actor.as_deref(), Some("kubelet"));
        assert_eq!(r.host.as_deref(), Some("worker-3"));
        assert_eq!(attr(r, "count"), Some("41"));
        assert_eq!(attr(r, "last_seen"), Some("2026-10-25T02:10:40.009211Z"));
        assert_eq!(attr(r, "action"), Some("Probe"));
        assert_eq!(r.locator.as_deref(), Some("$.items[0]"));
        let scaled = &out.records[1];
        assert_eq!(utc(scaled), "2026-10-25T02:05:33.120044Z");
        assert_eq!(scaled.level, Some(Level::Info));
        assert_eq!(
            scaled.message,
            "Normal ScalingReplicaSet deployment/checkout (ns prod): Scaled up replica set checkout-6c5b9 to 3"
        );
        assert_eq!(scaled.actor.as_deref(), Some("deployment-controller"));
    }

    #[test]
    fn events_v1_as_client_go_writes_them_without_a_kind() {
        assert_eq!(K8sEvents.sniff(CLIENT_GO), Some(90));
        let out = run(&K8sEvents, CLIENT_GO);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [r] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        // `eventTime` is null: the deprecated copy of firstTimestamp.
        assert_eq!(utc(r), "2026-10-25T01:37:58.000000Z");
        assert_eq!(attr(r, "time_from"), Some("deprecatedFirstTimestamp"));
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.host, None);
        assert_eq!(r.service.as_deref(), Some("pod/checkout-7d9f8-x2kqp"));
        assert_eq!(r.actor.as_deref(), Some("default-scheduler"));
        assert_eq!(
            r.message,
            "Normal Scheduled pod/checkout-7d9f8-x2kqp (ns prod): Successfully assigned prod/checkout-7d9f8-x2kqp to worker-3"
        );
        assert_eq!(r.line, Some(1));
    }

    #[test]
    fn watch_stream_objects_and_updates() {
        let out = run(&K8sEvents, WATCH);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, Option<&str>, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.locator.as_deref(), attr(r, "count")))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:39:44.000000Z".to_string(),
                    Some("document 1 $"),
                    Some("1")
                ),
                (
                    "2026-10-25T01:40:01.000000Z".to_string(),
                    Some("document 2 $.object"),
                    None
                ),
                // The same event again, recurring: placed at its last time.
                (
                    "2026-10-25T01:41:15.000000Z".to_string(),
                    Some("document 3 $"),
                    Some("4")
                ),
            ]
        );
        assert_eq!(attr(&out.records[1], "watch_event"), Some("ADDED"));
        assert_eq!(attr(&out.records[2], "watch_update"), Some("true"));
        assert_eq!(out.records[2].line, Some(3));
    }

    #[test]
    fn unreadable_events_become_problems() {
        let input = br#"{"kind":"EventList","items":[
 {"kind":"Event","reason":"A","involvedObject":{"kind":"Pod","name":"p"},"firstTimestamp":"yesterday"},
 {"kind":"Event","reason":"B","involvedObject":{"kind":"Pod","name":"p"}},
 {"kind":"ConfigMap","metadata":{"name":"x"}},
 {"kind":"Event","reason":"C","type":"Warning","involvedObject":{"kind":"Pod","name":"p"},"firstTimestamp":"2026-10-25T01:00:00Z","lastTimestamp":17}
]}"#;
        let out = run(&K8sEvents, input);
        assert!(out.records.is_empty());
        let found = problem_places(&out);
        assert_eq!(
            found,
            [
                (Some(2), Some("$.items[0]")),
                (Some(3), Some("$.items[1]")),
                (Some(4), Some("$.items[2]")),
                (Some(5), Some("$.items[3]")),
            ]
        );
        let out = run(&K8sEvents, b"{\"kind\":\"Event\"\n");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(run(&K8sEvents, b"42").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        for own in [GKE, LIST, V1, WATCH] {
            assert_eq!(K8sEvents.sniff(own), Some(95));
        }
        assert_eq!(K8sEvents.sniff(&LIST[..1300]), Some(95));
        assert_rejects(
            &K8sEvents,
            &[
            &br#"{"time":"2026-10-25T01:41:02Z","level":"warn","msg":"BackOff","reason":"x","kind":"Event"}"#[..],
            b"Oct 11 22:14:15 mymachine kubelet[812]: Event reason=BackOff kind=Event\n",
            br#"[{"type":"message","user":"U024BE7LH","text":"kubectl get events","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            br#"{"kind":"Event","reason":"A","involvedObject":{"kind":"Pod"},"firstTimestamp":"soon"}"#,
            // Without a kind, a reason and an object are not enough.
            br#"{"reason":"A","regarding":{"kind":"Pod"},"eventTime":"2026-10-25T01:00:00Z"}"#,
            ],
        );
    }

    #[test]
    fn a_reporter_clock_off_from_the_api_server_is_flagged() {
        let input = include_bytes!("../../../fixtures/skew-restarts/events.json");
        let out = run(&K8sEvents, input);
        let kill = &out.records[0];
        // node-1 runs 40 s fast: it wrote 14:05:40 for an event stored at
        // 14:05:00.
        assert_eq!(utc(kill), "2026-10-03T14:05:40.000000Z");
        assert_eq!(attr(kill, "created"), Some("2026-10-03T14:05:00Z"));
        assert_eq!(attr(kill, "time_disagreement_s"), Some("40.000"));
        // Agreeing clocks are not flagged.
        let fine = br#"{"kind":"Event","apiVersion":"v1","metadata":{"name":"p.1","creationTimestamp":"2026-10-03T14:05:01Z"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Started","message":"Started container web","source":{"component":"kubelet","host":"node-2"},"firstTimestamp":"2026-10-03T14:05:00Z","lastTimestamp":"2026-10-03T14:05:00Z","count":1}"#;
        let out = run(&K8sEvents, fine);
        assert_eq!(attr(&out.records[0], "time_disagreement_s"), None);
    }

    never_panics!(K8sEvents);
}
