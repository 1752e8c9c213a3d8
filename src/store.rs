//! The SQLite store: schema and migrations, the single writer used by
//! ingest, and the read queries the other commands share. The tables are
//! documented for `sqlite3` users in the README.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::normalize::Quality;

/// Forward migrations; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,
    file          TEXT NOT NULL,
    member        TEXT,
    sha256        TEXT NOT NULL UNIQUE,
    bytes         INTEGER NOT NULL,
    parser        TEXT NOT NULL,
    confidence    INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    tz            TEXT NOT NULL,
    events        INTEGER NOT NULL,
    rejected      INTEGER NOT NULL,
    rejected_lines TEXT NOT NULL,
    first_time    INTEGER,
    last_time     INTEGER,
    time_quality  TEXT NOT NULL,
    mtime         INTEGER
);
CREATE TABLE templates (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id),
    seq          INTEGER NOT NULL,
    time         INTEGER NOT NULL,
    time_text    TEXT NOT NULL,
    precision    TEXT NOT NULL,
    time_quality TEXT NOT NULL,
    kind         TEXT NOT NULL,
    level        TEXT,
    actor        TEXT,
    host         TEXT,
    service      TEXT,
    message      TEXT NOT NULL,
    template_id  INTEGER NOT NULL REFERENCES templates(id)
);
CREATE TABLE provenance (
    event_id   INTEGER PRIMARY KEY REFERENCES events(id),
    line       INTEGER,
    line_end   INTEGER,
    locator    TEXT NOT NULL,
    byte_start INTEGER NOT NULL,
    byte_end   INTEGER NOT NULL,
    raw        TEXT NOT NULL,
    lossy_utf8 INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events(time, source_id, seq);
CREATE INDEX events_by_source ON events(source_id, seq);
"#,
    r#"
ALTER TABLE events ADD COLUMN system TEXT;
ALTER TABLE events ADD COLUMN human INTEGER;
ALTER TABLE events ADD COLUMN chatter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN identifiers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
CREATE TABLE shifts (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    person    TEXT NOT NULL,
    email     TEXT,
    role      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL
);
CREATE INDEX shifts_by_time ON shifts(start, end);
"#,
    r#"
CREATE TABLE timeline_runs (
    id               INTEGER PRIMARY KEY,
    options          TEXT NOT NULL UNIQUE,
    generator        TEXT NOT NULL,
    window_start     INTEGER,
    window_end       INTEGER,
    events_in_window INTEGER NOT NULL,
    left_out         INTEGER NOT NULL
);
CREATE TABLE timeline_entries (
    run_id       INTEGER NOT NULL REFERENCES timeline_runs(id),
    id           INTEGER NOT NULL,
    time         INTEGER NOT NULL,
    last_time    INTEGER,
    occurrences  INTEGER NOT NULL,
    phase        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    level        TEXT,
    summary      TEXT NOT NULL,
    actor        TEXT,
    verification TEXT NOT NULL,
    time_quality TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE timeline_evidence (
    run_id   INTEGER NOT NULL REFERENCES timeline_runs(id),
    entry_id INTEGER NOT NULL,
    ordinal  INTEGER NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events(id),
    PRIMARY KEY (run_id, entry_id, ordinal)
);
CREATE TABLE timeline_key_times (
    run_id   INTEGER NOT NULL REFERENCES timeline_runs(id),
    name     TEXT NOT NULL,
    time     INTEGER NOT NULL,
    entry_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
);
"#,
];

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One source as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Row id.
    pub id: i64,
    /// Path as shown.
    pub path: String,
    /// File on disk.
    pub file: String,
    /// Archive member path.
    pub member: Option<String>,
    /// SHA-256 of the bytes as ingested.
    pub sha256: String,
    /// Size as ingested.
    pub bytes: i64,
    /// Parser id.
    pub parser: String,
    /// Detection confidence in percent (100 when forced).
    pub confidence: i64,
    /// Event kind of most records.
    pub kind: String,
    /// Zone used for naive times.
    pub tz: String,
    /// Events stored.
    pub events: i64,
    /// Lines or records rejected.
    pub rejected: i64,
    /// JSON list of the first rejected lines: `[{"line", "locator", "reason"}]`.
    pub rejected_lines: String,
    /// First event time.
    pub first_time: Option<i64>,
    /// Last event time.
    pub last_time: Option<i64>,
    /// Union of the events' time-quality flags.
    pub time_quality: Quality,
}

/// One event as stored, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Row id.
    pub id: i64,
    /// Source row id.
    pub source_id: i64,
    /// Source path as shown.
    pub source: String,
    /// Source SHA-256.
    pub sha256: String,
    /// Parser id.
    pub parser: String,
    /// Position in the source.
    pub seq: i64,
    /// UTC microseconds.
    pub time: i64,
    /// Time-quality flags.
    pub time_quality: Quality,
    /// First line.
    pub line: Option<i64>,
    /// Human-readable position.
    pub locator: String,
    /// Kind.
    pub kind: String,
    /// Level.
    pub level: Option<String>,
    /// Actor.
    pub actor: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Message.
    pub message: String,
    /// Template id.
    pub template_id: i64,
    /// Template text.
    pub template: String,
    /// Raw evidence text.
    pub raw: String,
    /// Recording product or tool.
    pub system: Option<String>,
    /// Written by a person, a system, or unknown.
    pub human: Option<bool>,
    /// Left out of the draft.
    pub chatter: bool,
    /// Identifiers it carries.
    pub identifiers: Vec<String>,
    /// Further facts.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl EventRow {
    /// An attribute's text.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(|v| v.as_str())
    }
}

/// An event ready to be written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// UTC microseconds.
    pub time: i64,
    /// Original time text.
    pub time_text: String,
    /// Precision name.
    pub precision: &'static str,
    /// Flags.
    pub quality: Quality,
    /// First line.
    pub line: Option<u64>,
    /// Last line.
    pub line_end: Option<u64>,
    /// Position text.
    pub locator: String,
    /// Kind.
    pub kind: &'static str,
    /// Level.
    pub level: Option<&'static str>,
    /// Actor.
    pub actor: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Message.
    pub message: String,
    /// Template text.
    pub template: String,
    /// Byte range in the source.
    pub byte_range: (u64, u64),
    /// Raw text.
    pub raw: String,
    /// Invalid UTF-8 replaced.
    pub lossy_utf8: bool,
    /// Recording product or tool.
    pub system: Option<String>,
    /// Written by a person (true), a system (false), unknown (None).
    pub human: Option<bool>,
    /// Stored, left out of the draft.
    pub chatter: bool,
    /// JSON array of identifiers.
    pub identifiers: String,
    /// JSON object of attributes.
    pub attributes: String,
}

/// An on-call shift: who held which role when.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// The person as the shift record names them.
    pub person: String,
    /// Their e-mail, when known.
    pub email: Option<String>,
    /// The role ("primary on-call").
    pub role: String,
    /// Start, UTC microseconds.
    pub start: i64,
    /// End, UTC microseconds.
    pub end: i64,
}

/// A source ready to be written (its row without the id and the counts that
/// the writer derives from its events).
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Path as shown.
    pub path: String,
    /// File on disk.
    pub file: String,
    /// Archive member path.
    pub member: Option<String>,
    /// SHA-256.
    pub sha256: String,
    /// Size.
    pub bytes: u64,
    /// Parser id.
    pub parser: String,
    /// Confidence.
    pub confidence: u8,
    /// Kind.
    pub kind: &'static str,
    /// Zone name.
    pub tz: String,
    /// Rejected count.
    pub rejected: u64,
    /// JSON list of the first rejected lines.
    pub rejected_lines: String,
    /// Modification time.
    pub mtime: Option<i64>,
    /// Shifts its records describe.
    pub shifts: Vec<Shift>,
}

const EVENT_COLUMNS: &str = "e.id, e.source_id, s.path, s.sha256, s.parser, e.seq, e.time, e.time_quality, \
     p.line, p.locator, e.kind, e.level, e.actor, e.host, e.service, e.message, e.template_id, t.text, p.raw, \
     e.system, e.human, e.chatter, e.identifiers, e.attributes";

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        source_id: r.get(1)?,
        source: r.get(2)?,
        sha256: r.get(3)?,
        parser: r.get(4)?,
        seq: r.get(5)?,
        time: r.get(6)?,
        time_quality: Quality::from_text(&r.get::<_, String>(7)?),
        line: r.get(8)?,
        locator: r.get(9)?,
        kind: r.get(10)?,
        level: r.get(11)?,
        actor: r.get(12)?,
        host: r.get(13)?,
        service: r.get(14)?,
        message: r.get(15)?,
        template_id: r.get(16)?,
        template: r.get(17)?,
        raw: r.get(18)?,
        system: r.get(19)?,
        human: r.get(20)?,
        chatter: r.get(21)?,
        identifiers: serde_json::from_str(&r.get::<_, String>(22)?).unwrap_or_default(),
        attributes: serde_json::from_str(&r.get::<_, String>(23)?).unwrap_or_default(),
    })
}

/// Filters for event listings.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// At or after, UTC microseconds.
    pub from: Option<i64>,
    /// At or before.
    pub to: Option<i64>,
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

    fn migrate(&self) -> Result<()> {
        let c = &self.conn;
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| self.err(e))?;
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::Usage(format!(
                "{} was written by a newer factline (schema {version}); upgrade factline",
                self.path.display()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let batch = format!("BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;", i + 1);
            c.execute_batch(&batch).map_err(|e| self.err(e))?;
        }
        Ok(())
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

    /// Every stored SHA-256 (to skip known evidence before parsing it).
    pub fn known_hashes(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT sha256 FROM sources")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Writes one source and all its events in one transaction, so an
    /// interrupted run leaves either the whole source or none of it.
    pub fn insert_source(&mut self, source: &NewSource, events: &[NewEvent]) -> Result<i64> {
        let path = self.path.clone();
        let e = |err| db_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let mut quality = Quality::default();
        for ev in events {
            quality.insert(ev.quality);
        }
        let first = events.iter().map(|e| e.time).min();
        let last = events.iter().map(|e| e.time).max();
        tx.execute(
            "INSERT INTO sources (path, file, member, sha256, bytes, parser, confidence, kind, tz, events, \
             rejected, rejected_lines, first_time, last_time, time_quality, mtime) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                source.path,
                source.file,
                source.member,
                source.sha256,
                source.bytes as i64,
                source.parser,
                source.confidence,
                source.kind,
                source.tz,
                events.len() as i64,
                source.rejected as i64,
                source.rejected_lines,
                first,
                last,
                quality.to_text(),
                source.mtime,
            ],
        )
        .map_err(e)?;
        let source_id = tx.last_insert_rowid();
        {
            let mut find_template = tx
                .prepare_cached("SELECT id FROM templates WHERE text = ?1")
                .map_err(e)?;
            let mut add_template = tx
                .prepare_cached("INSERT INTO templates (text) VALUES (?1)")
                .map_err(e)?;
            let mut add_event = tx
                .prepare_cached(
                    "INSERT INTO events (source_id, seq, time, time_text, precision, time_quality, kind, \
                     level, actor, host, service, message, template_id, system, human, chatter, identifiers, \
                     attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                     ?17, ?18)",
                )
                .map_err(e)?;
            let mut add_provenance = tx
                .prepare_cached(
                    "INSERT INTO provenance (event_id, line, line_end, locator, byte_start, byte_end, raw, \
                     lossy_utf8) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(e)?;
            let mut templates = std::collections::HashMap::<&str, i64>::new();
            for (seq, ev) in events.iter().enumerate() {
                let template_id = match templates.get(ev.template.as_str()) {
                    Some(id) => *id,
                    None => {
                        let id = match find_template
                            .query_row([&ev.template], |r| r.get(0))
                            .optional()
                            .map_err(e)?
                        {
                            Some(id) => id,
                            None => {
                                add_template.execute([&ev.template]).map_err(e)?;
                                tx.last_insert_rowid()
                            }
                        };
                        templates.insert(&ev.template, id);
                        id
                    }
                };
                add_event
                    .execute(params![
                        source_id,
                        seq as i64,
                        ev.time,
                        ev.time_text,
                        ev.precision,
                        ev.quality.to_text(),
                        ev.kind,
                        ev.level,
                        ev.actor,
                        ev.host,
                        ev.service,
                        ev.message,
                        template_id,
                        ev.system,
                        ev.human,
                        ev.chatter,
                        ev.identifiers,
                        ev.attributes,
                    ])
                    .map_err(e)?;
                let event_id = tx.last_insert_rowid();
                add_provenance
                    .execute(params![
                        event_id,
                        ev.line.map(|l| l as i64),
                        ev.line_end.map(|l| l as i64),
                        ev.locator,
                        ev.byte_range.0 as i64,
                        ev.byte_range.1 as i64,
                        ev.raw,
                        ev.lossy_utf8,
                    ])
                    .map_err(e)?;
            }
        }
        {
            let mut add_shift = tx
                .prepare_cached(
                    "INSERT INTO shifts (source_id, person, email, role, start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for sh in &source.shifts {
                add_shift
                    .execute(params![
                        source_id, sh.person, sh.email, sh.role, sh.start, sh.end
                    ])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(source_id)
    }

    /// Every source, by path.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, path, file, member, sha256, bytes, parser, confidence, kind, tz, events, rejected, \
                 rejected_lines, first_time, last_time, time_quality FROM sources ORDER BY path, sha256",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceRow {
                    id: r.get(0)?,
                    path: r.get(1)?,
                    file: r.get(2)?,
                    member: r.get(3)?,
                    sha256: r.get(4)?,
                    bytes: r.get(5)?,
                    parser: r.get(6)?,
                    confidence: r.get(7)?,
                    kind: r.get(8)?,
                    tz: r.get(9)?,
                    events: r.get(10)?,
                    rejected: r.get(11)?,
                    rejected_lines: r.get(12)?,
                    first_time: r.get(13)?,
                    last_time: r.get(14)?,
                    time_quality: Quality::from_text(&r.get::<_, String>(15)?),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Runs `work` in one transaction (used to store a reconstructed
    /// timeline atomically).
    pub fn in_transaction<T>(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| db_error(&path, e))?;
        let out = work(&tx).map_err(|e| db_error(&path, e))?;
        tx.commit().map_err(|e| db_error(&path, e))?;
        Ok(out)
    }

    /// Every stored shift, by start.
    pub fn shifts(&self) -> Result<Vec<Shift>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT person, email, role, start, end FROM shifts ORDER BY start, role, person",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Shift {
                    person: r.get(0)?,
                    email: r.get(1)?,
                    role: r.get(2)?,
                    start: r.get(3)?,
                    end: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The span of the events that mark an incident's activity: alerts,
    /// tickets, chat and deploys that are not chatter; failing those,
    /// warnings and worse.
    pub fn activity_span(&self) -> Result<Option<(i64, i64)>> {
        let span = |sql: &str| {
            self.conn
                .query_row(sql, [], |r| {
                    Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
                })
                .map_err(|e| self.err(e))
        };
        let human = span(
            "SELECT min(time), max(time) FROM events WHERE kind IN ('alert', 'ticket', 'chat', 'deploy') AND chatter = 0",
        )?;
        let found = match human {
            (Some(a), Some(b)) => Some((a, b)),
            _ => match span("SELECT min(time), max(time) FROM events WHERE level IN ('warn', 'error', 'critical')")? {
                (Some(a), Some(b)) => Some((a, b)),
                _ => match span("SELECT min(time), max(time) FROM events")? {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => None,
                },
            },
        };
        Ok(found)
    }

    /// Events in UTC order (time, then source path, then position), using
    /// the time index for the range; `visit` sees each in turn so callers
    /// can stream millions of rows.
    pub fn each_event(
        &self,
        filter: &EventFilter,
        mut visit: impl FnMut(EventRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e \
             JOIN sources s ON s.id = e.source_id \
             JOIN provenance p ON p.event_id = e.id \
             JOIN templates t ON t.id = e.template_id \
             WHERE e.time >= ?1 AND e.time <= ?2 \
             ORDER BY e.time, s.path, e.seq"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query(params![
                filter.from.unwrap_or(i64::MIN),
                filter.to.unwrap_or(i64::MAX)
            ])
            .map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            visit(event_row(row).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }
}

fn db_error(path: &Path, source: rusqlite::Error) -> Error {
    Error::Database {
        path: path.to_path_buf(),
        source,
    }
}
