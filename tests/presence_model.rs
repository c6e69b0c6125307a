//! Native property test of the presence roster (`src/core/presence.rs`): random sequences of
//! inserts and removals give the same key order as a reference model of JS own-property
//! order (spec §5.2 `Presence.list`): array-index keys ascending first, then the other keys
//! in insertion order; assigning an existing key keeps its place, deleting and re-adding
//! moves it to the end.
//!
//! The presence algorithm itself (`syncState` / `syncDiff` on JS objects) is checked in the
//! browser against phoenix.js 1.8.16 with random sequences of states and diffs
//! (`tests/web_presence.rs`, `random_*_sequences_match_phoenix`).
#![cfg(not(target_arch = "wasm32"))]

use phoenix_wasm::core::presence::{array_index, Roster};
use proptest::prelude::*;

/// The reference: a plain list of (key, value) in insertion order, sorted on read.
#[derive(Default)]
struct Model {
    entries: Vec<(String, u32)>,
}

impl Model {
    fn insert(&mut self, key: &str, value: u32) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value,
            None => self.entries.push((key.to_string(), value)),
        }
    }

    fn remove(&mut self, key: &str) -> Option<u32> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    fn get(&self, key: &str) -> Option<u32> {
        self.entries.iter().find(|(k, _)| k == key).map(|e| e.1)
    }

    /// JS own-property order (ECMA-262 OrdinaryOwnPropertyKeys).
    fn ordered(&self) -> Vec<(String, u32)> {
        let mut ints: Vec<(u64, (String, u32))> = self
            .entries
            .iter()
            .filter_map(|e| {
                let n: u64 = e.0.parse().ok()?;
                let canonical = n.to_string() == e.0 && n < 4_294_967_295;
                canonical.then(|| (n, e.clone()))
            })
            .collect();
        ints.sort_by_key(|(n, _)| *n);
        let mut out: Vec<(String, u32)> = ints.into_iter().map(|(_, e)| e).collect();
        let rest: Vec<(String, u32)> = self
            .entries
            .iter()
            .filter(|e| !out.iter().any(|o| o.0 == e.0))
            .cloned()
            .collect();
        out.extend(rest);
        out
    }
}

const KEYS: &[&str] = &[
    "a",
    "b",
    "z",
    "0",
    "1",
    "2",
    "10",
    "01",
    "-1",
    "1.5",
    "4294967294",
    "4294967295",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "",
];

#[derive(Debug, Clone)]
enum Op {
    Insert(usize, u32),
    Remove(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..KEYS.len(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => (0..KEYS.len()).prop_map(Op::Remove),
    ]
}

fn keys_strategy() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 0..400)
}

proptest! {
    #[test]
    fn roster_iterates_in_js_own_property_order(ops in keys_strategy()) {
        let mut roster: Roster<(String, u32)> = Roster::new();
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Insert(k, v) => {
                    let key = KEYS[k];
                    let before = roster.insert(key, (key.to_string(), v)).map(|e| e.1);
                    prop_assert_eq!(before, model.get(key));
                    model.insert(key, v);
                }
                Op::Remove(k) => {
                    let key = KEYS[k];
                    prop_assert_eq!(roster.remove(key).map(|e| e.1), model.remove(key));
                }
            }
            let got: Vec<(String, u32)> = roster.values().cloned().collect();
            prop_assert_eq!(&got, &model.ordered());
            prop_assert_eq!(roster.len(), model.entries.len());
            // `iter` pairs each value with its key, in the same order.
            let entries: Vec<(String, (String, u32))> =
                roster.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            prop_assert_eq!(entries.len(), got.len());
            for ((key, value), expected) in entries.iter().zip(&got) {
                prop_assert_eq!(key, &value.0);
                prop_assert_eq!(value, expected);
            }
        }
    }

    /// Hundreds of distinct keys: the index grows, probe runs wrap around its end, removals
    /// shift runs back and compaction renumbers the slots; every key stays findable.
    #[test]
    fn roster_finds_every_key_through_growth_removal_and_compaction(
        ops in prop::collection::vec((any::<bool>(), 0u32..600, any::<u32>()), 0..3000)
    ) {
        let key = |n: u32| match n % 3 {
            0 => n.to_string(),
            1 => format!("user:{n}"),
            _ => format!("ü-{n}-{}", "x".repeat((n % 17) as usize)),
        };
        let mut roster: Roster<u32> = Roster::new();
        let mut model = std::collections::HashMap::new();
        for (insert, n, v) in ops {
            let k = key(n);
            if insert {
                prop_assert_eq!(roster.insert(&k, v), model.insert(k, v));
            } else {
                prop_assert_eq!(roster.remove(&k), model.remove(&k));
            }
        }
        prop_assert_eq!(roster.len(), model.len());
        for n in 0..600 {
            let k = key(n);
            prop_assert_eq!(roster.get(&k), model.get(&k));
            prop_assert_eq!(roster.contains_key(&k), model.contains_key(&k));
        }
        prop_assert_eq!(roster.iter().count(), model.len());
    }

    #[test]
    fn array_index_matches_the_canonical_u32_rule(s in "[0-9]{0,11}|-?[0-9a]{1,3}") {
        let expected = s.parse::<u64>().ok().filter(|n| n.to_string() == s && *n < 4_294_967_295);
        prop_assert_eq!(array_index(&s).map(u64::from), expected);
    }
}

#[test]
fn many_removals_compact_without_changing_order() {
    let mut roster = Roster::new();
    let mut model = Model::default();
    for i in 0..5000u32 {
        let key = format!("k{i}");
        roster.insert(&key, (key.clone(), i));
        model.insert(&key, i);
        if i % 3 != 0 {
            let old = format!("k{}", i / 2);
            roster.remove(&old);
            model.remove(&old);
        }
    }
    let got: Vec<(String, u32)> = roster.values().cloned().collect();
    assert_eq!(got, model.ordered());
}
