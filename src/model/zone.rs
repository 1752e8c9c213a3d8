//! The zone naive timestamps are read in.

use std::str::FromStr;

use chrono::{FixedOffset, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

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
    /// The abbreviation a named zone writes at an instant (`CST` for
    /// America/Chicago in winter); none for UTC and fixed offsets.
    pub fn abbreviation_at(&self, micros: i64) -> Option<String> {
        use chrono_tz::OffsetName;
        let Zone::Named(tz) = self else {
            return None;
        };
        let utc = chrono::DateTime::from_timestamp_micros(micros)?;
        utc.with_timezone(tz)
            .offset()
            .abbreviation()
            .map(str::to_string)
    }

    pub fn utc_to_local(&self, micros: i64) -> Option<NaiveDateTime> {
        let utc = chrono::DateTime::from_timestamp_micros(micros)?;
        Some(match self {
            Zone::Utc => utc.naive_utc(),
            Zone::Fixed(o) => utc.with_timezone(o).naive_local(),
            Zone::Named(tz) => utc.with_timezone(tz).naive_local(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
