//! The serializer against the frames of spec §6 and §16: text frames with serde_json
//! payloads, the binary layouts, their limits and errors, and properties over arbitrary
//! input. Run with `cargo test --features json`.
#![cfg(feature = "json")]

use phoenix_wasm::core::json::{binary_value, decode_text, encode_text, BINARY_KEY};
use phoenix_wasm::core::message::{Message, Outgoing, Ref};
use phoenix_wasm::core::payload::Payload;
use phoenix_wasm::core::serializer::{
    decode_binary, encode_binary, encode_binary_outgoing, DecodeError, EncodeError,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn out(
    join_ref: Option<u64>,
    ref_: Option<u64>,
    topic: &str,
    event: &str,
    payload: Value,
) -> Outgoing<Value> {
    Outgoing {
        join_ref: join_ref.map(Ref),
        ref_: ref_.map(Ref),
        topic: topic.to_owned(),
        event: event.to_owned(),
        payload,
        raw: false,
    }
}

fn msg(
    join_ref: Option<&str>,
    ref_: Option<&str>,
    topic: &str,
    event: &str,
    payload: Value,
) -> Message<Value> {
    Message {
        join_ref: join_ref.map(str::to_owned),
        ref_: ref_.map(str::to_owned),
        topic: topic.to_owned(),
        event: event.to_owned(),
        payload,
    }
}

/// Concatenates a header and the strings and payload after it.
fn frame(header: &[u8], strings: &[&str], payload: &[u8]) -> Vec<u8> {
    let mut v = header.to_vec();
    for s in strings {
        v.extend_from_slice(s.as_bytes());
    }
    v.extend_from_slice(payload);
    v
}

/// The fields of a client→server binary push as a Phoenix server reads them.
#[derive(Debug, PartialEq)]
struct ServerSidePush {
    join_ref: String,
    ref_: String,
    topic: String,
    event: String,
    payload: Vec<u8>,
}

/// A server-side parser written independently of the crate's: `<<0, jl, rl, tl, el, rest>>`.
fn server_parse_push(bytes: &[u8]) -> Option<ServerSidePush> {
    let (&[kind, jl, rl, tl, el], rest) = bytes.split_first_chunk::<5>()?;
    if kind != 0 {
        return None;
    }
    let mut rest = rest;
    let mut take = |n: u8| -> Option<String> {
        let (s, tail) = rest.split_at_checked(usize::from(n))?;
        rest = tail;
        String::from_utf8(s.to_vec()).ok()
    };
    let (join_ref, ref_, topic, event) = (take(jl)?, take(rl)?, take(tl)?, take(el)?);
    Some(ServerSidePush {
        join_ref,
        ref_,
        topic,
        event,
        payload: rest.to_vec(),
    })
}

// ---- §6.1 text frames ---------------------------------------------------------------

#[test]
fn client_text_frames_of_spec_6_1_encode_byte_for_byte() {
    let cases = [
        (
            out(None, Some(5), "phoenix", "heartbeat", json!({})),
            r#"[null,"5","phoenix","heartbeat",{}]"#,
        ),
        (
            out(Some(3), Some(3), "room:1", "phx_join", json!({})),
            r#"["3","3","room:1","phx_join",{}]"#,
        ),
        (
            out(Some(3), Some(8), "room:1", "ev", json!({"body": "hi"})),
            r#"["3","8","room:1","ev",{"body":"hi"}]"#,
        ),
        (
            out(Some(3), Some(3), "room:1", "phx_leave", json!({})),
            r#"["3","3","room:1","phx_leave",{}]"#,
        ),
    ];
    for (message, text) in cases {
        assert_eq!(encode_text(&message).unwrap(), text);
    }
}

#[test]
fn server_text_frames_of_spec_6_1_decode_to_their_fields() {
    let cases = [
        (
            r#"["3","8","room:1","phx_reply",{"status":"ok","response":{"a":1}}]"#,
            msg(
                Some("3"),
                Some("8"),
                "room:1",
                "phx_reply",
                json!({"status": "ok", "response": {"a": 1}}),
            ),
        ),
        (
            r#"[null,null,"room:1","ev",{"x":true}]"#,
            msg(None, None, "room:1", "ev", json!({"x": true})),
        ),
        (
            r#"["3",null,"room:1","ev",{}]"#,
            msg(Some("3"), None, "room:1", "ev", json!({})),
        ),
        (
            r#"["3","3","room:1","phx_error",{"reason":"channel_crash"}]"#,
            msg(
                Some("3"),
                Some("3"),
                "room:1",
                "phx_error",
                json!({"reason": "channel_crash"}),
            ),
        ),
        (
            r#"["3","3","room:1","phx_close",{}]"#,
            msg(Some("3"), Some("3"), "room:1", "phx_close", json!({})),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(decode_text(text).unwrap(), want, "{text}");
    }
}

#[test]
fn decoded_reply_exposes_status_and_response_through_the_payload_trait() {
    let m = decode_text(r#"["3","8","room:1","phx_reply",{"response":{"a":1},"status":"ok"}]"#)
        .unwrap();
    assert_eq!(m.payload.reply_status().as_deref(), Some("ok"));
    assert_eq!(m.payload.reply_response(), json!({"a": 1}));
}

#[test]
fn extra_envelope_elements_are_ignored_like_array_destructuring() {
    let m = decode_text(r#"[null,"1","t","e",{"k":1},"extra",42]"#).unwrap();
    assert_eq!(m, msg(None, Some("1"), "t", "e", json!({"k": 1})));
}

#[test]
fn any_json_value_is_accepted_as_text_payload() {
    for (text, payload) in [
        (r#"[null,null,"t","e","leave"]"#, json!("leave")),
        (r#"[null,null,"t","e",null]"#, Value::Null),
        (r#"[null,null,"t","e",[1,2]]"#, json!([1, 2])),
    ] {
        assert_eq!(decode_text(text).unwrap().payload, payload);
    }
}

// ---- §16 frames of a real server ------------------------------------------------------

const SERVER_FRAMES_16: &[&str] = &[
    r#"["1","1","room:raw","phx_reply",{"response":{"user_id":"raw"},"status":"ok"}]"#,
    r#"[null,null,"room:raw","presence_diff",{"joins":{"raw":{"metas":[{"device":"raw","online_at":1795827514733,"phx_ref":"GOwPnCWYIBnjAAOR","user_id":"raw"}]}},"leaves":{}}]"#,
    r#"["1",null,"room:raw","presence_state",{"raw":{"metas":[{"device":"raw","online_at":1795827514733,"phx_ref":"GOwPnCWYIBnjAAOR","user_id":"raw"}]}}]"#,
    r#"["1","2","room:raw","phx_reply",{"response":{"a":1},"status":"ok"}]"#,
    r#"["1","3","room:raw","phx_reply",{"response":{"reason":"nope"},"status":"error"}]"#,
    r#"[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]"#,
    r#"["1",null,"room:raw","msg",{"i":1}]"#,
    r#"["1",null,"room:raw","msg",{"i":2}]"#,
    r#"["1","6","room:raw","phx_reply",{"response":{"n":2},"status":"ok"}]"#,
    r#"["1","7","room:raw","phx_reply",{"response":{},"status":"ok"}]"#,
    r#"["1","1","room:raw","phx_close",{}]"#,
    r#"["3","3","room:forbidden","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#,
    r#"["1","1","room:a","phx_error",{}]"#,
    r#"["2","5","room:b","phx_reply",{"response":{},"status":"ok"}]"#,
    r#"["2","2","room:b","phx_close",{}]"#,
    r#"[null,"6","room:c","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#,
];

#[test]
fn server_text_frames_of_spec_16_decode_and_re_encode_byte_for_byte() {
    for &text in SERVER_FRAMES_16 {
        let m = decode_text(text).unwrap();
        let parse_ref = |r: &Option<String>| r.as_deref().map(|s| Ref::parse(s).unwrap());
        let again = Outgoing {
            join_ref: parse_ref(&m.join_ref),
            ref_: parse_ref(&m.ref_),
            topic: m.topic,
            event: m.event,
            payload: m.payload,
            raw: false,
        };
        assert_eq!(encode_text(&again).unwrap(), text);
    }
}

#[test]
fn unmatched_topic_reply_of_spec_16_has_null_join_ref_and_error_status() {
    let m = decode_text(SERVER_FRAMES_16.last().copied().unwrap()).unwrap();
    assert_eq!((m.join_ref, m.ref_.as_deref()), (None, Some("6")));
    assert_eq!(m.payload.reply_status().as_deref(), Some("error"));
    assert_eq!(
        m.payload.reply_response(),
        json!({"reason": "unmatched topic"})
    );
}

#[test]
fn client_text_frames_of_spec_16_encode_byte_for_byte() {
    let cases = [
        (
            out(
                Some(1),
                Some(1),
                "room:raw",
                "phx_join",
                json!({"device": "raw"}),
            ),
            r#"["1","1","room:raw","phx_join",{"device":"raw"}]"#,
        ),
        (
            out(Some(1), Some(2), "room:raw", "ping", json!({"a": 1})),
            r#"["1","2","room:raw","ping",{"a":1}]"#,
        ),
        (
            out(Some(1), Some(3), "room:raw", "error_reply", json!({})),
            r#"["1","3","room:raw","error_reply",{}]"#,
        ),
        (
            out(None, Some(5), "phoenix", "heartbeat", json!({})),
            r#"[null,"5","phoenix","heartbeat",{}]"#,
        ),
        (
            out(Some(1), Some(6), "room:raw", "bulk", json!({"n": 2})),
            r#"["1","6","room:raw","bulk",{"n":2}]"#,
        ),
        (
            out(Some(1), Some(7), "room:raw", "phx_leave", json!({})),
            r#"["1","7","room:raw","phx_leave",{}]"#,
        ),
        (
            out(Some(9), Some(6), "room:c", "ping", json!({})),
            r#"["9","6","room:c","ping",{}]"#,
        ),
    ];
    for (message, text) in cases {
        assert_eq!(encode_text(&message).unwrap(), text);
    }
}

#[test]
fn client_binary_push_of_spec_16_is_byte_exact() {
    let m = out(
        Some(1),
        Some(4),
        "room:raw",
        "binary",
        binary_value(&[1, 2, 0xff]),
    );
    let bytes = m.payload.binary().unwrap();
    let got = encode_binary_outgoing(&m, &bytes).unwrap();
    assert_eq!(
        got,
        frame(
            &[0, 1, 1, 8, 6],
            &["1", "4", "room:raw", "binary"],
            &[1, 2, 0xff]
        )
    );
}

#[test]
fn binary_reply_frame_of_spec_16_decodes_to_phx_reply_with_status_and_arraybuffer_response() {
    let bytes = frame(
        &[1, 1, 1, 8, 2],
        &["1", "4", "room:raw", "ok"],
        &[1, 2, 0xff],
    );
    let m: Message<Value> = decode_binary(&bytes).unwrap();
    assert_eq!(
        (m.join_ref.as_deref(), m.ref_.as_deref()),
        (Some("1"), Some("4"))
    );
    assert_eq!(
        (m.topic.as_str(), m.event.as_str()),
        ("room:raw", "phx_reply")
    );
    assert_eq!(m.payload.reply_status().as_deref(), Some("ok"));
    assert_eq!(m.payload.reply_response().binary(), Some(vec![1, 2, 0xff]));
}

#[test]
fn binary_push_frame_of_spec_16_layout_decodes_with_null_ref() {
    let bytes = frame(&[0, 1, 8, 6], &["1", "room:raw", "binary"], &[1, 2, 0xff]);
    let m: Message<Value> = decode_binary(&bytes).unwrap();
    assert_eq!(
        m,
        msg(
            Some("1"),
            None,
            "room:raw",
            "binary",
            binary_value(&[1, 2, 0xff])
        )
    );
}

#[test]
fn binary_broadcast_frame_decodes_with_null_join_ref_and_ref() {
    let bytes = frame(&[2, 8, 6], &["room:raw", "binary"], &[7]);
    let m: Message<Value> = decode_binary(&bytes).unwrap();
    assert_eq!(m, msg(None, None, "room:raw", "binary", binary_value(&[7])));
}

// ---- §6.2 binary encoding ------------------------------------------------------------

#[test]
fn spec_6_2_byte_example_encodes_exactly() {
    let got = encode_binary(Some("1"), Some("2"), "t", "e", &[1, 2, 3]).unwrap();
    assert_eq!(
        got,
        [0x00, 0x01, 0x01, 0x01, 0x01, 0x31, 0x32, 0x74, 0x65, 0x01, 0x02, 0x03]
    );
}

#[test]
fn binary_lengths_count_utf8_bytes_not_characters() {
    let got = encode_binary(Some("1"), Some("2"), "röom", "ümlaut€", &[]).unwrap();
    assert_eq!(got.get(..5), Some(&[0, 1, 1, 5, 10][..]));
    let decoded: Message<Value> = decode_binary(&frame(&[2, 5, 3], &["röom", "€"], &[])).unwrap();
    assert_eq!(
        (decoded.topic.as_str(), decoded.event.as_str()),
        ("röom", "€")
    );
}

#[test]
fn a_multibyte_topic_of_256_bytes_is_too_long_even_with_fewer_characters() {
    let topic = "ö".repeat(128); // 128 characters, 256 bytes
    let err = encode_binary(Some("1"), Some("2"), &topic, "e", &[]).unwrap_err();
    assert_eq!(
        err,
        EncodeError::FieldTooLong {
            field: "topic",
            len: 256
        }
    );
    assert_eq!(
        err.describe(),
        "unable to convert topic to binary: must be less than or equal to 255 bytes, but is 256 bytes"
    );
}

#[test]
fn each_field_over_255_bytes_fails_with_phoenix_js_message() {
    let long = "x".repeat(300);
    let cases = [
        (
            "join_ref",
            encode_binary(Some(&long), Some("2"), "t", "e", &[]),
        ),
        ("ref", encode_binary(Some("1"), Some(&long), "t", "e", &[])),
        (
            "topic",
            encode_binary(Some("1"), Some("2"), &long, "e", &[]),
        ),
        (
            "event",
            encode_binary(Some("1"), Some("2"), "t", &long, &[]),
        ),
    ];
    for (field, got) in cases {
        let err = got.unwrap_err();
        let want = [
            "unable to convert ",
            field,
            " to binary: must be less than or equal to 255 bytes, but is 300 bytes",
        ]
        .concat();
        assert_eq!(err.describe(), want);
        assert_eq!(err.to_string(), want);
    }
}

#[test]
fn fields_of_exactly_255_bytes_are_accepted() {
    let max = "y".repeat(255);
    let got = encode_binary(Some(&max), Some(&max), &max, &max, &[]).unwrap();
    assert_eq!(got.len(), 5 + 4 * 255);
    let parsed = server_parse_push(&got).unwrap();
    assert_eq!((parsed.join_ref, parsed.event), (max.clone(), max));
}

#[test]
fn null_refs_are_sent_as_the_text_null_like_text_encoder() {
    let m = out(None, None, "t", "e", binary_value(&[]));
    let parsed = server_parse_push(&encode_binary_outgoing(&m, &[]).unwrap()).unwrap();
    assert_eq!(
        (parsed.join_ref.as_str(), parsed.ref_.as_str()),
        ("null", "null")
    );
}

// ---- every DecodeError ---------------------------------------------------------------

#[test]
fn text_that_is_not_json_is_invalid_json() {
    for text in ["", "[", "nope", r#"["1","1","t","e",{}"#, "[1,]"] {
        assert_eq!(decode_text(text), Err(DecodeError::InvalidJson), "{text:?}");
    }
}

#[test]
fn json_that_is_not_an_array_is_rejected() {
    for text in [r#"{"topic":"t"}"#, "5", r#""s""#, "null"] {
        assert_eq!(decode_text(text), Err(DecodeError::NotAnArray), "{text:?}");
    }
}

#[test]
fn arrays_shorter_than_five_report_their_length() {
    assert_eq!(decode_text("[]"), Err(DecodeError::WrongArity(0)));
    assert_eq!(
        decode_text(r#"[null,"1","t","e"]"#),
        Err(DecodeError::WrongArity(4))
    );
}

#[test]
fn envelope_fields_of_the_wrong_type_are_named() {
    let cases = [
        (r#"[1,null,"t","e",{}]"#, "join_ref"),
        (r#"[null,2,"t","e",{}]"#, "ref"),
        (r#"[null,{},"t","e",{}]"#, "ref"),
        (r#"[null,null,3,"e",{}]"#, "topic"),
        (r#"[null,null,null,"e",{}]"#, "topic"),
        (r#"[null,null,"t",["e"],{}]"#, "event"),
        (r#"[null,null,"t",false,{}]"#, "event"),
    ];
    for (text, field) in cases {
        assert_eq!(
            decode_text(text),
            Err(DecodeError::FieldType(field)),
            "{text}"
        );
    }
}

#[test]
fn binary_frames_that_are_empty_unknown_short_or_not_utf8_are_rejected() {
    assert_eq!(
        decode_binary::<Value>(&[]),
        Err(DecodeError::Truncated { needed: 1, len: 0 })
    );
    assert_eq!(
        decode_binary::<Value>(&[9, 1, 1]),
        Err(DecodeError::UnknownBinaryKind(9))
    );
    assert_eq!(
        decode_binary::<Value>(&[1, 1, 1]),
        Err(DecodeError::Truncated { needed: 5, len: 3 })
    );
    assert_eq!(
        decode_binary::<Value>(&frame(&[1, 1, 1, 8, 2], &["1", "4", "room:raw"], &[])),
        Err(DecodeError::Truncated {
            needed: 17,
            len: 15
        })
    );
    assert_eq!(
        decode_binary::<Value>(&[2, 1, 1, b't', 0xc3]),
        Err(DecodeError::InvalidUtf8("event"))
    );
}

// ---- serde_json payload --------------------------------------------------------------

#[test]
fn value_payload_builds_phoenix_js_shapes() {
    assert_eq!(Value::empty_object(), json!({}));
    assert_eq!(Value::string("leave"), json!("leave"));
    assert_eq!(
        Value::transport_error("boom"),
        json!({"source": "transport", "reason": "boom"})
    );
    let reply = Value::reply("timeout", json!({}));
    assert_eq!(reply, json!({"status": "timeout", "response": {}}));
    assert_eq!(reply.reply_status().as_deref(), Some("timeout"));
}

#[test]
fn reply_accessors_give_none_and_null_when_fields_are_absent_or_not_strings() {
    assert_eq!(json!({"response": 1}).reply_status(), None);
    assert_eq!(json!({"status": 5}).reply_status(), None);
    assert_eq!(json!("x").reply_status(), None);
    assert_eq!(json!({"status": "ok"}).reply_response(), Value::Null);
}

#[test]
fn binary_payload_is_a_single_marker_key_holding_the_bytes() {
    assert_eq!(
        Value::from_binary(&[1, 2, 255]),
        json!({ BINARY_KEY: [1, 2, 255] })
    );
    assert_eq!(json!({"data": [1, 2]}).binary(), None);
    assert_eq!(json!({}).binary(), None);
}

#[test]
fn text_encoding_formats_numbers_and_strings_like_json_stringify() {
    let m = out(
        Some(1),
        Some(2),
        "röom\u{2028}",
        "e\"v",
        json!({"f": 1.0, "g": 1e21, "h": -0.0, "s": "a\nb\u{1}"}),
    );
    assert_eq!(
        encode_text(&m).unwrap(),
        "[\"1\",\"2\",\"röom\u{2028}\",\"e\\\"v\",{\"f\":1,\"g\":1e+21,\"h\":0,\"s\":\"a\\nb\\u0001\"}]"
    );
}

// ---- properties ------------------------------------------------------------------------

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Non-integral floats of at most 15 significant digits: an integral float would come
        // back as an integer, and serde_json's default float parsing is exact only on its
        // fast path (mantissa below 2^53).
        (any::<i16>(), 1u32..10)
            .prop_map(|(n, s)| Value::from(f64::from(n) + 1.0 / f64::from(1u32 << s))),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A string of at most 255 UTF-8 bytes (63 characters of up to 4 bytes).
fn short_string() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..64).prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #[test]
    fn decoding_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = decode_text(&text);
    }

    #[test]
    fn decoding_arbitrary_envelope_shaped_text_never_panics(
        items in prop::collection::vec(json_value(), 0..7)
    ) {
        let text = Value::from(items).to_string();
        let _ = decode_text(&text);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_binary::<Value>(&bytes);
    }

    #[test]
    fn decoding_bytes_with_a_known_kind_never_panics_and_errors_only_as_documented(
        kind in 0u8..3, rest in prop::collection::vec(any::<u8>(), 0..300)
    ) {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&rest);
        match decode_binary::<Value>(&bytes) {
            Ok(_) => {}
            Err(DecodeError::Truncated { needed, len }) => {
                prop_assert_eq!(len, bytes.len());
                prop_assert!(needed > len);
            }
            Err(DecodeError::InvalidUtf8(_)) => {}
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn encode_text_then_decode_text_gives_the_message_back(
        join_ref in proptest::option::of(any::<u64>()),
        ref_ in proptest::option::of(any::<u64>()),
        topic in any::<String>(),
        event in any::<String>(),
        payload in json_value(),
    ) {
        let m = out(join_ref, ref_, &topic, &event, payload.clone());
        let text = encode_text(&m).unwrap();
        let back = decode_text(&text).unwrap();
        let digits = |r: Option<u64>| r.map(|n| Ref(n).to_js_string());
        prop_assert_eq!(back, Message { join_ref: digits(join_ref), ref_: digits(ref_), topic, event, payload });
    }

    #[test]
    fn text_encoding_of_any_value_is_json_serde_reads_back(payload in json_value()) {
        let text = encode_text(&out(None, None, "t", "e", payload)).unwrap();
        prop_assert!(serde_json::from_str::<Value>(&text).is_ok());
    }

    #[test]
    fn float_formatting_round_trips_every_finite_f64(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let text = encode_text(&out(None, None, "t", "e", json!([f]))).unwrap();
        let inner = text.trim_start_matches(r#"[null,null,"t","e",["#).trim_end_matches("]]");
        let parsed: f64 = inner.parse().unwrap();
        prop_assert!(parsed == f, "{} came back as {}", f, parsed);
    }

    #[test]
    fn client_binary_push_reparsed_by_a_server_side_parser_gives_the_fields(
        join_ref in proptest::option::of(short_string()),
        ref_ in proptest::option::of(short_string()),
        topic in short_string(),
        event in short_string(),
        payload in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = encode_binary(join_ref.as_deref(), ref_.as_deref(), &topic, &event, &payload).unwrap();
        prop_assert_eq!(bytes.len(), bytes.capacity());
        let parsed = server_parse_push(&bytes).unwrap();
        prop_assert_eq!(parsed, ServerSidePush {
            join_ref: join_ref.unwrap_or_else(|| "null".into()),
            ref_: ref_.unwrap_or_else(|| "null".into()),
            topic,
            event,
            payload,
        });
    }

    #[test]
    fn server_binary_frames_built_from_arbitrary_fields_decode_to_them(
        join_ref in short_string(),
        ref_ in short_string(),
        topic in short_string(),
        event in short_string(),
        payload in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let len = |s: &String| u8::try_from(s.len()).unwrap();
        let push = frame(&[0, len(&join_ref), len(&topic), len(&event)], &[&join_ref, &topic, &event], &payload);
        prop_assert_eq!(
            decode_binary::<Value>(&push).unwrap(),
            msg(Some(&join_ref), None, &topic, &event, binary_value(&payload))
        );
        let reply = frame(
            &[1, len(&join_ref), len(&ref_), len(&topic), len(&event)],
            &[&join_ref, &ref_, &topic, &event],
            &payload,
        );
        prop_assert_eq!(
            decode_binary::<Value>(&reply).unwrap(),
            msg(Some(&join_ref), Some(&ref_), &topic, "phx_reply", Value::reply(&event, binary_value(&payload)))
        );
        let broadcast = frame(&[2, len(&topic), len(&event)], &[&topic, &event], &payload);
        prop_assert_eq!(
            decode_binary::<Value>(&broadcast).unwrap(),
            msg(None, None, &topic, &event, binary_value(&payload))
        );
    }
}
