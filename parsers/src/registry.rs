//! The list of built-in parsers and format detection over them.

use crate::Parser;

/// Every built-in parser, in id order.
pub fn builtin() -> Vec<Box<dyn Parser>> {
    let mut all: Vec<Box<dyn Parser>> = vec![
        Box::new(crate::access::AccessLog),
        Box::new(crate::apache_error::ApacheError),
        Box::new(crate::jsonl::JsonLines),
        Box::new(crate::logfmt::Logfmt),
        Box::new(crate::syslog::Rfc3164),
        Box::new(crate::syslog::Rfc5424),
        Box::new(crate::textlog::TextLog),
        // log formats (format-breadth work)
        // paging, alerting and shift parsers
        // ticket parsers
        // chat parsers
    ];
    all.sort_by(|a, b| a.id().cmp(b.id()));
    all
}

/// The outcome of detection for one file.
#[derive(Clone, Copy)]
pub struct Detection<'a> {
    /// The chosen parser.
    pub parser: &'a dyn Parser,
    /// Its sniff confidence in percent.
    pub confidence: u8,
}

/// Picks the parser for a file from its first bytes: among the parsers that
/// accept it, the most specific wins, then the most confident, then the
/// smallest id, so the choice never depends on registration order.
pub fn detect<'a>(parsers: &'a [Box<dyn Parser>], head: &[u8]) -> Option<Detection<'a>> {
    parsers
        .iter()
        .filter_map(|p| {
            p.sniff(head).map(|confidence| Detection {
                parser: p.as_ref(),
                confidence,
            })
        })
        .max_by(|a, b| {
            (a.parser.specificity(), a.confidence)
                .cmp(&(b.parser.specificity(), b.confidence))
                .then_with(|| b.parser.id().cmp(a.parser.id()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sorted() {
        let ids: Vec<String> = builtin().iter().map(|p| p.id().to_string()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
