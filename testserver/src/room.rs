//! The `room:*` and `lobby:*` channels: the event table of issue 3 (see README).
//!
//! A join answers `{user_id}` (plus `auth_token` when the socket sent one). The user
//! id is the `user_id` connect param if given, else the `user_id` join param, else
//! an id generated per socket (`anon-N`). The display name (`name` in presence metas
//! and chat messages) is the `name` join param, else the `name` connect param.
//!
//! `room:*` tracks the joiner's presence on join. The joiner's own `presence_diff`
//! (a broadcast) is queued before its `presence_state` push, the order real Phoenix
//! shows (§16). `lobby:*` joins always succeed and track nothing until asked.

use crate::codec::{Inbound, Outbound, Payload};
use crate::hub::{Channel, ChannelKind, ConnId, HubState, WsOut};
use crate::ids;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

/// Upper bound of `bulk` {n}: keeps a typo from queueing millions of frames.
const MAX_BULK: u64 = 10_000;

pub fn kind_of(topic: &str) -> Option<ChannelKind> {
    if topic.starts_with("room:") {
        Some(ChannelKind::Room)
    } else if topic.starts_with("lobby:") {
        Some(ChannelKind::Lobby)
    } else {
        None
    }
}

fn reply(state: &HubState, conn: ConnId, msg: &Inbound, status: &str, response: Value) {
    state.send(
        conn,
        Outbound::reply_to(msg, status, Payload::Json(response)),
    );
}

fn error(state: &HubState, conn: ConnId, msg: &Inbound, reason: &str) {
    reply(state, conn, msg, "error", json!({ "reason": reason }));
}

/// A string join param; numbers are accepted too (ids often are).
fn param(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A frame the channel "process" sends about itself: `phx_close` / `phx_error`
/// carry the join ref as both join_ref and ref (§6.1, §16).
fn lifecycle(
    state: &HubState,
    conn: ConnId,
    topic: &str,
    join_ref: &Option<String>,
    event: &str,
    payload: Value,
) {
    state.send(
        conn,
        Outbound::Message {
            join_ref: join_ref.clone(),
            ref_: join_ref.clone(),
            topic: topic.to_owned(),
            event: event.to_owned(),
            payload: Payload::Json(payload),
        },
    );
}

pub fn join(state: &mut HubState, conn: ConnId, kind: ChannelKind, msg: &Inbound) {
    if kind == ChannelKind::Room && msg.topic == "room:forbidden" {
        error(state, conn, msg, "unauthorized");
        return;
    }
    let params = match &msg.payload {
        Payload::Json(v @ Value::Object(_)) => v.clone(),
        _ => json!({}),
    };
    let Some(c) = state.conns.get_mut(&conn) else {
        return;
    };
    let user_id = c
        .connect
        .params
        .get("user_id")
        .cloned()
        .or_else(|| param(&params, "user_id"))
        .unwrap_or_else(|| c.anonymous_user.clone());
    let name = param(&params, "name").or_else(|| c.connect.params.get("name").cloned());
    let device = param(&params, "device").unwrap_or_else(|| "unknown".to_owned());
    let auth_token = c.connect.auth_token.clone();
    c.channels.insert(
        msg.topic.clone(),
        Channel {
            join_ref: msg.join_ref.clone(),
            user_id: user_id.clone(),
            name,
            device,
        },
    );
    state.subscribe(conn, &msg.topic);

    let mut response = json!({ "user_id": user_id });
    if let Some(t) = auth_token {
        response["auth_token"] = Value::String(t);
    }
    reply(state, conn, msg, "ok", response);
    if kind == ChannelKind::Room {
        // Real Phoenix: the channel's after_join tracks (the diff goes out through
        // PubSub) and then pushes the state; the joiner sees the diff first.
        if track(state, conn, &msg.topic).is_ok() {
            let payload = state.presence(&msg.topic).state();
            state.send(
                conn,
                Outbound::Message {
                    join_ref: msg.join_ref.clone(),
                    ref_: None,
                    topic: msg.topic.clone(),
                    event: "presence_state".into(),
                    payload: Payload::Json(payload),
                },
            );
        }
    }
}

fn meta_of(ch: &Channel) -> Map<String, Value> {
    let mut meta = Map::new();
    meta.insert("online_at".into(), json!(ids::now_ms()));
    meta.insert("user_id".into(), json!(ch.user_id));
    meta.insert("device".into(), json!(ch.device));
    if let Some(n) = &ch.name {
        meta.insert("name".into(), json!(n));
    }
    meta
}

fn track(state: &mut HubState, conn: ConnId, topic: &str) -> Result<(), &'static str> {
    let ch = state
        .conns
        .get(&conn)
        .and_then(|c| c.channels.get(topic))
        .cloned()
        .ok_or("not joined")?;
    let diff = state
        .presence(topic)
        .track(conn, &ch.user_id, meta_of(&ch), ids::phx_ref())
        .map_err(|e| e.reason())?;
    state.broadcast_diff(topic, &diff);
    Ok(())
}

/// An event on a joined channel.
pub fn handle_in(state: &mut HubState, conn: ConnId, msg: &Inbound) {
    let topic = msg.topic.as_str();
    let Some(ch) = state
        .conns
        .get(&conn)
        .and_then(|c| c.channels.get(topic))
        .cloned()
    else {
        return;
    };
    let json_payload = match &msg.payload {
        Payload::Json(v) => Some(v),
        Payload::Binary(_) => None,
    };
    match msg.event.as_str() {
        "phx_leave" | "stop" => {
            reply(state, conn, msg, "ok", json!({}));
            state.remove_channel(conn, topic);
            lifecycle(state, conn, topic, &ch.join_ref, "phx_close", json!({}));
        }
        "crash" => {
            state.remove_channel(conn, topic);
            lifecycle(
                state,
                conn,
                topic,
                &ch.join_ref,
                "phx_error",
                json!({ "reason": "channel_crash" }),
            );
        }
        "ping" => state.send(conn, Outbound::reply_to(msg, "ok", msg.payload.clone())),
        "shout" => state.broadcast(topic, "shout", msg.payload.clone(), None),
        "error_reply" => error(state, conn, msg, "nope"),
        "noreply" => {}
        "binary" => match &msg.payload {
            Payload::Binary(b) => state.send(
                conn,
                Outbound::reply_to(msg, "ok", Payload::Binary(b.clone())),
            ),
            Payload::Json(_) => error(state, conn, msg, "expected binary payload"),
        },
        "binary_info" => match &msg.payload {
            Payload::Binary(b) => reply(
                state,
                conn,
                msg,
                "ok",
                json!({ "size": b.len(), "base64": STANDARD.encode(b) }),
            ),
            Payload::Json(_) => error(state, conn, msg, "expected binary payload"),
        },
        "binary_push" => match &msg.payload {
            Payload::Binary(b) => {
                let push = Outbound::Message {
                    join_ref: ch.join_ref.clone(),
                    ref_: None,
                    topic: topic.to_owned(),
                    event: "binary_push".into(),
                    payload: Payload::Binary(b.clone()),
                };
                state.send(conn, push);
                reply(state, conn, msg, "ok", json!({ "size": b.len() }));
            }
            Payload::Json(_) => error(state, conn, msg, "expected binary payload"),
        },
        "bulk" => {
            let n = json_payload
                .and_then(|p| p.get("n"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(MAX_BULK);
            for i in 1..=n {
                let push = Outbound::Message {
                    join_ref: ch.join_ref.clone(),
                    ref_: None,
                    topic: topic.to_owned(),
                    event: "msg".into(),
                    payload: Payload::Json(json!({ "i": i })),
                };
                state.send(conn, push);
            }
            reply(state, conn, msg, "ok", json!({ "n": n }));
        }
        "leave_presence" => {
            state.untrack(conn, topic);
            reply(state, conn, msg, "ok", json!({}));
        }
        "track_presence" => {
            if let Some(device) = json_payload.and_then(|p| param(p, "device")) {
                set_device(state, conn, topic, device);
            }
            match track(state, conn, topic) {
                Ok(()) => reply(state, conn, msg, "ok", json!({})),
                Err(reason) => error(state, conn, msg, reason),
            }
        }
        "update_presence" => {
            let device = json_payload
                .and_then(|p| param(p, "device"))
                .unwrap_or_else(|| ch.device.clone());
            set_device(state, conn, topic, device.clone());
            let updated = state.presence(topic).update(
                conn,
                |m| {
                    m.insert("device".into(), json!(device));
                    m.insert("online_at".into(), json!(ids::now_ms()));
                },
                ids::phx_ref(),
            );
            match updated {
                Ok(diff) => {
                    state.broadcast_diff(topic, &diff);
                    reply(state, conn, msg, "ok", json!({}));
                }
                Err(e) => error(state, conn, msg, e.reason()),
            }
        }
        "disconnect_me" => {
            reply(state, conn, msg, "ok", json!({}));
            for id in state.conns_of_user(&ch.user_id) {
                state.close_conn(id, WsOut::Close(1000, "disconnected"));
            }
        }
        "new_msg" => {
            let body = json_payload
                .and_then(|p| p.get("body"))
                .cloned()
                .unwrap_or(Value::Null);
            let out = json!({
                "body": body,
                "user_id": ch.user_id,
                "name": ch.name.clone().unwrap_or_else(|| ch.user_id.clone()),
                "at": ids::now_ms(),
            });
            state.broadcast(topic, "new_msg", Payload::Json(out), None);
            reply(state, conn, msg, "ok", json!({}));
        }
        "typing" => {
            let mut out = match json_payload {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            out.insert("user_id".into(), json!(ch.user_id));
            out.insert(
                "name".into(),
                json!(ch.name.clone().unwrap_or_else(|| ch.user_id.clone())),
            );
            state.broadcast(
                topic,
                "typing",
                Payload::Json(Value::Object(out)),
                Some(conn),
            );
            reply(state, conn, msg, "ok", json!({}));
        }
        other => reply(
            state,
            conn,
            msg,
            "error",
            json!({ "reason": "unknown event", "event": other }),
        ),
    }
}

fn set_device(state: &mut HubState, conn: ConnId, topic: &str, device: String) {
    if let Some(ch) = state
        .conns
        .get_mut(&conn)
        .and_then(|c| c.channels.get_mut(topic))
    {
        ch.device = device;
    }
}
