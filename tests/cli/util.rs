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

/// Ingests the demo incident (as README's example does).
pub fn ingest_demo(s: &Scratch) {
    let out = s.run(
        "ingest",
        &["fixtures/demo", "--tz", "Europe/Berlin", "--year", "2026"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The review service's routes over a scratch database, called in-process
/// (tower's `oneshot`), with a token when given.
pub struct Service {
    app: axum::Router,
    runtime: tokio::runtime::Runtime,
}

/// One answer: status, headers and body.
pub struct Answer {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Service {
    pub fn new(s: &Scratch, token: Option<&str>) -> Service {
        let config = factline::reconstruct::TimelineConfig::new(
            &factline::cli::TimelineArgs {
                max_entries: 60,
                ..Default::default()
            },
            None,
        )
        .expect("timeline config");
        let settings = factline::serve::Settings::new(
            "127.0.0.1:7300",
            token.map(String::from),
            "alice".into(),
            s.db(),
            config,
        )
        .expect("settings");
        Service {
            app: factline::serve::router(settings).expect("router"),
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime"),
        }
    }

    /// A request with the given headers and body.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut request = axum::http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(axum::body::Body::from(body.to_string()))
            .expect("request");
        let app = self.app.clone();
        self.runtime.block_on(async move {
            let response = app.oneshot(request).await.expect("answer");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        })
    }

    pub fn get(&self, path: &str) -> Answer {
        self.call("GET", path, &[], "")
    }

    /// A review action as the page sends it.
    pub fn post(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.call(
            "POST",
            path,
            &[
                ("content-type", "application/json"),
                ("host", "127.0.0.1:7300"),
                ("origin", "http://127.0.0.1:7300"),
            ],
            &body.to_string(),
        )
    }
}
