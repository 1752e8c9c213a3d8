//! Exact repeats of a message skip masking and the search.

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

/// Slots of the table: twice [`MAX_REPEATS`], so that linear probing
/// finds a message or an empty slot within a few.
const SLOTS: usize = 2 * MAX_REPEATS;

/// Bytes before a remembered message's text in `Repeats::texts`: its
/// hash, its entry and its length.
const HEADER: usize = 16;

/// The hash [`Repeats`] files `message` under. Computed where the message
/// was parsed, while it is in that core's cache, and handed over with it.
pub(crate) fn message_hash(message: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(message)
}

/// Recent messages of a source with their cluster and a fact about them,
/// so that a message repeated word for word is neither masked nor examined
/// again. In real logs most lines repeat an earlier one exactly (in
/// Loghub's samples, over half of the lines for most systems), and masking
/// plus the per-message checks are most of the per-line cost.
///
/// Laid out for the cache: a table of 4-byte slots (256 KiB, which stays
/// in cache) pointing into one buffer where each message's hash, entry and
/// text lie together, so that a lookup reads one place outside the cache,
/// which [`Repeats::prefetch`] asks for ahead of time.
#[derive(Debug)]
pub(crate) struct Repeats<T> {
    /// Per slot, the offset + 1 in `texts` of a remembered message, or 0.
    slots: Vec<u32>,
    /// Each remembered message: hash (8 bytes), entry (4), length (4),
    /// text, one after another.
    texts: Vec<u8>,
    /// Each remembered message's placement and fact.
    pub(super) entries: Vec<(Placement, T)>,
    /// Lookups and repeats found since the table was last emptied.
    lookups: u64,
    hits: u64,
    /// Messages still to pass unremembered.
    pub(super) resting: u32,
}

impl<T> Default for Repeats<T> {
    fn default() -> Self {
        Repeats {
            slots: vec![0; SLOTS],
            texts: Vec::new(),
            entries: Vec::new(),
            lookups: 0,
            hits: 0,
            resting: 0,
        }
    }
}

impl<T: Copy> Repeats<T> {
    /// Adds `message`, whose [`message_hash`] is `hash`, to `miner`;
    /// returns its cluster, as [`Miner::add`] does, and `fact(message)`,
    /// computed once per remembered message.
    pub(crate) fn add(
        &mut self,
        miner: &mut Miner,
        message: &str,
        hash: u64,
        fact: impl Fn(&str) -> T,
    ) -> (usize, T) {
        if self.resting > 0 {
            self.resting -= 1;
            return (miner.add(message), fact(message));
        }
        let remembered = message.len() <= MAX_REPEAT_BYTES;
        let mut slot = hash as usize % SLOTS;
        if remembered {
            self.lookups += 1;
            while let Some(at) = self.slots[slot].checked_sub(1) {
                let at = at as usize;
                if self.text_at(at, hash) == Some(message.as_bytes()) {
                    let (placement, known) = self.entries[self.entry_at(at)];
                    if let Some(cluster) = miner.add_again(placement) {
                        self.hits += 1;
                        return (cluster, known);
                    }
                    // The miner forgot where it was: placed anew below,
                    // and remembered with its new placement.
                    let (cluster, placement) = miner.add_placing(message);
                    let value = fact(message);
                    let entry = self.entry_at(at);
                    self.entries[entry] = (placement, value);
                    return (cluster, value);
                }
                slot = (slot + 1) % SLOTS;
            }
        }
        let (cluster, placement) = miner.add_placing(message);
        let value = fact(message);
        if remembered {
            if self.entries.len() >= MAX_REPEATS {
                self.forget();
                slot = hash as usize % SLOTS;
            }
            self.remember(slot, message, hash, (placement, value));
        }
        (cluster, value)
    }

    /// Asks for the memory a lookup of `hash` reads, in two steps: `near`
    /// false for its slot, well ahead; then `near` true for what the slot
    /// points to, once the slot is in the cache.
    pub(crate) fn prefetch(&self, hash: u64, near: bool) {
        let slot = hash as usize % SLOTS;
        if !near {
            crate::prefetch::prefetch(self.slots[slot..].as_ptr().cast());
        } else if let Some(at) = self.slots[slot].checked_sub(1) {
            crate::prefetch::prefetch(self.texts[at as usize..].as_ptr());
        }
    }

    fn remember(&mut self, mut slot: usize, message: &str, hash: u64, entry: (Placement, T)) {
        while self.slots[slot] != 0 {
            slot = (slot + 1) % SLOTS;
        }
        let at = self.texts.len();
        let Ok(offset) = u32::try_from(at + 1) else {
            return;
        };
        self.texts.extend_from_slice(&hash.to_le_bytes());
        self.texts
            .extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        self.texts
            .extend_from_slice(&(message.len() as u32).to_le_bytes());
        self.texts.extend_from_slice(message.as_bytes());
        self.entries.push(entry);
        self.slots[slot] = offset;
    }

    /// Forgets every message, and rests if few repeated.
    fn forget(&mut self) {
        self.slots.fill(0);
        self.texts.clear();
        self.entries.clear();
        if self.hits * MIN_HIT_SHARE < self.lookups {
            self.resting = REST_MESSAGES;
        }
        (self.lookups, self.hits) = (0, 0);
    }

    fn word(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.texts[at..at + 4].try_into().unwrap_or_default())
    }

    fn entry_at(&self, at: usize) -> usize {
        self.word(at + 8) as usize
    }

    /// The text remembered at `at`, if it was filed under `hash`.
    fn text_at(&self, at: usize, hash: u64) -> Option<&[u8]> {
        let filed = u64::from_le_bytes(self.texts[at..at + 8].try_into().ok()?);
        let len = self.word(at + 12) as usize;
        (filed == hash).then(|| &self.texts[at + HEADER..at + HEADER + len])
    }
}
