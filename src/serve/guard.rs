//! What every request passes before it reaches a handler: the token, the
//! origin of state changes, and their content type (docs/serve.md#security).

use axum::extract::{Request, State as AxumState};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::error;
use super::State;

/// The cookie the page's `/?token=` sets.
pub(super) const COOKIE: &str = "factline_token";

/// Compares without stopping at the first difference, so the time taken
/// does not tell how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn presented(headers: &HeaderMap) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            found.push(t.trim().to_string());
        }
    }
    for cookies in headers.get_all(header::COOKIE) {
        let Ok(cookies) = cookies.to_str() else {
            continue;
        };
        for pair in cookies.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                if name == COOKIE {
                    found.push(value.to_string());
                }
            }
        }
    }
    found
}

/// The `token` query parameter of `/?token=…`.
pub(super) fn query_token(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "token").then(|| value.to_string())
    })
}

pub(super) async fn check(
    AxumState(state): AxumState<State>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.settings.token {
        let headers = request.headers();
        let from_page = request.uri().path() == "/"
            && query_token(request.uri().query()).is_some_and(|t| same(&t, token));
        if !from_page && !presented(headers).iter().any(|t| same(t, token)) {
            return error(
                StatusCode::UNAUTHORIZED,
                "this service needs its token: open /?token=TOKEN or send Authorization: Bearer TOKEN",
            );
        }
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let headers = request.headers();
        // A browser names the page a request comes from; one from another
        // site is never let change the review.
        if let Some(origin) = headers.get(header::ORIGIN) {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            let own = [format!("http://{host}"), format!("https://{host}")];
            if !origin.to_str().is_ok_and(|o| own.iter().any(|x| x == o)) {
                return error(
                    StatusCode::FORBIDDEN,
                    "requests from another origin are refused",
                );
            }
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if request.method() != Method::POST || !json {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "changes are POST requests with Content-Type: application/json",
            );
        }
    }
    next.run(request).await.into_response()
}
