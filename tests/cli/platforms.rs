//! An incident whose evidence is only what log platforms and SaaS tools
//! export (fixtures/platform-incident, written by
//! fixtures/make_platform_incident.py): a Loki query_range response, a
//! CloudWatch Logs filter-log-events output, a Statuspage incidents.json
//! and a Slack export. The draft must place every key time where the
//! evidence puts it, customer notification included.

use serde_json::Value;

use crate::util::*;

const EVIDENCE: &str = "fixtures/platform-incident";

/// The record a `$.data.result[i].values[j]` locator names, read from the
/// Loki export itself.
fn loki_line(locator: &str) -> String {
    let indices: Vec<usize> = locator
        .strip_prefix("$.data.result[")
        .and_then(|rest| rest.strip_suffix(']'))
        .map(|rest| {
            rest.split("].values[")
                .map(|n| n.parse().expect("index"))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(indices.len(), 2, "not a Loki record locator: {locator}");
    let path = repo_root().join(EVIDENCE).join("loki/query_range.json");
    let export: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    export["data"]["result"][indices[0]]["values"][indices[1]][1]
        .as_str()
        .expect("a [ns, line] pair")
        .to_string()
}

#[test]
fn platform_exports_alone_draft_the_incident_with_its_key_times() {
    let s = Scratch::new();
    let out = s.run("ingest", &[EVIDENCE]);
    assert_code(&out, 0);

    let sources: Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let parsers: Vec<(String, String, u64)> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|src| {
            assert_eq!(src["rejected"], 0, "{src}");
            (
                src["source"].as_str().unwrap().to_string(),
                src["parser"].as_str().unwrap().to_string(),
                src["events"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        (
            "cloudwatch/shipit-filter-log-events.json",
            "cloudwatch-logs",
            11,
        ),
        ("loki/query_range.json", "loki", 167),
        ("slack/shop-oncall/2026-11-24.json", "slack-export", 7),
        // Today's incident's four updates and an older incident's two.
        ("statuspage/incidents.json", "statuspage", 6),
    ];
    assert_eq!(
        parsers,
        expected
            .iter()
            .map(|(path, parser, events)| (
                format!("{EVIDENCE}/{path}"),
                parser.to_string(),
                *events
            ))
            .collect::<Vec<_>>()
    );

    // No window given: it is derived from the alert and the chat.
    let timeline: Value =
        serde_json::from_str(&stdout(&s.run("timeline", &["--format", "json"]))).unwrap();
    let key = |name: &str| timeline["key_times"][name].as_str().map(str::to_string);
    // The first warning of the filling pool on a 5.12.0 pod (Loki).
    assert_eq!(
        key("impact_start").as_deref(),
        Some("2026-11-24T14:02:31.207000Z")
    );
    // Grafana's alert, posted in Slack.
    assert_eq!(
        key("detected").as_deref(),
        Some("2026-11-24T14:06:12.339469Z")
    );
    assert_eq!(
        key("acknowledged").as_deref(),
        Some("2026-11-24T14:07:05.221300Z")
    );
    // The gateway's last failed request, 1.9 s after the rollback finished
    // (CloudWatch), in its own logfmt time (microseconds), not Loki's.
    assert_eq!(
        key("mitigated").as_deref(),
        Some("2026-11-24T14:14:39.874406Z")
    );
    let basis = timeline["key_time_basis"]["mitigated"].as_str().unwrap();
    assert!(
        basis.contains("rollback finished version=5.11.3"),
        "{basis}"
    );
    // The status page's "resolved", written in Amsterdam time (+01:00).
    assert_eq!(
        key("resolved").as_deref(),
        Some("2026-11-24T14:45:10.212000Z")
    );
    // The status page's "investigating", the first thing customers read.
    assert_eq!(
        key("customer_notified").as_deref(),
        Some("2026-11-24T14:09:02.640000Z")
    );
    let basis = timeline["key_time_basis"]["customer_notified"]
        .as_str()
        .unwrap();
    assert!(basis.contains("Investigating: Checkout errors"), "{basis}");
    assert_eq!(
        timeline["durations"],
        serde_json::json!({"tta": "4m34s", "ttd": "3m41s", "ttm": "12m08s", "ttn": "6m31s", "ttr": "42m39s"})
    );

    let entries = timeline["entries"].as_array().unwrap();
    let phase_of = |words: &str| {
        entries
            .iter()
            .find(|e| e["summary"].as_str().unwrap().contains(words))
            .map(|e| e["phase"].as_str().unwrap().to_string())
    };
    assert_eq!(
        phase_of("deploy started version=5.12.0").as_deref(),
        Some("trigger")
    );
    assert_eq!(
        phase_of("rollback finished version=5.11.3").as_deref(),
        Some("mitigation")
    );

    // Loki rows cite the record inside the export, and the record they
    // cite is the line they show.
    let loki: Vec<&Value> = entries
        .iter()
        .flat_map(|e| e["evidence"].as_array().unwrap())
        .filter(|ev| ev["source"] == format!("{EVIDENCE}/loki/query_range.json"))
        .collect();
    assert!(loki.len() >= 6, "{loki:?}");
    for ev in &loki {
        let locator = ev["locator"].as_str().unwrap();
        let line = loki_line(locator);
        let excerpt = ev["excerpt"].as_str().unwrap();
        // The line's own parser may reorder it (logfmt keeps msg first);
        // every word shown must be in the cited record (but a word the
        // excerpt cuts short).
        let mut words: Vec<&str> = excerpt.split_whitespace().collect();
        if excerpt.ends_with('…') {
            words.pop();
        }
        let missing: Vec<&&str> = words.iter().filter(|w| !line.contains(**w)).collect();
        assert!(
            missing.is_empty(),
            "{locator}: {line:?} does not hold {missing:?} of {excerpt:?}"
        );
    }
    let start = entries
        .iter()
        .find(|e| e["time"] == "2026-11-24T14:02:31.207000Z")
        .unwrap();
    assert!(loki_line(start["evidence"][0]["locator"].as_str().unwrap())
        .contains(r#""ts":"2026-11-24T14:02:31.207Z""#));
    assert_eq!(
        start["hosts"],
        serde_json::json!(["ip-10-20-3-41.eu-west-1.compute.internal"])
    );
    assert_eq!(start["services"], serde_json::json!(["basket-api"]));

    let draft = stdout(&s.run("timeline", &[]));
    assert!(
        draft.contains("| Customer notified | 2026-11-24 14:09:02 | TTN 6m31s |"),
        "{draft}"
    );
}

/// Platform records are packed into line blocks with their locators,
/// systems and identifiers; the listing must show them exactly as when
/// each was a row of `events` (the snapshot was taken from that build).
#[test]
fn platform_records_list_with_their_locators_and_messages() {
    let s = Scratch::new();
    assert_code(
        &s.run(
            "ingest",
            &[EVIDENCE, "fixtures/elasticsearch", "--tz", "UTC"],
        ),
        0,
    );
    let out = s.run("events", &["--format", "jsonl"]);
    assert_code(&out, 0);
    let listing = stdout(&out);
    let events = jsonl(&listing);
    assert_eq!(events.len(), 201);
    assert!(events
        .iter()
        .any(|e| e["locator"] == "$.data.result[6].values[9]"));
    assert!(events.iter().any(|e| e["locator"] == "$.hits.hits[2]"));
    insta::assert_snapshot!("platform_events_jsonl", listing);
}
