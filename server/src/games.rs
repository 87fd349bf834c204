//! The game registry: every game this server can deal, chosen by id.
//!
//! Games are compiled in (no dynamic libraries). Each entry knows how to run
//! the simulator with the game's default config and its reference strategy.
//! This module must never contain game rules; those live in game crates.

use std::sync::atomic::AtomicU64;

use croupier_blackjack::Blackjack;
use croupier_blackjack::strategy::BasicStrategy;
use croupier_roulette::Roulette;
use croupier_roulette::strategy::RandomBets;
use croupier_sdk::Game;
use croupier_sdk::example::CoinFlip;
use croupier_sdk::math::MathRounds;
use croupier_sdk::record::{ReplayMismatch, RoundRecord, replay};
use croupier_sdk::sim::{RandomOffered, SimError, SimOptions, SimReport, simulate, simulate_math};
use croupier_slots::Slots;

use crate::play::lobby::{Open, OpenError, check, open};
use crate::play::{Kind, TableRef};

/// Runs the simulator with a game's default config and reference player.
pub type SimulateFn = fn(&SimOptions, &AtomicU64) -> Result<SimReport, SimError>;

/// Opens a table or session of one game.
pub type OpenFn = fn(Open<'_>) -> Result<TableRef, OpenError>;

/// One registered game.
#[derive(Clone)]
pub struct GameEntry {
    /// Registry id (`Game::ID`).
    pub id: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// Runs the simulator with the default config and reference strategy.
    pub simulate: SimulateFn,
    /// The same in math mode (`croupier_sdk::math`), for games that have it.
    pub simulate_math: Option<SimulateFn>,
    /// How it is played: live tables, sessions, or `None` (simulation only).
    pub kind: Option<Kind>,
    /// Opens a table or session.
    pub open: OpenFn,
    /// Checks a config (JSON) without opening anything.
    pub check: fn(&serde_json::Value) -> Result<(), String>,
    /// Replays a round record and checks its outcome (`croupier verify`).
    pub replay: fn(&RoundRecord) -> Result<(), ReplayMismatch>,
}

impl GameEntry {
    /// An entry for a studio's game `G` played as `kind`, simulated with its
    /// default config and random offered actions.
    pub fn new<G>(summary: &'static str, kind: Kind) -> Self
    where
        G: Game,
        G::Config: Default,
    {
        Self {
            id: G::ID,
            summary,
            simulate: simulate_default::<G>,
            simulate_math: None,
            kind: Some(kind),
            open: open::<G>,
            check: check::<G>,
            replay: replay::<G>,
        }
    }
}

fn simulate_default<G>(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError>
where
    G: Game,
    G::Config: Default,
{
    simulate::<G, _>(&G::Config::default(), options, || RandomOffered, progress)
}

fn simulate_roulette(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError> {
    // One random bet of the minimum per spin: a round is a spin.
    let config = croupier_roulette::Config::default();
    simulate::<Roulette, _>(&config, options, || RandomBets::new(1), progress)
}

fn simulate_blackjack(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError> {
    // One basic-strategy player betting the minimum: a round is a hand.
    let config = croupier_blackjack::Config::default();
    simulate::<Blackjack, _>(&config, options, || BasicStrategy, progress)
}

fn simulate_math_default<G>(options: &SimOptions, progress: &AtomicU64) -> Result<SimReport, SimError>
where
    G: MathRounds,
    G::Config: Default,
{
    simulate_math::<G>(&G::Config::default(), options, progress)
}

/// Every registered game.
pub static GAMES: &[GameEntry] = &[
    GameEntry {
        id: Roulette::ID,
        summary: "European single-zero roulette, every standard bet (live table)",
        simulate: simulate_roulette,
        simulate_math: Some(simulate_math_default::<Roulette>),
        kind: Some(Kind::Table),
        open: open::<Roulette>,
        check: check::<Roulette>,
        replay: replay::<Roulette>,
    },
    GameEntry {
        id: Blackjack::ID,
        summary: "multi-seat blackjack, 6 decks, S17, 3:2, double, split, insurance (live table)",
        simulate: simulate_blackjack,
        simulate_math: Some(simulate_math_default::<Blackjack>),
        kind: Some(Kind::Table),
        open: open::<Blackjack>,
        check: check::<Blackjack>,
        replay: replay::<Blackjack>,
    },
    GameEntry {
        id: Slots::ID,
        summary: "5x3 video slot, 20 lines, wild, scatter, free spins (single-player session)",
        simulate: simulate_default::<Slots>,
        simulate_math: Some(simulate_math_default::<Slots>),
        kind: Some(Kind::Session),
        open: open::<Slots>,
        check: check::<Slots>,
        replay: replay::<Slots>,
    },
    GameEntry {
        id: CoinFlip::ID,
        summary: "the SDK's example game: call heads or tails, a win pays 1.95x",
        simulate: simulate_default::<CoinFlip>,
        simulate_math: Some(simulate_math_default::<CoinFlip>),
        kind: None,
        open: open::<CoinFlip>,
        check: check::<CoinFlip>,
        replay: replay::<CoinFlip>,
    },
];

/// The game registered under `id`.
pub fn find(id: &str) -> Option<&'static GameEntry> {
    GAMES.iter().find(|g| g.id == id)
}

/// One line per game (`id: summary`), for listings and error messages.
pub fn listing() -> String {
    GAMES.iter().map(|g| format!("\n  {}: {}", g.id, g.summary)).collect()
}
