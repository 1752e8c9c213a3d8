//! Checking the facts: re-hashing stored evidence (`verify`) and judging
//! every timeline entry by the evidence behind it (`audit`, docs/output.md#audit).

use std::collections::HashMap;
use std::path::Path;

use factline_parsers::time::format_utc;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::evidence::reread;
use crate::model::Quality;
use crate::model::{Timeline, Verification};
use crate::store::SourceRow;

/// State of one stored source on disk now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Same bytes as ingested.
    Ok,
    /// Different bytes.
    Changed,
    /// Gone (file, or member in its archive).
    Missing,
}

impl Status {
    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Changed => "changed",
            Status::Missing => "missing",
        }
    }
}

/// The result of re-hashing one source.
#[derive(Debug, Clone)]
pub struct Check {
    /// Source path as shown.
    pub source: String,
    /// SHA-256 as ingested.
    pub sha256: String,
    /// What re-hashing found.
    pub status: Status,
    /// Why, when not ok.
    pub detail: Option<String>,
}

/// Re-hashes every stored source.
pub fn verify(sources: &[SourceRow]) -> Vec<Check> {
    sources
        .iter()
        .map(|s| check(s, &reread(Path::new(&s.file), s.member.as_deref())))
        .collect()
}

/// Judges a source by its bytes as re-read from disk now (`reread`).
pub fn check(s: &SourceRow, read: &std::result::Result<Option<Vec<u8>>, String>) -> Check {
    let (status, detail) = match read {
        Ok(None) => (
            Status::Missing,
            Some(format!("{} no longer exists", s.file)),
        ),
        Ok(Some(bytes)) if hex::encode(Sha256::digest(bytes)) == s.sha256 => (Status::Ok, None),
        Ok(Some(_)) => (
            Status::Changed,
            Some("bytes differ from those ingested".into()),
        ),
        Err(e) => (Status::Missing, Some(e.clone())),
    };
    Check {
        source: s.path.clone(),
        sha256: s.sha256.clone(),
        status,
        detail,
    }
}

/// The audit of a timeline against re-hashed evidence.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The contract object (docs/output.md#audit).
    pub json: Value,
    /// Whether `--strict` fails: an entry reported or unverified, or
    /// evidence changed.
    pub strict_failure: bool,
}

/// A busy source's silence inside the incident window: often the moment a
/// process died or a log shipper stopped, and always a hole in the facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Source path as shown.
    pub source: String,
    /// Last event before the silence, UTC microseconds.
    pub from: i64,
    /// First event after it.
    pub to: i64,
    /// The source's usual (median) spacing, microseconds.
    pub usual: i64,
}

/// A source needs this many events in the window before its silences mean
/// anything.
const GAP_MIN_EVENTS: usize = 30;
/// A silence must be this many times the usual spacing…
const GAP_FACTOR: i64 = 10;
/// …and at least this long.
const GAP_MIN_MICROS: i64 = 5 * 60 * 1_000_000;

/// The silences of each busy source: gaps between consecutive events far
/// longer than the source's median spacing.
pub fn gaps(times_by_source: &[(String, Vec<i64>)]) -> Vec<Gap> {
    let mut out = Vec::new();
    for (source, times) in times_by_source {
        if times.len() < GAP_MIN_EVENTS {
            continue;
        }
        let mut spacing: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        spacing.sort_unstable();
        let usual = spacing[spacing.len() / 2].max(1);
        let threshold = (usual * GAP_FACTOR).max(GAP_MIN_MICROS);
        out.extend(
            times
                .windows(2)
                .filter(|w| w[1] - w[0] >= threshold)
                .map(|w| Gap {
                    source: source.clone(),
                    from: w[0],
                    to: w[1],
                    usual,
                }),
        );
    }
    out
}

/// Audits every entry and source.
pub fn audit(timeline: &Timeline, sources: &[SourceRow], checks: &[Check], gaps: &[Gap]) -> Audit {
    let status: HashMap<&str, Status> = checks
        .iter()
        .map(|c| (c.source.as_str(), c.status))
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    // Contradicted entries first: they are what a review must look at.
    let mut ordered: Vec<&crate::model::Entry> = timeline.entries.iter().collect();
    ordered.sort_by_key(|e| e.verification != Verification::Contradicted);
    let entries: Vec<Value> = ordered
        .into_iter()
        .map(|e| {
            let evidence: Vec<Value> = e
                .evidence
                .iter()
                .map(|ev| {
                    let s = status.get(ev.source.as_str()).copied().unwrap_or(Status::Missing);
                    json!({"source": ev.source, "sha256": ev.sha256, "line": ev.line,
                           "locator": ev.locator, "status": s.as_str()})
                })
                .collect();
            let intact = e
                .evidence
                .iter()
                .any(|ev| status.get(ev.source.as_str()) == Some(&Status::Ok));
            let verification = if intact {
                e.verification
            } else {
                Verification::Unverified
            };
            *counts.entry(verification.as_str()).or_default() += 1;
            json!({"id": e.id, "time": format_utc(e.time),
                   "summary": e.summary, "verification": verification.as_str(), "evidence": evidence})
        })
        .collect();
    let changed = checks.iter().filter(|c| c.status != Status::Ok).count();
    let count = |v: &str| counts.get(v).copied().unwrap_or(0);
    let strict_failure = changed > 0
        || count("reported") > 0
        || count("contradicted") > 0
        || count("unverified") > 0;
    let source_list: Vec<Value> = checks
        .iter()
        .map(|c| json!({"source": c.source, "sha256": c.sha256, "status": c.status.as_str()}))
        .collect();
    Audit {
        json: json!({
            "summary": {
                "entries": timeline.entries.len(),
                "corroborated": count("corroborated"),
                "verified": count("verified"),
                "reported": count("reported"),
                "contradicted": count("contradicted"),
                "unverified": count("unverified"),
                "changed_sources": changed,
            },
            "entries": entries,
            "sources": source_list,
            "warnings": warnings(timeline, sources, checks, gaps),
        }),
        strict_failure,
    }
}

fn warnings(
    timeline: &Timeline,
    sources: &[SourceRow],
    checks: &[Check],
    gaps: &[Gap],
) -> Vec<String> {
    let mut out = Vec::new();
    for g in gaps {
        out.push(format!(
            "{}: silent for {} from {} to {} inside the incident window (usually an event every {})",
            g.source,
            crate::reconstruct::format_duration(g.to - g.from),
            format_utc(g.from),
            format_utc(g.to),
            crate::reconstruct::format_duration(g.usual)
        ));
    }
    for c in checks.iter().filter(|c| c.status != Status::Ok) {
        out.push(format!(
            "{}: evidence {} ({})",
            c.source,
            c.status.as_str(),
            c.detail.as_deref().unwrap_or("")
        ));
    }
    let flag_warnings = [
        (
            Quality::ASSUMED_TZ,
            "times carry no zone and were read as UTC (give --tz or --source-tz)",
        ),
        (
            Quality::INFERRED_YEAR,
            "times carry no year; it was inferred (from the file's modification time, or from the dates the other evidence writes: ingest says which)",
        ),
        (
            Quality::INFERRED_DATE,
            "times carry no date; it was taken from nearby records or the file's date",
        ),
        (
            Quality::AMBIGUOUS_LOCAL,
            "some local times fall in a daylight-saving repeat hour",
        ),
        (
            Quality::NONEXISTENT_LOCAL,
            "some local times fall in a daylight-saving gap and were shifted",
        ),
        (Quality::SKEW_ADJUSTED, "times were corrected with --offset"),
        (
            Quality::UNKNOWN_ZONE,
            "some times carry a zone word no one defines (like FOO); they were read in the source's zone (give --source-tz if it is wrong)",
        ),
    ];
    for s in sources {
        for (flag, text) in flag_warnings {
            if s.time_quality.contains(flag) {
                out.push(format!("{}: {text}", s.path));
            }
        }
        out.extend(s.clock_note());
        if s.rejected > 0 {
            out.push(format!(
                "{}: {} lines could not be parsed (see `factline sources --format json`)",
                s.path, s.rejected
            ));
        }
        if let (Some(ws), Some(we), Some(first), Some(last)) = (
            timeline.window_start,
            timeline.window_end,
            s.first_time,
            s.last_time,
        ) {
            if last < ws || first > we {
                out.push(format!(
                    "{}: all its events lie outside the incident window",
                    s.path
                ));
            }
        }
    }
    out
}

/// The audit for people.
pub fn audit_text(a: &Audit) -> String {
    let mut out = String::new();
    let s = &a.json["summary"];
    out.push_str(&format!(
        "{} entries: {} corroborated, {} verified, {} reported, {} contradicted, {} unverified; {} changed sources\n",
        s["entries"],
        s["corroborated"],
        s["verified"],
        s["reported"],
        s["contradicted"],
        s["unverified"],
        s["changed_sources"]
    ));
    for e in a.json["entries"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "#{} {} {} — {}\n",
            e["id"],
            e["time"].as_str().unwrap_or(""),
            e["verification"].as_str().unwrap_or(""),
            e["summary"].as_str().unwrap_or("")
        ));
    }
    let warnings = a.json["warnings"].as_array().cloned().unwrap_or_default();
    if !warnings.is_empty() {
        out.push_str("warnings:\n");
        for w in warnings {
            out.push_str(&format!("- {}\n", w.as_str().unwrap_or("")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_source_falling_silent_is_a_gap() {
        let second = 1_000_000;
        let mut times: Vec<i64> = (0..40).map(|i| i * 10 * second).collect();
        // Twenty minutes of silence, then the source resumes.
        let resume = times[39] + 20 * 60 * second;
        times.extend((0..10).map(|i| resume + i * 10 * second));
        let found = gaps(&[("app.log".into(), times.clone())]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].from, times[39]);
        assert_eq!(found[0].to, resume);
        assert_eq!(found[0].usual, 10 * second);
        // A quiet source, or a steady one, has none.
        assert!(gaps(&[("quiet.log".into(), times[..20].to_vec())]).is_empty());
        let steady: Vec<i64> = (0..100).map(|i| i * 60 * second).collect();
        assert!(gaps(&[("steady.log".into(), steady)]).is_empty());
    }
}
