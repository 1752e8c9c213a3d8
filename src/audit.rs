//! Checking the facts: re-hashing stored evidence (`verify`) and judging
//! every timeline entry by the evidence behind it (`audit`, DESIGN §6).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::evidence::reread;
use crate::normalize::Quality;
use crate::store::SourceRow;
use crate::timeline::{Timeline, Verification};

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
        .map(|s| {
            let (status, detail) = match reread(Path::new(&s.file), s.member.as_deref()) {
                Ok(None) => (
                    Status::Missing,
                    Some(format!("{} no longer exists", s.file)),
                ),
                Ok(Some(bytes)) if hex::encode(Sha256::digest(&bytes)) == s.sha256 => {
                    (Status::Ok, None)
                }
                Ok(Some(_)) => (
                    Status::Changed,
                    Some("bytes differ from those ingested".into()),
                ),
                Err(e) => (Status::Missing, Some(e)),
            };
            Check {
                source: s.path.clone(),
                sha256: s.sha256.clone(),
                status,
                detail,
            }
        })
        .collect()
}

/// The audit of a timeline against re-hashed evidence.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The contract object (DESIGN §6).
    pub json: Value,
    /// Whether `--strict` fails: an entry reported or unverified, or
    /// evidence changed.
    pub strict_failure: bool,
}

/// Audits every entry and source.
pub fn audit(timeline: &Timeline, sources: &[SourceRow], checks: &[Check]) -> Audit {
    let status: HashMap<&str, Status> = checks
        .iter()
        .map(|c| (c.source.as_str(), c.status))
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let entries: Vec<Value> = timeline
        .entries
        .iter()
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
            json!({"id": e.id, "time": factline_parsers::time::format_utc(e.time),
                   "summary": e.summary, "verification": verification.as_str(), "evidence": evidence})
        })
        .collect();
    let changed = checks.iter().filter(|c| c.status != Status::Ok).count();
    let count = |v: &str| counts.get(v).copied().unwrap_or(0);
    let strict_failure = changed > 0 || count("reported") > 0 || count("unverified") > 0;
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
                "unverified": count("unverified"),
                "changed_sources": changed,
            },
            "entries": entries,
            "sources": source_list,
            "warnings": warnings(timeline, sources, checks),
        }),
        strict_failure,
    }
}

fn warnings(timeline: &Timeline, sources: &[SourceRow], checks: &[Check]) -> Vec<String> {
    let mut out = Vec::new();
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
            "times carry no year; it was inferred from the file's modification time",
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
    ];
    for s in sources {
        for (flag, text) in flag_warnings {
            if s.time_quality.contains(flag) {
                out.push(format!("{}: {text}", s.path));
            }
        }
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
        "{} entries: {} corroborated, {} verified, {} reported, {} unverified; {} changed sources\n",
        s["entries"], s["corroborated"], s["verified"], s["reported"], s["unverified"], s["changed_sources"]
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
