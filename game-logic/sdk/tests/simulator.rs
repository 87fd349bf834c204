//! The simulator measures RTP with a 99.9% interval, is reproducible with a
//! seed, and turns every breach of the money contract into an error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken;

use std::sync::atomic::{AtomicU64, Ordering};

use broken::{Broken, DrawsOnJoin, NeverSettles, OffersIllegal, SettlesTwice, StakesOverLimit, WrongRtp};
use croupier_rng::Seed;
use croupier_sdk::Game;
use croupier_sdk::example::{CoinFlip, Config};
use croupier_sdk::sim::{RandomOffered, SimError, SimOptions, SimReport, simulate};

fn options(rounds: u64, threads: usize) -> SimOptions {
    SimOptions { threads, seed: Some(Seed::from_bytes([5; 32])), ..SimOptions::new(rounds) }
}

fn run<G: Game<Config = Config>>(opts: &SimOptions) -> Result<SimReport, SimError> {
    simulate::<G, _>(&Config::default(), opts, || RandomOffered, &AtomicU64::new(0))
}

#[test]
fn coin_flip_rtp_sits_in_its_interval_over_a_million_rounds() {
    let progress = AtomicU64::new(0);
    let report =
        simulate::<CoinFlip, _>(&Config::default(), &options(1_000_000, 2), || RandomOffered, &progress).unwrap();
    assert_eq!(report.rounds, 1_000_000);
    assert_eq!(progress.load(Ordering::Relaxed), 1_000_000);
    assert!(report.within_ci, "{report:?}");
    assert!(report.rtp_ci_low < report.rtp && report.rtp < report.rtp_ci_high);
    // A million rounds pin the RTP to about +-0.3%.
    assert!(report.rtp_ci_high - report.rtp_ci_low < 0.01, "{report:?}");
    assert_eq!(report.theoretical_rtp, 0.975);
    // Stakes are 100 or 10,000 and wins pay 1.95x: payouts are exact.
    assert!(report.staked > 0 && report.paid > 0);
    assert_eq!(report.paid % 195, 0);
}

#[test]
fn a_seeded_run_is_reproducible() {
    let a = run::<CoinFlip>(&options(50_000, 3)).unwrap();
    let b = run::<CoinFlip>(&options(50_000, 3)).unwrap();
    assert_eq!((a.staked, a.paid), (b.staked, b.paid));
    let other = SimOptions { seed: Some(Seed::from_bytes([6; 32])), ..options(50_000, 3) };
    let c = run::<CoinFlip>(&other).unwrap();
    assert_ne!((a.staked, a.paid), (c.staked, c.paid));
}

#[test]
fn a_seeded_run_gives_the_same_report_on_any_number_of_threads() {
    use croupier_sdk::sim::{BLOCK_ROUNDS, simulate_math};
    // Three full blocks and a part: threads finish blocks in any order.
    let rounds = 3 * BLOCK_ROUNDS + 1_234;
    let same = |r: &SimReport| (r.rounds, r.staked, r.paid, r.rtp.to_bits(), r.rtp_ci_low.to_bits());
    let one = run::<CoinFlip>(&options(rounds, 1)).unwrap();
    let math_one = simulate_math::<CoinFlip>(&Config::default(), &options(rounds, 1), &AtomicU64::new(0)).unwrap();
    for threads in [2, 3, 8] {
        let many = run::<CoinFlip>(&options(rounds, threads)).unwrap();
        assert_eq!(same(&one), same(&many), "table mode, {threads} threads");
        let math =
            simulate_math::<CoinFlip>(&Config::default(), &options(rounds, threads), &AtomicU64::new(0)).unwrap();
        assert_eq!(same(&one), same(&math), "math mode, {threads} threads");
        assert_eq!(math_one.bets, math.bets, "math mode bets, {threads} threads");
    }
    assert_eq!(one.rounds, rounds);
}

#[test]
fn math_mode_measures_each_bet() {
    let report =
        croupier_sdk::sim::simulate_math::<CoinFlip>(&Config::default(), &options(200_000, 2), &AtomicU64::new(0))
            .unwrap();
    assert_eq!(report.bets.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["heads", "tails"]);
    assert!(report.all_within_ci(), "{report:?}");
    // Every round stakes exactly one of the two calls.
    assert_eq!(report.bets.iter().map(|b| b.rounds).sum::<u64>(), report.rounds);
    assert_eq!(report.bets.iter().map(|b| b.staked).sum::<i128>(), report.staked);
    assert_eq!(report.bets.iter().map(|b| b.paid).sum::<i128>(), report.paid);
    assert!(report.bets.iter().all(|b| b.rounds > 90_000 && b.theoretical_rtp == 0.975), "{report:?}");
    // Table mode settles per player, not per bet.
    assert!(run::<CoinFlip>(&options(1000, 1)).unwrap().bets.is_empty());
}

#[test]
fn a_wrong_theoretical_rtp_falls_outside_the_interval() {
    let report = run::<Broken<WrongRtp>>(&options(1_000_000, 2)).unwrap();
    assert!(!report.within_ci, "{report:?}");
}

#[test]
fn double_settlement_is_an_error() {
    let err = run::<Broken<SettlesTwice>>(&options(1000, 1)).unwrap_err();
    assert!(matches!(&err, SimError::Money { problem, .. } if problem.contains("twice")), "{err}");
}

#[test]
fn stakes_over_the_round_limit_are_an_error() {
    let err = run::<Broken<StakesOverLimit>>(&options(1000, 1)).unwrap_err();
    assert!(matches!(&err, SimError::Money { problem, .. } if problem.contains("max_round_stake")), "{err}");
    assert!(run::<CoinFlip>(&options(1000, 1)).is_ok(), "the honest game stays within it");
}

#[test]
fn a_round_ending_with_held_stakes_is_an_error() {
    let err = run::<Broken<NeverSettles>>(&options(1000, 1)).unwrap_err();
    assert!(matches!(&err, SimError::Money { problem, .. } if problem.contains("unsettled")), "{err}");
}

#[test]
fn a_draw_with_no_round_open_is_an_error() {
    let err = run::<Broken<DrawsOnJoin>>(&options(1000, 1)).unwrap_err();
    assert!(matches!(err, SimError::DrewOutsideRound { round: 0 }), "{err}");
}

#[test]
fn a_rejected_offered_action_is_an_error() {
    let err = run::<Broken<OffersIllegal>>(&options(1000, 1)).unwrap_err();
    assert!(matches!(err, SimError::OfferedActionRejected { ref code, .. } if code == "bet_out_of_limits"), "{err}");
}

#[test]
fn an_invalid_config_is_refused_before_running() {
    let bad = Config { min_stake: 0, ..Config::default() };
    let err = simulate::<CoinFlip, _>(&bad, &options(10, 1), || RandomOffered, &AtomicU64::new(0)).unwrap_err();
    assert!(matches!(err, SimError::Config(_)));
}
