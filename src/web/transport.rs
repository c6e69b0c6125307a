//! One transport instance: any WebSocket-like object made with `new transport(url,
//! protocols)` (spec §2.1 `transport`): the browser's `WebSocket`, the `ws` package in Node,
//! our `LongPoll`, or a user's class. Only its WebSocket interface is used: `readyState`,
//! `bufferedAmount`, `binaryType`, `send`, `close` and the four `on*` handler properties.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The handlers a transport reports to. Each gets the transport's event argument;
/// `message` also gets the frame already parsed by a router's `messageHandler` (or
/// `undefined`, and then it parses `event.data` itself).
pub struct Handlers {
    pub open: Box<dyn FnMut(JsValue)>,
    pub error: Box<dyn FnMut(JsValue)>,
    pub message: Box<dyn FnMut(JsValue, JsValue)>,
    pub close: Box<dyn FnMut(JsValue)>,
}

/// A live transport and the closures it calls, owned together and dropped together.
pub struct Transport {
    obj: JsValue,
    closures: Vec<Closure<dyn FnMut(JsValue)>>,
    /// Kept alive with the transport: `onmessage` calls it (directly or through a router).
    _message: Closure<dyn FnMut(JsValue, JsValue)>,
}

const HANDLER_NAMES: [&str; 4] = ["onopen", "onerror", "onmessage", "onclose"];

fn set(obj: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(|_| ())
}

fn call_method(obj: &JsValue, name: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(obj, &JsValue::from_str(name))?.dyn_into()?;
    f.apply(obj, args)
}

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// `t.send(data)` in one call (a method lookup through `Reflect` would cost four).
    #[wasm_bindgen(catch, js_name = send)]
    fn send_js(t: &JsValue, data: &JsValue) -> Result<(), JsValue>;
    /// `event.data` of a message event, in one call.
    #[wasm_bindgen(catch, js_name = eventData)]
    fn event_data_js(event: &JsValue) -> Result<JsValue, JsValue>;
    /// The `onmessage` function of a transport whose plain broadcasts a router may
    /// dispatch without entering wasm (src/js/router.rs); the others reach `slow`.
    #[wasm_bindgen(js_name = messageHandler)]
    fn message_handler(router: &JsValue, conn: u32, slow: &JsValue) -> JsValue;
}

/// `event.data` of a transport's message event; `undefined` if reading it throws.
pub fn event_data(event: &JsValue) -> JsValue {
    event_data_js(event).unwrap_or(JsValue::UNDEFINED)
}

/// The `protocols` argument that carries an authToken (spec §2.5):
/// `["phoenix", "base64url.bearer.phx.<b64 without padding>"]`, where `b64` is the token's
/// base64 (each driver encodes it as its API defines the token).
pub fn auth_protocols(b64: &str) -> JsValue {
    let mut proto = String::from(crate::core::longpoll::AUTH_TOKEN_PREFIX);
    proto.push_str(b64.trim_end_matches('='));
    Array::of2(&JsValue::from_str("phoenix"), &JsValue::from_str(&proto)).into()
}

/// `transport.send(data)` on a transport object. A free function: the driver calls it
/// without holding its own state, since a transport may call back synchronously.
pub fn send(obj: &JsValue, data: &JsValue) -> Result<(), JsValue> {
    send_js(obj, data)
}

/// `close(code, reason)`, or `close()` without a code (spec §2.4 `Connection.close`).
pub fn close(obj: &JsValue, code: Option<u16>, reason: &str) -> Result<(), JsValue> {
    let args = match code {
        Some(code) => Array::of2(&JsValue::from(code), &JsValue::from_str(reason)),
        None => Array::new(),
    };
    call_method(obj, "close", &args).map(|_| ())
}

impl Transport {
    /// `new ctor(url, protocols)`, then `binaryType`, `timeout` and the handlers. A
    /// throwing constructor (e.g. an invalid URL) is returned as the error. With a
    /// `router` (and the connection's id), `onmessage` goes through the router's
    /// `messageHandler` first.
    pub fn open(
        ctor: &Function,
        url: &str,
        protocols: &JsValue,
        binary_type: &JsValue,
        timeout: f64,
        handlers: Handlers,
        router: Option<(&JsValue, u32)>,
    ) -> Result<Transport, JsValue> {
        let args = Array::of2(&JsValue::from_str(url), protocols);
        let obj = Reflect::construct(ctor, &args)?;
        set(&obj, "binaryType", binary_type)?;
        set(&obj, "timeout", &JsValue::from_f64(timeout))?;
        let Handlers {
            open,
            error,
            message,
            close,
        } = handlers;
        let closures: Vec<Closure<dyn FnMut(JsValue)>> = vec![
            Closure::wrap(open),
            Closure::wrap(error),
            Closure::wrap(close),
        ];
        let message = Closure::wrap(message);
        for (name, closure) in ["onopen", "onerror", "onclose"].iter().zip(&closures) {
            set(&obj, name, closure.as_ref())?;
        }
        let onmessage = match router {
            Some((router, conn)) => message_handler(router, conn, message.as_ref()),
            None => message.as_ref().clone(),
        };
        set(&obj, "onmessage", &onmessage)?;
        Ok(Transport {
            obj,
            closures,
            _message: message,
        })
    }

    /// The transport object (`socket.conn`).
    pub fn object(&self) -> &JsValue {
        &self.obj
    }

    /// `transport.skipHeartbeat` (LongPoll sets it).
    pub fn skip_heartbeat(&self) -> bool {
        Reflect::get(&self.obj, &JsValue::from_str("skipHeartbeat")).is_ok_and(|v| v.is_truthy())
    }

    /// `transport.bufferedAmount`, 0 when absent.
    pub fn buffered_amount(&self) -> u32 {
        Reflect::get(&self.obj, &JsValue::from_str("bufferedAmount"))
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(0, |n| n.clamp(0.0, f64::from(u32::MAX)) as u32)
    }

    /// Points the handlers at nothing, so a late event cannot reach a dropped closure.
    pub fn detach(&self) {
        for name in HANDLER_NAMES {
            let _ = set(&self.obj, name, &JsValue::NULL);
        }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.detach();
        self.closures.clear();
    }
}
