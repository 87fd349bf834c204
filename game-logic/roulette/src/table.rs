//! The roulette table's state machine: the [`Game`] implementation.

use std::collections::{BTreeSet, VecDeque};

use croupier_sdk::{
    Audience, Code, ConfigError, Currency, Draw, Effect, Effects, ErrorCode, Game, Input, Money, OpId, Payout,
    PlayerId, Rejected, RoundId, TimerId, Viewer, WalletResult, codes, merge_payouts, minor_units, reject,
};
use serde::{Deserialize, Serialize};

use crate::bets::Spot;

/// Closes the betting window.
pub const BETTING_TIMER: TimerId = TimerId(1);
/// Ends the result display and opens the next round.
pub const RESULT_TIMER: TimerId = TimerId(2);

/// The spots [`Game::offered_actions`] offers, at the minimum bet: one of
/// every kind.
pub const OFFERED_SPOTS: [Spot; 14] = [
    Spot::Straight { number: 17 },
    Spot::Straight { number: 0 },
    Spot::Split { numbers: [17, 20] },
    Spot::Street { numbers: [16, 17, 18] },
    Spot::Corner { numbers: [17, 18, 20, 21] },
    Spot::SixLine { numbers: [16, 17, 18, 19, 20, 21] },
    Spot::Column { column: 2 },
    Spot::Dozen { dozen: 2 },
    Spot::Red,
    Spot::Black,
    Spot::Odd,
    Spot::Even,
    Spot::Low,
    Spot::High,
];

/// Spins the wheel: the round's one draw.
pub fn spin_wheel(rng: &mut (impl Draw + ?Sized)) -> u8 {
    rng.below(37) as u8
}

/// What `amount` on the numbers of `mask` returns when `number` wins, stake
/// included (zero when it loses). The caller guarantees `amount * 36` fits
/// (the table's limits are validated so).
pub fn bet_return(mask: u64, amount: i64, number: u8) -> i64 {
    if mask >> number & 1 != 0 { amount * Spot::return_multiple(mask) } else { 0 }
}

/// Winning numbers kept for the table's history board.
const HISTORY: usize = 20;

/// The roulette game.
#[derive(Debug)]
pub enum Roulette {}

/// Table rules and limits (amounts in minor units of `currency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Table currency. Default EUR.
    pub currency: Currency,
    /// Smallest bet: each chip placed. Default 100.
    pub min_bet: i64,
    /// Largest stake one player may have on one spot in one round, every
    /// chip on it added up (a spot is the numbers it covers). Default
    /// 50,000.
    pub max_bet: i64,
    /// Largest total one player may stake in one round. Default 200,000.
    pub max_total_per_player: i64,
    /// Most bets one player may place in one round. Default 50.
    pub max_bets_per_player: u32,
    /// Betting window, milliseconds. Default 15,000.
    pub betting_ms: u64,
    /// Result display before the next round, milliseconds. Default 5,000.
    pub result_ms: u64,
    /// Players at the table at once. Default 8.
    pub seats: u8,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            currency: Currency::EUR,
            min_bet: 100,
            max_bet: 50_000,
            max_total_per_player: 200_000,
            max_bets_per_player: 50,
            betting_ms: 15_000,
            result_ms: 5_000,
            seats: 8,
        }
    }
}

/// What a player can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Stake `amount` minor units on `spot`.
    Bet {
        /// Where.
        spot: Spot,
        /// How much.
        amount: i64,
    },
}

/// Where the round is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Nobody seated: no round running.
    Idle,
    /// Bets are taken.
    Betting,
    /// No more bets; waiting for stakes still in flight at the wallet.
    Closing,
    /// The wheel has spun; showing the result.
    Result,
}

/// A bet on the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bet {
    /// Whose.
    pub player: PlayerId,
    /// Where.
    pub spot: Spot,
    /// Stake, minor units of the table's currency.
    #[serde(deserialize_with = "minor_units")]
    pub amount: i64,
    /// The reserve operation.
    pub op: OpId,
    /// Whether the wallet has confirmed the stake.
    pub confirmed: bool,
}

/// The checkpointed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct State {
    config: Config,
    phase: Phase,
    round: u64,
    next_op: u64,
    players: BTreeSet<PlayerId>,
    bets: Vec<Bet>,
    history: VecDeque<u8>,
}

/// A bet after the spin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SettledBet {
    /// Whose.
    pub player: PlayerId,
    /// Where.
    pub spot: Spot,
    /// Stake, minor units.
    #[serde(deserialize_with = "minor_units")]
    pub amount: i64,
    /// Return, stake included (zero if lost), minor units.
    #[serde(deserialize_with = "minor_units")]
    pub payout: i64,
}

/// What a winner is paid at a spin, stake included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Win {
    /// Who.
    pub player: PlayerId,
    /// Minor units of the table's currency.
    pub amount: i64,
}

/// A round's outcome, for the round record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcome {
    /// The winning number.
    pub number: u8,
    /// Every confirmed bet and what it returned.
    pub bets: Vec<SettledBet>,
}

/// Broadcast events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A round opened for bets.
    BettingOpen {
        /// The round.
        round: RoundId,
        /// Milliseconds until no more bets.
        closes_in_ms: u64,
    },
    /// The wallet holds a bet's stake: it is in play.
    BetAccepted {
        /// Whose.
        player: PlayerId,
        /// Where.
        spot: Spot,
        /// Stake, minor units.
        amount: i64,
    },
    /// The wallet refused a bet's stake; it is not in play (to its player only).
    BetRefused {
        /// Where.
        spot: Spot,
        /// Stake, minor units.
        amount: i64,
        /// The wallet's code, e.g. `insufficient_funds`.
        code: String,
    },
    /// Betting closed.
    NoMoreBets {
        /// The round.
        round: RoundId,
    },
    /// The ball landed.
    Spun {
        /// The round.
        round: RoundId,
        /// The winning number.
        number: u8,
        /// What each winner is paid, stake included (one line per player).
        payouts: Vec<Win>,
    },
}

/// What one viewer sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct View {
    /// Where the round is.
    pub phase: Phase,
    /// Current round number.
    pub round: u64,
    /// Latest winning numbers, newest first.
    pub history: Vec<u8>,
    /// The viewer's own bets this round (none for a spectator).
    pub my_bets: Vec<Bet>,
    /// Confirmed stakes on the table this round, all players.
    pub table_total: i64,
    /// The currency of every amount at this table.
    pub currency: Currency,
    /// The smallest chip.
    pub min_bet: i64,
    /// The most one player may have on one spot in a round.
    pub max_bet: i64,
}

/// Numbers that are not a legal group for the bet named.
pub const INVALID_BET: Code = Code::own("invalid_bet");
/// A chip under `min_bet`.
pub const BET_BELOW_MINIMUM: Code = Code::own("bet_below_minimum");
/// The player's total on one spot would go over `max_bet`.
pub const BET_ABOVE_MAXIMUM: Code = Code::own("bet_above_maximum");
/// The player has `max_bets_per_player` bets this round.
pub const TOO_MANY_BETS: Code = Code::own("too_many_bets");
/// The player's total this round would go over `max_total_per_player`.
pub const TABLE_LIMIT_EXCEEDED: Code = Code::own("table_limit_exceeded");

impl Game for Roulette {
    const ID: &'static str = "roulette";
    const CODES: &'static [Code] =
        &[INVALID_BET, BET_BELOW_MINIMUM, BET_ABOVE_MAXIMUM, TOO_MANY_BETS, TABLE_LIMIT_EXCEEDED];
    type Config = Config;
    type State = State;
    type Action = Action;
    type View = View;
    type Event = Event;
    type Outcome = Outcome;

    fn validate_config(c: &Config) -> Result<(), ConfigError> {
        let problem = if c.min_bet <= 0 || c.max_bet < c.min_bet {
            "need 0 < min_bet <= max_bet"
        } else if c.max_total_per_player < c.max_bet {
            "max_total_per_player must be at least max_bet"
        } else if c.max_total_per_player.checked_mul(36).is_none() {
            "max_total_per_player * 36 overflows"
        } else if c.max_bets_per_player == 0 {
            "max_bets_per_player must be at least 1"
        } else if c.betting_ms == 0 {
            "betting_ms must be at least 1"
        } else if c.seats == 0 {
            "seats must be at least 1"
        } else {
            return Ok(());
        };
        Err(ConfigError { game: Self::ID, message: problem.to_owned() })
    }

    fn seats(config: &Config) -> u8 {
        config.seats
    }

    fn new_table(config: &Config) -> State {
        State {
            config: config.clone(),
            phase: Phase::Idle,
            round: 0,
            next_op: 1,
            players: BTreeSet::new(),
            bets: Vec::new(),
            history: VecDeque::new(),
        }
    }

    fn reconfigure(state: &mut State, config: &Config) -> Result<(), Rejected> {
        if config.currency != state.config.currency {
            return reject(ErrorCode::ConfigFixed, "the currency of an open table cannot change");
        }
        if usize::from(config.seats) < state.players.len() {
            return reject(
                ErrorCode::ConfigFixed,
                format!("{} players are seated: seats cannot go below", state.players.len()),
            );
        }
        state.config = config.clone();
        Ok(())
    }

    fn apply(
        state: &mut State,
        input: Input<Action>,
        rng: &mut dyn Draw,
        out: &mut Effects<Self>,
    ) -> Result<(), Rejected> {
        match input {
            Input::Join { player, .. } => {
                if !state.players.contains(&player) && state.players.len() >= usize::from(state.config.seats) {
                    return reject(ErrorCode::TableFull, format!("all {} seats are taken", state.config.seats));
                }
                state.players.insert(player);
                if state.phase == Phase::Idle {
                    state.open_round(out);
                }
            }
            Input::Leave { player } => {
                // Bets already placed stay in play and are paid.
                state.players.remove(&player);
            }
            Input::Action { player, action: Action::Bet { spot, amount } } => state.bet(player, spot, amount, out)?,
            Input::Wallet { op, result } => state.wallet(op, result, rng, out)?,
            Input::Timer { timer } if timer == BETTING_TIMER && state.phase == Phase::Betting => {
                out.push(Effect::Publish {
                    to: Audience::All,
                    event: Event::NoMoreBets { round: RoundId(state.round) },
                });
                state.phase = Phase::Closing;
                if state.bets.iter().all(|b| b.confirmed) {
                    state.spin(rng, out);
                }
            }
            Input::Timer { timer } if timer == RESULT_TIMER && state.phase == Phase::Result => {
                if state.players.is_empty() {
                    state.phase = Phase::Idle;
                } else {
                    state.open_round(out);
                }
            }
            Input::Timer { timer } => {
                return reject(codes::UNEXPECTED_TIMER, format!("timer {} is not running", timer.0));
            }
        }
        Ok(())
    }

    fn view(state: &State, viewer: Viewer) -> View {
        let my_bets = match viewer {
            Viewer::Player(p) => state.bets.iter().filter(|b| b.player == p).cloned().collect(),
            Viewer::Spectator => vec![],
        };
        View {
            phase: state.phase,
            round: state.round,
            history: state.history.iter().copied().collect(),
            my_bets,
            table_total: state.bets.iter().filter(|b| b.confirmed).map(|b| b.amount).sum(),
            currency: state.config.currency,
            min_bet: state.config.min_bet,
            max_bet: state.config.max_bet,
        }
    }

    fn offered_actions(state: &State, player: PlayerId, out: &mut Vec<Action>) {
        let c = &state.config;
        if state.phase != Phase::Betting || !state.players.contains(&player) {
            return;
        }
        let (count, total) = state.player_bets(player);
        if count >= c.max_bets_per_player || total + c.min_bet > c.max_total_per_player {
            return;
        }
        let room = |spot: &Spot| state.on_spot(player, spot) + c.min_bet <= c.max_bet;
        out.extend(OFFERED_SPOTS.iter().filter(|s| room(s)).map(|&spot| Action::Bet { spot, amount: c.min_bet }));
    }

    fn max_round_stake(config: &Config) -> i64 {
        config.max_total_per_player
    }

    fn theoretical_rtp(_config: &Config) -> f64 {
        36.0 / 37.0
    }
}

impl State {
    /// (number of bets, total staked) of `player` this round, pending included.
    fn player_bets(&self, player: PlayerId) -> (u32, i64) {
        self.bets.iter().filter(|b| b.player == player).fold((0, 0), |(n, t), b| (n + 1, t + b.amount))
    }

    /// What `player` has on `spot` this round (stakes in flight included):
    /// a spot is the numbers it covers, so a split named 17-20 or 20-17 is
    /// one spot.
    fn on_spot(&self, player: PlayerId, spot: &Spot) -> i64 {
        let mask = spot.coverage();
        self.bets.iter().filter(|b| b.player == player && b.spot.coverage() == mask).map(|b| b.amount).sum()
    }

    fn open_round(&mut self, out: &mut Effects<Roulette>) {
        self.round += 1;
        self.phase = Phase::Betting;
        let round = RoundId(self.round);
        let closes_in_ms = self.config.betting_ms;
        out.extend([
            Effect::RoundStarted { round },
            Effect::StartTimer { timer: BETTING_TIMER, after_ms: closes_in_ms },
            Effect::Publish { to: Audience::All, event: Event::BettingOpen { round, closes_in_ms } },
        ]);
    }

    fn bet(&mut self, player: PlayerId, spot: Spot, amount: i64, out: &mut Effects<Roulette>) -> Result<(), Rejected> {
        let c = &self.config;
        if !self.players.contains(&player) {
            return reject(ErrorCode::NotSeated, "join the table before betting");
        }
        if self.phase != Phase::Betting {
            return reject(ErrorCode::BettingClosed, "bets are closed for this round");
        }
        if spot.coverage().is_none() {
            return reject(INVALID_BET, "those numbers are not a legal group for this bet");
        }
        let shown = |minor| Money::new(minor, c.currency).shown();
        if amount < c.min_bet {
            return reject(BET_BELOW_MINIMUM, format!("the smallest bet is {}", shown(c.min_bet)));
        }
        let on_spot = self.on_spot(player, &spot);
        if amount > c.max_bet - on_spot {
            let have = if on_spot > 0 { format!(" (you have {} on it)", shown(on_spot)) } else { String::new() };
            return reject(BET_ABOVE_MAXIMUM, format!("at most {} on one spot{have}", shown(c.max_bet)));
        }
        let (count, total) = self.player_bets(player);
        if count >= c.max_bets_per_player {
            return reject(TOO_MANY_BETS, format!("at most {} bets a round", c.max_bets_per_player));
        }
        if amount > c.max_total_per_player - total {
            let limit = shown(c.max_total_per_player);
            return reject(TABLE_LIMIT_EXCEEDED, format!("at most {limit} in all a round (you have {})", shown(total)));
        }
        let op = OpId(self.next_op);
        self.next_op += 1;
        self.bets.push(Bet { player, spot, amount, op, confirmed: false });
        out.push(Effect::Reserve { op, round: RoundId(self.round), player, amount: Money::new(amount, c.currency) });
        Ok(())
    }

    fn wallet(
        &mut self,
        op: OpId,
        result: WalletResult,
        rng: &mut dyn Draw,
        out: &mut Effects<Roulette>,
    ) -> Result<(), Rejected> {
        let Some(i) = self.bets.iter().position(|b| b.op == op && !b.confirmed) else {
            return reject(codes::UNEXPECTED_WALLET_RESULT, format!("op {} is not pending", op.0));
        };
        out.push(match result {
            WalletResult::Reserved => {
                let bet = &mut self.bets[i];
                bet.confirmed = true;
                let event = Event::BetAccepted { player: bet.player, spot: bet.spot, amount: bet.amount };
                Effect::Publish { to: Audience::All, event }
            }
            WalletResult::Refused { code } => {
                let bet = self.bets.remove(i);
                let event = Event::BetRefused { spot: bet.spot, amount: bet.amount, code };
                Effect::Publish { to: Audience::Player(bet.player), event }
            }
        });
        if self.phase == Phase::Closing && self.bets.iter().all(|b| b.confirmed) {
            self.spin(rng, out);
        }
        Ok(())
    }

    /// Spins, settles and shows the result. Every bet is confirmed here.
    fn spin(&mut self, rng: &mut dyn Draw, out: &mut Effects<Roulette>) {
        let number = spin_wheel(rng);
        let round = RoundId(self.round);
        let mut payouts: Vec<Payout> = Vec::new();
        let bets: Vec<SettledBet> = self
            .bets
            .drain(..)
            .map(|b| {
                // invariant: validate_config proved max_total_per_player * 36 fits.
                let payout = bet_return(b.spot.coverage().unwrap_or(0), b.amount, number);
                if payout > 0 {
                    payouts.push(Payout { player: b.player, amount: Money::new(payout, self.config.currency) });
                }
                SettledBet { player: b.player, spot: b.spot, amount: b.amount, payout }
            })
            .collect();
        merge_payouts(&mut payouts);
        self.history.push_front(number);
        self.history.truncate(HISTORY);
        self.phase = Phase::Result;
        let wins = payouts.iter().map(|p| Win { player: p.player, amount: p.amount.minor }).collect();
        out.push(Effect::Publish { to: Audience::All, event: Event::Spun { round, number, payouts: wins } });
        if !bets.is_empty() {
            out.push(Effect::Settle { round, payouts });
        }
        out.push(Effect::RoundEnded { round, outcome: Outcome { number, bets } });
        out.push(Effect::StartTimer { timer: RESULT_TIMER, after_ms: self.config.result_ms });
    }
}
