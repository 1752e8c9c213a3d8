//! Time-quality flags: how a UTC time was obtained (docs/time.md).

/// How a time was obtained, as flags (docs/time.md). Empty means explicit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quality(u8);

impl Quality {
    /// Naive time read as UTC because no zone was given.
    pub const ASSUMED_TZ: Quality = Quality(1);
    /// Year not written: taken from the file's modification time or from
    /// the dates the other evidence writes.
    pub const INFERRED_YEAR: Quality = Quality(2);
    /// Date taken from nearby records or the modification time.
    pub const INFERRED_DATE: Quality = Quality(4);
    /// A local time that occurs twice (fall back).
    pub const AMBIGUOUS_LOCAL: Quality = Quality(8);
    /// A local time that does not exist (spring forward), shifted by the gap.
    pub const NONEXISTENT_LOCAL: Quality = Quality(16);
    /// Corrected by `--offset`.
    pub const SKEW_ADJUSTED: Quality = Quality(32);
    /// Written with a zone word no one defines (`…313913FOO`): read in the
    /// source's assumed zone.
    pub const UNKNOWN_ZONE: Quality = Quality(64);
    /// Corrected by a clock offset estimated from facts other sources also
    /// record (`--skew auto`).
    pub const SKEW_ESTIMATED: Quality = Quality(128);

    const NAMES: [(Quality, &'static str); 8] = [
        (Quality::ASSUMED_TZ, "assumed-tz"),
        (Quality::INFERRED_YEAR, "inferred-year"),
        (Quality::INFERRED_DATE, "inferred-date"),
        (Quality::AMBIGUOUS_LOCAL, "ambiguous-local"),
        (Quality::NONEXISTENT_LOCAL, "nonexistent-local"),
        (Quality::SKEW_ADJUSTED, "skew-adjusted"),
        (Quality::UNKNOWN_ZONE, "unknown-zone"),
        (Quality::SKEW_ESTIMATED, "skew-estimated"),
    ];

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Quality) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Quality) {
        self.0 |= other.0;
    }

    /// The flag names, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        Quality::NAMES
            .iter()
            .filter(|(q, _)| self.contains(*q))
            .map(|(_, n)| *n)
            .collect()
    }

    /// The flags as bits, as line blocks store them.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Flags from [`Quality::bits`]; bits that name no flag are dropped.
    pub fn from_bits(bits: u8) -> Quality {
        Quality(bits & Quality::NAMES.iter().fold(0, |all, (q, _)| all | q.0))
    }

    /// Comma-separated names, as stored in the database.
    pub fn to_text(self) -> String {
        self.names().join(",")
    }

    /// Reads the stored text back.
    pub fn from_text(text: &str) -> Quality {
        let mut q = Quality::default();
        for part in text.split(',') {
            if let Some((flag, _)) = Quality::NAMES.iter().find(|(_, n)| *n == part) {
                q.insert(*flag);
            }
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_text_round_trips() {
        let mut q = Quality::default();
        q.insert(Quality::ASSUMED_TZ);
        q.insert(Quality::SKEW_ADJUSTED);
        assert_eq!(q.to_text(), "assumed-tz,skew-adjusted");
        assert_eq!(Quality::from_text(&q.to_text()), q);
        assert_eq!(Quality::from_text(""), Quality::default());
    }
}
