use crate::{Parser, RecordSink};

/// Placeholder until the parser lands.
pub struct Rfc3164;
/// Placeholder until the parser lands.
pub struct Rfc5424;

impl Parser for Rfc3164 {
    fn id(&self) -> &str {
        "syslog-rfc3164"
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

impl Parser for Rfc5424 {
    fn id(&self) -> &str {
        "syslog-rfc5424"
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
