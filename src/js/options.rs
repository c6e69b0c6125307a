//! `new Socket(endPoint, opts)` options (spec §2.1): phoenix.js's defaults with its
//! falsy-fallback (`opts.x || default`), plus clear `TypeError`s for values phoenix.js would
//! only trip over later (a non-function `reconnectAfterMs`, a non-numeric `timeout`, …).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::socket::{DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_TIMEOUT};
use crate::core::{BufferLimits, DropPolicy, Improvements, Jitter};

/// The driver's share of the options; the engine's share is built by `engine_options`.
pub(crate) struct Options {
    pub end_point: String,
    pub transport: Function,
    /// `longPollFallbackMs`: fallback disabled when absent (spec §2.6).
    pub long_poll_fallback_ms: Option<f64>,
    /// `sessionStorage`: where the fallback memo lives (any object with getItem/setItem).
    pub session_storage: JsValue,
    pub longpoller_timeout: f64,
    pub timeout: f64,
    pub heartbeat_interval_ms: f64,
    pub reconnect_after_ms: Option<Function>,
    pub rejoin_after_ms: Option<Function>,
    pub logger: Option<Function>,
    pub debug: bool,
    /// A value or a function, evaluated on every connect (`closure(params)`).
    pub params: JsValue,
    /// A string or a function, evaluated on every connect.
    pub auth_token: Option<JsValue>,
    pub binary_type: JsValue,
    pub vsn: String,
    pub encode: Option<Function>,
    pub decode: Option<Function>,

    /// The opt-in improvements (issue #11) the engine applies, off by default.
    pub improvements: Improvements,
    /// `awaitablePushes`: pushes are thenables (`await channel.push(…)`).
    pub awaitable_pushes: bool,
}

fn type_error(msg: &str) -> JsValue {
    js_sys::TypeError::new(msg).into()
}

/// `opts[name]` when truthy.
fn get(opts: &JsValue, name: &str) -> Option<JsValue> {
    if !opts.is_object() {
        return None;
    }
    Reflect::get(opts, &JsValue::from_str(name))
        .ok()
        .filter(|v| v.is_truthy())
}

fn number(opts: &JsValue, name: &str, default: f64) -> Result<f64, JsValue> {
    match get(opts, name) {
        None => Ok(default),
        Some(v) => v
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| {
                let mut m = String::from(name);
                m.push_str(" must be a non-negative number of milliseconds");
                type_error(&m)
            }),
    }
}

fn function(opts: &JsValue, name: &str) -> Result<Option<Function>, JsValue> {
    match get(opts, name) {
        None => Ok(None),
        Some(v) => v.dyn_into::<Function>().map(Some).map_err(|_| {
            let mut m = String::from(name);
            m.push_str(" must be a function");
            type_error(&m)
        }),
    }
}

/// `opts[name]` when present (not `undefined`/`null`): a count (a non-negative integer).
/// Limits are not read with phoenix.js's falsy fallback, so that `0` means "buffer nothing".
fn limit(opts: &JsValue, name: &str) -> Result<Option<usize>, JsValue> {
    if !opts.is_object() {
        return Ok(None);
    }
    let v = Reflect::get(opts, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 4_294_967_295.0 => Ok(Some(n as usize)),
        _ => {
            let mut m = String::from(name);
            m.push_str(" must be a non-negative integer");
            Err(type_error(&m))
        }
    }
}

/// `opts[name]` when truthy: one of `choices`, else a `TypeError` listing them.
fn choice(opts: &JsValue, name: &str, choices: &[&str]) -> Result<Option<usize>, JsValue> {
    let Some(v) = get(opts, name) else {
        return Ok(None);
    };
    let s = v.as_string().unwrap_or_default();
    match choices.iter().position(|c| *c == s) {
        Some(i) => Ok(Some(i)),
        None => {
            let mut m = String::from(name);
            m.push_str(" must be one of");
            for (i, c) in choices.iter().enumerate() {
                m.push_str(if i == 0 { " \"" } else { ", \"" });
                m.push_str(c);
                m.push('"');
            }
            Err(type_error(&m))
        }
    }
}

/// `globalThis[name]` when it is a function.
pub(crate) fn global_function(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.dyn_into().ok())
}

impl Options {
    /// Reads `opts` like phoenix.js's constructor does.
    pub fn parse(end_point: &JsValue, opts: &JsValue) -> Result<Options, JsValue> {
        let Some(end_point) = end_point.as_string() else {
            return Err(type_error("endPoint must be a string, e.g. \"/socket\""));
        };
        if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
            return Err(type_error("opts must be an object"));
        }
        // Without a global WebSocket, phoenix.js uses LongPoll (spec §2.6).
        let transport = match function(opts, "transport")? {
            Some(t) => t,
            None => global_function("WebSocket").unwrap_or_else(super::longpoll::class),
        };
        // phoenix.js ignores a custom encode/decode when the transport given at construction
        // is LongPoll (spec §2.1): the long-poll wire format is its JSON. A later fallback to
        // LongPoll keeps what was chosen here.
        let long_poll = JsValue::from(transport.clone()) == JsValue::from(super::longpoll::class());
        let codec = |name: &str| -> Result<Option<Function>, JsValue> {
            if long_poll {
                Ok(None)
            } else {
                function(opts, name)
            }
        };
        let long_poll_fallback_ms = match get(opts, "longPollFallbackMs") {
            None => None,
            Some(_) => Some(number(opts, "longPollFallbackMs", 0.0)?),
        };
        let session_storage = get(opts, "sessionStorage")
            .or_else(|| Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage")).ok())
            .unwrap_or(JsValue::UNDEFINED);
        let auth_token = match get(opts, "authToken") {
            None => None,
            Some(v) if v.is_string() || v.is_function() => Some(v),
            Some(_) => {
                return Err(type_error(
                    "authToken must be a string or a function returning one",
                ))
            }
        };
        let params = get(opts, "params").unwrap_or_else(|| js_sys::Object::new().into());
        if !(params.is_object() || params.is_function()) {
            return Err(type_error(
                "params must be an object or a function returning one",
            ));
        }
        let vsn = match get(opts, "vsn") {
            None => "2.0.0".to_owned(),
            Some(v) => v
                .as_string()
                .ok_or_else(|| type_error("vsn must be a string"))?,
        };
        let mut end = end_point;
        end.push_str("/websocket");
        Ok(Options {
            end_point: end,
            transport,
            long_poll_fallback_ms,
            session_storage,
            longpoller_timeout: number(opts, "longpollerTimeout", 20_000.0)?,
            timeout: number(opts, "timeout", DEFAULT_TIMEOUT)?,
            heartbeat_interval_ms: number(
                opts,
                "heartbeatIntervalMs",
                DEFAULT_HEARTBEAT_INTERVAL_MS,
            )?,
            reconnect_after_ms: function(opts, "reconnectAfterMs")?,
            rejoin_after_ms: function(opts, "rejoinAfterMs")?,
            logger: function(opts, "logger")?,
            debug: get(opts, "debug").is_some(),
            params,
            auth_token,
            binary_type: get(opts, "binaryType")
                .unwrap_or_else(|| JsValue::from_str("arraybuffer")),
            vsn,
            encode: codec("encode")?,
            decode: codec("decode")?,
            improvements: Improvements {
                reconnect_jitter: match choice(opts, "reconnectJitter", &["full", "decorrelated"])?
                {
                    None => Jitter::None,
                    Some(0) => Jitter::Full,
                    Some(_) => Jitter::Decorrelated,
                },
                hidden_reconnect_defer_ms: match get(opts, "hiddenReconnectDeferMs") {
                    None => None,
                    Some(_) => Some(number(opts, "hiddenReconnectDeferMs", 0.0)?),
                },
                heartbeat_timeout_ms: match get(opts, "heartbeatTimeoutMs") {
                    None => None,
                    Some(_) => Some(number(opts, "heartbeatTimeoutMs", 0.0)?),
                },
                probe_on_online: get(opts, "probeOnOnline").is_some(),
                buffer_limits: BufferLimits {
                    send: limit(opts, "sendBufferLimit")?,
                    push: limit(opts, "pushBufferLimit")?,
                    policy: match choice(opts, "bufferDropPolicy", &["oldest", "newest"])? {
                        Some(1) => DropPolicy::Newest,
                        _ => DropPolicy::Oldest,
                    },
                },
            },
            awaitable_pushes: get(opts, "awaitablePushes").is_some(),
        })
    }
}

/// Wraps a user schedule `(tries) => ms` for the engine. A throw or a non-number reads as
/// 0 ms, as `setTimeout` would read it.
pub(crate) fn schedule(f: Function) -> crate::core::timer::Schedule {
    Box::new(move |tries| {
        f.call1(&JsValue::UNDEFINED, &JsValue::from(tries))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    })
}
