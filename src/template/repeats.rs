//! Exact repeats of a message skip masking and the search.

use std::collections::HashMap;

use super::miner::{Miner, Placement};

/// Longest message [`Repeats`] remembers.
pub(super) const MAX_REPEAT_BYTES: usize = 1024;

/// Messages [`Repeats`] remembers before forgetting all at once.
pub(super) const MAX_REPEATS: usize = 1 << 15;

/// Messages [`Repeats`] lets pass unremembered when its last fill of
/// `MAX_REPEATS` messages saw fewer repeats than one lookup in
/// `MIN_HIT_SHARE`: some logs (HDFS, in Loghub) never repeat a message, and
/// remembering costs them more than it saves.
pub(super) const REST_MESSAGES: u32 = 1 << 18;
const MIN_HIT_SHARE: u64 = 8;

/// Recent messages of a source with their cluster and a fact about them,
/// so that a message repeated word for word is neither masked nor examined
/// again. In real logs most lines repeat an earlier one exactly (in
/// Loghub's samples, over half of the lines for most systems), and masking
/// plus the per-message checks are most of the per-line cost.
#[derive(Debug)]
pub(crate) struct Repeats<T> {
    pub(super) known: HashMap<Box<str>, (Placement, T), foldhash::fast::FixedState>,
    /// Lookups and repeats found since `known` was last emptied.
    lookups: u64,
    hits: u64,
    /// Messages still to pass unremembered.
    pub(super) resting: u32,
}

impl<T> Default for Repeats<T> {
    fn default() -> Self {
        Repeats {
            known: HashMap::default(),
            lookups: 0,
            hits: 0,
            resting: 0,
        }
    }
}

impl<T: Copy> Repeats<T> {
    /// Adds `message` to `miner`; returns its cluster, as [`Miner::add`]
    /// does, and `fact(message)`, computed once per remembered message.
    pub(crate) fn add(
        &mut self,
        miner: &mut Miner,
        message: &str,
        fact: impl Fn(&str) -> T,
    ) -> (usize, T) {
        if self.resting > 0 {
            self.resting -= 1;
            return (miner.add(message), fact(message));
        }
        let remembered = message.len() <= MAX_REPEAT_BYTES;
        if remembered {
            self.lookups += 1;
            if let Some(&(placement, known)) = self.known.get(message) {
                if let Some(cluster) = miner.add_again(placement) {
                    self.hits += 1;
                    return (cluster, known);
                }
            }
        }
        let (cluster, placement) = miner.add_placing(message);
        let value = fact(message);
        if remembered {
            if self.known.len() >= MAX_REPEATS {
                self.known.clear();
                if self.hits * MIN_HIT_SHARE < self.lookups {
                    self.resting = REST_MESSAGES;
                }
                (self.lookups, self.hits) = (0, 0);
            }
            self.known.insert(Box::from(message), (placement, value));
        }
        (cluster, value)
    }
}
