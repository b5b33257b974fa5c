//! The ASEM composite index (`rules/asem/minmax-arithmetic.toml`: 49 indicators normalised
//! against the cohort, weighted arithmetic means up four levels, missing indicators
//! re-weighted) on 100,000 synthetic countries drawn from the 51 real ones: each value is a real
//! country's value of that indicator (missing where it is missing) picked at random.
//!
//! `cargo bench -p qinglian --bench asem` — see `benches/README.md` for results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qinglian::{Batch, WeightNoise};

#[path = "support/asem_data.rs"]
mod asem_data;

fn benches(c: &mut Criterion) {
    let root = asem_data::root();
    let ruleset = asem_data::ruleset();
    let mut group = c.benchmark_group("asem");
    group.sample_size(20);
    for n in [10_000, 100_000] {
        let data = asem_data::synthetic(&ruleset, n);
        let mut batch = Batch::new(&ruleset, n);
        for (name, values) in &data {
            batch.borrow_numbers(&ruleset, name, values).unwrap();
        }
        let scores = ruleset.score(&batch);
        assert!(
            (0..n).all(|r| scores.is_scored(r)),
            "every synthetic country scores"
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("one thread", n), &batch, |b, batch| {
            b.iter(|| ruleset.score_on_threads(batch, 1))
        });
        let mut table = ruleset.score(&batch);
        group.bench_with_input(
            BenchmarkId::new("one thread, table reused", n),
            &batch,
            |b, batch| b.iter(|| ruleset.score_into(batch, 1, &mut table)),
        );
        group.bench_with_input(BenchmarkId::new("all cores", n), &batch, |b, batch| {
            b.iter(|| ruleset.score(batch))
        });
    }
    group.finish();

    // Monte Carlo over weights on the real 51 countries: 1,000 samples, every weight ±25 %.
    let rows = qinglian::read_records(root.join("examples/data/asem/asem_iData.csv")).unwrap();
    let batch = Batch::from_rows(&ruleset, &rows);
    let noise = WeightNoise::new(1000, 0.25, 42);
    let mut group = c.benchmark_group("asem uncertainty");
    group.sample_size(10);
    group.bench_function("1000 samples, 51 countries", |b| {
        b.iter(|| ruleset.uncertainty(&batch, &noise).unwrap())
    });
    group.finish();
}

criterion_group!(asem, benches);
criterion_main!(asem);
