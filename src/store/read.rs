//! The read queries the commands share, and the completion of selected
//! events with their names and messages.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::lines::LineStream;
use super::{widest, EventFilter, EventRow, Shift, Skew, SourceRow, Store};
use crate::error::Result;
use crate::evidence::recall::{Recall, SourceFile};
use crate::model::Quality;

/// An event's own columns; its source's and template's names are looked
/// up once per listing ([`ListingLookups`]) rather than joined into every row.
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
pub(super) struct SourceNames {
    pub(super) sha256: String,
    pub(super) parser: String,
    pub(super) file: SourceFile,
}

/// Completes selected events: the names of their sources and templates,
/// each read once, and messages read back from the evidence.
pub(super) struct ListingLookups<'s> {
    pub(super) store: &'s Store,
    pub(super) sources: HashMap<i64, SourceNames>,
    pub(super) templates: HashMap<i64, String>,
    /// Per source: template id and text by cluster (for block lines).
    pub(super) clusters: HashMap<i64, HashMap<u64, (i64, String)>>,
    pub(super) recall: Recall,
}

impl<'s> ListingLookups<'s> {
    pub(super) fn new(store: &'s Store) -> ListingLookups<'s> {
        ListingLookups {
            store,
            sources: HashMap::new(),
            templates: HashMap::new(),
            clusters: HashMap::new(),
            recall: Recall::default(),
        }
    }

    pub(super) fn source<'m>(
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
    pub(super) fn path(&mut self, source_id: i64) -> Result<&str> {
        Ok(
            &ListingLookups::source(self.store, &mut self.sources, source_id)?
                .file
                .path,
        )
    }

    /// A source's templates by cluster.
    pub(super) fn clusters(&mut self, source_id: i64) -> Result<&HashMap<u64, (i64, String)>> {
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

    pub(super) fn complete(&mut self, (mut event, unread): Selected) -> Result<EventRow> {
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
        let source = ListingLookups::source(store, &mut self.sources, event.source_id)?;
        event.source.clone_from(&source.file.path);
        event.sha256.clone_from(&source.sha256);
        event.parser.clone_from(&source.parser);
        if let Some((start, end)) = unread {
            event.message = self.recall.text(&source.file, start, end)?;
        }
        Ok(event)
    }
}

impl Store {
    /// Every source, by path.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.path, s.file, s.member, s.sha256, s.bytes, s.parser, s.confidence, s.kind, s.tz, \
                 s.events, s.rejected, s.rejected_lines, s.first_time, s.last_time, s.time_quality, \
                 k.seconds, k.pairs, k.spread, k.reference, k.applied, k.note \
                 FROM sources s LEFT JOIN clock_skew k ON k.sha256 = s.sha256 ORDER BY s.path, s.sha256",
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
                    skew: match r.get::<_, Option<f64>>(16)? {
                        Some(seconds) => Some(Skew {
                            seconds,
                            pairs: r.get(17)?,
                            spread: r.get(18)?,
                            reference: r.get(19)?,
                            applied: r.get(20)?,
                            note: r.get(21)?,
                        }),
                        None => None,
                    },
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
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
        self.minute_counts("t.text", filter)
    }

    /// Log lines per source per minute inside a window, by source then
    /// minute: how busy each source was, to tell a template that fell
    /// silent with its source from lines that moved to another template.
    pub fn source_minutes(&self, filter: &EventFilter) -> Result<Vec<(i64, i64, u64)>> {
        self.minute_counts("t.source_id", filter)
    }

    /// Lines per minute inside a window, summed by `by` (a column of
    /// `templates t`), ordered by it then minute.
    fn minute_counts<K: rusqlite::types::FromSql>(
        &self,
        by: &str,
        filter: &EventFilter,
    ) -> Result<Vec<(K, i64, u64)>> {
        let sql = format!(
            "SELECT {by}, m.minute, sum(m.count) FROM template_minutes m \
             JOIN templates t ON t.id = m.template_id \
             WHERE m.minute >= ?1 AND m.minute <= ?2 \
             GROUP BY {by}, m.minute ORDER BY {by}, m.minute"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
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
        let mut lookups = ListingLookups::new(self);
        let row = found.map(|s| lookups.complete(s)).transpose()?;
        let line = self.first_line_of_template(&mut lookups, template, from, until)?;
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
                "SELECT person, email, role, start, end, zone FROM shifts ORDER BY start, role, person",
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
                    zone: r.get(5)?,
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
        // Both kinds of event are always notable (see `src/notable/`), so the
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
        self.each_event_while(filter, |e| visit(e).map(|()| true))
    }

    /// As `each_event`, stopping once `visit` returns false: a page of a
    /// listing reads only as far as it shows.
    pub fn each_event_while(
        &self,
        filter: &EventFilter,
        mut visit: impl FnMut(EventRow) -> Result<bool>,
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
        let mut lookups = ListingLookups::new(self);
        let mut going = true;
        let mut flush = |batch: &mut Vec<EventRow>| -> Result<bool> {
            batch.sort_by(|a, b| (&a.source, a.seq).cmp(&(&b.source, b.seq)));
            for event in batch.drain(..) {
                if !visit(event)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        // Lines kept in blocks merge in by time.
        let mut lines = LineStream::new(self, from, to, filter.notable_only)?;
        let mut row = None;
        loop {
            if row.is_none() {
                if let Some(r) = rows.next().map_err(|e| self.err(e))? {
                    row = Some(lookups.complete(event_row(r).map_err(|e| self.err(e))?)?);
                }
            }
            let line_time = lines.peek_time(self)?;
            let event = match (&row, line_time) {
                (Some(r), Some(t)) if t < r.time => lines.pop(&mut lookups)?,
                (Some(_), _) => row.take(),
                (None, Some(_)) => lines.pop(&mut lookups)?,
                (None, None) => break,
            };
            let Some(event) = event else { break };
            if same_instant.first().is_some_and(|f| f.time != event.time) {
                going = flush(&mut same_instant)?;
                if !going {
                    break;
                }
            }
            same_instant.push(event);
        }
        if going {
            flush(&mut same_instant)?;
        }
        Ok(())
    }
}
