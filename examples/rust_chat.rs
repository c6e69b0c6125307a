//! A whole Rust front end on the typed Rust API, without a framework: joins `room:lobby`,
//! logs the room's presence and `new_msg` broadcasts to the console, and sends one message.
//! It is also how `docs/RUST.md` measures what the API costs a Rust app.
//!
//! ```sh
//! cargo build --release --example rust_chat --target wasm32-unknown-unknown \
//!     --no-default-features --features rust-api
//! wasm-bindgen --target web --out-dir www-rust target/wasm32-unknown-unknown/release/examples/rust_chat.wasm
//! ```
//! then load `www-rust/rust_chat.js` from a page served next to the test server
//! (`target/debug/testserver --port 4000 --static .`).
#![cfg(target_arch = "wasm32")]

use futures_util::StreamExt;
use phoenix_wasm::client::{Presence, PresenceEvent, Socket, SocketOptions};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

#[derive(Serialize)]
struct JoinParams<'a> {
    name: &'a str,
}

#[derive(Serialize, Deserialize)]
struct NewMsg {
    body: String,
}

#[derive(Deserialize, Clone)]
struct Meta {
    device: String,
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(s: &str);
}

#[wasm_bindgen(start)]
pub fn main() -> Result<(), JsValue> {
    let socket = Socket::new("/socket", SocketOptions::default())
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    socket.connect();
    let channel = socket
        .channel("room:lobby", &JoinParams { name: "rust" })
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut messages = channel.on::<NewMsg>("new_msg");
    let presence = Presence::<Meta>::new(&channel);
    let mut changes = presence.events();
    spawn_local(async move {
        while let Some(Ok(msg)) = messages.next().await {
            log(&msg.body);
        }
    });
    spawn_local(async move {
        while let Some(ev) = changes.next().await {
            if matches!(ev, PresenceEvent::Sync) {
                for (user, metas) in presence.list() {
                    let devices: Vec<String> = metas.into_iter().map(|m| m.device).collect();
                    log(&format!("{user}: {}", devices.join(", ")));
                }
            }
        }
    });
    spawn_local(async move {
        match channel.join().await {
            Ok(_) => {
                let msg = NewMsg {
                    body: "hello from Rust".into(),
                };
                if let Err(e) = channel.push("new_msg", &msg).await {
                    log(&e.to_string());
                }
            }
            Err(e) => log(&e.to_string()),
        }
    });
    // Keep the socket for the page's lifetime.
    std::mem::forget(socket);
    Ok(())
}
