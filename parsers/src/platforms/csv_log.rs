//! Log search results saved as CSV by the tools people search logs with,
//! when no product-specific reader knows the file: Kibana and OpenSearch
//! Dashboards Discover reports (`"@timestamp",host.name,message` with
//! `"Nov 20, 2026 @ 10:07:33.250"`), the Azure portal's Log Analytics
//! export (`TimeGenerated [UTC]`, `11/20/2026, 10:07:33.250 AM`), Grafana
//! Explore's log download (`Time`, `Line`), and any sheet of log rows with
//! a time column.
//!
//! A row is an event at the time of its time column. Its message is the
//! message column (read as the original line when a line parser knows
//! it), else the row's other cells as `name=value`, so that a report of
//! chosen fields (`clientip`, `status`) still says what happened. A
//! header that names UTC (`[UTC]`, `(UTC)`) makes its naive times UTC;
//! otherwise they carry no zone, as the tool wrote them in the viewer's
//! zone, and the pipeline assumes and flags one.

use super::{level, row_record, InnerLines};
use crate::input::csv_rows::{self, CsvRow};
use crate::record::{add_attribute, Problem, Record, RecordSink};
use crate::tickets::{DateReader, DayOrder};
use crate::time::{self, TimeValue, Timestamp};
use crate::Parser;

/// CSV log search results.
pub struct CsvLog;

/// Names of the time column, best first (compared without case and
/// without a `[UTC]`-style suffix).
const TIME_NAMES: &[&str] = &[
    "@timestamp",
    "timestamp",
    "_time",
    "time",
    "timegenerated",
    "datetime",
    "date",
    "eventtime",
    "event_time",
    "ts",
    "@t",
    "_messagetime",
];
/// Names of a column holding the message or the original line.
const MESSAGE_NAMES: &[&str] = &[
    "message",
    "@message",
    "msg",
    "_raw",
    "line",
    "log",
    "event.original",
    "log.original",
    "text",
    "body",
    "content",
    "syslogmessage",
    "rendereddescription",
    "textpayload",
    "jsonpayload.message",
    "_source",
];
const LEVEL_NAMES: &[&str] = &[
    "level",
    "log.level",
    "severity",
    "severitytext",
    "severity_text",
    "severitylevel",
    "loglevel",
    "lvl",
    "status",
];
const HOST_NAMES: &[&str] = &[
    "host",
    "host.name",
    "hostname",
    "computer",
    "instance",
    "node",
    "pod",
    "kubernetes.pod.name",
    "k8s.pod.name",
    "_sourcehost",
];
const SERVICE_NAMES: &[&str] = &[
    "service",
    "service.name",
    "app",
    "application",
    "container",
    "kubernetes.container.name",
    "k8s.container.name",
    "component",
    "program",
    "_sourcecategory",
];

/// Rows the day order of numeric dates is learnt from.
const DAY_ORDER_ROWS: usize = 200;

/// Where a file's columns are.
struct Columns {
    time: usize,
    /// The time column's header names UTC.
    utc: bool,
    message: Option<usize>,
    level: Option<usize>,
    host: Option<usize>,
    service: Option<usize>,
}

/// A header cell without case, quotes and a zone suffix, and whether
/// that suffix named UTC (`TimeGenerated [UTC]`, `Time (UTC)`).
fn bare_name(cell: &str) -> (String, bool) {
    let name = cell.trim().to_ascii_lowercase();
    for suffix in [" [utc]", " (utc)", " utc"] {
        if let Some(bare) = name.strip_suffix(suffix) {
            return (bare.trim().to_string(), true);
        }
    }
    (name, false)
}

impl Columns {
    /// The columns of `header`, when it has a time column and another.
    fn of(header: &[String]) -> Option<Columns> {
        let names: Vec<(String, bool)> = header.iter().map(|c| bare_name(c)).collect();
        let find = |wanted: &[&str]| {
            wanted
                .iter()
                .find_map(|w| names.iter().position(|(name, _)| name == w))
        };
        let time = find(TIME_NAMES)?;
        if header.len() < 2 || header.iter().any(|c| c.trim().is_empty()) {
            return None;
        }
        Some(Columns {
            time,
            utc: names[time].1,
            message: find(MESSAGE_NAMES),
            level: find(LEVEL_NAMES),
            host: find(HOST_NAMES),
            service: find(SERVICE_NAMES),
        })
    }

    fn named(&self, index: usize) -> bool {
        index == self.time
            || [self.message, self.level, self.host, self.service].contains(&Some(index))
    }
}

/// Reads a time cell: ISO 8601 and the other text layouts, the date
/// layouts search tools write (through [`DateReader`]), or epoch digits
/// (Sumo Logic's `_messagetime` in milliseconds).
fn read_time(cell: &str, dates: &DateReader, utc: bool) -> Option<Timestamp> {
    let mut ts = time::text_time(cell)
        .or_else(|| dates.read(cell))
        .or_else(|| {
            (cell.len() >= 9 && cell.bytes().all(|b| b.is_ascii_digit()))
                .then(|| time::parse_epoch(cell, None))
                .flatten()
        })?;
    if let (true, TimeValue::Local(naive)) = (utc, &ts.value) {
        ts.value = TimeValue::Utc(naive.and_utc().timestamp_micros());
    }
    Some(ts)
}

impl Parser for CsvLog {
    fn id(&self) -> &str {
        "csv-log"
    }

    fn description(&self) -> &str {
        "Log search results as CSV with a time column (Kibana/OpenSearch Discover reports, Azure portal, Grafana Explore, generic)"
    }

    fn specificity(&self) -> u8 {
        // Below every product's own CSV reader, which knows its columns.
        50
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = csv_rows::read(head, csv_rows::delimiter(head), Some(2), None);
        let columns = Columns::of(&rows.first()?.cells)?;
        let cell = rows.get(1)?.cell(Some(columns.time));
        let dates = DateReader::new(DayOrder::of([cell]));
        read_time(cell, &dates, columns.utc).map(|_| 60)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let rows = csv_rows::read(input, csv_rows::delimiter(input), None, Some(&mut *sink));
        let Some((header, rows)) = rows.split_first() else {
            return;
        };
        let Some(columns) = Columns::of(&header.cells) else {
            sink.problem(Problem {
                line: Some(header.line),
                locator: Some(header.locator()),
                reason: "no time column in the header".to_string(),
            });
            return;
        };
        let order = DayOrder::of(
            rows.iter()
                .take(DAY_ORDER_ROWS)
                .map(|row| row.cell(Some(columns.time))),
        );
        let dates = DateReader::new(order);
        let mut inner = InnerLines::default();
        for row in rows {
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cell = row.cell(Some(columns.time));
            match read_time(cell, &dates, columns.utc) {
                Some(time) => sink.record(read_row(row, time, &header.cells, &columns, &mut inner)),
                None => sink.problem(Problem {
                    line: Some(row.line),
                    locator: Some(row.locator()),
                    reason: format!("unreadable {} {cell:?}", header.cells[columns.time].trim()),
                }),
            }
        }
    }
}

fn read_row(
    row: &CsvRow,
    time: Timestamp,
    header: &[String],
    columns: &Columns,
    inner: &mut InnerLines,
) -> Record {
    let others = || {
        header
            .iter()
            .zip(&row.cells)
            .enumerate()
            .filter(|(i, (_, value))| !columns.named(*i) && !value.trim().is_empty())
            .map(|(_, (name, value))| (name.trim(), value.trim()))
    };
    let line = row.cell(columns.message);
    let message = if line.is_empty() {
        others()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        line.to_string()
    };
    let mut record = row_record(row, time, message);
    let cell = |index: Option<usize>| Some(row.cell(index)).filter(|c| !c.is_empty());
    record.level = cell(columns.level).and_then(level);
    record.host = cell(columns.host).map(str::to_string);
    record.service = cell(columns.service).map(str::to_string);
    if !line.is_empty() {
        for (name, value) in others() {
            add_attribute(&mut record, name.to_string(), Some(value));
        }
        inner.apply(&mut record, line);
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, run_str, utc};
    use crate::Level;

    #[test]
    fn kibana_report_of_chosen_fields() {
        let text = "\"@timestamp\",clientip,\"http.response.status_code\"\n\
                    \"Sep 20, 2015 @ 10:26:48.725\",\"74.214.76.90\",503\n\
                    \"Sep 20, 2015 @ 10:26:48.540\",\"146.86.123.109\",200\n";
        assert_eq!(CsvLog.sniff(text.as_bytes()), Some(60));
        let out = run_str(&CsvLog, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert!(
            matches!(r.time.value, TimeValue::Local(t) if t.to_string() == "2015-09-20 10:26:48.725"),
            "{:?}",
            r.time
        );
        assert_eq!(r.time.precision, time::Precision::Milli);
        assert_eq!(
            r.message,
            "clientip=74.214.76.90 http.response.status_code=503"
        );
        assert_eq!(r.locator.as_deref(), Some("row 2"));
        assert_eq!(r.line, Some(2));
    }

    #[test]
    fn azure_portal_export_in_utc_with_a_message() {
        let text = "TimeGenerated [UTC],Computer,SeverityLevel,Message,OperationId\n\
                    \"11/20/2026, 1:07:33.250 PM\",web-2,Error,\"pool exhausted, 30 waiting\",op-7\n\
                    \"11/20/2026, 1:07:34.000 PM\",web-2,Information,recovered,op-8\n\
                    never,web-2,Error,x,op-9\n";
        let out = run_str(&CsvLog, text);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        assert_eq!(utc(&r[0]), "2026-11-20T13:07:33.250000Z");
        assert_eq!(r[0].message, "pool exhausted, 30 waiting");
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].host.as_deref(), Some("web-2"));
        assert_eq!(attr(&r[0], "OperationId"), Some("op-7"));
        assert_eq!(r[1].level, Some(Level::Info));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("row 4"));
        assert!(out.problems[0].reason.contains("TimeGenerated [UTC]"));
    }

    #[test]
    fn grafana_lines_are_read_with_their_own_format() {
        let text = "Time,Line,pod\n\
                    2026-11-20T10:00:00.250Z,\"level=error msg=\"\"db down\"\" attempt=3\",api-7d9f\n";
        let out = run_str(&CsvLog, text);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-11-20T10:00:00.250000Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "db down attempt=3");
        assert_eq!(r.host.as_deref(), Some("api-7d9f"));
        assert_eq!(attr(r, "line_format"), Some("logfmt"));
    }

    #[test]
    fn sniff_rejects_other_formats() {
        assert_rejects_text(
            &CsvLog,
            &[
                "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                "name,role,start,end\nAda,primary,2026-01-01 09:00,2026-01-01 17:00\n",
                "time,value\nyesterday,3\n",
                "2026-01-01T10:00:00Z host app: message\n",
            ],
        );
    }

    never_panics!(CsvLog);
}
