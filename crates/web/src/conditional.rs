//! Conditional GETs: a page or answer is stamped with an ETag made of the ledger's version
//! (moved on by every committed write, in the database, so every server sharing it agrees),
//! the session, the address and the day; asked again with that tag, an unchanged one is a
//! `304 Not Modified` without being computed. `Cache-Control: private, no-cache`: kept by the
//! browser only, and always asked about.

use std::hash::{Hash, Hasher};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Addresses whose answer does not follow from the ledger alone: sign-in, health and metrics,
/// 管理 (sessions, the reminder outbox, throttles), a backup.
fn exempt(path: &str) -> bool {
    ["/login", "/healthz", "/metrics", "/admin", "/api/v1/backup", "/api/v1/reminders", "/api/v1/audit"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub(crate) async fn conditional(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let cookie = request.headers().get(header::COOKIE).cloned();
    let Some(cookie) = cookie.filter(|_| request.method() == Method::GET && !exempt(&path)) else {
        return next.run(request).await;
    };
    let Ok(version) = state.app.ledger_version().await else { return next.run(request).await };
    let mut hasher = std::hash::DefaultHasher::new();
    (cookie.as_bytes(), request.uri().to_string(), taizhang_app::clock::today().to_string()).hash(&mut hasher);
    let tag = format!("W/\"{version}-{:016x}\"", hasher.finish());
    let asked = request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
    if asked.as_deref() == Some(tag.as_str()) {
        // Unchanged — if the session that saw it is still alive.
        let headers = axum::http::HeaderMap::from_iter([(header::COOKIE, cookie)]);
        if let Ok(Some(_)) = crate::extract::session_of(&headers, &state).await {
            let mut answer = StatusCode::NOT_MODIFIED.into_response();
            stamp(&mut answer, &tag);
            return answer;
        }
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        stamp(&mut response, &tag);
    }
    response
}

fn stamp(response: &mut Response, tag: &str) {
    if let Ok(value) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
}
