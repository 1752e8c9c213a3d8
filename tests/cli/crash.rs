use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::Duration;

use crate::util::*;

/// Evidence that ingests in several transactions (one per file) over a
/// few seconds of a debug build.
fn evidence(s: &Scratch) -> String {
    for f in 0..8 {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!(
                "2026-01-01T10:{:02}:{:02}.{:03}Z ERROR worker {f} failed job {i} after {} ms\n",
                (i / 60) % 60,
                i % 60,
                i % 1000,
                i * 7
            ));
        }
        s.write(&format!("ev/host-{f:02}.log"), text);
    }
    s.path("ev").to_string_lossy().into_owned()
}

fn db_bytes(db: &Path) -> Option<u64> {
    std::fs::metadata(db).ok().map(|m| m.len())
}

#[test]
fn killed_ingest_then_rerun_equals_one_clean_run() {
    let clean = Scratch::new();
    let dir = evidence(&clean);
    assert_code(&clean.run("ingest", &[&dir]), 0);
    let full = db_bytes(&clean.db()).unwrap();
    // Source paths name each scratch folder; the rest must be identical.
    let expected = stdout(&clean.run("events", &[])).replace(&dir, "EV");

    // The kill comes when the database exists, then when a third and two
    // thirds of it are written (it grows as each file's transaction
    // commits): stages of the work, not moments, so a slow machine moves
    // them no nearer the end.
    for thirds in [0, 1, 2] {
        let crashed = Scratch::new();
        let dir = evidence(&crashed);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_factline"))
            .args(["ingest", "--db"])
            .arg(crashed.db())
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let stage = full * thirds / 3;
        while db_bytes(&crashed.db()).is_none_or(|bytes| bytes < stage) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "ingest ended before {thirds}/3 of the database was written"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before the kill at {thirds}/3"
        );
        // SIGKILL: no destructor, no rollback, exactly like a crash.
        child.kill().unwrap();
        let killed = child.wait().unwrap();
        assert_eq!(killed.signal(), Some(libc::SIGKILL), "{killed}");
        assert_code(&crashed.run("ingest", &[&dir]), 0);
        let after = stdout(&crashed.run("events", &[])).replace(&dir, "EV");
        assert_eq!(
            after.lines().count(),
            expected.lines().count(),
            "killed at {thirds}/3"
        );
        assert!(
            after == expected,
            "killed at {thirds}/3: events differ from a clean run"
        );
    }
}
