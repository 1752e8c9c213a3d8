//! Finding evidence: files, folders (recursively, in sorted order), zip
//! archives read in memory, gzip files decompressed in memory. Nothing is
//! extracted to disk and evidence is only ever opened for reading.

use std::fs::File;
use std::io::{BufRead, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod recall;

use crate::error::{Error, Result};

/// Largest file or archive member read into memory. A zip member that
/// inflates past it is refused without inflating the rest (zip bombs).
pub const MAX_MEMBER_BYTES: u64 = 512 << 20;

/// Archives inside archives are opened to this depth and no deeper.
const MAX_ARCHIVE_DEPTH: usize = 2;

/// One piece of evidence to ingest: a file, or a member of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The path shown to users: as given on the command line, joined with
    /// the path inside the folder; `ARCHIVE.zip!member/path` for members.
    pub display: String,
    /// The path relative to the evidence argument it came from.
    pub relative: String,
    /// The file on disk (the outermost archive for members).
    pub file: PathBuf,
    /// Member path inside the archive(s), joined with `!`.
    pub member: Option<String>,
}

impl Unit {
    /// The names `--source-tz`, `--offset` and `--parser` globs match.
    pub fn names(&self) -> Vec<&str> {
        let mut names = vec![self.relative.as_str(), self.display.as_str()];
        if let Some(m) = &self.member {
            names.push(m.as_str());
        }
        names
    }
}

/// A unit with its bytes.
#[derive(Debug)]
pub struct Loaded {
    /// Which evidence.
    pub unit: Unit,
    /// The bytes as ingested (decompressed for gzip files).
    pub bytes: Vec<u8>,
    /// Modification time, UTC microseconds, when known.
    pub mtime: Option<i64>,
}

/// Something that could not be read; the run goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path shown to users.
    pub display: String,
    /// Why.
    pub reason: String,
}

/// Everything found under the evidence arguments, in a deterministic order.
#[derive(Debug, Default)]
pub struct Found {
    /// Readable evidence.
    pub loaded: Vec<LoadJob>,
    /// What could not be read, named.
    pub skipped: Vec<Skipped>,
}

/// A piece of evidence to read when its turn comes, so that only the
/// sources in flight are in memory.
#[derive(Debug)]
pub enum LoadJob {
    /// A plain or gzip file.
    File(Unit),
    /// A member of a zip archive, inflated when read.
    Member(Member),
}

/// Where a zip member is: the (compressed) archive bytes, shared by all
/// its members, and the member's index in it.
#[derive(Debug)]
pub struct Member {
    /// Which evidence.
    pub unit: Unit,
    archive: Arc<Vec<u8>>,
    index: usize,
    declared_size: u64,
    mtime: Option<i64>,
}

impl Member {
    /// Runs `work` on this member, opened in its archive.
    fn open<T>(
        &self,
        work: impl FnOnce(zip::read::ZipFile<'_, Cursor<&[u8]>>) -> std::result::Result<T, String>,
    ) -> std::result::Result<T, String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(self.archive.as_slice()))
            .map_err(|e| format!("not a readable zip archive: {e}"))?;
        let entry = archive
            .by_index(self.index)
            .map_err(|e| format!("unreadable zip member: {e}"))?;
        work(entry)
    }
}

impl LoadJob {
    /// Bytes to ingest, as far as known before reading (for planning).
    pub fn size_hint(&self) -> u64 {
        match self {
            LoadJob::File(unit) => std::fs::metadata(&unit.file).map_or(0, |m| m.len()),
            LoadJob::Member(member) => member.declared_size,
        }
    }

    /// The size of a plain file, as ingested: `None` for a zip member or
    /// a gzip file, whose bytes are known only once inflated.
    pub fn plain_size(&self) -> Option<u64> {
        let LoadJob::File(unit) = self else {
            return None;
        };
        if is_gzip_name(&unit.display) {
            return None;
        }
        let file = File::open(&unit.file).ok()?;
        let mut start = Vec::with_capacity(GZIP_MAGIC.len());
        (&file)
            .take(GZIP_MAGIC.len() as u64)
            .read_to_end(&mut start)
            .ok()?;
        if start == GZIP_MAGIC {
            return None;
        }
        Some(file.metadata().ok()?.len())
    }

    /// Which evidence this is.
    pub fn unit(&self) -> &Unit {
        match self {
            LoadJob::File(unit) => unit,
            LoadJob::Member(member) => &member.unit,
        }
    }

    /// Runs `read` over the bytes as ingested (inflated, decompressed),
    /// streaming them: nothing is held in memory but what `read` keeps.
    /// Also gives the modification time.
    pub fn with_reader<T>(
        &self,
        read: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> std::result::Result<(T, Option<i64>), String> {
        let failed = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::FileTooLarge => e.to_string(),
            _ => format!("cannot read (truncated or corrupt?): {e}"),
        };
        match self {
            LoadJob::File(unit) => {
                let file = File::open(&unit.file).map_err(|e| format!("cannot open: {e}"))?;
                let mtime = file
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .map(|t| chrono::DateTime::<chrono::Utc>::from(t).timestamp_micros());
                let compressed = file.metadata().map_or(0, |m| m.len());
                let out = read_maybe_gzip(&unit.display, file, compressed, read);
                Ok((out.map_err(failed)?, mtime))
            }
            LoadJob::Member(member) => member.open(|entry| {
                let compressed = entry.compressed_size();
                let entry = Inflated::new(entry, compressed, "zip member");
                let out = read_maybe_gzip(&member.unit.display, entry, compressed, read);
                Ok((out.map_err(failed)?, member.mtime))
            }),
        }
    }

    /// Reads the bytes (inflating or decompressing as needed).
    pub fn load(&self) -> std::result::Result<Loaded, String> {
        match self {
            LoadJob::File(unit) => load(unit),
            LoadJob::Member(member) => member.open(|entry| {
                let bytes = capped(entry, "zip member")?;
                Ok(Loaded {
                    bytes: gunzip_if_needed(&member.unit.display, bytes)?,
                    unit: member.unit.clone(),
                    mtime: member.mtime,
                })
            }),
        }
    }
}

/// Walks the evidence arguments. Folders are walked recursively with
/// entries sorted by name; archives are listed member by member.
pub fn discover(arguments: &[PathBuf]) -> Result<Found> {
    let mut found = Found::default();
    for arg in arguments {
        let meta = std::fs::metadata(arg).map_err(|e| Error::io(arg, e))?;
        let shown = arg.to_string_lossy().trim_end_matches('/').to_string();
        if meta.is_dir() {
            walk(arg, &shown, "", &mut found);
        } else if !meta.is_file() {
            found.skipped.push(Skipped {
                display: shown,
                reason: "not a regular file (a pipe, socket or device); not read".into(),
            });
        } else {
            let name = arg
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| shown.clone());
            add_file(arg.clone(), shown, name, &mut found);
        }
    }
    Ok(found)
}

fn walk(dir: &Path, shown: &str, relative: &str, found: &mut Found) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            found.skipped.push(Skipped {
                display: shown.to_string(),
                reason: format!("cannot read folder: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let child_shown = format!("{shown}/{name}");
        let child_relative = if relative.is_empty() {
            name.clone()
        } else {
            format!("{relative}/{name}")
        };
        let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        match std::fs::metadata(&path) {
            // A link to a folder can lead back into the evidence (or loop
            // forever): such links are named, not followed.
            Ok(m) if m.is_dir() && linked => found.skipped.push(Skipped {
                display: child_shown,
                reason: "symbolic link to a folder; not followed".into(),
            }),
            Ok(m) if m.is_dir() => walk(&path, &child_shown, &child_relative, found),
            Ok(m) if m.is_file() => add_file(path, child_shown, child_relative, found),
            Ok(_) => found.skipped.push(Skipped {
                display: child_shown,
                reason: "not a regular file (a pipe, socket or device); not read".into(),
            }),
            Err(e) => found.skipped.push(Skipped {
                display: child_shown,
                reason: format!("cannot read: {e}"),
            }),
        }
    }
}

fn add_file(path: PathBuf, display: String, relative: String, found: &mut Found) {
    let unit = Unit {
        display,
        relative,
        file: path,
        member: None,
    };
    if !is_zip(&unit.display) {
        found.loaded.push(LoadJob::File(unit));
        return;
    }
    match read_capped(&unit.file) {
        Ok(bytes) => list_zip(&unit, Arc::new(bytes), 1, found),
        Err(reason) => found.skipped.push(Skipped {
            display: unit.display,
            reason,
        }),
    }
}

fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

fn read_capped(path: &Path) -> std::result::Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    capped(file, "file")
}

/// Reads at most [`MAX_MEMBER_BYTES`]; one byte more means too large, found
/// without reading (or inflating) the rest.
fn capped(reader: impl Read, what: &str) -> std::result::Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} (truncated or corrupt?): {e}"))?;
    if bytes.len() as u64 > MAX_MEMBER_BYTES {
        return Err(format!(
            "{what} is larger than {} MiB; refused",
            MAX_MEMBER_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// Lists an archive's members without inflating them: each becomes a job
/// that inflates its member when its turn comes. Archives inside are
/// inflated (capped) to be listed in turn, to a bounded depth.
fn list_zip(parent: &Unit, bytes: Arc<Vec<u8>>, depth: usize, found: &mut Found) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes.as_slice())) {
        Ok(a) => a,
        Err(e) => {
            found.skipped.push(Skipped {
                display: parent.display.clone(),
                reason: format!("not a readable zip archive: {e}"),
            });
            return;
        }
    };
    let mut members = Vec::new();
    for i in 0..archive.len() {
        let entry = match archive.by_index_raw(i) {
            Ok(e) => e,
            Err(e) => {
                found.skipped.push(Skipped {
                    display: format!("{}!#{i}", parent.display),
                    reason: format!("unreadable zip member: {e}"),
                });
                continue;
            }
        };
        let raw_name = entry.name().to_string();
        let display = format!("{}!{raw_name}", parent.display);
        if entry.is_dir() {
            continue;
        }
        // A name that is absolute or climbs out of the archive is how zip
        // path-traversal attacks start: refuse it by name.
        let Some(safe) = entry.enclosed_name().filter(|_| !raw_name.starts_with('/')) else {
            found.skipped.push(Skipped {
                display,
                reason: "zip member path is absolute or climbs out of the archive; refused".into(),
            });
            continue;
        };
        let member_path = safe.to_string_lossy().replace('\\', "/");
        if member_path.split('/').any(|p| p.starts_with('.')) || member_path.starts_with("__MACOSX")
        {
            continue;
        }
        let mtime = entry.last_modified().and_then(zip_time_micros);
        members.push((member_path, i, entry.size(), mtime));
    }
    members.sort_by(|a, b| a.0.cmp(&b.0));
    for (member_path, index, declared_size, mtime) in members {
        let unit = Unit {
            display: format!("{}!{member_path}", parent.display),
            relative: format!("{}!{member_path}", parent.relative),
            file: parent.file.clone(),
            member: Some(match &parent.member {
                Some(outer) => format!("{outer}!{member_path}"),
                None => member_path.clone(),
            }),
        };
        let job = Member {
            unit,
            archive: Arc::clone(&bytes),
            index,
            declared_size,
            mtime,
        };
        if !is_zip(&member_path) {
            found.loaded.push(LoadJob::Member(job));
        } else if depth >= MAX_ARCHIVE_DEPTH {
            found.skipped.push(Skipped {
                display: job.unit.display,
                reason: format!(
                    "archive nested deeper than {MAX_ARCHIVE_DEPTH} levels; not opened"
                ),
            });
        } else {
            match LoadJob::Member(job).load() {
                Ok(inner) => list_zip(&inner.unit, Arc::new(inner.bytes), depth + 1, found),
                Err(reason) => found.skipped.push(Skipped {
                    display: format!("{}!{member_path}", parent.display),
                    reason,
                }),
            }
        }
    }
}

/// Zip stores local wall-clock time without a zone; it is read as UTC,
/// and only ever used to guess a missing year, which is flagged anyway.
fn zip_time_micros(t: zip::DateTime) -> Option<i64> {
    let date = chrono::NaiveDate::from_ymd_opt(t.year().into(), t.month().into(), t.day().into())?;
    let time = date.and_hms_opt(t.hour().into(), t.minute().into(), t.second().into())?;
    Some(time.and_utc().timestamp_micros())
}

/// Inflated data may grow this many times its compressed size before it is
/// taken for a decompression bomb. Real logs compress 5–50 times; a bomb
/// of zeros, about a thousand.
const MAX_INFLATION: u64 = 100;

/// Below this, any inflation is accepted.
const INFLATION_FLOOR: u64 = 64 << 20;

/// A reader of inflated bytes that refuses to go past
/// max(INFLATION_FLOOR, MAX_INFLATION × compressed size): a bomb is
/// stopped without inflating it all.
struct Inflated<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: &'static str,
}

impl<R: Read> Inflated<R> {
    fn new(inner: R, compressed: u64, what: &'static str) -> Inflated<R> {
        let limit = INFLATION_FLOOR.max(compressed.saturating_mul(MAX_INFLATION));
        Inflated {
            inner,
            left: limit,
            limit,
            what,
        }
    }
}

impl<R: Read> Read for Inflated<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "{} is larger than {} MiB once inflated (over {MAX_INFLATION} times its compressed size); refused",
                    self.what,
                    self.limit >> 20
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn is_gzip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".gz")
}

/// Runs `read` over `source`, decompressed when it is gzip (by its name or
/// its first bytes), with `compressed` bytes bounding the inflation.
fn read_maybe_gzip<R: Read, T>(
    name: &str,
    source: R,
    compressed: u64,
    read: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut buffered = std::io::BufReader::with_capacity(1 << 20, source);
    let gz = is_gzip_name(name)
        || buffered
            .fill_buf()
            .is_ok_and(|b| b.starts_with(&GZIP_MAGIC));
    if gz {
        let inflated = flate2::bufread::MultiGzDecoder::new(buffered);
        read(&mut Inflated::new(inflated, compressed, "gzip content"))
    } else {
        read(&mut buffered)
    }
}

fn gunzip_if_needed(name: &str, bytes: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
    let gz = bytes.starts_with(&GZIP_MAGIC) || is_gzip_name(name);
    if !gz {
        return Ok(bytes);
    }
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Err("named .gz but not a gzip file".into());
    }
    let decoder = flate2::read::MultiGzDecoder::new(Cursor::new(bytes));
    capped(decoder, "gzip content")
}

/// Reads a file unit: its bytes (decompressed when gzip) and modification time.
pub fn load(unit: &Unit) -> std::result::Result<Loaded, String> {
    let meta = std::fs::metadata(&unit.file).map_err(|e| format!("cannot read: {e}"))?;
    let mtime = meta.modified().ok().and_then(|t| {
        chrono::DateTime::<chrono::Utc>::from(t)
            .timestamp_micros()
            .into()
    });
    let bytes = gunzip_if_needed(&unit.display, read_capped(&unit.file)?)?;
    Ok(Loaded {
        unit: unit.clone(),
        bytes,
        mtime,
    })
}

/// Re-reads the bytes of stored evidence (for `verify` and `audit`):
/// `Ok(None)` when the file or member is gone.
pub fn reread(file: &Path, member: Option<&str>) -> std::result::Result<Option<Vec<u8>>, String> {
    let bytes = match File::open(file) {
        Ok(f) => capped(f, "file")?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open: {e}")),
    };
    let Some(member) = member else {
        return gunzip_if_needed(&file.to_string_lossy(), bytes).map(Some);
    };
    let mut current = bytes;
    for part in member.split('!') {
        let mut archive = zip::ZipArchive::new(Cursor::new(current))
            .map_err(|e| format!("not a readable zip archive: {e}"))?;
        let index = (0..archive.len()).find(|&i| {
            archive
                .by_index(i)
                .ok()
                .and_then(|e| e.enclosed_name())
                .is_some_and(|p| p.to_string_lossy().replace('\\', "/") == part)
        });
        let Some(index) = index else { return Ok(None) };
        let entry = archive.by_index(index).map_err(|e| e.to_string())?;
        current = capped(entry, "zip member")?;
    }
    gunzip_if_needed(member, current).map(Some)
}
