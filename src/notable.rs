//! Which events may be worth a timeline line: decided once per event at
//! ingest (in the parallel workers) and stored, so reconstruction reads
//! only those rows however large the incident.

use std::sync::LazyLock;

use regex::Regex;

pub static STATE_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(deploy(ed|ing|ment)?|release[ds]?|roll(ed|ing)?[ -]?back|rollback|revert(ed|ing)?|restart(ed|ing)?|reboot(ed|ing)?|fail(ed|ing)?[ -]?over|promot(ed|ing)|config(uration)?[ -](change[ds]?|reload(ed)?|updated?)|reload(ed|ing)|scal(ed|ing) (up|down|out|in)|shut(ting)?[ -]?down|stopp(ed|ing)|start(ed|ing) up|drain(ed|ing)|circuit[ -]breaker|feature[ -]flag|migrat(ed|ing|ion)|maintenance|recover(ed|ing|y)|restored|back to normal|healthy|resolved|acknowledged|paged|escalat(ed|ing))\b",
    )
    .expect("state-change pattern is valid")
});

/// Whether an event may be notable: anything that is not a plain log line,
/// warnings and worse, and log lines that state a change (deploy,
/// rollback, restart, failover…). Chatter never is.
pub fn may_be_notable(kind: &str, level: Option<&str>, chatter: bool, message: &str) -> bool {
    if chatter {
        return false;
    }
    kind != "log"
        || matches!(level, Some("warn" | "error" | "critical"))
        || STATE_CHANGE.is_match(message.lines().next().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::may_be_notable;

    #[test]
    fn changes_and_problems_are_notable_routine_lines_are_not() {
        assert!(may_be_notable(
            "log",
            None,
            false,
            "rollback started to 2.13.4"
        ));
        assert!(may_be_notable("log", Some("error"), false, "anything"));
        assert!(may_be_notable("chat", None, false, "hello"));
        assert!(!may_be_notable("chat", None, true, "joined the channel"));
        assert!(!may_be_notable(
            "log",
            Some("info"),
            false,
            "order 123 placed in 40ms"
        ));
    }
}
