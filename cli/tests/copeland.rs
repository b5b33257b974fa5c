//! `qinglian copeland`: the Copeland scores of the shared fixture (computed by Rust's core,
//! checked by Python and JavaScript too) from the ASEM data file, the table form, and a node that
//! is not a group.

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

const RULES: &str = "rules/asem/minmax-arithmetic.toml";
const DATA: &str = "examples/data/asem/asem_iData.csv";

#[test]
fn json_gives_the_fixtures_scores_at_every_node() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/outranking/asem-copeland.json")).unwrap(),
    )
    .unwrap();
    for node in fixture["nodes"].as_array().unwrap() {
        let node = node.as_str().unwrap();
        let mut args = vec!["copeland", RULES, DATA, "--format", "json"];
        if !node.is_empty() {
            args.extend(["--node", node]);
        }
        let out = qinglian(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let expected = &fixture["expected"][node];
        let units = got["units"].as_array().unwrap();
        assert_eq!(units.len(), 51);
        for (i, unit) in units.iter().enumerate() {
            assert_eq!(unit["id"], fixture["records"][i]["id"]);
            assert_eq!(unit["copeland"], expected["copeland"][i], "{node} row {i}");
            assert_eq!(unit["rank"], expected["rank"][i], "{node} row {i}");
            assert!(unit["weighted_rank"].as_u64().unwrap() >= 1);
        }
        assert_eq!(got["dominant_pairs"], expected["dominant_pairs"]);
    }
}

#[test]
fn the_table_is_in_copeland_order_in_plain_words() {
    let out = qinglian(&["copeland", RULES, DATA, "--node", "Conn"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("科普兰得分") && text.contains("加权汇总排名"),
        "{text}"
    );
    // Germany first: it wins every contest on the five parts of connectivity.
    let first = text.lines().nth(4).unwrap();
    assert!(first.contains("DEU") && first.contains("50"), "{first}");
    let out = qinglian(&["copeland", RULES, DATA, "--lang", "en", "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("id,name,copeland,rank,weighted_rank\nAUT,Austria,30,9,"),
        "{text}"
    );
}

#[test]
fn a_leaf_is_not_a_group_to_compare_on() {
    let out = qinglian(&["copeland", RULES, DATA, "--node", "Conn.Physical.LPI"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("leaf"), "{err}");
}
