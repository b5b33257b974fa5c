//! The entropy weight method (熵权法): a column whose values are spread unevenly across units
//! carries more information (lower entropy) and gets more weight.

use super::data::{min_max, Columns, DataOptions, Weights};
use super::{to_unit_sum, WeightsError};

/// Entropy weights of a data matrix (rows: units, columns: indicators).
///
/// On raw values by default: p_ij = x_ij / Σ_i x_ij, e_j = −(1/ln m) Σ_i p_ij ln p_ij (with
/// 0 · ln 0 = 0), d_j = 1 − e_j, w_j = d_j / Σ_k d_k. Raw values must be ≥ 0 and no column may
/// be all zeros. With `normalise`, each column is first min-max scaled to [0, 1] by its
/// direction. A constant column (raw or before min-max) carries no information: d_j = 0.
pub fn entropy(rows: &[Vec<f64>], options: &DataOptions) -> Result<Weights, WeightsError> {
    let data = Columns::from_rows(rows, options, 2)?;
    if !options.normalise && options.directions.is_some() {
        return Err(WeightsError::new(
            "weights.directions",
            "directions apply only when the columns are min-max normalised first: raw-value entropy uses the values as they are",
        ));
    }
    let scale = libm::log(data.rows_used as f64);
    let mut divergence = Vec::with_capacity(data.columns.len());
    for (j, (column, &direction)) in data.columns.iter().zip(&data.directions).enumerate() {
        let values = if options.normalise {
            match min_max(column, direction) {
                Some(v) => v,
                None => {
                    divergence.push(0.0);
                    continue;
                }
            }
        } else {
            if let Some(i) = column.iter().position(|&x| x < 0.0) {
                return Err(WeightsError::new(
                    "weights.negative",
                    format!("row {i}, column {j} is negative: raw-value entropy needs values ≥ 0 (normalise first, or shift the column)"),
                )
                .at(Some(i), Some(j)));
            }
            column.clone()
        };
        let total: f64 = values.iter().sum();
        if total <= 0.0 {
            return Err(WeightsError::new(
                "weights.zero_column",
                format!("column {j} is all zeros: its proportions are undefined"),
            )
            .at(None, Some(j)));
        }
        if values.windows(2).all(|w| w.first() == w.last()) {
            // Equal proportions: entropy exactly 1, whatever the rounding of Σ p ln p says.
            divergence.push(0.0);
            continue;
        }
        let sum_p_ln_p: f64 = values
            .iter()
            .map(|&x| x / total)
            .filter(|&p| p > 0.0)
            .map(|p| p * libm::log(p))
            .sum();
        let e = -sum_p_ln_p / scale;
        divergence.push((1.0 - e).max(0.0));
    }
    let weights = to_unit_sum(&divergence).ok_or_else(|| {
        WeightsError::new(
            "weights.no_variation",
            "no column varies across the rows: entropy gives no weights",
        )
    })?;
    Ok(data.finish(weights))
}
