//! The Loghub evaluation of the template miner: the 16 Loghub 2k samples
//! with their true events, and grouping accuracy. Shared by the
//! `template_ga` example and the test that keeps the mean accuracy up
//! (`tests/cli/template_ga.rs` includes this file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use factline::template::{mine, Miner};

/// Grouping accuracy as in the Loghub and Drain papers: the share of
/// messages whose predicted cluster holds exactly the messages of their
/// true event.
pub fn grouping_accuracy(truth: &[&str], predicted: &[usize]) -> f64 {
    assert_eq!(truth.len(), predicted.len(), "one prediction per message");
    if truth.is_empty() {
        return 1.0;
    }
    let mut truth_sizes: HashMap<&str, usize> = HashMap::new();
    for t in truth {
        *truth_sizes.entry(t).or_default() += 1;
    }
    // Per predicted cluster: size, one true event, and whether all agree.
    let mut clusters: HashMap<usize, (usize, &str, bool)> = HashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        let e = clusters.entry(p).or_insert((0, t, true));
        e.0 += 1;
        e.2 &= e.1 == t;
    }
    let correct: usize = clusters
        .values()
        .filter(|(size, t, pure)| *pure && truth_sizes[t] == *size)
        .map(|(size, _, _)| size)
        .sum();
    correct as f64 / truth.len() as f64
}

/// The 16 Loghub 2k samples, under `fixtures/loghub/<System>/`.
pub const LOGHUB_SYSTEMS: [&str; 16] = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "HealthApp",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
];

/// The `Content` and `EventId` columns of a Loghub structured CSV.
pub fn read_loghub(csv_path: &Path) -> Result<Vec<(String, String)>, csv::Error> {
    let mut reader = csv::Reader::from_path(csv_path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            csv::Error::from(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("no {name} column"),
            ))
        })
    };
    let (content, event) = (column("Content")?, column("EventId")?);
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row?;
        rows.push((row[content].to_string(), row[event].to_string()));
    }
    Ok(rows)
}

/// The structured CSV of a system's sample, under `fixtures/loghub/`.
pub fn loghub_csv(system: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/loghub")
        .join(format!("{system}/{system}_2k.log_structured.csv"))
}

/// A system's sample mined by a fresh [`Miner`].
pub struct Mined {
    /// Each message with its true event.
    pub rows: Vec<(String, String)>,
    /// Each message's final cluster.
    pub predicted: Vec<usize>,
    pub miner: Miner,
}

impl Mined {
    pub fn sample(system: &str) -> Result<Mined, csv::Error> {
        let rows = read_loghub(&loghub_csv(system))?;
        let (predicted, miner) = mine(rows.iter().map(|(m, _)| m.as_str()));
        Ok(Mined {
            rows,
            predicted,
            miner,
        })
    }

    /// Grouping accuracy against the true events.
    pub fn accuracy(&self) -> f64 {
        let truth: Vec<&str> = self.rows.iter().map(|(_, e)| e.as_str()).collect();
        grouping_accuracy(&truth, &self.predicted)
    }
}

#[test]
fn grouping_accuracy_counts_exact_groups_only() {
    let truth = ["a", "a", "b", "b", "c"];
    assert_eq!(grouping_accuracy(&truth, &[0, 0, 1, 1, 2]), 1.0);
    // b and c mixed: only a's two messages are right.
    assert_eq!(grouping_accuracy(&truth, &[0, 0, 1, 1, 1]), 0.4);
    // a split: wrong even though each part is pure.
    assert_eq!(grouping_accuracy(&truth, &[0, 3, 1, 1, 2]), 0.6);
}

#[test]
fn loghub_mean_grouping_accuracy_is_at_least_0_90() {
    let mut total = 0.0;
    let mut report = String::new();
    for system in LOGHUB_SYSTEMS {
        let mined = Mined::sample(system).unwrap_or_else(|e| panic!("{system}: {e}"));
        assert!(mined.predicted.iter().all(|&c| c < mined.miner.len()));
        let ga = mined.accuracy();
        report.push_str(&format!("{system} {ga:.3}\n"));
        total += ga;
    }
    let mean = total / LOGHUB_SYSTEMS.len() as f64;
    assert!(mean >= 0.90, "mean GA {mean:.3}\n{report}");
}

#[test]
fn ids_stay_valid_and_results_are_deterministic() {
    let rows = read_loghub(&loghub_csv("Mac")).expect("Mac sample");
    let run = || {
        let mut miner = Miner::new();
        let ids: Vec<usize> = rows.iter().map(|(m, _)| miner.add(m)).collect();
        let templates: Vec<String> = ids.iter().map(|&c| miner.template(c)).collect();
        (ids, templates, miner)
    };
    let (ids, templates, miner) = run();
    let (ids2, templates2, _) = run();
    assert_eq!(ids, ids2);
    assert_eq!(templates, templates2);
    let mut returned = std::collections::HashSet::new();
    let mut newest = None;
    for &c in &ids {
        assert!(c < miner.len());
        // Ids first appear in increasing order (one merged on creation
        // is never returned).
        if returned.insert(c) {
            assert!(newest.is_none_or(|n| c > n), "new id {c} after {newest:?}");
            newest = Some(c);
        }
        assert_eq!(miner.template(c), miner.template(miner.resolve(c)));
    }
    // Every surviving group has its own text, so the store's template
    // table (keyed by text) groups as the miner does.
    let roots: std::collections::HashSet<usize> = ids.iter().map(|&c| miner.resolve(c)).collect();
    let texts: std::collections::HashSet<String> =
        roots.iter().map(|&c| miner.template(c)).collect();
    assert_eq!(roots.len(), texts.len());
}
