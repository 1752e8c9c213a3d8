//! Clock-skew estimates (table `clock_skew`), and dropping the sources a
//! correction makes ingest again.

use rusqlite::params;

use super::{Skew, Store};
use crate::error::Result;

impl Store {
    /// Stores the estimate for the source with this SHA-256, replacing an
    /// earlier one.
    pub fn save_skew(&mut self, sha256: &str, skew: &Skew) -> Result<()> {
        self.in_transaction(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO clock_skew (sha256, seconds, pairs, spread, reference, applied, note) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    sha256,
                    skew.seconds,
                    skew.pairs,
                    skew.spread,
                    skew.reference,
                    skew.applied,
                    skew.note
                ],
            )?;
            Ok(())
        })
    }

    /// Removes sources and everything stored from them, so they can be
    /// ingested again with corrected times. Saved timelines may cite them:
    /// they are dropped too, and rebuilt by the next `timeline`.
    pub fn forget_sources(&mut self, ids: &[i64]) -> Result<()> {
        self.in_transaction(|tx| {
            for table in ["timeline_evidence", "timeline_key_times", "timeline_entries", "timeline_runs"] {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            for id in ids {
                tx.execute(
                    "DELETE FROM template_minutes WHERE template_id IN (SELECT id FROM templates WHERE source_id = ?1)",
                    [id],
                )?;
                for table in ["events", "line_blocks", "shifts", "templates"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE source_id = ?1"), [id])?;
                }
                tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
            }
            Ok(())
        })
    }
}
