//! The LongPoll transport (spec §7): HTTP long polling behind the WebSocket interface the
//! socket driver uses (`readyState`, `send`, `close`, the four `on*` handlers, `timeout`,
//! `binaryType`, `skipHeartbeat`), with phoenix.js 1.8.16's behaviour:
//!
//! - the first poll runs in a macrotask (`setTimeout(0)`), so the creator can set the
//!   handlers and `timeout`, or close it, first;
//! - the JSON `status` of each poll answer drives the loop (see [`PollAction`]);
//! - every delivered message runs `onmessage({data})` in its own `setTimeout(0)` macrotask,
//!   as a WebSocket delivers each frame in its own event;
//! - sends of one tick go out as one `application/x-ndjson` POST of at most
//!   [`MAX_LONGPOLL_BATCH_SIZE`] lines; batches go one at a time, in order;
//! - any failure closes the instance and reports it; the socket reconnects with a new one.
//!
//! The HTTP requests go through XMLHttpRequest when the host has it, else `fetch` with an
//! `AbortController` (spec §7.5 `Ajax.request`), looked up on every request as phoenix.js
//! does. `XDomainRequest` (IE 8/9, which cannot run WebAssembly) is not supported. That
//! host plumbing is a few lines of JS (`AJAX_JS` below): the same calls made through
//! wasm-bindgen imports cost several KB of wasm. The state machine stays here.
//!
//! # Lifetimes
//!
//! The instance owns one closure; every callback the host holds (timers, request
//! completions) is that closure bound to an event kind and a request id. Each request
//! calls back exactly once, unless it is aborted: the snippet's abort disowns it first, so
//! an aborted request never calls back (and `stop` releases it). While any callback may still run, the instance holds a strong reference to
//! itself (`keepalive`), so it outlives a caller that dropped it, as a JS object referenced
//! by its pending callbacks would; when the last one has run or been cancelled, it lets go.
//!
//! # Deliberate differences from phoenix.js
//!
//! - A 200 answer whose `messages` is not an array delivers nothing and polls again
//!   (phoenix.js throws a `TypeError` and stops polling).
//! - Handlers that are not functions (the socket sets them to `null` when it lets a
//!   transport go) are skipped instead of throwing `TypeError`.
//! - Handlers run with `this` undefined rather than the transport.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The pure protocol parts, compiled natively too (tested in tests/longpoll_logic.rs).
use crate::core::longpoll as logic;

pub use logic::{
    base64_encode, poll_action, PollAction, AUTH_TOKEN_PREFIX, MAX_LONGPOLL_BATCH_SIZE,
};
use logic::{batch_slice, CLOSED, CONNECTING, OPEN};

/// phoenix.js's `Ajax` (spec §7.5) without `XDomainRequest`, calling back exactly once:
/// `done(resp)` with the parsed JSON body (or `null`), or `timedOut()`; the first of an
/// XHR's `readystatechange(4)` / `error` / `timeout` wins, as in phoenix.js where the
/// request is no longer owned after its first callback.
#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// `Ajax.request`; returns the request to abort (an XHR, an AbortController or null).
    #[wasm_bindgen(catch)]
    #[allow(clippy::too_many_arguments)]
    fn request(
        method: &str,
        url: &str,
        headers: &JsValue,
        body: &JsValue,
        timeout: &JsValue,
        done: &Function,
        timed_out: &Function,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn abort(req: &JsValue) -> Result<(), JsValue>;
    /// `new CloseEvent("close", {code, reason, wasClean})` with `emitClose`'s defaults, or
    /// the plain object when the host has no `CloseEvent`.
    #[wasm_bindgen(catch, js_name = closeEvent)]
    fn close_event(
        code: &JsValue,
        reason: &JsValue,
        was_clean: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = messageEvent)]
    fn message_event(data: &JsValue) -> JsValue;
    /// `normalizeEndpoint(endPoint)` (spec §7.1): the first `ws://` → `http://`, the first
    /// `wss://` → `https://`, and the greedy `/(.*)\/websocket/` turns the last
    /// `/websocket` (of the first line that has one) into `/longpoll`; params and `vsn`
    /// stay. The host's regex makes it exact by construction.
    #[wasm_bindgen(js_name = normalizeEndpoint)]
    pub fn normalize_endpoint(end_point: &str) -> String;
    fn unhandled(status: &JsValue) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    // Looked up on every call, as phoenix.js does, so fake timers work.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(catch)]
    fn atob(s: &str) -> Result<JsValue, JsValue>;
    /// A function to bind arguments to.
    type Bindable;
    /// `f.bind(null, kind, id)`.
    #[wasm_bindgen(method, js_name = bind)]
    fn bind_event(this: &Bindable, ctx: &JsValue, kind: u32, id: u32) -> Function;
}

thread_local! {
    /// The handlers' initial value: phoenix.js's `function(){}`.
    static NOOP: JsValue = Closure::<dyn Fn()>::new(|| {}).into_js_value();
}

// Event kinds of the one closure.
const EV_FIRST_POLL: u32 = 0;
const EV_DELIVER: u32 = 1;
const EV_BATCH: u32 = 2;
const EV_DONE: u32 = 3;
const EV_TIMED_OUT: u32 = 4;

// Handler slots.
const ON_OPEN: usize = 0;
const ON_ERROR: usize = 1;
const ON_MESSAGE: usize = 2;
const ON_CLOSE: usize = 3;

type Events = Closure<dyn FnMut(u32, u32, JsValue) -> Result<(), JsValue>>;

/// What a request is for, and what its answer continues.
enum Purpose {
    Poll,
    /// A POST of `messages[offset..next]`.
    Batch {
        messages: Array,
        next: usize,
    },
}

/// A request the transport still owns (phoenix.js's `reqs` entries): its callback is
/// ignored once it is no longer here.
struct Req {
    id: u32,
    purpose: Purpose,
    /// What `abort()` stops (`null` while it starts, or for a fetch without timeout).
    handle: JsValue,
}

struct State {
    ready_state: u8,
    poll_endpoint: String,
    /// `authToken`: `undefined` unless the protocols carried one.
    auth_token: JsValue,
    /// The session token of the last poll answer (`null` before the first).
    token: JsValue,
    timeout: JsValue,
    handlers: [JsValue; 4],
    reqs: Vec<Req>,
    next_id: u32,
    /// Delivered messages waiting for their macrotask, with the timer ids.
    queued: VecDeque<(JsValue, JsValue)>,
    current_batch: Option<Array>,
    batch_timer: Option<JsValue>,
    batch_buffer: Option<Array>,
    awaiting_batch_ack: bool,
    /// Host callbacks that may still run: timers armed, requests not yet called back.
    outstanding: u32,
}

/// The transport. The JS class `LongPoll` (`src/js/longpoll.rs`) wraps an `Rc` of it.
pub struct LongPoll {
    state: RefCell<State>,
    events: Events,
    /// The bound functions reused for every timer of their kind.
    deliver_fn: Function,
    batch_fn: Function,
    keepalive: RefCell<Option<Rc<LongPoll>>>,
}

fn key(name: &str) -> JsValue {
    JsValue::from_str(name)
}

/// `obj[name]`, `undefined` for anything that is not an object.
fn get(obj: &JsValue, name: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &key(name)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// `arrayBufferToBase64(body)`: the bytes of `new Uint8Array(body)` as standard base64.
fn binary_line(body: &JsValue) -> Result<JsValue, JsValue> {
    let bytes = match body.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(buf) => js_sys::Uint8Array::new(buf),
        None => {
            let ctor: Function = Reflect::get(&js_sys::global(), &key("Uint8Array"))?.dyn_into()?;
            Reflect::construct(&ctor, &Array::of1(body))?.unchecked_into()
        }
    };
    Ok(JsValue::from_str(&base64_encode(&bytes.to_vec())))
}

impl LongPoll {
    /// `new LongPoll(endPoint, protocols)` (spec §7.1): normalises the endpoint, takes the
    /// authToken from the protocols and defers the first poll to a macrotask.
    pub fn new(end_point: &str, protocols: &JsValue) -> Result<Rc<LongPoll>, JsValue> {
        let auth_token = auth_token(protocols)?;
        let lp = Self::build(normalize_endpoint(end_point), auth_token, CONNECTING);
        lp.hold(1);
        set_timeout(&lp.bound(EV_FIRST_POLL, 0), 0);
        Ok(lp)
    }

    /// A closed instance that never polls (to read the class constructor from).
    pub fn dormant() -> Rc<LongPoll> {
        Self::build(String::new(), JsValue::UNDEFINED, CLOSED)
    }

    fn build(poll_endpoint: String, auth_token: JsValue, ready_state: u8) -> Rc<LongPoll> {
        let noop = NOOP.with(Clone::clone);
        Rc::new_cyclic(|me: &Weak<LongPoll>| {
            let me = me.clone();
            let events: Events =
                Closure::new(
                    move |kind: u32, id: u32, value: JsValue| match me.upgrade() {
                        Some(lp) => lp.on_event(kind, id, value),
                        None => Ok(()),
                    },
                );
            let f: &Bindable = events.as_ref().unchecked_ref();
            let bind = |kind| f.bind_event(&JsValue::NULL, kind, 0);
            LongPoll {
                deliver_fn: bind(EV_DELIVER),
                batch_fn: bind(EV_BATCH),
                events,
                state: RefCell::new(State {
                    ready_state,
                    poll_endpoint,
                    auth_token,
                    token: JsValue::NULL,
                    timeout: JsValue::UNDEFINED,
                    handlers: [noop.clone(), noop.clone(), noop.clone(), noop],
                    reqs: Vec::new(),
                    next_id: 0,
                    queued: VecDeque::new(),
                    current_batch: None,
                    batch_timer: None,
                    batch_buffer: None,
                    awaiting_batch_ack: false,
                    outstanding: 0,
                }),
                keepalive: RefCell::new(None),
            }
        })
    }

    fn bound(&self, kind: u32, id: u32) -> Function {
        let f: &Bindable = self.events.as_ref().unchecked_ref();
        f.bind_event(&JsValue::NULL, kind, id)
    }

    /// `n` more host callbacks may run: keep the instance alive until they have.
    fn hold(self: &Rc<Self>, n: u32) {
        self.state.borrow_mut().outstanding += n;
        let mut keep = self.keepalive.borrow_mut();
        if keep.is_none() {
            *keep = Some(self.clone());
        }
    }

    /// `n` host callbacks ran or were cancelled.
    fn release(&self, n: u32) {
        let mut s = self.state.borrow_mut();
        s.outstanding = s.outstanding.saturating_sub(n);
        let idle = s.outstanding == 0;
        drop(s);
        if idle {
            // Dropped after the borrow ends; our caller holds another reference.
            let old = self.keepalive.borrow_mut().take();
            drop(old);
        }
    }

    // ---- properties -------------------------------------------------------------------

    pub fn ready_state(&self) -> u8 {
        self.state.borrow().ready_state
    }
    pub fn timeout(&self) -> JsValue {
        self.state.borrow().timeout.clone()
    }
    pub fn set_timeout_value(&self, v: JsValue) {
        self.state.borrow_mut().timeout = v;
    }
    /// Handler `slot`: 0 onopen, 1 onerror, 2 onmessage, 3 onclose.
    pub fn handler(&self, slot: usize) -> JsValue {
        let s = self.state.borrow();
        s.handlers.get(slot).cloned().unwrap_or(JsValue::UNDEFINED)
    }
    pub fn set_handler(&self, slot: usize, f: JsValue) {
        if let Some(h) = self.state.borrow_mut().handlers.get_mut(slot) {
            *h = f;
        }
    }
    pub const ON_OPEN: usize = ON_OPEN;
    pub const ON_ERROR: usize = ON_ERROR;
    pub const ON_MESSAGE: usize = ON_MESSAGE;
    pub const ON_CLOSE: usize = ON_CLOSE;

    fn is_active(&self) -> bool {
        matches!(self.state.borrow().ready_state, OPEN | CONNECTING)
    }

    /// Calls a handler with no borrow held; its exception comes back as the error.
    fn emit(&self, slot: usize, arg: &JsValue) -> Result<(), JsValue> {
        let h = self.handler(slot);
        match h.dyn_ref::<Function>() {
            Some(f) => f.call1(&JsValue::UNDEFINED, arg).map(|_| ()),
            None => Ok(()),
        }
    }

    /// `endpointURL()`: the poll endpoint with `token` appended (spec §7.1), including
    /// 1.8.16's trailing `&` while the token is still `null`.
    pub fn endpoint_url(&self) -> String {
        let s = self.state.borrow();
        let params = Object::new();
        let _ = Reflect::set(&params, &key("token"), &s.token);
        super::url::append_params(&s.poll_endpoint, &params)
    }

    // ---- closing ----------------------------------------------------------------------

    /// `close(code, reason, wasClean)`: stop for good, then emit the close.
    pub fn close(&self, code: JsValue, reason: JsValue, was_clean: JsValue) -> Result<(), JsValue> {
        self.stop(CLOSED);
        self.emit(ON_CLOSE, &close_event(&code, &reason, &was_clean)?)
    }

    /// `closeAndRetry(error, code, reason, wasClean)` (1.8.16): stop as `connecting`,
    /// report the error, then the close unless the error handler closed us.
    pub fn close_and_retry(
        &self,
        err: JsValue,
        code: JsValue,
        reason: JsValue,
        was_clean: JsValue,
    ) -> Result<(), JsValue> {
        if !self.is_active() {
            return Ok(());
        }
        self.stop(CONNECTING);
        self.emit(ON_ERROR, &err)?;
        if self.is_active() {
            self.emit(ON_CLOSE, &close_event(&code, &reason, &was_clean)?)?;
        }
        Ok(())
    }

    fn retry(&self, err: JsValue, code: u16, reason: &str) -> Result<(), JsValue> {
        self.close_and_retry(err, code.into(), reason.into(), JsValue::FALSE)
    }

    /// `ontimeout()`: a request timed out on our side.
    pub fn ontimeout(&self) -> Result<(), JsValue> {
        self.retry("timeout".into(), 1005, "timeout")
    }

    /// `stop(readyState)` (1.8.16): set the state, disown and abort the requests, cancel
    /// the queued messages and drop the batches.
    fn stop(&self, ready_state: u8) {
        let (reqs, queued, batch_timer) = {
            let mut s = self.state.borrow_mut();
            s.ready_state = ready_state;
            s.batch_buffer = None;
            s.awaiting_batch_ack = false;
            s.current_batch = None;
            (
                std::mem::take(&mut s.reqs),
                std::mem::take(&mut s.queued),
                s.batch_timer.take(),
            )
        };
        // Aborting a request disowns it in the snippet first, so it never calls back (an
        // aborted XHR would otherwise call back synchronously, re-entering this transport
        // while it stops, e.g. from disconnect() inside a callback): release it here.
        let mut released = 0;
        for req in reqs {
            if req.handle.is_object() && abort(&req.handle).is_ok() {
                released += 1;
            }
        }
        released += queued.len() as u32;
        for (timer, _) in &queued {
            clear_timeout(timer);
        }
        if let Some(t) = batch_timer {
            clear_timeout(&t);
            released += 1;
        }
        drop(queued);
        self.release(released);
    }

    // ---- polling ----------------------------------------------------------------------

    /// `poll()`: one GET, unless the transport is no longer active.
    pub fn poll(self: &Rc<Self>) -> Result<(), JsValue> {
        let auth = {
            let s = self.state.borrow();
            if !matches!(s.ready_state, OPEN | CONNECTING) {
                return Ok(());
            }
            s.auth_token.clone()
        };
        let headers = Object::new();
        let _ = Reflect::set(&headers, &key("Accept"), &key("application/json"));
        if auth.is_truthy() {
            let _ = Reflect::set(&headers, &key("X-Phoenix-AuthToken"), &auth);
        }
        self.ajax("GET", &headers, &JsValue::NULL, Purpose::Poll)
    }

    fn on_poll(self: &Rc<Self>, resp: JsValue) -> Result<(), JsValue> {
        let answered = resp.is_truthy();
        let status = get(&resp, "status");
        let had_token = !self.state.borrow().token.is_null();
        let action = poll_action(answered, status.as_f64(), had_token);
        if action == PollAction::SessionGone {
            return self.retry(410.into(), 3410, "session_gone");
        }
        if answered {
            self.state.borrow_mut().token = get(&resp, "token");
        }
        match action {
            PollAction::Deliver => {
                let messages = get(&resp, "messages");
                if Array::is_array(&messages) {
                    self.queue(messages.unchecked_ref());
                }
                self.poll()
            }
            PollAction::Poll => self.poll(),
            PollAction::Open => {
                self.state.borrow_mut().ready_state = OPEN;
                self.emit(ON_OPEN, &Object::new())?;
                self.poll()
            }
            PollAction::Forbidden => {
                self.emit(ON_ERROR, &403.into())?;
                self.close(1008.into(), "forbidden".into(), JsValue::FALSE)
            }
            PollAction::Retry => self.retry(500.into(), 1011, "internal server error"),
            PollAction::SessionGone => Ok(()),
            PollAction::Unhandled => Err(unhandled(&status)),
        }
    }

    /// One `setTimeout(0)` per message; each delivers the oldest queued message.
    fn queue(self: &Rc<Self>, messages: &Array) {
        let n = messages.length();
        if n == 0 {
            return;
        }
        self.hold(n);
        self.state.borrow_mut().queued.reserve(n as usize);
        for msg in messages.iter() {
            let timer = set_timeout(&self.deliver_fn, 0);
            self.state.borrow_mut().queued.push_back((timer, msg));
        }
    }

    fn deliver(&self) -> Result<(), JsValue> {
        let next = self.state.borrow_mut().queued.pop_front();
        let Some((_, data)) = next else {
            return Ok(());
        };
        self.release(1);
        self.emit(ON_MESSAGE, &message_event(&data))
    }

    // ---- sending ----------------------------------------------------------------------

    /// `send(body)`: strings as they are, anything else as the base64 of its bytes; sends of
    /// one tick coalesce into one batch, sends while a batch awaits its ack wait for it.
    pub fn send(self: &Rc<Self>, body: &JsValue) -> Result<(), JsValue> {
        let line = if body.is_string() {
            body.clone()
        } else {
            binary_line(body)?
        };
        let mut s = self.state.borrow_mut();
        if let Some(batch) = &s.current_batch {
            batch.push(&line);
        } else if s.awaiting_batch_ack {
            s.batch_buffer.get_or_insert_with(Array::new).push(&line);
        } else {
            s.current_batch = Some(Array::of1(&line));
            drop(s);
            self.hold(1);
            let timer = set_timeout(&self.batch_fn, 0);
            self.state.borrow_mut().batch_timer = Some(timer);
        }
        Ok(())
    }

    fn batch_timer_fired(self: &Rc<Self>) -> Result<(), JsValue> {
        let batch = {
            let mut s = self.state.borrow_mut();
            s.batch_timer = None;
            s.current_batch.take()
        };
        self.release(1);
        match batch {
            Some(batch) => self.batch_send(batch, 0),
            None => Ok(()),
        }
    }

    /// `batchSend(messages, offset)`: POST the next at most 100 lines as ndjson.
    fn batch_send(self: &Rc<Self>, messages: Array, offset: usize) -> Result<(), JsValue> {
        self.state.borrow_mut().awaiting_batch_ack = true;
        let (start, end, _) = batch_slice(messages.length() as usize, offset);
        let body: JsValue = messages.slice(start as u32, end as u32).join("\n").into();
        let headers = Object::new();
        let _ = Reflect::set(&headers, &key("Content-Type"), &key("application/x-ndjson"));
        let purpose = Purpose::Batch {
            messages,
            next: offset.saturating_add(MAX_LONGPOLL_BATCH_SIZE),
        };
        self.ajax("POST", &headers, &body, purpose)
    }

    fn on_ack(self: &Rc<Self>, resp: JsValue, messages: Array, next: usize) -> Result<(), JsValue> {
        let status = get(&resp, "status");
        if !resp.is_truthy() || status.as_f64() != Some(200.0) {
            // `resp && resp.status`
            let err = if resp.is_truthy() { status } else { resp };
            return self.retry(err, 1011, "internal server error");
        }
        if next < messages.length() as usize {
            return self.batch_send(messages, next);
        }
        let buffered = {
            let mut s = self.state.borrow_mut();
            let b = s.batch_buffer.take();
            if b.is_none() {
                s.awaiting_batch_ack = false;
            }
            b
        };
        match buffered {
            Some(buffer) => self.batch_send(buffer, 0),
            None => Ok(()),
        }
    }

    // ---- requests ---------------------------------------------------------------------

    /// `ajax(method, headers, body, …)`: the request is owned before it starts (it may
    /// complete while starting) and its callback is ignored once it is not.
    fn ajax(
        self: &Rc<Self>,
        method: &str,
        headers: &Object,
        body: &JsValue,
        purpose: Purpose,
    ) -> Result<(), JsValue> {
        let url = self.endpoint_url();
        let (id, timeout) = {
            let mut s = self.state.borrow_mut();
            s.next_id = s.next_id.wrapping_add(1);
            let id = s.next_id;
            s.reqs.push(Req {
                id,
                purpose,
                handle: JsValue::NULL,
            });
            (id, s.timeout.clone())
        };
        self.hold(1);
        let started = request(
            method,
            &url,
            headers,
            body,
            &timeout,
            &self.bound(EV_DONE, id),
            &self.bound(EV_TIMED_OUT, id),
        );
        match started {
            Ok(handle) => {
                let mut s = self.state.borrow_mut();
                if let Some(req) = s.reqs.iter_mut().find(|r| r.id == id) {
                    req.handle = handle;
                } else {
                    // No longer owned: `request` never calls back synchronously, so it was
                    // stopped while starting. Aborting it is enough; its keepalive share is
                    // left held rather than risk releasing one twice.
                    drop(s);
                    let _ = abort(&handle);
                }
                Ok(())
            }
            Err(e) => {
                // It threw before it could call back.
                self.state.borrow_mut().reqs.retain(|r| r.id != id);
                self.release(1);
                Err(e)
            }
        }
    }

    /// Every host callback lands here.
    fn on_event(self: &Rc<Self>, kind: u32, id: u32, value: JsValue) -> Result<(), JsValue> {
        match kind {
            EV_FIRST_POLL => {
                self.release(1);
                self.poll()
            }
            EV_DELIVER => self.deliver(),
            EV_BATCH => self.batch_timer_fired(),
            _ => {
                self.release(1);
                let owned = {
                    let mut s = self.state.borrow_mut();
                    let at = s.reqs.iter().position(|r| r.id == id);
                    at.map(|at| s.reqs.swap_remove(at))
                };
                match (owned, kind) {
                    (None, _) => Ok(()),
                    (Some(_), EV_TIMED_OUT) => self.ontimeout(),
                    (Some(req), _) => match req.purpose {
                        Purpose::Poll => self.on_poll(value),
                        Purpose::Batch { messages, next } => self.on_ack(value, messages, next),
                    },
                }
            }
        }
    }
}

/// The authToken of `["phoenix", "base64url.bearer.phx.<b64>"]` (spec §2.5): `atob` of the
/// rest; `undefined` for other protocols. A malformed base64 throws, as in phoenix.js.
fn auth_token(protocols: &JsValue) -> Result<JsValue, JsValue> {
    if get(protocols, "length").as_f64() != Some(2.0) {
        return Ok(JsValue::UNDEFINED);
    }
    let second = Reflect::get(protocols, &JsValue::from(1)).unwrap_or(JsValue::UNDEFINED);
    match second.as_string() {
        Some(s) if s.starts_with(AUTH_TOKEN_PREFIX) => {
            atob(s.get(AUTH_TOKEN_PREFIX.len()..).unwrap_or(""))
        }
        _ => Ok(JsValue::UNDEFINED),
    }
}
