//! GitLab issues and merge requests as REST API v4 returns them: issue
//! and merge request lists (or one), notes (`system: true` notes are
//! GitLab's own record of a change: "closed", "assigned to @x"),
//! discussions, and resource state and label events. Times are ISO 8601
//! with `Z` or an offset.

use serde_json::Value;

use crate::input::json::Element;
use crate::input::json::{self, LineIndex};
use crate::record::{Record, RecordSink};
use crate::tickets;
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// GitLab issues, notes and resource events (REST v4 JSON).
pub struct GitLab;

impl Parser for GitLab {
    fn id(&self) -> &str {
        "gitlab-json"
    }

    fn description(&self) -> &str {
        "GitLab issues and merge requests JSON (REST v4 lists, notes, discussions, resource events)"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if !matches!(json::first_byte(head), Some(b'[' | b'{')) {
            return None;
        }
        let has = |k| json::has_key(head, k);
        let utc = json::head_time(head, &["created_at"], |t| {
            crate::time::parse_field(t, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
        });
        let issues = has("iid") && has("web_url") && has("author") && has("username");
        let notes = has("noteable_type") && has("system");
        let events = has("resource_type") && has("resource_id");
        let discussions = has("individual_note") && has("notes");
        ((issues || notes || events || discussions) && utc).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match json::document(input) {
            Ok(doc) => doc,
            Err(reason) => return tickets::report(sink, None, "$", reason),
        };
        let lines = LineIndex::new(input);
        let list = match json::elements_below(input, &lines, doc, &[], "$") {
            Some(list) => list,
            None => match json::element(input, &lines, doc, "$".to_string()) {
                Some(one) if one.value.is_object() => vec![one],
                _ => return tickets::report(sink, Some(1), "$", "not a GitLab API response"),
            },
        };
        let mut records = Vec::new();
        for it in &list {
            element(input, &lines, it, &mut records, sink);
        }
        // Notes come newest first; every time here is absolute, so sorting
        // cannot change how they resolve.
        tickets::sort_if_absolute(&mut records);
        tickets::emit(sink, records);
    }
}

/// `group/sub/project` from a web address of something in the project
/// (`…/group/project/-/issues/42`, older `…/group/project/issues/42`).
fn project_of(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let end = segments
        .iter()
        .position(|s| matches!(*s, "-" | "issues" | "merge_requests" | "work_items"))?;
    (end > 0).then(|| segments[..end].join("/"))
}

/// An issue or merge request as messages and merges name it.
struct Ticket {
    label: String,
    project: Option<String>,
    /// `group/project#42`, when the project is known.
    reference: Option<String>,
    url: Option<String>,
}

impl Ticket {
    fn of(v: &Value) -> Ticket {
        let merge_request = v.get("merge_status").is_some()
            || v.get("source_branch").is_some()
            || json::text(v, &["web_url"]).is_some_and(|u| u.contains("/merge_requests/"));
        let sigil = if merge_request { '!' } else { '#' };
        let url = json::text(v, &["web_url"]).map(str::to_string);
        let project = url.as_deref().and_then(project_of);
        let iid = json::scalar_text(v, &["iid"]);
        let reference = json::text(v, &["references", "full"])
            .map(str::to_string)
            .or_else(|| Some(format!("{}{sigil}{}", project.as_ref()?, iid.as_ref()?)));
        let label = match (&reference, &iid) {
            (Some(r), _) => r.clone(),
            (None, Some(i)) => format!("{sigil}{i}"),
            (None, None) => "GitLab issue".to_string(),
        };
        Ticket {
            label,
            project,
            reference,
            url,
        }
    }

    /// The issue or merge request of a note, which names only its number.
    fn of_note(v: &Value) -> Ticket {
        let sigil = match json::text(v, &["noteable_type"]) {
            Some("MergeRequest") => "!",
            Some("Epic") => "&",
            _ => "#",
        };
        let label = match json::scalar_text(v, &["noteable_iid"]) {
            Some(iid) => format!("{sigil}{iid}"),
            None => "GitLab issue".to_string(),
        };
        Ticket {
            label,
            project: None,
            reference: None,
            url: None,
        }
    }

    fn stamp(&self, mut r: Record) -> Record {
        r.system = Some("GitLab".into());
        r.service = self.project.clone();
        r.identifiers.extend(self.reference.iter().cloned());
        r.identifiers.extend(self.url.iter().cloned());
        r
    }
}

/// A user's name and whether a person holds the account.
fn user(v: Option<&Value>) -> (Option<String>, Option<bool>) {
    let Some(u) = v.filter(|u| u.is_object()) else {
        return (None, None);
    };
    let name = json::text(u, &["username"])
        .or_else(|| json::text(u, &["name"]))
        .map(str::to_string);
    let bot = u.get("bot") == Some(&Value::Bool(true))
        || name.as_deref().is_some_and(tickets::looks_automated)
        || json::text(u, &["name"]).is_some_and(tickets::looks_automated);
    let human = name.as_ref().map(|_| !bot);
    (name, human)
}

fn time_of(it: &Element, key: &str, what: &str, sink: &mut dyn RecordSink) -> Option<Timestamp> {
    let t = tickets::json_time(it.value.get(key));
    if t.is_none() {
        tickets::report(
            sink,
            Some(it.line),
            &it.locator,
            format!("{what} without a readable {key}"),
        );
    }
    t
}

fn element(
    input: &[u8],
    lines: &LineIndex,
    it: &Element,
    out: &mut Vec<Record>,
    sink: &mut dyn RecordSink,
) {
    let v = &it.value;
    if v.get("notes").is_some_and(Value::is_array) {
        // A discussion: its notes, each at its own place.
        for note_item in json::nested(input, lines, it, &["notes"]).unwrap_or_default() {
            out.extend(note(input, &note_item, sink));
        }
    } else if v.get("noteable_type").is_some()
        || (v.get("body").is_some() && v.get("system").is_some())
    {
        out.extend(note(input, it, sink));
    } else if v.get("resource_type").is_some() {
        out.extend(resource_event(input, it, sink));
    } else if v.get("iid").is_some() {
        out.extend(issue(input, it, sink));
    } else {
        tickets::report(
            sink,
            Some(it.line),
            &it.locator,
            "not a GitLab issue, merge request, note or resource event",
        );
    }
}

fn labels(v: &Value) -> Option<String> {
    let list: Vec<&str> = v
        .get("labels")?
        .as_array()?
        .iter()
        .filter_map(|l| l.as_str().or_else(|| json::text(l, &["name"])))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn issue(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Vec<Record> {
    let v = &it.value;
    let ticket = Ticket::of(v);
    let mut events = Vec::new();
    let record = |time: Timestamp, locator: String, message: String| {
        ticket.stamp(tickets::item_record(input, it, &locator, time, message))
    };
    if let Some(time) = time_of(it, "created_at", "issue", sink) {
        let mut message = format!("{} opened", ticket.label);
        if let Some(title) = json::text(v, &["title"]) {
            message.push_str(": ");
            message.push_str(title);
        }
        let mut r = record(time, it.locator.clone(), message).with_attribute("event", "opened");
        (r.actor, r.human) = user(v.get("author"));
        for key in ["state", "issue_type", "severity"] {
            if let Some(value) = json::text(v, &[key]) {
                r.attributes
                    .push((key.to_string().into(), value.to_string()));
            }
        }
        if let Some(l) = labels(v) {
            r.attributes.push(("labels".into(), l));
        }
        tickets::mention(&mut r, json::text(v, &["description"]).unwrap_or_default());
        events.push(r);
    }
    for (key, by, word) in [
        ("merged_at", "merged_by", "merged"),
        ("closed_at", "closed_by", "closed"),
    ] {
        if v.get(key).is_none_or(Value::is_null) {
            continue;
        }
        if let Some(time) = time_of(it, key, "issue", sink) {
            let mut r = record(
                time,
                format!("{}.{key}", it.locator),
                format!("{} {word}", ticket.label),
            )
            .with_attribute("event", word)
            .with_attribute("status_to", word);
            (r.actor, r.human) = user(v.get(by));
            events.push(r);
        }
    }
    events
}

fn note(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let v = &it.value;
    let ticket = Ticket::of_note(v);
    let time = time_of(it, "created_at", "note", sink)?;
    let body = json::text(v, &["body"])
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let system = v.get("system") == Some(&Value::Bool(true));
    let message = if system {
        format!("{} {body}", ticket.label)
    } else {
        format!("{} comment: {body}", ticket.label)
    };
    let mut r = ticket.stamp(tickets::item_record(input, it, &it.locator, time, message));
    let (actor, human) = user(v.get("author"));
    r.actor = actor;
    if system {
        r.human = Some(false);
        r.attributes
            .push(("system_note".into(), "true".to_string()));
    } else {
        r.human = human;
        r.attributes.push(("comment".into(), "true".to_string()));
    }
    if v.get("internal") == Some(&Value::Bool(true))
        || v.get("confidential") == Some(&Value::Bool(true))
    {
        r.attributes.push(("public".into(), "false".to_string()));
    }
    Some(r)
}

/// Resource state, label and milestone events (`/resource_state_events`…).
fn resource_event(input: &[u8], it: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let v = &it.value;
    let time = time_of(it, "created_at", "resource event", sink)?;
    let kind = match json::text(v, &["resource_type"]) {
        Some("MergeRequest") => "merge request",
        Some("Epic") => "epic",
        _ => "issue",
    };
    let subject = match json::scalar_text(v, &["resource_id"]) {
        Some(id) => format!("GitLab {kind} {id}"),
        None => format!("GitLab {kind}"),
    };
    let added = json::text(v, &["action"]) != Some("remove");
    let words = if let Some(state) = json::text(v, &["state"]) {
        state.to_string()
    } else if let Some(label) = json::text(v, &["label", "name"]) {
        if added {
            format!("labeled {label}")
        } else {
            format!("unlabeled {label}")
        }
    } else if let Some(m) = json::text(v, &["milestone", "title"]) {
        if added {
            format!("milestone set to {m}")
        } else {
            format!("milestone removed ({m})")
        }
    } else {
        "changed".to_string()
    };
    let mut r = tickets::item_record(input, it, &it.locator, time, format!("{subject} {words}"));
    r.system = Some("GitLab".into());
    (r.actor, r.human) = user(v.get("user"));
    if let Some(state) = json::text(v, &["state"]) {
        r.attributes.push(("status_to".into(), state.to_string()));
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Kind;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc, utc_messages};

    const ISSUES: &[u8] = include_bytes!("../../../fixtures/gitlab-json/issues.json");
    const NOTES: &[u8] = include_bytes!("../../../fixtures/gitlab-json/issue_notes.json");

    #[test]
    fn issues_opened_and_closed() {
        let out = run(&GitLab, ISSUES);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                ("2026-10-25T00:02:11.512000Z".to_string(), "platform/search-api#42 opened: Search p99 latency above 2s after es-data-3 restart"),
                ("2026-10-25T02:49:30.098000Z".to_string(), "platform/search-api#42 closed"),
                ("2026-10-25T02:52:00.000000Z".to_string(), "platform/search-api#43 opened: Follow-up: default shard relocation throttling"),
            ]
        );
        let opened = &out.records[0];
        assert_eq!(opened.kind, Kind::Ticket);
        assert_eq!(opened.system.as_deref(), Some("GitLab"));
        assert_eq!(opened.service.as_deref(), Some("platform/search-api"));
        assert_eq!(opened.actor.as_deref(), Some("alert-bot"));
        assert_eq!(opened.human, Some(false));
        assert_eq!(opened.locator.as_deref(), Some("$[0]"));
        assert_eq!((opened.line, opened.line_end), (Some(2), Some(24)));
        assert_eq!(
            opened.identifiers,
            [
                "platform/search-api#42",
                "https://gitlab.example.com/platform/search-api/-/issues/42"
            ]
        );
        assert_eq!(attr(opened, "labels"), Some("incident, severity::2"));
        assert_eq!(attr(opened, "issue_type"), Some("incident"));
        let closed = &out.records[1];
        assert_eq!(closed.locator.as_deref(), Some("$[0].closed_at"));
        assert_eq!(closed.actor.as_deref(), Some("dana.whitfield"));
        assert_eq!(closed.human, Some(true));
        assert_eq!(attr(closed, "status_to"), Some("closed"));
        // Built from the web address when `references` is missing.
        assert_eq!(out.records[2].identifiers[0], "platform/search-api#43");
    }

    #[test]
    fn notes_system_and_human() {
        let out = run(&GitLab, NOTES);
        let got: Vec<(String, &str, Option<bool>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.human))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-10-25T00:03:40.007000Z".to_string(), "#42 assigned to @dana.whitfield", Some(false)),
                ("2026-10-25T01:12:44.310000Z".to_string(), "#42 comment: Relocation finished, p99 back under 400ms.\nMonitoring before closing.", Some(true)),
                ("2026-10-25T02:49:30.120000Z".to_string(), "#42 closed", Some(false)),
            ]
        );
        let comment = &out.records[1];
        assert_eq!(comment.actor.as_deref(), Some("lee.okafor"));
        assert_eq!(comment.locator.as_deref(), Some("$[1]"));
        assert_eq!(comment.line, Some(18));
        assert_eq!(attr(comment, "comment"), Some("true"));
        assert_eq!(attr(comment, "public"), Some("false"));
        assert_eq!(attr(&out.records[2], "system_note"), Some("true"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].locator.as_deref(), Some("$[3]"));
        assert_eq!(out.problems[0].line, Some(50));
    }

    #[test]
    fn discussions_and_resource_events() {
        let input = br#"[
  {"id": "6a9c1750", "individual_note": false, "notes": [
    {"id": 1, "body": "first", "author": {"username": "a"}, "created_at": "2026-01-01T10:00:00Z", "system": false, "noteable_type": "MergeRequest", "noteable_iid": 5},
    {"id": 2, "body": "second", "author": {"username": "b"}, "created_at": "2026-01-01T10:05:00Z", "system": false, "noteable_type": "MergeRequest", "noteable_iid": 5}
  ]},
  {"id": 142, "user": {"username": "root", "name": "Administrator"}, "created_at": "2026-01-01T11:00:00.000Z", "resource_type": "Issue", "resource_id": 253, "state": "closed"},
  {"id": 143, "user": {"username": "root"}, "created_at": "2026-01-01T11:01:00+01:00", "resource_type": "Issue", "resource_id": 253, "label": {"name": "bug"}, "action": "add"}
]"#;
        assert_eq!(GitLab.sniff(input), Some(95));
        let out = run(&GitLab, input);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<(String, &str, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.locator.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-01-01T10:00:00.000000Z".to_string(),
                    "!5 comment: first",
                    Some("$[0].notes[0]")
                ),
                (
                    "2026-01-01T10:01:00.000000Z".to_string(),
                    "GitLab issue 253 labeled bug",
                    Some("$[2]")
                ),
                (
                    "2026-01-01T10:05:00.000000Z".to_string(),
                    "!5 comment: second",
                    Some("$[0].notes[1]")
                ),
                (
                    "2026-01-01T11:00:00.000000Z".to_string(),
                    "GitLab issue 253 closed",
                    Some("$[1]")
                ),
            ]
        );
        assert_eq!(out.records[0].line, Some(3));
    }

    #[test]
    fn broken_documents_are_problems() {
        assert_eq!(run(&GitLab, b"[{\"id\": 1}]").problems.len(), 1);
        assert_eq!(run(&GitLab, b"[{").problems.len(), 1);
        assert_eq!(run(&GitLab, b"3").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_gitlab_and_rejects_other_formats() {
        for own in [ISSUES, NOTES, &ISSUES[..800]] {
            assert_eq!(GitLab.sniff(own), Some(95));
        }
        assert_rejects(
            &GitLab,
            &[
                &include_bytes!("../../../fixtures/github-json/list_issues_page1.json")[..],
                include_bytes!("../../../fixtures/jira-json/search_incident_with_changelog.json"),
                b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\"}]}",
                b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
                b"name,role,start,end\nJane,primary,2026-01-01T09:00:00Z,2026-01-02T09:00:00Z\n",
            ],
        );
    }

    never_panics!(GitLab);
}
