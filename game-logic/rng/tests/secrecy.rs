//! Seeds and generator state never show up in `Debug`, `Display`, errors or
//! serialised output; a persisted position is sealed with AES-256-GCM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::fair::ServerSeed;
use croupier_rng::{CertifiedRng, Draw, SealError, SealingKey, Seed};

const SEED_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SEED_HEX), "seed leaked: {text}");
    assert!(!text.contains("[1, 35, 69"), "seed bytes leaked: {text}");
    assert!(!text.to_lowercase().contains("0123456789abcdef"), "seed leaked: {text}");
}

#[test]
fn debug_output_hides_seeds_and_state() {
    let seed = Seed::from_hex(SEED_HEX).unwrap();
    let mut rng = CertifiedRng::from_seed(seed.clone());
    rng.below(10);
    assert_no_secret(&format!("{seed:?}"));
    assert_no_secret(&format!("{rng:?}"));
    assert_no_secret(&format!("{:?}", rng.position()));
    assert_no_secret(&format!("{:?}", ServerSeed::from_revealed(seed)));
    assert_no_secret(&format!("{:?}", SealingKey::from_hex(SEED_HEX).unwrap()));
    assert!(format!("{rng:?}").contains("commitment"));
}

#[test]
fn errors_do_not_echo_their_input() {
    let bad = format!("{SEED_HEX}zz");
    let e = Seed::from_hex(&bad).unwrap_err();
    assert_no_secret(&format!("{e} {e:?}"));
    let e = SealingKey::from_hex(&bad).unwrap_err();
    assert_no_secret(&format!("{e} {e:?}"));
}

#[test]
fn sealed_position_round_trips_and_hides_the_seed() {
    let key = SealingKey::from_hex(&"42".repeat(32)).unwrap();
    let mut rng = CertifiedRng::from_seed(Seed::from_hex(SEED_HEX).unwrap());
    rng.below(1000);
    let sealed = key.seal(&rng.position(), b"table-7").unwrap();
    let json = serde_json::to_string(&sealed).unwrap();
    assert_no_secret(&json);
    assert!(!json.contains(&hex::encode(&Seed::from_hex(SEED_HEX).unwrap().expose()[..8])));

    let back: croupier_rng::SealedPosition = serde_json::from_str(&json).unwrap();
    let opened = key.open(&back, b"table-7").unwrap();
    let mut restored = CertifiedRng::from_position(&opened);
    assert_eq!(restored.below(1 << 30), rng.below(1 << 30));
}

#[test]
fn sealed_position_rejects_wrong_key_context_or_tampering() {
    let key = SealingKey::from_hex(&"42".repeat(32)).unwrap();
    let other = SealingKey::from_hex(&"43".repeat(32)).unwrap();
    let rng = CertifiedRng::from_seed(Seed::from_hex(SEED_HEX).unwrap());
    let sealed = key.seal(&rng.position(), b"table-7").unwrap();
    assert_eq!(other.open(&sealed, b"table-7"), Err(SealError::Crypto));
    assert_eq!(key.open(&sealed, b"table-8"), Err(SealError::Crypto));
    let mut json: serde_json::Value = serde_json::to_value(&sealed).unwrap();
    let ct = json["ciphertext"].as_str().unwrap().to_owned();
    let flipped = format!("{}{}", if &ct[..1] == "0" { "1" } else { "0" }, &ct[1..]);
    json["ciphertext"] = serde_json::Value::String(flipped);
    let tampered: croupier_rng::SealedPosition = serde_json::from_value(json).unwrap();
    assert_eq!(key.open(&tampered, b"table-7"), Err(SealError::Crypto));
}

#[test]
fn two_seals_of_one_position_differ() {
    let key = SealingKey::from_hex(&"42".repeat(32)).unwrap();
    let pos = CertifiedRng::from_seed(Seed::from_hex(SEED_HEX).unwrap()).position();
    assert_ne!(key.seal(&pos, b"t").unwrap(), key.seal(&pos, b"t").unwrap());
}
