//! Helpers for parsers of JSON documents (exports, API responses): walking
//! to the arrays of records while keeping each record's position in the
//! input, so every event can cite its line and a JSON path.

use std::ops::Range;

use serde_json::value::RawValue;
use serde_json::Value;

/// One element of a JSON array, with where it sits in the document.
#[derive(Debug, Clone)]
pub struct Element {
    /// The parsed value.
    pub value: Value,
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
    let mut raw = document(input).ok()?;
    let mut locator = String::from("$");
    for key in path {
        // Members stay raw so each keeps its position in the input.
        let members: std::collections::BTreeMap<String, &RawValue> =
            serde_json::from_str(raw.get()).ok()?;
        raw = members.get(*key)?;
        locator.push('.');
        locator.push_str(key);
    }
    elements(input, lines, raw, &locator)
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
    let items: Vec<&RawValue> = serde_json::from_str(array.get()).ok()?;
    Some(
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let span = span_of(input, item);
                Some(Element {
                    value: serde_json::from_str(item.get()).ok()?,
                    line: lines.line_at(span.start),
                    span,
                    locator: format!("{locator}[{i}]"),
                })
            })
            .collect(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
