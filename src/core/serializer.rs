//! Serializer (spec §6): the V2 envelope and the binary frame layouts.
//!
//! Text frames are parsed by the payload's own JSON (the host's `JSON.parse` in the
//! browser, serde_json natively); this module checks the envelope shape those parsers hand
//! over ([`envelope`]) and owns the binary layouts of §6.2, which are the same for every
//! payload type.
//!
//! TODO(helper): binary encode/decode, envelope checks, tests — see the functions below.

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
    /// A binary frame shorter than its header says.
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
