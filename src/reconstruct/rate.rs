//! Rate changes: the minute a template suddenly repeats far more often
//! than usual, or a steady one falls nearly silent (requests that stopped
//! succeeding), marks a change even when no single line says so.

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

/// A jump is measured against this many minutes of the template before it
/// at least: its first minutes have no "before" (the evidence starts
/// there, or the template does).
const JUMP_HISTORY: usize = 3;

/// Finds, per template, the first minute where its rate jumps against its
/// usual rate before that minute: counts per minute (template, minute,
/// count) sorted by template then minute. The usual rate is the median of
/// the minutes before, not of the whole window, so an outage that silenced
/// the template does not turn its normal rate at the start into a jump.
pub(super) fn rate_jumps(minutes: &[(String, i64, u64)]) -> Vec<RateJump> {
    let mut out = Vec::new();
    for group in minutes.chunk_by(|a, b| a.0 == b.0) {
        let Some((first, counts, _)) = per_minute(group.iter().map(|g| (g.1, g.2))) else {
            continue;
        };
        if counts.len() < 10 {
            continue;
        }
        let jump = (JUMP_HISTORY..counts.len()).find_map(|at| {
            let usual = median(&counts[..at]);
            let threshold = JUMP_MIN_COUNT.max(usual.max(1) * JUMP_FACTOR);
            (counts[at] >= threshold).then_some((at, usual))
        });
        if let Some((at, usual)) = jump {
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

fn median(counts: &[u64]) -> u64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

/// A steady template must usually log at least this many lines a minute
/// for its silence to mean something (at lower rates quiet minutes happen
/// by chance)…
const DROP_MIN_USUAL: u64 = 10;
/// …and fall to at most this share of it (1/5)…
const DROP_FACTOR: u64 = 5;
/// …for at least this many minutes in a row, after at least
/// `DROP_HISTORY` minutes of it, and come back afterwards (a source that
/// just ends is not a drop).
const DROP_MINUTES: usize = 3;
const DROP_HISTORY: usize = 5;

/// Finds, per template, the first minute where a steady rate drops and
/// stays down for a while before it comes back; same input as
/// [`rate_jumps`]. `before` is the usual rate, `after` the highest count
/// of a minute while it was down.
pub(super) fn rate_drops(minutes: &[(String, i64, u64)]) -> Vec<RateJump> {
    let mut out = Vec::new();
    for group in minutes.chunk_by(|a, b| a.0 == b.0) {
        let Some((first, counts, usual)) = per_minute(group.iter().map(|g| (g.1, g.2))) else {
            continue;
        };
        let span = counts.len();
        if usual < DROP_MIN_USUAL {
            continue;
        }
        let low = |n: u64| n * DROP_FACTOR <= usual;
        let usual_rate = |n: &u64| n * 2 >= usual;
        let mut at = DROP_HISTORY;
        while at + DROP_MINUTES < span {
            let run = counts[at..].iter().take_while(|n| low(**n)).count();
            // It was at its usual rate just before, and comes back after:
            // a quiet stretch before a busy one is no drop.
            let was_usual = counts[at - DROP_HISTORY..at].iter().all(usual_rate);
            let resumes = counts[at + run..].iter().any(usual_rate);
            if run >= DROP_MINUTES && was_usual && resumes {
                out.push(RateJump {
                    template: group[0].0.clone(),
                    minute: first + at as i64,
                    before: usual,
                    after: counts[at..at + run].iter().copied().max().unwrap_or(0),
                });
                break;
            }
            at += run.max(1);
        }
    }
    out
}

/// Whether source `source` logged at most half its usual lines a minute
/// in the `DROP_MINUTES` minutes from `minute`; `totals` holds (source,
/// minute, lines) sorted by source then minute. A template that falls
/// silent while its source goes on as busy did not stop: its lines went
/// to another template (the miner refined it) or the mix changed.
pub(super) fn source_fell(totals: &[(i64, i64, u64)], source: i64, minute: i64) -> bool {
    let own = totals
        .iter()
        .filter(|(s, _, _)| *s == source)
        .map(|(_, m, n)| (*m, *n));
    let Some((first, counts, usual)) = per_minute(own) else {
        return false;
    };
    let during: u64 = (minute..minute + DROP_MINUTES as i64)
        .filter_map(|m| counts.get(usize::try_from(m - first).ok()?))
        .sum();
    during * 2 <= usual * DROP_MINUTES as u64
}

/// Counts per minute from the first minute given to the last (idle
/// minutes as zero), with that first minute and the median count: the
/// usual rate, which idle minutes pull down as they should. Minutes come
/// in order.
fn per_minute(points: impl Iterator<Item = (i64, u64)>) -> Option<(i64, Vec<u64>, u64)> {
    let points: Vec<(i64, u64)> = points.collect();
    let (first, last) = (points.first()?.0, points.last()?.0);
    let mut counts = vec![0u64; (last - first + 1) as usize];
    for (minute, n) in points {
        counts[(minute - first) as usize] = n;
    }
    let usual = median(&counts);
    Some((first, counts, usual))
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
        // Nor one at its usual rate from the start of the evidence that an
        // outage then silenced for most of the window: what follows the
        // silence is measured against the silence.
        let silenced: Vec<_> = (0..20)
            .map(|m| t(m, if (2..13).contains(&m) { 0 } else { 20 }))
            .collect();
        let jumps = rate_jumps(&silenced);
        assert_eq!(
            jumps
                .iter()
                .map(|j| (j.minute, j.before, j.after))
                .collect::<Vec<_>>(),
            [(13, 0, 20)]
        );
        assert!(rate_jumps(&[t(0, 500), t(1, 500)]).is_empty());
    }

    #[test]
    fn a_steady_template_that_falls_silent_and_comes_back_is_a_drop() {
        let t = |m: i64, n: u64| ("GET /api/checkout <*> -> 200".to_string(), m, n);
        let quiet = |m: i64| match m {
            13 => 3,
            12..18 => 0,
            _ => 40,
        };
        let mut minutes: Vec<_> = (0..30).map(|m| t(m, quiet(m))).collect();
        minutes.retain(|(_, _, n)| *n > 0);
        let drops = rate_drops(&minutes);
        assert_eq!(drops.len(), 1);
        assert_eq!(
            (drops[0].minute, drops[0].before, drops[0].after),
            (12, 40, 3)
        );
        // A source that just ends, a short dip, a slow template: none.
        let ends: Vec<_> = (0..20).map(|m| t(m, 40)).collect();
        assert!(rate_drops(&ends).is_empty());
        let mut dip: Vec<_> = (0..30).map(|m| t(m, 40)).collect();
        dip[10].2 = 0;
        dip[11].2 = 0;
        assert!(rate_drops(&dip).is_empty());
        let slow: Vec<_> = (0..30)
            .map(|m| t(m, if (10..15).contains(&m) { 0 } else { 4 }))
            .collect();
        assert!(rate_drops(&slow).is_empty());
    }

    #[test]
    fn a_source_that_stays_busy_did_not_fall_silent() {
        let busy: Vec<(i64, i64, u64)> = (0..30).map(|m| (1, m, 80)).collect();
        assert!(!source_fell(&busy, 1, 12));
        let quiet: Vec<(i64, i64, u64)> = (0..30)
            .filter(|m| !(12..18).contains(m))
            .map(|m| (1, m, 80))
            .collect();
        assert!(source_fell(&quiet, 1, 12));
        assert!(!source_fell(&quiet, 2, 12));
    }
}
