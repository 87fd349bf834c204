//! Random play, legal and illegal, never panics, never breaks the money
//! contract, and pays every bet exactly what the layout says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::{CertifiedRng, Draw, Position, Seed};
use croupier_roulette::{Action, BETTING_TIMER, Config, Outcome, RESULT_TIMER, Roulette, Spot};
use croupier_sdk::testing::{Auditor, offered, try_apply};
use croupier_sdk::{Effect, Game, Input, OpId, PlayerId, RoundId, TimerId, WalletResult};

fn random_spot(r: &mut CertifiedRng) -> Spot {
    let mut n = || r.below(39) as u8;
    match n() % 13 {
        0 => Spot::Straight { number: n() },
        1 => Spot::Split { numbers: [n(), n()] },
        2 => Spot::Street { numbers: [n(), n(), n()] },
        3 => Spot::Corner { numbers: [n(), n(), n(), n()] },
        4 => Spot::SixLine { numbers: [n(), n(), n(), n(), n(), n()] },
        5 => Spot::Column { column: n() % 5 },
        6 => Spot::Dozen { dozen: n() % 5 },
        7 => Spot::Red,
        8 => Spot::Black,
        9 => Spot::Odd,
        10 => Spot::Even,
        11 => Spot::Low,
        _ => Spot::High,
    }
}

fn random_input(r: &mut CertifiedRng, state: &<Roulette as Game>::State, auditor: &Auditor) -> (Input<Action>, bool) {
    let player = PlayerId(u64::from(r.below(4)) + 1);
    match r.below(10) {
        0 => (Input::Join { player, seat: None }, false),
        1 if r.below(4) == 0 => (Input::Leave { player }, false),
        2 | 3 => {
            let actions = offered::<Roulette>(state, player);
            match actions.len() {
                0 => (Input::Timer { timer: BETTING_TIMER }, false),
                n => (Input::Action { player, action: actions[r.below(n as u32) as usize].clone() }, true),
            }
        }
        4 => {
            let amount = i64::from(r.below(60_000)) - 1_000;
            (Input::Action { player, action: Action::Bet { spot: random_spot(r), amount } }, false)
        }
        5..=7 => {
            let pending = auditor.pending_ops();
            let op = match pending.len() {
                0 => OpId(u64::from(r.below(100))),
                n => pending[r.below(n as u32) as usize],
            };
            let result = if r.below(5) == 0 {
                WalletResult::Refused { code: "insufficient_funds".into() }
            } else {
                WalletResult::Reserved
            };
            (Input::Wallet { op, result }, false)
        }
        _ => {
            let timer = [BETTING_TIMER, RESULT_TIMER, TimerId(9)][r.below(3) as usize];
            (Input::Timer { timer }, false)
        }
    }
}

/// Every bet in the outcome returns 36/k times its stake if the number is
/// among its k, else nothing; the settled payouts are the per-player sums;
/// the outcome's stakes are exactly the stakes the wallet held; and no
/// player has more than `max_bet` on one spot, all their chips on it added.
fn check_outcome(
    outcome: &Outcome,
    held: &[(PlayerId, i64)],
    settled: Option<&Vec<croupier_sdk::Payout>>,
    max_bet: i64,
) {
    let mut on_spot = std::collections::BTreeMap::<(PlayerId, u64), i64>::new();
    for b in &outcome.bets {
        *on_spot.entry((b.player, b.spot.coverage().unwrap_or(0))).or_default() += b.amount;
    }
    assert!(on_spot.values().all(|&t| t <= max_bet), "over max_bet on one spot: {on_spot:?}");
    let mut per_player = std::collections::BTreeMap::<PlayerId, i64>::new();
    for b in &outcome.bets {
        let mask = b.spot.coverage().expect("only legal bets are in play");
        let expected = if mask & (1 << outcome.number) != 0 { b.amount * 36 / i64::from(mask.count_ones()) } else { 0 };
        assert_eq!(b.payout, expected, "{b:?} on {}", outcome.number);
        if expected > 0 {
            *per_player.entry(b.player).or_default() += expected;
        }
    }
    let mut stakes: Vec<(PlayerId, i64)> = outcome.bets.iter().map(|b| (b.player, b.amount)).collect();
    let mut held = held.to_vec();
    stakes.sort_unstable();
    held.sort_unstable();
    assert_eq!(stakes, held, "outcome stakes differ from the stakes held");
    let paid: Vec<(PlayerId, i64)> = settled.map_or(vec![], |p| p.iter().map(|p| (p.player, p.amount.minor)).collect());
    assert_eq!(paid, per_player.into_iter().collect::<Vec<_>>());
}

#[test]
fn random_play_keeps_every_contract() {
    let config = Config { max_total_per_player: 100_000, max_bets_per_player: 8, ..Config::default() };
    let mut rounds_settled = 0;
    for table in 0..200u64 {
        let seed = Seed::from_bytes([11; 32]);
        let mut game_rng = CertifiedRng::from_position(&Position::new(seed.clone(), 2 * table, 0));
        let mut input_rng = CertifiedRng::from_position(&Position::new(seed, 2 * table + 1, 0));
        let mut state = Roulette::new_table(&config);
        let mut auditor = Auditor::capped::<Roulette>(&config);
        for step in 0..400 {
            let (input, offered) = random_input(&mut input_rng, &state, &auditor);
            let answer = match &input {
                Input::Wallet { op, result } => Some((*op, result.clone())),
                _ => None,
            };
            match try_apply::<Roulette>(&mut state, input.clone(), &mut game_rng) {
                Ok(effects) => {
                    if let Some((op, result)) = answer {
                        auditor.answered(op, &result).unwrap_or_else(|e| panic!("table {table} step {step}: {e}"));
                    }
                    // Stakes held in every round, before these effects close any.
                    let snapshot: Vec<(RoundId, Vec<(PlayerId, i64)>)> =
                        (1..=state_round(&state)).map(|r| (RoundId(r), auditor.held(RoundId(r)).to_vec())).collect();
                    auditor.observe(&effects).unwrap_or_else(|e| panic!("table {table} step {step}: {e}"));
                    let settled = effects.iter().find_map(|e| match e {
                        Effect::Settle { payouts, .. } => Some(payouts),
                        _ => None,
                    });
                    for e in &effects {
                        if let Effect::RoundEnded { round, outcome } = e {
                            let held = snapshot.iter().find(|(r, _)| r == round).map_or(&[][..], |(_, h)| h);
                            check_outcome(outcome, held, settled, config.max_bet);
                            rounds_settled += u32::from(settled.is_some());
                        }
                    }
                }
                Err(rejection) => {
                    assert!(rejection.is_clean(), "table {table} step {step}: {input:?}: {rejection:?}");
                    assert!(!offered, "table {table} step {step}: offered {input:?} was rejected: {rejection:?}");
                }
            }
        }
        assert!(auditor.paid <= auditor.staked * 36);
    }
    assert!(rounds_settled > 200, "random play settled only {rounds_settled} rounds");
}

fn state_round(state: &<Roulette as Game>::State) -> u64 {
    serde_json::to_value(state).unwrap()["round"].as_u64().unwrap()
}
