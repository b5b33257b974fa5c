//! A data matrix checked and turned into columns, and what the data-driven methods share:
//! directions, direction-aware min-max, mean and sample standard deviation.

use super::WeightsError;
use crate::ruleset::Direction;
use serde::Serialize;

/// Options of the data-driven methods ([`super::entropy`], [`super::critic`], [`super::sd`],
/// [`super::pca`]).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct DataOptions {
    /// One direction per column (default: every column higher-is-better). A lower-is-better
    /// column is mirrored when it is min-max normalised.
    pub directions: Option<Vec<Direction>>,
    /// Entropy only: min-max normalise (direction-aware) before computing proportions, instead
    /// of using the raw values.
    pub normalise: bool,
    /// Leave out rows with a missing value (NaN) instead of failing.
    pub drop_missing: bool,
}

impl DataOptions {
    /// Default options: raw values, every column higher-is-better, missing values are errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets one direction per column.
    pub fn directions(mut self, directions: Vec<Direction>) -> Self {
        self.directions = Some(directions);
        self
    }

    /// Min-max normalises first (entropy).
    pub fn normalise(mut self, normalise: bool) -> Self {
        self.normalise = normalise;
        self
    }

    /// Leaves out rows with a missing value.
    pub fn drop_missing(mut self, drop_missing: bool) -> Self {
        self.drop_missing = drop_missing;
        self
    }
}

/// Weights computed from a data matrix.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Weights {
    /// One weight per column, summing to 1.
    pub weights: Vec<f64>,
    /// Rows used.
    pub rows_used: usize,
    /// 0-based rows left out for a missing value (with `drop_missing`).
    pub dropped_rows: Vec<usize>,
}

/// A direction from COINr's Direction column: `1` higher is better, `-1` lower is better.
pub fn direction_from_number(value: f64) -> Option<Direction> {
    if value == 1.0 {
        Some(Direction::Higher)
    } else if value == -1.0 {
        Some(Direction::Lower)
    } else {
        None
    }
}

/// A direction as rulesets write it: `higher` or `lower`.
pub fn direction_from_word(word: &str) -> Option<Direction> {
    match word {
        "higher" => Some(Direction::Higher),
        "lower" => Some(Direction::Lower),
        _ => None,
    }
}

/// A direction as a binding receives it: COINr's number or the ruleset's word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DirectionValue<'a> {
    /// `1` or `-1`.
    Number(f64),
    /// `higher` or `lower`.
    Word(&'a str),
}

/// The direction of column `column`, or `weights.directions` naming it and what was given.
pub fn parse_direction(
    column: usize,
    value: DirectionValue<'_>,
) -> Result<Direction, WeightsError> {
    let (parsed, given) = match value {
        DirectionValue::Number(x) => (direction_from_number(x), x.to_string()),
        DirectionValue::Word(w) => (direction_from_word(w), format!("\"{w}\"")),
    };
    parsed.ok_or_else(|| {
        WeightsError::new(
            "weights.directions",
            format!("the direction of column {column} is {given}: use 1 or \"higher\" (higher is better), -1 or \"lower\" (lower is better)"),
        )
        .at(None, Some(column))
    })
}

/// A checked data matrix, column by column.
pub(crate) struct Columns {
    pub columns: Vec<Vec<f64>>,
    pub directions: Vec<Direction>,
    pub rows_used: usize,
    pub dropped_rows: Vec<usize>,
}

impl Columns {
    /// Checks a matrix given as rows: rectangular, finite, missing values dropped or refused,
    /// at least `min_rows` rows left, one direction per column.
    pub fn from_rows(
        rows: &[Vec<f64>],
        options: &DataOptions,
        min_rows: usize,
    ) -> Result<Columns, WeightsError> {
        let width = rows.first().map_or(0, Vec::len);
        if width == 0 {
            return Err(WeightsError::new(
                "weights.empty",
                "the matrix has no columns (or no rows)",
            ));
        }
        let directions = match &options.directions {
            None => vec![Direction::Higher; width],
            Some(d) if d.len() == width => d.clone(),
            Some(d) => {
                return Err(WeightsError::new(
                    "weights.directions",
                    format!("{} directions given for {width} columns", d.len()),
                ))
            }
        };
        let mut columns = vec![Vec::with_capacity(rows.len()); width];
        let mut dropped_rows = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row.len() != width {
                return Err(WeightsError::new(
                    "weights.ragged",
                    format!(
                        "row {i} has {} values, but row 0 has {width}: every row needs one value per column",
                        row.len()
                    ),
                )
                .at(Some(i), None));
            }
            if let Some(j) = row.iter().position(|v| v.is_nan()) {
                if options.drop_missing {
                    dropped_rows.push(i);
                    continue;
                }
                return Err(WeightsError::new(
                    "weights.missing",
                    format!("row {i}, column {j} is missing (NaN); fill it in, or ask to drop rows with missing values"),
                )
                .at(Some(i), Some(j)));
            }
            if let Some(j) = row.iter().position(|v| v.is_infinite()) {
                return Err(WeightsError::new(
                    "weights.not_finite",
                    format!("row {i}, column {j} is infinite"),
                )
                .at(Some(i), Some(j)));
            }
            for (column, &v) in columns.iter_mut().zip(row) {
                column.push(v);
            }
        }
        let rows_used = rows.len() - dropped_rows.len();
        if rows_used < min_rows {
            let after = if dropped_rows.is_empty() {
                String::new()
            } else {
                format!(
                    " after leaving out {} with missing values",
                    dropped_rows.len()
                )
            };
            return Err(WeightsError::new(
                "weights.too_few_rows",
                format!("{rows_used} row(s){after}: at least {min_rows} are needed"),
            ));
        }
        Ok(Columns {
            columns,
            directions,
            rows_used,
            dropped_rows,
        })
    }

    /// The result, with the rows used and dropped.
    pub fn finish(self, weights: Vec<f64>) -> Weights {
        Weights {
            weights,
            rows_used: self.rows_used,
            dropped_rows: self.dropped_rows,
        }
    }
}

/// Min-max normalised to [0, 1], a lower-is-better column mirrored (its best value becomes 1).
/// `None` for a constant column, which min-max cannot scale.
pub(crate) fn min_max(column: &[f64], direction: Direction) -> Option<Vec<f64>> {
    let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = hi - lo;
    (range > 0.0 && range.is_finite()).then(|| match direction {
        Direction::Higher => column.iter().map(|x| (x - lo) / range).collect(),
        Direction::Lower => column.iter().map(|x| (hi - x) / range).collect(),
    })
}

pub(crate) fn mean(column: &[f64]) -> f64 {
    column.iter().sum::<f64>() / column.len() as f64
}

/// Sample standard deviation (divisor m − 1), as R's `sd` and COINr use.
pub(crate) fn sample_sd(column: &[f64]) -> f64 {
    let m = mean(column);
    let squares: f64 = column.iter().map(|x| (x - m) * (x - m)).sum();
    libm::sqrt(squares / (column.len() as f64 - 1.0))
}

/// Pearson correlation of two columns of equal length, neither constant.
pub(crate) fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        ab += dx * dy;
        aa += dx * dx;
        bb += dy * dy;
    }
    // Rounding can push |r| a hair above 1; a correlation is within [−1, 1].
    (ab / libm::sqrt(aa * bb)).clamp(-1.0, 1.0)
}
