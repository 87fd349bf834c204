//! Shared by the game fuzz targets: a table of any game, fed as the server
//! feeds it (joins, offered actions, wallet answers, timers), checking after
//! every input that a refusal changed nothing, drew nothing and carries a
//! catalogued code (a shared `ErrorCode` or one of the game's `CODES`).

use croupier_rng::{CertifiedRng, Seed};
use croupier_sdk::testing::{offered, try_apply};
use croupier_sdk::{Effect, Effects, Game, Input, OpId, PlayerId, TimerId, WalletResult};

/// A table and what the server would be waiting on.
pub struct Table<G: Game> {
    pub state: G::State,
    rng: CertifiedRng,
    /// Stakes the wallet has not answered yet.
    pending: Vec<OpId>,
    /// Timers running.
    timers: Vec<TimerId>,
}

impl<G: Game> Table<G> {
    /// A fresh table of `config` with players 1 and (if it has the seats) 2.
    pub fn open(config: &G::Config, seed: u8) -> Self {
        let mut table = Table {
            state: G::new_table(config),
            rng: CertifiedRng::from_seed(Seed::from_bytes([seed; 32])),
            pending: Vec::new(),
            timers: Vec::new(),
        };
        table.feed(Input::Join { player: PlayerId(1), seat: None });
        if G::seats(config) > 1 {
            table.feed(Input::Join { player: PlayerId(2), seat: None });
        }
        table
    }

    /// Feeds `input`; whether it was accepted. Panics (a finding) on a
    /// refusal that breaks the contract or has an uncatalogued code.
    pub fn feed(&mut self, input: Input<G::Action>) -> bool {
        let shown = format!("{input:?}");
        match try_apply::<G>(&mut self.state, input, &mut self.rng) {
            Ok(effects) => {
                self.absorb(effects);
                true
            }
            Err(r) => {
                assert!(r.is_clean(), "{}: refusing {shown} broke the contract: {r:?}", G::ID);
                let code = r.rejected.code;
                assert!(
                    code.is_shared() || code.is_internal() || G::CODES.contains(&code),
                    "{}: {shown} refused with uncatalogued `{code}`",
                    G::ID
                );
                false
            }
        }
    }

    fn absorb(&mut self, effects: Effects<G>) {
        for effect in effects {
            match effect {
                Effect::Reserve { op, .. } => self.pending.push(op),
                Effect::StartTimer { timer, .. } => {
                    self.timers.retain(|t| *t != timer);
                    self.timers.push(timer);
                }
                Effect::CancelTimer { timer } => self.timers.retain(|t| *t != timer),
                _ => {}
            }
        }
    }

    /// One step of play, chosen by `pick`: an offered action of a player,
    /// a wallet answer (held, or refused), or the oldest timer firing.
    pub fn step(&mut self, pick: u8) {
        let player = PlayerId(u64::from(pick & 1) + 1);
        let actions = offered::<G>(&self.state, player);
        match pick % 4 {
            0 | 1 if !actions.is_empty() => {
                let action = actions[usize::from(pick / 4) % actions.len()].clone();
                self.feed(Input::Action { player, action });
            }
            2 if !self.pending.is_empty() => {
                let op = self.pending.remove(0);
                let result = match pick / 4 % 5 {
                    0 => WalletResult::Refused { code: "insufficient_funds".into() },
                    _ => WalletResult::Reserved,
                };
                self.feed(Input::Wallet { op, result });
            }
            _ if !self.timers.is_empty() => {
                let timer = self.timers.remove(0);
                self.feed(Input::Timer { timer });
            }
            _ => {}
        }
    }
}
