//! Log-platform exports (issue 15): every sample of `../shared/corpus`
//! that holds timestamped records is detected from its first 64 KiB, as
//! the pipeline does, and parsed whole; each record's UTC time is checked
//! against the value written in the file. Samples without timestamped
//! records (a scroll page of music artists, a `stats` export stream, a
//! partial-error response) are parsed by their format's parser and must
//! say what they did not read. Our own fixtures (`fixtures/<id>/`) cover
//! the variants the corpus lacks.

use std::path::{Path, PathBuf};

use factline_parsers::time::{format_utc, TimeValue};
use factline_parsers::{Collected, Level};
use serde_json::Value;

use crate::util::{detected_id, parser, read_as, times, utc};

/// Detects `path` and parses it with the parser detected, which must be `id`.
fn detected(path: &Path, id: &str) -> Collected {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_as(&bytes, id, &path.display().to_string())
}

/// Parses `path` with parser `id` without detection; the file must not be
/// detected as anything (it has no timestamp to show).
fn parsed_undetected(path: &Path, id: &str) -> Collected {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(detected_id(&bytes), None, "{}", path.display());
    let mut out = Collected::default();
    parser(id).parse(&bytes, &mut out);
    out
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("readable")).expect("JSON")
}

fn corpus() -> Option<PathBuf> {
    crate::outside::corpus("the log-platform corpus samples")
}

#[test]
fn elasticsearch_search_response_and_scroll_page() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("es-search/es_spec_search_response_example.json"),
        "elasticsearch",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let [record] = out.records.as_slice() else {
        panic!("{:?}", out.records)
    };
    // `@timestamp` has no zone: naive, for the pipeline to resolve.
    assert!(
        matches!(record.time.value, TimeValue::Local(t) if t.to_string() == "2099-11-15 14:12:12"),
        "{:?}",
        record.time
    );
    assert_eq!(record.message, "GET /search HTTP/1.1 200 1070000");
    assert_eq!(record.locator.as_deref(), Some("$.hits.hits[0]"));
    assert_eq!(record.identifiers, ["0"]);

    let scroll = parsed_undetected(
        &dir.join("es-search/eshadoop_scroll_page_es1x.json"),
        "elasticsearch",
    );
    assert!(scroll.records.is_empty());
    assert_eq!(scroll.problems.len(), 4, "{:?}", scroll.problems);
    assert_eq!(
        scroll.problems[3].locator.as_deref(),
        Some("$.hits.hits[3]")
    );
}

#[test]
fn loki_query_range_every_line_at_its_nanosecond_time() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("loki/netobserv_query_range_streams_flows.json");
    let out = detected(&path, "loki");
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let mut expected = Vec::new();
    let mut locators = Vec::new();
    for (s, stream) in json(&path)["data"]["result"]
        .as_array()
        .expect("result")
        .iter()
        .enumerate()
    {
        for (v, value) in stream["values"]
            .as_array()
            .expect("values")
            .iter()
            .enumerate()
        {
            let ns: i64 = value[0].as_str().expect("ns").parse().expect("digits");
            expected.push(format_utc(ns / 1000));
            locators.push(format!("$.data.result[{s}].values[{v}]"));
        }
    }
    assert_eq!(expected.len(), 100);
    assert_eq!(times(&out), expected);
    let found: Vec<&str> = out
        .records
        .iter()
        .filter_map(|r| r.locator.as_deref())
        .collect();
    assert_eq!(found, locators);
    assert_eq!(times(&out)[0], "2022-11-07T15:43:31.111000Z");
    assert_eq!(
        out.records[0].service.as_deref(),
        Some("netobserv-flowcollector")
    );
}

#[test]
fn cloudwatch_events_and_insights() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("cloudwatch/awscli_filter_log_events.json"),
        "cloudwatch-logs",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    // timestamps 1712567843827 and 1712568068991 (epoch ms)
    assert_eq!(
        times(&out),
        ["2024-04-08T09:17:23.827000Z", "2024-04-08T09:21:08.991000Z"]
    );
    assert_eq!(out.records[0].message, "Test MESSAGE1");

    let out = detected(
        &dir.join("cloudwatch/lambda_devguide_get_log_events.json"),
        "cloudwatch-logs",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        times(&out),
        [
            "2019-06-05T19:30:03.171000Z",
            "2019-06-05T19:30:03.173000Z",
            "2019-06-05T19:30:03.173000Z",
            "2019-06-05T19:30:03.218000Z",
            "2019-06-05T19:30:03.218000Z"
        ]
    );
    // The function's own lines are read as the Lambda runtime writes them:
    // time, request id, level, message.
    let event = &out.records[2];
    assert_eq!(event.message, "EVENT\r{\r  \"key\": \"value\"\r}");
    assert_eq!(event.level, Some(factline_parsers::Level::Info));
    assert!(event
        .attributes
        .contains(&("line_format".into(), "aws-lambda".to_string())));
    assert!(event.attributes.contains(&(
        "request_id".into(),
        "4ce9340a-b765-490f-ad8a-02ab3415e2bf".to_string()
    )));

    let out = detected(
        &dir.join("cloudwatch/awscli_insights_get_query_results.json"),
        "cloudwatch-insights",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        times(&out),
        [
            "2024-05-19T06:10:35.743000Z",
            "2024-05-19T06:10:27.559000Z",
            "2024-05-19T06:10:16.682000Z"
        ]
    );
    assert_eq!(out.records[2].message, "Test BENCHMARK 1");
}

#[test]
fn gcp_log_entries_one_per_line() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("gcp-logging/plaso_gcp_logging.jsonl"),
        "gcp-logging",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        times(&out),
        [
            "2021-10-19T02:57:47.339377Z",
            "2021-10-19T02:57:39.354769Z",
            "2021-10-19T02:55:51.658015Z",
            "2021-10-19T02:55:46.097818Z",
            "2021-10-19T02:43:48.064377Z",
            "2021-10-19T02:42:22.986298Z",
            "2021-10-19T02:42:13.839954Z",
            "2021-10-19T02:05:41.496590Z",
            "2021-10-19T02:04:00.272384Z",
            "2024-04-26T20:10:10.024055Z",
            "2024-12-03T17:58:44.882119Z"
        ]
    );
    assert_eq!(out.records[0].identifiers, ["iv9wx9d16l2"]);
    assert_eq!(
        out.records[0].actor.as_deref(),
        Some("fakeemailxyz@gmail.com")
    );
}

#[test]
fn azure_monitor_tables_and_partial_errors() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("azure-monitor/rest_api_specs_query_usage_table.json"),
        "azure-monitor",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        times(&out),
        ["2017-08-24T06:59:59.000000Z", "2017-08-24T06:59:59.000000Z"]
    );
    assert_eq!(out.records[0].host.as_deref(), Some("ContosoSQLSrv1"));

    let out = detected(
        &dir.join("azure-monitor/sdk_recording_query_timegenerated_dynamic.json"),
        "azure-monitor",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    // "2022-11-09T07:39:09.5776558Z": seven digits, kept to the microsecond.
    assert_eq!(times(&out), ["2022-11-09T07:39:09.577655Z"; 3]);

    let out = parsed_undetected(
        &dir.join("azure-monitor/sdk_recording_query_partial_error.json"),
        "azure-monitor",
    );
    assert!(out.records.is_empty());
    let reasons: Vec<&str> = out.problems.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].contains("without a datetime column: 1 rows"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("PartialError") && reasons[1].contains("E_OVERFLOW"),
        "{reasons:?}"
    );
}

#[test]
fn datadog_log_pages() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("datadog/logs_v2_search_page1.json"),
        "datadog-logs",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        times(&out),
        ["2022-04-11T16:29:47.000000Z", "2022-04-11T16:29:47.401000Z"]
    );
    assert_eq!(
        out.records[0].host.as_deref(),
        Some("05f9b9df-ae45-4c8b-66bf-e24c")
    );
    let out = detected(
        &dir.join("datadog/logs_v2_search_page2.json"),
        "datadog-logs",
    );
    // The access line says 16:29:47 UTC to the second: the platform's
    // milliseconds are finer and agree.
    assert_eq!(times(&out), ["2022-04-11T16:29:47.402000Z"]);
    let out = detected(
        &dir.join("datadog/logs_v2_list_events_page2.json"),
        "datadog-logs",
    );
    assert_eq!(times(&out), ["2022-04-12T09:51:55.000000Z"]);
    let incidents = std::fs::read(dir.join("datadog/incidents_v2_list.json")).expect("readable");
    assert_ne!(detected_id(&incidents).as_deref(), Some("datadog-logs"));
}

#[test]
fn splunk_results_json_csv_and_export_stream() {
    let Some(dir) = corpus() else { return };
    let out = detected(
        &dir.join("splunk/sdk_java_oneshot_results_v5.json"),
        "splunk-json",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    // _time "2012-11-27T16:30:06.140-08:00"
    assert_eq!(times(&out), ["2012-11-28T00:30:06.140000Z"]);
    assert_eq!(out.records[0].host.as_deref(), Some("dfoster-mbp17.local"));
    let out = detected(
        &dir.join("splunk/sdk_java_oneshot_results.csv"),
        "splunk-csv",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    // _time "2012-11-27T16:29:39.149-08:00"; _raw an access line of that time
    assert_eq!(times(&out), ["2012-11-28T00:29:39.149000Z"]);
    let out = parsed_undetected(
        &dir.join("splunk/sdk_java_export_stream.jsonl"),
        "splunk-json",
    );
    assert!(out.records.is_empty());
    assert!(out
        .problems
        .iter()
        .all(|p| p.reason.contains("without _time") || p.reason.contains("preview")));
    assert!(out
        .problems
        .last()
        .is_some_and(|p| p.reason.contains("preview results not read")));
}

#[test]
fn own_fixtures_of_the_variants_the_corpus_lacks() {
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"));
    let check = |file: &str, id: &str, expected: &[&str]| {
        let out = detected(&fixtures.join(file), id);
        assert!(out.problems.is_empty(), "{file}: {:?}", out.problems);
        assert_eq!(times(&out), expected, "{file}");
        out
    };
    let out = check(
        "elasticsearch/search_after_page_ecs.json",
        "elasticsearch",
        &[
            "2026-11-20T09:58:12.431000Z",
            "2026-11-20T09:58:13.002000Z",
            "2026-11-20T09:58:14.120000Z",
        ],
    );
    assert_eq!(out.records[1].host.as_deref(), Some("lb-1"));
    assert_eq!(out.records[2].message, "circuit breaker open");
    check(
        "elasticsearch/hits.ndjson",
        "elasticsearch",
        &["2026-11-20T09:58:20.000000Z", "2026-11-20T09:58:21.250000Z"],
    );
    check(
        "loki-logcli/query_output.jsonl",
        "loki-logcli",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:13.500000Z"],
    );
    check(
        "loki-logcli/query_output_default.txt",
        "loki-logcli",
        &["2026-11-20T09:58:12.000000Z", "2026-11-20T09:58:14.000000Z"],
    );
    check(
        "cloudwatch-insights-csv/insights_export.csv",
        "cloudwatch-insights-csv",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:15.002000Z"],
    );
    check(
        "datadog-logs-csv/log_explorer_export.csv",
        "datadog-logs-csv",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:13.002000Z"],
    );
    let out = check(
        "azure-monitor/az_cli_query.json",
        "azure-monitor",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:14.009000Z"],
    );
    assert_eq!(out.records[0].level, Some(Level::Error));
    assert_eq!(out.records[1].message, "recovered");
    let out = check(
        "csv-log/azure_portal_export.csv",
        "csv-log",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:14.009000Z"],
    );
    assert_eq!(out.records[0].level, Some(Level::Error));
    assert_eq!(out.records[0].host.as_deref(), Some("web-2"));
    // Kibana writes dates in the viewer's zone without naming it: they
    // stay naive for the pipeline to place in an assumed zone.
    let out = detected(
        &fixtures.join("csv-log/kibana_discover_report.csv"),
        "csv-log",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let naive: Vec<String> = out
        .records
        .iter()
        .map(|r| match r.time.value {
            TimeValue::Local(t) => t.to_string(),
            other => panic!("not naive: {other:?}"),
        })
        .collect();
    assert_eq!(
        naive,
        [
            "2026-11-20 09:58:12.431",
            "2026-11-20 09:58:13.002",
            "2026-11-20 09:58:15.120"
        ]
    );
    assert_eq!(out.records[1].level, Some(Level::Warn));
    assert!(out.records[0]
        .message
        .contains("\"http://10.0.3.7:8080/api/cart\""));
    // Grafana's own column is naive; a line's zoned time wins over it.
    let out = detected(
        &fixtures.join("csv-log/grafana_explore_logs.csv"),
        "csv-log",
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(utc(&out.records[0]), "2026-11-20T09:58:12.431000Z");
    assert_eq!(
        out.records[0].message,
        "payment provider timeout provider=acme"
    );
    assert_eq!(out.records[1].message, "retry succeeded");
    assert_eq!(out.records[1].level, Some(Level::Info));
    assert_eq!(out.records[1].service.as_deref(), Some("checkout"));
    let out = check(
        "splunk-csv/search_export.csv",
        "splunk-csv",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:13.000000Z"],
    );
    assert_eq!(out.records[0].message, "payment provider timeout");
    check(
        "splunk-json/export_stream_events.json",
        "splunk-json",
        &["2026-11-20T09:58:12.431000Z", "2026-11-20T09:58:14.120000Z"],
    );
    let out = check(
        "gcp-logging/gcloud_read.json",
        "gcp-logging",
        &["2026-11-20T09:58:12.431870Z"],
    );
    assert_eq!(out.records[0].message, "payment provider timeout");
}
