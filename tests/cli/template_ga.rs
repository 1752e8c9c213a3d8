//! The template miner's grouping accuracy on Loghub stays up: the example's
//! harness, run as a test.

#[path = "../../examples/template_ga/loghub.rs"]
mod loghub;
