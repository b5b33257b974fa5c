//! Monte Carlo over noisy weights on the ASEM index: no noise leaves every rank where it is,
//! the same seed gives the same answer, noise moves ranks within their percentile band.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::{read_records, Batch, Ruleset, WeightNoise};
use std::path::Path;

fn asem() -> (
    Ruleset,
    Vec<Result<qinglian::Record, qinglian::RecordError>>,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ruleset = Ruleset::load(root.join("rules/asem/minmax-arithmetic.toml")).unwrap();
    let rows = read_records(root.join("examples/data/asem/asem_iData.csv")).unwrap();
    (ruleset, rows)
}

#[test]
fn without_noise_every_rank_stays_nominal() {
    let (ruleset, rows) = asem();
    let batch = Batch::from_rows(&ruleset, &rows);
    let u = ruleset
        .uncertainty(&batch, &WeightNoise::new(20, 0.0, 1))
        .unwrap();
    assert_eq!(u.nominal.len(), 51);
    for row in 0..51 {
        let r = f64::from(u.nominal[row]);
        assert!(r >= 1.0);
        assert_eq!(
            (u.p05[row], u.median[row], u.p95[row]),
            (r, r, r),
            "row {row}"
        );
    }
}

#[test]
fn noise_moves_ranks_within_their_band_and_the_seed_fixes_them() {
    let (ruleset, rows) = asem();
    let batch = Batch::from_rows(&ruleset, &rows);
    let noise = WeightNoise::new(300, 0.5, 7);
    let u = ruleset.uncertainty(&batch, &noise).unwrap();
    assert_eq!(
        u,
        ruleset.uncertainty(&batch, &noise).unwrap(),
        "same seed, same answer"
    );
    let other = ruleset
        .uncertainty(&batch, &WeightNoise::new(300, 0.5, 8))
        .unwrap();
    assert_ne!(u.median, other.median, "another seed draws other weights");
    let mut moved = 0;
    for row in 0..51 {
        assert!(1.0 <= u.p05[row] && u.p05[row] <= u.median[row]);
        assert!(u.median[row] <= u.p95[row] && u.p95[row] <= 51.0);
        moved += usize::from(u.p05[row] < u.p95[row]);
    }
    assert!(
        moved > 25,
        "only {moved} of 51 ranks moved under ±50% weights"
    );
    // Only the pillars' weights: fewer ranks move than with every weight perturbed... and the
    // index's own two sub-indices, equally weighted, keep the top country near the top.
    let pillars = ruleset
        .uncertainty(&batch, &WeightNoise::new(300, 0.5, 7).at_depths(vec![2]))
        .unwrap();
    let best = u.nominal.iter().position(|&r| r == 1).unwrap();
    assert!(pillars.p95[best] <= 5.0, "{}", pillars.p95[best]);
}

#[test]
fn bad_arguments_are_refused() {
    let (ruleset, rows) = asem();
    let batch = Batch::from_rows(&ruleset, &rows);
    for noise in [
        WeightNoise::new(0, 0.2, 1),
        WeightNoise::new(10, 1.0, 1),
        WeightNoise::new(10, -0.1, 1),
        WeightNoise::new(10, 0.2, 1).at_depths(vec![9]),
    ] {
        assert!(ruleset.uncertainty(&batch, &noise).is_err(), "{noise:?}");
    }
}

/// The fixture shared with Python, JavaScript and the command line: `expected` is what Rust
/// computes (`QINGLIAN_BLESS=1` rewrites it); the others must give the same numbers.
#[test]
fn the_shared_fixture_holds_rusts_numbers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/uncertainty");
    let path = root.join("power-mean.json");
    let mut case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ruleset = Ruleset::load(root.join(case["ruleset"].as_str().unwrap())).unwrap();
    let records: Vec<Result<qinglian::Record, qinglian::RecordError>> = case["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Ok(serde_json::from_value(r.clone()).unwrap()))
        .collect();
    let batch = Batch::from_rows(&ruleset, &records);
    let noise = WeightNoise::new(
        case["samples"].as_u64().unwrap() as usize,
        case["weight_noise"].as_f64().unwrap(),
        case["seed"].as_u64().unwrap(),
    );
    let u = ruleset.uncertainty(&batch, &noise).unwrap();
    assert!(u.nominal.iter().all(|&r| r > 0), "every unit is ranked");
    assert!(
        u.p05.iter().zip(&u.p95).any(|(a, b)| a < b),
        "some rank moves"
    );
    let got = serde_json::json!({
        "rank": u.nominal,
        "rank_median": u.median,
        "rank_p05": u.p05,
        "rank_p95": u.p95,
    });
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
