//! What a game tells a server's registry beyond its rules: a one-line
//! summary, how it is played, where its sources are, and how the simulator
//! plays it (the reference player, and math mode if it has one).
//!
//! A game crate implements [`Registered`] with one line, the [`register!`]
//! macro (its summary is the crate's Cargo `description`):
//!
//! ```text
//! croupier_sdk::register!(Roulette, Table, || RandomBets::new(1), math);
//! ```
//!
//! and a server lists it with one line (`entry::<Roulette>()` in
//! `server/src/games.rs`).

use std::sync::atomic::AtomicU64;

use crate::game::Game;
use crate::math::MathRounds;
use crate::sim::{SimError, SimOptions, SimReport, simulate_math};

/// How a game is played on a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Play {
    /// Live tables, several players.
    Table,
    /// Single-player sessions.
    Session,
    /// Not dealt by a server: simulated and replayed only (an example).
    SimulationOnly,
}

/// Runs the simulator with a game's default config and reference player.
pub type SimulateFn = fn(&SimOptions, &AtomicU64) -> Result<SimReport, SimError>;

/// A game a server can list. Implement it with [`register!`].
pub trait Registered: Game<Config: Default> {
    /// One line for listings.
    const SUMMARY: &'static str;
    /// How it is played.
    const PLAY: Play;
    /// The game crate's folder, for checks that read every game's sources.
    const CRATE_DIR: &'static str;
    /// The simulator in math mode, for a game that implements
    /// [`MathRounds`] (`Some(math::<Self>)`).
    const MATH: Option<SimulateFn> = None;

    /// Runs the simulator with the default config and the reference player.
    ///
    /// # Errors
    /// What the simulator finds ([`SimError`]).
    fn simulate(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError>;
}

/// The simulator in math mode with `G`'s default config.
///
/// # Errors
/// What the simulator finds ([`SimError`]).
pub fn math<G: MathRounds<Config: Default>>(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError> {
    simulate_math::<G>(&G::Config::default(), options, progress)
}

/// Implements [`Registered`] for a game in one line:
/// `register!(Game, Table | Session | SimulationOnly [, || strategy] [, math])`.
/// The summary is the crate's Cargo `description`; the reference player is
/// the strategy the closure makes ([`crate::sim::RandomOffered`] if none);
/// `math` adds math mode (the game implements [`MathRounds`]).
#[macro_export]
macro_rules! register {
    ($game:ty, $play:ident, math) => {
        $crate::register!($game, $play, || $crate::sim::RandomOffered, math);
    };
    ($game:ty, $play:ident) => {
        $crate::register!(@impl $game, $play, || $crate::sim::RandomOffered, None);
    };
    ($game:ty, $play:ident, $strategy:expr, math) => {
        $crate::register!(@impl $game, $play, $strategy, Some($crate::registry::math::<$game>));
    };
    ($game:ty, $play:ident, $strategy:expr) => {
        $crate::register!(@impl $game, $play, $strategy, None);
    };
    (@impl $game:ty, $play:ident, $strategy:expr, $math:expr) => {
        impl $crate::registry::Registered for $game {
            const SUMMARY: &'static str = env!("CARGO_PKG_DESCRIPTION");
            const PLAY: $crate::registry::Play = $crate::registry::Play::$play;
            const CRATE_DIR: &'static str = env!("CARGO_MANIFEST_DIR");
            const MATH: Option<$crate::registry::SimulateFn> = $math;

            fn simulate(
                options: &$crate::sim::SimOptions,
                progress: &::std::sync::atomic::AtomicU64,
            ) -> Result<$crate::sim::SimReport, $crate::sim::SimError> {
                let config = <<$game as $crate::Game>::Config as ::core::default::Default>::default();
                $crate::sim::simulate::<$game, _>(&config, options, $strategy, progress)
            }
        }
    };
}
