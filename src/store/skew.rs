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

    /// Every fact two sources both recorded: the two sources (the smaller
    /// id first), the first one's time minus the second's, and the fact.
    pub fn shared_facts(&self) -> Result<Vec<(i64, i64, i64, String)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.source_id, b.source_id, a.time - b.time, a.fact FROM source_facts a \
                 JOIN source_facts b ON b.fact = a.fact AND b.source_id > a.source_id \
                 ORDER BY a.source_id, b.source_id, a.fact",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
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
                for table in ["events", "line_blocks", "shifts", "templates", "source_facts"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE source_id = ?1"), [id])?;
                }
                tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
            }
            Ok(())
        })
    }
}
