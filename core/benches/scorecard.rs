//! The 30-rule benchmark scorecard (`benches/scorecard/scorecard.toml`) scored into a table:
//! 10k, 100k and 1M synthetic enterprises, on one thread and on all cores, so the cost per row
//! can be seen to stay flat.
//!
//! `cargo bench -p qinglian --bench scorecard` — see `benches/README.md` for results. The
//! physical limit is reading the input columns once: 1M × 40 inputs × 8 bytes ≈ 320 MB at memory
//! bandwidth.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qinglian::{Batch, InputType, Ruleset};
use std::path::Path;

/// A seeded xorshift: the same synthetic enterprises on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Inputs whose indicators re-weight or score zero when they are missing.
const OPTIONAL: [&str; 2] = ["integrity_agreement_rate", "staff_satisfaction"];

/// One column per input: counts mostly small, rates within their range, flags mostly true,
/// optional inputs sometimes missing.
fn columns(ruleset: &Ruleset, rows: usize) -> Vec<(String, Vec<f64>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    ruleset
        .inputs()
        .iter()
        .map(|input| {
            let (lo, hi) = (input.min.unwrap_or(0.0), input.max.unwrap_or(10.0));
            let values = (0..rows)
                .map(|_| {
                    let u = rng.next();
                    if OPTIONAL.contains(&input.name.as_str()) && u < 0.1 {
                        return f64::NAN;
                    }
                    // A discretionary deduction is 0 or within its bounds.
                    if input.name.ends_with("_deduction") {
                        return if u < 0.7 { 0.0 } else { 2.0 };
                    }
                    match input.kind {
                        InputType::Boolean => f64::from(u8::from(u < 0.85)),
                        InputType::Count => (u * u * (hi.min(8.0) - lo + 1.0)).floor() + lo,
                        _ => lo + (hi - lo) * rng.next().sqrt(),
                    }
                })
                .collect();
            (input.name.clone(), values)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/scorecard/scorecard.toml");
    let ruleset = Ruleset::load(&path).unwrap();
    let mut group = c.benchmark_group("scorecard");
    group.sample_size(10);
    for rows in [10_000, 100_000, 1_000_000] {
        let data = columns(&ruleset, rows);
        let mut batch = Batch::new(&ruleset, rows);
        for (name, values) in &data {
            batch.borrow_numbers(&ruleset, name, values).unwrap();
        }
        let scores = ruleset.score(&batch);
        let failed = (0..rows).filter(|&r| !scores.is_scored(r)).count();
        let first = (0..rows)
            .find_map(|r| scores.error(r))
            .map(ToString::to_string);
        assert!(
            failed < rows / 10,
            "{failed} of {rows} rows failed: {first:?}"
        );
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::new("one thread", rows), &batch, |b, batch| {
            b.iter(|| ruleset.score_on_threads(batch, 1))
        });
        group.bench_with_input(BenchmarkId::new("all cores", rows), &batch, |b, batch| {
            b.iter(|| ruleset.score(batch))
        });
        // The same, writing into the memory of the previous call's table: what the kernels
        // cost without the operating system's fresh pages.
        let mut table = ruleset.score(&batch);
        group.bench_with_input(
            BenchmarkId::new("one thread, table reused", rows),
            &batch,
            |b, batch| b.iter(|| ruleset.score_into(batch, 1, &mut table)),
        );
        group.bench_with_input(
            BenchmarkId::new("all cores, table reused", rows),
            &batch,
            |b, batch| b.iter(|| ruleset.score_into(batch, usize::MAX, &mut table)),
        );
    }
    group.finish();
}

criterion_group!(scorecard, benches);
criterion_main!(scorecard);
