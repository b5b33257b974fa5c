//! The command line end to end: check, score in every format, explain, and bad input; streamed
//! scoring against the in-memory library, groups, fitted cohorts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use qinglian::{read_records, Batch, Evaluation, Groups, Ruleset};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qinglian-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Each bundled ruleset with its example data.
const EXAMPLES: [(&str, &str); 11] = [
    ("private-enterprise", "private-enterprises"),
    ("hospital", "hospitals"),
    ("school", "schools"),
    ("village", "villages"),
    ("soe", "soes"),
    ("government-organ", "government-organs"),
    ("transport", "transport-projects"),
    ("city-index", "city-districts"),
    ("asem/minmax-arithmetic", "asem/asem_iData"),
    ("asem/minmax-geometric", "asem/asem_iData"),
    ("asem/zscore-arithmetic", "asem/asem_iData"),
];

/// The rulesets under `rules/` and its folders.
fn bundled_rulesets() -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            n += bundled_in(&path);
        } else if path.extension().is_some_and(|e| e == "toml") {
            n += 1;
        }
    }
    n
}

fn bundled_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count()
}

fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// The CSV `score --format csv` writes, built from the library's evaluations of the whole file
/// as one batch (rows in input order).
fn expected_csv(
    ruleset: &Ruleset,
    results: &[Result<Evaluation, qinglian::RecordError>],
) -> String {
    let dims: Vec<String> = ruleset
        .tree()
        .children
        .iter()
        .map(|d| d.path.clone())
        .collect();
    let mut header: Vec<String> =
        "rank,id,name,score,max_score,base_score,bonus_score,grade,tier,percentile"
            .split(',')
            .map(String::from)
            .collect();
    header.extend(dims.iter().cloned());
    header.extend(["vetoed", "vetoes", "alerts", "error"].map(String::from));
    header.extend(["ruleset", "ruleset_version", "ruleset_hash"].map(String::from));
    let p = ruleset.provenance();
    let provenance = [p.ruleset, p.version, p.hash];
    let mut out = header.join(",") + "\n";
    for r in results {
        let row: Vec<String> = match r {
            Ok(e) => {
                let c = e.cohort.as_ref();
                let mut row = vec![
                    c.map_or(String::new(), |c| c.rank.to_string()),
                    e.id.clone().unwrap_or_default(),
                    e.name.clone().unwrap_or_default(),
                    e.score.to_string(),
                    e.max_score.to_string(),
                    e.base_score.to_string(),
                    e.bonus_score.to_string(),
                    e.grade.clone().unwrap_or_default(),
                    c.and_then(|c| c.tier.clone()).unwrap_or_default(),
                    c.map_or(String::new(), |c| c.percentile.to_string()),
                ];
                row.extend(dims.iter().map(|p| e.node(p).unwrap().score.to_string()));
                row.push((!e.vetoes.is_empty()).to_string());
                row.push(
                    e.vetoes
                        .iter()
                        .map(|v| v.id.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                );
                row.push(
                    e.alerts
                        .iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                );
                row.push(String::new());
                row.extend(provenance.iter().cloned());
                row
            }
            Err(err) => {
                let mut row = vec![String::new(), err.id.clone().unwrap_or_default()];
                row.resize(header.len() - 4, String::new());
                row.push(err.to_string());
                row.extend(provenance.iter().cloned());
                row
            }
        };
        out += &row
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",");
        out += "\n";
    }
    out
}

/// The JSON `score --format json` writes, from the library.
fn expected_json(
    ruleset: &Ruleset,
    results: &[Result<Evaluation, qinglian::RecordError>],
) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|r| match r {
            Ok(e) => serde_json::json!({ "ok": e }),
            Err(e) => serde_json::json!({ "error": e }),
        })
        .collect();
    let p = ruleset.provenance();
    let doc = serde_json::json!({
        "ruleset": p.ruleset, "ruleset_version": p.version, "ruleset_hash": p.hash, "results": items
    });
    serde_json::to_string_pretty(&doc).unwrap() + "\n"
}

fn library(rules: &str, data: &Path) -> (Ruleset, Vec<Result<Evaluation, qinglian::RecordError>>) {
    let ruleset = Ruleset::load(root().join(rules)).unwrap();
    let rows = read_records(data).unwrap();
    let results = ruleset.evaluate_records(&rows);
    (ruleset, results)
}

#[test]
fn streamed_scores_equal_the_whole_file_scored_at_once_for_every_ruleset() {
    let bundled = bundled_rulesets();
    assert_eq!(
        bundled,
        EXAMPLES.len(),
        "every ruleset in rules/ has example data here"
    );
    for (rules, data) in EXAMPLES {
        let rules = format!("rules/{rules}.toml");
        let data = format!("examples/data/{data}.csv");
        let (ruleset, results) = library(&rules, &root().join(&data));
        let csv = expected_csv(&ruleset, &results);
        let json = expected_json(&ruleset, &results);
        // One chunk, and chunks of 7 rows (cohorts fitted over many chunks).
        for chunk in ["65536", "7"] {
            let out = qinglian(&[
                "score",
                &rules,
                &data,
                "--format",
                "csv",
                "--chunk-rows",
                chunk,
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(stdout(&out), csv, "{rules} in chunks of {chunk}");
            let out = qinglian(&[
                "score",
                &rules,
                &data,
                "--format",
                "json",
                "--chunk-rows",
                chunk,
            ]);
            assert_eq!(stdout(&out), json, "{rules} in chunks of {chunk}");
        }
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn the_asem_index_scores_every_node_of_every_country() {
    for variant in ["minmax-arithmetic", "minmax-geometric", "zscore-arithmetic"] {
        let rules = format!("rules/asem/{variant}.toml");
        let out = qinglian(&[
            "score",
            &rules,
            "examples/data/asem/asem_iData.csv",
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        // The data as COINr ships it: its group, denominator and time columns are the
        // ruleset's `other_fields`, so reading it has nothing to note.
        assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let results = json["results"].as_array().unwrap();
        assert_eq!(results.len(), 51, "{variant}");
        for r in results {
            let e = &r["ok"];
            assert!(e["id"].is_string(), "{variant}: {r}");
            let nodes = e["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 59, "{variant}");
            // Every aggregate has a score; an indicator may be missing for a country.
            for n in nodes.iter().filter(|n| n["rule"] != "normalise") {
                assert_eq!(n["status"], "scored", "{variant} {}: {n}", e["id"]);
            }
            let score = e["score"].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&score), "{variant}");
        }
    }
}

#[test]
fn every_bundled_ruleset_checks() {
    let mut args = vec!["check"];
    let files: Vec<String> = EXAMPLES
        .iter()
        .map(|(rules, _)| format!("rules/{rules}.toml"))
        .collect();
    assert_eq!(files.len(), bundled_rulesets());
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
    // Rows in the file's order, each with its rank.
    assert_eq!(lines.next().unwrap().split(',').nth(1), Some("V001"));
    assert!(text.lines().any(|l| l.starts_with("1,")));
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
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["error"]["code"], "record.not_a_number");
    assert_eq!(results[1]["error"]["column"], "disclosures_q1");
    assert_eq!(results[1]["error"]["row"], 1);
    assert!(results[0]["ok"].is_object() && results[2]["ok"].is_object());
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 2"));
}

#[test]
fn a_row_with_a_huge_cell_is_an_error_and_the_others_are_scored() {
    let dir = scratch("huge-cell");
    let source = std::fs::read_to_string(root().join("examples/data/villages.csv")).unwrap();
    // A remark column of 100,000 characters on the second row (pasted by mistake, say).
    let mut lines: Vec<String> = source.lines().take(4).map(String::from).collect();
    lines[0].push_str(",remark");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push(',');
        if i == 2 {
            line.push_str(&"备".repeat(100_000));
        }
    }
    let path = dir.join("villages.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["error"]["code"], "record.text_too_long");
    assert_eq!(results[1]["error"]["column"], "remark");
    assert!(results[0]["ok"].is_object() && results[2]["ok"].is_object());
    // The message quotes a bounded excerpt, not the cell.
    let err = stderr(&out);
    assert!(
        err.contains("row 2") && err.contains("100000 characters") && err.len() < 2_000,
        "{}",
        &err[..err.len().min(2_000)]
    );
}

/// The CSV rows of an output, by column name.
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn by_year_ranks_districts_within_each_year() {
    let data = "examples/data/city-districts.csv";
    let ruleset = Ruleset::load(root().join("rules/city-index.toml")).unwrap();
    let rows = read_records(root().join(data)).unwrap();
    let years: Vec<String> = rows
        .iter()
        .map(|r| match r.as_ref().unwrap().get("year") {
            Some(qinglian::Cell::Text(t)) => t.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let batch = Batch::from_rows(&ruleset, &rows);
    let scores = ruleset
        .score_by(&batch, &Groups::from_keys(&years))
        .unwrap();
    for chunk in ["65536", "6"] {
        let out = qinglian(&[
            "score",
            "rules/city-index.toml",
            data,
            "--by",
            "year",
            "--format",
            "csv",
            "--chunk-rows",
            chunk,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let (header, table) = table(&stdout(&out));
        assert_eq!(&header[..5], ["rank", "id", "name", "year", "score"]);
        assert_eq!(table.len(), 40);
        for (i, row) in table.iter().enumerate() {
            assert_eq!(row[3], years[i]);
            assert_eq!(row[0], scores.ranks()[i].to_string(), "row {i}");
            assert_eq!(row[10], scores.percentiles()[i].to_string(), "row {i}");
            assert_eq!(row[4], scores.totals()[i].to_string(), "row {i}");
        }
        // Ten districts a year, ranked 1 to 10 within it.
        for year in ["2021", "2022", "2023", "2024"] {
            let mut ranks: Vec<u32> = table
                .iter()
                .filter(|r| r[3] == year)
                .map(|r| r[0].parse().unwrap())
                .collect();
            ranks.sort_unstable();
            assert_eq!(ranks, (1..=10).collect::<Vec<u32>>(), "{year}");
        }
    }
    let top = qinglian(&[
        "score",
        "rules/city-index.toml",
        data,
        "--by",
        "year",
        "--top",
        "2",
    ]);
    let text = stdout(&top);
    assert_eq!(text.matches("│    1 ┆").count(), 4, "{text}");
    assert_eq!(text.matches("│    2 ┆").count(), 4, "{text}");
    assert!(!text.contains("│    3 ┆"), "{text}");

    let json = qinglian(&[
        "score",
        "rules/city-index.toml",
        data,
        "--by",
        "year",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &value["results"][0];
    assert_eq!(first["group"]["year"], "2021");
    assert_eq!(first["ok"]["cohort"]["of"], 10);
}

#[test]
fn a_missing_group_column_is_named() {
    let out = qinglian(&[
        "score",
        "rules/city-index.toml",
        "examples/data/city-districts.csv",
        "--by",
        "year,county",
    ]);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(message.contains("cannot group by `county`"), "{message}");
    assert!(message.contains("no column `county`"), "{message}");
}

#[test]
fn a_fitted_cohort_scores_like_the_file_it_was_fitted_on() {
    let dir = scratch("fit");
    let cohort = dir.join("soe-cohort.json");
    let cohort = cohort.to_str().unwrap();
    // The SOE ruleset ranks an input within the cohort and has quota tiers.
    let fit = qinglian(&[
        "fit",
        "rules/soe.toml",
        "examples/data/soes.csv",
        "-o",
        cohort,
    ]);
    assert!(fit.status.success(), "{}", stderr(&fit));
    assert!(
        stderr(&fit).contains("fitted a cohort of 120 units"),
        "{}",
        stderr(&fit)
    );
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cohort).unwrap()).unwrap();
    assert_eq!(value["ruleset"], "soe");

    for format in ["csv", "json"] {
        let plain = qinglian(&[
            "score",
            "rules/soe.toml",
            "examples/data/soes.csv",
            "--format",
            format,
        ]);
        let against = qinglian(&[
            "score",
            "rules/soe.toml",
            "examples/data/soes.csv",
            "--format",
            format,
            "--cohort",
            cohort,
        ]);
        assert!(against.status.success(), "{}", stderr(&against));
        assert_eq!(stdout(&against), stdout(&plain), "{format}");
    }
    let explain = |extra: &[&str]| {
        let mut args = vec![
            "explain",
            "rules/soe.toml",
            "examples/data/soes.csv",
            "--id",
            "SOE007",
        ];
        args.extend(extra);
        stdout(&qinglian(&args))
    };
    assert!(explain(&[]).contains("SOE007"));
    assert_eq!(explain(&["--cohort", cohort]), explain(&[]));

    // A few units scored against the whole cohort: placed among its 120 units.
    let source = std::fs::read_to_string(root().join("examples/data/soes.csv")).unwrap();
    let few: Vec<&str> = source.lines().take(6).collect();
    let path = dir.join("few.csv");
    std::fs::write(&path, few.join("\n")).unwrap();
    let out = qinglian(&[
        "score",
        "rules/soe.toml",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--cohort",
        cohort,
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|r| r["ok"]["cohort"]["of"] == 120));
    let full = qinglian(&[
        "score",
        "rules/soe.toml",
        "examples/data/soes.csv",
        "--format",
        "json",
    ]);
    let full: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap();
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r, &full["results"][i], "row {i}");
    }
}

#[test]
fn damaged_or_foreign_cohort_files_are_refused_in_plain_words() {
    let dir = scratch("cohort");
    let cohort = dir.join("village.json");
    let fit = qinglian(&[
        "fit",
        "rules/village.toml",
        "examples/data/villages.csv",
        "-o",
        cohort.to_str().unwrap(),
    ]);
    assert!(fit.status.success(), "{}", stderr(&fit));
    let text = std::fs::read_to_string(&cohort).unwrap();
    let damaged = dir.join("damaged.json");
    std::fs::write(&damaged, &text[..text.len() / 2]).unwrap();
    let score = |rules: &str, data: &str, file: &Path| {
        qinglian(&["score", rules, data, "--cohort", file.to_str().unwrap()])
    };
    let out = score("rules/village.toml", "examples/data/villages.csv", &damaged);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a usable cohort file"),
        "{}",
        stderr(&out)
    );

    let out = score("rules/school.toml", "examples/data/schools.csv", &cohort);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(message.contains("belongs to another ruleset"), "{message}");
    assert!(
        message.contains("`village`") && message.contains("`school`"),
        "{message}"
    );

    let out = score(
        "rules/village.toml",
        "examples/data/villages.csv",
        &dir.join("nope.json"),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot read the cohort file"),
        "{}",
        stderr(&out)
    );

    let out = qinglian(&[
        "explain",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--id",
        "V001",
        "--cohort",
        damaged.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a usable cohort file"),
        "{}",
        stderr(&out)
    );
}

/// The village data repeated to `rows` rows, ids made unique; `bad` rows get a count that is
/// not a number.
fn village_file(dir: &Path, rows: usize, bad: &[usize]) -> PathBuf {
    let source = std::fs::read_to_string(root().join("examples/data/villages.csv")).unwrap();
    let mut lines = source.lines();
    let header = lines.next().unwrap();
    let col = header
        .split(',')
        .position(|h| h == "disclosures_q1")
        .unwrap();
    let body: Vec<&str> = lines.collect();
    let mut text = String::with_capacity(rows * 200);
    text.push_str(header);
    text.push('\n');
    for row in 0..rows {
        let mut cells: Vec<String> = body[row % body.len()]
            .split(',')
            .map(String::from)
            .collect();
        cells[0] = format!("V{row:06}");
        if bad.contains(&row) {
            cells[col] = "many".into();
        }
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = dir.join(format!("villages-{rows}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_row_error_in_the_middle_of_a_chunk_keeps_its_file_row() {
    let dir = scratch("row-error");
    let path = village_file(&dir, 30, &[16]);
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--chunk-rows",
        "10",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 30);
    assert_eq!(results[16]["error"]["row"], 16);
    assert_eq!(results[16]["error"]["id"], "V000016");
    assert_eq!(results[16]["error"]["column"], "disclosures_q1");
    assert!(
        stderr(&out).contains("row 17 (id V000016)"),
        "{}",
        stderr(&out)
    );
    let csv = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "csv",
        "--chunk-rows",
        "10",
    ]);
    let (header, rows) = table(&stdout(&csv));
    let error = header.iter().position(|h| h == "error").unwrap();
    assert!(rows[16][error].contains("row 17"), "{:?}", rows[16]);
    let explain = qinglian(&[
        "explain",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--id",
        "V000016",
        "--chunk-rows",
        "10",
    ]);
    assert!(stderr(&explain).contains("row 17"), "{}", stderr(&explain));
}

#[test]
fn a_file_of_several_chunks_scores_like_the_whole_file_at_once() {
    let dir = scratch("large");
    // 70,000 rows: more than one chunk of 65,536; bad rows on both sides of the boundary.
    let path = village_file(&dir, 70_000, &[3, 65_535, 65_536, 69_999]);
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    // Some rows failed: status 1, every other row written.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (header, table) = table(&stdout(&out));
    let ruleset = Ruleset::load(root().join("rules/village.toml")).unwrap();
    let rows = read_records(&path).unwrap();
    let batch = Batch::from_rows(&ruleset, &rows);
    let scores = ruleset.score(&batch);
    assert_eq!(table.len(), 70_000);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (rank, score, percentile, grade, error) = (
        column("rank"),
        column("score"),
        column("percentile"),
        column("grade"),
        column("error"),
    );
    let grades = ruleset.grade_names();
    for (i, row) in table.iter().enumerate() {
        match scores.error(i) {
            Some(e) => {
                let mut e = e.clone();
                e.row = Some(i);
                assert_eq!(row[error], e.to_string(), "row {i}");
            }
            None => {
                assert_eq!(row[rank], scores.ranks()[i].to_string(), "row {i}");
                assert_eq!(row[score], scores.totals()[i].to_string(), "row {i}");
                assert_eq!(
                    row[percentile],
                    scores.percentiles()[i].to_string(),
                    "row {i}"
                );
                assert_eq!(
                    row[grade],
                    scores.grade(i).map_or("", |g| grades[g]),
                    "row {i}"
                );
            }
        }
    }
    assert!(table[65_536][error].contains("row 65537"));
}

#[test]
fn standard_input_is_read_like_a_file() {
    let source = std::fs::read(root().join("examples/data/villages.csv")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qinglian"))
        .current_dir(root())
        .args(["score", "rules/village.toml", "-", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&source).unwrap();
    let out = child.wait_with_output().unwrap();
    let file = qinglian(&[
        "score",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), stdout(&file));
}

/// The first `rows` data rows of the villages example, as lines (header first).
fn village_lines(rows: usize) -> Vec<String> {
    let source = std::fs::read_to_string(root().join("examples/data/villages.csv")).unwrap();
    source.lines().take(rows + 1).map(String::from).collect()
}

#[test]
fn exit_status_says_whether_every_row_scored() {
    let dir = scratch("status");
    let good = dir.join("good.csv");
    std::fs::write(&good, village_lines(3).join("\n")).unwrap();
    let status = |args: &[&str]| qinglian(args).status.code();
    let good = good.to_str().unwrap();
    assert_eq!(status(&["score", "rules/village.toml", good]), Some(0));
    assert_eq!(
        status(&["score", "rules/village.toml", "no-such.csv"]),
        Some(2)
    );
    assert_eq!(
        status(&[
            "score",
            "tests/conformance/cases/rulesets/broken.toml",
            good
        ]),
        Some(2)
    );
    assert_eq!(
        status(&["score", "rules/village.toml", good, "--encoding", "klingon"]),
        Some(2)
    );
    assert_eq!(
        status(&["check", "tests/conformance/cases/rulesets/broken.toml"]),
        Some(1)
    );
}

#[test]
fn a_stray_quote_loses_no_row() {
    let dir = scratch("stray");
    let mut lines = village_lines(6);
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[1] = format!("\"{}", cells[1]);
    lines[2] = cells.join(",");
    let path = dir.join("stray.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (header, rows) = table(&stdout(&out));
    assert_eq!(rows.len(), 6, "one line of output per row of the file");
    let error = header.iter().position(|h| h == "error").unwrap();
    assert!(rows[0][error].is_empty());
    for row in &rows[1..] {
        assert!(row[error].contains("record.csv_quote"), "{row:?}");
    }
    assert!(rows[1][error].contains("line 3"), "{:?}", rows[1]);
    assert!(stderr(&out).contains("5 of 6 rows could not be scored"));
}

#[test]
fn headers_encodings_and_repeated_ids() {
    let dir = scratch("headers");
    let lines = village_lines(3);
    // `ID` for `id`, a misspelt input: the ids are read, the misspelling named once.
    let mut shouted = lines.clone();
    shouted[0] = shouted[0]
        .replacen("id,", "ID,", 1)
        .replace("livestream", "livestraem");
    let path = dir.join("shouted.csv");
    std::fs::write(&path, shouted.join("\n")).unwrap();
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let err = stderr(&out);
    assert_eq!(err.matches("did you mean `livestream`").count(), 1, "{err}");
    assert_eq!(err.matches("record.absent_input").count(), 1, "{err}");
    let (header, rows) = table(&stdout(&out));
    let id = header.iter().position(|h| h == "id").unwrap();
    assert_eq!(rows[0][id], "V001");
    // A column twice: an error naming it.
    let mut twice = lines.clone();
    twice[0] = twice[0].replace("district", "livestream");
    let path = dir.join("twice.csv");
    std::fs::write(&path, twice.join("\n")).unwrap();
    let out = qinglian(&["score", "rules/village.toml", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`livestream` appears twice"),
        "{}",
        stderr(&out)
    );
    // GBK, as Excel saves CSV on Chinese Windows, and UTF-16: the same output as UTF-8.
    let text = lines.join("\n");
    let utf8 = dir.join("utf8.csv");
    std::fs::write(&utf8, &text).unwrap();
    let expected = stdout(&qinglian(&[
        "score",
        "rules/village.toml",
        utf8.to_str().unwrap(),
        "--format",
        "csv",
    ]));
    let gbk = dir.join("gbk.csv");
    std::fs::write(&gbk, encoding_rs::GBK.encode(&text).0).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let utf16_path = dir.join("utf16.csv");
    std::fs::write(&utf16_path, utf16).unwrap();
    for (path, named) in [(&gbk, None), (&gbk, Some("gbk")), (&utf16_path, None)] {
        let mut args = vec![
            "score",
            "rules/village.toml",
            path.to_str().unwrap(),
            "--format",
            "csv",
        ];
        if let Some(label) = named {
            args.extend(["--encoding", label]);
        }
        let out = qinglian(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), expected);
    }
    // The same id twice: a warning, or with --strict an error and status 1.
    let mut repeated = lines.clone();
    repeated.push(lines[1].clone());
    let path = dir.join("repeated.csv");
    std::fs::write(&path, repeated.join("\n")).unwrap();
    let path = path.to_str().unwrap();
    let out = qinglian(&["score", "rules/village.toml", path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("warning[record.duplicate_id] row 4 (id V001)"),
        "{}",
        stderr(&out)
    );
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        path,
        "--strict",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (header, rows) = table(&stdout(&out));
    let error = header.iter().position(|h| h == "error").unwrap();
    assert!(rows[3][error].contains("record.duplicate_id"));
    let out = qinglian(&["explain", "rules/village.toml", path, "--id", "V001"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("on 2 rows (1, 4)"),
        "{}",
        stderr(&out)
    );
    let out = qinglian(&[
        "explain",
        "rules/village.toml",
        path,
        "--id",
        "V001",
        "--strict",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

/// A panel of two years scored `--by year`: each year's units once, so no id repeats within
/// its group, and each year measures against its own reference unit (`distance_to_reference`).
#[test]
fn a_panel_by_year_repeats_no_id_and_has_a_reference_per_year() {
    let dir = scratch("panel");
    let path = dir.join("panel.csv");
    let mut text = String::from("id,year,a,b,c\n");
    for (year, a) in [(2023, [2, 4, 6, 8, 10]), (2024, [1, 2, 3, 4, 5])] {
        for (i, a) in a.iter().enumerate() {
            text.push_str(&format!(
                "U{},{year},{a},{},{}\n",
                i + 1,
                10 * (i + 1),
                i + 3
            ));
        }
    }
    std::fs::write(&path, text).unwrap();
    let rules = "tests/conformance/cases/rulesets/normalise-reference.toml";
    let path = path.to_str().unwrap();
    let out = qinglian(&[
        "score", rules, path, "--by", "year", "--strict", "--format", "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("duplicate_id"), "{}", stderr(&out));
    let (header, rows) = table(&stdout(&out));
    let capped = header.iter().position(|h| h == "capped").unwrap();
    let scores: Vec<&str> = rows.iter().map(|r| r[capped].as_str()).collect();
    assert_eq!(
        scores,
        ["0", "50", "100", "100", "100", "0", "50", "100", "100", "100"]
    );
    // Without --by the second year's ids repeat the first's.
    let out = qinglian(&["score", rules, path, "--format", "csv"]);
    assert!(
        stderr(&out).contains("warning[record.duplicate_id] row 6 (id U1)"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
