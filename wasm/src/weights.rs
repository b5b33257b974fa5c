//! The weight functions of the core as static methods of the exported class `weights`, so that
//! JavaScript calls them as `weights.ahp(matrix)`, `weights.entropy(matrix, options)`, ….
//! Matrices are arrays of rows; results have the JSON shape of the Rust structs.

use crate::{error_with_code, option, options, set, to_js};
use qinglian::weights::{self as core, AhpOptions, DataOptions, DirectionValue, RandomIndex};
use qinglian::WeightsError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_WEIGHTS: &'static str = r#"
/** A matrix: an array of rows of numbers; `null`, `undefined` and `NaN` are missing values. */
export type Matrix = ArrayLike<ArrayLike<number | null | undefined>>;

/** A column's direction: COINr's `1` / `-1`, or the ruleset's words. */
export type WeightDirection = 1 | -1 | "higher" | "lower";

/** Options of `weights.ahp`. */
export interface AhpOptions {
  /** Random-index table for CR: "saaty1980" (default, n ≤ 10), "xu1988" or "alonso-lamata2006" (n ≤ 15). */
  randomIndex?: "saaty1980" | "xu1988" | "alonso-lamata2006";
  /** How far a_ij · a_ji may be from 1. Default 0.05. */
  tolerance?: number;
  /** Throw `weights.inconsistent` above the threshold instead of returning a warning. */
  strict?: boolean;
  /** The largest acceptable CR. Default 0.1. */
  threshold?: number;
}

/** The result of `weights.ahp`. */
export interface AhpResult {
  /** The principal eigenvector, summing to 1. */
  weights: number[];
  lambda_max: number;
  ci: number;
  ri: number;
  cr: number;
  /** Power-iteration steps taken. */
  iterations: number;
  /** Why the judgements should be revised (CR above the threshold), or null. */
  warning: string | null;
}

/** Options of the data-driven weights. */
export interface WeightOptions {
  /** One direction per column (entropy with `normalise`, CRITIC). */
  directions?: WeightDirection[];
  /** Entropy only: min-max scale each column (by its direction) first. */
  normalise?: boolean;
  /** Leave out rows with a missing value instead of throwing `weights.missing`. */
  dropMissing?: boolean;
}

/** Weights of a data matrix. */
export interface WeightsResult {
  /** One weight per column, summing to 1. */
  weights: number[];
  rows_used: number;
  /** 0-based rows left out for a missing value. */
  dropped_rows: number[];
}

/** Options of `weights.outranking`. */
export interface OutrankingOptions {
  /** One weight per column (scaled to sum to 1). Default: equal. */
  weights?: number[];
  /** One direction per column; lower-is-better columns are compared the other way round. */
  directions?: WeightDirection[];
}

/** The result of `weights.outranking`. */
export interface OutrankingResult {
  /** Row i, column j: the share of the weight on which unit i beats unit j (ties half). */
  matrix: number[][];
  /** Per unit: the units it outranks minus those that outrank it. */
  copeland: number[];
  /** Pairs where one unit beats the other on every column. */
  dominant_pairs: number;
  /** `dominant_pairs` over all pairs (null for fewer than two units). */
  dominant_share: number | null;
}

/** Copeland scores at a node (`Ruleset.copeland`), in the rows' order. */
export interface CopelandResult {
  /** Per row: the rows it outranks minus those that outrank it; NaN for a row that could not be scored. */
  copeland: Float64Array;
  /** Rank by Copeland score (1 = best, ties share the better rank); 0 for a row that could not be scored. */
  rank: Uint32Array;
  /** Pairs where one row beats the other on every child of the node. */
  dominantPairs: number;
  /** `dominantPairs` over all pairs of scored rows. */
  dominantShare: number;
}

/** A leaf's weight in the total (`Ruleset.effectiveWeights`). */
export interface EffectiveWeight {
  path: string;
  name: string;
  weight: number;
  /** False where a geomean, min or deduction above makes it a first-order approximation. */
  exact: boolean;
  bonus: boolean;
}
"#;

/// Weights for a composite index: AHP, entropy (熵权法), CRITIC, standard deviation, PCA, equal.
/// Errors are thrown as `Error`s with `code`, `row` and `column` (0-based, or null).
#[wasm_bindgen(js_name = weights)]
pub struct JsWeights;

fn weights_error(e: &WeightsError) -> JsValue {
    let value = error_with_code(e.code, &e.message);
    let at = |v: Option<usize>| v.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64));
    set(&value, "row", &at(e.row));
    set(&value, "column", &at(e.column));
    value
}

fn bad_matrix(message: &str) -> JsValue {
    error_with_code("weights.matrix", message)
}

/// An array of rows as Rust rows; missing values become NaN.
fn matrix(value: &JsValue) -> Result<Vec<Vec<f64>>, JsValue> {
    if !value.is_object() {
        return Err(bad_matrix("a matrix must be an array of rows"));
    }
    let rows = js_sys::Array::from(value);
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            if !row.is_object() {
                return Err(bad_matrix(&format!("row {i} is not an array of numbers")));
            }
            js_sys::Array::from(&row)
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    if v.is_null() || v.is_undefined() {
                        Ok(f64::NAN)
                    } else {
                        v.as_f64().ok_or_else(|| {
                            bad_matrix(&format!("row {i}, column {j} is not a number"))
                        })
                    }
                })
                .collect()
        })
        .collect()
}

fn flag(options: &JsValue, key: &str) -> bool {
    option(options, key).is_some_and(|v| v.is_truthy())
}

fn data_options(value: Option<JsValue>, call: &str) -> Result<DataOptions, JsValue> {
    let o = options(
        &value.unwrap_or(JsValue::UNDEFINED),
        call,
        &["directions", "normalise", "dropMissing"],
    )?;
    let mut out = DataOptions::new()
        .normalise(flag(&o, "normalise"))
        .drop_missing(flag(&o, "dropMissing"));
    if let Some(list) = option(&o, "directions") {
        out = out.directions(directions(&list)?);
    }
    Ok(out)
}

/// One direction per column: COINr's `1` / `-1` or the ruleset's words.
fn directions(list: &JsValue) -> Result<Vec<qinglian::Direction>, JsValue> {
    let mut out = Vec::new();
    for (j, d) in js_sys::Array::from(list).iter().enumerate() {
        let word = d.as_string();
        let value = match &word {
            Some(w) => DirectionValue::Word(w),
            None => DirectionValue::Number(d.as_f64().unwrap_or(f64::NAN)),
        };
        out.push(core::parse_direction(j, value).map_err(|e| weights_error(&e))?);
    }
    Ok(out)
}

type Method = fn(&[Vec<f64>], &DataOptions) -> Result<core::Weights, WeightsError>;

fn of_data(
    method: Method,
    call: &str,
    data: &JsValue,
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let options = data_options(options, call)?;
    let rows = matrix(data)?;
    to_js(&method(&rows, &options).map_err(|e| weights_error(&e))?)
}

#[wasm_bindgen(js_class = weights)]
impl JsWeights {
    /// AHP weights of a pairwise comparison matrix: principal eigenvector, λmax, CI, CR.
    #[wasm_bindgen(unchecked_return_type = "AhpResult")]
    pub fn ahp(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AhpOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let o = self::options(
            &options.unwrap_or(JsValue::UNDEFINED),
            "weights.ahp",
            &["randomIndex", "tolerance", "strict", "threshold"],
        )?;
        let mut settings = AhpOptions::new().strict(flag(&o, "strict"));
        if let Some(name) = option(&o, "randomIndex") {
            let name = name.as_string().unwrap_or_default();
            settings =
                settings.random_index(RandomIndex::parse(&name).map_err(|e| weights_error(&e))?);
        }
        if let Some(t) = option(&o, "tolerance").and_then(|v| v.as_f64()) {
            settings = settings.tolerance(t);
        }
        if let Some(t) = option(&o, "threshold").and_then(|v| v.as_f64()) {
            settings = settings.threshold(t);
        }
        let rows = self::matrix(&matrix)?;
        to_js(&core::ahp(&rows, &settings).map_err(|e| weights_error(&e))?)
    }

    /// Entropy weights (熵权法), on raw values unless `normalise`.
    #[wasm_bindgen(unchecked_return_type = "WeightsResult")]
    pub fn entropy(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WeightOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        of_data(core::entropy, "weights.entropy", &matrix, options)
    }

    /// CRITIC weights: contrast times conflict, after direction-aware min-max.
    #[wasm_bindgen(unchecked_return_type = "WeightsResult")]
    pub fn critic(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WeightOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        of_data(core::critic, "weights.critic", &matrix, options)
    }

    /// Standard-deviation weights, after min-max.
    #[wasm_bindgen(unchecked_return_type = "WeightsResult")]
    pub fn sd(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WeightOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        of_data(core::sd, "weights.sd", &matrix, options)
    }

    /// PCA weights: squared loadings of the first principal component of the correlation matrix.
    #[wasm_bindgen(unchecked_return_type = "WeightsResult")]
    pub fn pca(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WeightOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        of_data(core::pca, "weights.pca", &matrix, options)
    }

    /// The outranking matrix and Copeland scores of a data matrix (COINr's `outrankMatrix` and
    /// `a_copeland`): for units i and j, the share of the weights on which i beats j, ties half,
    /// missing values for neither; a unit's Copeland score is the units it outranks minus those
    /// that outrank it. At most 5,000 units.
    #[wasm_bindgen(unchecked_return_type = "OutrankingResult")]
    pub fn outranking(
        #[wasm_bindgen(unchecked_param_type = "Matrix")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OutrankingOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let o = self::options(
            &options.unwrap_or(JsValue::UNDEFINED),
            "weights.outranking",
            &["weights", "directions"],
        )?;
        let weights = match option(&o, "weights") {
            Some(list) => Some(
                js_sys::Array::from(&list)
                    .iter()
                    .enumerate()
                    .map(|(j, w)| {
                        w.as_f64().ok_or_else(|| {
                            error_with_code(
                                "weights.bad_weights",
                                &format!("the weight of column {j} is not a number"),
                            )
                        })
                    })
                    .collect::<Result<Vec<f64>, _>>()?,
            ),
            None => None,
        };
        let directions = option(&o, "directions")
            .map(|list| self::directions(&list))
            .transpose()?;
        let rows = self::matrix(&matrix)?;
        let result =
            qinglian::outranking::outranking(&rows, weights.as_deref(), directions.as_deref())
                .map_err(|e| weights_error(&e))?;
        to_js(&result)
    }

    /// Equal weights for `n` indicators.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn equal(n: u32) -> Result<JsValue, JsValue> {
        to_js(&core::equal(n as usize).map_err(|e| weights_error(&e))?)
    }
}
