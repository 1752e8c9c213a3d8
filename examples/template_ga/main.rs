//! Grouping accuracy of the template miner on the 16 Loghub 2k samples:
//! `cargo run --release --example template_ga`.
//!
//! `cargo run --release --example template_ga -- SYSTEM` also lists the
//! events of that system the miner splits or mixes, for tuning.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use factline::template::Miner;

mod loghub;

use loghub::{Mined, LOGHUB_SYSTEMS};

fn main() {
    let detail = std::env::args().nth(1);
    let mut total = 0.0;
    let mut sources = Vec::new();
    for system in LOGHUB_SYSTEMS {
        let mined = Mined::sample(system).unwrap_or_else(|e| panic!("{system}: {e}"));
        let ga = mined.accuracy();
        let Mined {
            rows,
            predicted,
            miner,
        } = mined;
        let truth: Vec<&str> = rows.iter().map(|(_, e)| e.as_str()).collect();
        let groups: HashSet<usize> = predicted.iter().copied().collect();
        let events: HashSet<&str> = truth.iter().copied().collect();
        println!(
            "{system:<12} {ga:.3}  ({} templates for {} events)",
            groups.len(),
            events.len()
        );
        total += ga;
        if detail.as_deref() == Some(system) {
            explain(&truth, &predicted, &miner, &rows);
        }
        sources.push(rows.into_iter().map(|(m, _)| m).collect::<Vec<_>>());
    }
    println!("{:<12} {:.3}", "mean", total / LOGHUB_SYSTEMS.len() as f64);

    // Every source mined with a fresh miner, repeated for a stable figure;
    // then each source once more into its warm miner, where every shape is
    // known, as in the long run of a big log.
    let rounds = 20;
    let count: usize = sources.iter().map(Vec::len).sum::<usize>() * rounds;
    let mut cold = 0.0;
    let mut warm = 0.0;
    let mut clusters = 0;
    for _ in 0..rounds {
        for source in &sources {
            let mut miner = Miner::new();
            let start = Instant::now();
            for m in source {
                miner.add(m);
            }
            cold += start.elapsed().as_secs_f64();
            let start = Instant::now();
            for m in source {
                miner.add(m);
            }
            warm += start.elapsed().as_secs_f64();
            clusters += miner.len();
        }
    }
    println!(
        "speed        {:.0} messages/s ({:.0} ns/message) from scratch; \
         {:.0} messages/s ({:.0} ns) once learned; {} clusters",
        count as f64 / cold,
        cold * 1e9 / count as f64,
        count as f64 / warm,
        warm * 1e9 / count as f64,
        clusters / rounds
    );
}

/// Prints each wrongly grouped true event with the clusters it landed in,
/// and what else those clusters hold.
fn explain(truth: &[&str], predicted: &[usize], miner: &Miner, rows: &[(String, String)]) {
    let mut by_event: BTreeMap<&str, BTreeMap<usize, (usize, usize)>> = BTreeMap::new();
    let mut by_cluster: HashMap<usize, BTreeMap<&str, usize>> = HashMap::new();
    for (i, (&t, &p)) in truth.iter().zip(predicted).enumerate() {
        by_event.entry(t).or_default().entry(p).or_insert((0, i)).0 += 1;
        *by_cluster.entry(p).or_default().entry(t).or_default() += 1;
    }
    for (event, clusters) in &by_event {
        let mixed = clusters.keys().any(|p| by_cluster[p].len() > 1);
        if clusters.len() == 1 && !mixed {
            continue;
        }
        let n: usize = clusters.values().map(|v| v.0).sum();
        println!("  {event} (n={n})");
        for (p, (count, example)) in clusters {
            let others: Vec<String> = by_cluster[p]
                .iter()
                .filter(|(e, _)| *e != event)
                .map(|(e, c)| format!("{e}×{c}"))
                .collect();
            println!(
                "    {count:>4} in #{p} `{}` {}\n           e.g. {}",
                miner.template(*p),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("WITH {}", others.join(" "))
                },
                rows[*example].0
            );
        }
    }
}
