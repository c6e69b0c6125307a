//! The LongPoll transport (spec §7, issue 6) in a real browser against the test server:
//!
//! - the Socket/Channel scenarios of `tests/js/scenarios.js` over LongPoll (`api.opts =
//!   {transport: LongPoll}`), except the two that cannot apply: server→client binary
//!   (Phoenix cannot send it over LongPoll; `longpoll_binary_*` covers client→server
//!   binary) and malformed WebSocket frames (the server's garbage goes to WebSockets only;
//!   `longpoll_bad_answers_*` feeds the transport bad poll answers instead);
//! - the `longpoll_*` scenarios: the constructor, the wire format, batching, the status
//!   table, lost sessions, timeouts, fetch without XHR, and the socket's default transport.
//!
//! All in one file: each test file starts its own browser session. The server's base URL
//! comes from `PHX_TEST_URL` at build time (scripts/test.sh starts the server with
//! `--longpoll-window-ms 2000`).
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

/// `{Socket, Presence, LongPoll, opts: {transport: LongPoll}}`: our classes, LongPoll by
/// default.
fn api() -> JsValue {
    let api = web_common::api();
    let long_poll = js_sys::Reflect::get(&api, &JsValue::from_str("LongPoll")).expect("LongPoll");
    let opts = js_sys::Object::new();
    web_common::set(&opts, "transport", &long_poll);
    web_common::set(&api, "opts", &opts);
    api.into()
}

async fn scenario(name: &str) {
    web_common::check(name, run(name, api(), web_common::base()).await);
}

/// One `#[wasm_bindgen_test]` per scenario of `tests/js/scenarios.js`, by name.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            scenario(stringify!($name)).await;
        }
    )*};
}

// The Socket/Channel scenarios, over LongPoll.
scenarios!(
    connect_opens_and_reports_state,
    join_ok_error_and_rejoin_hooks,
    join_twice_and_push_before_join_throw,
    push_reply_error_and_timeout,
    broadcasts_reach_every_subscriber,
    heartbeats_keep_the_socket_open_and_ping_measures,
    crash_errors_the_channel_and_it_rejoins,
    stop_closes_the_channel,
    bad_token_and_auth_token_are_rejected_and_good_one_echoed,
    reconnects_after_a_drop_rejoins_and_delivers_outage_pushes,
    callbacks_may_call_back_into_the_api,
    bindings_added_and_removed_between_broadcasts_take_effect_on_the_next_one,
    on_message_hooks_added_between_broadcasts_see_the_next_ones,
    a_throwing_callback_does_not_corrupt_the_socket,
);

// LongPoll's own.
scenarios!(
    longpoll_constructor_normalises_the_endpoint_and_defers_the_first_poll,
    longpoll_is_the_socket_default_without_websocket,
    longpoll_requests_carry_the_token_and_the_auth_header_on_polls_only,
    longpoll_binary_pushes_travel_as_base64_lines,
    longpoll_ignores_a_custom_encode_and_decode,
    longpoll_250_pushes_in_one_tick_go_in_posts_of_100_one_at_a_time,
    longpoll_drop_reconnects_with_a_new_instance_and_rejoins,
    longpoll_server_restart_loses_the_session_and_channels_rejoin,
    longpoll_xhr_poll_timeout_reads_as_status_0,
    longpoll_over_fetch_when_there_is_no_xhr,
    longpoll_without_xhr_or_fetch_throws,
    longpoll_poll_answers_drive_the_state_machine,
    longpoll_bad_answers_close_and_retry_without_exceptions,
    longpoll_sends_coalesce_per_tick_and_batches_wait_for_their_ack,
    longpoll_close_cancels_queued_messages_and_aborts_requests,
);
