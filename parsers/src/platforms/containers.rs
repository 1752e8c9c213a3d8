//! Container log files as the runtimes write them on a node, each line
//! wrapping the line the program wrote: the CRI format of containerd and
//! CRI-O (`/var/log/pods/…`, `/var/log/containers/*.log`:
//! `2026-11-20T09:58:12.431234567Z stderr F <line>`) and Docker's
//! `json-file` driver (`{"log":"<line>\n","stream":"stderr","time":"…"}`).
//!
//! The runtime's time is when it read the line, in UTC to the nanosecond;
//! the line inside is read by the parser of its own format ([`InnerLines`]:
//! a JSON or logfmt app log gives its level and message). A line the
//! runtime split (CRI's `P` tag, a Docker chunk without its newline) is
//! joined with the parts that follow it into one event.

use std::borrow::Cow;

use serde::Deserialize;

use super::InnerLines;
use crate::input::lines::{self, Line};
use crate::record::{Problem, Record, RecordSink};
use crate::time::{self, TimeValue, Timestamp};
use crate::{Context, Parser};

/// containerd / CRI-O log files.
pub struct CriLog;

/// Docker `json-file` log files.
pub struct DockerJsonLog;

/// One line of the runtime's file: its time, stream, the part of the
/// program's line it carries, and whether that line goes on in the next.
struct Part<'a> {
    time: Timestamp,
    stream: &'static str,
    text: Cow<'a, str>,
    continued: bool,
}

/// A program's line being put together from its parts.
struct Joined<'a> {
    first: Line<'a>,
    last: Line<'a>,
    time: Timestamp,
    stream: String,
    text: String,
    lossy: bool,
}

/// Who wrote the file: the runtime, and the pod's container when the
/// kubelet's path names it.
struct Writer<'p> {
    system: &'static str,
    pod: Option<Pod<'p>>,
}

/// A container as the kubelet's log paths name it.
#[derive(Debug, PartialEq)]
struct Pod<'p> {
    name: &'p str,
    namespace: &'p str,
    container: &'p str,
}

/// The pod, namespace and container a kubelet's log path names:
/// `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`, or
/// `/var/log/containers/<pod>_<namespace>_<container>-<id>.log` (the
/// symlinks beside them, often what is collected).
fn pod_of(path: &str) -> Option<Pod<'_>> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?.strip_suffix(".log")?;
    let parent = parts.next();
    let grandparent = parts.next();
    let name_part = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    };
    // /var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log
    if let (Some(container), Some(pod_dir)) = (parent, grandparent) {
        let fields: Vec<&str> = pod_dir.split('_').collect();
        if file.bytes().all(|b| b.is_ascii_digit())
            && fields.len() == 3
            && fields.iter().all(|f| name_part(f))
            && name_part(container)
        {
            return Some(Pod {
                name: fields[1],
                namespace: fields[0],
                container,
            });
        }
    }
    // /var/log/containers/<pod>_<namespace>_<container>-<id>.log
    let fields: Vec<&str> = file.split('_').collect();
    let [name, namespace, container_id] = fields[..] else {
        return None;
    };
    let container = container_id
        .rsplit_once('-')
        .filter(|(_, id)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or(container_id, |(container, _)| container);
    [name, namespace, container]
        .iter()
        .all(|f| name_part(f))
        .then_some(Pod {
            name,
            namespace,
            container,
        })
}

/// Reads every line of `input` with `read_part`, joins the parts of split
/// lines and hands each whole line to the inner-line reader.
fn parse_parts(
    input: &[u8],
    sink: &mut dyn RecordSink,
    writer: &Writer<'_>,
    read_part: impl for<'t> Fn(&'t str) -> Result<Part<'t>, String>,
) {
    let mut inner = InnerLines::default();
    let mut open: Option<Joined<'_>> = None;
    for line in lines::split(input) {
        if let Some(too_long) = lines::over_limit(&line) {
            sink.problem(too_long);
            continue;
        }
        let (text, lossy) = lines::text(line.bytes);
        if text.trim().is_empty() {
            continue;
        }
        let part = match read_part(&text) {
            Ok(part) => part,
            Err(reason) => {
                sink.problem(Problem {
                    line: Some(line.number),
                    locator: None,
                    reason,
                });
                continue;
            }
        };
        let joined = match open.take() {
            Some(mut joined) if joined.stream == part.stream => {
                joined.text.push_str(&part.text);
                joined.last = line.clone();
                joined.lossy |= lossy;
                joined
            }
            earlier => {
                // A split line whose end never came is still an event.
                if let Some(earlier) = earlier {
                    sink.record(finish(earlier, writer, &mut inner));
                }
                Joined {
                    first: line.clone(),
                    last: line.clone(),
                    time: part.time,
                    stream: part.stream.to_string(),
                    text: part.text.into_owned(),
                    lossy,
                }
            }
        };
        if part.continued {
            open = Some(joined);
        } else {
            sink.record(finish(joined, writer, &mut inner));
        }
    }
    if let Some(joined) = open {
        sink.record(finish(joined, writer, &mut inner));
    }
}

fn finish(joined: Joined<'_>, writer: &Writer<'_>, inner: &mut InnerLines) -> Record {
    let span = joined.first.start..joined.last.start + joined.last.bytes.len();
    let mut record = Record::log(joined.first.number, span, joined.time, String::new());
    record.line_end = Some(joined.last.number);
    record.lossy_utf8 = joined.lossy;
    record.system = Some(writer.system.into());
    if !joined.stream.is_empty() {
        record
            .attributes
            .push(("stream".into(), joined.stream.clone()));
    }
    let line = joined.text.trim_end_matches(['\n', '\r']);
    if !inner.apply(&mut record, line) {
        record.message = line.to_string();
    }
    if let Some(pod) = &writer.pod {
        // The container names the service unless the line names its own.
        if record.service.is_none() {
            record.service = Some(pod.container.to_string());
        }
        record.attributes.push(("pod".into(), pod.name.to_string()));
        record
            .attributes
            .push(("namespace".into(), pod.namespace.to_string()));
    }
    record
}

/// The runtime's own time: RFC 3339 with its zone, as both runtimes write.
fn runtime_time(text: &str) -> Option<Timestamp> {
    time::text_time(text).filter(|t| matches!(t.value, TimeValue::Utc(_)))
}

/// `TIME STREAM TAG LINE`: TAG `F` ends the program's line, `P` is a part.
fn read_cri(text: &str) -> Result<Part<'_>, String> {
    let mut fields = text.splitn(4, ' ');
    let (Some(stamp), Some(stream), Some(tag)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err("not a CRI log line: expected time, stream, tag".to_string());
    };
    let time = runtime_time(stamp).ok_or_else(|| format!("unreadable CRI time {stamp:?}"))?;
    let stream = match stream {
        "stdout" => "stdout",
        "stderr" => "stderr",
        _ => return Err(format!("unknown CRI stream {stream:?}")),
    };
    // Tags may carry more flags after `:`; only the first says full/partial.
    let continued = match tag.split(':').next() {
        Some("F") => false,
        Some("P") => true,
        _ => return Err(format!("unknown CRI tag {tag:?}")),
    };
    Ok(Part {
        time,
        stream,
        text: fields.next().unwrap_or("").into(),
        continued,
    })
}

/// One line of a `json-file` log.
#[derive(Deserialize)]
struct DockerLine<'a> {
    #[serde(borrow)]
    log: Cow<'a, str>,
    #[serde(default, borrow)]
    stream: Option<Cow<'a, str>>,
    #[serde(borrow)]
    time: Cow<'a, str>,
}

fn read_docker(text: &str) -> Result<Part<'_>, String> {
    let line: DockerLine =
        serde_json::from_str(text).map_err(|e| format!("not a json-file log line: {e}"))?;
    let time = runtime_time(&line.time)
        .ok_or_else(|| format!("unreadable json-file time {:?}", line.time))?;
    let stream = match line.stream.as_deref() {
        Some("stdout") => "stdout",
        Some("stderr") => "stderr",
        _ => "",
    };
    Ok(Part {
        time,
        stream,
        continued: !line.log.ends_with('\n'),
        text: line.log,
    })
}

impl Parser for CriLog {
    fn id(&self) -> &str {
        "cri-log"
    }

    fn description(&self) -> &str {
        "Container logs in the CRI format of containerd and CRI-O (time stream F|P line), the line inside read by its own format"
    }

    fn specificity(&self) -> u8 {
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, false, |line| read_cri(line).is_ok())
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        self.parse_in(input, &Context::default(), sink);
    }

    fn parse_in(&self, input: &[u8], context: &Context<'_>, sink: &mut dyn RecordSink) {
        let writer = Writer {
            system: "container runtime",
            pod: pod_of(context.path),
        };
        parse_parts(input, sink, &writer, read_cri);
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line may start one, unless the line before it is a part.
        Some(true)
    }

    fn continues_after(&self, line: &[u8]) -> bool {
        read_cri(&lines::text(line).0).is_ok_and(|part| part.continued)
    }
}

impl Parser for DockerJsonLog {
    fn id(&self) -> &str {
        "docker-json"
    }

    fn description(&self) -> &str {
        "Docker json-file container logs ({\"log\", \"stream\", \"time\"} per line), the line inside read by its own format"
    }

    fn specificity(&self) -> u8 {
        // Above `jsonl`, which would read the runtime's record, not the line.
        85
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, false, |line| read_docker(line).is_ok())
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let writer = Writer {
            system: "Docker",
            pod: None,
        };
        parse_parts(input, sink, &writer, read_docker);
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        Some(true)
    }

    fn continues_after(&self, line: &[u8]) -> bool {
        read_docker(&lines::text(line).0).is_ok_and(|part| part.continued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, run_str, utc};
    use crate::Level;

    #[test]
    fn the_kubelet_path_names_pod_namespace_and_container() {
        let pod = |name, namespace, container| {
            Some(Pod {
                name,
                namespace,
                container,
            })
        };
        assert_eq!(
            pod_of(
                "var/log/pods/prod_api-5d8f7-abcde_3f2a1b7c-9d1e-4c3b-8a2f-1e2d3c4b5a69/api/0.log"
            ),
            pod("api-5d8f7-abcde", "prod", "api")
        );
        assert_eq!(
            pod_of("containers/api-5d8f7-abcde_prod_api-1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988.log"),
            pod("api-5d8f7-abcde", "prod", "api")
        );
        assert_eq!(
            pod_of("checkout-7d9f-x2k4q_prod_checkout-0.log"),
            pod("checkout-7d9f-x2k4q", "prod", "checkout")
        );
        assert_eq!(pod_of("app.log"), None);
        assert_eq!(pod_of("logs/Some_Other_File.log"), None);
        // Read with its path, a line gets the container as its service
        // (unless it names its own) and the pod beside it.
        let line =
            "2026-09-02T07:08:00.123456789Z stdout F {\"level\":\"error\",\"msg\":\"heap full\"}\n";
        let mut out = crate::record::Collected::default();
        let context = Context {
            path: "var/log/containers/api-5d8f7-abcde_prod_api-0.log",
            ..Context::default()
        };
        CriLog.parse_in(line.as_bytes(), &context, &mut out);
        let r = &out.records[0];
        assert_eq!(r.service.as_deref(), Some("api"));
        assert_eq!(attr(r, "pod"), Some("api-5d8f7-abcde"));
        assert_eq!(attr(r, "namespace"), Some("prod"));
    }

    #[test]
    fn cri_lines_with_app_logs_inside_and_split_lines_joined() {
        let text = concat!(
            "2026-11-20T09:58:12.431234567Z stdout F {\"level\":\"error\",\"msg\":\"db pool exhausted\",\"request_id\":\"r-1\"}\n",
            "2026-11-20T09:58:12.500000000Z stderr P panic: runtime error: \n",
            "2026-11-20T09:58:12.500000100Z stderr F invalid memory address\n",
            "2026-11-20T09:58:13.000000000Z stdout F listening on :8080\n",
            "not a cri line\n",
        );
        assert_eq!(CriLog.sniff(text.as_bytes()), Some(80));
        let out = run_str(&CriLog, text);
        let r = &out.records;
        assert_eq!(r.len(), 3);
        assert_eq!(utc(&r[0]), "2026-11-20T09:58:12.431234Z");
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].message, "db pool exhausted");
        assert_eq!(r[0].correlation.as_deref(), Some("r-1"));
        assert_eq!(attr(&r[0], "stream"), Some("stdout"));
        assert_eq!(r[1].message, "panic: runtime error: invalid memory address");
        assert_eq!((r[1].line, r[1].line_end), (Some(2), Some(3)));
        assert_eq!(r[2].message, "listening on :8080");
        assert_eq!(out.problems[0].line, Some(5));
    }

    #[test]
    fn docker_json_file_lines() {
        let text = concat!(
            "{\"log\":\"2026-11-20 09:58:12 ERROR db timeout\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-20T09:58:12.431234567Z\"}\n",
            "{\"log\":\"level=warn msg=\\\"slow query\\\" \",\"stream\":\"stdout\",\"time\":\"2026-11-20T09:58:13Z\"}\n",
            "{\"log\":\"took=3s\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-20T09:58:13.000001Z\"}\n",
        );
        assert_eq!(DockerJsonLog.sniff(text.as_bytes()), Some(100));
        let out = run_str(&DockerJsonLog, text);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records;
        assert_eq!(r.len(), 2);
        // The runtime's zoned time wins over the line's naive one.
        assert_eq!(utc(&r[0]), "2026-11-20T09:58:12.431234Z");
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(attr(&r[0], "line_time"), Some("2026-11-20 09:58:12"));
        assert_eq!(r[1].level, Some(Level::Warn));
        assert_eq!(r[1].message, "slow query took=3s");
    }

    #[test]
    fn sniffs_reject_other_formats() {
        let others = [
            "{\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            "2026-01-01T10:00:00Z host app: message\n",
            "2026-01-01 10:00:00 stdout F x\n",
        ];
        assert_rejects_text(&CriLog, &others);
        assert_rejects_text(&DockerJsonLog, &others);
    }

    never_panics!(CriLog, DockerJsonLog);
}
