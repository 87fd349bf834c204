//! Fuzz target: the table config loader, as `POST /v1/admin/tables`,
//! `PATCH .../config` and `serve --table` use it (`registry::check`): JSON,
//! then the game's `Config`, then its `validate_config`. The first byte
//! picks the game. A config the game takes must open a table that plays:
//! its limits and RTP are computed and a few rounds' inputs are fed, every
//! refusal clean and catalogued.

#![no_main]

#[path = "driver.rs"]
mod driver;

use croupier_blackjack::Blackjack;
use croupier_roulette::Roulette;
use croupier_sdk::Game;
use croupier_slots::Slots;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [pick, json @ ..] = data else { return };
    match pick % 3 {
        0 => load::<Roulette>(*pick, json),
        1 => load::<Blackjack>(*pick, json),
        _ => load::<Slots>(*pick, json),
    }
});

fn load<G: Game>(seed: u8, json: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else { return };
    let Ok(config) = serde_json::from_value::<G::Config>(value) else { return };
    if G::validate_config(&config).is_err() {
        return;
    }
    assert!(G::max_round_stake(&config) > 0, "{}: a config that takes no stake: {config:?}", G::ID);
    let rtp = G::theoretical_rtp(&config);
    assert!(rtp.is_finite() && rtp >= 0.0, "{}: RTP {rtp} for {config:?}", G::ID);
    let mut table = driver::Table::<G>::open(&config, seed);
    for pick in 0..24 {
        table.step(pick ^ seed);
    }
}
