//! Raw command-line values resolved once into typed settings (zones, globs,
//! durations, times). Each stage declares the settings it reads
//! ([`IngestConfig`], [`TimelineConfig`]) so that it need not know the
//! command line; building them from it is this module's job, which keeps
//! the stages below `config` and `cli`.

use chrono::LocalResult;

use crate::cli::{IngestArgs, SkewArg, TimelineArgs};
use crate::error::{Error, Result};
use crate::ingest::{ForGlob, IngestConfig, SkewMode};
use crate::model::Zone;
use crate::reconstruct::{load_rules, TimelineConfig};

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
            skew: match args.skew {
                SkewArg::Auto => SkewMode::Auto,
                SkewArg::Report => SkewMode::Report,
                SkewArg::Off => SkewMode::Off,
            },
        })
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
                    load_rules(&path.display().to_string(), &text).map_err(Error::Usage)?
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
