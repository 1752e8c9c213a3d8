//! The year of sources that write none (classic syslog), checked against
//! the other evidence after ingest. The year first comes from the file's
//! modification time, which says when the file was last written, not when
//! its lines were: a log copied or extracted a year later, or evidence
//! files made afresh, put an incident a year off. When the sources that
//! write full dates place the incident a whole number of years away from
//! where the modification time put such a source, and a shift by those
//! years puts the source beside them, it is stored again from that year
//! on (docs/time.md, the missing year).

use chrono::Datelike;

use super::skew::Redo;

use crate::model::{Quality, Zone};
use crate::store::SourceRow;

const DAY: i64 = 86_400_000_000;
/// A year as the mean Gregorian year, enough to compare spans.
const YEAR: i64 = 365 * DAY + DAY / 4;
/// How near the dated evidence a source must come to be placed beside it.
const NEAR: i64 = 2 * DAY;
/// How many years either way are tried.
const MAX_SHIFT: i64 = 3;

/// How far the span `from..=to` lies from `span` (0 when they overlap).
fn distance((from, to): (i64, i64), span: (i64, i64)) -> i64 {
    if to < span.0 {
        span.0 - to
    } else if from > span.1 {
        from - span.1
    } else {
        0
    }
}

/// The sources to store again from another year than the modification
/// time gave (`start_years`: the year of each one's first record, by
/// SHA-256), where the dated sources tell; with what a user should know
/// of each.
pub(super) fn estimate(sources: &[SourceRow]) -> Redo {
    let dated = sources
        .iter()
        .filter(|s| {
            !(s.time_quality.contains(Quality::INFERRED_YEAR)
                || s.time_quality.contains(Quality::INFERRED_DATE))
        })
        .filter_map(|s| Some((s.first_time?, s.last_time?)))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    let mut years = Redo::default();
    let Some(span) = dated else {
        return years;
    };
    for s in sources {
        let (Some(first), Some(last)) = (s.first_time, s.last_time) else {
            continue;
        };
        if !s.time_quality.contains(Quality::INFERRED_YEAR) || distance((first, last), span) <= NEAR
        {
            continue;
        }
        let shifted = |k: i64| distance((first + k * YEAR, last + k * YEAR), span);
        let Some(k) = (-MAX_SHIFT..=MAX_SHIFT)
            .filter(|&k| k != 0 && shifted(k) <= NEAR)
            .min_by_key(|&k| (shifted(k), k.abs()))
        else {
            continue;
        };
        let zone = Zone::parse(&s.tz).unwrap_or(Zone::Utc);
        let Some(first_local) = zone.utc_to_local(first) else {
            continue;
        };
        let was = first_local.year();
        let start = was + k as i32;
        let (from, to) = (span_text(span.0), span_text(span.1));
        years.findings.push(format!(
            "{}: no year written; read from {start} on, as the sources that write \
             their dates place the evidence at {from} to {to} (the file's modification \
             time gave {was}); flagged inferred-year, use --year to set it",
            s.path
        ));
        years.start_years.insert(s.sha256.clone(), start);
        years.ids.push(s.id);
        years.paths.insert(s.path.clone());
    }
    years
}

fn span_text(micros: i64) -> String {
    factline_parsers::time::format_utc(micros)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_zero_when_spans_overlap() {
        assert_eq!(distance((0, 10), (5, 20)), 0);
        assert_eq!(distance((0, 10), (15, 20)), 5);
        assert_eq!(distance((30, 40), (15, 20)), 10);
    }
}
