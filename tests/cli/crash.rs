use std::time::Duration;

use crate::util::*;

/// Enough evidence that an ingest takes a noticeable while.
fn evidence(s: &Scratch) -> String {
    for f in 0..12 {
        let mut text = String::new();
        for i in 0..4000 {
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

#[test]
fn killed_ingest_then_rerun_equals_one_clean_run() {
    let clean = Scratch::new();
    let dir = evidence(&clean);
    assert_code(&clean.run("ingest", &[&dir]), 0);
    // Source paths name each scratch folder; the rest must be identical.
    let expected = stdout(&clean.run("events", &[])).replace(&dir, "EV");

    for delay_ms in [5u64, 40, 150] {
        let crashed = Scratch::new();
        let dir = evidence(&crashed);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_factline"))
            .args(["ingest", "--db"])
            .arg(crashed.db())
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL: no destructor, no rollback, exactly like a crash.
        let _ = child.kill();
        let _ = child.wait();
        assert_code(&crashed.run("ingest", &[&dir]), 0);
        let after = stdout(&crashed.run("events", &[])).replace(&dir, "EV");
        assert_eq!(
            after.lines().count(),
            expected.lines().count(),
            "killed after {delay_ms} ms"
        );
        assert!(
            after == expected,
            "killed after {delay_ms} ms: events differ from a clean run"
        );
    }
}
