//! Words: state words that keep events apart, and widening two tokens into
//! one pattern.

use super::mask::{is_close_edge, is_open_edge, WILDCARD};

/// Words that name a state, an outcome or an action. Messages that differ
/// in one are different events however alike otherwise ("Link Up", "Link
/// Down"): they are what a timeline is for. Sorted, for binary search.
#[rustfmt::skip]
pub(super) const STATE_WORDS: [&str; 113] = [
    "accept", "accepted", "activate", "activated", "active", "add", "added", "allow", "allowed",
    "available", "begin", "close", "closed", "closing", "complete", "completed", "connect",
    "connected", "connecting", "create", "created", "deactivated", "delete", "deleted",
    "denied", "deny", "destroy", "destroyed", "disable", "disabled", "disconnect",
    "disconnected", "down", "enable", "enabled", "end", "ended", "error", "errors", "fail",
    "failed", "failure", "failures", "false", "finish", "finished", "get", "grant", "granted",
    "healthy", "inactive", "invalid", "kill", "killed", "load", "loaded", "lock", "locked",
    "login", "logout", "mount", "mounted", "no", "off", "offline", "ok", "on", "online", "open",
    "opened", "opening", "pass", "passed", "patch", "pause", "paused", "post", "put", "ready",
    "reject", "rejected", "remove", "removed", "restart", "restarted", "restarting", "resume",
    "resumed", "start", "started", "starting", "stop", "stopped", "stopping", "succeeded",
    "success", "successful", "suspend", "suspended", "terminate", "terminated", "true",
    "unavailable", "unhealthy", "unload", "unloaded", "unlock", "unlocked", "unmount",
    "unmounted", "up", "valid", "yes",
];

pub(super) fn is_state_word(word: &str) -> bool {
    if word.is_empty() || word.len() > 12 {
        return false;
    }
    let mut buf = [0u8; 12];
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    STATE_WORDS
        .binary_search_by(|w| w.as_bytes().cmp(lower))
        .is_ok()
}

/// The runs of ASCII letters in a token.
fn letter_runs(token: &str) -> impl Iterator<Item = &str> {
    token
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|r| !r.is_empty())
}

fn has_state_word(token: &str) -> bool {
    letter_runs(token).any(is_state_word)
}

/// Whether one of two tokens has a state word the other lacks
/// ("WWEN[enable]", "WWEN[disable]").
pub(super) fn states_differ(a: &str, b: &str) -> bool {
    let lacks = |x: &str, y: &str| {
        letter_runs(x)
            .filter(|r| is_state_word(r))
            .any(|r| !letter_runs(y).any(|s| s.eq_ignore_ascii_case(r)))
    };
    lacks(a, b) || lacks(b, a)
}

/// The pattern that covers two different tokens: their common start up to a
/// separator and common end of closing punctuation, around `<*>` ("user=root",
/// "user=guest" → "user=<*>"); `None` when they share neither.
pub(super) fn widen(a: &str, b: &str) -> Option<String> {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let mut pre = 0;
    for (i, (p, q)) in x.iter().zip(y).enumerate() {
        if p != q {
            break;
        }
        if matches!(
            p,
            b'=' | b':' | b'(' | b'[' | b'{' | b'"' | b'\'' | b'/' | b'@' | b'#'
        ) {
            pre = i + 1;
        }
    }
    let room = x.len().min(y.len()) - pre;
    let suf = x
        .iter()
        .rev()
        .zip(y.iter().rev())
        .take(room)
        .take_while(|(p, q)| p == q && is_close_edge(**p))
        .count();
    let (head, tail) = (&a[..pre], &a[a.len() - suf..]);
    // A wildcard inside the kept ends would make the pattern ambiguous.
    if (pre == 0 && suf == 0) || head.contains(WILDCARD) || tail.contains(WILDCARD) {
        return None;
    }
    Some(format!("{head}{WILDCARD}{tail}"))
}

/// What the miner needs to know about a word of a template.
#[derive(Clone, Copy, Debug)]
pub(super) struct WordInfo {
    /// For words with a wildcard inside ("user=<*>"): the bytes before the
    /// first and after the last wildcard. It covers any token with the same
    /// ends.
    pub(super) pattern: Option<(u32, u32)>,
    /// Nothing but a wildcard in edge punctuation ("(<*>)"): a value, not
    /// wording.
    pub(super) var: bool,
    /// Has a state word.
    pub(super) state: bool,
}

impl WordInfo {
    pub(super) fn of(w: &str) -> WordInfo {
        let pattern = w.find(WILDCARD).map(|first| {
            let last = w.rfind(WILDCARD).unwrap_or(first);
            (first as u32, (w.len() - last - WILDCARD.len()) as u32)
        });
        let var = pattern.is_some_and(|(pre, suf)| {
            let b = w.as_bytes();
            let (pre, suf) = (pre as usize, suf as usize);
            pre + WILDCARD.len() + suf == b.len()
                && b[..pre].iter().all(|&c| is_open_edge(c))
                && b[b.len() - suf..].iter().all(|&c| is_close_edge(c))
        });
        WordInfo {
            pattern,
            var,
            state: has_state_word(w),
        }
    }
}

/// Whether a pattern with `pre`/`suf` bytes kept from `pattern` covers
/// `token`.
pub(super) fn fits(pattern: &[u8], (pre, suf): (u32, u32), token: &[u8]) -> bool {
    let (pre, suf) = (pre as usize, suf as usize);
    token.len() >= pre + suf
        && token[..pre] == pattern[..pre]
        && token[token.len() - suf..] == pattern[pattern.len() - suf..]
}
