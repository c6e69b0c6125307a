//! `Socket` (spec §2): the wasm-bindgen class, and the driver that carries out the
//! engine's effects in the browser.
//!
//! Re-entrancy (ARCHITECTURE.md principle 2): every entry point borrows the engine only to
//! call it, then [`Shared::drain`] takes effects one by one with no borrow held while user
//! code runs. A callback that calls back into the socket finds `draining` set and leaves
//! the effects it caused to the loop already running, so callbacks run in order.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::effect::{BindingCallback, Callback, ChannelKey, ConnId, Effect};
use crate::core::message::{Message, Outgoing, Ref};
use crate::core::payload::Payload;
use crate::core::socket::SocketOptions;
use crate::web::serializer::outgoing_object;
use crate::web::timer::Timer;
use crate::web::transport::{self, Handlers, Transport};
use crate::web::{decode_message, decode_parsed, encode_binary, send_text, url};

use super::channel::Channel;
use super::options::{schedule, Options};
use super::router::EngineCell;

pub(crate) type Engine = crate::core::Socket<JsValue, Function>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log2(a: &JsValue, b: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log1(a: &JsValue);
    #[wasm_bindgen(catch)]
    fn btoa(s: &str) -> Result<String, JsValue>;
}

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// `${topic} ${event} (${join_ref}, ${ref})` of a `socket.push(data)` argument.
    #[wasm_bindgen(js_name = pushLogLine)]
    fn push_log_line(data: &JsValue) -> String;
}

/// The socket's state shared by the JS objects and the closures of its transports.
pub(crate) struct Shared {
    /// The engine, and the broadcast router that is valid while the engine does not change.
    pub(crate) engine: EngineCell,
    pub(crate) driver: RefCell<Driver>,
    draining: Cell<bool>,
    me: Weak<Shared>,
    /// A strong self-reference while a transport or the timer is live, so a connected
    /// socket stays alive without the user holding it (as in phoenix.js). Cleared when idle.
    keepalive: RefCell<Option<Rc<Shared>>>,
}

pub(crate) struct Driver {
    pub(crate) opts: Options,
    transports: Vec<(ConnId, Transport, Function)>,
    timer: Option<Timer>,
    /// The JS `Channel` objects of `socket.channels`, for identity and `onMessage`.
    pub(crate) channels: Vec<(ChannelKey, JsValue)>,
    /// User `onMessage` hooks set on channels.
    pub(crate) message_hooks: Vec<(ChannelKey, Function)>,
    /// Releases requested while the engine was borrowed (from `Drop`).
    pub(crate) pending_release: Vec<Release>,
    /// Page-lifecycle listeners, removed when the socket is dropped.
    lifecycle: Vec<Listener>,
    /// The last params an async `params` function resolved to, for `endPointURL()`.
    resolved_params: Option<JsValue>,
}

/// A page-lifecycle listener: target, event name, and the closure registered there.
type Listener = (JsValue, &'static str, Closure<dyn FnMut(JsValue)>);

pub(crate) enum Release {
    Channel(ChannelKey),
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn error(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

impl Shared {
    pub(crate) fn rc(&self) -> Option<Rc<Shared>> {
        self.me.upgrade()
    }

    /// Carries out every pending effect. Returns the first exception a user callback threw
    /// (the rest still run: a throwing callback must not leave frames unsent).
    pub(crate) fn drain(&self) -> Result<(), JsValue> {
        if self.draining.replace(true) {
            return Ok(());
        }
        let mut first_error: Option<JsValue> = None;
        loop {
            let effect = match self.engine.try_borrow_mut() {
                Ok(mut engine) => engine.poll_effect(),
                Err(_) => None,
            };
            let Some(effect) = effect else { break };
            if let Err(e) = self.run(effect) {
                first_error.get_or_insert(e);
            }
        }
        self.after_drain();
        self.draining.set(false);
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Housekeeping once the queue is empty: forget channel objects that left the socket,
    /// apply deferred releases, re-arm the one timer, keep alive while active.
    fn after_drain(&self) {
        let (Ok(mut engine), Ok(mut driver)) =
            (self.engine.try_borrow_mut(), self.driver.try_borrow_mut())
        else {
            return;
        };
        if driver.channels.len() != engine.channels().len() {
            let live = engine.channels().to_vec();
            driver.channels.retain(|(k, _)| live.contains(k));
        }
        for r in std::mem::take(&mut driver.pending_release) {
            match r {
                Release::Channel(k) => engine.release_channel(k),
            }
        }
        let weak = self.me.clone();
        let active = Timer::arm_slot(&mut driver.timer, engine.poll_timeout(), now, || {
            Timer::new(move || {
                if let Some(shared) = weak.upgrade() {
                    shared.on_timer();
                }
            })
        });
        let active = active || !driver.transports.is_empty();
        drop(driver);
        drop(engine);
        let mut keep = self.keepalive.borrow_mut();
        match (active, keep.is_some()) {
            (true, false) => *keep = self.rc(),
            (false, true) => *keep = None,
            _ => {}
        }
    }

    fn on_timer(&self) {
        if let Ok(mut d) = self.driver.try_borrow_mut() {
            if let Some(t) = d.timer.as_mut() {
                t.fired();
            }
            for (conn, t, _) in &d.transports {
                if let Ok(mut e) = self.engine.try_borrow_mut() {
                    e.set_buffered_amount(*conn, t.buffered_amount());
                }
            }
        }
        // 1.8.13+ reads `pageHidden` from `document.visibilityState` when the reconnect
        // timer fires (spec §2.1), so a socket made in a hidden tab knows it is hidden.
        let hidden = super::lifecycle::page_hidden();
        if let Ok(mut e) = self.engine.try_borrow_mut() {
            e.set_page_hidden(hidden);
            e.handle_timeout(now());
        }
        if let Err(e) = self.drain() {
            rethrow_later(e);
        }
    }

    /// Runs one effect with no engine borrow held.
    fn run(&self, effect: Effect<JsValue, Function>) -> Result<(), JsValue> {
        match effect {
            Effect::Connect { conn } => self.connect_transport(conn),
            Effect::Transmit { conn, message } => self.transmit(conn, message),
            Effect::Close { conn, code, reason } => {
                let d = self.driver.borrow();
                let transport = d
                    .transports
                    .iter()
                    .find(|(c, _, _)| *c == conn)
                    .map(|(_, t, _)| t.object().clone());
                drop(d);
                if let Some(obj) = transport {
                    transport::close(&obj, code, &reason)?;
                }
                Ok(())
            }
            Effect::Log { kind, msg, data } => {
                self.log(&kind, &msg, data.as_ref());
                Ok(())
            }
            Effect::Callback(cb) => self.callback(cb),
            Effect::SwitchToFallback => {
                self.driver.borrow_mut().opts.transport = super::longpoll::class();
                Ok(())
            }
            Effect::RememberFallback => {
                self.store_session(FALLBACK_KEY, "true");
                Ok(())
            }
            Effect::AwaitPayload {
                push,
                ref_,
                pending,
            } => {
                let weak = self.me.clone();
                when_settled(&pending, move |result| {
                    if let Some(s) = weak.upgrade() {
                        if let Ok(mut e) = s.engine.try_borrow_mut() {
                            e.resolve_payload(push, ref_, now(), result);
                        }
                        if let Err(e) = s.drain() {
                            rethrow_later(e);
                        }
                    }
                });
                Ok(())
            }
        }
    }

    /// `getSession(key)`: storage that throws (restricted iframes) reads as absent.
    fn get_session(&self, key: &str) -> bool {
        let storage = self.driver.borrow().opts.session_storage.clone();
        storage_call(&storage, "getItem", &[JsValue::from_str(key)]).is_some_and(|v| v.is_truthy())
    }

    /// `storeSession(key, value)`: a throwing storage is ignored.
    fn store_session(&self, key: &str, value: &str) {
        let storage = self.driver.borrow().opts.session_storage.clone();
        let _ = storage_call(
            &storage,
            "setItem",
            &[JsValue::from_str(key), JsValue::from_str(value)],
        );
    }

    pub(crate) fn log(&self, kind: &str, msg: &str, data: Option<&JsValue>) {
        let d = self.driver.borrow();
        let data = data.cloned().unwrap_or(JsValue::UNDEFINED);
        if let Some(logger) = d.opts.logger.clone() {
            drop(d);
            let _ = logger.call3(
                &JsValue::UNDEFINED,
                &JsValue::from_str(kind),
                &JsValue::from_str(msg),
                &data,
            );
        } else if d.opts.debug {
            let mut line = String::from(kind);
            line.push_str(": ");
            line.push_str(msg);
            console_log2(&JsValue::from_str(&line), &data);
        }
    }

    fn callback(&self, cb: Callback<JsValue, Function>) -> Result<(), JsValue> {
        let u = JsValue::UNDEFINED;
        match cb {
            Callback::Open(f) => f.call0(&u).map(|_| ()),
            Callback::Close { callback, event } => callback.call1(&u, &event).map(|_| ()),
            Callback::Error {
                callback,
                error,
                established_before,
            } => {
                let class = self.driver.borrow().opts.transport.clone();
                callback
                    .call3(&u, &error, &class, &JsValue::from(established_before))
                    .map(|_| ())
            }
            Callback::Message { callback, message } => callback
                .call1(&u, &super::serializer::message_object(&message))
                .map(|_| ()),
            Callback::Dispatch {
                channel,
                event,
                payload,
                ref_,
                ref_undefined,
                join_ref,
                callbacks,
            } => {
                let ref_v = if ref_undefined {
                    JsValue::UNDEFINED
                } else {
                    opt_str(ref_.as_deref())
                };
                let jr_v = opt_str(join_ref.as_deref());
                let d = self.driver.borrow();
                let hook = d
                    .message_hooks
                    .iter()
                    .find(|(k, _)| *k == channel)
                    .map(|(_, f)| f.clone());
                let this = d
                    .channels
                    .iter()
                    .find(|(k, _)| *k == channel)
                    .map(|(_, o)| o.clone())
                    .unwrap_or(u.clone());
                drop(d);
                let handled = match hook {
                    Some(hook) => {
                        let args = Array::of4(
                            &crate::web::intern::js_str(&event),
                            &payload,
                            &ref_v,
                            &jr_v,
                        );
                        let handled = hook.apply(&this, &args)?;
                        if payload.is_truthy() && !handled.is_truthy() {
                            return Err(error("channel onMessage callbacks must return the payload, modified or unmodified"));
                        }
                        handled
                    }
                    None => payload,
                };
                let mut first = Ok(());
                for cb in callbacks {
                    let r = match cb {
                        BindingCallback::Full(f) => f.call3(&u, &handled, &ref_v, &jr_v),
                        BindingCallback::PayloadOnly(f) => f.call1(&u, &handled),
                    };
                    if let Err(e) = r {
                        if first.is_ok() {
                            first = Err(e);
                        }
                    }
                }
                first
            }
            Callback::Receive { callback, response } => callback.call1(&u, &response).map(|_| ()),
            Callback::Settle {
                owner,
                channel,
                status,
                response,
                ref_,
                sent,
                timeout,
            } => {
                // A join push's object is the channel's (see `Socket::own_join_push`).
                let owner = match owner {
                    Some(o) => o,
                    None => {
                        let d = self.driver.borrow();
                        let found = d.channels.iter().find(|(k, _)| *k == channel);
                        match found {
                            Some((_, ch)) => super::push::join_push_of(ch),
                            None => return Ok(()),
                        }
                    }
                };
                // The usual statuses cross as numbers, any other as a string beside.
                let code = crate::web::status_code(status.as_deref());
                let other = match status {
                    Some(s) if code == crate::web::OTHER_STATUS => JsValue::from_str(&s),
                    _ => JsValue::UNDEFINED,
                };
                // Refs stay below 2^53 (spec §2.3): exact as a JS number; -1 for none.
                let ref_ = ref_.map_or(-1.0, |r| r.0 as f64);
                super::push::push_settled(&owner, code, &other, &response, ref_, sent, timeout)
            }
            Callback::Ping { callback, rtt } => {
                callback.call1(&u, &JsValue::from_f64(rtt)).map(|_| ())
            }
            Callback::Done(f) => f.call0(&u).map(|_| ()),
            Callback::Heartbeat {
                callback,
                status,
                latency,
            } => {
                let latency = latency.map_or(JsValue::UNDEFINED, JsValue::from_f64);
                callback
                    .call2(&u, &JsValue::from_str(status.as_str()), &latency)
                    .map(|_| ())
            }
        }
    }

    /// `transportConnect` step 4–6: evaluate params and authToken, build the URL and
    /// protocols, create the transport. When either is a Promise (async `params` or
    /// `authToken`, issue #11) the transport is created once both resolved, if the socket
    /// still wants this connection; a rejection fails the attempt like a transport error
    /// followed by a close, so the reconnect backoff retries it.
    fn connect_transport(&self, conn: ConnId) -> Result<(), JsValue> {
        let d = self.driver.borrow();
        let (params, auth) = (d.opts.params.clone(), d.opts.auth_token.clone());
        drop(d);
        let (params, params_pending) = params.evaluate_pending();
        let (token, token_pending) = match auth.map(|t| t.evaluate_pending()) {
            Some((t, pending)) => (Some(t), pending),
            None => (None, false),
        };
        if !(params_pending || token_pending) {
            return self.open_transport(conn, params, token);
        }
        let strong = self.rc();
        let has_token = token.is_some();
        let both = Array::of2(&params, &token.unwrap_or(JsValue::UNDEFINED));
        when_settled(&Promise::all(&both).into(), move |result| {
            let Some(s) = strong else { return };
            if !s.engine.borrow().connection_pending(conn) {
                return;
            }
            let outcome = match result {
                Ok(values) => {
                    let values = Array::from(&values);
                    let params = values.get(0);
                    s.driver.borrow_mut().resolved_params = Some(params.clone());
                    let token = has_token.then(|| values.get(1));
                    s.open_transport(conn, params, token)
                }
                Err(reason) => {
                    s.log("transport", "params or authToken rejected", Some(&reason));
                    let event = Object::new();
                    set(&event, "code", &JsValue::from_f64(1006.0));
                    set(
                        &event,
                        "reason",
                        &JsValue::from_str("params or authToken rejected"),
                    );
                    set(&event, "wasClean", &JsValue::FALSE);
                    if let Ok(mut e) = s.engine.try_borrow_mut() {
                        e.handle_error(conn, now(), reason);
                        e.handle_close(conn, now(), event.into());
                    }
                    Ok(())
                }
            };
            let drained = s.drain();
            if let Err(e) = outcome.and(drained) {
                rethrow_later(e);
            }
        });
        Ok(())
    }

    /// Creates the transport of `conn` with evaluated params and authToken.
    fn open_transport(
        &self,
        conn: ConnId,
        params: JsValue,
        token: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let d = self.driver.borrow();
        let ctor = d.opts.transport.clone();
        let binary_type = d.opts.binary_type.clone();
        let timeout = d.opts.longpoller_timeout;
        let (end_point, vsn) = (d.opts.end_point.clone(), d.opts.vsn.clone());
        // A custom `decode` may read frames any way it likes: no router then.
        let routed = d.opts.decode.is_none();
        drop(d);
        let attempt = (|| -> Result<Transport, JsValue> {
            let url = url::end_point_url(&end_point, &params, &vsn)?;
            let protocols = match token {
                None => JsValue::UNDEFINED,
                Some(token) => {
                    let token = token
                        .as_string()
                        .ok_or_else(|| error("authToken must be a string"))?;
                    transport::auth_protocols(&btoa(&token)?)
                }
            };
            Transport::open(
                &ctor,
                &url,
                &protocols,
                &binary_type,
                timeout,
                self.handlers(conn),
                routed.then_some((self.engine.router(), conn.0)),
            )
        })();
        match attempt {
            Ok(transport) => {
                self.driver
                    .borrow_mut()
                    .transports
                    .push((conn, transport, ctor));
                Ok(())
            }
            Err(e) => {
                self.engine.borrow_mut().handle_connect_failed(conn);
                Err(e)
            }
        }
    }

    fn handlers(&self, conn: ConnId) -> Handlers {
        let (w1, w2, w3, w4) = (
            self.me.clone(),
            self.me.clone(),
            self.me.clone(),
            self.me.clone(),
        );
        Handlers {
            open: Box::new(move |_| {
                if let Some(s) = w1.upgrade() {
                    s.on_open(conn);
                }
            }),
            error: Box::new(move |e| {
                if let Some(s) = w2.upgrade() {
                    s.on_transport_event(conn, |engine| engine.handle_error(conn, now(), e));
                }
            }),
            message: Box::new(move |e, parsed| {
                if let Some(s) = w3.upgrade() {
                    s.on_message(conn, e, parsed);
                }
            }),
            close: Box::new(move |e| {
                if let Some(s) = w4.upgrade() {
                    s.on_transport_event(conn, |engine| engine.handle_close(conn, now(), e));
                    s.forget_transport(conn);
                }
            }),
        }
    }

    fn on_transport_event(&self, _conn: ConnId, f: impl FnOnce(&mut Engine)) {
        if let Ok(mut engine) = self.engine.try_borrow_mut() {
            f(&mut engine);
        }
        if let Err(e) = self.drain() {
            rethrow_later(e);
        }
    }

    fn on_open(&self, conn: ConnId) {
        let d = self.driver.borrow();
        let found = d
            .transports
            .iter()
            .find(|(c, _, _)| *c == conn)
            .map(|(_, t, ctor)| (t.skip_heartbeat(), ctor.clone()));
        let has_logger = d.opts.logger.is_some() || d.opts.debug;
        drop(d);
        let Some((skip, ctor)) = found else { return };
        let current = self.engine.borrow().current_connection() == Some(conn);
        if has_logger && current {
            let mut msg = transport_name(&ctor);
            msg.push_str(" connected to ");
            let url = self.end_point_url().unwrap_or_default();
            msg.push_str(&url);
            self.log("transport", &msg, None);
        }
        self.on_transport_event(conn, |engine| engine.handle_open(conn, now(), skip));
    }

    /// A frame from `conn`: `parsed` is the frame the router already parsed, or undefined.
    fn on_message(&self, conn: ConnId, event: JsValue, parsed: JsValue) {
        let decoder = self.driver.borrow().opts.decode.clone();
        let custom = decoder.is_some();
        // A frame the router parsed needs neither `event.data` nor a parse here.
        let decoded = match decoder {
            Some(decode) => custom_decode(&decode, &transport::event_data(&event)),
            None if parsed.is_undefined() => {
                decode_message(&transport::event_data(&event)).map_err(|e| e.describe())
            }
            None => decode_parsed(parsed).map_err(|e| e.describe()),
        };
        match decoded {
            Ok(msg) => {
                // A broadcast (text, or binary kind 0/2) with the default decoder: once
                // handled, its route lets the next ones skip wasm (src/js/router.rs). Not
                // from inside a drain, where queued callbacks must run first (outside one
                // before the message, the drain it starts has finished after it).
                let learn = (msg.ref_.is_none() && !custom && !self.draining.get())
                    .then(|| (msg.topic.clone(), msg.event.clone()));
                self.on_transport_event(conn, |engine| engine.handle_message(conn, now(), msg));
                if let Some((topic, event)) = learn {
                    self.engine.learn_route(conn, &topic, &event);
                }
            }
            Err(reason) => {
                let mut msg = String::from("dropping malformed frame: ");
                msg.push_str(&reason);
                let d = self.driver.borrow();
                let has_logger = d.opts.logger.is_some() || d.opts.debug;
                drop(d);
                if has_logger {
                    self.log("transport", &msg, Some(&transport::event_data(&event)));
                } else {
                    console_log1(&JsValue::from_str(&msg));
                }
            }
        }
    }

    fn forget_transport(&self, conn: ConnId) {
        if let Ok(mut d) = self.driver.try_borrow_mut() {
            d.transports.retain(|(c, _, _)| *c != conn);
        }
        self.after_drain_if_idle();
    }

    fn after_drain_if_idle(&self) {
        if !self.draining.get() {
            self.after_drain();
        }
    }

    fn transmit(&self, conn: ConnId, message: Outgoing<JsValue>) -> Result<(), JsValue> {
        let d = self.driver.borrow();
        let Some(obj) = d
            .transports
            .iter()
            .find(|(c, _, _)| *c == conn)
            .map(|(_, t, _)| t.object().clone())
        else {
            return Ok(());
        };
        let encoder = d.opts.encode.clone();
        drop(d);
        // A custom `encode` gets every message, binary payloads included, as in phoenix.js
        // (`socket.send` calls `this.encode(data, …)` whatever the payload).
        let frame: JsValue = match encoder {
            Some(encode) => {
                let out = Rc::new(RefCell::new(JsValue::UNDEFINED));
                let slot = out.clone();
                let cb = Closure::once_into_js(move |frame: JsValue| {
                    *slot.borrow_mut() = frame;
                });
                let msg = if message.raw {
                    message.payload.clone()
                } else {
                    outgoing_object(&message)
                };
                encode.call2(&JsValue::UNDEFINED, &msg, &cb)?;
                let frame = out.borrow().clone();
                frame
            }
            None if message.raw => super::serializer::encode_object(&message.payload)?,
            None if send_text(&obj, &message)? => return Ok(()),
            None => encode_binary(&message).map_err(|e| error(&e.describe()))?,
        };
        transport::send(&obj, &frame)
    }

    /// `endPointURL()`: params are evaluated (a user function may run) with no borrow held.
    pub(crate) fn end_point_url(&self) -> Result<String, JsValue> {
        let d = self.driver.borrow();
        let (params, end_point, vsn) = (
            d.opts.params.clone(),
            d.opts.end_point.clone(),
            d.opts.vsn.clone(),
        );
        let resolved = d.resolved_params.clone();
        drop(d);
        let (mut params, pending) = params.evaluate_pending();
        if pending {
            params = resolved.unwrap_or_else(|| Object::new().into());
        }
        url::end_point_url(&end_point, &params, &vsn)
    }
}

/// The sessionStorage key of the fallback memo (`transportName(LongPoll)` is "LongPoll").
const FALLBACK_KEY: &str = "phx:fallback:LongPoll";

/// `storage[method](...args)`, `None` if there is no such method or it throws.
fn storage_call(storage: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    if !storage.is_object() {
        return None;
    }
    let f: Function = Reflect::get(storage, &JsValue::from_str(method))
        .ok()?
        .dyn_into()
        .ok()?;
    let args: Array = args.iter().collect();
    f.apply(storage, &args).ok()
}

/// `transportName(transport)`: "LongPoll" for ours, else the constructor's name.
pub(crate) fn transport_name(ctor: &Function) -> String {
    let name = String::from(ctor.name());
    if name.is_empty() {
        "WebSocket".into()
    } else {
        name
    }
}

/// A ref or join ref for a callback: `null` when absent; the JS string comes from the
/// cache, since the same join ref goes with every message of a channel.
fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, crate::web::intern::js_str)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A user `decode(raw, cb)`: `cb` receives `{join_ref, ref, topic, event, payload}`.
fn custom_decode(decode: &Function, data: &JsValue) -> Result<Message<JsValue>, String> {
    let out = Rc::new(RefCell::new(JsValue::UNDEFINED));
    let slot = out.clone();
    let cb = Closure::once_into_js(move |msg: JsValue| {
        *slot.borrow_mut() = msg;
    });
    decode
        .call2(&JsValue::UNDEFINED, data, &cb)
        .map_err(|_| String::from("decode threw"))?;
    let msg = out.borrow().clone();
    let get = |k: &str| Reflect::get(&msg, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let s = |v: JsValue| {
        if v.is_null() || v.is_undefined() {
            None
        } else {
            v.as_string()
        }
    };
    let topic = get("topic")
        .as_string()
        .ok_or("decoded message has no string topic")?;
    let event = get("event")
        .as_string()
        .ok_or("decoded message has no string event")?;
    Ok(Message {
        join_ref: s(get("join_ref")),
        ref_: s(get("ref")),
        topic,
        event,
        payload: get("payload"),
    })
}

/// Calls `f` once `value` (a Promise or any thenable) settles: `Ok(value)` or
/// `Err(reason)`. Nothing runs synchronously, as with `await`.
fn when_settled(value: &JsValue, f: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    let f = Rc::new(RefCell::new(Some(f)));
    let g = f.clone();
    let ok = Closure::once_into_js(move |v: JsValue| {
        if let Some(f) = f.borrow_mut().take() {
            f(Ok(v));
        }
    });
    let err = Closure::once_into_js(move |e: JsValue| {
        if let Some(g) = g.borrow_mut().take() {
            g(Err(e));
        }
    });
    let promise = Promise::resolve(value);
    if let Ok(then) = Reflect::get(&promise, &JsValue::from_str("then")) {
        if let Some(then) = then.dyn_ref::<Function>() {
            let _ = then.call2(&promise, &ok, &err);
        }
    }
}

/// Re-throws an exception of a user callback outside our stack, so it reaches
/// `window.onerror` like an uncaught error in phoenix.js, without unwinding through wasm.
fn rethrow_later(e: JsValue) {
    if let Some(queue) = super::options::global_function("queueMicrotask") {
        let thrower = Closure::once_into_js(move || -> Result<(), JsValue> { Err(e) });
        let _ = queue.call1(&JsValue::UNDEFINED, &thrower);
    }
}

/// phoenix.js's `Socket`.
#[wasm_bindgen]
pub struct Socket {
    pub(crate) shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Socket {
    /// `new Socket(endPoint, opts)` (spec §2.1).
    #[wasm_bindgen(constructor)]
    pub fn new(end_point: JsValue, opts: JsValue) -> Result<Socket, JsValue> {
        super::channel::install_methods();
        let opts = Options::parse(&end_point, &opts)?;
        let mut engine_opts = SocketOptions {
            timeout: opts.timeout,
            heartbeat_interval_ms: opts.heartbeat_interval_ms,
            logger: opts.logger.is_some() || opts.debug,
            improvements: opts.improvements,
            random: Box::new(js_sys::Math::random),
            ..SocketOptions::default()
        };
        if let Some(f) = opts.reconnect_after_ms.clone() {
            engine_opts.reconnect_after_ms = schedule(f);
        }
        if let Some(f) = opts.rejoin_after_ms.clone() {
            engine_opts.rejoin_after_ms = schedule(f);
        }
        let shared = Rc::new_cyclic(|me| Shared {
            engine: EngineCell::new(crate::core::Socket::new(engine_opts)),
            driver: RefCell::new(Driver {
                opts,
                transports: Vec::new(),
                timer: None,
                channels: Vec::new(),
                message_hooks: Vec::new(),
                pending_release: Vec::new(),
                lifecycle: Vec::new(),
                resolved_params: None,
            }),
            draining: Cell::new(false),
            me: me.clone(),
            keepalive: RefCell::new(None),
        });
        super::lifecycle::install(&shared);
        Ok(Socket { shared })
    }

    /// `connect(params?)`; passing params is deprecated, as in phoenix.js.
    pub fn connect(&self, params: JsValue) -> Result<(), JsValue> {
        if params.is_truthy() {
            console_log1(&JsValue::from_str(
                "passing params to connect is deprecated. Instead pass :params to the Socket constructor",
            ));
            self.shared.driver.borrow_mut().opts.params = params;
        }
        let d = self.shared.driver.borrow();
        let is_long_poll =
            JsValue::from(d.opts.transport.clone()) == JsValue::from(super::longpoll::class());
        let fallback_ms = d.opts.long_poll_fallback_ms.filter(|_| !is_long_poll);
        drop(d);
        match fallback_ms {
            Some(ms) => {
                let memorized = self.shared.get_session(FALLBACK_KEY);
                self.shared
                    .engine
                    .borrow_mut()
                    .connect_with_fallback(now(), ms, memorized);
            }
            None => self.shared.engine.borrow_mut().connect(now()),
        }
        self.shared.drain()
    }

    /// `getLongPollTransport()`: the LongPoll class.
    #[wasm_bindgen(js_name = getLongPollTransport)]
    pub fn get_long_poll_transport(&self) -> Function {
        super::longpoll::class()
    }

    /// `disconnect(callback?, code?, reason?)`.
    pub fn disconnect(
        &self,
        callback: JsValue,
        code: JsValue,
        reason: JsValue,
    ) -> Result<(), JsValue> {
        let cb = callback.dyn_into::<Function>().ok();
        let code = code.as_f64().map(|c| c.clamp(0.0, 65535.0) as u16);
        self.shared
            .engine
            .borrow_mut()
            .disconnect(now(), cb, code, reason.as_string());
        self.shared.drain()
    }

    #[wasm_bindgen(js_name = onOpen)]
    pub fn on_open(&self, callback: Function) -> String {
        self.shared
            .engine
            .borrow_mut()
            .on_open(callback)
            .to_js_string()
    }

    #[wasm_bindgen(js_name = onClose)]
    pub fn on_close(&self, callback: Function) -> String {
        self.shared
            .engine
            .borrow_mut()
            .on_close(callback)
            .to_js_string()
    }

    #[wasm_bindgen(js_name = onError)]
    pub fn on_error(&self, callback: Function) -> String {
        self.shared
            .engine
            .borrow_mut()
            .on_error(callback)
            .to_js_string()
    }

    #[wasm_bindgen(js_name = onMessage)]
    pub fn on_message(&self, callback: Function) -> String {
        self.shared
            .engine
            .borrow_mut()
            .on_message(callback)
            .to_js_string()
    }

    /// `onHeartbeat(callback)` (issue #11): `callback(status, latencyMs)` with status
    /// `"sent" | "ok" | "error" | "timeout" | "disconnected"`; the latency comes with
    /// `"ok"` and `"error"`. Returns a ref for `off([ref])`.
    #[wasm_bindgen(js_name = onHeartbeat)]
    pub fn on_heartbeat(&self, callback: Function) -> String {
        self.shared
            .engine
            .borrow_mut()
            .on_heartbeat(callback)
            .to_js_string()
    }

    /// `stats()` (issue #11): `{rttMs, reconnects: {close, heartbeatTimeout, visibility,
    /// online, total}, buffered: {send, push}, dropped: {send, push}}`.
    pub fn stats(&self) -> Object {
        let st = self.shared.engine.borrow().stats();
        let n = |x: f64| JsValue::from_f64(x);
        let out = Object::new();
        set(&out, "rttMs", &st.rtt_ms.map_or(JsValue::NULL, n));
        let r = Object::new();
        set(&r, "close", &n(st.reconnects.close.into()));
        set(
            &r,
            "heartbeatTimeout",
            &n(st.reconnects.heartbeat_timeout.into()),
        );
        set(&r, "visibility", &n(st.reconnects.visibility.into()));
        set(&r, "online", &n(st.reconnects.online.into()));
        set(&r, "total", &n(st.reconnects.total().into()));
        set(&out, "reconnects", &r);
        let b = Object::new();
        set(&b, "send", &n(st.buffered_send as f64));
        set(&b, "push", &n(st.buffered_push as f64));
        set(&out, "buffered", &b);
        let d = Object::new();
        set(&d, "send", &n(st.dropped_send as f64));
        set(&d, "push", &n(st.dropped_push as f64));
        set(&out, "dropped", &d);
        out
    }

    /// `off(refs)`: removes the state callbacks with these refs.
    pub fn off(&self, refs: JsValue) {
        let refs: Vec<Ref> = Array::from(&refs)
            .iter()
            .filter_map(|r| r.as_string())
            .filter_map(|r| Ref::parse(&r))
            .collect();
        self.shared.engine.borrow_mut().off(&refs);
    }

    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self) -> bool {
        self.shared.engine.borrow().is_connected()
    }

    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> String {
        self.shared.engine.borrow().connection_state().into()
    }

    #[wasm_bindgen(js_name = endPointURL)]
    pub fn end_point_url(&self) -> Result<String, JsValue> {
        self.shared.end_point_url()
    }

    pub fn protocol(&self) -> Result<String, JsValue> {
        url::protocol().map(String::from)
    }

    #[wasm_bindgen(js_name = makeRef)]
    pub fn make_ref(&self) -> String {
        self.shared.engine.borrow_mut().make_ref().to_js_string()
    }

    /// `ping(cb)`: false when not connected.
    pub fn ping(&self, callback: Function) -> Result<bool, JsValue> {
        let sent = self.shared.engine.borrow_mut().ping(now(), callback);
        self.shared.drain()?;
        Ok(sent)
    }

    /// `replaceTransport(newTransport)`: returns the new connect clock; does not connect.
    #[wasm_bindgen(js_name = replaceTransport)]
    pub fn replace_transport(&self, transport: Function) -> Result<f64, JsValue> {
        let clock = self.shared.engine.borrow_mut().replace_transport(now());
        self.shared.driver.borrow_mut().opts.transport = transport;
        self.shared.drain()?;
        Ok(clock as f64)
    }

    /// `channel(topic, params?)`: a new channel registered with the socket.
    pub fn channel(&self, topic: String, params: JsValue) -> Result<JsValue, JsValue> {
        let params = if params.is_truthy() {
            params
        } else {
            Object::new().into()
        };
        let key = self.shared.engine.borrow_mut().channel(&topic, params);
        let obj: JsValue = Channel::new(&self.shared, key, topic).into();
        self.shared
            .driver
            .borrow_mut()
            .channels
            .push((key, obj.clone()));
        self.shared.drain()?;
        Ok(obj)
    }

    /// `remove(channel)`.
    pub fn remove(&self, channel: &Channel) -> Result<(), JsValue> {
        self.shared.engine.borrow_mut().remove(channel.key);
        self.shared.drain()
    }

    /// `push({topic, event, payload, ref, join_ref})`.
    pub fn push(&self, data: JsValue) -> Result<(), JsValue> {
        let get =
            |k: &str| Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let as_ref = |v: JsValue| v.as_string().and_then(|s| Ref::parse(&s));
        let topic = get("topic")
            .as_string()
            .ok_or_else(|| js_sys::TypeError::new("push: topic must be a string"))?;
        let event = get("event")
            .as_string()
            .ok_or_else(|| js_sys::TypeError::new("push: event must be a string"))?;
        if self.has_logger() {
            // phoenix.js's `${topic} ${event} (${join_ref}, ${ref})`, with the refs as given.
            let line = push_log_line(&data);
            self.shared.log("push", &line, Some(&get("payload")));
        }
        // `data` itself is what gets encoded (phoenix.js hands it to `encode`): refs that
        // are not the socket's own (a number, any string) go out as given.
        let msg = Outgoing {
            join_ref: as_ref(get("join_ref")),
            ref_: as_ref(get("ref")),
            topic,
            event,
            payload: data,
            raw: true,
        };
        self.shared.engine.borrow_mut().push(msg, None);
        self.shared.drain()
    }

    /// `log(kind, msg, data)`.
    pub fn log(&self, kind: String, msg: String, data: JsValue) {
        self.shared.log(&kind, &msg, Some(&data));
    }

    /// `hasLogger()`: with `debug` and no `logger`, phoenix.js installs a console logger,
    /// so this is true too.
    #[wasm_bindgen(js_name = hasLogger)]
    pub fn has_logger(&self) -> bool {
        let d = self.shared.driver.borrow();
        d.opts.logger.is_some() || d.opts.debug
    }

    /// `socket.channels`: the channel objects, in order.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> Array {
        let engine = self.shared.engine.borrow();
        let d = self.shared.driver.borrow();
        engine
            .channels()
            .iter()
            .filter_map(|k| {
                d.channels
                    .iter()
                    .find(|(c, _)| c == k)
                    .map(|(_, o)| o.clone())
            })
            .collect()
    }

    /// `socket.conn`: the current transport object, or null.
    #[wasm_bindgen(getter)]
    pub fn conn(&self) -> JsValue {
        let current = self.shared.engine.borrow().current_connection();
        let d = self.shared.driver.borrow();
        current
            .and_then(|c| d.transports.iter().find(|(id, _, _)| *id == c))
            .map_or(JsValue::NULL, |(_, t, _)| t.object().clone())
    }

    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> f64 {
        self.shared.engine.borrow().timeout()
    }

    #[wasm_bindgen(getter, js_name = endPoint)]
    pub fn end_point(&self) -> String {
        self.shared.driver.borrow().opts.end_point.clone()
    }

    #[wasm_bindgen(getter, js_name = heartbeatIntervalMs)]
    pub fn heartbeat_interval_ms(&self) -> f64 {
        self.shared.driver.borrow().opts.heartbeat_interval_ms
    }

    #[wasm_bindgen(getter, js_name = longpollerTimeout)]
    pub fn longpoller_timeout(&self) -> f64 {
        self.shared.driver.borrow().opts.longpoller_timeout
    }

    #[wasm_bindgen(getter)]
    pub fn vsn(&self) -> String {
        self.shared.driver.borrow().opts.vsn.clone()
    }

    #[wasm_bindgen(getter, js_name = binaryType)]
    pub fn binary_type(&self) -> JsValue {
        self.shared.driver.borrow().opts.binary_type.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Function {
        self.shared.driver.borrow().opts.transport.clone()
    }

    /// `socket.ref`: the last ref handed out.
    #[wasm_bindgen(getter, js_name = ref)]
    pub fn ref_(&self) -> f64 {
        self.shared.engine.borrow().ref_counter() as f64
    }

    #[wasm_bindgen(setter, js_name = ref)]
    pub fn set_ref(&self, value: f64) {
        if value.is_finite() && value >= 0.0 {
            self.shared
                .engine
                .borrow_mut()
                .set_ref_counter(value as u64);
        }
    }

    #[wasm_bindgen(getter, js_name = connectClock)]
    pub fn connect_clock(&self) -> f64 {
        self.shared.engine.borrow().connect_clock() as f64
    }

    #[wasm_bindgen(getter, js_name = establishedConnections)]
    pub fn established_connections(&self) -> u32 {
        self.shared.engine.borrow().established_connections()
    }

    #[wasm_bindgen(getter, js_name = closeWasClean)]
    pub fn close_was_clean(&self) -> bool {
        self.shared.engine.borrow().close_was_clean()
    }

    /// `handleVisibilityChange()` (spec §2.7).
    #[wasm_bindgen(js_name = handleVisibilityChange)]
    pub fn handle_visibility_change(&self) -> Result<(), JsValue> {
        let hidden = super::lifecycle::page_hidden();
        self.shared
            .engine
            .borrow_mut()
            .handle_visibility_change(now(), hidden);
        self.shared.drain()
    }
}

impl Shared {
    pub(crate) fn add_listener(
        &self,
        target: JsValue,
        event: &'static str,
        f: Closure<dyn FnMut(JsValue)>,
    ) {
        self.driver.borrow_mut().lifecycle.push((target, event, f));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        for (target, event, f) in self.lifecycle.drain(..) {
            super::lifecycle::remove(&target, event, &f);
        }
    }
}
