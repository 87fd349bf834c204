//! Blackjack: a live multi-seat table for Croupier.
//!
//! Rules implemented (defaults in brackets, all in [`Config`]):
//! - Up to 7 seats; a shoe of N packs [6], refilled before a round once a
//!   share [75%] is dealt. The shoe keeps no order: each card is drawn when
//!   it is dealt, uniformly from the cards left, by the hand's own generator,
//!   so a hand's cards are bound by the seed committed before it.
//! - Betting on a timer; then two cards to each seat with a held bet and to
//!   the dealer (one face down). With an ace up, insurance (half the bet,
//!   pays 2:1) is offered on the turn clock. Under an ace or a ten the dealer
//!   checks for blackjack; a dealer blackjack ends the round (player
//!   blackjacks push).
//! - Turns in seat order with a turn clock [10 s]; a player who times out (or
//!   leaves) stands. Hit, stand, double on any first two cards (also after a
//!   split [yes]), split pairs of equal value up to [4] hands (split aces get
//!   one card each and [may not] be split again), late surrender [off].
//! - The dealer stands on soft 17 [S17] or hits it (H17). Blackjack pays 3:2,
//!   wins 1:1, pushes return the stake, surrender returns half; amounts round
//!   down to the minor unit.
//! - Every extra stake (double, split, insurance) is held by the wallet before
//!   it counts; a refused one leaves the hand as it was.
//! - The dealer's hole card is hidden in every view until revealed; the
//!   shoe has no order to show.
//!
//! Theoretical RTP of the default rules under basic strategy: house edge 0.42%
//! of the initial bet, i.e. 99.63% of all money staked (see [`rtp`]).
//!
//! Pure: no IO, no clock, no global state. Randomness comes only from the
//! `Draw` the server passes.

pub mod cards;
pub mod math;
pub mod rtp;
mod rules;
pub mod strategy;
mod table;

pub use rules::{Config, Surrender};
pub use table::{
    Action, BETTING_TIMER, Blackjack, Event, Hand, HandResult, Insurance, Outcome, Phase, RESULT_TIMER, Seat, SeatView,
    State, Status, TURN_TIMER, View,
};

// One basic-strategy player betting the minimum: a round is a hand.
croupier_sdk::register!(Blackjack, Table, || strategy::BasicStrategy, math);
