//! Random play at a full table, legal and illegal, never panics, never breaks
//! the money contract, never shows the hole card or the shoe early, and pays
//! every hand by the rules.

#![allow(clippy::unwrap_used)]

use croupier_blackjack::cards::{is_blackjack, total};
use croupier_blackjack::{Action, Blackjack, Config, Insurance, Outcome, Phase, Status, Surrender};
use croupier_rng::{CertifiedRng, Draw, Position, Seed};
use croupier_sdk::testing::{Auditor, offered, try_apply};
use croupier_sdk::{Effect, Game, Input, OpId, PlayerId, RoundId, TimerId, Viewer, WalletResult};

fn random_action(r: &mut CertifiedRng) -> Action {
    match r.below(8) {
        0 => Action::Bet { amount: i64::from(r.below(60_000)) - 100 },
        1 => Action::Insurance { take: r.below(2) == 0 },
        2 => Action::Hit,
        3 => Action::Stand,
        4 => Action::Double,
        5 => Action::Split,
        _ => Action::Surrender,
    }
}

fn check_outcome(o: &Outcome, held: &[(PlayerId, i64)], h17: bool) {
    let dealer_bj = is_blackjack(&o.dealer);
    let d = total(&o.dealer).0;
    for h in &o.hands {
        let t = total(&h.cards).0;
        let expected = match h.status {
            Status::Surrendered => h.stake / 2,
            Status::Bust => {
                assert!(t > 21, "{h:?}");
                0
            }
            Status::Blackjack if dealer_bj => h.stake,
            Status::Blackjack => h.stake + h.stake * 3 / 2,
            _ if dealer_bj => 0,
            _ if d > 21 || t > d => 2 * h.stake,
            _ if t == d => h.stake,
            _ => 0,
        };
        assert_eq!(h.payout, expected, "{h:?} against {:?}", o.dealer);
        assert!(t <= 21 || h.status == Status::Bust, "{h:?}");
    }
    // The dealer drew to 17 when someone stood, else stopped.
    if !dealer_bj && o.hands.iter().any(|h| h.status == Status::Stood) {
        assert!(d >= 17, "dealer stopped at {d}: {:?}", o.dealer);
        let (before, soft) = total(&o.dealer[..o.dealer.len() - 1]);
        assert!(o.dealer.len() == 2 || before < 17 || (before == 17 && soft && h17), "{:?}", o.dealer);
        let (last, soft) = total(&o.dealer);
        assert!(!(last == 17 && soft && h17), "H17 dealer stood on soft 17: {:?}", o.dealer);
    }
    let mut stakes: Vec<(PlayerId, i64)> = o.hands.iter().map(|h| (h.player, h.stake)).collect();
    stakes.extend(o.insurance.iter().map(|&(p, a, _)| (p, a)));
    let mut by_player = std::collections::BTreeMap::<PlayerId, i64>::new();
    for (p, a) in stakes {
        *by_player.entry(p).or_default() += a;
    }
    let mut held_by = std::collections::BTreeMap::<PlayerId, i64>::new();
    for &(p, a) in held {
        *held_by.entry(p).or_default() += a;
    }
    assert_eq!(by_player, held_by, "outcome stakes vs stakes held");
}

#[test]
fn random_play_keeps_every_contract() {
    let mut settled = 0;
    for (table, surrender) in (0..60u64).zip([Surrender::Off, Surrender::Late].into_iter().cycle()) {
        let config = Config {
            decks: 1 + (table % 2) as u8,
            surrender,
            dealer_hits_soft_17: table % 3 == 0,
            ..Config::default()
        };
        let seed = Seed::from_bytes([17; 32]);
        let mut game_rng = CertifiedRng::from_position(&Position::new(seed.clone(), 2 * table, 0));
        let mut r = CertifiedRng::from_position(&Position::new(seed, 2 * table + 1, 0));
        let mut state = Blackjack::new_table(&config);
        let mut auditor = Auditor::capped::<Blackjack>(&config);
        for step in 0..1500 {
            let player = PlayerId(u64::from(r.below(8)) + 1);
            let (input, offered) = match r.below(12) {
                0 => (Input::Join { player, seat: (r.below(3) == 0).then(|| r.below(8) as u8) }, false),
                1 if r.below(6) == 0 => (Input::Leave { player }, false),
                2..=4 => {
                    let offers = offered::<Blackjack>(&state, player);
                    match offers.len() {
                        0 => (Input::Action { player, action: random_action(&mut r) }, false),
                        n => (Input::Action { player, action: offers[r.below(n as u32) as usize] }, true),
                    }
                }
                5 => (Input::Action { player, action: random_action(&mut r) }, false),
                6..=8 => {
                    let pending = auditor.pending_ops();
                    let op = pending.first().copied().unwrap_or(OpId(u64::from(r.below(50))));
                    let result = if r.below(6) == 0 {
                        WalletResult::Refused { code: "insufficient_funds".into() }
                    } else {
                        WalletResult::Reserved
                    };
                    (Input::Wallet { op, result }, false)
                }
                _ => (Input::Timer { timer: TimerId(r.below(4)) }, false),
            };
            let round = RoundId(serde_json::to_value(&state).unwrap()["round"].as_u64().unwrap());
            match try_apply::<Blackjack>(&mut state, input.clone(), &mut game_rng) {
                Ok(effects) => {
                    if let Input::Wallet { op, result } = &input {
                        auditor.answered(*op, result).unwrap();
                    }
                    let held = auditor.held(round).to_vec();
                    auditor.observe(&effects).unwrap_or_else(|e| panic!("table {table} step {step}: {e}"));
                    for e in &effects {
                        if let Effect::RoundEnded { outcome, .. } = e {
                            check_outcome(outcome, &held, config.dealer_hits_soft_17);
                            settled += 1;
                        }
                    }
                }
                Err(rejection) => {
                    assert!(rejection.is_clean(), "table {table} step {step}: {input:?}: {rejection:?}");
                    assert!(!offered, "table {table} step {step}: offered {input:?} rejected: {rejection:?}");
                }
            }
            // No view shows the hole card before the dealer plays.
            let view = Blackjack::view(&state, Viewer::Spectator);
            if !matches!(view.phase, Phase::Result) && view.dealer.len() == 2 {
                assert_eq!(view.dealer[1], None, "table {table} step {step}: hole card shown in {:?}", view.phase);
            }
            // Outside the insurance decision every insurance is settled: taken
            // and held, or declined (a refused stake declines it).
            if !matches!(view.phase, Phase::Insurance { .. }) {
                for s in &view.seats {
                    let open = matches!(s.insurance, Insurance::Undecided | Insurance::Taken { confirmed: false, .. });
                    assert!(!open, "table {table} step {step}: {:?} in {:?}", s.insurance, view.phase);
                }
            }
            let text = serde_json::to_string(&view).unwrap();
            assert!(!text.contains("\"cards\":[") || !text.contains("shoe\":{"), "the shoe never appears in a view");
        }
    }
    assert!(settled > 300, "random play ended only {settled} rounds");
}
