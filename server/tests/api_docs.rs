//! docs/api.md lists every error code the HTTP API can answer with: each
//! `ErrorCode` named in `server/src/http/` (and each a store or open error
//! turns into there) must appear in its table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use croupier_protocol::ErrorCode;

#[test]
fn every_error_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("../docs/api.md")).unwrap();
    let mut sources = String::new();
    for entry in std::fs::read_dir(root.join("src/http")).unwrap() {
        sources.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    // What `StoreError::code` and `OpenError::code` give, which HTTP answers
    // with: every code they name.
    for file in ["src/store/mod.rs", "src/play/registry.rs"] {
        let source = std::fs::read_to_string(root.join(file)).unwrap();
        let from = source.find("pub fn code(&self) -> ErrorCode").unwrap();
        sources.push_str(&source[from..from + source[from..].find("\n    }\n").unwrap()]);
    }
    let found: Vec<ErrorCode> =
        ErrorCode::ALL.iter().copied().filter(|c| sources.contains(&format!("ErrorCode::{c:?}"))).collect();
    assert!(found.len() >= 25, "the scan found too few codes to be working: {found:?}");
    // Codes only a socket or a table sends are documented in docs/protocol.md.
    let socket_only = [ErrorCode::WalletUnavailable, ErrorCode::TooManySessions, ErrorCode::NotASessionGame];
    let missing: Vec<_> =
        found.iter().filter(|c| !socket_only.contains(c) && !docs.contains(&format!("`{}`", c.as_str()))).collect();
    assert!(missing.is_empty(), "codes missing from docs/api.md: {missing:?}");
}
