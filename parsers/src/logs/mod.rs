//! Log formats with a parser of their own (the declarative formats of
//! `parsers/formats/` live in `declarative`): line formats (access, AWS
//! load balancer access, Apache error, logfmt, syslog, free text, Docker
//! Compose, IIS W3C, CI job logs of GitHub Actions and GitLab), JSON lines
//! (and journald's pretty-printed entries), and JSON or XML event exports
//! (CloudTrail, Kubernetes events, Windows events).

/// Implements [`crate::Parser`] for `$parser`, a line format whose every
/// line is a record of its own, read by `$parse_line` (`&str` to
/// [`Fields`](crate::input::lines::Fields) or a reason).
macro_rules! one_record_a_line {
    ($parser:ty, $id:literal, $description:literal, $specificity:literal, $parse_line:path) => {
        impl $crate::Parser for $parser {
            fn id(&self) -> &str {
                $id
            }

            fn description(&self) -> &str {
                $description
            }

            fn specificity(&self) -> u8 {
                $specificity
            }

            fn sniff(&self, head: &[u8]) -> Option<u8> {
                $crate::input::lines::sniff(head, false, |line| $parse_line(line).is_ok())
            }

            fn parse(&self, input: &[u8], sink: &mut dyn $crate::RecordSink) {
                $crate::input::lines::drive(
                    input,
                    sink,
                    $crate::input::lines::Continuation::Never,
                    $parse_line,
                );
            }

            fn starts_record(&self, _line: &[u8]) -> Option<bool> {
                Some(true)
            }
        }
    };
}

pub(crate) mod access;
pub(crate) mod apache_error;
pub(crate) mod aws_alb;
pub(crate) mod ci_jobs;
pub(crate) mod cloudtrail;
pub(crate) mod docker_compose;
pub(crate) mod evtx_json;
pub(crate) mod iis_w3c;
pub(crate) mod jsonl;
pub(crate) mod k8s_events;
pub(crate) mod logfmt;
pub(crate) mod syslog;
pub(crate) mod textlog;
pub(crate) mod windows_events;

use std::borrow::Cow;

use crate::record::Level;

/// Windows levels (winmeta.xml): 1 critical, 2 error, 3 warning,
/// 4 informational, 5 verbose; 0 is "log always", shown as information.
pub(crate) fn windows_level(number: &str) -> Option<Level> {
    match number.trim() {
        "0" | "4" => Some(Level::Info),
        "1" => Some(Level::Critical),
        "2" => Some(Level::Error),
        "3" => Some(Level::Warn),
        "5" => Some(Level::Debug),
        _ => None,
    }
}

/// `text` cut to `max` characters, with an ellipsis when it was longer: data
/// values quoted in a message stay readable without hiding that they were cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max).collect();
    short.push('…');
    short
}

/// Removes terminal escape sequences: CSI (`ESC [ … final`, colours and
/// `ESC[2K` line erasing), OSC (`ESC ] … BEL` or `ESC \`), and the
/// two- and three-byte escapes (`ESC ( B`).
pub(crate) fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
                chars.next();
            }
            _ => {}
        }
    }
    Cow::Owned(out)
}
