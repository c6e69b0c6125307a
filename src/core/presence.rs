//! The presence roster: a map from presence key to value that iterates in **JS own-property
//! order** (spec §5.2 `Presence.list`): array-index keys (`"0"` … `"4294967294"`, canonical
//! decimal) first in ascending numeric order, then every other key in insertion order.
//! Re-inserting an existing key keeps its position; removing a key and inserting it again
//! moves it to the end, exactly as `obj[key] = v` / `delete obj[key]` do on a JS object.
//!
//! Pure Rust (no wasm-bindgen), so the ordering rules are property-tested natively
//! (`tests/presence_model.rs`). The browser `Presence` (`src/js/presence.rs`) keeps its state
//! here, with the JS key and presence object as the value. The lints of `src/core` (no
//! panics, no indexing) apply, from `core/mod.rs`.
//!
//! Costs: lookup, insert and remove are O(1) (plus O(log n) for array-index keys); removals
//! leave tombstones that are compacted once they outnumber the live entries, so iteration
//! stays O(live entries) amortised.
//!
//! ```
//! use phoenix_wasm::core::presence::Roster;
//!
//! let mut r = Roster::new();
//! for k in ["b", "10", "2", "a"] {
//!     r.insert(k, k.to_string());
//! }
//! let order: Vec<&str> = r.values().map(String::as_str).collect();
//! assert_eq!(order, ["2", "10", "b", "a"]);
//! ```
use std::collections::{BTreeMap, HashMap};

/// `Some(n)` when `key` is a JS array index: the canonical decimal form of an integer in
/// `0..=2^32-2` (no sign, no leading zero except `"0"` itself). Such keys come first in
/// `Object.getOwnPropertyNames`, ascending (ECMA-262 OrdinaryOwnPropertyKeys).
pub fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    match bytes {
        [] => return None,
        [b'0'] => return Some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    if bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n <= 4_294_967_294 {
        u32::try_from(n).ok()
    } else {
        None
    }
}

#[derive(Clone, Debug)]
struct Slot<V> {
    value: V,
    /// The key is an array index: it is ordered through `Roster::ints`, not by slot.
    indexed: bool,
}

/// An insertion-ordered map with JS own-property key order (see the module docs).
#[derive(Clone, Debug)]
pub struct Roster<V> {
    /// key → slot number.
    map: HashMap<Box<str>, usize>,
    /// Values in insertion order; `None` marks a removed entry (tombstone).
    slots: Vec<Option<Slot<V>>>,
    /// Array-index keys → slot number, iterated first.
    ints: BTreeMap<u32, usize>,
    tombstones: usize,
}

impl<V> Default for Roster<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Roster<V> {
    pub fn new() -> Self {
        Roster {
            map: HashMap::new(),
            slots: Vec::new(),
            ints: BTreeMap::new(),
            tombstones: 0,
        }
    }

    /// An empty roster with room for `n` keys.
    pub fn with_capacity(n: usize) -> Self {
        Roster {
            map: HashMap::with_capacity(n),
            slots: Vec::with_capacity(n),
            ints: BTreeMap::new(),
            tombstones: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        let slot = *self.map.get(key)?;
        self.slots.get(slot)?.as_ref().map(|s| &s.value)
    }

    /// `obj[key] = value`: replaces the value in place (same position) or appends the key.
    /// Returns the previous value.
    pub fn insert(&mut self, key: &str, value: V) -> Option<V> {
        match self.replace(key, value) {
            Ok(previous) => Some(previous),
            Err(value) => {
                self.append(key.into(), value);
                None
            }
        }
    }

    /// [`Roster::insert`] taking the key by value: a new key keeps this allocation instead
    /// of a copy (a 100k-key presence state would otherwise hold every key twice at its
    /// peak, docs/PERFORMANCE.md "Memory").
    pub fn insert_owned(&mut self, key: String, value: V) -> Option<V> {
        match self.replace(&key, value) {
            Ok(previous) => Some(previous),
            Err(value) => {
                self.append(key.into_boxed_str(), value);
                None
            }
        }
    }

    /// Replaces the value of an existing key in place; gives the value back otherwise.
    fn replace(&mut self, key: &str, value: V) -> Result<V, V> {
        if let Some(&slot) = self.map.get(key) {
            if let Some(Some(s)) = self.slots.get_mut(slot) {
                return Ok(std::mem::replace(&mut s.value, value));
            }
        }
        Err(value)
    }

    fn append(&mut self, key: Box<str>, value: V) {
        let slot = self.slots.len();
        let index = array_index(&key);
        self.slots.push(Some(Slot {
            value,
            indexed: index.is_some(),
        }));
        self.map.insert(key, slot);
        if let Some(n) = index {
            self.ints.insert(n, slot);
        }
    }

    /// `delete obj[key]`: returns the removed value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let slot = self.map.remove(key)?;
        let removed = self.slots.get_mut(slot)?.take()?;
        if removed.indexed {
            if let Some(n) = array_index(key) {
                self.ints.remove(&n);
            }
        }
        self.tombstones += 1;
        if self.map.is_empty() {
            self.slots.clear();
            self.ints.clear();
            self.tombstones = 0;
        } else if self.tombstones > 32 && self.tombstones > self.map.len() {
            self.compact();
        }
        Some(removed.value)
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.slots.clear();
        self.ints.clear();
        self.tombstones = 0;
    }

    /// Values in JS own-property order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        let ints = self
            .ints
            .values()
            .filter_map(move |&slot| self.slots.get(slot)?.as_ref());
        let rest = self.slots.iter().flatten().filter(|s| !s.indexed);
        ints.chain(rest).map(|s| &s.value)
    }

    /// `(key, value)` pairs in JS own-property order, as [`Roster::values`]. Slots do not
    /// store their key (it lives once, in the map), so this builds a slot → key table
    /// first: O(n), for callers that would otherwise ask the host for each key's text.
    pub fn entries(&self) -> Vec<(&str, &V)> {
        let mut keys: Vec<Option<&str>> = vec![None; self.slots.len()];
        for (k, &slot) in &self.map {
            if let Some(entry) = keys.get_mut(slot) {
                *entry = Some(k);
            }
        }
        let at = |slot: usize| -> Option<(&str, &V)> {
            let key = (*keys.get(slot)?)?;
            let s = self.slots.get(slot)?.as_ref()?;
            Some((key, &s.value))
        };
        let ints = self.ints.values().filter_map(|&slot| at(slot));
        let rest = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.as_ref().is_some_and(|s| !s.indexed))
            .filter_map(|(slot, _)| at(slot));
        ints.chain(rest).collect()
    }

    /// Drops the tombstones and renumbers the slots: O(slots), run when the tombstones
    /// outnumber the live entries, so O(1) amortised per removal.
    fn compact(&mut self) {
        let mut renumber = Vec::with_capacity(self.slots.len());
        let mut next = 0usize;
        for s in &self.slots {
            renumber.push(next);
            if s.is_some() {
                next += 1;
            }
        }
        self.slots.retain(Option::is_some);
        for slot in self.map.values_mut().chain(self.ints.values_mut()) {
            if let Some(&n) = renumber.get(*slot) {
                *slot = n;
            }
        }
        self.tombstones = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_indices_are_canonical_u32_below_max() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("10"), Some(10));
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        for k in [
            "",
            "01",
            "-1",
            "1.5",
            "4294967295",
            "99999999999",
            "1e3",
            " 1",
            "a",
        ] {
            assert_eq!(array_index(k), None, "{k}");
        }
    }

    #[test]
    fn iterates_array_indices_first_then_insertion_order() {
        let mut r = Roster::new();
        for k in ["b", "10", "2", "a"] {
            r.insert(k, k);
        }
        assert_eq!(
            r.values().copied().collect::<Vec<_>>(),
            ["2", "10", "b", "a"]
        );
        r.insert("b", "B");
        r.remove("a");
        r.insert("a", "a");
        assert_eq!(
            r.values().copied().collect::<Vec<_>>(),
            ["2", "10", "B", "a"]
        );
    }
}
