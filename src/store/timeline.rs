//! Saved timelines (docs/database.md): the tables `timeline` and `audit`
//! read, and users' SQL can.

use rusqlite::{params, OptionalExtension};

use super::Store;
use crate::error::Result;
use crate::model::Timeline;

impl Store {
    /// Stores a timeline under `options`, the settings that built it,
    /// replacing the rows an earlier build with the same options left, so
    /// `timeline`, `audit` and users' SQL read the same facts.
    pub fn save_timeline(&mut self, options: &str, t: &Timeline) -> Result<()> {
        self.in_transaction(|tx| {
            let old: Option<i64> = tx
                .query_row("SELECT id FROM timeline_runs WHERE options = ?1", [options], |r| r.get(0))
                .optional()?;
            if let Some(run) = old {
                for table in ["timeline_evidence", "timeline_key_times", "timeline_entries"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [run])?;
                }
                tx.execute("DELETE FROM timeline_runs WHERE id = ?1", [run])?;
            }
            tx.execute(
                "INSERT INTO timeline_runs (options, generator, window_start, window_end, events_in_window, left_out) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    options,
                    format!("factline {}", env!("CARGO_PKG_VERSION")),
                    t.window_start,
                    t.window_end,
                    t.events_in_window as i64,
                    t.left_out as i64
                ],
            )?;
            let run = tx.last_insert_rowid();
            let mut entry = tx.prepare(
                "INSERT INTO timeline_entries (run_id, id, time, last_time, occurrences, phase, kind, level, summary, \
                 actor, verification, time_quality) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut evidence = tx.prepare(
                "INSERT INTO timeline_evidence (run_id, entry_id, ordinal, source_id, seq, event_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in &t.entries {
                entry.execute(params![
                    run,
                    e.id as i64,
                    e.time,
                    e.last_time,
                    e.occurrences as i64,
                    e.phase.as_str(),
                    e.kind,
                    e.level,
                    e.summary,
                    e.actor,
                    e.verification.as_str(),
                    e.time_quality.to_text(),
                ])?;
                for (i, ev) in e.evidence.iter().enumerate() {
                    evidence.execute(params![
                        run,
                        e.id as i64,
                        i as i64,
                        ev.source_id,
                        ev.seq,
                        ev.event_id
                    ])?;
                }
            }
            let k = &t.key_times;
            for slot in k.named() {
                if let Some(kt) = slot.time {
                    tx.execute(
                        "INSERT INTO timeline_key_times (run_id, name, time, entry_id, basis) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![run, slot.name, kt.time, kt.entry as i64, kt.basis],
                    )?;
                }
            }
            Ok(())
        })
    }
}
