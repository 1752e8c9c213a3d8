//! Datadog Logs: API v2 search and list pages (`POST
//! /api/v2/logs/events/search`, `GET /api/v2/logs/events`: `data[]` of
//! `{"type": "log", "id", "attributes": {timestamp, status, host, service,
//! message, tags[], attributes{}}}`) and the Log Explorer's CSV export
//! (`Date`, `Host`, `Service`, `Status`, `Message` or `Content` columns).
//!
//! The message is the original line when the log was shipped as text; it
//! is read with the line parser of its own format where one accepts it.

use serde_json::Value;

use super::{column, row_record, InnerLines};
use crate::input::csv_rows;
use crate::input::json::{self, problem_at, Head};
use crate::record::{add_attribute, add_identifier, Kind, Problem, Record, RecordSink};
use crate::time;
use crate::Parser;

/// Logs API v2 pages.
pub struct DatadogLogs;

/// Log Explorer CSV exports.
pub struct DatadogLogsCsv;

const SYSTEM: &str = "Datadog";

impl Parser for DatadogLogs {
    fn id(&self) -> &str {
        "datadog-logs"
    }

    fn description(&self) -> &str {
        "Datadog Logs API v2 search/list pages (data[].attributes)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let log = h.has("data")
            && h.has("attributes")
            && json::string_values(head, "type").any(|t| t == "log");
        if !log {
            return None;
        }
        h.time(&["timestamp"], json::head_text_time).map(|_| 95)
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["data"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            let Some(root) = src.element(doc.raw, doc.root.clone()) else {
                return;
            };
            let Some(items) = src.nested(&root, &["data"]) else {
                sink.problem(problem_at(&root, "no data[] list"));
                return;
            };
            for item in items {
                let a = item.value.get("attributes").unwrap_or(&Value::Null);
                let time = match json::time_field(a, "timestamp") {
                    Ok(Some(time)) => time,
                    Ok(None) => {
                        sink.problem(problem_at(&item, "a log without attributes.timestamp"));
                        continue;
                    }
                    Err(reason) => {
                        sink.problem(problem_at(&item, reason));
                        continue;
                    }
                };
                let message = json::str_at(a, &["message"]).unwrap_or("");
                let mut record =
                    src.record_at(&item, Kind::Log, time, message.trim_end().to_string());
                record.level = json::text(a, &["status"]).and_then(super::level);
                record.host = json::text(a, &["host"]).map(str::to_string);
                record.service = json::text(a, &["service"]).map(str::to_string);
                if let Some(id) = json::text(&item.value, &["id"]) {
                    add_identifier(&mut record, id);
                }
                if let Some(Value::Array(tags)) = a.get("tags") {
                    let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
                    add_attribute(&mut record, "tags", Some(tags.join(",")));
                }
                finish(&mut record, message, &mut inner);
                sink.record(record);
            }
        });
    }
}

fn finish(record: &mut Record, message: &str, inner: &mut InnerLines) {
    record.system = Some(SYSTEM.into());
    inner.apply(record, message);
}

/// The Log Explorer's columns, as its CSV header names them.
const CSV_COLUMNS: &[&str] = &["date", "host", "service", "status", "message", "content"];

impl Parser for DatadogLogsCsv {
    fn id(&self) -> &str {
        "datadog-logs-csv"
    }

    fn description(&self) -> &str {
        "Datadog Log Explorer CSV export (Date, Host, Service, Status, Message/Content)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = csv_rows::read(head, b',', Some(2), None);
        let header = &rows.first()?.cells;
        if !header.first()?.trim().eq_ignore_ascii_case("date") {
            return None;
        }
        let known = header.iter().all(|c| {
            CSV_COLUMNS.contains(&c.trim().to_ascii_lowercase().as_str()) || c.starts_with('@')
        });
        let text = column(header, "message").or_else(|| column(header, "content"));
        if !known
            || text.is_none()
            || column(header, "host")
                .or(column(header, "service"))
                .is_none()
        {
            return None;
        }
        time::text_time(rows.get(1)?.cell(Some(0))).map(|_| 90)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        let rows = csv_rows::read(input, b',', None, Some(&mut *sink));
        let Some((header, rows)) = rows.split_first() else {
            return;
        };
        let at = |name: &str| column(&header.cells, name);
        let text = at("message").or_else(|| at("content"));
        for row in rows {
            let Some(time) = time::text_time(row.cell(at("date"))) else {
                sink.problem(Problem {
                    line: Some(row.line),
                    locator: Some(row.locator()),
                    reason: format!("unreadable Date {:?}", row.cell(at("date"))),
                });
                continue;
            };
            let message = row.cell(text);
            let mut record = row_record(row, time, message.to_string());
            let cell = |name: &str| {
                Some(row.cell(at(name)))
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
            };
            record.host = cell("host");
            record.service = cell("service");
            record.level = cell("status").as_deref().and_then(super::level);
            for (name, value) in header.cells.iter().zip(&row.cells) {
                if name.starts_with('@') {
                    add_attribute(
                        &mut record,
                        name.trim_start_matches('@').to_string(),
                        Some(value.trim()),
                    );
                }
            }
            finish(&mut record, message, &mut inner);
            sink.record(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, never_panics, run_str, utc};
    use crate::Level;

    #[test]
    fn explorer_csv() {
        let text = "Date,Host,Service,Status,Message,@http.status_code\n\
                    2025-11-20T10:00:00.123Z,web-1,checkout,error,\"payment provider timeout, retrying\",504\n\
                    not a date,web-1,checkout,info,x,200\n";
        assert_eq!(DatadogLogsCsv.sniff(text.as_bytes()), Some(90));
        let out = run_str(&DatadogLogsCsv, text);
        let r = &out.records[0];
        assert_eq!(utc(r), "2025-11-20T10:00:00.123000Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("checkout"));
        assert_eq!(crate::testing::attr(r, "http.status_code"), Some("504"));
        assert_eq!(out.problems[0].locator.as_deref(), Some("row 3"));
    }

    #[test]
    fn sniffs_reject_other_formats() {
        let others = [
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "Date,Summary,Assignee\n2026-01-01T10:00:00Z,x,y\n",
            r#"{"data":[{"type":"incidents","attributes":{"created":"2026-01-01T10:00:00Z"}}]}"#,
        ];
        assert_rejects_text(&DatadogLogs, &others);
        assert_rejects_text(&DatadogLogsCsv, &others);
    }

    never_panics!(DatadogLogs, DatadogLogsCsv);
}
