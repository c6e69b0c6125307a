//! The text codec of the browser build (spec §6.1): V2 frames `[join_ref, ref, topic, event,
//! payload]` through the host's `JSON.parse` / `JSON.stringify` (ARCHITECTURE.md principle 3).
//!
//! Only the envelope becomes Rust strings; the payload stays the `JsValue` that `JSON.parse`
//! built, and is handed to `JSON.stringify` untouched on the way out. No serde_json and no
//! `core::fmt` on these paths (principle 6).
//!
//! Binary frames (spec §6.2) are not handled here: their layouts are the same for every
//! payload type and live in [`crate::core::serializer`].

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::message::{Message, Outgoing, Ref};
use crate::core::serializer::{
    binary_header_len, decode_binary_with, encode_binary_outgoing_header, envelope, DecodeError,
    EncodeError, Field,
};
use crate::web::intern::with_js_str;

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// The envelope of a parsed text frame as one string (see [`decode_parsed`]).
    #[wasm_bindgen(js_name = frameEnvelope)]
    fn frame_envelope(frame: &JsValue) -> String;
    /// `JSON.stringify([join_ref, ref, topic, event, payload])` in one call: the refs cross
    /// as numbers (-1 for `null`) and the strings as (cached) JS strings, so encoding a
    /// frame converts no string (docs/PERFORMANCE.md).
    #[wasm_bindgen(catch, js_name = encodeFrame)]
    fn encode_frame(
        join_ref: f64,
        ref_: f64,
        topic: &JsValue,
        event: &JsValue,
        payload: &JsValue,
    ) -> Result<JsString, JsValue>;

    /// A binary frame `header ++ payload` as a new `ArrayBuffer`: the payload is copied once,
    /// JS to JS, instead of into wasm memory and out again. A detached payload is empty.
    #[wasm_bindgen(js_name = binaryFrame)]
    fn binary_frame(header: &[u8], payload: &JsValue) -> JsValue;

    /// [`encode_frame`] and `transport.send(frame)` in one call; false (nothing sent) when
    /// the payload is an `ArrayBuffer`. What `JSON.stringify` or `send` throws is the error.
    #[wasm_bindgen(catch, js_name = sendText)]
    fn send_text_js(
        transport: &JsValue,
        join_ref: f64,
        ref_: f64,
        topic: &JsValue,
        event: &JsValue,
        payload: &JsValue,
    ) -> Result<bool, JsValue>;

    /// `{topic, event, payload, ref, join_ref}` (without `join_ref` unless `has_join_ref`)
    /// in one call.
    #[wasm_bindgen(js_name = outgoingObject)]
    fn outgoing_object_js(
        topic: &JsValue,
        event: &JsValue,
        payload: &JsValue,
        ref_: &JsValue,
        join_ref: &JsValue,
        has_join_ref: bool,
    ) -> JsValue;

    /// `{join_ref, ref, topic, event, payload}` in one call.
    #[wasm_bindgen(js_name = messageObject)]
    fn message_object_js(
        join_ref: &JsValue,
        ref_: &JsValue,
        topic: &JsValue,
        event: &JsValue,
        payload: &JsValue,
    ) -> JsValue;
}

/// The message object phoenix.js hands to `socket.onMessage` callbacks:
/// `{join_ref, ref, topic, event, payload}`, refs as strings or `null`. Topic, event and
/// join ref come from the JS-string cache (they repeat from frame to frame).
pub fn message_object(
    join_ref: Option<&str>,
    ref_: Option<&str>,
    topic: &str,
    event: &str,
    payload: &JsValue,
) -> JsValue {
    use crate::web::intern::js_str;
    message_object_js(
        &join_ref.map_or(JsValue::NULL, js_str),
        &ref_.map_or(JsValue::NULL, JsValue::from_str),
        &js_str(topic),
        &js_str(event),
        payload,
    )
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse(raw)` on the frame as the host handed it over (a JS string): js-sys's
    /// binding takes `&str`, which would copy the frame into wasm memory and back.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(raw: &JsValue) -> Result<JsValue, JsValue>;
}

/// Decodes a frame as a transport delivers it (`event.data`): an `ArrayBuffer` as a binary
/// frame (spec §6.2), anything else as a text frame ([`decode_text`]).
pub fn decode_message(data: &JsValue) -> Result<Message<JsValue>, DecodeError> {
    match data.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(buf) => decode_binary_buffer(buf),
        None => decode_text(data),
    }
}

/// A binary frame (spec §6.2) with only its header copied into wasm memory: the payload is
/// `buffer.slice(offset)`, one copy JS to JS, as phoenix.js makes it.
fn decode_binary_buffer(buf: &js_sys::ArrayBuffer) -> Result<Message<JsValue>, DecodeError> {
    let view = js_sys::Uint8Array::new(buf);
    let total = view.length();
    let mut prefix = [0u8; 6];
    let n = total.min(6);
    if let Some(dst) = prefix.get_mut(..n as usize) {
        view.subarray(0, n).copy_to(dst);
    }
    let header_len = binary_header_len(prefix.get(..n as usize).unwrap_or_default())?;
    let len = (header_len as u32).min(total);
    let mut header = vec![0u8; len as usize];
    view.subarray(0, len).copy_to(&mut header);
    decode_binary_with(&header, |at| buf.slice(at as u32).into())
}

/// The frame to send for `msg` with the default serializer: a binary frame for an
/// `ArrayBuffer` payload (only the header is built in wasm; the payload is appended in JS,
/// one copy), a text frame ([`encode_text`]) otherwise.
pub fn encode_message(msg: &Outgoing<JsValue>) -> Result<JsValue, EncodeError> {
    if msg.payload.is_instance_of::<js_sys::ArrayBuffer>() {
        return encode_binary(msg);
    }
    encode_text(msg).map(Into::into)
}

/// The binary frame of `msg`, whose payload is an `ArrayBuffer`.
pub fn encode_binary(msg: &Outgoing<JsValue>) -> Result<JsValue, EncodeError> {
    // No room reserved for the payload: it is appended on the JS side.
    let header = encode_binary_outgoing_header(msg, 0)?;
    Ok(binary_frame(&header, &msg.payload))
}

/// Sends `msg` on `transport` as the default serializer's text frame, encoded and sent in
/// one host call (the per-message path of every push). `Ok(false)`: the payload is an
/// `ArrayBuffer`, nothing was sent, the caller sends [`encode_binary`]'s frame. What
/// `JSON.stringify` throws (a cyclic payload, a `BigInt`, a throwing `toJSON`) is returned
/// as it is, so `channel.push` throws phoenix.js's exception; so is what `send` throws.
pub fn send_text(transport: &JsValue, msg: &Outgoing<JsValue>) -> Result<bool, JsValue> {
    with_js_str(&msg.topic, |topic| {
        with_js_str(&msg.event, |event| {
            send_text_js(
                transport,
                ref_number(msg.join_ref),
                ref_number(msg.ref_),
                topic,
                event,
                &msg.payload,
            )
        })
    })
}

/// Decodes a text frame (spec §6.1 `decode`): `JSON.parse`, then the envelope.
///
/// - not JSON (`JSON.parse` throws) → [`DecodeError::InvalidJson`];
/// - not an array → [`DecodeError::NotAnArray`];
/// - fewer than 5 elements → [`DecodeError::WrongArity`] (extra elements are ignored, as in
///   phoenix.js);
/// - `join_ref` / `ref` neither string nor `null`, or `topic` / `event` not strings →
///   [`DecodeError::FieldType`] naming the field.
///
/// The field rules are [`envelope`] of the core serializer, shared with the native
/// serde_json decoder so both payload types reject the same frames (the arity rule,
/// `core::serializer::check_arity`, is applied by the host in `frameEnvelope`; the decoder
/// tests in `tests/web_payload.rs` hold both to the same cases).
/// phoenix.js checks none of these and would hand `undefined`s to the socket; the engine
/// drops such frames instead (ARCHITECTURE.md principle 4). The payload is whatever
/// `JSON.parse` produced, untouched.
pub fn decode_text(data: &JsValue) -> Result<Message<JsValue>, DecodeError> {
    let parsed = json_parse(data).map_err(|_| DecodeError::InvalidJson)?;
    decode_parsed(parsed)
}

/// The envelope of a text frame that `JSON.parse` already turned into `parsed` (the
/// router's `messageHandler` parses before it knows whether wasm needs the frame): the
/// rules of [`decode_text`] after its parse.
///
/// The array's length and four envelope fields come back from the host as one string
/// (`frameEnvelope` in `host.js`: `!` not an array, `#<n>` too short, else per field `n`
/// for `null`/`undefined`, `o` for another type, `s<UTF-16 length>:<text>`): reading them
/// one by one cost ~15 crossings and four string copies per frame.
pub fn decode_parsed(parsed: JsValue) -> Result<Message<JsValue>, DecodeError> {
    let env = frame_envelope(&parsed);
    let rest = env.as_str();
    if let Some(n) = rest.strip_prefix('#') {
        return Err(DecodeError::WrongArity(n.parse().unwrap_or(0)));
    }
    if rest.starts_with('!') {
        return Err(DecodeError::NotAnArray);
    }
    let mut rest = rest;
    let mut next = || -> Field<'_> {
        let (kind, after) = rest.split_at_checked(1).unwrap_or(("n", ""));
        rest = after;
        match kind {
            "s" => Field::from(take_counted(&mut rest)),
            "n" => Field::Null,
            _ => Field::Other,
        }
    };
    let (join_ref, ref_, topic, event) = (next(), next(), next(), next());
    let payload = parsed.unchecked_ref::<Array>().get_unchecked(4);
    envelope(join_ref, ref_, topic, event, payload)
}

/// Takes `<UTF-16 length>:<text>` off the front of `rest`: how the host hands several
/// strings over in one (`frameEnvelope`, the presence diff plan).
pub(crate) fn take_counted<'a>(rest: &mut &'a str) -> &'a str {
    let (len, after) = rest.split_once(':').unwrap_or(("0", ""));
    let (text, after) = split_utf16(after, len.parse().unwrap_or(0));
    *rest = after;
    text
}

/// `s` cut after `units` UTF-16 code units (JS string lengths), at a char boundary.
fn split_utf16(s: &str, units: usize) -> (&str, &str) {
    // ASCII (topics, events, refs, most keys): a UTF-16 unit is a byte, and the byte after
    // an ASCII run always starts a char.
    if let Some(head) = s.as_bytes().get(..units) {
        if head.is_ascii() {
            return (s.get(..units).unwrap_or(s), s.get(units..).unwrap_or(""));
        }
    }
    let mut seen = 0;
    let end = s
        .char_indices()
        .find_map(|(at, c)| {
            let stop = (seen >= units).then_some(at);
            seen += c.len_utf16();
            stop
        })
        .unwrap_or(s.len());
    // `end` is a char boundary (or the end), so neither `get` fails; `split_at` would link
    // the panic machinery's formatting.
    (s.get(..end).unwrap_or(s), s.get(end..).unwrap_or(""))
}

/// Encodes a message as a text frame (spec §6.1 `encode`):
/// `JSON.stringify([join_ref, ref, topic, event, payload])`, refs as decimal strings and a
/// missing ref as `null`.
///
/// An `undefined` payload becomes `null` in the array, as `JSON.stringify` does (phoenix.js
/// would throw reading `payload.constructor`; the engine always defaults payloads to `{}`).
/// When `JSON.stringify` throws (a cyclic payload, a `BigInt`, a throwing `toJSON`) the
/// host's message is returned in [`EncodeError::Json`].
pub fn encode_text(msg: &Outgoing<JsValue>) -> Result<JsString, EncodeError> {
    with_js_str(&msg.topic, |topic| {
        with_js_str(&msg.event, |event| {
            encode_frame(
                ref_number(msg.join_ref),
                ref_number(msg.ref_),
                topic,
                event,
                &msg.payload,
            )
        })
    })
    .map_err(|err| EncodeError::Json(error_message(&err)))
}

/// A ref for [`encode_frame`]: its value (refs stay below 2^53, spec §2.3), -1 for none.
fn ref_number(r: Option<Ref>) -> f64 {
    r.map_or(-1.0, |r| r.0 as f64)
}

/// The message of a thrown value: `err.message` for an `Error`, the value itself when a
/// string was thrown, a fixed text otherwise.
fn error_message(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    err.as_string()
        .unwrap_or_else(|| String::from("JSON.stringify threw a non-Error value"))
}

/// What a custom `encode(msg, cb)` receives: phoenix.js's `socket.push` argument,
/// `{topic, event, payload, ref, join_ref}` for channel messages and
/// `{topic, event, payload, ref}` (no `join_ref` key) for heartbeats and pings (spec §2.3).
pub fn outgoing_object(msg: &Outgoing<JsValue>) -> JsValue {
    use crate::web::intern::js_str;
    let (mut jr, mut r) = ([0u8; 20], [0u8; 20]);
    let heartbeat = msg.join_ref.is_none() && msg.topic == "phoenix" && msg.event == "heartbeat";
    outgoing_object_js(
        &js_str(&msg.topic),
        &js_str(&msg.event),
        &msg.payload,
        &msg.ref_
            .map_or(JsValue::NULL, |x| JsValue::from_str(x.write(&mut r))),
        &msg.join_ref
            .map_or(JsValue::NULL, |x| js_str(x.write(&mut jr))),
        !heartbeat,
    )
}
