//! Bugzilla REST API JSON: bug history (`/rest/bug/{id}/history`), bug
//! searches (`/rest/bug?…`: filing and, on bugzilla.mozilla.org, the last
//! resolution) and comments (`/rest/bug/{id}/comment`). Times are ISO 8601
//! UTC (`2016-05-18T08:15:37Z`).

use serde_json::Value;

use crate::input::json::{self, Element, LineIndex};
use crate::record::{Record, RecordSink};
use crate::tickets;
use crate::time::{TimeValue, Timestamp};
use crate::Parser;

/// Bugzilla REST JSON.
pub struct Bugzilla;

impl Parser for Bugzilla {
    fn id(&self) -> &str {
        "bugzilla-json"
    }

    fn description(&self) -> &str {
        "Bugzilla REST JSON: bug history, bug search (filed, resolved), comments"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        if json::first_byte(head) != Some(b'{') || !json::has_key(head, "bugs") {
            return None;
        }
        let has = |k| json::has_key(head, k);
        let utc = |keys: &[&str]| {
            json::head_time(head, keys, |t| {
                crate::time::parse_field(t, None).filter(|t| matches!(t.value, TimeValue::Utc(_)))
            })
        };
        let history = has("history") && has("who") && utc(&["when"]);
        let search = has("summary") && utc(&["creation_time"]);
        let comments = has("comments") && has("creator") && utc(&["creation_time", "time"]);
        (history || search || comments).then_some(95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        let doc = match json::document(input) {
            Ok(doc) => doc,
            Err(reason) => return tickets::report(sink, None, "$", reason),
        };
        let lines = LineIndex::new(input);
        if let Some(bugs) = json::elements_below(input, &lines, doc, &["bugs"], "$") {
            for it in &bugs {
                let records = bug(input, &lines, it, sink);
                tickets::emit(sink, records);
            }
            return;
        }
        // Comments come keyed by bug id: `{"bugs": {"123": {"comments": []}}}`.
        let Some(by_id) = json::raw_at(doc, &["bugs"]).and_then(json::members_by_key) else {
            return tickets::report(sink, Some(1), "$", "not a Bugzilla REST response: no bugs");
        };
        for (id, raw) in by_id {
            let base = format!("$.bugs[\"{id}\"]");
            let Some(comments) = json::elements_below(input, &lines, raw, &["comments"], &base)
            else {
                tickets::report(
                    sink,
                    Some(lines.line_at(json::span_of(input, raw).start)),
                    &base,
                    "bug entry without a comments array",
                );
                continue;
            };
            let mut records: Vec<Record> = comments
                .iter()
                .filter_map(|c| comment(input, &id, c, sink))
                .collect();
            tickets::sort_if_absolute(&mut records);
            tickets::emit(sink, records);
        }
    }
}

fn label(id: &str) -> String {
    format!("Bug {id}")
}

fn stamp(mut r: Record, id: &str, product: Option<&str>, who: Option<&str>) -> Record {
    r.system = Some("Bugzilla".into());
    r.service = product.map(str::to_string);
    r.identifiers.push(label(id));
    r.actor = who.map(str::to_string);
    r.human = tickets::human_actor(who);
    r
}

/// Fields that hold lists: a change adds and removes json::members_by_key.
const LIST_FIELDS: &[&str] = &[
    "cc",
    "keywords",
    "flagtypes.name",
    "groups",
    "blocks",
    "depends_on",
    "see_also",
    "regressed_by",
    "regressions",
    "alias",
];

fn field_label(field: &str) -> &str {
    match field {
        "flagtypes.name" => "flag",
        "bug_status" => "status",
        "bug_severity" => "severity",
        "short_desc" => "summary",
        other => other,
    }
}

fn history(
    input: &[u8],
    id: &str,
    product: Option<&str>,
    el: &Element,
    sink: &mut dyn RecordSink,
) -> Option<Record> {
    let h = &el.value;
    let Some(time) = tickets::json_time(h.get("when")) else {
        tickets::report(
            sink,
            Some(el.line),
            &el.locator,
            format!("{}: change without a readable when", label(id)),
        );
        return None;
    };
    let changes = h.get("changes").and_then(Value::as_array)?;
    let mut parts = Vec::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut fields = Vec::new();
    for c in changes {
        let field = json::text(c, &["field_name"]).unwrap_or("field");
        let removed = json::scalar_text(c, &["removed"]).unwrap_or_default();
        let added = json::scalar_text(c, &["added"]).unwrap_or_default();
        let name = field_label(field);
        fields.push(name.to_string());
        let text = if LIST_FIELDS.contains(&field) {
            let mut words: Vec<String> = added
                .split(", ")
                .filter(|s| !s.is_empty())
                .map(|s| format!("+{s}"))
                .collect();
            words.extend(
                removed
                    .split(", ")
                    .filter(|s| !s.is_empty())
                    .map(|s| format!("−{s}")),
            );
            format!("{name} {}", words.join(" ")).trim_end().to_string()
        } else {
            match name {
                "status" => {
                    attrs.push(("status_from".into(), removed.clone()));
                    attrs.push(("status_to".into(), added.clone()));
                    tickets::change_text("status", &removed, &added)
                }
                "assigned_to" => {
                    attrs.push(("assignee".into(), added.clone()));
                    tickets::assignment_text(&removed, &added)
                }
                "resolution" => {
                    attrs.push(("resolution".into(), added.clone()));
                    tickets::change_text("resolution", &removed, &added)
                }
                "priority" => {
                    attrs.push(("priority".into(), added.clone()));
                    tickets::change_text("priority", &removed, &added)
                }
                _ => tickets::change_text(name, &removed, &added),
            }
        };
        parts.push(text);
    }
    if parts.is_empty() {
        return None;
    }
    let mut r = tickets::element_record(
        input,
        el,
        time,
        format!("{} {}", label(id), parts.join("; ")),
    );
    super::changed_fields(&mut r, &fields, attrs);
    Some(stamp(r, id, product, json::text(h, &["who"])))
}

fn bug(input: &[u8], lines: &LineIndex, it: &Element, sink: &mut dyn RecordSink) -> Vec<Record> {
    let v = &it.value;
    let line = Some(it.line);
    let Some(id) = json::scalar_text(v, &["id"]) else {
        tickets::report(sink, line, &it.locator, "bug without an id");
        return Vec::new();
    };
    let product = json::text(v, &["product"]);
    let mut records = Vec::new();
    let read = |key: &str, sink: &mut dyn RecordSink| -> Option<Timestamp> {
        let value = v.get(key).filter(|x| !x.is_null())?;
        let t = tickets::json_time(Some(value));
        if t.is_none() {
            tickets::report(
                sink,
                line,
                &format!("{}.{key}", it.locator),
                format!("{}: unreadable {key}", label(&id)),
            );
        }
        t
    };
    if let Some(time) = read("creation_time", sink) {
        let mut message = format!("{} filed", label(&id));
        if let Some(summary) = json::text(v, &["summary"]) {
            message.push_str(": ");
            message.push_str(summary);
        }
        if let Some(p) = json::text(v, &["priority"]).filter(|p| *p != "--") {
            message.push_str(&format!(" (priority {p})"));
        }
        let mut r = tickets::item_record(input, it, &it.locator, time, message)
            .with_attribute("event", "filed");
        for key in [
            "status",
            "resolution",
            "severity",
            "priority",
            "component",
            "assigned_to",
        ] {
            if let Some(value) = json::text(v, &[key]) {
                r.attributes
                    .push((key.to_string().into(), value.to_string()));
            }
        }
        records.push(stamp(r, &id, product, json::text(v, &["creator"])));
    }
    // bugzilla.mozilla.org keeps when a bug was last resolved.
    if let Some(time) = read("cf_last_resolved", sink) {
        let message = match json::text(v, &["resolution"]) {
            Some(res) => format!("{} resolved ({res})", label(&id)),
            None => format!("{} resolved", label(&id)),
        };
        let r = tickets::item_record(
            input,
            it,
            &format!("{}.cf_last_resolved", it.locator),
            time,
            message,
        )
        .with_attribute("event", "resolved")
        .with_attribute("status_to", "RESOLVED");
        records.push(stamp(r, &id, product, None));
    }
    for el in json::nested(input, lines, it, &["history"]).unwrap_or_default() {
        records.extend(history(input, &id, product, &el, sink));
    }
    tickets::sort_if_absolute(&mut records);
    records
}

fn comment(input: &[u8], id: &str, el: &Element, sink: &mut dyn RecordSink) -> Option<Record> {
    let c = &el.value;
    let Some(time) = tickets::json_time(c.get("creation_time").or_else(|| c.get("time"))) else {
        tickets::report(
            sink,
            Some(el.line),
            &el.locator,
            format!("{}: comment without a readable creation_time", label(id)),
        );
        return None;
    };
    let text = json::text(c, &["text"])
        .unwrap_or_default()
        .replace("\r\n", "\n");
    // Comment 0 is the description written when the bug was filed.
    let what = if c.get("count").and_then(Value::as_u64) == Some(0) {
        "description"
    } else {
        "comment"
    };
    let mut r = tickets::element_record(input, el, time, format!("{} {what}: {text}", label(id)))
        .with_attribute("comment", "true");
    if c.get("is_private") == Some(&Value::Bool(true)) {
        r.attributes.push(("public".into(), "false".to_string()));
    }
    let who = json::text(c, &["creator"]);
    let mut r = stamp(r, id, None, who);
    r.human = Some(who.is_none_or(|w| !tickets::looks_automated(w)));
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Kind;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc, utc_messages};

    const HISTORY: &[u8] = include_bytes!("../../../fixtures/bugzilla-json/bug_history.json");
    const SEARCH: &[u8] = include_bytes!("../../../fixtures/bugzilla-json/bug_search.json");
    const COMMENTS: &[u8] = include_bytes!("../../../fixtures/bugzilla-json/bug_comments.json");

    #[test]
    fn history_changes() {
        let out = run(&Bugzilla, HISTORY);
        let got: Vec<(String, &str, Option<bool>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), r.human))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-10-25T00:20:31.000000Z".to_string(), "Bug 1900042 status NEW → ASSIGNED; assigned to dana@example.org; cc +lee@example.org", Some(true)),
                ("2026-10-25T02:50:02.000000Z".to_string(), "Bug 1900042 status ASSIGNED → RESOLVED; resolution set to FIXED; flag −needinfo?(lee@example.org)", Some(false)),
            ]
        );
        let r = &out.records[0];
        assert_eq!(r.kind, Kind::Ticket);
        assert_eq!(r.system.as_deref(), Some("Bugzilla"));
        assert_eq!(r.identifiers, ["Bug 1900042"]);
        assert_eq!(r.actor.as_deref(), Some("dana@example.org"));
        assert_eq!(r.locator.as_deref(), Some("$.bugs[0].history[0]"));
        assert_eq!((r.line, r.line_end), (Some(7), Some(15)));
        assert_eq!(attr(r, "status_to"), Some("ASSIGNED"));
        assert_eq!(attr(r, "field"), Some("status, assigned_to, cc"));
        assert_eq!(attr(&out.records[1], "resolution"), Some("FIXED"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(
            out.problems[0].locator.as_deref(),
            Some("$.bugs[0].history[2]")
        );
    }

    #[test]
    fn search_and_comments() {
        let out = run(&Bugzilla, SEARCH);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                ("2026-10-25T00:02:40.000000Z".to_string(), "Bug 1900042 filed: Search p99 latency above 2s after es-data-3 restart (priority P1)"),
                ("2026-10-25T02:50:02.000000Z".to_string(), "Bug 1900042 resolved (FIXED)"),
            ]
        );
        assert_eq!(out.records[0].service.as_deref(), Some("Search"));
        assert_eq!(
            out.records[1].locator.as_deref(),
            Some("$.bugs[0].cf_last_resolved")
        );

        let out = run(&Bugzilla, COMMENTS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got = utc_messages(&out);
        assert_eq!(
            got,
            [
                (
                    "2026-10-25T00:02:40.000000Z".to_string(),
                    "Bug 1900042 description: p99 above 2s since 01:41 CEST."
                ),
                (
                    "2026-10-25T01:12:00.000000Z".to_string(),
                    "Bug 1900042 comment: Relocation finished, p99 back under 400ms."
                ),
            ]
        );
        let c = &out.records[1];
        assert_eq!(
            c.locator.as_deref(),
            Some("$.bugs[\"1900042\"].comments[1]")
        );
        assert_eq!(c.line, Some(6));
        assert_eq!(attr(c, "public"), Some("false"));
        assert_eq!(c.human, Some(true));
    }

    #[test]
    fn broken_documents_are_problems() {
        assert_eq!(run(&Bugzilla, b"{\"bugs\": 3}").problems.len(), 1);
        assert_eq!(run(&Bugzilla, b"{\"bugs\": {\"1\": {}}}").problems.len(), 1);
        assert_eq!(
            run(&Bugzilla, b"{\"bugs\": [{\"summary\": \"x\"}]}")
                .problems
                .len(),
            1
        );
        assert_eq!(run(&Bugzilla, b"{").problems.len(), 1);
    }

    #[test]
    fn sniff_accepts_bugzilla_and_rejects_other_formats() {
        for own in [HISTORY, SEARCH, COMMENTS] {
            assert_eq!(Bugzilla.sniff(own), Some(95));
        }
        assert_rejects(
            &Bugzilla,
            &[
                &include_bytes!("../../../fixtures/github-json/issue_comments.json")[..],
                include_bytes!("../../../fixtures/zendesk-json/ticket_audits.json"),
                include_bytes!("../../../fixtures/jira-json/search_incident_with_changelog.json"),
                b"{\"incidents\":[{\"id\":\"PT4KHLK\",\"created_at\":\"2015-10-06T21:30:42Z\"}]}",
                b"{\"level\":\"info\",\"time\":\"2026-01-01T10:00:00Z\",\"msg\":\"x\"}\n",
            ],
        );
    }

    never_panics!(Bugzilla);
}
