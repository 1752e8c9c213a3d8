//! GitHub issues as the REST and GraphQL APIs return them: issue lists
//! (`/repos/{o}/{r}/issues`, a single issue, search results
//! `{"items": [...]}`), issue comments, issue events and timelines
//! (`/issues/{n}/events`, `/issues/{n}/timeline`), and GraphQL
//! `timelineItems`. Times are ISO 8601 UTC (`2022-07-19T04:39:16Z`).

use serde_json::Value;

use crate::input::json::Element;
use crate::input::json::{self, LineIndex};
use crate::record::{Record, RecordSink};
use crate::tickets;
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// GitHub issues, comments and events (REST and GraphQL JSON).
pub struct GitHub;

impl Parser for GitHub {
    fn id(&self) -> &str {
        "github-json"
    }

    fn description(&self) -> &str {
        "GitHub issues JSON (REST lists, search, comments, events, timeline; GraphQL timelineItems)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if !matches!(json::first_byte(head), Some(b'[' | b'{')) {
            return None;
        }
        let has = |k| json::has_key(head, k);
        let utc = |keys: &[&str]| json::head_time(head, keys, absolute);
        let issues = has("number")
            && has("login")
            && (has("repository_url") || has("comments_url") || has("pull_request"))
            && utc(&["created_at"]);
        let comments = has("issue_url") && has("login") && utc(&["created_at"]);
        let events = has("event")
            && has("actor")
            && has("login")
            && (has("node_id")
                || has("commit_id")
                || memchr::memmem::find(head, b"/repos/").is_some())
            && utc(&["created_at"]);
        let graphql = has("timelineItems") && utc(&["createdAt"]);
        (issues || comments || events || graphql).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match json::document(input) {
            Ok(doc) => doc,
            Err(reason) => return tickets::report(sink, None, "$", reason),
        };
        let lines = LineIndex::new(input);
        if let Some(list) = json::elements_below(input, &lines, doc, &[], "$") {
            for it in &list {
                element(input, it, sink);
            }
            return;
        }
        let Some(top) = json::members_by_key(doc) else {
            return tickets::report(sink, Some(1), "$", "not a GitHub API response");
        };
        if top.contains_key("items") {
            for it in json::elements_below(input, &lines, doc, &["items"], "$").unwrap_or_default()
            {
                element(input, &it, sink);
            }
        } else if top.contains_key("data") {
            graphql(input, &lines, doc, sink);
        } else if let Some(it) = json::element(input, &lines, doc, "$".to_string()) {
            element(input, &it, sink);
        }
    }
}

fn absolute(text: &str) -> Option<Timestamp> {
    crate::time::parse_field(text, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
}

/// `owner/repo` from an API or web address of the repository or of
/// something in it.
fn repo_of(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1);
    let mut first = segments.next()?;
    // `api.github.com/repos/o/r` and GitHub Enterprise `host/api/v3/repos/o/r`.
    if first == "api" {
        segments.next();
        first = segments.next()?;
    }
    if first == "repos" {
        first = segments.next()?;
    }
    let name = segments.next()?;
    (!first.is_empty() && !name.is_empty()).then(|| format!("{first}/{name}"))
}

/// The issue number at the end of an issue or pull request address.
fn number_of(url: &str) -> Option<u64> {
    let path = url.split('#').next().unwrap_or(url);
    let mut parts = path.rsplit('/');
    let n = parts.next()?.parse().ok()?;
    matches!(parts.next(), Some("issues" | "pull" | "pulls")).then_some(n)
}

/// An issue as messages and merges name it.
#[derive(Debug, Clone)]
struct Issue {
    label: String,
    repo: Option<String>,
    url: Option<String>,
}

impl Issue {
    fn new(repo: Option<String>, number: Option<u64>, url: Option<String>) -> Issue {
        let label = match (&repo, number) {
            (Some(r), Some(n)) => format!("{r}#{n}"),
            (None, Some(n)) => format!("#{n}"),
            (Some(r), None) => format!("{r} issue"),
            (None, None) => "GitHub issue".to_string(),
        };
        Issue { label, repo, url }
    }

    /// From an issue object.
    fn of(v: &Value) -> Issue {
        let html = json::text(v, &["html_url"]);
        let repo = html
            .or_else(|| json::text(v, &["repository_url"]))
            .or_else(|| json::text(v, &["url"]))
            .and_then(repo_of);
        let number = v.get("number").and_then(Value::as_u64);
        Issue::new(
            repo,
            number,
            html.map(|h| h.split('#').next().unwrap_or(h).to_string()),
        )
    }

    /// From the addresses an event or comment carries.
    fn around(v: &Value) -> Issue {
        if let Some(issue) = v.get("issue").filter(|i| i.is_object()) {
            return Issue::of(issue);
        }
        let issue_url = json::text(v, &["issue_url"]);
        let html = json::text(v, &["html_url"]);
        let any = issue_url.or(html).or_else(|| json::text(v, &["url"]));
        let repo = any.and_then(repo_of);
        let number = issue_url.or(html).and_then(number_of);
        let web = html
            .filter(|h| number_of(h).is_some())
            .map(|h| h.split('#').next().unwrap_or(h).to_string());
        Issue::new(repo, number, web)
    }

    fn stamp(&self, mut r: Record) -> Record {
        r.system = Some("GitHub".into());
        r.service = self.repo.clone();
        if self.label.contains('#') && self.repo.is_some() {
            r.identifiers.push(self.label.clone());
        }
        r.identifiers.extend(self.url.iter().cloned());
        r
    }
}

/// The login of a user object and whether a person holds it.
fn user(v: Option<&Value>) -> (Option<String>, Option<bool>) {
    let Some(u) = v.filter(|u| u.is_object()) else {
        return (None, None);
    };
    let login = json::text(u, &["login"]).map(str::to_string);
    let bot = json::text(u, &["type"]) == Some("Bot")
        || json::text(u, &["__typename"]) == Some("Bot")
        || login.as_deref().is_some_and(|l| l.ends_with("[bot]"));
    let human = login.as_ref().map(|_| !bot);
    (login, human)
}

fn names(v: &Value, key: &str, field: &str) -> Option<String> {
    let list: Vec<&str> = v
        .get(key)?
        .as_array()?
        .iter()
        .filter_map(|x| json::text(x, &[field]))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn element(input: &[u8], it: &Element, sink: &mut dyn RecordSink) {
    let v = &it.value;
    let line = Some(it.line);
    let records = if v.get("event").is_some_and(Value::is_string) {
        event(input, it, sink).into_iter().collect()
    } else if v.get("number").is_some() && v.get("created_at").is_some() {
        issue(input, it, sink)
    } else if v.get("body").is_some() && v.get("created_at").is_some() {
        comment(input, it, sink).into_iter().collect()
    } else {
        tickets::report(
            sink,
            line,
            &it.locator,
            "not a GitHub issue, comment or event",
        );
        Vec::new()
    };
    tickets::emit(sink, records);
}

fn read_time(it: &Element, key: &str, what: &str, sink: &mut dyn RecordSink) -> Option<Timestamp> {
    let value = it.value.get(key).filter(|x| !x.is_null());
    let time = tickets::json_time(value);
    if time.is_none() {
        tickets::report(
            sink,
            Some(it.line),
            &it.locator,
            format!("{what} without a readable {key}"),
        );
    }
    time
}

fn issue(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Vec<Record> {
    let v = &it.value;
    let issue = Issue::of(v);
    let pull = v.get("pull_request").is_some_and(|p| !p.is_null())
        || issue.url.as_deref().is_some_and(|u| u.contains("/pull/"));
    let what = if pull { "pull request" } else { "issue" };
    let mut events = Vec::new();
    let record = |time: Timestamp, locator: String, message: String| {
        issue.stamp(tickets::item_record(input, it, &locator, time, message))
    };
    if let Some(time) = read_time(it, "created_at", what, sink) {
        let mut message = format!("{} opened", issue.label);
        if pull {
            message = format!("{} pull request opened", issue.label);
        }
        if let Some(title) = json::text(v, &["title"]) {
            message.push_str(": ");
            message.push_str(title);
        }
        let mut r = record(time, it.locator.clone(), message).with_attribute("event", "opened");
        (r.actor, r.human) = user(v.get("user"));
        if let Some(state) = json::text(v, &["state"]) {
            r.attributes.push(("state".into(), state.to_string()));
        }
        if let Some(labels) = names(v, "labels", "name") {
            r.attributes.push(("labels".into(), labels));
        }
        if let Some(assignees) = names(v, "assignees", "login") {
            r.attributes.push(("assignee".into(), assignees));
        }
        if pull {
            r.attributes
                .push(("pull_request".into(), "true".to_string()));
        }
        tickets::mention(&mut r, json::text(v, &["body"]).unwrap_or_default());
        events.push(r);
    }
    let merged = v
        .get("merged_at")
        .or_else(|| v.get("pull_request").and_then(|p| p.get("merged_at")))
        .filter(|m| !m.is_null());
    if let Some(m) = merged {
        match tickets::json_time(Some(m)) {
            Some(time) => {
                let mut r = record(
                    time,
                    format!("{}.merged_at", it.locator),
                    format!("{} merged", issue.label),
                )
                .with_attribute("event", "merged");
                (r.actor, r.human) = user(v.get("merged_by"));
                events.push(r);
            }
            None => tickets::report(
                sink,
                Some(it.line),
                &it.locator,
                format!("{what} with an unreadable merged_at"),
            ),
        }
    }
    if v.get("closed_at").is_some_and(|c| !c.is_null()) {
        if let Some(time) = read_time(it, "closed_at", what, sink) {
            let message = match json::text(v, &["state_reason"]) {
                Some(reason) => format!("{} closed ({})", issue.label, reason.replace('_', " ")),
                None => format!("{} closed", issue.label),
            };
            let mut r = record(time, format!("{}.closed_at", it.locator), message)
                .with_attribute("event", "closed")
                .with_attribute("status_to", "closed");
            (r.actor, r.human) = user(v.get("closed_by"));
            events.push(r);
        }
    }
    tickets::sort_if_absolute(&mut events);
    events
}

fn comment(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let v = &it.value;
    let issue = Issue::around(v);
    let time = read_time(it, "created_at", "comment", sink)?;
    let body = json::text(v, &["body"])
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let mut r = issue
        .stamp(tickets::item_record(
            input,
            it,
            &it.locator,
            time,
            format!("{} comment: {body}", issue.label),
        ))
        .with_attribute("comment", "true");
    (r.actor, r.human) = user(v.get("user"));
    if let Some(assoc) = json::text(v, &["author_association"]) {
        r.attributes
            .push(("author_association".into(), assoc.to_string()));
    }
    Some(r)
}

/// A short commit id.
fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// An assignment's words: `named` and the assignee, or `bare` when the
/// event names none (GitHub's events of 2012 named only their actor).
fn assignment(v: &Value, named: &str, bare: &str) -> String {
    match json::text(v, &["assignee", "login"]) {
        Some(who) => format!("{named} {who}"),
        None => bare.to_string(),
    }
}

/// What a REST issue event or timeline item says, after the issue label.
fn event_words(name: &str, v: &Value) -> String {
    let s = |path: &[&str]| json::text(v, path).unwrap_or_default().to_string();
    match name {
        "labeled" => format!("labeled {}", s(&["label", "name"])),
        "unlabeled" => format!("unlabeled {}", s(&["label", "name"])),
        "assigned" => assignment(v, "assigned to", "assigned"),
        "unassigned" => assignment(v, "unassigned", "unassigned"),
        "milestoned" => format!("milestone set to {}", s(&["milestone", "title"])),
        "demilestoned" => format!("milestone removed ({})", s(&["milestone", "title"])),
        "renamed" => tickets::change_text("title", &s(&["rename", "from"]), &s(&["rename", "to"])),
        "closed" => match json::text(v, &["state_reason"]) {
            Some(reason) => format!("closed ({})", reason.replace('_', " ")),
            None => "closed".to_string(),
        },
        "referenced" => format!("referenced in commit {}", short(&s(&["commit_id"]))),
        "cross-referenced" => {
            let source = json::text(v, &["source", "issue", "html_url"]).unwrap_or("another issue");
            format!("mentioned in {source}")
        }
        "commented" => format!("comment: {}", s(&["body"]).replace("\r\n", "\n")),
        "reviewed" => format!("review {}: {}", s(&["state"]).to_lowercase(), s(&["body"])),
        "review_requested" => format!(
            "review requested from {}",
            s(&["requested_reviewer", "login"])
        ),
        "committed" => format!("commit {}: {}", short(&s(&["sha"])), s(&["message"])),
        other => other.replace('_', " "),
    }
    .trim_end_matches([' ', ':'])
    .to_string()
}

fn event(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let v = &it.value;
    let name = json::text(v, &["event"]).unwrap_or("event");
    let issue = Issue::around(v);
    // Timeline items keep their time under different names.
    let (key, who) = match name {
        "commented" => ("created_at", v.get("user")),
        "reviewed" => ("submitted_at", v.get("user")),
        "committed" => ("committer", v.get("author")),
        _ => ("created_at", v.get("actor")),
    };
    let time = if key == "committer" {
        let t = tickets::json_time(json::get(v, &["committer", "date"]));
        if t.is_none() {
            tickets::report(
                sink,
                Some(it.line),
                &it.locator,
                "commit without a readable committer.date",
            );
        }
        t?
    } else {
        read_time(it, key, &format!("{name} event"), sink)?
    };
    let message = format!("{} {}", issue.label, event_words(name, v));
    let mut r = issue
        .stamp(tickets::item_record(input, it, &it.locator, time, message))
        .with_attribute("event", name);
    if name == "committed" {
        r.actor = json::text(v, &["author", "name"]).map(str::to_string);
    } else {
        (r.actor, r.human) = user(who);
    }
    match name {
        "closed" => r
            .attributes
            .push(("status_to".into(), "closed".to_string())),
        "reopened" => r.attributes.push(("status_to".into(), "open".to_string())),
        "assigned" => {
            if let Some(a) = json::text(v, &["assignee", "login"]) {
                r.attributes.push(("assignee".into(), a.to_string()));
            }
        }
        "commented" => r.attributes.push(("comment".into(), "true".to_string())),
        _ => {}
    }
    Some(r)
}

/// GraphQL `timelineItems` of an issue or pull request.
fn graphql(
    input: &[u8],
    lines: &LineIndex,
    doc: &serde_json::value::RawValue,
    sink: &mut dyn RecordSink,
) {
    let Some(repository) = json::raw_at(doc, &["data", "repository"]) else {
        return tickets::report(
            sink,
            Some(1),
            "$.data",
            "GraphQL response without data.repository",
        );
    };
    let Some(members) = json::members_by_key(repository) else {
        return tickets::report(
            sink,
            Some(1),
            "$.data.repository",
            "data.repository is not an object",
        );
    };
    let repo_value: Value = serde_json::from_str(repository.get()).unwrap_or(Value::Null);
    let mut found = false;
    for owner in ["issue", "pullRequest", "issueOrPullRequest"] {
        let Some(raw) = members.get(owner) else {
            continue;
        };
        let base = format!("$.data.repository.{owner}");
        let v: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        let repo = json::text(&repo_value, &["nameWithOwner"])
            .map(str::to_string)
            .or_else(|| json::text(&v, &["url"]).and_then(repo_of));
        let number = v.get("number").and_then(Value::as_u64);
        let issue = Issue::new(repo, number, json::text(&v, &["url"]).map(str::to_string));
        let nodes = json::elements_below(input, lines, raw, &["timelineItems", "nodes"], &base)
            .or_else(|| {
                json::elements_below(input, lines, raw, &["timelineItems", "edges"], &base)
            });
        for mut it in nodes.unwrap_or_default() {
            if let Some(node) = it.value.get("node").cloned() {
                it.value = node;
                it.locator.push_str(".node");
            }
            found = true;
            if let Some(r) = timeline_node(input, &issue, &it, sink) {
                sink.record(r);
            }
        }
    }
    if !found {
        tickets::report(
            sink,
            Some(1),
            "$.data.repository",
            "no issue or pull request timelineItems",
        );
    }
}

/// `ConvertedNoteToIssueEvent` → `converted note to issue`.
fn typename_words(name: &str) -> String {
    let core = name.strip_suffix("Event").unwrap_or(name);
    let mut out = String::new();
    for c in core.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn timeline_node(
    input: &[u8],
    issue: &Issue,
    it: &Element,
    sink: &mut dyn RecordSink,
) -> Option<Record> {
    let v = &it.value;
    // Perceval stores the type as `eventType`; the API calls it `__typename`.
    let typename = json::text(v, &["__typename"])
        .or_else(|| json::text(v, &["eventType"]))
        .unwrap_or("TimelineItem");
    let time = read_time(it, "createdAt", typename, sink)?;
    let s = |path: &[&str]| json::text(v, path).unwrap_or_default().to_string();
    let words = match typename {
        "LabeledEvent" => format!("labeled {}", s(&["label", "name"])),
        "UnlabeledEvent" => format!("unlabeled {}", s(&["label", "name"])),
        "ClosedEvent" => "closed".to_string(),
        "ReopenedEvent" => "reopened".to_string(),
        "AssignedEvent" => assignment(v, "assigned to", "assigned"),
        "UnassignedEvent" => assignment(v, "unassigned", "unassigned"),
        "IssueComment" => format!("comment: {}", s(&["body"]).replace("\r\n", "\n")),
        "RenamedTitleEvent" => {
            tickets::change_text("title", &s(&["previousTitle"]), &s(&["currentTitle"]))
        }
        "CrossReferencedEvent" => format!("mentioned in {}", s(&["source", "url"])),
        "MilestonedEvent" => format!("milestone set to {}", s(&["milestoneTitle"])),
        "MergedEvent" => "merged".to_string(),
        other => typename_words(other),
    };
    let words = words.trim_end_matches([' ', ':']).to_string();
    let mut r = issue
        .stamp(tickets::item_record(
            input,
            it,
            &it.locator,
            time,
            format!("{} {words}", issue.label),
        ))
        .with_attribute("event", typename);
    (r.actor, r.human) = user(v.get("actor").or_else(|| v.get("author")));
    if typename == "IssueComment" {
        r.attributes.push(("comment".into(), "true".to_string()));
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Kind;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc, utc_messages};

    const LIST: &[u8] = include_bytes!("../../../fixtures/github-json/list_issues_page1.json");
    const SEARCH: &[u8] = include_bytes!("../../../fixtures/github-json/search_issues.json");
    const CLOSED: &[u8] = include_bytes!("../../../fixtures/github-json/issue_closed.json");
    const COMMENTS: &[u8] = include_bytes!("../../../fixtures/github-json/issue_comments.json");
    const EVENTS: &[u8] = include_bytes!("../../../fixtures/github-json/issue_events.json");

    const REPO: &str = "octokit-fixture-org/tmp-scenario-paginate-issues-20220719043836917-izyoe";

    #[test]
    fn issue_list_from_octokit() {
        let out = run(&GitHub, LIST);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        let r = &out.records[0];
        assert_eq!(utc(r), "2022-07-19T04:39:16.000000Z");
        assert_eq!(r.message, format!("{REPO}#13 opened: Test issue 13"));
        assert_eq!(r.kind, Kind::Ticket);
        assert_eq!(r.system.as_deref(), Some("GitHub"));
        assert_eq!(r.service.as_deref(), Some(REPO));
        assert_eq!(r.actor.as_deref(), Some("octokit-fixture-user-a"));
        assert_eq!(r.human, Some(true));
        assert_eq!(r.locator.as_deref(), Some("$[0]"));
        assert_eq!(r.line, Some(2));
        assert_eq!(
            r.identifiers,
            [
                format!("{REPO}#13"),
                format!("https://github.com/{REPO}/issues/13")
            ]
        );
        assert_eq!(attr(r, "state"), Some("open"));
        let last = &out.records[2];
        assert_eq!(utc(last), "2022-07-19T04:39:10.000000Z");
        assert_eq!(last.locator.as_deref(), Some("$[2]"));
        assert!(LIST[last.span.clone()].starts_with(b"{"));
        assert!(LIST[last.span.clone()].ends_with(b"}"));
    }

    #[test]
    fn search_results() {
        let out = run(&GitHub, SEARCH);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, &str, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.locator.as_deref()))
            .collect();
        let repo = "octokit-fixture-org/tmp-scenario-search-issues-20220719044045959-jlcli";
        assert_eq!(
            got,
            [
                (
                    "2022-07-19T04:40:52.000000Z".to_string(),
                    format!("{repo}#2 opened: Sesame seeds split without a pop!").as_str(),
                    Some("$.items[0]")
                ),
                (
                    "2022-07-19T04:40:49.000000Z".to_string(),
                    format!("{repo}#1 opened: The doors don’t open").as_str(),
                    Some("$.items[1]")
                ),
            ]
        );
        assert_eq!(
            out.records[0].actor.as_deref(),
            Some("octokit-fixture-user-b")
        );
    }

    #[test]
    fn closed_issue_with_a_bot_closing_it() {
        let out = run(&GitHub, CLOSED);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                ("2026-10-25T00:02:11.000000Z".to_string(), "example-org/search-api#42 opened: Search p99 latency above 2s after es-data-3 restart"),
                ("2026-10-25T02:49:30.000000Z".to_string(), "example-org/search-api#42 closed (completed)"),
            ]
        );
        let opened = &out.records[0];
        assert_eq!(opened.locator.as_deref(), Some("$"));
        assert_eq!(attr(opened, "labels"), Some("incident, sev2"));
        assert_eq!(attr(opened, "assignee"), Some("dana-w"));
        let closed = &out.records[1];
        assert_eq!(closed.locator.as_deref(), Some("$.closed_at"));
        assert_eq!(closed.actor.as_deref(), Some("incident-bot[bot]"));
        assert_eq!(closed.human, Some(false));
        assert_eq!(attr(closed, "status_to"), Some("closed"));
        assert_eq!(
            closed.identifiers,
            [
                "example-org/search-api#42",
                "https://github.com/example-org/search-api/issues/42"
            ]
        );
    }

    #[test]
    fn comments_by_people_and_bots() {
        let out = run(&GitHub, COMMENTS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(utc(r), "2026-10-25T00:35:02.000000Z");
        assert_eq!(
            r.message,
            "example-org/search-api#42 comment: Throttling shard relocations: node_concurrent_recoveries=2"
        );
        assert_eq!(r.actor.as_deref(), Some("lee-okafor"));
        assert_eq!(r.human, Some(true));
        assert_eq!(attr(r, "comment"), Some("true"));
        assert_eq!((r.line, r.line_end), (Some(2), Some(12)));
        assert_eq!(
            r.identifiers,
            [
                "example-org/search-api#42",
                "https://github.com/example-org/search-api/issues/42"
            ]
        );
        let bot = &out.records[1];
        assert_eq!(utc(bot), "2026-10-25T02:49:29.000000Z");
        assert_eq!(bot.human, Some(false));
        assert_eq!(bot.locator.as_deref(), Some("$[1]"));
    }

    #[test]
    fn issue_events_and_bad_ones() {
        let out = run(&GitHub, EVENTS);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                (
                    "2026-10-25T00:02:12.000000Z".to_string(),
                    "example-org/search-api issue labeled sev2"
                ),
                (
                    "2026-10-25T00:03:40.000000Z".to_string(),
                    "example-org/search-api issue assigned to dana-w"
                ),
                (
                    "2026-10-25T02:49:30.000000Z".to_string(),
                    "example-org/search-api issue closed (completed)"
                ),
            ]
        );
        assert_eq!(out.records[2].human, Some(false));
        assert_eq!(attr(&out.records[1], "assignee"), Some("dana-w"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$[3]"));
        assert_eq!(out.problems[0].line, Some(30));
        assert!(out.problems[0]
            .reason
            .contains("renamed event without a readable created_at"));
    }

    #[test]
    fn graphql_timeline_items() {
        let input = br#"{"data":{"repository":{"nameWithOwner":"o/r","issue":{"number":7,"timelineItems":{"nodes":[
            {"__typename":"LabeledEvent","createdAt":"2020-04-07T11:21:12Z","actor":{"login":"valeriocos"},"label":{"name":"bug"}},
            {"__typename":"IssueComment","createdAt":"2020-04-07T11:25:00Z","author":{"login":"renovate","__typename":"Bot"},"body":"done"},
            {"__typename":"ConvertedNoteToIssueEvent","createdAt":"2020-04-07T11:30:00Z","actor":null}
        ]}}}}}"#;
        assert_eq!(GitHub.sniff(input), Some(95));
        let out = run(&GitHub, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                (
                    "2020-04-07T11:21:12.000000Z".to_string(),
                    "o/r#7 labeled bug"
                ),
                (
                    "2020-04-07T11:25:00.000000Z".to_string(),
                    "o/r#7 comment: done"
                ),
                (
                    "2020-04-07T11:30:00.000000Z".to_string(),
                    "o/r#7 converted note to issue"
                ),
            ]
        );
        assert_eq!(
            out.records[0].locator.as_deref(),
            Some("$.data.repository.issue.timelineItems.nodes[0]")
        );
        assert_eq!(out.records[1].human, Some(false));
    }

    #[test]
    fn broken_documents_are_problems() {
        assert_eq!(run(&GitHub, b"[{\"id\": 1}]").problems.len(), 1);
        assert_eq!(run(&GitHub, b"[{").problems.len(), 1);
        assert_eq!(run(&GitHub, b"{\"data\": {}}").problems.len(), 1);
        assert_eq!(
            run(&GitHub, b"[{\"number\":1,\"created_at\":\"soon\"}]")
                .problems
                .len(),
            1
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            repo_of("https://api.github.com/repos/o/r/issues/1").as_deref(),
            Some("o/r")
        );
        assert_eq!(
            repo_of("https://github.com/o/r/issues/1#issuecomment-2").as_deref(),
            Some("o/r")
        );
        assert_eq!(
            repo_of("https://ghe.example.com/api/v3/repos/o/r").as_deref(),
            Some("o/r")
        );
        assert_eq!(number_of("https://github.com/o/r/pull/12"), Some(12));
        assert_eq!(
            number_of("https://api.github.com/repos/o/r/issues/events/12"),
            None
        );
    }

    #[test]
    fn sniff_accepts_github_and_rejects_other_formats() {
        for own in [LIST, SEARCH, CLOSED, COMMENTS, EVENTS, &LIST[..2500]] {
            assert_eq!(GitHub.sniff(own), Some(95));
        }
        assert_rejects(
            &GitHub,
            &[
            &b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"incident_number\":1,\"created_at\":\"2015-10-06T21:30:42Z\",\"html_url\":\"https://acme.pagerduty.com/incidents/PT4KHLK\"}]}"[..],
            b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            b"[{\"iid\":1,\"web_url\":\"https://gitlab.com/a/b/issues/1\",\"created_at\":\"2017-03-17T03:44:12.073Z\",\"author\":{\"username\":\"x\"}}]",
            include_bytes!("../../../fixtures/jira-json/search_incident_with_changelog.json"),
            b"Summary,Issue key,Created\nA,X-1,20/Nov/26 10:07 AM\n",
            ],
        );
    }

    #[test]
    fn assignments_that_name_no_assignee_say_so_without_a_dangling_to() {
        let input: &[u8] = include_bytes!(
            "../../../fixtures/github-json/own_repo_issue_events_without_assignee.json"
        );
        assert_eq!(GitHub.sniff(input), Some(95));
        let out = run(&GitHub, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            utc_messages(&out),
            [
                (
                    "2026-10-25T02:49:30.000000Z".to_string(),
                    "example-org/search-api#23 closed"
                ),
                (
                    "2026-10-25T01:04:55.000000Z".to_string(),
                    "example-org/search-api#23 assigned"
                ),
            ]
        );
        let assigned = &out.records[1];
        assert_eq!(assigned.actor.as_deref(), Some("lee-okafor"));
        assert_eq!(attr(assigned, "assignee"), None);
        assert_eq!(assigned.locator.as_deref(), Some("$[1]"));
        let unnamed = serde_json::json!({"event": "unassigned", "assignee": null});
        assert_eq!(event_words("unassigned", &unnamed), "unassigned");
    }

    never_panics!(GitHub);
}
