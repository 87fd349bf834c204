//! Throughput of the certified generator next to bare `rand_chacha`, in one
//! run: raw stream bytes/s, and `below(37)` draws/s (ours vs. `rand`'s
//! `random_range`, and vs. bare `next_u32` as the floor).

#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use croupier_rng::{CertifiedRng, Draw, ReseedPolicy, Seed};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;

fn stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream_bytes");
    const LEN: usize = 1 << 16;
    group.throughput(Throughput::Bytes(LEN as u64));
    let mut buf = vec![0u8; LEN];
    let mut bare = ChaCha20Rng::from_seed([7; 32]);
    group.bench_function(BenchmarkId::new("bare_chacha20", LEN), |b| {
        b.iter(|| {
            bare.fill_bytes(&mut buf);
            black_box(&buf);
        })
    });
    let mut ours = CertifiedRng::from_os(ReseedPolicy::default()).unwrap();
    group.bench_function(BenchmarkId::new("certified", LEN), |b| {
        b.iter(|| {
            ours.fill_bytes(&mut buf);
            black_box(&buf);
        })
    });
    group.finish();
}

fn below_37(c: &mut Criterion) {
    let mut group = c.benchmark_group("below_37");
    const N: u64 = 1024;
    group.throughput(Throughput::Elements(N));
    let mut bare = ChaCha20Rng::from_seed([7; 32]);
    group.bench_function("bare_next_u32", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(bare.next_u32());
            }
        })
    });
    group.bench_function("bare_random_range", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(bare.random_range(0..37u32));
            }
        })
    });
    group.bench_function("bare_with_our_mapping", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(croupier_rng::sample::below_with(|| bare.next_u32(), 37u32));
            }
        })
    });
    let mut explicit = CertifiedRng::from_seed(Seed::from_bytes([7; 32]));
    group.bench_function("certified_explicit_seed", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(explicit.below(37));
            }
        })
    });
    // Production policy: counts draws and reseeds every 1,000,000.
    let mut ours = CertifiedRng::from_os(ReseedPolicy::default()).unwrap();
    group.bench_function("certified_production_policy", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(ours.below(37));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, stream, below_37);
criterion_main!(benches);
