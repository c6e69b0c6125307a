//! Browser tests of the browser payload type (`impl Payload for JsValue`) and the host-JSON
//! text codec (`web::decode_text` / `web::encode_text`), spec §6.1, §15 and §16.
//!
//! All browser tests of this layer live in this one file: each test file starts its own
//! browser session (toolchain.md trap 11). Run with
//! `CHROMEDRIVER=$(command -v chromedriver) cargo test --target wasm32-unknown-unknown --test web_payload`
//! or `GECKODRIVER=$(command -v geckodriver) cargo test --target wasm32-unknown-unknown --test web_payload`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, ArrayBuffer, DataView, Function, Object, Reflect, Uint8Array, JSON};
use phoenix_wasm::core::message::{Message, Outgoing, Ref};
use phoenix_wasm::core::payload::Payload;
use phoenix_wasm::core::serializer::{DecodeError, EncodeError};
use phoenix_wasm::web::{decode_text, encode_text};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------
// helpers

fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).unwrap().into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn decode(frame: &str) -> Result<Message<JsValue>, DecodeError> {
    decode_text(&JsValue::from_str(frame))
}

fn outgoing(
    join_ref: Option<u64>,
    ref_: Option<u64>,
    topic: &str,
    event: &str,
    payload: JsValue,
) -> Outgoing<JsValue> {
    Outgoing {
        join_ref: join_ref.map(Ref),
        ref_: ref_.map(Ref),
        topic: topic.into(),
        event: event.into(),
        payload,
        raw: false,
    }
}

fn encode(msg: &Outgoing<JsValue>) -> String {
    encode_text(msg).unwrap().into()
}

/// A JS function `(args) => body`, for values JSON cannot express (getters, toJSON, cycles).
fn js_fn(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

// ---------------------------------------------------------------------------------------
// decode (spec §6.1, §16)

/// A text frame and what it decodes to: (frame, join_ref, ref, topic, event, payload as
/// `JSON.stringify` writes it).
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
);

#[wasm_bindgen_test]
fn decodes_every_frame_example_of_spec_6_1() {
    let cases: &[Case] = &[
        (
            r#"[null,"5","phoenix","heartbeat",{}]"#,
            None,
            Some("5"),
            "phoenix",
            "heartbeat",
            "{}",
        ),
        (
            r#"["3","3","room:1","phx_join",{"token":"t"}]"#,
            Some("3"),
            Some("3"),
            "room:1",
            "phx_join",
            r#"{"token":"t"}"#,
        ),
        (
            r#"["3","8","room:1","ev",{"body":"hi"}]"#,
            Some("3"),
            Some("8"),
            "room:1",
            "ev",
            r#"{"body":"hi"}"#,
        ),
        (
            r#"["3","8","room:1","phx_reply",{"status":"ok","response":{"n":1}}]"#,
            Some("3"),
            Some("8"),
            "room:1",
            "phx_reply",
            r#"{"status":"ok","response":{"n":1}}"#,
        ),
        (
            r#"[null,null,"room:1","ev",{"all":true}]"#,
            None,
            None,
            "room:1",
            "ev",
            r#"{"all":true}"#,
        ),
        (
            r#"["3",null,"room:1","ev",{"to":"me"}]"#,
            Some("3"),
            None,
            "room:1",
            "ev",
            r#"{"to":"me"}"#,
        ),
        (
            r#"["3","3","room:1","phx_error",{"reason":"channel_crash"}]"#,
            Some("3"),
            Some("3"),
            "room:1",
            "phx_error",
            r#"{"reason":"channel_crash"}"#,
        ),
        (
            r#"["3","3","room:1","phx_close",{}]"#,
            Some("3"),
            Some("3"),
            "room:1",
            "phx_close",
            "{}",
        ),
    ];
    for &(frame, join_ref, ref_, topic, event, payload) in cases {
        let msg = decode(frame).unwrap_or_else(|e| panic!("{frame}: {e:?}"));
        assert_eq!(msg.join_ref.as_deref(), join_ref, "{frame}");
        assert_eq!(msg.ref_.as_deref(), ref_, "{frame}");
        assert_eq!(msg.topic, topic, "{frame}");
        assert_eq!(msg.event, event, "{frame}");
        assert!(msg.payload.is_object(), "{frame}");
        assert_eq!(stringify(&msg.payload), payload, "{frame}");
    }
}

/// Every text frame of the real-server walkthrough in spec §16, in both directions: decoding
/// and re-encoding gives back the very same text (key order, numbers, nesting untouched).
#[wasm_bindgen_test]
fn section_16_frames_decode_and_reencode_byte_for_byte() {
    let frames = [
        r#"["1","1","room:raw","phx_join",{"device":"raw"}]"#,
        r#"["1","1","room:raw","phx_reply",{"response":{"user_id":"raw"},"status":"ok"}]"#,
        r#"[null,null,"room:raw","presence_diff",{"joins":{"raw":{"metas":[{"device":"raw","online_at":1795827514733,"phx_ref":"GOwPnCWYIBnjAAOR","user_id":"raw"}]}},"leaves":{}}]"#,
        r#"["1",null,"room:raw","presence_state",{"raw":{"metas":[{"device":"raw","online_at":1795827514733,"phx_ref":"GOwPnCWYIBnjAAOR","user_id":"raw"}]}}]"#,
        r#"["1","2","room:raw","ping",{"a":1}]"#,
        r#"["1","2","room:raw","phx_reply",{"response":{"a":1},"status":"ok"}]"#,
        r#"["1","3","room:raw","error_reply",{}]"#,
        r#"["1","3","room:raw","phx_reply",{"response":{"reason":"nope"},"status":"error"}]"#,
        r#"[null,"5","phoenix","heartbeat",{}]"#,
        r#"[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]"#,
        r#"["1","6","room:raw","bulk",{"n":2}]"#,
        r#"["1",null,"room:raw","msg",{"i":1}]"#,
        r#"["1",null,"room:raw","msg",{"i":2}]"#,
        r#"["1","6","room:raw","phx_reply",{"response":{"n":2},"status":"ok"}]"#,
        r#"["1","7","room:raw","phx_leave",{}]"#,
        r#"["1","7","room:raw","phx_reply",{"response":{},"status":"ok"}]"#,
        r#"["1","1","room:raw","phx_close",{}]"#,
        r#"["3","3","room:forbidden","phx_join",{}]"#,
        r#"["3","3","room:forbidden","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#,
        r#"["1","4","room:a","crash",{}]"#,
        r#"["1","1","room:a","phx_error",{}]"#,
        r#"["1","1","room:a","phx_error",{"reason":"channel_crash"}]"#,
        r#"["2","5","room:b","stop",{}]"#,
        r#"["2","5","room:b","phx_reply",{"response":{},"status":"ok"}]"#,
        r#"["2","2","room:b","phx_close",{}]"#,
        r#"["9","6","room:c","ping",{}]"#,
        r#"[null,"6","room:c","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#,
    ];
    for frame in frames {
        let msg = decode(frame).unwrap_or_else(|e| panic!("{frame}: {e:?}"));
        let parse_ref = |r: &Option<String>| {
            r.as_deref()
                .map(|s| Ref::parse(s).unwrap_or_else(|| panic!("{frame}: ref {s}")))
        };
        let out = Outgoing {
            join_ref: parse_ref(&msg.join_ref),
            ref_: parse_ref(&msg.ref_),
            topic: msg.topic.clone(),
            event: msg.event.clone(),
            payload: msg.payload.clone(),
            raw: false,
        };
        assert_eq!(encode(&out), frame);
    }
}

#[wasm_bindgen_test]
fn decoded_payloads_are_the_parsed_js_values() {
    let msg = decode(
        r#"[null,null,"room:raw","presence_diff",{"joins":{"raw":{"metas":[{"device":"raw","online_at":1795827514733,"phx_ref":"GOwPnCWYIBnjAAOR","user_id":"raw"}]}},"leaves":{}}]"#,
    )
    .unwrap();
    let metas = get(&get(&get(&msg.payload, "joins"), "raw"), "metas");
    assert!(Array::is_array(&metas));
    let meta = Reflect::get_u32(&metas, 0).unwrap();
    assert_eq!(get(&meta, "online_at").as_f64(), Some(1_795_827_514_733.0));
    assert_eq!(
        get(&meta, "phx_ref").as_string().as_deref(),
        Some("GOwPnCWYIBnjAAOR")
    );
    assert_eq!(stringify(&get(&msg.payload, "leaves")), "{}");

    // A reply as the server sends it (keys response, status) reads through the Payload trait.
    let reply =
        decode(r#"["1","1","room:raw","phx_reply",{"response":{"user_id":"raw"},"status":"ok"}]"#)
            .unwrap();
    assert_eq!(reply.payload.reply_status().as_deref(), Some("ok"));
    assert_eq!(
        get(&reply.payload.reply_response(), "user_id")
            .as_string()
            .as_deref(),
        Some("raw")
    );

    // Non-object payloads are kept as they are.
    assert_eq!(
        decode(r#"[null,null,"t","e","leave"]"#)
            .unwrap()
            .payload
            .as_string()
            .as_deref(),
        Some("leave")
    );
    assert_eq!(
        decode(r#"[null,null,"t","e",12.5]"#)
            .unwrap()
            .payload
            .as_f64(),
        Some(12.5)
    );
    assert!(decode(r#"[null,null,"t","e",null]"#)
        .unwrap()
        .payload
        .is_null());
}

#[wasm_bindgen_test]
fn decode_ignores_elements_after_the_fifth_and_keeps_unicode() {
    let msg = decode(r#"["1","2","room:é😀","ev\u00e9",{"k":"v"},"extra",6]"#).unwrap();
    assert_eq!(msg.join_ref.as_deref(), Some("1"));
    assert_eq!(msg.ref_.as_deref(), Some("2"));
    assert_eq!(msg.topic, "room:é😀");
    assert_eq!(msg.event, "evé");
    assert_eq!(stringify(&msg.payload), r#"{"k":"v"}"#);
}

#[wasm_bindgen_test]
fn decode_of_text_that_is_not_json_is_invalid_json() {
    for frame in [
        "",
        "[",
        "not json",
        r#"{"a":1"#,
        r#"[null,"1","t","e",{}"#,
        "[null,'1','t','e',{}]",
    ] {
        assert_eq!(
            decode(frame).unwrap_err(),
            DecodeError::InvalidJson,
            "{frame:?}"
        );
    }
    // phoenix.js hands `rawPayload` itself to JSON.parse; so do we: `undefined` is not JSON.
    assert_eq!(
        decode_text(&JsValue::UNDEFINED).unwrap_err(),
        DecodeError::InvalidJson
    );
}

#[wasm_bindgen_test]
fn decode_of_json_that_is_not_an_array_is_not_an_array() {
    for frame in [
        "{}",
        r#"{"0":null,"1":"1","2":"t","3":"e","4":{},"length":5}"#,
        r#""str""#,
        "5",
        "null",
        "true",
    ] {
        assert_eq!(
            decode(frame).unwrap_err(),
            DecodeError::NotAnArray,
            "{frame}"
        );
    }
}

#[wasm_bindgen_test]
fn decode_of_a_short_array_names_its_length() {
    assert_eq!(decode("[]").unwrap_err(), DecodeError::WrongArity(0));
    assert_eq!(decode(r#"[null]"#).unwrap_err(), DecodeError::WrongArity(1));
    assert_eq!(
        decode(r#"[null,"1","t","e"]"#).unwrap_err(),
        DecodeError::WrongArity(4)
    );
}

/// The envelope crosses from the host as one string of lengths and texts: strings with the
/// separator, digits, non-ASCII and astral characters, empty strings and `undefined`-free
/// nulls come through exactly.
#[wasm_bindgen_test]
fn decode_keeps_every_envelope_string_exactly() {
    let m = decode(r#"["12:3","","room:ü😀:1","e:v",{"a":1}]"#).unwrap();
    assert_eq!(m.join_ref.as_deref(), Some("12:3"));
    assert_eq!(m.ref_.as_deref(), Some(""));
    assert_eq!(m.topic, "room:ü😀:1");
    assert_eq!(m.event, "e:v");
    let m = decode(r#"[null,null,"s1:x","😀",null,"extra"]"#).unwrap();
    assert_eq!((m.join_ref, m.ref_), (None, None));
    assert_eq!((m.topic.as_str(), m.event.as_str()), ("s1:x", "😀"));
    assert!(m.payload.is_null());
}

#[wasm_bindgen_test]
fn decode_of_a_mistyped_envelope_field_names_the_field() {
    let cases = [
        (r#"[null,"1",5,"e",{}]"#, "topic"),
        (r#"[null,"1",null,"e",{}]"#, "topic"),
        (r#"[null,"1","t",7,{}]"#, "event"),
        (r#"[null,"1","t",null,{}]"#, "event"),
        (r#"[null,1,"t","e",{}]"#, "ref"),
        (r#"[null,{},"t","e",{}]"#, "ref"),
        (r#"[1,"1","t","e",{}]"#, "join_ref"),
        (r#"[["1"],"1","t","e",{}]"#, "join_ref"),
        (r#"[false,"1","t","e",{}]"#, "join_ref"),
    ];
    for (frame, field) in cases {
        assert_eq!(
            decode(frame).unwrap_err(),
            DecodeError::FieldType(field),
            "{frame}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// encode (spec §6.1, §15)

#[wasm_bindgen_test]
fn encodes_heartbeat_join_and_push_frames_exactly() {
    let heartbeat = outgoing(
        None,
        Some(5),
        "phoenix",
        "heartbeat",
        JsValue::empty_object(),
    );
    assert_eq!(encode(&heartbeat), r#"[null,"5","phoenix","heartbeat",{}]"#);

    let join = outgoing(
        Some(3),
        Some(3),
        "room:1",
        "phx_join",
        parse(r#"{"token":"t","n":1}"#),
    );
    assert_eq!(
        encode(&join),
        r#"["3","3","room:1","phx_join",{"token":"t","n":1}]"#
    );

    let push = outgoing(Some(3), Some(8), "room:1", "ev", parse(r#"{"body":"hi"}"#));
    assert_eq!(encode(&push), r#"["3","8","room:1","ev",{"body":"hi"}]"#);

    let leave = outgoing(
        Some(1),
        Some(7),
        "room:raw",
        "phx_leave",
        JsValue::empty_object(),
    );
    assert_eq!(encode(&leave), r#"["1","7","room:raw","phx_leave",{}]"#);

    let broadcast = outgoing(None, None, "room:1", "ev", JsValue::empty_object());
    assert_eq!(encode(&broadcast), r#"[null,null,"room:1","ev",{}]"#);
}

#[wasm_bindgen_test]
fn encodes_refs_as_decimal_strings_up_to_the_saturation_point() {
    let msg = outgoing(Some(0), Some(1 << 53), "t", "e", JsValue::empty_object());
    assert_eq!(encode(&msg), r#"["0","9007199254740992","t","e",{}]"#);
    let msg = outgoing(
        Some(10),
        Some(1_000_000),
        "t\"q",
        "é",
        JsValue::empty_object(),
    );
    assert_eq!(encode(&msg), r#"["10","1000000","t\"q","é",{}]"#);
}

#[wasm_bindgen_test]
fn encode_treats_undefined_like_json_stringify() {
    // An undefined field is left out, an undefined array element becomes null.
    let payload = Object::new();
    Reflect::set(&payload, &"a".into(), &JsValue::UNDEFINED).unwrap();
    Reflect::set(&payload, &"b".into(), &1.into()).unwrap();
    Reflect::set(&payload, &"f".into(), &js_fn("", "return 1")).unwrap();
    Reflect::set(
        &payload,
        &"list".into(),
        &Array::of2(&JsValue::UNDEFINED, &2.into()),
    )
    .unwrap();
    let msg = outgoing(Some(1), Some(2), "t", "e", payload.into());
    assert_eq!(encode(&msg), r#"["1","2","t","e",{"b":1,"list":[null,2]}]"#);

    // An undefined payload is an undefined array element: null.
    let msg = outgoing(Some(1), Some(2), "t", "e", JsValue::UNDEFINED);
    assert_eq!(encode(&msg), r#"["1","2","t","e",null]"#);
}

#[wasm_bindgen_test]
fn encode_calls_to_json_like_json_stringify() {
    let payload = Object::new();
    Reflect::set(&payload, &"toJSON".into(), &js_fn("", "return {x: 1}")).unwrap();
    let msg = outgoing(Some(1), Some(2), "t", "e", payload.into());
    assert_eq!(encode(&msg), r#"["1","2","t","e",{"x":1}]"#);

    let date = js_sys::Date::new(&JsValue::from_f64(0.0));
    let msg = outgoing(Some(1), Some(2), "t", "e", date.into());
    assert_eq!(
        encode(&msg),
        r#"["1","2","t","e","1970-01-01T00:00:00.000Z"]"#
    );
}

#[wasm_bindgen_test]
fn encode_keeps_js_key_order_and_number_formatting() {
    let payload = js_fn("", r#"return {b: 1, a: 2, 10: "ten", 2: "two", big: 1e21, neg0: -0, frac: 0.1, nan: NaN, inf: Infinity}"#)
        .call0(&JsValue::NULL)
        .unwrap();
    let msg = outgoing(None, Some(1), "t", "e", payload);
    assert_eq!(
        encode(&msg),
        r#"[null,"1","t","e",{"2":"two","10":"ten","b":1,"a":2,"big":1e+21,"neg0":0,"frac":0.1,"nan":null,"inf":null}]"#
    );
}

#[wasm_bindgen_test]
fn encode_of_an_unserialisable_payload_is_a_json_error() {
    // A cyclic object: the host's own message ("circular" in Chromium, "cyclic" in Firefox).
    let cyclic = Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let err = encode_text(&outgoing(Some(1), Some(2), "t", "e", cyclic.into())).unwrap_err();
    let EncodeError::Json(text) = err else {
        panic!("{err:?}")
    };
    let lower = text.to_lowercase();
    assert!(
        lower.contains("circular") || lower.contains("cyclic"),
        "{text}"
    );

    // A BigInt has no JSON form either.
    let big = js_fn("", "return 10n").call0(&JsValue::NULL).unwrap();
    assert!(
        matches!(encode_text(&outgoing(None, None, "t", "e", big)), Err(EncodeError::Json(m)) if !m.is_empty())
    );

    // A toJSON that throws a string: that string is the message.
    let payload = Object::new();
    Reflect::set(&payload, &"toJSON".into(), &js_fn("", "throw 'boom'")).unwrap();
    assert_eq!(
        encode_text(&outgoing(None, None, "t", "e", payload.into())).unwrap_err(),
        EncodeError::Json("boom".into())
    );
}

#[wasm_bindgen_test]
fn typed_arrays_are_not_binary_and_encode_as_index_objects() {
    // spec §6.1: a Uint8Array serialises as {"0":…}.
    let bytes = Uint8Array::new_from_slice(&[1, 2]);
    assert_eq!(JsValue::from(bytes.clone()).binary(), None);
    let msg = outgoing(Some(1), Some(2), "t", "e", bytes.into());
    assert_eq!(encode(&msg), r#"["1","2","t","e",{"0":1,"1":2}]"#);
}

// ---------------------------------------------------------------------------------------
// the Payload trait on JsValue

#[wasm_bindgen_test]
fn constructors_build_the_phoenix_js_shapes() {
    let a = JsValue::empty_object();
    let b = JsValue::empty_object();
    assert_eq!(stringify(&a), "{}");
    assert_eq!(
        Object::get_prototype_of(&a),
        Object::get_prototype_of(&Object::new().into())
    );
    // A new object every time: a callback mutating one payload does not leak into the next.
    Reflect::set(&a, &"x".into(), &1.into()).unwrap();
    assert_eq!(stringify(&b), "{}");

    let s = JsValue::string("leave");
    assert_eq!(s.as_string().as_deref(), Some("leave"));
    assert_eq!(s.js_typeof().as_string().as_deref(), Some("string"));

    let err = JsValue::transport_error("heartbeat_timeout");
    assert_eq!(
        stringify(&err),
        r#"{"source":"transport","reason":"heartbeat_timeout"}"#
    );

    let reply = JsValue::reply("timeout", JsValue::empty_object());
    assert_eq!(stringify(&reply), r#"{"status":"timeout","response":{}}"#);
    let response = parse(r#"{"a":[1]}"#);
    let reply = JsValue::reply("ok", response.clone());
    // The response is the same JS object, not a copy.
    assert_eq!(get(&reply, "response"), response);
    assert_eq!(reply.reply_status().as_deref(), Some("ok"));
    assert_eq!(reply.reply_response(), response);
}

#[wasm_bindgen_test]
fn reply_status_and_response_never_throw_on_odd_payloads() {
    let odd = [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from_f64(3.0),
        JsValue::from_str("ok"),
        JsValue::TRUE,
        parse("[1,2]"),
        parse("{}"),
        parse(r#"{"status":1,"response":null}"#),
        parse(r#"{"status":null}"#),
        parse(r#"{"status":{"s":"ok"}}"#),
    ];
    for p in &odd {
        assert_eq!(p.reply_status(), None, "{}", stringify(p));
    }
    for p in &odd[..7] {
        assert!(p.reply_response().is_undefined(), "{}", stringify(p));
    }
    assert!(odd[7].reply_response().is_null());

    // Status without a response: the status reads, the response is undefined.
    let p = parse(r#"{"status":"error"}"#);
    assert_eq!(p.reply_status().as_deref(), Some("error"));
    assert!(p.reply_response().is_undefined());

    // The usual statuses cross as numbers, any other string as itself.
    for status in ["ok", "error", "timeout", "", "custom é 🦀", "OK"] {
        let p = JsValue::from(js_sys::Object::new());
        Reflect::set(&p, &"status".into(), &status.into()).unwrap();
        assert_eq!(p.reply_status().as_deref(), Some(status));
    }

    // Getters that throw read as absent rather than unwinding through wasm.
    let trap = js_fn(
        "",
        "const o = {}; for (const k of ['status', 'response']) \
         Object.defineProperty(o, k, {get() { throw new Error('trap ' + k); }}); return o;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    assert_eq!(trap.reply_status(), None);
    assert!(trap.reply_response().is_undefined());

    // A function with a status property is an object to JS, as in phoenix.js.
    let f = js_fn("", "return 1");
    Reflect::set(&f, &"status".into(), &"ok".into()).unwrap();
    assert_eq!(JsValue::from(f).reply_status().as_deref(), Some("ok"));
}

#[wasm_bindgen_test]
fn from_binary_makes_a_fresh_array_buffer_and_binary_reads_it_back() {
    let bytes = [0u8, 1, 2, 0x7f, 0x80, 0xff];
    let v = JsValue::from_binary(&bytes);
    let buffer = v.dyn_ref::<ArrayBuffer>().expect("an ArrayBuffer");
    assert_eq!(buffer.byte_length(), 6);
    // The same constructor phoenix.js checks (`payload.constructor === ArrayBuffer`).
    let ctor = get(&v, "constructor");
    assert_eq!(ctor, get(&js_sys::global(), "ArrayBuffer"));
    assert_eq!(Uint8Array::new(&v).to_vec(), bytes);
    assert_eq!(v.binary().as_deref(), Some(&bytes[..]));

    // Each call copies into its own buffer.
    let w = JsValue::from_binary(&bytes);
    assert_ne!(v, w);
    Uint8Array::new(&w).set_index(0, 9);
    assert_eq!(v.binary().as_deref(), Some(&bytes[..]));
    assert_eq!(
        w.binary().as_deref().and_then(|b| b.first().copied()),
        Some(9)
    );

    let empty = JsValue::from_binary(&[]);
    assert!(empty.is_instance_of::<ArrayBuffer>());
    assert_eq!(empty.binary(), Some(Vec::new()));

    // An ArrayBuffer made by JS is binary too; a slice is its own buffer.
    let js_buf = js_fn("", "return new Uint8Array([5, 6, 7]).buffer.slice(1)")
        .call0(&JsValue::NULL)
        .unwrap();
    assert_eq!(js_buf.binary(), Some(vec![6, 7]));
}

#[wasm_bindgen_test]
fn only_array_buffers_are_binary() {
    let buf = ArrayBuffer::new(4);
    let not_binary: [JsValue; 9] = [
        Uint8Array::new(&buf).into(),
        js_sys::Int32Array::new(&buf).into(),
        DataView::new(&buf, 0, 4).into(),
        parse("[1,2,3]"),
        parse(r#"{"byteLength":3}"#),
        JsValue::from_str("\u{0}\u{1}"),
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::empty_object(),
    ];
    for v in &not_binary {
        assert_eq!(v.binary(), None);
    }
    assert_eq!(JsValue::from(buf).binary(), Some(vec![0; 4]));
}

#[wasm_bindgen_test]
fn binary_of_a_detached_buffer_is_empty_instead_of_a_throw() {
    // `new Uint8Array(detached)` throws a TypeError; it must not unwind through wasm.
    let detached = js_fn(
        "",
        "const b = new ArrayBuffer(8); structuredClone(b, {transfer: [b]}); return b;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    assert_eq!(get(&detached, "byteLength").as_f64(), Some(0.0));
    assert_eq!(detached.binary(), Some(Vec::new()));
}
