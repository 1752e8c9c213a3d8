//! Message templates: the shape of a message with its variable parts
//! (numbers, ids, addresses, paths, values) written `<*>`, so that repeats
//! of one event share a template and the timeline can collapse them.
//!
//! Two layers:
//!
//! - [`template`] masks one message on its own: tokens that are data
//!   (anything with a digit, long hex, paths, URLs, dates, a number's unit,
//!   the value of `key=value`) become `<*>`.
//! - [`Miner`] learns templates from the messages of one source, in the
//!   Drain/Brain family. Masked messages are grouped by token count and
//!   leading words (Drain's fixed-depth tree) and join the most similar
//!   cluster there, so words that vary between messages of one event
//!   (user names, host names) become `<*>` too. Clusters that prove to be
//!   one event later merge (Brain's idea that constant words recur and
//!   variable ones scatter): when a word turns out to vary, when only
//!   optional values differ, or when many clusters share a long common tail.
//!
//! Everything is deterministic: the result depends only on the messages and
//! their order.

mod hash;
mod mask;
mod miner;
mod repeats;
mod words;

#[cfg(test)]
mod tests;

pub(crate) use hash::{Map, WordHasher};
pub use mask::template;
pub use miner::{mine, Miner};
pub(crate) use repeats::{message_hash, Repeats};
