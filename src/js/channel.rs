//! `Channel` (spec §3): the JS class over the engine's channel state.
//!
//! A channel object holds only a weak reference to its socket: a connected socket keeps
//! itself alive, and a channel alone does not keep an idle socket (and its other channels)
//! from being collected.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::core::channel::ChannelStatus;
use crate::core::effect::{BindingCallback, ChannelKey};
use crate::core::push::PushRef;

use super::push::Push;
use super::socket::{Release, Shared};

thread_local! {
    /// The default `onMessage`: `(event, payload) => payload`.
    static IDENTITY: JsValue = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_e, p| p).into_js_value();
}

/// phoenix.js's `Channel`.
#[wasm_bindgen]
pub struct Channel {
    socket: Weak<Shared>,
    pub(crate) key: ChannelKey,
    topic: String,
    join_push: RefCell<Option<JsValue>>,
}

fn gone() -> JsValue {
    js_sys::Error::new("the channel's socket is gone").into()
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn timeout_arg(timeout: &JsValue) -> Option<f64> {
    timeout.as_f64().filter(|t| t.is_finite() && *t >= 0.0)
}

impl Channel {
    pub(crate) fn new(shared: &Rc<Shared>, key: ChannelKey, topic: String) -> Channel {
        Channel {
            socket: Rc::downgrade(shared),
            key,
            topic,
            join_push: RefCell::new(None),
        }
    }

    fn shared(&self) -> Result<Rc<Shared>, JsValue> {
        self.socket.upgrade().ok_or_else(gone)
    }

    fn status(&self) -> Option<ChannelStatus> {
        self.socket
            .upgrade()
            .and_then(|s| s.engine.borrow().channel_state(self.key))
    }

    fn join_push_object(&self, s: &Rc<Shared>) -> JsValue {
        let mut slot = self.join_push.borrow_mut();
        if let Some(p) = slot.as_ref() {
            return p.clone();
        }
        let key = s.engine.borrow().channel_join_push(self.key);
        let obj = key.map_or(JsValue::UNDEFINED, |k| Push::object(s, k));
        *slot = Some(obj.clone());
        obj
    }
}

#[wasm_bindgen]
impl Channel {
    /// `join(timeout?)`: returns the join push; throws if called twice.
    pub fn join(&self, timeout: JsValue) -> Result<JsValue, JsValue> {
        let s = self.shared()?;
        let r = s
            .engine
            .borrow_mut()
            .channel_join(self.key, now(), timeout_arg(&timeout));
        match r {
            Ok(_) => {
                let push = self.join_push_object(&s);
                s.drain()?;
                Ok(push)
            }
            Err(e) => Err(js_sys::Error::new(&e.message()).into()),
        }
    }

    /// `leave(timeout?)`: closes the channel at once (spec §3.2 quirk) and returns the
    /// leave push, which has already received `ok`.
    pub fn leave(&self, timeout: JsValue) -> Result<JsValue, JsValue> {
        let s = self.shared()?;
        let key = s
            .engine
            .borrow_mut()
            .channel_leave(self.key, now(), timeout_arg(&timeout));
        let obj = key.map_or(JsValue::UNDEFINED, |k| Push::object(&s, k));
        s.drain()?;
        Ok(obj)
    }

    /// `push(event, payload, timeout?)`.
    pub fn push(
        &self,
        event: String,
        payload: JsValue,
        timeout: JsValue,
    ) -> Result<JsValue, JsValue> {
        let s = self.shared()?;
        let payload = if payload.is_truthy() {
            payload
        } else {
            js_sys::Object::new().into()
        };
        let r = s.engine.borrow_mut().channel_push(
            self.key,
            now(),
            event,
            payload,
            timeout_arg(&timeout),
        );
        match r {
            Ok(k) => {
                let obj = Push::object(&s, k);
                s.drain()?;
                Ok(obj)
            }
            Err(e) => Err(js_sys::Error::new(&e.message()).into()),
        }
    }

    /// `on(event, callback)`: returns the binding ref (an integer).
    pub fn on(&self, event: String, callback: Function) -> Result<u32, JsValue> {
        let s = self.shared()?;
        let r = s
            .engine
            .borrow_mut()
            .channel_on(self.key, &event, BindingCallback::Full(callback));
        r.ok_or_else(gone)
    }

    /// `off(event, ref?)`: without a ref every binding of the event goes; a `null` ref
    /// removes nothing.
    pub fn off(&self, event: String, ref_: JsValue) -> Result<(), JsValue> {
        let s = self.shared()?;
        if ref_.is_null() {
            return Ok(());
        }
        let r = if ref_.is_undefined() {
            None
        } else {
            match ref_.as_f64() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                    Some(n as u32)
                }
                _ => return Ok(()),
            }
        };
        s.engine.borrow_mut().channel_off(self.key, &event, r);
        Ok(())
    }

    /// `onClose(callback)`: returns undefined, as phoenix.js does.
    #[wasm_bindgen(js_name = onClose)]
    pub fn on_close(&self, callback: Function) -> Result<(), JsValue> {
        self.on("phx_close".into(), callback).map(|_| ())
    }

    /// `onError(callback)`: the callback gets only the reason.
    #[wasm_bindgen(js_name = onError)]
    pub fn on_error(&self, callback: Function) -> Result<u32, JsValue> {
        let s = self.shared()?;
        let r = s.engine.borrow_mut().channel_on(
            self.key,
            "phx_error",
            BindingCallback::PayloadOnly(callback),
        );
        r.ok_or_else(gone)
    }

    /// The `onMessage(event, payload, ref, joinRef)` hook: identity by default.
    #[wasm_bindgen(getter = onMessage)]
    pub fn on_message(&self) -> JsValue {
        let hook = self.socket.upgrade().and_then(|s| {
            let d = s.driver.borrow();
            d.message_hooks
                .iter()
                .find(|(k, _)| *k == self.key)
                .map(|(_, f)| JsValue::from(f.clone()))
        });
        hook.unwrap_or_else(|| IDENTITY.with(|f| f.clone()))
    }

    /// Overriding `onMessage`: every event of the channel is passed through it.
    #[wasm_bindgen(setter = onMessage)]
    pub fn set_on_message(&self, hook: JsValue) -> Result<(), JsValue> {
        let s = self.shared()?;
        let mut d = s.driver.borrow_mut();
        d.message_hooks.retain(|(k, _)| *k != self.key);
        let set = match hook.dyn_into::<Function>() {
            Ok(f) => {
                d.message_hooks.push((self.key, f));
                true
            }
            Err(_) => false,
        };
        drop(d);
        s.engine
            .borrow_mut()
            .channel_set_message_hook(self.key, set);
        Ok(())
    }

    /// `trigger(event, payload, ref, joinRef)`.
    pub fn trigger(
        &self,
        event: String,
        payload: JsValue,
        ref_: JsValue,
        join_ref: JsValue,
    ) -> Result<(), JsValue> {
        let s = self.shared()?;
        s.engine.borrow_mut().channel_trigger(
            self.key,
            &event,
            payload,
            ref_.as_string(),
            join_ref.as_string(),
        );
        s.drain()
    }

    /// `channel.state`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.status().map_or("closed", |s| s.as_str()).into()
    }

    #[wasm_bindgen(getter)]
    pub fn topic(&self) -> String {
        self.topic.clone()
    }

    /// `joinRef()`: undefined before the first join, null after a reset.
    #[wasm_bindgen(js_name = joinRef)]
    pub fn join_ref(&self) -> JsValue {
        let r = self.socket.upgrade().map_or(PushRef::Undefined, |s| {
            s.engine.borrow().channel_join_ref(self.key)
        });
        match r {
            PushRef::Undefined => JsValue::UNDEFINED,
            PushRef::Null => JsValue::NULL,
            // From the JS-string cache: `Presence` compares `channel.joinRef()` on every
            // diff, and a fresh string would go through `TextDecoder` each time.
            PushRef::Set(r) => crate::web::intern::js_str(r.write(&mut [0u8; 20])),
        }
    }

    #[wasm_bindgen(getter, js_name = joinPush)]
    pub fn join_push(&self) -> Result<JsValue, JsValue> {
        let s = self.shared()?;
        Ok(self.join_push_object(&s))
    }

    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> f64 {
        self.socket
            .upgrade()
            .and_then(|s| s.engine.borrow().channel_timeout(self.key))
            .unwrap_or(0.0)
    }

    #[wasm_bindgen(getter, js_name = joinedOnce)]
    pub fn joined_once(&self) -> bool {
        self.socket
            .upgrade()
            .is_some_and(|s| s.engine.borrow().channel_join_ref(self.key) != PushRef::Undefined)
    }

    #[wasm_bindgen(js_name = canPush)]
    pub fn can_push(&self) -> bool {
        self.socket
            .upgrade()
            .is_some_and(|s| s.engine.borrow().channel_can_push(self.key))
    }

    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.status() == Some(ChannelStatus::Closed)
    }

    #[wasm_bindgen(js_name = isErrored)]
    pub fn is_errored(&self) -> bool {
        self.status() == Some(ChannelStatus::Errored)
    }

    #[wasm_bindgen(js_name = isJoined)]
    pub fn is_joined(&self) -> bool {
        self.status() == Some(ChannelStatus::Joined)
    }

    #[wasm_bindgen(js_name = isJoining)]
    pub fn is_joining(&self) -> bool {
        self.status() == Some(ChannelStatus::Joining)
    }

    #[wasm_bindgen(js_name = isLeaving)]
    pub fn is_leaving(&self) -> bool {
        self.status() == Some(ChannelStatus::Leaving)
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Some(s) = self.socket.upgrade() {
            match s.engine.try_borrow_mut() {
                Ok(mut e) => e.release_channel(self.key),
                Err(_) => s
                    .driver
                    .borrow_mut()
                    .pending_release
                    .push(Release::Channel(self.key)),
            }
        }
    }
}
