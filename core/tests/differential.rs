//! The differential test across languages, Rust's half: random rulesets (a tree of groups and
//! leaves over every input type, with most scorer kinds, aggregations, missing policies and
//! grades) and random records (valid values, placeholders, full-width digits, thousands
//! separators, text that is not a number, out-of-range values, unknown categories) drawn from a
//! fixed seed, scored here and written with the results to `target/differential/cases.json`.
//! Python (`python/tests/test_differential.py`) and JavaScript (`wasm/tests/differential.test.mjs`)
//! score the same cases and must agree to the bit on every score and to the code on every error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use qinglian::{Record, Ruleset};
use serde_json::{json, Value};
use std::path::Path;

/// Cases written (each a ruleset with a batch of records); bounded so that CI stays quick.
const CASES: usize = 48;
const RECORDS: usize = 12;
const SEED: [u8; 32] = *b"qinglian differential test seed!";

/// One leaf's scorer over the fixed inputs, as TOML, from a choice and two numbers.
fn scorer(kind: u8, a: u8, b: u8) -> String {
    let lo = f64::from(a % 50);
    let hi = lo + 1.0 + f64::from(b % 50);
    match kind % 12 {
        0 => format!("{{ type = \"per_occurrence\", count = \"n\", per = {} }}", 1 + a % 3),
        1 => "{ type = \"clause\", when = \"ok\" }".to_string(),
        2 => format!("{{ type = \"goalposts\", value = \"x\", lo = {lo}, hi = {hi}, direction = \"{}\" }}", if b.is_multiple_of(2) { "higher" } else { "lower" }),
        3 => format!("{{ type = \"target\", value = \"x\", target = {hi} }}"),
        4 => format!("{{ type = \"efficacy\", value = \"x\", worst = {lo}, best = {hi} }}"),
        5 => "{ type = \"levels\", input = \"level\", shares = { A = 1.0, B = 0.6, C = 0.2 }, not_applicable = [\"不适用\"] }".to_string(),
        6 => "{ type = \"survey\", input = \"s\", codes = { \"满意\" = 100, \"基本满意\" = 70, \"不满意\" = 30 }, excluded = [\"不了解\"] }".to_string(),
        7 => format!("{{ type = \"piecewise\", value = \"x\", points = [[{lo}, 0.0], [{hi}, 1.0]] }}"),
        8 => format!("{{ type = \"threshold\", value = \"x\", direction = \"higher\", bands = [{{ at = {hi}, share = 1.0 }}, {{ at = {lo}, share = 0.5 }}] }}"),
        9 => format!("{{ type = \"formula\", expr = \"if ok then x / {} else n * 0.5\" }}", 1 + a % 7),
        10 => format!("{{ type = \"per_item\", count = \"n\", per = {}.5 }}", a % 3),
        _ => format!("{{ type = \"risk_matrix\", likelihood = \"n\", severity = \"{}\", bands = [{{ at = 12, share = 0.0 }}, {{ at = 4, share = 0.5 }}, {{ at = 0, share = 1.0 }}] }}", 1 + a % 4),
    }
}

/// A random ruleset: its TOML text.
fn ruleset() -> impl Strategy<Value = String> {
    let leaf = (any::<u8>(), any::<u8>(), any::<u8>(), 1u8..20, 0u8..4);
    let group = (prop::collection::vec(leaf, 1..5), 0u8..7, 0u8..3);
    (prop::collection::vec(group, 1..4), any::<bool>(), 0u8..3).prop_map(
        |(groups, grades, missing)| {
            let mut text = String::from(
                "[ruleset]\nid = \"random\"\nname = \"随机\"\nversion = \"1\"\nscale = SCALE\n\
                 points_check = false\n",
            );
            text.push_str(match missing {
                0 => "missing = \"zero\"\n",
                1 => "missing = \"reweight\"\n",
                _ => "",
            });
            text.push_str(
                "[[input]]\nname = \"n\"\ntype = \"count\"\nmax = 20\n\
                 [[input]]\nname = \"x\"\ntype = \"number\"\nmin = -50\nmax = 150\n\
                 [[input]]\nname = \"ok\"\ntype = \"boolean\"\n\
                 [[input]]\nname = \"level\"\ntype = \"category\"\nvalues = [\"A\", \"B\", \"C\", \"不适用\"]\n\
                 [[input]]\nname = \"s\"\ntype = \"survey\"\nvalues = [\"满意\", \"基本满意\", \"不满意\", \"不了解\"]\n",
            );
            let mut scale = 0u32;
            for (g, (leaves, aggregate, policy)) in groups.iter().enumerate() {
                let points: u32 = leaves.iter().map(|l| u32::from(l.3)).sum();
                scale += points;
                let aggregate = ["sum", "mean", "geomean", "min", "deduction", "harmonic", "power"]
                    [usize::from(*aggregate)];
                text.push_str(&format!(
                    "\n[[indicator]]\nid = \"g{g}\"\nname = \"维度{g}\"\npoints = {points}\naggregate = \"{aggregate}\"\n"
                ));
                if aggregate == "power" {
                    text.push_str(&format!("exponent = {}\n", [2.0, -2.0, 0.5, 0.0][g % 4]));
                }
                if *policy == 1 {
                    text.push_str("missing = \"zero\"\n");
                }
                for (l, &(kind, a, b, p, zero)) in leaves.iter().enumerate() {
                    text.push_str(&format!(
                        "\n[[indicator]]\nid = \"g{g}.l{l}\"\nname = \"指标{g}{l}\"\npoints = {p}\nscorer = {}\n",
                        scorer(kind, a, b)
                    ));
                    if zero == 0 {
                        text.push_str("zero_when = \"n > 15\"\n");
                    }
                }
            }
            if grades {
                let s = f64::from(scale);
                text.push_str(&format!(
                    "\n[[grade]]\nname = \"优秀\"\nmin = {}\n[[grade]]\nname = \"合格\"\nmin = {}\n[[grade]]\nname = \"不合格\"\nmin = 0\n",
                    s * 0.9,
                    s * 0.6
                ));
            }
            text.replace("SCALE", &scale.to_string())
        },
    )
}

/// A field value: mostly valid, sometimes what careless hands write.
fn value(kind: u8, u: f64, pick: u8) -> Value {
    let odd = [
        json!(null),
        json!(""),
        json!(" "),
        json!("N/A"),
        json!("—"),
        json!("１２"),
        json!("1,234"),
        json!("1,23"),
        json!("inf"),
        json!("NaN"),
        json!("abc"),
        json!(-3),
        json!(1e300),
        json!("-0"),
        json!(true),
        json!("是"),
        json!("Z"),
    ];
    if pick.is_multiple_of(5) {
        return odd[usize::from(pick / 5) % odd.len()].clone();
    }
    match kind {
        0 => json!((u * 20.0).floor()),
        1 => json!(-50.0 + u * 200.0),
        2 => json!(pick.is_multiple_of(2)),
        3 => json!(["A", "B", "C", "不适用"][usize::from(pick % 4)]),
        _ => {
            json!({ "满意": (u * 30.0).floor(), "基本满意": pick % 7, "不满意": pick % 3, "不了解": pick % 4 })
        }
    }
}

fn records() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        prop::collection::vec((0.0..1.0f64, any::<u8>()), 5),
        RECORDS,
    )
    .prop_map(|rows| {
        rows.iter()
            .enumerate()
            .map(|(i, draws)| {
                let mut r = serde_json::Map::new();
                r.insert("id".into(), json!(format!("U{i}")));
                for (k, (name, &(u, pick))) in
                    ["n", "x", "ok", "level", "s"].iter().zip(draws).enumerate()
                {
                    r.insert((*name).into(), value(k as u8, u, pick));
                }
                Value::Object(r)
            })
            .collect()
    })
}

/// What every language must agree on, for one record.
fn outcome(result: &Result<qinglian::Evaluation, qinglian::RecordError>) -> Value {
    match result {
        Ok(e) => json!({
            "score": e.score,
            "base_score": e.base_score,
            "bonus_score": e.bonus_score,
            "grade": e.grade,
            "nodes": e.nodes.iter().map(|n| json!([n.path, n.score])).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "error": e.code, "column": e.column }),
    }
}

#[test]
fn random_cases_are_written_for_the_other_languages() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    let strategy = (ruleset(), records());
    let mut cases = Vec::new();
    let mut loaded = 0;
    let mut scored = 0;
    let mut failed = 0;
    while cases.len() < CASES {
        let (toml, records) = strategy.new_tree(&mut runner).unwrap().current();
        let ruleset = match Ruleset::from_toml(&toml) {
            Ok(r) => r,
            // Some draws are invalid rulesets (e.g. a geometric mean under a deduction parent's
            // rules); the other languages load the same text, so they are kept with the error.
            Err(e) => {
                let codes: Vec<&str> = e.errors.iter().map(|d| d.code).collect();
                cases.push(json!({ "ruleset": toml, "load_errors": codes }));
                continue;
            }
        };
        loaded += 1;
        let rows: Vec<Result<Record, qinglian::RecordError>> = records
            .iter()
            .map(|r| Ok(serde_json::from_value::<Record>(r.clone()).unwrap()))
            .collect();
        let results = ruleset.evaluate_records(&rows);
        for r in &results {
            match r {
                Ok(e) => {
                    assert!(e.score.is_finite());
                    scored += 1;
                }
                Err(_) => failed += 1,
            }
        }
        let expected: Vec<Value> = results.iter().map(outcome).collect();
        cases.push(json!({ "ruleset": toml, "records": records, "expected": expected }));
    }
    // The draws must exercise scoring, not only errors.
    let errors: Vec<&Value> = cases.iter().filter_map(|c| c.get("load_errors")).collect();
    assert!(
        loaded * 2 > CASES,
        "{loaded} of {CASES} rulesets loaded: {errors:?}"
    );
    assert!(scored > failed / 2, "{scored} scored, {failed} failed");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/differential");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("cases.json"),
        serde_json::to_string(&json!({ "cases": cases })).unwrap(),
    )
    .unwrap();
    println!(
        "differential: {} cases ({loaded} rulesets load), {scored} records scored, {failed} errors",
        cases.len()
    );
}
