//! The functions behind the exported `Serializer` object (spec §6): the package entry
//! builds phoenix.js's plain object `{HEADER_LENGTH, META_LENGTH, KINDS, encode, decode}`
//! around these, so users who pass `Serializer.encode` / `decode` as socket options, or
//! call them directly, get phoenix.js's frames.

use js_sys::{Array, ArrayBuffer, Function, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::message::Message;
use crate::core::serializer::{decode_binary, encode_binary};
use crate::web::decode_text;

fn field(msg: &JsValue, key: &str) -> JsValue {
    Reflect::get(msg, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A header field as `TextEncoder.encode(value)` sees it: `null` → "null", `undefined` → "".
fn header_text(v: &JsValue) -> Option<String> {
    if v.is_undefined() {
        Some(String::new())
    } else if v.is_null() {
        None
    } else {
        Some(
            v.as_string()
                .unwrap_or_else(|| String::from(js_sys::JsString::from(v.clone()))),
        )
    }
}

/// `Serializer.encode(msg, callback)`: a binary frame when the payload is an
/// `ArrayBuffer`, else `JSON.stringify([join_ref, ref, topic, event, payload])`.
#[wasm_bindgen(js_name = serializerEncode)]
pub fn serializer_encode(msg: JsValue, callback: Function) -> Result<JsValue, JsValue> {
    let frame = encode_object(&msg)?;
    callback.call1(&JsValue::UNDEFINED, &frame)
}

/// The frame of phoenix.js's default `encode` for any message object (also what
/// `socket.push(data)` sends: `data` as given).
pub(crate) fn encode_object(msg: &JsValue) -> Result<JsValue, JsValue> {
    let msg = msg.clone();
    let payload = field(&msg, "payload");
    let frame: JsValue = if let Some(buf) = payload.dyn_ref::<ArrayBuffer>() {
        let bytes = Uint8Array::new(buf).to_vec();
        let text = |k: &str| header_text(&field(&msg, k));
        let (jr, r, t, e) = (text("join_ref"), text("ref"), text("topic"), text("event"));
        let frame = encode_binary(
            jr.as_deref(),
            r.as_deref(),
            t.as_deref().unwrap_or("null"),
            e.as_deref().unwrap_or("null"),
            &bytes,
        )
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.describe())))?;
        Uint8Array::from(frame.as_slice()).buffer().into()
    } else {
        let arr = Array::of5(
            &field(&msg, "join_ref"),
            &field(&msg, "ref"),
            &field(&msg, "topic"),
            &field(&msg, "event"),
            &payload,
        );
        JSON::stringify(&arr)?.into()
    };
    Ok(frame)
}

/// `{join_ref, ref, topic, event, payload}`.
pub(crate) fn message_object(m: &Message<JsValue>) -> JsValue {
    crate::web::serializer::message_object(
        m.join_ref.as_deref(),
        m.ref_.as_deref(),
        &m.topic,
        &m.event,
        &m.payload,
    )
}

/// `Serializer.decode(raw, callback)`: binary frames of kinds 0/1/2 or V2 JSON text.
/// A malformed frame throws an `Error` naming what is wrong.
#[wasm_bindgen(js_name = serializerDecode)]
pub fn serializer_decode(raw: JsValue, callback: Function) -> Result<JsValue, JsValue> {
    let decoded = match raw.dyn_ref::<ArrayBuffer>() {
        Some(buf) => decode_binary(&Uint8Array::new(buf).to_vec()),
        None => decode_text(&raw),
    };
    let msg = decoded.map_err(|e| JsValue::from(js_sys::Error::new(&e.describe())))?;
    callback.call1(&JsValue::UNDEFINED, &message_object(&msg))
}
