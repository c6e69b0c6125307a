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
//! stays O(live entries) amortised. Memory is what a 100k-key roster is measured by
//! (issue #5): see [`Roster`] for the layout.
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
use std::collections::BTreeMap;

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

/// `slot.start` of a removed key (a tombstone until the next compaction).
const REMOVED: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Slot<V> {
    value: V,
    /// Byte offset of the key in [`Roster::text`]; [`REMOVED`] for a tombstone.
    start: u32,
    /// Length of the key in bytes.
    len: u32,
}

/// An insertion-ordered map with JS own-property key order (see the module docs).
///
/// Laid out for size, because a presence roster can hold 100k keys and wasm linear memory
/// never shrinks (docs/PERFORMANCE.md "Memory"): the key texts live back to back in one
/// `String`, a slot is the value plus two `u32`s, and the hash index is a `u32` slot number
/// plus a one-byte tag per bucket. About 30 bytes per key with 10-byte keys and a 4-byte
/// value, where a `HashMap<Box<str>, usize>` plus slots took about 50.
#[derive(Clone, Debug)]
pub struct Roster<V> {
    /// Every key's UTF-8 text, back to back; removed keys stay until [`Roster::compact`].
    text: String,
    /// Values in insertion order, tombstones included.
    slots: Vec<Slot<V>>,
    /// Open addressing with linear probing: the slot number of each occupied bucket. The
    /// bucket count is a power of two, at most 7/8 full.
    index: Vec<u32>,
    /// Per bucket: 0 when empty, else 1..=128 from the key's hash, so a probe compares key
    /// texts only when the tags agree.
    tags: Vec<u8>,
    /// Array-index keys → slot number, iterated first.
    ints: BTreeMap<u32, u32>,
    /// Live keys.
    live: usize,
    /// Tombstones in `slots`, and the bytes of `text` they still hold.
    dead: usize,
    dead_bytes: usize,
}

impl<V> Default for Roster<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// A 64-bit hash of a key's bytes (word-wise multiply–rotate, as rustc's FxHash, with a
/// final mix so that the low bits used for the bucket depend on every byte).
fn hash(key: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = key.len() as u64;
    let mut words = key.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let tail = words
        .remainder()
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    h = (h.rotate_left(5) ^ tail).wrapping_mul(K);
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// The bucket tag of a hash: 1..=128, never 0 (empty).
fn tag(h: u64) -> u8 {
    (h >> 57) as u8 + 1
}

impl<V> Roster<V> {
    pub fn new() -> Self {
        Roster {
            text: String::new(),
            slots: Vec::new(),
            index: Vec::new(),
            tags: Vec::new(),
            ints: BTreeMap::new(),
            live: 0,
            dead: 0,
            dead_bytes: 0,
        }
    }

    /// An empty roster with room for `n` keys of `bytes` bytes in all (no resize while
    /// they go in).
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        let mut r = Self::new();
        r.slots.reserve_exact(n);
        r.text.reserve_exact(bytes);
        r.rebuild_index(n);
        r
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        let (_, slot) = self.find(key)?;
        self.slots.get(slot).map(|s| &s.value)
    }

    /// `obj[key] = value`: replaces the value in place (same position) or appends the key.
    /// Returns the previous value.
    pub fn insert(&mut self, key: &str, value: V) -> Option<V> {
        if let Some((_, slot)) = self.find(key) {
            if let Some(s) = self.slots.get_mut(slot) {
                return Some(std::mem::replace(&mut s.value, value));
            }
        }
        self.append(key, value);
        None
    }

    /// The key text of a live slot.
    fn key_of(&self, slot: &Slot<V>) -> &str {
        if slot.start == REMOVED {
            return "";
        }
        let start = slot.start as usize;
        self.text
            .get(start..start + slot.len as usize)
            .unwrap_or_default()
    }

    fn mask(&self) -> usize {
        self.index.len().wrapping_sub(1)
    }

    /// The bucket and slot number of `key`.
    fn find(&self, key: &str) -> Option<(usize, usize)> {
        if self.index.is_empty() {
            return None;
        }
        let h = hash(key.as_bytes());
        let (t, mask) = (tag(h), self.mask());
        let mut pos = h as usize & mask;
        // At most 7/8 of the buckets are full, so an empty one ends every probe; the bound
        // only guards the loop.
        for _ in 0..self.index.len() {
            match self.tags.get(pos) {
                None | Some(0) => return None,
                Some(&b) if b == t => {
                    let slot = *self.index.get(pos)? as usize;
                    if self.slots.get(slot).is_some_and(|s| self.key_of(s) == key) {
                        return Some((pos, slot));
                    }
                }
                Some(_) => {}
            }
            pos = (pos + 1) & mask;
        }
        None
    }

    /// Puts `slot` (whose key hashes to `h`) in the first empty bucket of its probe.
    fn place(&mut self, h: u64, slot: u32) {
        let mask = self.mask();
        let mut pos = h as usize & mask;
        for _ in 0..self.index.len() {
            if self.tags.get(pos) == Some(&0) {
                if let (Some(t), Some(i)) = (self.tags.get_mut(pos), self.index.get_mut(pos)) {
                    *t = tag(h);
                    *i = slot;
                }
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    /// A fresh index with room for `n` keys at 7/8 load, holding every live slot.
    fn rebuild_index(&mut self, n: usize) {
        let buckets = (n.saturating_mul(8) / 7 + 1).next_power_of_two().max(8);
        self.index = vec![0; buckets];
        self.tags = vec![0; buckets];
        for i in 0..self.slots.len() {
            let Some(s) = self.slots.get(i) else { break };
            if s.start != REMOVED {
                let h = hash(self.key_of(s).as_bytes());
                self.place(h, i as u32);
            }
        }
    }

    fn append(&mut self, key: &str, value: V) {
        if (self.live + 1) * 8 > self.index.len() * 7 {
            self.rebuild_index((self.live + 1) * 2);
        }
        let slot = self.slots.len() as u32;
        let start = self.text.len() as u32;
        self.text.push_str(key);
        self.slots.push(Slot {
            value,
            start,
            len: key.len() as u32,
        });
        self.place(hash(key.as_bytes()), slot);
        if let Some(n) = array_index(key) {
            self.ints.insert(n, slot);
        }
        self.live += 1;
    }

    /// Empties bucket `pos` and shifts the rest of its probe run back (linear probing's
    /// deletion without tombstones in the index).
    fn unplace(&mut self, pos: usize) {
        let mask = self.mask();
        let mut hole = pos;
        let mut next = (pos + 1) & mask;
        for _ in 0..self.index.len() {
            if self.tags.get(next).is_none_or(|&t| t == 0) {
                break;
            }
            let slot = self.index.get(next).copied().unwrap_or_default();
            let home = match self.slots.get(slot as usize) {
                Some(s) => hash(self.key_of(s).as_bytes()) as usize & mask,
                None => next,
            };
            // The entry may move into the hole unless its home lies after the hole.
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                let t = self.tags.get(next).copied().unwrap_or_default();
                if let (Some(ht), Some(hi)) = (self.tags.get_mut(hole), self.index.get_mut(hole)) {
                    *ht = t;
                    *hi = slot;
                }
                hole = next;
            }
            next = (next + 1) & mask;
        }
        if let (Some(t), Some(i)) = (self.tags.get_mut(hole), self.index.get_mut(hole)) {
            *t = 0;
            *i = 0;
        }
    }

    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Values in JS own-property order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// `(key, value)` pairs in JS own-property order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> + '_ {
        let ints = self
            .ints
            .values()
            .filter_map(move |&slot| self.slots.get(slot as usize));
        // Slots keep no "is an array index" flag (memory); with no such key in the roster,
        // the common case, no key is looked at.
        let no_ints = self.ints.is_empty();
        let rest = self.slots.iter().filter(move |s| {
            s.start != REMOVED && (no_ints || array_index(self.key_of(s)).is_none())
        });
        ints.chain(rest).map(move |s| (self.key_of(s), &s.value))
    }
}

impl<V: Default> Roster<V> {
    /// `delete obj[key]`: returns the removed value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let (pos, slot) = self.find(key)?;
        self.unplace(pos);
        let s = self.slots.get_mut(slot)?;
        let value = std::mem::take(&mut s.value);
        s.start = REMOVED;
        let len = s.len as usize;
        if let Some(n) = array_index(key) {
            self.ints.remove(&n);
        }
        self.live -= 1;
        self.dead += 1;
        self.dead_bytes += len;
        if self.live == 0 {
            self.clear();
        } else if (self.dead > 32 && self.dead > self.live)
            || (self.dead_bytes > 4096 && self.dead_bytes > self.text.len() / 2)
        {
            self.compact();
        }
        Some(value)
    }

    /// Drops the tombstones and the text of removed keys, renumbers the slots and rebuilds
    /// the index: O(slots), run when the dead outnumber the live, so O(1) amortised per
    /// removal.
    fn compact(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.dead_bytes);
        let mut slots = Vec::with_capacity(self.live);
        self.ints.clear();
        for s in std::mem::take(&mut self.slots) {
            if s.start == REMOVED {
                continue;
            }
            let start = s.start as usize;
            let key = self
                .text
                .get(start..start + s.len as usize)
                .unwrap_or_default();
            let slot = slots.len() as u32;
            if let Some(n) = array_index(key) {
                self.ints.insert(n, slot);
            }
            slots.push(Slot {
                value: s.value,
                start: text.len() as u32,
                len: s.len,
            });
            text.push_str(key);
        }
        self.text = text;
        self.slots = slots;
        self.dead = 0;
        self.dead_bytes = 0;
        self.rebuild_index(self.live);
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
