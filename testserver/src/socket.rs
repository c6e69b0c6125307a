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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ConnectInfo;
    use crate::codec::decode_text;
    use crate::hub::{Sink, WsOut};
    use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

    fn connect(state: &mut HubState, user: &str) -> (ConnId, UnboundedReceiver<WsOut>) {
        let (tx, rx) = unbounded_channel();
        let mut info = ConnectInfo::default();
        info.params.insert("user_id".into(), user.into());
        (state.register(Sink::WebSocket(tx), info), rx)
    }

    fn send(state: &mut HubState, conn: ConnId, frame: &str) {
        dispatch(state, conn, decode_text(frame).unwrap());
    }

    /// The frames queued so far, as JSON text with server-chosen values masked.
    fn drain(rx: &mut UnboundedReceiver<WsOut>) -> Vec<String> {
        let mut out = vec![];
        while let Ok(WsOut::Frame(f)) = rx.try_recv() {
            let text = f.encode_json();
            let masked: String = text
                .split(',')
                .map(|part| match part.split_once(':') {
                    Some((k, _)) if k.ends_with("\"online_at\"") => format!("{k}:0"),
                    Some((k, _)) if k.ends_with("\"phx_ref\"") => format!("{k}:\"R\""),
                    _ => part.to_owned(),
                })
                .collect::<Vec<_>>()
                .join(",");
            out.push(masked);
        }
        out
    }

    #[test]
    fn join_replies_then_diff_then_state() {
        let mut state = HubState::default();
        let (a, mut rx) = connect(&mut state, "raw");
        send(
            &mut state,
            a,
            r#"["1","1","room:raw","phx_join",{"device":"raw"}]"#,
        );
        let meta = r#"{"device":"raw","online_at":0,"phx_ref":"R","user_id":"raw"}"#;
        assert_eq!(
            drain(&mut rx),
            vec![
                r#"["1","1","room:raw","phx_reply",{"response":{"user_id":"raw"},"status":"ok"}]"#
                    .to_owned(),
                format!(
                    r#"[null,null,"room:raw","presence_diff",{{"joins":{{"raw":{{"metas":[{meta}]}}}},"leaves":{{}}}}]"#
                ),
                format!(r#"["1",null,"room:raw","presence_state",{{"raw":{{"metas":[{meta}]}}}}]"#),
            ]
        );
    }

    #[test]
    fn unmatched_topic_and_heartbeat() {
        let mut state = HubState::default();
        let (a, mut rx) = connect(&mut state, "u");
        send(&mut state, a, r#"["9","6","room:c","ping",{}]"#);
        send(&mut state, a, r#"[null,"7","phoenix","heartbeat",{}]"#);
        assert_eq!(
            drain(&mut rx),
            vec![
                r#"[null,"6","room:c","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#,
                r#"[null,"7","phoenix","phx_reply",{"response":{},"status":"ok"}]"#,
            ]
        );
    }

    #[test]
    fn duplicate_join_is_silent_for_the_old_join_ref() {
        let mut state = HubState::default();
        let (a, mut rx) = connect(&mut state, "dup");
        let (w, mut wrx) = connect(&mut state, "watcher");
        send(&mut state, w, r#"["1","1","room:d","phx_join",{}]"#);
        send(&mut state, a, r#"["1","1","room:d","phx_join",{}]"#);
        drain(&mut rx);
        drain(&mut wrx);
        send(&mut state, a, r#"["2","2","room:d","phx_join",{}]"#);
        let frames = drain(&mut rx);
        assert!(
            frames.iter().all(|f| !f.starts_with(r#"["1""#)),
            "{frames:?}"
        );
        assert!(frames[0].starts_with(r#"["2","2","room:d","phx_reply""#));
        let watched = drain(&mut wrx);
        assert_eq!(watched.len(), 2, "{watched:?}");
        assert!(watched[0].contains(r#""joins":{},"leaves":{"dup""#));
        assert!(watched[1].contains(r#""joins":{"dup""#));
        assert_eq!(state.stats()["presence_entries"], 2);
    }

    #[test]
    fn closing_a_socket_leaves_presence_and_frees_everything() {
        let mut state = HubState::default();
        let (a, _rx) = connect(&mut state, "a");
        let (b, mut brx) = connect(&mut state, "b");
        send(&mut state, a, r#"["1","1","room:x","phx_join",{}]"#);
        send(&mut state, b, r#"["1","1","room:x","phx_join",{}]"#);
        drain(&mut brx);
        state.remove_conn(a);
        let frames = drain(&mut brx);
        assert_eq!(frames.len(), 1);
        assert!(frames[0].contains(r#""joins":{},"leaves":{"a""#));
        state.remove_conn(b);
        let stats = state.stats();
        assert_eq!(
            [
                &stats["sockets"],
                &stats["channels"],
                &stats["topics"],
                &stats["presence_entries"]
            ],
            [0, 0, 0, 0]
        );
    }

    #[test]
    fn crash_sends_phx_error_with_the_join_ref_twice() {
        let mut state = HubState::default();
        let (a, mut rx) = connect(&mut state, "c");
        send(&mut state, a, r#"["4","4","room:a","phx_join",{}]"#);
        drain(&mut rx);
        send(&mut state, a, r#"["4","5","room:a","crash",{}]"#);
        assert_eq!(
            drain(&mut rx),
            vec![r#"["4","4","room:a","phx_error",{"reason":"channel_crash"}]"#]
        );
        assert_eq!(state.stats()["presence_entries"], 0);
    }
}
