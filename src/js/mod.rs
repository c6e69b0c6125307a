//! The wasm-bindgen facade: phoenix.js 1.8.16's classes with its names, options, defaults,
//! callback arguments and return values, over the engine in `crate::core`.

pub mod channel;
mod lifecycle;
pub mod longpoll;
mod options;
pub mod presence;
pub mod push;
mod router;
pub mod serializer;
pub mod socket;
