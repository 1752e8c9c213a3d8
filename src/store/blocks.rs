//! Routine log lines, stored in blocks: most of a large incident's events
//! are log lines that no draft will show one by one. Storing each as a
//! SQLite row costs more than reading and parsing it, so a source's
//! routine lines are packed, in source order, into blocks of up to
//! [`BLOCK_LINES`] lines (one `line_blocks` row each, with the block's time
//! span). A line keeps all its provenance: position, line numbers, byte
//! range, locator, times and flags, template, level, host, service,
//! system, identifiers, attributes; its message is a byte range of the
//! record, read back from the evidence, or its text where the record does
//! not hold it verbatim; so is its time text.
//!
//! A log line goes into a block when it is not chatter and nothing about
//! it needs a column of its own (an actor, a person); notable lines into
//! blocks of their own. Every other event is a row of `events`.
//!
//! Layout of a block (layout [`LAYOUT`], the `line_blocks.layout` column):
//! a string table (varint count, then each string as varint length +
//! UTF-8), a varint line count, then per line: seq delta, time delta
//! (zigzag), quality bits, precision, line delta (zigzag), extra lines,
//! byte start delta (zigzag), byte length, the message (start × 2 and
//! length, or string-table reference × 2 + 1), then level, host, service
//! and attributes as string-table references (0 = none), the template
//! cluster, and a varint of the extras that follow, each when its bit is
//! set: the locator (bit 1), system (2), identifiers (4: count, then
//! references) and the time as written where the record does not hold it
//! (8). A locator is mostly a path or row ending in a number that grows
//! by one from line to line (`$.hits.hits[17]`, `row 5`), so it is
//! written as the reference of the text before its last number × 2 + 1,
//! the reference of the text after it (0 = none), and the number's
//! difference from the previous such number (zigzag); any other locator
//! as its own reference × 2. Layout 1 (schema 6 and before) ends a line
//! at its cluster and has none of the extras.

use std::borrow::Cow;
use std::sync::Arc;

use crate::model::Quality;

/// Lines per block: large enough that a block row costs little per line,
/// small enough that a narrow time range decodes few lines it does not
/// need.
pub const BLOCK_LINES: usize = 1024;

/// The layout [`encode`] writes; [`decode`] reads it and every earlier one.
pub const LAYOUT: u32 = 2;

/// Extras a line of layout 2 may carry, as bits of its extras varint.
const HAS_LOCATOR: u64 = 1;
const HAS_SYSTEM: u64 = 2;
const HAS_IDENTIFIERS: u64 = 4;
const HAS_TIME_TEXT: u64 = 8;

/// One routine line, as encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Position among the source's events.
    pub seq: u64,
    /// UTC microseconds.
    pub time: i64,
    /// Time flags.
    pub quality: Quality,
    /// Precision name.
    pub precision: Cow<'static, str>,
    /// First line.
    pub line: u64,
    /// Last line.
    pub line_end: u64,
    /// The record's bytes in the source.
    pub bytes: (u64, u64),
    /// The message.
    pub message: Message,
    /// Level.
    pub level: Option<Cow<'static, str>>,
    /// Host.
    pub host: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// JSON object of attributes, shared with the lines before it that
    /// carry the same (a log platform's stream labels on every line).
    pub attributes: Option<Arc<str>>,
    /// Template cluster in its source's miner.
    pub cluster: u64,
    /// Position in the source when more than `line N` (`$.hits.hits[17]`).
    pub locator: Option<String>,
    /// Product that recorded it (a parser's constant name, not copied).
    pub system: Option<Cow<'static, str>>,
    /// Identifiers the record carries.
    pub identifiers: Vec<String>,
    /// The time as written, where the record's bytes do not hold it.
    pub time_text: Option<String>,
}

/// A line's message: where it is in the record's bytes, or, when the
/// record does not hold it verbatim (a parser's summary, unescaped JSON),
/// its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Start and end within the record.
    Range(u32, u32),
    /// The text itself.
    Text(String),
}

/// A block ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Lines in it.
    pub lines: u64,
    /// Earliest and latest time in it.
    pub span: (i64, i64),
    /// Every time flag of its lines.
    pub quality: Quality,
    /// Whether its lines are notable (and keep their message as text).
    pub notable: bool,
    /// The encoded lines.
    pub data: Vec<u8>,
}

/// Why a stored block could not be read (a damaged database).
#[derive(Debug, thiserror::Error)]
#[error("a line block is damaged: {0}")]
pub struct Damaged(&'static str);

/// Packs lines into a block of layout [`LAYOUT`].
pub fn encode(lines: &[Line], notable: bool) -> Block {
    let mut strings = Strings::for_lines(lines);
    // A routine line takes under 24 bytes, so the body seldom grows.
    let mut body = Body::with_capacity(lines.len() * 24);
    let mut previous = (0u64, 0i64, 0u64, 0u64);
    let mut previous_index = 0u64;
    let mut span = (i64::MAX, i64::MIN);
    let mut quality = Quality::default();
    for l in lines {
        body.make_room(l.identifiers.len());
        body.put(l.seq.wrapping_sub(previous.0));
        body.put(zigzag(l.time.wrapping_sub(previous.1)));
        body.put(u64::from(l.quality.bits()));
        body.put(strings.reference(Field::Precision, Some(&l.precision)));
        body.put(zigzag(l.line.wrapping_sub(previous.2) as i64));
        body.put(l.line_end.saturating_sub(l.line));
        body.put(zigzag(l.bytes.0.wrapping_sub(previous.3) as i64));
        body.put(l.bytes.1.saturating_sub(l.bytes.0));
        match &l.message {
            Message::Range(from, to) => {
                body.put(u64::from(*from) << 1);
                body.put(u64::from(to.saturating_sub(*from)));
            }
            Message::Text(text) => body.put(strings.reference(Field::Message, Some(text)) << 1 | 1),
        }
        body.put(strings.reference(Field::Level, l.level.as_deref()));
        body.put(strings.reference(Field::Host, l.host.as_deref()));
        body.put(strings.reference(Field::Service, l.service.as_deref()));
        body.put(strings.reference(Field::Attributes, l.attributes.as_deref()));
        body.put(l.cluster);
        let extras = [
            (l.locator.is_some(), HAS_LOCATOR),
            (l.system.is_some(), HAS_SYSTEM),
            (!l.identifiers.is_empty(), HAS_IDENTIFIERS),
            (l.time_text.is_some(), HAS_TIME_TEXT),
        ]
        .into_iter()
        .filter(|(has, _)| *has)
        .fold(0, |bits, (_, bit)| bits | bit);
        body.put(extras);
        if let Some(locator) = &l.locator {
            match split_locator(locator) {
                Some((before, index, after)) => {
                    body.put(strings.reference(Field::LocatorHead, Some(before)) << 1 | 1);
                    body.put(
                        strings
                            .reference(Field::LocatorTail, Some(after).filter(|a| !a.is_empty())),
                    );
                    body.put(zigzag(index.wrapping_sub(previous_index) as i64));
                    previous_index = index;
                }
                None => body.put(strings.reference(Field::Locator, Some(locator)) << 1),
            }
        }
        if let Some(system) = &l.system {
            body.put(strings.reference(Field::System, Some(system)));
        }
        if !l.identifiers.is_empty() {
            body.put(l.identifiers.len() as u64);
            for id in &l.identifiers {
                body.put(strings.reference(Field::Identifier, Some(id)));
            }
        }
        if let Some(text) = &l.time_text {
            body.put(strings.reference(Field::TimeText, Some(text)));
        }
        previous = (l.seq, l.time, l.line, l.bytes.0);
        span = (span.0.min(l.time), span.1.max(l.time));
        quality.insert(l.quality);
    }
    let body = body.written();
    // Sized exactly: a table of distinct messages is most of a block.
    let size = varint_len(strings.list.len() as u64)
        + strings.size
        + varint_len(lines.len() as u64)
        + body.len();
    let mut data = Vec::with_capacity(size);
    put(&mut data, strings.list.len() as u64);
    for s in &strings.list {
        put(&mut data, s.len() as u64);
        data.extend_from_slice(s.as_bytes());
    }
    put(&mut data, lines.len() as u64);
    data.extend_from_slice(body);
    debug_assert_eq!(data.len(), size);
    Block {
        lines: lines.len() as u64,
        span,
        quality,
        notable,
        data,
    }
}

/// A locator as the text before its last number, the number and the text
/// after it; `None` when the number would not be written back the same
/// (a leading zero, too many digits) or there is none.
fn split_locator(locator: &str) -> Option<(&str, u64, &str)> {
    let bytes = locator.as_bytes();
    let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &locator[start..end];
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    Some((&locator[..start], digits.parse().ok()?, &locator[end..]))
}

/// Unpacks a block's lines, in source order, from its `layout` (1 or 2).
pub fn decode(data: &[u8], layout: u32) -> Result<Vec<Line>, Damaged> {
    if !(1..=LAYOUT).contains(&layout) {
        return Err(Damaged("a layout this factline does not know"));
    }
    let mut r = Reader { data, at: 0 };
    let count = r.count()?;
    let mut strings = Vec::with_capacity(count);
    for _ in 0..count {
        let len = r.count()?;
        let bytes = r.take(len)?;
        strings.push(std::str::from_utf8(bytes).map_err(|_| Damaged("text is not UTF-8"))?);
    }
    let string = |i: u64| -> Result<Option<&str>, Damaged> {
        match i {
            0 => Ok(None),
            i => strings
                .get(i as usize - 1)
                .map(|s| Some(*s))
                .ok_or(Damaged("reference past the string table")),
        }
    };
    let text = |i: u64| Ok(string(i)?.map(str::to_string));
    let count = r.count()?;
    let mut lines = Vec::with_capacity(count.min(BLOCK_LINES));
    let mut previous = (0u64, 0i64, 0u64, 0u64);
    let mut previous_index = 0u64;
    for _ in 0..count {
        let seq = previous.0.wrapping_add(r.varint()?);
        let time = previous.1.wrapping_add(unzigzag(r.varint()?));
        let quality = Quality::from_bits(u8::try_from(r.varint()?).map_err(|_| Damaged("flags"))?);
        let precision = Cow::Owned(text(r.varint()?)?.ok_or(Damaged("precision missing"))?);
        let line = previous.2.wrapping_add(unzigzag(r.varint()?) as u64);
        let line_end = line.wrapping_add(r.varint()?);
        let start = previous.3.wrapping_add(unzigzag(r.varint()?) as u64);
        let bytes = (start, start.wrapping_add(r.varint()?));
        let tagged = r.varint()?;
        let message = if tagged & 1 == 1 {
            Message::Text(text(tagged >> 1)?.ok_or(Damaged("message missing"))?)
        } else {
            let from = u32::try_from(tagged >> 1).map_err(|_| Damaged("message range"))?;
            let to = u32::try_from(r.varint()?)
                .ok()
                .and_then(|len| from.checked_add(len))
                .ok_or(Damaged("message range"))?;
            Message::Range(from, to)
        };
        let level = text(r.varint()?)?.map(Cow::Owned);
        let host = text(r.varint()?)?;
        let service = text(r.varint()?)?;
        let attributes = text(r.varint()?)?.map(Arc::from);
        let cluster = r.varint()?;
        let extras = if layout >= 2 { r.varint()? } else { 0 };
        if extras & !(HAS_LOCATOR | HAS_SYSTEM | HAS_IDENTIFIERS | HAS_TIME_TEXT) != 0 {
            return Err(Damaged("unknown extras"));
        }
        let mut locator = None;
        if extras & HAS_LOCATOR != 0 {
            let tagged = r.varint()?;
            let head = string(tagged >> 1)?.ok_or(Damaged("locator missing"))?;
            locator = Some(if tagged & 1 == 1 {
                let tail = string(r.varint()?)?.unwrap_or_default();
                let index = previous_index.wrapping_add(unzigzag(r.varint()?) as u64);
                previous_index = index;
                format!("{head}{index}{tail}")
            } else {
                head.to_string()
            });
        }
        let system = match extras & HAS_SYSTEM {
            0 => None,
            _ => Some(Cow::Owned(
                text(r.varint()?)?.ok_or(Damaged("system missing"))?,
            )),
        };
        let mut identifiers = Vec::new();
        if extras & HAS_IDENTIFIERS != 0 {
            for _ in 0..r.count()? {
                identifiers.push(text(r.varint()?)?.ok_or(Damaged("identifier missing"))?);
            }
        }
        let time_text = match extras & HAS_TIME_TEXT {
            0 => None,
            _ => Some(text(r.varint()?)?.ok_or(Damaged("time text missing"))?),
        };
        previous = (seq, time, line, start);
        lines.push(Line {
            seq,
            time,
            quality,
            precision,
            line,
            line_end,
            bytes,
            message,
            level,
            host,
            service,
            attributes,
            cluster,
            locator,
            system,
            identifiers,
            time_text,
        });
    }
    Ok(lines)
}

/// A block's string table: each distinct text once, referred to by its
/// 1-based place (0 is "none").
struct Strings<'a> {
    list: Vec<&'a str>,
    /// Bytes the table takes in the block, besides its count.
    size: usize,
    places: crate::template::Map<&'a str, u64>,
    previous: [Previous<'a>; Field::COUNT],
}

/// The fields a line takes from the string table, each remembering its
/// previous text.
#[derive(Clone, Copy)]
enum Field {
    Precision,
    Message,
    Level,
    Host,
    Service,
    Attributes,
    LocatorHead,
    LocatorTail,
    Locator,
    System,
    Identifier,
    TimeText,
}

impl Field {
    const COUNT: usize = Field::TimeText as usize + 1;
}

/// A field's text on the previous line, its place, and whether it was the
/// same as on the line before: a field mostly repeats from line to line,
/// which a comparison finds sooner than a hash lookup, unless it alternates
/// (hosts taking turns), when the comparison is mostly wasted.
#[derive(Clone, Copy, Default)]
struct Previous<'a> {
    text: &'a str,
    place: u64,
    repeated: bool,
}

impl<'a> Strings<'a> {
    /// Messages kept as text are mostly distinct, so the table starts
    /// with room for them rather than rehashing as it grows; the other
    /// fields take few texts.
    fn for_lines(lines: &[Line]) -> Self {
        let texts = lines
            .iter()
            .filter(|l| matches!(l.message, Message::Text(_)))
            .count();
        Strings {
            list: Vec::with_capacity(texts),
            size: 0,
            places: crate::template::Map::with_capacity_and_hasher(texts, Default::default()),
            previous: [Previous::default(); Field::COUNT],
        }
    }

    #[inline]
    fn reference(&mut self, field: Field, text: Option<&'a str>) -> u64 {
        let Some(text) = text else { return 0 };
        let field = field as usize;
        let previous = self.previous[field];
        // Borrowed names (precision, level) are the same pointer, which
        // spares comparing their bytes.
        if previous.repeated && (std::ptr::eq(previous.text, text) || previous.text == text) {
            return previous.place;
        }
        let place = *self.places.entry(text).or_insert_with(|| {
            self.list.push(text);
            self.size += varint_len(text.len() as u64) + text.len();
            self.list.len() as u64
        });
        self.previous[field] = Previous {
            text,
            place,
            repeated: place == previous.place,
        };
        place
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The lines' varints, written into zeroed room ahead: pushing checks the
/// capacity for each byte, and gathering a line elsewhere costs a copy.
struct Body {
    bytes: Vec<u8>,
    len: usize,
}

impl Body {
    /// Twenty-two varints (a message range takes two, a locator three) of
    /// up to ten bytes, besides the identifiers.
    const LINE_MAX: usize = 22 * 10;

    fn with_capacity(bytes: usize) -> Self {
        Body {
            bytes: vec![0; bytes.max(Body::LINE_MAX)],
            len: 0,
        }
    }

    /// Room for one more line, which has `identifiers`.
    fn make_room(&mut self, identifiers: usize) {
        let needed = Body::LINE_MAX + identifiers * 10;
        while self.bytes.len() - self.len < needed {
            self.bytes.resize(self.bytes.len() * 2, 0);
        }
    }

    /// Inlined for the one-byte values most fields are; longer ones
    /// take a call.
    #[inline(always)]
    fn put(&mut self, v: u64) {
        if v < 0x80 {
            self.bytes[self.len] = v as u8;
            self.len += 1;
        } else {
            self.put_long(v);
        }
    }

    fn put_long(&mut self, mut v: u64) {
        // Ten bytes hold any u64, so the last one returns.
        for (i, byte) in self.bytes[self.len..self.len + 10].iter_mut().enumerate() {
            if v < 0x80 {
                *byte = v as u8;
                self.len += i + 1;
                return;
            }
            *byte = v as u8 | 0x80;
            v >>= 7;
        }
    }

    fn written(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, Damaged> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.data.get(self.at).ok_or(Damaged("ends early"))?;
            self.at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(v);
            }
        }
        Err(Damaged("overlong number"))
    }

    /// A length or count, which cannot exceed the bytes left.
    fn count(&mut self) -> Result<usize, Damaged> {
        let v = self.varint()?;
        usize::try_from(v)
            .ok()
            .filter(|&n| n <= self.data.len() - self.at)
            .ok_or(Damaged("count larger than the block"))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Damaged> {
        let bytes = self
            .data
            .get(self.at..self.at + len)
            .ok_or(Damaged("ends early"))?;
        self.at += len;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(seq: u64, time: i64, host: Option<&str>) -> Line {
        Line {
            seq,
            time,
            quality: Quality::from_bits(0),
            precision: "millisecond".into(),
            line: seq + 1,
            line_end: seq + 1,
            bytes: (seq * 100, seq * 100 + 99),
            message: Message::Range(24, 99),
            level: Some("info".into()),
            host: host.map(str::to_string),
            service: None,
            attributes: Some(r#"{"pid":"7"}"#.into()),
            cluster: seq % 3,
            locator: None,
            system: None,
            identifiers: Vec::new(),
            time_text: None,
        }
    }

    /// A record of a log-platform export, as an Elasticsearch hit is.
    fn hit(i: u64) -> Line {
        Line {
            locator: Some(format!("$.hits.hits[{i}]")),
            system: Some("Elasticsearch".into()),
            identifiers: vec![format!("{i:012x}")],
            ..line(i, 1_700_000_000_000_000 + i as i64, Some("web-1"))
        }
    }

    #[test]
    fn lines_come_back_as_they_went_in() {
        // Times that go backwards, a gap in seq (an event stored as a row
        // in between), and a line spanning three lines.
        let mut lines = vec![
            line(0, 1_700_000_000_000_000, Some("db-1")),
            line(1, 1_699_999_999_000_000, None),
            line(5, 1_700_000_002_000_000, Some("db-1")),
        ];
        lines[2].line_end = lines[2].line + 2;
        lines[1].quality = Quality::from_bits(0b10_0101);
        lines[1].message = Message::Text("GET /health -> 200".into());
        let block = encode(&lines, false);
        assert_eq!(block.lines, 3);
        assert_eq!(block.span, (1_699_999_999_000_000, 1_700_000_002_000_000));
        assert_eq!(decode(&block.data, LAYOUT).unwrap(), lines);
    }

    #[test]
    fn locators_and_platform_facts_come_back_as_they_went_in() {
        // Locators of every shape: an array index counting up and down
        // again, a number in the middle, a row, a leading zero, a number
        // too long for u64, none at all; and a time kept as text.
        let locators = [
            "$.hits.hits[0]",
            "$.hits.hits[1]",
            "$.data.result[2].values[17]",
            "$.data.result[2].values[16]",
            "$.data.result[3].values[0]",
            "row 5",
            "row 05",
            "document 2 $.hits.hits[9].x",
            "$[99999999999999999999]",
            "$",
            "",
            "7",
        ];
        let mut lines: Vec<Line> = (0..locators.len() as u64).map(hit).collect();
        for (l, locator) in lines.iter_mut().zip(locators) {
            l.locator = Some(locator.to_string());
        }
        lines[3].identifiers = vec!["a".into(), "b".into(), "a".into()];
        lines[4].identifiers.clear();
        lines[4].system = None;
        lines[5].time_text = Some("1700000000000000005".into());
        lines[6].locator = None;
        let block = encode(&lines, true);
        assert_eq!(decode(&block.data, LAYOUT).unwrap(), lines);
    }

    #[test]
    fn a_hit_takes_a_few_bytes_beside_its_identifier() {
        let lines: Vec<Line> = (0..1024).map(hit).collect();
        let plain: Vec<Line> = (0..1024)
            .map(|i| line(i, 1_700_000_000_000_000 + i as i64, Some("web-1")))
            .collect();
        let (hits, plain) = (encode(&lines, false), encode(&plain, false));
        // Locator: three bytes; system: one; identifiers: a count, a
        // reference and the identifier's 13 bytes in the table.
        let per_line = (hits.data.len() - plain.data.len()) as f64 / 1024.0;
        assert!(per_line < 21.0, "{per_line} bytes per line");
        assert_eq!(decode(&hits.data, LAYOUT).unwrap(), lines);
    }

    #[test]
    fn unknown_layouts_are_refused() {
        let block = encode(&[line(0, 0, None)], false);
        assert!(decode(&block.data, 0).is_err());
        assert!(decode(&block.data, LAYOUT + 1).is_err());
    }

    /// The block `repeated_and_shared_texts_keep_their_bytes` encodes, as
    /// layout 1 (schema 6 and before) has it.
    const GOLDEN: &str = concat!(
        "060b6d696c6c697365636f6e6404696e666f0464622d310b7b22706964223a22",
        "37227d0464622d320464622d3307008080f28183898506000102000063304b02",
        "0300040001d00f00010200c80163304b020300040101e70700010200c8016330",
        "4b020500040201b81700010200c80163304b0205000400010000010200c80163",
        "304b020500040101d00f00010200c801630b0203030402020000010400900363",
        "0b0206000001",
    );

    #[test]
    fn repeated_and_shared_texts_keep_their_bytes() {
        // Runs of one host, a host that comes back after others, one text
        // in several fields, and an equal level that is not the same
        // pointer: the bytes existing databases hold.
        let t = 1_700_000_000_000_000;
        let mut lines = vec![
            line(0, t, Some("db-1")),
            line(1, t + 1_000, Some("db-1")),
            line(2, t + 500, Some("db-2")),
            line(3, t + 2_000, Some("db-2")),
            line(4, t + 2_000, Some("db-2")),
            line(5, t + 3_000, Some("db-1")),
            line(7, t + 3_000, Some("db-3")),
        ];
        lines[5].service = Some("db-1".into());
        lines[5].message = Message::Text("db-2".into());
        lines[5].level = Some(Cow::Owned("info".into()));
        lines[6].message = Message::Text("db-2".into());
        lines[6].attributes = None;
        assert_eq!(decode(&hex::decode(GOLDEN).unwrap(), 1).unwrap(), lines);
        // Layout 2 writes the same, with an empty extras byte per line.
        let block = encode(&lines, false);
        assert_eq!(hex::encode(&block.data), GOLDEN_2);
        assert_eq!(decode(&block.data, 2).unwrap(), lines);
    }

    /// That block in layout 2.
    const GOLDEN_2: &str = concat!(
        "060b6d696c6c697365636f6e6404696e666f0464622d310b7b22706964223a22",
        "37227d0464622d320464622d3307008080f28183898506000102000063304b02",
        "030004000001d00f00010200c80163304b02030004010001e70700010200c801",
        "63304b02050004020001b81700010200c80163304b0205000400000100000102",
        "00c80163304b02050004010001d00f00010200c801630b020303040200020000",
        "0104009003630b020600000100",
    );

    proptest! {
        #[test]
        fn any_lines_round_trip(raw in proptest::collection::vec(
            (any::<u32>(), any::<i64>(), any::<u8>(), any::<u32>(), 0u64..5, any::<u32>(), any::<u16>(),
             any::<u16>(), any::<u16>(), proptest::option::of("[a-z\u{e9}-]{0,8}"), any::<u64>()), 0..40)) {
            let mut seq = 0u64;
            let lines: Vec<Line> = raw.into_iter().map(|(step, time, bits, line, extra, start, len, from, mlen, host, cluster)| {
                seq += u64::from(step);
                Line {
                    seq,
                    time,
                    quality: Quality::from_bits(bits & 0b11_1111),
                    precision: "second".into(),
                    line: u64::from(line),
                    line_end: u64::from(line) + extra,
                    bytes: (u64::from(start), u64::from(start) + u64::from(len)),
                    message: if mlen % 2 == 0 {
                        Message::Range(u32::from(from), u32::from(from) + u32::from(mlen))
                    } else {
                        Message::Text(format!("message {mlen}"))
                    },
                    level: None,
                    host: host.clone(),
                    service: host,
                    attributes: None,
                    cluster,
                    locator: None,
                    system: None,
                    identifiers: Vec::new(),
                    time_text: None,
                }
            }).collect();
            prop_assert_eq!(decode(&encode(&lines, false).data, LAYOUT).unwrap(), lines);
        }

        #[test]
        fn any_locators_and_identifiers_round_trip(raw in proptest::collection::vec(
            (proptest::option::of("[$a-z.\\[\\] 0-9]{0,24}"), proptest::option::of("[A-Za-z]{1,8}"),
             proptest::collection::vec("[0-9a-f]{0,12}", 0..4), proptest::option::of("[0-9:TZ-]{0,20}")), 0..40)) {
            let lines: Vec<Line> = raw.into_iter().enumerate().map(|(i, (locator, system, identifiers, time_text))| Line {
                locator,
                system: system.map(Cow::Owned),
                identifiers,
                time_text,
                ..line(i as u64, i as i64, None)
            }).collect();
            prop_assert_eq!(decode(&encode(&lines, false).data, LAYOUT).unwrap(), lines);
        }

        #[test]
        fn damaged_blocks_are_errors_not_panics(data in proptest::collection::vec(any::<u8>(), 0..300), layout in 0u32..4) {
            let _ = decode(&data, layout);
        }
    }
}
