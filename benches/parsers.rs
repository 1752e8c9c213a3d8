//! Throughput of each parser on real-format fixture files (bytes/s).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use factline_parsers::{registry, Collected};

/// A parser id and a fixture in its format, repeated to about 1 MiB.
const INPUTS: [(&str, &str); 7] = [
    (
        "access-log",
        "fixtures/access-log/lnav_shop_combined_access_head.log",
    ),
    ("apache-error", "fixtures/loghub/Apache/Apache_2k.log"),
    ("jsonl", "fixtures/demo/app/checkout-api.jsonl"),
    (
        "logfmt",
        "fixtures/logfmt/lnav_logfmt_k8s_virtual_kubelet.log",
    ),
    ("syslog-rfc3164", "fixtures/loghub/Linux/Linux_2k.log"),
    (
        "syslog-rfc5424",
        "fixtures/syslog-rfc5424/rfc5424_mixed_zones.log",
    ),
    ("text-log", "fixtures/text-log/spring_boot_app.log"),
];

fn parsers(c: &mut Criterion) {
    let all = registry::builtin();
    let mut group = c.benchmark_group("parse");
    for (id, path) in INPUTS {
        let one = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut input = Vec::new();
        while input.len() < 1 << 20 {
            input.extend_from_slice(&one);
            if !input.ends_with(b"\n") {
                input.push(b'\n');
            }
        }
        let parser = all.iter().find(|p| p.id() == id).expect("parser id");
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(id, |b| {
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
