//! The socket engine (spec §2): connection lifecycle, send buffer, heartbeat, reconnect,
//! teardown and dispatch of inbound messages to channels. Channel and push operations are
//! `impl Socket` blocks in `channel.rs` and `push.rs`, because a channel is state *of* the
//! socket here: one owner, no shared mutability, no borrow held while user code runs.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::rc::Rc;

use super::channel::{ChannelState, ChannelStatus};
use super::effect::{Callback, ChannelKey, ConnId, Effect, PushKey};
use super::jitter::{jittered, seeded, Jitter, Random};
use super::message::{events, Message, Outgoing, Ref, RefCounter};
use super::payload::Payload;
use super::push::PushState;
use super::slab::Slab;
use super::stats::{BufferLimits, DropPolicy, ReconnectCause, Reconnects, Stats};
use super::timer::{
    default_reconnect_after_ms, default_rejoin_after_ms, sanitize_delay, Backoff, Schedule, Time,
    TimerHandle, TimerQueue,
};

/// phoenix.js `DEFAULT_TIMEOUT` (spec §1.3).
pub const DEFAULT_TIMEOUT: f64 = 10_000.0;
/// Default `heartbeatIntervalMs` (spec §2.1).
pub const DEFAULT_HEARTBEAT_INTERVAL_MS: f64 = 30_000.0;
/// `WS_CLOSE_NORMAL` (spec §1.3).
pub const WS_CLOSE_NORMAL: u16 = 1000;

/// `transport.readyState` (spec §1.3 `SOCKET_STATES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyState {
    Connecting = 0,
    Open = 1,
    Closing = 2,
    Closed = 3,
}

/// The engine's share of `new Socket(endPoint, opts)` (spec §2.1). Options that only the
/// driver uses (transport, params, authToken, encode/decode, …) live in the driver.
pub struct SocketOptions {
    /// Default push/join/leave timeout, copied into each channel (`timeout`).
    pub timeout: f64,
    /// Interval between heartbeats and the heartbeat reply timeout.
    pub heartbeat_interval_ms: f64,
    /// `reconnectAfterMs(tries)`. Called while the engine is borrowed: it must not call
    /// back into the socket.
    pub reconnect_after_ms: Schedule,
    /// `rejoinAfterMs(tries)`, with the same restriction.
    pub rejoin_after_ms: Schedule,
    /// Whether a logger is set; log effects are only built when it is.
    pub logger: bool,

    /// The opt-in improvements (issue #11).
    pub improvements: Improvements,
    /// Random numbers in `[0, 1)` for the jitter: `Math.random` in the browser.
    pub random: Random,
}

/// The opt-in improvements of issue #11 the engine applies; the defaults are phoenix.js's
/// behaviour. The JS options parser fills one and hands it over whole.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Improvements {
    /// `reconnectJitter`: randomize reconnect delays under the schedule.
    pub reconnect_jitter: Jitter,
    /// `hiddenReconnectDeferMs`: reconnect while the page is hidden, after a random delay
    /// below this many ms, instead of waiting for the page to become visible (spec §2.7).
    pub hidden_reconnect_defer_ms: Option<f64>,
    /// `heartbeatTimeoutMs`: how long to wait for a heartbeat reply (default: the interval).
    pub heartbeat_timeout_ms: Option<f64>,
    /// `probeOnOnline`: probe with a heartbeat when the browser reports `online`.
    pub probe_on_online: bool,
    /// `sendBufferLimit`, `pushBufferLimit`, `bufferDropPolicy`.
    pub buffer_limits: BufferLimits,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            timeout: DEFAULT_TIMEOUT,
            heartbeat_interval_ms: DEFAULT_HEARTBEAT_INTERVAL_MS,
            reconnect_after_ms: Box::new(default_reconnect_after_ms),
            rejoin_after_ms: Box::new(default_rejoin_after_ms),
            logger: false,
            improvements: Improvements::default(),
            random: seeded(0x5EED),
        }
    }
}

/// One transport instance (1.8.16 `Connection`, spec §2.4).
pub(crate) struct Connection<C> {
    pub(crate) id: ConnId,
    pub(crate) ready_state: ReadyState,
    /// We asked the transport to close.
    pub(crate) closing: bool,
    /// The socket no longer wants it (disconnect, replaceTransport).
    pub(crate) ended: bool,
    /// `triggerChanError` already ran once for it.
    pub(crate) channels_errored: bool,
    pub(crate) close_handled: bool,
    /// LongPoll transports set `skipHeartbeat`.
    pub(crate) skip_heartbeat: bool,
    /// `bufferedAmount` as last reported by the driver.
    pub(crate) buffered_amount: u32,
    /// Join refs of the joins sent over this connection (`joins` WeakMap).
    pub(crate) joins: Vec<(ChannelKey, Ref)>,
    /// Pending pings: ref, start time, who asked.
    pub(crate) pings: Vec<(Ref, Time, PingTarget<C>)>,
}

/// A socket state-change callback: the user's, or a channel's own hook (spec §3.1 steps 1–2).
#[derive(Clone)]
pub(crate) enum StateHook<C> {
    User(C),
    ChannelRejoinReset(ChannelKey),
    ChannelOpen(ChannelKey),
    /// `connectWithFallback`'s open hook (spec §2.6).
    FallbackOpen,
    /// `connectWithFallback`'s error hook.
    FallbackError,
}

/// Who waits for a ping's answer: the user, or the fallback's health check (spec §2.6).
pub(crate) enum PingTarget<C> {
    User(C),
    FallbackHealthCheck,
}

/// What runs after a teardown finishes.
pub(crate) enum AfterTeardown<C> {
    Nothing,
    Callback(C),
    /// `teardownAndReconnect(() => connect())`.
    Connect,
    /// `teardownAndReconnect(() => reconnectTimer.scheduleTimeout())`.
    ScheduleReconnect,
    /// The visibility reconnect: connect and remember the connection.
    VisibilityConnect,
}

enum TeardownStage {
    Drain,
    WaitClosed,
}

/// A teardown in progress (spec §2.4 `teardown`): drain the buffer, close, wait for the
/// close, then forget the connection and run `then`.
pub(crate) struct Teardown<C> {
    conn: ConnId,
    stage: TeardownStage,
    tries: u32,
    code: Option<u16>,
    reason: String,
    then: AfterTeardown<C>,
    /// For `teardownAndReconnect`: the clock when it started.
    clock: u64,
    timer: Option<TimerHandle>,
}

/// Everything that can be due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKey {
    Reconnect,
    Heartbeat,
    HeartbeatTimeout,
    Rejoin(ChannelKey),
    PushTimeout(PushKey),
    Teardown(u32),
    /// `fallbackTimer` (spec §2.6).
    Fallback,
    /// A reconnect deferred at random while the page is hidden (`hiddenReconnectDeferMs`).
    HiddenReconnect,
}

/// The socket engine. `P` is the payload type, `C` the driver's callback handle (a JS
/// function in the browser, anything comparable in tests).
pub struct Socket<P, C> {
    pub(crate) opts: SocketOptions,
    pub(crate) refs: RefCounter,
    pub(crate) now: Time,
    pub(crate) effects: VecDeque<Effect<P, C>>,
    pub(crate) timers: TimerQueue<TimerKey>,

    pub(crate) on_open: Vec<(Ref, StateHook<C>)>,
    pub(crate) on_close: Vec<(Ref, StateHook<C>)>,
    pub(crate) on_error: Vec<(Ref, StateHook<C>)>,
    pub(crate) on_message: Vec<(Ref, StateHook<C>)>,
    pub(crate) on_heartbeat: Vec<(Ref, C)>,

    pub(crate) channels: Vec<ChannelKey>,
    pub(crate) channel_slab: Slab<ChannelState<C>>,
    pub(crate) pushes: Slab<PushState<P, C>>,
    pub(crate) send_buffer: Vec<(Outgoing<P>, Option<ChannelKey>)>,

    pub(crate) conns: Vec<Connection<C>>,
    pub(crate) current: Option<ConnId>,
    next_conn: u32,
    teardowns: Vec<(u32, Teardown<C>)>,
    next_teardown: u32,

    pub(crate) connect_clock: u64,
    pub(crate) close_was_clean: bool,
    pub(crate) established_connections: u32,
    pub(crate) reconnect: Backoff,
    pub(crate) heartbeat_timer: Option<TimerHandle>,
    pub(crate) heartbeat_timeout_timer: Option<TimerHandle>,
    pub(crate) pending_heartbeat_ref: Option<Ref>,
    /// When the pending heartbeat was sent, for its latency.
    pub(crate) heartbeat_sent_at: Time,
    /// The last measured round trip (`stats().rttMs`).
    pub(crate) rtt_ms: Option<f64>,
    /// Why the current reconnect cycle started (for `stats().reconnects`).
    pub(crate) reconnect_cause: ReconnectCause,
    pub(crate) reconnects: Reconnects,
    pub(crate) dropped_send: u64,
    pub(crate) dropped_push: u64,
    pub(crate) page_hidden: bool,
    awaiting_connection_on_page_show: Option<u64>,
    visibility_connection: Option<ConnId>,
    /// Reused buffer for the channel snapshot of each inbound message.
    scratch_channels: Vec<ChannelKey>,
    /// The `connectWithFallback` attempt in progress, if any (spec §2.6).
    pub(crate) fallback: Option<super::fallback::Fallback>,
    /// `primaryPassedHealthCheck`.
    pub(crate) primary_passed_health_check: bool,
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// `new Socket(endPoint, opts)`: the engine part. Nothing is connected yet.
    pub fn new(opts: SocketOptions) -> Self {
        Socket {
            opts,
            refs: RefCounter::default(),
            now: 0.0,
            effects: VecDeque::new(),
            timers: TimerQueue::default(),
            on_open: Vec::new(),
            on_close: Vec::new(),
            on_error: Vec::new(),
            on_message: Vec::new(),
            on_heartbeat: Vec::new(),
            channels: Vec::new(),
            channel_slab: Slab::default(),
            pushes: Slab::default(),
            send_buffer: Vec::new(),
            conns: Vec::new(),
            current: None,
            next_conn: 0,
            teardowns: Vec::new(),
            next_teardown: 0,
            connect_clock: 1,
            close_was_clean: true,
            established_connections: 0,
            reconnect: Backoff::default(),
            heartbeat_timer: None,
            heartbeat_timeout_timer: None,
            pending_heartbeat_ref: None,
            heartbeat_sent_at: 0.0,
            rtt_ms: None,
            reconnect_cause: ReconnectCause::Close,
            reconnects: Reconnects::default(),
            dropped_send: 0,
            dropped_push: 0,
            page_hidden: false,
            awaiting_connection_on_page_show: None,
            visibility_connection: None,
            scratch_channels: Vec::new(),
            fallback: None,
            primary_passed_health_check: false,
        }
    }

    // ----------------------------------------------------------------- driver interface

    /// The next effect to carry out, in order.
    pub fn poll_effect(&mut self) -> Option<Effect<P, C>> {
        self.effects.pop_front()
    }

    /// The earliest deadline of every timer of the socket, its channels and pushes: the
    /// one browser timer is armed for it.
    pub fn poll_timeout(&mut self) -> Option<Time> {
        while let Some((at, handle, key)) = self.timers.peek() {
            if self.timer_is_live(handle, key) {
                return Some(at);
            }
            self.timers.pop();
        }
        None
    }

    /// Runs every timer due at `now` that was armed before this call; timers armed by
    /// what runs here wait for the next call, as `setTimeout` callbacks would.
    pub fn handle_timeout(&mut self, now: Time) {
        self.now = now;
        let mut budget = self.timers.len();
        while budget > 0 {
            budget -= 1;
            let Some((at, handle, key)) = self.timers.peek() else {
                break;
            };
            if at > now {
                break;
            }
            self.timers.pop();
            if self.timer_is_live(handle, key) {
                self.fire(key);
            }
        }
    }

    /// The transport of `conn` opened (`onopen`, spec §2.4 `onConnOpen`). `skip_heartbeat`
    /// is the transport's `skipHeartbeat` (true for LongPoll).
    pub fn handle_open(&mut self, conn: ConnId, now: Time, skip_heartbeat: bool) {
        self.now = now;
        if self.current != Some(conn) {
            return;
        }
        if let Some(c) = self.conn_mut(conn) {
            c.ready_state = ReadyState::Open;
            c.skip_heartbeat = skip_heartbeat;
        }
        self.close_was_clean = false;
        self.established_connections = self.established_connections.saturating_add(1);
        self.flush_send_buffer();
        self.reconnect.reset();
        self.reset_heartbeat();
        let hooks: Vec<StateHook<C>> = self.on_open.iter().map(|(_, h)| h.clone()).collect();
        for hook in hooks {
            match hook {
                StateHook::User(cb) => self.callback(Callback::Open(cb)),
                StateHook::ChannelOpen(ch) => self.channel_on_socket_open(ch),
                StateHook::ChannelRejoinReset(ch) => self.channel_rejoin_reset(ch),
                StateHook::FallbackOpen => self.fallback_on_open(),
                StateHook::FallbackError => {}
            }
        }
    }

    /// The transport of `conn` closed (`onclose`, spec §2.4 `onConnClose`, 1.8.16).
    pub fn handle_close(&mut self, conn: ConnId, now: Time, event: P) {
        self.now = now;
        let current = self.current == Some(conn);
        let had_heartbeats =
            current && (self.heartbeat_timer.is_some() || self.heartbeat_timeout_timer.is_some());
        let Some(c) = self.conn_mut(conn) else { return };
        c.ready_state = ReadyState::Closed;
        if !current || c.close_handled {
            self.forget_closed_conns();
            return;
        }
        c.close_handled = true;
        let closed_by_us = c.closing;
        self.log_with("transport", "close".into(), Some(event.clone()));
        self.clear_heartbeats();
        if had_heartbeats {
            self.heartbeat_event(super::heartbeat::HeartbeatStatus::Disconnected, None);
        }
        self.trigger_chan_error("connection_closed", conn);
        if self.current == Some(conn) && !closed_by_us && !self.close_was_clean {
            self.reconnect_cause = ReconnectCause::Close;
            self.schedule_reconnect();
        }
        for cb in self.user_hooks(&self.on_close) {
            self.callback(Callback::Close {
                callback: cb,
                event: event.clone(),
            });
        }
    }

    /// The transport of `conn` reported an error (`onerror`, spec §2.4 `onConnError`).
    pub fn handle_error(&mut self, conn: ConnId, now: Time, error: P) {
        self.now = now;
        if self.current != Some(conn) || self.conn(conn).is_none_or(|c| c.closing) {
            return;
        }
        self.log_with("transport", "error".into(), Some(error.clone()));
        let established_before = self.established_connections;
        let hooks: Vec<StateHook<C>> = self.on_error.iter().map(|(_, h)| h.clone()).collect();
        for hook in hooks {
            match hook {
                StateHook::User(cb) => self.callback(Callback::Error {
                    callback: cb,
                    error: error.clone(),
                    established_before,
                }),
                StateHook::ChannelRejoinReset(ch) => self.channel_rejoin_reset(ch),
                StateHook::ChannelOpen(ch) => self.channel_on_socket_open(ch),
                StateHook::FallbackError => self.fallback_on_error(&error),
                StateHook::FallbackOpen => {}
            }
        }
        self.trigger_chan_error("connection_error", conn);
    }

    /// A decoded inbound message on `conn` (spec §2.4 `onConnMessage`).
    pub fn handle_message(&mut self, conn: ConnId, now: Time, msg: Message<P>) {
        self.now = now;
        if self.current != Some(conn)
            || self
                .conn(conn)
                .is_none_or(|c| c.ready_state != ReadyState::Open)
        {
            return;
        }
        let msg_ref = msg.ref_.as_deref().and_then(Ref::parse);
        if msg_ref.is_some() && msg_ref == self.pending_heartbeat_ref {
            self.heartbeat_replied(&msg.payload);
        }
        if self.opts.logger {
            let mut line = msg.payload.reply_status().unwrap_or_default().into_owned();
            line.push(' ');
            line.push_str(&msg.topic);
            line.push(' ');
            line.push_str(&msg.event);
            line.push(' ');
            if let Some(r) = msg.ref_.as_deref().filter(|r| !r.is_empty()) {
                line.push('(');
                line.push_str(r);
                line.push(')');
            }
            self.log_with("receive", line, Some(msg.payload.clone()));
        }
        let mut snapshot = std::mem::take(&mut self.scratch_channels);
        snapshot.clear();
        snapshot.extend_from_slice(&self.channels);
        for &ch in &snapshot {
            if self.channel_is_member(ch, &msg.topic, msg.join_ref.as_deref()) {
                self.channel_trigger(
                    ch,
                    &msg.event,
                    msg.payload.clone(),
                    msg.ref_.clone(),
                    msg.join_ref.clone(),
                );
            }
        }
        self.scratch_channels = snapshot;
        let message_cbs = self.user_hooks(&self.on_message);
        let ping = msg_ref.and_then(|r| {
            let c = self.conn_mut(conn)?;
            let i = c.pings.iter().position(|(pr, _, _)| *pr == r)?;
            Some(c.pings.remove(i))
        });
        if !message_cbs.is_empty() {
            let shared = Rc::new(msg);
            for cb in message_cbs {
                self.callback(Callback::Message {
                    callback: cb,
                    message: shared.clone(),
                });
            }
        }
        match ping {
            Some((_, start, PingTarget::User(cb))) => {
                let rtt = self.now - start;
                self.rtt_ms = Some(rtt);
                self.callback(Callback::Ping { callback: cb, rtt })
            }
            Some((_, _, PingTarget::FallbackHealthCheck)) => self.fallback_health_check_passed(),
            None => {}
        }
    }

    /// Creating the transport of `conn` threw (e.g. an invalid URL): phoenix.js's
    /// `connect()` throws before the connection exists, so the socket is left without one
    /// and no reconnect is scheduled.
    pub fn handle_connect_failed(&mut self, conn: ConnId) {
        if self.current == Some(conn) {
            self.current = None;
        }
        self.conns.retain(|c| c.id != conn);
    }

    /// Whether `conn` is still the connection the socket waits to open: the driver asks
    /// before creating a transport whose URL needed async params (issue #11).
    pub fn connection_pending(&self, conn: ConnId) -> bool {
        self.current == Some(conn)
            && self
                .conn(conn)
                .is_some_and(|c| c.ready_state == ReadyState::Connecting && !c.ended)
    }

    /// The driver's latest reading of `transport.bufferedAmount`, used by teardown.
    pub fn set_buffered_amount(&mut self, conn: ConnId, amount: u32) {
        if let Some(c) = self.conn_mut(conn) {
            c.buffered_amount = amount;
        }
    }

    // -------------------------------------------------------------------- public API

    /// `makeRef()` (spec §2.3).
    pub fn make_ref(&mut self) -> Ref {
        self.refs.make()
    }

    /// The last ref handed out (`socket.ref`).
    pub fn ref_counter(&self) -> u64 {
        self.refs.current()
    }

    /// Sets the ref counter (`socket.ref = n`).
    pub fn set_ref_counter(&mut self, value: u64) {
        self.refs.set(value);
    }

    /// `onOpen(cb)`: returns the callback's ref.
    pub fn on_open(&mut self, cb: C) -> Ref {
        let r = self.make_ref();
        self.on_open.push((r, StateHook::User(cb)));
        r
    }

    /// `onClose(cb)`.
    pub fn on_close(&mut self, cb: C) -> Ref {
        let r = self.make_ref();
        self.on_close.push((r, StateHook::User(cb)));
        r
    }

    /// `onError(cb)`.
    pub fn on_error(&mut self, cb: C) -> Ref {
        let r = self.make_ref();
        self.on_error.push((r, StateHook::User(cb)));
        r
    }

    /// `onMessage(cb)`.
    pub fn on_message(&mut self, cb: C) -> Ref {
        let r = self.make_ref();
        self.on_message.push((r, StateHook::User(cb)));
        r
    }

    /// `off(refs)`: removes the callbacks with these refs from all four lists.
    pub fn off(&mut self, refs: &[Ref]) {
        for list in [
            &mut self.on_open,
            &mut self.on_close,
            &mut self.on_error,
            &mut self.on_message,
        ] {
            list.retain(|(r, _)| !refs.contains(r));
        }
        self.on_heartbeat.retain(|(r, _)| !refs.contains(r));
    }

    /// `connectionState()`: `"connecting" | "open" | "closing" | "closed"`.
    pub fn connection_state(&self) -> &'static str {
        match self
            .current
            .and_then(|id| self.conn(id))
            .map(|c| c.ready_state)
        {
            Some(ReadyState::Connecting) => "connecting",
            Some(ReadyState::Open) => "open",
            Some(ReadyState::Closing) => "closing",
            _ => "closed",
        }
    }

    /// `isConnected()`.
    pub fn is_connected(&self) -> bool {
        self.current_open()
    }

    /// The current connection, if any (`socket.conn` is its transport).
    pub fn current_connection(&self) -> Option<ConnId> {
        self.current
    }

    /// `connectClock` (spec §2.2).
    pub fn connect_clock(&self) -> u64 {
        self.connect_clock
    }

    /// `establishedConnections`: successful opens so far.
    pub fn established_connections(&self) -> u32 {
        self.established_connections
    }

    /// `closeWasClean`.
    pub fn close_was_clean(&self) -> bool {
        self.close_was_clean
    }

    /// Whether a logger is set (`hasLogger()`).
    pub fn has_logger(&self) -> bool {
        self.opts.logger
    }

    /// The socket-wide default timeout (`socket.timeout`).
    pub fn timeout(&self) -> f64 {
        self.opts.timeout
    }

    /// The channels of the socket, in order (`socket.channels`).
    pub fn channels(&self) -> &[ChannelKey] {
        &self.channels
    }

    /// The number of messages waiting in the send buffer (`sendBuffer.length`).
    pub fn send_buffer_len(&self) -> usize {
        self.send_buffer.len()
    }

    /// The reconnect timer's `tries`.
    pub fn reconnect_tries(&self) -> u32 {
        self.reconnect.tries
    }

    /// `connect()` (spec §2.3): idempotent while a connection that has not been ended
    /// exists. The fallback variant (`longPollFallbackMs`) is decided by the driver.
    pub fn connect(&mut self, now: Time) {
        self.now = now;
        if self
            .current
            .and_then(|id| self.conn(id))
            .is_some_and(|c| !c.ended)
        {
            return;
        }
        self.transport_connect();
    }

    /// `disconnect(callback, code, reason)` (spec §2.3).
    pub fn disconnect(
        &mut self,
        now: Time,
        callback: Option<C>,
        code: Option<u16>,
        reason: Option<String>,
    ) {
        self.now = now;
        self.connect_clock += 1;
        self.close_was_clean = true;
        self.clear_fallback_timer();
        self.reconnect_reset();
        if let Some(id) = self.current {
            if let Some(c) = self.conn_mut(id) {
                c.ended = true;
            }
        }
        let then = match callback {
            Some(cb) => AfterTeardown::Callback(cb),
            None => AfterTeardown::Nothing,
        };
        self.teardown(then, code, reason.unwrap_or_default());
    }

    /// `replaceTransport(newTransport)` (spec §2.3, 1.8.16): detaches and closes the current
    /// connection without connecting; returns the new `connectClock`. The driver swaps the
    /// transport class.
    pub fn replace_transport(&mut self, now: Time) -> u64 {
        self.now = now;
        self.connect_clock += 1;
        self.close_was_clean = true;
        self.clear_fallback_timer();
        self.reconnect_reset();
        if let Some(id) = self.current {
            let was_open = self
                .conn(id)
                .is_some_and(|c| c.ready_state == ReadyState::Open);
            self.clear_heartbeats();
            if was_open {
                self.trigger_chan_error("connection_closed", id);
            }
            self.current = None;
            if let Some(c) = self.conn_mut(id) {
                c.ended = true;
            }
            self.close_conn(id, None, String::new());
        }
        self.connect_clock
    }

    /// `push(data)` (spec §2.3): sends now when connected, otherwise buffers until the next
    /// open. `channel` enables 1.8.16's outdated checks.
    pub fn push(&mut self, data: Outgoing<P>, channel: Option<ChannelKey>) {
        if self.opts.logger && !data.raw {
            let mut line = String::with_capacity(data.topic.len() + data.event.len() + 16);
            line.push_str(&data.topic);
            line.push(' ');
            line.push_str(&data.event);
            line.push_str(" (");
            push_opt_ref(&mut line, data.join_ref, channel.is_some());
            line.push_str(", ");
            push_opt_ref(&mut line, data.ref_, true);
            line.push(')');
            self.log_with("push", line, Some(data.payload.clone()));
        }
        if self.is_connected() {
            self.send(data, channel);
            return;
        }
        let limits = self.opts.improvements.buffer_limits;
        if let Some(limit) = limits.send.filter(|&l| self.send_buffer.len() >= l) {
            self.dropped_send = self.dropped_send.saturating_add(1);
            self.log_with("push", "send buffer full: message dropped".into(), None);
            if limits.policy == DropPolicy::Newest || limit == 0 {
                return;
            }
            self.send_buffer.remove(0);
        }
        self.send_buffer.push((data, channel));
    }

    /// `socket.stats()` (issue #11): round trip, reconnects by cause, buffered and
    /// dropped counts.
    pub fn stats(&self) -> Stats {
        Stats {
            rtt_ms: self.rtt_ms,
            reconnects: self.reconnects,
            buffered_send: self.send_buffer.len(),
            buffered_push: self
                .channels
                .iter()
                .filter_map(|&k| self.channel_slab.get(k))
                .map(|c| c.push_buffer.len())
                .sum(),
            dropped_send: self.dropped_send,
            dropped_push: self.dropped_push,
        }
    }

    /// `ping(cb)` (spec §2.3): `false` when not connected; otherwise sends a heartbeat with a
    /// fresh ref and calls back with the round-trip time when any message with that ref
    /// arrives on the same connection.
    pub fn ping(&mut self, now: Time, cb: C) -> bool {
        self.now = now;
        self.ping_for(PingTarget::User(cb))
    }

    /// Sends a ping whose answer goes to `target` (the user, or the fallback's health
    /// check); `false` when not connected.
    pub(crate) fn ping_for(&mut self, target: PingTarget<C>) -> bool {
        let Some(id) = self.current.filter(|_| self.is_connected()) else {
            return false;
        };
        let r = self.make_ref();
        let now = self.now;
        if let Some(c) = self.conn_mut(id) {
            c.pings.push((r, now, target));
        }
        self.push(heartbeat(r), None);
        true
    }

    /// Tells the engine whether the page is hidden (`document.visibilityState`).
    pub fn set_page_hidden(&mut self, hidden: bool) {
        self.page_hidden = hidden;
    }

    /// `visibilitychange` / `resume` (spec §2.7, `handleVisibilityChange`, 1.8.16).
    pub fn handle_visibility_change(&mut self, now: Time, hidden: bool) {
        self.now = now;
        self.page_hidden = hidden;
        if hidden {
            self.visibility_connection = None;
            return;
        }
        if let Some(id) = self.current {
            let connecting = self
                .conn(id)
                .is_some_and(|c| c.ready_state == ReadyState::Connecting);
            if self.visibility_connection == Some(id) && connecting {
                return;
            }
        }
        if !self.is_connected() && !self.close_was_clean {
            self.reconnect_reset();
            self.teardown_and(AfterTeardown::VisibilityConnect);
        }
    }

    /// `pagehide` (spec §2.7): disconnect a live connection and remember the clock.
    pub fn handle_pagehide(&mut self, now: Time) {
        if self
            .current
            .and_then(|id| self.conn(id))
            .is_some_and(|c| !c.ended)
        {
            self.disconnect(now, None, None, None);
            self.awaiting_connection_on_page_show = Some(self.connect_clock);
        }
    }

    /// `pageshow` (spec §2.7): reconnect if nothing connected or disconnected since.
    pub fn handle_pageshow(&mut self, now: Time) {
        if self.awaiting_connection_on_page_show == Some(self.connect_clock) {
            self.awaiting_connection_on_page_show = None;
            self.connect(now);
        }
    }

    // --------------------------------------------------------------------- internals

    pub(crate) fn callback(&mut self, cb: Callback<P, C>) {
        self.effects.push_back(Effect::Callback(cb));
    }

    /// `log(kind, msg, data)`; nothing is built without a logger.
    pub(crate) fn log_with(&mut self, kind: &'static str, msg: String, data: Option<P>) {
        if self.opts.logger {
            self.effects.push_back(Effect::Log {
                kind: Cow::Borrowed(kind),
                msg,
                data,
            });
        }
    }

    pub(crate) fn user_hooks(&self, list: &[(Ref, StateHook<C>)]) -> Vec<C> {
        list.iter()
            .filter_map(|(_, h)| match h {
                StateHook::User(cb) => Some(cb.clone()),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn conn(&self, id: ConnId) -> Option<&Connection<C>> {
        self.conns.iter().find(|c| c.id == id)
    }

    pub(crate) fn conn_mut(&mut self, id: ConnId) -> Option<&mut Connection<C>> {
        self.conns.iter_mut().find(|c| c.id == id)
    }

    pub(crate) fn current_open(&self) -> bool {
        self.current
            .and_then(|id| self.conn(id))
            .is_some_and(|c| c.ready_state == ReadyState::Open)
    }

    /// Drops records of connections that are closed and no longer referenced.
    fn forget_closed_conns(&mut self) {
        let current = self.current;
        let teardowns = &self.teardowns;
        self.conns.retain(|c| {
            c.ready_state != ReadyState::Closed
                || Some(c.id) == current
                || teardowns.iter().any(|(_, t)| t.conn == c.id)
        });
    }

    /// `transportConnect()` (spec §2.4, 1.8.16).
    pub(crate) fn transport_connect(&mut self) {
        let previous = self.current;
        self.connect_clock += 1;
        self.close_was_clean = false;
        // 1.8.16 clears the pending reconnect but keeps `tries`: they reset only on open.
        self.reconnect.armed = None;
        let id = ConnId(self.next_conn);
        self.next_conn = self.next_conn.wrapping_add(1);
        self.conns.push(Connection {
            id,
            ready_state: ReadyState::Connecting,
            closing: false,
            ended: false,
            channels_errored: false,
            close_handled: false,
            skip_heartbeat: false,
            buffered_amount: 0,
            joins: Vec::new(),
            pings: Vec::new(),
        });
        self.current = Some(id);
        self.effects.push_back(Effect::Connect { conn: id });
        if let Some(prev) = previous {
            if self
                .conn(prev)
                .is_some_and(|c| c.ready_state == ReadyState::Open)
            {
                self.trigger_chan_error("connection_closed", prev);
            }
        }
    }

    /// `connection.close(code, reason)`: marks it closing; its later errors are ignored.
    pub(crate) fn close_conn(&mut self, id: ConnId, code: Option<u16>, reason: String) {
        if let Some(c) = self.conn_mut(id) {
            c.closing = true;
            if c.ready_state != ReadyState::Closed {
                c.ready_state = ReadyState::Closing;
            }
            self.effects.push_back(Effect::Close {
                conn: id,
                code,
                reason,
            });
        }
    }

    /// `flushSendBuffer()`: sends what was buffered, skipping outdated messages (1.8.16).
    fn flush_send_buffer(&mut self) {
        if !self.is_connected() || self.send_buffer.is_empty() {
            return;
        }
        let buffered = std::mem::take(&mut self.send_buffer);
        for (data, channel) in buffered {
            if !self.is_outdated(&data, channel) {
                self.send(data, channel);
            }
        }
    }

    /// `isOutdated(data, channel)` (1.8.16): the channel rejoined since, or is closed.
    pub(crate) fn is_outdated(&self, data: &Outgoing<P>, channel: Option<ChannelKey>) -> bool {
        let Some(ch) = channel else { return false };
        match self.channel_slab.get(ch) {
            Some(state) => {
                data.join_ref != self.channel_join_ref_value(state)
                    || state.status == ChannelStatus::Closed
            }
            None => true,
        }
    }

    /// `send(data, channel)` (1.8.16): records joins per connection and drops frames for a
    /// connection that is no longer current or open, or outdated non-leave messages.
    fn send(&mut self, data: Outgoing<P>, channel: Option<ChannelKey>) {
        let Some(id) = self.current else { return };
        if data.event == events::JOIN {
            if let (Some(ch), Some(join_ref)) = (channel, data.join_ref) {
                if let Some(c) = self.conn_mut(id) {
                    match c.joins.iter_mut().find(|(k, _)| *k == ch) {
                        Some(entry) => entry.1 = join_ref,
                        None => c.joins.push((ch, join_ref)),
                    }
                }
            }
        }
        if !self.is_connected() {
            return;
        }
        if data.event != events::LEAVE && self.is_outdated(&data, channel) {
            return;
        }
        self.effects.push_back(Effect::Transmit {
            conn: id,
            message: data,
        });
    }

    /// `triggerChanError(reason, connection)` (spec §2.4, 1.8.16).
    pub(crate) fn trigger_chan_error(&mut self, reason: &str, conn: ConnId) {
        let Some(c) = self.conn_mut(conn) else { return };
        let first_error = !c.channels_errored;
        c.channels_errored = true;
        let current = self.current == Some(conn);
        let snapshot: Vec<(ChannelKey, Option<Ref>)> = self
            .channels
            .iter()
            .map(|&ch| {
                (
                    ch,
                    self.channel_slab
                        .get(ch)
                        .and_then(|s| self.channel_join_ref_value(s)),
                )
            })
            .collect();
        for (ch, join_ref_then) in snapshot {
            let Some(state) = self.channel_slab.get(ch) else {
                continue;
            };
            if matches!(
                state.status,
                ChannelStatus::Errored | ChannelStatus::Leaving | ChannelStatus::Closed
            ) {
                continue;
            }
            let join_ref = self.channel_join_ref_value(state);
            if join_ref != join_ref_then {
                continue;
            }
            if !first_error || !current {
                let carried = self.conn(conn).is_some_and(|c| {
                    c.joins
                        .iter()
                        .any(|(k, r)| *k == ch && Some(*r) == join_ref)
                });
                if !carried {
                    continue;
                }
            }
            self.trigger(
                ch,
                super::channel::EventName::Name(events::ERROR),
                P::transport_error(reason),
                None,
                None,
                false,
            );
        }
    }

    // -------------------------------------------------------------------- reconnect

    fn reconnect_reset(&mut self) {
        self.reconnect.reset();
    }

    /// `clearTimeout(this.fallbackTimer)` of `disconnect` and `replaceTransport`.
    fn clear_fallback_timer(&mut self) {
        if let Some(f) = self.fallback.as_mut() {
            f.timer = None;
        }
    }

    /// `reconnectTimer.scheduleTimeout()`, with the opt-in jitter.
    pub(crate) fn schedule_reconnect(&mut self) {
        let scheduled = self.reconnect.next_delay(&*self.opts.reconnect_after_ms);
        let delay = match self.opts.improvements.reconnect_jitter {
            Jitter::None => scheduled,
            jitter => {
                let first = match jitter {
                    Jitter::Decorrelated => sanitize_delay((self.opts.reconnect_after_ms)(1)),
                    _ => 0.0,
                };
                let r = (self.opts.random)();
                jittered(jitter, scheduled, first, self.reconnect.last_delay, r)
            }
        };
        self.reconnect.last_delay = delay;
        let at = self.now + delay;
        self.reconnect.armed = Some(self.timers.arm(at, TimerKey::Reconnect));
    }

    /// The reconnect timer fired (spec §2.4 "Reconnect").
    fn reconnect_fired(&mut self) {
        self.reconnect.tries = self.reconnect.tries.saturating_add(1);
        if let Some(max) = self
            .opts
            .improvements
            .hidden_reconnect_defer_ms
            .filter(|_| self.page_hidden)
        {
            let at = self.now + max * (self.opts.random)().clamp(0.0, 1.0);
            self.reconnect.armed = Some(self.timers.arm(at, TimerKey::HiddenReconnect));
            return;
        }
        if self.page_hidden {
            if self.opts.logger {
                self.effects.push_back(Effect::Log {
                    kind: Cow::Borrowed("Not reconnecting as page is hidden!"),
                    msg: String::new(),
                    data: None,
                });
            }
            self.teardown(AfterTeardown::Nothing, None, String::new());
            return;
        }
        self.teardown_and(AfterTeardown::Connect);
    }

    // --------------------------------------------------------------------- teardown

    /// `teardownAndReconnect(fn)` (1.8.16): `fn` is skipped if the clock moved or the
    /// connection was ended meanwhile.
    pub(crate) fn teardown_and(&mut self, then: AfterTeardown<C>) {
        self.teardown(then, None, String::new());
    }

    /// `teardown(cb, code, reason)` (spec §2.4, 1.8.16).
    fn teardown(&mut self, then: AfterTeardown<C>, code: Option<u16>, reason: String) {
        let Some(conn) = self.current else {
            self.after_teardown(then, self.connect_clock, None);
            return;
        };
        self.clear_heartbeats();
        let id = self.next_teardown;
        self.next_teardown = self.next_teardown.wrapping_add(1);
        let t = Teardown {
            conn,
            stage: TeardownStage::Drain,
            tries: 1,
            code,
            reason,
            then,
            clock: self.connect_clock,
            timer: None,
        };
        self.teardowns.push((id, t));
        self.advance_teardown(id);
    }

    /// Runs one step of a teardown: a poll of the buffer or of the ready state, at
    /// 150·n ms, at most four polls each.
    fn advance_teardown(&mut self, id: u32) {
        let Some(pos) = self.teardowns.iter().position(|(i, _)| *i == id) else {
            return;
        };
        let Some((_, t)) = self.teardowns.get(pos) else {
            return;
        };
        let conn = self.conn(t.conn);
        let open = conn.is_some_and(|c| c.ready_state == ReadyState::Open);
        let buffered = conn.map_or(0, |c| c.buffered_amount);
        let closed = conn.is_none_or(|c| c.ready_state == ReadyState::Closed);
        let closing = conn.is_some_and(|c| c.closing);
        let connecting = conn.is_some_and(|c| c.ready_state == ReadyState::Connecting);
        let (conn_id, tries) = (t.conn, t.tries);
        match t.stage {
            TeardownStage::Drain => {
                if tries < 5 && open && buffered > 0 {
                    self.arm_teardown_poll(pos, id, 150.0 * f64::from(tries));
                    return;
                }
                if let Some((_, t)) = self.teardowns.get_mut(pos) {
                    t.stage = TeardownStage::WaitClosed;
                    t.tries = 1;
                }
                if !closing {
                    let (code, reason) = match self.teardowns.get_mut(pos) {
                        Some((_, t)) => (t.code, std::mem::take(&mut t.reason)),
                        None => (None, String::new()),
                    };
                    let was_opened = !connecting;
                    self.close_conn(conn_id, code, reason);
                    if was_opened {
                        self.trigger_chan_error("connection_closed", conn_id);
                    }
                }
                // The first check of the ready state comes after the close effect has
                // been carried out (a LongPoll closes synchronously, a WebSocket later).
                if let Some(pos) = self.teardowns.iter().position(|(i, _)| *i == id) {
                    self.arm_teardown_poll(pos, id, 0.0);
                }
            }
            TeardownStage::WaitClosed => {
                if tries < 5 && !closed {
                    let delay = 150.0 * f64::from(tries);
                    if let Some((_, t)) = self.teardowns.get_mut(pos) {
                        t.tries += 1;
                    }
                    self.arm_teardown_poll(pos, id, delay);
                    return;
                }
                let (_, t) = self.teardowns.remove(pos);
                let ended = self.conn(t.conn).is_some_and(|c| c.ended);
                if self.current == Some(t.conn) {
                    self.current = None;
                }
                self.forget_closed_conns();
                self.after_teardown(t.then, t.clock, Some(ended));
            }
        }
    }

    fn arm_teardown_poll(&mut self, pos: usize, id: u32, delay: f64) {
        let at = self.now + delay;
        let handle = self.timers.arm(at, TimerKey::Teardown(id));
        if let Some((_, t)) = self.teardowns.get_mut(pos) {
            if matches!(t.stage, TeardownStage::Drain) && delay > 0.0 {
                t.tries += 1;
            }
            t.timer = Some(handle);
        }
    }

    fn after_teardown(&mut self, then: AfterTeardown<C>, clock: u64, ended: Option<bool>) {
        let still_wanted = clock == self.connect_clock && ended != Some(true);
        match then {
            AfterTeardown::Nothing => {}
            AfterTeardown::Callback(cb) => self.callback(Callback::Done(cb)),
            AfterTeardown::Connect => {
                if still_wanted {
                    self.reconnects.count(self.reconnect_cause);
                    self.connect(self.now);
                }
            }
            AfterTeardown::ScheduleReconnect => {
                if still_wanted {
                    self.schedule_reconnect();
                }
            }
            AfterTeardown::VisibilityConnect => {
                if still_wanted {
                    self.reconnects.count(ReconnectCause::Visibility);
                    self.connect(self.now);
                    self.visibility_connection = self.current;
                }
            }
        }
    }

    // ----------------------------------------------------------------------- timers

    pub(crate) fn arm(&mut self, at: Time, key: TimerKey) -> TimerHandle {
        if self.timers.len() > 1024
            && self.timers.len() > 4 * (self.pushes.len() + self.channel_slab.len() + 8)
        {
            self.compact_timers();
        }
        self.timers.arm(at, key)
    }

    fn compact_timers(&mut self) {
        let mut timers = std::mem::take(&mut self.timers);
        timers.retain(|h, k| self.timer_is_live(h, k));
        self.timers = timers;
    }

    fn timer_is_live(&self, handle: TimerHandle, key: TimerKey) -> bool {
        let current = match key {
            TimerKey::Reconnect | TimerKey::HiddenReconnect => self.reconnect.armed,
            TimerKey::Heartbeat => self.heartbeat_timer,
            TimerKey::HeartbeatTimeout => self.heartbeat_timeout_timer,
            TimerKey::Rejoin(ch) => self.channel_slab.get(ch).and_then(|c| c.rejoin.armed),
            TimerKey::PushTimeout(p) => self.pushes.get(p).and_then(|p| p.timer),
            TimerKey::Fallback => self.fallback.as_ref().and_then(|f| f.timer),
            TimerKey::Teardown(id) => self
                .teardowns
                .iter()
                .find(|(i, _)| *i == id)
                .and_then(|(_, t)| t.timer),
        };
        current == Some(handle)
    }

    fn fire(&mut self, key: TimerKey) {
        match key {
            TimerKey::Reconnect => {
                self.reconnect.armed = None;
                self.reconnect_fired();
            }
            TimerKey::HiddenReconnect => {
                self.reconnect.armed = None;
                self.teardown_and(AfterTeardown::Connect);
            }
            TimerKey::Heartbeat => {
                self.heartbeat_timer = None;
                self.send_heartbeat();
            }
            TimerKey::HeartbeatTimeout => {
                self.heartbeat_timeout_timer = None;
                self.heartbeat_timeout();
            }
            TimerKey::Rejoin(ch) => self.channel_rejoin_fired(ch),
            TimerKey::PushTimeout(p) => self.push_timeout_fired(p),
            TimerKey::Fallback => {
                if let Some(f) = self.fallback.as_mut() {
                    f.timer = None;
                }
                self.fallback_now(None);
            }
            TimerKey::Teardown(id) => {
                if let Some((_, t)) = self.teardowns.iter_mut().find(|(i, _)| *i == id) {
                    t.timer = None;
                }
                self.advance_teardown(id);
            }
        }
    }
}

/// `{topic: "phoenix", event: "heartbeat", payload: {}, ref}`: the frame
/// `[null,"<ref>","phoenix","heartbeat",{}]`.
pub(crate) fn heartbeat<P: Payload>(r: Ref) -> Outgoing<P> {
    Outgoing {
        join_ref: None,
        ref_: Some(r),
        topic: events::PHOENIX.to_owned(),
        event: events::HEARTBEAT.to_owned(),
        payload: P::empty_object(),
        raw: false,
    }
}

/// Writes a ref as phoenix.js's log template would: `null` for a channel push without a
/// join ref, `undefined` for a socket-level push.
fn push_opt_ref(line: &mut String, r: Option<Ref>, null_when_absent: bool) {
    match r {
        Some(r) => {
            let mut buf = [0u8; 20];
            line.push_str(r.write(&mut buf));
        }
        None if null_when_absent => line.push_str("null"),
        None => line.push_str("undefined"),
    }
}
