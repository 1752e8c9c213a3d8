//! The SQLite store: schema and migrations, the single writer used by
//! ingest, and the read queries the other commands share. The tables are
//! documented for `sqlite3` users in the README.

use std::path::{Path, PathBuf};

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::error::{Error, Result};
pub mod blocks;
mod lines;
mod timeline;

use lines::LineStream;

use crate::evidence::recall::{Recall, SourceFile};
use crate::model::Quality;
use blocks::Block;

/// Forward migrations; `PRAGMA user_version` is the number applied.
/// The message text is stored; the raw record is not: its bytes are
/// `byte_start..byte_end` of the source, whose SHA-256 is kept and
/// re-checked by `verify`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sources (
    id             INTEGER PRIMARY KEY,
    path           TEXT NOT NULL,
    file           TEXT NOT NULL,
    member         TEXT,
    sha256         TEXT NOT NULL UNIQUE,
    bytes          INTEGER NOT NULL,
    parser         TEXT NOT NULL,
    confidence     INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    tz             TEXT NOT NULL,
    events         INTEGER NOT NULL,
    rejected       INTEGER NOT NULL,
    rejected_lines TEXT NOT NULL,
    first_time     INTEGER,
    last_time      INTEGER,
    time_quality   TEXT NOT NULL,
    mtime          INTEGER
);
CREATE TABLE templates (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    text      TEXT NOT NULL
);
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id),
    seq          INTEGER NOT NULL,
    time         INTEGER NOT NULL,
    time_text    TEXT NOT NULL,
    precision    TEXT NOT NULL,
    time_quality TEXT NOT NULL,
    line         INTEGER,
    line_end     INTEGER,
    locator      TEXT,
    byte_start   INTEGER NOT NULL,
    byte_end     INTEGER NOT NULL,
    lossy_utf8   INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    level        TEXT,
    actor        TEXT,
    host         TEXT,
    service      TEXT,
    message      TEXT NOT NULL,
    template_id  INTEGER NOT NULL REFERENCES templates(id),
    system       TEXT,
    human        INTEGER,
    chatter      INTEGER NOT NULL,
    notable      INTEGER NOT NULL,
    identifiers  TEXT,
    attributes   TEXT
);
CREATE TABLE template_minutes (
    template_id INTEGER NOT NULL REFERENCES templates(id),
    minute      INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (template_id, minute)
) WITHOUT ROWID;
CREATE TABLE shifts (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    person    TEXT NOT NULL,
    email     TEXT,
    role      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL
);
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
    // Text that can be read back from the evidence is no longer copied:
    // a routine line's message is `message_from..message_to` of its
    // record's bytes, and a timestamp as written is in the record too.
    r#"
CREATE TABLE events_v3 (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id),
    seq          INTEGER NOT NULL,
    time         INTEGER NOT NULL,
    time_text    TEXT,
    precision    TEXT NOT NULL,
    time_quality TEXT NOT NULL,
    line         INTEGER,
    line_end     INTEGER,
    locator      TEXT,
    byte_start   INTEGER NOT NULL,
    byte_end     INTEGER NOT NULL,
    lossy_utf8   INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    level        TEXT,
    actor        TEXT,
    host         TEXT,
    service      TEXT,
    message      TEXT,
    message_from INTEGER,
    message_to   INTEGER,
    template_id  INTEGER NOT NULL REFERENCES templates(id),
    system       TEXT,
    human        INTEGER,
    chatter      INTEGER NOT NULL,
    notable      INTEGER NOT NULL,
    identifiers  TEXT,
    attributes   TEXT
);
INSERT INTO events_v3 (id, source_id, seq, time, time_text, precision, time_quality, line, line_end, locator,
    byte_start, byte_end, lossy_utf8, kind, level, actor, host, service, message, template_id, system, human,
    chatter, notable, identifiers, attributes)
SELECT id, source_id, seq, time, time_text, precision, time_quality, line, line_end, locator,
    byte_start, byte_end, lossy_utf8, kind, level, actor, host, service, message, template_id, system, human,
    chatter, notable, identifiers, attributes FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE TABLE line_blocks (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id),
    lines      INTEGER NOT NULL,
    notable    INTEGER NOT NULL,
    first_time INTEGER NOT NULL,
    last_time  INTEGER NOT NULL,
    data       BLOB NOT NULL
);
CREATE INDEX line_blocks_by_time ON line_blocks(first_time, last_time);
ALTER TABLE templates ADD COLUMN cluster INTEGER;
CREATE INDEX templates_by_cluster ON templates(source_id, cluster);
CREATE TABLE timeline_evidence_v3 (
    run_id    INTEGER NOT NULL REFERENCES timeline_runs(id),
    entry_id  INTEGER NOT NULL,
    ordinal   INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    seq       INTEGER NOT NULL,
    event_id  INTEGER REFERENCES events(id),
    PRIMARY KEY (run_id, entry_id, ordinal)
);
INSERT INTO timeline_evidence_v3 (run_id, entry_id, ordinal, source_id, seq, event_id)
SELECT t.run_id, t.entry_id, t.ordinal, e.source_id, e.seq, t.event_id
FROM timeline_evidence t JOIN events e ON e.id = t.event_id;
DROP TABLE timeline_evidence;
ALTER TABLE timeline_evidence_v3 RENAME TO timeline_evidence;
"#,
];

/// The indexes behind time-ordered reads of event rows (log lines are in
/// blocks, found by their time span). Large ingests drop them and build
/// them once at the end, which is far faster than keeping them current row
/// by row. The second, over the rows that may be notable, is what
/// reconstruction reads.
const TIME_INDEX: &str = "CREATE INDEX IF NOT EXISTS events_by_time ON events(time); \
     CREATE INDEX IF NOT EXISTS notable_events_by_time ON events(time) WHERE notable = 1";

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
    /// Row id in `events`; none for a log line kept in a block.
    pub id: Option<i64>,
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
    /// Position among the source's events (rows and block lines).
    pub seq: u64,
    /// UTC microseconds.
    pub time: i64,
    /// The time as written, when the record's bytes do not hold it verbatim.
    pub time_text: Option<String>,
    /// Precision name.
    pub precision: &'static str,
    /// Flags.
    pub quality: Quality,
    /// First line.
    pub line: Option<u64>,
    /// Last line.
    pub line_end: Option<u64>,
    /// Position text, when not simply `line N`.
    pub locator: Option<String>,
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
    /// Message, when it is not stored as `message_range`.
    pub message: Option<String>,
    /// Where the message lies in the record's bytes (from `byte_range.0`),
    /// when it is read back from the evidence instead of being stored.
    pub message_range: Option<(u32, u32)>,
    /// The event's template cluster in its source's miner.
    pub cluster: usize,
    /// Byte range in the source.
    pub byte_range: (u64, u64),
    /// Invalid UTF-8 replaced.
    pub lossy_utf8: bool,
    /// Recording product or tool.
    pub system: Option<String>,
    /// Written by a person (true), a system (false), unknown (None).
    pub human: Option<bool>,
    /// Stored, left out of the draft.
    pub chatter: bool,
    /// May be worth a timeline line.
    pub notable: bool,
    /// JSON array of identifiers, when there are any.
    pub identifiers: Option<String>,
    /// JSON object of attributes, when there are any.
    pub attributes: Option<String>,
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
    /// Zone name.
    pub tz: String,
    /// Modification time.
    pub mtime: Option<i64>,
}

/// What is known about a source only after all its records were read.
#[derive(Debug, Clone, Default)]
pub struct SourceEnd {
    /// Rejected count.
    pub rejected: u64,
    /// JSON list of the first rejected lines.
    pub rejected_lines: String,
    /// Shifts its records describe.
    pub shifts: Vec<Shift>,
    /// The final template of each cluster, by cluster id.
    pub templates: Vec<String>,
    /// Log lines per (cluster, minute since the epoch), for rate changes.
    pub minutes: Vec<(usize, i64, u64)>,
}

/// What the writer of a source receives.
#[derive(Debug)]
pub enum Incoming {
    /// More events, in source order.
    Events(Vec<NewEvent>),
    /// A block of plain log lines.
    Lines(Block),
    /// The source is complete.
    End(SourceEnd),
}

/// Counts of a written source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceTotals {
    /// Events stored.
    pub events: u64,
    /// Lines or records rejected.
    pub rejected: u64,
    /// Union of time flags.
    pub quality: Quality,
    /// First event time.
    pub first: Option<i64>,
    /// Last event time.
    pub last: Option<i64>,
}

impl SourceTotals {
    /// Counts `events` more, with their flags and time span.
    fn add(&mut self, events: u64, quality: Quality, (first, last): (i64, i64)) {
        self.events += events;
        self.quality.insert(quality);
        let span = widest(self.first.zip(self.last), Some((first, last)));
        self.first = span.map(|s| s.0);
        self.last = span.map(|s| s.1);
    }
}

/// Ingests larger than this build the time index once at the end.
const BULK_BYTES: u64 = 64 << 20;

/// An event's own columns; its source's and template's names are looked
/// up once per listing ([`Completer`]) rather than joined into every row.
const EVENT_COLUMNS: &str =
    "e.id, e.source_id, e.seq, e.time, e.time_quality, e.line, e.locator, e.kind, \
     e.level, e.actor, e.host, e.service, e.message, e.template_id, e.system, e.human, e.chatter, \
     e.identifiers, e.attributes, e.byte_start + e.message_from, e.byte_start + e.message_to";

fn json_or_default<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// An event as selected with [`EVENT_COLUMNS`], without its names, and
/// where its message is when the row does not hold it.
type Selected = (EventRow, Option<(u64, u64)>);

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Selected> {
    let line: Option<i64> = r.get(5)?;
    let locator: Option<String> = r.get(6)?;
    let message: Option<String> = r.get(12)?;
    let unread = match (
        &message,
        r.get::<_, Option<i64>>(19)?,
        r.get::<_, Option<i64>>(20)?,
    ) {
        (None, Some(start), Some(end)) => Some((start as u64, end as u64)),
        _ => None,
    };
    let event = EventRow {
        id: Some(r.get(0)?),
        source_id: r.get(1)?,
        source: String::new(),
        sha256: String::new(),
        parser: String::new(),
        seq: r.get(2)?,
        time: r.get(3)?,
        time_quality: Quality::from_text(&r.get::<_, String>(4)?),
        line,
        locator: locator
            .or_else(|| line.map(|l| format!("line {l}")))
            .unwrap_or_default(),
        kind: r.get(7)?,
        level: r.get(8)?,
        actor: r.get(9)?,
        host: r.get(10)?,
        service: r.get(11)?,
        message: message.unwrap_or_default(),
        template_id: r.get(13)?,
        template: String::new(),
        system: r.get(14)?,
        human: r.get(15)?,
        chatter: r.get(16)?,
        identifiers: json_or_default(r.get(17)?),
        attributes: json_or_default(r.get(18)?),
    };
    Ok((event, unread))
}

/// A source's names and file, as events cite them.
struct SourceNames {
    sha256: String,
    parser: String,
    file: SourceFile,
}

/// Completes selected events: the names of their sources and templates,
/// each read once, and messages read back from the evidence.
struct Completer<'s> {
    store: &'s Store,
    sources: HashMap<i64, SourceNames>,
    templates: HashMap<i64, String>,
    /// Per source: template id and text by cluster (for block lines).
    clusters: HashMap<i64, HashMap<u64, (i64, String)>>,
    recall: Recall,
}

impl<'s> Completer<'s> {
    fn new(store: &'s Store) -> Completer<'s> {
        Completer {
            store,
            sources: HashMap::new(),
            templates: HashMap::new(),
            clusters: HashMap::new(),
            recall: Recall::default(),
        }
    }

    fn source<'m>(
        store: &Store,
        sources: &'m mut HashMap<i64, SourceNames>,
        id: i64,
    ) -> Result<&'m SourceNames> {
        use std::collections::hash_map::Entry;
        Ok(match sources.entry(id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(
                store
                    .conn
                    .query_row(
                        "SELECT path, sha256, parser, file, member, bytes FROM sources WHERE id = ?1",
                        [id],
                        |r| {
                            Ok(SourceNames {
                                sha256: r.get(1)?,
                                parser: r.get(2)?,
                                file: SourceFile {
                                    path: r.get(0)?,
                                    file: r.get(3)?,
                                    member: r.get(4)?,
                                    bytes: r.get::<_, i64>(5)? as u64,
                                },
                            })
                        },
                    )
                    .map_err(|e| store.err(e))?,
            ),
        })
    }

    /// The path a source is shown by.
    fn path(&mut self, source_id: i64) -> Result<&str> {
        Ok(
            &Completer::source(self.store, &mut self.sources, source_id)?
                .file
                .path,
        )
    }

    /// A source's templates by cluster.
    fn clusters(&mut self, source_id: i64) -> Result<&HashMap<u64, (i64, String)>> {
        use std::collections::hash_map::Entry;
        let store = self.store;
        Ok(match self.clusters.entry(source_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let mut stmt = store
                    .conn
                    .prepare_cached(
                        "SELECT cluster, id, text FROM templates WHERE source_id = ?1 AND cluster IS NOT NULL",
                    )
                    .map_err(|e| store.err(e))?;
                let rows = stmt
                    .query_map([source_id], |r| {
                        Ok((r.get::<_, i64>(0)? as u64, (r.get(1)?, r.get(2)?)))
                    })
                    .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
                    .map_err(|e| store.err(e))?;
                slot.insert(rows)
            }
        })
    }

    fn complete(&mut self, (mut event, unread): Selected) -> Result<EventRow> {
        use std::collections::hash_map::Entry;
        let store = self.store;
        let template = match self.templates.entry(event.template_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(
                store
                    .conn
                    .query_row(
                        "SELECT text FROM templates WHERE id = ?1",
                        [event.template_id],
                        |r| r.get(0),
                    )
                    .map_err(|e| store.err(e))?,
            ),
        };
        event.template.clone_from(template);
        let source = Completer::source(store, &mut self.sources, event.source_id)?;
        event.source.clone_from(&source.file.path);
        event.sha256.clone_from(&source.sha256);
        event.parser.clone_from(&source.parser);
        if let Some((start, end)) = unread {
            event.message = self.recall.text(&source.file, start, end)?;
        }
        Ok(event)
    }
}

/// Filters for event listings.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// At or after, UTC microseconds.
    pub from: Option<i64>,
    /// At or before.
    pub to: Option<i64>,
    /// Only events that may be notable (see `notable.rs`).
    pub notable_only: bool,
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

    fn migrate(&self) -> Result<()> {
        let c = &self.conn;
        // Migrations rebuild tables that others refer to, which SQLite
        // allows only with foreign keys off (they cannot be switched
        // inside a transaction). Reads map the file rather than copy
        // pages: reconstruction visits rows in time order, scattered over
        // the sources' stretches of the table.
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; \
             PRAGMA mmap_size = 2147418112;",
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
        c.execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))
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

    /// Starts a bulk ingest of `input_bytes` of evidence: a large one
    /// drops the time index, which [`Store::finish_ingest`] rebuilds.
    pub fn begin_ingest(&mut self, input_bytes: u64) -> Result<()> {
        let sql = if input_bytes > BULK_BYTES {
            "DROP INDEX IF EXISTS events_by_time; DROP INDEX IF EXISTS notable_events_by_time"
        } else {
            TIME_INDEX
        };
        // A rollback journal while writing: WAL would write every new page
        // twice (log, then checkpoint), a rollback journal only the few
        // existing pages a source changes; both are crash-safe. Writing
        // gains nothing from the map, which would only make the pages the
        // index build reads count as the process's memory. The build sorts
        // through temporary files, which keeps memory bounded, on a helper
        // thread as well: the parsing workers are idle by then. Foreign
        // keys are not checked row by row: the writer itself has just
        // inserted the source and template each event refers to.
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = DELETE; PRAGMA mmap_size = 0; PRAGMA threads = 2; \
                 PRAGMA foreign_keys = OFF;",
            )
            .and_then(|_| self.conn.execute_batch(sql))
            .map_err(|e| self.err(e))
    }

    /// Ends a bulk ingest: the time index exists again, and readers may
    /// read while another process writes (WAL).
    pub fn finish_ingest(&mut self) -> Result<()> {
        self.conn
            .execute_batch(TIME_INDEX)
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))
    }

    /// Writes one source with the events `next` yields, in one
    /// transaction, so an interrupted run leaves either the whole source or
    /// none of it. The stream ends with [`Incoming::End`], which carries
    /// what is known only at the end; a stream that stops without it
    /// stores nothing.
    pub fn write_source(
        &mut self,
        source: &NewSource,
        mut next: impl FnMut() -> Option<Incoming>,
    ) -> Result<SourceTotals> {
        let path = self.path.clone();
        let e = |err| db_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO sources (path, file, member, sha256, bytes, parser, confidence, kind, tz, events, \
             rejected, rejected_lines, time_quality, mtime) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'log', ?8, 0, 0, '[]', '', ?9)",
            params![
                source.path,
                source.file,
                source.member,
                source.sha256,
                source.bytes as i64,
                source.parser,
                source.confidence,
                source.tz,
                source.mtime,
            ],
        )
        .map_err(e)?;
        let source_id = tx.last_insert_rowid();
        let mut totals = SourceTotals::default();
        let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut cluster_rows: HashMap<usize, i64> = HashMap::new();
        // Few distinct flag sets occur; their text is made once each.
        let mut quality_texts: HashMap<Quality, String> = HashMap::new();
        let mut binder = RepeatBinder::default();
        let mut end = None;
        {
            // Templates are stored once per cluster; their text is final
            // only when the source is complete, so rows are filled in then.
            let mut add_template = tx
                .prepare_cached(
                    "INSERT INTO templates (source_id, text, cluster) VALUES (?1, '', ?2)",
                )
                .map_err(e)?;
            let mut add_event = tx
                .prepare_cached(
                    "INSERT INTO events (source_id, seq, time, time_text, precision, time_quality, line, line_end, \
                     locator, byte_start, byte_end, lossy_utf8, kind, level, actor, host, service, message, \
                     message_from, message_to, template_id, system, human, chatter, notable, identifiers, attributes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
                     ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
                )
                .map_err(e)?;
            let mut add_block = tx
                .prepare_cached(
                    "INSERT INTO line_blocks (source_id, lines, notable, first_time, last_time, data) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            loop {
                let batch = match next() {
                    Some(Incoming::Events(batch)) => batch,
                    Some(Incoming::Lines(block)) => {
                        add_block
                            .execute(params![
                                source_id,
                                block.lines as i64,
                                block.notable,
                                block.span.0,
                                block.span.1,
                                block.data
                            ])
                            .map_err(e)?;
                        totals.add(block.lines, block.quality, block.span);
                        *kinds.entry("log").or_default() += block.lines;
                        continue;
                    }
                    Some(Incoming::End(e)) => {
                        end = Some(e);
                        break;
                    }
                    None => break,
                };
                for ev in batch {
                    let template_id = match cluster_rows.get(&ev.cluster) {
                        Some(id) => *id,
                        None => {
                            add_template
                                .execute(params![source_id, ev.cluster as i64])
                                .map_err(e)?;
                            let id = tx.last_insert_rowid();
                            cluster_rows.insert(ev.cluster, id);
                            id
                        }
                    };
                    let quality = quality_texts
                        .entry(ev.quality)
                        .or_insert_with(|| ev.quality.to_text());
                    let row = &mut add_event;
                    let b = &mut binder;
                    (|| {
                        row.raw_bind_parameter(2, ev.seq as i64)?;
                        row.raw_bind_parameter(3, ev.time)?;
                        row.raw_bind_parameter(7, ev.line.map(|l| l as i64))?;
                        row.raw_bind_parameter(10, ev.byte_range.0 as i64)?;
                        row.raw_bind_parameter(11, ev.byte_range.1 as i64)?;
                        row.raw_bind_parameter(18, &ev.message)?;
                        row.raw_bind_parameter(19, ev.message_range.map(|r| r.0))?;
                        row.raw_bind_parameter(20, ev.message_range.map(|r| r.1))?;
                        b.bind(row, 1, source_id)?;
                        b.bind(row, 4, &ev.time_text)?;
                        b.bind(row, 5, ev.precision)?;
                        b.bind(row, 6, quality.as_str())?;
                        b.bind(row, 8, ev.line_end.map(|l| l as i64))?;
                        b.bind(row, 9, &ev.locator)?;
                        b.bind(row, 12, ev.lossy_utf8)?;
                        b.bind(row, 13, ev.kind)?;
                        b.bind(row, 14, ev.level)?;
                        b.bind(row, 15, &ev.actor)?;
                        b.bind(row, 16, &ev.host)?;
                        b.bind(row, 17, &ev.service)?;
                        b.bind(row, 21, template_id)?;
                        b.bind(row, 22, &ev.system)?;
                        b.bind(row, 23, ev.human)?;
                        b.bind(row, 24, ev.chatter)?;
                        b.bind(row, 25, ev.notable)?;
                        b.bind(row, 26, &ev.identifiers)?;
                        b.bind(row, 27, &ev.attributes)?;
                        row.raw_execute()
                    })()
                    .map_err(e)?;
                    totals.add(1, ev.quality, (ev.time, ev.time));
                    *kinds.entry(ev.kind).or_default() += 1;
                }
            }
        }
        let Some(end) = end else {
            return Err(Error::Input(format!(
                "{}: reading stopped before the end; nothing of it was stored",
                source.path
            )));
        };
        totals.rejected = end.rejected;
        // The kind of a source is what most of its events are.
        let kind = kinds
            .iter()
            .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
            .map_or("log", |(k, _)| *k);
        tx.execute(
            "UPDATE sources SET kind = ?2, events = ?3, rejected = ?4, rejected_lines = ?5, first_time = ?6, \
             last_time = ?7, time_quality = ?8 WHERE id = ?1",
            params![
                source_id,
                kind,
                totals.events as i64,
                end.rejected as i64,
                end.rejected_lines,
                totals.first,
                totals.last,
                totals.quality.to_text(),
            ],
        )
        .map_err(e)?;
        {
            let mut set_template = tx
                .prepare_cached("UPDATE templates SET text = ?2 WHERE id = ?1")
                .map_err(e)?;
            for (cluster, row) in &cluster_rows {
                let text = end.templates.get(*cluster).map_or("", String::as_str);
                set_template.execute(params![row, text]).map_err(e)?;
            }
            // Clusters only block lines use get their rows now, in order.
            let mut add_template = tx
                .prepare_cached(
                    "INSERT INTO templates (source_id, text, cluster) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            for (cluster, text) in end.templates.iter().enumerate() {
                if let std::collections::hash_map::Entry::Vacant(slot) = cluster_rows.entry(cluster)
                {
                    add_template
                        .execute(params![source_id, text, cluster as i64])
                        .map_err(e)?;
                    slot.insert(tx.last_insert_rowid());
                }
            }
            let mut add_minute = tx
                .prepare_cached(
                    "INSERT INTO template_minutes (template_id, minute, count) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            for (cluster, minute, count) in &end.minutes {
                if let Some(row) = cluster_rows.get(cluster) {
                    add_minute
                        .execute(params![row, minute, *count as i64])
                        .map_err(e)?;
                }
            }
            let mut add_shift = tx
                .prepare_cached(
                    "INSERT INTO shifts (source_id, person, email, role, start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for sh in &end.shifts {
                add_shift
                    .execute(params![
                        source_id, sh.person, sh.email, sh.role, sh.start, sh.end
                    ])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(totals)
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

    /// Each source's event times inside a window, in order (for finding
    /// silences), by source path.
    pub fn times_by_source(&self, from: i64, to: i64) -> Result<Vec<(String, Vec<i64>)>> {
        let mut by_source = self.line_times(from, to)?;
        let mut stmt = self
            .conn
            .prepare("SELECT source_id, time FROM events WHERE time >= ?1 AND time <= ?2")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![from, to]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let source: i64 = row.get(0).map_err(|e| self.err(e))?;
            let time: i64 = row.get(1).map_err(|e| self.err(e))?;
            by_source.entry(source).or_default().push(time);
        }
        let paths: HashMap<i64, String> = self
            .sources()?
            .into_iter()
            .map(|s| (s.id, s.path))
            .collect();
        let mut out: Vec<(String, Vec<i64>)> = by_source
            .into_iter()
            .map(|(id, mut times)| {
                times.sort_unstable();
                (paths.get(&id).cloned().unwrap_or_default(), times)
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// Log lines per template per minute inside a window (counted at
    /// ingest), by template text then minute: what rate changes are found
    /// in, without reading the events.
    pub fn template_minutes(&self, filter: &EventFilter) -> Result<Vec<(String, i64, u64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.text, m.minute, sum(m.count) FROM template_minutes m \
                 JOIN templates t ON t.id = m.template_id \
                 WHERE m.minute >= ?1 AND m.minute <= ?2 \
                 GROUP BY t.text, m.minute ORDER BY t.text, m.minute",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                params![
                    filter.from.map_or(i64::MIN, |t| t.div_euclid(60_000_000)),
                    filter.to.map_or(i64::MAX, |t| t.div_euclid(60_000_000))
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)),
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The first log line of a template in `from..until` (by time, then
    /// source path and position). The time index bounds the search.
    pub fn first_of_template(
        &self,
        template: &str,
        from: i64,
        until: i64,
    ) -> Result<Option<EventRow>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e \
             JOIN sources s ON s.id = e.source_id \
             WHERE e.time >= ?2 AND e.time < ?3 AND e.kind = 'log' \
             AND e.template_id IN (SELECT id FROM templates WHERE text = ?1) \
             ORDER BY e.time, s.path, e.seq LIMIT 1"
        );
        let found = self
            .conn
            .query_row(&sql, params![template, from, until], event_row)
            .optional()
            .map_err(|e| self.err(e))?;
        let mut completer = Completer::new(self);
        let row = found.map(|s| completer.complete(s)).transpose()?;
        let line = self.first_line_of_template(&mut completer, template, from, until)?;
        Ok(match (row, line) {
            (Some(r), Some(l)) => {
                Some(if (l.time, &l.source, l.seq) < (r.time, &r.source, r.seq) {
                    l
                } else {
                    r
                })
            }
            (r, l) => r.or(l),
        })
    }

    /// How many events lie in a window, and the first and last time.
    pub fn window_counts(&self, filter: &EventFilter) -> Result<(u64, Option<(i64, i64)>)> {
        let (from, to) = (
            filter.from.unwrap_or(i64::MIN),
            filter.to.unwrap_or(i64::MAX),
        );
        // A window that holds each source wholly or not at all is counted
        // from the sources table, without walking millions of index rows.
        let mut whole = (0u64, None::<(i64, i64)>);
        for s in self.sources()? {
            let (Some(first), Some(last)) = (s.first_time, s.last_time) else {
                continue;
            };
            if last < from || first > to {
                continue;
            }
            if first < from || last > to {
                return self.window_counts_by_index(from, to);
            }
            whole.0 += s.events as u64;
            whole.1 = widest(whole.1, Some((first, last)));
        }
        Ok(whole)
    }

    fn window_counts_by_index(&self, from: i64, to: i64) -> Result<(u64, Option<(i64, i64)>)> {
        let (lines, line_span) = self.count_lines(from, to)?;
        let (rows, row_span) = self.count_rows(from, to)?;
        let span = widest(row_span, line_span);
        Ok((lines + rows, span))
    }

    fn count_rows(&self, from: i64, to: i64) -> Result<(u64, Option<(i64, i64)>)> {
        self.conn
            .query_row(
                "SELECT count(*), min(time), max(time) FROM events WHERE time >= ?1 AND time <= ?2",
                params![from, to],
                |r| {
                    let span = match (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<i64>>(2)?) {
                        (Some(a), Some(b)) => Some((a, b)),
                        _ => None,
                    };
                    Ok((r.get::<_, i64>(0)? as u64, span))
                },
            )
            .map_err(|e| self.err(e))
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
                    Ok(
                        match (r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?) {
                            (Some(a), Some(b)) => Some((a, b)),
                            _ => None,
                        },
                    )
                })
                .map_err(|e| self.err(e))
        };
        // Both kinds of event are always notable (see `notable.rs`), so the
        // notable index bounds the search.
        let human = span(
            "SELECT min(time), max(time) FROM events \
             WHERE notable = 1 AND kind IN ('alert', 'ticket', 'chat', 'deploy') AND chatter = 0",
        )?;
        let found = match human {
            Some(span) => Some(span),
            None => match widest(
                span(
                    "SELECT min(time), max(time) FROM events \
                     WHERE notable = 1 AND level IN ('warn', 'error', 'critical')",
                )?,
                self.alarm_span()?,
            ) {
                Some(span) => Some(span),
                None => span("SELECT min(first_time), max(last_time) FROM sources")?,
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
        let notable = if filter.notable_only {
            " AND e.notable = 1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e \
             WHERE e.time >= ?1 AND e.time <= ?2{notable} \
             ORDER BY e.time"
        );
        let (from, to) = (
            filter.from.unwrap_or(i64::MIN),
            filter.to.unwrap_or(i64::MAX),
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![from, to]).map_err(|e| self.err(e))?;
        // The time index gives time order without a sort of the whole
        // result; events of one instant are few, and are put in source-path
        // and position order here, so the order never depends on the order
        // in which sources were ingested.
        let mut same_instant: Vec<EventRow> = Vec::new();
        let mut completer = Completer::new(self);
        let mut flush = |batch: &mut Vec<EventRow>| -> Result<()> {
            batch.sort_by(|a, b| (&a.source, a.seq).cmp(&(&b.source, b.seq)));
            batch.drain(..).try_for_each(&mut visit)
        };
        // Lines kept in blocks merge in by time.
        let mut lines = LineStream::new(self, from, to, filter.notable_only)?;
        let mut row = None;
        loop {
            if row.is_none() {
                if let Some(r) = rows.next().map_err(|e| self.err(e))? {
                    row = Some(completer.complete(event_row(r).map_err(|e| self.err(e))?)?);
                }
            }
            let line_time = lines.peek_time(self)?;
            let event = match (&row, line_time) {
                (Some(r), Some(t)) if t < r.time => lines.pop(&mut completer)?,
                (Some(_), _) => row.take(),
                (None, Some(_)) => lines.pop(&mut completer)?,
                (None, None) => break,
            };
            let Some(event) = event else { break };
            if same_instant.first().is_some_and(|f| f.time != event.time) {
                flush(&mut same_instant)?;
            }
            same_instant.push(event);
        }
        flush(&mut same_instant)
    }
}

/// Binds a statement's parameters, skipping each whose value is the one
/// already bound: SQLite keeps bindings from one execution to the next,
/// and most columns of a source's events repeat from row to row, so a
/// large ingest spends far less time binding.
#[derive(Default)]
struct RepeatBinder {
    bound: Vec<Option<Value>>,
}

impl RepeatBinder {
    fn bind(
        &mut self,
        statement: &mut rusqlite::Statement<'_>,
        index: usize,
        value: impl ToSql,
    ) -> rusqlite::Result<()> {
        let output = value.to_sql()?;
        let now = match &output {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => return statement.raw_bind_parameter(index, value),
        };
        if self.bound.len() <= index {
            self.bound.resize(index + 1, None);
        }
        if self.bound[index]
            .as_ref()
            .is_some_and(|b| ValueRef::from(b) == now)
        {
            return Ok(());
        }
        self.bound[index] = Value::try_from(now).ok();
        statement.raw_bind_parameter(index, value)
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
