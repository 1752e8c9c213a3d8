//! Azure Monitor / Log Analytics query results, as the query API (and the
//! SDKs' raw responses) return them: `tables[]`, each with `columns[]`
//! (`name`, `type`) and `rows[][]`. A row's time is its `TimeGenerated`,
//! else its first `datetime` column. A response may carry an `error`
//! beside its tables (`PartialError`: the results may be incomplete); it
//! is a problem, and the tables are still read. The Azure CLI (`az
//! monitor log-analytics query`) writes the rows instead as an array of
//! objects keyed by column, each naming its `TableName`.

use serde_json::value::RawValue;
use serde_json::Value;

use super::InnerLines;
use crate::input::json::{self, problem_at, Element, Head, IndexedInput};
use crate::record::{add_attribute, Kind, Level, RecordSink};
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
/// The time columns of the CLI's rows, best first.
const CLI_TIME_COLUMNS: &[&str] = &["TimeGenerated", "timestamp"];
/// Columns naming the level, best first.
const LEVEL_COLUMNS: &[&str] = &["SeverityLevel", "Level", "SeverityText", "EventLevelName"];

impl Parser for AzureMonitor {
    fn id(&self) -> &str {
        "azure-monitor"
    }

    fn description(&self) -> &str {
        "Azure Monitor / Log Analytics query results (tables[].columns/rows, TimeGenerated) and the Azure CLI's rows"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if h.array {
            // The CLI's rows: every one names its table.
            let time = h.time(CLI_TIME_COLUMNS, |v| match v {
                json::HeadValue::Text(t) => time::text_time(t),
                json::HeadValue::Integer(_) => None,
            });
            return (h.has("TableName") && time.is_some()).then_some(90);
        }
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

    fn untimed(&self, head: &[u8]) -> Option<String> {
        let h = Head::new(head)?;
        (h.has("tables") && h.has("columns") && h.has("rows"))
            .then(|| "an Azure Monitor query result without a datetime column".to_string())
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["tables", "tables[].rows"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        json::each_document(input, sink, |src, doc, sink| {
            if json::first_byte(doc.raw.get().as_bytes()) == Some(b'[') {
                let rows = src.elements(doc.raw, &doc.root).unwrap_or_default();
                read_cli_rows(src, rows, &mut inner, sink);
                return;
            }
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
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    for row in src.nested(table, &["rows"]).unwrap_or_default() {
        let cells: Vec<(&str, Option<String>)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, json::string_or_number(row.value.get(i))))
            .collect();
        read_row(src, &row, &cells, time_at, inner, sink);
    }
}

/// Reads one result row, given as its columns' names and values in
/// order, with the index of its time column.
fn read_row(
    src: &IndexedInput<'_>,
    row: &Element,
    cells: &[(&str, Option<String>)],
    time_at: usize,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let at = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| cells.iter().position(|(c, _)| c == n))
    };
    let cell = |i: Option<usize>| cells.get(i?).and_then(|(_, v)| v.clone());
    let time_name = cells[time_at].0;
    let Some(stamp) = cell(Some(time_at)) else {
        sink.problem(problem_at(row, format!("no {time_name}")));
        return;
    };
    let Some(time) = time::text_time(&stamp) else {
        sink.problem(problem_at(row, format!("unreadable {time_name} {stamp:?}")));
        return;
    };
    let message_at = at(MESSAGE_COLUMNS);
    let mut record = src.record_at(row, Kind::Log, time, String::new());
    record.system = Some("Azure Monitor".into());
    record.host = cell(at(HOST_COLUMNS));
    record.service = cell(at(SERVICE_COLUMNS));
    record.level = cell(at(LEVEL_COLUMNS)).as_deref().and_then(level);
    let mut pairs = Vec::new();
    for (i, (name, value)) in cells.iter().enumerate() {
        if i == time_at || Some(i) == message_at {
            continue;
        }
        if let Some(value) = value {
            pairs.push(format!("{name}={value}"));
            add_attribute(&mut record, name.to_string(), Some(value.as_str()));
        }
    }
    match cell(message_at) {
        Some(message) => {
            record.message = message.clone();
            inner.apply(&mut record, &message);
        }
        None => record.message = pairs.join(" "),
    }
    sink.record(record);
}

/// A level as Log Analytics tables write it: a word, or Application
/// Insights' `SeverityLevel` number (0 verbose … 4 critical).
fn level(text: &str) -> Option<Level> {
    match text.trim() {
        "0" => Some(Level::Debug),
        "1" => Some(Level::Info),
        "2" => Some(Level::Warn),
        "3" => Some(Level::Error),
        "4" => Some(Level::Critical),
        word => super::level(word),
    }
}

/// Reads the Azure CLI's form of a result (`az monitor log-analytics
/// query`): an array of rows as objects keyed by column, each with its
/// `TableName`. The CLI gives no column types, so the time column is
/// `TimeGenerated`, else `timestamp` (Application Insights tables).
fn read_cli_rows(
    src: &IndexedInput<'_>,
    rows: Vec<Element>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    for row in rows {
        // Read raw for the columns' order as written; a `Value` sorts them.
        let raw = src.bytes.get(row.span.clone());
        let members = raw
            .and_then(|bytes| serde_json::from_slice::<&RawValue>(bytes).ok())
            .and_then(|raw| src.members(raw));
        let Some(members) = members else {
            sink.problem(problem_at(&row, "a row that is not an object"));
            continue;
        };
        let cells: Vec<(&str, Option<String>)> = members
            .iter()
            .filter(|(name, _)| name != "TableName")
            .map(|(name, value)| {
                let value = serde_json::from_str::<Value>(value.get()).ok();
                (name.as_str(), json::string_or_number(value.as_ref()))
            })
            .collect();
        let Some(time_at) = CLI_TIME_COLUMNS
            .iter()
            .find_map(|n| cells.iter().position(|(c, _)| c == n))
        else {
            sink.problem(problem_at(&row, "a row without TimeGenerated or timestamp"));
            continue;
        };
        read_row(src, &row, &cells, time_at, inner, sink);
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
    fn cli_rows_keyed_by_column() {
        let text = r#"[
  {"Computer": "web-2", "Message": "connection pool exhausted", "SeverityLevel": "3", "TableName": "PrimaryResult", "TimeGenerated": "2026-11-20T09:58:12.431Z"},
  {"Computer": "web-2", "SeverityLevel": 1, "TableName": "PrimaryResult", "TimeGenerated": "2026-11-20T09:58:14.009Z", "OperationId": "7f3c2b"},
  {"Computer": "web-3", "TableName": "PrimaryResult"}
]"#;
        assert_eq!(AzureMonitor.sniff(text.as_bytes()), Some(90));
        let out = run_str(&AzureMonitor, text);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        assert_eq!(utc(&r[0]), "2026-11-20T09:58:12.431000Z");
        assert_eq!(r[0].message, "connection pool exhausted");
        assert_eq!(r[0].level, Some(crate::Level::Error));
        assert_eq!(r[0].host.as_deref(), Some("web-2"));
        assert_eq!(r[0].locator.as_deref(), Some("$[0]"));
        assert_eq!(r[1].level, Some(crate::Level::Info));
        assert_eq!(
            r[1].message,
            "Computer=web-2 SeverityLevel=1 OperationId=7f3c2b"
        );
        assert_eq!(problem_places(&out), [(Some(4), Some("$[2]"))]);
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
