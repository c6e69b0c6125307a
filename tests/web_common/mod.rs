//! Shared by the browser test files (`tests/web_*.rs`): the API object the JS scenarios
//! use, made of our classes, the test server's URL, and turning a scenario's exception
//! into a test failure that shows its message.
#![allow(dead_code)] // each test file uses what it needs

use js_sys::{Object, Reflect};
use phoenix_wasm::js::presence::Presence;
use phoenix_wasm::js::socket::Socket;
use wasm_bindgen::prelude::*;

fn constructor_of(instance: &JsValue) -> JsValue {
    Reflect::get(instance, &JsValue::from_str("constructor")).expect("constructor")
}

/// Sets `obj[key] = value`.
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    Reflect::set(obj, &JsValue::from_str(key), value).expect("set");
}

/// `{Socket, Channel, Presence, LongPoll}`: our classes, as a phoenix.js user imports them.
pub fn api() -> Object {
    let socket = Socket::new(
        JsValue::from_str("ws://127.0.0.1:9/socket"),
        JsValue::UNDEFINED,
    )
    .expect("a socket");
    let long_poll = socket.get_long_poll_transport();
    let socket: JsValue = socket.into();
    let channel = js_sys::Function::new_no_args("return {on() {}, joinRef() { return null }}")
        .call0(&JsValue::NULL)
        .expect("a stub channel");
    let presence: JsValue = Presence::new(channel, JsValue::UNDEFINED)
        .expect("a presence")
        .into();
    let probe = Socket::new(
        JsValue::from_str("ws://127.0.0.1:9/socket"),
        JsValue::UNDEFINED,
    )
    .expect("a socket")
    .channel("probe".into(), JsValue::UNDEFINED)
    .expect("a channel");
    let api = Object::new();
    set(&api, "Socket", &constructor_of(&socket));
    set(&api, "Channel", &constructor_of(&probe));
    set(&api, "Presence", &constructor_of(&presence));
    set(&api, "LongPoll", &long_poll);
    api
}

/// The test server's base URL, fixed at build time (scripts/test.sh exports it).
#[allow(clippy::option_env_unwrap)] // a clear message beats a compile error for a missing server
pub fn base() -> &'static str {
    option_env!("PHX_TEST_URL").expect("build with PHX_TEST_URL set to the test server's base URL")
}

// The scenario modules import tests/js/helpers.js: naming it here makes wasm-bindgen copy
// it into the snippet directory of every browser test.
#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    /// `undefined` (`None`) for a scenario that returns nothing.
    fn canonical(value: &JsValue) -> Option<String>;
}

/// Fails the test with the scenario's error message; on success, logs what it returned.
pub fn check(name: &str, result: Result<JsValue, JsValue>) {
    if let Some(seen) = result.as_ref().ok().and_then(canonical) {
        wasm_bindgen_test::console_log!("{name}: {seen}");
    }
    if let Err(e) = result {
        let msg = Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string());
        panic!("{name}: {}", msg.unwrap_or_else(|| format!("{e:?}")));
    }
}
