//! Fault injection for the reliability tests, under `/control/*` (see README).
//!
//! Only loopback peers may use it, even when the server listens on another
//! interface: these endpoints can cut every client off.

use crate::app::{json as respond, App};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Largest `garbage?n=`: each round is four frames per socket.
const MAX_GARBAGE_ROUNDS: u64 = 1000;
/// Longest `blackhole?ms=` (10 minutes).
const MAX_BLACKHOLE_MS: u64 = 600_000;

/// The `/control` routes, refused to non-loopback peers.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/drop", post(drop_all))
        .route("/blackhole", post(blackhole))
        .route("/garbage", post(garbage))
        .route("/restart", post(restart))
        .route("/stats", get(stats))
        .route_layer(middleware::from_fn(loopback_only))
}

async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if peer.ip().is_loopback() {
        next.run(req).await
    } else {
        respond(
            StatusCode::FORBIDDEN,
            &json!({ "ok": false, "error": "control is loopback only" }),
        )
    }
}

/// Runs `f` with `?key=N` capped at `max` (or the default); a non-number is a 400.
fn with_number(
    q: &HashMap<String, String>,
    key: &str,
    (default, max): (u64, u64),
    f: impl FnOnce(u64) -> Response,
) -> Response {
    match q.get(key).map(|v| v.parse::<u64>()) {
        None => f(default),
        Some(Ok(n)) => f(n.min(max)),
        Some(Err(_)) => respond(
            StatusCode::BAD_REQUEST,
            &json!({ "ok": false, "error": format!("bad {key}") }),
        ),
    }
}

fn ok(mut body: Value) -> Response {
    body["ok"] = json!(true);
    respond(StatusCode::OK, &body)
}

/// `POST /control/drop`: every WebSocket ends without a close frame (the client sees
/// 1006) and every LongPoll session is closed (its poll answers 410).
async fn drop_all(State(app): State<App>) -> Response {
    ok(json!({ "closed": app.hub.lock().drop_all() }))
}

/// `POST /control/blackhole?ms=N` (default 5000): for N ms nothing is read, answered
/// or accepted — heartbeats go unanswered, new upgrades and polls hang — and then
/// everything resumes, as after a network outage.
async fn blackhole(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    with_number(&q, "ms", (5000, MAX_BLACKHOLE_MS), |ms| {
        app.hub.set_blackhole(ms);
        ok(json!({ "ms": ms }))
    })
}

/// `POST /control/garbage?n=N` (default 1): N rounds of malformed frames (bad JSON,
/// wrong arity, unknown binary kind, truncated binary) to every WebSocket.
async fn garbage(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    with_number(&q, "n", (1, MAX_GARBAGE_ROUNDS), |n| {
        let n = n as usize;
        let sockets = app.hub.lock().garbage(n);
        ok(
            json!({ "sockets": sockets, "frames_per_socket": n * crate::codec::garbage_frames().len() }),
        )
    })
}

/// `POST /control/restart`: forget every connection, session and presence entry.
async fn restart(State(app): State<App>) -> Response {
    ok(json!({ "closed": app.hub.lock().restart() }))
}

/// `GET /control/stats`: counts of sockets, channels and presence entries, and the
/// timing settings a test needs to know how long LongPoll expiry takes. Readable from any
/// origin, so that browser tests (served by the test runner on another port) can check the
/// server's view; the other control endpoints stay opaque to pages.
async fn stats(State(app): State<App>) -> Response {
    let mut stats = app.hub.lock().stats();
    stats["longpoll_window_ms"] = json!(app.config.longpoll_window.as_millis() as u64);
    stats["idle_timeout_ms"] = json!(app.config.idle_timeout.as_millis() as u64);
    readable_cross_origin(ok(stats))
}

/// Adds `access-control-allow-origin: *` to a response.
fn readable_cross_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        axum::http::HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_answers_are_readable_from_a_test_page_on_another_origin() {
        let response = readable_cross_origin(ok(json!({ "sockets": 0 })));
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers.get(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(&axum::http::HeaderValue::from_static("*"))
        );
        assert_eq!(
            headers.get(axum::http::header::CONTENT_TYPE),
            Some(&axum::http::HeaderValue::from_static("application/json"))
        );
    }
}
