//! Endpoint URLs (spec §2.3 `endPointURL`, §7.5 `Ajax.serialize` / `appendParams`), with
//! phoenix.js's quirks: nested keys as `a[b]`, `null` as an empty segment, `vsn` last, and
//! `/path` or `//host` endpoints resolved against `location`.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `String(value)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
    /// `String(value)` that catches (symbols throw).
    #[wasm_bindgen(js_name = String, catch)]
    fn js_string_checked(value: &JsValue) -> Result<String, JsValue>;
}

/// `Ajax.serialize(obj, parentKey)`.
pub fn serialize(obj: &JsValue, parent_key: Option<&str>) -> String {
    let mut segments: Vec<String> = Vec::new();
    if obj.is_object() {
        let obj: &Object = obj.unchecked_ref();
        for key in Object::keys(obj).iter() {
            let key = js_string(&key);
            let param_key = match parent_key {
                Some(parent) => {
                    let mut k = String::with_capacity(parent.len() + key.len() + 2);
                    k.push_str(parent);
                    k.push('[');
                    k.push_str(&key);
                    k.push(']');
                    k
                }
                None => key.clone(),
            };
            let value = Reflect::get(obj, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
            if value.is_object() || value.is_null() {
                segments.push(serialize(&value, Some(&param_key)));
            } else {
                let text = js_string_checked(&value).unwrap_or_default();
                let mut seg = String::from(js_sys::encode_uri_component(&param_key));
                seg.push('=');
                seg.push_str(&String::from(js_sys::encode_uri_component(&text)));
                segments.push(seg);
            }
        }
    }
    segments.join("&")
}

/// `Ajax.appendParams(url, params)`: unchanged without keys, else `?` or `&` and the query.
pub fn append_params(url: &str, params: &JsValue) -> String {
    let has_keys =
        params.is_object() && Object::keys(params.unchecked_ref::<Object>()).length() > 0;
    if !has_keys {
        return url.to_owned();
    }
    let mut out = String::from(url);
    out.push(if url.contains('?') { '&' } else { '?' });
    out.push_str(&serialize(params, None));
    out
}

/// `location.protocol` / `location.host`, when there is a `location`.
fn location_field(name: &str) -> Result<String, JsValue> {
    let location = Reflect::get(&js_sys::global(), &JsValue::from_str("location"))?;
    if location.is_undefined() || location.is_null() {
        return Err(js_sys::TypeError::new(
            "location is not defined: use an absolute ws:// or wss:// endpoint",
        )
        .into());
    }
    Ok(js_string(&Reflect::get(
        &location,
        &JsValue::from_str(name),
    )?))
}

/// `protocol()`: `"wss"` on an https page, else `"ws"`.
pub fn protocol() -> Result<&'static str, JsValue> {
    Ok(if location_field("protocol")?.starts_with("https") {
        "wss"
    } else {
        "ws"
    })
}

/// `endPointURL()` for `end_point` (which already ends in `/websocket`), params and vsn.
pub fn end_point_url(end_point: &str, params: &JsValue, vsn: &str) -> Result<String, JsValue> {
    let with_params = append_params(end_point, params);
    let vsn_obj = Object::new();
    let _ = Reflect::set(&vsn_obj, &JsValue::from_str("vsn"), &JsValue::from_str(vsn));
    let uri = append_params(&with_params, &vsn_obj);
    if !uri.starts_with('/') {
        return Ok(uri);
    }
    let mut out = String::from(protocol()?);
    if uri.starts_with("//") {
        out.push(':');
    } else {
        out.push_str("://");
        out.push_str(&location_field("host")?);
    }
    out.push_str(&uri);
    Ok(out)
}
