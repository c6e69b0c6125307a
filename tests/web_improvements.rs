//! The opt-in improvements of issue #11 in a real browser against the test server: the
//! scenarios in `tests/js/improvement_scenarios.js` — reconnect jitter, the hidden-tab
//! deferral, `heartbeatTimeoutMs` with `onHeartbeat`, the `online` probe, async `params`,
//! `authToken` and channel params, awaitable pushes, bounded buffers with `stats()`, and
//! the `TypeError`s of bad options — each next to a check that the default is phoenix.js's.
//! All in one file: each test file starts its own browser session.
//!
//! The server's base URL comes from `PHX_TEST_URL` at build time (scripts/test.sh starts
//! the server and exports it). The drop and blackhole scenarios cut every client off.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod web_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/improvement_scenarios.js")]
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
async fn full_jitter_reconnects_after_a_random_share_of_the_schedule() {
    scenario("full_jitter_reconnects_after_a_random_share_of_the_schedule").await;
}

#[wasm_bindgen_test]
async fn hidden_tabs_reconnect_after_the_deferral_only_when_opted_in() {
    scenario("hidden_tabs_reconnect_after_the_deferral_only_when_opted_in").await;
}

#[wasm_bindgen_test]
async fn heartbeat_timeout_and_on_heartbeat_report_a_dead_network() {
    scenario("heartbeat_timeout_and_on_heartbeat_report_a_dead_network").await;
}

#[wasm_bindgen_test]
async fn the_online_event_probes_the_connection_at_once_when_opted_in() {
    scenario("the_online_event_probes_the_connection_at_once_when_opted_in").await;
}

#[wasm_bindgen_test]
async fn async_params_and_auth_token_are_awaited_before_every_connect() {
    scenario("async_params_and_auth_token_are_awaited_before_every_connect").await;
}

#[wasm_bindgen_test]
async fn async_channel_params_are_awaited_before_every_join_and_a_rejection_retries() {
    scenario("async_channel_params_are_awaited_before_every_join_and_a_rejection_retries").await;
}

#[wasm_bindgen_test]
async fn a_rejected_auth_token_fails_the_attempt_and_the_backoff_retries() {
    scenario("a_rejected_auth_token_fails_the_attempt_and_the_backoff_retries").await;
}

#[wasm_bindgen_test]
async fn awaitable_pushes_resolve_with_the_reply_and_reject_with_push_errors() {
    scenario("awaitable_pushes_resolve_with_the_reply_and_reject_with_push_errors").await;
}

#[wasm_bindgen_test]
async fn pushes_are_not_thenables_by_default() {
    scenario("pushes_are_not_thenables_by_default").await;
}

#[wasm_bindgen_test]
async fn bounded_buffers_drop_count_and_report_while_offline() {
    scenario("bounded_buffers_drop_count_and_report_while_offline").await;
}

#[wasm_bindgen_test]
async fn bad_improvement_options_throw_type_errors_naming_them() {
    scenario("bad_improvement_options_throw_type_errors_naming_them").await;
}
