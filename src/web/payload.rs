//! `impl Payload for JsValue`: the payload type of the browser build (ARCHITECTURE.md
//! principle 3, spec §4 and §6).
//!
//! Choices, each a deliberate reading of phoenix.js 1.8.16:
//!
//! - **Reply envelope.** `reply_status` / `reply_response` read `payload.status` /
//!   `payload.response` like phoenix.js's `Push.matchReceive`, but never throw: a `null`,
//!   `undefined` or primitive payload, or a getter that throws, reads as "absent"
//!   (`None` / `undefined`). phoenix.js would throw a `TypeError` on a `null` reply payload;
//!   here a JS exception must not unwind through wasm frames (principle 4).
//! - **Binary payloads.** phoenix.js tests `payload.constructor === ArrayBuffer`; we test
//!   `payload instanceof ArrayBuffer`. The two agree on every ordinary value: typed arrays,
//!   `DataView`s, `SharedArrayBuffer`s and `ArrayBuffer`s of another realm are not binary in
//!   either. They differ only on contrived values: a subclass of `ArrayBuffer` is binary here
//!   and not in phoenix.js, and an object whose `constructor` property was set to `ArrayBuffer`
//!   is binary in phoenix.js and not here. A detached `ArrayBuffer` reads as empty bytes.

use js_sys::{ArrayBuffer, JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::payload::{Payload, Status, USUAL_STATUSES};

/// How a reply status crosses to and from JS (`replyStatus`, `pushSettled` in host.js): 0
/// none, 1..=3 the [`USUAL_STATUSES`] in order, [`OTHER_STATUS`] any other string, passed
/// beside it.
#[cfg(feature = "js-api")]
pub(crate) fn status_code(status: Option<&str>) -> u32 {
    match status {
        None => 0,
        Some(s) => USUAL_STATUSES
            .iter()
            .position(|u| *u == s)
            .map_or(OTHER_STATUS, |i| i as u32 + 1),
    }
}

/// [`status_code`] of a status that is none of the usual ones.
pub(crate) const OTHER_STATUS: u32 = 4;

#[wasm_bindgen]
extern "C" {
    /// `Uint8Array` again, only to get a constructor that catches: `new Uint8Array(buffer)`
    /// throws on a detached buffer, and js-sys's binding does not catch.
    #[wasm_bindgen(js_name = Uint8Array)]
    type ByteView;

    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(buffer: &ArrayBuffer) -> Result<ByteView, JsValue>;
}

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// `await`'s test: an object or function whose `then` is callable (a getter that throws
    /// reads as not a thenable).
    #[wasm_bindgen(js_name = isThenable)]
    fn is_thenable(value: &JsValue) -> bool;

    /// A reply's `status` as a number, in one call and without a string crossing for the
    /// usual ones: 1 `"ok"`, 2 `"error"`, 3 `"timeout"`, 4 another string (read it with
    /// [`reply_status_text`]), 0 none (not an object, not a string, a throwing getter).
    #[wasm_bindgen(js_name = replyStatus)]
    fn reply_status_code(payload: &JsValue) -> u32;

    /// The string of the last [`reply_status_code`] that answered 4.
    #[wasm_bindgen(js_name = replyStatusText)]
    fn reply_status_text() -> String;

    /// A reply's `response` in one call: `undefined` when the payload is not an object
    /// or reading it throws.
    #[wasm_bindgen(js_name = replyResponse)]
    fn reply_response_js(payload: &JsValue) -> JsValue;
}

/// `target[key] = value` on an object this module just created (cannot throw in practice;
/// a failure would only leave the key out).
fn set_field(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

impl Payload for JsValue {
    fn empty_object() -> Self {
        Object::new().into()
    }

    fn string(s: &str) -> Self {
        JsString::from(s).into()
    }

    fn transport_error(reason: &str) -> Self {
        let obj = Object::new();
        set_field(&obj, "source", &JsValue::from_str("transport"));
        set_field(&obj, "reason", &JsValue::from_str(reason));
        obj.into()
    }

    fn reason(reason: &str) -> Self {
        let obj = Object::new();
        set_field(&obj, "reason", &JsValue::from_str(reason));
        obj.into()
    }

    fn reply(status: &str, response: Self) -> Self {
        // Key order status, response: what phoenix.js's `trigger("phx_reply", {status, response})`
        // builds for synthesised replies (spec §4).
        let obj = Object::new();
        set_field(&obj, "status", &JsValue::from_str(status));
        set_field(&obj, "response", &response);
        obj.into()
    }

    fn reply_status(&self) -> Option<Status> {
        match reply_status_code(self) {
            0 => None,
            OTHER_STATUS => Some(Status::Owned(reply_status_text())),
            code => USUAL_STATUSES
                .get(code as usize - 1)
                .map(|s| Status::Borrowed(*s)),
        }
    }

    fn reply_response(&self) -> Self {
        reply_response_js(self)
    }

    fn from_binary(bytes: &[u8]) -> Self {
        // `new Uint8Array(bytes)` copies out of wasm memory into a buffer of exactly this size.
        Uint8Array::new_from_slice(bytes).buffer().into()
    }

    fn binary(&self) -> Option<Vec<u8>> {
        let buffer = self.dyn_ref::<ArrayBuffer>()?;
        match ByteView::new(buffer) {
            Ok(view) => Some(view.unchecked_into::<Uint8Array>().to_vec()),
            // Detached (transferred) buffer, or an object that only inherits from
            // ArrayBuffer.prototype: no bytes to read.
            Err(_) => Some(Vec::new()),
        }
    }

    /// phoenix.js's `closure(params)`: a function is called (with no arguments) on every
    /// send; anything else is sent as it is. A throwing function sends `{}` instead of
    /// unwinding through the engine.
    fn evaluate(&self) -> Self {
        match self.dyn_ref::<js_sys::Function>() {
            Some(f) => f
                .call0(&JsValue::UNDEFINED)
                .unwrap_or_else(|_| Object::new().into()),
            None => self.clone(),
        }
    }

    /// A function's result is pending when it is a thenable (an object or function with a
    /// callable `then`), as `await` sees it.
    fn evaluate_pending(&self) -> (Self, bool) {
        if !self.is_function() {
            return (self.clone(), false);
        }
        let value = self.evaluate();
        let pending = is_thenable(&value);
        (value, pending)
    }
}
