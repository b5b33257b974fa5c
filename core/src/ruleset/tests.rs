//! Load-time validation: each mistake gives its own error with a stable code, line and path.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::Ruleset;
use crate::error::Diagnostic;

const HEAD: &str = "[ruleset]\nid = \"t\"\nname = \"测试\"\nversion = \"1\"\nscale = 10\n\n[[input]]\nname = \"n\"\ntype = \"count\"\n[[input]]\nname = \"level\"\ntype = \"category\"\nvalues = [\"A\", \"B\"]\n";

fn errors(body: &str) -> Vec<Diagnostic> {
    match Ruleset::from_toml(&format!("{HEAD}{body}")) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    }
}

fn codes(body: &str) -> Vec<&'static str> {
    errors(body).iter().map(|d| d.code).collect()
}

const LEAF: &str = "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\nscorer = { type = \"per_occurrence\", count = \"n\", per = 1 }\n";

#[test]
fn a_valid_ruleset_loads() {
    assert!(codes(LEAF).is_empty());
}

#[test]
fn toml_syntax_errors_name_line_and_column() {
    let e = errors("\n[[indicator]\n");
    assert_eq!(e[0].code, "ruleset.toml");
    assert_eq!(e[0].line, Some(15));
}

#[test]
fn unknown_keys_are_errors_naming_the_indicator() {
    let e = errors(&format!("{LEAF}pointz = 3\n"));
    assert_eq!(
        (e[0].code, e[0].path.as_deref()),
        ("ruleset.toml", Some("a"))
    );
}

#[test]
fn duplicate_ids_and_unknown_parents() {
    assert_eq!(codes(&format!("{LEAF}{LEAF}")), ["ruleset.duplicate_id"]);
    let e = errors(&LEAF.replace("id = \"a\"", "id = \"x.a\""));
    assert!(e
        .iter()
        .any(|d| d.code == "ruleset.unknown_parent" && d.path.as_deref() == Some("x.a")));
}

#[test]
fn points_must_add_up_unless_told_otherwise() {
    assert_eq!(
        codes(&LEAF.replace("points = 10", "points = 8")),
        ["ruleset.points_mismatch"]
    );
    let relaxed = format!("{HEAD}{}", LEAF.replace("points = 10", "points = 8"))
        .replace("scale = 10", "scale = 10\npoints_check = false");
    let ruleset = Ruleset::from_toml(&relaxed).unwrap();
    assert_eq!(ruleset.warnings()[0].code, "ruleset.points_mismatch");
}

#[test]
fn scorer_mistakes() {
    assert_eq!(
        codes(&LEAF.replace("per_occurrence", "per_ocurrence")),
        ["ruleset.unknown_scorer"]
    );
    assert_eq!(
        codes(&LEAF.replace(", per = 1", "")),
        ["ruleset.missing_field"]
    );
    assert_eq!(
        codes(&LEAF.replace("per = 1", "per = 1, bands = []")),
        ["ruleset.scorer_field"]
    );
    assert_eq!(
        codes(&LEAF.replace("count = \"n\"", "count = \"level\"")),
        ["expr.type"]
    );
    assert_eq!(
        codes(&LEAF.replace("count = \"n\"", "count = \"m\"")),
        ["expr.unknown_input"]
    );
}

#[test]
fn expression_errors_point_into_the_string() {
    // `m` sits at column 50 of the scorer line: the error points at it, not at the string.
    let e = errors(&LEAF.replace("count = \"n\"", "count = \"n + m\""));
    let line = format!("{HEAD}{LEAF}")
        .lines()
        .position(|l| l.starts_with("scorer"))
        .unwrap()
        + 1;
    assert_eq!(
        (e[0].line, e[0].column, e[0].path.as_deref()),
        (Some(line), Some(50), Some("a"))
    );
}

#[test]
fn category_comparisons_are_checked_against_allowed_values() {
    let body = "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\nscorer = { type = \"clause\", when = \"level == 'C'\" }\n";
    assert_eq!(codes(body), ["expr.unknown_value"]);
}

#[test]
fn thresholds_must_be_in_order() {
    let body = "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\nscorer = { type = \"threshold\", value = \"n\", bands = [{ at = 1, share = 0.5 }, { at = 2, share = 1 }] }\n";
    assert_eq!(codes(body), ["ruleset.thresholds_out_of_order"]);
}

#[test]
fn grades_in_order_reachable_and_known_to_vetoes() {
    let grades = "\n[[grade]]\nname = \"合格\"\nmin = 6\n[[grade]]\nname = \"优秀\"\nmin = 9\n";
    assert_eq!(
        codes(&format!("{LEAF}{grades}")),
        ["ruleset.grades_out_of_order"]
    );
    let unreachable =
        "\n[[grade]]\nname = \"优秀\"\nmin = 11\n[[grade]]\nname = \"合格\"\nmin = 0\n";
    assert_eq!(
        codes(&format!("{LEAF}{unreachable}")),
        ["ruleset.unreachable_grade"]
    );
    let veto = "\n[[grade]]\nname = \"合格\"\nmin = 0\n[[veto]]\nid = \"v\"\nwhen = \"n > 3\"\neffect = \"cap_grade\"\ngrade = \"优秀\"\nreason = \"r\"\n";
    assert_eq!(codes(&format!("{LEAF}{veto}")), ["ruleset.unknown_grade"]);
}

#[test]
fn empty_trees_and_groups() {
    assert_eq!(codes(""), ["ruleset.empty_tree"]);
    let group = "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\n";
    assert_eq!(codes(group), ["ruleset.empty_group"]);
}

#[test]
fn every_error_is_collected_not_just_the_first() {
    let body = format!(
        "{}{}",
        LEAF.replace("count = \"n\"", "count = \"m\""),
        LEAF.replace("id = \"a\"", "id = \"b\"")
            .replace("per = 1", "per = -1")
    );
    let found = codes(&body);
    assert!(
        found.contains(&"expr.unknown_input") && found.contains(&"ruleset.bad_number"),
        "{found:?}"
    );
}

#[test]
fn alert_templates_are_compiled() {
    let alert =
        "\n[[alert]]\nid = \"x\"\nlevel = \"red\"\nwhen = \"n > 2\"\nmessage = \"变更{nn}次\"\n";
    assert_eq!(codes(&format!("{LEAF}{alert}")), ["expr.unknown_input"]);
    let unclosed = alert.replace("{nn}", "{n");
    assert_eq!(
        codes(&format!("{LEAF}{unclosed}")),
        ["ruleset.bad_template"]
    );
}

#[test]
fn every_shipped_ruleset_keeps_its_hash_through_its_canonical_text() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let ruleset = Ruleset::load(&path).unwrap();
        assert_eq!(ruleset.hash().len(), 64, "{}", path.display());
        let again = Ruleset::from_toml(&ruleset.to_toml()).unwrap();
        assert_eq!(again.hash(), ruleset.hash(), "{}", path.display());
        let p = ruleset.provenance();
        assert_eq!(
            (p.ruleset.as_str(), p.version.as_str(), p.hash.as_str()),
            (
                ruleset.metadata().id.as_str(),
                ruleset.metadata().version.as_str(),
                ruleset.hash()
            )
        );
        seen += 1;
    }
    assert!(seen >= 8);
}

#[test]
fn comments_do_not_change_the_hash_but_a_point_does() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rules/village.toml"
    ))
    .unwrap();
    let base = Ruleset::from_toml(&text).unwrap();
    let commented = Ruleset::from_toml(&format!(
        "# 2026年修订稿\n{}",
        text.replace("\n[[indicator]]", "\n\n# 指标\n[[indicator]]")
    ))
    .unwrap();
    assert_eq!(base.hash(), commented.hash());
    let changed = Ruleset::from_toml(&text.replacen("min = 75", "min = 76", 1)).unwrap();
    assert_ne!(base.hash(), changed.hash());
    let renamed = Ruleset::from_toml(&text.replacen(
        "name = \"小微权力清单\"",
        "name = \"小微权力清单（修订）\"",
        1,
    ))
    .unwrap();
    assert_ne!(base.hash(), renamed.hash());
}

#[test]
fn constants_that_are_not_finite_are_errors_with_a_place() {
    // Every spelling TOML has for them, in every kind of place a number can be.
    let body = "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = nan\n\
        scorer = { type = \"per_occurrence\", count = \"n\", per = -inf }\n\
        [[indicator]]\nid = \"b\"\nname = \"B\"\npoints = 10\n\
        scorer = { type = \"piecewise\", input = \"n\", points = [[0, 0], [+inf, 1]] }\n\
        [[grade]]\nname = \"优\"\nmin = -nan\n";
    let e = errors(body);
    let found: Vec<(&str, Option<usize>, Option<&str>)> = e
        .iter()
        .map(|d| (d.code, d.line, d.path.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("ruleset.bad_number", Some(18), Some("a")),
            ("ruleset.bad_number", Some(19), Some("a")),
            ("ruleset.bad_number", Some(24), Some("b")),
            ("ruleset.bad_number", Some(27), None),
        ]
    );
    assert!(e[0].message.contains("`nan`"), "{}", e[0].message);
}

#[test]
fn long_expressions_are_quoted_in_part() {
    let long = format!("n + {}", "1 + ".repeat(400_000));
    let body = format!(
        "\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\n\
         scorer = {{ type = \"formula\", expr = \"{long}\" }}\n"
    );
    let e = errors(&body);
    assert!(!e.is_empty());
    assert!(e.iter().all(|d| d.message.len() < 400), "{}", e[0].message);
}

#[test]
fn limits_bound_what_a_ruleset_may_declare() {
    use crate::Limits;
    // A chain of groups 17 levels deep, then a leaf.
    let mut body = String::new();
    let mut id = String::new();
    for level in 0..17 {
        if level > 0 {
            id.push('.');
        }
        id.push_str(&format!("g{level}"));
        body.push_str(&format!(
            "\n[[indicator]]\nid = \"{id}\"\nname = \"G\"\npoints = 10\n"
        ));
    }
    body.push_str(&format!(
        "\n[[indicator]]\nid = \"{id}.leaf\"\nname = \"L\"\npoints = 10\n\
         scorer = {{ type = \"per_occurrence\", count = \"n\", per = 1 }}\n"
    ));
    let e = errors(&body);
    assert_eq!(e[0].code, "ruleset.too_deep", "{e:?}");
    assert!(e[0].line.is_some() && e[0].message.contains("limit is 16"));
    let text = format!("{HEAD}{LEAF}");
    let tight = Limits {
        max_inputs: 1,
        ..Limits::default()
    };
    let e = Ruleset::from_toml_limited(&text, Some("r.toml"), &tight).unwrap_err();
    assert_eq!(e.errors[0].code, "ruleset.too_large");
    assert!(e.errors[0].message.contains("2 inputs; the limit is 1"));
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let e = Ruleset::from_toml_limited(&text, None, &small).unwrap_err();
    assert_eq!(e.errors[0].code, "ruleset.too_large");
    assert!(Ruleset::from_toml_limited(&text, None, &Limits::default()).is_ok());
}

const ENGLISH: &str = r#"[ruleset]
id = "t"
name = "测试"
version = "1"
scale = 20

[[input]]
name = "level"
type = "category"
values = ["好", "差", "不适用"]
values_en = ["Good", "Poor", "Not applicable"]
[[input]]
name = "minor"
type = "count"
[[input]]
name = "done"
type = "boolean"

[[indicator]]
id = "a"
name = "评价"
points = 10
scorer = { type = "levels", input = "level", shares = { "好" = 1.0, "差" = 0.0 }, not_applicable = ["不适用"] }
[[indicator]]
id = "b"
name = "问题"
points = 10
zero_when = "not done"
zero_reason = "未开展"
zero_reason_en = "not carried out"
scorer = { type = "severity", cap = 10, tiers = [{ name = "一般", name_en = "minor", count = "minor", per = 2 }] }
"#;

#[test]
fn english_names_of_values_tiers_and_zero_reasons_reach_the_english_sentences() {
    let ruleset = Ruleset::from_toml(ENGLISH).unwrap();
    assert_eq!(ruleset.inputs()[0].value_en("差"), "Poor");
    assert_eq!(ruleset.inputs()[0].value_en("其他"), "其他");
    let record: crate::Record = serde_json::from_value(serde_json::json!({
        "level": "差", "minor": 2, "done": true
    }))
    .unwrap();
    let e = ruleset.evaluate(&record).unwrap();
    let en: Vec<&str> = e.nodes.iter().map(|n| n.detail.en.as_str()).collect();
    assert!(en.iter().any(|t| t.contains("level “Poor”")), "{en:?}");
    assert!(en.iter().any(|t| t.contains("minor 2×2")), "{en:?}");
    let record: crate::Record = serde_json::from_value(serde_json::json!({
        "level": "不适用", "minor": 0, "done": false
    }))
    .unwrap();
    let e = ruleset.evaluate(&record).unwrap();
    let en: Vec<&str> = e.nodes.iter().map(|n| n.detail.en.as_str()).collect();
    assert!(
        en.iter()
            .any(|t| t.contains("“Not applicable”: not applicable")),
        "{en:?}"
    );
    assert!(
        en.iter()
            .any(|t| t.contains("item zeroed: not carried out")),
        "{en:?}"
    );
    for n in &e.nodes {
        assert!(
            !n.detail
                .en
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}",
            n.detail.en
        );
    }
}

#[test]
fn values_en_needs_one_name_per_value() {
    let text = ENGLISH.replace(
        r#"values_en = ["Good", "Poor", "Not applicable"]"#,
        r#"values_en = ["Good", "Poor"]"#,
    );
    let e = Ruleset::from_toml(&text).err().unwrap();
    assert_eq!(e.errors[0].code, "ruleset.values_en_mismatch");
    assert_eq!(e.errors[0].path.as_deref(), Some("level"));
    assert!(e.errors[0].message.contains("2 names for 3 values"));
}

#[test]
fn normalise_methods_take_their_own_fields() {
    let leaf = |scorer: &str| {
        format!("\n[[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\nscorer = {scorer}\n")
    };
    assert_eq!(
        codes(&leaf(
            "{ type = \"normalise\", value = \"n\", method = \"distance_to_target\" }"
        )),
        ["ruleset.missing_field"]
    );
    assert_eq!(
        codes(&leaf(
            "{ type = \"normalise\", value = \"n\", method = \"fraction_of_max\", target = 3 }"
        )),
        ["ruleset.scorer_field"]
    );
    assert!(codes(&leaf(
        "{ type = \"normalise\", value = \"n\", method = \"distance_to_target\", target = 3 }"
    ))
    .is_empty());
    // Ranks, Borda counts, percentile bands and above/below the mean.
    for ok in [
        "{ type = \"normalise\", value = \"n\", method = \"rank\" }",
        "{ type = \"normalise\", value = \"n\", method = \"borda\", direction = \"lower\" }",
        "{ type = \"normalise\", value = \"n\", method = \"above_mean\" }",
        "{ type = \"normalise\", value = \"n\", method = \"above_mean\", tolerance = 0 }",
        "{ type = \"normalise\", value = \"n\", method = \"distance_to_reference\", reference = \"CHN\" }",
        "{ type = \"normalise\", value = \"n\", method = \"distance_to_reference\", reference = \"CHN\", hi = 5 }",
        "{ type = \"normalise\", value = \"n\", method = \"percentile_bands\", bands = [{ at = 90, share = 1 }, { at = 0, share = 0.5 }] }",
    ] {
        assert!(codes(&leaf(ok)).is_empty(), "{ok}");
    }
    for (bad, code) in [
        ("method = \"percentile_bands\"", "ruleset.missing_field"),
        ("method = \"percentile_bands\", bands = []", "ruleset.missing_field"),
        ("method = \"percentile_bands\", bands = [{ at = 120, share = 1 }]", "ruleset.bad_number"),
        ("method = \"percentile_bands\", bands = [{ at = 10, share = 1 }, { at = 50, share = 0 }]", "ruleset.thresholds_out_of_order"),
        ("method = \"above_mean\", tolerance = 1", "ruleset.bad_range"),
        ("method = \"above_mean\", tolerance = -0.1", "ruleset.bad_range"),
        ("method = \"distance_to_reference\"", "ruleset.missing_field"),
        ("method = \"distance_to_reference\", reference = \" \"", "ruleset.missing_field"),
        ("method = \"distance_to_reference\", reference = \"CHN\", hi = 11", "ruleset.bad_range"),
        ("method = \"distance_to_reference\", reference = \"CHN\", hi = 0", "ruleset.bad_range"),
        ("method = \"distance_to_reference\", reference = \"CHN\", lo = 1", "ruleset.scorer_field"),
        ("method = \"minmax\", reference = \"CHN\"", "ruleset.scorer_field"),
        ("method = \"rank\", tolerance = 0.1", "ruleset.scorer_field"),
        ("method = \"borda\", bands = [{ at = 1, share = 1 }]", "ruleset.scorer_field"),
    ] {
        let scorer = format!("{{ type = \"normalise\", value = \"n\", {bad} }}");
        assert_eq!(codes(&leaf(&scorer)), [code], "{bad}");
    }
}
