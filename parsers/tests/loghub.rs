//! Ground truth from Loghub: each of the 16 `<System>_2k.log` samples is
//! detected and parsed as the pipeline would (detection over the built-in
//! parsers on the first 64 KiB), and every record is compared, line by line,
//! with the `<System>_2k.log_structured.csv` that Loghub's authors made for
//! it: the time, and the level, host, component and message where the CSV
//! has them.
//!
//! Expected values are converted from the CSV here, by hand, rather than with
//! the formats' own timestamp formats, so a wrong format cannot agree with
//! itself: zone-less times are compared as naive times, yearless ones as
//! month, day and time, epochs as UTC.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};
use factline_parsers::time::TimeValue;
use factline_parsers::{registry, Collected, Level, Record};

type Row = HashMap<String, String>;

/// Checks one record against its CSV row, returning what differs.
type Check = fn(&Row, &Record) -> Vec<String>;

const HEAD: usize = 64 * 1024;

const DATASETS: &[(&str, &str, Check)] = &[
    ("Android", "android-logcat", android),
    ("Apache", "apache-error", apache),
    ("BGL", "bgl", bgl),
    ("HDFS", "hdfs", hdfs),
    ("HPC", "hpc", hpc),
    ("Hadoop", "log4j", hadoop),
    ("HealthApp", "healthapp", healthapp),
    ("Linux", "syslog-rfc3164", linux),
    ("Mac", "syslog-rfc3164", mac),
    ("OpenSSH", "syslog-rfc3164", openssh),
    ("OpenStack", "openstack", openstack),
    ("Proxifier", "proxifier", proxifier),
    ("Spark", "spark", spark),
    ("Thunderbird", "thunderbird", thunderbird),
    ("Windows", "windows-cbs", windows),
    ("Zookeeper", "log4j", zookeeper),
];

fn col<'a>(row: &'a Row, name: &str) -> &'a str {
    row.get(name)
        .map(|s| s.trim())
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The decimal numbers in `text`, in order (`18:01:47,978` → 18, 1, 47, 978).
fn numbers(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("digits"))
        .collect()
}

/// A fraction written after the seconds, as microseconds (`008` → 8000).
fn fraction_micros(digits: &str) -> u32 {
    let mut padded: String = digits.chars().take(6).collect();
    while padded.len() < 6 {
        padded.push('0');
    }
    padded.parse().expect("digits")
}

fn clock(text: &str) -> NaiveTime {
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((w, f)) => (w, fraction_micros(f)),
        None => (text, 0),
    };
    let n = numbers(whole);
    NaiveTime::from_hms_micro_opt(n[0], n[1], n[2], fraction).expect("valid clock")
}

fn naive(year: i32, month: u32, day: u32, time: NaiveTime) -> TimeValue {
    TimeValue::Local(
        NaiveDate::from_ymd_opt(year, month, day)
            .expect("valid date")
            .and_time(time),
    )
}

/// `2015-10-18` and `18:01:47,978`.
fn naive_iso(date: &str, time: &str) -> TimeValue {
    let d = numbers(date);
    naive(d[0] as i32, d[1], d[2], clock(time))
}

fn month_number(name: &str) -> u32 {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("month {name}")) as u32
        + 1
}

fn no_year(month: u32, day: u32, time: NaiveTime) -> TimeValue {
    TimeValue::NoYear { month, day, time }
}

fn epoch(seconds: &str) -> TimeValue {
    TimeValue::Utc(seconds.parse::<i64>().expect("epoch") * 1_000_000)
}

/// The level each dataset's level words mean, written out independently of
/// `Level::from_word` and the format files.
fn level(word: &str) -> Level {
    match word.to_ascii_uppercase().as_str() {
        "V" => Level::Trace,
        "D" => Level::Debug,
        "I" | "INFO" => Level::Info,
        "NOTICE" => Level::Notice,
        "W" | "WARN" | "WARNING" => Level::Warn,
        "E" | "ERROR" | "SEVERE" | "FAILURE" => Level::Error,
        "F" | "FATAL" => Level::Critical,
        other => panic!("level word {other}"),
    }
}

fn time_is(record: &Record, want: TimeValue, out: &mut Vec<String>) {
    if record.time.value != want {
        out.push(format!("time {:?}, want {want:?}", record.time.value));
    }
}

fn level_is(record: &Record, word: &str, out: &mut Vec<String>) {
    let want = level(word);
    if record.level != Some(want) {
        out.push(format!("level {:?}, want {want:?}", record.level));
    }
}

fn field_is(what: &str, got: &Option<String>, want: &str, out: &mut Vec<String>) {
    if got.as_deref() != Some(want) {
        out.push(format!("{what} {got:?}, want {want:?}"));
    }
}

fn message_is(record: &Record, want: &str, out: &mut Vec<String>) {
    if record.message.trim() != want.trim() {
        out.push(format!("message {:?}, want {want:?}", record.message));
    }
}

fn android(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    let d = numbers(col(row, "Date"));
    time_is(r, no_year(d[0], d[1], clock(col(row, "Time"))), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn apache(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    // `Sun Dec 04 04:47:44 2005`
    let parts: Vec<&str> = col(row, "Time").split_whitespace().collect();
    let want = naive(
        parts[4].parse().expect("year"),
        month_number(parts[1]),
        parts[2].parse().expect("day"),
        clock(parts[3]),
    );
    time_is(r, want, &mut out);
    level_is(r, col(row, "Level"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn bgl(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, epoch(col(row, "Timestamp")), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("host", &r.host, col(row, "Node"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn hdfs(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    // `081109` and `203615`.
    let (d, t) = (col(row, "Date"), col(row, "Time"));
    let n = |s: &str, at: usize| s.get(at..at + 2).and_then(|x| x.parse::<u32>().ok());
    let time = NaiveTime::from_hms_opt(
        n(t, 0).expect("h"),
        n(t, 2).expect("m"),
        n(t, 4).expect("s"),
    )
    .expect("clock");
    let want = naive(
        2000 + n(d, 0).expect("yy") as i32,
        n(d, 2).expect("mm"),
        n(d, 4).expect("dd"),
        time,
    );
    time_is(r, want, &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn hpc(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, epoch(col(row, "Time")), &mut out);
    field_is("host", &r.host, col(row, "Node"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn hadoop(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, naive_iso(col(row, "Date"), col(row, "Time")), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn healthapp(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    // `20171223-22:15:29:606`, fields unpadded: the last is milliseconds.
    let stamp = col(row, "Time");
    let (date, rest) = stamp.split_once('-').expect("date-time");
    let d = |at: usize, len: usize| date.get(at..at + len).and_then(|x| x.parse::<u32>().ok());
    let n = numbers(rest);
    let time = NaiveTime::from_hms_milli_opt(n[0], n[1], n[2], n[3]).expect("clock");
    let want = naive(
        d(0, 4).expect("year") as i32,
        d(4, 2).expect("month"),
        d(6, 2).expect("day"),
        time,
    );
    time_is(r, want, &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn syslog_time(row: &Row, month: &str, day: &str) -> TimeValue {
    no_year(
        month_number(col(row, month)),
        col(row, day).parse().expect("day"),
        clock(col(row, "Time")),
    )
}

/// A syslog tag's program: `syslogd 1.4.1` and `BezelServices 255.10` are a
/// program and its version, which Loghub keeps in its Component column and
/// the syslog parser leaves out of the service name.
fn program(component: &str) -> &str {
    match component.split_once(' ') {
        Some((program, version))
            if version.starts_with(|c: char| c.is_ascii_digit())
                && version.chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            program
        }
        _ => component,
    }
}

fn linux(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, syslog_time(row, "Month", "Date"), &mut out);
    // Loghub's Linux CSV names the host column `Level`.
    field_is("host", &r.host, col(row, "Level"), &mut out);
    field_is(
        "service",
        &r.service,
        program(col(row, "Component")),
        &mut out,
    );
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn mac(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, syslog_time(row, "Month", "Date"), &mut out);
    field_is("host", &r.host, col(row, "User"), &mut out);
    field_is(
        "service",
        &r.service,
        program(col(row, "Component")),
        &mut out,
    );
    // macOS launchd and sandboxd name a job after the pid (`sandboxd[129]
    // ([31211]): …`); Loghub moves it to an `Address` column, the syslog
    // parser keeps it at the start of the message.
    let (job, content) = (col(row, "Address"), col(row, "Content"));
    if job.is_empty() {
        message_is(r, content, &mut out);
    } else {
        message_is(r, &format!("({job}) {content}"), &mut out);
    }
    out
}

fn openssh(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, syslog_time(row, "Date", "Day"), &mut out);
    // Loghub's OpenSSH CSV names the host column `Component`.
    field_is("host", &r.host, col(row, "Component"), &mut out);
    field_is("service", &r.service, "sshd", &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn openstack(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, naive_iso(col(row, "Date"), col(row, "Time")), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn proxifier(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    // `10.30 16:49:06`
    let (date, time) = col(row, "Time").split_once(' ').expect("date and time");
    let d = numbers(date);
    time_is(r, no_year(d[0], d[1], clock(time)), &mut out);
    field_is("service", &r.service, col(row, "Program"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn spark(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    // `17/06/09`: yy/MM/dd.
    let d = numbers(col(row, "Date"));
    time_is(
        r,
        naive(2000 + d[0] as i32, d[1], d[2], clock(col(row, "Time"))),
        &mut out,
    );
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn thunderbird(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, epoch(col(row, "Timestamp")), &mut out);
    field_is("host", &r.host, col(row, "User"), &mut out);
    let (component, content) = (col(row, "Component"), col(row, "Content"));
    match &r.service {
        Some(_) => {
            field_is("service", &r.service, component, &mut out);
            message_is(r, content, &mut out);
        }
        // Loghub splits kernel prose at its first colon (`IA32 emulation
        // $Id: …`, `Kernel command line: …`); such a line has no program
        // tag, so the whole text is the message.
        None => {
            let whole = r.message.trim();
            if !(whole.starts_with(component) && whole.ends_with(content)) {
                out.push(format!(
                    "untagged message {whole:?}, want {component:?}: {content:?}"
                ));
            }
        }
    }
    out
}

fn windows(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, naive_iso(col(row, "Date"), col(row, "Time")), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    field_is("service", &r.service, col(row, "Component"), &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

fn zookeeper(row: &Row, r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    time_is(r, naive_iso(col(row, "Date"), col(row, "Time")), &mut out);
    level_is(r, col(row, "Level"), &mut out);
    // Loghub splits `[thread:Class@line]` at a colon inside the thread
    // name; the class is what follows the last colon.
    let class = col(row, "Component").rsplit(':').next().unwrap_or_default();
    field_is("service", &r.service, class, &mut out);
    message_is(r, col(row, "Content"), &mut out);
    out
}

struct Outcome {
    system: &'static str,
    parser: String,
    records: usize,
    problems: usize,
    time_ok: usize,
    all_ok: usize,
    rows: usize,
    /// The other parsers whose sniff accepts the file too.
    also: Vec<String>,
    first_mismatches: Vec<String>,
}

fn evaluate(system: &'static str, check: Check) -> Outcome {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/loghub")
        .join(system);
    let log = std::fs::read(dir.join(format!("{system}_2k.log"))).expect("log fixture");
    let parsers = registry::builtin();
    let head = &log[..log.len().min(HEAD)];
    let Some(found) = registry::detect(&parsers, head) else {
        return Outcome {
            system,
            parser: "(none)".to_string(),
            records: 0,
            problems: 0,
            time_ok: 0,
            all_ok: 0,
            rows: 0,
            also: Vec::new(),
            first_mismatches: vec!["no parser accepts the file".to_string()],
        };
    };
    let also = parsers
        .iter()
        .filter(|p| p.id() != found.parser.id() && p.sniff(head).is_some())
        .map(|p| format!("{}({})", p.id(), p.specificity()))
        .collect();
    let mut out = Collected::default();
    found.parser.parse(&log, &mut out);

    let mut reader = csv::Reader::from_path(dir.join(format!("{system}_2k.log_structured.csv")))
        .expect("structured csv");
    let headers = reader.headers().expect("header row").clone();
    let rows: Vec<Row> = reader
        .records()
        .map(|r| {
            let r = r.expect("csv row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();

    let by_line: HashMap<u64, &Record> = out
        .records
        .iter()
        .filter_map(|r| Some((r.line?, r)))
        .collect();
    let (mut time_ok, mut all_ok) = (0, 0);
    let mut first_mismatches = Vec::new();
    for row in &rows {
        let line: u64 = col(row, "LineId").parse().expect("LineId");
        let Some(record) = by_line.get(&line) else {
            if first_mismatches.len() < 5 {
                first_mismatches.push(format!("line {line}: no record starts here"));
            }
            continue;
        };
        let diffs = check(row, record);
        if !diffs.iter().any(|d| d.starts_with("time ")) {
            time_ok += 1;
        }
        if diffs.is_empty() {
            all_ok += 1;
        } else if first_mismatches.len() < 5 {
            first_mismatches.push(format!("line {line}: {}", diffs.join("; ")));
        }
    }
    for problem in out.problems.iter().take(3) {
        first_mismatches.push(format!("problem {problem:?}"));
    }
    Outcome {
        system,
        parser: found.parser.id().to_string(),
        records: out.records.len(),
        problems: out.problems.len(),
        time_ok,
        all_ok,
        rows: rows.len(),
        also,
        first_mismatches,
    }
}

#[test]
fn every_loghub_dataset_is_detected_and_matches_its_ground_truth() {
    let mut failures = Vec::new();
    let mut report = String::from(
        "system        parser           records problems  time%   all%  also accepted by\n",
    );
    let mut time_share = 0.0;
    let mut all_share = 0.0;
    for (system, want_parser, check) in DATASETS {
        let o = evaluate(system, *check);
        let pct = |n: usize| 100.0 * n as f64 / o.rows.max(1) as f64;
        time_share += pct(o.time_ok);
        all_share += pct(o.all_ok);
        report.push_str(&format!(
            "{:<13} {:<16} {:>7} {:>8} {:>6.2} {:>6.2}  {}\n",
            o.system,
            o.parser,
            o.records,
            o.problems,
            pct(o.time_ok),
            pct(o.all_ok),
            o.also.join(" ")
        ));
        if o.parser != *want_parser
            || o.records != 2000
            || o.problems != 0
            || o.rows != 2000
            || o.all_ok != o.rows
        {
            failures.push(format!(
                "{system}: detected {} (want {want_parser}), {} records, {} problems, {}/{} rows match\n  {}",
                o.parser,
                o.records,
                o.problems,
                o.all_ok,
                o.rows,
                o.first_mismatches.join("\n  ")
            ));
        }
    }
    let n = DATASETS.len() as f64;
    report.push_str(&format!(
        "mean over {} datasets: time {:.2}%, all fields {:.2}%\n",
        DATASETS.len(),
        time_share / n,
        all_share / n
    ));
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}
