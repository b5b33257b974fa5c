//! The cohort a unit is measured against: the rows of a batch, one group of them (a year, a
//! district), or a frozen reference fitted on another batch ([`Cohort`]).
//!
//! Cohort-dependent rules are the `rank` scorers (points by place among the cohort's values) and
//! the cohort place of the total (rank, percentile, quota tier). Ranking sorts once per cohort
//! and places each row by binary search: O(n log n), ties sharing the better rank.

use crate::batch::Batch;
use crate::expr::vector::VectorEval;
use crate::ruleset::{
    Imputation, NodeKind, Normalisation, Preparation, Ruleset, Scorer, Treatment,
};
use crate::score::{Env, Scores, CHUNK, NO_TIER};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A cohort that cannot be used: it belongs to another ruleset, or its data is damaged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct CohortError {
    /// What is wrong.
    pub message: String,
}

impl CohortError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        CohortError {
            message: message.into(),
        }
    }
}

/// The group of each row of a batch, for scoring with one cohort per group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Groups {
    keys: Vec<String>,
    of_row: Vec<u32>,
}

impl Groups {
    /// Groups rows by a key per row (e.g. the year, or `2023|鄞州区` for two columns); groups
    /// are numbered in order of first appearance.
    pub fn from_keys<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> Groups {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut groups = Groups::default();
        for key in keys {
            let key = key.as_ref();
            let id = match index.get(key) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(groups.keys.len()).unwrap_or(u32::MAX);
                    index.insert(key.to_string(), id);
                    groups.keys.push(key.to_string());
                    id
                }
            };
            groups.of_row.push(id);
        }
        groups
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.of_row.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.of_row.is_empty()
    }

    /// The group keys, in order of first appearance.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The group (an index into [`Groups::keys`]) of each row.
    pub fn of_rows(&self) -> &[u32] {
        &self.of_row
    }

    pub(crate) fn group_of(&self, row: usize) -> usize {
        self.of_row.get(row).map_or(0, |&g| g as usize)
    }

    fn count(&self) -> usize {
        self.keys.len().max(1)
    }
}

/// What each cohort-dependent leaf (`rank`, `normalise`) needs of its cohort, per cohort group:
/// the statistics of the cohort's values and, for the leaves that place a value among them
/// (`rank`, percentile), the values sorted.
#[derive(Clone, Debug, Default)]
pub(crate) struct RankRefs {
    /// Node index of each such leaf, and its sorted values and statistics per group.
    leaves: Vec<(usize, Vec<GroupValues>)>,
    /// Position in `leaves` by node index (kernels look a leaf up for every row).
    slot: Vec<usize>,
    /// Whether some leaf's statistics are its extremes only (see [`Extremes`]): enough to
    /// score, not to fit a cohort.
    partial: bool,
}

/// The count, minimum and maximum of a leaf's values, gathered straight from its column
/// without copying: all that min-max, fraction-of-max and target normalisation read of the
/// cohort. The mean and standard deviation take two more passes, the second after the first,
/// so they are left out while scoring and gathered when a cohort is fitted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extremes {
    n: usize,
    min: f64,
    max: f64,
}

impl Extremes {
    fn new() -> Extremes {
        Extremes {
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds the values of `v` at the rows of `ok` that are not missing: the count, minimum and
    /// maximum [`Stats::of`] finds for them. Where every row is valid (the usual chunk), four
    /// lanes of plain comparisons, which the compiler vectorises (a comparison with `NaN` is
    /// false, so missing values fall out by themselves). Their order does not matter except
    /// between `0.0` and `-0.0`: a chunk whose extreme is a zero and which holds a `-0.0` is
    /// folded again in row order as [`Stats::of`] folds (rare).
    fn add(&mut self, v: &[f64], ok: &[bool]) {
        const LANES: usize = 4;
        let len = v.len().min(ok.len());
        let (v, ok) = (v.get(..len).unwrap_or(&[]), ok.get(..len).unwrap_or(&[]));
        if !ok.iter().fold(true, |all, &o| all & o) {
            self.fold(v, ok);
            return;
        }
        // Counts as doubles (exact far beyond any batch), so that every lane is a double.
        let mut count = [0.0_f64; LANES];
        let mut low = [f64::INFINITY; LANES];
        let mut high = [f64::NEG_INFINITY; LANES];
        let xs = v.chunks_exact(LANES);
        let tail = xs.remainder();
        for x in xs {
            let lanes = x
                .iter()
                .zip(count.iter_mut())
                .zip(low.iter_mut().zip(high.iter_mut()));
            for ((&x, c), (l, h)) in lanes {
                *c += if x.is_nan() { 0.0 } else { 1.0 };
                *l = if x < *l { x } else { *l };
                *h = if x > *h { x } else { *h };
            }
        }
        let (mut n, mut min, mut max) = (0_u64, self.min, self.max);
        for &x in tail {
            n += u64::from(!x.is_nan());
            min = if x < min { x } else { min };
            max = if x > max { x } else { max };
        }
        for ((c, l), h) in count.iter().zip(low).zip(high) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let c = *c as u64;
            n += c;
            min = if l < min { l } else { min };
            max = if h > max { h } else { max };
        }
        let minus_zero = (-0.0_f64).to_bits();
        if (min == 0.0 || max == 0.0)
            && v.iter()
                .fold(false, |any, x| any | (x.to_bits() == minus_zero))
        {
            self.fold(v, ok);
            return;
        }
        self.n += usize::try_from(n).unwrap_or(usize::MAX);
        (self.min, self.max) = (min, max);
    }

    /// [`Extremes::add`] value by value, with the folds of [`Stats::of`].
    fn fold(&mut self, v: &[f64], ok: &[bool]) {
        for (&x, &o) in v.iter().zip(ok) {
            if o && !x.is_nan() {
                self.n += 1;
                self.min = f64::min(self.min, x);
                self.max = f64::max(self.max, x);
            }
        }
    }

    fn stats(&self) -> Stats {
        if self.n == 0 {
            return Stats::of(&[]);
        }
        Stats {
            n: self.n,
            min: self.min,
            max: self.max,
            mean: f64::NAN,
            sd: f64::NAN,
            reference: f64::NAN,
        }
    }
}

/// One group's sorted values of a leaf (empty for leaves that need only the statistics), the
/// statistics, and the imputation and outlier treatment fitted on the group (all of them of
/// the values after that treatment).
type GroupValues = (Vec<f64>, Stats, Adjustment);

/// A value was missing and imputed (a bit of [`Scores::treatment_flags`](crate::Scores::treatment_flags)).
pub const TREATED_IMPUTED: u8 = 1;
/// A value above the upper cap was winsorised down to it.
pub const TREATED_WINSORISED_HIGH: u8 = 2;
/// A value below the lower cap was winsorised up to it.
pub const TREATED_WINSORISED_LOW: u8 = 4;
/// A value was log-transformed (with all of its cohort group).
pub const TREATED_LOG: u8 = 8;

/// What imputation and outlier treatment fitted on one cohort group do to a value: the value
/// a missing one takes, the caps winsorisation amounts to, the constants of COINr's `log_CT`.
/// A map of the value alone, so that a unit scored against a fitted cohort is treated exactly
/// as the reference's own units were.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Adjustment {
    /// The value a missing value takes (the group's mean or median).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impute: Option<f64>,
    /// Values above it were winsorised down to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_high: Option<f64>,
    /// Values below it were winsorised up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_low: Option<f64>,
    /// `ln(x − min + offset)`, `offset` = 0.01 × (max − min) of the group's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogShift>,
}

/// The constants of COINr's `log_CT` transform.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct LogShift {
    pub min: f64,
    pub offset: f64,
}

/// Equal when every number has the same bits, as for [`Stats`].
impl PartialEq for Adjustment {
    fn eq(&self, other: &Adjustment) -> bool {
        let bits = |a: &Adjustment| {
            [
                a.impute,
                a.cap_high,
                a.cap_low,
                a.log.map(|l| l.min),
                a.log.map(|l| l.offset),
            ]
            .map(|x| x.map(f64::to_bits))
        };
        bits(self) == bits(other)
    }
}

impl Adjustment {
    /// The treated value of `x` (missing: `NaN`) and the `TREATED_*` flags of what was done.
    #[inline]
    pub(crate) fn apply(&self, x: f64) -> (f64, u8) {
        let (mut x, mut flags) = if x.is_nan() {
            match self.impute {
                Some(v) => (v, TREATED_IMPUTED),
                None => return (x, 0),
            }
        } else {
            (x, 0)
        };
        if let Some(l) = self.log {
            // A value below a fitted reference's minimum is taken at the minimum, where the
            // logarithm is still defined; the reference's own values never are below it.
            // Rust's libm: the same bits natively and in WebAssembly.
            x = libm::log(x.max(l.min) - l.min + l.offset);
            flags |= TREATED_LOG;
        } else {
            if let Some(cap) = self.cap_high.filter(|&c| x > c) {
                x = cap;
                flags |= TREATED_WINSORISED_HIGH;
            }
            if let Some(cap) = self.cap_low.filter(|&c| x < c) {
                x = cap;
                flags |= TREATED_WINSORISED_LOW;
            }
        }
        (x, flags)
    }

    /// Whether the numbers could have been fitted on finite values.
    fn is_whole(&self) -> bool {
        let finite = |x: Option<f64>| x.is_none_or(f64::is_finite);
        finite(self.impute)
            && finite(self.cap_high)
            && finite(self.cap_low)
            && self
                .log
                .is_none_or(|l| l.min.is_finite() && l.offset.is_finite() && l.offset > 0.0)
    }
}

/// Skewness of values as e1071's type 2 (Excel's), which COINr uses; `NaN` for fewer than
/// three values or values all equal.
pub(crate) fn skewness(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 3 {
        return f64::NAN;
    }
    let mean = x.iter().sum::<f64>() / n;
    let (s2, s3) = x.iter().fold((0.0, 0.0), |(s2, s3), &v| {
        let d = v - mean;
        (s2 + d * d, s3 + d * d * d)
    });
    // libm, so that the same values pass or fail the check natively and in WebAssembly.
    let y = libm::sqrt(n) * s3 / libm::pow(s2, 1.5);
    y * libm::sqrt(n * (n - 1.0)) / (n - 2.0)
}

/// Kurtosis of values as e1071's type 2 (Excel's excess kurtosis); `NaN` for fewer than four
/// values or values all equal.
pub(crate) fn kurtosis(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 4 {
        return f64::NAN;
    }
    let mean = x.iter().sum::<f64>() / n;
    let (s2, s4) = x.iter().fold((0.0, 0.0), |(s2, s4), &v| {
        let d = v - mean;
        (s2 + d * d, s4 + d * d * d * d)
    });
    let r = n * s4 / (s2 * s2);
    ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
}

/// COINr's `check_SkewKurt`: whether |skewness| < `skew` or kurtosis < `kurtosis`; `None`
/// when they cannot be computed (too few values, or all equal), where COINr leaves the values
/// untreated.
fn passes(x: &[f64], skew: f64, kurt: f64) -> Option<bool> {
    let (s, k) = (skewness(x), kurtosis(x));
    if s.is_nan() || k.is_nan() {
        return None;
    }
    Some(s.abs() < skew || k < kurt)
}

/// The mean or median of values (none missing); `None` without values.
fn central(values: &[f64], how: Imputation) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    match how {
        Imputation::Mean => Some(values.iter().sum::<f64>() / values.len() as f64),
        Imputation::Median => {
            let mut sorted = values.to_vec();
            radsort::sort(&mut sorted);
            let mid = sorted.len() / 2;
            let upper = *sorted.get(mid)?;
            if sorted.len() % 2 == 1 {
                Some(upper)
            } else {
                Some((*sorted.get(mid - 1)? + upper) / 2.0)
            }
        }
    }
}

/// Fits a leaf's imputation and treatment on one group's values (in row order, `NaN` for a
/// missing one), as COINr does: impute, then check skewness and kurtosis; winsorise the most
/// extreme values on the side of the skew, one step at a time, while the check fails and fewer
/// than `max_points` values were winsorised; if it still fails, log-transform the (imputed)
/// original values instead.
pub(crate) fn fit_adjustment(prepare: Preparation, values: &[f64]) -> Adjustment {
    let present: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let impute = prepare.impute.and_then(|how| central(&present, how));
    // The column the treatment sees: imputed, or without the missing values (na.rm).
    let column: Vec<f64> = match impute {
        Some(v) => values
            .iter()
            .map(|&x| if x.is_nan() { v } else { x })
            .collect(),
        None => present,
    };
    let mut adjustment = Adjustment {
        impute,
        ..Adjustment::default()
    };
    let log_of = |column: &[f64]| {
        let min = column.iter().copied().fold(f64::INFINITY, f64::min);
        let max = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // A range of 0 would take the logarithm of 0: such values are left as they are.
        (max > min).then_some(LogShift {
            min,
            offset: 0.01 * (max - min),
        })
    };
    match prepare.treat {
        None => {}
        Some(Treatment::Log) => adjustment.log = log_of(&column),
        Some(Treatment::Winsorise {
            max_points,
            skew,
            kurtosis,
            then_log,
        }) => {
            let mut x = column.clone();
            let mut pass = passes(&x, skew, kurtosis);
            // COINr counts the values moved at the last step on each side.
            let (mut high, mut low) = (0usize, 0usize);
            while pass == Some(false) && high + low < max_points as usize {
                let high_side = skewness(&x) >= 0.0;
                let extreme = if high_side {
                    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                } else {
                    x.iter().copied().fold(f64::INFINITY, f64::min)
                };
                let others = x.iter().copied().filter(|&v| v != extreme);
                let next = if high_side {
                    others.fold(f64::NEG_INFINITY, f64::max)
                } else {
                    others.fold(f64::INFINITY, f64::min)
                };
                if !next.is_finite() {
                    break;
                }
                let mut moved = 0;
                for v in x.iter_mut().filter(|v| **v == extreme) {
                    *v = next;
                    moved += 1;
                }
                if high_side {
                    high = moved;
                    adjustment.cap_high = Some(next);
                } else {
                    low = moved;
                    adjustment.cap_low = Some(next);
                }
                pass = passes(&x, skew, kurtosis);
            }
            if pass == Some(false) && then_log {
                adjustment.cap_high = None;
                adjustment.cap_low = None;
                adjustment.log = log_of(&column);
            }
        }
    }
    adjustment
}

/// What `normalise` scorers need of a cohort's values. Computed from the values in row order —
/// the order every way of scoring the same rows sees them in (a batch, a group scored alone, a
/// cohort fitted chunk by chunk) — and carried as they are in a fitted cohort, so all of these
/// agree bit for bit.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Stats {
    pub n: usize,
    /// Smallest value (`None` in JSON for an empty cohort, `NaN` here).
    #[serde(with = "nan_as_null")]
    pub min: f64,
    #[serde(with = "nan_as_null")]
    pub max: f64,
    #[serde(with = "nan_as_null")]
    pub mean: f64,
    /// Sample standard deviation (`n − 1`); `NaN` for fewer than two values.
    #[serde(with = "nan_as_null")]
    pub sd: f64,
    /// The value of the reference unit of a `distance_to_reference` leaf (after imputation and
    /// treatment); `NaN` when the cohort has no such unit or its value is missing, and for
    /// other leaves (then left out of the JSON, as cohorts fitted before it had it).
    #[serde(
        default = "not_a_number",
        skip_serializing_if = "is_not_a_number",
        with = "nan_as_null"
    )]
    pub reference: f64,
}

fn not_a_number() -> f64 {
    f64::NAN
}

fn is_not_a_number(x: &f64) -> bool {
    x.is_nan()
}

/// JSON has no `NaN`: a statistic that does not exist is `null`.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_nan() {
            s.serialize_none()
        } else {
            s.serialize_f64(*x)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Equal when every number has the same bits (`NaN` included), as a cohort read back from its
/// JSON must equal the one written.
impl PartialEq for Stats {
    fn eq(&self, other: &Stats) -> bool {
        let bits = |s: &Stats| [s.min, s.max, s.mean, s.sd, s.reference].map(f64::to_bits);
        self.n == other.n && bits(self) == bits(other)
    }
}

impl Stats {
    /// The statistics of values in row order.
    fn of(values: &[f64]) -> Stats {
        let n = values.len();
        if n == 0 {
            return Stats {
                n: 0,
                min: f64::NAN,
                max: f64::NAN,
                mean: f64::NAN,
                sd: f64::NAN,
                reference: f64::NAN,
            };
        }
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n < 2 {
            f64::NAN
        } else {
            let squares: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
            (squares / (n - 1) as f64).sqrt()
        };
        Stats {
            n,
            min,
            max,
            mean,
            sd,
            reference: f64::NAN,
        }
    }

    /// Whether the numbers could be statistics of finite values.
    fn is_whole(&self) -> bool {
        let ok = |x: f64, present: bool| if present { x.is_finite() } else { x.is_nan() };
        ok(self.min, self.n > 0)
            && ok(self.max, self.n > 0)
            && ok(self.mean, self.n > 0)
            && ok(self.sd, self.n > 1)
            && !self.reference.is_infinite()
            && (self.n == 0 || self.min <= self.max)
    }
}

/// Whether leaf `node`'s scorer places a value among the cohort's values (needs them sorted).
fn needs_order(ruleset: &Ruleset, node: usize) -> bool {
    match ruleset.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::Leaf { scorer, .. }) => matches!(
            scorer.as_ref(),
            Scorer::Rank { .. }
                | Scorer::Normalise {
                    method: Normalisation::Percentile
                        | Normalisation::Rank
                        | Normalisation::Borda
                        | Normalisation::PercentileBands { .. },
                    ..
                }
        ),
        _ => false,
    }
}

/// Whether scoring leaf `node` reads no more of its cohort than the [`Extremes`] (of its values
/// as they are: a leaf that imputes or treats them needs them all).
fn extremes_suffice(ruleset: &Ruleset, node: usize) -> bool {
    match ruleset.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::Leaf { scorer, .. }) => {
            scorer.preparation().is_none()
                && matches!(
                    scorer.as_ref(),
                    Scorer::Normalise {
                        method: Normalisation::Minmax { .. }
                            | Normalisation::FractionOfMax
                            | Normalisation::Target { .. },
                        ..
                    }
                )
        }
        _ => false,
    }
}

/// The unit leaf `node` measures against (`distance_to_reference`).
fn reference_unit(ruleset: &Ruleset, node: usize) -> Option<&str> {
    match ruleset.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::Leaf { scorer, .. }) => scorer.reference_unit(),
        _ => None,
    }
}

impl Ruleset {
    /// The ids of the units that the ruleset's `distance_to_reference` indicators measure
    /// against, sorted. A batch built from columns needs the ids of these units' rows
    /// ([`Batch::set_label`]); the other rows' ids are not read while scoring.
    pub fn reference_units(&self) -> Vec<&str> {
        let mut units: Vec<&str> = self
            .plan
            .rank_leaves
            .iter()
            .filter_map(|&leaf| reference_unit(self, leaf))
            .collect();
        units.sort_unstable();
        units.dedup();
        units
    }
}

/// What leaf `node` does to its cohort's values before normalising.
fn preparation(ruleset: &Ruleset, node: usize) -> Preparation {
    match ruleset.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::Leaf { scorer, .. }) => scorer.preparation(),
        _ => Preparation::default(),
    }
}

/// Whether leaf `node` normalises against the cohort (needs the values' statistics).
fn is_normalise(ruleset: &Ruleset, node: usize) -> bool {
    matches!(
        ruleset.nodes.get(node).map(|n| &n.kind),
        Some(NodeKind::Leaf { scorer, .. }) if matches!(scorer.as_ref(), Scorer::Normalise { .. })
    )
}

/// Position of each leaf by node index, for lookups by node.
fn slots(nodes: impl Iterator<Item = usize> + Clone) -> Vec<usize> {
    let mut slot = vec![usize::MAX; nodes.clone().map(|n| n + 1).max().unwrap_or(0)];
    for (k, n) in nodes.enumerate() {
        if let Some(s) = slot.get_mut(n) {
            *s = k;
        }
    }
    slot
}

/// Per cohort-dependent leaf, per group, the value of its reference unit (a
/// `distance_to_reference` leaf's) as read, `NaN` when missing; `None` where the group has no
/// such unit. Empty for the other leaves.
type References = Vec<Vec<Option<f64>>>;

impl RankRefs {
    /// From each leaf's values per group, in row order.
    fn new(
        ruleset: &Ruleset,
        leaves: Vec<(usize, Vec<Vec<f64>>)>,
        references: References,
    ) -> RankRefs {
        let extremes = vec![None; leaves.len()];
        RankRefs::gathered(ruleset, leaves, extremes, references)
    }

    /// From each leaf's values per group, in row order, or (one group) its extremes.
    fn gathered(
        ruleset: &Ruleset,
        leaves: Vec<(usize, Vec<Vec<f64>>)>,
        extremes: Vec<Option<Extremes>>,
        references: References,
    ) -> RankRefs {
        let mut references = references.into_iter();
        RankRefs {
            slot: slots(leaves.iter().map(|(n, _)| *n)),
            partial: extremes.iter().any(Option::is_some),
            leaves: leaves
                .into_iter()
                .zip(extremes)
                .map(|((leaf, groups), extremes)| {
                    let reference = references.next().unwrap_or_default();
                    if let Some(e) = extremes {
                        return (leaf, vec![(Vec::new(), e.stats(), Adjustment::default())]);
                    }
                    let ordered = needs_order(ruleset, leaf);
                    let prepare = preparation(ruleset, leaf);
                    let groups = groups
                        .into_iter()
                        .enumerate()
                        .map(|(g, mut values)| {
                            let mut adjustment = Adjustment::default();
                            if !prepare.is_none() {
                                // Impute and treat, then every statistic is of the treated values.
                                adjustment = fit_adjustment(prepare, &values);
                                values = values
                                    .iter()
                                    .map(|&x| adjustment.apply(x).0)
                                    .filter(|x| !x.is_nan())
                                    .collect();
                            }
                            let mut stats = Stats::of(&values);
                            // The reference unit's value, imputed and treated as its cohort's.
                            if let Some(Some(x)) = reference.get(g) {
                                stats.reference = adjustment.apply(*x).0;
                            }
                            if ordered {
                                // Radix sort: O(n), the order of `f64::total_cmp` (no NaN here).
                                radsort::sort(&mut values);
                            } else {
                                values = Vec::new();
                            }
                            (values, stats, adjustment)
                        })
                        .collect();
                    (leaf, groups)
                })
                .collect(),
        }
    }

    fn group(&self, node: usize, group: usize) -> Option<&GroupValues> {
        let k = *self.slot.get(node)?;
        self.leaves.get(k).and_then(|(_, g)| g.get(group))
    }

    /// The sorted values leaf `node` is measured against, in group `group` (empty for a leaf
    /// that needs only their statistics).
    pub(crate) fn values(&self, node: usize, group: usize) -> &[f64] {
        self.group(node, group)
            .map_or(&[], |(v, _, _)| v.as_slice())
    }

    /// The statistics of the cohort's values.
    pub(crate) fn stats(&self, node: usize, group: usize) -> Stats {
        self.group(node, group)
            .map_or_else(|| Stats::of(&[]), |(_, s, _)| *s)
    }

    /// The imputation and outlier treatment fitted on the cohort's values.
    pub(crate) fn adjustment(&self, node: usize, group: usize) -> Adjustment {
        self.group(node, group)
            .map_or_else(Adjustment::default, |(_, _, a)| *a)
    }
}

/// What the cohort-dependent leaves need of a batch's valid rows, per group.
pub(crate) fn rank_refs_of_batch(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    groups: Option<&Groups>,
) -> RankRefs {
    rank_refs_gathered(ruleset, batch, groups, true)
}

/// What a fitted cohort needs of a batch: every statistic of every leaf.
pub(crate) fn full_rank_refs_of_batch(ruleset: &Ruleset, batch: &Batch<'_>) -> RankRefs {
    rank_refs_gathered(ruleset, batch, None, false)
}

/// With `scoring`, the leaves that read only their cohort's [`Extremes`] (one cohort) gather
/// only those.
fn rank_refs_gathered(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    groups: Option<&Groups>,
    scoring: bool,
) -> RankRefs {
    if ruleset.plan.rank_leaves.is_empty() {
        return RankRefs::default();
    }
    let extremes: Vec<bool> = ruleset
        .plan
        .rank_leaves
        .iter()
        .map(|&leaf| scoring && groups.is_none() && extremes_suffice(ruleset, leaf))
        .collect();
    let (values, extremes, references) = cohort_values(ruleset, batch, groups, &extremes);
    let leaves = ruleset
        .plan
        .rank_leaves
        .iter()
        .copied()
        .zip(values)
        .collect();
    RankRefs::gathered(ruleset, leaves, extremes, references)
}

impl RankRefs {
    /// Whether these are statistics a cohort can be fitted from (not only extremes).
    pub(crate) fn is_full(&self) -> bool {
        !self.partial
    }
}

/// The values of every cohort-dependent leaf over the batch's valid rows (after equivalences),
/// per leaf and group, in row order; for the leaves marked in `extremes` (one cohort), only
/// their [`Extremes`], and no values; and the value of each reference unit, at the first of
/// the cohort's rows with its id.
#[allow(clippy::type_complexity)]
fn cohort_values(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    groups: Option<&Groups>,
    extremes: &[bool],
) -> (Vec<Vec<Vec<f64>>>, Vec<Option<Extremes>>, References) {
    let leaves = &ruleset.plan.rank_leaves;
    let count = groups.map_or(1, Groups::count);
    // Without groups every leaf's values fit in one buffer of the batch's length.
    let capacity = if groups.is_none() { batch.len() } else { 0 };
    let only_extremes = |k: usize| groups.is_none() && extremes.get(k).copied().unwrap_or(false);
    let mut values: Vec<Vec<Vec<f64>>> = (0..leaves.len())
        .map(|k| {
            if only_extremes(k) {
                Vec::new()
            } else {
                (0..count).map(|_| Vec::with_capacity(capacity)).collect()
            }
        })
        .collect();
    let mut found: Vec<Option<Extremes>> = (0..leaves.len())
        .map(|k| only_extremes(k).then(Extremes::new))
        .collect();
    let mut references: References = leaves
        .iter()
        .map(|&leaf| match reference_unit(ruleset, leaf) {
            Some(_) => vec![None; count],
            None => Vec::new(),
        })
        .collect();
    let mut start = 0;
    while start < batch.len() {
        let n = CHUNK.min(batch.len() - start);
        let mut env = Env::new(batch, start, n);
        let mut rows = crate::score::Rows::new(batch, start, n);
        env.substitute(ruleset, &mut rows);
        for (k, &leaf) in leaves.iter().enumerate() {
            let Some(NodeKind::Leaf { scorer, .. }) = ruleset.nodes.get(leaf).map(|n| &n.kind)
            else {
                continue;
            };
            let Some(value) = scorer.cohort_value() else {
                continue;
            };
            // A leaf that imputes keeps its missing values (as `NaN`) in their places.
            let keep_missing = scorer.preparation().impute.is_some();
            let mut ev = VectorEval::new(&env, n, value, &ruleset.plan.symbols);
            let vals = ev.run(Some(&rows.alive));
            let v = vals.numbers(n);
            // Rows whose value faulted are left out (rare: the alive mask serves otherwise).
            let faulted;
            let ok: &[bool] = if ev.faults.is_empty() {
                &rows.alive
            } else {
                let mut mask = rows.alive.clone();
                for (i, _) in &ev.faults {
                    if let Some(o) = mask.get_mut(*i) {
                        *o = false;
                    }
                }
                faulted = mask;
                &faulted
            };
            if let (Some(unit), Some(slots)) = (scorer.reference_unit(), references.get_mut(k)) {
                for (i, (&x, _)) in v.iter().zip(ok).enumerate().filter(|(_, (_, &o))| o) {
                    if batch.id(start + i) == Some(unit) {
                        let g = groups.map_or(0, |g| g.group_of(start + i));
                        if let Some(slot) = slots.get_mut(g).filter(|s| s.is_none()) {
                            *slot = Some(x);
                        }
                    }
                }
            }
            if let Some(Some(e)) = found.get_mut(k) {
                e.add(&v, ok);
                continue;
            }
            let Some(buckets) = values.get_mut(k) else {
                continue;
            };
            let present = v
                .iter()
                .zip(ok)
                .enumerate()
                .filter(|(_, (x, &ok))| ok && (keep_missing || !x.is_nan()));
            match groups {
                None => {
                    if let Some(b) = buckets.first_mut() {
                        b.extend(present.map(|(_, (&x, _))| x));
                    }
                }
                Some(groups) => {
                    for (i, (&x, _)) in present {
                        if let Some(b) = buckets.get_mut(groups.group_of(start + i)) {
                            b.push(x);
                        }
                    }
                }
            }
        }
        start += n;
    }
    (values, found, references)
}

/// Per leaf that imputes or treats outliers, the `TREATED_*` flags of each row: what was done
/// to the value it was scored on (0 for rows where the leaf was not scored by its rule). One
/// more evaluation of the leaf's value over the batch, only for such leaves.
pub(crate) fn treatment_flags(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    scores: &Scores,
) -> Vec<(usize, Vec<u8>)> {
    let leaves: Vec<usize> = ruleset
        .plan
        .rank_leaves
        .iter()
        .copied()
        .filter(|&leaf| !preparation(ruleset, leaf).is_none())
        .collect();
    if leaves.is_empty() {
        return Vec::new();
    }
    let groups = match &scores.placement {
        crate::score::Placement::Groups(g) => Some(g.as_ref()),
        _ => None,
    };
    let mut out: Vec<(usize, Vec<u8>)> =
        leaves.iter().map(|&l| (l, vec![0; batch.len()])).collect();
    let mut start = 0;
    while start < batch.len() {
        let n = CHUNK.min(batch.len() - start);
        let mut env = Env::new(batch, start, n);
        let mut rows = crate::score::Rows::new(batch, start, n);
        env.substitute(ruleset, &mut rows);
        for (leaf, flags) in out.iter_mut() {
            let Some(NodeKind::Leaf { scorer, .. }) = ruleset.nodes.get(*leaf).map(|n| &n.kind)
            else {
                continue;
            };
            let Some(value) = scorer.cohort_value() else {
                continue;
            };
            let status = scores.node_status.get(*leaf).map_or(&[][..], Vec::as_slice);
            let mut ev = VectorEval::new(&env, n, value, &ruleset.plan.symbols);
            let vals = ev.run(Some(&rows.alive));
            let v = vals.numbers(n);
            for (i, &x) in v.iter().enumerate() {
                let row = start + i;
                let scored = scores.is_scored(row)
                    && status.get(row) == Some(&crate::evaluation::Status::Scored);
                if let (true, Some(f)) = (scored, flags.get_mut(row)) {
                    let group = groups.map_or(0, |g| g.group_of(row));
                    *f = scores.rank_refs.adjustment(*leaf, group).apply(x).1;
                }
            }
        }
        start += n;
    }
    out
}

/// Rank, size and percentile of a total among `sorted` totals (ascending), with the quota tier.
fn place(ruleset: &Ruleset, sorted: &[f64], x: f64) -> (u32, u32, f64, u32) {
    let greater = sorted.len() - sorted.partition_point(|&t| t <= x);
    places(ruleset, greater + 1, sorted.len())
}

fn write_place(s: &mut Scores, row: usize, (rank, of, percentile, tier): (u32, u32, f64, u32)) {
    if let Some(x) = s.rank.get_mut(row) {
        *x = rank;
    }
    if let Some(x) = s.of.get_mut(row) {
        *x = of;
    }
    if let Some(x) = s.percentile.get_mut(row) {
        *x = percentile;
    }
    if let Some(x) = s.tier.get_mut(row) {
        *x = tier;
    }
}

/// Cohorts up to this size are ranked by comparisons, larger ones by a radix sort.
const SMALL_SORT: usize = 256;

/// Places every scored row among the scored rows of its cohort (the batch, or its group):
/// one radix sort of (group, total) from best to worst, then ranks in one walk, ties sharing
/// the better rank.
pub(crate) fn place_in_batch(ruleset: &Ruleset, s: &mut Scores, groups: Option<&Groups>) {
    let group = |row: usize| groups.map_or(0, |g| g.group_of(row)) as u32;
    let mut order: Vec<(u32, f64, u32)> = (0..s.len)
        .filter(|&row| s.is_scored(row))
        .filter_map(|row| {
            let t = *s.total.get(row)?;
            Some((group(row), t, u32::try_from(row).ok()?))
        })
        .collect();
    if order.len() <= SMALL_SORT {
        // A radix sort's passes over its 256 buckets cost more than comparisons for a few
        // hundred rows (Monte Carlo samples rank a small cohort thousands of times).
        best_first_by_comparisons(&mut order);
    } else {
        best_first_by_radix(&mut order);
    }
    let mut start = 0;
    while start < order.len() {
        let g = order.get(start).map_or(0, |o| o.0);
        let end = start
            + order
                .get(start..)
                .map_or(0, |rest| rest.partition_point(|o| o.0 == g));
        let of = end - start;
        let mut rank = 1;
        let mut previous = f64::NAN;
        for (k, &(_, t, row)) in order.get(start..end).unwrap_or(&[]).iter().enumerate() {
            if t != previous {
                rank = k + 1;
                previous = t;
            }
            let place = places(ruleset, rank, of);
            write_place(s, row as usize, place);
        }
        start = end;
    }
}

/// (group, total, row) by group, then total from best to worst in the totals' total order.
fn best_first_by_radix(order: &mut [(u32, f64, u32)]) {
    radsort::sort_by_key(order, |o| (o.0, -o.1));
}

/// The order of [`best_first_by_radix`] (rows of equal keys in either order: they share a rank).
fn best_first_by_comparisons(order: &mut [(u32, f64, u32)]) {
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then((-a.1).total_cmp(&-b.1)));
}

/// Rank, size, percentile and quota tier of a place.
fn places(ruleset: &Ruleset, rank: usize, of: usize) -> (u32, u32, f64, u32) {
    let percentile = 100.0 * (of + 1 - rank) as f64 / of as f64;
    let tier = ruleset
        .quotas
        .iter()
        .position(|q| rank as f64 <= q.top * of as f64 + 1e-9)
        .map_or(NO_TIER, |t| t as u32);
    (
        u32::try_from(rank).unwrap_or(u32::MAX),
        u32::try_from(of).unwrap_or(u32::MAX),
        percentile,
        tier,
    )
}

/// Places every scored row among a reference cohort's units.
pub(crate) fn place_against(ruleset: &Ruleset, s: &mut Scores, cohort: &Cohort) {
    if cohort.totals.is_empty() {
        return;
    }
    for row in 0..s.len {
        if !s.is_scored(row) {
            continue;
        }
        let Some(&t) = s.total.get(row) else { continue };
        let p = place(ruleset, &cohort.totals, t);
        write_place(s, row, p);
    }
}

/// Format tag of a serialised cohort.
const FORMAT: &str = "qinglian.cohort/1";

/// A reference cohort fitted on a batch ([`Ruleset::fit`]): what every cohort-dependent rule
/// needs to score other units against it — the sorted totals (rank, percentile, quota tier) and
/// the sorted values of each `rank` scorer. Serialises to JSON ([`Cohort::to_json`]) to ship to
/// a browser calculator or to the workers of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    format: String,
    ruleset: String,
    version: String,
    /// Units of the reference that were scored.
    size: usize,
    /// Their totals, ascending.
    totals: Vec<f64>,
    /// Per indicator path that places a value among the reference's (`rank`, percentile):
    /// the reference's values, ascending.
    rank_values: BTreeMap<String, Vec<f64>>,
    /// Per `normalise` indicator path: the statistics of the reference's values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    stats: BTreeMap<String, Stats>,
    /// Per `normalise` indicator path that imputes or treats outliers: what was fitted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    treatments: BTreeMap<String, Adjustment>,
}

/// What a fitted cohort keeps of a batch's cohort values.
struct Reference {
    rank_values: BTreeMap<String, Vec<f64>>,
    stats: BTreeMap<String, Stats>,
    treatments: BTreeMap<String, Adjustment>,
}

/// What a fitted cohort keeps of a batch's cohort values (group 0): the sorted values of the
/// leaves that place a value among them, the statistics of the `normalise` leaves.
fn reference_values(ruleset: &Ruleset, refs: &RankRefs) -> Reference {
    let mut rank_values = BTreeMap::new();
    let mut stats = BTreeMap::new();
    let mut treatments = BTreeMap::new();
    for &leaf in &ruleset.plan.rank_leaves {
        let Some(node) = ruleset.nodes.get(leaf) else {
            continue;
        };
        if needs_order(ruleset, leaf) {
            rank_values.insert(node.path.clone(), refs.values(leaf, 0).to_vec());
        }
        if is_normalise(ruleset, leaf) {
            stats.insert(node.path.clone(), refs.stats(leaf, 0));
        }
        if !preparation(ruleset, leaf).is_none() {
            treatments.insert(node.path.clone(), refs.adjustment(leaf, 0));
        }
    }
    Reference {
        rank_values,
        stats,
        treatments,
    }
}

impl Cohort {
    /// The cohort of `batch`, scored into `scores`.
    pub(crate) fn from_scores(ruleset: &Ruleset, batch: &Batch<'_>, scores: &Scores) -> Cohort {
        let mut totals: Vec<f64> = (0..scores.len)
            .filter(|&r| scores.is_scored(r))
            .filter_map(|r| scores.total.get(r).copied())
            .collect();
        totals.sort_by(f64::total_cmp);
        // Scoring gathered only what its leaves read; a cohort keeps every statistic.
        let full;
        let refs = if scores.rank_refs.is_full() {
            &*scores.rank_refs
        } else {
            full = full_rank_refs_of_batch(ruleset, batch);
            &full
        };
        let r = reference_values(ruleset, refs);
        Cohort {
            format: FORMAT.to_string(),
            ruleset: ruleset.meta.id.clone(),
            version: ruleset.meta.version.clone(),
            size: totals.len(),
            totals,
            rank_values: r.rank_values,
            stats: r.stats,
            treatments: r.treatments,
        }
    }

    /// Number of reference units (those that could be scored).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Id of the ruleset it was fitted with.
    pub fn ruleset_id(&self) -> &str {
        &self.ruleset
    }

    /// Version of that ruleset.
    pub fn ruleset_version(&self) -> &str {
        &self.version
    }

    /// The reference totals, ascending.
    pub fn totals(&self) -> &[f64] {
        &self.totals
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the JSON form, checking that it is whole: a format tag, finite sorted values.
    pub fn from_json(text: &str) -> Result<Cohort, CohortError> {
        let cohort: Cohort = serde_json::from_str(text)
            .map_err(|e| CohortError::new(format!("not a qinglian cohort: {e}")))?;
        if cohort.format != FORMAT {
            return Err(CohortError::new(format!(
                "unknown cohort format `{}` (expected `{FORMAT}`)",
                excerpt(&cohort.format)
            )));
        }
        let sorted = |v: &[f64]| v.iter().all(|x| x.is_finite()) && v.is_sorted();
        if !sorted(&cohort.totals) || cohort.size != cohort.totals.len() {
            return Err(CohortError::new(
                "the cohort's totals must be finite, ascending and `size` in number",
            ));
        }
        if let Some((path, _)) = cohort.rank_values.iter().find(|(_, v)| !sorted(v)) {
            return Err(CohortError::new(format!(
                "the cohort's values of `{}` must be finite and ascending",
                excerpt(path)
            )));
        }
        if let Some((path, _)) = cohort.stats.iter().find(|(_, s)| !s.is_whole()) {
            return Err(CohortError::new(format!(
                "the cohort's statistics of `{}` are damaged",
                excerpt(path)
            )));
        }
        if let Some((path, _)) = cohort.treatments.iter().find(|(_, a)| !a.is_whole()) {
            return Err(CohortError::new(format!(
                "the cohort's imputation or outlier treatment of `{}` is damaged",
                excerpt(path)
            )));
        }
        Ok(cohort)
    }

    /// Whether this cohort can score units of `ruleset`: fitted with the same ruleset id, with
    /// reference values for every `rank` indicator.
    pub fn check_fits(&self, ruleset: &Ruleset) -> Result<(), CohortError> {
        if self.ruleset != ruleset.meta.id {
            return Err(CohortError::new(format!(
                "this cohort was fitted with ruleset `{}`, not `{}`",
                excerpt(&self.ruleset),
                ruleset.meta.id
            )));
        }
        for &leaf in &ruleset.plan.rank_leaves {
            if let Some(node) = ruleset.nodes.get(leaf) {
                let has = (!needs_order(ruleset, leaf)
                    || self.rank_values.contains_key(&node.path))
                    && (!is_normalise(ruleset, leaf) || self.stats.contains_key(&node.path));
                if !preparation(ruleset, leaf).is_none()
                    && !self.treatments.contains_key(&node.path)
                {
                    return Err(CohortError::new(format!(
                        "this cohort was fitted without the imputation or outlier treatment of the indicator `{}` ({}): fit it again with this ruleset",
                        node.path, node.name
                    )));
                }
                if !has {
                    return Err(CohortError::new(format!(
                        "this cohort has no reference values for the indicator `{}` ({}), which ranks or normalises against its cohort",
                        node.path, node.name
                    )));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn rank_refs(&self, ruleset: &Ruleset) -> RankRefs {
        let leaves = &ruleset.plan.rank_leaves;
        // The statistics as fitted, not recomputed: the reference's own row order made them.
        RankRefs {
            slot: slots(leaves.iter().copied()),
            partial: false,
            leaves: leaves
                .iter()
                .map(|&leaf| {
                    let path = ruleset.nodes.get(leaf).map(|n| n.path.as_str());
                    let values = path
                        .and_then(|p| self.rank_values.get(p))
                        .cloned()
                        .unwrap_or_default();
                    let stats = path
                        .and_then(|p| self.stats.get(p))
                        .copied()
                        .unwrap_or_else(|| Stats::of(&values));
                    let adjustment = path
                        .and_then(|p| self.treatments.get(p))
                        .copied()
                        .unwrap_or_default();
                    (leaf, vec![(values, stats, adjustment)])
                })
                .collect(),
        }
    }
}

/// Fits a [`Cohort`] on data too large to hold at once, chunk by chunk: first every chunk's
/// `rank` values (when the ruleset has `rank` scorers, see [`CohortFitter::needs_values`]), then
/// every chunk's totals. The result equals [`Ruleset::fit`] on all the rows together.
///
/// ```
/// # let ruleset = qinglian::Ruleset::from_toml(r#"
/// # [ruleset]
/// # id = "demo"
/// # name = "示例"
/// # version = "1"
/// # scale = 10
/// # [[input]]
/// # name = "cases"
/// # type = "count"
/// # [[indicator]]
/// # id = "discipline"
/// # name = "纪律"
/// # points = 10
/// # scorer = { type = "per_occurrence", count = "cases", per = 3 }
/// # "#).unwrap();
/// use qinglian::{Batch, Record};
/// let chunks: Vec<Vec<Record>> = (0..3)
///     .map(|c| (0..4).map(|i| Record::new().with("cases", f64::from(c + i))).collect())
///     .collect();
/// let mut fitter = ruleset.fitter();
/// if fitter.needs_values() {
///     for chunk in &chunks {
///         fitter.add_values(&Batch::from_records(&ruleset, chunk));
///     }
/// }
/// for chunk in &chunks {
///     fitter.add_totals(&Batch::from_records(&ruleset, chunk)).unwrap();
/// }
/// let cohort = fitter.finish();
/// let all: Vec<Record> = chunks.concat();
/// assert_eq!(cohort, ruleset.fit(&Batch::from_records(&ruleset, &all)));
/// ```
pub struct CohortFitter<'r> {
    ruleset: &'r Ruleset,
    /// Per cohort-dependent leaf, its values so far, in row order.
    values: Vec<Vec<f64>>,
    /// Per such leaf, its reference unit's value once seen (see [`References`]).
    references: References,
    /// The cohort of the values, once totals are being added.
    reference: Option<Cohort>,
    totals: Vec<f64>,
}

impl Ruleset {
    /// A fitter for a cohort too large to score at once (see [`CohortFitter`]).
    pub fn fitter(&self) -> CohortFitter<'_> {
        CohortFitter {
            ruleset: self,
            values: vec![Vec::new(); self.plan.rank_leaves.len()],
            references: vec![Vec::new(); self.plan.rank_leaves.len()],
            reference: None,
            totals: Vec::new(),
        }
    }
}

impl CohortFitter<'_> {
    /// Whether the ruleset has `rank` or `normalise` scorers, whose values must all be seen
    /// before any total.
    pub fn needs_values(&self) -> bool {
        !self.values.is_empty()
    }

    /// Adds the values of a chunk that `rank` and `normalise` scorers measure against (call for
    /// every chunk, in order, before [`CohortFitter::add_totals`]).
    pub fn add_values(&mut self, batch: &Batch<'_>) {
        if self.values.is_empty() {
            return;
        }
        let (chunk, _, references) = cohort_values(self.ruleset, batch, None, &[]);
        for (v, mut groups) in self.values.iter_mut().zip(chunk) {
            if let Some(values) = groups.first_mut() {
                v.append(values);
            }
        }
        // The first chunk with the reference unit has its first row.
        for (seen, found) in self.references.iter_mut().zip(references) {
            if seen.iter().flatten().next().is_none() {
                *seen = found;
            }
        }
    }

    /// Scores a chunk against the values seen and adds its totals.
    pub fn add_totals(&mut self, batch: &Batch<'_>) -> Result<(), CohortError> {
        let ruleset = self.ruleset;
        let values = &mut self.values;
        let reference = self.reference.get_or_insert_with(|| {
            // The values of every chunk in row order: what scoring them all at once sees.
            let leaves = ruleset
                .plan
                .rank_leaves
                .iter()
                .copied()
                .zip(values.iter_mut().map(|v| vec![std::mem::take(v)]))
                .collect();
            let references = std::mem::take(&mut self.references);
            let r = reference_values(ruleset, &RankRefs::new(ruleset, leaves, references));
            Cohort {
                format: FORMAT.to_string(),
                ruleset: ruleset.meta.id.clone(),
                version: ruleset.meta.version.clone(),
                size: 0,
                totals: Vec::new(),
                rank_values: r.rank_values,
                stats: r.stats,
                treatments: r.treatments,
            }
        });
        let scores = ruleset.score_against(batch, reference)?;
        self.totals.extend(
            (0..scores.len())
                .filter(|&r| scores.is_scored(r))
                .filter_map(|r| scores.total.get(r).copied()),
        );
        Ok(())
    }

    /// The fitted cohort.
    pub fn finish(mut self) -> Cohort {
        let mut cohort = match self.reference.take() {
            Some(c) => c,
            None => {
                // No totals were added: a cohort of the values alone.
                let mut fitter = self;
                let _ = fitter.add_totals(&Batch::new(fitter.ruleset, 0));
                return fitter.finish();
            }
        };
        self.totals.sort_by(f64::total_cmp);
        cohort.size = self.totals.len();
        cohort.totals = self.totals;
        cohort
    }
}

/// At most 60 characters of a text from outside, for messages.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{fit_adjustment, kurtosis, skewness, Adjustment, LogShift};
    use crate::ruleset::{Imputation, Preparation, Treatment};

    fn winsorise(max_points: u32, skew: f64, kurtosis: f64, then_log: bool) -> Preparation {
        Preparation {
            impute: None,
            treat: Some(Treatment::Winsorise {
                max_points,
                skew,
                kurtosis,
                then_log,
            }),
        }
    }

    /// COINr's example `x <- c(1:10, 30, 100)`; the expected numbers come from the formulas of
    /// e1071's type 2 computed apart (plain Python).
    fn coinr_x() -> Vec<f64> {
        (1..=10).map(f64::from).chain([30.0, 100.0]).collect()
    }

    #[test]
    fn skewness_and_kurtosis_are_e1071_type_2() {
        let x = coinr_x();
        assert!((skewness(&x) - 3.0632410342394985).abs() < 1e-12);
        assert!((kurtosis(&x) - 9.741390834569144).abs() < 1e-12);
        let once: Vec<f64> = (1..=10).map(f64::from).chain([30.0, 30.0]).collect();
        assert!((skewness(&once) - 1.7120380600890506).abs() < 1e-12);
        assert!((kurtosis(&once) - 1.8157805377242044).abs() < 1e-12);
        assert!(skewness(&[1.0, 2.0]).is_nan());
        assert!(kurtosis(&[1.0, 2.0, 3.0]).is_nan());
        assert!(skewness(&[4.0; 6]).is_nan());
    }

    #[test]
    fn winsorising_coinr_example_moves_the_hundred_down_to_thirty() {
        // One step (100 → 30) brings the skewness to 1.712 < 2: it passes.
        let a = fit_adjustment(winsorise(2, 2.0, 3.5, true), &coinr_x());
        assert_eq!(a.cap_high, Some(30.0));
        assert_eq!(a.cap_low, None);
        assert!(a.log.is_none());
        assert_eq!(a.apply(100.0), (30.0, super::TREATED_WINSORISED_HIGH));
        assert_eq!(a.apply(30.0), (30.0, 0));
        // Thresholds it cannot meet: up to two points (30 and 100 → 10), then the log of the
        // original values.
        let a = fit_adjustment(winsorise(2, 0.1, -10.0, false), &coinr_x());
        assert_eq!(a.cap_high, Some(10.0));
        let a = fit_adjustment(winsorise(2, 0.1, -10.0, true), &coinr_x());
        assert_eq!((a.cap_high, a.cap_low), (None, None));
        let l = a.log.unwrap();
        assert_eq!((l.min, l.offset), (1.0, 0.01 * 99.0));
        let (y, flags) = a.apply(100.0);
        assert!((y - 99.99f64.ln()).abs() < 1e-12);
        assert_eq!(flags, super::TREATED_LOG);
        // A fitted reference takes a value below its minimum at the minimum.
        assert_eq!(a.apply(-5.0).0, a.apply(1.0).0);
    }

    #[test]
    fn negative_skew_winsorises_the_low_side() {
        let x: Vec<f64> = (1..=11).map(f64::from).chain([-80.0]).collect();
        let a = fit_adjustment(winsorise(5, 2.0, 3.5, true), &x);
        assert_eq!((a.cap_low, a.cap_high), (Some(1.0), None));
        assert_eq!(a.apply(-80.0), (1.0, super::TREATED_WINSORISED_LOW));
    }

    #[test]
    fn imputation_takes_the_mean_or_median_of_the_values_present() {
        let x = [3.0, f64::NAN, 8.0, 1.0, f64::NAN, 4.0];
        let mean = Preparation {
            impute: Some(Imputation::Mean),
            treat: None,
        };
        let median = Preparation {
            impute: Some(Imputation::Median),
            treat: None,
        };
        assert_eq!(fit_adjustment(mean, &x).impute, Some(4.0));
        assert_eq!(fit_adjustment(median, &x).impute, Some(3.5));
        assert_eq!(
            fit_adjustment(mean, &x).apply(f64::NAN),
            (4.0, super::TREATED_IMPUTED)
        );
        // Nothing present: nothing to impute with, the value stays missing.
        let none = fit_adjustment(mean, &[f64::NAN; 3]);
        assert!(none.impute.is_none() && none.apply(f64::NAN).0.is_nan());
        // Too few values to judge skewness and kurtosis: left as they are, as COINr does.
        let few = fit_adjustment(winsorise(5, 2.0, 3.5, true), &[1.0, 2.0, 900.0]);
        assert_eq!(few, Adjustment::default());
        // Log of values all equal would be the log of 0: left as they are.
        let flat = fit_adjustment(
            Preparation {
                impute: None,
                treat: Some(Treatment::Log),
            },
            &[2.0; 5],
        );
        assert!(flat.log.is_none());
        let damaged = Adjustment {
            log: Some(LogShift {
                min: 1.0,
                offset: 0.0,
            }),
            ..Adjustment::default()
        };
        assert!(!damaged.is_whole());
    }

    #[test]
    fn a_cohort_fitted_after_scoring_min_max_leaves_keeps_every_statistic() {
        use crate::{Batch, Ruleset};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let ruleset = Ruleset::load(root.join("rules/asem/minmax-arithmetic.toml")).unwrap();
        let rows = crate::read_records(root.join("examples/data/asem/asem_iData.csv")).unwrap();
        let batch = Batch::from_rows(&ruleset, &rows);
        // Scoring gathers only the extremes of min-max leaves ...
        assert!(!ruleset.score(&batch).rank_refs.is_full());
        // ... fitting gathers everything, as the chunk-by-chunk fitter does.
        let fitted = ruleset.fit(&batch);
        let mut fitter = ruleset.fitter();
        fitter.add_values(&batch);
        fitter.add_totals(&batch).unwrap();
        assert_eq!(fitted, fitter.finish());
        assert!(!fitted.stats.is_empty());
        assert!(fitted.stats.values().all(|s| s.n > 1 && s.sd.is_finite()));
    }

    #[test]
    fn extremes_agree_with_the_statistics_bit_for_bit() {
        use super::{Extremes, Stats};
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // Chunks with missing values, invalid rows, zeros of both signs (in either order) and
        // lengths that are not a multiple of the lanes.
        for case in 0..40 {
            let len = 1 + (next() % 300) as usize;
            let zeros = case % 4;
            let values: Vec<f64> = (0..len)
                .map(|_| match next() % 10 {
                    0 => f64::NAN,
                    1 if zeros == 1 => -0.0,
                    1 if zeros == 2 => 0.0,
                    1 if zeros == 3 => {
                        if next() % 2 == 0 {
                            0.0
                        } else {
                            -0.0
                        }
                    }
                    _ => (next() >> 11) as f64 / 1e12 - if case % 3 == 0 { 0.0 } else { 4e3 },
                })
                .collect();
            let ok: Vec<bool> = (0..len).map(|i| case % 5 != 0 || i % 7 != 3).collect();
            let mut e = Extremes::new();
            for (v, o) in values.chunks(97).zip(ok.chunks(97)) {
                e.add(v, o);
            }
            let kept: Vec<f64> = values
                .iter()
                .zip(&ok)
                .filter(|(x, &o)| o && !x.is_nan())
                .map(|(&x, _)| x)
                .collect();
            let (got, want) = (e.stats(), Stats::of(&kept));
            assert_eq!(got.n, want.n, "case {case}");
            assert_eq!(got.min.to_bits(), want.min.to_bits(), "case {case}");
            assert_eq!(got.max.to_bits(), want.max.to_bits(), "case {case}");
        }
    }

    #[test]
    fn small_cohorts_are_ranked_in_the_radix_sort_order() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut order: Vec<(u32, f64, u32)> = (0..300u32)
            .map(|row| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let total = match row % 7 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => 55.5,
                    _ => (x >> 40) as f64 / 1e3 - 100.0,
                };
                ((x % 3) as u32, total, row)
            })
            .collect();
        let mut radix = order.clone();
        super::best_first_by_radix(&mut radix);
        super::best_first_by_comparisons(&mut order);
        let keys =
            |v: &[(u32, f64, u32)]| v.iter().map(|o| (o.0, o.1.to_bits())).collect::<Vec<_>>();
        assert_eq!(keys(&order), keys(&radix));
        assert!(order.windows(2).any(|w| w[0].1 == 55.5 && w[1].1 == 55.5));
    }

    #[test]
    fn the_radix_sort_of_values_is_total_order() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut values: Vec<f64> = (0..5000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 50 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::MAX,
                    3 => -f64::MIN_POSITIVE,
                    _ => (x >> 11) as f64 / 1e12 - 4e3,
                }
            })
            .collect();
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        radsort::sort(&mut values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }
}
