//! Socket, Channel and Push in a real browser against the test server (issue 4): the
//! scenarios in `tests/js/scenarios.js`, written as phoenix.js users write code, run
//! against our classes. All in one file: each test file starts its own browser session.
//!
//! The server's base URL comes from `PHX_TEST_URL` at build time (scripts/test.sh starts
//! the server and exports it).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod web_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn run(name: &str, api: JsValue, base: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/tests/js/browser_scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = run)]
    async fn run_fallback(name: &str, api: JsValue, base: &str) -> Result<JsValue, JsValue>;
}

async fn scenario(name: &str) {
    run_scenario(name, false).await;
}

/// Runs a scenario of `scenarios.js`, or of `browser_scenarios.js` when `browser_only`.
async fn run_scenario(name: &str, browser_only: bool) {
    let api: JsValue = web_common::api().into();
    let result = if browser_only {
        run_fallback(name, api, web_common::base()).await
    } else {
        run(name, api, web_common::base()).await
    };
    web_common::check(name, result);
}

#[wasm_bindgen_test]
async fn connect_opens_and_reports_state() {
    scenario("connect_opens_and_reports_state").await;
}

#[wasm_bindgen_test]
async fn join_ok_error_and_rejoin_hooks() {
    scenario("join_ok_error_and_rejoin_hooks").await;
}

#[wasm_bindgen_test]
async fn join_twice_and_push_before_join_throw() {
    scenario("join_twice_and_push_before_join_throw").await;
}

#[wasm_bindgen_test]
async fn push_reply_error_and_timeout() {
    scenario("push_reply_error_and_timeout").await;
}

#[wasm_bindgen_test]
async fn broadcasts_reach_every_subscriber() {
    scenario("broadcasts_reach_every_subscriber").await;
}

#[wasm_bindgen_test]
async fn binary_push_gets_a_binary_reply() {
    scenario("binary_push_gets_a_binary_reply").await;
}

#[wasm_bindgen_test]
async fn heartbeats_keep_the_socket_open_and_ping_measures() {
    scenario("heartbeats_keep_the_socket_open_and_ping_measures").await;
}

#[wasm_bindgen_test]
async fn crash_errors_the_channel_and_it_rejoins() {
    scenario("crash_errors_the_channel_and_it_rejoins").await;
}

#[wasm_bindgen_test]
async fn stop_closes_the_channel() {
    scenario("stop_closes_the_channel").await;
}

#[wasm_bindgen_test]
async fn bad_token_and_auth_token_are_rejected_and_good_one_echoed() {
    scenario("bad_token_and_auth_token_are_rejected_and_good_one_echoed").await;
}

#[wasm_bindgen_test]
async fn reconnects_after_a_drop_rejoins_and_delivers_outage_pushes() {
    scenario("reconnects_after_a_drop_rejoins_and_delivers_outage_pushes").await;
}

#[wasm_bindgen_test]
async fn malformed_frames_are_dropped_and_the_connection_lives_on() {
    scenario("malformed_frames_are_dropped_and_the_connection_lives_on").await;
}

#[wasm_bindgen_test]
async fn callbacks_may_call_back_into_the_api() {
    scenario("callbacks_may_call_back_into_the_api").await;
}

#[wasm_bindgen_test]
async fn has_logger_is_true_with_a_logger_or_debug() {
    scenario("has_logger_is_true_with_a_logger_or_debug").await;
}

#[wasm_bindgen_test]
async fn bindings_added_and_removed_between_broadcasts_take_effect_on_the_next_one() {
    scenario("bindings_added_and_removed_between_broadcasts_take_effect_on_the_next_one").await;
}

#[wasm_bindgen_test]
async fn on_message_hooks_added_between_broadcasts_see_the_next_ones() {
    scenario("on_message_hooks_added_between_broadcasts_see_the_next_ones").await;
}

#[wasm_bindgen_test]
async fn push_objects_keep_their_state_and_hooks_through_replies_resends_and_timeouts() {
    scenario("push_objects_keep_their_state_and_hooks_through_replies_resends_and_timeouts").await;
}

#[wasm_bindgen_test]
async fn socket_push_sends_the_callers_message_as_given() {
    scenario("socket_push_sends_the_callers_message_as_given").await;
}

#[wasm_bindgen_test]
async fn a_reply_with_any_status_reaches_the_hooks_of_that_status() {
    scenario("a_reply_with_any_status_reaches_the_hooks_of_that_status").await;
}

#[wasm_bindgen_test]
async fn a_push_json_cannot_encode_throws_what_json_threw() {
    scenario("a_push_json_cannot_encode_throws_what_json_threw").await;
}

#[wasm_bindgen_test]
async fn a_channel_made_with_new_channel_is_not_in_socket_channels() {
    scenario("a_channel_made_with_new_channel_is_not_in_socket_channels").await;
}

#[wasm_bindgen_test]
async fn outdated_join_refs_are_dropped_and_a_new_channel_gets_the_topic() {
    scenario("outdated_join_refs_are_dropped_and_a_new_channel_gets_the_topic").await;
}

#[wasm_bindgen_test]
async fn a_throwing_callback_does_not_corrupt_the_socket() {
    scenario("a_throwing_callback_does_not_corrupt_the_socket").await;
}

#[wasm_bindgen_test]
async fn a_refused_websocket_falls_back_to_longpoll_and_is_remembered() {
    run_scenario(
        "a_refused_websocket_falls_back_to_longpoll_and_is_remembered",
        true,
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_blackholed_websocket_falls_back_after_the_threshold() {
    run_scenario(
        "a_blackholed_websocket_falls_back_after_the_threshold",
        true,
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_healthy_websocket_stays_and_is_not_remembered() {
    run_scenario("a_healthy_websocket_stays_and_is_not_remembered", true).await;
}

#[wasm_bindgen_test]
async fn push_reply_round_trips_arm_no_timer_per_push() {
    run_scenario("push_reply_round_trips_arm_no_timer_per_push", true).await;
}

#[wasm_bindgen_test]
async fn a_throwing_session_storage_is_never_fatal() {
    run_scenario("a_throwing_session_storage_is_never_fatal", true).await;
}

#[wasm_bindgen_test]
async fn pagehide_disconnects_and_pageshow_reconnects_and_rejoins() {
    run_scenario(
        "pagehide_disconnects_and_pageshow_reconnects_and_rejoins",
        true,
    )
    .await;
}

#[wasm_bindgen_test]
async fn becoming_visible_reconnects_at_once_after_an_unclean_close() {
    run_scenario(
        "becoming_visible_reconnects_at_once_after_an_unclean_close",
        true,
    )
    .await;
}

#[wasm_bindgen_test]
async fn custom_encode_and_decode_are_used_for_every_frame() {
    scenario("custom_encode_and_decode_are_used_for_every_frame").await;
}

#[wasm_bindgen_test]
async fn an_overridden_on_message_sees_every_event_and_transforms_payloads() {
    scenario("an_overridden_on_message_sees_every_event_and_transforms_payloads").await;
}

#[wasm_bindgen_test]
async fn disconnect_inside_a_callback_over_longpoll_raises_nothing() {
    run_scenario(
        "disconnect_inside_a_callback_over_longpoll_raises_nothing",
        true,
    )
    .await;
}

#[wasm_bindgen_test]
async fn join_timeout_sends_a_leave_and_the_channel_rejoins() {
    scenario("join_timeout_sends_a_leave_and_the_channel_rejoins").await;
}
