//! Rounds per second per core of each registered game, played through the
//! game's state machine the way the server drives it: every input through
//! `Game::apply`, every effect carried out (stakes granted at once, timers
//! fired on a virtual clock), the reference player choosing from the offered
//! actions. No IO and no contract policing: the game's own cost per round.
//! `croupier simulate` reports the same loop with the money checks and
//! statistics on top. `GAME/math` is the same player's round in math mode
//! (`croupier_sdk::math`): the game's round function alone, what
//! `croupier simulate GAME --mode math` runs.

#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use croupier_blackjack::Blackjack;
use croupier_blackjack::strategy::BasicStrategy;
use croupier_rng::{CertifiedRng, Seed};
use croupier_roulette::Roulette;
use croupier_roulette::strategy::RandomBets;
use croupier_sdk::Game;
use croupier_sdk::math::{MathRounds, RoundBets};
use croupier_sdk::sim::{Autoplay, RandomOffered, Strategy};
use croupier_slots::Slots;

fn bench<G: Game, S: Strategy<G>>(c: &mut Criterion, config: &G::Config, strategy: S) {
    let rng = |stream| CertifiedRng::from_seed(Seed::from_bytes([stream; 32]));
    let mut table = Autoplay::<G, S>::new(config, rng(1), rng(2), strategy);
    let mut group = c.benchmark_group(G::ID);
    group.throughput(Throughput::Elements(1));
    group.bench_function("round", |b| b.iter(|| table.play_round(&mut |_| Ok(())).unwrap()));
    group.finish();
}

fn bench_math<G: MathRounds>(c: &mut Criterion, config: &G::Config) {
    let rng = |stream| CertifiedRng::from_seed(Seed::from_bytes([stream; 32]));
    let (mut game_rng, mut player_rng) = (rng(1), rng(2));
    let mut engine = G::engine(config);
    let mut round = RoundBets::new(G::bets(config).len());
    let mut group = c.benchmark_group(G::ID);
    group.throughput(Throughput::Elements(1));
    group.bench_function("math", |b| {
        b.iter(|| {
            round.clear();
            G::play(&mut engine, &mut game_rng, &mut player_rng, &mut round);
        })
    });
    group.finish();
}

fn rounds(c: &mut Criterion) {
    bench_math::<Roulette>(c, &Default::default());
    bench_math::<Slots>(c, &Default::default());
    bench_math::<Blackjack>(c, &Default::default());
    bench::<Roulette, _>(c, &Default::default(), RandomBets::new(1));
    bench::<Slots, _>(c, &Default::default(), RandomOffered);
    bench::<Blackjack, _>(c, &Default::default(), BasicStrategy);
}

criterion_group!(benches, rounds);
criterion_main!(benches);
