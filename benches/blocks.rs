//! Block encoding (`blocks::encode`) on three shapes of 1024 routine lines:
//! syslog-like lines whose message is a range of the record and whose host
//! alternates among a few, access-log-like lines whose message is kept
//! as text, distinct on every line (so the string table is most of the
//! block), and Elasticsearch hits (syslog-like, with a locator, system and
//! a distinct identifier each).

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use factline::model::Quality;
use factline::store::blocks::{encode, Line, Message, BLOCK_LINES};

/// A fixed pseudo-random sequence, so runs compare.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Syslog,
    Access,
    Hits,
}

fn lines(shape: Shape) -> Vec<Line> {
    let text_messages = matches!(shape, Shape::Access);
    let hits = matches!(shape, Shape::Hits);
    let mut rng = Lcg(7);
    let (mut time, mut start) = (1_772_323_200_000_000i64, 0u64);
    (0..BLOCK_LINES as u64)
        .map(|seq| {
            time += rng.next(2) as i64 * 1_000_000;
            let len = 90 + rng.next(60);
            let bytes = (start, start + len);
            start += len + 1;
            let (message, host, service) = if text_messages {
                let text = format!(
                    "GET /api/v1/items/{} HTTP/1.1 -> 200 ({} bytes) from 10.{}.{}.{}",
                    rng.next(100_000),
                    rng.next(10_000),
                    rng.next(256),
                    rng.next(256),
                    rng.next(256)
                );
                (Message::Text(text), None, None)
            } else {
                let host = format!("host-{}", rng.next(10));
                (
                    Message::Range(28, len as u32),
                    Some(host),
                    Some("sshd".to_string()),
                )
            };
            Line {
                seq,
                time,
                quality: Quality::default(),
                precision: Cow::Borrowed("second"),
                line: seq + 1,
                line_end: seq + 1,
                bytes,
                message,
                level: Some(Cow::Borrowed("info")),
                host,
                service,
                attributes: None,
                cluster: rng.next(40),
                locator: hits.then(|| format!("$.hits.hits[{seq}]")),
                system: hits.then(|| "Elasticsearch".into()),
                identifiers: if hits {
                    vec![format!("{:012x}", 70_000 + seq)]
                } else {
                    Vec::new()
                },
                time_text: None,
            }
        })
        .collect()
}

fn blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(BLOCK_LINES as u64));
    for (name, shape) in [
        ("syslog", Shape::Syslog),
        ("access", Shape::Access),
        ("hits", Shape::Hits),
    ] {
        let lines = lines(shape);
        group.bench_function(name, |b| b.iter(|| encode(&lines, false)));
    }
    group.finish();
}

criterion_group!(benches, blocks);
criterion_main!(benches);
