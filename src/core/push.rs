//! The push engine (spec §4): refs, reply routing through `chan_reply_<ref>`, timeouts and
//! receive hooks that persist across rejoins.

use super::channel::{BindingEvent, EventName, Handler};
use super::effect::{Callback, ChannelKey, Effect, PushKey};
use super::message::{Outgoing, Ref};
use super::payload::{Payload, Status};
use super::slab::Key;
use super::socket::{Socket, TimerKey};
use super::timer::TimerHandle;

/// `push.ref`: `undefined` until the first send, `null` after `reset()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushRef {
    Undefined,
    Null,
    Set(Ref),
}

impl PushRef {
    /// The ref, if one is set.
    pub fn get(&self) -> Option<Ref> {
        match self {
            PushRef::Set(r) => Some(*r),
            _ => None,
        }
    }

    /// As a JS template literal would print it.
    pub fn to_js_string(&self) -> String {
        match self {
            PushRef::Undefined => "undefined".into(),
            PushRef::Null => "null".into(),
            PushRef::Set(r) => r.to_js_string(),
        }
    }
}

/// A receive hook: the user's, or one the channel registers on its join and leave pushes.
#[derive(Clone, Debug)]
pub(crate) enum PushHook<C> {
    User(C),
    JoinOk,
    JoinError,
    JoinTimeout,
    LeaveDone,
}

/// Who keeps a push's receive hooks when the driver does (see [`Socket::set_push_owner`]).
#[derive(Clone, Debug)]
pub(crate) enum Owner<P> {
    /// The driver's object for this push, held while the push is in the engine.
    Object(P),
    /// A join push: the driver finds its object from the channel. Holding it here would
    /// hold it for the channel's whole life, and with it (through `push.channel`) the
    /// channel's own JS object: a cycle through the engine that no GC can see.
    Channel,
}

/// `receivedResp`: the reply `{status, response}` a push got (or the synthetic timeout).
#[derive(Clone, Debug)]
pub struct Received<P> {
    pub status: Option<Status>,
    pub response: P,
}

/// A push's state (spec §4 fields).
pub(crate) struct PushState<P, C> {
    pub(crate) channel: ChannelKey,
    pub(crate) event: String,
    pub(crate) payload: P,
    pub(crate) timeout: f64,
    pub(crate) ref_: PushRef,
    /// `refEvent`: set by `startTimeout`, cleared by `reset`.
    pub(crate) ref_event: Option<Ref>,
    /// The `chan_reply_<ref>` binding is registered.
    pub(crate) bound: bool,
    pub(crate) received: Option<Received<P>>,
    pub(crate) hooks: Vec<(String, PushHook<C>)>,
    /// The driver's object for this push, told of every reply whatever its status, after
    /// the hooks ([`Callback::Settle`]; see [`Socket::set_push_owner`]). A field, not a
    /// hook: a push then allocates no hook list.
    pub(crate) owner: Option<Owner<P>>,
    pub(crate) timer: Option<TimerHandle>,
    pub(crate) sent: bool,
    /// A join push: owned by its channel, freed with it.
    pub(crate) is_join: bool,
    /// The driver holds a handle to it.
    pub(crate) user_held: bool,
}

impl<P: Payload, C> PushState<P, C> {
    pub(crate) fn new(channel: ChannelKey, event: String, payload: P, timeout: f64) -> Self {
        PushState {
            channel,
            event,
            payload,
            timeout,
            ref_: PushRef::Undefined,
            ref_event: None,
            bound: false,
            received: None,
            hooks: Vec::new(),
            owner: None,
            timer: None,
            sent: false,
            is_join: false,
            user_held: false,
        }
    }

    /// What tells the push's owner, if it has one, of the reply `r`: the push's ref, `sent`
    /// and timeout go along, as the engine may free the push right after.
    fn settle(&self, r: Received<P>) -> Option<Callback<P, C>> {
        let owner = match self.owner.as_ref()? {
            Owner::Object(o) => Some(o.clone()),
            Owner::Channel => None,
        };
        Some(Callback::Settle {
            owner,
            channel: self.channel,
            status: r.status,
            response: r.response,
            ref_: self.ref_.get(),
            sent: self.sent,
            timeout: self.timeout,
        })
    }

    /// The join push of a channel not created yet: the key is filled in by the channel.
    pub(crate) fn new_join(params: P, timeout: f64) -> Self {
        let mut p = PushState::new(
            Key::DANGLING,
            super::message::events::JOIN.into(),
            params,
            timeout,
        );
        p.is_join = true;
        p
    }
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// `push.send()`: does nothing after a timeout; otherwise a fresh ref, the timeout
    /// starts, and the message goes to `socket.push` (buffered when not connected).
    pub fn push_send(&mut self, p: PushKey, now: f64) {
        self.now = now;
        let Some(push) = self.pushes.get(p) else {
            return;
        };
        if push
            .received
            .as_ref()
            .is_some_and(|r| r.status.as_deref() == Some("timeout"))
        {
            return;
        }
        self.push_start_timeout(p);
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        push.sent = true;
        let (ch, event, payload, ref_) = (
            push.channel,
            push.event.clone(),
            push.payload.evaluate_pending(),
            push.ref_.get(),
        );
        let (payload, pending) = payload;
        if pending {
            if let Some(r) = ref_ {
                self.effects.push_back(Effect::AwaitPayload {
                    push: p,
                    ref_: r,
                    pending: payload,
                });
            }
            return;
        }
        self.push_message(ch, event, payload, ref_);
    }

    fn push_message(&mut self, ch: ChannelKey, event: String, payload: P, ref_: Option<Ref>) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        let message = Outgoing {
            join_ref: self.channel_join_ref_value(c),
            ref_,
            topic: c.topic.clone(),
            event,
            payload,
            raw: false,
        };
        self.push(message, Some(ch));
    }

    /// The driver awaited a pending payload (async channel params, issue #11): the push
    /// goes out now with the value, unless it was resent, answered or timed out meanwhile
    /// (its timeout started before the wait, as phoenix.js starts it before `send`). A
    /// rejection reaches the push as an `"error"` reply with the rejection as response, so
    /// a join retries through `rejoinAfterMs` like any join error.
    pub fn resolve_payload(&mut self, p: PushKey, r: Ref, now: f64, result: Result<P, P>) {
        self.now = now;
        let Some(push) = self.pushes.get(p) else {
            return;
        };
        if push.ref_.get() != Some(r) || push.received.is_some() {
            return;
        }
        let (ch, event) = (push.channel, push.event.clone());
        match result {
            Ok(payload) => self.push_message(ch, event, payload, Some(r)),
            Err(reason) => self.push_trigger(p, "error", reason),
        }
    }

    /// `push.resend(timeout)`: `reset()` then `send()`.
    pub fn push_resend(&mut self, p: PushKey, now: f64, timeout: f64) {
        if let Some(push) = self.pushes.get_mut(p) {
            push.timeout = timeout;
        }
        self.push_reset(p);
        self.push_send(p, now);
    }

    /// `push.receive(status, cb)`: calls back at once if that status was received, and
    /// always records the hook for later replies (join hooks fire on every rejoin).
    pub fn push_receive(&mut self, p: PushKey, status: &str, cb: C) {
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        let immediate = push
            .received
            .as_ref()
            .filter(|r| r.status.as_deref() == Some(status))
            .map(|r| r.response.clone());
        push.hooks
            .push((status.to_owned(), PushHook::User(cb.clone())));
        if let Some(response) = immediate {
            self.emit_receive(cb, response);
        }
    }

    /// Hands the push's receive hooks to the driver's `owner` object: from now on every
    /// reply (and timeout) reaches it as one [`Callback::Settle`], a reply already received
    /// at once, and the push is freed as soon as nothing waits on it, since the owner keeps
    /// what a later `receive`, `send` or `resend` needs (see `push_revive`). The JS driver
    /// does this for every push so that its `Push` objects need no finalizer. For a join
    /// push use [`Socket::own_join_push`].
    pub fn set_push_owner(&mut self, p: PushKey, owner: P) {
        self.own_push(p, Owner::Object(owner));
    }

    /// [`Socket::set_push_owner`] for the join push of `ch`, whose `Settle`s carry no
    /// owner: the driver finds its object from the channel.
    pub fn own_join_push(&mut self, ch: ChannelKey) {
        if let Some(p) = self.channel_join_push(ch) {
            self.own_push(p, Owner::Channel);
        }
    }

    fn own_push(&mut self, p: PushKey, owner: Owner<P>) {
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        push.user_held = false;
        push.owner = Some(owner);
        if let Some(settle) = push.received.clone().and_then(|r| push.settle(r)) {
            self.callback(settle);
        }
        self.maybe_free_push(p);
    }

    /// `send()` / `resend()` of a push the engine already freed (its owner keeps event,
    /// payload and hooks): the same push again, sent with a fresh ref and timeout, as
    /// phoenix.js's `send` does on a push object that lives on.
    pub fn push_revive(
        &mut self,
        ch: ChannelKey,
        now: f64,
        event: String,
        payload: P,
        timeout: f64,
        owner: P,
    ) -> Option<PushKey> {
        self.now = now;
        self.channel_slab.get(ch)?;
        let mut push = PushState::new(ch, event, payload, timeout);
        push.owner = Some(Owner::Object(owner));
        let p = self.insert_push(ch, push);
        self.push_send(p, now);
        Some(p)
    }

    /// The driver no longer holds the push; it is freed once nothing waits on it.
    pub fn release_push(&mut self, p: PushKey) {
        if let Some(push) = self.pushes.get_mut(p) {
            push.user_held = false;
        }
        self.maybe_free_push(p);
    }

    /// Whether the engine still has the push (it frees settled pushes of an owner).
    pub fn has_push(&self, p: PushKey) -> bool {
        self.pushes.get(p).is_some()
    }

    /// `push.ref`.
    pub fn push_ref(&self, p: PushKey) -> PushRef {
        self.pushes.get(p).map_or(PushRef::Undefined, |p| p.ref_)
    }

    /// `push.receivedResp`.
    pub fn push_received(&self, p: PushKey) -> Option<Received<P>> {
        self.pushes.get(p).and_then(|p| p.received.clone())
    }

    /// `push.event`.
    pub fn push_event(&self, p: PushKey) -> Option<&str> {
        self.pushes.get(p).map(|p| p.event.as_str())
    }

    /// `push.timeout`.
    pub fn push_timeout(&self, p: PushKey) -> Option<f64> {
        self.pushes.get(p).map(|p| p.timeout)
    }

    /// `push.sent`.
    pub fn push_sent(&self, p: PushKey) -> bool {
        self.pushes.get(p).is_some_and(|p| p.sent)
    }

    /// Pushes alive in the engine (for leak tests).
    pub fn live_pushes(&self) -> usize {
        self.pushes.len()
    }

    /// Channels alive in the engine (for leak tests).
    pub fn live_channels(&self) -> usize {
        self.channel_slab.len()
    }

    /// `reset()`: forgets the ref, the reply and the binding; the timer is left running
    /// (its later firing matches nothing, as in phoenix.js).
    pub(crate) fn push_reset(&mut self, p: PushKey) {
        self.push_cancel_ref_event(p);
        if let Some(push) = self.pushes.get_mut(p) {
            push.ref_ = PushRef::Null;
            push.ref_event = None;
            push.received = None;
            push.sent = false;
        }
    }

    /// `startTimeout()`: a fresh ref, its `chan_reply_<ref>` binding, and the timer.
    pub(crate) fn push_start_timeout(&mut self, p: PushKey) {
        if let Some(push) = self.pushes.get_mut(p) {
            push.timer = None;
        }
        self.push_cancel_ref_event(p);
        let r = self.make_ref();
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        push.ref_ = PushRef::Set(r);
        push.ref_event = Some(r);
        push.bound = true;
        let (ch, at) = (push.channel, self.now + push.timeout);
        self.bind(ch, BindingEvent::Reply(r), Handler::PushReply(p));
        let handle = self.arm(at, TimerKey::PushTimeout(p));
        if let Some(push) = self.pushes.get_mut(p) {
            push.timer = Some(handle);
        }
    }

    /// `cancelRefEvent()`: `channel.off(refEvent)`.
    fn push_cancel_ref_event(&mut self, p: PushKey) {
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        let Some(r) = push.ref_event else { return };
        push.bound = false;
        let ch = push.channel;
        if let Some(c) = self.channel_slab.get_mut(ch) {
            let ev = EventName::Reply(r);
            c.bindings.retain(|b| !b.event_matches(ev));
        }
    }

    /// The push's own `chan_reply_<ref>` binding: stop waiting, remember the reply, run
    /// the hooks of its status.
    pub(crate) fn push_reply(&mut self, p: PushKey, payload: P) {
        self.push_cancel_ref_event(p);
        let Some(push) = self.pushes.get_mut(p) else {
            return;
        };
        push.timer = None;
        let status = payload.reply_status();
        let response = payload.reply_response();
        let received = Received {
            status: status.clone(),
            response: response.clone(),
        };
        let settle = push.settle(received.clone());
        push.received = Some(received);
        let ch = push.channel;
        let hooks: Vec<PushHook<C>> = push
            .hooks
            .iter()
            .filter(|(s, _)| Some(s.as_str()) == status.as_deref())
            .map(|(_, h)| h.clone())
            .collect();
        for hook in hooks {
            match hook {
                PushHook::User(cb) => self.emit_receive(cb, response.clone()),
                PushHook::JoinOk => self.channel_join_ok(ch),
                PushHook::JoinError => self.channel_join_error(ch),
                PushHook::JoinTimeout => self.channel_join_timeout(ch),
                PushHook::LeaveDone => self.channel_leave_done(ch),
            }
        }
        if let Some(settle) = settle {
            self.callback(settle);
        }
        self.maybe_free_push(p);
    }

    /// `push.trigger(status, response)`: the same path as a real reply.
    pub(crate) fn push_trigger(&mut self, p: PushKey, status: &str, response: P) {
        let Some(push) = self.pushes.get(p) else {
            return;
        };
        let Some(r) = push.ref_event else { return };
        let ch = push.channel;
        self.trigger(
            ch,
            EventName::Reply(r),
            P::reply(status, response),
            None,
            None,
            false,
        );
    }

    pub(crate) fn push_timeout_fired(&mut self, p: PushKey) {
        if let Some(push) = self.pushes.get_mut(p) {
            push.timer = None;
        }
        self.push_trigger(p, "timeout", P::empty_object());
        self.maybe_free_push(p);
    }

    pub(crate) fn maybe_free_push(&mut self, p: PushKey) {
        let free = self.pushes.get(p).is_some_and(|push| {
            !push.user_held && !push.is_join && !push.bound && push.timer.is_none()
        });
        if free {
            if let Some(push) = self.pushes.remove(p) {
                self.push_freed(push.channel);
            }
        }
    }
}
