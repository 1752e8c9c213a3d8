//! Timestamp readers shared by all parsers.
//!
//! Each reader takes text that starts with a timestamp and returns what it
//! read plus how many bytes it consumed, so line parsers can continue after it.
//! Nothing here assumes a zone: a timestamp without an offset comes back as a
//! naive [`TimeValue`] for the pipeline to resolve.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// How finely a timestamp was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// `HH:MM`
    Minute,
    /// Whole seconds.
    Second,
    /// Milliseconds.
    Milli,
    /// Microseconds.
    Micro,
    /// Nanoseconds (stored truncated to microseconds).
    Nano,
}

impl Precision {
    fn from_fraction_digits(n: usize) -> Precision {
        match n {
            0 => Precision::Second,
            1..=3 => Precision::Milli,
            4..=6 => Precision::Micro,
            _ => Precision::Nano,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Minute => "minute",
            Precision::Second => "second",
            Precision::Milli => "millisecond",
            Precision::Micro => "microsecond",
            Precision::Nano => "nanosecond",
        }
    }
}

/// What a timestamp says, before zone resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeValue {
    /// An absolute instant: microseconds since the Unix epoch, UTC.
    Utc(i64),
    /// A full local date and time with no zone.
    Local(NaiveDateTime),
    /// A local month, day and time without a year (classic syslog).
    NoYear {
        /// 1–12
        month: u32,
        /// 1–31
        day: u32,
        /// Time of day.
        time: NaiveTime,
    },
    /// A time of day without a date.
    TimeOnly(NaiveTime),
}

/// A timestamp as read from the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    /// The reading.
    pub value: TimeValue,
    /// How finely it was written.
    pub precision: Precision,
    /// The original text, kept beside the normalised time.
    pub text: String,
    /// The time was followed by a zone word no one defines (lnav's
    /// `…313913FOO`): read as naive, for the pipeline to place in the
    /// source's assumed zone and flag.
    pub unknown_zone: bool,
}

impl Timestamp {
    fn new(value: TimeValue, precision: Precision, text: &str) -> Timestamp {
        Timestamp {
            value,
            precision,
            text: text.to_string(),
            unknown_zone: false,
        }
    }
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl EpochUnit {
    /// The unit of an epoch integer whose format does not define one.
    ///
    /// Rule: the magnitude of a present-day timestamp differs by a factor of
    /// 1000 between units, so the ranges cannot overlap for any instant
    /// between 1973 and 5138: below 10^11 it is seconds, below 10^14
    /// milliseconds, below 10^17 microseconds, else nanoseconds.
    pub fn by_magnitude(value: i128) -> EpochUnit {
        let v = value.unsigned_abs();
        if v < 100_000_000_000 {
            EpochUnit::Seconds
        } else if v < 100_000_000_000_000 {
            EpochUnit::Millis
        } else if v < 100_000_000_000_000_000 {
            EpochUnit::Micros
        } else {
            EpochUnit::Nanos
        }
    }

    fn precision(self) -> Precision {
        match self {
            EpochUnit::Seconds => Precision::Second,
            EpochUnit::Millis => Precision::Milli,
            EpochUnit::Micros => Precision::Micro,
            EpochUnit::Nanos => Precision::Nano,
        }
    }
}

/// Two records of one moment by two clocks (a platform's and the line's,
/// an event's reporter's and its API server's) are flagged as disagreeing
/// beyond this, in microseconds: clock skew or a delayed delivery, not
/// the milliseconds between writing and shipping.
pub(crate) const CLOCKS_DISAGREE_BEYOND: i64 = 5_000_000;

/// Latest instant we accept (year 9999), in microseconds: larger values are
/// not timestamps but counters, and would overflow date arithmetic.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// Reads an epoch written as decimal text: an integer in `unit` (or by
/// magnitude when `None`), or seconds with a decimal fraction
/// (`1700000000.123456789`). Integers are never routed through `f64`.
pub fn parse_epoch(text: &str, unit: Option<EpochUnit>) -> Option<Timestamp> {
    let t = text.trim();
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let digits = int_part.strip_prefix('-').unwrap_or(int_part);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i128 = int_part.parse().ok()?;
    if let Some(frac) = frac_part {
        // A fraction only makes sense on seconds (Caddy, Python time.time()).
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !matches!(
            unit.unwrap_or(EpochUnit::by_magnitude(value)),
            EpochUnit::Seconds
        ) {
            return None;
        }
        let micros_frac = fraction_micros(frac.as_bytes());
        let sign = if value < 0 { -1 } else { 1 };
        let micros = value.checked_mul(1_000_000)? + sign * micros_frac as i128;
        let micros = i64::try_from(micros)
            .ok()
            .filter(|m| m.abs() <= MAX_MICROS)?;
        let precision = Precision::from_fraction_digits(frac.len());
        return Some(Timestamp::new(TimeValue::Utc(micros), precision, t));
    }
    let unit = unit.unwrap_or(EpochUnit::by_magnitude(value));
    let micros = epoch_to_micros(value, unit)?;
    Some(Timestamp::new(TimeValue::Utc(micros), unit.precision(), t))
}

/// Converts an integer epoch to microseconds, truncating nanoseconds toward
/// the earlier instant.
pub fn epoch_to_micros(value: i128, unit: EpochUnit) -> Option<i64> {
    let micros = match unit {
        EpochUnit::Seconds => value.checked_mul(1_000_000)?,
        EpochUnit::Millis => value.checked_mul(1_000)?,
        EpochUnit::Micros => value,
        EpochUnit::Nanos => value.div_euclid(1_000),
    };
    i64::try_from(micros).ok().filter(|m| m.abs() <= MAX_MICROS)
}

/// Reads a timestamp that forms the whole of `text` (a JSON or CSV field):
/// any form [`parse_leading`] knows, or an epoch number.
pub fn parse_field(text: &str, epoch_unit: Option<EpochUnit>) -> Option<Timestamp> {
    let t = text.trim();
    if let Some((ts, used)) = parse_leading(t) {
        if t[used..].trim().is_empty() {
            return Some(ts);
        }
    }
    parse_epoch(t, epoch_unit)
}

/// Reads a timestamp at the start of `text` in any of the layouts real logs
/// use at the start of a line, returning it and the bytes consumed.
pub fn parse_leading(text: &str) -> Option<(Timestamp, usize)> {
    iso(text)
        .or_else(|| ctime(text))
        .or_else(|| clf(text))
        .or_else(|| syslog(text))
        .or_else(|| time_of_day(text))
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn fraction_micros(frac: &[u8]) -> u32 {
    let mut micros = 0u32;
    for i in 0..6 {
        micros = micros * 10 + frac.get(i).map_or(0, |c| u32::from(c - b'0'));
    }
    micros
}

/// Reads `HH:MM[:SS[.,fraction]]` at `at`; returns time, precision, end.
fn clock(b: &[u8], at: usize) -> Option<(NaiveTime, Precision, usize)> {
    let h = digits(b, at, 2)?;
    if b.get(at + 2) != Some(&b':') {
        return None;
    }
    let m = digits(b, at + 3, 2)?;
    let mut end = at + 5;
    let mut s = 0;
    let mut precision = Precision::Minute;
    let mut micros = 0;
    if b.get(end) == Some(&b':') {
        s = digits(b, end + 1, 2)?;
        end += 3;
        precision = Precision::Second;
        if matches!(b.get(end), Some(b'.') | Some(b',')) {
            let start = end + 1;
            let mut stop = start;
            while stop < b.len() && b[stop].is_ascii_digit() {
                stop += 1;
            }
            if stop > start {
                micros = fraction_micros(&b[start..stop]);
                precision = Precision::from_fraction_digits(stop - start);
                end = stop;
            }
        }
    }
    // A leap second (:60) is kept as the last microsecond of :59.
    let time = if s == 60 {
        NaiveTime::from_hms_micro_opt(h, m, 59, 999_999)?
    } else {
        NaiveTime::from_hms_micro_opt(h, m, s, micros)?
    };
    Some((time, precision, end))
}

/// Reads `Z`, `UTC`, `GMT`, `+HH:MM`, `+HHMM` or `+HH` at `at`, optionally
/// after one space; returns the offset in seconds and the end.
fn offset(b: &[u8], at: usize) -> Option<(i32, usize)> {
    let (at, spaced) = if b.get(at) == Some(&b' ') {
        (at + 1, true)
    } else {
        (at, false)
    };
    let boundary = |end: usize| b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
    match b.get(at)? {
        b'Z' | b'z' if !spaced && boundary(at + 1) => Some((0, at + 1)),
        b'U' if b.get(at..at + 3) == Some(b"UTC") && boundary(at + 3) => Some((0, at + 3)),
        b'G' if b.get(at..at + 3) == Some(b"GMT") && boundary(at + 3) => Some((0, at + 3)),
        c @ (b'+' | b'-') => {
            let sign = if *c == b'-' { -1 } else { 1 };
            let h = digits(b, at + 1, 2)?;
            let (m, end) = if b.get(at + 3) == Some(&b':') {
                (digits(b, at + 4, 2)?, at + 6)
            } else if let Some(m) = digits(b, at + 3, 2) {
                (m, at + 5)
            } else if !spaced {
                (0, at + 3)
            } else {
                return None;
            };
            if h > 23 || m > 59 || b.get(end).is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            Some((sign * (h as i32 * 3600 + m as i32 * 60), end))
        }
        _ => None,
    }
}

fn absolute(local: NaiveDateTime, offset_seconds: i32) -> Option<TimeValue> {
    let utc = local.and_utc().timestamp_micros() - i64::from(offset_seconds) * 1_000_000;
    (utc.abs() <= MAX_MICROS).then_some(TimeValue::Utc(utc))
}

fn finish(
    text: &str,
    date: NaiveDate,
    time: NaiveTime,
    precision: Precision,
    end: usize,
) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let local = date.and_time(time);
    if let Some((secs, end)) = offset(b, end) {
        return Some((
            Timestamp::new(absolute(local, secs)?, precision, &text[..end]),
            end,
        ));
    }
    let (word, offset) = zone_word(b, end).unwrap_or((0, None));
    let end = end + word;
    if let Some(secs) = offset {
        return Some((
            Timestamp::new(absolute(local, secs)?, precision, &text[..end]),
            end,
        ));
    }
    let mut ts = Timestamp::new(TimeValue::Local(local), precision, &text[..end]);
    ts.unknown_zone = word > 0;
    Some((ts, end))
}

/// Zone abbreviations that real logs print after a local time (PostgreSQL's
/// `%m`, Java's `z`, `date`), with the offset each names in the IANA
/// database, in seconds east of UTC. `None` for those that name several
/// (`CST`: Chicago, Shanghai, Havana; `IST`: Kolkata, Jerusalem, Dublin).
const ZONE_ABBREVIATIONS: &[(&str, Option<i32>)] = &[
    ("ACDT", Some(37_800)),
    ("ACST", Some(34_200)),
    ("AEDT", Some(39_600)),
    ("AEST", Some(36_000)),
    ("AKDT", Some(-28_800)),
    ("AKST", Some(-32_400)),
    ("AWST", Some(28_800)),
    ("BST", Some(3_600)),
    ("CDT", Some(-18_000)),
    ("CEST", Some(7_200)),
    ("CET", Some(3_600)),
    ("CST", None),
    ("EDT", Some(-14_400)),
    ("EEST", Some(10_800)),
    ("EET", Some(7_200)),
    ("EST", Some(-18_000)),
    ("HKT", Some(28_800)),
    ("HST", Some(-36_000)),
    ("IDT", Some(10_800)),
    ("IST", None),
    ("JST", Some(32_400)),
    ("KST", Some(32_400)),
    ("MDT", Some(-21_600)),
    ("MSK", Some(10_800)),
    ("MST", Some(-25_200)),
    ("NZDT", Some(46_800)),
    ("NZST", Some(43_200)),
    ("PDT", Some(-25_200)),
    ("PST", Some(-28_800)),
    ("SGT", Some(28_800)),
    ("WEST", Some(3_600)),
    ("WET", Some(0)),
];

/// The offset a zone abbreviation names (`CEST`: +7200 s), `Some(None)`
/// for one that names several (`CST`, `IST`), `None` for a word that is no
/// zone abbreviation.
pub fn zone_abbreviation(word: &str) -> Option<Option<i32>> {
    ZONE_ABBREVIATIONS
        .iter()
        .find(|(z, _)| *z == word)
        .map(|(_, offset)| *offset)
}

/// A zone word right after a time: a known abbreviation, attached or after
/// one space (`10:00:00 CEST`), or two to five capitals attached that no
/// one defines (`21:08:10.313913FOO`). Returns its length (with the space)
/// and the offset it names; `None` as offset for an unknown or ambiguous
/// word, which leaves the time naive and marked. A spaced word that is no
/// known abbreviation is not read (`10:00:00 ERROR` is a level), and
/// `AM`/`PM` belong to clocks.
fn zone_word(b: &[u8], at: usize) -> Option<(usize, Option<i32>)> {
    let spaced = b.get(at) == Some(&b' ');
    let start = at + usize::from(spaced);
    let len = b
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if !(2..=5).contains(&len)
        || b.get(start + len)
            .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let word = b.get(start..start + len)?;
    let consumed = start + len - at;
    match ZONE_ABBREVIATIONS
        .iter()
        .find(|(z, _)| z.as_bytes() == word)
    {
        Some((_, offset)) => Some((consumed, *offset)),
        None if spaced || word == b"AM" || word == b"PM" => None,
        None => Some((consumed, None)),
    }
}

/// `2026-01-01T10:00:00.123+02:00`, `2026-01-01 10:00:00,123`,
/// `2026/01/01 10:00:00`, with or without an offset.
fn iso(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let y = digits(b, 0, 4)?;
    let sep = *b.get(4)?;
    if !(sep == b'-' || sep == b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    let mo = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    if !matches!(b.get(10), Some(b'T') | Some(b' ') | Some(b'_')) {
        return None;
    }
    let (time, precision, end) = clock(b, 11)?;
    finish(text, date, time, precision, end)
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn month(b: &[u8], at: usize) -> Option<u32> {
    let m = b.get(at..at + 3)?;
    MONTHS
        .iter()
        .position(|name| name.eq_ignore_ascii_case(m))
        .map(|i| i as u32 + 1)
}

/// Day of month, zero- or space-padded (`04`, ` 4`) or one digit then a space.
fn day(b: &[u8], at: usize) -> Option<(u32, usize)> {
    match (b.get(at)?, b.get(at + 1)?) {
        (b' ', c) if c.is_ascii_digit() => Some((u32::from(c - b'0'), at + 2)),
        (c, b' ') if c.is_ascii_digit() => Some((u32::from(c - b'0'), at + 1)),
        _ => Some((digits(b, at, 2)?, at + 2)),
    }
}

/// `Wed Oct 11 14:32:52.123456 2000` (Apache error log, ctime).
fn ctime(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    let dow = b.get(0..3)?;
    if !DAYS.iter().any(|d| d.eq_ignore_ascii_case(dow)) || b.get(3) != Some(&b' ') {
        return None;
    }
    let mo = month(b, 4)?;
    if b.get(7) != Some(&b' ') {
        return None;
    }
    let (d, at) = day(b, 8)?;
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let (time, precision, end) = clock(b, at + 1)?;
    if b.get(end) != Some(&b' ') {
        return None;
    }
    let y = digits(b, end + 1, 4)?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    finish(text, date, time, precision, end + 5)
}

/// `10/Oct/2000:13:55:36 -0700` (common log format, without the brackets).
fn clf(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let d = digits(b, 0, 2)?;
    if b.get(2) != Some(&b'/') || b.get(6) != Some(&b'/') {
        return None;
    }
    let mo = month(b, 3)?;
    let y = digits(b, 7, 4)?;
    if b.get(11) != Some(&b':') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    let (time, precision, end) = clock(b, 12)?;
    finish(text, date, time, precision, end)
}

/// `Oct 11 22:14:15` or `Oct  1 22:14:15.123` (RFC 3164), optionally
/// followed by a four-digit year, which then makes it a full local time.
fn syslog(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let mo = month(b, 0)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (d, at) = day(b, 4)?;
    if b.get(at) != Some(&b' ') || !(1..=31).contains(&d) {
        return None;
    }
    let (time, precision, end) = clock(b, at + 1)?;
    if precision == Precision::Minute {
        return None;
    }
    if b.get(end) == Some(&b' ') {
        if let Some(y) = digits(b, end + 1, 4) {
            if b.get(end + 5)
                .is_none_or(|c| !c.is_ascii_digit() && *c != b':')
            {
                let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
                return finish(text, date, time, precision, end + 5);
            }
        }
    }
    // Feb 29 without a year is valid only in leap years: checked on resolution.
    let value = TimeValue::NoYear {
        month: mo,
        day: d,
        time,
    };
    Some((Timestamp::new(value, precision, &text[..end]), end))
}

/// `14:32:52,123` at the start of a line (JBoss and other server logs that
/// rotate daily and leave the date to the file name).
fn time_of_day(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let (time, precision, end) = clock(b, 0)?;
    if precision == Precision::Minute || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((
        Timestamp::new(TimeValue::TimeOnly(time), precision, &text[..end]),
        end,
    ))
}

/// Formats microseconds since the epoch as the contract's RFC 3339 UTC text
/// (`2026-01-01T10:03:30.000000Z`).
pub fn format_utc(micros: i64) -> String {
    match DateTime::from_timestamp_micros(micros) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => format!("invalid:{micros}"),
    }
}

/// A full date and time written as text (ISO 8601 and the other layouts of
/// [`parse_leading`]), with or without an offset, and nothing else.
/// Epoch numbers are not read here: these fields define text.
pub(crate) fn text_time(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    let (ts, used) = parse_leading(t)?;
    let full = matches!(ts.value, TimeValue::Utc(_) | TimeValue::Local(_));
    (full && used == t.len()).then_some(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        match parse_field(text, None).map(|t| t.value) {
            Some(TimeValue::Utc(m)) => format_utc(m),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn explicit_offsets_with_and_without_colon() {
        assert_eq!(
            utc("2026-03-01T10:00:00+02:00"),
            "2026-03-01T08:00:00.000000Z"
        );
        assert_eq!(
            utc("2026-03-01T10:00:00+0200"),
            "2026-03-01T08:00:00.000000Z"
        );
        assert_eq!(
            utc("2026-03-01 10:00:00 -0800"),
            "2026-03-01T18:00:00.000000Z"
        );
        assert_eq!(utc("2026-03-01T10:00:00.5Z"), "2026-03-01T10:00:00.500000Z");
        assert_eq!(utc("2026-03-01T10:00:00+05"), "2026-03-01T05:00:00.000000Z");
    }

    #[test]
    fn clf_with_iranian_offset() {
        assert_eq!(
            utc("22/Jan/2019:03:56:14 +0330"),
            "2019-01-22T00:26:14.000000Z"
        );
    }

    #[test]
    fn epochs_of_every_unit_as_integers() {
        assert_eq!(utc("1700000000"), "2023-11-14T22:13:20.000000Z");
        assert_eq!(utc("1700000000123"), "2023-11-14T22:13:20.123000Z");
        assert_eq!(utc("1700000000123456"), "2023-11-14T22:13:20.123456Z");
        // 19 digits: would lose the last digits through f64.
        assert_eq!(utc("1700000000123456789"), "2023-11-14T22:13:20.123456Z");
        assert_eq!(utc("1700000000.987654321"), "2023-11-14T22:13:20.987654Z");
        let ns = parse_field("1700000000123456789", None).unwrap();
        assert_eq!(ns.precision, Precision::Nano);
    }

    #[test]
    fn declared_unit_wins_over_magnitude() {
        let t = parse_epoch("1700000000", Some(EpochUnit::Millis)).unwrap();
        assert_eq!(t.value, TimeValue::Utc(1_700_000_000_000));
    }

    #[test]
    fn naive_forms_stay_naive() {
        let t = parse_field("2026-03-29 02:30:00,123", None).unwrap();
        assert!(matches!(t.value, TimeValue::Local(_)));
        assert_eq!(t.precision, Precision::Milli);
        let (t, used) = parse_leading("Jan  5 23:59:59 host sshd[1]: x").unwrap();
        assert_eq!(used, 15);
        assert!(matches!(
            t.value,
            TimeValue::NoYear {
                month: 1,
                day: 5,
                ..
            }
        ));
        let (t, _) = parse_leading("14:32:52,123 INFO [x] y").unwrap();
        assert!(matches!(t.value, TimeValue::TimeOnly(_)));
    }

    #[test]
    fn ctime_with_microseconds() {
        let (t, used) = parse_leading("Wed Oct 11 14:32:52.123456 2000] [core:error]").unwrap();
        assert_eq!(used, 31);
        assert_eq!(t.precision, Precision::Micro);
        assert!(matches!(t.value, TimeValue::Local(_)));
    }

    #[test]
    fn rejects_impossible_dates_and_words() {
        assert!(parse_field("2026-02-30T10:00:00Z", None).is_none());
        assert!(parse_field("hello", None).is_none());
        assert!(parse_field("25:00:00", None).is_none());
        assert!(parse_field("999999999999999999999999", None).is_none());
    }

    #[test]
    fn nine_digit_fraction_is_nanoseconds_truncated() {
        let t = parse_field("2026-01-01T00:00:00.123456789Z", None).unwrap();
        assert_eq!(t.precision, Precision::Nano);
        assert_eq!(
            format_utc(match t.value {
                TimeValue::Utc(m) => m,
                _ => unreachable!(),
            }),
            "2026-01-01T00:00:00.123456Z"
        );
    }
}
