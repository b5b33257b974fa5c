//! Leaf scorers as column kernels: one function per rule type, each turning a chunk's values
//! into points (or a share of the leaf's points) for the rows still to be scored.

use super::chunk::{Env, Rows};
use crate::cohort::RankRefs;
use crate::cohort::Stats;
use crate::error::RecordError;
use crate::evaluation::Status;
use crate::explain::num;
use crate::expr::vector::Vals;
use crate::expr::vector::{Columns, MISSING_TEXT};
use crate::expr::Expr;
use crate::ruleset::{Band, ConstantCohort, Direction, Normalisation, Ruleset, Scorer, Tier};
use std::borrow::Cow;

/// The inputs of one kernel call.
pub(crate) struct Leaf<'k, 'b> {
    pub ruleset: &'k Ruleset,
    pub env: &'k Env<'b>,
    pub node: usize,
    pub path: &'k str,
    pub max: f64,
    pub rank_refs: &'k RankRefs,
    /// The cohort group of each chunk row (for `rank`).
    pub group: &'k dyn Fn(usize) -> usize,
    /// Whether rows belong to different cohort groups (else every row is in group 0).
    pub grouped: bool,
}

/// Writes a leaf's state at one row: points (clamped to the leaf's maximum) or missing.
#[inline]
fn put(score: &mut f64, status: &mut Status, points: f64, max: f64) {
    if points.is_nan() {
        *score = 0.0;
        *status = Status::Missing;
    } else {
        *score = points.clamp(0.0, max);
        *status = Status::Scored;
    }
}

/// A share of the leaf's points, clamped to [0, 1]; missing stays missing.
#[inline]
fn share(max: f64, s: f64) -> f64 {
    max * f64::clamp(s, 0.0, 1.0)
}

/// `f` of each number (missing stays missing) into the leaf's columns.
#[inline]
fn each(
    values: &[f64],
    score: &mut [f64],
    status: &mut [Status],
    max: f64,
    f: impl Fn(f64) -> f64,
) {
    for ((s, st), &x) in score.iter_mut().zip(status.iter_mut()).zip(values) {
        let points = if x.is_nan() { f64::NAN } else { f(x) };
        put(s, st, points, max);
    }
}

/// Writes points at every row like [`each`] and [`put`], without a branch per row (missing,
/// `NaN`, gives 0 points and [`Status::Missing`]), so that the compiler vectorises the loop;
/// `f` must give `NaN` for `NaN`.
#[inline(always)]
fn each_nan(
    values: &[f64],
    score: &mut [f64],
    status: &mut [Status],
    max: f64,
    f: impl Fn(f64) -> f64,
) {
    for ((s, st), &x) in score.iter_mut().zip(status.iter_mut()).zip(values) {
        let points = f(x);
        let missing = points.is_nan();
        // `f64::clamp`, spelt out: its check of the bounds would sit in the loop.
        let low = if points < 0.0 { 0.0 } else { points };
        let clamped = if low > max { max } else { low };
        *s = if missing { 0.0 } else { clamped };
        *st = if missing {
            Status::Missing
        } else {
            Status::Scored
        };
    }
}

/// The min-max and z-score maps of [`normalise`] over a column against one cohort, the
/// statistics hoisted out of the loop: the same operations in the same order, so the same
/// bits. `false` (nothing written) for the other methods.
fn linear_normalise(
    method: &Normalisation,
    direction: Direction,
    stats: &Stats,
    values: &[f64],
    score: &mut [f64],
    status: &mut [Status],
    max: f64,
) -> bool {
    let positive = |x: f64| x.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater);
    match *method {
        Normalisation::Minmax { lo, hi } => {
            let (min, top, range, span) = (stats.min, stats.max, stats.max - stats.min, hi - lo);
            if !positive(range) {
                each_nan(values, score, status, max, |_| f64::NAN);
                return true;
            }
            match direction {
                Direction::Higher => {
                    each_nan(values, score, status, max, |x| {
                        lo + (x - min) / range * span
                    });
                }
                Direction::Lower => {
                    each_nan(values, score, status, max, |x| {
                        lo + (top - x) / range * span
                    });
                }
            }
            true
        }
        Normalisation::Zscore { mean, sd } => {
            let (m, s) = (stats.mean, stats.sd);
            if !positive(s) {
                each_nan(values, score, status, max, |_| f64::NAN);
                return true;
            }
            match direction {
                Direction::Higher => {
                    each_nan(values, score, status, max, |x| mean + sd * ((x - m) / s))
                }
                Direction::Lower => {
                    each_nan(values, score, status, max, |x| mean + sd * ((m - x) / s))
                }
            }
            true
        }
        _ => false,
    }
}

impl Leaf<'_, '_> {
    fn vals<'e>(&'e self, e: &'e Expr, rows: &mut Rows, todo: Option<&[bool]>) -> Vals<'e> {
        self.env.eval_in(self.ruleset, e, rows, todo, self.path)
    }

    /// Scores every row of the chunk into `score` and `status` (rows outside `todo` get values
    /// the caller replaces); expressions fault only in the rows of `todo` (all when `None`).
    pub(crate) fn score(
        &self,
        scorer: &Scorer,
        todo: Option<&[bool]>,
        rows: &mut Rows,
        score: &mut [f64],
        status: &mut [Status],
    ) {
        let (max, n) = (self.max, self.env.n);
        let in_todo = |i: usize| todo.is_none_or(|t| t.get(i).copied().unwrap_or(false));
        match scorer {
            Scorer::Clause { when } => {
                let w = self.vals(when, rows, todo);
                for ((s, st), &w) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(w.bools(n).iter())
                {
                    let points = match w {
                        1 => max,
                        0 => 0.0,
                        _ => f64::NAN,
                    };
                    put(s, st, points, max);
                }
            }
            Scorer::PerOccurrence {
                count,
                per,
                cap,
                floor,
            } => {
                let c = self.vals(count, rows, todo);
                each(&c.numbers(n), score, status, max, |x| {
                    per_occurrence(max, x, *per, *cap, *floor)
                });
            }
            Scorer::Severity { tiers, cap } => {
                // Tiers in order; a row stops at its first missing value or zeroing tier.
                let mut open: Vec<bool> = (0..n).map(|i| in_todo(i) && rows.is_alive(i)).collect();
                let mut total = vec![0.0_f64; n];
                for (s, st) in score.iter_mut().zip(status.iter_mut()) {
                    *s = 0.0;
                    *st = Status::Missing;
                }
                for tier in tiers {
                    match tier {
                        Tier::Zero { when, .. } => {
                            let w = self.vals(when, rows, Some(&open));
                            for ((o, st), &w) in open
                                .iter_mut()
                                .zip(status.iter_mut())
                                .zip(w.bools(n).iter())
                            {
                                match (*o, w) {
                                    (false, _) | (true, 0) => {}
                                    (true, 1) => (*o, *st) = (false, Status::Zeroed),
                                    (true, _) => (*o, *st) = (false, Status::Missing),
                                }
                            }
                        }
                        Tier::PerCase { count, per, .. } => {
                            let c = self.vals(count, rows, Some(&open));
                            for ((o, t), &x) in open
                                .iter_mut()
                                .zip(total.iter_mut())
                                .zip(c.numbers(n).iter())
                            {
                                if !*o {
                                    continue;
                                }
                                if x.is_nan() {
                                    *o = false;
                                } else {
                                    *t = severity_add(*t, *per, x);
                                }
                            }
                        }
                    }
                }
                for (((s, st), &o), &t) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(&open)
                    .zip(&total)
                {
                    if o {
                        put(s, st, max - t.min(*cap), max);
                    }
                }
            }
            Scorer::Discretionary {
                input,
                min,
                max: hi,
            } => {
                let v: Cow<'_, [f64]> = self.env.raw_numbers(*input);
                for (i, ((s, st), &x)) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(v.iter())
                    .enumerate()
                {
                    if !x.is_nan() && x != 0.0 && (x < *min || x > *hi) {
                        if in_todo(i) {
                            rows.fail(
                                self.env.start,
                                i,
                                RecordError::new(
                                    "record.out_of_bounds",
                                    format!(
                                        "a discretionary deduction of {} must be 0 or lie within [{}, {}]",
                                        num(x),
                                        num(*min),
                                        num(*hi)
                                    ),
                                )
                                .path(self.path),
                            );
                        }
                        continue;
                    }
                    put(s, st, if x.is_nan() { f64::NAN } else { max - x }, max);
                }
            }
            Scorer::PerItem { count, per } => {
                let c = self.vals(count, rows, todo);
                each(&c.numbers(n), score, status, max, |x| {
                    per_item(max, x, *per)
                });
            }
            Scorer::Threshold {
                value,
                direction,
                bands,
            } => {
                let v = self.vals(value, rows, todo);
                each(&v.numbers(n), score, status, max, |x| {
                    share(
                        max,
                        threshold(bands, *direction, x).map_or(0.0, |b| b.share),
                    )
                });
            }
            Scorer::Piecewise { value, points } => {
                let v = self.vals(value, rows, todo);
                each(&v.numbers(n), score, status, max, |x| {
                    share(max, interpolate(points, x))
                });
            }
            Scorer::Goalposts {
                value,
                lo,
                hi,
                direction,
            } => {
                let v = self.vals(value, rows, todo);
                each(&v.numbers(n), score, status, max, |x| {
                    share(max, goalposts(x, *lo, *hi, *direction))
                });
            }
            Scorer::Target {
                value,
                target,
                direction,
                tolerance,
            } => {
                let v = self.vals(value, rows, todo);
                each(&v.numbers(n), score, status, max, |x| {
                    share(max, target_share(x, *target, *direction, *tolerance))
                });
            }
            Scorer::Efficacy { value, worst, best } => {
                let v = self.vals(value, rows, todo);
                each(&v.numbers(n), score, status, max, |x| {
                    share(max, efficacy(x, *worst, *best) / 100.0)
                });
            }
            Scorer::Levels {
                input,
                shares,
                not_applicable,
            } => {
                let symbols = &self.ruleset.plan.symbols;
                let na: Vec<u32> = not_applicable
                    .iter()
                    .filter_map(|v| symbols.get(v))
                    .collect();
                let table: Vec<(u32, f64)> = shares
                    .iter()
                    .filter_map(|(v, s)| Some((symbols.get(v)?, *s)))
                    .collect();
                let codes: Cow<'_, [u32]> = match self.env.column(*input) {
                    Some(crate::expr::vector::Col::Text(v)) => Cow::Borrowed(v),
                    _ => Cow::Owned(vec![MISSING_TEXT; n]),
                };
                for ((s, st), &c) in score.iter_mut().zip(status.iter_mut()).zip(codes.iter()) {
                    if na.contains(&c) {
                        (*s, *st) = (0.0, Status::NotApplicable);
                        continue;
                    }
                    let points = if c == MISSING_TEXT {
                        f64::NAN
                    } else {
                        // The first entry of the level, as the row evaluator finds it.
                        share(
                            max,
                            table.iter().find(|(v, _)| *v == c).map_or(0.0, |(_, s)| *s),
                        )
                    };
                    put(s, st, points, max);
                }
            }
            Scorer::Survey {
                input,
                codes,
                min_valid,
                scale,
                ..
            } => {
                for (i, (s, st)) in score.iter_mut().zip(status.iter_mut()).enumerate() {
                    let points = self
                        .env
                        .batch
                        .survey(*input, self.env.start + i)
                        .and_then(|counts| survey_mean(counts, codes, *min_valid))
                        .map_or(f64::NAN, |(_, mean)| share(max, mean / scale));
                    put(s, st, points, max);
                }
            }
            Scorer::Frequency { periods, min } => {
                let mut open: Vec<bool> = (0..n).map(|i| in_todo(i) && rows.is_alive(i)).collect();
                let mut met = vec![0usize; n];
                for p in periods {
                    let v = self.vals(p, rows, Some(&open));
                    for ((o, m), &x) in open.iter_mut().zip(met.iter_mut()).zip(v.numbers(n).iter())
                    {
                        if *o && x.is_nan() {
                            *o = false;
                        } else if *o && x >= *min {
                            *m += 1;
                        }
                    }
                }
                let of = periods.len().max(1) as f64;
                for (((s, st), &o), &m) in
                    score.iter_mut().zip(status.iter_mut()).zip(&open).zip(&met)
                {
                    put(
                        s,
                        st,
                        if o {
                            share(max, m as f64 / of)
                        } else {
                            f64::NAN
                        },
                        max,
                    );
                }
            }
            Scorer::Criteria { criteria, bands } => {
                let mut open: Vec<bool> = (0..n).map(|i| in_todo(i) && rows.is_alive(i)).collect();
                let mut met = vec![0usize; n];
                for c in criteria {
                    let v = self.vals(c, rows, Some(&open));
                    for ((o, m), &b) in open.iter_mut().zip(met.iter_mut()).zip(v.bools(n).iter()) {
                        match (*o, b) {
                            (false, _) | (true, 0) => {}
                            (true, 1) => *m += 1,
                            (true, _) => *o = false,
                        }
                    }
                }
                for (((s, st), &o), &m) in
                    score.iter_mut().zip(status.iter_mut()).zip(&open).zip(&met)
                {
                    let points = if o {
                        share(max, at_least(bands, m as f64).map_or(0.0, |b| b.share))
                    } else {
                        f64::NAN
                    };
                    put(s, st, points, max);
                }
            }
            Scorer::RiskMatrix {
                likelihood,
                severity,
                bands,
            } => {
                let l = self.vals(likelihood, rows, todo);
                let l = l.numbers(n).into_owned();
                let open: Vec<bool> = (0..n)
                    .map(|i| in_todo(i) && !l.get(i).is_none_or(|x| x.is_nan()))
                    .collect();
                let sv = self.vals(severity, rows, Some(&open));
                for (((s, st), &l), &v) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(&l)
                    .zip(sv.numbers(n).iter())
                {
                    let points = if l.is_nan() || v.is_nan() {
                        f64::NAN
                    } else {
                        share(max, at_least(bands, l * v).map_or(0.0, |b| b.share))
                    };
                    put(s, st, points, max);
                }
            }
            Scorer::Rank {
                value,
                direction,
                step,
            } => {
                let v = self.vals(value, rows, todo);
                for (i, ((s, st), &x)) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(v.numbers(n).iter())
                    .enumerate()
                {
                    let points = if x.is_nan() {
                        f64::NAN
                    } else {
                        let values = self.rank_refs.values(self.node, (self.group)(i));
                        (max - step * better_than(values, x, *direction) as f64).max(0.0)
                    };
                    put(s, st, points, max);
                }
            }
            Scorer::Normalise {
                value,
                method,
                direction,
                constant,
                prepare,
            } => {
                let v = self.vals(value, rows, todo);
                let v = if prepare.is_none() {
                    v
                } else {
                    // Imputed and treated as fitted on the row's cohort group.
                    let numbers = v.numbers(n);
                    Vals::Num(Cow::Owned(
                        numbers
                            .iter()
                            .enumerate()
                            .map(|(i, &x)| {
                                let group = if self.grouped { (self.group)(i) } else { 0 };
                                self.rank_refs.adjustment(self.node, group).apply(x).0
                            })
                            .collect(),
                    ))
                };
                if !self.grouped && *constant == ConstantCohort::Missing {
                    // One cohort for the chunk: the rule is a plain map over the column.
                    let (values, stats) = (
                        self.rank_refs.values(self.node, 0),
                        self.rank_refs.stats(self.node, 0),
                    );
                    let direction = *direction;
                    let v = v.numbers(n);
                    if !linear_normalise(method, direction, &stats, &v, score, status, max) {
                        each(&v, score, status, max, |x| {
                            normalise(method, direction, &stats, values, max, x).unwrap_or(f64::NAN)
                        });
                    }
                    return;
                }
                let mut failed = Vec::new();
                // The previous row's cohort, looked up again only when the group changes.
                let mut cohort: Option<(usize, &[f64], Stats)> = None;
                for (i, ((s, st), &x)) in score
                    .iter_mut()
                    .zip(status.iter_mut())
                    .zip(v.numbers(n).iter())
                    .enumerate()
                {
                    let g = (self.group)(i);
                    let (values, stats) = match cohort {
                        Some((at, values, stats)) if at == g => (values, stats),
                        _ => {
                            let values = self.rank_refs.values(self.node, g);
                            let stats = self.rank_refs.stats(self.node, g);
                            cohort = Some((g, values, stats));
                            (values, stats)
                        }
                    };
                    let points = if x.is_nan() {
                        f64::NAN
                    } else {
                        match normalise(method, *direction, &stats, values, max, x) {
                            Some(p) => p,
                            None if *constant == ConstantCohort::Error && in_todo(i) => {
                                failed.push(i);
                                f64::NAN
                            }
                            None => f64::NAN,
                        }
                    };
                    put(s, st, points, max);
                }
                for i in failed {
                    rows.fail(
                        self.env.start,
                        i,
                        RecordError::new(
                            "record.constant_cohort",
                            "the cohort's values of this indicator leave nothing to normalise by \
                             (all equal or too few; for a fraction, a best value not above 0; \
                             for a target, a worst value already at it; for a reference unit, \
                             one absent from the cohort or at its worst value; for ranks, more \
                             values than the indicator's points; against the mean, a mean not \
                             above 0)",
                        )
                        .path(self.path),
                    );
                }
            }
            Scorer::Formula { expr } => {
                let v = self.vals(expr, rows, todo);
                each(&v.numbers(n), score, status, max, |x| x.clamp(0.0, max));
            }
        }
    }
}

// The arithmetic of each rule, shared by the kernels and the audit trail's sentences.

/// `per_occurrence`: the points left after `per` for each of `n` occurrences.
pub(crate) fn per_occurrence(max: f64, n: f64, per: f64, cap: f64, floor: f64) -> f64 {
    let deduction = (per * n.max(0.0)).min(cap);
    (max - deduction).max(floor)
}

/// `per_item`: `per` for each of `n` items, up to the leaf's points.
pub(crate) fn per_item(max: f64, n: f64, per: f64) -> f64 {
    (per * n.max(0.0)).min(max)
}

/// `threshold`: the first band the value reaches.
pub(crate) fn threshold(bands: &[Band], direction: Direction, x: f64) -> Option<&Band> {
    match direction {
        Direction::Higher => bands.iter().find(|b| x >= b.at),
        Direction::Lower => bands.iter().find(|b| x <= b.at),
    }
}

/// `criteria` and `risk_matrix`: the first band whose `at` the value reaches.
pub(crate) fn at_least(bands: &[Band], x: f64) -> Option<&Band> {
    bands.iter().find(|b| x >= b.at)
}

/// `goalposts`: the share between the two goalposts.
pub(crate) fn goalposts(x: f64, lo: f64, hi: f64, direction: Direction) -> f64 {
    match direction {
        Direction::Higher => (x - lo) / (hi - lo),
        Direction::Lower => (hi - x) / (hi - lo),
    }
}

/// `target`: the share by distance to the target.
pub(crate) fn target_share(
    x: f64,
    target: f64,
    direction: Direction,
    tolerance: Option<f64>,
) -> f64 {
    match (tolerance, direction) {
        (Some(t), _) => 1.0 - (x - target).abs() / t,
        (None, Direction::Higher) => x / target,
        (None, Direction::Lower) if x <= target => 1.0,
        (None, Direction::Lower) => target / x,
    }
}

/// `efficacy` (功效系数法): the coefficient 60 + 40 × progress, within [0, 100].
pub(crate) fn efficacy(x: f64, worst: f64, best: f64) -> f64 {
    (60.0 + 40.0 * (x - worst) / (best - worst)).clamp(0.0, 100.0)
}

/// `severity`: the per-case deductions of the rows' counts (cases ≤ 0 add nothing).
pub(crate) fn severity_add(total: f64, per: f64, n: f64) -> f64 {
    let n = n.max(0.0);
    if n > 0.0 {
        total + per * n
    } else {
        total
    }
}

/// `survey`: valid votes and their mean code; `None` when too few valid votes.
pub(crate) fn survey_mean(
    counts: &[f64],
    codes: &[(usize, f64)],
    min_valid: f64,
) -> Option<(f64, f64)> {
    let at = |k: usize| counts.get(k).copied().unwrap_or(0.0);
    let valid: f64 = codes.iter().map(|(k, _)| at(*k)).sum();
    if valid < min_valid || valid <= 0.0 {
        return None;
    }
    let mean = codes.iter().map(|(k, code)| at(*k) * code).sum::<f64>() / valid;
    Some((valid, mean))
}

/// `normalise`: the points of value `x` against the cohort's sorted `values` and their `stats`,
/// for a leaf worth `max`; `None` when the cohort leaves nothing to normalise by (all values
/// equal, or too few of them).
pub(crate) fn normalise(
    method: &Normalisation,
    direction: Direction,
    stats: &Stats,
    values: &[f64],
    max: f64,
    x: f64,
) -> Option<f64> {
    match method {
        &Normalisation::Minmax { lo, hi } => {
            let range = stats.max - stats.min;
            // (`NaN` for an empty cohort fails this too.)
            if range.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            // Mirroring a lower-is-better value (−x against −max … −min) is this, exactly.
            let t = match direction {
                Direction::Higher => (x - stats.min) / range,
                Direction::Lower => (stats.max - x) / range,
            };
            Some(lo + t * (hi - lo))
        }
        &Normalisation::Zscore { mean, sd } => {
            if stats.sd.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            let z = match direction {
                Direction::Higher => (x - stats.mean) / stats.sd,
                Direction::Lower => (stats.mean - x) / stats.sd,
            };
            Some(mean + sd * z)
        }
        Normalisation::Percentile => {
            if values.len() < 2 {
                return None;
            }
            let worse = worse_than(values, x, direction);
            Some(share(max, worse as f64 / (values.len() - 1) as f64))
        }
        Normalisation::FractionOfMax => {
            // The share of the cohort's best value, which must be above 0: x / max, or, lower
            // being better, min / x (x ≥ min > 0 then).
            let best = match direction {
                Direction::Higher => stats.max,
                Direction::Lower => stats.min,
            };
            if best.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            let fraction = match direction {
                Direction::Higher => x / best,
                Direction::Lower => best / x,
            };
            Some(share(max, fraction))
        }
        &Normalisation::Target { target } => {
            let (num, den) = match direction {
                Direction::Higher => (x - stats.min, target - stats.min),
                Direction::Lower => (stats.max - x, stats.max - target),
            };
            // A target the cohort's worst value already reaches leaves nothing to measure.
            if den.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            Some(share(max, num / den))
        }
        &Normalisation::Reference { hi, .. } => {
            // COINr's `1 − (r − x) / (r − min)`, in its order of operations; mirrored for lower
            // is better (−x against −r and −max gives exactly these differences).
            let r = stats.reference;
            let (ahead, den) = match direction {
                Direction::Higher => (r - x, r - stats.min),
                Direction::Lower => (x - r, stats.max - r),
            };
            // A reference missing from the cohort (`NaN`), or at its worst value, leaves no
            // distance to measure.
            if den.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            Some(hi * (1.0 - ahead / den))
        }
        Normalisation::Rank | Normalisation::Borda => {
            // A rank above the leaf's points would be cut off: the cohort is too large for it.
            let first = if matches!(method, Normalisation::Rank) {
                1.0
            } else {
                0.0
            };
            let n = values.len() as f64;
            if values.is_empty() || n - 1.0 + first > max {
                return None;
            }
            Some(first + worse_than(values, x, direction) as f64)
        }
        Normalisation::PercentileBands { bands } => {
            if values.len() < 2 {
                return None;
            }
            // Percentile rank `100 × worse / (n − 1)` reaches `at`, compared without dividing so
            // that a rank exactly on a band's edge is in it.
            let worse = worse_than(values, x, direction) as f64 * 100.0;
            let others = (values.len() - 1) as f64;
            Some(
                bands
                    .iter()
                    .find(|b| worse >= b.at * others)
                    .map_or(0.0, |b| share(max, b.share)),
            )
        }
        &Normalisation::AboveMean { tolerance } => {
            // The ratio to the mean is only a measure above a mean above 0.
            if stats.mean.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            let w = x / stats.mean;
            let (better, worse) = match direction {
                Direction::Higher => (w > 1.0 + tolerance, w < 1.0 - tolerance),
                Direction::Lower => (w < 1.0 - tolerance, w > 1.0 + tolerance),
            };
            Some(if better {
                max
            } else if worse {
                0.0
            } else {
                max / 2.0
            })
        }
    }
}

/// How many of the sorted `values` are worse than `x` (ties are not).
pub(crate) fn worse_than(values: &[f64], x: f64, direction: Direction) -> usize {
    match direction {
        Direction::Higher => values.partition_point(|&v| v < x),
        Direction::Lower => values.len() - values.partition_point(|&v| v <= x),
    }
}

/// How many of the sorted `values` are better than `x`.
pub(crate) fn better_than(values: &[f64], x: f64, direction: Direction) -> usize {
    match direction {
        Direction::Higher => values.len() - values.partition_point(|&v| v <= x),
        Direction::Lower => values.partition_point(|&v| v < x),
    }
}

/// Piecewise-linear interpolation over points with increasing x; constant outside.
pub(crate) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return 0.0;
    };
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    for pair in points.windows(2) {
        if let [(x0, y0), (x1, y1)] = pair {
            if x >= *x0 && x <= *x1 {
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            }
        }
    }
    last.1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{better_than, interpolate};
    use crate::ruleset::Direction;

    #[test]
    fn interpolation_is_linear_between_points_and_flat_outside() {
        let pts = [(0.0, 0.0), (10.0, 0.5), (20.0, 1.0)];
        assert_eq!(interpolate(&pts, -5.0), 0.0);
        assert_eq!(interpolate(&pts, 5.0), 0.25);
        assert_eq!(interpolate(&pts, 15.0), 0.75);
        assert_eq!(interpolate(&pts, 25.0), 1.0);
    }

    #[test]
    fn normalisation_follows_the_cohort() {
        use super::normalise;
        use crate::cohort::Stats;
        use crate::ruleset::Normalisation::{self, Minmax, Percentile, Zscore};
        let values = [2.0, 4.0, 4.0, 10.0];
        let stats = Stats {
            n: 4,
            min: 2.0,
            max: 10.0,
            mean: 5.0,
            sd: 12f64.sqrt(),
            reference: 4.0,
        };
        let mm = Minmax { lo: 0.0, hi: 100.0 };
        let at = |m: Normalisation, d, x| normalise(&m, d, &stats, &values, 100.0, x).unwrap();
        assert_eq!(at(mm.clone(), Direction::Higher, 2.0), 0.0);
        assert_eq!(at(mm.clone(), Direction::Higher, 10.0), 100.0);
        assert_eq!(at(mm.clone(), Direction::Higher, 4.0), 25.0);
        assert_eq!(at(mm.clone(), Direction::Lower, 4.0), 75.0);
        // Distance to the reference unit's 4 (COINr's n_dist2ref), uncapped here: the kernel
        // clamps to the leaf's points.
        let to = |hi: f64| Normalisation::Reference {
            unit: "U".into(),
            hi,
        };
        assert_eq!(at(to(100.0), Direction::Higher, 3.0), 50.0);
        assert_eq!(at(to(100.0), Direction::Higher, 4.0), 100.0);
        assert_eq!(at(to(60.0), Direction::Higher, 6.0), 120.0);
        assert_eq!(at(to(100.0), Direction::Lower, 7.0), 50.0);
        assert_eq!(at(to(60.0), Direction::Lower, 10.0), 0.0);
        let at_worst = Stats {
            reference: 2.0,
            ..stats
        };
        assert_eq!(
            normalise(
                &to(100.0),
                Direction::Higher,
                &at_worst,
                &values,
                100.0,
                3.0
            ),
            None
        );
        let ranged = Minmax { lo: 1.0, hi: 100.0 };
        assert_eq!(at(ranged.clone(), Direction::Lower, 10.0), 1.0);
        let z = Zscore {
            mean: 50.0,
            sd: 10.0,
        };
        assert_eq!(at(z.clone(), Direction::Higher, 5.0), 50.0);
        assert!((at(z.clone(), Direction::Higher, 5.0 + 12f64.sqrt()) - 60.0).abs() < 1e-12);
        assert!((at(z.clone(), Direction::Lower, 5.0 + 12f64.sqrt()) - 40.0).abs() < 1e-12);
        // Percentile: the share of the other values below (ties do not count).
        assert!((at(Percentile, Direction::Higher, 4.0) - 100.0 / 3.0).abs() < 1e-12);
        assert!((at(Percentile, Direction::Lower, 4.0) - 100.0 / 3.0).abs() < 1e-12);
        assert_eq!(at(Percentile, Direction::Higher, 2.0), 0.0);
        // A value beyond the reference cohort stays within the leaf's points.
        assert_eq!(at(Percentile, Direction::Higher, 11.0), 100.0);
        // Nothing to normalise by.
        let flat = Stats {
            n: 3,
            min: 1.0,
            max: 1.0,
            mean: 1.0,
            sd: 0.0,
            reference: f64::NAN,
        };
        for m in [mm.clone(), z.clone()] {
            assert_eq!(
                normalise(&m, Direction::Higher, &flat, &[1.0; 3], 100.0, 1.0),
                None
            );
        }
        assert_eq!(
            normalise(&Percentile, Direction::Higher, &stats, &[3.0], 100.0, 3.0),
            None
        );
    }

    #[test]
    fn ranks_bands_and_the_mean() {
        use super::normalise;
        use crate::cohort::Stats;
        use crate::ruleset::{Band, Normalisation};
        let values = [2.0, 4.0, 4.0, 10.0, 15.0];
        let stats = Stats {
            n: 5,
            min: 2.0,
            max: 15.0,
            mean: 7.0,
            sd: 0.0,
            reference: f64::NAN,
        };
        let at = |m: &Normalisation, d, x| normalise(m, d, &stats, &values, 100.0, x);
        // COINr's n_rank (ties at their lowest rank) and n_borda (the rank − 1).
        for (x, rank) in [
            (2.0, 1.0),
            (4.0, 2.0),
            (10.0, 4.0),
            (15.0, 5.0),
            (20.0, 6.0),
        ] {
            assert_eq!(at(&Normalisation::Rank, Direction::Higher, x), Some(rank));
            assert_eq!(
                at(&Normalisation::Borda, Direction::Higher, x),
                Some(rank - 1.0)
            );
        }
        // Lower is better: the values above count.
        assert_eq!(at(&Normalisation::Rank, Direction::Lower, 4.0), Some(3.0));
        assert_eq!(at(&Normalisation::Borda, Direction::Lower, 2.0), Some(4.0));
        // A cohort larger than the leaf's points leaves ranks that cannot be scored.
        assert_eq!(
            normalise(
                &Normalisation::Rank,
                Direction::Higher,
                &stats,
                &values,
                4.0,
                4.0
            ),
            None
        );
        assert_eq!(
            normalise(
                &Normalisation::Borda,
                Direction::Higher,
                &stats,
                &values,
                4.0,
                4.0
            ),
            Some(1.0)
        );
        // Categorical bands by percentile rank: 0, 25, 25, 75, 100 for the five values.
        let band = |at, share| Band {
            at,
            share,
            label: None,
            label_en: None,
        };
        let bands = Normalisation::PercentileBands {
            bands: vec![band(75.0, 1.0), band(25.0, 0.5)],
        };
        for (x, points) in [
            (2.0, 0.0),
            (4.0, 50.0),
            (10.0, 100.0),
            (15.0, 100.0),
            (3.0, 50.0),
            (1.0, 0.0),
        ] {
            assert_eq!(at(&bands, Direction::Higher, x), Some(points), "x = {x}");
        }
        // Lower is better: 4 is worse than 10 and 15 only, a percentile rank of 50.
        assert_eq!(at(&bands, Direction::Lower, 4.0), Some(50.0));
        assert_eq!(at(&bands, Direction::Lower, 2.0), Some(100.0));
        // Above or below the mean (7) by more than 20 %: beyond 8.4 or under 5.6.
        let mean = Normalisation::AboveMean { tolerance: 0.2 };
        for (x, higher, lower) in [
            (8.5, 100.0, 0.0),
            (8.39, 50.0, 50.0),
            (5.61, 50.0, 50.0),
            (5.5, 0.0, 100.0),
        ] {
            assert_eq!(at(&mean, Direction::Higher, x), Some(higher), "x = {x}");
            assert_eq!(at(&mean, Direction::Lower, x), Some(lower), "x = {x}");
        }
        let below_zero = Stats {
            mean: -1.0,
            ..stats
        };
        assert_eq!(
            normalise(&mean, Direction::Higher, &below_zero, &values, 100.0, 1.0),
            None
        );
    }

    #[test]
    fn better_counts_strictly_better_values() {
        let v = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(better_than(&v, 2.0, Direction::Higher), 1);
        assert_eq!(better_than(&v, 2.0, Direction::Lower), 1);
        assert_eq!(better_than(&v, 0.5, Direction::Higher), 4);
        assert_eq!(better_than(&v, 3.0, Direction::Lower), 3);
    }
}
