//! factline: builds a cited, UTC post-mortem timeline from incident evidence.
//!
//! Modules form layers; each uses only layers below it (checked by
//! `tests/cli/layers.rs`, whose list is the reference), from the top:
//!
//! - [`app`] runs one command; [`config`] resolves the command line
//!   ([`cli`]) into each stage's settings.
//! - [`render`] and [`audit`]: the outputs.
//! - [`ingest`] (evidence → detected, parsed, normalized, templated events,
//!   written through the store) and [`reconstruct`] (stored events →
//!   timeline entries, key times, people): the two stages over the store,
//!   which do not know each other.
//! - [`store`]: SQLite, the only code that holds SQL; it packs routine lines
//!   into blocks and reads their text back from the evidence.
//! - [`template`] (message templates), [`notable`] (which messages may be
//!   worth a timeline row: ingest flags them, reconstruction ranks them) and
//!   [`evidence`] (finding, opening and re-reading evidence files).
//! - [`model`]: value types several stages share; then [`error`].

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod model;
pub mod notable;
mod prefetch;
pub mod reconstruct;
pub mod render;
pub mod review;
pub mod serve;
pub mod store;
pub mod template;

pub use error::{Error, Result};
