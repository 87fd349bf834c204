//! European roulette: a live multiplayer table for Croupier.
//!
//! Rules implemented:
//! - A single-zero wheel, 0–36, spun with one `below(37)` draw.
//! - Every standard bet ([`Spot`]): straight 35:1, split 17:1, street (and the
//!   0-1-2 / 0-2-3 trios) 11:1, corner (and 0-1-2-3) 8:1, six line 5:1,
//!   column and dozen 2:1, red/black, odd/even, low/high 1:1. Even-money bets
//!   lose on zero (no *la partage*). Only legal number groups are accepted.
//! - Limits: minimum and maximum per bet, maximum total per player per round,
//!   maximum number of bets per player per round.
//! - Round lifecycle, driven by timers: betting open for `betting_ms` →
//!   no more bets → (once every stake in flight is confirmed by the wallet)
//!   spin → settle → result shown for `result_ms` → next round. A table with
//!   nobody seated rests until someone joins.
//! - A bet counts only once the wallet holds its stake; bets are final once
//!   placed; a player who leaves keeps their bets in play and is paid.
//!
//! Theoretical RTP: 36/37 = 97.297% for every bet type, because a spot
//! covering `k` numbers returns `36/k` times the stake with probability `k/37`.
//!
//! Pure: no IO, no clock, no global state. Randomness comes only from the
//! `Draw` the server passes.

mod bets;
mod table;

pub use bets::{RED, Spot};
pub use table::{
    Action, BETTING_TIMER, Bet, Config, Event, OFFERED_SPOTS, Outcome, Phase, RESULT_TIMER, Roulette, SettledBet,
    State, View, bet_return, spin_wheel,
};
pub mod strategy;

// One random minimum bet a spin: a round is a spin.
croupier_sdk::register!(Roulette, Table, || strategy::RandomBets::new(1), math);
