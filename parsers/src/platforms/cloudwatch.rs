//! AWS CloudWatch Logs: `aws logs filter-log-events` and `get-log-events`
//! output (`events[]` with `timestamp` in epoch ms, `message`,
//! `logStreamName`, `eventId`), Logs Insights `aws logs get-query-results`
//! (`results[][]` of `{field, value}`) and the Insights console's CSV
//! export (a header of field names, `@timestamp` first).
//!
//! Insights writes `@timestamp` as `2024-05-19 06:10:27.559` without a
//! zone; it is UTC (the Logs Insights query syntax says so), so it is read
//! as UTC. A message is read with the line parser of its own format where
//! one accepts it; its log stream stands for the host and its log group
//! for the service where the line names neither.

use serde_json::Value;

use super::{column, row_record, InnerLines};
use crate::input::csv_rows;
use crate::input::json::{self, problem_at, Document, Element, Head, IndexedInput};
use crate::record::{add_attribute, add_identifier, Kind, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

/// filter-log-events and get-log-events output.
pub struct CloudWatchEvents;

/// Logs Insights get-query-results output.
pub struct CloudWatchInsights;

/// The Logs Insights console's CSV export.
pub struct CloudWatchInsightsCsv;

const SYSTEM: &str = "CloudWatch Logs";

impl Parser for CloudWatchEvents {
    fn id(&self) -> &str {
        "cloudwatch-logs"
    }

    fn description(&self) -> &str {
        "AWS CloudWatch Logs filter-log-events / get-log-events output (events[] in epoch ms)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let cloudwatch = h.has("events")
            && h.has("message")
            && (h.has("ingestionTime") || h.has("logStreamName") || h.has("nextForwardToken"));
        if !cloudwatch {
            return None;
        }
        h.time(&["timestamp"], |v| json::head_epoch(v, EpochUnit::Millis))
            .map(|_| 95)
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["events"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            read_events(src, doc, &mut inner, sink)
        });
    }
}

fn read_events(
    src: &IndexedInput<'_>,
    doc: &Document<'_>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let Some(root) = src.element(doc.raw, doc.root.clone()) else {
        return;
    };
    let Some(events) = src.nested(&root, &["events"]) else {
        sink.problem(problem_at(&root, "no events[] list"));
        return;
    };
    for event in events {
        if let Some(record) = event_record(src, &event, inner, sink) {
            sink.record(record);
        }
    }
    // get-log-events answers nextForwardToken and nextBackwardToken even at
    // a stream's end, so only filter-log-events' nextToken (the CLI's
    // NextToken under --max-items) says that more events matched.
    // Cited at the member itself, which a streamed piece holds as the
    // whole file does.
    if let Some(marker) = ["nextToken", "NextToken"]
        .into_iter()
        .find(|key| json::text(&root.value, &[key]).is_some())
    {
        let at = src.field(&root, marker).unwrap_or(root);
        sink.problem(problem_at(&at, json::more_pages("events", marker)));
    }
}

/// Where a line came from when the line itself does not say: its stream is
/// one instance's, container's or function instance's output (an EC2
/// instance id by the agent's default), its group the program's.
fn place(record: &mut Record, stream: Option<&str>, group: Option<&str>) {
    if record.host.is_none() {
        record.host = stream.map(str::to_string);
    }
    if record.service.is_none() {
        record.service = group.map(str::to_string);
    }
}

fn event_record(
    src: &IndexedInput<'_>,
    event: &Element,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) -> Option<Record> {
    let v = &event.value;
    let time = match json::epoch_field(v, "timestamp", EpochUnit::Millis) {
        Ok(Some(time)) => time,
        Ok(None) => {
            sink.problem(problem_at(event, "event without timestamp"));
            return None;
        }
        Err(reason) => {
            sink.problem(problem_at(event, reason));
            return None;
        }
    };
    let message = v.get("message").and_then(Value::as_str).unwrap_or("");
    let mut record = src.record_at(event, Kind::Log, time, message.trim_end().to_string());
    record.system = Some(SYSTEM.into());
    let stream = json::text(v, &["logStreamName"]);
    let group = json::text(v, &["logGroupName"]);
    add_attribute(&mut record, "log_stream", stream);
    add_attribute(&mut record, "log_group", group);
    if let Some(id) = json::text(v, &["eventId"]) {
        add_identifier(&mut record, id);
    }
    inner.apply(&mut record, message);
    place(&mut record, stream, group);
    Some(record)
}

/// An Insights `@timestamp`: UTC, whether or not it says so.
fn insights_time(text: &str) -> Option<Timestamp> {
    let mut time = time::text_time(text)?;
    if let TimeValue::Local(naive) = time.value {
        time.value = TimeValue::Utc(naive.and_utc().timestamp_micros());
    }
    Some(time)
}

/// Fills a record from the fields of one Insights row.
fn insights_record(mut record: Record, fields: &[(&str, &str)], inner: &mut InnerLines) -> Record {
    record.system = Some(SYSTEM.into());
    let mut message = None;
    let (mut stream, mut group) = (None, None);
    for (name, value) in fields {
        match *name {
            "@timestamp" | "@ptr" => {}
            "@message" => message = Some(*value),
            "@logStream" => {
                stream = Some(*value);
                add_attribute(&mut record, "log_stream", Some(*value));
            }
            "@log" => {
                // `123456789012:/ecs/checkout`: the account before the group.
                group = Some(value.split_once(':').map_or(*value, |(_, g)| g));
                add_attribute(&mut record, "log_group", Some(*value));
            }
            other => add_attribute(
                &mut record,
                other.trim_start_matches('@').to_string(),
                Some(*value),
            ),
        }
    }
    match message {
        Some(message) => {
            record.message = message.trim_end().to_string();
            inner.apply(&mut record, message);
        }
        None => {
            let pairs: Vec<String> = fields
                .iter()
                .filter(|(n, _)| !matches!(*n, "@timestamp" | "@ptr"))
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            record.message = pairs.join(" ");
        }
    }
    place(&mut record, stream, group);
    record
}

impl Parser for CloudWatchInsights {
    fn id(&self) -> &str {
        "cloudwatch-insights"
    }

    fn description(&self) -> &str {
        "AWS CloudWatch Logs Insights get-query-results output (results[][] of field/value)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("results") && h.has("field") && h.has("value")) {
            return None;
        }
        let stamped = super::strings_after(head, "results")
            .take(200)
            .collect::<Vec<_>>()
            .windows(3)
            .any(|w| w[0] == "@timestamp" && w[1] == "value" && insights_time(w[2]).is_some());
        stamped.then_some(95)
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["results"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            let Some(root) = src.element(doc.raw, doc.root.clone()) else {
                return;
            };
            let Some(rows) = src.nested(&root, &["results"]) else {
                sink.problem(problem_at(&root, "no results[] list"));
                return;
            };
            for row in rows {
                let fields: Vec<(&str, &str)> = row
                    .value
                    .as_array()
                    .map(|cells| {
                        cells
                            .iter()
                            .filter_map(|c| {
                                Some((c.get("field")?.as_str()?, c.get("value")?.as_str()?))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let stamp = fields.iter().find(|(n, _)| *n == "@timestamp");
                let Some(time) = stamp.and_then(|(_, v)| insights_time(v)) else {
                    sink.problem(problem_at(&row, "row without a readable @timestamp"));
                    continue;
                };
                let record = src.record_at(&row, Kind::Log, time, String::new());
                sink.record(insights_record(record, &fields, &mut inner));
            }
        });
    }
}

impl Parser for CloudWatchInsightsCsv {
    fn id(&self) -> &str {
        "cloudwatch-insights-csv"
    }

    fn description(&self) -> &str {
        "AWS CloudWatch Logs Insights CSV export (@timestamp, @message, … columns)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = csv_rows::read(head, b',', Some(2), None);
        let header = &rows.first()?.cells;
        let at = column(header, "@timestamp")?;
        if !header.iter().all(|c| c.starts_with('@')) {
            return None;
        }
        insights_time(rows.get(1)?.cell(Some(at))).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        let rows = csv_rows::read(input, b',', None, Some(&mut *sink));
        let Some((header, rows)) = rows.split_first() else {
            return;
        };
        let at = column(&header.cells, "@timestamp");
        for row in rows {
            let Some(time) = insights_time(row.cell(at)) else {
                sink.problem(crate::record::Problem {
                    line: Some(row.line),
                    locator: Some(row.locator()),
                    reason: format!("unreadable @timestamp {:?}", row.cell(at)),
                });
                continue;
            };
            let fields: Vec<(&str, &str)> = header
                .cells
                .iter()
                .zip(&row.cells)
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(n, v)| (n.trim(), v.as_str()))
                .collect();
            let record = row_record(row, time, String::new());
            sink.record(insights_record(record, &fields, &mut inner));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, problem_reasons, run_str, utc};

    #[test]
    fn events_with_lines_of_their_own_format() {
        let text = r#"{"events": [
 {"logStreamName": "web/1", "timestamp": 1763633400000, "message": "2025-11-20T10:10:00Z ERROR upstream down\n", "ingestionTime": 1763633400100, "eventId": "3"},
 {"logStreamName": "web/1", "timestamp": 1763633401250, "message": "START RequestId: 4ce9\n", "ingestionTime": 1763633401300, "eventId": "4"},
 {"logStreamName": "web/1", "message": "no time"}
], "searchedLogStreams": []}"#;
        assert_eq!(CloudWatchEvents.sniff(text.as_bytes()), Some(95));
        let out = run_str(&CloudWatchEvents, text);
        assert_eq!(out.records.len(), 2);
        assert_eq!(utc(&out.records[0]), "2025-11-20T10:10:00.000000Z");
        assert_eq!(out.records[0].message, "upstream down");
        assert_eq!(out.records[0].level, Some(crate::Level::Error));
        assert_eq!(attr(&out.records[0], "log_stream"), Some("web/1"));
        assert_eq!(out.records[1].message, "START RequestId: 4ce9");
        assert_eq!(out.problems[0].locator.as_deref(), Some("$.events[2]"));
    }

    #[test]
    fn streams_name_hosts_and_a_next_token_says_more_pages() {
        let text =
            include_str!("../../../fixtures/cloudwatch-logs/own_filter_log_events_next_token.json");
        let out = run_str(&CloudWatchEvents, text);
        let [instance, task, plain] = &out.records[..] else {
            panic!("{:?}", out.records);
        };
        assert_eq!(utc(instance), "2026-11-20T22:23:11.204000Z");
        assert_eq!(
            instance.message,
            "checkout-api upstream payments timed out after 5000ms"
        );
        assert_eq!(instance.host.as_deref(), Some("i-0a7c41e9d2b3f5816"));
        assert_eq!(attr(instance, "log_stream"), Some("i-0a7c41e9d2b3f5816"));
        // The line names its host: the stream does not override it.
        assert_eq!(utc(task), "2026-11-20T22:23:10.877000Z");
        assert_eq!(task.message, "payments client: circuit open");
        assert_eq!(
            task.host.as_deref(),
            Some("ip-10-0-12-7.eu-west-1.compute.internal")
        );
        let stream = "checkout/checkout-api/8f14e45fceea167a5a36dedd4bea2543";
        assert_eq!(attr(task, "log_stream"), Some(stream));
        assert_eq!(utc(plain), "2026-11-20T22:23:10.101000Z");
        assert_eq!(plain.host.as_deref(), Some(stream));
        assert_eq!(plain.service, None);
        assert_eq!(
            problem_reasons(&out),
            [(
                Some("$.nextToken"),
                "more events not in this export: the response has nextToken — fetch every page"
            )]
        );

        // get-log-events always answers both stream tokens: no more pages.
        let last_page = r#"{"events": [{"timestamp": 1795213391204, "message": "done", "ingestionTime": 1795213391733}],
            "nextForwardToken": "f/3791244611", "nextBackwardToken": "b/3791244610"}"#;
        let out = run_str(&CloudWatchEvents, last_page);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records[0].host, None);

        let grouped = r#"{"events": [{"logGroupName": "/ecs/checkout-api", "logStreamName": "ecs/api/77e1", "timestamp": 1795213391204, "message": "started"}]}"#;
        let out = run_str(&CloudWatchEvents, grouped);
        assert_eq!(out.records[0].service.as_deref(), Some("/ecs/checkout-api"));
        assert_eq!(out.records[0].host.as_deref(), Some("ecs/api/77e1"));
    }

    #[test]
    fn insights_csv_is_utc() {
        let text = "@timestamp,@message,@logStream,@log\n\
                    2024-05-19 06:10:27.559,Test BENCHMARK 2,TestStream,123:test\n\
                    2024-05-19 06:10:16.682,\"a, b\",TestStream,123:test\n";
        assert_eq!(CloudWatchInsightsCsv.sniff(text.as_bytes()), Some(95));
        let out = run_str(&CloudWatchInsightsCsv, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2024-05-19T06:10:27.559000Z");
        assert_eq!(out.records[1].message, "a, b");
        assert_eq!(out.records[1].locator.as_deref(), Some("row 3"));
        assert_eq!(attr(&out.records[1], "log_group"), Some("123:test"));
        assert_eq!(out.records[1].service.as_deref(), Some("test"));
        assert_eq!(out.records[1].host.as_deref(), Some("TestStream"));
    }

    #[test]
    fn sniffs_reject_other_formats() {
        let others = [
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "{\"events\": [{\"timestamp\": \"2026-01-01T10:00:00Z\", \"message\": \"x\"}]}",
            "timestamp,message\n2026-01-01T10:00:00Z,x\n",
        ];
        assert_rejects_text(&CloudWatchEvents, &others);
        assert_rejects_text(&CloudWatchInsights, &others);
        assert_rejects_text(&CloudWatchInsightsCsv, &others);
    }

    never_panics!(CloudWatchEvents, CloudWatchInsights, CloudWatchInsightsCsv);
}
