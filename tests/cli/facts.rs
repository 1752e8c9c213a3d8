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
