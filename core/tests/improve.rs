//! Decomposition and improvement plans on the shipped rulesets and their example data: the lines
//! add up to every unit's total, and every plan, made on the record and scored again by the
//! engine, gives exactly the score and grade it promises; on a small ruleset the plans are the
//! cheapest a brute force over every record finds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use qinglian::{
    read_records, Batch, Cell, ImproveOptions, LineKind, Record, RecordError, Ruleset, Search,
    Status, VetoEffect,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load(rules: &str, data: &str) -> (Ruleset, Vec<Result<Record, RecordError>>) {
    let ruleset = Ruleset::load(root().join(rules)).unwrap();
    let rows = read_records(root().join(data)).unwrap();
    (ruleset, rows)
}

const SHIPPED: [(&str, &str); 8] = [
    ("rules/village.toml", "examples/data/villages.csv"),
    (
        "rules/private-enterprise.toml",
        "examples/data/private-enterprises.csv",
    ),
    ("rules/hospital.toml", "examples/data/hospitals.csv"),
    ("rules/school.toml", "examples/data/schools.csv"),
    ("rules/soe.toml", "examples/data/soes.csv"),
    (
        "rules/transport.toml",
        "examples/data/transport-projects.csv",
    ),
    (
        "rules/government-organ.toml",
        "examples/data/government-organs.csv",
    ),
    ("rules/city-index.toml", "examples/data/city-districts.csv"),
];

#[test]
fn every_decomposition_adds_up_to_the_score() {
    for (rules, data) in SHIPPED {
        let (ruleset, rows) = load(rules, data);
        let batch = Batch::from_rows(&ruleset, &rows);
        let units = ruleset.decompose(&batch, 3);
        let evaluations = ruleset.evaluate_batch(&batch);
        assert_eq!(units.len(), batch.len());
        let tolerance = 1e-9 * ruleset.max_total().max(1.0);
        let mut vetoed = 0;
        for (unit, evaluation) in units.iter().zip(&evaluations) {
            let Ok(e) = evaluation else {
                assert!(unit.error.is_some() && unit.lines.is_empty());
                continue;
            };
            let sum: f64 = unit.lines.iter().map(|l| l.contribution).sum();
            assert!(
                (sum - unit.score).abs() <= tolerance,
                "{rules} {:?}: lines add to {sum}, score {}",
                unit.id,
                unit.score
            );
            assert_eq!(unit.score.to_bits(), e.score.to_bits());
            // The indicator lines are the audit trail's own contributions.
            for line in unit.lines.iter().filter(|l| l.kind == LineKind::Indicator) {
                let node = e.node(&line.path).unwrap();
                assert_eq!(
                    line.contribution, node.contribution,
                    "{rules} {}",
                    line.path
                );
                assert_eq!(line.score, node.score);
                let ranked = matches!(node.status, Status::Scored | Status::Zeroed);
                assert_eq!(
                    line.rank >= 1 && line.rank <= line.of,
                    ranked,
                    "{rules} {}",
                    line.path
                );
            }
            if e.vetoes.iter().any(|v| v.effect == VetoEffect::Zero) {
                vetoed += 1;
                let veto = unit
                    .lines
                    .iter()
                    .find(|l| l.kind == LineKind::Veto)
                    .unwrap();
                assert_eq!(veto.contribution, -(e.base_score + e.bonus_score));
            }
            assert!(unit.strengths.len() <= 3 && unit.weaknesses.len() <= 3);
            for w in &unit.weaknesses {
                let line = unit.lines.iter().find(|l| &l.path == w).unwrap();
                assert!(line.score < line.max, "{rules}: a weakness lost no points");
                assert!(!unit.strengths.contains(w));
            }
        }
        if rules.contains("private") {
            assert!(vetoed > 0, "the enterprises include bribery vetoes");
        }
    }
}

#[test]
fn strengths_are_better_ranked_than_weaknesses() {
    let (ruleset, rows) = load("rules/village.toml", "examples/data/villages.csv");
    let batch = Batch::from_rows(&ruleset, &rows);
    let units = ruleset.decompose(&batch, 2);
    let mut seen = 0;
    for unit in &units {
        let place = |p: &str| {
            let l = unit.lines.iter().find(|l| l.path == p).unwrap();
            f64::from(l.rank - 1) / f64::from(l.of)
        };
        for s in &unit.strengths {
            for w in &unit.weaknesses {
                assert!(place(s) <= place(w), "{:?}: {s} vs {w}", unit.id);
                seen += 1;
            }
        }
        // A rank counts the valid rows scoring strictly better.
        for line in unit.lines.iter().filter(|l| l.rank > 0) {
            let better = units
                .iter()
                .filter_map(|u| u.lines.iter().find(|l| l.path == line.path))
                .filter(|l| l.rank > 0 && l.score > line.score)
                .count();
            assert_eq!(line.rank as usize, better + 1);
        }
    }
    assert!(seen > 100);
}

/// Scores a plan's changes on the unit's record against the cohort, as a user would.
fn check_plan(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    record: &Record,
    plan: &qinglian::ImprovementPlan,
    cohort: &qinglian::Cohort,
) {
    let mut changed = record.clone();
    for (input, value) in plan.changes() {
        let cell = match value {
            serde_json::Value::Bool(b) => Cell::Bool(b),
            serde_json::Value::Number(n) => Cell::Number(n.as_f64().unwrap()),
            serde_json::Value::String(s) => Cell::Text(s),
            other => panic!("unexpected value {other}"),
        };
        changed.fields.insert(input, cell);
    }
    let e = ruleset.evaluate_against(&changed, cohort).unwrap().unwrap();
    assert_eq!(
        e.score.to_bits(),
        plan.score_after.to_bits(),
        "{:?}: plan says {}, engine {}",
        plan.id,
        plan.score_after,
        e.score
    );
    assert_eq!(e.grade, plan.grade_after, "{:?}", plan.id);
    let grades = ruleset.grade_names();
    let rank = |g: &Option<String>| g.as_ref().and_then(|g| grades.iter().position(|x| x == g));
    if plan.reachable {
        assert!(rank(&plan.grade_after) <= rank(&plan.target) || plan.target.is_none());
        assert!(rank(&plan.grade_after).is_some());
    }
    // The steps' points add up to the gain, and each step changes a different input.
    let gain: f64 = plan.steps.iter().map(|s| s.points).sum();
    assert!((gain - (plan.score_after - plan.score_before)).abs() <= 1e-9);
    let mut inputs: Vec<&str> = plan.steps.iter().map(|s| s.input.as_str()).collect();
    inputs.sort_unstable();
    inputs.dedup();
    assert_eq!(inputs.len(), plan.steps.len());
    let _ = batch;
}

#[test]
fn every_plan_is_what_the_engine_scores() {
    for (rules, data) in SHIPPED.iter().take(3) {
        let (ruleset, rows) = load(rules, data);
        let batch = Batch::from_rows(&ruleset, &rows);
        let cohort = ruleset.fit(&batch);
        let (mut reachable, mut unreachable, mut exact) = (0, 0, 0);
        for (row, record) in rows.iter().enumerate() {
            let Ok(record) = record else { continue };
            let plan = ruleset
                .improve_row_against(&batch, row, &ImproveOptions::new(), &cohort)
                .unwrap();
            check_plan(&ruleset, &batch, record, &plan, &cohort);
            if plan.target.is_some() && plan.grade_before != plan.target {
                if plan.reachable {
                    reachable += 1;
                    assert!(!plan.steps.is_empty());
                } else {
                    unreachable += 1;
                }
            }
            exact += usize::from(plan.search == Search::Exact);
        }
        assert!(reachable > 10, "{rules}: {reachable} reachable");
        assert!(exact > 10, "{rules}: {exact} exact");
        let _ = unreachable;
    }
}

#[test]
fn a_village_with_negative_events_must_clear_them_for_the_title() {
    let (ruleset, rows) = load("rules/village.toml", "examples/data/villages.csv");
    let batch = Batch::from_rows(&ruleset, &rows);
    let cohort = ruleset.fit(&batch);
    let mut seen = 0;
    for (row, record) in rows.iter().enumerate() {
        let record = record.as_ref().unwrap();
        let text = |f: &str| match record.get(f) {
            Some(Cell::Text(t)) => t.clone(),
            other => format!("{other:?}"),
        };
        let events = text("negative_events_2y") != "0";
        let punished = text("cadre_punished") == "true";
        let options = ImproveOptions::new().target("清廉村社");
        let plan = ruleset
            .improve_row_against(&batch, row, &options, &cohort)
            .unwrap();
        check_plan(&ruleset, &batch, record, &plan, &cohort);
        assert!(plan.reachable, "{:?}", plan.id);
        if plan.grade_before.as_deref() == Some("清廉村社") {
            continue;
        }
        let step = |input: &str| plan.steps.iter().find(|s| s.input == input);
        if events {
            let s = step("negative_events_2y").unwrap();
            assert_eq!(s.kind, qinglian::StepKind::Grade);
            assert_eq!(s.to, serde_json::json!(0.0));
            seen += 1;
        }
        if punished {
            let s = step("cadre_punished").unwrap();
            assert_eq!(s.kind, qinglian::StepKind::Veto);
            assert_eq!(s.to, serde_json::json!(false));
        }
    }
    assert!(seen > 0);
}

#[test]
fn a_veto_that_cannot_be_lifted_makes_the_target_unreachable() {
    let (ruleset, rows) = load(
        "rules/private-enterprise.toml",
        "examples/data/private-enterprises.csv",
    );
    let batch = Batch::from_rows(&ruleset, &rows);
    let row = (0..batch.len())
        .find(|&r| ruleset.score(&batch).vetoes(r).next().is_some())
        .unwrap();
    // Only the inputs outside every veto's condition may change.
    let costs: BTreeMap<String, f64> = ruleset
        .inputs()
        .iter()
        .filter(|i| i.name != "bribery_cases" && i.name != "serious_violations")
        .map(|i| (i.name.clone(), 1.0))
        .collect();
    let plan = ruleset
        .improve_row(&batch, row, &ImproveOptions::new().costs(costs))
        .unwrap();
    assert!(!plan.reachable);
    let blocked = plan.blocked_by.unwrap();
    assert_eq!(blocked.kind, qinglian::StepKind::Veto);
    assert!(plan.steps.is_empty());
}

#[test]
fn bad_arguments_are_errors_that_say_what() {
    let (ruleset, rows) = load("rules/village.toml", "examples/data/villages.csv");
    let batch = Batch::from_rows(&ruleset, &rows);
    let e = ruleset
        .improve(&batch, "NOPE", &ImproveOptions::new())
        .unwrap_err();
    assert!(e.message.contains("NOPE"), "{}", e.message);
    let e = ruleset
        .improve(&batch, "V001", &ImproveOptions::new().target("金牌"))
        .unwrap_err();
    assert!(e.message.contains("金牌") && e.message.contains("达标"));
    let costs = BTreeMap::from([("no_such_input".to_string(), 1.0)]);
    let e = ruleset
        .improve(&batch, "V001", &ImproveOptions::new().costs(costs))
        .unwrap_err();
    assert!(e.message.contains("no_such_input"));
    let costs = BTreeMap::from([("livestream".to_string(), -1.0)]);
    assert!(ruleset
        .improve(&batch, "V001", &ImproveOptions::new().costs(costs))
        .is_err());
    assert!(ruleset
        .improve_row(&batch, 10_000, &ImproveOptions::new())
        .is_err());
}

const SMALL: &str = r#"
[ruleset]
id = "small"
name = "小型"
version = "1"
scale = 20

[[input]]
name = "open"
type = "boolean"
label = "公开"

[[input]]
name = "cases"
type = "count"
label = "案件数"
max = 4

[[input]]
name = "months"
type = "count"
label = "月数"
max = 12

[[input]]
name = "trained"
type = "boolean"
label = "培训"

[[indicator]]
id = "open"
name = "公开"
points = 4
scorer = { type = "clause", when = "open" }

[[indicator]]
id = "cases"
name = "案件"
points = 6
scorer = { type = "per_occurrence", count = "cases", per = 2 }

[[indicator]]
id = "months"
name = "月度"
points = 5
scorer = { type = "threshold", value = "months", direction = "higher", bands = [ { at = 12, share = 1.0 }, { at = 9, share = 0.6 }, { at = 6, share = 0.2 } ] }

[[indicator]]
id = "trained"
name = "培训"
points = 5
scorer = { type = "clause", when = "trained" }

[[grade]]
name = "优秀"
min = 18
when = "cases == 0"
[[grade]]
name = "良好"
min = 14
[[grade]]
name = "合格"
min = 8
[[grade]]
name = "不合格"
min = 0
"#;

fn small_record(id: usize, open: bool, cases: f64, months: f64, trained: bool) -> Record {
    Record::new()
        .with("id", format!("S{id}").as_str())
        .with("open", open)
        .with("cases", cases)
        .with("months", months)
        .with("trained", trained)
}

/// Every record of the small ruleset's domain.
fn domain() -> Vec<Record> {
    let mut out = Vec::new();
    for open in [false, true] {
        for cases in 0..=4 {
            for months in 0..=12 {
                for trained in [false, true] {
                    out.push(small_record(
                        out.len(),
                        open,
                        f64::from(cases),
                        f64::from(months),
                        trained,
                    ));
                }
            }
        }
    }
    out
}

fn num(r: &Record, f: &str) -> f64 {
    match r.get(f) {
        Some(Cell::Number(x)) => *x,
        Some(Cell::Bool(b)) => f64::from(u8::from(*b)),
        _ => panic!(),
    }
}

#[test]
fn plans_on_a_small_ruleset_are_the_cheapest_a_brute_force_finds() {
    let ruleset = Ruleset::from_toml(SMALL).unwrap();
    let all = domain();
    let scored = ruleset.score(&Batch::from_records(&ruleset, &all));
    let grades = ruleset.grade_names();
    let costs = BTreeMap::from([
        ("open".to_string(), 3.0),
        ("cases".to_string(), 2.5),
        ("months".to_string(), 0.75),
        ("trained".to_string(), 4.0),
    ]);
    let fields = ["open", "cases", "months", "trained"];
    let mut checked = 0;
    // Every other record of the domain as the unit, each with both cost rules.
    for (u, unit) in all.iter().enumerate().step_by(2) {
        let batch = Batch::from_records(&ruleset, std::slice::from_ref(unit));
        let Some(now) = scored.grade(u) else { continue };
        for targets in (0..now).rev() {
            for user_costs in [false, true] {
                let mut options = ImproveOptions::new().target(grades[targets]);
                if user_costs {
                    options = options.costs(costs.clone());
                }
                let plan = ruleset.improve_row(&batch, 0, &options).unwrap();
                assert_eq!(plan.search, Search::Exact);
                // The brute force: the cheapest record of the domain reaching the target.
                let mut best = f64::INFINITY;
                for (r, other) in all.iter().enumerate() {
                    if scored.grade(r).is_none_or(|g| g > targets) {
                        continue;
                    }
                    let cost = if user_costs {
                        fields
                            .iter()
                            .map(|f| costs[*f] * (num(other, f) - num(unit, f)).abs())
                            .sum::<f64>()
                    } else {
                        // Points recovered, by changes that lose nothing elsewhere.
                        let worse = (0..4).any(|i| {
                            scored.indicator_scores(i).unwrap()[r]
                                < scored.indicator_scores(i).unwrap()[u]
                        });
                        if worse {
                            continue;
                        }
                        scored.totals()[r] - scored.totals()[u]
                    };
                    best = best.min(cost);
                }
                assert!(plan.reachable, "{u} → {}", grades[targets]);
                assert!(
                    (plan.cost - best).abs() < 1e-9,
                    "{u} → {} (costs {user_costs}): plan {} vs brute force {best}: {:?}",
                    grades[targets],
                    plan.cost,
                    plan.steps
                );
                let changed = {
                    let mut r = unit.clone();
                    for (k, v) in plan.changes() {
                        let cell = match v {
                            serde_json::Value::Bool(b) => Cell::Bool(b),
                            v => Cell::Number(v.as_f64().unwrap()),
                        };
                        r.fields.insert(k, cell);
                    }
                    r
                };
                let e = ruleset.evaluate(&changed).unwrap();
                assert_eq!(e.score, plan.score_after);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn shared_results_for_python_and_javascript() {
    let (ruleset, rows) = load("rules/village.toml", "examples/data/villages.csv");
    let batch = Batch::from_rows(&ruleset, &rows);
    let dir = root().join("target/improve");
    std::fs::create_dir_all(&dir).unwrap();
    let costs = BTreeMap::from([
        ("livestream".to_string(), 2.0),
        ("irregular_contracts".to_string(), 1.0),
        ("finance_disclosure_months".to_string(), 0.5),
        ("substantiated_petitions".to_string(), 3.0),
        ("negative_events_2y".to_string(), 5.0),
    ]);
    let plans = serde_json::json!({
        "V003": ruleset.improve(&batch, "V003", &ImproveOptions::new()).unwrap().to_json(),
        "V004": ruleset.improve(&batch, "V004", &ImproveOptions::new().target("清廉村社")).unwrap().to_json(),
        "V010": ruleset.improve(&batch, "V010", &ImproveOptions::new().costs(costs)).unwrap().to_json(),
    });
    let units = ruleset.decompose(&batch, 3);
    let decomposition = serde_json::to_value(&units[..20]).unwrap();
    std::fs::write(
        dir.join("village.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "plans": plans, "decomposition": decomposition
        }))
        .unwrap(),
    )
    .unwrap();
}

/// Fourteen yes/no items of 5 points: 2^14 combinations, more than an exact search scores.
fn many_items() -> Ruleset {
    let mut text =
        String::from("[ruleset]\nid = \"many\"\nname = \"多项\"\nversion = \"1\"\nscale = 70\n");
    for i in 0..14 {
        text.push_str(&format!(
            "[[input]]\nname = \"item{i}\"\ntype = \"boolean\"\nlabel = \"事项{i}\"\n\
             [[indicator]]\nid = \"item{i}\"\nname = \"指标{i}\"\npoints = 5\n\
             scorer = {{ type = \"clause\", when = \"item{i}\" }}\n"
        ));
    }
    text.push_str("[[grade]]\nname = \"优秀\"\nmin = 60\n[[grade]]\nname = \"合格\"\nmin = 0\n");
    Ruleset::from_toml(&text).unwrap()
}

#[test]
fn a_large_search_is_greedy_and_keeps_no_step_it_can_do_without() {
    let ruleset = many_items();
    let mut record = Record::new().with("id", "U1");
    for i in 0..14 {
        record = record.with(&format!("item{i}"), i == 3);
    }
    let batch = Batch::from_records(&ruleset, std::slice::from_ref(&record));
    let plan = ruleset
        .improve(&batch, "U1", &ImproveOptions::new())
        .unwrap();
    assert_eq!(plan.search, Search::Greedy);
    assert!(plan.reachable);
    assert_eq!((plan.score_before, plan.score_after), (5.0, 60.0));
    assert_eq!(plan.steps.len(), 11);
    assert_eq!(plan.cost, 55.0);
    // Costs per input: the eleven cheapest items, as an exact search would choose.
    let costs: BTreeMap<String, f64> = (0..14)
        .map(|i| (format!("item{i}"), f64::from(14 - i)))
        .collect();
    let plan = ruleset
        .improve(&batch, "U1", &ImproveOptions::new().costs(costs.clone()))
        .unwrap();
    assert_eq!(plan.search, Search::Greedy);
    let mut cheapest: Vec<f64> = (0..14)
        .filter(|&i| i != 3)
        .map(|i| costs[&format!("item{i}")])
        .collect();
    cheapest.sort_by(f64::total_cmp);
    assert_eq!(plan.cost, cheapest[..11].iter().sum::<f64>());
    let e = ruleset
        .evaluate(&{
            let mut r = record.clone();
            for (k, v) in plan.changes() {
                r.fields.insert(k, Cell::Bool(v.as_bool().unwrap()));
            }
            r
        })
        .unwrap();
    assert_eq!(e.score, plan.score_after);
    assert_eq!(e.grade.as_deref(), Some("优秀"));
    // No step can be left out.
    for left_out in &plan.steps {
        let mut r = record.clone();
        for s in plan.steps.iter().filter(|s| s.input != left_out.input) {
            r.fields
                .insert(s.input.clone(), Cell::Bool(s.to.as_bool().unwrap()));
        }
        assert_ne!(ruleset.evaluate(&r).unwrap().grade.as_deref(), Some("优秀"));
    }
}

#[test]
fn a_required_change_moves_further_when_its_points_are_cheap() {
    let (ruleset, mut rows) = load("rules/hospital.toml", "examples/data/hospitals.csv");
    // H001 with four red-envelope cases: the veto caps it at 合格, and each case costs 4 points.
    let record = rows[0].as_mut().unwrap();
    record
        .fields
        .insert("red_envelope_cases".into(), Cell::Number(4.0));
    let record = record.clone();
    let batch = Batch::from_rows(&ruleset, &rows);
    let cohort = ruleset.fit(&batch);
    let step = |plan: &qinglian::ImprovementPlan| {
        plan.steps
            .iter()
            .find(|s| s.input == "red_envelope_cases")
            .cloned()
            .unwrap()
    };
    let plan = ruleset
        .improve(&batch, "H001", &ImproveOptions::new().target("优秀"))
        .unwrap();
    check_plan(&ruleset, &batch, &record, &plan, &cohort);
    assert!(plan.reachable);
    let lifted = step(&plan);
    assert_eq!(lifted.kind, qinglian::StepKind::Veto);
    assert_eq!(lifted.to, serde_json::json!(2.0));
    // Cheap to reduce, dear to change anything else: fewer cases still, for their points.
    let costs = BTreeMap::from([
        ("red_envelope_cases".to_string(), 0.1),
        ("g_disclosure".to_string(), 5.0),
        ("g_culture".to_string(), 5.0),
    ]);
    let plan = ruleset
        .improve(
            &batch,
            "H001",
            &ImproveOptions::new().target("优秀").costs(costs),
        )
        .unwrap();
    check_plan(&ruleset, &batch, &record, &plan, &cohort);
    assert!(plan.reachable);
    assert_eq!(plan.steps.len(), 1);
    let further = step(&plan);
    assert_eq!(further.kind, qinglian::StepKind::Veto);
    assert!(further.to.as_f64().unwrap() < 2.0, "{:?}", further.to);
    assert!((plan.cost - 0.1 * (4.0 - further.to.as_f64().unwrap())).abs() < 1e-12);
}
