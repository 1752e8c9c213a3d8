//! The parsers on real exports, one test binary: samples copied into
//! `fixtures/` where their licence allows, the others read in place from
//! `../shared/corpus` (see `outside`).

mod outside;
mod util;

mod chat;
mod incidents;
mod logs;
mod platforms;
mod tickets;
