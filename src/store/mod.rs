//! The SQLite store, the only code that holds SQL: schema and migrations
//! (`schema`), the single writer used by ingest (`write`), the read
//! queries the other commands share (`read`), saved timelines
//! (`timeline`), and routine log lines packed into blocks ([`blocks`],
//! `lines`). The tables are documented in docs/database.md.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

pub mod blocks;
mod lines;
mod read;
mod review;
mod rows;
mod schema;
mod skew;
mod timeline;
mod write;

pub use rows::{
    EventRow, Incoming, NewEvent, NewSource, Shift, Skew, SourceEnd, SourceRow, SourceTotals,
    Written,
};

use crate::error::{Error, Result};
use schema::TIME_INDEX;

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Filters for event listings.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// At or after, UTC microseconds.
    pub from: Option<i64>,
    /// At or before.
    pub to: Option<i64>,
    /// Only events that may be notable (see `src/notable/`).
    pub notable_only: bool,
}

/// What is stored of the sources already ingested ([`Store::known_sources`]).
#[derive(Debug, Default)]
pub struct KnownSources {
    /// Their SHA-256s.
    pub hashes: std::collections::HashSet<String>,
    /// Their sizes.
    pub sizes: std::collections::HashSet<u64>,
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        store
            .conn
            .execute_batch(TIME_INDEX)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// Opens an existing database; a missing one is a usage error, not a
    /// new empty database, so a mistyped `--db` is noticed.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Usage(format!(
                "no database at {}: run `factline ingest EVIDENCE...` first, or pass --db",
                path.display()
            )));
        }
        Store::open(path)
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }

    /// The path of an already stored source with this SHA-256.
    pub fn source_with_hash(&self, sha256: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT path FROM sources WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every stored SHA-256 (to skip known evidence before parsing it), and
    /// every stored size (evidence of another size is no copy of any
    /// source, so it may be hashed as it is parsed).
    pub fn known_sources(&self) -> Result<KnownSources> {
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, bytes FROM sources")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut known = KnownSources::default();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let sha256: String = row.get(0).map_err(|e| self.err(e))?;
            let bytes: i64 = row.get(1).map_err(|e| self.err(e))?;
            known.hashes.insert(sha256);
            known.sizes.insert(bytes as u64);
        }
        Ok(known)
    }

    /// Runs `work` in one transaction (used to store a reconstructed
    /// timeline atomically).
    fn in_transaction<T>(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db_error(&path, e))?;
        let out = work(&tx).map_err(|e| db_error(&path, e))?;
        tx.commit().map_err(|e| db_error(&path, e))?;
        Ok(out)
    }
}

/// The span covering both.
fn widest(one: Option<(i64, i64)>, other: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (one, other) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (one, other) => one.or(other),
    }
}

fn db_error(path: &Path, source: rusqlite::Error) -> Error {
    Error::Database {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::schema::MIGRATIONS;
    use super::*;

    /// A database written by schema v2 (messages copied) keeps its events,
    /// their messages and the timeline rows citing them when opened.
    #[test]
    fn a_v2_database_migrates_with_its_events_and_citations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..2] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch(
                "PRAGMA user_version = 2;
                 INSERT INTO sources VALUES (1, 'app.log', '/gone/app.log', NULL, 'ab', 10, 'text-log', 90,
                     'log', 'UTC', 1, 0, '[]', 5, 5, '', NULL);
                 INSERT INTO templates VALUES (1, 1, 'disk <*> full');
                 INSERT INTO events (id, source_id, seq, time, time_text, precision, time_quality, line, line_end,
                     locator, byte_start, byte_end, lossy_utf8, kind, level, message, template_id, chatter, notable)
                     VALUES (7, 1, 0, 5, '10:00', 's', '', 1, 1, NULL, 0, 10, 0, 'log', 'warn', 'disk 91% full',
                     1, 0, 1);
                 INSERT INTO timeline_runs VALUES (1, '{}', 'test', 0, 9, 1, 0);
                 INSERT INTO timeline_evidence VALUES (1, 1, 0, 7);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let mut listed = Vec::new();
        store
            .each_event(&EventFilter::default(), |e| {
                listed.push((e.id, e.message, e.template));
                Ok(())
            })
            .unwrap();
        assert_eq!(
            listed,
            [(
                Some(7),
                "disk 91% full".to_string(),
                "disk <*> full".to_string()
            )]
        );
        let cited: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM timeline_evidence t JOIN events e \
                 ON e.id = t.event_id AND e.source_id = t.source_id AND e.seq = t.seq",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(cited, 1);
        let problems: i64 = store
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(problems, 0);
    }
}
