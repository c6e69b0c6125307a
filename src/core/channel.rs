//! The channel engine (spec §3): join/rejoin, leave, push buffering, bindings with integer
//! refs, and the state table of §3.3. A channel is addressed by a [`ChannelKey`] into its
//! socket.

use super::effect::{BindingCallback, Callback, ChannelKey, PushKey};
use super::message::{events, Ref};
use super::payload::Payload;
use super::push::{PushHook, PushRef, PushState};
use super::socket::{Socket, StateHook, TimerKey};
use super::timer::Backoff;

/// `channel.state` (spec §1.3 `CHANNEL_STATES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelStatus {
    Closed,
    Errored,
    Joined,
    Joining,
    Leaving,
}

impl ChannelStatus {
    /// The state as phoenix.js spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChannelStatus::Closed => "closed",
            ChannelStatus::Errored => "errored",
            ChannelStatus::Joined => "joined",
            ChannelStatus::Joining => "joining",
            ChannelStatus::Leaving => "leaving",
        }
    }
}

/// The errors `join` and `push` throw, with phoenix.js's messages (spec §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelError {
    /// `join()` a second time.
    JoinedTwice,
    /// `push()` before `join()`.
    PushBeforeJoin { event: String, topic: String },
    /// The channel no longer exists in the engine.
    Gone,
}

impl ChannelError {
    /// The `Error` message phoenix.js throws.
    pub fn message(&self) -> String {
        match self {
            ChannelError::JoinedTwice => {
                "tried to join multiple times. 'join' can only be called a single time per channel instance".into()
            }
            ChannelError::PushBeforeJoin { event, topic } => {
                let mut s = String::from("tried to push '");
                s.push_str(event);
                s.push_str("' to '");
                s.push_str(topic);
                s.push_str("' before joining. Use channel.join() before pushing events");
                s
            }
            ChannelError::Gone => "channel was released".into(),
        }
    }
}

/// What a binding does when its event is triggered.
#[derive(Clone, Debug)]
pub(crate) enum Handler<C> {
    /// A user binding.
    User(BindingCallback<C>),
    /// Binding 0: the channel's own `phx_close` handler.
    OnClose,
    /// Binding 1: the channel's own `phx_error` handler.
    OnError,
    /// Binding 2: `phx_reply` → `chan_reply_<ref>`.
    Reply,
    /// A push waiting for its reply (`chan_reply_<ref>`, spec §4 `startTimeout`).
    PushReply(PushKey),
}

/// The event a binding listens to. Reply events are kept as refs so that a push's
/// `chan_reply_<ref>` binding costs no string.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum BindingEvent {
    Name(String),
    Reply(Ref),
}

/// An event being triggered.
#[derive(Clone, Copy, Debug)]
pub(crate) enum EventName<'a> {
    Name(&'a str),
    Reply(Ref),
}

const REPLY_PREFIX: &str = "chan_reply_";

impl BindingEvent {
    fn matches(&self, event: EventName<'_>) -> bool {
        match (self, event) {
            (BindingEvent::Name(a), EventName::Name(b)) => a == b,
            (BindingEvent::Reply(a), EventName::Reply(b)) => *a == b,
            (BindingEvent::Name(a), EventName::Reply(b)) => {
                a.strip_prefix(REPLY_PREFIX).and_then(Ref::parse) == Some(b)
            }
            (BindingEvent::Reply(a), EventName::Name(b)) => {
                b.strip_prefix(REPLY_PREFIX).and_then(Ref::parse) == Some(*a)
            }
        }
    }
}

impl EventName<'_> {
    fn to_js_string(self) -> String {
        match self {
            EventName::Name(s) => s.to_owned(),
            EventName::Reply(r) => {
                let mut buf = [0u8; 20];
                let mut s = String::from(REPLY_PREFIX);
                s.push_str(r.write(&mut buf));
                s
            }
        }
    }
}

pub(crate) struct Binding<C> {
    pub(crate) event: BindingEvent,
    pub(crate) ref_: u32,
    pub(crate) handler: Handler<C>,
}

impl<C> Binding<C> {
    pub(crate) fn event_matches(&self, event: EventName<'_>) -> bool {
        self.event.matches(event)
    }
}

/// A channel's state (spec §3.1 fields).
pub(crate) struct ChannelState<C> {
    pub(crate) topic: String,
    pub(crate) status: ChannelStatus,
    pub(crate) bindings: Vec<Binding<C>>,
    pub(crate) binding_ref: u32,
    pub(crate) timeout: f64,
    pub(crate) joined_once: bool,
    pub(crate) join_push: PushKey,
    pub(crate) push_buffer: Vec<PushKey>,
    pub(crate) state_change_refs: [Ref; 2],
    pub(crate) rejoin: Backoff,
    /// Still in `socket.channels`.
    pub(crate) in_socket: bool,
    /// The driver let go of its handle.
    pub(crate) released: bool,
    /// A user `onMessage` hook is set: dispatch even without bindings.
    pub(crate) message_hook: bool,
    /// Pushes of this channel alive in the engine, besides the join push. A push keeps its
    /// channel alive (in phoenix.js it references it), so a pending push's timeout still
    /// reaches its hooks after the channel was left and let go.
    pub(crate) live_pushes: u32,
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// `socket.channel(topic, params)` (spec §3.1): creates the channel, registers it with
    /// the socket, and wires it (2 socket refs, binding refs 0–2). `params` is sent with
    /// every (re)join, evaluated by [`Payload::evaluate`] each time.
    pub fn channel(&mut self, topic: &str, params: P) -> ChannelKey {
        let ch = self.new_channel(topic, params);
        self.channels.push(ch);
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.in_socket = true;
        }
        ch
    }

    /// `new Channel(topic, params, socket)` without registering it in `socket.channels`.
    pub fn new_channel(&mut self, topic: &str, params: P) -> ChannelKey {
        let timeout = self.opts.timeout;
        let join_push = self.pushes.insert(PushState::new_join(params, timeout));
        let error_ref = self.make_ref();
        let open_ref = self.make_ref();
        let ch = self.channel_slab.insert(ChannelState {
            topic: topic.to_owned(),
            status: ChannelStatus::Closed,
            bindings: Vec::new(),
            binding_ref: 0,
            timeout,
            joined_once: false,
            join_push,
            push_buffer: Vec::new(),
            state_change_refs: [error_ref, open_ref],
            rejoin: Backoff::default(),
            in_socket: false,
            released: false,
            message_hook: false,
            live_pushes: 0,
        });
        if let Some(p) = self.pushes.get_mut(join_push) {
            p.channel = ch;
            p.hooks.push(("ok".into(), PushHook::JoinOk));
            p.hooks.push(("error".into(), PushHook::JoinError));
        }
        self.on_error
            .push((error_ref, StateHook::ChannelRejoinReset(ch)));
        self.on_open.push((open_ref, StateHook::ChannelOpen(ch)));
        self.bind(
            ch,
            BindingEvent::Name(events::CLOSE.into()),
            Handler::OnClose,
        );
        self.bind(
            ch,
            BindingEvent::Name(events::ERROR.into()),
            Handler::OnError,
        );
        if let Some(p) = self.pushes.get_mut(join_push) {
            p.hooks.push(("timeout".into(), PushHook::JoinTimeout));
        }
        self.bind(ch, BindingEvent::Name(events::REPLY.into()), Handler::Reply);
        ch
    }

    /// `socket.remove(channel)`: unregisters its socket hooks and drops it from the list.
    pub fn remove(&mut self, ch: ChannelKey) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.in_socket = false;
            let refs = c.state_change_refs;
            self.off(&refs);
        }
        self.channels.retain(|&k| k != ch);
        self.maybe_free_channel(ch);
    }

    /// The driver no longer holds the channel. It stays alive while it is in the socket.
    pub fn release_channel(&mut self, ch: ChannelKey) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.released = true;
        }
        self.maybe_free_channel(ch);
    }

    fn maybe_free_channel(&mut self, ch: ChannelKey) {
        let free = self
            .channel_slab
            .get(ch)
            .is_some_and(|c| c.released && !c.in_socket && c.live_pushes == 0);
        if !free {
            return;
        }
        if let Some(c) = self.channel_slab.remove(ch) {
            // phoenix.js keeps these in a WeakMap; without this, a long-lived connection
            // grew by one entry per channel ever joined over it.
            for conn in &mut self.conns {
                conn.joins.retain(|&(k, _)| k != ch);
            }
            self.pushes.remove(c.join_push);
        }
    }

    /// Stores a push of `ch` (not its join push), counting it on the channel.
    pub(crate) fn insert_push(&mut self, ch: ChannelKey, push: PushState<P, C>) -> PushKey {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.live_pushes = c.live_pushes.saturating_add(1);
        }
        self.pushes.insert(push)
    }

    /// A push of `ch` was freed: the channel may go too.
    pub(crate) fn push_freed(&mut self, ch: ChannelKey) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.live_pushes = c.live_pushes.saturating_sub(1);
        }
        self.maybe_free_channel(ch);
    }

    /// `channel.join(timeout)` (spec §3.2): returns the join push.
    pub fn channel_join(
        &mut self,
        ch: ChannelKey,
        now: f64,
        timeout: Option<f64>,
    ) -> Result<PushKey, ChannelError> {
        self.now = now;
        let c = self.channel_slab.get_mut(ch).ok_or(ChannelError::Gone)?;
        if c.joined_once {
            return Err(ChannelError::JoinedTwice);
        }
        if let Some(t) = timeout {
            c.timeout = t;
        }
        c.joined_once = true;
        let (join_push, t) = (c.join_push, c.timeout);
        self.channel_rejoin(ch, t);
        Ok(join_push)
    }

    /// `rejoin(timeout)` (private in phoenix.js).
    pub(crate) fn channel_rejoin(&mut self, ch: ChannelKey, timeout: f64) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        if c.status == ChannelStatus::Leaving {
            return;
        }
        let topic = c.topic.clone();
        self.leave_open_topic(&topic);
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.status = ChannelStatus::Joining;
        let join_push = c.join_push;
        self.push_resend(join_push, self.now, timeout);
    }

    /// `leaveOpenTopic(topic)`: another joined or joining channel on the same topic leaves.
    fn leave_open_topic(&mut self, topic: &str) {
        let dup = self.channels.iter().copied().find(|&k| {
            self.channel_slab.get(k).is_some_and(|c| {
                c.topic == topic
                    && matches!(c.status, ChannelStatus::Joined | ChannelStatus::Joining)
            })
        });
        if let Some(dup) = dup {
            if self.opts.logger {
                let mut msg = String::from("leaving duplicate topic \"");
                msg.push_str(topic);
                msg.push('"');
                self.log_with("transport", msg, None);
            }
            // Nobody holds this leave push (phoenix.js discards it too): release it, or
            // it would stay in the slab for the socket's lifetime.
            if let Some(leave) = self.channel_leave(dup, self.now, None) {
                self.release_push(leave);
            }
        }
    }

    /// `channel.leave(timeout)` (spec §3.2), with its quirk: the channel closes at once and
    /// the returned push has already received `ok`.
    pub fn channel_leave(
        &mut self,
        ch: ChannelKey,
        now: f64,
        timeout: Option<f64>,
    ) -> Option<PushKey> {
        self.now = now;
        let c = self.channel_slab.get_mut(ch)?;
        c.rejoin.reset();
        c.status = ChannelStatus::Leaving;
        let timeout = timeout.unwrap_or(c.timeout);
        let join_push = c.join_push;
        if let Some(p) = self.pushes.get_mut(join_push) {
            p.timer = None;
        }
        let mut leave = PushState::new(ch, events::LEAVE.into(), P::empty_object(), timeout);
        leave.hooks.push(("ok".into(), PushHook::LeaveDone));
        leave.hooks.push(("timeout".into(), PushHook::LeaveDone));
        leave.user_held = true;
        let leave = self.insert_push(ch, leave);
        self.push_send(leave, now);
        if !self.channel_can_push(ch) {
            self.push_trigger(leave, "ok", P::empty_object());
        }
        Some(leave)
    }

    /// `channel.push(event, payload, timeout)` (spec §3.2): sent now if the channel can
    /// push, otherwise buffered with its timeout already running.
    pub fn channel_push(
        &mut self,
        ch: ChannelKey,
        now: f64,
        event: impl Into<String>,
        payload: P,
        timeout: Option<f64>,
    ) -> Result<PushKey, ChannelError> {
        self.now = now;
        // A `String` the driver already made (the JS facade's) is kept, not copied.
        let event = event.into();
        let c = self.channel_slab.get(ch).ok_or(ChannelError::Gone)?;
        if !c.joined_once {
            return Err(ChannelError::PushBeforeJoin {
                event,
                topic: c.topic.clone(),
            });
        }
        let timeout = timeout.unwrap_or(c.timeout);
        let mut push = PushState::new(ch, event, payload, timeout);
        push.user_held = true;
        let p = self.insert_push(ch, push);
        if self.channel_can_push(ch) {
            self.push_send(p, now);
        } else {
            self.push_start_timeout(p);
            self.buffer_push(ch, p);
        }
        Ok(p)
    }

    /// Adds `p` to the channel's `pushBuffer`. With a `pushBufferLimit` (issue #11) a full
    /// buffer drops the oldest push or the new one (`bufferDropPolicy`): the dropped push
    /// receives `"error"` with `{reason: "buffer_full"}` at once instead of timing out.
    fn buffer_push(&mut self, ch: ChannelKey, p: PushKey) {
        let limits = self.opts.improvements.buffer_limits;
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        let full = limits.push.is_some_and(|l| c.push_buffer.len() >= l);
        let dropped = if !full {
            c.push_buffer.push(p);
            None
        } else if limits.policy == super::stats::DropPolicy::Newest || c.push_buffer.is_empty() {
            Some(p)
        } else {
            let oldest = c.push_buffer.remove(0);
            c.push_buffer.push(p);
            Some(oldest)
        };
        if let Some(d) = dropped {
            self.dropped_push = self.dropped_push.saturating_add(1);
            self.push_trigger(d, "error", P::reason("buffer_full"));
            self.maybe_free_push(d);
        }
    }

    /// `channel.on(event, cb)`: returns the binding ref.
    pub fn channel_on(
        &mut self,
        ch: ChannelKey,
        event: &str,
        cb: BindingCallback<C>,
    ) -> Option<u32> {
        self.bind(ch, BindingEvent::Name(event.to_owned()), Handler::User(cb))
    }

    /// `channel.off(event, ref)`: `None` removes every binding of `event`.
    pub fn channel_off(&mut self, ch: ChannelKey, event: &str, ref_: Option<u32>) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            let name = EventName::Name(event);
            c.bindings
                .retain(|b| !(b.event.matches(name) && ref_.is_none_or(|r| r == b.ref_)));
        }
    }

    pub(crate) fn bind(
        &mut self,
        ch: ChannelKey,
        event: BindingEvent,
        handler: Handler<C>,
    ) -> Option<u32> {
        let c = self.channel_slab.get_mut(ch)?;
        let ref_ = c.binding_ref;
        c.binding_ref = c.binding_ref.wrapping_add(1);
        c.bindings.push(Binding {
            event,
            ref_,
            handler,
        });
        Some(ref_)
    }

    /// Marks that the user set an `onMessage` hook, so every trigger is dispatched.
    pub fn channel_set_message_hook(&mut self, ch: ChannelKey, set: bool) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.message_hook = set;
        }
    }

    /// `channel.state`.
    pub fn channel_state(&self, ch: ChannelKey) -> Option<ChannelStatus> {
        self.channel_slab.get(ch).map(|c| c.status)
    }

    /// `channel.topic`.
    pub fn channel_topic(&self, ch: ChannelKey) -> Option<&str> {
        self.channel_slab.get(ch).map(|c| c.topic.as_str())
    }

    /// `channel.timeout`.
    pub fn channel_timeout(&self, ch: ChannelKey) -> Option<f64> {
        self.channel_slab.get(ch).map(|c| c.timeout)
    }

    /// `channel.joinPush`.
    pub fn channel_join_push(&self, ch: ChannelKey) -> Option<PushKey> {
        self.channel_slab.get(ch).map(|c| c.join_push)
    }

    /// `channel.joinRef()`: `undefined` before the first join, `null` after a reset.
    pub fn channel_join_ref(&self, ch: ChannelKey) -> PushRef {
        self.channel_slab
            .get(ch)
            .and_then(|c| self.pushes.get(c.join_push))
            .map_or(PushRef::Undefined, |p| p.ref_)
    }

    /// The number of pushes waiting for the join (`pushBuffer.length`).
    pub fn channel_push_buffer_len(&self, ch: ChannelKey) -> usize {
        self.channel_slab.get(ch).map_or(0, |c| c.push_buffer.len())
    }

    /// The binding refs of `event`, in order (for tests and `channel.bindings`).
    pub fn channel_binding_refs(&self, ch: ChannelKey, event: &str) -> Vec<u32> {
        self.channel_slab.get(ch).map_or_else(Vec::new, |c| {
            c.bindings
                .iter()
                .filter(|b| b.event.matches(EventName::Name(event)))
                .map(|b| b.ref_)
                .collect()
        })
    }

    /// The rejoin timer's `tries`.
    pub fn channel_rejoin_tries(&self, ch: ChannelKey) -> u32 {
        self.channel_slab.get(ch).map_or(0, |c| c.rejoin.tries)
    }

    pub(crate) fn channel_join_ref_value(&self, c: &ChannelState<C>) -> Option<Ref> {
        self.pushes.get(c.join_push).and_then(|p| p.ref_.get())
    }

    /// `canPush()`: socket open and channel joined.
    pub fn channel_can_push(&self, ch: ChannelKey) -> bool {
        self.is_connected() && self.channel_state(ch) == Some(ChannelStatus::Joined)
    }

    /// `isMember(topic, event, payload, joinRef)`: a message with a truthy join_ref that is
    /// not the channel's current one is outdated and dropped.
    pub(crate) fn channel_is_member(
        &mut self,
        ch: ChannelKey,
        topic: &str,
        join_ref: Option<&str>,
    ) -> bool {
        let Some(c) = self.channel_slab.get(ch) else {
            return false;
        };
        if c.topic != topic {
            return false;
        }
        if let Some(jr) = join_ref.filter(|s| !s.is_empty()) {
            let current = self.channel_join_ref_value(c);
            if !current.is_some_and(|r| r.matches(Some(jr))) {
                self.log_with("channel", "dropping outdated message".into(), None);
                return false;
            }
        }
        true
    }

    /// `channel.trigger(event, payload, ref, joinRef)` (spec §3.2).
    pub fn channel_trigger(
        &mut self,
        ch: ChannelKey,
        event: &str,
        payload: P,
        ref_: Option<String>,
        join_ref: Option<String>,
    ) {
        self.trigger(ch, EventName::Name(event), payload, ref_, join_ref, true);
    }

    /// Runs the channel's own handlers in binding order and collects the user callbacks
    /// of the same snapshot into one dispatch.
    pub(crate) fn trigger(
        &mut self,
        ch: ChannelKey,
        event: EventName<'_>,
        payload: P,
        ref_: Option<String>,
        join_ref: Option<String>,
        ref_null: bool,
    ) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        // The matching handlers, taken before any runs (they change the bindings). The
        // first is kept apart so that the usual single match (a reply's internal binding,
        // then the push's) allocates nothing: an empty `collect` does not allocate.
        let mut matching = c
            .bindings
            .iter()
            .filter(|b| b.event.matches(event))
            .map(|b| b.handler.clone());
        let first = matching.next();
        let rest: Vec<Handler<C>> = matching.collect();
        let handlers = first.into_iter().chain(rest);
        let message_hook = c.message_hook;
        // The channel's join ref as it is now, for the callbacks' `joinRef` argument; made a
        // string only if a dispatch needs it (most triggers, e.g. every reply, have none).
        let current_join_ref = self.channel_join_ref_value(c);
        let mut user = Vec::new();
        for h in handlers {
            match h {
                Handler::User(cb) => user.push(cb),
                Handler::OnClose => self.channel_closed_by_event(ch),
                Handler::OnError => self.channel_errored_by_event(ch, &payload),
                Handler::Reply => match ref_.as_deref().and_then(Ref::parse) {
                    Some(r) => {
                        self.trigger(ch, EventName::Reply(r), payload.clone(), None, None, false)
                    }
                    None => {
                        let mut name = String::from(REPLY_PREFIX);
                        name.push_str(ref_.as_deref().unwrap_or("null"));
                        self.trigger(
                            ch,
                            EventName::Name(&name),
                            payload.clone(),
                            None,
                            None,
                            false,
                        );
                    }
                },
                Handler::PushReply(p) => self.push_reply(p, payload.clone()),
            }
        }
        if !user.is_empty() || message_hook {
            let cb_join_ref = join_ref
                .filter(|s| !s.is_empty())
                .or_else(|| current_join_ref.map(|r| r.to_js_string()));
            self.callback(Callback::Dispatch {
                channel: ch,
                event: event.to_js_string(),
                payload,
                ref_undefined: ref_.is_none() && !ref_null,
                ref_,
                join_ref: cb_join_ref,
                callbacks: user,
            });
        }
    }

    /// Binding 0 (spec §3.1 step 5).
    fn channel_closed_by_event(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.rejoin.reset();
        c.status = ChannelStatus::Closed;
        if self.opts.logger {
            let topic = c.topic.clone();
            let jr = self.channel_join_ref(ch);
            let mut msg = String::from("close ");
            msg.push_str(&topic);
            msg.push(' ');
            msg.push_str(&jr.to_js_string());
            self.log_with("channel", msg, None);
        }
        self.remove(ch);
    }

    /// Binding 1 (spec §3.1 step 6).
    fn channel_errored_by_event(&mut self, ch: ChannelKey, reason: &P) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        if self.opts.logger {
            let mut msg = String::from("error ");
            msg.push_str(&c.topic);
            self.log_with("channel", msg, Some(reason.clone()));
        }
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        if c.status == ChannelStatus::Joining {
            let jp = c.join_push;
            self.push_reset(jp);
        }
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.status = ChannelStatus::Errored;
        }
        if self.is_connected() {
            self.schedule_rejoin(ch);
        }
    }

    /// The join push's internal `ok` hook (spec §3.1 step 3).
    pub(crate) fn channel_join_ok(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.status = ChannelStatus::Joined;
        c.rejoin.reset();
        let buffered = std::mem::take(&mut c.push_buffer);
        for p in buffered {
            self.push_send(p, self.now);
            self.maybe_free_push(p);
        }
    }

    /// The join push's internal `error` hook (step 4): a rejected join retries.
    pub(crate) fn channel_join_error(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.status = ChannelStatus::Errored;
        if self.is_connected() {
            self.schedule_rejoin(ch);
        }
    }

    /// The join push's internal `timeout` hook (step 7).
    pub(crate) fn channel_join_timeout(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        let (timeout, jp) = (c.timeout, c.join_push);
        if self.opts.logger {
            let mut msg = String::from("timeout ");
            msg.push_str(&c.topic);
            msg.push_str(" (");
            msg.push_str(&self.channel_join_ref(ch).to_js_string());
            msg.push(')');
            // phoenix.js passes the timeout number as data; payloads here have no number
            // constructor, so the message alone is logged.
            self.log_with("channel", msg, None);
        }
        let leave = self.insert_push(
            ch,
            PushState::new(ch, events::LEAVE.into(), P::empty_object(), timeout),
        );
        self.push_send(leave, self.now);
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.status = ChannelStatus::Errored;
        }
        self.push_reset(jp);
        if self.is_connected() {
            self.schedule_rejoin(ch);
        }
    }

    /// The leave push's `ok`/`timeout` hook: log and trigger `phx_close` with `"leave"`.
    pub(crate) fn channel_leave_done(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        if self.opts.logger {
            let mut msg = String::from("leave ");
            msg.push_str(&c.topic);
            self.log_with("channel", msg, None);
        }
        self.trigger(
            ch,
            EventName::Name(events::CLOSE),
            P::string("leave"),
            None,
            None,
            false,
        );
    }

    /// The channel's socket `onOpen` hook: reset the backoff, rejoin if errored.
    pub(crate) fn channel_on_socket_open(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.rejoin.reset();
        if c.status == ChannelStatus::Errored {
            let t = c.timeout;
            self.channel_rejoin(ch, t);
        }
    }

    /// The channel's socket `onError` hook: reset the backoff.
    pub(crate) fn channel_rejoin_reset(&mut self, ch: ChannelKey) {
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.rejoin.reset();
        }
    }

    /// `rejoinTimer.scheduleTimeout()`.
    pub(crate) fn schedule_rejoin(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get(ch) else {
            return;
        };
        let delay = c.rejoin.next_delay(&*self.opts.rejoin_after_ms);
        let handle = self.arm(self.now + delay, TimerKey::Rejoin(ch));
        if let Some(c) = self.channel_slab.get_mut(ch) {
            c.rejoin.armed = Some(handle);
        }
    }

    /// The rejoin timer fired: `if(socket.isConnected()) rejoin()`.
    pub(crate) fn channel_rejoin_fired(&mut self, ch: ChannelKey) {
        let Some(c) = self.channel_slab.get_mut(ch) else {
            return;
        };
        c.rejoin.armed = None;
        c.rejoin.tries = c.rejoin.tries.saturating_add(1);
        let t = c.timeout;
        if self.is_connected() {
            self.channel_rejoin(ch, t);
        }
    }

    /// Emits a dispatch of `callbacks` directly (used by pushes for receive hooks).
    pub(crate) fn emit_receive(&mut self, cb: C, response: P) {
        self.callback(Callback::Receive {
            callback: cb,
            response,
        });
    }
}
