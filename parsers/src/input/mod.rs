//! What several families share to read their input: the line driver of
//! line-oriented logs, the JSON toolkit of exports and API responses, CSV
//! rows, and identifiers (tickets, incidents, links) found in free text.

pub(crate) mod csv_rows;
pub mod identifiers;
pub mod json;
pub mod lines;
