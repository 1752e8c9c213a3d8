//! Reading plain log lines back from their blocks (`line_blocks`, see
//! `blocks.rs`): listings (all lines, or notable ones for reconstruction),
//! counts, silences, the activity window and rate-change citations.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use rusqlite::params;

use super::blocks::{self, Line, Message};
use super::read::ListingLookups;
use super::{widest, EventRow, Store};
use crate::error::{Error, Result};

/// Where a block is and what span of time it covers.
#[derive(Debug, Clone, Copy)]
struct BlockSpan {
    id: i64,
    source_id: i64,
    lines: u64,
    first_time: i64,
    last_time: i64,
}

impl Store {
    /// The blocks that may hold lines in `from..=to` (only those of
    /// notable lines, if asked), by first time.
    fn blocks_in(&self, from: i64, to: i64, notable_only: bool) -> Result<Vec<BlockSpan>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source_id, lines, first_time, last_time FROM line_blocks \
                 WHERE first_time <= ?2 AND last_time >= ?1 AND (notable = 1 OR NOT ?3) \
                 ORDER BY first_time, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from, to, notable_only], |r| {
                Ok(BlockSpan {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    lines: r.get::<_, i64>(2)? as u64,
                    first_time: r.get(3)?,
                    last_time: r.get(4)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e));
        rows
    }

    /// A block's lines, in source order.
    fn block_lines(&self, block: &BlockSpan) -> Result<Vec<Line>> {
        let (data, layout): (Vec<u8>, u32) = self
            .conn
            .prepare_cached("SELECT data, layout FROM line_blocks WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([block.id], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| self.err(e))?;
        blocks::decode(&data, layout)
            .map_err(|e| Error::Input(format!("{}: {e} (block {})", self.path.display(), block.id)))
    }

    /// Lines in `from..=to` and their earliest and latest time, without
    /// decoding the blocks the range holds whole.
    pub(super) fn count_lines(&self, from: i64, to: i64) -> Result<(u64, Option<(i64, i64)>)> {
        let mut count = 0;
        let mut span = None;
        for block in self.blocks_in(from, to, false)? {
            if block.first_time >= from && block.last_time <= to {
                count += block.lines;
                span = widest(span, Some((block.first_time, block.last_time)));
                continue;
            }
            for line in self.block_lines(&block)? {
                if (from..=to).contains(&line.time) {
                    count += 1;
                    span = widest(span, Some((line.time, line.time)));
                }
            }
        }
        Ok((count, span))
    }

    /// The span of the warnings and worse kept in blocks.
    pub(super) fn alarm_span(&self) -> Result<Option<(i64, i64)>> {
        let mut span = None;
        for block in self.blocks_in(i64::MIN, i64::MAX, true)? {
            for line in self.block_lines(&block)? {
                if matches!(line.level.as_deref(), Some("warn" | "error" | "critical")) {
                    span = widest(span, Some((line.time, line.time)));
                }
            }
        }
        Ok(span)
    }

    /// Each source's line times in `from..=to`, by source id.
    pub(super) fn line_times(&self, from: i64, to: i64) -> Result<HashMap<i64, Vec<i64>>> {
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for block in self.blocks_in(from, to, false)? {
            let times = out.entry(block.source_id).or_default();
            times.extend(
                self.block_lines(&block)?
                    .iter()
                    .map(|l| l.time)
                    .filter(|t| (from..=to).contains(t)),
            );
        }
        Ok(out)
    }

    /// The first line of a template in `from..until`, by time, source path
    /// and position.
    pub(super) fn first_line_of_template(
        &self,
        lookups: &mut ListingLookups<'_>,
        template: &str,
        from: i64,
        until: i64,
    ) -> Result<Option<EventRow>> {
        let mut best: Option<(i64, String, u64, i64, Line)> = None;
        for block in self.blocks_in(from, until.saturating_sub(1), false)? {
            let clusters: Vec<u64> = lookups
                .clusters(block.source_id)?
                .iter()
                .filter(|(_, (_, text))| text == template)
                .map(|(cluster, _)| *cluster)
                .collect();
            if clusters.is_empty() {
                continue;
            }
            let path = lookups.path(block.source_id)?.to_string();
            for line in self.block_lines(&block)? {
                if !(from..until).contains(&line.time) || !clusters.contains(&line.cluster) {
                    continue;
                }
                let key = (line.time, path.as_str(), line.seq);
                if best
                    .as_ref()
                    .is_none_or(|(t, p, s, _, _)| key < (*t, p.as_str(), *s))
                {
                    best = Some((line.time, path.clone(), line.seq, block.source_id, line));
                }
            }
        }
        best.map(|(_, _, _, source_id, line)| lookups.line_event(source_id, line))
            .transpose()
    }
}

impl ListingLookups<'_> {
    /// A block line as an event.
    fn line_event(&mut self, source_id: i64, line: Line) -> Result<EventRow> {
        let store = self.store;
        let (template_id, template) = self
            .clusters(source_id)?
            .get(&line.cluster)
            .cloned()
            .ok_or_else(|| {
                Error::Input(format!(
                    "{}: a line refers to a template that is not stored",
                    store.path.display()
                ))
            })?;
        let source = ListingLookups::source(store, &mut self.sources, source_id)?;
        let message = match line.message {
            Message::Range(from, to) => self.recall.text(
                &source.file,
                line.bytes.0 + u64::from(from),
                line.bytes.0 + u64::from(to),
            )?,
            Message::Text(text) => text,
        };
        Ok(EventRow {
            id: None,
            source_id,
            source: source.file.path.clone(),
            sha256: source.sha256.clone(),
            parser: source.parser.clone(),
            seq: line.seq as i64,
            time: line.time,
            time_quality: line.quality,
            line: Some(line.line as i64),
            locator: line
                .locator
                .unwrap_or_else(|| format!("line {}", line.line)),
            kind: "log".to_string(),
            level: line.level.map(std::borrow::Cow::into_owned),
            actor: None,
            host: line.host,
            service: line.service,
            message,
            template_id,
            template,
            system: line.system.map(Cow::into_owned),
            human: None,
            chatter: false,
            identifiers: line.identifiers,
            attributes: line
                .attributes
                .and_then(|a| serde_json::from_str(&a).ok())
                .unwrap_or_default(),
        })
    }
}

/// The lines of a time range in time order (then source and position), for
/// merging with the rows of `events`. Blocks are decoded when the merge
/// reaches their first time, so only the blocks that overlap the current
/// instant are in memory.
pub(super) struct LineStream {
    waiting: VecDeque<BlockSpan>,
    from: i64,
    to: i64,
    /// Decoded lines of open blocks, taken as they are merged, and how
    /// many are left.
    open: Vec<(Vec<Option<Line>>, usize)>,
    next: BinaryHeap<Reverse<Next>>,
}

/// A line waiting to be merged: its time, source and position, and where
/// it is (open block, place in it).
type Next = (i64, i64, u64, usize, usize);

impl LineStream {
    pub(super) fn new(store: &Store, from: i64, to: i64, notable_only: bool) -> Result<LineStream> {
        Ok(LineStream {
            waiting: store.blocks_in(from, to, notable_only)?.into(),
            from,
            to,
            open: Vec::new(),
            next: BinaryHeap::new(),
        })
    }

    /// The time of the next line, opening every block that may hold an
    /// earlier one.
    pub(super) fn peek_time(&mut self, store: &Store) -> Result<Option<i64>> {
        loop {
            let head = self.next.peek().map(|Reverse(k)| k.0);
            let opens = self
                .waiting
                .front()
                .is_some_and(|block| head.is_none_or(|t| block.first_time <= t));
            match self.waiting.pop_front() {
                Some(block) if opens => self.open_block(store, &block)?,
                Some(block) => {
                    self.waiting.push_front(block);
                    return Ok(head);
                }
                None => return Ok(head),
            }
        }
    }

    fn open_block(&mut self, store: &Store, block: &BlockSpan) -> Result<()> {
        let slot = self.open.len();
        let lines: Vec<Option<Line>> = store
            .block_lines(block)?
            .into_iter()
            .filter(|l| (self.from..=self.to).contains(&l.time))
            .map(Some)
            .collect();
        for (i, line) in lines.iter().enumerate() {
            if let Some(l) = line {
                self.next
                    .push(Reverse((l.time, block.source_id, l.seq, slot, i)));
            }
        }
        let left = lines.len();
        self.open.push((lines, left));
        Ok(())
    }

    /// The next line, as an event (call after [`LineStream::peek_time`]).
    pub(super) fn pop(&mut self, lookups: &mut ListingLookups<'_>) -> Result<Option<EventRow>> {
        let Some(Reverse((_, source_id, _, slot, i))) = self.next.pop() else {
            return Ok(None);
        };
        let (lines, left) = &mut self.open[slot];
        let line = lines[i].take();
        *left -= 1;
        // A block whose lines are all merged is released.
        if *left == 0 {
            *lines = Vec::new();
        }
        line.map(|line| lookups.line_event(source_id, line))
            .transpose()
    }
}
