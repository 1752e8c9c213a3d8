//! Grafana Loki: `query_range` and `query` API responses (`data.result[]`
//! streams, each with its labels and `values` of `[epoch ns, line]`, newest
//! first as Loki returns them: the pipeline sorts), and `logcli query`
//! output as `--output=jsonl` (`{"line", "timestamp", "labels"}`) and
//! `--output=default` (`<RFC 3339 time> {labels} <line>`). logcli's `raw`
//! output is the bare lines, which the line formats read themselves.
//!
//! Each line is read with the line parser of its own format where one
//! accepts it ([`InnerLines`]); the stream's labels stay with the record
//! as `stream` (`{app="api", host="web-1"}`), name its host and service,
//! and its level when the line gives none. The default output opens with
//! the query's URL and the labels all its entries share (`Common labels:
//! {…}`), which logcli leaves out of each entry's own.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use serde_json::value::RawValue;
use serde_json::Value;

use super::{level, InnerLines};
use crate::input::json::{self, problem_at, Document, Element, Head, IndexedInput};
use crate::input::lines;
use crate::record::{Kind, Level, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, Timestamp};
use crate::Parser;

/// Loki API responses.
pub struct LokiApi;

/// logcli query output.
pub struct Logcli;

/// Labels that name the host, best first.
const HOST_LABELS: &[&str] = &["host", "hostname", "node_name", "nodename", "instance"];
/// Labels that name the service, best first.
const SERVICE_LABELS: &[&str] = &[
    "service_name",
    "service",
    "app",
    "application",
    "container",
    "job",
    "component",
];
/// Labels that give the level of a stream's lines (`detected_level` is
/// Loki's own guess, stored as a label).
const LEVEL_LABELS: &[&str] = &["level", "detected_level", "severity"];

impl Parser for LokiApi {
    fn id(&self) -> &str {
        "loki"
    }

    fn description(&self) -> &str {
        "Grafana Loki query_range/query responses (data.result[].stream + values [ns, line])"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("resultType") && h.has("result") && h.has("stream") && h.has("values")) {
            return None;
        }
        super::strings_after(head, "values")
            .next()
            .and_then(|ns| time::parse_epoch(ns, Some(EpochUnit::Nanos)))
            .map(|_| 95)
    }

    fn untimed(&self, head: &[u8]) -> Option<String> {
        let h = Head::new(head)?;
        let metric = ["matrix", "vector", "scalar"]
            .iter()
            .any(|kind| h.text_ends_with("resultType", kind));
        (metric && h.has("result"))
            .then(|| "a Loki metric query result (counts over time, not log lines)".to_string())
    }

    fn json_record_arrays(&self) -> &[&str] {
        // Each record is read from its own element and the labels or
        // envelope before it; nothing is counted across elements.
        &["data.result", "data.result[].values"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        // One response, as an export and each streamed piece of one is:
        // read in one pass, without first finding where it ends.
        let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
        if let Ok(response) = serde_json::from_slice::<Response<'_>>(body) {
            if read_placed(&IndexedInput::new(input), "$", response, &mut inner, sink) {
                return;
            }
        }
        json::each_document(input, sink, |src, doc, sink| {
            read_response(src, doc, &mut inner, sink)
        });
    }
}

fn read_response(
    src: &IndexedInput<'_>,
    doc: &Document<'_>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    // A response may hold millions of lines: it is read in one pass into
    // borrowed pieces where it is as Loki writes it, else member by member
    // through raw values, so that whatever is not as expected is found
    // and reported where it is.
    if let Ok(response) = serde_json::from_str(doc.raw.get()) {
        if read_placed(src, &doc.root, response, inner, sink) {
            return;
        }
    }
    read_members(src, doc, inner, sink);
}

/// Reads the lines of a response read in one pass, if it is a log query
/// response whose every value is a pair that can be placed in the input;
/// else reads nothing and says so.
fn read_placed<'i>(
    src: &IndexedInput<'i>,
    root: &str,
    response: Response<'i>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) -> bool {
    if response.data.result_type != "streams" {
        return false;
    }
    let streams = response.data.result.into_iter().enumerate();
    let placed = streams
        .map(|(i, stream)| {
            let locator = format!("{root}.data.result[{i}].values");
            Some((stream.stream, placed_pairs(src, stream.values, &locator)?))
        })
        .collect::<Option<Vec<_>>>();
    let Some(streams) = placed else {
        return false;
    };
    for (labels, pairs) in streams {
        read_values(src, &stream_labels(labels), pairs, inner, sink);
    }
    true
}

/// A log query response as Loki writes it, borrowed from the input.
#[derive(serde::Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    data: ResponseData<'a>,
}

#[derive(serde::Deserialize)]
struct ResponseData<'a> {
    #[serde(rename = "resultType")]
    result_type: &'a str,
    #[serde(borrow)]
    result: Vec<ResponseStream<'a>>,
}

#[derive(serde::Deserialize)]
struct ResponseStream<'a> {
    #[serde(borrow)]
    stream: Option<&'a RawValue>,
    #[serde(borrow)]
    values: Vec<ValuePair<'a>>,
}

/// A response read member by member: the fallback of [`read_response`].
fn read_members(
    src: &IndexedInput<'_>,
    doc: &Document<'_>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    let problem = |raw: &RawValue, locator: String, reason: String| Problem {
        line: Some(src.line_at(src.span_of(raw).start)),
        locator: Some(locator),
        reason,
    };
    // The response is most of a piece, and a stream most of a response:
    // the streams and the result type beside them are reached in one pass,
    // and each stream's members are read in one pass, not one per key.
    let found = json::raw_array_beside(doc.raw, &["data", "result"], Some("resultType"));
    let kind = found
        .as_ref()
        .and_then(|(_, kind)| serde_json::from_str::<String>((*kind)?.get()).ok())
        .unwrap_or_default();
    let streams = found.map(|(streams, _)| streams);
    let (true, Some(streams)) = (kind == "streams", streams) else {
        sink.problem(problem(
            doc.raw,
            doc.root.clone(),
            format!("not a Loki log query response (resultType {kind:?}): no log lines"),
        ));
        return;
    };
    for (i, stream) in streams.into_iter().enumerate() {
        let at = format!("{}.data.result[{i}]", doc.root);
        let members = json::ordered_members(stream).unwrap_or_default();
        let find = |key: &str| json::find_member(&members, key);
        let labels = stream_labels(find("stream"));
        let locator = format!("{at}.values");
        let values = find("values").and_then(|values| {
            let elements = json::raw_elements(src.bytes, &src.lines, values, &locator)?;
            Some(elements.map(|raw| Element {
                value: serde_json::from_str(raw.value.get()).ok(),
                span: raw.span,
                line: raw.line,
                locator: raw.locator,
            }))
        });
        let Some(values) = values else {
            sink.problem(problem(stream, at, "stream without values".to_string()));
            continue;
        };
        read_values(src, &labels, values, inner, sink);
    }
}

/// What a stream's labels say about its lines.
fn stream_labels(stream: Option<&RawValue>) -> Stream {
    let labels = stream
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .map(|v| labels(Some(&v)))
        .unwrap_or_default();
    Stream::new(&labels)
}

/// The records of a stream's values; each that is not a pair (`None`) is
/// reported.
fn read_values<'i>(
    src: &IndexedInput<'i>,
    labels: &Stream,
    values: impl IntoIterator<Item = Element<Option<ValuePair<'i>>>>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    for mut value in values {
        let Some((ValuePair { ns, metadata, .. }, Some(line))) = value
            .value
            .map(|pair: ValuePair| (pair, json::string_text(pair.line)))
        else {
            sink.problem(problem_at(
                &value,
                "not a [\"<epoch ns>\", \"<line>\"] pair",
            ));
            continue;
        };
        let Some(time) = time::parse_epoch(ns, Some(EpochUnit::Nanos)) else {
            sink.problem(problem_at(&value, format!("unreadable epoch ns {ns:?}")));
            continue;
        };
        // The message is the line's own when its parser reads it, so
        // the line is copied only when none does.
        // The locator moves into the record, not copied: one string
        // less per line.
        let locator = std::mem::take(&mut value.locator);
        let mut record = src.record_at(&value, Kind::Log, time, String::new());
        record.locator = Some(locator);
        let metadata = metadata.and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok());
        if let Some(Value::Object(metadata)) = metadata {
            for (key, v) in metadata {
                if let Some(text) = json::string_or_number(Some(&v)) {
                    record.attributes.push((key.into(), text));
                }
            }
        }
        if !finish(&mut record, labels, &line, inner) {
            record.message = line.trim_end().to_string();
        }
        sink.record(record);
    }
}

/// A stream's values, read in one pass, each placed in the input by the
/// members it borrows; `None` if one cannot be.
fn placed_pairs<'i>(
    src: &IndexedInput<'i>,
    pairs: Vec<ValuePair<'i>>,
    locator: &str,
) -> Option<Vec<Element<Option<ValuePair<'i>>>>> {
    pairs
        .into_iter()
        .enumerate()
        .map(|(i, pair)| {
            let locator = json::indexed(locator, i as u64);
            src.element_around(Some(pair), pair.ns, pair.last, b'[', locator)
        })
        .collect()
}

/// One of a stream's `values`: `["<epoch ns>", "<line>"]`, and structured
/// metadata as a third member where Loki 3 writes it. Read in one pass
/// over the element, the strings borrowed where they hold no escapes: a
/// response holds millions of them.
#[derive(Clone, Copy)]
struct ValuePair<'a> {
    ns: &'a str,
    /// Raw: unescaped by [`json::string_text`], which is cheaper.
    line: &'a RawValue,
    metadata: Option<&'a RawValue>,
    /// The last member, where the element ends.
    last: &'a RawValue,
}

impl<'de: 'a, 'a> Deserialize<'de> for ValuePair<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for PairVisitor<'a> {
            type Value = ValuePair<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[\"<epoch ns>\", \"<line>\"]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let missing = || serde::de::Error::invalid_length(0, &self);
                // Digits: never escaped, so always borrowed.
                let ns: &'de str = seq.next_element()?.ok_or_else(missing)?;
                let line: &'de RawValue = seq.next_element()?.ok_or_else(missing)?;
                let metadata: Option<&'de RawValue> = seq.next_element()?;
                let mut last = metadata.unwrap_or(line);
                while let Some(more) = seq.next_element::<&'de RawValue>()? {
                    last = more;
                }
                Ok(ValuePair {
                    ns,
                    line,
                    metadata,
                    last,
                })
            }
        }
        deserializer.deserialize_seq(PairVisitor(std::marker::PhantomData))
    }
}

/// A stream's labels, sorted by name.
fn labels(stream: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = stream else {
        return BTreeMap::new();
    };
    map.iter()
        .filter_map(|(k, v)| Some((k.clone(), json::string_or_number(Some(v))?)))
        .collect()
}

/// Labels as Loki writes a stream selector: `{app="api", host="web-1"}`.
fn selector(labels: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", Value::String(v.clone())))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// What a stream's labels say about its lines, worked out once per stream.
struct Stream {
    host: Option<String>,
    service: Option<String>,
    level: Option<Level>,
    selector: Option<String>,
}

impl Stream {
    fn new(labels: &BTreeMap<String, String>) -> Stream {
        let pick = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| labels.get(*n).filter(|v| !v.is_empty()).cloned())
        };
        Stream {
            host: pick(HOST_LABELS),
            service: pick(SERVICE_LABELS),
            level: pick(LEVEL_LABELS).and_then(|word| level(&word)),
            selector: (!labels.is_empty()).then(|| selector(labels)),
        }
    }
}

/// Sets what the labels say and reads the line into the record: whether a
/// parser read it (else the caller sets the message).
fn finish(record: &mut Record, stream: &Stream, line: &str, inner: &mut InnerLines) -> bool {
    record.system = Some("Loki".into());
    // The labels, the line's format and what the line adds, in one go.
    record.attributes.reserve(4);
    record.host.clone_from(&stream.host);
    record.service.clone_from(&stream.service);
    if let Some(selector) = &stream.selector {
        record.attributes.push(("stream".into(), selector.clone()));
    }
    let read = inner.apply(record, line);
    record.level = record.level.or(stream.level);
    read
}

impl Parser for Logcli {
    fn id(&self) -> &str {
        "loki-logcli"
    }

    fn description(&self) -> &str {
        "Grafana logcli query output: --output=jsonl and --output=default (time {labels} line)"
    }

    fn specificity(&self) -> u8 {
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, false, |line| {
            read_line(line).is_ok() || header(line).is_some()
        })
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        let mut common = BTreeMap::new();
        for line in lines::split(input) {
            let (text, lossy) = lines::text(line.bytes);
            if text.trim().is_empty() {
                continue;
            }
            let problem = |reason: String| Problem {
                line: Some(line.number),
                locator: None,
                reason,
            };
            if let Some(too_long) = lines::over_limit(&line) {
                sink.problem(too_long);
                continue;
            }
            match header(&text) {
                Some(Header::Url) => continue,
                Some(Header::Common(labels)) => {
                    common = labels;
                    continue;
                }
                None => {}
            }
            match read_line(&text) {
                Ok((time, mut labels, body)) => {
                    for (name, value) in &common {
                        labels.entry(name.clone()).or_insert_with(|| value.clone());
                    }
                    let mut record = Record::log(
                        line.number,
                        line.start..line.start + line.bytes.len(),
                        time,
                        String::new(),
                    );
                    record.lossy_utf8 = lossy;
                    if !finish(&mut record, &Stream::new(&labels), &body, &mut inner) {
                        record.message = body;
                    }
                    sink.record(record);
                }
                Err(reason) => sink.problem(problem(reason)),
            }
        }
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line is its own record.
        Some(true)
    }
}

type Entry = (Timestamp, BTreeMap<String, String>, String);

/// What the default output prints before its entries.
enum Header {
    /// The query as a Loki API URL.
    Url,
    /// The labels every entry shares, left out of each entry's own.
    Common(BTreeMap<String, String>),
}

fn header(text: &str) -> Option<Header> {
    let text = text.trim_end();
    if let Some(rest) = text.strip_prefix("Common labels:") {
        let (labels, after) = read_selector(rest.trim_start())?;
        return after.trim().is_empty().then_some(Header::Common(labels));
    }
    let url = (text.starts_with("http://") || text.starts_with("https://"))
        && text.contains("/loki/api/v1/")
        && !text.contains(char::is_whitespace);
    url.then_some(Header::Url)
}

/// One logcli line, in either output.
fn read_line(text: &str) -> Result<Entry, String> {
    if text.starts_with('{') {
        return read_jsonl(text);
    }
    let (time, used) =
        time::parse_leading(text).ok_or_else(|| "no logcli timestamp".to_string())?;
    if !matches!(time.value, time::TimeValue::Utc(_)) {
        return Err("logcli times carry a zone".to_string());
    }
    let rest = text[used..].trim_start();
    let (labels, line) =
        read_selector(rest).ok_or_else(|| "no {labels} after the time".to_string())?;
    Ok((time, labels, line.trim_start().to_string()))
}

fn read_jsonl(text: &str) -> Result<Entry, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let line = value
        .get("line")
        .and_then(Value::as_str)
        .ok_or_else(|| "no \"line\"".to_string())?;
    if !value.get("labels").is_none_or(Value::is_object) {
        return Err("\"labels\" is not an object".to_string());
    }
    let time =
        json::time_field(&value, "timestamp")?.ok_or_else(|| "no \"timestamp\"".to_string())?;
    Ok((time, labels(value.get("labels")), line.to_string()))
}

/// `{a="x", b="y"}` at the start of `text` (values are Go-quoted strings),
/// and what follows it.
fn read_selector(text: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut rest = text.strip_prefix('{')?;
    let mut labels = BTreeMap::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if let Some(after) = rest.strip_prefix('}') {
            return Some((labels, after));
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let quoted = rest[eq + 1..].strip_prefix('"')?;
        let mut escaped = false;
        let close = quoted.char_indices().find_map(|(i, c)| {
            let end = !escaped && c == '"';
            escaped = !escaped && c == '\\';
            end.then_some(i)
        })?;
        let value: String = serde_json::from_str(&format!("\"{}\"", &quoted[..close])).ok()?;
        labels.insert(name.to_string(), value);
        rest = &quoted[close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{
        assert_rejects_text, attr, never_panics, problem_places, run, run_str, span_texts, utc,
    };
    use crate::Level;

    const QUERY_RANGE: &str = r#"{"status":"success","data":{"resultType":"streams","result":[
{"stream":{"app":"web","host":"web-1"},"values":[
["1763633400123456789","10.0.0.1 - - [20/Nov/2025:10:10:00 +0000] \"GET /health HTTP/1.1\" 503 12"],
["1763633399000000000","plain words"]]},
{"stream":{"job":"api"},"values":[["1763633401000000000","ts=2025-11-20T10:10:01.5Z level=error msg=\"db timeout\""]]}],
"stats":{}}}"#;

    #[test]
    fn query_range_lines_are_read_with_their_own_format() {
        assert_eq!(LokiApi.sniff(QUERY_RANGE.as_bytes()), Some(95));
        let out = run_str(&LokiApi, QUERY_RANGE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 3);
        assert_eq!(utc(&r[0]), "2025-11-20T10:10:00.123456Z");
        assert_eq!(attr(&r[0], "line_format"), Some("access-log"));
        assert_eq!(attr(&r[0], "stream"), Some(r#"{app="web", host="web-1"}"#));
        assert_eq!(r[0].host.as_deref(), Some("web-1"));
        assert_eq!(r[0].service.as_deref(), Some("web"));
        assert_eq!(r[0].locator.as_deref(), Some("$.data.result[0].values[0]"));
        assert_eq!(utc(&r[1]), "2025-11-20T10:09:59.000000Z");
        assert_eq!(r[1].message, "plain words");
        assert_eq!(utc(&r[2]), "2025-11-20T10:10:01.500000Z");
        assert_eq!(r[2].message, "db timeout");
        assert_eq!(r[2].service.as_deref(), Some("api"));
        assert_eq!(r[2].line, Some(5));
    }

    #[test]
    fn metric_results_and_broken_values_are_problems() {
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert_eq!(
            problem_places(&run_str(&LokiApi, matrix)),
            [(Some(1), Some("$"))]
        );
        let broken = r#"{"data":{"resultType":"streams","result":[{"stream":{},"values":[["x","y"],[1]]}]}}"#;
        let out = run_str(&LokiApi, broken);
        assert_eq!(out.records.len(), 0);
        assert_eq!(out.problems.len(), 2);
        assert_eq!(
            out.problems[1].locator.as_deref(),
            Some("$.data.result[0].values[1]")
        );
    }

    #[test]
    fn values_read_in_one_pass_are_placed_as_when_read_one_by_one() {
        // Whitespace inside the pairs, a fourth member; then a response
        // with one broken value, read member by member, whose good
        // stream is read once, not twice.
        let spaced = "{\"data\":{\"resultType\":\"streams\",\"result\":[{\"stream\":{},\"values\":[\n  [ \"1763633400000000000\" ,\n \"a\" ] ,[\"1763633401000000000\",\"b\",{},1\t]]}]}}";
        let out = run_str(&LokiApi, spaced);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let texts = span_texts(&out, spaced);
        assert_eq!(
            texts,
            [
                "[ \"1763633400000000000\" ,\n \"a\" ]",
                "[\"1763633401000000000\",\"b\",{},1\t]"
            ]
        );
        assert_eq!(
            out.records
                .iter()
                .map(|r| (r.line, r.line_end))
                .collect::<Vec<_>>(),
            [(Some(2), Some(3)), (Some(3), Some(3))]
        );
        let mixed = r#"{"data":{"resultType":"streams","result":[{"stream":{},"values":[["1763633400000000000","a"]]},{"stream":{},"values":[["1763633400000000000",1]]}]}}"#;
        let out = run_str(&LokiApi, mixed);
        assert_eq!(out.records.len(), 1);
        assert_eq!(
            problem_places(&out),
            [(Some(1), Some("$.data.result[1].values[0]"))]
        );
    }

    #[test]
    fn escaped_lines_metadata_and_values_of_another_shape() {
        // A JSON line with escapes and no time of its own (read at the
        // stream's time), a plain one, structured metadata as a third
        // member, and values that are no pair.
        let text = r#"{"data":{"resultType":"streams","result":[{"stream":{"app":"api"},"values":[
["1763633400000000000","{\"level\":\"error\",\"msg\":\"db \\\"main\\\" down\"}",{"trace_id":"abc","n":3}],
["1763633401000000000","plain words"],
{"0":"1763633402000000000","1":"x"},
["1763633403000000000",7]]}]}}"#;
        let out = run_str(&LokiApi, text);
        let r = &out.records;
        assert_eq!(r.len(), 2, "{:?}", out.problems);
        assert_eq!(r[0].message, r#"db "main" down"#);
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(attr(&r[0], "line_format"), Some("jsonl"));
        assert_eq!(attr(&r[0], "trace_id"), Some("abc"));
        assert_eq!(attr(&r[0], "n"), Some("3"));
        assert_eq!(r[1].message, "plain words");
        assert_eq!(
            problem_places(&out),
            [
                (Some(4), Some("$.data.result[0].values[2]")),
                (Some(5), Some("$.data.result[0].values[3]"))
            ]
        );
    }

    #[test]
    fn logcli_jsonl_and_default_output() {
        let text = concat!(
            "{\"line\":\"time=2025-11-20T10:10:00.5Z level=warn msg=slow\",\"timestamp\":\"2025-11-20T11:10:00.5+01:00\",\"labels\":{\"app\":\"api\"}}\n",
            "2025-11-20T10:10:01Z {app=\"api\", host=\"h\\\"1\"}     GET /x took 3s\n",
        );
        assert_eq!(Logcli.sniff(text.as_bytes()), Some(100));
        let out = run_str(&Logcli, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2025-11-20T10:10:00.500000Z");
        assert_eq!(out.records[0].message, "slow");
        assert_eq!(out.records[1].message, "GET /x took 3s");
        assert_eq!(out.records[1].host.as_deref(), Some("h\"1"));
        assert_eq!(Logcli.starts_record(b"x"), Some(true));
    }

    #[test]
    fn stream_level_label_when_the_line_gives_none() {
        let input = include_bytes!("../../../fixtures/loki/query_range_stream_level.json");
        let out = run(&LokiApi, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 3);
        assert_eq!(utc(&r[0]), "2026-03-12T10:45:10.500000Z");
        assert_eq!(r[0].message, "invoice queue depth 4200");
        assert_eq!(r[0].level, Some(Level::Warn));
        assert_eq!(r[0].service.as_deref(), Some("billing"));
        // The line's own level word wins over the stream's.
        assert_eq!(utc(&r[1]), "2026-03-12T10:45:05.000000Z");
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(utc(&r[2]), "2026-03-12T10:45:01.250000Z");
        assert_eq!(r[2].message, "posting failed for batch 88");
        assert_eq!(r[2].level, Some(Level::Error));
        assert_eq!(r[2].service.as_deref(), Some("ledger"));
    }

    #[test]
    fn logcli_default_output_headers() {
        let input =
            include_bytes!("../../../fixtures/loki-logcli/query_output_default_common_labels.txt");
        assert_eq!(Logcli.sniff(input), Some(100));
        let out = run(&Logcli, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        assert_eq!(utc(&r[0]), "2026-03-12T10:45:10.000000Z");
        assert_eq!(r[0].message, "queue depth 4200 over limit");
        assert_eq!(r[0].host.as_deref(), Some("bill-2"));
        assert_eq!(r[0].service.as_deref(), Some("billing"));
        assert_eq!(
            attr(&r[0], "stream"),
            Some(r#"{host="bill-2", queue="invoices", service_name="billing"}"#)
        );
        assert_eq!(r[0].line, Some(3));
        assert_eq!(utc(&r[1]), "2026-03-12T10:45:05.318000Z");
        assert_eq!(r[1].message, "refund worker stopped");
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(r[1].host.as_deref(), Some("bill-2"));
    }

    #[test]
    fn sniffs_reject_other_formats() {
        let others = [
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "2026-01-01T10:00:00Z plain text line\n",
            "time=\"2026-01-01T10:00:00Z\" level=info msg=x\n",
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}"#,
        ];
        assert_rejects_text(&LokiApi, &others);
        assert_rejects_text(&Logcli, &others);
        assert!(run(&Logcli, b"2026-01-01T10:00:00 {a=\"b\"} x")
            .records
            .is_empty());
    }

    never_panics!(LokiApi, Logcli);
}
