//! Page lifecycle (spec §2.7): `pagehide` disconnects a live socket and `pageshow`
//! reconnects it (bfcache); `visibilitychange` and Chrome's `resume` reconnect after an
//! unclean close. Listeners are registered only where `window.addEventListener` exists, are
//! owned by the socket, and are removed when it is dropped.

use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::socket::Shared;

fn global(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|v| v.is_object())
}

fn method(target: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into().ok())
}

/// `document.visibilityState === "hidden"`; false without a document.
pub(crate) fn page_hidden() -> bool {
    global("document")
        .and_then(|d| Reflect::get(&d, &JsValue::from_str("visibilityState")).ok())
        .and_then(|v| v.as_string())
        .is_some_and(|v| v == "hidden")
}

fn listen(shared: &Rc<Shared>, target: &JsValue, event: &'static str, f: fn(&Shared)) {
    let Some(add) = method(target, "addEventListener") else {
        return;
    };
    let weak = Rc::downgrade(shared);
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(s) = weak.upgrade() {
            f(&s);
        }
    });
    if add
        .call2(target, &JsValue::from_str(event), closure.as_ref())
        .is_ok()
    {
        shared.add_listener(target.clone(), event, closure);
    }
}

/// Registers the window and document listeners of a new socket.
pub(crate) fn install(shared: &Rc<Shared>) {
    let Some(window) = global("window") else {
        return;
    };
    if method(&window, "addEventListener").is_none() {
        return;
    }
    listen(shared, &window, "pagehide", |s| {
        s.page_event(PageEvent::Hide)
    });
    listen(shared, &window, "pageshow", |s| {
        s.page_event(PageEvent::Show)
    });
    listen(shared, &window, "visibilitychange", |s| {
        s.page_event(PageEvent::Visibility)
    });
    if shared.driver.borrow().opts.improvements.probe_on_online {
        listen(shared, &window, "online", |s| {
            s.page_event(PageEvent::Online)
        });
    }
    if let Some(document) = global("document") {
        listen(shared, &document, "resume", |s| {
            s.page_event(PageEvent::Visibility)
        });
    }
}

/// Removes a listener registered by [`install`].
pub(crate) fn remove(target: &JsValue, event: &str, f: &Closure<dyn FnMut(JsValue)>) {
    if let Some(remove) = method(target, "removeEventListener") {
        let _ = remove.call2(target, &JsValue::from_str(event), f.as_ref());
    }
}

pub(crate) enum PageEvent {
    Hide,
    Show,
    Visibility,
    /// `online` (opt-in `probeOnOnline`, issue #11).
    Online,
}

impl Shared {
    pub(crate) fn page_event(&self, event: PageEvent) {
        let now = js_sys::Date::now();
        if let Ok(mut engine) = self.engine.try_borrow_mut() {
            match event {
                PageEvent::Hide => engine.handle_pagehide(now),
                PageEvent::Show => engine.handle_pageshow(now),
                PageEvent::Visibility => engine.handle_visibility_change(now, page_hidden()),
                PageEvent::Online => engine.handle_online(now),
            }
        }
        let _ = self.drain();
    }
}
