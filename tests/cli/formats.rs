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
        "uwsgi",
        "django-runserver",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{out}"
        );
    }
}

/// A fresh database holding `sample` of `fixtures/log-samples/`, its
/// naive times read in `zone`, after ingest said `said` of it.
fn ingested_sample(sample: &str, zone: &str, said: &str) -> Scratch {
    let s = Scratch::new();
    let path = format!("fixtures/log-samples/{sample}");
    let out = s.run("ingest", &["--tz", zone, &path]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains(said), "{err}");
    s
}

/// uWSGI's request lines carry their time in the middle, in local ctime
/// form; its start-up lines, which carry none, are reported by number.
#[test]
fn uwsgi_request_lines_are_read_and_its_start_up_lines_reported() {
    let s = ingested_sample(
        "own_uwsgi_requests.log",
        "Europe/Berlin",
        "3 events (uwsgi), 3 lines rejected",
    );
    let events = jsonl(&stdout(&s.run("events", &[])));
    let read: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["time"].as_str().unwrap(), e["level"].as_str().unwrap()))
        .collect();
    // Local times, in the zone given (Berlin, UTC+1 in March).
    assert_eq!(
        read,
        [
            ("2026-03-07T17:28:25.000000Z", "info"),
            ("2026-03-07T17:28:25.000000Z", "warn"),
            ("2026-03-07T17:31:02.000000Z", "error"),
        ]
    );
    assert!(events[2]["message"]
        .as_str()
        .unwrap()
        .starts_with("POST /api/orders => generated 141 bytes"));
    let sources: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let rejected: Vec<u64> = sources["sources"][0]["rejected_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, [1, 2, 3]);
}

/// Django's development server: its request lines are events, levelled by
/// status; its banner and the tracebacks it prints are reported by number.
#[test]
fn django_runserver_request_lines_are_read_and_the_rest_reported() {
    let s = ingested_sample(
        "own_django_runserver.log",
        "UTC",
        "15 events (django-runserver), 13 lines rejected",
    );
    let events = jsonl(&stdout(&s.run("events", &[])));
    let failed: Vec<(&str, &str, &str)> = events
        .iter()
        .filter(|e| e["level"] != "info")
        .map(|e| {
            (
                e["time"].as_str().unwrap(),
                e["level"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            (
                "2026-12-04T10:01:06.000000Z",
                "error",
                "\"POST /api/pay HTTP/1.1\" 500 145"
            ),
            (
                "2026-12-04T10:01:11.000000Z",
                "warn",
                "\"GET /favicon.ico HTTP/1.1\" 404 179"
            ),
        ]
    );
}
