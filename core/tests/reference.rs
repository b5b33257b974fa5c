//! Normalisation by the distance to a reference unit (`distance_to_reference`): the reference
//! is the unit with that id in each cohort — the batch, each group, or a fitted cohort — and
//! every way of scoring the same rows measures against the same value, bit for bit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use qinglian::{Batch, Cohort, Groups, Record, Ruleset, Status};
use std::path::Path;

#[path = "support/cohorts.rs"]
mod cohorts;

fn ruleset() -> Ruleset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/cases/rulesets/normalise-reference.toml");
    Ruleset::load(path).unwrap()
}

fn records(ids: &[String], values: &[(Option<f64>, Option<f64>, Option<f64>)]) -> Vec<Record> {
    cohorts::records(ids, ["a", "b", "c"], values)
}

fn value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        6 => (-40i32..40).prop_map(|v| Some(f64::from(v) / 4.0)),
        1 => Just(None),
    ]
}

/// An id among a few, so that reference units are sometimes absent and sometimes repeated.
fn id() -> impl Strategy<Value = String> {
    (0u8..8).prop_map(|k| format!("U{k}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A fitted cohort (at once, chunk by chunk, through JSON) reproduces the batch; each
    /// group scored alone equals its share of a grouped batch; a unit alone against the fitted
    /// cohort gets its batch scores and sentences.
    #[test]
    fn every_way_of_scoring_measures_against_the_same_reference(
        rows in proptest::collection::vec((id(), (value(), value(), value())), 1..40),
        chunk in 1usize..7,
    ) {
        let (ids, values): (Vec<String>, Vec<_>) = rows.into_iter().unzip();
        let records = records(&ids, &values);
        let keys: Vec<&str> = (0..records.len()).map(|i| ["甲", "乙"][(i * 7 + i / 3) % 2]).collect();
        cohorts::every_way_agrees(&ruleset(), &records, chunk, 5, &keys);
    }
}

/// Two years of the same five units: each year measures against its own U3.
#[test]
fn each_group_has_its_own_reference_unit() {
    let ruleset = ruleset();
    let ids: Vec<String> = (0..10).map(|i| format!("U{}", i % 5 + 1)).collect();
    // 2023: a = 2, 4, 6, 8, 10 (U3 = 6); 2024: a = 1, 2, 3, 4, 5 (U3 = 3).
    let a = [2.0, 4.0, 6.0, 8.0, 10.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let values: Vec<_> = a.iter().map(|&a| (Some(a), None, None)).collect();
    let batch = Batch::from_records(&ruleset, &records(&ids, &values));
    let years: Vec<&str> = (0..10)
        .map(|i| if i < 5 { "2023" } else { "2024" })
        .collect();
    let scores = ruleset
        .score_by(&batch, &Groups::from_keys(&years))
        .unwrap();
    let capped = scores.indicator_scores(0).unwrap();
    // 1 − (r − x)/(r − min), capped at 1, × 100.
    assert_eq!(
        capped,
        [0.0, 50.0, 100.0, 100.0, 100.0, 0.0, 50.0, 100.0, 100.0, 100.0]
    );
    let e = ruleset.explain(&batch, &scores, 6).unwrap();
    assert_eq!(
        e.node("capped").unwrap().detail.zh,
        "数值2，本组最差值1、参照单位“U3”的数值3，得50分"
    );
    // The batch as one cohort: the first U3 (a = 6) is the reference, the minimum 1.
    let one = ruleset.score(&batch);
    assert_eq!(
        one.indicator_scores(0).unwrap()[6],
        100.0 * (1.0 - (6.0 - 2.0) / (6.0 - 1.0))
    );
}

/// No unit with the reference id (or its value missing): the indicator is missing, and with
/// `constant = "error"` each row gets `record.constant_cohort`.
#[test]
fn an_absent_reference_leaves_nothing_to_measure_against() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/conformance/cases/rulesets/normalise-reference.toml"),
    )
    .unwrap();
    let strict = Ruleset::from_toml(&text.replace(
        "reference = \"U3\" }",
        "reference = \"U3\", constant = \"error\" }",
    ))
    .unwrap();
    // No U3 among the ids; then a U3 whose value is missing.
    let ids: Vec<String> = ["U1", "U2", "U4"].map(String::from).to_vec();
    let values = [
        (Some(1.0), Some(1.0), Some(1.0)),
        (Some(2.0), Some(2.0), Some(2.0)),
        (Some(3.0), Some(3.0), Some(3.0)),
    ];
    let batch = Batch::from_records(&strict, &records(&ids, &values));
    let scores = strict.score(&batch);
    for row in 0..3 {
        assert_eq!(
            scores.error(row).map(|e| e.code),
            Some("record.constant_cohort"),
            "row {row}"
        );
    }
    let lenient = ruleset();
    let ids: Vec<String> = ["U1", "U2", "U3"].map(String::from).to_vec();
    let values = [
        (Some(1.0), Some(1.0), Some(1.0)),
        (Some(2.0), Some(2.0), Some(2.0)),
        (None, Some(3.0), Some(3.0)),
    ];
    let batch = Batch::from_records(&lenient, &records(&ids, &values));
    let scores = lenient.score(&batch);
    assert_eq!(scores.indicator_statuses(0).unwrap(), [Status::Missing; 3]);
    let e = lenient.explain(&batch, &scores, 0).unwrap();
    assert_eq!(
        e.node("capped").unwrap().detail.en,
        "the reference unit “U3” is not in the cohort or its value is missing, leaving nothing to measure against: treated as missing"
    );
}

/// A cohort fitted before the reference was kept has no `reference` in its statistics: a unit
/// scored against it has nothing to measure against, and cohorts of other rulesets are written
/// as before.
#[test]
fn cohorts_keep_the_reference_value_and_only_where_used() {
    let ruleset = ruleset();
    let ids: Vec<String> = (1..=5).map(|i| format!("U{i}")).collect();
    let values: Vec<_> = (1..=5)
        .map(|i| (Some(f64::from(i)), Some(f64::from(i)), Some(f64::from(i))))
        .collect();
    let records = records(&ids, &values);
    let cohort = ruleset.fit(&Batch::from_records(&ruleset, &records));
    let json: serde_json::Value = serde_json::from_str(&cohort.to_json()).unwrap();
    assert_eq!(json["stats"]["capped"]["reference"], 3.0);
    assert_eq!(json["stats"]["lower"]["reference"], 2.0);
    assert!(json["stats"]["absent"].get("reference").is_none());
    let mut old = json.clone();
    for path in ["capped", "lower", "imputed"] {
        old["stats"][path]
            .as_object_mut()
            .unwrap()
            .remove("reference");
    }
    let old = Cohort::from_json(&old.to_string()).unwrap();
    let alone = ruleset
        .score_against(&Batch::from_records(&ruleset, &records[..1]), &old)
        .unwrap();
    assert_eq!(alone.indicator_statuses(0).unwrap()[0], Status::Missing);
    let fresh = ruleset
        .score_against(&Batch::from_records(&ruleset, &records[..1]), &cohort)
        .unwrap();
    assert_eq!(fresh.indicator_statuses(0).unwrap()[0], Status::Scored);
}

/// The reference unit and its points are rule parameters like any other: a what-if (and so a
/// sensitivity analysis) can change them by path.
#[test]
fn the_reference_unit_is_a_parameter_of_the_rule() {
    let ruleset = ruleset();
    let ids: Vec<String> = (1..=5).map(|i| format!("U{i}")).collect();
    let values: Vec<_> = [2.0, 4.0, 6.0, 8.0, 10.0]
        .map(|a| (Some(a), None, None))
        .to_vec();
    let records = records(&ids, &values);
    let to_u5 = ruleset
        .with_changes([
            ("capped.scorer.reference", serde_json::json!("U5")),
            ("capped.scorer.hi", serde_json::json!(80)),
        ])
        .unwrap();
    let scores = to_u5.score(&Batch::from_records(&to_u5, &records));
    // 80 × (1 − (10 − x)/(10 − 2)).
    assert_eq!(
        scores.indicator_scores(0).unwrap(),
        [0.0, 20.0, 40.0, 60.0, 80.0]
    );
    let bad = ruleset
        .with_changes([("capped.scorer.hi", serde_json::json!(120))])
        .err()
        .unwrap();
    assert_eq!(bad.errors[0].code, "ruleset.bad_range");
}
