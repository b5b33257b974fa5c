//! Compile once, evaluate many: the cost of each phase measured apart.
//!
//! `cargo bench -p qinglian --bench evaluate` — see `benches/README.md` for results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qinglian::{read_records, Batch, Ruleset};
use std::path::Path;

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
        .display()
        .to_string()
}

fn benches(c: &mut Criterion) {
    let cases = [
        (
            "private-enterprise",
            "rules/private-enterprise.toml",
            "examples/data/private-enterprises.csv",
        ),
        (
            "village",
            "rules/village.toml",
            "examples/data/villages.csv",
        ),
        (
            "city-index",
            "rules/city-index.toml",
            "examples/data/city-districts.csv",
        ),
    ];
    let mut compile = c.benchmark_group("compile");
    for (name, rules, _) in cases {
        let text = std::fs::read_to_string(repo(rules)).unwrap();
        compile.bench_function(name, |b| b.iter(|| Ruleset::from_toml(&text).unwrap()));
    }
    compile.finish();

    let mut evaluate = c.benchmark_group("evaluate");
    for (name, rules, data) in cases {
        let ruleset = Ruleset::load(repo(rules)).unwrap();
        let rows = read_records(repo(data)).unwrap();
        // Repeat the example data to a batch of 40,000 records (parsing the records excluded).
        let many: Vec<_> = rows.iter().cycle().take(40_000).cloned().collect();
        let batch = Batch::from_rows(&ruleset, &many);
        evaluate.throughput(Throughput::Elements(1));
        let record = rows[0].as_ref().unwrap();
        evaluate.bench_function(BenchmarkId::new("one_record", name), |b| {
            b.iter(|| ruleset.evaluate(record).unwrap())
        });
        evaluate.throughput(Throughput::Elements(many.len() as u64));
        evaluate.bench_function(BenchmarkId::new("batch_40k", name), |b| {
            b.iter(|| ruleset.evaluate_batch(&batch))
        });
        evaluate.bench_function(BenchmarkId::new("batch_scores_40k", name), |b| {
            b.iter(|| ruleset.score(&batch))
        });
        evaluate.bench_function(BenchmarkId::new("check_40k", name), |b| {
            b.iter(|| Batch::from_rows(&ruleset, &many))
        });
    }
    evaluate.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(group);
