//! # phoenix-wasm
//!
//! A Phoenix Channels client in Rust, compiled to WebAssembly, with the behaviour of
//! phoenix.js 1.8.16 (see `../shared/spec/phoenix-js-1.8.md` in the development tree).
//!
//! - [`core`]: the sans-IO engine (socket, channel, push, serializer, timers), generic over
//!   the payload type and tested natively.
//! - `web` (wasm32 only): the browser shell around WebSocket, fetch and one timer.
//! - `js` (wasm32, default feature `js-api`): the wasm-bindgen facade with phoenix.js's
//!   names.
//! - `client` (wasm32, feature `rust-api`): the typed Rust API for Rust front ends, a second
//!   driver of the same engine over the same browser shell.

#[cfg(all(target_arch = "wasm32", feature = "rust-api"))]
pub mod client;
pub mod core;
#[cfg(all(target_arch = "wasm32", feature = "js-api"))]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod web;
