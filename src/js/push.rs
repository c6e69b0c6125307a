//! `Push` (spec §4): what `join`, `leave` and `push` return.

use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::effect::PushKey;
use crate::core::push::PushRef;

use super::socket::{Release, Shared};

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// Makes `proto[name]` return `this`, so `receive` chains on the same object.
    fn chainable(obj: &JsValue, name: &str);
    /// Gives `Push.prototype` a `then` getter: a `then` function on pushes of sockets made
    /// with `awaitablePushes` (issue #11), `undefined` on the others, so that `await push`
    /// keeps phoenix.js's meaning (the push itself) unless the user opted in. The promise
    /// settles once, on the first `ok` (resolve with the response), `error` or `timeout`
    /// (reject with a `PushError` carrying `status` and `response`); `receive` keeps
    /// working on the same object.
    fn thenable(obj: &JsValue);
}

/// phoenix.js's `Push`.
#[wasm_bindgen]
pub struct Push {
    socket: Weak<Shared>,
    key: PushKey,
}

impl Push {
    /// A new JS object for the push `key`.
    pub(crate) fn object(shared: &Rc<Shared>, key: PushKey) -> JsValue {
        let obj: JsValue = Push {
            socket: Rc::downgrade(shared),
            key,
        }
        .into();
        thread_local!(static PATCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        if !PATCHED.with(|p| p.replace(true)) {
            chainable(&obj, "receive");
            thenable(&obj);
        }
        obj
    }

    fn shared(&self) -> Result<Rc<Shared>, JsValue> {
        self.socket
            .upgrade()
            .ok_or_else(|| js_sys::Error::new("the push's socket is gone").into())
    }
}

#[wasm_bindgen]
impl Push {
    /// `receive(status, callback)`: returns the same push (see `chainable`).
    pub fn receive(&self, status: String, callback: Function) -> Result<(), JsValue> {
        let s = self.shared()?;
        s.engine
            .borrow_mut()
            .push_receive(self.key, &status, callback);
        s.drain()
    }

    /// `send()`.
    pub fn send(&self) -> Result<(), JsValue> {
        let s = self.shared()?;
        s.engine
            .borrow_mut()
            .push_send(self.key, js_sys::Date::now());
        s.drain()
    }

    /// `resend(timeout)`.
    pub fn resend(&self, timeout: f64) -> Result<(), JsValue> {
        let s = self.shared()?;
        s.engine
            .borrow_mut()
            .push_resend(self.key, js_sys::Date::now(), timeout);
        s.drain()
    }

    /// Whether the push's socket was made with `awaitablePushes`: read by the `then`
    /// getter that `thenable` installs (not part of the public API).
    #[wasm_bindgen(getter, js_name = __awaitable)]
    pub fn awaitable(&self) -> bool {
        self.socket
            .upgrade()
            .is_some_and(|s| s.driver.borrow().opts.awaitable_pushes)
    }

    /// `push.ref`: undefined before the first send, null after a reset.
    #[wasm_bindgen(getter, js_name = ref)]
    pub fn ref_(&self) -> JsValue {
        match self
            .socket
            .upgrade()
            .map_or(PushRef::Undefined, |s| s.engine.borrow().push_ref(self.key))
        {
            PushRef::Undefined => JsValue::UNDEFINED,
            PushRef::Null => JsValue::NULL,
            PushRef::Set(r) => JsValue::from_str(&r.to_js_string()),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn event(&self) -> JsValue {
        self.socket
            .upgrade()
            .and_then(|s| {
                s.engine
                    .borrow()
                    .push_event(self.key)
                    .map(JsValue::from_str)
            })
            .unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> f64 {
        self.socket
            .upgrade()
            .and_then(|s| s.engine.borrow().push_timeout(self.key))
            .unwrap_or(0.0)
    }

    #[wasm_bindgen(getter)]
    pub fn sent(&self) -> bool {
        self.socket
            .upgrade()
            .is_some_and(|s| s.engine.borrow().push_sent(self.key))
    }

    /// `receivedResp`: `{status, response}` or null.
    #[wasm_bindgen(getter, js_name = receivedResp)]
    pub fn received_resp(&self) -> JsValue {
        let r = self
            .socket
            .upgrade()
            .and_then(|s| s.engine.borrow().push_received(self.key));
        match r {
            None => JsValue::NULL,
            Some(r) => {
                let o = Object::new();
                let status = r
                    .status
                    .map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s));
                let _ = Reflect::set(&o, &JsValue::from_str("status"), &status);
                let _ = Reflect::set(&o, &JsValue::from_str("response"), &r.response);
                o.into()
            }
        }
    }
}

impl Drop for Push {
    fn drop(&mut self) {
        if let Some(s) = self.socket.upgrade() {
            match s.engine.try_borrow_mut() {
                Ok(mut e) => e.release_push(self.key),
                Err(_) => s
                    .driver
                    .borrow_mut()
                    .pending_release
                    .push(Release::Push(self.key)),
            }
        }
    }
}
