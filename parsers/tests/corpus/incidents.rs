//! Status-page and incident-tool samples (Apache-2.0 recordings and
//! documented examples in `../shared/corpus`), checked in place like the
//! other corpus tests: skipped with a note when the corpus is missing, a
//! failure with `FACTLINE_REQUIRE_CORPUS=1`.

use std::path::Path;

use factline_parsers::{Collected, Kind};

use crate::util::{attr, read_as, times, utc};

/// Detects and parses a corpus file; no problems allowed.
fn parse(root: &Path, relative: &str, expected: &str) -> Collected {
    let bytes = std::fs::read(root.join(relative)).expect("corpus file");
    let out = read_as(&bytes, expected, relative);
    assert!(out.problems.is_empty(), "{relative}: {:?}", out.problems);
    out
}

#[test]
fn statuspage_webhook_summaries() {
    let Some(root) = crate::outside::corpus("status-page samples") else {
        return;
    };
    let hook = parse(
        &root,
        "statuspage/webhook_incident_update_resolved.json",
        "statuspage",
    );
    assert_eq!(
        times(&hook),
        ["2017-12-26T07:37:20.785000Z", "2017-12-26T07:32:00.548000Z"]
    );
    let resolved = &hook.records[0];
    assert_eq!(resolved.kind, Kind::Status);
    assert_eq!(attr(resolved, "status"), Some("resolved"));
    assert_eq!(attr(resolved, "audience"), Some("customers"));
    assert!(resolved
        .message
        .starts_with("Resolved: Database query delays: The database issue is resolved."));

    // Times with -07:00 offsets; 73 components and no happening among
    // them; 2 incidents (7 updates) and 9 maintenances of one update each.
    let twilio = parse(
        &root,
        "statuspage/summary_twilio_2020-06-16.json",
        "statuspage",
    );
    assert_eq!(twilio.records.len(), 16);
    assert_eq!(utc(&twilio.records[6]), "2020-06-16T13:41:44.723000Z");
    assert_eq!(utc(&twilio.records[15]), "2020-06-16T00:27:13.089000Z");
    assert_eq!(attr(&twilio.records[15], "status"), Some("scheduled"));
    assert_eq!(utc(&twilio.records[0]), "2020-06-16T21:00:29.019000Z");
    assert_eq!(attr(&twilio.records[0], "status"), Some("investigating"));
    assert_eq!(
        attr(&twilio.records[0], "affected_components"),
        Some("CARRIER NETWORK - SMS, Middle East & Africa: operational → degraded_performance")
    );
    assert_eq!(
        twilio.records[0].actor.as_deref(),
        Some("Twilio status page")
    );

    let example = parse(
        &root,
        "statuspage/summary_docs_example_github.json",
        "statuspage",
    );
    assert_eq!(utc(&example.records[0]), "2014-05-14T20:22:40.301000Z");
    assert_eq!(attr(&example.records[0], "status"), Some("identified"));
    let maintenance = &example.records[1];
    assert_eq!(utc(maintenance), "2014-05-14T20:24:41.913000Z");
    assert_eq!(attr(maintenance, "maintenance"), Some("true"));
}

#[test]
fn aws_incident_manager_timelines() {
    let Some(root) = crate::outside::corpus("Incident Manager samples") else {
        return;
    };
    let one = parse(
        &root,
        "aws-incident-manager/awscli_get_timeline_event.json",
        "aws-incident-manager",
    );
    assert_eq!(times(&one), ["2021-05-21T18:16:57.000000Z"]);
    assert_eq!(one.records[0].message, "Custom Event: Incident Started");
    let list = parse(
        &root,
        "aws-incident-manager/awscli_list_timeline_events.json",
        "aws-incident-manager",
    );
    assert_eq!(
        times(&list),
        [
            "2021-05-21T22:36:13.766000Z",
            "2021-05-21T18:58:46.443000Z",
            "2021-05-21T18:16:59.149000Z",
            "2021-05-21T18:16:58.000000Z",
            "2021-05-21T18:16:57.000000Z",
            "2020-10-01T20:30:00.000000Z",
        ]
    );
    assert_eq!(
        attr(&list.records[3], "event_type"),
        Some("SSM Automation Execution Start Failure for Incident")
    );
}

#[test]
fn datadog_incident_list() {
    let Some(root) = crate::outside::corpus("Datadog incident samples") else {
        return;
    };
    let out = parse(&root, "datadog/incidents_v2_list.json", "datadog-incidents");
    let first = &out.records[0];
    assert_eq!(utc(first), "2025-01-01T00:00:00.000000Z");
    assert_eq!(attr(first, "moment"), Some("detected"));
    assert_eq!(
        first.message,
        "Incident detected: IR-336084 Test-Import_an_incident_returns_CREATED_response-1771015099"
    );
    assert_eq!(utc(&out.records[1]), "2025-01-01T00:00:00.000000Z");
    assert_eq!(attr(&out.records[1], "moment"), Some("declared"));
    // Six incidents, each detected and declared at least.
    assert!(out.records.len() >= 12, "{}", out.records.len());
}

#[test]
fn sentry_webhooks() {
    let Some(root) = crate::outside::corpus("Sentry samples") else {
        return;
    };
    let issue = parse(&root, "sentry/issue_created_for_exception.json", "sentry");
    assert_eq!(times(&issue), ["2020-04-28T13:56:05.903736Z"]);
    let r = &issue.records[0];
    assert_eq!(
        r.message,
        "Exception: Custom exception! (__main__ in <module>)"
    );
    assert_eq!(r.service.as_deref(), Some("zulip-integration-testing"));
    assert_eq!(r.identifiers, ["ZULIP-INTEGRATION-TESTING-2"]);

    let alert = parse(&root, "sentry/event_alert_exception_python.json", "sentry");
    assert_eq!(times(&alert), ["2020-04-28T13:56:05.903736Z"]);
    let e = &alert.records[0];
    assert_eq!(e.kind, Kind::Log);
    assert_eq!(e.level.map(|l| l.as_str()), Some("error"));
    assert_eq!(e.host.as_deref(), Some("hp-pavilion"));
    assert_eq!(
        attr(e, "triggered_rule"),
        Some("Send a webhook payload to Webhook.site")
    );
}
