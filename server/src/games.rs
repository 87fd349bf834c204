//! The game registry: every game this server can deal, chosen by id.
//!
//! Games are compiled in (no dynamic libraries). A game crate says what the
//! registry needs with one line (`croupier_sdk::register!`: its summary, how
//! it is played, its reference player, math mode); this list names each game
//! with one line more. It must never contain game rules; those live in game
//! crates.

use croupier_blackjack::Blackjack;
use croupier_roulette::Roulette;
use croupier_sdk::example::CoinFlip;
use croupier_slots::Slots;

pub use crate::play::registry::{GameEntry, entry};

/// Every registered game. To add one, depend on its crate (which calls
/// `croupier_sdk::register!`) and list it here: `entry::<TheGame>()`.
pub static GAMES: &[GameEntry] = &[entry::<Roulette>(), entry::<Blackjack>(), entry::<Slots>(), entry::<CoinFlip>()];

/// The game registered under `id`.
pub fn find(id: &str) -> Option<&'static GameEntry> {
    GAMES.iter().find(|g| g.id == id)
}

/// One line per game (`id: summary`), for listings and error messages.
pub fn listing() -> String {
    GAMES.iter().map(|g| format!("\n  {}: {}", g.id, g.summary)).collect()
}
