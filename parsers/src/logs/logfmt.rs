//! logfmt: lines of `key=value` pairs, as written by Go's logrus, go-kit,
//! Prometheus, Grafana and Heroku-style loggers:
//! `time="2026-01-01T10:00:00.123Z" level=info msg="x y" key=value`.

use std::borrow::Cow;

use crate::input::lines::{self, Continuation, Fields};
use crate::record::{Level, Record, RecordSink};
use crate::time::{self, Timestamp};
use crate::Parser;

/// `key=value` lines.
pub struct Logfmt;

const TIME_KEYS: &[&str] = &["time", "ts", "t", "timestamp", "date"];
const LEVEL_KEYS: &[&str] = &["level", "lvl", "severity"];
const MESSAGE_KEYS: &[&str] = &["msg", "message"];
const HOST_KEYS: &[&str] = &["host", "hostname"];
// Not `caller`: go-kit writes the source position there (`main.go:42`).
const SERVICE_KEYS: &[&str] = &["service", "app", "component", "logger"];

/// A line needs this many `key=value` pairs to look like logfmt: two could
/// be prose that happens to contain `=`.
const SNIFF_MIN_PAIRS: usize = 3;

impl Parser for Logfmt {
    fn id(&self) -> &str {
        "logfmt"
    }

    fn description(&self) -> &str {
        "logfmt key=value lines (logrus, go-kit, Prometheus, Grafana)"
    }

    fn specificity(&self) -> u8 {
        70
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, false, |line| {
            tokenize(line).is_some_and(|pairs| {
                pairs.iter().filter(|p| p.value.is_some()).count() >= SNIFF_MIN_PAIRS
                    && find_time(&pairs).is_some()
            })
        })
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        lines::drive(input, sink, Continuation::Never, parse_line);
    }

    fn read_line(&self, line: &str) -> Option<Record> {
        if !lines::is_one_line(line) {
            return crate::record::one_record(self, line);
        }
        parse_line(line).ok().map(Fields::into_unplaced_record)
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line is its own record.
        Some(true)
    }
}

/// One `key=value`, `key="quoted value"` or bare `key`.
#[derive(Debug, PartialEq)]
struct Pair<'a> {
    /// The pair as written, quotes and escapes included.
    raw: &'a str,
    key: &'a str,
    /// `None` for a key without `=`; empty for `key=`.
    value: Option<Cow<'a, str>>,
}

/// The end of the run of `text` from `from` that holds no whitespace and,
/// for a key, no `=` or `"`. Bytes are tested as bytes, and only a
/// non-ASCII character is decoded: this runs over every byte of a line.
fn word_end(text: &str, from: usize, key: bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            if char::from(b).is_whitespace() || (key && matches!(b, b'=' | b'"')) {
                return at;
            }
            at += 1;
        } else {
            let Some(c) = text[at..].chars().next() else {
                return at;
            };
            if c.is_whitespace() {
                return at;
            }
            at += c.len_utf8();
        }
    }
    at
}

/// The end of a quoted value's text from `from` (after its opening quote),
/// escapes as written: a backslash escapes the character after it. Found
/// with `memchr`, as a message is most of a line. `None` when no closing
/// quote follows.
fn quoted_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(found) = memchr::memchr2(b'"', b'\\', &bytes[at..]) {
        let quote_or_backslash = at + found;
        if bytes[quote_or_backslash] == b'"' {
            return Some(quote_or_backslash);
        }
        let escaped = text[quote_or_backslash + 1..].chars().next()?;
        at = quote_or_backslash + 1 + escaped.len_utf8();
    }
    None
}

/// The separators between pairs: ASCII spaces, tabs and line breaks (any
/// other whitespace ends a value but separates nothing, so such a line is
/// not logfmt).
fn separators_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count()
}

/// The pair that starts at `from`, and where it ends: a key, then an
/// optional `=` and a value, quoted (when its closing quote follows) or
/// bare up to whitespace.
fn pair_at(line: &str, from: usize) -> Option<(Pair<'_>, usize)> {
    let key_end = word_end(line, from, true);
    if key_end == from {
        return None;
    }
    let key = &line[from..key_end];
    if line.as_bytes().get(key_end) != Some(&b'=') {
        return Some((
            Pair {
                raw: key,
                key,
                value: None,
            },
            key_end,
        ));
    }
    let value_at = key_end + 1;
    let quoted = (line.as_bytes().get(value_at) == Some(&b'"'))
        .then(|| quoted_end(line, value_at + 1))
        .flatten();
    let (value, end) = match quoted {
        Some(close) => (unescape(&line[value_at + 1..close]), close + 1),
        None => {
            let end = word_end(line, value_at, false);
            (Cow::Borrowed(&line[value_at..end]), end)
        }
    };
    let pair = Pair {
        raw: &line[from..end],
        key,
        value: Some(value),
    };
    Some((pair, end))
}

/// The pairs of a whole line, or `None` when it is not logfmt: pairs
/// separated by spaces, nothing else.
fn tokenize(line: &str) -> Option<Vec<Pair<'_>>> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let bytes = line.as_bytes();
    let mut pairs = Vec::new();
    let mut at = separators_end(bytes, 0);
    while at < bytes.len() {
        let (pair, end) = pair_at(line, at)?;
        pairs.push(pair);
        at = separators_end(bytes, end);
        if at == end && at < bytes.len() {
            return None;
        }
    }
    Some(pairs)
}

/// Resolves the escapes Go's `strconv.Quote` writes; any other backslash is
/// kept as written rather than guessed at.
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Index of the first pair, in the order of `keys`, whose value `read` accepts.
fn find<'a, T>(
    pairs: &'a [Pair<'a>],
    keys: &[&str],
    read: impl Fn(&'a str) -> Option<T>,
) -> Option<(usize, T)> {
    keys.iter().find_map(|key| {
        pairs.iter().enumerate().find_map(|(i, pair)| {
            if !pair.key.eq_ignore_ascii_case(key) {
                return None;
            }
            read(pair.value.as_deref()?).map(|value| (i, value))
        })
    })
}

fn find_time(pairs: &[Pair<'_>]) -> Option<(usize, Timestamp)> {
    find(pairs, TIME_KEYS, |v| time::parse_field(v, None))
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn parse_line(line: &str) -> Result<Fields, String> {
    let pairs = tokenize(line).ok_or("not logfmt: expected key=value pairs")?;
    let (time_at, time) =
        find_time(&pairs).ok_or("no readable time in a time, ts, t, timestamp or date key")?;
    Ok(fields_at(&pairs, time, Some(time_at)))
}

/// The fields of a logfmt line that carries no time of its own, read at
/// `time`: the line inside a log platform's record, which the platform
/// timed (a Loki stream of `level=error msg=…` lines). `None` unless the
/// line is logfmt of at least two pairs one of which names a level or a
/// message, so that prose holding an `=` is not taken for logfmt.
pub(crate) fn untimed_fields(line: &str, time: Timestamp) -> Option<Fields> {
    let pairs = tokenize(line)?;
    let named = |keys: &[&str]| {
        pairs
            .iter()
            .any(|p| p.value.is_some() && keys.iter().any(|k| p.key.eq_ignore_ascii_case(k)))
    };
    if pairs.iter().filter(|p| p.value.is_some()).count() < 2
        || find_time(&pairs).is_some()
        || !(named(LEVEL_KEYS) || named(MESSAGE_KEYS))
    {
        return None;
    }
    Some(fields_at(&pairs, time, None))
}

/// Every field but the time of one line; the pair the time was read from,
/// if any, is left out of the message.
fn fields_at(pairs: &[Pair<'_>], time: Timestamp, time_at: Option<usize>) -> Fields {
    let level = find(pairs, LEVEL_KEYS, Level::from_word);
    let host = find(pairs, HOST_KEYS, non_empty);
    let service = find(pairs, SERVICE_KEYS, non_empty);
    let text = find(pairs, MESSAGE_KEYS, Some);
    let used = [
        time_at,
        level.as_ref().map(|(i, _)| *i),
        host.as_ref().map(|(i, _)| *i),
        service.as_ref().map(|(i, _)| *i),
        text.as_ref().map(|(i, _)| *i),
    ];
    // The other pairs carry the facts (`version=1.4.2 env=prod`), so they
    // stay in the message as written, after the text.
    let text = text.map(|(_, text)| text).filter(|t| !t.is_empty());
    let rest = pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(&Some(*i)))
        .map(|(_, pair)| pair.raw);
    let parts = || text.into_iter().chain(rest.clone());
    let mut message = String::with_capacity(parts().map(|p| p.len() + 1).sum());
    for part in parts() {
        if !message.is_empty() {
            message.push(' ');
        }
        message.push_str(part);
    }
    let mut fields = Fields::new(time, message);
    fields.level = level.map(|(_, level)| level);
    fields.host = host.map(|(_, host)| host);
    fields.service = service.map(|(_, service)| service);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Collected;
    use crate::testing::{assert_rejects_text, never_panics, run_str, utc};
    use crate::time::{Precision, TimeValue};
    use proptest::prelude::*;

    const K8S: &str = r#"time="2021-09-15T21:17:10.220731Z" level=error msg="error retrieving pod status: pod inc-1-enh-domain-c14-ns-2/hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp is not found: PodNotFound" namespace=inc-1-enh-domain-c14-ns-2 pod=hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp reason= status=Pending
time="2021-09-15T21:17:11.674149Z" level=warning msg="Failed to DeletePod in the provider" error="pod inc-1-domain-c14-ns-6/fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b is not found: PodNotFound" namespace=inc-1-domain-c14-ns-6 pod=fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b uid=be2def59-3a08-42fd-8f84-6f64cfcefa93
time="2021-09-15T21:17:11.679036Z" level=info msg="Pod deleted" namespace=inc-1-domain-c14-ns-6 pod=fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b uid=be2def59-3a08-42fd-8f84-6f64cfcefa93
"#;

    #[test]
    fn logrus_lines_keep_their_extra_pairs_in_the_message() {
        let out = run_str(&Logfmt, K8S);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(utc(r), "2021-09-15T21:17:10.220731Z");
        assert_eq!(r.time.precision, Precision::Micro);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            r.message,
            "error retrieving pod status: pod inc-1-enh-domain-c14-ns-2/hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp is not found: PodNotFound namespace=inc-1-enh-domain-c14-ns-2 pod=hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp reason= status=Pending"
        );
        let r = &out.records[1];
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.line, Some(2));
        assert_eq!(
            r.message,
            r#"Failed to DeletePod in the provider error="pod inc-1-domain-c14-ns-6/fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b is not found: PodNotFound" namespace=inc-1-domain-c14-ns-6 pod=fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b uid=be2def59-3a08-42fd-8f84-6f64cfcefa93"#
        );
        assert_eq!(out.records[2].level, Some(Level::Info));
        assert_eq!(out.records[2].host, None);
        assert_eq!(out.records[2].service, None);
    }

    #[test]
    fn escapes_bare_keys_host_and_service() {
        let line = r#"ts=2026-01-01T10:00:00.123+02:00 lvl=WARN host=web-1 app=shop caller=main.go:42 msg="said \"hi\" \\ bye" dry_run version=1.4.2"#;
        let r = &run_str(&Logfmt, line).records[0];
        assert_eq!(utc(r), "2026-01-01T08:00:00.123000Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.host.as_deref(), Some("web-1"));
        assert_eq!(r.service.as_deref(), Some("shop"));
        assert_eq!(
            r.message,
            r#"said "hi" \ bye caller=main.go:42 dry_run version=1.4.2"#
        );
    }

    #[test]
    fn tokenizer_reads_empty_quoted_and_bare_values() {
        let pairs = tokenize(r#"a="" b= c d="x y" e=f=g"#).unwrap();
        let values: Vec<(&str, Option<&str>)> =
            pairs.iter().map(|p| (p.key, p.value.as_deref())).collect();
        assert_eq!(
            values,
            [
                ("a", Some("")),
                ("b", Some("")),
                ("c", None),
                ("d", Some("x y")),
                ("e", Some("f=g")),
            ]
        );
        assert_eq!(pairs[3].raw, r#"d="x y""#);
        assert!(tokenize(r#"a="x"y"#).is_none());
        assert!(tokenize(r#"{"a":1}"#).is_none());
    }

    #[test]
    fn epoch_times_and_unknown_levels() {
        let out = run_str(&Logfmt, "ts=1700000000.25 level=verbose-ish msg=hi");
        let r = &out.records[0];
        assert_eq!(utc(r), "2023-11-14T22:13:20.250000Z");
        assert_eq!(r.level, None);
        // An unread level stays in the message.
        assert_eq!(r.message, "hi level=verbose-ish");
    }

    #[test]
    fn naive_times_stay_naive() {
        let r = &run_str(&Logfmt, "time=\"2026-01-01 10:00:00\" msg=x").records[0];
        assert!(matches!(r.time.value, TimeValue::Local(_)));
    }

    #[test]
    fn bad_lines_are_problems_with_their_numbers() {
        let input = format!("{K8S}level=info msg=\"no time\"\n{{\"time\":\"2026-01-01T10:00:00Z\"}}\n\ntime=soon msg=x\n");
        let out = run_str(&Logfmt, &input);
        assert_eq!(out.records.len(), 3);
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(7)]);
        assert!(out.problems[1].reason.starts_with("not logfmt"));
    }

    #[test]
    fn sniff_accepts_logfmt_and_rejects_other_formats() {
        assert_eq!(Logfmt.sniff(K8S.as_bytes()), Some(100));
        assert_rejects_text(
            &Logfmt,
            &[
            "{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\",\"a\":1}\n",
            "Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
            "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326\n",
            "2026-01-01 10:00:00 INFO a=1 b=2 c=3\n",
            // Only two pairs.
            "time=\"2021-09-15T21:17:11.679036Z\" msg=\"Pod deleted\"\n",
            ],
        );
    }

    /// The grammar of a line as nom combinators, which [`tokenize`] reads
    /// without them, byte by byte: the two must agree on every line.
    fn tokenize_by_grammar(line: &str) -> Option<Vec<Pair<'_>>> {
        use nom::branch::alt;
        use nom::bytes::complete::{take_while, take_while1};
        use nom::character::complete::{char, multispace0, multispace1};
        use nom::combinator::{all_consuming, consumed, opt};
        use nom::multi::separated_list0;
        use nom::sequence::{delimited, preceded};
        use nom::{IResult, Parser as _};

        fn key(input: &str) -> IResult<&str, &str> {
            take_while1(|c: char| !c.is_whitespace() && c != '=' && c != '"').parse(input)
        }
        fn body(input: &str) -> IResult<&str, &str> {
            match quoted_end(input, 0) {
                Some(end) => Ok((&input[end..], &input[..end])),
                None => Err(nom::Err::Error(nom::error::Error::new(
                    input,
                    nom::error::ErrorKind::Char,
                ))),
            }
        }
        fn quoted(input: &str) -> IResult<&str, Cow<'_, str>> {
            delimited(char('"'), body, char('"'))
                .map(unescape)
                .parse(input)
        }
        fn bare(input: &str) -> IResult<&str, Cow<'_, str>> {
            take_while(|c: char| !c.is_whitespace())
                .map(Cow::Borrowed)
                .parse(input)
        }
        fn pair(input: &str) -> IResult<&str, Pair<'_>> {
            consumed((key, opt(preceded(char('='), alt((quoted, bare))))))
                .map(|(raw, (key, value))| Pair { raw, key, value })
                .parse(input)
        }
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        all_consuming(delimited(
            multispace0,
            separated_list0(multispace1, pair),
            multispace0,
        ))
        .parse(line)
        .ok()
        .map(|(_, pairs)| pairs)
    }

    never_panics!(Logfmt);

    proptest! {
        #[test]
        fn the_tokenizer_reads_lines_as_the_grammar_does(
            line in "[a-z= \"\\\\é0-9\t\r\n\u{a0}\u{b}\u{2003}\u{feff}]{0,40}"
        ) {
            prop_assert_eq!(tokenize(&line), tokenize_by_grammar(&line));
        }

        #[test]
        fn arbitrary_pairs_never_panic(line in "[a-z= \"\\\\é0-9:T.Z-]{0,80}") {
            let mut out = Collected::default();
            Logfmt.parse(format!("time=2026-01-01T10:00:00Z {line}").as_bytes(), &mut out);
            let _ = Logfmt.sniff(line.as_bytes());
        }

        /// A value quoted as Go's `strconv.Quote` writes it reads back
        /// as it was, whatever quotes, backslashes and characters it holds.
        #[test]
        fn a_quoted_value_reads_back_as_it_was(value in "[a-z \"\\\\\n\té€😀=]{0,40}") {
            let quoted = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
                .replace('\t', "\\t");
            let line = format!("msg=\"{quoted}\" level=info");
            let pairs = tokenize(&line).expect("a logfmt line");
            prop_assert_eq!(pairs[0].value.as_deref(), Some(value.as_str()));
            prop_assert_eq!(pairs[1].key, "level");
        }
    }
}
