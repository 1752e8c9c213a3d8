//! Which events may be worth a timeline line: decided once per event at
//! ingest (in the parallel workers) and stored, so reconstruction reads
//! only those rows however large the incident.

use std::cell::RefCell;
use std::sync::LazyLock;

mod vocabulary;

pub use vocabulary::{signal_of, Signal, SignalClass};

/// Any signal of the vocabulary, over text in lower case: lines are
/// lowered first (cheaply, in place, when ASCII) so the regex can look for
/// the signals' literal prefixes instead of folding case byte by byte, as
/// it does once per ingested line.
static ANY_SIGNAL: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(&vocabulary::any_signal_pattern())
        .expect("the vocabulary's patterns are checked when it loads")
});

/// Whether `line` states a signal of the vocabulary ([`signal_of`]).
fn states_change(line: &str) -> bool {
    with_lowercase(line, lowercase_states_change)
}

/// [`message_states_change`] of a message given in lower case.
pub(crate) fn lowercase_states_change(lower: &str) -> bool {
    ANY_SIGNAL.is_match(first_line(lower).as_bytes())
}

/// `read(text in lower case)`, for patterns written for lower-case text.
/// ASCII text, nearly every log line, is lowered in a reused buffer rather
/// than a new string per line (so `read` must not lower text again).
pub(crate) fn with_lowercase<T>(text: &str, read: impl FnOnce(&str) -> T) -> T {
    thread_local! {
        static LOWER: RefCell<String> = const { RefCell::new(String::new()) };
    }
    if !text.is_ascii() {
        return read(&text.to_lowercase());
    }
    LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.push_str(text);
        lower.make_ascii_lowercase();
        read(lower)
    })
}

/// Whether an event may be notable: anything that is not a plain log line,
/// warnings and worse, and log lines that state a change (deploy,
/// rollback, restart, an OOM kill…: the vocabulary's signals, from
/// [`message_states_change`]). Chatter never is.
pub fn may_be_notable(kind: &str, level: Option<&str>, chatter: bool, states_change: bool) -> bool {
    !chatter
        && (kind != "log" || matches!(level, Some("warn" | "error" | "critical")) || states_change)
}

/// Whether the first line of a message states a change.
pub fn message_states_change(message: &str) -> bool {
    states_change(first_line(message))
}

/// What `message.lines().next()` gives (`""` for no line), found with a
/// vectorized search: it runs on every ingested message.
pub(crate) fn first_line(message: &str) -> &str {
    match memchr::memchr(b'\n', message.as_bytes()) {
        Some(end) => {
            let line = &message[..end];
            line.strip_suffix('\r').unwrap_or(line)
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::{first_line, may_be_notable, message_states_change, signal_of, states_change};

    #[test]
    fn the_first_line_is_what_lines_gives() {
        for message in ["", "a", "a\nb", "a\r\nb", "a\r", "\nb", "\r\n", "a\rb\n"] {
            assert_eq!(
                first_line(message),
                message.lines().next().unwrap_or(""),
                "{message:?}"
            );
        }
    }

    /// The quick per-line check must decide as classifying the line does,
    /// whatever the case and wherever the words stand.
    #[test]
    fn state_changes_read_alike_in_any_case() {
        for line in [
            "Deployment of api finished",
            "ROLLED BACK to 2.13",
            "config-Reloaded",
            "scaling Up the pool",
            "node is Healthy again",
            "redeployed", // not at a word start
            "Startup done",
            "shutting   down",
            "Back To Normal",
            "caf\u{e9} restarted",
            "\u{17f}topped by the operator",
        ] {
            assert_eq!(states_change(line), signal_of(line).is_some(), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn state_changes_read_as_the_pattern_does(
            line in "([a-zA-Z ]|-|Deploy|ROLL|back|Restart|ed|ing|up|down|\u{e9}|\u{17f}){0,12}"
        ) {
            proptest::prop_assert_eq!(states_change(&line), signal_of(&line).is_some());
        }
    }

    #[test]
    fn changes_and_problems_are_notable_routine_lines_are_not() {
        let notable = |kind, level, chatter, message| {
            may_be_notable(kind, level, chatter, message_states_change(message))
        };
        assert!(notable("log", None, false, "rollback started to 2.13.4"));
        assert!(notable(
            "log",
            None,
            false,
            "pool restarted\nby the operator"
        ));
        assert!(!notable(
            "log",
            None,
            false,
            "pool ok\nrestarted on the second line"
        ));
        assert!(notable("log", Some("error"), false, "anything"));
        assert!(notable("chat", None, false, "hello"));
        assert!(!notable("chat", None, true, "joined the channel"));
        assert!(!notable(
            "log",
            Some("info"),
            false,
            "order 123 placed in 40ms"
        ));
    }
}
