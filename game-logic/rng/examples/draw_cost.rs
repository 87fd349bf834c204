//! Draws 1,000,000 `below(37)` outcomes with one generator variant, for
//! instruction counts under callgrind (repeatable, unlike wall time on a
//! shared machine):
//! `valgrind --tool=callgrind cargo run --release -p croupier-rng --example draw_cost -- VARIANT`
//! with VARIANT one of `bare_random_range`, `bare_our_mapping`, `certified`.

#![allow(clippy::print_stdout)]

use croupier_rng::{CertifiedRng, Draw, ReseedPolicy};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

const N: u32 = 1_000_000;

fn main() {
    let variant = std::env::args().nth(1).unwrap_or_default();
    let mut sum = 0u64;
    match variant.as_str() {
        "bare_random_range" => {
            let mut r = ChaCha20Rng::from_seed([7; 32]);
            for _ in 0..N {
                sum += u64::from(r.random_range(0..37u32));
            }
        }
        "bare_our_mapping" => {
            let mut r = ChaCha20Rng::from_seed([7; 32]);
            for _ in 0..N {
                sum += u64::from(croupier_rng::sample::below_with(|| r.next_u32(), 37u32));
            }
        }
        "certified" => {
            let Ok(mut r) = CertifiedRng::from_os(ReseedPolicy::default()) else { return };
            for _ in 0..N {
                sum += u64::from(r.below(37));
            }
        }
        _ => {
            eprintln!("variant: bare_random_range | bare_our_mapping | certified");
            std::process::exit(2);
        }
    }
    println!("{variant}: sum {sum}");
}
