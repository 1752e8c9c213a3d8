//! Message templates: the shape of a message with its variable parts
//! (numbers, ids, addresses, paths, values) written `<*>`, so that repeats
//! of one event share a template and the timeline can collapse them.
//!
//! Two layers:
//!
//! - [`template`] masks one message on its own: tokens that are data
//!   (anything with a digit, long hex, paths, URLs, dates, a number's unit,
//!   the value of `key=value`) become `<*>`.
//! - [`Miner`] learns templates from the messages of one source, in the
//!   Drain/Brain family. Masked messages are grouped by token count and
//!   leading words (Drain's fixed-depth tree) and join the most similar
//!   cluster there, so words that vary between messages of one event
//!   (user names, host names) become `<*>` too. Clusters that prove to be
//!   one event later merge (Brain's idea that constant words recur and
//!   variable ones scatter): when a word turns out to vary, when only
//!   optional values differ, or when many clusters share a long common tail.
//!
//! Everything is deterministic: the result depends only on the messages and
//! their order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

// ---------------------------------------------------------------------------
// Masking

/// Tokens of a message that count: the shape of a message is in its first
/// words, and the cap bounds the work on pathological lines.
const MAX_TOKENS: usize = 200;
/// Longer tokens are data (encoded blobs, dumps); the cap also bounds the
/// work spent on one token.
const MAX_TOKEN_BYTES: usize = 256;

/// The wildcard, as written in templates.
const WILDCARD: &str = "<*>";

fn is_open_edge(b: u8) -> bool {
    matches!(b, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'' | b'`')
}

fn is_close_edge(b: u8) -> bool {
    matches!(
        b,
        b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b'`' | b',' | b';' | b':' | b'.' | b'!' | b'?'
    )
}

/// Weekday and month names: variable inside a date ("Sun Jul 17 07:07:00").
fn is_date_word(w: &str) -> bool {
    matches!(
        w,
        "Mon"
            | "Tue"
            | "Wed"
            | "Thu"
            | "Fri"
            | "Sat"
            | "Sun"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "May"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
    )
}

/// Units: part of the value when they follow a number ("17.7 GB" and
/// "512 KB" are one shape).
fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "B" | "KB"
            | "kB"
            | "MB"
            | "GB"
            | "TB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "ns"
            | "us"
            | "µs"
            | "ms"
            | "s"
            | "sec"
            | "secs"
    )
}

/// What the masking rules ask of a token's bytes, one table lookup per
/// byte: masking runs on every token of every line, and the same lookup
/// also finds where tokens and the first line end, so each byte of a
/// message is classified once.
const DIGIT: u8 = 1;
const NOT_HEX: u8 = 2;
const EQ: u8 = 4;
const COLON: u8 = 8;
const BACKSLASH: u8 = 16;
/// Separates tokens within a line.
const SPACE: u8 = 32;
/// Ends the first line.
const BREAK: u8 = 64;

static BYTE_CLASS: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'f' | b'A'..=b'F' => 0,
            b'=' => EQ | NOT_HEX,
            b':' => COLON | NOT_HEX,
            b'\\' => BACKSLASH | NOT_HEX,
            b' ' | b'\t' | b'\x0b' | b'\x0c' => SPACE | NOT_HEX,
            b'\n' | b'\r' => BREAK | NOT_HEX,
            _ => NOT_HEX,
        };
        b += 1;
    }
    table
};

fn byte_classes(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, &c| acc | BYTE_CLASS[c as usize])
}

/// A key in `key=value`: a plain identifier.
fn is_key(key: &[u8]) -> bool {
    key.iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && key.iter().any(u8::is_ascii_alphabetic)
}

/// What masking made of one token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Kept as written (possibly with a masked value after `key=`).
    Word,
    /// Wholly variable: a `<*>` inside edge punctuation.
    Var,
}

/// How one token is masked, decided from its bytes alone.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// Kept as written.
    Word,
    /// `<*>`, keeping `pre` and `suf` bytes of edge punctuation.
    Var { pre: u16, suf: u16 },
    /// Kept up to `key_end` (`key=`, `key:`), the rest masked as a token.
    Keyed { key_end: usize },
}

fn shape(token: &str) -> Shape {
    shape_of(token, byte_classes(token.as_bytes()))
}

/// `shape` of a token whose bytes' classes, `class`, the tokenizer has
/// already gathered. Edge punctuation adds only `NOT_HEX` and `COLON` to
/// the core's classes: a colon found there is looked up in the core, and
/// hex is checked on the core when the edges may have hidden it.
fn shape_of(token: &str, class: u8) -> Shape {
    if token.len() > MAX_TOKEN_BYTES {
        return Shape::Var { pre: 0, suf: 0 };
    }
    let b = token.as_bytes();
    let mut s = 0;
    while s < b.len() && is_open_edge(b[s]) {
        s += 1;
    }
    let mut e = b.len();
    while e > s && is_close_edge(b[e - 1]) {
        e -= 1;
    }
    let core = &b[s..e];
    if core.is_empty() {
        return Shape::Word;
    }
    let (digit, backslash) = (class & DIGIT != 0, class & BACKSLASH != 0);
    let hex =
        || class & NOT_HEX == 0 || ((s, e) != (0, b.len()) && byte_classes(core) & NOT_HEX == 0);
    let eq = (class & EQ != 0)
        .then(|| core.iter().position(|&c| c == b'='))
        .flatten();
    let colon = (class & COLON != 0)
        .then(|| core.iter().position(|&c| c == b':'))
        .flatten();
    // key=value: the key is wording, the value is data.
    if let Some(k) = eq {
        if is_key(&core[..k]) {
            return Shape::Keyed { key_end: s + k + 1 };
        }
    }
    // key:value with an alphabetic key ("onExtend:1514038530000"), but not
    // times, IPv6 addresses, drive letters, URLs or host:port.
    if let Some(k) = colon {
        let (key, value) = (&core[..k], &core[k + 1..]);
        let host_port =
            value.iter().all(u8::is_ascii_digit) && !key.iter().any(u8::is_ascii_uppercase);
        if key.len() >= 2
            && !value.is_empty()
            && !matches!(value[0], b'/' | b':')
            && key.iter().all(|&b| b.is_ascii_alphabetic() || b == b'_')
            && !host_port
        {
            return Shape::Keyed { key_end: s + k + 1 };
        }
    }
    // Numbers, addresses, ids, versions, times; hex without digits
    // ("deadbeef"); paths and URLs.
    let variable = digit
        || (core.len() >= 8 && hex())
        || (core[0] == b'/' && core.len() > 1)
        || core.starts_with(b"./")
        || core.starts_with(b"../")
        || core.starts_with(b"~/")
        || colon.is_some_and(|k| core[k..].starts_with(b"://"))
        || (backslash && core.len() > 2);
    if variable {
        return Shape::Var {
            pre: s as u16,
            suf: (b.len() - e) as u16,
        };
    }
    Shape::Word
}

/// Writes `token` masked as `shape` says.
fn write_masked(token: &str, shape: Shape, out: &mut String) {
    match shape {
        Shape::Word => out.push_str(token),
        Shape::Var { pre, suf } => {
            out.push_str(&token[..pre as usize]);
            out.push_str(WILDCARD);
            out.push_str(&token[token.len() - suf as usize..]);
        }
        Shape::Keyed { key_end } => {
            out.push_str(&token[..key_end]);
            let value = &token[key_end..];
            if !value.is_empty() {
                write_masked(value, self::shape(value), out);
            }
        }
    }
}

/// One masked token. Its text is the token itself in the message, or, for
/// a keyed token, its masked text in the first-pass buffer: most tokens
/// are copied once, into the masked line.
#[derive(Clone, Copy, Debug)]
struct Tok {
    start: u32,
    end: u32,
    in_buffer: bool,
    kind: Kind,
    /// For `Var`, the bytes of edge punctuation kept before and after the
    /// `<*>`.
    pre: u16,
    suf: u16,
    date_word: bool,
    unit: bool,
}

/// Reusable buffers, so that masking a message allocates nothing once warm.
#[derive(Default, Debug)]
struct Masker {
    keyed: String,
    toks: Vec<Tok>,
}

impl Masker {
    fn text<'a>(&'a self, message: &'a str, t: &Tok) -> &'a str {
        let source = if t.in_buffer { &self.keyed } else { message };
        &source[t.start as usize..t.end as usize]
    }

    /// Masks the first line of `message` into `line` as single-space
    /// separated tokens, with each token's byte span in `spans`.
    fn mask(&mut self, message: &str, line: &mut String, spans: &mut Vec<(u32, u32)>) {
        self.keyed.clear();
        self.toks.clear();
        line.clear();
        spans.clear();
        let mut datey_or_unit = false;
        for (start, end, class) in first_line_tokens(message).take(MAX_TOKENS) {
            let token = &message[start..end];
            let mut t = Tok {
                start: start as u32,
                end: end as u32,
                in_buffer: false,
                kind: Kind::Word,
                pre: 0,
                suf: 0,
                date_word: false,
                unit: false,
            };
            match shape_of(token, class) {
                Shape::Var { pre, suf } => {
                    t.kind = Kind::Var;
                    t.pre = pre;
                    t.suf = suf;
                }
                keyed @ Shape::Keyed { .. } => {
                    t.start = self.keyed.len() as u32;
                    write_masked(token, keyed, &mut self.keyed);
                    t.end = self.keyed.len() as u32;
                    t.in_buffer = true;
                }
                Shape::Word => {}
            }
            if t.kind == Kind::Word {
                let word = self.text(message, &t);
                t.date_word = is_date_word(word);
                t.unit = word.len() <= 6 && is_unit(strip_close(word));
                datey_or_unit |= t.date_word || t.unit;
            }
            self.toks.push(t);
        }
        // Most lines have neither.
        if datey_or_unit {
            for i in 0..self.toks.len() {
                let t = self.toks[i];
                if t.kind != Kind::Word || !(t.date_word || t.unit) {
                    continue;
                }
                let prev = i.checked_sub(1).map(|j| self.toks[j]);
                let next = self.toks.get(i + 1).copied();
                let datey = |o: Option<Tok>| o.is_some_and(|o| o.kind == Kind::Var || o.date_word);
                let var = (t.date_word && (datey(prev) || datey(next)))
                    || (t.unit && prev.is_some_and(|p| p.kind == Kind::Var && p.suf == 0));
                if var {
                    let text = self.text(message, &t);
                    let suf = (text.len() - strip_close(text).len()) as u16;
                    self.toks[i].kind = Kind::Var;
                    self.toks[i].pre = 0;
                    self.toks[i].suf = suf;
                }
            }
        }
        // Runs of variable tokens with no punctuation between them are one
        // value of varying length ("Sun Jul 17 07:07:00 2005", "1.2 KB").
        let mut i = 0;
        while i < self.toks.len() {
            let t = self.toks[i];
            if !line.is_empty() {
                line.push(' ');
            }
            let start = line.len() as u32;
            let text = self.text(message, &t);
            if t.kind == Kind::Var {
                let mut j = i;
                while j + 1 < self.toks.len()
                    && self.toks[j].suf == 0
                    && self.toks[j + 1].kind == Kind::Var
                    && self.toks[j + 1].pre == 0
                {
                    j += 1;
                }
                let last = self.toks[j];
                let last_text = self.text(message, &last);
                line.push_str(&text[..t.pre as usize]);
                line.push_str(WILDCARD);
                line.push_str(&last_text[last_text.len() - last.suf as usize..]);
                i = j + 1;
            } else {
                line.push_str(text);
                i += 1;
            }
            spans.push((start, line.len() as u32));
        }
    }
}

/// The byte spans of the tokens of the first line, with the classes of
/// their bytes: runs of non-whitespace up to the first line break, found
/// without scanning the rest of a long message. They split at ASCII bytes,
/// so at UTF-8 boundaries.
fn first_line_tokens(message: &str) -> impl Iterator<Item = (usize, usize, u8)> + '_ {
    let b = message.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && BYTE_CLASS[b[i] as usize] & SPACE != 0 {
            i += 1;
        }
        if i >= b.len() || BYTE_CLASS[b[i] as usize] & BREAK != 0 {
            return None;
        }
        let start = i;
        let mut class = 0;
        while let Some(&c) = b.get(i) {
            let c = BYTE_CLASS[c as usize];
            if c & (SPACE | BREAK) != 0 {
                break;
            }
            class |= c;
            i += 1;
        }
        Some((start, i, class))
    })
}

fn strip_close(s: &str) -> &str {
    let b = s.as_bytes();
    let mut e = b.len();
    while e > 0 && is_close_edge(b[e - 1]) {
        e -= 1;
    }
    // Close edges are ASCII, so `e` is a character boundary.
    &s[..e]
}

/// The template of a message on its own: its first line, variable tokens
/// masked, tokens joined by single spaces. [`Miner`] starts from this and
/// also generalizes wording that varies between messages of one event.
pub fn template(message: &str) -> String {
    let mut line = String::new();
    Masker::default().mask(message, &mut line, &mut Vec::new());
    line
}

// ---------------------------------------------------------------------------
// Words

/// Words that name a state, an outcome or an action. Messages that differ
/// in one are different events however alike otherwise ("Link Up", "Link
/// Down"): they are what a timeline is for. Sorted, for binary search.
#[rustfmt::skip]
const STATE_WORDS: [&str; 113] = [
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

fn is_state_word(word: &str) -> bool {
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
fn states_differ(a: &str, b: &str) -> bool {
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
fn widen(a: &str, b: &str) -> Option<String> {
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
struct WordInfo {
    /// For words with a wildcard inside ("user=<*>"): the bytes before the
    /// first and after the last wildcard. It covers any token with the same
    /// ends.
    pattern: Option<(u32, u32)>,
    /// Nothing but a wildcard in edge punctuation ("(<*>)"): a value, not
    /// wording.
    var: bool,
    /// Has a state word.
    state: bool,
}

impl WordInfo {
    fn of(w: &str) -> WordInfo {
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
fn fits(pattern: &[u8], (pre, suf): (u32, u32), token: &[u8]) -> bool {
    let (pre, suf) = (pre as usize, suf as usize);
    token.len() >= pre + suf
        && token[..pre] == pattern[..pre]
        && token[token.len() - suf..] == pattern[pattern.len() - suf..]
}

// ---------------------------------------------------------------------------
// Mining

/// A multiply-rotate hasher for per-line tables of ingest (the miner's,
/// per-minute counts, block string tables). Their keys are one source's own
/// words, lines and numbers, so flooding is no concern, and SipHash was a
/// visible share of the per-line cost.
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The table indexes by the low bits, which the multiply mixes least.
        self.0.rotate_left(26)
    }
}

pub(crate) type Map<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Word id of the wildcard.
const WILD: u32 = 0;
/// Word id of a message token that is in no template: equal to nothing.
const UNKNOWN: u32 = u32::MAX;
/// Word id standing for "no token" in a leaf key.
const NONE: u32 = u32::MAX - 1;

/// Leading tokens that place a message in the tree, besides its length
/// (Drain's depth): first words are usually wording.
const PREFIX: usize = 2;
/// A message joins a cluster when at least this many tenths of its tokens
/// agree with the cluster's template (equal words, or values in both).
/// Lower generalizes more eagerly; the merges below make the result
/// insensitive to it between 5 and 8.
const SIMILARITY_TENTHS: usize = 7;
/// A cluster that has taken this many messages without its wording
/// changing keeps it: a rare message that differs in a word is another
/// event ("by client SPP" among hundreds of "by client WindowsUpdateAgent").
/// If the word really varies, the clusters of its other values generalize
/// among themselves and then absorb this one.
const SETTLED: u64 = 10;
/// Two or more adjacent differing words are different phrasing, not a
/// value ("Bad file descriptor" / "No child processes").
const MAX_DIFF_RUN: usize = 2;
/// Fixed words two templates of different length must share, in order, to
/// be one event with optional values.
const MIN_SKELETON: usize = 2;
/// Fixed words after the leading tokens that clusters must share, and how
/// many such clusters it takes, to show the leading tokens are values
/// ("<job>: scheduler_evaluate_activity told me to run this job…").
const MIN_TAIL_WORDS: usize = 3;
const MIN_TAIL_CLUSTERS: usize = 3;

/// Past this many clusters a source stops learning shapes: a new one
/// becomes its own cluster keyed by its masked text, as plain masking would.
const MAX_CLUSTERS: usize = 50_000;
/// Most clusters in one leaf; a miss compares the message with each.
const MAX_LEAF: usize = 128;
/// Masked lines remembered with their cluster, so repeats skip the search;
/// forgotten all at once when full.
const MAX_SEEN: usize = 1 << 15;

type LeafKey = (u32, u32, u32);

/// Longest message [`Repeats`] remembers.
const MAX_REPEAT_BYTES: usize = 1024;

/// Messages [`Repeats`] remembers before forgetting all at once.
const MAX_REPEATS: usize = 1 << 15;

/// Messages [`Repeats`] lets pass unremembered when its last fill of
/// `MAX_REPEATS` messages saw fewer repeats than one lookup in
/// `MIN_HIT_SHARE`: some logs (HDFS, in Loghub) never repeat a message, and
/// remembering costs them more than it saves.
const REST_MESSAGES: u32 = 1 << 18;
const MIN_HIT_SHARE: u64 = 8;

/// Recent messages of a source with their cluster and a fact about them,
/// so that a message repeated word for word is neither masked nor examined
/// again. In real logs most lines repeat an earlier one exactly (in
/// Loghub's samples, over half of the lines for most systems), and masking
/// plus the per-message checks are most of the per-line cost.
#[derive(Debug)]
pub(crate) struct Repeats<T> {
    known: HashMap<Box<str>, (Placement, T), foldhash::fast::FixedState>,
    /// Lookups and repeats found since `known` was last emptied.
    lookups: u64,
    hits: u64,
    /// Messages still to pass unremembered.
    resting: u32,
}

impl<T> Default for Repeats<T> {
    fn default() -> Self {
        Repeats {
            known: HashMap::default(),
            lookups: 0,
            hits: 0,
            resting: 0,
        }
    }
}

impl<T: Copy> Repeats<T> {
    /// Adds `message` to `miner`; returns its cluster, as [`Miner::add`]
    /// does, and `fact(message)`, computed once per remembered message.
    pub(crate) fn add(
        &mut self,
        miner: &mut Miner,
        message: &str,
        fact: impl Fn(&str) -> T,
    ) -> (usize, T) {
        if self.resting > 0 {
            self.resting -= 1;
            return (miner.add(message), fact(message));
        }
        let remembered = message.len() <= MAX_REPEAT_BYTES;
        if remembered {
            self.lookups += 1;
            if let Some(&(placement, known)) = self.known.get(message) {
                if let Some(cluster) = miner.add_again(placement) {
                    self.hits += 1;
                    return (cluster, known);
                }
            }
        }
        let (cluster, placement) = miner.add_placing(message);
        let value = fact(message);
        if remembered {
            if self.known.len() >= MAX_REPEATS {
                self.known.clear();
                if self.hits * MIN_HIT_SHARE < self.lookups {
                    self.resting = REST_MESSAGES;
                }
                (self.lookups, self.hits) = (0, 0);
            }
            self.known.insert(Box::from(message), (placement, value));
        }
        (cluster, value)
    }
}

/// Where [`Miner::add_placing`] put a message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    /// The cluster its masked line is remembered with (not necessarily a
    /// root).
    cluster: u32,
    epoch: u32,
}

#[derive(Debug)]
struct Cluster {
    /// Word ids; `WILD` where the template is variable. Empty for a cluster
    /// past `MAX_CLUSTERS`, which has `text` instead.
    words: Vec<u32>,
    text: Option<Box<str>>,
    leaf: LeafKey,
    /// Messages placed in it.
    size: u64,
}

/// How a message compares with a template.
struct Score {
    /// Positions that agree: the same word, a pattern the token fits, or a
    /// value in both.
    same: usize,
    /// Positions where the template has `<*>` and the message a word.
    wild: usize,
    /// Positions where they differ.
    diff: usize,
}

/// Mines templates from the messages of ONE source, in order.
///
/// Ids are handed out 0, 1, 2, … as new shapes appear. Clusters never
/// split; when two turn out to be one event they merge, and both ids stay
/// valid: [`Miner::template`] gives the same text for both and
/// [`Miner::resolve`] the same survivor.
#[derive(Debug)]
pub struct Miner {
    words: Vec<Box<str>>,
    word_ids: Map<Box<str>, u32>,
    word_info: Vec<WordInfo>,
    clusters: Vec<Cluster>,
    /// Union-find over cluster ids; a root is its own parent and the
    /// smallest id of its group.
    parent: Vec<u32>,
    /// For a root, the ids of its group.
    members: Vec<Vec<u32>>,
    /// Clusters by length and leading words; merged-away duplicates leave.
    leaves: Map<LeafKey, Vec<u32>>,
    by_template: Map<Box<[u32]>, u32>,
    by_skeleton: Map<Box<[u32]>, u32>,
    by_tail: Map<Box<[u32]>, Vec<u32>>,
    overflow: Map<Box<str>, u32>,
    seen: Map<Box<str>, u32>,
    /// How many times `seen` was forgotten: a [`Placement`] from an
    /// earlier epoch no longer stands for its masked line.
    epoch: u32,
    masker: Masker,
    line: String,
    spans: Vec<(u32, u32)>,
    ids: Vec<u32>,
}

impl Default for Miner {
    fn default() -> Self {
        Self::new()
    }
}

impl Miner {
    /// A miner that has seen nothing.
    pub fn new() -> Miner {
        let mut word_ids = Map::default();
        word_ids.insert(Box::from(WILDCARD), WILD);
        Miner {
            words: vec![Box::from(WILDCARD)],
            word_ids,
            word_info: vec![WordInfo::of(WILDCARD)],
            clusters: Vec::new(),
            parent: Vec::new(),
            members: Vec::new(),
            leaves: Map::default(),
            by_template: Map::default(),
            by_skeleton: Map::default(),
            by_tail: Map::default(),
            overflow: Map::default(),
            seen: Map::default(),
            epoch: 0,
            masker: Masker::default(),
            line: String::new(),
            spans: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Adds a message; returns the id (0, 1, 2, … in order of first
    /// appearance) of the cluster it joins. Only the first line counts.
    pub fn add(&mut self, message: &str) -> usize {
        self.add_placing(message).0
    }

    /// [`Miner::add`], also telling where the message went, so that an
    /// identical message can be added again without masking it
    /// ([`Miner::add_again`]).
    pub(crate) fn add_placing(&mut self, message: &str) -> (usize, Placement) {
        self.masker.mask(message, &mut self.line, &mut self.spans);
        let c = match self.seen.get(self.line.as_str()) {
            Some(&c) => c,
            None => self.place_new(),
        };
        self.clusters[c as usize].size += 1;
        let placement = Placement {
            cluster: c,
            epoch: self.epoch,
        };
        (self.find(c) as usize, placement)
    }

    /// Adds once more the message that `add_placing` placed at
    /// `placement`: what [`Miner::add`] would do with it, as its masked
    /// line is remembered with that cluster. `None` once the miner has
    /// forgotten its masked lines; then the message must be added anew.
    pub(crate) fn add_again(&mut self, placement: Placement) -> Option<usize> {
        if placement.epoch != self.epoch {
            return None;
        }
        self.clusters[placement.cluster as usize].size += 1;
        Some(self.find(placement.cluster) as usize)
    }

    /// Places the masked line in `line`/`spans`, not seen before, and
    /// remembers it.
    fn place_new(&mut self) -> u32 {
        self.ids.clear();
        for &(s, e) in &self.spans {
            let w = &self.line[s as usize..e as usize];
            self.ids
                .push(self.word_ids.get(w).copied().unwrap_or(UNKNOWN));
        }
        let c = self.place();
        if self.seen.len() >= MAX_SEEN {
            self.seen.clear();
            self.epoch += 1;
        }
        self.seen.insert(Box::from(self.line.as_str()), c);
        c
    }

    /// The current template of a cluster: tokens joined by single spaces,
    /// variable parts as `<*>`. Merged clusters give the same text.
    ///
    /// # Panics
    ///
    /// If `cluster` is not an id this miner returned (`>= len()`).
    pub fn template(&self, cluster: usize) -> String {
        let root = self.root(cluster as u32);
        if let Some(text) = &self.clusters[root as usize].text {
            return text.to_string();
        }
        // The longest member's shape, widened where members of that length
        // differ, so the text covers the whole group.
        let mut members = self.members[root as usize].clone();
        members.sort_unstable();
        let longest = members
            .iter()
            .map(|&m| self.clusters[m as usize].words.len())
            .max()
            .unwrap_or(0);
        let mut shape: Vec<String> = Vec::new();
        for m in members {
            let words = &self.clusters[m as usize].words;
            if words.len() != longest {
                continue;
            }
            if shape.is_empty() && longest > 0 {
                shape = words
                    .iter()
                    .map(|&w| self.words[w as usize].to_string())
                    .collect();
                continue;
            }
            for (slot, &w) in shape.iter_mut().zip(words) {
                let word = &self.words[w as usize];
                if *slot == **word || slot == WILDCARD {
                    continue;
                }
                let covered = |p: &str, t: &str| {
                    WordInfo::of(p)
                        .pattern
                        .is_some_and(|ends| fits(p.as_bytes(), ends, t.as_bytes()))
                };
                if covered(slot, word) {
                    continue;
                }
                *slot = if covered(word, slot) {
                    word.to_string()
                } else {
                    widen(slot, word).unwrap_or_else(|| WILDCARD.to_string())
                };
            }
        }
        shape.join(" ")
    }

    /// Number of clusters: ids handed out so far, merged ones included.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Whether no message was added.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The id that now speaks for `cluster`: itself, or the smallest id of
    /// the clusters it merged with. Ids with one resolution share one
    /// template.
    pub fn resolve(&self, cluster: usize) -> usize {
        self.root(cluster as u32) as usize
    }

    fn root(&self, mut c: u32) -> u32 {
        while self.parent[c as usize] != c {
            c = self.parent[c as usize];
        }
        c
    }

    /// `root` with path halving, for the hot path.
    fn find(&mut self, mut c: u32) -> u32 {
        while self.parent[c as usize] != c {
            let grand = self.parent[self.parent[c as usize] as usize];
            self.parent[c as usize] = grand;
            c = grand;
        }
        c
    }

    /// The leaf of the message in `ids`, if any cluster could be there.
    fn leaf_key(&self) -> Option<LeafKey> {
        let at = |i: usize| self.ids.get(i).copied().unwrap_or(NONE);
        let key = (self.ids.len() as u32, at(0), at(1));
        // A word no template has cannot lead to a leaf.
        (key.1 != UNKNOWN && key.2 != UNKNOWN).then_some(key)
    }

    /// Finds or makes the cluster of the message in `line`/`spans`/`ids`;
    /// returns the cluster it was placed in (not necessarily a root).
    fn place(&mut self) -> u32 {
        if let Some(key) = self.leaf_key() {
            if let Some(c) = self.best_match(&key) {
                self.generalize(c);
                return c;
            }
        }
        if self.clusters.len() >= MAX_CLUSTERS {
            return self.overflow_cluster();
        }
        for i in 0..self.ids.len() {
            self.intern(i);
        }
        if let Some(&c) = self.by_template.get(self.ids.as_slice()) {
            return c;
        }
        let id = self.clusters.len() as u32;
        let words = self.ids.clone();
        let at = |i: usize| words.get(i).copied().unwrap_or(NONE);
        let leaf = (words.len() as u32, at(0), at(1));
        let list = self.leaves.entry(leaf).or_default();
        if list.len() < MAX_LEAF {
            list.push(id);
        }
        self.by_template
            .insert(words.clone().into_boxed_slice(), id);
        self.clusters.push(Cluster {
            words,
            text: None,
            leaf,
            size: 0,
        });
        self.parent.push(id);
        self.members.push(vec![id]);
        self.register(id, None);
        id
    }

    fn overflow_cluster(&mut self) -> u32 {
        if let Some(&c) = self.overflow.get(self.line.as_str()) {
            return c;
        }
        let id = self.clusters.len() as u32;
        let text: Box<str> = Box::from(self.line.as_str());
        self.overflow.insert(text.clone(), id);
        self.clusters.push(Cluster {
            words: Vec::new(),
            text: Some(text),
            leaf: (0, NONE, NONE),
            size: 0,
        });
        self.parent.push(id);
        self.members.push(vec![id]);
        id
    }

    fn intern(&mut self, i: usize) -> u32 {
        if self.ids[i] == UNKNOWN {
            let (s, e) = self.spans[i];
            // The line is lent out so that it can be read while interning.
            let line = std::mem::take(&mut self.line);
            self.ids[i] = self.intern_str(&line[s as usize..e as usize]);
            self.line = line;
        }
        self.ids[i]
    }

    fn intern_str(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.word_ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        let w: Box<str> = Box::from(w);
        self.word_info.push(WordInfo::of(&w));
        self.word_ids.insert(w.clone(), id);
        self.words.push(w);
        id
    }

    /// Whether template word `t` covers token `i` of the message.
    fn covers(&self, t: u32, i: usize) -> bool {
        if t == self.ids[i] {
            return true;
        }
        let Some(ends) = self.word_info[t as usize].pattern else {
            return false;
        };
        let (s, e) = self.spans[i];
        let token = &self.line.as_bytes()[s as usize..e as usize];
        token != WILDCARD.as_bytes() && fits(self.words[t as usize].as_bytes(), ends, token)
    }

    fn token(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.line[s as usize..e as usize]
    }

    /// Compares the message with a template; `None` if it can clearly not
    /// join it.
    fn score(&self, words: &[u32]) -> Option<Score> {
        let n = words.len();
        // `same >= SIMILARITY * n`, written as a cap on the rest.
        let slack = n * (10 - SIMILARITY_TENTHS) / 10;
        let mut score = Score {
            same: 0,
            wild: 0,
            diff: 0,
        };
        let mut run = 0;
        for (i, &t) in words.iter().enumerate() {
            let m = self.ids[i];
            if t == m {
                score.same += 1;
                run = 0;
                continue;
            }
            if t == WILD {
                score.wild += 1;
                run = 0;
            } else if self.covers(t, i) {
                score.same += 1;
                run = 0;
            } else {
                score.diff += 1;
                run += 1;
                if run >= MAX_DIFF_RUN || states_differ(&self.words[t as usize], self.token(i)) {
                    return None;
                }
            }
            if score.wild + score.diff > slack {
                return None;
            }
        }
        Some(score)
    }

    /// The most similar cluster of the leaf the message may join.
    fn best_match(&self, key: &LeafKey) -> Option<u32> {
        let list = self.leaves.get(key)?;
        let mut best: Option<(usize, usize, u32)> = None;
        for &c in list {
            let cluster = &self.clusters[c as usize];
            let Some(score) = self.score(&cluster.words) else {
                continue;
            };
            if score.diff > 0 && cluster.size >= SETTLED {
                continue;
            }
            if best.is_none_or(|(s, w, _)| (score.same, score.wild) > (s, w)) {
                best = Some((score.same, score.wild, c));
            }
        }
        best.map(|(_, _, c)| c)
    }

    /// Widens cluster `c`'s template to cover the message in `ids`.
    fn generalize(&mut self, c: u32) {
        let n = self.ids.len();
        let words = &self.clusters[c as usize].words;
        if (0..n).all(|i| words[i] == WILD || self.covers(words[i], i)) {
            return;
        }
        let old = words.clone();
        let mut new = old.clone();
        for (i, slot) in new.iter_mut().enumerate() {
            let t = *slot;
            if t == WILD || self.covers(t, i) {
                continue;
            }
            let (s, e) = self.spans[i];
            *slot = match widen(&self.words[t as usize], &self.line[s as usize..e as usize]) {
                Some(w) => self.intern_str(&w),
                None => WILD,
            };
        }
        if self.by_template.get(old.as_slice()) == Some(&c) {
            self.by_template.remove(old.as_slice());
        }
        self.clusters[c as usize].words = new;
        self.register(c, Some(&old));
        self.absorb(c);
    }

    /// Indexes cluster `c` under its (new) template, merging it with the
    /// clusters that prove to be the same event.
    fn register(&mut self, c: u32, old: Option<&[u32]>) {
        let words = self.clusters[c as usize].words.clone();
        match self.by_template.get(words.as_slice()).copied() {
            Some(other) if other != c => self.merge_same(other, c),
            Some(_) => {}
            None => {
                self.by_template.insert(words.clone().into_boxed_slice(), c);
            }
        }
        if let Some(old) = old {
            if let Some(sk) = self.skeleton(old) {
                if self.by_skeleton.get(&sk) == Some(&c) {
                    self.by_skeleton.remove(&sk);
                }
            }
            if let Some(tail) = self.tail(old) {
                if let Some(list) = self.by_tail.get_mut(&tail) {
                    list.retain(|&x| x != c);
                }
            }
        }
        if let Some(sk) = self.skeleton(&words) {
            match self.by_skeleton.get(&sk).copied() {
                Some(other) => self.union(other, c),
                None => {
                    self.by_skeleton.insert(sk, c);
                }
            }
        }
        if let Some(tail) = self.tail(&words) {
            let list = self.by_tail.entry(tail).or_default();
            if !list.contains(&c) {
                list.push(c);
            }
            if list.len() >= MIN_TAIL_CLUSTERS {
                let list = list.clone();
                for &d in &list[1..] {
                    self.union(list[0], d);
                }
            }
        }
    }

    /// The fixed words of a template, in order, if enough to identify it:
    /// templates of different length with the same skeleton differ only in
    /// optional or variable-length values ("bytes sent", "bytes (1.2 KB)
    /// sent").
    fn skeleton(&self, words: &[u32]) -> Option<Box<[u32]>> {
        let sk: Box<[u32]> = words
            .iter()
            .copied()
            .filter(|&w| w != WILD && !self.word_info[w as usize].var)
            .collect();
        (sk.len() >= MIN_SKELETON).then_some(sk)
    }

    /// A template past its leading tokens, if long enough for clusters that
    /// share it to be one event whose leading tokens are values. Leading
    /// state words never count as values.
    fn tail(&self, words: &[u32]) -> Option<Box<[u32]>> {
        let p = PREFIX.min(words.len());
        let tail = &words[p..];
        let fixed = tail
            .iter()
            .filter(|&&w| w != WILD && !self.word_info[w as usize].var)
            .count();
        let state_led = words[..p].iter().any(|&w| self.word_info[w as usize].state);
        (fixed >= MIN_TAIL_WORDS && !state_led).then(|| tail.into())
    }

    /// Whether template word `t` covers template word `w` (a state word
    /// only by itself).
    fn covers_word(&self, t: u32, w: u32) -> bool {
        if t == w {
            return true;
        }
        if w == WILD || states_differ(&self.words[t as usize], &self.words[w as usize]) {
            return false;
        }
        match self.word_info[t as usize].pattern {
            Some(ends) => fits(
                self.words[t as usize].as_bytes(),
                ends,
                self.words[w as usize].as_bytes(),
            ),
            None => false,
        }
    }

    /// Merges into `c` the clusters of its leaf that its widened template
    /// now covers: once a word has shown it varies, the clusters that kept
    /// one value of it (settled ones included) are the same event.
    fn absorb(&mut self, c: u32) {
        let leaf = self.clusters[c as usize].leaf;
        let words = &self.clusters[c as usize].words;
        let covered: Vec<u32> = self.leaves[&leaf]
            .iter()
            .copied()
            .filter(|&d| {
                d != c
                    && words
                        .iter()
                        .zip(&self.clusters[d as usize].words)
                        .all(|(&t, &w)| self.covers_word(t, w))
            })
            .collect();
        for d in covered {
            let new = self.clusters[c as usize].words.clone();
            let old = std::mem::replace(&mut self.clusters[d as usize].words, new);
            if self.by_template.get(old.as_slice()) == Some(&d) {
                self.by_template.remove(old.as_slice());
            }
            self.merge_same(c, d);
            if let Some(sk) = self.skeleton(&old) {
                if self.by_skeleton.get(&sk) == Some(&d) {
                    self.by_skeleton.remove(&sk);
                }
            }
            if let Some(tail) = self.tail(&old) {
                if let Some(list) = self.by_tail.get_mut(&tail) {
                    list.retain(|&x| x != d);
                }
            }
        }
    }

    /// Merges clusters `a` and `b`, whose templates are now the same. The
    /// larger id leaves the search: the smaller one speaks for both.
    fn merge_same(&mut self, a: u32, b: u32) {
        self.union(a, b);
        let (keep, drop) = (a.min(b), a.max(b));
        let leaf = self.clusters[drop as usize].leaf;
        if let Some(list) = self.leaves.get_mut(&leaf) {
            list.retain(|&x| x != drop);
        }
        let key = self.clusters[keep as usize]
            .words
            .clone()
            .into_boxed_slice();
        self.by_template.insert(key, keep);
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (keep, drop) = (a.min(b), a.max(b));
        self.parent[drop as usize] = keep;
        let moved = std::mem::take(&mut self.members[drop as usize]);
        self.members[keep as usize].extend(moved);
    }
}

// ---------------------------------------------------------------------------
// Evaluation

/// Grouping accuracy as in the Loghub and Drain papers: the share of
/// messages whose predicted cluster holds exactly the messages of their
/// true event.
pub fn grouping_accuracy(truth: &[&str], predicted: &[usize]) -> f64 {
    assert_eq!(truth.len(), predicted.len(), "one prediction per message");
    if truth.is_empty() {
        return 1.0;
    }
    let mut truth_sizes: HashMap<&str, usize> = HashMap::new();
    for t in truth {
        *truth_sizes.entry(t).or_default() += 1;
    }
    // Per predicted cluster: size, one true event, and whether all agree.
    let mut clusters: HashMap<usize, (usize, &str, bool)> = HashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        let e = clusters.entry(p).or_insert((0, t, true));
        e.0 += 1;
        e.2 &= e.1 == t;
    }
    let correct: usize = clusters
        .values()
        .filter(|(size, t, pure)| *pure && truth_sizes[t] == *size)
        .map(|(size, _, _)| size)
        .sum();
    correct as f64 / truth.len() as f64
}

/// The 16 Loghub 2k samples, under `fixtures/loghub/<System>/`.
pub const LOGHUB_SYSTEMS: [&str; 16] = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "HealthApp",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
];

/// The `Content` and `EventId` columns of a Loghub structured CSV.
pub fn read_loghub(csv_path: &std::path::Path) -> Result<Vec<(String, String)>, csv::Error> {
    let mut reader = csv::Reader::from_path(csv_path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            csv::Error::from(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("no {name} column"),
            ))
        })
    };
    let (content, event) = (column("Content")?, column("EventId")?);
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row?;
        rows.push((row[content].to_string(), row[event].to_string()));
    }
    Ok(rows)
}

/// Mines the messages of one source with a fresh [`Miner`]; returns each
/// message's final cluster (resolved after all merges) and the miner.
pub fn mine<'a>(messages: impl IntoIterator<Item = &'a str>) -> (Vec<usize>, Miner) {
    let mut miner = Miner::new();
    let joined: Vec<usize> = messages.into_iter().map(|m| miner.add(m)).collect();
    let resolved = joined.iter().map(|&c| miner.resolve(c)).collect();
    (resolved, miner)
}

/// Grouping accuracy of a fresh [`Miner`] on a Loghub structured CSV.
pub fn loghub_grouping_accuracy(csv_path: &std::path::Path) -> Result<f64, csv::Error> {
    let rows = read_loghub(csv_path)?;
    let (predicted, _) = mine(rows.iter().map(|(m, _)| m.as_str()));
    let truth: Vec<&str> = rows.iter().map(|(_, e)| e.as_str()).collect();
    Ok(grouping_accuracy(&truth, &predicted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;

    fn mined(messages: &[&str]) -> (Vec<usize>, Miner) {
        mine(messages.iter().copied())
    }

    #[test]
    fn masks_numbers_ids_addresses_and_values() {
        assert_eq!(
            template("connection to 10.0.3.7:5432 refused after 3000ms (attempt 3)"),
            "connection to <*> refused after <*> (attempt <*>)"
        );
        assert_eq!(
            template("deploy started version=2.14.0 sha=9f1c2ab env=prod"),
            "deploy started version=<*> sha=<*> env=prod"
        );
        assert_eq!(
            template("request a3f9c2d4-1b2c-4d5e-8f90-123456789abc failed"),
            "request <*> failed"
        );
        assert_eq!(
            template("mask=ffffffff opened /var/log/syslog via http://example.org/x"),
            "mask=<*> opened <*> via <*>"
        );
        assert_eq!(template("wpad:80 error"), "<*> error");
        // Hex is judged without the edge punctuation around it.
        assert_eq!(
            template("key (deadbeef), cafebabe: [abcdef]"),
            "key (<*>), <*>: [abcdef]"
        );
        assert_eq!(
            template("onExtend:1514038530000 14 0 4"),
            "onExtend:<*> <*>"
        );
    }

    #[test]
    fn dates_and_units_are_part_of_the_value() {
        assert_eq!(
            template("connection from 1.2.3.4 at Sun Jul 17 07:07:00 2005"),
            "connection from <*> at <*>"
        );
        assert_eq!(
            template("stored 17.7 GB (free 512 KB) in 3 ms"),
            "stored <*> (free <*>) in <*>"
        );
        // Outside a date or after no number they are words.
        assert_eq!(template("May the B team win"), "May the B team win");
    }

    #[test]
    fn same_shape_same_template_and_stack_traces_do_not_split_it() {
        assert_eq!(
            template("pool exhausted: 50/50 in use"),
            template("pool exhausted: 49/50 in use")
        );
        assert_eq!(
            template("boom id=1\n  at x.y(Z.java:10)"),
            template("boom id=2\n  at q.r(S.java:99)")
        );
        assert_ne!(template("disk full"), template("disk ok"));
    }

    #[test]
    fn same_shape_shares_a_cluster_and_ids_count_up() {
        let mut miner = Miner::new();
        assert_eq!(miner.add("Connection from 10.0.0.1 port 22"), 0);
        assert_eq!(miner.add("Connection from 10.0.0.2 port 2222"), 0);
        assert_eq!(miner.add("Disk quota exceeded on volume data"), 1);
        assert_eq!(miner.add("Connection from 10.9.9.9 port 80"), 0);
        assert_eq!(miner.len(), 2);
        assert_eq!(miner.template(0), "Connection from <*> port <*>");
        assert_eq!(miner.template(1), "Disk quota exceeded on volume data");
    }

    #[test]
    fn different_wording_does_not_share_a_cluster() {
        let (ids, _) = mined(&[
            "Disk quota exceeded on volume data",
            "Backup finished on volume data",
            "ciod: Error loading /a/b: Bad file descriptor",
            "ciod: Error loading /a/b: No child processes",
        ]);
        assert_eq!(ids, [0, 1, 2, 3]);
    }

    #[test]
    fn varying_words_generalize() {
        let (ids, miner) = mined(&[
            "Invalid user admin from 1.2.3.4",
            "Invalid user oracle from 1.2.3.5",
            "Invalid user test from 1.2.3.6",
            "session opened for user=root by 0",
            "session opened for user=guest by 0",
        ]);
        assert!(ids[..3].iter().all(|&c| c == ids[0]), "{ids:?}");
        assert_eq!(miner.template(ids[0]), "Invalid user <*> from <*>");
        assert_eq!(ids[3], ids[4]);
        assert_eq!(miner.template(ids[3]), "session opened for user=<*> by <*>");
    }

    #[test]
    fn state_words_are_sorted_and_short() {
        assert!(STATE_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STATE_WORDS.iter().all(|w| w.len() <= 12));
        assert!(is_state_word("Up") && is_state_word("FAILED") && !is_state_word("user"));
    }

    #[test]
    fn state_words_keep_events_apart() {
        let (ids, _) = mined(&[
            "AirPort: Link Up on en0",
            "AirPort: Link Down on en0",
            "WWEN[enable] for wl0",
            "WWEN[disable] for wl0",
            "[instance: 1] VM Started (Lifecycle Event)",
            "[instance: 2] VM Paused (Lifecycle Event)",
        ]);
        assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn settled_wording_keeps_a_rare_variant_apart_until_the_word_varies() {
        let mut miner = Miner::new();
        for i in 0..20 {
            miner.add(&format!(
                "Session: {i} initialized by client WindowsUpdateAgent."
            ));
        }
        let rare = miner.add("Session: 99 initialized by client SPP.");
        assert_ne!(miner.resolve(rare), miner.resolve(0));

        for i in 0..20 {
            miner.add(&format!(
                "Failed password for root from 10.0.0.{i} port 22 ssh2"
            ));
        }
        let root = miner.add("Failed password for root from 10.0.0.1 port 22 ssh2");
        let uucp = miner.add("Failed password for uucp from 10.0.0.1 port 22 ssh2");
        assert_ne!(miner.resolve(uucp), miner.resolve(root));
        // A second user shows the word varies: all three are one event.
        let ftp = miner.add("Failed password for ftp from 10.0.0.1 port 22 ssh2");
        assert_eq!(miner.resolve(ftp), miner.resolve(root));
        assert_eq!(miner.resolve(uucp), miner.resolve(root));
        // "22 ssh2": adjacent values are one.
        assert_eq!(
            miner.template(uucp),
            "Failed password for <*> from <*> port <*>"
        );
        assert_eq!(miner.template(root), miner.template(uucp));
    }

    #[test]
    fn optional_values_and_varying_leading_words_merge() {
        let (ids, miner) = mined(&[
            "h:1 close, 0 bytes sent, 0 bytes received, lifetime 00:01",
            "h:1 close, 1190 bytes (1.16 KB) sent, 5 bytes received, lifetime 00:02",
            "h:1 close, 1190 bytes (1.16 KB) sent, 5 bytes (1.2 KB) received, lifetime <1 sec",
        ]);
        assert!(ids.iter().all(|&c| c == ids[0]), "{ids:?}");
        assert_eq!(
            miner.template(ids[1]),
            "<*> close, <*> bytes (<*>) sent, <*> bytes (<*>) received, lifetime <<*>"
        );
        let tail = "scheduler_evaluate_activity told me to run this job; however";
        let (ids, miner) = mined(&[
            &format!("com.apple.a: {tail}"),
            &format!("com.apple.b: {tail}"),
            &format!("com.apple.c: {tail}"),
        ]);
        assert!(ids
            .iter()
            .all(|&c| miner.resolve(c) == miner.resolve(ids[0])));
        assert_eq!(miner.template(ids[0]), format!("<*>: {tail}"));
    }

    #[test]
    fn ids_stay_valid_and_results_are_deterministic() {
        let rows = read_loghub(&loghub_csv("Mac")).expect("Mac sample");
        let run = || {
            let mut miner = Miner::new();
            let ids: Vec<usize> = rows.iter().map(|(m, _)| miner.add(m)).collect();
            let templates: Vec<String> = ids.iter().map(|&c| miner.template(c)).collect();
            (ids, templates, miner)
        };
        let (ids, templates, miner) = run();
        let (ids2, templates2, _) = run();
        assert_eq!(ids, ids2);
        assert_eq!(templates, templates2);
        let mut returned = std::collections::HashSet::new();
        let mut newest = None;
        for &c in &ids {
            assert!(c < miner.len());
            // Ids first appear in increasing order (one merged on creation
            // is never returned).
            if returned.insert(c) {
                assert!(newest.is_none_or(|n| c > n), "new id {c} after {newest:?}");
                newest = Some(c);
            }
            assert_eq!(miner.template(c), miner.template(miner.resolve(c)));
        }
        // Every surviving group has its own text, so the store's template
        // table (keyed by text) groups as the miner does.
        let roots: std::collections::HashSet<usize> =
            ids.iter().map(|&c| miner.resolve(c)).collect();
        let texts: std::collections::HashSet<String> =
            roots.iter().map(|&c| miner.template(c)).collect();
        assert_eq!(roots.len(), texts.len());
    }

    #[test]
    fn long_and_odd_messages() {
        let mut miner = Miner::new();
        let long = vec!["word"; 10_000].join(" ");
        let c = miner.add(&long);
        assert_eq!(miner.template(c).split(' ').count(), MAX_TOKENS);
        let blob = "x".repeat(1 << 20);
        let c = miner.add(&blob);
        assert_eq!(miner.template(c), "<*>");
        let nested = "a=".repeat(100_000);
        miner.add(&nested);
        let first_line_only = miner.add("boom id=1\n  at x.y(Z.java:10)");
        assert_eq!(
            miner.add("boom id=2\r\n  at q.r(S.java:99)"),
            first_line_only
        );
        assert_eq!(miner.template(first_line_only), "boom id=<*>");
    }

    #[test]
    fn past_the_cluster_cap_new_shapes_fall_back_to_their_masked_text() {
        // Letters only, so that no word is masked and each shape is new.
        let word = |mut i: usize| {
            let mut w = String::new();
            loop {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
                if i == 0 {
                    return w;
                }
            }
        };
        let mut miner = Miner::new();
        for i in 0..MAX_CLUSTERS {
            miner.add(&format!("{} {} end", word(i), word(i + 7)));
        }
        assert_eq!(miner.len(), MAX_CLUSTERS);
        let c = miner.add("brand new shape 42");
        assert_eq!(c, MAX_CLUSTERS);
        assert_eq!(miner.template(c), "brand new shape <*>");
        assert_eq!(miner.add("brand new shape 43"), c);
        // Known shapes still join their clusters.
        assert_eq!(miner.add(&format!("{} {} end", word(5), word(12))), 5);
    }

    #[test]
    fn empty_messages_share_one_empty_template() {
        let (ids, miner) = mined(&["", "   ", "\n\nnot the first line", "\t"]);
        assert!(ids.iter().all(|&c| c == ids[0]), "{ids:?}");
        assert_eq!(miner.template(ids[0]), "");
    }

    #[test]
    fn grouping_accuracy_counts_exact_groups_only() {
        let truth = ["a", "a", "b", "b", "c"];
        assert_eq!(grouping_accuracy(&truth, &[0, 0, 1, 1, 2]), 1.0);
        // b and c mixed: only a's two messages are right.
        assert_eq!(grouping_accuracy(&truth, &[0, 0, 1, 1, 1]), 0.4);
        // a split: wrong even though each part is pure.
        assert_eq!(grouping_accuracy(&truth, &[0, 3, 1, 1, 2]), 0.6);
    }

    fn loghub_csv(system: &str) -> std::path::PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/loghub"))
            .join(format!("{system}/{system}_2k.log_structured.csv"))
    }

    #[test]
    fn loghub_mean_grouping_accuracy_is_at_least_0_90() {
        let mut total = 0.0;
        let mut report = String::new();
        for system in LOGHUB_SYSTEMS {
            let ga = loghub_grouping_accuracy(&loghub_csv(system))
                .unwrap_or_else(|e| panic!("{system}: {e}"));
            report.push_str(&format!("{system} {ga:.3}\n"));
            total += ga;
        }
        let mean = total / LOGHUB_SYSTEMS.len() as f64;
        assert!(mean >= 0.90, "mean GA {mean:.3}\n{report}");
    }

    proptest! {
        #[test]
        fn add_never_panics(messages in prop::collection::vec(any::<String>(), 0..20)) {
            let mut miner = Miner::new();
            for m in &messages {
                let c = miner.add(m);
                prop_assert!(c < miner.len());
                prop_assert_eq!(miner.add(m), c);
                miner.template(c);
                template(m);
            }
        }

        #[test]
        fn merges_keep_ids_valid(
            messages in prop::collection::vec("[a-c0-9 =:/()<>*.,\\[\\]\n]{0,30}", 0..80)
        ) {
            let (resolved, miner) = mine(messages.iter().map(String::as_str));
            let (again, _) = mine(messages.iter().map(String::as_str));
            prop_assert_eq!(&resolved, &again);
            for &c in &resolved {
                prop_assert!(c < miner.len());
                prop_assert_eq!(miner.resolve(c), c);
                miner.template(c);
            }
        }

        #[test]
        fn repeats_mine_as_the_miner_alone_does(
            picks in prop::collection::vec(0..12usize, 0..120),
            pool in prop::collection::vec("(user|host|[0-9]{1,3}|ok|failed|=|:| |\n){1,8}", 12)
        ) {
            let messages: Vec<&str> = picks.iter().map(|&i| pool[i].as_str()).collect();
            assert_repeats_mine_alike(&messages);
        }
    }

    /// What `Repeats` returns, cluster and fact, is what the miner alone
    /// and the fact give, and the miner ends with the same templates.
    fn assert_repeats_mine_alike(messages: &[&str]) {
        let mut alone = Miner::new();
        let mut with_repeats = Miner::new();
        let mut repeats = Repeats::default();
        for &m in messages {
            let expected = (alone.add(m), m.len());
            assert_eq!(
                repeats.add(&mut with_repeats, m, str::len),
                expected,
                "{m:?}"
            );
        }
        assert_eq!(alone.len(), with_repeats.len());
        for c in 0..alone.len() {
            assert_eq!(alone.template(c), with_repeats.template(c));
            assert_eq!(alone.clusters[c].size, with_repeats.clusters[c].size);
        }
    }

    /// A source whose messages never repeat stops being remembered for a
    /// while, and is mined exactly as before all the same.
    #[test]
    fn messages_that_never_repeat_are_let_pass_unremembered() {
        let unique: Vec<String> = (0..MAX_REPEATS + 10)
            .map(|i| format!("received block blk_{i} of size {}", i * 7))
            .collect();
        let mut messages: Vec<&str> = unique.iter().map(String::as_str).collect();
        messages.extend(["disk full", "disk full"]);
        assert_repeats_mine_alike(&messages);
        let mut repeats = Repeats::default();
        let mut miner = Miner::new();
        for m in &messages {
            repeats.add(&mut miner, m, str::len);
        }
        assert!(repeats.resting > 0 && repeats.resting < REST_MESSAGES);
        assert!(repeats.known.len() < MAX_REPEATS);
    }

    /// Past `MAX_SEEN` masked lines the miner forgets them; a repeat
    /// remembered from before must then be placed anew, as the miner alone
    /// would place it. Messages too long to be remembered fill the miner's
    /// memory without filling that of `Repeats`.
    #[test]
    fn repeats_stay_exact_when_the_miner_forgets() {
        let word = |mut i: usize| {
            let mut w = String::new();
            loop {
                w.push(char::from(b'a' + (i % 26) as u8));
                i /= 26;
                if i == 0 {
                    return w;
                }
            }
        };
        let padding = "x".repeat(MAX_REPEAT_BYTES);
        let long: Vec<String> = (0..MAX_SEEN)
            .map(|i| format!("{} {} finished {padding}", word(i), word(i + 7)))
            .collect();
        let short = ["pool alpha ready", "pool beta ready", "disk full"];
        let mut messages: Vec<&str> = short.to_vec();
        messages.extend(long.iter().map(String::as_str));
        messages.extend(short);
        assert_repeats_mine_alike(&messages);
    }
}
