//! The channel and push engines against spec §3 (every row of the state table in §3.3)
//! and §4, in simulated time.

mod common;

use common::Harness;
use phoenix_wasm::core::{BindingCallback, ChannelError, PushRef, SocketOptions};
use serde_json::json;

fn state(h: &Harness, ch: phoenix_wasm::core::ChannelKey) -> &'static str {
    h.s.channel_state(ch).map_or("gone", |s| s.as_str())
}

fn reply(jr: &str, r: &str, topic: &str, status: &str, response: &str) -> String {
    format!(r#"["{jr}","{r}","{topic}","phx_reply",{{"response":{response},"status":"{status}"}}]"#)
}

// ------------------------------------------------------------------ §3.3 state table

#[test]
fn closed_join_becomes_joining_with_the_join_pushed() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    assert_eq!(state(&h, ch), "closed");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    assert_eq!(state(&h, ch), "joining");
    assert_eq!(h.take_sent(), [r#"["3","3","room:1","phx_join",{}]"#]);
}

#[test]
fn the_join_frame_uses_join_ref_equal_to_ref_and_the_channel_params() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.s.channel("room:1", json!({"device": "phone"}));
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    assert_eq!(
        h.take_sent(),
        [r#"["3","3","room:1","phx_join",{"device":"phone"}]"#]
    );
    assert_eq!(
        h.s.channel_join_ref(ch),
        PushRef::Set(phoenix_wasm::core::Ref(3))
    );
}

#[test]
fn joining_reply_ok_joins_resets_rejoin_and_flushes_the_push_buffer() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.s.channel_push(ch, h.now, "early", json!({"n": 1}), None)
        .unwrap();
    h.drain();
    assert_eq!(h.s.channel_push_buffer_len(ch), 1);
    h.take_sent();
    h.recv(&reply("3", "3", "room:1", "ok", "{}"));
    assert_eq!(state(&h, ch), "joined");
    assert_eq!(h.s.channel_push_buffer_len(ch), 0);
    // The buffered push is sent with a new ref (5; 4 was taken when it was buffered).
    assert_eq!(h.take_sent(), [r#"["3","5","room:1","early",{"n":1}]"#]);
}

#[test]
fn joining_reply_error_errors_and_retries_with_the_rejoin_schedule() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:forbidden");
    let jp = h.s.channel_join(ch, h.now, None).unwrap();
    h.s.push_receive(jp, "error", "rejected");
    h.drain();
    let mut times = Vec::new();
    let start = h.now;
    for _ in 0..5 {
        let sent = h.take_sent();
        let frame = sent.last().expect("a join frame").clone();
        let jr: serde_json::Value = serde_json::from_str(&frame).unwrap();
        let jr = jr[0].as_str().unwrap().to_owned();
        times.push(h.now - start);
        h.recv(&reply(
            &jr,
            &jr,
            "room:forbidden",
            "error",
            r#"{"reason":"unauthorized"}"#,
        ));
        assert_eq!(state(&h, ch), "errored");
        while h.sent.is_empty() {
            h.advance(100.0);
        }
    }
    // Joins at 0, then 1000, 2000, 5000, 10000 ms after each rejection.
    let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps, [1000., 2000., 5000., 10000.]);
    assert_eq!(
        h.take_calls()
            .iter()
            .filter(|c| *c == r#"receive rejected {"reason":"unauthorized"}"#)
            .count(),
        5
    );
}

#[test]
fn joining_timeout_sends_a_leave_errors_resets_and_schedules_a_rejoin() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    let jp = h.s.channel_join(ch, h.now, Some(500.0)).unwrap();
    h.s.push_receive(jp, "timeout", "slow");
    h.drain();
    h.take_sent();
    h.advance(500.0);
    assert_eq!(h.take_sent(), [r#"["3","4","room:1","phx_leave",{}]"#]);
    assert_eq!(state(&h, ch), "errored");
    assert_eq!(h.s.channel_join_ref(ch), PushRef::Null);
    assert!(h.take_calls().contains(&"receive slow {}".to_owned()));
    h.advance(1000.0);
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("phx_join"));
    assert_eq!(state(&h, ch), "joining");
}

#[test]
fn joined_server_error_errors_and_rejoins_with_a_new_join_ref() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.s.channel_on(ch, "phx_error", BindingCallback::PayloadOnly("onError"))
        .unwrap();
    h.take_calls();
    h.take_sent();
    h.recv(&format!(
        r#"["{jr}","{jr}","room:1","phx_error",{{"reason":"channel_crash"}}]"#
    ));
    assert_eq!(state(&h, ch), "errored");
    let calls = h.take_calls();
    assert_eq!(
        calls,
        [format!(
            r#"dispatch phx_error {{"reason":"channel_crash"}} ref={jr} join_ref={jr} [onError(payload)]"#
        )]
    );
    h.advance(999.0);
    assert!(h.sent.is_empty());
    h.advance(1.0);
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(
        !sent[0].starts_with(&format!(r#"["{jr}""#)),
        "new join ref: {sent:?}"
    );
}

#[test]
fn joining_transport_error_resets_the_join_push() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    h.transport_error();
    assert_eq!(state(&h, ch), "errored");
    assert_eq!(h.s.channel_join_ref(ch), PushRef::Null);
}

#[test]
fn errored_rejoin_timer_rejoins_only_while_connected() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.recv(&format!(r#"["{jr}","{jr}","room:1","phx_error",{{}}]"#));
    // The socket drops before the rejoin timer fires: no join goes out.
    h.server_close(1006);
    h.take_sent();
    h.advance(1000.0);
    assert!(h.sent.iter().all(|f| !f.contains("phx_join")));
    assert_eq!(state(&h, ch), "errored");
}

#[test]
fn errored_channel_rejoins_when_the_socket_opens() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.server_close(1006);
    assert_eq!(state(&h, ch), "errored");
    h.advance(10.0);
    h.take_sent();
    h.open();
    assert_eq!(state(&h, ch), "joining");
    assert!(h.take_sent()[0].contains("phx_join"));
}

#[test]
fn leave_closes_at_once_removes_the_channel_and_reports_leave_to_on_close() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "phx_close", "closed");
    h.take_calls();
    h.take_sent();
    let lp = h.s.channel_leave(ch, h.now, None).unwrap();
    h.drain();
    assert_eq!(state(&h, ch), "closed");
    assert!(h.s.channels().is_empty());
    assert_eq!(
        h.take_sent(),
        [format!(r#"["{jr}","4","room:1","phx_leave",{{}}]"#)]
    );
    assert_eq!(
        h.take_calls(),
        [format!(
            r#"dispatch phx_close "leave" ref=undefined join_ref={jr} [closed]"#
        )]
    );
    // The returned push already received ok.
    h.s.push_receive(lp, "ok", "left");
    h.drain();
    assert_eq!(h.take_calls(), ["receive left {}"]);
}

#[test]
fn leave_while_disconnected_drops_the_buffered_leave() {
    // 1.8.16 drops a buffered leave of a closed channel.
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.server_close(1006);
    h.s.channel_leave(ch, h.now, None);
    h.drain();
    assert_eq!(h.s.send_buffer_len(), 1);
    h.advance(10.0);
    h.take_sent();
    h.open();
    assert!(h.take_sent().is_empty());
}

#[test]
fn server_close_with_matching_join_ref_closes_and_removes_the_channel() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "phx_close", "closed");
    h.take_calls();
    h.recv(&format!(r#"["{jr}","{jr}","room:1","phx_close",{{}}]"#));
    assert_eq!(state(&h, ch), "closed");
    assert!(h.s.channels().is_empty());
    assert_eq!(
        h.take_calls(),
        [format!(
            "dispatch phx_close {{}} ref={jr} join_ref={jr} [closed]"
        )]
    );
}

#[test]
fn server_close_without_join_ref_closes_too() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.recv(r#"[null,null,"room:1","phx_close",{}]"#);
    assert_eq!(state(&h, ch), "closed");
}

#[test]
fn a_second_channel_joining_the_same_topic_makes_the_first_leave() {
    let mut h = Harness::with_logger();
    h.connected();
    let (first, _) = h.joined("room:1");
    let second = h.channel("room:1");
    h.s.channel_join(second, h.now, None).unwrap();
    h.drain();
    assert_eq!(state(&h, first), "closed");
    assert_eq!(state(&h, second), "joining");
    assert_eq!(h.s.channels(), [second]);
    assert!(h
        .logs
        .iter()
        .any(|l| l == r#"transport: leaving duplicate topic "room:1""#));
}

// ------------------------------------------------------------------------ §3.2 methods

#[test]
fn join_twice_is_an_error_with_phoenix_js_message() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    let err = h.s.channel_join(ch, h.now, None).unwrap_err();
    assert_eq!(err, ChannelError::JoinedTwice);
    assert_eq!(
        err.message(),
        "tried to join multiple times. 'join' can only be called a single time per channel instance"
    );
}

#[test]
fn push_before_join_is_an_error_with_phoenix_js_message() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    let err =
        h.s.channel_push(ch, h.now, "ev", json!({}), None)
            .unwrap_err();
    assert_eq!(
        err.message(),
        "tried to push 'ev' to 'room:1' before joining. Use channel.join() before pushing events"
    );
}

#[test]
fn join_timeout_becomes_the_channel_default_timeout() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    assert_eq!(h.s.channel_timeout(ch), Some(10_000.0));
    h.s.channel_join(ch, h.now, Some(2_500.0)).unwrap();
    assert_eq!(h.s.channel_timeout(ch), Some(2_500.0));
    let p = h.s.channel_push(ch, h.now, "ev", json!({}), None).unwrap();
    assert_eq!(h.s.push_timeout(p), Some(2_500.0));
}

#[test]
fn join_ref_is_undefined_before_the_first_join() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    assert_eq!(h.s.channel_join_ref(ch), PushRef::Undefined);
    assert_eq!(h.s.channel_join_ref(ch).to_js_string(), "undefined");
}

#[test]
fn join_ok_hooks_fire_on_every_successful_rejoin() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    let jp = h.s.channel_join(ch, h.now, None).unwrap();
    h.s.push_receive(jp, "ok", "joined");
    h.drain();
    h.recv(&reply("3", "3", "room:1", "ok", r#"{"n":1}"#));
    h.recv(r#"["3","3","room:1","phx_error",{}]"#);
    h.advance(1000.0);
    let jr = h.s.channel_join_ref(ch).to_js_string();
    h.recv(&reply(&jr, &jr, "room:1", "ok", r#"{"n":2}"#));
    let joins: Vec<String> = h
        .take_calls()
        .into_iter()
        .filter(|c| c.starts_with("receive joined"))
        .collect();
    assert_eq!(
        joins,
        [r#"receive joined {"n":1}"#, r#"receive joined {"n":2}"#]
    );
}

#[test]
fn push_replies_route_to_the_receive_hooks_of_their_status() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let p =
        h.s.channel_push(ch, h.now, "ping", json!({"a": 1}), None)
            .unwrap();
    h.s.push_receive(p, "ok", "ok-hook");
    h.s.push_receive(p, "error", "error-hook");
    h.drain();
    assert_eq!(
        h.take_sent().last().unwrap(),
        &format!(r#"["{jr}","4","room:1","ping",{{"a":1}}]"#)
    );
    h.recv(&reply(&jr, "4", "room:1", "ok", r#"{"a":1}"#));
    let calls: Vec<String> = h
        .take_calls()
        .into_iter()
        .filter(|c| c.starts_with("receive"))
        .collect();
    assert_eq!(calls, [r#"receive ok-hook {"a":1}"#]);
}

#[test]
fn a_push_times_out_and_a_late_reply_is_ignored() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let p =
        h.s.channel_push(ch, h.now, "noreply", json!({}), Some(1_000.0))
            .unwrap();
    h.s.push_receive(p, "timeout", "t");
    h.s.push_receive(p, "ok", "o");
    h.drain();
    h.advance(999.0);
    assert!(h.take_calls().is_empty());
    h.advance(1.0);
    assert_eq!(h.take_calls(), ["receive t {}"]);
    h.recv(&reply(&jr, "4", "room:1", "ok", "{}"));
    assert!(h.take_calls().is_empty());
    assert_eq!(
        h.s.push_received(p).unwrap().status.as_deref(),
        Some("timeout")
    );
}

#[test]
fn receive_after_the_reply_calls_back_at_once() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let p =
        h.s.channel_push(ch, h.now, "ping", json!({}), None)
            .unwrap();
    h.drain();
    h.recv(&reply(&jr, "4", "room:1", "error", r#"{"reason":"nope"}"#));
    h.s.push_receive(p, "error", "late");
    h.drain();
    assert_eq!(h.take_calls(), [r#"receive late {"reason":"nope"}"#]);
}

#[test]
fn a_buffered_push_starts_its_timeout_when_pushed_and_is_never_sent_after_it() {
    let mut h = Harness::new();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    let p =
        h.s.channel_push(ch, h.now, "ev", json!({}), Some(1_000.0))
            .unwrap();
    h.s.push_receive(p, "timeout", "t");
    h.drain();
    h.advance(1_000.0);
    assert_eq!(h.take_calls(), ["receive t {}"]);
    h.connected();
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1, "only the join: {sent:?}");
    h.recv(&reply("3", "3", "room:1", "ok", "{}"));
    assert!(h.take_sent().is_empty());
}

#[test]
fn a_push_made_during_an_outage_is_delivered_once_after_the_rejoin() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.server_close(1006);
    let p =
        h.s.channel_push(ch, h.now, "msg", json!({"body": "hi"}), None)
            .unwrap();
    h.s.push_receive(p, "ok", "delivered");
    h.s.push_receive(p, "timeout", "lost");
    h.drain();
    h.advance(10.0);
    h.take_sent();
    h.open();
    let join = h.take_sent();
    assert_eq!(join.len(), 1);
    let jr: serde_json::Value = serde_json::from_str(&join[0]).unwrap();
    let jr = jr[0].as_str().unwrap().to_owned();
    h.recv(&reply(&jr, &jr, "room:1", "ok", "{}"));
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1);
    let msg: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(msg[3], "msg");
    h.recv(&reply(&jr, msg[1].as_str().unwrap(), "room:1", "ok", "{}"));
    h.advance(60_000.0);
    let outcomes: Vec<String> = h
        .take_calls()
        .into_iter()
        .filter(|c| c.contains("delivered") || c.contains("lost"))
        .collect();
    assert_eq!(outcomes, ["receive delivered {}"]);
}

#[test]
fn on_returns_consecutive_binding_refs_and_off_removes_by_ref_or_all() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let a = h.on(ch, "ev", "a");
    let b = h.on(ch, "ev", "b");
    let c = h.on(ch, "ev", "c");
    assert_eq!((b, c), (a + 1, a + 2));
    h.s.channel_off(ch, "ev", Some(b));
    h.take_calls();
    h.recv(&format!(r#"["{jr}",null,"room:1","ev",{{}}]"#));
    assert_eq!(
        h.take_calls(),
        [format!("dispatch ev {{}} ref=- join_ref={jr} [a,c]")]
    );
    h.s.channel_off(ch, "ev", None);
    h.recv(&format!(r#"["{jr}",null,"room:1","ev",{{}}]"#));
    assert!(h.take_calls().is_empty());
}

#[test]
fn messages_with_a_stale_join_ref_are_dropped_and_broadcasts_accepted() {
    let mut h = Harness::with_logger();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "ev", "e");
    h.take_calls();
    h.recv(r#"["999",null,"room:1","ev",{"stale":true}]"#);
    assert!(h.take_calls().is_empty());
    assert!(h
        .logs
        .iter()
        .any(|l| l == "channel: dropping outdated message"));
    h.recv(r#"[null,null,"room:1","ev",{"broadcast":true}]"#);
    // A broadcast's callback join ref falls back to the channel's own.
    assert_eq!(
        h.take_calls(),
        [format!(
            r#"dispatch ev {{"broadcast":true}} ref=- join_ref={jr} [e]"#
        )]
    );
}

#[test]
fn messages_for_other_topics_do_not_reach_the_channel() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    h.on(ch, "ev", "e");
    h.take_calls();
    h.recv(r#"[null,null,"room:2","ev",{}]"#);
    assert!(h.take_calls().is_empty());
}

#[test]
fn a_set_message_hook_dispatches_even_without_bindings() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.s.channel_set_message_hook(ch, true);
    h.take_calls();
    h.recv(&format!(r#"["{jr}",null,"room:1","unbound",{{}}]"#));
    assert_eq!(
        h.take_calls(),
        [format!("dispatch unbound {{}} ref=- join_ref={jr} []")]
    );
}

#[test]
fn reply_events_dispatch_to_user_bindings_on_chan_reply_names() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let p =
        h.s.channel_push(ch, h.now, "ping", json!({}), None)
            .unwrap();
    h.drain();
    let r = h.s.push_ref(p).to_js_string();
    let name: &'static str = Box::leak(format!("chan_reply_{r}").into_boxed_str());
    h.on(ch, name, "spy");
    h.take_calls();
    h.recv(&reply(&jr, &r, "room:1", "ok", "{}"));
    let calls = h.take_calls();
    assert_eq!(
        calls,
        [format!(
            r#"dispatch {name} {{"response":{{}},"status":"ok"}} ref=undefined join_ref={jr} [spy]"#
        )]
    );
}

#[test]
fn the_socket_error_hook_resets_every_channel_rejoin_backoff() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.drain();
    for _ in 0..2 {
        let jr = h.s.channel_join_ref(ch).to_js_string();
        h.recv(&reply(&jr, &jr, "room:1", "error", "{}"));
        h.advance(5_000.0);
    }
    assert_eq!(h.s.channel_rejoin_tries(ch), 2);
    h.transport_error();
    assert_eq!(h.s.channel_rejoin_tries(ch), 0);
}

#[test]
fn a_custom_rejoin_schedule_is_used() {
    let opts = SocketOptions {
        rejoin_after_ms: Box::new(|_| 42.0),
        ..SocketOptions::default()
    };
    let mut h = Harness::with(opts);
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.recv(&format!(r#"["{jr}","{jr}","room:1","phx_error",{{}}]"#));
    h.take_sent();
    h.advance(42.0);
    assert_eq!(state(&h, ch), "joining");
    assert_eq!(h.take_sent().len(), 1);
}

#[test]
fn channel_errors_skip_channels_that_are_errored_leaving_or_closed() {
    let mut h = Harness::new();
    h.connected();
    let (a, jr) = h.joined("room:a");
    let (b, _) = h.joined("room:b");
    h.on(a, "phx_error", "a");
    h.on(b, "phx_error", "b");
    h.recv(&format!(r#"["{jr}","{jr}","room:a","phx_error",{{}}]"#));
    h.take_calls();
    h.server_close(1006);
    let calls = h.take_calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("dispatch phx_error"))
            .count(),
        1
    );
    assert!(calls[0].ends_with("[b]"));
}

#[test]
fn dispatch_uses_the_bindings_present_when_the_event_was_triggered() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "ev", "before");
    h.s.channel_trigger(ch, "ev", json!({}), None, None);
    h.on(ch, "ev", "after");
    h.drain();
    let calls = h.take_calls();
    assert_eq!(
        calls.last().unwrap(),
        &format!("dispatch ev {{}} ref=- join_ref={jr} [before]")
    );
}

// ---------------------------------------------------------------------- memory

#[test]
fn answered_pushes_are_freed_once_the_driver_lets_go() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let base = h.s.live_pushes();
    for _ in 0..1_000 {
        let p =
            h.s.channel_push(ch, h.now, "ping", json!({}), None)
                .unwrap();
        h.drain();
        let r = h.s.push_ref(p).to_js_string();
        h.recv(&reply(&jr, &r, "room:1", "ok", "{}"));
        h.s.release_push(p);
    }
    assert_eq!(h.s.live_pushes(), base);
    // Every timeout of those pushes was cancelled: the next deadline is the heartbeat.
    assert!(h.s.poll_timeout().unwrap() > h.now + 1_000.0);
}

#[test]
fn a_left_channel_is_freed_with_its_pushes_once_released() {
    let mut h = Harness::new();
    h.connected();
    let (ch, _) = h.joined("room:1");
    let lp = h.s.channel_leave(ch, h.now, None).unwrap();
    h.drain();
    h.s.release_push(lp);
    h.s.release_channel(ch);
    assert_eq!(h.s.live_channels(), 0);
    assert_eq!(h.s.live_pushes(), 0);
}

#[test]
fn a_released_channel_stays_alive_while_it_is_in_the_socket() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    h.on(ch, "ev", "still-here");
    h.s.release_channel(ch);
    h.take_calls();
    h.recv(&format!(r#"["{jr}",null,"room:1","ev",{{}}]"#));
    assert_eq!(h.take_calls().len(), 1);
    assert_eq!(h.s.live_channels(), 1);
}

#[test]
fn ten_thousand_join_leave_cycles_leave_nothing_behind() {
    let mut h = Harness::new();
    h.connected();
    for i in 0..10_000 {
        let topic = format!("room:{}", i % 7);
        let (ch, _) = h.joined(&topic);
        let lp = h.s.channel_leave(ch, h.now, None).unwrap();
        h.drain();
        h.s.release_push(lp);
        if let Some(jp) = h.s.channel_join_push(ch) {
            h.s.release_push(jp);
        }
        h.s.release_channel(ch);
        h.take_sent();
        h.take_calls();
    }
    assert_eq!(h.s.live_channels(), 0);
    assert_eq!(h.s.live_pushes(), 0);
    assert!(h.s.channels().is_empty());
}

// ------------------------------------------------------- pushes owned by the driver

/// The JS driver's pushes (`set_push_owner`): every reply reaches the owner as one
/// `Settle` after the hooks, and the engine frees the push at once; owning a push that was
/// already answered replays the reply; `push_revive` puts it in flight again.
#[test]
fn owned_pushes_settle_once_and_are_freed_at_once() {
    let mut h = Harness::new();
    h.connected();
    let (ch, jr) = h.joined("room:1");
    let base = h.s.live_pushes();
    for i in 0..100 {
        let p =
            h.s.channel_push(ch, h.now, "ping", json!({}), None)
                .unwrap();
        h.s.set_push_owner(p, json!(format!("push{i}")));
        h.drain();
        let r = h.s.push_ref(p).to_js_string();
        h.take_calls();
        h.recv(&reply(&jr, &r, "room:1", "ok", r#"{"n":1}"#));
        let calls = h.take_calls();
        assert_eq!(
            calls
                .iter()
                .filter(|c| c.starts_with("settle"))
                .collect::<Vec<_>>(),
            [&format!(
                r#"settle "push{i}" ok {{"n":1}} ref={r} sent=true"#
            )]
        );
        assert_eq!(h.s.live_pushes(), base, "freed at the reply");
    }
    // A timeout settles too, and frees.
    let p =
        h.s.channel_push(ch, h.now, "slow", json!({}), Some(50.0))
            .unwrap();
    h.s.set_push_owner(p, json!("slow"));
    h.drain();
    h.take_calls();
    h.advance(60.0);
    assert!(h
        .take_calls()
        .iter()
        .any(|c| c.starts_with(r#"settle "slow" timeout {}"#)));
    assert_eq!(h.s.live_pushes(), base);
    // Revived: sent again with the next ref, and settled again.
    let q =
        h.s.push_revive(
            ch,
            h.now,
            "ping".into(),
            json!({"again": true}),
            1000.0,
            json!("again"),
        )
        .unwrap();
    h.drain();
    let sent = h.take_sent();
    let r = h.s.push_ref(q).to_js_string();
    assert!(sent
        .iter()
        .any(|f| f.contains(&format!(r#""{r}","room:1","ping",{{"again":true}}"#))));
    h.recv(&reply(&jr, &r, "room:1", "error", "{}"));
    assert!(h
        .take_calls()
        .iter()
        .any(|c| c.starts_with(r#"settle "again" error"#)));
    assert_eq!(h.s.live_pushes(), base);
    // A leave on a channel that cannot push has its ok already: owning it replays it.
    h.server_close(1006);
    h.drain();
    let lp = h.s.channel_leave(ch, h.now, None).unwrap();
    h.drain();
    h.take_calls();
    h.s.set_push_owner(lp, json!("leave"));
    h.drain();
    assert!(h
        .take_calls()
        .iter()
        .any(|c| c.starts_with(r#"settle "leave" ok"#)));
}

/// The join push's settles carry no owner (the driver finds it from the channel, so the
/// engine holds no reference to it), on every rejoin.
#[test]
fn an_owned_join_push_settles_without_an_owner_on_every_join() {
    let mut h = Harness::new();
    h.connected();
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    h.s.own_join_push(ch);
    h.drain();
    let join = h
        .take_sent()
        .into_iter()
        .find(|f| f.contains("phx_join"))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&join).unwrap();
    let (jr, r) = (v[0].as_str().unwrap(), v[1].as_str().unwrap());
    h.take_calls();
    h.recv(&reply(jr, r, "room:1", "ok", "{}"));
    assert!(h
        .take_calls()
        .iter()
        .any(|c| c.starts_with("settle join ok {}")));
    // Owning it again after the reply replays it.
    h.s.own_join_push(ch);
    h.drain();
    assert!(h
        .take_calls()
        .iter()
        .any(|c| c.starts_with("settle join ok {}")));
    assert!(
        h.s.channel_join_push(ch).is_some(),
        "a join push lives with its channel"
    );
}
