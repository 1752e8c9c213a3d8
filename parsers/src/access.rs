use crate::{Parser, RecordSink};

/// Placeholder until the parser lands.
pub struct AccessLog;

impl Parser for AccessLog {
    fn id(&self) -> &str {
        "access"
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
