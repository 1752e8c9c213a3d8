//! `factline serve` and `factline review` (docs/serve.md): the JSON API
//! called in-process, the security rules, curation that survives more
//! evidence, and the page's escaping.

use serde_json::{json, Value};

use crate::util::{ingest_demo, stderr, stdout, Scratch, Service};

fn timeline_json(s: &Scratch) -> Value {
    let out = s.run("timeline", &["--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("timeline json")
}

fn entry_with<'a>(t: &'a Value, needle: &str) -> &'a Value {
    t["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["summary"].as_str().unwrap_or_default().contains(needle))
        .unwrap_or_else(|| panic!("no entry mentions {needle:?}"))
}

#[test]
fn the_api_timeline_is_the_cli_timeline_with_keys_and_an_empty_review() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, None);
    let answer = api.get("/api/timeline");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let served = answer.json();
    let cli = timeline_json(&s);
    assert_eq!(served["entries"], cli["entries"]);
    assert_eq!(served["hidden"], json!([]));
    let keys: Vec<&str> = cli["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["review"].is_null());
            e["key"].as_str().expect("key")
        })
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "keys are unique");
}

#[test]
fn evidence_shows_the_cited_line_in_its_file_with_context_and_the_hash_checked() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, None);
    let t = api.get("/api/timeline").json();
    let entry = entry_with(&t, "deploy finished");
    let key = entry["key"].as_str().unwrap();
    let ev = api
        .get(&format!("/api/entries/{key}/evidence?context=2"))
        .json();
    let first = &ev["evidence"][0];
    assert_eq!(first["status"], "ok");
    let line = first["line"].as_i64().expect("line");
    let lines = first["lines"].as_array().unwrap();
    assert!(lines.len() <= 5 && !lines.is_empty());
    let cited: Vec<&Value> = lines.iter().filter(|l| l["cited"] == true).collect();
    assert_eq!(cited.len(), 1);
    assert_eq!(cited[0]["line"].as_i64(), Some(line));
    assert!(cited[0]["text"]
        .as_str()
        .unwrap()
        .contains("deploy finished"));
    // Unknown keys and anything path-like are just unknown keys.
    for bad in [
        "ffffffffffffffff",
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
    ] {
        let a = api.get(&format!("/api/entries/{bad}/evidence"));
        assert_eq!(a.status, 404, "{bad}: {}", a.body);
        assert!(a.json()["error"].is_string());
    }
    assert_eq!(
        api.get(&format!("/api/entries/{key}/evidence?context=x"))
            .status,
        400
    );
}

#[test]
fn review_actions_are_stored_applied_and_checked() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, None);
    let t = api.get("/api/timeline").json();
    let noise = entry_with(&t, "deploy finished")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let rollback = entry_with(&t, "rollback started")["key"]
        .as_str()
        .unwrap()
        .to_string();

    // Bad input: 400 with an error; unknown key: 404.
    for (body, status) in [
        (json!({"action": "hide", "key": noise}), 400),
        (json!({"action": "explode", "key": noise}), 400),
        (
            json!({"action": "hide", "key": noise, "reason": "x", "extra": 1}),
            400,
        ),
        (
            json!({"action": "edit", "key": noise, "phase": "lunch"}),
            400,
        ),
        (
            json!({"action": "add", "text": "call", "time": "yesterday"}),
            400,
        ),
        (
            json!({"action": "hide", "key": "0000000000000000", "reason": "x"}),
            404,
        ),
        (json!({"action": "pin", "event": "1:1@1"}), 404),
    ] {
        let a = api.post("/api/review", &body);
        assert_eq!(a.status, status, "{body}: {}", a.body);
        assert!(a.json()["error"].is_string());
    }
    let a = api.call(
        "POST",
        "/api/review",
        &[("content-type", "application/json")],
        "{not json",
    );
    assert_eq!(a.status, 400);

    let hide = api.post(
        "/api/review",
        &json!({"action": "hide", "key": noise, "reason": "an unrelated service", "version": 0}),
    );
    assert_eq!(hide.status, 200, "{}", hide.body);
    assert_eq!(hide.json()["reviewer"], "alice");
    // A second reviewer who saw version 0 is refused.
    let stale = api.post(
        "/api/review",
        &json!({"action": "restore", "key": noise, "version": 0}),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.json()["version"], 1);

    let edit = api.post(
        "/api/review",
        &json!({"action": "edit", "key": rollback, "summary": "Rollback of checkout-api to 2.13.4 started", "phase": "mitigation"}),
    );
    assert_eq!(edit.status, 200, "{}", edit.body);
    let note = api.post(
        "/api/review",
        &json!({"action": "note", "key": rollback, "text": "decided on the bridge call"}),
    );
    assert_eq!(note.status, 200, "{}", note.body);
    let add = api.post(
        "/api/review",
        &json!({"action": "add", "time": "2026-11-21 00:05:00", "zone": "Europe/Berlin", "text": "IC called the database team", "phase": "escalation"}),
    );
    assert_eq!(add.status, 200, "{}", add.body);

    // Pin an event from the listing.
    let events = api.get("/api/events?q=order%20564973&limit=5").json();
    let id = events["events"][0]["id"]
        .as_str()
        .expect("event id")
        .to_string();
    let pin = api.post(
        "/api/review",
        &json!({"action": "pin", "event": id, "phase": "context"}),
    );
    assert_eq!(pin.status, 200, "{}", pin.body);

    let served = api.get("/api/timeline").json();
    let cli = timeline_json(&s);
    for t in [&served, &cli] {
        assert_eq!(t["hidden"][0]["key"], noise);
        assert_eq!(t["hidden"][0]["reason"], "an unrelated service");
        assert!(t["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["key"] != noise));
        let edited = entry_with(t, "Rollback of checkout-api to 2.13.4 started");
        assert_eq!(edited["phase"], "mitigation");
        assert_eq!(edited["review"]["edited"], true);
        assert!(edited["review"]["original"]["summary"]
            .as_str()
            .unwrap()
            .contains("rollback started"));
        assert_eq!(
            edited["review"]["notes"][0]["text"],
            "decided on the bridge call"
        );
        let added = entry_with(t, "IC called the database team");
        assert_eq!(added["time"], "2026-11-20T23:05:00.000000Z");
        assert_eq!(added["verification"], "reported");
        assert_eq!(added["phase"], "escalation");
        assert_eq!(added["review"]["added"], true);
        let pinned = entry_with(t, "order 564973");
        assert_eq!(pinned["review"]["pinned"], true);
        assert!(pinned["evidence"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("checkout-api.jsonl"));
    }
    assert_eq!(served["entries"], cli["entries"]);

    let trail = api.get("/api/review").json();
    let kinds: Vec<&str> = trail["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["hide", "edit", "note", "add", "pin"]);

    let md = stdout(&s.run("timeline", &[]));
    assert!(md.contains("_(added by a reviewer)_"), "{md}");
    assert!(md.contains("_(edited, 1 note)_"), "{md}");
    assert!(md.contains("Hidden by reviewers:"), "{md}");
    assert!(md.contains("an unrelated service"), "{md}");
}

#[test]
fn curation_survives_more_evidence_and_a_rebuilt_timeline() {
    let s = Scratch::new();
    // Everything but the nginx log first; it arrives later.
    let out = s.run(
        "ingest",
        &[
            "fixtures/demo/app",
            "fixtures/demo/deploy",
            "fixtures/demo/syslog",
            "fixtures/demo/paging",
            "fixtures/demo/chat",
            "fixtures/demo/tickets",
            "fixtures/demo/oncall",
            "--tz",
            "Europe/Berlin",
            "--year",
            "2026",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let t = timeline_json(&s);
    let hide = entry_with(&t, "deploy finished")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let edit = entry_with(&t, "rollback started")["key"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        vec!["hide", hide.as_str(), "--reason", "not this incident"],
        vec![
            "edit",
            edit.as_str(),
            "--summary",
            "Rollback to 2.13.4 begins",
        ],
        vec![
            "add",
            "--time",
            "2026-11-20T23:02:00Z",
            "--text",
            "Bridge call opened",
            "--phase",
            "escalation",
        ],
    ] {
        let mut full = vec!["--reviewer", "bob"];
        full.extend(args);
        let out = s.run("review", &full);
        assert!(out.status.success(), "{full:?}: {}", stderr(&out));
    }
    let out = s.run(
        "ingest",
        &[
            "fixtures/demo/nginx",
            "--tz",
            "Europe/Berlin",
            "--year",
            "2026",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let after = timeline_json(&s);
    assert_eq!(after["hidden"][0]["key"], hide);
    assert_eq!(after["hidden"][0]["reviewer"], "bob");
    assert!(after["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["key"] != hide));
    assert_eq!(
        entry_with(&after, "Rollback to 2.13.4 begins")["review"]["edited"],
        true
    );
    assert_eq!(
        entry_with(&after, "Bridge call opened")["time"],
        "2026-11-20T23:02:00.000000Z"
    );
    assert!(after["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["evidence"][0]["source"]
            .as_str()
            .unwrap_or_default()
            .contains("nginx")));
    let list = s.run("review", &["list", "--format", "json"]);
    let list: Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(list["actions"].as_array().unwrap().len(), 3);
    assert_eq!(list["orphaned"], json!([]));
}

#[test]
fn a_conflicting_version_from_the_cli_exits_1_and_an_unknown_key_exits_2() {
    let s = Scratch::new();
    ingest_demo(&s);
    let t = timeline_json(&s);
    let key = t["entries"][0]["key"].as_str().unwrap();
    let ok = s.run("review", &["note", key, "first", "--version", "0"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let late = s.run("review", &["note", key, "second", "--version", "0"]);
    assert_eq!(late.status.code(), Some(1), "{}", stderr(&late));
    assert!(stderr(&late).contains("another reviewer"));
    let unknown = s.run("review", &["hide", "nope", "--reason", "x"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no entry has key"));
}

#[test]
fn a_non_loopback_bind_without_a_token_exits_2() {
    let s = Scratch::new();
    ingest_demo(&s);
    let out = s.run("serve", &["--bind", "0.0.0.0:7300"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("without --token"), "{}", stderr(&out));
}

#[test]
fn with_a_token_every_request_needs_it_by_header_or_cookie() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, Some("s3cret"));
    assert_eq!(api.get("/api/timeline").status, 401);
    assert_eq!(api.get("/").status, 401);
    assert_eq!(api.get("/?token=wrong").status, 401);
    let ok = api.call(
        "GET",
        "/api/timeline",
        &[("authorization", "Bearer s3cret")],
        "",
    );
    assert_eq!(ok.status, 200);
    let login = api.get("/?token=s3cret");
    assert_eq!(login.status, 303);
    let cookie = login.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let pair = cookie.split(';').next().unwrap();
    assert_eq!(api.call("GET", "/", &[("cookie", pair)], "").status, 200);
}

#[test]
fn state_changes_need_json_from_the_same_origin_and_a_small_body() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, None);
    let body = json!({"action": "note", "key": "x", "text": "y"}).to_string();
    let foreign = api.call(
        "POST",
        "/api/review",
        &[
            ("content-type", "application/json"),
            ("host", "127.0.0.1:7300"),
            ("origin", "http://evil.example"),
        ],
        &body,
    );
    assert_eq!(foreign.status, 403);
    let form = api.call(
        "POST",
        "/api/review",
        &[("content-type", "application/x-www-form-urlencoded")],
        "action=hide",
    );
    assert_eq!(form.status, 415);
    assert!(form.json()["error"].is_string());
    let huge = format!(
        "{{\"action\":\"note\",\"key\":\"x\",\"text\":\"{}\"}}",
        "a".repeat(200_000)
    );
    let big = api.call(
        "POST",
        "/api/review",
        &[("content-type", "application/json")],
        &huge,
    );
    assert_eq!(big.status, 413);
    assert_eq!(api.get("/api/nothing").status, 404);
    assert_eq!(api.get("/api/events?limit=0").status, 400);
    assert_eq!(api.get("/api/events?from=soon").status, 400);
}

#[test]
fn events_are_paged_by_key_without_gaps_or_repeats() {
    let s = Scratch::new();
    ingest_demo(&s);
    let api = Service::new(&s, None);
    let all = api.get("/api/events?limit=1000").json();
    let all: Vec<String> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert!(all.len() > 100);
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/events?limit=7&after={a}"),
            None => "/api/events?limit=7".into(),
        };
        let page = api.get(&path).json();
        paged.extend(
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all);
}

#[test]
fn text_from_logs_chat_and_tickets_is_escaped_on_the_page_and_in_html() {
    let s = Scratch::new();
    let payloads = [
        "<script>alert(1)</script>",
        "\"onerror=alert(2) x=\"",
        "javascript:alert(3)",
    ];
    let log: String = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{{\"ts\": \"2026-11-20T22:4{i}:00.000Z\", \"level\": \"error\", \"service\": \"web\", \"msg\": {}}}\n",
                serde_json::to_string(&format!("request failed {p}")).unwrap()
            )
        })
        .collect();
    s.write("evidence/app/web.jsonl", log);
    let channel = json!([{"type": "message", "user": "U1", "text": format!("seen {} <img src=x onerror=alert(4)>", payloads[0]), "ts": "1795215600.000100"}]);
    s.write("evidence/chat/inc/2026-11-20.json", channel.to_string());
    s.write(
        "evidence/tickets/jira.csv",
        format!(
            "Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Description\n\
             \"Outage {}\",OPS-1,1,Incident,Open,21/Nov/26 12:08 AM,21/Nov/26 12:09 AM,\"see {}\"\n",
            payloads[1].replace('"', "\"\""),
            payloads[2]
        ),
    );
    let out = s.run(
        "ingest",
        &[
            s.path("evidence").to_str().unwrap(),
            "--tz",
            "UTC",
            "--year",
            "2026",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let api = Service::new(&s, None);
    let add = api.post(
        "/api/review",
        &json!({"action": "add", "time": "2026-11-20T22:50:00Z", "text": "<script>alert(5)</script>"}),
    );
    assert_eq!(add.status, 200, "{}", add.body);
    let page = api.get("/");
    assert_eq!(page.status, 200);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"));
    let html_out = stdout(&s.run("timeline", &["--format", "html"]));
    for html in [&page.body, &html_out] {
        assert!(
            html.contains("&lt;script&gt;alert("),
            "payload not shown escaped"
        );
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("\"onerror"));
        assert!(!html.contains("href=\"javascript:"));
    }
    // Only the page's own script runs.
    assert_eq!(page.body.matches("<script").count(), 1);
}

#[test]
fn an_action_whose_entry_left_the_timeline_is_kept_and_reported_as_orphaned() {
    let s = Scratch::new();
    ingest_demo(&s);
    let t = timeline_json(&s);
    let last = t["entries"].as_array().unwrap().last().unwrap();
    let key = last["key"].as_str().unwrap();
    let out = s.run("review", &["note", key, "closing remark"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A window that ends before the entry leaves it out.
    let early = [
        "--from",
        "2026-11-20T22:00:00Z",
        "--to",
        "2026-11-20T22:58:00Z",
    ];
    let mut args = vec!["--format", "json"];
    args.extend(early);
    let out = s.run("timeline", &args);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("no longer in the timeline"),
        "{}",
        stderr(&out)
    );
    let mut args = early.to_vec();
    args.extend(["list", "--format", "json"]);
    let list: Value = serde_json::from_str(&stdout(&s.run("review", &args))).unwrap();
    assert_eq!(list["orphaned"], json!([1]));
    // Back in the full window, the note applies again.
    let t = timeline_json(&s);
    assert_eq!(
        t["entries"].as_array().unwrap().last().unwrap()["review"]["notes"][0]["text"],
        "closing remark"
    );
}

#[test]
fn evidence_ingested_while_serving_is_offered_as_a_rebuild_and_nothing_is_written_to_evidence() {
    let s = Scratch::new();
    let out = s.run(
        "ingest",
        &[
            "fixtures/demo/app",
            "fixtures/demo/deploy",
            "--tz",
            "UTC",
            "--year",
            "2026",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let api = Service::new(&s, None);
    assert_eq!(api.get("/api/status").json()["new_evidence"], false);
    let before = api.get("/api/timeline").json()["entries"]
        .as_array()
        .unwrap()
        .len();
    let out = s.run(
        "ingest",
        &["fixtures/demo/paging", "--tz", "UTC", "--year", "2026"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(api.get("/api/status").json()["new_evidence"], true);
    // Until the rebuild the page keeps the timeline it showed.
    assert_eq!(
        api.get("/api/timeline").json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        before
    );
    let rebuilt = api.post("/api/rebuild", &json!({}));
    assert_eq!(rebuilt.status, 200, "{}", rebuilt.body);
    assert_eq!(rebuilt.json()["new_evidence"], false);
    assert!(
        api.get("/api/timeline").json()["entries"]
            .as_array()
            .unwrap()
            .len()
            > before
    );
    for path in [
        "/",
        "/api/audit",
        "/api/sources",
        "/api/review",
        "/api/events",
    ] {
        assert_eq!(api.get(path).status, 200, "{path}");
    }
    let verify = s.run("verify", &[]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}
