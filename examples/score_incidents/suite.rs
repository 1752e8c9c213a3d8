//! The incident suite's scorer: runs factline on each generated incident and
//! compares its timeline with the incident's truth file
//! (fixtures/incidents/README.md). Shared by the example and the CI test
//! (tests/cli/incidents.rs), so both measure the same thing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use clap::Parser;
use serde_json::Value;

/// Claims are about chat lines and comments whose own time is exact; a
/// claim's entry is the one holding its words within this many seconds.
const CLAIM_TOLERANCE_S: i64 = 120;

/// Writes the suite into `out` with the generator in fixtures/incidents.
pub fn generate(out: &Path) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/incidents/make_incidents.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("python3 {}: {e}", script.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed: {status}", script.display()))
    }
}

/// One score: how many of how many were right.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub right: usize,
    pub total: usize,
}

impl Count {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.right += usize::from(ok);
    }

    fn plus(self, o: Count) -> Count {
        Count {
            right: self.right + o.right,
            total: self.total + o.total,
        }
    }

    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.right as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.total == 0 {
            write!(f, "-")
        } else {
            write!(f, "{}/{}", self.right, self.total)
        }
    }
}

/// The scores of one incident, and what was missed, in words.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub id: String,
    pub happenings: Count,
    pub key_times: Count,
    pub phases: Count,
    pub merges: Count,
    pub claims: Count,
    /// Supported claims the draft calls contradicted (must stay 0).
    pub supported_contradicted: usize,
    pub skew: Count,
    /// `Some(passed)` for the calm-day control.
    pub control: Option<bool>,
    pub rows: usize,
    pub misses: Vec<String>,
}

/// The sum over all incidents.
pub fn totals(scores: &[Score]) -> Score {
    let mut t = Score {
        id: "total".into(),
        ..Score::default()
    };
    for s in scores {
        t.happenings = t.happenings.plus(s.happenings);
        t.key_times = t.key_times.plus(s.key_times);
        t.phases = t.phases.plus(s.phases);
        t.merges = t.merges.plus(s.merges);
        t.claims = t.claims.plus(s.claims);
        t.skew = t.skew.plus(s.skew);
        t.supported_contradicted += s.supported_contradicted;
        t.rows += s.rows;
        if let Some(c) = s.control {
            t.control = Some(t.control.unwrap_or(true) && c);
        }
    }
    t
}

/// Runs factline on every `NAME/` with a `NAME.truth.json` in `suite`,
/// keeping the databases and timelines in `work`.
pub fn score_suite(suite: &Path, work: &Path) -> Result<Vec<Score>, String> {
    let mut truths: Vec<PathBuf> = std::fs::read_dir(suite)
        .map_err(|e| format!("{}: {e}", suite.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    if truths.is_empty() {
        return Err(format!("{}: no *.truth.json", suite.display()));
    }
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    truths.iter().map(|t| score_one(t, work)).collect()
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `factline ARGS`, in process, as the binary would run them.
fn factline(args: &[String]) -> Result<(), String> {
    let cli = factline::cli::Cli::try_parse_from(
        std::iter::once("factline".to_owned()).chain(args.iter().cloned()),
    )
    .map_err(|e| e.to_string())?;
    match factline::app::run(cli.command) {
        Ok(0) => Ok(()),
        Ok(code) => Err(format!("factline {} exited {code}", args.join(" "))),
        Err(e) => Err(format!("factline {}: {e}", args.join(" "))),
    }
}

fn score_one(truth_path: &Path, work: &Path) -> Result<Score, String> {
    let truth = read_json(truth_path)?;
    let id = truth["id"].as_str().unwrap_or_default().to_owned();
    let evidence = truth_path.with_file_name(&id);
    let db = work.join(format!("{id}.db"));
    let out = work.join(format!("{id}.timeline.json"));
    let _ = std::fs::remove_file(&db);
    // Paths relative to the suite, so that the truth's source names match.
    let mut ingest = vec!["ingest".into(), "--db".into(), db.display().to_string()];
    ingest.extend(strings(&truth["options"]["ingest"]));
    ingest.push(evidence.display().to_string());
    factline(&ingest)?;
    let mut timeline = vec![
        "timeline".into(),
        "--db".into(),
        db.display().to_string(),
        "--format".into(),
        "json".into(),
        "-o".into(),
        out.display().to_string(),
    ];
    timeline.extend(strings(&truth["options"]["timeline"]));
    factline(&timeline)?;
    // Skewed sources are judged on their events, rows or not.
    let events_out = work.join(format!("{id}.events.jsonl"));
    factline(&[
        "events".into(),
        "--db".into(),
        db.display().to_string(),
        "-o".into(),
        events_out.display().to_string(),
    ])?;
    let events: Vec<Value> = std::fs::read_to_string(&events_out)
        .map_err(|e| format!("{}: {e}", events_out.display()))?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let sources_out = work.join(format!("{id}.sources.json"));
    factline(&[
        "sources".into(),
        "--db".into(),
        db.display().to_string(),
        "--format".into(),
        "json".into(),
        "-o".into(),
        sources_out.display().to_string(),
    ])?;
    let sources = read_json(&sources_out)?;
    Ok(compare(&id, &truth, &read_json(&out)?, &events, &sources))
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()?.parse().ok()
}

/// One timeline entry, with the text its words are looked for in.
struct Entry<'a> {
    value: &'a Value,
    time: DateTime<Utc>,
    text: String,
}

impl Entry<'_> {
    fn has_words(&self, words: &[String]) -> bool {
        words.iter().all(|w| self.text.contains(&w.to_lowercase()))
    }

    fn sources(&self) -> Vec<&str> {
        self.value["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["source"].as_str())
            .collect()
    }
}

fn entries(timeline: &Value) -> Vec<Entry<'_>> {
    timeline["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            // A row names its service and host in their own columns, so a
            // happening's words may be found there too.
            let mut text = e["summary"].as_str().unwrap_or_default().to_lowercase();
            let columns = ["hosts", "services"]
                .into_iter()
                .flat_map(|k| e[k].as_array().into_iter().flatten());
            let excerpts = e["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| &c["excerpt"]);
            for part in columns.chain(excerpts) {
                text.push('\n');
                text.push_str(&part.as_str().unwrap_or_default().to_lowercase());
            }
            Some(Entry {
                value: e,
                time: time(&e["time"])?,
                text,
            })
        })
        .collect()
}

fn within(a: DateTime<Utc>, b: DateTime<Utc>, tolerance_s: i64) -> bool {
    (a - b).num_seconds().abs() <= tolerance_s
}

/// The entries holding `words` within `tolerance_s` of `at`, nearest first.
fn matching<'e, 'a>(
    es: &'e [Entry<'a>],
    words: &[String],
    at: DateTime<Utc>,
    tolerance_s: i64,
) -> Vec<&'e Entry<'a>> {
    let mut m: Vec<&Entry> = es
        .iter()
        .filter(|e| within(e.time, at, tolerance_s) && e.has_words(words))
        .collect();
    m.sort_by_key(|e| (e.time - at).num_milliseconds().abs());
    m
}

fn compare(id: &str, truth: &Value, timeline: &Value, events: &[Value], sources: &Value) -> Score {
    let es = entries(timeline);
    let mut s = Score {
        id: id.to_owned(),
        rows: es.len(),
        ..Score::default()
    };
    let happenings = truth["happenings"].as_array().cloned().unwrap_or_default();
    let found = |hid: &str| -> Vec<&Entry> {
        happenings
            .iter()
            .find(|h| h["id"] == hid)
            .and_then(|h| {
                Some(matching(
                    &es,
                    &strings(&h["words"]),
                    time(&h["time"])?,
                    h["tolerance_s"].as_i64()?,
                ))
            })
            .unwrap_or_default()
    };
    for h in &happenings {
        let hid = h["id"].as_str().unwrap_or_default();
        let m = found(hid);
        s.happenings.add(!m.is_empty());
        let phase = h["phase"].as_str().unwrap_or_default();
        let phase_ok = m.iter().any(|e| e.value["phase"] == phase);
        s.phases.add(phase_ok);
        if m.is_empty() {
            s.misses.push(format!(
                "happening {hid} ({} at {}) not found",
                strings(&h["words"]).join(" "),
                h["time"].as_str().unwrap_or_default()
            ));
        } else if !phase_ok {
            s.misses.push(format!(
                "happening {hid}: phase {} expected, got {}",
                phase, m[0].value["phase"]
            ));
        }
    }
    if let Some(keys) = truth["key_times"].as_object() {
        for (name, k) in keys {
            let want = time(&k["time"]);
            let got = time(&timeline["key_times"][name]);
            let ok = matches!((want, got), (Some(w), Some(g)) if within(w, g, k["tolerance_s"].as_i64().unwrap_or(0)));
            s.key_times.add(ok);
            if !ok {
                s.misses.push(format!(
                    "key time {name}: expected {} ±{}s ({}), got {}",
                    k["time"].as_str().unwrap_or_default(),
                    k["tolerance_s"],
                    k["basis"].as_str().unwrap_or_default(),
                    timeline["key_times"][name]
                ));
            }
        }
    }
    for m in truth["merges"].as_array().into_iter().flatten() {
        let hid = m["happening"].as_str().unwrap_or_default();
        let want = strings(&m["sources"]);
        let ok = found(hid).iter().any(|e| {
            want.iter()
                .all(|w| e.sources().iter().any(|src| src.contains(w.as_str())))
        });
        s.merges.add(ok);
        if !ok {
            s.misses.push(format!(
                "merge {hid}: no one entry cites {}",
                want.join(" and ")
            ));
        }
    }
    for pair in truth["must_not_merge"].as_array().into_iter().flatten() {
        let (a, b) = (
            pair[0].as_str().unwrap_or_default(),
            pair[1].as_str().unwrap_or_default(),
        );
        let (ea, eb) = (found(a), found(b));
        let ok = ea
            .iter()
            .any(|x| eb.iter().any(|y| x.value["id"] != y.value["id"]));
        s.merges.add(ok);
        if !ok {
            s.misses
                .push(format!("must not merge {a} and {b}: not two entries"));
        }
    }
    for c in truth["claims"].as_array().into_iter().flatten() {
        let words = strings(&c["words"]);
        let expected = c["expected"].as_str().unwrap_or_default();
        let got = time(&c["time"])
            .and_then(|t| {
                matching(&es, &words, t, CLAIM_TOLERANCE_S)
                    .first()
                    .map(|e| claim_result(e.value))
            })
            .unwrap_or("missing");
        s.claims.add(got == expected);
        if expected == "supported" && got == "contradicted" {
            s.supported_contradicted += 1;
        }
        if got != expected {
            s.misses.push(format!(
                "claim \"{}\": expected {expected}, got {got}",
                words.join(" ")
            ));
        }
    }
    for src in truth["skewed_sources"].as_array().into_iter().flatten() {
        let path = src["source"].as_str().unwrap_or_default();
        // A zone read wrongly is named, not corrected as if a clock drifted:
        // the source's note must name the zone; its events stay as written.
        if let Some(zone) = src["zone_mistake"].as_str() {
            let note = sources["sources"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s["source"].as_str().is_some_and(|p| p.ends_with(path)))
                .and_then(|s| s["skew"]["note"].as_str())
                .unwrap_or_default();
            let ok = note.contains("zone mistake") && note.contains(zone);
            s.skew.add(ok);
            if !ok {
                s.misses.push(format!(
                    "skewed source {path}: zone mistake ({zone}) not named: {note:?}"
                ));
            }
            continue;
        }
        for ev in src["events"].as_array().into_iter().flatten() {
            let words: Vec<String> = strings(&ev["words"])
                .iter()
                .map(|w| w.to_lowercase())
                .collect();
            let tolerance = ev["tolerance_s"].as_i64().unwrap_or(2);
            let ok = time(&ev["time"]).is_some_and(|t| {
                events.iter().any(|e| {
                    let message = e["message"].as_str().unwrap_or_default().to_lowercase();
                    e["source"].as_str().is_some_and(|s| s.ends_with(path))
                        && words.iter().all(|w| message.contains(w.as_str()))
                        && time(&e["time"])
                            .is_some_and(|at| (at - t).num_seconds().abs() <= tolerance)
                })
            });
            s.skew.add(ok);
            if !ok {
                s.misses.push(format!(
                    "skewed source {} (true offset {}s): \"{}\" not at {}",
                    src["source"].as_str().unwrap_or_default(),
                    src["true_offset_s"],
                    words.join(" "),
                    ev["time"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    if truth["control"].as_bool() == Some(true) {
        let invented: Vec<&str> = ["impact_start", "detected", "mitigated"]
            .into_iter()
            .filter(|k| !timeline["key_times"][*k].is_null())
            .collect();
        let max_rows = truth["max_rows"].as_u64().unwrap_or(12) as usize;
        let ok = invented.is_empty() && es.len() <= max_rows;
        s.control = Some(ok);
        if !invented.is_empty() {
            s.misses.push(format!(
                "control: invented key times {}",
                invented.join(", ")
            ));
        }
        if es.len() > max_rows {
            s.misses.push(format!(
                "control: {} rows, at most {max_rows} expected",
                es.len()
            ));
        }
    }
    s
}

/// What the draft says of a claim's entry: a check's result when it carries
/// one, else what its verification implies.
fn claim_result(entry: &Value) -> &'static str {
    let checks: Vec<&str> = entry["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["result"].as_str())
        .collect();
    if checks.contains(&"contradicted") || entry["verification"] == "contradicted" {
        "contradicted"
    } else if checks.contains(&"supported") || entry["verification"] == "corroborated" {
        "supported"
    } else {
        "reported"
    }
}

/// The per-incident table with totals, then what was missed.
pub fn report(scores: &[Score]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| incident | happenings | key times | phases | merges | claims | skew | control | rows |\n|---|---|---|---|---|---|---|---|---|"
    );
    let t = totals(scores);
    for s in scores.iter().chain(std::iter::once(&t)) {
        let control = match s.control {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.id, s.happenings, s.key_times, s.phases, s.merges, s.claims, s.skew, control, s.rows
        );
    }
    let _ = writeln!(
        out,
        "\nkey happenings {:.1} %, key times {:.1} %, phases {:.1} %, merges {:.1} %, claims {:.1} % ({} supported marked contradicted), skewed sources {:.1} %, control {}",
        t.happenings.percent(),
        t.key_times.percent(),
        t.phases.percent(),
        t.merges.percent(),
        t.claims.percent(),
        t.supported_contradicted,
        t.skew.percent(),
        if t.control == Some(true) { "passed" } else { "failed" }
    );
    for s in scores {
        for m in &s.misses {
            let _ = writeln!(out, "{}: {m}", s.id);
        }
    }
    out
}
