//! The fuzz crate (`fuzz/`, a workspace of its own) is not built by
//! `cargo test`, so this keeps its promise of one target per built-in
//! parser: a parser added or renamed without its target fails here.

use std::collections::BTreeSet;
use std::path::Path;

use factline_parsers::registry;

/// Targets that fuzz something other than one parser.
const SHARED: [&str; 3] = ["load_format", "parse_all", "time"];

#[test]
fn every_builtin_parser_has_a_fuzz_target_and_every_target_a_parser() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let files: BTreeSet<String> = std::fs::read_dir(fuzz.join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let ids: Vec<String> = registry::builtin()
        .iter()
        .map(|p| p.id().to_string())
        .collect();
    let expected: BTreeSet<String> = ids
        .iter()
        .map(String::as_str)
        .chain(SHARED)
        .map(|t| format!("{t}.rs"))
        .collect();
    assert_eq!(files, expected, "fuzz/fuzz_targets/ against the registry");
    for target in ids.iter().map(String::as_str).chain(SHARED) {
        let bin = format!("[[bin]]\nname = \"{target}\"\npath = \"fuzz_targets/{target}.rs\"\n");
        assert!(manifest.contains(&bin), "fuzz/Cargo.toml lacks:\n{bin}");
    }
}
