use crate::{Parser, RecordSink};

/// Placeholder until the parser lands.
pub struct Logfmt;

impl Parser for Logfmt {
    fn id(&self) -> &str {
        "logfmt"
    }
    fn description(&self) -> &str {
        "todo"
    }
    fn specificity(&self) -> u8 {
        0
    }
    fn sniff(&self, _head: &[u8]) -> Option<u8> {
        None
    }
    fn parse(&self, _input: &[u8], _sink: &mut dyn RecordSink) {}
}
