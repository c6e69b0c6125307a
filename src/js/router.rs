//! The broadcast router: plain broadcasts dispatched in JS, without entering wasm
//! (docs/PERFORMANCE.md "Third pass").
//!
//! Entering wasm with a frame costs about ten JS↔wasm crossings (the closure, `event.data`,
//! the envelope's fields, the clock, the callbacks), which made inbound dispatch 3× slower
//! than phoenix.js. Most inbound frames are broadcasts (`ref` null) that change no engine
//! state: `onConnMessage` checks topic and join ref and calls the event's bindings (spec
//! §2.5, §3.2). So the first such frame of a `(topic, event)` goes through the engine as
//! usual, and afterwards the driver asks the engine for its route
//! ([`crate::core::route`]) and hands it to the JS router (`src/web/host.js`), which
//! dispatches the next ones itself: `JSON.parse`, two `Map` lookups, the join-ref check,
//! the callbacks.
//!
//! The cache is only ever as new as the engine: [`EngineCell`] clears it on every mutable
//! borrow of the engine (a binding added or removed, a rejoin with a new join ref, a
//! channel or `onMessage` hook added, a close, a timer…), and routes are only installed
//! outside a drain, so a router never dispatches ahead of callbacks the engine has queued.

use std::cell::{Cell, Ref, RefCell, RefMut};

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::core::effect::ConnId;
use crate::web::intern::js_str;

use super::socket::Engine;

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// A router with no routes.
    #[wasm_bindgen(js_name = newRouter)]
    fn new_router() -> JsValue;
    /// Forgets every route (the engine changed).
    #[wasm_bindgen(js_name = routerClear)]
    fn router_clear(router: &JsValue);
    /// Sets the route of `(topic, event)` on connection `conn`: per member channel, its
    /// join ref (string or null) and its callbacks.
    #[wasm_bindgen(js_name = routeSet)]
    fn route_set(
        router: &JsValue,
        conn: u32,
        topic: &str,
        event: &str,
        join_refs: &Array,
        callbacks: &Array,
    );
}

/// The engine of a socket, and the router whose routes are valid while it does not change.
pub(crate) struct EngineCell {
    engine: RefCell<Engine>,
    router: JsValue,
    /// The router holds routes (so a mutable borrow must clear them).
    routed: Cell<bool>,
}

impl EngineCell {
    pub(crate) fn new(engine: Engine) -> EngineCell {
        EngineCell {
            engine: RefCell::new(engine),
            router: new_router(),
            routed: Cell::new(false),
        }
    }

    /// The router the transports' `onmessage` consult.
    pub(crate) fn router(&self) -> &JsValue {
        &self.router
    }

    fn invalidate(&self) {
        if self.routed.replace(false) {
            router_clear(&self.router);
        }
    }

    pub(crate) fn borrow(&self) -> Ref<'_, Engine> {
        self.engine.borrow()
    }

    /// A mutable borrow: the engine may change, so the routes go.
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, Engine> {
        self.invalidate();
        self.engine.borrow_mut()
    }

    pub(crate) fn try_borrow_mut(&self) -> Result<RefMut<'_, Engine>, std::cell::BorrowMutError> {
        let r = self.engine.try_borrow_mut();
        if r.is_ok() {
            self.invalidate();
        }
        r
    }

    /// After the engine handled a broadcast of `(topic, event)` from `conn` (outside a
    /// drain): installs its route, if the engine says such frames need no engine.
    pub(crate) fn learn_route(&self, conn: ConnId, topic: &str, event: &str) {
        let Ok(engine) = self.engine.try_borrow() else {
            return;
        };
        let Some(route) = engine.broadcast_route(conn, topic, event) else {
            return;
        };
        let join_refs = Array::new();
        let callbacks = Array::new();
        for ch in route {
            // From the JS-string cache, as the engine's dispatch hands the same join ref.
            join_refs.push(
                &ch.join_ref
                    .map_or(JsValue::NULL, |r| js_str(r.write(&mut [0u8; 20]))),
            );
            let cbs: Array = ch.callbacks.iter().collect();
            callbacks.push(&cbs);
        }
        drop(engine);
        route_set(&self.router, conn.0, topic, event, &join_refs, &callbacks);
        self.routed.set(true);
    }
}
