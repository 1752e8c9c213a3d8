//! factline: builds a cited, UTC post-mortem timeline from incident evidence.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod model;
pub mod reconstruct;
pub mod render;
pub mod store;
pub mod template;

pub use error::{Error, Result};
