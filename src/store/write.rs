//! The single writer: one source per transaction, events and line blocks
//! as ingest streams them.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params, CachedStatement, OptionalExtension, ToSql, Transaction};

use super::blocks::Block;
use super::schema::TIME_INDEX;
use super::{
    db_error, Incoming, NewEvent, NewSource, Shift, SourceEnd, SourceTotals, Store, Written,
};
use crate::error::{Error, Result};
use crate::model::Quality;

/// Ingests larger than this build the time index once at the end.
const BULK_BYTES: u64 = 64 << 20;

impl Store {
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
        //
        // Leaving WAL needs the database to itself: while another process
        // has it open (`factline serve`), the ingest writes through WAL.
        if let Err(e) = self.conn.execute_batch("PRAGMA journal_mode = DELETE;") {
            if e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) {
                return Err(self.err(e));
            }
        }
        self.conn
            .execute_batch("PRAGMA mmap_size = 0; PRAGMA threads = 2; PRAGMA foreign_keys = OFF;")
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
    ) -> Result<Written> {
        let path = self.path.clone();
        let e = |err| db_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let source_id = insert_source(&tx, source).map_err(e)?;
        let mut rows = SourceRows::new(&tx, source_id).map_err(e)?;
        let end = loop {
            match next() {
                Some(Incoming::Events(batch)) => {
                    for ev in batch {
                        rows.event(&ev).map_err(e)?;
                    }
                }
                Some(Incoming::Lines(block)) => rows.block(&block).map_err(e)?,
                Some(Incoming::End(end)) => break Some(end),
                None => break None,
            }
        };
        let (mut totals, kinds, mut cluster_rows) = rows.finish();
        let Some(end) = end else {
            return Err(Error::Input(format!(
                "{}: reading stopped before the end; nothing of it was stored",
                source.path
            )));
        };
        totals.rejected = end.rejected;
        // Dropping the transaction undoes the rows of a source that turns
        // out to be a copy, or unreadable, at its end.
        match &end.read {
            Some(Ok((sha256, bytes))) => {
                let stored: Option<String> = tx
                    .query_row(
                        "SELECT path FROM sources WHERE sha256 = ?1",
                        [sha256],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(e)?;
                if let Some(stored_as) = stored {
                    return Ok(Written::Copy(stored_as));
                }
                tx.execute(
                    "UPDATE sources SET sha256 = ?2, bytes = ?3 WHERE id = ?1",
                    params![source_id, sha256, *bytes as i64],
                )
                .map_err(e)?;
            }
            Some(Err(reason)) => return Ok(Written::Unreadable(reason.clone())),
            None => {}
        }
        complete_source(&tx, source_id, source_kind(&kinds), &totals, &end).map_err(e)?;
        name_templates(&tx, source_id, &end, &mut cluster_rows).map_err(e)?;
        add_shifts(&tx, source_id, &end.shifts).map_err(e)?;
        add_facts(&tx, source_id, &end.facts).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Written::Stored(totals))
    }
}

/// The source's row, with the counts left for [`complete_source`].
fn insert_source(tx: &Transaction<'_>, source: &NewSource) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO sources (path, file, member, sha256, bytes, parser, confidence, kind, tz, events, \
         rejected, rejected_lines, time_quality, mtime) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'log', ?8, 0, 0, '[]', '', ?9)",
        params![
            source.path,
            source.file,
            source.member,
            // Until its end gives its hash, a source hashed while parsed
            // holds the one hash no committed source has.
            source.sha256.as_deref().unwrap_or(""),
            source.bytes as i64,
            source.parser,
            source.confidence,
            source.tz,
            source.mtime,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes one source's event rows and line blocks as they come, counting
/// what [`complete_source`] records.
struct SourceRows<'t> {
    tx: &'t Transaction<'t>,
    source_id: i64,
    add_template: CachedStatement<'t>,
    add_event: CachedStatement<'t>,
    add_block: CachedStatement<'t>,
    totals: SourceTotals,
    kinds: BTreeMap<&'static str, u64>,
    /// Template row ids by cluster.
    cluster_rows: HashMap<usize, i64>,
    /// Few distinct flag sets occur; their text is made once each.
    quality_texts: HashMap<Quality, String>,
    binder: RepeatBinder,
}

impl<'t> SourceRows<'t> {
    fn new(tx: &'t Transaction<'t>, source_id: i64) -> rusqlite::Result<SourceRows<'t>> {
        Ok(SourceRows {
            tx,
            source_id,
            // Templates are stored once per cluster; their text is final
            // only when the source is complete, so rows are filled in then.
            add_template: tx.prepare_cached(
                "INSERT INTO templates (source_id, text, cluster) VALUES (?1, '', ?2)",
            )?,
            add_event: tx.prepare_cached(
                "INSERT INTO events (source_id, seq, time, time_text, precision, time_quality, line, line_end, \
                 locator, byte_start, byte_end, lossy_utf8, kind, level, actor, host, service, message, \
                 message_from, message_to, template_id, system, human, chatter, notable, identifiers, attributes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
                 ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?,
            add_block: tx.prepare_cached(
                "INSERT INTO line_blocks (source_id, lines, notable, first_time, last_time, data, layout) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            totals: SourceTotals::default(),
            kinds: BTreeMap::new(),
            cluster_rows: HashMap::new(),
            quality_texts: HashMap::new(),
            binder: RepeatBinder::default(),
        })
    }

    fn block(&mut self, block: &Block) -> rusqlite::Result<()> {
        self.add_block.execute(params![
            self.source_id,
            block.lines as i64,
            block.notable,
            block.span.0,
            block.span.1,
            block.data,
            super::blocks::LAYOUT
        ])?;
        self.totals.add(block.lines, block.quality, block.span);
        *self.kinds.entry("log").or_default() += block.lines;
        Ok(())
    }

    fn event(&mut self, ev: &NewEvent) -> rusqlite::Result<()> {
        let source_id = self.source_id;
        let template_id = match self.cluster_rows.get(&ev.cluster) {
            Some(id) => *id,
            None => {
                self.add_template
                    .execute(params![source_id, ev.cluster as i64])?;
                let id = self.tx.last_insert_rowid();
                self.cluster_rows.insert(ev.cluster, id);
                id
            }
        };
        let quality = self
            .quality_texts
            .entry(ev.quality)
            .or_insert_with(|| ev.quality.to_text());
        let row = &mut self.add_event;
        let b = &mut self.binder;
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
        row.raw_execute()?;
        self.totals.add(1, ev.quality, (ev.time, ev.time));
        *self.kinds.entry(ev.kind).or_default() += 1;
        Ok(())
    }

    /// The counts, events per kind and template rows by cluster; the
    /// statements are done.
    fn finish(
        self,
    ) -> (
        SourceTotals,
        BTreeMap<&'static str, u64>,
        HashMap<usize, i64>,
    ) {
        (self.totals, self.kinds, self.cluster_rows)
    }
}

/// The kind of a source is what most of its events are.
fn source_kind(kinds: &BTreeMap<&'static str, u64>) -> &'static str {
    kinds
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map_or("log", |(k, _)| *k)
}

/// Records on the source's row what is known once all of it is written.
fn complete_source(
    tx: &Transaction<'_>,
    source_id: i64,
    kind: &str,
    totals: &SourceTotals,
    end: &SourceEnd,
) -> rusqlite::Result<()> {
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
    )?;
    Ok(())
}

/// Gives the source's template rows their final text, adds those of
/// clusters only block lines use, and each template's counts per minute.
fn name_templates(
    tx: &Transaction<'_>,
    source_id: i64,
    end: &SourceEnd,
    cluster_rows: &mut HashMap<usize, i64>,
) -> rusqlite::Result<()> {
    let mut set_template = tx.prepare_cached("UPDATE templates SET text = ?2 WHERE id = ?1")?;
    for (cluster, row) in cluster_rows.iter() {
        let text = end.templates.get(*cluster).map_or("", String::as_str);
        set_template.execute(params![row, text])?;
    }
    // Clusters only block lines use get their rows now, in order.
    let mut add_template =
        tx.prepare_cached("INSERT INTO templates (source_id, text, cluster) VALUES (?1, ?2, ?3)")?;
    for (cluster, text) in end.templates.iter().enumerate() {
        if let std::collections::hash_map::Entry::Vacant(slot) = cluster_rows.entry(cluster) {
            add_template.execute(params![source_id, text, cluster as i64])?;
            slot.insert(tx.last_insert_rowid());
        }
    }
    let mut add_minute = tx.prepare_cached(
        "INSERT INTO template_minutes (template_id, minute, count) VALUES (?1, ?2, ?3)",
    )?;
    for (cluster, minute, count) in &end.minutes {
        if let Some(row) = cluster_rows.get(cluster) {
            add_minute.execute(params![row, minute, *count as i64])?;
        }
    }
    Ok(())
}

fn add_shifts(tx: &Transaction<'_>, source_id: i64, shifts: &[Shift]) -> rusqlite::Result<()> {
    let mut add_shift = tx.prepare_cached(
        "INSERT INTO shifts (source_id, person, email, role, start, end, zone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for sh in shifts {
        add_shift.execute(params![
            source_id, sh.person, sh.email, sh.role, sh.start, sh.end, sh.zone
        ])?;
    }
    Ok(())
}

fn add_facts(
    tx: &Transaction<'_>,
    source_id: i64,
    facts: &[(String, i64)],
) -> rusqlite::Result<()> {
    let mut add =
        tx.prepare_cached("INSERT INTO source_facts (source_id, fact, time) VALUES (?1, ?2, ?3)")?;
    for (fact, time) in facts {
        add.execute(params![source_id, fact, time])?;
    }
    Ok(())
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
