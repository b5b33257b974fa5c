//! `qinglian sensitivity`: the core's numbers for the same parameters and seed, the table's
//! words, and arguments that describe no analysis (status 2, a message naming the argument).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use qinglian::{read_records, Batch, ParameterAnalysis, ParameterRange, Ruleset};
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

const RULES: &str = "rules/village.toml";
const DATA: &str = "examples/data/villages.csv";

#[test]
fn the_json_holds_the_cores_numbers() {
    let out = qinglian(&[
        "sensitivity",
        RULES,
        DATA,
        "--vary",
        "grade.清廉村社.min=85..95",
        "--vary",
        "supervision.petitions.scorer.per=1..=6",
        "--samples",
        "40",
        "--seed",
        "5",
        "--indices",
        "--bootstrap",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();

    let ruleset = Ruleset::load(root().join(RULES)).unwrap();
    let rows = read_records(root().join(DATA)).unwrap();
    let batch = Batch::from_rows(&ruleset, &rows);
    let core = ruleset
        .parameter_sensitivity(
            &batch,
            &[
                ParameterRange::new("grade.清廉村社.min", 85.0, 95.0),
                ParameterRange::new("supervision.petitions.scorer.per", 1.0, 6.0).whole(),
            ],
            &ParameterAnalysis::new(40, 5).with_indices(10),
        )
        .unwrap();
    assert_eq!(json["runs"], 40 * 4);
    assert_eq!(json["units_changing_grade"], core.units_changing_grade());
    let units = json["units"].as_array().unwrap();
    assert_eq!(units.len(), 320);
    for (row, unit) in units.iter().enumerate() {
        assert_eq!(unit["id"], batch.id(row).unwrap());
        assert_eq!(
            unit["grade_change"].as_f64().unwrap(),
            core.grade_change[row]
        );
        assert_eq!(unit["rank_p95"].as_f64().unwrap(), core.rank_p95[row]);
        let shares: f64 = unit["grade_shares"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!((shares - 1.0).abs() < 1e-9);
    }
    assert_eq!(
        json["indices"],
        serde_json::to_value(&core.indices).unwrap()
    );
}

#[test]
fn the_table_lists_the_units_that_can_change_grade() {
    let out = qinglian(&[
        "sensitivity",
        RULES,
        DATA,
        "--vary",
        "grade.清廉村社.min=85..95",
        "--samples",
        "30",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("规则参数不确定时的等级与排名（30次计算"),
        "{text}"
    );
    assert!(text.contains("320个单位中有"), "{text}");
    assert!(text.contains("等级改变的概率"), "{text}");
    let en = qinglian(&[
        "sensitivity",
        RULES,
        DATA,
        "--vary",
        "grade.清廉村社.min=85..95",
        "--samples",
        "30",
        "--lang",
        "en",
    ]);
    let text = String::from_utf8(en.stdout).unwrap();
    assert!(text.contains("units can change grade"), "{text}");
}

#[test]
fn arguments_that_describe_no_analysis_are_refused() {
    for (vary, words) in [
        ("grade.清廉村社.min", "PATH=LOW..HIGH"),
        ("no_such.scorer.per=1..2", "no_such"),
        ("grade.清廉村社.min=95..85", "low ≤ high"),
        ("input.risk_severity.max=1..9", "cannot vary"),
    ] {
        let out = qinglian(&["sensitivity", RULES, DATA, "--vary", vary, "--samples", "5"]);
        assert_eq!(out.status.code(), Some(2), "{vary}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(words), "{vary}: {err}");
    }
}

#[test]
fn a_composite_index_without_grades_shows_every_units_rank_band() {
    let out = qinglian(&[
        "sensitivity",
        "rules/asem/minmax-geometric.toml",
        "examples/data/asem/asem_iData.csv",
        "--vary",
        "ruleset.aggregate=mean|geomean",
        "--samples",
        "20",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("排名5%–95%分位"), "{text}");
    assert!(text.contains("Germany"), "{text}");
    assert!(!text.contains("等级可能改变"), "{text}");
}
