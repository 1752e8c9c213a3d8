//! Reading a source: the first pass (hash, size), and parsing a large one
//! in pieces on several threads, handed over in order.

use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use factline_parsers::{Context, Parser, Problem, Record, RecordSink};
use sha2::{Digest, Sha256};

use super::normalize::{Normalizer, Verbatim};
use super::SNIFF_BYTES;

/// What the first pass learns about a source.
pub(super) struct Scan {
    pub(super) sha256: String,
    pub(super) bytes: u64,
    pub(super) head: Vec<u8>,
    pub(super) blank: bool,
}

pub(super) fn scan(reader: &mut dyn Read) -> std::io::Result<Scan> {
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut bytes = 0u64;
    let mut blank = true;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        let room = SNIFF_BYTES - head.len();
        head.extend_from_slice(&chunk[..n.min(room)]);
        blank &= chunk.iter().all(u8::is_ascii_whitespace);
        bytes += n as u64;
    }
    Ok(Scan {
        sha256: hex::encode(hasher.finalize()),
        bytes,
        head,
        blank,
    })
}

/// Bytes parsed at a time when streaming a line format.
const PIECE: usize = 16 << 20;

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

/// Records handed over at a time.
const HANDOVER: usize = 4096;

/// Pieces handed over but not yet normalized (bounds memory).
const HANDOVERS_IN_FLIGHT: usize = 4;

/// A parser's sink that hands records over to the normalizing thread.
pub(super) struct Handover<'b, 't> {
    pub(super) bytes: &'b [u8],
    items: Vec<Parsed>,
    pub(super) channel: &'t HandoverChannel,
}

/// Both ways between parsing and normalizing: full vectors one way, the
/// used ones back, so their memory is reused rather than allocated (and
/// zeroed by the kernel) again for every few thousand records.
pub(super) struct HandoverChannel {
    full: SyncSender<Vec<Parsed>>,
    pub(super) used: Receiver<Vec<Parsed>>,
}

impl HandoverChannel {
    /// A vector to fill. What is left of the records in a returned one is
    /// dropped here: they were allocated on this thread, and the allocator
    /// frees memory fastest on the thread that allocated it.
    pub(super) fn empty(&self) -> Vec<Parsed> {
        match self.used.try_recv() {
            Ok(mut used) => {
                used.clear();
                used
            }
            Err(_) => Vec::with_capacity(HANDOVER),
        }
    }
}

impl<'b, 't> Handover<'b, 't> {
    pub(super) fn new(bytes: &'b [u8], channel: &'t HandoverChannel) -> Handover<'b, 't> {
        Handover {
            bytes,
            items: channel.empty(),
            channel,
        }
    }

    pub(super) fn send(&mut self) {
        let items = std::mem::replace(&mut self.items, self.channel.empty());
        // A closed channel means normalizing stopped; the join reports it.
        let _ = self.channel.full.send(items);
    }

    /// Hands over a record whose verbatim parts were found already.
    pub(super) fn push(&mut self, record: Record, verbatim: Verbatim) {
        self.items.push(Parsed::Record(record, verbatim));
        if self.items.len() >= HANDOVER {
            self.send();
        }
    }

    /// Hands over the rest of a piece and its size.
    pub(super) fn finish(mut self, lines: u64, bytes: u64) {
        self.items.push(Parsed::PieceEnd { lines, bytes });
        let _ = self.channel.full.send(std::mem::take(&mut self.items));
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
/// before a line that begins a record, so no record is split. Parsing (on
/// this thread) and normalizing (template mining, times, blocks; on a
/// second one) overlap, so one large source keeps two cores busy; the
/// order of records is kept, and the normalizer shifts line numbers and
/// byte offsets to the whole input's.
pub(super) fn parse_in_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    sink: &mut Normalizer<'_>,
) -> std::io::Result<()> {
    on_two_threads(sink, |channel| {
        read_pieces(reader, parser, context, channel)
    })
}

/// Runs `parse`, which hands pieces' records over `channel`, on this thread
/// and normalizing on a second one.
pub(super) fn on_two_threads(
    sink: &mut Normalizer<'_>,
    parse: impl FnOnce(&HandoverChannel) -> std::io::Result<()>,
) -> std::io::Result<()> {
    std::thread::scope(|scope| {
        let (full, rx) = sync_channel::<Vec<Parsed>>(HANDOVERS_IN_FLIGHT);
        let (back, used) = sync_channel::<Vec<Parsed>>(HANDOVERS_IN_FLIGHT + 2);
        let normalizing = scope.spawn(move || {
            for mut items in rx {
                // Records are used in place: moving each out costs a copy
                // of the whole struct, a visible share of the per-line cost.
                for item in &mut items {
                    match item {
                        Parsed::Record(record, verbatim) => sink.record(record, *verbatim),
                        Parsed::Problem(problem) => sink.problem(problem.clone()),
                        Parsed::PieceEnd { lines, bytes } => {
                            sink.line_base += *lines;
                            sink.byte_base += *bytes;
                        }
                    }
                }
                let _ = back.try_send(items);
            }
        });
        let channel = HandoverChannel { full, used };
        let read = parse(&channel);
        drop(channel);
        if let Err(panic) = normalizing.join() {
            std::panic::resume_unwind(panic);
        }
        read
    })
}

fn read_pieces(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    channel: &HandoverChannel,
) -> std::io::Result<()> {
    let buf = &mut Vec::with_capacity(PIECE);
    let mut eof = fill(reader, buf, PIECE)?;
    loop {
        if buf.is_empty() {
            return Ok(());
        }
        let cut = if eof {
            buf.len()
        } else {
            match cut_before_record(buf, parser) {
                Some(cut) => cut,
                // No record starts in a piece this large: one endless line
                // or continuation; cut anyway, the line limit reports it.
                None if buf.len() >= 4 * PIECE => buf.len(),
                None => {
                    let more = buf.len() + PIECE;
                    eof = fill(reader, buf, more)?;
                    continue;
                }
            }
        };
        let mut handover = Handover::new(&buf[..cut], channel);
        parser.parse_in(&buf[..cut], context, &mut handover);
        handover.finish(
            memchr::memchr_iter(b'\n', &buf[..cut]).count() as u64,
            cut as u64,
        );
        buf.drain(..cut);
        eof = eof || fill(reader, buf, PIECE)?;
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

/// The start of the last complete line in `buf` that begins a record
/// (never 0: a piece must make progress).
fn cut_before_record(buf: &[u8], parser: &dyn Parser) -> Option<usize> {
    let mut end = memchr::memrchr(b'\n', buf)?;
    for _ in 0..10_000 {
        let start = memchr::memrchr(b'\n', &buf[..end]).map(|i| i + 1)?;
        let line = &buf[start..end];
        if start > 0 && parser.starts_record(line.strip_suffix(b"\r").unwrap_or(line)) == Some(true)
        {
            return Some(start);
        }
        end = start - 1;
    }
    None
}
