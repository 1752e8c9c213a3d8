//! The contracts in `docs/` against the binary: the keys of each example in
//! `docs/output.md` are exactly the keys the command emits (both ways, so
//! the page can neither miss a key nor keep one the code dropped), and every
//! subcommand and long option `--help` prints is in `docs/cli.md`.

use std::collections::BTreeSet;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use crate::util::*;

fn doc(name: &str) -> String {
    let path = repo_root().join("docs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text under a Markdown heading, up to the next heading of the same
/// or a higher level.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let level = heading.bytes().take_while(|b| *b == b'#').count();
    let start = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no heading {heading:?}"))
        + heading.len()
        + 2;
    let rest = &text[start..];
    let end = rest
        .match_indices("\n#")
        .find(|(at, _)| {
            let hashes = rest[at + 1..].bytes().take_while(|b| *b == b'#').count();
            hashes <= level && rest[at + 1 + hashes..].starts_with(' ')
        })
        .map_or(rest.len(), |(at, _)| at);
    &rest[..end]
}

/// The one ```json block of a section of `docs/output.md`.
fn example(output_md: &str, heading: &str) -> Value {
    let text = section(output_md, heading);
    let blocks: Vec<&str> = text
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .collect();
    assert_eq!(
        blocks.len(),
        1,
        "docs/output.md {heading:?} must hold exactly one ```json example"
    );
    serde_json::from_str(blocks[0])
        .unwrap_or_else(|e| panic!("docs/output.md {heading:?}: example is not JSON: {e}"))
}

/// Every key path in a value: `$.entries[].evidence[].sha256`. Objects
/// inside an array count by the union of their keys.
fn key_paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = format!("{at}.{k}");
                key_paths(child, &path, out);
                out.insert(path);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

fn paths_of<'a>(values: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for v in values {
        key_paths(v, "$", &mut out);
    }
    out
}

fn json_stdout(o: &Output) -> Value {
    assert_code(o, 0);
    serde_json::from_str(&stdout(o)).expect("JSON on stdout")
}

#[test]
fn output_md_examples_have_exactly_the_emitted_keys() {
    let s = Scratch::new();
    // A row without a role: `sources` then emits a rejected line with its
    // keys, and `audit` a warning.
    let sheet = s.write(
        "extra/shifts.csv",
        "Date,Engineer,Role,Start,End\n\
         2026-11-20,Ann Lee,incident commander,08:00,20:00\n\
         2026-11-20,Bo Kim,,08:00,20:00\n",
    );
    let mut ingest: Vec<&str> = DEMO_ARGS.to_vec();
    ingest.push(sheet.to_str().expect("utf-8 path"));
    // Hosts with skewed clocks: `sources` then emits `skew` objects.
    ingest.push("fixtures/skew");
    assert_code(&s.run("ingest", &ingest), 0);

    let events = stdout(&s.run("events", &["--format", "jsonl"]));
    let events = jsonl(&events);
    assert!(events.len() > 100, "{} events", events.len());
    let sources = json_stdout(&s.run("sources", &["--format", "json"]));
    let rejected = sources["sources"]
        .as_array()
        .expect("sources list")
        .iter()
        .flat_map(|s| s["rejected_lines"].as_array().cloned().unwrap_or_default())
        .count();
    assert!(rejected > 0, "the sheet's bad row was not rejected");
    let emitted = [
        ("## Events", paths_of(&events)),
        (
            "## Timeline",
            paths_of([&json_stdout(&s.run("timeline", &["--format", "json"]))]),
        ),
        (
            "## Audit",
            paths_of([&json_stdout(&s.run("audit", &["--format", "json"]))]),
        ),
        ("## Sources", paths_of([&sources])),
        (
            "## Formats",
            paths_of([&json_stdout(&s.run("formats", &["--format", "json"]))]),
        ),
    ];

    let output_md = doc("output.md");
    let mut failures = Vec::new();
    for (heading, emitted) in &emitted {
        assert!(emitted.len() >= 3, "{heading}: only {emitted:?} emitted");
        let documented = paths_of([&example(&output_md, heading)]);
        for key in emitted.difference(&documented) {
            failures.push(format!(
                "{heading}: emitted key {key} is not in the example"
            ));
        }
        for key in documented.difference(emitted) {
            failures.push(format!("{heading}: documented key {key} is never emitted"));
        }
    }
    assert!(
        failures.is_empty(),
        "docs/output.md and the outputs disagree:\n{}",
        failures.join("\n")
    );
}

fn help(args: &[&str]) -> String {
    let out = Command::cargo_bin("factline")
        .expect("binary")
        .args(args)
        .arg("--help")
        .output()
        .expect("run factline");
    assert_code(&out, 0);
    stdout(&out)
}

/// The first word of each line of a `--help` listing section (`Commands:`).
fn listed<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

/// The long options a `--help` text lists (not those its prose mentions).
fn long_options(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split([' ', ',']).find(|w| w.starts_with("--")))
        .map(str::to_string)
        .collect()
}

/// Whether `text` names `option` itself, not a longer option it begins.
fn mentions(text: &str, option: &str) -> bool {
    text.match_indices(option).any(|(at, _)| {
        text[at + option.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'))
    })
}

#[test]
fn cli_md_names_every_command_and_option_of_help() {
    let cli_md = doc("cli.md");
    let top = help(&[]);
    let commands = listed(&top, "Commands:");
    assert!(commands.len() >= 8, "commands in --help: {commands:?}");
    let mut failures = Vec::new();
    for option in long_options(&top) {
        if !mentions(&cli_md, &option) {
            failures.push(format!("factline {option} is not in docs/cli.md"));
        }
    }
    for command in commands {
        let heading = format!("### `factline {command}`");
        if !cli_md.contains(&format!("\n{heading}\n")) {
            failures.push(format!("no section {heading} in docs/cli.md"));
            continue;
        }
        if command == "help" {
            continue;
        }
        let text = section(&cli_md, &heading);
        let options = long_options(&help(&[command]));
        assert!(options.len() >= 3, "{command} --help: {options:?}");
        // Every command has `--help`; the page documents it once, at the top.
        for option in options.into_iter().filter(|o| o != "--help") {
            if !mentions(text, &option) {
                failures.push(format!(
                    "factline {command} {option} is not in its section of docs/cli.md"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "docs/cli.md is missing:\n{}",
        failures.join("\n")
    );
}
