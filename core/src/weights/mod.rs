//! Weights for a composite index, computed from data or from expert judgements.
//!
//! Each method is a plain function over a matrix: a pairwise comparison matrix for [`ahp`], or a
//! data matrix — one row per unit, one column per indicator — for [`entropy`], [`critic`],
//! [`sd`] and [`pca`]. [`equal`] needs only the number of indicators, and
//! [`crate::Ruleset::effective_weights`] gives the weight each leaf of a ruleset carries in the
//! total. Weights always sum to 1 (up to rounding) and are never negative.
//!
//! The formulas, options and error codes are documented in `docs/weights.md`. Every logarithm
//! and square root goes through `libm`, so the same input gives the same bits natively, in
//! Python and in WebAssembly.
//!
//! ```
//! use qinglian::weights::{self, DataOptions};
//!
//! let data = vec![vec![1.0, 10.0], vec![2.0, 10.0], vec![3.0, 12.0]];
//! let w = weights::entropy(&data, &DataOptions::default()).unwrap();
//! assert!((w.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! assert!(w.weights[0] > w.weights[1]); // the first column varies more
//! ```

mod ahp;
mod critic;
mod data;
mod effective;
mod entropy;
mod pca;
mod sd;

pub use ahp::{ahp, random_index, Ahp, AhpOptions, RandomIndex, CONSISTENT_CR};
pub use critic::critic;
pub use data::{
    direction_from_number, direction_from_word, parse_direction, DataOptions, DirectionValue,
    Weights,
};
pub use effective::EffectiveWeight;
pub use entropy::entropy;
pub use pca::pca;
pub use sd::sd;

use serde::Serialize;

/// Why weights could not be computed: a stable code (see `docs/errors.md`), a plain message, and
/// the 0-based row and column of the cell at fault when there is one.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[non_exhaustive]
#[error("{message}")]
pub struct WeightsError {
    /// Stable code, e.g. `weights.not_reciprocal`.
    pub code: &'static str,
    /// Plain message naming the cell, row or column.
    pub message: String,
    /// 0-based row of the cell at fault.
    pub row: Option<usize>,
    /// 0-based column of the cell at fault.
    pub column: Option<usize>,
}

impl WeightsError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        WeightsError {
            code,
            message: message.into(),
            row: None,
            column: None,
        }
    }

    pub(crate) fn at(mut self, row: Option<usize>, column: Option<usize>) -> Self {
        self.row = row;
        self.column = column;
        self
    }
}

/// Equal weights for `n` indicators: 1/n each.
pub fn equal(n: usize) -> Result<Vec<f64>, WeightsError> {
    if n == 0 {
        return Err(WeightsError::new(
            "weights.empty",
            "equal weights need at least one indicator",
        ));
    }
    Ok(vec![1.0 / n as f64; n])
}

/// Divides each value by their sum. `None` when the sum is not positive and finite.
pub(crate) fn to_unit_sum(values: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = values.iter().sum();
    (total > 0.0 && total.is_finite()).then(|| values.iter().map(|v| v / total).collect())
}

#[cfg(test)]
mod tests;
