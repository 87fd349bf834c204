//! The SDK's contract checks: a rejected input must leave the state unchanged
//! and draw nothing, and the helpers notice when a game breaks that.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broken;

use broken::{Broken, DirtyReject, NeverSettles, StakesOverLimit};
use croupier_rng::{CertifiedRng, Seed};
use croupier_sdk::example::{Action, CoinFlip, Config, Side};
use croupier_sdk::testing::{Auditor, assert_rejected_unchanged, offered, try_apply};
use croupier_sdk::{Effect, Game, Input, OpId, PlayerId, TimerId, WalletResult};

fn rng() -> CertifiedRng {
    CertifiedRng::from_seed(Seed::from_bytes([3; 32]))
}

/// A coin flip table with player 1 seated.
fn seated() -> (<CoinFlip as Game>::State, PlayerId) {
    let mut state = CoinFlip::new_table(&Config::default());
    let p = PlayerId(1);
    let join = Input::Join { player: p, seat: None };
    try_apply::<CoinFlip>(&mut state, join, &mut rng()).unwrap();
    (state, p)
}

#[test]
fn coin_flip_rejections_leave_state_unchanged() {
    let (state, p) = seated();
    let r = assert_rejected_unchanged::<CoinFlip>(
        &state,
        Input::Action { player: p, action: Action::Flip { call: Side::Heads, stake: 5 } },
        &mut rng(),
    );
    assert_eq!(r.code, "bet_out_of_limits");
    let r = assert_rejected_unchanged::<CoinFlip>(&state, Input::Timer { timer: TimerId(0) }, &mut rng());
    assert_eq!(r.code, "unexpected_timer");
}

#[test]
fn every_offered_action_is_accepted() {
    let (state, p) = seated();
    let actions = offered::<CoinFlip>(&state, p);
    assert_eq!(actions.len(), 4);
    for action in actions {
        let mut copy = state.clone();
        assert!(try_apply::<CoinFlip>(&mut copy, Input::Action { player: p, action }, &mut rng()).is_ok());
    }
    assert!(offered::<CoinFlip>(&state, PlayerId(2)).is_empty(), "not seated: nothing offered");
}

#[test]
fn a_dirty_rejection_is_caught() {
    let mut state = Broken::<DirtyReject>::new_table(&Config::default());
    let rejection =
        try_apply::<Broken<DirtyReject>>(&mut state, Input::Timer { timer: TimerId(0) }, &mut rng()).unwrap_err();
    assert!(rejection.state_changed);
    assert_eq!(rejection.draws_made, 1);
    assert!(!rejection.is_clean());
    let state = Broken::<DirtyReject>::new_table(&Config::default());
    let caught = std::panic::catch_unwind(|| {
        assert_rejected_unchanged::<Broken<DirtyReject>>(&state, Input::Timer { timer: TimerId(0) }, &mut rng())
    });
    assert!(caught.is_err(), "assert_rejected_unchanged must panic on a dirty rejection");
}

#[test]
fn the_auditor_fails_a_round_that_ends_holding_stakes() {
    fn play<G: Game<Action = Action, Config = Config>>() -> Result<(), String> {
        let mut state = G::new_table(&Config::default());
        let (p, mut auditor) = (PlayerId(1), Auditor::default());
        let flip = Action::Flip { call: Side::Heads, stake: 100 };
        let inputs = [Input::Join { player: p, seat: None }, Input::Action { player: p, action: flip }];
        for input in inputs {
            auditor.observe(&try_apply::<G>(&mut state, input, &mut rng()).unwrap())?;
        }
        let result = WalletResult::Reserved;
        auditor.answered(OpId(1), &result)?;
        let effects = try_apply::<G>(&mut state, Input::Wallet { op: OpId(1), result }, &mut rng()).unwrap();
        assert!(effects.iter().any(|e| matches!(e, Effect::RoundEnded { .. })), "the round ends");
        auditor.observe(&effects)
    }
    assert_eq!(play::<CoinFlip>(), Ok(()), "a settled round passes");
    let err = play::<Broken<NeverSettles>>().unwrap_err();
    assert!(err.contains("never settled"), "{err}");
}

#[test]
fn invalid_configs_are_refused() {
    for bad in [
        Config { min_stake: 0, ..Config::default() },
        Config { max_stake: 50, ..Config::default() },
        Config { win_den: 0, ..Config::default() },
        Config { max_stake: i64::MAX, ..Config::default() },
    ] {
        assert!(CoinFlip::validate_config(&bad).is_err(), "{bad:?}");
    }
    assert!(CoinFlip::validate_config(&Config::default()).is_ok());
}

#[test]
fn a_capped_auditor_fails_stakes_over_the_round_limit() {
    fn stake<G: Game<Action = Action, Config = Config>>(stake: i64) -> Result<(), String> {
        let config = Config::default();
        let mut state = G::new_table(&config);
        let (p, mut auditor) = (PlayerId(1), Auditor::capped::<G>(&config));
        let flip = Action::Flip { call: Side::Tails, stake };
        for input in [Input::Join { player: p, seat: None }, Input::Action { player: p, action: flip }] {
            auditor.observe(&try_apply::<G>(&mut state, input, &mut rng()).unwrap())?;
        }
        Ok(())
    }
    let max = Config::default().max_stake;
    assert_eq!(stake::<CoinFlip>(max), Ok(()), "the limit itself is within it");
    assert_eq!(stake::<Broken<StakesOverLimit>>(max / 2), Ok(()), "twice half the limit is the limit");
    let err = stake::<Broken<StakesOverLimit>>(max).unwrap_err();
    assert!(err.contains("max_round_stake"), "{err}");
}
