//! The result of scoring one record: an [`Evaluation`], serialised to the stable JSON shape that
//! Rust, Python and JavaScript share (documented in `docs/evaluation-json.md`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bilingual text: Chinese first, English beside it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    pub(crate) fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// How a node was scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Status {
    /// Scored by its rule (or, for a group, from its children).
    Scored,
    /// Set to zero by a `zero_when` condition.
    Zeroed,
    /// Data missing; handled by the node's missing-data policy.
    Missing,
    /// Not applicable: left out of its parent's denominator.
    NotApplicable,
}

/// One indicator's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NodeResult {
    /// Path, e.g. `party.first_topic`.
    pub path: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Depth: 1 for 一级指标.
    pub depth: usize,
    /// Points earned.
    pub score: f64,
    /// Maximum points.
    pub max: f64,
    /// Points lost (max − score) when counted, else 0.
    pub lost: f64,
    /// Points this node adds to the total before vetoes (negative for a deduction item).
    pub contribution: f64,
    /// How it was scored.
    pub status: Status,
    /// Whether it counts in its parent's score (false when not applicable or left out).
    pub counted: bool,
    /// Whether it is a bonus (附加分) node.
    pub bonus: bool,
    /// Scorer type (leaves) or aggregation method (groups), as written in rulesets.
    pub rule: &'static str,
    /// What the rule did, in words.
    pub detail: Text,
    /// The input values the leaf read (after equivalences).
    pub inputs: BTreeMap<String, serde_json::Value>,
}

/// A node result as read back from JSON, its rule still a string (see [`Evaluation::from_json`]).
#[derive(Deserialize)]
struct NodeData {
    path: String,
    name: String,
    name_en: Option<String>,
    depth: usize,
    score: f64,
    max: f64,
    lost: f64,
    contribution: f64,
    status: Status,
    counted: bool,
    bonus: bool,
    rule: String,
    detail: Text,
    inputs: BTreeMap<String, serde_json::Value>,
}

// By hand rather than derived: a derived impl would need the input to outlive `'static` for the
// `&'static str` rule, which is instead looked up among the known names.
impl<'de> Deserialize<'de> for NodeResult {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<NodeResult, D::Error> {
        let d = NodeData::deserialize(deserializer)?;
        let rule = RULE_NAMES
            .iter()
            .find(|n| **n == d.rule)
            .copied()
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{}`", d.rule)))?;
        Ok(NodeResult {
            path: d.path,
            name: d.name,
            name_en: d.name_en,
            depth: d.depth,
            score: d.score,
            max: d.max,
            lost: d.lost,
            contribution: d.contribution,
            status: d.status,
            counted: d.counted,
            bonus: d.bonus,
            rule,
            detail: d.detail,
            inputs: d.inputs,
        })
    }
}

/// A veto that fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VetoHit {
    /// Veto id.
    pub id: String,
    /// Its effect: `zero`, `grade` or `cap_grade`.
    pub effect: crate::ruleset::VetoEffect,
    /// The grade forced or capped at.
    pub grade: Option<String>,
    /// Reason.
    pub reason: Text,
    /// The values of the inputs its condition reads.
    pub facts: BTreeMap<String, serde_json::Value>,
}

/// A bonus node's points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BonusHit {
    /// Path of the bonus node.
    pub path: String,
    /// Name.
    pub name: String,
    /// Points earned by the node (within its own cap).
    pub points: f64,
    /// Points credited to the total after the ruleset-wide cap.
    pub credited: f64,
}

/// An early warning raised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AlertHit {
    /// Alert id.
    pub id: String,
    /// Level: red, orange, yellow or blue.
    pub level: String,
    /// Message with the triggering values interpolated.
    pub message: Text,
    /// The values of the inputs its condition reads.
    pub facts: BTreeMap<String, serde_json::Value>,
}

/// What kind of thing a reason explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Points lost on an indicator.
    Deduction,
    /// An indicator zeroed.
    Zeroed,
    /// Missing data.
    Missing,
    /// Not applicable.
    NotApplicable,
    /// A substitution by an equivalence rule.
    Equivalence,
    /// Bonus points.
    Bonus,
    /// A veto.
    Veto,
    /// The grade.
    Grade,
    /// A note on the cohort the unit was measured against.
    Cohort,
}

/// A sentence a person can read, tied to an indicator where there is one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reason {
    /// Kind.
    pub kind: ReasonKind,
    /// Indicator path, if any.
    pub path: Option<String>,
    /// Points involved (lost, bonus), if any.
    pub points: Option<f64>,
    /// The sentence.
    pub text: Text,
}

/// A unit's place in the cohort of a batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CohortPlace {
    /// 1 = best total; ties share the better rank.
    pub rank: usize,
    /// Number of units scored in the cohort.
    pub of: usize,
    /// Percentile: 100 × (of − rank + 1) / of.
    pub percentile: f64,
    /// Quota tier, if the ruleset declares quotas.
    pub tier: Option<String>,
    /// English name of the quota tier.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tier_en: Option<String>,
}

/// The result of scoring one record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// The record's id.
    pub id: Option<String>,
    /// The record's display name.
    pub name: Option<String>,
    /// Ruleset id.
    pub ruleset: String,
    /// Ruleset version.
    pub ruleset_version: String,
    /// SHA-256 of the ruleset's canonical form (see [`crate::provenance`]).
    pub ruleset_hash: String,
    /// Total: tree score plus credited bonus, after vetoes.
    pub score: f64,
    /// Highest reachable total (scale + bonus cap).
    pub max_score: f64,
    /// Score of the indicator tree.
    pub base_score: f64,
    /// Bonus credited (after the ruleset-wide cap).
    pub bonus_score: f64,
    /// Grade, if any band applies.
    pub grade: Option<String>,
    /// English grade name.
    pub grade_en: Option<String>,
    /// Every indicator, parents before children.
    pub nodes: Vec<NodeResult>,
    /// Vetoes that fired.
    pub vetoes: Vec<VetoHit>,
    /// Bonus nodes that earned points.
    pub bonuses: Vec<BonusHit>,
    /// Early warnings raised.
    pub alerts: Vec<AlertHit>,
    /// Inputs that were missing.
    pub missing: Vec<String>,
    /// Readable reasons: deductions, zeroings, vetoes, bonuses, grade.
    pub reasons: Vec<Reason>,
    /// Place in the cohort (batch scoring, or scoring against a fitted cohort).
    pub cohort: Option<CohortPlace>,
    /// Warnings about the evaluation itself, e.g. cohort-dependent rules scored without a cohort.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<Text>,
}

/// Every `rule` name an evaluation can hold: scorer types and aggregations.
const RULE_NAMES: [&str; 25] = [
    "clause",
    "per_occurrence",
    "severity",
    "discretionary",
    "per_item",
    "threshold",
    "piecewise",
    "goalposts",
    "target",
    "efficacy",
    "levels",
    "survey",
    "frequency",
    "criteria",
    "risk_matrix",
    "rank",
    "normalise",
    "formula",
    "sum",
    "mean",
    "geomean",
    "min",
    "deduction",
    "harmonic",
    "power",
];

impl Evaluation {
    /// An evaluation read back from its JSON form ([`Evaluation::to_json`]): for archives and for
    /// sending results between processes.
    pub fn from_json(value: serde_json::Value) -> Result<Evaluation, serde_json::Error> {
        serde_json::from_value(value)
    }

    /// The result of one indicator by path.
    pub fn node(&self, path: &str) -> Option<&NodeResult> {
        self.nodes.iter().find(|n| n.path == path)
    }

    /// The stable JSON form.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn every_golden_evaluation_reads_back_to_the_same_json() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance/golden");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let Some(results) = doc.get("results").and_then(|r| r.as_array()) else {
                continue;
            };
            for ok in results.iter().filter_map(|r| r.get("ok")) {
                let e = Evaluation::from_json(ok.clone()).unwrap();
                assert_eq!(&e.to_json(), ok);
                seen += 1;
            }
        }
        assert!(seen > 20, "{seen}");
        assert!(Evaluation::from_json(serde_json::json!(null)).is_err());
        let mut node = results_node();
        assert_eq!(
            serde_json::from_value::<NodeResult>(node.clone())
                .unwrap()
                .rule,
            "clause"
        );
        node["rule"] = serde_json::json!("no_such_rule");
        assert!(serde_json::from_value::<NodeResult>(node).is_err());
    }

    fn results_node() -> serde_json::Value {
        serde_json::json!({
            "path": "a", "name": "甲", "name_en": null, "depth": 1, "score": 1.0, "max": 2.0,
            "lost": 1.0, "contribution": 1.0, "status": "scored", "counted": true, "bonus": false,
            "rule": "clause", "detail": {"zh": "", "en": ""}, "inputs": {}
        })
    }
}
