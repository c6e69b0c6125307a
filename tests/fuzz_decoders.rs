//! Hostile input never panics (issue 10): property-based fuzzing of everything that reads
//! bytes from the server, natively, with proptest.
//!
//! - text frames: `core::json::decode_text` on arbitrary strings and on JSON arrays of
//!   arbitrary elements;
//! - binary frames: `core::serializer::decode_binary` on arbitrary bytes and on frames with
//!   well-formed headers whose lengths and bodies are then mutated;
//! - presence: phoenix.js's `syncDiff` joins/leaves applied to the `core::presence::Roster`
//!   with hostile keys (`__proto__`, array-index edge cases, non-ASCII), checked against a
//!   plain model;
//! - the engine: random sequences of inbound frames (valid and invalid, replies for unknown
//!   refs, `phx_close`/`phx_error` for random topics, frames on stale connections) mixed
//!   with random API calls and transport events, in simulated time. No panic; every channel
//!   in `socket.channels()` exists; once everything is left, released and timed out, no
//!   channel and no push stays alive.
//!
//! Case counts: `FUZZ_CASES` (default 2000 per target, the short run of scripts/test.sh).
//! The long run recorded in docs/RELIABILITY.md sets it to millions:
//! `FUZZ_CASES=2000000 cargo test --release --features json --test fuzz_decoders`.
//!
//! Also here: one binary frame header can never make the client allocate more than the
//! frame's own size, checked with a counting allocator.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;

use phoenix_wasm::core::json::decode_text;
use phoenix_wasm::core::presence::Roster;
use phoenix_wasm::core::serializer::{decode_binary, DecodeError};
use phoenix_wasm::core::{
    BindingCallback, ChannelKey, ConnId, Effect, Message, Payload, PushKey, Socket, SocketOptions,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// A counting allocator: bytes allocated by the current thread (tests run on many threads).
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size()));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grow = new_size.saturating_sub(layout.size());
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + grow));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated by this thread while `f` runs.
fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

/// A payload that holds binary bytes as they are (one copy), so allocation counts measure
/// the decoder and not `serde_json::Value`'s representation of bytes.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Empty,
    Bytes(Vec<u8>),
    Reply(String, Box<Raw>),
}

impl Payload for Raw {
    fn empty_object() -> Self {
        Raw::Empty
    }
    fn string(_: &str) -> Self {
        Raw::Empty
    }
    fn transport_error(_: &str) -> Self {
        Raw::Empty
    }
    fn reason(_: &str) -> Self {
        Raw::Empty
    }
    fn reply(status: &str, response: Self) -> Self {
        Raw::Reply(status.to_owned(), Box::new(response))
    }
    fn reply_status(&self) -> Option<phoenix_wasm::core::payload::Status> {
        match self {
            Raw::Reply(s, _) => Some(phoenix_wasm::core::payload::status(s)),
            _ => None,
        }
    }
    fn reply_response(&self) -> Self {
        match self {
            Raw::Reply(_, r) => (**r).clone(),
            _ => Raw::Empty,
        }
    }
    fn from_binary(bytes: &[u8]) -> Self {
        Raw::Bytes(bytes.to_vec())
    }
    fn binary(&self) -> Option<Vec<u8>> {
        match self {
            Raw::Bytes(b) => Some(b.clone()),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Case counts
// ---------------------------------------------------------------------------------------

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn runner(divisor: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: (cases() / divisor).max(1),
        failure_persistence: None,
        ..Config::default()
    })
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "ok",
            "error",
            "timeout",
            "phx_reply",
            "__proto__",
            "1"
        ])
        .prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Object keys, with the ones that are special to JS objects over-represented.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "__proto__",
            "constructor",
            "prototype",
            "toString",
            "hasOwnProperty",
            "0",
            "01",
            "4294967294",
            "4294967295",
            "-0",
            "1e3",
            "",
            "status",
            "response",
            "metas",
            "phx_ref",
        ])
        .prop_map(str::to_owned),
        "[a-c0-9]{0,3}",
        ".{0,6}",
    ]
}

// ---------------------------------------------------------------------------------------
// Text frames
// ---------------------------------------------------------------------------------------

#[test]
fn text_decoding_never_panics_on_arbitrary_strings() {
    runner(1)
        .run(&".{0,64}", |s| {
            let _ = decode_text(&s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn text_decoding_never_panics_on_arbitrary_json_arrays() {
    let element = prop_oneof![
        json_value(),
        Just(Value::Null),
        "[0-9]{1,3}".prop_map(Value::from)
    ];
    runner(1)
        .run(&prop::collection::vec(element, 0..8), |elements| {
            let text = Value::Array(elements.clone()).to_string();
            match decode_text(&text) {
                Ok(msg) => {
                    // Accepted only with a valid envelope, and then faithfully.
                    prop_assert!(elements.len() >= 5);
                    prop_assert_eq!(Some(&Value::from(msg.topic)), elements.get(2));
                    prop_assert_eq!(Some(&Value::from(msg.event)), elements.get(3));
                    // (payload equality is not checked: serde_json's default float
                    // parsing is not exact to the last bit)
                    prop_assert!(elements.get(4).is_some());
                }
                Err(DecodeError::WrongArity(n)) => prop_assert!(n < 5 && n == elements.len()),
                Err(_) => {}
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn text_decoding_never_panics_on_mutated_valid_frames() {
    let frame = r#"["1","2","room:1","phx_reply",{"status":"ok","response":{"a":[1,2]}}]"#;
    let mutation = (0..frame.len(), any::<u8>(), 0usize..3);
    runner(1)
        .run(&prop::collection::vec(mutation, 1..6), |muts| {
            let mut bytes = frame.as_bytes().to_vec();
            for (at, byte, op) in muts {
                let at = at.min(bytes.len());
                match op {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => bytes.truncate(at),
                }
            }
            let _ = decode_text(&String::from_utf8_lossy(&bytes));
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// Binary frames
// ---------------------------------------------------------------------------------------

#[test]
fn binary_decoding_never_panics_on_arbitrary_bytes() {
    runner(1)
        .run(&prop::collection::vec(any::<u8>(), 0..64), |bytes| {
            let _ = decode_binary::<Value>(&bytes);
            let _ = decode_binary::<Raw>(&bytes);
            Ok(())
        })
        .unwrap();
}

/// A well-formed frame of kind 0, 1 or 2, then mutated: lengths changed, body cut or grown.
fn binary_frame() -> impl Strategy<Value = Vec<u8>> {
    let field = prop::collection::vec(any::<u8>(), 0..12);
    (
        0u8..4,
        prop::collection::vec(field, 4),
        prop::collection::vec(any::<u8>(), 0..16),
        prop::collection::vec((0usize..40, any::<u8>()), 0..3),
        prop::option::of(0usize..60),
    )
        .prop_map(|(kind, fields, payload, pokes, cut)| {
            let n = match kind {
                0 => 3,
                1 => 4,
                2 => 2,
                _ => 4,
            };
            let mut out = vec![kind];
            out.extend(fields.iter().take(n).map(|f| f.len() as u8));
            for f in fields.iter().take(n) {
                out.extend_from_slice(f);
            }
            out.extend_from_slice(&payload);
            for (at, b) in pokes {
                if let Some(slot) = out.get_mut(at) {
                    *slot = b;
                }
            }
            if let Some(cut) = cut {
                out.truncate(cut);
            }
            out
        })
}

#[test]
fn binary_decoding_never_panics_on_mutated_frames_and_never_over_allocates() {
    runner(1)
        .run(&binary_frame(), |bytes| {
            let _ = decode_binary::<Value>(&bytes);
            let (result, bytes_allocated) = allocated_by(|| decode_binary::<Raw>(&bytes));
            match result {
                Ok(msg) => {
                    // Each string and the payload are copied once; a reply adds its status
                    // again inside the payload, the constant event "phx_reply" and the
                    // box of this test's `Raw::Reply`.
                    let bound = 2 * bytes.len() + "phx_reply".len() + std::mem::size_of::<Raw>();
                    prop_assert!(
                        bytes_allocated <= bound,
                        "{} bytes allocated for a {}-byte frame",
                        bytes_allocated,
                        bytes.len()
                    );
                    drop(msg);
                }
                // A header that claims more than the frame holds is refused before
                // anything is allocated; other errors (bad UTF-8 in a later field) may
                // have copied earlier fields, never more than the frame.
                Err(DecodeError::Truncated { .. }) => {
                    prop_assert_eq!(bytes_allocated, 0, "a truncated frame allocates nothing")
                }
                Err(_) => prop_assert!(bytes_allocated <= bytes.len()),
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_binary_header_claiming_more_than_the_frame_allocates_nothing() {
    // A 5-byte reply header claiming four 255-byte fields, and the other kinds likewise.
    let frames: [&[u8]; 4] = [
        &[1, 255, 255, 255, 255],
        &[0, 255, 255, 255],
        &[2, 255, 255],
        &[1, 255, 255, 255, 255, b'x', b'y'],
    ];
    for frame in frames {
        let (result, bytes_allocated) = allocated_by(|| decode_binary::<Raw>(frame));
        let needed = match frame[0] {
            0 => 4 + 3 * 255,
            1 => 5 + 4 * 255,
            _ => 3 + 2 * 255,
        };
        assert_eq!(
            result,
            Err(DecodeError::Truncated {
                needed,
                len: frame.len()
            })
        );
        assert_eq!(bytes_allocated, 0, "{frame:?}");
    }
    // And the serde_json payload path refuses it the same way.
    assert!(matches!(
        decode_binary::<Value>(&[1, 255, 255, 255, 255]),
        Err(DecodeError::Truncated { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Presence diffs over the roster
// ---------------------------------------------------------------------------------------

/// One `presence_diff`: joins and leaves, each `key → [phx_ref]`.
type Diff = (Vec<(String, Vec<u8>)>, Vec<(String, Vec<u8>)>);

fn diff() -> impl Strategy<Value = Diff> {
    let entry = || (key(), prop::collection::vec(0u8..6, 0..4));
    (
        prop::collection::vec(entry(), 0..4),
        prop::collection::vec(entry(), 0..4),
    )
}

/// phoenix.js `syncDiff` (spec §5.2) on the roster: joins keep the current metas not
/// re-joined, then add the new ones; leaves drop the metas by ref and the key once empty.
fn apply_roster(r: &mut Roster<(String, Vec<u8>)>, (joins, leaves): &Diff) {
    for (k, refs) in joins {
        let mut metas: Vec<u8> = match r.get(k) {
            Some((_, cur)) => cur.iter().copied().filter(|m| !refs.contains(m)).collect(),
            None => Vec::new(),
        };
        metas.extend(refs);
        r.insert(k, (k.clone(), metas));
    }
    for (k, refs) in leaves {
        let Some((_, cur)) = r.get(k) else { continue };
        let kept: Vec<u8> = cur.iter().copied().filter(|m| !refs.contains(m)).collect();
        if kept.is_empty() {
            r.remove(k);
        } else {
            r.insert(k, (k.clone(), kept));
        }
    }
}

fn apply_model(m: &mut HashMap<String, Vec<u8>>, (joins, leaves): &Diff) {
    for (k, refs) in joins {
        let mut metas: Vec<u8> = m
            .get(k)
            .map(|cur| cur.iter().copied().filter(|x| !refs.contains(x)).collect())
            .unwrap_or_default();
        metas.extend(refs);
        m.insert(k.clone(), metas);
    }
    for (k, refs) in leaves {
        if let Some(cur) = m.get_mut(k) {
            cur.retain(|x| !refs.contains(x));
            if cur.is_empty() {
                m.remove(k);
            }
        }
    }
}

#[test]
fn presence_diffs_with_hostile_keys_keep_the_roster_consistent() {
    runner(4)
        .run(&prop::collection::vec(diff(), 0..24), |diffs| {
            let mut roster = Roster::new();
            let mut model = HashMap::new();
            for d in &diffs {
                apply_roster(&mut roster, d);
                apply_model(&mut model, d);
                prop_assert_eq!(roster.len(), model.len());
            }
            let mut listed: Vec<(String, Vec<u8>)> = roster.values().cloned().collect();
            prop_assert_eq!(listed.len(), model.len());
            listed.sort();
            let mut expected: Vec<(String, Vec<u8>)> = model.into_iter().collect();
            expected.sort();
            prop_assert_eq!(listed, expected);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

const TOPICS: [&str; 4] = ["room:a", "room:b", "lobby:x", "phoenix"];

#[derive(Clone, Debug)]
enum Act {
    Connect,
    Disconnect,
    Open,
    ServerClose(u16),
    TransportError,
    /// The transport finishes a close the engine asked for.
    FinishClose(usize),
    Advance(u32),
    Channel(usize),
    Join(usize),
    Leave(usize),
    Push(usize, usize),
    On(usize),
    ReleaseChannel(usize),
    ReleasePush(usize),
    Ping,
    PageHide,
    PageShow,
    Visibility(bool),
    Buffered(u32),
    /// A frame on the current connection: (join_ref, ref, topic, event, payload) picks.
    Frame(u8, u8, usize, usize, Value),
    /// Raw text or bytes from the server.
    Text(String),
    Bytes(Vec<u8>),
    /// A frame on a connection that is no longer current.
    StaleFrame(usize, usize),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        2 => Just(Act::Connect),
        1 => Just(Act::Disconnect),
        3 => Just(Act::Open),
        1 => prop::sample::select(vec![1000u16, 1001, 1006, 1011, 3410]).prop_map(Act::ServerClose),
        1 => Just(Act::TransportError),
        1 => (0usize..4).prop_map(Act::FinishClose),
        4 => prop_oneof![0u32..50, 0u32..2_000, 0u32..40_000].prop_map(Act::Advance),
        2 => (0usize..4).prop_map(Act::Channel),
        3 => (0usize..6).prop_map(Act::Join),
        1 => (0usize..6).prop_map(Act::Leave),
        3 => (0usize..6, 0usize..4).prop_map(|(c, e)| Act::Push(c, e)),
        1 => (0usize..6).prop_map(Act::On),
        1 => (0usize..6).prop_map(Act::ReleaseChannel),
        1 => (0usize..8).prop_map(Act::ReleasePush),
        1 => Just(Act::Ping),
        1 => Just(Act::PageHide),
        1 => Just(Act::PageShow),
        1 => any::<bool>().prop_map(Act::Visibility),
        1 => (0u32..3_000_000).prop_map(Act::Buffered),
        10 => (any::<u8>(), any::<u8>(), 0usize..6, 0usize..9, frame_payload())
            .prop_map(|(j, r, t, e, p)| Act::Frame(j, r, t, e, p)),
        1 => ".{0,24}".prop_map(Act::Text),
        1 => prop::collection::vec(any::<u8>(), 0..24).prop_map(Act::Bytes),
        1 => (0usize..4, 0usize..9).prop_map(|(c, e)| Act::StaleFrame(c, e)),
    ]
}

fn frame_payload() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (prop::sample::select(vec!["ok", "error", "timeout", "weird"]), json_value())
            .prop_map(|(s, r)| json!({"status": s, "response": r})),
        1 => Just(json!({})),
        1 => Just(json!({"reason": "unmatched topic"})),
        1 => json_value(),
        1 => Just(json!({"status": "ok"})),
    ]
}

const EVENTS: [&str; 9] = [
    "phx_reply",
    "phx_reply",
    "phx_close",
    "phx_error",
    "phx_join",
    "presence_diff",
    "msg",
    "heartbeat",
    "",
];

struct Fuzz {
    s: Socket<Value, u32>,
    now: f64,
    conn: Option<ConnId>,
    conns: Vec<ConnId>,
    closing: Vec<ConnId>,
    channels: Vec<ChannelKey>,
    held_channels: Vec<ChannelKey>,
    pushes: Vec<PushKey>,
    /// Refs the engine sent, to answer with.
    refs: Vec<String>,
}

impl Fuzz {
    fn new() -> Self {
        Fuzz {
            s: Socket::new(SocketOptions {
                logger: true,
                heartbeat_interval_ms: 1000.0,
                timeout: 3000.0,
                ..SocketOptions::default()
            }),
            now: 0.0,
            conn: None,
            conns: Vec::new(),
            closing: Vec::new(),
            channels: Vec::new(),
            held_channels: Vec::new(),
            pushes: Vec::new(),
            refs: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(effect) = self.s.poll_effect() {
            match effect {
                Effect::Connect { conn } => {
                    self.conn = Some(conn);
                    self.conns.push(conn);
                }
                Effect::Transmit { conn, message } => {
                    assert_eq!(Some(conn), self.conn, "transmit on a stale connection");
                    if let Some(r) = message.ref_ {
                        self.refs.push(r.to_js_string());
                    }
                    if let Some(r) = message.join_ref {
                        self.refs.push(r.to_js_string());
                    }
                    if self.refs.len() > 16 {
                        self.refs.remove(0);
                    }
                }
                Effect::Close { conn, .. } => self.closing.push(conn),
                _ => {}
            }
        }
    }

    fn pick_ref(&self, n: u8) -> Option<String> {
        match n % 4 {
            0 => None,
            1 => Some(n.to_string()),
            _ => self
                .refs
                .get(usize::from(n) % self.refs.len().max(1))
                .cloned(),
        }
    }

    fn topic(&self, i: usize) -> String {
        match TOPICS.get(i) {
            Some(t) => (*t).to_owned(),
            None => format!("room:{i}"),
        }
    }

    fn step(&mut self, a: &Act) {
        let now = self.now;
        match a {
            Act::Connect => self.s.connect(now),
            Act::Disconnect => self.s.disconnect(now, Some(7), None, None),
            Act::Open => {
                if let Some(c) = self.conn {
                    self.s.handle_open(c, now, false);
                }
            }
            Act::ServerClose(code) => {
                if let Some(c) = self.conn {
                    self.s.handle_close(c, now, json!({ "code": code }));
                }
            }
            Act::TransportError => {
                if let Some(c) = self.conn {
                    self.s.handle_error(c, now, json!("error"));
                }
            }
            Act::FinishClose(i) => {
                if !self.closing.is_empty() {
                    let c = self.closing.remove(i % self.closing.len());
                    self.s.handle_close(c, now, json!({ "code": 1000 }));
                }
            }
            Act::Advance(ms) => self.advance(f64::from(*ms)),
            Act::Channel(t) => {
                let ch = self.s.channel(&self.topic(*t), json!({}));
                self.channels.push(ch);
                self.held_channels.push(ch);
            }
            Act::Join(i) => {
                if let Some(&ch) = self.channels.get(*i) {
                    if let Ok(p) = self.s.channel_join(ch, now, None) {
                        self.s.push_receive(p, "ok", 1);
                    }
                }
            }
            Act::Leave(i) => {
                if let Some(&ch) = self.channels.get(*i) {
                    if let Some(p) = self.s.channel_leave(ch, now, None) {
                        self.pushes.push(p);
                    }
                }
            }
            Act::Push(i, e) => {
                if let Some(&ch) = self.channels.get(*i) {
                    let event = ["ping", "noreply", "shout", "crash"][e % 4];
                    if let Ok(p) = self.s.channel_push(ch, now, event, json!({"n": 1}), None) {
                        self.s.push_receive(p, "ok", 2);
                        self.s.push_receive(p, "timeout", 3);
                        self.pushes.push(p);
                    }
                }
            }
            Act::On(i) => {
                if let Some(&ch) = self.channels.get(*i) {
                    let _ = self.s.channel_on(ch, "msg", BindingCallback::Full(4));
                }
            }
            Act::ReleaseChannel(i) => {
                if *i < self.held_channels.len() {
                    let ch = self.held_channels.remove(*i);
                    self.s.release_channel(ch);
                }
            }
            Act::ReleasePush(i) => {
                if *i < self.pushes.len() {
                    let p = self.pushes.remove(*i);
                    self.s.release_push(p);
                }
            }
            Act::Ping => {
                let _ = self.s.ping(now, 5);
            }
            Act::PageHide => self.s.handle_pagehide(now),
            Act::PageShow => self.s.handle_pageshow(now),
            Act::Visibility(hidden) => self.s.handle_visibility_change(now, *hidden),
            Act::Buffered(n) => {
                if let Some(c) = self.conn {
                    self.s.set_buffered_amount(c, *n);
                }
            }
            Act::Frame(j, r, t, e, payload) => {
                if let Some(c) = self.conn {
                    let msg = Message {
                        join_ref: self.pick_ref(*j),
                        ref_: self.pick_ref(*r),
                        topic: self.topic(*t),
                        event: EVENTS[e % EVENTS.len()].to_owned(),
                        payload: payload.clone(),
                    };
                    self.s.handle_message(c, now, msg);
                }
            }
            Act::Text(text) => {
                if let (Some(c), Ok(msg)) = (self.conn, decode_text(text)) {
                    self.s.handle_message(c, now, msg);
                }
            }
            Act::Bytes(bytes) => {
                if let (Some(c), Ok(msg)) = (self.conn, decode_binary::<Value>(bytes)) {
                    self.s.handle_message(c, now, msg);
                }
            }
            Act::StaleFrame(i, e) => {
                if let Some(&c) = self.conns.get(*i) {
                    let msg = Message {
                        join_ref: self.refs.first().cloned(),
                        ref_: self.refs.last().cloned(),
                        topic: "room:a".into(),
                        event: EVENTS[e % EVENTS.len()].to_owned(),
                        payload: json!({"status": "ok", "response": {}}),
                    };
                    self.s.handle_message(c, now, msg);
                    self.s.handle_open(c, now, false);
                    self.s.handle_close(c, now, json!({ "code": 1006 }));
                }
            }
        }
        self.drain();
        self.check();
    }

    fn advance(&mut self, ms: f64) {
        let target = self.now + ms;
        while let Some(at) = self.s.poll_timeout() {
            assert!(at.is_finite(), "deadline {at}");
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.s.handle_timeout(self.now);
            self.drain();
        }
        self.now = target;
    }

    fn check(&self) {
        for &ch in self.s.channels() {
            assert!(
                self.s.channel_state(ch).is_some(),
                "a channel in socket.channels() no longer exists"
            );
        }
    }

    /// Let every timer run out, then leave and release everything: nothing stays.
    fn wind_down(&mut self) {
        self.s.disconnect(self.now, None, None, None);
        self.drain();
        for c in std::mem::take(&mut self.closing) {
            self.s.handle_close(c, self.now, json!({ "code": 1000 }));
        }
        self.drain();
        self.advance(3_600_000.0);
        for p in std::mem::take(&mut self.pushes) {
            self.s.release_push(p);
        }
        for ch in self.s.channels().to_vec() {
            if let Some(p) = self.s.channel_leave(ch, self.now, None) {
                self.s.release_push(p);
            }
            self.drain();
        }
        for ch in std::mem::take(&mut self.held_channels) {
            self.s.release_channel(ch);
        }
        self.drain();
        self.advance(3_600_000.0);
        for c in std::mem::take(&mut self.closing) {
            self.s.handle_close(c, self.now, json!({ "code": 1000 }));
        }
        self.drain();
        self.advance(3_600_000.0);
        assert_eq!(self.s.channels().len(), 0, "channels left in the socket");
        assert_eq!(self.s.live_channels(), 0, "channels alive after wind-down");
        assert_eq!(self.s.live_pushes(), 0, "pushes alive after wind-down");
    }
}

/// Found by the engine fuzzer: a push still waiting for its reply (bound to
/// `chan_reply_<ref>`, timer running) when its channel was left and let go was never freed:
/// its timeout fired into a channel that no longer existed. As in phoenix.js, a push now
/// keeps its channel alive until it is settled and released, and then both are freed.
#[test]
fn a_push_that_outlives_its_freed_channel_is_freed() {
    let mut f = Fuzz::new();
    for a in [Act::Connect, Act::Open, Act::Channel(0), Act::Join(0)] {
        f.step(&a);
    }
    let jr = f.refs.last().cloned();
    f.step(&Act::Frame(0, 0, 0, 0, json!({})));
    let msg = Message {
        join_ref: jr.clone(),
        ref_: jr,
        topic: "room:a".into(),
        event: "phx_reply".into(),
        payload: json!({"status": "ok", "response": {}}),
    };
    let conn = f.conn.expect("a connection");
    f.s.handle_message(conn, f.now, msg);
    f.drain();
    f.step(&Act::Push(0, 1)); // "noreply": sent, waits for its reply
    f.step(&Act::ReleasePush(0));
    f.step(&Act::Leave(0));
    f.step(&Act::ReleasePush(0)); // the leave push
    f.step(&Act::ReleaseChannel(0));
    f.step(&Act::Advance(40_000));
    f.step(&Act::Advance(40_000));
    assert_eq!(f.s.live_channels(), 0);
    assert_eq!(f.s.live_pushes(), 0, "the push outlived its channel");
}

#[test]
fn engine_survives_random_frames_and_api_calls_and_frees_everything() {
    runner(20)
        .run(&prop::collection::vec(act(), 1..120), |acts| {
            let mut f = Fuzz::new();
            for a in &acts {
                f.step(a);
            }
            f.wind_down();
            Ok(())
        })
        .unwrap();
}
