//! The JSON toolkit of every parser of JSON documents (exports, API
//! responses, webhook captures): a cheap look at a possibly cut head for
//! sniffing, documents read one after another, walking to the arrays of
//! records while keeping each record's position in the input (so every
//! event can cite its line and a JSON path), and reading trimmed text,
//! scalars and timestamps out of values.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;
use regex::Regex;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};

/// One element of a JSON array, with where it sits in the document: its
/// value parsed, or still raw (see [`raw_elements`]).
#[derive(Debug, Clone)]
pub struct Element<V = Value> {
    /// The parsed value.
    pub value: V,
    /// Byte range of the element in the input.
    pub span: Range<usize>,
    /// 1-based line where the element starts.
    pub line: u64,
    /// JSON path such as `$.log_entries[3]`.
    pub locator: String,
}

/// Parses `input` as one JSON document. A byte-order mark is skipped.
pub fn document(input: &[u8]) -> Result<&RawValue, String> {
    let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    serde_json::from_slice::<&RawValue>(body).map_err(|e| format!("not a JSON document: {e}"))
}

/// The elements of the array at `path` (object keys from the root; an
/// empty path means the document itself is the array), with their spans,
/// lines (from `lines`, the index of `input`) and locators. `None` when
/// there is no array there.
pub fn array_at(input: &[u8], lines: &LineIndex, path: &[&str]) -> Option<Vec<Element>> {
    elements_below(input, lines, document(input).ok()?, path, "$")
}

/// The elements of the array at `path` below `raw` (a value borrowed from
/// `input`, located at `base`), located as `{base}.{path…}[i]`.
pub fn elements_below(
    input: &[u8],
    lines: &LineIndex,
    raw: &RawValue,
    path: &[&str],
    base: &str,
) -> Option<Vec<Element>> {
    let (raw, locator) = walk(raw, path, base)?;
    elements(input, lines, raw, &locator)
}

/// The raw value at `path` (object keys) below `raw`, located at `base`,
/// with its locator. Members stay raw so each keeps its position in the
/// input.
fn walk<'a>(raw: &'a RawValue, path: &[&str], base: &str) -> Option<(&'a RawValue, String)> {
    let mut raw = raw;
    let mut locator = base.to_string();
    for key in path {
        raw = member(raw, key)?;
        locator.push('.');
        locator.push_str(key);
    }
    Some((raw, locator))
}

/// The elements of the array at `path` inside the object element `parent`
/// (`$.incident.acks[0]`): arrays nested in a record, such as a ticket's
/// comments.
pub fn nested(
    input: &[u8],
    lines: &LineIndex,
    parent: &Element,
    path: &[&str],
) -> Option<Vec<Element>> {
    let raw: &RawValue = serde_json::from_slice(input.get(parent.span.clone())?).ok()?;
    elements_below(input, lines, raw, path, &parent.locator)
}

/// A raw value borrowed from `input` as an [`Element`] at `locator`.
pub fn element(
    input: &[u8],
    lines: &LineIndex,
    raw: &RawValue,
    locator: String,
) -> Option<Element> {
    parsed(raw_element(input, lines, raw, locator))
}

/// A raw value borrowed from `input` as an [`Element`] still raw.
fn raw_element<'r>(
    input: &[u8],
    lines: &LineIndex,
    raw: &'r RawValue,
    locator: String,
) -> Element<&'r RawValue> {
    let span = span_of(input, raw);
    Element {
        value: raw,
        line: lines.line_at(span.start),
        span,
        locator,
    }
}

/// A raw element with its value parsed.
fn parsed(raw: Element<&RawValue>) -> Option<Element> {
    Some(Element {
        value: serde_json::from_str(raw.value.get()).ok()?,
        span: raw.span,
        line: raw.line,
        locator: raw.locator,
    })
}

/// The elements of a raw array value inside `input`, whose index is
/// `lines`: parsers call this for arrays nested in every record, so the
/// index is built once per input, not once per array.
pub fn elements(
    input: &[u8],
    lines: &LineIndex,
    array: &RawValue,
    locator: &str,
) -> Option<Vec<Element>> {
    Some(each_element(input, lines, array, locator)?.collect())
}

/// [`elements`] one at a time: for arrays of many records, whose values
/// need not all be in memory at once.
pub(crate) fn each_element<'i>(
    input: &'i [u8],
    lines: &'i LineIndex,
    array: &'i RawValue,
    locator: &'i str,
) -> Option<impl Iterator<Item = Element> + 'i> {
    Some(raw_elements(input, lines, array, locator)?.filter_map(parsed))
}

/// [`each_element`] with the values left raw, for records of which a
/// parser reads a few members: a [`Value`] of the whole, with its maps and
/// strings, costs more than that.
pub(crate) fn raw_elements<'i>(
    input: &'i [u8],
    lines: &'i LineIndex,
    array: &'i RawValue,
    locator: &'i str,
) -> Option<impl Iterator<Item = Element<&'i RawValue>> + 'i> {
    let items: Vec<&RawValue> = serde_json::from_str(array.get()).ok()?;
    Some(elements_of(input, lines, items, locator))
}

/// An array's elements, read already ([`raw_array_at`]), placed in `input`.
pub(crate) fn elements_of<'i>(
    input: &'i [u8],
    lines: &'i LineIndex,
    items: Vec<&'i RawValue>,
    locator: &'i str,
) -> impl Iterator<Item = Element<&'i RawValue>> + 'i {
    items
        .into_iter()
        .enumerate()
        .map(move |(i, item)| raw_element(input, lines, item, indexed(locator, i as u64)))
}

/// `path[index]`: the locator of an array's element. Built without the
/// formatting machinery, as it is for every record of an export, and
/// with room for the larger indices a streamed piece's locators are
/// rewritten to in place.
pub fn indexed(path: &str, index: u64) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(index);
    let mut out = String::with_capacity(path.len() + digits.len() + 2 + 12);
    out.push_str(path);
    out.push('[');
    out.push_str(digits);
    out.push(']');
    out
}

/// Where a raw value borrowed from `input` sits in it.
pub fn span_of(input: &[u8], raw: &RawValue) -> Range<usize> {
    let text = raw.get();
    let start = (text.as_ptr() as usize).saturating_sub(input.as_ptr() as usize);
    let start = start.min(input.len());
    start..(start + text.len()).min(input.len())
}

/// The offsets of every line break of an input, for finding the lines of
/// many positions without rescanning from the start each time.
#[derive(Debug, Clone)]
pub struct LineIndex {
    breaks: Vec<usize>,
}

impl LineIndex {
    /// Indexes `input`.
    pub fn new(input: &[u8]) -> LineIndex {
        LineIndex {
            breaks: memchr::memchr_iter(b'\n', input).collect(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> u64 {
        self.breaks.partition_point(|&b| b < offset) as u64 + 1
    }
}

/// The 1-based line where a value that starts on `line` and covers `span`
/// of `input` ends. Counts inside the value only, so a parser can call it
/// for every record of a large export.
pub fn last_line(input: &[u8], line: u64, span: Range<usize>) -> u64 {
    let inside = input.get(span).unwrap_or(b"");
    line + memchr::memchr_iter(b'\n', inside).count() as u64
}

/// Follows object keys (`["event", "data", "id"]`) into a value.
pub fn get<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, k| v.get(k))
}

/// A string at `path`, if it is a non-empty string.
pub fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    get(value, path)?.as_str().filter(|s| !s.is_empty())
}

/// A scalar value found after a key in a file's head.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HeadValue {
    /// The text of a JSON string (escapes resolved where possible).
    Text(String),
    /// The digits of a JSON integer, as written.
    Integer(String),
}

/// The keys (and the scalar values after them) of a JSON document's first
/// bytes. The head may be cut anywhere, so nothing here needs the document
/// to be complete.
#[derive(Debug)]
pub(crate) struct Head {
    /// The document is an array at the top.
    pub array: bool,
    pairs: Vec<(String, Option<HeadValue>)>,
}

fn key_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // A key is a string right after `{` or `,` and right before `:`; string
    // values never sit there, and keys quoted inside other strings are
    // escaped (`\"key\"`), so they do not match.
    PATTERN.get_or_init(|| {
        Regex::new(r#"[{,]\s*"((?:[^"\\\n]|\\.){1,100})"\s*:\s*"#).expect("valid key pattern")
    })
}

impl Head {
    /// Reads the keys of `head` when it starts (after a byte-order mark and
    /// white space) like a JSON object or array.
    pub fn new(head: &[u8]) -> Option<Head> {
        let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let array = match first_byte(body)? {
            b'{' => false,
            b'[' => true,
            _ => return None,
        };
        let text = String::from_utf8_lossy(body);
        let mut pairs = Vec::new();
        for caps in key_pattern().captures_iter(&text) {
            let (Some(key), Some(all)) = (caps.get(1), caps.get(0)) else {
                continue;
            };
            let rest = text.get(all.end()..).unwrap_or("");
            pairs.push((unescape(key.as_str()).into_owned(), scalar(rest)));
        }
        Some(Head { array, pairs })
    }

    /// Whether `key` occurs as a key.
    pub fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// Whether some `key` has a string value ending with `suffix`.
    pub fn text_ends_with(&self, key: &str, suffix: &str) -> bool {
        self.pairs
            .iter()
            .any(|(k, v)| k == key && matches!(v, Some(HeadValue::Text(t)) if t.ends_with(suffix)))
    }

    /// The first value of one of `keys` that `read` accepts.
    pub fn time(
        &self,
        keys: &[&str],
        read: impl Fn(&HeadValue) -> Option<Timestamp>,
    ) -> Option<Timestamp> {
        self.pairs
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .find_map(|(_, v)| v.as_ref().and_then(&read))
    }
}

/// The scalar at the start of `rest` (the text after a key's colon), or
/// the first element of an array of them (Elasticsearch writes its
/// `fields` as `{"@timestamp": ["…"]}`).
fn scalar(rest: &str) -> Option<HeadValue> {
    if let Some(elements) = rest.strip_prefix('[') {
        let first = elements.trim_start();
        return if first.starts_with('[') {
            None
        } else {
            scalar(first)
        };
    }
    if let Some(body) = rest.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return Some(HeadValue::Text(unescape(body.get(..i)?).into_owned())),
                '\n' => return None,
                _ => {}
            }
        }
        return None;
    }
    let end = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    let digits = rest.get(..end)?;
    // A number followed by `.` or `e` is not an integer; one cut off by the
    // end of the head may be missing digits.
    let next = rest.get(end..).and_then(|r| r.chars().next());
    match next {
        Some(c) if c == '.' || c == 'e' || c == 'E' => None,
        None => None,
        _ if digits.trim_start_matches('-').is_empty() => None,
        _ => Some(HeadValue::Integer(digits.to_string())),
    }
}

/// A head's string as written when its escapes do not read.
fn unescape(raw: &str) -> Cow<'_, str> {
    unescape_body(raw).unwrap_or(Cow::Borrowed(raw))
}

// Key scanning without a regex, for the ticket and event exports whose
// heads only need plain keys and escape-free values.

/// Whether `"key"` followed by `:` occurs in a JSON head.
pub(crate) fn has_key(head: &[u8], key: &str) -> bool {
    key_values(head, key).next().is_some()
}

/// Byte offsets just after `"key":` (and its whitespace) in a JSON head.
fn key_values<'a>(head: &'a [u8], key: &str) -> impl Iterator<Item = usize> + 'a {
    let needle = format!("\"{key}\"").into_bytes();
    let finder = memmem::Finder::new(&needle).into_owned();
    let mut from = 0usize;
    std::iter::from_fn(move || loop {
        let at = from + finder.find(head.get(from..)?)?;
        let mut i = at + finder.needle().len();
        from = i;
        while head.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if head.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while head.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        return Some(i);
    })
}

/// The string values of `"key": "…"` in a JSON head (escape-free strings
/// only, which is what timestamps and names are).
pub(crate) fn string_values<'a>(head: &'a [u8], key: &str) -> impl Iterator<Item = &'a str> + 'a {
    key_values(head, key).filter_map(move |at| {
        if head.get(at) != Some(&b'"') {
            return None;
        }
        let rest = head.get(at + 1..)?;
        let end = memchr::memchr(b'"', rest)?;
        let value = &rest[..end];
        if value.contains(&b'\\') {
            return None;
        }
        std::str::from_utf8(value).ok()
    })
}

/// Whether one of `keys` has a value in the head that `read` accepts.
pub(crate) fn head_time(
    head: &[u8],
    keys: &[&str],
    read: impl Fn(&str) -> Option<Timestamp>,
) -> bool {
    keys.iter()
        .any(|k| string_values(head, k).take(16).any(|v| read(v).is_some()))
}

/// [`time::text_time`] for a head value.
pub(crate) fn head_text_time(value: &HeadValue) -> Option<Timestamp> {
    match value {
        HeadValue::Text(t) => time::text_time(t),
        HeadValue::Integer(_) => None,
    }
}

/// An epoch in `unit` for a head value (an integer, or digits as text).
pub(crate) fn head_epoch(value: &HeadValue, unit: EpochUnit) -> Option<Timestamp> {
    match value {
        HeadValue::Text(t) | HeadValue::Integer(t) => time::parse_epoch(t, Some(unit)),
    }
}

/// The timestamp in `value[key]`: `Ok(None)` when it is absent or null,
/// an error when it is there but not a date and time written as text.
pub(crate) fn time_field(value: &Value, key: &str) -> Result<Option<Timestamp>, String> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => time::text_time(s)
            .map(Some)
            .ok_or_else(|| format!("unreadable {key} {s:?}")),
        Some(other) => Err(format!("{key} is not a date and time: {other}")),
    }
}

/// The epoch in `value[key]`, read in `unit`, the unit the format defines
/// for that field. Integers are read from their digits, never through
/// `f64`; a fraction or exponent is an error, not a guess.
pub(crate) fn epoch_field(
    value: &Value,
    key: &str,
    unit: EpochUnit,
) -> Result<Option<Timestamp>, String> {
    let text = match value.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(other) => return Err(format!("{key} is not an epoch number: {other}")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    time::parse_epoch(&text, Some(unit))
        .map(Some)
        .ok_or_else(|| format!("unreadable {key} {text:?}"))
}

/// A non-empty string at `path`, trimmed.
pub(crate) fn text<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    str_at(value, path).map(str::trim).filter(|s| !s.is_empty())
}

/// A string or an integer at `path`, as text (`"P3"`, `3`).
pub(crate) fn scalar_text(value: &Value, path: &[&str]) -> Option<String> {
    match get(value, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One JSON document of the input, with its place.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    /// The document, borrowed from the input.
    pub raw: &'a RawValue,
    /// The JSON path prefix of its values (`$`, or `document 2 $` in a file
    /// of several documents).
    pub root: String,
}

/// An input with the index of its line breaks, so the line of every cited
/// element is a binary search rather than a count from the start:
/// account-wide exports and webhook captures run to 100,000 records.
#[derive(Debug)]
pub(crate) struct IndexedInput<'a> {
    /// The input.
    pub bytes: &'a [u8],
    /// Its line breaks.
    pub lines: LineIndex,
}

impl<'a> IndexedInput<'a> {
    /// Indexes the line breaks of `bytes`.
    pub fn new(bytes: &'a [u8]) -> IndexedInput<'a> {
        IndexedInput {
            bytes,
            lines: LineIndex::new(bytes),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> u64 {
        self.lines.line_at(offset)
    }

    /// Where a raw value borrowed from the input sits in it.
    pub fn span_of(&self, raw: &RawValue) -> Range<usize> {
        span_of(self.bytes, raw)
    }

    /// Among documents one per line (`after` is where the last one read
    /// ended, or where reading resumed), a document that starts the next
    /// line and is not whole on it: a broken line, as a capture cut
    /// mid-write leaves. Its line, why it is not JSON, and where the next
    /// document starts. Only that line is lost: read on, the next line's
    /// document would be taken for part of it.
    ///
    /// It is a broken line only when nothing follows it, or the next line
    /// opens a document with the same bracket; `first` (no document read
    /// yet) also asks that line to be a whole document. A pretty-printed
    /// document's first line (`{` alone, or `{"hits": [` followed by an
    /// element) is not taken for one.
    fn broken_line(&self, after: usize, first: bool) -> Option<(u64, String, usize)> {
        let rest = self.bytes.get(after..)?;
        let start = after + rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let line_breaks = memchr::memchr_iter(b'\n', &self.bytes[after..start]).count();
        if line_breaks > 1 || (start > 0 && self.bytes[start - 1] != b'\n') {
            return None;
        }
        let end = start + memchr::memchr(b'\n', &self.bytes[start..])?;
        let line = &self.bytes[start..end];
        if line.trim_ascii().len() < 2 {
            return None;
        }
        let next = end + 1;
        let following = &self.bytes[next..];
        let last = following.iter().all(u8::is_ascii_whitespace);
        if !last {
            let next_line =
                &following[..memchr::memchr(b'\n', following).unwrap_or(following.len())];
            let whole = || serde_json::from_slice::<IgnoredAny>(next_line).is_ok();
            if following.first() != line.first() || (first && !whole()) {
                return None;
            }
        }
        let error = serde_json::from_slice::<IgnoredAny>(line).err()?;
        Some((self.line_at(start), not_valid(&error), next))
    }

    /// The offset of the first line after line `after` that starts with
    /// `{` or `[`: where the next document of a broken capture may begin.
    fn next_document_line(&self, after: u64) -> Option<usize> {
        let first = usize::try_from(after.saturating_sub(1)).ok()?;
        self.lines.breaks.get(first..)?.iter().find_map(|&newline| {
            let start = newline + 1;
            matches!(self.bytes.get(start), Some(b'{') | Some(b'[')).then_some(start)
        })
    }

    /// The members of a JSON object in document order; of a key written
    /// twice only the last is kept, as [`Value`] keeps it.
    pub fn members(&self, raw: &'a RawValue) -> Option<Vec<(String, &'a RawValue)>> {
        let all = ordered_members(raw)?;
        let kept = all
            .iter()
            .enumerate()
            .filter(|(i, (key, _))| !all[i + 1..].iter().any(|(k, _)| k == key))
            .map(|(_, (k, v))| (k.to_string(), *v))
            .collect();
        Some(kept)
    }

    /// A raw value as an [`Element`] at `locator`.
    pub fn element(&self, raw: &RawValue, locator: String) -> Option<Element> {
        element(self.bytes, &self.lines, raw, locator)
    }

    /// The array or object (`open` is `[` or `{`) read in one pass as
    /// `value`, placed in the input by the first string it holds (its
    /// first member or key, borrowed from the input) and its last member
    /// as written: JSON allows only whitespace between them and its
    /// brackets. `None` where they are not borrowed from the input or the
    /// brackets are not there.
    pub(crate) fn element_around<V>(
        &self,
        value: V,
        first_string: &str,
        last: &RawValue,
        open: u8,
        locator: String,
    ) -> Option<Element<V>> {
        let bytes = self.bytes;
        let offset = |text: &str| (text.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize);
        let quote = offset(first_string)?.checked_sub(1)?;
        let start = bytes
            .get(..quote)?
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())?;
        let after = offset(last.get())? + last.get().len();
        let end = after
            + bytes
                .get(after..)?
                .iter()
                .position(|b| !b.is_ascii_whitespace())?;
        let close = if open == b'[' { b']' } else { b'}' };
        if bytes[start] != open || bytes[end] != close {
            return None;
        }
        Some(Element {
            value,
            line: self.lines.line_at(start),
            span: start..end + 1,
            locator,
        })
    }

    /// A raw value as an [`Element`] at `locator`, left raw.
    pub fn raw_element<'r>(&self, raw: &'r RawValue, locator: String) -> Element<&'r RawValue> {
        raw_element(self.bytes, &self.lines, raw, locator)
    }

    /// The elements of a raw array, as [`elements`] reads them.
    pub fn elements(&self, array: &RawValue, locator: &str) -> Option<Vec<Element>> {
        elements(self.bytes, &self.lines, array, locator)
    }

    /// The raw member `key` of the object at `span` (an element's span).
    fn raw_member(&self, span: &Range<usize>, key: &str) -> Option<&'a RawValue> {
        let bytes: &'a [u8] = self.bytes.get(span.clone())?;
        member(serde_json::from_slice(bytes).ok()?, key)
    }

    /// The member `key` of an object element, as an element of its own
    /// (`$.incident.resolved_at`), for citing the field a record rests on.
    pub fn field(&self, parent: &Element, key: &str) -> Option<Element> {
        let raw = self.raw_member(&parent.span, key)?;
        self.element(raw, format!("{}.{key}", parent.locator))
    }

    /// The elements of the array at `path` under an object element.
    pub fn nested(&self, parent: &Element, path: &[&str]) -> Option<Vec<Element>> {
        nested(self.bytes, &self.lines, parent, path)
    }

    /// [`record_at`] in this input.
    pub fn record_at<V>(
        &self,
        at: &Element<V>,
        kind: Kind,
        time: Timestamp,
        message: String,
    ) -> Record {
        record_at(self.bytes, at, kind, time, message)
    }
}

/// Reads the JSON documents of `input` in order and hands each to `read`:
/// usually one, but captured webhooks are often stored one payload per
/// line. Stretches that are not JSON become problems, in input order;
/// reading resumes at the next line that starts a document.
pub(crate) fn each_document<'a>(
    input: &'a [u8],
    sink: &mut dyn RecordSink,
    mut read: impl FnMut(&IndexedInput<'a>, &Document<'a>, &mut dyn RecordSink),
) {
    let src = IndexedInput::new(input);
    let mut items: Vec<Result<&'a RawValue, Problem>> = Vec::new();
    let mut pos = if input.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    while pos < input.len() {
        let rest = &input[pos..];
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<&'a RawValue>();
        let mut failure = None;
        for item in stream.by_ref() {
            match item {
                Ok(raw) => items.push(Ok(raw)),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let Some(error) = failure else {
            break;
        };
        let failed_at = pos + stream.byte_offset();
        if let Some((line, reason, next)) = src.broken_line(failed_at, items.is_empty()) {
            items.push(Err(Problem {
                line: Some(line),
                locator: None,
                reason,
            }));
            pos = next;
            continue;
        }
        let line = if error.line() > 0 {
            src.line_at(pos) + error.line() as u64 - 1
        } else {
            src.line_at(failed_at)
        };
        items.push(Err(Problem {
            line: Some(line),
            locator: None,
            reason: not_valid(&error),
        }));
        pos = match src.next_document_line(line) {
            Some(next) => next,
            None => break,
        };
    }
    if items.is_empty() {
        sink.problem(Problem {
            line: None,
            locator: None,
            reason: "empty input".to_string(),
        });
        return;
    }
    let several = items.iter().filter(|i| i.is_ok()).count() > 1;
    let mut number = 0;
    for item in items {
        match item {
            Ok(raw) => {
                number += 1;
                let root = if several {
                    format!("document {number} $")
                } else {
                    "$".to_string()
                };
                read(&src, &Document { raw, root }, sink);
            }
            Err(problem) => sink.problem(problem),
        }
    }
}

/// A parse error as a problem's reason, without serde's position (the
/// problem has its own).
fn not_valid(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    format!("not valid JSON: {message}")
}

/// A record citing `at` in `input`: its first and last line, JSON path and
/// bytes.
pub(crate) fn record_at<V>(
    input: &[u8],
    at: &Element<V>,
    kind: Kind,
    time: Timestamp,
    message: String,
) -> Record {
    Record {
        line: Some(at.line),
        line_end: Some(last_line(input, at.line, at.span.clone())),
        locator: Some(at.locator.clone()),
        span: at.span.clone(),
        ..Record::new(kind, time, message)
    }
}

/// Why a response that is one page of several is reported: what it
/// leaves out, and the member that says so (`nextToken`, `has_more`).
pub(crate) fn more_pages(what: &str, marker: &str) -> String {
    format!("more {what} not in this export: the response has {marker} — fetch every page")
}

/// A problem citing `at`.
pub(crate) fn problem_at<V>(at: &Element<V>, reason: impl Into<String>) -> Problem {
    Problem {
        line: Some(at.line),
        locator: Some(at.locator.clone()),
        reason: reason.into(),
    }
}

/// A string or a number's decimal text, trimmed and non-empty: ids written
/// either way. Unlike [`scalar_text`], a boolean is not an id.
pub(crate) fn string_or_number(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A raw string's trimmed text, when it holds any; a number's digits.
pub(crate) fn raw_text(raw: &RawValue) -> Option<String> {
    match serde_json::from_str::<Name<'_>>(raw.get()) {
        Ok(Name(text)) => Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        Err(_) => string_or_number(serde_json::from_str::<Value>(raw.get()).ok().as_ref()),
    }
}

/// The first byte that is not whitespace, after a byte-order mark.
pub(crate) fn first_byte(head: &[u8]) -> Option<u8> {
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// A JSON string (an object key, a value), borrowed from the input when it
/// has no escapes.
pub(crate) struct Name<'a>(pub(crate) Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name<'de>, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Name)
    }
}

/// Reads a string as `String` would, keeping it borrowed when it can.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
}

/// A raw JSON string's text, borrowed when it holds no escapes; `None` for
/// a value of another kind. Unescaped here rather than by serde_json,
/// which grows a fresh buffer for every string it unescapes: a platform
/// export holds millions of escaped log lines. A lone surrogate (which a
/// raw value may hold) becomes U+FFFD rather than losing the line.
pub(crate) fn string_text(raw: &RawValue) -> Option<Cow<'_, str>> {
    unescape_body(raw.get().strip_prefix('"')?.strip_suffix('"')?)
}

/// The text of a JSON string's body (between its quotes), its escapes
/// resolved; `None` where an escape does not read.
fn unescape_body(body: &str) -> Option<Cow<'_, str>> {
    let Some(first) = memchr::memchr(b'\\', body.as_bytes()) else {
        return Some(Cow::Borrowed(body));
    };
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    let mut at = first;
    loop {
        out.push_str(&rest[..at]);
        let escape = rest.get(at + 1..)?;
        let mut used = 1;
        match escape.as_bytes().first()? {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let unit = |from: usize| {
                    let hex = escape.get(from..from + 4)?;
                    u32::from_str_radix(hex, 16).ok()
                };
                let high = unit(1)?;
                used = 5;
                let low = escape
                    .get(5..7)
                    .filter(|next| *next == "\\u")
                    .and_then(|_| unit(7))
                    .filter(|low| (0xDC00..0xE000).contains(low));
                let c = match (high, low) {
                    (0xD800..0xDC00, Some(low)) => {
                        used = 11;
                        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                    }
                    _ => char::from_u32(high),
                };
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            _ => return None,
        }
        rest = &escape[used..];
        match memchr::memchr(b'\\', rest.as_bytes()) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// The members of a JSON object in document order, each still raw so it
/// keeps its position in the input; a key written twice appears twice.
pub(crate) fn ordered_members(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
    struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);
    struct MembersVisitor;
    impl<'de> Visitor<'de> for MembersVisitor {
        type Value = Members<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
            let mut out = Vec::new();
            while let Some((Name(k), v)) = map.next_entry::<Name, &'de RawValue>()? {
                out.push((k, v));
            }
            Ok(Members(out))
        }
    }
    impl<'de> serde::Deserialize<'de> for Members<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(MembersVisitor)
        }
    }
    serde_json::from_str::<Members<'_>>(raw.get())
        .ok()
        .map(|m| m.0)
}

/// The elements of the array at `path` (object keys, of a key written
/// twice the last, as [`member`] follows them), read in one pass over
/// `raw`: a page of records is most of its document, and following each
/// key with [`member`] reads it again per key.
pub(crate) fn raw_array_at<'a>(raw: &'a RawValue, path: &[&str]) -> Option<Vec<&'a RawValue>> {
    raw_array_beside(raw, path, None).map(|(items, _)| items)
}

/// [`raw_array_at`], with the member `beside` of the object that holds
/// the array (a Loki response's `resultType` beside its `result`), in the
/// same pass.
pub(crate) fn raw_array_beside<'a>(
    raw: &'a RawValue,
    path: &[&str],
    beside: Option<&str>,
) -> Option<(Vec<&'a RawValue>, Option<&'a RawValue>)> {
    struct Descend<'p> {
        path: &'p [&'p str],
        beside: Option<&'p str>,
    }
    type Found<'de> = Option<(Vec<&'de RawValue>, Option<&'de RawValue>)>;
    impl<'de> serde::de::DeserializeSeed<'de> for Descend<'_> {
        type Value = Found<'de>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Descend<'_> {
        type Value = Found<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let Some((key, rest)) = self.path.split_first() else {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(None);
            };
            let (mut found, mut beside) = (None, None);
            while let Some(Name(k)) = map.next_key::<Name>()? {
                if k == *key {
                    let deeper = Descend {
                        path: rest,
                        beside: self.beside,
                    };
                    found = map.next_value_seed(deeper)?;
                } else if rest.is_empty() && self.beside == Some(&*k) {
                    beside = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found.map(|(items, deeper)| (items, deeper.or(beside))))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            if !self.path.is_empty() {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(None);
            }
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<&'de RawValue>()? {
                items.push(item);
            }
            Ok(Some((items, None)))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    serde::de::DeserializeSeed::deserialize(Descend { path, beside }, &mut deserializer)
        .ok()
        .flatten()
}

/// The raw member `key` of a raw object; of a key written twice the last,
/// as [`Value`] reads it.
pub(crate) fn member<'a>(raw: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    find_member(&ordered_members(raw)?, key)
}

/// The member `key` among an object's [`ordered_members`], as [`member`]
/// finds it: several keys of one object are found in one pass over it.
pub(crate) fn find_member<'a>(
    members: &[(Cow<'_, str>, &'a RawValue)],
    key: &str,
) -> Option<&'a RawValue> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
}

/// The raw member `key` of a raw object; of a key written twice the first.
pub(crate) fn first_member<'a>(raw: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    ordered_members(raw)?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The json::members_by_key of a raw JSON object, still raw so each keeps its place.
pub(crate) fn members_by_key(raw: &RawValue) -> Option<BTreeMap<String, &RawValue>> {
    serde_json::from_str(raw.get()).ok()
}

/// Follows object keys through raw values (the last of a key written
/// twice, as [`member`]).
pub(crate) fn raw_at<'a>(raw: &'a RawValue, path: &[&str]) -> Option<&'a RawValue> {
    path.iter().try_fold(raw, |at, key| member(at, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Following keys in one pass finds what following them one by one
    /// finds: the last of a key written twice, nothing past a value that
    /// is not an object, and the member beside the array.
    #[test]
    fn an_array_at_a_path_is_reached_in_one_pass() {
        let raw = |text: &str| serde_json::from_str::<&RawValue>(text).unwrap().to_owned();
        let texts = |items: Vec<&RawValue>| {
            items
                .iter()
                .map(|r| r.get().to_string())
                .collect::<Vec<_>>()
        };
        let doc = raw(
            r#"{"data":{"result":[1],"x":2},"data":{"kind":"streams","result":[{"a":[1,2]}, "s"],"stats":{}}}"#,
        );
        let (items, beside) = raw_array_beside(&doc, &["data", "result"], Some("kind")).unwrap();
        assert_eq!(texts(items), [r#"{"a":[1,2]}"#, r#""s""#]);
        assert_eq!(beside.map(RawValue::get), Some(r#""streams""#));
        assert_eq!(
            raw_array_at(&doc, &["data", "result"]).map(texts),
            raw_at(&doc, &["data", "result"])
                .map(|a| texts(serde_json::from_str(a.get()).unwrap()))
        );
        assert!(raw_array_at(&doc, &["data", "stats"]).is_none());
        assert!(raw_array_at(&doc, &["data", "result", "a"]).is_none());
        assert!(raw_array_at(&raw("[1, 2]"), &["data"]).is_none());
        assert_eq!(
            raw_array_at(&raw("[1, 2]"), &[]).map(texts),
            Some(vec!["1".to_string(), "2".to_string()])
        );
        assert!(raw_array_at(&raw(r#""text""#), &[]).is_none());
    }
    use crate::record::Collected;

    #[test]
    fn elements_keep_their_lines_spans_and_paths() {
        let input = b"{\n  \"log_entries\": [\n    {\"id\": 1},\n    {\"id\": 2}\n  ]\n}\n";
        let index = LineIndex::new(input);
        let items = array_at(input, &index, &["log_entries"]).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].line, 4);
        assert_eq!(items[1].locator, "$.log_entries[1]");
        assert_eq!(&input[items[1].span.clone()], b"{\"id\": 2}");
        assert_eq!(items[0].value["id"], 1);
        let lines: Vec<u64> = [0, 1, 20, 22, 40, input.len()]
            .into_iter()
            .map(|offset| index.line_at(offset))
            .collect();
        assert_eq!(lines, [1, 1, 2, 3, 4, 7]);
        assert_eq!(last_line(input, 4, items[1].span.clone()), 4);
        assert_eq!(last_line(input, 1, 0..input.len() - 1), 6);
    }

    #[test]
    fn top_level_arrays_and_missing_paths() {
        let input = b"\xef\xbb\xbf[{\"a\": 1}]";
        let index = LineIndex::new(input);
        assert_eq!(array_at(input, &index, &[]).unwrap()[0].locator, "$[0]");
        assert!(array_at(input, &index, &["nope"]).is_none());
        let object = b"{\"x\": 1}";
        assert!(array_at(object, &LineIndex::new(object), &["x"]).is_none());
        assert!(array_at(b"not json", &LineIndex::new(b"not json"), &[]).is_none());
    }

    #[test]
    fn head_keys_skip_quoted_json_and_cut_values() {
        let head = br#"{"text": "{\"log_entries\": 1}", "created_at": "2015-11-07T00:14:20Z", "n": 12, "cut": 17000"#;
        let h = Head::new(head).unwrap();
        assert!(!h.has("log_entries"));
        assert!(h.has("created_at"));
        assert_eq!(
            h.time(&["created_at"], head_text_time).unwrap().text,
            "2015-11-07T00:14:20Z"
        );
        assert!(h
            .pairs
            .contains(&("n".into(), Some(HeadValue::Integer("12".into())))));
        // Cut off by the end of the head: the digits may be incomplete.
        assert!(h.pairs.contains(&("cut".into(), None)));
        assert!(Head::new(b"2026-01-01 x").is_none());
    }

    fn documents(input: &[u8]) -> (Vec<String>, Collected) {
        let mut sink = Collected::default();
        let mut roots = Vec::new();
        each_document(input, &mut sink, |_, doc, _| roots.push(doc.root.clone()));
        (roots, sink)
    }

    #[test]
    fn documents_one_per_line_with_a_broken_line() {
        let (roots, sink) = documents(b"{\"a\": 1}\nnot json\n{\"a\": 2}\n");
        assert_eq!(roots, ["document 1 $", "document 2 $"]);
        assert_eq!(sink.problems.len(), 1);
        assert_eq!(sink.problems[0].line, Some(2));
        let (roots, sink) = documents(b" \n");
        assert!(roots.is_empty());
        assert_eq!(sink.problems[0].reason, "empty input");
    }

    #[test]
    fn a_line_left_open_costs_only_itself() {
        // Cut mid-write: open in a list, in a string, before a value; the
        // documents on the lines after each are still read.
        let input = b"{\"a\": 1}\n{\"cut\": [1, 2\n{\"a\": 2}\n{\"msg\": \"ha\n{\"a\": 3}\n{\"x\":\n{\"a\": 4}\n";
        let (roots, sink) = documents(input);
        assert_eq!(roots.len(), 4, "{:?}", sink.problems);
        let lines: Vec<Option<u64>> = sink.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(4), Some(6)]);
        assert!(sink.problems[0].reason.contains("EOF while parsing a list"));
        // The first line too, and the last, each cited where it begins.
        let (roots, sink) = documents(b"{\"cut\": [1\n{\"a\": 2}\n{\"b\": \"c\n");
        assert_eq!(roots.len(), 1);
        let lines: Vec<Option<u64>> = sink.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(3)]);
        // A file that is one broken document is one problem, as before,
        // and nothing inside it is read as a document.
        for broken in [
            &b"[\n{\"a\": 1},\n{\"b\":\n"[..],
            b"{\"hits\": [\n{\"a\": 1},\n{\"b\":\n",
            b"{\"data\": {\"result\": [{\"values\": [\n[\"1\", \"x\"]\n,[\"2\", \"y\"",
        ] {
            let (roots, sink) = documents(broken);
            assert!(roots.is_empty());
            assert_eq!(sink.problems.len(), 1);
        }
    }

    #[test]
    fn nested_and_field_elements_keep_paths_and_lines() {
        let input: &[u8] =
            b"{\"incident\": {\n \"acks\": [\n  {\"at\": 1}\n ],\n \"resolved_at\": \"x\"\n}}";
        let src = IndexedInput::new(input);
        let raw = document(input).unwrap();
        let (key, raw) = src.members(raw).unwrap().remove(0);
        let parent = src.element(raw, format!("$.{key}")).unwrap();
        let acks = src.nested(&parent, &["acks"]).unwrap();
        assert_eq!(acks[0].locator, "$.incident.acks[0]");
        assert_eq!(acks[0].line, 3);
        let resolved = src.field(&parent, "resolved_at").unwrap();
        assert_eq!(src.line_at(0), 1);
        assert_eq!(src.line_at(input.len()), 6);
        assert_eq!(src.next_document_line(1), None);
        assert_eq!(resolved.locator, "$.incident.resolved_at");
        assert_eq!(resolved.line, 5);
    }

    proptest::proptest! {
        /// A string, each of its characters written plainly, escaped by
        /// name or as `\\u` units (surrogate pairs beyond the first
        /// plane), reads back as it was, as serde_json reads it.
        #[test]
        fn string_text_reads_every_escape(text in "[a-z\"\\\\/\n\t\u{8}\u{c}\r é€😀\u{1}]{0,24}", how in proptest::collection::vec(0u8..3, 24)) {
            let mut json = String::from('"');
            for (i, c) in text.chars().enumerate() {
                let plain_ok = !matches!(c, '"' | '\\') && !c.is_control();
                match how[i % how.len()] {
                    0 if plain_ok => json.push(c),
                    1 | 0 => {
                        let quoted = serde_json::to_string(&c.to_string()).unwrap();
                        json.push_str(&quoted[1..quoted.len() - 1]);
                    }
                    _ => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            json.push_str(&format!("\\u{unit:04X}"));
                        }
                    }
                }
            }
            json.push('"');
            let raw: &RawValue = serde_json::from_str(&json).unwrap();
            let expected: String = serde_json::from_str(&json).unwrap();
            let read = string_text(raw);
            proptest::prop_assert_eq!(read.as_deref(), Some(expected.as_str()));
            proptest::prop_assert_eq!(expected, text);
        }
    }

    #[test]
    fn string_text_of_other_values_and_lone_surrogates() {
        let raw = |json: &str| -> Box<RawValue> { serde_json::from_str(json).unwrap() };
        assert_eq!(string_text(&raw("7")), None);
        assert!(matches!(
            string_text(&raw("\"plain\"")),
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(
            string_text(&raw("\"a\\ud800b\"")).as_deref(),
            Some("a\u{fffd}b")
        );
        assert_eq!(string_text(&raw("\"\\u00e9\\/\"")).as_deref(), Some("é/"));
    }

    #[test]
    fn members_keep_document_order() {
        let raw: &RawValue = serde_json::from_str(r#"{"b":1,"a":{"x":2}}"#).unwrap();
        let m = ordered_members(raw).unwrap();
        assert_eq!(m[0].0, "b");
        assert_eq!(m[1].1.get(), r#"{"x":2}"#);
    }

    #[test]
    fn head_scanning_survives_cut_documents() {
        let head = br#"{"issues": [{"key": "OPS-1", "fields": {"created" : "2016-06-23T15:04:05.000+0200", "summary": "cut her"#;
        assert!(has_key(head, "issues"));
        assert!(!has_key(head, "OPS-1"));
        assert_eq!(
            string_values(head, "created").collect::<Vec<_>>(),
            ["2016-06-23T15:04:05.000+0200"]
        );
        assert_eq!(string_values(head, "summary").count(), 0);
        assert!(head_time(head, &["created"], |v| time::parse_field(
            v, None
        )));
    }
}
