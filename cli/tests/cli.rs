//! The command line end to end: check, score in every format, explain, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Output};

fn qinglian(args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO_BIN_EXE_qinglian"))
        .current_dir(root)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn every_bundled_ruleset_checks() {
    let mut args = vec!["check"];
    let files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"))
            .unwrap()
            .map(|e| format!("rules/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    args.extend(files.iter().map(String::as_str));
    let out = qinglian(&args);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).matches("\nok ").count() + usize::from(stdout(&out).starts_with("ok ")),
        files.len()
    );
}

#[test]
fn a_broken_ruleset_fails_with_places() {
    let out = qinglian(&["check", "tests/conformance/cases/rulesets/broken.toml"]);
    assert!(!out.status.success());
    let text = stdout(&out);
    assert!(text.contains("broken.toml:20:37 (party.topic)"), "{text}");
    assert!(text.contains("error[ruleset.unknown_parent]"), "{text}");
}

#[test]
fn score_prints_a_ranked_table_csv_and_json() {
    let table = qinglian(&[
        "score",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--top",
        "5",
    ]);
    assert!(table.status.success());
    assert!(stdout(&table).contains("排名"));

    let csv = qinglian(&[
        "score",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--format",
        "csv",
    ]);
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("rank,id,name,score"));
    assert_eq!(lines.next().unwrap().split(',').next(), Some("1"));
    assert_eq!(text.lines().count(), 1 + 320);

    let json = qinglian(&[
        "score",
        "rules/soe.toml",
        "examples/data/soes.csv",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 120);
    assert!(results
        .iter()
        .all(|r| r["ok"]["cohort"]["rank"].as_u64().is_some()));
}

#[test]
fn explain_prints_the_audit_trail() {
    let out = qinglian(&[
        "explain",
        "rules/private-enterprise.toml",
        "examples/data/private-enterprises.csv",
        "--id",
        "PE0002",
    ]);
    let text = stdout(&out);
    assert!(out.status.success());
    assert!(
        text.contains("PE0002") && text.contains("等次") && text.contains("说明"),
        "{text}"
    );
    let missing = qinglian(&[
        "explain",
        "rules/private-enterprise.toml",
        "examples/data/private-enterprises.csv",
        "--id",
        "NOPE",
    ]);
    assert!(!missing.status.success());
}

#[test]
fn a_bad_row_is_reported_and_the_others_are_scored() {
    let dir = std::env::temp_dir().join(format!("qinglian-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/villages.csv"),
    )
    .unwrap();
    let mut lines: Vec<String> = source.lines().take(4).map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header
        .iter()
        .position(|h| h.starts_with("disclosures_q1"))
        .unwrap();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[col] = "many".into();
    lines[2] = cells.join(",");
    let path = dir.join("villages.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["error"]["code"], "record.not_a_number");
    assert_eq!(results[1]["error"]["column"], "disclosures_q1");
    assert_eq!(results[1]["error"]["row"], 1);
    assert!(results[0]["ok"].is_object() && results[2]["ok"].is_object());
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 2"));
}
