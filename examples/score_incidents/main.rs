//! Scores factline's timelines on the incident suite:
//! `cargo run --release --example score_incidents [DIR]`.
//!
//! DIR holding `*.truth.json` is read as a suite already generated;
//! otherwise the suite is generated into DIR (default `target/incidents`).
//! Prints the per-incident table, the totals and every miss.

mod suite;

use std::path::PathBuf;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/incidents"));
    let generated = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".truth.json"))
        })
        .unwrap_or(false);
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
