//! # The typed Rust API (feature `rust-api`)
//!
//! Phoenix Channels for Rust front ends (Leptos, Yew, Dioxus, or plain
//! `wasm-bindgen-futures`) on the same sans-IO engine and browser shell as the npm package,
//! without going through JS. Payloads are any `serde` type, converted by
//! `serde-wasm-bindgen` at the API boundary (the engine keeps them as JS values, so the wire
//! frames are those of phoenix.js: `JSON.stringify` of the same objects).
//!
//! | phoenix.js 1.8.16 | here |
//! |---|---|
//! | `new Socket(endPoint, opts)` (spec §2.1) | [`Socket::new`]`(end_point, `[`SocketOptions`]`)` |
//! | `socket.connect()` / `disconnect()` | [`Socket::connect`] / [`Socket::disconnect`] |
//! | `onOpen` / `onClose` / `onError` | [`Socket::events`]: a `Stream` of [`SocketEvent`] |
//! | `socket.channel(topic, params)` (§3.1) | [`Socket::channel`]`(topic, &params)` |
//! | `channel.join().receive("ok", …)` (§3.2, §4) | `channel.join().await` → `Result<_, `[`PushError`]`>` |
//! | `channel.push(event, payload).receive(…)` | `channel.push(event, &payload).await` |
//! | `channel.on(event, cb)` | [`Channel::on`]`::<T>(event)`: a `Stream` of `Result<T, Error>` |
//! | `new Presence(channel)` (§5) | [`Presence::<M>::new`]`(&channel)`: `list()` with typed metas |
//!
//! Defaults and behaviour are phoenix.js's because the engine is the same one: timeouts
//! (10 s), heartbeats (30 s), the reconnect backoff (10, 50, 100, … 5000 ms) and the rejoin
//! backoff (1, 2, 5, 10 s), rejoining errored channels when the socket reopens, buffering
//! pushes until the join succeeds, the leave quirk of §3.2 (a leave resolves `ok` at once).
//!
//! ## Example
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use phoenix_wasm::client::{PushError, Socket, SocketOptions};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize)]
//! struct JoinParams<'a> { user_id: &'a str }
//! #[derive(Deserialize)]
//! struct Joined { user_id: String }
//! #[derive(Serialize, Deserialize, Debug)]
//! struct Shout { body: String }
//!
//! async fn chat() -> Result<(), PushError> {
//!     let socket = Socket::new("ws://localhost:4000/socket", SocketOptions::default())?;
//!     socket.connect();
//!     let channel = socket.channel("room:lobby", &JoinParams { user_id: "ada" })?;
//!     let mut shouts = channel.on::<Shout>("shout"); // subscribe before joining
//!     let joined: Joined = channel.join().decode().await?; // typed reply
//!     assert_eq!(joined.user_id, "ada");
//!     channel.push("shout", &Shout { body: "hello".into() }).await?; // raw reply
//!     while let Some(Ok(shout)) = shouts.next().await {
//!         web_sys_console_log(&shout.body);
//!     }
//!     Ok(())
//! }
//! # fn web_sys_console_log(_: &str) {}
//! // In a browser: wasm_bindgen_futures::spawn_local(async { chat().await.ok(); });
//! ```
//!
//! A reply is decoded with [`Reply::decode`] into any `DeserializeOwned` type; without it
//! you get the raw [`JsPayload`]. A server error reply is [`PushError::Error`] with its
//! response, no reply in time is [`PushError::Timeout`].
//!
//! ## Lifetimes
//!
//! [`Socket`] and [`Channel`] are cheap `Clone` handles. The connection lives while a
//! socket or channel handle does; dropping the last one closes it. A channel stays in its
//! socket (receiving and rejoining) until [`Channel::leave`], as in phoenix.js; dropping a
//! [`Channel`] handle does not leave. Streams end when their channel is freed or their
//! socket dropped; dropping a stream removes its binding.
//!
//! ## Differences from the JS facade
//!
//! - The transport is the browser's `WebSocket` (no LongPoll fallback, no custom
//!   encode/decode) and there are no page-lifecycle listeners (§2.7) yet.
//! - Callbacks are replaced by futures and streams: nothing runs inside the engine's
//!   dispatch, so there is no re-entrancy to worry about. The only user code the engine
//!   calls directly is `reconnect_after_ms` / `rejoin_after_ms`, which must not call the
//!   socket.
//! - Replies with a status other than `ok`, `error` or `timeout` (never sent by Phoenix)
//!   leave the reply pending.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod channel;
mod presence;
mod queue;
mod socket;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::JsValue;

pub use crate::core::channel::ChannelStatus;
pub use channel::{Channel, Events, Reply};
pub use presence::{Presence, PresenceEvent, PresenceEvents};
pub use socket::{Socket, SocketEvent, SocketEvents, SocketOptions};

/// A payload as the server sent it: the JS value `JSON.parse` built, decoded on demand.
///
/// It is also a serde type: as a field of your own structs (through `serde-wasm-bindgen`) it
/// passes the JS value through unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct JsPayload(pub JsValue);

impl JsPayload {
    /// Converts the payload into `T` with `serde-wasm-bindgen`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_js(self.0.clone())
    }

    /// The JS value.
    pub fn into_js(self) -> JsValue {
        self.0
    }
}

impl Serialize for JsPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for JsPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(JsPayload)
    }
}

/// What can go wrong outside the server's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// `serde-wasm-bindgen` could not convert a value (a payload, params, a reply, metas).
    Serde(String),
    /// The channel was misused; phoenix.js's message, e.g. "tried to join multiple times…".
    Channel(String),
    /// The socket (or the channel) is gone, or was busy: a `reconnect_after_ms` schedule
    /// called back into it.
    Closed,
    /// The browser refused: no `WebSocket`, an invalid URL.
    Js(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Serde(m) => write!(f, "payload conversion failed: {m}"),
            Error::Channel(m) => f.write_str(m),
            Error::Closed => f.write_str("the socket or channel is gone"),
            Error::Js(m) => write!(f, "browser error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Why a join, push or leave did not give an `ok` reply (spec §4 `receive`).
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    /// The server answered `{status: "error", response}`: the response.
    Error(JsPayload),
    /// No reply within the timeout (`receive("timeout")`).
    Timeout,
    /// The push could not be made or its reply not decoded.
    Invalid(Error),
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Error(r) => {
                let text = js_sys::JSON::stringify(&r.0)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                write!(f, "error reply: {text}")
            }
            PushError::Timeout => f.write_str("push timed out"),
            PushError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PushError {}

impl From<Error> for PushError {
    fn from(e: Error) -> Self {
        PushError::Invalid(e)
    }
}

/// Rust → JS for payloads and params: JSON-compatible (maps as plain objects, `None` as
/// `null`), so `JSON.stringify` sends what `serde_json` would.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::Serde(e.to_string()))
}

/// JS → Rust.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, Error> {
    serde_wasm_bindgen::from_value(value).map_err(|e| Error::Serde(e.to_string()))
}

/// `{}` for params or payloads that serialise to nothing (`()`, `None`): phoenix.js's
/// `payload || {}`.
pub(crate) fn object_or_empty(v: JsValue) -> JsValue {
    if v.is_null() || v.is_undefined() {
        js_sys::Object::new().into()
    } else {
        v
    }
}
