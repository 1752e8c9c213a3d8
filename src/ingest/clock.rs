//! Turns every parsed timestamp into UTC microseconds (docs/time.md), recording
//! how it knew in `time_quality` flags.
//!
//! One [`SourceClock`] walks one source's records in order, because several
//! rules depend on the records around a timestamp: the fall-back repeat hour
//! is resolved by record order, a missing year rolls over at New Year, and a
//! time of day takes its date from the dated records near it.

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime};
use factline_parsers::time::{TimeValue, Timestamp};

use crate::model::{Quality, Zone};

#[derive(Debug)]
pub struct SourceClock {
    zone: Option<Zone>,
    /// Modification time as UTC microseconds, the anchor for missing years
    /// and dates.
    mtime: Option<i64>,
    offset_micros: i64,
    /// How the offset is flagged: given (`--offset`) or estimated.
    offset_flag: Quality,
    /// Date of the first dated record, for time-only records before it.
    first_date: Option<NaiveDate>,
    last_utc: Option<i64>,
    last_local: Option<NaiveDateTime>,
    /// `--year` given: the year currently in force, advanced at rollover.
    running_year: Option<i32>,
    /// The running year was inferred from the other evidence, not given:
    /// still flagged `inferred-year`.
    year_inferred: bool,
    last_month: u32,
}

impl SourceClock {
    /// A clock for one source. `first_date` is the local date of its first
    /// dated record, found by the caller in a pre-pass.
    pub fn new(
        zone: Option<Zone>,
        year: Option<i32>,
        mtime: Option<i64>,
        offset_micros: i64,
        first_date: Option<NaiveDate>,
    ) -> SourceClock {
        SourceClock {
            zone,
            running_year: year,
            year_inferred: false,
            mtime,
            offset_micros,
            offset_flag: Quality::SKEW_ADJUSTED,
            first_date,
            last_utc: None,
            last_local: None,
            last_month: 0,
        }
    }

    /// Reads a source that writes no year from `year` on (the year of its
    /// first record, found from the other evidence), still flagged
    /// `inferred-year`.
    pub fn year_from_evidence(mut self, year: i32) -> SourceClock {
        self.running_year = Some(year);
        self.year_inferred = true;
        self
    }

    /// The offset was estimated from facts other sources record, not given
    /// by the user: flag it so.
    pub fn offset_estimated(mut self) -> SourceClock {
        self.offset_flag = Quality::SKEW_ESTIMATED;
        self
    }

    /// The local date of a timestamp when it carries one.
    pub fn date_of(value: &TimeValue) -> Option<NaiveDate> {
        match value {
            TimeValue::Local(t) => Some(t.date()),
            _ => None,
        }
    }

    fn zone(&self) -> &Zone {
        self.zone.as_ref().unwrap_or(&Zone::Utc)
    }

    fn mtime_local(&self) -> Option<NaiveDateTime> {
        self.mtime.and_then(|m| self.zone().utc_to_local(m))
    }

    /// Resolves one timestamp, in record order.
    pub fn resolve(&mut self, ts: &Timestamp) -> (i64, Quality) {
        let mut quality = Quality::default();
        let utc = match ts.value {
            TimeValue::Utc(m) => m,
            TimeValue::Local(local) => self.local(local, &mut quality),
            TimeValue::NoYear { month, day, time } => {
                let local = self.with_year(month, day, time, &mut quality);
                self.local(local, &mut quality)
            }
            TimeValue::TimeOnly(time) => {
                let local = self.with_date(time, &mut quality);
                self.local(local, &mut quality)
            }
        };
        self.last_utc = Some(utc);
        // A zone word the source's own zone writes at that instant (`CST`
        // read with --source-tz America/Chicago) is that zone: no doubt.
        let written = ts.text.rsplit([' ', '.', ':']).next().unwrap_or("");
        let confirmed = self.zone.as_ref().and_then(|z| z.abbreviation_at(utc));
        if ts.unknown_zone && confirmed.is_none_or(|abbreviation| !written.ends_with(&abbreviation))
        {
            quality.insert(Quality::UNKNOWN_ZONE);
        }
        if self.offset_micros != 0 {
            quality.insert(self.offset_flag);
        }
        (utc + self.offset_micros, quality)
    }

    /// Whether a date is known for time-of-day records.
    pub fn has_date(&self) -> bool {
        self.first_date.is_some() || self.last_local.is_some()
    }

    /// The date of the first dated record, found after some time-of-day
    /// records that need it.
    pub fn set_first_date(&mut self, date: NaiveDate) {
        self.first_date = Some(date);
    }

    /// Resolves a timestamp whose record names its own zone (a shift
    /// sheet's per-row zone column).
    pub fn resolve_in_zone(&mut self, ts: &Timestamp, zone: Zone) -> (i64, Quality) {
        let saved = self.zone.replace(zone);
        let resolved = self.resolve(ts);
        self.zone = saved;
        resolved
    }

    fn local(&mut self, local: NaiveDateTime, quality: &mut Quality) -> i64 {
        if self.zone.is_none() {
            quality.insert(Quality::ASSUMED_TZ);
        }
        self.last_local = Some(local);
        match self.zone().local_to_utc(&local) {
            LocalResult::Single(m) => m,
            LocalResult::Ambiguous(early, late) => {
                quality.insert(Quality::AMBIGUOUS_LOCAL);
                // The second pass through the repeated hour: the earlier
                // reading would put this record before one logged above it.
                match self.last_utc {
                    Some(prev) if early < prev && late >= prev => late,
                    _ => early,
                }
            }
            LocalResult::None => {
                quality.insert(Quality::NONEXISTENT_LOCAL);
                // Read with the offset in force before the gap, which lands
                // the instant after the transition, shifted by the gap.
                let before = local - Duration::hours(3);
                let offset = match self.zone().local_to_utc(&before) {
                    LocalResult::Single(m) | LocalResult::Ambiguous(m, _) => {
                        before.and_utc().timestamp_micros() - m
                    }
                    LocalResult::None => 0,
                };
                local.and_utc().timestamp_micros() - offset
            }
        }
    }

    fn with_year(
        &mut self,
        month: u32,
        day: u32,
        time: NaiveTime,
        q: &mut Quality,
    ) -> NaiveDateTime {
        let year = match self.running_year {
            Some(mut year) => {
                if self.year_inferred {
                    q.insert(Quality::INFERRED_YEAR);
                }
                // --year names the year the file starts in; a jump back of
                // more than half a year (Dec → Jan) is New Year.
                if self.last_month > month + 6 {
                    year += 1;
                    self.running_year = Some(year);
                }
                year
            }
            None => {
                q.insert(Quality::INFERRED_YEAR);
                match self.mtime_local() {
                    // The file was last written after its last line: a date
                    // later than that (with a day's slack for clock and
                    // zone differences) belongs to the year before.
                    Some(mtime) => {
                        let year = mtime.year();
                        let candidate = date_in(year, month, day).map(|d| d.and_time(time));
                        match candidate {
                            Some(c) if c <= mtime + Duration::days(1) => year,
                            _ => year - 1,
                        }
                    }
                    None => 1970,
                }
            }
        };
        self.last_month = month;
        // Feb 29 in a year without it: the record is kept on Feb 28 rather
        // than dropped; the flag already says the year was not written.
        let date = date_in(year, month, day)
            .or_else(|| date_in(year, month, day.saturating_sub(1)))
            .unwrap_or(NaiveDate::MIN);
        date.and_time(time)
    }

    fn with_date(&mut self, time: NaiveTime, q: &mut Quality) -> NaiveDateTime {
        q.insert(Quality::INFERRED_DATE);
        let date = match self.last_local {
            // A time of day earlier than the previous record's by more than
            // twelve hours has passed midnight.
            Some(prev) => {
                let d = prev.date();
                if prev.time() - time > Duration::hours(12) {
                    d.succ_opt().unwrap_or(d)
                } else {
                    d
                }
            }
            None => self
                .first_date
                .or_else(|| self.mtime_local().map(|m| m.date()))
                .unwrap_or(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()),
        };
        date.and_time(time)
    }
}

fn date_in(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use factline_parsers::time::{format_utc, parse_leading};

    fn berlin() -> Option<Zone> {
        Some(Zone::parse("Europe/Berlin").unwrap())
    }

    fn run(clock: &mut SourceClock, lines: &[&str]) -> Vec<(String, Vec<&'static str>)> {
        lines
            .iter()
            .map(|l| {
                let (ts, _) = parse_leading(l).unwrap();
                let (m, q) = clock.resolve(&ts);
                (format_utc(m), q.names())
            })
            .collect()
    }

    #[test]
    fn spring_forward_gap_is_shifted_and_flagged() {
        let mut c = SourceClock::new(berlin(), None, None, 0, None);
        let out = run(&mut c, &["2026-03-29 02:30:00"]);
        // 02:30 does not exist; read at +01:00 it is 03:30 CEST.
        assert_eq!(out[0].0, "2026-03-29T01:30:00.000000Z");
        assert_eq!(out[0].1, vec!["nonexistent-local"]);
    }

    #[test]
    fn fall_back_repeat_is_resolved_by_record_order() {
        let mut c = SourceClock::new(berlin(), None, None, 0, None);
        let out = run(
            &mut c,
            &[
                "2026-10-25 02:40:00",
                "2026-10-25 02:50:00",
                "2026-10-25 02:10:00",
                "2026-10-25 02:20:00",
                "2026-10-25 03:05:00",
            ],
        );
        assert_eq!(out[0].0, "2026-10-25T00:40:00.000000Z");
        assert_eq!(out[1].0, "2026-10-25T00:50:00.000000Z");
        // Back to 02:10 after 02:50: the clock fell back, so CET.
        assert_eq!(out[2].0, "2026-10-25T01:10:00.000000Z");
        assert_eq!(out[3].0, "2026-10-25T01:20:00.000000Z");
        assert_eq!(out[4].0, "2026-10-25T02:05:00.000000Z");
        assert_eq!(out[2].1, vec!["ambiguous-local"]);
        assert!(out[4].1.is_empty());
    }

    #[test]
    fn december_to_january_rolls_over_with_given_year() {
        let mut c = SourceClock::new(Some(Zone::Utc), Some(2025), None, 0, None);
        let out = run(
            &mut c,
            &["Dec 31 23:59:58 h p: a", "Jan  1 00:00:01 h p: b"],
        );
        assert_eq!(out[0].0, "2025-12-31T23:59:58.000000Z");
        assert_eq!(out[1].0, "2026-01-01T00:00:01.000000Z");
        assert!(out[1].1.is_empty());
    }

    #[test]
    fn year_from_mtime_rolls_back_for_dates_after_it() {
        // File written 2026-01-02: December lines are from 2025.
        let mtime = NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros();
        let mut c = SourceClock::new(Some(Zone::Utc), None, Some(mtime), 0, None);
        let out = run(
            &mut c,
            &["Dec 31 23:59:58 h p: a", "Jan  1 00:00:01 h p: b"],
        );
        assert_eq!(out[0].0, "2025-12-31T23:59:58.000000Z");
        assert_eq!(out[1].0, "2026-01-01T00:00:01.000000Z");
        assert_eq!(out[0].1, vec!["inferred-year"]);
    }

    #[test]
    fn naive_time_without_zone_is_utc_and_flagged() {
        let mut c = SourceClock::new(None, None, None, 0, None);
        let out = run(&mut c, &["2026-03-01 10:00:00"]);
        assert_eq!(
            out[0],
            ("2026-03-01T10:00:00.000000Z".into(), vec!["assumed-tz"])
        );
    }

    #[test]
    fn unknown_zone_word_is_read_in_the_source_zone_and_flagged() {
        let mut c = SourceClock::new(berlin(), None, None, 0, None);
        let out = run(&mut c, &["2015-04-24T21:08:10.313913FOO"]);
        assert_eq!(
            out[0],
            ("2015-04-24T19:08:10.313913Z".into(), vec!["unknown-zone"])
        );
        let mut c = SourceClock::new(None, None, None, 0, None);
        let out = run(&mut c, &["2015-04-24T21:08:10.313913FOO"]);
        assert_eq!(out[0].1, ["assumed-tz", "unknown-zone"]);
    }

    #[test]
    fn an_ambiguous_abbreviation_the_source_zone_writes_is_not_doubted() {
        let chicago = Some(Zone::parse("America/Chicago").unwrap());
        let mut c = SourceClock::new(chicago.clone(), None, None, 0, None);
        let out = run(
            &mut c,
            &["2026-03-01 10:00:00 CST", "2026-07-01 10:00:00 CST"],
        );
        assert_eq!(out[0], ("2026-03-01T16:00:00.000000Z".into(), vec![]));
        // In July Chicago writes CDT: this CST is not Chicago's.
        assert_eq!(out[1].1, ["unknown-zone"]);
        let mut c = SourceClock::new(berlin(), None, None, 0, None);
        let out = run(&mut c, &["2026-03-01 10:00:00 IST"]);
        assert_eq!(out[0].1, ["unknown-zone"]);
    }

    #[test]
    fn time_only_takes_the_date_of_the_file_and_passes_midnight() {
        let first = NaiveDate::from_ymd_opt(2026, 5, 4);
        let mut c = SourceClock::new(Some(Zone::Utc), None, None, 0, first);
        let out = run(&mut c, &["23:59:59,500 INFO a", "00:00:00,100 INFO b"]);
        assert_eq!(out[0].0, "2026-05-04T23:59:59.500000Z");
        assert_eq!(out[1].0, "2026-05-05T00:00:00.100000Z");
        assert_eq!(out[1].1, vec!["inferred-date"]);
    }

    #[test]
    fn offset_applies_last_and_is_flagged() {
        let mut c = SourceClock::new(Some(Zone::Utc), None, None, -47_000_000, None);
        let out = run(&mut c, &["2026-03-01T10:00:00Z"]);
        assert_eq!(
            out[0],
            ("2026-03-01T09:59:13.000000Z".into(), vec!["skew-adjusted"])
        );
    }

    #[test]
    fn explicit_offset_ignores_the_source_zone() {
        let mut c = SourceClock::new(berlin(), None, None, 0, None);
        let out = run(&mut c, &["2026-07-01T10:00:00+0330"]);
        assert_eq!(out[0], ("2026-07-01T06:30:00.000000Z".into(), vec![]));
    }
}
