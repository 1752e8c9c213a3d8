use crate::util::*;

#[test]
fn verify_names_changed_and_missing_files_and_exits_1() {
    let s = Scratch::new();
    let a = s.write("ev/a.log", "2026-01-01T10:00:00Z ERROR a\n");
    let b = s.write("ev/b.log", "2026-01-01T10:00:01Z ERROR b\n");
    s.write("ev/c.log", "2026-01-01T10:00:02Z ERROR c\n");
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    assert_code(&s.run("verify", &[]), 0);
    std::fs::write(&a, "2026-01-01T10:00:00Z ERROR tampered\n").unwrap();
    std::fs::remove_file(&b).unwrap();
    let out = s.run("verify", &[]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("changed ") && text.contains("a.log"),
        "{text}"
    );
    assert!(
        text.contains("missing ") && text.contains("b.log"),
        "{text}"
    );
    assert!(text.contains("ok ") && text.contains("c.log"), "{text}");
}

#[test]
fn audit_json_follows_the_contract_and_strict_fails_on_changes() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    // The demo's chat messages rest on people's word: --strict fails on them.
    let out = s.run("audit", &["--format", "json", "--strict"]);
    assert_code(&out, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let summary = &v["summary"];
    assert_eq!(summary["changed_sources"], 0);
    assert_eq!(summary["unverified"], 0);
    assert!(summary["reported"].as_u64().unwrap() > 0);
    let total: u64 = [
        "corroborated",
        "verified",
        "reported",
        "contradicted",
        "unverified",
    ]
    .iter()
    .map(|k| summary[k].as_u64().unwrap())
    .sum();
    assert_eq!(total, summary["entries"].as_u64().unwrap());
    assert!(summary["entries"].as_u64().unwrap() >= 12);
    // Without --strict the same findings are not a failure.
    assert_code(&s.run("audit", &["--format", "json"]), 0);
    for e in v["entries"].as_array().unwrap() {
        for ev in e["evidence"].as_array().unwrap() {
            assert_eq!(ev["status"], "ok");
        }
    }
    assert!(v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "ok"));

    let clean = Scratch::new();
    let f = clean.write("app.log", "2026-01-01T10:00:00Z ERROR boom\n");
    assert_code(&clean.run("ingest", &[f.to_str().unwrap()]), 0);
    assert_code(&clean.run("audit", &["--strict"]), 0);

    let copy = Scratch::new();
    let f = copy.write("app.log", "2026-01-01T10:00:00Z ERROR boom\n");
    assert_code(&copy.run("ingest", &[f.to_str().unwrap()]), 0);
    std::fs::write(&f, "changed\n").unwrap();
    let out = copy.run("audit", &["--format", "json", "--strict"]);
    assert_code(&out, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["summary"]["changed_sources"], 1);
    assert_eq!(v["entries"][0]["verification"], "unverified");
}

#[test]
fn audit_warns_about_assumed_zones() {
    let s = Scratch::new();
    let f = s.write("app.log", "2026-01-01 10:00:00 ERROR boom\n");
    let out = s.run("ingest", &[f.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("times carry no zone"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("audit", &["--format", "json"]))).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("read as UTC"), "{warnings}");
    let events = jsonl(&stdout(&s.run("events", &[])));
    assert_eq!(events[0]["time_quality"], serde_json::json!(["assumed-tz"]));
}

#[test]
fn audit_names_a_busy_source_that_falls_silent() {
    let s = Scratch::new();
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "2026-01-01T10:{:02}:{:02}Z INFO tick {i}\n",
            i / 6,
            (i % 6) * 10
        ));
    }
    text.push_str("2026-01-01T10:30:00Z ERROR worker crashed\n");
    for i in 0..10 {
        text.push_str(&format!(
            "2026-01-01T10:31:{:02}Z INFO tick again {i}\n",
            i * 5
        ));
    }
    let f = s.write("app.log", text);
    assert_code(&s.run("ingest", &[f.to_str().unwrap()]), 0);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("audit", &["--format", "json"]))).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains(
            "silent for 23m30s from 2026-01-01T10:06:30.000000Z to 2026-01-01T10:30:00.000000Z"
        ),
        "{warnings}"
    );
}
