//! Jira "Export → CSV (all fields)": one row per issue, with repeated
//! columns (`Comment`, `Labels`, `Watchers`, `Sprint`…) and comment cells
//! written `DATE;AUTHOR;TEXT`. Dates are in the exporting user's zone and
//! date format (default `dd/MMM/yy h:mm a`), so they stay naive.
//!
//! Events per issue: its creation, each comment and its resolution.
//! `Updated` and `Last Viewed` are not events: they say when someone last
//! touched or looked at the issue, not what happened.

use crate::record::{Record, RecordSink};
use crate::tickets::{self, Columns, CsvRow, DateReader, DayOrder};
use crate::time::Timestamp;
use crate::Parser;

/// Jira CSV export.
pub struct JiraCsv;

/// Columns an export must have for this parser to read it.
const KEY: &[&str] = &["issue key", "key"];
const CREATED: &[&str] = &["created"];

/// Rows the sniff reads from the head: the header and a few issues.
const SNIFF_ROWS: usize = 6;

impl Parser for JiraCsv {
    fn id(&self) -> &str {
        "jira-csv"
    }

    fn description(&self) -> &str {
        "Jira CSV export (all fields): issue creation, comments, resolution"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = tickets::csv_rows(head, Some(SNIFF_ROWS), None);
        let (header, data) = rows.split_first()?;
        let columns = Columns::new(&header.cells);
        columns.find(&["issue key"])?;
        columns.find(&["summary", "issue id", "issue type"])?;
        let created = columns.find(CREATED)?;
        let order = DayOrder::of(data.iter().map(|r| r.cell(Some(created))));
        let dates = DateReader::new(order);
        data.iter()
            .any(|r| dates.read(r.cell(Some(created))).is_some())
            .then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let rows = tickets::csv_rows(input, None, Some(&mut *sink));
        let Some((header, data)) = rows.split_first() else {
            return;
        };
        let columns = Columns::new(&header.cells);
        let (Some(key), Some(created)) = (columns.find(KEY), columns.find(CREATED)) else {
            tickets::report(
                sink,
                Some(header.line),
                &header.locator(),
                "not a Jira CSV export: no Issue key or Created column in the header",
            );
            return;
        };
        let layout = Layout {
            key,
            id: columns.find(&["issue id"]),
            summary: columns.find(&["summary"]),
            description: columns.find(&["description"]),
            issue_type: columns.find(&["issue type"]),
            status: columns.find(&["status"]),
            priority: columns.find(&["priority"]),
            resolution: columns.find(&["resolution"]),
            assignee: columns.find(&["assignee"]),
            reporter: columns.find(&["reporter"]),
            creator: columns.find(&["creator"]),
            project: columns.find(&["project name", "project key"]),
            created,
            resolved: columns.find(&["resolved", "resolution date"]),
            comments: columns.all("comment"),
            labels: columns.all("labels"),
        };
        let order = DayOrder::of(data.iter().flat_map(|row| layout.date_cells(row)));
        let dates = DateReader::new(order);
        for row in data {
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let events = layout.issue_events(row, &dates, sink);
            tickets::emit(sink, events);
        }
    }
}

/// Where the export keeps what we read.
struct Layout {
    key: usize,
    id: Option<usize>,
    summary: Option<usize>,
    description: Option<usize>,
    issue_type: Option<usize>,
    status: Option<usize>,
    priority: Option<usize>,
    resolution: Option<usize>,
    assignee: Option<usize>,
    reporter: Option<usize>,
    creator: Option<usize>,
    project: Option<usize>,
    created: usize,
    resolved: Option<usize>,
    comments: Vec<usize>,
    labels: Vec<usize>,
}

/// A comment cell, `DATE;AUTHOR;TEXT`.
#[derive(Debug, PartialEq)]
struct Comment {
    time: Timestamp,
    author: Option<String>,
    text: String,
}

/// Reads a comment cell. The text may itself contain `;`, so only the
/// first two separate fields; a cell of `DATE;TEXT` has no author.
fn comment(cell: &str, dates: &DateReader) -> Result<Comment, String> {
    let mut parts = cell.splitn(3, ';');
    let date = parts.next().unwrap_or_default();
    let time = dates.read(date).ok_or_else(|| {
        format!(
            "comment cell does not start with a readable date (DATE;AUTHOR;TEXT): {:?}",
            clip(date)
        )
    })?;
    let (author, text) = match (parts.next(), parts.next()) {
        (Some(author), Some(text)) => (tickets::non_blank(author), text),
        (Some(text), None) => (None, text),
        _ => return Err("comment cell has a date but no text".to_string()),
    };
    Ok(Comment {
        time,
        author: author.map(str::to_string),
        text: text.replace("\r\n", "\n").trim().to_string(),
    })
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

impl Layout {
    /// Every date cell of a row, for finding the file's day order.
    fn date_cells<'r>(&self, row: &'r CsvRow) -> Vec<&'r str> {
        let mut cells = vec![row.cell(Some(self.created)), row.cell(self.resolved)];
        for &c in &self.comments {
            cells.push(row.cell(Some(c)).split(';').next().unwrap_or_default());
        }
        cells
    }

    fn issue_events(
        &self,
        row: &CsvRow,
        dates: &DateReader,
        sink: &mut dyn RecordSink,
    ) -> Vec<Record> {
        let key = row.cell(Some(self.key));
        let label = match (key, row.cell(self.id)) {
            ("", "") => {
                tickets::report(
                    sink,
                    Some(row.line),
                    &row.locator(),
                    "issue row without an Issue key or Issue id",
                );
                return Vec::new();
            }
            ("", id) => format!("issue {id}"),
            (key, _) => key.to_string(),
        };
        let project = tickets::non_blank(row.cell(self.project)).map(str::to_string);
        let base = |time: Timestamp, message: String| {
            let mut r = row.record(time, message);
            r.system = Some("Jira".into());
            r.service = project.clone();
            if !key.is_empty() {
                r.identifiers.push(key.to_string());
            }
            r
        };
        let mut events = Vec::new();

        let created_text = row.cell(Some(self.created));
        match dates.read(created_text) {
            Some(time) => {
                let summary = row.cell(self.summary);
                let priority = row.cell(self.priority);
                let mut message = format!("{label} created");
                if !summary.is_empty() {
                    message.push_str(": ");
                    message.push_str(summary);
                }
                if !priority.is_empty() {
                    message.push_str(&format!(" (priority {priority})"));
                }
                let mut r = base(time, message).with_attribute("event", "created");
                let actor = tickets::non_blank(row.cell(self.creator))
                    .or_else(|| tickets::non_blank(row.cell(self.reporter)));
                r.actor = actor.map(str::to_string);
                r.human = tickets::human_actor(actor);
                for (name, column) in [
                    ("issue_type", self.issue_type),
                    ("priority", self.priority),
                    ("status", self.status),
                    ("assignee", self.assignee),
                    ("reporter", self.reporter),
                ] {
                    if let Some(v) = tickets::non_blank(row.cell(column)) {
                        r.attributes.push((name.to_string().into(), v.to_string()));
                    }
                }
                let labels: Vec<&str> = self
                    .labels
                    .iter()
                    .map(|&c| row.cell(Some(c)))
                    .filter(|l| !l.is_empty())
                    .collect();
                if !labels.is_empty() {
                    r.attributes.push(("labels".into(), labels.join(", ")));
                }
                tickets::mention(&mut r, row.cell(self.description));
                events.push(r);
            }
            None => tickets::report(
                sink,
                Some(row.line),
                &row.locator(),
                format!("{label}: unreadable Created date {:?}", clip(created_text)),
            ),
        }

        let mut ordinal = 0;
        for &column in &self.comments {
            let cell = row.cell(Some(column));
            if cell.is_empty() {
                continue;
            }
            ordinal += 1;
            let locator = format!("{}, Comment {ordinal}", row.locator());
            match comment(cell, dates) {
                Ok(c) => {
                    let mut r = base(c.time, format!("{label} comment: {}", c.text))
                        .with_attribute("comment", "true");
                    r.locator = Some(locator);
                    r.human = Some(
                        c.author
                            .as_deref()
                            .is_none_or(|a| !tickets::looks_automated(a)),
                    );
                    r.actor = c.author;
                    events.push(r);
                }
                Err(reason) => {
                    tickets::report(sink, Some(row.line), &locator, format!("{label}: {reason}"))
                }
            }
        }

        let resolved_text = row.cell(self.resolved);
        if !resolved_text.is_empty() {
            match dates.read(resolved_text) {
                Some(time) => {
                    let resolution = row.cell(self.resolution);
                    let message = if resolution.is_empty() {
                        format!("{label} resolved")
                    } else {
                        format!("{label} resolved ({resolution})")
                    };
                    let mut r = base(time, message)
                        .with_attribute("event", "resolved")
                        .with_attribute("status_to", "Resolved");
                    if !resolution.is_empty() {
                        r.attributes
                            .push(("resolution".into(), resolution.to_string()));
                    }
                    tickets::insert_in_order(&mut events, r);
                }
                None => tickets::report(
                    sink,
                    Some(row.line),
                    &row.locator(),
                    format!(
                        "{label}: unreadable Resolved date {:?}",
                        clip(resolved_text)
                    ),
                ),
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collected, Kind};
    use crate::testing::{assert_rejects, attr, naive, never_panics, problem_places, run};
    use crate::time::Precision;
    use proptest::prelude::*;

    const EXPORT: &[u8] = include_bytes!("../../../fixtures/jira-csv/ops_incident_export.csv");

    #[test]
    fn export_gives_creations_comments_and_resolutions_in_row_order() {
        let out = run(&JiraCsv, EXPORT);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (naive(r), r.message.split(':').next().unwrap_or_default()))
            .collect();
        assert_eq!(
            summary,
            [
                ("2026-10-25 01:52:00".to_string(), "OPS-1842 created"),
                ("2026-10-25 01:58:00".to_string(), "OPS-1842 comment"),
                ("2026-10-25 02:31:00".to_string(), "OPS-1842 comment"),
                // The second pass through the repeated hour stays after
                // the first: the pipeline resolves it by this order.
                ("2026-10-25 02:12:00".to_string(), "OPS-1842 comment"),
                ("2026-10-25 03:46:00".to_string(), "OPS-1842 comment"),
                (
                    "2026-10-25 03:47:00".to_string(),
                    "OPS-1842 resolved (Done)"
                ),
                ("2026-10-25 03:50:00".to_string(), "OPS-1849 created"),
                ("2026-10-25 02:05:00".to_string(), "OPS-1843 created"),
                ("2026-10-25 03:48:00".to_string(), "OPS-1843 comment"),
                (
                    "2026-10-25 03:48:00".to_string(),
                    "OPS-1843 resolved (Done)"
                ),
            ]
        );
        assert!(out.records.iter().all(|r| r.kind == Kind::Ticket
            && r.system.as_deref() == Some("Jira")
            && r.service.as_deref() == Some("Operations")));
    }

    #[test]
    fn creation_record() {
        let out = run(&JiraCsv, EXPORT);
        let r = &out.records[0];
        assert_eq!(
            r.message,
            "OPS-1842 created: Search API p99 latency above 2s (priority Highest)"
        );
        assert_eq!(r.time.text, "25/Oct/26 1:52 AM");
        assert_eq!(r.time.precision, Precision::Minute);
        assert_eq!(r.actor.as_deref(), Some("Opsgenie Integration"));
        assert_eq!(r.human, Some(false));
        // The dashboard link of the alert that opened it, from the
        // Description, lets the timeline merge the two.
        assert_eq!(
            r.identifiers,
            ["OPS-1842", "https://grafana.example.net/d/search-latency"]
        );
        assert_eq!(r.locator.as_deref(), Some("row 2"));
        // The row's quoted Description spans four lines.
        assert_eq!((r.line, r.line_end), (Some(2), Some(5)));
        assert!(EXPORT[r.span.clone()].starts_with(b"Search API p99 latency above 2s,OPS-1842,"));
        assert!(EXPORT[r.span.clone()].ends_with(b",Sev 2,25/Oct/26 1:41 AM"));
        assert_eq!(attr(r, "issue_type"), Some("Incident"));
        assert_eq!(attr(r, "priority"), Some("Highest"));
        assert_eq!(attr(r, "assignee"), Some("Dana Whitfield"));
        // Both repeated Labels columns.
        assert_eq!(attr(r, "labels"), Some("incident, sev2"));
        let follow_up = &out.records[6];
        assert_eq!(follow_up.actor.as_deref(), Some("Dana Whitfield"));
        assert_eq!(follow_up.human, Some(true));
        assert_eq!(follow_up.locator.as_deref(), Some("row 3"));
        assert_eq!(follow_up.line, Some(6));
    }

    #[test]
    fn comment_cells_split_on_the_first_two_semicolons() {
        let out = run(&JiraCsv, EXPORT);
        let c = &out.records[4];
        assert_eq!(
            c.message,
            "OPS-1842 comment: Resolving. Follow-up OPS-1849 for relocation throttling defaults, owner search team, due 15/Nov/26."
        );
        assert_eq!(
            c.actor.as_deref(),
            Some("557058:8a1f7c2e-1d2b-4c55-9a0e-2f4b6c8d9e01")
        );
        assert_eq!(c.human, Some(true));
        assert_eq!(c.locator.as_deref(), Some("row 2, Comment 4"));
        assert_eq!(attr(c, "comment"), Some("true"));
        assert_eq!(c.identifiers, ["OPS-1842"]);
        let only = &out.records[8];
        assert_eq!(only.locator.as_deref(), Some("row 4, Comment 1"));
        assert_eq!(
            only.message,
            "OPS-1843 comment: Status page set back to Operational."
        );

        let c = comment(
            "20/Nov/26 10:07 AM;jdoe;a; b;c",
            &DateReader::new(DayOrder::DayFirst),
        )
        .unwrap();
        assert_eq!(c.author.as_deref(), Some("jdoe"));
        assert_eq!(c.text, "a; b;c");
        let c = comment(
            "20/Nov/26 10:07 AM;just text",
            &DateReader::new(DayOrder::DayFirst),
        )
        .unwrap();
        assert_eq!((c.author, c.text.as_str()), (None, "just text"));
        assert!(comment("no date;x;y", &DateReader::new(DayOrder::DayFirst)).is_err());
    }

    #[test]
    fn other_date_formats_and_day_order() {
        let input = "Summary,Issue key,Created,Resolved,Comment,Comment\n\
                     A,X-1,2026-03-05 14:00,05/03/2026 16:30:15,05/03/2026 15:00;u1;first,\n\
                     B,X-2,29/03/2026 09:00,,,29/03/2026 10:00;u2;second\n";
        let out = run(&JiraCsv, input.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let times: Vec<String> = out.records.iter().map(naive).collect();
        assert_eq!(
            times,
            [
                "2026-03-05 14:00:00",
                "2026-03-05 15:00:00",
                "2026-03-05 16:30:15",
                "2026-03-29 09:00:00",
                "2026-03-29 10:00:00",
            ]
        );
        assert_eq!(out.records[2].time.precision, Precision::Second);
        assert_eq!(out.records[4].locator.as_deref(), Some("row 3, Comment 1"));
    }

    #[test]
    fn bad_cells_are_problems() {
        let input = "Summary,Issue key,Created,Resolved,Comment\n\
                     A,X-1,yesterday,,20/Nov/26 10:07 AM;u;ok\n\
                     B,X-2,20/Nov/26 10:07 AM,soon,not a comment\n\
                     ,,,,\n\
                     C,,20/Nov/26 10:07 AM,,\n";
        let out = run(&JiraCsv, input.as_bytes());
        assert_eq!(out.records.len(), 2);
        let problems = problem_places(&out);
        assert_eq!(
            problems,
            [
                (Some(2), Some("row 2")),
                (Some(3), Some("row 3, Comment 1")),
                (Some(3), Some("row 3")),
                (Some(5), Some("row 5")),
            ]
        );
        assert!(out.problems[0]
            .reason
            .contains("X-1: unreadable Created date"));

        let out = run(&JiraCsv, b"time,message\n2026-01-01 10:00,x\n");
        assert_eq!(out.records.len(), 0);
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_exports_and_rejects_other_formats() {
        assert_eq!(JiraCsv.sniff(EXPORT), Some(95));
        // A head cut inside the first row's Description.
        assert_eq!(JiraCsv.sniff(&EXPORT[..600]), Some(95));
        assert_rejects(
            &JiraCsv,
            &[
                &b"name,role,start,end\nJane,primary,2026-01-01T09:00:00Z,2026-01-02T09:00:00Z\n"[..],
                b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\"}]}",
                b"number,incident_state,opened_at\nINC1,New,29-02-2016 01:16\n",
                b"Summary,Issue key,Created\nA,X-1,never\n",
            ],
        );
    }

    never_panics!(JiraCsv);

    proptest! {
        #[test]
        fn arbitrary_rows_never_panic(row in "[A-Za-z0-9/;:, \"\n-]{0,120}") {
            let input = format!("Summary,Issue key,Created,Resolved,Comment\n{row}");
            let mut out = Collected::default();
            JiraCsv.parse(input.as_bytes(), &mut out);
        }
    }
}
