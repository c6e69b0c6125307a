//! Server side of the Phoenix V2 serializer (spec §6).
//!
//! Text frames are the JSON array `[join_ref, ref, topic, event, payload]` (§6.1).
//! Binary frames (§6.2) are only ever *pushes* from the client (kind 0, with a ref),
//! while the server sends kind 0 pushes (no ref), kind 1 replies and kind 2
//! broadcasts. The server-side layouts therefore differ from the client-side ones,
//! which is exactly what a client decoder must get right, so they live here in one
//! place with unit tests.
//!
//! Reply payloads are built with `serde_json::Map`, which keeps keys sorted; that
//! yields `{"response":…,"status":…}` and alphabetically ordered presence metas,
//! matching the frames a real Phoenix server sends (§16).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

/// Binary frame kinds of spec §6.2.
pub const KIND_PUSH: u8 = 0;
pub const KIND_REPLY: u8 = 1;
pub const KIND_BROADCAST: u8 = 2;

/// A message payload: JSON on text frames, raw bytes on binary frames.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Json(Value),
    Binary(Vec<u8>),
}

impl Payload {
    /// JSON view used where a binary payload cannot travel (LongPoll, §16: "server-to-client
    /// binary is not possible over LongPoll"): bytes become `{"base64": "<standard b64>"}`.
    pub fn to_json_lossless(&self) -> Value {
        match self {
            Payload::Json(v) => v.clone(),
            Payload::Binary(b) => json!({ "base64": STANDARD.encode(b) }),
        }
    }
}

/// A decoded client→server message.
#[derive(Clone, Debug, PartialEq)]
pub struct Inbound {
    pub join_ref: Option<String>,
    pub ref_: Option<String>,
    pub topic: String,
    pub event: String,
    pub payload: Payload,
}

/// A server→client message. Replies are kept apart from other messages because their
/// binary form (kind 1) carries a status and their JSON form nests `{response, status}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Outbound {
    Reply {
        join_ref: Option<String>,
        ref_: Option<String>,
        topic: String,
        status: String,
        response: Payload,
    },
    Message {
        join_ref: Option<String>,
        ref_: Option<String>,
        topic: String,
        event: String,
        payload: Payload,
    },
}

/// An encoded WebSocket frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// Why a client frame was rejected. The server logs it and ignores the frame.
#[derive(Debug, PartialEq)]
pub enum DecodeError {
    Json(String),
    Shape(&'static str),
    Binary(&'static str),
    Utf8,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Json(e) => write!(f, "malformed JSON: {e}"),
            DecodeError::Shape(s) => write!(f, "bad message shape: {s}"),
            DecodeError::Binary(s) => write!(f, "bad binary frame: {s}"),
            DecodeError::Utf8 => write!(f, "binary frame string is not UTF-8"),
        }
    }
}

fn opt_string(v: &Value, what: &'static str) -> Result<Option<String>, DecodeError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(DecodeError::Shape(what)),
    }
}

/// Decodes a V2 text frame. Like Phoenix's `V2.JSONSerializer`, elements after the
/// fifth are ignored; fewer than five is an error.
pub fn decode_text(text: &str) -> Result<Inbound, DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError::Json(e.to_string()))?;
    let arr = value.as_array().ok_or(DecodeError::Shape("not an array"))?;
    if arr.len() < 5 {
        return Err(DecodeError::Shape("fewer than 5 elements"));
    }
    let topic = arr[2]
        .as_str()
        .ok_or(DecodeError::Shape("topic is not a string"))?;
    let event = arr[3]
        .as_str()
        .ok_or(DecodeError::Shape("event is not a string"))?;
    Ok(Inbound {
        join_ref: opt_string(&arr[0], "join_ref is not a string or null")?,
        ref_: opt_string(&arr[1], "ref is not a string or null")?,
        topic: topic.to_owned(),
        event: event.to_owned(),
        payload: Payload::Json(arr[4].clone()),
    })
}

/// Decodes a client binary frame: kind 0 only,
/// `[0][jrLen][refLen][topicLen][eventLen]` + join_ref + ref + topic + event + payload.
/// An empty join_ref or ref field decodes as `None`.
pub fn decode_binary(bytes: &[u8]) -> Result<Inbound, DecodeError> {
    let (&kind, rest) = bytes
        .split_first()
        .ok_or(DecodeError::Binary("empty frame"))?;
    if kind != KIND_PUSH {
        return Err(DecodeError::Binary(
            "unknown kind (client frames are kind 0)",
        ));
    }
    if rest.len() < 4 {
        return Err(DecodeError::Binary("truncated header"));
    }
    let lens = [rest[0], rest[1], rest[2], rest[3]].map(usize::from);
    let mut body = &rest[4..];
    let mut fields: Vec<String> = Vec::with_capacity(4);
    for len in lens {
        if body.len() < len {
            return Err(DecodeError::Binary("truncated field"));
        }
        let (field, tail) = body.split_at(len);
        fields.push(String::from_utf8(field.to_vec()).map_err(|_| DecodeError::Utf8)?);
        body = tail;
    }
    let mut it = fields.into_iter();
    let mut next = || it.next().unwrap_or_default();
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    Ok(Inbound {
        join_ref: non_empty(next()),
        ref_: non_empty(next()),
        topic: next(),
        event: next(),
        payload: Payload::Binary(body.to_vec()),
    })
}

/// Length byte of a binary header field. Fields longer than 255 bytes cannot be
/// represented (§6.2); the server only produces short ones, so this truncates
/// instead of failing (a test server must not panic on a long client topic).
fn field(out: &mut Vec<u8>, s: &str) -> usize {
    let bytes = s.as_bytes();
    let n = bytes.len().min(255);
    out.extend_from_slice(&bytes[..n]);
    n
}

fn binary_frame(kind: u8, fields: &[&str], payload: &[u8]) -> Vec<u8> {
    let mut strings = Vec::new();
    let mut out = vec![kind];
    for f in fields {
        // `field` caps at 255, so the cast is lossless.
        out.push(field(&mut strings, f) as u8);
    }
    out.extend_from_slice(&strings);
    out.extend_from_slice(payload);
    out
}

impl Outbound {
    /// A reply to `msg` (same join_ref, ref and topic), as `Phoenix.Socket.Reply`.
    pub fn reply_to(msg: &Inbound, status: &str, response: Payload) -> Outbound {
        Outbound::Reply {
            join_ref: msg.join_ref.clone(),
            ref_: msg.ref_.clone(),
            topic: msg.topic.clone(),
            status: status.to_owned(),
            response,
        }
    }

    /// Encodes for a WebSocket: a binary payload gives a binary frame of kind 1 (reply),
    /// 0 (push: join_ref set; the ref is not representable and is dropped, as in
    /// Phoenix) or 2 (broadcast: no join_ref); everything else a V2 JSON text frame.
    pub fn encode_ws(&self) -> Frame {
        match self {
            Outbound::Reply {
                join_ref,
                ref_,
                topic,
                status,
                response: Payload::Binary(b),
            } => Frame::Binary(binary_frame(
                KIND_REPLY,
                &[
                    join_ref.as_deref().unwrap_or(""),
                    ref_.as_deref().unwrap_or(""),
                    topic,
                    status,
                ],
                b,
            )),
            Outbound::Message {
                join_ref: Some(jr),
                topic,
                event,
                payload: Payload::Binary(b),
                ..
            } => Frame::Binary(binary_frame(KIND_PUSH, &[jr, topic, event], b)),
            Outbound::Message {
                join_ref: None,
                topic,
                event,
                payload: Payload::Binary(b),
                ..
            } => Frame::Binary(binary_frame(KIND_BROADCAST, &[topic, event], b)),
            _ => Frame::Text(self.encode_json()),
        }
    }

    /// Encodes as V2 JSON text. Binary payloads become `{"base64": …}` (see
    /// [`Payload::to_json_lossless`]); used for LongPoll, where every message is JSON.
    pub fn encode_json(&self) -> String {
        let arr = match self {
            Outbound::Reply {
                join_ref,
                ref_,
                topic,
                status,
                response,
            } => json!([
                join_ref,
                ref_,
                topic,
                "phx_reply",
                { "response": response.to_json_lossless(), "status": status }
            ]),
            Outbound::Message {
                join_ref,
                ref_,
                topic,
                event,
                payload,
            } => {
                json!([join_ref, ref_, topic, event, payload.to_json_lossless()])
            }
        };
        arr.to_string()
    }
}

/// Malformed frames for the `garbage` control endpoint: they exercise a client's
/// decoder error paths. One of each: bad JSON, wrong arity, unknown binary kind,
/// truncated binary (a reply header that promises more bytes than follow).
pub fn garbage_frames() -> Vec<Frame> {
    vec![
        Frame::Text("[\"1\",\"1\",\"room:x\",\"ev\",{not json".to_owned()),
        Frame::Text("[\"1\"]".to_owned()),
        Frame::Binary(vec![9, 1, 1, 1, b'x', b'y', b'z']),
        Frame::Binary(vec![KIND_REPLY, 5, 5, 5, 5, b'1']),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_v2_text() {
        let m = decode_text(r#"["3","8","room:1","ev",{"a":1}]"#).unwrap();
        assert_eq!(m.join_ref.as_deref(), Some("3"));
        assert_eq!(m.ref_.as_deref(), Some("8"));
        assert_eq!(m.topic, "room:1");
        assert_eq!(m.event, "ev");
        assert_eq!(m.payload, Payload::Json(json!({"a":1})));
        let hb = decode_text(r#"[null,"5","phoenix","heartbeat",{}]"#).unwrap();
        assert_eq!(hb.join_ref, None);
        // Extra elements are ignored, as in Phoenix.
        assert!(decode_text(r#"[null,"5","phoenix","heartbeat",{},"x"]"#).is_ok());
    }

    #[test]
    fn rejects_bad_text() {
        assert!(matches!(
            decode_text("{not json"),
            Err(DecodeError::Json(_))
        ));
        assert!(matches!(
            decode_text(r#"["1"]"#),
            Err(DecodeError::Shape(_))
        ));
        assert!(matches!(
            decode_text(r#"{"a":1}"#),
            Err(DecodeError::Shape(_))
        ));
        assert!(matches!(
            decode_text(r#"[1,"1","t","e",{}]"#),
            Err(DecodeError::Shape(_))
        ));
        assert!(matches!(
            decode_text(r#"["1","1",5,"e",{}]"#),
            Err(DecodeError::Shape(_))
        ));
    }

    #[test]
    fn decodes_client_binary_push_from_spec_example() {
        // §6.2: {join_ref:"1", ref:"2", topic:"t", event:"e", payload:[1,2,3]}
        let bytes = [
            0x00, 0x01, 0x01, 0x01, 0x01, 0x31, 0x32, 0x74, 0x65, 0x01, 0x02, 0x03,
        ];
        let m = decode_binary(&bytes).unwrap();
        assert_eq!(m.join_ref.as_deref(), Some("1"));
        assert_eq!(m.ref_.as_deref(), Some("2"));
        assert_eq!(m.topic, "t");
        assert_eq!(m.event, "e");
        assert_eq!(m.payload, Payload::Binary(vec![1, 2, 3]));
    }

    #[test]
    fn rejects_bad_binary() {
        assert!(decode_binary(&[]).is_err());
        assert!(decode_binary(&[9, 0, 0, 0, 0]).is_err());
        assert!(decode_binary(&[1, 0, 0, 0, 0]).is_err());
        assert!(decode_binary(&[0, 1, 1]).is_err());
        assert!(decode_binary(&[0, 5, 5, 5, 5, b'1']).is_err());
        assert_eq!(
            decode_binary(&[0, 1, 0, 0, 0, 0xff]),
            Err(DecodeError::Utf8)
        );
        // Empty payload is fine.
        let m = decode_binary(&[0, 0, 0, 1, 1, b't', b'e']).unwrap();
        assert_eq!(m.payload, Payload::Binary(vec![]));
        assert_eq!(m.join_ref, None);
    }

    /// The binary `ping` reply of §16: join_ref "1", ref "4", room:raw, bytes 01 02 ff.
    fn section_16_binary_reply() -> Outbound {
        Outbound::Reply {
            join_ref: Some("1".into()),
            ref_: Some("4".into()),
            topic: "room:raw".into(),
            status: "ok".into(),
            response: Payload::Binary(vec![1, 2, 0xff]),
        }
    }

    fn binary_message(join_ref: Option<&str>) -> Outbound {
        Outbound::Message {
            join_ref: join_ref.map(str::to_owned),
            ref_: None,
            topic: "t".into(),
            event: "ev".into(),
            payload: Payload::Binary(vec![9]),
        }
    }

    #[test]
    fn binary_reply_matches_section_16() {
        // <- BIN 01 01 01 08 02 "1" "4" "room:raw" "ok" 01 02 ff
        let out = section_16_binary_reply();
        let mut expected = vec![1, 1, 1, 8, 2];
        expected.extend_from_slice(b"14room:rawok");
        expected.extend_from_slice(&[1, 2, 0xff]);
        assert_eq!(out.encode_ws(), Frame::Binary(expected));
    }

    #[test]
    fn binary_push_and_broadcast_layouts() {
        assert_eq!(
            binary_message(Some("7")).encode_ws(),
            Frame::Binary(vec![0, 1, 1, 2, b'7', b't', b'e', b'v', 9])
        );
        assert_eq!(
            binary_message(None).encode_ws(),
            Frame::Binary(vec![2, 1, 2, b't', b'e', b'v', 9])
        );
    }

    #[test]
    fn json_reply_key_order_is_response_then_status() {
        let msg = decode_text(r#"["1","2","room:raw","ping",{"b":2,"a":1}]"#).unwrap();
        let out = Outbound::reply_to(&msg, "ok", msg.payload.clone());
        assert_eq!(
            out.encode_ws(),
            Frame::Text(
                r#"["1","2","room:raw","phx_reply",{"response":{"a":1,"b":2},"status":"ok"}]"#
                    .into()
            )
        );
        let hb = decode_text(r#"[null,"5","phoenix","heartbeat",{}]"#).unwrap();
        assert_eq!(
            Outbound::reply_to(&hb, "ok", Payload::Json(json!({}))).encode_json(),
            r#"[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]"#
        );
    }

    #[test]
    fn binary_over_json_is_base64_object() {
        let out = section_16_binary_reply();
        assert_eq!(
            out.encode_json(),
            r#"["1","4","room:raw","phx_reply",{"response":{"base64":"AQL/"},"status":"ok"}]"#
        );
    }

    #[test]
    fn garbage_frames_really_are_undecodable() {
        for f in garbage_frames() {
            match f {
                Frame::Text(t) => assert!(decode_text(&t).is_err()),
                Frame::Binary(b) => assert!(b[0] > KIND_BROADCAST || b.len() < 5 + 20),
            }
        }
    }
}
