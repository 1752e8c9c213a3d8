//! Fact-checking statements against machine records (claims) and clock
//! skew estimated from facts several sources record.

use serde_json::Value;

use crate::util::*;

fn timeline(s: &Scratch) -> Value {
    let out = s.run("timeline", &["--format", "json"]);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn entry<'a>(t: &'a Value, summary: &str) -> &'a Value {
    t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"].as_str().unwrap().contains(summary))
        .unwrap_or_else(|| panic!("no entry {summary:?}"))
}

/// Pods restarted by hand are recorded by the kubelet (`Killing: Stopping
/// container`), not by the application: a restart claimed in chat is
/// checked against the Kubernetes events of the pods it names.
#[test]
fn pod_restarts_and_scaling_are_checked_against_kubernetes_events() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/claims-k8s"]), 0);
    let t = timeline(&s);
    let e = entry(&t, "restarted the checkout pods at 10:21 UTC");
    assert_eq!(e["verification"], "corroborated");
    let check = &e["checks"][0];
    assert_eq!(check["result"], "supported");
    assert_eq!(
        check["evidence"][0]["source"],
        "fixtures/claims-k8s/k8s/events.json"
    );
    assert!(
        check["note"]
            .as_str()
            .unwrap()
            .contains("Stopping container checkout at 10:21:20, 20s after the stated time"),
        "{check}"
    );
    // By the pod's name, no time stated: the kill 50 s before the message.
    let e = entry(&t, "bounced checkout-7d9f8-x2kqp");
    assert_eq!(e["verification"], "corroborated");
    // No record of a payments pod at all: the statement stays reported.
    let e = entry(&t, "restarted the payments pods at 10:30 UTC");
    assert_eq!(e["verification"], "reported");
    assert!(e["checks"].as_array().is_none_or(|c| c.is_empty()), "{e}");
    // A deployment scaled by hand is recorded as a replica set scaled, to
    // the size claimed or to another.
    let e = entry(&t, "scaled checkout to 6 replicas at 10:25 UTC");
    assert_eq!(e["verification"], "corroborated");
    let e = entry(&t, "scaled checkout to 8 replicas at 10:40 UTC");
    assert_eq!(e["verification"], "contradicted");
    assert!(
        e["checks"][0]["note"]
            .as_str()
            .unwrap()
            .ends_with("to 0 at 10:40:05: not 8 as stated"),
        "{e}"
    );
    // A rollout's records name no version: the version claimed is not
    // checked either way.
    let e = entry(&t, "rolled out checkout 4.18.1");
    assert_eq!(e["verification"], "reported");
}

#[test]
fn statements_are_checked_against_machine_records_of_their_object() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/claims"]), 0);
    let t = timeline(&s);

    // A stated time, supported within 2 minutes by the deploy log.
    let e = entry(&t, "Rolled back payments-api to 3.1.2 at 10:03");
    assert_eq!(e["verification"], "corroborated");
    let check = &e["checks"][0];
    assert_eq!(check["result"], "supported");
    assert_eq!(check["claim"], "Rolled back payments-api to 3.1.2 at 10:03");
    assert_eq!(
        check["evidence"][0]["source"],
        "fixtures/claims/deploy/deploys.log"
    );
    assert_eq!(check["evidence"][0]["line"], 3);
    assert!(check["note"]
        .as_str()
        .unwrap()
        .contains("10:03:10, 10s after the stated time"));
    // The person's words are not rewritten; their evidence stays theirs.
    assert_eq!(e["evidence"].as_array().unwrap().len(), 1);

    // No stated time: the act happened minutes before the message.
    let e = entry(&t, "restarted worker-1");
    assert_eq!(e["verification"], "corroborated");
    assert_eq!(e["checks"][0]["result"], "supported");
    assert_eq!(e["checks"][0]["evidence"][0]["line"], 4);
    assert!(e["checks"][0]["note"]
        .as_str()
        .unwrap()
        .contains("3m30s before the statement"));

    // Errors went on for minutes after "errors stopped at 10:05 UTC".
    let e = entry(&t, "errors stopped at 10:05");
    assert_eq!(e["verification"], "contradicted");
    assert_eq!(e["checks"][0]["result"], "contradicted");
    assert_eq!(
        e["checks"][0]["note"],
        "logs show the last error at 10:09:40, 4m40s after the stated time"
    );
    assert_eq!(
        e["checks"][0]["evidence"][0]["source"],
        "fixtures/claims/app/payments.jsonl"
    );

    // A different version than the one claimed.
    let e = entry(&t, "deployed ledger-api 5.0.0 at 10:30");
    assert_eq!(e["verification"], "contradicted");
    assert!(e["checks"][0]["note"]
        .as_str()
        .unwrap()
        .contains("version=5.0.1"));

    // A flag state, at a stated time.
    let e = entry(&t, "turned flag new_checkout off at 10:40");
    assert_eq!(e["verification"], "corroborated");
    assert!(e["checks"][0]["note"]
        .as_str()
        .unwrap()
        .contains("set to off env=prod actor=flag-bot at 10:40:05"));

    // Nothing recorded about worker-7: unchecked, still only someone's word.
    let e = entry(&t, "restarted worker-7");
    assert_eq!(e["verification"], "reported");
    assert_eq!(e["checks"], serde_json::json!([]));

    // The audit lists contradicted entries first, counts them, and --strict
    // fails on them.
    let out = s.run("audit", &["--format", "json", "--strict"]);
    assert_code(&out, 1);
    let audit: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(audit["summary"]["contradicted"], 2);
    let first: Vec<&str> = audit["entries"].as_array().unwrap()[..2]
        .iter()
        .map(|e| e["verification"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["contradicted", "contradicted"]);

    // The draft says which statements were checked, and how.
    let md = stdout(&s.run("timeline", &["--format", "md"]));
    assert!(
        md.contains("### Statements checked against machine records"),
        "{md}"
    );
    assert!(
        md.contains("\"payments-api errors stopped at 10:05 UTC\": contradicted"),
        "{md}"
    );
    assert!(
        md.contains("(**contradicted** by machine records, see below)"),
        "{md}"
    );
    let csv = stdout(&s.run("timeline", &["--format", "csv"]));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",evidence,checks,review"),
        "{csv}"
    );
    assert!(
        csv.contains("contradicted: payments-api errors stopped at 10:05 UTC (logs show"),
        "{csv}"
    );
    let html = stdout(&s.run("timeline", &["--format", "html"]));
    assert!(html.contains("<tr class=\"contradicted\""), "{html}");
}

#[test]
fn the_demo_rollback_comment_is_corroborated_by_the_deploy_log() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let t = timeline(&s);
    let e = entry(&t, "Rolled back to 2.13.4 at 23:14 UTC");
    assert_eq!(e["verification"], "corroborated");
    assert_eq!(
        e["checks"][0]["evidence"][0]["source"],
        "fixtures/demo/deploy/deploys.log"
    );
    assert!(e["checks"][0]["evidence"][0]["excerpt"]
        .as_str()
        .unwrap()
        .starts_with("rollback finished version=2.13.4"));
}

/// A deploy-log line and a responder's "rolling back now" are one row;
/// the row shows the log's words, so it names no speaker: a reader would
/// take "**primary on-call**: rollback started …" for their message.
#[test]
fn a_machine_row_merged_with_a_statement_names_no_speaker() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &DEMO_ARGS), 0);
    let t = timeline(&s);
    let e = entry(&t, "rollback started from=2.14.0 to=2.13.4");
    let cited: Vec<&str> = e["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"].as_str().unwrap())
        .collect();
    assert!(cited.iter().any(|c| c.contains("slack")), "{cited:?}");
    assert_eq!(e["actor"], Value::Null);
}

/// A node whose clock runs 40 s fast logs the kubelet's restarts of
/// three pods; the cluster's events record them at the API server's time
/// (`creationTimestamp`). The same restarts give the node's offset.
#[test]
fn a_node_clock_is_found_from_pod_restarts_the_cluster_also_records() {
    let s = Scratch::new();
    let out = s.run("ingest", &["--year", "2026", "fixtures/skew-restarts"]);
    assert_code(&out, 0);
    let all = sources(&s);
    let find = |name: &str| {
        all.iter()
            .find(|s| s["source"] == format!("fixtures/skew-restarts/{name}"))
            .unwrap_or_else(|| panic!("no source {name}"))
            .clone()
    };
    let node = find("node-1-syslog.log");
    let skew = &node["skew"];
    assert!(
        (skew["seconds"].as_f64().unwrap() - 40.0).abs() <= 1.0,
        "{skew}"
    );
    assert_eq!(skew["reference"], "fixtures/skew-restarts/events.json");
    assert_eq!(skew["applied"], true);
    assert!(
        skew["note"].as_str().unwrap().contains("pod restarts"),
        "{skew}"
    );
    assert_eq!(find("events.json")["skew"], Value::Null);
    // The first kill, logged at 14:05:40 by the node's clock, happened at
    // 14:05:00.
    let out = s.run(
        "events",
        &["--source", "fixtures/skew-restarts/node-1-syslog.log"],
    );
    let kill = jsonl(&stdout(&out))
        .into_iter()
        .find(|e| e["message"].as_str().unwrap().contains("Killing container"))
        .unwrap();
    assert!(
        kill["time"]
            .as_str()
            .unwrap()
            .starts_with("2026-10-03T14:05:00"),
        "{kill}"
    );
}

/// An app 30 s fast behind an AWS load balancer: the trace header root
/// both log pairs their requests, and AWS's clock is the reference.
#[test]
fn an_app_behind_a_load_balancer_is_timed_by_the_trace_ids_they_share() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/skew-alb"]), 0);
    let all = sources(&s);
    let app = all
        .iter()
        .find(|x| x["source"] == "fixtures/skew-alb/cart.jsonl")
        .unwrap();
    let skew = &app["skew"];
    assert!(
        (skew["seconds"].as_f64().unwrap() - 30.0).abs() <= 0.1,
        "{skew}"
    );
    assert_eq!(skew["reference"], "fixtures/skew-alb/alb.log");
    assert_eq!(skew["applied"], true);
}

fn sources(s: &Scratch) -> Vec<Value> {
    let out = s.run("sources", &["--format", "json"]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["sources"].as_array().unwrap().clone()
}

fn source<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter()
        .find(|s| s["source"] == format!("fixtures/skew/{name}"))
        .unwrap_or_else(|| panic!("no source {name}"))
}

/// The time of the first event of a source whose message holds `text`.
fn time_of(s: &Scratch, name: &str, text: &str) -> (String, Value) {
    let out = s.run("events", &["--source", &format!("fixtures/skew/{name}")]);
    assert_code(&out, 0);
    let e = jsonl(&stdout(&out))
        .into_iter()
        .find(|e| e["message"].as_str().unwrap().contains(text))
        .unwrap_or_else(|| panic!("no {text:?} in {name}"));
    (
        e["time"].as_str().unwrap().to_string(),
        e["time_quality"].clone(),
    )
}

fn seconds_of(rfc3339: &str) -> f64 {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    t.timestamp_micros() as f64 / 1e6
}

// fixtures/skew: a proxy (lb-1, right clock) logs 40 requests with their
// ids; app-1 and app-4 have right clocks (app-4 jitters by up to 0.3 s),
// app-2 runs 40 s fast, app-3 3 minutes slow, and app-5 wrote Berlin local
// time without a zone (read as UTC: one hour ahead). Each app handled 8.
#[test]
fn skewed_hosts_are_found_from_shared_request_ids_and_corrected() {
    let s = Scratch::new();
    let out = s.run("ingest", &["fixtures/skew"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("clock: fixtures/skew/app-2.jsonl: +39.9"),
        "{}",
        stderr(&out)
    );
    let all = sources(&s);
    for (name, truth) in [("app-2.jsonl", 40.0), ("app-3.jsonl", -180.0)] {
        let src = source(&all, name);
        let skew = &src["skew"];
        assert!(
            (skew["seconds"].as_f64().unwrap() - truth).abs() <= 2.0,
            "{name}: {skew}"
        );
        assert!(skew["pairs"].as_u64().unwrap() >= 5, "{skew}");
        assert_eq!(skew["reference"], "fixtures/skew/proxy.log");
        assert_eq!(skew["applied"], true);
        assert_eq!(src["time_quality"], serde_json::json!(["skew-estimated"]));
    }
    // Right clocks, with only jitter, are left alone.
    for name in ["app-1.jsonl", "app-4.jsonl"] {
        let src = source(&all, name);
        assert!(
            src["skew"]["seconds"].as_f64().unwrap().abs() < 1.0,
            "{src}"
        );
        assert_eq!(src["skew"]["applied"], false);
        assert_eq!(src["time_quality"], serde_json::json!([]));
    }
    // The reference itself has no estimate.
    assert_eq!(source(&all, "proxy.log")["skew"], Value::Null);
    // An hour exactly is a zone read wrongly: named, not applied.
    let app5 = source(&all, "app-5.jsonl");
    assert_eq!(app5["skew"]["applied"], false);
    let note = app5["skew"]["note"].as_str().unwrap();
    assert!(
        note.contains("looks like Europe/Berlin local time read as UTC"),
        "{note}"
    );
    assert!(
        note.contains("--source-tz 'fixtures/skew/app-5.jsonl=Europe/Berlin'"),
        "{note}"
    );
    assert_eq!(app5["time_quality"], serde_json::json!(["assumed-tz"]));

    // The failed request: the proxy logged it at 10:02:27.307; app-2's
    // clock wrote 10:03:07.158. Corrected, the two agree within 2 s.
    let (proxy, _) = time_of(&s, "proxy.log", "status=502");
    let (app, flags) = time_of(&s, "app-2.jsonl", "payment failed");
    assert!(
        (seconds_of(&app) - seconds_of(&proxy)).abs() <= 2.0,
        "{app} vs {proxy}"
    );
    assert_eq!(flags, serde_json::json!(["skew-estimated"]));

    // The draft shows the corrected time and lists the correction.
    let md = stdout(&s.run("timeline", &["--format", "md"]));
    assert!(md.contains("| 10:02:27 | impact | payment failed"), "{md}");
    assert!(md.contains("_(time: skew-estimated)_"), "{md}");
    assert!(md.contains("### Clock corrections"), "{md}");
    assert!(
        md.contains("fixtures/skew/app-3.jsonl: clock -180.0"),
        "{md}"
    );
    // The audit lists every correction with its evidence.
    let audit: Value =
        serde_json::from_str(&stdout(&s.run("audit", &["--format", "json"]))).unwrap();
    let warnings = audit["warnings"].to_string();
    assert!(
        warnings.contains("fixtures/skew/app-2.jsonl: clock +39.9"),
        "{warnings}"
    );
    assert!(
        warnings.contains("8 facts shared with fixtures/skew/proxy.log"),
        "{warnings}"
    );

    // A second run changes nothing: the sources are stored, the
    // corrections stay.
    assert_code(&s.run("ingest", &["fixtures/skew"]), 0);
    assert_eq!(sources(&s), all);
}

#[test]
fn skew_report_only_reports_and_off_ignores() {
    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/skew", "--skew", "report"]), 0);
    let all = sources(&s);
    let app2 = source(&all, "app-2.jsonl");
    assert_eq!(app2["skew"]["applied"], false);
    assert!(app2["skew"]["note"]
        .as_str()
        .unwrap()
        .contains("not applied (--skew report)"));
    assert_eq!(app2["time_quality"], serde_json::json!([]));
    let (app, _) = time_of(&s, "app-2.jsonl", "payment failed");
    assert_eq!(app, "2026-01-10T10:03:07.158000Z");

    let s = Scratch::new();
    assert_code(&s.run("ingest", &["fixtures/skew", "--skew", "off"]), 0);
    assert!(sources(&s).iter().all(|src| src["skew"].is_null()));
    let (app, flags) = time_of(&s, "app-2.jsonl", "payment failed");
    assert_eq!(app, "2026-01-10T10:03:07.158000Z");
    assert_eq!(flags, serde_json::json!([]));
}

#[test]
fn an_offset_given_wins_over_the_estimate() {
    let s = Scratch::new();
    let out = s.run(
        "ingest",
        &["fixtures/skew", "--offset", "**/app-2.jsonl=-30s"],
    );
    assert_code(&out, 0);
    let all = sources(&s);
    let app2 = source(&all, "app-2.jsonl");
    assert_eq!(app2["time_quality"], serde_json::json!(["skew-adjusted"]));
    assert_eq!(app2["skew"]["applied"], false);
    assert!(
        app2["skew"]["note"]
            .as_str()
            .unwrap()
            .contains("--offset given"),
        "{app2}"
    );
    let (app, _) = time_of(&s, "app-2.jsonl", "payment failed");
    assert_eq!(app, "2026-01-10T10:02:37.158000Z");
    // The other hosts are still corrected.
    assert_eq!(source(&all, "app-3.jsonl")["skew"]["applied"], true);
}

/// Six rollouts, each logged as `deploy <id> <phase>` by a source whose
/// clock is `offset` seconds ahead, `delay` seconds after the rollout's
/// moment.
fn rollouts(phase: &str, offset: i64, delay: i64) -> String {
    (0..6)
        .map(|i| {
            let t = chrono::DateTime::from_timestamp(1_772_359_200 + i * 600 + offset + delay, 0)
                .unwrap();
            format!(
                "{} INFO deploy d-44{i:02} {phase}\n",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .collect()
}

fn skew_of(s: &Scratch, path: &str) -> Value {
    sources(s)
        .into_iter()
        .find(|src| src["source"].as_str().unwrap().ends_with(path))
        .unwrap_or_else(|| panic!("no source {path}"))["skew"]
        .clone()
}

#[test]
fn the_same_rollout_logged_by_ci_and_a_host_finds_a_host_40s_fast() {
    let s = Scratch::new();
    s.write("ev/ci.log", rollouts("started", 0, 0));
    // A second right clock (not byte-identical, or it is skipped as
    // already stored) makes the reference unambiguous.
    s.write(
        "ev/deployer.log",
        rollouts("started", 0, 0) + "2026-03-01T11:00:00Z INFO deployer idle\n",
    );
    s.write("ev/app.log", rollouts("started", 40, 0));
    let dir = s.path("ev");
    assert_code(&s.run("ingest", &[dir.to_str().unwrap()]), 0);
    let skew = skew_of(&s, "app.log");
    assert!(
        (skew["seconds"].as_f64().unwrap() - 40.0).abs() <= 1.0,
        "{skew}"
    );
    assert_eq!(skew["applied"], true, "{skew}");
    assert!(
        skew["note"].as_str().unwrap().contains("deploy ids"),
        "{skew}"
    );
}

#[test]
fn one_rollout_started_and_finished_in_ci_and_on_a_host_is_enough() {
    let rollout = |offset: i64, with_finish: bool| {
        let at = |s: i64| {
            chrono::DateTime::from_timestamp(1_772_359_200 + s + offset, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        let mut out = format!("{} INFO deploy rel-2026.03.1 started\n", at(0));
        if with_finish {
            out += &format!("{} INFO deploy rel-2026.03.1 finished\n", at(95));
        }
        out
    };
    let s = Scratch::new();
    s.write("ev/ci.log", rollout(0, true));
    s.write(
        "ev/deployer.log",
        rollout(0, true) + "2026-03-01T11:00:00Z INFO deployer idle\n",
    );
    s.write("ev/app.log", rollout(40, true));
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    let skew = skew_of(&s, "app.log");
    assert!(
        (skew["seconds"].as_f64().unwrap() - 40.0).abs() <= 1.0,
        "{skew}"
    );
    assert_eq!(skew["pairs"], 2, "{skew}");
    assert_eq!(skew["applied"], true, "{skew}");
    // One shared moment alone pins nothing down.
    let s = Scratch::new();
    s.write("ev/ci.log", rollout(0, false));
    s.write(
        "ev/deployer.log",
        rollout(0, false) + "2026-03-01T11:00:00Z INFO deployer idle\n",
    );
    s.write("ev/app.log", rollout(40, false));
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    assert_eq!(skew_of(&s, "app.log"), Value::Null);
}

#[test]
fn a_rollout_start_is_never_paired_with_its_finish() {
    let s = Scratch::new();
    s.write("ev/ci.log", rollouts("started", 0, 0));
    s.write(
        "ev/deployer.log",
        rollouts("started", 0, 0) + "2026-03-01T11:00:00Z INFO deployer idle\n",
    );
    // Right clock; the rollouts take 90 s to finish.
    s.write("ev/app.log", rollouts("finished", 0, 90));
    let dir = s.path("ev");
    assert_code(&s.run("ingest", &[dir.to_str().unwrap()]), 0);
    assert_eq!(skew_of(&s, "app.log"), Value::Null);
}

#[test]
fn two_clocks_that_disagree_with_nothing_to_decide_are_both_reported() {
    let s = Scratch::new();
    s.write("ev/ci.log", rollouts("started", 0, 0));
    s.write("ev/app.log", rollouts("started", 40, 0));
    let out = s.run("ingest", &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    for (name, seconds, other) in [("app.log", 40.0, "ci.log"), ("ci.log", -40.0, "app.log")] {
        let skew = skew_of(&s, name);
        assert!(
            (skew["seconds"].as_f64().unwrap() - seconds).abs() <= 1.0,
            "{name}: {skew}"
        );
        assert_eq!(skew["applied"], false, "{skew}");
        assert!(
            skew["reference"].as_str().unwrap().ends_with(other),
            "{skew}"
        );
        let note = skew["note"].as_str().unwrap();
        assert!(
            note.contains("nothing tells which of the two clocks is right"),
            "{note}"
        );
        assert!(
            note.contains(&format!("{name}={:+.0}s", -seconds)),
            "{note}"
        );
    }
    assert!(stderr(&out).contains("clock:"), "{}", stderr(&out));
}

/// A proxy writes whole seconds, the apps milliseconds: a time written to
/// the second stands for the whole second, so the estimate carries no
/// half-second bias from it.
#[test]
fn a_clock_written_to_the_second_is_paired_at_the_middle_of_it() {
    let base = 1_783_094_400_000i64; // 2026-07-03T16:00:00Z, in ms
    let stamp = |ms: i64, whole: bool| {
        let t = chrono::DateTime::from_timestamp_millis(ms).unwrap();
        if whole {
            t.format("%d/%b/%Y:%H:%M:%S +0000").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        }
    };
    let (mut proxy, mut fast, mut right) = (String::new(), String::new(), String::new());
    for i in 0..40i64 {
        // Spread over the second, and 20 ms of request time.
        let at = base + i * 7_000 + (i * 137) % 1000;
        let rid = format!("{:016x}", 0xabc0_0000_0000u64 + i as u64);
        proxy += &format!(
            "10.0.0.9 - - [{}] \"GET /o/{i} HTTP/1.1\" 200 512 \"-\" \"curl/8\" {rid}\n",
            stamp(at, true)
        );
        let line = |skew: i64| {
            format!(
                "ts={} level=info msg=\"served\" request_id={rid}\n",
                stamp(at + 20 + skew, false)
            )
        };
        if i % 2 == 0 {
            fast += &line(40_000);
        } else {
            right += &line(0);
        }
    }
    let s = Scratch::new();
    s.write("ev/proxy.log", proxy);
    s.write("ev/app-fast.log", fast);
    s.write("ev/app-right.log", right);
    assert_code(&s.run("ingest", &[s.path("ev").to_str().unwrap()]), 0);
    let skew = skew_of(&s, "app-fast.log");
    assert!(
        (skew["seconds"].as_f64().unwrap() - 40.02).abs() <= 0.1,
        "{skew}"
    );
    assert_eq!(skew["applied"], true, "{skew}");
    let right = skew_of(&s, "app-right.log");
    assert!(
        right.is_null() || right["seconds"].as_f64().unwrap().abs() < 0.1,
        "{right}"
    );
}
