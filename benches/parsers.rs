//! Throughput of every built-in parser (bytes/s), each on the first sample
//! in its fixture folder (`fixtures/<parser-id>/`), repeated to about 1 MiB
//! for line formats; document formats are measured on the sample as it is.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use factline_parsers::{registry, Collected};

fn sample(id: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(id);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.into_iter().next()
}

fn parsers(c: &mut Criterion) {
    let all = registry::builtin();
    let mut group = c.benchmark_group("parse");
    for parser in &all {
        let Some(path) = sample(parser.id()) else {
            continue;
        };
        let Ok(one) = std::fs::read(&path) else {
            continue;
        };
        let mut input = one.clone();
        // Only line formats stay valid when repeated.
        let repeatable =
            !one.trim_ascii_start().starts_with(b"{") && !one.trim_ascii_start().starts_with(b"[");
        while repeatable && input.len() < 1 << 20 {
            if !input.ends_with(b"\n") {
                input.push(b'\n');
            }
            input.extend_from_slice(&one);
        }
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(parser.id(), |b| {
            b.iter(|| {
                let mut out = Collected::default();
                parser.parse(&input, &mut out);
                out.records.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
