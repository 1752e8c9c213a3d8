//! Syslog as written to files: classic BSD lines (RFC 3164, also with the
//! ISO 8601 timestamps of rsyslog's high-precision templates) and IETF
//! syslog (RFC 5424).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1, take_while_m_n};
use nom::character::complete::char;
use nom::combinator::{map_res, opt, recognize, verify};
use nom::multi::{many0_count, many1_count};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser as _};
use std::borrow::Cow;

use chrono::{Datelike, NaiveTime, Timelike};

use crate::input::lines::{self, Continuation, Fields};
use crate::time::{self, Precision, TimeValue, Timestamp};
use crate::{Level, Parser, RecordSink};

/// Classic BSD syslog (`Oct 11 22:14:15 host prog[pid]: message`), as in
/// `/var/log/syslog`, `/var/log/messages` and `auth.log`.
pub struct Rfc3164;

/// IETF syslog (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`).
pub struct Rfc5424;

impl Parser for Rfc3164 {
    fn id(&self) -> &str {
        "syslog-rfc3164"
    }

    fn description(&self) -> &str {
        "BSD syslog (RFC 3164): [<PRI>]Mmm dd HH:MM:SS host program[pid]: message"
    }

    fn specificity(&self) -> u8 {
        70
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, true, looks_bsd)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        lines::drive(input, sink, Continuation::JoinIndented, |line| {
            parse_bsd(line).map(Bsd::into_fields)
        });
    }

    fn starts_record(&self, line: &[u8]) -> Option<bool> {
        // Every line but an indented continuation is its own record.
        Some(!line.starts_with(b" ") && !line.starts_with(b"\t"))
    }
}

impl Parser for Rfc5424 {
    fn id(&self) -> &str {
        "syslog-rfc5424"
    }

    fn description(&self) -> &str {
        "IETF syslog (RFC 5424): <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        lines::sniff(head, false, |line| parse_ietf(line).is_ok())
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        lines::drive(input, sink, Continuation::Never, parse_ietf);
    }

    fn starts_record(&self, _line: &[u8]) -> Option<bool> {
        // Every line is its own record.
        Some(true)
    }
}

type Res<'a, T> = IResult<&'a str, T>;

/// `<PRI>`, returning the severity (the low three bits).
fn pri(i: &str) -> Res<'_, u8> {
    let prival = verify(
        map_res(
            take_while_m_n(1, 3, |c: char| c.is_ascii_digit()),
            |d: &str| d.parse::<u8>(),
        ),
        |p: &u8| *p <= 191,
    );
    delimited(char('<'), prival, char('>'))
        .map(|p| p % 8)
        .parse(i)
}

/// A run of non-blank characters: the header fields of both RFCs. RFC 5424
/// asks for printable ASCII, but real senders put UTF-8 host names there.
fn token(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| !c.is_whitespace())(i)
}

/// The next blank-separated word of `text` and what follows it.
fn split_word(text: &str) -> (&str, &str) {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    text.split_at(end)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One parsed BSD syslog line.
struct Bsd<'a> {
    severity: Option<u8>,
    time: Timestamp,
    host: Option<&'a str>,
    program: Option<&'a str>,
    message: String,
}

impl Bsd<'_> {
    fn into_fields(self) -> Fields {
        let klog = Klog::read(&self.message);
        let level = match (&klog, self.severity) {
            // The program's own level is finer than the priority its
            // stderr was forwarded at.
            (Some(klog), _) => Some(klog.level),
            (None, Some(severity)) => Some(Level::from_syslog_severity(severity)),
            (None, None) => Level::from_message_start(&self.message),
        };
        let (time, message) = match klog {
            Some(klog) => (klog.finer(self.time), klog.message.to_string()),
            None => (self.time, self.message),
        };
        let mut fields = Fields::new(time, message);
        fields.level = level;
        fields.host = self.host.map(str::to_string);
        fields.service = self.program.map(str::to_string);
        fields
    }
}

/// A klog header opening a syslog message (`E0429 04:15:01.160066   32157
/// kubelet.go:1277] …`): Kubernetes components write it to stderr, which
/// systemd or a supervisor forwards to syslog. Read here, not by the klog
/// line format, since a line family does not reach the declarative ones.
struct Klog<'a> {
    level: Level,
    month: u32,
    day: u32,
    time: NaiveTime,
    /// `mmdd hh:mm:ss.uuuuuu` as written.
    stamp: &'a str,
    message: &'a str,
}

impl<'a> Klog<'a> {
    fn read(text: &'a str) -> Option<Klog<'a>> {
        let level = match text.as_bytes().first()? {
            b'I' => Level::Info,
            b'W' => Level::Warn,
            b'E' => Level::Error,
            b'F' => Level::Critical,
            _ => return None,
        };
        let stamp = text.get(1..21)?;
        let (date, clock) = stamp.split_at_checked(4)?;
        let month = date.get(..2)?.parse().ok()?;
        let day = date.get(2..)?.parse().ok()?;
        let time = NaiveTime::parse_from_str(clock.strip_prefix(' ')?, "%H:%M:%S%.6f").ok()?;
        // `   32157 kubelet.go:1277] `: the thread id, then the source line.
        let (thread, rest) = split_word(text.get(21..)?.strip_prefix(' ')?.trim_start());
        let (source, message) = rest.strip_prefix(' ')?.split_once("] ")?;
        let valid = thread.bytes().all(|b| b.is_ascii_digit())
            && !source.is_empty()
            && !source.contains(char::is_whitespace)
            && date.bytes().all(|b| b.is_ascii_digit());
        valid.then_some(Klog {
            level,
            month,
            day,
            time,
            stamp,
            message: message.trim(),
        })
    }

    /// The klog time in place of syslog's `time` when both say the same
    /// day and second: syslog's has no fraction, klog's has microseconds.
    fn finer(&self, time: Timestamp) -> Timestamp {
        let same_second = |t: NaiveTime| t == self.time.with_nanosecond(0).unwrap_or(self.time);
        let value = match time.value {
            TimeValue::NoYear {
                month,
                day,
                time: t,
            } if (month, day) == (self.month, self.day) && same_second(t) => TimeValue::NoYear {
                month,
                day,
                time: self.time,
            },
            TimeValue::Local(t)
                if (t.month(), t.day()) == (self.month, self.day) && same_second(t.time()) =>
            {
                TimeValue::Local(t.date().and_time(self.time))
            }
            _ => return time,
        };
        Timestamp {
            value,
            precision: Precision::Micro,
            text: self.stamp.to_string(),
            unknown_zone: false,
        }
    }
}

/// The timestamp of a BSD line: `Mmm dd HH:MM:SS` (maybe with a fraction or
/// a year) or ISO 8601 `YYYY-MM-DDTHH:MM:SS…`. The other forms that
/// `parse_leading` knows (ctime, CLF, a bare time of day) belong to other
/// formats.
fn bsd_time(text: &str) -> Option<(Timestamp, usize)> {
    let b = text.as_bytes();
    let classic = b
        .get(..3)
        .is_some_and(|m| MONTHS.iter().any(|name| name.as_bytes() == m));
    // rsyslog, syslog-ng and journald all write ISO dates with a `T`; a
    // space there is the mark of an application log (`2026-01-01 10:00:00
    // INFO main: …`).
    let iso = b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && b.get(10) == Some(&b'T');
    if !(classic || iso) {
        return None;
    }
    time::parse_leading(text)
}

/// `program[pid]` to `program`; `None` for stray brackets.
fn strip_pid(word: &str) -> Option<&str> {
    let program = match word.strip_suffix(']') {
        Some(with_pid) => {
            let (program, pid) = with_pid.rsplit_once('[')?;
            (!pid.is_empty()).then_some(program)?
        }
        None => word,
    };
    // A bare number is a sequence number (Cisco `12: …`), not a program.
    let valid = !program.contains(['[', ']', ':']) && program.contains(char::is_alphabetic);
    valid.then_some(program)
}

/// Splits a plain tag (`program[pid]:` or `program:`) off the start of
/// `text`, returning the program and the rest of the line.
fn plain_tag(text: &str) -> Option<(&str, &str)> {
    let (word, rest) = split_word(text);
    let program = strip_pid(word.strip_suffix(':')?)?;
    Some((program, rest))
}

/// Like [`plain_tag`], plus the tags that carry a second word, which are only
/// recognised after a host so that a host is never mistaken for a program.
fn tag_after_host(text: &str) -> Option<(&str, Cow<'_, str>)> {
    if let Some((program, rest)) = plain_tag(text) {
        return Some((program, Cow::Borrowed(rest)));
    }
    let (word, rest) = split_word(text);
    let (second, rest) = split_word(rest.strip_prefix(' ')?);
    let second = second.strip_suffix(':')?;
    // sysklogd: `syslogd 1.4.1: restart.`; macOS: `BezelServices 255.10[94]:`.
    let version = match second.strip_suffix(']') {
        Some(with_pid) => with_pid.rsplit_once('[').map_or("", |(v, _)| v),
        None => second,
    };
    if version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        let program = strip_pid(word).filter(|p| p.len() == word.len())?;
        return Some((program, Cow::Borrowed(rest)));
    }
    // macOS launchd and sandboxd name the job after the pid:
    // `sandboxd[129] ([31211]): …`; the job stays in the message.
    if second.starts_with('(') && second.ends_with(')') && word.ends_with(']') {
        let program = strip_pid(word)?;
        return Some((program, Cow::Owned(format!("{second}{rest}"))));
    }
    // macOS applications with blanks in their names: `Google Chrome[35628]:`.
    let close = text.find("]:")?;
    let (candidate, rest) = (text.get(..close + 1)?, text.get(close + 2..)?);
    let (program, pid) = candidate.strip_suffix(']')?.rsplit_once('[')?;
    let plausible = program.split(' ').count() <= 3
        && !program.contains("  ")
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && (rest.is_empty() || rest.starts_with(char::is_whitespace));
    (plausible && strip_pid(program) == Some(program)).then_some((program, Cow::Borrowed(rest)))
}

fn parse_bsd(line: &str) -> Result<Bsd<'_>, String> {
    let (rest, severity) = match pri(line) {
        Ok((rest, severity)) => (rest, Some(severity)),
        Err(_) if line.starts_with('<') => return Err("invalid <PRI> prefix".into()),
        Err(_) => (line, None),
    };
    let (time, used) = bsd_time(rest).ok_or("no syslog timestamp at the start of the line")?;
    let rest = rest.get(used..).unwrap_or_default();
    if rest.trim().is_empty() {
        return Err("nothing after the timestamp".into());
    }
    if !rest.starts_with(char::is_whitespace) {
        return Err(format!(
            "timestamp {:?} runs into the text after it",
            time.text
        ));
    }
    let rest = rest.trim_start();
    // Local syslogd writers may leave out the host: a tag right after the
    // time is taken as the tag, since host names never end with a colon.
    let (host, program, message) = match plain_tag(rest) {
        Some((program, message)) => (None, Some(program), Cow::Borrowed(message)),
        None => {
            let (host, rest) = split_word(rest);
            match tag_after_host(rest.trim_start()) {
                Some((program, message)) => (Some(host), Some(program), message),
                None => (Some(host), None, Cow::Borrowed(rest)),
            }
        }
    };
    Ok(Bsd {
        severity,
        time,
        host,
        program,
        message: message.trim().to_string(),
    })
}

/// A sniff yes needs the whole `time host tag:` shape with a host that is
/// not a level word, so that an application log with a syslog-like time
/// (`Jan 01 10:00:00 INFO main: started`) is not taken for syslog.
fn looks_bsd(line: &str) -> bool {
    let Ok(bsd) = parse_bsd(line) else {
        return false;
    };
    let host_ok = bsd.host.is_some_and(|h| Level::from_word(h).is_none());
    host_ok && bsd.program.is_some()
}

/// `-` is the RFC 5424 nil value.
fn non_nil(field: &str) -> Option<String> {
    (field != "-").then(|| field.to_string())
}

/// SD-NAME: printable ASCII except `=`, space, `]` and `"`.
fn sd_name(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_graphic() && !matches!(c, '=' | ']' | '"'))(i)
}

/// The inside of a quoted PARAM-VALUE, where `\"`, `\\` and `\]` are escaped.
fn param_value(i: &str) -> Res<'_, &str> {
    let mut escaped = false;
    for (at, c) in i.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Ok((&i[at..], &i[..at])),
            _ => {}
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(
        i,
        nom::error::ErrorKind::Char,
    )))
}

/// `[id k="v" ...]`, once or more, or `-`.
fn structured_data(i: &str) -> Res<'_, &str> {
    let param = (
        sd_name,
        char('='),
        delimited(char('"'), param_value, char('"')),
    );
    let element = (
        char('['),
        sd_name,
        many0_count(preceded(char(' '), param)),
        char(']'),
    );
    alt((tag("-"), recognize(many1_count(element)))).parse(i)
}

/// The fixed part of an RFC 5424 line up to and including MSGID.
struct Header<'a> {
    severity: Option<u8>,
    time: &'a str,
    host: &'a str,
    app: &'a str,
}

fn header(i: &str) -> Res<'_, Header<'_>> {
    let version = verify(
        take_while_m_n(1, 3, |c: char| c.is_ascii_digit()),
        |v: &str| !v.starts_with('0'),
    );
    // Some collectors store RFC 5424 in files without `<PRI>VERSION ` but
    // keep the rest of the grammar; without it the level is unknown.
    let (i, severity) = opt(terminated((pri, version), char(' ')))
        .map(|p| p.map(|(severity, _)| severity))
        .parse(i)?;
    // PROCID and MSGID are not record fields; the span keeps them.
    let (i, (time, _, host, _, app, _, _procid, _, _msgid)) = (
        token,
        char(' '),
        token,
        char(' '),
        token,
        char(' '),
        token,
        char(' '),
        token,
    )
        .parse(i)?;
    Ok((
        i,
        Header {
            severity,
            time,
            host,
            app,
        },
    ))
}

/// RFC 5424 timestamps are RFC 3339 with a `T` and a mandatory offset.
fn rfc3339(text: &str) -> Option<Timestamp> {
    let (ts, used) = time::parse_leading(text)?;
    let whole = used == text.len() && text.as_bytes().get(10) == Some(&b'T');
    (whole && matches!(ts.value, TimeValue::Utc(_))).then_some(ts)
}

fn parse_ietf(line: &str) -> Result<Fields, String> {
    let (rest, h) = header(line)
        .map_err(|_| "no RFC 5424 header (<PRI>VERSION TIMESTAMP HOST APP PROCID MSGID)")?;
    if h.severity.is_none() && h.app.ends_with(':') {
        // Without `<PRI>VERSION` only the field layout tells the formats
        // apart, and an APP-NAME ending in a colon is a BSD `prog[pid]:` tag.
        return Err("looks like a BSD syslog tag, not an RFC 5424 APP-NAME".into());
    }
    let time = rfc3339(h.time).ok_or_else(|| {
        format!(
            "timestamp {:?} is not RFC 3339 with an offset (nil timestamps cannot be placed)",
            h.time
        )
    })?;
    let (rest, sd) = rest
        .strip_prefix(' ')
        .and_then(|r| structured_data(r).ok())
        .ok_or("missing or malformed structured data")?;
    let msg = match rest.strip_prefix(' ') {
        Some(msg) => msg.strip_prefix('\u{feff}').unwrap_or(msg).trim(),
        None if rest.is_empty() => "",
        None => return Err("structured data runs into the message".into()),
    };
    let message = if msg.is_empty() && sd != "-" { sd } else { msg };
    let mut fields = Fields::new(time, message);
    fields.level = h.severity.map(Level::from_syslog_severity);
    fields.host = non_nil(h.host);
    fields.service = non_nil(h.app);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::{assert_rejects_text, never_panics, run_str, utc};
    use crate::Collected;

    fn no_year(month: u32, day: u32, h: u32, m: u32, s: u32) -> TimeValue {
        TimeValue::NoYear {
            month,
            day,
            time: NaiveTime::from_hms_opt(h, m, s).unwrap(),
        }
    }

    // loghub/OpenSSH/OpenSSH_2k.log, lines 1-2.
    const OPENSSH: &str = "Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!
Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186
";

    #[test]
    fn openssh_lines_with_pid() {
        let out = run_str(&Rfc3164, OPENSSH);
        assert!(out.problems.is_empty());
        assert_eq!(out.records.len(), 2);
        let r = &out.records[1];
        assert_eq!(r.line, Some(2));
        assert_eq!(r.time.value, no_year(12, 10, 6, 55, 46));
        assert_eq!(r.time.text, "Dec 10 06:55:46");
        assert_eq!(r.level, None);
        assert_eq!(r.host.as_deref(), Some("LabSZ"));
        assert_eq!(r.service.as_deref(), Some("sshd"));
        assert_eq!(r.message, "Invalid user webmaster from 173.234.31.186");
    }

    #[test]
    fn linux_lines_padded_day_odd_tags_and_trailing_blank() {
        // loghub/Linux/Linux_2k.log lines 1, 147 and 899.
        let input = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 
Jun 19 04:09:11 combo syslogd 1.4.1: restart.
Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2
";
        let out = run_str(&Rfc3164, input);
        assert!(out.problems.is_empty());
        let [a, b, c] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.service.as_deref(), Some("sshd(pam_unix)"));
        assert_eq!(
            a.message,
            "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4"
        );
        assert_eq!(b.line, Some(2));
        assert_eq!(b.service.as_deref(), Some("syslogd"));
        assert_eq!(b.message, "restart.");
        assert_eq!(c.time.value, no_year(7, 7, 8, 6, 15));
        assert_eq!(c.host.as_deref(), Some("combo"));
        assert_eq!(c.service.as_deref(), Some("-- root"));
        assert_eq!(c.message, "ROOT LOGIN ON tty2");
    }

    #[test]
    fn macos_tags_with_jobs_versions_and_blanks() {
        // loghub/Mac/Mac_2k.log lines 36, 617 and 1151.
        let input = "Jul  1 09:29:02 calvisitor-10-105-160-95 sandboxd[129] ([31211]): com.apple.Addres(31211) deny network-outbound /private/var/run/mDNSResponder
Jul  3 17:10:11 calvisitor-10-105-160-184 BezelServices 255.10[94]: ASSERTION FAILED: dvcAddrRef != ((void *)0) -[DriverServices getDeviceAddress:] line: 2789
Jul  5 00:21:07 authorMacBook-Pro Google Chrome[35628]: -_continuousScroll is deprecated for NSScrollWheel. Please use -hasPreciseScrollingDeltas.
";
        let out = run_str(&Rfc3164, input);
        assert!(out.problems.is_empty());
        let [a, b, c] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.time.value, no_year(7, 1, 9, 29, 2));
        assert_eq!(a.host.as_deref(), Some("calvisitor-10-105-160-95"));
        assert_eq!(a.service.as_deref(), Some("sandboxd"));
        assert_eq!(
            a.message,
            "([31211]) com.apple.Addres(31211) deny network-outbound /private/var/run/mDNSResponder"
        );
        assert_eq!(b.service.as_deref(), Some("BezelServices"));
        assert_eq!(
            b.message,
            "ASSERTION FAILED: dvcAddrRef != ((void *)0) -[DriverServices getDeviceAddress:] line: 2789"
        );
        assert_eq!(c.line, Some(3));
        assert_eq!(c.host.as_deref(), Some("authorMacBook-Pro"));
        assert_eq!(c.service.as_deref(), Some("Google Chrome"));
        assert_eq!(
            c.message,
            "-_continuousScroll is deprecated for NSScrollWheel. Please use -hasPreciseScrollingDeltas."
        );
    }

    #[test]
    fn numbers_and_hosts_are_not_programs() {
        // A Cisco-style sequence number, and a host followed by a version-like
        // word, which only counts as a tag after a host.
        let out = run_str(
            &Rfc3164,
            "Mar  1 18:46:11 10.1.1.1 12: link down
Mar  1 18:46:11 router 1.2: x
",
        );
        assert_eq!(out.records[0].host.as_deref(), Some("10.1.1.1"));
        assert_eq!(out.records[0].service, None);
        assert_eq!(out.records[0].message, "12: link down");
        assert_eq!(out.records[1].host.as_deref(), Some("router"));
        assert_eq!(out.records[1].service, None);
    }

    #[test]
    fn haproxy_delivered_through_syslog() {
        // haproxy/haproxy.log line 4.
        let line = "Feb 25 16:19:49 192.168.4.2 haproxy[7]: 141.35.244.171:53332 [25/Feb/2019:16:19:48.143] prod_http_in~ bk_admin/nginx_sonst 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 {Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0} {} \"GET /admin/colt/administration?survey=130&input_stats=1&ajax=1&&ajax=1&refresh=1&ihandle=1 HTTP/1.1\"";
        let out = run_str(&Rfc3164, line);
        let r = &out.records[0];
        assert_eq!(r.host.as_deref(), Some("192.168.4.2"));
        assert_eq!(r.service.as_deref(), Some("haproxy"));
        assert!(r.message.starts_with("141.35.244.171:53332 [25/Feb/2019"));
        assert_eq!(r.time.value, no_year(2, 25, 16, 19, 49));
    }

    #[test]
    fn klog_lines_give_their_level_and_microseconds() {
        let out = run_str(
            &Rfc3164,
            "Apr 29 04:15:01 node-7 kubelet[32157]: E0429 04:15:01.160066   32157 kubelet.go:1277] Image garbage collection failed once: unable to find data for container /
<30>Apr 29 04:15:02 node-7 kubelet[32157]: W0429 04:15:02.004100   32157 pod_workers.go:191] Error syncing pod: CrashLoopBackOff
Apr 29 04:15:03 node-7 kubelet[32157]: I0429 04:14:59.999999   32157 server.go:944] Started kubelet
",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [gc, sync, late] = &out.records[..] else {
            panic!("{:?}", out.records);
        };
        assert_eq!(
            gc.time.value,
            TimeValue::NoYear {
                month: 4,
                day: 29,
                time: NaiveTime::from_hms_micro_opt(4, 15, 1, 160_066).unwrap(),
            }
        );
        assert_eq!(gc.time.precision, Precision::Micro);
        assert_eq!(gc.time.text, "0429 04:15:01.160066");
        assert_eq!(gc.level, Some(Level::Error));
        assert_eq!(gc.host.as_deref(), Some("node-7"));
        assert_eq!(gc.service.as_deref(), Some("kubelet"));
        assert_eq!(
            gc.message,
            "Image garbage collection failed once: unable to find data for container /"
        );
        // The program's level over the priority its output was sent at.
        assert_eq!(sync.level, Some(Level::Warn));
        assert_eq!(sync.message, "Error syncing pod: CrashLoopBackOff");
        // Times of different seconds: syslog's stays.
        assert_eq!(late.time.value, no_year(4, 29, 4, 15, 3));
        assert_eq!(late.level, Some(Level::Info));
        assert_eq!(late.message, "Started kubelet");
        // A zoned syslog time keeps its own reading.
        let iso = run_str(
            &Rfc3164,
            "2026-04-29T04:15:01+00:00 node-7 kubelet[1]: E0429 04:15:01.160066 1 a.go:1] x\n",
        );
        assert_eq!(utc(&iso.records[0]), "2026-04-29T04:15:01.000000Z");
        assert_eq!(iso.records[0].level, Some(Level::Error));
    }

    #[test]
    fn untagged_line_keeps_host_and_whole_message() {
        // syslog/bsd_syslog_no_year.log line 4 (tag `sudo:`), then a
        // syslogd "repeated" line, which has no tag.
        let input = "Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6 ; PWD=/auto/wstimstack/rpms/lbuild/test ; USER=root ; COMMAND=/usr/bin/tail /var/log/messages
Nov  3 09:47:05 veridian last message repeated 2 times
";
        let out = run_str(&Rfc3164, input);
        assert_eq!(out.records[0].service.as_deref(), Some("sudo"));
        assert_eq!(
            out.records[0].message,
            "timstack : TTY=pts/6 ; PWD=/auto/wstimstack/rpms/lbuild/test ; USER=root ; COMMAND=/usr/bin/tail /var/log/messages"
        );
        assert_eq!(out.records[1].host.as_deref(), Some("veridian"));
        assert_eq!(out.records[1].service, None);
        assert_eq!(out.records[1].message, "last message repeated 2 times");
    }

    #[test]
    fn pri_gives_the_level_and_iso_times_are_absolute() {
        // RFC 3164 section 5.4 example 1, then a line in rsyslog's
        // high-precision form (made up: the corpus has none).
        let input = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8
<30>2026-01-01T10:00:00.123456+01:00 web1 nginx[812]: worker started
";
        let out = run_str(&Rfc3164, input);
        assert!(out.problems.is_empty());
        let a = &out.records[0];
        assert_eq!(a.level, Some(Level::Critical));
        assert_eq!(a.host.as_deref(), Some("mymachine"));
        assert_eq!(a.service.as_deref(), Some("su"));
        assert_eq!(a.message, "'su root' failed for lonvick on /dev/pts/8");
        let b = &out.records[1];
        assert_eq!(b.level, Some(Level::Info));
        assert_eq!(utc(b), "2026-01-01T09:00:00.123456Z");
        assert_eq!(b.host.as_deref(), Some("web1"));
        assert_eq!(b.service.as_deref(), Some("nginx"));
        assert_eq!(b.message, "worker started");
    }

    #[test]
    fn a_tag_right_after_the_time_means_no_host() {
        let out = run_str(&Rfc3164, "Oct 11 22:14:15 kernel: Linux version 6.1");
        assert_eq!(out.records[0].host, None);
        assert_eq!(out.records[0].service.as_deref(), Some("kernel"));
    }

    #[test]
    fn indented_lines_continue_the_message_above() {
        let input =
            include_bytes!("../../../fixtures/syslog-rfc3164/lnav_macos_syslog_continuation.log");
        assert_eq!(Rfc3164.sniff(input), Some(100));
        let out = crate::testing::run(&Rfc3164, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 7);
        let r = &out.records[2];
        assert_eq!(r.time.value, no_year(8, 16, 0, 32, 15));
        assert_eq!((r.line, r.line_end), (Some(3), Some(5)));
        assert_eq!(r.host.as_deref(), Some("Tims-Air"));
        assert_eq!(r.service.as_deref(), Some("syslogd"));
        assert_eq!(
            r.message,
            "Configuration Notice:\n\tASL Module \"com.apple.cdscheduler\" claims selected messages.\n\tThose messages may not appear in standard system log files or in the ASL database."
        );
        // An unindented line that is not syslog is still a problem.
        let out = run_str(&Rfc3164, &format!("{OPENSSH}not syslog\n"));
        let lines: Vec<_> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3)]);
    }

    #[test]
    fn bad_bsd_lines_are_problems_with_their_numbers() {
        let input = format!(
            "{OPENSSH}not syslog at all\n<999>Dec 10 06:55:46 LabSZ sshd[1]: x\nWed Oct 11 14:32:52 2000 h p: x\nDec 10 06:55:46\n2026-01-01 10:00:00 host prog: x\n"
        );
        let out = run_str(&Rfc3164, &input);
        assert_eq!(out.records.len(), 2);
        let lines: Vec<_> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4), Some(5), Some(6), Some(7)]);
        assert_eq!(out.problems[1].reason, "invalid <PRI> prefix");
        assert_eq!(out.problems[3].reason, "nothing after the timestamp");
    }

    const JSON: &str = "{\"time\":\"2026-01-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"x\"}\n";
    const TEXT: &str = "2026-01-01 10:00:00 INFO foo\n2026-01-01 10:00:01 web1 main: failed\nJan 01 10:00:02 ERROR main: failed\n";
    // syslog/rfc5424_mixed_zones.log, lines 2 and 3.
    const IETF: &str = "2022-08-27T17:22:01.694554+03:00 space01.global-acme.entp CRON 20856 - -  (root) CMD (   /usr/bin/nice -n 10 /opt/acme/bin/mem_usage_monitor.py >/dev/null 2>&1)
2022-08-27T14:22:01.888Z space01.global-acme.entp NSX 4828 SWITCHING [abc@6876 comp=\"abc-edge\" subcomp=\"datapathd\" s2comp=\"neigh\" tname=\"dp-learning3\" level=\"INFO\"] dynamic arp entry(28b18eb1-3575-4179-956b-aae009433d27, 10.12.160.4) is created
";
    const ACCESS: &str = "192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"GET /vmw/cgi/tramp HTTP/1.0\" 200 134 \"-\" \"gPXE/0.9.7\"\n";
    const APACHE: &str = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n";

    #[test]
    fn bsd_sniff_needs_host_and_tag() {
        assert_eq!(Rfc3164.sniff(OPENSSH.as_bytes()), Some(100));
        let iso = "2026-01-01T10:00:00.123456+01:00 web1 nginx[812]: worker started\n";
        assert_eq!(Rfc3164.sniff(iso.as_bytes()), Some(100));
        assert_rejects_text(&Rfc3164, &[JSON, TEXT, IETF, ACCESS, APACHE]);
    }

    #[test]
    fn ietf_lines_without_pri_from_a_real_file() {
        let out = run_str(&Rfc5424, IETF);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let a = &out.records[0];
        assert_eq!(a.line, Some(1));
        assert_eq!(utc(a), "2022-08-27T14:22:01.694554Z");
        assert_eq!(a.level, None);
        assert_eq!(a.host.as_deref(), Some("space01.global-acme.entp"));
        assert_eq!(a.service.as_deref(), Some("CRON"));
        assert_eq!(
            a.message,
            "(root) CMD (   /usr/bin/nice -n 10 /opt/acme/bin/mem_usage_monitor.py >/dev/null 2>&1)"
        );
        let b = &out.records[1];
        assert_eq!(b.line, Some(2));
        assert_eq!(utc(b), "2022-08-27T14:22:01.888000Z");
        assert_eq!(b.service.as_deref(), Some("NSX"));
        assert_eq!(
            b.message,
            "dynamic arp entry(28b18eb1-3575-4179-956b-aae009433d27, 10.12.160.4) is created"
        );
    }

    #[test]
    fn ietf_rfc_examples_with_pri_bom_nil_and_escapes() {
        // RFC 5424 section 6.5 examples 1, 3 and 4 (BOM written as U+FEFF),
        // then an SD-only message with escaped `\]` and `\"`.
        let input = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{feff}'su root' failed for lonvick on /dev/pts/8
<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \u{feff}An application event log entry...
<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]
<11>1 2026-01-01T10:00:00+01:00 - - - - [x@1 a=\"q\\\"b\\]c\"]
";
        let out = run_str(&Rfc5424, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [a, b, c, d] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.level, Some(Level::Critical));
        assert_eq!(utc(a), "2003-10-11T22:14:15.003000Z");
        assert_eq!(a.host.as_deref(), Some("mymachine.example.com"));
        assert_eq!(a.service.as_deref(), Some("su"));
        assert_eq!(a.message, "'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(b.level, Some(Level::Notice));
        assert_eq!(b.service.as_deref(), Some("evntslog"));
        assert_eq!(b.message, "An application event log entry...");
        assert_eq!(c.line, Some(3));
        assert_eq!(
            c.message,
            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]"
        );
        assert_eq!(d.level, Some(Level::Error));
        assert_eq!(d.host, None);
        assert_eq!(d.service, None);
        assert_eq!(utc(d), "2026-01-01T09:00:00.000000Z");
        assert_eq!(d.message, "[x@1 a=\"q\\\"b\\]c\"]");
    }

    #[test]
    fn bad_ietf_lines_are_problems_with_their_numbers() {
        let input = format!(
            "{IETF}<34>1 - host app - - - nil time\n<34>1 2003-10-11T22:14:15 host app - - - no offset\n<34>1 2003-10-11T22:14:15Z host app - - [broken msg\n{OPENSSH}"
        );
        let out = run_str(&Rfc5424, &input);
        assert_eq!(out.records.len(), 2);
        let lines: Vec<_> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4), Some(5), Some(6), Some(7)]);
    }

    #[test]
    fn ietf_sniff_rejects_other_formats() {
        assert_eq!(Rfc5424.sniff(IETF.as_bytes()), Some(100));
        let bsd_iso = "<30>2026-01-01T10:00:00.123456+01:00 web1 nginx[812]: worker started\n2026-01-01T10:00:00+01:00 web1 cron[1]: - - [x] y\n";
        assert_rejects_text(&Rfc5424, &[JSON, TEXT, OPENSSH, bsd_iso, ACCESS, APACHE]);
    }

    never_panics!(Rfc3164, Rfc5424);

    proptest! {
        #[test]
        fn near_syslog_lines_never_panic(
            line in "(<[0-9]{1,3}>)?(1 )?(Dec [ 1][0-9] |2026-01-0[0-9][T ])[0-9:.+Z]{5,16}( [-a-zé\\[\\]:=\"\\\\ ]{0,30}){0,6}"
        ) {
            for parser in [&Rfc3164 as &dyn Parser, &Rfc5424] {
                let mut out = Collected::default();
                parser.parse(line.as_bytes(), &mut out);
                let _ = parser.sniff(line.as_bytes());
            }
        }
    }
}
