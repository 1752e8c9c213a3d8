//! Reconstruction on incidents shaped unlike the demo: background noise,
//! state changes that only system logs record, phases that wording alone
//! gets wrong. Each builds its evidence in real formats.

use serde_json::Value;

use crate::util::{assert_code, stdout, Scratch};

/// `hh:mm:ss` on 2026-03-02 as seconds since the epoch.
fn at(clock: &str) -> i64 {
    let parts: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
    1_772_409_600 + parts[0] * 3600 + parts[1] * 60 + parts[2]
}

fn iso(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn timeline(s: &Scratch, evidence: &[&str], extra: &[&str]) -> Value {
    let mut args: Vec<&str> = evidence.to_vec();
    args.extend_from_slice(extra);
    assert_code(&s.run("ingest", &args), 0);
    let out = s.run("timeline", &["--format", "json"]);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn entry_with<'a>(t: &'a Value, words: &str) -> &'a Value {
    t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"].as_str().unwrap().contains(words))
        .unwrap_or_else(|| panic!("no entry with {words:?} in {t:#}"))
}

#[test]
fn a_warning_steady_from_first_minute_to_last_is_not_the_impact_start() {
    let s = Scratch::new();
    let mut log = String::new();
    let line = |t: i64, level: &str, msg: &str| {
        format!(
            r#"{{"ts":"{}","level":"{level}","service":"search","msg":"{msg}"}}"#,
            iso(t)
        ) + "\n"
    };
    for t in (at("09:00:00")..=at("10:30:00")).step_by(30) {
        log += &line(t, "info", "request served in 20ms");
        if (t - at("09:00:00")) % 240 == 0 {
            log += &line(t, "warn", "cache refresh slow: 1200ms");
        }
        if (at("09:50:00")..at("10:05:00")).contains(&t) {
            log += &line(t + 5, "error", "upstream payments timed out after 3000ms");
        }
    }
    let app = s.write("app/search.jsonl", log);
    let t = timeline(&s, &[app.to_str().unwrap()], &[]);
    assert_eq!(
        t["key_times"]["impact_start"], "2026-03-02T09:50:05.000000Z",
        "{:#}",
        t["key_time_basis"]
    );
    assert!(t["key_time_basis"]["impact_start"]
        .as_str()
        .unwrap()
        .contains("upstream payments"));
    assert_eq!(entry_with(&t, "cache refresh slow")["phase"], "context");
    // Nothing before the onset is impact.
    for e in t["entries"].as_array().unwrap() {
        if e["time"].as_str().unwrap() < "2026-03-02T09:50:05" {
            assert_ne!(e["phase"], "impact", "{e:#}");
        }
    }
}

#[test]
fn a_restart_that_only_syslog_records_is_a_mitigation_and_ends_the_impact() {
    let s = Scratch::new();
    let mut log = String::new();
    let line = |t: i64, rest: &str| {
        let time = chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .format("%b %e %H:%M:%S");
        format!("{time} app-1 {rest}\n")
    };
    for t in (at("09:40:00")..at("10:10:00")).step_by(60) {
        log += &line(t, "checkout[811]: order placed in 40ms");
    }
    log += &line(
        at("10:10:00"),
        "kernel: Out of memory: Killed process 811 (checkout) total-vm:8388608kB",
    );
    log += &line(
        at("10:10:01"),
        "systemd[1]: checkout.service: Main process exited, code=killed, status=9/KILL",
    );
    log += &line(
        at("10:10:01"),
        "systemd[1]: checkout.service: Failed with result 'signal'.",
    );
    for t in (at("10:10:05")..at("10:20:36")).step_by(15) {
        log += &line(
            t,
            "nginx[90]: connect() failed (111: Connection refused) while connecting to upstream",
        );
    }
    log += &line(
        at("10:20:30"),
        "systemd[1]: Starting checkout.service - Checkout API...",
    );
    log += &line(
        at("10:20:31"),
        "systemd[1]: Started checkout.service - Checkout API.",
    );
    for t in (at("10:21:00")..at("10:45:00")).step_by(60) {
        log += &line(t, "checkout[900]: order placed in 38ms");
    }
    let syslog = s.write("syslog/app-1.log", log);
    let t = timeline(
        &s,
        &[syslog.to_str().unwrap()],
        &["--tz", "UTC", "--year", "2026"],
    );
    let started = entry_with(&t, "Started checkout.service");
    assert_eq!(started["phase"], "mitigation", "{t:#}");
    assert_eq!(entry_with(&t, "Out of memory")["phase"], "impact");
    assert_eq!(
        t["key_times"]["impact_start"],
        "2026-03-02T10:10:00.000000Z"
    );
    assert_eq!(
        t["key_times"]["mitigated"], "2026-03-02T10:20:35.000000Z",
        "{:#}",
        t["key_time_basis"]
    );
    let basis = t["key_time_basis"]["mitigated"].as_str().unwrap();
    assert!(
        basis.contains("impact stopped") && basis.contains("Started checkout.service"),
        "{basis}"
    );
}

#[test]
fn typed_records_and_the_vocabulary_set_phases_that_wording_got_wrong() {
    let s = Scratch::new();
    let event = |t: &str, reason: &str, kind: &str, message: &str| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Event", "type": kind, "reason": reason,
            "message": message, "count": 1,
            "firstTimestamp": t, "lastTimestamp": t,
            "involvedObject": {"kind": "Pod", "name": "checkout-7d9f-x2x", "namespace": "shop"},
            "metadata": {"name": format!("checkout.{reason}"), "namespace": "shop", "creationTimestamp": t},
            "source": {"component": "kubelet"}
        })
    };
    let events = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        event("2026-03-02T10:00:00Z", "ScalingReplicaSet", "Normal", "Scaled up replica set checkout-7d9f to 3"),
        event("2026-03-02T10:02:00Z", "BackOff", "Warning", "Back-off restarting failed container checkout in pod checkout-7d9f-x2x"),
    ]});
    let k8s = s.write("k8s/events.json", events.to_string());
    let post = |id: &str, t: &str, message: &str| {
        let millis = chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_millis();
        (
            id.to_string(),
            serde_json::json!({
                "id": id, "create_at": millis, "update_at": millis, "edit_at": 0, "delete_at": 0,
                "user_id": "u1", "channel_id": "c1", "root_id": "", "original_id": "",
                "message": message, "type": "", "props": {}, "hashtags": ""
            }),
        )
    };
    let posts = [
        post(
            "p1",
            "2026-03-02T10:04:00Z",
            "checkout pods crash looping since the 10:00 rollout",
        ),
        post(
            "p2",
            "2026-03-02T10:09:00Z",
            "turned new_checkout off, watching the pods",
        ),
        post(
            "p3",
            "2026-03-02T10:20:00Z",
            "Resolved #4412: Checkout pods crash looping",
        ),
    ];
    let chat = serde_json::json!({
        "order": posts.iter().rev().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        "posts": posts.iter().cloned().collect::<serde_json::Map<_, _>>(),
    });
    let mm = s.write("chat/posts.json", chat.to_string());
    let t = timeline(&s, &[k8s.to_str().unwrap(), mm.to_str().unwrap()], &[]);
    assert_eq!(
        entry_with(&t, "Back-off restarting failed container")["phase"],
        "impact",
        "{t:#}"
    );
    assert_eq!(entry_with(&t, "Scaled up replica set")["phase"], "trigger");
    assert_eq!(
        entry_with(&t, "turned new_checkout off")["phase"],
        "mitigation"
    );
    assert_eq!(entry_with(&t, "Resolved #4412")["phase"], "resolution");
}

#[test]
fn successful_requests_falling_silent_are_the_impact_start() {
    let s = Scratch::new();
    let mut log = String::new();
    for t in (at("10:00:00")..at("11:00:00")).step_by(3) {
        if (at("10:30:00")..at("10:38:00")).contains(&t) {
            continue;
        }
        let time = chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .format("%d/%b/%Y:%H:%M:%S +0000");
        log += &format!(
            "203.0.113.7 - - [{time}] \"GET /api/search?q=x HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"\n"
        );
    }
    let access = s.write("nginx/access.log", log);
    let t = timeline(&s, &[access.to_str().unwrap()], &[]);
    let start = t["key_times"]["impact_start"].as_str().unwrap();
    assert!(
        ("2026-03-02T10:29:00".."2026-03-02T10:30:01").contains(&start),
        "{start}: {:#}",
        t["key_time_basis"]
    );
    let basis = t["key_time_basis"]["impact_start"].as_str().unwrap();
    assert!(basis.contains("fell from 20/min to 0/min"), "{basis}");
}

#[test]
fn a_calm_day_has_no_impact_no_key_times_and_says_so() {
    let s = Scratch::new();
    let mut log = String::new();
    let line = |t: i64, level: &str, msg: &str| {
        format!(
            r#"{{"ts":"{}","level":"{level}","service":"api","msg":"{msg}"}}"#,
            iso(t)
        ) + "\n"
    };
    for t in (at("08:00:00")..at("12:00:00")).step_by(20) {
        log += &line(t, "info", "request served in 20ms");
        if (t - at("08:00:00")) % 600 == 0 {
            log += &line(t + 1, "warn", "slow query: 1200ms on orders_by_customer");
        }
    }
    log += &line(
        at("09:30:00"),
        "info",
        "deploy finished version=3.1.2 env=prod",
    );
    let app = s.write("app/api.jsonl", log);
    let t = timeline(&s, &[app.to_str().unwrap()], &[]);
    for key in ["impact_start", "detected", "mitigated", "resolved"] {
        assert!(
            t["key_times"][key].is_null(),
            "{key}: {:#}",
            t["key_time_basis"]
        );
    }
    let entries = t["entries"].as_array().unwrap();
    assert!(entries.len() <= 12, "{} rows", entries.len());
    assert!(entries.iter().all(|e| e["phase"] != "impact"), "{t:#}");
    let draft = stdout(&s.run("timeline", &["--format", "md"]));
    assert!(draft.contains("No sign of an incident"), "{draft}");
}

#[test]
fn flag_changes_are_placed_by_when_they_happened_and_the_fix_is_the_mitigation() {
    let s = Scratch::new();
    let mut log = String::new();
    let line = |t: i64, level: &str, msg: &str, extra: &str| {
        format!(
            r#"{{"ts":"{}","level":"{level}","service":"checkout","msg":"{msg}"{extra}}}"#,
            iso(t)
        ) + "\n"
    };
    for t in (at("13:00:00")..at("14:00:00")).step_by(20) {
        log += &line(t, "info", "order placed in 40ms", "");
        if (at("13:31:10")..at("13:44:00")).contains(&t) {
            log += &line(
                t + 3,
                "error",
                "payment form failed to render",
                r#","trace_id":"4bf92f3577b34da6""#,
            );
        }
    }
    let flag = |t: &str, value: bool| {
        line(
            at(t),
            "info",
            "feature flag changed",
            &format!(
                r#","flag":"new_checkout","value":{value},"changed_by":"flag-service","request_id":"r-{t}""#
            ),
        )
    };
    log += &flag("13:30:55", true);
    log += &flag("13:43:50", false);
    let app = s.write("app/checkout.jsonl", log);
    let t = timeline(&s, &[app.to_str().unwrap()], &[]);
    let on = entry_with(&t, "value=true");
    assert_eq!(on["phase"], "trigger", "{t:#}");
    assert_eq!(
        on["summary"],
        "feature flag changed flag=new_checkout value=true changed_by=flag-service"
    );
    assert_eq!(entry_with(&t, "value=false")["phase"], "mitigation");
    assert_eq!(
        t["key_times"]["mitigated"], "2026-03-02T13:43:50.000000Z",
        "{:#}",
        t["key_time_basis"]
    );
}

#[test]
fn a_service_restart_in_a_journald_export_is_a_row() {
    let s = Scratch::new();
    let mut out = String::new();
    let entry = |t: i64, priority: u8, unit: &str, message: &str| {
        serde_json::json!({
            "__REALTIME_TIMESTAMP": (t * 1_000_000).to_string(),
            "PRIORITY": priority.to_string(), "_HOSTNAME": "db-2",
            "SYSLOG_IDENTIFIER": unit, "_SYSTEMD_UNIT": format!("{unit}.service"),
            "MESSAGE": message,
        })
        .to_string()
            + "\n"
    };
    for t in (at("02:00:00")..at("02:40:00")).step_by(30) {
        out += &entry(
            t,
            6,
            "pgbouncer",
            "stats: 120 xacts/s, 140 queries/s, in 40000 B/s",
        );
        if (at("02:10:00")..at("02:20:00")).contains(&t) {
            out += &entry(
                t + 1,
                3,
                "pgbouncer",
                "pooler error: no more connections allowed (max_client_conn)",
            );
        }
    }
    out += &entry(
        at("02:20:05"),
        6,
        "systemd",
        "Stopping pgbouncer.service - PgBouncer...",
    );
    out += &entry(
        at("02:20:06"),
        6,
        "systemd",
        "Started pgbouncer.service - PgBouncer.",
    );
    let journal = s.write("journal/db-2.json", out);
    let t = timeline(&s, &[journal.to_str().unwrap()], &[]);
    assert_eq!(
        entry_with(&t, "Started pgbouncer.service")["phase"],
        "mitigation",
        "{t:#}"
    );
    assert_eq!(t["key_times"]["mitigated"], "2026-03-02T02:20:06.000000Z");
}

#[test]
fn an_alert_closed_record_is_a_resolution_not_a_detection() {
    let s = Scratch::new();
    let t = timeline(&s, &["fixtures/opsgenie/webhook_close.json"], &[]);
    let closed = entry_with(&t, "losed by");
    assert_eq!(closed["phase"], "resolution", "{t:#}");
}

#[test]
fn the_first_status_page_update_after_impact_is_when_customers_were_notified() {
    let s = Scratch::new();
    let t = timeline(
        &s,
        &["fixtures/demo", "fixtures/statuspage/incidents.json"],
        &["--tz", "Europe/Berlin", "--year", "2026"],
    );
    assert_eq!(
        t["key_times"]["customer_notified"], "2026-11-20T22:57:02.000000Z",
        "{:#}",
        t["key_time_basis"]
    );
    assert_eq!(t["durations"]["ttn"], "2m31s");
    let basis = t["key_time_basis"]["customer_notified"].as_str().unwrap();
    assert!(basis.starts_with("first status-page update"), "{basis}");
    let draft = stdout(&s.run("timeline", &["--format", "md"]));
    assert!(
        draft.contains("| Customer notified | 2026-11-20 22:57:02 | TTN 2m31s |"),
        "{draft}"
    );
}

#[test]
fn an_alert_that_clears_is_a_recovery_not_the_incident_resolved() {
    let s = Scratch::new();
    let t = timeline(
        &s,
        &["fixtures/alertmanager/webhook_resolved_mixed.json"],
        &[],
    );
    let cleared = entry_with(&t, "Resolved: HighErrorRate");
    assert_eq!(cleared["phase"], "recovery", "{t:#}");
    assert!(
        t["key_times"]["resolved"].is_null(),
        "{:#}",
        t["key_time_basis"]
    );
}

#[test]
fn a_time_stated_without_a_zone_is_read_in_the_writers_profile_zone() {
    let s = Scratch::new();
    let export = |dir: &str, tz: &str| {
        s.write(
            &format!("{dir}/users.json"),
            format!(r#"[{{"id": "U1", "name": "dana", "real_name": "Dana Whitfield"{tz}, "profile": {{"real_name": "Dana Whitfield"}}}}]"#),
        );
        s.write(
            &format!("{dir}/channels.json"),
            r#"[{"id": "C1", "name": "inc"}]"#,
        );
        s.write(
            &format!("{dir}/inc/2026-03-10.json"),
            // 10:10 UTC, 11:10 in Berlin: "11:03" is Berlin time.
            r#"[{"type": "message", "user": "U1", "text": "Rolled back payments-api to 3.1.2 at 11:03", "ts": "1773137400.000100"}]"#,
        )
    };
    export("berlin", r#", "tz": "Europe/Berlin""#);
    export("nozone", "");
    let verdict = |chat: &str| {
        let s2 = Scratch::new();
        let chat = s.path(chat);
        let t = timeline(
            &s2,
            &[chat.to_str().unwrap(), "fixtures/claims/deploy/deploys.log"],
            &[],
        );
        entry_with(&t, "Rolled back payments-api")["verification"].clone()
    };
    assert_eq!(verdict("berlin"), "corroborated");
    // Read as UTC, 11:03 is an hour after the rollback: not supported.
    assert_ne!(verdict("nozone"), "corroborated");
}

/// A Mattermost bulk export of `users` (username, the rest of the user
/// object) and `posts` (username, message, UTC seconds).
fn mattermost_export(users: &[(&str, &str)], posts: &[(&str, &str, i64)]) -> String {
    let mut lines = vec![
        r#"{"type": "version", "version": 1}"#.to_string(),
        r#"{"type": "team", "team": {"name": "ops", "display_name": "Ops", "type": "O"}}"#
            .to_string(),
        r#"{"type": "channel", "channel": {"team": "ops", "name": "inc", "display_name": "inc", "type": "O"}}"#
            .to_string(),
    ];
    for (name, rest) in users {
        lines.push(format!(
            r#"{{"type": "user", "user": {{"username": "{name}"{rest}}}}}"#
        ));
    }
    for (name, message, seconds) in posts {
        lines.push(format!(
            r#"{{"type": "post", "post": {{"team": "ops", "channel": "inc", "user": "{name}", "message": "{message}", "create_at": {}}}}}"#,
            seconds * 1000
        ));
    }
    lines.join("\n") + "\n"
}

/// 2026-03-10 `hh:mm` UTC as seconds since the epoch (before Europe's
/// summer time: Berlin is UTC+1).
fn march_10(clock: &str) -> i64 {
    let (h, m) = clock.split_once(':').unwrap();
    1_773_100_800 + h.parse::<i64>().unwrap() * 3600 + m.parse::<i64>().unwrap() * 60
}

fn note(entry: &Value) -> &str {
    entry["checks"][0]["note"].as_str().unwrap_or_default()
}

#[test]
fn a_time_stated_without_a_zone_is_read_in_the_writers_zone_from_the_shift_sheet() {
    let s = Scratch::new();
    let sheet = s.write(
        "oncall/shifts.csv",
        "Date,Engineer,Email,Role,Start,End,Time zone\n\
         2026-03-10,Priya Raman,priya.raman@example.com,primary on-call,08:00,20:00,Europe/Berlin\n\
         2026-03-10,Tomas Ruiz,,secondary on-call,08:00,20:00,+01:00\n",
    );
    let chat = s.write(
        "chat/export.jsonl",
        mattermost_export(
            &[
                // Met on the sheet by her e-mail.
                ("priya", r#", "email": "priya.raman@example.com""#),
                // Met on the sheet by his first name alone.
                ("tomas", ""),
                // On no sheet and with no profile zone.
                ("sam", r#", "first_name": "Sam", "last_name": "Okafor""#),
            ],
            &[
                ("priya", "restarted db-1 at 10:05", march_10("09:10")),
                ("tomas", "restarted db-3 at 10:20", march_10("09:25")),
                ("sam", "restarted db-2 at 10:07", march_10("10:12")),
            ],
        ),
    );
    let ops = s.write(
        "ops/restarts.log",
        "time=2026-03-10T09:05:20Z level=info msg=\"db-1 restarted by operator\" host=db-1\n\
         time=2026-03-10T09:20:10Z level=info msg=\"db-3 restarted by operator\" host=db-3\n\
         time=2026-03-10T10:07:15Z level=info msg=\"postgres restarted by operator\" host=db-2\n",
    );
    let t = timeline(
        &s,
        &[
            sheet.to_str().unwrap(),
            chat.to_str().unwrap(),
            ops.to_str().unwrap(),
        ],
        &[],
    );
    // 10:05 in Berlin is 09:05 UTC in March, where db-1 restarted.
    let e = entry_with(&t, "restarted db-1");
    assert_eq!(e["verification"], "corroborated", "{e:#}");
    assert_eq!(e["checks"][0]["evidence"][0]["line"], 1);
    assert!(
        note(e).ends_with(
            "20s after the stated time; 10:05 read in Europe/Berlin, the writer's zone from the shift sheet"
        ),
        "{}",
        note(e)
    );
    // A fixed offset in the zone column is a zone too.
    let e = entry_with(&t, "restarted db-3");
    assert_eq!(e["verification"], "corroborated", "{e:#}");
    assert!(
        note(e).ends_with("10:20 read in UTC+01:00, the writer's zone from the shift sheet"),
        "{}",
        note(e)
    );
    // No zone known for the writer: the message's own, UTC here, which
    // goes without saying.
    let e = entry_with(&t, "restarted db-2");
    assert_eq!(e["verification"], "corroborated", "{e:#}");
    assert!(!note(e).contains("read in"), "{}", note(e));

    // Without the sheet, 10:05 is read as UTC: an hour after the restart.
    let s2 = Scratch::new();
    let t = timeline(&s2, &[chat.to_str().unwrap(), ops.to_str().unwrap()], &[]);
    assert_eq!(entry_with(&t, "restarted db-1")["verification"], "reported");
}

#[test]
fn a_mattermost_profile_zone_is_the_writers_and_wins_over_the_shift_sheet() {
    let s = Scratch::new();
    // The sheet says New York, her own profile says Berlin: her setting
    // is the one she lives by.
    let sheet = s.write(
        "oncall/shifts.csv",
        "Date,Engineer,Email,Role,Start,End,Time zone\n\
         2026-03-10,Dana Whitfield,dana@example.com,primary on-call,00:00,23:00,America/New_York\n",
    );
    let chat = s.write(
        "chat/export.jsonl",
        mattermost_export(
            &[(
                "dana",
                r#", "email": "dana@example.com", "timezone": {"useAutomaticTimezone": "true", "automaticTimezone": "Europe/Berlin", "manualTimezone": ""}"#,
            )],
            // 10:10 UTC, 11:10 in Berlin: "11:03" is Berlin time.
            &[(
                "dana",
                "Rolled back payments-api to 3.1.2 at 11:03",
                march_10("10:10"),
            )],
        ),
    );
    let evidence = [
        sheet.to_str().unwrap(),
        chat.to_str().unwrap(),
        "fixtures/claims/deploy/deploys.log",
    ];
    let t = timeline(&s, &evidence, &[]);
    let e = entry_with(&t, "Rolled back payments-api");
    assert_eq!(e["verification"], "corroborated", "{e:#}");
    assert!(
        note(e).ends_with("11:03 read in Europe/Berlin, the writer's zone from their chat profile"),
        "{}",
        note(e)
    );
}

/// A container crash-looping from its first line: its log begins with the
/// failure, as does an edge log cut a few minutes before. Runs that begin
/// with the other impact are the impact, not background; and the
/// Kubernetes back-off event stands for every repeat it folds in.
#[test]
fn runs_beginning_with_the_impact_are_impact_and_folded_events_count_their_repeats() {
    let s = Scratch::new();
    let (mut app, mut edge) = (String::new(), String::new());
    for t in (at("16:04:06")..at("16:31:40")).step_by(30) {
        app += &format!(
            r#"{{"ts":"{}","level":"fatal","msg":"config error: missing key payments.endpoint; exiting"}}"#,
            iso(t)
        );
        app.push('\n');
    }
    for t in (at("16:32:05")..at("16:45:00")).step_by(7) {
        app += &format!(
            r#"{{"ts":"{}","level":"info","msg":"GET /orders 200"}}"#,
            iso(t)
        );
        app.push('\n');
    }
    for t in (at("16:00:00")..at("16:45:00")).step_by(4) {
        let status = if (at("16:04:13")..=at("16:32:00")).contains(&t) {
            503
        } else {
            200
        };
        let stamp = chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .format("%d/%b/%Y:%H:%M:%S +0000");
        edge += &format!(
            "10.1.0.7 - - [{stamp}] \"GET /orders HTTP/1.1\" {status} 55 \"-\" \"app/2.1\"\n"
        );
    }
    let event = |pod: &str| {
        format!(
            r#"{{"kind":"Event","metadata":{{"name":"{pod}.b","namespace":"shop","creationTimestamp":"{first}"}},"involvedObject":{{"kind":"Pod","name":"{pod}","namespace":"shop"}},"reason":"BackOff","message":"Back-off restarting failed container orders in pod {pod}","type":"Warning","source":{{"component":"kubelet","host":"node-2"}},"firstTimestamp":"{first}","lastTimestamp":"{last}","count":57}}"#,
            first = iso(at("16:04:20")),
            last = iso(at("16:31:30")),
        )
    };
    let events = format!(
        r#"{{"kind":"List","apiVersion":"v1","items":[{},{}]}}"#,
        event("orders-6c9d7f-abcde"),
        event("orders-6c9d7f-fghij")
    );
    let files = [
        s.write("ev/orders.jsonl", app),
        s.write("ev/edge-access.log", edge),
        s.write("ev/events.json", events),
    ];
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let t = timeline(&s, &paths, &[]);
    assert_eq!(
        t["key_times"]["impact_start"],
        "2026-03-02T16:04:06.000000Z"
    );
    assert_eq!(entry_with(&t, "config error")["phase"], "impact");
    assert_eq!(entry_with(&t, "503")["phase"], "impact");
    let backoff = entry_with(&t, "BackOff");
    assert_eq!(backoff["occurrences"], 114);
    assert_eq!(backoff["last_time"], "2026-03-02T16:31:30.000000Z");
    assert_eq!(t["key_times"]["mitigated"], Value::Null, "no action taken");
}

/// A watch stream sends an event object again each time it recurs, with
/// its running `count`: the object stands for its last count, not their
/// sum. Three probe failures over four hours are no burst that swallows
/// another pod's failures starting later.
#[test]
fn a_watched_event_counts_its_repeats_once_and_sparse_repeats_make_no_burst() {
    let s = Scratch::new();
    let event = |uid: &str, pod: &str, count: u32, first: &str, last: &str| {
        format!(
            r#"{{"kind":"Event","apiVersion":"v1","metadata":{{"name":"{pod}.x","namespace":"kube-system","uid":"{uid}"}},"involvedObject":{{"kind":"Pod","name":"{pod}","namespace":"kube-system"}},"reason":"Unhealthy","message":"Liveness probe failed: HTTP probe failed with statuscode: 500","type":"Warning","source":{{"component":"kubelet","host":"node-1"}},"firstTimestamp":"{}","lastTimestamp":"{}","count":{count}}}"#,
            iso(at(first)),
            iso(at(last)),
        ) + "\n"
    };
    let stream = [
        event("u-api", "kube-apiserver-node-1", 3, "04:22:21", "08:30:02"),
        event("u-api", "kube-apiserver-node-1", 4, "04:22:21", "08:34:10"),
        event("u-etcd", "etcd-node-1", 1, "08:34:02", "08:34:02"),
        event("u-etcd", "etcd-node-1", 2, "08:34:02", "08:34:32"),
        event("u-api", "kube-apiserver-node-1", 5, "04:22:21", "08:35:02"),
        event("u-etcd", "etcd-node-1", 3, "08:34:02", "08:35:02"),
    ]
    .concat();
    let path = s.write("ev/events-watch.json", stream);
    let t = timeline(&s, &[path.to_str().unwrap()], &[]);
    let occurrences: u64 = t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["summary"].as_str().unwrap().contains("Unhealthy"))
        .map(|e| e["occurrences"].as_u64().unwrap())
        .sum();
    assert_eq!(occurrences, 8, "{:#}", t["entries"]);
    // The first failure is its own row; the failures from 08:30 on are
    // another burst.
    let first = entry_with(&t, "Unhealthy");
    assert_eq!(first["time"], "2026-03-02T04:22:21.000000Z");
    assert_eq!(first["last_time"], Value::Null, "{first:#}");
}
