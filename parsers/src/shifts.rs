//! On-call shift sheets (docs/shifts.md): a CSV with a header row whose columns
//! are recognised by name, case-insensitively, with the synonyms teams use:
//! a person, a role, a start and usually an end; optionally an e-mail, a
//! zone for the row's naive times and a date when start and end are times
//! of day (an end at or before the start is on the next day).
//!
//! Each row yields a "shift start" record at its start and a "shift end"
//! record at its end, paired by `shift_id` (the row number). Times with an
//! explicit offset are absolute; a fixed offset in the zone column
//! (`+02:00`, `UTC`) makes the row's naive times absolute; a named zone
//! (`Europe/Berlin`) is kept in the `tz` attribute beside the naive time for
//! the pipeline to apply with real daylight-saving rules. Either way the
//! row's zone is the person's own, kept in `person_tz` (the name, or the
//! offset as `+02:00`): a time they write without a zone is read in it.

use crate::input::csv_rows::CsvRow;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::text_time;
use crate::time::{Precision, TimeValue, Timestamp};
use crate::Parser;

/// On-call shift sheets in CSV.
pub struct Shifts;

impl Parser for Shifts {
    fn id(&self) -> &str {
        "shifts"
    }

    fn description(&self) -> &str {
        "On-call shift sheets: CSV with person, role, start and end columns (optional date and zone)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        // The last line of a cut head may be partial.
        let complete = match memchr::memrchr(b'\n', head) {
            Some(i) if i + 1 < head.len() => &head[..=i],
            _ => head,
        };
        let rows = read_rows(complete, Some(21), None);
        let (header, data) = rows.split_first()?;
        let columns = Columns::find(&header.cells)?;
        data.iter()
            .any(|row| matches!(read_shift(row, &columns), Ok(Some(_))))
            .then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let rows = read_rows(input, None, Some(sink));
        let Some((header, data)) = rows.split_first() else {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: "empty shift sheet".to_string(),
            });
            return;
        };
        let Some(columns) = Columns::find(&header.cells) else {
            sink.problem(Problem {
                line: Some(header.line),
                locator: Some(header.locator()),
                reason: "header has no person, role and start columns".to_string(),
            });
            return;
        };
        for row in data {
            match read_shift(row, &columns) {
                Ok(Some(shift)) => emit(row, &shift, sink),
                Ok(None) => {}
                Err(reason) => sink.problem(Problem {
                    line: Some(row.line),
                    locator: Some(row.locator()),
                    reason,
                }),
            }
        }
    }
}

fn read_rows(
    input: &[u8],
    limit: Option<usize>,
    problems: Option<&mut dyn RecordSink>,
) -> Vec<CsvRow> {
    let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    crate::input::csv_rows::read(
        input,
        crate::input::csv_rows::delimiter(body),
        limit,
        problems,
    )
}

const PERSON: &[&str] = &[
    "name",
    "person",
    "engineer",
    "user",
    "responder",
    "on call",
    "oncall",
    "full name",
    "user name",
    "username",
];
const EMAIL: &[&str] = &["email", "e mail", "email address", "mail"];
/// Best first: a sheet with both a `Role` and a `Rotation` names the role
/// in the first.
const ROLE: &[&str] = &[
    "role",
    "position",
    "escalation level",
    "level",
    "rotation",
    "layer",
    "schedule",
    "tier",
];
const START: &[&str] = &[
    "start",
    "from",
    "starts at",
    "shift start",
    "start time",
    "starts",
    "start at",
    "begin",
];
const END: &[&str] = &[
    "end",
    "to",
    "ends at",
    "shift end",
    "end time",
    "ends",
    "end at",
    "until",
];
const ZONE: &[&str] = &["timezone", "time zone", "tz", "zone"];
const DATE: &[&str] = &["date", "day", "shift date"];

/// Which column holds what.
#[derive(Debug)]
struct Columns {
    person: Option<usize>,
    email: Option<usize>,
    role: Option<usize>,
    /// The role column's name, for numbers in it (`level` 1, `layer` 2).
    role_name: String,
    start: Option<usize>,
    end: Option<usize>,
    zone: Option<usize>,
    date: Option<usize>,
}

fn normalize(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace(['_', '-', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Columns {
    fn find(headers: &[String]) -> Option<Columns> {
        let names: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
        // The first column with a name from `list`, the list's order first.
        // The first column with a name from `list`, the list's order
        // first; else one whose name holds a word of `loose` ("On-call
        // engineer", "Shift start (UTC)").
        let pick_loose = |list: &[&str], loose: &[&str]| {
            list.iter()
                .find_map(|want| names.iter().position(|n| n == want))
                .or_else(|| {
                    loose.iter().find_map(|want| {
                        names
                            .iter()
                            .position(|n| format!(" {n} ").contains(&format!(" {want} ")))
                    })
                })
        };
        let pick = |list: &[&str]| pick_loose(list, &[]);
        let email = pick(EMAIL);
        let role = pick(ROLE);
        let columns = Columns {
            person: pick_loose(PERSON, &["engineer", "responder", "person", "assignee"]).or(email),
            email,
            role,
            role_name: role.and_then(|i| names.get(i)).cloned().unwrap_or_default(),
            start: pick_loose(START, &["start", "begin"]),
            end: pick_loose(END, &["end", "until"]),
            zone: pick(ZONE),
            date: pick(DATE),
        };
        (columns.person.is_some() && columns.role.is_some() && columns.start.is_some())
            .then_some(columns)
    }
}

/// A row's zone: a fixed offset makes its naive times absolute; a name is
/// passed on for the pipeline to resolve with daylight-saving rules.
#[derive(Debug, Clone, PartialEq)]
enum Zone {
    None,
    Fixed(i32),
    Named(String),
}

impl Zone {
    /// The zone as the pipeline reads it: `UTC`, `+02:00` or a name.
    fn text(&self) -> Option<String> {
        match self {
            Zone::None => None,
            Zone::Fixed(0) => Some("UTC".to_string()),
            Zone::Fixed(seconds) => {
                let sign = if *seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                Some(format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60))
            }
            Zone::Named(name) => Some(name.clone()),
        }
    }
}

fn offset_seconds(text: &str) -> Option<i32> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, text.get(1..)?),
        b'-' => (-1, text.get(1..)?),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None => (rest, "0"),
    };
    if h.is_empty()
        || h.len() > 2
        || m.len() > 2
        || !(h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

fn zone(text: &str) -> Result<Zone, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Zone::None);
    }
    let upper = t.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "UTC" | "GMT" | "Z" | "ETC/UTC" | "ETC/GMT" | "UCT" | "ZULU"
    ) {
        return Ok(Zone::Fixed(0));
    }
    let bare = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    if let Some(seconds) = offset_seconds(bare) {
        return Ok(Zone::Fixed(seconds));
    }
    // IANA names and the abbreviations some sheets use; which of them exist
    // is for the pipeline's zone database to say.
    let plausible = t.len() <= 64
        && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if plausible {
        Ok(Zone::Named(t.to_string()))
    } else {
        Err(format!("unreadable time zone {t:?}"))
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    const LAYOUTS: &[&str] = &[
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d %b %Y",
        "%d %B %Y",
        "%b %d %Y",
        "%B %d %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%a %Y-%m-%d",
        // Day first, as European sheets write it with dots (unambiguous,
        // unlike slashes).
        "%d.%m.%Y",
    ];
    let t = text.trim();
    LAYOUTS
        .iter()
        .find_map(|layout| NaiveDate::parse_from_str(t, layout).ok())
}

/// `8:00`, `08:00:30`, `9:00 PM`, `24:00` (midnight at the end of the day).
fn time_of_day(text: &str) -> Option<(NaiveTime, Precision, bool)> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let (clock, meridiem) = if let Some(c) = lower.strip_suffix("pm") {
        (c.trim_end(), Some(12))
    } else if let Some(c) = lower.strip_suffix("am") {
        (c.trim_end(), Some(0))
    } else {
        (lower.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[1..].iter().any(|p| p.len() != 2)
    {
        return None;
    }
    let mut h: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let s: u32 = parts.get(2).map_or(Some(0), |p| p.parse().ok())?;
    if let Some(add) = meridiem {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + add;
    }
    let precision = if parts.len() == 3 {
        Precision::Second
    } else {
        Precision::Minute
    };
    if h == 24 && m == 0 && s == 0 && meridiem.is_none() {
        return Some((NaiveTime::MIN, precision, true));
    }
    Some((NaiveTime::from_hms_opt(h, m, s)?, precision, false))
}

/// A start or end cell read alone (a full date and time) or as a time of
/// day on the row's date.
#[derive(Debug, Clone)]
enum Cell {
    Full(Timestamp),
    OnDate(NaiveDateTime, Precision, String),
}

fn read_cell(text: &str, day: Option<NaiveDate>, what: &str) -> Result<Cell, String> {
    if let Some(ts) = text_time(text) {
        return Ok(Cell::Full(ts));
    }
    // A date and a time of day that no timestamp reader takes as one
    // (`14.08.2026 08:00`).
    let on_its_date = text
        .trim()
        .split_once(' ')
        .and_then(|(d, t)| Some((date(d)?, t)));
    let written = text.trim();
    let (text, day) = match on_its_date {
        Some((own, time)) => (time, Some(own)),
        None => (text, day),
    };
    match (time_of_day(text), day) {
        (Some((time, precision, next_day)), Some(day)) => {
            let mut at = day.and_time(time);
            if next_day {
                at = at
                    .checked_add_signed(Duration::days(1))
                    .ok_or("date out of range")?;
            }
            Ok(Cell::OnDate(at, precision, written.to_string()))
        }
        (Some(_), None) => Err(format!(
            "{what} {text:?} is a time of day and the row has no date"
        )),
        (None, _) => Err(format!("unreadable {what} {text:?}")),
    }
}

/// A row read: who holds which role from when to when.
#[derive(Debug)]
struct Shift {
    person: String,
    email: Option<String>,
    role: String,
    zone: Zone,
    start: Timestamp,
    end: Option<Timestamp>,
}

/// `Ok(None)` for a blank row.
fn read_shift(row: &CsvRow, columns: &Columns) -> Result<Option<Shift>, String> {
    if row.cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(None);
    }
    let person = row.cell(columns.person);
    if person.is_empty() {
        return Err("shift without a person".to_string());
    }
    let role_cell = row.cell(columns.role);
    if role_cell.is_empty() {
        return Err(format!("shift of {person} without a role"));
    }
    let role = if role_cell.bytes().all(|b| b.is_ascii_digit()) {
        match (columns.role_name.as_str(), role_cell.parse::<u64>()) {
            ("escalation level" | "level" | "tier", Ok(n)) => level_role(n),
            (name, _) => format!("{name} {role_cell}"),
        }
    } else {
        role_cell.to_string()
    };
    let email = Some(row.cell(columns.email))
        .filter(|e| e.contains('@'))
        .or_else(|| Some(person).filter(|p| p.contains('@')))
        .map(str::to_string);
    let zone = zone(row.cell(columns.zone))?;
    let day_text = row.cell(columns.date);
    let day = match (columns.date, day_text.is_empty()) {
        (Some(_), false) => {
            Some(date(day_text).ok_or_else(|| format!("unreadable date {day_text:?}"))?)
        }
        _ => None,
    };
    let start_text = row.cell(columns.start);
    if start_text.is_empty() {
        return Err(format!("shift of {person} without a start"));
    }
    let start = read_cell(start_text, day, "start")?;
    let end_text = row.cell(columns.end);
    let end = if end_text.is_empty() {
        None
    } else {
        let mut end = read_cell(end_text, day, "end")?;
        // Times of day on one date: an end at or before the start is on the
        // next day (a night shift, or a 24-hour shift from 08:00 to 08:00).
        if let (Cell::OnDate(s, ..), Cell::OnDate(e, precision, text)) = (&start, &end) {
            if e <= s {
                let next = e
                    .checked_add_signed(Duration::days(1))
                    .ok_or("date out of range")?;
                end = Cell::OnDate(next, *precision, format!("{text} (+1 day)"));
            }
        }
        Some(end)
    };
    let date_prefix = |text: &str| match day_text {
        // A cell that writes its own date keeps it as written.
        d if d.is_empty() || text.contains(d) => text.to_string(),
        d => format!("{d} {text}"),
    };
    let resolve = |cell: Cell| -> Result<Timestamp, String> {
        let (naive, precision, text) = match cell {
            Cell::Full(ts) => match ts.value {
                TimeValue::Local(naive) => (naive, ts.precision, ts.text),
                _ => return Ok(ts),
            },
            Cell::OnDate(naive, precision, text) => (naive, precision, date_prefix(&text)),
        };
        Ok(match &zone {
            Zone::Fixed(offset) => {
                let micros = naive.and_utc().timestamp_micros() - i64::from(*offset) * 1_000_000;
                Timestamp {
                    value: TimeValue::Utc(micros),
                    precision,
                    text: format!("{text} {}", row.cell(columns.zone)),
                    unknown_zone: false,
                }
            }
            _ => Timestamp {
                value: TimeValue::Local(naive),
                precision,
                text,
                unknown_zone: false,
            },
        })
    };
    let start = resolve(start)?;
    let end = end.map(resolve).transpose()?;
    if let (TimeValue::Utc(s), Some(TimeValue::Utc(e))) =
        (start.value, end.as_ref().map(|e| e.value))
    {
        if e < s {
            return Err(format!("shift of {person} ends before it starts"));
        }
    }
    Ok(Some(Shift {
        person: person.to_string(),
        email,
        role,
        zone,
        start,
        end,
    }))
}

fn emit(row: &CsvRow, shift: &Shift, sink: &mut dyn RecordSink) {
    let sides = [("start", Some(&shift.start)), ("end", shift.end.as_ref())];
    for (side, time) in sides {
        let Some(time) = time else {
            continue;
        };
        let mut record = Record {
            line: Some(row.line),
            line_end: Some(row.line_end),
            locator: Some(row.locator()),
            span: row.span.clone(),
            actor: Some(shift.person.clone()),
            lossy_utf8: row.lossy,
            ..Record::new(
                Kind::Shift,
                time.clone(),
                format!("shift {side}: {}", shift.role),
            )
        };
        record.attributes.push(("role".into(), shift.role.clone()));
        record
            .attributes
            .push(("person".into(), shift.person.clone()));
        if let Some(email) = &shift.email {
            record.attributes.push(("email".into(), email.clone()));
        }
        record
            .attributes
            .push(("shift_id".into(), row.row.to_string()));
        record
            .attributes
            .push(("shift_event".into(), side.to_string()));
        // The zone only applies to a naive time; an explicit offset won.
        if let (Zone::Named(tz), TimeValue::Local(_)) = (&shift.zone, &time.value) {
            record.attributes.push(("tz".into(), tz.clone()));
        }
        if let Some(zone) = shift.zone.text() {
            record.attributes.push(("person_tz".into(), zone));
        }
        sink.record(record);
    }
}

/// The role a responder holds at an escalation level, as the timeline
/// names people in a blameless draft.
pub(crate) fn level_role(level: u64) -> String {
    match level {
        1 => "primary on-call".to_string(),
        2 => "secondary on-call".to_string(),
        n => format!("level {n} on-call"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, attr, never_panics, problem_places, run, run_str, utc};
    use proptest::prelude::*;

    const WEEKLY: &[u8] = include_bytes!("../../fixtures/shifts/weekly_rotation.csv");
    const SHEET: &[u8] = include_bytes!("../../fixtures/shifts/spreadsheet_local_times.csv");
    const NIGHTS: &[u8] = include_bytes!("../../fixtures/shifts/night_rotation_local_times.csv");

    fn local(record: &Record) -> String {
        match record.time.value {
            TimeValue::Local(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            other => panic!("not local: {other:?}"),
        }
    }

    #[test]
    fn iso_times_with_offsets_are_absolute() {
        let out = run(&Shifts, WEEKLY);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 10);
        let (start, end) = (&out.records[0], &out.records[1]);
        // Across the end of summer time in Berlin: +02:00 then +01:00.
        assert_eq!(utc(start), "2026-10-24T06:00:00.000000Z");
        assert_eq!(utc(end), "2026-10-25T07:00:00.000000Z");
        assert_eq!(start.kind, Kind::Shift);
        assert_eq!(start.message, "shift start: Primary");
        assert_eq!(end.message, "shift end: Primary");
        assert_eq!(start.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(attr(start, "email"), Some("dana.whitfield@example.net"));
        assert_eq!(attr(start, "shift_id"), Some("2"));
        // No zone column: the sheet says nothing of the person's zone.
        assert_eq!(attr(start, "person_tz"), None);
        assert_eq!(attr(end, "shift_id"), Some("2"));
        assert_eq!(start.line, Some(2));
        assert_eq!(start.locator.as_deref(), Some("row 2"));
        assert_eq!(&WEEKLY[start.span.clone()], b"Dana Whitfield,dana.whitfield@example.net,Primary,2026-10-24T08:00:00+02:00,2026-10-25T08:00:00+01:00");
        assert_eq!(
            out.records[9].actor.as_deref(),
            Some("Incident Commander Pool")
        );
        assert_eq!(attr(&out.records[9], "role"), Some("Incident commander"));
    }

    #[test]
    fn date_and_times_of_day_with_a_zone_column_stay_naive() {
        let out = run(&Shifts, SHEET);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let lee: Vec<&Record> = out.records.iter().filter(|r| r.line == Some(3)).collect();
        assert_eq!(local(lee[0]), "2026-10-24 20:00");
        // 20:00 to 08:00 crosses midnight: the end is on the next day.
        assert_eq!(local(lee[1]), "2026-10-25 08:00");
        assert_eq!(attr(lee[1], "tz"), Some("Europe/Berlin"));
        assert_eq!(attr(lee[0], "role"), Some("primary on-call"));
        assert_eq!(lee[1].time.text, "2026-10-24 08:00 (+1 day)");
        // 08:00 to 08:00 is a whole day.
        let sam: Vec<&Record> = out.records.iter().filter(|r| r.line == Some(6)).collect();
        assert_eq!(local(sam[0]), "2026-10-24 08:00");
        assert_eq!(local(sam[1]), "2026-10-25 08:00");
        assert_eq!(attr(sam[0], "tz"), Some("America/New_York"));
    }

    #[test]
    fn levels_twelve_hour_clocks_offsets_and_midnight() {
        let out = run(&Shifts, NIGHTS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 8);
        let r = &out.records;
        assert_eq!(r[0].message, "shift start: primary on-call");
        assert_eq!(r[0].actor.as_deref(), Some("priya.raman@example.net"));
        assert_eq!(attr(&r[0], "email"), Some("priya.raman@example.net"));
        assert_eq!(local(&r[1]), "2026-10-26 06:00");
        // 9:00 PM to 9:00 AM, New York.
        assert_eq!(r[2].message, "shift start: secondary on-call");
        assert_eq!(local(&r[2]), "2026-10-25 21:00");
        assert_eq!(local(&r[3]), "2026-10-26 09:00");
        // A fixed offset in the zone column makes the times absolute.
        assert_eq!(utc(&r[4]), "2026-10-26T05:00:00.000000Z");
        assert_eq!(utc(&r[5]), "2026-10-26T13:00:00.000000Z");
        assert_eq!(attr(&r[4], "tz"), None);
        // Whatever made the times absolute, the row's zone is its person's.
        assert_eq!(attr(&r[0], "person_tz"), Some("Europe/Berlin"));
        assert_eq!(attr(&r[4], "person_tz"), Some("+01:00"));
        assert_eq!(attr(&r[5], "person_tz"), Some("+01:00"));
        assert_eq!(attr(&r[6], "person_tz"), Some("UTC"));
        // UTC, ending at 24:00.
        assert_eq!(utc(&r[6]), "2026-10-26T06:00:00.000000Z");
        assert_eq!(utc(&r[7]), "2026-10-27T00:00:00.000000Z");
    }

    #[test]
    fn unreadable_rows_become_problems_with_rows_and_lines() {
        let input = "Name;Role;Start;End;TZ\n\
Ann;primary;2026-10-25 08:00;2026-10-25 20:00;Europe/Berlin\n\
Bob;;2026-10-25 08:00;2026-10-25 20:00;\n\
Cy;secondary;08:00;20:00;\n\
Di;secondary;25/10/2026 08:00;;\n\
\n\
Ed;primary;2026-10-25T20:00:00Z;2026-10-25T08:00:00Z;\n\
Flo;primary;2026-10-25 08:00;;Mars Base\n\
Gus;primary;2026-10-25 08:00;;\n";
        let out = run(&Shifts, input.as_bytes());
        let found = problem_places(&out);
        assert_eq!(
            found,
            [
                (Some(3), Some("row 3")),
                (Some(4), Some("row 4")),
                (Some(5), Some("row 5")),
                (Some(7), Some("row 6")),
                (Some(8), Some("row 7")),
            ]
        );
        assert!(out.problems[1].reason.contains("no date"));
        // Ann's two records and Gus's start (no end: unbounded).
        assert_eq!(out.records.len(), 3);
        assert_eq!(out.records[2].actor.as_deref(), Some("Gus"));
        assert_eq!(out.records[2].locator.as_deref(), Some("row 8"));
        assert_eq!(out.records[2].line, Some(9));
        assert_eq!(
            &input.as_bytes()[out.records[2].span.clone()],
            b"Gus;primary;2026-10-25 08:00;;"
        );

        let out = run(&Shifts, b"Name,Start,End\nAnn,2026-10-25 08:00,\n");
        assert!(out.records.is_empty());
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn a_european_sheet_with_headers_in_its_own_words() {
        // Semicolons, day-first dates with dots, date and time in one
        // cell, headers that hold the word rather than being it.
        let sheet = "On-call engineer;Shift start;Shift end;Rotation;Timezone\nCarol White;14.08.2026 08:00;14.08.2026 20:00;primary on-call;Europe/Berlin\n";
        assert_eq!(Shifts.sniff(sheet.as_bytes()), Some(95));
        let out = run_str(&Shifts, sheet);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0].actor.as_deref(), Some("Carol White"));
        assert_eq!(out.records[0].message, "shift start: primary on-call");
        assert_eq!(out.records[0].time.text, "14.08.2026 08:00");
    }

    #[test]
    fn sniff_accepts_sheets_and_rejects_other_csv_and_json() {
        for input in [WEEKLY, SHEET, NIGHTS] {
            assert_eq!(Shifts.sniff(input), Some(95));
        }
        assert_eq!(
            Shifts.sniff(
                b"responder,position,from,to\nAnn,IC,2026-10-25T08:00:00Z,2026-10-25T20:00:00Z\nBo"
            ),
            Some(95)
        );
        assert_rejects(
            &Shifts,
            &[
            &b"Name,Role,Start,End\nAnn,primary,soon,later\n"[..],
            b"Summary,Issue key,Status,Assignee,Created\nDB down,OPS-1,Open,Ann,20/Nov/26 10:07 AM\n",
            br#"{"time":"2026-10-25T08:00:00Z","name":"x","role":"y","start":"2026-10-25T08:00:00Z"}"#,
            br#"[{"type":"message","user":"U1","text":"name,role,start","ts":"1792892462.000200"}]"#,
            include_bytes!("../../fixtures/pagerduty-oncalls/oncalls_list.json"),
            ],
        );
    }

    #[test]
    fn a_zone_cell_is_the_persons_zone_in_a_form_the_pipeline_reads() {
        for (cell, want) in [
            ("UTC+1", Some("+01:00")),
            ("GMT-05:00", Some("-05:00")),
            ("+0530", Some("+05:30")),
            ("-09:30", Some("-09:30")),
            ("Z", Some("UTC")),
            ("Asia/Kolkata", Some("Asia/Kolkata")),
            ("", None),
        ] {
            assert_eq!(zone(cell).unwrap().text().as_deref(), want, "{cell}");
        }
    }

    never_panics!(Shifts);

    proptest! {
        #[test]
        fn arbitrary_cells_never_panic(cells in proptest::collection::vec("[0-9a-zA-Z:+/ _.-]{0,20}", 6)) {
            let input = format!("Date,Name,Role,Start,End,TZ\n{}\n", cells.join(","));
            let mut out = Collected::default();
            Shifts.parse(input.as_bytes(), &mut out);
            let _ = Shifts.sniff(input.as_bytes());
        }
    }
}
