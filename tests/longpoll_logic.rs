//! The pure parts of the LongPoll transport (spec §7), natively: the poll status table,
//! batch slicing and the base64 of binary sends.

use phoenix_wasm::core::longpoll::*;

#[test]
fn poll_status_table_matches_phoenix_1_8_16() {
    use PollAction::*;
    let cases: &[(bool, Option<f64>, bool, PollAction)] = &[
        (true, Some(200.0), true, Deliver),
        (true, Some(204.0), true, Poll),
        (true, Some(410.0), false, Open),
        (true, Some(410.0), true, SessionGone),
        (true, Some(403.0), false, Forbidden),
        (true, Some(403.0), true, Forbidden),
        (true, Some(0.0), true, Retry),
        (true, Some(-0.0), true, Retry),
        (true, Some(500.0), false, Retry),
        // no answer, an empty or unparsable body: status 0
        (false, None, false, Retry),
        (false, None, true, Retry),
        (false, Some(410.0), true, Retry),
        (true, Some(302.0), true, Unhandled),
        (true, Some(200.5), true, Unhandled),
        (true, Some(f64::NAN), true, Unhandled),
        (true, Some(f64::INFINITY), true, Unhandled),
        (true, None, true, Unhandled),
    ];
    for &(answered, status, had_token, want) in cases {
        assert_eq!(
            poll_action(answered, status, had_token),
            want,
            "answered={answered} status={status:?} had_token={had_token}"
        );
    }
}

#[test]
fn batches_are_cut_at_100_lines() {
    assert_eq!(MAX_LONGPOLL_BATCH_SIZE, 100);
    assert_eq!(batch_slice(250, 0), (0, 100, true));
    assert_eq!(batch_slice(250, 100), (100, 200, true));
    assert_eq!(batch_slice(250, 200), (200, 250, false));
    assert_eq!(batch_slice(100, 0), (0, 100, false));
    assert_eq!(batch_slice(1, 0), (0, 1, false));
    assert_eq!(batch_slice(0, 0), (0, 0, false));
    assert_eq!(batch_slice(5, 10), (5, 5, false));
    assert_eq!(batch_slice(5, usize::MAX), (5, 5, false));
}

#[test]
fn base64_matches_btoa() {
    assert_eq!(base64_encode(b""), "");
    assert_eq!(base64_encode(b"f"), "Zg==");
    assert_eq!(base64_encode(b"fo"), "Zm8=");
    assert_eq!(base64_encode(b"foo"), "Zm9v");
    assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
    assert_eq!(base64_encode(&[0, 1, 2, 255]), "AAEC/w==");
    assert_eq!(base64_encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    let all: Vec<u8> = (0..=255).collect();
    let enc = base64_encode(&all);
    assert_eq!(enc.len(), 344);
    assert!(enc.starts_with("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"));
    assert!(enc.ends_with("+/w=="));
}

#[test]
fn constants_are_phoenix_s() {
    assert_eq!(AUTH_TOKEN_PREFIX, "base64url.bearer.phx.");
    assert_eq!((CONNECTING, OPEN, CLOSING, CLOSED), (0, 1, 2, 3));
}
