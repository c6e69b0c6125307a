//! The LongPoll fallback (spec §2.6, `connectWithFallback`, 1.8.16): the primary transport
//! (WebSocket) has `threshold` ms to open and then to answer a ping; an error before it
//! opens falls back at once. Falling back switches the socket to LongPoll for good; the
//! decision is remembered for the next page load only when the WebSocket never passed its
//! health check. The driver reads and writes the memo (sessionStorage) and swaps the
//! transport class when asked by [`Effect::SwitchToFallback`].

use std::borrow::Cow;

use super::effect::Effect;
use super::message::Ref;
use super::payload::Payload;
use super::socket::{PingTarget, Socket, StateHook, TimerKey};
use super::timer::{Time, TimerHandle};

/// State of one `connectWithFallback` attempt.
pub(crate) struct Fallback {
    threshold: f64,
    pub(crate) timer: Option<TimerHandle>,
    /// The primary transport opened (`established`).
    established: bool,
    /// Still on the primary transport (`primaryTransport`).
    primary: bool,
    open_ref: Ref,
    error_ref: Ref,
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// `connect()` with `longPollFallbackMs` set and a transport other than LongPoll:
    /// `connectWithFallback(LongPoll, threshold)`. `memorized` is the driver's reading of
    /// `sessionStorage["phx:fallback:LongPoll"]`. Idempotent like `connect`.
    pub fn connect_with_fallback(&mut self, now: Time, threshold: f64, memorized: bool) {
        self.now = now;
        if self
            .current
            .and_then(|id| self.conn(id))
            .is_some_and(|c| !c.ended)
        {
            return;
        }
        self.cancel_fallback();
        if memorized {
            self.fallback_now(Some(P::string("memorized")));
            return;
        }
        let timer = Some(self.arm(now + threshold, TimerKey::Fallback));
        let error_ref = self.make_ref();
        self.on_error.push((error_ref, StateHook::FallbackError));
        let open_ref = self.make_ref();
        self.on_open.push((open_ref, StateHook::FallbackOpen));
        self.fallback = Some(Fallback {
            threshold,
            timer,
            established: false,
            primary: true,
            open_ref,
            error_ref,
        });
        self.transport_connect();
    }

    /// `cancelFallback()`: clear the timer and unregister the hooks.
    fn cancel_fallback(&mut self) {
        if let Some(f) = self.fallback.take() {
            self.off(&[f.open_ref, f.error_ref]);
        }
    }

    /// `fallback(reason)`: switch to LongPoll and connect with it.
    pub(crate) fn fallback_now(&mut self, reason: Option<P>) {
        self.log_with("transport", "falling back to LongPoll...".into(), reason);
        if let Some(f) = self.fallback.as_mut() {
            f.primary = false;
            f.timer = None;
            let error_ref = f.error_ref;
            self.off(&[error_ref]);
        }
        self.effects.push_back(Effect::SwitchToFallback);
        let clock = self.replace_transport(self.now);
        if clock == self.connect_clock {
            self.transport_connect();
        }
    }

    /// The error hook: an error before the primary opened falls back at once.
    pub(crate) fn fallback_on_error(&mut self, error: &P) {
        let Some(f) = self.fallback.as_mut() else {
            return;
        };
        if !f.primary {
            return;
        }
        let established = f.established;
        if self.opts.logger {
            self.log_with("transport", "error".into(), Some(error.clone()));
        }
        if !established {
            if let Some(f) = self.fallback.as_mut() {
                f.timer = None;
            }
            self.fallback_now(Some(error.clone()));
        }
    }

    /// The open hook: the primary must now answer a ping within the threshold; the
    /// fallback opening is remembered unless the primary had passed its health check.
    pub(crate) fn fallback_on_open(&mut self) {
        let Some(f) = self.fallback.as_mut() else {
            return;
        };
        f.established = true;
        if f.primary {
            let at = self.now + f.threshold;
            let timer = Some(self.arm(at, TimerKey::Fallback));
            if let Some(f) = self.fallback.as_mut() {
                f.timer = timer;
            }
            // `ping(rtt => …)`: the answer ends the health check.
            self.ping_for(PingTarget::FallbackHealthCheck);
        } else {
            if !self.primary_passed_health_check {
                self.effects.push_back(Effect::RememberFallback);
            }
            self.log_with("transport", "established LongPoll fallback".into(), None);
        }
    }

    /// The primary answered the ping in time.
    pub(crate) fn fallback_health_check_passed(&mut self) {
        if self.opts.logger {
            self.effects.push_back(Effect::Log {
                kind: Cow::Borrowed("transport"),
                msg: "connected to primary after".into(),
                data: None,
            });
        }
        self.primary_passed_health_check = true;
        if let Some(f) = self.fallback.as_mut() {
            f.timer = None;
        }
    }
}
