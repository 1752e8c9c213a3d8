//! End-to-end tests: they run the `factline` binary as a user would.

mod util;

mod audit;
mod browser;
mod crash;
mod docs;
mod draft;
mod events;
mod facts;
mod formats;
mod happenings;
mod hostile;
mod incidents;
mod ingest;
mod layers;
mod mixed;
mod platforms;
mod reconstruct;
mod serve;
mod status;
mod template_ga;
