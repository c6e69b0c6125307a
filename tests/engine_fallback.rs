//! The LongPoll fallback of spec §2.6 (`connectWithFallback`, 1.8.16) in simulated time.

mod common;

use common::Harness;

const THRESHOLD: f64 = 2_500.0;

#[test]
fn an_error_before_the_primary_opens_falls_back_at_once() {
    let mut h = Harness::with_logger();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    let primary = h.conn.unwrap();
    h.transport_error();
    assert_eq!(h.fallbacks, ["switch"]);
    assert!(h
        .logs
        .iter()
        .any(|l| l == "transport: falling back to LongPoll..."));
    assert_eq!(h.connects.len(), 2);
    assert_ne!(h.conn, Some(primary));
    assert!(h.closes.iter().any(|c| c.0 == primary));
}

#[test]
fn a_primary_that_does_not_open_in_time_is_abandoned_at_the_threshold() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.advance(THRESHOLD - 1.0);
    assert!(h.fallbacks.is_empty());
    h.advance(1.0);
    assert_eq!(h.fallbacks, ["switch"]);
    assert_eq!(h.connects.len(), 2);
}

#[test]
fn a_primary_that_opens_and_answers_the_ping_stays() {
    let mut h = Harness::with_logger();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.open();
    // The health check is a heartbeat-shaped ping with a fresh ref (3: the hooks took 1, 2).
    assert_eq!(h.take_sent(), [r#"[null,"3","phoenix","heartbeat",{}]"#]);
    h.advance(20.0);
    h.recv(r#"[null,"3","phoenix","phx_reply",{"response":{},"status":"ok"}]"#);
    assert!(h
        .logs
        .iter()
        .any(|l| l == "transport: connected to primary after"));
    h.advance(THRESHOLD * 4.0);
    assert!(h.fallbacks.is_empty());
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn a_primary_that_opens_but_never_answers_falls_back_and_the_fallback_is_remembered() {
    let mut h = Harness::with_logger();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.open();
    h.advance(THRESHOLD);
    assert_eq!(h.fallbacks, ["switch"]);
    // The LongPoll transport opens: remembered, since the WebSocket never passed its check.
    h.open();
    assert_eq!(h.fallbacks, ["switch", "remember"]);
    assert!(h
        .logs
        .iter()
        .any(|l| l == "transport: established LongPoll fallback"));
}

#[test]
fn a_fallback_after_a_passed_health_check_is_not_remembered() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.open();
    h.recv(r#"[null,"3","phoenix","phx_reply",{"response":{},"status":"ok"}]"#);
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.server_close(1000);
    h.advance(200.0);
    // Next connect: the primary now errors before opening.
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.transport_error();
    h.open();
    assert_eq!(h.fallbacks, ["switch"]);
}

#[test]
fn a_remembered_fallback_skips_the_primary() {
    let mut h = Harness::with_logger();
    h.s.connect_with_fallback(h.now, THRESHOLD, true);
    h.drain();
    assert_eq!(h.fallbacks, ["switch"]);
    assert_eq!(h.connects.len(), 1);
    // No hooks were registered: no refs consumed.
    assert_eq!(h.s.ref_counter(), 0);
    assert!(h
        .logs
        .iter()
        .any(|l| l == "transport: falling back to LongPoll..."));
}

#[test]
fn the_fallback_hooks_take_two_socket_refs() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    assert_eq!(h.s.ref_counter(), 2);
}

#[test]
fn errors_of_the_fallback_transport_do_not_fall_back_again() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.transport_error();
    assert_eq!(h.fallbacks, ["switch"]);
    h.transport_error();
    h.advance(THRESHOLD * 2.0);
    assert_eq!(h.fallbacks, ["switch"]);
}

#[test]
fn connect_with_fallback_is_idempotent_while_connected() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn disconnect_cancels_the_fallback_timer() {
    let mut h = Harness::new();
    h.s.connect_with_fallback(h.now, THRESHOLD, false);
    h.drain();
    h.s.disconnect(h.now, None, None, None);
    h.drain();
    h.advance(THRESHOLD * 2.0);
    assert!(h.fallbacks.is_empty());
}
