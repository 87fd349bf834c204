//! Provably-fair mode: commitment, derivation, reveal and verification.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::fair::{ClientSeed, FairInput, ServerSeed, VerifyError, verify};
use croupier_rng::{Draw, Recorder, Seed};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

fn round(client: &str, nonce: u64) -> FairInput {
    FairInput::Round { client_seed: ClientSeed::new(client).unwrap(), nonce }
}

#[test]
fn round_seed_is_hmac_of_client_seed_and_nonce() {
    let server = ServerSeed::from_revealed(Seed::from_bytes([9; 32]));
    let derived = server.derive(&round("lucky", 42));
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[9; 32]).unwrap();
    mac.update(b"lucky:42");
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(derived.expose(), &expected);
}

#[test]
fn hand_seed_uses_sorted_client_seeds() {
    let server = ServerSeed::from_revealed(Seed::from_bytes([1; 32]));
    let seeds = |v: &[&str]| v.iter().map(|s| ClientSeed::new(*s).unwrap()).collect::<Vec<_>>();
    let a = FairInput::Hand { hand_id: "h1".into(), client_seeds: seeds(&["bob", "alice"]) };
    let b = FairInput::Hand { hand_id: "h1".into(), client_seeds: seeds(&["alice", "bob"]) };
    assert_eq!(server.derive(&a), server.derive(&b));
    let digest = hex::encode(Sha256::digest(b"alice\nbob"));
    assert_eq!(a.message(), format!("h1:{digest}").into_bytes());
}

#[test]
fn verify_round_trips_and_rejects_a_wrong_seed() {
    let server = ServerSeed::generate().unwrap();
    let commitment = server.commitment();
    let input = round("player-seed", 7);
    let mut rec = Recorder::new(server.round_rng(&input));
    let outcomes: Vec<u32> = [37, 52, 6, 1000].iter().map(|&n| rec.below(n)).collect();
    let (_, draws) = rec.into_parts();
    assert_eq!(draws.iter().map(|d| d.value).collect::<Vec<_>>(), outcomes);

    let revealed = Seed::from_hex(&server.reveal()).unwrap();
    assert_eq!(verify(&revealed, &commitment, &input, &draws), Ok(()));

    let wrong = Seed::from_bytes([0; 32]);
    assert_eq!(verify(&wrong, &commitment, &input, &draws), Err(VerifyError::CommitmentMismatch));
    // Right seed, but a tampered outcome.
    let mut forged = draws.clone();
    forged[1].value = (forged[1].value + 1) % 52;
    assert!(matches!(verify(&revealed, &commitment, &input, &forged), Err(VerifyError::DrawMismatch { index: 1, .. })));
    // Right seed, another nonce.
    assert!(matches!(
        verify(&revealed, &commitment, &round("player-seed", 8), &draws),
        Err(VerifyError::DrawMismatch { .. })
    ));
}

#[test]
fn client_seed_rules() {
    assert!(ClientSeed::new("").is_err());
    assert!(ClientSeed::new("has space").is_err());
    assert!(ClientSeed::new("x".repeat(65)).is_err());
    assert!(ClientSeed::new("é").is_err());
    assert!(ClientSeed::new("x".repeat(64)).is_ok());
    assert!(serde_json::from_str::<ClientSeed>("\"a b\"").is_err());
}

#[test]
fn a_session_rotation_reveals_a_seed_that_verifies_every_round() {
    use croupier_rng::fair::FairSession;
    let mut session = FairSession::new(ClientSeed::new("mine").unwrap()).unwrap();
    let published = session.commitment();
    let mut rounds = Vec::new();
    for _ in 0..3 {
        let (input, rng) = session.next_round();
        let mut rec = Recorder::new(rng);
        rec.below(37);
        rec.below(37);
        rounds.push((input, rec.take_draws()));
    }
    let revealed = session.rotate(Some(ClientSeed::new("new").unwrap())).unwrap();
    assert_eq!(revealed.commitment, published);
    assert_eq!(revealed.rounds, 3);
    assert_ne!(session.commitment(), published, "a new seed is committed");
    let seed = Seed::from_hex(&revealed.server_seed).unwrap();
    for (nonce, (input, draws)) in rounds.iter().enumerate() {
        assert_eq!(input, &round("mine", nonce as u64));
        assert_eq!(verify(&seed, &revealed.commitment, input, draws), Ok(()));
    }
    let (next, _) = session.next_round();
    assert_eq!(next, round("new", 0));
}
