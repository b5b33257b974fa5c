//! The ruleset file as written: serde structures that mirror the TOML, with source spans kept so
//! that validation can point at line:column. Nothing here is checked beyond TOML shape.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub(crate) type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesetDoc {
    pub ruleset: Spanned<MetaDef>,
    #[serde(default)]
    pub input: Vec<Spanned<InputDef>>,
    #[serde(default)]
    pub indicator: Vec<Spanned<IndicatorDef>>,
    #[serde(default)]
    pub grade: Vec<Spanned<GradeDef>>,
    pub bonus: Option<Spanned<BonusDef>>,
    #[serde(default)]
    pub veto: Vec<Spanned<VetoDef>>,
    #[serde(default)]
    pub quota: Vec<Spanned<QuotaDef>>,
    #[serde(default)]
    pub equivalence: Vec<Spanned<EquivalenceDef>>,
    #[serde(default)]
    pub alert: Vec<Spanned<AlertDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetaDef {
    pub id: Text,
    pub name: String,
    pub name_en: Option<String>,
    pub version: String,
    pub issuer: Option<String>,
    pub issuer_en: Option<String>,
    pub description: Option<String>,
    pub description_en: Option<String>,
    pub scale: Spanned<f64>,
    pub aggregate: Option<Text>,
    pub exponent: Option<Spanned<f64>>,
    pub missing: Option<Text>,
    pub points_check: Option<bool>,
    pub id_field: Option<String>,
    pub name_field: Option<String>,
    #[serde(default)]
    pub id_aliases: Vec<String>,
    #[serde(default)]
    pub name_aliases: Vec<String>,
    #[serde(default)]
    pub other_fields: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputDef {
    pub name: Text,
    #[serde(rename = "type")]
    pub kind: Text,
    pub label: Option<String>,
    pub label_en: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub unit: Option<String>,
    pub unit_en: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub values: Option<Vec<String>>,
    pub values_en: Option<Vec<String>>,
    #[serde(default)]
    pub required: bool,
    pub description: Option<String>,
    pub description_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndicatorDef {
    pub id: Text,
    pub name: String,
    pub name_en: Option<String>,
    pub points: Option<Spanned<f64>>,
    pub weight: Option<Spanned<f64>>,
    pub aggregate: Option<Text>,
    pub exponent: Option<Spanned<f64>>,
    pub missing: Option<Text>,
    pub min_coverage: Option<Spanned<f64>>,
    #[serde(default)]
    pub bonus: bool,
    pub zero_when: Option<Text>,
    pub zero_reason: Option<String>,
    pub zero_reason_en: Option<String>,
    pub scorer: Option<Spanned<ScorerDef>>,
    pub description: Option<String>,
    pub description_en: Option<String>,
}

/// All scorer fields in one flat table: the `type` decides which are used. (A flat struct keeps
/// source spans, which serde's tagged enums would lose.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScorerDef {
    #[serde(rename = "type")]
    pub kind: Text,
    pub when: Option<Text>,
    pub count: Option<Text>,
    pub per: Option<Spanned<f64>>,
    pub cap: Option<Spanned<f64>>,
    pub floor: Option<Spanned<f64>>,
    pub tiers: Option<Vec<Spanned<TierDef>>>,
    pub input: Option<Text>,
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
    pub value: Option<Text>,
    pub direction: Option<Text>,
    pub bands: Option<Vec<Spanned<BandDef>>>,
    pub points: Option<Spanned<Vec<(f64, f64)>>>,
    pub lo: Option<Spanned<f64>>,
    pub hi: Option<Spanned<f64>>,
    pub target: Option<Spanned<f64>>,
    pub tolerance: Option<Spanned<f64>>,
    pub worst: Option<Spanned<f64>>,
    pub best: Option<Spanned<f64>>,
    pub shares: Option<Spanned<BTreeMap<String, f64>>>,
    pub not_applicable: Option<Vec<String>>,
    pub codes: Option<Spanned<BTreeMap<String, f64>>>,
    pub excluded: Option<Vec<String>>,
    pub scale: Option<Spanned<f64>>,
    pub min_valid: Option<Spanned<f64>>,
    pub periods: Option<Vec<Text>>,
    pub criteria: Option<Vec<Text>>,
    pub likelihood: Option<Text>,
    pub severity: Option<Text>,
    pub step: Option<Spanned<f64>>,
    pub expr: Option<Text>,
    pub method: Option<Text>,
    pub mean: Option<Spanned<f64>>,
    pub sd: Option<Spanned<f64>>,
    pub constant: Option<Text>,
    /// The unit whose value a `distance_to_reference` normalisation measures against.
    pub reference: Option<Text>,
    pub impute: Option<Text>,
    /// A method name or a table of the method and its parameters, read by hand so that each
    /// mistake names its place.
    pub treat: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierDef {
    pub name: String,
    pub name_en: Option<String>,
    pub count: Option<Text>,
    pub per: Option<f64>,
    pub when: Option<Text>,
    #[serde(default)]
    pub zero: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BandDef {
    pub at: f64,
    pub share: f64,
    pub label: Option<String>,
    pub label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GradeDef {
    pub name: String,
    pub name_en: Option<String>,
    pub min: f64,
    pub when: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BonusDef {
    pub cap: f64,
    pub when: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VetoDef {
    pub id: Text,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub when: Text,
    pub effect: Text,
    pub grade: Option<Text>,
    pub reason: String,
    pub reason_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuotaDef {
    pub name: String,
    pub name_en: Option<String>,
    pub top: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EquivalenceDef {
    pub input: Text,
    pub when: Text,
    pub value: Text,
    pub reason: String,
    pub reason_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertDef {
    pub id: Text,
    pub level: Text,
    pub when: Text,
    pub message: Text,
    pub message_en: Option<Text>,
}
