//! Serializer (spec §6): the V2 envelope and the binary frame layouts.
//!
//! Text frames are parsed by the payload's own JSON (the host's `JSON.parse` in the
//! browser, serde_json natively); this module checks the envelope shape those parsers hand
//! over ([`envelope`]) and owns the binary layouts of §6.2, which are the same for every
//! payload type.
//!
//! - [`decode_binary`]: a server→client binary frame (kinds push, reply, broadcast).
//! - [`encode_binary`] / [`encode_binary_outgoing`]: a client→server binary push.
//! - [`envelope`] and [`check_arity`]: the checks every text decoder shares.
//! - [`DecodeError::describe`] / [`EncodeError::describe`]: log and exception texts, built
//!   without `core::fmt` so that the wasm build does not link it.
//!
//! ```
//! use phoenix_wasm::core::serializer::encode_binary;
//!
//! // spec §6.2: {join_ref:"1", ref:"2", topic:"t", event:"e", payload:[1,2,3]}
//! let frame = encode_binary(Some("1"), Some("2"), "t", "e", &[1, 2, 3]).unwrap();
//! assert_eq!(frame, [0, 1, 1, 1, 1, b'1', b'2', b't', b'e', 1, 2, 3]);
//! ```
//!
//! Deliberate differences from phoenix.js 1.8.16, all on frames a Phoenix server never sends:
//! - A binary string field that is not UTF-8 is an error ([`DecodeError::InvalidUtf8`]);
//!   phoenix.js's non-fatal `TextDecoder` would substitute U+FFFD.
//! - A binary frame shorter than its header says is an error ([`DecodeError::Truncated`]);
//!   phoenix.js would slice short strings and an empty payload.
//! - An unknown binary kind is an error; phoenix.js hands `undefined` on and then throws.
//! - Text envelope fields of the wrong type are errors ([`envelope`]); phoenix.js passes
//!   them through unchecked.

use std::borrow::Cow;

use super::message::{events, Message, Outgoing, Ref};
use super::payload::Payload;

/// Why an inbound frame was dropped. Every variant is logged and the connection lives on
/// (ARCHITECTURE.md principle 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The text frame is not JSON.
    InvalidJson,
    /// The JSON is not an array `[join_ref, ref, topic, event, payload]`.
    NotAnArray,
    /// The array has fewer than 5 elements (extra elements are ignored, as in phoenix.js).
    WrongArity(usize),
    /// An envelope field has the wrong type, e.g. a numeric topic. Names the field.
    FieldType(&'static str),
    /// A binary frame whose first byte is not 0, 1 or 2.
    UnknownBinaryKind(u8),
    /// A binary frame shorter than its header says. An empty frame is
    /// `Truncated { needed: 1, len: 0 }` (it lacks even the kind byte); a frame cut inside
    /// its header needs the header's size; a frame cut inside its strings needs the header
    /// plus the sum of the string lengths.
    Truncated { needed: usize, len: usize },
    /// A binary string field that is not UTF-8. Names the field.
    InvalidUtf8(&'static str),
}

/// Why an outbound message could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A binary header field over 255 UTF-8 bytes (spec §6.2, since 1.8.7).
    FieldTooLong { field: &'static str, len: usize },
    /// The payload could not be serialised (e.g. a cyclic object); the host's message.
    Json(String),
}

/// Binary frame kind of a push (client→server and server→client), spec §6 `KINDS.push`.
pub const KIND_PUSH: u8 = 0;
/// Binary frame kind of a reply (server→client), spec §6 `KINDS.reply`.
pub const KIND_REPLY: u8 = 1;
/// Binary frame kind of a broadcast (server→client), spec §6 `KINDS.broadcast`.
pub const KIND_BROADCAST: u8 = 2;
/// The longest string a one-byte length field can announce (spec §6.2).
pub const MAX_FIELD_BYTES: usize = 255;
/// What `TextEncoder.encode(null)` gives: how phoenix.js writes a `null` ref in a binary push.
const NULL_FIELD: &str = "null";
/// Elements of the V2 envelope `[join_ref, ref, topic, event, payload]` (spec §6.1).
pub const ENVELOPE_ARITY: usize = 5;

// ---------------------------------------------------------------------------------------
// Text envelope
// ---------------------------------------------------------------------------------------

/// One envelope field as a text decoder found it in the parsed JSON array.
///
/// Text decoders map each of the first four array elements to a `Field` and hand them to
/// [`envelope`], which owns the type rules. The serde_json decoder moves the `String` out of
/// a `Value::String` (`Field::Str(Cow::Owned(s))`, no copy); the browser decoder turns each
/// `JsValue` pulled from the `JSON.parse` array into `Null` (for `null`, and `undefined` if
/// it ever sees one), `Str(Cow::Owned(js.as_string()))` for a JS string, or `Other`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    /// JSON `null`.
    Null,
    /// A JSON string, borrowed or owned.
    Str(Cow<'a, str>),
    /// Anything else: number, boolean, array or object.
    Other,
}

impl<'a> From<&'a str> for Field<'a> {
    fn from(s: &'a str) -> Self {
        Field::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Field<'static> {
    fn from(s: String) -> Self {
        Field::Str(Cow::Owned(s))
    }
}

impl<'a> Field<'a> {
    /// A ref-like field: string or `null` (the join_ref of a broadcast, the ref of a push).
    fn nullable_string(self, name: &'static str) -> Result<Option<String>, DecodeError> {
        match self {
            Field::Null => Ok(None),
            Field::Str(s) => Ok(Some(s.into_owned())),
            Field::Other => Err(DecodeError::FieldType(name)),
        }
    }

    /// A field that must be a string (topic, event).
    fn string(self, name: &'static str) -> Result<String, DecodeError> {
        match self {
            Field::Str(s) => Ok(s.into_owned()),
            Field::Null | Field::Other => Err(DecodeError::FieldType(name)),
        }
    }
}

/// Checks the length of the parsed envelope array: at least [`ENVELOPE_ARITY`] elements,
/// extra ones ignored as phoenix.js's destructuring ignores them (spec §6.1).
pub fn check_arity(len: usize) -> Result<(), DecodeError> {
    if len < ENVELOPE_ARITY {
        Err(DecodeError::WrongArity(len))
    } else {
        Ok(())
    }
}

/// Builds the decoded message of a text frame from the first five array elements
/// (spec §6.1 `{join_ref, ref, topic, event, payload}`).
///
/// `join_ref` and `ref_` must be a string or `null`, `topic` and `event` strings; the first
/// field that is not gives [`DecodeError::FieldType`] with its name (`"join_ref"`, `"ref"`,
/// `"topic"`, `"event"`), checked in that order. The payload is taken as it is.
pub fn envelope<P>(
    join_ref: Field<'_>,
    ref_: Field<'_>,
    topic: Field<'_>,
    event: Field<'_>,
    payload: P,
) -> Result<Message<P>, DecodeError> {
    Ok(Message {
        join_ref: join_ref.nullable_string("join_ref")?,
        ref_: ref_.nullable_string("ref")?,
        topic: topic.string("topic")?,
        event: event.string("event")?,
        payload,
    })
}

// ---------------------------------------------------------------------------------------
// Binary frames, server → client
// ---------------------------------------------------------------------------------------

/// Walks the strings of a binary frame whose total length has already been checked.
struct Fields<'a> {
    /// The length bytes of the header not consumed yet, in body order.
    lens: &'a [u8],
    /// The body not consumed yet: the remaining strings, then the payload.
    body: &'a [u8],
    /// For the (unreachable) error of a short body: what the header announced.
    needed: usize,
    len: usize,
}

impl<'a> Fields<'a> {
    /// Checks that `bytes` holds the `header_len`-byte header (kind byte included) and every
    /// string it announces, before anything is allocated.
    fn new(bytes: &'a [u8], header_len: usize) -> Result<Self, DecodeError> {
        let len = bytes.len();
        let lens = bytes.get(1..header_len).ok_or(DecodeError::Truncated {
            needed: header_len,
            len,
        })?;
        let needed = header_len + lens.iter().map(|&n| usize::from(n)).sum::<usize>();
        if len < needed {
            return Err(DecodeError::Truncated { needed, len });
        }
        let body = bytes.get(header_len..).unwrap_or_default();
        Ok(Fields {
            lens,
            body,
            needed,
            len,
        })
    }

    /// The next string field, decoded as UTF-8.
    fn text(&mut self, name: &'static str) -> Result<String, DecodeError> {
        let truncated = DecodeError::Truncated {
            needed: self.needed,
            len: self.len,
        };
        let (&n, lens) = self.lens.split_first().ok_or_else(|| truncated.clone())?;
        let (field, body) = self
            .body
            .split_at_checked(usize::from(n))
            .ok_or(truncated)?;
        self.lens = lens;
        self.body = body;
        core::str::from_utf8(field)
            .map(str::to_owned)
            .map_err(|_| DecodeError::InvalidUtf8(name))
    }

    /// Where the payload starts: right after the header and its strings.
    fn offset(&self) -> usize {
        self.needed
    }
}

/// Decodes a server→client binary frame (spec §6.2 `binaryDecode`).
///
/// | kind | header | decoded |
/// |---|---|---|
/// | 0 push | `[0][jrLen][topicLen][eventLen]` | `{join_ref, ref: None, topic, event, payload}` |
/// | 1 reply | `[1][jrLen][refLen][topicLen][statusLen]` | `{join_ref, ref, topic, "phx_reply", {status, response}}` |
/// | 2 broadcast | `[2][topicLen][eventLen]` | `{join_ref: None, ref: None, topic, event, payload}` |
///
/// The payload (the reply's response) is [`Payload::from_binary`] of the bytes after the
/// strings. A zero-length join_ref or ref decodes to `Some("")`, as phoenix.js's
/// `TextDecoder` gives `""` (not `null`) for an empty slice.
///
/// Never panics. The whole header is checked against `bytes.len()` before anything is
/// allocated, so a frame never makes this allocate more than its own size.
pub fn decode_binary<P: Payload>(bytes: &[u8]) -> Result<Message<P>, DecodeError> {
    decode_binary_with(bytes, |at| {
        P::from_binary(bytes.get(at..).unwrap_or_default())
    })
}

/// The length of a binary frame's header (kind byte, length bytes and the strings they
/// announce), read from its first bytes: `prefix` needs the kind byte and the length bytes
/// (at most 6 bytes). With it the browser build copies only the header into wasm memory.
pub fn binary_header_len(prefix: &[u8]) -> Result<usize, DecodeError> {
    let &kind = prefix
        .first()
        .ok_or(DecodeError::Truncated { needed: 1, len: 0 })?;
    let fields_at = match kind {
        KIND_PUSH => 4,
        KIND_REPLY => 5,
        KIND_BROADCAST => 3,
        other => return Err(DecodeError::UnknownBinaryKind(other)),
    };
    let lens = prefix.get(1..fields_at).ok_or(DecodeError::Truncated {
        needed: fields_at,
        len: prefix.len(),
    })?;
    Ok(fields_at + lens.iter().map(|&n| usize::from(n)).sum::<usize>())
}

/// [`decode_binary`] with the payload made by the caller: `payload(offset)` gets the offset
/// of the payload in the whole frame, and `bytes` needs to hold only the header (see
/// [`binary_header_len`]), so the browser build can slice the payload out of the received
/// `ArrayBuffer` in JS instead of copying it into wasm memory and out again.
pub fn decode_binary_with<P: Payload>(
    bytes: &[u8],
    payload: impl FnOnce(usize) -> P,
) -> Result<Message<P>, DecodeError> {
    let &kind = bytes
        .first()
        .ok_or(DecodeError::Truncated { needed: 1, len: 0 })?;
    match kind {
        KIND_PUSH => {
            let mut f = Fields::new(bytes, 4)?;
            Ok(Message {
                join_ref: Some(f.text("join_ref")?),
                ref_: None,
                topic: f.text("topic")?,
                event: f.text("event")?,
                payload: payload(f.offset()),
            })
        }
        KIND_REPLY => {
            let mut f = Fields::new(bytes, 5)?;
            let join_ref = Some(f.text("join_ref")?);
            let ref_ = Some(f.text("ref")?);
            let topic = f.text("topic")?;
            let status = f.text("status")?;
            Ok(Message {
                join_ref,
                ref_,
                topic,
                event: events::REPLY.to_owned(),
                payload: P::reply(&status, payload(f.offset())),
            })
        }
        KIND_BROADCAST => {
            let mut f = Fields::new(bytes, 3)?;
            Ok(Message {
                join_ref: None,
                ref_: None,
                topic: f.text("topic")?,
                event: f.text("event")?,
                payload: payload(f.offset()),
            })
        }
        other => Err(DecodeError::UnknownBinaryKind(other)),
    }
}

// ---------------------------------------------------------------------------------------
// Binary frames, client → server
// ---------------------------------------------------------------------------------------

/// Encodes a client→server binary push (spec §6.2 `binaryEncode`, kind 0):
/// `[0][len(join_ref)][len(ref)][len(topic)][len(event)]` + join_ref + ref + topic + event +
/// payload, lengths in UTF-8 bytes.
///
/// `None` for join_ref or ref is written as the 4 bytes `"null"`, which is what phoenix.js's
/// `TextEncoder.encode(null)` gives. A field over 255 bytes gives
/// [`EncodeError::FieldTooLong`] (fields checked in header order). The frame is allocated
/// once, at its exact size.
pub fn encode_binary(
    join_ref: Option<&str>,
    ref_: Option<&str>,
    topic: &str,
    event: &str,
    payload: &[u8],
) -> Result<Vec<u8>, EncodeError> {
    let mut frame = encode_binary_header(join_ref, ref_, topic, event, payload.len())?;
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// The header of [`encode_binary`] (kind, lengths and strings) without the payload, with
/// room reserved for `payload_len` more bytes. The browser build appends the payload on the
/// JS side, so the payload is never copied into wasm memory (docs/PERFORMANCE.md).
pub fn encode_binary_header(
    join_ref: Option<&str>,
    ref_: Option<&str>,
    topic: &str,
    event: &str,
    payload_len: usize,
) -> Result<Vec<u8>, EncodeError> {
    let fields = [
        ("join_ref", join_ref.unwrap_or(NULL_FIELD)),
        ("ref", ref_.unwrap_or(NULL_FIELD)),
        ("topic", topic),
        ("event", event),
    ];
    let mut header = [KIND_PUSH; 5];
    let mut size = header.len() + payload_len;
    for (slot, (field, value)) in header.iter_mut().skip(1).zip(fields) {
        let len = value.len();
        *slot = u8::try_from(len).map_err(|_| EncodeError::FieldTooLong { field, len })?;
        size += len;
    }
    let mut frame = Vec::with_capacity(size);
    frame.extend_from_slice(&header);
    for (_, value) in fields {
        frame.extend_from_slice(value.as_bytes());
    }
    Ok(frame)
}

/// [`encode_binary`] for an engine message: writes its refs as decimal digits
/// ([`Ref::write`], no `core::fmt`). `bytes` is the payload's content, i.e.
/// `msg.payload.binary()` of a binary payload.
pub fn encode_binary_outgoing<P: Payload>(
    msg: &Outgoing<P>,
    bytes: &[u8],
) -> Result<Vec<u8>, EncodeError> {
    let mut frame = encode_binary_outgoing_header(msg, bytes.len())?;
    frame.extend_from_slice(bytes);
    Ok(frame)
}

/// [`encode_binary_header`] for an engine message whose binary payload is `payload_len`
/// bytes long.
pub fn encode_binary_outgoing_header<P: Payload>(
    msg: &Outgoing<P>,
    payload_len: usize,
) -> Result<Vec<u8>, EncodeError> {
    let mut join_ref_buf = [0u8; 20];
    let mut ref_buf = [0u8; 20];
    let join_ref = msg.join_ref.map(|r| r.write(&mut join_ref_buf));
    let ref_ = msg.ref_.map(|r| r.write(&mut ref_buf));
    encode_binary_header(join_ref, ref_, &msg.topic, &msg.event, payload_len)
}

// ---------------------------------------------------------------------------------------
// Error texts (no core::fmt)
// ---------------------------------------------------------------------------------------

/// Appends the decimal digits of `n`.
fn push_number(out: &mut String, n: usize) {
    let mut buf = [0u8; 20];
    out.push_str(Ref(n as u64).write(&mut buf));
}

impl DecodeError {
    /// A one-line description for logs and `onError`, built without `core::fmt`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        match self {
            DecodeError::InvalidJson => s.push_str("unable to decode text frame: invalid JSON"),
            DecodeError::NotAnArray => s.push_str(
                "unable to decode text frame: expected an array [join_ref, ref, topic, event, payload]",
            ),
            DecodeError::WrongArity(n) => {
                s.push_str("unable to decode text frame: expected 5 elements, but got ");
                push_number(&mut s, *n);
            }
            DecodeError::FieldType(field) => {
                s.push_str("unable to decode frame: ");
                s.push_str(field);
                s.push_str(match *field {
                    "join_ref" | "ref" => " must be a string or null",
                    _ => " must be a string",
                });
            }
            DecodeError::UnknownBinaryKind(kind) => {
                s.push_str("unable to decode binary frame: unknown kind ");
                push_number(&mut s, usize::from(*kind));
                s.push_str(" (expected 0 push, 1 reply or 2 broadcast)");
            }
            DecodeError::Truncated { needed, len } => {
                s.push_str("unable to decode binary frame: header needs ");
                push_number(&mut s, *needed);
                s.push_str(" bytes, but the frame is ");
                push_number(&mut s, *len);
                s.push_str(" bytes");
            }
            DecodeError::InvalidUtf8(field) => {
                s.push_str("unable to decode binary frame: ");
                s.push_str(field);
                s.push_str(" is not valid UTF-8");
            }
        }
        s
    }
}

impl EncodeError {
    /// The text phoenix.js throws: for [`EncodeError::FieldTooLong`] exactly
    /// `unable to convert <field> to binary: must be less than or equal to 255 bytes, but is
    /// N bytes`; for [`EncodeError::Json`] the host's message unchanged. No `core::fmt`.
    pub fn describe(&self) -> String {
        match self {
            EncodeError::FieldTooLong { field, len } => {
                let mut s = String::from("unable to convert ");
                s.push_str(field);
                s.push_str(" to binary: must be less than or equal to 255 bytes, but is ");
                push_number(&mut s, *len);
                s.push_str(" bytes");
                s
            }
            EncodeError::Json(message) => message.clone(),
        }
    }
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for DecodeError {}
impl std::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload that records what the serializer built, independent of serde_json.
    #[derive(Clone, Debug, PartialEq)]
    enum P {
        Object,
        Str(String),
        Bin(Vec<u8>),
        Reply(String, Box<P>),
    }

    impl Payload for P {
        fn empty_object() -> Self {
            P::Object
        }
        fn string(s: &str) -> Self {
            P::Str(s.to_owned())
        }
        fn transport_error(reason: &str) -> Self {
            P::Str(reason.to_owned())
        }
        fn reason(reason: &str) -> Self {
            P::Str(reason.to_owned())
        }
        fn reply(status: &str, response: Self) -> Self {
            P::Reply(status.to_owned(), Box::new(response))
        }
        fn reply_status(&self) -> Option<crate::core::payload::Status> {
            match self {
                P::Reply(s, _) => Some(crate::core::payload::status(s)),
                _ => None,
            }
        }
        fn reply_response(&self) -> Self {
            match self {
                P::Reply(_, r) => (**r).clone(),
                _ => P::Object,
            }
        }
        fn from_binary(bytes: &[u8]) -> Self {
            P::Bin(bytes.to_vec())
        }
        fn binary(&self) -> Option<Vec<u8>> {
            match self {
                P::Bin(b) => Some(b.clone()),
                _ => None,
            }
        }
    }

    fn frame(header: &[u8], strings: &[&str], payload: &[u8]) -> Vec<u8> {
        let mut v = header.to_vec();
        for s in strings {
            v.extend_from_slice(s.as_bytes());
        }
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn binary_push_frame_decodes_with_join_ref_and_null_ref() {
        let bytes = frame(&[0, 1, 6, 3], &["7", "room:1", "img"], &[9, 8]);
        let msg: Message<P> = decode_binary(&bytes).unwrap();
        assert_eq!(msg.join_ref.as_deref(), Some("7"));
        assert_eq!(msg.ref_, None);
        assert_eq!((msg.topic.as_str(), msg.event.as_str()), ("room:1", "img"));
        assert_eq!(msg.payload, P::Bin(vec![9, 8]));
    }

    #[test]
    fn binary_reply_frame_decodes_to_phx_reply_wrapping_status_and_binary_response() {
        let bytes = frame(&[1, 1, 2, 1, 5], &["3", "12", "t", "error"], &[0]);
        let msg: Message<P> = decode_binary(&bytes).unwrap();
        assert_eq!(msg.join_ref.as_deref(), Some("3"));
        assert_eq!(msg.ref_.as_deref(), Some("12"));
        assert_eq!(msg.event, "phx_reply");
        assert_eq!(
            msg.payload,
            P::Reply("error".into(), Box::new(P::Bin(vec![0])))
        );
    }

    #[test]
    fn binary_broadcast_frame_decodes_without_refs_and_with_empty_payload() {
        let bytes = frame(&[2, 1, 2], &["t", "ev"], &[]);
        let msg: Message<P> = decode_binary(&bytes).unwrap();
        assert_eq!((msg.join_ref, msg.ref_), (None, None));
        assert_eq!((msg.topic.as_str(), msg.event.as_str()), ("t", "ev"));
        assert_eq!(msg.payload, P::Bin(vec![]));
    }

    #[test]
    fn zero_length_join_ref_and_ref_decode_to_empty_strings_like_text_decoder() {
        let push: Message<P> = decode_binary(&frame(&[0, 0, 1, 1], &["t", "e"], &[])).unwrap();
        assert_eq!(push.join_ref.as_deref(), Some(""));
        let reply: Message<P> = decode_binary(&frame(&[1, 0, 0, 1, 2], &["t", "ok"], &[])).unwrap();
        assert_eq!(
            (reply.join_ref.as_deref(), reply.ref_.as_deref()),
            (Some(""), Some(""))
        );
    }

    #[test]
    fn empty_binary_frame_is_truncated_before_the_kind_byte() {
        assert_eq!(
            decode_binary::<P>(&[]),
            Err(DecodeError::Truncated { needed: 1, len: 0 })
        );
    }

    #[test]
    fn unknown_binary_kind_is_rejected_naming_the_kind() {
        assert_eq!(
            decode_binary::<P>(&[3, 0, 0]),
            Err(DecodeError::UnknownBinaryKind(3))
        );
        assert_eq!(
            decode_binary::<P>(&[255]),
            Err(DecodeError::UnknownBinaryKind(255))
        );
    }

    #[test]
    fn frame_cut_inside_the_header_needs_the_header_size_of_its_kind() {
        for (bytes, needed) in [(&[0u8, 1, 1][..], 4), (&[1, 1, 1, 1][..], 5), (&[2][..], 3)] {
            assert_eq!(
                decode_binary::<P>(bytes),
                Err(DecodeError::Truncated {
                    needed,
                    len: bytes.len()
                })
            );
        }
    }

    #[test]
    fn frame_cut_inside_its_strings_needs_header_plus_announced_lengths() {
        // push announcing 200+200+200 bytes of strings in a 10-byte frame: no allocation, error.
        let bytes = [0, 200, 200, 200, b'a', b'b', b'c', b'd', b'e', b'f'];
        assert_eq!(
            decode_binary::<P>(&bytes),
            Err(DecodeError::Truncated {
                needed: 604,
                len: 10
            })
        );
    }

    #[test]
    fn invalid_utf8_in_a_binary_string_names_the_field() {
        let bad = [0xff];
        let cases: [(Vec<u8>, &str); 5] = [
            ([&[0, 1, 1, 1][..], &bad, b"te"].concat(), "join_ref"),
            ([&[1, 1, 1, 1, 2][..], b"1", &bad, b"tok"].concat(), "ref"),
            ([&[2, 1, 1][..], &bad, b"e"].concat(), "topic"),
            ([&[2, 1, 1][..], b"t", &bad].concat(), "event"),
            ([&[1, 1, 1, 1, 1][..], b"12t", &bad].concat(), "status"),
        ];
        for (bytes, field) in cases {
            assert_eq!(
                decode_binary::<P>(&bytes),
                Err(DecodeError::InvalidUtf8(field)),
                "{field}"
            );
        }
    }

    #[test]
    fn invalid_utf8_in_the_payload_is_just_bytes() {
        let msg: Message<P> = decode_binary(&[2, 1, 1, b't', b'e', 0xff, 0xfe]).unwrap();
        assert_eq!(msg.payload, P::Bin(vec![0xff, 0xfe]));
    }

    #[test]
    fn client_binary_push_matches_the_spec_byte_example() {
        let got = encode_binary(Some("1"), Some("2"), "t", "e", &[1, 2, 3]).unwrap();
        assert_eq!(
            got,
            [0x00, 0x01, 0x01, 0x01, 0x01, 0x31, 0x32, 0x74, 0x65, 0x01, 0x02, 0x03]
        );
        assert_eq!(got.capacity(), got.len());
    }

    #[test]
    fn absent_refs_are_written_as_the_four_bytes_null() {
        let got = encode_binary(None, None, "t", "e", &[]).unwrap();
        assert_eq!(
            got,
            frame(&[0, 4, 4, 1, 1], &["null", "null", "t", "e"], &[])
        );
    }

    #[test]
    fn the_first_field_over_255_bytes_in_header_order_is_reported() {
        let long = "x".repeat(256);
        let l = long.as_str();
        let first = |got| match got {
            Err(EncodeError::FieldTooLong { field, len: 256 }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            first(encode_binary(Some(l), Some(l), l, l, &[])),
            "join_ref"
        );
        assert_eq!(first(encode_binary(None, Some(l), l, l, &[])), "ref");
        assert_eq!(first(encode_binary(None, None, l, l, &[])), "topic");
        assert_eq!(first(encode_binary(None, None, "t", l, &[])), "event");
        let max = "x".repeat(255);
        assert!(encode_binary(None, None, &max, &max, &[]).is_ok());
    }

    #[test]
    fn outgoing_refs_are_written_as_decimal_strings() {
        let msg = Outgoing {
            join_ref: Some(Ref(12)),
            ref_: Some(Ref(345)),
            topic: "t".to_owned(),
            event: "e".to_owned(),
            payload: P::Object,
            raw: false,
        };
        let got = encode_binary_outgoing(&msg, &[1]).unwrap();
        assert_eq!(got, frame(&[0, 2, 3, 1, 1], &["12", "345", "t", "e"], &[1]));
        let no_join = Outgoing {
            join_ref: None,
            ..msg
        };
        let got = encode_binary_outgoing(&no_join, &[]).unwrap();
        assert_eq!(
            got,
            frame(&[0, 4, 3, 1, 1], &["null", "345", "t", "e"], &[])
        );
    }

    #[test]
    fn envelope_keeps_strings_and_nulls() {
        let msg = envelope(
            Field::Null,
            "8".into(),
            "room:1".into(),
            String::from("ev").into(),
            5,
        )
        .unwrap();
        assert_eq!(
            msg,
            Message {
                join_ref: None,
                ref_: Some("8".into()),
                topic: "room:1".into(),
                event: "ev".into(),
                payload: 5
            }
        );
    }

    #[test]
    fn envelope_rejects_the_first_field_of_the_wrong_type() {
        let s = || Field::from("s");
        assert_eq!(
            envelope(Field::Other, Field::Other, s(), s(), ()),
            Err(DecodeError::FieldType("join_ref"))
        );
        assert_eq!(
            envelope(s(), Field::Other, s(), s(), ()),
            Err(DecodeError::FieldType("ref"))
        );
        assert_eq!(
            envelope(s(), s(), Field::Null, s(), ()),
            Err(DecodeError::FieldType("topic"))
        );
        assert_eq!(
            envelope(s(), s(), s(), Field::Other, ()),
            Err(DecodeError::FieldType("event"))
        );
    }

    #[test]
    fn arity_needs_five_elements_and_allows_more() {
        assert_eq!(check_arity(4), Err(DecodeError::WrongArity(4)));
        assert_eq!(check_arity(5), Ok(()));
        assert_eq!(check_arity(9), Ok(()));
    }

    #[test]
    fn field_too_long_text_is_exactly_phoenix_js() {
        let e = EncodeError::FieldTooLong {
            field: "join_ref",
            len: 300,
        };
        assert_eq!(
            e.describe(),
            "unable to convert join_ref to binary: must be less than or equal to 255 bytes, but is 300 bytes"
        );
        assert_eq!(e.to_string(), e.describe());
    }

    #[test]
    fn json_encode_error_text_is_the_host_message_unchanged() {
        let e = EncodeError::Json("Converting circular structure to JSON".into());
        assert_eq!(e.describe(), "Converting circular structure to JSON");
    }

    #[test]
    fn decode_error_texts_name_the_numbers_and_fields() {
        let cases = [
            (DecodeError::InvalidJson, "unable to decode text frame: invalid JSON"),
            (
                DecodeError::NotAnArray,
                "unable to decode text frame: expected an array [join_ref, ref, topic, event, payload]",
            ),
            (DecodeError::WrongArity(3), "unable to decode text frame: expected 5 elements, but got 3"),
            (DecodeError::FieldType("ref"), "unable to decode frame: ref must be a string or null"),
            (DecodeError::FieldType("topic"), "unable to decode frame: topic must be a string"),
            (
                DecodeError::UnknownBinaryKind(7),
                "unable to decode binary frame: unknown kind 7 (expected 0 push, 1 reply or 2 broadcast)",
            ),
            (
                DecodeError::Truncated { needed: 604, len: 10 },
                "unable to decode binary frame: header needs 604 bytes, but the frame is 10 bytes",
            ),
            (DecodeError::InvalidUtf8("status"), "unable to decode binary frame: status is not valid UTF-8"),
        ];
        for (e, text) in cases {
            assert_eq!(e.describe(), text);
            assert_eq!(e.to_string(), text);
        }
    }
}
