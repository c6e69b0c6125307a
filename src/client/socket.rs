//! [`Socket`] (spec §2) and the driver that carries out the engine's effects for the Rust
//! API: the second driver of `core::Socket`, next to the JS facade's (`src/js/socket.rs`),
//! over the same browser shell (`src/web/`: transport, timer, codec, URL).
//!
//! The engine's callback handle is [`Hook`]: a queue to a user future or stream, or a
//! presence. Running an effect never runs user code (see `queue.rs`), so the borrow
//! discipline is simple: borrow the engine to call it, release, drain.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures_core::Stream;
use js_sys::{Function, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::effect::{BindingCallback, Callback, ChannelKey, ConnId, Effect, PushKey};
use crate::core::message::{Outgoing, Ref};
use crate::core::timer::Schedule;
use crate::web::timer::Timer;
use crate::web::transport::{self, Handlers, Transport};
use crate::web::{decode_message, encode_message, url};

use super::channel::Channel;
use super::presence::PresenceSink;
use super::queue::{queue, Rx, Tx};
use super::{object_or_empty, to_js, Error};

pub(crate) type Engine = crate::core::Socket<JsValue, Hook>;

/// Which reply a reply hook waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    Error,
    Timeout,
}

/// The engine's callback handle in the Rust API.
#[derive(Clone)]
pub(crate) enum Hook {
    /// A `receive(status)` hook of a join, push or leave.
    Reply(Tx<(Status, JsValue)>, Status),
    /// A channel binding (`on(event)`).
    Event(Tx<JsValue>),
    /// `onOpen` / `onClose` / `onError`.
    State(Tx<SocketEvent>),
    /// A presence's `presence_state` / `presence_diff` binding.
    Presence(Rc<dyn PresenceSink>),
}

/// A change of the connection, as `onOpen`, `onClose` and `onError` report it (spec §2.3).
#[derive(Clone, Debug, PartialEq)]
pub enum SocketEvent {
    /// The transport opened.
    Open,
    /// The transport closed (`CloseEvent`'s fields).
    Close {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// The transport reported an error; a close follows.
    Error,
}

/// `logger(kind, msg, data)`.
pub type Logger = Rc<dyn Fn(&str, &str, &JsValue)>;

/// `new Socket(endPoint, opts)` options (spec §2.1), with phoenix.js's defaults.
///
/// ```no_run
/// # use phoenix_wasm::client::SocketOptions;
/// #[derive(serde::Serialize)]
/// struct Params { token: String }
/// let opts = SocketOptions::default()
///     .params(&Params { token: "abc".into() })
///     .timeout_ms(5_000.0)
///     .reconnect_after_ms(|tries| [100.0, 500.0, 1_000.0].get(tries as usize - 1).copied().unwrap_or(5_000.0));
/// ```
#[derive(Clone)]
pub struct SocketOptions {
    params: Result<JsValue, Error>,
    auth_token: Option<String>,
    timeout: f64,
    heartbeat_interval_ms: f64,
    reconnect_after_ms: Option<Rc<dyn Fn(u32) -> f64>>,
    rejoin_after_ms: Option<Rc<dyn Fn(u32) -> f64>>,
    logger: Option<Logger>,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            params: Ok(JsValue::UNDEFINED),
            auth_token: None,
            timeout: crate::core::socket::DEFAULT_TIMEOUT,
            heartbeat_interval_ms: crate::core::socket::DEFAULT_HEARTBEAT_INTERVAL_MS,
            reconnect_after_ms: None,
            rejoin_after_ms: None,
            logger: None,
        }
    }
}

/// A positive, finite number of milliseconds, or the default (phoenix.js's `opts.x || d`).
fn ms_or(value: f64, default: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        default
    }
}

impl SocketOptions {
    /// `params`: sent as query parameters on every connect. A value that does not
    /// serialise makes [`Socket::new`] fail.
    pub fn params<T: Serialize + ?Sized>(mut self, params: &T) -> Self {
        self.params = to_js(params);
        self
    }

    /// `authToken` (spec §2.5): sent in the `Sec-WebSocket-Protocol` header.
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = Some(token.into());
        self
    }

    /// `timeout`: the default join, push and leave timeout (10 000 ms).
    pub fn timeout_ms(mut self, ms: f64) -> Self {
        self.timeout = ms_or(ms, crate::core::socket::DEFAULT_TIMEOUT);
        self
    }

    /// `heartbeatIntervalMs` (30 000 ms), also the heartbeat reply timeout.
    pub fn heartbeat_interval_ms(mut self, ms: f64) -> Self {
        self.heartbeat_interval_ms = ms_or(ms, crate::core::socket::DEFAULT_HEARTBEAT_INTERVAL_MS);
        self
    }

    /// `reconnectAfterMs(tries)` (default 10, 50, 100, 150, 200, 250, 500, 1000, 2000,
    /// then 5000 ms). Runs inside the engine: it must not call the socket.
    pub fn reconnect_after_ms(mut self, f: impl Fn(u32) -> f64 + 'static) -> Self {
        self.reconnect_after_ms = Some(Rc::new(f));
        self
    }

    /// `rejoinAfterMs(tries)` (default 1000, 2000, 5000, then 10 000 ms), with the same
    /// restriction.
    pub fn rejoin_after_ms(mut self, f: impl Fn(u32) -> f64 + 'static) -> Self {
        self.rejoin_after_ms = Some(Rc::new(f));
        self
    }

    /// `logger(kind, msg, data)` (spec §2.8).
    pub fn logger(mut self, f: impl Fn(&str, &str, &JsValue) + 'static) -> Self {
        self.logger = Some(Rc::new(f));
        self
    }
}

fn schedule(f: Rc<dyn Fn(u32) -> f64>) -> Schedule {
    Box::new(move |tries| f(tries))
}

pub(crate) fn now() -> f64 {
    js_sys::Date::now()
}

/// The socket's state shared by its handles and the closures of its transports and timer.
pub(crate) struct Shared {
    engine: RefCell<Engine>,
    driver: RefCell<Driver>,
    draining: Cell<bool>,
    me: Weak<Shared>,
}

struct Driver {
    /// The endpoint with `/websocket` appended (spec §2.1).
    end_point: String,
    params: JsValue,
    auth_token: Option<String>,
    logger: Option<Logger>,
    transports: Vec<(ConnId, Transport)>,
    timer: Option<Timer>,
    /// Releases asked for while the engine was borrowed.
    pending_release: Vec<Release>,
}

pub(crate) enum Release {
    Channel(ChannelKey),
    Push(PushKey),
}

impl Shared {
    /// Calls the engine, then carries out what it asked for. `Err(Closed)` if the engine
    /// is borrowed (only possible from a schedule that calls back into the socket).
    pub(crate) fn call<R>(&self, f: impl FnOnce(&mut Engine) -> R) -> Result<R, Error> {
        let r = {
            let mut engine = self.engine.try_borrow_mut().map_err(|_| Error::Closed)?;
            f(&mut engine)
        };
        self.drain();
        Ok(r)
    }

    /// Reads the engine.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Engine) -> R) -> Option<R> {
        self.engine.try_borrow().ok().map(|e| f(&e))
    }

    /// Lets go of a channel or push, now or after the current engine call.
    pub(crate) fn release(&self, r: Release) {
        match self.engine.try_borrow_mut() {
            Ok(mut e) => match r {
                Release::Channel(k) => e.release_channel(k),
                Release::Push(k) => e.release_push(k),
            },
            Err(_) => {
                if let Ok(mut d) = self.driver.try_borrow_mut() {
                    d.pending_release.push(r);
                }
            }
        }
    }

    /// Carries out every pending effect, with no borrow held while each runs.
    fn drain(&self) {
        if self.draining.replace(true) {
            return;
        }
        loop {
            let effect = match self.engine.try_borrow_mut() {
                Ok(mut engine) => engine.poll_effect(),
                Err(_) => None,
            };
            let Some(effect) = effect else { break };
            self.run(effect);
        }
        self.after_drain();
        self.draining.set(false);
    }

    /// Applies deferred releases and arms the one timer at the engine's next deadline.
    fn after_drain(&self) {
        let (Ok(mut engine), Ok(mut driver)) =
            (self.engine.try_borrow_mut(), self.driver.try_borrow_mut())
        else {
            return;
        };
        for r in std::mem::take(&mut driver.pending_release) {
            match r {
                Release::Channel(k) => engine.release_channel(k),
                Release::Push(k) => engine.release_push(k),
            }
        }
        let weak = self.me.clone();
        Timer::arm_slot(&mut driver.timer, engine.poll_timeout(), now, || {
            Timer::new(move || {
                if let Some(shared) = weak.upgrade() {
                    shared.on_timer();
                }
            })
        });
    }

    fn on_timer(&self) {
        if let Ok(mut d) = self.driver.try_borrow_mut() {
            if let Some(t) = d.timer.as_mut() {
                t.fired();
            }
            if let Ok(mut e) = self.engine.try_borrow_mut() {
                for (conn, t) in &d.transports {
                    e.set_buffered_amount(*conn, t.buffered_amount());
                }
            }
        }
        let _ = self.call(|e| e.handle_timeout(now()));
    }

    fn run(&self, effect: Effect<JsValue, Hook>) {
        match effect {
            Effect::Connect { conn } => self.connect_transport(conn),
            Effect::Transmit { conn, message } => {
                if let Err(e) = self.transmit(conn, &message) {
                    self.log("push", "failed to send", Some(&e));
                }
            }
            Effect::Close { conn, code, reason } => {
                if let Some(obj) = self.transport_object(conn) {
                    let _ = transport::close(&obj, code, &reason);
                }
            }
            Effect::Log { kind, msg, data } => self.log(&kind, &msg, data.as_ref()),
            Effect::Callback(cb) => self.callback(cb),
            // No LongPoll fallback in the Rust API: the engine only asks for these after
            // `connect_with_fallback`, which this driver never calls.
            Effect::SwitchToFallback | Effect::RememberFallback => {}
            // Channel params here are serde values turned into plain JS objects, never
            // Promises, so there is nothing to wait for: send them as they are.
            Effect::AwaitPayload {
                push,
                ref_,
                pending,
            } => {
                let _ = self.call(|e| e.resolve_payload(push, ref_, now(), Ok(pending)));
            }
        }
    }

    fn log(&self, kind: &str, msg: &str, data: Option<&JsValue>) {
        let logger = self.driver.try_borrow().ok().and_then(|d| d.logger.clone());
        if let Some(logger) = logger {
            logger(kind, msg, data.unwrap_or(&JsValue::UNDEFINED));
        }
    }

    fn callback(&self, cb: Callback<JsValue, Hook>) {
        match cb {
            Callback::Open(Hook::State(tx)) => tx.send(SocketEvent::Open),
            Callback::Close {
                callback: Hook::State(tx),
                event,
            } => tx.send(close_event(&event)),
            Callback::Error {
                callback: Hook::State(tx),
                ..
            } => tx.send(SocketEvent::Error),
            Callback::Receive {
                callback: Hook::Reply(tx, status),
                response,
            } => tx.send((status, response)),
            Callback::Dispatch {
                channel,
                event,
                payload,
                callbacks,
                ..
            } => {
                for cb in callbacks {
                    match cb {
                        BindingCallback::Full(Hook::Event(tx))
                        | BindingCallback::PayloadOnly(Hook::Event(tx)) => tx.send(payload.clone()),
                        BindingCallback::Full(Hook::Presence(p)) => {
                            let join_ref = self
                                .read(|e| e.channel_join_ref(channel))
                                .and_then(|r| r.get());
                            p.handle(&event, &payload, join_ref);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn transport_object(&self, conn: ConnId) -> Option<JsValue> {
        let d = self.driver.try_borrow().ok()?;
        d.transports
            .iter()
            .find(|(c, _)| *c == conn)
            .map(|(_, t)| t.object().clone())
    }

    /// `transportConnect` (spec §2.4): `new WebSocket(endPointURL(), protocols)`.
    fn connect_transport(&self, conn: ConnId) {
        let attempt = (|| -> Result<Transport, JsValue> {
            let (end_point, params, token) = {
                let d = self.driver.try_borrow().map_err(|_| JsValue::NULL)?;
                (d.end_point.clone(), d.params.clone(), d.auth_token.clone())
            };
            let url = url::end_point_url(&end_point, &params, "2.0.0")?;
            let protocols = match token {
                None => JsValue::UNDEFINED,
                Some(token) => transport::auth_protocols(&crate::core::longpoll::base64_encode(
                    token.as_bytes(),
                )),
            };
            let ctor: Function =
                Reflect::get(&js_sys::global(), &JsValue::from_str("WebSocket"))?.dyn_into()?;
            Transport::open(
                &ctor,
                &url,
                &protocols,
                &JsValue::from_str("arraybuffer"),
                20_000.0,
                self.handlers(conn),
                None,
            )
        })();
        match attempt {
            Ok(t) => {
                if let Ok(mut d) = self.driver.try_borrow_mut() {
                    d.transports.push((conn, t));
                }
            }
            Err(e) => {
                if let Ok(mut engine) = self.engine.try_borrow_mut() {
                    engine.handle_connect_failed(conn);
                }
                self.log("transport", "failed to connect", Some(&e));
            }
        }
    }

    fn handlers(&self, conn: ConnId) -> Handlers {
        let on = |f: fn(&Shared, ConnId, JsValue)| -> Box<dyn FnMut(JsValue)> {
            let weak = self.me.clone();
            Box::new(move |e| {
                if let Some(s) = weak.upgrade() {
                    f(&s, conn, e);
                }
            })
        };
        Handlers {
            open: on(|s, conn, _| {
                let skip = s.transport_skip_heartbeat(conn);
                let _ = s.call(|e| e.handle_open(conn, now(), skip));
            }),
            error: on(|s, conn, e| {
                let _ = s.call(|en| en.handle_error(conn, now(), e));
            }),
            message: {
                let weak = self.me.clone();
                Box::new(move |e, _parsed| {
                    if let Some(s) = weak.upgrade() {
                        s.on_message(conn, e);
                    }
                })
            },
            close: on(|s, conn, e| {
                let _ = s.call(|en| en.handle_close(conn, now(), e));
                if let Ok(mut d) = s.driver.try_borrow_mut() {
                    d.transports.retain(|(c, _)| *c != conn);
                }
            }),
        }
    }

    fn transport_skip_heartbeat(&self, conn: ConnId) -> bool {
        self.driver.try_borrow().ok().is_some_and(|d| {
            d.transports
                .iter()
                .any(|(c, t)| *c == conn && t.skip_heartbeat())
        })
    }

    fn on_message(&self, conn: ConnId, event: JsValue) {
        let data = transport::event_data(&event);
        match decode_message(&data) {
            Ok(msg) => {
                let _ = self.call(|e| e.handle_message(conn, now(), msg));
            }
            Err(err) => {
                let mut msg = String::from("dropping malformed frame: ");
                msg.push_str(&err.describe());
                self.log("transport", &msg, Some(&data));
            }
        }
    }

    /// Encodes (binary payloads as §6.2 frames, the rest as JSON text) and sends.
    fn transmit(&self, conn: ConnId, message: &Outgoing<JsValue>) -> Result<(), JsValue> {
        let Some(obj) = self.transport_object(conn) else {
            return Ok(());
        };
        let frame = encode_message(message).map_err(|e| JsValue::from_str(&e.describe()))?;
        transport::send(&obj, &frame)
    }
}

/// `{code, reason, wasClean}` of a `CloseEvent`.
fn close_event(event: &JsValue) -> SocketEvent {
    let get = |k: &str| Reflect::get(event, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    SocketEvent::Close {
        code: get("code")
            .as_f64()
            .map_or(0, |c| c.clamp(0.0, 65535.0) as u16),
        reason: get("reason").as_string().unwrap_or_default(),
        was_clean: get("wasClean").is_truthy(),
    }
}

impl Drop for Driver {
    /// The last handle is gone: close the connections, as nothing can use them any more.
    fn drop(&mut self) {
        for (_, t) in self.transports.drain(..) {
            t.detach();
            let _ = transport::close(t.object(), Some(1000), "");
        }
    }
}

/// A Phoenix socket (spec §2): one connection, many channels. A cheap `Clone` handle.
#[derive(Clone)]
pub struct Socket {
    pub(crate) shared: Rc<Shared>,
}

impl Socket {
    /// `new Socket(endPoint, opts)`: nothing connects until [`connect`](Self::connect).
    /// `end_point` is `ws://host/socket`, `wss://…`, or a path such as `/socket`
    /// (resolved against the page's location); `/websocket` is appended as in phoenix.js.
    pub fn new(end_point: &str, opts: SocketOptions) -> Result<Socket, Error> {
        let params = object_or_empty(opts.params?);
        let mut engine_opts = crate::core::SocketOptions {
            timeout: opts.timeout,
            heartbeat_interval_ms: opts.heartbeat_interval_ms,
            logger: opts.logger.is_some(),
            ..crate::core::SocketOptions::default()
        };
        if let Some(f) = opts.reconnect_after_ms {
            engine_opts.reconnect_after_ms = schedule(f);
        }
        if let Some(f) = opts.rejoin_after_ms {
            engine_opts.rejoin_after_ms = schedule(f);
        }
        let mut end = String::from(end_point);
        end.push_str("/websocket");
        let shared = Rc::new_cyclic(|me| Shared {
            engine: RefCell::new(crate::core::Socket::new(engine_opts)),
            driver: RefCell::new(Driver {
                end_point: end,
                params,
                auth_token: opts.auth_token,
                logger: opts.logger,
                transports: Vec::new(),
                timer: None,
                pending_release: Vec::new(),
            }),
            draining: Cell::new(false),
            me: me.clone(),
        });
        Ok(Socket { shared })
    }

    /// `connect()`: opens the WebSocket; reconnects with the backoff whenever it drops,
    /// until [`disconnect`](Self::disconnect). Idempotent.
    pub fn connect(&self) {
        let _ = self.shared.call(|e| e.connect(now()));
    }

    /// `disconnect()`: closes the connection and stops reconnecting. As in phoenix.js no
    /// close code is given, so the browser reports 1005; see
    /// [`disconnect_with`](Self::disconnect_with).
    pub fn disconnect(&self) {
        let _ = self.shared.call(|e| e.disconnect(now(), None, None, None));
    }

    /// `disconnect(null, code, reason)`.
    pub fn disconnect_with(&self, code: u16, reason: &str) {
        let reason = Some(reason.to_owned());
        let _ = self
            .shared
            .call(|e| e.disconnect(now(), None, Some(code), reason));
    }

    /// `isConnected()`.
    pub fn is_connected(&self) -> bool {
        self.shared.read(|e| e.is_connected()).unwrap_or(false)
    }

    /// `connectionState()`: `"connecting"`, `"open"`, `"closing"` or `"closed"`.
    pub fn connection_state(&self) -> &'static str {
        self.shared
            .read(|e| e.connection_state())
            .unwrap_or("closed")
    }

    /// `onOpen` + `onClose` + `onError` as one stream. Events before the call are not
    /// replayed; dropping the stream unregisters it.
    pub fn events(&self) -> SocketEvents {
        let (tx, rx) = queue();
        let refs = self
            .shared
            .call(|e| {
                [
                    e.on_open(Hook::State(tx.clone())),
                    e.on_close(Hook::State(tx.clone())),
                    e.on_error(Hook::State(tx)),
                ]
            })
            .ok();
        SocketEvents {
            rx,
            socket: Rc::downgrade(&self.shared),
            refs,
        }
    }

    /// `socket.channel(topic, params)` (spec §3.1): `params` are sent with every (re)join;
    /// `&()` sends `{}`.
    pub fn channel<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        params: &T,
    ) -> Result<Channel, Error> {
        let params = object_or_empty(to_js(params)?);
        let key = self.shared.call(|e| e.channel(topic, params))?;
        Ok(Channel::new(&self.shared, key, topic))
    }
}

/// The stream of [`Socket::events`].
pub struct SocketEvents {
    rx: Rx<SocketEvent>,
    socket: Weak<Shared>,
    refs: Option<[Ref; 3]>,
}

impl Stream for SocketEvents {
    type Item = SocketEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SocketEvent>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl Drop for SocketEvents {
    fn drop(&mut self) {
        if let (Some(s), Some(refs)) = (self.socket.upgrade(), self.refs) {
            let _ = s.call(|e| e.off(&refs));
        }
    }
}
