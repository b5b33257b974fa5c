//! `qinglian improve`: a village's plan as tables in plain words (Chinese and English), the same
//! plan as JSON as the core makes it, and arguments that describe no plan.

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

const RULES: &str = "rules/village.toml";
const DATA: &str = "examples/data/villages.csv";

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn a_plan_in_chinese_and_english_words() {
    let zh = stdout(&qinglian(&[
        "improve",
        RULES,
        DATA,
        "--id",
        "V004",
        "--target",
        "清廉村社",
    ]));
    assert!(zh.contains("V004 海曙区龙观乡南峰村"), "{zh}");
    assert!(zh.contains("→ “清廉村社”"), "{zh}");
    assert!(zh.contains("第四季度村务公开次数"), "{zh}");
    assert!(zh.contains("当前得分构成") && zh.contains("短板："), "{zh}");
    // Plain words only: no input identifiers, no expressions.
    assert!(!zh.contains("disclosures_q4") && !zh.contains("=="), "{zh}");
    let en = stdout(&qinglian(&[
        "improve",
        RULES,
        DATA,
        "--id",
        "V004",
        "--target",
        "Clean village",
        "--lang",
        "en",
    ]));
    assert!(en.contains("Compliant → Clean village"), "{en}");
    assert!(en.contains("Village affairs disclosures, Q4"), "{en}");
    assert!(en.contains("Weaknesses:"), "{en}");
    assert!(!en.contains("(bonus) (bonus)"), "{en}");
}

#[test]
fn a_veto_to_lift_is_a_step_of_its_own() {
    let zh = stdout(&qinglian(&["improve", RULES, DATA, "--id", "V003"]));
    assert!(zh.contains("解除否决"), "{zh}");
    assert!(zh.contains("是   ┆ 否"), "{zh}");
}

#[test]
fn the_json_is_the_cores_plan() {
    let out = stdout(&qinglian(&[
        "improve",
        RULES,
        DATA,
        "--id",
        "V004",
        "--target",
        "清廉村社",
        "--format",
        "json",
    ]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    let plan = &doc["plan"];
    assert_eq!(plan["id"], "V004");
    assert_eq!(plan["reachable"], true);
    assert_eq!(plan["grade_after"], "清廉村社");
    let shared = root().join("target/improve/village.json");
    if let Ok(text) = std::fs::read_to_string(shared) {
        let shared: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(plan, &shared["plans"]["V004"]);
    }
    let lines = doc["decomposition"]["lines"].as_array().unwrap();
    let sum: f64 = lines
        .iter()
        .map(|l| l["contribution"].as_f64().unwrap())
        .sum();
    assert!((sum - plan["score_before"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn costs_limit_what_may_change() {
    let out = stdout(&qinglian(&[
        "improve",
        RULES,
        DATA,
        "--id",
        "V004",
        "--target",
        "清廉村社",
        "--format",
        "json",
        "--cost",
        "livestream=2",
        "--cost",
        "digital_assets=1",
    ]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    for step in doc["plan"]["steps"].as_array().unwrap() {
        let input = step["input"].as_str().unwrap();
        assert!(
            input == "livestream" || input == "digital_assets",
            "{input}"
        );
    }
}

#[test]
fn bad_arguments_say_what() {
    for (args, needle) in [
        (vec!["--id", "NOPE"], "NOPE"),
        (vec!["--id", "V004", "--target", "金牌"], "金牌"),
        (vec!["--id", "V004", "--cost", "livestream"], "input=cost"),
        (
            vec!["--id", "V004", "--cost", "livestream=x"],
            "not a number",
        ),
        (vec!["--id", "V004", "--cost", "nothing=1"], "nothing"),
    ] {
        let mut all = vec!["improve", RULES, DATA];
        all.extend(args);
        let o = qinglian(&all);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
