//! Properties every ruleset must keep, checked with random records: bounds, monotonicity,
//! floors, veto dominance, order independence, determinism, and batch = record by record.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use qinglian::{
    Batch, Cell, Cohort, Groups, InputType, Record, RecordError, Ruleset, Scores, VetoEffect,
};
use std::path::Path;
use std::sync::OnceLock;

/// Every ruleset of the project: `rules/` and the conformance rulesets that load.
fn rulesets() -> &'static Vec<(String, Ruleset)> {
    static ALL: OnceLock<Vec<(String, Ruleset)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        for dir in ["rules", "tests/conformance/cases/rulesets"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for path in paths
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            {
                if let Ok(r) = Ruleset::load(&path) {
                    out.push((path.display().to_string(), r));
                }
            }
        }
        assert!(out.len() >= 3, "too few rulesets found");
        out
    })
}

/// Builds a record for `ruleset` from random numbers: each input is missing (1 in 12) or a value
/// of its type within its declared range.
fn record_from(ruleset: &Ruleset, draws: &[(u8, f64)]) -> Record {
    let mut record = Record::new().with("id", "P");
    for (input, &(pick, u)) in ruleset.inputs().iter().zip(draws.iter().cycle()) {
        if pick % 64 == 0 && !input.required {
            record = record.with(&input.name, Cell::Missing);
            continue;
        }
        let lo = input.min.unwrap_or(0.0);
        let hi = input.max.unwrap_or(lo + 20.0);
        let cell = match input.kind {
            InputType::Number => Cell::Number(lo + (hi - lo) * u),
            InputType::Count => Cell::Number(
                (lo.max(0.0) + ((hi - lo.max(0.0)) * u).floor())
                    .min(hi)
                    .max(0.0),
            ),
            InputType::Boolean => Cell::Bool(pick % 2 == 0),
            InputType::Category => {
                Cell::Text(input.values[pick as usize % input.values.len()].clone())
            }
            InputType::Survey => Cell::Counts(
                input
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        (
                            v.clone(),
                            ((u * 50.0).floor() + i as f64 * pick as f64) % 40.0,
                        )
                    })
                    .collect(),
            ),
        };
        record = record.with(&input.name, cell);
    }
    record
}

fn draws() -> impl Strategy<Value = Vec<(u8, f64)>> {
    prop::collection::vec((any::<u8>(), 0.0..=1.0f64), 1..48)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_stay_within_bounds_and_vetoes_dominate(d in draws()) {
        for (name, ruleset) in rulesets() {
            let record = record_from(ruleset, &d);
            let Ok(e) = ruleset.evaluate(&record) else { continue };
            prop_assert!(e.score >= 0.0 && e.score <= ruleset.max_total() + 1e-9, "{name}: score {} outside [0, {}]", e.score, ruleset.max_total());
            prop_assert!(e.base_score <= ruleset.metadata().scale + 1e-9, "{name}: base above scale");
            prop_assert!(e.bonus_score <= ruleset.metadata().bonus_cap + 1e-9, "{name}: bonus above cap");
            for node in &e.nodes {
                prop_assert!(node.score >= 0.0 && node.score <= node.max + 1e-9, "{name}: {} scored {} of {}", node.path, node.score, node.max);
            }
            // The per-node decomposition adds up: the 一级指标 make the tree's score and the
            // bonus nodes make the credited bonus.
            let top = |bonus: bool| e.nodes.iter().filter(|n| n.depth == 1 && n.bonus == bonus).map(|n| n.contribution).sum::<f64>();
            prop_assert!((top(false) - e.base_score).abs() <= 1e-6 * e.base_score.max(1.0), "{name}: contributions {} != base {}", top(false), e.base_score);
            prop_assert!((top(true) - e.bonus_score).abs() <= 1e-6, "{name}: bonus contributions {} != bonus {}", top(true), e.bonus_score);
            if e.vetoes.iter().any(|v| v.effect == VetoEffect::Zero) {
                prop_assert_eq!(e.score, 0.0, "{}: a zeroing veto fired but the score is not 0", name);
            }
        }
    }

    #[test]
    fn evaluation_is_deterministic_and_batch_equals_single(rows in prop::collection::vec(draws(), 1..6)) {
        for (name, ruleset) in rulesets() {
            if ruleset.indicator_paths().is_empty() { continue; }
            let records: Vec<Result<Record, RecordError>> = rows.iter().map(|d| Ok(record_from(ruleset, d))).collect();
            let batch = ruleset.evaluate_records(&records);
            prop_assert_eq!(&batch, &ruleset.evaluate_records(&records), "{}: not deterministic", name);
            let ranks = name.contains("soe") || name.contains("scorers") || name.contains("normalise");
            if ranks { continue; } // rank and normalise scorers depend on the cohort by design
            for (single, batched) in records.iter().map(|r| ruleset.evaluate(r.as_ref().unwrap())).zip(&batch) {
                match (single, batched) {
                    (Ok(mut s), Ok(b)) => {
                        s.cohort = b.cohort.clone();
                        // Scored alone, a ruleset with quota tiers says it had no cohort.
                        s.warnings.clear();
                        s.reasons.retain(|r| r.kind != qinglian::ReasonKind::Cohort);
                        prop_assert_eq!(&s, b, "{}: batch differs from single", name);
                    }
                    (Err(s), Err(b)) => prop_assert_eq!(s.code, b.code),
                    (s, b) => prop_assert!(false, "{}: single {:?} vs batch {:?}", name, s.is_ok(), b.is_ok()),
                }
            }
        }
    }
}

/// A ruleset with one leaf of each directional scorer on input `h` (higher is better) and `l`
/// (lower is better); the children are listed in the order given.
fn directional(order: &[usize]) -> String {
    let leaves = [
        r#"id = "g_h"
points = 10
scorer = { type = "goalposts", value = "h", lo = 0, hi = 80 }"#,
        r#"id = "t_h"
points = 10
scorer = { type = "threshold", value = "h", bands = [{ at = 90, share = 1 }, { at = 60, share = 0.6 }, { at = 30, share = 0.2 }] }"#,
        r#"id = "p_h"
points = 10
scorer = { type = "piecewise", value = "h", points = [[0, 0], [40, 0.7], [100, 1]] }"#,
        r#"id = "e_h"
points = 10
scorer = { type = "efficacy", value = "h", worst = 10, best = 90 }"#,
        r#"id = "r_h"
points = 10
scorer = { type = "target", value = "h", target = 75 }"#,
        r#"id = "g_l"
points = 10
scorer = { type = "goalposts", value = "l", lo = 0, hi = 80, direction = "lower" }"#,
        r#"id = "t_l"
points = 10
scorer = { type = "threshold", value = "l", direction = "lower", bands = [{ at = 10, share = 1 }, { at = 40, share = 0.5 }] }"#,
        r#"id = "e_l"
points = 10
scorer = { type = "efficacy", value = "l", worst = 90, best = 10 }"#,
        r#"id = "o_l"
points = 10
scorer = { type = "per_occurrence", count = "l", per = 0.5, floor = 2 }"#,
        r#"id = "z_l"
points = 10
scorer = { type = "target", value = "l", target = 20, direction = "lower" }"#,
    ];
    let mut text = String::from(
        "[ruleset]\nid = \"dir\"\nname = \"方向\"\nversion = \"1\"\nscale = 100\n\n[[input]]\nname = \"h\"\ntype = \"number\"\n[[input]]\nname = \"l\"\ntype = \"number\"\n[[input]]\nname = \"veto\"\ntype = \"boolean\"\n",
    );
    for &i in order {
        text.push_str(&format!("\n[[indicator]]\nname = \"{i}\"\n{}\n", leaves[i]));
    }
    text.push_str(
        "\n[[veto]]\nid = \"v\"\nwhen = \"veto\"\neffect = \"zero\"\nreason = \"否决\"\n",
    );
    text
}

fn score(ruleset: &Ruleset, h: f64, l: f64, veto: bool) -> f64 {
    ruleset
        .evaluate(&Record::new().with("h", h).with("l", l).with("veto", veto))
        .unwrap()
        .score
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn better_values_never_lower_the_score(h in 0.0..120.0f64, dh in 0.0..50.0f64, l in 0.0..120.0f64, dl in 0.0..50.0f64) {
        let ruleset = Ruleset::from_toml(&directional(&(0..10).collect::<Vec<_>>())).unwrap();
        let base = score(&ruleset, h, l, false);
        prop_assert!(score(&ruleset, h + dh, l, false) >= base - 1e-9, "raising a higher-is-better value lowered the score");
        prop_assert!(score(&ruleset, h, (l - dl).max(0.0), false) >= base - 1e-9, "lowering a lower-is-better value lowered the score");
    }

    #[test]
    fn deductions_never_pass_their_floor(l in 0.0..10_000.0f64) {
        let ruleset = Ruleset::from_toml(&directional(&(0..10).collect::<Vec<_>>())).unwrap();
        let e = ruleset.evaluate(&Record::new().with("h", 50.0).with("l", l.floor()).with("veto", false)).unwrap();
        prop_assert!(e.node("o_l").unwrap().score >= 2.0);
    }

    #[test]
    fn order_of_children_does_not_matter(order in Just((0..10).collect::<Vec<usize>>()).prop_shuffle(), h in 0.0..120.0f64, l in 0.0..120.0f64) {
        let sorted = Ruleset::from_toml(&directional(&(0..10).collect::<Vec<_>>())).unwrap();
        let shuffled = Ruleset::from_toml(&directional(&order)).unwrap();
        let a = score(&sorted, h, l, false);
        let b = score(&shuffled, h, l, false);
        prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{} vs {}", a, b);
    }

    #[test]
    fn a_zeroing_veto_dominates(h in 0.0..120.0f64, l in 0.0..120.0f64) {
        let ruleset = Ruleset::from_toml(&directional(&(0..10).collect::<Vec<_>>())).unwrap();
        prop_assert_eq!(score(&ruleset, h, l, true), 0.0);
    }
}

#[test]
fn random_records_mostly_score() {
    // Guards the properties above against passing vacuously on records that all fail.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (name, ruleset) in rulesets() {
        let records: Vec<Record> = (0..50)
            .map(|_| record_from(ruleset, &draws().new_tree(&mut runner).unwrap().current()))
            .collect();
        // A ruleset that normalises against its cohort has nothing to normalise by in a cohort
        // of one: its records are scored among each other, with ids among which a reference
        // unit (`distance_to_reference`) can be found.
        let ok = if name.contains("normalise") {
            let rows: Vec<_> = records
                .into_iter()
                .enumerate()
                .map(|(i, r)| Ok(r.with("id", format!("U{}", i % 6).as_str())))
                .collect();
            ruleset
                .evaluate_records(&rows)
                .iter()
                .filter(|r| r.is_ok())
                .count()
        } else {
            records
                .iter()
                .filter(|r| ruleset.evaluate(r).is_ok())
                .count()
        };
        println!("{name}: {ok}/50 random records scored");
        assert!(ok >= 10, "{name}: only {ok}/50 random records scored");
    }
}

#[test]
fn a_large_batch_split_over_threads_equals_record_by_record() {
    let (_, ruleset) = rulesets()
        .iter()
        .find(|(n, _)| n.ends_with("village.toml"))
        .unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let records: Vec<Result<Record, RecordError>> = (0..5000)
        .map(|i| {
            let d = draws().new_tree(&mut runner).unwrap().current();
            Ok(record_from(ruleset, &d).with("id", format!("V{i}").as_str()))
        })
        .collect();
    let batch = ruleset.evaluate_records(&records);
    assert_eq!(batch.len(), records.len());
    for (i, (record, batched)) in records.iter().zip(&batch).enumerate() {
        match (ruleset.evaluate(record.as_ref().unwrap()), batched) {
            (Ok(single), Ok(b)) => {
                assert_eq!(single.id, b.id, "row {i} out of order");
                assert_eq!(single.score, b.score, "row {i}");
                assert_eq!(single.nodes, b.nodes, "row {i}");
            }
            (Err(s), Err(b)) => assert_eq!((s.code, Some(i)), (b.code, b.row)),
            (s, b) => panic!("row {i}: single ok {} vs batch ok {}", s.is_ok(), b.is_ok()),
        }
    }
}

#[test]
fn a_compiled_ruleset_is_shared_by_many_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Ruleset>();
    send_sync::<qinglian::Evaluation>();
    let (_, ruleset) = rulesets()
        .iter()
        .find(|(n, _)| n.ends_with("hospital.toml"))
        .unwrap();
    let shared = std::sync::Arc::new(ruleset.clone());
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let record = record_from(ruleset, &draws().new_tree(&mut runner).unwrap().current());
    let expected = ruleset.evaluate(&record);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (shared, record) = (shared.clone(), record.clone());
            std::thread::spawn(move || {
                (0..50)
                    .map(|_| shared.evaluate(&record))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        assert!(handle.join().unwrap().iter().all(|r| *r == expected));
    }
}

/// `n` random records for `ruleset`, with ids `P0`, `P1`, …
fn random_rows(
    ruleset: &Ruleset,
    n: usize,
    runner: &mut proptest::test_runner::TestRunner,
) -> Vec<Result<Record, RecordError>> {
    (0..n)
        .map(|i| {
            let d = draws().new_tree(runner).unwrap().current();
            Ok(record_from(ruleset, &d).with("id", format!("P{i}").as_str()))
        })
        .collect()
}

fn named(name: &str) -> &'static Ruleset {
    &rulesets()
        .iter()
        .find(|(n, _)| n.ends_with(name))
        .unwrap()
        .1
}

/// The numbers of two tables agree bit for bit at rows `a` of `x` and `b` of `y`.
fn same_row(x: &Scores, a: usize, y: &Scores, b: usize, what: &str) {
    assert_eq!(x.is_scored(a), y.is_scored(b), "{what}: scored");
    if !x.is_scored(a) {
        assert_eq!(
            x.error(a).map(|e| e.code),
            y.error(b).map(|e| e.code),
            "{what}"
        );
        return;
    }
    let bits = |v: &[f64], r: usize| v[r].to_bits();
    assert_eq!(bits(x.totals(), a), bits(y.totals(), b), "{what}: total");
    assert_eq!(x.grades()[a], y.grades()[b], "{what}: grade");
    assert_eq!(x.ranks()[a], y.ranks()[b], "{what}: rank");
    assert_eq!(x.cohort_sizes()[a], y.cohort_sizes()[b], "{what}: of");
    assert_eq!(
        bits(x.percentiles(), a),
        bits(y.percentiles(), b),
        "{what}: percentile"
    );
    assert_eq!(x.tiers()[a], y.tiers()[b], "{what}: tier");
    let mut i = 0;
    while let (Some(s), Some(t)) = (x.indicator_scores(i), y.indicator_scores(i)) {
        assert_eq!(s[a].to_bits(), t[b].to_bits(), "{what}: indicator {i}");
        assert_eq!(
            x.indicator_statuses(i).unwrap()[a],
            y.indicator_statuses(i).unwrap()[b]
        );
        assert_eq!(
            x.treatment_flags(i).map(|f| f[a]),
            y.treatment_flags(i).map(|f| f[b]),
            "{what}: treatment flags of indicator {i}"
        );
        i += 1;
    }
    assert_eq!(
        x.vetoes(a).collect::<Vec<_>>(),
        y.vetoes(b).collect::<Vec<_>>(),
        "{what}"
    );
    assert_eq!(
        x.alerts(a).collect::<Vec<_>>(),
        y.alerts(b).collect::<Vec<_>>(),
        "{what}"
    );
}

#[test]
fn a_table_row_equals_its_rendered_evaluation() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (name, ruleset) in rulesets() {
        let rows = random_rows(ruleset, 120, &mut runner);
        let batch = Batch::from_rows(ruleset, &rows);
        let scores = ruleset.score(&batch);
        let grades = ruleset.grade_names();
        let paths = ruleset.indicator_paths();
        for row in 0..batch.len() {
            let e = match ruleset.explain(&batch, &scores, row) {
                Ok(e) => e,
                Err(err) => {
                    assert_eq!(scores.error(row), Some(&err), "{name} row {row}");
                    assert!(scores.totals()[row].is_nan());
                    continue;
                }
            };
            assert!(scores.is_scored(row));
            assert_eq!(
                e.score.to_bits(),
                scores.totals()[row].to_bits(),
                "{name} row {row}"
            );
            assert_eq!(e.base_score.to_bits(), scores.base_scores()[row].to_bits());
            assert_eq!(
                e.bonus_score.to_bits(),
                scores.bonus_scores()[row].to_bits()
            );
            assert_eq!(
                e.grade.as_deref(),
                scores.grade(row).map(|g| grades[g]),
                "{name}"
            );
            for (i, path) in paths.iter().enumerate() {
                let node = e.node(path).unwrap();
                assert_eq!(
                    node.score.to_bits(),
                    scores.indicator_scores(i).unwrap()[row].to_bits(),
                    "{name} {path}"
                );
                assert_eq!(
                    node.status,
                    scores.indicator_statuses(i).unwrap()[row],
                    "{name} {path}"
                );
            }
            let vetoes: Vec<usize> = scores.vetoes(row).collect();
            assert_eq!(e.vetoes.len(), vetoes.len(), "{name}");
            let alerts: Vec<usize> = scores.alerts(row).collect();
            assert_eq!(e.alerts.len(), alerts.len(), "{name}");
            let highest = e
                .alerts
                .iter()
                .filter_map(|a| qinglian::ALERT_LEVELS.iter().position(|l| *l == a.level))
                .min()
                .map_or(qinglian::NO_ALERT, |l| l as u8);
            assert_eq!(scores.alert_levels()[row], highest, "{name}");
            assert_eq!(scores.is_vetoed(row), !e.vetoes.is_empty(), "{name}");
            let place = e.cohort.as_ref().unwrap();
            assert_eq!(place.rank as u32, scores.ranks()[row]);
            assert_eq!(place.of as u32, scores.cohort_sizes()[row]);
        }
    }
}

#[test]
fn a_table_scored_into_reused_memory_equals_a_fresh_one() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    // One table carried from ruleset to ruleset and size to size: whatever it held before
    // (other columns, more or fewer rows, errors, vetoes) must leave no trace.
    let mut table = None;
    let mut failed = 0;
    for (name, ruleset) in rulesets() {
        for n in [90, 7, 150] {
            let rows = random_rows(ruleset, n, &mut runner);
            let batch = Batch::from_rows(ruleset, &rows);
            let fresh = ruleset.score(&batch);
            let reused = table.get_or_insert_with(|| ruleset.score(&batch));
            ruleset.score_into(&batch, 2, reused);
            assert_eq!(reused.len(), fresh.len(), "{name}");
            for row in 0..n {
                same_row(
                    reused,
                    row,
                    &fresh,
                    row,
                    &format!("{name} {n} rows, row {row}"),
                );
                // Rows with an error too: nothing of the earlier contents may show.
                let mut i = 0;
                while let (Some(a), Some(b)) =
                    (reused.indicator_scores(i), fresh.indicator_scores(i))
                {
                    assert_eq!(a[row].to_bits(), b[row].to_bits(), "{name} row {row} {i}");
                    assert_eq!(
                        reused.indicator_statuses(i).unwrap()[row],
                        fresh.indicator_statuses(i).unwrap()[row],
                        "{name} row {row} {i}"
                    );
                    i += 1;
                }
            }
            assert_eq!(reused.errors().count(), fresh.errors().count(), "{name}");
            failed += fresh.errors().count();
        }
    }
    assert!(failed > 0, "the random rows include rows with errors");
}

#[test]
fn scoring_by_group_equals_scoring_each_group_alone() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for name in [
        "soe.toml",
        "private-enterprise.toml",
        "city-index.toml",
        "normalise-treat.toml",
    ] {
        let ruleset = named(name);
        let rows = random_rows(ruleset, 300, &mut runner);
        let keys: Vec<String> = (0..rows.len())
            .map(|i| ["2021", "2022", "2023"][(i * 7 + i / 5) % 3].to_string())
            .collect();
        let groups = Groups::from_keys(&keys);
        let scores = ruleset
            .score_by(&Batch::from_rows(ruleset, &rows), &groups)
            .unwrap();
        for key in groups.keys() {
            let members: Vec<usize> = (0..rows.len()).filter(|&i| &keys[i] == key).collect();
            let alone_rows: Vec<_> = members.iter().map(|&i| rows[i].clone()).collect();
            let alone = ruleset.score(&Batch::from_rows(ruleset, &alone_rows));
            for (j, &i) in members.iter().enumerate() {
                same_row(&scores, i, &alone, j, &format!("{name} {key} row {i}"));
            }
        }
    }
}

#[test]
fn a_cohort_fitted_on_a_batch_and_applied_to_it_equals_scoring_the_batch() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (name, ruleset) in rulesets() {
        let rows = random_rows(ruleset, 150, &mut runner);
        let batch = Batch::from_rows(ruleset, &rows);
        let cohort = ruleset.fit(&batch);
        let again = Cohort::from_json(&cohort.to_json()).unwrap();
        assert_eq!(again, cohort, "{name}: the JSON form round-trips");
        let fitted = ruleset.score_against(&batch, &again).unwrap();
        let plain = ruleset.score(&batch);
        for row in 0..batch.len() {
            same_row(&fitted, row, &plain, row, &format!("{name} row {row}"));
        }
    }
}

#[test]
fn a_unit_scored_against_a_cohort_equals_its_row_among_the_reference() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for name in ["soe.toml", "private-enterprise.toml", "village.toml"] {
        let ruleset = named(name);
        let reference = random_rows(ruleset, 200, &mut runner);
        let cohort = ruleset.fit(&Batch::from_rows(ruleset, &reference));
        for unit in random_rows(ruleset, 20, &mut runner) {
            let mut together = reference.clone();
            together.push(unit.clone());
            let joined = ruleset.evaluate_records(&together).pop().unwrap();
            let alone = ruleset
                .evaluate_against(unit.as_ref().unwrap(), &cohort)
                .unwrap();
            match (alone, joined) {
                (Ok(a), Ok(j)) => {
                    // The same points, grade and rank; the reference keeps its own size.
                    assert_eq!(a.score.to_bits(), j.score.to_bits(), "{name}");
                    for (x, y) in a.nodes.iter().zip(&j.nodes) {
                        assert_eq!(
                            (x.score, x.status, x.contribution),
                            (y.score, y.status, y.contribution),
                            "{name} {}",
                            x.path
                        );
                        // A rank leaf's sentence names the reference's size ("of 200").
                        if x.rule != "rank" {
                            assert_eq!(x.detail, y.detail, "{name} {}", x.path);
                        }
                    }
                    assert_eq!(a.grade, j.grade, "{name}");
                    let (pa, pj) = (a.cohort.unwrap(), j.cohort.unwrap());
                    assert_eq!(pa.rank, pj.rank, "{name}");
                    assert_eq!(pa.of, cohort.size());
                    assert!(a.warnings.is_empty());
                }
                (Err(a), Err(j)) => assert_eq!(a.code, j.code),
                (a, j) => panic!(
                    "{name}: against a cohort ok {} vs joined ok {}",
                    a.is_ok(),
                    j.is_ok()
                ),
            }
        }
    }
}

#[test]
fn a_unit_scored_alone_with_cohort_rules_carries_a_warning() {
    let ruleset = named("soe.toml");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let unit = random_rows(ruleset, 1, &mut runner).pop().unwrap().unwrap();
    let e = ruleset.evaluate(&unit).unwrap();
    assert_eq!(e.warnings.len(), 1);
    assert!(e
        .reasons
        .iter()
        .any(|r| r.kind == qinglian::ReasonKind::Cohort));
    let village = named("village.toml");
    let e = village
        .evaluate(&random_rows(village, 1, &mut runner).pop().unwrap().unwrap())
        .unwrap();
    assert!(e.warnings.is_empty(), "no cohort rule, no warning");
}

const RANKED: &str = r#"
[ruleset]
id = "ranked"
name = "排名"
version = "1"
scale = 20
[[input]]
name = "x"
type = "number"
[[input]]
name = "y"
type = "number"
[[indicator]]
id = "points"
name = "得分"
points = 10
scorer = { type = "formula", expr = "x" }
[[indicator]]
id = "place"
name = "名次"
points = 10
scorer = { type = "rank", value = "y", direction = "lower", step = 0.5 }
[[quota]]
name = "A"
top = 0.2
[[quota]]
name = "B"
top = 1.0
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Sorting once gives the ranks, points by place, percentiles and tiers of counting.
    #[test]
    fn ranking_equals_counting(values in proptest::collection::vec((0u8..6, 0u8..5), 1..120)) {
        let ruleset = Ruleset::from_toml(RANKED).unwrap();
        let rows: Vec<Result<Record, RecordError>> = values
            .iter()
            .map(|&(x, y)| Ok(Record::new().with("x", x as f64).with("y", y as f64)))
            .collect();
        let scores = ruleset.score(&Batch::from_rows(&ruleset, &rows));
        let n = values.len();
        for (i, &(_, y)) in values.iter().enumerate() {
            let better = values.iter().filter(|&&(_, v)| v < y).count();
            let place = (10.0 - 0.5 * better as f64).max(0.0);
            prop_assert_eq!(scores.indicator_scores(1).unwrap()[i], place);
        }
        let totals = scores.totals();
        for i in 0..n {
            let rank = 1 + totals.iter().filter(|&&t| t > totals[i]).count();
            prop_assert_eq!(scores.ranks()[i] as usize, rank);
            prop_assert_eq!(scores.percentiles()[i], 100.0 * (n - rank + 1) as f64 / n as f64);
            let tier = if rank as f64 <= 0.2 * n as f64 + 1e-9 { 0 } else { 1 };
            prop_assert_eq!(scores.tiers()[i], tier);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Damaged rulesets (a slice cut out, text spliced in) give errors with places, never a panic.
    #[test]
    fn damaged_rulesets_fail_cleanly(cut in 0usize..20_000, len in 0usize..200, insert in "[\\[\\]{}=\"'.a-z0-9 \n#]{0,12}") {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/village.toml");
        let text = std::fs::read_to_string(root).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let damaged = format!("{}{insert}{}", &text[..at], &text[end..]);
        if let Err(e) = Ruleset::from_toml(&damaged) {
            prop_assert!(!e.errors.is_empty());
            for d in &e.errors {
                prop_assert!(d.line.is_some(), "{d} has no line");
            }
        }
    }
}
