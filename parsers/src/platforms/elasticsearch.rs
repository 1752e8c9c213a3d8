//! Elasticsearch and OpenSearch search results: `_search` responses,
//! scroll and point-in-time pages (`hits.hits[]`), several pages one after
//! another, `_msearch` responses (`responses[].hits.hits[]`), and hits one
//! per line (NDJSON, as dump tools write them).
//!
//! A hit's `_source` is the indexed document: it is read as the JSON log
//! line it usually was (the `jsonl` parser's ECS and common field names:
//! `@timestamp`, `message`, `log.level`, `host.name`, `service.name`…).
//! When the document keeps the original line (`event.original`,
//! `log.original`), that line is read with the parser of its own format
//! instead. A hit whose time is only in `fields` (docvalue fields) is read
//! from there, and a hit without `_source` (searched with `"_source":
//! false, "fields": […]`) is read from its `fields` alone; a date there is
//! written in its mapping's format, so digits are epoch milliseconds
//! (`epoch_millis`). A document whose time has a name no convention gives
//! (Grafana's `testtime`) takes it from its one top-level ISO 8601 date and
//! time with a zone, else from the hit's `sort[0]` when that is epoch
//! milliseconds; the field it came from is kept as `time_field`. `_index`
//! and `_id` stay with the record; `_id` is an identifier, so the same hit
//! in two exports is one event.

use serde_json::value::RawValue;
use serde_json::Value;

use super::InnerLines;
use crate::input::json::{self, problem_at, Element, Head, IndexedInput};
use crate::logs::jsonl::{self, View};
use crate::record::{add_attribute, add_identifier, Kind, Problem, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

/// Search responses and hits.
pub struct Elasticsearch;

/// Time fields of a document, best first.
const TIME_FIELDS: &[&str] = &[
    "@timestamp",
    "timestamp",
    "time",
    "event.created",
    "event.ingested",
    "datetime",
    "date",
];

impl Parser for Elasticsearch {
    fn id(&self) -> &str {
        "elasticsearch"
    }

    fn description(&self) -> &str {
        "Elasticsearch/OpenSearch _search and _msearch responses, scroll/PIT pages and NDJSON of hits (hits.hits[]._source)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        if !(h.has("_index") && (h.has("_source") || h.has("fields"))) {
            return None;
        }
        let fields = h.has("fields");
        h.time(TIME_FIELDS, |v| match v {
            json::HeadValue::Text(t) => {
                time::text_time(t).or_else(|| fields.then(|| epoch_millis_text(t)).flatten())
            }
            json::HeadValue::Integer(n) => time::parse_epoch(n, None),
        })
        .map(|_| 95)
        .or_else(|| {
            // A document timed under another name is still sorted by it.
            h.time(&["sort"], |v| match v {
                json::HeadValue::Integer(n) => sort_millis(n),
                json::HeadValue::Text(_) => None,
            })
            .map(|_| 90)
        })
    }

    fn untimed(&self, head: &[u8]) -> Option<String> {
        let h = Head::new(head)?;
        (h.has("_index") && (h.has("_source") || h.has("fields")))
            .then(|| "Elasticsearch hits whose documents carry no time field".to_string())
    }

    fn json_record_arrays(&self) -> &[&str] {
        // Each record is read from its own element and the labels or
        // envelope before it; nothing is counted across elements.
        &["hits.hits", "responses[].hits.hits"]
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut inner = InnerLines::default();
        // One page, as a `_search` export and each streamed piece of one
        // is: its hits and their members read in one pass. Anything else
        // is read document by document, member by member.
        let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
        if let Ok(page) = serde_json::from_slice::<Page<'_>>(body) {
            let src = IndexedInput::new(input);
            let placed = page.hits.hits.into_iter().enumerate();
            let placed: Option<Vec<_>> = placed
                .map(|(i, hit)| hit.placed(&src, json::indexed("$.hits.hits", i as u64)))
                .collect();
            if let Some(hits) = placed {
                for hit in hits {
                    read_hit(&src, &hit, &mut inner, sink);
                }
                return;
            }
        }
        json::each_document(input, sink, |src, doc, sink| {
            // Hits are parsed one at a time, never the whole page at once;
            // a page is most of a piece, so its hits are reached in one
            // pass over it.
            let hits = if json::first_byte(doc.raw.get().as_bytes()) == Some(b'[') {
                json::raw_array_at(doc.raw, &[]).map(|hits| (hits, doc.root.clone()))
            } else if let Some(hits) = json::raw_array_at(doc.raw, &["hits", "hits"]) {
                Some((hits, format!("{}.hits.hits", doc.root)))
            } else if json::member(doc.raw, "_index").is_some() {
                // Only a hit has an `_index`; a page has it only inside.
                let hit = src.raw_element(doc.raw, doc.root.clone());
                read_hit(src, &with_members(hit), &mut inner, sink);
                return;
            } else if let Some(responses) = json::raw_array_at(doc.raw, &["responses"]) {
                let locator = format!("{}.responses", doc.root);
                for response in json::elements_of(src.bytes, &src.lines, responses, &locator) {
                    match json::raw_array_at(response.value, &["hits", "hits"]) {
                        Some(hits) => {
                            let locator = format!("{}.hits.hits", response.locator);
                            read_hits(src, hits, &locator, &mut inner, sink);
                        }
                        // A search that failed answers with its `error`.
                        None => {
                            sink.problem(problem_at(&response, "a response without hits.hits[]"))
                        }
                    }
                }
                return;
            } else {
                None
            };
            let Some((hits, locator)) = hits else {
                sink.problem(Problem {
                    line: Some(src.line_at(src.span_of(doc.raw).start)),
                    locator: Some(doc.root.clone()),
                    reason: "no hits.hits[] list".to_string(),
                });
                return;
            };
            read_hits(src, hits, &locator, &mut inner, sink);
        });
    }
}

fn read_hits(
    src: &IndexedInput<'_>,
    hits: Vec<&RawValue>,
    locator: &str,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    for hit in json::elements_of(src.bytes, &src.lines, hits, locator) {
        read_hit(src, &with_members(hit), inner, sink);
    }
}

/// A field by its dotted name, written either way: `{"log.level": …}` or
/// `{"log": {"level": …}}`.
fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    if let Some(found) = v.get(name) {
        return Some(found);
    }
    let (head, rest) = name.split_once('.')?;
    field(v.get(head)?, rest)
}

/// A time field's value: text, or an epoch number (ES stores dates as
/// epoch milliseconds when mapped so).
fn time_of(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(s) => time::text_time(s),
        Value::Number(n) => time::parse_epoch(&n.to_string(), None),
        Value::Array(items) => items.first().and_then(time_of),
        _ => None,
    }
}

/// A time value of a hit's `fields`: Elasticsearch writes a date there in
/// its mapping's format, which is digits of epoch milliseconds under
/// `epoch_millis` (`["4098435132000"]`).
fn fields_time_of(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(s) => time::text_time(s).or_else(|| epoch_millis_text(s)),
        Value::Array(items) => items.first().and_then(fields_time_of),
        other => time_of(other),
    }
}

/// Digits of epoch milliseconds, as `epoch_millis` writes them.
fn epoch_millis_text(text: &str) -> Option<Timestamp> {
    time::parse_epoch(text, Some(EpochUnit::Millis))
}

/// A sort value that is epoch milliseconds of this era (1973 to 5138):
/// smaller integers are counters and tiebreakers (`_shard_doc`), not times.
fn sort_millis(digits: &str) -> Option<Timestamp> {
    let value: u64 = digits.parse().ok()?;
    (EpochUnit::by_magnitude(value.into()) == EpochUnit::Millis)
        .then(|| epoch_millis_text(digits))
        .flatten()
}

/// An ISO 8601 date and time with its zone (`2023-02-09T14:40:01.475Z`):
/// the only text taken for a time under a name that does not say so.
fn zoned_iso_time(text: &str) -> Option<Timestamp> {
    let b = text.trim().as_bytes();
    let dated = b.len() > 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    let found = time::text_time(text).filter(|_| dated)?;
    matches!(found.value, TimeValue::Utc(_)).then_some(found)
}

/// The time of a document none of [`TIME_FIELDS`] dates, with the field
/// it came from: its one top-level member holding a zoned ISO 8601 date
/// and time (of two, which one is the event's is not known), else the
/// hit's `sort[0]` when it is epoch milliseconds.
fn fallback_time(doc: &Document<'_>, sort: Option<&RawValue>) -> Option<(Timestamp, String)> {
    if let Document::Source(_, document) = doc {
        let mut dated = document
            .texts()
            .filter_map(|(name, text)| Some((zoned_iso_time(text)?, name.to_string())));
        if let (Some(only), None) = (dated.next(), dated.next()) {
            return Some(only);
        }
    }
    let first = serde_json::from_str::<Vec<Value>>(sort?.get())
        .ok()?
        .into_iter()
        .next()?;
    let Value::Number(n) = first else {
        return None;
    };
    Some((sort_millis(&n.to_string())?, "sort".to_string()))
}

/// A hit's `fields` (`{"log.level": ["error"]}`) as the document they
/// were taken from: a field of one value holds that value.
fn fields_as_document(fields: &Value) -> Value {
    let Value::Object(fields) = fields else {
        return Value::Null;
    };
    let members = fields.iter().map(|(name, values)| {
        let value = match values {
            Value::Array(one) if one.len() == 1 => one[0].clone(),
            other => other.clone(),
        };
        (name.clone(), value)
    });
    Value::Object(members.collect())
}

/// A hit's document: its `_source` as written, read once (as the JSON
/// lines parser reads a line, which is also how it is read as the line
/// the hit carries), or, for a hit without one, its `fields`.
enum Document<'a> {
    Source(&'a RawValue, jsonl::Document<'a>),
    Fields(Value),
}

impl Document<'_> {
    /// The time in field `name` (dotted, see [`field`]), as this kind of
    /// document writes it: `None` when the field is absent.
    fn time(&self, name: &str) -> Option<Option<Timestamp>> {
        Some(match self {
            Document::Source(_, document) => match document.field(name)? {
                View::Text(text) => time::text_time(text),
                View::Other(value) => time_of(value),
            },
            Document::Fields(fields) => fields_time_of(field(fields, name)?),
        })
    }

    fn text(&self, name: &str) -> Option<String> {
        match self {
            Document::Source(_, document) => match document.field(name)? {
                View::Text(text) => Some(text.trim())
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
                View::Other(value) => json::string_or_number(Some(value)),
            },
            Document::Fields(fields) => json::string_or_number(field(fields, name)),
        }
    }

    /// The document on one line.
    fn to_line(&self) -> String {
        match self {
            Document::Source(raw, _) => serde_json::from_str::<Value>(raw.get())
                .map_or_else(|_| raw.get().to_string(), |doc| doc.to_string()),
            Document::Fields(fields) => fields.to_string(),
        }
    }
}

/// A page of hits as a `_search` response writes it, borrowed from the
/// input.
#[derive(serde::Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    hits: PageHits<'a>,
}

#[derive(serde::Deserialize)]
struct PageHits<'a> {
    #[serde(borrow)]
    hits: Vec<PlacedHit<'a>>,
}

/// The members of a hit that are read.
#[derive(Default, Clone, Copy)]
struct HitMembers<'a> {
    index: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    source: Option<&'a RawValue>,
    fields: Option<&'a RawValue>,
    sort: Option<&'a RawValue>,
}

impl<'a> HitMembers<'a> {
    /// Sets member `key` (of a key written twice, the last counts, as in
    /// [`json::find_member`]).
    fn set(&mut self, key: &str, value: &'a RawValue) {
        let slot = match key {
            "_index" => &mut self.index,
            "_id" => &mut self.id,
            "_source" => &mut self.source,
            "fields" => &mut self.fields,
            "sort" => &mut self.sort,
            _ => return,
        };
        *slot = Some(value);
    }
}

/// A hit's members with where its object begins (its first key) and
/// ends (its last value), read in the pass over its page.
struct PlacedHit<'a> {
    members: HitMembers<'a>,
    first_key: &'a str,
    last_value: &'a RawValue,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for PlacedHit<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HitVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for HitVisitor<'a> {
            type Value = PlacedHit<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a hit with members")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut members = HitMembers::default();
                let mut ends = None;
                // Keys borrowed, so that they are where the input has them
                // (a key with escapes fails the pass, and the page is
                // read member by member instead).
                while let Some(key) = map.next_key::<&'de str>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.set(key, value);
                    let first = ends.map_or(key, |(first, _)| first);
                    ends = Some((first, value));
                }
                let (first_key, last_value) =
                    ends.ok_or_else(|| serde::de::Error::custom("a hit without members"))?;
                Ok(PlacedHit {
                    members,
                    first_key,
                    last_value,
                })
            }
        }
        deserializer.deserialize_map(HitVisitor(std::marker::PhantomData))
    }
}

impl<'a> PlacedHit<'a> {
    /// The hit as an element of the input, placed by its first key and
    /// last value.
    fn placed(self, src: &IndexedInput<'a>, locator: String) -> Option<Element<HitMembers<'a>>> {
        src.element_around(self.members, self.first_key, self.last_value, b'{', locator)
    }
}

/// A hit read whole, with its members found.
fn with_members(hit: Element<&RawValue>) -> Element<HitMembers<'_>> {
    let mut members = HitMembers::default();
    for (key, value) in json::ordered_members(hit.value).unwrap_or_default() {
        members.set(&key, value);
    }
    Element {
        value: members,
        span: hit.span,
        line: hit.line,
        locator: hit.locator,
    }
}

fn read_hit(
    src: &IndexedInput<'_>,
    hit: &Element<HitMembers<'_>>,
    inner: &mut InnerLines,
    sink: &mut dyn RecordSink,
) {
    // The hit's members stay raw: `_source` as written is what the line
    // parser reads, and only the few fields looked up are read.
    let members = &hit.value;
    let fields = members
        .fields
        .and_then(|r| serde_json::from_str::<Value>(r.get()).ok());
    let source = members
        .source
        .and_then(|r| Some((r, jsonl::Document::parse(r.get())?)));
    let doc = match source {
        Some((written, document)) if !document.is_empty() => Document::Source(written, document),
        // Asked for `fields` without `_source` (`"_source": false`), the
        // hit's document is its fields, each an array of values.
        _ => Document::Fields(fields.as_ref().map_or(Value::Null, fields_as_document)),
    };
    let known = TIME_FIELDS.iter().find_map(|name| {
        doc.time(name)
            .or_else(|| Some(fields_time_of(fields.as_ref()?.get(name)?)))
    });
    let (time, time_field) = match known {
        Some(time) => (time, None),
        None => match fallback_time(&doc, members.sort) {
            Some((time, name)) => (Some(time), Some(name)),
            None => (None, None),
        },
    };
    let Some(time) = time else {
        sink.problem(problem_at(hit, "a hit without a readable time field"));
        return;
    };
    // The message is the line's own when its parser reads it, so the
    // document's is looked up only when none does.
    let mut record = src.record_at(hit, Kind::Log, time, String::new());
    record.system = Some("Elasticsearch".into());
    add_attribute(&mut record, "time_field", time_field.as_deref());
    add_attribute(&mut record, "index", members.index.and_then(json::raw_text));
    if let Some(id) = members.id.and_then(json::raw_text) {
        add_identifier(&mut record, id);
    }
    let original = ["event.original", "log.original"]
        .iter()
        .find_map(|name| doc.text(name));
    let read = match original {
        Some(line) => {
            record.host = ["host.name", "host.hostname", "hostname", "host"]
                .iter()
                .find_map(|n| doc.text(n));
            record.service = ["service.name", "service"].iter().find_map(|n| doc.text(n));
            inner.apply(&mut record, &line)
        }
        None => match &doc {
            Document::Source(_, document) => InnerLines::apply_document(&mut record, document),
            Document::Fields(_) => inner.apply(&mut record, &doc.to_line()),
        },
    };
    if !read {
        record.message = doc
            .text("message")
            .or_else(|| json::string_or_number(fields.as_ref()?.get("message")?.get(0)))
            .unwrap_or_else(|| doc.to_line());
    }
    sink.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{
        assert_rejects_text, attr, never_panics, problem_places, run, run_str, span_texts, utc,
    };
    use crate::{Level, Record};

    #[test]
    fn ndjson_hits_with_ecs_documents_and_original_lines() {
        let text = concat!(
            "{\"_index\":\"logs-1\",\"_id\":\"a\",\"_source\":{\"@timestamp\":\"2025-11-20T10:00:00.5Z\",\"log\":{\"level\":\"error\"},\"message\":\"db down\",\"host\":{\"name\":\"db-1\"},\"service\":{\"name\":\"pg\"}}}\n",
            "{\"_index\":\"logs-1\",\"_id\":\"b\",\"_source\":{\"@timestamp\":\"2025-11-20T10:00:09Z\",\"event\":{\"original\":\"10.0.0.1 - - [20/Nov/2025:10:00:01 +0000] \\\"GET / HTTP/1.1\\\" 502 0\"},\"host\":{\"name\":\"lb-1\"}}}\n",
            "{\"_index\":\"logs-1\",\"_id\":\"c\",\"_source\":{},\"fields\":{\"@timestamp\":[\"2025-11-20T10:00:02Z\"]}}\n",
            "{\"_index\":\"logs-1\",\"_id\":\"d\",\"_source\":{\"name\":\"no time\"}}\n",
        );
        assert_eq!(Elasticsearch.sniff(text.as_bytes()), Some(95));
        let out = run_str(&Elasticsearch, text);
        let r = &out.records;
        assert_eq!(r.len(), 3);
        assert_eq!(utc(&r[0]), "2025-11-20T10:00:00.500000Z");
        assert_eq!(r[0].message, "db down");
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].host.as_deref(), Some("db-1"));
        assert_eq!(r[0].service.as_deref(), Some("pg"));
        assert_eq!(r[0].identifiers, ["a"]);
        assert_eq!(utc(&r[1]), "2025-11-20T10:00:01.000000Z");
        assert_eq!(attr(&r[1], "time_disagreement_s"), Some("-8.000"));
        assert_eq!(r[1].host.as_deref(), Some("lb-1"));
        assert_eq!(utc(&r[2]), "2025-11-20T10:00:02.000000Z");
        assert_eq!(out.problems[0].locator.as_deref(), Some("document 4 $"));
    }

    #[test]
    fn a_page_read_in_one_pass_places_its_hits_as_a_read_member_by_member() {
        // Whitespace around the members, a key written twice (the last
        // counts), and then the same page with an escaped key, which is
        // read member by member: the same records either way.
        let page = |id_key: &str| {
            format!(
                "{{\"took\":1,\"hits\":{{\"hits\":[ {{ \"_index\":\"a\",\"_id\":\"1\",\"_source\":{{\"@timestamp\":\"2025-11-20T10:00:00Z\",\"message\":\"m1\"}} }},\n{{\"_index\":\"a\",\"_index\":\"b\",\"{id_key}\":\"2\",\"_source\":{{\"@timestamp\":\"2025-11-20T10:00:01Z\",\"message\":\"m2\"}}\n}}]}}}}"
            )
        };
        let plain = page("_id");
        let out = run_str(&Elasticsearch, &plain);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let texts = span_texts(&out, &plain);
        assert!(
            texts[0].starts_with("{ \"_index\"") && texts[0].ends_with("} }"),
            "{texts:?}"
        );
        assert!(
            texts[1].starts_with("{\"_index\"") && texts[1].ends_with("}\n}"),
            "{texts:?}"
        );
        assert_eq!(attr(&out.records[1], "index"), Some("b"));
        assert_eq!(out.records[1].locator.as_deref(), Some("$.hits.hits[1]"));
        assert_eq!(out.records[1].line, Some(2));
        let escaped = page("\\u005fid");
        let by_members = run_str(&Elasticsearch, &escaped);
        let texts = span_texts(&by_members, &escaped);
        assert!(
            texts[1].starts_with("{\"_index\"") && texts[1].ends_with("}\n}"),
            "{texts:?}"
        );
        let unplaced = |records: &[Record]| -> Vec<Record> {
            records
                .iter()
                .cloned()
                .map(|r| Record { span: 0..0, ..r })
                .collect()
        };
        assert_eq!(unplaced(&by_members.records), unplaced(&out.records));
    }

    #[test]
    fn hits_of_fields_without_source() {
        let text = r#"{"took":3,"timed_out":false,"hits":{"total":{"value":2,"relation":"eq"},"hits":[
{"_index":".ds-logs-app-2025.11.20-000001","_id":"h1","_score":null,"fields":{"@timestamp":["2025-11-20T10:00:00.250Z"],"log.level":["error"],"message":["upstream timed out"],"host.name":["web-2"],"service.name":["checkout"],"tags":["a","b"]},"sort":[1763632800250]},
{"_index":".ds-logs-app-2025.11.20-000001","_id":"h2","_score":null,"fields":{"@timestamp":["2025-11-20T10:00:01.000Z"],"message":["recovered"]},"sort":[1763632801000]}]}}"#;
        assert_eq!(Elasticsearch.sniff(text.as_bytes()), Some(95));
        let out = run_str(&Elasticsearch, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        assert_eq!(utc(&r[0]), "2025-11-20T10:00:00.250000Z");
        assert_eq!(r[0].message, "upstream timed out");
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].host.as_deref(), Some("web-2"));
        assert_eq!(r[0].service.as_deref(), Some("checkout"));
        assert_eq!(r[0].identifiers, ["h1"]);
        assert_eq!(r[0].locator.as_deref(), Some("$.hits.hits[0]"));
        assert_eq!(r[1].message, "recovered");
    }

    #[test]
    fn fields_dates_as_epoch_millis() {
        let input = include_bytes!("../../../fixtures/elasticsearch/fields_epoch_millis.json");
        assert_eq!(Elasticsearch.sniff(input), Some(95));
        let out = run(&Elasticsearch, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        assert_eq!(utc(&r[0]), "2026-03-12T10:45:05.250000Z");
        assert_eq!(
            r[0].message,
            "settlement batch 88 rejected: upstream timeout"
        );
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].service.as_deref(), Some("ledger"));
        assert_eq!(attr(&r[0], "time_field"), None);
        assert_eq!(utc(&r[1]), "2026-03-12T10:45:06.000000Z");
        assert_eq!(r[1].message, "settlement batch 88 retried");
    }

    /// A `_source` is read once: for its time and as the line the hit
    /// carries, pretty-printed or compact alike. Its time here is under a
    /// name only the hit's reader knows (`event.created`), so the line
    /// reader reads the document at that time.
    #[test]
    fn a_source_is_read_as_one_json_line_however_it_is_laid_out() {
        let source = r#"{"event": {"created": "2026-03-12T10:45:07.5Z"}, "log": {"level": "warn"}, "message": "disk full", "host": {"name": "db-2"}}"#;
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(source).unwrap(),
        )
        .unwrap();
        let hit = |source: &str| format!(r#"{{"_index":"a","_id":"7","_source":{source}}}"#);
        let compact = run_str(&Elasticsearch, &hit(source));
        let laid_out = run_str(&Elasticsearch, &hit(&pretty));
        for out in [&compact, &laid_out] {
            assert!(out.problems.is_empty(), "{:?}", out.problems);
            let r = &out.records[0];
            assert_eq!(utc(r), "2026-03-12T10:45:07.500000Z");
            assert_eq!(r.message, "disk full");
            assert_eq!(r.level, Some(Level::Warn));
            assert_eq!(r.host.as_deref(), Some("db-2"));
            assert_eq!(attr(r, "line_format"), Some("jsonl"));
            assert_eq!(r.identifiers, ["7"]);
        }
    }

    #[test]
    fn digits_in_source_are_not_taken_for_millis() {
        let out = run_str(
            &Elasticsearch,
            r#"{"_index":"a","_id":"1","_source":{"@timestamp":"1773312305250","message":"x"}}"#,
        );
        assert!(out.records.is_empty());
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn msearch_hits_timed_under_other_names() {
        let input =
            include_bytes!("../../../fixtures/elasticsearch/msearch_custom_time_field.json");
        assert_eq!(Elasticsearch.sniff(input), Some(90));
        let out = run(&Elasticsearch, input);
        let r = &out.records;
        assert_eq!(r.len(), 2, "{:?}", out.problems);
        // The one zoned date and time at the top of the document.
        assert_eq!(utc(&r[0]), "2026-03-12T10:45:07.125000Z");
        assert_eq!(attr(&r[0], "time_field"), Some("observed"));
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].host.as_deref(), Some("gw-3"));
        assert_eq!(r[0].identifiers, ["q1"]);
        assert_eq!(r[0].locator.as_deref(), Some("$.responses[0].hits.hits[0]"));
        // Two of them: the sort value says which time the search used.
        assert_eq!(utc(&r[1]), "2026-03-12T10:45:06.000000Z");
        assert_eq!(attr(&r[1], "time_field"), Some("sort"));
        // Compared as JSON: the key order follows serde_json's features,
        // which the workspace build unifies.
        let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        assert_eq!(
            json(&r[1].message),
            json(
                r#"{"first_seen":"2026-03-12T10:44:00Z","last_seen":"2026-03-12T10:45:06Z","line":"pool-b marked unhealthy"}"#
            )
        );
        // `line` is no message field the JSON line reader knows: what it
        // did not read stays as the message.
        assert_eq!(
            json(&r[0].message),
            json(
                r#"{"attempt":4,"line":"refused connection to pool-b","nested_field":{"inner":"2026-03-12T10:45:00Z"},"observed":"2026-03-12T10:45:07.125Z"}"#
            )
        );
        // A naive date and a counter for a sort value: no time to take.
        assert_eq!(
            problem_places(&out),
            [(Some(56), Some("$.responses[0].hits.hits[2]"))]
        );
    }

    #[test]
    fn sniff_rejects_other_formats() {
        assert_rejects_text(
            &Elasticsearch,
            &[
                "{\"@timestamp\":\"2026-01-01T10:00:00Z\",\"message\":\"x\"}\n",
                "{\"hits\":{\"hits\":[{\"_index\":\"a\",\"_source\":{\"name\":\"x\"}}]}}",
            ],
        );
    }

    never_panics!(Elasticsearch);
}
