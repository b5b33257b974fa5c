//! `qinglian uncertainty`: the numbers of the shared fixture (computed by Rust's core, checked by
//! Python and JavaScript too), the table and CSV forms, and arguments that describe no analysis.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn qinglian(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qinglian"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

const RULES: &str = "tests/conformance/cases/rulesets/power-mean.toml";

/// The fixture, and its records written to a JSON data file.
fn fixture(test: &str) -> (Value, PathBuf) {
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/uncertainty/power-mean.json")).unwrap(),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "qinglian-uncertainty-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("units.json");
    std::fs::write(&data, serde_json::to_string(&case["records"]).unwrap()).unwrap();
    (case, data)
}

fn settings(case: &Value) -> [String; 6] {
    [
        "--samples".into(),
        case["samples"].to_string(),
        "--noise".into(),
        case["weight_noise"].to_string(),
        "--seed".into(),
        case["seed"].to_string(),
    ]
}

#[test]
fn json_gives_the_numbers_of_the_core() {
    let (case, data) = fixture("json");
    let mut args = vec![
        "uncertainty",
        RULES,
        data.to_str().unwrap(),
        "--format",
        "json",
    ];
    let s = settings(&case);
    args.extend(s.iter().map(String::as_str));
    let out = qinglian(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["samples"], case["samples"]);
    let units = got["units"].as_array().unwrap();
    let want = &case["expected"];
    assert_eq!(units.len(), want["rank"].as_array().unwrap().len());
    for (i, unit) in units.iter().enumerate() {
        assert_eq!(unit["id"], case["records"][i]["id"]);
        for key in ["rank", "rank_median", "rank_p05", "rank_p95"] {
            assert_eq!(unit[key], want[key][i], "{key} of row {i}");
        }
    }
}

#[test]
fn the_table_is_in_rank_order_and_csv_in_file_order() {
    let (case, data) = fixture("table");
    let s = settings(&case);
    let mut args = vec!["uncertainty", RULES, data.to_str().unwrap()];
    args.extend(s.iter().map(String::as_str));
    let out = qinglian(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("权重扰动下的排名（抽样200次，权重±30%，随机种子11）"),
        "{text}"
    );
    assert!(
        text.contains("排名中位数") && text.contains("95%分位"),
        "{text}"
    );
    // The unit ranked first comes first.
    let ranks = case["expected"]["rank"].as_array().unwrap();
    let best = ranks.iter().position(|r| r == 1).unwrap();
    let first_id = case["records"][best]["id"].as_str().unwrap();
    let body: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
    assert!(body[1].contains(first_id), "{}", body[1]);
    assert_eq!(body.len(), 1 + ranks.len());

    let mut args = vec![
        "uncertainty",
        RULES,
        data.to_str().unwrap(),
        "--format",
        "csv",
    ];
    args.extend(s.iter().map(String::as_str));
    let out = qinglian(&args);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,name,rank,rank_median,rank_p05,rank_p95");
    assert_eq!(lines.len(), 1 + ranks.len());
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[0], case["records"][0]["id"].as_str().unwrap());
    assert_eq!(first[2], ranks[0].to_string());

    let mut args = vec!["uncertainty", RULES, data.to_str().unwrap(), "--lang", "en"];
    args.extend(s.iter().map(String::as_str));
    let text = String::from_utf8(qinglian(&args).stdout).unwrap();
    assert!(
        text.contains("Power-mean composite index: ranks under noisy weights (200 samples, weights ±30%, seed 11)"),
        "{text}"
    );
}

#[test]
fn rows_that_cannot_be_scored_are_unranked_and_reported() {
    let (case, data) = fixture("errors");
    let mut records = case["records"].as_array().unwrap().clone();
    records[3]["a"] = Value::from("abc");
    std::fs::write(&data, serde_json::to_string(&records).unwrap()).unwrap();
    let out = qinglian(&[
        "uncertainty",
        RULES,
        data.to_str().unwrap(),
        "--samples",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["units"][3]["rank"], Value::Null);
    assert_eq!(got["units"][3]["rank_median"], Value::Null);
    assert!(got["units"][4]["rank"].is_u64());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("record.not_a_number"), "{err}");
}

#[test]
fn arguments_that_describe_no_analysis_are_refused() {
    let (_, data) = fixture("bad");
    let data = data.to_str().unwrap();
    for args in [
        vec!["--noise", "1.5"],
        vec!["--samples", "0"],
        vec!["--depths", "7"],
    ] {
        let mut all = vec!["uncertainty", RULES, data];
        all.extend(args.iter().copied());
        let out = qinglian(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot run the analysis"), "{err}");
    }
    let out = qinglian(&["uncertainty", RULES, "-"]);
    assert_eq!(out.status.code(), Some(2));
}
