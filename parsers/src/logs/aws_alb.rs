//! AWS Elastic Load Balancing access logs, as the load balancer writes them
//! to S3, one request a line.
//!
//! - Application Load Balancer: `type time elb client:port target:port
//!   request_processing_time target_processing_time response_processing_time
//!   elb_status_code target_status_code received_bytes sent_bytes "request"
//!   "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id"
//!   "domain_name" "chosen_cert_arn" matched_rule_priority
//!   request_creation_time "actions_executed" "redirect_url" "error_reason"
//!   …`; AWS appends fields over the years, so everything after the trace id
//!   is optional and anything after the error reason is left alone.
//! - Classic Load Balancer: the same up to `ssl_protocol`, without the type
//!   and with the load balancer's bare name.
//!
//! Times are UTC with microseconds. The trace id is the `X-Amzn-Trace-Id`
//! header the load balancer passed to the target, so an application that
//! logs that header pairs its line with the load balancer's.

use super::access::{field, quoted, status_code, status_level, summary};
use crate::input::lines::Fields;
use crate::time::{self, TimeValue};

/// AWS ALB and Classic ELB access logs.
pub struct AwsAlb;

one_record_a_line!(
    AwsAlb,
    "aws-alb",
    "AWS load balancer access logs (Application Load Balancer: type time elb client:port target:port … \"request\" … \"trace_id\"; Classic Load Balancer without the type)",
    90,
    parse_line
);

/// The request types an Application Load Balancer logs first.
const TYPES: [&str; 6] = ["http", "https", "h2", "grpcs", "ws", "wss"];

fn parse_line(line: &str) -> Result<Fields, String> {
    const SHAPE: &str = "not a load balancer access log line ([type] time elb client:port target:port times status status bytes bytes \"request\" …)";
    let (first, rest) = field(line).ok_or(SHAPE)?;
    let (application, (stamp, rest)) = if TYPES.contains(&first) {
        (true, field(rest).ok_or(SHAPE)?)
    } else {
        (false, (first, rest))
    };
    let time = match time::parse_leading(stamp) {
        Some((time, used)) if used == stamp.len() && matches!(time.value, TimeValue::Utc(_)) => {
            time
        }
        _ => return Err(format!("{stamp:?} is not a UTC ISO 8601 time")),
    };
    let (elb, rest) = field(rest).ok_or(SHAPE)?;
    let (client, rest) = field(rest).ok_or(SHAPE)?;
    let (target, rest) = field(rest).ok_or(SHAPE)?;
    let mut rest = rest;
    for _ in 0..3 {
        let (seconds, after) = field(rest).ok_or(SHAPE)?;
        if seconds.parse::<f64>().is_err() {
            return Err(format!("processing time {seconds:?} is not a number"));
        }
        rest = after;
    }
    let (elb_status, rest) = field(rest).ok_or(SHAPE)?;
    // A Classic Load Balancer's TCP listener has no HTTP status.
    let code = match elb_status {
        "-" if !application => None,
        status => Some(status_code(status)?),
    };
    let (target_status, rest) = field(rest).ok_or(SHAPE)?;
    let (_received, rest) = field(rest).ok_or(SHAPE)?;
    let (sent, rest) = field(rest).ok_or(SHAPE)?;
    if !sent.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("sent bytes {sent:?} is not a number"));
    }
    let (request, rest) = quoted(rest).ok_or("request is not a quoted string")?;
    // A connection without a readable request is logged as `"- - - "`.
    let request = if request.trim_matches([' ', '-']).is_empty() {
        "-"
    } else {
        request.as_ref()
    };
    let client_ip = client.rsplit_once(':').map_or(client, |(ip, _port)| ip);

    let mut fields = Fields::new(time, summary(request, elb_status, sent, client_ip));
    fields.level = code.map(status_level);
    // `app/<name>/<id>`: the name is what people call the load balancer.
    fields.host = Some(elb.split('/').nth(1).unwrap_or(elb).to_string());
    for (key, value) in [("target", target), ("target_status", target_status)] {
        if value != "-" {
            fields.attributes.push((key.into(), value.to_string()));
        }
    }
    if application {
        let tail = application_tail(rest).ok_or(SHAPE)?;
        fields.correlation = tail.trace_id;
        if let Some(reason) = tail.error_reason {
            fields.attributes.push(("error_reason".into(), reason));
        }
    }
    Ok(fields)
}

/// What an Application Load Balancer writes after the request that a
/// timeline needs.
struct ApplicationTail {
    trace_id: Option<String>,
    error_reason: Option<String>,
}

/// Reads ` "user_agent" ssl_cipher ssl_protocol target_group_arn
/// "trace_id"` and, when the line goes on that far, the error reason.
fn application_tail(rest: &str) -> Option<ApplicationTail> {
    let given = |value: &str| (value != "-" && !value.is_empty()).then(|| value.to_string());
    let (_agent, rest) = quoted(rest.strip_prefix(' ')?)?;
    let (_cipher, rest) = field(rest.strip_prefix(' ')?)?;
    let (_protocol, rest) = field(rest)?;
    let (_target_group, rest) = field(rest)?;
    let (trace_id, rest) = quoted(rest)?;
    let error_reason = (|| {
        let (_domain, rest) = quoted(rest.strip_prefix(' ')?)?;
        let (_certificate, rest) = quoted(rest.strip_prefix(' ')?)?;
        let (_priority, rest) = field(rest.strip_prefix(' ')?)?;
        let (_created, rest) = field(rest)?;
        let (_actions, rest) = quoted(rest)?;
        let (_redirect, rest) = quoted(rest.strip_prefix(' ')?)?;
        let (reason, _) = quoted(rest.strip_prefix(' ')?)?;
        given(&reason)
    })();
    Some(ApplicationTail {
        trace_id: given(&trace_id),
        error_reason,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::{assert_rejects_text, attr, never_panics, run, run_str, utc};
    use crate::Parser;
    use crate::{Collected, Level};

    const ALB: &[u8] = include_bytes!("../../../fixtures/aws-alb/checkout-alb.log");

    #[test]
    fn application_load_balancer_lines() {
        let out = run(&AwsAlb, ALB);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 5);
        let ok = &out.records[0];
        assert_eq!(utc(ok), "2026-11-20T22:41:02.118204Z");
        assert_eq!(ok.level, Some(Level::Info));
        assert_eq!(ok.host.as_deref(), Some("checkout-prod"));
        assert_eq!(ok.service, None);
        assert_eq!(
            ok.message,
            "GET https://shop.example.com:443/api/cart HTTP/2.0 -> 200 (1342 bytes) from 198.51.100.23"
        );
        assert_eq!(
            ok.correlation.as_deref(),
            Some("Root=1-673e6a7e-5f1c0a2b3c4d5e6f70819203")
        );
        assert_eq!(attr(ok, "target"), Some("10.20.1.15:8080"));
        assert_eq!(attr(ok, "target_status"), Some("200"));

        let timeout = &out.records[2];
        assert_eq!(utc(timeout), "2026-11-20T22:41:39.902311Z");
        assert_eq!(timeout.level, Some(Level::Error));
        assert_eq!(
            timeout.message,
            "POST https://shop.example.com:443/api/checkout HTTP/2.0 -> 504 (0 bytes) from 198.51.100.23"
        );
        assert_eq!(attr(timeout, "target"), Some("10.20.1.15:8080"));
        assert_eq!(attr(timeout, "target_status"), None);
        assert_eq!(attr(timeout, "error_reason"), None);

        // A Lambda target has no address and this request no trace id.
        let lambda = &out.records[3];
        assert_eq!(lambda.level, Some(Level::Error));
        assert_eq!(attr(lambda, "target"), None);
        assert_eq!(attr(lambda, "error_reason"), Some("LambdaUnhandled"));
        assert_eq!(lambda.correlation, None);

        let refused = &out.records[4];
        assert_eq!(refused.level, Some(Level::Warn));
        assert_eq!(
            refused.message,
            "(no request) -> 400 (272 bytes) from 203.0.113.9"
        );
    }

    #[test]
    fn classic_load_balancer_lines() {
        // AWS's documented Classic Load Balancer examples, HTTP then TCP.
        let input = "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.38.0\" - -
2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 \"- - - \" \"-\" - -
";
        let out = run_str(&AwsAlb, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let [http, tcp] = &out.records[..] else {
            panic!("{:?}", out.records)
        };
        assert_eq!(utc(http), "2015-05-13T23:39:43.945958Z");
        assert_eq!(http.host.as_deref(), Some("my-loadbalancer"));
        assert_eq!(http.level, Some(Level::Info));
        assert_eq!(
            http.message,
            "GET http://www.example.com:80/ HTTP/1.1 -> 200 (29 bytes) from 192.168.131.39"
        );
        assert_eq!(tcp.level, None);
        assert_eq!(
            tcp.message,
            "(no request) -> - (305 bytes) from 192.168.131.39"
        );
    }

    #[test]
    fn sniff_accepts_load_balancer_logs_only() {
        assert_eq!(AwsAlb.sniff(ALB), Some(100));
        assert_rejects_text(
            &AwsAlb,
            &[
                "192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] \"GET /vmw/cgi/tramp HTTP/1.0\" 200 134 \"-\" \"gPXE/0.9.7\"\n",
                "2026-01-01T10:00:00.000000Z INFO started\n",
                "http 2026-01-01T10:00:00.000000Z app/x/y not a request\n",
                "{\"time\":\"2026-01-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"x\"}\n",
            ],
        );
    }

    never_panics!(AwsAlb);

    proptest! {
        #[test]
        fn near_load_balancer_lines_never_panic(
            line in "(h2 )?2026-11-20T22:41:0[0-9]\\.[0-9]{6}Z [a-z/]{1,8} [0-9.:]{1,12} [0-9.:-]{1,12}( -?[0-9.]{1,5}){3} [0-9-]{1,3} [0-9-]{1,3} [0-9]{1,3} [0-9-]{1,3} \"[-A-Z /é\\\\\"]{0,12}\"( \"[^\"]{0,6}\"?| [-a-z0-9]{0,4}){0,12}"
        ) {
            let mut out = Collected::default();
            AwsAlb.parse(line.as_bytes(), &mut out);
            let _ = AwsAlb.sniff(line.as_bytes());
        }
    }
}
