//! CSV records with their place in the input (lines, byte span, row
//! number), shared by every CSV format.

use std::ops::Range;

use crate::record::{Problem, RecordSink};

/// One CSV record with where it sits in the input.
#[derive(Debug, Clone)]
pub(crate) struct CsvRow {
    /// Cells, decoded lossily.
    pub cells: Vec<String>,
    /// 1-based first line.
    pub line: u64,
    /// Last line (quoted cells may span lines).
    pub line_end: u64,
    /// Byte range without the line terminator.
    pub span: Range<usize>,
    /// Spreadsheet row number: the header is row 1.
    pub row: u64,
    /// Some bytes were not UTF-8.
    pub lossy: bool,
}

impl CsvRow {
    /// The `row N` locator.
    pub(crate) fn locator(&self) -> String {
        format!("row {}", self.row)
    }

    /// The cell at `index`, trimmed, or "" when the row is short.
    pub(crate) fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }
}

/// The separator of the header line: spreadsheets in many locales export
/// `;`, some tools tabs.
pub(crate) fn delimiter(input: &[u8]) -> u8 {
    let first = input.split(|&b| b == b'\n').next().unwrap_or(input);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// Reads every CSV record of `input` (header included, as row 1) with
/// its lines and byte span, cells separated by `delimiter`. Records the reader cannot read become
/// problems. `limit` stops early (sniffing).
pub(crate) fn read(
    input: &[u8],
    delimiter: u8,
    limit: Option<usize>,
    mut problems: Option<&mut dyn RecordSink>,
) -> Vec<CsvRow> {
    let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let skipped = input.len() - body.len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut number = 0u64;
    let (mut counted, mut line_count) = (0usize, 0u64);
    loop {
        if limit.is_some_and(|l| rows.len() >= l) {
            break;
        }
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                number += 1;
                let pos = record
                    .position()
                    .cloned()
                    .unwrap_or_else(csv::Position::new);
                let mut start = (pos.byte() as usize).min(body.len());
                let mut end = (reader.position().byte() as usize).clamp(start, body.len());
                // After a CRLF the reader places the next record at the LF.
                while start < end && matches!(body[start], b'\n' | b'\r') {
                    start += 1;
                }
                while end > start && matches!(body[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                let raw = &body[start..end];
                // Counted on from the previous row: counting from the start
                // for every row would be quadratic in the file size.
                let between = body.get(counted..start).unwrap_or_default();
                line_count += memchr::memchr_iter(b'\n', between).count() as u64;
                counted = counted.max(start);
                let line = line_count + 1;
                let line_end = line + memchr::memchr_iter(b'\n', raw).count() as u64;
                let mut lossy = false;
                let cells = record
                    .iter()
                    .map(|cell| match std::str::from_utf8(cell) {
                        Ok(s) => s.to_string(),
                        Err(_) => {
                            lossy = true;
                            String::from_utf8_lossy(cell).into_owned()
                        }
                    })
                    .collect();
                rows.push(CsvRow {
                    cells,
                    line,
                    line_end,
                    span: start + skipped..end + skipped,
                    row: number,
                    lossy,
                });
            }
            Err(e) => {
                number += 1;
                let line = e.position().map(|p| p.line());
                if let Some(sink) = problems.as_deref_mut() {
                    sink.problem(Problem {
                        line,
                        locator: Some(format!("row {number}")),
                        reason: format!("unreadable CSV record: {e}"),
                    });
                }
                if reader.position().byte() <= before {
                    break;
                }
            }
        }
    }
    rows
}
