//! Identifiers the server hands out: LongPoll session tokens, presence `phx_ref`s
//! and generated user ids.
//!
//! LongPoll tokens must not be guessable (they are the only credential of a
//! session, spec §7.4), so they are 24 bytes from the OS random source. Phoenix signs
//! its tokens instead; an unguessable random id held in the session table gives the
//! same guarantee for a test server that keeps its sessions in memory.
//!
//! `phx_ref`s only need to be unique (§16 shows 16-character strings such as
//! `GOwPnCWYIBnjAAOR`): a per-process random prefix and a counter, base64url.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness is not worth crashing a test server over: fall back to the
        // clock, which still yields distinct values per call together with the counter.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8;
        }
    }
    buf
}

/// A fresh LongPoll session token (32 URL-safe characters).
pub fn session_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<24>())
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn next() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A unique presence ref (16 characters).
pub fn phx_ref() -> String {
    static PREFIX: OnceLock<[u8; 4]> = OnceLock::new();
    let prefix = PREFIX.get_or_init(random_bytes::<4>);
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(prefix);
    bytes[4..].copy_from_slice(&next().to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A user id for a socket that gave none (see README: connect param `user_id`,
/// else join param `user_id`, else this).
pub fn anonymous_user() -> String {
    format!("anon-{}", next())
}

/// Milliseconds since the Unix epoch (presence `online_at`, chat timestamps).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_unique_and_short() {
        let a = phx_ref();
        let b = phx_ref();
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn tokens_are_unique() {
        let a = session_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, session_token());
    }
}
