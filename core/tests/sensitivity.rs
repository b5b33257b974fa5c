//! Sensitivity to the rules themselves, on the village ruleset and its 320 villages: a grade
//! band's minimum moves exactly the villages whose scores lie in its range, as often as the
//! range says; a parameter that cannot move ranks has no sensitivity index; the same seed gives
//! the same answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::{read_records, Batch, ParameterAnalysis, ParameterRange, Ruleset};
use std::path::Path;

fn villages() -> (
    Ruleset,
    Vec<Result<qinglian::Record, qinglian::RecordError>>,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ruleset = Ruleset::load(root.join("rules/village.toml")).unwrap();
    let rows = read_records(root.join("examples/data/villages.csv")).unwrap();
    (ruleset, rows)
}

#[test]
fn a_grade_minimum_moves_the_villages_within_its_range() {
    let (ruleset, rows) = villages();
    let batch = Batch::from_rows(&ruleset, &rows);
    let (lo, hi) = (85.0, 95.0);
    let s = ruleset
        .parameter_sensitivity(
            &batch,
            &[ParameterRange::new("grade.清廉村社.min", lo, hi)],
            &ParameterAnalysis::new(400, 3),
        )
        .unwrap();
    assert_eq!(s.runs, 400);
    let clean = ruleset
        .grades()
        .iter()
        .position(|g| g.name == "清廉村社")
        .unwrap() as u32;
    // Which villages the band's minimum can move at all: their grade differs between its ends
    // (a village with negative events never reaches the band, whatever its score).
    let at = |min: f64| {
        let r = ruleset
            .with_changes([("grade.清廉村社.min", serde_json::json!(min))])
            .unwrap();
        r.score(&batch).grades().to_vec()
    };
    let (at_lo, at_hi) = (at(lo), at(hi));
    let mut moved = 0;
    for row in 0..batch.len() {
        if s.nominal_rank[row] == 0 {
            continue;
        }
        // Ranks depend on scores only: a grade's minimum leaves them where they are.
        assert_eq!(s.rank_p05[row], f64::from(s.nominal_rank[row]));
        assert_eq!(s.rank_p95[row], f64::from(s.nominal_rank[row]));
        let score = s.nominal_score[row];
        // The band is reached when its minimum, drawn uniformly from [lo, hi], is at most the
        // score: the grade changes with that probability, or its complement.
        let expected = if at_lo[row] == at_hi[row] {
            0.0
        } else if s.nominal_grade[row] == clean {
            (hi - score) / (hi - lo)
        } else {
            (score - lo) / (hi - lo)
        };
        assert!(
            (s.grade_change[row] - expected).abs() < 0.08,
            "row {row}: score {score}, changed in {} of runs, expected {expected}",
            s.grade_change[row]
        );
        let shares: f64 = s.grade_shares[row].iter().sum();
        assert!((shares - 1.0).abs() < 1e-9);
        if s.grade_change[row] > 0.0 {
            moved += 1;
        }
    }
    assert!(moved > 0);
    assert_eq!(s.units_changing_grade(), moved);
}

#[test]
fn indices_single_out_the_parameter_that_moves_ranks() {
    let (ruleset, rows) = villages();
    let batch = Batch::from_rows(&ruleset, &rows);
    let parameters = [
        ParameterRange::new("assets.contracts.scorer.per", 0.5, 4.0),
        ParameterRange::new("grade.达标.min", 70.0, 80.0),
        ParameterRange::new("supervision.petitions.scorer.per", 1.0, 6.0).whole(),
    ];
    let analysis = ParameterAnalysis::new(64, 11).with_indices(50);
    let s = ruleset
        .parameter_sensitivity(&batch, &parameters, &analysis)
        .unwrap();
    assert_eq!(s.runs, 64 * 5);
    assert!(s.output_variance > 0.0);
    let by_path = |p: &str| s.indices.iter().find(|i| i.path == p).unwrap();
    // A grade's minimum never moves a rank: nothing to attribute to it.
    let grade = by_path("grade.达标.min");
    assert_eq!(grade.total, 0.0);
    assert!(grade.first.abs() < 0.3, "{grade:?}");
    for p in [
        "assets.contracts.scorer.per",
        "supervision.petitions.scorer.per",
    ] {
        let i = by_path(p);
        assert!(i.total > 0.05, "{i:?}");
        assert!(
            i.total_interval[0] <= i.total && i.total <= i.total_interval[1],
            "{i:?}"
        );
    }
    // The same seed, the same answer.
    let again = ruleset
        .parameter_sensitivity(&batch, &parameters, &analysis)
        .unwrap();
    assert_eq!(s, again);
    // Python and JavaScript must give these numbers to the bit (their suites read this file).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/sensitivity");
    std::fs::create_dir_all(&dir).unwrap();
    let json = serde_json::json!({
        "ruleset": "rules/village.toml",
        "data": "examples/data/villages.csv",
        "parameters": [
            ["assets.contracts.scorer.per", 0.5, 4.0, false],
            ["grade.达标.min", 70.0, 80.0, false],
            ["supervision.petitions.scorer.per", 1.0, 6.0, true],
        ],
        "samples": 64,
        "seed": 11,
        "bootstrap": 50,
        "result": s,
    });
    std::fs::write(
        dir.join("villages.json"),
        serde_json::to_string(&json).unwrap(),
    )
    .unwrap();
}

#[test]
fn bad_parameters_are_errors_that_name_them() {
    let (ruleset, rows) = villages();
    let batch = Batch::from_rows(&ruleset, &rows);
    let run = |p: ParameterRange| {
        ruleset
            .parameter_sensitivity(&batch, &[p], &ParameterAnalysis::new(10, 1))
            .unwrap_err()
            .message
    };
    assert!(run(ParameterRange::new("no_such.scorer.per", 1.0, 2.0)).contains("no_such"));
    assert!(run(ParameterRange::new("grade.达标.min", 5.0, 1.0)).contains("low ≤ high"));
    assert!(run(ParameterRange::new("input.risk_severity.max", 1.0, 9.0)).contains("cannot vary"));
    assert!(run(ParameterRange::new("x", 1.2, 1.8).whole()).contains("no whole number"));
    let none = ruleset.parameter_sensitivity(&batch, &[], &ParameterAnalysis::new(10, 1));
    assert!(none.unwrap_err().message.contains("at least one"));
}

#[test]
fn a_choice_of_aggregation_draws_among_its_alternatives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ruleset = Ruleset::load(root.join("rules/asem/minmax-geometric.toml")).unwrap();
    let rows = read_records(root.join("examples/data/asem/asem_iData.csv")).unwrap();
    let batch = Batch::from_rows(&ruleset, &rows);
    let choice = |values: &[&str]| {
        let values = values.iter().map(|v| serde_json::json!(v)).collect();
        ruleset
            .parameter_sensitivity(
                &batch,
                &[ParameterRange::choice("ruleset.aggregate", values)],
                &ParameterAnalysis::new(20, 9),
            )
            .unwrap()
    };
    // The only alternative is the ruleset's own: nothing moves.
    let same = choice(&["geomean"]);
    for row in 0..batch.len() {
        assert_eq!(same.rank_p05[row], f64::from(same.nominal_rank[row]));
        assert_eq!(same.rank_p95[row], f64::from(same.nominal_rank[row]));
    }
    // The only alternative is another aggregation: every run ranks as that ruleset does.
    let mean = ruleset
        .with_changes([("ruleset.aggregate", serde_json::json!("mean"))])
        .unwrap();
    let expected = mean.score(&batch);
    let other = choice(&["mean"]);
    for row in 0..batch.len() {
        assert_eq!(other.rank_median[row], f64::from(expected.ranks()[row]));
    }
    assert_ne!(expected.ranks(), &same.nominal_rank[..]);
    // Both, each drawn about half the time: each unit's band runs from one ranking to the other.
    let both = choice(&["mean", "geomean"]);
    for row in 0..batch.len() {
        let (a, b) = (
            f64::from(expected.ranks()[row]),
            f64::from(both.nominal_rank[row]),
        );
        assert_eq!(
            (both.rank_p05[row], both.rank_p95[row]),
            (a.min(b), a.max(b)),
            "row {row}"
        );
    }
    let bad = ruleset.parameter_sensitivity(
        &batch,
        &[ParameterRange::choice(
            "ruleset.aggregate",
            vec![serde_json::json!("bogus")],
        )],
        &ParameterAnalysis::new(5, 1),
    );
    let message = bad.unwrap_err().message;
    assert!(
        message.contains("ruleset.aggregate") && message.contains("bogus"),
        "{message}"
    );
}
