//! The transport-independent part of `Phoenix.Socket`: routes each decoded client
//! message to the heartbeat handler, a channel join, or a joined channel
//! (Phoenix 1.7/1.8 `Phoenix.Socket.handle_in/4`).
//!
//! * `phoenix`/`heartbeat` → `[null,ref,"phoenix","phx_reply",{"response":{},"status":"ok"}]`.
//! * `phx_join` on a topic with no channel route → error `{reason:"unmatched topic"}`.
//! * `phx_join` on a topic already joined by this socket: Phoenix shuts the old
//!   channel down (`{:shutdown, :duplicate_join}`) *without* sending anything for it,
//!   then joins anew. Here likewise: the old channel's presence leaves, no frame is
//!   sent for the old join_ref, and the new join is answered normally.
//! * `phx_leave` on a topic not joined → ok reply (Phoenix answers it, so a client
//!   leaving a channel the server already forgot still completes its leave).
//! * Any other event on a topic not joined → `phx_reply` error
//!   `{reason:"unmatched topic"}` with a **null join_ref** (§16).

use crate::codec::{Inbound, Outbound, Payload};
use crate::hub::{ConnId, HubState};
use crate::room;
use serde_json::json;

pub fn dispatch(state: &mut HubState, conn: ConnId, msg: Inbound) {
    crate::vlog!(
        "conn {conn} -> [{:?},{:?},{:?},{:?}] {}",
        msg.join_ref,
        msg.ref_,
        msg.topic,
        msg.event,
        match &msg.payload {
            Payload::Json(v) => v.to_string(),
            Payload::Binary(b) => format!("<{} bytes>", b.len()),
        }
    );
    if msg.topic == "phoenix" && msg.event == "heartbeat" {
        let reply = Outbound::Reply {
            join_ref: None,
            ref_: msg.ref_.clone(),
            topic: msg.topic.clone(),
            status: "ok".into(),
            response: Payload::Json(json!({})),
        };
        state.send(conn, reply);
        return;
    }
    let joined = state
        .conns
        .get(&conn)
        .is_some_and(|c| c.channels.contains_key(&msg.topic));
    match (msg.event.as_str(), joined) {
        ("phx_join", _) => {
            if joined {
                crate::vlog!(
                    "conn {conn}: duplicate join of {}, closing the existing channel",
                    msg.topic
                );
                state.remove_channel(conn, &msg.topic);
            }
            match room::kind_of(&msg.topic) {
                Some(kind) => room::join(state, conn, kind, &msg),
                None => {
                    eprintln!(
                        "testserver: ignoring join of unmatched topic {:?}",
                        msg.topic
                    );
                    state.send(conn, unmatched(&msg, msg.join_ref.clone()));
                }
            }
        }
        (_, true) => room::handle_in(state, conn, &msg),
        ("phx_leave", false) => state.send(
            conn,
            Outbound::reply_to(&msg, "ok", Payload::Json(json!({}))),
        ),
        (_, false) => state.send(conn, unmatched(&msg, None)),
    }
}

fn unmatched(msg: &Inbound, join_ref: Option<String>) -> Outbound {
    Outbound::Reply {
        join_ref,
        ref_: msg.ref_.clone(),
        topic: msg.topic.clone(),
        status: "error".into(),
        response: Payload::Json(json!({ "reason": "unmatched topic" })),
    }
}
