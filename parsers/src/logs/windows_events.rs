//! Windows event log records as XML, the way they are exported:
//! `wevtutil qe LOG /f:xml` (one `<Event xmlns=…>` after another, with no
//! root element, attributes in single quotes), `/f:RenderedXml` and
//! `Get-WinEvent … | % { $_.ToXml() }` (with `<RenderingInfo>`), Event
//! Viewer's "Save as XML" (`<Events><Event>…</Event></Events>`), and the
//! same in UTF-16, as Windows PowerShell's `>` writes files.
//!
//! `System/TimeCreated/@SystemTime` is UTC with a `Z` and up to seven
//! fraction digits (100 ns ticks). The reader is a small tag scanner rather
//! than a full XML parser: it understands attributes in either quote,
//! namespace prefixes, comments, CDATA, processing instructions and the
//! predefined and numeric entities, which is all these exports use.

use std::borrow::Cow;

use crate::logs::{shorten, windows_level};
use crate::record::{Kind, Level, Problem, Record, RecordSink};
use crate::time::Timestamp;
use crate::{time, Parser};

/// Windows event log XML exports.
pub struct WindowsEventXml;

impl Parser for WindowsEventXml {
    fn id(&self) -> &str {
        "windows-event-xml"
    }

    fn description(&self) -> &str {
        "Windows event log XML (wevtutil qe /f:xml, Get-WinEvent ToXml, Event Viewer Save as XML)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let doc = Doc::new(head);
        let first = doc.text.iter().position(|b| !b.is_ascii_whitespace())?;
        if doc.text.get(first) != Some(&b'<') {
            return None;
        }
        // The same reading as `parse`: a yes means an Event with a System
        // section and a readable TimeCreated in the head.
        let mut counter = Counter::default();
        scan(&doc, &mut counter);
        (counter.records > 0).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = Doc::new(input);
        if doc.text.iter().all(u8::is_ascii_whitespace) {
            sink.problem(Problem {
                line: None,
                locator: None,
                reason: "empty input".to_string(),
            });
            return;
        }
        scan(&doc, sink);
    }
}

/// Counts what a sniff finds, keeping nothing.
#[derive(Default)]
struct Counter {
    records: usize,
}

impl RecordSink for Counter {
    fn record(&mut self, _: Record) {
        self.records += 1;
    }
    fn problem(&mut self, _: Problem) {}
}

/// The input as UTF-8 bytes, with what is needed to cite the original.
struct Doc<'a> {
    text: Cow<'a, [u8]>,
    /// For UTF-16 input: (offset in `text`, offset in the input) at every
    /// `<` and after every `>`, where element spans begin and end.
    map: Option<Vec<(usize, usize)>>,
    newlines: Vec<usize>,
}

impl<'a> Doc<'a> {
    fn new(input: &'a [u8]) -> Doc<'a> {
        let (text, map) = match utf16(input) {
            Some(little) => {
                let (text, map) = transcode(input, little);
                (Cow::Owned(text), Some(map))
            }
            None => {
                let body = input.strip_prefix(b"\xef\xbb\xbf").map_or(input, |b| b);
                let skipped = input.len() - body.len();
                if skipped > 0 {
                    // Offsets must stay those of the input: keep the BOM
                    // as white space.
                    let mut owned = input.to_vec();
                    owned[..skipped].fill(b' ');
                    (Cow::Owned(owned), None)
                } else {
                    (Cow::Borrowed(input), None)
                }
            }
        };
        let newlines = memchr::memchr_iter(b'\n', &text).collect();
        Doc {
            text,
            map,
            newlines,
        }
    }

    fn line_at(&self, offset: usize) -> u64 {
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }

    fn original(&self, offset: usize) -> usize {
        match &self.map {
            None => offset,
            Some(map) => match map.binary_search_by_key(&offset, |&(t, _)| t) {
                Ok(i) => map[i].1,
                // Between two marks: the nearest mark below, in code units.
                Err(0) => offset * 2,
                Err(i) => map[i - 1].1 + (offset - map[i - 1].0) * 2,
            },
        }
    }
}

/// `Some(true)` for UTF-16 LE, `Some(false)` for BE: by byte-order mark,
/// or by a first `<` followed or preceded by a zero byte.
fn utf16(input: &[u8]) -> Option<bool> {
    match input {
        [0xff, 0xfe, ..] | [b'<', 0, ..] => Some(true),
        [0xfe, 0xff, ..] | [0, b'<', ..] => Some(false),
        _ => None,
    }
}

fn transcode(input: &[u8], little: bool) -> (Vec<u8>, Vec<(usize, usize)>) {
    let has_bom = matches!(input, [0xff, 0xfe, ..] | [0xfe, 0xff, ..]);
    let start = if has_bom { 2 } else { 0 };
    let units = input
        .get(start..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|pair| {
            if little {
                u16::from_le_bytes([pair[0], pair[1]])
            } else {
                u16::from_be_bytes([pair[0], pair[1]])
            }
        });
    let mut text = Vec::with_capacity(input.len() / 2);
    let mut map = Vec::new();
    let mut at = start;
    let mut after_close = false;
    for decoded in char::decode_utf16(units) {
        let (c, width) = match decoded {
            Ok(c) => (c, c.len_utf16() * 2),
            Err(_) => (char::REPLACEMENT_CHARACTER, 2),
        };
        if c == '<' || after_close {
            map.push((text.len(), at));
        }
        after_close = c == '>';
        let mut buf = [0u8; 4];
        text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        at += width;
    }
    map.push((text.len(), at));
    (text, map)
}

/// An element of an event, with its text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn text(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }

    fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)?.text()
    }
}

/// What the scanner reads next.
enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        empty: bool,
    },
    End {
        name: String,
    },
    Text(String),
    /// Comments, processing instructions, declarations.
    Other,
    /// Markup that is not closed before the end of the input.
    Broken(&'static str),
}

/// Elements are nested at most this deep inside an event; deeper ones are
/// read past, so a hostile input cannot grow the stack of open elements.
const MAX_DEPTH: usize = 64;

/// Reads the markup at `at` (a `<`); returns the token and where it ends.
fn markup(b: &[u8], at: usize) -> (Token, usize) {
    let rest = b.get(at..).unwrap_or_default();
    let find = |pat: &[u8]| memchr::memmem::find(rest, pat);
    if rest.starts_with(b"<!--") {
        return match find(b"-->") {
            Some(i) => (Token::Other, at + i + 3),
            None => (Token::Broken("unterminated comment"), b.len()),
        };
    }
    if rest.starts_with(b"<![CDATA[") {
        return match find(b"]]>") {
            Some(i) => {
                let body = rest.get(9..i).unwrap_or_default();
                (
                    Token::Text(String::from_utf8_lossy(body).into_owned()),
                    at + i + 3,
                )
            }
            None => (Token::Broken("unterminated CDATA section"), b.len()),
        };
    }
    if rest.starts_with(b"<?") {
        return match find(b"?>") {
            Some(i) => (Token::Other, at + i + 2),
            None => (
                Token::Broken("unterminated processing instruction"),
                b.len(),
            ),
        };
    }
    if rest.starts_with(b"<!") {
        return match memchr::memchr(b'>', rest) {
            Some(i) => (Token::Other, at + i + 1),
            None => (Token::Broken("unterminated declaration"), b.len()),
        };
    }
    if let Some(tag) = rest.strip_prefix(b"</") {
        return match memchr::memchr(b'>', tag) {
            Some(i) => {
                let name = local(&String::from_utf8_lossy(&tag[..i]))
                    .trim()
                    .to_string();
                (Token::End { name }, at + 2 + i + 1)
            }
            None => (Token::Broken("unterminated end tag"), b.len()),
        };
    }
    start_tag(b, at)
}

/// `<name attr="v" attr2='v'>` or `<name/>` at `at`.
fn start_tag(b: &[u8], at: usize) -> (Token, usize) {
    let mut i = at + 1;
    let name_end = b
        .get(i..)
        .unwrap_or_default()
        .iter()
        .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
        .map_or(b.len(), |p| i + p);
    let name = local(&String::from_utf8_lossy(&b[i..name_end])).to_string();
    if name.is_empty() {
        // A lone `<` in text: not markup.
        return (Token::Text("<".to_string()), at + 1);
    }
    i = name_end;
    let mut attrs = Vec::new();
    loop {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match b.get(i) {
            None => return (Token::Broken("unterminated start tag"), b.len()),
            Some(b'>') => {
                return (
                    Token::Start {
                        name,
                        attrs,
                        empty: false,
                    },
                    i + 1,
                )
            }
            Some(b'/') if b.get(i + 1) == Some(&b'>') => {
                return (
                    Token::Start {
                        name,
                        attrs,
                        empty: true,
                    },
                    i + 2,
                )
            }
            Some(_) => {}
        }
        let key_start = i;
        while b
            .get(i)
            .is_some_and(|c| !(c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/')))
        {
            i += 1;
        }
        if i == key_start {
            // A stray `/` inside the tag.
            i += 1;
            continue;
        }
        let key = String::from_utf8_lossy(&b[key_start..i]).into_owned();
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let body = b.get(i + 1..).unwrap_or_default();
                    let Some(len) = memchr::memchr(q, body) else {
                        return (Token::Broken("unterminated attribute value"), b.len());
                    };
                    value = unescape(&String::from_utf8_lossy(&body[..len]));
                    i += 1 + len + 1;
                }
                _ => {
                    let start = i;
                    while b
                        .get(i)
                        .is_some_and(|c| !(c.is_ascii_whitespace() || *c == b'>'))
                    {
                        i += 1;
                    }
                    value = unescape(&String::from_utf8_lossy(&b[start..i]));
                }
            }
        }
        // Namespace declarations say nothing about the event.
        if key != "xmlns" && !key.starts_with("xmlns:") {
            attrs.push((local(&key).to_string(), value));
        }
    }
}

/// `e:Event` → `Event`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Resolves the predefined entities and character references; others are
/// kept as written.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let resolved = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match resolved {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An event element being read.
struct Open {
    /// Open elements, the event first.
    stack: Vec<Node>,
    /// Elements opened past [`MAX_DEPTH`], read past.
    skipped: usize,
    start: usize,
    number: usize,
}

/// Reads every `Event` element of the document in order.
fn scan(doc: &Doc<'_>, sink: &mut dyn RecordSink) {
    let b: &[u8] = &doc.text;
    let mut pos = 0;
    let mut wrapped = false;
    let mut count = 0usize;
    let mut open: Option<Open> = None;
    while pos < b.len() {
        let Some(lt) = memchr::memchr(b'<', &b[pos..]).map(|i| pos + i) else {
            if let Some(event) = &mut open {
                append_text(event, &b[pos..]);
            }
            break;
        };
        if let Some(event) = &mut open {
            append_text(event, &b[pos..lt]);
        }
        let (token, end) = markup(b, lt);
        pos = end.max(lt + 1);
        match token {
            Token::Start { name, attrs, empty } => match &mut open {
                None if name == "Event" => {
                    count += 1;
                    let node = Node {
                        name,
                        attrs,
                        ..Node::default()
                    };
                    let event = Open {
                        stack: vec![node],
                        skipped: 0,
                        start: lt,
                        number: count,
                    };
                    if empty {
                        finish(doc, event, pos, wrapped, sink);
                    } else {
                        open = Some(event);
                    }
                }
                None => wrapped |= name == "Events",
                Some(event) => {
                    if event.skipped > 0 || event.stack.len() >= MAX_DEPTH {
                        if !empty {
                            event.skipped += 1;
                        }
                        continue;
                    }
                    let node = Node {
                        name,
                        attrs,
                        ..Node::default()
                    };
                    if empty {
                        if let Some(parent) = event.stack.last_mut() {
                            parent.children.push(node);
                        }
                    } else {
                        event.stack.push(node);
                    }
                }
            },
            Token::End { name } => {
                let Some(event) = &mut open else {
                    continue;
                };
                if event.skipped > 0 {
                    event.skipped -= 1;
                    continue;
                }
                // Lenient about mismatched tags: close up to the element
                // named, or ignore an end tag that matches nothing open.
                let Some(depth) = event.stack.iter().rposition(|n| n.name == name) else {
                    continue;
                };
                while event.stack.len() > depth + 1 {
                    close_top(event);
                }
                if depth == 0 {
                    if let Some(done) = open.take() {
                        finish(doc, done, pos, wrapped, sink);
                    }
                } else {
                    close_top(event);
                }
            }
            Token::Text(text) => {
                if let Some(event) = &mut open {
                    if event.skipped == 0 {
                        if let Some(top) = event.stack.last_mut() {
                            top.text.push_str(&text);
                        }
                    }
                }
            }
            Token::Other => {}
            Token::Broken(what) => {
                let at = open.as_ref().map_or(lt, |o| o.start);
                sink.problem(Problem {
                    line: Some(doc.line_at(at)),
                    locator: open.as_ref().map(|o| locator(o.number, wrapped)),
                    reason: format!("{what} at line {}", doc.line_at(lt)),
                });
                open = None;
            }
        }
    }
    if let Some(event) = open {
        sink.problem(Problem {
            line: Some(doc.line_at(event.start)),
            locator: Some(locator(event.number, wrapped)),
            reason: "Event element is not closed before the end of the input".to_string(),
        });
    }
    if count == 0 {
        sink.problem(Problem {
            line: None,
            locator: None,
            reason: "no Event element in the input".to_string(),
        });
    }
}

fn close_top(event: &mut Open) {
    if let Some(node) = event.stack.pop() {
        if let Some(parent) = event.stack.last_mut() {
            parent.children.push(node);
        }
    }
}

fn append_text(event: &mut Open, bytes: &[u8]) {
    if event.skipped > 0 || bytes.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Some(top) = event.stack.last_mut() {
        top.text
            .push_str(&unescape(&String::from_utf8_lossy(bytes)));
    }
}

fn locator(number: usize, wrapped: bool) -> String {
    if wrapped {
        format!("/Events/Event[{number}]")
    } else {
        format!("/Event[{number}]")
    }
}

/// The keyword bits of the Security log's audit results.
const AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;
const AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;

fn audit(keywords: &str) -> Option<&'static str> {
    let hex = keywords.trim().strip_prefix("0x")?;
    let bits = u64::from_str_radix(hex, 16).ok()?;
    if bits & AUDIT_FAILURE != 0 {
        Some("failure")
    } else if bits & AUDIT_SUCCESS != 0 {
        Some("success")
    } else {
        None
    }
}

/// Characters of one data value shown in a message built from data.
const VALUE_CHARS: usize = 200;

/// `name=value` pairs of a UserData element: its leaves' text and its
/// elements' attributes, in document order.
fn user_data_pairs(node: &Node, out: &mut Vec<(String, String)>) {
    for (k, v) in &node.attrs {
        if !v.trim().is_empty() {
            out.push((k.clone(), v.trim().to_string()));
        }
    }
    if node.children.is_empty() {
        if let Some(text) = node.text() {
            out.push((node.name.clone(), text.to_string()));
        }
    }
    for child in &node.children {
        user_data_pairs(child, out);
    }
}

fn finish(doc: &Doc<'_>, event: Open, end: usize, wrapped: bool, sink: &mut dyn RecordSink) {
    let Open {
        mut stack,
        start,
        number,
        ..
    } = event;
    while stack.len() > 1 {
        if let Some(node) = stack.pop() {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(node);
            }
        }
    }
    let Some(root) = stack.pop() else {
        return;
    };
    let at = locator(number, wrapped);
    let line = doc.line_at(start);
    let problem = |reason: &str| Problem {
        line: Some(line),
        locator: Some(at.clone()),
        reason: reason.to_string(),
    };
    let Some(system) = root.child("System") else {
        sink.problem(problem("Event without a System element"));
        return;
    };
    let Some(stamp) = system
        .child("TimeCreated")
        .and_then(|t| t.attr("SystemTime"))
    else {
        sink.problem(problem("Event without TimeCreated/@SystemTime"));
        return;
    };
    let Some(time) = time::text_time(stamp) else {
        sink.problem(problem(&format!(
            "unreadable TimeCreated/@SystemTime {stamp:?}"
        )));
        return;
    };
    let span = doc.original(start)..doc.original(end);
    let last = doc.line_at(end.saturating_sub(1)).max(line);
    let mut record = build(&root, system, time);
    record.line = Some(line);
    record.line_end = Some(last);
    record.locator = Some(at);
    record.span = span;
    sink.record(record);
}

fn build(root: &Node, system: &Node, time: Timestamp) -> Record {
    let provider = system
        .child("Provider")
        .and_then(|p| p.attr("Name").or_else(|| p.attr("EventSourceName")));
    let event_id = system.child_text("EventID");
    let computer = system.child_text("Computer");
    let rendering = root.child("RenderingInfo");
    let rendered = rendering.and_then(|r| r.child_text("Message"));

    let data: Vec<(Option<&str>, &str)> = root
        .child("EventData")
        .map(|d| {
            d.children
                .iter()
                .filter(|c| c.name == "Data")
                .filter_map(|c| c.text().map(|t| (c.attr("Name"), t)))
                .collect()
        })
        .unwrap_or_default();
    let mut user_data = Vec::new();
    let user_root = root.child("UserData").and_then(|u| u.children.first());
    if let Some(node) = user_root {
        user_data_pairs(node, &mut user_data);
    }

    let detail = if let Some(text) = rendered {
        Some(text.to_string())
    } else if !data.is_empty() {
        let parts: Vec<String> = data
            .iter()
            .filter(|(_, v)| *v != "-")
            .map(|(k, v)| match k {
                Some(k) => format!("{k}={}", shorten(v, VALUE_CHARS)),
                None => shorten(v, VALUE_CHARS),
            })
            .collect();
        Some(parts.join(", "))
    } else if let Some(node) = user_root {
        let parts: Vec<String> = user_data
            .iter()
            .map(|(k, v)| format!("{k}={}", shorten(v, VALUE_CHARS)))
            .collect();
        Some(format!("{}: {}", node.name, parts.join(", ")))
    } else {
        None
    };
    let mut message = [provider, event_id]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if message.is_empty() {
        message = "Windows event".to_string();
    }
    if let Some(detail) = detail.filter(|d| !d.is_empty()) {
        message.push_str(": ");
        message.push_str(&detail);
    }

    let keywords = system.child_text("Keywords");
    let audit = keywords.and_then(audit);
    let mut record = Record::new(Kind::Log, time, message);
    record.level = match audit {
        Some("failure") => Some(Level::Warn),
        _ => system.child_text("Level").and_then(windows_level),
    };
    record.host = computer.map(str::to_string);
    record.service = provider.map(str::to_string);
    record.system = Some("Windows".into());
    let named = |name: &str| {
        data.iter()
            .find(|(k, _)| *k == Some(name))
            .map(|(_, v)| *v)
            .filter(|v| *v != "-")
    };
    record.actor = named("SubjectUserName").map(|user| match named("SubjectDomainName") {
        Some(domain) => format!("{domain}\\{user}"),
        None => user.to_string(),
    });
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            attrs.push((key.to_string(), v.to_string()));
        }
    };
    put("event_id", event_id);
    put("provider", provider);
    put("channel", system.child_text("Channel"));
    put("record_id", system.child_text("EventRecordID"));
    put("level_number", system.child_text("Level"));
    put("task", system.child_text("Task"));
    put("opcode", system.child_text("Opcode"));
    put("keywords", keywords);
    put("audit", audit);
    put(
        "process_id",
        system.child("Execution").and_then(|e| e.attr("ProcessID")),
    );
    put(
        "thread_id",
        system.child("Execution").and_then(|e| e.attr("ThreadID")),
    );
    put(
        "user_sid",
        system.child("Security").and_then(|e| e.attr("UserID")),
    );
    put(
        "activity_id",
        system
            .child("Correlation")
            .and_then(|e| e.attr("ActivityID")),
    );
    put(
        "rendered_level",
        rendering.and_then(|r| r.child_text("Level")),
    );
    put(
        "rendered_task",
        rendering.and_then(|r| r.child_text("Task")),
    );
    for (i, (name, value)) in data.iter().enumerate() {
        let key = match name {
            Some(n) => format!("data.{n}"),
            None => format!("data.{i}"),
        };
        attrs.push((key, value.to_string()));
    }
    for (name, value) in user_data {
        attrs.push((format!("user_data.{name}"), value));
    }
    record.attributes = attrs.into_iter().map(|(k, v)| (k.into(), v)).collect();
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects, attr, never_panics, problem_places, run, utc};
    use crate::time::Precision;
    use proptest::prelude::*;

    const PROCESS: &[u8] =
        include_bytes!("../../../fixtures/windows-event-xml/evtx_rs_security_4688_event.xml");
    const SYSTEM: &[u8] =
        include_bytes!("../../../fixtures/windows-event-xml/evtx_rs_system_event.xml");
    const USER_DATA: &[u8] =
        include_bytes!("../../../fixtures/windows-event-xml/evtx_rs_user_data_event.xml");
    const WEVTUTIL: &[u8] =
        include_bytes!("../../../fixtures/windows-event-xml/own_wevtutil_qe.xml");
    const SAVED: &[u8] = include_bytes!("../../../fixtures/windows-event-xml/own_saved_events.xml");

    #[test]
    fn evtx_rendered_events_with_event_data_and_user_data() {
        let out = run(&WindowsEventXml, PROCESS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2018-07-28T07:24:45.754787Z");
        assert_eq!(r.time.precision, Precision::Micro);
        assert_eq!(
            r.message,
            "Microsoft-Windows-Security-Auditing 4688: SubjectUserSid=S-1-5-18, SubjectLogonId=0x3e7, NewProcessId=0x58, NewProcessName=Registry, TokenElevationType=%%1936, ProcessId=0x4, TargetUserSid=S-1-0-0, TargetLogonId=0x0, MandatoryLabel=S-1-16-16384"
        );
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.host.as_deref(), Some("WIN-LL0C19JS506"));
        assert_eq!(
            r.service.as_deref(),
            Some("Microsoft-Windows-Security-Auditing")
        );
        assert_eq!(r.actor, None);
        assert_eq!(r.locator.as_deref(), Some("/Event[1]"));
        assert_eq!((r.line, r.line_end), (Some(2), Some(41)));
        assert!(PROCESS[r.span.clone()].starts_with(b"<Event xmlns="));
        assert!(PROCESS[r.span.clone()].ends_with(b"</Event>"));
        assert_eq!(attr(r, "audit"), Some("success"));
        assert_eq!(attr(r, "channel"), Some("Security"));
        assert_eq!(attr(r, "data.NewProcessName"), Some("Registry"));
        assert_eq!(attr(r, "process_id"), Some("4"));

        let out = run(&WindowsEventXml, SYSTEM);
        let r = &out.records[0];
        assert_eq!(utc(r), "2016-07-08T18:12:51.681640Z");
        assert_eq!(r.message, "Microsoft-Windows-Security-Auditing 4608");
        assert_eq!(r.host.as_deref(), Some("37L4247F27-25"));

        let out = run(&WindowsEventXml, USER_DATA);
        let r = &out.records[0];
        assert_eq!(utc(r), "2017-05-19T02:02:36.000000Z");
        assert_eq!(
            r.message,
            "Microsoft-Windows-CAPI2 80: WinVerifyTrustStart: ProcessName=Setup.exe, TaskId={1CB1FE4B-D685-48FC-A3FA-42893E4C1717}, SeqNumber=1"
        );
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(
            attr(r, "user_sid"),
            Some("S-1-5-21-1223297778-3299746493-1462173606-500")
        );
    }

    #[test]
    fn wevtutil_events_without_a_root_element() {
        let out = run(&WindowsEventXml, WEVTUTIL);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<_> = out
            .records
            .iter()
            .map(|r| (utc(r), r.level, r.line, r.locator.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-25T01:39:41.573219Z".to_string(),
                    Some(Level::Error),
                    Some(1),
                    Some("/Event[1]")
                ),
                (
                    "2026-10-25T01:44:12.091663Z".to_string(),
                    Some(Level::Warn),
                    Some(2),
                    Some("/Event[2]")
                ),
                (
                    "2026-10-25T01:52:30.440111Z".to_string(),
                    Some(Level::Info),
                    Some(3),
                    Some("/Event[3]")
                ),
            ]
        );
        assert_eq!(out.records[0].time.precision, Precision::Nano);
        assert_eq!(
            out.records[0].message,
            "Service Control Manager 7031: param1=World Wide Web Publishing Service, param2=1, param3=60000, param4=1, param5=Restart the service"
        );
        assert_eq!(attr(&out.records[1], "audit"), Some("failure"));
        assert_eq!(out.records[1].actor, None);
        assert_eq!(out.records[2].actor.as_deref(), Some("CONTOSO\\dana.ops"));
        let first = &out.records[0];
        assert_eq!(
            &WEVTUTIL[first.span.clone()],
            WEVTUTIL.split(|&b| b == b'\n').next().unwrap_or_default()
        );
    }

    #[test]
    fn saved_events_with_rendering_info_and_entities() {
        let out = run(&WindowsEventXml, SAVED);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T01:40:02.881234Z");
        assert_eq!(
            r.message,
            "Microsoft-Windows-WAS 5013: A process serving application pool 'ShopPool' exceeded time limits during shut down. The process id was '5520'."
        );
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.locator.as_deref(), Some("/Events/Event[1]"));
        assert_eq!(r.line, Some(3));
        assert_eq!(attr(r, "rendered_level"), Some("Warning"));
        let crash = &out.records[1];
        assert_eq!(utc(crash), "2026-10-25T01:40:05.120000Z");
        assert_eq!(
            crash.message,
            "Application Error 1000: w3wp.exe, 10.0.20348.1, c0000005, <unknown> & more"
        );
        assert_eq!(crash.level, Some(Level::Error));
        assert_eq!(crash.line, Some(5));
        assert_eq!(attr(crash, "data.0"), Some("w3wp.exe"));
    }

    #[test]
    fn utf16_exports_read_like_utf8_and_cite_the_original_bytes() {
        let text = std::str::from_utf8(WEVTUTIL).expect("utf-8 fixture");
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let out = run(&WindowsEventXml, &le);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        assert_eq!(utc(&out.records[1]), "2026-10-25T01:44:12.091663Z");
        assert_eq!(out.records[2].line, Some(3));
        let span = out.records[0].span.clone();
        let units: Vec<u16> = le[span]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        let cited = String::from_utf16(&units).expect("whole characters");
        assert!(cited.starts_with("<Event xmlns="), "{cited}");
        assert!(cited.ends_with("</Event>"), "{cited}");
        assert_eq!(WindowsEventXml.sniff(&le), Some(95));

        let mut be = vec![0xfe, 0xff];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(run(&WindowsEventXml, &be).records.len(), 3);
    }

    #[test]
    fn entities_prefixes_and_quotes() {
        assert_eq!(
            unescape("a &lt;b&gt; &amp;&quot;&apos; &#65;&#x42; &nbsp; &"),
            "a <b> &\"' AB &nbsp; &"
        );
        let input = br#"<e:Events xmlns:e="urn:x"><e:Event><e:System><e:Provider e:Name="P &amp; Q"/><e:EventID>1</e:EventID><e:Level>1</e:Level><e:TimeCreated SystemTime = "2026-10-25T01:00:00.1234567Z" /></e:System><e:EventData><e:Data Name="a>b">x<![CDATA[<y>]]></e:Data></e:EventData></e:Event></e:Events>"#;
        let out = run(&WindowsEventXml, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.message, "P & Q 1: a>b=x<y>");
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!(r.locator.as_deref(), Some("/Events/Event[1]"));
    }

    #[test]
    fn broken_events_become_problems() {
        let input = b"<Events>\n<Event><System><EventID>1</EventID></System></Event>\n<Event><System><TimeCreated SystemTime='late'/></System></Event>\n<Event><EventData/></Event>\n<Event><System><TimeCreated SystemTime='2026-10-25T01:00:00Z'/></System></Event>\n<Event><System><TimeCreated SystemTime='2026-10-25T01:00:00Z";
        let out = run(&WindowsEventXml, input);
        assert_eq!(out.records.len(), 1);
        let found = problem_places(&out);
        assert_eq!(
            found,
            [
                (Some(2), Some("/Events/Event[1]")),
                (Some(3), Some("/Events/Event[2]")),
                (Some(4), Some("/Events/Event[3]")),
                (Some(6), Some("/Events/Event[5]")),
            ]
        );
        assert_eq!(
            run(&WindowsEventXml, b"<html><body>hi</body></html>")
                .problems
                .len(),
            1
        );
        assert_eq!(run(&WindowsEventXml, b"  ").problems.len(), 1);
    }

    #[test]
    fn deep_nesting_is_read_past() {
        let mut input = String::from(
            "<Event><System><TimeCreated SystemTime='2026-10-25T01:00:00Z'/></System><UserData>",
        );
        for _ in 0..500 {
            input.push_str("<a>");
        }
        for _ in 0..500 {
            input.push_str("</a>");
        }
        input.push_str("</UserData></Event>");
        let out = run(&WindowsEventXml, input.as_bytes());
        assert_eq!(out.records.len(), 1, "{:?}", out.problems);
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        for own in [PROCESS, SYSTEM, USER_DATA, WEVTUTIL, SAVED] {
            assert_eq!(WindowsEventXml.sniff(own), Some(95));
        }
        // Cut inside the second event: the first is whole.
        assert_eq!(WindowsEventXml.sniff(&WEVTUTIL[..1200]), Some(95));
        assert_rejects(
            &WindowsEventXml,
            &[
            &b"{\"time\":\"2026-10-25T01:41:02Z\",\"level\":\"warn\",\"msg\":\"<Event><System>\"}\n"[..],
            b"Oct 11 22:14:15 mymachine su: <Event><System><TimeCreated SystemTime='2026-10-25T01:00:00Z'/></System></Event>\n",
            br#"[{"type":"message","user":"U024BE7LH","text":"<Event/>","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/alertmanager/webhook_firing.json"),
            b"<?xml version=\"1.0\"?><rss><channel><title>x</title></channel></rss>",
            b"<Event><System><TimeCreated SystemTime='soon'/></System></Event>",
            ],
        );
    }

    never_panics!(WindowsEventXml);

    proptest! {
        #[test]
        fn arbitrary_markup_never_panics(body in "[<>/='\"&;#xa-z0-9 !?\\[\\]-]{0,120}") {
            let input = format!("<Event><System><TimeCreated SystemTime='2026-10-25T01:00:00Z'/></System>{body}</Event>");
            let mut out = Collected::default();
            WindowsEventXml.parse(input.as_bytes(), &mut out);
            let _ = WindowsEventXml.sniff(input.as_bytes());
            let mut le = vec![0xff, 0xfe];
            le.extend(input.encode_utf16().flat_map(u16::to_le_bytes));
            le.push(b'<');
            WindowsEventXml.parse(&le, &mut out);
        }
    }
}
