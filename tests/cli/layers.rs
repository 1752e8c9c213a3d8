//! The library's top-level modules form layers: a module may use only
//! modules of a lower layer (and `super::` within its own folder). The list
//! below is the architecture, checked against every `crate::` path in
//! `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules from the top layer down. Modules of one layer do not
/// use each other.
const LAYERS: &[&[&str]] = &[
    // Runs one command: resolves its settings and drives the stages.
    &["app"],
    // The review service (tokio + axum): the page and JSON API.
    &["serve"],
    // Reviewers' curation: stable entry keys, stored actions, and the
    // review applied to a built timeline.
    &["review"],
    // Turns command-line values into each stage's settings.
    &["config"],
    // The command line as typed.
    &["cli"],
    // Outputs: the draft in its formats, and the audit of it.
    &["render", "audit"],
    // The two stages that work on the store, neither knowing the other:
    // evidence → detected, parsed, normalized, templated events in the
    // store (ingest); stored events → timeline entries, people, key times
    // (reconstruct).
    &["ingest", "reconstruct"],
    // SQLite: schema, writes, queries, packed line blocks, saved timelines.
    &["store"],
    // Message templates; which messages may be worth a row; finding,
    // opening and re-reading evidence files.
    &["template", "notable", "evidence"],
    // Value types shared by several stages.
    &["model"],
    &["error"],
    // A hint to the processor to fetch memory about to be read.
    &["prefetch"],
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names through `crate::`.
fn uses(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.find("//").map_or(l, |cut| &l[..cut]))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = code[at + "crate::".len()..].trim_start();
        match rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names right inside the braces.
            Some(group) => {
                let mut depth = 1;
                let mut start_of_item = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 1 => start_of_item = true,
                        c if depth == 1 && start_of_item && !c.is_whitespace() => {
                            start_of_item = false;
                            found.insert(ident(&group[i..]));
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
            }
            None => {
                found.insert(ident(rest));
            }
        }
    }
    found.remove("");
    found
}

/// Which top-level module uses which, from every file under `src`. Names
/// that start with a capital letter are items of the crate root (the
/// `Parser` trait and the types it re-exports), not modules.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        // The crate roots wire the modules together.
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let used = graph.entry(module.clone()).or_default();
        used.extend(
            uses(&text)
                .into_iter()
                .filter(|m| *m != module && !m.starts_with(char::is_uppercase)),
        );
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit<'g>(
        node: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// Fails, naming every edge, when the modules under `src` close a cycle or
/// use a module of their own or a higher layer.
fn check_layers(src: &Path, layers: &[&[&str]]) {
    let graph = graph(src);
    if let Some(cycle) = cycle(&graph) {
        panic!("module cycle in {}: {}", src.display(), cycle.join(" → "));
    }
    let layer = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        let Some(from) = layer(module) else {
            wrong.push(format!("{module} is in no layer"));
            continue;
        };
        for target in used {
            match layer(target) {
                Some(to) if to > from => {}
                Some(_) => wrong.push(format!("{module} → {target} goes against the layers")),
                None => wrong.push(format!("{module} → {target}: {target} is in no layer")),
            }
        }
    }
    for module in layers.iter().flat_map(|l| l.iter()) {
        if !graph.contains_key(*module) {
            wrong.push(format!("{module} is listed but not in {}", src.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn top_level_modules_use_only_lower_layers() {
    check_layers(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), LAYERS);
}

/// The parsers crate: the registry knows every family; a family uses the
/// shared readers and itself, never another family (paging reads the role
/// names of shift sheets), so a parser can be read with its family alone.
const PARSER_LAYERS: &[&[&str]] = &[
    &["registry"],
    // Log-platform exports, whose records' original lines are read by the
    // line parsers of `logs` and `declarative`.
    &["platforms"],
    &[
        "logs",
        "chat",
        "paging",
        "tickets",
        "incidents",
        "declarative",
    ],
    // Shift sheets, whose role names (escalation level 1 = primary on-call)
    // PagerDuty's on-calls share.
    &["shifts"],
    // Which of several parsers accepting the same bytes wins.
    &["ranking"],
    // Test helpers for the parsers' unit tests.
    &["testing"],
    // Reading bytes: lines, JSON, CSV rows, identifiers in text.
    &["input"],
    &["record"],
    &["time"],
];

#[test]
fn parser_families_use_only_the_shared_readers() {
    check_layers(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("parsers/src"),
        PARSER_LAYERS,
    );
}

#[test]
fn finds_paths_and_groups_but_not_comments() {
    let found = uses(
        "use crate::{a, b::c, d::{e, f}};\n\
         let x = crate::g::h(); // crate::ignored\n\
         use super::i;\n",
    );
    assert_eq!(found, ["a", "b", "d", "g"].map(String::from).into());
}
