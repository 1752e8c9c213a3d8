//! Ingest settings: what the user said about sources, matched by glob.

use std::path::PathBuf;

use globset::{Glob, GlobMatcher};

use crate::error::{Error, Result};
use crate::model::Zone;

/// A `GLOB=VALUE` option.
#[derive(Debug, Clone)]
pub struct ForGlob<T> {
    /// The glob as typed.
    pub glob: String,
    matcher: GlobMatcher,
    /// The value for matching sources.
    pub value: T,
}

impl<T> ForGlob<T> {
    pub(crate) fn parse(
        option: &str,
        text: &str,
        value: impl FnOnce(&str) -> Result<T>,
    ) -> Result<Self> {
        let (glob, rest) = text
            .rsplit_once('=')
            .ok_or_else(|| Error::Usage(format!("{option} expects GLOB=VALUE, got {text:?}")))?;
        let matcher = Glob::new(glob)
            .map_err(|e| Error::Usage(format!("{option}: bad glob {glob:?}: {e}")))?
            .compile_matcher();
        Ok(ForGlob {
            glob: glob.to_string(),
            matcher,
            value: value(rest)?,
        })
    }

    /// Whether any of the names of a source matches.
    pub fn matches(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.matcher.is_match(n))
    }
}

/// The last matching option wins, as with most command-line tools.
fn pick<'a, T>(options: &'a [ForGlob<T>], names: &[&str]) -> Option<&'a ForGlob<T>> {
    options.iter().rev().find(|o| o.matches(names))
}

/// Resolved ingest settings.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Evidence arguments, in the order given.
    pub evidence: Vec<PathBuf>,
    /// `--tz`.
    pub default_zone: Option<Zone>,
    /// `--source-tz`.
    pub source_zones: Vec<ForGlob<Zone>>,
    /// `--year`.
    pub year: Option<i32>,
    /// `--offset`, in microseconds.
    pub offsets: Vec<ForGlob<i64>>,
    /// `--parser`.
    pub parsers: Vec<ForGlob<String>>,
    /// `--formats-dir`.
    pub formats_dir: Option<PathBuf>,
    /// `--skew`.
    pub skew: SkewMode,
}

/// What to do with clock offsets estimated from facts several sources
/// record (`--skew`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkewMode {
    /// Apply a confident estimate of at least 1 s.
    Auto,
    /// Estimate and report only.
    Report,
    /// Do not estimate.
    Off,
}

impl IngestConfig {
    /// The zone for a source's naive times, if the user gave one.
    pub fn zone_for(&self, names: &[&str]) -> Option<&Zone> {
        pick(&self.source_zones, names)
            .map(|o| &o.value)
            .or(self.default_zone.as_ref())
    }

    /// The clock correction for a source, in microseconds.
    pub fn offset_for(&self, names: &[&str]) -> i64 {
        pick(&self.offsets, names).map_or(0, |o| o.value)
    }

    /// Whether an `--offset` names the source: the user's correction wins
    /// over an estimated one.
    pub fn has_offset(&self, names: &[&str]) -> bool {
        pick(&self.offsets, names).is_some()
    }

    /// The parser the user forced for a source.
    pub fn parser_for(&self, names: &[&str]) -> Option<&str> {
        pick(&self.parsers, names).map(|o| o.value.as_str())
    }
}
