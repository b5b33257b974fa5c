//! Outranking and Copeland scores — the non-compensatory aggregation of the OECD/JRC Handbook,
//! as COINr computes it (`outrankMatrix`, `a_copeland`): a unit's strength on one indicator
//! cannot buy back its weakness on another, only the count of pairwise contests it wins counts.
//!
//! For units i and j, the outranking matrix holds the share of the weight on which i beats j,
//! ties counting half; comparisons with a missing value count for neither (COINr's `na.rm`), and
//! as in COINr the entry below the diagonal is 1 − the entry above it. A unit's Copeland score
//! is the number of units it outranks (entry above ½) minus the number that outrank it (below
//! ½). Every pair is compared, so the work grows with the square of the units: at most
//! [`MAX_UNITS`] of them.

use crate::ruleset::{Direction, NodeKind};
use crate::weights::WeightsError;
use crate::{AnalysisError, Batch, Ruleset, Status};
use serde::Serialize;

/// The most units compared pairwise (25 million pairs).
pub const MAX_UNITS: usize = 5_000;

/// The outranking matrix of a data matrix and its Copeland scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outranking {
    /// Row i, column j: the share of the weight on which unit i beats unit j (ties half); 0 on
    /// the diagonal.
    pub matrix: Vec<Vec<f64>>,
    /// Per unit: pairs won minus pairs lost.
    pub copeland: Vec<f64>,
    /// Pairs where one unit beats the other on every indicator (an entry of 1).
    pub dominant_pairs: usize,
    /// `dominant_pairs` over all pairs: how far the ranking holds whatever the weights.
    pub dominant_share: f64,
}

/// The outranking matrix and Copeland scores of `rows` (one row per unit, one column per
/// indicator; `NaN` is a missing value) under `weights` (one per column, scaled to sum to 1;
/// equal when `None`); a column whose direction is `Lower` is compared the other way round.
///
/// ```
/// use qinglian::outranking::outranking;
/// // A beats B on both indicators, B and C split them, C beats A on the heavier one.
/// let rows = vec![vec![3.0, 2.0], vec![1.0, 1.0], vec![2.0, 5.0]];
/// let o = outranking(&rows, Some(&[1.0, 3.0]), None).unwrap();
/// assert_eq!(o.matrix[0][1], 1.0);
/// assert_eq!(o.copeland, vec![0.0, -2.0, 2.0]);
/// ```
pub fn outranking(
    rows: &[Vec<f64>],
    weights: Option<&[f64]>,
    directions: Option<&[Direction]>,
) -> Result<Outranking, WeightsError> {
    let width = rows.first().map_or(0, Vec::len);
    if width == 0 {
        return Err(WeightsError::new(
            "weights.empty",
            "the matrix has no columns (or no rows)",
        ));
    }
    if rows.len() > MAX_UNITS {
        return Err(WeightsError::new(
            "weights.too_large",
            format!(
                "{} units to compare pairwise: at most {MAX_UNITS} (the work grows with the square of the units)",
                rows.len()
            ),
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        if row.len() != width {
            return Err(WeightsError::new(
                "weights.ragged",
                format!("row {r} has {} values; row 0 has {width}", row.len()),
            )
            .at(Some(r), None));
        }
        if let Some(c) = row.iter().position(|x| x.is_infinite()) {
            return Err(WeightsError::new(
                "weights.not_finite",
                format!("the value in row {r}, column {c} is not finite"),
            )
            .at(Some(r), Some(c)));
        }
    }
    let weights = match weights {
        None => vec![1.0 / width as f64; width],
        Some(w) if w.len() != width => {
            return Err(WeightsError::new(
                "weights.shape",
                format!("{} weights given for {width} columns", w.len()),
            ))
        }
        Some(w) => {
            if let Some(c) = w.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(WeightsError::new(
                    "weights.bad_weights",
                    format!("the weight of column {c} must be a finite number ≥ 0"),
                )
                .at(None, Some(c)));
            }
            let sum: f64 = w.iter().sum();
            if sum <= 0.0 {
                return Err(WeightsError::new(
                    "weights.bad_weights",
                    "the weights add up to 0: give at least one a positive weight",
                ));
            }
            w.iter().map(|x| x / sum).collect()
        }
    };
    if let Some(d) = directions.filter(|d| d.len() != width) {
        return Err(WeightsError::new(
            "weights.directions",
            format!("{} directions given for {width} columns", d.len()),
        ));
    }
    let lower: Vec<bool> = (0..width)
        .map(|c| directions.and_then(|d| d.get(c)) == Some(&Direction::Lower))
        .collect();
    let n = rows.len();
    let mut matrix = vec![vec![0.0; n]; n];
    for (i, a) in rows.iter().enumerate() {
        for (j, b) in rows.iter().enumerate().skip(i + 1) {
            let (mut wins, mut ties) = (0.0, 0.0);
            for (((&x, &y), &w), &lower) in a.iter().zip(b).zip(&weights).zip(&lower) {
                let (x, y) = if lower { (y, x) } else { (x, y) };
                if x > y {
                    wins += w;
                } else if x == y {
                    ties += w;
                }
            }
            let share = wins + ties / 2.0;
            if let Some(cell) = matrix.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = share;
            }
            if let Some(cell) = matrix.get_mut(j).and_then(|r| r.get_mut(i)) {
                *cell = 1.0 - share;
            }
        }
    }
    let copeland = matrix
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &m)| {
                    if m > 0.5 {
                        1.0
                    } else if m < 0.5 {
                        -1.0
                    } else {
                        0.0
                    }
                })
                .sum()
        })
        .collect();
    let dominant_pairs = matrix.iter().flatten().filter(|&&m| m == 1.0).count();
    let pairs = n * n.saturating_sub(1) / 2;
    Ok(Outranking {
        matrix,
        copeland,
        dominant_pairs,
        dominant_share: if pairs == 0 {
            f64::NAN
        } else {
            dominant_pairs as f64 / pairs as f64
        },
    })
}

/// Copeland scores of a batch's units at one node of the tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Copeland {
    /// Per row of the batch: pairs won minus pairs lost among the scored rows, on the node's
    /// children with their weights; `NaN` for a row that could not be scored.
    pub scores: Vec<f64>,
    /// Per row: rank by Copeland score, 1 = best, ties sharing the better rank; 0 when not
    /// scored.
    pub ranks: Vec<u32>,
    /// Pairs where one unit beats the other on every child.
    pub dominant_pairs: usize,
    /// `dominant_pairs` over all pairs of scored units.
    pub dominant_share: f64,
}

impl Ruleset {
    /// Copeland scores of the batch's units (scored as one cohort) at the group `node` (a path;
    /// the whole tree when `None`), from its children's points and weights: the Handbook's
    /// non-compensatory alternative to the node's own aggregation. A child missing for a unit
    /// counts in none of its contests.
    pub fn copeland(
        &self,
        batch: &Batch<'_>,
        node: Option<&str>,
    ) -> Result<Copeland, AnalysisError> {
        let fail = |message: String| AnalysisError { message };
        let path = node.unwrap_or("");
        let index = self
            .nodes
            .iter()
            .position(|n| n.path == path)
            .ok_or_else(|| fail(format!("the ruleset has no indicator `{path}`")))?;
        let children = match self.nodes.get(index).map(|n| &n.kind) {
            Some(NodeKind::Group { children, .. }) => children
                .iter()
                .copied()
                .filter(|&c| self.nodes.get(c).is_some_and(|n| !n.bonus))
                .collect::<Vec<_>>(),
            _ => {
                return Err(fail(format!(
                    "`{path}` is a leaf: Copeland scores compare the children of a group"
                )))
            }
        };
        let scores = self.score(batch);
        let scored: Vec<usize> = (0..batch.len()).filter(|&r| scores.is_scored(r)).collect();
        // Indicator i is node i + 1 (the root is node 0, never a child).
        let columns: Vec<(&[f64], &[Status])> = children
            .iter()
            .map(|&c| {
                let i = c.saturating_sub(1);
                (
                    scores.indicator_scores(i).unwrap_or_default(),
                    scores.indicator_statuses(i).unwrap_or_default(),
                )
            })
            .collect();
        let rows: Vec<Vec<f64>> = scored
            .iter()
            .map(|&r| {
                columns
                    .iter()
                    .map(|(s, st)| match (s.get(r), st.get(r)) {
                        (Some(&x), Some(Status::Scored | Status::Zeroed)) => x,
                        _ => f64::NAN,
                    })
                    .collect()
            })
            .collect();
        let weights: Vec<f64> = children
            .iter()
            .map(|&c| self.nodes.get(c).map_or(0.0, |n| n.weight))
            .collect();
        let mut out = Copeland {
            scores: vec![f64::NAN; batch.len()],
            ranks: vec![0; batch.len()],
            dominant_pairs: 0,
            dominant_share: f64::NAN,
        };
        if rows.is_empty() {
            return Ok(out);
        }
        let o = outranking(&rows, Some(&weights), None).map_err(|e| fail(e.message))?;
        let mut sorted = o.copeland.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        for (&row, &c) in scored.iter().zip(&o.copeland) {
            if let Some(s) = out.scores.get_mut(row) {
                *s = c;
            }
            if let Some(rank) = out.ranks.get_mut(row) {
                *rank = (sorted.partition_point(|&x| x > c) + 1) as u32;
            }
        }
        out.dominant_pairs = o.dominant_pairs;
        out.dominant_share = o.dominant_share;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn pairs_are_won_by_the_weight_and_ties_count_half() {
        // Worked by hand: A = (3, 2), B = (1, 1), C = (2, 5), weights 1 : 3 → ¼, ¾.
        // A v B: A wins both → 1. A v C: A wins the first (¼) → ¼. B v C: C wins both → 0.
        let rows = vec![vec![3.0, 2.0], vec![1.0, 1.0], vec![2.0, 5.0]];
        let o = outranking(&rows, Some(&[1.0, 3.0]), None).unwrap();
        assert_eq!(
            o.matrix,
            vec![
                vec![0.0, 1.0, 0.25],
                vec![0.0, 0.0, 0.0],
                vec![0.75, 1.0, 0.0]
            ]
        );
        assert_eq!(o.copeland, vec![0.0, -2.0, 2.0]);
        // Dominance: A over B, C over B.
        assert_eq!(o.dominant_pairs, 2);
        assert!((o.dominant_share - 2.0 / 3.0).abs() < 1e-15);
        // A tie on the heavier indicator: half of it each.
        let o = outranking(&[vec![1.0, 4.0], vec![2.0, 4.0]], Some(&[1.0, 3.0]), None).unwrap();
        assert_eq!(o.matrix[0][1], 0.375);
        assert_eq!(o.copeland, vec![-1.0, 1.0]);
        // Equal weights, an exact split: neither outranks the other.
        let o = outranking(&[vec![1.0, 2.0], vec![2.0, 1.0]], None, None).unwrap();
        assert_eq!(o.copeland, vec![0.0, 0.0]);
        // Lower is better on the second column turns the second contest round.
        let o = outranking(
            &[vec![1.0, 2.0], vec![2.0, 1.0]],
            None,
            Some(&[Direction::Higher, Direction::Lower]),
        )
        .unwrap();
        assert_eq!(o.matrix[0][1], 0.0);
        assert_eq!(o.copeland, vec![-1.0, 1.0]);
    }

    #[test]
    fn a_missing_value_counts_for_neither_and_the_lower_entry_is_one_minus_the_upper() {
        let rows = vec![vec![f64::NAN, 1.0], vec![2.0, 0.0]];
        let o = outranking(&rows, None, None).unwrap();
        // Row 0 wins the second contest (½); the first is not counted for either, yet, as in
        // COINr, row 1's entry is 1 − ½.
        assert_eq!(o.matrix[0][1], 0.5);
        assert_eq!(o.matrix[1][0], 0.5);
        assert_eq!(o.copeland, vec![0.0, 0.0]);
    }

    #[test]
    fn bad_matrices_are_refused_with_a_place() {
        let code = |rows: &[Vec<f64>], w: Option<&[f64]>| outranking(rows, w, None).unwrap_err();
        assert_eq!(code(&[], None).code, "weights.empty");
        let e = code(&[vec![1.0, 2.0], vec![1.0]], None);
        assert_eq!((e.code, e.row), ("weights.ragged", Some(1)));
        let e = code(&[vec![1.0, f64::INFINITY]], None);
        assert_eq!((e.code, e.column), ("weights.not_finite", Some(1)));
        assert_eq!(code(&[vec![1.0]], Some(&[1.0, 2.0])).code, "weights.shape");
        assert_eq!(
            code(&[vec![1.0]], Some(&[-1.0])).code,
            "weights.bad_weights"
        );
        assert_eq!(code(&[vec![1.0]], Some(&[0.0])).code, "weights.bad_weights");
        let e = outranking(&[vec![1.0]], None, Some(&[Direction::Lower; 2])).unwrap_err();
        assert_eq!(e.code, "weights.directions");
        let many = vec![vec![1.0]; MAX_UNITS + 1];
        assert_eq!(code(&many, None).code, "weights.too_large");
    }
}
