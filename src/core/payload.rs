//! What the engine needs to know about a payload, and nothing more (ARCHITECTURE.md
//! principle 3: payloads stay JS values).
//!
//! In the browser the payload type is `JsValue` (see `src/web/`); native tests and tools use
//! `serde_json::Value` (feature `json`, [`crate::core::json`]). The engine never looks inside
//! a payload except for the reply envelope `{status, response}` of `phx_reply`.

/// A channel payload. Cloning must be cheap (a JS reference or an `Rc`), because one payload
/// is handed to several callbacks.
pub trait Payload: Clone + core::fmt::Debug {
    /// `{}`: the default payload of pushes, leaves and heartbeats.
    fn empty_object() -> Self;
    /// A string value, e.g. the `"leave"` payload of the synthetic `phx_close` (spec §3.2).
    fn string(s: &str) -> Self;
    /// `{source: "transport", reason}`: the `phx_error` payload of transport errors (spec §2.4).
    fn transport_error(reason: &str) -> Self;
    /// `{reason}`: the response of a push the client failed itself (issue #11: a push
    /// dropped from a full buffer).
    fn reason(reason: &str) -> Self;
    /// `{status, response}`: the reply envelope, also synthesised for timeouts (spec §4).
    fn reply(status: &str, response: Self) -> Self;
    /// `payload.status` of a reply when it is a string; `None` otherwise.
    fn reply_status(&self) -> Option<Status>;
    /// `payload.response` of a reply (`undefined`/`null` when absent).
    fn reply_response(&self) -> Self;
    /// A binary payload (an `ArrayBuffer` in the browser) holding a copy of `bytes` (spec §6.2).
    fn from_binary(bytes: &[u8]) -> Self;
    /// The bytes of a binary payload, `None` for any other value (spec §6.1: binary iff the
    /// payload's constructor is `ArrayBuffer`).
    fn binary(&self) -> Option<Vec<u8>>;

    /// The value to send, re-evaluated on every send: phoenix.js wraps channel params in
    /// `closure()`, so a function is called on each (re)join (spec §3.1). Values that are
    /// not functions are sent as they are (the same object, so later mutations are sent).
    fn evaluate(&self) -> Self {
        self.clone()
    }

    /// [`Payload::evaluate`], and whether the value is not ready yet: a Promise returned by
    /// an async params function (issue #11), which the engine asks the driver to await
    /// ([`Effect::AwaitPayload`]). Only a function's result can be pending, so plain
    /// payloads cost no check.
    ///
    /// [`Effect::AwaitPayload`]: super::effect::Effect::AwaitPayload
    fn evaluate_pending(&self) -> (Self, bool) {
        (self.evaluate(), false)
    }
}

/// A reply's status: `"ok"`, `"error"` and `"timeout"` (nearly every reply) are borrowed
/// constants, so a reply's status is copied around the engine (the push's last reply, its
/// settle callback, the hooks' filter) without an allocation; any other string is owned.
pub type Status = std::borrow::Cow<'static, str>;

/// The statuses nearly every reply has (the browser build numbers them 1, 2, 3 across the
/// JS boundary, in this order).
pub const USUAL_STATUSES: [&str; 3] = ["ok", "error", "timeout"];

/// The [`Status`] for `s`.
pub fn status(s: &str) -> Status {
    match USUAL_STATUSES.iter().find(|u| **u == s) {
        Some(usual) => Status::Borrowed(usual),
        None => Status::Owned(s.to_owned()),
    }
}
