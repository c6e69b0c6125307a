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

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod web_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/fault_scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn run(name: &str, api: JsValue, base: &str) -> Result<JsValue, JsValue>;
}

async fn scenario(name: &str) {
    web_common::check(
        name,
        run(name, web_common::api().into(), web_common::base()).await,
    );
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
