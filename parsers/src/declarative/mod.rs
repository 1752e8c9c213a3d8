//! Declarative line formats, in the manner of lnav's format files.
//!
//! A format is a JSON file: regular expressions with named captures, a
//! timestamp format and sample lines. Loading a file compiles it once and
//! then checks every sample the way lnav does, so a broken format is refused
//! with the file, the pattern or sample and the reason, before it can
//! silently misread evidence:
//!
//! ```json
//! {
//!   "id": "spark",
//!   "description": "Apache Spark (log4j yy/MM/dd HH:mm:ss LEVEL logger: message)",
//!   "specificity": 50,
//!   "multiline": true,
//!   "patterns": ["(?P<timestamp>\\d{2}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) (?P<level>[A-Z]+) (?P<service>\\S+?): (?P<message>.*)"],
//!   "timestamp_format": "%y/%m/%d %H:%M:%S",
//!   "levels": {"critical": ["FATAL"]},
//!   "samples": [{"line": "17/06/09 20:10:40 INFO spark.SecurityManager: ok", "time": "2017-06-09T20:10:40", "level": "info"}]
//! }
//! ```
//!
//! - `patterns` are tried in order against the start of each line (they
//!   are anchored there). The capture `timestamp` is required; `level`,
//!   `host`, `service` and `message` fill those fields (without `message`,
//!   the message is the rest of the line after the match), `correlation`
//!   the request or trace id another system's log may carry too (it may
//!   lie inside `message`); every other named capture becomes a record
//!   attribute (`pid`, `thread`…).
//! - `timestamp_format` is a chrono strftime format, or `auto` (every layout
//!   [`time::parse_leading`] knows, or an epoch), or `epoch`, `epoch_ms`,
//!   `epoch_us`, `epoch_ns` (integers of that unit; seconds may carry a
//!   fraction). A strftime format without `%z` or `%s` reads naive times; one
//!   without a year reads month and day only. `%L` reads milliseconds as a
//!   1–3 digit number (`29:606`, and `29:99` is 99 ms), as Ruby and lnav do.
//! - `levels` maps captured words to levels, case-insensitively; words it
//!   does not list are read with [`Level::from_word`].
//! - Each sample gives the `time` it must read: RFC 3339 with `Z` or an
//!   offset for absolute formats, `YYYY-MM-DDTHH:MM:SS[.ffffff]` for naive
//!   ones, `--MM-DDTHH:MM:SS[.fff]` without a year, `HH:MM:SS[.fff]` for a
//!   time of day; and the `level` it must read (omitted: none). `host`,
//!   `service` and `message` are checked when given.

mod backtrack;
mod timestamp;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDateTime, NaiveTime};
use regex::{CaptureLocations, Regex};
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Dot, Hir,
    HirKind, Look, Repetition,
};
use serde::Deserialize;

use crate::input::lines::{self, Continuation, Fields};
use crate::record::{Collected, Level, RecordSink};
use crate::time::{self, TimeValue};
use crate::Parser;
use backtrack::Backtracker;
use timestamp::Stamp;

/// The format files shipped in `parsers/formats/`, by file name.
const BUILTIN: &[(&str, &str)] = &[
    (
        "android-logcat.json",
        include_str!("../../formats/android-logcat.json"),
    ),
    (
        "aws-lambda.json",
        include_str!("../../formats/aws-lambda.json"),
    ),
    ("bgl.json", include_str!("../../formats/bgl.json")),
    (
        "django-runserver.json",
        include_str!("../../formats/django-runserver.json"),
    ),
    ("hdfs.json", include_str!("../../formats/hdfs.json")),
    (
        "healthapp.json",
        include_str!("../../formats/healthapp.json"),
    ),
    ("hpc.json", include_str!("../../formats/hpc.json")),
    ("klog.json", include_str!("../../formats/klog.json")),
    ("log4j.json", include_str!("../../formats/log4j.json")),
    (
        "openstack.json",
        include_str!("../../formats/openstack.json"),
    ),
    (
        "proxifier.json",
        include_str!("../../formats/proxifier.json"),
    ),
    ("redis.json", include_str!("../../formats/redis.json")),
    (
        "ruby-logger.json",
        include_str!("../../formats/ruby-logger.json"),
    ),
    ("spark.json", include_str!("../../formats/spark.json")),
    (
        "thunderbird.json",
        include_str!("../../formats/thunderbird.json"),
    ),
    ("uwsgi.json", include_str!("../../formats/uwsgi.json")),
    (
        "windows-cbs.json",
        include_str!("../../formats/windows-cbs.json"),
    ),
];

/// Specificity of a format file that does not state one.
const DEFAULT_SPECIFICITY: u8 = 50;

/// The built-in declarative formats, compiled and checked on first use.
pub fn builtin_formats() -> Vec<Box<dyn Parser>> {
    static COMPILED: OnceLock<Vec<DeclarativeFormat>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            BUILTIN
                .iter()
                .map(|(name, text)| {
                    // The files are part of the binary and a unit test loads
                    // every one, so a failure here is a build defect, not bad
                    // input.
                    compile(name, text).unwrap_or_else(|e| panic!("built-in {e}"))
                })
                .collect()
        })
        .iter()
        .map(|format| Box::new(format.clone()) as Box<dyn Parser>)
        .collect()
}

/// Compiles a user's format file (`--formats-dir`) and checks its samples.
/// `name` is how errors refer to the file, usually its path.
pub fn load_format(name: &str, text: &str) -> Result<Box<dyn Parser>, FormatError> {
    Ok(Box::new(compile(name, text)?))
}

/// Why a format file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file is not JSON of the format-file shape.
    #[error("format file {file}: {source}")]
    Json {
        /// The file.
        file: String,
        /// What serde found.
        #[source]
        source: serde_json::Error,
    },
    /// A top-level field holds a value that cannot be used.
    #[error("format file {file}: {field}: {reason}")]
    Field {
        /// The file.
        file: String,
        /// The field (`id`, `timestamp_format`, `levels.error`…).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A pattern does not compile or lacks its timestamp capture.
    #[error("format file {file}: patterns[{index}] {pattern:?}: {reason}")]
    Pattern {
        /// The file.
        file: String,
        /// 0-based position in `patterns`.
        index: usize,
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A sample line does not read as it says it should.
    #[error("format file {file}: samples[{index}] {line:?}: {reason}")]
    Sample {
        /// The file.
        file: String,
        /// 0-based position in `samples`.
        index: usize,
        /// The sample line.
        line: String,
        /// What failed.
        reason: String,
    },
    /// A pattern that no sample exercises, so nothing shows it works.
    #[error(
        "format file {file}: patterns[{index}] {pattern:?} is matched by no sample; add a sample line for it"
    )]
    UnusedPattern {
        /// The file.
        file: String,
        /// 0-based position in `patterns`.
        index: usize,
        /// The pattern as written.
        pattern: String,
    },
}

/// A format file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatFile {
    id: String,
    description: String,
    #[serde(default)]
    specificity: Option<u8>,
    #[serde(default)]
    multiline: bool,
    patterns: Vec<String>,
    timestamp_format: String,
    #[serde(default)]
    levels: BTreeMap<String, Vec<String>>,
    samples: Vec<Sample>,
    /// Where the format and its samples come from; documentation only.
    #[serde(default, rename = "source")]
    _source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    line: String,
    time: String,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// A compiled, checked format.
#[derive(Clone)]
struct DeclarativeFormat {
    id: String,
    description: String,
    specificity: u8,
    continuation: Continuation,
    patterns: Vec<Pattern>,
    stamp: Stamp,
    /// Level words as written (matched case-insensitively) and their levels.
    levels: Vec<(String, Level)>,
}

#[derive(Clone)]
struct Pattern {
    regex: Regex,
    /// For the pattern for plain lines, the same as a [`Backtracker`].
    fast: Option<Backtracker>,
    /// The same pattern for ASCII lines without a line break, as nearly all
    /// log lines are: see [`for_plain_lines`].
    plain: Option<Box<Pattern>>,
    timestamp: usize,
    level: Option<usize>,
    host: Option<usize>,
    service: Option<usize>,
    message: Option<usize>,
    correlation: Option<usize>,
    /// Other named captures, kept as record attributes.
    attributes: Vec<(usize, String)>,
}

/// What one line reads as.
struct LineRead {
    pattern: usize,
    fields: Fields,
    attributes: Vec<(String, String)>,
}

impl Parser for DeclarativeFormat {
    fn id(&self) -> &str {
        &self.id
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn specificity(&self) -> u8 {
        self.specificity
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let skip_indented = self.continuation == Continuation::JoinAbove;
        let mut slots = Slots::new(&self.patterns);
        lines::sniff(head, skip_indented, |line| {
            self.read_line(line, &mut slots).is_ok()
        })
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        Some(
            self.continuation == Continuation::Never
                || self
                    .read_line(&lines::text(line).0, &mut Slots::new(&self.patterns))
                    .is_ok(),
        )
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut slots = Slots::new(&self.patterns);
        lines::drive(input, sink, self.continuation, |line| {
            let read = self.read_line(line, &mut slots)?;
            let mut fields = read.fields;
            fields.attributes = read
                .attributes
                .into_iter()
                .map(|(k, v)| (k.into(), v))
                .collect();
            Ok(fields)
        });
    }
}

/// Capture positions for each pattern, reused from line to line: a
/// `Captures` per line costs an allocation and a count on the regex's
/// shared group names that every worker thread touches.
struct Slots {
    exact: Vec<CaptureLocations>,
    plain: Vec<Option<CaptureLocations>>,
    /// For a pattern's [`Backtracker`].
    fast: backtrack::Captures,
}

impl Slots {
    fn new(patterns: &[Pattern]) -> Slots {
        Slots {
            exact: patterns
                .iter()
                .map(|p| p.regex.capture_locations())
                .collect(),
            plain: patterns
                .iter()
                .map(|p| p.plain.as_ref().map(|q| q.regex.capture_locations()))
                .collect(),
            fast: backtrack::Captures::default(),
        }
    }

    /// Pattern `i` in the form that reads the line, with its slots (for
    /// its regex and for its backtracker).
    fn pick<'p>(
        &mut self,
        patterns: &'p [Pattern],
        i: usize,
        plain: bool,
    ) -> (&'p Pattern, &mut CaptureLocations, &mut backtrack::Captures) {
        match (&patterns[i].plain, &mut self.plain[i]) {
            (Some(fast), Some(slots)) if plain => (fast, slots, &mut self.fast),
            _ => (&patterns[i], &mut self.exact[i], &mut self.fast),
        }
    }
}

impl DeclarativeFormat {
    fn read_line(&self, line: &str, slots: &mut Slots) -> Result<LineRead, String> {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let plain = line.is_ascii() && memchr::memchr(b'\n', line.as_bytes()).is_none();
        let Some((index, fast)) = (0..self.patterns.len()).find_map(|i| {
            let (pattern, locations, caps) = slots.pick(&self.patterns, i, plain);
            if let Some(matcher) = &pattern.fast {
                match matcher.captures(line.as_bytes(), caps) {
                    backtrack::Outcome::Match => return Some((i, true)),
                    backtrack::Outcome::NoMatch => return None,
                    backtrack::Outcome::GaveUp => {}
                }
            }
            pattern
                .regex
                .captures_read(locations, line)
                .map(|_| (i, false))
        }) else {
            return Err(format!("matches no pattern of the {} format", self.id));
        };
        let (pattern, locations, caps) = slots.pick(&self.patterns, index, plain);
        let span = |g: usize| if fast { caps.get(g) } else { locations.get(g) };
        let group = |g: usize| span(g).and_then(|(start, end)| line.get(start..end));
        let text = |g: Option<usize>| g.and_then(group).map(str::trim).filter(|s| !s.is_empty());
        let stamp = group(pattern.timestamp).unwrap_or_default();
        let time = self.stamp.read(stamp)?;
        let message = match pattern.message {
            Some(g) => group(g).unwrap_or_default(),
            None => span(0)
                .and_then(|(_, end)| line.get(end..))
                .unwrap_or_default(),
        };
        let mut fields = Fields::new(time, message.trim());
        fields.level = text(pattern.level).and_then(|word| self.level_of(word));
        fields.host = text(pattern.host).map(str::to_string);
        fields.service = text(pattern.service).map(str::to_string);
        fields.correlation = text(pattern.correlation).map(str::to_string);
        let attributes = pattern
            .attributes
            .iter()
            .filter_map(|(group, name)| Some((name.clone(), text(Some(*group))?.to_string())))
            .collect();
        Ok(LineRead {
            pattern: index,
            fields,
            attributes,
        })
    }

    fn level_of(&self, word: &str) -> Option<Level> {
        self.levels
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|(_, level)| *level)
            .or_else(|| Level::from_word(word))
    }

    /// lnav's checks: every sample matches a pattern and reads as it says
    /// (the timestamp capture consumed whole, the time and level equal to
    /// the expected ones), and every pattern is matched by some sample.
    fn check_samples(
        &self,
        file: &str,
        samples: &[Sample],
        sources: &[String],
    ) -> Result<(), FormatError> {
        let mut used = vec![false; self.patterns.len()];
        for (index, sample) in samples.iter().enumerate() {
            let fail = |reason: String| FormatError::Sample {
                file: file.to_string(),
                index,
                line: sample.line.clone(),
                reason,
            };
            let first = sample.line.lines().next().unwrap_or_default();
            let read = self
                .read_line(first, &mut Slots::new(&self.patterns))
                .map_err(&fail)?;
            if let Some(seen) = used.get_mut(read.pattern) {
                *seen = true;
            }
            let at = format!("read by patterns[{}]", read.pattern);
            let expected = expected_time(&sample.time).map_err(|r| fail(format!("time: {r}")))?;
            if read.fields.time.value != expected {
                return Err(fail(format!(
                    "{at}, the time is {}, the sample expects {}",
                    describe(read.fields.time.value),
                    describe(expected)
                )));
            }
            let expected_level = match &sample.level {
                Some(name) => Some(level_named(name).ok_or_else(|| {
                    fail(format!("level {name:?} is not one of {}", LEVEL_NAMES))
                })?),
                None => None,
            };
            if read.fields.level != expected_level {
                return Err(fail(format!(
                    "{at}, the level is {}, the sample expects {}",
                    read.fields.level.map_or("none", Level::as_str),
                    expected_level.map_or("none", Level::as_str)
                )));
            }
            // The whole sample through the parser, as evidence would go.
            let mut out = Collected::default();
            self.parse(sample.line.as_bytes(), &mut out);
            if let Some(problem) = out.problems.first() {
                return Err(fail(format!(
                    "line {} is rejected: {}",
                    problem.line.unwrap_or_default(),
                    problem.reason
                )));
            }
            let [record] = &out.records[..] else {
                return Err(fail(format!(
                    "reads as {} records, not one",
                    out.records.len()
                )));
            };
            for (what, want, got) in [
                ("host", &sample.host, &record.host),
                ("service", &sample.service, &record.service),
                ("message", &sample.message, &Some(record.message.clone())),
            ] {
                if let Some(want) = want {
                    if got.as_deref() != Some(want.as_str()) {
                        return Err(fail(format!(
                            "{at}, the {what} is {got:?}, the sample expects {want:?}"
                        )));
                    }
                }
            }
        }
        match used.iter().position(|seen| !seen) {
            Some(index) => Err(FormatError::UnusedPattern {
                file: file.to_string(),
                index,
                pattern: sources.get(index).cloned().unwrap_or_default(),
            }),
            None => Ok(()),
        }
    }
}

fn compile(file: &str, text: &str) -> Result<DeclarativeFormat, FormatError> {
    let spec: FormatFile = serde_json::from_str(text).map_err(|source| FormatError::Json {
        file: file.to_string(),
        source,
    })?;
    let field = |field: &str, reason: String| FormatError::Field {
        file: file.to_string(),
        field: field.to_string(),
        reason,
    };
    let id_chars = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
    if spec.id.is_empty()
        || !spec.id.chars().all(id_chars)
        || !spec.id.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err(field(
            "id",
            format!(
                "{:?} is not an id: use lower-case letters, digits, `-`, `_` and `.`",
                spec.id
            ),
        ));
    }
    if spec.description.trim().is_empty() {
        return Err(field("description", "is empty".to_string()));
    }
    if spec.patterns.is_empty() {
        return Err(field("patterns", "lists no pattern".to_string()));
    }
    if spec.samples.is_empty() {
        return Err(field(
            "samples",
            "lists no sample; every pattern needs at least one".to_string(),
        ));
    }
    let stamp =
        Stamp::new(&spec.timestamp_format).map_err(|reason| field("timestamp_format", reason))?;
    let mut levels: Vec<(String, Level)> = Vec::new();
    for (name, words) in &spec.levels {
        let at = format!("levels.{name}");
        let level = level_named(name)
            .ok_or_else(|| field(&at, format!("is not a level; use one of {LEVEL_NAMES}")))?;
        for word in words {
            let word = word.trim();
            if word.is_empty() {
                return Err(field(&at, "lists an empty word".to_string()));
            }
            if let Some((_, other)) = levels.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)) {
                return Err(field(
                    &at,
                    format!("{word:?} is also listed under {}", other.as_str()),
                ));
            }
            levels.push((word.to_string(), level));
        }
    }
    let patterns = spec
        .patterns
        .iter()
        .enumerate()
        .map(|(index, source)| {
            Pattern::new(source).map_err(|reason| FormatError::Pattern {
                file: file.to_string(),
                index,
                pattern: source.clone(),
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let format = DeclarativeFormat {
        id: spec.id,
        description: spec.description,
        specificity: spec.specificity.unwrap_or(DEFAULT_SPECIFICITY),
        continuation: if spec.multiline {
            Continuation::JoinAbove
        } else {
            Continuation::Never
        },
        patterns,
        stamp,
        levels,
    };
    format.check_samples(file, &spec.samples, &spec.patterns)?;
    Ok(format)
}

impl Pattern {
    fn new(source: &str) -> Result<Pattern, String> {
        // Compiled alone first, so that errors point into the text as written.
        Regex::new(source).map_err(|e| format!("does not compile: {e}"))?;
        let anchored = format!("^(?:{source})");
        let regex = Regex::new(&anchored).map_err(|e| {
            format!("cannot be anchored at the start of the line (does it end in a comment?): {e}")
        })?;
        let mut pattern = Pattern::of(regex)?;
        pattern.plain = for_plain_lines(&anchored).and_then(|plain| {
            let mut pattern = Pattern::of(Regex::new(&plain.to_string()).ok()?).ok()?;
            pattern.fast = Backtracker::new(&plain);
            Some(Box::new(pattern))
        });
        Ok(pattern)
    }

    fn of(regex: Regex) -> Result<Pattern, String> {
        let mut pattern = Pattern {
            regex: regex.clone(),
            fast: None,
            plain: None,
            timestamp: 0,
            level: None,
            host: None,
            service: None,
            message: None,
            correlation: None,
            attributes: Vec::new(),
        };
        let mut timestamp = None;
        for (group, name) in regex.capture_names().enumerate() {
            let Some(name) = name else { continue };
            match name {
                "timestamp" => timestamp = Some(group),
                "level" => pattern.level = Some(group),
                "host" => pattern.host = Some(group),
                "service" => pattern.service = Some(group),
                "message" => pattern.message = Some(group),
                "correlation" => pattern.correlation = Some(group),
                other => pattern.attributes.push((group, other.to_string())),
            }
        }
        pattern.timestamp = timestamp.ok_or("has no (?P<timestamp>…) capture")?;
        Ok(pattern)
    }
}

/// The anchored `pattern` rewritten to read ASCII lines without a line
/// break exactly as it does, but faster; `None` if it cannot be parsed.
///
/// The capture engines walk the matched text byte by byte, several times
/// slower than finding the match, and Unicode classes (`\d`, `\S`, `.`)
/// make their automata large, which each search pays for. So:
///
/// - a trailing `(?P<message>.*)$` or `(?:SEP(?P<message>.*))?$` is left
///   out (`SEP` stays, or the end of the line), and the message is the rest
///   of the line after the match: on text without a line break `.*$`
///   matches whatever follows, so the preferred paths, and the other
///   captures, are the same; most of a log line is its message;
/// - classes keep only their ASCII part, all an ASCII line can meet.
fn for_plain_lines(pattern: &str) -> Option<Hir> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let hir = without_trailing_message(hir);
    Some(ascii_only(&hir))
}

fn without_trailing_message(hir: Hir) -> Hir {
    let HirKind::Concat(subs) = hir.kind() else {
        return hir;
    };
    let [rest @ .., last, end] = subs.as_slice() else {
        return hir;
    };
    if end.kind() != &HirKind::Look(Look::End) {
        return hir;
    }
    let mut rest = rest.to_vec();
    if !is_rest_as_message(last) {
        let HirKind::Repetition(optional) = last.kind() else {
            return hir;
        };
        let HirKind::Concat(inner) = optional.sub.kind() else {
            return hir;
        };
        let Some((message, separator)) = inner.split_last() else {
            return hir;
        };
        if (optional.min, optional.max, optional.greedy) != (0, Some(1), true)
            || !is_rest_as_message(message)
        {
            return hir;
        }
        // The separator, or nothing at the end of the line.
        rest.push(Hir::alternation(vec![
            Hir::concat(separator.to_vec()),
            Hir::look(Look::End),
        ]));
    }
    Hir::concat(rest)
}

fn ascii_only(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(ascii_only(&repetition.sub)),
            ..repetition.clone()
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(ascii_only(&capture.sub)),
            ..capture.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_only).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_only).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
    }
}

/// `(?P<message>.*)`, greedy, with or without `s`.
fn is_rest_as_message(hir: &Hir) -> bool {
    let HirKind::Capture(capture) = hir.kind() else {
        return false;
    };
    let HirKind::Repetition(rest) = capture.sub.kind() else {
        return false;
    };
    capture.name.as_deref() == Some("message")
        && (rest.min, rest.max, rest.greedy) == (0, None, true)
        && (*rest.sub == Hir::dot(Dot::AnyCharExceptLF) || *rest.sub == Hir::dot(Dot::AnyChar))
}

const LEVEL_NAMES: &str = "trace, debug, info, notice, warn, error, critical";

/// A level by its contract name only: format files name levels exactly.
fn level_named(name: &str) -> Option<Level> {
    [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Critical,
    ]
    .into_iter()
    .find(|level| level.as_str() == name)
}

/// Reads a sample's expected time (see the module documentation).
fn expected_time(text: &str) -> Result<TimeValue, String> {
    const CLOCK: &str = "%H:%M:%S%.f";
    if let Some(yearless) = text.strip_prefix("--") {
        // Any leap year stands in for the missing one.
        let at = NaiveDateTime::parse_from_str(&format!("2000-{yearless}"), "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|e| format!("{text:?} is not --MM-DDTHH:MM:SS[.fff]: {e}"))?;
        return Ok(TimeValue::NoYear {
            month: chrono::Datelike::month(&at),
            day: chrono::Datelike::day(&at),
            time: at.time(),
        });
    }
    if !text.contains('T') {
        return NaiveTime::parse_from_str(text, CLOCK)
            .map(TimeValue::TimeOnly)
            .map_err(|e| format!("{text:?} is not HH:MM:SS[.fff]: {e}"));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(TimeValue::Utc(at.timestamp_micros()));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(TimeValue::Local)
        .map_err(|e| {
            format!(
                "{text:?} is neither RFC 3339 (…Z or an offset) nor a naive YYYY-MM-DDTHH:MM:SS[.ffffff]: {e}"
            )
        })
}

/// A reading in the notation the samples use, saying what kind it is.
fn describe(value: TimeValue) -> String {
    match value {
        TimeValue::Utc(micros) => format!("{} (absolute)", time::format_utc(micros)),
        TimeValue::Local(at) => format!("{} (naive)", at.format("%Y-%m-%dT%H:%M:%S%.f")),
        TimeValue::NoYear { month, day, time } => {
            format!(
                "--{month:02}-{day:02}T{} (no year)",
                time.format("%H:%M:%S%.f")
            )
        }
        TimeValue::TimeOnly(time) => format!("{} (time of day)", time.format("%H:%M:%S%.f")),
    }
}

#[cfg(test)]
mod tests {
    use super::timestamp::Strftime;
    use super::*;
    use crate::record::Record;
    use crate::time::Precision;
    use proptest::prelude::*;

    fn load(text: &str) -> Result<DeclarativeFormat, FormatError> {
        compile("test.json", text)
    }

    fn error(text: &str) -> String {
        match load(text) {
            Ok(_) => panic!("loaded: {text}"),
            Err(e) => e.to_string(),
        }
    }

    const SPARK: &str = r#"{
        "id": "spark-test",
        "description": "Spark",
        "patterns": ["(?P<timestamp>\\d{2}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) (?P<level>[A-Z]+) (?P<service>\\S+?): (?P<message>.*)"],
        "timestamp_format": "%y/%m/%d %H:%M:%S",
        "samples": [{"line": "17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi", "time": "2017-06-09T20:10:40", "level": "info", "service": "spark.SecurityManager"}]
    }"#;

    #[test]
    fn every_file_in_the_formats_folder_is_embedded_and_loads() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("formats");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("parsers/formats exists")
            .map(|e| {
                e.expect("readable entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
        for (name, text) in BUILTIN {
            let format = compile(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                format!("{}.json", format.id),
                *name,
                "file named after its id"
            );
            let on_disk = std::fs::read_to_string(dir.join(name)).expect("readable");
            assert_eq!(on_disk, *text);
        }
        let ids: Vec<String> = builtin_formats()
            .iter()
            .map(|p| p.id().to_string())
            .collect();
        assert_eq!(ids.len(), BUILTIN.len());
    }

    #[test]
    fn a_format_reads_lines_with_fields_and_attributes() {
        let text = r#"{
            "id": "kv",
            "description": "test",
            "multiline": true,
            "patterns": ["(?P<timestamp>\\S+) \\[(?P<thread>[^\\]]*)\\] (?P<level>\\w+)"],
            "timestamp_format": "auto",
            "levels": {"critical": ["BOOM"]},
            "samples": [{"line": "2026-01-01T10:00:00+01:00 [main] BOOM rest of it", "time": "2026-01-01T09:00:00Z", "level": "critical", "message": "rest of it"}]
        }"#;
        let format = load(text).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Collected::default();
        format.parse(
            b"junk\n2026-01-01T10:00:00Z [w1] warn first\n  at x\n2026-01-01T10:00:01Z [] error second\n",
            &mut out,
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, Some(1));
        let [a, b] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.message, "first\n  at x");
        assert_eq!(a.line_end, Some(3));
        assert_eq!(a.level, Some(Level::Warn));
        assert_eq!(a.attributes, [("thread".into(), "w1".to_string())]);
        assert_eq!(b.level, Some(Level::Error));
        assert!(b.attributes.is_empty());
        assert_eq!(
            format.sniff(b"2026-01-01T10:00:00Z [w1] warn first\n"),
            Some(100)
        );
        assert_eq!(format.sniff(b"hello world\n"), None);
    }

    #[test]
    fn strftime_readings_follow_the_fields_the_format_names() {
        let read = |format: &str, text: &str| {
            let stamp = Stamp::new(format).unwrap_or_else(|e| panic!("{e}"));
            stamp.read(text).unwrap_or_else(|e| panic!("{e}"))
        };
        let t = read("%y%m%d %H%M%S", "081109 203615");
        assert_eq!(describe(t.value), "2008-11-09T20:36:15 (naive)");
        assert_eq!(t.precision, Precision::Second);
        let t = read("%m-%d %H:%M:%S%.3f", "03-17 16:13:38.811");
        assert_eq!(describe(t.value), "--03-17T16:13:38.811 (no year)");
        assert_eq!(t.precision, Precision::Milli);
        let t = read("%Y%m%d-%H:%M:%S:%L", "20171223-7:5:2:99");
        assert_eq!(describe(t.value), "2017-12-23T07:05:02.099 (naive)");
        assert_eq!(t.precision, Precision::Milli);
        let t = read("%Y-%m-%d %H:%M:%S%.f %z", "2026-01-01 10:00:00.5 +0200");
        assert_eq!(describe(t.value), "2026-01-01T08:00:00.500000Z (absolute)");
        let t = read("%s", "1117838570");
        assert_eq!(describe(t.value), "2005-06-03T22:42:50.000000Z (absolute)");
        let t = read("%H:%M", "10:07");
        assert_eq!(describe(t.value), "10:07:00 (time of day)");
        assert_eq!(t.precision, Precision::Minute);
        let t = read("%b %e %H:%M:%S", "Feb 29 10:00:00");
        assert_eq!(describe(t.value), "--02-29T10:00:00 (no year)");
    }

    /// Layouts of fixed-width numbers that skip chrono's parser.
    const FIXED_LAYOUTS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S%.3f",
        "%Y-%m-%d %H:%M:%S,%3f",
        "%Y-%m-%dT%H:%M:%S%.6f",
        "%m-%d %H:%M:%S%.3f",
        "%d/%m/%Y %H:%M",
        "%Y%m%d%H%M%S%.9f",
    ];

    /// `layout` as chrono alone reads it.
    fn through_chrono(layout: &str) -> Strftime {
        let mut stamp = Strftime::new(layout).unwrap_or_else(|e| panic!("{e}"));
        assert!(stamp.fixed.is_some(), "{layout} is read without chrono");
        stamp.fixed = None;
        stamp
    }

    #[test]
    fn fixed_layouts_read_as_chrono_reads_them() {
        for layout in FIXED_LAYOUTS {
            let (fast, chrono) = (Strftime::new(layout).unwrap(), through_chrono(layout));
            let text = chrono::NaiveDate::from_ymd_opt(2024, 2, 29)
                .and_then(|d| d.and_hms_nano_opt(23, 59, 58, 123_456_789))
                .map(|t| t.format(layout).to_string())
                .unwrap();
            let read = fast.read(&text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(Ok(&read), chrono.read(&text).as_ref(), "{layout}: {text}");
        }
        // Not their layout, or not a date: chrono decides, and words why.
        let (fast, chrono) = (
            Strftime::new(FIXED_LAYOUTS[0]).unwrap(),
            through_chrono(FIXED_LAYOUTS[0]),
        );
        for text in [
            "2024-02-30 10:00:00.000",
            "2024-2-09 10:00:00.000",
            "2024-02-09  10:00:00.000",
            "2024-02-09 10:00:60.000",
            "2024-02-09 24:00:00.000",
            "2024-02-09 10:00:00.0001",
        ] {
            assert_eq!(fast.read(text), chrono.read(text), "{text}");
        }
    }

    #[test]
    fn epochs_and_auto_read_whole_captures() {
        let epoch = Stamp::new("epoch_ms").unwrap_or_else(|e| panic!("{e}"));
        let t = epoch
            .read("1700000000123")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.value, TimeValue::Utc(1_700_000_000_123_000));
        assert!(epoch.read("17000000001x").is_err());
        let auto = Stamp::Auto;
        assert!(auto.read("2026-01-01 10:00:00").is_ok());
        assert_eq!(
            auto.read("2026-01-01 10:00:00 CEST").map(|t| t.value),
            Ok(TimeValue::Utc(1_767_254_400_000_000))
        );
        assert_eq!(
            auto.read("2026-01-01 10:00:00 ERROR").err().as_deref(),
            Some("timestamp \"2026-01-01 10:00:00 ERROR\" leaves \"ERROR\" unread")
        );
        let strf = Stamp::new("%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{e}"));
        let err = strf
            .read("2026-01-01 10:00:00.123")
            .err()
            .unwrap_or_default();
        assert!(err.contains("leaves \".123\" unread"), "{err}");
    }

    #[test]
    fn unusable_timestamp_formats_are_refused_at_load() {
        for (format, says) in [
            ("%Y-%m-%d %H:%M:%S%f", "count of nanoseconds"),
            ("%Y-%m-%d %H:%M:%S %Z", "names no single offset"),
            ("%Y-%m-%d", "no hour and minute"),
            ("%d %H:%M", "part of a date"),
            ("%m-%d %H:%M %z", "no full date"),
            ("%Q %H:%M", "not a valid strftime"),
        ] {
            let err = Stamp::new(format).err().unwrap_or_default();
            assert!(err.contains(says), "{format}: {err}");
        }
    }

    #[test]
    fn broken_files_are_refused_naming_file_place_and_failure() {
        assert!(load(SPARK).is_ok());
        let e = error(&SPARK.replace("2017-06-09T20:10:40", "2017-06-09T20:10:40Z"));
        assert!(
            e.starts_with("format file test.json: samples[0] \"17/06/09"),
            "{e}"
        );
        assert!(e.contains("the time is 2017-06-09T20:10:40 (naive), the sample expects 2017-06-09T20:10:40.000000Z (absolute)"), "{e}");
        let e = error(&SPARK.replace("\"level\": \"info\"", "\"level\": \"warn\""));
        assert!(
            e.contains("the level is info, the sample expects warn"),
            "{e}"
        );
        let e = error(&SPARK.replace("\"level\": \"info\"", "\"level\": \"loud\""));
        assert!(e.contains("level \"loud\" is not one of"), "{e}");
        let e = error(&SPARK.replace("%y/%m/%d %H:%M:%S", "%y/%m/%d %H:%M"));
        assert!(e.contains("leaves \":40\" unread"), "{e}");
        let e = error(&SPARK.replace("17/06/09 20:10:40 INFO", "17-06-09 20:10:40 INFO"));
        assert!(
            e.contains("matches no pattern of the spark-test format"),
            "{e}"
        );
        let e = error(&SPARK.replace(
            "\"service\": \"spark.SecurityManager\"",
            "\"service\": \"x\"",
        ));
        assert!(
            e.contains("the service is Some(\"spark.SecurityManager\"), the sample expects \"x\""),
            "{e}"
        );
        let e = error(&SPARK.replace("(?P<timestamp>", "(?P<stamp>"));
        assert!(e.starts_with("format file test.json: patterns[0]"), "{e}");
        assert!(e.contains("has no (?P<timestamp>…) capture"), "{e}");
        let e = error(&SPARK.replace("(?P<level>[A-Z]+)", "(?P<level>[A-Z+)"));
        assert!(e.contains("does not compile"), "{e}");
        let e = error(&SPARK.replace("\"patterns\": [", "\"patterns\": [\"(?P<timestamp>x)\", "));
        assert!(
            e.contains("patterns[0] \"(?P<timestamp>x)\" is matched by no sample"),
            "{e}"
        );
        let e = error(&SPARK.replace("\"id\"", "\"idd\""));
        assert!(
            e.starts_with("format file test.json: unknown field `idd`"),
            "{e}"
        );
        let e = error(&SPARK.replace("spark-test", "Spark Test"));
        assert!(e.contains("id: \"Spark Test\" is not an id"), "{e}");
        let e = error(&SPARK.replace(
            "\"samples\"",
            "\"levels\": {\"fatal\": [\"F\"]}, \"samples\"",
        ));
        assert!(e.contains("levels.fatal: is not a level"), "{e}");
        let e = error(&SPARK.replace(
            "\"time\": \"2017-06-09T20:10:40\"",
            "\"time\": \"yesterday\"",
        ));
        assert!(e.contains("time: \"yesterday\" is not HH:MM:SS"), "{e}");
    }

    #[test]
    fn user_formats_load_as_parsers() {
        let parser = load_format("mine.json", SPARK).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parser.id(), "spark-test");
        assert_eq!(parser.specificity(), DEFAULT_SPECIFICITY);
        assert!(load_format("mine.json", "{").is_err());
    }

    #[test]
    fn patterns_are_anchored_at_the_start_of_the_line() {
        let format = load(SPARK).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Collected::default();
        format.parse(
            b"prefix 17/06/09 20:10:40 INFO a.B: x\n17/06/09 20:10:41 INFO a.B: y\n",
            &mut out,
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, Some(1));
        assert_eq!(out.records.len(), 1);
    }

    #[test]
    fn impossible_dates_in_matching_lines_are_problems() {
        let format = load(SPARK).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Collected::default();
        format.parse(b"17/02/30 20:10:40 INFO a.B: x\n", &mut out);
        assert!(out.records.is_empty());
        assert!(
            out.problems[0].reason.contains("does not fit"),
            "{:?}",
            out.problems
        );
    }

    /// Capture slots are reused from line to line: a group one line fills
    /// must not leak into the next line's record.
    #[test]
    fn captures_of_one_line_do_not_reach_the_next() {
        let (name, text) = BUILTIN
            .iter()
            .find(|(name, _)| *name == "openstack.json")
            .expect("the OpenStack format is built in");
        let format = compile(name, text).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Collected::default();
        format.parse(
            b"nova.log 2017-05-16 00:00:00.008 25746 INFO a.b [req-1] one\n\
              2017-05-16 00:00:01.008 25746 INFO a.b two\n",
            &mut out,
        );
        let [first, second] = &out.records[..] else {
            panic!("{:?}", out)
        };
        let keys = |r: &Record| {
            r.attributes
                .iter()
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(first), ["file", "pid", "request"]);
        assert_eq!(keys(second), ["pid"]);
        assert_eq!(second.message, "two");
    }

    #[test]
    fn ruby_logger_reads_rails_lines_with_their_request_ids() {
        let format = builtin_formats()
            .into_iter()
            .find(|p| p.id() == "ruby-logger")
            .expect("built in");
        let input = include_bytes!("../../../fixtures/ruby-logger/own_rails_production.log");
        let mut out = Collected::default();
        format.parse(input, &mut out);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 9);
        let r = &out.records[0];
        assert_eq!(crate::testing::naive_micro(r), "2026-11-20 10:12:01.234567");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service, None);
        assert_eq!(r.message, "[6f1c2a9e-3b4d-4c5e-8f60-7a8b9c0d1e2f] Started POST \"/checkout\" for 10.0.0.5 at 2026-11-20 10:12:01 +0100");
        assert_eq!(
            r.correlation.as_deref(),
            Some("6f1c2a9e-3b4d-4c5e-8f60-7a8b9c0d1e2f")
        );
        assert_eq!(crate::testing::attr(r, "pid"), Some("4821"));
        assert_eq!(out.records[3].level, Some(Level::Warn));
        let r = &out.records[6];
        assert_eq!(r.level, Some(Level::Critical));
        assert_eq!((r.line, r.line_end), (Some(7), Some(9)));
        assert!(r.message.ends_with("):\napp/services/payment.rb:41:in `charge'\napp/controllers/checkouts_controller.rb:18:in `create'"));
        let r = &out.records[7];
        assert_eq!(crate::testing::naive_micro(r), "2026-11-20 10:12:09.870004");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("sidekiq"));
        assert_eq!(r.message, "PaymentRetryJob failed: connection refused");
        assert_eq!(r.correlation, None);
    }

    /// The patterns for plain lines must read every line as the patterns as
    /// written do: lines of every Loghub system, whole and cut at every byte
    /// (which ends them inside and just after each field), through every
    /// format.
    #[test]
    fn patterns_for_plain_lines_read_them_as_written() {
        let formats: Vec<DeclarativeFormat> = BUILTIN
            .iter()
            .map(|(name, text)| compile(name, text).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        for format in &formats {
            assert!(
                format
                    .patterns
                    .iter()
                    .all(|p| p.plain.as_ref().is_some_and(|q| q.fast.is_some())),
                "{}: a built-in pattern has no plain-line form or backtracker",
                format.id
            );
        }
        let as_written: Vec<DeclarativeFormat> = formats
            .iter()
            .map(|f| DeclarativeFormat {
                patterns: f
                    .patterns
                    .iter()
                    .map(|p| Pattern {
                        plain: None,
                        ..p.clone()
                    })
                    .collect(),
                ..f.clone()
            })
            .collect();
        let reading = |format: &DeclarativeFormat, line: &str| {
            format
                .read_line(line, &mut Slots::new(&format.patterns))
                .map(|r| (r.pattern, r.fields, r.attributes))
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/loghub");
        for system in std::fs::read_dir(&root).expect("Loghub fixtures") {
            let dir = system.expect("readable entry").path();
            let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}_2k.log"))) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                let cuts: Vec<&str> = if n < 3 {
                    (0..=line.len()).filter_map(|i| line.get(..i)).collect()
                } else {
                    vec![line]
                };
                for cut in cuts {
                    for (plain, exact) in formats.iter().zip(&as_written) {
                        assert_eq!(
                            reading(plain, cut),
                            reading(exact, cut),
                            "{}: {cut:?}",
                            plain.id
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn fixed_layouts_read_any_text_as_chrono_does(
            layout in 0..FIXED_LAYOUTS.len(),
            numbers in prop::collection::vec(0u32..100, 7),
            text in "[0-9 :.,T/-]{0,30}",
        ) {
            let layout = FIXED_LAYOUTS[layout];
            let (fast, chrono) = (Strftime::new(layout).unwrap(), through_chrono(layout));
            // Near misses of the layout: two-digit fields from 00 to 99.
            let near = layout
                .replace("%Y", &format!("20{:02}", numbers[0]))
                .replace("%m", &format!("{:02}", numbers[1] % 14))
                .replace("%d", &format!("{:02}", numbers[2] % 33))
                .replace("%H", &format!("{:02}", numbers[3] % 26))
                .replace("%M", &format!("{:02}", numbers[4] % 62))
                .replace("%S", &format!("{:02}", numbers[5] % 62))
                .replace("%.3f", &format!(".{:03}", numbers[6] * 9))
                .replace("%3f", &format!("{:03}", numbers[6] * 9))
                .replace("%.6f", &format!(".{:06}", numbers[6] * 9999))
                .replace("%.9f", &format!(".{:09}", numbers[6] * 9_999_999));
            prop_assert_eq!(fast.read(&near), chrono.read(&near), "{}", near);
            prop_assert_eq!(fast.read(&text), chrono.read(&text), "{}", text);
        }

        #[test]
        fn arbitrary_format_fields_never_panic(
            pattern in "\\PC{0,40}",
            stamp in "(%[a-zA-Z.0-9:%+-]|[-:/ .,0-9a-z]){0,12}",
            line in "\\PC{0,60}",
        ) {
            let file = serde_json::json!({
                "id": "fuzz",
                "description": "fuzz",
                "patterns": [format!("(?P<timestamp>{pattern})")],
                "timestamp_format": stamp,
                "samples": [{"line": line, "time": "2026-01-01T00:00:00"}],
            });
            let _ = compile("fuzz.json", &file.to_string());
            if let Ok(stamp) = Stamp::new(&stamp) {
                let _ = stamp.read(&line);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for parser in builtin_formats() {
                let mut out = Collected::default();
                parser.parse(&bytes, &mut out);
                let _ = parser.sniff(&bytes);
            }
        }

        #[test]
        fn arbitrary_format_files_never_panic(text in "\\PC{0,200}") {
            let _ = compile("fuzz.json", &text);
        }
    }
}
