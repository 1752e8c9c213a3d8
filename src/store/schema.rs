//! The schema: forward migrations and the time indexes.

use super::{Error, Result, Store};

/// Forward migrations; `PRAGMA user_version` is the number applied.
/// The message text is stored; the raw record is not: its bytes are
/// `byte_start..byte_end` of the source, whose SHA-256 is kept and
/// re-checked by `verify`.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // Each key time says which rule chose it and on what.
    "ALTER TABLE timeline_key_times ADD COLUMN basis TEXT",
    // EntryFacts a source shares with others (a sample of its request ids),
    // and the clock offsets estimated from them, by the source's SHA-256:
    // a source whose offset is applied is stored again (under a new id)
    // with corrected times, and keeps its estimate.
    r#"
CREATE TABLE clock_skew (
    sha256    TEXT PRIMARY KEY,
    seconds   REAL NOT NULL,
    pairs     INTEGER NOT NULL,
    spread    REAL NOT NULL,
    reference TEXT NOT NULL,
    applied   INTEGER NOT NULL,
    note      TEXT NOT NULL
);
CREATE TABLE source_facts (
    source_id INTEGER NOT NULL REFERENCES sources(id),
    fact      TEXT NOT NULL,
    time      INTEGER NOT NULL
);
CREATE INDEX source_facts_by_fact ON source_facts(fact);
"#,
    // Reviewers' actions (`factline serve`, `factline review`): a trail
    // that is only ever appended to, keyed by the entries' stable keys so
    // it outlives every rebuilt timeline.
    r#"
CREATE TABLE review_actions (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    action   TEXT NOT NULL,
    key      TEXT NOT NULL,
    version  INTEGER NOT NULL,
    summary  TEXT,
    phase    TEXT,
    time     INTEGER,
    text     TEXT,
    reason   TEXT,
    event    TEXT,
    actor    TEXT
);
CREATE INDEX review_actions_by_key ON review_actions(key);
"#,
    // The zone a shift record gives its person: a time they write without
    // a zone is read in it.
    "ALTER TABLE shifts ADD COLUMN zone TEXT",
    // Blocks of layout 2 keep a line's locator, system, identifiers and a
    // time text the record does not hold (`blocks.rs`), so log-platform
    // records are lines, not rows. A factline that knows only layout 1
    // would misread them; the new version makes it refuse the database.
    "ALTER TABLE line_blocks ADD COLUMN layout INTEGER NOT NULL DEFAULT 1",
];

/// The indexes behind time-ordered reads of event rows (log lines are in
/// blocks, found by their time span). Large ingests drop them and build
/// them once at the end, which is far faster than keeping them current row
/// by row. The second, over the rows that may be notable, is what
/// reconstruction reads.
pub(super) const TIME_INDEX: &str = "CREATE INDEX IF NOT EXISTS events_by_time ON events(time); \
     CREATE INDEX IF NOT EXISTS notable_events_by_time ON events(time) WHERE notable = 1";

impl Store {
    pub(super) fn migrate(&self) -> Result<()> {
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
}
