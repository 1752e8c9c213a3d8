//! Ticket samples that must not be copied into this repository
//! (fixtures/SOURCES.md): GPL ones from Perceval and Zenpy, and ServiceNow
//! ones whose origin states no licence. Checked in place in
//! `../shared/corpus` when that folder exists beside the project, skipped
//! with a note otherwise (a failure with `FACTLINE_REQUIRE_CORPUS=1`, as in
//! CI).

use factline_parsers::time::TimeValue;
use factline_parsers::{Collected, Record};

use crate::util::{read_as, utc};

/// Detects the file's format from its first 64 KiB, as ingest does,
/// checks it is `id`, and parses it.
fn parse(file: &str, id: &str) -> Option<Collected> {
    let bytes =
        std::fs::read(crate::outside::corpus("GPL and unlicensed ticket samples")?.join(file))
            .expect("corpus file is readable");
    let out = read_as(&bytes, id, file);
    assert!(out.problems.is_empty(), "{file}: {:?}", out.problems);
    Some(out)
}

fn naive(r: &Record) -> String {
    match r.time.value {
        TimeValue::Local(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        other => panic!("not naive: {other:?}"),
    }
}

fn summary(out: &Collected, time: fn(&Record) -> String) -> Vec<(String, String)> {
    out.records
        .iter()
        .map(|r| (time(r), r.message.chars().take(70).collect()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(t, m)| (t.to_string(), m.to_string()))
        .collect()
}

#[test]
fn jira_cloud_comment_page() {
    let Some(out) = parse("jira-json/cloud_issue_comments_page1.json", "jira-json") else {
        return;
    };
    assert_eq!(out.records.len(), 2);
    let r = &out.records[0];
    assert_eq!(utc(r), "2018-05-24T21:35:30.742000Z");
    assert!(r
        .message
        .starts_with("issue 10016 comment: G'day [~leo.papadopoulos]!\n"));
    assert_eq!(r.actor.as_deref(), Some("Peter Monks"));
    assert_eq!(r.locator.as_deref(), Some("$.comments[0]"));
    assert_eq!(utc(&out.records[1]), "2018-05-25T16:21:23.212000Z");
    assert_eq!(out.records[1].actor.as_deref(), Some("Jack Monks"));
}

#[test]
fn jira_server_search() {
    let Some(out) = parse("jira-json/server_search_issues_page1.json", "jira-json") else {
        return;
    };
    assert_eq!(
        summary(&out, utc),
        pairs(&[
            (
                "2016-03-03T13:40:01.000000Z",
                "HELP-6043 created: [Fiware-lab-help] FIWARE Lab Assistance (priority M"
            ),
            (
                "2016-03-03T13:11:01.000000Z",
                "HELP-6042 created (priority Major)"
            ),
            ("2016-03-03T14:30:17.000000Z", "HELP-6042 resolved (Done)"),
        ])
    );
    assert_eq!(
        out.records[0].identifiers,
        ["HELP-6043", "https://jira.fiware.org/browse/HELP-6043"]
    );
}

#[test]
fn github_perceval_samples() {
    if let Some(out) = parse("github-issues/issue_single.json", "github-json") {
        assert_eq!(
            summary(&out, utc),
            pairs(&[(
                "2016-02-17T17:33:46.000000Z",
                "zhquan_example/repo#1 pull request opened: title 1"
            )])
        );
        assert_eq!(out.records[0].actor.as_deref(), Some("zhquan_example"));
    }
    if let Some(out) = parse("github-issues/issue_comments.json", "github-json") {
        assert_eq!(
            summary(&out, utc),
            pairs(&[(
                "2016-11-26T11:34:39.000000Z",
                "zhquan_example/repo#1 comment: My first comment"
            )])
        );
        assert_eq!(out.records[0].human, Some(true));
    }
    if let Some(out) = parse(
        "github-issues/graphql_issue_timeline_items_page1.json",
        "github-json",
    ) {
        assert_eq!(
            summary(&out, utc),
            pairs(&[
                ("2020-04-07T11:21:12.000000Z", "GitHub issue labeled bug"),
                (
                    "2020-04-07T11:21:19.000000Z",
                    "GitHub issue labeled duplicate"
                ),
            ])
        );
        assert_eq!(out.records[1].actor.as_deref(), Some("valeriocos"));
    }
}

#[test]
fn gitlab_perceval_samples() {
    if let Some(out) = parse("gitlab-issues/issues_page1.json", "gitlab-json") {
        assert_eq!(
            summary(&out, utc),
            pairs(&[
                (
                    "2017-03-17T03:44:12.073000Z",
                    "fdroid/fdroiddata#1 opened: bad directory permissions when building TT"
                ),
                (
                    "2017-03-18T09:52:55.303000Z",
                    "fdroid/fdroiddata#2 opened: Feeder (com.nononsenseapps.feeder) unneces"
                ),
            ])
        );
    }
    if let Some(out) = parse("gitlab-issues/issue_notes.json", "gitlab-json") {
        assert_eq!(
            summary(&out, utc),
            pairs(&[
                (
                    "2017-03-18T14:43:38.132000Z",
                    "#639 comment: Nothing on my side to fix, moving to server."
                ),
                (
                    "2017-03-18T14:44:19.482000Z",
                    "#639 moved to fdroidserver#268"
                ),
            ])
        );
        assert_eq!(out.records[0].human, Some(true));
        assert_eq!(out.records[1].human, Some(false));
        assert_eq!(out.records[1].locator.as_deref(), Some("$[0]"));
    }
}

#[test]
fn zendesk_zenpy_samples() {
    if let Some(out) = parse("zendesk/ticket_audits_list.json", "zendesk-json") {
        assert_eq!(out.records.len(), 177);
        assert_eq!(
            summary(&out, utc)[..3],
            pairs(&[
                (
                    "2023-09-09T23:52:05.000000Z",
                    "Zendesk #1 created: Sample ticket: Meet the ticket"
                ),
                (
                    "2023-09-09T23:52:05.000000Z",
                    "Zendesk #1 comment: Hi there,\n\nI’m sending an email because I’m having"
                ),
                (
                    "2023-09-09T23:52:05.000000Z",
                    "Zendesk #1 type set to incident; priority set to normal"
                ),
            ])
        );
        assert_eq!(out.records[0].locator.as_deref(), Some("$.audits[0]"));
        assert_eq!(
            out.records[1].locator.as_deref(),
            Some("$.audits[0].events[0]")
        );
    }
    if let Some(out) = parse(
        "zendesk/ticket_create_response_with_audit.json",
        "zendesk-json",
    ) {
        assert_eq!(
            summary(&out, utc),
            pairs(&[
                (
                    "2015-08-29T03:45:36.000000Z",
                    "Zendesk #7 created: OMG I MADE A TICKET"
                ),
                (
                    "2015-08-29T03:45:36.000000Z",
                    "Zendesk #7 comment: THIS IS MY FUNCY COMMENT"
                ),
            ])
        );
    }
}

#[test]
fn bugzilla_perceval_samples() {
    if let Some(out) = parse("bugzilla/rest_bug_history.json", "bugzilla-json") {
        assert_eq!(out.records.len(), 6);
        assert_eq!(
            summary(&out, utc)[..2],
            pairs(&[
                (
                    "2016-05-18T08:15:37.000000Z",
                    "Bug 1273442 cc +evan@tseng.io; flag +needinfo?(evan@tseng.io)"
                ),
                (
                    "2016-05-27T06:46:28.000000Z",
                    "Bug 1273442 groups −mozilla-employee-confidential; flag −needinfo?(eva"
                ),
            ])
        );
        assert_eq!(out.records[5].actor.as_deref(), Some("doliver@mozilla.com"));
        assert_eq!(
            out.records[5].locator.as_deref(),
            Some("$.bugs[0].history[5]")
        );
    }
    if let Some(out) = parse("bugzilla/rest_bugs.json", "bugzilla-json") {
        assert_eq!(
            summary(&out, utc),
            pairs(&[
                (
                    "2016-05-17T09:44:44.000000Z",
                    "Bug 1273442 filed: License check for SensorWeb back-end"
                ),
                (
                    "2016-05-17T09:42:04.000000Z",
                    "Bug 1273439 filed: License check for SensorWeb front-end"
                ),
            ])
        );
    }
}

#[test]
fn bugzilla_perceval_buglist_csv() {
    if let Some(out) = parse("bugzilla/buglist.csv", "bugzilla-csv") {
        assert_eq!(out.records.len(), 5);
        assert_eq!(
            summary(&out, naive)[..2],
            pairs(&[
                (
                    "2009-07-22 15:27:25",
                    "Bug 15 (LibreGeoSocial (Android)/general) RESOLVED FIXED: The location"
                ),
                (
                    "2009-07-28 20:09:20",
                    "Bug 18 (LibreGeoSocial (Android)/general) RESOLVED FIXED: Crass applic"
                ),
            ])
        );
        assert_eq!(out.records[4].identifiers, ["Bug 19"]);
    }
}

#[test]
fn servicenow_event_log_gives_changes_not_copies() {
    let Some(out) = parse("servicenow/incident_event_log_head.csv", "servicenow-csv") else {
        return;
    };
    // 414 rows of 69 incidents: every row repeats all fields, so only the
    // openings, the rows that change a tracked field and the resolutions
    // and closures not already stated by a state change are events.
    assert_eq!(out.records.len(), 303);
    assert_eq!(
        out.records
            .iter()
            .filter(|r| r.message.contains(" opened"))
            .count(),
        69
    );
    assert_eq!(
        summary(&out, naive)[..4],
        pairs(&[
            (
                "2016-02-29 01:16:00",
                "INC0000045 opened (priority 3 - Moderate)"
            ),
            ("2016-02-29 08:53:00", "INC0000045 state New → Resolved"),
            (
                "2016-02-29 11:29:00",
                "INC0000045 resolved (close code: code 5)"
            ),
            ("2016-03-05 12:00:00", "INC0000045 state Resolved → Closed"),
        ])
    );
    assert_eq!(out.records[1].actor.as_deref(), Some("Updated by 642"));
    assert_eq!(out.records[1].locator.as_deref(), Some("row 3"));
    assert_eq!(out.records[2].actor.as_deref(), Some("Resolved by 149"));
}

#[test]
fn servicenow_table_api_documented_response() {
    let Some(out) = parse("servicenow/table_api_incident_get.json", "servicenow-json") else {
        return;
    };
    assert_eq!(
        summary(&out, naive),
        pairs(&[
            (
                "2016-12-12 15:19:57",
                "INC0000060 opened: Unable to connect to email (priority 3 - Moderate)"
            ),
            (
                "2016-12-13 21:43:14",
                "INC0000060 resolved (close code: Solved (Permanently))"
            ),
            ("2016-12-14 02:46:44", "INC0000060 closed"),
        ])
    );
    assert_eq!(out.records[0].actor.as_deref(), Some("employee"));
    assert_eq!(out.records[0].identifiers, ["INC0000060"]);
}
