//! `serde_json::Value` as an engine payload, and the text frames of spec §6.1 for it
//! (feature `json`; native tests, fuzzing and Rust tools, never the wasm build).
//!
//! - [`decode_text`]: a text frame → [`Message<Value>`], through
//!   [`serializer::envelope`](crate::core::serializer::envelope).
//! - [`encode_text`]: an [`Outgoing<Value>`] → exactly the bytes of phoenix.js's
//!   `JSON.stringify([join_ref, ref, topic, event, payload])`.
//!
//! ## Binary payloads
//!
//! JSON has no `ArrayBuffer`, so a binary payload is represented as an object with one key,
//! [`BINARY_KEY`] (`"__phoenix_wasm_binary__"`), whose value is the array of its bytes:
//! `{"__phoenix_wasm_binary__": [1, 2, 255]}` (see [`binary_value`]). [`Payload::binary`] is
//! `Some` only for an object with exactly that one key and an array of integers 0..=255, so
//! no ordinary payload is taken for binary by accident. Such a payload must be sent with
//! [`encode_binary_outgoing`](crate::core::serializer::encode_binary_outgoing) (the engine
//! checks `binary()` first, as phoenix.js checks `constructor === ArrayBuffer`);
//! [`encode_text`] would write the marker object as ordinary JSON.
//!
//! ```
//! use phoenix_wasm::core::json::{decode_text, encode_text};
//! use phoenix_wasm::core::message::{Outgoing, Ref};
//! use serde_json::json;
//!
//! let heartbeat = Outgoing {
//!     join_ref: None,
//!     ref_: Some(Ref(5)),
//!     topic: "phoenix".into(),
//!     event: "heartbeat".into(),
//!     payload: json!({}),
//!     raw: false,
//! };
//! assert_eq!(encode_text(&heartbeat).unwrap(), r#"[null,"5","phoenix","heartbeat",{}]"#);
//! let msg = decode_text(r#"["1","1","room:1","phx_reply",{"status":"ok","response":{}}]"#).unwrap();
//! assert_eq!(msg.event, "phx_reply");
//! ```
//!
//! Known differences from the browser's `JSON.parse`/`JSON.stringify`, none of which a
//! Phoenix server produces: serde_json refuses nesting deeper than 128 levels and `\u`
//! escapes of lone surrogates; object keys come out in the order of `serde_json::Map`
//! (sorted, unless serde_json's `preserve_order` feature is on); integers beyond 2^53 are
//! written exactly as stored, where a JS number would have rounded them.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::message::{Message, Outgoing, Ref};
use super::payload::{status, Payload, Status};
use super::serializer::{check_arity, envelope, DecodeError, EncodeError, Field};

/// The one key of the object that stands for a binary payload (see the module docs).
pub const BINARY_KEY: &str = "__phoenix_wasm_binary__";

/// The `Value` standing for a binary payload holding `bytes`:
/// `{"__phoenix_wasm_binary__": [bytes…]}`.
pub fn binary_value(bytes: &[u8]) -> Value {
    let array = bytes.iter().map(|&b| Value::from(b)).collect();
    let mut map = Map::new();
    map.insert(BINARY_KEY.to_owned(), Value::Array(array));
    Value::Object(map)
}

impl Payload for Value {
    fn empty_object() -> Self {
        Value::Object(Map::new())
    }

    fn string(s: &str) -> Self {
        Value::String(s.to_owned())
    }

    fn transport_error(reason: &str) -> Self {
        let mut map = Map::new();
        map.insert("source".to_owned(), Value::from("transport"));
        map.insert("reason".to_owned(), Value::from(reason));
        Value::Object(map)
    }

    fn reason(reason: &str) -> Self {
        let mut map = Map::new();
        map.insert("reason".to_owned(), Value::from(reason));
        Value::Object(map)
    }

    fn reply(status: &str, response: Self) -> Self {
        let mut map = Map::new();
        map.insert("status".to_owned(), Value::from(status));
        map.insert("response".to_owned(), response);
        Value::Object(map)
    }

    fn reply_status(&self) -> Option<Status> {
        self.get("status").and_then(Value::as_str).map(status)
    }

    fn reply_response(&self) -> Self {
        self.get("response").cloned().unwrap_or(Value::Null)
    }

    fn from_binary(bytes: &[u8]) -> Self {
        binary_value(bytes)
    }

    fn binary(&self) -> Option<Vec<u8>> {
        let map = self.as_object()?;
        if map.len() != 1 {
            return None;
        }
        map.get(BINARY_KEY)?
            .as_array()?
            .iter()
            .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
            .collect()
    }
}

/// An envelope element as a [`Field`]: moves a string out, no copy.
fn field(value: Value) -> Field<'static> {
    match value {
        Value::Null => Field::Null,
        Value::String(s) => Field::Str(Cow::Owned(s)),
        _ => Field::Other,
    }
}

/// Decodes a text frame (spec §6.1 `decode`): a JSON array of at least five elements
/// `[join_ref, ref, topic, event, payload]`; extra elements are ignored. Errors:
/// [`DecodeError::InvalidJson`], [`DecodeError::NotAnArray`], [`DecodeError::WrongArity`],
/// [`DecodeError::FieldType`] (see [`envelope`]).
pub fn decode_text(text: &str) -> Result<Message<Value>, DecodeError> {
    let parsed: Value = serde_json::from_str(text).map_err(|_| DecodeError::InvalidJson)?;
    let Value::Array(items) = parsed else {
        return Err(DecodeError::NotAnArray);
    };
    check_arity(items.len())?;
    let mut items = items.into_iter();
    let mut next = || items.next().unwrap_or(Value::Null);
    let (join_ref, ref_, topic, event) = (next(), next(), next(), next());
    let payload = next();
    envelope(
        field(join_ref),
        field(ref_),
        field(topic),
        field(event),
        payload,
    )
}

/// Encodes a text frame: exactly phoenix.js's `JSON.stringify([join_ref, ref, topic, event,
/// payload])` (spec §6.1), e.g. `[null,"5","phoenix","heartbeat",{}]`. Refs are written as
/// decimal strings, `None` as `null`; strings are escaped and numbers formatted as
/// `JSON.stringify` does (`1.0` → `1`, `1e21` → `1e+21`, `-0.0` → `0`).
///
/// Never fails for a `Value` (the `Result` is the engine's common encoder signature; a JS
/// host can fail on cyclic objects).
pub fn encode_text(msg: &Outgoing<Value>) -> Result<String, EncodeError> {
    let mut out = String::with_capacity(32 + msg.topic.len() + msg.event.len());
    out.push('[');
    write_ref(&mut out, msg.join_ref);
    out.push(',');
    write_ref(&mut out, msg.ref_);
    out.push(',');
    write_string(&mut out, &msg.topic);
    out.push(',');
    write_string(&mut out, &msg.event);
    out.push(',');
    write_value(&mut out, &msg.payload);
    out.push(']');
    Ok(out)
}

fn write_ref(out: &mut String, r: Option<Ref>) {
    match r {
        Some(r) => {
            let mut buf = [0u8; 20];
            out.push('"');
            out.push_str(r.write(&mut buf));
            out.push('"');
        }
        None => out.push_str("null"),
    }
}

/// `JSON.stringify` of a value, recursively (serde_json's depth limit bounds the recursion
/// for parsed values).
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// `JSON.stringify` of a string (ECMA-262 QuoteJSONString): `"` and `\` escaped, the short
/// escapes `\b \t \n \f \r`, other control characters as lowercase `\u00xx`, everything else
/// (including U+2028/U+2029 and non-ASCII) as is.
fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(b >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(b & 0xf).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        write_js_number(out, f);
    } else {
        out.push_str("null");
    }
}

/// ECMA-262 `Number::toString(10)` of a finite `f64`: the shortest round-trip digits
/// (which Rust's `{:e}` also gives), laid out by the decimal exponent: plain integer digits
/// below 1e21, a decimal point inside, `0.000ddd` down to 1e-7, otherwise `d.ddde±x`.
/// Non-finite values (which a `Value` cannot hold) are written `null`, as in JS.
fn write_js_number(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f == 0.0 {
        out.push('0'); // also -0, which JSON.stringify writes as 0
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    let (digits, exp) = shortest_digits(f.abs());
    let k = digits.len() as i64;
    // value = 0.digits × 10^n
    let n = exp + 1;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        // Here 0 < n < k: the split point is inside the (ASCII) digits.
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
}

/// The digits and decimal exponent of `{:e}` (`"1.25e-7"` → `("125", -7)`).
fn scientific(sci: &str) -> (String, i64) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// The shortest digits that round-trip to `f > 0`, with their exponent (`d.ddd × 10^exp`).
///
/// Rust's shortest formatting picks the closest of the shortest candidates, as ECMA-262
/// does, but breaks an exact tie upwards where ECMA-262 (and V8) take the even digit:
/// 1452659621583232.25 is `…232.3` in Rust and `…232.2` in JS. So when the last digit is
/// odd and its even neighbour also round-trips, the exact decimal expansion of `f` decides.
fn shortest_digits(f: f64) -> (String, i64) {
    let (digits, exp) = scientific(&format!("{f:e}"));
    let Some((prefix, last)) = split_last_digit(&digits) else {
        return (digits, exp);
    };
    if last % 2 == 0 {
        return (digits, exp);
    }
    let round_trips = |d: &str| {
        let (first, rest) = d.split_at(1.min(d.len()));
        format!("{first}.{rest}e{exp}").parse::<f64>().ok() == Some(f)
    };
    // An f64 has at most 767 significant decimal digits, so this expansion is exact.
    let (exact, exact_exp) = scientific(&format!("{f:.800e}"));
    let exact = exact.trim_end_matches('0');
    for even in [last - 1, last + 1].into_iter().filter(|&d| d <= 9) {
        let candidate = [prefix, &even.to_string()].concat();
        let midpoint = [prefix, &last.min(even).to_string(), "5"].concat();
        if exact_exp == exp && exact == midpoint && round_trips(&candidate) {
            return (candidate, exp);
        }
    }
    (digits, exp)
}

/// Splits off the last digit of a digit string.
fn split_last_digit(digits: &str) -> Option<(&str, u32)> {
    let (prefix, last) = digits.split_at_checked(digits.len().checked_sub(1)?)?;
    Some((prefix, last.chars().next()?.to_digit(10)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn js(f: f64) -> String {
        let mut s = String::new();
        write_js_number(&mut s, f);
        s
    }

    #[test]
    fn floats_are_formatted_like_js_number_to_string() {
        let cases = [
            (1.0, "1"),
            (-1.5, "-1.5"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (123456789012345680000.0, "123456789012345680000"),
            (1452659621583232.0 + 0.25, "1452659621583232.2"), // exact tie: even digit, as V8
            (1452659621583232.0 + 0.75, "1452659621583232.8"),
            (f64::NAN, "null"),
        ];
        for (f, want) in cases {
            assert_eq!(js(f), want, "{f:e}");
        }
    }

    #[test]
    fn strings_are_escaped_like_json_stringify() {
        let mut s = String::new();
        write_string(
            &mut s,
            "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}é\u{2028}😀/",
        );
        assert_eq!(
            s,
            "\"a\\\"b\\\\c\\b\\t\\n\\f\\r\\u0001\\u001f\u{7f}é\u{2028}😀/\""
        );
    }

    #[test]
    fn binary_marker_round_trips_and_ordinary_objects_are_not_binary() {
        let v = Value::from_binary(&[0, 1, 255]);
        assert_eq!(v, json!({ BINARY_KEY: [0, 1, 255] }));
        assert_eq!(v.binary(), Some(vec![0, 1, 255]));
        assert_eq!(json!({"bytes": [1, 2]}).binary(), None);
        assert_eq!(json!([1, 2]).binary(), None);
        assert_eq!(json!({ BINARY_KEY: [256] }).binary(), None);
        assert_eq!(json!({ BINARY_KEY: [-1] }).binary(), None);
        assert_eq!(json!({ BINARY_KEY: [1.5] }).binary(), None);
        assert_eq!(json!({ BINARY_KEY: [1], "other": 1 }).binary(), None);
        assert_eq!(json!({ BINARY_KEY: "AQI=" }).binary(), None);
    }
}
