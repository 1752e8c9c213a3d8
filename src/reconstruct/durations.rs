//! Durations between key times, as post-mortems write them.

use std::collections::BTreeMap;

use crate::model::{KeyTime, KeyTimes};

/// A duration as post-mortems write it: `45s`, `3m30s`, `1h02m`, `2d3h`.
pub fn format_duration(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let s = micros.unsigned_abs() / 1_000_000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let body = if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{sec:02}s")
    } else {
        format!("{sec}s")
    };
    format!("{sign}{body}")
}

/// The durations of docs/output.md#timeline, measured from impact start.
pub fn durations(k: &KeyTimes) -> BTreeMap<&'static str, Option<String>> {
    let since = |t: &Option<KeyTime>| match (&k.impact_start, t) {
        (Some(start), Some(t)) => Some(format_duration(t.time - start.time)),
        _ => None,
    };
    k.named()
        .iter()
        .filter_map(|slot| Some((slot.duration?, since(slot.time))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_post_mortem() {
        assert_eq!(format_duration(45_000_000), "45s");
        assert_eq!(format_duration(210_000_000), "3m30s");
        assert_eq!(format_duration(3_720_000_000), "1h02m");
        assert_eq!(format_duration(-60_000_000), "-1m00s");
        assert_eq!(format_duration(97_200_000_000), "1d3h");
    }
}
