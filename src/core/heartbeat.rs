//! Heartbeats (spec §2.4 "Heartbeat"): phoenix.js 1.8.16's interval, reply and timeout, plus
//! the opt-in additions of issue #11: a reply timeout separate from the interval
//! (`heartbeatTimeoutMs`, phoenix PR #5984), `onHeartbeat(status, latencyMs)` callbacks
//! (the statuses of the unmerged phoenix PR #6596, spec §14), and an immediate probe when
//! the browser reports `online` (`probeOnOnline`), so a connection that died during a
//! network switch is noticed in `heartbeatTimeoutMs` instead of up to two intervals.

use super::effect::{Callback, Effect};
use super::message::Ref;
use super::payload::Payload;
use super::socket::{heartbeat, AfterTeardown, Socket, TimerKey, WS_CLOSE_NORMAL};
use super::stats::ReconnectCause;

/// What an `onHeartbeat` callback is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeartbeatStatus {
    /// A heartbeat was sent.
    Sent,
    /// Its reply came back with status `ok` (with the latency).
    Ok,
    /// Its reply came back with another status (with the latency).
    Error,
    /// No reply within the timeout: the connection is being replaced.
    Timeout,
    /// The connection that carried the heartbeats closed, or a heartbeat was due while
    /// the socket was not connected.
    Disconnected,
}

impl HeartbeatStatus {
    /// The status string the callback receives.
    pub fn as_str(&self) -> &'static str {
        match self {
            HeartbeatStatus::Sent => "sent",
            HeartbeatStatus::Ok => "ok",
            HeartbeatStatus::Error => "error",
            HeartbeatStatus::Timeout => "timeout",
            HeartbeatStatus::Disconnected => "disconnected",
        }
    }
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// `onHeartbeat(cb)`: `cb(status, latencyMs)` for every heartbeat event; returns a ref
    /// that `off(refs)` removes, like the other socket callbacks.
    pub fn on_heartbeat(&mut self, cb: C) -> Ref {
        let r = self.make_ref();
        self.on_heartbeat.push((r, cb));
        r
    }

    /// The heartbeat reply timeout: `heartbeatTimeoutMs`, else the interval (phoenix.js).
    pub(crate) fn heartbeat_timeout_ms(&self) -> f64 {
        self.opts
            .improvements
            .heartbeat_timeout_ms
            .unwrap_or(self.opts.heartbeat_interval_ms)
    }

    pub(crate) fn heartbeat_event(&mut self, status: HeartbeatStatus, latency: Option<f64>) {
        let effects = self.on_heartbeat.iter().map(|(_, cb)| {
            Effect::Callback(Callback::Heartbeat {
                callback: cb.clone(),
                status,
                latency,
            })
        });
        self.effects.extend(effects);
    }

    /// `resetHeartbeat()`: LongPoll (`skipHeartbeat`) has none.
    pub(crate) fn reset_heartbeat(&mut self) {
        if self.current_skips_heartbeat() {
            return;
        }
        self.clear_heartbeats();
        let at = self.now + self.opts.heartbeat_interval_ms;
        self.heartbeat_timer = Some(self.timers.arm(at, TimerKey::Heartbeat));
    }

    fn current_skips_heartbeat(&self) -> bool {
        self.current
            .and_then(|id| self.conn(id))
            .is_some_and(|c| c.skip_heartbeat)
    }

    /// `clearHeartbeats()`: both timers, and the pending ref (1.8.16).
    pub(crate) fn clear_heartbeats(&mut self) {
        self.heartbeat_timer = None;
        self.heartbeat_timeout_timer = None;
        self.pending_heartbeat_ref = None;
    }

    /// `sendHeartbeat()`.
    pub(crate) fn send_heartbeat(&mut self) {
        let connected = self.is_connected();
        if !connected {
            self.heartbeat_event(HeartbeatStatus::Disconnected, None);
        }
        if self.pending_heartbeat_ref.is_some() && !connected {
            return;
        }
        let r = self.make_ref();
        self.pending_heartbeat_ref = Some(r);
        self.heartbeat_sent_at = self.now;
        self.push(heartbeat(r), None);
        if connected {
            self.heartbeat_event(HeartbeatStatus::Sent, None);
        }
        let at = self.now + self.heartbeat_timeout_ms();
        self.heartbeat_timeout_timer = Some(self.timers.arm(at, TimerKey::HeartbeatTimeout));
    }

    /// A message carrying the pending heartbeat's ref arrived, whatever its status: the
    /// next heartbeat is due one interval later (spec §2.4).
    pub(crate) fn heartbeat_replied(&mut self, reply: &P) {
        let latency = self.now - self.heartbeat_sent_at;
        self.clear_heartbeats();
        let at = self.now + self.opts.heartbeat_interval_ms;
        self.heartbeat_timer = Some(self.timers.arm(at, TimerKey::Heartbeat));
        self.rtt_ms = Some(latency);
        let status = match reply.reply_status().as_deref() {
            Some("ok") => HeartbeatStatus::Ok,
            _ => HeartbeatStatus::Error,
        };
        self.heartbeat_event(status, Some(latency));
    }

    /// `heartbeatTimeout()` (1.8.16 order, spec §2.4): close with 1000 "heartbeat timeout",
    /// error the channels, reconnect through the backoff.
    pub(crate) fn heartbeat_timeout(&mut self) {
        if self.pending_heartbeat_ref.is_none() {
            return;
        }
        self.pending_heartbeat_ref = None;
        self.heartbeat_event(HeartbeatStatus::Timeout, None);
        self.log_with(
            "transport",
            "heartbeat timeout. Attempting to re-establish connection".into(),
            None,
        );
        self.close_was_clean = false;
        let Some(id) = self.current else { return };
        self.close_conn(id, Some(WS_CLOSE_NORMAL), "heartbeat timeout".into());
        if self.current == Some(id) {
            self.trigger_chan_error("heartbeat_timeout", id);
        }
        self.reconnect_cause = ReconnectCause::HeartbeatTimeout;
        self.teardown_and(AfterTeardown::ScheduleReconnect);
    }

    /// The browser reported `online` (opt-in `probeOnOnline`): an open connection is
    /// probed with a heartbeat now (answered within `heartbeatTimeoutMs` or replaced), and
    /// a reconnect waiting for its backoff happens now.
    pub fn handle_online(&mut self, now: f64) {
        self.now = now;
        if !self.opts.improvements.probe_on_online {
            return;
        }
        if self.is_connected() {
            if self.pending_heartbeat_ref.is_none() && !self.current_skips_heartbeat() {
                self.heartbeat_timer = None;
                self.send_heartbeat();
            }
        } else if self.reconnect.armed.is_some() && !self.close_was_clean {
            self.reconnect.armed = None;
            self.reconnect_cause = ReconnectCause::Online;
            self.teardown_and(AfterTeardown::Connect);
        }
    }
}
