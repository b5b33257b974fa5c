//! Loading large rulesets: parsing and validating must stay linear in the size of the ruleset.
//!
//! `cargo bench -p qinglian --bench load` — see `benches/README.md` for results. Each group grows
//! one dimension of a generated ruleset (inputs, indicators, or both) through 1k, 10k and 100k,
//! so the time per element should stay flat.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qinglian::Ruleset;
use std::fmt::Write as _;

/// Name of the `k`-th input of a kind: inputs cycle boolean, count, number, category.
fn input(kind: usize, k: usize, inputs: usize) -> String {
    // Inputs of each kind: those whose index is `kind` modulo 4.
    let of_kind = (inputs + 3 - kind) / 4;
    format!("in_{}", (k % of_kind.max(1)) * 4 + kind)
}

const BOOLEAN: usize = 0;
const COUNT: usize = 1;
const NUMBER: usize = 2;
const CATEGORY: usize = 3;

/// Writes one leaf `[[indicator]]`; `points` is `None` under a weighted (`mean`) parent.
fn leaf(out: &mut String, id: &str, k: usize, points: Option<u32>, inputs: usize) {
    let b = input(BOOLEAN, k, inputs);
    let n = input(COUNT, k, inputs);
    let x = input(NUMBER, k, inputs);
    let c = input(CATEGORY, k, inputs);
    let _ = writeln!(out, "[[indicator]]\nid = \"{id}\"\nname = \"指标{k}\"");
    if let Some(p) = points {
        let _ = writeln!(out, "points = {p}");
    }
    let _ = match k % 5 {
        0 => writeln!(
            out,
            "scorer = {{ type = \"clause\", when = \"{b} and {c} != 'C'\" }}"
        ),
        1 => writeln!(
            out,
            "scorer = {{ type = \"per_occurrence\", count = \"{n}\", per = 0.5 }}"
        ),
        2 => writeln!(
            out,
            "scorer = {{ type = \"threshold\", value = \"{x} * 2 + {n}\", bands = [\
             {{ at = 90, share = 1.0 }}, {{ at = 60, share = 0.6 }}, {{ at = 0, share = 0.2 }}] }}"
        ),
        3 => writeln!(
            out,
            "scorer = {{ type = \"formula\", expr = \"clamp(if {c} == 'A' then {x} / 100 else 0.5, 0, 1)\" }}"
        ),
        _ => writeln!(
            out,
            "scorer = {{ type = \"levels\", input = \"{c}\", shares = {{ A = 1.0, B = 0.5, C = 0.0 }} }}"
        ),
    };
    out.push('\n');
}

/// A valid ruleset with `inputs` declared inputs (at least 4) and exactly `indicators`
/// `[[indicator]]` tables: dimensions of ten groups of ten leaves (every third group a weighted
/// `mean`), a bonus dimension with nested bonus leaves, and flat leaves under the root for the
/// rest; plus grade bands, a `[bonus]` cap, vetoes, alerts and equivalences in proportion.
pub fn generate(inputs: usize, indicators: usize) -> String {
    assert!(inputs >= 4 && indicators >= 2, "too small to generate");
    let mut out = String::with_capacity(160 * inputs + 200 * indicators);
    let mut inds = String::with_capacity(200 * indicators);
    let mut k = 0; // leaves written so far: picks their inputs and scorers
    let mut tables = 0;
    let mut points = 0; // the non-bonus points under the root

    // The bonus dimension: one group, two nested bonus leaves.
    let _ = writeln!(
        inds,
        "[[indicator]]\nid = \"bonus\"\nname = \"附加分\"\npoints = 2\nbonus = true\n"
    );
    tables += 1;
    for j in 0..2 {
        if tables >= indicators {
            break;
        }
        leaf(&mut inds, &format!("bonus.b{j}"), k, Some(1), inputs);
        k += 1;
        tables += 1;
    }

    // Dimensions of 1 + 10 + 100 tables while they fit.
    let mut d = 0;
    while tables + 111 <= indicators {
        let _ = writeln!(
            inds,
            "[[indicator]]\nid = \"d{d}\"\nname = \"维度{d}\"\npoints = 100\n"
        );
        for g in 0..10 {
            let weighted = g % 3 == 2;
            let _ = write!(
                inds,
                "[[indicator]]\nid = \"d{d}.g{g}\"\nname = \"分组{d}.{g}\"\npoints = 10\n"
            );
            if weighted {
                inds.push_str("aggregate = \"mean\"\n");
            }
            if g == 4 {
                let _ = write!(
                    inds,
                    "zero_when = \"{} > 10\"\nzero_reason = \"严重问题\"\n",
                    input(COUNT, d, inputs)
                );
            }
            inds.push('\n');
            for l in 0..10 {
                let points = (!weighted).then_some(1);
                leaf(&mut inds, &format!("d{d}.g{g}.l{l}"), k, points, inputs);
                k += 1;
            }
        }
        tables += 111;
        points += 100;
        d += 1;
    }
    // Flat leaves under the root for the rest.
    let mut f = 0;
    while tables < indicators {
        leaf(&mut inds, &format!("f{f}"), k, Some(1), inputs);
        k += 1;
        f += 1;
        tables += 1;
        points += 1;
    }

    let _ = writeln!(
        out,
        "[ruleset]\nid = \"large\"\nname = \"大规模评价\"\nversion = \"1\"\nscale = {points}\n"
    );
    for i in 0..inputs {
        let _ = write!(out, "[[input]]\nname = \"in_{i}\"\n");
        let _ = match i % 4 {
            BOOLEAN => writeln!(out, "type = \"boolean\"\nlabel = \"是否{i}\""),
            COUNT => writeln!(
                out,
                "type = \"count\"\nlabel = \"次数{i}\"\nmin = 0\nunit = \"次\""
            ),
            NUMBER => writeln!(
                out,
                "type = \"number\"\nlabel = \"数值{i}\"\nmin = 0\nmax = 100"
            ),
            _ => writeln!(
                out,
                "type = \"category\"\nlabel = \"等级{i}\"\nvalues = [\"A\", \"B\", \"C\"]"
            ),
        };
        out.push('\n');
    }
    out.push_str(&inds);

    let bands = [("优秀", 0.9), ("良好", 0.8), ("合格", 0.6), ("不合格", 0.0)];
    for (name, share) in bands {
        let _ = writeln!(
            out,
            "[[grade]]\nname = \"{name}\"\nmin = {}\n",
            (f64::from(points) * share).floor()
        );
    }
    let _ = writeln!(out, "[bonus]\ncap = 2\n");
    let extras = inputs.max(indicators) / 100;
    for v in 0..extras.max(1) {
        let (effect, grade) = match v % 3 {
            0 => ("zero", String::new()),
            1 => ("grade", "grade = \"不合格\"\n".to_string()),
            _ => ("cap_grade", "grade = \"合格\"\n".to_string()),
        };
        let _ = writeln!(
            out,
            "[[veto]]\nid = \"v{v}\"\nwhen = \"{} and {} > 3\"\neffect = \"{effect}\"\n{grade}reason = \"否决{v}\"\n",
            input(BOOLEAN, v, inputs),
            input(COUNT, v, inputs)
        );
        let x = input(NUMBER, v, inputs);
        let _ = writeln!(
            out,
            "[[alert]]\nid = \"a{v}\"\nlevel = \"yellow\"\nwhen = \"{x} > 95\"\nmessage = \"数值{{round({x}, 1)}}偏高\"\n"
        );
        let _ = writeln!(
            out,
            "[[equivalence]]\ninput = \"{x}\"\nwhen = \"{}\"\nvalue = \"100\"\nreason = \"等效{v}\"\n",
            input(BOOLEAN, v + 1, inputs)
        );
    }
    out
}

fn benches(c: &mut Criterion) {
    // (group, inputs, indicators) per size: one dimension grows, or both (inputs = indicators / 5).
    let sizes = [1_000, 10_000, 100_000];
    type Shape = fn(usize) -> (usize, usize);
    let shapes: [(&str, Shape); 3] = [
        ("inputs", |n| (n, 100)),
        ("indicators", |n| (100, n)),
        ("mixed", |n| (n / 5, n)),
    ];
    for (name, shape) in shapes {
        let mut group = c.benchmark_group(format!("load_{name}"));
        for n in sizes {
            let (inputs, indicators) = shape(n);
            let text = generate(inputs, indicators);
            let ruleset = Ruleset::from_toml(&text).unwrap();
            assert_eq!(ruleset.inputs().len(), inputs);
            assert_eq!(ruleset.indicator_paths().len(), indicators);
            assert!(ruleset.warnings().is_empty(), "{:?}", ruleset.warnings());
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
                b.iter(|| Ruleset::from_toml(text).unwrap())
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}
criterion_main!(group);
