//! Splunk search exports: `output_mode=json` results (`{"results": [...]}`,
//! or a bare array of them as Splunk 4 wrote it), the `search/jobs/export`
//! stream (one `{"preview", "offset", "result"}`
//! object per line, often after a byte-order mark) and `output_mode=csv`
//! (a header with `_time`, `_raw`, `host`, `source`, `sourcetype`).
//!
//! An event is a result with `_time`; its `_raw` is the original line,
//! read with the line parser of its own format where one accepts it.
//! Results without `_time` are statistics rows (`stats count by host`),
//! not events: each is a problem, so nothing is dropped unsaid. In an
//! export stream, preview batches are superseded by the final rows
//! (`preview: false`) and are only read when there are none.

use serde_json::Value;

use super::{column, row_record, InnerLines};
use crate::input::csv_rows;
use crate::input::json::{self, problem_at, Element, Head, IndexedInput};
use crate::record::{add_attribute, Kind, Problem, Record, RecordSink};
use crate::time::{self, Timestamp};
use crate::Parser;

/// Splunk results as JSON (results documents and export streams).
pub struct SplunkJson;

/// Splunk results as CSV.
pub struct SplunkCsv;

/// Fields kept as attributes, beside host and sourcetype.
const KEPT: &[&str] = &[
    "source",
    "index",
    "sourcetype",
    "splunk_server",
    "linecount",
];

/// A `_time`: ISO 8601 with an offset as Splunk writes it, or epoch
/// seconds with a fraction as some exports do.
fn splunk_time(text: &str) -> Option<Timestamp> {
    time::text_time(text).or_else(|| time::parse_epoch(text.trim(), Some(time::EpochUnit::Seconds)))
}

impl Parser for SplunkJson {
    fn id(&self) -> &str {
        "splunk-json"
    }

    fn description(&self) -> &str {
        "Splunk search results as JSON: results documents (or Splunk 4's bare arrays) and the export stream ({\"result\": …} lines)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let shape = if h.array {
            // A bare array has no envelope to tell it by: its results must
            // carry fields only Splunk writes.
            ["_raw", "_cd", "_serial", "_si", "sourcetype"]
                .iter()
                .any(|key| h.has(key))
        } else {
            (h.has("results") || h.has("result")) && h.has("preview")
        };
        if !(shape && h.has("_time")) {
            return None;
        }
        h.time(&["_time"], |v| match v {
            json::HeadValue::Text(t) => splunk_time(t),
            json::HeadValue::Integer(_) => None,
        })
        .map(|_| 95)
    }

    fn untimed(&self, head: &[u8]) -> Option<String> {
        let h = Head::new(head)?;
        ((h.has("results") || h.has("result")) && h.has("preview"))
            .then(|| "Splunk search results without _time (a statistics table)".to_string())
    }

    fn json_record_arrays(&self) -> &[&str] {
        &["results", ""]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        let mut streamed: Vec<(bool, Element)> = Vec::new();
        json::each_document(input, sink, |src, doc, sink| {
            if json::first_byte(doc.raw.get().as_bytes()) == Some(b'[') {
                for result in src.elements(doc.raw, &doc.root).unwrap_or_default() {
                    read_result(src, &result, &mut inner, sink);
                }
                return;
            }
            let Some(root) = src.element(doc.raw, doc.root.clone()) else {
                return;
            };
            if let Some(result) = src.field(&root, "result") {
                let preview = root.value.get("preview").and_then(Value::as_bool) == Some(true);
                streamed.push((preview, result));
            } else if let Some(results) = src.nested(&root, &["results"]) {
                for result in results {
                    read_result(src, &result, &mut inner, sink);
                }
            } else {
                sink.problem(problem_at(&root, "neither results[] nor a result"));
            }
        });
        if streamed.is_empty() {
            return;
        }
        let src = IndexedInput::new(input);
        let finals = streamed.iter().any(|(preview, _)| !preview);
        let mut skipped = 0;
        for (preview, result) in &streamed {
            if finals && *preview {
                skipped += 1;
                continue;
            }
            read_result(&src, result, &mut inner, sink);
        }
        if skipped > 0 {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: format!(
                    "{skipped} preview results not read: the final results supersede them"
                ),
            });
        }
    }
}

fn read_result(
    src: &IndexedInput<'_>,
    result: &Element,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let v = &result.value;
    let field = |key: &str| json::scalar_text(v, &[key]);
    let Some(stamp) = field("_time") else {
        sink.problem(problem_at(
            result,
            "a result without _time (statistics, not an event)",
        ));
        return;
    };
    let Some(time) = splunk_time(&stamp) else {
        sink.problem(problem_at(result, format!("unreadable _time {stamp:?}")));
        return;
    };
    let raw = field("_raw");
    let record = src.record_at(result, Kind::Log, time, String::new());
    sink.record(fill(record, raw.as_deref(), &field, inner, || {
        let mut pairs: Vec<String> = v
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .filter_map(|(k, x)| Some(format!("{k}={}", json::string_or_number(Some(x))?)))
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        pairs.join(" ")
    }));
}

/// The record of one result: its `_raw` line read into it, or the
/// result's fields as the message when it has none.
fn fill(
    mut record: Record,
    raw: Option<&str>,
    field: &dyn Fn(&str) -> Option<String>,
    inner: &mut InnerLines,
    fields: impl FnOnce() -> String,
) -> Record {
    record.system = Some("Splunk".into());
    record.host = field("host");
    record.service = field("sourcetype");
    for key in KEPT {
        add_attribute(&mut record, *key, field(key));
    }
    match raw {
        Some(raw) => {
            record.message = raw.trim_end().to_string();
            inner.apply(&mut record, raw);
        }
        None => record.message = fields(),
    }
    record
}

impl Parser for SplunkCsv {
    fn id(&self) -> &str {
        "splunk-csv"
    }

    fn description(&self) -> &str {
        "Splunk search results as CSV (_time, _raw, host, source, sourcetype)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = csv_rows::read(head, b',', Some(2), None);
        let header = &rows.first()?.cells;
        let at = column(header, "_time")?;
        let splunk = ["_raw", "sourcetype", "_indextime", "_cd"]
            .iter()
            .any(|c| column(header, c).is_some());
        if !splunk {
            return None;
        }
        splunk_time(rows.get(1)?.cell(Some(at))).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        let rows = csv_rows::read(input, b',', None, Some(&mut *sink));
        let Some((header, rows)) = rows.split_first() else {
            return;
        };
        let at = column(&header.cells, "_time");
        for row in rows {
            let stamp = row.cell(at);
            let Some(time) = splunk_time(stamp) else {
                sink.problem(Problem {
                    line: Some(row.line),
                    locator: Some(row.locator()),
                    reason: format!("unreadable _time {stamp:?}"),
                });
                continue;
            };
            let field = |key: &str| {
                let value = row.cell(column(&header.cells, key));
                (!value.is_empty()).then(|| value.to_string())
            };
            let raw = field("_raw");
            let record = row_record(row, time, String::new());
            sink.record(fill(record, raw.as_deref(), &field, &mut inner, || {
                header
                    .cells
                    .iter()
                    .zip(&row.cells)
                    .filter(|(k, v)| !k.starts_with('_') && !v.trim().is_empty())
                    .map(|(k, v)| format!("{k}={}", v.trim()))
                    .collect::<Vec<_>>()
                    .join(" ")
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, run, run_str, utc};

    #[test]
    fn export_stream_reads_final_rows_and_says_what_it_skipped() {
        let text = "\u{feff}{\"preview\":true,\"offset\":0,\"result\":{\"_time\":\"2025-11-20T10:00:00.000+01:00\",\"_raw\":\"x\",\"host\":\"a\"}}\n\
                    {\"preview\":false,\"offset\":0,\"result\":{\"_time\":\"2025-11-20T10:00:00.000+01:00\",\"_raw\":\"Nov 20 09:00:00 web-1 nginx[12]: upstream timed out\",\"host\":\"web-1\",\"sourcetype\":\"syslog\"}}\n\
                    {\"preview\":false,\"offset\":1,\"lastrow\":true,\"result\":{\"host\":\"a\",\"count\":\"3\"}}\n";
        assert_eq!(SplunkJson.sniff(text.as_bytes()), Some(95));
        let out = run_str(&SplunkJson, text);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        // The syslog line has no zone: the platform's time stays.
        assert_eq!(utc(r), "2025-11-20T09:00:00.000000Z");
        assert_eq!(r.message, "upstream timed out");
        assert_eq!(r.service.as_deref(), Some("syslog"));
        assert_eq!(attr(r, "line_format"), Some("syslog-rfc3164"));
        assert_eq!(r.locator.as_deref(), Some("document 2 $.result"));
        assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    }

    #[test]
    fn splunk_4_bare_array_of_results() {
        let input =
            include_bytes!("../../../fixtures/splunk-json/sdk_java_results_v4_bare_array.json");
        assert_eq!(SplunkJson.sniff(input), Some(95));
        let out = run(&SplunkJson, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 1);
        assert_eq!(utc(&r[0]), "2012-11-28T00:45:34.924000Z");
        assert_eq!(
            r[0].message,
            "11-27-2012 16:45:34.924 -0800 INFO  WatchedFile - Will begin reading at offset=22899111 for file='/Applications/splunk_434/var/log/splunk/metrics.log'."
        );
        // No line format reads splunkd's own layout yet.
        assert_eq!(r[0].level, None);
        assert_eq!(r[0].host.as_deref(), Some("dfoster-mbp17.local"));
        assert_eq!(r[0].service.as_deref(), Some("splunkd"));
        assert_eq!(attr(&r[0], "index"), Some("_internal"));
        assert_eq!(r[0].locator.as_deref(), Some("$[0]"));
    }

    #[test]
    fn csv_results() {
        let text = "_time,_raw,host,source,sourcetype\n\
                    \"2025-11-20T10:00:01.500+00:00\",\"free words\",web-1,/var/log/app.log,app\n";
        assert_eq!(SplunkCsv.sniff(text.as_bytes()), Some(95));
        let out = run_str(&SplunkCsv, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2025-11-20T10:00:01.500000Z");
        assert_eq!(out.records[0].message, "free words");
        assert_eq!(attr(&out.records[0], "source"), Some("/var/log/app.log"));
    }

    #[test]
    fn sniffs_reject_other_formats() {
        let others = [
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "time,message\n2026-01-01T10:00:00Z,x\n",
            "{\"preview\":true,\"offset\":0,\"result\":{\"host\":\"a\",\"count\":\"62\"}}\n",
            "[{\"_time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}]",
        ];
        assert_rejects_text(&SplunkJson, &others);
        assert_rejects_text(&SplunkCsv, &others);
    }

    never_panics!(SplunkJson, SplunkCsv);
}
