//! The bytes a round record's `config` fingerprint hashes, as
//! docs/fairness.md ("The rules a round names") says: its worked example is
//! the roulette defaults exactly as the server stores and serves them, and
//! their SHA-256 is the fingerprint a record names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_server::store::GameConfig;

/// The body of the ```` ```text NAME ```` block of `page`.
fn block<'a>(page: &'a str, name: &str) -> &'a str {
    let open = format!("```text {name}\n");
    let start = page.find(&open).unwrap_or_else(|| panic!("docs/fairness.md has no `text {name}` block")) + open.len();
    let len = page[start..].find("\n```").expect("the block ends");
    &page[start..start + len]
}

#[test]
fn the_documented_config_bytes_and_hash_are_the_stored_ones() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fairness.md")).unwrap();
    let stored = GameConfig::of("roulette", &croupier_roulette::Config::default()).unwrap();
    assert_eq!(block(&page, "config-bytes"), stored.text, "the documented bytes are the stored ones");
    assert_eq!(block(&page, "config-sha256"), stored.hash, "the documented hash is the fingerprint");
    // The fingerprint is SHA-256 of those bytes as written, nothing else.
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(block(&page, "config-bytes").as_bytes())), stored.hash);
}
