//! `Channel` (spec §3): the JS class over the engine's channel state.
//!
//! A channel object holds only a weak reference to its socket: a connected socket keeps
//! itself alive, and a channel alone does not keep an idle socket (and its other channels)
//! from being collected.

use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::core::channel::ChannelStatus;
use crate::core::effect::{BindingCallback, ChannelKey};
use crate::core::push::PushRef;

use super::push;
use super::socket::{Release, Shared};

thread_local! {
    /// The default `onMessage`: `(event, payload) => payload`.
    static IDENTITY: JsValue = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_e, p| p).into_js_value();
}

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// Defines `join`, `leave`, `push` and the `joinPush` getter on `Channel.prototype`:
    /// they make the JS `Push` (see `super::push`).
    #[wasm_bindgen(js_name = installChannelMethods)]
    fn install_channel_methods(channel: &JsValue);
}

thread_local! {
    static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`install_channel_methods`], once per module instance, before any channel exists (the
/// first `Socket` calls it): on a probe object, since only an instance leads to the class's
/// prototype.
pub(crate) fn install_methods() {
    if INSTALLED.with(|done| done.replace(true)) {
        return;
    }
    let probe: JsValue = Channel {
        socket: Weak::new(),
        key: ChannelKey::DANGLING,
        topic: String::new(),
    }
    .into();
    install_channel_methods(&probe);
}

/// phoenix.js's `Channel`.
#[wasm_bindgen]
pub struct Channel {
    socket: Weak<Shared>,
    pub(crate) key: ChannelKey,
    topic: String,
}

fn gone() -> JsValue {
    js_sys::Error::new("the channel's socket is gone").into()
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A timeout from the JS methods, already a finite number ≥ 0 or -1 (`timeoutArg` in
/// `src/web/host.js`): `None` means the channel's.
fn timeout_of(timeout: f64) -> Option<f64> {
    (timeout >= 0.0).then_some(timeout)
}

impl Channel {
    pub(crate) fn new(shared: &Rc<Shared>, key: ChannelKey, topic: String) -> Channel {
        Channel {
            socket: Rc::downgrade(shared),
            key,
            topic,
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

    /// `f` on the engine's push of a JS `Push`, then a drain: false (and nothing done) once
    /// the engine freed it.
    fn on_live_push(
        &self,
        index: u32,
        generation: u32,
        f: impl FnOnce(&mut super::socket::Engine, crate::core::effect::PushKey),
    ) -> Result<bool, JsValue> {
        let s = self.shared()?;
        let k = push::key(index, generation);
        if !s.engine.borrow().has_push(k) {
            return Ok(false);
        }
        f(&mut s.engine.borrow_mut(), k);
        s.drain()?;
        Ok(true)
    }

    /// Whether the socket was made with `awaitablePushes` (a JS `Push` learns it when made).
    fn awaitable(s: &Shared) -> bool {
        s.driver.borrow().opts.awaitable_pushes
    }
}

#[wasm_bindgen]
impl Channel {
    /// `new Channel(topic, params, socket)` (spec §3.1): a channel of `socket` that is not
    /// in `socket.channels`. As in phoenix.js it can join and push, but the socket routes
    /// no message to it (`socket.channel(topic, params)` is the normal route).
    #[wasm_bindgen(constructor)]
    pub fn construct(topic: String, params: JsValue, socket: &super::socket::Socket) -> Channel {
        let params = if params.is_truthy() {
            params
        } else {
            js_sys::Object::new().into()
        };
        let shared = &socket.shared;
        let key = shared.engine.borrow_mut().new_channel(&topic, params);
        Channel::new(shared, key, topic)
    }

    // `join`, `leave`, `push` and the `joinPush` getter are JS (`installChannelMethods` in
    // `src/web/host.js`): they make the JS `Push` and call these.

    /// `join(timeout?)`: throws if called twice; the JS side returns the join push.
    #[wasm_bindgen(js_name = __join, skip_typescript)]
    pub fn join_(&self, timeout: f64) -> Result<(), JsValue> {
        let s = self.shared()?;
        let r = s
            .engine
            .borrow_mut()
            .channel_join(self.key, now(), timeout_of(timeout));
        match r {
            Ok(_) => s.drain(),
            Err(e) => Err(js_sys::Error::new(&e.message()).into()),
        }
    }

    /// Makes `push` (a JS `Push`, once per channel) the owner of the join push; returns
    /// whether pushes are awaitable.
    #[wasm_bindgen(js_name = __joinOwn, skip_typescript)]
    pub fn join_own(&self, push: JsValue) -> Result<bool, JsValue> {
        let s = self.shared()?;
        push::own_join(&s, self.key, &push);
        s.drain()?;
        Ok(Self::awaitable(&s))
    }

    /// `leave(timeout?)` into the JS `push`: closes the channel at once (spec §3.2 quirk);
    /// the push has already received `ok` when the channel could not push.
    #[wasm_bindgen(js_name = __leave, skip_typescript)]
    pub fn leave_(&self, timeout: f64, push: JsValue) -> Result<bool, JsValue> {
        let s = self.shared()?;
        let key = s
            .engine
            .borrow_mut()
            .channel_leave(self.key, now(), timeout_of(timeout));
        if let Some(k) = key {
            push::own(&s, k, push);
        }
        s.drain()?;
        Ok(Self::awaitable(&s))
    }

    /// `push(event, payload, timeout?)` into the JS `push` (whose payload is already
    /// `payload || {}`): throws before the channel was joined. The JS side passes the
    /// timeout as [`timeout_of`] takes it and the clock, so the per-push path reads neither
    /// through a host call.
    #[wasm_bindgen(js_name = __push, skip_typescript)]
    pub fn push_(
        &self,
        event: String,
        payload: JsValue,
        timeout: f64,
        push: JsValue,
        now: f64,
    ) -> Result<bool, JsValue> {
        let s = self.shared()?;
        let r =
            s.engine
                .borrow_mut()
                .channel_push(self.key, now, event, payload, timeout_of(timeout));
        match r {
            Ok(k) => {
                push::own(&s, k, push);
                s.drain()?;
                Ok(Self::awaitable(&s))
            }
            Err(e) => Err(js_sys::Error::new(&e.message()).into()),
        }
    }

    /// `push.send()` while the engine has the push; false once it was freed.
    #[wasm_bindgen(js_name = __pushSend, skip_typescript)]
    pub fn push_send(&self, index: u32, generation: u32) -> Result<bool, JsValue> {
        self.on_live_push(index, generation, |e, k| e.push_send(k, now()))
    }

    /// `push.resend(timeout)` while the engine has the push; false once it was freed.
    #[wasm_bindgen(js_name = __pushResend, skip_typescript)]
    pub fn push_resend(&self, index: u32, generation: u32, timeout: f64) -> Result<bool, JsValue> {
        self.on_live_push(index, generation, |e, k| e.push_resend(k, now(), timeout))
    }

    /// `send()`/`resend()` of a push the engine freed: the JS `push` in flight again.
    #[wasm_bindgen(js_name = __pushRevive, skip_typescript)]
    pub fn push_revive(
        &self,
        event: String,
        payload: JsValue,
        timeout: f64,
        push: JsValue,
    ) -> Result<(), JsValue> {
        let s = self.shared()?;
        let key = s.engine.borrow_mut().push_revive(
            self.key,
            now(),
            event,
            payload,
            timeout,
            push.clone(),
        );
        if let Some(k) = key {
            push::set_key(&push, k);
        }
        s.drain()
    }

    /// The push's `[ref, sent, timeout, receivedResp]` while the engine has it, else
    /// `undefined` (the JS `Push` then answers from the last reply it was told of).
    #[wasm_bindgen(js_name = __pushState, skip_typescript)]
    pub fn push_state(&self, index: u32, generation: u32) -> JsValue {
        let Some(s) = self.socket.upgrade() else {
            return JsValue::UNDEFINED;
        };
        let k = push::key(index, generation);
        let engine = s.engine.borrow();
        let Some(timeout) = engine.push_timeout(k) else {
            return JsValue::UNDEFINED;
        };
        let ref_ = match engine.push_ref(k) {
            PushRef::Undefined => JsValue::UNDEFINED,
            PushRef::Null => JsValue::NULL,
            PushRef::Set(r) => JsValue::from_str(&r.to_js_string()),
        };
        let received = match engine.push_received(k) {
            None => JsValue::NULL,
            Some(r) => {
                let status = r
                    .status
                    .map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s));
                push::resp(&status, &r.response)
            }
        };
        js_sys::Array::of4(
            &ref_,
            &JsValue::from_bool(engine.push_sent(k)),
            &JsValue::from_f64(timeout),
            &received,
        )
        .into()
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
