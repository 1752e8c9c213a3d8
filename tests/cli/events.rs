use crate::util::*;

#[test]
fn events_follow_the_contract_in_utc_order() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let out = s.run("events", &[]);
    assert_code(&out, 0);
    let events = jsonl(&stdout(&out));
    assert!(events.len() > 200);
    let keys = [
        "time",
        "time_quality",
        "source",
        "line",
        "locator",
        "parser",
        "kind",
        "level",
        "actor",
        "host",
        "service",
        "message",
        "template",
    ];
    for e in &events {
        for k in keys {
            assert!(e.get(k).is_some(), "{k} missing in {e}");
        }
        let t = e["time"].as_str().unwrap();
        assert!(t.ends_with('Z') && t.len() == 27, "{t}");
    }
    let times: Vec<&str> = events.iter().map(|e| e["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    // The nginx line [20/Nov/2026:23:55:.. +0100] is 22:55 UTC.
    let first_502 = events
        .iter()
        .find(|e| e["parser"] == "access-log" && e["message"].as_str().unwrap().contains("502"))
        .unwrap();
    assert!(first_502["time"]
        .as_str()
        .unwrap()
        .starts_with("2026-11-20T22:5"));
    assert_eq!(first_502["level"], "error");
    assert_eq!(first_502["locator"], format!("line {}", first_502["line"]));
}

#[test]
fn from_to_and_source_filters() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let out = s.run(
        "events",
        &[
            "--from",
            "2026-11-20T23:00:00Z",
            "--to",
            "2026-11-20T23:10:00Z",
            "--source",
            "*deploys.log",
        ],
    );
    assert_code(&out, 0);
    let events = jsonl(&stdout(&out));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["time"], "2026-11-20T23:06:55.000000Z");
    // Naive --from is read in --tz: 00:06 Berlin is 23:06 UTC.
    let out = s.run(
        "events",
        &[
            "--tz",
            "Europe/Berlin",
            "--from",
            "2026-11-21 00:06:00",
            "--to",
            "2026-11-21 00:07:00",
            "--source",
            "*deploys.log",
        ],
    );
    assert_eq!(jsonl(&stdout(&out)).len(), 1);
}

#[test]
fn csv_has_a_header_and_one_row_per_event() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let jsonl_count = stdout(&s.run("events", &[])).lines().count();
    let out = stdout(&s.run("events", &["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("time"));
    assert_eq!(reader.records().count(), jsonl_count);
}

#[test]
fn same_record_times_are_ordered_by_source_then_position() {
    let s = Scratch::new();
    s.write(
        "ev/b.log",
        "2026-01-01T10:00:00Z INFO b1\n2026-01-01T10:00:00Z INFO b2\n",
    );
    s.write("ev/a.log", "2026-01-01T10:00:00Z INFO a1\n");
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    let events = jsonl(&stdout(&s.run("events", &[])));
    let msgs: Vec<&str> = events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, ["a1", "b1", "b2"]);
}
