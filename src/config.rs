//! Raw command-line values resolved once into typed settings (zones, globs,
//! durations, times) that the rest of the program reads.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{FixedOffset, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use globset::{Glob, GlobMatcher};

use crate::cli::{IngestArgs, TimelineArgs};
use crate::error::{Error, Result};

/// A zone for naive timestamps.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// A fixed offset such as `+05:30`.
    Fixed(FixedOffset),
    /// An IANA zone with its daylight-saving rules.
    Named(Tz),
}

impl Zone {
    /// Reads `UTC`, `Z`, `+05:30`, `-0800` or an IANA name.
    pub fn parse(text: &str) -> Result<Zone> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Zone::Utc);
        }
        if t.starts_with(['+', '-']) {
            let (sign, rest) = t.split_at(1);
            let digits: String = rest.chars().filter(|c| *c != ':').collect();
            let ok = digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit());
            let h: i32 = digits.get(..2).and_then(|d| d.parse().ok()).unwrap_or(99);
            let m: i32 = digits.get(2..).and_then(|d| d.parse().ok()).unwrap_or(99);
            let secs = (h * 3600 + m * 60) * if sign == "-" { -1 } else { 1 };
            if let Some(offset) = FixedOffset::east_opt(secs).filter(|_| ok && m < 60) {
                return Ok(Zone::Fixed(offset));
            }
        }
        Tz::from_str(t).map(Zone::Named).map_err(|_| {
            Error::Usage(format!(
                "unknown time zone {text:?}: use an IANA name such as Europe/Berlin, UTC, or an offset such as +05:30"
            ))
        })
    }

    /// The name shown to users.
    pub fn name(&self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Fixed(o) => o.to_string(),
            Zone::Named(tz) => tz.name().into(),
        }
    }

    /// All readings of a local time in this zone: one, two around a
    /// fall-back transition, none inside a spring-forward gap. Values are
    /// UTC microseconds, earliest first.
    pub fn local_to_utc(&self, local: &NaiveDateTime) -> LocalResult<i64> {
        fn micros<Z: TimeZone>(r: LocalResult<chrono::DateTime<Z>>) -> LocalResult<i64> {
            r.map(|t| t.timestamp_micros())
        }
        match self {
            Zone::Utc => LocalResult::Single(local.and_utc().timestamp_micros()),
            Zone::Fixed(o) => micros(o.from_local_datetime(local)),
            Zone::Named(tz) => micros(tz.from_local_datetime(local)),
        }
    }

    /// Local wall-clock time of a UTC instant in this zone.
    pub fn utc_to_local(&self, micros: i64) -> Option<NaiveDateTime> {
        let utc = chrono::DateTime::from_timestamp_micros(micros)?;
        Some(match self {
            Zone::Utc => utc.naive_utc(),
            Zone::Fixed(o) => utc.with_timezone(o).naive_local(),
            Zone::Named(tz) => utc.with_timezone(tz).naive_local(),
        })
    }
}

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
    fn parse(option: &str, text: &str, value: impl FnOnce(&str) -> Result<T>) -> Result<Self> {
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
}

impl IngestConfig {
    /// Resolves the raw options.
    pub fn new(args: &IngestArgs, tz: Option<&str>) -> Result<IngestConfig> {
        Ok(IngestConfig {
            evidence: args.evidence.clone(),
            default_zone: tz.map(Zone::parse).transpose()?,
            source_zones: args
                .source_tz
                .iter()
                .map(|t| ForGlob::parse("--source-tz", t, Zone::parse))
                .collect::<Result<_>>()?,
            year: args.year,
            offsets: args
                .offset
                .iter()
                .map(|t| ForGlob::parse("--offset", t, parse_duration_micros))
                .collect::<Result<_>>()?,
            parsers: args
                .parser
                .iter()
                .map(|t| ForGlob::parse("--parser", t, |id| Ok(id.to_string())))
                .collect::<Result<_>>()?,
            formats_dir: args.formats_dir.clone(),
        })
    }

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

    /// The parser the user forced for a source.
    pub fn parser_for(&self, names: &[&str]) -> Option<&str> {
        pick(&self.parsers, names).map(|o| o.value.as_str())
    }
}

/// Reads `-47s`, `+1m30s`, `2h`, `-1h30m`, `250ms`, `15us` as microseconds.
pub fn parse_duration_micros(text: &str) -> Result<i64> {
    let bad = || {
        Error::Usage(format!(
            "bad duration {text:?}: use forms like -47s, +1m30s, 2h, 250ms"
        ))
    };
    let t = text.trim();
    let (sign, mut rest) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let scale = match &rest[..unit_len] {
            "h" => 3_600_000_000,
            "m" | "min" => 60_000_000,
            "s" => 1_000_000,
            "ms" => 1_000,
            "us" | "µs" => 1,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(scale)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    Ok(sign * total)
}

/// Reads a `--from`/`--to` time: RFC 3339 with an offset, or a naive time
/// in `zone` (UTC without one). Returns UTC microseconds.
pub fn parse_cli_time(text: &str, zone: Option<&Zone>) -> Result<i64> {
    use factline_parsers::time::{parse_field, TimeValue};
    let bad = || {
        Error::Usage(format!(
            "bad time {text:?}: use RFC 3339, e.g. 2026-01-01T10:00:00Z"
        ))
    };
    let local = match parse_field(text, None).map(|ts| ts.value) {
        Some(TimeValue::Utc(m)) => return Ok(m),
        Some(TimeValue::Local(local)) => local,
        // A bare date means its midnight.
        _ => chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| bad())?
            .and_time(chrono::NaiveTime::MIN),
    };
    match zone.unwrap_or(&Zone::Utc).local_to_utc(&local) {
        LocalResult::Single(m) | LocalResult::Ambiguous(m, _) => Ok(m),
        LocalResult::None => Err(Error::Usage(format!(
            "time {text:?} does not exist in that zone (daylight-saving gap)"
        ))),
    }
}

/// Resolved timeline settings.
#[derive(Debug, Clone)]
pub struct TimelineConfig {
    /// Window start, UTC microseconds.
    pub from: Option<i64>,
    /// Window end, UTC microseconds.
    pub to: Option<i64>,
    /// Show names instead of roles.
    pub names: bool,
    /// Extra local-time column.
    pub local_zone: Option<Zone>,
    /// Most entries to keep.
    pub max_entries: usize,
    /// The user's phase rules (`--rules`), tried before the built-in ones.
    pub rules: Vec<crate::timeline::PhaseRule>,
}

impl TimelineConfig {
    /// Resolves the raw options; naive times are read in `tz`.
    pub fn new(args: &TimelineArgs, tz: Option<&str>) -> Result<TimelineConfig> {
        let zone = tz.map(Zone::parse).transpose()?;
        let time = |t: &Option<String>| {
            t.as_deref()
                .map(|t| parse_cli_time(t, zone.as_ref()))
                .transpose()
        };
        if args.max_entries == 0 {
            return Err(Error::Usage("--max-entries must be at least 1".into()));
        }
        Ok(TimelineConfig {
            from: time(&args.from)?,
            to: time(&args.to)?,
            names: args.names,
            local_zone: args.local_tz.as_deref().map(Zone::parse).transpose()?,
            max_entries: args.max_entries,
            rules: match &args.rules {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                    crate::timeline::load_rules(&path.display().to_string(), &text)
                        .map_err(Error::Usage)?
                }
                None => Vec::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_micros("-47s").unwrap(), -47_000_000);
        assert_eq!(parse_duration_micros("+1m30s").unwrap(), 90_000_000);
        assert_eq!(parse_duration_micros("2h").unwrap(), 7_200_000_000);
        assert_eq!(parse_duration_micros("250ms").unwrap(), 250_000);
        assert!(parse_duration_micros("ten").is_err());
        assert!(parse_duration_micros("5").is_err());
        assert!(parse_duration_micros("-").is_err());
    }

    #[test]
    fn zones() {
        assert_eq!(Zone::parse("utc").unwrap(), Zone::Utc);
        assert_eq!(Zone::parse("+05:30").unwrap().name(), "+05:30");
        assert_eq!(Zone::parse("-0800").unwrap().name(), "-08:00");
        assert_eq!(
            Zone::parse("Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("+99:00").is_err());
    }

    #[test]
    fn last_matching_glob_wins() {
        let args = IngestArgs {
            source_tz: vec!["*.log=Europe/Berlin".into(), "db/*=America/New_York".into()],
            ..IngestArgs::default()
        };
        let c = IngestConfig::new(&args, Some("UTC")).unwrap();
        assert_eq!(
            c.zone_for(&["db/x.log"]).unwrap().name(),
            "America/New_York"
        );
        assert_eq!(c.zone_for(&["app.log"]).unwrap().name(), "Europe/Berlin");
        assert_eq!(c.zone_for(&["app.json"]).unwrap().name(), "UTC");
    }

    #[test]
    fn cli_times_read_naive_in_the_zone() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let m = parse_cli_time("2026-07-01 12:00", Some(&berlin)).unwrap();
        assert_eq!(
            factline_parsers::time::format_utc(m),
            "2026-07-01T10:00:00.000000Z"
        );
        let m = parse_cli_time("2026-07-01T12:00:00Z", Some(&berlin)).unwrap();
        assert_eq!(
            factline_parsers::time::format_utc(m),
            "2026-07-01T12:00:00.000000Z"
        );
    }
}
