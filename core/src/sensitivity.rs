//! How far a ranking and its grades depend on the rules themselves: any numeric parameter of the
//! ruleset (a deduction per occurrence, a band threshold, a grade's minimum, a bonus cap, a
//! weight) is declared uncertain within a range, and the batch is scored again under many draws
//! of those parameters. Each unit gets its nominal rank, score and grade, the spread of its rank
//! and score, and how often its grade changes ("if a minor complaint costs 5–15 points, 12
//! enterprises can change grade").
//!
//! With `indices`, the draws follow the Saltelli design (matrices A, B and, per parameter, A
//! with that parameter's column from B: N·(d + 2) runs) and each parameter gets its first-order
//! and total sensitivity index (the Jansen 1999 estimators, as COINr's `SA_estimate`) on the
//! mean absolute rank shift from the nominal ranking, with bootstrap confidence intervals.
//!
//! Every run has its own random stream, derived from the seed and the run's place in the design,
//! so results depend neither on the thread count nor on the language that asks.

use crate::batch::Batch;
use crate::ruleset::Ruleset;
use crate::score::NO_GRADE;
use crate::uncertainty::{quantile, AnalysisError, SplitMix};
use serde::Serialize;

/// A rule parameter, by its path (as for [`Ruleset::with_changes`]), and the range its value
/// is drawn from, uniformly — or the alternatives one is drawn from (a choice of aggregation,
/// say: `aggregate` among `"mean"` and `"geomean"`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ParameterRange {
    /// The path of the value, e.g. `complaints.scorer.tiers.0.per` or `grade.优秀.min`.
    pub path: String,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
    /// Whole numbers only (for counts such as a quota's `top`): drawn from `low..=high`.
    pub whole: bool,
    /// Alternatives drawn with equal odds instead of a range (when not empty).
    pub choices: Vec<serde_json::Value>,
}

impl ParameterRange {
    /// A parameter drawn uniformly from `[low, high]`.
    pub fn new(path: impl Into<String>, low: f64, high: f64) -> Self {
        ParameterRange {
            path: path.into(),
            low,
            high,
            whole: false,
            choices: Vec::new(),
        }
    }

    /// A parameter drawn among alternatives, with equal odds.
    pub fn choice(path: impl Into<String>, choices: Vec<serde_json::Value>) -> Self {
        ParameterRange {
            path: path.into(),
            low: f64::NAN,
            high: f64::NAN,
            whole: false,
            choices,
        }
    }

    /// Draws whole numbers only.
    pub fn whole(mut self) -> Self {
        self.whole = true;
        self
    }

    fn draw(&self, u: f64) -> serde_json::Value {
        if !self.choices.is_empty() {
            let k = ((u * self.choices.len() as f64) as usize).min(self.choices.len() - 1);
            return self
                .choices
                .get(k)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
        }
        if self.whole {
            let (lo, hi) = (self.low.ceil(), self.high.floor());
            let v = (lo + (u * (hi - lo + 1.0)).floor()).min(hi);
            serde_json::Value::from(v as i64)
        } else {
            serde_json::Value::from(self.low + u * (self.high - self.low))
        }
    }
}

/// How many draws, from which seed, and whether to estimate sensitivity indices.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ParameterAnalysis {
    /// Draws (N): the runs are N, or N·(d + 2) with `indices`.
    pub samples: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Estimate first-order and total sensitivity indices (the Saltelli design).
    pub indices: bool,
    /// Bootstrap resamples for the indices' 95% confidence intervals (0: none).
    pub bootstrap: usize,
}

impl Default for ParameterAnalysis {
    fn default() -> Self {
        ParameterAnalysis {
            samples: 200,
            seed: 42,
            indices: false,
            bootstrap: 100,
        }
    }
}

impl ParameterAnalysis {
    /// `samples` draws from `seed`, without indices.
    pub fn new(samples: usize, seed: u64) -> Self {
        ParameterAnalysis {
            samples,
            seed,
            ..ParameterAnalysis::default()
        }
    }

    /// Also estimates sensitivity indices, with `bootstrap` resamples for their intervals.
    pub fn with_indices(mut self, bootstrap: usize) -> Self {
        self.indices = true;
        self.bootstrap = bootstrap;
        self
    }
}

/// The first-order and total sensitivity index of one parameter on the mean absolute rank
/// shift, with 95% bootstrap intervals (`NaN` without bootstrap).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SensitivityIndex {
    /// The parameter's path.
    pub path: String,
    /// First-order index: the share of the output's variance this parameter explains alone.
    pub first: f64,
    /// Total index: its share including every interaction with the others.
    pub total: f64,
    /// 2.5th and 97.5th percentiles of `first` over the bootstrap.
    pub first_interval: [f64; 2],
    /// 2.5th and 97.5th percentiles of `total` over the bootstrap.
    pub total_interval: [f64; 2],
}

/// What the uncertain rule parameters do to each unit, in the batch's row order. A row that
/// could not be scored has rank 0, no grade and `NaN` statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ParameterSensitivity {
    /// Rulesets scored: N, or N·(d + 2) with indices.
    pub runs: usize,
    /// Rank under the ruleset as written.
    pub nominal_rank: Vec<u32>,
    /// Score under the ruleset as written.
    pub nominal_score: Vec<f64>,
    /// Grade under the ruleset as written (an index into [`Ruleset::grades`], or
    /// [`NO_GRADE`](crate::NO_GRADE)).
    pub nominal_grade: Vec<u32>,
    /// Median, 5th and 95th percentile rank over the runs.
    pub rank_median: Vec<f64>,
    /// 5th percentile rank (the better end).
    pub rank_p05: Vec<f64>,
    /// 95th percentile rank (the worse end).
    pub rank_p95: Vec<f64>,
    /// 5th percentile score.
    pub score_p05: Vec<f64>,
    /// 95th percentile score.
    pub score_p95: Vec<f64>,
    /// Share of runs in which the unit's grade differs from its nominal grade.
    pub grade_change: Vec<f64>,
    /// Per unit, the share of runs ending in each grade (indexed like [`Ruleset::grades`]).
    pub grade_shares: Vec<Vec<f64>>,
    /// Sensitivity indices, one per parameter (empty without `indices`).
    pub indices: Vec<SensitivityIndex>,
    /// Variance of the mean absolute rank shift over the A and B runs (`NaN` without indices).
    pub output_variance: f64,
}

impl ParameterSensitivity {
    /// How many units end in another grade in at least one run.
    pub fn units_changing_grade(&self) -> usize {
        self.grade_change.iter().filter(|&&s| s > 0.0).count()
    }
}

/// The ranks, scores and grades of one run.
struct Run {
    ranks: Vec<u32>,
    scores: Vec<f64>,
    grades: Vec<u32>,
}

impl Ruleset {
    /// Scores the batch (its own cohort) under draws of the given rule parameters: see the
    /// module's documentation. Paths of inputs cannot vary (they define the batch's columns).
    pub fn parameter_sensitivity(
        &self,
        batch: &Batch<'_>,
        parameters: &[ParameterRange],
        analysis: &ParameterAnalysis,
    ) -> Result<ParameterSensitivity, AnalysisError> {
        let fail = |m: String| Err(AnalysisError { message: m });
        if parameters.is_empty() {
            return fail("name at least one parameter to vary".into());
        }
        if analysis.samples < 2 {
            return fail("at least two samples are needed".into());
        }
        for p in parameters {
            let name = crate::excerpt(&p.path, 80);
            if !p.choices.is_empty() {
                if ["input.", "equivalence."]
                    .iter()
                    .any(|prefix| p.path.starts_with(prefix))
                {
                    return fail(format!(
                        "`{name}`: inputs define the data's columns and cannot vary"
                    ));
                }
                // Every alternative must give a valid ruleset.
                for choice in &p.choices {
                    if let Err(e) = self.with_changes([(p.path.as_str(), choice.clone())]) {
                        let why = e
                            .errors
                            .first()
                            .map_or(String::new(), |d| d.message.clone());
                        return fail(format!(
                            "`{name}` = {}: {why}",
                            crate::excerpt(&choice.to_string(), 40)
                        ));
                    }
                }
                continue;
            }
            if !(p.low.is_finite() && p.high.is_finite()) || p.low > p.high {
                return fail(format!(
                    "`{}`: the range must be two finite numbers, low ≤ high",
                    crate::excerpt(&p.path, 80)
                ));
            }
            if p.whole && p.low.ceil() > p.high.floor() {
                return fail(format!(
                    "`{}`: no whole number lies within the range",
                    crate::excerpt(&p.path, 80)
                ));
            }
            if ["input.", "equivalence."]
                .iter()
                .any(|prefix| p.path.starts_with(prefix))
            {
                return fail(format!(
                    "`{}`: inputs define the data's columns and cannot vary",
                    crate::excerpt(&p.path, 80)
                ));
            }
            // Each path must name a value the ruleset accepts a number at.
            if let Err(e) = self.with_changes([(p.path.as_str(), p.draw(0.5))]) {
                let why = e
                    .errors
                    .first()
                    .map_or(String::new(), |d| d.message.clone());
                return fail(format!("`{}`: {why}", crate::excerpt(&p.path, 80)));
            }
        }
        let d = parameters.len();
        let n = analysis.samples;
        let runs = if analysis.indices { n * (d + 2) } else { n };
        // The unit draws of run `r`: A's row, B's row, or A's row with one column from B.
        let draws = |r: usize| -> Vec<f64> {
            let row = |matrix: u64, i: usize| -> Vec<f64> {
                let mut rng = SplitMix(
                    analysis.seed
                        ^ (i as u64).wrapping_mul(0xd134_2543_de82_ef95)
                        ^ matrix.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                );
                (0..d).map(|_| rng.unit()).collect()
            };
            let (block, i) = (r / n, r % n);
            match block {
                0 => row(1, i),
                1 => row(2, i),
                k => {
                    let mut a = row(1, i);
                    let b = row(2, i);
                    if let (Some(x), Some(y)) = (a.get_mut(k - 2), b.get(k - 2)) {
                        *x = *y;
                    }
                    a
                }
            }
        };
        let nominal = self.score_on_threads(batch, usize::MAX);
        let len = batch.len();
        let score_run = |r: usize| -> Result<Run, AnalysisError> {
            let u = draws(r);
            let changes: Vec<(&str, serde_json::Value)> = parameters
                .iter()
                .zip(&u)
                .map(|(p, &u)| (p.path.as_str(), p.draw(u)))
                .collect();
            let ruleset = self.with_changes(changes).map_err(|e| AnalysisError {
                message: e
                    .errors
                    .first()
                    .map_or_else(|| e.to_string(), |d| d.message.clone()),
            })?;
            let scores = ruleset.score_on_threads(batch, 1);
            Ok(Run {
                ranks: scores.ranks().to_vec(),
                scores: scores.totals().to_vec(),
                grades: scores.grades().to_vec(),
            })
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(runs)
            .max(1);
        let mut results: Vec<Option<Result<Run, AnalysisError>>> =
            (0..runs).map(|_| None).collect();
        // One thread runs inline: where threads cannot be spawned (WebAssembly), none is asked for.
        if threads == 1 {
            for (r, slot) in results.iter_mut().enumerate() {
                *slot = Some(score_run(r));
            }
        } else {
            std::thread::scope(|scope| {
                for (t, part) in results.chunks_mut(runs.div_ceil(threads)).enumerate() {
                    let score_run = &score_run;
                    let first = t * runs.div_ceil(threads);
                    scope.spawn(move || {
                        for (k, slot) in part.iter_mut().enumerate() {
                            *slot = Some(score_run(first + k));
                        }
                    });
                }
            });
        }
        let mut all = Vec::with_capacity(runs);
        for r in results {
            match r {
                Some(Ok(run)) => all.push(run),
                Some(Err(e)) => return Err(e),
                None => return fail("a run was not scored".into()),
            }
        }
        let nominal_rank = nominal.ranks().to_vec();
        let nominal_grade = nominal.grades().to_vec();
        let grade_count = self.grades().len();
        let mut out = ParameterSensitivity {
            runs,
            nominal_score: nominal.totals().to_vec(),
            rank_median: vec![f64::NAN; len],
            rank_p05: vec![f64::NAN; len],
            rank_p95: vec![f64::NAN; len],
            score_p05: vec![f64::NAN; len],
            score_p95: vec![f64::NAN; len],
            grade_change: vec![f64::NAN; len],
            grade_shares: vec![Vec::new(); len],
            indices: Vec::new(),
            output_variance: f64::NAN,
            nominal_rank,
            nominal_grade,
        };
        let mut ranks = Vec::with_capacity(runs);
        let mut scores = Vec::with_capacity(runs);
        for row in 0..len {
            if out.nominal_rank.get(row).copied().unwrap_or(0) == 0 {
                continue;
            }
            let nominal_grade = out.nominal_grade.get(row).copied().unwrap_or(NO_GRADE);
            ranks.clear();
            scores.clear();
            let mut shares = vec![0.0; grade_count];
            let mut changed = 0usize;
            for run in &all {
                if let Some(&r) = run.ranks.get(row).filter(|&&r| r > 0) {
                    ranks.push(f64::from(r));
                }
                if let Some(&s) = run.scores.get(row).filter(|s| !s.is_nan()) {
                    scores.push(s);
                }
                let g = run.grades.get(row).copied().unwrap_or(NO_GRADE);
                if g != nominal_grade {
                    changed += 1;
                }
                if let Some(share) = usize::try_from(g).ok().and_then(|g| shares.get_mut(g)) {
                    *share += 1.0;
                }
            }
            ranks.sort_by(f64::total_cmp);
            scores.sort_by(f64::total_cmp);
            let set = |column: &mut Vec<f64>, value: f64| {
                if let Some(x) = column.get_mut(row) {
                    *x = value;
                }
            };
            set(&mut out.rank_median, quantile(&ranks, 0.5));
            set(&mut out.rank_p05, quantile(&ranks, 0.05));
            set(&mut out.rank_p95, quantile(&ranks, 0.95));
            set(&mut out.score_p05, quantile(&scores, 0.05));
            set(&mut out.score_p95, quantile(&scores, 0.95));
            set(&mut out.grade_change, changed as f64 / runs as f64);
            for s in &mut shares {
                *s /= runs as f64;
            }
            if let Some(x) = out.grade_shares.get_mut(row) {
                *x = shares;
            }
        }
        if analysis.indices {
            let shift: Vec<f64> = all
                .iter()
                .map(|run| mean_rank_shift(&out.nominal_rank, &run.ranks))
                .collect();
            let block = |k: usize| shift.get(k * n..(k + 1) * n).unwrap_or(&[]);
            let (ya, yb) = (block(0), block(1));
            let all_rows: Vec<usize> = (0..n).collect();
            out.output_variance = jansen(ya, yb, ya, &all_rows).2;
            for (j, p) in parameters.iter().enumerate() {
                let yab = block(j + 2);
                let (first, total, _) = jansen(ya, yb, yab, &all_rows);
                let (mut firsts, mut totals) = (Vec::new(), Vec::new());
                let mut rng = SplitMix(analysis.seed ^ 0x5bd1_e995 ^ ((j as u64) << 32));
                let mut rows = vec![0usize; n];
                for _ in 0..analysis.bootstrap {
                    for r in &mut rows {
                        *r = ((rng.unit() * n as f64) as usize).min(n - 1);
                    }
                    let (f, t, _) = jansen(ya, yb, yab, &rows);
                    firsts.push(f);
                    totals.push(t);
                }
                firsts.sort_by(f64::total_cmp);
                totals.sort_by(f64::total_cmp);
                out.indices.push(SensitivityIndex {
                    path: p.path.clone(),
                    first,
                    total,
                    first_interval: [quantile(&firsts, 0.025), quantile(&firsts, 0.975)],
                    total_interval: [quantile(&totals, 0.025), quantile(&totals, 0.975)],
                });
            }
        }
        Ok(out)
    }
}

/// The mean absolute difference between a run's ranks and the nominal ones, over the rows
/// ranked in both (COINr's output for sensitivity analysis).
fn mean_rank_shift(nominal: &[u32], ranks: &[u32]) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    for (&a, &b) in nominal.iter().zip(ranks) {
        if a > 0 && b > 0 {
            sum += (f64::from(a) - f64::from(b)).abs();
            count += 1;
        }
    }
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

/// Jansen's (1999) first-order and total index of one parameter from the outputs of the A, B
/// and A_B^(i) runs, over the chosen rows (all of them, or a bootstrap resample), and the
/// output variance: f0 and V over A and B together (2N − 1 in the denominator),
/// S = (V − Σ(y_B − y_AB)²/2N) / V and S_T = Σ(y_A − y_AB)²/2N / V. A constant output gives 0.
fn jansen(ya: &[f64], yb: &[f64], yab: &[f64], rows: &[usize]) -> (f64, f64, f64) {
    let n = rows.len() as f64;
    let pick = |y: &[f64], r: usize| y.get(r).copied().unwrap_or(f64::NAN);
    let f0 = rows.iter().map(|&r| pick(ya, r) + pick(yb, r)).sum::<f64>() / (2.0 * n);
    let v = rows
        .iter()
        .map(|&r| (pick(ya, r) - f0).powi(2) + (pick(yb, r) - f0).powi(2))
        .sum::<f64>()
        / (2.0 * n - 1.0);
    if v.is_nan() || v <= 0.0 {
        return (0.0, 0.0, v.max(0.0));
    }
    let sb = rows
        .iter()
        .map(|&r| (pick(yb, r) - pick(yab, r)).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    let sa = rows
        .iter()
        .map(|&r| (pick(ya, r) - pick(yab, r)).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    ((v - sb) / v, sa / v, v)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn jansen_on_a_linear_model_gives_its_variance_shares() {
        // y = x1 + 2·x2 with independent uniforms: S1 = 1/5, S2 = 4/5, no interactions.
        let n = 20_000;
        let mut rng = SplitMix(7);
        let a: Vec<[f64; 2]> = (0..n).map(|_| [rng.unit(), rng.unit()]).collect();
        let b: Vec<[f64; 2]> = (0..n).map(|_| [rng.unit(), rng.unit()]).collect();
        let f = |x: [f64; 2]| x[0] + 2.0 * x[1];
        let ya: Vec<f64> = a.iter().map(|&x| f(x)).collect();
        let yb: Vec<f64> = b.iter().map(|&x| f(x)).collect();
        let rows: Vec<usize> = (0..n).collect();
        for (i, expected) in [(0, 0.2), (1, 0.8)] {
            let yab: Vec<f64> = (0..n)
                .map(|k| {
                    let mut x = a[k];
                    x[i] = b[k][i];
                    f(x)
                })
                .collect();
            let (first, total, _) = jansen(&ya, &yb, &yab, &rows);
            assert!((first - expected).abs() < 0.03, "S{i} = {first}");
            assert!((total - expected).abs() < 0.03, "ST{i} = {total}");
        }
        // A constant output has nothing to explain.
        let flat = vec![1.0; 10];
        assert_eq!(jansen(&flat, &flat, &flat, &rows[..10]).0, 0.0);
    }

    #[test]
    fn whole_draws_stay_within_the_range() {
        let p = ParameterRange::new("x", 1.0, 3.0).whole();
        let values: Vec<i64> = [0.0, 0.34, 0.67, 0.999_999]
            .iter()
            .map(|&u| p.draw(u).as_i64().unwrap())
            .collect();
        assert_eq!(values, [1, 2, 3, 3]);
    }

    #[test]
    fn rank_shift_skips_unranked_rows() {
        assert_eq!(mean_rank_shift(&[1, 2, 0, 3], &[2, 1, 4, 0]), 1.0);
        assert_eq!(mean_rank_shift(&[0], &[0]), 0.0);
    }
}
