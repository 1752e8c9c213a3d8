//! Renderings of the timeline (Markdown, JSON, CSV, HTML), events (JSON
//! lines, CSV), sources and formats. Everything that came from evidence is
//! escaped for the target format.

use std::collections::HashMap;
use std::fmt::Write as _;

use factline_parsers::time::format_utc;
use serde_json::{json, Value};

use crate::model::Zone;
use crate::model::{Citation, Curation, Entry, EntryReview, Phase, Timeline, Verification};
use crate::reconstruct::durations;
use crate::store::{EventRow, SourceRow};

fn generator() -> String {
    format!("factline {}", env!("CARGO_PKG_VERSION"))
}

fn opt_time(t: Option<i64>) -> Value {
    t.map_or(Value::Null, |t| Value::String(format_utc(t)))
}

/// The timeline contract (docs/output.md#timeline), with the review
/// (docs/output.md#review) applied.
pub fn timeline_json(t: &Timeline, c: &Curation) -> Value {
    let k = &t.key_times;
    json!({
        "generator": generator(),
        "window": {"start": opt_time(t.window_start), "end": opt_time(t.window_end)},
        "key_times": k.named().iter()
            .map(|slot| (slot.name.to_string(), opt_time(slot.time.as_ref().map(|k| k.time))))
            .collect::<serde_json::Map<_, _>>(),
        "key_time_basis": k.named().iter()
            .filter_map(|slot| Some((slot.name.to_string(), Value::String(slot.time.as_ref()?.basis.clone()))))
            .collect::<serde_json::Map<_, _>>(),
        "durations": durations(k),
        "events_in_window": t.events_in_window,
        "left_out": t.left_out,
        "entries": t.entries.iter().enumerate().map(|(i, e)| entry_json(e, c, i)).collect::<Vec<_>>(),
        "hidden": c.hidden.iter().map(|h| json!({
            "key": h.key,
            "summary": h.summary,
            "reason": h.reason,
            "reviewer": h.reviewer,
            "at": format_utc(h.at),
        })).collect::<Vec<_>>(),
    })
}

/// What reviewers changed on an entry, or null.
fn review_json(r: Option<&EntryReview>) -> Value {
    let Some(r) = r else { return Value::Null };
    json!({
        "version": r.version,
        "added": r.added,
        "pinned": r.pinned,
        "edited": r.original.is_some(),
        "original": r.original.as_ref().map(|(summary, phase)| json!({"summary": summary, "phase": phase})),
        "notes": r.notes.iter().map(|n| json!({"text": n.text, "reviewer": n.reviewer, "at": format_utc(n.at)})).collect::<Vec<_>>(),
        "reviewers": r.reviewers,
    })
}

fn review_of(c: &Curation, i: usize) -> Option<&EntryReview> {
    c.reviews.get(i).and_then(Option::as_ref)
}

/// The words that mark a reviewed row in Markdown, HTML and CSV.
fn review_marks(r: Option<&EntryReview>) -> Vec<String> {
    let Some(r) = r else { return Vec::new() };
    let mut marks = Vec::new();
    if r.added {
        marks.push("added by a reviewer".to_string());
    }
    if r.pinned {
        marks.push("pinned".to_string());
    }
    if r.original.is_some() {
        marks.push("edited".to_string());
    }
    match r.notes.len() {
        0 => {}
        1 => marks.push("1 note".to_string()),
        n => marks.push(format!("{n} notes")),
    }
    marks
}

fn entry_json(e: &Entry, c: &Curation, i: usize) -> Value {
    json!({
        "id": e.id,
        "key": c.keys.get(i),
        "review": review_json(review_of(c, i)),
        "time": format_utc(e.time),
        "last_time": opt_time(e.last_time),
        "occurrences": e.occurrences,
        "phase": e.phase.as_str(),
        "kind": e.kind,
        "level": e.level,
        "summary": e.summary,
        "actor": e.actor,
        "hosts": e.hosts,
        "services": e.services,
        "verification": e.verification.as_str(),
        "time_quality": e.time_quality.names(),
        "checks": e.checks.iter().map(|c| json!({
            "claim": c.claim,
            "result": c.result.as_str(),
            "evidence": c.evidence.iter().map(citation_json).collect::<Vec<_>>(),
            "note": c.note,
        })).collect::<Vec<_>>(),
        "evidence": e.evidence.iter().map(citation_json).collect::<Vec<_>>(),
    })
}

fn citation_json(ev: &Citation) -> Value {
    json!({
        "source": ev.source,
        "sha256": ev.sha256,
        "line": ev.line,
        "locator": ev.locator,
        "excerpt": ev.excerpt,
    })
}

/// A Markdown table cell: pipes and line breaks would break the row.
/// What the draft says when the evidence shows no incident at all, so a
/// reader does not take empty key times for missing evidence.
fn no_incident(t: &Timeline) -> Option<&'static str> {
    let k = &t.key_times;
    (k.impact_start.is_none() && k.detected.is_none() && k.mitigated.is_none()).then_some(
        "No sign of an incident was found in this window: no impact signal, alert or \
         mitigation in the evidence. The rows above are what happened anyway.",
    )
}

fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
        .replace('`', "'")
}

fn day(micros: i64) -> String {
    format_utc(micros)[..10].to_string()
}

fn clock(micros: i64, with_date: bool) -> String {
    let full = format_utc(micros);
    let time = &full[11..19];
    if with_date {
        format!("{} {time}", &full[..10])
    } else {
        time.to_string()
    }
}

fn local_clock(zone: &Zone, micros: i64) -> String {
    zone.utc_to_local(micros)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The numbered evidence references of a draft, in order of first citation.
struct References<'a> {
    list: Vec<&'a Citation>,
    numbers: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> References<'a> {
    fn new(t: &'a Timeline) -> References<'a> {
        let mut refs = References {
            list: Vec::new(),
            numbers: HashMap::new(),
        };
        // Checks cite machine records after every entry's own evidence, so
        // the numbers of the entries' evidence do not depend on them.
        let entries = t.entries.iter().flat_map(|e| &e.evidence);
        let checks = t
            .entries
            .iter()
            .flat_map(|e| &e.checks)
            .flat_map(|c| &c.evidence);
        for ev in entries.chain(checks) {
            let key = (ev.source.as_str(), ev.locator.as_str());
            if !refs.numbers.contains_key(&key) {
                refs.list.push(ev);
                refs.numbers.insert(key, refs.list.len());
            }
        }
        refs
    }

    /// `[3] [4]` for an entry's evidence.
    fn cite(&self, e: &Entry) -> String {
        self.cite_all(&e.evidence)
    }

    fn cite_all(&self, evidence: &[Citation]) -> String {
        evidence
            .iter()
            .map(|ev| {
                format!(
                    "[{}]",
                    self.numbers[&(ev.source.as_str(), ev.locator.as_str())]
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The Markdown Timeline section of a post-mortem.
pub fn timeline_markdown(t: &Timeline, c: &Curation, local: Option<&Zone>) -> String {
    let mut out = String::from("## Timeline\n\n");
    let (Some(start), Some(end)) = (t.window_start, t.window_end) else {
        out.push_str("No events are stored in the window; nothing to show.\n");
        return out;
    };
    let spans_days = t
        .entries
        .first()
        .zip(t.entries.last())
        .is_some_and(|(a, b)| day(a.time) != day(b.last_time.unwrap_or(b.time)));
    let origin = if t.window_given {
        "as given"
    } else {
        "from the evidence"
    };
    let _ = writeln!(
        out,
        "Incident window {} – {} UTC ({origin}). All times are UTC{}.\n",
        clock(start, true),
        clock(end, true),
        if spans_days {
            String::new()
        } else {
            format!(", on {}", day(t.entries.first().map_or(start, |e| e.time)))
        }
    );
    let refs = References::new(t);
    let local_header = local
        .map(|z| format!(" Local ({}) |", z.name()))
        .unwrap_or_default();
    let local_rule = if local.is_some() { "---|" } else { "" };
    let _ = writeln!(
        out,
        "| Time (UTC) |{local_header} Phase | Event | Evidence |"
    );
    let _ = writeln!(out, "|---|{local_rule}---|---|---|");
    for (i, e) in t.entries.iter().enumerate() {
        let mut event = String::new();
        if let Some(actor) = &e.actor {
            let _ = write!(event, "**{}**: ", md_cell(actor));
        }
        match e.last_time {
            Some(last) if e.occurrences > 1 => {
                let _ = write!(
                    event,
                    "first {} ×{} until {}",
                    md_cell(&e.summary),
                    e.occurrences,
                    clock(last, spans_days)
                );
            }
            _ => event.push_str(&md_cell(&e.summary)),
        }
        let whereabouts = match (e.services.is_empty(), e.hosts.is_empty()) {
            (true, true) => String::new(),
            (false, true) => e.services.join(", "),
            (true, false) => e.hosts.join(", "),
            (false, false) => format!("{} on {}", e.services.join(", "), e.hosts.join(", ")),
        };
        if !whereabouts.is_empty() {
            let _ = write!(event, " ({})", md_cell(&whereabouts));
        }
        if !e.time_quality.names().is_empty() {
            let _ = write!(event, " _(time: {})_", e.time_quality.names().join(", "));
        }
        let marks = review_marks(review_of(c, i));
        if !marks.is_empty() {
            let _ = write!(event, " _({})_", marks.join(", "));
        }
        let local_cell = local
            .map(|z| format!(" {} |", local_clock(z, e.time)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} |{local_cell} {} | {event} | {} |",
            clock(e.time, spans_days),
            e.phase.as_str(),
            refs.cite(e)
        );
    }

    if !c.hidden.is_empty() {
        out.push_str("\nHidden by reviewers:\n\n");
        for h in &c.hidden {
            let _ = writeln!(
                out,
                "- {} ({}, {}): {}",
                md_cell(&h.summary),
                md_cell(&h.reviewer),
                clock(h.at, true),
                md_cell(&h.reason)
            );
        }
    }

    out.push_str("\n### Key times\n\n");
    let k = &t.key_times;
    let d = durations(k);
    out.push_str("| Key time | Time (UTC) | Since impact start | Based on |\n|---|---|---|---|\n");
    for slot in k.named() {
        let since = match slot.duration {
            Some(name) => {
                let label = name.to_ascii_uppercase();
                match &d[name] {
                    Some(v) => format!("{label} {v}"),
                    None => format!("{label} unknown"),
                }
            }
            None => "—".into(),
        };
        match slot.time {
            Some(kt) => {
                let refs = t
                    .entries
                    .iter()
                    .find(|e| e.id == kt.entry)
                    .map_or_else(String::new, |e| refs.cite(e));
                let _ = writeln!(
                    out,
                    "| {} | {} | {since} | {} {refs} |",
                    slot.label,
                    clock(kt.time, true),
                    md_cell(&kt.basis)
                );
            }
            // Most incidents have no status page: say nothing of one.
            None if slot.name == "customer_notified" => {}
            None => {
                let _ = writeln!(
                    out,
                    "| {} | not found in the evidence | {since} | — |",
                    slot.label
                );
            }
        }
    }
    if let Some(calm) = no_incident(t) {
        let _ = writeln!(out, "\n{calm}");
    }

    out.push_str("\n### Entries resting only on human statements\n\n");
    let reported: Vec<&Entry> = t
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.verification,
                Verification::Reported | Verification::Contradicted
            )
        })
        .collect();
    if reported.is_empty() {
        out.push_str("None: every entry is backed by machine-recorded evidence.\n");
    }
    for e in reported {
        let contradicted = if e.verification == Verification::Contradicted {
            " (**contradicted** by machine records, see below)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "- #{} {} — {}{contradicted}",
            e.id,
            clock(e.time, true),
            md_cell(&e.summary)
        );
    }

    out.push_str("\n### Statements checked against machine records\n\n");
    let checked: Vec<&Entry> = t.entries.iter().filter(|e| !e.checks.is_empty()).collect();
    if checked.is_empty() {
        out.push_str("None: no statement made a claim that machine records could check.\n");
    }
    for e in checked {
        for c in &e.checks {
            let _ = writeln!(
                out,
                "- #{} \"{}\": {} — {} {}",
                e.id,
                md_cell(&c.claim),
                c.result.as_str(),
                md_cell(&c.note),
                refs.cite_all(&c.evidence)
            );
        }
    }

    if !t.clock_corrections.is_empty() {
        out.push_str("\n### Clock corrections\n\n");
        for c in &t.clock_corrections {
            let _ = writeln!(out, "- {}", md_cell(c));
        }
    }

    out.push_str("\n### Left out\n\n");
    let _ = writeln!(
        out,
        "{} of {} events in the window are not shown as their own row (routine lines). \
         List every event with `factline events --from {} --to {}`.",
        t.left_out,
        t.events_in_window,
        format_utc(start),
        format_utc(end)
    );

    out.push_str("\n### Evidence\n\n");
    for (i, ev) in refs.list.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` (sha256 `{}…`), {}",
            i + 1,
            md_cell(&ev.source),
            &ev.sha256[..ev.sha256.len().min(12)],
            md_cell(&ev.locator)
        );
    }
    out
}

/// A CSV cell that a spreadsheet would run as a formula gets a leading
/// apostrophe, the common defence against CSV injection.
fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn csv_string(rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row.iter().map(|c| csv_safe(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One row per entry, evidence joined.
pub fn timeline_csv(t: &Timeline, c: &Curation) -> String {
    let header = [
        "id",
        "key",
        "time",
        "last_time",
        "occurrences",
        "phase",
        "kind",
        "summary",
        "actor",
        "verification",
        "time_quality",
        "evidence",
        "checks",
        "review",
    ];
    let rows = t.entries.iter().enumerate().map(|(i, e)| {
        vec![
            e.id.to_string(),
            c.keys.get(i).cloned().unwrap_or_default(),
            format_utc(e.time),
            e.last_time.map(format_utc).unwrap_or_default(),
            e.occurrences.to_string(),
            e.phase.as_str().into(),
            e.kind.clone(),
            e.summary.clone(),
            e.actor.clone().unwrap_or_default(),
            e.verification.as_str().into(),
            e.time_quality.names().join(" "),
            e.evidence
                .iter()
                .map(|ev| format!("{} {} {}", ev.source, ev.locator, ev.sha256))
                .collect::<Vec<_>>()
                .join("; "),
            e.checks
                .iter()
                .map(|check| {
                    format!(
                        "{}: {} ({})",
                        check.result.as_str(),
                        check.claim,
                        check.note
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            review_marks(review_of(c, i)).join("; "),
        ]
    });
    csv_string(std::iter::once(header.map(String::from).to_vec()).chain(rows))
}

/// Text made safe inside HTML elements and quoted attributes.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A self-contained page: inline style and a small inline script to filter
/// by phase; no external assets; everything from evidence escaped.
pub fn timeline_html(t: &Timeline, c: &Curation) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Timeline</title>\n\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}\
         tr.reported td{background:#fff6d6}tr.unverified td,tr.contradicted td{background:#fde2e2}code{font-size:90%}\
         .muted{color:#666}</style></head><body>\n<h2>Timeline</h2>\n",
    );
    if let (Some(start), Some(end)) = (t.window_start, t.window_end) {
        let _ = writeln!(
            out,
            "<p>Incident window {} – {}. All times UTC. {} of {} events in the window are not shown as \
             their own row.</p>",
            format_utc(start),
            format_utc(end),
            t.left_out,
            t.events_in_window
        );
    }
    out.push_str("<h3>Key times</h3>\n<table><tr><th>Key time</th><th>Time (UTC)</th><th>Since impact start</th><th>Based on</th></tr>\n");
    let k = &t.key_times;
    let d = durations(k);
    for slot in k.named() {
        if slot.time.is_none() && slot.name == "customer_notified" {
            continue;
        }
        let since = slot
            .duration
            .and_then(|name| {
                Some(format!(
                    "{} {}",
                    name.to_ascii_uppercase(),
                    d[name].as_ref()?
                ))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{since}</td><td>{}</td></tr>",
            slot.label,
            slot.time.as_ref().map_or_else(
                || "not found".to_string(),
                |k| format!("{} (#{})", format_utc(k.time), k.entry)
            ),
            slot.time
                .as_ref()
                .map_or_else(String::new, |k| html_escape(&k.basis))
        );
    }
    out.push_str("</table>\n");
    if let Some(calm) = no_incident(t) {
        let _ = writeln!(out, "<p>{calm}</p>");
    }
    out.push_str(
        "<h3>Entries</h3>\n<p><label>Phase <select id=\"phase\" onchange=\"filter()\">\
         <option value=\"\">all</option>",
    );
    for phase in Phase::ALL.map(Phase::as_str) {
        let _ = write!(out, "<option>{phase}</option>");
    }
    out.push_str(
        "</select></label></p>\n<table id=\"entries\"><tr><th>#</th><th>Time (UTC)</th><th>Phase</th>\
         <th>Event</th><th>Verification</th><th>Evidence</th></tr>\n",
    );
    for (i, e) in t.entries.iter().enumerate() {
        let evidence: Vec<String> = e
            .evidence
            .iter()
            .map(|ev| {
                format!(
                    "<code>{}</code> {} <span class=\"muted\">sha256 {}…</span>",
                    html_escape(&ev.source),
                    html_escape(&ev.locator),
                    html_escape(&ev.sha256[..ev.sha256.len().min(12)])
                )
            })
            .collect();
        let what = match (e.last_time, e.occurrences) {
            (Some(last), n) if n > 1 => format!(
                "first {} ×{n} until {}",
                html_escape(&e.summary),
                format_utc(last)
            ),
            _ => html_escape(&e.summary),
        };
        let checks: String = e
            .checks
            .iter()
            .map(|check| {
                format!(
                    "<br><span class=\"muted\">{} \u{201c}{}\u{201d}: {}</span>",
                    check.result.as_str(),
                    html_escape(&check.claim),
                    html_escape(&check.note)
                )
            })
            .collect();
        let marks = review_marks(review_of(c, i));
        let what = if marks.is_empty() {
            what
        } else {
            format!("{what} <i class=\"muted\">({})</i>", marks.join(", "))
        };
        let actor = e
            .actor
            .as_ref()
            .map_or_else(String::new, |a| format!("<b>{}</b>: ", html_escape(a)));
        let _ = writeln!(
            out,
            "<tr class=\"{}\" data-phase=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{actor}{what}{checks}</td>\
             <td>{}</td><td>{}</td></tr>",
            e.verification.as_str(),
            e.phase.as_str(),
            e.id,
            format_utc(e.time),
            e.phase.as_str(),
            e.verification.as_str(),
            evidence.join("<br>")
        );
    }
    out.push_str("</table>\n");
    if !c.hidden.is_empty() {
        out.push_str("<h3>Hidden by reviewers</h3>\n<ul>\n");
        for h in &c.hidden {
            let _ = writeln!(
                out,
                "<li>{} ({}, {}): {}</li>",
                html_escape(&h.summary),
                html_escape(&h.reviewer),
                format_utc(h.at),
                html_escape(&h.reason)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str(
        "<script>function filter(){var p=document.getElementById('phase').value;\
         document.querySelectorAll('#entries tr[data-phase]').forEach(function(r){\
         r.style.display=(!p||r.dataset.phase===p)?'':'none';});}</script>\n</body></html>\n",
    );
    out
}

/// One event per line (docs/output.md#events).
pub fn event_json(e: &EventRow) -> Value {
    json!({
        "time": format_utc(e.time),
        "time_quality": e.time_quality.names(),
        "source": e.source,
        "line": e.line,
        "locator": e.locator,
        "parser": e.parser,
        "kind": e.kind,
        "level": e.level,
        "actor": e.actor,
        "host": e.host,
        "service": e.service,
        "message": e.message,
        "template": e.template,
    })
}

/// The CSV header of `events --format csv`.
pub const EVENT_CSV_HEADER: [&str; 13] = [
    "time",
    "time_quality",
    "source",
    "line",
    "locator",
    "parser",
    "kind",
    "level",
    "actor",
    "host",
    "service",
    "message",
    "template",
];

/// One CSV row of `events --format csv`, formula cells neutralised.
pub fn event_csv_row(e: &EventRow) -> Vec<String> {
    vec![
        format_utc(e.time),
        e.time_quality.names().join(" "),
        e.source.clone(),
        e.line.map(|l| l.to_string()).unwrap_or_default(),
        e.locator.clone(),
        e.parser.clone(),
        e.kind.clone(),
        e.level.clone().unwrap_or_default(),
        e.actor.clone().unwrap_or_default(),
        e.host.clone().unwrap_or_default(),
        e.service.clone().unwrap_or_default(),
        e.message.clone(),
        e.template.clone(),
    ]
    .into_iter()
    .map(|c| csv_safe(&c))
    .collect()
}

/// The `sources --format json` object.
pub fn sources_json(sources: &[SourceRow]) -> Value {
    let list: Vec<Value> = sources
        .iter()
        .map(|s| {
            json!({
                "source": s.path,
                "sha256": s.sha256,
                "bytes": s.bytes,
                "parser": s.parser,
                "confidence": s.confidence,
                "kind": s.kind,
                "events": s.events,
                "rejected": s.rejected,
                "rejected_lines": serde_json::from_str::<Value>(&s.rejected_lines).unwrap_or(Value::Null),
                "first": opt_time(s.first_time),
                "last": opt_time(s.last_time),
                "tz": s.tz,
                "time_quality": s.time_quality.names(),
                "skew": s.skew.as_ref().map(|k| json!({
                    "seconds": k.seconds,
                    "pairs": k.pairs,
                    "spread": k.spread,
                    "reference": k.reference,
                    "applied": k.applied,
                    "note": k.note,
                })),
            })
        })
        .collect();
    json!({ "sources": list })
}

/// The `sources` table for people.
pub fn sources_text(sources: &[SourceRow]) -> String {
    let mut out = String::new();
    for s in sources {
        let range = match (s.first_time, s.last_time) {
            (Some(a), Some(b)) => format!("{} – {}", format_utc(a), format_utc(b)),
            _ => "no events".into(),
        };
        let flags = s.time_quality.names();
        let _ = writeln!(
            out,
            "{}\n  sha256 {}  {} bytes\n  parser {} ({}% confidence), kind {}\n  {} events, {} rejected\n  {range}\n  zone {}{}",
            s.path,
            s.sha256,
            s.bytes,
            s.parser,
            s.confidence,
            s.kind,
            s.events,
            s.rejected,
            s.tz,
            if flags.is_empty() {
                String::new()
            } else {
                format!("; time flags: {}", flags.join(", "))
            }
        );
        if let Some(k) = &s.skew {
            let _ = writeln!(
                out,
                "  clock {:+.3} s against {} from {} pairs (spread {:.3} s){}: {}",
                k.seconds,
                k.reference,
                k.pairs,
                k.spread,
                if k.applied { ", corrected" } else { "" },
                k.note
            );
        }
    }
    if sources.is_empty() {
        out.push_str("no sources stored\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_the_row() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn csv_neutralises_formulas() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("plain"), "plain");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html_escape("<script>\"&'"),
            "&lt;script&gt;&quot;&amp;&#39;"
        );
    }
}
