//! ServiceNow incidents, as CSV and as Table API JSON.
//!
//! The CSV is the incident event log layout: one row per update of an
//! incident (`number`, `incident_state`, `sys_mod_count`, `opened_at`,
//! `sys_updated_at`, `sys_updated_by`, `assigned_to`, `priority`…), `?` for
//! null, dates as `dd-mm-yyyy HH:MM` in the instance's zone. Each row
//! repeats every field, so events are the changes between consecutive rows
//! of an incident, not the rows. A list export (one row per incident) reads
//! the same way: it only has the opening, resolution and closure.
//!
//! The Table API (`{"result": [...]}`) gives one record per incident (or
//! problem, whose confirmation, fix and reopening have times too), with
//! `yyyy-MM-dd HH:mm:ss` times without zone and reference fields as
//! `{link, value}` (or `{display_value, value}`).

use std::collections::HashMap;

use serde_json::Value;

use crate::input::json;
use crate::input::json::Element;
use crate::record::{Record, RecordSink};
use crate::tickets::{self, Columns, CsvRow, DateReader, DayOrder};
use crate::time::{self, TimeValue, Timestamp};
use crate::Parser;

/// ServiceNow incident CSV (event log or list export).
pub struct ServiceNowCsv;

/// ServiceNow Table API JSON.
pub struct ServiceNowJson;

const NUMBER: &[&str] = &["number"];
const OPENED: &[&str] = &["opened_at", "sys_created_on", "sys_created_at"];
const OPENED_BY: &[&str] = &["opened_by", "sys_created_by"];
const UPDATED: &[&str] = &["sys_updated_at", "sys_updated_on"];
const UPDATED_BY: &[&str] = &["sys_updated_by"];
const RESOLVED: &[&str] = &["resolved_at"];
const RESOLVED_BY: &[&str] = &["resolved_by"];
const CLOSED: &[&str] = &["closed_at"];
const CLOSED_BY: &[&str] = &["closed_by"];
const CLOSE_CODE: &[&str] = &["close_code", "closed_code"];
const SUMMARY: &[&str] = &["short_description"];

/// Fields whose changes are events, with the words messages use. Others
/// (`sys_mod_count`, `active`, `notify`, `knowledge`, custom `u_` fields)
/// change with them or say nothing about the incident's course.
const TRACKED: &[(&str, &str)] = &[
    ("incident_state", "state"),
    ("state", "state"),
    ("priority", "priority"),
    ("impact", "impact"),
    ("urgency", "urgency"),
    ("severity", "severity"),
    ("assignment_group", "assignment group"),
    ("assigned_to", "assigned to"),
    ("category", "category"),
    ("subcategory", "subcategory"),
    ("cmdb_ci", "configuration item"),
    ("business_service", "service"),
    ("made_sla", "SLA"),
    ("problem_id", "problem"),
    ("rfc", "change"),
    ("caused_by", "caused by"),
    ("reopen_count", "reopen count"),
    ("escalation", "escalation"),
    ("hold_reason", "on-hold reason"),
    ("short_description", "short description"),
];

/// ServiceNow writes `?` (event log) or `NULL` for an empty field.
fn value_of(cell: &str) -> &str {
    let c = cell.trim();
    if c == "?" || c.eq_ignore_ascii_case("null") {
        ""
    } else {
        c
    }
}

/// The wording of one tracked field's change, with its attributes.
fn change(label: &str, from: &str, to: &str, attrs: &mut Vec<(String, String)>) -> String {
    let mut set = |k: &str, v: &str| {
        if !v.is_empty() {
            attrs.push((k.to_string(), v.to_string()));
        }
    };
    match label {
        "state" => {
            set("status_from", from);
            set("status_to", to);
            tickets::change_text("state", from, to)
        }
        "assigned to" => {
            set("assignee", to);
            tickets::assignment_text(from, to)
        }
        "priority" => {
            set("priority_from", from);
            set("priority", to);
            tickets::change_text("priority", from, to)
        }
        "SLA" => match to.to_ascii_lowercase().as_str() {
            "false" => "SLA missed".to_string(),
            "true" => "SLA met".to_string(),
            _ => tickets::change_text("made SLA", from, to),
        },
        "reopen count" if to.parse::<u64>().ok() > from.parse::<u64>().ok() => {
            format!("reopened (count {to})")
        }
        _ => tickets::change_text(label, from, to),
    }
}

fn is_state(r: &Record, word: &str) -> bool {
    r.attributes
        .iter()
        .any(|(k, v)| k == "status_to" && v.to_ascii_lowercase().contains(word))
}

/// The resolution or closure of an incident, unless a state change at the
/// same time already says it.
fn milestone(events: &mut Vec<Record>, record: Record, word: &str) {
    if events
        .iter()
        .any(|e| e.time.value == record.time.value && is_state(e, word))
    {
        return;
    }
    tickets::insert_in_order(events, record);
}

fn stamp(mut r: Record, number: &str, actor: Option<&str>) -> Record {
    r.system = Some("ServiceNow".into());
    r.identifiers.push(number.to_string());
    r.actor = actor.map(str::to_string);
    r.human = tickets::human_actor(actor);
    r
}

// ------------------------------------------------------------------ CSV

impl Parser for ServiceNowCsv {
    fn id(&self) -> &str {
        "servicenow-csv"
    }

    fn description(&self) -> &str {
        "ServiceNow incident CSV (event log or list export): opening, field changes, resolution, closure"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = tickets::csv_rows(head, Some(6), None);
        let (header, data) = rows.split_first()?;
        let columns = Columns::new(&header.cells);
        columns.find(NUMBER)?;
        let opened = columns.find(OPENED)?;
        columns.find(&[
            "incident_state",
            "state",
            "sys_mod_count",
            "sys_updated_at",
            "sys_updated_on",
        ])?;
        let order = DayOrder::of(data.iter().map(|r| r.cell(Some(opened))));
        let dates = DateReader::new(order);
        data.iter()
            .any(|r| r.cell(Some(0)).len() > 2 && dates.read(r.cell(Some(opened))).is_some())
            .then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let rows = tickets::csv_rows(input, None, Some(&mut *sink));
        let Some((header, data)) = rows.split_first() else {
            return;
        };
        let columns = Columns::new(&header.cells);
        let (Some(number), Some(opened)) = (columns.find(NUMBER), columns.find(OPENED)) else {
            return tickets::report(
                sink,
                Some(header.line),
                &header.locator(),
                "not a ServiceNow incident CSV: no number or opened_at column",
            );
        };
        let layout = CsvLayout {
            opened,
            opened_by: columns.find(OPENED_BY),
            updated: columns.find(UPDATED),
            updated_by: columns.find(UPDATED_BY),
            resolved: columns.find(RESOLVED),
            resolved_by: columns.find(RESOLVED_BY),
            closed: columns.find(CLOSED),
            closed_by: columns.find(CLOSED_BY),
            close_code: columns.find(CLOSE_CODE),
            summary: columns.find(SUMMARY),
            description: columns.find(&["description"]),
            tracked: tracked_columns(&columns),
        };
        let order = DayOrder::of(data.iter().flat_map(|r| {
            [layout.opened, layout.updated.unwrap_or(layout.opened)]
                .map(|c| value_of(r.cell(Some(c))))
        }));
        let dates = DateReader::new(order);
        // Rows of one incident in document order, incidents in order of
        // first appearance.
        let mut incidents: Vec<(String, Vec<&CsvRow>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for row in data {
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let n = value_of(row.cell(Some(number)));
            if n.is_empty() {
                tickets::report(
                    sink,
                    Some(row.line),
                    &row.locator(),
                    "row without an incident number",
                );
                continue;
            }
            let at = *index.entry(n.to_string()).or_insert_with(|| {
                incidents.push((n.to_string(), Vec::new()));
                incidents.len() - 1
            });
            incidents[at].1.push(row);
        }
        for (n, rows) in &incidents {
            let events = layout.incident(n, rows, &dates, sink);
            tickets::emit(sink, events);
        }
    }
}

/// The tracked columns present, with their labels; `incident_state` wins
/// over `state` when an export has both.
fn tracked_columns(columns: &Columns) -> Vec<(usize, &'static str)> {
    let has_incident_state = columns.find(&["incident_state"]).is_some();
    TRACKED
        .iter()
        .filter(|(name, _)| !(has_incident_state && *name == "state"))
        .filter_map(|(name, label)| columns.find(&[name]).map(|i| (i, *label)))
        .collect()
}

struct CsvLayout {
    opened: usize,
    opened_by: Option<usize>,
    updated: Option<usize>,
    updated_by: Option<usize>,
    resolved: Option<usize>,
    resolved_by: Option<usize>,
    closed: Option<usize>,
    closed_by: Option<usize>,
    close_code: Option<usize>,
    summary: Option<usize>,
    description: Option<usize>,
    tracked: Vec<(usize, &'static str)>,
}

impl CsvLayout {
    fn cell<'r>(&self, row: &'r CsvRow, column: Option<usize>) -> &'r str {
        value_of(row.cell(column))
    }

    fn incident(
        &self,
        n: &str,
        rows: &[&CsvRow],
        dates: &DateReader,
        sink: &mut dyn RecordSink,
    ) -> Vec<Record> {
        let mut events = Vec::new();
        let Some(first) = rows.first() else {
            return events;
        };
        let opened_text = self.cell(first, Some(self.opened));
        match dates.read(opened_text) {
            Some(time) => {
                let mut message = format!("{n} opened");
                if let Some(s) = tickets::non_blank(self.cell(first, self.summary)) {
                    message.push_str(": ");
                    message.push_str(s);
                }
                let mut r = first.record(time, String::new());
                for &(column, label) in &self.tracked {
                    let v = self.cell(first, Some(column));
                    if v.is_empty() || label == "short description" {
                        continue;
                    }
                    if label == "priority" {
                        message.push_str(&format!(" (priority {v})"));
                    }
                    let key = match label {
                        "state" => "status".to_string(),
                        "assigned to" => "assignee".to_string(),
                        other => other.replace([' ', '-'], "_"),
                    };
                    r.attributes.push((key.into(), v.to_string()));
                }
                r.message = message;
                r.attributes
                    .insert(0, ("event".into(), "opened".to_string()));
                let actor = tickets::non_blank(self.cell(first, self.opened_by));
                let mut r = stamp(r, n, actor);
                tickets::mention(&mut r, self.cell(first, self.description));
                events.push(r);
            }
            None => tickets::report(
                sink,
                Some(first.line),
                &first.locator(),
                format!("{n}: unreadable opened_at {opened_text:?}"),
            ),
        }

        for pair in rows.windows(2) {
            let (before, row) = (pair[0], pair[1]);
            let mut attrs = Vec::new();
            let mut parts = Vec::new();
            let mut fields = Vec::new();
            for &(column, label) in &self.tracked {
                let (from, to) = (
                    self.cell(before, Some(column)),
                    self.cell(row, Some(column)),
                );
                if from != to {
                    parts.push(change(label, from, to, &mut attrs));
                    fields.push(label);
                }
            }
            if parts.is_empty() {
                continue;
            }
            let updated_text = self.cell(row, self.updated);
            let Some(time) = dates.read(updated_text) else {
                tickets::report(
                    sink,
                    Some(row.line),
                    &row.locator(),
                    format!("{n}: change without a readable sys_updated_at {updated_text:?}"),
                );
                continue;
            };
            let mut r = row.record(time, format!("{n} {}", parts.join("; ")));
            r.attributes.push(("field".into(), fields.join(", ")));
            r.attributes
                .extend(attrs.into_iter().map(|(k, v)| (k.into(), v)));
            let actor = tickets::non_blank(self.cell(row, self.updated_by));
            events.push(stamp(r, n, actor));
        }

        for (column, by, word) in [
            (self.resolved, self.resolved_by, "resolved"),
            (self.closed, self.closed_by, "closed"),
        ] {
            let Some(column) = column else { continue };
            let mut seen: Vec<&str> = Vec::new();
            for row in rows {
                let text = self.cell(row, Some(column));
                if text.is_empty() || seen.contains(&text) {
                    continue;
                }
                seen.push(text);
                // Cite the row that made the change when there is one; the
                // event log repeats final values on every row.
                let source = rows
                    .iter()
                    .find(|r| self.cell(r, self.updated) == text)
                    .or_else(|| {
                        rows.iter()
                            .rev()
                            .find(|r| self.cell(r, Some(column)) == text)
                    })
                    .unwrap_or(row);
                let Some(time) = dates.read(text) else {
                    tickets::report(
                        sink,
                        Some(source.line),
                        &source.locator(),
                        format!("{n}: unreadable {word} time {text:?}"),
                    );
                    continue;
                };
                let code = self.cell(source, self.close_code);
                let message = if word == "resolved" && !code.is_empty() {
                    format!("{n} resolved (close code: {code})")
                } else {
                    format!("{n} {word}")
                };
                let mut r = source
                    .record(time, message)
                    .with_attribute("event", word)
                    .with_attribute(
                        "status_to",
                        if word == "resolved" {
                            "Resolved"
                        } else {
                            "Closed"
                        },
                    );
                if !code.is_empty() && word == "resolved" {
                    r.attributes.push(("close_code".into(), code.to_string()));
                }
                let actor = tickets::non_blank(self.cell(source, by));
                milestone(&mut events, stamp(r, n, actor), word);
            }
        }
        events
    }
}

// ----------------------------------------------------------------- JSON

/// A field of a Table API record as text: a string, or the display value
/// (else the value) of a reference or `sysparm_display_value=all` object.
fn field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => tickets::non_blank(s).map(str::to_string),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        obj @ Value::Object(_) => json::text(obj, &["display_value"])
            .or_else(|| json::text(obj, &["value"]))
            .map(str::to_string),
        _ => None,
    }
}

/// A field as the raw value (codes such as state `7`), not its display.
fn raw_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        obj @ Value::Object(_) => json::text(obj, &["value"]).map(str::to_string),
        _ => field(v, key),
    }
}

/// A sys_id (32 hex digits) names nothing a reader knows.
fn is_sys_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Incident state and priority as the base system words them; an
/// instance may rename them, so only the bare default codes are read.
fn state_word(code: &str) -> Option<&'static str> {
    Some(match code {
        "1" => "New",
        "2" => "In Progress",
        "3" => "On Hold",
        "6" => "Resolved",
        "7" => "Closed",
        "8" => "Canceled",
        _ => return None,
    })
}

fn priority_words(code: &str) -> Option<&'static str> {
    Some(match code {
        "1" => "1 - Critical",
        "2" => "2 - High",
        "3" => "3 - Moderate",
        "4" => "4 - Low",
        "5" => "5 - Planning",
        _ => return None,
    })
}

impl Parser for ServiceNowJson {
    fn id(&self) -> &str {
        "servicenow-json"
    }

    fn description(&self) -> &str {
        "ServiceNow Table API JSON ({\"result\": [...]}): opened, resolved, closed, a problem's confirmation, fix and reopening, last update"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if json::first_byte(head) != Some(b'{') || !json::has_key(head, "result") {
            return None;
        }
        if !(json::has_key(head, "sys_id") || json::has_key(head, "sys_updated_on")) {
            return None;
        }
        let readable =
            |v: &str| time::parse_field(v, None).filter(|t| matches!(t.value, TimeValue::Local(_)));
        json::head_time(
            head,
            &[
                "opened_at",
                "sys_created_on",
                "sys_updated_on",
                "display_value",
                "value",
            ],
            readable,
        )
        .then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match crate::input::json::document(input) {
            Ok(doc) => doc,
            Err(reason) => return tickets::report(sink, None, "$", reason),
        };
        let src = json::IndexedInput::new(input);
        let lines = &src.lines;
        let records = match json::elements_below(input, lines, doc, &["result"], "$") {
            Some(list) => list,
            // `GET /table/incident/{sys_id}` answers with one object.
            None => match json::raw_at(doc, &["result"])
                .and_then(|raw| src.element(raw, "$.result".to_string()))
            {
                Some(one) if one.value.is_object() => {
                    vec![one]
                }
                _ => {
                    return tickets::report(
                        sink,
                        Some(1),
                        "$",
                        "not a ServiceNow Table API response: no result array",
                    )
                }
            },
        };
        let times = records
            .iter()
            .flat_map(|it| {
                ["opened_at", "sys_updated_on", "resolved_at", "closed_at"]
                    .map(|k| field(&it.value, k))
            })
            .flatten()
            .collect::<Vec<_>>();
        let order = DayOrder::of(times.iter().map(String::as_str));
        let dates = DateReader::new(order);
        for it in &records {
            let events = table_record(&src, it, &dates, sink);
            tickets::emit(sink, events);
        }
    }
}

fn table_record(
    src: &json::IndexedInput<'_>,
    it: &Element,
    dates: &DateReader,
    sink: &mut dyn RecordSink,
) -> Vec<Record> {
    let v = &it.value;
    let mut events = Vec::new();
    let line = Some(it.line);
    let Some(number) = field(v, "number").or_else(|| field(v, "sys_id")) else {
        tickets::report(sink, line, &it.locator, "record without a number or sys_id");
        return events;
    };
    let class = field(v, "sys_class_name").unwrap_or_else(|| "incident".to_string());
    let state = match (
        raw_field(v, "state"),
        v.get("state").and_then(|s| s.get("display_value")),
    ) {
        (_, Some(Value::String(d))) if !d.is_empty() => Some(d.clone()),
        (Some(code), _) if class == "incident" => {
            state_word(&code).map(str::to_string).or(Some(code))
        }
        (code, _) => code,
    };
    let priority = match (raw_field(v, "priority"), field(v, "priority")) {
        (Some(code), Some(shown)) if code == shown => {
            priority_words(&code).map(str::to_string).or(Some(code))
        }
        (_, shown) => shown,
    };
    // A reference without a display value is only a sys_id: prefer the
    // user name the record also keeps.
    let person = |key: &str, fallback: Option<&str>| -> Option<String> {
        let named = field(v, key).filter(|p| !is_sys_id(p));
        named
            .or_else(|| fallback.and_then(|f| field(v, f)))
            .or_else(|| raw_field(v, key))
    };
    let record = |time: Timestamp, message: String, at: &Element| {
        tickets::element_record(src.bytes, at, time, message)
    };
    // A time is cited at its field, where a reader finds it.
    let read = |key: &str, sink: &mut dyn RecordSink| -> Option<(Timestamp, Element)> {
        let text = field(v, key)?;
        match dates.read(&text) {
            Some(t) => Some((t, src.field(it, key).unwrap_or_else(|| it.clone()))),
            None => {
                tickets::report(
                    sink,
                    line,
                    &format!("{}.{key}", it.locator),
                    format!("{number}: unreadable {key} {text:?}"),
                );
                None
            }
        }
    };

    let opened = read("opened_at", sink);
    if let Some((time, _)) = &opened {
        let mut message = format!("{number} opened");
        if let Some(s) = field(v, "short_description") {
            message.push_str(": ");
            message.push_str(&s);
        }
        if let Some(p) = &priority {
            message.push_str(&format!(" (priority {p})"));
        }
        let mut r = record(time.clone(), message, it).with_attribute("event", "opened");
        for (k, value) in [("status", &state), ("priority", &priority)] {
            if let Some(value) = value {
                r.attributes.push((k.to_string().into(), value.clone()));
            }
        }
        for key in [
            "impact",
            "urgency",
            "category",
            "assignment_group",
            "assigned_to",
        ] {
            if let Some(value) = field(v, key).filter(|x| !is_sys_id(x)) {
                r.attributes.push((key.to_string().into(), value));
            }
        }
        let actor = person("opened_by", Some("sys_created_by"));
        let mut r = stamp(r, &number, actor.as_deref());
        tickets::mention(&mut r, &field(v, "description").unwrap_or_default());
        events.push(r);
    }
    let mut milestones = Vec::new();
    if let Some((time, at)) = read("resolved_at", sink) {
        let message = match field(v, "close_code") {
            Some(code) => format!("{number} resolved (close code: {code})"),
            None => format!("{number} resolved"),
        };
        let r = record(time, message, &at)
            .with_attribute("event", "resolved")
            .with_attribute("status_to", "Resolved");
        milestones.push(stamp(r, &number, person("resolved_by", None).as_deref()));
    }
    // Beside closure, a problem keeps the time of each step of its course.
    for (key, event, words, by, status) in [
        ("closed_at", "closed", "closed", "closed_by", Some("Closed")),
        (
            "confirmed_at",
            "confirmed",
            "confirmed",
            "confirmed_by",
            None,
        ),
        (
            "fix_at",
            "fix",
            "fix in progress",
            "fix_by",
            Some("Fix in Progress"),
        ),
        ("reopened_at", "reopened", "reopened", "reopened_by", None),
    ] {
        if let Some((time, at)) = read(key, sink) {
            let mut r =
                record(time, format!("{number} {words}"), &at).with_attribute("event", event);
            if let Some(status) = status {
                r.attributes.push(("status_to".into(), status.to_string()));
            }
            milestones.push(stamp(r, &number, person(by, None).as_deref()));
        }
    }
    if let Some((time, at)) = read("sys_updated_on", sink) {
        let known = opened
            .iter()
            .map(|(t, _)| t)
            .chain(milestones.iter().map(|m| &m.time));
        if !known.clone().any(|t| t.value == time.value) {
            let mut message = format!("{number} updated");
            if let Some(s) = &state {
                message.push_str(&format!(" (state {s})"));
            }
            let r = record(time, message, &at).with_attribute("event", "updated");
            milestones.push(stamp(r, &number, field(v, "sys_updated_by").as_deref()));
        }
    }
    if opened.is_none() && milestones.is_empty() {
        tickets::report(
            sink,
            line,
            &it.locator,
            format!("{number}: no readable opened_at, resolved_at, closed_at or sys_updated_on"),
        );
    }
    for m in milestones {
        tickets::insert_in_order(&mut events, m);
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collected, Kind};
    use crate::testing::{assert_rejects, attr, naive, problem_places, run};
    use proptest::prelude::*;

    const EVENT_LOG: &[u8] =
        include_bytes!("../../../fixtures/servicenow-csv/incident_event_log.csv");
    const TABLE_API: &[u8] =
        include_bytes!("../../../fixtures/servicenow-json/incident_table_api.json");

    #[test]
    fn event_log_gives_changes_not_copies() {
        let out = run(&ServiceNowCsv, EVENT_LOG);
        // 11 rows: 8 events, one row without a change, one unreadable
        // update time, one row without a number.
        let got: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (naive(r), r.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-10-25 01:44:00".to_string(), "INC0010001 opened (priority 1 - Critical)"),
                ("2026-10-25 01:50:00".to_string(), "INC0010001 state New → Active; assignment group Service Desk → Search Team; assigned to Dana Whitfield"),
                ("2026-10-25 02:31:00".to_string(), "INC0010001 urgency 1 - High → 2 - Medium"),
                ("2026-10-25 02:12:00".to_string(), "INC0010001 priority 1 - Critical → 2 - High"),
                ("2026-10-25 03:46:00".to_string(), "INC0010001 state Active → Resolved"),
                ("2026-10-28 04:00:00".to_string(), "INC0010001 state Resolved → Closed"),
                ("2026-10-25 02:05:00".to_string(), "INC0010002 opened (priority 4 - Low)"),
                ("2026-10-25 03:10:00".to_string(), "INC0010002 state New → Awaiting User Info"),
                ("2026-10-26 09:00:00".to_string(), "INC0010002 resolved (close code: code 4)"),
            ]
        );
        assert!(out
            .records
            .iter()
            .all(|r| r.kind == Kind::Ticket && r.system.as_deref() == Some("ServiceNow")));
        let problems = problem_places(&out);
        assert_eq!(
            problems,
            [(Some(12), Some("row 12")), (Some(11), Some("row 11"))]
        );
        assert!(out.problems[1].reason.contains("sys_updated_at \"soon\""));

        let opened = &out.records[0];
        assert_eq!(opened.actor.as_deref(), Some("Opened by 7"));
        assert_eq!(opened.identifiers, ["INC0010001"]);
        assert_eq!(
            (opened.line, opened.locator.as_deref()),
            (Some(2), Some("row 2"))
        );
        assert_eq!(attr(opened, "status"), Some("New"));
        assert_eq!(attr(opened, "assignment_group"), Some("Service Desk"));
        assert_eq!(attr(opened, "assignee"), None);
        let assigned = &out.records[1];
        assert_eq!(assigned.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(assigned.human, Some(true));
        assert_eq!(assigned.locator.as_deref(), Some("row 3"));
        assert_eq!(
            attr(assigned, "field"),
            Some("state, assignment group, assigned to")
        );
        assert_eq!(attr(assigned, "status_from"), Some("New"));
        assert_eq!(attr(assigned, "status_to"), Some("Active"));
        assert_eq!(attr(assigned, "assignee"), Some("Dana Whitfield"));
        assert!(EVENT_LOG[assigned.span.clone()].starts_with(b"INC0010001,Active,TRUE,1,0,1,"));
        assert!(EVENT_LOG[assigned.span.clone()].ends_with(b",25-10-2026 03:46,28-10-2026 04:00"));
        let closed = &out.records[5];
        assert_eq!(closed.actor.as_deref(), Some("system"));
        assert_eq!(closed.human, Some(false));
        let resolved = &out.records[8];
        assert_eq!(resolved.locator.as_deref(), Some("row 11"));
        assert_eq!(resolved.actor.as_deref(), Some("Lee Okafor"));
        assert_eq!(attr(resolved, "status_to"), Some("Resolved"));
    }

    #[test]
    fn list_export_with_one_row_per_incident() {
        let input = "number,opened_at,short_description,priority,state,resolved_at,closed_at,sys_updated_on\n\
                     INC1,2026-03-05 14:00:00,Checkout 502s,1 - Critical,Closed,2026-03-05 15:30:00,2026-03-08 09:00:00,2026-03-08 09:00:00\n";
        let out = run(&ServiceNowCsv, input.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (naive(r), r.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-03-05 14:00:00".to_string(),
                    "INC1 opened: Checkout 502s (priority 1 - Critical)"
                ),
                ("2026-03-05 15:30:00".to_string(), "INC1 resolved"),
                ("2026-03-08 09:00:00".to_string(), "INC1 closed"),
            ]
        );
    }

    #[test]
    fn table_api_records() {
        let out = run(&ServiceNowJson, TABLE_API);
        let got: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (naive(r), r.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-10-25 01:44:12".to_string(),
                    "INC0010001 opened: Search API p99 latency above 2s (priority 2 - High)"
                ),
                (
                    "2026-10-25 03:46:30".to_string(),
                    "INC0010001 resolved (close code: Solved (Work Around))"
                ),
                ("2026-10-28 04:00:00".to_string(), "INC0010001 closed"),
                (
                    "2026-10-25 02:05:00".to_string(),
                    "INC0010002 opened: Status page: search degraded (priority 4 - Low)"
                ),
                (
                    "2026-10-25 03:10:00".to_string(),
                    "INC0010002 updated (state In Progress)"
                ),
            ]
        );
        let opened = &out.records[0];
        assert_eq!(opened.actor.as_deref(), Some("opsgenie.integration"));
        assert_eq!(opened.human, Some(false));
        assert_eq!(opened.locator.as_deref(), Some("$.result[0]"));
        assert_eq!(opened.line, Some(3));
        assert_eq!(opened.identifiers, ["INC0010001"]);
        assert_eq!(attr(opened, "status"), Some("Closed"));
        assert_eq!(attr(opened, "category"), Some("software"));
        assert_eq!(attr(opened, "assigned_to"), None);
        let resolved = &out.records[1];
        assert_eq!(resolved.locator.as_deref(), Some("$.result[0].resolved_at"));
        assert_eq!(
            resolved.actor.as_deref(),
            Some("5137153cc611227c000bbd1bd8cd2005")
        );
        assert_eq!(out.records[3].actor.as_deref(), Some("Lee Okafor"));
        assert_eq!(out.records[4].actor.as_deref(), Some("lee.okafor"));
        assert_eq!(attr(&out.records[3], "assignment_group"), Some("Comms"));
        assert_eq!(out.problems.len(), 2);
        assert_eq!(
            out.problems[0].locator.as_deref(),
            Some("$.result[2].opened_at")
        );
        assert_eq!(out.problems[1].locator.as_deref(), Some("$.result[2]"));
        assert_eq!(out.problems[0].line, Some(55));
    }

    #[test]
    fn problem_milestones_cited_at_their_own_lines() {
        let input: &[u8] =
            include_bytes!("../../../fixtures/servicenow-json/own_problem_single_result.json");
        assert_eq!(ServiceNowJson.sniff(input), Some(95));
        let out = run(&ServiceNowJson, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, &str, Option<&str>, Option<u64>)> = out
            .records
            .iter()
            .map(|r| (naive(r), r.message.as_str(), r.locator.as_deref(), r.line))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-10-25 09:02:11".to_string(), "PRB0040101 opened: Search latency after data node restarts (priority 3 - Moderate)", Some("$.result"), Some(2)),
                ("2026-10-25 14:05:30".to_string(), "PRB0040101 confirmed", Some("$.result.confirmed_at"), Some(52)),
                ("2026-10-26 08:30:45".to_string(), "PRB0040101 reopened", Some("$.result.reopened_at"), Some(30)),
                ("2026-10-27 09:15:00".to_string(), "PRB0040101 fix in progress", Some("$.result.fix_at"), Some(9)),
                ("2026-10-28 11:40:00".to_string(), "PRB0040101 resolved", Some("$.result.resolved_at"), Some(29)),
                ("2026-10-29 16:20:00".to_string(), "PRB0040101 closed", Some("$.result.closed_at"), Some(24)),
            ]
        );
        assert_eq!(out.records[0].actor.as_deref(), Some("dana.whitfield"));
        let confirmed = &out.records[1];
        assert_eq!(
            confirmed.actor.as_deref(),
            Some("5137153cc611227c000bbd1bd8cd2007")
        );
        assert_eq!(attr(confirmed, "event"), Some("confirmed"));
        assert_eq!(attr(&out.records[3], "status_to"), Some("Fix in Progress"));
        assert_eq!(attr(&out.records[5], "status_to"), Some("Closed"));
        assert_eq!(
            &input[out.records[5].span.clone()],
            b"\"2026-10-29 16:20:00\""
        );
        assert_eq!(out.records[0].identifiers, ["PRB0040101", "INC0010001"]);
        assert!(out.records[1..]
            .iter()
            .all(|r| r.identifiers == ["PRB0040101"]));
    }

    #[test]
    fn single_record_and_broken_documents() {
        let one =
            br#"{"result": {"number": "INC9", "opened_at": "2026-01-01 10:00:00", "sys_id": "x"}}"#;
        let out = run(&ServiceNowJson, one);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].locator.as_deref(), Some("$.result"));
        assert_eq!(run(&ServiceNowJson, b"{\"result\": 3}").problems.len(), 1);
        assert_eq!(run(&ServiceNowJson, b"{\"result\": [").problems.len(), 1);
        assert_eq!(
            run(&ServiceNowCsv, b"id,time\n1,2026-01-01 10:00\n")
                .problems
                .len(),
            1
        );
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_other_formats() {
        assert_eq!(ServiceNowCsv.sniff(EVENT_LOG), Some(95));
        assert_eq!(ServiceNowCsv.sniff(&EVENT_LOG[..900]), Some(95));
        assert_eq!(ServiceNowJson.sniff(TABLE_API), Some(95));
        assert_eq!(ServiceNowJson.sniff(&TABLE_API[..600]), Some(95));
        let jira = include_bytes!("../../../fixtures/jira-csv/ops_incident_export.csv");
        assert_rejects(
            &ServiceNowCsv,
            &[
                &jira[..],
                b"name,role,start,end\nJane,primary,2026-01-01T09:00:00Z,2026-01-02T09:00:00Z\n",
                b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\"}]}",
                TABLE_API,
            ],
        );
        assert_rejects(
            &ServiceNowJson,
            &[
                &jira[..],
                EVENT_LOG,
                b"{\"result\":{\"id\":1,\"created\":\"2026-01-01T10:00:00Z\"}}",
            ],
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut out = Collected::default();
            ServiceNowCsv.parse(&bytes, &mut out);
            ServiceNowJson.parse(&bytes, &mut out);
            let _ = ServiceNowCsv.sniff(&bytes);
            let _ = ServiceNowJson.sniff(&bytes);
        }

        #[test]
        fn arbitrary_rows_never_panic(rows in "[A-Z0-9a-z?:, \n-]{0,160}") {
            let input = format!("number,incident_state,opened_at,sys_updated_at,resolved_at,priority\n{rows}");
            let mut out = Collected::default();
            ServiceNowCsv.parse(input.as_bytes(), &mut out);
        }
    }
}
