//! The socket engine against spec §2 (socket), §8 (timers) and §9 (wire walkthrough),
//! in simulated time.

mod common;

use common::Harness;
use phoenix_wasm::core::{Ref, SocketOptions};
use serde_json::json;

#[test]
fn state_callbacks_take_consecutive_string_refs_from_the_socket_counter() {
    // spec §2.3: each of onOpen/onClose/onError/onMessage consumes one makeRef().
    let mut h = Harness::new();
    let refs = [
        h.s.on_open("a"),
        h.s.on_close("b"),
        h.s.on_error("c"),
        h.s.on_message("d"),
    ];
    let got: Vec<String> = refs.iter().map(|r| r.to_js_string()).collect();
    assert_eq!(got, ["1", "2", "3", "4"]);
    assert_eq!(h.s.make_ref().to_js_string(), "5");
}

#[test]
fn a_channel_costs_two_socket_refs_and_three_binding_refs() {
    // spec §3.1: onError + onOpen hooks take refs "1" and "2"; bindings 0–2 are internal.
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    assert_eq!(h.s.ref_counter(), 2);
    assert_eq!(h.on(ch, "ev", "user"), 3);
    assert_eq!(h.s.channel_binding_refs(ch, "phx_close"), [0]);
    assert_eq!(h.s.channel_binding_refs(ch, "phx_error"), [1]);
    assert_eq!(h.s.channel_binding_refs(ch, "phx_reply"), [2]);
}

#[test]
fn off_removes_callbacks_by_ref_from_every_list() {
    let mut h = Harness::new();
    let first = h.s.on_open("first");
    h.s.on_open("second");
    let closing = h.s.on_close("closing");
    h.s.off(&[first, closing]);
    h.connected();
    assert_eq!(h.take_calls(), ["open second"]);
    h.server_close(1006);
    assert!(h.take_calls().iter().all(|c| !c.contains("closing")));
}

#[test]
fn connect_is_idempotent_while_a_connection_exists() {
    let mut h = Harness::new();
    h.connect();
    h.s.connect(h.now);
    h.drain();
    assert_eq!(h.connects.len(), 1);
    assert_eq!(h.s.connection_state(), "connecting");
}

#[test]
fn connection_state_follows_the_transport() {
    let mut h = Harness::new();
    assert_eq!(h.s.connection_state(), "closed");
    assert!(!h.s.is_connected());
    h.connect();
    assert_eq!(h.s.connection_state(), "connecting");
    h.open();
    assert_eq!(h.s.connection_state(), "open");
    assert!(h.s.is_connected());
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    assert_eq!(h.s.connection_state(), "closing");
    h.server_close(1000);
    h.advance(200.0);
    assert_eq!(h.s.connection_state(), "closed");
    assert_eq!(h.s.current_connection(), None);
}

#[test]
fn wire_walkthrough_of_spec_section_9() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    let jp = h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    // 2. The join takes ref "3" and is buffered until the socket opens.
    assert!(h.sent.is_empty());
    assert_eq!(h.s.send_buffer_len(), 1);
    h.connect();
    h.open();
    // 4. On open the buffer is flushed.
    assert_eq!(h.take_sent(), [r#"["3","3","room:1","phx_join",{}]"#]);
    // 5. The reply joins the channel.
    h.recv(r#"["3","3","room:1","phx_reply",{"response":{},"status":"ok"}]"#);
    assert_eq!(h.s.channel_state(ch).unwrap().as_str(), "joined");
    assert_eq!(h.s.push_received(jp).unwrap().status.as_deref(), Some("ok"));
    // 4. After 30 s the first heartbeat.
    h.advance(29_999.0);
    assert!(h.sent.is_empty());
    h.advance(1.0);
    assert_eq!(h.take_sent(), [r#"[null,"4","phoenix","heartbeat",{}]"#]);
}

#[test]
fn a_heartbeat_reply_schedules_the_next_heartbeat_one_interval_later() {
    let mut h = Harness::new();
    h.connected();
    h.advance(30_000.0);
    assert_eq!(h.take_sent(), [r#"[null,"1","phoenix","heartbeat",{}]"#]);
    h.advance(5_000.0);
    h.recv(r#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#);
    h.advance(29_999.0);
    assert!(h.sent.is_empty());
    h.advance(1.0);
    assert_eq!(h.take_sent(), [r#"[null,"2","phoenix","heartbeat",{}]"#]);
    assert!(h.closes.is_empty());
}

#[test]
fn a_missed_heartbeat_closes_with_1000_errors_channels_and_reconnects_after_10ms() {
    // spec §2.4 "Missed heartbeat", 1.8.16 order.
    let mut h = Harness::with_logger();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "phx_error", "err");
    h.take_calls();
    h.advance(30_000.0); // heartbeat sent
    h.advance(30_000.0); // no reply: timeout
    assert_eq!(
        h.closes.last().map(|c| (c.1, c.2.as_str())),
        Some((Some(1000), "heartbeat timeout"))
    );
    assert!(h
        .logs
        .iter()
        .any(|l| l == "transport: heartbeat timeout. Attempting to re-establish connection"));
    let calls = h.take_calls();
    assert_eq!(
        calls,
        [format!(
            r#"dispatch phx_error {{"reason":"heartbeat_timeout","source":"transport"}} ref=undefined join_ref={jr} [err]"#
        )]
    );
    assert_eq!(h.s.channel_state(ch).unwrap().as_str(), "errored");
    // The transport reports the close; teardown completes; the reconnect follows 10 ms later.
    let connects = h.connects.len();
    h.server_close(1000);
    h.advance(150.0);
    h.advance(10.0);
    assert_eq!(h.connects.len(), connects + 1);
}

#[test]
fn heartbeats_are_skipped_on_transports_that_ask_for_it() {
    // LongPoll sets skipHeartbeat (spec §2.4 "Heartbeat").
    let mut h = Harness::new();
    let conn = h.connect();
    h.s.handle_open(conn, h.now, true);
    h.drain();
    h.advance(120_000.0);
    assert!(h.sent.is_empty());
    assert!(h.closes.is_empty());
}

#[test]
fn the_send_buffer_flushes_on_open_before_the_open_callbacks_run() {
    let mut h = Harness::new();
    h.s.on_open("opened");
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    let conn = h.connect();
    h.s.handle_open(conn, h.now, false);
    let mut order = Vec::new();
    while let Some(e) = h.s.poll_effect() {
        order.push(match e {
            phoenix_wasm::core::Effect::Transmit { .. } => "transmit",
            phoenix_wasm::core::Effect::Callback(_) => "callback",
            _ => "other",
        });
    }
    assert_eq!(order, ["transmit", "callback"]);
}

#[test]
fn the_send_buffer_is_kept_across_a_failed_connection() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    h.connect();
    h.server_close(1006);
    assert_eq!(h.s.send_buffer_len(), 1);
    h.advance(10.0);
    h.open();
    assert_eq!(h.take_sent().len(), 1);
    assert_eq!(h.s.send_buffer_len(), 0);
}

#[test]
fn reconnects_follow_the_default_schedule_and_stay_at_5s() {
    let mut h = Harness::new();
    h.connect();
    let mut delays = Vec::new();
    for _ in 0..11 {
        let before = h.now;
        h.server_close(1006);
        let n = h.connects.len();
        while h.connects.len() == n {
            h.advance(1.0);
        }
        delays.push(h.now - before);
    }
    assert_eq!(
        delays,
        [10., 50., 100., 150., 200., 250., 500., 1000., 2000., 5000., 5000.]
    );
}

#[test]
fn reconnect_tries_reset_when_a_connection_opens() {
    let mut h = Harness::new();
    h.connect();
    for _ in 0..3 {
        h.server_close(1006);
        h.advance(1_000.0);
    }
    assert_eq!(h.s.reconnect_tries(), 3);
    h.open();
    assert_eq!(h.s.reconnect_tries(), 0);
    h.server_close(1006);
    let n = h.connects.len();
    h.advance(10.0);
    assert_eq!(h.connects.len(), n + 1);
}

#[test]
fn a_server_close_with_code_1000_reconnects_in_1_8_16() {
    let mut h = Harness::new();
    h.connected();
    h.server_close(1000);
    h.advance(10.0);
    assert_eq!(h.connects.len(), 2);
}

#[test]
fn a_custom_reconnect_schedule_is_called_with_tries() {
    let opts = SocketOptions {
        reconnect_after_ms: Box::new(|tries| f64::from(tries) * 1000.0),
        ..SocketOptions::default()
    };
    let mut h = Harness::with(opts);
    h.connect();
    h.server_close(1006);
    h.advance(999.0);
    assert_eq!(h.connects.len(), 1);
    h.advance(1.0);
    assert_eq!(h.connects.len(), 2);
    h.server_close(1006);
    h.advance(1999.0);
    assert_eq!(h.connects.len(), 2);
    h.advance(1.0);
    assert_eq!(h.connects.len(), 3);
}

#[test]
fn disconnect_closes_without_reconnecting_and_calls_back_after_teardown() {
    let mut h = Harness::new();
    h.connected();
    h.s.disconnect(h.now, Some("bye"), Some(4000), Some("going away".into()));
    h.drain();
    assert_eq!(
        h.closes.last().map(|c| (c.1, c.2.clone())),
        Some((Some(4000), "going away".to_owned()))
    );
    assert!(h.take_calls().is_empty());
    h.advance(20.0);
    h.server_close(4000);
    h.advance(150.0);
    assert_eq!(
        h.take_calls().iter().filter(|c| *c == "done bye").count(),
        1
    );
    h.advance(60_000.0);
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn disconnect_without_a_connection_calls_back_at_once() {
    let mut h = Harness::new();
    h.s.disconnect(h.now, Some("cb"), None, None);
    h.drain();
    assert_eq!(h.take_calls(), ["done cb"]);
}

#[test]
fn disconnect_gives_up_waiting_for_the_close_after_four_polls() {
    // spec §2.3 teardown: polls at 150, 300, 450, 600 ms, then the callback regardless.
    let mut h = Harness::new();
    h.connected();
    h.s.disconnect(h.now, Some("cb"), None, None);
    h.drain();
    h.advance(1_499.0);
    assert!(h.calls.iter().all(|c| c != "done cb"));
    h.advance(1.0);
    assert!(h.calls.iter().any(|c| c == "done cb"));
    assert_eq!(h.s.connection_state(), "closed");
}

#[test]
fn disconnect_waits_for_the_buffer_to_drain_before_closing() {
    let mut h = Harness::new();
    let conn = h.connected();
    h.s.set_buffered_amount(conn, 10);
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    assert!(h.closes.is_empty());
    h.s.set_buffered_amount(conn, 0);
    h.advance(150.0);
    assert_eq!(h.closes.len(), 1);
}

#[test]
fn disconnect_errors_joined_channels_with_connection_closed() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    assert_eq!(h.s.channel_state(ch).unwrap().as_str(), "errored");
}

#[test]
fn connect_right_after_disconnect_opens_a_new_connection_at_once() {
    let mut h = Harness::new();
    let first = h.connected();
    h.s.disconnect(h.now, None, None, None);
    h.s.connect(h.now);
    h.drain();
    assert_eq!(h.connects.len(), 2);
    assert_ne!(h.conn, Some(first));
}

#[test]
fn channels_rejoin_when_the_socket_reconnects_after_disconnect() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.server_close(1000);
    h.advance(200.0);
    h.take_sent();
    h.connected();
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("phx_join"));
    assert!(!sent[0].starts_with(&format!(r#"["{jr}""#)));
    assert_eq!(h.s.channel_state(ch).unwrap().as_str(), "joining");
}

#[test]
fn events_from_a_replaced_connection_are_ignored() {
    let mut h = Harness::new();
    let old = h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "msg", "m");
    h.s.replace_transport(h.now);
    h.drain();
    h.connected();
    h.take_calls();
    h.recv_on(old, &format!(r#"["{jr}",null,"room:1","msg",{{}}]"#));
    assert!(h.take_calls().is_empty());
}

#[test]
fn replace_transport_closes_errors_open_channels_and_does_not_connect() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    let clock = h.s.connect_clock();
    let returned = h.s.replace_transport(h.now);
    h.drain();
    assert_eq!(returned, clock + 1);
    assert_eq!(h.closes.len(), 1);
    assert_eq!(h.s.channel_state(ch).unwrap().as_str(), "errored");
    assert_eq!(h.s.connection_state(), "closed");
    h.advance(60_000.0);
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn error_callbacks_get_the_established_count_and_channels_error_with_connection_error() {
    let mut h = Harness::new();
    h.s.on_error("e");
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.on(ch, "phx_error", "chan");
    h.take_calls();
    h.transport_error();
    let calls = h.take_calls();
    assert_eq!(calls[0], r#"error e "error" 1"#);
    assert!(calls[1]
        .starts_with(r#"dispatch phx_error {"reason":"connection_error","source":"transport"}"#));
}

#[test]
fn errors_after_we_closed_the_transport_are_ignored() {
    let mut h = Harness::new();
    h.s.on_error("e");
    h.connected();
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.take_calls();
    h.transport_error();
    assert!(h.take_calls().is_empty());
}

#[test]
fn close_callbacks_get_the_close_event() {
    let mut h = Harness::new();
    h.s.on_close("c");
    h.connected();
    h.server_close(1011);
    assert_eq!(h.take_calls(), [r#"close c {"code":1011}"#]);
}

#[test]
fn message_callbacks_run_for_every_message_after_channel_dispatch() {
    let mut h = Harness::new();
    h.s.on_message("all");
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "news", "chan");
    h.take_calls();
    h.recv(&format!(r#"["{jr}",null,"room:1","news",{{}}]"#));
    h.recv(r#"[null,null,"other:topic","news",{}]"#);
    assert_eq!(
        h.take_calls(),
        [
            format!("dispatch news {{}} ref=- join_ref={jr} [chan]"),
            "message all room:1 news".to_owned(),
            "message all other:topic news".to_owned(),
        ]
    );
}

#[test]
fn messages_before_open_are_ignored() {
    let mut h = Harness::new();
    h.s.on_message("all");
    h.connect();
    h.recv(r#"[null,null,"t","e",{}]"#);
    assert!(h.take_calls().is_empty());
}

#[test]
fn ping_is_false_when_not_connected() {
    let mut h = Harness::new();
    assert!(!h.s.ping(h.now, "p"));
    h.connect();
    assert!(!h.s.ping(h.now, "p"));
}

#[test]
fn ping_sends_a_heartbeat_and_reports_the_round_trip() {
    let mut h = Harness::new();
    h.connected();
    assert!(h.s.ping(h.now, "p"));
    h.drain();
    assert_eq!(h.take_sent(), [r#"[null,"1","phoenix","heartbeat",{}]"#]);
    h.advance(42.0);
    h.recv(r#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#);
    assert_eq!(h.take_calls(), ["ping p 42"]);
}

#[test]
fn pings_pending_on_a_replaced_connection_never_answer() {
    let mut h = Harness::new();
    let old = h.connected();
    h.s.ping(h.now, "p");
    h.drain();
    h.s.replace_transport(h.now);
    h.drain();
    h.connected();
    h.recv(r#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#);
    h.recv_on(
        old,
        r#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#,
    );
    assert!(h.take_calls().iter().all(|c| !c.starts_with("ping")));
}

#[test]
fn the_reconnect_timer_does_not_reconnect_while_the_page_is_hidden() {
    let mut h = Harness::with_logger();
    h.connected();
    h.s.set_page_hidden(true);
    h.server_close(1006);
    h.advance(10_000.0);
    assert_eq!(h.connects.len(), 1);
    assert!(h
        .logs
        .iter()
        .any(|l| l.starts_with("Not reconnecting as page is hidden!")));
}

#[test]
fn becoming_visible_after_an_unclean_close_reconnects_at_once() {
    let mut h = Harness::new();
    h.connected();
    h.s.set_page_hidden(true);
    h.server_close(1006);
    h.advance(10_000.0);
    h.s.handle_visibility_change(h.now, false);
    h.drain();
    assert_eq!(h.connects.len(), 2);
    assert_eq!(h.s.reconnect_tries(), 0);
}

#[test]
fn becoming_visible_after_a_clean_disconnect_does_nothing() {
    let mut h = Harness::new();
    h.connected();
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.server_close(1000);
    h.advance(1_000.0);
    h.s.handle_visibility_change(h.now, false);
    h.drain();
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn becoming_visible_never_connects_a_socket_that_was_never_connected() {
    let mut h = Harness::new();
    h.s.handle_visibility_change(h.now, false);
    h.drain();
    assert!(h.connects.is_empty());
}

#[test]
fn pagehide_disconnects_and_pageshow_reconnects() {
    let mut h = Harness::new();
    h.connected();
    h.s.handle_pagehide(h.now);
    h.drain();
    assert_eq!(h.closes.len(), 1);
    h.server_close(1000);
    h.advance(200.0);
    h.s.handle_pageshow(h.now);
    h.drain();
    assert_eq!(h.connects.len(), 2);
}

#[test]
fn pageshow_does_not_reconnect_if_the_user_disconnected_meanwhile() {
    let mut h = Harness::new();
    h.connected();
    h.s.handle_pagehide(h.now);
    h.drain();
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.s.handle_pageshow(h.now);
    h.drain();
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn push_and_receive_log_lines_match_phoenix_js() {
    // spec §2.8.
    let mut h = Harness::with_logger();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.logs.clear();
    h.s.channel_push(ch, h.now, "ping", json!({"a":1}), None)
        .unwrap();
    h.drain();
    h.recv(&format!(
        r#"["{jr}","4","room:1","phx_reply",{{"response":{{}},"status":"ok"}}]"#
    ));
    assert_eq!(
        h.logs,
        [
            format!("push: room:1 ping ({jr}, 4)"),
            "receive: ok room:1 phx_reply (4)".to_owned()
        ]
    );
}

#[test]
fn heartbeat_push_logs_an_undefined_join_ref() {
    let mut h = Harness::with_logger();
    h.connected();
    h.logs.clear();
    h.advance(30_000.0);
    assert_eq!(h.logs, ["push: phoenix heartbeat (undefined, 1)"]);
}

#[test]
fn nothing_is_logged_without_a_logger() {
    let mut h = Harness::new();
    h.connected();
    h.joined("room:1");
    h.advance(60_000.0);
    assert!(h.logs.is_empty());
}

#[test]
fn a_socket_push_while_disconnected_waits_for_the_next_open() {
    let mut h = Harness::new();
    h.s.push(
        phoenix_wasm::core::Outgoing {
            join_ref: None,
            ref_: Some(Ref(99)),
            topic: "raw".into(),
            event: "hello".into(),
            payload: json!({"x": 1}),
            raw: false,
        },
        None,
    );
    h.connected();
    assert_eq!(h.take_sent(), [r#"[null,"99","raw","hello",{"x":1}]"#]);
}

#[test]
fn channel_errors_from_one_connection_are_not_repeated_for_channels_joined_after() {
    // 1.8.16 triggerChanError de-duplicates per connection.
    let mut h = Harness::new();
    h.connected();
    let (a, _) = h.joined("room:a");
    h.on(a, "phx_error", "a");
    h.transport_error();
    h.take_calls();
    // The close of the same connection does not error the (already errored) channel again.
    h.server_close(1006);
    assert!(h
        .take_calls()
        .iter()
        .all(|c| !c.starts_with("dispatch phx_error")));
}
