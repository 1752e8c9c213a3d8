//! Streaming a large JSON document whose records are the elements of
//! arrays (an Elasticsearch export's `hits.hits`, a Loki response's
//! `values`), for parsers that say they may be fed such pieces
//! ([`Parser::json_record_arrays`]).
//!
//! The input is scanned once, byte by byte, keeping the stack of open
//! objects and arrays. About every [`PIECE`] bytes it is cut right after
//! the comma that ends an element of one of the parser's record arrays. Each piece
//! is handed to the parser as a document of its own: the containers still
//! open at its start are reopened by a prefix (an object with the members
//! before the open one, so labels and envelope fields stay in view; an
//! array with its finished elements left out), and those open at its end
//! are closed by a suffix. The parser's positions are then moved back to
//! the input's: byte offsets by the prefix's length, and array indices in
//! locators by the elements left out (`$.data.result[0].values[3]` in a
//! piece becomes `$.data.result[5].values[17003]`). The prefix holds no
//! line break, so line numbers stay right. An object member whose value
//! spanned a cut and then ended is reopened as `null` (it was read).
//!
//! A file that is not one JSON document but documents one after another
//! (one per line, as NDJSON exports and captured webhooks are) is cut
//! between documents instead, about every [`PIECE`] bytes; a piece holds
//! whole documents, and the parser's `document N` locators are numbered
//! as in the whole file. Only a first document so large that it was
//! already cut inside before a second one showed is followed by the rest
//! read whole, under the same size limit as other documents.

use std::io::Read;

use factline_parsers::{Context, Parser, Problem, Record, RecordSink};

use super::normalize::{Normalizer, Verbatim};
use super::pieces::{fill, in_parallel, Handover};
use crate::evidence::MAX_MEMBER_BYTES;

/// Bytes parsed at a time.
const PIECE: usize = 1 << 20;

/// One open object or array.
#[derive(Debug, Clone)]
struct Level {
    array: bool,
    /// Input offset of the opening byte.
    open: u64,
    /// For a container opened before the current piece: its reopening
    /// text up to its child that was open at that cut.
    head: Option<Vec<u8>>,
    /// Input offset where that child of a carried container ended, when
    /// it has (then it is reopened as `null`).
    child_end: Option<u64>,
    /// Elements before the open or next one (arrays: commas seen).
    commas: u64,
    /// Objects: the start offset of the last key (its opening quote) and
    /// whether the next string is a key.
    key_at: u64,
    expect_key: bool,
    /// Objects: the key of the member open at the last cut.
    key: Option<String>,
}

/// The scanner's state between pieces.
#[derive(Debug, Default)]
struct Scanner {
    stack: Vec<Level>,
    in_string: bool,
    escaped: bool,
    /// The top-level value has ended.
    ended: bool,
    started: bool,
    /// The prefix reopening the containers open at the current piece's start.
    prefix: Vec<u8>,
    /// The input is documents one after another: cut between them.
    stream: bool,
    /// Top-level values ended so far.
    documents: u64,
    /// The last byte scanned outside strings was a line break (or none
    /// was scanned yet).
    line_start: bool,
    /// In a stream, the document under way began a line.
    document_began_line: bool,
    /// In a stream, a document that began a line was still open at the
    /// line break just scanned: if the next line starts another, it was
    /// broken (see [`Scanner::scan`]).
    open_at_break: bool,
}

/// The path of the array at the top of `stack` in the form of
/// [`Parser::json_record_arrays`] (`data.result[].values`), keys read from
/// `buf` (input offset `at`) or, for containers from before it, kept.
fn pattern(stack: &[Level], buf: &[u8], at: u64) -> String {
    let mut out = String::new();
    for level in &stack[..stack.len().saturating_sub(1)] {
        if level.array {
            out.push_str("[]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&key_of(level, buf, at).unwrap_or_default());
        }
    }
    out
}

/// The key of an object's open member.
fn key_of(level: &Level, buf: &[u8], at: u64) -> Option<String> {
    if level.key_at < at {
        return level.key.clone();
    }
    let from = usize::try_from(level.key_at - at + 1).ok()?;
    let rest = buf.get(from..)?;
    let end = memchr::memchr(b'"', rest)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Where a scan stopped.
enum Stop {
    /// A cut after the comma at this offset in `buf` (exclusive end of the
    /// piece's content is the comma itself).
    Cut(usize),
    /// The buffer ended without a cut.
    End,
    /// The top-level value ended and something else follows.
    NotOneDocument,
    /// Documents one after another: a cut after the document that ends
    /// at this offset in `buf` (exclusive).
    DocumentEnd(usize),
}

impl Scanner {
    /// Scans `buf` (input offset `at` for its first byte) from `from`;
    /// stops at the first comma at or after `want` between two elements
    /// of one of `arrays` (see [`pattern`]).
    fn scan(
        &mut self,
        buf: &[u8],
        at: u64,
        from: usize,
        want: usize,
        arrays: &[&str],
    ) -> (Stop, usize) {
        let mut i = from;
        if self.escaped {
            // The byte after a backslash that ended the last buffer.
            self.escaped = false;
            i += 1;
        }
        while i < buf.len() {
            if std::mem::take(&mut self.open_at_break) && matches!(buf[i], b'{' | b'[') {
                // Documents one per line, and one left open at its line's
                // end (cut mid-write): it ends there, as the parser's
                // whole-file reading ends it, so a broken line never
                // holds the rest of the file in one piece.
                self.stack.clear();
                self.in_string = false;
                self.ended = true;
                self.line_start = true;
                if i >= want {
                    return (Stop::DocumentEnd(i), i);
                }
            }
            if self.in_string {
                // In a stream, a line break in a string is a line cut short.
                let found = if self.stream {
                    memchr::memchr3(b'"', b'\\', b'\n', &buf[i..])
                } else {
                    memchr::memchr2(b'"', b'\\', &buf[i..])
                };
                match found {
                    None => return (Stop::End, buf.len()),
                    Some(j) => {
                        i += j;
                        if buf[i] == b'\n' {
                            self.open_at_break = self.document_began_line;
                            i += 1;
                            continue;
                        }
                        if buf[i] == b'\\' {
                            if i + 1 == buf.len() {
                                self.escaped = true;
                                return (Stop::End, buf.len());
                            }
                            i += 2;
                            continue;
                        }
                        self.in_string = false;
                        i += 1;
                        continue;
                    }
                }
            }
            let b = buf[i];
            let offset = at + i as u64;
            match b {
                b'"' => {
                    if self.ended && !self.next_document() {
                        return (Stop::NotOneDocument, i);
                    }
                    self.started = true;
                    self.in_string = true;
                    if let Some(top) = self.stack.last_mut() {
                        if !top.array && top.expect_key {
                            top.key_at = offset;
                            top.expect_key = false;
                        }
                    }
                }
                b'{' | b'[' => {
                    if self.ended && !self.next_document() {
                        return (Stop::NotOneDocument, i);
                    }
                    if self.stack.is_empty() {
                        self.document_began_line = self.line_start;
                    }
                    self.started = true;
                    self.stack.push(Level {
                        array: b == b'[',
                        open: offset,
                        head: None,
                        child_end: None,
                        commas: 0,
                        key_at: 0,
                        expect_key: b == b'{',
                        key: None,
                    });
                }
                // A closer with nothing open is no document's end but a
                // broken line, which the parser reports.
                b'}' | b']' if self.stack.is_empty() => {
                    if self.ended && !self.next_document() {
                        return (Stop::NotOneDocument, i);
                    }
                    self.started = true;
                }
                b'}' | b']' => {
                    self.stack.pop();
                    match self.stack.last_mut() {
                        Some(parent) if parent.head.is_some() && parent.child_end.is_none() => {
                            parent.child_end = Some(offset + 1);
                        }
                        Some(_) => {}
                        None => {
                            self.ended = true;
                            self.documents += 1;
                            if self.stream && i >= want {
                                return (Stop::DocumentEnd(i + 1), i + 1);
                            }
                        }
                    }
                }
                b',' => {
                    let array = match self.stack.last_mut() {
                        Some(top) => {
                            top.commas += 1;
                            top.expect_key = !top.array;
                            top.array
                        }
                        None => false,
                    };
                    if array
                        && i >= want
                        && arrays.contains(&pattern(&self.stack, buf, at).as_str())
                    {
                        return (Stop::Cut(i), i + 1);
                    }
                }
                b'\n' => {
                    self.open_at_break =
                        self.stream && self.document_began_line && !self.stack.is_empty();
                    self.line_start = true;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' | b':' => {}
                b'\xef' | b'\xbb' | b'\xbf' if !self.started => {
                    i += 1;
                    continue;
                }
                _ => {
                    if self.ended && !self.next_document() {
                        return (Stop::NotOneDocument, i);
                    }
                    self.started = true;
                }
            }
            self.line_start = false;
            i += 1;
        }
        (Stop::End, buf.len())
    }

    /// Whether another document may start after the one that ended: in a
    /// stream of documents, yes (and it is under way).
    fn next_document(&mut self) -> bool {
        if self.stream {
            self.ended = false;
        }
        self.stream
    }

    /// After a cut whose piece ended at `buf[end]` (`buf[0]` being input
    /// offset `at`): the prefix, paths and bases for the next piece, and
    /// the arrays it continues with their paths and left-out elements.
    fn cut(&mut self, buf: &[u8], at: u64) -> Vec<(String, u64)> {
        let in_buf = |from: u64, to: u64| -> &[u8] {
            let lo = (from.saturating_sub(at) as usize).min(buf.len());
            let hi = (to.saturating_sub(at) as usize).clamp(lo, buf.len());
            &buf[lo..hi]
        };
        let mut prefix = Vec::new();
        let mut path = String::from("$");
        let mut open = Vec::new();
        for d in 0..self.stack.len() {
            let child_open = self.stack.get(d + 1).map(|c| c.open);
            let level = &self.stack[d];
            let head = match (level.array, &level.head, child_open) {
                (true, _, _) | (false, _, None) => vec![if level.array { b'[' } else { b'{' }],
                (false, Some(old), Some(child)) => match level.child_end {
                    // The member open at the last cut ended and another
                    // opened: the ended one was read, and stays as null.
                    Some(end) => [old.as_slice(), b"null", in_buf(end, child)].concat(),
                    None => old.clone(),
                },
                (false, None, Some(child)) => in_buf(level.open, child).to_vec(),
            };
            let key = if level.array {
                None
            } else {
                key_of(level, buf, at)
            };
            let level = &mut self.stack[d];
            level.child_end = None;
            if level.array {
                open.push((path.clone(), level.commas));
                path.push_str("[0]");
            } else {
                path.push('.');
                path.push_str(key.as_deref().unwrap_or(""));
            }
            level.key = key;
            let head: Vec<u8> = head
                .into_iter()
                .map(|b| if matches!(b, b'\n' | b'\r') { b' ' } else { b })
                .collect();
            prefix.extend_from_slice(&head);
            level.head = Some(head);
        }
        self.prefix = prefix;
        open
    }

    /// The suffix closing the containers open now.
    fn suffix(&self) -> Vec<u8> {
        self.stack
            .iter()
            .rev()
            .map(|l| if l.array { b']' } else { b'}' })
            .collect()
    }

    /// A locator of a piece's document as a locator of the input, given the
    /// arrays the piece continues (`open`, outermost first), written into
    /// `out`.
    fn write_locator(open: &[(String, u64)], locator: &str, out: &mut String) {
        let mut done = 0;
        for (path, base) in open {
            let Some(rest) = locator.strip_prefix(path.as_str()) else {
                continue;
            };
            let Some(digits) = rest.strip_prefix('[') else {
                continue;
            };
            let len = digits.bytes().take_while(u8::is_ascii_digit).count();
            let Ok(n) = digits[..len].parse::<u64>() else {
                continue;
            };
            let at = path.len() + 1;
            if at < done {
                continue;
            }
            out.push_str(&locator[done..at]);
            out.push_str(itoa::Buffer::new().format(n + base));
            done = at + len;
        }
        out.push_str(&locator[done..]);
    }
}

/// One piece as the parser gets it, with where it sits in the input.
struct Piece {
    /// The piece as a document of its own.
    document: Vec<u8>,
    /// Bytes of `document` before the piece's own.
    prefix: usize,
    /// The arrays it continues: their paths in `document` and the elements
    /// left out before it.
    open: Vec<(String, u64)>,
    /// Line breaks and bytes of the input it stands for.
    lines: u64,
    bytes: u64,
    /// In a stream of documents: the documents before the piece, which
    /// the parser's `document N` locators are numbered after.
    documents_before: Option<u64>,
}

impl Piece {
    /// A locator in the piece as a locator in the input, in place: array
    /// indices moved past the elements left out, and in a stream of
    /// documents the document numbered as in the whole file (a piece of one
    /// document writes none: it is then `document N` too, as a file of
    /// several). Through `scratch`, so that a record's locator keeps its
    /// buffer (built with room for the larger indices): an allocation less
    /// per record of an export.
    fn relocate(&self, locator: &mut String, scratch: &mut String) {
        scratch.clear();
        Scanner::write_locator(&self.open, locator, scratch);
        match self.documents_before {
            None => {
                locator.clear();
                locator.push_str(scratch);
            }
            Some(before) => *locator = Piece::numbered(std::mem::take(scratch), before),
        }
    }

    /// A locator of a piece in a stream of documents, numbered as in the
    /// whole file.
    fn numbered(moved: String, before: u64) -> String {
        let numbered = moved
            .strip_prefix("document ")
            .and_then(|rest| rest.split_once(' '))
            .and_then(|(n, rest)| Some((n.parse::<u64>().ok()?, rest)));
        match numbered {
            Some((n, rest)) => format!("document {} {rest}", n + before),
            None if moved.starts_with('$') => format!("document {} {moved}", before + 1),
            None => moved,
        }
    }
}

/// Cuts `reader`'s document into pieces of about `size` bytes and hands
/// each to `each`, in order. A file that is not one document is handed
/// over whole as one piece, up to `limit` bytes; past that, `Err` says so.
fn cut_pieces(
    reader: &mut dyn Read,
    arrays: &[&str],
    size: usize,
    limit: u64,
    mut each: impl FnMut(Piece),
) -> std::io::Result<Result<(), String>> {
    let mut buf: Vec<u8> = Vec::with_capacity(size + (1 << 20));
    let mut eof = fill(reader, &mut buf, size)?;
    let mut scanner = Scanner {
        line_start: true,
        ..Scanner::default()
    };
    let mut open: Vec<(String, u64)> = Vec::new();
    let mut at = 0u64;
    let mut scanned = 0usize;
    let mut documents_before: Option<u64> = None;
    loop {
        let (stop, next) = scanner.scan(&buf, at, scanned, size, arrays);
        scanned = next;
        // `used`: the input bytes the piece stands for (its content and
        // the comma after it).
        let whole = |content: &[u8], suffix: &[u8], used: &[u8], scanner: &Scanner| Piece {
            document: [scanner.prefix.as_slice(), content, suffix].concat(),
            prefix: scanner.prefix.len(),
            open: Vec::new(),
            lines: memchr::memchr_iter(b'\n', used).count() as u64,
            bytes: used.len() as u64,
            documents_before: None,
        };
        match stop {
            // Nowhere to cut in this much (one record, or a document left
            // open by a broken line among documents one per line): the
            // rest is not read rather than all held at once.
            Stop::End if !eof && buf.len() as u64 > limit => {
                return Ok(Err(format!(
                    "no place to cut between records in {} MiB from byte {at}: not read past it",
                    limit >> 20
                )));
            }
            Stop::End if !eof => {
                let more = buf.len() + size;
                eof = fill(reader, &mut buf, more)?;
            }
            Stop::End => {
                // A stream's last cut leaves the line break after its last
                // document, which is no document.
                let rest_blank = buf.iter().all(u8::is_ascii_whitespace);
                if rest_blank && documents_before.is_some_and(|before| before > 0) {
                    return Ok(Ok(()));
                }
                each(Piece {
                    open: open.clone(),
                    documents_before: documents_before.filter(|&before| before > 0),
                    ..whole(&buf, &[], &buf, &scanner)
                });
                return Ok(Ok(()));
            }
            Stop::NotOneDocument if at == 0 => {
                // Documents one after another: from here on, cut between
                // them (a small file stays one piece, as before).
                scanner.stream = true;
                scanner.ended = false;
                documents_before = Some(0);
            }
            Stop::DocumentEnd(end) => {
                let before = documents_before.unwrap_or(0);
                each(Piece {
                    documents_before: Some(before),
                    ..whole(&buf[..end], &[], &buf[..end], &scanner)
                });
                documents_before = Some(scanner.documents);
                buf.drain(..end);
                at += end as u64;
                scanned -= end;
                if !eof {
                    let want = buf.len().max(size);
                    eof = fill(reader, &mut buf, want + 1)?;
                }
            }
            Stop::NotOneDocument => {
                // A first document so large that it was cut inside, then
                // another: the rest is read whole, under the same limit.
                let room = limit.saturating_sub(at + buf.len() as u64);
                reader.take(room + 1).read_to_end(&mut buf)?;
                if at + buf.len() as u64 > limit {
                    return Ok(Err(format!(
                        "not one JSON document, and over {} MiB: not read past byte {at}",
                        limit >> 20
                    )));
                }
                each(Piece {
                    open: open.clone(),
                    ..whole(&buf, &[], &buf, &scanner)
                });
                return Ok(Ok(()));
            }
            Stop::Cut(comma) => {
                let suffix = scanner.suffix();
                each(Piece {
                    open: open.clone(),
                    ..whole(&buf[..comma], &suffix, &buf[..comma + 1], &scanner)
                });
                let end = comma + 1;
                open = scanner.cut(&buf[..end], at);
                buf.drain(..end);
                at += end as u64;
                scanned -= end;
                if !eof {
                    let want = buf.len().max(size);
                    eof = fill(reader, &mut buf, want + 1)?;
                }
            }
        }
    }
}

/// Moves a record parsed from a piece to its place in the input, but for
/// the line and byte offsets of the input before the piece.
fn shift_record(piece: &Piece, record: &mut Record, scratch: &mut String) {
    let start = record.span.start.saturating_sub(piece.prefix);
    let end = record.span.end.saturating_sub(piece.prefix).max(start);
    record.span = start..end;
    if let Some(locator) = &mut record.locator {
        piece.relocate(locator, scratch);
    }
}

fn shift_problem(piece: &Piece, problem: &mut Problem) {
    if let Some(locator) = &mut problem.locator {
        piece.relocate(locator, &mut String::new());
    }
}

/// The records of one piece, moved and handed over to normalizing.
struct Shift<'s, 'h, 'b, 'i> {
    piece: &'s Piece,
    handover: &'h mut Handover<'b, 'i>,
    /// Where locators are rewritten.
    scratch: String,
}

impl RecordSink for Shift<'_, '_, '_, '_> {
    fn record(&mut self, mut record: Record) {
        let verbatim = Verbatim::find(&record, &self.piece.document);
        shift_record(self.piece, &mut record, &mut self.scratch);
        self.handover.push(record, verbatim);
    }

    fn problem(&mut self, mut problem: Problem) {
        shift_problem(self.piece, &mut problem);
        self.handover.problem(problem);
    }
}

/// Parses one JSON document piece by piece (see the module's comment),
/// pieces on several threads, normalized in order.
pub(super) fn parse(
    reader: &mut dyn Read,
    parser: &dyn Parser,
    context: &Context<'_>,
    sink: &mut Normalizer<'_>,
) -> std::io::Result<()> {
    let arrays = parser.json_record_arrays();
    in_parallel(
        sink,
        |each| {
            let done = cut_pieces(reader, arrays, PIECE, MAX_MEMBER_BYTES, |piece| {
                each(Ok(piece));
            })?;
            if let Err(reason) = done {
                each(Err(reason));
            }
            Ok(())
        },
        |piece: Result<Piece, String>, items| match piece {
            Ok(piece) => {
                let mut handover = Handover::new(&piece.document, items);
                parser.parse_in(
                    &piece.document,
                    context,
                    &mut Shift {
                        piece: &piece,
                        handover: &mut handover,
                        scratch: String::new(),
                    },
                );
                handover.finish(piece.lines, piece.bytes);
            }
            Err(reason) => {
                let mut handover = Handover::new(&[], items);
                handover.problem(Problem {
                    line: None,
                    locator: None,
                    reason,
                });
                handover.finish(0, 0);
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use factline_parsers::registry::builtin;
    use factline_parsers::Collected;

    /// Parses `input` with parser `id` in pieces of `size` bytes, positions
    /// moved back to the input's.
    fn in_pieces(id: &str, input: &[u8], size: usize) -> Collected {
        let parsers = builtin();
        let parser = parsers.iter().find(|p| p.id() == id).expect("parser");
        let mut all = Collected::default();
        let (mut lines_before, mut bytes_before) = (0, 0);
        let mut reader = input;
        cut_pieces(
            &mut reader,
            parser.json_record_arrays(),
            size,
            1 << 30,
            |piece| {
                let mut out = Collected::default();
                parser.parse(&piece.document, &mut out);
                for mut record in out.records {
                    shift_record(&piece, &mut record, &mut String::new());
                    record.line = record.line.map(|l| l + lines_before);
                    record.line_end = record.line_end.map(|l| l + lines_before);
                    let base = bytes_before as usize;
                    record.span = record.span.start + base..record.span.end + base;
                    all.records.push(record);
                }
                for mut problem in out.problems {
                    shift_problem(&piece, &mut problem);
                    problem.line = problem.line.map(|l| l + lines_before);
                    all.problems.push(problem);
                }
                lines_before += piece.lines;
                bytes_before += piece.bytes;
            },
        )
        .expect("read")
        .expect("one document");
        all
    }

    fn whole(id: &str, input: &[u8]) -> Collected {
        let parsers = builtin();
        let parser = parsers.iter().find(|p| p.id() == id).expect("parser");
        let mut out = Collected::default();
        parser.parse(input, &mut out);
        out
    }

    fn loki(streams: usize, values: usize) -> Vec<u8> {
        let mut s = String::from(
            "{\"status\":\"success\",\n\"data\":{\"resultType\":\"streams\",\"result\":[",
        );
        for i in 0..streams {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&format!(
                "\n{{\"stream\":{{\"app\":\"a{i}\",\"host\":\"h\\\"{i}\"}},\"values\":["
            ));
            for j in 0..values {
                if j > 0 {
                    s.push_str(",\n");
                }
                let ns = 1_763_633_400_000_000_000u64 + (i * 1000 + j) as u64 * 1_000_000;
                s.push_str(&format!(
                    "[\"{ns}\",\"ts=2025-11-20T10:00:{:02}Z level=info msg=\\\"x, ] {{ y\\\" n={j}\"]",
                    j % 60
                ));
            }
            s.push_str("]}");
        }
        s.push_str("],\"stats\":{\"summary\":{\"bytesTotal\":1}}}}\n");
        s.into_bytes()
    }

    #[test]
    fn a_loki_response_in_pieces_gives_what_it_gives_whole() {
        let input = loki(4, 40);
        let expected = whole("loki", &input);
        assert!(expected.problems.is_empty(), "{:?}", expected.problems);
        assert_eq!(expected.records.len(), 160);
        for size in [1, 50, 333, 1000, 4096, 1 << 20] {
            let got = in_pieces("loki", &input, size);
            assert_eq!(got.problems, expected.problems, "pieces of {size} bytes");
            assert_eq!(
                got.records.len(),
                expected.records.len(),
                "pieces of {size} bytes"
            );
            assert_eq!(got.records, expected.records, "pieces of {size} bytes");
        }
    }

    #[test]
    fn an_elasticsearch_export_in_pieces_gives_what_it_gives_whole() {
        let mut s = String::from("{\"took\":3,\"hits\":{\"total\":{\"value\":50},\"hits\":[\n");
        for i in 0..50 {
            if i > 0 {
                s.push_str(",\n");
            }
            s.push_str(&format!(
                "{{\"_index\":\"logs\",\"_id\":\"{i}\",\"_source\":{{\"@timestamp\":\"2025-11-20T10:00:{:02}.5Z\",\"message\":\"m [{i}]\",\"log\":{{\"level\":\"warn\"}}}}}}",
                i % 60
            ));
        }
        s.push_str("]},\"aggregations\":{}}");
        let input = s.into_bytes();
        let expected = whole("elasticsearch", &input);
        assert_eq!(expected.records.len(), 50);
        for size in [1, 100, 777, 1 << 20] {
            let got = in_pieces("elasticsearch", &input, size);
            assert_eq!(got.records, expected.records, "pieces of {size} bytes");
        }
    }

    /// Every fixture of every parser that names record arrays gives, in
    /// pieces of any size, what it gives whole.
    #[test]
    fn every_streamed_fixture_in_pieces_gives_what_it_gives_whole() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for parser in builtin() {
            if parser.json_record_arrays().is_empty() {
                continue;
            }
            let Ok(dir) = std::fs::read_dir(fixtures.join(parser.id())) else {
                continue;
            };
            for file in dir {
                let path = file.expect("entry").path();
                let input = std::fs::read(&path).expect("fixture");
                let expected = whole(parser.id(), &input);
                for size in [1, 64, 700, 1 << 20] {
                    let got = in_pieces(parser.id(), &input, size);
                    let place = format!("{} in pieces of {size} bytes", path.display());
                    assert_eq!(got.problems, expected.problems, "{place}");
                    assert_eq!(got.records, expected.records, "{place}");
                }
                checked += 1;
            }
        }
        assert!(checked >= 10, "{checked}");
    }

    #[test]
    fn documents_one_per_line_are_cut_between_documents_past_any_limit() {
        let hit = |i: u32| {
            format!("{{\"_index\":\"a\",\"_id\":\"{i}\",\"_source\":{{\"@timestamp\":\"2025-11-20T10:00:{i:02}Z\",\"message\":\"m{i}\"}}}}\n")
        };
        let input: String = (0..30).map(hit).collect();
        let expected = whole("elasticsearch", input.as_bytes());
        assert_eq!(expected.records.len(), 30);
        assert_eq!(
            expected.records[29].locator.as_deref(),
            Some("document 30 $")
        );
        for size in [1, 90, 500] {
            let got = in_pieces("elasticsearch", input.as_bytes(), size);
            assert_eq!(got.records, expected.records, "pieces of {size} bytes");
        }
        // The limit on documents read whole does not apply to a stream
        // (the file is five times the limit), only to a piece.
        assert!(input.len() > 5 * 400);
        let mut pieces = 0;
        let mut reader = input.as_bytes();
        let done =
            cut_pieces(&mut reader, &["hits.hits"], 200, 400, |_| pieces += 1).expect("read");
        assert!(done.is_ok());
        assert!(pieces > 5, "{pieces}");
        // A first document cut inside before a second one shows is still
        // followed by the rest read whole, under the limit.
        let big = format!(
            "{{\"hits\":{{\"hits\":[{}]}}}}\n{}",
            (0..20)
                .map(|i| format!("{{\"_index\":\"a\",\"_id\":\"{i}\"}}"))
                .collect::<Vec<_>>()
                .join(","),
            hit(1).repeat(5)
        );
        let mut reader = big.as_bytes();
        let refused = cut_pieces(&mut reader, &["hits.hits"], 64, 100, |_| {}).expect("read");
        assert!(refused.is_err());
    }

    /// A document left open by a broken line among documents one per line
    /// ends with its line: the rest is still cut between documents, however
    /// small the limit. Only a piece with no place to cut past the limit
    /// (one record that large) stops reading, reported.
    #[test]
    fn an_unclosed_line_among_documents_ends_with_its_line() {
        let hit = "{\"_index\":\"a\",\"_id\":\"1\"}\n";
        for broken in ["{\"cut\": [1, 2\n", "{\"msg\": \"ha\n", "{\"x\":\n"] {
            let input = format!("{}{broken}{}", hit.repeat(10), hit.repeat(40));
            let mut reader = input.as_bytes();
            let mut pieces = 0;
            let done =
                cut_pieces(&mut reader, &["hits.hits"], 64, 400, |_| pieces += 1).expect("read");
            assert!(done.is_ok(), "{broken:?}: {done:?}");
            assert!(pieces > 5, "{broken:?}: {pieces}");
        }
        let huge = format!(
            "{}{{\"message\": \"{}\"}}\n{hit}",
            hit.repeat(3),
            "x".repeat(1000)
        );
        let mut reader = huge.as_bytes();
        let mut pieces = 0;
        let done = cut_pieces(&mut reader, &["hits.hits"], 64, 400, |_| pieces += 1).expect("read");
        let reason = done.expect_err("over the limit");
        assert!(reason.contains("not read past"), "{reason}");
        assert!(pieces >= 1, "the documents before it are handed over");
    }

    /// A line that is no JSON document among documents one per line is
    /// one problem, and the documents after it keep their numbers, as when
    /// the file is read whole.
    #[test]
    fn a_broken_line_among_documents_is_one_problem_in_pieces_too() {
        let hit = |i: u32| {
            format!("{{\"_index\":\"a\",\"_id\":\"{i}\",\"_source\":{{\"@timestamp\":\"2025-11-20T10:00:{i:02}Z\",\"message\":\"m{i}\"}}}}\n")
        };
        for garbage in [
            "oops { not [ json\n",
            "]]} stray\n",
            "{\"cut\": [1, 2\n",
            "{\"msg\": \"cut sho\n",
            "{\"x\":\n",
            "\n",
        ] {
            let mut input: String = (0..12).map(hit).collect();
            input.push_str(garbage);
            input.extend((12..24).map(hit));
            let expected = whole("elasticsearch", input.as_bytes());
            assert_eq!(expected.records.len(), 24, "{garbage:?}");
            for size in [1, 90, 500] {
                let got = in_pieces("elasticsearch", input.as_bytes(), size);
                let place = format!("{garbage:?} in pieces of {size} bytes");
                assert_eq!(got.problems, expected.problems, "{place}");
                assert_eq!(got.records, expected.records, "{place}");
            }
        }
    }

    #[test]
    fn locators_move_by_the_elements_left_out() {
        let open = [
            ("$.data.result".to_string(), 5),
            ("$.data.result[0].values".to_string(), 17000),
        ];
        let moved = |locator: &str| {
            let mut out = String::new();
            Scanner::write_locator(&open, locator, &mut out);
            out
        };
        assert_eq!(
            moved("$.data.result[0].values[3]"),
            "$.data.result[5].values[17003]"
        );
        assert_eq!(
            moved("$.data.result[1].values[3]"),
            "$.data.result[6].values[3]"
        );
        assert_eq!(moved("$"), "$");
    }
}
