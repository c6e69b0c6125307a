//! [`Presence`] with typed metas (spec §5): phoenix.js's `syncState` / `syncDiff` over the
//! engine's JS-ordered [`Roster`], with each meta decoded once, when it arrives.
//!
//! The presence is updated inside the driver's dispatch (so [`Presence::list`] is current
//! as soon as the frame is handled); what phoenix.js passes to `onJoin`, `onLeave` and
//! `onSync` is queued for [`Presence::events`].

use std::cell::RefCell;
use std::collections::HashSet;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures_core::Stream;
use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::effect::{BindingCallback, ChannelKey};
use crate::core::message::Ref;
use crate::core::presence::Roster;

use super::channel::Channel;
use super::from_js;
use super::queue::{queue, Rx, Tx};
use super::socket::{Hook, Shared};

/// What phoenix.js's presence callbacks receive (spec §5.2), with typed metas.
#[derive(Clone, Debug, PartialEq)]
pub enum PresenceEvent<M> {
    /// `onJoin(key, current, newPres)`: `current` is the key's metas before the join
    /// (`None` for a new key), `joined` the metas that joined.
    Join {
        key: String,
        current: Option<Vec<M>>,
        joined: Vec<M>,
    },
    /// `onLeave(key, current, leftPres)`: `current` is what remains (empty when the key
    /// is gone), `left` the metas that left.
    Leave {
        key: String,
        current: Vec<M>,
        left: Vec<M>,
    },
    /// `onSync()`: after each state or diff has been applied.
    Sync,
}

/// The presence of one channel, with metas decoded into `M` (spec §5.1). Metas that do not
/// decode into `M` are left out.
///
/// ```no_run
/// # async fn f(channel: phoenix_wasm::client::Channel) {
/// use futures_util::StreamExt;
/// use phoenix_wasm::client::{Presence, PresenceEvent};
///
/// #[derive(serde::Deserialize, Clone, Debug)]
/// struct Meta { device: String, online_at: f64 }
///
/// let presence = Presence::<Meta>::new(&channel); // before join: the state comes with it
/// let _ = channel.join().await;
/// let mut events = presence.events();
/// while let Some(ev) = events.next().await {
///     if matches!(ev, PresenceEvent::Sync) {
///         for (user, metas) in presence.list() {
///             let _ = (user, metas.len());
///         }
///     }
/// }
/// # }
/// ```
pub struct Presence<M: 'static> {
    inner: Rc<Inner<M>>,
    socket: Weak<Shared>,
    channel: ChannelKey,
    bindings: [(Option<u32>, String); 2],
}

/// A decoded meta and its `phx_ref`.
#[derive(Clone)]
struct Meta<M> {
    phx_ref: Option<String>,
    value: M,
}

#[derive(Clone)]
struct Entry<M> {
    key: String,
    metas: Vec<Meta<M>>,
}

/// What a removed roster slot holds until compaction (no `M: Default` bound, unlike a
/// derive).
impl<M> Default for Entry<M> {
    fn default() -> Self {
        Entry {
            key: String::new(),
            metas: Vec::new(),
        }
    }
}

struct State<M> {
    roster: Roster<Entry<M>>,
    /// `joinRef`: the channel's join ref when the last state arrived.
    join_ref: Option<Ref>,
    pending_diffs: Vec<JsValue>,
}

struct Inner<M> {
    state: RefCell<State<M>>,
    state_event: String,
    subscribers: RefCell<Vec<Tx<PresenceEvent<M>>>>,
}

/// How the driver hands a presence its events (the Rust API's `Hook::Presence`).
pub(crate) trait PresenceSink {
    /// A `state` or `diff` event of the channel; `join_ref` is the channel's join ref now.
    fn handle(&self, event: &str, payload: &JsValue, join_ref: Option<Ref>);
}

impl<M: DeserializeOwned + Clone + 'static> Presence<M> {
    /// `new Presence(channel)`: listens to `presence_state` and `presence_diff`.
    pub fn new(channel: &Channel) -> Presence<M> {
        Self::with_events(channel, "presence_state", "presence_diff")
    }

    /// `new Presence(channel, {events: {state, diff}})`.
    pub fn with_events(channel: &Channel, state: &str, diff: &str) -> Presence<M> {
        let inner = Rc::new(Inner {
            state: RefCell::new(State {
                roster: Roster::new(),
                join_ref: None,
                pending_diffs: Vec::new(),
            }),
            state_event: state.to_owned(),
            subscribers: RefCell::new(Vec::new()),
        });
        let sink: Rc<dyn PresenceSink> = inner.clone();
        let key = channel.key();
        let refs = channel
            .shared()
            .call(|e| {
                [state, diff].map(|ev| {
                    e.channel_on(key, ev, BindingCallback::Full(Hook::Presence(sink.clone())))
                })
            })
            .unwrap_or([None, None]);
        Presence {
            inner,
            socket: Rc::downgrade(channel.shared()),
            channel: key,
            bindings: [(refs[0], state.to_owned()), (refs[1], diff.to_owned())],
        }
    }

    /// `list()`: every key with its metas, in phoenix.js's order (JS own-property order).
    pub fn list(&self) -> Vec<(String, Vec<M>)> {
        self.inner.state.try_borrow().map_or_else(
            |_| Vec::new(),
            |s| {
                s.roster
                    .values()
                    .map(|e| {
                        (
                            e.key.clone(),
                            e.metas.iter().map(|m| m.value.clone()).collect(),
                        )
                    })
                    .collect()
            },
        )
    }

    /// The metas of one key.
    pub fn get(&self, key: &str) -> Option<Vec<M>> {
        let s = self.inner.state.try_borrow().ok()?;
        let e = s.roster.get(key)?;
        Some(e.metas.iter().map(|m| m.value.clone()).collect())
    }

    /// `inPendingSyncState()`: true until the state after the current (re)join arrived;
    /// diffs are held back meanwhile.
    pub fn in_pending_sync_state(&self) -> bool {
        let current = self
            .socket
            .upgrade()
            .and_then(|s| s.read(|e| e.channel_join_ref(self.channel)))
            .and_then(|r| r.get());
        let mine = self.inner.state.try_borrow().ok().and_then(|s| s.join_ref);
        mine.is_none() || mine != current
    }

    /// `onJoin` + `onLeave` + `onSync` as one stream, from now on. Each call makes an
    /// independent stream.
    pub fn events(&self) -> PresenceEvents<M> {
        let (tx, rx) = queue();
        if let Ok(mut subs) = self.inner.subscribers.try_borrow_mut() {
            subs.push(tx);
        }
        PresenceEvents { rx }
    }
}

impl<M: 'static> Drop for Presence<M> {
    fn drop(&mut self) {
        let Some(s) = self.socket.upgrade() else {
            return;
        };
        for (r, event) in &self.bindings {
            if let Some(r) = r {
                let _ = s.call(|e| e.channel_off(self.channel, event, Some(*r)));
            }
        }
    }
}

/// The stream of [`Presence::events`]. It ends when the presence is dropped.
pub struct PresenceEvents<M> {
    rx: Rx<PresenceEvent<M>>,
}

impl<M> Stream for PresenceEvents<M> {
    type Item = PresenceEvent<M>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `{key: {metas: [...]}, …}` → keys in JS order with their decoded metas.
fn read_presences<M: DeserializeOwned>(obj: &JsValue) -> Vec<(String, Vec<Meta<M>>)> {
    let Some(obj) = obj.dyn_ref::<Object>() else {
        return Vec::new();
    };
    Object::keys(obj)
        .iter()
        .filter_map(|k| {
            let key = k.as_string()?;
            let metas = get(&get(obj, &key), "metas");
            let metas: Vec<Meta<M>> = match metas.dyn_ref::<Array>() {
                Some(a) => a
                    .iter()
                    .filter_map(|m| {
                        let phx_ref = get(&m, "phx_ref").as_string();
                        from_js(m).ok().map(|value| Meta { phx_ref, value })
                    })
                    .collect(),
                None => Vec::new(),
            };
            Some((key, metas))
        })
        .collect()
}

fn refs<M>(metas: &[Meta<M>]) -> HashSet<&str> {
    metas.iter().filter_map(|m| m.phx_ref.as_deref()).collect()
}

/// The metas whose `phx_ref` is not in `refs`, in order.
fn without<M: Clone>(metas: &[Meta<M>], refs: &HashSet<&str>) -> Vec<Meta<M>> {
    metas
        .iter()
        .filter(|m| !m.phx_ref.as_deref().is_some_and(|r| refs.contains(r)))
        .cloned()
        .collect()
}

fn values<M: Clone>(metas: &[Meta<M>]) -> Vec<M> {
    metas.iter().map(|m| m.value.clone()).collect()
}

/// A diff as ordered maps (JS key order, as phoenix.js's `joins` / `leaves` objects).
type Diff<M> = (Roster<Entry<M>>, Roster<Entry<M>>);

fn roster_of<M>(list: Vec<(String, Vec<Meta<M>>)>) -> Roster<Entry<M>> {
    let bytes = list.iter().map(|(k, _)| k.len()).sum();
    let mut r = Roster::with_capacity(list.len(), bytes);
    for (key, metas) in list {
        r.insert(&key.clone(), Entry { key, metas });
    }
    r
}

impl<M: DeserializeOwned + Clone> State<M> {
    /// `syncState(state, newState)` (spec §5.2): the joins and leaves that turn the state
    /// into `new`, applied by `syncDiff`.
    fn sync_state(&mut self, new: Vec<(String, Vec<Meta<M>>)>, out: &mut Vec<PresenceEvent<M>>) {
        let new = roster_of(new);
        let mut joins = Roster::new();
        let mut leaves = Roster::new();
        for e in self.roster.values() {
            if !new.contains_key(&e.key) {
                leaves.insert(&e.key, e.clone());
            }
        }
        for e in new.values() {
            match self.roster.get(&e.key) {
                Some(cur) => {
                    let (cur_refs, new_refs) = (refs(&cur.metas), refs(&e.metas));
                    let joined = without(&e.metas, &cur_refs);
                    let left = without(&cur.metas, &new_refs);
                    if !joined.is_empty() {
                        let key = e.key.clone();
                        joins.insert(&e.key, Entry { key, metas: joined });
                    }
                    if !left.is_empty() {
                        let key = e.key.clone();
                        leaves.insert(&e.key, Entry { key, metas: left });
                    }
                }
                None => {
                    joins.insert(&e.key, e.clone());
                }
            }
        }
        self.sync_diff((joins, leaves), out);
    }

    /// `syncDiff(state, {joins, leaves})` (spec §5.2): all joins, then all leaves; a key
    /// whose metas are all gone is removed after its leave event.
    fn sync_diff(&mut self, (joins, leaves): Diff<M>, out: &mut Vec<PresenceEvent<M>>) {
        for j in joins.values() {
            let current = self.roster.get(&j.key).map(|e| e.metas.clone());
            let joined_refs = refs(&j.metas);
            let mut metas = current
                .as_deref()
                .map_or_else(Vec::new, |c| without(c, &joined_refs));
            metas.extend(j.metas.iter().cloned());
            let key = j.key.clone();
            self.roster.insert(&j.key, Entry { key, metas });
            out.push(PresenceEvent::Join {
                key: j.key.clone(),
                current: current.as_deref().map(values),
                joined: values(&j.metas),
            });
        }
        for l in leaves.values() {
            let Some(cur) = self.roster.get(&l.key) else {
                continue;
            };
            let left_refs = refs(&l.metas);
            let metas = without(&cur.metas, &left_refs);
            out.push(PresenceEvent::Leave {
                key: l.key.clone(),
                current: values(&metas),
                left: values(&l.metas),
            });
            if metas.is_empty() {
                self.roster.remove(&l.key);
            } else {
                let key = l.key.clone();
                self.roster.insert(&l.key, Entry { key, metas });
            }
        }
    }

    fn apply_diff(&mut self, diff: &JsValue, out: &mut Vec<PresenceEvent<M>>) {
        let joins = roster_of(read_presences(&get(diff, "joins")));
        let leaves = roster_of(read_presences(&get(diff, "leaves")));
        self.sync_diff((joins, leaves), out);
    }
}

impl<M: DeserializeOwned + Clone + 'static> PresenceSink for Inner<M> {
    fn handle(&self, event: &str, payload: &JsValue, join_ref: Option<Ref>) {
        let mut out = Vec::new();
        {
            let Ok(mut s) = self.state.try_borrow_mut() else {
                return;
            };
            if event == self.state_event {
                s.join_ref = join_ref;
                s.sync_state(read_presences(payload), &mut out);
                for diff in std::mem::take(&mut s.pending_diffs) {
                    s.apply_diff(&diff, &mut out);
                }
                out.push(PresenceEvent::Sync);
            } else if s.join_ref.is_none() || s.join_ref != join_ref {
                s.pending_diffs.push(payload.clone());
            } else {
                s.apply_diff(payload, &mut out);
                out.push(PresenceEvent::Sync);
            }
        }
        let Ok(mut subs) = self.subscribers.try_borrow_mut() else {
            return;
        };
        subs.retain(|tx| tx.receiver_alive());
        for ev in out {
            for tx in subs.iter() {
                tx.send(ev.clone());
            }
        }
    }
}
