//! A tiny single-threaded queue between the driver and the user's futures and streams.
//!
//! The driver never runs user code: a reply, a channel event or a socket event is pushed
//! into a [`Queue`] and its waker is woken; the user's task reads it when the executor polls
//! it (wasm-bindgen-futures, Leptos, Yew and Dioxus all poll from a microtask). That is the
//! Rust API's answer to the re-entrancy rule (ARCHITECTURE.md principle 2): no engine borrow
//! can be held while user code runs, because user code never runs inside the driver.
//!
//! The engine holds the sending halves ([`Tx`]) as its callback handles; the stream ends when
//! the last one is dropped (its binding removed, or its channel or socket freed).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Queue<T> {
    items: RefCell<VecDeque<T>>,
    waker: RefCell<Option<Waker>>,
    /// The `Rx` exists.
    reader: Cell<bool>,
}

impl<T> Queue<T> {
    fn wake(&self) {
        let waker = self.waker.try_borrow_mut().ok().and_then(|mut w| w.take());
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The sending half: a callback handle of the engine.
pub(crate) struct Tx<T>(Rc<Queue<T>>);

/// The receiving half, owned by a user future or stream.
pub(crate) struct Rx<T>(Rc<Queue<T>>);

/// A connected pair.
pub(crate) fn queue<T>() -> (Tx<T>, Rx<T>) {
    let q = Rc::new(Queue {
        items: RefCell::new(VecDeque::new()),
        waker: RefCell::new(None),
        reader: Cell::new(true),
    });
    (Tx(q.clone()), Rx(q))
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        Tx(self.0.clone())
    }
}

impl<T> Tx<T> {
    /// Queues `item` and wakes the reader. Nothing happens when the reader is gone.
    pub(crate) fn send(&self, item: T) {
        if !self.receiver_alive() {
            return;
        }
        if let Ok(mut items) = self.0.items.try_borrow_mut() {
            items.push_back(item);
        }
        self.0.wake();
    }

    /// Whether the receiving half still exists.
    pub(crate) fn receiver_alive(&self) -> bool {
        self.0.reader.get()
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        // The last sender goes: the reader sees the end of the stream.
        if Rc::strong_count(&self.0) == 2 && self.receiver_alive() {
            self.0.wake();
        }
    }
}

impl<T> Rx<T> {
    /// The next item; `Ready(None)` once every sender is gone and the queue is empty.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if let Some(item) = self
            .0
            .items
            .try_borrow_mut()
            .ok()
            .and_then(|mut i| i.pop_front())
        {
            return Poll::Ready(Some(item));
        }
        if Rc::strong_count(&self.0) == 1 {
            return Poll::Ready(None);
        }
        if let Ok(mut w) = self.0.waker.try_borrow_mut() {
            match w.as_ref() {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => *w = Some(cx.waker().clone()),
            }
        }
        Poll::Pending
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.0.reader.set(false);
        if let Ok(mut items) = self.0.items.try_borrow_mut() {
            items.clear();
        }
    }
}
