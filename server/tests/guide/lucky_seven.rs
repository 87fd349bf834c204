//! Lucky Seven, the game docs/game-sdk.md writes, as a studio would copy it:
//! between the markers, the guide's code block line for line, then the
//! guide's `register!` line for a live table (`server/tests/guide.rs` checks
//! both against the guide, so the guide cannot drift from code that builds).

// --- the guide's code ---
use croupier_sdk::{
    codes, reject, Audience, Code, ConfigError, Draw, Effect, Effects, ErrorCode, Game, Input,
    Money, OpId, Payout, PlayerId, Rejected, RoundId, Viewer, WalletResult, Currency,
};
use serde::{Deserialize, Serialize};

pub enum LuckySeven {}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)] // an operator's partial config takes the defaults
pub struct Config { pub currency: Currency, pub stake: i64 }

impl Default for Config {
    fn default() -> Self { Config { currency: Currency::EUR, stake: 100 } }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action { Roll }

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    config: Config,
    round: u64,
    /// The pending stake, while the wallet holds it.
    pending: Option<(OpId, PlayerId)>,
    last_total: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rolled { pub dice: [u32; 2], pub payout: i64 }

impl Game for LuckySeven {
    const ID: &'static str = "lucky_seven";
    const CODES: &'static [Code] = &[]; // every refusal here is a shared one
    type Config = Config;
    type State = State;
    type Action = Action;
    type View = Option<u32>;
    type Event = Rolled;
    type Outcome = Rolled;

    fn validate_config(config: &Config) -> Result<(), ConfigError> {
        if config.stake <= 0 || config.stake.checked_mul(5).is_none() {
            let message = "stake must be positive, and 5 stakes must fit in i64".to_owned();
            return Err(ConfigError { game: Self::ID, message });
        }
        Ok(())
    }

    fn new_table(config: &Config) -> State {
        State { config: config.clone(), round: 0, pending: None, last_total: None }
    }

    fn apply(s: &mut State, input: Input<Action>, rng: &mut dyn Draw, out: &mut Effects<Self>)
        -> Result<(), Rejected>
    {
        match input {
            Input::Join { .. } | Input::Leave { .. } => Ok(()),
            Input::Action { player, action: Action::Roll } => {
                if s.pending.is_some() {
                    return reject(ErrorCode::AwaitingSettlement, "the last roll is settling");
                }
                s.round += 1;
                let (op, round) = (OpId(s.round), RoundId(s.round));
                s.pending = Some((op, player));
                let amount = Money::new(s.config.stake, s.config.currency);
                out.push(Effect::RoundStarted { round });
                out.push(Effect::Reserve { op, round, player, amount });
                Ok(())
            }
            Input::Wallet { op, result } => {
                let Some((waiting, player)) = s.pending else {
                    return reject(codes::UNEXPECTED_WALLET_RESULT, "nothing pending");
                };
                if op != waiting {
                    return reject(codes::UNEXPECTED_WALLET_RESULT, "not the pending op");
                }
                s.pending = None;
                if result != WalletResult::Reserved {
                    return Ok(()); // nothing held: nothing to settle
                }
                let dice = [rng.below(6) + 1, rng.below(6) + 1];
                s.last_total = Some(dice[0] + dice[1]);
                let stake = Money::new(s.config.stake, s.config.currency);
                let payout = if dice[0] + dice[1] == 7 {
                    // validate_config bounds the stake; a fault is internal.
                    stake.checked_mul(5).map_err(|_| Rejected::new(ErrorCode::InternalError, "stake too large"))?
                } else {
                    Money::zero(s.config.currency)
                };
                let round = RoundId(s.round);
                let rolled = Rolled { dice, payout: payout.minor };
                let payouts = if payout.is_positive() { vec![Payout { player, amount: payout }] } else { vec![] };
                out.push(Effect::Publish { to: Audience::All, event: rolled.clone() });
                out.push(Effect::Settle { round, payouts });
                out.push(Effect::RoundEnded { round, outcome: rolled });
                Ok(())
            }
            Input::Timer { .. } => reject(codes::UNEXPECTED_TIMER, "no timers here"),
        }
    }

    fn view(s: &State, _viewer: Viewer) -> Option<u32> { s.last_total }

    fn offered_actions(s: &State, _player: PlayerId, out: &mut Vec<Action>) {
        if s.pending.is_none() { out.push(Action::Roll) }
    }

    fn max_round_stake(config: &Config) -> i64 { config.stake } // one roll a round

    fn theoretical_rtp(_config: &Config) -> f64 { 6.0 / 36.0 * 5.0 }
}
// --- the guide's registration ---
croupier_sdk::register!(LuckySeven, Table);
