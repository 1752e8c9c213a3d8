use crate::util::*;

#[test]
fn ingesting_twice_stores_once_and_says_so() {
    let s = Scratch::new();
    let first = s.run("ingest", &DEMO_ARGS);
    assert_code(&first, 0);
    assert!(stderr(&first).contains("stored fixtures/demo/app/checkout-api.jsonl"));
    let events_before = stdout(&s.run("events", &[])).lines().count();
    let second = s.run("ingest", &DEMO_ARGS);
    assert_code(&second, 0);
    assert!(
        stderr(&second).contains("skipped fixtures/demo/app/checkout-api.jsonl: already stored"),
        "{}",
        stderr(&second)
    );
    assert_eq!(stdout(&s.run("events", &[])).lines().count(), events_before);
}

#[test]
fn a_companion_of_an_export_stored_before_is_still_its_companion() {
    let s = Scratch::new();
    for run in ["first", "second"] {
        let out = s.run("ingest", &["fixtures/slack-api"]);
        assert_code(&out, 0);
        assert!(
            stderr(&out).contains(
                "skipped fixtures/slack-api/users_list.json: no events of its own; read as a companion"
            ),
            "{run} run: {}",
            stderr(&out)
        );
    }
}

#[test]
fn unrecognized_and_binary_files_are_named_and_the_rest_ingests() {
    let s = Scratch::new();
    s.write("ev/notes.txt", "just some words\nwithout any time\n");
    s.write("ev/blob.bin", [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(100));
    s.write("ev/empty.log", "");
    s.write("ev/app.log", "2026-01-01T10:00:00Z ERROR payment failed\n");
    let dir = s.path("ev");
    let out = s.run("ingest", &[dir.to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("notes.txt: unrecognized format"), "{err}");
    assert!(err.contains("blob.bin: binary file"), "{err}");
    assert!(err.contains("empty.log: empty file"), "{err}");
    assert!(err.contains("app.log: 1 events"), "{err}");
}

#[test]
fn exports_of_a_known_shape_without_times_are_named_for_what_they_are() {
    let s = Scratch::new();
    s.write(
        "ev/p50.json",
        r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"percentile_x_50","type":"long"}],"rows":[[2]]}]}"#,
    );
    s.write(
        "ev/rate.json",
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"app":"api"},"values":[[1763633400,"12"]]}]}}"#,
    );
    s.write(
        "ev/stats.jsonl",
        "{\"preview\":false,\"offset\":0,\"result\":{\"host\":\"web-1\",\"count\":\"62\"}}\n",
    );
    s.write("ev/app.log", "2026-01-01T10:00:00Z ERROR payment failed\n");
    let out = s.run("ingest", &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    for said in [
        "p50.json: an Azure Monitor query result without a datetime column (azure-monitor): no timed records",
        "rate.json: a Loki metric query result (counts over time, not log lines) (loki): no timed records",
        "stats.jsonl: Splunk search results without _time (a statistics table) (splunk-json): no timed records",
    ] {
        assert!(err.contains(said), "{said}\n{err}");
    }
}

#[test]
fn nothing_ingestable_exits_2() {
    let s = Scratch::new();
    let f = s.write("notes.txt", "no timestamps here\n");
    assert_code(&s.run("ingest", &[f.to_str().unwrap()]), 2);
}

#[test]
fn missing_evidence_and_bad_options_exit_2_with_a_message() {
    let s = Scratch::new();
    let out = s.run("ingest", &["/nonexistent/evidence"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("/nonexistent/evidence"));
    let out = s.run("ingest", &["fixtures/demo", "--tz", "Mars/Olympus"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("unknown time zone"));
    let out = s.run("ingest", &["fixtures/demo", "--parser", "*.log=nope"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no parser has that id"));
}

#[test]
fn commands_on_a_missing_database_exit_2() {
    let s = Scratch::new();
    let out = s.run("timeline", &[]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no database"));
}

#[test]
fn zip_members_are_read_in_memory_and_traversal_is_refused() {
    use std::io::Write;
    let s = Scratch::new();
    let path = s.path("bundle.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("logs/app.log", opts).unwrap();
    zip.write_all(b"2026-01-01T10:00:00Z ERROR checkout failed\n")
        .unwrap();
    zip.start_file("../evil.log", opts).unwrap();
    zip.write_all(b"2026-01-01T10:00:00Z ERROR pwned\n")
        .unwrap();
    zip.finish().unwrap();
    let out = s.run("ingest", &[path.to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("bundle.zip!../evil.log: zip member path is absolute or climbs out"),
        "{err}"
    );
    let sources: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let list = sources["sources"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("bundle.zip!logs/app.log"));
    assert!(!s.path("logs").exists() && !s.path("evil.log").exists());
}

#[test]
fn gzip_is_read_transparently_and_truncated_gzip_is_named() {
    use std::io::Write;
    let s = Scratch::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"2026-01-01T10:00:00Z WARN disk 91% full\n")
        .unwrap();
    let bytes = gz.finish().unwrap();
    s.write("ev/a.log.gz", &bytes);
    s.write("ev/b.log.gz", &bytes[..bytes.len() / 2]);
    let out = s.run("ingest", &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("a.log.gz: 1 events"), "{err}");
    assert!(
        err.contains("b.log.gz: cannot read (truncated or corrupt?)"),
        "{err}"
    );
}

#[test]
fn a_huge_line_is_rejected_by_number_and_the_rest_ingests() {
    let s = Scratch::new();
    let mut content = b"2026-01-01T10:00:00Z INFO before\n".to_vec();
    content.extend(std::iter::repeat_n(b'x', 20 << 20));
    content.extend_from_slice(b"\n2026-01-01T10:00:02Z ERROR after\n");
    let f = s.write("big.log", &content);
    let out = s.run("ingest", &[f.to_str().unwrap()]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("2 events"), "{}", stderr(&out));
    let sources: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let src = &sources["sources"][0];
    assert_eq!(src["rejected"], 1);
    assert_eq!(src["rejected_lines"][0]["line"], 2);
}

#[test]
fn sources_lists_parser_counts_range_and_zone() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let list = v["sources"].as_array().unwrap();
    let by_path = |p: &str| {
        list.iter()
            .find(|s| s["source"] == p)
            .unwrap_or_else(|| panic!("{p} in {v}"))
    };
    let syslog = by_path("fixtures/demo/syslog/db-1.log");
    assert_eq!(syslog["parser"], "syslog-rfc3164");
    assert_eq!(syslog["tz"], "Europe/Berlin");
    assert_eq!(syslog["rejected"], 0);
    // Local 20 Nov 23:41:03 CET is 22:41:03 UTC.
    assert_eq!(syslog["first"], "2026-11-20T22:41:03.000000Z");
    assert_eq!(
        by_path("fixtures/demo/nginx/access.log")["parser"],
        "access-log"
    );
    assert_eq!(
        by_path("fixtures/demo/deploy/deploys.log")["parser"],
        "logfmt"
    );
    assert_eq!(
        by_path("fixtures/demo/app/checkout-api.jsonl")["parser"],
        "jsonl"
    );
    for s in list {
        assert_eq!(s["sha256"].as_str().unwrap().len(), 64);
        assert!(s["events"].as_u64().unwrap() > 0);
    }
}

#[test]
fn parser_override_by_glob() {
    let s = Scratch::new();
    let f = s.write("x.log", "2026-01-01T10:00:00Z host prog[1]: hello\n");
    let out = s.run(
        "ingest",
        &[f.to_str().unwrap(), "--parser", "*.log=text-log"],
    );
    assert_code(&out, 0);
    assert!(stderr(&out).contains("(text-log)"), "{}", stderr(&out));
}

/// A syslog without years, last written long after its lines (copied a
/// year later): the sources that write their dates place it, not the
/// file's modification time; still flagged, and said.
#[test]
fn a_missing_year_follows_the_dated_evidence_not_the_file_time() {
    let s = Scratch::new();
    let syslog = s.write(
        "ev/web-1.log",
        "Mar 10 10:00:01 web-1 nginx[10]: worker process 42 exited on signal 9\n\
         Mar 10 10:00:05 web-1 systemd[1]: Started nginx.service.\n",
    );
    let written = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_342_400); // 2026-12-04
    std::fs::File::options()
        .write(true)
        .open(&syslog)
        .and_then(|f| f.set_modified(written))
        .expect("set the modification time");
    s.write(
        "ev/app.jsonl",
        "{\"time\":\"2025-03-10T10:00:03Z\",\"level\":\"error\",\"msg\":\"upstream reset\"}\n",
    );
    let out = s.run("ingest", &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("no year written; read from 2025 on"),
        "{}",
        stderr(&out)
    );
    let events = stdout(&s.run("events", &[]));
    let syslog_times: Vec<&str> = events
        .lines()
        .filter(|l| l.contains("web-1.log"))
        .map(|l| &l[9..28])
        .collect();
    assert_eq!(
        syslog_times,
        ["2025-03-10T10:00:01", "2025-03-10T10:00:05"],
        "{events}"
    );
    assert!(events
        .lines()
        .filter(|l| l.contains("web-1.log"))
        .all(|l| l.contains("inferred-year")));
    // With nothing dated beside it, the file's time decides, as before.
    let alone = Scratch::new();
    let path = alone.write("ev/web-1.log", "Mar 10 10:00:01 web-1 nginx[10]: started\n");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(written))
        .expect("set the modification time");
    assert_code(
        &alone.run("ingest", &[alone.path("ev").to_str().unwrap()]),
        0,
    );
    assert!(stdout(&alone.run("events", &[])).contains("2026-03-10T10:00:01"));
}

/// A plain file of a size no stored source has is hashed while it is
/// parsed; one of a stored source's size is hashed first. Either way a
/// copy is found, stores nothing, and every stored hash is the file's.
#[test]
fn copies_are_found_whether_hashed_before_or_while_parsing() {
    let s = Scratch::new();
    let line = "2026-01-01T10:00:00Z ERROR payment failed\n";
    s.write("first/app.log", line);
    s.write("first/copy.log", line);
    // Whitespace past the head: only reading on shows nothing follows.
    s.write("first/blank.log", " \n".repeat(40_000));
    let out = s.run("ingest", &[s.path("first").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("app.log: 1 events"), "{err}");
    let copy_of = |err: &str, name: &str| {
        err.lines()
            .find(|l| l.contains(&format!("{name}: already stored (same SHA-256 as ")))
            .is_some_and(|l| l.ends_with("first/app.log)"))
    };
    assert!(copy_of(&err, "copy.log"), "{err}");
    assert!(err.contains("blank.log: empty file"), "{err}");
    // A later run: a copy of the stored file, and a file of its size with
    // other bytes.
    s.write("second/again.log", line);
    s.write("second/other.log", line.replace("10:00:00", "10:00:09"));
    let out = s.run("ingest", &[s.path("second").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(copy_of(&err, "again.log"), "{err}");
    assert!(err.contains("other.log: 1 events"), "{err}");
    assert_eq!(stdout(&s.run("events", &[])).lines().count(), 2);
    let verified = s.run("verify", &[]);
    assert_code(&verified, 0);
    assert_eq!(
        stdout(&verified).matches("ok ").count(),
        2,
        "{}",
        stdout(&verified)
    );
}
