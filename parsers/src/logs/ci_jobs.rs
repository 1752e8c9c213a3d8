//! CI/CD job logs as the APIs return them.
//!
//! - GitHub Actions (`GET /repos/{o}/{r}/actions/jobs/{id}/logs`, the files
//!   of a run's log archive): every line starts with the runner's UTC time
//!   with a 7-digit fraction (`2024-01-02T03:04:05.1234567Z `); workflow
//!   commands mark steps and outcomes (`##[group]Run ./deploy.sh`,
//!   `##[endgroup]`, `##[error]`, `##[warning]`, `##[debug]`). The first
//!   line may carry a byte-order mark.
//! - GitLab CI job traces (`GET /projects/:id/jobs/:job_id/trace`): terminal
//!   output with ANSI escapes and section markers
//!   (`ESC[0Ksection_start:<epoch>:<name>[collapsed=true]\rESC[0K<header>`,
//!   `section_end:<epoch>:<name>`). Runners from 17.0 with `FF_TIMESTAMPS`
//!   prefix each line with its UTC time and a stream tag
//!   (`2024-05-30T14:30:00.000000Z 00O `, `01E+` for stderr continuing a
//!   partial line). In older traces only the markers carry a time; the
//!   lines between them join the marker record above, so nothing is lost
//!   and no time is guessed (the runner's banner before the first marker
//!   has none to join and is reported).
//!
//! A step or command that deploys (`Run ./deploy.sh`, `$ helm upgrade …`,
//! `kubectl rollout …`, a `deploy_production` section) is a change the
//! pipeline made: a record of kind `deploy` by the CI system, not a person.
//! In an old GitLab trace a command has no time of its own, so only a
//! section whose name or header deploys gives a deploy record there.
//! Every other line is a log record; error and warning commands give the
//! level.

use std::sync::OnceLock;

use regex::Regex;

use super::strip_ansi;
use crate::input::lines::{self, Continuation, Fields};
use crate::record::{add_attribute, Kind, Level, Problem, Record, RecordSink};
use crate::time::{self, EpochUnit, TimeValue, Timestamp};
use crate::Parser;

/// GitHub Actions job logs.
pub struct GitHubActions;

/// GitLab CI job traces.
pub struct GitLabCi;

const GITHUB: &str = "GitHub Actions";
const GITLAB: &str = "GitLab CI";

impl Parser for GitHubActions {
    fn id(&self) -> &str {
        "github-actions"
    }

    fn description(&self) -> &str {
        "GitHub Actions job logs (7-digit-fraction UTC prefix, ##[group] markers); deploy steps as changes"
    }

    fn specificity(&self) -> u8 {
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        // .NET round-trip times have seven digits too: a workflow command or
        // the runner's preamble says it is a job log.
        let runner = memchr::memmem::find(head, b"##[").is_some()
            || memchr::memmem::find(head, b"Current runner version").is_some();
        if !runner {
            return None;
        }
        lines::sniff(head, false, |line| github_prefix(line).is_some())
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        Some(github_prefix(&lines::text(line).0).is_some())
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut marked = ByPipeline {
            sink,
            system: GITHUB,
        };
        lines::drive(input, &mut marked, Continuation::JoinAbove, github_line);
    }
}

impl Parser for GitLabCi {
    fn id(&self) -> &str {
        "gitlab-ci"
    }

    fn description(&self) -> &str {
        "GitLab CI job traces (section markers, ANSI, FF_TIMESTAMPS prefixes); deploy commands as changes"
    }

    fn specificity(&self) -> u8 {
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let timed = lines::sniff(head, false, |line| {
            gitlab_prefix(&strip_ansi(line)).is_some()
        });
        if timed.is_some() {
            return timed;
        }
        // An old trace: mostly untimed output, but its section markers hold
        // epochs, and the runner's banner names the format.
        let text = String::from_utf8_lossy(head);
        let banner = text.contains("Running with gitlab-runner") || text.contains("section_end:");
        let marker = || {
            text.lines()
                .any(|line| matches!(section(&strip_ansi(line)), Some(s) if s.time.is_some()))
        };
        (banner && marker()).then_some(90)
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        Some(gitlab_line(&lines::text(line).0).is_ok())
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let mut marked = ByPipeline {
            sink,
            system: GITLAB,
        };
        lines::drive(input, &mut marked, Continuation::JoinAbove, gitlab_line);
    }
}

/// Names the CI system on the records it made itself (deploys), which the
/// line driver's fields cannot carry.
struct ByPipeline<'s> {
    sink: &'s mut dyn RecordSink,
    system: &'static str,
}

impl RecordSink for ByPipeline<'_> {
    fn record(&mut self, mut record: Record) {
        if record.kind == Kind::Deploy {
            record.system = Some(self.system.into());
            record.human = Some(false);
            add_attribute(&mut record, "recorded_by", Some("pipeline"));
        }
        self.sink.record(record);
    }

    fn problem(&mut self, problem: Problem) {
        self.sink.problem(problem);
    }
}

/// Steps and commands that change what runs in production.
fn deploy_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r"(?i)(\bdeploy(s|ed|ing|ment)?\b|_deploy\b|\bdeploy_|\brelease\b|\brollout\b|\bhelm\s+(upgrade|install)\b|\bkubectl\s+(apply|rollout|set\s+image)\b|\bterraform\s+apply\b|\bargocd\s+app\s+sync\b)",
        )
        .expect("valid deploy pattern")
    })
}

/// `YYYY-MM-DDTHH:MM:SS.` + `digits` fraction digits + `Z` at the start of
/// `line`: the time and the text after it.
fn utc_prefix(line: &str, digits: usize) -> Option<(Timestamp, &str)> {
    let end = 20 + digits;
    let b = line.as_bytes();
    if b.len() <= end
        || b[19] != b'.'
        || b[end] != b'Z'
        || !b[20..end].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let (time, used) = time::parse_leading(line.get(..=end)?)?;
    if used != end + 1 || !matches!(time.value, TimeValue::Utc(_)) {
        return None;
    }
    Some((time, &line[end + 1..]))
}

fn github_prefix(line: &str) -> Option<(Timestamp, &str)> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let (time, rest) = utc_prefix(line, 7)?;
    // An empty output line is the timestamp alone.
    if rest.is_empty() {
        return Some((time, rest));
    }
    Some((time, rest.strip_prefix(' ')?))
}

/// A line's record; `None` for `##[endgroup]`, which only closes the
/// folded group its `##[group]` line stands for.
fn github_line(line: &str) -> Result<Option<Fields>, String> {
    let Some((time, rest)) = github_prefix(line) else {
        return Err("no GitHub Actions timestamp (7-digit fraction, Z) at the start".to_string());
    };
    let rest = strip_ansi(rest);
    let (command, text) = match rest.strip_prefix("##[") {
        Some(after) => match after.split_once(']') {
            Some((command, text)) => (Some(command), text),
            None => (None, rest.as_ref()),
        },
        None => (None, rest.as_ref()),
    };
    if command == Some("endgroup") {
        return Ok(None);
    }
    let mut fields = Fields::new(time, text.trim_end());
    match command {
        Some("group") if deploy_pattern().is_match(text) => deploy(&mut fields, GITHUB),
        Some("error") => fields.level = Some(Level::Error),
        Some("warning") => fields.level = Some(Level::Warn),
        Some("notice") => fields.level = Some(Level::Notice),
        Some("debug") => fields.level = Some(Level::Debug),
        // Other markers keep their text, which is empty or says what ended.
        Some(other) if text.trim().is_empty() => fields.message = format!("[{other}]"),
        _ => {}
    }
    Ok(Some(fields))
}

fn deploy(fields: &mut Fields, system: &str) {
    fields.kind = Kind::Deploy;
    fields.actor = Some(system.to_string());
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ 00O ` (stream number, `O` or `E`, `+` when
/// the line continues a partial one): the time and the output after it.
fn gitlab_prefix(line: &str) -> Option<(Timestamp, &str)> {
    let (time, rest) = utc_prefix(line, 6)?;
    let tag = rest.strip_prefix(' ')?;
    let b = tag.as_bytes();
    if b.len() < 3 || !b[..2].iter().all(u8::is_ascii_hexdigit) || !matches!(b[2], b'O' | b'E') {
        return None;
    }
    let rest = &tag[3..];
    let rest = rest.strip_prefix('+').unwrap_or(rest);
    Some((time, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// A section marker: `section_start:<epoch>:<name>[options]` or
/// `section_end:…`, with the header shown after its carriage return.
struct Section<'a> {
    start: bool,
    time: Option<Timestamp>,
    name: &'a str,
    header: &'a str,
}

fn section(text: &str) -> Option<Section<'_>> {
    let (start, rest) = if let Some(rest) = text.trim_start().strip_prefix("section_start:") {
        (true, rest)
    } else {
        (false, text.trim_start().strip_prefix("section_end:")?)
    };
    let (epoch, rest) = rest.split_once(':')?;
    let (marker, header) = rest.split_once('\r').unwrap_or((rest, ""));
    let name = marker.split('[').next().unwrap_or(marker).trim();
    Some(Section {
        start,
        time: time::parse_epoch(epoch, Some(EpochUnit::Seconds)),
        name,
        header: header.trim_matches(|c: char| c == '\r' || c.is_whitespace()),
    })
}

fn gitlab_line(line: &str) -> Result<Fields, String> {
    let clean = strip_ansi(line);
    let (stamped, rest) = match gitlab_prefix(&clean) {
        Some((time, rest)) => (Some(time), rest),
        None => (None, clean.as_ref()),
    };
    if let Some(s) = section(rest) {
        let time = stamped
            .or(s.time)
            .ok_or_else(|| format!("section marker {} without a readable epoch", s.name))?;
        let what = if s.start { "started" } else { "ended" };
        let message = if s.header.is_empty() {
            format!("section {} {what}", s.name)
        } else {
            format!("section {} {what}: {}", s.name, s.header)
        };
        let mut fields = Fields::new(time, message);
        if s.start && (deploy_pattern().is_match(s.name) || deploy_pattern().is_match(s.header)) {
            deploy(&mut fields, GITLAB);
        }
        return Ok(fields);
    }
    let Some(time) = stamped else {
        // Only reported when no record is above to join: in an old trace
        // the runner's banner before the first section.
        return Err(
            "no time: neither a runner timestamp nor a section marker above it".to_string(),
        );
    };
    // What a carriage return overwrote is not what the page shows.
    let shown = rest.rsplit('\r').next().unwrap_or(rest).trim_end();
    let mut fields = Fields::new(time, shown);
    if shown.starts_with("ERROR: Job failed") {
        fields.level = Some(Level::Error);
    } else if shown.starts_with("WARNING: ") {
        fields.level = Some(Level::Warn);
    } else if shown
        .strip_prefix("$ ")
        .is_some_and(|command| deploy_pattern().is_match(command))
    {
        deploy(&mut fields, GITLAB);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const GITHUB_LOG: &[u8] = include_bytes!("../../../fixtures/github-actions/deploy_job.txt");
    const GITLAB_TIMED: &[u8] = include_bytes!("../../../fixtures/gitlab-ci/deploy_timestamps.log");
    const GITLAB_OLD: &[u8] = include_bytes!("../../../fixtures/gitlab-ci/deploy_legacy.log");

    #[test]
    fn github_deploy_step_is_a_change_by_the_pipeline() {
        let out = run(&GitHubActions, GITHUB_LOG);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let first = &out.records[0];
        // The byte-order mark is not part of the time; 7 digits are read to
        // the microsecond.
        assert_eq!(utc(first), "2026-11-20T22:41:03.651230Z");
        let deploy = out
            .records
            .iter()
            .find(|r| r.kind == Kind::Deploy)
            .expect("a deploy record");
        assert_eq!(deploy.message, "Run ./scripts/deploy.sh production v2.31.0");
        assert_eq!(utc(deploy), "2026-11-20T22:41:09.118273Z");
        assert_eq!(deploy.system.as_deref(), Some("GitHub Actions"));
        assert_eq!(deploy.actor.as_deref(), Some("GitHub Actions"));
        assert_eq!(deploy.human, Some(false));
        assert_eq!(attr(deploy, "recorded_by"), Some("pipeline"));
        assert_eq!(
            out.records
                .iter()
                .filter(|r| r.kind == Kind::Deploy)
                .count(),
            1,
            "checkout is not a deploy"
        );
        let error = out
            .records
            .iter()
            .find(|r| r.level == Some(Level::Error))
            .expect("an error");
        assert_eq!(error.message, "Process completed with exit code 1.");
    }

    #[test]
    fn gitlab_timestamped_trace() {
        let out = run(&GitLabCi, GITLAB_TIMED);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(utc(&out.records[0]), "2026-11-20T22:40:58.102315Z");
        assert_eq!(
            out.records[0].message,
            "Running with gitlab-runner 17.5.2 (c6c4c7b1)"
        );
        let deploy: Vec<&Record> = out
            .records
            .iter()
            .filter(|r| r.kind == Kind::Deploy)
            .collect();
        assert_eq!(deploy.len(), 1);
        assert_eq!(
            deploy[0].message,
            "$ helm upgrade --install checkout ./chart --set image.tag=v2.31.0"
        );
        assert_eq!(deploy[0].system.as_deref(), Some("GitLab CI"));
        let last = out.records.last().unwrap();
        assert_eq!(last.message, "Job succeeded");
    }

    #[test]
    fn gitlab_legacy_trace_dates_lines_by_their_section() {
        let out = run(&GitLabCi, GITLAB_OLD);
        // The banner comes before any time: reported, not dropped.
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(2)]);
        let deploy = out
            .records
            .iter()
            .find(|r| r.kind == Kind::Deploy)
            .expect("deploy section");
        assert_eq!(utc(deploy), "2026-11-20T22:41:09.000000Z");
        assert!(deploy
            .message
            .starts_with("section deploy_production started: Deploying v2.31.0"));
        // The untimed output inside the section is kept with it.
        assert!(deploy
            .message
            .contains("deployment \"checkout\" successfully rolled out"));
    }

    #[test]
    fn lines_before_any_time_are_problems() {
        let out = run(
            &GitLabCi,
            b"Running with gitlab-runner 16.0\nno time here\n",
        );
        assert!(out.records.is_empty());
        assert_eq!(out.problems.len(), 2);
    }

    #[test]
    fn sniffs_each_other_apart_and_not_plain_iso_logs() {
        assert!(GitHubActions.sniff(GITHUB_LOG).is_some());
        assert!(GitLabCi.sniff(GITLAB_TIMED).is_some());
        assert!(GitLabCi.sniff(GITLAB_OLD).is_some());
        assert_rejects(&GitHubActions, &[GITLAB_TIMED, GITLAB_OLD]);
        assert_rejects(
            &GitLabCi,
            &[GITHUB_LOG, b"2026-11-20T22:41:09.000000Z INFO started\n"],
        );
        assert_rejects(
            &GitHubActions,
            &[
                b"2026-11-20T22:41:09.123Z INFO started\n",
                b"2026-11-20T22:41:09.1234567Z [INF] Serilog round-trip time\n",
            ],
        );
    }

    #[test]
    fn github_endgroup_closes_a_group_without_an_event() {
        // github-actions/poki_ant_mission_job.log lines 2, 3, 9 and 10.
        let input = "2026-06-21T05:34:27.7262230Z ##[group]Runner Image Provisioner
2026-06-21T05:34:27.7263597Z Hosted Compute Agent
2026-06-21T05:34:27.7271179Z ##[endgroup]
2026-06-21T05:34:27.7273597Z ##[group]Operating System
";
        let out = run(&GitHubActions, input.as_bytes());
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let read: Vec<(String, &str)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                (
                    "2026-06-21T05:34:27.726223Z".to_string(),
                    "Runner Image Provisioner"
                ),
                (
                    "2026-06-21T05:34:27.726359Z".to_string(),
                    "Hosted Compute Agent"
                ),
                (
                    "2026-06-21T05:34:27.727359Z".to_string(),
                    "Operating System"
                ),
            ]
        );
    }

    never_panics!(GitHubActions, GitLabCi);
}
