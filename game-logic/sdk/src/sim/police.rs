//! The simulator's money police: follows every effect of a simulated table
//! and fails the run at the first breach of the money contract (a stake that
//! is not positive or lands in a closed round, a round settled or voided
//! twice, a payout to someone else, a round that ends holding stakes, effects
//! for a round that is not the open one, stakes in a round that add up to
//! more than the game's `max_round_stake`), totalling the staked rounds.

use super::totals::Totals;
use super::{PLAYER, SimError};
use crate::game::{Effect, RoundId};

/// Money in flight in the current round.
#[derive(Debug, Default)]
struct RoundBook {
    id: Option<RoundId>,
    staked: i128,
    paid: i128,
    closed: bool,
}

/// Checks the money contract effect by effect and totals staked rounds.
#[derive(Debug, Default)]
pub(super) struct Police {
    pub(super) totals: Totals,
    /// The most the player may stake in one round (`Game::max_round_stake`).
    cap: i64,
    round: Option<RoundBook>,
    /// Rounds are numbered upwards, so every round up to this one is closed.
    last_ended: Option<RoundId>,
}

impl Police {
    /// Polices a table whose player may stake at most `cap` in a round.
    pub(super) fn new(cap: i64) -> Self {
        Self { cap, ..Self::default() }
    }

    fn book(&mut self, round: RoundId) -> Result<&mut RoundBook, SimError> {
        if self.last_ended.is_some_and(|ended| round <= ended) {
            return Err(money(
                round,
                "effect for a round that already ended (settled or voided twice, or a late stake)",
            ));
        }
        if let Some(open) = self.round.as_ref().and_then(|b| b.id)
            && open != round
        {
            return Err(money(round, format!("effect for round {round:?} while round {open:?} is open")));
        }
        let book = self.round.get_or_insert_with(RoundBook::default);
        book.id = Some(round);
        Ok(book)
    }

    pub(super) fn watch<E, O>(&mut self, effect: &Effect<E, O>) -> Result<(), SimError> {
        match *effect {
            Effect::RoundStarted { round } => {
                if self.round.as_ref().is_some_and(|b| b.staked != 0 && !b.closed) {
                    return Err(money(round, "a new round started while stakes were held"));
                }
                self.round = Some(RoundBook { id: Some(round), ..RoundBook::default() });
            }
            Effect::Reserve { round, amount, .. } => {
                if !amount.is_positive() {
                    return Err(money(round, format!("non-positive stake {amount}")));
                }
                let cap = self.cap;
                let book = self.book(round)?;
                if book.closed {
                    return Err(money(round, "stake reserved in a closed round"));
                }
                book.staked += i128::from(amount.minor);
                if book.staked > i128::from(cap) {
                    return Err(money(round, format!("{} staked, over max_round_stake {cap}", book.staked)));
                }
            }
            Effect::Settle { round, ref payouts } => {
                let book = self.book(round)?;
                if book.closed {
                    return Err(money(round, "round settled or voided twice"));
                }
                book.closed = true;
                for p in payouts {
                    if p.player != PLAYER || p.amount.minor < 0 {
                        return Err(money(round, format!("bad payout {p:?}")));
                    }
                    book.paid += i128::from(p.amount.minor);
                }
            }
            Effect::Void { round } => {
                let book = self.book(round)?;
                if book.closed {
                    return Err(money(round, "round settled or voided twice"));
                }
                book.closed = true;
                book.staked = 0;
            }
            Effect::RoundEnded { round, .. } => {
                let book = self.book(round)?;
                let (staked, paid, closed) = (book.staked, book.paid, book.closed);
                if staked > 0 && !closed {
                    return Err(money(round, "round ended with unsettled stakes"));
                }
                self.round = None;
                self.last_ended = Some(round);
                if staked > 0 {
                    self.totals.add_round(staked, paid);
                }
            }
            Effect::StartTimer { .. } | Effect::CancelTimer { .. } | Effect::Publish { .. } => {}
        }
        Ok(())
    }
}

fn money(round: RoundId, problem: impl Into<String>) -> SimError {
    SimError::Money { round: round.0, problem: problem.into() }
}
