//! Web server access logs in the NCSA Common and Combined formats, as
//! written by Apache httpd and nginx.

use std::borrow::Cow;

use crate::input::lines::Fields;
use crate::time;
use crate::Level;

/// Apache/nginx access log: `client ident user [time] "request" status bytes`
/// with optional `"referer" "agent"` and any further trailing fields.
pub struct AccessLog;

one_record_a_line!(
    AccessLog,
    "access-log",
    "Apache/nginx access log (Common/Combined Log Format)",
    90,
    parse_line
);

/// Splits a `"…"` field off the start of `text`, where `\"` and `\\` are
/// escaped (Apache and nginx both escape them), returning the unescaped
/// content and what follows the closing quote.
pub(super) fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = text.strip_prefix('"')?;
    // Most fields have no escape: they are read in place.
    if let Some(end) = memchr::memchr2(b'"', b'\\', body.as_bytes()) {
        if body.as_bytes()[end] == b'"' {
            return Some((Cow::Borrowed(&body[..end]), body.get(end + 1..)?));
        }
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), body.get(at + 1..)?)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                // Other escapes (`\x16`) stay as written: they are evidence.
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return None,
            },
            _ => out.push(c),
        }
    }
    None
}

/// The next space-separated field of `text` and the rest after one space.
pub(super) fn field(text: &str) -> Option<(&str, &str)> {
    let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
    (!word.is_empty()).then_some((word, rest))
}

fn parse_line(line: &str) -> Result<Fields, String> {
    const SHAPE: &str =
        "not an access log line (client ident user [time] \"request\" status bytes)";
    let (client, rest) = field(line).ok_or(SHAPE)?;
    let (_ident, rest) = field(rest).ok_or(SHAPE)?;
    let (_user, rest) = field(rest).ok_or(SHAPE)?;
    let stamp = rest.strip_prefix('[').ok_or(SHAPE)?;
    let (time, used) = time::parse_leading(stamp).ok_or("no timestamp inside [ ]")?;
    let rest = stamp
        .get(used..)
        .and_then(|r| r.strip_prefix("] "))
        .ok_or("timestamp is not closed by `] `")?;
    let (request, rest) = quoted(rest).ok_or("request is not a quoted string")?;
    let (status, rest) = rest
        .strip_prefix(' ')
        .and_then(field)
        .ok_or("no status after the request")?;
    let code = status_code(status)?;
    // Combined adds referer and agent, nginx and custom formats append more
    // (forwarded-for, request time): the summary needs none of them.
    let (bytes, after) = field(rest).ok_or("no byte count after the status")?;
    if bytes != "-" && !bytes.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("byte count {bytes:?} is not a number or -"));
    }

    let mut fields = Fields::new(time, summary(&request, status, bytes, client));
    fields.correlation = trailing_request_id(after);
    fields.level = Some(status_level(code));
    Ok(fields)
}

/// `{request} -> {status} ({bytes} bytes) from {client}`: what a request
/// line of a web server or load balancer says, the same whoever wrote it.
pub(super) fn summary(request: &str, status: &str, bytes: &str, client: &str) -> String {
    let request = if request == "-" || request.is_empty() {
        "(no request)"
    } else {
        request
    };
    // Built in one buffer: this runs once per line of files of millions of
    // lines.
    let mut message =
        String::with_capacity(request.len() + status.len() + bytes.len() + client.len() + 24);
    message.push_str(request);
    message.push_str(" -> ");
    message.push_str(status);
    match bytes {
        "-" => {}
        "1" => message.push_str(" (1 byte)"),
        n => {
            message.push_str(" (");
            message.push_str(n);
            message.push_str(" bytes)");
        }
    }
    message.push_str(" from ");
    message.push_str(client);
    message
}

/// An HTTP status as written: three digits.
pub(super) fn status_code(status: &str) -> Result<u16, String> {
    Some(status)
        .filter(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("status {status:?} is not a three-digit number"))
}

/// The level an HTTP status stands for: the server failed (5xx) or refused
/// the request (4xx).
pub(super) fn status_level(code: u16) -> Level {
    match code {
        500..=599 => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    }
}

/// A request id among the fields after the byte count, which the upstream
/// application logs too: one named so (`rid=…`, `request_id=…`,
/// `x_request_id="…"`, anywhere among them), else an id-like last field
/// (nginx's `$request_id`, 32 hex digits, or a proxy's own).
fn trailing_request_id(after_bytes: &str) -> Option<String> {
    let named = after_bytes.split_ascii_whitespace().find_map(|field| {
        let (key, value) = field.split_once(['=', ':'])?;
        let key = unquoted(key).to_ascii_lowercase().replace('-', "_");
        let value = unquoted(value);
        let id_key = matches!(
            key.as_str(),
            "rid"
                | "reqid"
                | "req_id"
                | "request_id"
                | "requestid"
                | "x_request_id"
                | "trace_id"
                | "traceid"
                | "correlation_id"
        );
        (id_key && value.len() >= 6 && value != "-").then(|| value.to_string())
    });
    if named.is_some() {
        return named;
    }
    let id = unquoted(after_bytes.split_ascii_whitespace().next_back()?);
    let hex = |b: u8| b.is_ascii_hexdigit() || b == b'-';
    let looks_like_id = id.len() >= 8
        && id.bytes().all(hex)
        && id.bytes().any(|b| b.is_ascii_digit())
        && id.bytes().any(|b| b.is_ascii_alphabetic());
    looks_like_id.then(|| id.to_string())
}

fn unquoted(field: &str) -> &str {
    field.trim_matches(|c| c == '"' || c == '\'')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::{assert_rejects_text, never_panics, run_str, utc};
    use crate::time::Precision;
    use crate::Collected;
    use crate::Parser;

    // nginx/lnav_combined_access_small.log, all three lines.
    const SMALL: &str = "192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"GET /vmw/cgi/tramp HTTP/1.0\" 200 134 \"-\" \"gPXE/0.9.7\"
192.168.202.254 - - [20/Jul/2009:22:59:29 +0000] \"GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0\" 404 46210 \"-\" \"gPXE/0.9.7\"
192.168.202.254 - - [20/Jul/2009:22:59:29 +0000] \"GET /vmw/vSphere/default/vmkernel.gz HTTP/1.0\" 200 78929 \"-\" \"gPXE/0.9.7\"
";

    #[test]
    fn combined_lines() {
        let out = run_str(&AccessLog, SMALL);
        assert!(out.problems.is_empty());
        assert_eq!(out.records.len(), 3);
        let r = &out.records[1];
        assert_eq!(r.line, Some(2));
        assert_eq!(utc(r), "2009-07-20T22:59:29.000000Z");
        assert_eq!(r.time.text, "20/Jul/2009:22:59:29 +0000");
        assert_eq!(r.time.precision, Precision::Second);
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.host, None);
        assert_eq!(r.service, None);
        assert_eq!(
            r.message,
            "GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0 -> 404 (46210 bytes) from 192.168.202.254"
        );
        assert_eq!(out.records[2].level, Some(Level::Info));
    }

    #[test]
    fn nginx_extra_field_and_iranian_offset() {
        // nginx/lnav_shop_combined_access_head.log line 17.
        let line = "207.46.13.136 - - [22/Jan/2019:03:56:19 +0330] \"GET /product/14926 HTTP/1.1\" 404 33617 \"-\" \"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)\" \"-\"";
        let out = run_str(&AccessLog, line);
        let r = &out.records[0];
        assert_eq!(utc(r), "2019-01-22T00:26:19.000000Z");
        assert_eq!(
            r.message,
            "GET /product/14926 HTTP/1.1 -> 404 (33617 bytes) from 207.46.13.136"
        );
    }

    #[test]
    fn common_format_nil_request_escaped_quotes_and_5xx() {
        // Apache's documented Common Log Format example, then two lines
        // derived from nginx/lnav_combined_access_small.log line 1: a probe
        // without a request, and a request with an escaped quote.
        let input = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326
192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"-\" 400 - \"-\" \"-\"
192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"GET /vmw/cgi/tr\\\"amp HTTP/1.0\" 502 1 \"-\" \"gPXE/0.9.7\"
";
        let out = run_str(&AccessLog, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [a, b, c] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(a), "2000-10-10T20:55:36.000000Z");
        assert_eq!(
            a.message,
            "GET /apache_pb.gif HTTP/1.0 -> 200 (2326 bytes) from 127.0.0.1"
        );
        assert_eq!(a.level, Some(Level::Info));
        assert_eq!(b.message, "(no request) -> 400 from 192.168.202.254");
        assert_eq!(b.level, Some(Level::Warn));
        assert_eq!(
            c.message,
            "GET /vmw/cgi/tr\"amp HTTP/1.0 -> 502 (1 byte) from 192.168.202.254"
        );
        assert_eq!(c.level, Some(Level::Error));
        assert_eq!(c.line, Some(3));
    }

    #[test]
    fn bad_lines_are_problems_with_their_numbers() {
        let input = format!(
            "{SMALL}garbage\n1.2.3.4 - - [20/Jul/2009:22:59:26 +0000] \"GET / HTTP/1.0 200 5\n1.2.3.4 - - [20/Jul/2009:22:59:26 +0000] \"GET /\" OK 5\n1.2.3.4 - - [yesterday] \"GET /\" 200 5\n"
        );
        let out = run_str(&AccessLog, &input);
        assert_eq!(out.records.len(), 3);
        let lines: Vec<_> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(6), Some(7)]);
    }

    #[test]
    fn sniff_accepts_access_logs_only() {
        assert_eq!(AccessLog.sniff(SMALL.as_bytes()), Some(100));
        assert_rejects_text(
            &AccessLog,
            &[
            "{\"time\":\"2026-01-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"x\"}\n",
            "2026-01-01 10:00:00 INFO x\n",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
            "Feb 25 16:19:49 192.168.4.2 haproxy[7]: 141.35.244.171:53332 [25/Feb/2019:16:19:48.143] prod_http_in~ bk_admin/nginx_sonst 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 {Mozilla/5.0} {} \"GET /admin HTTP/1.1\"\n",
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n",
            ],
        );
    }

    never_panics!(AccessLog);

    proptest! {
        #[test]
        fn near_access_lines_never_panic(
            line in "[0-9.]{1,15} [-a-z]{1,3} [-a-z]{1,3} \\[[0-9]{2}/Jan/20[0-9]{2}:[0-9:. +-]{8,16}\\] \"[-A-Z /é\\\\\"]{0,20}\" [0-9-]{0,4} [0-9-]{0,5}( \"[^\"]{0,10}\"?){0,3}"
        ) {
            let mut out = Collected::default();
            AccessLog.parse(line.as_bytes(), &mut out);
            let _ = AccessLog.sniff(line.as_bytes());
        }
    }

    #[test]
    fn a_request_id_logged_last_is_kept_for_pairing() {
        let line = "203.0.113.75 - - [29/Sep/2026:04:00:00 +0000] \"GET /api/shipping HTTP/1.1\" 200 1836 \"-\" \"Mozilla/5.0\" 0.223 ba6f2453757b";
        let out = run_str(&AccessLog, line);
        assert_eq!(out.records[0].correlation.as_deref(), Some("ba6f2453757b"));
        let plain = run_str(&AccessLog, SMALL);
        assert!(plain.records.iter().all(|r| r.correlation.is_none()));
        // Named, anywhere after the byte count; never from the request.
        let named = [
            (
                "\"-\" \"curl/8\" rid=7391c7f0e1f9e4fa",
                Some("7391c7f0e1f9e4fa"),
            ),
            (
                "\"-\" \"curl/8\" request_id=\"c0ffee-42\" rt=0.004",
                Some("c0ffee-42"),
            ),
            (
                "\"-\" \"curl/8\" X-Request-ID:abc12345 0.004",
                Some("abc12345"),
            ),
            ("\"-\" \"curl/8\" rid=-", None),
        ];
        for (tail, id) in named {
            let line = format!("10.1.0.2 - - [03/Jul/2026:16:00:00 +0000] \"GET /x?rid=feed1234beef HTTP/1.1\" 200 12 {tail}");
            let out = run_str(&AccessLog, &line);
            assert_eq!(out.records[0].correlation.as_deref(), id, "{tail}");
        }
    }
}
