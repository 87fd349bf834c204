//! Fuzz target: each game's action decoder and the game behind it. The
//! first byte picks the game, the second how far play goes before the
//! action (so it lands in any phase: betting, a turn, a spin at the
//! wallet); the rest is the `action` of an `act` frame. The server decodes
//! it as JSON, then as the game's `Action` (`invalid_action` otherwise);
//! an action that decodes is fed to the table, which must accept it or
//! refuse it with a catalogued code, changing nothing; play then goes on.

#![no_main]

#[path = "driver.rs"]
mod driver;

use croupier_blackjack::Blackjack;
use croupier_roulette::Roulette;
use croupier_sdk::{Game, Input, PlayerId};
use croupier_slots::Slots;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [pick, warm, json @ ..] = data else { return };
    match pick % 3 {
        0 => act::<Roulette>(&Default::default(), *warm, json),
        1 => act::<Blackjack>(&Default::default(), *warm, json),
        _ => act::<Slots>(&Default::default(), *warm, json),
    }
});

fn act<G: Game>(config: &G::Config, warm: u8, json: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else { return };
    let Ok(action) = serde_json::from_value::<G::Action>(value) else { return };
    let mut table = driver::Table::<G>::open(config, warm);
    for pick in 0..warm % 32 {
        table.step(pick.wrapping_mul(warm) ^ pick);
    }
    table.feed(Input::Action { player: PlayerId(1), action });
    for pick in 0..8 {
        table.step(pick ^ warm);
    }
}
