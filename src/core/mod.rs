//! The sans-IO protocol engine: pure Rust, no wasm-bindgen, no web-sys, no clock.
//!
//! It is driven by calls (`connect`, `handle_open`, `handle_frame`, `handle_timeout`, …)
//! with `now` passed in, and answers with effects: frames to transmit, callbacks to run and
//! the next deadline (`poll_timeout`). The browser shell (`src/web/`) owns the WebSocket and
//! one timer; native tests drive the same engine with simulated time.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod channel;
pub mod effect;
pub mod fallback;
pub mod heartbeat;
pub mod jitter;
pub mod longpoll;
pub mod message;
pub mod payload;
pub mod presence;
pub mod push;
pub mod route;
pub mod serializer;
pub mod slab;
pub mod socket;
pub mod stats;
pub mod timer;

pub use channel::{ChannelError, ChannelStatus};
pub use effect::{BindingCallback, Callback, ChannelKey, ConnId, Effect, PushKey};
pub use heartbeat::HeartbeatStatus;
pub use jitter::Jitter;
pub use message::{Message, Outgoing, Ref};
pub use payload::Payload;
pub use push::{PushRef, Received};
pub use socket::{Improvements, ReadyState, Socket, SocketOptions};
pub use stats::{BufferLimits, DropPolicy, Stats};

#[cfg(feature = "json")]
pub mod json;
