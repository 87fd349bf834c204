//! How a hand is played: seats and bets, the deal, insurance and the
//! dealer's peek, turns, the dealer's draw and the settlement. The state's
//! transitions, called by the [`Game`](croupier_sdk::Game) implementation in
//! the parent module.

use croupier_sdk::{Audience, Money, Payout, WalletResult, merge_payouts};

use super::*;
use crate::cards::{Shoe, is_blackjack};

impl State {
    pub(super) fn seat_of(&self, player: PlayerId) -> Option<usize> {
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

    pub(super) fn join(&mut self, player: PlayerId, preferred: Option<u8>, out: Out) -> Done {
        if self.seat_of(player).is_some() {
            return reject(ErrorCode::AlreadySeated, "you already have a seat at this table");
        }
        let seat = match preferred.map(usize::from) {
            Some(p) if self.seats.get(p).is_some_and(Option::is_none) => Some(p),
            Some(_) => return reject(ErrorCode::SeatTaken, "that seat is taken or does not exist"),
            None => self.seats.iter().position(Option::is_none),
        };
        let Some(seat) = seat else { return reject(ErrorCode::TableFull, "every seat is taken") };
        self.seats[seat] = Some(Seat { player, bet: None, hands: Vec::new(), insurance: Insurance::None, left: false });
        if self.phase == Phase::Idle {
            self.open_round(out);
        }
        Ok(())
    }

    pub(super) fn leave(&mut self, player: PlayerId, rng: &mut dyn Draw, out: Out) -> Done {
        let Some(i) = self.seat_of(player) else { return Ok(()) };
        let Some(seat) = self.seats[i].as_mut().filter(|s| s.bet.is_some()) else {
            self.seats[i] = None;
            return Ok(());
        };
        seat.left = true;
        // A seat to act with nobody there stands at once.
        if matches!(self.phase, Phase::Turn { seat, .. } if usize::from(seat) == i) && self.pending.is_empty() {
            self.finish_hand(Status::Stood, rng, out);
        }
        Ok(())
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
    pub(super) fn can(&self, seat: usize, hand: usize, action: &Action) -> bool {
        self.seats[seat].as_ref().is_some_and(|s| may(&self.config, &s.hands, hand, action))
    }

    pub(super) fn act(&mut self, i: usize, action: Action, rng: &mut dyn Draw, out: Out) -> Done {
        match (self.phase, action) {
            (Phase::Betting, Action::Bet { amount }) => self.bet(i, amount, out),
            (_, Action::Bet { .. }) => reject(ErrorCode::BettingClosed, "bets are closed for this round"),
            (Phase::Insurance { closed: false }, Action::Insurance { take }) => self.insure(i, take, rng, out),
            (_, Action::Insurance { .. }) => reject(INSURANCE_CLOSED, "insurance is not on offer now"),
            (Phase::Turn { seat, hand }, action) if usize::from(seat) == i => {
                if !self.pending.is_empty() {
                    return reject(ErrorCode::AwaitingSettlement, "the last stake is still at the wallet");
                }
                self.play(i, usize::from(hand), action, rng, out)
            }
            _ => reject(ErrorCode::NotYourTurn, "it is not your turn"),
        }
    }

    fn bet(&mut self, i: usize, amount: i64, out: Out) -> Done {
        let c = &self.config;
        if amount < c.min_bet || amount > c.max_bet {
            let shown = |minor| Money::new(minor, c.currency).shown();
            return reject(ErrorCode::BetOutOfLimits, format!("bets are {} to {}", shown(c.min_bet), shown(c.max_bet)));
        }
        let Some(seat) = self.seats[i].as_mut() else { return reject(ErrorCode::NotSeated, "take a seat first") };
        if seat.bet.is_some() {
            return reject(ALREADY_BET, "one bet per round");
        }
        seat.bet = Some(amount);
        self.stake(i, Action::Bet { amount }, amount, out);
        Ok(())
    }

    fn insure(&mut self, i: usize, take: bool, rng: &mut dyn Draw, out: Out) -> Done {
        let Some(seat) = self.seats[i].as_mut() else { return reject(ErrorCode::NotSeated, "take a seat first") };
        let (Insurance::Undecided, Some(bet)) = (seat.insurance, seat.bet) else {
            return reject(INSURANCE_CLOSED, "no insurance decision is pending for you");
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

    fn play(&mut self, i: usize, hand: usize, action: Action, rng: &mut dyn Draw, out: Out) -> Done {
        match action {
            Action::Hit => {
                let card = self.card(rng);
                let Some(h) = self.hand_mut(i, hand) else { return reject(ErrorCode::NotYourTurn, "no such hand") };
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
                self.finish_hand(Status::Surrendered, rng, out)
            }
            Action::Double | Action::Split if self.can(i, hand, &action) => {
                let Some(bet) = self.seats[i].as_ref().and_then(|s| s.bet) else {
                    return reject(ErrorCode::NotYourTurn, "no bet on this seat");
                };
                out.push(Effect::CancelTimer { timer: TURN_TIMER });
                self.stake(i, action, bet, out);
            }
            Action::Double | Action::Split | Action::Surrender => {
                return reject(ILLEGAL_MOVE, "not allowed on this hand");
            }
            Action::Bet { .. } | Action::Insurance { .. } => return reject(ErrorCode::NotYourTurn, "not now"),
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
                    self.hand_mut(from.0, h).into_iter().for_each(|x| x.second_card(card));
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

    pub(super) fn wallet(&mut self, op: OpId, result: WalletResult, rng: &mut dyn Draw, out: Out) -> Done {
        let Some(&(seat, what)) = self.pending.get(&op) else {
            return reject(codes::UNEXPECTED_WALLET_RESULT, format!("op {} is not pending", op.0));
        };
        let i = usize::from(seat);
        // A double or split is for the hand to act, which waits for it.
        let hand = self.turn().filter(|&(s, _)| s == i).map(|(_, h)| h);
        let extra = matches!(what, Action::Double | Action::Split);
        let Some(s) = self.seats[i].as_mut().filter(|s| !extra || hand.is_some_and(|h| h < s.hands.len())) else {
            return reject(codes::UNEXPECTED_WALLET_RESULT, "nothing waits for that stake");
        };
        self.pending.remove(&op);
        let refused = matches!(result, WalletResult::Refused { .. });
        if let WalletResult::Refused { code } = result {
            out.push(Effect::Publish { to: Audience::Player(s.player), event: Event::StakeRefused { code } });
        }
        match what {
            Action::Bet { amount } => {
                match refused {
                    true => s.bet = None,
                    false => out.push(publish(Event::BetAccepted { seat, amount })),
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

    pub(super) fn timer(&mut self, timer: TimerId, rng: &mut dyn Draw, out: Out) -> Done {
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
            _ => return reject(codes::UNEXPECTED_TIMER, format!("timer {} is not running", timer.0)),
        }
        Ok(())
    }

    /// Deals the round to every seat with a held bet.
    fn deal(&mut self, rng: &mut dyn Draw, out: Out) {
        if !self.seats.iter().flatten().any(|s| s.bet.is_some()) {
            return self.settle(out);
        }
        if self.shoe.dealt_per_mille() >= self.config.penetration_per_mille {
            self.shoe = Shoe::full(self.config.decks);
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
                    self.hand_mut(i, 0).into_iter().for_each(|hand| hand.cards.push(card));
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
        for h in self.seats.iter_mut().flatten().flat_map(|s| &mut s.hands).filter(|h| is_blackjack(&h.cards)) {
            h.status = Status::Blackjack;
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
        let (dealer_bj, currency) = (is_blackjack(&self.dealer), self.config.currency);
        let (mut hands, mut insurance, mut payouts) = (vec![], vec![], vec![]);
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
        let (staked, round) = (self.seats.iter().flatten().any(|s| s.bet.is_some()), RoundId(self.round));
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
