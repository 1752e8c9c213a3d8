//! Bugzilla bug lists exported as CSV (`buglist.cgi?…&ctype=csv`): a
//! quoted header naming the columns the search showed (`bug_id`,
//! `product`, `component`, `assigned_to`, `bug_status`, `resolution`,
//! `short_desc`, `changeddate`…), one row per bug. Columns vary with the
//! search, so they are found by name. Dates are written in the server's
//! zone without an offset (`2009-07-22 15:27:25`) and stay naive.
//!
//! One event per bug: its state at its last change.

use crate::record::{Record, RecordSink};
use crate::tickets::{self, Columns, CsvRow, DateReader, DayOrder};
use crate::Parser;

/// Bugzilla buglist CSV export.
pub struct BugzillaCsv;

const ID: &[&str] = &["bug_id"];
/// Date columns, best first: the last change, else the filing.
const CHANGED: &[&str] = &["changeddate", "delta_ts", "last_change_time"];
const OPENED: &[&str] = &["opendate", "creation_ts", "creation_time"];

impl Parser for BugzillaCsv {
    fn id(&self) -> &str {
        "bugzilla-csv"
    }

    fn description(&self) -> &str {
        "Bugzilla buglist CSV export (ctype=csv): each bug's state at its last change"
    }

    fn specificity(&self) -> u8 {
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let rows = tickets::csv_rows(head, Some(2), None);
        let [header, first] = rows.as_slice() else {
            return None;
        };
        let columns = Columns::new(&header.cells);
        columns.find(ID)?;
        let (date, _) = date_column(&columns)?;
        let dates = DateReader::new(DayOrder::of([first.cell(Some(date))]));
        dates.read(first.cell(Some(date))).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let rows = tickets::csv_rows(input, None, Some(&mut *sink));
        let Some((header, data)) = rows.split_first() else {
            return tickets::report(sink, None, "row 1", "empty input");
        };
        let columns = Columns::new(&header.cells);
        let (Some(id), Some((date, changed))) = (columns.find(ID), date_column(&columns)) else {
            return tickets::report(
                sink,
                Some(header.line),
                &header.locator(),
                "not a Bugzilla CSV export: no bug_id or date column in the header",
            );
        };
        let layout = Layout {
            id,
            date,
            changed,
            product: columns.find(&["product"]),
            component: columns.find(&["component"]),
            assignee: columns.find(&["assigned_to", "assigned_to_realname"]),
            status: columns.find(&["bug_status"]),
            resolution: columns.find(&["resolution"]),
            summary: columns.find(&["short_desc", "short_short_desc"]),
            severity: columns.find(&["bug_severity"]),
            priority: columns.find(&["priority"]),
        };
        let order = DayOrder::of(data.iter().map(|r| r.cell(Some(date))));
        let dates = DateReader::new(order);
        for row in data {
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if let Some(record) = layout.bug(row, &dates, sink) {
                sink.record(record);
            }
        }
    }
}

/// The date column and whether it is the last change (else the filing).
fn date_column(columns: &Columns) -> Option<(usize, bool)> {
    columns
        .find(CHANGED)
        .map(|c| (c, true))
        .or_else(|| columns.find(OPENED).map(|c| (c, false)))
}

/// Where the export keeps what we read.
struct Layout {
    id: usize,
    date: usize,
    changed: bool,
    product: Option<usize>,
    component: Option<usize>,
    assignee: Option<usize>,
    status: Option<usize>,
    resolution: Option<usize>,
    summary: Option<usize>,
    severity: Option<usize>,
    priority: Option<usize>,
}

impl Layout {
    fn bug(&self, row: &CsvRow, dates: &DateReader, sink: &mut dyn RecordSink) -> Option<Record> {
        let id = row.cell(Some(self.id));
        if id.is_empty() {
            tickets::report(
                sink,
                Some(row.line),
                &row.locator(),
                "bug row without a bug_id",
            );
            return None;
        }
        let date = row.cell(Some(self.date));
        let Some(time) = dates.read(date) else {
            let clipped: String = date.chars().take(40).collect();
            tickets::report(
                sink,
                Some(row.line),
                &row.locator(),
                format!("Bug {id}: unreadable date {clipped:?}"),
            );
            return None;
        };
        let product = tickets::non_blank(row.cell(self.product));
        let component = tickets::non_blank(row.cell(self.component));
        let status = tickets::non_blank(row.cell(self.status));
        // `---` is how Bugzilla shows "no resolution yet".
        let resolution = tickets::non_blank(row.cell(self.resolution)).filter(|r| *r != "---");
        let summary = tickets::non_blank(row.cell(self.summary));

        let mut message = format!("Bug {id}");
        match (product, component) {
            (Some(p), Some(c)) => message.push_str(&format!(" ({p}/{c})")),
            (Some(p), None) | (None, Some(p)) => message.push_str(&format!(" ({p})")),
            (None, None) => {}
        }
        for word in [status, resolution].into_iter().flatten() {
            message.push(' ');
            message.push_str(word);
        }
        message.push_str(": ");
        if let Some(s) = summary {
            message.push_str(s);
            message.push_str(", ");
        }
        message.push_str(if self.changed {
            "last changed"
        } else {
            "filed"
        });

        let mut r = row.record(time, message);
        r.system = Some("Bugzilla".into());
        r.service = product.map(str::to_string);
        r.identifiers.push(format!("Bug {id}"));
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(v) = value {
                r.attributes.push((key.to_string().into(), v.to_string()));
            }
        };
        put("bug_id", Some(id));
        put("component", component);
        put("status", status);
        put("resolution", resolution);
        put("assignee", tickets::non_blank(row.cell(self.assignee)));
        put("severity", tickets::non_blank(row.cell(self.severity)));
        put("priority", tickets::non_blank(row.cell(self.priority)));
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{naive, never_panics, run_str};

    const OWN: &str = include_str!("../../../fixtures/bugzilla-csv/own_buglist.csv");

    #[test]
    fn own_sample_one_event_per_bug() {
        let out = run_str(&BugzillaCsv, OWN);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let times: Vec<String> = out.records.iter().map(naive).collect();
        assert_eq!(
            times,
            [
                "2026-11-20 10:42:07",
                "2026-11-20 11:05:30",
                "2026-11-19 23:58:00",
                "2026-11-21 08:15:00"
            ]
        );
        let r = &out.records[0];
        assert_eq!(
            r.message,
            "Bug 4101 (Checkout/payments) RESOLVED FIXED: Card payments time out after \
             gateway TLS rotation, last changed"
        );
        assert_eq!(r.kind, crate::Kind::Ticket);
        assert_eq!(r.system.as_deref(), Some("Bugzilla"));
        assert_eq!(r.service.as_deref(), Some("Checkout"));
        assert_eq!(r.identifiers, ["Bug 4101"]);
        assert_eq!((r.line, r.locator.as_deref()), (Some(2), Some("row 2")));
        assert_eq!(
            out.records[1].message,
            "Bug 4102 (Checkout/api) ASSIGNED: Retry storm from cart service, \"503\" spikes, \
             last changed"
        );
    }

    #[test]
    fn columns_are_found_by_name() {
        let input =
            "\"short_desc\",\"bug_id\",\"opendate\"\n\"Disk full\",7,\"2026-03-05 01:02:03\"\n";
        let out = run_str(&BugzillaCsv, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records[0].message, "Bug 7: Disk full, filed");
        assert_eq!(naive(&out.records[0]), "2026-03-05 01:02:03");
    }

    #[test]
    fn bad_rows_become_problems() {
        let input = "\"bug_id\",\"short_desc\",\"changeddate\"\n\
                     1,\"ok\",\"2026-11-20 10:00:00\"\n\
                     2,\"bad date\",\"soon\"\n\
                     ,\"no id\",\"2026-11-20 10:00:00\"\n\
                     3,\"ok\",\"2026-11-20 11:00:00\"\n";
        let out = run_str(&BugzillaCsv, input);
        assert_eq!(out.records.len(), 2);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert_eq!(
            run_str(&BugzillaCsv, "\"a\",\"b\"\n1,2\n").problems.len(),
            1
        );
        assert_eq!(run_str(&BugzillaCsv, "").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_own_sample_and_rejects_others() {
        assert_eq!(BugzillaCsv.sniff(OWN.as_bytes()), Some(95));
        let app_log =
            "{\"time\":\"2026-11-20T10:07:33Z\",\"level\":\"info\",\"bug_id\":4,\"msg\":\"x\"}\n\
                       {\"time\":\"2026-11-20T10:07:34Z\",\"level\":\"warn\",\"msg\":\"y\"}\n";
        assert_eq!(BugzillaCsv.sniff(app_log.as_bytes()), None);
        let slack = "[{\"type\":\"message\",\"user\":\"U1\",\"text\":\"bug_id changeddate\",\"ts\":\"1700000000.000100\"}]";
        assert_eq!(BugzillaCsv.sniff(slack.as_bytes()), None);
        let no_date = "\"bug_id\",\"changeddate\"\n1,\"later\"\n";
        assert_eq!(BugzillaCsv.sniff(no_date.as_bytes()), None);
    }

    never_panics!(BugzillaCsv);
}
