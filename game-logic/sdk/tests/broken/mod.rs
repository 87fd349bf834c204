//! Deliberately broken games (coin flip with one fault each), shared by the
//! contract and simulator tests to prove the SDK catches each fault.

#![allow(dead_code, missing_docs)]

use croupier_rng::Draw;
use croupier_sdk::example::{Action, CoinFlip, Config, Side};
use croupier_sdk::{Code, Effect, Effects, Game, Input, PlayerId, Rejected, Viewer};

/// Which fault to inject.
pub trait Fault: 'static {
    const ID: &'static str;
    /// The codes the broken game says are its own.
    const CODES: &'static [Code] = &[];
    /// Rewrites a refusal.
    fn refusal(rejected: Rejected) -> Rejected {
        rejected
    }
    /// Rewrites the effects of one input.
    fn effects(_effects: &mut Effects<CoinFlip>) {}
    /// Rewrites the offered actions.
    fn offered(_offered: &mut Vec<Action>) {}
    fn rtp(rtp: f64) -> f64 {
        rtp
    }
    /// Called on every input before the real game; may corrupt the state.
    fn before(_state: &mut <CoinFlip as Game>::State, _input: &Input<Action>, _rng: &mut dyn Draw) {}
}

pub struct Broken<F>(std::marker::PhantomData<F>);

impl<F: Fault> Game for Broken<F> {
    const ID: &'static str = F::ID;
    const CODES: &'static [Code] = F::CODES;
    type Config = Config;
    type State = <CoinFlip as Game>::State;
    type Action = Action;
    type View = <CoinFlip as Game>::View;
    type Event = <CoinFlip as Game>::Event;
    type Outcome = <CoinFlip as Game>::Outcome;

    fn new_table(config: &Config) -> Self::State {
        CoinFlip::new_table(config)
    }
    fn apply(
        state: &mut Self::State,
        input: Input<Action>,
        rng: &mut dyn Draw,
        out: &mut Effects<Self>,
    ) -> Result<(), Rejected> {
        F::before(state, &input, rng);
        CoinFlip::apply(state, input, rng, out).map_err(F::refusal)?;
        F::effects(out);
        Ok(())
    }
    fn view(state: &Self::State, viewer: Viewer) -> Self::View {
        CoinFlip::view(state, viewer)
    }
    fn offered_actions(state: &Self::State, player: PlayerId, out: &mut Vec<Action>) {
        CoinFlip::offered_actions(state, player, out);
        F::offered(out);
    }
    fn max_round_stake(config: &Config) -> i64 {
        CoinFlip::max_round_stake(config)
    }
    fn theoretical_rtp(config: &Config) -> f64 {
        F::rtp(CoinFlip::theoretical_rtp(config))
    }
}

/// Reserves twice the stake asked for: more than its limit says a round
/// can hold, as a limit checked on the wrong amount would.
pub enum StakesOverLimit {}
impl Fault for StakesOverLimit {
    const ID: &'static str = "stakes_over_limit";
    fn effects(effects: &mut Effects<CoinFlip>) {
        for e in effects.iter_mut() {
            if let Effect::Reserve { amount, .. } = e {
                amount.minor *= 2;
            }
        }
    }
}

/// Settles every round twice.
pub enum SettlesTwice {}
impl Fault for SettlesTwice {
    const ID: &'static str = "settles_twice";
    fn effects(effects: &mut Effects<CoinFlip>) {
        let settle = effects.iter().find(|e| matches!(e, Effect::Settle { .. })).cloned();
        effects.extend(settle);
    }
}

/// Ends rounds without settling them.
pub enum NeverSettles {}
impl Fault for NeverSettles {
    const ID: &'static str = "never_settles";
    fn effects(effects: &mut Effects<CoinFlip>) {
        effects.retain(|e| !matches!(e, Effect::Settle { .. }));
    }
}

/// Offers a stake below the table minimum.
pub enum OffersIllegal {}
impl Fault for OffersIllegal {
    const ID: &'static str = "offers_illegal";
    fn offered(offered: &mut Vec<Action>) {
        if !offered.is_empty() {
            *offered = vec![Action::Flip { call: Side::Heads, stake: 1 }];
        }
    }
}

/// Declares an RTP the rules do not give.
pub enum WrongRtp {}
impl Fault for WrongRtp {
    const ID: &'static str = "wrong_rtp";
    fn rtp(_rtp: f64) -> f64 {
        0.99
    }
}

/// Changes the state and draws before it rejects an input.
pub enum DirtyReject {}
impl Fault for DirtyReject {
    const ID: &'static str = "dirty_reject";
    fn before(state: &mut <CoinFlip as Game>::State, input: &Input<Action>, rng: &mut dyn Draw) {
        if matches!(input, Input::Timer { .. }) {
            rng.below(6);
            *state = CoinFlip::new_table(&Config { min_stake: 1, ..Config::default() });
        }
    }
}

/// Draws when a player joins, with no round open: a draw no round record
/// would hold.
pub enum DrawsOnJoin {}
impl Fault for DrawsOnJoin {
    const ID: &'static str = "draws_on_join";
    fn before(_state: &mut <CoinFlip as Game>::State, input: &Input<Action>, rng: &mut dyn Draw) {
        if matches!(input, Input::Join { .. }) {
            rng.below(6);
        }
    }
}

/// Refuses a bad stake with a code of its own that it does not list.
pub enum UnlistedCode {}
impl Fault for UnlistedCode {
    const ID: &'static str = "unlisted_code";
    fn refusal(rejected: Rejected) -> Rejected {
        if rejected.code != "bet_out_of_limits" {
            return rejected;
        }
        Rejected::new(Code::own("coin_on_edge"), rejected.message)
    }
}

/// Lists a code of its own that it never refuses with.
pub enum UnprovokedCode {}
impl Fault for UnprovokedCode {
    const ID: &'static str = "unprovoked_code";
    const CODES: &'static [Code] = &[Code::own("coin_on_edge")];
}

/// Lists a shared code as its own.
pub enum SharedAsOwn {}
impl Fault for SharedAsOwn {
    const ID: &'static str = "shared_as_own";
    const CODES: &'static [Code] = &[Code::own("not_seated")];
}
