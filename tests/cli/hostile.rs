//! Evidence that is broken, malicious or odd: each is named, refused or
//! read in part, and never costs the rest of the run, the machine's memory
//! or the evidence itself.

use std::io::{Cursor, Write};
use std::process::Output;
use std::time::Duration;

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use crate::util::*;

const GOOD_LINE: &[u8] = b"2026-01-01T10:00:00Z ERROR checkout failed\n";

/// A zip archive in memory, members in the order given.
fn zip_bytes(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in members {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sources_json(s: &Scratch) -> serde_json::Value {
    let out = s.run("sources", &["--format", "json"]);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn source_names(s: &Scratch) -> Vec<String> {
    sources_json(s)["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|src| src["source"].as_str().unwrap().to_string())
        .collect()
}

/// `ingest ARGS`, killed after `limit`: a hang fails the test rather than
/// stalling the suite.
fn ingest_within(s: &Scratch, limit: Duration, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("factline")
        .unwrap()
        .current_dir(repo_root())
        .arg("ingest")
        .arg("--db")
        .arg(s.db())
        .args(args)
        .timeout(limit)
        .output()
        .unwrap()
}

/// `ingest ARGS` and the peak resident memory, in KiB, of that one child,
/// read from the `rusage` that `wait4` gives when it reaps it (other tests'
/// children, running in parallel, are not counted). Linux starts a child's
/// peak at the peak of the process it was spawned from, this test process,
/// so the figure can only be too high, never too low.
fn ingest_measured(s: &Scratch, args: &[&str]) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let out_path = s.path("ingest.stdout");
    let err_path = s.path("ingest.stderr");
    // Files rather than pipes: nothing has to drain them while it runs.
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("factline"))
        .arg("ingest")
        .arg("--db")
        .arg(s.db())
        .args(args)
        .current_dir(repo_root())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain integers, for which all zeros is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals of the right types.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    // `child` is reaped: dropping it neither waits nor kills.
    drop(child);
    let out = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    // Linux gives ru_maxrss in KiB.
    (out, u64::try_from(usage.ru_maxrss).unwrap())
}

/// One MiB of zeros as a deflate stream that refers to nothing before it
/// (it follows a full flush), so repeating it gives a valid stream of many
/// MiB without deflating them: that takes a minute in a debug build. The
/// second part ends a stream.
fn deflated_zero_mib() -> (Vec<u8>, Vec<u8>) {
    use flate2::{Compress, Compression, FlushCompress};
    let mut deflate = Compress::new(Compression::fast(), false);
    let mut block = Vec::with_capacity(1 << 16);
    deflate
        .compress_vec(&[0; 1 << 20], &mut block, FlushCompress::Full)
        .unwrap();
    assert_eq!(deflate.total_in(), 1 << 20, "output buffer too small");
    let mut end = Vec::with_capacity(64);
    deflate
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .unwrap();
    (block, end)
}

/// A zip archive, assembled by hand, of deflated members of zeros: each
/// member is a name and its inflated size in MiB.
fn zeros_zip(members: &[(&str, u32)]) -> Vec<u8> {
    let (block, end) = deflated_zero_mib();
    let mut one_mib = flate2::Crc::new();
    one_mib.update(&[0; 1 << 20]);
    let mut zip = Vec::new();
    let mut central = Vec::new();
    for &(name, mib) in members {
        let mut stream = block.repeat(mib as usize);
        stream.extend(&end);
        let mut crc = flate2::Crc::new();
        for _ in 0..mib {
            crc.combine(&one_mib);
        }
        let size = mib.checked_mul(1 << 20).expect("zip32 sizes");
        // Version needed 2.0, no flags, deflate, 1980-01-01 00:00, then
        // checksum, sizes and name length.
        let mut fields = Vec::new();
        for half in [20u16, 0, 8, 0, 0x21] {
            fields.extend(half.to_le_bytes());
        }
        for word in [crc.sum(), stream.len() as u32, size] {
            fields.extend(word.to_le_bytes());
        }
        fields.extend(u16::try_from(name.len()).unwrap().to_le_bytes());
        fields.extend(0u16.to_le_bytes());

        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(&fields);
        // No comment, disk 0, no attributes.
        central.extend([0u8; 10]);
        central.extend((zip.len() as u32).to_le_bytes());
        central.extend(name.as_bytes());

        zip.extend(0x0403_4b50u32.to_le_bytes());
        zip.extend(&fields);
        zip.extend(name.as_bytes());
        zip.extend(&stream);
    }
    let central_at = zip.len() as u32;
    zip.extend(&central);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    let count = u16::try_from(members.len()).unwrap();
    for half in [0, 0, count, count] {
        zip.extend(half.to_le_bytes());
    }
    zip.extend((central.len() as u32).to_le_bytes());
    zip.extend(central_at.to_le_bytes());
    zip.extend(0u16.to_le_bytes());
    zip
}

/// Peak memory allowed for ingesting a bomb: sources are streamed, so this
/// is the program itself plus its buffers, with room to spare.
const BOMB_PEAK_KIB: u64 = 768 << 10;

/// Ingests `ev/` (which holds a bomb and `app.log`): the bomb is refused,
/// named, with `reason`; the rest ingests; memory stays bounded.
fn assert_bomb_refused(s: &Scratch, named: &str, reason: &str) {
    let (out, peak_kib) = ingest_measured(s, &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    let refusal = err
        .lines()
        .find(|l| l.contains(named))
        .unwrap_or_else(|| panic!("the bomb is not named: {err}"));
    assert!(
        refusal.contains(reason) && refusal.ends_with("refused"),
        "{refusal}"
    );
    assert!(err.contains("app.log: 1 events"), "{err}");
    assert_peak_bounded(peak_kib);
}

fn assert_peak_bounded(peak_kib: u64) {
    assert!(
        peak_kib < BOMB_PEAK_KIB,
        "peak memory {} MiB (a figure never below this test process's own peak, now {} MiB)",
        peak_kib >> 10,
        own_peak_kib() >> 10
    );
}

fn own_peak_kib() -> libc::c_long {
    // SAFETY: rusage is plain integers, for which all zeros is valid, and
    // getrusage only writes it.
    let mut own: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut own) }, 0);
    own.ru_maxrss
}

#[test]
fn a_zip_bomb_member_is_refused_by_name_without_inflating_it_all() {
    let s = Scratch::new();
    let bomb = s.write("ev/bomb.zip", zeros_zip(&[("zeros.log", 256)]));
    assert!(std::fs::metadata(&bomb).unwrap().len() < 16 << 20);
    s.write("ev/app.log", GOOD_LINE);
    assert_bomb_refused(&s, "bomb.zip!zeros.log: ", "zip member is larger than");
}

#[test]
fn a_zip_of_many_members_under_the_cap_keeps_memory_bounded() {
    let s = Scratch::new();
    s.write(
        "ev/bomb.zip",
        zeros_zip(&[("a.log", 48), ("b.log", 48), ("c.log", 48)]),
    );
    s.write("ev/app.log", GOOD_LINE);
    let (out, peak_kib) = ingest_measured(&s, &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("app.log: 1 events"),
        "{}",
        stderr(&out)
    );
    assert_peak_bounded(peak_kib);
}

#[test]
fn a_gzip_bomb_is_refused_by_name_as_too_large() {
    let s = Scratch::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&[0; 1 << 20]).unwrap();
    // Concatenated gzip members are one file to gzip and to factline.
    s.write("ev/zeros.log.gz", gz.finish().unwrap().repeat(256));
    s.write("ev/app.log", GOOD_LINE);
    assert_bomb_refused(&s, "zeros.log.gz: ", "gzip content is larger than");
}

#[test]
fn archives_nested_deeper_than_two_levels_are_named_and_not_opened() {
    let s = Scratch::new();
    let innermost = zip_bytes(&[("c.log", GOOD_LINE)]);
    let inner = zip_bytes(&[("b.log", GOOD_LINE), ("innermost.zip", &innermost)]);
    // Distinct lines, so no member is skipped as a copy of another.
    let outer = zip_bytes(&[
        ("a.log", b"2026-01-01T10:00:01Z ERROR outer\n"),
        ("inner.zip", &inner),
    ]);
    let path = s.write("outer.zip", &outer);
    let out = s.run("ingest", &[path.to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains(
            "outer.zip!inner.zip!innermost.zip: archive nested deeper than 2 levels; not opened"
        ),
        "{err}"
    );
    let names = source_names(&s);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("outer.zip!a.log"), "{names:?}");
    assert!(names[1].ends_with("outer.zip!inner.zip!b.log"), "{names:?}");
}

#[test]
fn absolute_member_paths_are_refused_by_name() {
    let s = Scratch::new();
    let bytes = zip_bytes(&[
        ("/etc/passwd", b"2026-01-01T10:00:01Z ERROR root:x:0:0\n"),
        ("logs/app.log", GOOD_LINE),
    ]);
    let path = s.write("bundle.zip", bytes);
    let out = s.run("ingest", &[path.to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("bundle.zip!/etc/passwd: zip member path is absolute or climbs out"),
        "{err}"
    );
    let names = source_names(&s);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].ends_with("bundle.zip!logs/app.log"), "{names:?}");
}

#[test]
fn random_bytes_are_named_as_a_binary_file() {
    let s = Scratch::new();
    // A fixed xorshift stream: the same "random" file on every run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..256 << 10)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    s.write("ev/core.dump", &noise);
    s.write("ev/app.log", GOOD_LINE);
    let out = s.run("ingest", &[s.path("ev").to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("core.dump: binary file; no parser recognizes it"),
        "{err}"
    );
    assert!(err.contains("app.log: 1 events"), "{err}");
}

#[test]
fn invalid_utf8_in_a_line_is_kept_lossily_with_its_neighbours() {
    let s = Scratch::new();
    let f = s.write(
        "app.log",
        b"2026-01-01T10:00:00Z INFO before\n\
          2026-01-01T10:00:01Z ERROR caf\xe9 \xff\xfe down\n\
          2026-01-01T10:00:02Z INFO after\n",
    );
    assert_code(&s.run("ingest", &[f.to_str().unwrap()]), 0);
    let events = jsonl(&stdout(&s.run("events", &[])));
    let messages: Vec<&str> = events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["before", "caf\u{fffd} \u{fffd}\u{fffd} down", "after"]
    );
    assert_eq!(events[1]["line"], 2);
    assert_eq!(events[1]["level"], "error");
    // The database says which line had its bytes replaced.
    let db = rusqlite::Connection::open(s.db()).unwrap();
    let lossy: Vec<i64> = db
        .prepare("SELECT line FROM events WHERE lossy_utf8 = 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(lossy, [2]);
}

#[test]
fn a_truncated_json_export_is_named_and_does_not_crash() {
    let s = Scratch::new();
    let whole =
        std::fs::read(repo_root().join("fixtures/pagerduty/log_entries_incident_4471.json"))
            .unwrap();
    let f = s.write("pd/log_entries.json", &whole[..whole.len() / 2]);
    let out = s.run("ingest", &[f.to_str().unwrap()]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("log_entries.json: 0 events (pagerduty), 1 lines rejected"),
        "{err}"
    );
    let src = &sources_json(&s)["sources"][0];
    let reason = src["rejected_lines"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("not valid JSON: EOF while parsing"),
        "{reason}"
    );
}

#[test]
fn a_ragged_shift_sheet_row_is_rejected_by_number_and_the_rest_ingests() {
    let s = Scratch::new();
    let f = s.write(
        "rota.csv",
        "Engineer,Email,Rotation,Shift start,Shift end\n\
         Dana Whitfield,dana@example.net,Primary,2026-10-24T08:00:00+02:00,2026-10-25T08:00:00+01:00\n\
         Lee Okafor,lee@example.net,Secondary\n\
         Priya Raman,priya@example.net,Primary,2026-10-25T08:00:00+01:00,2026-10-26T08:00:00+01:00\n",
    );
    assert_code(&s.run("ingest", &[f.to_str().unwrap()]), 0);
    let sources = sources_json(&s);
    let src = &sources["sources"][0];
    assert_eq!(src["parser"], "shifts");
    // A start and an end for each of the two whole rows.
    assert_eq!(src["events"], 4);
    assert_eq!(src["rejected"], 1);
    assert_eq!(src["rejected_lines"][0]["line"], 3);
    assert_eq!(src["first"], "2026-10-24T06:00:00.000000Z");
    assert_eq!(src["last"], "2026-10-26T07:00:00.000000Z");
}

#[test]
fn an_empty_folder_exits_2_saying_nothing_was_ingested() {
    let s = Scratch::new();
    let dir = s.path("empty");
    std::fs::create_dir(&dir).unwrap();
    let out = s.run("ingest", &[dir.to_str().unwrap()]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("nothing was ingested"),
        "{}",
        stderr(&out)
    );
}

/// Files that no user, root included, can read: mode bits would not stop
/// root, so the test links to kernel files that refuse everyone: a
/// write-only sysctl (open fails) and the reading process's own memory
/// (open succeeds, reading its first page fails).
#[test]
fn an_unreadable_file_is_named_and_the_rest_ingests() {
    const WRITE_ONLY: &str = "/proc/sys/vm/drop_caches";
    const OWN_MEMORY: &str = "/proc/self/mem";
    for target in [WRITE_ONLY, OWN_MEMORY] {
        let meta = std::fs::metadata(target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(meta.is_file(), "{target} is not a regular file here");
    }
    let denied = std::fs::File::open(WRITE_ONLY).map(|_| ()).unwrap_err();
    assert_eq!(
        denied.kind(),
        std::io::ErrorKind::PermissionDenied,
        "{denied}"
    );
    let mut page = [0; 4096];
    let failed = std::fs::File::open(OWN_MEMORY)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut page))
        .unwrap_err();
    assert_eq!(failed.raw_os_error(), Some(libc::EIO), "{failed}");

    let s = Scratch::new();
    s.write("ev/app.log", GOOD_LINE);
    std::os::unix::fs::symlink(WRITE_ONLY, s.path("ev/locked.log")).unwrap();
    std::os::unix::fs::symlink(OWN_MEMORY, s.path("ev/memory.log")).unwrap();
    let ev = s.path("ev");
    let ev = ev.to_str().unwrap();
    let out = s.run("ingest", &[ev]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("skipped {ev}/locked.log: cannot open: ")),
        "{err}"
    );
    assert!(
        err.contains(&format!("skipped {ev}/memory.log: cannot read ")),
        "{err}"
    );
    assert!(err.contains("app.log: 1 events"), "{err}");
    assert_eq!(source_names(&s), [format!("{ev}/app.log")]);
}

#[test]
fn ingest_leaves_the_evidence_untouched() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::SystemTime;
    let s = Scratch::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"2026-01-01T10:00:02Z WARN disk 91% full\n")
        .unwrap();
    s.write("ev/app.log", GOOD_LINE);
    s.write("ev/disk.log.gz", gz.finish().unwrap());
    s.write(
        "ev/bundle.zip",
        zip_bytes(&[("db.log", b"2026-01-01T10:00:03Z ERROR db down\n")]),
    );
    s.write("ev/notes.txt", "no times here\n");
    // An old mtime, so a rewrite of the same bytes still shows.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let snapshot = || {
        let mut files: Vec<_> = std::fs::read_dir(s.path("ev"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let meta = std::fs::metadata(&path).unwrap();
                (
                    path.clone(),
                    std::fs::read(&path).unwrap(),
                    meta.modified().unwrap(),
                    meta.permissions().mode(),
                )
            })
            .collect();
        files.sort();
        files
    };
    for (path, ..) in snapshot() {
        std::fs::File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let before = snapshot();
    assert!(before.iter().all(|(_, _, mtime, _)| *mtime == old));

    let ev = s.path("ev");
    let out = s.run("ingest", &[ev.to_str().unwrap()]);
    assert_code(&out, 0);
    assert_eq!(source_names(&s).len(), 3, "{}", stderr(&out));
    assert_code(&s.run("ingest", &[ev.to_str().unwrap()]), 0);
    assert_code(&s.run("verify", &[]), 0);
    assert_eq!(snapshot(), before);
}

#[test]
fn symlinks_back_into_the_evidence_are_named_and_not_walked() {
    let s = Scratch::new();
    s.write("ev/app.log", GOOD_LINE);
    for link in ["a", "b"] {
        std::os::unix::fs::symlink(".", s.path(&format!("ev/{link}"))).unwrap();
    }
    let ev = s.path("ev");
    let ev = ev.to_str().unwrap();
    let out = ingest_within(&s, Duration::from_secs(30), &[ev]);
    assert_code(&out, 0);
    let err = stderr(&out);
    for link in ["a", "b"] {
        assert!(err.contains(&format!("skipped {ev}/{link}: ")), "{err}");
    }
    assert_eq!(source_names(&s), [format!("{ev}/app.log")]);
}

#[test]
fn a_named_pipe_is_named_and_not_read() {
    let s = Scratch::new();
    s.write("ev/app.log", GOOD_LINE);
    let made = std::process::Command::new("mkfifo")
        .arg(s.path("ev/pipe.log"))
        .status()
        .unwrap();
    assert!(made.success());
    let ev = s.path("ev");
    let ev = ev.to_str().unwrap();
    let out = ingest_within(&s, Duration::from_secs(30), &[ev]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains(&format!("skipped {ev}/pipe.log: ")), "{err}");
    assert!(err.contains("app.log: 1 events"), "{err}");
}
