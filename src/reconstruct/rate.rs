//! Rate jumps: the minute a template suddenly repeats far more often than
//! usual marks a change even when no single line says so.

/// A template's rate change: a minute whose count is far above the
/// template's usual rate in the window.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RateJump {
    pub(super) template: String,
    pub(super) minute: i64,
    pub(super) before: u64,
    pub(super) after: u64,
}

/// A rate jump needs at least this many events in its minute…
const JUMP_MIN_COUNT: u64 = 20;
/// …and this many times the template's median rate over its active minutes
/// (a template idle before counts as zero per minute).
const JUMP_FACTOR: u64 = 5;

/// Finds, per template, the first minute where its rate jumps: counts per
/// minute (template, minute, count) sorted by template then minute.
pub(super) fn rate_jumps(minutes: &[(String, i64, u64)]) -> Vec<RateJump> {
    let mut out = Vec::new();
    for group in minutes.chunk_by(|a, b| a.0 == b.0) {
        let (first, last) = (group[0].1, group[group.len() - 1].1);
        let span = (last - first + 1) as usize;
        if span < 10 {
            continue;
        }
        // Median over the whole span, idle minutes counting as zero.
        let mut counts = vec![0u64; span];
        for (_, minute, n) in group {
            counts[(minute - first) as usize] = *n;
        }
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        let usual = sorted[span / 2];
        let threshold = JUMP_MIN_COUNT.max(usual.max(1) * JUMP_FACTOR);
        if let Some(at) = counts.iter().position(|n| *n >= threshold) {
            out.push(RateJump {
                template: group[0].0.clone(),
                minute: first + at as i64,
                before: usual,
                after: counts[at],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_whose_rate_jumps_is_found_once() {
        let t = |m: i64, n: u64| ("GET <*> -> 200".to_string(), m, n);
        let mut minutes: Vec<_> = (0..30).map(|m| t(m, 3)).collect();
        minutes[20].2 = 60;
        minutes[21].2 = 70;
        let jumps = rate_jumps(&minutes);
        assert_eq!(jumps.len(), 1);
        assert_eq!(
            (jumps[0].minute, jumps[0].before, jumps[0].after),
            (20, 3, 60)
        );
        // Steady traffic, or a short-lived template, has none.
        assert!(rate_jumps(&(0..30).map(|m| t(m, 40)).collect::<Vec<_>>()).is_empty());
        assert!(rate_jumps(&[t(0, 500), t(1, 500)]).is_empty());
    }
}
