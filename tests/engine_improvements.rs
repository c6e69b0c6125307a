//! The opt-in improvements of issue #11, driven through the engine in simulated time:
//! reconnect jitter, hidden-tab deferral, heartbeat timeout and callbacks, the `online`
//! probe, bounded buffers and `stats()`. Each is off by default (the other engine tests
//! check phoenix.js's behaviour with the defaults).

mod common;

use common::Harness;
use phoenix_wasm::core::{
    BufferLimits, DropPolicy, Improvements, Jitter, Outgoing, Ref, SocketOptions,
};
use serde_json::json;

/// A `random` source that returns `xs` in turn, then `last` forever.
fn randoms<const N: usize>(xs: [f64; N], last: f64) -> phoenix_wasm::core::jitter::Random {
    let mut xs = xs.into_iter();
    Box::new(move || xs.next().unwrap_or(last))
}

/// The ref of the first frame sent since the last look (a heartbeat or a ping).
fn first_sent_ref(h: &mut Harness) -> String {
    let frame: serde_json::Value = serde_json::from_str(&h.take_sent()[0]).unwrap();
    frame[1].as_str().unwrap().to_owned()
}

/// The server answers the frame with ref `r`.
fn reply(h: &mut Harness, r: &str, status: &str) {
    h.recv(&format!(
        r#"[null,"{r}","phoenix","phx_reply",{{"status":"{status}","response":{{}}}}]"#
    ));
}

/// Fails every connection attempt at once and returns the delays between attempts.
fn reconnect_delays(h: &mut Harness, attempts: usize) -> Vec<f64> {
    h.connected();
    h.server_close(1006);
    let mut delays = Vec::new();
    for _ in 0..attempts {
        let before = h.connects.len();
        let start = h.now;
        let mut waited = 0.0;
        while h.connects.len() == before && waited < 100_000.0 {
            h.advance(1.0);
            waited += 1.0;
        }
        delays.push(h.connects.last().map(|c| c.0).unwrap() - start);
        h.server_close(1006);
    }
    delays
}

#[test]
fn full_jitter_draws_each_reconnect_delay_below_the_schedule() {
    let mut h = Harness::with(SocketOptions {
        reconnect_after_ms: Box::new(|_| 1000.0),
        random: randoms([0.5, 0.25, 0.0], 0.9),
        improvements: Improvements {
            reconnect_jitter: Jitter::Full,
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    assert_eq!(reconnect_delays(&mut h, 4), [500.0, 250.0, 0.0, 900.0]);
}

#[test]
fn decorrelated_jitter_grows_from_the_first_delay_and_never_exceeds_the_schedule() {
    // Default schedule 10, 50, 100, 150, 200, … ms; the random number is always ~1, so
    // each delay is min(schedule, 3 × previous).
    let mut h = Harness::with(SocketOptions {
        random: randoms([], 0.999_999),
        improvements: Improvements {
            reconnect_jitter: Jitter::Decorrelated,
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    let delays: Vec<f64> = reconnect_delays(&mut h, 5)
        .iter()
        .map(|d| d.round())
        .collect();
    assert_eq!(delays, [10.0, 30.0, 90.0, 150.0, 200.0]);
}

#[test]
fn without_jitter_the_reconnect_delays_are_phoenix_js_schedule() {
    let mut h = Harness::new();
    assert_eq!(reconnect_delays(&mut h, 4), [10.0, 50.0, 100.0, 150.0]);
}

#[test]
fn a_hidden_tab_reconnects_after_a_random_deferral_when_opted_in() {
    let mut h = Harness::with(SocketOptions {
        random: randoms([0.25], 0.5),
        improvements: Improvements {
            hidden_reconnect_defer_ms: Some(60_000.0),
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    h.connected();
    h.s.set_page_hidden(true);
    h.server_close(1006);
    h.advance(10.0); // the scheduled reconnect: deferred by 0.25 × 60 s
    assert_eq!(h.connects.len(), 1);
    h.advance(14_999.0);
    assert_eq!(h.connects.len(), 1);
    h.advance(1.0);
    assert_eq!(h.connects.len(), 2, "reconnected while still hidden");
    assert_eq!(h.s.stats().reconnects.close, 1);
}

#[test]
fn becoming_visible_during_the_deferral_reconnects_at_once_and_only_once() {
    let mut h = Harness::with(SocketOptions {
        random: randoms([], 0.5),
        improvements: Improvements {
            hidden_reconnect_defer_ms: Some(60_000.0),
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    h.connected();
    h.s.set_page_hidden(true);
    h.server_close(1006);
    h.advance(1000.0);
    h.s.handle_visibility_change(h.now, false);
    h.drain();
    h.advance(1.0);
    assert_eq!(h.connects.len(), 2);
    h.advance(60_000.0);
    assert_eq!(h.connects.len(), 2, "the deferred reconnect was cancelled");
}

#[test]
fn heartbeat_timeout_ms_detects_a_dead_connection_sooner_than_the_interval() {
    let mut h = Harness::with(SocketOptions {
        improvements: Improvements {
            heartbeat_timeout_ms: Some(2000.0),
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    h.connected();
    h.advance(30_000.0);
    assert_eq!(h.take_sent().len(), 1, "the heartbeat");
    h.advance(1999.0);
    assert!(h.closes.is_empty());
    h.advance(1.0);
    assert_eq!(
        h.closes.last().map(|c| (c.1, c.2.as_str())),
        Some((Some(1000), "heartbeat timeout"))
    );
}

#[test]
fn on_heartbeat_reports_sent_then_ok_with_the_latency() {
    let mut h = Harness::new();
    h.connected();
    h.s.on_heartbeat("hb");
    h.advance(30_000.0);
    assert_eq!(h.take_calls(), ["heartbeat hb sent"]);
    let r = first_sent_ref(&mut h);
    h.advance(12.0);
    reply(&mut h, &r, "ok");
    assert_eq!(h.take_calls(), ["heartbeat hb ok 12"]);
    assert_eq!(h.s.stats().rtt_ms, Some(12.0));
    // the next one is answered with an error status
    h.advance(30_000.0);
    let r = first_sent_ref(&mut h);
    reply(&mut h, &r, "error");
    assert_eq!(
        h.take_calls(),
        ["heartbeat hb sent", "heartbeat hb error 0"]
    );
}

#[test]
fn on_heartbeat_reports_a_timeout_and_the_lost_connection() {
    let mut h = Harness::new();
    h.connected();
    h.s.on_heartbeat("hb");
    h.advance(60_000.0);
    assert_eq!(
        h.take_calls(),
        ["heartbeat hb sent", "heartbeat hb timeout"]
    );
    h.connected();
    h.take_calls();
    h.server_close(1006);
    assert_eq!(h.take_calls(), ["heartbeat hb disconnected"]);
}

#[test]
fn off_removes_heartbeat_callbacks() {
    let mut h = Harness::new();
    h.connected();
    let r = h.s.on_heartbeat("hb");
    h.s.off(&[r]);
    h.advance(30_000.0);
    assert!(h.take_calls().is_empty());
}

#[test]
fn online_probes_an_open_connection_with_a_heartbeat_at_once() {
    let mut h = Harness::with(SocketOptions {
        improvements: Improvements {
            probe_on_online: true,
            heartbeat_timeout_ms: Some(3000.0),
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    h.connected();
    h.advance(5000.0);
    h.s.handle_online(h.now);
    h.drain();
    let sent = h.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(r#""phoenix","heartbeat""#), "{sent:?}");
    // a second `online` while the probe is pending sends nothing more
    h.s.handle_online(h.now);
    h.drain();
    assert!(h.take_sent().is_empty());
    h.advance(3000.0);
    assert_eq!(
        h.closes.last().map(|c| c.2.as_str()),
        Some("heartbeat timeout")
    );
}

#[test]
fn online_is_ignored_unless_opted_in() {
    let mut h = Harness::new();
    h.connected();
    h.s.handle_online(h.now);
    h.drain();
    assert!(h.take_sent().is_empty());
}

#[test]
fn online_reconnects_at_once_when_a_reconnect_waits_for_its_backoff() {
    let mut h = Harness::with(SocketOptions {
        reconnect_after_ms: Box::new(|_| 5000.0),
        improvements: Improvements {
            probe_on_online: true,
            ..Improvements::default()
        },
        ..SocketOptions::default()
    });
    h.connected();
    h.server_close(1006);
    h.advance(100.0);
    h.s.handle_online(h.now);
    h.drain();
    h.advance(1.0);
    assert_eq!(h.connects.len(), 2);
    let stats = h.s.stats();
    assert_eq!((stats.reconnects.online, stats.reconnects.close), (1, 0));
    h.advance(10_000.0);
    assert_eq!(h.connects.len(), 2, "the backoff's reconnect was cancelled");
}

fn raw(n: u64) -> Outgoing<serde_json::Value> {
    Outgoing {
        join_ref: None,
        ref_: Some(Ref(n)),
        topic: "raw".into(),
        event: "m".into(),
        payload: json!({}),
        raw: false,
    }
}

fn limited(send: Option<usize>, push: Option<usize>, policy: DropPolicy) -> Harness {
    Harness::with(SocketOptions {
        improvements: Improvements {
            buffer_limits: BufferLimits { send, push, policy },
            ..Improvements::default()
        },
        ..SocketOptions::default()
    })
}

#[test]
fn a_full_send_buffer_drops_the_oldest_message() {
    let mut h = limited(Some(2), None, DropPolicy::Oldest);
    for n in 1..=3 {
        h.s.push(raw(n), None);
    }
    let stats = h.s.stats();
    assert_eq!((stats.buffered_send, stats.dropped_send), (2, 1));
    h.connected();
    assert_eq!(
        h.take_sent(),
        [r#"[null,"2","raw","m",{}]"#, r#"[null,"3","raw","m",{}]"#]
    );
}

#[test]
fn a_full_send_buffer_can_refuse_the_newest_message_instead() {
    let mut h = limited(Some(2), None, DropPolicy::Newest);
    for n in 1..=3 {
        h.s.push(raw(n), None);
    }
    h.connected();
    assert_eq!(
        h.take_sent(),
        [r#"[null,"1","raw","m",{}]"#, r#"[null,"2","raw","m",{}]"#]
    );
    assert_eq!(h.s.stats().dropped_send, 1);
}

#[test]
fn a_send_buffer_limit_of_zero_buffers_nothing() {
    let mut h = limited(Some(0), None, DropPolicy::Oldest);
    h.s.push(raw(1), None);
    assert_eq!(h.s.stats().buffered_send, 0);
    h.connected();
    assert!(h.take_sent().is_empty());
}

#[test]
fn a_full_push_buffer_fails_the_oldest_push_with_buffer_full() {
    let mut h = limited(None, Some(1), DropPolicy::Oldest);
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    let a = h.s.channel_push(ch, h.now, "a", json!({}), None).unwrap();
    h.s.push_receive(a, "error", "a-error");
    h.drain();
    assert_eq!(h.s.stats().buffered_push, 1);
    let _b = h.s.channel_push(ch, h.now, "b", json!({}), None).unwrap();
    h.drain();
    assert_eq!(
        h.take_calls(),
        [r#"receive a-error {"reason":"buffer_full"}"#]
    );
    let stats = h.s.stats();
    assert_eq!((stats.buffered_push, stats.dropped_push), (1, 1));
}

#[test]
fn a_full_push_buffer_can_fail_the_new_push_instead() {
    let mut h = limited(None, Some(1), DropPolicy::Newest);
    let ch = h.channel("room:1");
    h.s.channel_join(ch, h.now, None).unwrap();
    let _a = h.s.channel_push(ch, h.now, "a", json!({}), None).unwrap();
    let b = h.s.channel_push(ch, h.now, "b", json!({}), None).unwrap();
    // the hook registered after the drop still hears about it, as for any reply
    h.s.push_receive(b, "error", "b-error");
    h.drain();
    assert_eq!(
        h.take_calls(),
        [r#"receive b-error {"reason":"buffer_full"}"#]
    );
    assert_eq!(h.s.stats().dropped_push, 1);
}

#[test]
fn stats_count_reconnects_by_cause() {
    let mut h = Harness::new();
    h.connected();
    h.server_close(1006);
    h.advance(10.0);
    h.open();
    h.advance(60_000.0); // heartbeat timeout
    h.server_close(1000);
    h.advance(1000.0);
    h.s.set_page_hidden(true);
    h.open();
    h.server_close(1006);
    h.advance(100.0); // hidden: no reconnect
    h.s.handle_visibility_change(h.now, false);
    h.drain();
    h.advance(1.0);
    let r = h.s.stats().reconnects;
    assert_eq!(
        (
            r.close,
            r.heartbeat_timeout,
            r.visibility,
            r.online,
            r.total()
        ),
        (1, 1, 1, 0, 3)
    );
}

#[test]
fn stats_keep_the_last_ping_round_trip() {
    let mut h = Harness::new();
    h.connected();
    assert_eq!(h.s.stats().rtt_ms, None);
    h.s.ping(h.now, "p");
    h.drain();
    let r = first_sent_ref(&mut h);
    h.advance(7.0);
    reply(&mut h, &r, "ok");
    assert_eq!(h.s.stats().rtt_ms, Some(7.0));
}
