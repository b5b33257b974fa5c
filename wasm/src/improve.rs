//! `ruleset.improve(data, { id, target, costs, lang })` and `ruleset.decompose(data, { k })`:
//! one unit's improvement plan and every unit's score taken apart (the core's
//! `Ruleset::improve` and `Ruleset::decompose`), with the same numbers as Rust and Python. The
//! engine runs inline here: the browser gives no threads.

use crate::{error_with_code, get, option, options, table, to_js, to_records, Ruleset};
use qinglian::Lang;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_IMPROVE: &str = r#"
export interface ImproveOptions {
  /** The unit's id. */
  id: string;
  /** The grade to reach (Chinese or English name). Default: the next band above the unit's. */
  target?: string;
  /** Cost per unit of change of each input, by input name; then only these inputs change.
   *  Default: a plan costs the points it recovers. */
  costs?: Record<string, number>;
  /** Language of `text` and `rows`. Default "zh". */
  lang?: Lang;
}

/** One change of one input. */
export interface ImprovementStep {
  /** "veto" (lifts a veto keeping the unit below the target), "grade" (meets the target
   *  grade's condition) or "indicator". */
  kind: "veto" | "grade" | "indicator";
  path: string;
  name: string;
  name_en: string | null;
  input: string;
  label: string;
  label_en: string | null;
  from: unknown;
  to: unknown;
  /** Points the total gains with this step, the steps before it made. */
  points: number;
  cost: number;
}

export interface ImprovementPlan {
  row: number;
  id: string | null;
  name: string | null;
  score_before: number;
  grade_before: string | null;
  grade_before_en: string | null;
  target: string | null;
  target_en: string | null;
  reachable: boolean;
  steps: ImprovementStep[];
  score_after: number;
  grade_after: string | null;
  grade_after_en: string | null;
  cost: number;
  search: "none" | "exact" | "greedy";
  blocked_by: ImprovementStep | null;
  /** The plan in words: a sentence, then its steps as a table. */
  text: string;
  /** Column headings and rows of the steps in words. */
  headings: string[];
  rows: string[][];
}

export interface DecomposeOptions {
  /** Strengths and weaknesses per unit. Default 3. */
  k?: number;
}

export interface DecompositionLine {
  kind: "indicator" | "bonus" | "base" | "veto";
  path: string;
  name: string;
  name_en: string | null;
  score: number;
  max: number;
  contribution: number;
  /** 1 = best in the cohort; 0 = not ranked. */
  rank: number;
  of: number;
}

export interface UnitDecomposition {
  row: number;
  id: string | null;
  name: string | null;
  /** null when the row could not be scored. */
  score: number | null;
  lines: DecompositionLine[];
  strengths: string[];
  weaknesses: string[];
  error: string | null;
}
"#;

fn batch_call<T>(
    ruleset: &Ruleset,
    data: &JsValue,
    f: impl FnOnce(&qinglian::Batch<'_>) -> Result<T, JsValue>,
) -> Result<T, JsValue> {
    if js_sys::Array::is_array(data) {
        let rows = to_records(data);
        f(&qinglian::Batch::from_rows(&ruleset.inner, &rows))
    } else {
        let built = table::batch_of_columns(&ruleset.inner, data)?;
        f(&built.batch)
    }
}

fn costs(settings: &JsValue) -> Result<Option<BTreeMap<String, f64>>, JsValue> {
    let Some(value) = option(settings, "costs") else {
        return Ok(None);
    };
    let bad = || {
        error_with_code(
            "options.invalid",
            "the `costs` option must be an object of input name → cost per unit of change",
        )
    };
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(bad());
    }
    let mut out = BTreeMap::new();
    for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        let cost = get(&value, &key).as_f64().ok_or_else(bad)?;
        out.insert(key, cost);
    }
    Ok(Some(out))
}

fn text_option(settings: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    match option(settings, key) {
        None => Ok(None),
        Some(v) => v.as_string().map(Some).ok_or_else(|| {
            error_with_code(
                "options.invalid",
                &format!("the `{key}` option must be a string"),
            )
        }),
    }
}

#[wasm_bindgen]
impl Ruleset {
    /// One unit's improvement plan, the rows of `data` (records, or a table by column) being
    /// its cohort: the cheapest changes of its inputs that reach `target` (default: the next
    /// grade band above its own), each with the points it gains, checked by scoring the
    /// changed record. Vetoes and the target grade's condition come first as required steps.
    #[wasm_bindgen(unchecked_return_type = "ImprovementPlan")]
    pub fn improve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ImproveOptions")] settings: JsValue,
    ) -> Result<JsValue, JsValue> {
        let settings = options(&settings, "improve", &["id", "target", "costs", "lang"])?;
        let id = text_option(&settings, "id")?.ok_or_else(|| {
            error_with_code(
                "options.invalid",
                "improve needs the unit's `id` (a string)",
            )
        })?;
        let lang = match text_option(&settings, "lang")?.as_deref() {
            None | Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            Some(_) => {
                return Err(error_with_code(
                    "lang.unknown",
                    "unknown language: expected \"zh\" or \"en\"",
                ))
            }
        };
        let mut improve = qinglian::ImproveOptions::new();
        improve.target = text_option(&settings, "target")?;
        improve.costs = costs(&settings)?;
        let plan = batch_call(self, &data, |batch| {
            self.inner
                .improve(batch, &id, &improve)
                .map_err(|e| error_with_code("analysis.invalid", &e.message))
        })?;
        let value = to_js(&plan)?;
        crate::set(
            &value,
            "text",
            &JsValue::from_str(&self.inner.plan_text(&plan, lang)),
        );
        crate::set(&value, "headings", &to_js(&qinglian::plan_headings(lang))?);
        crate::set(&value, "rows", &to_js(&self.inner.plan_rows(&plan, lang))?);
        Ok(value)
    }

    /// Every unit's score taken apart (in the data's row order): each indicator's contribution
    /// to the total (bonus items, a deduction group's starting points and a veto's effect as
    /// lines of their own; the lines add up to the score), its rank in the cohort, and the
    /// unit's `k` best- and worst-ranked indicators.
    #[wasm_bindgen(unchecked_return_type = "UnitDecomposition[]")]
    pub fn decompose(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DecomposeOptions")] settings: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let settings = options(&settings.unwrap_or(JsValue::UNDEFINED), "decompose", &["k"])?;
        let k = match option(&settings, "k") {
            None => 3,
            Some(v) => v
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 1e6)
                .map(|n| n as usize)
                .ok_or_else(|| {
                    error_with_code(
                        "options.invalid",
                        "the `k` option must be a whole number ≥ 0",
                    )
                })?,
        };
        let units = batch_call(self, &data, |batch| Ok(self.inner.decompose(batch, k)))?;
        to_js(&units)
    }
}
