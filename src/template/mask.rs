//! Masking one message on its own: tokens that are data become `<*>`.

/// Tokens of a message that count: the shape of a message is in its first
/// words, and the cap bounds the work on pathological lines.
pub(super) const MAX_TOKENS: usize = 200;
/// Longer tokens are data (encoded blobs, dumps); the cap also bounds the
/// work spent on one token.
const MAX_TOKEN_BYTES: usize = 256;

/// The wildcard, as written in templates.
pub(super) const WILDCARD: &str = "<*>";

pub(super) fn is_open_edge(b: u8) -> bool {
    matches!(b, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'' | b'`')
}

pub(super) fn is_close_edge(b: u8) -> bool {
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
pub(super) enum Shape {
    /// Kept as written.
    Word,
    /// `<*>`, keeping `pre` and `suf` bytes of edge punctuation.
    Var { pre: u16, suf: u16 },
    /// Kept up to `key_end` (`key=`, `key:`), the rest masked as a token.
    Keyed { key_end: usize },
}

pub(super) fn shape(token: &str) -> Shape {
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
        // A port has at most five digits: "session:40877397" is an id.
        let host_port = value.len() <= 5
            && value.iter().all(u8::is_ascii_digit)
            && !key.iter().any(u8::is_ascii_uppercase);
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
pub(super) struct Tok {
    pub(super) start: u32,
    pub(super) end: u32,
    in_buffer: bool,
    kind: Kind,
    /// For `Var`, the bytes of edge punctuation kept before and after the
    /// `<*>`.
    pub(super) pre: u16,
    pub(super) suf: u16,
    date_word: bool,
    pub(super) unit: bool,
}

/// Reusable buffers, so that masking a message allocates nothing once warm.
#[derive(Default, Debug)]
pub(super) struct Masker {
    pub(super) keyed: String,
    toks: Vec<Tok>,
}

impl Masker {
    pub(super) fn text<'a>(&'a self, message: &'a str, t: &Tok) -> &'a str {
        let source = if t.in_buffer { &self.keyed } else { message };
        &source[t.start as usize..t.end as usize]
    }

    /// Masks the first line of `message` into `line` as single-space
    /// separated tokens, with each token's byte span in `spans`.
    pub(super) fn mask(&mut self, message: &str, line: &mut String, spans: &mut Vec<(u32, u32)>) {
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
