use std::collections::BTreeSet;

use crate::util::*;

/// Every fixture folder named after a parser id holds samples of that
/// format; ingesting all of `fixtures/` at once must detect each correctly.
#[test]
fn a_folder_mixing_every_format_ingests_without_parser_options() {
    let s = Scratch::new();
    let formats: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("formats", &["--format", "json"]))).unwrap();
    let ids: BTreeSet<String> = formats["formats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let out = s.run("ingest", &["fixtures", "--tz", "UTC", "--year", "2026"]);
    assert_code(&out, 0);
    let sources: serde_json::Value =
        serde_json::from_str(&stdout(&s.run("sources", &["--format", "json"]))).unwrap();
    let mut checked = 0;
    let mut folders = BTreeSet::new();
    for src in sources["sources"].as_array().unwrap() {
        let path = src["source"].as_str().unwrap();
        let folder = path
            .trim_start_matches("fixtures/")
            .split('/')
            .next()
            .unwrap();
        if ids.contains(folder) {
            assert_eq!(
                src["parser"], folder,
                "{path} detected as {}",
                src["parser"]
            );
            assert!(src["events"].as_u64().unwrap() > 0, "{path} gave no events");
            checked += 1;
            folders.insert(folder.to_string());
        }
    }
    // Nothing in a parser's folder may be left unrecognized, except the
    // companion files of exports.
    for line in stderr(&out).lines() {
        if let Some(rest) = line.strip_prefix("skipped fixtures/") {
            let folder = rest.split('/').next().unwrap();
            assert!(
                !ids.contains(folder)
                    || rest.contains("companion")
                    || rest.contains("already stored"),
                "{line}"
            );
        }
    }
    assert!(folders.len() >= 20, "only {folders:?}");
    assert!(checked >= 50, "only {checked} sources checked");
}
