//! `Presence`: phoenix.js 1.8.16's presence helper (spec §5), exported to JS as class
//! `Presence` with the same constructor, methods and statics.
//!
//! ```ts
//! const presence = new Presence(channel)            // or new Presence(channel, {events: {state, diff}})
//! presence.onJoin((key, current, newPres) => …)     // each replaces a single callback
//! presence.onLeave((key, current, leftPres) => …)
//! presence.onSync(() => render(presence.list((key, {metas}) => ({key, count: metas.length}))))
//! presence.inPendingSyncState()                     // true until the state after a (re)join
//! Presence.syncState(state, newState, onJoin?, onLeave?)   // the lower-level statics
//! Presence.syncDiff(state, {joins, leaves}, onJoin?, onLeave?)
//! Presence.list(state, chooser?)
//! ```
//!
//! # The statics
//!
//! `syncState`, `syncDiff` and `list` work on the caller's plain JS objects, so they run
//! in JS (`presenceSyncState`, `presenceSyncDiff`, `presenceList` in `src/web/host.js`):
//! ported to Rust they were ~9 KB of wasm making a host call per property read. They take
//! phoenix.js's steps: the same deep JSON clones (`undefined` dropped, `toJSON` and Dates
//! honoured), the same null-prototype results, the same mutations of the caller's objects
//! (`syncState` sets `newPresence.metas` to the joined metas; `syncDiff` returns the state
//! itself when it already has a null prototype and rewrites `current.metas` on leaves),
//! the same `metas.map`/`filter` calls, callback order and arguments, and so the same
//! exceptions for bad input. `phx_ref`s are matched with `===` exactly like `indexOf`, with
//! a set for long meta lists.
//!
//! # The instance: where the state lives
//!
//! The instance keeps its roster in Rust: a [`Roster`] (key text → presence object; the JS
//! key strings are made again, in one call, only for `list(chooser)` and `state`) with JS
//! own-property key order (array-index keys ascending first, then insertion
//! order), so it needs no JS dictionary object and no JSON round trip of the whole state:
//!
//! - a **`presence_state` frame** adopts the payload's presence objects for new keys and keeps
//!   the existing objects of unchanged keys; only keys whose metas changed (and keys that
//!   leave) are cloned, exactly as phoenix.js clones them. phoenix.js deep-clones the whole
//!   current state and the whole frame twice (`clone(currentState)`, `clone(diff)` and one
//!   `clone(newPresence)` per key);
//! - a **`presence_diff`** runs phoenix.js's `syncDiff` algorithm on the roster: cost
//!   proportional to the diff and to the metas of the keys it touches;
//! - **`list()`** walks the roster and builds the array (no `getOwnPropertyNames` of a
//!   100k-key dictionary);
//! - metas are read from the presence objects when a frame or diff touches their key, so a
//!   presence object edited by user code is seen exactly as phoenix.js would see it.
//!
//! Values are phoenix.js's: `list()`, `state` and every callback argument are deep-equal to
//! what phoenix.js passes, callbacks run in the same order (all joins, then all leaves, a key
//! removed after its `onLeave`, `onSync` last), `current` is the state's presence object
//! (the same object `list()` returns) and `newPresence`/`leftPresence` are private deep
//! copies. What differs is only *which* object is which where phoenix.js's clones make no
//! difference to values (documented so nobody is surprised):
//!
//! - a new key's state object **is the payload's presence object** (phoenix.js stores a deep
//!   clone). Payloads decoded from a frame are fresh `JSON.parse` results that nothing else
//!   owns; a custom `decode` returning non-JSON values (Dates, `undefined`) keeps them in the
//!   state where phoenix.js would have normalised them;
//! - the presence objects of keys a `presence_state` frame leaves unchanged are **kept**
//!   (phoenix.js replaces every object by a clone on each state frame);
//! - `onJoin`'s `newPresence` for a key new in a state frame is cloned only when an `onJoin`
//!   callback is set (nobody else can observe it);
//! - `presence.state` is a null-prototype object built on first access and kept in sync
//!   until the next state frame (phoenix.js's `state` field): writing to it does not change
//!   the roster.
//!
//! During the callbacks of a `presence_state` frame `list()` and `state` show the state from
//! before the frame, and during those of a diff the state being updated, as in phoenix.js
//! (it assigns `this.state` only after `syncState` returns, and `syncDiff` updates in
//! place). No `RefCell` borrow is held while JS runs, so callbacks may call any method.
//!
//! # Measured trade-offs (headless Chromium 156, release build, phoenix.js 1.8.16 in the same
//! page; medians, a noisy 2-core machine)
//!
//! | keys | state frame, no onJoin | state frame with onJoin | one diff (1 join + 1 leave) | `list()` |
//! |---|---|---|---|---|
//! | 1k | 1.0–1.3 ms vs 3.0–4.6 | 3.3–3.7 ms vs 2.9–4.2 | 17–29 µs vs 5–7 | 0.2 ms vs 0.2 |
//! | 10k | 10 ms vs 37–53 | 33–38 ms vs 39–58 | 16–21 µs vs 5–7 | 1.6 ms vs 2.5 |
//! | 100k | 150–170 ms vs 670–1390 | 350–470 ms vs 810–1020 | 15–18 µs vs 7–12 | 11–13 ms vs 35–47 |
//!
//! - The state frame saves phoenix.js's whole-state JSON round trips; with an `onJoin` set, the
//!   one deep clone per new key that keeps `newPresence` private dominates (kept on purpose:
//!   handing out the state's own object would let callbacks mutate the roster).
//! - A diff used to cost about 50 wasm↔JS calls (property reads, the `joinRef()` call, the
//!   JSON clones phoenix.js also makes). It is now planned in one host call
//!   (`presenceDiffPlan` in `src/web/host.js`: the clone, both key lists, all key texts in
//!   one string), then each key's join or leave is one call (`planJoin`, `planLeave`), the
//!   diff frame reaches the handler through the broadcast router without entering the
//!   engine, and `channel.joinRef()` is compared in JS: about 7 calls per 1 join + 1 leave,
//!   1.1–1.65× phoenix.js's time (docs/PERFORMANCE.md "Fourth pass"). What is left is
//!   entering wasm, the key texts copied into it, and the externref traffic of each call.
//! - A second state frame (a reconnect) compares each key that stays in one call
//!   (`presenceChanged`) and finds the keys that left from the roster's own texts: 0.3–0.8×
//!   phoenix.js at 1k–100k keys. Leaves, in diffs and state frames, go through the same
//!   host function as the static `syncDiff`'s (`leaveKey`).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use js_sys::{Array, Function, TypeError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The roster is pure Rust (`crate::core::presence`), property-tested natively
// (`tests/presence_model.rs`).
use crate::core::presence::Roster;

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// syncDiff's leave of one key: the metas whose ref left go from `current.metas`,
    /// then `onLeave` unless undefined; true when no meta is left (the key goes).
    #[wasm_bindgen(js_name = leaveKey, catch)]
    fn leave_key(
        key: &JsValue,
        current: &JsValue,
        left: &JsValue,
        on_leave: &JsValue,
    ) -> Result<bool, JsValue>;
    /// `Presence.syncState`, `Presence.syncDiff` and `Presence.list` (spec §5.2) on the
    /// caller's objects.
    #[wasm_bindgen(js_name = presenceSyncState, catch)]
    fn presence_sync_state(
        current_state: &JsValue,
        new_state: &JsValue,
        on_join: &JsValue,
        on_leave: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = presenceSyncDiff, catch)]
    fn presence_sync_diff(
        state: &JsValue,
        diff: &JsValue,
        on_join: &JsValue,
        on_leave: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = presenceList, catch)]
    fn presence_list(presences: &JsValue, chooser: &JsValue) -> Result<JsValue, JsValue>;
    /// A key of a state frame that was present before, with other meta refs:
    /// `[stateCopy, leftPresence | null, merged | null]`, or `undefined` when no meta
    /// joined or left. Sets `incoming.metas` to the joined metas, as `syncState` does.
    #[wasm_bindgen(js_name = presenceChanged, catch)]
    fn presence_changed(current: &JsValue, incoming: &JsValue) -> Result<JsValue, JsValue>;
    /// Plans a diff (see [`apply_diff`]): fills `plan` and returns the key texts.
    #[wasm_bindgen(js_name = presenceDiffPlan, catch)]
    fn presence_diff_plan(diff: &JsValue, plan: &Array) -> Result<String, JsValue>;
    /// syncDiff's join of the plan's `i`-th joined key: its presence, cloned again when
    /// `fresh` (an `onJoin` will get the plan's own object as `newPresence`), (kept in
    /// `plan[5]` first, so that a merge that throws still leaves it to the roster, as
    /// phoenix.js assigns `state[key]` first) with the current metas whose ref did not
    /// rejoin in front.
    #[wasm_bindgen(js_name = planJoin, catch)]
    fn plan_join(plan: &Array, i: u32, current: &JsValue, fresh: bool) -> Result<JsValue, JsValue>;
    /// `onJoin(key, current, newPresence)` for the plan's `i`-th joined key.
    #[wasm_bindgen(js_name = planOnJoin, catch)]
    fn plan_on_join(
        on_join: &JsValue,
        plan: &Array,
        i: u32,
        current: &JsValue,
    ) -> Result<(), JsValue>;
    /// [`leave_key`] of the plan's `i`-th left key (skipped when `current` is falsy).
    #[wasm_bindgen(js_name = planLeave, catch)]
    fn plan_leave(
        plan: &Array,
        i: u32,
        current: &JsValue,
        on_leave: &JsValue,
    ) -> Result<bool, JsValue>;
    /// phoenix.js's `!this.joinRef || this.joinRef !== this.channel.joinRef()`.
    #[wasm_bindgen(js_name = pendingSync, catch)]
    fn pending_sync(join_ref: &JsValue, channel: &JsValue) -> Result<bool, JsValue>;
    /// `onSync()`.
    #[wasm_bindgen(js_name = callOnSync, catch)]
    fn call_on_sync(on_sync: &JsValue) -> Result<(), JsValue>;
    /// `text` cut into strings of `lens[i]` UTF-16 units each.
    #[wasm_bindgen(js_name = splitKeys)]
    fn split_keys(text: &str, lens: &[u32]) -> Array;
    /// `presences.map((p, i) => chooser(keys[i], p))`, the chooser called with `this`
    /// undefined; its exceptions propagate.
    #[wasm_bindgen(js_name = chooseEach, catch)]
    fn choose_each(
        chooser: &JsValue,
        keys: &Array,
        presences: Vec<JsValue>,
    ) -> Result<JsValue, JsValue>;
    /// A null-prototype object with `obj[keys[i]] = values[i]`.
    #[wasm_bindgen(js_name = nullProtoObject)]
    fn null_proto_object(keys: &Array, values: Vec<JsValue>) -> JsValue;
    /// The sum of the strings' lengths.
    #[wasm_bindgen(js_name = totalLength)]
    fn total_length(keys: &Array) -> u32;
    /// The array the glue made of `values` (the return value of `list()`).
    #[wasm_bindgen(js_name = arrayOf)]
    fn array_of(values: Vec<JsValue>) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = getOwnPropertyNames, catch)]
    fn own_keys(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = getPrototypeOf, catch)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    /// `Object(v)`: boxes a primitive so that its properties can be read like JS does.
    #[wasm_bindgen(js_name = Object)]
    fn to_object(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = deleteProperty, catch)]
    fn reflect_delete(target: &JsValue, key: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = defineProperty, catch)]
    fn define_property(
        target: &JsValue,
        key: &JsValue,
        descriptor: &JsValue,
    ) -> Result<JsValue, JsValue>;

}

type JsResult<T> = Result<T, JsValue>;

// ---------------------------------------------------------------------------------------
// JS semantics helpers (strict-mode property access, as in phoenix.mjs)

fn type_error(parts: &[&str]) -> JsValue {
    let mut msg = String::new();
    for p in parts {
        msg.push_str(p);
    }
    TypeError::new(&msg).into()
}

fn key_text(key: &JsValue) -> String {
    key.as_string().unwrap_or_default()
}

/// `target[key]`: a `TypeError` on `null`/`undefined`, property reads on primitives through
/// their wrapper object, getters run (and their exceptions returned).
fn get(target: &JsValue, key: &JsValue) -> JsResult<JsValue> {
    if target.is_object() || target.is_function() {
        reflect_get(target, key)
    } else if target.is_null() || target.is_undefined() {
        let what = if target.is_null() {
            "null"
        } else {
            "undefined"
        };
        Err(type_error(&[
            "Cannot read properties of ",
            what,
            " (reading '",
            &key_text(key),
            "')",
        ]))
    } else {
        reflect_get(&to_object(target), key)
    }
}

/// `target[key] = value` in strict mode: a `TypeError` on primitives and failed writes.
fn set(target: &JsValue, key: &JsValue, value: &JsValue) -> JsResult<()> {
    if !(target.is_object() || target.is_function()) {
        return Err(type_error(&[
            "Cannot create property '",
            &key_text(key),
            "' on a non-object",
        ]));
    }
    if reflect_set(target, key, value)? {
        Ok(())
    } else {
        Err(type_error(&[
            "Cannot assign to read only property '",
            &key_text(key),
            "'",
        ]))
    }
}

/// `delete target[key]` in strict mode.
fn delete(target: &JsValue, key: &JsValue) -> JsResult<()> {
    if reflect_delete(target, key)? {
        Ok(())
    } else {
        Err(type_error(&[
            "Cannot delete property '",
            &key_text(key),
            "'",
        ]))
    }
}

/// `f(a, b, c)` with `this` undefined; a `TypeError` when `f` is not callable.
fn call3(f: &JsValue, a: &JsValue, b: &JsValue, c: &JsValue) -> JsResult<JsValue> {
    match f.dyn_ref::<Function>() {
        Some(f) => f.call3(&JsValue::UNDEFINED, a, b, c),
        None => Err(type_error(&["callback is not a function"])),
    }
}

/// phoenix.js's `clone(obj) = JSON.parse(JSON.stringify(obj))`, through the host's JSON.
fn clone(value: &JsValue) -> JsResult<JsValue> {
    json_parse(&json_stringify(value)?)
}

/// Property names used on every frame, created once: building a JS string from Rust goes
/// through `TextDecoder` and costs more than the property access itself.
struct Names {
    join_ref: JsValue,
}

thread_local! {
    static NAMES: Names = Names {
        join_ref: JsValue::from_str("joinRef"),
    };
}

fn name(pick: fn(&Names) -> &JsValue) -> JsValue {
    NAMES.with(|n| pick(n).clone())
}

// ---------------------------------------------------------------------------------------
// The instance

struct Inner {
    channel: JsValue,
    /// Key text → presence object. The JS key strings are not kept: at 100k keys they were
    /// 3.4 MB of JS heap (docs/PERFORMANCE.md "Memory"); `list(chooser)` and `state` make
    /// them again from the texts, in one call.
    roster: Roster<JsValue>,
    /// `channel.joinRef()` when the last state arrived (`null` before).
    join_ref: JsValue,
    pending: Vec<JsValue>,
    /// The callbacks; `None` for phoenix.js's default no-op (and, for `onJoin`/`onLeave`,
    /// for a falsy value, which `syncDiff` replaces by a no-op). Decided when a callback is
    /// set, so an event asks no truthiness question of the host.
    on_join: Option<JsValue>,
    on_leave: Option<JsValue>,
    on_sync: Option<JsValue>,
    /// The `state` object handed out, kept in sync until the next state frame.
    mirror: Option<JsValue>,
}

impl Inner {
    fn new(channel: JsValue) -> Inner {
        Inner {
            channel,
            roster: Roster::new(),
            join_ref: JsValue::NULL,
            pending: Vec::new(),
            on_join: None,
            on_leave: None,
            on_sync: None,
            mirror: None,
        }
    }
}

type Shared = Rc<RefCell<Inner>>;

/// The callbacks of one event, looked up when the event starts (phoenix.js destructures
/// `this.caller` at the top of each handler).
struct Callbacks {
    on_join: Option<JsValue>,
    on_leave: Option<JsValue>,
    on_sync: Option<JsValue>,
}

impl Callbacks {
    fn of(shared: &Shared) -> Callbacks {
        let inner = shared.borrow();
        Callbacks {
            on_join: inner.on_join.clone(),
            on_leave: inner.on_leave.clone(),
            on_sync: inner.on_sync.clone(),
        }
    }

    fn sync(&self) -> JsResult<()> {
        match &self.on_sync {
            Some(f) => call_on_sync(f),
            None => Ok(()),
        }
    }
}

/// `channel.joinRef()`.
fn channel_join_ref(channel: &JsValue) -> JsResult<JsValue> {
    let f = get(channel, &name(|n| &n.join_ref))?;
    match f.dyn_ref::<Function>() {
        Some(f) => f.call0(channel),
        None => Err(type_error(&["channel.joinRef is not a function"])),
    }
}

fn in_pending_sync_state(shared: &Shared) -> JsResult<bool> {
    let (join_ref, channel) = {
        let inner = shared.borrow();
        (inner.join_ref.clone(), inner.channel.clone())
    };
    pending_sync(&join_ref, &channel)
}

/// Roster write that keeps the handed-out `state` object in step (`key` makes the JS key,
/// needed only then).
fn roster_set(
    shared: &Shared,
    key_text: &str,
    key: impl FnOnce() -> JsValue,
    presence: &JsValue,
) -> JsResult<()> {
    let mirror = {
        let mut inner = shared.borrow_mut();
        inner.roster.insert(key_text, presence.clone());
        inner.mirror.clone()
    };
    if let Some(m) = mirror {
        set(&m, &key(), presence)?;
    }
    Ok(())
}

fn roster_remove(shared: &Shared, key_text: &str, key: impl FnOnce() -> JsValue) -> JsResult<()> {
    let mirror = {
        let mut inner = shared.borrow_mut();
        inner.roster.remove(key_text);
        inner.mirror.clone()
    };
    if let Some(m) = mirror {
        delete(&m, &key())?;
    }
    Ok(())
}

/// The key texts of a diff plan (`presenceDiffPlan` in `src/web/host.js`): the number of
/// join keys, then each key (joins first, then leaves) as `<UTF-16 length>:<key>`.
struct PlanKeys<'a> {
    rest: &'a str,
}

impl<'a> PlanKeys<'a> {
    /// The join count and the keys.
    fn parse(text: &'a str) -> (u32, PlanKeys<'a>) {
        let mut keys = PlanKeys { rest: text };
        let joins = keys.number().unwrap_or(0);
        (joins, keys)
    }

    /// The next count; `None` for `E` (the leaves could not be listed).
    fn number(&mut self) -> Option<u32> {
        let (n, rest) = self.rest.split_once(':').unwrap_or(("0", ""));
        self.rest = rest;
        n.parse().ok()
    }

    /// The next key.
    fn next_key(&mut self) -> &'a str {
        crate::web::serializer::take_counted(&mut self.rest)
    }
}

/// The roster's keys as JS strings and its presences, in JS own-property order: the key
/// texts cross to JS as one string, cut by `splitKeys` (one decode instead of one per key).
fn keys_and_presences(roster: &Roster<JsValue>) -> (Array, Vec<JsValue>) {
    let mut text = String::new();
    let mut lens = Vec::with_capacity(roster.len());
    let mut presences = Vec::with_capacity(roster.len());
    for (key, presence) in roster.iter() {
        text.push_str(key);
        lens.push(if key.is_ascii() {
            key.len() as u32
        } else {
            key.encode_utf16().count() as u32
        });
        presences.push(presence.clone());
    }
    (split_keys(&text, &lens), presences)
}

/// `syncDiff` on the roster, in place (phoenix.js's instance passes its null-prototype state,
/// which `syncDiff` mutates and returns).
///
/// The JS work of a key (the JSON clone, the meta merge or filter, the callback) is one
/// host call that reads the key and its presence from the diff's plan; the roster only
/// looks up and stores. A diff of 1 join + 1 leave crosses the boundary five times.
fn apply_diff(shared: &Shared, diff: &JsValue, cb: &Callbacks) -> JsResult<()> {
    // [joins, leaves, join keys, leave keys, the error of listing the leaves, the clone a
    // failed join left] of a JSON clone of the diff; the key texts come back as one string.
    let plan = Array::new();
    let text = presence_diff_plan(diff, &plan)?;
    let (join_count, mut keys) = PlanKeys::parse(&text);
    let plan_ref = &plan;
    let key_of = |list: u32, i: u32| move || Array::from(&plan_ref.get(list)).get(i);
    for i in 0..join_count {
        let text = keys.next_key();
        let current = shared
            .borrow()
            .roster
            .get(text)
            .cloned()
            .unwrap_or(JsValue::UNDEFINED);
        let merged = plan_join(&plan, i, &current, cb.on_join.is_some());
        // phoenix.js stores the clone before merging: a merge that throws still leaves it.
        let presence = match &merged {
            Ok(p) => p.clone(),
            Err(_) => plan.get(5),
        };
        roster_set(shared, text, key_of(2, i), &presence)?;
        merged?;
        if let Some(on_join) = &cb.on_join {
            plan_on_join(on_join, &plan, i, &current)?;
        }
    }
    let Some(leave_count) = keys.number() else {
        // `Object.getOwnPropertyNames(leaves)` threw: phoenix.js throws it after the joins.
        return Err(plan.get(4));
    };
    let on_leave = cb.on_leave.clone().unwrap_or(JsValue::UNDEFINED);
    for i in 0..leave_count {
        let text = keys.next_key();
        let current = match shared.borrow().roster.get(text) {
            Some(p) => p.clone(),
            None => continue,
        };
        if plan_leave(&plan, i, &current, &on_leave)? {
            roster_remove(shared, text, key_of(3, i))?;
        }
    }
    Ok(())
}

/// One key of a state frame: its text, JS key and presence.
struct Incoming {
    text: String,
    key: JsValue,
    presence: JsValue,
}

/// A join of a state frame: the key, the `current` argument and the `newPresence`
/// argument of `onJoin` (`None`: clone the incoming presence if a callback wants it).
struct Join {
    key: JsValue,
    current: JsValue,
    new_presence: Option<JsValue>,
    incoming: JsValue,
}

/// A leave of a state frame: the key and the `leftPresence` argument of `onLeave`.
#[derive(Clone)]
struct Leave {
    key: JsValue,
    left: JsValue,
}

/// `syncState(this.state, newState, onJoin, onLeave)` on the roster (see the module docs for
/// the clones it saves). The new roster is built aside and installed after the callbacks,
/// as phoenix.js assigns `this.state` only when `syncState` returns.
fn apply_state(shared: &Shared, new_state: &JsValue, cb: &Callbacks) -> JsResult<()> {
    let keys = own_keys(&to_null_proto_keys_source(new_state)?)?;
    let n = keys.length();
    if shared.borrow().roster.is_empty() {
        return apply_first_state(shared, new_state, &keys, cb);
    }
    let mut incoming = Vec::with_capacity(n as usize);
    for i in 0..n {
        let key = keys.get(i);
        let presence = get(new_state, &key)?;
        incoming.push(Incoming {
            text: key_text(&key),
            key,
            presence,
        });
    }

    // One copy of the roster: `next` still holds the old presence of every incoming key
    // when that key is processed (incoming keys are distinct).
    let mut next = shared.borrow().roster.clone();
    let mut leaves: Roster<Leave> = Roster::new();

    // Keys of the current state absent (or falsy) in the new one leave whole (the roster is
    // not empty here: an empty one took `apply_first_state`).
    {
        let mut present: HashSet<&str> = HashSet::with_capacity(incoming.len());
        for inc in &incoming {
            if inc.presence.is_truthy() {
                present.insert(inc.text.as_str());
            }
        }
        // The roster's own key texts: asking the host for each key's text cost a string
        // copy per key of the whole roster.
        let gone: Vec<(String, JsValue)> = next
            .iter()
            .filter(|(text, _)| !present.contains(text))
            .map(|(text, p)| (text.to_owned(), p.clone()))
            .collect();
        for (text, presence) in gone {
            // phoenix.js: state is a clone of the current state, the leave a clone of that.
            let state_copy = clone(&presence)?;
            let left = clone(&state_copy)?;
            next.insert(&text, state_copy);
            let key = JsValue::from_str(&text);
            leaves.insert(&text, Leave { key, left });
        }
    }

    // Joins are kept only for the onJoin callback: without one, a 100k-key state would
    // hold (and grow by doubling) a 100k-entry vector for nothing.
    let want_joins = cb.on_join.is_some();
    let mut joins = Vec::with_capacity(if want_joins { incoming.len() } else { 0 });
    for inc in incoming {
        let current = next.get(&inc.text).cloned();
        match current {
            Some(current) if current.is_truthy() => {
                let change = presence_changed(&current, &inc.presence)?;
                if change.is_undefined() {
                    continue; // unchanged: keep the object (phoenix.js: a clone of it)
                }
                let change: Array = change.unchecked_into();
                let (state_copy, left_presence, merged) =
                    (change.get(0), change.get(1), change.get(2));
                if !left_presence.is_null() {
                    leaves.insert(
                        &inc.text,
                        Leave {
                            key: inc.key.clone(),
                            left: left_presence,
                        },
                    );
                }
                if !merged.is_null() {
                    next.insert(&inc.text, merged);
                    if want_joins {
                        joins.push(Join {
                            key: inc.key,
                            current: state_copy,
                            new_presence: None,
                            incoming: inc.presence,
                        });
                    }
                } else {
                    next.insert(&inc.text, state_copy);
                }
            }
            current => {
                next.insert(&inc.text, inc.presence.clone());
                if want_joins {
                    joins.push(Join {
                        key: inc.key,
                        current: current.unwrap_or(JsValue::UNDEFINED),
                        new_presence: None,
                        incoming: inc.presence,
                    });
                }
            }
        }
    }
    if let Some(on_join) = &cb.on_join {
        for join in &mut joins {
            join.new_presence = Some(clone(&join.incoming)?);
        }
        for join in &joins {
            let new_presence = join.new_presence.as_ref().unwrap_or(&join.incoming);
            call3(on_join, &join.key, &join.current, new_presence)?;
        }
    }
    let on_leave = cb.on_leave.clone().unwrap_or(JsValue::UNDEFINED);
    let leaves: Vec<(String, Leave)> = leaves
        .iter()
        .map(|(text, leave)| (text.to_owned(), leave.clone()))
        .collect();
    for (text, leave) in leaves {
        let current = match next.get(&text) {
            Some(p) if p.is_truthy() => p.clone(),
            _ => continue,
        };
        // syncDiff's leave, the same host function a diff uses.
        if leave_key(&leave.key, &current, &leave.left, &on_leave)? {
            next.remove(&text);
        }
    }

    let mut inner = shared.borrow_mut();
    inner.roster = next;
    inner.mirror = None;
    Ok(())
}

/// [`apply_state`] on an empty roster, the common case of a (re)join: every key is a join,
/// nothing leaves and nothing is compared, so the keys go straight into the roster without
/// an intermediate list (at 100k keys that list was 2 MB of peak wasm memory).
fn apply_first_state(
    shared: &Shared,
    new_state: &JsValue,
    keys: &Array,
    cb: &Callbacks,
) -> JsResult<()> {
    let n = keys.length();
    // Room for every key text up front (their UTF-16 length, exact for ASCII keys): growing
    // the text by doubling would leave a high-water mark of up to twice its size in wasm
    // memory, which never shrinks.
    let mut next = Roster::with_capacity(n as usize, total_length(keys) as usize);
    let want_joins = cb.on_join.is_some();
    let mut joins = Vec::with_capacity(if want_joins { n as usize } else { 0 });
    for i in 0..n {
        let key = keys.get(i);
        let presence = get(new_state, &key)?;
        if want_joins {
            joins.push((key.clone(), presence.clone()));
        }
        next.insert(&key_text(&key), presence);
    }
    // `newPresence` is a private copy, as in phoenix.js, made before any callback runs (a
    // callback could change the frame's objects); `current` is undefined.
    for join in &mut joins {
        join.1 = clone(&join.1)?;
    }
    for (key, new_presence) in &joins {
        if let Some(on_join) = &cb.on_join {
            call3(on_join, key, &JsValue::UNDEFINED, new_presence)?;
        }
    }
    let mut inner = shared.borrow_mut();
    inner.roster = next;
    inner.mirror = None;
    Ok(())
}

/// phoenix.js's `toNullProtoObj(newState)` throws for `null`/`undefined` (through
/// `Object.getPrototypeOf`) and otherwise lists the own property names of the object itself.
fn to_null_proto_keys_source(new_state: &JsValue) -> JsResult<JsValue> {
    prototype_of(new_state)?;
    Ok(new_state.clone())
}

fn on_state_event(shared: &Shared, new_state: JsValue) -> JsResult<()> {
    let cb = Callbacks::of(shared);
    let channel = shared.borrow().channel.clone();
    let join_ref = channel_join_ref(&channel)?;
    shared.borrow_mut().join_ref = join_ref;
    apply_state(shared, &new_state, &cb)?;
    let pending = std::mem::take(&mut shared.borrow_mut().pending);
    for diff in &pending {
        apply_diff(shared, diff, &cb)?;
    }
    cb.sync()
}

fn on_diff_event(shared: &Shared, diff: JsValue) -> JsResult<()> {
    let cb = Callbacks::of(shared);
    if in_pending_sync_state(shared)? {
        shared.borrow_mut().pending.push(diff);
        Ok(())
    } else {
        apply_diff(shared, &diff, &cb)?;
        cb.sync()
    }
}

thread_local! {
    static LIST_INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// Defines `Presence.prototype.list` as the exported `__list` (non-enumerable, like a class
/// method), once per module instance; see [`Presence::list`].
fn install_list_method() {
    if LIST_INSTALLED.with(|done| done.replace(true)) {
        return;
    }
    let probe: JsValue = Presence {
        inner: Rc::new(RefCell::new(Inner::new(JsValue::UNDEFINED))),
    }
    .into();
    let Ok(proto) = prototype_of(&probe) else {
        return;
    };
    let Ok(method) = reflect_get(&proto, &JsValue::from_str("__list")) else {
        return;
    };
    let descriptor = js_sys::Object::new();
    let _ = reflect_set(&descriptor, &JsValue::from_str("value"), &method);
    let _ = reflect_set(&descriptor, &JsValue::from_str("writable"), &JsValue::TRUE);
    let _ = reflect_set(
        &descriptor,
        &JsValue::from_str("configurable"),
        &JsValue::TRUE,
    );
    let _ = define_property(&proto, &JsValue::from_str("list"), &descriptor);
}

/// phoenix.js's `Presence` (spec §5). See the module documentation.
#[wasm_bindgen]
pub struct Presence {
    inner: Shared,
}

#[wasm_bindgen]
impl Presence {
    /// `new Presence(channel, opts = {})`: `channel` is anything with `on(event, callback)`
    /// and `joinRef()`; `opts.events = {state, diff}` renames the two events.
    #[wasm_bindgen(constructor)]
    pub fn new(channel: JsValue, opts: JsValue) -> Result<Presence, JsValue> {
        let events = if opts.is_undefined() {
            JsValue::UNDEFINED
        } else {
            get(&opts, &JsValue::from_str("events"))?
        };
        let (state_event, diff_event) = if events.is_truthy() {
            (
                get(&events, &JsValue::from_str("state"))?,
                get(&events, &JsValue::from_str("diff"))?,
            )
        } else {
            (
                JsValue::from_str("presence_state"),
                JsValue::from_str("presence_diff"),
            )
        };
        install_list_method();
        let inner: Shared = Rc::new(RefCell::new(Inner::new(channel.clone())));
        let on = get(&channel, &JsValue::from_str("on"))?;
        let on = on
            .dyn_ref::<Function>()
            .ok_or_else(|| type_error(&["channel.on is not a function"]))?;

        let shared = inner.clone();
        let state_cb =
            Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(move |payload: JsValue| {
                on_state_event(&shared, payload)
            });
        on.call2(&channel, &state_event, &state_cb.into_js_value())?;
        let shared = inner.clone();
        let diff_cb =
            Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(move |payload: JsValue| {
                on_diff_event(&shared, payload)
            });
        on.call2(&channel, &diff_event, &diff_cb.into_js_value())?;
        Ok(Presence { inner })
    }

    /// Replaces the join callback `(key, currentPresence, newPresence)`.
    #[wasm_bindgen(js_name = onJoin)]
    pub fn on_join(&self, callback: JsValue) {
        self.inner.borrow_mut().on_join = callback.is_truthy().then_some(callback);
    }

    /// Replaces the leave callback `(key, currentPresence, leftPresence)`.
    #[wasm_bindgen(js_name = onLeave)]
    pub fn on_leave(&self, callback: JsValue) {
        self.inner.borrow_mut().on_leave = callback.is_truthy().then_some(callback);
    }

    /// Replaces the sync callback, called after each state or applied diff.
    #[wasm_bindgen(js_name = onSync)]
    pub fn on_sync(&self, callback: JsValue) {
        self.inner.borrow_mut().on_sync = Some(callback);
    }

    /// `presence.list(chooser?)`: the presences (or `chooser(key, presence)` of each) in JS
    /// key order. Exported as `__list` and installed as `Presence.prototype.list` by the
    /// constructor: wasm-bindgen 0.2.130 names the exports of a static and an instance
    /// method with the same JS name identically, and `Presence.list` is the static.
    #[wasm_bindgen(js_name = __list, skip_typescript)]
    pub fn list(&self, chooser: JsValue) -> Result<JsValue, JsValue> {
        if chooser.is_falsy() {
            let presences: Vec<JsValue> = self.inner.borrow().roster.values().cloned().collect();
            return Ok(array_of(presences));
        }
        // Collected before the chooser runs: it may change the roster.
        let (keys, presences) = keys_and_presences(&self.inner.borrow().roster);
        // A chooser that is not a function throws phoenix.js's TypeError from the first
        // call, so an empty roster returns `[]` as there.
        choose_each(&chooser, &keys, presences)
    }

    /// `true` until the state that follows the current join has arrived.
    #[wasm_bindgen(js_name = inPendingSyncState)]
    pub fn in_pending_sync_state(&self) -> Result<bool, JsValue> {
        in_pending_sync_state(&self.inner)
    }

    /// The current state as a null-prototype object `{key: presence}` (phoenix.js's `state`
    /// field; the same object until the next state frame).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        if let Some(m) = self.inner.borrow().mirror.clone() {
            return Ok(m);
        }
        let (keys, presences) = keys_and_presences(&self.inner.borrow().roster);
        let obj = null_proto_object(&keys, presences);
        self.inner.borrow_mut().mirror = Some(obj.clone());
        Ok(obj)
    }

    /// Diffs received before the state of the current join (phoenix.js's `pendingDiffs`).
    #[wasm_bindgen(getter, js_name = pendingDiffs)]
    pub fn pending_diffs(&self) -> Vec<JsValue> {
        self.inner.borrow().pending.clone()
    }

    /// `channel.joinRef()` when the last state arrived, `null` before.
    #[wasm_bindgen(getter, js_name = joinRef)]
    pub fn join_ref(&self) -> JsValue {
        self.inner.borrow().join_ref.clone()
    }

    /// The channel passed to the constructor.
    #[wasm_bindgen(getter)]
    pub fn channel(&self) -> JsValue {
        self.inner.borrow().channel.clone()
    }

    /// `Presence.syncState(currentState, newState, onJoin?, onLeave?)` (spec §5.2).
    #[wasm_bindgen(js_name = syncState)]
    pub fn sync_state(
        current_state: JsValue,
        new_state: JsValue,
        on_join: JsValue,
        on_leave: JsValue,
    ) -> Result<JsValue, JsValue> {
        presence_sync_state(&current_state, &new_state, &on_join, &on_leave)
    }

    /// `Presence.syncDiff(state, {joins, leaves}, onJoin?, onLeave?)` (spec §5.2).
    #[wasm_bindgen(js_name = syncDiff)]
    pub fn sync_diff(
        state: JsValue,
        diff: JsValue,
        on_join: JsValue,
        on_leave: JsValue,
    ) -> Result<JsValue, JsValue> {
        presence_sync_diff(&state, &diff, &on_join, &on_leave)
    }

    /// `Presence.list(presences, chooser?)` (spec §5.2).
    #[wasm_bindgen(js_name = list)]
    pub fn list_static(presences: JsValue, chooser: JsValue) -> Result<JsValue, JsValue> {
        presence_list(&presences, &chooser)
    }
}
