//! Identifiers mentioned in free text: one reading for every parser and
//! for the reconstruction, so they agree on what counts as an id.

use std::sync::OnceLock;

use regex::Regex;

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("identifier patterns are valid"))
}

/// Words of ticket-key form that are not ticket keys.
const NOT_TICKET_KEYS: &[&str] = &[
    "UTF", "SHA", "ISO", "RFC", "TLS", "SSL", "HTTP", "HTTPS", "IPV", "MD", "AES", "RSA", "UTC",
    "GMT", "CET", "CEST", "PST", "PDT", "EST", "EDT", "TCP", "UDP", "DNS", "GPL", "AGPL", "LGPL",
    "CC", "BY", "X", "WIN", "COVID", "PEP", "ES", "ECMA", "IEEE", "CVE",
];

/// Adds `id` unless already present.
pub fn push(out: &mut Vec<String>, id: &str) {
    let id = id.trim();
    if !id.is_empty() && !out.iter().any(|x| x == id) {
        out.push(id.to_string());
    }
}

/// URLs, incident numbers (`#4412`, `INC0010001`) and, with
/// `ticket_keys`, ticket keys (`OPS-1842`) mentioned in text, added to `out`
/// once each in order of appearance: what lets several systems' records of
/// one happening be merged.
pub fn mentioned(text: &str, out: &mut Vec<String>, ticket_keys: bool) {
    let mut found: Vec<(usize, String)> = Vec::new();
    collect(text, &mut found, ticket_keys);
    found.sort_by_key(|(at, _)| *at);
    for (_, id) in found {
        push(out, &id);
    }
}

/// Every identifier with its position in `text`.
fn collect(text: &str, out: &mut Vec<(usize, String)>, ticket_keys: bool) {
    static URL: OnceLock<Regex> = OnceLock::new();
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    static SERVICENOW: OnceLock<Regex> = OnceLock::new();
    static KEY: OnceLock<Regex> = OnceLock::new();
    for m in regex(&URL, r#"https?://[^\s<>|"'`\]\)\}]+"#).find_iter(text) {
        let id = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
        out.push((m.start(), id.to_string()));
    }
    for c in regex(&NUMBER, r"(?:^|[^\w&#/=?])#(\d{2,9})\b").captures_iter(text) {
        if let Some(n) = c.get(1) {
            out.push((n.start(), format!("#{}", n.as_str())));
        }
    }
    for m in regex(&SERVICENOW, r"\bINC\d{5,}\b").find_iter(text) {
        out.push((m.start(), m.as_str().to_string()));
    }
    if !ticket_keys {
        return;
    }
    for c in regex(&KEY, r"\b([A-Z][A-Z0-9]{1,9})-(\d{1,7})\b").captures_iter(text) {
        let (Some(project), Some(whole)) = (c.get(1), c.get(0)) else {
            continue;
        };
        if NOT_TICKET_KEYS.contains(&project.as_str()) {
            continue;
        }
        // Part of a longer token (`ABC-12-34`, a version `V2-1.3`) or a URL path
        // segment already kept whole.
        let after = text.get(whole.end()..).and_then(|s| s.chars().next());
        if matches!(after, Some('-') | Some('.'))
            && text
                .get(whole.end() + 1..)
                .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        out.push((whole.start(), whole.as_str().to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_urls_incident_numbers_and_ticket_keys() {
        let mut ids = Vec::new();
        mentioned(
            "Incident #4412 (https://acme.pagerduty.com/incidents/Q1W2E3.) see OPS-1842, not UTF-8 or &#39; #1 x#99",
            &mut ids,
            true,
        );
        assert_eq!(
            ids,
            [
                "#4412",
                "https://acme.pagerduty.com/incidents/Q1W2E3",
                "OPS-1842"
            ]
        );
    }

    #[test]
    fn servicenow_numbers_and_keys_left_out_on_request() {
        let mut ids = Vec::new();
        mentioned("see OPS-1849, INC0010001; step #1.", &mut ids, false);
        assert_eq!(ids, ["INC0010001"]);
    }
}
