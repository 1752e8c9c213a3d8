//! Azure Monitor / Log Analytics query results, as the query API (and the
//! SDKs' raw responses) return them: `tables[]`, each with `columns[]`
//! (`name`, `type`) and `rows[][]`. A row's time is its `TimeGenerated`,
//! else its first `datetime` column. A response may carry an `error`
//! beside its tables (`PartialError`: the results may be incomplete); it
//! is a problem, and the tables are still read.

use serde_json::Value;

use super::InnerLines;
use crate::input::json::{self, problem_at, Element, Head, IndexedInput};
use crate::record::{add_attribute, Kind, RecordSink};
use crate::time;
use crate::Parser;

/// Log Analytics query responses.
pub struct AzureMonitor;

/// Columns holding the message, best first.
const MESSAGE_COLUMNS: &[&str] = &[
    "Message",
    "RenderedDescription",
    "SyslogMessage",
    "ResultDescription",
    "Description",
    "Log_s",
    "LogEntry",
];
/// Columns naming the host, best first.
const HOST_COLUMNS: &[&str] = &["Computer", "HostName", "_ResourceId", "ResourceId"];
/// Columns naming the service, best first.
const SERVICE_COLUMNS: &[&str] = &[
    "AppRoleName",
    "ServiceName",
    "ProcessName",
    "Category",
    "Type",
];
/// Columns naming the level, best first.
const LEVEL_COLUMNS: &[&str] = &["SeverityLevel", "Level", "SeverityText", "EventLevelName"];

impl Parser for AzureMonitor {
    fn id(&self) -> &str {
        "azure-monitor"
    }

    fn description(&self) -> &str {
        "Azure Monitor / Log Analytics query results (tables[].columns/rows, TimeGenerated)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("tables")
            && h.has("columns")
            && h.has("rows")
            && h.text_ends_with("type", "datetime"))
        {
            return None;
        }
        super::strings_after(head, "rows")
            .take(500)
            .any(|s| time::text_time(s).is_some())
            .then_some(90)
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["tables", "tables[].rows"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            let Some(root) = src.element(doc.raw, doc.root.clone()) else {
                return;
            };
            match src.nested(&root, &["tables"]) {
                Some(tables) => {
                    for table in tables {
                        read_table(src, &table, &mut inner, sink);
                    }
                }
                None => sink.problem(problem_at(&root, "no tables[] list")),
            }
            if let Some(error) = src.field(&root, "error") {
                sink.problem(problem_at(&error, error_text(&error.value)));
            }
        });
    }
}

/// What an error says, down to its innermost message.
fn error_text(error: &Value) -> String {
    let mut parts = Vec::new();
    let mut at = Some(error);
    while let Some(e) = at {
        let code = json::scalar_text(e, &["code"]).unwrap_or_default();
        let message = json::text(e, &["message"]).unwrap_or_default();
        parts.push(format!("{code}: {message}"));
        at = e
            .get("innererror")
            .or_else(|| e.get("details").and_then(|d| d.get(0)));
    }
    format!("the query reported an error: {}", parts.join(" / "))
}

fn read_table(
    src: &IndexedInput<'_>,
    table: &Element,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let columns: Vec<(String, String)> = table
        .value
        .get("columns")
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    let name = json::text(c, &["name"]).unwrap_or("").to_string();
                    let kind = json::text(c, &["type"]).unwrap_or("").to_string();
                    (name, kind)
                })
                .collect()
        })
        .unwrap_or_default();
    let at = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| columns.iter().position(|(c, _)| c == n))
    };
    let Some(time_at) =
        at(&["TimeGenerated"]).or_else(|| columns.iter().position(|(_, k)| k == "datetime"))
    else {
        let rows = table
            .value
            .get("rows")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if rows > 0 {
            sink.problem(problem_at(
                table,
                format!("a table without a datetime column: {rows} rows not read"),
            ));
        }
        return;
    };
    let (message_at, host_at, service_at, level_at) = (
        at(MESSAGE_COLUMNS),
        at(HOST_COLUMNS),
        at(SERVICE_COLUMNS),
        at(LEVEL_COLUMNS),
    );
    for row in src.nested(table, &["rows"]).unwrap_or_default() {
        let cell = |i: Option<usize>| json::string_or_number(row.value.get(i?));
        let Some(stamp) = cell(Some(time_at)) else {
            sink.problem(problem_at(&row, format!("no {}", columns[time_at].0)));
            continue;
        };
        let Some(time) = time::text_time(&stamp) else {
            sink.problem(problem_at(
                &row,
                format!("unreadable {} {stamp:?}", columns[time_at].0),
            ));
            continue;
        };
        let message = cell(message_at);
        let mut record = src.record_at(&row, Kind::Log, time, String::new());
        record.system = Some("Azure Monitor".to_string());
        record.host = cell(host_at);
        record.service = cell(service_at);
        record.level = cell(level_at).as_deref().and_then(super::level);
        let mut pairs = Vec::new();
        for (i, (name, _)) in columns.iter().enumerate() {
            if i == time_at || Some(i) == message_at {
                continue;
            }
            if let Some(value) = cell(Some(i)) {
                pairs.push(format!("{name}={value}"));
                add_attribute(&mut record, name, Some(value));
            }
        }
        match message {
            Some(message) => {
                record.message = message.clone();
                inner.apply(&mut record, &message);
            }
            None => record.message = pairs.join(" "),
        }
        sink.record(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, never_panics, problem_places, run_str, utc};

    #[test]
    fn rows_with_messages_and_errors() {
        let text = r#"{"tables":[{"name":"PrimaryResult","columns":[
{"name":"TimeGenerated","type":"datetime"},{"name":"Computer","type":"string"},{"name":"SyslogMessage","type":"string"},{"name":"SeverityLevel","type":"string"}],
"rows":[["2025-11-20T10:00:00.1234567Z","vm-1","disk full","err"],[null,"vm-1","x","info"]]},
{"name":"Stats","columns":[{"name":"n","type":"long"}],"rows":[[3]]}],
"error":{"code":"PartialError","message":"some errors","details":[{"code":"EngineError","message":"boom"}]}}"#;
        assert_eq!(AzureMonitor.sniff(text.as_bytes()), Some(90));
        let out = run_str(&AzureMonitor, text);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(utc(r), "2025-11-20T10:00:00.123456Z");
        assert_eq!(r.message, "disk full");
        assert_eq!(r.host.as_deref(), Some("vm-1"));
        assert_eq!(r.level, Some(crate::Level::Error));
        assert_eq!(
            problem_places(&out),
            [
                (Some(3), Some("$.tables[0].rows[1]")),
                (Some(4), Some("$.tables[1]")),
                (Some(5), Some("$.error")),
            ]
        );
        assert!(out.problems[2]
            .reason
            .contains("PartialError: some errors / EngineError: boom"));
    }

    #[test]
    fn sniff_rejects_other_formats() {
        assert_rejects_text(
            &AzureMonitor,
            &[
                "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                "{\"tables\":[{\"columns\":[],\"rows\":[]}]}",
            ],
        );
    }

    never_panics!(AzureMonitor);
}
