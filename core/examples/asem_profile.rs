//! Scores the ASEM composite index on synthetic countries (as `benches/asem.rs` does), for
//! counting instructions: `cargo build --release -p qinglian --example asem_profile`, then
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='*score_into*' \
//!     target/release/examples/asem_profile 10000 fresh|reused
//! ```
//!
//! `fresh` scores into a new table (`Ruleset::score_on_threads`) and counts
//! `*score_on_threads*` instead; `reused` scores into a table that already holds the batch's
//! scores (`Ruleset::score_into`). Prints the index's sum and a hash of every score's bits, so
//! a change that moves a bit shows; a third argument times that many more scorings (best of).
//!
//! `uncertainty` runs the Monte Carlo over noisy weights on the 51 real countries instead, with
//! the first argument as the number of samples, on one thread per core (count
//! `*uncertainty*`); it prints a hash of every rank statistic's bits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::Batch;

#[path = "../benches/support/asem_data.rs"]
mod asem_data;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let mode = args.next().unwrap_or_else(|| "reused".into());
    let ruleset = asem_data::ruleset();
    if mode == "uncertainty" {
        return uncertainty(&ruleset, n, args.next().map_or(0, |a| a.parse().unwrap()));
    }
    let data = asem_data::synthetic(&ruleset, n);
    let mut batch = Batch::new(&ruleset, n);
    for (name, values) in &data {
        batch.borrow_numbers(&ruleset, name, values).unwrap();
    }
    let scores = if mode == "fresh" {
        ruleset.score_on_threads(&batch, 1)
    } else {
        let mut table = ruleset.score_on_threads(&batch, 1);
        ruleset.score_into(&batch, 1, &mut table);
        table
    };
    // With a third argument, the best time of that many more scorings of the same kind.
    let repeat: usize = args.next().map_or(0, |a| a.parse().unwrap());
    let mut scores = scores;
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        let t = std::time::Instant::now();
        if mode == "fresh" {
            scores = ruleset.score_on_threads(&batch, 1);
        } else {
            ruleset.score_into(&batch, 1, &mut scores);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    if repeat > 0 {
        println!("best of {repeat}: {:.1} ms", best * 1e3);
    }
    let sum: f64 = scores.totals().iter().sum();
    let bits = scores
        .totals()
        .iter()
        .chain(
            (0..ruleset.indicator_paths().len()).flat_map(|i| scores.indicator_scores(i).unwrap()),
        )
        .fold(0u64, |h, x| h.rotate_left(5) ^ x.to_bits());
    println!("{n} rows, {mode}: index sum {sum}, bits {bits:016x}");
}

fn uncertainty(ruleset: &qinglian::Ruleset, samples: usize, repeat: usize) {
    let rows = qinglian::read_records(asem_data::root().join("examples/data/asem/asem_iData.csv"))
        .unwrap();
    let batch = Batch::from_rows(ruleset, &rows);
    let noise = qinglian::WeightNoise::new(samples, 0.25, 42);
    let mut out = ruleset.uncertainty(&batch, &noise).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        let t = std::time::Instant::now();
        out = ruleset.uncertainty(&batch, &noise).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
    }
    if repeat > 0 {
        println!("best of {repeat}: {:.2} ms", best * 1e3);
    }
    let bits = out
        .median
        .iter()
        .chain(&out.p05)
        .chain(&out.p95)
        .map(|x| x.to_bits())
        .chain(out.nominal.iter().map(|&r| u64::from(r)))
        .fold(0u64, |h, x| h.rotate_left(5) ^ x);
    println!("{samples} samples, 51 countries: bits {bits:016x}");
}
