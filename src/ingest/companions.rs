//! Companion files a parser asks for, found beside a source.

use std::collections::HashMap;

use crate::evidence::{LoadJob, Unit};

/// Every discovered piece of evidence by its shown path, for finding the
/// companion files a parser asks for.
pub(super) struct Companions<'a> {
    pub(super) jobs: &'a HashMap<&'a str, &'a LoadJob>,
}

impl Companions<'_> {
    /// Looks for `name` beside the unit, then in each parent folder up to
    /// the evidence root (or the archive root for members).
    pub(super) fn find(&self, unit: &Unit, name: &str) -> Option<(String, Vec<u8>)> {
        let root_len = unit.display.len() - unit.relative.len();
        let mut dir = unit.display.as_str();
        while let Some(cut) = dir.rfind(['/', '!']) {
            let sep = &unit.display[cut..cut + 1];
            dir = &dir[..cut];
            let candidate = format!("{dir}{sep}{name}");
            if let Some(job) = self.jobs.get(candidate.as_str()) {
                return Some((candidate, job.load().ok()?.bytes));
            }
            if dir.len() < root_len {
                break;
            }
        }
        None
    }
}
