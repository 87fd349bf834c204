//! The Croupier game SDK: what a studio writes a game against.
//!
//! - [`Game`]: a pure, synchronous, deterministic state machine (inputs in,
//!   effects out; randomness only from the [`Draw`] it is given).
//! - [`codes`]: refusal codes, shared ([`ErrorCode`]) and a game's own.
//! - [`money`]: integer minor units with a currency, checked arithmetic.
//! - [`record`]: the round record, and replaying a round from it.
//! - [`sim`]: the RTP simulator with a 99.9% confidence interval.
//! - [`math`]: math mode, a game's rounds without the table protocol.
//! - [`registry`]: what a server's game list needs ([`register!`]).
//! - [`scenario`]: scenario files replayed by one generic runner.
//! - [`testing`]: contract checks for a game's own tests.
//! - [`example`]: a complete example game (coin flip).
//!
//! This crate must never do IO beyond reading scenario files, and never
//! depend on actix, tokio, sqlx or redis. See `docs/game-sdk.md`.

pub mod codes;
pub mod example;
pub mod game;
pub mod math;
pub mod money;
pub mod record;
pub mod registry;
pub mod scenario;
pub mod sim;
pub mod testing;

pub use codes::Code;
pub use croupier_protocol::ErrorCode;
pub use croupier_rng::{Draw, DrawRecord};
pub use game::{
    Audience, ConfigError, Effect, Effects, Game, Input, OpId, Payout, PlayerId, Rejected, RoundId, TimerId, Viewer,
    WalletResult, merge_payouts, reject,
};
pub use money::{Currency, Money, MoneyError, minor_units};

#[doc = include_str!("../../../docs/game-sdk.md")]
#[cfg(doctest)]
pub struct GameSdkGuide;
