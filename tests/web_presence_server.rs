//! `Presence` in a real browser against the test server (issue 5): the scenarios in
//! `tests/js/presence_scenarios.js` — joins and leaves seen by two clients, one user on two
//! devices, `update_presence`, the joiner's own diff held until its state, the rejoin after
//! a socket drop, and the seed's `UserPresenceTracker`, `TypingIndicator` and
//! `ActivityMonitor` (`tests/js/seed.js`) — written as phoenix.js users write code and run
//! against our `Socket` and `Presence`. The same scenarios run in Node against the built
//! package and phoenix 1.8.16 (`tests/node/presence.test.mjs`). All in one file: each test
//! file starts its own browser session.
//!
//! The server's base URL comes from `PHX_TEST_URL` at build time (scripts/test.sh starts
//! the server and exports it). The drop scenario cuts every connection of that server.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod web_common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/presence_scenarios.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn run(name: &str, api: JsValue, base: &str) -> Result<JsValue, JsValue>;
}

// presence_scenarios.js imports ./seed.js: naming it here makes wasm-bindgen copy it into
// the same snippet directory.
#[wasm_bindgen(module = "/tests/js/seed.js")]
extern "C" {
    type TypingIndicator;
    #[wasm_bindgen(constructor)]
    fn new(channel: &JsValue) -> TypingIndicator;
    #[wasm_bindgen(method, js_name = getTypingUsers)]
    fn typing_users(this: &TypingIndicator) -> js_sys::Array;
}

async fn scenario(name: &str) {
    web_common::check(
        name,
        run(name, web_common::api().into(), web_common::base()).await,
    );
}

#[wasm_bindgen_test]
fn the_seed_module_loads() {
    let stub = js_sys::Function::new_no_args("return {on() {}, push() {}}")
        .call0(&JsValue::NULL)
        .expect("a stub channel");
    assert_eq!(TypingIndicator::new(&stub).typing_users().length(), 0);
}

#[wasm_bindgen_test]
async fn two_clients_see_each_other_join_and_leave() {
    scenario("two_clients_see_each_other_join_and_leave").await;
}

#[wasm_bindgen_test]
async fn one_user_on_two_devices_is_one_key_with_two_metas() {
    scenario("one_user_on_two_devices_is_one_key_with_two_metas").await;
}

#[wasm_bindgen_test]
async fn update_presence_is_a_join_then_a_leave_with_phx_ref_prev() {
    scenario("update_presence_is_a_join_then_a_leave_with_phx_ref_prev").await;
}

#[wasm_bindgen_test]
async fn own_diff_before_the_state_is_held_then_applied() {
    scenario("own_diff_before_the_state_is_held_then_applied").await;
}

#[wasm_bindgen_test]
async fn after_a_drop_the_rejoin_waits_for_the_new_state() {
    scenario("after_a_drop_the_rejoin_waits_for_the_new_state").await;
}

#[wasm_bindgen_test]
async fn seed_user_presence_tracker() {
    scenario("seed_user_presence_tracker").await;
}

#[wasm_bindgen_test]
async fn seed_typing_indicator() {
    scenario("seed_typing_indicator").await;
}

#[wasm_bindgen_test]
async fn seed_activity_monitor() {
    scenario("seed_activity_monitor").await;
}
