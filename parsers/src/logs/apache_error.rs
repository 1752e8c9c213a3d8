//! Apache httpd error logs, in the 2.2 layout (`[time] [level] message`) and
//! the 2.4 default layout (`[time] [module:level] [pid N:tid M] message`).

use crate::input::lines::Fields;
use crate::time;
use crate::Level;

/// Apache httpd error log (2.2 and 2.4 default `ErrorLogFormat`).
pub struct ApacheError;

one_record_a_line!(
    ApacheError,
    "apache-error",
    "Apache httpd error log: [Wed Oct 11 14:32:52 2000] [module:level] [pid N] message",
    90,
    parse_line
);

/// Splits `[content]` off the start of `text`, returning the content and
/// the rest with leading blanks removed.
fn bracket(text: &str) -> Option<(&str, &str)> {
    let (content, rest) = text.strip_prefix('[')?.split_once(']')?;
    Some((content, rest.trim_start()))
}

/// Apache's `trace1`…`trace8` are all trace; the other names are the syslog
/// words `Level::from_word` knows.
fn apache_level(word: &str) -> Option<Level> {
    let word = match word.strip_prefix("trace") {
        Some(n) if n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()) => "trace",
        _ => word,
    };
    Level::from_word(word)
}

fn parse_line(line: &str) -> Result<Fields, String> {
    let stamp = line
        .strip_prefix('[')
        .ok_or("line does not start with [time]")?;
    let (time, used) = time::parse_leading(stamp).ok_or("no timestamp inside the first [ ]")?;
    let rest = stamp
        .get(used..)
        .and_then(|r| r.strip_prefix(']'))
        .ok_or("timestamp is not closed by ]")?
        .trim_start();
    let (tag, rest) = bracket(rest).ok_or("no [level] or [module:level] after the time")?;
    let (module, word) = match tag.rsplit_once(':') {
        Some((module, word)) => (Some(module).filter(|m| !m.is_empty()), word),
        None => (None, tag),
    };
    let level = apache_level(word).ok_or_else(|| format!("unknown level {word:?}"))?;
    // The process and thread ids say nothing a timeline reader needs.
    let rest = match bracket(rest) {
        Some((ids, after)) if ids.starts_with("pid ") => after,
        _ => rest,
    };
    let mut fields = Fields::new(time, rest.trim_end());
    fields.level = Some(level);
    fields.service = module.map(str::to_string);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};
    use proptest::prelude::*;

    use super::*;
    use crate::testing::{assert_rejects_text, never_panics, run_str};
    use crate::time::{Precision, TimeValue};
    use crate::Collected;
    use crate::Parser;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> TimeValue {
        let date = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
        let dt: NaiveDateTime = date.and_hms_micro_opt(h, mi, s, micro).unwrap();
        TimeValue::Local(dt)
    }

    // loghub/Apache/Apache_2k.log lines 1, 2 and 132.
    const LOGHUB: &str = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties
[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6
[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/
";

    #[test]
    fn apache_22_lines() {
        let out = run_str(&ApacheError, LOGHUB);
        assert!(out.problems.is_empty());
        let [a, b, c] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.line, Some(1));
        assert_eq!(a.time.value, local(2005, 12, 4, 4, 47, 44, 0));
        assert_eq!(a.time.text, "Sun Dec 04 04:47:44 2005");
        assert_eq!(a.level, Some(Level::Notice));
        assert_eq!(a.host, None);
        assert_eq!(a.service, None);
        assert_eq!(
            a.message,
            "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
        );
        assert_eq!(b.level, Some(Level::Error));
        assert_eq!(b.message, "mod_jk child workerEnv in error state 6");
        assert_eq!(c.line, Some(3));
        assert_eq!(c.time.value, local(2005, 12, 4, 5, 15, 9, 0));
        assert_eq!(
            c.message,
            "[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/"
        );
    }

    #[test]
    fn apache_24_lines_with_module_pid_and_trace_levels() {
        // The 2.4 example from the ErrorLogFormat documentation, then the
        // same line at trace5 and from a module-less (`[:error]`) writer.
        let input = "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico
[Wed Oct 11 14:32:52 2000] [ssl:trace5] [pid 35708:tid 4328636416] ssl_engine_io.c(2135): OpenSSL: read 5/5 bytes
[Wed Oct 11 14:32:52 2000] [:error] [pid 35708] [client 72.15.99.187:5678] PHP Warning:  x
";
        let out = run_str(&ApacheError, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [a, b, c] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(a.time.value, local(2000, 10, 11, 14, 32, 52, 123_456));
        assert_eq!(a.time.precision, Precision::Micro);
        assert_eq!(a.level, Some(Level::Error));
        assert_eq!(a.service.as_deref(), Some("core"));
        assert_eq!(
            a.message,
            "[client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico"
        );
        assert_eq!(b.level, Some(Level::Trace));
        assert_eq!(b.service.as_deref(), Some("ssl"));
        assert_eq!(b.message, "ssl_engine_io.c(2135): OpenSSL: read 5/5 bytes");
        assert_eq!(c.service, None);
        assert_eq!(c.message, "[client 72.15.99.187:5678] PHP Warning:  x");
    }

    #[test]
    fn every_apache_level_is_known() {
        for (word, level) in [
            ("emerg", Level::Critical),
            ("alert", Level::Critical),
            ("crit", Level::Critical),
            ("error", Level::Error),
            ("warn", Level::Warn),
            ("notice", Level::Notice),
            ("info", Level::Info),
            ("debug", Level::Debug),
            ("trace1", Level::Trace),
            ("trace8", Level::Trace),
        ] {
            assert_eq!(apache_level(word), Some(level), "{word}");
        }
        assert_eq!(apache_level("trace10"), None);
    }

    #[test]
    fn bad_lines_are_problems_with_their_numbers() {
        let input = format!(
            "{LOGHUB}[Sun Dec 04 04:47:44 2005] [bogus] x\n[Sun Dec 04 04:47:44 2005 [error] x\nplain text\n[Sun Dec 04 04:47:44 2005] no level\n"
        );
        let out = run_str(&ApacheError, &input);
        assert_eq!(out.records.len(), 3);
        let lines: Vec<_> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(6), Some(7)]);
        assert_eq!(out.problems[0].reason, "unknown level \"bogus\"");
    }

    #[test]
    fn sniff_accepts_error_logs_only() {
        assert_eq!(ApacheError.sniff(LOGHUB.as_bytes()), Some(100));
        assert_rejects_text(
            &ApacheError,
            &[
            "{\"time\":\"2026-01-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"x\"}\n",
            "2026-01-01 10:00:00 INFO x\n",
            "[2026-01-01 10:00:00] production.ERROR: boom {\"exception\":\"x\"}\n",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
            "192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"GET /vmw/cgi/tramp HTTP/1.0\" 200 134 \"-\" \"gPXE/0.9.7\"\n",
            ],
        );
    }

    never_panics!(ApacheError);

    proptest! {
        #[test]
        fn near_error_lines_never_panic(
            line in "\\[(Sun|Wed) Dec 0[0-9] [0-9:.]{8,15} 20[0-9]{2}\\]? ?(\\[[a-z:é0-9 ]{0,12}\\]? ?){0,4}.{0,20}"
        ) {
            let mut out = Collected::default();
            ApacheError.parse(line.as_bytes(), &mut out);
            let _ = ApacheError.sniff(line.as_bytes());
        }
    }
}
