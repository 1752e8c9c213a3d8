//! Pieces shared by the paging and alerting parsers (PagerDuty, Opsgenie,
//! Alertmanager): a cheap look at the keys and timestamps in a file's head,
//! JSON documents read one after another (a webhook capture holds one
//! payload per line), and positions of nested values for citations.

pub(crate) mod alertmanager;
pub(crate) mod opsgenie;
pub(crate) mod pagerduty;
pub(crate) mod pagerduty_oncalls;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::input::json::{self, Element};
use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};

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
        let first = body.iter().position(|b| !b.is_ascii_whitespace())?;
        let array = match body.get(first)? {
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

/// The scalar at the start of `rest` (the text after a key's colon).
fn scalar(rest: &str) -> Option<HeadValue> {
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

fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    serde_json::from_str::<String>(&format!("\"{raw}\""))
        .map(Cow::Owned)
        .unwrap_or(Cow::Borrowed(raw))
}

/// A full date and time written as text (ISO 8601 and the other layouts of
/// [`time::parse_leading`]), with or without an offset, and nothing else.
/// Epoch numbers are not read here: these fields define text.
pub(crate) fn text_time(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    let (ts, used) = time::parse_leading(t)?;
    let full = matches!(ts.value, TimeValue::Utc(_) | TimeValue::Local(_));
    (full && used == t.len()).then_some(ts)
}

/// [`text_time`] for a head value.
pub(crate) fn head_text_time(value: &HeadValue) -> Option<Timestamp> {
    match value {
        HeadValue::Text(t) => text_time(t),
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
        Some(Value::String(s)) => text_time(s)
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
    json::str_at(value, path)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A string or an integer at `path`, as text (`"P3"`, `3`).
pub(crate) fn scalar_text(value: &Value, path: &[&str]) -> Option<String> {
    match json::get(value, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The name of a person or thing given as a reference object
/// (`{"summary": "Jane Doe"}`, `{"name": ..}`, `{"email": ..}`) or a string.
pub(crate) fn name_of(value: Option<&Value>) -> Option<String> {
    let value = value?;
    if let Some(s) = value.as_str() {
        let s = s.trim();
        return (!s.is_empty()).then(|| s.to_string());
    }
    ["summary", "name", "email"]
        .iter()
        .find_map(|k| text(value, &[k]))
        .map(str::to_string)
}

/// Joins names as a sentence part: `A`, `A and B`, `A, B and C`.
pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
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

/// The input with the offsets of its line breaks, so the line of every
/// cited element is a binary search rather than a count from the start:
/// account-wide exports and webhook captures run to 100,000 records.
#[derive(Debug)]
pub(crate) struct Src<'a> {
    /// The input.
    pub bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Src<'a> {
    /// Indexes the line breaks of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Src<'a> {
        Src {
            bytes,
            newlines: memchr::memchr_iter(b'\n', bytes).collect(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> u64 {
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }

    /// Where a raw value borrowed from the input sits in it.
    pub fn span_of(&self, raw: &RawValue) -> Range<usize> {
        json::span_of(self.bytes, raw)
    }

    /// The offset of the first line after line `after` that starts with
    /// `{` or `[`: where the next document of a broken capture may begin.
    fn next_document_line(&self, after: u64) -> Option<usize> {
        let first = usize::try_from(after.saturating_sub(1)).ok()?;
        self.newlines.get(first..)?.iter().find_map(|&newline| {
            let start = newline + 1;
            matches!(self.bytes.get(start), Some(b'{') | Some(b'[')).then_some(start)
        })
    }
}

/// Reads the JSON documents of `input` in order and hands each to `read`:
/// usually one, but captured webhooks are often stored one payload per
/// line. Stretches that are not JSON become problems, in input order;
/// reading resumes at the next line that starts a document.
pub(crate) fn each_document<'a>(
    input: &'a [u8],
    sink: &mut dyn RecordSink,
    mut read: impl FnMut(&Src<'a>, &Document<'a>, &mut dyn RecordSink),
) {
    let src = Src::new(input);
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
        let line = if error.line() > 0 {
            src.line_at(pos) + error.line() as u64 - 1
        } else {
            src.line_at(pos + stream.byte_offset())
        };
        let message = error.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        items.push(Err(Problem {
            line: Some(line),
            locator: None,
            reason: format!("not valid JSON: {message}"),
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

/// The members of a JSON object, in document order, with their raw values.
pub(crate) fn members<'a>(
    input: &Src<'a>,
    raw: &'a RawValue,
) -> Option<Vec<(String, &'a RawValue)>> {
    let map: BTreeMap<String, &'a RawValue> = serde_json::from_str(raw.get()).ok()?;
    let mut list: Vec<(String, &'a RawValue)> = map.into_iter().collect();
    list.sort_by_key(|(_, v)| input.span_of(v).start);
    Some(list)
}

/// A raw value as an [`Element`] at `locator`.
pub(crate) fn element(input: &Src<'_>, raw: &RawValue, locator: String) -> Option<Element> {
    let span = input.span_of(raw);
    Some(Element {
        value: serde_json::from_str(raw.get()).ok()?,
        line: input.line_at(span.start),
        span,
        locator,
    })
}

/// The elements of a raw array, as [`json::elements`] reads them, with
/// their lines from the index.
pub(crate) fn elements(input: &Src<'_>, array: &RawValue, locator: &str) -> Option<Vec<Element>> {
    let items: Vec<&RawValue> = serde_json::from_str(array.get()).ok()?;
    Some(
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| element(input, item, format!("{locator}[{i}]")))
            .collect(),
    )
}

/// The raw member `key` of the object at `span` (an element's span).
fn raw_member<'a>(input: &Src<'a>, span: &Range<usize>, key: &str) -> Option<&'a RawValue> {
    let bytes = input.bytes.get(span.clone())?;
    let map: BTreeMap<String, &'a RawValue> = serde_json::from_slice(bytes).ok()?;
    map.get(key).copied()
}

/// The member `key` of an object element, as an element of its own
/// (`$.incident.resolved_at`), for citing the field a record rests on.
pub(crate) fn field(input: &Src<'_>, parent: &Element, key: &str) -> Option<Element> {
    let raw = raw_member(input, &parent.span, key)?;
    element(input, raw, format!("{}.{key}", parent.locator))
}

/// The elements of the array at `path` under an object element.
pub(crate) fn nested(input: &Src<'_>, parent: &Element, path: &[&str]) -> Option<Vec<Element>> {
    let mut span = parent.span.clone();
    let mut locator = parent.locator.clone();
    let mut raw = None;
    for key in path {
        let r = raw_member(input, &span, key)?;
        span = input.span_of(r);
        locator.push('.');
        locator.push_str(key);
        raw = Some(r);
    }
    elements(input, raw?, &locator)
}

/// A record citing `at`: its first and last line, JSON path and bytes.
pub(crate) fn record_at(
    input: &Src<'_>,
    at: &Element,
    kind: Kind,
    time: Timestamp,
    message: String,
) -> Record {
    let last = at.span.end.saturating_sub(1).max(at.span.start);
    Record {
        line: Some(at.line),
        line_end: Some(input.line_at(last).max(at.line)),
        locator: Some(at.locator.clone()),
        span: at.span.clone(),
        ..Record::new(kind, time, message)
    }
}

/// A problem citing `at`.
pub(crate) fn problem_at(at: &Element, reason: String) -> Problem {
    Problem {
        line: Some(at.line),
        locator: Some(at.locator.clone()),
        reason,
    }
}

/// Pushes `identifier` once.
pub(crate) fn add_identifier(record: &mut Record, identifier: impl Into<String>) {
    let identifier = identifier.into();
    if !identifier.trim().is_empty() && !record.identifiers.contains(&identifier) {
        record.identifiers.push(identifier);
    }
}

/// Adds a key/value fact when there is a value.
pub(crate) fn add_attribute(record: &mut Record, key: &str, value: Option<impl Into<String>>) {
    if let Some(value) = value {
        let value = value.into();
        if !value.trim().is_empty() {
            record.attributes.push((key.to_string(), value));
        }
    }
}

/// First letter upper case, underscores as spaces (`unacknowledge` →
/// `Unacknowledge`, `priority_change` → `Priority change`).
pub(crate) fn humanize(word: &str) -> String {
    let spaced = word.replace(['_', '.'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;

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
            .contains(&("n".to_string(), Some(HeadValue::Integer("12".into())))));
        // Cut off by the end of the head: the digits may be incomplete.
        assert!(h.pairs.contains(&("cut".to_string(), None)));
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
    fn nested_and_field_elements_keep_paths_and_lines() {
        let input: &[u8] =
            b"{\"incident\": {\n \"acks\": [\n  {\"at\": 1}\n ],\n \"resolved_at\": \"x\"\n}}";
        let src = Src::new(input);
        let raw = json::document(input).unwrap();
        let (key, raw) = members(&src, raw).unwrap().remove(0);
        let parent = element(&src, raw, format!("$.{key}")).unwrap();
        let acks = nested(&src, &parent, &["acks"]).unwrap();
        assert_eq!(acks[0].locator, "$.incident.acks[0]");
        assert_eq!(acks[0].line, 3);
        let resolved = field(&src, &parent, "resolved_at").unwrap();
        assert_eq!(src.line_at(0), 1);
        assert_eq!(src.line_at(input.len()), 6);
        assert_eq!(src.next_document_line(1), None);
        assert_eq!(resolved.locator, "$.incident.resolved_at");
        assert_eq!(resolved.line, 5);
    }
}
