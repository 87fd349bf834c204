//! Known-answer tests: our generator is the published ChaCha20, and a saved
//! position restores to exactly the same future outputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::{CertifiedRng, Draw, Position, ReseedPolicy, Seed};

/// ChaCha20, zero key, zero nonce, counter 0: the first 64 keystream bytes
/// (RFC 7539 section 2.4.2's test vector #1 and rand_chacha's own test).
const ZERO_KEY_KEYSTREAM: &str = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7\
                                  da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586";

#[test]
fn zero_seed_gives_the_published_zero_key_keystream() {
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes([0; 32]));
    let mut out = [0u8; 64];
    rng.fill_bytes(&mut out);
    assert_eq!(hex::encode(out), ZERO_KEY_KEYSTREAM);
}

#[test]
fn rand_chacha_published_first_u32() {
    // rand_chacha's `test_chacha_construction` vector, verified with 0.9.0.
    let seed = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0];
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes(seed));
    assert_eq!(rng.next_u32(), 137206642);
}

#[test]
fn saved_position_restores_the_same_future_outputs() {
    let mut rng = CertifiedRng::from_os(ReseedPolicy::never()).unwrap();
    for _ in 0..1234 {
        rng.below(37);
    }
    let saved = rng.position();
    let ahead: Vec<u32> = (0..500).map(|_| rng.below(52)).collect();
    let mut restored = CertifiedRng::from_position(&saved);
    let replayed: Vec<u32> = (0..500).map(|_| restored.below(52)).collect();
    assert_eq!(ahead, replayed);
    assert_eq!(restored.position(), rng.position());
}

#[test]
fn streams_of_one_seed_are_independent_and_restorable() {
    let seed = Seed::from_hex(&"ab".repeat(32)).unwrap();
    let mut a = CertifiedRng::from_position(&Position::new(seed.clone(), 0, 0));
    let mut b = CertifiedRng::from_position(&Position::new(seed.clone(), 1, 0));
    let xa: Vec<u32> = (0..8).map(|_| a.next_u32()).collect();
    let xb: Vec<u32> = (0..8).map(|_| b.next_u32()).collect();
    assert_ne!(xa, xb);
    // Word position 4 of stream 0 continues where `a` was after 4 words.
    let mut c = CertifiedRng::from_position(&Position::new(seed, 0, 4));
    assert_eq!((0..4).map(|_| c.next_u32()).collect::<Vec<_>>(), xa[4..]);
}

#[test]
fn every_os_seeded_instance_has_its_own_seed() {
    let commitments: std::collections::HashSet<_> =
        (0..64).map(|_| CertifiedRng::from_os(ReseedPolicy::default()).unwrap().commitment()).collect();
    assert_eq!(commitments.len(), 64);
}

#[test]
fn reseeds_by_draw_count_and_records_commitments() {
    let policy = ReseedPolicy { max_draws: Some(100), max_age: None, cycle_max_words: 0 };
    let mut rng = CertifiedRng::from_os(policy).unwrap();
    let first = rng.commitment();
    let now = std::time::Instant::now();
    let draw = |rng: &mut CertifiedRng, n: u32| {
        for _ in 0..n {
            rng.below(1 << 31);
        }
    };
    // The schedule is applied at ticks: 150 words used -> reseed; 50 more ->
    // not yet; 60 more (110 under the new seed) -> reseed.
    draw(&mut rng, 150);
    rng.tick(now);
    draw(&mut rng, 50);
    rng.tick(now);
    draw(&mut rng, 60);
    rng.tick(now);
    let log = rng.take_reseeds();
    // below(2^31) never rejects, so draws and words agree exactly.
    let reasons: Vec<_> = log.iter().map(|r| (r.after_draws, r.reason)).collect();
    use croupier_rng::ReseedReason::*;
    assert_eq!(reasons, vec![(0, Initial), (150, DrawCount), (260, DrawCount)]);
    assert_eq!(log[0].commitment, first);
    assert_eq!(log[2].commitment, rng.commitment());
    assert_ne!(log[1].commitment, log[2].commitment);
    assert!(rng.take_reseeds().is_empty(), "the log is drained");
    assert_eq!(rng.draws(), 260);
    // Raw-byte reads apply the schedule too.
    let mut bytes = [0u8; 400];
    rng.fill_bytes(&mut bytes);
    assert_eq!(rng.take_reseeds().iter().map(|r| r.after_draws).collect::<Vec<_>>(), vec![360]);
}

#[test]
fn mixed_reads_keep_the_position_exact() {
    // Mix word draws, raw bytes and position saves at odd offsets: every
    // restored copy continues exactly like the original.
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes([9; 32]));
    for step in 0..200u32 {
        match step % 4 {
            0 => {
                rng.below(37);
            }
            1 => {
                rng.next_u32();
            }
            2 => {
                let mut b = [0u8; 12];
                rng.fill_bytes(&mut b);
            }
            _ => {
                // A copy restored from the position continues exactly as the
                // original does (70 words crosses a 64-word block boundary).
                let mut copy = CertifiedRng::from_position(&rng.position());
                let ahead: Vec<u32> = (0..70).map(|_| copy.next_u32()).collect();
                let mine: Vec<u32> = (0..70).map(|_| rng.next_u32()).collect();
                assert_eq!(ahead, mine, "step {step}");
            }
        }
    }
    // And the stream itself is the plain ChaCha20 stream: 12 bytes = 3 words.
    let mut a = CertifiedRng::from_seed(Seed::from_bytes([9; 32]));
    let mut b = CertifiedRng::from_seed(Seed::from_bytes([9; 32]));
    a.next_u32();
    let mut bytes = [0u8; 8];
    a.fill_bytes(&mut bytes);
    let after = a.next_u32();
    let words: Vec<u32> = (0..4).map(|_| b.next_u32()).collect();
    assert_eq!(bytes[..4], words[1].to_le_bytes());
    assert_eq!(bytes[4..], words[2].to_le_bytes());
    assert_eq!(after, words[3]);
}

#[test]
fn tick_reseeds_by_age_and_cycles() {
    let policy =
        ReseedPolicy { max_draws: None, max_age: Some(std::time::Duration::from_secs(10)), cycle_max_words: 16 };
    let mut rng = CertifiedRng::from_os(policy).unwrap();
    rng.take_reseeds();
    let before = rng.position();
    rng.tick(std::time::Instant::now());
    let after = rng.position();
    assert_eq!(after.commitment(), before.commitment(), "young seed kept");
    let skipped = after.word_pos - before.word_pos;
    assert!((1..=16).contains(&skipped), "cycled {skipped} words");
    assert!(rng.take_reseeds().is_empty());

    rng.tick(std::time::Instant::now() + std::time::Duration::from_secs(11));
    let log = rng.take_reseeds();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].reason, croupier_rng::ReseedReason::Age);
    assert_ne!(rng.commitment(), before.commitment());
}

#[test]
fn explicit_seeds_never_reseed_or_cycle() {
    let mut rng = CertifiedRng::from_seed(Seed::from_bytes([7; 32]));
    let before = rng.position();
    rng.tick(std::time::Instant::now() + std::time::Duration::from_secs(1 << 30));
    assert_eq!(rng.position(), before);
    assert!(rng.take_reseeds().is_empty());
}

#[test]
fn cycling_skips_within_its_bound_for_any_bound() {
    for max in [1u32, 3, 64, 100] {
        let policy = ReseedPolicy { max_draws: None, max_age: None, cycle_max_words: max };
        let mut rng = CertifiedRng::from_os(policy).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let before = rng.position().word_pos;
            rng.cycle();
            let skipped = rng.position().word_pos - before;
            assert!((1..=u128::from(max)).contains(&skipped), "max {max}: skipped {skipped}");
            seen.insert(skipped);
        }
        // The skip really varies: with 2000 ticks every value of a small bound shows up.
        if max <= 64 {
            assert_eq!(seen.len() as u32, max, "max {max}");
        }
    }
}
