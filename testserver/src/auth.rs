//! The socket's `connect/3`: connect params and the 1.8 `authToken` (spec §2.5, §16).
//!
//! Both transports share it. A refused connect is answered with HTTP 403 on the
//! WebSocket upgrade and with `{"status":403}` in an HTTP 200 body over LongPoll.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use std::collections::HashMap;

/// The `Sec-WebSocket-Protocol` entry prefix that carries the token.
pub const BEARER_PREFIX: &str = "base64url.bearer.phx.";

/// The value that makes the test server refuse a connect, as a `token` connect param
/// or as the authToken.
pub const REFUSED: &str = "bad";

/// What `connect/3` saw, kept for the channels (join replies echo `auth_token`).
#[derive(Clone, Debug, Default)]
pub struct ConnectInfo {
    /// Connect params (query string minus `vsn`; a repeated key keeps its last value).
    pub params: HashMap<String, String>,
    pub auth_token: Option<String>,
}

/// Query pairs to connect params. The LongPoll session `token` is a transport
/// parameter, not a connect param, but the client puts it in the same query string;
/// Plug keeps the last value of a repeated key, and so does this.
pub fn params_from_query(pairs: &[(String, String)]) -> HashMap<String, String> {
    pairs.iter().filter(|(k, _)| k != "vsn").cloned().collect()
}

/// Decodes the token from a `Sec-WebSocket-Protocol` header value such as
/// `phoenix, base64url.bearer.phx.YWJj`. phoenix.js uses *standard* base64 without
/// padding despite the prefix (§2.5); padded input is accepted too.
/// `Ok(None)`: no token entry. `Err`: an entry that does not decode.
pub fn token_from_protocols(header: &str) -> Result<Option<String>, ()> {
    let Some(b64) = header
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(BEARER_PREFIX))
    else {
        return Ok(None);
    };
    let bytes = STANDARD_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|_| ())?;
    // btoa() input is Latin-1 (§2.5): map bytes to chars one to one.
    Ok(Some(bytes.iter().map(|&b| b as char).collect()))
}

/// Whether `connect/3` refuses this socket.
pub fn refused(info: &ConnectInfo) -> bool {
    info.params.get("token").map(String::as_str) == Some(REFUSED)
        || info.auth_token.as_deref() == Some(REFUSED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bearer_protocol() {
        // btoa("my-token") = "bXktdG9rZW4=" → sent without "=".
        assert_eq!(
            token_from_protocols("phoenix, base64url.bearer.phx.bXktdG9rZW4"),
            Ok(Some("my-token".to_owned()))
        );
        assert_eq!(token_from_protocols("phoenix"), Ok(None));
        assert_eq!(
            token_from_protocols("phoenix, base64url.bearer.phx.!!"),
            Err(())
        );
        // Standard alphabet: "+" and "/" appear. btoa("\u{fb}\u{ff}") = "+/8=".
        assert_eq!(
            token_from_protocols("base64url.bearer.phx.+/8"),
            Ok(Some("\u{fb}\u{ff}".to_owned()))
        );
    }

    #[test]
    fn refuses_bad_token_param_and_auth_token() {
        let mut info = ConnectInfo::default();
        assert!(!refused(&info));
        info.params.insert("token".into(), "bad".into());
        assert!(refused(&info));
        let info = ConnectInfo {
            auth_token: Some("bad".into()),
            ..Default::default()
        };
        assert!(refused(&info));
    }

    #[test]
    fn last_query_value_wins_and_vsn_is_dropped() {
        let pairs = vec![
            ("token".to_owned(), "a".to_owned()),
            ("vsn".to_owned(), "2.0.0".to_owned()),
            ("token".to_owned(), "b".to_owned()),
        ];
        let p = params_from_query(&pairs);
        assert_eq!(p.get("token").map(String::as_str), Some("b"));
        assert!(!p.contains_key("vsn"));
    }
}
