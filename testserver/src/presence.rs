//! Presence bookkeeping for one topic, the part of `Phoenix.Presence` a client sees.
//!
//! Each tracking channel (identified by its connection id: a socket has at most one
//! channel per topic) owns at most one meta under a key (the user id). Several
//! sockets of the same user share the key and so give several metas, which is what
//! `Presence.list` in phoenix.js merges (spec §5.2).
//!
//! Every change yields a [`Diff`] that the hub broadcasts as `presence_diff`
//! `{"joins":{key:{"metas":[…]}},"leaves":{…}}`; [`TopicPresence::state`] is the
//! `presence_state` payload `{key:{"metas":[…]}}`.

use serde_json::{Map, Value};

/// Owner of a meta: the connection whose channel tracked it.
pub type Owner = u64;

#[derive(Clone, Debug)]
struct Entry {
    owner: Owner,
    key: String,
    meta: Map<String, Value>,
}

/// The joins and leaves of one change, in the order they happened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    pub joins: Vec<(String, Map<String, Value>)>,
    pub leaves: Vec<(String, Map<String, Value>)>,
}

fn group(entries: &[(String, Map<String, Value>)]) -> Value {
    let mut out = Map::new();
    for (key, meta) in entries {
        let slot = out
            .entry(key.clone())
            .or_insert_with(|| serde_json::json!({ "metas": [] }));
        if let Some(metas) = slot.get_mut("metas").and_then(Value::as_array_mut) {
            metas.push(Value::Object(meta.clone()));
        }
    }
    Value::Object(out)
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.joins.is_empty() && self.leaves.is_empty()
    }

    /// The `presence_diff` payload.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "joins": group(&self.joins), "leaves": group(&self.leaves) })
    }
}

/// Why a presence operation was refused (answered as an error reply).
#[derive(Debug, PartialEq)]
pub enum PresenceError {
    AlreadyTracked,
    NotTracked,
}

impl PresenceError {
    pub fn reason(&self) -> &'static str {
        match self {
            PresenceError::AlreadyTracked => "already tracked",
            PresenceError::NotTracked => "not tracked",
        }
    }
}

/// All metas of one topic, in tracking order.
#[derive(Clone, Debug, Default)]
pub struct TopicPresence {
    entries: Vec<Entry>,
}

impl TopicPresence {
    /// Tracks `meta` (to which `phx_ref` is added) under `key` for `owner`.
    /// Phoenix refuses a second track of the same key by the same process.
    pub fn track(
        &mut self,
        owner: Owner,
        key: &str,
        mut meta: Map<String, Value>,
        phx_ref: String,
    ) -> Result<Diff, PresenceError> {
        if self.entries.iter().any(|e| e.owner == owner) {
            return Err(PresenceError::AlreadyTracked);
        }
        meta.insert("phx_ref".into(), Value::String(phx_ref));
        self.entries.push(Entry {
            owner,
            key: key.to_owned(),
            meta: meta.clone(),
        });
        Ok(Diff {
            joins: vec![(key.to_owned(), meta)],
            leaves: vec![],
        })
    }

    /// Removes whatever `owner` tracked (on untrack, leave, crash or socket close).
    /// An empty diff means there was nothing to remove.
    pub fn untrack(&mut self, owner: Owner) -> Diff {
        let mut diff = Diff::default();
        self.entries.retain(|e| {
            if e.owner == owner {
                diff.leaves.push((e.key.clone(), e.meta.clone()));
                false
            } else {
                true
            }
        });
        diff
    }

    /// Replaces `owner`'s meta by `update(old meta)`, as `Presence.update`: the diff
    /// holds a leave of the old meta and a join of the new one, which gets a fresh
    /// `phx_ref` and `phx_ref_prev` = the old ref (§16).
    pub fn update(
        &mut self,
        owner: Owner,
        update: impl FnOnce(&mut Map<String, Value>),
        phx_ref: String,
    ) -> Result<Diff, PresenceError> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.owner == owner)
            .ok_or(PresenceError::NotTracked)?;
        let old = entry.meta.clone();
        let mut new = old.clone();
        new.remove("phx_ref_prev");
        update(&mut new);
        if let Some(prev) = old.get("phx_ref") {
            new.insert("phx_ref_prev".into(), prev.clone());
        }
        new.insert("phx_ref".into(), Value::String(phx_ref));
        entry.meta = new.clone();
        let key = entry.key.clone();
        Ok(Diff {
            joins: vec![(key.clone(), new)],
            leaves: vec![(key, old)],
        })
    }

    /// The `presence_state` payload.
    pub fn state(&self) -> Value {
        let pairs: Vec<_> = self
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.meta.clone()))
            .collect();
        group(&pairs)
    }

    #[cfg(test)]
    pub fn is_tracked(&self, owner: Owner) -> bool {
        self.entries.iter().any(|e| e.owner == owner)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(user: &str, device: &str) -> Map<String, Value> {
        json!({"user_id": user, "device": device, "online_at": 1})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn track_gives_join_diff_and_state() {
        let mut p = TopicPresence::default();
        let d = p
            .track(1, "alice", meta("alice", "web"), "R1".into())
            .unwrap();
        assert_eq!(
            d.to_json(),
            json!({"joins": {"alice": {"metas": [
                {"device":"web","online_at":1,"phx_ref":"R1","user_id":"alice"}]}}, "leaves": {}})
        );
        assert_eq!(
            serde_json::to_string(&d.to_json()).unwrap(),
            r#"{"joins":{"alice":{"metas":[{"device":"web","online_at":1,"phx_ref":"R1","user_id":"alice"}]}},"leaves":{}}"#
        );
        p.track(2, "alice", meta("alice", "phone"), "R2".into())
            .unwrap();
        p.track(3, "bob", meta("bob", "web"), "R3".into()).unwrap();
        let s = p.state();
        assert_eq!(s["alice"]["metas"].as_array().unwrap().len(), 2);
        assert_eq!(s["bob"]["metas"][0]["phx_ref"], "R3");
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn second_track_by_same_owner_is_refused() {
        let mut p = TopicPresence::default();
        p.track(1, "a", meta("a", "x"), "R1".into()).unwrap();
        assert_eq!(
            p.track(1, "a", meta("a", "x"), "R2".into()),
            Err(PresenceError::AlreadyTracked)
        );
    }

    #[test]
    fn untrack_gives_leave_diff_once() {
        let mut p = TopicPresence::default();
        p.track(1, "a", meta("a", "x"), "R1".into()).unwrap();
        p.track(2, "b", meta("b", "x"), "R2".into()).unwrap();
        let d = p.untrack(1);
        assert_eq!(d.leaves.len(), 1);
        assert_eq!(d.to_json()["leaves"]["a"]["metas"][0]["phx_ref"], "R1");
        assert!(p.untrack(1).is_empty());
        assert!(!p.is_tracked(1));
        assert!(p.is_tracked(2));
    }

    #[test]
    fn update_leaves_old_and_joins_new_with_prev_ref() {
        let mut p = TopicPresence::default();
        p.track(1, "a", meta("a", "web"), "R1".into()).unwrap();
        let d = p
            .update(
                1,
                |m| {
                    m.insert("device".into(), json!("phone"));
                },
                "R2".into(),
            )
            .unwrap();
        let j = d.to_json();
        assert_eq!(j["leaves"]["a"]["metas"][0]["phx_ref"], "R1");
        assert_eq!(j["leaves"]["a"]["metas"][0]["device"], "web");
        assert_eq!(j["joins"]["a"]["metas"][0]["phx_ref"], "R2");
        assert_eq!(j["joins"]["a"]["metas"][0]["phx_ref_prev"], "R1");
        assert_eq!(j["joins"]["a"]["metas"][0]["device"], "phone");
        assert_eq!(p.state()["a"]["metas"][0]["phx_ref"], "R2");
        // A second update chains phx_ref_prev.
        let d2 = p.update(1, |_| {}, "R3".into()).unwrap();
        assert_eq!(d2.to_json()["joins"]["a"]["metas"][0]["phx_ref_prev"], "R2");
        assert_eq!(
            p.update(9, |_| {}, "R4".into()),
            Err(PresenceError::NotTracked)
        );
    }
}
