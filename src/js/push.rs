//! `Push` (spec §4): what `join`, `leave` and `push` return.
//!
//! The class itself is JS (`Push` in `src/web/host.js`): it keeps what phoenix.js's push
//! keeps (`channel`, `event`, the payload, `recHooks`, and the last reply) and runs its own
//! `receive` hooks, so `push.receive(…)` never enters wasm. The engine keeps the push while
//! it is in flight and tells the object of every reply or timeout through one
//! `Callback::Settle` (`core::Socket::set_push_owner`), then frees it; a later `send()` or
//! `resend()` makes it again from the object (`Channel.__pushRevive`).
//!
//! Why not a wasm-bindgen class: an exported class's objects own Rust memory, so
//! wasm-bindgen registers every one with a `FinalizationRegistry`, and that registration
//! was the largest single cost of a push (docs/PERFORMANCE.md "Fourth pass"). A JS object
//! that owns nothing in wasm needs no finalizer: the engine holds it while the push is in
//! flight, and after that it is the user's like any JS object.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::core::effect::PushKey;

use super::socket::Shared;

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = setPushKey)]
    fn set_push_key(push: &JsValue, index: u32, generation: u32);
    /// The channel's join `Push` object, `undefined` if none was made yet.
    #[wasm_bindgen(js_name = joinPushIfMade)]
    pub(crate) fn join_push_of(channel: &JsValue) -> JsValue;
    /// `{status, response}`: a push's `receivedResp`.
    #[wasm_bindgen(js_name = pushResp)]
    pub(crate) fn resp(status: &JsValue, response: &JsValue) -> JsValue;
    /// A reply or timeout reached the push (`Callback::Settle`): records it and runs the
    /// push's hooks of that status; rethrows the first exception of a hook after all ran.
    /// `status` is numbered as `web::status_code` numbers it (`other_status` holds
    /// the string when it is `OTHER_STATUS`).
    /// `push` may be `undefined` (a join push nobody asked for): nothing to do then.
    #[wasm_bindgen(js_name = pushSettled, catch)]
    pub(crate) fn push_settled(
        push: &JsValue,
        status: u32,
        other_status: &JsValue,
        response: &JsValue,
        ref_: f64,
        sent: bool,
        timeout: f64,
    ) -> Result<(), JsValue>;
}

/// Makes the JS object `push` the owner of the engine's push `key` (its hooks live in JS
/// from now on). The caller drains afterwards: a reply already received (a leave on a
/// channel that cannot push) reaches the object then.
pub(crate) fn own(shared: &Rc<Shared>, key: PushKey, push: JsValue) {
    set_key(&push, key);
    shared.engine.borrow_mut().set_push_owner(key, push);
}

/// Gives a JS `Push` its engine key.
pub(crate) fn set_key(push: &JsValue, key: PushKey) {
    let (index, generation) = key.parts();
    set_push_key(push, index, generation);
}

/// Makes the channel's join push object (`push`) its owner: `own` without a reference
/// from the engine to the object (see `core::push::Owner::Channel`).
pub(crate) fn own_join(
    shared: &Rc<Shared>,
    channel: crate::core::effect::ChannelKey,
    push: &JsValue,
) {
    let key = shared.engine.borrow().channel_join_push(channel);
    if let Some(k) = key {
        set_key(push, k);
    }
    shared.engine.borrow_mut().own_join_push(channel);
}

/// The engine key a JS `Push` passes back.
pub(crate) fn key(index: u32, generation: u32) -> PushKey {
    PushKey::from_parts(index, generation)
}
