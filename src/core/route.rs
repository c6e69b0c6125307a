//! Broadcast routes: what a plain broadcast would do, computed once so a driver can dispatch
//! the next ones without entering the engine (docs/PERFORMANCE.md "Third pass").
//!
//! A plain broadcast is a frame with a `null` ref whose event only reaches user bindings
//! (spec §2.5 `onConnMessage` → §3.2 `isMember` → `trigger`). For such a frame the engine
//! changes no state: it checks each channel's topic and join ref and calls the bindings of
//! the event. [`Socket::broadcast_route`] answers that question for one `(topic, event)` as
//! data: per member channel, its current join ref and its callbacks in binding order. A
//! driver that caches the answer must drop it whenever the engine changes (any `&mut`
//! call), since bindings, join refs, channels and hooks only change there.

use super::channel::Handler;
use super::effect::{BindingCallback, ConnId};
use super::message::Ref;
use super::payload::Payload;
use super::socket::{ReadyState, Socket, StateHook};

/// One channel's part of a route.
#[derive(Debug)]
pub struct RouteChannel<C> {
    /// The channel's current join ref: a frame with a non-empty `join_ref` that differs is
    /// outdated and skips this channel (`isMember`); an empty or `null` one gets this value
    /// as the callbacks' `joinRef` argument.
    pub join_ref: Option<Ref>,
    /// The bindings of the event, in binding order: each is called `(payload, ref, joinRef)`.
    pub callbacks: Vec<C>,
}

impl<P: Payload, C: Clone> Socket<P, C> {
    /// The route of a broadcast of `event` on `topic` arriving on `conn` with a `null` ref,
    /// or `None` when such a frame needs the engine: `conn` is not the open current
    /// connection, a logger or a socket `onMessage` callback wants to see it, a channel of
    /// the topic has an `onMessage` hook, or the event reaches one of the channel's own
    /// handlers (`phx_close`, `phx_error`, `phx_reply`, a push's reply) or an `onError`
    /// binding (payload-only callbacks).
    pub fn broadcast_route(
        &self,
        conn: ConnId,
        topic: &str,
        event: &str,
    ) -> Option<Vec<RouteChannel<C>>> {
        if self.current != Some(conn)
            || self
                .conn(conn)
                .is_none_or(|c| c.ready_state != ReadyState::Open)
            || self.opts.logger
            || self
                .on_message
                .iter()
                .any(|(_, h)| matches!(h, StateHook::User(_)))
        {
            return None;
        }
        let name = super::channel::EventName::Name(event);
        let mut route = Vec::new();
        for &ch in &self.channels {
            let Some(c) = self.channel_slab.get(ch) else {
                continue;
            };
            if c.topic != topic {
                continue;
            }
            if c.message_hook {
                return None;
            }
            let mut callbacks = Vec::new();
            for b in c.bindings.iter().filter(|b| b.event_matches(name)) {
                match &b.handler {
                    Handler::User(BindingCallback::Full(cb)) => callbacks.push(cb.clone()),
                    _ => return None,
                }
            }
            route.push(RouteChannel {
                join_ref: self.channel_join_ref_value(c),
                callbacks,
            });
        }
        Some(route)
    }
}
