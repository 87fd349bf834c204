//! The blackjack table's state machine: the [`Game`] implementation.

use std::collections::BTreeMap;

use croupier_sdk::{
    Audience, Code, ConfigError, Currency, Draw, Effect, Effects, ErrorCode, Game, Input, OpId, PlayerId, Rejected,
    RoundId, TimerId, Viewer, codes, reject,
};
use serde::{Deserialize, Serialize};

use crate::cards::{Card, Shoe, is_blackjack, total, value};
use crate::rules::{Config, Surrender};

mod rounds;

/// A seat bets once a round.
pub const ALREADY_BET: Code = Code::own("already_bet");
/// Insurance is not on offer to this player now.
pub const INSURANCE_CLOSED: Code = Code::own("insurance_closed");
/// A move the rules do not allow on this hand.
pub const ILLEGAL_MOVE: Code = Code::own("illegal_move");

/// Closes the betting window.
pub const BETTING_TIMER: TimerId = TimerId(1);
/// The turn clock (also the insurance decision).
pub const TURN_TIMER: TimerId = TimerId(2);
/// Ends the result display.
pub const RESULT_TIMER: TimerId = TimerId(3);

/// The blackjack game.
#[derive(Debug)]
pub enum Blackjack {}

/// What a player can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Bet on the seat for this round (betting phase).
    Bet {
        /// Stake, minor units.
        amount: i64,
    },
    /// Take (half the bet) or decline insurance.
    Insurance {
        /// Whether to take it.
        take: bool,
    },
    /// One more card.
    Hit,
    /// No more cards.
    Stand,
    /// Double the stake for exactly one more card.
    Double,
    /// Split a pair into two hands (a second stake).
    Split,
    /// Give up half the stake (late surrender, first two cards).
    Surrender,
}

/// Where the round is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Nobody seated.
    #[default]
    Idle,
    /// Bets are taken.
    Betting,
    /// Betting closed; waiting for stakes in flight.
    Closing,
    /// The dealer shows an ace: players decide on insurance.
    Insurance {
        /// The decision time ran out; waiting for stakes in flight.
        closed: bool,
    },
    /// A player's hand is to act.
    Turn {
        /// The seat.
        seat: u8,
        /// The hand of that seat.
        hand: u8,
    },
    /// Showing the result.
    Result,
}

/// How a hand stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still to act.
    Playing,
    /// Done, comparing with the dealer.
    Stood,
    /// Over 21.
    Bust,
    /// A natural (two-card 21, not after a split).
    Blackjack,
    /// Surrendered.
    Surrendered,
}

/// One hand of a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hand {
    /// Cards, in order.
    pub cards: Vec<Card>,
    /// Stake on this hand, minor units (doubled included).
    pub stake: i64,
    /// Made by a split.
    pub split: bool,
    /// Made by splitting aces.
    pub split_aces: bool,
    /// Where it stands.
    pub status: Status,
}

impl Hand {
    /// Takes a hit: 22 or more busts, 21 stands.
    pub(crate) fn hit(&mut self, card: Card) {
        self.cards.push(card);
        match total(&self.cards).0 {
            22.. => self.status = Status::Bust,
            21 => self.status = Status::Stood,
            _ => {}
        }
    }

    /// Doubles: the stake twice over, one card, done.
    pub(crate) fn double(&mut self, card: Card) {
        self.stake *= 2;
        self.cards.push(card);
        self.status = if total(&self.cards).0 > 21 { Status::Bust } else { Status::Stood };
    }

    /// Splits the pair: this hand keeps the first card, the returned one the
    /// second, each to be dealt its second card when its turn comes.
    pub(crate) fn split(&mut self) -> Hand {
        let aces = value(self.cards[0]) == 1;
        let moved = self.cards.pop().unwrap_or(0);
        (self.split, self.split_aces) = (true, aces);
        Hand { cards: vec![moved], stake: self.stake, split: true, split_aces: aces, status: Status::Playing }
    }

    /// Deals a split hand its second card: split aces, or 21, stand.
    pub(crate) fn second_card(&mut self, card: Card) {
        self.cards.push(card);
        if self.split_aces || total(&self.cards).0 == 21 {
            self.status = Status::Stood;
        }
    }
}

/// Insurance at a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Insurance {
    /// Not offered this round.
    None,
    /// Offered, not answered.
    Undecided,
    /// Declined (or the clock ran out).
    Declined,
    /// Taken: `amount` waits for the wallet or is held.
    Taken {
        /// Half the bet, minor units.
        amount: i64,
        /// Whether the wallet holds it.
        confirmed: bool,
    },
}

/// A seat and who sits there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Seat {
    /// The player.
    pub player: PlayerId,
    /// This round's bet, minor units (it counts once the wallet holds it).
    pub bet: Option<i64>,
    /// Hands in play.
    pub hands: Vec<Hand>,
    /// Insurance.
    pub insurance: Insurance,
    /// The player left; the seat frees up after the round.
    pub left: bool,
}

/// The checkpointed state. The shoe holds no order (see [`Shoe`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct State {
    config: Config,
    phase: Phase,
    round: u64,
    next_op: u64,
    seats: Vec<Option<Seat>>,
    dealer: Vec<Card>,
    hole_revealed: bool,
    shoe: Shoe,
    /// Stakes at the wallet: op -> (seat, what for: a bet, insurance, a
    /// double or a split). Play waits while one is here.
    pending: BTreeMap<OpId, (u8, Action)>,
}

/// How a hand ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HandResult {
    /// Seat.
    pub seat: u8,
    /// Player.
    pub player: PlayerId,
    /// Cards.
    pub cards: Vec<Card>,
    /// Stake.
    pub stake: i64,
    /// Status at the end.
    pub status: Status,
    /// Return, stake included.
    pub payout: i64,
}

/// A round's outcome, for the round record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcome {
    /// The dealer's cards.
    pub dealer: Vec<Card>,
    /// Every hand.
    pub hands: Vec<HandResult>,
    /// Insurance taken: (player, amount, return).
    pub insurance: Vec<(PlayerId, i64, i64)>,
}

/// Broadcast events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Bets open.
    BettingOpen {
        /// Round.
        round: RoundId,
        /// Milliseconds left.
        closes_in_ms: u64,
    },
    /// The discards went back into the shoe: a new shoe begins.
    Shuffled,
    /// A stake was refused by the wallet (to its player).
    StakeRefused {
        /// The wallet's code.
        code: String,
    },
    /// A player's stake is held.
    BetAccepted {
        /// Seat.
        seat: u8,
        /// Amount.
        amount: i64,
    },
    /// Cards went out (the dealer's hole card is not in here).
    Dealt {
        /// (seat, cards) for every hand in play.
        seats: Vec<(u8, Vec<Card>)>,
        /// The dealer's up card.
        dealer_up: Card,
    },
    /// Insurance is offered.
    InsuranceOffered,
    /// A seat's hand is to act.
    Turn {
        /// Seat.
        seat: u8,
        /// Hand.
        hand: u8,
        /// Milliseconds on the clock.
        clock_ms: u64,
    },
    /// A hand changed (card, double, split, stand, bust).
    HandUpdated {
        /// Seat.
        seat: u8,
        /// Every hand of the seat.
        hands: Vec<Hand>,
    },
    /// The dealer's hand, hole card revealed.
    DealerPlayed {
        /// Cards.
        cards: Vec<Card>,
    },
    /// The round's results.
    Settled(Outcome),
}

/// A seat as anyone sees it (players' cards are dealt face up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SeatView {
    /// Seat number.
    pub seat: u8,
    /// Who.
    pub player: PlayerId,
    /// This round's bet, if placed.
    pub bet: Option<i64>,
    /// Hands.
    pub hands: Vec<Hand>,
    /// Insurance.
    pub insurance: Insurance,
}

/// What a viewer sees. The dealer's hole card is `None` until revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct View {
    /// Where the round is.
    pub phase: Phase,
    /// Round number.
    pub round: u64,
    /// Occupied seats.
    pub seats: Vec<SeatView>,
    /// The viewer's seat.
    pub my_seat: Option<u8>,
    /// The dealer's cards; the hole card hidden until revealed.
    pub dealer: Vec<Option<Card>>,
    /// Cards left in the shoe (never their order).
    pub shoe_remaining: usize,
    /// The currency of every amount at this table.
    pub currency: Currency,
    /// Table limits.
    pub min_bet: i64,
    /// Table limits.
    pub max_bet: i64,
}

fn publish(event: Event) -> Effect<Event, Outcome> {
    Effect::Publish { to: Audience::All, event }
}

impl Game for Blackjack {
    const ID: &'static str = "blackjack";
    const CODES: &'static [Code] = &[ALREADY_BET, INSURANCE_CLOSED, ILLEGAL_MOVE];
    type Config = Config;
    type State = State;
    type Action = Action;
    type View = View;
    type Event = Event;
    type Outcome = Outcome;

    fn validate_config(config: &Config) -> Result<(), ConfigError> {
        config.validate()
    }

    fn seats(config: &Config) -> u8 {
        config.seats
    }

    fn new_table(config: &Config) -> State {
        // Idle, round 0, an empty shoe and dealer, nothing pending.
        State { config: config.clone(), seats: vec![None; usize::from(config.seats)], next_op: 1, ..State::default() }
    }

    fn reconfigure(state: &mut State, config: &Config) -> Result<(), Rejected> {
        let fixed = |c: &Config| (c.currency, c.seats, c.decks);
        if fixed(config) != fixed(&state.config) {
            return reject(ErrorCode::ConfigFixed, "currency, seats and decks cannot change on an open table");
        }
        state.config = config.clone();
        Ok(())
    }

    fn apply(state: &mut State, input: Input<Action>, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        match input {
            Input::Join { player, seat } => state.join(player, seat, out),
            Input::Leave { player } => state.leave(player, rng, out),
            Input::Action { player, action } => match state.seat_of(player) {
                Some(seat) => state.act(seat, action, rng, out),
                None => reject(ErrorCode::NotSeated, "take a seat first"),
            },
            Input::Wallet { op, result } => state.wallet(op, result, rng, out),
            Input::Timer { timer } => state.timer(timer, rng, out),
        }
    }

    fn view(state: &State, viewer: Viewer) -> View {
        let seats = (state.seats.iter().enumerate())
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .map(|(i, s)| {
                let (seat, player, bet, insurance) = (i as u8, s.player, s.bet, s.insurance);
                SeatView { seat, player, bet, hands: s.hands.clone(), insurance }
            })
            .collect();
        let dealer =
            state.dealer.iter().enumerate().map(|(i, &c)| (i != 1 || state.hole_revealed).then_some(c)).collect();
        View {
            phase: state.phase,
            round: state.round,
            seats,
            my_seat: viewer.player().and_then(|p| state.seat_of(p)).map(|i| i as u8),
            dealer,
            shoe_remaining: state.shoe.remaining() as usize,
            currency: state.config.currency,
            min_bet: state.config.min_bet,
            max_bet: state.config.max_bet,
        }
    }

    fn offered_actions(state: &State, player: PlayerId, out: &mut Vec<Action>) {
        let Some((i, seat)) = state.seat_of(player).and_then(|i| Some((i, state.seats[i].as_ref()?))) else { return };
        match state.phase {
            Phase::Betting if seat.bet.is_none() => {
                out.extend([state.config.min_bet, state.config.max_bet].map(|amount| Action::Bet { amount }));
            }
            Phase::Insurance { closed: false } if seat.insurance == Insurance::Undecided => {
                out.extend([true, false].map(|take| Action::Insurance { take }));
            }
            Phase::Turn { seat: s, hand } if usize::from(s) == i && state.pending.is_empty() => {
                out.extend([Action::Hit, Action::Stand]);
                let allowed = [Action::Double, Action::Split, Action::Surrender];
                out.extend(allowed.into_iter().filter(|a| state.can(i, usize::from(hand), a)));
            }
            _ => {}
        }
    }

    /// One bet of at most `max_bet`, doubled on each of up to `max_hands`
    /// hands, and insurance of half the bet.
    fn max_round_stake(c: &Config) -> i64 {
        c.max_bet.saturating_mul(2 * i64::from(c.max_hands)).saturating_add(i64::from(c.insurance) * (c.max_bet / 2))
    }

    fn theoretical_rtp(config: &Config) -> f64 {
        crate::rtp::basic_strategy_rtp(config)
    }
}

type Out<'a> = &'a mut Effects<Blackjack>;
type Done = Result<(), Rejected>;

/// Whether hand `hand` of a seat holding `hands` may take `action` now
/// (double, split and surrender have conditions; the rest are always open).
pub(crate) fn may(config: &Config, hands: &[Hand], hand: usize, action: &Action) -> bool {
    let Some(h) = hands.get(hand) else { return false };
    let two = h.cards.len() == 2;
    match action {
        Action::Double => two && !h.split_aces && (!h.split || config.double_after_split),
        Action::Split => {
            two && value(h.cards[0]) == value(h.cards[1])
                && hands.len() < usize::from(config.max_hands)
                && (value(h.cards[0]) != 1 || !h.split_aces || config.resplit_aces)
        }
        Action::Surrender => two && config.surrender == Surrender::Late && hands.len() == 1,
        _ => true,
    }
}

/// Whether the dealer draws to `dealer`.
pub(crate) fn dealer_draws(config: &Config, dealer: &[Card]) -> bool {
    let (t, soft) = total(dealer);
    t < 17 || (t == 17 && soft && config.dealer_hits_soft_17)
}

/// What hand `h` returns, stake included, against the dealer's `dealer`
/// (insurance apart), and its final status.
pub(crate) fn hand_return(h: &Hand, dealer: &[Card]) -> (i64, Status) {
    let (dealer_bj, dealer_total) = (is_blackjack(dealer), total(dealer).0);
    let natural = h.status == Status::Blackjack || (is_blackjack(&h.cards) && !h.split);
    let t = total(&h.cards).0;
    let payout = match h.status {
        Status::Surrendered => h.stake / 2,
        Status::Bust => 0,
        _ if dealer_bj && natural => h.stake,
        _ if dealer_bj => 0,
        _ if natural => h.stake + h.stake * 3 / 2,
        _ if dealer_total > 21 || t > dealer_total => 2 * h.stake,
        _ if t == dealer_total => h.stake,
        _ => 0,
    };
    (payout, if dealer_bj && natural { Status::Blackjack } else { h.status })
}
