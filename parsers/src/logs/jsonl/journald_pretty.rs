//! `journalctl -o json-pretty`: the journal entries of `-o json`, each an
//! object spread over lines (`{` alone, one field a line, `}`), one after
//! another. Each entry is read with the fields of a JSON line
//! (`_SOURCE_REALTIME_TIMESTAMP`, `_HOSTNAME`, `SYSLOG_IDENTIFIER`,
//! `PRIORITY`, `MESSAGE`) and cites the lines it spans.

use crate::input::json::{self, Head};
use crate::record::{Problem, RecordSink};
use crate::time::EpochUnit;
use crate::Parser;

/// Journal entries as `journalctl -o json-pretty` writes them.
pub struct JournaldPretty;

/// journald's times: when the program logged, else when the journal
/// received it, in microseconds since the epoch.
const TIME_KEYS: &[&str] = &["_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP"];

impl Parser for JournaldPretty {
    fn id(&self) -> &str {
        "journald-json-pretty"
    }

    fn description(&self) -> &str {
        "systemd journal as journalctl -o json-pretty writes it (entries as indented JSON objects, one after another)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        // `-o json` writes an entry a line, which JSON lines reads; only the
        // pretty form opens each entry with `{` alone on its line.
        let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let first_line = body.trim_ascii_start().split(|&b| b == b'\n').next()?;
        if h.array || first_line.trim_ascii() != b"{" || !h.has("MESSAGE") {
            return None;
        }
        h.time(TIME_KEYS, |v| json::head_epoch(v, EpochUnit::Micros))
            .map(|_| 100)
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        // A journal field is never an object, so `{` alone opens an entry.
        Some(line == b"{")
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| {
            let at = src.raw_element(doc.raw, doc.root.clone());
            let last = json::last_line(src.bytes, at.line, at.span.clone());
            match super::parse_object(doc.raw.get()).and_then(|o| super::fields(&o)) {
                // Cited by lines only: a file read in pieces numbers its
                // documents from each piece's start.
                Ok(fields) => sink.record(fields.into_record_at(at.line..=last, at.span, false)),
                Err(reason) => sink.problem(Problem {
                    line: Some(at.line),
                    locator: None,
                    reason,
                }),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, never_panics, run, utc};
    use crate::Level;

    const PRETTY: &[u8] =
        include_bytes!("../../../../fixtures/journald-json-pretty/own_sshd_sudo.json");

    #[test]
    fn entries_spread_over_lines_are_read_as_journald_lines() {
        assert_eq!(JournaldPretty.sniff(PRETTY), Some(100));
        let out = run(&JournaldPretty, PRETTY);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [sshd, sudo] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(sshd), "2026-11-20T22:40:51.804113Z");
        assert_eq!(sshd.level, Some(Level::Warn));
        assert_eq!(sshd.host.as_deref(), Some("bastion-1"));
        assert_eq!(sshd.service.as_deref(), Some("sshd"));
        assert_eq!(
            sshd.message,
            "Failed password for invalid user deploy from 203.0.113.9 port 52144 ssh2"
        );
        assert_eq!((sshd.line, sshd.line_end), (Some(1), Some(26)));
        // Without the program's own time, the journal's.
        assert_eq!(utc(sudo), "2026-11-20T22:41:03.250871Z");
        assert_eq!(sudo.level, Some(Level::Notice));
        assert_eq!(sudo.service.as_deref(), Some("sudo"));
        assert_eq!(sudo.line, Some(27));
        assert_eq!(&PRETTY[sudo.span.clone()][..1], b"{");
    }

    #[test]
    fn an_entry_without_a_time_is_a_problem_with_its_line() {
        let input = b"{\n        \"MESSAGE\" : \"no time\"\n}\n{\n        \"__REALTIME_TIMESTAMP\" : \"1585114672027448\",\n        \"MESSAGE\" : \"ok\"\n}\n";
        let out = run(&JournaldPretty, input);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, Some(1));
        assert_eq!(out.records.len(), 1);
        assert_eq!(utc(&out.records[0]), "2020-03-25T05:37:52.027448Z");
        assert_eq!(out.records[0].line, Some(4));
    }

    #[test]
    fn sniff_leaves_json_lines_and_other_documents_alone() {
        assert_rejects(
            &JournaldPretty,
            &[
                br#"{ "__REALTIME_TIMESTAMP" : "1422990364739502", "PRIORITY" : "6", "MESSAGE" : "one a line" }
"#,
                b"{\n  \"time\": \"2026-11-20T22:40:51Z\",\n  \"MESSAGE\": \"no journal time\"\n}\n",
                b"[\n{\n  \"__REALTIME_TIMESTAMP\": \"1422990364739502\",\n  \"MESSAGE\": \"x\"\n}\n]\n",
            ],
        );
    }

    never_panics!(JournaldPretty);
}
