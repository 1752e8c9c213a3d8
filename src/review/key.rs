//! Stable entry keys. Row ids and entry numbers change whenever the
//! timeline is rebuilt or evidence is added; what a reviewer looked at is
//! the evidence, so a key is made from a cited record: the SHA-256 of its
//! source and its position there.

use sha2::{Digest, Sha256};

use crate::model::{Citation, Entry};

/// Hex digits kept: 64 bits tell apart far more records than one
/// incident has.
const KEY_LEN: usize = 16;

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())[..KEY_LEN].to_string()
}

/// The key of one cited event: its source's hash and its position among
/// that source's events (one record, a ticket row say, can hold several
/// events), both fixed for the same bytes.
pub fn citation_key(c: &Citation) -> String {
    short_hash(&[&c.sha256, &c.seq.to_string()])
}

/// Every key an entry answers to: one per cited record, the first being
/// the entry's own. An entry that gains an earlier citation after more
/// evidence is ingested still answers to the keys its actions were made on.
pub fn entry_keys(e: &Entry) -> Vec<String> {
    if e.evidence.is_empty() {
        let time = e.time.to_string();
        return vec![short_hash(&["entry", &time, &e.summary])];
    }
    e.evidence.iter().map(citation_key).collect()
}

/// The key of a reviewer's added entry.
pub fn manual_key(at: i64, reviewer: &str, text: &str) -> String {
    format!("manual-{}", short_hash(&[&at.to_string(), reviewer, text]))
}
