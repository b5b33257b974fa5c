//! The harmonic and power (generalised) means of a group, and COINr's treatment of missing
//! children under them: hand-computed values, load errors, and the properties of a power mean
//! (p = 1 is the arithmetic mean, p = 0 the geometric one; it lies between the lowest and the
//! highest share, and grows with p).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use qinglian::{Batch, Record, Ruleset};

/// A ruleset whose root has one group `g` of three leaves with the given weights, each scoring
/// `x`, `y` or `z` onto 0–100 points (share = value / 100), and a leaf of no points that keeps
/// a record scorable when `g` is missing.
fn group(aggregate: &str, extra: &str, weights: [f64; 3]) -> Ruleset {
    let mut text = format!(
        "[ruleset]\nid = \"t\"\nname = \"测试\"\nversion = \"1\"\nscale = 100\nmissing = \"reweight\"\n\
         [[input]]\nname = \"x\"\ntype = \"number\"\n[[input]]\nname = \"y\"\ntype = \"number\"\n\
         [[input]]\nname = \"z\"\ntype = \"number\"\n\
         [[indicator]]\nid = \"k\"\nname = \"常数\"\npoints = 0\nscorer = {{ type = \"formula\", expr = \"0\" }}\n\
         [[indicator]]\nid = \"g\"\nname = \"组\"\npoints = 100\naggregate = \"{aggregate}\"\n{extra}\n"
    );
    for (leaf, w) in ["x", "y", "z"].iter().zip(weights) {
        text.push_str(&format!(
            "[[indicator]]\nid = \"g.{leaf}\"\nname = \"{leaf}\"\nweight = {w:?}\n\
             scorer = {{ type = \"goalposts\", value = \"{leaf}\", lo = 0, hi = 100 }}\n"
        ));
    }
    Ruleset::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn record(x: Option<f64>, y: Option<f64>, z: Option<f64>) -> Record {
    let mut r = Record::new().with("id", "u");
    for (name, v) in [("x", x), ("y", y), ("z", z)] {
        if let Some(v) = v {
            r = r.with(name, v);
        }
    }
    r
}

/// The group's points and status word.
fn points(ruleset: &Ruleset, r: &Record) -> (f64, String) {
    let e = ruleset.evaluate(r).unwrap();
    let g = e.node("g").unwrap();
    let status = serde_json::to_value(g.status).unwrap();
    (g.score, status.as_str().unwrap().to_string())
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

const W: [f64; 3] = [1.0, 2.0, 1.0];

#[test]
fn harmonic_mean_by_hand() {
    let r = group("harmonic", "", W);
    // Shares 0.8, 0.5, 0.2 with weights 1, 2, 1: 4 / (1/0.8 + 2/0.5 + 1/0.2) = 4 / 10.25.
    let (s, _) = points(&r, &record(Some(80.0), Some(50.0), Some(20.0)));
    assert!(near(s, 100.0 * 4.0 / 10.25), "{s}");
    // One child at 0 makes the group 0 (the limit as its share → 0), as under `geomean`.
    let (s, st) = points(&r, &record(Some(80.0), Some(0.0), Some(20.0)));
    assert_eq!((s, st.as_str()), (0.0, "scored"));
}

#[test]
fn power_mean_by_hand() {
    let rec = record(Some(80.0), Some(50.0), Some(20.0));
    // p = 2: √((0.64 + 2·0.25 + 0.04) / 4) = √0.295.
    let (s, _) = points(&group("power", "exponent = 2", W), &rec);
    assert!(near(s, 100.0 * 0.295_f64.sqrt()), "{s}");
    // p = 0: the geometric mean, 0.8^¼ · 0.5^½ · 0.2^¼ = √0.2.
    let (s, _) = points(&group("power", "exponent = 0", W), &rec);
    assert!(near(s, 100.0 * 0.2_f64.sqrt()), "{s}");
    let (g, _) = points(&group("geomean", "", W), &rec);
    assert_eq!(s, g, "exponent 0 is the geometric mean, to the bit");
    // p = 1: the arithmetic mean (0.8 + 1.0 + 0.2) / 4.
    let (s, _) = points(&group("power", "exponent = 1", W), &rec);
    assert!(near(s, 50.0), "{s}");
    // p = −1: the harmonic mean.
    let (s, _) = points(&group("power", "exponent = -1", W), &rec);
    let (h, _) = points(&group("harmonic", "", W), &rec);
    assert_eq!(s, h);
    // A zero share: nothing under a negative exponent, its weight's worth under a positive one.
    let zero = record(Some(80.0), Some(0.0), Some(20.0));
    assert_eq!(points(&group("power", "exponent = -0.5", W), &zero).0, 0.0);
    let (s, _) = points(&group("power", "exponent = 2", W), &zero);
    assert!(near(s, 100.0 * (0.68_f64 / 4.0).sqrt()), "{s}");
}

#[test]
fn missing_children_are_dropped_and_the_weights_renormalised() {
    // y missing under `reweight`: the harmonic mean of 0.8 and 0.2 with weights 1 and 1.
    let r = group("harmonic", "", W);
    let (s, st) = points(&r, &record(Some(80.0), None, Some(20.0)));
    assert!(near(s, 100.0 * 2.0 / 6.25), "{s}");
    assert_eq!(st, "scored");
    let r = group("power", "exponent = 2", W);
    let (s, _) = points(&r, &record(Some(80.0), None, Some(20.0)));
    assert!(near(s, 100.0 * 0.34_f64.sqrt()), "{s}");
    // The group is missing only when every child is.
    let (_, st) = points(&r, &record(None, None, None));
    assert_eq!(st, "missing");
    // With a data-availability threshold: y carries half the weight, so without it the group
    // has 50 % coverage, below 60 %, and is missing itself.
    let r = group("power", "exponent = 2\nmin_coverage = 0.6", W);
    let (_, st) = points(&r, &record(Some(80.0), None, Some(20.0)));
    assert_eq!(st, "missing");
    let (s, st) = points(&r, &record(None, Some(50.0), Some(20.0)));
    assert_eq!(st, "scored");
    assert!(near(s, 100.0 * (0.54_f64 / 3.0).sqrt()), "{s}");
}

#[test]
fn exponents_are_checked_where_written() {
    let load = |aggregate: &str, extra: &str| {
        let text = format!(
            "[ruleset]\nid = \"t\"\nname = \"测试\"\nversion = \"1\"\nscale = 10\n\
             [[input]]\nname = \"x\"\ntype = \"number\"\n\
             [[indicator]]\nid = \"g\"\nname = \"组\"\npoints = 10\naggregate = \"{aggregate}\"\n{extra}\n\
             [[indicator]]\nid = \"g.x\"\nname = \"x\"\n\
             scorer = {{ type = \"goalposts\", value = \"x\", lo = 0, hi = 1 }}\n"
        );
        match Ruleset::from_toml(&text) {
            Ok(r) => r
                .warnings()
                .iter()
                .map(|d| (d.code, d.path.clone(), d.line))
                .collect::<Vec<_>>(),
            Err(e) => e
                .errors
                .iter()
                .map(|d| (d.code, d.path.clone(), d.line))
                .collect(),
        }
    };
    let g = Some("g".to_string());
    assert_eq!(
        load("power", ""),
        vec![("ruleset.missing_field", g.clone(), Some(9))]
    );
    assert_eq!(
        load("power", "exponent = 11"),
        vec![("ruleset.bad_number", g.clone(), Some(14))]
    );
    assert_eq!(
        load("power", "exponent = nan"),
        vec![("ruleset.bad_number", g.clone(), Some(14))]
    );
    assert_eq!(
        load("mean", "exponent = 2"),
        vec![("ruleset.unused_field", g.clone(), Some(14))]
    );
    assert!(load("power", "exponent = -10").is_empty());
    assert!(load("harmonic", "").is_empty());
}

#[test]
fn the_audit_trail_and_the_rules_table_say_which_mean() {
    let r = group("power", "exponent = 2", W);
    let e = r
        .evaluate(&record(Some(80.0), Some(50.0), Some(20.0)))
        .unwrap();
    let g = e.node("g").unwrap();
    assert_eq!(g.rule, "power");
    assert!(
        g.detail.zh.contains("幂平均") && g.detail.zh.contains("指数2"),
        "{:?}",
        g.detail
    );
    assert!(g.detail.en.contains("power mean") && g.detail.en.contains("exponent 2"));
    let r = group("harmonic", "", W);
    let e = r
        .evaluate(&record(Some(80.0), Some(50.0), Some(20.0)))
        .unwrap();
    let g = e.node("g").unwrap();
    assert_eq!(g.rule, "harmonic");
    assert!(g.detail.zh.contains("调和平均"), "{:?}", g.detail);
    assert!(g.detail.en.contains("harmonic mean"));
    // The 评分细则 table words the rule the same way.
    let r = group("power", "exponent = -2", W);
    let md = r.rule_table(qinglian::Lang::Zh).to_markdown();
    assert!(md.contains("幂平均（指数-2，偏重低分项"), "{md}");
    let md = r.rule_table(qinglian::Lang::En).to_markdown();
    assert!(
        md.contains("power mean of children's shares (exponent -2"),
        "{md}"
    );
    // The tree as data carries the exponent of a power group only.
    let tree = serde_json::to_value(group("power", "exponent = 0.5", W).tree()).unwrap();
    assert_eq!(tree["children"][1]["exponent"], 0.5);
    assert_eq!(tree["children"][1]["aggregate"], "power");
    let tree = serde_json::to_value(group("mean", "", W).tree()).unwrap();
    assert!(tree["children"][1].get("exponent").is_none());
}

#[test]
fn batches_and_single_records_agree() {
    // Clean chunks, chunks with missing children, and a threshold take different kernels.
    for (aggregate, extra) in [
        ("harmonic", ""),
        ("power", "exponent = 3"),
        ("power", "exponent = -2.5"),
        ("power", "exponent = 0"),
        ("power", "exponent = 2\nmin_coverage = 0.5"),
    ] {
        let r = group(aggregate, extra, W);
        let records: Vec<Record> = (0..40u32)
            .map(|i| {
                // y missing in every fifth row, everything in every thirteenth.
                let v = |k: u32| {
                    let x = f64::from((i * 37 + k * 11) % 101);
                    let gone = i % 13 == 0 || (k == 1 && i % 5 == 0);
                    (!gone).then_some(x)
                };
                record(v(0), v(1), v(2))
            })
            .collect();
        let batch = Batch::from_records(&r, &records);
        let scores = r.score(&batch);
        let g = r.indicator_paths().iter().position(|&p| p == "g").unwrap();
        let column = scores.indicator_scores(g).unwrap();
        for (i, rec) in records.iter().enumerate() {
            let (s, _) = points(&r, rec);
            assert_eq!(column[i], s, "{aggregate} {extra}: row {i}");
        }
    }
}

/// The group's points for shares `s` and weights `w`.
fn mean_of(aggregate: &str, extra: &str, s: [f64; 3], w: [f64; 3]) -> f64 {
    let r = group(aggregate, extra, w);
    points(
        &r,
        &record(Some(s[0] * 100.0), Some(s[1] * 100.0), Some(s[2] * 100.0)),
    )
    .0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn power_means_are_between_the_extremes_and_grow_with_p(
        s in prop::array::uniform3(0.01f64..1.0),
        w in prop::array::uniform3(0.1f64..5.0),
        p in -10.0f64..10.0,
        q in -10.0f64..10.0,
    ) {
        let (lo, hi) = (p.min(q), p.max(q));
        let a = mean_of("power", &format!("exponent = {lo:?}"), s, w);
        let b = mean_of("power", &format!("exponent = {hi:?}"), s, w);
        let least = s.iter().copied().fold(1.0, f64::min) * 100.0;
        let most = s.iter().copied().fold(0.0, f64::max) * 100.0;
        for m in [a, b] {
            prop_assert!(m >= least - 1e-9 && m <= most + 1e-9, "{m} outside [{least}, {most}]");
        }
        prop_assert!(a <= b + 1e-9, "p = {lo}: {a} > p = {hi}: {b}");
    }

    #[test]
    fn exponent_one_is_the_arithmetic_mean(
        s in prop::array::uniform3(0.0f64..1.0),
        w in prop::array::uniform3(0.0f64..5.0),
    ) {
        prop_assume!(w.iter().any(|&w| w > 0.0));
        let a = mean_of("power", "exponent = 1", s, w);
        let m = mean_of("mean", "", s, w);
        prop_assert!((a - m).abs() <= 1e-9, "{a} != {m}");
        let h = mean_of("harmonic", "", s, w);
        let g = mean_of("geomean", "", s, w);
        prop_assert!(h <= g + 1e-9 && g <= m + 1e-9, "harmonic {h}, geometric {g}, arithmetic {m}");
    }
}
