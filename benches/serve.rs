//! The review service (`factline serve`) answering in-process (tower's
//! `oneshot`, no sockets): the page and `GET /api/timeline` for a timeline
//! of 60 entries, and a page of `GET /api/events` deep into a big
//! database. The big database is the one `benches/ingest_throughput.py`
//! builds (1 GiB, ~8M events): pass its path in `FACTLINE_BENCH_DB`;
//! without it that group is left out and says so.

use std::path::Path;

use clap::Parser as _;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn factline(args: &[&str]) {
    let cli =
        factline::cli::Cli::parse_from(std::iter::once("factline").chain(args.iter().copied()));
    factline::app::run(cli.command).expect("factline");
}

fn router(db: &Path) -> axum::Router {
    let config = factline::reconstruct::TimelineConfig::new(
        &factline::cli::TimelineArgs {
            max_entries: 60,
            ..Default::default()
        },
        None,
    )
    .expect("config");
    let settings = factline::serve::Settings::new(
        "127.0.0.1:7300",
        None,
        "bench".into(),
        db.to_path_buf(),
        config,
    )
    .expect("settings");
    factline::serve::router(settings).expect("router")
}

fn get(rt: &tokio::runtime::Runtime, app: &axum::Router, path: &str) -> usize {
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .expect("request");
    rt.block_on(async {
        let response = app.clone().oneshot(request).await.expect("answer");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .len()
    })
}

/// A log of 80 errors 16 minutes apart: repeats of one template collapse
/// into one entry only within 15 minutes, so each is an entry, and the
/// timeline keeps 60.
fn sixty_entries(dir: &Path) -> std::path::PathBuf {
    let log: String = (0..80)
        .map(|i| {
            let minutes = i * 16;
            format!(
                "{{\"ts\": \"2026-11-{:02}T{:02}:{:02}:00.000Z\", \"level\": \"error\", \"service\": \"svc-{i}\", \
                 \"msg\": \"component {i} failed: upstream timed out\"}}\n",
                20 + minutes / (24 * 60),
                minutes / 60 % 24,
                minutes % 60
            )
        })
        .collect();
    let evidence = dir.join("errors.jsonl");
    std::fs::write(&evidence, log).expect("write evidence");
    let db = dir.join("factline.db");
    let db_arg = db.to_str().expect("utf-8 path");
    let errors = evidence.to_str().expect("utf-8 path");
    factline(&["ingest", "--db", db_arg, errors]);
    db
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let app = router(&sixty_entries(dir.path()));
    let entries = get_json(&rt, &app, "/api/timeline")["entries"]
        .as_array()
        .map(Vec::len);
    assert_eq!(entries, Some(60));
    let mut group = c.benchmark_group("serve_60_entries");
    group.bench_function("page", |b| b.iter(|| get(&rt, &app, "/")));
    group.bench_function("api_timeline", |b| {
        b.iter(|| get(&rt, &app, "/api/timeline"))
    });
    group.finish();

    let Ok(big) = std::env::var("FACTLINE_BENCH_DB") else {
        eprintln!("serve_big_db: left out (set FACTLINE_BENCH_DB to the benchmark database)");
        return;
    };
    let app = router(Path::new(&big));
    // Pages from the middle of the stored time span.
    let sources = get_json(&rt, &app, "/api/sources");
    let bound = |key: &str| -> Vec<i64> {
        sources["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .filter_map(|s| s[key].as_str())
            .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp())
            .collect()
    };
    let first = bound("first").into_iter().min().expect("a first time");
    let last = bound("last").into_iter().max().expect("a last time");
    let from = chrono::DateTime::from_timestamp(first + (last - first) / 2, 0)
        .expect("a time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let page = get_json(&rt, &app, &format!("/api/events?limit=100&from={from}"));
    assert_eq!(
        page["events"].as_array().map(Vec::len),
        Some(100),
        "a full page from {from}"
    );
    let next = page["next"].as_str().expect("a next page").to_string();
    let mut group = c.benchmark_group("serve_big_db");
    group.sample_size(20);
    group.bench_function("events_page_100", |b| {
        b.iter(|| get(&rt, &app, &format!("/api/events?limit=100&from={from}")))
    });
    group.bench_function("events_next_page_100", |b| {
        b.iter(|| get(&rt, &app, &format!("/api/events?limit=100&after={next}")))
    });
    group.finish();
}

fn get_json(rt: &tokio::runtime::Runtime, app: &axum::Router, path: &str) -> serde_json::Value {
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .expect("request");
    rt.block_on(async {
        let response = app.clone().oneshot(request).await.expect("answer");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("json")
    })
}

criterion_group!(benches, bench);
criterion_main!(benches);
