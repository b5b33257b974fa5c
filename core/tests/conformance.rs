//! Runs every conformance case in `tests/conformance/cases/` (shared with the Python and
//! JavaScript suites): hand-worked expectations, then the golden results the other languages must
//! reproduce exactly. `QINGLIAN_BLESS=1` rewrites the golden files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qinglian::{Evaluation, Record, RecordError, Ruleset};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Checks the hand-worked keys of one expected entry; returns a list of mismatches.
fn check_expected(result: &Result<Evaluation, RecordError>, expected: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let e = match (result, expected.get("error")) {
        (Err(err), Some(code)) => {
            if json!(err.code) != *code {
                problems.push(format!("error code {} != expected {code}", err.code));
            }
            return problems;
        }
        (Err(err), None) => return vec![format!("unexpected error: {err}")],
        (Ok(_), Some(code)) => return vec![format!("expected error {code}, got a score")],
        (Ok(e), None) => e,
    };
    let mut num = |key: &str, actual: f64| {
        if let Some(want) = expected.get(key).and_then(Value::as_f64) {
            if !close(actual, want) {
                problems.push(format!("{key}: {actual} != expected {want}"));
            }
        }
    };
    num("score", e.score);
    num("base_score", e.base_score);
    num("bonus_score", e.bonus_score);
    if let Some(cohort) = &e.cohort {
        num("rank", cohort.rank as f64);
    }
    if let Some(id) = expected.get("id") {
        if json!(e.id) != *id {
            problems.push(format!("id {:?} != expected {id}", e.id));
        }
    }
    if let Some(grade) = expected.get("grade") {
        if json!(e.grade) != *grade {
            problems.push(format!("grade {:?} != expected {grade}", e.grade));
        }
    }
    if let Some(tier) = expected.get("tier") {
        let actual = e.cohort.as_ref().and_then(|c| c.tier.clone());
        if json!(actual) != *tier {
            problems.push(format!("tier {actual:?} != expected {tier}"));
        }
    }
    let vetoes: Vec<String> = e.vetoes.iter().map(|v| v.id.clone()).collect();
    let alerts: Vec<String> = e.alerts.iter().map(|a| a.id.clone()).collect();
    for (key, ids) in [("vetoes", vetoes), ("alerts", alerts)] {
        if let Some(want) = expected.get(key) {
            if json!(ids) != *want {
                problems.push(format!("{key} {ids:?} != expected {want}"));
            }
        }
    }
    if let Some(nodes) = expected.get("nodes").and_then(Value::as_object) {
        for (path, want) in nodes {
            match (e.node(path), want.as_f64()) {
                (Some(n), Some(w)) if close(n.score, w) => {}
                (Some(n), _) => {
                    problems.push(format!("node {path}: {} != expected {want}", n.score))
                }
                (None, _) => problems.push(format!("node {path} not found")),
            }
        }
    }
    problems
}

/// Runs one case; returns its golden JSON and pushes any mismatch to `failures`.
fn run_case(name: &str, case_path: &Path, failures: &mut Vec<String>) -> Option<Value> {
    let case: Value = serde_json::from_str(&std::fs::read_to_string(case_path).unwrap())
        .unwrap_or_else(|e| panic!("{name}: bad case JSON: {e}"));
    let ruleset_path = case_path
        .parent()
        .unwrap()
        .join(case["ruleset"].as_str().unwrap());
    let text = std::fs::read_to_string(&ruleset_path)
        .unwrap_or_else(|e| panic!("{name}: {}: {e}", ruleset_path.display()));
    let loaded = Ruleset::from_toml(&text);

    if let Some(expected_errors) = case.get("load_errors").and_then(Value::as_array) {
        let Err(error) = &loaded else {
            failures.push(format!("{name}: the ruleset loaded but should fail"));
            return None;
        };
        for want in expected_errors {
            let found = error.errors.iter().any(|d| {
                json!(d.code) == want["code"]
                    && want.get("line").is_none_or(|l| json!(d.line) == *l)
                    && want.get("column").is_none_or(|c| json!(d.column) == *c)
                    && want.get("path").is_none_or(|p| json!(d.path) == *p)
            });
            if !found {
                failures.push(format!(
                    "{name}: expected load error {want} not among:\n{error}"
                ));
            }
        }
        let list: Vec<Value> = error
            .errors
            .iter()
            .map(|d| json!({ "code": d.code, "line": d.line, "column": d.column, "path": d.path }))
            .collect();
        return Some(json!({ "load_errors": list }));
    }

    let ruleset = match loaded {
        Ok(r) => r,
        Err(e) => {
            failures.push(format!("{name}: ruleset failed to load: {e}"));
            return None;
        }
    };
    let records: Vec<Result<Record, RecordError>> = case["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Ok(serde_json::from_value(r.clone()).unwrap()))
        .collect();
    let results = ruleset.evaluate_records(&records);
    let expected = case["expected"].as_array().unwrap();
    if expected.len() != results.len() {
        failures.push(format!(
            "{name}: {} expected entries for {} records",
            expected.len(),
            results.len()
        ));
    }
    for (i, (result, want)) in results.iter().zip(expected).enumerate() {
        for p in check_expected(result, want) {
            failures.push(format!("{name} record {}: {p}", i + 1));
        }
    }
    let list: Vec<Value> = results
        .iter()
        .map(|r| match r {
            Ok(e) => json!({ "ok": e }),
            Err(e) => json!({ "error": e }),
        })
        .collect();
    Some(json!({ "results": list }))
}

#[test]
fn conformance_cases() {
    let bless = std::env::var_os("QINGLIAN_BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no conformance cases found");
    let mut failures = Vec::new();
    for case_path in &cases {
        let name = case_path.file_stem().unwrap().to_string_lossy().to_string();
        let Some(golden) = run_case(&name, case_path, &mut failures) else {
            continue;
        };
        let golden_path = root().join("golden").join(format!("{name}.json"));
        if bless {
            std::fs::write(
                &golden_path,
                serde_json::to_string_pretty(&golden).unwrap() + "\n",
            )
            .unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden_path) {
            Ok(stored) => {
                let stored: Value = serde_json::from_str(&stored).unwrap();
                if stored != golden {
                    failures.push(format!(
                        "{name}: results differ from {} (rerun with QINGLIAN_BLESS=1 if the change is intended)",
                        golden_path.display()
                    ));
                }
            }
            Err(_) => failures.push(format!(
                "{name}: no golden file {} (run with QINGLIAN_BLESS=1)",
                golden_path.display()
            )),
        }
    }
    println!(
        "conformance: {} cases run, {} failures",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "conformance failures:\n{}",
        failures.join("\n")
    );
}
