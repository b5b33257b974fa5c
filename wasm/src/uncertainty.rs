//! `ruleset.uncertainty(data, options)`: each unit's rank under noisy weights (Monte Carlo over
//! the weights, as `Ruleset::uncertainty` in Rust and `Ruleset.uncertainty` in Python), with the
//! same numbers for the same seed.

use crate::{error_with_code, option, options, set, table, to_records};
use js_sys::{Array, Float64Array, Object, Uint32Array};
use qinglian::WeightNoise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_UNCERTAINTY: &'static str = r#"
/** Options of `Ruleset.uncertainty`. */
export interface UncertaintyOptions {
  /** Number of samples. Default 1000. */
  samples?: number;
  /** The noise factor f: each weight is drawn from [w(1 − f), w(1 + f)]; within [0, 1). Default 0.25. */
  weightNoise?: number;
  /** Seed of the random streams (a whole number from 0 to 2^53 − 1, or a bigint below 2^64). Default 42. */
  seed?: number | bigint;
  /** Depths of the nodes whose weights are perturbed (1 = the 一级指标). Default: every node weighted by its parent. */
  depths?: number[];
}

/** Each unit's rank under noisy weights, in the rows' order (`Ruleset.uncertainty`). */
export interface RankUncertainty {
  /** Samples drawn. */
  samples: number;
  /** Rank with the ruleset's own weights (1 = best, ties share the better rank); 0 for a row that could not be scored. */
  rank: Uint32Array;
  /** Median rank over the samples (NaN for a row that could not be scored). */
  rankMedian: Float64Array;
  /** 5th percentile of the sampled ranks (the better end). */
  rankP05: Float64Array;
  /** 95th percentile of the sampled ranks (the worse end). */
  rankP95: Float64Array;
}
"#;

fn invalid(message: &str) -> JsValue {
    error_with_code("options.invalid", message)
}

/// A whole number ≥ 0 from an option (`what` names it in the error).
fn whole(value: &JsValue, what: &str, most: f64) -> Result<f64, JsValue> {
    match value.as_f64() {
        Some(x) if x.fract() == 0.0 && (0.0..=most).contains(&x) => Ok(x),
        _ => Err(invalid(&format!(
            "`{what}` must be a whole number from 0 to {most}"
        ))),
    }
}

/// The seed: a safe whole number, or a bigint that fits 64 bits.
fn seed(value: &JsValue) -> Result<u64, JsValue> {
    if value.is_bigint() {
        return u64::try_from(value.clone())
            .map_err(|_| invalid("`seed` must be a bigint from 0 to 2^64 − 1"));
    }
    whole(value, "seed", 9_007_199_254_740_991.0).map(|x| x as u64)
}

/// The analysis's options, checked.
fn noise_of(options: &JsValue) -> Result<WeightNoise, JsValue> {
    let mut noise = WeightNoise::default();
    if let Some(v) = option(options, "samples") {
        noise.samples = whole(&v, "samples", 1e7)? as usize;
    }
    if let Some(v) = option(options, "weightNoise") {
        noise.noise = v
            .as_f64()
            .ok_or_else(|| invalid("`weightNoise` must be a number"))?;
    }
    if let Some(v) = option(options, "seed") {
        noise.seed = seed(&v)?;
    }
    if let Some(v) = option(options, "depths") {
        if !Array::is_array(&v) {
            return Err(invalid("`depths` must be an array of whole numbers"));
        }
        let depths = Array::from(&v)
            .iter()
            .map(|d| whole(&d, "depths", 1e6).map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        noise = noise.at_depths(depths);
    }
    Ok(noise)
}

/// Runs the analysis on records (an array) or a table by column.
pub(crate) fn uncertainty(
    ruleset: &qinglian::Ruleset,
    data: &JsValue,
    given: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let given = options(
        &given.unwrap_or(JsValue::UNDEFINED),
        "uncertainty",
        &["samples", "weightNoise", "seed", "depths"],
    )?;
    let noise = noise_of(&given)?;
    let result = if Array::is_array(data) {
        let rows = to_records(data);
        ruleset.uncertainty(&qinglian::Batch::from_rows(ruleset, &rows), &noise)
    } else {
        let built = table::batch_of_columns(ruleset, data)?;
        ruleset.uncertainty(&built.batch, &noise)
    }
    .map_err(|e| invalid(&e.message))?;
    let out: JsValue = Object::new().into();
    set(&out, "samples", &JsValue::from(result.samples as f64));
    set(
        &out,
        "rank",
        &Uint32Array::from(result.nominal.as_slice()).into(),
    );
    for (key, column) in [
        ("rankMedian", &result.median),
        ("rankP05", &result.p05),
        ("rankP95", &result.p95),
    ] {
        set(&out, key, &Float64Array::from(column.as_slice()).into());
    }
    Ok(out)
}
