//! Pure evidence parsers for factline: bytes in, records out.
//!
//! The main types are the [`Parser`] trait, the [`Record`] it produces and the
//! [`RecordSink`] it pushes records and per-line [`Problem`]s into. Every parser
//! in this crate is listed once in [`registry::builtin`]. The parsers come in
//! families, one folder each, whose shared helpers sit in the folder's module:
//!
//! - `logs`: log formats with code of their own (access, Apache error,
//!   logfmt, syslog, free text, JSON lines, Docker Compose, IIS W3C,
//!   CloudTrail, Kubernetes events, Windows events, GitHub Actions and
//!   GitLab CI job logs);
//! - [`declarative`]: lnav-style line formats defined by JSON files, the
//!   built-in ones from `parsers/formats/` and the user's own;
//! - `chat`: Slack, Mattermost, Teams, Discord, Rocket.Chat, Telegram;
//! - `paging`: PagerDuty, Opsgenie, Alertmanager;
//! - `tickets`: Jira, ServiceNow, GitHub, GitLab, Zendesk, Bugzilla;
//! - `incidents`: status pages (Statuspage) and incident tools (AWS
//!   Incident Manager, Datadog Incident Management, Sentry);
//! - `shifts`: shift sheets (who was on call when);
//! - `platforms`: log-platform exports (Elasticsearch, Loki, CloudWatch,
//!   Google Cloud Logging, Azure Monitor, Datadog, Splunk), whose records'
//!   original lines are read by the line parsers of `logs` and
//!   [`declarative`].
//!
//! What several families share to read their input ([`lines`], [`json`],
//! [`identifiers`] and CSV rows) is in `input`, and time reading in [`time`].
//!
//! Nothing here touches
//! the file system, a database or threads: the pipeline in the `factline` crate
//! owns all of that, so these parsers can be fuzzed and tested on byte slices.
//!
//! Timestamps leave a parser as a [`time::Timestamp`]: either an absolute UTC
//! instant (explicit offset or epoch) or a naive reading (local date-time,
//! date without year, time of day) that the pipeline resolves with the user's
//! zone options. Parsers never guess a zone.
#![deny(missing_docs)]

mod chat;
pub mod declarative;
mod incidents;
mod input;
mod logs;
mod paging;
mod platforms;
mod ranking;
mod record;
pub mod registry;
mod shifts;
#[cfg(test)]
mod testing;
mod tickets;
pub mod time;

pub use input::{identifiers, json, lines};

pub use record::{attribute, Collected, Kind, Level, Problem, Record, RecordSink};

/// One evidence format: how to recognise it cheaply and how to parse it.
pub trait Parser: Send + Sync {
    /// Stable identifier, used by `--parser GLOB=ID` and stored per source.
    fn id(&self) -> &str;
    /// One line for `factline formats`.
    fn description(&self) -> &str;
    /// Rank among parsers that all accept a file: a parser that accepts a
    /// strict subset of another's inputs must have a higher specificity.
    fn specificity(&self) -> u8;
    /// Looks at the first bytes of a file and returns a confidence in percent
    /// (`None` when this is not the format). A yes must include at least one
    /// timestamp this parser can read, so a format check is never a guess
    /// from punctuation alone.
    fn sniff(&self, head: &[u8]) -> Option<u8>;
    /// Parses the whole input, pushing every record and every rejected line.
    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink);

    /// For a file whose sniff found no timestamp: whether it is still this
    /// format, only holding nothing to place on a timeline (an aggregation
    /// query's result, a metric response), said as what it is ("an Azure
    /// Monitor query result without a datetime column"), so that the file
    /// is reported for what it is rather than as unrecognized. `None`, the
    /// default, when it is not this format or the parser cannot tell.
    fn untimed(&self, head: &[u8]) -> Option<String> {
        let _ = head;
        None
    }

    /// For formats whose records are lines (maybe with continuation lines):
    /// whether `line` (without its newline) begins a record. Such input may
    /// be cut before any line that begins a record and parsed piece by
    /// piece, which is how the pipeline streams files of any size. `None`,
    /// the default, means the input must be parsed whole.
    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        let _ = line;
        None
    }

    /// For formats read in pieces ([`Parser::starts_record`]) whose lines
    /// each look like a record's first but may carry a part of one (a
    /// container runtime's split lines): whether the record of `line` goes
    /// on in the next line. Input is never cut after such a line.
    fn continues_after(&self, line: &[u8]) -> bool {
        let _ = line;
        false
    }

    /// For JSON documents whose records are elements of arrays: the paths
    /// of those arrays, keys joined by `.` and `[]` for any element of an
    /// array (`hits.hits`, `data.result[].values`). A piece of such a
    /// document cut between two elements of one of them, with the
    /// containers open at its start reopened (an object with its members
    /// before the open one, an array without its finished elements) and
    /// those open at its end closed, must parse on its own into the
    /// records of its elements, citing them by JSON paths: the pipeline
    /// then streams a document of any size in pieces and moves the paths'
    /// indices back. Empty, the default, means the document is read whole.
    fn json_record_arrays(&self) -> &[&str] {
        &[]
    }

    /// Files of the same export this parser needs beside the one it parses,
    /// by file name (a Slack export's `users.json` to resolve mentions).
    /// The pipeline finds them in the same folder or archive, or a parent.
    fn companions(&self) -> &[&str] {
        &[]
    }

    /// The one record `line` (a line's text, without its line break)
    /// holds on its own, if this parser reads exactly one from it without
    /// a problem: how the original lines inside log-platform records are
    /// read. The default parses the line as an input of its own; line
    /// formats that read a line by itself answer the same without that
    /// machinery (and the record's position is left unset).
    fn read_line(&self, line: &str) -> Option<Record> {
        record::one_record(self, line)
    }

    /// Parses with what the pipeline knows about the input: its path inside
    /// the evidence (a Slack day file's folder is its channel) and the
    /// companion files it asked for. Parsers that need neither keep the
    /// default, which is [`Parser::parse`].
    fn parse_in(&self, input: &[u8], context: &Context<'_>, sink: &mut dyn RecordSink) {
        let _ = context;
        self.parse(input, sink);
    }
}

/// What the pipeline knows about an input beyond its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The input's path relative to its evidence root, `/`-separated
    /// (`incident-chan/2026-11-20.json`).
    pub path: &'a str,
    /// The companion files found, by the names [`Parser::companions`] gave.
    pub companions: &'a [(String, Vec<u8>)],
}

impl Context<'_> {
    /// The bytes of a companion file, if it was found.
    pub fn companion(&self, name: &str) -> Option<&[u8]> {
        self.companions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}
