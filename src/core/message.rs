//! Messages and refs: the V2 envelope `[join_ref, ref, topic, event, payload]` (spec §6.1)
//! and the one socket-wide ref counter (spec §2.3 `makeRef`).

/// A ref as phoenix.js makes it: a decimal string from one socket-wide counter.
///
/// Kept as a number so that making a ref allocates nothing; written out as decimal digits
/// only when a frame is encoded. Incoming refs are strings chosen by the server and are
/// compared with [`Ref::matches`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(pub u64);

/// 2^53: the first integer at which `ref + 1 === ref` in a JS number (spec §2.3).
pub const REF_SATURATION: u64 = 1 << 53;

impl Ref {
    /// Writes the decimal digits into `buf` and returns them (no `core::fmt`: keeps it out of
    /// the wasm binary).
    pub fn write<'a>(&self, buf: &'a mut [u8; 20]) -> &'a str {
        let mut n = self.0;
        let mut i = buf.len();
        loop {
            i -= 1;
            // `i` stays in 0..20: a u64 has at most 20 decimal digits.
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        let digits = buf.get(i..).unwrap_or(&[]);
        core::str::from_utf8(digits).unwrap_or("")
    }

    /// The ref as an owned string, as callbacks and logs see it.
    pub fn to_js_string(&self) -> String {
        let mut buf = [0u8; 20];
        self.write(&mut buf).to_owned()
    }

    /// Parses a ref written by [`Ref::write`]: canonical decimal, no sign, no leading zero.
    pub fn parse(s: &str) -> Option<Ref> {
        let bytes = s.as_bytes();
        if bytes.is_empty() || bytes.len() > 20 || (bytes.len() > 1 && bytes.first() == Some(&b'0'))
        {
            return None;
        }
        let mut n: u64 = 0;
        for &b in bytes {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        Some(Ref(n))
    }

    /// True when an incoming ref string names this ref (JS `===` on the decimal strings).
    pub fn matches(&self, incoming: Option<&str>) -> bool {
        incoming.and_then(Ref::parse) == Some(*self)
    }
}

/// The socket-wide ref counter (spec §2.3): `"1"`, `"2"`, …; one counter for callback refs,
/// message refs, join refs, heartbeat refs and ping refs.
#[derive(Clone, Debug, Default)]
pub struct RefCounter {
    last: u64,
}

impl RefCounter {
    /// `makeRef()`: `newRef = ref + 1`; when that no longer changes the JS number (2^53) the
    /// counter restarts at 0, which is returned.
    pub fn make(&mut self) -> Ref {
        if self.last >= REF_SATURATION {
            self.last = 0;
        } else {
            self.last += 1;
        }
        Ref(self.last)
    }

    /// The last ref handed out (`socket.ref`).
    pub fn current(&self) -> u64 {
        self.last
    }

    /// Sets the counter, as tests of phoenix.js do with `socket.ref = n`.
    pub fn set(&mut self, value: u64) {
        self.last = value.min(REF_SATURATION);
    }
}

/// An inbound message after decoding (spec §6.1: `{join_ref, ref, topic, event, payload}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Message<P> {
    pub join_ref: Option<String>,
    pub ref_: Option<String>,
    pub topic: String,
    pub event: String,
    pub payload: P,
}

/// An outbound message as the engine hands it to the shell for encoding
/// (`{join_ref, ref, topic, event, payload}` of `socket.push`, spec §2.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing<P> {
    pub join_ref: Option<Ref>,
    pub ref_: Option<Ref>,
    pub topic: String,
    pub event: String,
    pub payload: P,
    /// `payload` is the caller's whole `socket.push(data)` object, to be encoded as given
    /// (phoenix.js hands that very object to `encode`, refs and all); `join_ref` and `ref_`
    /// are what the engine could read of it. The engine does not log these pushes: the
    /// driver does, with the values as given.
    pub raw: bool,
}

/// Event names of the protocol (spec §1.3 `CHANNEL_EVENTS`).
pub mod events {
    pub const CLOSE: &str = "phx_close";
    pub const ERROR: &str = "phx_error";
    pub const JOIN: &str = "phx_join";
    pub const REPLY: &str = "phx_reply";
    pub const LEAVE: &str = "phx_leave";
    pub const HEARTBEAT: &str = "heartbeat";
    /// Topic of heartbeats and pings.
    pub const PHOENIX: &str = "phoenix";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_count_up_from_one_as_decimal_strings() {
        let mut c = RefCounter::default();
        let got: Vec<String> = (0..3).map(|_| c.make().to_js_string()).collect();
        assert_eq!(got, ["1", "2", "3"]);
    }

    #[test]
    fn ref_counter_restarts_at_zero_when_the_js_number_saturates() {
        let mut c = RefCounter::default();
        c.set(REF_SATURATION - 1);
        assert_eq!(c.make(), Ref(REF_SATURATION));
        assert_eq!(c.make(), Ref(0));
        assert_eq!(c.make(), Ref(1));
    }

    #[test]
    fn ref_write_handles_zero_and_max() {
        let mut buf = [0u8; 20];
        assert_eq!(Ref(0).write(&mut buf), "0");
        assert_eq!(Ref(u64::MAX).write(&mut buf), "18446744073709551615");
    }

    #[test]
    fn ref_parse_accepts_only_canonical_decimal() {
        assert_eq!(Ref::parse("42"), Some(Ref(42)));
        assert_eq!(Ref::parse("0"), Some(Ref(0)));
        for bad in ["", "042", "-1", "4a", " 4", "99999999999999999999999"] {
            assert_eq!(Ref::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn incoming_ref_matches_only_the_same_decimal_string() {
        assert!(Ref(7).matches(Some("7")));
        assert!(!Ref(7).matches(Some("07")));
        assert!(!Ref(7).matches(None));
    }
}
