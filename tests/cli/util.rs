//! Helpers: a scratch folder with its own database, and a command runner.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary workspace: evidence files written on demand and a database.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn db(&self) -> PathBuf {
        self.path("factline.db")
    }

    /// Writes an evidence file, creating its folders.
    pub fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(relative);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Runs `factline SUBCOMMAND --db DB ARGS...` from the repository root
    /// (so `fixtures/...` paths work) and returns its output.
    pub fn run(&self, subcommand: &str, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("factline").expect("binary");
        cmd.current_dir(repo_root())
            .arg(subcommand)
            .arg("--db")
            .arg(self.db())
            .args(args);
        cmd.output().expect("run factline")
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, with stderr shown when it is not the expected one.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[track_caller]
pub fn assert_code(o: &Output, expected: i32) {
    assert_eq!(
        code(o),
        expected,
        "stderr:\n{}\nstdout:\n{}",
        stderr(o),
        stdout(o)
    );
}

/// The demo's options, as the README gives them.
pub const DEMO_ARGS: [&str; 5] = ["fixtures/demo", "--tz", "Europe/Berlin", "--year", "2026"];

/// Parses JSON lines.
pub fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}
