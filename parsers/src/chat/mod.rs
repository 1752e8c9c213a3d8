//! Pieces shared by the chat parsers (Slack, Mattermost, Teams, Discord,
//! Rocket.Chat, Telegram): people and their names, identifiers found in
//! text, HTML and entity decoding, Slack-style attachments, cheap sniffing
//! of JSON heads and building a record from a JSON element.

pub(crate) mod discord;
pub(crate) mod mattermost;
pub(crate) mod rocketchat;
pub(crate) mod slack;
pub(crate) mod teams;
pub(crate) mod telegram;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::input::json::{self, Element, LineIndex};
use crate::record::{Kind, Problem, Record, RecordSink};
use crate::time::{self, TimeValue, Timestamp};

/// A regex compiled once; patterns are constants of this crate, so a
/// failure to compile is a bug caught by every test that sniffs.
pub(crate) fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("chat parser regex compiles"))
}

/// The head as text for regex checks: a byte-order mark dropped, invalid
/// UTF-8 replaced (a head may end inside a multi-byte character).
pub(crate) fn head_text(head: &[u8]) -> Cow<'_, str> {
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    String::from_utf8_lossy(body)
}

/// The first capture of `re` in `text` that `read` accepts.
pub(crate) fn first_time(
    re: &Regex,
    text: &str,
    read: impl Fn(&str) -> Option<Timestamp>,
) -> Option<Timestamp> {
    re.captures_iter(text)
        .take(50)
        .find_map(|c| c.get(1).and_then(|m| read(m.as_str())))
}

/// A timestamp that must carry an explicit offset (ISO 8601 with `Z` or
/// `+hh:mm`): chat products write UTC or the exporter's offset.
pub(crate) fn iso(text: &str) -> Option<Timestamp> {
    let t = time::parse_field(text, None)?;
    matches!(t.value, TimeValue::Utc(_)).then_some(t)
}

/// An ISO 8601 timestamp with or without an offset (naive stays local).
pub(crate) fn iso_any(text: &str) -> Option<Timestamp> {
    let (t, used) = time::parse_leading(text.trim())?;
    let rest = text.trim().get(used..)?;
    (rest.trim().is_empty() && matches!(t.value, TimeValue::Utc(_) | TimeValue::Local(_)))
        .then_some(t)
}

/// `2026-01-01T10:00:00.000000Z` for an absolute time, else the text as
/// written, for attributes such as `edited_at`.
pub(crate) fn attribute_time(t: &Timestamp) -> String {
    match t.value {
        TimeValue::Utc(micros) => time::format_utc(micros),
        _ => t.text.clone(),
    }
}

/// Whether `key` holds `true` (or the string `"true"`, as Mattermost props do).
pub(crate) fn is_true(value: &Value, key: &str) -> bool {
    match value.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A person as a chat product describes them. The pipeline maps people to
/// roles later, so every name the export gives is kept as an attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Person {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub real_name: Option<String>,
    pub email: Option<String>,
    /// The zone the person's profile gives (Slack's `tz`): a time they
    /// write without a zone is most likely in it.
    pub zone: Option<String>,
}

impl Person {
    /// The most human-recognisable name: a full name reads best in a
    /// post-mortem, then the name shown in the product, then the handle.
    pub fn name(&self) -> Option<String> {
        self.real_name
            .as_ref()
            .or(self.display_name.as_ref())
            .or(self.username.as_ref())
            .or(self.email.as_ref())
            .or(self.user_id.as_ref())
            .cloned()
    }

    /// Fills the fields this person lacks from `other`.
    pub fn fill_from(&mut self, other: &Person) {
        fn fill(slot: &mut Option<String>, from: &Option<String>) {
            if slot.is_none() {
                slot.clone_from(from);
            }
        }
        fill(&mut self.user_id, &other.user_id);
        fill(&mut self.username, &other.username);
        fill(&mut self.display_name, &other.display_name);
        fill(&mut self.real_name, &other.real_name);
        fill(&mut self.email, &other.email);
        fill(&mut self.zone, &other.zone);
    }

    /// Sets the record's actor (when it has none) and the name attributes.
    pub fn apply(&self, record: &mut Record) {
        if record.actor.is_none() {
            record.actor = self.name();
        }
        for (key, value) in [
            ("user_id", &self.user_id),
            ("username", &self.username),
            ("display_name", &self.display_name),
            ("real_name", &self.real_name),
            ("email", &self.email),
            ("tz", &self.zone),
        ] {
            if let Some(v) = value {
                record.attributes.push((key.to_string().into(), v.clone()));
            }
        }
    }
}

/// A chat record for one JSON element: kind, position and product set.
pub(crate) fn element_record(
    input: &[u8],
    element: &Element,
    time: Timestamp,
    message: String,
    system: &'static str,
) -> Record {
    let mut record = json::record_at(input, element, Kind::Chat, time, message);
    record.system = Some(system.into());
    record
}

/// A rejected document.
pub(crate) fn document_problem(reason: impl Into<String>) -> Problem {
    Problem {
        line: Some(1),
        locator: Some("$".to_string()),
        reason: reason.into(),
    }
}

/// The records array of a chat export or API response, with the whole
/// document parsed: a document that is not JSON, an API response refused
/// (`refusal` names its success flag and its error text, as in Slack's
/// `ok`/`error`), or a missing array is reported as one problem and gives
/// `None`. `what` names the format in those messages.
pub(crate) fn records_array(
    input: &[u8],
    key: &str,
    refusal: Option<(&str, &str)>,
    what: &str,
    sink: &mut dyn RecordSink,
) -> Option<(Value, Vec<Element>)> {
    let doc = match json::document(input) {
        Ok(doc) => doc,
        Err(e) => {
            sink.problem(document_problem(e));
            return None;
        }
    };
    let top: Value = serde_json::from_str(doc.get()).unwrap_or(Value::Null);
    if let Some((flag, error)) = refusal {
        if top.get(flag) == Some(&Value::Bool(false)) {
            let error = json::text(&top, &[error]).unwrap_or("unknown error");
            sink.problem(document_problem(format!(
                "{what} with {flag}=false: {error}"
            )));
            return None;
        }
    }
    let lines = LineIndex::new(input);
    let elements = json::first_member(doc, key)
        .and_then(|raw| json::elements(input, &lines, raw, &format!("$.{key}")));
    if elements.is_none() {
        sink.problem(document_problem(format!(
            "not a {what}: no \"{key}\" array"
        )));
    }
    Some((top, elements?))
}

/// A response that is one page of several: what was read is true, but the
/// incident may go on in pages nobody fetched, so the reader is told once
/// for the whole document. `marker` names what the response says it with.
pub(crate) fn more_pages(marker: &str) -> Problem {
    document_problem(crate::input::json::more_pages("messages", marker))
}

/// How a system message reads in every chat parser: what happened, then
/// to what or whom (`member added: Dana; Lee`).
pub(crate) fn event_line(what: String, facts: &[String]) -> String {
    if facts.is_empty() {
        what
    } else {
        format!("{what}: {}", facts.join("; "))
    }
}

/// Decodes HTML character references: the named ones chat products emit and
/// any numeric one. Unknown names are kept as written.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| entity(&tail[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "deg" => '°',
        "times" => '×',
        "rarr" => '→',
        "larr" => '←',
        _ => return None,
    })
}

/// Tags that end a line of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
];

/// One tag's name, whether it closes, and its attributes.
struct Tag {
    name: String,
    closing: bool,
    attributes: Vec<(String, String)>,
}

fn read_tag(inner: &str) -> Tag {
    let inner = inner.trim();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let inner = inner.trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    static ATTR: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &ATTR,
        r#"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#,
    );
    for c in re.captures_iter(&inner[name_end..]) {
        let key = c.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
        let value = c
            .get(2)
            .or_else(|| c.get(3))
            .or_else(|| c.get(4))
            .map_or("", |m| m.as_str());
        attributes.push((key, decode_entities(value)));
    }
    Tag {
        name,
        closing,
        attributes,
    }
}

/// Plain text of an HTML message body (Teams): tags dropped, block tags
/// turned into line breaks, `<at>` mentions as `@Name`, links as
/// `label (url)`, images as their alt text, entities decoded and blank
/// space collapsed.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Open links: where their label starts in `out`, and their target.
    let mut links: Vec<(usize, String)> = Vec::new();
    let mut skip_until: Option<&str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            if skip_until.is_none() {
                out.push_str(&decode_entities(rest));
            }
            break;
        };
        let Some(close) = rest[open..].find('>').map(|i| open + i) else {
            // A lone `<` is text, not a tag.
            if skip_until.is_none() {
                out.push_str(&decode_entities(rest));
            }
            break;
        };
        if skip_until.is_none() {
            out.push_str(&decode_entities(&rest[..open]));
        }
        let inner = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let tag = read_tag(inner);
        if let Some(until) = skip_until {
            if tag.closing && tag.name == until {
                skip_until = None;
            }
            continue;
        }
        let attr = |key: &str| {
            tag.attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        match (tag.name.as_str(), tag.closing) {
            ("script" | "style", false) => {
                skip_until = if tag.name == "script" {
                    Some("script")
                } else {
                    Some("style")
                };
            }
            ("at", false) => out.push('@'),
            ("a", false) => links.push((out.len(), attr("href").unwrap_or_default())),
            ("a", true) => {
                if let Some((start, href)) = links.pop() {
                    let label = out.get(start..).unwrap_or("").trim().to_string();
                    if !href.is_empty() && label != href && !href.starts_with("mailto:") {
                        if label.is_empty() {
                            out.push_str(&href);
                        } else {
                            out.push_str(" (");
                            out.push_str(&href);
                            out.push(')');
                        }
                    }
                }
            }
            // Teams writes an emoji as `<emoji alt="👍" …>`: the alt is the text.
            ("emoji", false) => out.push_str(&attr("alt").unwrap_or_default()),
            ("img", _) => match attr("alt") {
                Some(alt) => out.push_str(&alt),
                None => out.push_str("[image]"),
            },
            ("li", false) => out.push_str("\n- "),
            ("td" | "th", true) => out.push(' '),
            (name, _) if BLOCK_TAGS.contains(&name) => out.push('\n'),
            _ => {}
        }
    }
    normalize_space(&out)
}

/// Collapses runs of blanks, trims lines and drops empty ones.
pub(crate) fn normalize_space(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '\u{a0}')
            .filter(|w| !w.is_empty())
            .collect();
        if !words.is_empty() {
            lines.push(words.join(" "));
        }
    }
    lines.join("\n")
}

/// Whether every word of `part` occurs in `whole`, ignoring case and the
/// punctuation around words.
fn words_within(part: &str, whole: &str) -> bool {
    fn words(text: &str) -> Vec<String> {
        text.split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }
    let whole = words(whole);
    let part = words(part);
    !part.is_empty() && part.iter().all(|w| whole.contains(w))
}

/// The readable text of Slack-style message attachments, which Slack,
/// Mattermost and Rocket.Chat integrations (paging and deploy bots) use for
/// the alert itself: pretext, the fallback summary and title (with its
/// link) without repeating each other, text and fields. Link previews of a
/// URL already in the message (`from_url`) add only their URL. URLs go to
/// `identifiers`.
pub(crate) fn attachments_text(
    attachments: &[Value],
    render: &dyn Fn(&str) -> String,
    identifiers: &mut Vec<String>,
) -> Vec<String> {
    let mut parts = Vec::new();
    for attachment in attachments {
        for key in [
            "from_url",
            "original_url",
            "title_link",
            "author_link",
            "message_link",
        ] {
            if let Some(url) = json::text(attachment, &[key]) {
                crate::input::identifiers::push(identifiers, url);
            }
        }
        if json::text(attachment, &["from_url"]).is_some()
            || json::text(attachment, &["original_url"]).is_some()
        {
            continue;
        }
        let mut own: Vec<String> = Vec::new();
        for key in ["author_name", "pretext"] {
            if let Some(t) = json::text(attachment, &[key]) {
                own.push(render(t));
            }
        }
        let mut details: Vec<String> = Vec::new();
        if let Some(t) = json::text(attachment, &["text"]) {
            details.push(render(t));
        }
        if let Some(fields) = attachment.get("fields").and_then(Value::as_array) {
            let rendered: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    let title = json::text(f, &["title"]).map(render);
                    let value = match f.get("value") {
                        Some(Value::String(s)) if !s.trim().is_empty() => Some(render(s.trim())),
                        Some(Value::Number(n)) => Some(n.to_string()),
                        Some(Value::Bool(b)) => Some(b.to_string()),
                        _ => None,
                    };
                    match (title, value) {
                        (Some(t), Some(v)) => Some(format!("{t}: {v}")),
                        (None, Some(v)) => Some(v),
                        (Some(t), None) => Some(t),
                        (None, None) => None,
                    }
                })
                .collect();
            if !rendered.is_empty() {
                details.push(rendered.join("; "));
            }
        }
        // The fallback is the product's own one-line summary and often the
        // only place the state is ("Resolved #4412: …" under the same title
        // as the trigger): it leads unless the details already say it all,
        // and a title it already contains is not repeated.
        let link = json::text(attachment, &["title_link"]);
        let title = json::text(attachment, &["title"]).map(render);
        let fallback = json::text(attachment, &["fallback"])
            .map(render)
            .filter(|f| !words_within(f, &details.join(" ")));
        let with_link = |line: String| match link {
            Some(link) if !line.contains(link) => format!("{line} ({link})"),
            _ => line,
        };
        match (fallback, title) {
            (Some(f), Some(t)) if words_within(&t, &f) => own.push(with_link(f)),
            (Some(f), Some(t)) => {
                own.push(f);
                own.push(with_link(t));
            }
            (Some(f), None) => own.push(f),
            (None, Some(t)) => own.push(with_link(t)),
            (None, None) => {}
        }
        own.extend(details);
        if let Some(t) = json::text(attachment, &["footer"]) {
            if !own.is_empty() {
                own.push(render(t));
            }
        }
        for part in own {
            if !part.trim().is_empty() {
                crate::input::identifiers::mentioned(&part, identifiers, true);
                parts.push(part);
            }
        }
    }
    parts
}

/// Whether a message says nothing: it is empty, or only a reaction (emoji,
/// `:shortcode:`s such as `:+1:` and `:eyes:`, or `+1`), which acknowledges
/// what came before. Such a message is chatter, not a happening of its own
/// (it is still stored).
pub(crate) fn says_nothing(text: &str) -> bool {
    for word in text.split_whitespace() {
        let mut rest = word;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("+1") {
                rest = after;
            } else if let Some(len) = shortcode_len(rest) {
                rest = &rest[len..];
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                if !is_emoji(c) {
                    return false;
                }
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    true
}

/// The length of a `:shortcode:` (`:+1:`, `:white_check_mark:`,
/// `:skin-tone-2:`) at the start of `text`.
fn shortcode_len(text: &str) -> Option<usize> {
    let inner = text.strip_prefix(':')?;
    let end = inner.find(':')?;
    let name = &inner[..end];
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'));
    valid.then_some(end + 2)
}

/// Pictographs, dingbats and the joiners and modifiers that build emoji
/// sequences; no letters, digits or punctuation.
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF
        | 0xFE0F | 0x200D | 0x20E3 | 0xE0020..=0xE007F)
}

/// `name:count,…` in the order given, counts of one name added up.
pub(crate) fn reactions(items: impl IntoIterator<Item = (String, u64)>) -> Option<String> {
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (name, count) in items {
        let name = name.trim().trim_matches(':').to_string();
        if name.is_empty() {
            continue;
        }
        if !counts.contains_key(&name) {
            order.push(name.clone());
        }
        *counts.entry(name).or_insert(0) += count;
    }
    if order.is_empty() {
        return None;
    }
    Some(
        order
            .iter()
            .map(|n| format!("{n}:{}", counts.get(n).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// The folder a file sits in (`incident-chan/2026-11-20.json` →
/// `incident-chan`), which chat exports use for the channel.
pub(crate) fn parent_folder(path: &str) -> Option<&str> {
    let mut parts = path.rsplit(['/', '\\']);
    parts.next()?;
    let folder = parts.next()?;
    // A zip member's archive prefix is not a channel.
    let folder = folder.rsplit('!').next().unwrap_or(folder);
    (!folder.is_empty() && folder != "." && folder != "..").then_some(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text(
                "<p>Rolled back <a href=\"https://ci/x?a=1&amp;b=2\">deploy 42</a>,&nbsp;<at id=\"0\">Jane Smith</at> &lt;ok&gt;</p><p>next<br>line <img alt=\"😀\"></p><script>x</script>"
            ),
            "Rolled back deploy 42 (https://ci/x?a=1&b=2), @Jane Smith <ok>\nnext\nline 😀"
        );
        assert_eq!(html_to_text("a < b"), "a < b");
        assert_eq!(html_to_text("<systemEventMessage/>"), "");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("&amp;lt; &#x41;&#66; &bogus; & x"),
            "&lt; AB &bogus; & x"
        );
        assert_eq!(decode_entities("&#99999999999;"), "&#99999999999;");
    }

    #[test]
    fn attachments_lead_with_a_fallback_that_adds_the_state() {
        let render = |t: &str| t.to_string();
        let attachments: Vec<Value> = serde_json::from_str(
            r##"[{"fallback": "Resolved #4412: [FIRING:1] CheckoutErrorRate checkout-api",
                 "title": "#4412 [FIRING:1] CheckoutErrorRate checkout-api",
                 "title_link": "https://pd.test/incidents/Q1", "text": "Status: Resolved by Jane Doe"},
                {"fallback": "Deploy 42 done", "title": "Deploy 42", "text": "Deploy 42 done"},
                {"fallback": "New alert", "title": "Disk full on db-1", "fields": [{"title": "Host", "value": "db-1"}]},
                {"from_url": "https://example.test/a", "title": "A page"}]"##,
        )
        .unwrap();
        let mut ids = Vec::new();
        assert_eq!(
            attachments_text(&attachments, &render, &mut ids),
            [
                "Resolved #4412: [FIRING:1] CheckoutErrorRate checkout-api (https://pd.test/incidents/Q1)",
                "Status: Resolved by Jane Doe",
                "Deploy 42",
                "Deploy 42 done",
                "New alert",
                "Disk full on db-1",
                "Host: db-1",
            ]
        );
        assert_eq!(
            ids,
            [
                "https://pd.test/incidents/Q1",
                "#4412",
                "https://example.test/a"
            ]
        );
    }

    #[test]
    fn empty_and_reaction_only_messages_say_nothing() {
        for text in [
            "",
            " \n",
            ":+1:",
            "👍",
            ":eyes:",
            "👀 👀",
            "+1",
            "👍🏽",
            ":+1::skin-tone-2:",
            "❤️",
        ] {
            assert!(says_nothing(text), "{text}");
        }
        for text in [
            "ok 👍",
            ":+1: rolling back",
            "+1 to rollback",
            "12:30:",
            "#4412",
            "ack",
        ] {
            assert!(!says_nothing(text), "{text}");
        }
    }

    #[test]
    fn reactions_add_up() {
        assert_eq!(
            reactions([
                ("+1".to_string(), 2),
                (":eyes:".to_string(), 1),
                ("+1".to_string(), 1)
            ]),
            Some("+1:3,eyes:1".to_string())
        );
        assert_eq!(reactions(Vec::new()), None);
    }

    #[test]
    fn folders() {
        assert_eq!(
            parent_folder("incident-chan/2026-11-20.json"),
            Some("incident-chan")
        );
        assert_eq!(parent_folder("a/b\\c.json"), Some("b"));
        assert_eq!(
            parent_folder("x.zip!general/2026-11-20.json"),
            Some("general")
        );
        assert_eq!(parent_folder("2026-11-20.json"), None);
    }
}
