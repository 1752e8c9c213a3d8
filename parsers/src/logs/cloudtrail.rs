//! AWS CloudTrail records: the log files CloudTrail delivers to S3
//! (`{"Records": [...]}`), bare arrays of records (as tools and the
//! console's download write them, often newest first: document order is
//! kept, the pipeline sorts), single records and one record per line, the
//! `aws cloudtrail lookup-events` output (`{"Events": [{"CloudTrailEvent":
//! "<record as a JSON string>"}]}`), and EventBridge's "AWS API Call via
//! CloudTrail" envelope (the record under `detail`).
//!
//! Every record yields one record at `eventTime` (UTC with `Z`, as the
//! record format defines it).

use serde_json::Value;

use crate::input::json::{
    self, problem_at, scalar_text, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::logs::shorten;
use crate::record::{add_attribute, add_identifier, Kind, Level, RecordSink};
use crate::Parser;

/// AWS CloudTrail log files and record lists.
pub struct CloudTrail;

impl Parser for CloudTrail {
    fn id(&self) -> &str {
        "cloudtrail"
    }

    fn description(&self) -> &str {
        "AWS CloudTrail records: S3 log files ({\"Records\": [...]}), arrays, lookup-events output, EventBridge events"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if h.has("CloudTrailEvent") && h.has("EventName") {
            return h.time(&["EventTime"], json::head_text_time).map(|_| 90);
        }
        let record = h.has("eventName")
            && h.has("eventSource")
            && (h.has("userIdentity") || h.has("eventID") || h.has("awsRegion"));
        if !record {
            return None;
        }
        h.time(&["eventTime"], json::head_text_time).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| read_document(src, doc, sink));
    }
}

fn read_document(src: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(el) = src.element(doc.raw, doc.root.clone()) else {
        return;
    };
    if el.value.is_array() {
        for item in src.elements(doc.raw, &doc.root).unwrap_or_default() {
            read_entry(src, &item, sink);
        }
        return;
    }
    if !el.value.is_object() {
        sink.problem(problem_at(
            &el,
            "not a CloudTrail record: not a JSON object".to_string(),
        ));
        return;
    }
    for list in ["Records", "Events"] {
        if el.value.get(list).is_some_and(Value::is_array) {
            for item in src.nested(&el, &[list]).unwrap_or_default() {
                read_entry(src, &item, sink);
            }
            return;
        }
    }
    read_entry(src, &el, sink);
}

/// One entry of a list or one document: a record, or a record wrapped by
/// lookup-events or EventBridge.
fn read_entry(src: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    if let Some(embedded) = v.get("CloudTrailEvent").and_then(Value::as_str) {
        match serde_json::from_str::<Value>(embedded) {
            Ok(inner) if inner.is_object() => {
                let inner_el = Element {
                    value: inner,
                    ..el.clone()
                };
                read_record(src, &inner_el, sink);
            }
            _ => sink.problem(problem_at(
                el,
                "CloudTrailEvent is not a JSON object".to_string(),
            )),
        }
        return;
    }
    if v.get("eventName").is_none() {
        if let Some(detail) = src.field(el, "detail").filter(|d| d.value.is_object()) {
            return read_record(src, &detail, sink);
        }
    }
    read_record(src, el, sink);
}

/// Who made the call, as CloudTrail's `userIdentity` names them.
fn actor_of(v: &Value) -> Option<String> {
    ["userName", "arn", "invokedBy", "principalId", "accountId"]
        .iter()
        .find_map(|k| text(v, &["userIdentity", k]))
        .or_else(|| text(v, &["userIdentity", "type"]))
        .map(str::to_string)
}

/// Error codes that say AWS failed, not the caller.
fn is_service_failure(code: &str) -> bool {
    [
        "Internal",
        "ServiceUnavailable",
        "ServiceFailure",
        "ServerException",
    ]
    .iter()
    .any(|s| code.contains(s))
}

/// Pairs of request parameters shown in the message.
const PARAMETERS_SHOWN: usize = 3;
/// Characters of one parameter value shown in the message.
const PARAMETER_CHARS: usize = 60;
/// Characters of the full request parameters kept as an attribute.
const PARAMETERS_KEPT: usize = 4000;

/// `name=value` pairs for the scalar leaves of the request parameters,
/// top-level ones first (they name the target: `userName`, `name`,
/// `bucketName`), then nested ones in document order.
fn parameter_summary(params: &Value) -> Option<String> {
    let Value::Object(map) = params else {
        return None;
    };
    let mut pairs: Vec<String> = Vec::new();
    let members = sorted(map);
    for (k, v) in &members {
        if let Some(s) = scalar(v) {
            pairs.push(format!("{k}={}", shorten(&s, PARAMETER_CHARS)));
        }
    }
    for (k, v) in &members {
        if scalar(v).is_none() {
            leaves(k, v, &mut pairs, 0);
        }
    }
    pairs.truncate(PARAMETERS_SHOWN);
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

/// Object members by key: the order of a `serde_json` map depends on a
/// feature that other crates of the build may switch on, and the text we
/// write must not change with the build.
fn sorted(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    members
}

/// Compact JSON with object keys sorted, for the same reason.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, inner)) in sorted(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(inner, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, inner) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(inner, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| !i.is_object()) => {
            let parts: Vec<String> = items.iter().filter_map(scalar).collect();
            (!parts.is_empty()).then(|| parts.join(","))
        }
        _ => None,
    }
}

/// Nested parameters are walked only this deep: their summary is a hint,
/// the whole is kept as an attribute.
const MAX_DEPTH: usize = 8;

fn leaves(key: &str, v: &Value, out: &mut Vec<String>, depth: usize) {
    if out.len() >= PARAMETERS_SHOWN || depth > MAX_DEPTH {
        return;
    }
    if let Some(s) = scalar(v) {
        out.push(format!("{key}={}", shorten(&s, PARAMETER_CHARS)));
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, inner) in sorted(map) {
                leaves(k, inner, out, depth + 1);
            }
        }
        Value::Array(items) => {
            for inner in items {
                leaves(key, inner, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn read_record(src: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let Some(name) = text(v, &["eventName"]) else {
        sink.problem(problem_at(
            el,
            "not a CloudTrail record: no eventName".to_string(),
        ));
        return;
    };
    let time = match time_field(v, "eventTime") {
        Ok(Some(t)) => t,
        Ok(None) => {
            sink.problem(problem_at(el, format!("{name} record without eventTime")));
            return;
        }
        Err(reason) => {
            sink.problem(problem_at(el, reason));
            return;
        }
    };
    let source = text(v, &["eventSource"]);
    let actor = actor_of(v);
    let ip = text(v, &["sourceIPAddress"]);
    let error_code = text(v, &["errorCode"]);
    let error_message = text(v, &["errorMessage"]);
    // Sign-in events state their outcome in the response (`{"ConsoleLogin":
    // "Failure"}`), without an error code.
    let stated = text(v, &["responseElements", name]).map(str::to_ascii_lowercase);
    let params = v.get("requestParameters").and_then(parameter_summary);

    let mut message = name.to_string();
    if let Some(source) = source {
        message.push_str(&format!(" ({source})"));
    }
    if let Some(params) = &params {
        message.push_str(&format!(" on {params}"));
    }
    if let Some(actor) = &actor {
        message.push_str(&format!(" by {actor}"));
    }
    if let Some(ip) = ip {
        message.push_str(&format!(" from {ip}"));
    }
    let outcome = match (error_code, error_message, stated.as_deref()) {
        (Some(code), Some(msg), _) => Some(format!("failed: {code}: {msg}")),
        (Some(code), None, _) => Some(format!("failed: {code}")),
        (None, Some(msg), Some(state)) => Some(format!("{state}: {msg}")),
        (None, _, Some(state)) => Some(state.to_string()),
        (None, Some(msg), None) => Some(format!("failed: {msg}")),
        (None, None, None) => None,
    };
    if let Some(outcome) = &outcome {
        message.push_str(&format!(" ({outcome})"));
    }

    let mut record = src.record_at(el, Kind::Log, time, message);
    record.level = Some(match (error_code, stated.as_deref()) {
        (Some(code), _) if is_service_failure(code) => Level::Error,
        (Some(_), _) => Level::Warn,
        (None, Some("failure")) => Level::Warn,
        (None, _) if error_message.is_some() => Level::Warn,
        _ => Level::Info,
    });
    record.actor = actor;
    record.service = source.map(str::to_string);
    record.system = Some("AWS CloudTrail".into());
    // An AWS service acting for itself is no person; for the other identity
    // types the record does not say whether a person or a script called.
    if text(v, &["userIdentity", "type"]) == Some("AWSService") {
        record.human = Some(false);
    }
    for id in ["eventID", "requestID"] {
        if let Some(id) = text(v, &[id]) {
            add_identifier(&mut record, id);
        }
    }
    add_attribute(&mut record, "event_name", Some(name));
    add_attribute(&mut record, "event_source", source);
    add_attribute(&mut record, "event_type", text(v, &["eventType"]));
    add_attribute(&mut record, "aws_region", text(v, &["awsRegion"]));
    add_attribute(&mut record, "account", text(v, &["recipientAccountId"]));
    add_attribute(&mut record, "user_type", text(v, &["userIdentity", "type"]));
    add_attribute(&mut record, "user_arn", text(v, &["userIdentity", "arn"]));
    add_attribute(
        &mut record,
        "access_key_id",
        text(v, &["userIdentity", "accessKeyId"]),
    );
    add_attribute(
        &mut record,
        "session_issuer",
        text(
            v,
            &["userIdentity", "sessionContext", "sessionIssuer", "arn"],
        ),
    );
    add_attribute(&mut record, "source_ip", ip);
    add_attribute(&mut record, "user_agent", text(v, &["userAgent"]));
    add_attribute(&mut record, "error_code", error_code);
    add_attribute(&mut record, "error_message", error_message);
    add_attribute(&mut record, "outcome", stated);
    add_attribute(&mut record, "read_only", scalar_text(v, &["readOnly"]));
    add_attribute(
        &mut record,
        "mfa_used",
        text(v, &["additionalEventData", "MFAUsed"]),
    );
    if let Some(params) = v.get("requestParameters").filter(|p| !p.is_null()) {
        add_attribute(
            &mut record,
            "request_parameters",
            Some({
                let mut text = String::new();
                canonical(params, &mut text);
                shorten(&text, PARAMETERS_KEPT)
            }),
        );
    }
    sink.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};
    use crate::time::Precision;

    const STOP: &[u8] = include_bytes!(
        "../../../fixtures/cloudtrail/stratus_aws.defense-evasion.cloudtrail-stop.json"
    );
    const LOGIN: &[u8] = include_bytes!(
        "../../../fixtures/cloudtrail/stratus_aws.initial-access.console-login-without-mfa.json"
    );
    const IAM: &[u8] = include_bytes!(
        "../../../fixtures/cloudtrail/stratus_aws.persistence.iam-create-admin-user.json"
    );
    const EC2: &[u8] =
        include_bytes!("../../../fixtures/cloudtrail/stratus_aws.execution.ec2-user-data.json");
    const S3_FILE: &[u8] = include_bytes!("../../../fixtures/cloudtrail/own_s3_log_file.json");

    #[test]
    fn stop_logging_and_console_login() {
        let out = run(&CloudTrail, STOP);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2024-07-31T13:06:24.000000Z");
        assert_eq!(r.time.precision, Precision::Second);
        assert_eq!(
            r.message,
            "StopLogging (cloudtrail.amazonaws.com) on name=stratus-red-team-ct-stop-trail-buykxbqejv by christophe from 86.245.153.234"
        );
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.actor.as_deref(), Some("christophe"));
        assert_eq!(r.service.as_deref(), Some("cloudtrail.amazonaws.com"));
        assert_eq!(r.system.as_deref(), Some("AWS CloudTrail"));
        assert_eq!(r.human, None);
        assert_eq!(r.locator.as_deref(), Some("$[0]"));
        assert_eq!((r.line, r.line_end), (Some(2), Some(34)));
        assert_eq!(
            r.identifiers,
            [
                "10163ed2-2253-469d-a5ee-cbc6651f8934",
                "14c891b6-11b5-4787-ae97-64a974977078"
            ]
        );
        assert_eq!(
            attr(r, "user_arn"),
            Some("arn:aws:iam::143434273843:user/christophe")
        );

        let out = run(&CloudTrail, LOGIN);
        let r = &out.records[0];
        assert_eq!(utc(r), "2024-08-02T08:53:24.000000Z");
        assert_eq!(
            r.message,
            "ConsoleLogin (signin.amazonaws.com) by stratus-red-team-nmfalu-jfzdtsvchl from 225.01.00.16 (success)"
        );
        assert_eq!(attr(r, "mfa_used"), Some("No"));
        assert_eq!(r.identifiers, ["865d9377-9c6b-4fd7-8aad-725e95f6a140"]);
    }

    #[test]
    fn arrays_keep_document_order() {
        let out = run(&CloudTrail, IAM);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let names: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (utc(r), attr(r, "event_name").unwrap_or_default()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "2024-08-01T13:33:28.000000Z".to_string(),
                    "AttachUserPolicy"
                ),
                ("2024-08-01T13:33:28.000000Z".to_string(), "CreateAccessKey"),
                ("2024-08-01T13:33:28.000000Z".to_string(), "CreateUser"),
            ]
        );
        assert_eq!(
            out.records[2].message,
            "CreateUser (iam.amazonaws.com) on userName=malicious-iam-user, key=StratusRedTeam, value=true by christophe from 075.050.255.67"
        );

        // Newest first, as exported.
        let out = run(&CloudTrail, EC2);
        assert_eq!(out.records.len(), 35);
        assert_eq!(utc(&out.records[0]), "2024-08-01T12:04:24.000000Z");
        assert_eq!(utc(&out.records[34]), "2024-08-01T12:03:30.000000Z");
        assert_eq!(
            out.records[34].message,
            "StopInstances (ec2.amazonaws.com) on force=true, instanceId=i-DDd6c7B0e18F0E35f by christophe from 251.228.255.218"
        );
        assert_eq!(out.records[34].locator.as_deref(), Some("$[34]"));
    }

    #[test]
    fn s3_log_file_with_errors_roles_and_services() {
        let out = run(&CloudTrail, S3_FILE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, Option<Level>, &str)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.level, r.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:44:09.000000Z".to_string(),
                    Some(Level::Warn),
                    "ConsoleLogin (signin.amazonaws.com) by dana.ops from 198.51.100.23 (failure: Failed authentication)"
                ),
                (
                    "2026-10-25T01:46:52.000000Z".to_string(),
                    Some(Level::Warn),
                    "UpdateService (ecs.amazonaws.com) by arn:aws:sts::111122223333:assumed-role/ops-deployer/dana.ops from 198.51.100.23 (failed: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ops-deployer/dana.ops is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:eu-central-1:111122223333:service/prod/checkout because no identity-based policy allows the ecs:UpdateService action)"
                ),
                (
                    "2026-10-25T01:49:30.000000Z".to_string(),
                    Some(Level::Info),
                    "UpdateService (ecs.amazonaws.com) on cluster=prod, desiredCount=6, service=checkout by arn:aws:sts::111122223333:assumed-role/ops-admin/dana.ops from 198.51.100.23"
                ),
                (
                    "2026-10-25T01:50:02.000000Z".to_string(),
                    Some(Level::Info),
                    "AssumeRole (sts.amazonaws.com) on roleArn=arn:aws:iam::111122223333:role/ecsTaskExecutionRole, roleSessionName=ecs-task-4f1d by ecs-tasks.amazonaws.com from ecs-tasks.amazonaws.com"
                ),
            ]
        );
        let denied = &out.records[1];
        assert_eq!(denied.locator.as_deref(), Some("$.Records[1]"));
        assert_eq!(attr(denied, "error_code"), Some("AccessDeniedException"));
        assert_eq!(attr(denied, "user_type"), Some("AssumedRole"));
        assert_eq!(out.records[3].human, Some(false));
        assert_eq!(
            out.records[3].actor.as_deref(),
            Some("ecs-tasks.amazonaws.com")
        );
    }

    #[test]
    fn lookup_events_and_eventbridge_envelopes() {
        let lookup = br#"{"Events": [{"EventId": "e1", "EventName": "StopLogging", "ReadOnly": "false", "EventTime": "2026-10-25T03:44:09+02:00", "EventSource": "cloudtrail.amazonaws.com", "Username": "dana.ops", "CloudTrailEvent": "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"dana.ops\"},\"eventTime\":\"2026-10-25T01:44:09Z\",\"eventSource\":\"cloudtrail.amazonaws.com\",\"eventName\":\"StopLogging\",\"sourceIPAddress\":\"198.51.100.23\",\"requestParameters\":{\"name\":\"main\"},\"eventID\":\"e1\"}"}]}"#;
        assert_eq!(CloudTrail.sniff(lookup), Some(90));
        let out = run(&CloudTrail, lookup);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2026-10-25T01:44:09.000000Z");
        assert_eq!(out.records[0].locator.as_deref(), Some("$.Events[0]"));
        assert_eq!(
            out.records[0].message,
            "StopLogging (cloudtrail.amazonaws.com) on name=main by dana.ops from 198.51.100.23"
        );

        let bridge = br#"{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","time":"2026-10-25T01:50:00Z","detail":{"eventTime":"2026-10-25T01:49:58Z","eventName":"DeleteUser","eventSource":"iam.amazonaws.com","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"errorCode":"InternalFailure","eventID":"e2"}}"#;
        let out = run(&CloudTrail, bridge);
        assert_eq!(out.records[0].locator.as_deref(), Some("$.detail"));
        assert_eq!(out.records[0].level, Some(Level::Error));
        assert_eq!(
            out.records[0].actor.as_deref(),
            Some("arn:aws:iam::111122223333:root")
        );
    }

    #[test]
    fn one_record_per_line() {
        let mut lines = String::new();
        for i in 0..120 {
            lines.push_str(&format!(
                "{{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-10-25T01:{:02}:{:02}Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":\"eu-central-1\",\"userIdentity\":{{\"type\":\"IAMUser\",\"userName\":\"app\"}},\"eventID\":\"id-{i}\"}}\n",
                i / 60,
                i % 60
            ));
        }
        let out = run(&CloudTrail, lines.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 120);
        assert_eq!(utc(&out.records[61]), "2026-10-25T01:01:01.000000Z");
        assert_eq!(out.records[61].line, Some(62));
        assert_eq!(out.records[61].locator.as_deref(), Some("document 62 $"));
    }

    #[test]
    fn unreadable_records_become_problems() {
        let input = br#"{"Records": [
 {"eventName": "A", "eventTime": "whenever"},
 {"eventName": "B"},
 {"eventTime": "2026-10-25T01:44:09Z"},
 {"CloudTrailEvent": "not json", "EventName": "C"},
 {"eventName": "D", "eventTime": "2026-10-25T01:44:09Z"}
]}"#;
        let out = run(&CloudTrail, input);
        assert_eq!(out.records.len(), 1);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5)]);
        assert_eq!(out.problems[2].locator.as_deref(), Some("$.Records[2]"));
        assert_eq!(run(&CloudTrail, b"[1, 2]").problems.len(), 2);
        assert_eq!(run(&CloudTrail, b"{\"Records\": [").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        for own in [STOP, LOGIN, IAM, EC2, S3_FILE] {
            assert_eq!(CloudTrail.sniff(own), Some(95));
        }
        assert_eq!(CloudTrail.sniff(&EC2[..1500]), Some(95));
        assert_rejects(
            &CloudTrail,
            &[
            &br#"{"time":"2026-10-25T01:41:02Z","level":"warn","msg":"StopLogging","eventName":"x"}"#[..],
            b"Oct 11 22:14:15 mymachine aws[1]: eventName=StopLogging eventSource=cloudtrail\n",
            br#"[{"type":"message","user":"U024BE7LH","text":"who ran StopLogging?","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            br#"{"Records":[{"eventName":"A","eventSource":"s3.amazonaws.com","eventID":"1","eventTime":"late"}]}"#,
            ],
        );
    }

    never_panics!(CloudTrail);
}
