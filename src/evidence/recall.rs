//! Reads back from the evidence the text that ingest did not copy into the
//! database: a routine log line's message is stored as a byte range of its
//! source, whose SHA-256 is kept (schema v3). The evidence must still be
//! there, unchanged in size; `verify` checks its content.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;

use crate::error::{Error, Result};

/// Where a source's bytes are, as stored in the `sources` table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceFile {
    /// The source as shown.
    pub path: String,
    /// The file on disk.
    pub file: String,
    /// The archive member, when it is one.
    pub member: Option<String>,
    /// Its size as ingested.
    pub bytes: u64,
}

/// Open sources, kept for the next range: a plain file is read where
/// needed; a compressed one (gzip, zip member) cannot be, so its inflated
/// bytes are held.
#[derive(Default)]
pub struct Recall {
    open: HashMap<SourceFile, Opened>,
}

enum Opened {
    /// A plain file and the stretch of it read last: a listing asks for
    /// a source's lines in nearly the order they are in the file.
    Plain {
        file: File,
        at: u64,
        window: Vec<u8>,
    },
    Inflated(Vec<u8>),
}

/// Bytes read from a plain file at a time.
const WINDOW: u64 = 1 << 20;

impl Recall {
    /// The text at `start..end` of a source.
    pub fn text(&mut self, source: &SourceFile, start: u64, end: u64) -> Result<String> {
        let gone = || {
            Error::Input(format!(
                "{}: missing or changed since it was ingested, so the text of its lines cannot be \
                 read back (run `factline verify`)",
                source.path
            ))
        };
        if !self.open.contains_key(source) {
            let opened = open(source).ok_or_else(gone)?;
            self.open.insert(source.clone(), opened);
        }
        let bytes = match self.open.get_mut(source) {
            Some(Opened::Plain { file, at, window }) => {
                let inside = start >= *at && end <= *at + window.len() as u64;
                if !inside {
                    let len = WINDOW
                        .max(end.saturating_sub(start))
                        .min(source.bytes.saturating_sub(start));
                    window.resize(len as usize, 0);
                    file.read_exact_at(window, start).map_err(|_| gone())?;
                    *at = start;
                }
                window
                    .get((start - *at) as usize..(end - *at) as usize)
                    .ok_or_else(gone)?
                    .to_vec()
            }
            Some(Opened::Inflated(all)) => all
                .get(start as usize..end as usize)
                .ok_or_else(gone)?
                .to_vec(),
            None => return Err(gone()),
        };
        String::from_utf8(bytes).map_err(|_| gone())
    }
}

/// Opens a source if it is still there with the size it was ingested at.
fn open(source: &SourceFile) -> Option<Opened> {
    if source.member.is_none() {
        let mut file = File::open(&source.file).ok()?;
        let mut magic = [0u8; 2];
        let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
        if !gzip {
            let size = file.metadata().ok()?.len();
            return (size == source.bytes).then_some(Opened::Plain {
                file,
                at: 0,
                window: Vec::new(),
            });
        }
    }
    let bytes = super::reread(source.file.as_ref(), source.member.as_deref()).ok()??;
    (bytes.len() as u64 == source.bytes).then_some(Opened::Inflated(bytes))
}
