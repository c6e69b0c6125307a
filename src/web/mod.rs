//! The browser runtime (wasm32 only): host values and host APIs around the sans-IO engine.
//!
//! So far this layer holds the payload type of the browser build and the text codec:
//!
//! - `impl Payload for JsValue` (in `payload.rs`): payloads stay JS values
//!   (ARCHITECTURE.md principle 3); the engine only reads the reply envelope
//!   `{status, response}` and recognises `ArrayBuffer`s as binary payloads.
//! - [`decode_text`] / [`encode_text`]: V2 text frames `[join_ref, ref, topic, event, payload]`
//!   through the host's `JSON.parse` / `JSON.stringify` (spec §6.1), so key order, `toJSON`,
//!   `undefined` handling and number formatting are exactly those of phoenix.js.
//!
//! ```ignore
//! use phoenix_wasm::core::message::{Outgoing, Ref};
//! use phoenix_wasm::core::payload::Payload;
//! use phoenix_wasm::web::{decode_text, encode_text};
//! use wasm_bindgen::JsValue;
//!
//! let heartbeat = Outgoing {
//!     join_ref: None,
//!     ref_: Some(Ref(5)),
//!     topic: "phoenix".into(),
//!     event: "heartbeat".into(),
//!     payload: JsValue::empty_object(),
//!     raw: false,
//! };
//! let frame = encode_text(&heartbeat)?; // [null,"5","phoenix","heartbeat",{}]
//! let msg = decode_text(&frame.into())?;
//! assert_eq!(msg.ref_.as_deref(), Some("5"));
//! ```
//!
//! Nothing here panics on outside data and no JS exception escapes into wasm frames: every
//! host call that can throw goes through a `catch` binding (ARCHITECTURE.md principle 4).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod intern;
pub mod longpoll;
mod payload;
pub mod serializer;
pub mod timer;
pub mod transport;
pub mod url;

#[cfg(feature = "js-api")]
pub(crate) use payload::{status_code, OTHER_STATUS};
pub use serializer::{
    decode_message, decode_parsed, decode_text, encode_binary, encode_message, encode_text,
    send_text,
};
