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

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::Batch;

#[path = "../benches/support/asem_data.rs"]
mod asem_data;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let mode = args.next().unwrap_or_else(|| "reused".into());
    let ruleset = asem_data::ruleset();
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
