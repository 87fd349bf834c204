//! The blackjack table's state machine: the [`Game`] implementation.

use std::collections::BTreeMap;

use croupier_sdk::{
    Audience, ConfigError, Draw, Effect, Effects, Game, Input, Money, OpId, Payout, PlayerId, Rejected, RoundId,
    TimerId, Viewer, WalletResult, merge_payouts, reject,
};
use serde::{Deserialize, Serialize};

use crate::cards::{Card, Shoe, is_blackjack, total, value};
use crate::rules::{Config, Surrender};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Nobody seated.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The checkpointed state. The shoe's order is in here but never in a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The dealer's cards.
    pub dealer: Vec<Card>,
    /// Every hand.
    pub hands: Vec<HandResult>,
    /// Insurance taken: (player, amount, return).
    pub insurance: Vec<(PlayerId, i64, i64)>,
}

/// Broadcast events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Bets open.
    BettingOpen {
        /// Round.
        round: RoundId,
        /// Milliseconds left.
        closes_in_ms: u64,
    },
    /// The shoe was shuffled.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        State {
            config: config.clone(),
            phase: Phase::Idle,
            round: 0,
            next_op: 1,
            seats: vec![None; usize::from(config.seats)],
            dealer: Vec::new(),
            hole_revealed: false,
            shoe: Shoe::default(),
            pending: BTreeMap::new(),
        }
    }

    fn apply(state: &mut State, input: Input<Action>, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        match input {
            Input::Join { player, seat } => state.join(player, seat, out),
            Input::Leave { player } => {
                state.leave(player, rng, out);
                Ok(())
            }
            Input::Action { player, action } => match state.seat_of(player) {
                Some(seat) => state.act(seat, action, rng, out),
                None => reject("not_seated", "take a seat first"),
            },
            Input::Wallet { op, result } => state.wallet(op, result, rng, out),
            Input::Timer { timer } => state.timer(timer, rng, out),
        }
    }

    fn view(state: &State, viewer: Viewer) -> View {
        let seats = (state.seats.iter().enumerate())
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .map(|(i, s)| SeatView {
                seat: i as u8,
                player: s.player,
                bet: s.bet,
                hands: s.hands.clone(),
                insurance: s.insurance,
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
            shoe_remaining: state.shoe.remaining(),
            min_bet: state.config.min_bet,
            max_bet: state.config.max_bet,
        }
    }

    fn offered_actions(state: &State, player: PlayerId, out: &mut Vec<Action>) {
        let Some((i, seat)) = state.seat_of(player).and_then(|i| Some((i, state.seats[i].as_ref()?))) else {
            return;
        };
        match state.phase {
            Phase::Betting if seat.bet.is_none() => {
                out.extend([
                    Action::Bet { amount: state.config.min_bet },
                    Action::Bet { amount: state.config.max_bet },
                ]);
            }
            Phase::Insurance { closed: false } if seat.insurance == Insurance::Undecided => {
                out.extend([Action::Insurance { take: true }, Action::Insurance { take: false }]);
            }
            Phase::Turn { seat: s, hand } if usize::from(s) == i && state.pending.is_empty() => {
                out.extend([Action::Hit, Action::Stand]);
                let allowed = [Action::Double, Action::Split, Action::Surrender];
                out.extend(allowed.into_iter().filter(|a| state.can(i, usize::from(hand), a)));
            }
            _ => {}
        }
    }

    fn theoretical_rtp(config: &Config) -> f64 {
        crate::rtp::basic_strategy_rtp(config)
    }
}

type Out<'a> = &'a mut Effects<Blackjack>;

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
    let dealer_bj = is_blackjack(dealer);
    let dealer_total = total(dealer).0;
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

impl State {
    fn seat_of(&self, player: PlayerId) -> Option<usize> {
        self.seats.iter().position(|s| s.as_ref().is_some_and(|s| s.player == player && !s.left))
    }

    fn card(&mut self, rng: &mut dyn Draw) -> Card {
        let hands = self.seats.iter().flatten().flat_map(|s| s.hands.iter().flat_map(|h| h.cards.iter()));
        self.shoe.deal(self.config.decks, hands.chain(&self.dealer), rng)
    }

    /// Asks the wallet to hold `amount` of seat `i`'s player for `what` (a
    /// bet, insurance, a double or a split); it counts once the wallet says so.
    fn stake(&mut self, i: usize, what: Action, amount: i64, out: Out) {
        let Some(seat) = &self.seats[i] else { return };
        let (op, round) = (OpId(self.next_op), RoundId(self.round));
        self.next_op += 1;
        self.pending.insert(op, (i as u8, what));
        out.push(Effect::Reserve { op, round, player: seat.player, amount: Money::new(amount, self.config.currency) });
    }

    fn join(&mut self, player: PlayerId, preferred: Option<u8>, out: Out) -> Result<(), Rejected> {
        if self.seat_of(player).is_some() {
            return reject("already_seated", "you already have a seat at this table");
        }
        let free = |i: usize| self.seats.get(i).is_some_and(Option::is_none);
        let seat = match preferred.map(usize::from) {
            Some(p) if free(p) => p,
            Some(_) => return reject("seat_taken", "that seat is taken or does not exist"),
            None => match (0..self.seats.len()).find(|&i| free(i)) {
                Some(i) => i,
                None => return reject("table_full", "every seat is taken"),
            },
        };
        self.seats[seat] = Some(Seat { player, bet: None, hands: Vec::new(), insurance: Insurance::None, left: false });
        if self.phase == Phase::Idle {
            self.open_round(out);
        }
        Ok(())
    }

    fn leave(&mut self, player: PlayerId, rng: &mut dyn Draw, out: Out) {
        let Some(i) = self.seat_of(player) else { return };
        let Some(seat) = self.seats[i].as_mut().filter(|s| s.bet.is_some()) else {
            self.seats[i] = None;
            return;
        };
        seat.left = true;
        // A seat to act with nobody there stands at once.
        if matches!(self.phase, Phase::Turn { seat, .. } if usize::from(seat) == i) && self.pending.is_empty() {
            self.finish_hand(Status::Stood, rng, out);
        }
    }

    fn open_round(&mut self, out: Out) {
        // Seats whose players left during the last round free up now.
        for seat in &mut self.seats {
            if seat.as_ref().is_some_and(|s| s.left) {
                *seat = None;
            } else if let Some(s) = seat {
                (s.bet, s.insurance) = (None, Insurance::None);
                s.hands.clear();
            }
        }
        self.dealer.clear();
        self.hole_revealed = false;
        if self.seats.iter().all(Option::is_none) {
            self.phase = Phase::Idle;
            return;
        }
        self.round += 1;
        self.phase = Phase::Betting;
        let (round, closes_in_ms) = (RoundId(self.round), self.config.betting_ms);
        out.extend([
            Effect::RoundStarted { round },
            Effect::StartTimer { timer: BETTING_TIMER, after_ms: closes_in_ms },
            publish(Event::BettingOpen { round, closes_in_ms }),
        ]);
    }

    /// Whether the hand to act may take `action` now (double, split, surrender).
    fn can(&self, seat: usize, hand: usize, action: &Action) -> bool {
        self.seats[seat].as_ref().is_some_and(|s| may(&self.config, &s.hands, hand, action))
    }

    fn act(&mut self, i: usize, action: Action, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        match (self.phase, action) {
            (Phase::Betting, Action::Bet { amount }) => self.bet(i, amount, out),
            (_, Action::Bet { .. }) => reject("betting_closed", "bets are closed for this round"),
            (Phase::Insurance { closed: false }, Action::Insurance { take }) => self.insure(i, take, rng, out),
            (_, Action::Insurance { .. }) => reject("insurance_closed", "insurance is not on offer now"),
            (Phase::Turn { seat, hand }, action) if usize::from(seat) == i => {
                if !self.pending.is_empty() {
                    return reject("awaiting_settlement", "the last stake is still at the wallet");
                }
                self.play(i, usize::from(hand), action, rng, out)
            }
            _ => reject("not_your_turn", "it is not your turn"),
        }
    }

    fn bet(&mut self, i: usize, amount: i64, out: Out) -> Result<(), Rejected> {
        let c = &self.config;
        if amount < c.min_bet || amount > c.max_bet {
            return reject("bet_out_of_limits", format!("bets are {} to {}", c.min_bet, c.max_bet));
        }
        let Some(seat) = self.seats[i].as_mut() else { return reject("not_seated", "take a seat first") };
        if seat.bet.is_some() {
            return reject("already_bet", "one bet per round");
        }
        seat.bet = Some(amount);
        self.stake(i, Action::Bet { amount }, amount, out);
        Ok(())
    }

    fn insure(&mut self, i: usize, take: bool, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        let Some(seat) = self.seats[i].as_mut() else { return reject("not_seated", "take a seat first") };
        let (Insurance::Undecided, Some(bet)) = (seat.insurance, seat.bet) else {
            return reject("insurance_closed", "no insurance decision is pending for you");
        };
        if take && bet / 2 > 0 {
            seat.insurance = Insurance::Taken { amount: bet / 2, confirmed: false };
            self.stake(i, Action::Insurance { take }, bet / 2, out);
        } else {
            seat.insurance = Insurance::Declined;
            self.after_insurance_decision(rng, out);
        }
        Ok(())
    }

    /// Once every insurance decision is in and held, the dealer peeks.
    fn after_insurance_decision(&mut self, rng: &mut dyn Draw, out: Out) {
        let undecided = self.seats.iter().flatten().any(|s| s.insurance == Insurance::Undecided);
        if !undecided && self.pending.is_empty() {
            out.push(Effect::CancelTimer { timer: TURN_TIMER });
            self.peek(rng, out);
        }
    }

    fn play(&mut self, i: usize, hand: usize, action: Action, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        match action {
            Action::Hit => {
                let card = self.card(rng);
                let Some(h) = self.hand_mut(i, hand) else { return reject("not_your_turn", "no such hand") };
                h.hit(card);
                match h.status {
                    Status::Playing => {
                        self.hand_updated(i, out);
                        out.push(Effect::StartTimer { timer: TURN_TIMER, after_ms: self.config.turn_ms });
                    }
                    done => self.finish_hand(done, rng, out),
                }
            }
            Action::Stand => self.finish_hand(Status::Stood, rng, out),
            Action::Surrender if self.can(i, hand, &Action::Surrender) => {
                self.finish_hand(Status::Surrendered, rng, out);
            }
            Action::Double | Action::Split if self.can(i, hand, &action) => {
                let Some(bet) = self.seats[i].as_ref().and_then(|s| s.bet) else {
                    return reject("not_your_turn", "no bet on this seat");
                };
                out.push(Effect::CancelTimer { timer: TURN_TIMER });
                self.stake(i, action, bet, out);
            }
            Action::Double | Action::Split | Action::Surrender => {
                return reject("illegal_move", "that move is not allowed on this hand");
            }
            Action::Bet { .. } | Action::Insurance { .. } => return reject("not_your_turn", "not now"),
        }
        Ok(())
    }

    fn hand_mut(&mut self, i: usize, hand: usize) -> Option<&mut Hand> {
        self.seats.get_mut(i)?.as_mut()?.hands.get_mut(hand)
    }

    fn hand_updated(&self, i: usize, out: Out) {
        let hands = self.seats[i].as_ref().map(|s| s.hands.clone()).unwrap_or_default();
        out.push(publish(Event::HandUpdated { seat: i as u8, hands }));
    }

    /// The seat and hand to act, in a turn.
    fn turn(&self) -> Option<(usize, usize)> {
        let Phase::Turn { seat, hand } = self.phase else { return None };
        Some((usize::from(seat), usize::from(hand)))
    }

    /// Ends the hand to act with `status` and moves on.
    fn finish_hand(&mut self, status: Status, rng: &mut dyn Draw, out: Out) {
        let Some((i, hand)) = self.turn() else { return };
        if let Some(h) = self.hand_mut(i, hand) {
            h.status = status;
        }
        self.hand_updated(i, out);
        self.next_turn(i, hand + 1, rng, out);
    }

    /// Gives the turn to the first hand still playing from (seat, hand) on,
    /// or lets the dealer play.
    fn next_turn(&mut self, seat: usize, hand: usize, rng: &mut dyn Draw, out: Out) {
        let mut from = (seat, hand);
        while from.0 < self.seats.len() {
            let (hands, left) = self.seats[from.0].as_ref().map_or((0, false), |s| (s.hands.len(), s.left));
            for h in from.1..hands {
                // A split hand arrives here with one card: deal its second.
                if self.hand_mut(from.0, h).is_some_and(|x| x.cards.len() == 1) {
                    let card = self.card(rng);
                    if let Some(current) = self.hand_mut(from.0, h) {
                        current.second_card(card);
                    }
                }
                let Some(x) = self.hand_mut(from.0, h).filter(|x| x.status == Status::Playing) else { continue };
                if left {
                    x.status = Status::Stood;
                    continue;
                }
                let (seat, hand, clock_ms) = (from.0 as u8, h as u8, self.config.turn_ms);
                self.phase = Phase::Turn { seat, hand };
                self.hand_updated(from.0, out);
                out.extend([
                    Effect::StartTimer { timer: TURN_TIMER, after_ms: clock_ms },
                    publish(Event::Turn { seat, hand, clock_ms }),
                ]);
                return;
            }
            from = (from.0 + 1, 0);
        }
        self.dealer_plays(rng, out);
    }

    fn wallet(&mut self, op: OpId, result: WalletResult, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        let Some(&(seat, what)) = self.pending.get(&op) else {
            return reject("unexpected_wallet_result", format!("op {} is not pending", op.0));
        };
        let i = usize::from(seat);
        // A double or split is for the hand to act, which waits for it.
        let hand = self.turn().filter(|&(s, _)| s == i).map(|(_, h)| h);
        let extra = matches!(what, Action::Double | Action::Split);
        let Some(s) = self.seats[i].as_mut().filter(|s| !extra || hand.is_some_and(|h| h < s.hands.len())) else {
            return reject("unexpected_wallet_result", "nothing waits for that stake");
        };
        self.pending.remove(&op);
        let refused = matches!(result, WalletResult::Refused { .. });
        if let WalletResult::Refused { code } = result {
            out.push(Effect::Publish { to: Audience::Player(s.player), event: Event::StakeRefused { code } });
        }
        match what {
            Action::Bet { amount } => {
                if refused {
                    s.bet = None;
                } else {
                    out.push(publish(Event::BetAccepted { seat, amount }));
                }
                if self.phase == Phase::Closing && self.pending.is_empty() {
                    self.deal(rng, out);
                }
            }
            Action::Insurance { .. } => {
                match &mut s.insurance {
                    Insurance::Taken { confirmed, .. } if !refused => *confirmed = true,
                    other => *other = Insurance::Declined,
                }
                self.after_insurance_decision(rng, out);
            }
            // A refused double or split leaves the hand as it was, to act again.
            _ if refused => out.push(Effect::StartTimer { timer: TURN_TIMER, after_ms: self.config.turn_ms }),
            _ => {
                let h = hand.unwrap_or_default(); // checked above
                if what == Action::Double {
                    let card = self.card(rng);
                    if let Some(x) = self.hand_mut(i, h) {
                        x.double(card);
                        let status = x.status;
                        self.finish_hand(status, rng, out);
                    }
                } else if let Some(new) = s.hands.get_mut(h).map(Hand::split) {
                    s.hands.insert(h + 1, new);
                    // Deals the first split hand its second card and gives it the turn.
                    self.next_turn(i, h, rng, out);
                }
            }
        }
        Ok(())
    }

    fn timer(&mut self, timer: TimerId, rng: &mut dyn Draw, out: Out) -> Result<(), Rejected> {
        match (timer, self.phase) {
            (BETTING_TIMER, Phase::Betting) => {
                self.phase = Phase::Closing;
                if self.pending.is_empty() {
                    self.deal(rng, out);
                }
            }
            (TURN_TIMER, Phase::Insurance { closed: false }) => {
                for s in self.seats.iter_mut().flatten().filter(|s| s.insurance == Insurance::Undecided) {
                    s.insurance = Insurance::Declined;
                }
                self.phase = Phase::Insurance { closed: true };
                self.after_insurance_decision(rng, out);
            }
            (TURN_TIMER, Phase::Turn { .. }) if self.pending.is_empty() => self.finish_hand(Status::Stood, rng, out),
            (RESULT_TIMER, Phase::Result) => self.open_round(out),
            _ => return reject("unexpected_timer", format!("timer {} is not running", timer.0)),
        }
        Ok(())
    }

    /// Deals the round to every seat with a held bet.
    fn deal(&mut self, rng: &mut dyn Draw, out: Out) {
        if !self.seats.iter().flatten().any(|s| s.bet.is_some()) {
            return self.settle(out);
        }
        if self.shoe.dealt_per_mille() >= self.config.penetration_per_mille {
            self.shoe = Shoe::shuffled(self.config.decks, rng);
            out.push(publish(Event::Shuffled));
        }
        for s in self.seats.iter_mut().flatten() {
            if let Some(stake) = s.bet {
                s.hands.push(Hand { cards: vec![], stake, split: false, split_aces: false, status: Status::Playing });
            }
        }
        // One card to each hand, one to the dealer, and round again.
        for _ in 0..2 {
            for i in 0..self.seats.len() {
                if self.hand_mut(i, 0).is_some() {
                    let card = self.card(rng);
                    if let Some(hand) = self.hand_mut(i, 0) {
                        hand.cards.push(card);
                    }
                }
            }
            let card = self.card(rng);
            self.dealer.push(card);
        }
        let seats = (self.seats.iter().enumerate())
            .filter_map(|(i, s)| Some((i as u8, s.as_ref()?.hands.first()?.cards.clone())))
            .collect();
        out.push(publish(Event::Dealt { seats, dealer_up: self.dealer[0] }));
        if self.config.insurance && value(self.dealer[0]) == 1 {
            for s in self.seats.iter_mut().flatten().filter(|s| s.bet.is_some()) {
                s.insurance = Insurance::Undecided;
            }
            self.phase = Phase::Insurance { closed: false };
            out.extend([
                Effect::StartTimer { timer: TURN_TIMER, after_ms: self.config.turn_ms },
                publish(Event::InsuranceOffered),
            ]);
            return;
        }
        self.peek(rng, out);
    }
    /// The dealer checks for blackjack under an ace or a ten; naturals stand.
    fn peek(&mut self, rng: &mut dyn Draw, out: Out) {
        if is_blackjack(&self.dealer) {
            self.hole_revealed = true;
            return self.settle(out);
        }
        for h in self.seats.iter_mut().flatten().flat_map(|s| &mut s.hands) {
            if is_blackjack(&h.cards) {
                h.status = Status::Blackjack;
            }
        }
        self.next_turn(0, 0, rng, out);
    }

    fn dealer_plays(&mut self, rng: &mut dyn Draw, out: Out) {
        self.hole_revealed = true;
        let contest = self.seats.iter().flatten().flat_map(|s| &s.hands).any(|h| h.status == Status::Stood);
        // With nobody left to beat (all bust, surrendered or blackjack) the
        // dealer only turns the hole card over.
        while contest && dealer_draws(&self.config, &self.dealer) {
            let card = self.card(rng);
            self.dealer.push(card);
        }
        out.extend([
            Effect::CancelTimer { timer: TURN_TIMER },
            publish(Event::DealerPlayed { cards: self.dealer.clone() }),
        ]);
        self.settle(out);
    }

    /// Pays every hand and insurance, ends the round.
    fn settle(&mut self, out: Out) {
        let dealer_bj = is_blackjack(&self.dealer);
        let (mut hands, mut insurance, mut payouts) = (vec![], vec![], vec![]);
        let currency = self.config.currency;
        let mut pay = |player, minor| payouts.push(Payout { player, amount: Money::new(minor, currency) });
        for (i, s) in self.seats.iter().enumerate() {
            let Some(s) = s.as_ref().filter(|s| s.bet.is_some()) else { continue };
            for h in &s.hands {
                let (payout, status) = hand_return(h, &self.dealer);
                pay(s.player, payout);
                let (cards, stake) = (h.cards.clone(), h.stake);
                hands.push(HandResult { seat: i as u8, player: s.player, cards, stake, status, payout });
            }
            if let Insurance::Taken { amount, confirmed: true } = s.insurance {
                let payout = if dealer_bj { 3 * amount } else { 0 };
                pay(s.player, payout);
                insurance.push((s.player, amount, payout));
            }
        }
        let staked = self.seats.iter().flatten().any(|s| s.bet.is_some());
        let round = RoundId(self.round);
        let outcome = Outcome { dealer: self.dealer.clone(), hands, insurance };
        self.phase = Phase::Result;
        out.push(publish(Event::Settled(outcome.clone())));
        if staked {
            merge_payouts(&mut payouts);
            out.push(Effect::Settle { round, payouts });
        }
        out.extend([
            Effect::RoundEnded { round, outcome },
            Effect::StartTimer { timer: RESULT_TIMER, after_ms: self.config.result_ms },
        ]);
    }
}
