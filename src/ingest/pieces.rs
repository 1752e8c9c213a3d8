//! Reading a source: the first pass (hash, size), and parsing a large one
//! in pieces on several threads, normalized in order.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use factline_parsers::{Context, Parser, Problem, Record, RecordSink};
use sha2::{Digest, Sha256};

use super::normalize::{Normalizer, Verbatim};
use super::SNIFF_BYTES;
use crate::prefetch::prefetch;

/// What the first pass learns about a source.
pub(super) struct Scan {
    /// `None` when the source is hashed while it is parsed ([`Hashing`]).
    pub(super) sha256: Option<String>,
    pub(super) bytes: u64,
    pub(super) head: Vec<u8>,
    pub(super) blank: bool,
}

/// The whole first pass: hash, size and head.
pub(super) fn scan(reader: &mut dyn Read) -> std::io::Result<Scan> {
    let head = read_head(reader)?;
    scan_after(reader, head)
}

/// The first pass of a plain file of `size` bytes that is hashed while it
/// is parsed: only its head, unless the head is blank and more follows
/// (then the whole pass tells whether anything but whitespace does).
pub(super) fn scan_head(reader: &mut dyn Read, size: u64) -> std::io::Result<Scan> {
    let head = read_head(reader)?;
    let blank = head.iter().all(u8::is_ascii_whitespace);
    if blank && size > head.len() as u64 {
        return scan_after(reader, head);
    }
    Ok(Scan {
        sha256: None,
        bytes: size,
        head,
        blank,
    })
}

fn read_head(reader: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    reader.take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The rest of the first pass, after `head` was read.
fn scan_after(reader: &mut dyn Read, head: Vec<u8>) -> std::io::Result<Scan> {
    let mut hashing = Hashing::new(reader);
    hashing.hasher.update(&head);
    hashing.bytes = head.len() as u64;
    let mut blank = head.iter().all(u8::is_ascii_whitespace);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = hashing.read(&mut buf)?;
        if n == 0 {
            break;
        }
        blank &= buf[..n].iter().all(u8::is_ascii_whitespace);
    }
    let (sha256, bytes) = hashing.finish()?;
    Ok(Scan {
        sha256: Some(sha256),
        bytes,
        head,
        blank,
    })
}

/// Hashes and counts the bytes read through it: the first pass, or the
/// second of a source not hashed before it is parsed, so that a large
/// file is read once while both cores parse it.
pub(super) struct Hashing<'r> {
    inner: &'r mut dyn Read,
    hasher: Sha256,
    bytes: u64,
}

impl<'r> Hashing<'r> {
    pub(super) fn new(inner: &'r mut dyn Read) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The SHA-256 and size of every byte, reading what is left unread
    /// (a parse that stopped early).
    pub(super) fn finish(mut self) -> std::io::Result<(String, u64)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok((hex::encode(self.hasher.finalize()), self.bytes))
    }
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Bytes parsed at a time when streaming a line format.
const PIECE: usize = 1 << 20;

/// Bytes without a line that begins a record after which a piece is cut
/// anyway. Far past the 1 MiB line limit, so a line over it is still read
/// whole and rejected as one line by its number.
const ENDLESS: usize = 64 << 20;

/// What parsing hands to normalizing, in input order. Nearly every item is
/// a record, so records are not boxed (an allocation each).
#[allow(clippy::large_enum_variant)]
pub(super) enum Parsed {
    Record(Record, Verbatim),
    Problem(Problem),
    /// The end of a piece of so many lines and bytes.
    PieceEnd {
        lines: u64,
        bytes: u64,
    },
}

/// How many records ahead of the one being normalized have their text
/// fetched into the cache ([`prefetch_texts`]); the lists holding text,
/// twice as far ahead ([`prefetch_lists`]), so that the texts in them can
/// be found without waiting.
const PREFETCH_AHEAD: usize = 4;

/// Asks the processor to bring the text of a record about to be
/// normalized into its cache. Records are parsed on other cores, into
/// memory this one has not seen; waiting for each part as it was first
/// read (the message, locator, attributes, host) was about a fifth of
/// normalizing an export.
fn prefetch_texts(record: &Record) {
    prefetch(record.message.as_ptr());
    prefetch(record.time.text.as_ptr());
    for text in [&record.locator, &record.host, &record.service]
        .into_iter()
        .flatten()
    {
        prefetch(text.as_ptr());
    }
    for (key, value) in &record.attributes {
        if let Cow::Owned(key) = key {
            prefetch(key.as_ptr());
        }
        prefetch(value.as_ptr());
    }
    for identifier in &record.identifiers {
        prefetch(identifier.as_ptr());
    }
}

/// [`prefetch_texts`] for the lists of a record's texts.
fn prefetch_lists(record: &Record) {
    if !record.attributes.is_empty() {
        prefetch(record.attributes.as_ptr().cast());
    }
    if !record.identifiers.is_empty() {
        prefetch(record.identifiers.as_ptr().cast());
    }
}

/// Pieces handed to parsing but not yet normalized: they and their
/// records are what a large source holds in memory.
const PIECES_AHEAD: usize = 4;

/// Threads parsing one source's pieces, at most.
const PARSERS: usize = 4;

/// A parser's sink that collects one piece's records for normalizing.
pub(super) struct Handover<'b, 'i> {
    pub(super) bytes: &'b [u8],
    items: &'i mut Vec<Parsed>,
}

impl<'b, 'i> Handover<'b, 'i> {
    pub(super) fn new(bytes: &'b [u8], items: &'i mut Vec<Parsed>) -> Handover<'b, 'i> {
        Handover { bytes, items }
    }

    /// Hands over a record whose verbatim parts were found already.
    pub(super) fn push(&mut self, record: Record, verbatim: Verbatim) {
        self.items.push(Parsed::Record(record, verbatim));
    }

    /// Hands over the piece's size, after its records.
    pub(super) fn finish(self, lines: u64, bytes: u64) {
        self.items.push(Parsed::PieceEnd { lines, bytes });
    }
}

impl RecordSink for Handover<'_, '_> {
    fn record(&mut self, record: Record) {
        let verbatim = Verbatim::find(&record, self.bytes);
        self.push(record, verbatim);
    }

    fn problem(&mut self, problem: Problem) {
        self.items.push(Parsed::Problem(problem));
    }
}

/// Feeds a line format its input piece by piece, each piece ending just
/// before a line that begins a record, so no record is split (see
/// [`in_parallel`]).
pub(super) fn parse_in_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    sink: &mut Normalizer<'_>,
) -> std::io::Result<()> {
    in_parallel(
        sink,
        |each| read_pieces(reader, parser, each),
        |piece: Vec<u8>, items| {
            let mut handover = Handover::new(&piece, items);
            parser.parse_in(&piece, context, &mut handover);
            handover.finish(
                memchr::memchr_iter(b'\n', &piece).count() as u64,
                piece.len() as u64,
            );
        },
    )
}

/// Parses a source's pieces, which `cut` hands over in input order, on
/// several threads while this one cuts and another normalizes (template
/// mining, times, blocks) in input order, so one large source keeps every
/// core busy. The normalizer shifts line numbers and byte offsets to the
/// whole input's by each piece's [`Parsed::PieceEnd`]. Memory is bounded
/// by [`PIECES_AHEAD`]: a piece is cut only when one of that many before
/// it has been normalized.
pub(super) fn in_parallel<P: Send>(
    sink: &mut Normalizer<'_>,
    cut: impl FnOnce(&mut dyn FnMut(P)) -> std::io::Result<()>,
    parse: impl Fn(P, &mut Vec<Parsed>) + Sync,
) -> std::io::Result<()> {
    let parsers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, PARSERS));
    in_order(parsers, cut, parse, |items| {
        // Records are used in place: moving each out costs a copy of the
        // whole struct, a visible share of the per-line cost.
        for at in 0..items.len() {
            if let Some(Parsed::Record(far, verbatim)) = items.get(at + 2 * PREFETCH_AHEAD) {
                prefetch_lists(far);
                sink.prefetch(verbatim, false);
            }
            if let Some(Parsed::Record(near, verbatim)) = items.get(at + PREFETCH_AHEAD) {
                prefetch_texts(near);
                sink.prefetch(verbatim, true);
            }
            match &mut items[at] {
                Parsed::Record(record, verbatim) => sink.record(record, *verbatim),
                Parsed::Problem(problem) => sink.problem(problem.clone()),
                Parsed::PieceEnd { lines, bytes } => {
                    sink.line_base += *lines;
                    sink.byte_base += *bytes;
                }
            }
        }
    })
}

/// The threads of [`in_parallel`], `parsers` of them parsing: `use_parsed`
/// gets each piece's items on one thread, in the order `cut` handed the
/// pieces over. A panic while parsing a piece is carried on once every
/// piece is through, so no thread is left waiting for a piece or a parser.
fn in_order<P: Send>(
    parsers: usize,
    cut: impl FnOnce(&mut dyn FnMut(P)) -> std::io::Result<()>,
    parse: impl Fn(P, &mut Vec<Parsed>) + Sync,
    mut use_parsed: impl FnMut(&mut Vec<Parsed>) + Send,
) -> std::io::Result<()> {
    let panicked = Mutex::new(None);
    let (work, pieces) = sync_channel::<(usize, P)>(0);
    let pieces = Mutex::new(pieces);
    let (parsed, results) = sync_channel::<(usize, Vec<Parsed>)>(PIECES_AHEAD);
    let (room, slots) = sync_channel::<()>(PIECES_AHEAD);
    for _ in 0..PIECES_AHEAD {
        let _ = room.send(());
    }
    // Vectors of items go back to the parsing threads to be filled
    // again: what is left of their records is freed there, where it
    // was allocated, which the allocator does fastest, and their
    // memory is not taken (and zeroed by the kernel) anew.
    let (spent, spares) = sync_channel::<Vec<Parsed>>(PIECES_AHEAD);
    let spares = Mutex::new(spares);
    std::thread::scope(|scope| {
        let parse = &parse;
        let (pieces, spares, panicked) = (&pieces, &spares, &panicked);
        let workers: Vec<_> = (0..parsers)
            .map(|_| {
                let parsed = parsed.clone();
                scope.spawn(move || loop {
                    let next = pieces.lock().ok().and_then(|p| p.recv().ok());
                    let Some((index, piece)) = next else {
                        break;
                    };
                    let spare = spares.lock().ok().and_then(|s| s.try_recv().ok());
                    let mut items = spare.unwrap_or_default();
                    items.clear();
                    let outcome = catch_unwind(AssertUnwindSafe(|| parse(piece, &mut items)));
                    if let Err(panic) = outcome {
                        if let Ok(mut first) = panicked.lock() {
                            first.get_or_insert(panic);
                        }
                    }
                    // Sent after a panic too, so that normalizing is not
                    // left waiting for this piece.
                    if parsed.send((index, items)).is_err() {
                        break;
                    }
                })
            })
            .collect();
        drop(parsed);
        let normalizing = scope.spawn(move || {
            let mut waiting = BTreeMap::new();
            let mut next = 0usize;
            for (index, items) in results {
                waiting.insert(index, items);
                while let Some(mut items) = waiting.remove(&next) {
                    use_parsed(&mut items);
                    next += 1;
                    let _ = spent.try_send(items);
                    let _ = room.send(());
                }
            }
        });
        let mut index = 0;
        // A closed channel means normalizing or parsing stopped on a panic,
        // which the joins below carry on.
        let read = cut(&mut |piece| {
            if slots.recv().is_ok() && work.send((index, piece)).is_ok() {
                index += 1;
            }
        });
        drop(work);
        for worker in workers {
            if let Err(panic) = worker.join() {
                resume_unwind(panic);
            }
        }
        if let Err(panic) = normalizing.join() {
            resume_unwind(panic);
        }
        if let Some(panic) = panicked.lock().ok().and_then(|mut first| first.take()) {
            resume_unwind(panic);
        }
        read
    })
}

/// Cuts `reader` into pieces ending before a line that begins a record,
/// about [`PIECE`] bytes each, and hands them to `each` in order.
fn read_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    each: &mut dyn FnMut(Vec<u8>),
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(PIECE);
    let mut eof = fill(reader, &mut buf, PIECE)?;
    loop {
        if buf.is_empty() {
            return Ok(());
        }
        let cut = if eof {
            buf.len()
        } else {
            match cut_before_record(&buf, parser) {
                Some(cut) => cut,
                // No record starts in this much: one endless line or
                // continuation; cut anyway, the line limit reports it.
                None if buf.len() >= ENDLESS => buf.len(),
                None => {
                    let more = buf.len() + PIECE;
                    eof = fill(reader, &mut buf, more)?;
                    continue;
                }
            }
        };
        let mut rest = Vec::with_capacity(PIECE.max(buf.len() - cut));
        rest.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        each(std::mem::replace(&mut buf, rest));
        eof = eof || fill(reader, &mut buf, PIECE)?;
    }
}

/// Reads into `buf` until it holds `until` bytes or the input ends;
/// whether it ended.
pub(super) fn fill(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    until: usize,
) -> std::io::Result<bool> {
    let Some(wanted) = until.checked_sub(buf.len()).filter(|&n| n > 0) else {
        return Ok(false);
    };
    // Into the spare capacity: readers that can (files) fill it without
    // zeroing it first.
    let got = reader.take(wanted as u64).read_to_end(buf)?;
    Ok(got < wanted)
}

/// The start of the last complete line in `buf` that begins a record, the
/// line before it not going on in it (never 0: a piece must make
/// progress).
fn cut_before_record(buf: &[u8], parser: &dyn Parser) -> Option<usize> {
    let mut end = memchr::memrchr(b'\n', buf)?;
    for _ in 0..10_000 {
        let start = memchr::memrchr(b'\n', &buf[..end]).map(|i| i + 1)?;
        let line = &buf[start..end];
        if start > 0 && parser.starts_record(without_cr(line)) == Some(true) {
            let previous_start = memchr::memrchr(b'\n', &buf[..start - 1]).map_or(0, |i| i + 1);
            if !parser.continues_after(without_cr(&buf[previous_start..start - 1])) {
                return Some(start);
            }
        }
        end = start - 1;
    }
    None
}

fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the parsing threads interleave, pieces are used in the
    /// order they were cut, each whole, and a piece may be parsed while
    /// an earlier one is still being used.
    #[test]
    fn pieces_parsed_on_several_threads_are_used_in_order() {
        let mut used = Vec::new();
        in_order(
            3,
            |each| {
                for n in 0..300u64 {
                    each(n);
                }
                Ok(())
            },
            |n, items| {
                // Later pieces often finish first.
                if n % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                for line in 0..=n % 3 {
                    items.push(Parsed::PieceEnd {
                        lines: n,
                        bytes: line,
                    });
                }
            },
            |items| {
                for item in items.iter() {
                    if let Parsed::PieceEnd { lines, bytes } = item {
                        used.push((*lines, *bytes));
                    }
                }
            },
        )
        .unwrap();
        let expected: Vec<(u64, u64)> = (0..300u64)
            .flat_map(|n| (0..=n % 3).map(move |line| (n, line)))
            .collect();
        assert_eq!(used, expected);
    }

    /// A container runtime's line split in parts is never cut between
    /// them: the cut moves before the first part.
    #[test]
    fn a_split_line_is_not_cut_between_its_parts() {
        let parsers = factline_parsers::registry::builtin();
        let cri = parsers
            .iter()
            .find(|p| p.id() == "cri-log")
            .expect("cri-log");
        let buf = b"2026-03-01T10:00:00.000000001Z stdout F whole\n\
2026-03-01T10:00:01.000000001Z stdout P first part, \n\
2026-03-01T10:00:01.000000002Z stdout F second part\n\
2026-03-01T10:00:02.0000";
        let first_part = buf.iter().position(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(cut_before_record(buf, cri.as_ref()), Some(first_part));
        // A line format without parts is cut before its last whole line.
        let logfmt = parsers.iter().find(|p| p.id() == "logfmt").expect("logfmt");
        let lines = b"level=info msg=a\nlevel=info msg=b\nlevel=info msg=c\nlevel=in";
        assert_eq!(cut_before_record(lines, logfmt.as_ref()), Some(34));
    }

    /// A parser that panics on pieces stops the run with its panic once
    /// every piece is through; it does not leave the other threads waiting
    /// for a piece, not even with one parsing thread.
    #[test]
    fn a_panic_while_parsing_a_piece_is_carried_on_not_a_hang() {
        for parsers in [1, 2, 4] {
            let mut used = 0;
            let run = catch_unwind(AssertUnwindSafe(|| {
                in_order(
                    parsers,
                    |each| {
                        for n in 0..50u64 {
                            each(n);
                        }
                        Ok(())
                    },
                    |n, _items| assert!(n % 9 != 0, "a parser bug"),
                    |_items| used += 1,
                )
            }));
            assert!(run.is_err(), "{parsers} parsing threads");
            assert_eq!(used, 50, "{parsers} parsing threads");
        }
    }
}
