//! Status pages, CI job logs and unknown zone words through the binary:
//! the events they give and the phases the draft assigns.

use crate::util::*;

#[test]
fn status_updates_deploys_and_unknown_zones_end_to_end() {
    let s = Scratch::new();
    let out = s.run(
        "ingest",
        &[
            "fixtures/statuspage/incidents.json",
            "fixtures/github-actions/deploy_job.txt",
            "fixtures/log-samples/invalid_tz_suffix.log",
            "--tz",
            "Europe/Berlin",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("invalid_tz_suffix.log: some times carry a zone word"),
        "{}",
        stderr(&out)
    );
    let events = jsonl(&stdout(&s.run("events", &[])));
    let status: Vec<&serde_json::Value> = events.iter().filter(|e| e["kind"] == "status").collect();
    assert_eq!(status.len(), 6);
    assert_eq!(status[2]["time"], "2026-11-20T22:57:02.000000Z");
    assert_eq!(status[2]["actor"], "Acme Shop status page");
    assert_eq!(status[2]["parser"], "statuspage");
    let deploy = events.iter().find(|e| e["kind"] == "deploy").unwrap();
    assert_eq!(deploy["time"], "2026-11-20T22:41:09.118273Z");
    assert_eq!(deploy["actor"], "GitHub Actions");
    // 21:08:10 in Berlin summer time; FOO is no zone.
    let foo = events.iter().find(|e| e["parser"] == "text-log").unwrap();
    assert_eq!(foo["time"], "2015-04-24T19:08:10.313913Z");
    assert_eq!(foo["time_quality"], serde_json::json!(["unknown-zone"]));

    let timeline: serde_json::Value = serde_json::from_str(&stdout(&s.run(
        "timeline",
        &[
            "--format",
            "json",
            "--from",
            "2026-11-20T22:30:00Z",
            "--to",
            "2026-11-21T00:00:00Z",
        ],
    )))
    .unwrap();
    let phase_of = |time: &str| {
        timeline["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["time"] == time && e["kind"] == "status")
            .map(|e| e["phase"].as_str().unwrap().to_string())
    };
    assert_eq!(
        phase_of("2026-11-20T22:57:02.000000Z").as_deref(),
        Some("escalation")
    );
    assert_eq!(
        phase_of("2026-11-20T22:58:13.500000Z").as_deref(),
        Some("diagnosis")
    );
    assert_eq!(
        phase_of("2026-11-20T23:12:40.004000Z").as_deref(),
        Some("recovery")
    );
    assert_eq!(
        phase_of("2026-11-20T23:41:07.120000Z").as_deref(),
        Some("resolution")
    );

    let audit = stdout(&s.run("audit", &["--format", "json"]));
    assert!(audit.contains("a zone word no one defines"), "{audit}");
}
