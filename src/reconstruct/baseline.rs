//! Background: a warning that its source logs again and again from its
//! first minutes on was there before the incident. It is not the onset of
//! impact (a departure from its usual rate is: see `rate.rs`).
//!
//! Judged on the notable lines themselves (a burst of one template, whose
//! repeats are never further apart than the burst gap), not on the
//! template's counts: a template can hold healthy and failing lines alike
//! (`POST /api/checkout -> <*>`).

use std::collections::HashMap;

use crate::store::SourceRow;

const MINUTE: i64 = 60_000_000;
/// Sources shorter than this hold too little history to call anything usual.
const MIN_SPAN: i64 = 20 * MINUTE;
/// Background shows up within this share of its source's span from either
/// end (at least `EDGE_MIN`).
const EDGE_SHARE: i64 = 10;
const EDGE_MIN: i64 = 3 * MINUTE;
/// Fewer lines than this are a few lines, not a steady rate.
const MIN_LINES: u64 = 3;

/// The spans of the sources, within the window.
pub(super) struct Background {
    spans: HashMap<String, (i64, i64)>,
}

impl Background {
    pub(super) fn new(sources: &[SourceRow], from: Option<i64>, to: Option<i64>) -> Background {
        let spans = sources
            .iter()
            .filter_map(|s| {
                let (first, last) = (s.first_time?, s.last_time?);
                let first = from.map_or(first, |f| f.max(first));
                let last = to.map_or(last, |t| t.min(last));
                Some((s.path.clone(), (first, last)))
            })
            .collect();
        Background { spans }
    }

    /// Whether a burst of `lines` lines of one template in `source`, from
    /// `first` to `last`, was already there when the source begins and
    /// went on steadily (no gap longer than the burst gap) for a good part
    /// of it: at least `MIN_SPAN` and a third of the source. Such a
    /// warning was there before anything happened; it may stop with the
    /// fix, but it did not begin with the impact.
    pub(super) fn covers(&self, source: &str, first: i64, last: i64, lines: u64) -> bool {
        let Some(&(start, end)) = self.spans.get(source) else {
            return false;
        };
        let span = end - start;
        let edge = (span / EDGE_SHARE).max(EDGE_MIN);
        let lasted = last - first;
        span >= MIN_SPAN
            && lines >= MIN_LINES
            && first <= start + edge
            && lasted >= MIN_SPAN.max(span / 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn background(span_minutes: i64) -> Background {
        Background {
            spans: HashMap::from([("app.log".to_string(), (0, span_minutes * MINUTE))]),
        }
    }

    #[test]
    fn a_burst_from_the_first_minute_to_the_last_is_background() {
        let b = background(60);
        assert!(b.covers("app.log", MINUTE, 59 * MINUTE, 20));
    }

    #[test]
    fn a_burst_that_begins_inside_the_source_or_is_short_is_not() {
        let b = background(60);
        assert!(!b.covers("app.log", 30 * MINUTE, 60 * MINUTE, 500));
        // From the start for a third of the source: there before; too
        // short a stretch at the start: the incident may have begun there.
        assert!(b.covers("app.log", 0, 25 * MINUTE, 500));
        assert!(!b.covers("app.log", 0, 15 * MINUTE, 500));
        // A couple of lines, a short source, an unknown source.
        assert!(!b.covers("app.log", 0, 60 * MINUTE, 2));
        assert!(!background(10).covers("app.log", 0, 10 * MINUTE, 100));
        assert!(!b.covers("other.log", 0, 60 * MINUTE, 100));
    }
}
