//! `ruleset.sensitivity(data, parameters, options)`: how a ranking and its grades respond to
//! uncertain rule parameters (the core's `Ruleset::parameter_sensitivity`), with the same
//! numbers as Rust and Python.

use crate::{error_with_code, get, option, options, table, to_js, to_records, Ruleset};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SENSITIVITY: &str = r#"
/**
 * A rule parameter's range: `[low, high]`, `{ low, high, whole: true }` for whole numbers, or
 * `{ choices: [...] }` for alternatives drawn with equal odds (e.g. `["mean", "geomean"]`).
 */
export type ParameterRange =
  | [number, number]
  | { low: number; high: number; whole?: boolean }
  | { choices: (number | string | boolean)[] };

export interface SensitivityOptions {
  /** Draws (N). Default 200. */
  samples?: number;
  /** Seed of the random streams. Default 42. */
  seed?: number;
  /** Estimate first-order and total sensitivity indices (N·(d + 2) runs). Default false. */
  indices?: boolean;
  /** Bootstrap resamples for the indices' 95% intervals. Default 100. */
  bootstrap?: number;
}

/** One parameter's sensitivity indices on the mean absolute rank shift. */
export interface SensitivityIndex {
  path: string;
  first: number;
  total: number;
  first_interval: [number | null, number | null];
  total_interval: [number | null, number | null];
}

/**
 * Per unit (in the data's row order; `null` where a row could not be scored): nominal rank
 * (0 = not ranked), score and grade (an index into `grades()`, 4294967295 for none), the rank's
 * median and 5th–95th percentiles, the score's 5th–95th percentiles, the share of runs ending
 * in another grade, and the share of runs ending in each grade.
 */
export interface ParameterSensitivity {
  runs: number;
  nominal_rank: number[];
  nominal_score: (number | null)[];
  nominal_grade: number[];
  rank_median: (number | null)[];
  rank_p05: (number | null)[];
  rank_p95: (number | null)[];
  score_p05: (number | null)[];
  score_p95: (number | null)[];
  grade_change: (number | null)[];
  grade_shares: number[][];
  indices: SensitivityIndex[];
  output_variance: number | null;
  /** How many units end in another grade in at least one run. */
  units_changing_grade: number;
}
"#;

/// A non-negative whole-number option, or its default.
fn count(options: &JsValue, key: &str, default: usize) -> Result<usize, JsValue> {
    match option(options, key) {
        None => Ok(default),
        Some(v) => v
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_991.0)
            .map(|n| n as usize)
            .ok_or_else(|| {
                error_with_code(
                    "options.invalid",
                    &format!("the `{key}` option must be a whole number ≥ 0"),
                )
            }),
    }
}

/// The parameters object: path → `[low, high]` or `{ low, high, whole }`.
fn ranges(parameters: &JsValue) -> Result<Vec<qinglian::ParameterRange>, JsValue> {
    let bad = |m: &str| error_with_code("options.invalid", m);
    if !parameters.is_object() || js_sys::Array::is_array(parameters) {
        return Err(bad(
            "parameters must be an object of path → [low, high], e.g. { \"grade.优秀.min\": [85, 95] }",
        ));
    }
    let mut out = Vec::new();
    for path in js_sys::Object::keys(parameters.unchecked_ref::<js_sys::Object>()).iter() {
        let path = path.as_string().unwrap_or_default();
        let spec = get(parameters, &path);
        let choices = get(&spec, "choices");
        if spec.is_object() && js_sys::Array::is_array(&choices) {
            let text = js_sys::JSON::stringify(&choices)
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let values: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|_| {
                bad(&format!(
                    "`{}`: the choices must be plain values (numbers, text, true/false)",
                    qinglian::excerpt(&path, 80)
                ))
            })?;
            out.push(qinglian::ParameterRange::choice(path, values));
            continue;
        }
        let number = |v: JsValue| v.as_f64();
        let (low, high, whole) = if js_sys::Array::is_array(&spec) {
            let a = js_sys::Array::from(&spec);
            (number(a.get(0)), number(a.get(1)), a.length() == 2)
        } else if spec.is_object() {
            let whole = get(&spec, "whole");
            (
                number(get(&spec, "low")),
                number(get(&spec, "high")),
                whole.is_undefined() || whole.as_bool().is_some(),
            )
        } else {
            (None, None, false)
        };
        let (Some(low), Some(high), true) = (low, high, whole) else {
            return Err(bad(&format!(
                "`{}`: give [low, high] or {{ low, high, whole }}",
                qinglian::excerpt(&path, 80)
            )));
        };
        let range = qinglian::ParameterRange::new(path, low, high);
        out.push(if get(&spec, "whole").as_bool() == Some(true) {
            range.whole()
        } else {
            range
        });
    }
    Ok(out)
}

#[wasm_bindgen]
impl Ruleset {
    /// How the ranking and grades of `data` (records, or a table by column) respond to uncertain
    /// rule parameters: each of `samples` runs scores the rows as one cohort under one draw of
    /// every parameter (a path as for `withChanges`, drawn uniformly from its range). With
    /// `indices`, each parameter's first-order and total sensitivity index on the mean absolute
    /// rank shift (Jansen's estimators) with bootstrap intervals. Deterministic under `seed`.
    #[wasm_bindgen(unchecked_return_type = "ParameterSensitivity")]
    pub fn sensitivity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, ParameterRange>")]
        parameters: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SensitivityOptions")] settings: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let settings = options(
            &settings.unwrap_or(JsValue::UNDEFINED),
            "sensitivity",
            &["samples", "seed", "indices", "bootstrap"],
        )?;
        let ranges = ranges(&parameters)?;
        let mut analysis = qinglian::ParameterAnalysis::new(
            count(&settings, "samples", 200)?,
            count(&settings, "seed", 42)? as u64,
        );
        if table::flag_option(&settings, "indices")? {
            analysis = analysis.with_indices(count(&settings, "bootstrap", 100)?);
        }
        let rows;
        let built;
        let batch = if js_sys::Array::is_array(&data) {
            rows = to_records(&data);
            qinglian::Batch::from_rows(&self.inner, &rows)
        } else {
            built = table::batch_of_columns(&self.inner, &data)?;
            built.batch
        };
        let result = self
            .inner
            .parameter_sensitivity(&batch, &ranges, &analysis)
            .map_err(|e| error_with_code("analysis.invalid", &e.message))?;
        let value = to_js(&result)?;
        crate::set(
            &value,
            "units_changing_grade",
            &JsValue::from_f64(result.units_changing_grade() as f64),
        );
        Ok(value)
    }
}
