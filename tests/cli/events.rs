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

/// Routine lines whose message the store does not copy: two single-line
/// records and one with a continuation line.
const ROUTINE: &str = concat!(
    "2026-01-01 10:00:00,001 INFO  [worker-1] orders - order 41 placed in 12 ms\n",
    "2026-01-01 10:00:01,002 INFO  [worker-2] orders - batch summary follows\n",
    "  items=3 total=17.50\n",
    "2026-01-01 10:00:02,003 INFO  [worker-1] orders - order 42 placed in 9 ms\n",
);

fn listed_messages(s: &Scratch) -> Vec<(String, String)> {
    let out = s.run("events", &[]);
    assert_code(&out, 0);
    jsonl(&stdout(&out))
        .iter()
        .map(|e| {
            (
                e["source"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn routine_messages_are_read_back_from_plain_gzip_and_zipped_evidence() {
    use std::io::Write;
    let s = Scratch::new();
    s.write("ev/plain.log", ROUTINE);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ROUTINE.replace("order 4", "gz order 4").as_bytes())
        .unwrap();
    s.write("ev/packed.log.gz", gz.finish().unwrap());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("inner/zipped.log", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(ROUTINE.replace("order 4", "zip order 4").as_bytes())
        .unwrap();
    s.write("ev/bundle.zip", zip.finish().unwrap().into_inner());
    let ev = s.path("ev");
    assert_code(&s.run("ingest", &[ev.to_str().unwrap()]), 0);

    // Routine lines: packed into one block per source, their messages
    // not copied.
    let db = rusqlite::Connection::open(s.db()).unwrap();
    let (rows, blocks, lines): (i64, i64, i64) = db
        .query_row(
            "SELECT (SELECT count(*) FROM events), count(*), sum(lines) FROM line_blocks",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((rows, blocks, lines), (0, 3, 9));

    let mut listed = listed_messages(&s);
    listed.sort();
    let expected = |file: &str, prefix: &str| {
        vec![
            (
                file.to_string(),
                format!("[worker-1] orders - {prefix}order 41 placed in 12 ms"),
            ),
            (
                file.to_string(),
                format!("[worker-1] orders - {prefix}order 42 placed in 9 ms"),
            ),
            (
                file.to_string(),
                "[worker-2] orders - batch summary follows\n  items=3 total=17.50".to_string(),
            ),
        ]
    };
    let mut want = [
        expected("packed.log.gz", "gz "),
        expected("plain.log", ""),
        expected("zipped.log", "zip "),
    ]
    .concat();
    want.sort();
    assert_eq!(listed, want);
}

#[test]
fn evidence_changed_after_ingest_stops_the_listing_with_its_name() {
    let s = Scratch::new();
    let log = s.write("ev/app.log", ROUTINE);
    assert_code(&s.run("ingest", &[log.to_str().unwrap()]), 0);
    std::fs::write(&log, ROUTINE.replace("order", "ORDER").repeat(2)).unwrap();
    let out = s.run("events", &[]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("app.log: missing or changed since it was ingested") && err.contains("verify"),
        "{err}"
    );
    std::fs::remove_file(&log).unwrap();
    let out = s.run("events", &[]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("app.log: missing or changed"));
}

#[test]
fn block_lines_and_rows_merge_into_one_utc_order() {
    // 3000 lines over several blocks, with a clock that jumps back an hour
    // halfway (so blocks overlap in time), warnings among them (stored as
    // rows), and a second source interleaved with the first.
    let s = Scratch::new();
    let mut a = String::new();
    for i in 0..3000 {
        // The first half is 11:00-11:25, the second 10:00-10:25.
        let (hour, second) = if i < 1500 { (11, i) } else { (10, i - 1500) };
        let level = if i % 100 == 7 { "WARN" } else { "INFO" };
        a.push_str(&format!(
            "2026-03-01T{hour}:{:02}:{:02}.000Z {level} poller cycle {i} done\n",
            second / 60,
            second % 60
        ));
    }
    let mut b = String::new();
    for i in 0..500 {
        b.push_str(&format!(
            "2026-03-01T10:{:02}:{:02}.500Z INFO sweeper pass {i}\n",
            i / 60 % 60,
            i % 60
        ));
    }
    s.write("ev/a.log", &a);
    s.write("ev/b.log", &b);
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    let db = rusqlite::Connection::open(s.db()).unwrap();
    let blocks: i64 = db
        .query_row("SELECT count(*) FROM line_blocks", [], |r| r.get(0))
        .unwrap();
    assert!(blocks >= 4, "{blocks} blocks");

    let out = s.run("events", &[]);
    assert_code(&out, 0);
    let events = jsonl(&stdout(&out));
    assert_eq!(events.len(), 3500);
    let keys: Vec<(String, String, i64)> = events
        .iter()
        .map(|e| {
            (
                e["time"].as_str().unwrap().to_string(),
                e["source"].as_str().unwrap().to_string(),
                e["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Every line is there once, with its own message.
    for e in &events {
        let line = e["line"].as_i64().unwrap();
        let message = e["message"].as_str().unwrap();
        if e["source"].as_str().unwrap().ends_with("a.log") {
            assert!(
                message.ends_with(&format!("cycle {} done", line - 1)),
                "{e}"
            );
        } else {
            assert_eq!(message, format!("sweeper pass {}", line - 1));
        }
    }
    // A range cuts through blocks: 10:05:00 to 10:05:59.999 holds 60 lines
    // of each source.
    let out = s.run(
        "events",
        &[
            "--from",
            "2026-03-01T10:05:00Z",
            "--to",
            "2026-03-01T10:05:59.999Z",
        ],
    );
    assert_eq!(jsonl(&stdout(&out)).len(), 120);
}
