//! The ranking of parsers that accept the same bytes: detection of a
//! file's format (`registry::detect`) and of the format of a line inside a
//! log-platform record use the same order.

use crate::Parser;

/// Among `parsers`, the one whose sniff accepts `head` that ranks highest
/// (most specific, then most confident, then smallest id, so the choice
/// never depends on the order of the list), with its index and confidence.
pub(crate) fn best_sniff<'a>(
    parsers: impl IntoIterator<Item = &'a dyn Parser>,
    head: &[u8],
) -> Option<(usize, &'a dyn Parser, u8)> {
    parsers
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| p.sniff(head).map(|confidence| (i, p, confidence)))
        .max_by(|(_, a, ca), (_, b, cb)| {
            (a.specificity(), ca)
                .cmp(&(b.specificity(), cb))
                .then_with(|| b.id().cmp(a.id()))
        })
}
