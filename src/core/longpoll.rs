//! The pure parts of the LongPoll transport (spec §7): the poll status table, batch limits
//! and the base64 of binary sends. (`normalizeEndpoint` is the host's regex, in
//! `src/web/longpoll.rs`.) No I/O, no host calls, so
//! they are tested natively (`tests/longpoll_logic.rs`); the browser transport in
//! `src/web/longpoll.rs` drives them.

/// The server reads at most this many ndjson lines per POST (`@max_poll_batch_size`), so a
/// client batch is cut into POSTs of at most this many lines (spec §7.3).
pub const MAX_LONGPOLL_BATCH_SIZE: usize = 100;

/// The authToken subprotocol prefix (spec §2.5): `["phoenix", "base64url.bearer.phx.<b64>"]`.
pub const AUTH_TOKEN_PREFIX: &str = "base64url.bearer.phx.";

/// `readyState` values, as `WebSocket`'s.
pub const CONNECTING: u8 = 0;
pub const OPEN: u8 = 1;
pub const CLOSING: u8 = 2;
pub const CLOSED: u8 = 3;

/// What the transport does with a poll answer (spec §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollAction {
    /// 200: deliver each message in its own macrotask, then poll again.
    Deliver,
    /// 204: nothing arrived within the server's window; poll again.
    Poll,
    /// 410 without a token yet: the session is new; open and poll.
    Open,
    /// 410 with a token: the session is gone; close 3410 "session_gone" and let the socket
    /// reconnect with a new instance.
    SessionGone,
    /// 403: connect refused; `onerror(403)`, close 1008 "forbidden".
    Forbidden,
    /// No answer, an unparsable one, status 0 or 500: close 1011 and retry.
    Retry,
    /// Any other status: phoenix.js throws "unhandled poll status" and stops polling.
    Unhandled,
}

/// Classifies a poll answer. `answered` is whether the body parsed to a truthy value,
/// `status` its numeric `status` field (`None` when absent or not a number),
/// `had_token` whether the transport held a token (`this.token !== null`) before it.
pub fn poll_action(answered: bool, status: Option<f64>, had_token: bool) -> PollAction {
    if !answered {
        return PollAction::Retry;
    }
    // `status === n` on a JSON number: exact integers only (`-0 === 0`).
    let code = status
        .filter(|s| s.fract() == 0.0 && s.abs() < 1e6)
        .map(|s| s as i32);
    match code {
        Some(410) if had_token => PollAction::SessionGone,
        Some(200) => PollAction::Deliver,
        Some(204) => PollAction::Poll,
        Some(410) => PollAction::Open,
        Some(403) => PollAction::Forbidden,
        Some(0 | 500) => PollAction::Retry,
        _ => PollAction::Unhandled,
    }
}

/// The line range `[offset, end)` of the POST that starts at `offset` of a batch of `len`
/// lines, and whether more POSTs follow it.
pub fn batch_slice(len: usize, offset: usize) -> (usize, usize, bool) {
    let next = offset.saturating_add(MAX_LONGPOLL_BATCH_SIZE);
    (offset.min(len), next.min(len), next < len)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding: what `btoa` gives for a string of these bytes (how
/// phoenix.js sends an `ArrayBuffer` over LongPoll, spec §7.3).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let sym = |i: u32| char::from(BASE64.get((i & 63) as usize).copied().unwrap_or(b'A'));
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}
