//! Standard-deviation weights (标准离差法): the more a column spreads after min-max scaling, the
//! more it separates units and the more weight it gets.

use super::data::{min_max, sample_sd, Columns, DataOptions, Weights};
use super::{to_unit_sum, WeightsError};
use crate::ruleset::Direction;

/// Standard-deviation weights: each column min-max scaled to [0, 1], w_j = σ_j / Σ_k σ_k with the
/// sample standard deviation. A constant column gets weight 0. Directions are checked but not
/// applied: mirroring a column leaves its spread unchanged, and scaling every column the same way
/// keeps the result bit-identical whatever directions are given.
pub fn sd(rows: &[Vec<f64>], options: &DataOptions) -> Result<Weights, WeightsError> {
    let data = Columns::from_rows(rows, options, 2)?;
    let spreads: Vec<f64> = data
        .columns
        .iter()
        .map(|column| min_max(column, Direction::Higher).map_or(0.0, |v| sample_sd(&v)))
        .collect();
    let weights = to_unit_sum(&spreads).ok_or_else(|| {
        WeightsError::new(
            "weights.no_variation",
            "no column varies across the rows: standard deviations give no weights",
        )
    })?;
    Ok(data.finish(weights))
}
