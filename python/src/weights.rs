//! The weight functions of the core (`qinglian.weights` wraps them): matrices in as lists of
//! rows, results out as dicts, errors as `WeightsError` with the cell at fault.

use crate::{ser_to_py, QinglianError};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyString;
use qinglian::weights::{self, AhpOptions, DataOptions, DirectionValue, RandomIndex};

create_exception!(
    qinglian,
    WeightsError,
    QinglianError,
    "Weights could not be computed. Attributes: code, message, row, column (0-based)."
);

pub(crate) fn weights_error(py: Python<'_>, e: &qinglian::WeightsError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let err = WeightsError::new_err(e.message.clone());
        let value = err.value(py);
        value.setattr("code", e.code)?;
        value.setattr("message", &e.message)?;
        value.setattr("row", e.row)?;
        value.setattr("column", e.column)?;
        Ok(err)
    };
    build().unwrap_or_else(|err| err)
}

/// AHP of a pairwise comparison matrix: a dict with weights, lambda_max, ci, ri, cr,
/// iterations and warning (None, or why the judgements should be revised).
#[pyfunction]
#[pyo3(signature = (matrix, random_index = "saaty1980", tolerance = 0.05, strict = false, threshold = 0.1))]
pub(crate) fn weights_ahp<'py>(
    py: Python<'py>,
    matrix: Vec<Vec<f64>>,
    random_index: &str,
    tolerance: f64,
    strict: bool,
    threshold: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> Result<weights::Ahp, qinglian::WeightsError> {
        let options = AhpOptions::new()
            .random_index(RandomIndex::parse(random_index)?)
            .tolerance(tolerance)
            .strict(strict)
            .threshold(threshold);
        weights::ahp(&matrix, &options)
    };
    match py.detach(run) {
        Ok(r) => ser_to_py(py, &r),
        Err(e) => Err(weights_error(py, &e)),
    }
}

/// Entropy, CRITIC, standard-deviation or PCA weights of a data matrix (rows: units): a dict
/// with weights, rows_used and dropped_rows.
#[pyfunction]
#[pyo3(signature = (method, matrix, directions = None, normalise = false, drop_missing = false))]
pub(crate) fn weights_of_data<'py>(
    py: Python<'py>,
    method: &str,
    matrix: Vec<Vec<f64>>,
    directions: Option<Vec<Bound<'py, PyAny>>>,
    normalise: bool,
    drop_missing: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let method = match method {
        "entropy" => weights::entropy,
        "critic" => weights::critic,
        "sd" => weights::sd,
        "pca" => weights::pca,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown weighting method `{other}`"
            )))
        }
    };
    let mut options = DataOptions::new()
        .normalise(normalise)
        .drop_missing(drop_missing);
    if let Some(list) = directions {
        options = options.directions(parse_directions(py, &list)?);
    }
    match py.detach(|| method(&matrix, &options)) {
        Ok(r) => ser_to_py(py, &r),
        Err(e) => Err(weights_error(py, &e)),
    }
}

/// Directions given as COINr's numbers or the ruleset's words, one per column.
fn parse_directions(
    py: Python<'_>,
    list: &[Bound<'_, PyAny>],
) -> PyResult<Vec<qinglian::Direction>> {
    let mut parsed = Vec::with_capacity(list.len());
    for (j, d) in list.iter().enumerate() {
        let value = if let Ok(s) = d.cast::<PyString>() {
            let word: String = s.extract()?;
            weights::parse_direction(j, DirectionValue::Word(&word))
        } else {
            let x: f64 = d.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "the direction of column {j} must be 1, -1, \"higher\" or \"lower\""
                ))
            })?;
            weights::parse_direction(j, DirectionValue::Number(x))
        };
        parsed.push(value.map_err(|e| weights_error(py, &e))?);
    }
    Ok(parsed)
}

/// The outranking matrix and Copeland scores of a data matrix (rows: units; NaN missing): a
/// dict with matrix, copeland, dominant_pairs and dominant_share.
#[pyfunction]
#[pyo3(signature = (matrix, weights = None, directions = None))]
pub(crate) fn weights_outranking<'py>(
    py: Python<'py>,
    matrix: Vec<Vec<f64>>,
    weights: Option<Vec<f64>>,
    directions: Option<Vec<Bound<'py, PyAny>>>,
) -> PyResult<Bound<'py, PyAny>> {
    let directions = directions
        .map(|list| parse_directions(py, &list))
        .transpose()?;
    let run =
        || qinglian::outranking::outranking(&matrix, weights.as_deref(), directions.as_deref());
    match py.detach(run) {
        Ok(r) => ser_to_py(py, &r),
        Err(e) => Err(weights_error(py, &e)),
    }
}

/// Equal weights for `n` indicators.
#[pyfunction]
pub(crate) fn weights_equal(py: Python<'_>, n: usize) -> PyResult<Vec<f64>> {
    weights::equal(n).map_err(|e| weights_error(py, &e))
}
