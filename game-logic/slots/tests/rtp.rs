//! A million paid spins land inside the 99.9% interval of the exact RTP.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicU64;

use croupier_rng::Seed;
use croupier_sdk::sim::{RandomOffered, SimOptions, simulate};
use croupier_slots::{Config, Slots};

#[test]
fn a_million_spins_land_inside_the_interval() {
    let options = SimOptions { threads: 2, seed: Some(Seed::from_bytes([96; 32])), ..SimOptions::new(1_000_000) };
    let report = simulate::<Slots, _>(&Config::default(), &options, || RandomOffered, &AtomicU64::new(0)).unwrap();
    assert_eq!(report.rounds, 1_000_000);
    assert!(report.within_ci, "{report:?}");
}
