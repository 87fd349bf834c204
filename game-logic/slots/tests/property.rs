//! Random inputs never panic or break the money contract, and every round's
//! total is the sum of its spins, re-evaluated from their stops, with free
//! spins within the cap.

#![allow(clippy::unwrap_used)]

use croupier_rng::{CertifiedRng, Draw, Position, Seed};
use croupier_sdk::testing::{Auditor, try_apply};
use croupier_sdk::{Effect, Game, Input, OpId, PlayerId, TimerId, WalletResult};
use croupier_slots::spin::Machine;
use croupier_slots::{Action, Config, Outcome, Slots};

fn check(c: &Config, o: &Outcome) {
    let line_bet = o.stake / c.lines.len() as i64;
    let mut total = 0;
    let machine = Machine::new(c);
    let base = machine.evaluate(o.spin.stops, line_bet, 1);
    assert_eq!((base.win, &base.lines), (o.spin.win, &o.spin.lines));
    total += base.win;
    let mut awarded = o.spin.free_spins_awarded;
    for f in &o.free_spins {
        let again = machine.evaluate(f.stops, line_bet, c.free_spins.multiplier);
        assert_eq!(again.win, f.win);
        total += f.win;
        awarded += f.free_spins_awarded;
    }
    assert_eq!(o.free_spins.len() as u32, awarded, "every awarded free spin is played");
    assert!(awarded <= c.free_spins.cap);
    assert_eq!(o.total_win, total);
}

#[test]
fn random_play_keeps_every_contract() {
    // Scatter-heavy reels so free spins and the cap are exercised often.
    let mut c = Config::default();
    for strip in &mut c.reels {
        for stop in strip.iter_mut().filter(|s| s.symbol == 8) {
            stop.weight = 400;
        }
    }
    c.free_spins.cap = 25;
    let mut capped = 0;
    for session in 0..100u64 {
        let seed = Seed::from_bytes([42; 32]);
        let mut game_rng = CertifiedRng::from_position(&Position::new(seed.clone(), 2 * session, 0));
        let mut r = CertifiedRng::from_position(&Position::new(seed, 2 * session + 1, 0));
        let mut state = Slots::new_table(&c);
        let mut auditor = Auditor::capped::<Slots>(&c);
        for step in 0..200 {
            let player = PlayerId(u64::from(r.below(2)) + 1);
            let input = match r.below(6) {
                0 => Input::Join { player, seat: None },
                1 => Input::Leave { player },
                2 | 3 => Input::Action { player, action: Action::Spin { line_bet: i64::from(r.below(600)) - 50 } },
                4 => {
                    let op = auditor.pending_ops().first().copied().unwrap_or(OpId(u64::from(r.below(9))));
                    let result = if r.below(4) == 0 {
                        WalletResult::Refused { code: "insufficient_funds".into() }
                    } else {
                        WalletResult::Reserved
                    };
                    Input::Wallet { op, result }
                }
                _ => Input::Timer { timer: TimerId(r.below(3)) },
            };
            match try_apply::<Slots>(&mut state, input.clone(), &mut game_rng) {
                Ok(effects) => {
                    if let Input::Wallet { op, result } = &input {
                        auditor.answered(*op, result).unwrap();
                    }
                    auditor.observe(&effects).unwrap_or_else(|e| panic!("session {session} step {step}: {e}"));
                    for e in &effects {
                        if let Effect::RoundEnded { outcome, .. } = e {
                            check(&c, outcome);
                            let awarded: u32 = outcome.spin.free_spins_awarded
                                + outcome.free_spins.iter().map(|f| f.free_spins_awarded).sum::<u32>();
                            capped += u32::from(awarded == c.free_spins.cap);
                        }
                    }
                }
                Err(rejection) => assert!(rejection.is_clean(), "session {session} step {step}: {rejection:?}"),
            }
        }
    }
    assert!(capped > 0, "no feature reached the cap");
}
