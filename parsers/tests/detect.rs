//! Detection over real samples: every file under `fixtures/<id>/`, for each
//! folder named after a built-in parser id, must be detected as that parser
//! from its first 64 KiB, as the pipeline does. Adding a format whose sniff
//! steals another format's files fails here, naming the file and the thief.

use std::path::{Path, PathBuf};

use factline_parsers::registry;

const HEAD: usize = 64 * 1024;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_in_a_parser_folder_is_detected_as_that_parser() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let parsers = registry::builtin();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("fixtures folder")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();

    let mut checked = 0;
    let mut covered = Vec::new();
    let mut wrong = Vec::new();
    for folder in folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(owner) = parsers.iter().find(|p| p.id() == name) else {
            continue;
        };
        covered.push(name.clone());
        let mut files = Vec::new();
        files_under(&folder, &mut files);
        for file in files {
            // Companion files (a Slack export's users.json) are read beside
            // the files they serve, not detected on their own.
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if owner.companions().contains(&file_name.as_str()) {
                continue;
            }
            let bytes = std::fs::read(&file).expect("readable fixture");
            let head = &bytes[..bytes.len().min(HEAD)];
            let found = registry::detect(&parsers, head).map(|d| d.parser.id().to_string());
            checked += 1;
            if found.as_deref() != Some(name.as_str()) {
                let accepting: Vec<String> = parsers
                    .iter()
                    .filter_map(|p| {
                        let confidence = p.sniff(head)?;
                        Some(format!("{}({}, {confidence}%)", p.id(), p.specificity()))
                    })
                    .collect();
                wrong.push(format!(
                    "{}: detected {:?}, want {name}; accepted by: {}",
                    file.strip_prefix(&fixtures).unwrap_or(&file).display(),
                    found,
                    accepting.join(", ")
                ));
            }
        }
    }
    println!("{checked} fixtures in: {}", covered.join(", "));
    assert!(checked > 0, "no fixture folder is named after a parser id");
    assert!(
        wrong.is_empty(),
        "{} of {checked} fixtures detected wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// CloudTrail written one record per line is also valid JSON lines: the
/// more specific format must win.
#[test]
fn cloudtrail_one_record_per_line_is_detected_before_json_lines() {
    let mut lines = String::new();
    for i in 0..120 {
        lines.push_str(&format!(
            "{{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-10-25T01:{:02}:{:02}Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":\"eu-central-1\",\"userIdentity\":{{\"type\":\"IAMUser\",\"userName\":\"app\"}},\"eventID\":\"id-{i}\"}}\n",
            i / 60,
            i % 60
        ));
    }
    let parsers = registry::builtin();
    let detected = registry::detect(&parsers, lines.as_bytes()).map(|d| d.parser.id());
    assert_eq!(detected, Some("cloudtrail"));
}
