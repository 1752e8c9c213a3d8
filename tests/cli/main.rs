//! End-to-end tests: they run the `factline` binary as a user would.

mod util;

mod audit;
mod browser;
mod crash;
mod docs;
mod draft;
mod events;
mod formats;
mod hostile;
mod ingest;
mod layers;
mod mixed;
mod serve;
mod template_ga;
