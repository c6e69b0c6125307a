//! Bounded buffers and `socket.stats()` (issue #11, opt-in). phoenix.js buffers every
//! message sent while offline (`sendBuffer`) and every push made before a join
//! (`pushBuffer`) without limit and without telling anyone (research/peers.md §8.8).
//! Here both can be capped with a drop policy, and the socket counts what it buffered,
//! dropped and why it reconnected.

/// What to drop when a bounded buffer is full (`bufferDropPolicy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DropPolicy {
    /// Drop the oldest entry to make room for the new one (`"oldest"`, the default).
    #[default]
    Oldest,
    /// Keep what is buffered and drop the new entry (`"newest"`).
    Newest,
}

/// Caps on the socket's `sendBuffer` and on each channel's `pushBuffer`; `None` is
/// unbounded, as in phoenix.js.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferLimits {
    /// `sendBufferLimit`: messages waiting for the socket to open.
    pub send: Option<usize>,
    /// `pushBufferLimit`: pushes waiting for their channel to join, per channel.
    pub push: Option<usize>,
    /// `bufferDropPolicy`.
    pub policy: DropPolicy,
}

/// Why the socket started a reconnect attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconnectCause {
    /// The transport closed or failed without us asking (network, server restart).
    Close,
    /// A heartbeat went unanswered.
    HeartbeatTimeout,
    /// The page became visible again after an unclean close (spec §2.7).
    Visibility,
    /// The browser reported `online` while a reconnect was pending (`probeOnOnline`).
    Online,
}

/// Reconnect attempts, counted by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reconnects {
    pub close: u32,
    pub heartbeat_timeout: u32,
    pub visibility: u32,
    pub online: u32,
}

impl Reconnects {
    pub(crate) fn count(&mut self, cause: ReconnectCause) {
        let n = match cause {
            ReconnectCause::Close => &mut self.close,
            ReconnectCause::HeartbeatTimeout => &mut self.heartbeat_timeout,
            ReconnectCause::Visibility => &mut self.visibility,
            ReconnectCause::Online => &mut self.online,
        };
        *n = n.saturating_add(1);
    }

    /// Every attempt, whatever the cause.
    pub fn total(&self) -> u32 {
        self.close
            .saturating_add(self.heartbeat_timeout)
            .saturating_add(self.visibility)
            .saturating_add(self.online)
    }
}

/// `socket.stats()`: a snapshot of the socket's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// The last measured round trip (heartbeat reply or `ping`), in ms.
    pub rtt_ms: Option<f64>,
    pub reconnects: Reconnects,
    /// Messages in the `sendBuffer` now.
    pub buffered_send: usize,
    /// Pushes waiting in the channels' `pushBuffer`s now.
    pub buffered_push: usize,
    /// Messages dropped from (or refused by) the full `sendBuffer` so far.
    pub dropped_send: u64,
    /// Pushes dropped from (or refused by) a full `pushBuffer` so far.
    pub dropped_push: u64,
}
