//! A deterministic driver for the engine: simulated time, a fake transport, and every
//! effect recorded as text so tests read like the wire and the callbacks a user sees.
#![allow(dead_code)]

use phoenix_wasm::core::json::{decode_text, encode_text};
use phoenix_wasm::core::{
    BindingCallback, Callback, ChannelKey, ConnId, Effect, Socket, SocketOptions,
};
use serde_json::{json, Value};

pub type Engine = Socket<Value, &'static str>;

pub struct Harness {
    pub s: Engine,
    pub now: f64,
    /// The transport the engine asked for last.
    pub conn: Option<ConnId>,
    pub connects: Vec<(f64, ConnId)>,
    /// Frames sent, as JSON text (`JSON.stringify` of the envelope).
    pub sent: Vec<String>,
    /// `close(code, reason)` calls: (conn, code, reason).
    pub closes: Vec<(ConnId, Option<u16>, String)>,
    /// Callbacks run, described as text.
    pub calls: Vec<String>,
    /// Log lines `kind: msg`.
    pub logs: Vec<String>,
    /// `SwitchToFallback` / `RememberFallback` effects, in order.
    pub fallbacks: Vec<&'static str>,
    /// Close the fake transport as soon as the engine asks (a LongPoll-like close).
    pub close_synchronously: bool,
}

impl Harness {
    pub fn new() -> Self {
        Self::with(SocketOptions::default())
    }

    pub fn with_logger() -> Self {
        Self::with(SocketOptions {
            logger: true,
            ..SocketOptions::default()
        })
    }

    pub fn with(opts: SocketOptions) -> Self {
        Harness {
            s: Socket::new(opts),
            now: 1_000_000.0,
            conn: None,
            connects: Vec::new(),
            sent: Vec::new(),
            closes: Vec::new(),
            calls: Vec::new(),
            logs: Vec::new(),
            close_synchronously: false,
            fallbacks: Vec::new(),
        }
    }

    /// Carries out every pending effect, as the browser shell would.
    pub fn drain(&mut self) {
        while let Some(effect) = self.s.poll_effect() {
            match effect {
                Effect::Connect { conn } => {
                    self.conn = Some(conn);
                    self.connects.push((self.now, conn));
                }
                Effect::Transmit { conn, message } => {
                    assert_eq!(
                        Some(conn),
                        self.conn,
                        "transmit on a connection that is not the latest"
                    );
                    self.sent.push(encode_text(&message).expect("encodable"));
                }
                Effect::Close { conn, code, reason } => {
                    self.closes.push((conn, code, reason));
                    if self.close_synchronously {
                        self.s
                            .handle_close(conn, self.now, json!({"code": code.unwrap_or(1005)}));
                    }
                }
                Effect::SwitchToFallback => self.fallbacks.push("switch"),
                Effect::RememberFallback => self.fallbacks.push("remember"),
                Effect::Log { kind, msg, .. } => self.logs.push(format!("{kind}: {msg}")),
                Effect::AwaitPayload { .. } => {
                    unreachable!("serde_json payloads are never pending")
                }
                Effect::Callback(cb) => {
                    let text = describe(cb);
                    self.calls.push(text);
                }
            }
        }
    }

    /// `socket.connect()` and drain.
    pub fn connect(&mut self) -> ConnId {
        self.s.connect(self.now);
        self.drain();
        self.conn.expect("connect asked for a transport")
    }

    /// The transport opened.
    pub fn open(&mut self) {
        let conn = self.conn.expect("a transport");
        self.s.handle_open(conn, self.now, false);
        self.drain();
    }

    /// connect + open.
    pub fn connected(&mut self) -> ConnId {
        let c = self.connect();
        self.open();
        c
    }

    /// A text frame from the server on the current transport.
    pub fn recv(&mut self, frame: &str) {
        let conn = self.conn.expect("a transport");
        self.recv_on(conn, frame);
    }

    pub fn recv_on(&mut self, conn: ConnId, frame: &str) {
        let msg = decode_text(frame).expect("valid frame");
        self.s.handle_message(conn, self.now, msg);
        self.drain();
    }

    /// The transport closed (e.g. the server closed it, or our close completed).
    pub fn server_close(&mut self, code: u16) {
        let conn = self.conn.expect("a transport");
        self.s.handle_close(conn, self.now, json!({"code": code}));
        self.drain();
    }

    /// The transport reported an error.
    pub fn transport_error(&mut self) {
        let conn = self.conn.expect("a transport");
        self.s.handle_error(conn, self.now, json!("error"));
        self.drain();
    }

    /// Advances simulated time, firing every deadline on the way, each at its own time.
    pub fn advance(&mut self, ms: f64) {
        let target = self.now + ms;
        while let Some(at) = self.s.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.s.handle_timeout(self.now);
            self.drain();
        }
        self.now = target;
    }

    /// Frames sent since the last call.
    pub fn take_sent(&mut self) -> Vec<String> {
        std::mem::take(&mut self.sent)
    }

    /// Callbacks run since the last call.
    pub fn take_calls(&mut self) -> Vec<String> {
        std::mem::take(&mut self.calls)
    }

    /// `socket.channel(topic, params)`.
    pub fn channel(&mut self, topic: &str) -> ChannelKey {
        let ch = self.s.channel(topic, json!({}));
        self.drain();
        ch
    }

    /// A channel joined over an open socket: returns the channel and its join ref.
    pub fn joined(&mut self, topic: &str) -> (ChannelKey, String) {
        let ch = self.channel(topic);
        let jp = self.s.channel_join(ch, self.now, None).expect("join");
        self.drain();
        let jr = self.s.push_ref(jp).to_js_string();
        self.recv(&format!(
            r#"["{jr}","{jr}","{topic}","phx_reply",{{"status":"ok","response":{{}}}}]"#
        ));
        (ch, jr)
    }

    pub fn on(&mut self, ch: ChannelKey, event: &str, label: &'static str) -> u32 {
        self.s
            .channel_on(ch, event, BindingCallback::Full(label))
            .expect("channel exists")
    }
}

/// A callback as a line of text: `kind label args`.
pub fn describe(cb: Callback<Value, &'static str>) -> String {
    match cb {
        Callback::Open(l) => format!("open {l}"),
        Callback::Close { callback, event } => format!("close {callback} {event}"),
        Callback::Error {
            callback,
            error,
            established_before,
        } => {
            format!("error {callback} {error} {established_before}")
        }
        Callback::Message { callback, message } => {
            format!("message {callback} {} {}", message.topic, message.event)
        }
        Callback::Dispatch {
            event,
            payload,
            ref_,
            ref_undefined,
            join_ref,
            callbacks,
            ..
        } => {
            let labels: Vec<String> = callbacks
                .iter()
                .map(|c| match c {
                    BindingCallback::Full(l) => (*l).to_owned(),
                    BindingCallback::PayloadOnly(l) => format!("{l}(payload)"),
                })
                .collect();
            format!(
                "dispatch {event} {payload} ref={} join_ref={} [{}]",
                ref_.as_deref()
                    .unwrap_or(if ref_undefined { "undefined" } else { "-" }),
                join_ref.as_deref().unwrap_or("-"),
                labels.join(",")
            )
        }
        Callback::Receive { callback, response } => format!("receive {callback} {response}"),
        Callback::Settle {
            owner,
            status,
            response,
            ref_,
            sent,
            ..
        } => format!(
            "settle {} {} {response} ref={} sent={sent}",
            owner.map_or("join".into(), |o| o.to_string()),
            status.as_deref().unwrap_or("-"),
            ref_.map_or("-".into(), |r| r.to_js_string()),
        ),
        Callback::Ping { callback, rtt } => format!("ping {callback} {rtt}"),
        Callback::Done(l) => format!("done {l}"),
        Callback::Heartbeat {
            callback,
            status,
            latency,
        } => match latency {
            Some(ms) => format!("heartbeat {callback} {} {ms}", status.as_str()),
            None => format!("heartbeat {callback} {}", status.as_str()),
        },
    }
}
