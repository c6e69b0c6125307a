//! What the engine asks its driver to do: the effects of sans-IO (ARCHITECTURE.md).
//!
//! The driver drains them with `Socket::poll_effect` *after* releasing any borrow of the
//! engine, so that user callbacks may call back into the socket (the re-entrancy rule).

use std::borrow::Cow;
use std::rc::Rc;

use super::message::{Message, Outgoing};
use super::slab::Key;

/// Identifies one transport instance (phoenix.js 1.8.16's `Connection`, spec §2.4).
/// Events of a connection that is no longer the socket's current one are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnId(pub u32);

/// A channel of the socket.
pub type ChannelKey = Key;
/// A push of a channel.
pub type PushKey = Key;

/// One thing for the driver to do.
#[derive(Debug)]
pub enum Effect<P, C> {
    /// Create a transport for `conn`: `new transport(endPointURL(), protocols)` (spec §2.4
    /// `transportConnect`). The driver evaluates params and authToken, and later reports
    /// `handle_open` / `handle_message` / `handle_error` / `handle_close` for `conn`.
    Connect { conn: ConnId },
    /// Encode `message` and send it on `conn` (`transport.send(frame)`).
    Transmit { conn: ConnId, message: Outgoing<P> },
    /// Close the transport of `conn`: `close(code, reason)`, or `close()` when `code` is
    /// `None`.
    Close {
        conn: ConnId,
        code: Option<u16>,
        reason: String,
    },
    /// Use the fallback transport (LongPoll) from now on: `replaceTransport(LongPoll)`
    /// (spec §2.6). Comes before the `Connect` of the fallback attempt.
    SwitchToFallback,
    /// Remember the fallback for the next page load:
    /// `sessionStorage["phx:fallback:LongPoll"] = "true"`.
    RememberFallback,
    /// Await `pending` (a Promise returned by async channel params, issue #11), then call
    /// `Socket::resolve_payload(push, ref_, …)` with its value or rejection.
    AwaitPayload {
        push: PushKey,
        ref_: super::message::Ref,
        pending: P,
    },
    /// Call the logger with `(kind, msg, data)` (spec §2.8). Only emitted when the socket
    /// has a logger.
    Log {
        kind: Cow<'static, str>,
        msg: String,
        data: Option<P>,
    },
    /// Run user code.
    Callback(Callback<P, C>),
}

/// How a channel binding passes its arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum BindingCallback<C> {
    /// `on(event, cb)`: `cb(payload, ref, joinRef)`.
    Full(C),
    /// `onError(cb)`: `on("phx_error", reason => cb(reason))`, payload only (spec §3.2).
    PayloadOnly(C),
}

/// A user callback and its arguments.
#[derive(Debug)]
pub enum Callback<P, C> {
    /// `socket.onOpen` callback: `()`.
    Open(C),
    /// `socket.onClose` callback: `(event)` with the transport's close event.
    Close { callback: C, event: P },
    /// `socket.onError` callback: `(error, transportBefore, establishedConnectionsBefore)`;
    /// the driver supplies the transport class it used for the failed connection.
    Error {
        callback: C,
        error: P,
        established_before: u32,
    },
    /// `socket.onMessage` callback: `(msg)`, after channel dispatch.
    Message {
        callback: C,
        message: Rc<Message<P>>,
    },
    /// One `channel.trigger(event, payload, ref, joinRef)` as the user sees it: the
    /// driver runs the channel's `onMessage` hook (when set), then each callback of the
    /// snapshot with the hook's result, `ref` and `join_ref` (spec §3.2 `trigger`).
    Dispatch {
        channel: ChannelKey,
        event: String,
        payload: P,
        ref_: Option<String>,
        /// phoenix.js passes `undefined` as the ref of triggers it makes itself (a leave's
        /// close, reply routing, transport errors) and the message's `null` otherwise.
        ref_undefined: bool,
        join_ref: Option<String>,
        callbacks: Vec<BindingCallback<C>>,
    },
    /// A `push.receive(status, cb)` hook: `cb(response)`.
    Receive { callback: C, response: P },
    /// A reply (or timeout) reached a push whose driver keeps the receive hooks itself
    /// (the JS `Push`, see `Socket::set_push_owner`): `owner` is the driver's object
    /// (`None` for the join push of `channel`, see `Socket::own_join_push`), told the
    /// status and response, and the push's ref, `sent` and timeout as they were (the
    /// engine may free the push right after).
    Settle {
        owner: Option<P>,
        channel: ChannelKey,
        status: Option<super::payload::Status>,
        response: P,
        ref_: Option<super::message::Ref>,
        sent: bool,
        timeout: f64,
    },
    /// A `socket.ping(cb)` answer: `cb(rtt)` in milliseconds.
    Ping { callback: C, rtt: f64 },
    /// The `disconnect(callback)` callback, after teardown.
    Done(C),
    /// An `onHeartbeat` callback: `cb(status, latencyMs)`; the latency only with replies.
    Heartbeat {
        callback: C,
        status: super::heartbeat::HeartbeatStatus,
        latency: Option<f64>,
    },
}
