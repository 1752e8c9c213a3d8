//! Message templates: the shape of a message with its variable parts
//! (numbers, ids, addresses, hex) masked as `<*>`, so repeated log lines
//! that differ only in those parts collapse into one timeline entry.
//!
//! This is the first, token-masking step of the Drain/Brain family; the
//! reconstruction work grows it into a miner that also groups by token
//! structure.

/// Longest template kept: the shape of a message is in its first words.
const MAX_TEMPLATE_CHARS: usize = 400;

/// The template of a message: its first line with variable tokens masked.
pub fn template(message: &str) -> String {
    let first_line = message.lines().next().unwrap_or("");
    let mut out = String::with_capacity(first_line.len().min(MAX_TEMPLATE_CHARS));
    for token in first_line.split_whitespace() {
        let masked = mask_token(token);
        if masked == "<*>" && out.ends_with("<*>") {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&masked);
        if out.len() >= MAX_TEMPLATE_CHARS {
            break;
        }
    }
    out
}

fn mask_token(token: &str) -> String {
    // key=value: the key is structure, the value is data.
    if let Some((key, value)) = token.split_once('=') {
        if !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        {
            return format!("{key}={}", mask_token(value));
        }
    }
    let is_edge = |c: char| {
        matches!(
            c,
            '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\'' | ',' | ';' | ':' | '.' | '<' | '>'
        )
    };
    let core = token.trim_matches(is_edge);
    if core.is_empty() || !is_variable(core) {
        return token.to_string();
    }
    let start = token.find(core).unwrap_or(0);
    format!("{}<*>{}", &token[..start], &token[start + core.len()..])
}

fn is_variable(core: &str) -> bool {
    let has_digit = core.bytes().any(|b| b.is_ascii_digit());
    // Long hex strings without digits are rare but exist ("deadbeefcafe").
    let long_hex = core.len() >= 8 && core.bytes().all(|b| b.is_ascii_hexdigit());
    has_digit || long_hex
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn masks_numbers_ids_addresses_and_values() {
        assert_eq!(
            template("connection to 10.0.3.7:5432 refused after 3000ms (attempt 3)"),
            "connection to <*> refused after <*> (attempt <*>)"
        );
        assert_eq!(
            template("deploy started version=2.14.0 sha=9f1c2ab env=prod"),
            "deploy started version=<*> sha=<*> env=prod"
        );
        assert_eq!(
            template("request a3f9c2d4-1b2c-4d5e-8f90-123456789abc failed"),
            "request <*> failed"
        );
    }

    #[test]
    fn same_shape_same_template_and_stack_traces_do_not_split_it() {
        assert_eq!(
            template("pool exhausted: 50/50 in use"),
            template("pool exhausted: 49/50 in use")
        );
        assert_eq!(
            template("boom id=1\n  at x.y(Z.java:10)"),
            template("boom id=2\n  at q.r(S.java:99)")
        );
        assert_ne!(template("disk full"), template("disk ok"));
    }
}
