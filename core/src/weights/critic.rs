//! CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995): a column weighs more when it both spreads
//! widely (contrast) and disagrees with the other columns (conflict).

use super::data::{min_max, pearson, sample_sd, Columns, DataOptions, Weights};
use super::{to_unit_sum, WeightsError};

/// CRITIC weights: each column min-max scaled to [0, 1] by its direction; σ_j its sample
/// standard deviation; r_jk the Pearson correlation of the scaled columns;
/// C_j = σ_j Σ_k (1 − r_jk); w_j = C_j / Σ_k C_k.
///
/// A constant column carries no information and its correlations are undefined: it gets weight
/// 0 and is left out of the other columns' sums (as if it were not in the matrix).
pub fn critic(rows: &[Vec<f64>], options: &DataOptions) -> Result<Weights, WeightsError> {
    let data = Columns::from_rows(rows, options, 2)?;
    let scaled: Vec<Option<Vec<f64>>> = data
        .columns
        .iter()
        .zip(&data.directions)
        .map(|(column, &d)| min_max(column, d))
        .collect();
    let information: Vec<f64> = scaled
        .iter()
        .map(|column| match column {
            None => 0.0,
            Some(x) => {
                let conflict: f64 = scaled.iter().flatten().map(|y| 1.0 - pearson(x, y)).sum();
                sample_sd(x) * conflict
            }
        })
        .collect();
    let weights = to_unit_sum(&information).ok_or_else(|| {
        WeightsError::new(
            "weights.no_variation",
            "CRITIC needs at least two columns that vary and are not perfectly correlated",
        )
    })?;
    Ok(data.finish(weights))
}
