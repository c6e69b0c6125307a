//! A small cache of JS strings made from Rust strings (docs/PERFORMANCE.md, "strings
//! across the boundary"). Every `JsValue::from_str` is a `TextDecoder.decode` in the glue,
//! and the same few strings cross on every frame: the topic, the event, the channel's join
//! ref. With this cache a frame of a hot topic costs no string conversion at all.
//!
//! The cache is tiny and fixed (round-robin replacement), so it never grows with the number
//! of topics; a miss costs one comparison per slot more than `from_str` alone.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

const SLOTS: usize = 16;
/// Longer strings are not worth keeping (and are rarely repeated): converted each time.
const MAX_LEN: usize = 96;

struct Cache {
    entries: Vec<(Box<str>, JsValue)>,
    next: usize,
}

thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache {
            entries: Vec::new(),
            next: 0,
        })
    };
}

/// Calls `f` with the JS string equal to `s`, from the cache when it is there.
pub fn with_js_str<R>(s: &str, f: impl FnOnce(&JsValue) -> R) -> R {
    if s.len() > MAX_LEN {
        return f(&JsValue::from_str(s));
    }
    let hit = CACHE.with(|c| {
        let c = c.try_borrow().ok()?;
        c.entries
            .iter()
            .find(|(k, _)| **k == *s)
            .map(|(_, v)| v.clone())
    });
    let value = match hit {
        Some(v) => v,
        None => {
            let v = JsValue::from_str(s);
            CACHE.with(|c| {
                if let Ok(mut c) = c.try_borrow_mut() {
                    let entry = (Box::from(s), v.clone());
                    let at = c.next;
                    match c.entries.get_mut(at) {
                        Some(slot) => *slot = entry,
                        None => c.entries.push(entry),
                    }
                    c.next = (at + 1) % SLOTS;
                }
            });
            v
        }
    };
    f(&value)
}

/// The JS string equal to `s` (cached, see [`with_js_str`]).
pub fn js_str(s: &str) -> JsValue {
    with_js_str(s, JsValue::clone)
}
