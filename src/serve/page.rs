//! The page: the reviewed timeline rendered on the server, with a small
//! script (`page.js`, no dependencies) for the evidence, the events
//! browser, the audit, the sources and the review actions. Assets are
//! compiled in, so the page works without a network. Everything that came
//! from evidence or reviewers is escaped here or set as text by the script.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use factline_parsers::time::format_utc;

use super::api::error;
use super::guard::{query_token, COOKIE};
use super::State;
use crate::model::Phase;
use crate::reconstruct::durations;
use crate::render::html_escape as esc;
use crate::review::Reviewed;

const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

const VERIFICATIONS: [&str; 5] = [
    "corroborated",
    "verified",
    "reported",
    "contradicted",
    "unverified",
];

pub(super) async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

pub(super) async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

pub(super) async fn index(AxumState(s): AxumState<State>, RawQuery(query): RawQuery) -> Response {
    // `/?token=` (already checked by the guard) becomes a cookie, and the
    // token leaves the address bar and the history.
    if let Some(token) = query_token(query.as_deref()) {
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        return match HeaderValue::from_str(&cookie) {
            Ok(cookie) => (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (header::LOCATION, HeaderValue::from_static("/")),
                ],
            )
                .into_response(),
            Err(_) => error(
                StatusCode::BAD_REQUEST,
                "the token cannot be stored in a cookie",
            ),
        };
    }
    let work = tokio::task::spawn_blocking(move || {
        let store = s.reader()?;
        let r = s.reviewed(&store)?;
        Ok::<_, crate::Error>(render_page(&r, &s.settings.reviewer))
    })
    .await;
    match work {
        Ok(Ok(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
                ),
            ],
            html,
        )
            .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the page failed"),
    }
}

fn options(out: &mut String, id: &str, label: &str, values: &[String]) {
    let _ = write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">all</option>"
    );
    for v in values {
        let _ = write!(out, "<option>{}</option>", esc(v));
    }
    out.push_str("</select></label> ");
}

/// The whole page for one reviewed timeline.
pub(super) fn render_page(r: &Reviewed, reviewer: &str) -> String {
    let t = &r.timeline;
    let c = &r.curation;
    let mut out = String::with_capacity(16 * 1024 + t.entries.len() * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>factline review</title><link rel=\"stylesheet\" href=\"/assets/page.css\"></head>\
         <body data-reviewer=\"{}\">\n<header><h1>factline review</h1><nav>\
         <button data-tab=\"timeline\" class=\"on\">Timeline</button>\
         <button data-tab=\"events\">Events</button><button data-tab=\"audit\">Audit</button>\
         <button data-tab=\"sources\">Sources</button><button data-tab=\"trail\">Review trail</button>\
         </nav><span class=\"who\">reviewing as <b>{}</b></span></header>\n\
         <div id=\"banner\" hidden>New evidence was ingested since this timeline was built. \
         <button id=\"rebuild\">Rebuild the timeline</button></div>\n\
         <div id=\"message\" role=\"status\"></div>\n<main>\n<section id=\"timeline\">\n",
        esc(reviewer),
        esc(reviewer)
    );
    match (t.window_start, t.window_end) {
        (Some(a), Some(b)) => {
            let _ = writeln!(
                out,
                "<p class=\"muted\">Incident window {} – {}. All times UTC. {} entries; {} of {} events in \
                 the window are not their own row.</p>",
                format_utc(a),
                format_utc(b),
                t.entries.len(),
                t.left_out,
                t.events_in_window
            );
        }
        _ => out.push_str("<p>No events are stored; nothing to review.</p>\n"),
    }
    out.push_str("<h2>Key times</h2>\n<table class=\"keys\"><tr><th>Key time</th><th>Time (UTC)</th><th>Since impact start</th><th>Based on</th><th>Entry</th></tr>\n");
    let k = &t.key_times;
    let d = durations(k);
    for slot in k.named() {
        // Most incidents have no status page: no row for one.
        if slot.time.is_none() && slot.name == "customer_notified" {
            continue;
        }
        let since = slot.duration.map_or_else(
            || "—".to_string(),
            |l| match d[l].as_deref() {
                Some(v) => format!("{} {v}", l.to_uppercase()),
                None => format!("{} unknown", l.to_uppercase()),
            },
        );
        let (time, basis, entry) = match slot.time {
            Some(kt) => (
                format_utc(kt.time),
                esc(&kt.basis),
                if kt.entry > 0 {
                    format!("<a href=\"#entry-{0}\">#{0}</a>", kt.entry)
                } else {
                    "hidden".into()
                },
            ),
            None => ("not found".into(), "—".into(), "—".into()),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{time}</td><td>{since}</td><td>{basis}</td><td>{entry}</td></tr>",
            slot.label
        );
    }
    out.push_str("</table>\n<h2>Entries</h2>\n<p class=\"filters\">");
    let mut sources: Vec<String> = t
        .entries
        .iter()
        .flat_map(|e| e.evidence.iter().map(|c| c.source.clone()))
        .collect();
    sources.sort();
    sources.dedup();
    options(
        &mut out,
        "f-phase",
        "Phase",
        &Phase::ALL.map(|p| p.as_str().to_string()),
    );
    options(&mut out, "f-source", "Source", &sources);
    options(
        &mut out,
        "f-verification",
        "Verification",
        &VERIFICATIONS.map(String::from),
    );
    out.push_str(
        "</p>\n<table id=\"entries\"><thead><tr><th>#</th><th>Time (UTC)</th><th>Phase</th><th>Event</th>\
         <th>Verification</th><th>Evidence</th><th>Review</th></tr></thead><tbody>\n",
    );
    for (i, e) in t.entries.iter().enumerate() {
        let review = c.reviews[i].as_ref();
        let version = review.map_or(0, |r| r.version);
        let srcs: Vec<&str> = e.evidence.iter().map(|c| c.source.as_str()).collect();
        let mut marks = Vec::new();
        if let Some(r) = review {
            if r.added {
                marks.push("added".to_string());
            }
            if r.pinned {
                marks.push("pinned".to_string());
            }
            if let Some((summary, phase)) = &r.original {
                marks.push(format!("edited (was {phase}: {summary})"));
            }
        }
        let when = match e.last_time {
            Some(last) if e.occurrences > 1 => format!(
                " <span class=\"muted\">×{} until {}</span>",
                e.occurrences,
                format_utc(last)
            ),
            _ => String::new(),
        };
        let actor = e
            .actor
            .as_ref()
            .map_or_else(String::new, |a| format!("<b>{}</b>: ", esc(a)));
        let _ = write!(
            out,
            "<tr id=\"entry-{id}\" class=\"entry {ver}\" data-key=\"{key}\" data-version=\"{version}\" \
             data-phase=\"{phase}\" data-verification=\"{ver}\" data-sources=\"{srcs}\" data-summary=\"{summary}\">\
             <td>{id}</td><td class=\"time\">{time}</td><td><span class=\"phase {phase}\">{phase}</span></td>\
             <td class=\"what\">{actor}<span class=\"summary\">{summary}</span>{when}",
            id = e.id,
            key = esc(&c.keys[i]),
            phase = e.phase.as_str(),
            ver = e.verification.as_str(),
            srcs = esc(&srcs.join("\n")),
            summary = esc(&e.summary),
            time = format_utc(e.time),
        );
        for m in &marks {
            let _ = write!(out, " <span class=\"mark\">{}</span>", esc(m));
        }
        if let Some(r) = review {
            for n in &r.notes {
                let _ = write!(
                    out,
                    "<div class=\"note\">{} — {}, {}</div>",
                    esc(&n.text),
                    esc(&n.reviewer),
                    format_utc(n.at)
                );
            }
        }
        let _ = write!(
            out,
            "</td><td><span class=\"ver {ver}\">{ver}</span></td><td class=\"cites\">",
            ver = e.verification.as_str()
        );
        for c in &e.evidence {
            let at = c
                .line
                .map_or_else(|| c.locator.clone(), |l| format!("line {l}"));
            let _ = write!(
                out,
                "<div><code>{}</code> {}</div>",
                esc(&c.source),
                esc(&at)
            );
        }
        let _ = writeln!(
            out,
            "</td><td class=\"acts\"><button class=\"act-evidence\"{}>Evidence</button> \
             <button class=\"act-hide\">Hide</button> <button class=\"act-edit\">Edit</button> \
             <button class=\"act-note\">Note</button></td></tr>",
            if e.evidence.is_empty() {
                " disabled"
            } else {
                ""
            }
        );
    }
    out.push_str("</tbody></table>\n");
    let _ = writeln!(out, "<h2>Hidden by reviewers ({})</h2>", c.hidden.len());
    if c.hidden.is_empty() {
        out.push_str("<p class=\"muted\">Nothing is hidden.</p>\n");
    } else {
        out.push_str("<ul id=\"hidden\">\n");
        for h in &c.hidden {
            let _ = writeln!(
                out,
                "<li data-key=\"{}\"><span class=\"summary\">{}</span> — <i>{}</i> ({}, {}) \
                 <button class=\"act-restore\">Restore</button></li>",
                esc(&h.key),
                esc(&h.summary),
                esc(&h.reason),
                esc(&h.reviewer),
                format_utc(h.at)
            );
        }
        out.push_str("</ul>\n");
    }
    if !c.orphaned.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"warn\">{} review actions apply to entries no longer in the timeline (see the review trail).</p>",
            c.orphaned.len()
        );
    }
    out.push_str(
        "<h2>Add an entry</h2>\n<form id=\"add\" class=\"add\">\
         <label>Time <input name=\"time\" required placeholder=\"2026-01-01T10:00:00Z\"></label> \
         <label>Zone <input name=\"zone\" placeholder=\"UTC or Europe/Berlin\"></label> \
         <label>Phase <select name=\"phase\">",
    );
    for p in Phase::ALL.map(Phase::as_str) {
        let _ = write!(
            out,
            "<option{}>{p}</option>",
            if p == "context" { " selected" } else { "" }
        );
    }
    out.push_str(
        "</select></label> <label class=\"wide\">What happened <input name=\"text\" required></label> \
         <button type=\"submit\">Add</button></form>\n</section>\n\
         <section id=\"events\" hidden><h2>Events</h2><form id=\"event-filter\" class=\"filters\">\
         <label>From <input name=\"from\" placeholder=\"RFC 3339\"></label> \
         <label>To <input name=\"to\"></label> <label>Source <input name=\"source\" placeholder=\"glob\"></label> \
         <label>Level <input name=\"level\" size=\"6\"></label> <label>Text <input name=\"q\"></label> \
         <label>Template <input name=\"template\"></label> <button type=\"submit\">Show</button></form>\
         <table id=\"event-list\"><thead><tr><th>Time (UTC)</th><th>Source</th><th>Level</th><th>Message</th><th></th></tr></thead>\
         <tbody></tbody></table><button id=\"more\" hidden>More</button></section>\n\
         <section id=\"audit\" hidden><h2>Audit</h2><div id=\"audit-body\">Loading…</div></section>\n\
         <section id=\"sources\" hidden><h2>Sources</h2><div id=\"sources-body\">Loading…</div></section>\n\
         <section id=\"trail\" hidden><h2>Review trail</h2><div id=\"trail-body\">Loading…</div></section>\n\
         </main>\n<aside id=\"panel\" hidden><button id=\"close\">Close</button><h2>Evidence</h2><div id=\"panel-body\"></div></aside>\n\
         <script src=\"/assets/page.js\"></script>\n</body></html>\n",
    );
    out
}
