//! What the ticket parsers (Jira, ServiceNow, GitHub, GitLab, Zendesk,
//! Bugzilla) share: vendor date layouts, the CSV row reader that keeps
//! positions, cheap JSON sniffing over a possibly cut head, raw JSON
//! navigation that keeps spans, and the wording of field changes.

pub(crate) mod bugzilla;
pub(crate) mod bugzilla_csv;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod jira_csv;
pub(crate) mod jira_json;
pub(crate) mod servicenow;
pub(crate) mod zendesk;

pub(crate) use crate::input::csv_rows::CsvRow;
use std::cell::Cell;

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::input::json::{self, Element};
use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::{self, Precision, TimeValue, Timestamp};

/// How a numeric date such as `05/03/2026` is read. Exports write dates in
/// the exporting user's format, which the file does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayOrder {
    /// `dd/MM/yyyy`: the default, as most Jira and ServiceNow locales write.
    DayFirst,
    /// `MM/dd/yyyy`, the US layout.
    MonthFirst,
}

impl DayOrder {
    /// The order a file's dates prove: a first number above 12 can only be
    /// a day (day first), a second one above 12 too (month first). When no
    /// date decides it, day first.
    pub(crate) fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> DayOrder {
        for text in texts {
            let mut numbers = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            let (Some(a), Some(b)) = (numbers.next(), numbers.next()) else {
                continue;
            };
            // `2026-03-05` is year first and decides nothing.
            if a.len() > 2 || b.len() > 2 {
                continue;
            }
            let (a, b) = (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0));
            if a > 12 && b <= 12 {
                return DayOrder::DayFirst;
            }
            if b > 12 && a <= 12 {
                return DayOrder::MonthFirst;
            }
        }
        DayOrder::DayFirst
    }
}

const TIMES_12H: [&str; 3] = ["%I:%M %p", "%I:%M:%S %p", "%I:%M:%S%.f %p"];
const TIMES_24H: [&str; 3] = ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"];
/// What stands between a date and its clock: a space, a comma
/// (`11/20/2026, 10:07:33 AM`, as the Azure portal writes) or Kibana's
/// ` @ ` (`Nov 20, 2026 @ 10:07:33.250`).
const SEPARATORS: [&str; 3] = [" ", ", ", " @ "];

/// Dates with a month name, which no day order can confuse.
const NAMED_DATES: [&str; 10] = [
    "%d/%b/%y",
    "%d/%b/%Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %b %y",
    "%d.%b.%Y",
    "%b %d, %Y",
    "%d/%B/%y",
    "%d/%B/%Y",
];
const DAY_FIRST: [&str; 6] = [
    "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%d-%m-%y",
];
const MONTH_FIRST: [&str; 6] = [
    "%m/%d/%Y", "%m/%d/%y", "%m.%d.%Y", "%m.%d.%y", "%m-%d-%Y", "%m-%d-%y",
];

/// Years outside this range come from reading a two-digit year with `%Y`
/// (`16` as the year 16), not from real tickets.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// Reads the date-time cells of one export: ISO 8601 (with its offset
/// when it has one) or one of the layouts Jira and ServiceNow users pick
/// (`20/Nov/26 10:07 AM`, `29-02-2016 01:16`, `11/20/2026 10:07:33 PM`…),
/// which carry no zone and stay naive. An export writes every date in one
/// layout, so the one that read the last cell is tried first.
pub(crate) struct DateReader {
    formats: Vec<(String, Precision)>,
    last: Cell<usize>,
}

impl DateReader {
    /// A reader for an export whose numeric dates are in `order`.
    pub(crate) fn new(order: DayOrder) -> DateReader {
        let numeric = match order {
            DayOrder::DayFirst => DAY_FIRST,
            DayOrder::MonthFirst => MONTH_FIRST,
        };
        let mut formats = Vec::new();
        for date in NAMED_DATES.iter().chain(numeric.iter()) {
            for separator in SEPARATORS {
                for clock in TIMES_12H.iter().chain(TIMES_24H.iter()) {
                    // A fraction's precision is that of its digits, read
                    // from the text itself.
                    let precision = if clock.contains("%S") {
                        Precision::Second
                    } else {
                        Precision::Minute
                    };
                    formats.push((format!("{date}{separator}{clock}"), precision));
                }
            }
        }
        DateReader {
            formats,
            last: Cell::new(0),
        }
    }

    /// Reads one cell; `None` when no layout reads it.
    pub(crate) fn read(&self, text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if text.is_empty() || text.len() > 64 {
            return None;
        }
        // Bare numbers would read as epochs or times of day: not a date cell.
        if text.bytes().any(|b| b == b'-' || b == b'/') {
            if let Some(ts) = time::parse_field(text, None) {
                if matches!(ts.value, TimeValue::Utc(_) | TimeValue::Local(_)) {
                    return Some(ts);
                }
            }
        }
        let last = self.last.get();
        let order = std::iter::once(last).chain((0..self.formats.len()).filter(|&i| i != last));
        for i in order {
            let Some((format, precision)) = self.formats.get(i) else {
                continue;
            };
            let Ok(t) = NaiveDateTime::parse_from_str(text, format) else {
                continue;
            };
            if !YEARS.contains(&chrono::Datelike::year(&t)) {
                continue;
            }
            self.last.set(i);
            let precision = if format.contains("%.f") {
                fraction_precision(text)
            } else {
                *precision
            };
            return Some(Timestamp {
                value: TimeValue::Local(t),
                precision,
                text: text.to_string(),
                unknown_zone: false,
            });
        }
        None
    }
}

/// The precision the fraction of seconds in `text` is written to (the
/// digits after the `.` that follows the last `:`).
fn fraction_precision(text: &str) -> Precision {
    let after_clock = text.rsplit(':').next().unwrap_or("");
    let digits = after_clock
        .split_once('.')
        .map_or(0, |(_, f)| f.bytes().take_while(u8::is_ascii_digit).count());
    match digits {
        0 => Precision::Second,
        1..=3 => Precision::Milli,
        4..=6 => Precision::Micro,
        _ => Precision::Nano,
    }
}

/// Reads one date-time cell (see [`DateReader`]).
#[cfg(test)]
pub(crate) fn vendor_time(text: &str, order: DayOrder) -> Option<Timestamp> {
    DateReader::new(order).read(text)
}

/// Reads a JSON string that should be a timestamp (ISO 8601; an offset
/// makes it absolute).
pub(crate) fn json_time(value: Option<&Value>) -> Option<Timestamp> {
    let text = value?.as_str()?.trim();
    if text.is_empty() {
        return None;
    }
    time::parse_field(text, None)
        .filter(|ts| matches!(ts.value, TimeValue::Utc(_) | TimeValue::Local(_)))
}

/// A comparable key for ordering events of one ticket: only values of the
/// same kind are compared (naive with naive, absolute with absolute).
fn order_key(value: &TimeValue) -> Option<(u8, i64)> {
    match value {
        TimeValue::Utc(m) => Some((0, *m)),
        TimeValue::Local(t) => Some((1, t.and_utc().timestamp_micros())),
        _ => None,
    }
}

/// Inserts an event of a ticket whose time comes from a separate column
/// (resolved, closed) among events kept in document order: after the last
/// one not later than it. Document order is kept for the others, because
/// the pipeline resolves a repeated daylight-saving hour by record order.
pub(crate) fn insert_in_order(events: &mut Vec<Record>, record: Record) {
    let key = order_key(&record.time.value);
    let at = events
        .iter()
        .rposition(|e| {
            match (order_key(&e.time.value), key) {
                (Some(a), Some(b)) if a.0 == b.0 => a.1 <= b.1,
                // Not comparable: keep the event after it.
                _ => true,
            }
        })
        .map_or(0, |i| i + 1);
    events.insert(at, record);
}

/// Whether an account name reads as automation rather than a person
/// (`Opsgenie Integration`, `Automation for Jira`, `dependabot[bot]`,
/// `project_42_bot_1f2e`, `system`).
pub(crate) fn looks_automated(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    if lower.is_empty() {
        return false;
    }
    if lower.ends_with("[bot]") || lower.ends_with("-bot") || lower.ends_with("_bot") {
        return true;
    }
    lower.split(|c: char| !c.is_alphanumeric()).any(|word| {
        matches!(
            word,
            "bot"
                | "automation"
                | "integration"
                | "system"
                | "robot"
                | "noreply"
                | "webhook"
                | "jenkins"
        )
    }) || lower.contains("no-reply")
}

/// Whether an actor is a person: `Some(false)` for automation.
pub(crate) fn human_actor(actor: Option<&str>) -> Option<bool> {
    actor.map(|a| !looks_automated(a))
}

/// Values longer than this, or spanning lines, are named but not quoted in
/// a change message (descriptions, environment texts).
const MAX_QUOTED: usize = 100;

fn quotable(value: &str) -> bool {
    value.chars().count() <= MAX_QUOTED && !value.contains('\n')
}

/// A change's facts on its record: `field` naming the fields it changed,
/// and each field's new value (the empty ones left out) by its name.
pub(crate) fn changed_fields(r: &mut Record, fields: &[String], values: Vec<(String, String)>) {
    r.attributes.push(("field".into(), fields.join(", ")));
    r.attributes.extend(
        values
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.into(), v)),
    );
}

/// One field change in timeline wording: `status In Progress → Resolved`,
/// `priority set to P1`, `labels cleared (was sev2)`, `description changed`.
pub(crate) fn change_text(field: &str, from: &str, to: &str) -> String {
    let (from, to) = (from.trim(), to.trim());
    if !quotable(from) || !quotable(to) {
        return format!("{field} changed");
    }
    match (from.is_empty(), to.is_empty()) {
        (true, true) => format!("{field} changed"),
        (true, false) => format!("{field} set to {to}"),
        (false, true) => format!("{field} cleared (was {from})"),
        (false, false) => format!("{field} {from} → {to}"),
    }
}

/// An assignment change: `assigned to Jane Doe`, `unassigned (was Jane Doe)`.
pub(crate) fn assignment_text(from: &str, to: &str) -> String {
    let (from, to) = (from.trim(), to.trim());
    match (from.is_empty(), to.is_empty()) {
        (_, false) => format!("assigned to {to}"),
        (false, true) => format!("unassigned (was {from})"),
        (true, true) => "assignee changed".to_string(),
    }
}

/// A ticket's text as a message part: trimmed; blank gives `None`.
pub(crate) fn non_blank(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// A problem at a locator.
pub(crate) fn report(
    sink: &mut dyn RecordSink,
    line: Option<u64>,
    locator: &str,
    reason: impl Into<String>,
) {
    sink.problem(Problem {
        line,
        locator: Some(locator.to_string()),
        reason: reason.into(),
    });
}

// ---------------------------------------------------------------- CSV

impl CsvRow {
    /// A record with this row's position.
    pub(crate) fn record(&self, time: Timestamp, message: String) -> Record {
        Record {
            line: Some(self.line),
            line_end: Some(self.line_end),
            locator: Some(self.locator()),
            span: self.span.clone(),
            lossy_utf8: self.lossy,
            ..Record::new(Kind::Ticket, time, message)
        }
    }
}

/// The CSV rows of a ticket export (comma-separated).
pub(crate) fn csv_rows(
    input: &[u8],
    limit: Option<usize>,
    problems: Option<&mut dyn RecordSink>,
) -> Vec<CsvRow> {
    crate::input::csv_rows::read(input, b',', limit, problems)
}

/// Column positions by header name, compared case-insensitively; a name
/// that repeats (Jira's `Comment`, `Labels`) keeps every position.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    names: Vec<String>,
}

impl Columns {
    /// From a header row.
    pub(crate) fn new(header: &[String]) -> Columns {
        Columns {
            names: header
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect(),
        }
    }

    /// The first column with one of `names`, in the order of `names`.
    pub(crate) fn find(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.names.iter().position(|h| h == n))
    }

    /// Every column named `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<usize> {
        self.names
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == name)
            .map(|(i, _)| i)
            .collect()
    }
}

// -------------------------------------------------------- JSON walking

/// Sorts the events of one ticket by time when every one is absolute:
/// order then cannot change how they resolve, and reads better.
pub(crate) fn sort_if_absolute(events: &mut [Record]) {
    if events
        .iter()
        .all(|e| matches!(e.time.value, TimeValue::Utc(_)))
    {
        events.sort_by_key(|e| order_key(&e.time.value));
    }
}

/// A record placed at a JSON element of `input`.
pub(crate) fn element_record(
    input: &[u8],
    element: &Element,
    time: Timestamp,
    message: String,
) -> Record {
    json::record_at(input, element, Kind::Ticket, time, message)
}

/// A record placed at an item of `input`, cited at `locator` (the item's
/// own, or one of its fields).
pub(crate) fn item_record(
    input: &[u8],
    it: &Element,
    locator: &str,
    time: Timestamp,
    message: String,
) -> Record {
    Record {
        line: Some(it.line),
        line_end: Some(json::last_line(input, it.line, it.span.clone())),
        locator: Some(locator.to_string()),
        span: it.span.clone(),
        ..Record::new(Kind::Ticket, time, message)
    }
}

/// At most this many identifiers are taken from one description.
const MAX_MENTIONED: usize = 16;

/// Identifiers a ticket's description mentions (links, incident numbers
/// such as `#4412` or `INC0010001`): an integration that opens a ticket
/// from a page or an alert writes them there, and they let the timeline
/// merge the ticket with what the paging tool recorded. Other ticket keys
/// are left out: a description naming another ticket is not that ticket.
pub(crate) fn identifiers_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    crate::input::identifiers::mentioned(text, &mut found, false);
    found.truncate(MAX_MENTIONED);
    found
}

/// Adds the identifiers a description mentions to a creation record.
pub(crate) fn mention(r: &mut Record, description: &str) {
    for id in identifiers_in(description) {
        if !r.identifiers.contains(&id) {
            r.identifiers.push(id);
        }
    }
}

/// A person's name in a user object, by the keys vendors use, most
/// readable first (`displayName`, `name`, `login`, `username`…), or the
/// value itself when it is a string.
pub(crate) fn person(value: Option<&Value>) -> Option<String> {
    let value = value?;
    if let Value::String(s) = value {
        return non_blank(s).map(str::to_string);
    }
    [
        "displayName",
        "display_name",
        "display_value",
        "name",
        "login",
        "username",
        "real_name",
        "emailAddress",
        "email",
        "accountId",
        "key",
        "value",
    ]
    .iter()
    .find_map(|k| json::text(value, &[k]))
    .map(str::to_string)
}

/// The plain text of a comment body: a string, or an Atlassian Document
/// Format tree (Jira Cloud API v3), whose text nodes are joined with
/// paragraphs on separate lines.
pub(crate) fn body_text(value: &Value) -> Option<String> {
    fn walk(v: &Value, out: &mut String, depth: usize) {
        if depth > 64 {
            return;
        }
        match v.get("type").and_then(Value::as_str) {
            Some("text") => {
                if let Some(t) = v.get("text").and_then(Value::as_str) {
                    out.push_str(t);
                }
            }
            Some("hardBreak") => out.push('\n'),
            Some("mention") => {
                if let Some(t) = json::str_at(v, &["attrs", "text"]) {
                    out.push_str(t);
                }
            }
            _ => {}
        }
        if let Some(children) = v.get("content").and_then(Value::as_array) {
            for child in children {
                walk(child, out, depth + 1);
            }
            if matches!(
                v.get("type").and_then(Value::as_str),
                Some("paragraph" | "heading" | "listItem" | "codeBlock" | "blockquote")
            ) && !out.ends_with('\n')
            {
                out.push('\n');
            }
        }
    }
    match value {
        Value::String(s) => non_blank(s).map(str::to_string),
        Value::Object(_) => {
            let mut out = String::new();
            walk(value, &mut out, 0);
            non_blank(&out).map(str::to_string)
        }
        _ => None,
    }
}

/// Pushes records in order.
pub(crate) fn emit(sink: &mut dyn RecordSink, records: Vec<Record>) {
    for r in records {
        sink.record(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(text: &str, order: DayOrder) -> String {
        match vendor_time(text, order).map(|t| t.value) {
            Some(TimeValue::Local(t)) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn jira_and_servicenow_layouts_stay_naive() {
        let d = DayOrder::DayFirst;
        assert_eq!(naive("20/Nov/26 10:07 AM", d), "2026-11-20 10:07:00");
        assert_eq!(naive("25/Oct/26 1:52 PM", d), "2026-10-25 13:52:00");
        assert_eq!(naive("5/Oct/2026 1:52:09 am", d), "2026-10-05 01:52:09");
        assert_eq!(naive("2026-10-25 01:52", d), "2026-10-25 01:52:00");
        assert_eq!(naive("29-02-2016 01:16", d), "2016-02-29 01:16:00");
        assert_eq!(naive("05/03/2026 14:00", d), "2026-03-05 14:00:00");
        assert_eq!(
            naive("05/03/2026 14:00", DayOrder::MonthFirst),
            "2026-05-03 14:00:00"
        );
        assert_eq!(naive("20.11.2026 10:07", d), "2026-11-20 10:07:00");
        // The Azure portal's and Kibana's layouts, with fractions.
        let m = DayOrder::MonthFirst;
        assert_eq!(
            naive("11/20/2026, 1:07:33.250 PM", m),
            "2026-11-20 13:07:33"
        );
        assert_eq!(
            naive("Nov 20, 2026 @ 10:07:33.250", d),
            "2026-11-20 10:07:33"
        );
        let t = vendor_time("Nov 20, 2026 @ 10:07:33.250", d).unwrap();
        assert_eq!(t.precision, Precision::Milli);
        let t = vendor_time("20/Nov/26 10:07 AM", d).unwrap();
        assert_eq!(t.precision, Precision::Minute);
        assert_eq!(t.text, "20/Nov/26 10:07 AM");
        // An offset makes it absolute.
        assert!(matches!(
            vendor_time("2026-10-25T01:52:00+02:00", d).map(|t| t.value),
            Some(TimeValue::Utc(_))
        ));
        for bad in [
            "",
            "?",
            "1700000000",
            "12:30",
            "29-02-16 01:16x",
            "31/Foo/26 1:00 AM",
        ] {
            assert!(vendor_time(bad, d).is_none(), "{bad}");
        }
    }

    #[test]
    fn day_order_from_the_dates_that_prove_it() {
        assert_eq!(
            DayOrder::of(["05/03/2026", "29/03/2026"]),
            DayOrder::DayFirst
        );
        assert_eq!(
            DayOrder::of(["05/03/2026", "03/29/2026"]),
            DayOrder::MonthFirst
        );
        assert_eq!(DayOrder::of(["2026-03-29 10:00"]), DayOrder::DayFirst);
    }

    #[test]
    fn automation_names() {
        for bot in [
            "Opsgenie Integration",
            "Automation for Jira",
            "dependabot[bot]",
            "project_42_bot_1f2e",
            "system",
            "GitLab Alert Bot",
        ] {
            assert!(looks_automated(bot), "{bot}");
        }
        for person in ["Dana Whitfield", "abbott", "robotics-lead", "jane.doe"] {
            assert!(!looks_automated(person), "{person}");
        }
    }

    #[test]
    fn change_wording() {
        assert_eq!(
            change_text("status", "In Progress", "Resolved"),
            "status In Progress → Resolved"
        );
        assert_eq!(change_text("priority", "", "P1"), "priority set to P1");
        assert_eq!(
            change_text("labels", "sev2", ""),
            "labels cleared (was sev2)"
        );
        assert_eq!(
            change_text("description", "a\nb", "c"),
            "description changed"
        );
        assert_eq!(assignment_text("", "Jane Doe"), "assigned to Jane Doe");
        assert_eq!(assignment_text("Jane Doe", ""), "unassigned (was Jane Doe)");
    }

    #[test]
    fn csv_rows_keep_lines_and_spans() {
        let input = b"a,b\r\n1,\"x\r\ny\"\r\n2,z";
        let rows = csv_rows(input, None, None);
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[1].line, rows[1].line_end, rows[1].row), (2, 3, 2));
        assert_eq!(&input[rows[1].span.clone()], b"1,\"x\r\ny\"");
        assert_eq!(rows[1].cells[1], "x\r\ny");
        assert_eq!(&input[rows[2].span.clone()], b"2,z");
    }

    #[test]
    fn identifiers_mentioned_in_descriptions() {
        assert_eq!(
            identifiers_in("PagerDuty #4412 https://acme.pagerduty.com/incidents/Q1CHECKOUT4412\nsee OPS-1849, INC0010001; step #1."),
            ["#4412", "https://acme.pagerduty.com/incidents/Q1CHECKOUT4412", "INC0010001"]
        );
    }

    #[test]
    fn adf_bodies_become_text() {
        let adf: Value = serde_json::from_str(
            r#"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"rolled back"},{"type":"hardBreak"},{"type":"text","text":"to 2.13.4"}]},{"type":"paragraph","content":[{"type":"mention","attrs":{"text":"@Jane"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(body_text(&adf).unwrap(), "rolled back\nto 2.13.4\n@Jane");
    }
}
