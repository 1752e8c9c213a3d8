//! PagerDuty on-call data as shifts: on-call entries (`GET /oncalls`:
//! user, schedule, escalation policy, escalation level, start, end) and
//! schedules with their rendered final schedule (`GET /schedules/{id}`).
//!
//! Each bounded on-call period yields a "shift start" record at its start
//! and a "shift end" record at its end, paired by `shift_id`. PagerDuty
//! writes `null` for an unbounded side (a user named directly in an
//! escalation rule is on call forever); only the bounded side is recorded,
//! and an entry bounded on neither side describes no shift at all.

use serde_json::Value;

use crate::input::json::{
    self, problem_at, text, time_field, Document, Element, Head, IndexedInput,
};
use crate::paging::name_of;
use crate::record::{add_attribute, add_identifier, Kind, RecordSink};
use crate::shifts::level_role;
use crate::time::Timestamp;
use crate::Parser;

/// PagerDuty on-call entries and schedules.
pub struct PagerDutyOncalls;

const SYSTEM: &str = "PagerDuty";

impl Parser for PagerDutyOncalls {
    fn id(&self) -> &str {
        "pagerduty-oncalls"
    }

    fn description(&self) -> &str {
        "PagerDuty on-call entries (GET /oncalls) and schedules (GET /schedules/{id}) as shifts"
    }

    fn specificity(&self) -> u8 {
        90
    }

    fn sniff(&self, head: &[u8]) -> Option<u8> {
        let h = Head::new(head)?;
        let oncalls = h.has("oncalls") && h.has("escalation_level");
        let schedule = h.has("schedule") && h.has("rendered_schedule_entries");
        if !(oncalls || schedule) {
            return None;
        }
        h.time(&["start", "end"], json::head_text_time).map(|_| 95)
    }

    fn parse(&self, input: &[u8], sink: &mut dyn RecordSink) {
        json::each_document(input, sink, |src, doc, sink| read_document(src, doc, sink));
    }
}

fn read_document(input: &IndexedInput<'_>, doc: &Document<'_>, sink: &mut dyn RecordSink) {
    let Some(el) = input.element(doc.raw, doc.root.clone()) else {
        return;
    };
    let mut found = false;
    if let Some(entries) = input.nested(&el, &["oncalls"]) {
        found = true;
        for entry in &entries {
            oncall(input, entry, sink);
        }
    }
    if let Some(schedule) = input.field(&el, "schedule").filter(|s| s.value.is_object()) {
        found = true;
        read_schedule(input, &schedule, sink);
    }
    if let Some(schedules) = input.nested(&el, &["schedules"]) {
        found = true;
        for schedule in &schedules {
            read_schedule(input, schedule, sink);
        }
    }
    if !found {
        sink.problem(problem_at(
            &el,
            "no PagerDuty on-call entries or schedule in this document".to_string(),
        ));
    }
}

/// Who is on call and as what, shared by the start and end records.
struct Shift<'a> {
    role: String,
    person: Option<String>,
    email: Option<String>,
    shift_id: String,
    facts: Vec<(&'a str, Option<String>)>,
    user: Option<&'a Value>,
}

fn oncall(input: &IndexedInput<'_>, el: &Element, sink: &mut dyn RecordSink) {
    let v = &el.value;
    let level = v.get("escalation_level").and_then(Value::as_u64);
    let policy = name_of(v.get("escalation_policy"));
    let schedule = name_of(v.get("schedule").filter(|s| s.is_object()));
    let role = match (level, &schedule) {
        (Some(level), _) => level_role(level),
        (None, Some(schedule)) => schedule.clone(),
        (None, None) => "on-call".to_string(),
    };
    let user = v.get("user").filter(|u| u.is_object());
    let shift = Shift {
        role,
        person: name_of(user),
        email: user.and_then(|u| text(u, &["email"])).map(str::to_string),
        shift_id: el.locator.clone(),
        facts: vec![
            ("escalation_level", level.map(|l| l.to_string())),
            ("escalation_policy", policy),
            ("schedule", schedule),
        ],
        user,
    };
    emit(input, el, &shift, sink);
}

fn read_schedule(input: &IndexedInput<'_>, schedule: &Element, sink: &mut dyn RecordSink) {
    let name = text(&schedule.value, &["name"])
        .or_else(|| text(&schedule.value, &["summary"]))
        .unwrap_or("schedule")
        .to_string();
    let zone = text(&schedule.value, &["time_zone"]).map(str::to_string);
    let entries = input
        .nested(schedule, &["final_schedule", "rendered_schedule_entries"])
        .unwrap_or_default();
    for entry in &entries {
        let user = entry.value.get("user").filter(|u| u.is_object());
        let shift = Shift {
            role: name.clone(),
            person: name_of(user),
            email: user.and_then(|u| text(u, &["email"])).map(str::to_string),
            shift_id: entry.locator.clone(),
            facts: vec![
                ("schedule", Some(name.clone())),
                ("schedule_time_zone", zone.clone()),
            ],
            user,
        };
        emit(input, entry, &shift, sink);
    }
}

fn emit(input: &IndexedInput<'_>, el: &Element, shift: &Shift<'_>, sink: &mut dyn RecordSink) {
    let Some(person) = shift.person.clone() else {
        sink.problem(problem_at(el, "on-call entry without a user".to_string()));
        return;
    };
    let mut times: Vec<(&str, Timestamp)> = Vec::new();
    for side in ["start", "end"] {
        match time_field(&el.value, side) {
            Ok(Some(t)) => times.push((side, t)),
            Ok(None) => {}
            Err(reason) => {
                sink.problem(problem_at(el, reason));
                return;
            }
        }
    }
    for (side, time) in times {
        let at = input.field(el, side).unwrap_or_else(|| el.clone());
        let message = format!("shift {side}: {}", shift.role);
        let mut record = input.record_at(&at, Kind::Shift, time, message);
        record.system = Some(SYSTEM.into());
        record.actor = Some(person.clone());
        if let Some(url) = shift.user.and_then(|u| text(u, &["html_url"])) {
            add_identifier(&mut record, url);
        }
        add_attribute(&mut record, "role", Some(shift.role.clone()));
        add_attribute(&mut record, "person", Some(person.clone()));
        add_attribute(&mut record, "email", shift.email.clone());
        add_attribute(&mut record, "shift_id", Some(shift.shift_id.clone()));
        add_attribute(&mut record, "shift_event", Some(side));
        for (key, value) in &shift.facts {
            add_attribute(&mut record, key.to_string(), value.clone());
        }
        sink.record(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_rejects, attr, never_panics, run, utc};

    const ONCALLS: &[u8] = include_bytes!("../../../fixtures/pagerduty-oncalls/oncalls_list.json");
    const LEVELS: &[u8] = include_bytes!("../../../fixtures/pagerduty-oncalls/oncalls_levels.json");
    const SCHEDULE: &[u8] = include_bytes!("../../../fixtures/pagerduty-oncalls/schedule_get.json");

    #[test]
    fn oncall_entry_is_a_start_and_an_end_paired_by_shift_id() {
        let out = run(&PagerDutyOncalls, ONCALLS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let (start, end) = (&out.records[0], &out.records[1]);
        assert_eq!(utc(start), "2015-03-06T20:28:51.000000Z");
        assert_eq!(utc(end), "2015-03-07T20:28:51.000000Z");
        assert_eq!(start.kind, Kind::Shift);
        assert_eq!(start.message, "shift start: secondary on-call");
        assert_eq!(end.message, "shift end: secondary on-call");
        assert_eq!(start.actor.as_deref(), Some("Tim Wright"));
        assert_eq!(attr(start, "role"), Some("secondary on-call"));
        assert_eq!(attr(start, "person"), Some("Tim Wright"));
        assert_eq!(
            attr(start, "escalation_policy"),
            Some("Engineering Escalation Policy")
        );
        assert_eq!(attr(start, "shift_id"), attr(end, "shift_id"));
        assert_eq!(start.line, Some(26));
        assert_eq!(start.locator.as_deref(), Some("$.oncalls[0].start"));
        assert_eq!(end.line, Some(27));
    }

    #[test]
    fn levels_name_roles_and_unbounded_sides_are_skipped() {
        let out = run(&PagerDutyOncalls, LEVELS);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let summary: Vec<(String, &str, Option<&str>)> = out
            .records
            .iter()
            .map(|r| (utc(r), r.message.as_str(), attr(r, "email")))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-10-24T18:00:00.000000Z".to_string(),
                    "shift start: primary on-call",
                    Some("lee.okafor@example.net")
                ),
                (
                    "2026-10-25T07:00:00.000000Z".to_string(),
                    "shift end: primary on-call",
                    Some("lee.okafor@example.net")
                ),
                // Start null: on call since before the query; only the end.
                (
                    "2026-10-25T12:00:00.000000Z".to_string(),
                    "shift end: secondary on-call",
                    Some("sam.chen@example.net")
                ),
            ]
        );
        assert_eq!(level_role(3), "level 3 on-call");
    }

    #[test]
    fn schedule_final_entries_are_shifts() {
        let out = run(&PagerDutyOncalls, SCHEDULE);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        assert_eq!(utc(&out.records[0]), "2015-11-10T13:00:00.000000Z");
        assert_eq!(utc(&out.records[1]), "2015-11-10T22:00:00.000000Z");
        assert_eq!(out.records[0].actor.as_deref(), Some("Regina Phalange"));
        assert_eq!(
            attr(&out.records[0], "role"),
            Some("Daily Engineering Rotation")
        );
        assert_eq!(
            attr(&out.records[0], "shift_id"),
            Some("$.schedule.final_schedule.rendered_schedule_entries[0]")
        );
    }

    #[test]
    fn unreadable_entries_become_problems() {
        let input = br#"{"oncalls": [
  {"escalation_level": 1, "start": "2026-10-25T08:00:00Z", "end": "2026-10-25T20:00:00Z"},
  {"escalation_level": 1, "user": {"summary": "A"}, "start": "tomorrow", "end": null}
]}"#;
        let out = run(&PagerDutyOncalls, input);
        assert!(out.records.is_empty());
        let lines: Vec<Option<u64>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(3)]);
        assert_eq!(
            run(&PagerDutyOncalls, br#"{"users": []}"#).problems.len(),
            1
        );
    }

    #[test]
    fn sniff_accepts_its_own_and_rejects_others() {
        for input in [ONCALLS, LEVELS, SCHEDULE] {
            assert_eq!(PagerDutyOncalls.sniff(input), Some(95));
        }
        assert_rejects(
            &PagerDutyOncalls,
            &[
            &br#"{"time":"2026-10-25T08:00:00Z","msg":"oncalls refreshed","start":"2026-10-25T08:00:00Z"}"#[..],
            br#"[{"type":"message","user":"U1","text":"who is on call?","ts":"1792892462.000200"}]"#,
            include_bytes!("../../../fixtures/pagerduty/incident_get.json"),
            include_bytes!("../../../fixtures/opsgenie/webhook_create.json"),
            include_bytes!("../../../fixtures/shifts/weekly_rotation.csv"),
            ],
        );
    }

    never_panics!(PagerDutyOncalls);
}
