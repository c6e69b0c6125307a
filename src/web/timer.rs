//! The socket's one browser timer, armed at the engine's next deadline
//! (ARCHITECTURE.md: one deadline source; no `setTimeout` per push).

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    // Looked up on every call, as phoenix.js does, so fake timers in tests work.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A re-armable `setTimeout` whose callback is owned here and dropped with it.
pub struct Timer {
    callback: Closure<dyn FnMut()>,
    id: Option<JsValue>,
    at: f64,
}

impl Timer {
    /// A disarmed timer that runs `f` when it fires.
    pub fn new(f: impl FnMut() + 'static) -> Timer {
        Timer {
            callback: Closure::new(f),
            id: None,
            at: f64::NAN,
        }
    }

    /// Arms the timer for the deadline `at` (ms on the `now` clock). A timer already armed
    /// for the same or an **earlier** moment is left alone: when it fires early the engine
    /// finds nothing due and the driver re-arms it for the real deadline. Re-arming each
    /// time the earliest deadline moved later cost a `clearTimeout` + `setTimeout` per
    /// push/reply pair (the push's timeout arms it, the reply removes it), the very cost of
    /// phoenix.js's timer per push (docs/PERFORMANCE.md "Third pass"). The clock is read only
    /// when the timer must be (re)armed.
    pub fn arm(&mut self, at: f64, now: impl FnOnce() -> f64) {
        if self.id.is_some() && self.at <= at {
            return;
        }
        self.clear();
        let delay = (at - now()).max(0.0);
        self.id = Some(set_timeout(self.callback.as_ref().unchecked_ref(), delay));
        self.at = at;
    }

    /// The one timer of a driver, kept in `slot`: armed for the engine's next deadline `at`
    /// (made with `make` on first use), or cleared when there is none. Returns whether a
    /// timeout is pending.
    pub fn arm_slot(
        slot: &mut Option<Timer>,
        at: Option<f64>,
        now: impl FnOnce() -> f64,
        make: impl FnOnce() -> Timer,
    ) -> bool {
        match (at, slot.as_mut()) {
            (Some(at), Some(timer)) => timer.arm(at, now),
            (Some(at), None) => slot.insert(make()).arm(at, now),
            (None, timer) => {
                if let Some(t) = timer {
                    t.clear();
                }
                return false;
            }
        }
        true
    }

    /// Clears the pending timeout, if any.
    pub fn clear(&mut self) {
        if let Some(id) = self.id.take() {
            clear_timeout(&id);
        }
        self.at = f64::NAN;
    }

    /// The timer fired: it is no longer armed.
    pub fn fired(&mut self) {
        self.id = None;
        self.at = f64::NAN;
    }

    /// Whether a timeout is pending.
    pub fn is_armed(&self) -> bool {
        self.id.is_some()
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.clear();
    }
}
