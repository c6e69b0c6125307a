//! `LongPoll` (spec §7): phoenix.js's HTTP long-polling transport as a JS class, usable as
//! `new Socket(url, {transport: LongPoll})` and the socket's default when the host has no
//! `WebSocket`. The logic lives in [`crate::web::longpoll`]; this is its WebSocket-shaped
//! face: the `on*` handlers and `timeout` are accessor properties, so the socket (or any
//! caller) assigns them as it would on a `WebSocket`; `binaryType`, which LongPoll does not
//! use, stays a plain property of the object the socket assigns it to. `readyState` and
//! `skipHeartbeat` are read-only.
//!
//! ```js
//! import init, { Socket, LongPoll } from "phoenix-wasm"
//! await init()
//! const socket = new Socket("/socket", { transport: LongPoll, params: { token } })
//! socket.connect()
//! ```

use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::web::longpoll::{self as lp, normalize_endpoint};

/// phoenix.js's `LongPoll`.
#[wasm_bindgen]
pub struct LongPoll {
    inner: Rc<lp::LongPoll>,
}

type T = lp::LongPoll;

thread_local! {
    static CLASS: Function = {
        let obj: JsValue = LongPoll { inner: lp::LongPoll::dormant() }.into();
        Reflect::get(&obj, &JsValue::from_str("constructor"))
            .ok()
            .and_then(|c| c.dyn_into().ok())
            .unwrap_or_else(|| JsValue::UNDEFINED.unchecked_into())
    };
}

/// The `LongPoll` class constructor, for the socket's transport default (spec §2.6: a host
/// without `WebSocket` uses LongPoll).
pub(crate) fn class() -> Function {
    CLASS.with(Clone::clone)
}

fn string_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        let mut m = String::from(what);
        m.push_str(" must be a string");
        js_sys::TypeError::new(&m).into()
    })
}

#[wasm_bindgen]
impl LongPoll {
    /// `new LongPoll(endPoint, protocols)`: `endPoint` is the socket's
    /// `ws(s)://…/websocket?…&vsn=…` URL, polled as `http(s)://…/longpoll?…`; `protocols`
    /// may carry the authToken (spec §2.5). The first poll runs in a macrotask.
    #[wasm_bindgen(constructor)]
    pub fn new(end_point: JsValue, protocols: JsValue) -> Result<LongPoll, JsValue> {
        let end_point = string_arg(&end_point, "endPoint")?;
        Ok(LongPoll {
            inner: T::new(&end_point, &protocols)?,
        })
    }

    /// `normalizeEndpoint(endPoint)`: `ws`→`http`, `wss`→`https`, the last `/websocket` →
    /// `/longpoll`.
    #[wasm_bindgen(js_name = normalizeEndpoint)]
    pub fn normalize_endpoint(&self, end_point: JsValue) -> Result<String, JsValue> {
        Ok(normalize_endpoint(&string_arg(&end_point, "endPoint")?))
    }

    /// `endpointURL()`: the poll endpoint with the session token (a trailing `&` before
    /// the first answer, as 1.8.16).
    #[wasm_bindgen(js_name = endpointURL)]
    pub fn endpoint_url(&self) -> String {
        self.inner.endpoint_url()
    }

    /// `poll()`: one GET, if still active.
    pub fn poll(&self) -> Result<(), JsValue> {
        self.inner.poll()
    }

    /// `send(body)`: queues a frame (an `ArrayBuffer` travels as base64); frames of one tick
    /// go out together as one ndjson POST of at most 100 lines.
    pub fn send(&self, body: JsValue) -> Result<(), JsValue> {
        self.inner.send(&body)
    }

    /// `close(code, reason, wasClean)`: stops and emits `onclose` at once.
    pub fn close(&self, code: JsValue, reason: JsValue, was_clean: JsValue) -> Result<(), JsValue> {
        self.inner.close(code, reason, was_clean)
    }

    /// `closeAndRetry(error, code, reason, wasClean)`.
    #[wasm_bindgen(js_name = closeAndRetry)]
    pub fn close_and_retry(
        &self,
        error: JsValue,
        code: JsValue,
        reason: JsValue,
        was_clean: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.close_and_retry(error, code, reason, was_clean)
    }

    /// `ontimeout()`: closes with 1005 "timeout" and reports `"timeout"`.
    pub fn ontimeout(&self) -> Result<(), JsValue> {
        self.inner.ontimeout()
    }

    /// 0 connecting, 1 open, 3 closed.
    #[wasm_bindgen(getter, js_name = readyState)]
    pub fn ready_state(&self) -> u8 {
        self.inner.ready_state()
    }

    /// The request timeout in ms (the socket's `longpollerTimeout`).
    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> JsValue {
        self.inner.timeout()
    }
    #[wasm_bindgen(setter)]
    pub fn set_timeout(&self, v: JsValue) {
        self.inner.set_timeout_value(v)
    }

    /// `true`: the socket sends no heartbeats over LongPoll.
    #[wasm_bindgen(getter, js_name = skipHeartbeat)]
    pub fn skip_heartbeat(&self) -> bool {
        true
    }

    #[wasm_bindgen(getter)]
    pub fn onopen(&self) -> JsValue {
        self.inner.handler(T::ON_OPEN)
    }
    #[wasm_bindgen(setter)]
    pub fn set_onopen(&self, f: JsValue) {
        self.inner.set_handler(T::ON_OPEN, f)
    }
    #[wasm_bindgen(getter)]
    pub fn onerror(&self) -> JsValue {
        self.inner.handler(T::ON_ERROR)
    }
    #[wasm_bindgen(setter)]
    pub fn set_onerror(&self, f: JsValue) {
        self.inner.set_handler(T::ON_ERROR, f)
    }
    #[wasm_bindgen(getter)]
    pub fn onmessage(&self) -> JsValue {
        self.inner.handler(T::ON_MESSAGE)
    }
    #[wasm_bindgen(setter)]
    pub fn set_onmessage(&self, f: JsValue) {
        self.inner.set_handler(T::ON_MESSAGE, f)
    }
    #[wasm_bindgen(getter)]
    pub fn onclose(&self) -> JsValue {
        self.inner.handler(T::ON_CLOSE)
    }
    #[wasm_bindgen(setter)]
    pub fn set_onclose(&self, f: JsValue) {
        self.inner.set_handler(T::ON_CLOSE, f)
    }
}
