use crate::util::*;

#[test]
fn demo_draft_markdown_snapshot() {
    let s = Scratch::new();
    let out = s.run("draft", &DEMO_ARGS);
    assert_code(&out, 0);
    insta::assert_snapshot!("demo_draft_md", stdout(&out));
}

#[test]
fn demo_timeline_json_snapshot_and_contract() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let out = s.run("timeline", &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for k in ["generator", "window", "key_times", "durations", "entries"] {
        assert!(v.get(k).is_some(), "{k}");
    }
    let entries = v["entries"].as_array().unwrap();
    assert!(entries.len() >= 12, "{} entries", entries.len());
    for e in entries {
        let ev = e["evidence"].as_array().unwrap();
        assert!(!ev.is_empty(), "entry without evidence: {e}");
        for c in ev {
            assert_eq!(c["sha256"].as_str().unwrap().len(), 64);
            assert!(c["source"].as_str().unwrap().starts_with("fixtures/demo/"));
        }
    }
    insta::assert_snapshot!("demo_timeline_json", stdout(&out));
}

#[test]
fn responders_talk_is_diagnosis_while_the_incident_is_open_and_context_after() {
    let json = demo_draft_json(&["fixtures/demo"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let phase_at = |time: &str| {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["time"] == time)
            .unwrap_or_else(|| panic!("no entry at {time}"))["phase"]
            .clone()
    };
    assert_eq!(v["key_times"]["resolved"], "2026-11-20T23:20:01.000000Z");
    // "db pool exhausted errors … since 22:55": a finding, before resolution.
    assert_eq!(phase_at("2026-11-20T23:05:12.010000Z"), "diagnosis");
    // "Post-mortem draft will follow; thanks …", 50 minutes after it.
    assert_eq!(phase_at("2026-11-21T00:10:30.000000Z"), "context");
}

#[test]
fn every_markdown_row_cites_evidence() {
    let s = Scratch::new();
    let md = stdout(&s.run("draft", &DEMO_ARGS));
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Time (UTC)"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(rows.len() >= 12, "{md}");
    for r in rows {
        assert!(
            r.trim_end().trim_end_matches('|').trim_end().ends_with(']'),
            "row without citation: {r}"
        );
    }
}

/// `draft --format json` of the demo folders in the order given, with the
/// demo's other options, checked to be a timeline with entries: two failed
/// runs would print the same nothing.
fn demo_draft_json(dirs: &[&str]) -> String {
    let s = Scratch::new();
    let mut args = dirs.to_vec();
    args.extend(&DEMO_ARGS[1..]);
    args.extend(["--format", "json"]);
    let out = s.run("draft", &args);
    assert_code(&out, 0);
    let json = stdout(&out);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(!v["entries"].as_array().unwrap().is_empty(), "{json}");
    json
}

#[test]
fn output_does_not_depend_on_evidence_order() {
    let forward = [
        "fixtures/demo/app",
        "fixtures/demo/nginx",
        "fixtures/demo/syslog",
        "fixtures/demo/deploy",
    ];
    let mut backward = forward;
    backward.reverse();
    assert_eq!(demo_draft_json(&forward), demo_draft_json(&backward));
}

#[test]
fn local_tz_adds_a_labelled_column() {
    let s = Scratch::new();
    let mut args = DEMO_ARGS.to_vec();
    args.extend(["--local-tz", "America/New_York"]);
    let out = s.run("draft", &args);
    assert_code(&out, 0);
    let md = stdout(&out);
    assert!(
        md.contains("| Time (UTC) | Local (America/New_York) | Phase |"),
        "{md}"
    );
    // New York is five hours behind UTC in November (no daylight saving
    // time), which puts this message on the day before in local time.
    assert!(
        md.lines().any(|row| row
            .starts_with("| 2026-11-21 00:10:30 | 2026-11-20 19:10:30 | context | ")
            && row.contains("Post-mortem draft will follow")),
        "{md}"
    );
}

#[test]
fn csv_and_html_renderings_escape_evidence_text() {
    let s = Scratch::new();
    s.write(
        "ev/app.log",
        "2026-01-01T10:00:00Z ERROR =HYPERLINK(\"http://x\") <script>alert(1)</script> | pipe\n",
    );
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    let csv = stdout(&s.run("timeline", &["--format", "csv"]));
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let html = stdout(&s.run("timeline", &["--format", "html"]));
    assert!(
        !html.contains("<script>alert(1)") && html.contains("&lt;script&gt;alert(1)"),
        "{html}"
    );
    let md = stdout(&s.run("timeline", &[]));
    assert!(md.contains("\\| pipe"), "{md}");
}

#[test]
fn the_timeline_is_stored_and_rebuilt_in_place() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let json = |s: &Scratch| -> serde_json::Value {
        serde_json::from_str(&stdout(&s.run("timeline", &["--format", "json"]))).unwrap()
    };
    let first = json(&s);
    let second = json(&s);
    assert_eq!(first, second);
    let db = rusqlite::Connection::open(s.db()).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM timeline_runs"), 1);
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(
        count("SELECT count(*) FROM timeline_entries") as usize,
        entries.len()
    );
    let cited: usize = entries
        .iter()
        .map(|e| e["evidence"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        count("SELECT count(*) FROM timeline_evidence") as usize,
        cited
    );
    // Every stored citation names a stored source and a position in it,
    // and, where the event is a row (not a line in a block), that row.
    assert_eq!(
        count(
            "SELECT count(*) FROM timeline_evidence v JOIN sources s ON s.id = v.source_id \
             LEFT JOIN events e ON e.id = v.event_id \
             WHERE v.event_id IS NULL OR (e.source_id = v.source_id AND e.seq = v.seq)"
        ) as usize,
        cited
    );
    assert!(count("SELECT count(*) FROM timeline_evidence WHERE event_id IS NULL") > 0);
    let summary: String = db
        .query_row(
            "SELECT summary FROM timeline_entries WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(summary, entries[0]["summary"].as_str().unwrap());
}

/// Overlapping rotated logs (lines 56–65 are in both files) and one alert
/// delivered twice: each happening is one entry, citing both files.
#[test]
fn rotated_logs_and_a_twice_delivered_alert_are_each_one_happening() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/incidents/rotated-logs"]), 0);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("timeline", &["--format", "json"]))).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{v:#}");
    let sources = |e: &serde_json::Value| -> Vec<String> {
        let mut s: Vec<String> = e["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["source"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        s.sort();
        s.dedup();
        s
    };
    let burst = &entries[0];
    // Twenty distinct error lines, ten of them collected twice: twenty.
    assert_eq!(burst["occurrences"], 20);
    assert_eq!(burst["time"], "2026-05-04T09:16:40.000000Z");
    assert_eq!(burst["last_time"], "2026-05-04T09:23:00.000000Z");
    assert_eq!(sources(burst), ["app.log", "app.log.1"]);
    assert_eq!(burst["verification"], "corroborated");
    let alert = &entries[1];
    assert_eq!(alert["kind"], "alert");
    assert_eq!(alert["time"], "2026-05-04T09:17:05.000000Z");
    assert_eq!(
        sources(alert),
        ["alert-delivery-1.json", "alert-delivery-2.json"]
    );
    assert_eq!(alert["verification"], "corroborated");
    // Every event is either behind an entry or counted as left out.
    assert_eq!(v["events_in_window"], 112);
    assert_eq!(v["left_out"], 80);
}

use proptest::prelude::Strategy;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]

    /// Whatever order the evidence is given in, the timeline is the same
    /// bytes.
    #[test]
    fn timeline_does_not_depend_on_the_order_of_evidence(
        order in proptest::strategy::Just(vec![
            "fixtures/demo/app", "fixtures/demo/chat", "fixtures/demo/deploy", "fixtures/demo/nginx",
            "fixtures/demo/oncall", "fixtures/demo/paging", "fixtures/demo/syslog", "fixtures/demo/tickets",
        ])
        .prop_shuffle()
    ) {
        let mut sorted = order.clone();
        sorted.sort();
        proptest::prop_assert_eq!(demo_draft_json(&order), demo_draft_json(&sorted));
    }
}

#[test]
fn a_routine_line_whose_rate_jumps_gets_an_entry() {
    let s = Scratch::new();
    let mut text = String::new();
    for minute in 0..30 {
        let per_minute = if minute == 20 { 60 } else { 3 };
        for i in 0..per_minute {
            text.push_str(&format!(
                "2026-02-02T10:{minute:02}:{:02}.{:03}Z INFO retrying payment {} on queue 7\n",
                i * 60 / per_minute,
                i,
                minute * 100 + i
            ));
        }
    }
    let f = s.write("worker.log", text);
    assert_code(&s.run("ingest", &[f.to_str().unwrap()]), 0);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("timeline", &["--format", "json"]))).unwrap();
    let jump = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"].as_str().unwrap().starts_with("rate of"))
        .unwrap_or_else(|| panic!("no rate entry: {v:#}"));
    assert_eq!(
        jump["summary"],
        "rate of \"retrying payment <*> on queue <*>\" changed from 3/min to 60/min"
    );
    assert_eq!(jump["time"], "2026-02-02T10:20:00.000000Z");
    assert_eq!(jump["evidence"][0]["line"], 61);
}
