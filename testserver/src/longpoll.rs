//! LongPoll transport, `/socket/longpoll` (Phoenix 1.8 `Phoenix.Transports.LongPoll`,
//! spec §7.4 and §16). Every answer is HTTP 200 with a JSON body whose `status`
//! field is what the client acts on (§7.2):
//!
//! * `GET` without a live session token: `connect/3`; refused → `{"status":403}`,
//!   else a new session and `{"status":410,"token":…,"messages":[]}`. As in Phoenix a
//!   stale token also starts a new session (the client then treats the 410 as
//!   "session gone" and reconnects with a fresh transport).
//! * `GET` with a token: held until messages are queued (`{"status":200,"token":…,
//!   "messages":[…]}`) or for `--longpoll-window-ms` (`{"status":204,…,"messages":[]}`).
//!   When the server closed the session (`disconnect_me`, `drop`),
//!   polls first get the messages queued before the close, then 410 after a short
//!   grace ([`GONE_GRACE`]), held GETs included. Phoenix would start a new session
//!   or wait out the window; the client reconnects either way, this way sooner and
//!   without losing the last replies.
//! * `POST` with a token: `application/x-ndjson` lines (split on `\n`/`\r\n`, at most
//!   100, extra lines are dropped and logged), each a V2 JSON frame or, when it does
//!   not start with `[`, a base64 binary frame; another content type is one text
//!   frame. `{"status":200}`, or `{"status":410}` if the session is gone.
//! * `OPTIONS`: CORS preflight. Every response carries `access-control-allow-origin: *`.
//!
//! The token comes from header `x-phoenix-longpoll-token` or the last `token` query
//! param; the authToken from header `X-Phoenix-AuthToken`.
//!
//! Server→client binary cannot travel in the JSON poll body: a binary payload is
//! sent as `{"base64":"<standard base64>"}` instead (so the `binary` event answers
//! `ok` with `{"base64":…}` over LongPoll).
//!
//! A session that has no GET in flight and saw none for 2 × the window expires: its
//! channels end and their presence leaves, as when the Phoenix session process times
//! out.

use crate::app::App;
use crate::auth::{self, ConnectInfo};
use crate::codec;
use crate::hub::{Hub, Sink};
use crate::socket;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Phoenix's `@max_poll_batch_size`; phoenix.js never sends more (§7.3).
pub const MAX_BATCH: usize = 100;

/// How long the 410 for a closed session is held back. phoenix.js hands each polled
/// message to `onmessage` in its own `setTimeout(0)` and polls again at once; a 410
/// that came back before those timers ran would make it `stop()` and cancel them
/// (§7.2), losing the session's last messages (such as the reply to `disconnect_me`).
const GONE_GRACE: Duration = Duration::from_millis(100);

/// One LongPoll session: the queue of encoded messages the next GET takes.
pub struct LpSession {
    pub token: String,
    queue: Mutex<VecDeque<String>>,
    wake: Notify,
    closed: AtomicBool,
    gone_told: AtomicBool,
    gets_in_flight: AtomicUsize,
    last_get: Mutex<Instant>,
}

impl LpSession {
    fn new(token: String) -> Self {
        LpSession {
            token,
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            closed: AtomicBool::new(false),
            gone_told: AtomicBool::new(false),
            gets_in_flight: AtomicUsize::new(0),
            last_get: Mutex::new(Instant::now()),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<String>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, message: String) {
        self.queue().push_back(message);
        self.wake.notify_waiters();
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// Whether a poll was answered 410 after the close (the session can go).
    pub fn gone_told(&self) -> bool {
        self.gone_told.load(Ordering::SeqCst)
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn touch(&self) {
        *self.last_get.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// Expired: nobody is polling and nobody polled for `idle`.
    pub fn expired(&self, idle: Duration) -> bool {
        self.gets_in_flight.load(Ordering::SeqCst) == 0
            && self
                .last_get
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .elapsed()
                > idle
    }
}

fn body(value: Value) -> Response {
    let mut res = crate::app::json(axum::http::StatusCode::OK, &value);
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

fn session_token(query: &[(String, String)], headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-phoenix-longpoll-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            query
                .iter()
                .rev()
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.clone())
        })
}

pub async fn options() -> Response {
    let mut res = body(json!({}));
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "accept, content-type, x-requested-with, x-phoenix-longpoll-token, x-phoenix-authtoken",
        ),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("1728000"),
    );
    res
}

pub async fn get(
    State(app): State<App>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    app.hub.wait_blackhole().await;
    let session = session_token(&query, &headers).and_then(|t| app.hub.lock().lp_session(&t));
    let res = match session {
        Some(s) => {
            let res = listen(&s, app.config.longpoll_window).await;
            if s.is_closed() {
                app.hub
                    .lock()
                    .forget_drained(app.config.longpoll_window * 2);
            }
            res
        }
        None => new_session(&app, &query, &headers),
    };
    app.hub.wait_blackhole().await;
    body(res)
}

fn new_session(app: &App, query: &[(String, String)], headers: &HeaderMap) -> Value {
    let auth_token = headers
        .get("x-phoenix-authtoken")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let connect = ConnectInfo {
        params: auth::params_from_query(query),
        auth_token,
    };
    if auth::refused(&connect) {
        crate::vlog!("longpoll connect refused: {:?}", connect);
        return json!({ "status": 403 });
    }
    let session = Arc::new(LpSession::new(crate::ids::session_token()));
    let id = app
        .hub
        .lock()
        .register(Sink::LongPoll(session.clone()), connect);
    crate::vlog!("conn {id}: longpoll session open");
    json!({ "status": 410, "token": session.token, "messages": [] })
}

/// Counts a GET in flight for as long as it lives. A guard rather than a decrement
/// at the end: when the client aborts the request (phoenix.js does on disconnect),
/// hyper drops the handler future mid-wait and code after the `await` never runs.
struct InFlight<'a>(&'a LpSession);

impl<'a> InFlight<'a> {
    fn new(s: &'a LpSession) -> Self {
        s.gets_in_flight.fetch_add(1, Ordering::SeqCst);
        s.touch();
        InFlight(s)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.touch();
        self.0.gets_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn listen(s: &LpSession, window: Duration) -> Value {
    let _in_flight = InFlight::new(s);
    let deadline = Instant::now() + window;
    loop {
        // Register for wake-ups before looking at the queue, so a push between the
        // look and the wait is not missed.
        let notified = s.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let messages: Vec<String> = s.queue().drain(..).collect();
        if !messages.is_empty() {
            return json!({ "status": 200, "token": s.token, "messages": messages });
        }
        if s.is_closed() {
            tokio::time::sleep(GONE_GRACE).await;
            s.gone_told.store(true, Ordering::SeqCst);
            return json!({ "status": 410, "token": null, "messages": [] });
        }
        tokio::select! {
            _ = &mut notified => continue,
            _ = tokio::time::sleep_until(deadline) => {
                return json!({ "status": 204, "token": s.token, "messages": [] });
            }
        }
    }
}

pub async fn post(
    State(app): State<App>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    app.hub.wait_blackhole().await;
    let id = session_token(&query, &headers).and_then(|t| app.hub.lock().lp_conn(&t));
    let Some(id) = id else {
        return body(json!({ "status": 410 }));
    };
    let text = String::from_utf8_lossy(&bytes);
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-ndjson"));
    let lines: Vec<&str> = if ndjson {
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        vec![&text]
    };
    if lines.len() > MAX_BATCH {
        eprintln!(
            "testserver: conn {id}: longpoll batch of {} lines, only {MAX_BATCH} read",
            lines.len()
        );
    }
    for line in lines.into_iter().take(MAX_BATCH) {
        dispatch_line(&app.hub, id, line);
    }
    body(json!({ "status": 200 }))
}

fn dispatch_line(hub: &Hub, id: u64, line: &str) {
    let decoded = if line.starts_with('[') {
        codec::decode_text(line)
    } else {
        match STANDARD.decode(line.trim()) {
            Ok(bytes) => codec::decode_binary(&bytes),
            Err(e) => {
                eprintln!("testserver: conn {id}: ignoring longpoll line: bad base64: {e}");
                return;
            }
        }
    };
    match decoded {
        Ok(msg) => socket::dispatch(&mut hub.lock(), id, msg),
        Err(e) => eprintln!("testserver: conn {id}: ignoring longpoll line: {e}"),
    }
}

/// Background task: ends sessions whose client went away without a word.
pub async fn reap_expired(hub: Arc<Hub>, window: Duration) {
    let idle = window * 2;
    let mut tick = tokio::time::interval(Duration::from_millis(500).min(window));
    loop {
        tick.tick().await;
        let mut state = hub.lock();
        state.forget_drained(idle);
        for (id, s) in state.lp_sessions() {
            if s.expired(idle) {
                crate::vlog!("conn {id}: longpoll session expired");
                state.remove_conn(id);
            }
        }
    }
}
