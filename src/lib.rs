//! factline: builds a cited, UTC post-mortem timeline from incident evidence.
//!
//! The stages, each depending only on those before it:
//! [`evidence`] (find and read) → [`ingest`] (detect, parse in parallel,
//! [`normalize`] times, [`template`]) → [`store`] (SQLite) → [`timeline`]
//! (reconstruct) → [`render`] and [`audit`]; [`recall`] reads back from the
//! evidence the text the store does not copy. [`cli`] and [`config`] turn the
//! command line into settings; [`app`] runs a command.

pub mod app;
pub mod audit;
pub mod blocks;
pub mod cli;
pub mod config;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod normalize;
pub mod notable;
pub mod people;
pub mod recall;
pub mod render;
pub mod store;
pub mod template;
pub mod timeline;

pub use error::{Error, Result};
