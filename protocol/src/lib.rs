//! Croupier's wire types: what clients send and what the server sends.
//!
//! Serde only, no IO: this crate is shared by the server, the load-test tool
//! and Rust clients, and must never depend on actix, tokio, sqlx or redis.
//!
//! - [`ClientMsg`]: what a client sends; [`ServerMsg`]: what the server sends.
//! - [`ErrorCode`]: every error code of the server's own.
//! - Every message is documented with an example in docs/protocol.md, and
//!   every example there is parsed with these types by a test.

use serde::{Deserialize, Serialize};

mod client;
mod error;
mod server;

pub use client::{ClientMsg, Target, Undecodable};
pub use error::ErrorCode;
pub use server::{ServerMsg, SessionPlay, TableInfo};

/// The protocol version spoken at `/v1/ws` and announced in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// A stable, machine-readable error with a human message. `code` is
/// `snake_case` and never changes meaning once published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `insufficient_funds`.
    pub code: String,
    /// Human-readable explanation; may change between releases.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_wire_format_is_pinned() {
        let e = ErrorBody { code: "bad_request".into(), message: "no".into() };
        let json = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(json, r#"{"code":"bad_request","message":"no"}"#);
        let back: ErrorBody =
            serde_json::from_str(&json).unwrap_or_else(|_| ErrorBody { code: String::new(), message: String::new() });
        assert_eq!(back, e);
    }
}
