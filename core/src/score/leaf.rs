//! Leaf scorers as column kernels: one function per rule type, each turning a chunk's values
//! into points (or a share of the leaf's points) for the rows still to be scored.

use super::chunk::{Env, Rows};
use crate::cohort::RankRefs;
use crate::error::RecordError;
use crate::explain::num;
use crate::expr::vector::{Columns, MISSING_TEXT};
use crate::expr::Expr;
use crate::ruleset::{Band, Direction, Ruleset, Scorer, Tier};
use std::borrow::Cow;

/// What a leaf's scorer decided for a row.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// Points earned (clamped to the leaf's maximum by the caller).
    Points(f64),
    /// The item scores 0 by a zeroing rule.
    Zeroed,
    /// A needed value is missing.
    Missing,
    /// The item does not apply.
    NotApplicable,
    /// Not decided here: the row stopped with an error, or was decided before the scorer ran.
    Skip,
}

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
}

/// A share of the leaf's points, clamped to [0, 1].
fn share(max: f64, s: f64) -> Outcome {
    Outcome::Points(max * f64::clamp(s, 0.0, 1.0))
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

impl Leaf<'_, '_> {
    fn numbers(&self, e: &Expr, rows: &mut Rows, todo: &[bool]) -> Vec<f64> {
        let v = self
            .env
            .eval_in(self.ruleset, e, rows, Some(todo), self.path);
        v.numbers(self.env.n).into_owned()
    }

    fn bools(&self, e: &Expr, rows: &mut Rows, todo: &[bool]) -> Vec<u8> {
        let v = self
            .env
            .eval_in(self.ruleset, e, rows, Some(todo), self.path);
        v.bools(self.env.n).into_owned()
    }

    /// Scores the rows in `todo` into `out`.
    pub(crate) fn score(
        &self,
        scorer: &Scorer,
        todo: &[bool],
        rows: &mut Rows,
        out: &mut [Outcome],
    ) {
        let max = self.max;
        // Each arm sets `out[i]` for the rows in `todo` that are still alive.
        let alive = |rows: &Rows, i: usize, todo: &[bool]| {
            todo.get(i).copied().unwrap_or(false) && rows.is_alive(i)
        };
        match scorer {
            Scorer::Clause { when } => {
                let w = self.bools(when, rows, todo);
                for (i, (o, &w)) in out.iter_mut().zip(&w).enumerate() {
                    if alive(rows, i, todo) {
                        *o = match w {
                            1 => Outcome::Points(max),
                            0 => Outcome::Points(0.0),
                            _ => Outcome::Missing,
                        };
                    }
                }
            }
            Scorer::PerOccurrence {
                count,
                per,
                cap,
                floor,
            } => {
                let c = self.numbers(count, rows, todo);
                for (i, (o, &n)) in out.iter_mut().zip(&c).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if n.is_nan() {
                            Outcome::Missing
                        } else {
                            Outcome::Points(per_occurrence(max, n, *per, *cap, *floor))
                        };
                    }
                }
            }
            Scorer::Severity { tiers, cap } => {
                // Tiers in order; a row stops at its first missing value or zeroing tier.
                let mut open: Vec<bool> = (0..out.len()).map(|i| alive(rows, i, todo)).collect();
                let mut total = vec![0.0_f64; out.len()];
                for tier in tiers {
                    match tier {
                        Tier::Zero { when, .. } => {
                            let w = self.bools(when, rows, &open);
                            for (i, (o, &w)) in out.iter_mut().zip(&w).enumerate() {
                                if !(open.get(i).copied().unwrap_or(false) && rows.is_alive(i)) {
                                    continue;
                                }
                                match w {
                                    1 => *o = Outcome::Zeroed,
                                    0 => continue,
                                    _ => *o = Outcome::Missing,
                                }
                                if let Some(x) = open.get_mut(i) {
                                    *x = false;
                                }
                            }
                        }
                        Tier::PerCase { count, per, .. } => {
                            let c = self.numbers(count, rows, &open);
                            for (i, ((o, &n), t)) in
                                out.iter_mut().zip(&c).zip(total.iter_mut()).enumerate()
                            {
                                if !(open.get(i).copied().unwrap_or(false) && rows.is_alive(i)) {
                                    continue;
                                }
                                if n.is_nan() {
                                    *o = Outcome::Missing;
                                    if let Some(x) = open.get_mut(i) {
                                        *x = false;
                                    }
                                } else {
                                    *t = severity_add(*t, *per, n);
                                }
                            }
                        }
                    }
                }
                for (i, (o, t)) in out.iter_mut().zip(&total).enumerate() {
                    if open.get(i).copied().unwrap_or(false) && rows.is_alive(i) {
                        *o = Outcome::Points(max - t.min(*cap));
                    }
                }
            }
            Scorer::Discretionary {
                input,
                min,
                max: hi,
            } => {
                let v: Cow<'_, [f64]> = self.env.raw_numbers(*input);
                for i in 0..out.len() {
                    if !alive(rows, i, todo) {
                        continue;
                    }
                    let x = v.get(i).copied().unwrap_or(f64::NAN);
                    let o = if x.is_nan() {
                        Outcome::Missing
                    } else if x != 0.0 && (x < *min || x > *hi) {
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
                        Outcome::Skip
                    } else {
                        Outcome::Points(max - x)
                    };
                    if let Some(slot) = out.get_mut(i) {
                        *slot = o;
                    }
                }
            }
            Scorer::PerItem { count, per } => {
                let c = self.numbers(count, rows, todo);
                for (i, (o, &n)) in out.iter_mut().zip(&c).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if n.is_nan() {
                            Outcome::Missing
                        } else {
                            Outcome::Points(per_item(max, n, *per))
                        };
                    }
                }
            }
            Scorer::Threshold {
                value,
                direction,
                bands,
            } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            share(
                                max,
                                threshold(bands, *direction, x).map_or(0.0, |b| b.share),
                            )
                        };
                    }
                }
            }
            Scorer::Piecewise { value, points } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            share(max, interpolate(points, x))
                        };
                    }
                }
            }
            Scorer::Goalposts {
                value,
                lo,
                hi,
                direction,
            } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            share(max, goalposts(x, *lo, *hi, *direction))
                        };
                    }
                }
            }
            Scorer::Target {
                value,
                target,
                direction,
                tolerance,
            } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            share(max, target_share(x, *target, *direction, *tolerance))
                        };
                    }
                }
            }
            Scorer::Efficacy { value, worst, best } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            share(max, efficacy(x, *worst, *best) / 100.0)
                        };
                    }
                }
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
                    _ => Cow::Owned(vec![MISSING_TEXT; out.len()]),
                };
                for (i, (o, &c)) in out.iter_mut().zip(codes.iter()).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if c == MISSING_TEXT {
                            Outcome::Missing
                        } else if na.contains(&c) {
                            Outcome::NotApplicable
                        } else {
                            // The first entry of the level, as the row evaluator finds it.
                            let s = table.iter().find(|(v, _)| *v == c).map_or(0.0, |(_, s)| *s);
                            share(max, s)
                        };
                    }
                }
            }
            Scorer::Survey {
                input,
                codes,
                min_valid,
                scale,
                ..
            } => {
                for (i, o) in out.iter_mut().enumerate() {
                    if !alive(rows, i, todo) {
                        continue;
                    }
                    let Some(counts) = self.env.batch.survey(*input, self.env.start + i) else {
                        *o = Outcome::Missing;
                        continue;
                    };
                    *o = match survey_mean(counts, codes, *min_valid) {
                        Some((_, mean)) => share(max, mean / scale),
                        None => Outcome::Missing,
                    };
                }
            }
            Scorer::Frequency { periods, min } => {
                let mut open: Vec<bool> = (0..out.len()).map(|i| alive(rows, i, todo)).collect();
                let mut met = vec![0usize; out.len()];
                for p in periods {
                    let v = self.numbers(p, rows, &open);
                    for (i, ((o, &x), m)) in out.iter_mut().zip(&v).zip(met.iter_mut()).enumerate()
                    {
                        if !(open.get(i).copied().unwrap_or(false) && rows.is_alive(i)) {
                            continue;
                        }
                        if x.is_nan() {
                            *o = Outcome::Missing;
                            if let Some(x) = open.get_mut(i) {
                                *x = false;
                            }
                        } else if x >= *min {
                            *m += 1;
                        }
                    }
                }
                let of = periods.len().max(1) as f64;
                for (i, (o, &m)) in out.iter_mut().zip(&met).enumerate() {
                    if open.get(i).copied().unwrap_or(false) && rows.is_alive(i) {
                        *o = share(max, m as f64 / of);
                    }
                }
            }
            Scorer::Criteria { criteria, bands } => {
                let mut open: Vec<bool> = (0..out.len()).map(|i| alive(rows, i, todo)).collect();
                let mut met = vec![0usize; out.len()];
                for c in criteria {
                    let v = self.bools(c, rows, &open);
                    for (i, ((o, &b), m)) in out.iter_mut().zip(&v).zip(met.iter_mut()).enumerate()
                    {
                        if !(open.get(i).copied().unwrap_or(false) && rows.is_alive(i)) {
                            continue;
                        }
                        match b {
                            1 => *m += 1,
                            0 => {}
                            _ => {
                                *o = Outcome::Missing;
                                if let Some(x) = open.get_mut(i) {
                                    *x = false;
                                }
                            }
                        }
                    }
                }
                for (i, (o, &m)) in out.iter_mut().zip(&met).enumerate() {
                    if open.get(i).copied().unwrap_or(false) && rows.is_alive(i) {
                        *o = share(max, at_least(bands, m as f64).map_or(0.0, |b| b.share));
                    }
                }
            }
            Scorer::RiskMatrix {
                likelihood,
                severity,
                bands,
            } => {
                let l = self.numbers(likelihood, rows, todo);
                let open: Vec<bool> = (0..out.len())
                    .map(|i| alive(rows, i, todo) && !l.get(i).is_none_or(|x| x.is_nan()))
                    .collect();
                let s = self.numbers(severity, rows, &open);
                for (i, (o, (&l, &s))) in out.iter_mut().zip(l.iter().zip(&s)).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if l.is_nan() || s.is_nan() {
                            Outcome::Missing
                        } else {
                            share(max, at_least(bands, l * s).map_or(0.0, |b| b.share))
                        };
                    }
                }
            }
            Scorer::Rank {
                value,
                direction,
                step,
            } => {
                let v = self.numbers(value, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            let values = self.rank_refs.values(self.node, (self.group)(i));
                            let better = better_than(values, x, *direction);
                            Outcome::Points((max - step * better as f64).max(0.0))
                        };
                    }
                }
            }
            Scorer::Formula { expr } => {
                let v = self.numbers(expr, rows, todo);
                for (i, (o, &x)) in out.iter_mut().zip(&v).enumerate() {
                    if alive(rows, i, todo) {
                        *o = if x.is_nan() {
                            Outcome::Missing
                        } else {
                            Outcome::Points(x.clamp(0.0, max))
                        };
                    }
                }
            }
        }
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
    fn better_counts_strictly_better_values() {
        let v = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(better_than(&v, 2.0, Direction::Higher), 1);
        assert_eq!(better_than(&v, 2.0, Direction::Lower), 1);
        assert_eq!(better_than(&v, 0.5, Direction::Higher), 4);
        assert_eq!(better_than(&v, 3.0, Direction::Lower), 3);
    }
}
