//! Reliability in a real browser against the test server (issue 10): the scenarios in
//! `tests/js/fault_scenarios.js` inject faults through the server's `/control` endpoints
//! — 50 forced drops in a row, a dead network, a restart that forgets sessions and
//! presence, garbage frames — and check the security rules (the authToken never in a URL
//! or a log line, URL-encoded params, nothing from the server evaluated). Presence keys
//! such as `__proto__` are covered by `tests/web_presence.rs`. All in one file: each test
//! file starts its own browser session.
//!
//! The server's base URL comes from `PHX_TEST_URL` at build time (scripts/test.sh starts
//! the server and exports it). The fault endpoints cut every client of that server off.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use phoenix_wasm::js::presence::Presence;
use phoenix_wasm::js::socket::Socket;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/fault_scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn run(name: &str, api: JsValue, base: &str) -> Result<JsValue, JsValue>;
}

fn constructor_of(instance: &JsValue) -> JsValue {
    Reflect::get(instance, &JsValue::from_str("constructor")).expect("constructor")
}

/// `{Socket, Presence}`: the API object the scenarios use, with our classes.
fn api() -> JsValue {
    let socket: JsValue = Socket::new(
        JsValue::from_str("ws://127.0.0.1:9/socket"),
        JsValue::UNDEFINED,
    )
    .expect("a socket")
    .into();
    let channel = js_sys::Function::new_no_args("return {on() {}, joinRef() { return null }}")
        .call0(&JsValue::NULL)
        .expect("a stub channel");
    let presence: JsValue = Presence::new(channel, JsValue::UNDEFINED)
        .expect("a presence")
        .into();
    let api = Object::new();
    Reflect::set(&api, &"Socket".into(), &constructor_of(&socket)).expect("set");
    Reflect::set(&api, &"Presence".into(), &constructor_of(&presence)).expect("set");
    api.into()
}

#[allow(clippy::option_env_unwrap)] // a clear message beats a compile error for a missing server
async fn scenario(name: &str) {
    let base = option_env!("PHX_TEST_URL")
        .expect("build with PHX_TEST_URL set to the test server's base URL");
    if let Err(e) = run(name, api(), base).await {
        let msg = Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string());
        panic!("{name}: {}", msg.unwrap_or_else(|| format!("{e:?}")));
    }
}

#[wasm_bindgen_test]
async fn fifty_drops_in_a_row_leave_every_channel_joined_once_and_lose_no_push() {
    scenario("fifty_drops_in_a_row_leave_every_channel_joined_once_and_lose_no_push").await;
}

#[wasm_bindgen_test]
async fn a_dead_network_is_detected_within_two_heartbeats_and_recovers() {
    scenario("a_dead_network_is_detected_within_two_heartbeats_and_recovers").await;
}

#[wasm_bindgen_test]
async fn a_server_restart_forgets_presence_and_clients_rebuild_it() {
    scenario("a_server_restart_forgets_presence_and_clients_rebuild_it").await;
}

#[wasm_bindgen_test]
async fn garbage_frames_are_logged_and_dropped_and_later_messages_arrive() {
    scenario("garbage_frames_are_logged_and_dropped_and_later_messages_arrive").await;
}

#[wasm_bindgen_test]
async fn auth_token_stays_out_of_urls_and_logs_and_params_are_encoded() {
    scenario("auth_token_stays_out_of_urls_and_logs_and_params_are_encoded").await;
}

#[wasm_bindgen_test]
async fn nothing_from_the_server_is_evaluated() {
    scenario("nothing_from_the_server_is_evaluated").await;
}
