use crate::util::*;

#[test]
fn a_user_format_file_works_end_to_end() {
    let s = Scratch::new();
    let listed = stdout(&s.run(
        "formats",
        &["--formats-dir", "fixtures/user-formats", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let formats = v["formats"].as_array().unwrap();
    let user = formats
        .iter()
        .find(|f| f["id"] == "payments-gateway")
        .expect("user format listed");
    assert_eq!(user["origin"], "user");
    assert!(formats
        .iter()
        .any(|f| f["id"] == "syslog-rfc3164" && f["origin"] == "built-in"));

    let out = s.run(
        "ingest",
        &[
            "fixtures/user-formats/payments.log",
            "--formats-dir",
            "fixtures/user-formats",
            "--tz",
            "UTC",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("3 events (payments-gateway)"),
        "{}",
        stderr(&out)
    );
    let events = jsonl(&stdout(&s.run("events", &[])));
    assert_eq!(events[1]["time"], "2026-11-20T22:55:01.123000Z");
    assert_eq!(events[1]["level"], "error");
    assert_eq!(events[1]["host"], "gw-7");
    assert_eq!(events[1]["message"], "card auth timeout for merchant 4411");
}

#[test]
fn a_broken_user_format_is_refused_by_name() {
    let s = Scratch::new();
    s.write(
        "formats/bad.json",
        r#"{"id": "bad", "description": "x", "patterns": ["^(?P<timestamp>\\d+) (?P<message>.*)$"],
            "timestamp_format": "%Y-%m-%d", "samples": [{"line": "12 hello", "time": "2026-01-01T00:00:00"}]}"#,
    );
    let out = s.run(
        "formats",
        &["--formats-dir", s.path("formats").to_str().unwrap()],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("bad.json"), "{}", stderr(&out));
}

#[test]
fn builtin_formats_are_listed_with_descriptions() {
    let s = Scratch::new();
    let out = stdout(&s.run("formats", &[]));
    for id in [
        "jsonl",
        "logfmt",
        "syslog-rfc5424",
        "access-log",
        "apache-error",
        "text-log",
        "hdfs",
        "slack-export",
        "elasticsearch",
        "loki",
        "cloudwatch-logs",
        "gcp-logging",
        "azure-monitor",
        "datadog-logs",
        "splunk-json",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{out}"
        );
    }
}
