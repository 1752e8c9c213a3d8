//! One incident's records that share its paging number, a Teams thread and
//! a paging note naming people in part: every happening keeps its row,
//! every reply is read, reactions are not rows, and nobody is named.

use crate::util::{assert_code, stdout, Scratch};

const EVIDENCE: [&str; 4] = [
    "fixtures/shifts/own_cert_rotation.csv",
    "fixtures/pagerduty/own_log_entries_cert_4711.json",
    "fixtures/github-json/own_issue_during_incident_4711.json",
    "fixtures/teams-graph/own_expanded_replies.json",
];

fn ingested() -> Scratch {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &EVIDENCE), 0);
    s
}

fn timeline(s: &Scratch) -> serde_json::Value {
    serde_json::from_str(&stdout(&s.run("timeline", &["--format", "json"]))).unwrap()
}

fn cited(entry: &serde_json::Value) -> Vec<String> {
    entry["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let file = c["source"].as_str().unwrap().rsplit('/').next().unwrap();
            format!("{file} {}", c["locator"].as_str().unwrap_or(""))
        })
        .collect()
}

#[test]
fn an_issue_opened_about_the_paged_incident_is_not_the_acknowledgement() {
    let v = timeline(&ingested());
    let entries = v["entries"].as_array().unwrap();
    let at = |time: &str| {
        entries
            .iter()
            .find(|e| e["time"] == time)
            .unwrap_or_else(|| panic!("no entry at {time}: {v:#}"))
    };
    // Both mention PagerDuty #4711, but one is an acknowledgement and the
    // other a ticket opened a minute later: two happenings, two rows.
    let ack = at("2026-06-09T09:03:10.000000Z");
    assert_eq!(
        cited(ack),
        ["own_log_entries_cert_4711.json $.log_entries[1]"]
    );
    let issue = at("2026-06-09T09:04:05.000000Z");
    assert_eq!(issue["kind"], "ticket");
    assert_eq!(cited(issue), ["own_issue_during_incident_4711.json $[0]"]);
    assert!(issue["summary"]
        .as_str()
        .unwrap()
        .contains("acme/api-gateway#318 opened"));
}

#[test]
fn teams_thread_replies_are_rows_and_reactions_are_not() {
    let s = ingested();
    let v = timeline(&s);
    let entries = v["entries"].as_array().unwrap();
    let reply = entries
        .iter()
        .find(|e| e["time"] == "2026-06-09T09:08:30.000000Z")
        .unwrap_or_else(|| panic!("the thread reply is not a row: {v:#}"));
    assert_eq!(
        reply["summary"],
        "new cert deployed to gw-1 and gw-2, handshakes succeeding again"
    );
    assert_eq!(
        cited(reply),
        ["own_expanded_replies.json $.value[0].replies[0]"]
    );
    for e in entries {
        let summary = e["summary"].as_str().unwrap();
        assert!(
            !summary.trim().is_empty() && !summary.contains('👍') && summary != ":+1:",
            "a reaction became a row: {e:#}"
        );
    }
    // The reply Graph counted but did not expand is a rejected record.
    let sources: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let teams = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["parser"] == "teams-graph")
        .unwrap();
    assert_eq!(teams["events"], 4);
    assert_eq!(teams["rejected"], 1);
    assert!(teams["rejected_lines"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("not in this export"));
}

#[test]
fn first_names_alone_are_not_printed() {
    let s = ingested();
    let draft = stdout(&s.run("timeline", &[]));
    let json = stdout(&s.run("timeline", &["--format", "json"]));
    for out in [&draft, &json] {
        for name in ["Priya", "Raman", "Mercer", "priya", "Will "] {
            assert!(!out.contains(name), "{name} printed:\n{out}");
        }
    }
    // The shift sheet names both in full; the paging note only in part.
    assert!(
        draft.contains("Note: Primary is renewing the cert. Secondary is watching gw-2; the new cert will be live in 5 min, mark the old one revoked after"),
        "{draft}"
    );
}
