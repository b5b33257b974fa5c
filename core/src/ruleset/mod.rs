//! A compiled ruleset: the immutable, validated form of a TOML ruleset, ready to score records.
//!
//! [`Ruleset::from_toml`] and [`Ruleset::load`] parse and validate once; the result is `Send +
//! Sync` and never re-parses anything while scoring.

mod changes;
mod compile;
mod schema;

use crate::error::{Diagnostic, RulesetError};
use crate::expr::Expr;
use serde::Serialize;
use std::path::Path;

/// Metadata of an evaluation system.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Metadata {
    /// Stable identifier, e.g. `private-enterprise`.
    pub id: String,
    /// Display name, e.g. `清廉民营企业评价体系`.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Version of the evaluation system.
    pub version: String,
    /// Issuing body.
    pub issuer: Option<String>,
    /// English name of the issuing body.
    pub issuer_en: Option<String>,
    /// Free description.
    pub description: Option<String>,
    /// English description.
    pub description_en: Option<String>,
    /// Points of the whole tree (100, 1000, …).
    pub scale: f64,
    /// Cap of the ruleset-wide bonus (0 without a `[bonus]` table).
    pub bonus_cap: f64,
    /// Record field that identifies a unit.
    pub id_field: String,
    /// Record field with a unit's display name.
    pub name_field: String,
    /// Other headers of the id column (`编号`, `统一社会信用代码`), besides `id_field` in any
    /// capitals; see [`crate::columns`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_aliases: Vec<String>,
    /// Other headers of the name column (`单位名称`, `名称`), besides `name_field`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name_aliases: Vec<String>,
    /// Columns the data carries beside the inputs that the ruleset knows of and does not score
    /// (a group, a denominator, a year): a file with them gets no note about them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_fields: Vec<String>,
}

/// The type of a declared input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    /// Any finite number.
    Number,
    /// A whole number ≥ 0.
    Count,
    /// True or false.
    Boolean,
    /// One of the declared values.
    Category,
    /// Counts of survey answers.
    Survey,
}

impl InputType {
    /// The name as written in rulesets.
    pub fn name(self) -> &'static str {
        match self {
            InputType::Number => "number",
            InputType::Count => "count",
            InputType::Boolean => "boolean",
            InputType::Category => "category",
            InputType::Survey => "survey",
        }
    }
}

/// A declared input: a fact a unit reports. Enough to generate a form.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Input {
    /// Name used in expressions and as the record field.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// Question shown to a person.
    pub label: String,
    /// English label.
    pub label_en: Option<String>,
    /// Other column headers that hold this input (besides its name and label), e.g. the
    /// wording of last year's form; see [`crate::columns`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Unit of measure.
    pub unit: Option<String>,
    /// English unit of measure, where it differs.
    pub unit_en: Option<String>,
    /// Lowest valid value.
    pub min: Option<f64>,
    /// Highest valid value.
    pub max: Option<f64>,
    /// Allowed values (category) or answers (survey).
    pub values: Vec<String>,
    /// English names of `values`, one for each in the same order (records still use `values`).
    pub values_en: Option<Vec<String>>,
    /// Whether a record must give it.
    pub required: bool,
    /// Longer explanation.
    pub description: Option<String>,
    /// English explanation.
    pub description_en: Option<String>,
}

impl Input {
    /// The English name of one of its values: from `values_en`, else the value itself.
    pub fn value_en<'a>(&'a self, value: &'a str) -> &'a str {
        self.values_en
            .as_ref()
            .and_then(|en| {
                let i = self.values.iter().position(|v| v == value)?;
                en.get(i)
            })
            .map_or(value, String::as_str)
    }
}

/// How a group combines its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Sum of points.
    Sum,
    /// Weighted arithmetic mean of shares.
    Mean,
    /// Weighted geometric mean of shares.
    Geomean,
    /// Minimum share (non-compensatory).
    Min,
    /// Start from the maximum and subtract what each child lost.
    Deduction,
    /// Weighted harmonic mean of shares (the power mean with exponent −1).
    Harmonic,
    /// Weighted generalised (power) mean of shares with the group's exponent `p` (COINr's
    /// `a_genmean`): 1 arithmetic, 0 the geometric limit, −1 harmonic.
    Power,
}

impl Aggregate {
    /// The name as written in rulesets.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Mean => "mean",
            Aggregate::Geomean => "geomean",
            Aggregate::Min => "min",
            Aggregate::Deduction => "deduction",
            Aggregate::Harmonic => "harmonic",
            Aggregate::Power => "power",
        }
    }

    /// Whether the group weighs its children by `weight` (else by points).
    pub fn weighted(self) -> bool {
        matches!(
            self,
            Aggregate::Mean
                | Aggregate::Geomean
                | Aggregate::Min
                | Aggregate::Harmonic
                | Aggregate::Power
        )
    }
}

/// What to do when a node lacks data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Reject the record.
    Error,
    /// Score zero.
    Zero,
    /// Leave the node out; the parent re-weights over the children present.
    Reweight,
    /// Treat the node as not applicable.
    NotApplicable,
}

/// Direction of a quantitative indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// 肯定性: higher is better.
    Higher,
    /// 否定性: lower is better.
    Lower,
}

/// How a `normalise` scorer turns a value into points, from the cohort's values of it. Lower-is-
/// better values are mirrored first (as COINr multiplies by the indicator's direction).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub(crate) enum Normalisation {
    /// `lo + (x − min) / (max − min) × (hi − lo)`: the cohort's range onto `[lo, hi]` points.
    Minmax { lo: f64, hi: f64 },
    /// `mean + sd × (x − m) / s`, `m` and `s` the cohort's mean and sample standard deviation.
    Zscore { mean: f64, sd: f64 },
    /// The share of the other cohort values the value is better than, `(count below) / (n − 1)`,
    /// times the leaf's points.
    Percentile,
    /// `x / max` of the cohort (lower is better: `min / x`), times the leaf's points: COINr's
    /// fraction of the maximum.
    FractionOfMax,
    /// `(x − min) / (target − min)` (lower is better: `(max − x) / (max − target)`), capped at 1,
    /// times the leaf's points: COINr's distance to a target with `cap_max`.
    Target { target: f64 },
    /// `hi × (1 − (r − x) / (r − min))`, `r` the value of the cohort's unit `unit` (lower is
    /// better: `1 − (x − r) / (max − r)`): COINr's distance to a reference unit, the reference
    /// scoring `hi` points and better units more, up to the leaf's points.
    Reference { unit: String, hi: f64 },
    /// `1 +` the number of cohort values below the value (COINr's `n_rank`, ties at their lowest
    /// rank; lower is better: the values above), in points.
    Rank,
    /// The number of cohort values below the value (COINr's `n_borda`: the rank − 1), in points.
    Borda,
    /// A categorical scale: the share of the first band whose `at` the value's percentile rank
    /// (0–100, as `Percentile`) reaches, bands listed best first (the OECD/JRC Handbook's
    /// "categorical scales").
    PercentileBands { bands: Vec<Band> },
    /// Above or below the cohort's mean: all the points when `x / mean > 1 + tolerance`, none
    /// when it is below `1 − tolerance`, half in between (the Handbook's "indicators above or
    /// below the mean", its 1 / 0 / −1 onto the leaf's points; lower is better: mirrored).
    AboveMean { tolerance: f64 },
}

/// What a `normalise` scorer gives when the cohort's values leave nothing to normalise by (all
/// equal, or fewer than two for `zscore` and `percentile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstantCohort {
    /// The indicator is missing and its missing-data policy applies (COINr's `NaN`).
    Missing,
    /// The row gets an error.
    Error,
}

/// How a `normalise` leaf fills a missing value before normalising (COINr's `Impute`): with the
/// cohort's (or the `by` group's) mean or median of the values present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Imputation {
    /// The mean of the values present.
    Mean,
    /// The median of the values present.
    Median,
}

/// How a `normalise` leaf treats outliers before normalising (COINr's `Treat`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Treatment {
    /// While |skewness| ≥ `skew` and kurtosis ≥ `kurtosis`, the most extreme values on the side
    /// of the skew take the next value, up to `max_points` values; if the values still fail the
    /// check and `then_log`, the original values are log-transformed instead (COINr's `log_CT`).
    Winsorise {
        max_points: u32,
        skew: f64,
        kurtosis: f64,
        then_log: bool,
    },
    /// Always `ln(x − min + 0.01 × (max − min))` (COINr's `log_CT`).
    Log,
}

/// What a `normalise` leaf does to the cohort's values before normalising: impute, then treat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Preparation {
    /// How a missing value is filled.
    pub impute: Option<Imputation>,
    /// How outliers are treated.
    pub treat: Option<Treatment>,
}

impl Preparation {
    /// Whether the values are used as they are.
    pub fn is_none(&self) -> bool {
        self.impute.is_none() && self.treat.is_none()
    }
}

/// A band of a threshold, criteria or risk-matrix scorer (or of percentile bands).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Band {
    pub at: f64,
    pub share: f64,
    pub label: Option<String>,
    /// English label, for the English sentences.
    pub label_en: Option<String>,
}

/// A tier of a severity scorer.
#[derive(Clone, Debug)]
pub(crate) enum Tier {
    PerCase {
        name: String,
        name_en: Option<String>,
        count: Expr,
        per: f64,
    },
    Zero {
        name: String,
        name_en: Option<String>,
        when: Expr,
    },
}

/// The scoring rule of a leaf.
#[derive(Clone, Debug)]
pub(crate) enum Scorer {
    Clause {
        when: Expr,
    },
    PerOccurrence {
        count: Expr,
        per: f64,
        cap: f64,
        floor: f64,
    },
    Severity {
        tiers: Vec<Tier>,
        cap: f64,
    },
    Discretionary {
        input: usize,
        min: f64,
        max: f64,
    },
    PerItem {
        count: Expr,
        per: f64,
    },
    Threshold {
        value: Expr,
        direction: Direction,
        bands: Vec<Band>,
    },
    Piecewise {
        value: Expr,
        points: Vec<(f64, f64)>,
    },
    Goalposts {
        value: Expr,
        lo: f64,
        hi: f64,
        direction: Direction,
    },
    Target {
        value: Expr,
        target: f64,
        direction: Direction,
        tolerance: Option<f64>,
    },
    Efficacy {
        value: Expr,
        worst: f64,
        best: f64,
    },
    Levels {
        input: usize,
        shares: Vec<(String, f64)>,
        not_applicable: Vec<String>,
    },
    Survey {
        input: usize,
        codes: Vec<(usize, f64)>,
        excluded: Vec<usize>,
        scale: f64,
        min_valid: f64,
    },
    Frequency {
        periods: Vec<Expr>,
        min: f64,
    },
    Criteria {
        criteria: Vec<Expr>,
        bands: Vec<Band>,
    },
    RiskMatrix {
        likelihood: Expr,
        severity: Expr,
        bands: Vec<Band>,
    },
    Rank {
        value: Expr,
        direction: Direction,
        step: f64,
    },
    /// The value normalised against the cohort's values of it (min-max, z-score, percentile).
    Normalise {
        value: Expr,
        method: Normalisation,
        direction: Direction,
        /// What a cohort whose values are all equal gives.
        constant: ConstantCohort,
        /// Imputation and outlier treatment before normalising.
        prepare: Preparation,
    },
    Formula {
        expr: Expr,
    },
}

impl Scorer {
    /// The `type` name as written in rulesets.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Scorer::Clause { .. } => "clause",
            Scorer::PerOccurrence { .. } => "per_occurrence",
            Scorer::Severity { .. } => "severity",
            Scorer::Discretionary { .. } => "discretionary",
            Scorer::PerItem { .. } => "per_item",
            Scorer::Threshold { .. } => "threshold",
            Scorer::Piecewise { .. } => "piecewise",
            Scorer::Goalposts { .. } => "goalposts",
            Scorer::Target { .. } => "target",
            Scorer::Efficacy { .. } => "efficacy",
            Scorer::Levels { .. } => "levels",
            Scorer::Survey { .. } => "survey",
            Scorer::Frequency { .. } => "frequency",
            Scorer::Criteria { .. } => "criteria",
            Scorer::RiskMatrix { .. } => "risk_matrix",
            Scorer::Rank { .. } => "rank",
            Scorer::Normalise { .. } => "normalise",
            Scorer::Formula { .. } => "formula",
        }
    }

    /// The value a cohort-dependent scorer (`rank`, `normalise`) measures against the cohort's
    /// values of it.
    pub(crate) fn cohort_value(&self) -> Option<&Expr> {
        match self {
            Scorer::Rank { value, .. } | Scorer::Normalise { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The unit a `distance_to_reference` normalisation measures against.
    pub(crate) fn reference_unit(&self) -> Option<&str> {
        match self {
            Scorer::Normalise {
                method: Normalisation::Reference { unit, .. },
                ..
            } => Some(unit),
            _ => None,
        }
    }

    /// What a `normalise` scorer does to the cohort's values before normalising (nothing for
    /// other scorers: rubric scorers never impute).
    pub(crate) fn preparation(&self) -> Preparation {
        match self {
            Scorer::Normalise { prepare, .. } => *prepare,
            _ => Preparation::default(),
        }
    }

    /// Visits every expression of the scorer.
    pub(crate) fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Scorer::Clause { when } => f(when),
            Scorer::PerOccurrence { count, .. } | Scorer::PerItem { count, .. } => f(count),
            Scorer::Severity { tiers, .. } => tiers.iter().for_each(|t| match t {
                Tier::PerCase { count, .. } => f(count),
                Tier::Zero { when, .. } => f(when),
            }),
            Scorer::Threshold { value, .. }
            | Scorer::Piecewise { value, .. }
            | Scorer::Goalposts { value, .. }
            | Scorer::Target { value, .. }
            | Scorer::Efficacy { value, .. }
            | Scorer::Rank { value, .. }
            | Scorer::Normalise { value, .. } => f(value),
            Scorer::Frequency { periods, .. } => periods.iter().for_each(f),
            Scorer::Criteria { criteria, .. } => criteria.iter().for_each(f),
            Scorer::RiskMatrix {
                likelihood,
                severity,
                ..
            } => {
                f(likelihood);
                f(severity);
            }
            Scorer::Formula { expr } => f(expr),
            Scorer::Discretionary { .. } | Scorer::Levels { .. } | Scorer::Survey { .. } => {}
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Group {
        aggregate: Aggregate,
        children: Vec<usize>,
    },
    Leaf {
        scorer: Box<Scorer>,
        inputs: Vec<usize>,
    },
}

/// One node of the compiled tree; nodes are stored parents-first, the root at index 0.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub path: String,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub description_en: Option<String>,
    pub max: f64,
    pub weight: f64,
    pub bonus: bool,
    pub missing: MissingPolicy,
    pub min_coverage: Option<f64>,
    /// The exponent `p` of a `power` group (−1 for `harmonic`; unused otherwise).
    pub exponent: f64,
    pub zero_when: Option<(Expr, Option<String>)>,
    /// English of the `zero_when` reason.
    pub zero_reason_en: Option<String>,
    pub depth: usize,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub(crate) struct Grade {
    pub name: String,
    pub name_en: Option<String>,
    pub min: f64,
    pub when: Option<Expr>,
}

/// What a veto does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoEffect {
    /// The total becomes 0.
    Zero,
    /// The grade is forced.
    Grade,
    /// The grade is at best the given one.
    CapGrade,
}

#[derive(Clone, Debug)]
pub(crate) struct Veto {
    pub id: String,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub when: Expr,
    pub effect: VetoEffect,
    pub grade: Option<usize>,
    pub reason: String,
    pub reason_en: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Quota {
    pub name: String,
    pub name_en: Option<String>,
    pub top: f64,
}

#[derive(Clone, Debug)]
pub(crate) struct Equivalence {
    pub input: usize,
    pub when: Expr,
    pub value: Expr,
    pub reason: String,
    pub reason_en: Option<String>,
}

/// Alert levels, most severe first: a score table's `alert_levels` are indexes into it.
pub const ALERT_LEVELS: [&str; 4] = ["red", "orange", "yellow", "blue"];

/// A message template: literal text and `{expression}` placeholders.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    Text(String),
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub(crate) struct Alert {
    pub id: String,
    pub level: String,
    pub when: Expr,
    pub message: Vec<Piece>,
    pub message_en: Option<Vec<Piece>>,
}

/// A compiled ruleset: validated, immutable, `Send + Sync`; compile once, evaluate many.
///
/// ```
/// let ruleset = qinglian::Ruleset::from_toml(r#"
/// [ruleset]
/// id = "demo"
/// name = "示例"
/// version = "1"
/// scale = 10
///
/// [[input]]
/// name = "first_topic"
/// type = "boolean"
/// label = "建立'第一议题'制度"
///
/// [[indicator]]
/// id = "first_topic"
/// name = "第一议题"
/// points = 10
/// scorer = { type = "clause", when = "first_topic" }
/// "#).unwrap();
/// assert_eq!(ruleset.metadata().scale, 10.0);
/// assert_eq!(ruleset.inputs()[0].name, "first_topic");
/// ```
#[derive(Clone, Debug)]
pub struct Ruleset {
    pub(crate) meta: Metadata,
    pub(crate) inputs: Vec<Input>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) grades: Vec<Grade>,
    pub(crate) bonus_when: Option<Expr>,
    pub(crate) vetoes: Vec<Veto>,
    pub(crate) quotas: Vec<Quota>,
    pub(crate) equivalences: Vec<Equivalence>,
    pub(crate) alerts: Vec<Alert>,
    pub(crate) warnings: Vec<Diagnostic>,
    /// Bonus nodes not nested in another bonus node: their points make up the bonus.
    pub(crate) top_bonus: Vec<usize>,
    /// What the column kernels need beyond the tree, derived once after compiling.
    pub(crate) plan: crate::score::Plan,
    /// The TOML document as data (for `with_changes` and the canonical text).
    pub(crate) source: std::sync::Arc<toml::Table>,
    /// SHA-256 of the canonical form (see [`crate::provenance`]).
    pub(crate) hash: String,
}

/// A grade band as data.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct GradeInfo {
    /// Name, e.g. `优秀`.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Lowest total of the band.
    pub min: f64,
    /// Whether the band also has a `when` condition.
    pub conditional: bool,
}

/// A node of the indicator tree as data, for forms, reports and notebooks.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct IndicatorInfo {
    /// Path (`party.first_topic`); empty for the root.
    pub path: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Maximum points.
    pub points: f64,
    /// Weight under a weighted parent.
    pub weight: f64,
    /// Aggregation (groups) or `None` (leaves).
    pub aggregate: Option<Aggregate>,
    /// The exponent of a `power` group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exponent: Option<f64>,
    /// Scorer type (leaves).
    pub scorer: Option<&'static str>,
    /// Bonus (附加分) node.
    pub bonus: bool,
    /// Effective missing-data policy.
    pub missing: MissingPolicy,
    /// The rule as worded by the evaluation system.
    pub description: Option<String>,
    /// The rule in English.
    pub description_en: Option<String>,
    /// Inputs the leaf reads.
    pub inputs: Vec<String>,
    /// Children, in order.
    pub children: Vec<IndicatorInfo>,
}

/// Bounds on the size of a ruleset, so that one uploaded to a shared service cannot take
/// unbounded time or memory to load or score; going past one is a load error
/// (`ruleset.too_large`, `ruleset.too_deep`) saying which and where. Expressions have their own
/// fixed bounds (4096 bytes, nesting 64: `expr.too_long`, `expr.too_deep`); records theirs
/// ([`crate::RecordLimits`]: fields a record, characters a cell).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes of TOML text (default 4 MiB).
    pub max_bytes: usize,
    /// Declared inputs (default 10,000).
    pub max_inputs: usize,
    /// Indicators, bonus items included (default 10,000).
    pub max_indicators: usize,
    /// Levels of the indicator tree: segments of an indicator id (default 16; real schemes have
    /// three or four).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 << 20,
            max_inputs: 10_000,
            max_indicators: 10_000,
            max_depth: 16,
        }
    }
}

impl Ruleset {
    /// Parses and validates a ruleset from TOML text, collecting every error.
    pub fn from_toml(text: &str) -> Result<Ruleset, RulesetError> {
        compile::compile(text, None, &Limits::default())
    }

    /// Like [`Ruleset::from_toml`], naming `file` in diagnostics.
    pub fn from_toml_named(text: &str, file: &str) -> Result<Ruleset, RulesetError> {
        compile::compile(text, Some(file), &Limits::default())
    }

    /// Like [`Ruleset::from_toml_named`] with other [`Limits`] than the defaults: a service
    /// that takes rulesets from many hands may lower them, a trusted one raise them.
    pub fn from_toml_limited(
        text: &str,
        file: Option<&str>,
        limits: &Limits,
    ) -> Result<Ruleset, RulesetError> {
        compile::compile(text, file, limits)
    }

    /// Reads, parses and validates a ruleset file.
    pub fn load(path: impl AsRef<Path>) -> Result<Ruleset, RulesetError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => compile::compile(&text, Some(&file), &Limits::default()),
            Err(e) => Err(RulesetError {
                errors: vec![Diagnostic {
                    code: "ruleset.io",
                    message: format!("cannot read the file: {e}"),
                    severity: crate::error::Severity::Error,
                    file: Some(file),
                    line: None,
                    column: None,
                    path: None,
                }],
                warnings: Vec::new(),
            }),
        }
    }

    /// Metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// SHA-256 of the ruleset's canonical form, in lowercase hex: the same for two files that
    /// differ only in comments or layout (see [`crate::provenance`]).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Id, version and hash: what every result carries to name the rules that made it.
    pub fn provenance(&self) -> crate::provenance::Provenance {
        crate::provenance::Provenance {
            ruleset: self.meta.id.clone(),
            version: self.meta.version.clone(),
            hash: self.hash.clone(),
        }
    }

    /// The ruleset as TOML text, without comments (keys sorted within tables). Compiling it gives
    /// a ruleset with the same hash.
    pub fn to_toml(&self) -> String {
        toml::to_string(&*self.source).unwrap_or_default()
    }

    /// Declared inputs, in declaration order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// Warnings found while loading (the ruleset is usable).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Highest reachable total: the scale plus the bonus cap.
    pub fn max_total(&self) -> f64 {
        self.meta.scale + self.meta.bonus_cap
    }

    /// Paths of all indicators (root excluded), parents before children.
    pub fn indicator_paths(&self) -> Vec<&str> {
        self.nodes.iter().skip(1).map(|n| n.path.as_str()).collect()
    }

    /// Paths of the 一级指标 (children of the root): the dimensions of a profile.
    pub fn dimension_paths(&self) -> Vec<&str> {
        match self.nodes.first().map(|n| &n.kind) {
            Some(NodeKind::Group { children, .. }) => children
                .iter()
                .filter_map(|&c| self.nodes.get(c))
                .map(|n| n.path.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Veto ids, in declaration order (the indexes of [`crate::Scores::vetoes`]).
    pub fn veto_ids(&self) -> Vec<&str> {
        self.vetoes.iter().map(|v| v.id.as_str()).collect()
    }

    /// Alert ids and levels, in declaration order (the indexes of [`crate::Scores::alerts`]).
    pub fn alert_ids(&self) -> Vec<(&str, &str)> {
        self.alerts
            .iter()
            .map(|a| (a.id.as_str(), a.level.as_str()))
            .collect()
    }

    /// Quota tier names, best first.
    pub fn quota_names(&self) -> Vec<&str> {
        self.quotas.iter().map(|q| q.name.as_str()).collect()
    }

    /// Grade names, best first.
    pub fn grade_names(&self) -> Vec<&str> {
        self.grades.iter().map(|g| g.name.as_str()).collect()
    }

    /// Grade bands, best first, with the total each needs (for reports and charts).
    pub fn grades(&self) -> Vec<GradeInfo> {
        self.grades
            .iter()
            .map(|g| GradeInfo {
                name: g.name.clone(),
                name_en: g.name_en.clone(),
                min: g.min,
                conditional: g.when.is_some(),
            })
            .collect()
    }

    /// The indicator tree as data.
    pub fn tree(&self) -> IndicatorInfo {
        self.info(0)
    }

    fn info(&self, index: usize) -> IndicatorInfo {
        let Some(node) = self.nodes.get(index) else {
            return IndicatorInfo {
                path: String::new(),
                name: String::new(),
                name_en: None,
                points: 0.0,
                weight: 0.0,
                aggregate: None,
                exponent: None,
                scorer: None,
                bonus: false,
                missing: MissingPolicy::Error,
                description: None,
                description_en: None,
                inputs: Vec::new(),
                children: Vec::new(),
            };
        };
        let (aggregate, scorer, inputs, children) = match &node.kind {
            NodeKind::Group {
                aggregate,
                children,
            } => (
                Some(*aggregate),
                None,
                Vec::new(),
                children.iter().map(|&c| self.info(c)).collect(),
            ),
            NodeKind::Leaf { scorer, inputs } => (
                None,
                Some(scorer.kind()),
                inputs
                    .iter()
                    .filter_map(|&i| self.inputs.get(i))
                    .map(|i| i.name.clone())
                    .collect(),
                Vec::new(),
            ),
        };
        IndicatorInfo {
            path: node.path.clone(),
            name: node.name.clone(),
            name_en: node.name_en.clone(),
            points: node.max,
            weight: node.weight,
            aggregate,
            exponent: (aggregate == Some(Aggregate::Power)).then_some(node.exponent),
            scorer,
            bonus: node.bonus,
            missing: node.missing,
            description: node.description.clone(),
            description_en: node.description_en.clone(),
            inputs,
            children,
        }
    }
}

#[cfg(test)]
mod tests;
