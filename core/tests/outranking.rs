//! Copeland scores of a ruleset's units at a node, worked by hand on the conformance ruleset
//! `normalise-target.toml` (its case gives every unit's points per indicator).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::{Batch, Record, Ruleset};
use std::path::Path;

#[test]
fn copeland_scores_count_the_contests_won_on_the_children() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ruleset =
        Ruleset::load(root.join("tests/conformance/cases/rulesets/normalise-target.toml")).unwrap();
    let records: Vec<Record> = [
        ("U1", [2.0, 2.0, 2.0, 9.0, 3.0]),
        ("U2", [4.0, 4.0, 5.0, 5.0, 4.0]),
        ("U3", [5.0, 8.0, 8.0, 1.0, 5.0]),
        ("U4", [10.0, 5.0, 10.0, 3.0, 6.0]),
    ]
    .iter()
    .map(|(id, values)| {
        ["a", "b", "c", "d", "e"]
            .iter()
            .zip(values)
            .fold(Record::new().with("id", *id), |r, (k, v)| r.with(k, *v))
    })
    .collect();
    let batch = Batch::from_records(&ruleset, &records);
    // Points (fraction, fraction_lower, target, target_lower; `unreachable` is missing for
    // all, its fifth of the weight counted for no one): U1 20 100 0 0, U2 40 50 50 50,
    // U3 50 25 100 100, U4 100 40 100 75. U1 wins only fraction_lower against anyone (0.2):
    // three losses. U2 beats U1, and wins only fraction_lower against U3 and U4. U3 against
    // U4: a tie on target (0.1) and a win on target_lower (0.2), 0.3: a loss.
    let c = ruleset.copeland(&batch, None).unwrap();
    assert_eq!(c.scores, vec![-3.0, -1.0, 1.0, 3.0]);
    assert_eq!(c.ranks, vec![4, 3, 2, 1]);
    // Nobody wins a whole contest: the missing indicator's weight goes to no one.
    assert_eq!(c.dominant_pairs, 0);

    let e = ruleset.copeland(&batch, Some("fraction")).unwrap_err();
    assert!(e.message.contains("leaf"), "{e}");
    let e = ruleset.copeland(&batch, Some("nowhere")).unwrap_err();
    assert!(e.message.contains("no indicator"), "{e}");
}

/// The fixture shared with Python and JavaScript: `expected` is what Rust computes
/// (`QINGLIAN_BLESS=1` rewrites it); the others must give the same numbers.
#[test]
fn the_shared_fixture_holds_rusts_copeland_scores() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/outranking");
    let path = dir.join("asem-copeland.json");
    let mut case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ruleset = Ruleset::load(dir.join(case["ruleset"].as_str().unwrap())).unwrap();
    let records: Vec<Result<Record, qinglian::RecordError>> = case["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Ok(serde_json::from_value(r.clone()).unwrap()))
        .collect();
    let batch = Batch::from_rows(&ruleset, &records);
    let mut got = serde_json::Map::new();
    for node in case["nodes"].as_array().unwrap() {
        let node = node.as_str().unwrap();
        let c = ruleset
            .copeland(&batch, Some(node).filter(|n| !n.is_empty()))
            .unwrap();
        assert!(c.ranks.iter().all(|&r| r > 0), "every country is ranked");
        assert!(c.scores.iter().all(|s| s.fract() == 0.0 && s.abs() <= 50.0));
        got.insert(
            node.to_string(),
            serde_json::json!({
                "copeland": c.scores,
                "rank": c.ranks,
                "dominant_pairs": c.dominant_pairs,
                "dominant_share": c.dominant_share,
            }),
        );
    }
    let got = serde_json::Value::Object(got);
    if std::env::var_os("QINGLIAN_BLESS").is_some() {
        case["expected"] = got;
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(
        case["expected"], got,
        "rerun with QINGLIAN_BLESS=1 if the change is intended"
    );
}
