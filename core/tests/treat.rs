//! Imputation and outlier treatment before cohort normalisation: every way of scoring the same
//! rows — the batch, one cohort per group, a cohort fitted at once or chunk by chunk, one unit
//! against a fitted cohort — treats each value alike, bit for bit, and flags what it did.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use qinglian::{
    Batch, Cohort, Record, Ruleset, TREATED_IMPUTED, TREATED_LOG, TREATED_WINSORISED_HIGH,
    TREATED_WINSORISED_LOW,
};
use std::path::Path;

#[path = "support/cohorts.rs"]
mod cohorts;

fn ruleset() -> Ruleset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/cases/rulesets/normalise-treat.toml");
    Ruleset::load(path).unwrap()
}

fn records(values: &[(Option<f64>, Option<f64>, Option<f64>)]) -> Vec<Record> {
    let ids: Vec<String> = (0..values.len()).map(|i| format!("U{i}")).collect();
    cohorts::records(&ids, ["x", "y", "z"], values)
}

/// A value, sometimes missing, sometimes far out.
fn value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        6 => (-50i32..50).prop_map(|v| Some(f64::from(v) / 4.0)),
        1 => (-5000i32..5000).prop_map(|v| Some(f64::from(v) * 10.0)),
        1 => Just(None),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A cohort fitted on the rows (at once or chunk by chunk, through JSON) and applied to
    /// them, each group scored alone, and each unit scored against the fitted cohort all give
    /// the batch's treated scores and flags.
    #[test]
    fn a_fitted_cohort_reproduces_the_batch_treatment(
        values in proptest::collection::vec((value(), value(), value()), 1..60),
        chunk in 1usize..9,
    ) {
        let records = records(&values);
        let keys: Vec<&str> = (0..records.len()).map(|i| ["甲", "乙", "丙"][(i * 5 + i / 3) % 3]).collect();
        cohorts::every_way_agrees(&ruleset(), &records, chunk, 7, &keys);
    }
}

#[test]
fn flags_say_which_rows_were_imputed_winsorised_or_logged() {
    let ruleset = ruleset();
    let x: Vec<f64> = (1..=10).map(f64::from).chain([30.0, 100.0]).collect();
    let y = [
        3.0,
        5.0,
        f64::NAN,
        8.0,
        2.0,
        9.0,
        4.0,
        f64::NAN,
        6.0,
        7.0,
        5.0,
        5.0,
    ];
    let z = [
        2.0,
        3.0,
        4.0,
        5.0,
        6.0,
        7.0,
        8.0,
        9.0,
        10.0,
        f64::NAN,
        -80.0,
        11.0,
    ];
    let opt = |v: f64| (!v.is_nan()).then_some(v);
    let values: Vec<_> = (0..12).map(|i| (opt(x[i]), opt(y[i]), opt(z[i]))).collect();
    let scores = ruleset.score(&Batch::from_records(&ruleset, &records(&values)));
    let flags = |i: usize| scores.treatment_flags(i).unwrap().to_vec();
    let mut winsorised = vec![0; 12];
    winsorised[11] = TREATED_WINSORISED_HIGH;
    assert_eq!(flags(0), winsorised);
    assert_eq!(flags(1), vec![TREATED_LOG; 12]);
    let mut imputed = vec![0; 12];
    imputed[2] = TREATED_IMPUTED;
    imputed[7] = TREATED_IMPUTED;
    assert_eq!(flags(2), imputed);
    let mut median = vec![0; 12];
    median[9] = TREATED_IMPUTED;
    median[10] = TREATED_WINSORISED_LOW;
    assert_eq!(flags(3), median);
    // U12's value 100 is winsorised down to 30: full points, as U11's 30.
    assert_eq!(scores.indicator_scores(0).unwrap()[11], 100.0);
    let e = ruleset
        .explain(
            &Batch::from_records(&ruleset, &records(&values)),
            &scores,
            11,
        )
        .unwrap();
    let node = e.node("winsorised").unwrap();
    assert!(
        node.detail.zh.starts_with("原值100高于上限，缩尾为30；"),
        "{}",
        node.detail.zh
    );
    assert!(
        node.detail.en.starts_with("100 winsorised down to 30; "),
        "{}",
        node.detail.en
    );
}

#[test]
fn a_cohort_fitted_before_treatment_still_loads_but_does_not_fit() {
    let ruleset = ruleset();
    let values = vec![(Some(1.0), Some(2.0), Some(3.0)); 5];
    let batch = Batch::from_records(&ruleset, &records(&values));
    let json = ruleset.fit(&batch).to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut old = value.clone();
    old.as_object_mut().unwrap().remove("treatments");
    let old = Cohort::from_json(&old.to_string()).unwrap();
    let err = ruleset.score_against(&batch, &old).unwrap_err();
    assert!(err.message.contains("fitted without"), "{}", err.message);
    let mut damaged = value;
    damaged["treatments"]["imputed"]["impute"] = serde_json::json!("many");
    assert!(Cohort::from_json(&damaged.to_string()).is_err());
}

#[test]
fn bad_treatments_are_load_errors_with_a_place() {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/conformance/cases/rulesets/normalise-treat.toml"),
    )
    .unwrap();
    for (from, to, code) in [
        (
            "impute = \"mean\"",
            "impute = \"mode\"",
            "ruleset.unknown_choice",
        ),
        (
            "treat = \"winsorise\"",
            "treat = \"trim\"",
            "ruleset.unknown_choice",
        ),
        (
            "treat = \"winsorise\"",
            "treat = 3",
            "ruleset.unknown_choice",
        ),
        ("max_points = 2", "max_points = 2.5", "ruleset.bad_number"),
        ("max_points = 2", "max_points = 0", "ruleset.bad_number"),
        ("skew = 0.5", "skew = nan", "ruleset.bad_number"),
        ("skew = 0.5", "skew = -1", "ruleset.bad_number"),
        ("kurtosis = -5", "kurtosis = inf", "ruleset.bad_number"),
        (
            "max_points = 2",
            "max_points = 2, then = \"boxcox\"",
            "ruleset.unknown_choice",
        ),
        (
            "max_points = 2",
            "max_points = 2, lambda = 2",
            "ruleset.scorer_field",
        ),
        (
            "{ method = \"winsorise\", max_points = 2 }",
            "{ max_points = 2 }",
            "ruleset.missing_field",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let err = Ruleset::from_toml(&text).unwrap_err();
        let d = err
            .errors
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{to}: {:?}", err.errors));
        assert!(d.line.is_some() && d.path.is_some(), "{to}: {d}");
    }
    // Rubric scorers do not impute.
    let rubric = base.replacen(
        "scorer = { type = \"normalise\", value = \"y\", method = \"zscore\", impute = \"mean\" }",
        "scorer = { type = \"goalposts\", value = \"y\", lo = 0, hi = 10, impute = \"mean\" }",
        1,
    );
    let err = Ruleset::from_toml(&rubric).unwrap_err();
    assert!(err.errors.iter().any(|d| d.code == "ruleset.scorer_field"));
}
