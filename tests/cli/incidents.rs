//! The incident suite (fixtures/incidents/make_incidents.py) scored as the
//! example `score_incidents` scores it: the figures may rise, never fall.
//! The floors are the figures measured when they were last raised; raise
//! them (and the README's table) when reconstruction improves.

#[path = "../../examples/score_incidents/suite.rs"]
mod suite;

use suite::Count;

/// (right, total) per score, summed over the suite.
const HAPPENINGS: (usize, usize) = (50, 50);
const KEY_TIMES: (usize, usize) = (60, 60);
const PHASES: (usize, usize) = (48, 50);
const MERGES: (usize, usize) = (9, 9);
const CLAIMS: (usize, usize) = (21, 21);
const SKEW: (usize, usize) = (4, 4);

fn at_least(name: &str, got: Count, floor: (usize, usize)) {
    assert_eq!(
        got.total, floor.1,
        "{name}: the suite's truth changed size; update the floor"
    );
    assert!(
        got.right >= floor.0,
        "{name}: {got}, the floor is {}/{}",
        floor.0,
        floor.1
    );
}

#[test]
fn incident_suite_holds_its_floors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let suite_dir = dir.path().join("suite");
    suite::generate(&suite_dir).expect("generate the suite");
    let scores = suite::score_suite(&suite_dir, &dir.path().join("work")).expect("score");
    let report = suite::report(&scores);
    println!("{report}");
    assert!(
        scores.len() >= 14,
        "13 incidents and the control expected:\n{report}"
    );
    let t = suite::totals(&scores);
    at_least("key happenings", t.happenings, HAPPENINGS);
    at_least("key times", t.key_times, KEY_TIMES);
    at_least("phases", t.phases, PHASES);
    at_least("merges", t.merges, MERGES);
    at_least("claims", t.claims, CLAIMS);
    at_least("skewed events", t.skew, SKEW);
    // Nothing invented on the calm day, and a short draft.
    let control = scores
        .iter()
        .find(|s| s.control.is_some())
        .expect("the calm-day control");
    assert_eq!(control.control, Some(true), "calm-day control:\n{report}");
    assert!(
        control.rows <= 12,
        "calm-day control: {} rows:\n{report}",
        control.rows
    );
    assert_eq!(
        t.supported_contradicted, 0,
        "a supported claim marked contradicted:\n{report}"
    );
}
