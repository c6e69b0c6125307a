//! [`Channel`] (spec §3), its replies ([`Reply`], spec §4) and event streams ([`Events`]).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::core::channel::ChannelStatus;
use crate::core::effect::{BindingCallback, ChannelKey, PushKey};

use super::queue::{queue, Rx};
use super::socket::{now, Hook, Release, Shared, Status};
use super::{from_js, object_or_empty, to_js, Error, JsPayload, PushError};

/// A channel of a [`Socket`](super::Socket) (spec §3): a cheap `Clone` handle.
#[derive(Clone)]
pub struct Channel {
    inner: Rc<Handle>,
}

struct Handle {
    shared: Rc<Shared>,
    key: ChannelKey,
    topic: String,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.release(Release::Channel(self.key));
    }
}

impl Channel {
    pub(crate) fn new(shared: &Rc<Shared>, key: ChannelKey, topic: &str) -> Channel {
        Channel {
            inner: Rc::new(Handle {
                shared: shared.clone(),
                key,
                topic: topic.to_owned(),
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Rc<Shared> {
        &self.inner.shared
    }

    pub(crate) fn key(&self) -> ChannelKey {
        self.inner.key
    }

    /// The topic, e.g. `"room:lobby"`.
    pub fn topic(&self) -> &str {
        &self.inner.topic
    }

    /// `channel.state` (spec §3.3).
    pub fn state(&self) -> ChannelStatus {
        self.inner
            .shared
            .read(|e| e.channel_state(self.inner.key))
            .flatten()
            .unwrap_or(ChannelStatus::Closed)
    }

    /// `canPush()`: the socket is open and the channel joined.
    pub fn can_push(&self) -> bool {
        self.inner
            .shared
            .read(|e| e.channel_can_push(self.inner.key))
            .unwrap_or(false)
    }

    /// `join()` (spec §3.2) with the socket's timeout. The join is sent now (or when the
    /// socket opens); the future resolves with the first answer. Whatever it is, the
    /// channel keeps rejoining with the backoff after errors and timeouts, as in
    /// phoenix.js. A second call fails with phoenix.js's "tried to join multiple times".
    pub fn join(&self) -> Reply {
        self.join_inner(None)
    }

    /// `join(timeout)`: also becomes the channel's default push and leave timeout.
    pub fn join_with_timeout(&self, timeout_ms: f64) -> Reply {
        self.join_inner(Some(timeout_ms))
    }

    fn join_inner(&self, timeout: Option<f64>) -> Reply {
        let key = self.inner.key;
        let r = self.inner.shared.call(|e| {
            let push = e
                .channel_join(key, now(), timeout)
                .map_err(|err| Error::Channel(err.message()))?;
            Ok(hooks(e, push))
        });
        Reply::new(&self.inner.shared, r.and_then(|r| r), None)
    }

    /// `push(event, payload)` (spec §3.2) with the channel's timeout. Sent now if joined,
    /// otherwise buffered until the join succeeds (its timeout already running). Resolves
    /// with the server's reply; [`Reply::decode`] gives a typed one.
    pub fn push<T: Serialize + ?Sized>(&self, event: &str, payload: &T) -> Reply {
        self.push_inner(event, payload, None)
    }

    /// `push(event, payload, timeout)`.
    pub fn push_with_timeout<T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
        timeout_ms: f64,
    ) -> Reply {
        self.push_inner(event, payload, Some(timeout_ms))
    }

    fn push_inner<T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
        timeout: Option<f64>,
    ) -> Reply {
        let key = self.inner.key;
        let payload = match to_js(payload) {
            Ok(p) => object_or_empty(p),
            Err(e) => return Reply::new(&self.inner.shared, Err(e), None),
        };
        let r = self.inner.shared.call(|e| {
            let push = e
                .channel_push(key, now(), event, payload, timeout)
                .map_err(|err| Error::Channel(err.message()))?;
            Ok((hooks(e, push), push))
        });
        match r.and_then(|r| r) {
            Ok((rx, push)) => Reply::new(&self.inner.shared, Ok(rx), Some(push)),
            Err(e) => Reply::new(&self.inner.shared, Err(e), None),
        }
    }

    /// `leave()` (spec §3.2): the channel closes at once and the reply is already `ok`
    /// (phoenix.js's leave quirk); the `phx_leave` frame is still sent.
    pub fn leave(&self) -> Reply {
        let key = self.inner.key;
        let r = self.inner.shared.call(|e| {
            let push = e.channel_leave(key, now(), None).ok_or(Error::Closed)?;
            Ok((hooks(e, push), push))
        });
        match r.and_then(|r| r) {
            Ok((rx, push)) => Reply::new(&self.inner.shared, Ok(rx), Some(push)),
            Err(e) => Reply::new(&self.inner.shared, Err(e), None),
        }
    }

    /// `on(event, callback)` as a stream of the event's payloads decoded into `T` (use
    /// [`JsPayload`] for the raw value). Subscribe before joining to see events that
    /// arrive with the join. `phx_error` and `phx_close` are channel events too
    /// (`onError` / `onClose`). Dropping the stream removes the binding (`off`).
    pub fn on<T: DeserializeOwned>(&self, event: &str) -> Events<T> {
        let (tx, rx) = queue();
        let key = self.inner.key;
        let binding = self
            .inner
            .shared
            .call(|e| e.channel_on(key, event, BindingCallback::Full(Hook::Event(tx))))
            .ok()
            .flatten();
        Events {
            rx,
            socket: Rc::downgrade(&self.inner.shared),
            channel: key,
            event: event.to_owned(),
            binding,
            _t: PhantomData,
        }
    }
}

/// Registers `ok`, `error` and `timeout` hooks on `push`, all feeding one queue.
fn hooks(e: &mut super::socket::Engine, push: PushKey) -> Rx<(Status, JsValue)> {
    let (tx, rx) = queue();
    e.push_receive(push, "ok", Hook::Reply(tx.clone(), Status::Ok));
    e.push_receive(push, "error", Hook::Reply(tx.clone(), Status::Error));
    e.push_receive(push, "timeout", Hook::Reply(tx, Status::Timeout));
    rx
}

/// The answer to a join, push or leave: a `Future` of `Result<T, PushError>`.
///
/// The message is sent when the `Reply` is made, not when it is first polled; dropping it
/// only stops listening. `T` is [`JsPayload`] until [`decode`](Self::decode) picks a type.
#[must_use = "the push is sent anyway; await the reply to see the answer"]
pub struct Reply<T = JsPayload> {
    rx: Option<Result<Rx<(Status, JsValue)>, Error>>,
    socket: Weak<Shared>,
    /// A push of ours to let go of when done (not a join push, which its channel owns).
    push: Option<PushKey>,
    _t: PhantomData<fn() -> T>,
}

impl Reply {
    fn new(
        shared: &Rc<Shared>,
        rx: Result<Rx<(Status, JsValue)>, Error>,
        push: Option<PushKey>,
    ) -> Reply {
        Reply {
            rx: Some(rx),
            socket: Rc::downgrade(shared),
            push,
            _t: PhantomData,
        }
    }
}

impl<T> Reply<T> {
    /// The same reply, with an `ok` response decoded into `U` (a failure to decode is
    /// [`PushError::Invalid`]).
    ///
    /// ```no_run
    /// # async fn f(channel: phoenix_wasm::client::Channel) -> Result<(), phoenix_wasm::client::PushError> {
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Ping { n: u32 }
    /// let pong: Ping = channel.push("ping", &Ping { n: 1 }).decode().await?;
    /// # Ok(()) }
    /// ```
    pub fn decode<U: DeserializeOwned>(mut self) -> Reply<U> {
        Reply {
            rx: self.rx.take(),
            socket: self.socket.clone(),
            push: self.push.take(),
            _t: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Future for Reply<T> {
    type Output = Result<T, PushError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = match this.rx.as_mut() {
            None => Err(PushError::Invalid(Error::Closed)),
            Some(Err(e)) => Err(PushError::Invalid(e.clone())),
            Some(Ok(rx)) => match rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => Err(PushError::Invalid(Error::Closed)),
                Poll::Ready(Some((Status::Ok, v))) => from_js(v).map_err(PushError::Invalid),
                Poll::Ready(Some((Status::Error, v))) => Err(PushError::Error(JsPayload(v))),
                Poll::Ready(Some((Status::Timeout, _))) => Err(PushError::Timeout),
            },
        };
        this.rx = None;
        this.let_go();
        Poll::Ready(out)
    }
}

impl<T> Reply<T> {
    fn let_go(&mut self) {
        if let (Some(push), Some(s)) = (self.push.take(), self.socket.upgrade()) {
            s.release(Release::Push(push));
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        self.let_go();
    }
}

/// The stream of [`Channel::on`]: each payload of the event, decoded into `T`.
pub struct Events<T> {
    rx: Rx<JsValue>,
    socket: Weak<Shared>,
    channel: ChannelKey,
    event: String,
    binding: Option<u32>,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Stream for Events<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .rx
            .poll_recv(cx)
            .map(|v| v.map(|v| from_js(v)))
    }
}

impl<T> Drop for Events<T> {
    fn drop(&mut self) {
        if let (Some(s), Some(r)) = (self.socket.upgrade(), self.binding) {
            let _ = s.call(|e| e.channel_off(self.channel, &self.event, Some(r)));
        }
    }
}
