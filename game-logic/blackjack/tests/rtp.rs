//! A million basic-strategy hands land inside the 99.9% interval of the
//! rule set's theoretical RTP.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicU64;

use croupier_blackjack::strategy::BasicStrategy;
use croupier_blackjack::{Blackjack, Config};
use croupier_rng::Seed;
use croupier_sdk::sim::{SimOptions, simulate};

#[test]
fn a_million_hands_land_inside_the_interval() {
    let options = SimOptions { threads: 2, seed: Some(Seed::from_bytes([21; 32])), ..SimOptions::new(1_000_000) };
    let report = simulate::<Blackjack, _>(&Config::default(), &options, || BasicStrategy, &AtomicU64::new(0)).unwrap();
    assert_eq!(report.rounds, 1_000_000);
    assert!(report.within_ci, "{report:?}");
    assert!((0.99..1.0).contains(&report.rtp), "{report:?}");
}
