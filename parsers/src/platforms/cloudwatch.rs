//! AWS CloudWatch Logs: `aws logs filter-log-events` and `get-log-events`
//! output (`events[]` with `timestamp` in epoch ms, `message`,
//! `logStreamName`, `eventId`), Logs Insights `aws logs get-query-results`
//! (`results[][]` of `{field, value}`) and the Insights console's CSV
//! export (a header of field names, `@timestamp` first).
//!
//! Insights writes `@timestamp` as `2024-05-19 06:10:27.559` without a
//! zone; it is UTC (the Logs Insights query syntax says so), so it is read
//! as UTC. A message is read with the line parser of its own format where
//! one accepts it.

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
    add_attribute(&mut record, "log_stream", json::text(v, &["logStreamName"]));
    add_attribute(&mut record, "log_group", json::text(v, &["logGroupName"]));
    if let Some(id) = json::text(v, &["eventId"]) {
        add_identifier(&mut record, id);
    }
    inner.apply(&mut record, message);
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
    for (name, value) in fields {
        match *name {
            "@timestamp" | "@ptr" => {}
            "@message" => message = Some(*value),
            "@logStream" => add_attribute(&mut record, "log_stream", Some(*value)),
            "@log" => add_attribute(&mut record, "log_group", Some(*value)),
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
    use crate::testing::{assert_rejects_text, attr, never_panics, run_str, utc};

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
