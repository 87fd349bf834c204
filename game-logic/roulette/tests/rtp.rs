//! The measured RTP over a million spins sits inside the 99.9% interval of
//! the theoretical 36/37, for the game and, in math mode, for each kind of bet.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicU64;

use croupier_rng::Seed;
use croupier_roulette::strategy::RandomBets;
use croupier_roulette::{Config, Roulette};
use croupier_sdk::sim::{SimOptions, simulate, simulate_math};

#[test]
fn a_million_spins_land_inside_the_interval() {
    let options = SimOptions { threads: 2, seed: Some(Seed::from_bytes([37; 32])), ..SimOptions::new(1_000_000) };
    let report =
        simulate::<Roulette, _>(&Config::default(), &options, || RandomBets::new(2), &AtomicU64::new(0)).unwrap();
    assert_eq!(report.rounds, 1_000_000);
    assert_eq!(report.theoretical_rtp, 36.0 / 37.0);
    assert!(report.within_ci, "{report:?}");
    assert!(report.rtp_ci_high - report.rtp_ci_low < 0.05, "{report:?}");
}

#[test]
fn every_kind_of_bet_returns_36_37() {
    let options = SimOptions { threads: 2, seed: Some(Seed::from_bytes([37; 32])), ..SimOptions::new(2_000_000) };
    let report = simulate_math::<Roulette>(&Config::default(), &options, &AtomicU64::new(0)).unwrap();
    let names: Vec<&str> = report.bets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "straight", "split", "street", "corner", "six_line", "column", "dozen", "red", "black", "odd", "even",
            "low", "high"
        ]
    );
    for bet in &report.bets {
        assert_eq!(bet.theoretical_rtp, 36.0 / 37.0);
        assert!(bet.within_ci, "{bet:?}");
        assert!(bet.rounds > 0, "{bet:?}");
    }
    assert!(report.all_within_ci(), "{report:?}");
    assert_eq!(report.bets.iter().map(|b| b.rounds).sum::<u64>(), report.rounds);
    assert_eq!(report.bets.iter().map(|b| b.paid).sum::<i128>(), report.paid);
}
