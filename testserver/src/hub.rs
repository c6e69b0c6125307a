//! Shared server state: connections, topic subscriptions and presence — the parts of
//! Phoenix's PubSub, Tracker and socket registry a client can observe.
//!
//! Everything sits behind one mutex. Handling a client frame takes the lock once and
//! queues every resulting frame (replies, broadcasts to other sockets, presence
//! diffs) into the per-connection outboxes before releasing it, so all sockets see
//! the events of a topic in one global order, like a single Phoenix node. The
//! outboxes are unbounded channels (WebSocket) or message queues (LongPoll), so
//! nothing blocks under the lock.

use crate::auth::ConnectInfo;
use crate::codec::{Frame, Outbound, Payload};
use crate::longpoll::LpSession;
use crate::presence::{Diff, TopicPresence};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub type ConnId = u64;

/// What a WebSocket connection task is asked to do.
#[derive(Debug)]
pub enum WsOut {
    Frame(Outbound),
    /// Pre-encoded frames (the `garbage` control endpoint sends undecodable ones).
    Raw(Frame),
    /// Send a close frame and end the connection.
    Close(u16, &'static str),
    /// End the connection without a close frame (a crash or a network drop).
    Abort,
}

/// Where a connection's outbound frames go.
pub enum Sink {
    WebSocket(mpsc::UnboundedSender<WsOut>),
    LongPoll(Arc<LpSession>),
}

/// Whether a channel runs `room:*` or `lobby:*` semantics (see room.rs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ChannelKind {
    Room,
    Lobby,
}

/// One joined channel of a connection (Phoenix runs it as a process; here it is
/// plain state, and a "crash" removes it).
#[derive(Clone, Debug)]
pub struct Channel {
    pub join_ref: Option<String>,
    pub user_id: String,
    pub name: Option<String>,
    pub device: String,
}

pub struct Conn {
    pub sink: Sink,
    pub connect: ConnectInfo,
    /// User id when the socket did not say (connect or join param `user_id`).
    pub anonymous_user: String,
    pub channels: HashMap<String, Channel>,
}

impl Conn {
    fn is_websocket(&self) -> bool {
        matches!(self.sink, Sink::WebSocket(_))
    }

    fn deliver(&self, out: Outbound) {
        match &self.sink {
            // A closed receiver means the connection task is ending; it removes the
            // connection itself, so a failed send needs no handling here.
            Sink::WebSocket(tx) => {
                let _ = tx.send(WsOut::Frame(out));
            }
            Sink::LongPoll(s) => s.push(out.encode_json()),
        }
    }

    /// Ends the transport from the server side. A WebSocket task removes the
    /// connection when it exits; a LongPoll session has no task, so callers remove it.
    fn shut(&self, how: WsOut) {
        match &self.sink {
            Sink::WebSocket(tx) => {
                let _ = tx.send(how);
            }
            Sink::LongPoll(s) => s.close(),
        }
    }
}

#[derive(Default)]
pub struct HubState {
    pub conns: HashMap<ConnId, Conn>,
    subscribers: HashMap<String, BTreeSet<ConnId>>,
    presence: HashMap<String, TopicPresence>,
    lp_tokens: HashMap<String, ConnId>,
    /// Closed LongPoll sessions, kept until a GET has taken their last messages (for
    /// example the reply to `disconnect_me`) and then been told 410, or until they
    /// expire. Without this a session closed between two polls would lose its last
    /// frames, and the next poll would start a session nobody uses.
    lp_draining: HashMap<String, Arc<LpSession>>,
    next_conn: ConnId,
}

pub struct Hub {
    state: Mutex<HubState>,
    blackhole: watch::Sender<Option<Instant>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            state: Mutex::new(HubState::default()),
            blackhole: watch::channel(None).0,
        }
    }
}

impl Hub {
    /// The state. A panic while holding the lock must not take the server down with
    /// it, so a poisoned lock is used as is.
    pub fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a dead-network period (control `blackhole`).
    pub fn set_blackhole(&self, ms: u64) {
        self.blackhole
            .send_replace(Some(Instant::now() + std::time::Duration::from_millis(ms)));
    }

    /// Changes whenever a blackhole starts, so connection tasks can stall at once.
    pub fn blackhole_changes(&self) -> watch::Receiver<Option<Instant>> {
        self.blackhole.subscribe()
    }

    /// Waits out the current blackhole, if any: a dead network delays everything.
    pub async fn wait_blackhole(&self) {
        loop {
            let until = *self.blackhole.borrow();
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }
}

impl HubState {
    pub fn register(&mut self, sink: Sink, connect: ConnectInfo) -> ConnId {
        self.next_conn += 1;
        let id = self.next_conn;
        if let Sink::LongPoll(s) = &sink {
            self.lp_tokens.insert(s.token.clone(), id);
        }
        let conn = Conn {
            sink,
            connect,
            anonymous_user: crate::ids::anonymous_user(),
            channels: HashMap::new(),
        };
        self.conns.insert(id, conn);
        id
    }

    /// The session of a token: live, or closed with messages left to deliver.
    pub fn lp_session(&self, token: &str) -> Option<Arc<LpSession>> {
        let live = self
            .lp_tokens
            .get(token)
            .and_then(|id| match &self.conns.get(id)?.sink {
                Sink::LongPoll(s) => Some(s.clone()),
                Sink::WebSocket(_) => None,
            });
        live.or_else(|| self.lp_draining.get(token).cloned())
    }

    /// Drops closed sessions whose client was told 410, or stopped polling.
    pub fn forget_drained(&mut self, idle: std::time::Duration) {
        self.lp_draining
            .retain(|_, s| !s.gone_told() && !s.expired(idle));
    }

    /// The connection of a live LongPoll session token.
    pub fn lp_conn(&self, token: &str) -> Option<ConnId> {
        self.lp_tokens
            .get(token)
            .copied()
            .filter(|id| self.conns.contains_key(id))
    }

    pub fn send(&self, conn: ConnId, out: Outbound) {
        if let Some(c) = self.conns.get(&conn) {
            crate::vlog!("conn {conn} <- {}", out.encode_json());
            c.deliver(out);
        }
    }

    /// `broadcast!` (except = None) or `broadcast_from!` (except = the sender) to every
    /// subscriber of `topic`: `[null,null,topic,event,payload]`.
    pub fn broadcast(&self, topic: &str, event: &str, payload: Payload, except: Option<ConnId>) {
        let Some(subs) = self.subscribers.get(topic) else {
            return;
        };
        for &id in subs.iter().filter(|&&id| Some(id) != except) {
            self.send(
                id,
                Outbound::Message {
                    join_ref: None,
                    ref_: None,
                    topic: topic.to_owned(),
                    event: event.to_owned(),
                    payload: payload.clone(),
                },
            );
        }
    }

    pub fn broadcast_diff(&self, topic: &str, diff: &Diff) {
        if !diff.is_empty() {
            self.broadcast(topic, "presence_diff", Payload::Json(diff.to_json()), None);
        }
    }

    pub fn subscribe(&mut self, conn: ConnId, topic: &str) {
        self.subscribers
            .entry(topic.to_owned())
            .or_default()
            .insert(conn);
    }

    pub fn presence(&mut self, topic: &str) -> &mut TopicPresence {
        self.presence.entry(topic.to_owned()).or_default()
    }

    /// Untracks `conn`'s presence on `topic` and broadcasts the leave.
    pub fn untrack(&mut self, conn: ConnId, topic: &str) {
        let Some(p) = self.presence.get_mut(topic) else {
            return;
        };
        let diff = p.untrack(conn);
        if p.is_empty() {
            self.presence.remove(topic);
        }
        self.broadcast_diff(topic, &diff);
    }

    /// Ends a channel (leave, stop, crash, duplicate join, socket close): it stops
    /// receiving broadcasts and its presence leaves.
    pub fn remove_channel(&mut self, conn: ConnId, topic: &str) -> Option<Channel> {
        let ch = self.conns.get_mut(&conn)?.channels.remove(topic)?;
        if let Some(subs) = self.subscribers.get_mut(topic) {
            subs.remove(&conn);
            if subs.is_empty() {
                self.subscribers.remove(topic);
            }
        }
        self.untrack(conn, topic);
        Some(ch)
    }

    /// Forgets a connection whose transport ended. Idempotent.
    pub fn remove_conn(&mut self, conn: ConnId) {
        let topics: Vec<String> = match self.conns.get(&conn) {
            Some(c) => c.channels.keys().cloned().collect(),
            None => return,
        };
        for topic in topics {
            self.remove_channel(conn, &topic);
        }
        if let Some(c) = self.conns.remove(&conn) {
            if let Sink::LongPoll(s) = &c.sink {
                self.lp_tokens.remove(&s.token);
                s.close();
                self.lp_draining.insert(s.token.clone(), s.clone());
            }
        }
    }

    /// Closes a connection from the server side (`disconnect_me`, `drop`, expiry).
    pub fn close_conn(&mut self, conn: ConnId, how: WsOut) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let websocket = c.is_websocket();
        c.shut(how);
        if !websocket {
            self.remove_conn(conn);
        }
    }

    /// Every connection with a channel joined as `user_id`, or connected with it.
    pub fn conns_of_user(&self, user_id: &str) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| {
                c.connect.params.get("user_id").map(String::as_str) == Some(user_id)
                    || c.channels.values().any(|ch| ch.user_id == user_id)
            })
            .map(|(&id, _)| id)
            .collect()
    }

    /// Control `drop`: every connection ends now, as if the network dropped.
    pub fn drop_all(&mut self) -> usize {
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for &id in &ids {
            self.close_conn(id, WsOut::Abort);
        }
        ids.len()
    }

    /// Control `restart`: like a server restart, every connection, session and
    /// presence entry is forgotten at once, without leave diffs (nobody is left to
    /// receive them).
    pub fn restart(&mut self) -> usize {
        let n = self.conns.len();
        for c in self.conns.values() {
            c.shut(WsOut::Abort);
        }
        self.conns.clear();
        self.subscribers.clear();
        self.presence.clear();
        self.lp_tokens.clear();
        self.lp_draining.clear();
        n
    }

    /// Control `garbage`: `n` rounds of undecodable frames to every WebSocket.
    pub fn garbage(&self, n: usize) -> usize {
        let mut sockets = 0;
        for c in self.conns.values() {
            if let Sink::WebSocket(tx) = &c.sink {
                sockets += 1;
                for _ in 0..n {
                    for f in crate::codec::garbage_frames() {
                        let _ = tx.send(WsOut::Raw(f));
                    }
                }
            }
        }
        sockets
    }

    /// LongPoll sessions whose client stopped polling (see longpoll.rs).
    pub fn lp_sessions(&self) -> Vec<(ConnId, Arc<LpSession>)> {
        self.conns
            .iter()
            .filter_map(|(&id, c)| match &c.sink {
                Sink::LongPoll(s) => Some((id, s.clone())),
                Sink::WebSocket(_) => None,
            })
            .collect()
    }

    /// Control `stats`: counts for leak checks.
    pub fn stats(&self) -> Value {
        let websockets = self.conns.values().filter(|c| c.is_websocket()).count();
        json!({
            "sockets": self.conns.len(),
            "websockets": websockets,
            "longpoll_sessions": self.conns.len() - websockets,
            "channels": self.conns.values().map(|c| c.channels.len()).sum::<usize>(),
            "topics": self.subscribers.len(),
            "presence_topics": self.presence.len(),
            "presence_entries": self.presence.values().map(TopicPresence::len).sum::<usize>(),
        })
    }
}
