//! WebSocket transport, `/socket/websocket` (Phoenix.Transports.WebSocket).
//!
//! * Connect params come from the query string; `authToken` from
//!   `Sec-WebSocket-Protocol` (§2.5). A refused connect is an HTTP 403 on the upgrade
//!   (§16). When the client offers protocols the server answers `phoenix`, as a 1.8
//!   server with `auth_token: true` does; otherwise a browser would fail the handshake.
//! * Text frames are V2 JSON, binary frames kind 0 (§6); undecodable frames are
//!   logged and ignored. Real Phoenix lets the socket process crash on them (the
//!   client sees the connection close); a test server is more useful if it keeps the
//!   connection, and a client must not depend on either.
//! * Messages larger than [`MAX_FRAME`] close the connection with 1009 "message too
//!   big", like Phoenix's `max_frame_size`. The check is ours, so the client gets a
//!   proper close; tungstenite's own limit is a higher hard cap (beyond it the
//!   connection is just dropped, before the whole message is buffered).
//! * A connection that sends no frame for `--idle-timeout-ms` is closed (Phoenix's
//!   60 s `timeout`, §16); heartbeats every 30 s keep a phoenix.js socket alive.

use crate::app::App;
use crate::auth::{self, ConnectInfo};
use crate::codec::{self, Frame};
use crate::hub::{Sink, WsOut};
use crate::socket;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Largest accepted client message.
pub const MAX_FRAME: usize = 1 << 20;
/// Where tungstenite stops buffering a message at all.
const HARD_CAP: usize = 16 * MAX_FRAME;

pub async fn upgrade(
    State(app): State<App>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // A dead network: the handshake only completes when it is over.
    app.hub.wait_blackhole().await;
    let protocols = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok());
    let auth_token = match protocols.map(auth::token_from_protocols) {
        Some(Ok(t)) => t,
        Some(Err(())) => {
            eprintln!("testserver: websocket connect refused: undecodable authToken");
            return StatusCode::FORBIDDEN.into_response();
        }
        None => None,
    };
    let connect = ConnectInfo {
        params: auth::params_from_query(&query),
        auth_token,
    };
    if auth::refused(&connect) {
        crate::vlog!("websocket connect refused: {:?}", connect);
        return StatusCode::FORBIDDEN.into_response();
    }
    ws.max_message_size(HARD_CAP)
        .max_frame_size(HARD_CAP)
        .protocols(["phoenix"])
        .on_upgrade(move |socket| run(app, socket, connect))
}

fn to_message(frame: Frame) -> Message {
    match frame {
        Frame::Text(t) => Message::Text(t.into()),
        Frame::Binary(b) => Message::Binary(b.into()),
    }
}

async fn run(app: App, mut socket: WebSocket, connect: ConnectInfo) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = app.hub.lock().register(Sink::WebSocket(tx), connect);
    crate::vlog!("conn {id}: websocket open");
    let idle = app.config.idle_timeout;
    let mut deadline = Instant::now() + idle;
    let mut blackholes = app.hub.blackhole_changes();
    loop {
        app.hub.wait_blackhole().await;
        tokio::select! {
            biased;
            _ = blackholes.changed() => continue,
            out = rx.recv() => {
                let message = match out {
                    Some(WsOut::Frame(o)) => to_message(o.encode_ws()),
                    Some(WsOut::Raw(f)) => to_message(f),
                    Some(WsOut::Close(code, reason)) => {
                        let frame = CloseFrame { code, reason: reason.into() };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        break;
                    }
                    Some(WsOut::Abort) | None => break,
                };
                if socket.send(message).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => {
                deadline = Instant::now() + idle;
                let decoded = match incoming {
                    // The close handshake reply is flushed by the next read, which
                    // then ends the stream.
                    Some(Ok(Message::Close(_))) => continue,
                    Some(Ok(Message::Text(t))) if t.len() <= MAX_FRAME => codec::decode_text(t.as_str()),
                    Some(Ok(Message::Binary(b))) if b.len() <= MAX_FRAME => codec::decode_binary(&b),
                    Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                        eprintln!("testserver: conn {id}: message over {MAX_FRAME} bytes, closing");
                        let frame = CloseFrame { code: 1009, reason: "message too big".into() };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        break;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        crate::vlog!("conn {id}: websocket error: {e}");
                        break;
                    }
                    None => break,
                };
                match decoded {
                    Ok(msg) => socket::dispatch(&mut app.hub.lock(), id, msg),
                    Err(e) => eprintln!("testserver: conn {id}: ignoring frame: {e}"),
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                crate::vlog!("conn {id}: idle timeout");
                let frame = CloseFrame { code: 1000, reason: "idle timeout".into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    app.hub.lock().remove_conn(id);
    crate::vlog!("conn {id}: websocket closed");
}
