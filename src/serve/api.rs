//! The JSON API (docs/serve.md#api). Every handler does its SQLite and
//! file work on a blocking thread; every failure is a JSON `{"error"}`
//! with a status, never a panic.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{lock, State};
use crate::audit;
use crate::config::parse_cli_time;
use crate::evidence::reread;
use crate::render;
use crate::review::{self, Refused, Request};
use crate::store::{EventFilter, EventRow};

/// Lines shown either side of a cited line unless asked otherwise.
const CONTEXT: usize = 20;
/// Most context lines a request may ask for.
const MAX_CONTEXT: usize = 500;
/// Events on a page unless asked otherwise, and the most a page may have.
const PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// A JSON error answer.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Why a request failed, answered as `{"error"}` (and, for a conflict,
/// the entry's `version` now).
pub(super) struct Failure {
    status: StatusCode,
    message: String,
    version: Option<i64>,
}

fn bad(message: impl AsRef<str>) -> Failure {
    Failure {
        status: StatusCode::BAD_REQUEST,
        message: message.as_ref().to_string(),
        version: None,
    }
}

fn internal(e: crate::Error) -> Failure {
    Failure {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: e.to_string(),
        version: None,
    }
}

type Answer = std::result::Result<Value, Failure>;

/// Runs `work` on a blocking thread; a panic in it is a 500, not a crash.
async fn blocking(work: impl FnOnce() -> Answer + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(f)) => match f.version {
            Some(v) => {
                (f.status, Json(json!({ "error": f.message, "version": v }))).into_response()
            }
            None => error(f.status, &f.message),
        },
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the request failed"),
    }
}

fn ok(v: Value) -> Answer {
    Ok(v)
}

pub(super) async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page")
}

pub(super) async fn timeline(AxumState(s): AxumState<State>) -> Response {
    blocking(move || {
        let store = s.reader().map_err(internal)?;
        let r = s.reviewed(&store).map_err(internal)?;
        ok(render::timeline_json(&r.timeline, &r.curation))
    })
    .await
}

pub(super) async fn evidence(
    AxumState(s): AxumState<State>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    blocking(move || {
        let context = match q.get("context") {
            None => CONTEXT,
            Some(c) => c
                .parse::<usize>()
                .map_err(|_| bad("context must be a whole number of lines"))?
                .min(MAX_CONTEXT),
        };
        let store = s.reader().map_err(internal)?;
        let r = s.reviewed(&store).map_err(internal)?;
        let Some((_, entry)) = r.entry(&key) else {
            return Err(Failure {
                status: StatusCode::NOT_FOUND,
                message: "no entry has that key".into(),
                version: None,
            });
        };
        let sources = store.sources().map_err(internal)?;
        let mut out = Vec::new();
        for c in &entry.evidence {
            // The file is found through the database by the cited source's
            // id, never through anything the request names.
            let Some(source) = sources.iter().find(|x| x.id == c.source_id) else {
                continue;
            };
            let read = reread(std::path::Path::new(&source.file), source.member.as_deref());
            let check = audit::check(source, &read);
            let lines = match (&read, c.line) {
                (Ok(Some(bytes)), Some(line)) => context_lines(bytes, line, context),
                _ => Vec::new(),
            };
            out.push(json!({
                "source": c.source,
                "sha256": c.sha256,
                "status": check.status.as_str(),
                "line": c.line,
                "locator": c.locator,
                "lines": lines,
            }));
        }
        ok(json!({ "evidence": out }))
    })
    .await
}

/// The cited line and `context` lines either side, numbered from 1.
fn context_lines(bytes: &[u8], line: i64, context: usize) -> Vec<Value> {
    let Ok(line) = usize::try_from(line) else {
        return Vec::new();
    };
    let first = line.saturating_sub(context).max(1);
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .skip(first - 1)
        .take(line + context + 1 - first)
        .map(|(i, text)| {
            let text = String::from_utf8_lossy(text);
            json!({
                "line": i + 1,
                "text": text.trim_end_matches('\r'),
                "cited": i + 1 == line,
            })
        })
        .collect()
}

pub(super) async fn events(
    AxumState(s): AxumState<State>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    blocking(move || {
        let param = |name: &str| q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let time = |name: &str| {
            param(name)
                .map(|t| parse_cli_time(t, None).map_err(|e| bad(format!("{name}: {e}"))))
                .transpose()
        };
        let (from, to) = (time("from")?, time("to")?);
        let limit = match param("limit") {
            None => PAGE,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if n > 0 => n.min(MAX_PAGE),
                _ => return Err(bad("limit must be a positive whole number")),
            },
        };
        let source = param("source")
            .map(|g| {
                globset::Glob::new(g)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| bad(format!("source: bad glob: {e}")))
            })
            .transpose()?;
        let text = param("q").map(str::to_lowercase);
        let template = param("template").map(str::to_lowercase);
        let level = param("level").map(str::to_lowercase);
        let store = s.reader().map_err(internal)?;
        // The cursor is the last event shown: the next page starts at its
        // time through the index and skips what sorts before or at it.
        let after = match param("after") {
            None => None,
            Some(id) => {
                let parsed = id.split_once('@').and_then(|(at, time)| {
                    let (source, seq) = at.split_once(':')?;
                    Some((
                        source.parse::<i64>().ok()?,
                        seq.parse::<i64>().ok()?,
                        time.parse::<i64>().ok()?,
                    ))
                });
                let (source_id, seq, time) = parsed.ok_or_else(|| bad("after: not an event id"))?;
                let sources = store.sources().map_err(internal)?;
                let path = sources
                    .into_iter()
                    .find(|x| x.id == source_id)
                    .map(|x| x.path)
                    .ok_or_else(|| bad("after: not an event id"))?;
                Some((time, path, seq))
            }
        };
        let filter = EventFilter {
            from: match (&after, from) {
                (Some((t, _, _)), Some(f)) => Some((*t).max(f)),
                (Some((t, _, _)), None) => Some(*t),
                (None, f) => f,
            },
            to,
            notable_only: false,
        };
        let keep = |e: &EventRow| {
            after
                .as_ref()
                .is_none_or(|(t, path, seq)| (e.time, &e.source, e.seq) > (*t, path, *seq))
                && source.as_ref().is_none_or(|m| m.is_match(&e.source))
                && text
                    .as_ref()
                    .is_none_or(|q| e.message.to_lowercase().contains(q))
                && template
                    .as_ref()
                    .is_none_or(|q| e.template.to_lowercase().contains(q))
                && level
                    .as_ref()
                    .is_none_or(|l| e.level.as_deref().is_some_and(|x| x.to_lowercase() == *l))
        };
        let mut page: Vec<EventRow> = Vec::new();
        store
            .each_event_while(&filter, |e| {
                if keep(&e) {
                    page.push(e);
                }
                Ok(page.len() <= limit)
            })
            .map_err(internal)?;
        let next = if page.len() > limit {
            page.truncate(limit);
            page.last().map(review::event_id)
        } else {
            None
        };
        let events: Vec<Value> = page
            .iter()
            .map(|e| {
                let mut v = render::event_json(e);
                if let Value::Object(m) = &mut v {
                    m.insert("id".into(), Value::String(review::event_id(e)));
                }
                v
            })
            .collect();
        ok(json!({ "events": events, "next": next }))
    })
    .await
}

pub(super) async fn trail(AxumState(s): AxumState<State>) -> Response {
    blocking(move || {
        let store = s.reader().map_err(internal)?;
        let r = s.reviewed(&store).map_err(internal)?;
        let actions = store.review_actions().map_err(internal)?;
        ok(review::trail_json(&actions, &r.curation))
    })
    .await
}

pub(super) async fn act(AxumState(s): AxumState<State>, body: Bytes) -> Response {
    blocking(move || {
        let request: Request =
            serde_json::from_slice(&body).map_err(|e| bad(format!("not a review action: {e}")))?;
        let mut writer = lock(&s.writer);
        let reviewed = s.reviewed(&writer).map_err(internal)?;
        let now = chrono::Utc::now().timestamp_micros();
        match review::act(&mut writer, &reviewed, &request, &s.settings.reviewer, now)
            .map_err(internal)?
        {
            Ok(action) => ok(review::action_json(&action)),
            Err(refused) => {
                let (status, version) = match &refused {
                    Refused::Bad(_) => (StatusCode::BAD_REQUEST, None),
                    Refused::Unknown(_) => (StatusCode::NOT_FOUND, None),
                    Refused::Conflict { current } => (StatusCode::CONFLICT, Some(*current)),
                };
                Err(Failure {
                    status,
                    message: refused.message(),
                    version,
                })
            }
        }
    })
    .await
}

fn status_json(s: &State) -> Answer {
    let store = s.reader().map_err(internal)?;
    let stamp = store.sources_stamp().map_err(internal)?;
    let built = lock(&s.built).stamp;
    ok(json!({ "sources": stamp.0, "new_evidence": stamp != built }))
}

pub(super) async fn status(AxumState(s): AxumState<State>) -> Response {
    blocking(move || status_json(&s)).await
}

pub(super) async fn rebuild(AxumState(s): AxumState<State>) -> Response {
    blocking(move || {
        s.rebuild().map_err(internal)?;
        status_json(&s)
    })
    .await
}

pub(super) async fn audit(AxumState(s): AxumState<State>) -> Response {
    blocking(move || {
        let store = s.reader().map_err(internal)?;
        let r = s.reviewed(&store).map_err(internal)?;
        let sources = store.sources().map_err(internal)?;
        let checks = audit::verify(&sources);
        let gaps = match (r.timeline.window_start, r.timeline.window_end) {
            (Some(from), Some(to)) => {
                audit::gaps(&store.times_by_source(from, to).map_err(internal)?)
            }
            _ => Vec::new(),
        };
        ok(audit::audit(&r.timeline, &sources, &checks, &gaps).json)
    })
    .await
}

pub(super) async fn sources(AxumState(s): AxumState<State>) -> Response {
    blocking(move || {
        let store = s.reader().map_err(internal)?;
        ok(render::sources_json(&store.sources().map_err(internal)?))
    })
    .await
}
