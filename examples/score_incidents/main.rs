//! Scores factline's timelines on the incident suite:
//! `cargo run --release --example score_incidents [DIR]`.
//!
//! Without DIR the suite is generated afresh into `target/incidents` (so a
//! changed generator is always what is scored). DIR holding `*.truth.json`
//! is read as a suite already generated; otherwise the suite is generated
//! into it. Prints the per-incident table, the totals and every miss.

mod suite;

use std::path::PathBuf;

fn main() {
    let given = std::env::args_os().nth(1).map(PathBuf::from);
    let generated = given.as_ref().is_some_and(|dir| {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".truth.json"))
            })
            .unwrap_or(false)
    });
    let dir =
        given.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/incidents"));
    if !generated {
        if let Err(e) = suite::generate(&dir) {
            eprintln!("score_incidents: {e}");
            std::process::exit(2);
        }
    }
    let work = dir.join(".scored");
    match suite::score_suite(&dir, &work) {
        Ok(scores) => print!("{}", suite::report(&scores)),
        Err(e) => {
            eprintln!("score_incidents: {e}");
            std::process::exit(2);
        }
    }
}
