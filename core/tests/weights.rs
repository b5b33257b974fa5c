//! Runs the weight cases in `tests/weights/` (shared with the Python and JavaScript suites):
//! first the reference values (by hand or from numpy, within a stated tolerance), then the golden
//! results the other languages must reproduce bit for bit. `QINGLIAN_BLESS=1` rewrites the
//! golden results.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qinglian::weights::{self, AhpOptions, DataOptions, DirectionValue, RandomIndex};
use qinglian::{Ruleset, WeightsError};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/weights")
}

/// A JSON matrix: `null` is a missing value (NaN), `"inf"` and `"-inf"` are infinities.
fn matrix(value: &Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| match v {
                    Value::Null => f64::NAN,
                    Value::String(s) if s == "inf" => f64::INFINITY,
                    Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
                    v => v.as_f64().unwrap(),
                })
                .collect()
        })
        .collect()
}

fn error_json(e: &WeightsError) -> Value {
    json!({ "error": { "code": e.code, "message": e.message, "row": e.row, "column": e.column } })
}

fn data_options(options: &Value) -> Result<DataOptions, WeightsError> {
    let mut o = DataOptions::new()
        .normalise(options["normalise"].as_bool().unwrap_or(false))
        .drop_missing(options["drop_missing"].as_bool().unwrap_or(false));
    if let Some(list) = options["directions"].as_array() {
        let directions = list
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let value = match d {
                    Value::String(w) => DirectionValue::Word(w),
                    v => DirectionValue::Number(v.as_f64().unwrap()),
                };
                weights::parse_direction(j, value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        o = o.directions(directions);
    }
    Ok(o)
}

fn ahp_options(options: &Value) -> Result<AhpOptions, WeightsError> {
    let mut o = AhpOptions::new();
    if let Some(name) = options["random_index"].as_str() {
        o = o.random_index(RandomIndex::parse(name)?);
    }
    if let Some(t) = options["tolerance"].as_f64() {
        o = o.tolerance(t);
    }
    if let Some(s) = options["strict"].as_bool() {
        o = o.strict(s);
    }
    if let Some(t) = options["threshold"].as_f64() {
        o = o.threshold(t);
    }
    Ok(o)
}

/// The result of one case as JSON: `{"ok": …}` or `{"error": {code, message, row, column}}`.
fn run(method: &str, case: &Value, dir: &Path) -> Value {
    let options = case.get("options").cloned().unwrap_or(json!({}));
    let result: Result<Value, WeightsError> = match method {
        "ahp" => ahp_options(&options)
            .and_then(|o| weights::ahp(&matrix(&case["matrix"]), &o))
            .map(|r| serde_json::to_value(r).unwrap()),
        "equal" => {
            weights::equal(case["n"].as_u64().unwrap() as usize).map(|w| json!({ "weights": w }))
        }
        "effective" => {
            let path = dir.join(case["ruleset"].as_str().unwrap());
            let ruleset = Ruleset::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap();
            Ok(serde_json::to_value(ruleset.effective_weights()).unwrap())
        }
        _ => {
            let f = match method {
                "entropy" => weights::entropy,
                "critic" => weights::critic,
                "sd" => weights::sd,
                "pca" => weights::pca,
                other => panic!("unknown method {other}"),
            };
            data_options(&options)
                .and_then(|o| f(&matrix(&case["matrix"]), &o))
                .map(|r| serde_json::to_value(r).unwrap())
        }
    };
    match result {
        Ok(v) => json!({ "ok": v }),
        Err(e) => error_json(&e),
    }
}

/// Checks the reference values of a case; returns the mismatches.
fn check_reference(result: &Value, reference: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(code) = reference.get("error") {
        match result.get("error") {
            None => problems.push(format!("expected error {code}, got {result}")),
            Some(e) => {
                for key in ["code", "row", "column"] {
                    let want = if key == "code" {
                        Some(code)
                    } else {
                        reference.get(key)
                    };
                    if let Some(want) = want {
                        if &e[key] != want {
                            problems.push(format!("{key}: {} != {want}", e[key]));
                        }
                    }
                }
            }
        }
        return problems;
    }
    let Some(ok) = result.get("ok") else {
        return vec![format!("unexpected error {result}")];
    };
    let tol = reference["tolerance"].as_f64().unwrap_or(0.0);
    let close = |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() <= tol;
    if let Some(want) = reference["weights"].as_array() {
        let got = ok["weights"].as_array().unwrap();
        if got.len() != want.len() || !got.iter().zip(want).all(|(a, b)| close(a, b)) {
            problems.push(format!("weights {got:?} != {want:?} (±{tol})"));
        }
    }
    for key in ["lambda_max", "ci", "cr"] {
        if let Some(want) = reference.get(key) {
            if !close(&ok[key], want) {
                problems.push(format!("{key} {} != {want} (±{tol})", ok[key]));
            }
        }
    }
    for key in ["rows_used", "dropped_rows"] {
        if let Some(want) = reference.get(key) {
            if &ok[key] != want {
                problems.push(format!("{key} {} != {want}", ok[key]));
            }
        }
    }
    if let Some(want) = reference["warning"].as_bool() {
        if ok["warning"].is_string() != want {
            problems.push(format!("warning {} (expected one: {want})", ok["warning"]));
        }
    }
    if let Some(at) = reference["weights_at"].as_object() {
        for (j, want) in at {
            let got = &ok["weights"][j.parse::<usize>().unwrap()];
            if got.as_f64() != want.as_f64() {
                problems.push(format!("weight {j}: {got} != {want}"));
            }
        }
    }
    if let Some(want) = reference.get("sum") {
        let sum: f64 = ok
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["weight"].as_f64().unwrap())
            .sum();
        if !close(&json!(sum), want) {
            problems.push(format!("effective weights sum to {sum}"));
        }
    }
    if let Some(w) = ok.get("weights").and_then(Value::as_array) {
        let values: Vec<f64> = w.iter().map(|v| v.as_f64().unwrap()).collect();
        if values.iter().any(|&v| v < 0.0) || (values.iter().sum::<f64>() - 1.0).abs() > 1e-12 {
            problems.push(format!("weights {values:?} are not a distribution"));
        }
    }
    problems
}

#[test]
fn weight_cases() {
    let bless = std::env::var_os("QINGLIAN_BLESS").is_some();
    let dir = root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut count, mut failures) = (0, Vec::new());
    for path in &files {
        let method = path.file_stem().unwrap().to_str().unwrap().to_string();
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for case in doc["cases"].as_array_mut().unwrap() {
            count += 1;
            let result = run(&method, case, &dir);
            let name = format!("{method}: {}", case["name"]);
            for p in check_reference(&result, case.get("reference").unwrap_or(&json!({}))) {
                failures.push(format!("{name}: {p}"));
            }
            if bless {
                case["golden"] = result;
            } else if case.get("golden") != Some(&result) {
                failures.push(format!(
                    "{name}: golden result differs (QINGLIAN_BLESS=1 rewrites it)\n  got {result}"
                ));
            }
        }
        if bless {
            let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
            std::fs::write(path, text).unwrap();
        }
    }
    println!("weights: {count} cases in {} files", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 0);
}

/// The random-index tables are the mean consistency index of random reciprocal matrices on
/// Saaty's 1/9…9 scale: a Monte Carlo of our own must agree with each table within its
/// sampling error (Alonso & Lamata used 100,000 matrices per order, 许树柏 1,000 and two
/// decimals), which catches a mistyped entry.
#[test]
fn random_index_tables_agree_with_a_monte_carlo_of_random_judgements() {
    const SCALE: [f64; 17] = [
        1.0 / 9.0,
        1.0 / 8.0,
        1.0 / 7.0,
        1.0 / 6.0,
        1.0 / 5.0,
        1.0 / 4.0,
        1.0 / 3.0,
        1.0 / 2.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        6.0,
        7.0,
        8.0,
        9.0,
    ];
    const MATRICES: usize = 10_000;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut draw = || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        SCALE[((z ^ (z >> 31)) % 17) as usize]
    };
    let options = AhpOptions::new().random_index(RandomIndex::AlonsoLamata2006);
    for n in 3..=15 {
        let cis: Vec<f64> = (0..MATRICES)
            .map(|_| {
                let mut m = vec![vec![1.0; n]; n];
                for (i, j) in (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))) {
                    let a = draw();
                    m[i][j] = a;
                    m[j][i] = 1.0 / a;
                }
                weights::ahp(&m, &options).unwrap().ci
            })
            .collect();
        let mean = cis.iter().sum::<f64>() / MATRICES as f64;
        let sd =
            (cis.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (MATRICES - 1) as f64).sqrt();
        let ours = sd / (MATRICES as f64).sqrt();
        for (table, matrices, rounding) in [
            (RandomIndex::AlonsoLamata2006, 100_000.0, 0.000_05),
            (RandomIndex::Xu1988, 1_000.0, 0.005),
        ] {
            let theirs = sd / f64::sqrt(matrices);
            let tolerance = 3.5 * (ours * ours + theirs * theirs).sqrt() + rounding;
            let ri = weights::random_index(table, n).unwrap();
            assert!(
                (ri - mean).abs() <= tolerance,
                "{} n = {n}: table {ri}, Monte Carlo {mean:.4} ± {tolerance:.4}",
                table.name()
            );
        }
    }
}
