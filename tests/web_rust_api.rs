//! The typed Rust API (`phoenix_wasm::client`, feature `rust-api`, issue #12) in a real
//! browser against the test server: each test drives the public Rust API as a Leptos, Yew
//! or Dioxus app would and checks what the app sees — the join reply, typed push replies
//! and error replies, broadcasts through the event stream, presence with typed metas from
//! two sockets, and the reconnect after the server drops every connection (then the rejoin
//! and a push that works again).
//!
//! The server's base URL comes from `PHX_TEST_URL` at build time (scripts/test.sh). The
//! reconnect test cuts every connection of that server (`POST /control/drop`).
#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;
use std::future::Future;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use phoenix_wasm::client::{
    ChannelStatus, Error, JsPayload, Presence, PresenceEvent, PushError, Socket, SocketEvent,
    SocketOptions,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

/// The test server's base URL, fixed at build time (scripts/test.sh exports it). Not
/// `web_common`: that module builds the JS facade, and this file also runs without it
/// (`--no-default-features --features rust-api`, as a Rust front end builds).
#[allow(clippy::option_env_unwrap)]
fn base() -> &'static str {
    option_env!("PHX_TEST_URL").expect("build with PHX_TEST_URL set to the test server's base URL")
}

wasm_bindgen_test_configure!(run_in_browser);

/// Resolves after `ms` milliseconds.
async fn sleep(ms: u32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .unchecked_into::<js_sys::Function>();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// `fut`, or a failure naming `what` after `ms` milliseconds.
async fn within<T>(ms: u32, what: &str, fut: impl Future<Output = T>) -> T {
    match select(Box::pin(fut), Box::pin(sleep(ms))).await {
        Either::Left((v, _)) => v,
        Either::Right(_) => panic!("timed out after {ms} ms waiting for {what}"),
    }
}

/// `POST {base}/control/{what}`.
async fn control(what: &str) {
    // `no-cors`: the test page has another origin; the answer is not needed.
    let fetch =
        js_sys::Function::new_with_args("u", "return fetch(u, {method: 'POST', mode: 'no-cors'})");
    let url = format!("{}/control/{what}", base());
    let p: js_sys::Promise = fetch.call1(&JsValue::NULL, &url.into()).unwrap().into();
    // The drop cuts the control request's own connection too: its failure is expected.
    let _ = JsFuture::from(p).await;
}

fn endpoint() -> String {
    format!("{}/socket", base().replacen("http", "ws", 1))
}

fn connected_socket(opts: SocketOptions) -> Socket {
    let socket = Socket::new(&endpoint(), opts).expect("a socket");
    socket.connect();
    socket
}

#[derive(Serialize)]
struct JoinParams<'a> {
    user_id: &'a str,
    device: &'a str,
}

#[derive(Deserialize, Debug, PartialEq)]
struct JoinReply {
    user_id: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Ping {
    n: u32,
    text: String,
    tags: Vec<String>,
    note: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Reason {
    reason: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Shout {
    body: String,
}

#[derive(Deserialize, Debug, PartialEq, Clone)]
struct Meta {
    user_id: String,
    device: String,
    online_at: f64,
    phx_ref: String,
}

#[wasm_bindgen_test]
async fn join_resolves_with_the_typed_reply_and_errors_are_typed() {
    let socket = connected_socket(SocketOptions::default());
    let channel = socket
        .channel(
            "room:rust-join",
            &JoinParams {
                user_id: "ada",
                device: "laptop",
            },
        )
        .unwrap();
    assert_eq!(channel.state(), ChannelStatus::Closed);
    let reply: JoinReply = within(5000, "the join reply", channel.join().decode())
        .await
        .expect("joined");
    assert_eq!(reply.user_id, "ada");
    assert_eq!(channel.state(), ChannelStatus::Joined);
    assert!(socket.is_connected());
    assert_eq!(socket.connection_state(), "open");

    // phoenix.js throws on a second join; here the reply says so.
    match channel.join().await {
        Err(PushError::Invalid(Error::Channel(m))) => assert!(m.contains("multiple times"), "{m}"),
        other => panic!("second join: {other:?}"),
    }

    // A refused join is the server's error response, decodable.
    let forbidden = socket.channel("room:forbidden", &()).unwrap();
    match within(5000, "the refused join", forbidden.join()).await {
        Err(PushError::Error(resp)) => {
            assert_eq!(resp.decode::<Reason>().unwrap().reason, "unauthorized")
        }
        other => panic!("forbidden join: {other:?}"),
    }
    forbidden
        .leave()
        .await
        .expect("leave resolves ok at once (spec §3.2)");
    assert_eq!(forbidden.state(), ChannelStatus::Closed);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn push_resolves_with_the_typed_reply_error_or_timeout() {
    let socket = connected_socket(SocketOptions::default());
    let channel = socket.channel("room:rust-push", &()).unwrap();

    // Before join: phoenix.js's error, as a value.
    match channel.push("ping", &()).await {
        Err(PushError::Invalid(Error::Channel(m))) => assert!(m.contains("before joining"), "{m}"),
        other => panic!("push before join: {other:?}"),
    }

    // Pushed before the join reply arrives: buffered, then sent (spec §3.2).
    let join = channel.join();
    let ping = Ping {
        n: 7,
        text: "héllo \"quoted\"".into(),
        tags: vec!["a".into(), "b".into()],
        note: None,
    };
    let pong: Ping = within(5000, "the ping reply", channel.push("ping", &ping).decode())
        .await
        .expect("ping reply");
    assert_eq!(pong, ping);
    within(5000, "the join", join).await.expect("joined");

    // The raw reply, without a type.
    let raw: JsPayload = channel
        .push("ping", &Shout { body: "x".into() })
        .await
        .unwrap();
    assert_eq!(raw.decode::<Shout>().unwrap().body, "x");

    match within(5000, "the error reply", channel.push("error_reply", &())).await {
        Err(PushError::Error(resp)) => assert_eq!(resp.decode::<Reason>().unwrap().reason, "nope"),
        other => panic!("error_reply: {other:?}"),
    }

    let t0 = js_sys::Date::now();
    let r = within(
        5000,
        "the timeout",
        channel.push_with_timeout("noreply", &(), 300.0),
    )
    .await;
    assert_eq!(r, Err(PushError::Timeout));
    assert!(js_sys::Date::now() - t0 >= 290.0);

    // An ok reply of the wrong shape is a decode error, not a panic.
    match channel
        .push("ping", &Shout { body: "x".into() })
        .decode::<Ping>()
        .await
    {
        Err(PushError::Invalid(Error::Serde(_))) => {}
        other => panic!("mismatched reply: {other:?}"),
    }
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn broadcasts_arrive_on_the_event_stream_of_every_member() {
    let a = connected_socket(SocketOptions::default());
    let b = connected_socket(SocketOptions::default());
    let ca = a.channel("room:rust-shout", &()).unwrap();
    let cb = b.channel("room:rust-shout", &()).unwrap();
    let mut at_a = ca.on::<Shout>("shout");
    let mut at_b = cb.on::<Shout>("shout");
    within(5000, "join a", ca.join()).await.unwrap();
    within(5000, "join b", cb.join()).await.unwrap();

    for i in 0..3 {
        let shout = Shout {
            body: format!("hello {i}"),
        };
        // `shout` has no reply: do not wait for one.
        drop(ca.push("shout", &shout));
        let got_b = within(5000, "the shout at b", at_b.next()).await;
        assert_eq!(got_b, Some(Ok(shout.clone())));
        let got_a = within(5000, "the shout at a (sender included)", at_a.next()).await;
        assert_eq!(got_a, Some(Ok(shout)));
    }

    // Dropping the stream removes the binding; a payload of the wrong type is an error item.
    drop(at_a);
    let mut typed_wrong = cb.on::<Ping>("shout");
    drop(ca.push("shout", &Shout { body: "z".into() }));
    match within(5000, "the mistyped shout", typed_wrong.next()).await {
        Some(Err(Error::Serde(_))) => {}
        other => panic!("mistyped shout: {other:?}"),
    }
    // Leaving closes the channel: its streams end once it is gone.
    drop(typed_wrong);
    cb.leave().await.unwrap();
    drop(cb);
    let z = Some(Ok(Shout { body: "z".into() }));
    assert_eq!(within(5000, "b's last shout", at_b.next()).await, z);
    assert_eq!(
        within(5000, "the end of b's stream", at_b.next()).await,
        None
    );
    a.disconnect();
    b.disconnect();
}

#[wasm_bindgen_test]
async fn presence_lists_typed_metas_of_two_sockets() {
    let topic = "room:rust-presence";
    // Connect params as a map: sent as `?user_id=…` (maps become plain objects).
    let params = |u: &str| HashMap::from([("user_id".to_string(), u.to_string())]);
    let a = connected_socket(SocketOptions::default().params(&params("ada")));
    let b = connected_socket(SocketOptions::default().params(&params("bob")));
    let ca = a
        .channel(
            topic,
            &JoinParams {
                user_id: "ada",
                device: "laptop",
            },
        )
        .unwrap();
    let presence = Presence::<Meta>::new(&ca);
    let mut events = presence.events();
    assert!(presence.in_pending_sync_state());
    within(5000, "join a", ca.join()).await.unwrap();

    // The state after our join: just us.
    loop {
        match within(5000, "a's first sync", events.next()).await {
            Some(PresenceEvent::Sync) => break,
            Some(_) => {}
            None => panic!("presence events ended"),
        }
    }
    assert!(!presence.in_pending_sync_state());
    let list = presence.list();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].0, "ada");
    assert_eq!(list[0].1[0].device, "laptop");

    // Another socket joins: a sees the join with typed metas.
    let cb = b
        .channel(
            topic,
            &JoinParams {
                user_id: "bob",
                device: "phone",
            },
        )
        .unwrap();
    within(5000, "join b", cb.join()).await.unwrap();
    let joined = loop {
        match within(5000, "bob's join at a", events.next()).await {
            Some(PresenceEvent::Join {
                key,
                current,
                joined,
            }) if key == "bob" => {
                assert_eq!(current, None);
                break joined;
            }
            Some(_) => {}
            None => panic!("presence events ended"),
        }
    };
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].device, "phone");
    assert_eq!(joined[0].user_id, "bob");
    assert!(joined[0].online_at > 0.0 && !joined[0].phx_ref.is_empty());
    let keys: Vec<String> = presence.list().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["ada", "bob"]);
    assert_eq!(presence.get("bob").unwrap()[0].device, "phone");

    // b leaves: a sees the leave, and bob is gone from the list.
    cb.leave().await.unwrap();
    loop {
        match within(5000, "bob's leave at a", events.next()).await {
            Some(PresenceEvent::Leave { key, current, left }) if key == "bob" => {
                assert!(current.is_empty());
                assert_eq!(left[0].device, "phone");
                break;
            }
            Some(_) => {}
            None => panic!("presence events ended"),
        }
    }
    let keys: Vec<String> = presence.list().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["ada"]);
    a.disconnect();
    b.disconnect();
}

#[wasm_bindgen_test]
async fn reconnects_after_a_drop_then_rejoins_and_pushes_again() {
    let socket = connected_socket(
        SocketOptions::default()
            .reconnect_after_ms(|_| 100.0)
            .rejoin_after_ms(|_| 100.0),
    );
    let mut states = socket.events();
    let channel = socket.channel("room:rust-reconnect", &()).unwrap();
    let mut errors = channel.on::<JsPayload>("phx_error");
    within(5000, "the join", channel.join()).await.unwrap();
    assert_eq!(
        within(5000, "open", states.next()).await,
        Some(SocketEvent::Open)
    );

    control("drop").await;

    // The transport closes abnormally (1006; an error event may come first), the channel
    // errors, the socket reconnects.
    loop {
        match within(5000, "the close", states.next()).await {
            Some(SocketEvent::Error) => {}
            Some(SocketEvent::Close {
                code, was_clean, ..
            }) => {
                assert_eq!(code, 1006);
                assert!(!was_clean);
                break;
            }
            other => panic!("expected a close, got {other:?}"),
        }
    }
    let err = within(5000, "the channel error", errors.next()).await;
    let reason = js_sys::Reflect::get(&err.unwrap().unwrap().0, &"reason".into()).unwrap();
    let reason = reason.as_string().unwrap();
    assert!(reason.starts_with("connection_"), "{reason}");
    assert_eq!(
        within(5000, "the reopen", states.next()).await,
        Some(SocketEvent::Open)
    );

    // The engine rejoins on open (spec §3.3): wait until joined, then push again.
    within(5000, "the rejoin", async {
        while channel.state() != ChannelStatus::Joined {
            sleep(20).await;
        }
    })
    .await;
    let pong: Shout = within(
        5000,
        "a push after the reconnect",
        channel
            .push(
                "ping",
                &Shout {
                    body: "again".into(),
                },
            )
            .decode(),
    )
    .await
    .unwrap();
    assert_eq!(pong.body, "again");

    // disconnect() is clean and final: no reconnect.
    socket.disconnect_with(1000, "bye");
    match within(5000, "the clean close", states.next()).await {
        Some(SocketEvent::Close {
            code,
            reason,
            was_clean,
        }) => {
            assert_eq!((code, reason.as_str(), was_clean), (1000, "bye", true));
        }
        other => panic!("expected a close, got {other:?}"),
    }
    sleep(300).await;
    assert!(!socket.is_connected());
}
